// SPDX-License-Identifier: MIT
/*
 * The lifecycle verbs on detached containers (the seed CLI's -d): ps
 * without an ID, stop, wait, rm, restart, logs.  They share the state root
 * and the IDs with the OCI verbs; their own failures exit 125, as the seed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "detach.h"
#include "error.h"
#include "json.h"
#include "lifecycle.h"
#include "life.h"
#include "logfile.h"
#include "network.h"
#include "oci-verbs.h"
#include "proc.h"
#include "state.h"
#include "util.h"

/* How long stop waits for the supervisor once the container is gone. */
#define SUPERVISOR_EXIT_MS 10000

/* ------------------------------------------------------------------ */
/* What a container is now                                             */
/* ------------------------------------------------------------------ */

/* The state root is the state dir's parent. */
static void reclaim_network(const struct mc_state *st)
{
	char root[PATH_MAX];
	char *slash;

	snprintf(root, sizeof(root), "%s", st->dir);
	slash = strrchr(root, '/');
	if (!slash)
		return;
	*slash = '\0';
	mc_net_reclaim(root);
}

int mc_life_refresh(struct mc_state *st)
{
	struct mc_life *life = &st->life;
	struct mc_cgroup *cg;

	if (!life->detached || !life->supervisor || mc_life_supervised(life))
		return 0;
	/*
	 * The supervisor was killed (SIGKILL: it could not record anything).
	 * Its container died with it (the parent-death signal); whatever it
	 * left is killed, and the state says what happened.
	 */
	if (mc_state_status(st) != MC_STATUS_STOPPED) {
		kill(st->pid, SIGKILL);
		mc_life_wait_gone(st->pid, st->start_time, 2000);
	}
	if (st->lock_fd >= 0 && st->cgroup[0] &&
	    mc_cgroup_open(st->cgroup, st->cgroup_made, &cg) == 0)
		mc_cgroup_destroy(cg);
	if (st->status != MC_STATUS_STOPPED) {
		life->exited = true;
		life->exit_code = 128 + SIGKILL;
		if (mc_time_rfc3339(life->finished, sizeof(life->finished),
				    true) < 0)
			life->finished[0] = '\0';
	}
	snprintf(life->error, sizeof(life->error),
		 "its supervisor (pid %d) was killed", (int)life->supervisor);
	life->supervisor = 0;
	life->supervisor_start = 0;
	st->status = MC_STATUS_STOPPED;
	if (st->lock_fd < 0)
		return 0;
	reclaim_network(st);
	return mc_state_save(st);
}

/* Load NAME; repaired (locked for that) when its supervisor was killed. */
int mc_life_load(const char *root, const char *id, struct mc_state *st,
		 bool lock)
{
	if (mc_state_load(root, id, st, lock) < 0)
		return -1;
	if (lock || !st->life.detached || !st->life.supervisor ||
	    mc_life_supervised(&st->life))
		return mc_life_refresh(st);
	mc_state_free(st);
	if (mc_state_load(root, id, st, true) < 0)
		return -1;
	mc_life_refresh(st);
	mc_state_unlock(st);
	return 0;
}

enum mc_life_status mc_life_status(const struct mc_state *st)
{
	enum mc_status s = mc_state_status(st);

	switch (s) {
	case MC_STATUS_CREATING:
	case MC_STATUS_CREATED:
		return MC_LIFE_CREATED;
	case MC_STATUS_RUNNING:
		return MC_LIFE_RUNNING;
	case MC_STATUS_PAUSED:
		return MC_LIFE_PAUSED;
	default:
		break;
	}
	/* Between runs, its supervisor waiting out the back-off. */
	if (mc_life_supervised(&st->life))
		return MC_LIFE_RESTARTING;
	return MC_LIFE_EXITED;
}

const char *mc_life_status_name(enum mc_life_status s)
{
	static const char *const names[] = {
		[MC_LIFE_CREATED] = "created", [MC_LIFE_RUNNING] = "running",
		[MC_LIFE_PAUSED] = "paused", [MC_LIFE_RESTARTING] = "restarting",
		[MC_LIFE_EXITED] = "exited",
	};

	return names[s];
}

/* Seconds since an RFC 3339 time of ours (UTC), or -1. */
static long long seconds_since(const char *rfc3339)
{
	struct tm tm = { 0 };
	const char *end;

	if (!rfc3339[0])
		return -1;
	end = strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	return (long long)(time(NULL) - timegm(&tm));
}

/* docker's "About a minute", "5 seconds", "2 hours"... */
static void human_age(char *buf, size_t size, long long s)
{
	if (s < 0)
		snprintf(buf, size, "a while");
	else if (s < 1)
		snprintf(buf, size, "Less than a second");
	else if (s < 60)
		snprintf(buf, size, "%lld second%s", s, s == 1 ? "" : "s");
	else if (s < 120)
		snprintf(buf, size, "About a minute");
	else if (s < 3600)
		snprintf(buf, size, "%lld minutes", s / 60);
	else if (s < 7200)
		snprintf(buf, size, "About an hour");
	else if (s < 172800)
		snprintf(buf, size, "%lld hours", s / 3600);
	else
		snprintf(buf, size, "%lld days", s / 86400);
}

void mc_life_status_text(const struct mc_state *st, char *buf, size_t size)
{
	const struct mc_life *life = &st->life;
	char age[32];

	switch (mc_life_status(st)) {
	case MC_LIFE_CREATED:
		snprintf(buf, size, "Created");
		return;
	case MC_LIFE_RUNNING:
	case MC_LIFE_PAUSED:
		human_age(age, sizeof(age), seconds_since(life->started[0] ?
							   life->started :
							   st->created));
		snprintf(buf, size, "Up %s%s", age,
			 mc_life_status(st) == MC_LIFE_PAUSED ? " (Paused)" : "");
		return;
	case MC_LIFE_RESTARTING:
		human_age(age, sizeof(age), seconds_since(life->finished));
		snprintf(buf, size, "Restarting (%d) %s ago", life->exit_code, age);
		return;
	default:
		break;
	}
	if (!life->detached) {
		snprintf(buf, size, "Stopped");
		return;
	}
	human_age(age, sizeof(age), seconds_since(life->finished));
	snprintf(buf, size, "Exited (%d) %s ago", life->exit_code, age);
}

/* ------------------------------------------------------------------ */
/* ps without an ID                                                    */
/* ------------------------------------------------------------------ */

struct ps_entry {
	struct mc_state st;
	enum mc_life_status status;
	char text[64];
};

static void ps_json(const struct ps_entry *e, size_t n)
{
	struct mc_buf b = { 0 };

	mc_buf_printf(&b, "[");
	for (size_t k = 0; k < n; k++) {
		const struct mc_state *st = &e[k].st;
		bool live = e[k].status == MC_LIFE_RUNNING ||
			    e[k].status == MC_LIFE_PAUSED;

		mc_buf_printf(&b, "%s{\"Name\":", k ? "," : "");
		mc_buf_json_str(&b, st->id);
		mc_buf_printf(&b, ",\"State\":\"%s\",\"Status\":",
			      mc_life_status_name(e[k].status));
		mc_buf_json_str(&b, e[k].text);
		mc_buf_printf(&b, ",\"ExitCode\":%d,\"Pid\":%d,"
			      "\"RestartCount\":%u,\"Command\":",
			      st->life.exit_code, live ? (int)st->pid : 0,
			      st->life.restart_count);
		mc_buf_json_str(&b, st->life.command);
		mc_buf_printf(&b, ",\"Created\":");
		mc_buf_json_str(&b, st->created);
		mc_buf_printf(&b, "}");
	}
	mc_buf_printf(&b, "]\n");
	if (!b.failed)
		fwrite(b.data, 1, b.len, stdout);
	mc_buf_free(&b);
}

static void ps_table(const struct ps_entry *e, size_t n)
{
	int w_name = 4, w_status = 6;

	for (size_t k = 0; k < n; k++) {
		if ((int)strlen(e[k].st.id) > w_name)
			w_name = (int)strlen(e[k].st.id);
		if ((int)strlen(e[k].text) > w_status)
			w_status = (int)strlen(e[k].text);
	}
	printf("%-*s   %-*s   %-7s   %s\n", w_name, "NAME", w_status, "STATUS",
	       "PID", "COMMAND");
	for (size_t k = 0; k < n; k++) {
		const struct mc_state *st = &e[k].st;
		bool live = e[k].status == MC_LIFE_RUNNING ||
			    e[k].status == MC_LIFE_PAUSED;
		char pid[16] = "-";

		if (live)
			snprintf(pid, sizeof(pid), "%d", (int)st->pid);
		printf("%-*s   %-*s   %-7s   %s\n", w_name, st->id, w_status,
		       e[k].text, pid,
		       st->life.command[0] ? st->life.command : st->bundle);
	}
}

static bool shown(enum mc_life_status s, bool all)
{
	return all || s == MC_LIFE_RUNNING || s == MC_LIFE_PAUSED ||
	       s == MC_LIFE_RESTARTING;
}

int mc_life_ps(const char *root, bool all, bool json)
{
	struct ps_entry *e;
	char **ids = NULL;
	size_t n = 0, got = 0;

	if (mc_state_list(root, &ids, &n) < 0)
		return -1;
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e) {
		mc_state_list_free(ids, n);
		return mc_error(ENOMEM, "ps");
	}
	for (size_t k = 0; k < n; k++) {
		struct ps_entry *x = &e[got];

		x->st = (struct mc_state)MC_STATE_INIT;
		if (mc_life_load(root, ids[k], &x->st, false) < 0)
			continue;
		x->status = mc_life_status(&x->st);
		if (!shown(x->status, all)) {
			mc_state_free(&x->st);
			continue;
		}
		mc_life_status_text(&x->st, x->text, sizeof(x->text));
		got++;
	}
	mc_state_list_free(ids, n);
	if (json)
		ps_json(e, got);
	else
		ps_table(e, got);
	for (size_t k = 0; k < got; k++)
		mc_state_free(&e[k].st);
	free(e);
	return 0;
}

/* ------------------------------------------------------------------ */
/* stop, wait, rm, restart                                             */
/* ------------------------------------------------------------------ */

static int parse_seconds(const char *v, int *secs)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0 || n > 86400)
		return mc_error(0, "--time '%s': expected seconds, 0 to 86400", v);
	*secs = (int)n;
	return 0;
}

/* Everything in its cgroup, or its first process without one. */
static void signal_container(const struct mc_state *st, int sig)
{
	struct mc_cgroup *cg;

	if (st->cgroup[0] && mc_cgroup_open(st->cgroup, st->cgroup_made, &cg) == 0) {
		mc_cgroup_signal(cg, sig);
		mc_cgroup_close(cg);
		return;
	}
	if (mc_state_status(st) != MC_STATUS_STOPPED)
		kill(st->pid, sig);
}

/*
 * SIGTERM, SIGKILL after SECS.  A supervised container is stopped through
 * its supervisor: it forwards the SIGTERM, records the exit (143, or 137
 * after the SIGKILL) and does not restart it.
 */
static int stop_one(const char *root, const char *id, int secs)
{
	struct mc_state st = MC_STATE_INIT;
	struct mc_life life;
	pid_t pid;
	uint64_t start;
	bool live;

	if (mc_life_load(root, id, &st, true) < 0)
		return -1;
	life = st.life;
	pid = st.pid;
	start = st.start_time;
	live = mc_state_status(&st) != MC_STATUS_STOPPED;
	if (mc_life_supervised(&life))
		kill(life.supervisor, SIGTERM);
	else if (live)
		kill(pid, SIGTERM);
	mc_state_unlock(&st);
	if (live && !mc_life_wait_gone(pid, start, secs * 1000)) {
		mc_debug("[stop] %s: SIGKILL after %d s", id, secs);
		signal_container(&st, SIGKILL);
	}
	if (mc_life_supervised(&life) &&
	    !mc_life_wait_gone(life.supervisor, life.supervisor_start,
				SUPERVISOR_EXIT_MS)) {
		mc_state_free(&st);
		return mc_error(0, "container '%s': its supervisor did not end",
				id);
	}
	mc_state_free(&st);
	return 0;
}

/* The container's status once its supervisor has ended (no more runs). */
static int wait_one(const char *root, const char *id, int *status)
{
	struct mc_state st = MC_STATE_INIT;

	for (;;) {
		if (mc_life_load(root, id, &st, false) < 0)
			return -1;
		if (!st.life.detached) {
			mc_state_free(&st);
			return mc_error(0, "container '%s' was not started with "
					   "-d: nothing records its exit", id);
		}
		if (!mc_life_supervised(&st.life))
			break;
		mc_life_wait_gone(st.life.supervisor, st.life.supervisor_start,
				  -1);
		mc_state_free(&st);
	}
	*status = st.life.exit_code;
	mc_state_free(&st);
	return 0;
}

static bool is_running(const struct mc_state *st)
{
	return mc_life_supervised(&st->life) ||
	       mc_state_status(st) != MC_STATUS_STOPPED;
}

static int rm_one(const char *root, const char *id, bool force)
{
	struct mc_state st = MC_STATE_INIT;

	if (mc_life_load(root, id, &st, true) < 0) {
		if (force && mc_error_errno() == ENOENT)
			return 0;
		return -1;
	}
	if (!force && is_running(&st)) {
		mc_state_free(&st);
		return mc_error(0, "container '%s' is running: stop it first, "
				   "or use rm -f", id);
	}
	mc_oci_remove_container(&st);
	if (st.life.detached)
		reclaim_network(&st);
	mc_state_free(&st);
	return 0;
}

static int restart_one(const char *root, const char *id, int secs)
{
	struct mc_state st = MC_STATE_INIT;
	int ret;

	if (mc_life_load(root, id, &st, false) < 0)
		return -1;
	if (!st.life.detached) {
		mc_state_free(&st);
		return mc_error(0, "container '%s' was not started with -d: "
				   "there is no command line to restart", id);
	}
	mc_state_free(&st);
	if (stop_one(root, id, secs) < 0 ||
	    mc_life_load(root, id, &st, true) < 0)
		return -1;
	/* A stop or an rm may have come in between. */
	if (is_running(&st)) {
		mc_state_free(&st);
		return mc_error(0, "container '%s' was started again meanwhile",
				id);
	}
	ret = mc_detach_restart(&st, root);
	mc_state_free(&st);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The verbs                                                           */
/* ------------------------------------------------------------------ */

struct life_args {
	int secs;
	bool force;
	bool follow, timestamps;
	long tail;
};

enum { F_TIME, F_FORCE, F_FOLLOW, F_TIMESTAMPS, F_TAIL };

static int apply_life(void *ctx, int id, const char *v)
{
	struct life_args *a = ctx;
	char *end;

	switch (id) {
	case F_TIME:
		return parse_seconds(v, &a->secs);
	case F_FORCE:
		a->force = true;
		return 0;
	case F_FOLLOW:
		a->follow = true;
		return 0;
	case F_TIMESTAMPS:
		a->timestamps = true;
		return 0;
	default:
		if (!strcmp(v, "all")) {
			a->tail = -1;
			return 0;
		}
		errno = 0;
		a->tail = strtol(v, &end, 10);
		if (errno || end == v || *end || a->tail < 0)
			return mc_error(0, "--tail '%s': expected a number of "
					   "lines, or all", v);
		return 0;
	}
}

/* Flags, then one or more names. */
static int names(int argc, char **argv, const struct mc_flag *flags,
		 struct life_args *a, int *first)
{
	*first = mc_parse_flags(argc, argv, 1, flags, apply_life, a);
	if (*first < 0)
		return -1;
	if (*first >= argc)
		return mc_error(0, "%s: a container name is needed", argv[0]);
	for (int i = *first; i < argc; i++)
		if (mc_state_check_id(argv[i]) < 0)
			return -1;
	return 0;
}

/* Each name in turn: a failure is printed, and the others still done. */
static int each(struct mc_oci *oci, int argc, char **argv, int first,
		const struct life_args *a,
		int (*fn)(struct mc_oci *, const char *, const struct life_args *))
{
	int ret = 0;

	for (int i = first; i < argc; i++) {
		if (fn(oci, argv[i], a) == 0)
			continue;
		mc_error_print();
		ret = MC_EXIT_FAILURE;
	}
	return ret;
}

static int do_stop(struct mc_oci *oci, const char *id, const struct life_args *a)
{
	if (stop_one(oci->root, id, a->secs) < 0)
		return -1;
	printf("%s\n", id);
	return 0;
}

int mc_verb_stop(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { "--time", 't', F_TIME, true },
						 { 0 } };
	struct life_args a = { .secs = 10 };
	int first;

	if (names(argc, argv, flags, &a, &first) < 0)
		return -1;
	return each(oci, argc, argv, first, &a, do_stop);
}

int mc_verb_restart(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { "--time", 't', F_TIME, true },
						 { 0 } };
	struct life_args a = { .secs = 10 };
	int first, ret = 0;

	if (names(argc, argv, flags, &a, &first) < 0)
		return -1;
	for (int i = first; i < argc; i++) {
		int r = restart_one(oci->root, argv[i], a.secs);

		if (r == 0) {
			printf("%s\n", argv[i]);
			continue;
		}
		if (r < 0)
			mc_error_print();
		ret = r > 0 ? r : MC_EXIT_FAILURE;
	}
	return ret;
}

int mc_verb_wait(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { 0 } };
	struct life_args a = { 0 };
	int first, status = 0;

	if (names(argc, argv, flags, &a, &first) < 0)
		return -1;
	for (int i = first; i < argc; i++) {
		if (wait_one(oci->root, argv[i], &status) < 0)
			return -1;
		printf("%d\n", status);
		fflush(stdout);
	}
	return status;
}

static int do_rm(struct mc_oci *oci, const char *id, const struct life_args *a)
{
	if (rm_one(oci->root, id, a->force) < 0)
		return -1;
	printf("%s\n", id);
	return 0;
}

int mc_verb_rm(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = { { "--force", 'f', F_FORCE, false },
						 { 0 } };
	struct life_args a = { 0 };
	int first;

	if (names(argc, argv, flags, &a, &first) < 0)
		return -1;
	return each(oci, argc, argv, first, &a, do_rm);
}

static bool supervisor_lives(void *data)
{
	return mc_life_supervised(data);
}

int mc_verb_logs(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = {
		{ "--follow", 'f', F_FOLLOW, false },
		{ "--timestamps", 't', F_TIMESTAMPS, false },
		{ "--tail", 'n', F_TAIL, true },
		{ 0 }
	};
	struct life_args a = { .tail = -1 };
	struct mc_state st = MC_STATE_INIT;
	struct mc_log_read r;
	char path[PATH_MAX];
	int first, ret;

	if (names(argc, argv, flags, &a, &first) < 0)
		return -1;
	if (first + 1 != argc)
		return mc_error(0, "logs: exactly one container name is needed");
	if (mc_life_load(oci->root, argv[first], &st, false) < 0)
		return -1;
	if (!st.life.detached) {
		mc_state_free(&st);
		return mc_error(0, "container '%s' was not started with -d: it "
				   "has no log", argv[first]);
	}
	r = (struct mc_log_read){
		.follow = a.follow, .timestamps = a.timestamps, .tail = a.tail,
		.running = supervisor_lives, .data = &st.life,
		.out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO,
	};
	ret = mc_detach_path(&st, MC_LOG_FILE, path, sizeof(path));
	if (ret == 0)
		ret = mc_log_print(path, &r);
	mc_state_free(&st);
	return ret;
}
