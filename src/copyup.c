// SPDX-License-Identifier: MIT
/*
 * tmpcopyup, runc's extension that podman's --read-only relies on: a tmpfs
 * mounted over an image directory starts with a copy of what the image had
 * there (files, directories, symlinks, nodes; modes and owners kept), and
 * its root gets the directory's mode and owner if the image had it (a
 * target made for the mount keeps the tmpfs's own mode, 1777 by default, as
 * runc's).  The image's directory is read through a descriptor opened
 * before the mount hides it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "rootfs-priv.h"

static int copy_dir(int from, int to, int depth);

static int copy_file(int from, int to, const char *name,
		     const struct stat *st)
{
	char buf[16384];
	ssize_t n = 0;
	int in, out;

	in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return mc_error(errno, "tmpcopyup: %s", name);
	out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC, st->st_mode & 07777);
	if (out < 0) {
		close(in);
		return mc_error(errno, "tmpcopyup: %s", name);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? mc_error(errno, "tmpcopyup: %s", name) : 0;
}

static int copy_subdir(int from, int to, const char *name,
		       const struct stat *st, int depth)
{
	int in, out, ret;

	if (mkdirat(to, name, st->st_mode & 07777) < 0)
		return mc_error(errno, "tmpcopyup: %s", name);
	in = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	out = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	ret = in < 0 || out < 0 ? mc_error(errno, "tmpcopyup: %s", name)
				: copy_dir(in, out, depth + 1);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

static int copy_entry(int from, int to, const char *name, int depth)
{
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int ret;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return mc_error(errno, "tmpcopyup: %s", name);
	if (S_ISDIR(st.st_mode)) {
		ret = copy_subdir(from, to, name, &st, depth);
	} else if (S_ISREG(st.st_mode)) {
		ret = copy_file(from, to, name, &st);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(from, name, link, sizeof(link) - 1);
		if (n >= 0)
			link[n] = '\0';
		ret = n < 0 || symlinkat(link, to, name) < 0
			      ? mc_error(errno, "tmpcopyup: %s", name) : 0;
	} else {
		ret = mknodat(to, name, st.st_mode, st.st_rdev) < 0
			      ? mc_error(errno, "tmpcopyup: %s", name) : 0;
	}
	if (ret < 0)
		return -1;
	/* Owner after content (a chown clears set-id bits), then the mode. */
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return mc_error(errno, "tmpcopyup: chown %s", name);
	if (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) < 0)
		return mc_error(errno, "tmpcopyup: chmod %s", name);
	return 0;
}

/* Image trees are shallow; a bound on depth keeps the fds bounded too. */
static int copy_dir(int from, int to, int depth)
{
	struct dirent *e;
	DIR *d;
	int fd, ret = 0;

	if (depth > 64)
		return mc_error(ELOOP, "tmpcopyup");
	fd = dup(from);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return mc_error(errno, "tmpcopyup");
	}
	while (ret == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] ||
		    (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		ret = copy_entry(from, to, e->d_name, depth);
	}
	closedir(d);
	return ret;
}

int mc_copyup(int from, int to, bool image_had_it)
{
	struct stat st;

	if (fstat(from, &st) < 0)
		return mc_error(errno, "tmpcopyup");
	if (copy_dir(from, to, 0) < 0)
		return -1;
	if (image_had_it && (fchown(to, st.st_uid, st.st_gid) < 0 ||
			     fchmod(to, st.st_mode & 07777) < 0))
		return mc_error(errno, "tmpcopyup: the mount's root");
	return 0;
}
