// SPDX-License-Identifier: MIT
/* Seed flags → struct mc_spec. */
#include <setjmp.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "cli.h"
#include "error.h"

static char *base_env[] = { "PATH=/bin", "HOME=/root", NULL };

/* argv must be writable (--tmpfs splits its argument in place). */
static struct mc_run_opts test_opts;

/*
 * The args are a compound literal of the calling block, not of a statement
 * expression's: the spec points into them after the parse.
 */
static enum mc_cli_action parse_args(struct mc_spec *spec, char **args)
{
	int argc = 0;

	while (args[argc])
		argc++;
	mc_spec_init(spec, base_env);
	return mc_cli_parse(argc, args, spec, &test_opts);
}

#define PARSE(spec, ...) \
	parse_args(spec, (char *[]){ "mcstatic", __VA_ARGS__, NULL })
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_plain_command(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "/bin/ls", "-la"), MC_CLI_RUN);
	assert_string_equal(spec.argv[0], "/bin/ls");
	assert_string_equal(spec.argv[1], "-la");
	assert_null(spec.argv[2]);
	assert_int_equal(spec.namespaces, 0);
	assert_null(spec.rootfs);
	mc_spec_free(&spec);
}

static void test_seed_flags(void **state)
{
	struct mc_spec spec;

	(void)state;
	mc_debug_enabled = false;
	assert_int_equal(PARSE(&spec, "--pid", "--rootfs", "./r", "--debug",
			       "sh", "-c", "echo $$"),
			 MC_CLI_RUN);
	assert_true(spec.namespaces & CLONE_NEWPID);
	assert_string_equal(spec.rootfs, "./r");
	assert_true(mc_debug_enabled);
	assert_string_equal(spec.argv[0], "sh");
	assert_string_equal(spec.argv[2], "echo $$");
	mc_debug_enabled = false;
	mc_spec_free(&spec);
}

static void test_equals_form_and_double_dash(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--rootfs=/r", "--workdir=/etc", "--",
			       "--pid"),
			 MC_CLI_RUN);
	assert_string_equal(spec.rootfs, "/r");
	assert_string_equal(spec.cwd, "/etc");
	assert_string_equal(spec.argv[0], "--pid");
	assert_int_equal(spec.namespaces, 0);
	mc_spec_free(&spec);
}

static void test_options_stop_at_command(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "echo", "--pid"), MC_CLI_RUN);
	assert_int_equal(spec.namespaces, 0);
	assert_string_equal(spec.argv[1], "--pid");
	mc_spec_free(&spec);
}

static void test_env_inherits_and_overrides(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--env", "A=1", "--env", "PATH=/x",
			       "--env=A=2", "true"),
			 MC_CLI_RUN);
	assert_string_equal(mc_spec_getenv(&spec, "A"), "2");
	assert_string_equal(mc_spec_getenv(&spec, "PATH"), "/x");
	assert_string_equal(mc_spec_getenv(&spec, "HOME"), "/root");
	assert_int_equal(spec.env_len, 3);
	assert_null(spec.env[3]);
	mc_spec_free(&spec);
}

static void test_env_rejects_malformed(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--env", "", "true"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(), "--env '': expected KEY=VALUE");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--env", "NOEQ", "true"), MC_CLI_ERROR);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--env", "=v", "true"), MC_CLI_ERROR);
	mc_spec_free(&spec);
}

static void test_tmpfs(void **state)
{
	char tmp_arg[] = "/tmp:size=1m,ro";
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--tmpfs", tmp_arg, "--tmpfs", "/run",
			       "true"),
			 MC_CLI_RUN);
	assert_int_equal(spec.n_mounts, 2);
	assert_string_equal(spec.mounts[0].target, "/tmp");
	assert_string_equal(spec.mounts[0].type, "tmpfs");
	assert_string_equal(spec.mounts[0].data, "size=1m");
	assert_true(spec.mounts[0].flags & MS_RDONLY);
	assert_string_equal(spec.mounts[1].target, "/run");
	assert_null(spec.mounts[1].data);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--tmpfs", "rel", "true"), MC_CLI_ERROR);
	mc_spec_free(&spec);
}

static void test_errors(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--bogus", "true"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "unknown option '--bogus' (see --help)");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--pid"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(), "no command given (see --help)");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--rootfs"), MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "option '--rootfs' needs an argument");
	mc_spec_free(&spec);
	/* A flag name must match whole: --pidx is not --pid. */
	assert_int_equal(PARSE(&spec, "--pidx", "true"), MC_CLI_ERROR);
	mc_spec_free(&spec);
}

static void test_namespace_flags(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--uts", "--ipc", "--cgroupns", "true"),
			 MC_CLI_RUN);
	assert_int_equal(spec.namespaces,
			 CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--all", "true"), MC_CLI_RUN);
	assert_int_equal(spec.namespaces, CLONE_NEWPID | CLONE_NEWUTS |
					  CLONE_NEWIPC | CLONE_NEWCGROUP |
					  CLONE_NEWUSER);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--hostname", "box", "true"), MC_CLI_RUN);
	assert_string_equal(spec.hostname, "box");
	assert_string_equal(mc_spec_getenv(&spec, "HOSTNAME"), "box");
	mc_spec_free(&spec);
}

static void test_user_flags(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--user", "--uidmap", "0:1000:1",
			       "--uidmap", "1:100000:65536", "--gidmap",
			       "0:1000:1", "--userid", "7:8", "true"),
			 MC_CLI_RUN);
	assert_true(spec.namespaces & CLONE_NEWUSER);
	assert_int_equal(spec.n_uid_maps, 2);
	assert_int_equal(spec.uid_maps[1].host_id, 100000);
	assert_int_equal(spec.uid_maps[1].count, 65536);
	assert_int_equal(spec.n_gid_maps, 1);
	assert_true(spec.set_user);
	assert_int_equal(spec.uid, 7);
	assert_int_equal(spec.gid, 8);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--userid", "5", "true"), MC_CLI_RUN);
	assert_int_equal(spec.gid, 5);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--uidmap", "0:1000", "true"),
			 MC_CLI_ERROR);
	assert_string_equal(mc_error_text(),
			    "--uidmap '0:1000': expected CONTAINER:HOST:COUNT");
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--uidmap", "0:1000:1:", "true"),
			 MC_CLI_ERROR);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--uidmap", "-1:0:1", "true"),
			 MC_CLI_ERROR);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--userid", "1:x", "true"), MC_CLI_ERROR);
	mc_spec_free(&spec);
}

static void test_net_flags(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--net", "bridge=br1", "--subnet",
			       "10.7.0.0/16", "--ip", "10.7.0.9", "-p",
			       "127.0.0.1:8080:80", "-p", "53:5353/udp",
			       "--add-host", "db:10.7.0.5", "--dns", "::1", "--nat",
			       "true"),
			 MC_CLI_RUN);
	assert_int_equal(spec.net.mode, MC_NET_BRIDGE);
	assert_string_equal(spec.net.bridge, "br1");
	assert_int_equal(spec.net.subnet, htonl(0x0a070000));
	assert_int_equal(spec.net.prefix, 16);
	assert_int_equal(spec.net.ip, htonl(0x0a070009));
	assert_int_equal(spec.net.n_ports, 2);
	assert_int_equal(spec.net.ports[0].host_ip, htonl(0x7f000001));
	assert_int_equal(spec.net.ports[0].host_port, 8080);
	assert_int_equal(spec.net.ports[0].container_port, 80);
	assert_int_equal(spec.net.ports[0].type, SOCK_STREAM);
	assert_int_equal(spec.net.ports[1].host_ip, 0);
	assert_int_equal(spec.net.ports[1].host_port, 53);
	assert_int_equal(spec.net.ports[1].container_port, 5353);
	assert_int_equal(spec.net.ports[1].type, SOCK_DGRAM);
	assert_string_equal(spec.net.hosts[0].name, "db");
	assert_string_equal(spec.net.hosts[0].addr, "10.7.0.5");
	assert_string_equal(spec.net.dns[0], "::1");
	assert_true(spec.net.nat);
	assert_true(spec.namespaces & CLONE_NEWNET);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--net", "ns:/run/netns/x", "true"), MC_CLI_RUN);
	assert_string_equal(spec.ns_path[MC_NS_NET], "/run/netns/x");
	assert_false(spec.namespaces & CLONE_NEWNET);
	mc_spec_free(&spec);
}

static void test_net_errors(void **state)
{
	static const char *const bad[][3] = {
		{ "--net", "bogus", "--net 'bogus'" },
		{ "-p", "1:70000", "-p '1:70000'" },
		{ "-p", "80", "no host port" },
		{ "-p", "a:1:2", "bad host address" },
		{ "-p", "1:2/sctp", "tcp or udp" },
		{ "--subnet", "10.1.2.3/24", "host bits" },
		{ "--subnet", "10.1.2.0/31", "prefix from 8 to 30" },
		{ "--net", "bridge=aaaaaaaaaaaaaaaa", "1 to 15 bytes" },
		{ "--add-host", "db", "NAME:ADDRESS" },
		{ "--dns", "localhost", "IPv4 or IPv6" },
		{ "--nat", NULL, "--nat needs --net bridge" },
	};
	struct mc_spec spec;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *args[] = { "mcstatic", (char *)bad[i][0],
				 bad[i][1] ? (char *)bad[i][1] : "true",
				 bad[i][1] ? "true" : NULL, NULL };

		assert_int_equal(parse_args(&spec, args), MC_CLI_ERROR);
		if (!strstr(mc_error_text(), bad[i][2]))
			fail_msg("%s %s: \"%s\"", bad[i][0], bad[i][1],
				 mc_error_text());
		mc_spec_free(&spec);
	}
	assert_int_equal(PARSE(&spec, "-p", "8080:80", "true"), MC_CLI_ERROR);
	assert_non_null(strstr(mc_error_text(), "-p needs a network namespace"));
	mc_spec_free(&spec);
}

static void test_help_and_version(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(PARSE(&spec, "--help"), MC_CLI_HELP);
	mc_spec_free(&spec);
	assert_int_equal(PARSE(&spec, "--version"), MC_CLI_VERSION);
	mc_spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_command),
		cmocka_unit_test(test_seed_flags),
		cmocka_unit_test(test_equals_form_and_double_dash),
		cmocka_unit_test(test_options_stop_at_command),
		cmocka_unit_test(test_env_inherits_and_overrides),
		cmocka_unit_test(test_env_rejects_malformed),
		cmocka_unit_test(test_tmpfs),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_namespace_flags),
		cmocka_unit_test(test_user_flags),
		cmocka_unit_test(test_net_flags),
		cmocka_unit_test(test_net_errors),
		cmocka_unit_test(test_help_and_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
