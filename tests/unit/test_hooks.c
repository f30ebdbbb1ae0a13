// SPDX-License-Identifier: MIT
/* Hooks: real programs (shell scripts, and this binary as a recording hook). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "hooks.h"

static char tmpdir[] = "/tmp/mc-test-hooks.XXXXXX";
static char self[PATH_MAX];	/* this binary: a hook when MC_HOOK_RECORD is set */

static int setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

/* Write an executable script NAME in the temp dir; its path in PATH. */
static void script(char *path, size_t size, const char *name, const char *body)
{
	FILE *f;

	snprintf(path, size, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static char *slurp(const char *dir, const char *name)
{
	char path[256];
	static char buf[1 << 20];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Nothing of ours left unreaped. */
static void assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_kind_names_and_fatality(void **state)
{
	static const char *const names[] = { "prestart", "createRuntime",
		"createContainer", "startContainer", "poststart", "poststop" };

	(void)state;
	for (int k = 0; k < MC_HOOK_KINDS; k++)
		assert_string_equal(mc_hook_kind_name(k), names[k]);
	assert_true(mc_hooks_fatal(MC_HOOK_PRESTART));
	assert_true(mc_hooks_fatal(MC_HOOK_CREATE_RUNTIME));
	assert_true(mc_hooks_fatal(MC_HOOK_CREATE_CONTAINER));
	assert_true(mc_hooks_fatal(MC_HOOK_START_CONTAINER));
	assert_false(mc_hooks_fatal(MC_HOOK_POSTSTART));
	assert_false(mc_hooks_fatal(MC_HOOK_POSTSTOP));
}

static void test_script_gets_state_args_env(void **state)
{
	char path[256], out[256], env_out[300];
	char *args[] = { "ignored-by-sh", "one", "two words", NULL };
	char *env[] = { "FOO=bar", env_out, NULL };
	struct mc_hook hook = { .path = path, .args = args, .env = env };
	const char *json =
		"{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\"}";
	char *got;

	(void)state;
	snprintf(out, sizeof(out), "%s/out1", tmpdir);
	assert_int_equal(mkdir(out, 0700), 0);
	snprintf(env_out, sizeof(env_out), "OUT=%s", out);
	script(path, sizeof(path), "record.sh",
	       "cat > \"$OUT/stdin\"\n"
	       "for a in \"$@\"; do echo \"[$a]\"; done > \"$OUT/args\"\n"
	       "env > \"$OUT/env\"");
	setenv("MC_TEST_NOT_INHERITED", "1", 1);
	assert_int_equal(mc_hooks_run(&hook, 1, "createRuntime", json), 0);
	assert_string_equal(slurp(out, "stdin"), json);
	assert_string_equal(slurp(out, "args"), "[one]\n[two words]\n");
	got = slurp(out, "env");
	assert_non_null(strstr(got, "FOO=bar\n"));
	assert_null(strstr(got, "MC_TEST_NOT_INHERITED"));
	assert_no_children();
}

static void test_no_env_means_empty(void **state)
{
	char path[256], body[300];
	struct mc_hook hook = { .path = path };
	char *got;

	(void)state;
	snprintf(body, sizeof(body), "env > %s/env-empty", tmpdir);
	script(path, sizeof(path), "env.sh", body);
	setenv("MC_TEST_NOT_INHERITED", "1", 1);
	assert_int_equal(mc_hooks_run(&hook, 1, "poststop", "{}"), 0);
	got = slurp(tmpdir, "env-empty");
	assert_null(strstr(got, "MC_TEST_NOT_INHERITED"));
	assert_null(strstr(got, "HOME="));
}

/* This binary as the hook: argv[0], fds, signal state, which sh hides. */
static int record_hook(char **argv)
{
	char path[PATH_MAX], line[256];
	const char *dir = getenv("MC_HOOK_RECORD");
	struct dirent *e;
	FILE *f, *st;
	DIR *d;
	int c;

	snprintf(path, sizeof(path), "%s/record", dir);
	f = fopen(path, "w");
	if (!f)
		return 1;
	for (int i = 0; argv[i]; i++)
		fprintf(f, "argv %s\n", argv[i]);
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) &&
		    atoi(e->d_name) != fileno(f))
			fprintf(f, "fd %s\n", e->d_name);
	if (d)
		closedir(d);
	st = fopen("/proc/self/status", "r");
	/* Signals from SIGRTMIN on are libc's own (glibc will not reset
	 * 32 and 33): only the classic ones are ours to reset. */
	while (st && fgets(line, sizeof(line), st))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7))
			fprintf(f, "%.7s\t%016llx\n", line,
				strtoull(line + 8, NULL, 16) & 0x7fffffffULL);
	if (st)
		fclose(st);
	fputs("stdin ", f);
	while ((c = getchar()) != EOF)
		fputc(c, f);
	fputc('\n', f);
	return fclose(f) ? 1 : 0;
}

static void test_argv0_fds_and_signals(void **state)
{
	char out[256], env_out[300], *rec;
	char *args[] = { "my-hook-name", "x", NULL };
	char *env[] = { env_out, NULL };
	struct mc_hook hook = { .path = self, .args = args, .env = env };
	sigset_t block, old;
	int stray;

	(void)state;
	snprintf(out, sizeof(out), "%s/out2", tmpdir);
	assert_int_equal(mkdir(out, 0700), 0);
	snprintf(env_out, sizeof(env_out), "MC_HOOK_RECORD=%s", out);
	/* A descriptor the caller forgot to make close-on-exec. */
	stray = open("/dev/null", O_RDONLY);
	assert_true(stray > 2);
	/* mcstatic blocks the forwarded signals while it supervises. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	assert_int_equal(mc_hooks_run(&hook, 1, "poststart", "{}"), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(stray);
	rec = slurp(out, "record");
	assert_string_equal(rec,
			    "argv my-hook-name\nargv x\n"
			    "fd 0\nfd 1\nfd 2\n"
			    "SigBlk:\t0000000000000000\n"
			    "SigIgn:\t0000000000000000\n"
			    "stdin {}\n");
	assert_no_children();
}

static void test_no_args_means_path_as_argv0(void **state)
{
	char out[256], env_out[300];
	char *env[] = { env_out, NULL };
	struct mc_hook hook = { .path = self, .env = env };

	(void)state;
	snprintf(out, sizeof(out), "%s/out3", tmpdir);
	assert_int_equal(mkdir(out, 0700), 0);
	snprintf(env_out, sizeof(env_out), "MC_HOOK_RECORD=%s", out);
	assert_int_equal(mc_hooks_run(&hook, 1, "prestart", NULL), 0);
	assert_memory_equal(slurp(out, "record"), "argv ", 5);
	assert_memory_equal(slurp(out, "record") + 5, self, strlen(self));
	assert_non_null(strstr(slurp(out, "record"), "\nstdin \n"));
}

static void test_failing_hook(void **state)
{
	char path[256], want[512];
	struct mc_hook hook = { .path = path };

	(void)state;
	script(path, sizeof(path), "fail.sh",
	       "echo 'some noise' ; echo 'cannot set up the network' >&2; exit 3");
	assert_int_equal(mc_hooks_run(&hook, 1, "prestart", "{}"), -1);
	snprintf(want, sizeof(want),
		 "prestart hook %s: exited with status 3, output: some noise "
		 "cannot set up the network", path);
	assert_string_equal(mc_error_text(), want);
	assert_no_children();
}

static void test_killed_hook(void **state)
{
	char path[256], want[512];
	struct mc_hook hook = { .path = path };

	(void)state;
	script(path, sizeof(path), "killed.sh", "kill -TERM $$");
	assert_int_equal(mc_hooks_run(&hook, 1, "poststop", "{}"), -1);
	snprintf(want, sizeof(want), "poststop hook %s: killed by signal 15",
		 path);
	assert_string_equal(mc_error_text(), want);
	assert_no_children();
}

static void test_stops_at_first_failure(void **state)
{
	char ok[256], bad[256], never[256], mark[300];
	FILE *f;
	struct mc_hook hooks[3] = {
		{ .path = ok }, { .path = bad }, { .path = never },
	};

	(void)state;
	snprintf(mark, sizeof(mark), "%s/never-ran", tmpdir);
	script(ok, sizeof(ok), "ok.sh", "exit 0");
	script(bad, sizeof(bad), "bad.sh", "exit 1");
	script(never, sizeof(never), "never.sh", "");
	/* never.sh makes the mark: it must not run. */
	f = fopen(never, "a");
	assert_non_null(f);
	fprintf(f, ": > %s\n", mark);
	fclose(f);
	assert_int_equal(mc_hooks_run(hooks, 3, "createContainer", "{}"), -1);
	assert_non_null(strstr(mc_error_text(), "bad.sh: exited with status 1"));
	assert_int_equal(access(mark, F_OK), -1);
	assert_int_equal(mc_hooks_run(hooks + 2, 1, "createContainer", "{}"), 0);
	assert_int_equal(access(mark, F_OK), 0);
}

static void test_timeout_kills(void **state)
{
	char path[256], want[512];
	struct mc_hook hook = { .path = path, .timeout = 1 };
	double start, took;

	(void)state;
	script(path, sizeof(path), "slow.sh", "exec sleep 30");
	start = now();
	assert_int_equal(mc_hooks_run(&hook, 1, "startContainer", "{}"), -1);
	took = now() - start;
	assert_true(took >= 0.9);
	assert_true(took < 2.5);
	snprintf(want, sizeof(want), "startContainer hook %s: timed out after 1 s",
		 path);
	assert_string_equal(mc_error_text(), want);
	assert_no_children();
}

static char *big_state(size_t size)
{
	char *s = malloc(size + 1);

	assert_non_null(s);
	memset(s, 'x', size);
	s[0] = '"';
	s[size - 1] = '"';
	s[size] = '\0';
	return s;
}

/* Our write of a state it never reads must not outlast the timeout. */
static void test_timeout_with_unread_state(void **state)
{
	char path[256];
	struct mc_hook hook = { .path = path, .timeout = 1 };
	char *json = big_state(256 * 1024);
	double start, took;

	(void)state;
	script(path, sizeof(path), "slow-noread.sh", "exec sleep 30");
	start = now();
	assert_int_equal(mc_hooks_run(&hook, 1, "prestart", json), -1);
	took = now() - start;
	assert_true(took < 2.5);
	assert_non_null(strstr(mc_error_text(), ": timed out after 1 s"));
	free(json);
	assert_no_children();
}

/* A hook that ends in time, under a timeout, is not disturbed. */
static void test_timeout_not_reached(void **state)
{
	char path[256];
	struct mc_hook hook = { .path = path, .timeout = 5 };
	double start;

	(void)state;
	script(path, sizeof(path), "quick.sh", "sleep 0.1");
	start = now();
	assert_int_equal(mc_hooks_run(&hook, 1, "prestart", "{}"), 0);
	assert_true(now() - start < 2);
}

static void test_large_state_not_read(void **state)
{
	char quick[256], slow[256];
	struct mc_hook hooks[] = { { .path = quick }, { .path = slow } };
	char *json = big_state(256 * 1024);
	struct sigaction sa;
	double start;

	(void)state;
	script(quick, sizeof(quick), "noread.sh", "exit 0");
	script(slow, sizeof(slow), "noread-slow.sh", "sleep 0.3");
	start = now();
	/* We are still here: no SIGPIPE killed us, no full pipe blocked us. */
	assert_int_equal(mc_hooks_run(hooks, 2, "poststart", json), 0);
	assert_true(now() - start < 2);
	/* And SIGPIPE is ours again, as it was. */
	assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, SIG_DFL);
	free(json);
	assert_no_children();
}

static void test_large_state_read(void **state)
{
	char path[256], out[256], env_out[300];
	char *env[] = { env_out, NULL };
	struct mc_hook hook = { .path = path, .env = env };
	char *json = big_state(300 * 1024);

	(void)state;
	snprintf(out, sizeof(out), "%s/out4", tmpdir);
	assert_int_equal(mkdir(out, 0700), 0);
	snprintf(env_out, sizeof(env_out), "OUT=%s", out);
	script(path, sizeof(path), "slowread.sh",
	       "sleep 0.2; cat > \"$OUT/stdin\"");
	assert_int_equal(mc_hooks_run(&hook, 1, "createRuntime", json), 0);
	assert_string_equal(slurp(out, "stdin"), json);
	free(json);
}

/* A background child holding stdout does not make us wait for it. */
static void test_background_child_does_not_hold_us(void **state)
{
	char path[256];
	struct mc_hook hook = { .path = path };
	double start;

	(void)state;
	script(path, sizeof(path), "daemon.sh", "sleep 2 & echo started");
	start = now();
	assert_int_equal(mc_hooks_run(&hook, 1, "poststart", "{}"), 0);
	assert_true(now() - start < 1.5);
}

static void test_missing_and_not_executable(void **state)
{
	char path[256], want[512];
	struct mc_hook hook = { .path = "/nonexistent/hook" };

	(void)state;
	assert_int_equal(mc_hooks_run(&hook, 1, "prestart", "{}"), -1);
	assert_string_equal(mc_error_text(),
			    "prestart hook /nonexistent/hook: No such file or directory");
	assert_no_children();
	script(path, sizeof(path), "noexec.sh", "exit 0");
	assert_int_equal(chmod(path, 0644), 0);
	hook.path = path;
	assert_int_equal(mc_hooks_run(&hook, 1, "poststop", "{}"), -1);
	snprintf(want, sizeof(want), "poststop hook %s: Permission denied", path);
	assert_string_equal(mc_error_text(), want);
	assert_no_children();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names_and_fatality),
		cmocka_unit_test(test_script_gets_state_args_env),
		cmocka_unit_test(test_no_env_means_empty),
		cmocka_unit_test(test_argv0_fds_and_signals),
		cmocka_unit_test(test_no_args_means_path_as_argv0),
		cmocka_unit_test(test_failing_hook),
		cmocka_unit_test(test_killed_hook),
		cmocka_unit_test(test_stops_at_first_failure),
		cmocka_unit_test(test_timeout_kills),
		cmocka_unit_test(test_timeout_with_unread_state),
		cmocka_unit_test(test_timeout_not_reached),
		cmocka_unit_test(test_large_state_not_read),
		cmocka_unit_test(test_large_state_read),
		cmocka_unit_test(test_background_child_does_not_hold_us),
		cmocka_unit_test(test_missing_and_not_executable),
	};

	(void)argc;
	if (getenv("MC_HOOK_RECORD"))
		return record_hook(argv);
	if (!realpath(strchr(argv[0], '/') ? argv[0] : "/proc/self/exe", self))
		return 1;
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
