// SPDX-License-Identifier: MIT
/* logfile-read.c: `logs`: print a container's log file, --tail, -t, -f across rotations. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "logfile.h"
#include "util.h"

/* A record is at most a 64 KiB chunk plus its head; longer lines are not ours. */
#define LINE_CAP (256 * 1024)
#define OUT_FLUSH (64 * 1024)
#define WAIT_MS 250

/* One log file, read with pread from OFF; BUF holds bytes not yet a whole line. */
struct src {
	int fd;
	off_t off;
	char *buf;
	size_t start, len;
	bool skipping;		/* inside an over-long line: dropped up to its end */
};

/* The records of OLD (PATH.1) then CUR (PATH), numbered from 0. */
struct walk {
	struct src *s[2];
	int i;
	uint64_t index;		/* the next record's */
};

struct out {
	const struct mc_log_read *o;
	struct mc_buf b;	/* pending output for B_FD */
	int b_fd;
	bool in_line[2];	/* a P record of stdout / stderr began a line */
};

static int src_init(struct src *s, int fd)
{
	*s = (struct src){ .fd = fd };
	s->buf = malloc(LINE_CAP);
	return s->buf ? 0 : mc_error(ENOMEM, "log file");
}

static void src_free(struct src *s)
{
	free(s->buf);
	s->buf = NULL;
}

/* Keep the unfinished line at the front; drop it once it cannot be a record. */
static void src_compact(struct src *s)
{
	size_t have = s->len - s->start;

	if (s->skipping)
		have = 0;
	memmove(s->buf, s->buf + s->start, have);
	s->start = 0;
	s->len = have;
	if (s->len == LINE_CAP) {
		s->skipping = true;
		s->len = 0;
	}
}

/* The next whole line (without '\n'): 1; 0 when none is complete yet; -1. */
static int next_line(struct src *s, const char **line, size_t *len)
{
	ssize_t n;

	while (s->fd >= 0) {
		char *base = s->buf + s->start;
		char *nl = memchr(base, '\n', s->len - s->start);

		if (nl) {
			s->start += (size_t)(nl - base) + 1;
			if (s->skipping) {
				s->skipping = false;
				continue;
			}
			*line = base;
			*len = (size_t)(nl - base);
			return 1;
		}
		src_compact(s);
		n = pread(s->fd, s->buf + s->len, LINE_CAP - s->len, s->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mc_error(errno, "log file: read");
		if (n == 0)
			return 0;
		s->off += n;
		s->len += (size_t)n;
	}
	return 0;
}

/* The next record, skipping lines that are not: 1; 0 at the end of CUR; -1. */
static int next_record(struct walk *w, struct mc_log_record *r)
{
	const char *line = NULL;
	size_t len = 0;
	int ret;

	for (;;) {
		ret = next_line(w->s[w->i], &line, &len);
		if (ret < 0)
			return -1;
		if (ret == 0 && w->i == 0) {
			w->i = 1;
			continue;
		}
		if (ret == 0)
			return 0;
		if (mc_log_parse(line, len, r) == 0) {
			w->index++;
			return 1;
		}
	}
}

static int out_flush(struct out *out)
{
	int ret = 0;

	if (out->b.failed)
		ret = mc_error(ENOMEM, "log output");
	else if (out->b.len)
		ret = mc_write_all(out->b_fd, out->b.data, out->b.len) < 0 ?
		      mc_error(errno, "log output") : 0;
	out->b.len = 0;
	out->b.failed = false;
	return ret;
}

/* One record's content; the two streams' text goes out in record order. */
static int out_record(struct out *out, const struct mc_log_record *r)
{
	int fd = r->is_stderr ? out->o->err_fd : out->o->out_fd;
	bool *in_line = &out->in_line[r->is_stderr];

	if (out->b.len && fd != out->b_fd && out_flush(out) < 0)
		return -1;
	out->b_fd = fd;
	if (out->o->timestamps && !*in_line) {
		mc_buf_add(&out->b, r->ts, r->ts_len);
		mc_buf_add(&out->b, " ", 1);
	}
	mc_buf_add(&out->b, r->content, r->content_len);
	if (!r->partial)
		mc_buf_add(&out->b, "\n", 1);
	*in_line = r->partial;
	if (out->b.len >= OUT_FLUSH || out->b.failed)
		return out_flush(out);
	return 0;
}

/* What pass one learns of the files: where each stream's lines end. */
struct census {
	uint64_t records, lines_done;
	uint64_t after_done[2];	/* index just past the stream's last F record */
	uint64_t last[2];	/* index + 1 of the stream's last record, 0: none */
	bool open[2];		/* the stream's last record is P: its line is open */
};

/* Walk OLD and CUR from their starts; stop after the STOP-th F record (0: never). */
static int count(int fds[2], uint64_t stop, struct census *c)
{
	struct src s[2];
	struct walk w = { .s = { &s[0], &s[1] } };
	struct mc_log_record r;
	int ret = -1;

	*c = (struct census){ 0 };
	if (src_init(&s[0], fds[0]) < 0)
		return -1;
	if (src_init(&s[1], fds[1]) < 0)
		goto out;
	while ((ret = next_record(&w, &r)) > 0) {
		c->last[r.is_stderr] = w.index;
		c->open[r.is_stderr] = r.partial;
		if (r.partial)
			continue;
		c->after_done[r.is_stderr] = w.index;
		if (++c->lines_done == stop)
			break;
	}
	c->records = w.index;
	src_free(&s[1]);
out:
	src_free(&s[0]);
	return ret < 0 ? -1 : 0;
}

/*
 * --tail N: from which record on each stream is printed.  Lines are taken
 * in the order they end (an open line ends at the end of the file); a
 * stream's kept lines are a suffix of its records, so one index each.
 */
static int tail_from(int fds[2], long tail, uint64_t from[2])
{
	struct census c, at;
	uint64_t lines, skip;
	int first;

	from[0] = from[1] = 0;
	if (tail < 0)
		return 0;
	if (count(fds, 0, &c) < 0)
		return -1;
	lines = c.lines_done + c.open[0] + c.open[1];
	if ((uint64_t)tail >= lines)
		return 0;
	skip = lines - (uint64_t)tail;
	if (skip <= c.lines_done) {
		if (count(fds, skip, &at) < 0)
			return -1;
		from[0] = at.after_done[0];
		from[1] = at.after_done[1];
		return 0;
	}
	/* Open lines are skipped too: the one that ended first goes first. */
	from[0] = c.after_done[0];
	from[1] = c.after_done[1];
	skip -= c.lines_done;
	first = c.open[0] && c.open[1] ? c.last[1] < c.last[0] : c.open[1];
	from[first] = c.records;
	if (skip > 1)
		from[!first] = c.records;
	return 0;
}

/* The reader's files: what it has open, and the name it follows. */
struct reader {
	const char *path;
	char old_path[PATH_MAX];	/* PATH.1 */
	struct src old, cur;
	struct stat cur_st;	/* which file CUR is */
	struct walk w;		/* OLD, then CUR */
	uint64_t from[2];	/* --tail: print from these records on */
	struct out out;
};

/* Print what is there now: OLD (once), then CUR from where it was left. */
static int print_src(struct reader *rd)
{
	struct mc_log_record r;
	int ret;

	while ((ret = next_record(&rd->w, &r)) > 0)
		if (rd->w.index > rd->from[r.is_stderr] &&
		    out_record(&rd->out, &r) < 0)
			return -1;
	return ret;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Open NAME for reading: an fd; -1, nothing recorded, when it is missing; -2. */
static int open_log(const char *name, struct stat *st)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0 || fstat(fd, st) < 0) {
		mc_error(errno, "log file %s", name);
		if (fd >= 0)
			close(fd);
		return -2;
	}
	return fd;
}

/* Make FD, read from its start, the current file. */
static void switch_to(struct reader *rd, int fd, const struct stat *st)
{
	if (rd->cur.fd >= 0)
		close(rd->cur.fd);
	rd->cur.fd = fd;
	rd->cur.off = 0;
	rd->cur.start = rd->cur.len = 0;
	rd->cur.skipping = false;
	rd->cur_st = *st;
}

/*
 * PATH was renamed to PATH.1.  If PATH.1 is not the file just finished,
 * it is one rotated in between (a fast writer): all of it is unseen.
 */
static int print_between(struct reader *rd)
{
	struct stat st;
	int fd = open_log(rd->old_path, &st);

	if (fd == -2)
		return -1;
	if (fd < 0)
		return 0;
	if (same_file(&st, &rd->cur_st)) {
		close(fd);
		return 0;
	}
	switch_to(rd, fd, &st);
	return print_src(rd);
}

/* Is PATH still the file CUR reads (or, with none open, still missing)? 1, 0, -1. */
static int unchanged(const struct reader *rd)
{
	struct stat st;
	bool gone = stat(rd->path, &st) < 0;

	if (gone && errno != ENOENT)
		return mc_error(errno, "log file %s", rd->path);
	if (rd->cur.fd < 0)
		return gone;
	return !gone && same_file(&st, &rd->cur_st);
}

/*
 * Print what is there; on a rotation finish the old file to its end, then
 * go on with the new PATH from its start.
 */
static int drain(struct reader *rd)
{
	struct stat st;
	int fd, same;

	for (;;) {
		if (print_src(rd) < 0)
			return -1;
		same = unchanged(rd);
		if (same)
			return same < 0 ? -1 : 0;
		/* Renamed away: what was appended before the rename is in CUR. */
		if (print_src(rd) < 0)
			return -1;
		if (rd->cur.fd >= 0 && print_between(rd) < 0)
			return -1;
		fd = open_log(rd->path, &st);
		if (fd == -2)
			return -1;
		if (fd == -1)
			return 0;	/* not created anew yet */
		switch_to(rd, fd, &st);
	}
}

/* Until a change in the directory, or WAIT_MS: the fallback if inotify is not there. */
static void wait_change(int ifd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { .fd = ifd, .events = POLLIN };

	if (poll(&p, ifd >= 0, WAIT_MS) <= 0 || !(p.revents & POLLIN))
		return;
	while (read(ifd, buf, sizeof(buf)) > 0)
		;
}

static int watch_dir(const char *path)
{
	char dir[PATH_MAX];
	int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	snprintf(dir, sizeof(dir), "%s", path);
	if (ifd >= 0 && inotify_add_watch(ifd, dirname(dir),
					  IN_MODIFY | IN_MOVED_TO | IN_CREATE) < 0) {
		close(ifd);
		ifd = -1;
	}
	return ifd;
}

/* -f: running() is asked before the last look, so nothing written is missed. */
static int follow(struct reader *rd, const struct mc_log_read *o)
{
	_cleanup_close_ int ifd = watch_dir(rd->path);
	bool alive;

	for (;;) {
		alive = o->running && o->running(o->data);
		if (drain(rd) < 0 || out_flush(&rd->out) < 0)
			return -1;
		if (!alive)
			return 0;
		wait_change(ifd);
	}
}

/* PATH, then PATH.1, so a rotation in between shows as the same file twice. */
static int open_both(struct reader *rd, int fds[2])
{
	struct stat st;

	fds[1] = open_log(rd->path, &rd->cur_st);
	if (fds[1] == -2)
		return -1;
	fds[0] = open_log(rd->old_path, &st);
	if (fds[0] == -2) {
		if (fds[1] >= 0)
			close(fds[1]);
		return -1;
	}
	if (fds[0] >= 0 && fds[1] >= 0 && same_file(&st, &rd->cur_st)) {
		close(fds[0]);
		fds[0] = -1;
	}
	return 0;
}

static int print_log(struct reader *rd, const struct mc_log_read *o, int fds[2])
{
	if (tail_from(fds, o->tail, rd->from) < 0 ||
	    src_init(&rd->old, fds[0]) < 0 || src_init(&rd->cur, fds[1]) < 0)
		return -1;
	rd->w = (struct walk){ .s = { &rd->old, &rd->cur } };
	if (o->follow)
		return follow(rd, o);
	if (drain(rd) < 0)
		return -1;
	return out_flush(&rd->out);
}

int mc_log_print(const char *path, const struct mc_log_read *o)
{
	struct reader rd = { .path = path, .out = { .o = o } };
	int fds[2], ret;

	if ((size_t)snprintf(rd.old_path, sizeof(rd.old_path), "%s.1", path) >=
	    sizeof(rd.old_path))
		return mc_error(ENAMETOOLONG, "log file %s", path);
	if (open_both(&rd, fds) < 0)
		return -1;
	rd.old.fd = rd.cur.fd = -1;
	ret = print_log(&rd, o, fds);
	/* The fds now belong to the sources, or to FDS if those were never set up. */
	if (rd.old.buf)
		fds[0] = rd.old.fd;
	if (rd.cur.buf)
		fds[1] = rd.cur.fd;
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	src_free(&rd.old);
	src_free(&rd.cur);
	mc_buf_free(&rd.out.b);
	return ret;
}
