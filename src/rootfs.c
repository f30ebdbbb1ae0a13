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
#include "resolve.h"
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
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *path;
	const char *target;
} default_links[] = {
	{ "fd", "/proc/self/fd" },	  { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
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
	int root;	/* the rootfs (O_PATH), where every path is resolved */
} undo = { .root = -1 };

int rootfs_fd(void)
{
	return undo.root;
}

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
 * after a successful run, as runc does): an O_PATH fd of it.  Only a real
 * directory will do: a symlink there (CVE-2019-19921: /proc as a symlink)
 * would put the filesystem somewhere else than where the container looks.
 */
static int mount_point(const char *path, mode_t mode)
{
	const char *name = path + strspn(path, "/");
	struct step *s = step_push(path);
	struct stat st;
	int fd;

	if (mkdirat(undo.root, name, mode) == 0) {
		if (s)
			s->made = strlen(path);
	} else if (errno != EEXIST) {
		return mc_error(errno, "mkdir /%s", name);
	}
	fd = mc_resolve_open(undo.root, name, O_NOFOLLOW);
	if (fd < 0)
		return mc_error(errno, "mount point /%s", name);
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return mc_error(ENOTDIR, "mount point /%s", name);
	}
	return fd;
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
		if (mc_resolve_rmdir(undo.root, path) == 0)
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
 * mkdir -p inside the rootfs: mount targets the rootfs lacks are made, as
 * runc does.  *MADE is the length of the path's first component that had to
 * be made (0: none), also on failure, so that the undo can take them away.
 */
int mkdir_all(const char *path, size_t *made)
{
	return mc_resolve_mkdir_all(undo.root, path, 0755, made);
}

int mount_at(const char *source, const char *target, const char *type,
		    unsigned long flags, const char *data)
{
	if (sys_mount(source, target, type, flags, data) < 0)
		return mc_error(errno, "mount %s on %s", type ? type : source,
				target);
	return 0;
}

/* Mount on the inode FD holds (NAME for the message). */
int mount_fd(const char *source, int fd, const char *type,
	     unsigned long flags, const char *data, const char *name)
{
	struct mc_fd_path p = mc_fd_path(fd);

	if (sys_mount(source, p.s, type, flags, data) < 0)
		return mc_error(errno, "mount %s on /%s", type ? type : source,
				name + strspn(name, "/"));
	return 0;
}

/* Mount on TARGET, resolved inside the rootfs. */
int mount_in_root(const char *source, const char *target, const char *type,
		  unsigned long flags, const char *data)
{
	int fd = mc_resolve_open(undo.root, target, 0), ret;

	if (fd < 0)
		return mc_error(errno, "mount target /%s",
				target + strspn(target, "/"));
	ret = mount_fd(source, fd, type, flags, data, target);
	close(fd);
	return ret;
}

/*
 * Remount what is mounted on TARGET now.  TARGET is resolved again: an fd
 * of the mount point taken before the mount is the covered directory, and
 * a remount through it would change the mount below.  In a user namespace
 * the kernel locked nosuid, nodev, noexec on a bind's source: KEEP_LOCKED
 * reads and keeps them.
 */
int remount_in_root(const char *target, unsigned long flags, bool keep_locked)
{
	int fd = mc_resolve_open(undo.root, target, 0), ret;
	struct statvfs sv;

	if (fd < 0)
		return mc_error(errno, "mount target /%s",
				target + strspn(target, "/"));
	if (keep_locked && fstatvfs(fd, &sv) == 0)
		flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
			 (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
			 (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
	ret = mount_fd(NULL, fd, NULL, MS_REMOUNT | MS_BIND | flags, NULL,
		       target);
	close(fd);
	return ret;
}

/* Bind SOURCE (a host path, reachable until pivot_root) onto TARGET in the
 * rootfs, read-only if asked. */
int bind_mount(const char *source, const char *target, bool rdonly)
{
	if (mount_in_root(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return rdonly ? remount_in_root(target, MS_RDONLY, true) : 0;
}

/* mknod is not allowed in a user namespace: bind the host's node instead. */
static int make_device(int dev, const char *name, dev_t rdev)
{
	char host[32], target[32];
	int fd;

	if (mknodat(dev, name, S_IFCHR | 0666, rdev) == 0)
		return 0;
	if (errno != EPERM)
		return mc_error(errno, "mknod /dev/%s", name);
	fd = openat(dev, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			       O_CLOEXEC, 0666);
	if (fd < 0)
		return mc_error(errno, "create /dev/%s", name);
	close(fd);
	snprintf(host, sizeof(host), "/dev/%s", name);
	snprintf(target, sizeof(target), "dev/%s", name);
	return bind_mount(host, target, false);
}

/* In the rootfs's dev (a fresh tmpfs), resolved inside the rootfs. */
int make_devices(void)
{
	int dev = mc_resolve_open(undo.root, "dev", O_DIRECTORY), ret = 0;

	if (dev < 0)
		return mc_error(errno, "/dev");
	for (size_t i = 0; ret == 0 && i < ARRAY_SIZE(default_devices); i++)
		ret = make_device(dev, default_devices[i].path,
				  makedev(default_devices[i].major,
					  default_devices[i].minor));
	for (size_t i = 0; ret == 0 && i < ARRAY_SIZE(default_links); i++)
		if (symlinkat(default_links[i].target, dev,
			      default_links[i].path) < 0)
			ret = mc_error(errno, "symlink /dev/%s",
				       default_links[i].path);
	close(dev);
	return ret;
}

/* gid 5 (tty) may not be mapped in a user namespace: then go without. */
static int mount_devpts(void)
{
	const char *opts = "newinstance,ptmxmode=0666,mode=0620";
	char with_gid[64];
	int fd = mc_resolve_open(undo.root, "dev/pts", O_DIRECTORY), ret;

	if (fd < 0)
		return mc_error(errno, "mount point /dev/pts");
	snprintf(with_gid, sizeof(with_gid), "%s,gid=5", opts);
	ret = sys_mount("devpts", mc_fd_path(fd).s, "devpts",
			MS_NOSUID | MS_NOEXEC, with_gid);
	if (ret < 0)
		ret = mount_fd("devpts", fd, "devpts", MS_NOSUID | MS_NOEXEC,
			       opts, "dev/pts");
	close(fd);
	return ret;
}

/*
 * sysfs, read-only unless the spec says otherwise (the seed's --privileged);
 * a user namespace without its own network namespace may not mount one, so
 * it gets the host's, bound.
 */
static int mount_sys(bool rdonly)
{
	const unsigned long flags = (rdonly ? MS_RDONLY : 0) | MS_NOSUID |
				    MS_NODEV | MS_NOEXEC;
	int fd = mount_point("sys", 0555), ret;

	if (fd < 0)
		return -1;
	ret = sys_mount("sysfs", mc_fd_path(fd).s, "sysfs", flags, NULL);
	close(fd);
	if (ret < 0 && (errno != EPERM || bind_mount("/sys", "sys", rdonly) < 0))
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
	int fd = mount_point(target, 0555), ret;

	if (fd < 0)
		return -1;
	/*
	 * After pivot_root there is no /proc to reach FD through; but nothing
	 * outside the new root has a name any more, and the caller checks that
	 * /proc is this procfs (not a symlink swapped in meanwhile).
	 */
	ret = sys_mount("proc", undo.pivoted ? "/proc" : mc_fd_path(fd).s,
			"proc", flags, NULL);
	close(fd);
	if (ret < 0 && (errno != EPERM || !may_bind_host ||
			bind_mount("/proc", target, false) < 0))
		return mc_error(errno, "mount proc on /proc");
	mc_debug("[child] Mounted /proc");
	return 0;
}

/* dev/pts and dev/shm in the fresh tmpfs, not through a name that the
 * host's side of the rootfs could swap. */
static int make_dev_dirs(void)
{
	int dev = mc_resolve_open(undo.root, "dev", O_DIRECTORY), ret = 0;

	if (dev < 0)
		return mc_error(errno, "/dev");
	if (mkdirat(dev, "pts", 0755) < 0 && errno != EEXIST)
		ret = mc_error(errno, "mkdir /dev/pts");
	else if (mkdirat(dev, "shm", 01777) < 0 && errno != EEXIST)
		ret = mc_error(errno, "mkdir /dev/shm");
	close(dev);
	return ret;
}

/* Called with the rootfs as cwd, before pivot_root. */
static int mount_dev(void)
{
	mode_t old_umask = umask(0);
	int fd = mount_point("dev", 0755), ret = -1;

	if (fd < 0)
		goto out;
	ret = mount_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_STRICTATIME,
		       "mode=755,size=65536k", "dev");
	close(fd);
	if (ret < 0 || make_devices() < 0 || make_dev_dirs() < 0 ||
	    mount_devpts() < 0 ||
	    mount_in_root("shm", "dev/shm", "tmpfs",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=1777,size=65536k") < 0) {
		ret = -1;
		goto out;
	}
	mc_debug("[child] Mounted /dev");
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

/* The seed's binds (the network's /etc files) come from the host's tree:
 * made before its root goes. */
static int seed_binds(const struct mc_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct mc_mount *m = &spec->mounts[i];
		const char *target = m->target;
		struct step *s;
		size_t made;

		if (!(m->flags & MS_BIND))
			continue;
		while (*target == '/')
			target++;
		s = step_push(target);
		if (mc_resolve_make_file(rootfs_fd(), target, s ? &s->made : &made) < 0 ||
		    bind_mount(m->source, target, false) < 0)
			return mc_error_context("mount %s", m->target);
		mc_debug("[child] Mounted bind on %s", m->target);
	}
	return 0;
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
	/* Every path in the rootfs is resolved inside it, from here. */
	undo.root = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (undo.root < 0)
		return mc_error(errno, "open");
	if (spec->oci_mounts)
		return enter_oci_rootfs(spec, no_pivot, before_pivot);
	if (mount_dev() < 0 || mount_sys(spec->sys_readonly) < 0 ||
	    seed_binds(spec) < 0)
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
	if (!userns && mount_proc("/proc", false) < 0)
		return -1;
	/* From here on /proc/self/fd/N is how mounts are made. */
	return mc_resolve_check_proc("mount proc");
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

		int (*do_mount)(const char *, const char *, const char *,
			     unsigned long, const char *) =
			spec->rootfs ? mount_in_root : mount_at;

		if (m->flags & MS_BIND)
			continue;	/* seed_binds() made it */

		if (mount_target(spec, m->target) < 0 ||
		    do_mount(m->source, m->target, m->type, m->flags, m->data) < 0)
			return -1;
		/* Propagation is a call of its own, on the new mount. */
		if (m->propagation &&
		    do_mount(NULL, m->target, NULL, m->propagation, NULL) < 0)
			return mc_error_context("propagation of %s", m->target);
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
	if (spec->oci_mounts)
		return 0;
	/* The seed's masks come last, so no --tmpfs uncovers them. */
	if (extra_mounts(spec) == 0 &&
	    (!spec->rootfs || mc_mounts_paths(spec) == 0))
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
	if (undo.root >= 0)
		close(undo.root);
	memset(&undo, 0, sizeof(undo));
	undo.root = -1;
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
