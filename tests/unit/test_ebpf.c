// SPDX-License-Identifier: MIT
/*
 * The cgroup v2 device program (cgroup-ebpf.c).  A small interpreter of the
 * instructions it emits runs the generated program on every request of a
 * grid, and compares with the rules read the v1 way (the last rule that
 * matches decides; none: refused).  Then, as root on a host with a cgroup2
 * mount (v2, or hybrid's /sys/fs/cgroup/unified), the real kernel: the
 * verifier loads it, and a child in the cgroup opens /dev/null but not
 * /dev/zero, until an update allows it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/cgroup-priv.h"
#include "error.h"
#include "spec.h"

/* Runs what cg_dev_program emits; anything else fails the test. */
static int run(const struct cg_bpf_insn *p, ssize_t n, uint32_t type,
	       uint32_t access, uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = { access << 16 | type, major, minor };
	uint64_t reg[11] = { 0 };

	for (ssize_t pc = 0; pc < n; pc++) {
		const struct cg_bpf_insn *i = &p[pc];
		unsigned int dst = i->regs & 15, src = i->regs >> 4;

		assert_true(dst < 11 && src < 11);
		switch (i->code) {
		case 0x61:	/* only from the context in R1 */
			assert_int_equal(src, 1);
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			reg[dst] = ctx[i->off / 4];
			break;
		case 0x54: reg[dst] = (uint32_t)reg[dst] & (uint32_t)i->imm; break;
		case 0x74: reg[dst] = (uint32_t)reg[dst] >> i->imm; break;
		case 0xbc: reg[dst] = (uint32_t)reg[src]; break;
		case 0xb4: reg[dst] = (uint32_t)i->imm; break;
		case 0x55:
			if (reg[dst] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case 0x5d:
			if (reg[dst] != reg[src])
				pc += i->off;
			break;
		case 0x95:
			return (int)reg[0];
		default:
			fail_msg("opcode 0x%x", i->code);
		}
		assert_true(pc + 1 <= n);
	}
	fail_msg("ran off the end");
	return -1;
}

static uint32_t bits_of(const char *a)
{
	return (strchr(a, 'm') ? 1 : 0) | (strchr(a, 'r') ? 2 : 0) |
	       (strchr(a, 'w') ? 4 : 0);
}

/* The rules as v1 reads them: the last match wins, none: refused. */
static int reference(const struct mc_dev_rule *r, size_t n, char type,
		     uint32_t access, int64_t major, int64_t minor)
{
	int verdict = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].type != 'a' && r[i].type != type)
			continue;
		if ((r[i].major >= 0 && r[i].major != major) ||
		    (r[i].minor >= 0 && r[i].minor != minor))
			continue;
		if (access & ~bits_of(r[i].access))
			continue;
		verdict = r[i].allow;
	}
	return verdict;
}

static void check_grid(const struct mc_dev_rule *r, size_t n)
{
	static const int64_t majors[] = { 0, 1, 5, 8, 10, 136, 254 };
	static const int64_t minors[] = { 0, 1, 2, 3, 5, 7, 9, 11, 200 };
	struct cg_bpf_insn p[CG_DEV_PROGRAM_MAX];
	ssize_t len = cg_dev_program(r, n, p, CG_DEV_PROGRAM_MAX);

	assert_true(len > 0);
	for (int t = 0; t < 2; t++)
		for (uint32_t acc = 1; acc <= 7; acc++)
			for (size_t a = 0; a < sizeof(majors) / sizeof(*majors); a++)
				for (size_t b = 0; b < sizeof(minors) / sizeof(*minors); b++) {
					char type = t ? 'c' : 'b';
					int want = reference(r, n, type, acc,
							     majors[a], minors[b]);
					int got = run(p, len, t ? 2 : 1, acc,
						      (uint32_t)majors[a],
						      (uint32_t)minors[b]);

					if (got != want)
						fail_msg("%c %lld:%lld access %u: got %d, want %d",
							 type, (long long)majors[a],
							 (long long)minors[b], acc, got, want);
				}
}

/* runc's default list after deny all: what the seed CLI gives root. */
static const struct mc_dev_rule seed[] = {
	{ false, 'a', -1, -1, "rwm" },
	{ true, 'c', -1, -1, "m" },	{ true, 'b', -1, -1, "m" },
	{ true, 'c', 1, 3, "rwm" },	{ true, 'c', 1, 8, "rwm" },
	{ true, 'c', 1, 7, "rwm" },	{ true, 'c', 5, 0, "rwm" },
	{ true, 'c', 1, 5, "rwm" },	{ true, 'c', 1, 9, "rwm" },
	{ true, 'c', 5, 1, "rwm" },	{ true, 'c', 136, -1, "rwm" },
	{ true, 'c', 5, 2, "rwm" },	{ true, 'c', 10, 200, "rwm" },
};

static void test_seed_rules(void **state)
{
	struct cg_bpf_insn p[CG_DEV_PROGRAM_MAX];

	(void)state;
	check_grid(seed, sizeof(seed) / sizeof(*seed));
	/* Spot checks, so the grid cannot agree on a wrong reference. */
	ssize_t n = cg_dev_program(seed, sizeof(seed) / sizeof(*seed), p,
				   CG_DEV_PROGRAM_MAX);
	assert_int_equal(run(p, n, 2, 2 | 4, 1, 3), 1);		/* rw /dev/null */
	assert_int_equal(run(p, n, 2, 2, 1, 11), 0);		/* read kmsg */
	assert_int_equal(run(p, n, 1, 2, 8, 0), 0);		/* read sda */
	assert_int_equal(run(p, n, 1, 1, 8, 0), 1);		/* mknod sda */
	assert_int_equal(run(p, n, 2, 2, 136, 7), 1);		/* a pts */
}

/* The deny-all first rule matches everything: nothing before it is emitted. */
static void test_shapes(void **state)
{
	static const struct mc_dev_rule allow_all[] = {
		{ true, 'c', 1, 3, "r" }, { true, 'a', -1, -1, "rwm" },
	};
	static const struct mc_dev_rule partial[] = {
		{ false, 'a', -1, -1, "rwm" }, { true, 'a', -1, -1, "m" },
		{ true, 'c', 1, 11, "r" }, { false, 'c', 1, -1, "w" },
	};
	struct cg_bpf_insn p[CG_DEV_PROGRAM_MAX];

	(void)state;
	/* prologue 6, "allow all" 2: the rule before it is not there */
	assert_int_equal(cg_dev_program(allow_all, 2, p, CG_DEV_PROGRAM_MAX), 8);
	check_grid(allow_all, 2);
	check_grid(partial, 4);
	check_grid(partial, 0);
	assert_int_equal(cg_dev_program(seed, 13, p, 10), -1);
	assert_int_equal(mc_error_errno(), E2BIG);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random lists of up to 12 rules over the grid's numbers. */
static void test_random_rules(void **state)
{
	static const char *const acc[] = { "r", "w", "m", "rw", "rm", "wm", "rwm" };
	static const char types[] = { 'a', 'b', 'c' };
	static const int64_t nums[] = { -1, 0, 1, 3, 5, 8, 136 };
	struct mc_dev_rule r[12];
	uint32_t s = 2463534242u;

	(void)state;
	for (int round = 0; round < 300; round++) {
		size_t n = rnd(&s) % 13;

		for (size_t i = 0; i < n; i++) {
			r[i].allow = rnd(&s) & 1;
			r[i].type = types[rnd(&s) % 3];
			r[i].major = nums[rnd(&s) % 7];
			r[i].minor = nums[rnd(&s) % 7];
			snprintf(r[i].access, sizeof(r[i].access), "%s",
				 acc[rnd(&s) % 7]);
		}
		check_grid(r, n);
	}
}

/* ---- the kernel ---------------------------------------------------------- */

static char dir[128];

static const char *cgroup2_root(void)
{
	struct statfs s;

	if (statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup";
	if (statfs("/sys/fs/cgroup/unified", &s) == 0 &&
	    s.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup/unified";
	return NULL;
}

/* In a child that joined the cgroup: can it open PATH read-only? */
static int child_opens(const char *path)
{
	char procs[160], pid[16];
	int status, fd;
	pid_t c = fork();

	assert_true(c >= 0);
	if (c == 0) {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		snprintf(pid, sizeof(pid), "%d", getpid());
		fd = open(procs, O_WRONLY);
		if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
			_exit(2);
		close(fd);
		fd = open(path, O_RDONLY);
		_exit(fd >= 0 ? 0 : errno == EPERM ? 1 : 3);
	}
	assert_int_equal(waitpid(c, &status, 0), c);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int cleanup(void **state)
{
	(void)state;
	if (dir[0])
		rmdir(dir);
	return 0;
}

static void test_kernel(void **state)
{
	static const struct mc_dev_rule only_null[] = {
		{ false, 'a', -1, -1, "rwm" }, { true, 'c', 1, 3, "rwm" },
	};
	const struct mc_dev_rule *with_zero = seed;
	const char *root = cgroup2_root();
	int fd;

	(void)state;
	if (geteuid() != 0 || !root) {
		/* Said, not skipped: the grid above still ran. */
		print_message("no cgroup2 mount or not root: the kernel part is not run\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/mcstatic-unit-ebpf-%d", root, getpid());
	assert_int_equal(mkdir(dir, 0755), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(child_opens("/dev/zero"), 0);
	assert_int_equal(cg_dev_program_attach(fd, only_null, 2), 0);
	assert_int_equal(child_opens("/dev/null"), 0);
	assert_int_equal(child_opens("/dev/zero"), 1);
	/* An update replaces the program: zero (1:5) is allowed now. */
	assert_int_equal(cg_dev_program_attach(fd, with_zero, 13), 0);
	assert_int_equal(child_opens("/dev/zero"), 0);
	assert_int_equal(child_opens("/dev/kmsg"), 1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_rules),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_random_rules),
		cmocka_unit_test_teardown(test_kernel, cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
