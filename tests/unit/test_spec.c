// SPDX-License-Identifier: MIT
/* struct mc_spec: mount options, errors with context, validation. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

static void test_mount_options_ex(void **state)
{
	unsigned long flags = 0, prop = 0;
	bool copyup = false;
	char *data;

	(void)state;
	assert_int_equal(mc_mount_options_ex("rbind,private,tmpcopyup,rslave,norelatime,mode=1",
					     &flags, &prop, &copyup, &data),
			 0);
	assert_int_equal(flags, MS_BIND | MS_REC);
	assert_int_equal(prop, MS_SLAVE | MS_REC);	/* the last one wins */
	assert_true(copyup);
	assert_string_equal(data, "mode=1");
	free(data);
	flags = MS_RELATIME;
	assert_int_equal(mc_mount_options_ex("runbindable,norelatime", &flags,
					     &prop, NULL, &data),
			 0);
	assert_int_equal(prop, MS_UNBINDABLE | MS_REC);
	assert_int_equal(flags, 0);
	assert_null(data);
	/* Without the out-parameters (--tmpfs) they stay fs data. */
	flags = 0;
	assert_int_equal(mc_mount_options("shared,tmpcopyup,ro", &flags, &data), 0);
	assert_int_equal(flags, MS_RDONLY);
	assert_string_equal(data, "shared,tmpcopyup");
	free(data);
}

static void test_own(void **state)
{
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(spec.umask, -1);
	assert_true(spec.resources.memory_swappiness == -1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(mc_spec_own(&spec, malloc(i + 1)), 0);
	assert_int_equal(mc_spec_own(&spec, NULL), 0);
	assert_int_equal(spec.n_owned, 1000);
	assert_int_equal(mc_spec_setenv_pair(&spec, "K", "V"), 0);
	assert_string_equal(mc_spec_getenv(&spec, "K"), "V");
	mc_spec_free(&spec);	/* valgrind: nothing left */
}

static void test_ns_names(void **state)
{
	(void)state;
	assert_string_equal(mc_ns_name(MC_NS_USER), "user");
	assert_string_equal(mc_ns_name(MC_NS_MNT), "mnt");
	assert_string_equal(mc_ns_name(MC_NS_NET), "net");
	assert_string_equal(mc_ns_name(MC_NS_CGROUP), "cgroup");
	assert_null(mc_ns_name(MC_NS_COUNT));
	assert_int_equal(mc_ns_clone_flag(MC_NS_USER), CLONE_NEWUSER);
	assert_int_equal(mc_ns_clone_flag(MC_NS_MNT), CLONE_NEWNS);
	assert_int_equal(mc_ns_clone_flag(MC_NS_PID), CLONE_NEWPID);
	assert_int_equal(mc_ns_clone_flag(MC_NS_IPC), CLONE_NEWIPC);
	assert_int_equal(mc_ns_clone_flag(MC_NS_UTS), CLONE_NEWUTS);
	assert_int_equal(mc_ns_clone_flag(MC_NS_COUNT), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_mount_options_ex),
		cmocka_unit_test(test_own),
		cmocka_unit_test(test_ns_names),
		cmocka_unit_test(test_error_context),
		cmocka_unit_test(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
