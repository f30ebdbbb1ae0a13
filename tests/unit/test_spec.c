// SPDX-License-Identifier: MIT
/* struct mc_spec: mount options, errors with context, validation. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "error.h"
#include "spec.h"

static void test_mount_options(void **state)
{
	unsigned long flags = MS_NOSUID;
	char *data;

	(void)state;
	assert_int_equal(mc_mount_options("ro,size=1m,nodev,mode=1777,suid",
					  &flags, &data),
			 0);
	assert_int_equal(flags, MS_RDONLY | MS_NODEV);
	assert_string_equal(data, "size=1m,mode=1777");
	free(data);
	flags = MS_RDONLY;
	assert_int_equal(mc_mount_options("rw,,rbind", &flags, &data), 0);
	assert_int_equal(flags, MS_BIND | MS_REC);
	assert_null(data);
	assert_int_equal(mc_mount_options(NULL, &flags, &data), 0);
	assert_null(data);
}

static void test_error_context(void **state)
{
	(void)state;
	assert_int_equal(mc_error(EINVAL, "pivot_root"), -1);
	assert_int_equal(mc_error_context("rootfs %s", "./rootfs"), -1);
	assert_string_equal(mc_error_text(),
			    "rootfs ./rootfs: pivot_root: Invalid argument");
	assert_int_equal(mc_error_errno(), EINVAL);
	mc_error(0, "plain");
	assert_string_equal(mc_error_text(), "plain");
}

/* TEXT ends in "...: " and strerror(ERR): cut before the reason, not in it. */
static void assert_cut_before_reason(const char *text, int err)
{
	char tail[128];
	size_t len = strlen(text), tail_len;

	tail_len = (size_t)snprintf(tail, sizeof(tail), "...: %s", strerror(err));
	assert_true(len >= tail_len);
	assert_string_equal(text + len - tail_len, tail);
}

/* A path too long for the line is cut, never the reason after it. */
static void test_error_keeps_reason(void **state)
{
	static char path[100000];
	const char *text;

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	mc_error(ENAMETOOLONG, "rootfs %s", path);
	text = mc_error_text();
	assert_int_equal(strlen(text), MC_ERROR_MAX - 1);
	assert_memory_equal(text, "rootfs aaa", 10);
	assert_cut_before_reason(text, ENAMETOOLONG);
	/* Context in front of a short message: the context is cut. */
	mc_error(EPERM, "mount proc on /proc");
	mc_error_context("rootfs %s", path);
	text = mc_error_text();
	assert_int_equal(strlen(text), MC_ERROR_MAX - 1);
	assert_non_null(strstr(text, "...: mount proc on /proc: "));
	assert_string_equal(text + strlen(text) - strlen(strerror(EPERM)),
			    strerror(EPERM));
	/* Both long: each keeps a part, and the reason stays. */
	mc_error(EIO, "step %s", path);
	mc_error_context("ctx %s", path);
	text = mc_error_text();
	assert_memory_equal(text, "ctx aaa", 7);
	assert_non_null(strstr(text, "...: step aaa"));
	assert_cut_before_reason(text, EIO);
}

static void test_validate(void **state)
{
	char *argv[] = { "true", NULL };
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(), "no command given (see --help)");
	spec.argv = argv;
	assert_int_equal(mc_spec_validate(&spec), 0);
	assert_int_equal(spec.namespaces, 0);
	spec.rootfs = "/nonexistent-rootfs";
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(),
			    "rootfs /nonexistent-rootfs: No such file or directory");
	spec.rootfs = "/dev/null";
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(), "rootfs /dev/null: Not a directory");
	spec.rootfs = "/tmp/.";
	assert_int_equal(mc_spec_validate(&spec), 0);
	assert_true(spec.namespaces & CLONE_NEWNS);
	assert_string_equal(spec.rootfs_abs, "/tmp");
	mc_spec_free(&spec);
}

/* What the kernel would take the wrong way, or refuse too late. */
static void test_validate_refuses(void **state)
{
	char *argv[] = { "true", NULL };
	char long_name[66];
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	spec.argv = argv;
	spec.rootfs = "/tmp/..";
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(),
			    "rootfs /tmp/..: is the host's own root, not a root for a container");
	mc_spec_free(&spec);

	mc_spec_init(&spec, NULL);
	spec.argv = argv;
	spec.hostname = "";
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(),
			    "hostname '': must be 1 to 64 bytes long");
	memset(long_name, 'h', sizeof(long_name) - 1);
	long_name[65] = '\0';
	spec.hostname = long_name;
	assert_int_equal(mc_spec_validate(&spec), -1);
	long_name[64] = '\0';
	assert_int_equal(mc_spec_validate(&spec), 0);

	/* (uid_t)-1 is "unchanged" to setresuid, not a user. */
	spec.set_user = true;
	spec.uid = 4294967295U;
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(),
			    "userid: uid 4294967295 is not a valid id");
	spec.uid = 0;
	spec.gid = 4294967295U;
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(),
			    "userid: gid 4294967295 is not a valid id");
	spec.gid = 4294967294U;
	assert_int_equal(mc_spec_validate(&spec), 0);
	mc_spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_error_context),
		cmocka_unit_test(test_error_keeps_reason),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_validate_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
