/* SPDX-License-Identifier: MIT */
#ifndef MC_LIFE_H
#define MC_LIFE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

/*
 * What a detached container (the seed CLI's -d) records beside the OCI
 * state: its supervisor, its runs and how the last one ended.  Kept in
 * state.json as the object "life", written by whoever holds the lock.
 * Every field means "unset" when zero.
 */
struct mc_life {
	bool detached;			/* made by -d: supervised by mcstatic */
	pid_t supervisor;		/* the supervisor, while it lives */
	uint64_t supervisor_start;	/* its start time: identity */
	char started[40];		/* StartedAt of the current (last) run */
	char finished[40];		/* FinishedAt of the last run that ended */
	bool exited;			/* a run has ended: exit_code is its status */
	int exit_code;
	bool oom_killed;		/* the last run lost a process to the OOM killer */
	unsigned int restart_count;	/* restarts by the policy */
	char restart[32];		/* the policy as given: "no", "on-failure:3"... */
	char command[256];		/* the command line, for ps */
	char error[256];		/* why the supervisor gave up, or "" */
	char bridge[16];		/* --net bridge: the bridge, or "" */
	char address[20];		/* its address there, "10.89.0.2/24" */
};

/* The restart policies of --restart. */
enum mc_restart {
	MC_RESTART_NO,
	MC_RESTART_ON_FAILURE,
	MC_RESTART_ALWAYS,
	MC_RESTART_UNLESS_STOPPED,
};

/* "no", "on-failure[:MAX]", "always", "unless-stopped". */
int mc_restart_parse(const char *s, enum mc_restart *policy, unsigned int *max);

/*
 * A name given with --name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most
 * MC_NAME_MAX bytes (docker's rule; a subset of the OCI ID's).
 */
#define MC_NAME_MAX 128
int mc_name_check(const char *name);

/* A new ID for a container without a name: 12 hex digits, at random. */
int mc_name_random(char *buf, size_t size);

/* state.json's "life" object (state.c calls these). */
void mc_life_to_json(const struct mc_life *life, struct mc_buf *b);
int mc_life_from_json(const struct mc_json *j, int obj, struct mc_life *life);

/* Does the recorded supervisor still run (the same process)? */
bool mc_life_supervised(const struct mc_life *life);

/*
 * Wait up to TIMEOUT_MS (-1: for ever) for PID (with START, its start
 * time, when not 0) to be gone; true when it is.
 */
bool mc_life_wait_gone(pid_t pid, uint64_t start, int timeout_ms);

/* SIGKILL the supervisor, if it lives, and wait for it to be gone. */
void mc_life_kill_supervisor(struct mc_life *life);

/*
 * The seed invocation of a detached container, saved in its state dir:
 * the working directory, the arguments (argv[1..]) and the environment,
 * each ending in NUL.  restart (and exec's defaults) rebuild the spec
 * from it, as the first run did.
 */
struct mc_life_args {
	const char *cwd;
	int argc;
	char **argv;		/* argv[argc] is NULL */
	char **envp;		/* NULL-ended */
	char *data;
	char **words, **env_copy;
};

int mc_life_save_args(const char *path, int argc, char **argv, char **envp);
int mc_life_load_args(const char *path, struct mc_life_args *a);
void mc_life_args_free(struct mc_life_args *a);

#endif
