// SPDX-License-Identifier: MIT
/* What /proc says of a process (state, start time), and timestamps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "proc.h"
#include "util.h"

/*
 * The civil date of DAYS since 1970-01-01 (H. Hinnant's algorithm): UTC
 * needs no time zone, and libc's gmtime/strftime would bring its tz code.
 */
static void civil(int64_t days, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned int doe = (unsigned int)(z - era * 146097);
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* FIXED: always nine fraction digits (NANOS implied). */
static int format_time(char *buf, size_t size, const struct timespec *ts,
		       bool nanos, bool fixed)
{
	int64_t secs = ts->tv_sec, days = secs / 86400, rem = secs % 86400, y;
	char frac[16] = "";
	unsigned int m, d;
	int len;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return mc_error(EOVERFLOW, "timestamp");
	if (fixed && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000) {
		snprintf(frac, sizeof(frac), ".%09ld", (long)ts->tv_nsec);
	} else if (nanos && ts->tv_nsec > 0 && ts->tv_nsec < 1000000000) {
		len = snprintf(frac, sizeof(frac), ".%09ld", (long)ts->tv_nsec);
		while (frac[len - 1] == '0')
			frac[--len] = '\0';
	}
	len = snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d%sZ", (int)y, m, d,
		       (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
		       frac);
	if (len < 0 || (size_t)len >= size)
		return mc_error(ERANGE, "timestamp");
	return 0;
}

int mc_time_format(char *buf, size_t size, const struct timespec *ts,
		   bool nanos)
{
	return format_time(buf, size, ts, nanos, false);
}

int mc_time_format_fixed(char *buf, size_t size, const struct timespec *ts)
{
	return format_time(buf, size, ts, true, true);
}

int mc_time_rfc3339_fixed(char *buf, size_t size)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return mc_error(errno, "clock_gettime");
	return mc_time_format_fixed(buf, size, &ts);
}

int mc_time_rfc3339(char *buf, size_t size, bool nanos)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return mc_error(errno, "clock_gettime");
	return mc_time_format(buf, size, &ts, nanos);
}

/* Fields 3 (state) and 22 (starttime), counted from the last ')'. */
static bool parse_stat(const char *line, char *state, uint64_t *start_time)
{
	const char *p = strrchr(line, ')');
	const char *end;

	if (!p || p[1] != ' ' || !p[2] || p[2] == ' ')
		return false;
	p += 2;
	*state = *p;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
	}
	end = mc_scan_u64(p, start_time);
	return end && (*end == ' ' || *end == '\n' || *end == '\0');
}

int mc_parse_stat_line(const char *line, char *state, uint64_t *start_time)
{
	if (!parse_stat(line, state, start_time))
		return mc_error(0, "malformed /proc stat line");
	return 0;
}

/* Read /proc/PID/stat quietly: 0, or -1 with errno (ESRCH: no such pid). */
int mc_proc_stat(pid_t pid, char *state, uint64_t *start_time)
{
	_cleanup_close_ int fd = -1;
	char path[32], line[2048];
	ssize_t n;

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	n = read(fd, line, sizeof(line) - 1);
	if (n < 0)
		return -1;
	line[n] = '\0';
	if (!parse_stat(line, state, start_time)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int mc_proc_start_time(pid_t pid, uint64_t *out)
{
	char state;

	if (mc_proc_stat(pid, &state, out) < 0)
		return mc_error(errno, "process %d", (int)pid);
	return 0;
}

char mc_proc_state(pid_t pid)
{
	uint64_t start;
	char state;

	return mc_proc_stat(pid, &state, &start) < 0 ? 0 : state;
}

