// SPDX-License-Identifier: MIT
/* The seed's command line: flags → struct mc_spec. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cgroups.h"
#include "cli.h"
#include "config.h"
#include "error.h"
#include "life.h"
#include "util.h"

#ifndef MC_VERSION
#define MC_VERSION "0.1.0"
#endif

enum opt_id { OPT_PID, OPT_ROOTFS, OPT_DEBUG, OPT_ENV, OPT_TMPFS, OPT_WORKDIR,
	      OPT_INIT, OPT_INIT_GROUP, OPT_UTS, OPT_HOSTNAME, OPT_IPC,
	      OPT_CGROUPNS, OPT_USER, OPT_UIDMAP, OPT_GIDMAP, OPT_USERID,
	      OPT_ALL, OPT_MEMORY, OPT_MEMORY_SWAP, OPT_CPUS, OPT_CPU_WEIGHT,
	      OPT_PIDS_LIMIT, OPT_CGROUP_PARENT, OPT_CGROUP, OPT_STATS,
	      OPT_PRIVILEGED, OPT_CAP_ADD, OPT_CAP_DROP, OPT_ULIMIT,
	      OPT_NO_NEW_PRIVS, OPT_SECCOMP, OPT_DETACH, OPT_NAME, OPT_RESTART,
	      OPT_LOG_MAX_SIZE, OPT_RM, OPT_ROOT, OPT_NET, OPT_SUBNET, OPT_IP,
	      OPT_DNS, OPT_ADD_HOST, OPT_PUBLISH, OPT_NAT, OPT_BUNDLE, OPT_HELP,
	      OPT_VERSION };

static const struct option_def {
	const char *name;
	enum opt_id id;
	bool has_arg;
} options[] = {
	{ "--pid", OPT_PID, false },
	{ "--rootfs", OPT_ROOTFS, true },
	{ "--debug", OPT_DEBUG, false },
	{ "--env", OPT_ENV, true },
	{ "--tmpfs", OPT_TMPFS, true },
	{ "--workdir", OPT_WORKDIR, true },
	{ "--init", OPT_INIT, false },
	{ "--init-group", OPT_INIT_GROUP, false },
	{ "--uts", OPT_UTS, false },
	{ "--hostname", OPT_HOSTNAME, true },
	{ "--ipc", OPT_IPC, false },
	{ "--cgroupns", OPT_CGROUPNS, false },
	{ "--user", OPT_USER, false },
	{ "--uidmap", OPT_UIDMAP, true },
	{ "--gidmap", OPT_GIDMAP, true },
	{ "--userid", OPT_USERID, true },
	{ "--all", OPT_ALL, false },
	{ "--memory", OPT_MEMORY, true },
	{ "--memory-swap", OPT_MEMORY_SWAP, true },
	{ "--cpus", OPT_CPUS, true },
	{ "--cpu-weight", OPT_CPU_WEIGHT, true },
	{ "--pids-limit", OPT_PIDS_LIMIT, true },
	{ "--cgroup-parent", OPT_CGROUP_PARENT, true },
	{ "--cgroup", OPT_CGROUP, true },
	{ "--stats", OPT_STATS, false },
	{ "--privileged", OPT_PRIVILEGED, false },
	{ "--cap-add", OPT_CAP_ADD, true },
	{ "--cap-drop", OPT_CAP_DROP, true },
	{ "--ulimit", OPT_ULIMIT, true },
	{ "--no-new-privileges", OPT_NO_NEW_PRIVS, false },
	{ "--seccomp", OPT_SECCOMP, true },
	{ "--detach", OPT_DETACH, false },
	{ "-d", OPT_DETACH, false },
	{ "--name", OPT_NAME, true },
	{ "--restart", OPT_RESTART, true },
	{ "--log-max-size", OPT_LOG_MAX_SIZE, true },
	{ "--rm", OPT_RM, false },
	{ "--root", OPT_ROOT, true },
	{ "--net", OPT_NET, true },
	{ "--network", OPT_NET, true },
	{ "--subnet", OPT_SUBNET, true },
	{ "--ip", OPT_IP, true },
	{ "--dns", OPT_DNS, true },
	{ "--add-host", OPT_ADD_HOST, true },
	{ "--publish", OPT_PUBLISH, true },
	{ "-p", OPT_PUBLISH, true },
	{ "--nat", OPT_NAT, false },
	{ "--bundle", OPT_BUNDLE, true },
	{ "--help", OPT_HELP, false },
	{ "-h", OPT_HELP, false },
	{ "--version", OPT_VERSION, false },
};

static const int namespace_flags[] = {
	[OPT_PID] = CLONE_NEWPID,
	[OPT_UTS] = CLONE_NEWUTS,
	[OPT_IPC] = CLONE_NEWIPC,
	[OPT_CGROUPNS] = CLONE_NEWCGROUP,
	[OPT_USER] = CLONE_NEWUSER,
	[OPT_ALL] = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
		    CLONE_NEWCGROUP | CLONE_NEWUSER,
};

void mc_cli_usage(void)
{
	fputs("Usage: mcstatic [OPTIONS] [--] COMMAND [ARGS...]\n"
	      "       mcstatic [--root DIR] [--log FILE] [--log-format text|json] VERB ...\n"
	      "Run COMMAND in a Linux container; or, with a VERB, act as an OCI\n"
	      "runtime (runc's command line) on a bundle (--bundle DIR):\n"
	      "  create start run state kill delete exec list ps pause resume\n"
	      "  update events features spec\n"
	      "and on detached containers (-d): ps logs inspect stop wait rm\n"
	      "  restart top stats exec kill; network ls|prune (the bridges)\n"
	      "A first word that is a verb is the verb; `mcstatic -- ps` or a path\n"
	      "(/bin/ps) runs a command of that name.\n\n"
	      "  --pid              new PID namespace: COMMAND runs as PID 1\n"
	      "  --rootfs DIR       new mount namespace with DIR as / (pivot_root),\n"
	      "                     a private /proc and a minimal /dev\n"
	      "  --bundle DIR       start from DIR/config.json (an OCI bundle, e.g. from\n"
	      "                     rootfs-build/image.sh); the other flags layer on it\n"
	      "                     and COMMAND, if given, replaces its process.args\n"
	      "  --env KEY=VALUE    set an environment variable (repeatable)\n"
	      "  --tmpfs PATH[:OPTS]  mount a tmpfs at PATH, e.g. /tmp:size=64m,mode=1777\n"
	      "  --workdir DIR      working directory of COMMAND\n"
	      "  --init             run a small init as PID 1 that reaps orphans and\n"
	      "                     forwards signals; COMMAND runs as its child\n"
	      "  --init-group       like --init, signals go to COMMAND's process group\n"
	      "  --uts              new UTS namespace (own hostname)\n"
	      "  --hostname NAME    set the hostname (implies --uts; sets HOSTNAME)\n"
	      "  --ipc              new IPC namespace\n"
	      "  --cgroupns         new cgroup namespace\n"
	      "  --user             new user namespace: rootless containers; your uid\n"
	      "                     and gid become 0 inside (plus your /etc/subuid and\n"
	      "                     /etc/subgid ranges through newuidmap/newgidmap)\n"
	      "  --uidmap C:H:N     map N uids from C inside to H outside (repeatable)\n"
	      "  --gidmap C:H:N     map N gids likewise (repeatable)\n"
	      "  --userid UID[:GID] run COMMAND as this user inside\n"
	      "  --all              every namespace: --pid --uts --ipc --cgroupns --user\n"
	      "  --memory SIZE      memory limit, e.g. 64m (k, m, g); out of memory\n"
	      "                     kills the container (status 137)\n"
	      "  --memory-swap SIZE memory plus swap limit (docker's meaning); -1: no limit\n"
	      "  --cpus N           CPU time limit in CPUs, e.g. 0.5 (per 100 ms period)\n"
	      "  --cpu-weight N     CPU share under contention, 1-10000 (default 100)\n"
	      "  --pids-limit N     at most N tasks in the container; -1: no limit\n"
	      "  --cgroup-parent P  make the cgroup under P (default: mcstatic)\n"
	      "  --cgroup NAME      the cgroup's name (default: mcstatic's PID)\n"
	      "  --stats            print peak memory and CPU time at exit\n"
	      "  --privileged       every capability of the host's bounding set\n"
	      "  --cap-add CAP      add a capability to the default set, e.g.\n"
	      "                     sys_admin or CAP_NET_ADMIN; `all` for every one\n"
	      "                     (repeatable)\n"
	      "  --cap-drop CAP     drop a capability from it; `all` for every one,\n"
	      "                     then only the --cap-add ones remain (repeatable)\n"
	      "  --no-new-privileges  no exec can gain privilege (setuid, file caps)\n"
	      "  --ulimit NAME=SOFT[:HARD]  a resource limit, e.g. nofile=1024:4096\n"
	      "                     (docker's names; -1 or unlimited; repeatable)\n"
	      "  --seccomp PROFILE  the syscall filter: default (the engines' profile,\n"
	      "                     on unless --privileged), unconfined, or FILE.json\n"
	      "                     (an OCI linux.seccomp object)\n"
	      "  -d, --detach       run in the background, supervised by mcstatic;\n"
	      "                     prints the container's name (see `mcstatic ps`)\n"
	      "  --name NAME        the detached container's name (default: a random ID)\n"
	      "  --restart POLICY   no, on-failure[:MAX], always or unless-stopped\n"
	      "  --log-max-size SIZE  rotate the container's log past SIZE (default 1m)\n"
	      "  --rm               remove the detached container when it ends\n"
	      "  --root DIR         where detached containers' state is kept\n"
	      "  --net MODE         host (default), none (lo only), bridge[=NAME]\n"
	      "                     (a veth on bridge NAME, default mcbr0), ns:PATH\n"
	      "                     (join that namespace), slirp4netns or pasta\n"
	      "                     (rootless, through that helper)\n"
	      "  --subnet A.B.C.D/N the bridge's subnet when mcstatic creates it\n"
	      "  --ip ADDR          a fixed address on the bridge\n"
	      "  --dns ADDR         nameserver for /etc/resolv.conf (repeatable)\n"
	      "  --add-host NAME:ADDR  a line for /etc/hosts (repeatable)\n"
	      "  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]  forward a host\n"
	      "                     port to the container's PORT (repeatable)\n"
	      "  --nat              masquerade the bridge's outbound traffic (nft)\n"
	      "  --debug            print each setup step on stderr\n"
	      "  --help             show this help\n"
	      "  --version          show the version\n\n"
	      "Exit status: COMMAND's own; 125 mcstatic failed; 126 not executable;\n"
	      "127 not found; 128+N killed by signal N.\n",
	      stdout);
}

static const struct option_def *find_option(const char *arg, const char **value)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		size_t n = strlen(options[i].name);

		if (strncmp(arg, options[i].name, n))
			continue;
		if (arg[n] == '\0') {
			*value = NULL;
			return &options[i];
		}
		if (arg[n] == '=' && options[i].has_arg) {
			*value = arg + n + 1;
			return &options[i];
		}
	}
	return NULL;
}

static int parse_env(struct mc_spec *spec, char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return mc_error(0, "--env '%s': expected KEY=VALUE", kv);
	return mc_spec_setenv(spec, kv);
}

/* --tmpfs PATH[:OPTS]: the options go to mount(2) like mount -o would. */
/*
 * A propagation word, which config.json's tmpfs mounts may carry (podman's
 * "rprivate"): the seed's --tmpfs is a new tmpfs and nothing else, as
 * before propagation was applied to OCI mounts.
 */
static const char *propagation_word(const char *opts)
{
	static const char *const words[] = {
		"private", "rprivate", "shared", "rshared", "slave", "rslave",
		"unbindable", "runbindable",
	};

	for (const char *w = opts; w && *w;) {
		size_t n = strcspn(w, ",");

		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			if (strlen(words[i]) == n && !strncmp(w, words[i], n))
				return words[i];
		w += n + (w[n] == ',');
	}
	return NULL;
}

static int parse_tmpfs(struct mc_spec *spec, char *arg)
{
	struct mc_mount m = {
		.source = "tmpfs",
		.type = "tmpfs",
		.flags = MS_NOSUID | MS_NODEV,
	};
	char *colon = strchr(arg, ':');

	/*
	 * The target is a copy: ARG stays whole, for the invocation a
	 * detached container saves (restart and exec parse it again).
	 */
	if (colon) {
		arg = strndup(arg, (size_t)(colon - arg));
		if (!arg || mc_spec_own(spec, arg) < 0)
			return mc_error(ENOMEM, "--tmpfs");
	}
	m.target = arg;
	if (arg[0] != '/')
		return mc_error(0, "--tmpfs '%s': expected an absolute path", arg);
	if (mc_mount_options(colon ? colon + 1 : NULL, &m) < 0)
		return -1;
	if (m.propagation && !(m.flags & (MS_BIND | MS_REC | MS_MOVE | MS_REMOUNT))) {
		free(m.data);
		return mc_error(0, "--tmpfs %s: option '%s' is not a tmpfs option",
				arg, propagation_word(colon + 1));
	}
	if (mc_mount_validate(&m) < 0) {
		free(m.data);
		return mc_error_context("--tmpfs %s", arg);
	}
	if (mc_spec_add_mount(spec, &m) < 0) {
		free(m.data);
		return -1;
	}
	return 0;
}

int mc_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = s && *s == '-';
	const char *end;
	uint64_t v;

	if (!s || !(end = mc_scan_u64(s + neg, &v)) || *end || v > INT64_MAX)
		return -1;
	if ((neg ? -(int64_t)v : (int64_t)v) < min ||
	    (neg ? -(int64_t)v : (int64_t)v) > max)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int mc_parse_size(const char *s, int64_t *bytes)
{
	uint64_t v, mult = 1;
	const char *p;

	if (!s || !(p = mc_scan_u64(s, &v)))
		return -1;
	switch (*p) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ULL << 10;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		break;
	default:
		return -1;
	}
	if (*p && p[1])
		return -1;
	if (v > (uint64_t)INT64_MAX / mult)
		return -1;
	*bytes = (int64_t)(v * mult);
	return 0;
}

/* Exact decimal arithmetic: "0.5" is 50000 of 100000, not 49999. */
int mc_parse_cpus(const char *s, uint64_t period, int64_t *quota)
{
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = s;

	if (!s || !*s || period == 0)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 100000)	/* more CPUs than any machine has */
			return -1;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale >= 1000000000ULL)
				continue;	/* beyond a nanosecond of quota */
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	if (*p || p == s || (p == s + 1 && *s == '.'))
		return -1;
	*quota = (int64_t)(whole * period + (frac * period + scale / 2) / scale);
	return *quota > 0 ? 0 : -1;
}

/* An unsigned int at S: the number of digits read, or -1. */
static int parse_uint(const char *s, unsigned int *out)
{
	uint64_t v;
	const char *end = mc_scan_u64(s, &v);

	if (!end || v > UINT_MAX)
		return -1;
	*out = v;
	return end - s;
}

/* --uidmap/--gidmap CONTAINER:HOST:COUNT */
static int parse_idmap(struct mc_idmap *maps, size_t *n, const char *arg,
		       const char *what)
{
	unsigned int v[3];
	const char *p = arg;

	for (int i = 0; i < 3; i++) {
		int len = parse_uint(p, &v[i]);

		if (len < 0 || p[len] != (i < 2 ? ':' : '\0'))
			return mc_error(0, "%s '%s': expected CONTAINER:HOST:COUNT",
					what, arg);
		p += len + 1;
	}
	return mc_idmap_add(maps, n,
			    &(struct mc_idmap){ v[0], v[1], v[2] }, what);
}

/* --userid UID[:GID]; the gid defaults to the uid. */
static int parse_userid(struct mc_spec *spec, const char *arg)
{
	int len = parse_uint(arg, &spec->uid);

	if (len < 0 || (arg[len] && arg[len] != ':'))
		return mc_error(0, "--userid '%s': expected UID[:GID]", arg);
	spec->gid = spec->uid;
	if (arg[len] == ':') {
		int glen = parse_uint(arg + len + 1, &spec->gid);

		if (glen < 0 || arg[len + 1 + glen])
			return mc_error(0, "--userid '%s': expected UID[:GID]",
					arg);
	}
	spec->set_user = true;
	return 0;
}

/* Docker's resource flags and units → linux.resources. */
static int parse_resource(struct mc_resources *r, enum opt_id id,
			  const char *v)
{
	int64_t n;

	switch (id) {
	case OPT_MEMORY:
		if (mc_parse_size(v, &r->memory_limit) < 0 || !r->memory_limit)
			return mc_error(0, "--memory '%s': expected a size above 0, "
					"in bytes or with k, m, g (e.g. 64m)", v);
		return 0;
	case OPT_MEMORY_SWAP:
		if (!strcmp(v, "-1"))
			r->memory_swap = -1;
		else if (mc_parse_size(v, &r->memory_swap) < 0 || !r->memory_swap)
			return mc_error(0, "--memory-swap '%s': expected a size "
					"above 0 (k, m, g), or -1", v);
		return 0;
	case OPT_CPUS:
		if (mc_parse_cpus(v, MC_CPU_PERIOD_US, &r->cpu_quota) < 0)
			return mc_error(0, "--cpus '%s': expected a number of "
					"CPUs above 0, e.g. 0.5", v);
		r->cpu_period = MC_CPU_PERIOD_US;
		return 0;
	case OPT_CPU_WEIGHT:
		if (mc_parse_int(v, 1, 10000, &n) < 0)
			return mc_error(0, "--cpu-weight '%s': expected 1 to 10000", v);
		r->cpu_weight = (uint64_t)n;
		return 0;
	default:
		if (mc_parse_int(v, -1, INT64_MAX, &n) < 0 || n == 0)
			return mc_error(0, "--pids-limit '%s': expected 1 or more, "
					"or -1 for no limit", v);
		r->pids_limit = n;
		return 0;
	}
}

/* -d and what goes with it: the container mcstatic supervises. */
static int apply_detach_option(struct mc_run_opts *opts, enum opt_id id,
			       const char *value)
{
	enum mc_restart policy;
	unsigned int max;
	int64_t size;

	switch (id) {
	case OPT_DETACH:
		opts->detach = true;
		return 0;
	case OPT_NAME:
		opts->name = value;
		return mc_name_check(value);
	case OPT_RESTART:
		opts->restart = value;
		return mc_restart_parse(value, &policy, &max);
	case OPT_LOG_MAX_SIZE:
		if (mc_parse_size(value, &size) < 0 || size < 4096)
			return mc_error(0, "--log-max-size '%s': expected a size "
					   "of 4k or more, e.g. 10m", value);
		opts->log_max_size = (uint64_t)size;
		return 0;
	case OPT_RM:
		opts->auto_remove = true;
		return 0;
	case OPT_ROOT:
		opts->state_root = value;
		return 0;
	default:
		return 0;
	}
}

static int apply_net_option(struct mc_spec *spec, enum opt_id id, char *value)
{
	switch (id) {
	case OPT_NET:
		return mc_cli_net_mode(spec, value);
	case OPT_SUBNET:
		return mc_cli_net_subnet(spec, value);
	case OPT_IP:
		return mc_cli_net_ip(spec, value);
	case OPT_DNS:
		return mc_cli_net_dns(spec, value);
	case OPT_ADD_HOST:
		return mc_cli_net_add_host(spec, value);
	case OPT_PUBLISH:
		return mc_cli_net_port(spec, value);
	default:
		spec->net.nat = true;
		return 0;
	}
}

/* The options that only mean something for a detached run. */
static int check_detach_options(const struct mc_run_opts *opts)
{
	const char *flag = opts->name ? "--name" : opts->restart ? "--restart"
			   : opts->log_max_size ? "--log-max-size"
			   : opts->auto_remove ? "--rm" : NULL;

	if (!opts->detach && flag)
		return mc_error(0, "%s needs --detach (-d)", flag);
	if (opts->auto_remove && opts->restart && strcmp(opts->restart, "no"))
		return mc_error(0, "--rm and --restart %s cannot go together",
				opts->restart);
	return 0;
}

static int apply_option(struct mc_spec *spec, struct mc_run_opts *opts,
			struct mc_cli_security *sec, enum opt_id id,
			char *value)
{
	switch (id) {
	case OPT_PID:
	case OPT_UTS:
	case OPT_IPC:
	case OPT_CGROUPNS:
	case OPT_USER:
	case OPT_ALL:
		spec->namespaces |= namespace_flags[id];
		return 0;
	case OPT_ROOTFS:
		spec->rootfs = value;
		return 0;
	case OPT_DEBUG:
		mc_debug_enabled = true;
		return 0;
	case OPT_ENV:
		return parse_env(spec, value);
	case OPT_TMPFS:
		return parse_tmpfs(spec, value);
	case OPT_WORKDIR:
		spec->cwd = value;
		return 0;
	case OPT_INIT_GROUP:
		opts->init_group = true;
		/* fall through */
	case OPT_INIT:
		opts->init = true;
		return 0;
	case OPT_HOSTNAME:
		spec->hostname = value;
		return mc_spec_setenv_pair(spec, "HOSTNAME", value);
	case OPT_UIDMAP:
		return parse_idmap(spec->uid_maps, &spec->n_uid_maps, value,
				   "--uidmap");
	case OPT_GIDMAP:
		return parse_idmap(spec->gid_maps, &spec->n_gid_maps, value,
				   "--gidmap");
	case OPT_USERID:
		return parse_userid(spec, value);
	case OPT_MEMORY:
	case OPT_MEMORY_SWAP:
	case OPT_CPUS:
	case OPT_CPU_WEIGHT:
	case OPT_PIDS_LIMIT:
		return parse_resource(&spec->resources, id, value);
	case OPT_CGROUP_PARENT:
		spec->cgroup_parent = value;
		return 0;
	case OPT_CGROUP:
		spec->cgroup_name = value;
		return 0;
	case OPT_STATS:
		opts->stats = true;
		return 0;
	case OPT_PRIVILEGED:
		sec->privileged = true;
		return 0;
	case OPT_CAP_ADD:
	case OPT_CAP_DROP:
		return mc_cli_parse_cap(sec, id == OPT_CAP_ADD, value);
	case OPT_ULIMIT:
		return mc_cli_parse_ulimit(spec, value);
	case OPT_NO_NEW_PRIVS:
		spec->no_new_privileges = true;
		return 0;
	case OPT_SECCOMP:
		sec->seccomp = value;
		return 0;
	case OPT_NET:
	case OPT_SUBNET:
	case OPT_IP:
	case OPT_DNS:
	case OPT_ADD_HOST:
	case OPT_PUBLISH:
	case OPT_NAT:
		return apply_net_option(spec, id, value);
	case OPT_BUNDLE:
		return 0;	/* read first, by find_bundle() */
	default:
		return apply_detach_option(opts, id, value);
	}
}

/* What the model's messages say, in the seed's flags. */
static const char *const seed_words[][2] = {
	{ "linux.uidMappings and linux.gidMappings need a user namespace",
	  "--uidmap and --gidmap need --user" },
	{ "linux.resources.memory.swap needs linux.resources.memory.limit",
	  "a swap limit (--memory-swap) needs a memory limit (--memory)" },
	{ "linux.resources.memory.swap", "--memory-swap" },
	{ "linux.resources.memory.limit", "--memory" },
	{ "linux.resources.cpu.quota", "--cpus" },
	{ "(0.01 CPU or more)", "(use --cpus 0.01 or more)" },
	{ "process.user.uid", "--userid: uid" },
	{ "process.user.gid", "--userid: gid" },
	{ "given as the cgroup's parent", "given as --cgroup-parent" },
	{ "process.rlimits", "--ulimit" },
	{ "process.capabilities", "capabilities" },
	{ "linux.maskedPaths", "masked path" },
	{ "linux.readonlyPaths", "read-only path" },
};

/* --bundle's value among the options, or NULL (the loop reports what is
 * wrong with the others). */
static const char *find_bundle(int argc, char **argv)
{
	const char *bundle = NULL;

	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--");
	     i++) {
		const struct option_def *opt;
		const char *value;

		opt = find_option(argv[i], &value);
		if (!opt)
			return NULL;
		if (opt->has_arg && !value)
			value = i + 1 < argc ? argv[++i] : NULL;
		if (opt->id == OPT_BUNDLE)
			bundle = value;
	}
	return bundle;
}

/*
 * The bundle's config first: every other flag layers on top of it.  The
 * seed runs the command on the caller's stdio, so process.terminal (for a
 * console socket, the OCI verbs') is not taken.
 */
static int load_bundle(struct mc_spec *spec, const char *dir)
{
	mc_spec_free(spec);
	mc_spec_init(spec, NULL);
	if (mc_config_load(spec, dir) < 0)
		return -1;
	spec->terminal = false;
	/* As for `run`: the devices every container may use (runc's). */
	return mc_spec_add_default_dev_rules(spec);
}

enum mc_cli_action mc_cli_parse(int argc, char **argv, struct mc_spec *spec,
				 struct mc_run_opts *opts)
{
	struct mc_cli_security sec = { 0 };
	const char *bundle = find_bundle(argc, argv);
	char **config_args;
	int i;

	/* Before the seed's words: these errors name config.json's fields. */
	if (bundle && load_bundle(spec, bundle) < 0)
		return MC_CLI_ERROR;
	sec.bundle = bundle != NULL;
	config_args = spec->argv;
	mc_error_set_words(seed_words, ARRAY_SIZE(seed_words));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const struct option_def *opt;
		const char *value;

		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		opt = find_option(argv[i], &value);
		if (!opt) {
			mc_error(0, "unknown option '%s' (see --help)", argv[i]);
			return MC_CLI_ERROR;
		}
		if (opt->id == OPT_HELP)
			return MC_CLI_HELP;
		if (opt->id == OPT_VERSION)
			return MC_CLI_VERSION;
		if (opt->has_arg && !value) {
			if (i + 1 >= argc) {
				mc_error(0, "option '%s' needs an argument",
					 opt->name);
				return MC_CLI_ERROR;
			}
			value = argv[++i];
		}
		if (apply_option(spec, opts, &sec, opt->id, (char *)value) < 0)
			return MC_CLI_ERROR;
	}
	/* A command replaces the bundle's process.args. */
	spec->argv = argv[i] || !bundle ? argv + i : config_args;
	if (!spec->argv[0]) {
		mc_error(0, "no command given (see --help)");
		return MC_CLI_ERROR;
	}
	if (check_detach_options(opts) < 0 || mc_cli_net_check(spec) < 0 ||
	    mc_cli_security_defaults(spec, &sec) < 0)
		return MC_CLI_ERROR;
	return MC_CLI_RUN;
}

const char *mc_cli_version(void)
{
	return MC_VERSION;
}
