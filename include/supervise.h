/* SPDX-License-Identifier: MIT */
#ifndef MC_SUPERVISE_H
#define MC_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* The signals the reaping parent forwards, plus SIGCHLD. */
void mc_supervise_sigset(sigset_t *set);

/*
 * Child, before exec: the forwarded signals back to their default action.
 * A shell starts background jobs with SIGINT and SIGQUIT ignored; inherited,
 * that would make forwarding them pointless.
 */
void mc_supervise_reset_signals(void);

/*
 * The reaping parent's loop.  SET must be blocked (since before clone, so
 * nothing is lost): forward each signal to CHILD, reap every child, and
 * return CHILD's wait status once it is gone.
 */
int mc_supervise(pid_t child, const sigset_t *set, bool to_group);

/*
 * The same, also calling SERVICE(DATA) whenever FD is readable (the port
 * forwarder's epoll fd); signals go to CHILD only.
 */
int mc_supervise_fd(pid_t child, const sigset_t *set, int fd,
		    void (*service)(void *data), void *data);

/*
 * Become the reaper of orphans: PID 1 of a namespace is already; anywhere
 * else mcstatic asks to be a child subreaper.
 */
void mc_supervise_become_reaper(void);

/*
 * Kill and reap every child we still have, and the children they leave to
 * us, until none is left: what the command left behind once it has exited.
 * Meant for a reaper (PID 1 of a namespace, or a child subreaper), to which
 * every orphan of the tree comes.  Costs one waitpid when nothing is left;
 * otherwise walks /proc, and stops when /proc is not the one of our PID
 * namespace or nothing can be killed.  Returns how many it killed.
 */
int mc_supervise_kill_leftovers(void);

/*
 * The terminal on stdin (--init-group, as tini -g): is our process group its
 * foreground group; make our process group the foreground group (SIGTTOU
 * blocked meanwhile; without a terminal it does nothing).
 */
bool mc_terminal_is_foreground(void);
void mc_terminal_foreground(void);

/*
 * Machine PID 1 (mcstatic as a kernel's init, e.g. rdinit=/mcstatic):
 * mc_machine_init() is true when we are the first process of the machine
 * and makes /proc, /sys, /dev and the console ready; mc_machine_poweroff()
 * reports STATUS on the console, syncs and powers off.  Returning from main
 * as the machine's init would panic the kernel.
 */
bool mc_machine_init(void);
_Noreturn void mc_machine_poweroff(int status);

#endif
