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
 * A symlink in the image must not carry a mount out of the rootfs (CVE-
 * 2021-30465 class): the made target must resolve below it.
 */
static int check_inside(const struct mc_spec *spec, const char *path)
{
	char real[PATH_MAX];
	size_t n = strlen(spec->rootfs_abs);

	if (!realpath(path, real))
		return mc_error(errno, "mount target /%s", path);
	if (strncmp(real, spec->rootfs_abs, n) || (real[n] && real[n] != '/'))
		return mc_error(0, "mount target /%s: resolves to %s, outside the rootfs",
				path, real);
	return 0;
}

/* A bind mount of a file needs a file to land on. */
static int make_target(const struct mc_spec *spec, const char *path,
		       bool file)
{
	struct step *s = step_push(path);
	size_t made = 0, *mp = s ? &s->made : &made;
	char parent[PATH_MAX];
	char *slash;
	int fd;

	if (!file)
		return mkdir_all(path, mp) < 0 ? -1 : check_inside(spec, path);
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		if (mkdir_all(parent, mp) < 0 || check_inside(spec, parent) < 0)
			return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno != EISDIR)
		return mc_error(errno, "mount target /%s", path);
	if (fd >= 0)
		close(fd);
	return check_inside(spec, path);
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
	struct statvfs sv;

	if (!(flags & remount))
		return 0;
	/* Flags the kernel locked on the source must be kept (user ns);
	 * otherwise the remount says all there is, as runc's. */
	if (in_userns && statvfs(target, &sv) == 0)
		flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
			 (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
			 (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
	return mount_at(NULL, target, NULL,
			MS_REMOUNT | MS_BIND | (flags & remount), NULL);
}

static int mount_bind(const struct mc_spec *spec, const struct mc_mount *m,
		      const char *target)
{
	struct stat st;

	if (stat(m->source, &st) < 0)
		return mc_error(errno, "mount source %s", m->source);
	if (make_target(spec, target, !S_ISDIR(st.st_mode)) < 0 ||
	    mount_at(m->source, target, NULL, MS_BIND | (m->flags & MS_REC),
		     NULL) < 0)
		return -1;
	return bind_remount(target, m->flags);
}

/* Our own cgroup as the kernel names it in /proc/self/cgroup's line. */
static int bind_own_cgroup(const char *target, const char *line,
			   unsigned long flags)
{
	char ctrls[128], path[PATH_MAX], src[PATH_MAX + 160], dst[PATH_MAX + 160];
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
	if (mkdir(dst, 0555) < 0 && errno != EEXIST)
		return mc_error(errno, "mkdir /%s", dst);
	if (mount_at(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return bind_remount(dst, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

/*
 * A "cgroup" mount: cgroup2 on a v2 host; on v1 (and hybrid) hosts a tmpfs
 * with the container's own cgroup of each hierarchy bound in, as runc does.
 */
static int mount_cgroup(const struct mc_spec *spec, const struct mc_mount *m,
			const char *target)
{
	struct statfs sfs;
	char line[512];
	FILE *f;
	int ret = 0;

	if (make_target(spec, target, false) < 0)
		return -1;
	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
		return mount_at("cgroup2", target, "cgroup2", m->flags, NULL);
	if (mount_at("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=755") < 0)
		return -1;
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return mc_error(errno, "/proc/self/cgroup");
	while (ret == 0 && fgets(line, sizeof(line), f))
		ret = bind_own_cgroup(target, line, m->flags);
	fclose(f);
	if (ret == 0 && (m->flags & MS_RDONLY))
		ret = mount_at(NULL, target, "tmpfs",
			       MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
			       MS_NOEXEC, "mode=755");
	return ret;
}

/* tmpcopyup: the image's directory, held open across the mount, is copied. */
static int mount_copyup(const struct mc_spec *spec, const struct mc_mount *m,
			const char *target)
{
	bool had = access(target, F_OK) == 0;
	int from, ret;

	if (make_target(spec, target, false) < 0)
		return -1;
	from = open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (from < 0)
		return mc_error(errno, "mount target %s", m->target);
	ret = mount_at(m->source, target, m->type, m->flags, m->data);
	if (ret == 0 && mc_copyup(from, target, had) < 0)
		ret = -1;
	close(from);
	return ret;
}

static int mount_one(const struct mc_spec *spec, const struct mc_mount *m)
{
	const char *target = relative(m->target);
	int ret;

	if (is_bind(m))
		ret = mount_bind(spec, m, target);
	else if (m->type && !strcmp(m->type, "cgroup"))
		ret = mount_cgroup(spec, m, target);
	else if (m->tmpcopyup)
		ret = mount_copyup(spec, m, target);
	else if (make_target(spec, target, false) < 0)
		ret = -1;
	else
		ret = mount_at(m->source, target, m->type, m->flags, m->data);
	if (ret < 0)
		return -1;
	/* Propagation is a call of its own, on the new mount. */
	if (m->propagation &&
	    sys_mount(NULL, target, NULL, m->propagation, NULL) < 0)
		return mc_error(errno, "propagation of %s", m->target);
	mc_debug("[child] Mounted %s on %s", is_bind(m) ? "bind" : m->type,
		 m->target);
	return 0;
}

/* linux.devices: made (or bound from the host in a user namespace). */
static int make_listed_device(const struct mc_device *d)
{
	const char *path = relative(d->path);
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO
							      : S_IFCHR;
	mode_t mode = d->has_mode ? d->file_mode & 07777 : 0666;
	size_t made;

	if (strchr(path, '/')) {
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%s", path);
		*strrchr(parent, '/') = '\0';
		if (mkdir_all(parent, &made) < 0)
			return -1;
	}
	unlink(path);
	if (mknod(path, type | mode, makedev(d->major, d->minor)) < 0) {
		char host[PATH_MAX];
		int fd;

		if (errno != EPERM)
			return mc_error(errno, "mknod %s", d->path);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
		if (fd < 0)
			return mc_error(errno, "create %s", d->path);
		close(fd);
		snprintf(host, sizeof(host), "%s", d->path);
		return bind_mount(host, path, false);
	}
	if (chmod(path, mode) < 0)
		return mc_error(errno, "chmod %s", d->path);
	if ((d->has_uid || d->has_gid) &&
	    chown(path, d->has_uid ? d->uid : (uid_t)-1,
		  d->has_gid ? d->gid : (gid_t)-1) < 0)
		return mc_error(errno, "chown %s", d->path);
	return 0;
}

int mc_mounts_before_pivot(const struct mc_spec *spec)
{
	bool dev_mounted = false;

	in_userns = spec->namespaces & CLONE_NEWUSER ||
		    spec->ns_path[MC_NS_USER];
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (mount_one(spec, &spec->mounts[i]) < 0)
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

/* A file masked by /dev/null, a directory by an empty read-only tmpfs. */
static int mask_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : mc_error(errno, "mask %s", path);
	if (S_ISDIR(st.st_mode))
		return mount_at("tmpfs", path, "tmpfs", MS_RDONLY, NULL);
	return mount_at("/dev/null", path, NULL, MS_BIND, NULL);
}

static int readonly_path(const char *path)
{
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : mc_error(errno, "read-only %s", path);
	if (mount_at(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return bind_remount(path, MS_RDONLY);
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
	/* Sysctls before the masks: /proc/sys becomes read-only. */
	for (size_t i = 0; i < spec->n_sysctl; i++)
		if (write_sysctl(&spec->sysctl[i]) < 0)
			return -1;
	/* As runc: read-only paths first, then the masks. */
	for (size_t i = 0; i < spec->n_readonly_paths; i++)
		if (readonly_path(spec->readonly_paths[i]) < 0)
			return -1;
	for (size_t i = 0; i < spec->n_masked_paths; i++)
		if (mask_path(spec->masked_paths[i]) < 0)
			return -1;
	if (spec->rootfs_propagation &&
	    sys_mount(NULL, "/", NULL, spec->rootfs_propagation, NULL) < 0)
		return mc_error(errno, "rootfsPropagation");
	if (spec->root_readonly && bind_remount("/", MS_RDONLY) < 0)
		return mc_error_context("root.readonly");
	return 0;
}
