/* SPDX-License-Identifier: MIT */
#ifndef MC_DETACH_H
#define MC_DETACH_H

#include "opts.h"
#include "spec.h"
#include "state.h"

/* In a detached container's state dir, beside state.json. */
#define MC_LOG_FILE "container.log"
#define MC_ARGS_FILE "seed.args"
#define MC_LOG_MAX_DEFAULT (1024 * 1024)

/*
 * The seed CLI's -d: make the state dir (the name is refused if taken),
 * save the invocation (ARGC, ARGV, ENVP), fork the supervisor and return
 * once the container runs, having printed its name.  Returns 0, -1 (error
 * recorded, nothing left), or the command's own failure (126, 127) with the
 * error already printed.
 */
int mc_detach_run(struct mc_spec *spec, struct mc_run_opts *opts, int argc,
		  char **argv, char **envp);

/*
 * Start a new supervisor for the stopped detached container ST (locked; the
 * lock passes to the supervisor), from its saved invocation: restart.
 * Returns as mc_detach_run, without printing the name.
 */
int mc_detach_restart(struct mc_state *st, const char *root);

/* <dir>/NAME into BUF. */
int mc_detach_path(const struct mc_state *st, const char *name, char *buf,
		   size_t size);

#endif
