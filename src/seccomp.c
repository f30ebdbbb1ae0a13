// SPDX-License-Identifier: MIT
/*
 * OCI seccomp profile → classic BPF, the way libseccomp lays it out, without
 * libseccomp.  Pure: no syscalls, so it is unit-tested by running the
 * program in a small interpreter, and fuzzed.
 *
 * The program: the architecture first (an unlisted one gets libseccomp's
 * "bad arch" action, KILL_THREAD); on AUDIT_ARCH_X86_64 the x32 bit of the
 * syscall number picks x32 or x86_64; then, per architecture, a binary
 * search over the syscall numbers the profile names, each leading to its
 * rules (argument checks on both 32-bit halves) and their returns.  Classic
 * BPF jumps reach 255 instructions ahead: farther targets go through a JA.
 *
 * It is built backwards, from the last instruction to the first, so every
 * jump's target exists when the jump is written (as libseccomp does).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "seccomp.h"
#include "util.h"

#define X32_SYSCALL_BIT 0x40000000u

/* ---- names ---------------------------------------------------------------- */

struct mc_sys_entry {
	uint16_t name;		/* offset in mc_sys_names */
	int16_t nr[MC_ARCH_COUNT];
};

#include "syscall-table.h"

int mc_seccomp_syscall_nr(const char *name, enum mc_scmp_arch arch)
{
	size_t lo = 0, hi = ARRAY_SIZE(mc_sys_table);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(name, mc_sys_names + mc_sys_table[mid].name);
		int nr = mc_sys_table[mid].nr[arch];

		if (!cmp) {
			if (nr < 0)
				return -1;
			return arch == MC_ARCH_X32 ? (int)(nr | X32_SYSCALL_BIT) : nr;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *const mc_seccomp_action_names[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	"SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG",
	"SCMP_ACT_ALLOW", NULL,
};

static const enum mc_scmp_action action_values[] = {
	MC_SCMP_KILL_THREAD, MC_SCMP_KILL_PROCESS, MC_SCMP_KILL_THREAD,
	MC_SCMP_TRAP, MC_SCMP_ERRNO, MC_SCMP_TRACE, MC_SCMP_LOG, MC_SCMP_ALLOW,
};

const char *const mc_seccomp_op_names[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

const char *const mc_seccomp_arch_names[] = {
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL,
};

/* libseccomp's other architectures: never the one a process here runs
 * as, so a profile written for several hosts lists them harmlessly. */
static const char *const foreign_arches[] = {
	"SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
	"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

const char *const mc_seccomp_flag_names[] = {
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL,
};

static int name_index(const char *const *names, const char *name)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int mc_seccomp_action(const char *name)
{
	int i = name_index(mc_seccomp_action_names, name);

	return i < 0 ? -1 : (int)action_values[i];
}

int mc_seccomp_op(const char *name)
{
	return name_index(mc_seccomp_op_names, name);
}

/* MC_ARCH_COUNT: an architecture of another machine (nothing to do). */
int mc_seccomp_arch(const char *name)
{
	int i = name_index(mc_seccomp_arch_names, name);

	if (i >= 0)
		return i;
	for (size_t k = 0; k < ARRAY_SIZE(foreign_arches); k++)
		if (!strcmp(foreign_arches[k], name))
			return MC_ARCH_COUNT;
	return -1;
}

long mc_seccomp_flag(const char *name)
{
	static const long bits[] = {
		SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG,
		SECCOMP_FILTER_FLAG_SPEC_ALLOW,
	};
	int i = name_index(mc_seccomp_flag_names, name);

	if (i >= 0)
		return bits[i];
	/* Only mean something with a listener, which we never create. */
	if (!strcmp(name, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH") ||
	    !strcmp(name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
		return 0;
	return -1;
}

uint32_t mc_seccomp_ret(enum mc_scmp_action action, uint32_t data)
{
	switch (action) {
	case MC_SCMP_KILL_THREAD:
		return SECCOMP_RET_KILL_THREAD;
	case MC_SCMP_KILL_PROCESS:
		return SECCOMP_RET_KILL_PROCESS;
	case MC_SCMP_TRAP:
		return SECCOMP_RET_TRAP;
	case MC_SCMP_ERRNO:
		return SECCOMP_RET_ERRNO | (data & SECCOMP_RET_DATA);
	case MC_SCMP_TRACE:
		return SECCOMP_RET_TRACE | (data & SECCOMP_RET_DATA);
	case MC_SCMP_LOG:
		return SECCOMP_RET_LOG;
	case MC_SCMP_ALLOW:
		break;
	}
	return SECCOMP_RET_ALLOW;
}

/* ---- the backwards builder ------------------------------------------------ */

/*
 * Labels are indexes into the reversed program: the instruction written
 * N-th is N.  A jump written at index I to label T skips I - T - 1.
 */
#define RET_CACHE 8

struct gen {
	struct mc_bpf *b;
	uint64_t caps;		/* the bounding set rules are checked against */
	struct {
		uint32_t value;
		size_t label;
	} rets[RET_CACHE];
	size_t n_rets, next_ret;
};

static size_t emit(struct gen *g, uint16_t code, uint32_t k, uint8_t jt,
		   uint8_t jf)
{
	struct mc_bpf *b = g->b;

	if (b->len == b->cap && !b->failed) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		/* Past twice the kernel's limit, the size is all we need. */
		struct mc_bpf_insn *p = cap > MC_BPF_MAX_INSNS * 2 ? NULL :
			realloc(b->insn, cap * sizeof(*p));

		if (!p)
			b->failed = true;
		else {
			b->insn = p;
			b->cap = cap;
		}
	}
	if (b->failed)
		return b->len;	/* labels stay ordered; the result is dropped */
	b->insn[b->len] = (struct mc_bpf_insn){ code, jt, jf, k };
	return b->len++;
}

static size_t dist(const struct gen *g, size_t target)
{
	return g->b->len - target - 1;
}

static size_t ja(struct gen *g, size_t target)
{
	return emit(g, BPF_JMP | BPF_JA, (uint32_t)dist(g, target), 0, 0);
}

static size_t jump(struct gen *g, uint16_t op, uint32_t k, size_t jt,
		   size_t jf)
{
	if (g->b->failed)
		return emit(g, 0, 0, 0, 0);
	/* Out of reach: a JA right after the jump goes there.  A trampoline
	 * for one side pushes the other one farther, so JT is checked again. */
	if (dist(g, jt) > 255)
		jt = ja(g, jt);
	if (dist(g, jf) > 255)
		jf = ja(g, jf);
	if (dist(g, jt) > 255)
		jt = ja(g, jt);
	return emit(g, BPF_JMP | op | BPF_K, k, (uint8_t)dist(g, jt),
		    (uint8_t)dist(g, jf));
}

static size_t load(struct gen *g, uint32_t offset)
{
	return emit(g, BPF_LD | BPF_W | BPF_ABS, offset, 0, 0);
}

/* A return of VALUE: a near one already written, or a new one. */
static size_t ret(struct gen *g, uint32_t value)
{
	size_t slot;

	for (size_t i = 0; i < g->n_rets; i++)
		if (g->rets[i].value == value && dist(g, g->rets[i].label) <= 255)
			return g->rets[i].label;
	slot = g->n_rets < RET_CACHE ? g->n_rets++ : g->next_ret++ % RET_CACHE;
	g->rets[slot].value = value;
	g->rets[slot].label = emit(g, BPF_RET | BPF_K, value, 0, 0);
	return g->rets[slot].label;
}

/* ---- argument checks ------------------------------------------------------ */

static uint32_t arg_offset(unsigned int index, bool high)
{
	/* x86 is little-endian: the high half is the second word. */
	return (uint32_t)(MC_SECCOMP_DATA_ARGS + 8 * index +
			  (high ? 4 : 0));
}

/*
 * Both halves of a 64-bit comparison, as libseccomp: the high words decide
 * unless they are equal, then the low words do.  Returns the first
 * instruction; it continues at PASS or FAIL.
 */
static size_t check_arg(struct gen *g, const struct mc_seccomp_arg *a,
			size_t pass, size_t fail)
{
	uint64_t datum = a->op == MC_SCMP_MASKED_EQ ? a->value_two : a->value;
	uint32_t hi = (uint32_t)(datum >> 32), lo = (uint32_t)datum;
	size_t low, x;

	switch (a->op) {
	case MC_SCMP_EQ:
		low = jump(g, BPF_JEQ, lo, pass, fail);
		low = load(g, arg_offset(a->index, false));
		jump(g, BPF_JEQ, hi, low, fail);
		break;
	case MC_SCMP_NE:
		low = jump(g, BPF_JEQ, lo, fail, pass);
		low = load(g, arg_offset(a->index, false));
		jump(g, BPF_JEQ, hi, low, pass);
		break;
	case MC_SCMP_MASKED_EQ:
		jump(g, BPF_JEQ, lo & (uint32_t)a->value, pass, fail);
		emit(g, BPF_ALU | BPF_AND | BPF_K, (uint32_t)a->value, 0, 0);
		low = load(g, arg_offset(a->index, false));
		jump(g, BPF_JEQ, hi & (uint32_t)(a->value >> 32), low, fail);
		emit(g, BPF_ALU | BPF_AND | BPF_K, (uint32_t)(a->value >> 32), 0, 0);
		break;
	case MC_SCMP_GT:
	case MC_SCMP_GE:
		jump(g, a->op == MC_SCMP_GT ? BPF_JGT : BPF_JGE, lo, pass, fail);
		low = load(g, arg_offset(a->index, false));
		x = jump(g, BPF_JEQ, hi, low, fail);
		jump(g, BPF_JGT, hi, pass, x);
		break;
	case MC_SCMP_LT:	/* not GE */
	case MC_SCMP_LE:	/* not GT */
		jump(g, a->op == MC_SCMP_LE ? BPF_JGT : BPF_JGE, lo, fail, pass);
		low = load(g, arg_offset(a->index, false));
		x = jump(g, BPF_JEQ, hi, low, pass);
		jump(g, BPF_JGT, hi, fail, x);
		break;
	}
	return load(g, arg_offset(a->index, true));
}

/* ---- rules per syscall ---------------------------------------------------- */

/* A rule as it is compiled: all its args, or (runc's rule for a rule that
 * tests one argument twice) only one of them, each a rule of its own. */
struct vrule {
	const struct mc_seccomp_rule *r;
	int only;		/* -1: all args */
};

struct entry {
	uint32_t nr;
	size_t seq;		/* profile order */
	struct vrule v;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool repeats_index(const struct mc_seccomp_rule *r)
{
	unsigned int seen = 0;

	for (size_t i = 0; i < r->n_args; i++) {
		if (seen & 1u << r->args[i].index)
			return true;
		seen |= 1u << r->args[i].index;
	}
	return false;
}

static bool is_default(const struct mc_seccomp *p,
		       const struct mc_seccomp_rule *r)
{
	return mc_seccomp_ret(r->action, r->ret) ==
	       mc_seccomp_ret(p->default_action, p->default_ret);
}

/* One syscall's rules E[0..N-1], in order: the first that matches decides. */
static size_t body(struct gen *g, const struct entry *e, size_t n,
		   uint32_t dflt)
{
	size_t next = ret(g, dflt);

	for (size_t i = n; i-- > 0;) {
		const struct vrule *v = &e[i].v;
		size_t pass = ret(g, mc_seccomp_ret(v->r->action, v->r->ret));

		if (!v->r->n_args) {
			next = pass;	/* what follows is unreachable */
			continue;
		}
		if (v->only >= 0) {
			next = check_arg(g, &v->r->args[v->only], pass, next);
			continue;
		}
		for (size_t k = v->r->n_args; k-- > 0;)
			pass = check_arg(g, &v->r->args[k], pass, next);
		next = pass;
	}
	return next;
}

struct group {
	uint32_t nr;
	const struct entry *e;
	size_t n;
};

/*
 * The syscall numbers from START up to the next segment's START: one
 * group's rules, or (G NULL) the default.  Neighbours that both just
 * return the same value are one segment, so the search runs over ranges
 * (most of a profile is long runs of allowed numbers) instead of over
 * every syscall.
 */
struct seg {
	uint32_t start;
	const struct group *g;
	bool plain;		/* a bare return of VALUE */
	uint32_t value;
};

static void add_seg(struct seg *segs, size_t *n, uint32_t start,
		    const struct group *g, uint32_t dflt)
{
	struct seg s = { start, g, true, dflt };

	if (g) {
		s.plain = !g->e[0].v.r->n_args;
		s.value = mc_seccomp_ret(g->e[0].v.r->action, g->e[0].v.r->ret);
	}
	if (*n && s.plain && segs[*n - 1].plain &&
	    segs[*n - 1].value == s.value)
		return;
	segs[(*n)++] = s;
}

/* Binary search over SEGS[lo..hi), by the first number of each. */
static size_t tree(struct gen *g, const struct seg *segs, size_t lo,
		   size_t hi, uint32_t dflt)
{
	size_t mid, right, left;

	if (hi - lo == 1) {
		if (segs[lo].plain)
			return ret(g, segs[lo].value);
		return body(g, segs[lo].g->e, segs[lo].g->n, dflt);
	}
	mid = lo + (hi - lo) / 2;
	right = tree(g, segs, mid, hi, dflt);
	left = tree(g, segs, lo, mid, dflt);
	return jump(g, BPF_JGE, segs[mid].start, right, left);
}

/* includes/excludes: does the rule count for this bounding set? */
static bool applies(const struct mc_seccomp_rule *r, uint64_t caps)
{
	return (caps & r->caps_all) == r->caps_all && !(caps & r->caps_none);
}

/* Every (syscall number, rule) of the profile on ARCH, sorted. */
static struct entry *entries(const struct gen *g, const struct mc_seccomp *p,
			     enum mc_scmp_arch arch, size_t *n)
{
	size_t cap = 0, k = 0;
	struct entry *e;

	for (size_t i = 0; i < p->n_rules; i++)
		cap += p->rules[i].n_names *
		       (repeats_index(&p->rules[i]) ? p->rules[i].n_args : 1);
	e = calloc(cap ? cap : 1, sizeof(*e));
	if (!e)
		return NULL;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct mc_seccomp_rule *r = &p->rules[i];
		size_t parts = repeats_index(r) ? r->n_args : 1;

		if (is_default(p, r) || !applies(r, g->caps))
			continue;	/* as runc: it changes nothing */
		for (size_t s = 0; s < r->n_names; s++) {
			int nr = mc_seccomp_syscall_nr(r->names[s], arch);

			for (size_t a = 0; nr >= 0 && a < parts; a++, k++)
				e[k] = (struct entry){
					(uint32_t)nr, k, { r, parts > 1 ? (int)a : -1 }
				};
		}
	}
	qsort(e, k, sizeof(*e), cmp_entry);
	*n = k;
	return e;
}

/* One architecture's search tree, with the syscall number in A. */
static int arch_section(struct gen *g, const struct mc_seccomp *p,
			enum mc_scmp_arch arch, size_t *label)
{
	uint32_t dflt = mc_seccomp_ret(p->default_action, p->default_ret);
	uint32_t at = 0;
	struct group *gr;
	struct seg *segs;
	struct entry *e;
	size_t n = 0, ng = 0, ns = 0;

	e = entries(g, p, arch, &n);
	gr = calloc(n ? n : 1, sizeof(*gr));
	segs = calloc(2 * n + 1, sizeof(*segs));
	if (!e || !gr || !segs) {
		free(e);
		free(gr);
		free(segs);
		return mc_error(ENOMEM, "seccomp");
	}
	for (size_t i = 0; i < n; i++) {
		if (!ng || gr[ng - 1].nr != e[i].nr)
			gr[ng++] = (struct group){ e[i].nr, &e[i], 0 };
		gr[ng - 1].n++;
	}
	for (size_t i = 0; i < ng; i++) {
		if (gr[i].nr > at)
			add_seg(segs, &ns, at, NULL, dflt);
		add_seg(segs, &ns, gr[i].nr, &gr[i], dflt);
		at = gr[i].nr + 1;
	}
	add_seg(segs, &ns, at, NULL, dflt);
	*label = tree(g, segs, 0, ns, dflt);
	free(segs);
	free(gr);
	free(e);
	return 0;
}

static bool has(unsigned int arches, enum mc_scmp_arch a)
{
	return arches & 1u << a;
}

/* AUDIT_ARCH_X86_64 is both x86_64 and x32: the x32 bit tells them apart. */
static int x86_64_family(struct gen *g, const struct mc_seccomp *p,
			 unsigned int arches, size_t bad, size_t *label)
{
	size_t l64 = bad, lx32 = bad;

	if (has(arches, MC_ARCH_X32) &&
	    arch_section(g, p, MC_ARCH_X32, &lx32) < 0)
		return -1;
	if (has(arches, MC_ARCH_X86_64) &&
	    arch_section(g, p, MC_ARCH_X86_64, &l64) < 0)
		return -1;
	jump(g, BPF_JGE, X32_SYSCALL_BIT, lx32, l64);
	*label = load(g, MC_SECCOMP_DATA_NR);
	return 0;
}

/* An architecture the profile does not list: libseccomp's default "bad
 * arch" action (SCMP_FLTATR_ACT_BADARCH), SCMP_ACT_KILL, which runc keeps. */
static int build(struct gen *g, const struct mc_seccomp *p)
{
	unsigned int arches = p->arches ? p->arches : 1u << MC_ARCH_X86_64;
	bool x64 = has(arches, MC_ARCH_X86_64) || has(arches, MC_ARCH_X32);
	size_t l32 = 0, l64 = 0, next;

	if (has(arches, MC_ARCH_X86)) {
		if (arch_section(g, p, MC_ARCH_X86, &l32) < 0)
			return -1;
		l32 = load(g, MC_SECCOMP_DATA_NR);
	}
	if (x64 && x86_64_family(g, p, arches, ret(g, SECCOMP_RET_KILL_THREAD), &l64) < 0)
		return -1;
	next = ret(g, SECCOMP_RET_KILL_THREAD);
	if (has(arches, MC_ARCH_X86))
		next = jump(g, BPF_JEQ, AUDIT_ARCH_I386, l32, next);
	if (x64)
		next = jump(g, BPF_JEQ, AUDIT_ARCH_X86_64, l64, next);
	load(g, MC_SECCOMP_DATA_ARCH);
	return 0;
}

int mc_seccomp_compile(const struct mc_seccomp *p, struct mc_bpf *out)
{
	return mc_seccomp_compile_caps(p, ~0ULL, out);
}

int mc_seccomp_compile_caps(const struct mc_seccomp *p, uint64_t caps,
			    struct mc_bpf *out)
{
	struct gen g = { .b = out, .caps = caps };

	*out = (struct mc_bpf){ 0 };
	if (p->prog) {
		out->insn = malloc(p->prog_len * sizeof(*out->insn));
		if (!out->insn)
			return mc_error(ENOMEM, "seccomp");
		memcpy(out->insn, p->prog, p->prog_len * sizeof(*out->insn));
		out->len = p->prog_len;
		return 0;
	}
	if (build(&g, p) < 0) {
		mc_bpf_free(out);
		return -1;
	}
	if (out->failed || out->len > MC_BPF_MAX_INSNS) {
		size_t len = out->len;

		mc_bpf_free(out);
		if (len > MC_BPF_MAX_INSNS)
			return mc_error(0, "linux.seccomp: the filter needs more "
					   "than the kernel's %d instructions",
					MC_BPF_MAX_INSNS);
		return mc_error(ENOMEM, "seccomp");
	}
	/* Written last to first. */
	for (size_t i = 0, j = out->len - 1; i < j; i++, j--) {
		struct mc_bpf_insn t = out->insn[i];

		out->insn[i] = out->insn[j];
		out->insn[j] = t;
	}
	return 0;
}

void mc_bpf_free(struct mc_bpf *b)
{
	free(b->insn);
	*b = (struct mc_bpf){ 0 };
}
