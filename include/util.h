/* SPDX-License-Identifier: MIT */
#ifndef MC_UTIL_H
#define MC_UTIL_H

#include <stdint.h>
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

/* Decimal digits at S into *V; the end, or NULL without digits or on overflow. */
static inline const char *mc_scan_u64(const char *s, uint64_t *v)
{
	const char *p = s;

	for (*v = 0; *p >= '0' && *p <= '9'; p++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return NULL;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	return p == s ? NULL : p;
}

#endif
