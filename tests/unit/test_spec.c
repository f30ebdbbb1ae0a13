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
	struct mc_mount m = { .target = "/mnt", .type = "tmpfs",
			      .flags = MS_NOSUID };

	(void)state;
	assert_int_equal(mc_mount_options("ro,size=1m,nodev,mode=1777,suid",
					  &m), 0);
	assert_int_equal(m.flags, MS_RDONLY | MS_NODEV);
	assert_string_equal(m.data, "size=1m,mode=1777");
	free(m.data);
	m.flags = MS_RDONLY;
	assert_int_equal(mc_mount_options("rw,,rbind,sync,noatime", &m), 0);
	assert_int_equal(m.flags, MS_BIND | MS_REC | MS_SYNCHRONOUS | MS_NOATIME);
	assert_int_equal(m.propagation, 0);
	assert_null(m.data);
	/* Propagation is apart: its MS_REC is not rbind's. */
	m.flags = 0;
	assert_int_equal(mc_mount_options("bind,rslave", &m), 0);
	assert_int_equal(m.flags, MS_BIND);
	assert_int_equal(m.propagation, MS_SLAVE | MS_REC);
	assert_int_equal(mc_mount_options(NULL, &m), 0);
	assert_null(m.data);
}

/* OPTS on a tmpfs at /mnt: 0, or -1 with the error text ERR. */
static void check_tmpfs(const char *opts, const char *err)
{
	struct mc_mount m = { .target = "/mnt", .type = "tmpfs",
			      .flags = MS_NOSUID | MS_NODEV };
	int ret;

	assert_int_equal(mc_mount_options(opts, &m), 0);
	ret = mc_mount_validate(&m);
	free(m.data);
	if (!err) {
		assert_int_equal(ret, 0);
		return;
	}
	assert_int_equal(ret, -1);
	assert_string_equal(mc_error_text(), err);
}

static void test_tmpfs_options(void **state)
{
	static const char *const refused[] = {
		"bind", "rbind", "move", "remount", "noswap", "nonsense",
	};
	char err[80];

	(void)state;
	check_tmpfs("size=1m,mode=1777,uid=0,gid=0,nr_inodes=100,ro,noexec",
		    NULL);
	check_tmpfs("nr_blocks=10,huge=never,mpol=default,inode64,inode32", NULL);
	check_tmpfs(NULL, NULL);
	/* Propagation is a call of its own on the new mount (podman's
	 * --read-only tmpfs mounts say rprivate). */
	check_tmpfs("rprivate,size=1m", NULL);
	check_tmpfs("private,shared,rshared,slave,rslave,unbindable,runbindable",
		    NULL);
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		snprintf(err, sizeof(err), "option '%s' is not a tmpfs option",
			 refused[i]);
		check_tmpfs(refused[i], err);
	}
	/* Named as given, also after other words. */
	check_tmpfs("size=1m,ro,rbind", "option 'rbind' is not a tmpfs option");
	check_tmpfs("mode=700,x=1", "option 'x=1' is not a tmpfs option");
	check_tmpfs("size", "tmpfs option 'size' needs a value");
	check_tmpfs("inode64=1", "tmpfs option 'inode64=1' takes no value");
}

static void test_mount_options_ex(void **state)
{
	struct mc_mount m = { 0 };

	(void)state;
	assert_int_equal(mc_mount_options("rbind,private,tmpcopyup,rslave,norelatime,mode=1",
					  &m), 0);
	assert_int_equal(m.flags, MS_BIND | MS_REC);
	assert_int_equal(m.propagation, MS_SLAVE | MS_REC);	/* the last one wins */
	assert_true(m.tmpcopyup);
	assert_string_equal(m.data, "mode=1");
	free(m.data);
	m = (struct mc_mount){ .flags = MS_RELATIME };
	assert_int_equal(mc_mount_options("runbindable,norelatime", &m), 0);
	assert_int_equal(m.propagation, MS_UNBINDABLE | MS_REC);
	assert_int_equal(m.flags, 0);
	assert_null(m.data);
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
	struct mc_mount bad = { .source = "tmpfs", .target = "/mnt",
				.type = "tmpfs", .flags = MS_BIND };
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(), "no command given (see --help)");
	spec.argv = argv;
	assert_int_equal(mc_spec_validate(&spec), 0);
	assert_int_equal(spec.namespaces, 0);
	/* Mounts are checked whichever front-end made them. */
	spec.mounts = &bad;
	spec.n_mounts = 1;
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(),
			    "mount /mnt: option 'bind' is not a tmpfs option");
	bad.target = "mnt";
	assert_int_equal(mc_spec_validate(&spec), -1);
	assert_string_equal(mc_error_text(), "mount mnt: not an absolute path");
	spec.mounts = NULL;
	spec.n_mounts = 0;
	spec.namespaces = 0;
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
		cmocka_unit_test(test_tmpfs_options),
		cmocka_unit_test(test_mount_options_ex),
		cmocka_unit_test(test_own),
		cmocka_unit_test(test_ns_names),
		cmocka_unit_test(test_error_context),
		cmocka_unit_test(test_error_keeps_reason),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_validate_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
