// SPDX-License-Identifier: MIT
/*
 * seccomp.c: profiles compiled to classic BPF, then run here in a small
 * interpreter of the instructions the compiler may emit, on seccomp_data
 * values, and the verdicts checked against what each rule means.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bpf.h"
#include "caps.h"
#include "config.h"
#include "error.h"
#include "seccomp.h"
#include "spec.h"

#define X32 0x40000000u
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define ALLOW SECCOMP_RET_ALLOW
#define KILL SECCOMP_RET_KILL_THREAD

struct data {
	uint32_t nr, arch;
	uint64_t ip;
	uint64_t args[6];
};

/* The kernel's checks too: every jump lands inside, every load is aligned
 * and inside seccomp_data, the program ends in a return. */
static uint32_t run(const struct mc_bpf_insn *p, size_t len,
		    const struct data *d)
{
	uint32_t a = 0, words[16];
	size_t pc = 0;

	memcpy(words, d, sizeof(words));
	assert_true(len > 0 && len <= MC_BPF_MAX_INSNS);
	for (size_t steps = 0; steps <= len; steps++) {
		const struct mc_bpf_insn *i;

		assert_true(pc < len);
		i = &p[pc++];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(i->k % 4 == 0 && i->k < MC_SECCOMP_DATA_SIZE);
			a = words[i->k / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			fail_msg("instruction %zu: code 0x%x", pc - 1, i->code);
		}
	}
	fail_msg("no return");
	return 0;
}

static struct mc_spec spec;
static struct mc_bpf prog;

static void compile(const char *json)
{
	mc_spec_init(&spec, NULL);
	if (mc_config_parse_seccomp(&spec, json, strlen(json)) < 0)
		fail_msg("%s", mc_error_text());
	if (mc_seccomp_compile(spec.seccomp, &prog) < 0)
		fail_msg("%s", mc_error_text());
}

static int teardown(void **state)
{
	(void)state;
	mc_bpf_free(&prog);
	mc_spec_free(&spec);
	return 0;
}

static uint32_t verdict_on(uint32_t arch, uint32_t nr, uint64_t a0, uint64_t a1)
{
	struct data d = { .nr = nr, .arch = arch, .args = { a0, a1 } };

	return run(prog.insn, prog.len, &d);
}

static uint32_t verdict(const char *name, uint64_t a0, uint64_t a1)
{
	int nr = mc_seccomp_syscall_nr(name, MC_ARCH_X86_64);

	assert_true(nr >= 0);
	return verdict_on(AUDIT_ARCH_X86_64, (uint32_t)nr, a0, a1);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(mc_seccomp_syscall_nr("read", MC_ARCH_X86_64), 0);
	assert_int_equal(mc_seccomp_syscall_nr("read", MC_ARCH_X86), 3);
	assert_int_equal(mc_seccomp_syscall_nr("read", MC_ARCH_X32), X32);
	assert_int_equal(mc_seccomp_syscall_nr("rt_sigaction", MC_ARCH_X32), X32 + 512);
	assert_int_equal(mc_seccomp_syscall_nr("openat2", MC_ARCH_X86_64), 437);
	assert_int_equal(mc_seccomp_syscall_nr("_llseek", MC_ARCH_X86_64), -1);
	assert_int_equal(mc_seccomp_syscall_nr("_llseek", MC_ARCH_X86), 140);
	assert_int_equal(mc_seccomp_syscall_nr("no_such_call", MC_ARCH_X86), -1);
	assert_int_equal(mc_seccomp_action("SCMP_ACT_KILL"), MC_SCMP_KILL_THREAD);
	assert_int_equal(mc_seccomp_op("SCMP_CMP_MASKED_EQ"), MC_SCMP_MASKED_EQ);
	assert_int_equal(mc_seccomp_flag("SECCOMP_FILTER_FLAG_SPEC_ALLOW"), 4);
	assert_int_equal(mc_seccomp_flag("SECCOMP_FILTER_FLAG_TSYNC_ESRCH"), 0);
	assert_int_equal(mc_seccomp_flag("SECCOMP_FILTER_FLAG_BOGUS"), -1);
}

static void test_actions(void **state)
{
	(void)state;
	compile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		" \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_TSYNC_ESRCH\"],"
		" \"syscalls\": ["
		"{\"names\": [\"read\", \"no_such_call\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		"{\"names\": [\"open\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
		"{\"names\": [\"close\"], \"action\": \"SCMP_ACT_KILL\"},"
		"{\"names\": [\"stat\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
		"{\"names\": [\"fstat\"], \"action\": \"SCMP_ACT_TRAP\"},"
		"{\"names\": [\"lstat\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 7},"
		"{\"names\": [\"poll\"], \"action\": \"SCMP_ACT_LOG\"},"
		"{\"names\": [\"lseek\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}]}");
	assert_int_equal(spec.seccomp->flags, SECCOMP_FILTER_FLAG_LOG);
	assert_int_equal(verdict("read", 0, 0), ALLOW);
	assert_int_equal(verdict("write", 0, 0), ERRNO(1));	/* EPERM */
	assert_int_equal(verdict("open", 0, 0), ERRNO(13));
	assert_int_equal(verdict("close", 0, 0), KILL);
	assert_int_equal(verdict("stat", 0, 0), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(verdict("fstat", 0, 0), SECCOMP_RET_TRAP);
	assert_int_equal(verdict("lstat", 0, 0), SECCOMP_RET_TRACE | 7);
	assert_int_equal(verdict("poll", 0, 0), SECCOMP_RET_LOG);
	assert_int_equal(verdict("lseek", 0, 0), KILL);
	/* defaultErrnoRet: whatever the profile does not name. */
	assert_int_equal(verdict("mmap", 0, 0), ERRNO(38));
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, 4095, 0, 0), ERRNO(38));
	/* Only x86_64 listed (none: the native one): i386 and x32 are a bad
	 * arch, killed as libseccomp does; so is an arch no one knows. */
	assert_int_equal(verdict_on(AUDIT_ARCH_I386, 3, 0, 0), KILL);
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, X32 + 0, 0, 0), KILL);
	assert_int_equal(verdict_on(0xc00000b7, 0, 0, 0), KILL);
}

static void test_arches(void **state)
{
	(void)state;
	compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
		" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\","
		" \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\"], \"syscalls\": ["
		"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5},"
		"{\"names\": [\"_llseek\", \"fork\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 6}]}");
	/* read: 0 on x86_64, 3 on i386, 0x40000000 on x32. */
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, 0, 0, 0), ERRNO(5));
	assert_int_equal(verdict_on(AUDIT_ARCH_I386, 3, 0, 0), ERRNO(5));
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, X32, 0, 0), ERRNO(5));
	/* i386's 0 is restart_syscall, x32's 3 is close. */
	assert_int_equal(verdict_on(AUDIT_ARCH_I386, 0, 0, 0), ALLOW);
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, X32 + 3, 0, 0), ALLOW);
	/* _llseek is i386's only (140); fork is 57 on x86_64, 2 on i386, and
	 * x32 has none (x32's 57 is x86_64's fork, not x32's). */
	assert_int_equal(verdict_on(AUDIT_ARCH_I386, 140, 0, 0), ERRNO(6));
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, 140, 0, 0), ALLOW);
	assert_int_equal(verdict_on(AUDIT_ARCH_I386, 2, 0, 0), ERRNO(6));
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, 57, 0, 0), ERRNO(6));
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, X32 + 57, 0, 0),
			 mc_seccomp_syscall_nr("fork", MC_ARCH_X32) < 0 ? ALLOW : ERRNO(6));
	assert_int_equal(verdict_on(0xc00000b7, 0, 0, 0), KILL);
}

static void test_x32_only(void **state)
{
	(void)state;
	compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
		" \"architectures\": [\"SCMP_ARCH_X32\"], \"syscalls\": ["
		"{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, X32 + 1, 0, 0), ERRNO(1));
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, X32 + 0, 0, 0), ALLOW);
	/* Not listed: x86_64 proper. */
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, 1, 0, 0), KILL);
}

/* What each operator means, on the whole 64 bits, unsigned (libseccomp). */
static bool holds(enum mc_scmp_op op, uint64_t arg, uint64_t v, uint64_t v2)
{
	switch (op) {
	case MC_SCMP_NE: return arg != v;
	case MC_SCMP_LT: return arg < v;
	case MC_SCMP_LE: return arg <= v;
	case MC_SCMP_EQ: return arg == v;
	case MC_SCMP_GE: return arg >= v;
	case MC_SCMP_GT: return arg > v;
	case MC_SCMP_MASKED_EQ: return (arg & v) == (v2 & v);
	}
	return false;
}

static void test_operators(void **state)
{
	/* Around the datum in each half: the low word alone must not decide. */
	static const uint64_t data[] = {
		0x100000005, 0x5, 0xffffffff, 0
	};
	static const uint64_t args[] = {
		0, 1, 4, 5, 6, 0xffffffff, 0x100000000, 0x100000004, 0x100000005,
		0x100000006, 0x1ffffffff, 0x200000005, 0xffffffff00000005,
		UINT64_MAX,
	};
	char json[512];

	(void)state;
	for (int op = MC_SCMP_NE; op <= MC_SCMP_MASKED_EQ; op++) {
		for (size_t d = 0; d < sizeof(data) / sizeof(data[0]); d++) {
			uint64_t v = op == MC_SCMP_MASKED_EQ ? 0xff000000ff00000fULL : data[d];
			uint64_t v2 = data[d];

			snprintf(json, sizeof(json),
				 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
				 "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", "
				 "\"args\": [{\"index\": 1, \"value\": %llu, \"valueTwo\": %llu, "
				 "\"op\": \"%s\"}]}]}",
				 (unsigned long long)v, (unsigned long long)v2,
				 mc_seccomp_op_names[op]);
			compile(json);
			for (size_t a = 0; a < sizeof(args) / sizeof(args[0]); a++) {
				uint32_t want = holds(op, args[a], v, v2) ? ERRNO(1) : ALLOW;

				if (verdict("ioctl", 0, args[a]) != want)
					fail_msg("%s %llx against %llx: wrong verdict",
						 mc_seccomp_op_names[op],
						 (unsigned long long)args[a],
						 (unsigned long long)v);
				/* Another argument's value changes nothing. */
				assert_int_equal(verdict("ioctl", args[a], v2), holds(op, v2, v, v2) ? ERRNO(1) : ALLOW);
			}
			teardown(NULL);
		}
	}
}

/* podman's socket rules: args ANDed within a rule, the first matching
 * rule decides, and a rule testing one argument twice is runc's OR. */
static void test_several_rules(void **state)
{
	(void)state;
	compile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": ["
		"{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22, \"args\": ["
		"  {\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_EQ\"},"
		"  {\"index\": 2, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},"
		"{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"  {\"index\": 2, \"value\": 9, \"op\": \"SCMP_CMP_NE\"}]},"
		"{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"  {\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_NE\"}]},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 3, \"args\": ["
		"  {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"},"
		"  {\"index\": 1, \"value\": 15, \"op\": \"SCMP_CMP_EQ\"}]},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_KILL\"}]}");
	struct data d = { .arch = AUDIT_ARCH_X86_64, .nr = 41 };	/* socket */

	d.args[0] = 16, d.args[2] = 9;	/* AF_NETLINK, NETLINK_AUDIT */
	assert_int_equal(run(prog.insn, prog.len, &d), ERRNO(22));
	d.args[2] = 0;
	assert_int_equal(run(prog.insn, prog.len, &d), ALLOW);
	d.args[0] = 2, d.args[2] = 9;
	assert_int_equal(run(prog.insn, prog.len, &d), ALLOW);
	d.args[2] = 0x900000009;	/* the high half counts */
	d.args[0] = 16;
	assert_int_equal(run(prog.insn, prog.len, &d), ALLOW);
	assert_int_equal(verdict("kill", 1, 9), ERRNO(3));
	assert_int_equal(verdict("kill", 1, 15), ERRNO(3));
	assert_int_equal(verdict("kill", 1, 2), ALLOW);
}

/* One syscall with 400 argument rules: its body is far longer than a
 * jump reaches, and the search tree must jump over it. */
static void test_long_jumps(void **state)
{
	size_t size = 64 * 1024, len = 0;
	char *json = malloc(size);

	(void)state;
	assert_non_null(json);
	len += snprintf(json + len, size - len,
			"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [");
	for (int i = 0; i < 400; i++)
		len += snprintf(json + len, size - len,
				"{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\", "
				"\"args\": [{\"index\": 1, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]},",
				1000 + i * 7);
	snprintf(json + len, size - len,
		 "{\"names\": [\"read\", \"write\", \"close\", \"exit_group\", \"openat\"],"
		 " \"action\": \"SCMP_ACT_ALLOW\"}]}");
	compile(json);
	free(json);
	assert_true(prog.len > 1600);
	/* The trampolines are there (else this test proves nothing). */
	for (size_t i = 0, n = 0; i < prog.len; i++)
		if (prog.insn[i].code == (BPF_JMP | BPF_JA) && ++n == 2)
			break;
		else if (i == prog.len - 1)
			fail_msg("no JA trampoline in %zu instructions", prog.len);
	for (int i = 0; i < 400; i++) {
		assert_int_equal(verdict("ioctl", 0, 1000 + i * 7), ALLOW);
		assert_int_equal(verdict("ioctl", 0, 1001 + i * 7), ERRNO(1));
	}
	assert_int_equal(verdict("read", 0, 0), ALLOW);
	assert_int_equal(verdict("openat", 0, 0), ALLOW);
	assert_int_equal(verdict("exit_group", 0, 0), ALLOW);
	assert_int_equal(verdict("mmap", 0, 0), ERRNO(1));
}

static void test_too_big(void **state)
{
	size_t size = 256 * 1024, len = 0;
	char *json = malloc(size);

	(void)state;
	assert_non_null(json);
	len += snprintf(json + len, size - len,
			"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [");
	for (int i = 0; i < 1100; i++)
		len += snprintf(json + len, size - len,
				"%s{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\", "
				"\"args\": [{\"index\": 1, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]}",
				i ? "," : "", i);
	snprintf(json + len, size - len, "]}");
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse_seccomp(&spec, json, strlen(json)), 0);
	free(json);
	assert_int_equal(mc_seccomp_compile(spec.seccomp, &prog), -1);
	assert_string_equal(mc_error_text(), "linux.seccomp: the filter needs "
			    "more than the kernel's 4096 instructions");
	assert_null(prog.insn);
}

/* tests/unit/build/../../../src/NAME, from this binary. */
static char *read_src(const char *name, size_t *len)
{
	char exe[PATH_MAX], path[PATH_MAX + 64], *buf;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;
	long size;

	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(path, sizeof(path), "%s/../../../src/%s", exe, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, size, f), size);
	fclose(f);
	*len = size;
	return buf;
}

/*
 * The built-in profile is the compiler's output for src/seccomp-default.json
 * (built at build time), and it lets through every syscall mcstatic makes
 * between installing it and execve.
 */
static void test_default(void **state)
{
	static const char *const ours[] = {
		"capset", "capget", "prctl", "rt_sigaction", "rt_sigprocmask",
		"fcntl", "execve", "sendmsg", "write", "exit_group", "exit",
		"recvfrom", "close", "close_range", "setresuid", "setgroups",
		"open", "openat", "read", "stat", "newfstatat", "access",
		"getcwd", "chdir", "fork", "wait4",
	};
	const struct mc_seccomp *d = &mc_seccomp_default;
	size_t len;
	char *json = read_src("seccomp-default.json", &len);

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse_seccomp(&spec, json, len), 0);
	free(json);
	assert_int_equal(mc_seccomp_compile_caps(spec.seccomp, MC_CAPS_SEED_DEFAULT,
						 &prog), 0);
	print_message("podman's profile: %zu instructions\n", prog.len);
	assert_int_equal(d->prog_len, prog.len);
	assert_memory_equal(d->prog, prog.insn, prog.len * sizeof(*prog.insn));
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (verdict(ours[i], 0, 0) != ALLOW)
			fail_msg("the default profile blocks %s", ours[i]);
	assert_int_equal(verdict("swapoff", 0, 0), ERRNO(1));
	assert_int_equal(verdict("sethostname", 0, 0), ERRNO(1));
	assert_int_equal(verdict("personality", 0xffffffff, 0), ALLOW);
	assert_int_equal(verdict("personality", 1, 0), ERRNO(38));
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, 1000, 0, 0), ERRNO(38));
	assert_int_equal(verdict_on(AUDIT_ARCH_I386, 3, 0, 0), ALLOW);
	assert_int_equal(verdict_on(AUDIT_ARCH_X86_64, X32 + 1, 0, 0), ALLOW);
	assert_int_equal(verdict("chroot", 0, 0), ALLOW);
}

/*
 * includes/excludes: the rules follow the bounding set, as the engines
 * render their profile: CAP_SYS_ADMIN (21) opens sethostname, without
 * CAP_SYS_CHROOT (18) chroot is EPERM.  The built-in profile's own text (what
 * mcstatic compiles for such a set) is the source file's.
 */
static void test_default_caps(void **state)
{
	const struct mc_seccomp *d = &mc_seccomp_default;

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse_seccomp(&spec, d->json, strlen(d->json)), 0);
	assert_true(d->caps_used & 1ULL << 21);
	assert_int_equal(mc_seccomp_compile_caps(spec.seccomp,
						 MC_CAPS_SEED_DEFAULT | 1ULL << 21,
						 &prog), 0);
	assert_int_equal(verdict("sethostname", 0, 0), ALLOW);
	assert_int_equal(verdict("swapoff", 0, 0), ERRNO(1));
	mc_bpf_free(&prog);
	assert_int_equal(mc_seccomp_compile_caps(spec.seccomp,
						 MC_CAPS_SEED_DEFAULT & ~(1ULL << 18 | 1ULL << 29),
						 &prog), 0);
	assert_int_equal(verdict("chroot", 0, 0), ERRNO(1));
	assert_int_equal(verdict("sethostname", 0, 0), ERRNO(1));
	assert_int_equal(verdict("socket", 2, 1), ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_teardown(test_actions, teardown),
		cmocka_unit_test_teardown(test_arches, teardown),
		cmocka_unit_test_teardown(test_x32_only, teardown),
		cmocka_unit_test_teardown(test_operators, teardown),
		cmocka_unit_test_teardown(test_several_rules, teardown),
		cmocka_unit_test_teardown(test_long_jumps, teardown),
		cmocka_unit_test_teardown(test_too_big, teardown),
		cmocka_unit_test_teardown(test_default_caps, teardown),
		cmocka_unit_test_teardown(test_default, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
