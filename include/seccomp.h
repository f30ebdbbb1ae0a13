/* SPDX-License-Identifier: MIT */
#ifndef MC_SECCOMP_H
#define MC_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf.h"

/*
 * linux.seccomp, the OCI profile, and its compiler to classic BPF (the
 * kernel's seccomp filter language).  No libseccomp: Debian's static one is
 * glibc-only.  The compiler is pure (no syscalls): a profile in, a program
 * out; seccomp-load.c installs it.
 */

enum mc_scmp_action {
	MC_SCMP_KILL_THREAD,	/* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
	MC_SCMP_KILL_PROCESS,
	MC_SCMP_TRAP,
	MC_SCMP_ERRNO,
	MC_SCMP_TRACE,
	MC_SCMP_LOG,
	MC_SCMP_ALLOW,
};

enum mc_scmp_op {
	MC_SCMP_NE, MC_SCMP_LT, MC_SCMP_LE, MC_SCMP_EQ, MC_SCMP_GE,
	MC_SCMP_GT, MC_SCMP_MASKED_EQ,
};

/* The architectures a profile lists (bits of mc_seccomp.arches). */
enum mc_scmp_arch {
	MC_ARCH_X86_64, MC_ARCH_X86, MC_ARCH_X32, MC_ARCH_COUNT
};

#define MC_SCMP_MAX_ARGS 6	/* seccomp_data.args */

struct mc_seccomp_arg {
	unsigned int index;	/* 0..5 */
	uint64_t value;		/* MASKED_EQ: the mask */
	uint64_t value_two;	/* MASKED_EQ: the datum */
	enum mc_scmp_op op;
};

/* One syscalls[] entry: its args are ANDed. */
struct mc_seccomp_rule {
	char **names;
	size_t n_names;
	enum mc_scmp_action action;
	uint32_t ret;		/* errnoRet: ERRNO's errno, TRACE's data */
	struct mc_seccomp_arg *args;
	size_t n_args;
	/* containers/common's "includes"/"excludes": {"caps": [...]}: the rule
	 * counts only when the bounding set has all of CAPS_ALL and none of
	 * CAPS_NONE (bit n: capability n). */
	uint64_t caps_all, caps_none;
};

struct mc_seccomp {
	enum mc_scmp_action default_action;
	uint32_t default_ret;	/* defaultErrnoRet */
	unsigned int arches;	/* 1 << MC_ARCH_*; 0: the native one */
	unsigned int flags;	/* SECCOMP_FILTER_FLAG_* */
	struct mc_seccomp_rule *rules;
	size_t n_rules;
	/* The built-in profile: compiled already, for the bounding set
	 * PROG_CAPS; its rules name CAPS_USED in conditions.  For another set
	 * that differs there, JSON (the profile's text) is compiled anew. */
	const struct mc_bpf_insn *prog;
	size_t prog_len;
	uint64_t prog_caps, caps_used;
	const char *json;
};

/* A compiled filter; insn is malloc'd. */
struct mc_bpf {
	struct mc_bpf_insn *insn;
	size_t len, cap;
	bool failed;		/* out of memory or over the kernel's limit */
};

#define MC_BPF_MAX_INSNS 4096	/* BPF_MAXINSNS */

/* Names ↔ values, for the front-ends and `features`.  -1: unknown. */
int mc_seccomp_action(const char *name);	/* "SCMP_ACT_ALLOW" */
int mc_seccomp_op(const char *name);		/* "SCMP_CMP_EQ" */
int mc_seccomp_arch(const char *name);		/* "SCMP_ARCH_X86_64" */
/* "SECCOMP_FILTER_FLAG_TSYNC" → its bit; 0: a flag this kernel ABI lacks
 * (skipped, as libseccomp); -1: not a flag. */
long mc_seccomp_flag(const char *name);
/* NULL-terminated lists of the names above, for `features`. */
extern const char *const mc_seccomp_action_names[];
extern const char *const mc_seccomp_op_names[];
extern const char *const mc_seccomp_arch_names[];
extern const char *const mc_seccomp_flag_names[];

/* The number of syscall NAME on ARCH (x32: with __X32_SYSCALL_BIT), or -1. */
int mc_seccomp_syscall_nr(const char *name, enum mc_scmp_arch arch);

/* The SECCOMP_RET_* value of ACTION with its data. */
uint32_t mc_seccomp_ret(enum mc_scmp_action action, uint32_t data);

/*
 * PROFILE → OUT (mc_bpf_free() it).  Syscall names an architecture lacks
 * are skipped, as runc does; rules with the default action too.  Fails when
 * the program would pass the kernel's 4096 instructions.
 */
int mc_seccomp_compile(const struct mc_seccomp *profile, struct mc_bpf *out);
/* The same for a process whose bounding set is CAPS (rules' conditions);
 * mc_seccomp_compile() is this with every capability. */
int mc_seccomp_compile_caps(const struct mc_seccomp *profile, uint64_t caps,
			    struct mc_bpf *out);
void mc_bpf_free(struct mc_bpf *b);

/* The built-in default profile (src/seccomp-default.json), compiled when
 * mcstatic was built: build/gen/seccomp-default.c. */
extern const struct mc_seccomp mc_seccomp_default;

struct mc_spec;

/*
 * seccomp-load.c.  Parent, before clone (or the exec joiner's fork): compile
 * spec->seccomp.  Child: install it at one of the two points the order
 * gives; each is a no-op at the other one, and without a profile.
 */
int mc_seccomp_prepare(const struct mc_spec *spec);
/* Without no_new_privs the kernel asks for CAP_SYS_ADMIN (effective): before
 * the identity, whose switch to a uid other than 0 empties the effective
 * set, and before the capabilities are dropped (runc's place too). */
int mc_seccomp_install_early(const struct mc_spec *spec);
/* Just before execve, with no_new_privs: as few of our syscalls after it
 * as can be. */
int mc_seccomp_install_late(const struct mc_spec *spec);

#endif
