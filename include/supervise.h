/* SPDX-License-Identifier: MIT */
#ifndef MC_SUPERVISE_H
#define MC_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

/* The signals the reaping parent forwards, plus SIGCHLD. */
void mc_supervise_sigset(sigset_t *set);

/*
 * The reaping parent's loop.  SET must be blocked (since before clone, so
 * nothing is lost): forward each signal to CHILD, reap every child, and
 * return CHILD's wait status once it is gone.
 */
int mc_supervise(pid_t child, const sigset_t *set);

#endif
