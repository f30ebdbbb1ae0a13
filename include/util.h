/* SPDX-License-Identifier: MIT */
#ifndef MC_UTIL_H
#define MC_UTIL_H

#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void mc_freep(void *p)
{
	free(*(void **)p);
}

static inline void mc_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Free or close a local on every return path, so error paths stay one line. */
#define _cleanup_free_ __attribute__((cleanup(mc_freep)))
#define _cleanup_close_ __attribute__((cleanup(mc_closep)))

#endif
