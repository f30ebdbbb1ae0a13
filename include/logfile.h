/* SPDX-License-Identifier: MIT */
#ifndef MC_LOGFILE_H
#define MC_LOGFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

/*
 * A detached container's output, in the CRI log format (containerd,
 * podman's k8s-file driver): one record a line,
 *	2026-12-02T07:10:00.123456789Z stdout F hello
 * F: the content ends a line (its newline is the record's own); P: a
 * partial line whose rest follows in a later record of the same stream.
 */

struct mc_log {
	int fd;			/* open log file (O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0640), or -1 */
	char path[PATH_MAX];	/* <state dir>/container.log */
	uint64_t size;		/* bytes in the current file */
	uint64_t max_size;	/* 0: no cap */
};

/* Open (create or append to) PATH. */
int mc_log_open(struct mc_log *log, const char *path, uint64_t max_size);
/*
 * Write the records for one chunk of STREAM ("stdout" or "stderr"), at
 * once (no buffering: a chunk without a newline is a P record).  Before a
 * record that would take the file past max_size (and the file is not
 * empty), rotate: rename PATH to PATH.1 (replacing an older PATH.1), open
 * PATH anew.  So at most ~2 x max_size is kept.  A record longer than
 * max_size alone is still written whole.  A failed write is cut back off
 * the file, so the file only ever holds whole records.
 */
int mc_log_write(struct mc_log *log, const char *stream, const char *data, size_t len);
void mc_log_close(struct mc_log *log);

/* Pure: format the records of one chunk into B with timestamp TS. */
void mc_log_format(struct mc_buf *b, const char *ts, const char *stream,
		   const char *data, size_t len);

/* Pure: parse one record LINE (without its \n, LEN bytes) into its parts
 * (pointers into LINE); -1 if it is not a record (nothing recorded). */
struct mc_log_record {
	const char *ts;
	size_t ts_len;
	bool is_stderr;
	bool partial;
	const char *content;
	size_t content_len;
};
int mc_log_parse(const char *line, size_t len, struct mc_log_record *r);

/* The reader behind `mcstatic logs [-f] [--tail N] [-t] NAME`. */
struct mc_log_read {
	bool follow;		/* -f: keep reading new records until running() says false and
				 * everything written has been printed */
	bool timestamps;	/* -t: each output line starts with "TIMESTAMP " (docker's form) */
	long tail;		/* --tail N: only the last N lines (N >= 0); -1: all */
	bool (*running)(void *data);	/* -f: is the writer (the supervisor) still there? */
	void *data;
	int out_fd, err_fd;	/* where stdout / stderr records go (1 and 2) */
};

/*
 * Print PATH.1 (if it exists) then PATH.  A missing PATH is not an error
 * (nothing logged yet).  Content goes to out_fd or err_fd by stream; a P
 * record's content is printed without a newline and the next record of
 * that stream continues the line (with -t, the timestamp is printed only
 * at the start of a line).  --tail counts lines (an F record ends one; a
 * line still open at the end counts too) over both files.  With -f: after
 * the end, wait for more (inotify on the directory, a 250 ms poll as the
 * fallback, running() checked each wake), follow a rotation, and return
 * once running() is false and the file has been read to its end.  Lines
 * that are not records are skipped.
 */
int mc_log_print(const char *path, const struct mc_log_read *o);

#endif
