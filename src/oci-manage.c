// SPDX-License-Identifier: MIT
/*
 * The OCI verbs on a container that exists: kill, delete, list, ps, pause,
 * resume, update, events.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "cli.h"
#include "config.h"
#include "error.h"
#include "json.h"
#include "lifecycle.h"
#include "oci-verbs.h"
#include "state.h"
#include "util.h"

static const struct mc_flag none[] = { { 0 } };

static int open_cgroup(const struct mc_state *st, struct mc_cgroup **cg)
{
	if (!st->cgroup[0])
		return mc_error(0, "container %s has no cgroup", st->id);
	return mc_cgroup_open(st->cgroup, st->cgroup_made, cg);
}

static int set_flag(void *ctx, int id, const char *v)
{
	(void)id;
	(void)v;
	*(bool *)ctx = true;
	return 0;
}

struct kill_args {
	bool all;
	const char *signal;	/* -s SIG */
};

static int apply_kill(void *ctx, int id, const char *v)
{
	struct kill_args *a = ctx;

	if (id == 0)
		a->all = true;
	else
		a->signal = v;
	return 0;
}

/* kill [--all] [-s SIG] ID [SIGNAL]: SIGTERM by default, as runc. */
int mc_verb_kill(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { "--all", 'a', 0, false },
						 { "--signal", 's', 1, true },
						 { 0 } };
	struct mc_state st = MC_STATE_INIT;
	struct kill_args a = { 0 };
	struct mc_cgroup *cg;
	int i, sig = SIGTERM, ret = 0;

	i = mc_parse_flags(argc, argv, 1, flags, apply_kill, &a);
	if (i < 0 || (a.signal && mc_parse_signal(a.signal, &sig) < 0))
		return -1;
	if (i + 2 == argc && !a.signal) {
		if (mc_parse_signal(argv[i + 1], &sig) < 0)
			return -1;
		argc--;
	}
	if (i >= argc)
		return mc_error(0, "kill: a container ID is needed");
	if (i + 1 != argc)
		return mc_error(0, "kill: expected ID [SIGNAL]");
	if (mc_state_check_id(argv[i]) < 0 ||
	    mc_state_load(oci->root, argv[i], &st, true) < 0)
		return -1;
	if (mc_state_status(&st) == MC_STATUS_STOPPED)
		ret = mc_error(0, "container not running");
	else if (a.all && st.cgroup[0] && open_cgroup(&st, &cg) == 0) {
		ret = mc_cgroup_signal(cg, sig);
		mc_cgroup_close(cg);
	} else if (kill(st.pid, sig) < 0) {
		ret = mc_error(errno, "kill %d", st.pid);
	}
	mc_state_free(&st);
	return ret;
}

/* delete [--force] ID: a running container needs --force, as runc. */
int mc_verb_delete(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { "--force", 'f', 0, false },
						 { 0 } };
	struct mc_state st = MC_STATE_INIT;
	bool force = false;
	enum mc_status status;
	const char *id;
	int i;

	i = mc_parse_flags(argc, argv, 1, flags, set_flag, &force);
	if (i < 0 || mc_oci_one_id(argc, argv, i, "delete", &id) < 0)
		return -1;
	if (mc_state_load(oci->root, id, &st, true) < 0) {
		/* Gone already: --force is content, as runc. */
		if (force && mc_error_errno() == ENOENT)
			return 0;
		return -1;
	}
	status = mc_state_status(&st);
	if (!force && (status == MC_STATUS_RUNNING || status == MC_STATUS_PAUSED)) {
		mc_error(0, "cannot delete container %s that is not stopped: %s",
			 id, mc_status_name(status));
		mc_state_free(&st);
		return -1;
	}
	mc_oci_remove_container(&st);
	mc_state_free(&st);
	return 0;
}

enum list_format { LIST_TABLE, LIST_JSON };

struct list_args {
	enum list_format format;
	bool quiet;
	bool all;	/* ps -a */
};

static int apply_list(void *ctx, int id, const char *v)
{
	struct list_args *a = ctx;

	if (id == 1) {
		a->quiet = true;
		return 0;
	}
	if (!strcmp(v, "table"))
		a->format = LIST_TABLE;
	else if (!strcmp(v, "json"))
		a->format = LIST_JSON;
	else
		return mc_error(0, "invalid format option: %s", v);
	return 0;
}

static const struct mc_flag format_flags[] = {
	{ "--format", 'f', 0, true },
	{ "--quiet", 'q', 1, false },
	{ 0 }
};

/* runc's table (Go's tabwriter: columns at least 12 wide, 3 apart). */
#define LIST_COLS 6

static size_t col_width(size_t w)
{
	return w + 3 > 12 ? w + 3 : 12;
}

static void list_row(const size_t *width, const char *const *cell)
{
	for (int i = 0; i < LIST_COLS - 1; i++)
		printf("%-*s", (int)width[i], cell[i]);
	printf("%s\n", cell[LIST_COLS - 1]);
}

struct list_entry {
	struct mc_state st;
	enum mc_status status;
	char pid[16];
};

static void list_table(struct list_entry *e, size_t n)
{
	static const char *const header[LIST_COLS] = {
		"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER",
	};
	size_t width[LIST_COLS];
	const char *cell[LIST_COLS];

	for (int i = 0; i < LIST_COLS; i++)
		width[i] = col_width(strlen(header[i]));
	for (size_t k = 0; k < n; k++) {
		const char *c[LIST_COLS - 1] = {
			e[k].st.id, e[k].pid, mc_status_name(e[k].status),
			e[k].st.bundle, e[k].st.created,
		};

		for (int i = 0; i < LIST_COLS - 1; i++)
			if (col_width(strlen(c[i])) > width[i])
				width[i] = col_width(strlen(c[i]));
	}
	list_row(width, header);
	for (size_t k = 0; k < n; k++) {
		cell[0] = e[k].st.id;
		cell[1] = e[k].pid;
		cell[2] = mc_status_name(e[k].status);
		cell[3] = e[k].st.bundle;
		cell[4] = e[k].st.created;
		cell[5] = e[k].st.owner[0] ? e[k].st.owner : "root";
		list_row(width, cell);
	}
}

static void list_print(const struct list_args *a, struct list_entry *e,
		       size_t n)
{
	struct mc_buf json = { 0 };

	if (a->quiet) {
		for (size_t k = 0; k < n; k++)
			printf("%s\n", e[k].st.id);
		return;
	}
	if (a->format == LIST_TABLE) {
		list_table(e, n);
		return;
	}
	mc_buf_printf(&json, "[");
	for (size_t k = 0; k < n; k++) {
		mc_buf_printf(&json, "%s", k ? "," : "");
		mc_state_json(&e[k].st, e[k].status, &json);
	}
	mc_buf_printf(&json, "]\n");
	if (!json.failed)
		fwrite(json.data, 1, json.len, stdout);
	mc_buf_free(&json);
}

int mc_verb_list(struct mc_oci *oci, int argc, char **argv)
{
	struct list_args a = { 0 };
	struct list_entry *e;
	char **ids = NULL;
	size_t n = 0, got = 0;
	int i = mc_parse_flags(argc, argv, 1, format_flags, apply_list, &a);

	if (i < 0)
		return -1;
	if (i != argc)
		return mc_error(0, "list: no arguments expected");
	if (mc_state_list(oci->root, &ids, &n) < 0)
		return -1;
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e) {
		mc_state_list_free(ids, n);
		return mc_error(ENOMEM, "list");
	}
	for (size_t k = 0; k < n; k++) {
		struct list_entry *x = &e[got];

		x->st = (struct mc_state)MC_STATE_INIT;
		if (mc_state_load(oci->root, ids[k], &x->st, false) < 0)
			continue;
		x->status = mc_state_status(&x->st);
		snprintf(x->pid, sizeof(x->pid), "%d",
			 x->status == MC_STATUS_STOPPED ? 0 : (int)x->st.pid);
		got++;
	}
	mc_state_list_free(ids, n);
	list_print(&a, e, got);
	for (size_t k = 0; k < got; k++)
		mc_state_free(&e[k].st);
	free(e);
	return 0;
}

/* The pids in the container's cgroup, or just its init without one. */
static int container_pids(const struct mc_state *st, pid_t **pids, size_t *n)
{
	struct mc_cgroup *cg;
	int ret;

	if (st->cgroup[0] && open_cgroup(st, &cg) == 0) {
		ret = mc_cgroup_pids(cg, pids, n);
		mc_cgroup_close(cg);
		return ret;
	}
	*pids = malloc(sizeof(**pids));
	if (!*pids)
		return mc_error(ENOMEM, "ps");
	**pids = st->pid;
	*n = mc_state_status(st) == MC_STATUS_STOPPED ? 0 : 1;
	return 0;
}

static bool has_pid(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* The PID column of a `ps -ef` line: the second word. */
static long pid_column(const char *line)
{
	const char *p = line + strspn(line, " ");

	p += strcspn(p, " ");
	return strtol(p, NULL, 10);
}

/* ps's table, filtered to the container's pids (the PID column), as runc. */
static int ps_table(const pid_t *pids, size_t n)
{
	char line[4096];
	bool header = true;
	int fd[2], status;
	FILE *ps;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return mc_error(errno, "ps -ef");
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		execlp("ps", "ps", "-ef", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	ps = pid > 0 ? fdopen(fd[0], "re") : NULL;
	if (!ps) {
		close(fd[0]);
		return mc_error(errno, "ps -ef");
	}
	while (fgets(line, sizeof(line), ps)) {
		if (header || has_pid(pids, n, (pid_t)pid_column(line)))
			fputs(line, stdout);
		header = false;
	}
	fclose(ps);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && !WEXITSTATUS(status)
		       ? 0 : mc_error(0, "ps -ef failed");
}

static int apply_ps(void *ctx, int id, const char *v)
{
	struct list_args *a = ctx;

	if (id == 2) {
		a->all = true;
		return 0;
	}
	return apply_list(ctx, id, v);
}

/*
 * ps ID: the processes of a container, as runc; ps [-a] without one: the
 * containers (the lifecycle's listing, whose failures exit 125).
 */
int mc_verb_ps(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = {
		{ "--format", 'f', 0, true },
		{ "--all", 'a', 2, false },
		{ 0 }
	};
	struct list_args a = { 0 };
	struct mc_state st = MC_STATE_INIT;
	pid_t *pids = NULL;
	const char *id;
	size_t n = 0;
	int i, ret;

	i = mc_parse_flags(argc, argv, 1, flags, apply_ps, &a);
	if (i == argc || a.all) {
		oci->fail_status = MC_EXIT_FAILURE;
		if (i < 0)
			return -1;
		if (i != argc)
			return mc_error(0, "ps -a: no container name expected");
		return mc_life_ps(oci->root, a.all, a.format == LIST_JSON);
	}
	if (i < 0 || mc_oci_one_id(argc, argv, i, "ps", &id) < 0 ||
	    mc_state_load(oci->root, id, &st, true) < 0)
		return -1;
	ret = container_pids(&st, &pids, &n);
	mc_state_free(&st);
	if (ret < 0)
		return -1;
	if (a.format == LIST_JSON) {
		/* Pure JSON: containerd's shim parses the whole output. */
		printf("[");
		for (size_t k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", pids[k]);
		printf("]\n");
	} else {
		ret = ps_table(pids, n);
	}
	free(pids);
	return ret;
}

static int freeze(struct mc_oci *oci, int argc, char **argv, bool frozen)
{
	struct mc_state st = MC_STATE_INIT;
	struct mc_cgroup *cg;
	enum mc_status status;
	int ret;

	if (mc_oci_load_one(oci, argc, argv, none, NULL, NULL, &st) < 0)
		return -1;
	status = mc_state_status(&st);
	if (status == MC_STATUS_STOPPED || status == MC_STATUS_CREATED)
		ret = mc_error(0, "container not running");
	else if (frozen && status == MC_STATUS_PAUSED)
		ret = mc_error(0, "container already paused");
	else if (!frozen && status != MC_STATUS_PAUSED)
		ret = mc_error(0, "container not paused");
	else if ((ret = open_cgroup(&st, &cg)) == 0) {
		ret = frozen ? mc_cgroup_freeze(cg) : mc_cgroup_thaw(cg);
		mc_cgroup_close(cg);
		st.status = frozen ? MC_STATUS_PAUSED : MC_STATUS_RUNNING;
		if (ret == 0)
			ret = mc_state_save(&st);
	}
	mc_state_free(&st);
	return ret;
}

int mc_verb_pause(struct mc_oci *oci, int argc, char **argv)
{
	return freeze(oci, argc, argv, true);
}

int mc_verb_resume(struct mc_oci *oci, int argc, char **argv)
{
	return freeze(oci, argc, argv, false);
}

int mc_verb_events(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = {
		{ "--stats", 0, 0, false },
		{ "--interval", 0, 1, true },
		{ 0 }
	};
	struct mc_state st = MC_STATE_INIT;
	struct mc_buf b = { 0 };
	struct mc_cgroup *cg;
	bool stats = false;
	int ret;

	if (mc_oci_load_one(oci, argc, argv, flags, set_flag, &stats, &st) < 0)
		return -1;
	if (!stats)
		ret = mc_error(0, "events: only --stats is supported");
	else if ((ret = open_cgroup(&st, &cg)) == 0) {
		mc_buf_printf(&b, "{\"type\":\"stats\",\"id\":");
		mc_buf_json_str(&b, st.id);
		mc_buf_printf(&b, ",\"data\":");
		ret = mc_cgroup_stats_json(cg, &b);
		mc_buf_printf(&b, "}\n");
		mc_cgroup_close(cg);
		if (ret == 0)
			fwrite(b.data, 1, b.len, stdout);
	}
	mc_buf_free(&b);
	mc_state_free(&st);
	return ret;
}

enum { U_RESOURCES, U_MEMORY, U_MEMORY_RESERVATION, U_MEMORY_SWAP,
       U_CPU_PERIOD, U_CPU_QUOTA, U_CPU_SHARE, U_CPUSET_CPUS, U_CPUSET_MEMS,
       U_PIDS_LIMIT };

static const struct mc_flag update_flags[] = {
	{ "--resources", 'r', U_RESOURCES, true },
	{ "--memory", 'm', U_MEMORY, true },
	{ "--memory-reservation", 0, U_MEMORY_RESERVATION, true },
	{ "--memory-swap", 0, U_MEMORY_SWAP, true },
	{ "--cpu-period", 0, U_CPU_PERIOD, true },
	{ "--cpu-quota", 0, U_CPU_QUOTA, true },
	{ "--cpu-share", 0, U_CPU_SHARE, true },
	{ "--cpuset-cpus", 0, U_CPUSET_CPUS, true },
	{ "--cpuset-mems", 0, U_CPUSET_MEMS, true },
	{ "--pids-limit", 0, U_PIDS_LIMIT, true },
	{ 0 }
};

struct update_args {
	struct mc_spec *spec;
	const char *resources;	/* FILE, or - for stdin */
};

static int update_number(const char *flag, const char *v, bool size,
			 int64_t *out)
{
	if (!strcmp(v, "-1")) {
		*out = -1;
		return 0;
	}
	if ((size ? mc_parse_size(v, out) : mc_parse_int(v, 0, INT64_MAX, out)) < 0)
		return mc_error(0, "%s %s: expected a number%s", flag, v,
				size ? " (k, m, g)" : "");
	return 0;
}

static int apply_update(void *ctx, int id, const char *v)
{
	struct update_args *a = ctx;
	struct mc_resources *r = &a->spec->resources;
	int64_t n;

	switch (id) {
	case U_RESOURCES:
		a->resources = v;
		return 0;
	case U_CPUSET_CPUS:
		r->cpuset_cpus = v;
		return 0;
	case U_CPUSET_MEMS:
		r->cpuset_mems = v;
		return 0;
	}
	if (update_number(update_flags[id].name, v,
			  id <= U_MEMORY_SWAP, &n) < 0)
		return -1;
	switch (id) {
	case U_MEMORY:
		r->memory_limit = n;
		break;
	case U_MEMORY_RESERVATION:
		r->memory_reservation = n;
		break;
	case U_MEMORY_SWAP:
		r->memory_swap = n;
		break;
	case U_CPU_PERIOD:
		r->cpu_period = (uint64_t)n;
		break;
	case U_CPU_QUOTA:
		r->cpu_quota = n;
		break;
	case U_CPU_SHARE:
		r->cpu_shares = (uint64_t)n;
		break;
	default:
		r->pids_limit = n;
		break;
	}
	return 0;
}

/* The resources JSON from a file, or from stdin for "-". */
static int read_resources(struct mc_spec *spec, const char *file)
{
	struct mc_buf b = { 0 };
	char chunk[4096];
	FILE *f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	size_t n;
	int ret;

	if (!f)
		return mc_error(errno, "--resources %s", file);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mc_buf_printf(&b, "%.*s", (int)n, chunk);
	if (f != stdin)
		fclose(f);
	ret = b.failed ? mc_error(ENOMEM, "--resources")
		       : mc_config_parse_resources(spec, b.data ? b.data : "",
						   b.len);
	mc_buf_free(&b);
	return ret;
}

int mc_verb_update(struct mc_oci *oci, int argc, char **argv)
{
	struct mc_state st = MC_STATE_INIT;
	struct mc_cgroup *cg;
	struct mc_spec spec;
	struct update_args a = { .spec = &spec };
	int ret;

	mc_spec_init(&spec, NULL);
	ret = mc_oci_load_one(oci, argc, argv, update_flags, apply_update, &a, &st);
	if (ret == 0 && a.resources)
		ret = read_resources(&spec, a.resources);
	if (ret == 0 && mc_state_status(&st) == MC_STATUS_STOPPED)
		ret = mc_error(0, "container not running");
	if (ret == 0 && (ret = open_cgroup(&st, &cg)) == 0) {
		ret = mc_cgroup_update(cg, &spec.resources);
		mc_cgroup_close(cg);
	}
	mc_state_free(&st);
	mc_spec_free(&spec);
	return ret;
}
