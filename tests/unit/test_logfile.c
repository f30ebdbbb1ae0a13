// SPDX-License-Identifier: MIT
/* logfile.c, logfile-read.c: the CRI log format, the writer's rotation, the `logs` reader. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "json.h"
#include "logfile.h"
#include "proc.h"

#define TS1 "2026-12-02T07:10:00.123456789Z"
#define TS2 "2026-12-02T07:10:01.000000000Z"

struct fixture {
	char dir[64];
	char log[128], old[128], out[128], err[128], flag[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/mcstatic-log-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/container.log", f->dir);
	snprintf(f->old, sizeof(f->old), "%s/container.log.1", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
	snprintf(f->err, sizeof(f->err), "%s/err", f->dir);
	snprintf(f->flag, sizeof(f->flag), "%s/done", f->dir);
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* The records of one chunk, as text (NUL-free in these tests). */
static char *fmt(const char *stream, const char *data, size_t len)
{
	static char text[4096];
	struct mc_buf b = { 0 };

	mc_log_format(&b, TS1, stream, data, len);
	assert_false(b.failed);
	assert_true(b.len < sizeof(text));
	memcpy(text, b.data ? b.data : "", b.len);
	text[b.len] = '\0';
	mc_buf_free(&b);
	return text;
}

static void test_format(void **state)
{
	struct mc_buf b = { 0 };

	(void)state;
	assert_string_equal(fmt("stdout", "abc", 3), TS1 " stdout P abc\n");
	assert_string_equal(fmt("stdout", "abc\ndef", 7),
			    TS1 " stdout F abc\n" TS1 " stdout P def\n");
	assert_string_equal(fmt("stderr", "", 0), "");
	assert_string_equal(fmt("stderr", "\n", 1), TS1 " stderr F \n");
	assert_string_equal(fmt("stdout", "a\n\nb\nc\n", 7),
			    TS1 " stdout F a\n" TS1 " stdout F \n"
			    TS1 " stdout F b\n" TS1 " stdout F c\n");
	/* Raw bytes: a NUL is content like any other. */
	mc_log_format(&b, TS1, "stdout", "a\0b\n", 4);
	assert_int_equal(b.len, sizeof(TS1 " stdout F a\0b\n") - 1);
	assert_memory_equal(b.data, TS1 " stdout F a\0b\n", b.len);
	mc_buf_free(&b);
}

static void test_time_fixed(void **state)
{
	struct timespec ts = { .tv_sec = 1796195400, .tv_nsec = 120000000 };
	char buf[MC_TIME_FIXED_LEN + 1];

	(void)state;
	assert_int_equal(mc_time_format_fixed(buf, sizeof(buf), &ts), 0);
	assert_string_equal(buf, "2026-12-02T07:10:00.120000000Z");
	ts.tv_nsec = 0;
	assert_int_equal(mc_time_format_fixed(buf, sizeof(buf), &ts), 0);
	assert_string_equal(buf, "2026-12-02T07:10:00.000000000Z");
	assert_int_equal(mc_time_rfc3339_fixed(buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), MC_TIME_FIXED_LEN);
	assert_int_equal(buf[19], '.');
}

static int parse(const char *line, struct mc_log_record *r)
{
	return mc_log_parse(line, strlen(line), r);
}

static void test_parse(void **state)
{
	struct mc_log_record r;

	(void)state;
	assert_int_equal(parse(TS1 " stdout F hello world", &r), 0);
	assert_int_equal(r.ts_len, strlen(TS1));
	assert_memory_equal(r.ts, TS1, r.ts_len);
	assert_false(r.is_stderr);
	assert_false(r.partial);
	assert_int_equal(r.content_len, 11);
	assert_memory_equal(r.content, "hello world", 11);
	assert_int_equal(parse(TS1 " stderr P  x ", &r), 0);
	assert_true(r.is_stderr);
	assert_true(r.partial);
	assert_int_equal(r.content_len, 3);
	assert_memory_equal(r.content, " x ", 3);
	assert_int_equal(parse(TS1 " stdout F ", &r), 0);
	assert_int_equal(r.content_len, 0);
	assert_int_equal(parse(TS1 " stdout F", &r), 0);
	assert_int_equal(r.content_len, 0);

	assert_int_equal(parse("", &r), -1);
	assert_int_equal(parse("nospacesatall", &r), -1);
	assert_int_equal(parse(" stdout F x", &r), -1);
	assert_int_equal(parse(TS1 " stdin F x", &r), -1);
	assert_int_equal(parse(TS1 " stdoutF x", &r), -1);
	assert_int_equal(parse(TS1 " Stdout F x", &r), -1);
	assert_int_equal(parse(TS1 " stdout X x", &r), -1);
	assert_int_equal(parse(TS1 " stdout Fx", &r), -1);
	assert_int_equal(parse(TS1 " stdout", &r), -1);
	assert_int_equal(parse(TS1 " stdout F a\nb", &r), -1);
}

static char *slurp(const char *path, size_t *len)
{
	static char data[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*len = 0;
	if (fd < 0)
		return strcpy(data, "");
	while ((n = read(fd, data + *len, sizeof(data) - 1 - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	data[*len] = '\0';
	return data;
}

static uint64_t size_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return (uint64_t)sb.st_size;
}

/* PATH's records appended to ACC as "o:content|" (e: stderr; P: '+' for '|'). */
static void records_of(const char *path, char *acc, size_t size)
{
	size_t len, used = strlen(acc);
	char *p = slurp(path, &len), *end = p + len, *nl;
	struct mc_log_record r;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		assert_int_equal(mc_log_parse(p, (size_t)(nl - p), &r), 0);
		used += (size_t)snprintf(acc + used, size - used, "%c:%.*s%c",
					 r.is_stderr ? 'e' : 'o', (int)r.content_len,
					 r.content, r.partial ? '+' : '|');
		assert_true(used < size);
	}
}

static void test_write_rotate(void **state)
{
	struct fixture *f = *state;
	struct mc_log log;
	char want[8192] = "", got[8192] = "", line[64], big[300];
	size_t n;

	assert_int_equal(mc_log_open(&log, f->log, 200), 0);
	assert_int_equal(size_of(f->log), 0);
	for (int i = 0; i < 40; i++) {
		const char *stream = i % 3 ? "stdout" : "stderr";

		n = (size_t)snprintf(line, sizeof(line), "line %d\n", i);
		assert_int_equal(mc_log_write(&log, stream, line, n), 0);
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 "%c:line %d|", i % 3 ? 'o' : 'e', i);
		assert_true(size_of(f->log) <= 200);
		assert_int_equal(size_of(f->log), log.size);
	}
	/* Rotated, and what is kept is the newest, in order. */
	assert_true(size_of(f->old) <= 200);
	assert_true(size_of(f->old) > 150);
	records_of(f->old, got, sizeof(got));
	records_of(f->log, got, sizeof(got));
	assert_non_null(strstr(want, got));
	assert_string_equal(want + strlen(want) - strlen(got), got);
	assert_non_null(strstr(got, "e:line 39|"));
	assert_null(strstr(got, "e:line 0|"));

	/* A record longer than the cap alone is still written whole. */
	memset(big, 'x', sizeof(big));
	assert_int_equal(mc_log_write(&log, "stdout", big, sizeof(big)), 0);
	assert_int_equal(size_of(f->log), MC_TIME_FIXED_LEN + 10 + sizeof(big) + 1);
	/* Nothing for an empty chunk; a wrong stream is refused. */
	assert_int_equal(mc_log_write(&log, "stdout", "", 0), 0);
	assert_int_equal(size_of(f->log), log.size);
	assert_int_equal(mc_log_write(&log, "stdin", "x", 1), -1);
	assert_string_equal(mc_error_text(), "log stream stdin: Invalid argument");
	mc_log_close(&log);
	assert_int_equal(log.fd, -1);

	/* Opened again: appended to, its size known, so the cap still holds. */
	assert_int_equal(mc_log_open(&log, f->log, 200), 0);
	assert_int_equal(log.size, size_of(f->log));
	assert_int_equal(mc_log_write(&log, "stdout", "after\n", 6), 0);
	got[0] = '\0';
	records_of(f->log, got, sizeof(got));
	assert_string_equal(got, "o:after|");
	mc_log_close(&log);
}

#define REC14 (MC_TIME_FIXED_LEN + 10 + 13 + 1)

/* In a child: the file may grow 100 bytes more; a 5-record chunk cannot fit. */
static int write_past_fsize(struct mc_log *log)
{
	struct rlimit rl = { log->size + 100, log->size + 100 };
	uint64_t before = log->size;

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 2;
	if (mc_log_write(log, "stdout", "0123456789abc\n0123456789abc\n0123456789abc\n"
			 "0123456789abc\n0123456789abc\n", 70) != -1)
		return 3;
	if (strcmp(mc_error_text(), "log file container.log: write: File too large") != 0)
		return 4;
	return size_of(log->path) == before && log->size == before ? 0 : 5;
}

static void test_write_uncapped(void **state)
{
	struct fixture *f = *state;
	struct mc_log log;
	int status;
	pid_t pid;

	assert_int_equal(mc_log_open(&log, f->log, 0), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(mc_log_write(&log, "stdout", "0123456789abc\n", 14), 0);
	assert_int_equal(access(f->old, F_OK), -1);
	assert_int_equal(size_of(f->log), 100 * REC14);
	mc_log_close(&log);

	/* A write that fails half-way leaves only whole records behind. */
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(mc_log_open(&log, "container.log", 0), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(write_past_fsize(&log));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(size_of(f->log), 100 * REC14);
	mc_log_close(&log);
	assert_int_equal(chdir("/"), 0);

	assert_int_equal(mc_log_open(&log, "/nonexistent/dir/container.log", 0), -1);
	assert_string_equal(mc_error_text(), "log file /nonexistent/dir/container.log: "
			    "No such file or directory");
	assert_int_equal(log.fd, -1);
}

/* Write TEXT to PATH as it is (hand-made records, fixed timestamps). */
static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

#define O(ts, tag, text) ts " stdout " tag " " text "\n"
#define E(ts, tag, text) ts " stderr " tag " " text "\n"

/* Run the reader into the fixture's out and err files. */
static int run_print(struct fixture *f, struct mc_log_read *o)
{
	int ret;

	o->out_fd = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	o->err_fd = open(f->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(o->out_fd >= 0 && o->err_fd >= 0);
	ret = mc_log_print(f->log, o);
	close(o->out_fd);
	close(o->err_fd);
	return ret;
}

static const char *out_text(struct fixture *f)
{
	static char copy[1 << 16];
	size_t len;

	snprintf(copy, sizeof(copy), "%s", slurp(f->out, &len));
	return copy;
}

static const char *err_text(struct fixture *f)
{
	size_t len;

	return slurp(f->err, &len);
}

static void test_print_streams(void **state)
{
	struct fixture *f = *state;
	struct mc_log_read o = { .tail = -1 };

	/* Nothing logged yet: not an error, nothing printed. */
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "");
	put(f->log, O(TS1, "P", "ab") E(TS1, "F", "err one") "garbage line\n"
		    O(TS2, "P", "cd") O(TS2, "F", "ef") E(TS2, "F", "err two")
		    O(TS2, "F", "") O(TS2, "F", "last"));
	assert_int_equal(run_print(f, &o), 0);
	/* P records joined into one line; each stream in its own file. */
	assert_string_equal(out_text(f), "abcdef\n\nlast\n");
	assert_string_equal(err_text(f), "err one\nerr two\n");

	/* -t: the timestamp of a line's first record, once a line. */
	o.timestamps = true;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), TS1 " abcdef\n" TS2 " \n" TS2 " last\n");
	assert_string_equal(err_text(f), TS1 " err one\n" TS2 " err two\n");
}

static void test_print_tail(void **state)
{
	struct fixture *f = *state;
	struct mc_log_read o = { .tail = 4 };

	put(f->old, O(TS1, "F", "1") O(TS1, "F", "2") O(TS1, "F", "3")
		    E(TS1, "F", "e4") O(TS1, "P", "5"));
	put(f->log, O(TS2, "F", "-5") O(TS2, "F", "6") E(TS2, "F", "e7"));
	/* Across both files: lines 5-5, 6, e7 and, from the old file, e4. */
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "5-5\n6\n");
	assert_string_equal(err_text(f), "e4\ne7\n");
	o.tail = 5;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "3\n5-5\n6\n");
	o.tail = 2;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "6\n");
	assert_string_equal(err_text(f), "e7\n");
	o.tail = 0;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "");
	assert_string_equal(err_text(f), "");
	o.tail = 100;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "1\n2\n3\n5-5\n6\n");
	o.tail = -1;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "1\n2\n3\n5-5\n6\n");
	assert_string_equal(err_text(f), "e4\ne7\n");
}

/* Lines end in order 3, e, 5: the last line's start lies before e's. */
static void test_print_tail_interleaved(void **state)
{
	struct fixture *f = *state;
	struct mc_log_read o = { .tail = 1, .timestamps = true };

	put(f->log, O(TS1, "F", "3") O(TS1, "P", "a") E(TS1, "F", "e") O(TS2, "F", "b")
		    E(TS2, "P", "open"));
	/* The open stderr line counts, and ended last. */
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "");
	assert_string_equal(err_text(f), TS2 " open");
	o.tail = 2;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), TS1 " ab\n");
	assert_string_equal(err_text(f), TS2 " open");
	o.tail = 3;
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), TS1 " ab\n");
	assert_string_equal(err_text(f), TS1 " e\n" TS2 " open");
}

static bool flag_missing(void *data)
{
	return access(data, F_OK) < 0;
}

/* A writer in a child: N lines, a pause each, PATH capped at MAX, then the flag. */
static pid_t writer(struct fixture *f, int n, uint64_t max, int pause_us)
{
	pid_t pid = fork();
	struct mc_log log;
	char line[64];

	assert_true(pid >= 0);
	if (pid)
		return pid;
	if (mc_log_open(&log, f->log, max) < 0)
		_exit(1);
	for (int i = 0; i < n; i++) {
		int len = snprintf(line, sizeof(line), "line %03d of the writer\n", i);

		/* Split in two chunks: the reader must join a P and an F. */
		if (mc_log_write(&log, i % 2 ? "stderr" : "stdout", line, 5) < 0 ||
		    mc_log_write(&log, i % 2 ? "stderr" : "stdout", line + 5,
				 (size_t)len - 5) < 0)
			_exit(1);
		usleep((useconds_t)pause_us);
	}
	mc_log_close(&log);
	close(open(f->flag, O_WRONLY | O_CREAT, 0600));
	_exit(0);
}

static void check_follow(struct fixture *f, uint64_t max)
{
	struct mc_log_read o = { .follow = true, .tail = -1,
				 .running = flag_missing, .data = f->flag };
	char want_out[8192] = "", want_err[8192] = "";
	int status, n = 120;
	pid_t pid;

	for (int i = 0; i < n; i++) {
		char *w = i % 2 ? want_err : want_out;

		snprintf(w + strlen(w), 8192 - strlen(w), "line %03d of the writer\n", i);
	}
	alarm(60);	/* a reader that never returns fails the test */
	pid = writer(f, n, max, 3000);
	assert_int_equal(run_print(f, &o), 0);
	alarm(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_string_equal(out_text(f), want_out);
	assert_string_equal(err_text(f), want_err);
}

/* -f from before the first write to after the last. */
static void test_follow(void **state)
{
	check_follow(*state, 0);
}

/*
 * -f while the writer rotates every ~12 records: a reader that stayed on
 * the renamed file, or lost its place on the new one, misses lines.
 */
static void test_follow_rotation(void **state)
{
	struct fixture *f = *state;

	check_follow(f, 800);
	assert_int_equal(access(f->old, F_OK), 0);
}

/* -f with --tail: the last lines already there, then the new ones. */
static void test_follow_tail(void **state)
{
	struct fixture *f = *state;
	struct mc_log_read o = { .follow = true, .tail = 1,
				 .running = flag_missing, .data = f->flag };

	put(f->log, O(TS1, "F", "old") O(TS1, "F", "kept"));
	put(f->flag, "");
	assert_int_equal(run_print(f, &o), 0);
	assert_string_equal(out_text(f), "kept\n");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/*
 * One chunk of many short lines, several times the cap: each file stays
 * within it.  (The records after a rotation went into the fresh file all
 * at once, however many there were, when an empty file counted as never
 * too big.)
 */
static void test_write_rotate_batch(void **state)
{
	struct fixture *f = *state;
	struct mc_log log;
	char chunk[4096], got[16384] = "";
	size_t n = 0;

	assert_int_equal(mc_log_open(&log, f->log, 300), 0);
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(chunk + n, sizeof(chunk) - n, "l%03d\n", i);
	assert_int_equal(mc_log_write(&log, "stdout", "first\n", 6), 0);
	assert_int_equal(mc_log_write(&log, "stdout", chunk, n), 0);
	assert_true(size_of(f->old) <= 300);
	assert_true(size_of(f->log) <= 300);
	assert_int_equal(size_of(f->log), log.size);
	records_of(f->old, got, sizeof(got));
	records_of(f->log, got, sizeof(got));
	assert_non_null(strstr(got, "o:l099|"));
	mc_log_close(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_time_fixed),
		cmocka_unit_test(test_parse),
		T(test_write_rotate),
		T(test_write_rotate_batch),
		T(test_write_uncapped),
		T(test_print_streams),
		T(test_print_tail),
		T(test_print_tail_interleaved),
		T(test_follow),
		T(test_follow_rotation),
		T(test_follow_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
