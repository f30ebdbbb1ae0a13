/* SPDX-License-Identifier: MIT */
#ifndef MC_CONTAINER_H
#define MC_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "hooks.h"
#include "opts.h"
#include "spec.h"
#include "state.h"

struct mc_cgroup;

/* A container this process created: its first process and what we hold. */
struct mc_container {
	pid_t pid;
	int sock;		/* our end of the sync socket, until released */
	int master;		/* the terminal's master for the relay, or -1 */
	struct mc_cgroup *cg;
	sigset_t set, old;	/* the supervised signals (blocked), the mask before */
	bool terminal;		/* --init-group owns the terminal */
	int exit_code;		/* the child's failure: the status to exit with */
	bool oom_killed;	/* set by the end: the OOM killer took one of it */
	struct mc_netrun *net;	/* opts->net: attached each run, detached at its end */
};

/*
 * Clone into the namespaces and set the child up.  With opts->oci_create
 * it returns once the child waits on the exec fifo (READY), else once it
 * has exec'd.  ST (may be NULL) gets pid and start time, for the hooks.
 * On failure nothing is left (process, cgroup) and the error is recorded;
 * c->exit_code is the child's own status when it was the one that failed.
 */
int mc_container_create(struct mc_spec *spec, const struct mc_run_opts *opts,
			struct mc_state *st, struct mc_container *c);

/* Forward signals (relay the terminal), reap, return the exit status;
 * the cgroup is removed unless KEEP_CGROUP (delete does it). */
int mc_container_wait(struct mc_container *c, bool keep_cgroup);

/*
 * The first process has exited with WSTATUS (reaped by the caller): the
 * same end as mc_container_wait's.  Returns the exit status.
 */
int mc_container_end(struct mc_container *c, int wstatus, bool keep_cgroup);

/* Let go of it: the process lives on, the cgroup stays. */
void mc_container_release(struct mc_container *c);

/* Kill what create made and free it. */
void mc_container_kill(struct mc_container *c);

/* The seed CLI: create and wait; the exit status, or -1 (error recorded). */
int mc_container_run(struct mc_spec *spec, const struct mc_run_opts *opts);

/* Relay a terminal's master to our stdio until PID exits; its wait status. */
int mc_container_relay(int master, pid_t pid, const sigset_t *set);

/* The hooks of KIND with the state on their stdin (poststart/poststop warn). */
int mc_container_hooks(const struct mc_spec *spec, enum mc_hook_kind kind,
		       const struct mc_state *st, enum mc_status status);

/* exec: a process in the running container ST. */
int mc_container_exec(const struct mc_spec *spec, const struct mc_run_opts *opts,
		      const struct mc_state *st);

#endif
