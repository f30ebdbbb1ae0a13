// SPDX-License-Identifier: MIT
/* logfile.c: a detached container's log file (CRI format): format, parse, write, rotate. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "logfile.h"
#include "proc.h"
#include "util.h"

#define LOG_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC)

static void add_record(struct mc_buf *b, const char *ts, const char *stream,
		       char tag, const char *data, size_t len)
{
	mc_buf_printf(b, "%s %s %c ", ts, stream, tag);
	mc_buf_add(b, data, len);
	mc_buf_add(b, "\n", 1);
}

void mc_log_format(struct mc_buf *b, const char *ts, const char *stream,
		   const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);

		/* No buffering: the rest of a line follows in a later P or F. */
		if (!nl) {
			add_record(b, ts, stream, 'P', data, len);
			return;
		}
		add_record(b, ts, stream, 'F', data, (size_t)(nl - data));
		len -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
}

int mc_log_parse(const char *line, size_t len, struct mc_log_record *r)
{
	const char *end = line + len, *sp = memchr(line, ' ', len), *p;

	if (!sp || sp == line)
		return -1;
	r->ts = line;
	r->ts_len = (size_t)(sp - line);
	p = sp + 1;
	if (end - p < 8 || p[6] != ' ')
		return -1;
	if (memcmp(p, "stdout", 6) == 0)
		r->is_stderr = false;
	else if (memcmp(p, "stderr", 6) == 0)
		r->is_stderr = true;
	else
		return -1;
	p += 7;
	if (*p != 'F' && *p != 'P')
		return -1;
	r->partial = *p == 'P';
	p++;
	/* An empty line may come without the space after its tag. */
	if (p < end && *p++ != ' ')
		return -1;
	r->content = p;
	r->content_len = (size_t)(end - p);
	return memchr(p, '\n', r->content_len) ? -1 : 0;
}

/* Open log->path and learn its size (appending to an earlier run's). */
static int open_file(struct mc_log *log)
{
	struct stat sb;

	log->size = 0;
	log->fd = open(log->path, LOG_FLAGS, 0640);
	if (log->fd < 0)
		return mc_error(errno, "log file %s", log->path);
	if (fstat(log->fd, &sb) < 0) {
		mc_error(errno, "log file %s", log->path);
		mc_log_close(log);
		return -1;
	}
	log->size = (uint64_t)sb.st_size;
	return 0;
}

int mc_log_open(struct mc_log *log, const char *path, uint64_t max_size)
{
	int len = snprintf(log->path, sizeof(log->path), "%s", path);

	log->fd = -1;
	log->size = 0;
	log->max_size = max_size;
	/* PATH.1 must fit as well. */
	if (len < 0 || (size_t)len + 2 >= sizeof(log->path))
		return mc_error(ENAMETOOLONG, "log file %s", path);
	return open_file(log);
}

void mc_log_close(struct mc_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}

/*
 * PATH becomes PATH.1 (rename replaces an older one atomically, so a
 * reader sees one or the other, never neither), then PATH starts empty.
 */
static int rotate(struct mc_log *log)
{
	char old[PATH_MAX + 2];

	snprintf(old, sizeof(old), "%s.1", log->path);
	if (rename(log->path, old) < 0)
		return mc_error(errno, "log file %s: rotate", log->path);
	mc_log_close(log);
	return open_file(log);
}

/*
 * All of BUF, across EINTR and short writes.  On a failure (ENOSPC,
 * EFBIG) what did get in is cut off again: a half record would glue
 * itself to the next one.
 */
static int append(struct mc_log *log, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(log->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			if (done && ftruncate(log->fd, (off_t)log->size) < 0)
				mc_warn("log file %s: truncate: %s", log->path,
					strerror(errno));
			return mc_error(err, "log file %s: write", log->path);
		}
		done += (size_t)n;
	}
	log->size += len;
	return 0;
}

/*
 * LEN more bytes would take the file past its limit.  An empty file is
 * never rotated (write_records checks log->size for that), but it is not
 * exempt from the limit either: after a rotation, a large batch of short
 * records must still be cut up.
 */
static bool too_big(const struct mc_log *log, size_t len)
{
	return log->max_size && log->size + len > log->max_size;
}

/* Just past the '\n' that ends the record at P (B holds whole records). */
static const char *next_record(const char *p, const char *end)
{
	return (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
}

/* The records in P..P+LEN, written in runs between rotations. */
static int write_records(struct mc_log *log, const char *p, size_t len)
{
	const char *end = p + len, *run, *next;

	while (p < end) {
		next = next_record(p, end);
		if (log->size && too_big(log, (size_t)(next - p)) &&
		    rotate(log) < 0)
			return -1;
		/* Take records while they fit; at least one, however long. */
		run = p;
		p = next;
		while (p < end) {
			next = next_record(p, end);
			if (too_big(log, (size_t)(next - run)))
				break;
			p = next;
		}
		if (append(log, run, (size_t)(p - run)) < 0)
			return -1;
	}
	return 0;
}

int mc_log_write(struct mc_log *log, const char *stream, const char *data, size_t len)
{
	struct mc_buf b = { 0 };
	char ts[MC_TIME_FIXED_LEN + 1];
	int ret;

	if (strcmp(stream, "stdout") != 0 && strcmp(stream, "stderr") != 0)
		return mc_error(EINVAL, "log stream %s", stream);
	if (!len)
		return 0;
	/* A failed rotation left no file: try again rather than lose the rest. */
	if (log->fd < 0 && open_file(log) < 0)
		return -1;
	if (mc_time_rfc3339_fixed(ts, sizeof(ts)) < 0)
		return -1;
	mc_log_format(&b, ts, stream, data, len);
	if (b.failed) {
		mc_buf_free(&b);
		return mc_error(ENOMEM, "log file %s", log->path);
	}
	ret = write_records(log, b.data, b.len);
	mc_buf_free(&b);
	return ret;
}
