/*
 * floor — the least any runtime can do to run a command in a new PID + mount
 * namespace with a pivoted root and a private /proc. It is the benchmark floor
 * mcstatic, runc, crun, bubblewrap and unshare are measured against:
 * no argument parsing beyond argv, no allocations, no error messages beyond
 * one perror, nothing a real runtime could skip.
 *
 * usage: floor ROOTFS CMD [ARGS...]   (root, or CAP_SYS_ADMIN)
 * exit:  the command's status; 128+N if killed by signal N; 125 on setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	perror(what);
	_exit(125);
}

/* Runs in the new namespaces; never returns. */
static void child(const char *rootfs, char **argv)
{
	/* Keep our mounts from propagating back to the host. */
	if (mount("", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("mount / private");
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind rootfs");
	if (chdir(rootfs) < 0)
		die("chdir rootfs");
	/* pivot_root(".", "."): the old root ends up stacked under the new one... */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	/* ...and is detached here, with no need for a put_old directory. */
	if (umount2(".", MNT_DETACH) < 0)
		die("umount old root");
	if (chdir("/") < 0)
		die("chdir /");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount /proc");
	execve(argv[0], argv, environ);
	die(argv[0]);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: floor ROOTFS CMD [ARGS...]\n", stderr);
		return 125;
	}
	/* fork-style clone: NULL stack means the child runs on a copy of ours. */
	long pid = syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		die("clone");
	if (pid == 0)
		child(argv[1], argv + 2);

	int status;
	while (waitpid((pid_t)pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
