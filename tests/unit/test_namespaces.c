// SPDX-License-Identifier: MIT
/* /etc/subuid lines and id map ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "cli.h"
#include "namespaces.h"

static void test_subid_by_name_and_id(void **state)
{
	struct mc_idmap m;

	(void)state;
	assert_true(mc_subid_parse_line("alice:100000:65536\n", "alice", 1000, &m));
	assert_int_equal(m.container_id, 1);
	assert_int_equal(m.host_id, 100000);
	assert_int_equal(m.count, 65535); /* 1..65535 inside */
	assert_true(mc_subid_parse_line("1000:200000:10", "alice", 1000, &m));
	assert_int_equal(m.host_id, 200000);
	assert_int_equal(m.count, 10);
	assert_false(mc_subid_parse_line("bob:100000:65536", "alice", 1000, &m));
	assert_false(mc_subid_parse_line("10000:1:2", "alice", 1000, &m));
	assert_false(mc_subid_parse_line("alice:100000:0", "alice", 1000, &m));
	assert_false(mc_subid_parse_line("# comment", "alice", 1000, &m));
	assert_false(mc_subid_parse_line("alice:x:1", "alice", 1000, &m));
}

static void test_idmap_add(void **state)
{
	struct mc_idmap maps[MC_MAX_IDMAPS];
	size_t n = 0;

	(void)state;
	assert_int_equal(mc_idmap_add(maps, &n, &(struct mc_idmap){ 0, 1000, 1 },
				      "--uidmap"), 0);
	assert_int_equal(mc_idmap_add(maps, &n,
				      &(struct mc_idmap){ 1, 100000, 65536 },
				      "--uidmap"), 0);
	/* Overlap inside, then overlap outside. */
	assert_int_equal(mc_idmap_add(maps, &n, &(struct mc_idmap){ 100, 5, 1 },
				      "--uidmap"), -1);
	assert_string_equal(mc_error_text(),
			    "--uidmap 100:5:1 overlaps 1:100000:65536");
	assert_int_equal(mc_idmap_add(maps, &n,
				      &(struct mc_idmap){ 70000, 1000, 1 },
				      "--uidmap"), -1);
	assert_int_equal(mc_idmap_add(maps, &n, &(struct mc_idmap){ 9, 9, 0 },
				      "--uidmap"), -1);
	assert_string_equal(mc_error_text(),
			    "--uidmap 9:9:0: count must be at least 1");
	assert_int_equal(mc_idmap_add(maps, &n,
				      &(struct mc_idmap){ 4294967295U, 7, 2 },
				      "--uidmap"), -1);
	assert_int_equal(n, 2);
	assert_true(mc_idmap_contains(maps, n, 0));
	assert_true(mc_idmap_contains(maps, n, 65536));
	assert_false(mc_idmap_contains(maps, n, 65537));
	/* The host side: is the caller (1000) in the map? */
	assert_true(mc_idmap_contains_host(maps, n, 1000));
	assert_true(mc_idmap_contains_host(maps, n, 165535));
	assert_false(mc_idmap_contains_host(maps, n, 1001));
	assert_false(mc_idmap_contains_host(maps, n, 165536));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subid_by_name_and_id),
		cmocka_unit_test(test_idmap_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
