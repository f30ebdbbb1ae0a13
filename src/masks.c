// SPDX-License-Identifier: MIT
/*
 * linux.maskedPaths and linux.readonlyPaths, after pivot_root, for both
 * front-ends (the seed CLI gets runc's lists by default).  A file is masked
 * by binding the container's /dev/null over it, a directory by an empty
 * read-only tmpfs; a read-only path is bound onto itself and remounted
 * read-only.  Targets are resolved inside the root and mounted through
 * /proc/self/fd/N (resolve.h), which /proc must really be.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.h"
#include "resolve.h"
#include "rootfs-priv.h"

/*
 * The container's /dev/null, checked to be the null device itself: the
 * image's /dev/null may be a symlink to, say, /proc/sys/kernel/core_pattern,
 * and binding that over /proc/kcore would hand out a writable procfs file
 * (CVE-2025-31133).  Opened O_NOFOLLOW and bound by its fd, so what was
 * checked is what gets mounted.
 */
static int open_null(void)
{
	struct stat st;
	int fd = mc_resolve_open(rootfs_fd(), "dev/null", O_NOFOLLOW);

	if (fd < 0)
		return mc_error(errno, "linux.maskedPaths: /dev/null");
	if (fstat(fd, &st) < 0) {
		close(fd);
		return mc_error(errno, "linux.maskedPaths: /dev/null");
	}
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return mc_error(0, "linux.maskedPaths: /dev/null is not the null device (1:3) but a %s",
				S_ISLNK(st.st_mode) ? "symlink" :
				S_ISCHR(st.st_mode) ? "character device" :
				"file");
	}
	return fd;
}

/* open_target: PATH is not there, so there is nothing to hide. */
#define ABSENT (-2)

/*
 * PATH inside the root: an O_PATH fd, -1 on error, or ABSENT.  A symlink is refused, not followed: what it
 * names is not what the list asked to hide.
 */
static int open_target(const char *field, const char *path, struct stat *st)
{
	char link[PATH_MAX];
	int fd = mc_resolve_open(rootfs_fd(), path, O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? ABSENT : mc_error(errno, "%s %s", field, path);
	if (fstat(fd, st) < 0) {
		close(fd);
		return mc_error(errno, "%s %s", field, path);
	}
	if (!S_ISLNK(st->st_mode))
		return fd;
	n = readlinkat(fd, "", link, sizeof(link) - 1);
	close(fd);
	link[n > 0 ? n : 0] = '\0';
	return mc_error(0, "%s %s: is a symlink (to %s), not followed", field,
			path, link);
}

static int mask_path(int null, const char *path)
{
	struct stat st;
	int fd = open_target("linux.maskedPaths", path, &st), ret;

	if (fd < 0)
		return fd == ABSENT ? 0 : -1;
	if (S_ISDIR(st.st_mode))
		ret = mount_fd("tmpfs", fd, "tmpfs", MS_RDONLY, NULL, path);
	else
		ret = mount_fd(mc_fd_path(null).s, fd, NULL, MS_BIND, NULL,
			       path);
	close(fd);
	return ret < 0 ? mc_error_context("linux.maskedPaths") : 0;
}

static int readonly_path(const char *path)
{
	struct stat st;
	int fd = open_target("linux.readonlyPaths", path, &st), ret;

	if (fd < 0)
		return fd == ABSENT ? 0 : -1;
	ret = mount_fd(mc_fd_path(fd).s, fd, NULL, MS_BIND | MS_REC, NULL, path);
	close(fd);
	if (ret == 0)
		ret = remount_in_root(path, MS_RDONLY, true);
	return ret < 0 ? mc_error_context("linux.readonlyPaths") : 0;
}

int mc_mounts_paths(const struct mc_spec *spec)
{
	int null = -1, ret = 0;

	if (!spec->n_readonly_paths && !spec->n_masked_paths)
		return 0;
	if (mc_resolve_check_proc("linux.maskedPaths") < 0)
		return -1;
	/* As runc: read-only paths first, then the masks. */
	for (size_t i = 0; ret == 0 && i < spec->n_readonly_paths; i++)
		ret = readonly_path(spec->readonly_paths[i]);
	if (ret == 0 && spec->n_masked_paths)
		ret = null = open_null();
	for (size_t i = 0; ret >= 0 && i < spec->n_masked_paths; i++)
		ret = mask_path(null, spec->masked_paths[i]);
	if (null >= 0)
		close(null);
	return ret < 0 ? -1 : 0;
}
