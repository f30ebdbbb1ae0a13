// SPDX-License-Identifier: MIT
/* The container's filesystem: private mounts, new root, /proc, /dev. */
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
#include "rootfs.h"
#include "rootfs-priv.h"
#include "sys.h"
#include "util.h"

/* From linux/magic.h, which musl-gcc cannot see. */
#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994
#define SYSFS_MAGIC 0x62656572

/* The OCI runtime spec's default devices. */
static const struct {
	const char *path;
	unsigned int major, minor;
} default_devices[] = {
	{ "dev/null", 1, 3 },	 { "dev/zero", 1, 5 },	 { "dev/full", 1, 7 },
	{ "dev/random", 1, 8 },	 { "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 },
};

static const struct {
	const char *path;
	const char *target;
} default_links[] = {
	{ "dev/fd", "/proc/self/fd" },	  { "dev/stdin", "/proc/self/fd/0" },
	{ "dev/stdout", "/proc/self/fd/1" }, { "dev/stderr", "/proc/self/fd/2" },
	{ "dev/ptmx", "pts/ptmx" },
};

/*
 * What this run has done to the rootfs, one step per mount point in order,
 * so that a failed setup can leave the rootfs as it was (mc_rootfs_undo).
 * The rootfs is the host's directory, bind-mounted: a directory made in it
 * stays on the host, while a mount goes with the mount namespace.
 */

static struct {
	struct step *steps;
	size_t n, max;
	bool pivoted;
} undo;

/* The next step for PATH, or NULL without a rootfs (nothing is made then);
 * mc_rootfs_setup() makes room for every step. */
struct step *step_push(const char *path)
{
	struct step *s;

	if (undo.n >= undo.max)
		return NULL;
	s = &undo.steps[undo.n++];
	s->path = path;
	s->made = 0;
	return s;
}

static int mkdir_if_missing(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return mc_error(errno, "mkdir %s", path);
	return 0;
}

/*
 * /dev, /sys or /proc of the rootfs, made if missing (and then left there
 * after a successful run, as runc does).  Before pivot_root a symlink there
 * would be followed into the host's tree: only a real directory will do.
 */
static int mount_point(const char *path, mode_t mode)
{
	const char *slash = path[0] == '/' ? "" : "/";
	struct step *s = step_push(path);
	struct stat st;

	if (mkdir(path, mode) == 0) {
		if (s)
			s->made = strlen(path);
	} else if (errno != EEXIST) {
		return mc_error(errno, "mkdir %s%s", slash, path);
	}
	if (lstat(path, &st) < 0)
		return mc_error(errno, "mount point %s%s", slash, path);
	if (!S_ISDIR(st.st_mode))
		return mc_error(ENOTDIR, "mount point %s%s", slash, path);
	return 0;
}

/*
 * Remove what mkdir_all made, deepest first: every component from MADE on.
 * The deepest ones may not exist (the mkdir that failed, or a name too
 * long to make); the others are ours, made by this run.
 */
static void rmdir_made(char *path, size_t made)
{
	char *slash;

	if (!made)
		return;
	while (strlen(path) >= made) {
		if (rmdir(path) == 0)
			mc_debug("[child] Removed %s", path);
		else if (errno != ENOENT && errno != ENAMETOOLONG)
			return;
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			return;
		*slash = '\0';
	}
}

/*
 * mkdir -p: mount targets the rootfs lacks are made, as runc does.  *MADE is
 * the length of the path's first component that had to be made (0: none),
 * also on failure, so that the undo can take them away again.
 */
int mkdir_all(const char *path, size_t *made)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	*made = 0;
	if (len >= sizeof(buf))
		return mc_error(ENAMETOOLONG, "mkdir %s", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p && *p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == 0) {
			if (!*made)
				*made = p - buf;
		} else if (errno != EEXIST) {
			return mc_error(errno, "mkdir %s", buf);
		}
		if (p == buf + len)
			return 0;
		*p = '/';
	}
}

int mount_at(const char *source, const char *target, const char *type,
		    unsigned long flags, const char *data)
{
	if (sys_mount(source, target, type, flags, data) < 0)
		return mc_error(errno, "mount %s on %s", type ? type : source,
				target);
	return 0;
}

/*
 * Bind SOURCE (a host path, reachable until pivot_root) onto TARGET, read-only
 * if asked.  In a user namespace the remount must keep the flags the kernel
 * locked on the source mount (nosuid, nodev, noexec), so they are read first.
 */
int bind_mount(const char *source, const char *target, bool rdonly)
{
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;

	if (mount_at(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	if (!rdonly)
		return 0;
	if (statvfs(target, &sv) < 0)
		return mc_error(errno, "statvfs %s", target);
	flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
		 (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
		 (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
	return mount_at(NULL, target, NULL, flags, NULL);
}

/* mknod is not allowed in a user namespace: bind the host's node instead. */
static int make_device(const char *path, dev_t dev)
{
	char host_path[32];
	int fd;

	if (mknod(path, S_IFCHR | 0666, dev) == 0)
		return 0;
	if (errno != EPERM)
		return mc_error(errno, "mknod /%s", path);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return mc_error(errno, "create /%s", path);
	close(fd);
	snprintf(host_path, sizeof(host_path), "/%s", path);
	return bind_mount(host_path, path, false);
}

int make_devices(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
		if (make_device(default_devices[i].path,
				makedev(default_devices[i].major,
					default_devices[i].minor)) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(default_links); i++)
		if (symlink(default_links[i].target, default_links[i].path) < 0)
			return mc_error(errno, "symlink /%s",
					default_links[i].path);
	return 0;
}

/* gid 5 (tty) may not be mapped in a user namespace: then go without. */
static int mount_devpts(void)
{
	const char *opts = "newinstance,ptmxmode=0666,mode=0620";
	char with_gid[64];

	snprintf(with_gid, sizeof(with_gid), "%s,gid=5", opts);
	if (sys_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      with_gid) == 0)
		return 0;
	return mount_at("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			opts);
}

/* Read-only sysfs; a user namespace without its own network namespace may
 * not mount one, so it gets the host's, bound read-only. */
static int mount_sys(void)
{
	const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_point("sys", 0555) < 0)
		return -1;
	if (sys_mount("sysfs", "sys", "sysfs", flags, NULL) < 0 &&
	    (errno != EPERM || bind_mount("/sys", "sys", true) < 0))
		return mc_error(errno, "mount sysfs on /sys");
	mc_debug("[child] Mounted /sys");
	return 0;
}

/*
 * A fresh proc for the container's PID namespace.  A user namespace that
 * shares the host's PID namespace may not mount one: it gets the host's.
 */
static int mount_proc(const char *target, bool may_bind_host)
{
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_point(target, 0555) < 0)
		return -1;
	if (sys_mount("proc", target, "proc", flags, NULL) < 0 &&
	    (errno != EPERM || !may_bind_host ||
	     bind_mount("/proc", target, false) < 0))
		return mc_error(errno, "mount proc on /proc");
	mc_debug("[child] Mounted /proc");
	return 0;
}

/* Called with the rootfs as cwd, before pivot_root, so paths are relative. */
static int mount_dev(void)
{
	mode_t old_umask = umask(0);
	int ret = -1;

	if (mount_point("dev", 0755) < 0 ||
	    mount_at("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     "mode=755,size=65536k") < 0 ||
	    make_devices() < 0 || mkdir_if_missing("dev/pts", 0755) < 0 ||
	    mkdir_if_missing("dev/shm", 01777) < 0 || mount_devpts() < 0 ||
	    mount_at("shm", "dev/shm", "tmpfs",
		     MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=1777,size=65536k") < 0)
		goto out;
	mc_debug("[child] Mounted /dev");
	ret = 0;
out:
	umask(old_umask);
	return ret;
}

/* pivot_root refuses the initramfs (rootfs), which can never be unmounted. */
static bool root_is_initramfs(void)
{
	struct statfs sfs;

	return statfs("/", &sfs) == 0 &&
	       (sfs.f_type == RAMFS_MAGIC || sfs.f_type == TMPFS_MAGIC);
}

/* The initramfs way (as switch_root does it): move the new root over /. */
int move_root(void)
{
	if (sys_mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return mc_error(errno, "move rootfs to /");
	if (chroot(".") < 0)
		return mc_error(errno, "chroot");
	mc_debug("[child] pivot_root not possible on initramfs: moved rootfs to / and chroot'ed");
	return chdir("/") < 0 ? mc_error(errno, "chdir /") : 0;
}

/* pivot_root(".", "."): the old root lands on top of the new one and is
 * detached straight away, so no put_old directory is ever made. */
int pivot(void)
{
	if (sys_pivot_root(".", ".") < 0) {
		if (errno == EINVAL && root_is_initramfs())
			return move_root();
		return mc_error(errno, "pivot_root");
	}
	mc_debug("[child] pivot_root successful");
	if (sys_umount2(".", MNT_DETACH) < 0)
		return mc_error(errno, "detach old root");
	mc_debug("[child] Unmounted old root");
	return chdir("/") < 0 ? mc_error(errno, "chdir /") : 0;
}

/* config.json's way: its mounts as listed, then pivot, then the paths. */
static int enter_oci_rootfs(const struct mc_spec *spec, bool no_pivot,
			    int (*before_pivot)(void))
{
	if (mc_mounts_before_pivot(spec) < 0 ||
	    (before_pivot && before_pivot() < 0))
		return -1;
	if ((no_pivot ? move_root() : pivot()) < 0)
		return -1;
	undo.pivoted = true;
	return mc_mounts_after_pivot(spec);
}

static int enter_rootfs(const struct mc_spec *spec, bool no_pivot,
			int (*before_pivot)(void))
{
	bool userns = spec->namespaces & CLONE_NEWUSER;

	mc_debug("[child] Setting up rootfs: %s", spec->rootfs);
	if (sys_mount(spec->rootfs_abs, spec->rootfs_abs, NULL,
		      MS_BIND | MS_REC, NULL) < 0)
		return mc_error(errno, "bind mount");
	mc_debug("[child] Bind mounted %s", spec->rootfs_abs);
	if (chdir(spec->rootfs_abs) < 0)
		return mc_error(errno, "chdir");
	if (spec->oci_mounts)
		return enter_oci_rootfs(spec, no_pivot, before_pivot);
	if (mount_dev() < 0 || mount_sys() < 0)
		return -1;
	/*
	 * In a user namespace the kernel allows a new proc only while a fully
	 * visible one is still in the mount namespace: mount it before the old
	 * root goes.  As root, keep the seed's order (after pivot_root).
	 */
	if (userns && mount_proc("proc", !(spec->namespaces & CLONE_NEWPID)) < 0)
		return -1;
	if (pivot() < 0)
		return -1;
	undo.pivoted = true;
	return userns ? 0 : mount_proc("/proc", false);
}

/*
 * In a rootfs a missing target is made.  Without one it must exist: the
 * host's tree is not ours to add directories to.
 */
static int mount_target(const struct mc_spec *spec, const char *target)
{
	struct step *s = step_push(target);
	struct stat st;
	size_t made;

	if (spec->rootfs)
		return mkdir_all(target, s ? &s->made : &made);
	if (stat(target, &st) == 0)
		return 0;
	if (errno == ENOENT)
		return mc_error(0, "mount target %s does not exist (missing targets are made only in a rootfs)",
				target);
	return mc_error(errno, "mount target %s", target);
}

static int extra_mounts(const struct mc_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct mc_mount *m = &spec->mounts[i];

		if (mount_target(spec, m->target) < 0 ||
		    mount_at(m->source, m->target, m->type, m->flags,
			     m->data) < 0)
			return -1;
		/* Propagation is a call of its own, on the new mount. */
		if (m->propagation &&
		    sys_mount(NULL, m->target, NULL, m->propagation, NULL) < 0)
			return mc_error(errno, "propagation of %s", m->target);
		mc_debug("[child] Mounted %s on %s", m->type, m->target);
	}
	return 0;
}

int mc_rootfs_setup(const struct mc_spec *spec, bool no_pivot,
		    int (*before_pivot)(void))
{
	/* Nothing we mount may propagate back to the host. */
	if (sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return mc_error(errno, "make / private");
	if (spec->rootfs) {
		/* /dev, /sys, /proc and the spec's mounts. */
		undo.max = spec->n_mounts + 3;
		undo.steps = calloc(undo.max, sizeof(*undo.steps));
		if (!undo.steps)
			return mc_error(errno, "rootfs %s", spec->rootfs);
	}
	if (spec->rootfs && enter_rootfs(spec, no_pivot, before_pivot) < 0) {
		mc_error_context("rootfs %s", spec->rootfs);
		goto fail;
	}
	if (spec->oci_mounts || extra_mounts(spec) == 0)
		return 0;
fail:
	mc_rootfs_undo();
	return -1;
}

/*
 * Last step first: unmount what hides the step's directories (whatever is
 * mounted there is ours: anything mounted later is gone already), then
 * remove the ones this run made.  The mounts would go with the namespace
 * anyway; the directories would stay in the host's tree.
 */
void mc_rootfs_undo(void)
{
	char path[PATH_MAX];

	while (undo.n) {
		const struct step *s = &undo.steps[--undo.n];
		/* Relative paths were recorded before pivot_root, in the rootfs. */
		size_t off = undo.pivoted && s->path[0] != '/';

		snprintf(path, sizeof(path), "%s%s", off ? "/" : "", s->path);
		sys_umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
		if (s->made)
			rmdir_made(path, s->made + off);
	}
	free(undo.steps);
	memset(&undo, 0, sizeof(undo));
}

/* True when PATH is a mount point: it lives on another device than "/". */
static bool is_mounted(const char *path)
{
	struct stat root, st;

	return stat("/", &root) == 0 && stat(path, &st) == 0 &&
	       root.st_dev != st.st_dev;
}

static int mount_if_missing(const char *type, const char *target)
{
	if (is_mounted(target))
		return 0;
	if (mkdir_if_missing(target, 0755) < 0)
		return -1;
	return mount_at(type, target, type, MS_NOSUID | MS_NOEXEC, NULL);
}

/* The kernel runs init without stdio when the initramfs has no console. */
static void open_console(void)
{
	int fd;

	if (fcntl(2, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/*
 * A machine with no cgroup mount gets the unified hierarchy, where
 * cgroups.c finds it.  Failing is not fatal: only limits need it, and they
 * say so.  An empty /sys/fs/cgroup is still sysfs.
 */
static void mount_cgroup2(void)
{
	struct statfs sfs;

	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == SYSFS_MAGIC)
		sys_mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

int mc_rootfs_mount_machine(void)
{
	if (mount_if_missing("proc", "/proc") < 0 ||
	    mount_if_missing("sysfs", "/sys") < 0)
		return -1;
	if (!is_mounted("/dev") &&
	    (mkdir_if_missing("/dev", 0755) < 0 ||
	     mount_at("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=755") < 0))
		return -1;
	mount_cgroup2();
	open_console();
	return 0;
}
