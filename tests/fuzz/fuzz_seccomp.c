// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for seccomp profiles: the input is parsed as an OCI
 * seccomp object (--seccomp FILE, linux.seccomp) and compiled.  Besides what
 * ASan, UBSan and LeakSanitizer catch, every program that compiles is
 * checked the way the kernel's verifier would: each jump lands inside the
 * program, each load is inside seccomp_data, and the last instruction
 * returns.  A broken trampoline aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bpf.h"
#include "config.h"
#include "error.h"
#include "seccomp.h"
#include "spec.h"

static void check(const struct mc_bpf *b)
{
	if (!b->len || b->len > MC_BPF_MAX_INSNS ||
	    b->insn[b->len - 1].code != (BPF_RET | BPF_K))
		abort();
	for (size_t pc = 0; pc < b->len; pc++) {
		const struct mc_bpf_insn *i = &b->insn[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k % 4 || i->k >= MC_SECCOMP_DATA_SIZE)
				abort();
			break;
		case BPF_JMP | BPF_JA:
			if (pc + 1 + (size_t)i->k >= b->len)
				abort();
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
			if (pc + 1 + i->jt >= b->len || pc + 1 + i->jf >= b->len)
				abort();
			break;
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_RET | BPF_K:
			break;
		default:
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_spec spec;
	struct mc_bpf b;

	mc_spec_init(&spec, NULL);
	if (mc_config_parse_seccomp(&spec, (const char *)data, size) == 0 &&
	    mc_seccomp_compile(spec.seccomp, &b) == 0) {
		check(&b);
		mc_bpf_free(&b);
	}
	mc_spec_free(&spec);
	return 0;
}
