// SPDX-License-Identifier: MIT
/* The reaping parent: forward signals, reap zombies, return the status. */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include "error.h"
#include "rootfs.h"
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

void mc_supervise_reset_signals(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		signal(forwarded_signals[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);	/* main ignores it for mcstatic only */
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

int mc_supervise(pid_t child, const sigset_t *set, bool to_group)
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
			kill(to_group ? -child : child, sig);
			continue;
		}
		if (reap(child, &wstatus))
			return wstatus;
	}
}

void mc_supervise_become_reaper(void)
{
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* The initial PID namespace has a fixed inode (PROC_PID_INIT_INO). */
#define INITIAL_PIDNS_INO 0xEFFFFFFCU

bool mc_machine_init(void)
{
	struct stat st;

	if (getpid() != 1 || mc_rootfs_mount_machine() < 0)
		return false;
	if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino != INITIAL_PIDNS_INO)
		return false;
	mc_debug("[init] mcstatic is the machine's PID 1");
	return true;
}

_Noreturn void mc_machine_poweroff(int status)
{
	fprintf(stderr, "mcstatic: container exited with status %d\n", status);
	sync();
	reboot(RB_POWER_OFF);
	/* Only reached without CAP_SYS_BOOT: never return as PID 1. */
	for (;;)
		pause();
}
