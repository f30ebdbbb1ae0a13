// SPDX-License-Identifier: MIT
/*
 * exec: a new process in a running container.  Its process comes from
 * --process FILE (what engines pass), or from the container's own config
 * with the command and the flags on top (as runc).  A detached container
 * (the seed's -d) has no config: its defaults come from the invocation that
 * made it, and a person's exec gets docker's -i, -w and exit status 125.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "config.h"
#include "container.h"
#include "error.h"
#include "json.h"
#include "lifecycle.h"
#include "oci-verbs.h"
#include "opts.h"
#include "process.h"
#include "spec.h"
#include "state.h"
#include "util.h"

enum { E_CONSOLE_SOCKET, E_CWD, E_ENV, E_TTY, E_USER, E_GIDS, E_PROCESS,
       E_DETACH, E_PID_FILE, E_PRESERVE_FDS, E_NO_NEW_PRIVS, E_CAP,
       E_IGNORED, E_IGNORED_ARG, E_INTERACTIVE };

static const struct mc_flag exec_flags[] = {
	{ "--console-socket", 0, E_CONSOLE_SOCKET, true },
	{ "--cwd", 'w', E_CWD, true },
	{ "--workdir", 0, E_CWD, true },
	{ "--interactive", 'i', E_INTERACTIVE, false },
	{ "--env", 'e', E_ENV, true },
	{ "--tty", 't', E_TTY, false },
	{ "--user", 'u', E_USER, true },
	{ "--additional-gids", 'g', E_GIDS, true },
	{ "--process", 'p', E_PROCESS, true },
	{ "--detach", 'd', E_DETACH, false },
	{ "--pid-file", 0, E_PID_FILE, true },
	{ "--preserve-fds", 0, E_PRESERVE_FDS, true },
	{ "--no-new-privs", 0, E_NO_NEW_PRIVS, false },
	{ "--cap", 'c', E_CAP, true },
	{ "--ignore-paused", 0, E_IGNORED, false },
	{ "--cgroup", 0, E_IGNORED_ARG, true },
	{ 0 }
};

struct exec_args {
	struct mc_run_opts opts;
	const char *process;
	const char *cwd;
	const char *user;
	bool tty;
	bool no_new_privs;
	bool interactive;	/* -i: the caller's stdin (else /dev/null) */
	char *env[64];
	size_t n_env;
	char *gids[64];
	size_t n_gids;
	uint64_t caps;		/* --cap: bit n is capability n */
};

static int parse_cap(struct exec_args *a, const char *name)
{
	int cap = mc_cap_from_name(name);

	if (cap < 0)
		return mc_error(0, "--cap: unknown capability %s", name);
	a->caps |= 1ULL << cap;
	return 0;
}

static int apply_exec(void *ctx, int id, const char *v)
{
	struct exec_args *a = ctx;

	switch (id) {
	case E_CONSOLE_SOCKET:
		a->opts.console_socket = v;
		return 0;
	case E_CWD:
		a->cwd = v;
		return 0;
	case E_ENV:
		if (a->n_env >= ARRAY_SIZE(a->env))
			return mc_error(0, "--env: at most %zu", ARRAY_SIZE(a->env));
		if (!strchr(v, '='))
			return mc_error(0, "--env %s: expected KEY=VALUE", v);
		a->env[a->n_env++] = (char *)v;
		return 0;
	case E_TTY:
		a->tty = true;
		return 0;
	case E_USER:
		a->user = v;
		return 0;
	case E_GIDS:
		if (a->n_gids >= ARRAY_SIZE(a->gids))
			return mc_error(0, "--additional-gids: at most %zu",
					ARRAY_SIZE(a->gids));
		a->gids[a->n_gids++] = (char *)v;
		return 0;
	case E_PROCESS:
		a->process = v;
		return 0;
	case E_DETACH:
		a->opts.detach = true;
		return 0;
	case E_PID_FILE:
		a->opts.pid_file = v;
		return 0;
	case E_PRESERVE_FDS:
		return mc_parse_preserve_fds(v, &a->opts.preserve_fds);
	case E_NO_NEW_PRIVS:
		a->no_new_privs = true;
		return 0;
	case E_CAP:
		return parse_cap(a, v);
	case E_INTERACTIVE:
		a->interactive = true;
		return 0;
	default:
		return 0;
	}
}

static int parse_id(const char *s, const char *what, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	/* (uid_t)-1 means "unchanged" to setresuid: never a user. */
	if (errno || end == s || v >= 0xffffffffUL || (*end && *end != ':'))
		return mc_error(0, "--user %s: %s must be a number", s, what);
	*out = (unsigned int)v;
	return (int)(end - s);
}

/* --user UID[:GID] */
static int apply_user(struct mc_spec *spec, const char *user)
{
	int n = parse_id(user, "uid", &spec->uid);

	if (n < 0)
		return -1;
	spec->gid = 0;
	if (user[n] == ':' && parse_id(user + n + 1, "gid", &spec->gid) < 0)
		return -1;
	spec->set_user = true;
	return 0;
}

static int apply_gids(struct mc_spec *spec, const struct exec_args *a)
{
	unsigned int *gids;

	if (!a->n_gids)
		return 0;
	gids = calloc(a->n_gids, sizeof(*gids));
	if (!gids || mc_spec_own(spec, gids) < 0) {
		free(gids);
		return mc_error(ENOMEM, "--additional-gids");
	}
	for (size_t i = 0; i < a->n_gids; i++)
		if (parse_id(a->gids[i], "gid", &gids[i]) < 0)
			return -1;
	spec->additional_gids = gids;
	spec->n_additional_gids = a->n_gids;
	return 0;
}

/* The command and the flags, on top of the container's own process. */
static int apply_overrides(struct mc_spec *spec, struct exec_args *a,
			   char **args)
{
	spec->argv = args;
	for (size_t i = 0; i < a->n_env; i++)
		if (mc_spec_setenv(spec, a->env[i]) < 0)
			return -1;
	if (a->cwd)
		spec->cwd = a->cwd;
	if (a->user && apply_user(spec, a->user) < 0)
		return -1;
	/* runc's --cap: into every set but the inheritable one, which
	 * would let an exec keep it past the bounding set. */
	spec->caps.bounding |= a->caps;
	spec->caps.effective |= a->caps;
	spec->caps.permitted |= a->caps;
	spec->caps.ambient |= a->caps;
	return apply_gids(spec, a);
}

/*
 * exec --process: the process is the file's; the seccomp filter is still
 * the container's and, when the file names none, so are the capabilities
 * (runc).  CONFIG, the container's config, keeps what they point to.
 */
static void container_defaults(struct mc_spec *spec,
			       const struct mc_spec *config)
{
	spec->seccomp = config->seccomp;
	if (!spec->has_caps) {
		spec->has_caps = true;
		spec->caps = config->caps;
	}
}

/*
 * Whether exec may enter the container now.  A detached one is a person's
 * container: it is "not running" to them, whatever the OCI status says.
 */
static int check_status(const struct mc_state *st)
{
	enum mc_status status = mc_state_status(st);

	if (status == MC_STATUS_PAUSED)
		return mc_error(0, "cannot exec in a paused container");
	if (status != MC_STATUS_STOPPED && status != MC_STATUS_CREATING)
		return 0;
	if (st->life.detached)
		return mc_error(0, "container '%s' is not running", st->id);
	return mc_error(0, "cannot exec in a stopped container");
}

/* The container's own spec: its saved invocation, or its bundle's config. */
static int container_spec(const struct mc_state *st, struct mc_seed_spec *seed,
			  struct mc_spec *config)
{
	if (st->life.detached)
		return mc_seed_spec_load(st, seed);
	return mc_config_load(config, st->bundle);
}

/*
 * Without -i a person's exec reads nothing (docker's): stdin is /dev/null,
 * so a command that reads does not take the caller's terminal or pipe.
 */
static int detach_stdin(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mc_error(errno, "/dev/null");
	if (fd != STDIN_FILENO && dup2(fd, STDIN_FILENO) < 0) {
		close(fd);
		return mc_error(errno, "stdin");
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}

/*
 * A command that could not be executed is a person's exec's status, as the
 * seed's own run: 127 not found, 126 not executable (docker's).
 */
static int exec_status(const struct mc_state *st, int ret)
{
	int err = mc_error_errno();

	if (ret >= 0 || !st->life.detached ||
	    strncmp(mc_error_text(), "execve ", 7) || !err)
		return ret;
	mc_error_print();
	return mc_exit_for_exec_errno(err);
}

static int run_exec(struct exec_args *a,
		    struct mc_state *st, char **args, struct mc_spec *spec,
		    struct mc_seed_spec *seed, struct mc_spec *config)
{
	struct mc_spec *own = st->life.detached ? &seed->spec : config;
	struct mc_spec *proc = spec;

	if (container_spec(st, seed, config) < 0)
		return -1;
	if (a->process) {
		if (mc_config_load_process(spec, a->process) < 0)
			return -1;
		container_defaults(spec, own);
	} else {
		proc = own;
		if (apply_overrides(proc, a, args) < 0)
			return -1;
		/* The terminal is the caller's choice, not the config's. */
		proc->terminal = a->tty;
	}
	if (a->no_new_privs)
		proc->no_new_privileges = true;
	if (st->life.detached && !a->process && !a->interactive &&
	    detach_stdin() < 0)
		return -1;
	a->opts.id = st->id;
	return exec_status(st, mc_container_exec(proc, &a->opts, st));
}

static int exec_process(struct mc_oci *oci, struct exec_args *a,
			const char *id, char **args, struct mc_spec *spec)
{
	struct mc_seed_spec seed = { 0 };
	struct mc_spec config;
	struct mc_state st = MC_STATE_INIT;
	int ret;

	if (!a->process && !args[0])
		return mc_error(0, "exec: a command is needed (or --process)");
	if (mc_life_load(oci->root, id, &st, false) < 0)
		return -1;
	/* runc's own form on an OCI container: its failures exit 1, as runc. */
	if (!st.life.detached)
		oci->fail_status = 1;
	if (check_status(&st) < 0) {
		mc_state_free(&st);
		return -1;
	}
	mc_spec_init(&config, NULL);
	ret = run_exec(a, &st, args, spec, &seed, &config);
	mc_seed_spec_free(&seed);
	mc_spec_free(&config);
	mc_state_free(&st);
	return ret;
}

int mc_verb_exec(struct mc_oci *oci, int argc, char **argv)
{
	struct exec_args a = { 0 };
	struct mc_spec spec;
	int i, ret;

	/*
	 * A person's exec (the command on the line) fails as the seed, 125;
	 * the engines' (--process, as podman and containerd call it) as
	 * every OCI verb, 1.
	 */
	oci->fail_status = MC_EXIT_FAILURE;
	i = mc_parse_flags(argc, argv, 1, exec_flags, apply_exec, &a);
	if (a.process)
		oci->fail_status = 1;
	if (i < 0)
		return -1;
	if (i >= argc)
		return mc_error(0, "exec: a container ID is needed");
	if (mc_state_check_id(argv[i]) < 0)
		return -1;
	if (a.process && argv[i + 1])
		return mc_error(0, "exec: --process and a command exclude each other");
	mc_spec_init(&spec, NULL);
	ret = exec_process(oci, &a, argv[i], argv + i + 1, &spec);
	mc_spec_free(&spec);
	return ret;
}
