/* SPDX-License-Identifier: MIT */
#ifndef MC_BPF_H
#define MC_BPF_H

#include <stdint.h>

/*
 * Classic BPF and seccomp's ABI, spelled out here: musl-gcc does not see
 * the kernel's uapi headers (linux/filter.h, linux/seccomp.h,
 * linux/audit.h), and these values are ABI, fixed forever.
 */

/* struct sock_filter, struct sock_fprog */
struct mc_bpf_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct mc_bpf_fprog {
	unsigned short len;
	const struct mc_bpf_insn *filter;
};

/* Instruction classes and fields. */
#define BPF_LD		0x00
#define BPF_ALU		0x04
#define BPF_JMP		0x05
#define BPF_RET		0x06
#define BPF_W		0x00
#define BPF_ABS		0x20
#define BPF_AND		0x50
#define BPF_JA		0x00
#define BPF_JEQ		0x10
#define BPF_JGT		0x20
#define BPF_JGE		0x30
#define BPF_K		0x00

/* struct seccomp_data: nr, arch, instruction_pointer, args[6]. */
#define MC_SECCOMP_DATA_NR	0
#define MC_SECCOMP_DATA_ARCH	4
#define MC_SECCOMP_DATA_ARGS	16
#define MC_SECCOMP_DATA_SIZE	64

#define SECCOMP_SET_MODE_FILTER		1
#define SECCOMP_FILTER_FLAG_TSYNC	(1UL << 0)
#define SECCOMP_FILTER_FLAG_LOG		(1UL << 1)
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW	(1UL << 2)

#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#define SECCOMP_RET_KILL_THREAD	 0x00000000U
#define SECCOMP_RET_TRAP	 0x00030000U
#define SECCOMP_RET_ERRNO	 0x00050000U
#define SECCOMP_RET_TRACE	 0x7ff00000U
#define SECCOMP_RET_LOG		 0x7ffc0000U
#define SECCOMP_RET_ALLOW	 0x7fff0000U
#define SECCOMP_RET_DATA	 0x0000ffffU

/* linux/audit.h: EM_X86_64 and EM_386, 64-bit and little-endian bits. */
#define AUDIT_ARCH_X86_64	0xc000003eU
#define AUDIT_ARCH_I386		0x40000003U

#endif
