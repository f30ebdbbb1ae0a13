/* SPDX-License-Identifier: MIT */
#ifndef MC_PROC_H
#define MC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/*
 * A line of /proc/PID/stat: the state letter (field 3) and starttime
 * (field 22).  Fields are counted from the last ')', since the command
 * name in field 2 may hold spaces and parentheses.
 */
int mc_parse_stat_line(const char *line, char *state, uint64_t *start_time);
int mc_proc_start_time(pid_t pid, uint64_t *out);
/* Both of PID's, quietly: 0, or -1 with errno (ESRCH when it is gone). */
int mc_proc_stat(pid_t pid, char *state, uint64_t *start_time);
/* The state letter of PID, or 0 when it is gone. */
char mc_proc_state(pid_t pid);

/*
 * RFC 3339 in UTC, as Go's time.Time marshals (RFC3339Nano): with NANOS a
 * fraction of up to nine digits, trailing zeros dropped (and the dot with
 * them), e.g. 2026-12-02T00:41:02.1234567Z; without, whole seconds (the
 * "time" of JSON log lines).
 */
int mc_time_format(char *buf, size_t size, const struct timespec *ts,
		   bool nanos);
int mc_time_rfc3339(char *buf, size_t size, bool nanos);
/*
 * The same with all nine fraction digits, so every stamp has one width
 * (the CRI log format, 2026-12-02T07:10:00.120000000Z): 30 bytes + NUL.
 */
#define MC_TIME_FIXED_LEN 30
int mc_time_format_fixed(char *buf, size_t size, const struct timespec *ts);
int mc_time_rfc3339_fixed(char *buf, size_t size);

#endif
