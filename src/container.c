// SPDX-License-Identifier: MIT
/*
 * The create sequence, in one place.  Parent and child talk over a
 * close-on-exec socket pair: the parent says "go" once it has done its part,
 * and the child either execs (the parent then reads end-of-file) or sends
 * one report of what failed and exits.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroups.h"
#include "container.h"
#include "error.h"
#include "namespaces.h"
#include "process.h"
#include "rootfs.h"
#include "supervise.h"
#include "sys.h"

struct child_report {
	int exit_code;
	char text[500];
};

static _Noreturn void child_fail(int sock, int exit_code)
{
	struct child_report report = { .exit_code = exit_code };

	snprintf(report.text, sizeof(report.text), "%s", mc_error_text());
	if (write(sock, &report, sizeof(report)) < 0)
		mc_error_print();
	_exit(exit_code);
}

static int child_setup(const struct mc_spec *spec)
{
	if (mc_namespaces_set_hostname(spec) < 0)
		return -1;
	if ((spec->namespaces & CLONE_NEWNS) && mc_rootfs_setup(spec) < 0)
		return -1;
	if (spec->cwd && chdir(spec->cwd) < 0)
		return mc_error(errno, "workdir %s", spec->cwd);
	if (mc_namespaces_set_identity(spec) < 0 || mc_caps_drop() < 0)
		return -1;
	/* The command gets fds 0, 1 and 2 and nothing else. */
	if (sys_close_from(3, true) < 0)
		return mc_error(errno, "close inherited fds");
	return 0;
}

static _Noreturn void exec_command(const struct mc_spec *spec, int sock,
				   const sigset_t *mask)
{
	int err;

	mc_supervise_reset_signals();
	sigprocmask(SIG_SETMASK, mask, NULL);
	err = mc_exec_search(spec->argv[0], spec->argv, spec->env,
			     mc_spec_getenv(spec, "PATH"), execve);
	child_fail(sock, mc_exit_for_exec_errno(err));
}

/*
 * --init: we stay as the container's PID 1, reap whatever is orphaned to
 * us, forward signals, and exit with the command's status when it exits.
 */
static _Noreturn void run_init(const struct mc_spec *spec, int sock,
			       const sigset_t *set, const sigset_t *mask)
{
	pid_t cmd;

	mc_supervise_become_reaper();
	cmd = fork();
	if (cmd < 0) {
		mc_error(errno, "fork the command");
		child_fail(sock, MC_EXIT_FAILURE);
	}
	if (cmd == 0) {
		if (spec->init_group)
			setpgid(0, 0);
		exec_command(spec, sock, mask);
	}
	/* Only the command holds the socket now (the parent sees its exec),
	 * and the init keeps no inherited descriptor open either. */
	sys_close_from(3, false);
	mc_debug("[init] Command PID: %d", cmd);
	_exit(mc_exit_status(mc_supervise(cmd, set, spec->init_group)));
}

static _Noreturn void child_main(const struct mc_spec *spec, int sock,
				 const sigset_t *set, const sigset_t *mask)
{
	char go;

	if (spec->kill_on_parent_death)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* End-of-file instead of "go": the parent is gone, so are we. */
	if (read(sock, &go, 1) != 1)
		_exit(MC_EXIT_FAILURE);
	mc_debug("[child] PID: %d", getpid());
	if (child_setup(spec) < 0) {
		mc_rootfs_undo();
		child_fail(sock, MC_EXIT_FAILURE);
	}
	if (spec->init)
		run_init(spec, sock, set, mask);
	exec_command(spec, sock, mask);
}

static void announce(const struct mc_spec *spec, int clone_flags)
{
	char line[1024];
	size_t len = 0;

	if (!mc_debug_enabled)
		return;
	for (char **a = spec->argv; *a && len < sizeof(line); a++)
		len += snprintf(line + len, sizeof(line) - len, "%s%s",
				a == spec->argv ? "" : " ", *a);
	mc_debug("[parent] Executing: %s", line);
	if (spec->rootfs)
		mc_debug("[parent] Rootfs: %s", spec->rootfs);
	mc_namespaces_announce(clone_flags);
}

static void announce_exit(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		mc_debug("[parent] Child killed by signal %d", WTERMSIG(wstatus));
	else
		mc_debug("[parent] Child exited: %d", WEXITSTATUS(wstatus));
}

static int clone_error(int err, int clone_flags)
{
	if (err == EPERM && !(clone_flags & CLONE_NEWUSER) && geteuid())
		return mc_error(err, "clone (namespaces need root, or --user)");
	if ((err == EPERM || err == ENOSPC || err == EUSERS) &&
	    (clone_flags & CLONE_NEWUSER))
		return mc_error(err, "clone: user namespaces are not allowed here "
				     "(user.max_user_namespaces, kernel.unprivileged_userns_clone)");
	return mc_error(err, "clone");
}

/*
 * With cgroup v2 the child is born in its cgroup (clone3 CLONE_INTO_CGROUP,
 * Linux 5.7+); on v1, or an older kernel, it joins it before "go".
 */
static pid_t clone_child(int clone_flags, struct mc_cgroup *cg, bool *placed)
{
	int fd = mc_cgroup_clone_fd(cg);
	pid_t pid;

	*placed = false;
	if (fd >= 0) {
		pid = sys_clone3(clone_flags, fd);
		if (pid >= 0) {
			*placed = true;
			return pid;
		}
		mc_debug("[parent] clone3 into the cgroup: %s: clone, then join",
			 strerror(errno));
	}
	return sys_clone(clone_flags);
}

/* Our part between clone and "go"; on failure the child is killed. */
static int parent_setup(const struct mc_spec *spec, pid_t pid,
			struct mc_cgroup *cg, bool placed)
{
	if ((placed || mc_cgroup_enter(cg, pid) == 0) &&
	    mc_namespaces_write_maps(spec, pid) == 0)
		return 0;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/* Release the child and wait until it has exec'd or reported a failure. */
static int release_child(int sock, struct child_report *report)
{
	ssize_t n;

	if (write(sock, "g", 1) != 1)
		return 0; /* it died already; its status tells why */
	n = read(sock, report, sizeof(*report));
	if (n != (ssize_t)sizeof(*report))
		return 0;
	mc_error_set_text(report->text);
	mc_error_print();
	return 1;
}

int mc_container_run(struct mc_spec *spec)
{
	struct child_report report;
	int clone_flags, sv[2], failed, wstatus;
	struct mc_cgroup *cg = NULL;
	sigset_t set, old;
	bool placed;
	pid_t pid;

	if (mc_spec_validate(spec) < 0 || mc_namespaces_prepare(spec) < 0)
		return -1;
	clone_flags = mc_namespaces_clone_flags(spec);
	mc_supervise_sigset(&set);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mc_error(errno, "socketpair");
	announce(spec, clone_flags);
	/* Blocked before clone, so no signal for the child is lost. */
	sigprocmask(SIG_BLOCK, &set, &old);
	/* Limits are in force before the command's first instruction. */
	if (mc_cgroup_wanted(spec) && mc_cgroup_create(spec, &cg) < 0) {
		close(sv[0]);
		close(sv[1]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	pid = clone_child(clone_flags, cg, &placed);
	if (pid == 0) {
		close(sv[0]);
		child_main(spec, sv[1], &set, &old);
	}
	close(sv[1]);
	if (pid < 0 || parent_setup(spec, pid, cg, placed) < 0) {
		if (pid < 0)
			clone_error(errno, clone_flags);
		mc_cgroup_destroy(cg);
		close(sv[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	mc_debug("[parent] Child PID: %d", pid);
	failed = release_child(sv[0], &report);
	close(sv[0]);
	wstatus = mc_supervise(pid, &set, false);
	sigprocmask(SIG_SETMASK, &old, NULL);
	announce_exit(wstatus);
	/* Reports an out-of-memory kill, removes the cgroup on every path. */
	return mc_cgroup_finish(cg, failed ? report.exit_code
					   : mc_exit_status(wstatus));
}
