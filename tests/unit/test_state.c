// SPDX-License-Identifier: MIT
/* state.c: IDs, the state directory and its lock, status, list, the state JSON. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "json.h"
#include "state.h"

/* Each test gets an empty temporary directory; the state root is below it. */
struct fixture {
	char tmp[64];
	char root[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->tmp, "/tmp/mcstatic-state-XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	/* Parents missing on purpose: create makes them. */
	snprintf(f->root, sizeof(f->root), "%s/run/root", f->tmp);
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

	nftw(f->tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static mode_t mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	return sb.st_mode;
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void test_check_id(void **state)
{
	char id[1026];

	(void)state;
	assert_int_equal(mc_state_check_id("a"), 0);
	assert_int_equal(mc_state_check_id("Web_1.2-3+x,y"), 0);
	assert_int_equal(mc_state_check_id(".a"), 0);
	assert_int_equal(mc_state_check_id("a..b"), 0);
	memset(id, 'x', 255);
	id[255] = '\0';
	assert_int_equal(mc_state_check_id(id), 0);

	assert_int_equal(mc_state_check_id(""), -1);
	assert_string_equal(mc_error_text(), "container ID is empty");
	assert_int_equal(mc_state_check_id("/"), -1);
	assert_string_equal(mc_error_text(), "invalid container ID '/': only "
			    "letters, digits and _ + , - . are allowed");
	assert_int_equal(mc_state_check_id("a/b"), -1);
	assert_int_equal(mc_state_check_id("../x"), -1);
	assert_int_equal(mc_state_check_id(".."), -1);
	assert_string_equal(mc_error_text(), "invalid container ID '..': not a name");
	assert_int_equal(mc_state_check_id("."), -1);
	assert_int_equal(mc_state_check_id("a b"), -1);
	assert_int_equal(mc_state_check_id("a:b"), -1);
	assert_int_equal(mc_state_check_id("caf\xc3\xa9"), -1);
	assert_int_equal(mc_state_check_id("a\nb"), -1);
	assert_string_equal(mc_error_text(), "invalid container ID 'a?b': only "
			    "letters, digits and _ + , - . are allowed");
	memset(id, 'x', 256);
	id[256] = '\0';
	assert_int_equal(mc_state_check_id(id), -1);
	assert_string_equal(mc_error_text(), "invalid container ID "
			    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': longer than 255 bytes");
	memset(id, 'x', 1025);
	id[1025] = '\0';
	assert_int_equal(mc_state_check_id(id), -1);
}

static void test_root(void **state)
{
	char buf[PATH_MAX], cwd[PATH_MAX], want[PATH_MAX + 8];
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(mc_state_root("/x/y/", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/x/y");
	assert_int_equal(mc_state_root("rel", buf, sizeof(buf)), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/rel", cwd);
	assert_string_equal(buf, want);
	assert_int_equal(mc_state_root("", buf, sizeof(buf)), -1);
	assert_int_equal(mc_state_root("/x", buf, 2), -1);
	assert_int_equal(geteuid(), 0);		/* the tests run as root */
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	assert_int_equal(mc_state_root(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, MC_STATE_ROOT_DEFAULT);

	/* Not root: XDG_RUNTIME_DIR, unless empty (as podman passes it). */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresuid(65534, 65534, 65534) < 0 ||
		    mc_state_root(NULL, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, "/run/user/1000/mcstatic"))
			_exit(1);
		setenv("XDG_RUNTIME_DIR", "", 1);
		if (mc_state_root(NULL, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, MC_STATE_ROOT_DEFAULT))
			_exit(2);
		unsetenv("XDG_RUNTIME_DIR");
		if (mc_state_root(NULL, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, MC_STATE_ROOT_DEFAULT))
			_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	unsetenv("XDG_RUNTIME_DIR");
}

static void fill(struct mc_state *st)
{
	static const char ann[] = "{\"b\": \"<x&>\", \"a\": \"2\\n\"}";

	st->pid = 4242;
	st->start_time = 123456789012ULL;
	st->status = MC_STATUS_CREATED;
	strcpy(st->oci_version, "1.0.2-dev");
	strcpy(st->bundle, "/b/bun \"dle\"");
	strcpy(st->rootfs, "/b/bundle/rootfs");
	strcpy(st->cgroup, "/mcstatic/c1");
	st->cgroup_made = true;
	st->ns_flags = 0x7e020000;
	assert_int_equal(mc_state_set_annotations(st, ann, sizeof(ann) - 1), 0);
}

static void assert_same(const struct mc_state *a, const struct mc_state *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->dir, b->dir);
	assert_int_equal(a->pid, b->pid);
	assert_true(a->start_time == b->start_time);
	assert_int_equal(a->status, b->status);
	assert_string_equal(a->oci_version, b->oci_version);
	assert_string_equal(a->bundle, b->bundle);
	assert_string_equal(a->rootfs, b->rootfs);
	assert_string_equal(a->created, b->created);
	assert_string_equal(a->cgroup, b->cgroup);
	assert_int_equal(a->cgroup_made, b->cgroup_made);
	assert_string_equal(a->owner, b->owner);
	assert_int_equal(a->ns_flags, b->ns_flags);
	assert_string_equal(a->annotations, b->annotations);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct mc_state st, got;
	char path[PATH_MAX + 32];

	umask(022);
	assert_int_equal(mc_state_create(f->root, "c1", &st), 0);
	assert_true(st.lock_fd >= 0);
	assert_int_equal(st.status, MC_STATUS_CREATING);
	assert_string_equal(st.oci_version, MC_STATE_OCI_VERSION);
	assert_int_equal(st.created[10], 'T');
	assert_int_equal(st.created[strlen(st.created) - 1], 'Z');
	snprintf(path, sizeof(path), "%s/c1", f->root);
	assert_string_equal(st.dir, path);
	assert_int_equal(mode_of(f->root) & 07777, 0700);
	assert_int_equal(mode_of(st.dir) & 07777, 0711);
	fill(&st);
	assert_int_equal(mc_state_save(&st), 0);
	assert_int_equal(mode_of(strcat(path, "/state.json")) & 07777, 0600);
	assert_false(exists(st.dir, "state.json.tmp"));
	mc_state_unlock(&st);
	assert_int_equal(st.lock_fd, -1);

	assert_int_equal(mc_state_load(f->root, "c1", &got, true), 0);
	assert_true(got.lock_fd >= 0);
	assert_same(&st, &got);
	mc_state_free(&got);
	assert_int_equal(got.lock_fd, -1);
	assert_int_equal(mc_state_load(f->root, "c1", &got, false), 0);
	assert_int_equal(got.lock_fd, -1);
	assert_same(&st, &got);
	mc_state_free(&got);

	/* A second save replaces the first. */
	st.status = MC_STATUS_RUNNING;
	assert_int_equal(mc_state_save(&st), 0);
	assert_int_equal(mc_state_load(f->root, "c1", &got, false), 0);
	assert_int_equal(got.status, MC_STATUS_RUNNING);
	mc_state_free(&got);
	mc_state_free(&st);
}

static char *slurp(const char *path)
{
	char *buf = calloc(1, 65536);
	int fd = open(path, O_RDONLY);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, 65535) > 0);
	close(fd);
	return buf;
}

static void test_duplicate(void **state)
{
	struct fixture *f = *state;
	struct mc_state st, again, got;
	char path[PATH_MAX + 32];
	char *before, *after;

	assert_int_equal(mc_state_create(f->root, "dup", &st), 0);
	fill(&st);
	assert_int_equal(mc_state_save(&st), 0);
	snprintf(path, sizeof(path), "%s/state.json", st.dir);
	before = slurp(path);

	/* Even while the first holds its lock: no waiting, a clear no. */
	assert_int_equal(mc_state_create(f->root, "dup", &again), -1);
	assert_string_equal(mc_error_text(), "container 'dup' already exists");
	assert_int_equal(again.lock_fd, -1);
	mc_state_unlock(&st);
	assert_int_equal(mc_state_create(f->root, "dup", &again), -1);
	assert_string_equal(mc_error_text(), "container 'dup' already exists");

	after = slurp(path);
	assert_string_equal(before, after);
	assert_int_equal(mc_state_load(f->root, "dup", &got, true), 0);
	assert_same(&st, &got);
	mc_state_free(&got);
	mc_state_free(&st);
	free(before);
	free(after);
}

static void test_missing(void **state)
{
	struct fixture *f = *state;
	struct mc_state st;
	char path[PATH_MAX];

	/* No root at all, then a root without it, then a file of that name. */
	assert_int_equal(mc_state_load(f->root, "nope", &st, true), -1);
	assert_string_equal(mc_error_text(), "container 'nope' does not exist");
	assert_int_equal(mc_state_create(f->root, "other", &st), 0);
	mc_state_free(&st);
	assert_int_equal(mc_state_load(f->root, "nope", &st, false), -1);
	assert_string_equal(mc_error_text(), "container 'nope' does not exist");
	snprintf(path, sizeof(path), "%s/file", f->root);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(mc_state_load(f->root, "file", &st, true), -1);
	assert_string_equal(mc_error_text(), "container 'file' does not exist");
	assert_int_equal(mc_state_load(f->root, "file", &st, false), -1);
	assert_string_equal(mc_error_text(), "container 'file' does not exist");
	/* The ID is checked before any path is made of it. */
	assert_int_equal(mc_state_load(f->root, "../run", &st, false), -1);
	assert_string_equal(mc_error_text(), "invalid container ID '../run': only "
			    "letters, digits and _ + , - . are allowed");
}

static void test_unsaved_is_creating(void **state)
{
	struct fixture *f = *state;
	struct mc_state st, got;

	assert_int_equal(mc_state_create(f->root, "new", &st), 0);
	assert_int_equal(mc_state_load(f->root, "new", &got, false), 0);
	assert_int_equal(got.status, MC_STATUS_CREATING);
	assert_int_equal(got.pid, 0);
	assert_int_equal(mc_state_status(&got), MC_STATUS_CREATING);
	mc_state_free(&got);
	mc_state_free(&st);
}

static void test_corrupt(void **state)
{
	struct fixture *f = *state;
	struct mc_state st;
	char path[PATH_MAX + 32];
	int fd;

	assert_int_equal(mc_state_create(f->root, "bad", &st), 0);
	snprintf(path, sizeof(path), "%s/state.json", st.dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_int_equal(write(fd, "{\"pid\": \"12\"}", 13), 13);
	close(fd);
	mc_state_free(&st);
	assert_int_equal(mc_state_load(f->root, "bad", &st, true), -1);
	assert_non_null(strstr(mc_error_text(), "/bad/state.json: pid: expected an integer"));
	assert_int_equal(st.lock_fd, -1);	/* released on failure */
}

static void test_annotations_checked(void **state)
{
	struct mc_state st = { .lock_fd = -1 };

	(void)state;
	assert_int_equal(mc_state_set_annotations(&st, "[]", 2), -1);
	assert_string_equal(mc_error_text(), "annotations: expected an object of strings");
	assert_int_equal(mc_state_set_annotations(&st, "{\"a\": 1}", 8), -1);
	assert_int_equal(mc_state_set_annotations(&st, "{\"a\": \"\\u0000\"}", 15), -1);
	assert_int_equal(mc_state_set_annotations(&st, "{\"a\"", 4), -1);
	assert_null(st.annotations);
	assert_int_equal(mc_state_set_annotations(&st, "{}", 2), 0);
	assert_string_equal(st.annotations, "{}");
	mc_state_free(&st);
}

static void own_process(struct mc_state *st, const char *dir)
{
	*st = (struct mc_state){ .lock_fd = -1, .pid = getpid(),
				 .status = MC_STATUS_CREATED };
	strcpy(st->dir, dir);
	assert_int_equal(mc_proc_start_time(st->pid, &st->start_time), 0);
}

static void test_status_live(void **state)
{
	struct fixture *f = *state;
	struct mc_state st;
	char fifo[PATH_MAX + 32];

	own_process(&st, f->tmp);
	assert_true(st.start_time > 0);
	assert_int_equal(mc_proc_state(getpid()), 'R');
	assert_int_equal(mc_state_status(&st), MC_STATUS_RUNNING);

	umask(077);	/* the fifo's mode does not depend on it */
	assert_int_equal(mc_state_make_fifo(&st), 0);
	umask(022);
	mc_state_fifo_path(&st, fifo, sizeof(fifo));
	assert_true(S_ISFIFO(mode_of(fifo)));
	assert_int_equal(mode_of(fifo) & 07777, 0622);
	assert_int_equal(mc_state_status(&st), MC_STATUS_CREATED);
	assert_int_equal(mc_state_make_fifo(&st), -1);	/* exists */
	st.status = MC_STATUS_PAUSED;
	assert_int_equal(mc_state_status(&st), MC_STATUS_PAUSED);
	unlink(fifo);
	st.status = MC_STATUS_RUNNING;
	assert_int_equal(mc_state_status(&st), MC_STATUS_RUNNING);

	/* A recycled pid: the same number, another process. */
	st.start_time++;
	assert_int_equal(mc_state_status(&st), MC_STATUS_STOPPED);
	st.start_time--;
	st.status = MC_STATUS_STOPPED;
	assert_int_equal(mc_state_status(&st), MC_STATUS_STOPPED);
	st.status = MC_STATUS_CREATED;
	st.pid = 0;
	assert_int_equal(mc_state_status(&st), MC_STATUS_CREATING);
}

static void test_status_dead(void **state)
{
	struct fixture *f = *state;
	struct mc_state st;
	siginfo_t si;
	int go[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	own_process(&st, f->tmp);
	st.pid = pid;
	assert_int_equal(mc_proc_start_time(pid, &st.start_time), 0);
	assert_int_equal(mc_state_status(&st), MC_STATUS_RUNNING);

	/* Dead but not reaped: a zombie is stopped. */
	close(go[1]);
	assert_int_equal(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(mc_proc_state(pid), 'Z');
	assert_int_equal(mc_state_status(&st), MC_STATUS_STOPPED);

	/* Reaped: gone. */
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(mc_proc_state(pid), 0);
	assert_int_equal(mc_proc_start_time(pid, &st.start_time), -1);
	assert_int_equal(mc_state_status(&st), MC_STATUS_STOPPED);
}

/*
 * The locking rule: a waiter handed the lock of a directory that was removed
 * meanwhile sees "does not exist"; one that was removed and made anew is
 * waited for again, and the waiter ends up holding the new one's lock.
 */
static pid_t waiter(const char *root, int ready, bool expect_new, int held)
{
	struct mc_state got;
	struct stat locked, now;
	pid_t pid = fork();
	int r;

	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	/* Our copy of the parent's locked fd would hold its lock for it. */
	close(held);
	(void)!write(ready, "x", 1);
	r = mc_state_load(root, "w", &got, true);
	if (!expect_new)
		_exit(r == -1 && !strcmp(mc_error_text(), "container 'w' does not exist") ? 0 : 1);
	if (r < 0 || strcmp(got.bundle, "/second"))
		_exit(2);
	if (fstat(got.lock_fd, &locked) < 0 || stat(got.dir, &now) < 0 ||
	    locked.st_ino != now.st_ino)
		_exit(3);
	_exit(0);
}

static void wait_blocked(pid_t pid, int ready)
{
	char path[64], line[512];
	char c;
	int fd;

	/* Wait until the waiter sleeps in flock (state 'S' after saying so). */
	assert_int_equal(read(ready, &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	for (int i = 0; i < 500; i++) {
		fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);

		if (fd >= 0)
			close(fd);
		line[n > 0 ? n : 0] = '\0';
		if (mc_proc_state(pid) == 'S' && strstr(line, "lock"))
			return;
		usleep(2000);
	}
	/* wchan may be hidden; a generous pause then does the same. */
	usleep(200000);
}

static void test_lock_removed_while_waiting(void **state)
{
	struct fixture *f = *state;
	struct mc_state st, st2;
	int ready[2], status;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(mc_state_create(f->root, "w", &st), 0);
	assert_int_equal(mc_state_save(&st), 0);
	pid = waiter(f->root, ready[1], false, st.lock_fd);
	wait_blocked(pid, ready[0]);
	assert_int_equal(mc_state_remove(&st), 0);
	mc_state_free(&st);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);

	/* Removed and made again while the waiter waits. */
	assert_int_equal(mc_state_create(f->root, "w", &st), 0);
	assert_int_equal(mc_state_save(&st), 0);
	pid = waiter(f->root, ready[1], true, st.lock_fd);
	wait_blocked(pid, ready[0]);
	assert_int_equal(mc_state_remove(&st), 0);
	assert_int_equal(mc_state_create(f->root, "w", &st2), 0);
	strcpy(st2.bundle, "/second");
	assert_int_equal(mc_state_save(&st2), 0);
	mc_state_free(&st);	/* the waiter wakes on the old one, and waits on */
	usleep(50000);
	mc_state_free(&st2);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	close(ready[0]);
	close(ready[1]);
}

static void test_list(void **state)
{
	struct fixture *f = *state;
	static const char *const made[] = { "b", "a", "c.1", "B" };
	char path[PATH_MAX];
	struct mc_state st;
	char **ids;
	size_t n;

	assert_int_equal(mc_state_list(f->root, &ids, &n), 0);	/* no root */
	assert_int_equal(n, 0);
	assert_null(ids);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(mc_state_create(f->root, made[i], &st), 0);
		mc_state_free(&st);
	}
	/* Not containers: a file, a directory whose name is no ID. */
	snprintf(path, sizeof(path), "%s/file", f->root);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/not an id", f->root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(mc_state_list(f->root, &ids, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(ids[0], "B");
	assert_string_equal(ids[1], "a");
	assert_string_equal(ids[2], "b");
	assert_string_equal(ids[3], "c.1");
	mc_state_list_free(ids, n);
}

static void test_remove(void **state)
{
	struct fixture *f = *state;
	struct mc_state st;
	char path[PATH_MAX + 32];
	char **ids;
	size_t n;

	assert_int_equal(mc_state_create(f->root, "gone", &st), 0);
	fill(&st);
	assert_int_equal(mc_state_save(&st), 0);
	assert_int_equal(mc_state_make_fifo(&st), 0);
	snprintf(path, sizeof(path), "%s/exec", st.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	strcat(path, "/x");
	close(open(path, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(mc_state_remove(&st), 0);
	assert_int_equal(access(st.dir, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(mc_state_remove(&st), 0);	/* already gone: fine */
	mc_state_free(&st);
	assert_int_equal(mc_state_list(f->root, &ids, &n), 0);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(rmdir(f->root), 0);	/* nothing else was left */
	assert_int_equal(mc_state_load(f->root, "gone", &st, false), -1);
	assert_string_equal(mc_error_text(), "container 'gone' does not exist");
}

static char *get_str(const struct mc_json *j, const char *key)
{
	return mc_json_strdup(j, mc_json_get(j, 0, key));
}

static void assert_key(const struct mc_json *j, const char *key, const char *want)
{
	char *s = get_str(j, key);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_json(void **state)
{
	struct mc_state st = { .lock_fd = -1 };
	struct mc_buf b = { 0 };
	struct mc_json j;
	int64_t pid;
	int a;

	(void)state;
	strcpy(st.id, "c1");
	strcpy(st.created, "2026-12-02T00:41:02.123456789Z");
	fill(&st);
	assert_int_equal(mc_state_json(&st, MC_STATUS_RUNNING, &b), 0);
	assert_string_equal(b.data,
		"{\n"
		"  \"ociVersion\": \"1.0.2-dev\",\n"
		"  \"id\": \"c1\",\n"
		"  \"pid\": 4242,\n"
		"  \"status\": \"running\",\n"
		"  \"bundle\": \"/b/bun \\\"dle\\\"\",\n"
		"  \"rootfs\": \"/b/bundle/rootfs\",\n"
		"  \"created\": \"2026-12-02T00:41:02.123456789Z\",\n"
		"  \"annotations\": {\n"
		"    \"a\": \"2\\n\",\n"
		"    \"b\": \"<x&>\"\n"
		"  },\n"
		"  \"owner\": \"\"\n"
		"}");
	assert_int_equal(mc_json_parse(&j, b.data, b.len), 0);
	assert_key(&j, "id", "c1");
	assert_key(&j, "status", "running");
	assert_key(&j, "bundle", "/b/bun \"dle\"");
	assert_key(&j, "owner", "");
	a = mc_json_get(&j, 0, "annotations");
	assert_true(mc_json_eq(&j, mc_json_get(&j, a, "b"), "<x&>"));
	mc_json_free(&j);
	mc_buf_free(&b);

	/* Stopped: pid 0, as runc; no annotations: no key (Go's omitempty). */
	mc_state_free(&st);
	assert_int_equal(mc_state_set_annotations(&st, "{ }", 3), 0);
	assert_int_equal(mc_state_json(&st, MC_STATUS_STOPPED, &b), 0);
	assert_int_equal(mc_json_parse(&j, b.data, b.len), 0);
	assert_int_equal(mc_json_int(&j, mc_json_get(&j, 0, "pid"), "pid", &pid), 0);
	assert_int_equal(pid, 0);
	assert_key(&j, "status", "stopped");
	assert_int_equal(mc_json_get(&j, 0, "annotations"), -1);
	assert_key(&j, "created", "2026-12-02T00:41:02.123456789Z");
	mc_json_free(&j);
	mc_buf_free(&b);
	mc_state_free(&st);
}

static void test_stat_line(void **state)
{
	/* A command name with spaces and parentheses, as a process may set. */
	static const char line[] =
		"4711 (a) b (c)) Z 1 4711 4711 0 -1 4194560 105 0 0 0 0 0 0 0 "
		"20 0 1 0 98765432109 2539520 224 18446744073709551615 1 1 0 0 "
		"0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
	uint64_t start;
	char s;

	(void)state;
	assert_int_equal(mc_parse_stat_line(line, &s, &start), 0);
	assert_int_equal(s, 'Z');
	assert_true(start == 98765432109ULL);
	assert_int_equal(mc_parse_stat_line("1 (x) S 1 2 3", &s, &start), -1);
	assert_string_equal(mc_error_text(), "malformed /proc stat line");
	assert_int_equal(mc_parse_stat_line("1 (x S 1", &s, &start), -1);
	assert_int_equal(mc_parse_stat_line("1 (x)", &s, &start), -1);
	assert_int_equal(mc_parse_stat_line(
		"1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12x 1", &s, &start), -1);
}

static void test_time(void **state)
{
	struct timespec ts = { .tv_sec = 1764636062, .tv_nsec = 123456789 };
	char buf[40];

	(void)state;
	assert_int_equal(mc_time_format(buf, sizeof(buf), &ts, true), 0);
	assert_string_equal(buf, "2025-12-02T00:41:02.123456789Z");
	assert_int_equal(mc_time_format(buf, sizeof(buf), &ts, false), 0);
	assert_string_equal(buf, "2025-12-02T00:41:02Z");
	ts.tv_nsec = 120000000;		/* Go's RFC3339Nano drops trailing zeros */
	assert_int_equal(mc_time_format(buf, sizeof(buf), &ts, true), 0);
	assert_string_equal(buf, "2025-12-02T00:41:02.12Z");
	ts.tv_nsec = 0;
	assert_int_equal(mc_time_format(buf, sizeof(buf), &ts, true), 0);
	assert_string_equal(buf, "2025-12-02T00:41:02Z");
	ts.tv_nsec = 5;
	assert_int_equal(mc_time_format(buf, sizeof(buf), &ts, true), 0);
	assert_string_equal(buf, "2025-12-02T00:41:02.000000005Z");
	assert_int_equal(mc_time_format(buf, 20, &ts, false), -1);
	assert_int_equal(mc_time_rfc3339(buf, sizeof(buf), true), 0);
	assert_int_equal(buf[strlen(buf) - 1], 'Z');
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_id),
		cmocka_unit_test(test_root),
		T(test_round_trip),
		T(test_duplicate),
		T(test_missing),
		T(test_unsaved_is_creating),
		T(test_corrupt),
		cmocka_unit_test(test_annotations_checked),
		T(test_status_live),
		T(test_status_dead),
		T(test_lock_removed_while_waiting),
		T(test_list),
		T(test_remove),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_stat_line),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
