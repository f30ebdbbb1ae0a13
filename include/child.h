/* SPDX-License-Identifier: MIT */
#ifndef MC_CHILD_H
#define MC_CHILD_H

#include <signal.h>
#include <stdbool.h>

#include "opts.h"
#include "spec.h"

/* What the container's first process gets besides the spec (a copy). */
struct mc_child {
	const struct mc_spec *spec;
	const struct mc_run_opts *opts;
	int sock;		/* the sync socket */
	int fifo;		/* O_PATH of the exec fifo (create), or -1 */
	const sigset_t *set;	/* the supervised signals, blocked */
	const sigset_t *mask;	/* the caller's mask, for the command */
	bool terminal;		/* --init-group: give the command the terminal */
	bool late_cgroupns;	/* unshare the cgroup namespace after "go" */
};

/* From clone to execve; never returns. */
_Noreturn void mc_child_main(struct mc_child *c);

/*
 * process.terminal: a pty of the container's devpts (opened inside); the
 * slave becomes stdio and the controlling terminal, the master goes to the
 * parent over SOCK (MC_SYNC_TTY).  exec uses it too.
 */
int mc_child_open_terminal(int sock, const struct mc_spec *spec);

/* chdir(CWD), and it must lie inside the root (exec uses it too). */
int mc_child_enter_workdir(const char *cwd);

#endif
