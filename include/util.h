/* SPDX-License-Identifier: MIT */
#ifndef MC_UTIL_H
#define MC_UTIL_H

#include <errno.h>
#include <poll.h>
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

/* All of BUF to FD, through EINTR and (a non-blocking FD) EAGAIN: 0, or -1
 * with errno (nothing recorded: callers name the file). */
static inline int mc_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, -1);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

#endif
