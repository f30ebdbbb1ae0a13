// SPDX-License-Identifier: MIT
/*
 * config.json's mounts: the list as given, in order, inside the rootfs
 * before pivot_root (the host's sources are still reachable), then the
 * default devices; after pivot_root the masked and read-only paths, the
 * sysctls and a read-only root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.h"
#include "resolve.h"
#include "rootfs-priv.h"
#include "sys.h"
#include "util.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* A user namespace locks a mount's nosuid, nodev, noexec on a bind. */
static bool in_userns;

/* The target inside the rootfs (cwd), as a relative path. */
static const char *relative(const char *target)
{
	while (*target == '/')
		target++;
	return *target ? target : ".";
}

/*
 * A bind mount of a file needs a file to land on.  Everything is made
 * inside the rootfs (resolve.h): a symlink in the image cannot carry a
 * directory or a mount out of it (CVE-2021-30465 class).
 */
static int make_target(const char *path, bool file)
{
	struct step *s = step_push(path);
	size_t made = 0, *mp = s ? &s->made : &made;

	if (file)
		return mc_resolve_make_file(rootfs_fd(), path, mp);
	return mkdir_all(path, mp);
}

static bool is_bind(const struct mc_mount *m)
{
	return (m->flags & MS_BIND) || (m->type && !strcmp(m->type, "bind"));
}

/* The flags a read-only (or nosuid...) bind needs on its remount. */
static int bind_remount(const char *target, unsigned long flags)
{
	const unsigned long remount = MS_RDONLY | MS_NOSUID | MS_NODEV |
				      MS_NOEXEC | MS_NOATIME | MS_RELATIME |
				      MS_STRICTATIME;

	if (!(flags & remount))
		return 0;
	/* Flags the kernel locked on the source must be kept (user ns);
	 * otherwise the remount says all there is, as runc's. */
	return remount_in_root(target, flags & remount, in_userns);
}

static int mount_bind(const struct mc_mount *m, const char *target)
{
	struct stat st;

	if (stat(m->source, &st) < 0)
		return mc_error(errno, "mount source %s", m->source);
	if (make_target(target, !S_ISDIR(st.st_mode)) < 0 ||
	    mount_in_root(m->source, target, NULL, MS_BIND | (m->flags & MS_REC),
			  NULL) < 0)
		return -1;
	return bind_remount(target, m->flags);
}

/* Our own cgroup as the kernel names it in /proc/self/cgroup's line. */
static int bind_own_cgroup(const char *target, const char *line,
			   unsigned long flags)
{
	char ctrls[128], path[PATH_MAX], src[PATH_MAX + 160], dst[PATH_MAX + 160];
	size_t made;
	const char *dir;

	/* "ID:CONTROLLERS:PATH"; "0::/path" is the unified hierarchy. */
	const char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;

	if (!p || (size_t)(p - c - 1) >= sizeof(ctrls))
		return 0;
	snprintf(ctrls, sizeof(ctrls), "%.*s", (int)(p - c - 1), c + 1);
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
	if (!ctrls[0])
		snprintf(ctrls, sizeof(ctrls), "unified");
	dir = strncmp(ctrls, "name=", 5) ? ctrls : ctrls + 5;
	snprintf(src, sizeof(src), "/sys/fs/cgroup/%s%s", dir, path);
	if (access(src, F_OK) < 0)
		return 0;
	snprintf(dst, sizeof(dst), "%s/%s", target, dir);
	if (mc_resolve_mkdir_all(rootfs_fd(), dst, 0555, &made) < 0 ||
	    mount_in_root(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return bind_remount(dst, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

/*
 * A "cgroup" mount: cgroup2 on a v2 host; on v1 (and hybrid) hosts a tmpfs
 * with the container's own cgroup of each hierarchy bound in, as runc does.
 */
static int mount_cgroup(const struct mc_mount *m, const char *target)
{
	struct statfs sfs;
	char line[512];
	FILE *f;
	int ret = 0;

	if (make_target(target, false) < 0)
		return -1;
	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
		return mount_in_root("cgroup2", target, "cgroup2", m->flags, NULL);
	if (mount_in_root("tmpfs", target, "tmpfs",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return -1;
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return mc_error(errno, "/proc/self/cgroup");
	while (ret == 0 && fgets(line, sizeof(line), f))
		ret = bind_own_cgroup(target, line, m->flags);
	fclose(f);
	if (ret == 0 && (m->flags & MS_RDONLY))
		ret = mount_in_root(NULL, target, "tmpfs",
				    MS_REMOUNT | MS_RDONLY | MS_NOSUID |
				    MS_NODEV | MS_NOEXEC, "mode=755");
	return ret;
}

/*
 * proc and sysfs only on a real directory, as runc: a symlink there
 * (CVE-2019-19921) would put /proc somewhere else than where it is looked
 * for, and leave a /proc of the image's making.
 */
static int check_kernel_fs_target(const struct mc_mount *m, const char *target)
{
	struct stat st;
	int fd, ret;

	if (!m->type || (strcmp(m->type, "proc") && strcmp(m->type, "sysfs")))
		return 0;
	fd = mc_resolve_open(rootfs_fd(), target, O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : mc_error(errno, "mount target %s", m->target);
	ret = fstat(fd, &st);
	close(fd);
	if (ret == 0 && !S_ISDIR(st.st_mode))
		return mc_error(0, "mount target %s: %s must be mounted on a directory, not a %s",
				m->target, m->type,
				S_ISLNK(st.st_mode) ? "symlink" : "file");
	return 0;
}

/* Whether the image has TARGET, looked up inside the root. */
static bool exists_in_root(const char *target)
{
	int fd = mc_resolve_open(rootfs_fd(), target, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * An open directory of the container's tree, found inside its root: the
 * fd the *at() calls below use (an O_PATH fd, reopened through its
 * /proc/self/fd link, where the very inode checked is opened).
 */
static int open_dir_in_root(const char *target, const char *what)
{
	int path = mc_resolve_open(rootfs_fd(), target, O_DIRECTORY);
	int fd;

	if (path < 0)
		return mc_error(errno, "%s", what);
	fd = open(mc_fd_path(path).s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(path);
	if (fd < 0)
		return mc_error(errno, "%s", what);
	return fd;
}

/* tmpcopyup: the image's directory, held open across the mount, is copied. */
static int mount_copyup(const struct mc_mount *m, const char *target)
{
	bool had = exists_in_root(target);
	int from, to, ret;

	if (make_target(target, false) < 0)
		return -1;
	from = open_dir_in_root(target, m->target);
	if (from < 0)
		return -1;
	ret = mount_in_root(m->source, target, m->type, m->flags, m->data);
	if (ret == 0) {
		to = open_dir_in_root(target, m->target);
		ret = to < 0 ? -1 : mc_copyup(from, to, had);
		if (to >= 0)
			close(to);
	}
	close(from);
	return ret;
}

static int mount_one(const struct mc_mount *m)
{
	const char *target = relative(m->target);
	int ret;

	if (is_bind(m))
		ret = mount_bind(m, target);
	else if (m->type && !strcmp(m->type, "cgroup"))
		ret = mount_cgroup(m, target);
	else if (m->tmpcopyup)
		ret = mount_copyup(m, target);
	else if (check_kernel_fs_target(m, target) < 0 ||
		 make_target(target, false) < 0)
		ret = -1;
	else
		ret = mount_in_root(m->source, target, m->type, m->flags,
				    m->data);
	if (ret < 0)
		return -1;
	/* Propagation is a call of its own, on the new mount. */
	if (m->propagation &&
	    mount_in_root(NULL, target, NULL, m->propagation, NULL) < 0)
		return mc_error_context("propagation of %s", m->target);
	mc_debug("[child] Mounted %s on %s", is_bind(m) ? "bind" : m->type,
		 m->target);
	return 0;
}

/* The node's directory inside the rootfs (made), and its last name. */
static int device_dir(const char *path, const char **base)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t made;
	int fd;

	*base = slash ? slash + 1 : path;
	snprintf(parent, sizeof(parent), "%.*s",
		 slash ? (int)(slash - path) : 0, path);
	if (*parent && mkdir_all(parent, &made) < 0)
		return -1;
	fd = mc_resolve_open(rootfs_fd(), parent, O_DIRECTORY);
	return fd < 0 ? mc_error(errno, "/%s", parent) : fd;
}

/* A user namespace may not mknod: the host's node is bound instead. */
static int bind_host_device(int dir, const char *base, const struct mc_device *d,
			    mode_t mode)
{
	int fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				   O_CLOEXEC, mode);

	if (fd < 0)
		return mc_error(errno, "create %s", d->path);
	close(fd);
	return bind_mount(d->path, relative(d->path), false);
}

/* linux.devices: made (or bound from the host in a user namespace). */
static int make_listed_device(const struct mc_device *d)
{
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO
							      : S_IFCHR;
	mode_t mode = d->has_mode ? d->file_mode & 07777 : 0666;
	const char *base;
	int dir = device_dir(relative(d->path), &base), ret = 0;

	if (dir < 0)
		return -1;
	unlinkat(dir, base, 0);
	if (mknodat(dir, base, type | mode, makedev(d->major, d->minor)) < 0)
		ret = errno == EPERM ? bind_host_device(dir, base, d, mode)
				     : mc_error(errno, "mknod %s", d->path);
	else if (fchmodat(dir, base, mode, AT_SYMLINK_NOFOLLOW) < 0 &&
		 fchmodat(dir, base, mode, 0) < 0)
		ret = mc_error(errno, "chmod %s", d->path);
	else if ((d->has_uid || d->has_gid) &&
		 fchownat(dir, base, d->has_uid ? d->uid : (uid_t)-1,
			  d->has_gid ? d->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
		ret = mc_error(errno, "chown %s", d->path);
	close(dir);
	return ret;
}

int mc_mounts_before_pivot(const struct mc_spec *spec)
{
	bool dev_mounted = false;

	in_userns = spec->namespaces & CLONE_NEWUSER ||
		    spec->ns_path[MC_NS_USER];
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (mount_one(&spec->mounts[i]) < 0)
			return -1;
		dev_mounted |= !strcmp(relative(spec->mounts[i].target), "dev");
	}
	/* A fresh /dev gets the spec's default devices, as runc's. */
	if (dev_mounted) {
		mode_t old = umask(0);
		int ret = make_devices();

		umask(old);
		if (ret < 0)
			return -1;
	}
	for (size_t i = 0; i < spec->n_devices; i++)
		if (make_listed_device(&spec->devices[i]) < 0)
			return -1;
	return 0;
}

/* net.ipv4.ip_forward → /proc/sys/net/ipv4/ip_forward */
static int write_sysctl(const struct mc_kv *kv)
{
	char path[PATH_MAX];
	size_t len = strlen(kv->value);
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", kv->key);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mc_error(errno, "sysctl %s", kv->key);
	if (write(fd, kv->value, len) != (ssize_t)len) {
		close(fd);
		return mc_error(errno, "sysctl %s=%s", kv->key, kv->value);
	}
	close(fd);
	return 0;
}

int mc_mounts_after_pivot(const struct mc_spec *spec)
{
	/* Nothing is written through a /proc of the image's making. */
	if ((spec->n_sysctl || spec->has_oom_score_adj) &&
	    mc_resolve_check_proc(spec->n_sysctl ? "linux.sysctl"
						 : "process.oomScoreAdj") < 0)
		return -1;
	/* Sysctls before the masks: /proc/sys becomes read-only. */
	for (size_t i = 0; i < spec->n_sysctl; i++)
		if (write_sysctl(&spec->sysctl[i]) < 0)
			return -1;
	if (mc_mounts_paths(spec) < 0)
		return -1;
	if (spec->rootfs_propagation &&
	    sys_mount(NULL, "/", NULL, spec->rootfs_propagation, NULL) < 0)
		return mc_error(errno, "rootfsPropagation");
	if (spec->root_readonly && bind_remount("/", MS_RDONLY) < 0)
		return mc_error_context("root.readonly");
	return 0;
}
