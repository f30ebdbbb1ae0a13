// SPDX-License-Identifier: MIT
/* The reaping parent: forward signals, reap zombies, return the status. */
#include <errno.h>
#include <sys/wait.h>

#include "error.h"
#include "supervise.h"
#include "util.h"

static const int forwarded_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

void mc_supervise_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(set, forwarded_signals[i]);
}

/* Reap everything that has exited; true once CHILD is among them. */
static bool reap(pid_t child, int *wstatus)
{
	bool done = false;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != child)
			continue;
		*wstatus = status;
		done = true;
	}
	return done;
}

int mc_supervise(pid_t child, const sigset_t *set)
{
	int wstatus = 0;

	for (;;) {
		int sig = sigwaitinfo(set, NULL);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			/* Cannot wait for signals: fall back to a plain wait. */
			while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR)
				;
			return wstatus;
		}
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		if (reap(child, &wstatus))
			return wstatus;
	}
}
