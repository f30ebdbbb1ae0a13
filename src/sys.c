// SPDX-License-Identifier: MIT
/* Raw syscalls, kept in one place so the rest reads like plain C. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

pid_t sys_clone(unsigned long flags)
{
	/* x86-64 argument order: flags, stack, parent_tid, child_tid, tls. */
	return syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#define MC_CLONE_INTO_CGROUP 0x200000000ULL

/* struct clone_args of linux/sched.h, up to the cgroup field (VER2). */
struct mc_clone_args {
	unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal,
		stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

pid_t sys_clone3(unsigned long flags, int cgroup_fd)
{
	struct mc_clone_args args = {
		.flags = flags,
		.exit_signal = SIGCHLD,
	};

	if (cgroup_fd >= 0) {
		args.flags |= MC_CLONE_INTO_CGROUP;
		args.cgroup = (unsigned long long)cgroup_fd;
	}
	/* No stack: like fork, the child returns 0 on a copy of ours. */
	return syscall(SYS_clone3, &args, sizeof(args));
}

int sys_mount(const char *source, const char *target, const char *type,
	      unsigned long flags, const void *data)
{
	return mount(source, target, type, flags, data);
}

int sys_umount2(const char *target, int flags)
{
	return umount2(target, flags);
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
	return syscall(SYS_pivot_root, new_root, put_old);
}

static void close_one(int fd, bool cloexec_only)
{
	if (cloexec_only)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	else
		close(fd);
}

static int close_walk(unsigned int first, bool cloexec_only)
{
	struct rlimit rl = { 0 };
	DIR *d = opendir("/proc/self/fd");

	if (d) {
		struct dirent *e;

		while ((e = readdir(d))) {
			int fd = atoi(e->d_name);

			if (e->d_name[0] != '.' && fd >= (int)first &&
			    fd != dirfd(d))
				close_one(fd, cloexec_only);
		}
		closedir(d);
		return 0;
	}
	/* No /proc: fall back to every possible descriptor. */
	getrlimit(RLIMIT_NOFILE, &rl);
	for (rlim_t fd = first; fd < rl.rlim_cur && fd < 65536; fd++)
		close_one(fd, cloexec_only);
	return 0;
}

/* capset(2) of linux/capability.h, version 3: two 32-bit halves each. */
#define MC_CAP_VERSION_3 0x20080522

/* linux/capability.h's header and (two, for 64 bits) data records. */
struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

int sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	struct cap_header hdr = { MC_CAP_VERSION_3, 0 };
	struct cap_data data[2];

	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(effective >> (32 * i));
		data[i].permitted = (uint32_t)(permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
	}
	return syscall(SYS_capset, &hdr, data);
}

int sys_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable)
{
	struct cap_header hdr = { MC_CAP_VERSION_3, 0 };
	struct cap_data data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	*effective = data[0].effective | (uint64_t)data[1].effective << 32;
	*permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
	*inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	return 0;
}

int sys_close_from(unsigned int first, bool cloexec_only)
{
	if (syscall(SYS_close_range, first, ~0U,
		    cloexec_only ? CLOSE_RANGE_CLOEXEC : 0) == 0)
		return 0;
	/* Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC (5.9: close_range). */
	return close_walk(first, cloexec_only);
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int sys_pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* struct open_how of linux/openat2.h (Linux 5.6). */
struct mc_open_how {
	uint64_t flags, mode, resolve;
};

int sys_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct mc_open_how how = {
		.flags = (uint64_t)(unsigned int)flags,
		.resolve = resolve,
	};

	return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

#ifndef SYS_seccomp
#define SYS_seccomp 317
#endif

int sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

/* bpf(2): CMD with ATTR (union bpf_attr's first SIZE bytes). */
int sys_bpf(int cmd, void *attr, unsigned int size)
{
	return (int)syscall(SYS_bpf, cmd, attr, size);
}
