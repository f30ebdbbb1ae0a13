// SPDX-License-Identifier: MIT
/* PATH search and exit-status mapping. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "process.h"

/* A fake execve: records each path tried and fails as told. */
static char tried[8][64];
static int n_tried;
static const char *exists;	/* the one path that "runs" */
static int fail_errno;		/* errno for every other path */

static int fake_exec(const char *path, char *const argv[], char *const envp[])
{
	(void)argv;
	(void)envp;
	snprintf(tried[n_tried++ % 8], sizeof(tried[0]), "%s", path);
	errno = exists && !strcmp(path, exists) ? ENOEXEC : fail_errno;
	return -1;
}

static int reset(void **state)
{
	(void)state;
	n_tried = 0;
	exists = NULL;
	fail_errno = ENOENT;
	return 0;
}

static void test_path_search_order(void **state)
{
	char *argv[] = { "ls", NULL };

	(void)state;
	exists = "/usr/bin/ls";
	/* ENOEXEC from the found file stops the search and is returned. */
	assert_int_equal(mc_exec_search("ls", argv, NULL, "/bin:/usr/bin:/sbin",
					fake_exec),
			 ENOEXEC);
	assert_int_equal(n_tried, 2);
	assert_string_equal(tried[0], "/bin/ls");
	assert_string_equal(tried[1], "/usr/bin/ls");
}

static void test_not_found(void **state)
{
	char *argv[] = { "nosuch", NULL };

	(void)state;
	assert_int_equal(mc_exec_search("nosuch", argv, NULL, "/a:/b", fake_exec),
			 ENOENT);
	assert_int_equal(n_tried, 2);
	assert_int_equal(mc_exit_for_exec_errno(ENOENT), 127);
}

static void test_eacces_wins_over_enoent(void **state)
{
	char *argv[] = { "x", NULL };

	(void)state;
	fail_errno = EACCES;
	assert_int_equal(mc_exec_search("x", argv, NULL, "/a:/b", fake_exec),
			 EACCES);
	assert_int_equal(n_tried, 2);
	assert_int_equal(mc_exit_for_exec_errno(EACCES), 126);
}

static void test_slash_means_no_search(void **state)
{
	char *argv[] = { "./x", NULL };

	(void)state;
	assert_int_equal(mc_exec_search("./x", argv, NULL, "/a", fake_exec),
			 ENOENT);
	assert_int_equal(n_tried, 1);
	assert_string_equal(tried[0], "./x");
}

static void test_default_path_and_empty_entry(void **state)
{
	char *argv[] = { "x", NULL };

	(void)state;
	mc_exec_search("x", argv, NULL, NULL, fake_exec);
	assert_string_equal(tried[0], "/usr/local/sbin/x");
	assert_string_equal(tried[5], "/bin/x");
	assert_int_equal(n_tried, 6);
	reset(NULL);
	/* "::" holds an empty entry: the current directory. */
	mc_exec_search("x", argv, NULL, "/a::/b", fake_exec);
	assert_int_equal(n_tried, 3);
	assert_string_equal(tried[1], "x");
}

/* A script whose "#!" interpreter is missing: name the interpreter, stop. */
static void test_missing_interpreter(void **state)
{
	char dir[] = "/tmp/mc-unit-XXXXXX", path[64], text[128];
	char *argv[] = { "s.sh", NULL };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sh", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#! /nope/sh -e\necho hi\n", f);
	fclose(f);
	/* fake_exec fails every path with ENOENT, as the kernel does here. */
	assert_int_equal(mc_exec_search(path, argv, NULL, NULL, fake_exec),
			 ENOENT);
	snprintf(text, sizeof(text), "execve %s: interpreter /nope/sh: %s",
		 path, strerror(ENOENT));
	assert_string_equal(mc_error_text(), text);
	/* Found through PATH: the search ends there, the name is argv[0]'s. */
	reset(NULL);
	snprintf(text, sizeof(text), "/a:%s:/b", dir);
	assert_int_equal(mc_exec_search("s.sh", argv, NULL, text, fake_exec),
			 ENOENT);
	assert_int_equal(n_tried, 2);
	snprintf(text, sizeof(text), "execve s.sh: interpreter /nope/sh: %s",
		 strerror(ENOENT));
	assert_string_equal(mc_error_text(), text);
	/* Not a script: the plain message. */
	assert_int_equal(mc_exec_search("/nonexistent", argv, NULL, NULL,
					fake_exec), ENOENT);
	snprintf(text, sizeof(text), "execve /nonexistent: %s", strerror(ENOENT));
	assert_string_equal(mc_error_text(), text);
	unlink(path);
	rmdir(dir);
}

static void test_exit_status(void **state)
{
	(void)state;
	assert_int_equal(mc_exit_status(0), 0);
	assert_int_equal(mc_exit_status(42 << 8), 42);
	assert_int_equal(mc_exit_status(SIGKILL), 137);
	assert_int_equal(mc_exit_status(SIGTERM), 143);
	assert_int_equal(mc_exit_status(SIGSEGV | 0x80), 139); /* core dumped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_path_search_order, reset),
		cmocka_unit_test_setup(test_not_found, reset),
		cmocka_unit_test_setup(test_eacces_wins_over_enoent, reset),
		cmocka_unit_test_setup(test_slash_means_no_search, reset),
		cmocka_unit_test_setup(test_default_path_and_empty_entry, reset),
		cmocka_unit_test_setup(test_missing_interpreter, reset),
		cmocka_unit_test(test_exit_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
