// SPDX-License-Identifier: MIT
/* The reaping parent: forward signals, reap zombies, return the status. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <sys/wait.h>

#include "error.h"
#include "rootfs.h"
#include "supervise.h"
#include "util.h"

/*
 * Every signal a process can catch is forwarded, as catatonit does, but
 * those the kernel sends for a fault of our own (they would be ours, not
 * the container's), and SIGKILL and SIGSTOP, which cannot be caught.
 */
static bool is_forwarded(int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP: case SIGCHLD:
	case SIGFPE: case SIGILL: case SIGSEGV: case SIGBUS: case SIGABRT:
	case SIGTRAP: case SIGSYS:
		return false;
	default:
		return true;
	}
}

void mc_supervise_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (int sig = 1; sig < SIGRTMIN; sig++)
		if (is_forwarded(sig))
			sigaddset(set, sig);
}

void mc_supervise_reset_signals(void)
{
	for (int sig = 1; sig < SIGRTMIN; sig++)
		if (is_forwarded(sig))
			signal(sig, SIG_DFL);
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

int mc_supervise_fd(pid_t child, const sigset_t *set, int fd,
		    void (*service)(void *data), void *data)
{
	struct signalfd_siginfo si;
	struct pollfd p[2] = { { .fd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK),
				 .events = POLLIN },
			       { .fd = fd, .events = POLLIN } };
	int wstatus = 0;

	if (p[0].fd < 0)
		return mc_supervise(child, set, false);
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents)
			service(data);
		while (read(p[0].fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGCHLD) {
				kill(child, (int)si.ssi_signo);
				continue;
			}
			if (reap(child, &wstatus)) {
				close(p[0].fd);
				return wstatus;
			}
		}
	}
}

void mc_supervise_become_reaper(void)
{
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* The parent PID in the stat line "PID (COMM) S PPID ..."; COMM may hold ')'. */
static pid_t stat_ppid(const char *pid)
{
	char path[32], buf[512], *p;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] && p[3] == ' ' ? atoi(p + 4) : -1;
}

/*
 * SIGKILL every child we have; how many.  -1 when /proc cannot tell: not
 * mounted, or a proc of another PID namespace, where "our" PID is somebody
 * else's.  A child cannot vanish between the read and the kill: until we
 * reap it, its PID stays ours.
 */
static int kill_children(void)
{
	char self[16];
	ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
	pid_t me = getpid();
	struct dirent *e;
	int killed = 0;
	DIR *d;

	if (n <= 0 || (self[n] = '\0', atoi(self) != me) ||
	    !(d = opendir("/proc")))
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    stat_ppid(e->d_name) == me &&
		    kill(atoi(e->d_name), SIGKILL) == 0)
			killed++;
	closedir(d);
	return killed;
}

int mc_supervise_kill_leftovers(void)
{
	int killed = 0, n;
	pid_t pid;

	for (;;) {
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		/* No child at all (ECHILD): the common case costs this call. */
		if (pid < 0)
			return killed;
		/* Nothing we could kill: waiting would never end. */
		n = kill_children();
		if (n <= 0)
			return killed;
		killed += n;
		/* The N die, and their own children are ours: look again. */
		while (n-- > 0 && waitpid(-1, NULL, 0) > 0)
			;
	}
}

bool mc_terminal_is_foreground(void)
{
	pid_t fg = tcgetpgrp(STDIN_FILENO);

	return fg > 0 && fg == getpgrp();
}

/* From a background group tcsetpgrp raises SIGTTOU unless it is blocked. */
void mc_terminal_foreground(void)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(STDIN_FILENO, getpgrp());
	sigprocmask(SIG_SETMASK, &old, NULL);
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
	mc_warn("container exited with status %d", status);
	sync();
	reboot(RB_POWER_OFF);
	/* Only reached without CAP_SYS_BOOT: never return as PID 1. */
	for (;;)
		pause();
}
