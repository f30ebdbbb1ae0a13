/* SPDX-License-Identifier: MIT */
#ifndef MC_SYS_H
#define MC_SYS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Raw syscall wrappers: the only place that says syscall(SYS_...) or calls
 * the kernel's mount API directly.  Each returns like the syscall (-1 and
 * errno on failure).
 */

/* clone() with fork semantics: no new stack, the child returns 0. */
pid_t sys_clone(unsigned long flags);

/*
 * clone3() with fork semantics, born in the cgroup v2 directory CGROUP_FD
 * (CLONE_INTO_CGROUP) unless it is -1.  Fails with ENOSYS before 5.3 and
 * E2BIG before 5.7, where the caller falls back to sys_clone().
 */
pid_t sys_clone3(unsigned long flags, int cgroup_fd);

int sys_mount(const char *source, const char *target, const char *type,
	      unsigned long flags, const void *data);
int sys_umount2(const char *target, int flags);
int sys_pivot_root(const char *new_root, const char *put_old);

/* This process's capability sets (bit N is capability N), as capset(2). */
int sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
int sys_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);

/*
 * Close every fd >= FIRST, or with CLOEXEC_ONLY mark them close-on-exec
 * (close_range, or a /proc walk on kernels before 5.11).
 */
int sys_close_from(unsigned int first, bool cloexec_only);

/*
 * openat2(2) with RESOLVE flags (linux/openat2.h: RESOLVE_NO_MAGICLINKS 0x02,
 * RESOLVE_IN_ROOT 0x10); no mode, so never with O_CREAT.  ENOSYS before 5.6.
 */
#define SYS_RESOLVE_NO_MAGICLINKS 0x02
#define SYS_RESOLVE_IN_ROOT 0x10
int sys_openat2(int dirfd, const char *path, int flags, uint64_t resolve);

/* A close-on-exec fd that polls readable once PID exits (Linux 5.3). */
int sys_pidfd_open(pid_t pid);

/* seccomp(2): SECCOMP_SET_MODE_FILTER with a struct sock_fprog. */
int sys_seccomp(unsigned int op, unsigned int flags, void *args);
/* bpf(2) with the first SIZE bytes of a union bpf_attr; an fd, 0 or -1. */
int sys_bpf(int cmd, void *attr, unsigned int size);

#endif
