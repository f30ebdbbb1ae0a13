// SPDX-License-Identifier: MIT
/*
 * The OCI verbs (runc's command line): global options, the verb table, and
 * one short function per verb.  Verbs fill the spec and the run options and
 * call the engine; they print, and map errors to exit status 1 as runc.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "oci.h"
#include "oci-verbs.h"
#include "selfexe.h"
#include "state.h"
#include "util.h"

struct verb {
	const char *name;
	int (*fn)(struct mc_oci *oci, int argc, char **argv);
	bool seed;	/* a lifecycle verb: its failures exit 125 */
};

static const struct verb verbs[] = {
	{ "create", mc_verb_create, false },	{ "start", mc_verb_start, false },
	{ "run", mc_verb_run, false },		{ "state", mc_verb_state, false },
	{ "kill", mc_verb_kill, false },	{ "delete", mc_verb_delete, false },
	{ "exec", mc_verb_exec, false },	{ "list", mc_verb_list, false },
	{ "ps", mc_verb_ps, false },		{ "pause", mc_verb_pause, false },
	{ "resume", mc_verb_resume, false },	{ "update", mc_verb_update, false },
	{ "events", mc_verb_events, false },	{ "features", mc_verb_features, false },
	{ "spec", mc_verb_spec, false },
	{ "stop", mc_verb_stop, true },		{ "restart", mc_verb_restart, true },
	{ "wait", mc_verb_wait, true },		{ "rm", mc_verb_rm, true },
	{ "logs", mc_verb_logs, true },
	{ "inspect", mc_verb_inspect, true },	{ "top", mc_verb_top, true },
	{ "stats", mc_verb_stats, true },	{ "network", mc_verb_network, true },
};

enum { G_ROOT, G_LOG, G_LOG_FORMAT, G_DEBUG, G_SYSTEMD_CGROUP, G_ROOTLESS };

static const struct mc_flag global_flags[] = {
	{ "--root", 0, G_ROOT, true },
	{ "--log", 0, G_LOG, true },
	{ "--log-format", 0, G_LOG_FORMAT, true },
	{ "--debug", 0, G_DEBUG, false },
	{ "--systemd-cgroup", 0, G_SYSTEMD_CGROUP, false },
	{ "--rootless", 0, G_ROOTLESS, true },
	{ 0 }
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static const struct mc_flag *match_flag(const struct mc_flag *flags,
					const char *arg, const char **value)
{
	for (const struct mc_flag *f = flags; f->name; f++) {
		size_t n = strlen(f->name);

		*value = NULL;
		if (f->short_name && arg[0] == '-' && arg[1] == f->short_name &&
		    !arg[2])
			return f;
		if (strncmp(arg, f->name, n))
			continue;
		if (!arg[n])
			return f;
		/* runc (urfave/cli) takes "-name" as well as "--name". */
		if (arg[n] == '=' && f->has_arg) {
			*value = arg + n + 1;
			return f;
		}
	}
	return NULL;
}

/* "-root" means "--root" to urfave/cli: accept both spellings. */
static const char *long_form(const char *arg, char *buf, size_t size)
{
	if (arg[0] == '-' && arg[1] != '-' && arg[1] && arg[2]) {
		snprintf(buf, size, "-%s", arg);
		return buf;
	}
	return arg;
}

int mc_parse_flags(int argc, char **argv, int first,
		   const struct mc_flag *flags,
		   int (*apply)(void *ctx, int id, const char *value),
		   void *ctx)
{
	int i;

	for (i = first; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const struct mc_flag *f;
		const char *value;
		char buf[256];

		if (!strcmp(argv[i], "--"))
			return i + 1;
		f = match_flag(flags, long_form(argv[i], buf, sizeof(buf)),
			       &value);
		if (!f)
			return mc_error(0, "flag provided but not defined: %s",
					argv[i]);
		if (f->has_arg && !value) {
			if (i + 1 >= argc)
				return mc_error(0, "flag needs an argument: %s",
						argv[i]);
			value = argv[++i];
		}
		if (apply(ctx, f->id, value) < 0)
			return -1;
	}
	return i;
}

static int apply_global(void *ctx, int id, const char *value)
{
	struct mc_oci *oci = ctx;

	switch (id) {
	case G_ROOT:
		oci->root_flag = value;
		return 0;
	case G_LOG:
		oci->log = value;
		return 0;
	case G_LOG_FORMAT:
		if (strcmp(value, "text") && strcmp(value, "json"))
			return mc_error(0, "--log-format %s: expected text or json",
					value);
		oci->log_json = !strcmp(value, "json");
		return 0;
	case G_DEBUG:
		mc_debug_enabled = true;
		return 0;
	case G_SYSTEMD_CGROUP:
		oci->systemd_cgroup = true;
		return 0;
	default:
		return 0;	/* --rootless auto|true|false: we find out */
	}
}

bool mc_oci_is_verb(int argc, char **argv, int *verb_at)
{
	struct mc_oci scratch = { 0 };
	bool debug = mc_debug_enabled;
	int i = mc_parse_flags(argc, argv, 1, global_flags, apply_global,
			       &scratch);

	mc_debug_enabled = debug;
	if (i < 0 || i >= argc || !find_verb(argv[i]))
		return false;
	/* `mcstatic -- ps` runs a command called ps. */
	if (i > 1 && !strcmp(argv[i - 1], "--"))
		return false;
	*verb_at = i;
	return true;
}

int mc_oci_main(int argc, char **argv, int verb_at)
{
	const struct verb *v = find_verb(argv[verb_at]);
	struct mc_oci oci = { .fail_status = v->seed ? MC_EXIT_FAILURE : 1 };
	int ret;

	if (mc_parse_flags(verb_at, argv, 1, global_flags, apply_global,
			   &oci) < 0)
		goto fail;
	if (oci.log && mc_error_set_log(oci.log, oci.log_json) < 0)
		goto fail;
	if (oci.systemd_cgroup) {
		mc_error(0, "--systemd-cgroup: systemd cgroups are not supported, "
			    "use cgroupfs");
		goto fail;
	}
	/* exec enters a running container: from a sealed copy of us. */
	if (v->fn == mc_verb_exec && mc_selfexe_sealed(argv) < 0)
		goto fail;
	if (mc_state_root(oci.root_flag, oci.root, sizeof(oci.root)) < 0)
		goto fail;
	ret = v->fn(&oci, argc - verb_at, argv + verb_at);
	if (ret >= 0)
		return ret;
fail:
	mc_error_print();
	return oci.fail_status;
}

int mc_oci_one_id(int argc, char **argv, int i, const char *verb,
		  const char **id)
{
	if (i >= argc)
		return mc_error(0, "%s: a container ID is needed", verb);
	if (i + 1 != argc)
		return mc_error(0, "%s: exactly one container ID is needed", verb);
	*id = argv[i];
	return mc_state_check_id(*id);
}

int mc_oci_load_one(struct mc_oci *oci, int argc, char **argv,
		    const struct mc_flag *flags,
		    int (*apply)(void *, int, const char *), void *ctx,
		    struct mc_state *st)
{
	static const struct mc_flag none[] = { { 0 } };
	const char *id;
	int i = mc_parse_flags(argc, argv, 1, flags ? flags : none, apply, ctx);

	if (i < 0 || mc_oci_one_id(argc, argv, i, argv[0], &id) < 0)
		return -1;
	return mc_state_load(oci->root, id, st, true);
}

static int no_flags(void *ctx, int id, const char *value)
{
	(void)ctx;
	(void)id;
	(void)value;
	return 0;
}

static const struct mc_flag no_flag_list[] = { { 0 } };

int mc_verb_features(struct mc_oci *oci, int argc, char **argv)
{
	(void)oci;
	if (mc_parse_flags(argc, argv, 1, no_flag_list, no_flags, NULL) < 0)
		return -1;
	return mc_oci_features() < 0 ? -1 : 0;
}

struct spec_args {
	const char *bundle;
	bool rootless;
};

static int apply_spec(void *ctx, int id, const char *value)
{
	struct spec_args *a = ctx;

	if (id == 0)
		a->bundle = value;
	else
		a->rootless = true;
	return 0;
}

int mc_verb_spec(struct mc_oci *oci, int argc, char **argv)
{
	static const struct mc_flag flags[] = {
		{ "--bundle", 'b', 0, true },
		{ "--rootless", 0, 1, false },
		{ 0 }
	};
	struct spec_args a = { 0 };

	(void)oci;
	if (mc_parse_flags(argc, argv, 1, flags, apply_spec, &a) < 0)
		return -1;
	return mc_oci_spec(a.bundle, a.rootless) < 0 ? -1 : 0;
}

/* Signal names with or without SIG, and numbers, as runc's kill. */
static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP },	{ "INT", SIGINT },	{ "QUIT", SIGQUIT },
	{ "ILL", SIGILL },	{ "TRAP", SIGTRAP },	{ "ABRT", SIGABRT },
	{ "IOT", SIGIOT },	{ "BUS", SIGBUS },	{ "FPE", SIGFPE },
	{ "KILL", SIGKILL },	{ "USR1", SIGUSR1 },	{ "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },	{ "PIPE", SIGPIPE },	{ "ALRM", SIGALRM },
	{ "TERM", SIGTERM },	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT },	{ "STOP", SIGSTOP },	{ "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN },	{ "TTOU", SIGTTOU },	{ "URG", SIGURG },
	{ "XCPU", SIGXCPU },	{ "XFSZ", SIGXFSZ },	{ "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },	{ "WINCH", SIGWINCH },	{ "IO", SIGIO },
	{ "POLL", SIGPOLL },	{ "PWR", SIGPWR },	{ "SYS", SIGSYS },
};

int mc_parse_signal(const char *s, int *sig)
{
	int64_t n;
	char *end;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno || *end || n < 0 || n > SIGRTMAX)
			return mc_error(0, "invalid signal: %s", s);
		*sig = (int)n;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++) {
		if (!strcasecmp(s, signal_names[i].name)) {
			*sig = signal_names[i].sig;
			return 0;
		}
	}
	return mc_error(0, "unknown signal %s", s);
}
