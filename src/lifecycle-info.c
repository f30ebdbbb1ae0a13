// SPDX-License-Identifier: MIT
/*
 * What a person asks about a container: inspect (docker's object), top
 * (its processes) and stats (its cgroup's figures).  A detached container's
 * spec comes from its saved invocation, an OCI one's from its bundle.
 * Their own failures exit 125, as the seed; each name is done in turn.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cgroups.h"
#include "cli.h"
#include "config.h"
#include "detach.h"
#include "error.h"
#include "json.h"
#include "lifecycle.h"
#include "seccomp.h"
#include "oci-verbs.h"
#include "state.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* The spec of a detached container                                    */
/* ------------------------------------------------------------------ */

/* mc_cli_parse, from the invocation's directory (a relative --seccomp
 * profile), then back to ours (exec's own relative paths). */
static int parse_in(struct mc_seed_spec *s)
{
	bool debug = mc_debug_enabled;
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	enum mc_cli_action act;

	if (chdir(s->args.cwd) < 0)
		mc_debug("[seed] %s: %s", s->args.cwd, strerror(errno));
	act = mc_cli_parse(s->args.argc, s->args.argv, &s->spec, &s->opts);
	if (here >= 0) {
		if (fchdir(here) < 0)
			mc_debug("[seed] back: %s", strerror(errno));
		close(here);
	}
	/* A --debug saved in the invocation is not this command's. */
	mc_debug_enabled = debug;
	if (act == MC_CLI_RUN)
		return 0;
	if (act == MC_CLI_ERROR)
		return mc_error_context("its saved command line");
	return mc_error(0, "its saved command line runs no container");
}

int mc_seed_spec_load(const struct mc_state *st, struct mc_seed_spec *s)
{
	char path[PATH_MAX];

	memset(s, 0, sizeof(*s));
	if (mc_detach_path(st, MC_ARGS_FILE, path, sizeof(path)) < 0 ||
	    mc_life_load_args(path, &s->args) < 0)
		return mc_error_context("container '%s'", st->id);
	mc_spec_init(&s->spec, s->args.envp);
	s->loaded = true;
	if (parse_in(s) < 0) {
		mc_seed_spec_free(s);
		return mc_error_context("container '%s'", st->id);
	}
	if (!s->spec.cwd && !s->spec.rootfs)
		s->spec.cwd = s->args.cwd;
	return 0;
}

void mc_seed_spec_free(struct mc_seed_spec *s)
{
	if (!s->loaded)
		return;
	mc_spec_free(&s->spec);
	mc_life_args_free(&s->args);
	s->loaded = false;
}

/* The spec of either kind: the saved invocation, or the bundle's config. */
static int load_spec(const struct mc_state *st, struct mc_seed_spec *s)
{
	if (st->life.detached)
		return mc_seed_spec_load(st, s);
	memset(s, 0, sizeof(*s));
	mc_spec_init(&s->spec, NULL);
	s->loaded = true;
	if (mc_config_load(&s->spec, st->bundle) < 0) {
		mc_spec_free(&s->spec);
		s->loaded = false;
		return -1;
	}
	return 0;
}

static void spec_free(const struct mc_state *st, struct mc_seed_spec *s)
{
	if (st->life.detached || !s->loaded) {
		mc_seed_spec_free(s);
		return;
	}
	mc_spec_free(&s->spec);
	s->loaded = false;
}

static bool live(const struct mc_state *st)
{
	enum mc_life_status s = mc_life_status(st);

	return s == MC_LIFE_RUNNING || s == MC_LIFE_PAUSED;
}

/* ------------------------------------------------------------------ */
/* A JSON writer with a two-space indent                               */
/* ------------------------------------------------------------------ */

#define JW_DEPTH 8

struct jw {
	struct mc_buf *b;
	int depth;
	bool empty[JW_DEPTH];	/* nothing written at this depth yet */
};

/* The separator, the indent and the key of a new member. */
static void jw_member(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		mc_buf_printf(w->b, "%s\n%*s", w->empty[w->depth] ? "" : ",",
			      2 * w->depth, "");
		w->empty[w->depth] = false;
	}
	if (key) {
		mc_buf_json_str(w->b, key);
		mc_buf_printf(w->b, ": ");
	}
}

static void jw_open(struct jw *w, const char *key, char bracket)
{
	jw_member(w, key);
	mc_buf_printf(w->b, "%c", bracket);
	if (w->depth + 1 < JW_DEPTH)
		w->depth++;
	w->empty[w->depth] = true;
}

static void jw_close(struct jw *w, char bracket)
{
	bool empty = w->empty[w->depth];

	w->depth--;
	if (empty)
		mc_buf_printf(w->b, "%c", bracket);
	else
		mc_buf_printf(w->b, "\n%*s%c", 2 * w->depth, "", bracket);
}

static void jw_str(struct jw *w, const char *key, const char *v)
{
	jw_member(w, key);
	mc_buf_json_str(w->b, v ? v : "");
}

static void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_member(w, key);
	mc_buf_printf(w->b, "%" PRId64, v);
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_member(w, key);
	mc_buf_printf(w->b, "%s", v ? "true" : "false");
}

static void jw_strv(struct jw *w, const char *key, char *const *v)
{
	jw_open(w, key, '[');
	for (; v && *v; v++)
		jw_str(w, NULL, *v);
	jw_close(w, ']');
}

/* ------------------------------------------------------------------ */
/* inspect                                                             */
/* ------------------------------------------------------------------ */

static void inspect_state(struct jw *w, const struct mc_state *st)
{
	enum mc_life_status s = mc_life_status(st);
	const struct mc_life *life = &st->life;

	jw_open(w, "State", '{');
	jw_str(w, "Status", mc_life_status_name(s));
	jw_bool(w, "Running", s == MC_LIFE_RUNNING);
	jw_bool(w, "Paused", s == MC_LIFE_PAUSED);
	jw_bool(w, "Restarting", s == MC_LIFE_RESTARTING);
	jw_int(w, "Pid", live(st) ? st->pid : 0);
	jw_int(w, "ExitCode", life->exit_code);
	jw_str(w, "StartedAt", life->started[0] ? life->started : st->created);
	jw_str(w, "FinishedAt", life->finished);
	jw_bool(w, "OOMKilled", life->oom_killed);
	jw_int(w, "RestartCount", life->restart_count);
	jw_str(w, "Error", life->error);
	jw_close(w, '}');
}

static void inspect_config(struct jw *w, const struct mc_state *st,
			   const struct mc_spec *spec)
{
	char user[32] = "";

	if (spec->set_user)
		snprintf(user, sizeof(user), "%u:%u", spec->uid, spec->gid);
	jw_open(w, "Config", '{');
	jw_str(w, "Hostname", spec->hostname);
	jw_strv(w, "Env", spec->env);
	jw_strv(w, "Cmd", spec->argv);
	jw_str(w, "WorkingDir", spec->cwd ? spec->cwd : "/");
	jw_str(w, "User", user);
	jw_str(w, "Rootfs", st->rootfs);
	jw_close(w, '}');
}

static void inspect_restart(struct jw *w, const struct mc_life *life)
{
	static const char *const names[] = {
		[MC_RESTART_NO] = "no", [MC_RESTART_ON_FAILURE] = "on-failure",
		[MC_RESTART_ALWAYS] = "always",
		[MC_RESTART_UNLESS_STOPPED] = "unless-stopped",
	};
	enum mc_restart policy = MC_RESTART_NO;
	unsigned int max = 0;

	if (life->restart[0] &&
	    mc_restart_parse(life->restart, &policy, &max) < 0) {
		policy = MC_RESTART_NO;
		max = 0;
	}
	jw_open(w, "RestartPolicy", '{');
	jw_str(w, "Name", names[policy]);
	jw_int(w, "MaximumRetryCount", max);
	jw_close(w, '}');
}

static void inspect_host(struct jw *w, const struct mc_state *st,
			 const struct mc_spec *spec)
{
	const struct mc_resources *r = &spec->resources;
	uint64_t period = r->cpu_period ? r->cpu_period : MC_CPU_PERIOD_US;

	jw_open(w, "HostConfig", '{');
	inspect_restart(w, &st->life);
	jw_int(w, "Memory", r->memory_limit);
	jw_int(w, "MemorySwap", r->memory_swap);
	/* docker's --cpus: billionths of a CPU. */
	jw_int(w, "NanoCpus", r->cpu_quota > 0 ?
		   (int64_t)((uint64_t)r->cpu_quota * 1000000000ULL / period) : 0);
	jw_int(w, "CpuQuota", r->cpu_quota > 0 ? r->cpu_quota : 0);
	jw_int(w, "CpuPeriod", r->cpu_quota > 0 ? (int64_t)period : 0);
	jw_int(w, "PidsLimit", r->pids_limit > 0 ? r->pids_limit : 0);
	jw_bool(w, "ReadonlyRootfs", spec->root_readonly);
	jw_bool(w, "NoNewPrivileges", spec->no_new_privileges);
	jw_str(w, "Seccomp", !spec->seccomp ? "unconfined" :
		   spec->seccomp == &mc_seccomp_default ? "default" : "profile");
	jw_close(w, '}');
}

/* docker's NetworkSettings, in short: the mode, the bridge address, -p. */
static void inspect_network(struct jw *w, const struct mc_state *st,
			    const struct mc_spec *spec)
{
	const struct mc_net *net = &spec->net;
	char port[64], ip[INET_ADDRSTRLEN];

	jw_open(w, "NetworkSettings", '{');
	jw_str(w, "Mode", net->mode == MC_NET_BRIDGE && net->bridge ?
			  net->bridge : mc_net_mode_name(net->mode));
	jw_str(w, "Bridge", st->life.bridge);
	jw_str(w, "IPAddress", st->life.address);
	jw_open(w, "Ports", '[');
	for (size_t i = 0; i < net->n_ports; i++) {
		const struct mc_port *p = &net->ports[i];

		inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
		snprintf(port, sizeof(port), "%s:%u->%u/%s", ip, p->host_port,
			 p->container_port, p->type == SOCK_DGRAM ? "udp" : "tcp");
		jw_str(w, NULL, port);
	}
	jw_close(w, ']');
	jw_close(w, '}');
}

/* The flags mount(8) would show, then the filesystem's own words. */
static void mount_options(struct jw *w, const struct mc_mount *m)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} words[] = {
		{ MS_NOSUID, "nosuid" }, { MS_NODEV, "nodev" },
		{ MS_NOEXEC, "noexec" }, { MS_REC, "rbind" },
	};
	char *data, *tok, *save;

	jw_open(w, "Options", '[');
	jw_str(w, NULL, m->flags & MS_RDONLY ? "ro" : "rw");
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if ((m->flags & words[i].flag) &&
		    (words[i].flag != MS_REC || (m->flags & MS_BIND)))
			jw_str(w, NULL, words[i].name);
	data = m->data ? strdup(m->data) : NULL;
	for (tok = data ? strtok_r(data, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save))
		jw_str(w, NULL, tok);
	free(data);
	jw_close(w, ']');
}

static void inspect_mounts(struct jw *w, const struct mc_spec *spec)
{
	jw_open(w, "Mounts", '[');
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct mc_mount *m = &spec->mounts[i];

		jw_open(w, NULL, '{');
		jw_str(w, "Type", m->flags & MS_BIND ? "bind" : m->type);
		jw_str(w, "Source", m->source);
		jw_str(w, "Destination", m->target);
		mount_options(w, m);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* The inode of /proc/PID/ns/NAME ("pid:[4026531836]"), or 0. */
static uint64_t ns_inode(pid_t pid, const char *name)
{
	char path[64], link[64];
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	p = strchr(link, '[');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

static void inspect_namespaces(struct jw *w, const struct mc_state *st)
{
	jw_open(w, "Namespaces", '{');
	for (int ns = 0; live(st) && ns < MC_NS_COUNT; ns++) {
		uint64_t ino;

		if (!(st->ns_flags & (unsigned long)mc_ns_clone_flag(ns)))
			continue;
		ino = ns_inode(st->pid, mc_ns_name(ns));
		if (ino)
			jw_int(w, mc_ns_name(ns), (int64_t)ino);
	}
	jw_close(w, '}');
}

static void inspect_object(struct jw *w, const struct mc_state *st,
			   const struct mc_spec *spec)
{
	char log[PATH_MAX] = "";

	if (st->life.detached &&
	    mc_detach_path(st, MC_LOG_FILE, log, sizeof(log)) < 0)
		log[0] = '\0';
	jw_open(w, NULL, '{');
	jw_str(w, "Id", st->id);
	jw_str(w, "Name", st->id);
	jw_str(w, "Created", st->created);
	jw_str(w, "Path", spec->argv ? spec->argv[0] : "");
	jw_strv(w, "Args", spec->argv && spec->argv[0] ? spec->argv + 1 : NULL);
	inspect_state(w, st);
	inspect_config(w, st, spec);
	inspect_host(w, st, spec);
	jw_str(w, "CgroupPath", st->cgroup);
	inspect_mounts(w, spec);
	inspect_namespaces(w, st);
	inspect_network(w, st, spec);
	jw_str(w, "LogPath", log);
	jw_str(w, "Bundle", st->bundle);
	jw_close(w, '}');
}

static int inspect_one(struct mc_oci *oci, const char *id, struct jw *w)
{
	struct mc_state st = MC_STATE_INIT;
	struct mc_seed_spec s;

	if (mc_life_load(oci->root, id, &st, false) < 0)
		return -1;
	if (load_spec(&st, &s) < 0) {
		mc_state_free(&st);
		return -1;
	}
	inspect_object(w, &st, &s.spec);
	spec_free(&st, &s);
	mc_state_free(&st);
	return 0;
}

/* Flags, then one or more names. */
static int names(int argc, char **argv, const struct mc_flag *flags,
		 int (*apply)(void *, int, const char *), void *ctx, int *first)
{
	*first = mc_parse_flags(argc, argv, 1, flags, apply, ctx);
	if (*first < 0)
		return -1;
	if (*first >= argc)
		return mc_error(0, "%s: a container name is needed", argv[0]);
	return 0;
}

static int no_flag(void *ctx, int id, const char *v)
{
	(void)ctx;
	(void)id;
	(void)v;
	return 0;
}

int mc_verb_inspect(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { 0 } };
	struct mc_buf b = { 0 };
	struct jw w = { .b = &b };
	int first, ret = 0;

	if (names(argc, argv, flags, no_flag, NULL, &first) < 0)
		return -1;
	jw_open(&w, NULL, '[');
	for (int i = first; i < argc; i++) {
		/* As docker: the ones found are printed, the others said. */
		if (mc_state_check_id(argv[i]) == 0 &&
		    inspect_one(oci, argv[i], &w) == 0)
			continue;
		mc_error_print();
		ret = MC_EXIT_FAILURE;
	}
	jw_close(&w, ']');
	mc_buf_printf(&b, "\n");
	if (b.failed)
		ret = mc_error(ENOMEM, "inspect");
	else
		fwrite(b.data, 1, b.len, stdout);
	mc_buf_free(&b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* top, stats                                                          */
/* ------------------------------------------------------------------ */

/* A container that runs, its cgroup open in *CG (NULL: it has none). */
static int load_live(struct mc_oci *oci, const char *id, struct mc_state *st,
		     struct mc_cgroup **cg)
{
	*cg = NULL;
	if (mc_state_check_id(id) < 0 ||
	    mc_life_load(oci->root, id, st, false) < 0)
		return -1;
	if (!live(st)) {
		mc_state_free(st);
		return mc_error(0, "container '%s' is not running", id);
	}
	if (st->cgroup[0] && mc_cgroup_open(st->cgroup, false, cg) < 0)
		*cg = NULL;
	return 0;
}

/* The last NSpid field (the pid in its own namespace) and the real uid. */
static void proc_ids(pid_t pid, long *ns_pid, long *uid)
{
	char path[64], line[512];
	FILE *f;

	*ns_pid = pid;
	*uid = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *last;

		if (!strncmp(line, "Uid:", 4))
			*uid = strtol(line + 4, NULL, 10);
		if (strncmp(line, "NSpid:", 6))
			continue;
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, '\t');
		if (!last)
			last = strrchr(line, ' ');
		if (last)
			*ns_pid = strtol(last + 1, NULL, 10);
	}
	fclose(f);
}

/* /proc/PID/cmdline with spaces, or [comm] for a kernel-side one. */
static void proc_cmdline(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(buf, size, "?");
		return;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

static int container_pids(const struct mc_state *st, struct mc_cgroup *cg,
			  pid_t **pids, size_t *n)
{
	if (cg)
		return mc_cgroup_pids(cg, pids, n);
	*pids = malloc(sizeof(**pids));
	if (!*pids)
		return mc_error(ENOMEM, "top");
	**pids = st->pid;
	*n = 1;
	return 0;
}

int mc_verb_top(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { 0 } };
	struct mc_state st = MC_STATE_INIT;
	struct mc_cgroup *cg;
	pid_t *pids = NULL;
	size_t n = 0;
	int first, ret;

	if (names(argc, argv, flags, no_flag, NULL, &first) < 0)
		return -1;
	if (first + 1 != argc)
		return mc_error(0, "top: exactly one container name is needed");
	if (load_live(oci, argv[first], &st, &cg) < 0)
		return -1;
	ret = container_pids(&st, cg, &pids, &n);
	if (cg)
		mc_cgroup_close(cg);
	mc_state_free(&st);
	if (ret < 0)
		return -1;
	printf("%-7s   %-8s   %-5s   %s\n", "PID", "HOST PID", "USER", "COMMAND");
	for (size_t k = 0; k < n; k++) {
		char cmd[1024];
		long ns_pid, uid;

		proc_ids(pids[k], &ns_pid, &uid);
		proc_cmdline(pids[k], cmd, sizeof(cmd));
		printf("%-7ld   %-8d   %-5ld   %s\n", ns_pid, (int)pids[k], uid,
		       cmd);
	}
	free(pids);
	return 0;
}

struct stats_args {
	bool json;
};

static int apply_stats(void *ctx, int id, const char *v)
{
	struct stats_args *a = ctx;

	if (id == 0)
		return 0;	/* --no-stream: one shot is all there is */
	if (strcmp(v, "table") && strcmp(v, "json"))
		return mc_error(0, "--format '%s': expected table or json", v);
	a->json = !strcmp(v, "json");
	return 0;
}

/* "12.3MiB", as docker's stats; a limit beyond any memory is none. */
static void human_bytes(char *buf, size_t size, uint64_t v, bool limit)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	size_t u = 0;

	if (limit && (v == 0 || v >= (1ULL << 60))) {
		snprintf(buf, size, "unlimited");
		return;
	}
	while (d >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f%s" : "%.0f%s", d, units[u]);
}

static int stats_one(struct mc_oci *oci, const char *id, bool json,
		     struct mc_buf *b)
{
	struct mc_state st = MC_STATE_INIT;
	struct mc_cgroup_usage u;
	struct mc_cgroup *cg;
	char use[32], lim[32];

	if (load_live(oci, id, &st, &cg) < 0)
		return -1;
	mc_state_free(&st);
	if (!cg)
		return mc_error(0, "container '%s' has no cgroup: no figures",
				id);
	mc_cgroup_usage(cg, &u);
	mc_cgroup_close(cg);
	if (u.mem_limit >= (1ULL << 60))
		u.mem_limit = 0;
	if (json) {
		mc_buf_printf(b, "%s{\"Name\":", b->len > 1 ? "," : "");
		mc_buf_json_str(b, id);
		mc_buf_printf(b, ",\"CpuNs\":%" PRIu64 ",\"MemUsage\":%" PRIu64
			      ",\"MemLimit\":%" PRIu64 ",\"Pids\":%" PRIu64 "}",
			      u.cpu_ns, u.mem_usage, u.mem_limit, u.pids);
		return 0;
	}
	human_bytes(use, sizeof(use), u.mem_usage, false);
	human_bytes(lim, sizeof(lim), u.mem_limit, true);
	mc_buf_printf(b, "%-20s   %11.2f   %-9s   %-9s   %" PRIu64 "\n", id,
		      (double)u.cpu_ns / 1e9, use, lim, u.pids);
	return 0;
}

int mc_verb_stats(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = {
		{ "--no-stream", 0, 0, false },
		{ "--format", 0, 1, true },
		{ 0 }
	};
	struct stats_args a = { 0 };
	struct mc_buf b = { 0 };
	int first, ret = 0;

	if (names(argc, argv, flags, apply_stats, &a, &first) < 0)
		return -1;
	if (a.json)
		mc_buf_printf(&b, "[");
	else
		mc_buf_printf(&b, "%-20s   %11s   %-9s   %-9s   %s\n", "NAME",
			      "CPU-SECONDS", "MEM-USAGE", "MEM-LIMIT", "PIDS");
	for (int i = first; i < argc; i++) {
		if (stats_one(oci, argv[i], a.json, &b) == 0)
			continue;
		mc_error_print();
		ret = MC_EXIT_FAILURE;
	}
	if (a.json)
		mc_buf_printf(&b, "]\n");
	if (b.failed)
		ret = mc_error(ENOMEM, "stats");
	else
		fwrite(b.data, 1, b.len, stdout);
	mc_buf_free(&b);
	return ret;
}
