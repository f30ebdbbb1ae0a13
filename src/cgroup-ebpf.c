// SPDX-License-Identifier: MIT
/*
 * The device controller of cgroup v2: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup.  The
 * kernel runs it on every open and mknod of a device node with
 * {access << 16 | type, major, minor}; 1 allows, 0 refuses (EPERM).
 *
 * The instructions are generated from linux.resources.devices as crun's
 * ebpf.c and runc's devicefilter do, by hand: no libbpf, no compiler.
 * The rules say "the last one that matches wins" (v1's devices.allow and
 * devices.deny); the program tests them from the last to the first and
 * returns at the first match, so the same rule decides.  None matches:
 * refused, as on v1 after OCI's usual first rule, deny all.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-priv.h"
#include "error.h"
#include "sys.h"

/* From linux/bpf.h, which musl-gcc cannot see. */
#define BPF_PROG_LOAD 5
#define BPF_PROG_ATTACH 8
#define BPF_PROG_DETACH 9
#define BPF_PROG_GET_FD_BY_ID 13
#define BPF_PROG_QUERY 16
#define BPF_PROG_TYPE_CGROUP_DEVICE 15
#define BPF_CGROUP_DEVICE 6
#define BPF_F_ALLOW_MULTI 2U

#define DEVCG_DEV_BLOCK 1
#define DEVCG_DEV_CHAR 2
#define DEVCG_ACC_MKNOD 1
#define DEVCG_ACC_READ 2
#define DEVCG_ACC_WRITE 4

/* Opcodes: class | op | source. */
#define OP_LDX_W 0x61		/* dst = *(u32 *)(src + off) */
#define OP_AND32_K 0x54		/* dst &= imm (32 bit) */
#define OP_RSH32_K 0x74		/* dst >>= imm (32 bit) */
#define OP_MOV32_X 0xbc		/* dst = src (32 bit) */
#define OP_MOV32_K 0xb4		/* dst = imm (32 bit) */
#define OP_JNE_K 0x55		/* if dst != imm: pc += off */
#define OP_JNE_X 0x5d		/* if dst != src: pc += off */
#define OP_EXIT 0x95

/* Registers: R1 the context, then what the prologue loads. */
enum { R0, R1, R2_TYPE, R3_ACCESS, R4_MAJOR, R5_MINOR, R6_TMP };

static struct cg_bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src,
			       int16_t off, int32_t imm)
{
	return (struct cg_bpf_insn){ code, (uint8_t)(dst | src << 4), off, imm };
}

/* struct bpf_cgroup_dev_ctx { u32 access_type, major, minor; } */
static const struct cg_bpf_insn prologue[] = {
	{ OP_LDX_W, R2_TYPE | R1 << 4, 0, 0 },
	{ OP_AND32_K, R2_TYPE, 0, 0xffff },
	{ OP_LDX_W, R3_ACCESS | R1 << 4, 0, 0 },
	{ OP_RSH32_K, R3_ACCESS, 0, 16 },
	{ OP_LDX_W, R4_MAJOR | R1 << 4, 4, 0 },
	{ OP_LDX_W, R5_MINOR | R1 << 4, 8, 0 },
};

static int32_t access_bits(const char *access)
{
	int32_t bits = 0;

	for (const char *p = access; *p; p++)
		bits |= *p == 'r' ? DEVCG_ACC_READ
		      : *p == 'w' ? DEVCG_ACC_WRITE
		      : *p == 'm' ? DEVCG_ACC_MKNOD : 0;
	return bits;
}

static bool matches_all(const struct mc_dev_rule *d)
{
	return d->type == 'a' && d->major < 0 && d->minor < 0 &&
	       access_bits(d->access) == 7;
}

/*
 * One rule: each test that fails jumps past the block (to the next rule);
 * all pass, the rule's verdict.  The request's access must be a subset of
 * the rule's ("rw" is not allowed by "r").
 */
static size_t rule_block(const struct mc_dev_rule *d, struct cg_bpf_insn *b)
{
	struct cg_bpf_insn t[8];
	int32_t bits = access_bits(d->access);
	size_t n = 0;

	if (d->type != 'a')
		t[n++] = insn(OP_JNE_K, R2_TYPE, 0, 0,
			      d->type == 'b' ? DEVCG_DEV_BLOCK : DEVCG_DEV_CHAR);
	if (bits != 7) {
		t[n++] = insn(OP_MOV32_X, R6_TMP, R3_ACCESS, 0, 0);
		t[n++] = insn(OP_AND32_K, R6_TMP, 0, 0, bits);
		t[n++] = insn(OP_JNE_X, R6_TMP, R3_ACCESS, 0, 0);
	}
	if (d->major >= 0)
		t[n++] = insn(OP_JNE_K, R4_MAJOR, 0, 0, (int32_t)d->major);
	if (d->minor >= 0)
		t[n++] = insn(OP_JNE_K, R5_MINOR, 0, 0, (int32_t)d->minor);
	t[n++] = insn(OP_MOV32_K, R0, 0, 0, d->allow);
	t[n++] = insn(OP_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < n; i++)
		if (t[i].code == OP_JNE_K || t[i].code == OP_JNE_X)
			t[i].off = (int16_t)(n - i - 1);
	if (b)
		memcpy(b, t, n * sizeof(*t));
	return n;
}

ssize_t cg_dev_program(const struct mc_dev_rule *r, size_t n,
		       struct cg_bpf_insn *out, size_t max)
{
	size_t len = sizeof(prologue) / sizeof(prologue[0]);

	if (max < len + 2)
		return mc_error(E2BIG, "linux.resources.devices: program");
	memcpy(out, prologue, sizeof(prologue));
	for (size_t i = n; i-- > 0;) {
		const struct mc_dev_rule *d = &r[i];

		if ((d->major >= 0 && d->major > INT32_MAX) ||
		    (d->minor >= 0 && d->minor > INT32_MAX))
			return mc_error(ERANGE, "linux.resources.devices[%zu]", i);
		if (len + rule_block(d, NULL) + 2 > max)
			return mc_error(E2BIG, "linux.resources.devices: "
					"more than %zu instructions", max);
		len += rule_block(d, out + len);
		/* Rules before one that matches everything are never reached. */
		if (matches_all(d))
			return (ssize_t)len;
	}
	out[len++] = insn(OP_MOV32_K, R0, 0, 0, 0);
	out[len++] = insn(OP_EXIT, 0, 0, 0, 0);
	return (ssize_t)len;
}

/* The parts of union bpf_attr we use, in the kernel's layout. */
struct prog_load_attr {
	uint32_t prog_type, insn_cnt;
	uint64_t insns, license;
	uint32_t log_level, log_size;
	uint64_t log_buf;
	uint32_t kern_version, prog_flags;
	char prog_name[16];
	uint32_t prog_ifindex, expected_attach_type;
};

struct prog_attach_attr {
	uint32_t target_fd, attach_bpf_fd, attach_type, attach_flags;
};

struct prog_query_attr {
	uint32_t target_fd, attach_type, query_flags, attach_flags;
	uint64_t prog_ids;
	uint32_t prog_cnt;
};

#define MAX_OLD 64

/* The ids of the device programs on the cgroup now (an update's old ones). */
static size_t attached(int cgroup_fd, uint32_t *ids)
{
	struct prog_query_attr q = {
		.target_fd = (uint32_t)cgroup_fd,
		.attach_type = BPF_CGROUP_DEVICE,
		.prog_ids = (uintptr_t)ids,
		.prog_cnt = MAX_OLD,
	};

	if (sys_bpf(BPF_PROG_QUERY, &q, sizeof(q)) < 0)
		return 0;
	return q.prog_cnt < MAX_OLD ? q.prog_cnt : MAX_OLD;
}

/* Once the new one is on: all must allow, so the old ones come off. */
static int detach_old(int cgroup_fd, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t id_attr[4] = { ids[i] };
		struct prog_attach_attr a = {
			.target_fd = (uint32_t)cgroup_fd,
			.attach_type = BPF_CGROUP_DEVICE,
		};
		int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, id_attr, sizeof(id_attr));

		if (fd < 0)
			continue;	/* gone already */
		a.attach_bpf_fd = (uint32_t)fd;
		if (sys_bpf(BPF_PROG_DETACH, &a, sizeof(a)) < 0 && errno != ENOENT) {
			int err = errno;

			close(fd);
			return mc_error(err, "linux.resources.devices: "
					"BPF_PROG_DETACH of the old program");
		}
		close(fd);
	}
	return 0;
}

/*
 * The verifier's log on failure, so a rejected program says why.  The
 * license only matters for GPL-only helpers, and the program calls none.
 */
static int load(const struct cg_bpf_insn *insns, size_t n)
{
	static char log[4096];
	struct prog_load_attr a = {
		.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
		.insn_cnt = (uint32_t)n,
		.insns = (uintptr_t)insns,
		.license = (uintptr_t)"MIT",
		.prog_name = "mcstatic_dev",
	};
	int fd = sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));

	if (fd >= 0 || errno != EACCES)
		return fd < 0 ? mc_error(errno, "linux.resources.devices: "
					 "BPF_PROG_LOAD") : fd;
	a.log_level = 1;
	a.log_size = sizeof(log);
	a.log_buf = (uintptr_t)log;
	fd = sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0)
		return fd;
	log[strcspn(log, "\n")] = '\0';
	return mc_error(EACCES, "linux.resources.devices: the verifier "
			"refused the program: %s", log);
}

/* Load, attach, then take off what an earlier create or update put on. */
int cg_dev_program_attach(int cgroup_fd, const struct mc_dev_rule *r, size_t n)
{
	struct cg_bpf_insn insns[CG_DEV_PROGRAM_MAX];
	struct prog_attach_attr a = {
		.target_fd = (uint32_t)cgroup_fd,
		.attach_type = BPF_CGROUP_DEVICE,
		.attach_flags = BPF_F_ALLOW_MULTI,
	};
	ssize_t len = cg_dev_program(r, n, insns, CG_DEV_PROGRAM_MAX);
	uint32_t old[MAX_OLD];
	size_t n_old;
	int fd, ret;

	if (len < 0)
		return -1;
	fd = load(insns, (size_t)len);
	if (fd < 0)
		return -1;
	n_old = attached(cgroup_fd, old);
	a.attach_bpf_fd = (uint32_t)fd;
	ret = sys_bpf(BPF_PROG_ATTACH, &a, sizeof(a));
	if (ret < 0)
		ret = mc_error(errno, "linux.resources.devices: BPF_PROG_ATTACH");
	/* Attached, the cgroup holds the program: our fd may go. */
	close(fd);
	return ret < 0 ? -1 : detach_old(cgroup_fd, old, n_old);
}
