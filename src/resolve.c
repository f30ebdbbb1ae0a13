// SPDX-License-Identifier: MIT
/*
 * Safe path resolution inside the container's root (include/resolve.h):
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), or on kernels before
 * 5.6 our own walk with the same rules.  runc (filepath-securejoin) and
 * crun (crun_safe_openat) do the same; this is ours, and smaller: only
 * directories and mount points are looked up here, never opened for I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "error.h"
#include "resolve.h"
#include "sys.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define PROC_ROOT_INO 1
/* As the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40

static bool same_inode(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int open_root(int root)
{
	return openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Put the symlink NEXT's text in front of REST (inside BUF). */
static int splice_link(int next, char *buf, size_t size, char **rest)
{
	char link[PATH_MAX];
	ssize_t n = readlinkat(next, "", link, sizeof(link) - 1);
	size_t tail = strlen(*rest);

	if (n < 0)
		return -1;
	if ((size_t)n + 1 + tail >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memmove(buf + n + 1, *rest, tail + 1);
	memcpy(buf, link, (size_t)n);
	buf[n] = '/';
	*rest = buf;
	return 0;
}

/*
 * One component at a time from ROOT: each is opened O_NOFOLLOW; a symlink's
 * text goes in front of what is left and is resolved from ROOT (absolute)
 * or from where it stands; ".." stops at ROOT.  A magic link is read as
 * text like any other, so it never jumps.
 */
static int walk(int root, const char *path, int flags)
{
	char buf[PATH_MAX], name[NAME_MAX + 1], *rest = buf;
	int fd, next = -1, links = 0;
	struct stat st;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	fd = open_root(root);
	while (fd >= 0) {
		size_t n;
		bool last;

		rest += strspn(rest, "/");
		if (!*rest)
			break;
		n = strcspn(rest, "/");
		if (n > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		memcpy(name, rest, n);
		name[n] = '\0';
		rest += n;
		last = !rest[strspn(rest, "/")];
		if (!strcmp(name, ".") ||
		    (!strcmp(name, "..") && same_inode(fd, root)))
			continue;
		next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 || fstat(next, &st) < 0)
			goto fail_next;
		if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			int err = ++links > MAX_LINKS ? ELOOP : 0;

			if (err || splice_link(next, buf, sizeof(buf), &rest) < 0) {
				errno = err ? err : errno;
				goto fail_next;
			}
			close(next);
			if (buf[0] == '/') {
				close(fd);
				fd = open_root(root);
			}
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			goto fail_next;
		}
		close(fd);
		fd = next;
	}
	return fd;
fail_next:
	if (next >= 0) {
		int err = errno;

		close(next);
		errno = err;
	}
fail:
	if (fd >= 0) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return -1;
}

int mc_resolve_open(int root, const char *path, int flags)
{
	const int resolve = SYS_RESOLVE_IN_ROOT | SYS_RESOLVE_NO_MAGICLINKS;
	/* MC_RESOLVE_WALK=1: the walk, where openat2 exists too (tests). */
	const char *e = getenv("MC_RESOLVE_WALK");
	bool walk_only = e && !strcmp(e, "1");
	struct stat st;
	int fd = -1;

	path += strspn(path, "/");
	if (!walk_only)
		fd = sys_openat2(root, *path ? path : ".",
				 O_PATH | O_CLOEXEC | flags, resolve);
	if (fd >= 0 || (!walk_only && errno != ENOSYS))
		return fd;
	fd = walk(root, path, flags);
	if (fd >= 0 && (flags & O_DIRECTORY) &&
	    (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
		close(fd);
		errno = ENOTDIR;
		return -1;
	}
	return fd;
}

/* PATH's parent in ROOT, and where its last name starts. */
static int open_parent(int root, char *path, const char **base)
{
	char *slash = strrchr(path, '/');
	int fd;

	if (!slash) {
		*base = path;
		return open_root(root);
	}
	*slash = '\0';
	fd = mc_resolve_open(root, path, O_DIRECTORY);
	*slash = '/';
	*base = slash + 1;
	return fd;
}

static int mkdir_all_depth(int root, const char *path, mode_t mode,
			   size_t *made, int links);

/*
 * The last name of PATH is there but leads nowhere: a symlink to something
 * missing.  Its target is made, inside the root, as runc does (the link
 * may be anywhere in the image; what it names is resolved from ROOT).
 */
static int make_link_target(int root, int parent, char *path,
			    const char *base, mode_t mode, int links)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n = readlinkat(parent, base, link, sizeof(link) - 1);
	size_t made;

	if (n < 0)
		return mc_error(errno, "mkdir /%s", path);
	link[n] = '\0';
	if (links >= MAX_LINKS)
		return mc_error(ELOOP, "mkdir /%s", path);
	if (link[0] == '/' || base == path)
		n = snprintf(target, sizeof(target), "%s", link);
	else
		n = snprintf(target, sizeof(target), "%.*s/%s",
			     (int)(base - path - 1), path, link);
	if (n < 0 || (size_t)n >= sizeof(target))
		return mc_error(ENAMETOOLONG, "mkdir /%s", path);
	return mkdir_all_depth(root, target, mode, &made, links + 1);
}

/* The last name of PATH, which does not resolve, made as a directory. */
static int make_dir(int root, char *path, mode_t mode, int links, bool *made)
{
	const char *base;
	int parent = open_parent(root, path, &base), ret;

	*made = false;
	if (parent < 0)
		return mc_error(errno, "mkdir /%s", path);
	ret = mkdirat(parent, base, mode);
	*made = ret == 0;
	if (ret < 0 && errno == EEXIST)
		ret = make_link_target(root, parent, path, base, mode, links);
	else if (ret < 0)
		ret = mc_error(errno, "mkdir /%s", path);
	close(parent);
	return ret;
}

static int mkdir_all_depth(int root, const char *path, mode_t mode,
			   size_t *made, int links)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	char *p;

	*made = 0;
	if (len >= sizeof(buf))
		return mc_error(ENAMETOOLONG, "mkdir %s", path);
	memcpy(buf, path, len + 1);
	for (p = buf + strspn(buf, "/"); *p; p += strspn(p, "/")) {
		char *end = p + strcspn(p, "/"), save = *end;
		bool new_dir;
		int fd;

		*end = '\0';
		fd = mc_resolve_open(root, buf, O_DIRECTORY);
		if (fd >= 0)
			close(fd);
		else if (errno != ENOENT)
			return mc_error(errno, "mkdir /%s", buf + strspn(buf, "/"));
		else if (make_dir(root, buf, mode, links, &new_dir) < 0)
			return -1;
		else if (new_dir && !*made)
			*made = (size_t)(end - buf);
		*end = save;
		p = end;
	}
	return 0;
}

int mc_resolve_mkdir_all(int root, const char *path, mode_t mode,
			 size_t *made)
{
	return mkdir_all_depth(root, path, mode, made, 0);
}

int mc_resolve_make_file(int root, const char *path, size_t *made)
{
	char buf[PATH_MAX];
	const char *base;
	int parent, fd;

	*made = 0;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return mc_error(ENAMETOOLONG, "mount target %s", path);
	/* Trailing slashes say nothing about a file. */
	for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
	fd = mc_resolve_open(root, buf, 0);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (strrchr(buf, '/')) {
		char *slash = strrchr(buf, '/');

		*slash = '\0';
		if (*buf && mc_resolve_mkdir_all(root, buf, 0755, made) < 0)
			return -1;
		*slash = '/';
	}
	parent = open_parent(root, buf, &base);
	if (parent < 0)
		return mc_error(errno, "mount target %s", path);
	/* O_EXCL: never through a symlink put there meanwhile. */
	fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				  O_CLOEXEC, 0644);
	close(parent);
	if (fd < 0)
		return mc_error(errno == EEXIST ? 0 : errno,
				errno == EEXIST ? "mount target %s: a symlink to nothing is in the way"
						: "mount target %s", path);
	close(fd);
	return 0;
}

int mc_resolve_rmdir(int root, const char *path)
{
	char buf[PATH_MAX];
	const char *base;
	int parent, ret;

	snprintf(buf, sizeof(buf), "%s", path);
	parent = open_parent(root, buf, &base);
	if (parent < 0)
		return -1;
	ret = unlinkat(parent, base, AT_REMOVEDIR);
	if (ret < 0) {
		int err = errno;

		close(parent);
		errno = err;
		return -1;
	}
	close(parent);
	return 0;
}

struct mc_fd_path mc_fd_path(int fd)
{
	struct mc_fd_path p;

	snprintf(p.s, sizeof(p.s), "/proc/self/fd/%d", fd);
	return p;
}

int mc_resolve_check_proc(const char *what)
{
	/* Not through a symlink: /proc itself must be the mount. */
	int fd = open("/proc", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs;
	struct stat st;
	int ret;

	if (fd < 0)
		return mc_error(errno, "%s: /proc", what);
	ret = fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0 ? -1 : 0;
	close(fd);
	if (ret < 0)
		return mc_error(errno, "%s: /proc", what);
	/* The root of a procfs, not a directory of one bound there. */
	if (sfs.f_type != PROC_SUPER_MAGIC || st.st_ino != PROC_ROOT_INO)
		return mc_error(0, "%s: /proc is not a procfs", what);
	return 0;
}
