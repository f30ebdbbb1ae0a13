// SPDX-License-Identifier: MIT
/* config.c: the engines' configs, every section, and the errors. */
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "error.h"
#include "seccomp.h"
#include "spec.h"

#define BUNDLE "/bundle"

/* tests/unit/data/NAME, found from this binary (tests/unit/build/). */
static char *read_data(const char *name, size_t *len)
{
	char exe[PATH_MAX], path[PATH_MAX + 64], *slash, *buf;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;
	long size;

	assert_true(n > 0);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	assert_non_null(slash);
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/../data/%s", exe, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	buf = malloc(size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, size, f), size);
	buf[size] = '\0';
	fclose(f);
	*len = size;
	return buf;
}

static int parse_file(struct mc_spec *spec, const char *name)
{
	size_t len;
	char *json = read_data(name, &len);
	int rc;

	mc_spec_init(spec, NULL);
	rc = mc_config_parse(spec, json, len, BUNDLE);
	/* The spec keeps nothing that points into the buffer. */
	memset(json, 'X', len);
	free(json);
	return rc;
}

static int parse(struct mc_spec *spec, const char *json)
{
	mc_spec_init(spec, NULL);
	return mc_config_parse(spec, json, strlen(json), BUNDLE);
}

static const struct mc_mount *find_mount(const struct mc_spec *spec,
					 const char *target)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (!strcmp(spec->mounts[i].target, target))
			return &spec->mounts[i];
	fail_msg("no mount on %s", target);
	return NULL;
}

static size_t count(char **v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

#define BIT(cap) (1ULL << (cap))

static void test_podman_seccomp(void **state)
{
	struct mc_spec spec;
	const struct mc_seccomp *p;

	(void)state;
	assert_int_equal(parse_file(&spec, "podman-config.json"), 0);
	p = spec.seccomp;
	assert_non_null(p);
	assert_int_equal(p->default_action, MC_SCMP_ERRNO);
	assert_int_equal(p->default_ret, 38);
	assert_int_equal(p->arches, 7);
	assert_int_equal(p->n_rules, 22);
	assert_string_equal(p->rules[2].names[0], "personality");
	assert_int_equal(p->rules[2].n_args, 1);
	assert_int_equal(p->rules[2].args[0].op, MC_SCMP_EQ);
	mc_spec_free(&spec);
}

static void check_podman_process(const struct mc_spec *spec)
{
	const uint64_t caps = BIT(0) | BIT(1) | BIT(3) | BIT(4) | BIT(5) |
			      BIT(10) | BIT(31) | BIT(6) | BIT(8) | BIT(7) |
			      BIT(18);

	assert_string_equal(spec->oci_version, "1.0.2-dev");
	assert_int_equal(count(spec->argv), 3);
	assert_string_equal(spec->argv[0], "sh");
	assert_string_equal(spec->argv[1], "-c");
	assert_int_equal(spec->env_len, 5);
	assert_string_equal(spec->env[2], "container=podman");
	assert_null(spec->env[5]);
	assert_string_equal(mc_spec_getenv(spec, "HOME"), "/root");
	assert_string_equal(spec->cwd, "/");
	assert_true(spec->set_user);
	assert_int_equal(spec->uid, 0);
	assert_int_equal(spec->gid, 0);
	assert_int_equal(spec->umask, 18);
	assert_true(spec->has_caps);
	assert_true(spec->caps.bounding == caps);
	assert_true(spec->caps.effective == caps);
	assert_true(spec->caps.permitted == caps);
	assert_true(spec->caps.inheritable == 0);
	assert_true(spec->caps.ambient == 0);
	assert_int_equal(spec->n_rlimits, 2);
	assert_int_equal(spec->rlimits[0].resource, RLIMIT_NOFILE);
	assert_true(spec->rlimits[0].soft == 20000 && spec->rlimits[0].hard == 20000);
	assert_int_equal(spec->rlimits[1].resource, RLIMIT_NPROC);
	assert_true(spec->rlimits[1].soft == 32768);
	assert_false(spec->no_new_privileges);
	assert_false(spec->has_oom_score_adj);
	assert_false(spec->terminal);
}

static void check_podman_mounts(const struct mc_spec *spec)
{
	const struct mc_mount *m;

	assert_int_equal(spec->n_mounts, 11);
	m = find_mount(spec, "/proc");
	assert_string_equal(m->type, "proc");
	assert_string_equal(m->source, "proc");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_null(m->data);
	m = find_mount(spec, "/dev");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_STRICTATIME);
	assert_string_equal(m->data, "mode=755,size=65536k");
	m = find_mount(spec, "/sys");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	m = find_mount(spec, "/dev/pts");
	assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	m = find_mount(spec, "/etc/resolv.conf");
	assert_string_equal(m->type, "bind");
	assert_int_equal(m->flags, MS_BIND);
	assert_int_equal(m->propagation, MS_PRIVATE | MS_REC);
	assert_non_null(strstr(m->source, "/userdata/resolv.conf"));
	m = find_mount(spec, "/dev/shm");
	assert_int_equal(m->flags, MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV);
	m = find_mount(spec, "/sys/fs/cgroup");
	assert_string_equal(m->type, "cgroup");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV |
					   MS_RELATIME | MS_RDONLY);
	assert_int_equal(m->propagation, MS_PRIVATE | MS_REC);
	assert_false(m->tmpcopyup);
}

static void check_podman_linux(const struct mc_spec *spec)
{
	const struct mc_resources *r = &spec->resources;

	assert_int_equal(spec->namespaces,
			 CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
	assert_string_equal(spec->ns_path[MC_NS_NET],
			    "/run/netns/netns-7d680f09-9441-2114-36cc-77a6e95f58fc");
	assert_null(spec->ns_path[MC_NS_PID]);
	assert_string_equal(spec->cgroups_path,
			    "/libpod_parent/libpod-9da3a72f4251237746d6326e78b8efc172899cecd1bdca3672270ce944e0a4ed");
	assert_true(r->memory_limit == 67108864);
	assert_true(r->memory_swap == 134217728);
	assert_true(r->cpu_quota == 50000);
	assert_true(r->cpu_period == 100000);
	assert_true(r->pids_limit == 50);
	assert_true(r->memory_swappiness == -1);
	assert_int_equal(r->n_dev_rules, 1);
	assert_false(r->dev_rules[0].allow);
	assert_int_equal(r->dev_rules[0].type, 'a');
	assert_true(r->dev_rules[0].major == -1 && r->dev_rules[0].minor == -1);
	assert_string_equal(r->dev_rules[0].access, "rwm");
	assert_int_equal(spec->n_sysctl, 1);
	assert_string_equal(spec->sysctl[0].key, "net.ipv4.ping_group_range");
	assert_string_equal(spec->sysctl[0].value, "0 0");
	assert_int_equal(spec->n_masked_paths, 11);
	assert_string_equal(spec->masked_paths[10], "/sys/dev/block");
	assert_null(spec->masked_paths[11]);
	assert_int_equal(spec->n_readonly_paths, 6);
	assert_int_equal(spec->n_annotations, 8);
	assert_string_equal(spec->annotations[0].key, "io.container.manager");
	assert_string_equal(spec->annotations[0].value, "libpod");
	assert_int_equal(spec->rootfs_propagation, 0);
}

static void test_podman(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(parse_file(&spec, "podman-config-noseccomp.json"), 0);
	check_podman_process(&spec);
	assert_string_equal(spec.rootfs,
			    "/var/lib/containers/storage/overlay/b94f7697cf8e2e18ab05fae8131e7409341ae0d21dd0a2dc5d567723793a90c5/merged");
	assert_false(spec.root_readonly);
	assert_string_equal(spec.hostname, "9da3a72f4251");
	assert_null(spec.domainname);
	check_podman_mounts(&spec);
	check_podman_linux(&spec);
	for (int k = 0; k < MC_HOOK_KINDS; k++)
		assert_int_equal(spec.n_hooks[k], 0);
	mc_spec_free(&spec);
}

static void test_containerd(void **state)
{
	const struct mc_resources *r;
	struct mc_spec spec;
	const struct mc_mount *m;

	(void)state;
	assert_int_equal(parse_file(&spec, "containerd-config.json"), 0);
	r = &spec.resources;
	assert_string_equal(spec.argv[0], "/bin/echo");
	assert_int_equal(spec.env_len, 1);
	assert_int_equal(spec.n_additional_gids, 1);
	assert_int_equal(spec.additional_gids[0], 0);
	assert_int_equal(spec.umask, -1);
	assert_true(spec.no_new_privileges);
	assert_true(spec.caps.bounding & BIT(27));	/* CAP_MKNOD */
	assert_true(spec.caps.bounding & BIT(13));	/* CAP_NET_RAW */
	assert_true(spec.caps.bounding & BIT(29));	/* CAP_AUDIT_WRITE */
	assert_int_equal(__builtin_popcountll(spec.caps.bounding), 14);
	assert_string_equal(spec.rootfs, BUNDLE "/rootfs");	/* relative */
	assert_int_equal(spec.n_mounts, 7);
	m = find_mount(&spec, "/dev/shm");
	assert_string_equal(m->source, "shm");
	assert_string_equal(m->data, "mode=1777,size=65536k");
	assert_int_equal(spec.namespaces, CLONE_NEWPID | CLONE_NEWIPC |
						  CLONE_NEWUTS | CLONE_NEWNS |
						  CLONE_NEWNET);
	for (int ns = 0; ns < MC_NS_COUNT; ns++)
		assert_null(spec.ns_path[ns]);
	assert_string_equal(spec.cgroups_path, "/default/s1");
	assert_true(r->cpu_shares == 1024);
	assert_true(r->memory_limit == 0 && r->pids_limit == 0);
	assert_int_equal(r->n_dev_rules, 10);
	assert_true(r->dev_rules[1].allow);
	assert_int_equal(r->dev_rules[1].type, 'c');
	assert_true(r->dev_rules[1].major == 1 && r->dev_rules[1].minor == 3);
	assert_true(r->dev_rules[8].major == 136 && r->dev_rules[8].minor == -1);
	assert_int_equal(spec.n_masked_paths, 10);
	assert_int_equal(spec.n_readonly_paths, 5);
	assert_int_equal(spec.n_sysctl, 0);
	mc_spec_free(&spec);
}

#define VER "\"ociVersion\": \"1.0.2\""
#define PROC "\"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"/\"}"
#define ROOT "\"root\": {\"path\": \"rootfs\"}"
#define NS(...) "\"linux\": {\"namespaces\": [" __VA_ARGS__ "]}"
/* A valid config with MORE members at the top level. */
#define DOC(...) "{" VER ", " PROC ", " ROOT ", " __VA_ARGS__ "}"
/* The same with another process object. */
#define PDOC(...) "{" VER ", " ROOT ", \"process\": {" __VA_ARGS__ "}}"
#define ARGS "\"args\": [\"sh\"], \"cwd\": \"/\", "

static const struct {
	const char *json;
	const char *error;
} bad[] = {
	{ "{\"ociVersion\": \"1.0\", ", "config.json: malformed JSON at byte 22: unexpected end" },
	{ "{\"ociVersion\" \"1.0\"}",
	  "config.json: malformed JSON at byte 13: expected ':'" },
	{ "{\"ociVersion\": \"1.0\" \"process\": {}}",
	  "config.json: malformed JSON at byte 21: expected ','" },
	{ "", "config.json: empty JSON document" },
	{ "[1]", "config.json: expected an object at the top level" },
	{ "{" PROC ", " ROOT "}", "config.json: ociVersion: missing" },
	{ "{\"ociVersion\": \"0.5.0\", " PROC ", " ROOT "}",
	  "config.json: ociVersion: '0.5.0' is not a 1.x version" },
	{ "{\"ociVersion\": 1, " PROC ", " ROOT "}",
	  "config.json: ociVersion: expected a string" },
	{ "{" VER ", " ROOT "}", "config.json: process: missing" },
	{ "{" VER ", " PROC "}", "config.json: root.path: missing" },
	{ "{" VER ", " PROC ", \"root\": {\"readonly\": true}}",
	  "config.json: root.path: missing" },
	{ "{" VER ", " PROC ", \"root\": {\"path\": 7}}",
	  "config.json: root.path: expected a string" },
	{ PDOC("\"cwd\": \"/\""), "config.json: process.args: missing" },
	{ PDOC("\"args\": [], \"cwd\": \"/\""),
	  "config.json: process.args: must not be empty" },
	{ PDOC("\"args\": [\"a\", 2], \"cwd\": \"/\""),
	  "config.json: process.args[1]: expected a string" },
	{ PDOC("\"args\": \"sh\", \"cwd\": \"/\""),
	  "config.json: process.args: expected an array of strings" },
	{ PDOC("\"args\": [\"sh\"]"), "config.json: process.cwd: missing" },
	{ PDOC("\"args\": [\"sh\"], \"cwd\": \"tmp\""),
	  "config.json: process.cwd: 'tmp' is not an absolute path" },
	{ PDOC(ARGS "\"user\": {\"uid\": \"0\"}"),
	  "config.json: process.user.uid: expected an integer of 0 or more" },
	{ PDOC(ARGS "\"user\": {\"uid\": -1}"),
	  "config.json: process.user.uid: expected an integer of 0 or more" },
	{ PDOC(ARGS "\"user\": {\"gid\": 4294967296}"),
	  "config.json: process.user.gid: expected an integer from 0 to 4294967295" },
	{ PDOC(ARGS "\"user\": {\"additionalGids\": [1, true]}"),
	  "config.json: process.user.additionalGids[1]: expected an integer of 0 or more" },
	{ PDOC(ARGS "\"user\": {\"umask\": 512}"),
	  "config.json: process.user.umask: expected an integer from 0 to 511 (0777)" },
	{ PDOC(ARGS "\"user\": 0"), "config.json: process.user: expected an object" },
	{ PDOC(ARGS "\"terminal\": 1"),
	  "config.json: process.terminal: expected true or false" },
	{ PDOC(ARGS "\"env\": [\"A=1\", \"B\"]"),
	  "config.json: process.env[1]: 'B': expected NAME=VALUE" },
	{ PDOC(ARGS "\"env\": [\"=x\"]"),
	  "config.json: process.env[0]: '=x': expected NAME=VALUE" },
	{ PDOC(ARGS "\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]"),
	  "config.json: process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'" },
	{ PDOC(ARGS "\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"hard\": 1}]"),
	  "config.json: process.rlimits[0].soft: missing" },
	{ PDOC(ARGS "\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 2, \"hard\": 1}]"),
	  "config.json: process.rlimits[0]: soft limit above the hard limit" },
	{ PDOC(ARGS "\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": 1},"
		    " {\"type\": \"RLIMIT_CORE\", \"soft\": 2, \"hard\": 2}]"),
	  "config.json: process.rlimits[1].type: RLIMIT_CORE given twice" },
	{ PDOC(ARGS "\"capabilities\": {\"bounding\": [1]}"),
	  "config.json: process.capabilities.bounding[0]: expected a string" },
	{ PDOC(ARGS "\"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_FOO\"]}"),
	  "config.json: process.capabilities.bounding: unknown capability CAP_FOO" },
	{ PDOC(ARGS "\"oomScoreAdj\": 1001"),
	  "config.json: process.oomScoreAdj: expected an integer from -1000 to 1000" },
	{ PDOC(ARGS "\"apparmorProfile\": \"docker-default\""),
	  "config.json: process.apparmorProfile: not supported" },
	{ PDOC(ARGS "\"selinuxLabel\": \"system_u:system_r:container_t:s0\""),
	  "config.json: process.selinuxLabel: not supported" },
	{ PDOC(ARGS "\"ioPriority\": {\"class\": \"IOPRIO_CLASS_IDLE\"}"),
	  "config.json: process.ioPriority: not supported" },
	{ DOC("\"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\"}, {\"destination\": 5}]"),
	  "config.json: mounts[1].destination: expected a string" },
	{ DOC("\"mounts\": [{\"type\": \"tmpfs\"}]"),
	  "config.json: mounts[0].destination: missing" },
	{ DOC("\"mounts\": [{\"destination\": \"/a\"}]"),
	  "config.json: mounts[0].type: missing" },
	{ DOC("\"mounts\": [{\"destination\": \"/a\", \"type\": \"bind\"}]"),
	  "config.json: mounts[0].source: missing" },
	{ DOC("\"mounts\": [{\"destination\": \"/a\", \"source\": \"/b\", \"options\": [\"rbind\", \"rro\"]}]"),
	  "config.json: mounts[0].options: 'rro' not supported" },
	{ DOC("\"mounts\": [{\"destination\": \"/a\", \"source\": \"/b\", \"type\": \"bind\","
	      " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}]"),
	  "config.json: mounts[0].uidMappings: not supported" },
	{ DOC("\"mounts\": {}"), "config.json: mounts: expected an array" },
	{ DOC("\"hooks\": {\"prestart\": [{\"path\": \"hook\"}]}"),
	  "config.json: hooks.prestart[0].path: 'hook' is not an absolute path" },
	{ DOC("\"hooks\": {\"poststop\": [{\"args\": []}]}"),
	  "config.json: hooks.poststop[0].path: missing" },
	{ DOC("\"hooks\": {\"createRuntime\": [{\"path\": \"/h\", \"timeout\": 0}]}"),
	  "config.json: hooks.createRuntime[0].timeout: expected an integer above 0" },
	{ DOC("\"annotations\": {\"a\": 1}"),
	  "config.json: annotations.a: expected a string" },
	{ DOC(NS("{\"type\": \"mount\"}, {\"type\": \"x\"}")),
	  "config.json: linux.namespaces[1].type: unknown namespace type 'x'" },
	{ DOC(NS("{\"type\": \"pid\"}, {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}")),
	  "config.json: linux.namespaces[1].type: 'pid' given twice" },
	{ DOC(NS("{\"type\": \"time\"}")),
	  "config.json: linux.namespaces[0].type: time namespace not supported" },
	{ DOC(NS("{\"type\": \"network\", \"path\": \"netns\"}")),
	  "config.json: linux.namespaces[0].path: 'netns' is not an absolute path" },
	{ DOC(NS("{\"path\": \"/proc/1/ns/net\"}")),
	  "config.json: linux.namespaces[0].type: missing" },
	{ DOC("\"hostname\": \"h\", " NS("{\"type\": \"mount\"}")),
	  "config.json: hostname: needs a UTS namespace in linux.namespaces" },
	{ DOC("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}"),
	  "config.json: linux.uidMappings: needs a user namespace in linux.namespaces" },
	{ DOC("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000}]}"),
	  "config.json: linux.uidMappings[0].size: missing" },
	{ DOC("\"linux\": {\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}]}"),
	  "config.json: linux.gidMappings[0] 0:1000:0: count must be at least 1" },
	{ DOC("\"linux\": {\"maskedPaths\": [\"/proc/kcore\"]}"),
	  "config.json: linux.maskedPaths: needs a mount namespace in linux.namespaces" },
	{ DOC("\"linux\": {\"namespaces\": [{\"type\": \"mount\"}], \"readonlyPaths\": [\"proc\"]}"),
	  "config.json: linux.readonlyPaths[0]: 'proc' is not an absolute path" },
	{ DOC("\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}"),
	  "config.json: linux.sysctl.net.ipv4.ip_forward: needs a network namespace in linux.namespaces" },
	{ DOC("\"linux\": {\"sysctl\": {\"vm.swappiness\": \"1\"}}"),
	  "config.json: linux.sysctl.vm.swappiness: not in a namespace of the container" },
	{ DOC("\"linux\": {\"sysctl\": {\"kernel.shmmax\": 1}}"),
	  "config.json: linux.sysctl.kernel.shmmax: expected a string" },
	{ DOC("\"linux\": {\"seccomp\": {}}"),
	  "config.json: linux.seccomp.defaultAction: missing" },
	{ DOC("\"linux\": {\"seccomp\": []}"),
	  "config.json: linux.seccomp: expected an object" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_FOO\"}}"),
	  "config.json: linux.seccomp.defaultAction: unknown action SCMP_ACT_FOO" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOTIFY\"}}"),
	  "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY not supported (no seccomp listener)" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/l\"}}"),
	  "config.json: linux.seccomp.listenerPath: not supported" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}}"),
	  "config.json: linux.seccomp.architectures[0]: unknown architecture SCMP_ARCH_VAX" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}}"),
	  "config.json: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_NEW_LISTENER not supported (no seccomp listener)" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"}, "
	      "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"open\"], \"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"x\"], \"action\": \"SCMP_ACT_FOO\"}]}}"),
	  "config.json: linux.seccomp.syscalls[3].action: unknown action SCMP_ACT_FOO" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}}"),
	  "config.json: linux.seccomp.syscalls[0].names: expected at least one syscall name" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
	      "\"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}}"),
	  "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is over 5" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
	      "\"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ALMOST\"}]}]}}"),
	  "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator SCMP_CMP_ALMOST" },
	{ DOC("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000}]}}"),
	  "config.json: linux.seccomp.syscalls[0].errnoRet: 70000 is over 65535" },
	{ DOC("\"linux\": {\"intelRdt\": {\"closID\": \"x\"}}"),
	  "config.json: linux.intelRdt: not supported" },
	{ DOC("\"linux\": {\"mountLabel\": \"system_u:object_r:container_file_t:s0\"}"),
	  "config.json: linux.mountLabel: not supported" },
	{ DOC("\"linux\": {\"timeOffsets\": {\"monotonic\": {\"secs\": 1}}}"),
	  "config.json: linux.timeOffsets: not supported" },
	{ DOC("\"linux\": {\"personality\": {\"domain\": \"LINUX32\"}}"),
	  "config.json: linux.personality: not supported (only domain LINUX without flags)" },
	{ DOC("\"linux\": {\"resources\": {\"blockIO\": {\"weight\": 10}}}"),
	  "config.json: linux.resources.blockIO: not supported" },
	{ DOC("\"linux\": {\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}}"),
	  "config.json: linux.resources.hugepageLimits: not supported" },
	{ DOC("\"linux\": {\"resources\": {\"unified\": {\"memory.high\": \"1\"}}}"),
	  "config.json: linux.resources.unified: 'memory.high' not supported" },
	{ DOC("\"linux\": {\"resources\": {\"memory\": {\"limit\": -2}}}"),
	  "config.json: linux.resources.memory.limit: expected -1 (no limit) or a number of bytes" },
	{ DOC("\"linux\": {\"resources\": {\"memory\": {\"swappiness\": 101}}}"),
	  "config.json: linux.resources.memory.swappiness: expected an integer from 0 to 100" },
	{ DOC("\"linux\": {\"resources\": {\"memory\": {\"disableOOMKiller\": true}}}"),
	  "config.json: linux.resources.memory.disableOOMKiller: not supported" },
	{ DOC("\"linux\": {\"resources\": {\"cpu\": {\"realtimeRuntime\": 950000}}}"),
	  "config.json: linux.resources.cpu.realtimeRuntime: not supported" },
	{ DOC("\"linux\": {\"resources\": {\"pids\": {\"limit\": \"50\"}}}"),
	  "config.json: linux.resources.pids.limit: expected an integer" },
	{ DOC("\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}"),
	  "config.json: linux.resources.devices[0].access: expected some of \"rwm\"" },
	{ DOC("\"linux\": {\"resources\": {\"devices\": [{\"access\": \"r\"}]}}"),
	  "config.json: linux.resources.devices[0].allow: missing" },
	{ DOC("\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"type\": \"x\", \"access\": \"r\"}]}}"),
	  "config.json: linux.resources.devices[0].type: expected \"a\", \"c\" or \"b\"" },
	{ DOC("\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1}]}"),
	  "config.json: linux.devices[0].minor: missing" },
	{ DOC("\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 4096, \"minor\": 0}]}"),
	  "config.json: linux.devices[0].major: expected an integer from 0 to 4095" },
	{ DOC("\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"p\", \"fileMode\": 262144}]}"),
	  "config.json: linux.devices[0].fileMode: expected a file mode" },
	{ DOC("\"linux\": {\"devices\": [{\"path\": \"dev/x\", \"type\": \"p\"}]}"),
	  "config.json: linux.devices[0].path: 'dev/x' is not an absolute path" },
	{ DOC("\"linux\": {\"rootfsPropagation\": \"private,shared\"}"),
	  "config.json: linux.rootfsPropagation: unknown propagation 'private,shared'" },
	{ DOC("\"linux\": {\"rootfsPropagation\": \"ro\"}"),
	  "config.json: linux.rootfsPropagation: unknown propagation 'ro'" },
	{ DOC("\"linux\": []"), "config.json: linux: expected an object" },
};

static void test_errors(void **state)
{
	struct mc_spec spec;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(&spec, bad[i].json);

		if (rc != -1 || strcmp(mc_error_text(), bad[i].error))
			fail_msg("case %zu: %s\n  want: %s\n  got:  %s (%d)", i,
				 bad[i].json, bad[i].error,
				 rc ? mc_error_text() : "success", rc);
		mc_spec_free(&spec);
	}
}

static void test_minimal(void **state)
{
	struct mc_spec spec;

	(void)state;
	/* Unknown keys anywhere are ignored, null reads as absent, "" is unset,
	 * a repeated key wins over an earlier one (as Go's decoder has it). */
	assert_int_equal(parse(&spec, "{\"ociVersion\": \"0.1\", \"ociVersion\": \"1.2.0\", \"future\": {\"x\": [1]},"
				      " \"hostname\": \"\", \"domainname\": null,"
				      " \"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"/\","
				      " \"apparmorProfile\": \"\", \"env\": null, \"wat\": 1},"
				      " \"root\": {\"path\": \"/r\"}, \"mounts\": null}"),
			 0);
	assert_string_equal(spec.rootfs, "/r");
	assert_string_equal(spec.oci_version, "1.2.0");
	assert_null(spec.hostname);
	assert_null(spec.domainname);
	assert_int_equal(spec.env_len, 0);
	assert_int_equal(spec.n_mounts, 0);
	assert_int_equal(spec.namespaces, 0);
	/* No process.capabilities: none at all, as runc gives. */
	assert_true(spec.has_caps);
	assert_true(spec.caps.bounding == 0 && spec.caps.effective == 0);
	assert_true(spec.set_user);
	mc_spec_free(&spec);
}

static void test_process_fields(void **state)
{
	struct mc_spec spec;

	(void)state;
	assert_int_equal(parse(&spec, PDOC("\"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80},"
					   " \"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 0},"
					   " \"args\": [\"sh\"], \"cwd\": \"/root\", \"env\": [\"A=1\", \"B=2\", \"A=3\"],"
					   " \"capabilities\": {\"ambient\": [\"CAP_CHECKPOINT_RESTORE\", \"cap_chown\"],"
					   " \"inheritable\": []},"
					   " \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 18446744073709551615}],"
					   " \"oomScoreAdj\": -1000, \"noNewPrivileges\": true, \"ioPriority\": null")),
			 0);
	assert_true(spec.terminal);
	assert_int_equal(spec.console_height, 24);
	assert_int_equal(spec.console_width, 80);
	assert_int_equal(spec.uid, 1000);
	assert_int_equal(spec.gid, 100);
	assert_int_equal(spec.umask, 0);
	assert_int_equal(spec.env_len, 2);	/* the later A wins, in place */
	assert_string_equal(spec.env[0], "A=3");
	assert_string_equal(spec.cwd, "/root");
	/* Names in any case, with or without CAP_ (unknown ones: test_errors). */
	assert_true(spec.has_caps);
	assert_true(spec.caps.ambient == (BIT(40) | BIT(0)));
	assert_true(spec.caps.bounding == 0 && spec.caps.inheritable == 0);
	assert_int_equal(spec.rlimits[0].resource, RLIMIT_CORE);
	assert_true(spec.rlimits[0].hard == UINT64_MAX);
	assert_true(spec.has_oom_score_adj);
	assert_int_equal(spec.oom_score_adj, -1000);
	assert_true(spec.no_new_privileges);
	mc_spec_free(&spec);
}

static void test_mount_kinds(void **state)
{
	struct mc_spec spec;
	const struct mc_mount *m;

	(void)state;
	assert_int_equal(parse(&spec, DOC("\"mounts\": ["
		"{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"vol\"},"
		"{\"destination\": \"b\", \"type\": \"none\", \"source\": \"/s\", \"options\": [\"rbind\", \"rslave\", \"ro\"]},"
		"{\"destination\": \"/c\", \"type\": \"tmpfs\", \"options\": [\"tmpcopyup\", \"norelatime\", \"size=1m\", \"nosuid\"]},"
		"{\"destination\": \"/d\", \"type\": \"mqueue\", \"source\": \"\", \"options\": []}]")),
			 0);
	assert_int_equal(spec.n_mounts, 4);
	m = &spec.mounts[0];	/* type "bind" alone is a bind mount */
	assert_int_equal(m->flags, MS_BIND);
	assert_string_equal(m->source, BUNDLE "/vol");	/* relative: the bundle's */
	m = &spec.mounts[1];
	assert_string_equal(m->target, "/b");	/* relative: from the container's / */
	assert_string_equal(m->type, "bind");
	assert_int_equal(m->flags, MS_BIND | MS_REC | MS_RDONLY);
	assert_int_equal(m->propagation, MS_SLAVE | MS_REC);
	m = &spec.mounts[2];
	assert_true(m->tmpcopyup);
	assert_int_equal(m->flags, MS_NOSUID);
	assert_string_equal(m->data, "size=1m");
	assert_string_equal(m->source, "tmpfs");	/* no source: the type */
	m = &spec.mounts[3];
	assert_string_equal(m->source, "mqueue");
	assert_null(m->data);
	assert_int_equal(m->flags, 0);
	mc_spec_free(&spec);
}

static void test_hooks(void **state)
{
	const struct mc_hook *h;
	struct mc_spec spec;

	(void)state;
	assert_int_equal(parse(&spec, DOC("\"hooks\": {"
		"\"prestart\": [{\"path\": \"/bin/a\", \"args\": [\"a\", \"1\"], \"env\": [\"K=V\"], \"timeout\": 5}],"
		"\"createRuntime\": [{\"path\": \"/bin/b\"}, {\"path\": \"/bin/c\"}],"
		"\"createContainer\": [], \"startContainer\": [{\"path\": \"/s\"}],"
		"\"poststart\": [{\"path\": \"/p\"}], \"poststop\": [{\"path\": \"/q\"}],"
		"\"unknownKind\": 5}")),
			 0);
	h = &spec.hooks[MC_HOOK_PRESTART][0];
	assert_int_equal(spec.n_hooks[MC_HOOK_PRESTART], 1);
	assert_string_equal(h->path, "/bin/a");
	assert_string_equal(h->args[1], "1");
	assert_null(h->args[2]);
	assert_string_equal(h->env[0], "K=V");
	assert_int_equal(h->timeout, 5);
	assert_int_equal(spec.n_hooks[MC_HOOK_CREATE_RUNTIME], 2);
	assert_string_equal(spec.hooks[MC_HOOK_CREATE_RUNTIME][1].path, "/bin/c");
	assert_null(spec.hooks[MC_HOOK_CREATE_RUNTIME][1].args);
	assert_int_equal(spec.hooks[MC_HOOK_CREATE_RUNTIME][1].timeout, 0);
	assert_int_equal(spec.n_hooks[MC_HOOK_CREATE_CONTAINER], 0);
	assert_int_equal(spec.n_hooks[MC_HOOK_START_CONTAINER], 1);
	assert_int_equal(spec.n_hooks[MC_HOOK_POSTSTART], 1);
	assert_string_equal(spec.hooks[MC_HOOK_POSTSTOP][0].path, "/q");
	mc_spec_free(&spec);
}

static void test_linux_fields(void **state)
{
	const struct mc_resources *r;
	struct mc_spec spec;

	(void)state;
	assert_int_equal(parse(&spec, DOC("\"hostname\": \"h\", \"domainname\": \"d\", \"linux\": {"
		"\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"uts\", \"path\": \"\"},"
		" {\"type\": \"ipc\", \"path\": \"/proc/1/ns/ipc\"}, {\"type\": \"network\"}, {\"type\": \"cgroup\"}],"
		"\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
		"\"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 1},"
		" {\"containerID\": 1, \"hostID\": 200000, \"size\": 10}],"
		"\"sysctl\": {\"kernel.shmmax\": \"1\", \"fs.mqueue.msg_max\": \"5\", \"net.core.somaxconn\": \"128\","
		" \"kernel.domainname\": \"x\", \"net.core.somaxconn\": \"256\"},"
		"\"resources\": {\"memory\": {\"limit\": -1, \"reservation\": 1024, \"swap\": -1, \"swappiness\": 0,"
		" \"kernel\": 10, \"kernelTCP\": 0},"
		" \"cpu\": {\"shares\": 512, \"quota\": -1, \"period\": 50000, \"cpus\": \"0-1\", \"mems\": \"0\", \"idle\": 0},"
		" \"pids\": {\"limit\": -5}, \"unified\": {\"cpu.weight\": \"100\"}, \"blockIO\": {}, \"hugepageLimits\": [],"
		" \"devices\": [{\"allow\": true, \"type\": \"b\", \"major\": 8, \"access\": \"mr\"}]},"
		"\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229, \"fileMode\": 438,"
		" \"uid\": 0}, {\"path\": \"/dev/fifo\", \"type\": \"p\"},"
		" {\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 8630}],"
		"\"rootfsPropagation\": \"rslave\", \"cgroupsPath\": \"system.slice:mc:x\","
		"\"personality\": {\"domain\": \"LINUX\", \"flags\": []}, \"seccomp\": null, \"mountLabel\": \"\"}")),
			 0);
	r = &spec.resources;
	assert_int_equal(spec.namespaces, CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWNET |
						  CLONE_NEWCGROUP);
	assert_string_equal(spec.ns_path[MC_NS_IPC], "/proc/1/ns/ipc");
	assert_null(spec.ns_path[MC_NS_UTS]);
	assert_int_equal(spec.n_uid_maps, 1);
	assert_int_equal(spec.uid_maps[0].host_id, 100000);
	assert_int_equal(spec.uid_maps[0].count, 65536);
	assert_int_equal(spec.n_gid_maps, 2);
	assert_int_equal(spec.gid_maps[1].container_id, 1);
	assert_int_equal(spec.n_sysctl, 4);
	assert_string_equal(spec.sysctl[2].key, "net.core.somaxconn");
	assert_string_equal(spec.sysctl[2].value, "256");
	assert_true(r->memory_limit == 0);	/* -1: no limit, a new cgroup's */
	assert_true(r->memory_reservation == 1024);
	assert_true(r->memory_swap == -1);
	assert_true(r->memory_swappiness == 0);
	assert_true(r->cpu_shares == 512 && r->cpu_quota == -1 && r->cpu_period == 50000);
	assert_string_equal(r->cpuset_cpus, "0-1");
	assert_string_equal(r->cpuset_mems, "0");
	assert_true(r->pids_limit == -1);
	assert_true(r->cpu_weight == 100);
	assert_int_equal(r->n_dev_rules, 1);
	assert_int_equal(r->dev_rules[0].type, 'b');
	assert_true(r->dev_rules[0].major == 8 && r->dev_rules[0].minor == -1);
	assert_string_equal(r->dev_rules[0].access, "mr");
	assert_int_equal(spec.n_devices, 3);
	assert_string_equal(spec.devices[0].path, "/dev/fuse");
	assert_int_equal(spec.devices[0].type, 'c');
	assert_true(spec.devices[0].major == 10 && spec.devices[0].minor == 229);
	assert_true(spec.devices[0].has_mode && spec.devices[0].file_mode == 0666);
	assert_true(spec.devices[0].has_uid && !spec.devices[0].has_gid);
	assert_int_equal(spec.devices[1].type, 'p');
	assert_false(spec.devices[1].has_mode);
	assert_int_equal(spec.devices[2].file_mode, 0666);	/* S_IFCHR dropped */
	assert_int_equal(spec.rootfs_propagation, MS_SLAVE | MS_REC);
	assert_string_equal(spec.cgroups_path, "system.slice:mc:x");
	assert_string_equal(spec.hostname, "h");
	assert_string_equal(spec.domainname, "d");
	mc_spec_free(&spec);
}

static void test_process_file(void **state)
{
	const char *ok = "{\"args\": [\"ps\", \"aux\"], \"cwd\": \"/tmp\", \"env\": [\"X=1\"],"
			 " \"user\": {\"uid\": 5}, \"capabilities\": {\"effective\": [\"CAP_KILL\"]}}";
	const char *bad_cwd = "{\"args\": [\"ps\"], \"cwd\": \"rel\"}";
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse_process(&spec, ok, strlen(ok)), 0);
	assert_string_equal(spec.argv[1], "aux");
	assert_string_equal(spec.cwd, "/tmp");
	assert_int_equal(spec.uid, 5);
	assert_true(spec.caps.effective == BIT(5));
	assert_null(spec.rootfs);
	mc_spec_free(&spec);
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse_process(&spec, bad_cwd, strlen(bad_cwd)), -1);
	assert_string_equal(mc_error_text(), "process.cwd: 'rel' is not an absolute path");
	mc_spec_free(&spec);
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse_process(&spec, "[]", 2), -1);
	assert_string_equal(mc_error_text(), "process: expected an object");
	mc_spec_free(&spec);
}

static void test_load(void **state)
{
	char dir[] = "/tmp/mc-config-XXXXXX", path[64];
	const char *doc = DOC("\"hostname\": \"h\", " NS("{\"type\": \"uts\"}"));
	struct mc_spec spec;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_load(&spec, dir), -1);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_non_null(strstr(mc_error_text(), "/config.json: No such file or directory"));
	mc_spec_free(&spec);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(doc, f);
	fclose(f);
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_load(&spec, dir), 0);
	assert_string_equal(spec.hostname, "h");
	assert_string_equal(spec.rootfs + strlen(dir), "/rootfs");
	assert_memory_equal(spec.rootfs, dir, strlen(dir));
	mc_spec_free(&spec);
	f = fopen(path, "w");
	fputs("{\"ociVersion\": \"1.0\",\n  \"process\": x}", f);
	fclose(f);
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_load(&spec, dir), -1);
	assert_string_equal(mc_error_text() + strlen(dir),
			    "/config.json: malformed JSON at byte 35");
	mc_spec_free(&spec);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A relative bundle is taken from the current directory. */
static void test_relative_bundle(void **state)
{
	const char *doc = DOC("\"mounts\": [{\"destination\": \"/v\", \"type\": \"bind\", \"source\": \"v\"}]");
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	struct mc_spec spec;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse(&spec, doc, strlen(doc), "b"), 0);
	snprintf(want, sizeof(want), "%s/b/rootfs", cwd);
	assert_string_equal(spec.rootfs, want);
	snprintf(want, sizeof(want), "%s/b/v", cwd);
	assert_string_equal(spec.mounts[0].source, want);
	mc_spec_free(&spec);
	mc_spec_init(&spec, NULL);
	assert_int_equal(mc_config_parse(&spec, doc, strlen(doc), NULL), 0);
	snprintf(want, sizeof(want), "%s/rootfs", cwd);
	assert_string_equal(spec.rootfs, want);
	mc_spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podman_seccomp),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_containerd),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_process_fields),
		cmocka_unit_test(test_mount_kinds),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_linux_fields),
		cmocka_unit_test(test_process_file),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_relative_bundle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
