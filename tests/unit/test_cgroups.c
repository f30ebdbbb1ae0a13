// SPDX-License-Identifier: MIT
/* cgroups: the pure parts (sizes, CPUs, shares/weight, paths, validation). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "../../src/cgroup-priv.h"
#include "cgroups.h"
#include "cli.h"
#include "error.h"
#include "spec.h"

static void test_parse_size(void **state)
{
	int64_t b;

	(void)state;
	assert_int_equal(mc_parse_size("100", &b), 0);
	assert_int_equal(b, 100);
	assert_int_equal(mc_parse_size("0", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(mc_parse_size("512k", &b), 0);
	assert_int_equal(b, 512 * 1024);
	assert_int_equal(mc_parse_size("64m", &b), 0);
	assert_int_equal(b, 64LL << 20);
	assert_int_equal(mc_parse_size("64M", &b), 0);
	assert_int_equal(b, 64LL << 20);
	assert_int_equal(mc_parse_size("2G", &b), 0);
	assert_int_equal(b, 2LL << 30);
	/* The largest that fits, and one past it. */
	assert_int_equal(mc_parse_size("8589934591g", &b), 0);
	assert_int_equal(mc_parse_size("8589934592g", &b), -1);
	assert_int_equal(mc_parse_size("99999999999999999999", &b), -1);
	static const char *const bad[] = { "", "10x", "m", "-1", "1.5g", "64mb",
					   " 64m", "64m ", "+1", "0x10", "1e6" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = 42;
		assert_int_equal(mc_parse_size(bad[i], &b), -1);
		assert_int_equal(b, 42);
	}
	assert_int_equal(mc_parse_size(NULL, &b), -1);
}

static void test_parse_cpus(void **state)
{
	int64_t q;

	(void)state;
	assert_int_equal(mc_parse_cpus("0.5", 100000, &q), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(mc_parse_cpus("1", 100000, &q), 0);
	assert_int_equal(q, 100000);
	assert_int_equal(mc_parse_cpus("1.", 100000, &q), 0);
	assert_int_equal(q, 100000);
	assert_int_equal(mc_parse_cpus(".25", 100000, &q), 0);
	assert_int_equal(q, 25000);
	assert_int_equal(mc_parse_cpus("2.75", 100000, &q), 0);
	assert_int_equal(q, 275000);
	/* Exact, not through a double: 0.1 is 10000, not 9999. */
	assert_int_equal(mc_parse_cpus("0.1", 100000, &q), 0);
	assert_int_equal(q, 10000);
	/* Rounded to the µs; digits beyond a nanosecond are ignored. */
	assert_int_equal(mc_parse_cpus("0.0000051", 100000, &q), 0);
	assert_int_equal(q, 1);
	assert_int_equal(mc_parse_cpus("0.333333333333", 100000, &q), 0);
	assert_int_equal(q, 33333);
	assert_int_equal(mc_parse_cpus("0.005", 100000, &q), 0);
	assert_int_equal(q, 500);	/* too small: validation says so */
	static const char *const bad[] = { "", "-1", "0", "0.0", ".", "abc",
					   "1.5x", "1,5", "0.000001", "1e3",
					   "100001", " 1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mc_parse_cpus(bad[i], 100000, &q), -1);
}

static void test_parse_int(void **state)
{
	int64_t n;

	(void)state;
	assert_int_equal(mc_parse_int("20", 1, 100, &n), 0);
	assert_int_equal(n, 20);
	assert_int_equal(mc_parse_int("-1", -1, 100, &n), 0);
	assert_int_equal(n, -1);
	assert_int_equal(mc_parse_int("abc", -1, 100, &n), -1);
	assert_int_equal(mc_parse_int("", -1, 100, &n), -1);
	assert_int_equal(mc_parse_int("12abc", -1, 100, &n), -1);
	assert_int_equal(mc_parse_int("101", -1, 100, &n), -1);
	assert_int_equal(mc_parse_int("-2", -1, 100, &n), -1);
	assert_int_equal(mc_parse_int(" 5", -1, 100, &n), -1);
	assert_int_equal(mc_parse_int("99999999999999999999", -1, INT64_MAX, &n),
			 -1);
}

/* crun's and runc's formula, through libm: the reference. */
static uint64_t libm_weight(uint64_t shares)
{
	double l = log2((double)shares);
	double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;

	return (uint64_t)ceil(pow(10, exponent));
}

static void test_shares_weight(void **state)
{
	(void)state;
	/* The ends and v1's default meet v2's; 0 stays "not set". */
	assert_int_equal(mc_cgroup_shares_to_weight(2), 1);
	assert_int_equal(mc_cgroup_shares_to_weight(262144), 10000);
	/* log2(1024) = 10, exponent (100 + 1250) / 612 - 7/34 = 2 exactly. */
	assert_int_equal(mc_cgroup_shares_to_weight(1024), 100);
	assert_int_equal(mc_cgroup_shares_to_weight(0), 0);
	assert_int_equal(mc_cgroup_shares_to_weight(1), 1);
	assert_int_equal(mc_cgroup_shares_to_weight(1000000), 10000);
	/* A few between, as crun 1.x and runc 1.3 give them. */
	assert_int_equal(mc_cgroup_shares_to_weight(3), 2);
	assert_int_equal(mc_cgroup_shares_to_weight(100), 17);
	assert_int_equal(mc_cgroup_shares_to_weight(512), 59);
	assert_int_equal(mc_cgroup_shares_to_weight(1025), 101);
	assert_int_equal(mc_cgroup_shares_to_weight(2048), 174);
	assert_int_equal(mc_cgroup_shares_to_weight(100000), 4340);
	assert_int_equal(mc_cgroup_shares_to_weight(262143), 10000);
	/* Every value of the range, against log2 and pow. */
	for (uint64_t s = 3; s < 262144; s++)
		if (mc_cgroup_shares_to_weight(s) != libm_weight(s))
			fail_msg("shares %" PRIu64 ": %" PRIu64 ", libm says %" PRIu64,
				 s, mc_cgroup_shares_to_weight(s), libm_weight(s));

	/* The inverse: the most shares that give the weight. */
	assert_int_equal(mc_cgroup_weight_to_shares(1), 2);
	assert_int_equal(mc_cgroup_weight_to_shares(100), 1024);
	assert_int_equal(mc_cgroup_weight_to_shares(10000), 262144);
	assert_int_equal(mc_cgroup_weight_to_shares(0), 0);
	assert_int_equal(mc_cgroup_weight_to_shares(20000), 262144);
	/* Round trip for every weight; one share more is a higher weight. */
	for (uint64_t w = 1; w <= 10000; w++) {
		uint64_t s = mc_cgroup_weight_to_shares(w);

		assert_int_equal(mc_cgroup_shares_to_weight(s), w);
		if (w < 10000)
			assert_true(mc_cgroup_shares_to_weight(s + 1) > w);
	}
}

static void test_format_size(void **state)
{
	char buf[32];

	(void)state;
	mc_format_size(buf, sizeof(buf), 64LL << 20);
	assert_string_equal(buf, "64 MiB");
	mc_format_size(buf, sizeof(buf), 32LL << 20);
	assert_string_equal(buf, "32 MiB");
	mc_format_size(buf, sizeof(buf), 2LL << 30);
	assert_string_equal(buf, "2 GiB");
	mc_format_size(buf, sizeof(buf), 1536LL << 10);
	assert_string_equal(buf, "1536 KiB");
	mc_format_size(buf, sizeof(buf), 1000);
	assert_string_equal(buf, "1000 bytes");
	mc_format_size(buf, sizeof(buf), 100000);
	assert_string_equal(buf, "100000 bytes");
}

static void test_path(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), NULL, NULL, 1234, 56789), 0);
	assert_string_equal(buf, "mcstatic/mc-1234-56789");
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), NULL, "web", 1, 2), 0);
	assert_string_equal(buf, "mcstatic/web");
	/* A user's name that is only a number is a name like any other. */
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), NULL, "999999", 1, 2), 0);
	assert_string_equal(buf, "mcstatic/999999");
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), "/a//b/", "c", 1, 2), 0);
	assert_string_equal(buf, "a/b/c");
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), "/", NULL, 7, 8), 0);
	assert_string_equal(buf, "mc-7-8");
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), "a/../b", NULL, 7, 8), -1);
	assert_string_equal(mc_error_text(), "cgroup path: '..' is not allowed");
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), "./a", NULL, 7, 8), -1);
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), NULL, "..", 7, 8), -1);
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), NULL, ".", 7, 8), -1);
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), NULL, "a/b", 7, 8), -1);
	assert_string_equal(mc_error_text(),
			    "cgroup name 'a/b': expected one path component");
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), NULL, "", 7, 8), -1);
	assert_int_equal(mc_cgroup_path(buf, 12, "mcstatic", "toolong", 7, 8), -1);
	/* ".." inside a name part is a name, not a parent. */
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), "a..b", "..c", 7, 8), 0);
	assert_string_equal(buf, "a..b/..c");
	/* mcstatic's own form is not for users: it could be swept. */
	assert_int_equal(mc_cgroup_path(buf, sizeof(buf), "x", "mc-1-2", 7, 8), -1);
	assert_string_equal(mc_error_text(),
			    "cgroup name 'mc-1-2': names of the form mc-<pid>-<start> are mcstatic's own");
}

static void test_own_name(void **state)
{
	static const char *const not_own[] = {
		"1234", "mc-", "mc-1", "mc-1-", "mc--2", "mc-0-2", "mc-1-2x",
		"mc-1-2-3", "mc-2147483648-1", "xmc-1-2", "mc-+1-2", "mcstatic",
	};
	char buf[48];
	uint64_t start;
	pid_t pid;

	(void)state;
	mc_cgroup_own_name(buf, sizeof(buf), 4242, 123456789012345ULL);
	assert_string_equal(buf, "mc-4242-123456789012345");
	assert_true(mc_cgroup_parse_own_name(buf, &pid, &start));
	assert_int_equal(pid, 4242);
	assert_true(start == 123456789012345ULL);
	assert_true(mc_cgroup_parse_own_name("mc-2147483647-0", &pid, &start));
	assert_int_equal(pid, 2147483647);
	assert_true(start == 0);
	for (size_t i = 0; i < sizeof(not_own) / sizeof(*not_own); i++)
		assert_false(mc_cgroup_parse_own_name(not_own[i], &pid, &start));
}

static void expect_resolve(const char *path, const char *own,
			   const char *want)
{
	char buf[128];

	if (mc_cgroup_resolve_path(path, own, buf, sizeof(buf)) < 0)
		fail_msg("%s below %s: %s", path, own, mc_error_text());
	assert_string_equal(buf, want);
}

static void expect_unresolved(const char *path, const char *own,
			      const char *text)
{
	char buf[128];

	assert_int_equal(mc_cgroup_resolve_path(path, own, buf, sizeof(buf)), -1);
	if (text)
		assert_string_equal(mc_error_text(), text);
}

static void test_resolve_path(void **state)
{
	char small[8];

	(void)state;
	/* Absolute: below each hierarchy's root, whatever our own cgroup. */
	expect_resolve("/libpod_parent/libpod-abc", "/user.slice/s.scope",
		       "libpod_parent/libpod-abc");
	expect_resolve("/default/abc", "/", "default/abc");
	expect_resolve("//a//b/", "/x", "a/b");
	/* Relative: below mcstatic's own cgroup, as runc. */
	expect_resolve("a/b", "/user.slice/s.scope", "user.slice/s.scope/a/b");
	expect_resolve("a/b", "/", "a/b");
	expect_resolve("c", "/x/", "x/c");
	/* ".." inside a name is a name; one colon is a name too. */
	expect_resolve("/a..b/..c", "/", "a..b/..c");
	expect_resolve("/a:b", "/", "a:b");
	/* systemd's slice:prefix:name */
	expect_unresolved("machine.slice:libpod:abc", "/",
			  "cgroupsPath machine.slice:libpod:abc: systemd cgroups "
			  "are not supported (use cgroupfs)");
	expect_unresolved("x:y:z", "/x",
			  "cgroupsPath x:y:z: systemd cgroups are not supported "
			  "(use cgroupfs)");
	/* No way up, or out. */
	expect_unresolved("/a/../b", "/", "cgroupsPath /a/../b: '..' is not allowed");
	expect_unresolved("../x", "/a/b", "cgroupsPath ../x: '..' is not allowed");
	expect_unresolved("./x", "/", "cgroupsPath ./x: '.' is not allowed");
	expect_unresolved("a", "/../..",
			  "cgroupsPath a: mcstatic's own cgroup /../.. is outside "
			  "its cgroup namespace");
	/* The root is no container's. */
	expect_unresolved("/", "/x", "cgroupsPath /: the root cgroup cannot be a "
			  "container's");
	expect_unresolved("//", "/x", NULL);
	assert_int_equal(mc_cgroup_resolve_path("/abcdefgh", "/", small,
						sizeof(small)), -1);
	assert_int_equal(mc_error_errno(), ENAMETOOLONG);
}

static void expect_rule(struct mc_dev_rule r, const char *want)
{
	char buf[64];

	assert_int_equal(cg_dev_rule_line(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_dev_rules(void **state)
{
	static const struct mc_dev_rule deny_all = { false, 'a', -1, -1, "rwm" };
	struct mc_dev_rule allow_all = { true, 'a', -1, -1, "rwm" };
	struct mc_dev_rule two[2] = { deny_all, allow_all };

	(void)state;
	expect_rule((struct mc_dev_rule){ true, 'c', 1, 3, "rwm" }, "c 1:3 rwm");
	expect_rule((struct mc_dev_rule){ true, 'c', 136, -1, "rw" }, "c 136:* rw");
	expect_rule((struct mc_dev_rule){ false, 'b', -1, -1, "m" }, "b *:* m");
	expect_rule((struct mc_dev_rule){ true, 'c', -1, 5, "r" }, "c *:5 r");
	expect_rule(deny_all, "a");
	expect_rule(allow_all, "a");
	/* v2 takes nothing but "everything allowed". */
	assert_true(cg_dev_rules_allow_all(&allow_all, 1));
	assert_true(cg_dev_rules_allow_all(&(struct mc_dev_rule){ true, 'a', -1, -1, "mwr" }, 1));
	assert_false(cg_dev_rules_allow_all(&deny_all, 1));
	assert_false(cg_dev_rules_allow_all(&allow_all, 0));
	assert_false(cg_dev_rules_allow_all(two, 2));
	assert_false(cg_dev_rules_allow_all(&(struct mc_dev_rule){ true, 'a', -1, -1, "rw" }, 1));
	assert_false(cg_dev_rules_allow_all(&(struct mc_dev_rule){ true, 'c', -1, -1, "rwm" }, 1));
}

/* Parse ARGS (NULL-terminated, argv[0] implied) into SPEC. */
/* The run options of the last parse(). */
static struct mc_run_opts parsed_opts;

static enum mc_cli_action parse(struct mc_spec *spec, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 1;

	argv[0] = "mcstatic";
	va_start(ap, spec);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	mc_spec_free(spec);
	mc_spec_init(spec, NULL);
	parsed_opts = (struct mc_run_opts){ 0 };

	return mc_cli_parse(argc, argv, spec, &parsed_opts);
}

/*
 * Root without a user namespace, in a root of its own, gets runc's rules:
 * deny all, then the default devices; so a cgroup, of the devices
 * hierarchy only.  Not with --privileged, not in a user namespace, not
 * without --rootfs, not for a non-root caller.
 */
static void test_seed_dev_rules(void **state)
{
	struct mc_cgroup cg = { .drv = &cgroup_v1_driver };
	const struct mc_dev_rule *d;
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(parse(&spec, "--rootfs", "/r", "true", NULL), MC_CLI_RUN);
	if (geteuid() != 0) {
		assert_int_equal(spec.resources.n_dev_rules, 0);
		mc_spec_free(&spec);
		return;
	}
	assert_int_equal(spec.resources.n_dev_rules, 13);
	d = spec.resources.dev_rules;
	assert_false(d[0].allow);
	assert_int_equal(d[0].type, 'a');
	assert_string_equal(d[0].access, "rwm");
	/* null (1:3) allowed, nothing of block devices but mknod */
	assert_true(d[3].allow && d[3].major == 1 && d[3].minor == 3);
	assert_true(d[2].allow && d[2].type == 'b' && !strcmp(d[2].access, "m"));
	assert_true(mc_cgroup_wanted(&spec, false));
	cg.res = spec.resources;
	cg.devices_only = true;
	assert_int_equal(cg_need(&cg, "devices"), REQUIRED);
	assert_int_equal(cg_need(&cg, "freezer"), NOT_NEEDED);

	assert_int_equal(parse(&spec, "--privileged", "--rootfs", "/r", "true",
			       NULL), MC_CLI_RUN);
	assert_int_equal(spec.resources.n_dev_rules, 0);
	assert_int_equal(parse(&spec, "--user", "--rootfs", "/r", "true", NULL),
			 MC_CLI_RUN);
	assert_int_equal(spec.resources.n_dev_rules, 0);
	assert_int_equal(parse(&spec, "--pid", "true", NULL), MC_CLI_RUN);
	assert_int_equal(spec.resources.n_dev_rules, 0);
	mc_spec_free(&spec);
}

static void test_flags(void **state)
{
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(parse(&spec, "--memory", "64m", "--memory-swap=128m",
			       "--cpus", "0.5", "--cpu-weight", "200",
			       "--pids-limit", "100", "--cgroup-parent", "p",
			       "--cgroup", "n", "--stats", "true", NULL),
			 MC_CLI_RUN);
	assert_int_equal(spec.resources.memory_limit, 64LL << 20);
	assert_int_equal(spec.resources.memory_swap, 128LL << 20);
	assert_int_equal(spec.resources.cpu_quota, 50000);
	assert_int_equal(spec.resources.cpu_period, 100000);
	assert_int_equal(spec.resources.cpu_weight, 200);
	assert_int_equal(spec.resources.pids_limit, 100);
	assert_string_equal(spec.cgroup_parent, "p");
	assert_string_equal(spec.cgroup_name, "n");
	assert_true(parsed_opts.stats);
	assert_true(mc_cgroup_wanted(&spec, parsed_opts.stats));

	assert_int_equal(parse(&spec, "--pids-limit", "-1", "--memory-swap",
			       "-1", "true", NULL),
			 MC_CLI_RUN);
	assert_int_equal(spec.resources.pids_limit, -1);
	assert_int_equal(spec.resources.memory_swap, -1);

	assert_int_equal(parse(&spec, "true", NULL), MC_CLI_RUN);
	assert_false(mc_cgroup_wanted(&spec, parsed_opts.stats));
	/* config.json's fields want one too. */
	spec.cgroups_path = "/a/b";
	assert_true(mc_cgroup_wanted(&spec, parsed_opts.stats));
	spec.cgroups_path = NULL;
	spec.resources.memory_swappiness = 0;
	assert_true(mc_cgroup_wanted(&spec, parsed_opts.stats));
	spec.resources.memory_swappiness = -1;
	spec.resources.cpuset_cpus = "0";
	assert_true(mc_cgroup_wanted(&spec, parsed_opts.stats));
	spec.resources.cpuset_cpus = NULL;
	assert_false(mc_cgroup_wanted(&spec, parsed_opts.stats));

	assert_int_equal(parse(&spec, "--memory", "10x", "true", NULL),
			 MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "--memory '10x': expected a size above 0, in bytes "
			    "or with k, m, g (e.g. 64m)");
	assert_int_equal(parse(&spec, "--memory", "0", "true", NULL),
			 MC_CLI_ERROR);
	assert_int_equal(parse(&spec, "--cpus", "-1", "true", NULL),
			 MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "--cpus '-1': expected a number of CPUs above 0, e.g. 0.5");
	assert_int_equal(parse(&spec, "--pids-limit", "abc", "true", NULL),
			 MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "--pids-limit 'abc': expected 1 or more, or -1 for no limit");
	assert_int_equal(parse(&spec, "--pids-limit", "0", "true", NULL),
			 MC_CLI_ERROR);
	assert_int_equal(parse(&spec, "--cpu-weight", "10001", "true", NULL),
			 MC_CLI_ERROR);
	assert_int_equal(parse(&spec, "--memory-swap", "0", "true", NULL),
			 MC_CLI_ERROR);
	mc_spec_free(&spec);
}

/* Validation runs before anything is made, so these touch no cgroup. */
static void expect_invalid(const struct mc_resources *r, const char *text)
{
	struct mc_cgroup *cg = (void *)1;
	struct mc_spec spec;

	mc_spec_init(&spec, NULL);
	spec.resources = *r;
	assert_int_equal(mc_cgroup_create(&spec, false, &cg), -1);
	assert_null(cg);
	assert_string_equal(mc_error_text(), text);
	mc_spec_free(&spec);
}

static void test_validate(void **state)
{
	(void)state;
	expect_invalid(&(struct mc_resources){ .memory_swap = 1 << 20 },
		       "linux.resources.memory.swap needs linux.resources.memory.limit");
	expect_invalid(&(struct mc_resources){ .memory_limit = 64 << 20,
					       .memory_swap = 32 << 20 },
		       "linux.resources.memory.swap 32 MiB is below linux.resources.memory.limit 64 MiB (it is memory plus swap)");
	expect_invalid(&(struct mc_resources){ .cpu_quota = 500,
					       .cpu_period = 100000 },
		       "linux.resources.cpu.quota: a quota of 500 µs per 100000 µs is below the "
		       "kernel's minimum of 1000 µs (0.01 CPU or more)");
	expect_invalid(&(struct mc_resources){ .cpu_quota = 5000,
					       .cpu_period = 500 },
		       "CPU period 500 µs: the kernel takes 1000 to 1000000");
	expect_invalid(&(struct mc_resources){ .cpu_weight = 10001 },
		       "CPU weight 10001: expected 1 to 10000");
	expect_invalid(&(struct mc_resources){ .pids_limit = -5 },
		       "pids limit -5: expected 1 or more, or -1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_cpus),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_shares_weight),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_own_name),
		cmocka_unit_test(test_resolve_path),
		cmocka_unit_test(test_dev_rules),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_seed_dev_rules),
		cmocka_unit_test(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
