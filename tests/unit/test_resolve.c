// SPDX-License-Identifier: MIT
/*
 * resolve.c: paths inside a root.  Each case runs twice, through openat2
 * and through the walk of older kernels (MC_RESOLVE_WALK=1), and both must
 * land on the same inode inside the root: a symlink to "/", to "..", to a
 * host path, or a magic link never leads out.
 */
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "resolve.h"

static char tmp[64];
static int root = -1;

static void mk(const char *rel, bool dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	if (dir)
		assert_int_equal(mkdir(p, 0755), 0);
	else
		assert_int_equal(close(open(p, O_CREAT | O_WRONLY, 0644)), 0);
}

static void ln(const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* The tree: root/{a/b/file, up -> ../../.., abs -> /a, host -> /etc,
 * loop -> loop, magic -> /proc/self/root, rel -> a/b} */
static int setup(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/mcstatic-resolve-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	mk("a", true);
	mk("a/b", true);
	mk("a/b/file", false);
	mk("etc", true);
	ln("../../..", "up");
	ln("/a", "abs");
	ln("/etc", "host");
	ln("loop", "loop");
	ln("/proc/self/root", "magic");
	ln("a/b", "rel");
	root = open(tmp, O_PATH | O_DIRECTORY);
	return root < 0 ? -1 : 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int teardown(void **state)
{
	(void)state;
	close(root);
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* PATH resolves, both ways, to the same inode as root/EXPECT. */
static void lands_on(const char *path, int flags, const char *expect)
{
	char want[PATH_MAX];
	struct stat a, w;
	int fd1;

	snprintf(want, sizeof(want), "%s/%s", tmp, expect);
	assert_int_equal(lstat(want, &w), 0);
	unsetenv("MC_RESOLVE_WALK");
	fd1 = mc_resolve_open(root, path, flags);
	assert_true(fd1 >= 0);
	assert_int_equal(fstat(fd1, &a), 0);
	close(fd1);
	assert_true(a.st_ino == w.st_ino && a.st_dev == w.st_dev);
}

static void open_fd_walk(const char *path, int flags, struct stat *st,
			 int *err)
{
	int fd;

	setenv("MC_RESOLVE_WALK", "1", 1);
	fd = mc_resolve_open(root, path, flags);
	*err = fd < 0 ? errno : 0;
	if (fd >= 0) {
		assert_int_equal(fstat(fd, st), 0);
		close(fd);
	}
}

static void check(const char *path, int flags, const char *expect)
{
	char want[PATH_MAX];
	struct stat got, w;
	int err;

	lands_on(path, flags, expect);
	snprintf(want, sizeof(want), "%s/%s", tmp, expect);
	assert_int_equal(lstat(want, &w), 0);
	open_fd_walk(path, flags, &got, &err);
	assert_int_equal(err, 0);
	assert_true(got.st_ino == w.st_ino && got.st_dev == w.st_dev);
}

static void test_plain_and_dots(void **state)
{
	(void)state;
	check("/a/b/file", 0, "a/b/file");
	check("a/./b/../b/file", 0, "a/b/file");
	check("/", O_DIRECTORY, ".");
	check("../../..", O_DIRECTORY, ".");
}

static void test_symlinks_stay_inside(void **state)
{
	(void)state;
	check("/up", O_DIRECTORY, ".");
	check("/up/a/b", O_DIRECTORY, "a/b");
	check("/abs/b/file", 0, "a/b/file");
	check("/host", O_DIRECTORY, "etc");	/* root/etc, not the host's */
	check("/rel/file", 0, "a/b/file");
	check("/host", O_NOFOLLOW, "host");	/* the link itself */
}

/* Both ways fail alike where nothing inside the root is meant. */
static void fails_both(const char *path, int flags, int want)
{
	struct stat st;
	int err, fd;

	unsetenv("MC_RESOLVE_WALK");
	fd = mc_resolve_open(root, path, flags);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, want);
	open_fd_walk(path, flags, &st, &err);
	assert_int_equal(err, want);
}

static void test_failures(void **state)
{
	(void)state;
	fails_both("/loop", 0, ELOOP);
	fails_both("/nope/x", 0, ENOENT);
	fails_both("/a/b/file/x", 0, ENOTDIR);
	fails_both("/a/b/file", O_DIRECTORY, ENOTDIR);
}

/* A magic link is not followed: openat2 refuses it, the walk reads it as
 * text and resolves "/proc/self/root" inside the root (there is none). */
static void test_magic_link(void **state)
{
	struct stat st;
	int err, fd;

	(void)state;
	unsetenv("MC_RESOLVE_WALK");
	fd = mc_resolve_open(root, "/magic", O_DIRECTORY);
	assert_int_equal(fd, -1);
	open_fd_walk("/magic", O_DIRECTORY, &st, &err);
	assert_int_equal(err, ENOENT);
}

/* mkdir -p through a symlink to a host path makes it inside the root. */
static void test_mkdir_all_inside(void **state)
{
	char p[PATH_MAX];
	struct stat st;
	size_t made;

	(void)state;
	unsetenv("MC_RESOLVE_WALK");
	assert_int_equal(mc_resolve_mkdir_all(root, "/host/new/deeper", 0755, &made), 0);
	assert_int_equal(made, strlen("/host/new"));
	snprintf(p, sizeof(p), "%s/etc/new/deeper", tmp);
	assert_int_equal(stat(p, &st), 0);
	assert_int_not_equal(stat("/etc/new", &st), 0);
	setenv("MC_RESOLVE_WALK", "1", 1);
	assert_int_equal(mc_resolve_mkdir_all(root, "/up/w/x", 0755, &made), 0);
	snprintf(p, sizeof(p), "%s/w/x", tmp);
	assert_int_equal(stat(p, &st), 0);
	unsetenv("MC_RESOLVE_WALK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_dots),
		cmocka_unit_test(test_symlinks_stay_inside),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_magic_link),
		cmocka_unit_test(test_mkdir_all_inside),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
