// SPDX-License-Identifier: MIT
/* The capability name table and the seed's --cap-add, --cap-drop, --ulimit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "caps.h"
#include "cli.h"
#include "error.h"

#define BIT(n) (1ULL << (n))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* docker's default set, /proc/self/status's CapEff of a default container */
#define DEFAULT_CAPS 0xa80425fbULL

static char *base_env[] = { "PATH=/bin", NULL };
static struct mc_run_opts test_opts;

/* --user: the defaults apply whoever runs the test. */
#define PARSE(spec, ...)                                                    \
	({                                                                  \
		char *args_[] = { "mcstatic", "--user", __VA_ARGS__, NULL }; \
		mc_spec_init(spec, base_env);                               \
		mc_cli_parse(ARRAY_LEN(args_) - 1, args_, spec, &test_opts); \
	})

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(MC_CAP_COUNT, 41);
	for (int i = 0; i < MC_CAP_COUNT; i++) {
		char name[64];

		snprintf(name, sizeof(name), "CAP_%s", mc_cap_name(i));
		assert_int_equal(mc_cap_from_name(name), i);
		assert_int_equal(mc_cap_from_name(mc_cap_name(i)), i);
	}
	assert_int_equal(mc_cap_from_name("CAP_CHOWN"), 0);
	assert_int_equal(mc_cap_from_name("sys_admin"), 21);
	assert_int_equal(mc_cap_from_name("cap_Sys_Admin"), 21);
	assert_int_equal(mc_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(mc_cap_from_name("CAP_FOO"), -1);
	assert_int_equal(mc_cap_from_name("CAP_"), -1);
	assert_int_equal(mc_cap_from_name(""), -1);
	assert_int_equal(mc_cap_from_name("all"), -1);
	assert_string_equal(mc_cap_name(41), "?");
}


static void test_defaults(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "true"), MC_CLI_RUN);
	assert_true(spec.has_caps);
	assert_true(spec.caps.bounding == DEFAULT_CAPS);
	assert_true(spec.caps.effective == DEFAULT_CAPS);
	assert_true(spec.caps.permitted == DEFAULT_CAPS);
	assert_true(spec.caps.inheritable == 0 && spec.caps.ambient == 0);
	assert_false(spec.no_new_privileges);
	mc_spec_free(&spec);
	/* A user other than root: the bounding set only. */
	assert_int_equal(PARSE(&spec, "--userid", "1000", "true"), MC_CLI_RUN);
	assert_true(spec.caps.bounding == DEFAULT_CAPS);
	assert_true(spec.caps.effective == 0 && spec.caps.permitted == 0);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--no-new-privileges", "true"), MC_CLI_RUN);
	assert_true(spec.no_new_privileges);
	mc_spec_free(&spec);
}

static void test_add_drop(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--cap-add", "sys_admin", "--cap-drop",
			       "CAP_CHOWN", "true"), MC_CLI_RUN);
	assert_true(spec.caps.effective == ((DEFAULT_CAPS | BIT(21)) & ~BIT(0)));
	mc_spec_free(&spec);
	/* docker: --cap-drop all keeps only the added ones. */
	assert_int_equal(PARSE(&spec, "--cap-drop", "all", "--cap-add", "NET_ADMIN",
			       "true"), MC_CLI_RUN);
	assert_true(spec.caps.bounding == BIT(12));
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--cap-drop", "ALL", "true"), MC_CLI_RUN);
	assert_true(spec.caps.bounding == 0 && spec.caps.effective == 0);
	mc_spec_free(&spec);
	/* ...and --cap-add all, every one but the dropped ones. */
	assert_int_equal(PARSE(&spec, "--cap-add", "all", "--cap-drop", "mknod",
			       "true"), MC_CLI_RUN);
	assert_true(spec.caps.bounding == (mc_caps_bounding_now() & ~BIT(27)));
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--privileged", "--cap-drop", "all", "true"),
			 MC_CLI_RUN);
	assert_true(spec.caps.bounding == mc_caps_bounding_now());
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--cap-add", "foo", "true"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(), "--cap-add: unknown capability foo");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--cap-drop", "CAP_NOPE", "true"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(), "--cap-drop: unknown capability CAP_NOPE");
	mc_spec_free(&spec);
}

static void test_ulimit(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--ulimit", "nofile=100:200", "--ulimit",
			       "core=-1", "--ulimit", "nproc=5:unlimited",
			       "--ulimit", "nofile=300", "true"), MC_CLI_RUN);
	assert_int_equal(spec.n_rlimits, 3);
	/* The later nofile replaces the earlier; HARD defaults to SOFT. */
	assert_int_equal(spec.rlimits[0].resource, RLIMIT_NOFILE);
	assert_true(spec.rlimits[0].soft == 300 && spec.rlimits[0].hard == 300);
	assert_int_equal(spec.rlimits[1].resource, RLIMIT_CORE);
	assert_true(spec.rlimits[1].soft == RLIM_INFINITY &&
		    spec.rlimits[1].hard == RLIM_INFINITY);
	assert_true(spec.rlimits[2].soft == 5 &&
		    spec.rlimits[2].hard == RLIM_INFINITY);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--ulimit", "nofile=200:100", "true"),
			 MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "--ulimit nofile=200:100: soft limit above the hard limit");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--ulimit", "files=1", "true"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(), "--ulimit files=1: unknown limit 'files'");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--ulimit", "NOFILE=1", "true"), MC_CLI_ERROR);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--ulimit", "nofile=1:x", "true"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "--ulimit nofile=1:x: expected NAME=SOFT[:HARD]");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--ulimit", "nofile", "true"), MC_CLI_ERROR);
	mc_spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_add_drop),
		cmocka_unit_test(test_ulimit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
