// SPDX-License-Identifier: MIT
/*
 * The create sequence, in one place.  Parent and child talk over a
 * close-on-exec socket pair: the parent says "go" once it has done its part,
 * and the child either execs (the parent then reads end-of-file) or sends
 * one report of what failed and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* What the child gets besides the spec; a copy, made before clone. */
struct child {
	const struct mc_spec *spec;
	int sock;		/* the sync socket, fd SYNC_FD once the child runs */
	const sigset_t *set;	/* the supervised signals, blocked */
	const sigset_t *mask;	/* the caller's mask, for the command */
	bool terminal;		/* --init-group: give the command the terminal */
};

/* Where the child keeps its sync socket: the first fd after stdio. */
#define SYNC_FD 3

static _Noreturn void child_fail(int sock, int exit_code)
{
	struct child_report report = { .exit_code = exit_code };

	snprintf(report.text, sizeof(report.text), "%s", mc_error_text());
	if (write(sock, &report, sizeof(report)) < 0)
		mc_error_print();
	_exit(exit_code);
}

/*
 * The child keeps stdio and the sync socket (moved to SYNC_FD) and closes
 * everything else before it does anything.  Closed, not only close-on-exec:
 * until exec an inherited directory fd (the caller's, or our cgroup v2 fd)
 * is reachable as /proc/self/fd/N, and a --workdir through such a link would
 * lead out of the new root (CVE-2024-21626).
 */
static int keep_only_sync_socket(struct child *c)
{
	if (c->sock != SYNC_FD) {
		if (dup3(c->sock, SYNC_FD, O_CLOEXEC) < 0)
			return mc_error(errno, "sync socket");
		close(c->sock);
		c->sock = SYNC_FD;
	}
	if (sys_close_from(SYNC_FD + 1, false) < 0)
		return mc_error(errno, "close inherited fds");
	return 0;
}

/*
 * Die with the parent.  A change of credentials (--userid) clears the
 * parent-death signal, so it is armed again after one; a parent that died
 * in between has closed its end of the socket.
 */
static void die_with_parent(const struct child *c)
{
	char byte;

	if (!c->spec->kill_on_parent_death)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (recv(c->sock, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
		_exit(MC_EXIT_FAILURE);
}

/*
 * A symlink to /proc/self/fd/N of an open directory (stdin, say) still leads
 * outside the root: the kernel then gives the cwd as "(unreachable)/...",
 * which libc may pass on as it is.
 */
static int enter_workdir(const char *cwd)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return mc_error(errno, "workdir %s", cwd);
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return mc_error(0, "workdir %s: outside the container's root", cwd);
	return 0;
}

static int child_setup(const struct child *c)
{
	const struct mc_spec *spec = c->spec;

	if (mc_namespaces_set_hostname(spec) < 0)
		return -1;
	if ((spec->namespaces & CLONE_NEWNS) && mc_rootfs_setup(spec) < 0)
		return -1;
	if (spec->cwd && enter_workdir(spec->cwd) < 0)
		return -1;
	if (mc_namespaces_set_identity(spec) < 0 || mc_caps_drop() < 0)
		return -1;
	if (spec->set_user)
		die_with_parent(c);
	/* The command gets fds 0, 1 and 2 and nothing else. */
	if (sys_close_from(SYNC_FD + 1, false) < 0)
		return mc_error(errno, "close inherited fds");
	return 0;
}

static _Noreturn void exec_command(const struct child *c)
{
	const struct mc_spec *spec = c->spec;
	int err;

	mc_supervise_reset_signals();
	sigprocmask(SIG_SETMASK, c->mask, NULL);
	err = mc_exec_search(spec->argv[0], spec->argv, spec->env,
			     mc_spec_getenv(spec, "PATH"), execve);
	child_fail(c->sock, mc_exit_for_exec_errno(err));
}

/* The command under --init: its own group with --init-group (tini -g). */
static _Noreturn void init_command(const struct child *c, pid_t init)
{
	if (c->spec->init_group) {
		setpgid(0, 0);
		if (c->terminal)
			mc_terminal_foreground();
	}
	/* When a non-PID-1 init dies, so does the command. */
	if (c->spec->kill_on_parent_death) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != init)
			_exit(MC_EXIT_FAILURE);
	}
	exec_command(c);
}

/*
 * --init: we stay as the container's PID 1, reap whatever is orphaned to
 * us, forward signals, and exit with the command's status when it exits.
 * Without --pid we are a subreaper, and kill what the command left.
 */
static _Noreturn void run_init(const struct child *c)
{
	pid_t init = getpid(), cmd;
	int status;

	mc_supervise_become_reaper();
	cmd = fork();
	if (cmd < 0) {
		mc_error(errno, "fork the command");
		child_fail(c->sock, MC_EXIT_FAILURE);
	}
	if (cmd == 0)
		init_command(c, init);
	/* Both sides set the group, so no signal to it can come too early. */
	if (c->spec->init_group)
		setpgid(cmd, cmd);
	/* Only the command holds the socket now (the parent sees its exec),
	 * and the init keeps no inherited descriptor open either. */
	sys_close_from(SYNC_FD, false);
	mc_debug("[init] Command PID: %d", cmd);
	status = mc_exit_status(mc_supervise(cmd, c->set, c->spec->init_group));
	if (init != 1 && mc_supervise_kill_leftovers())
		mc_debug("[init] Killed what the command left behind");
	_exit(status);
}

static _Noreturn void child_main(struct child *c)
{
	char go;

	if (keep_only_sync_socket(c) < 0)
		child_fail(c->sock, MC_EXIT_FAILURE);
	if (c->spec->kill_on_parent_death)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* End-of-file instead of "go": the parent is gone, so are we. */
	if (read(c->sock, &go, 1) != 1)
		_exit(MC_EXIT_FAILURE);
	/*
	 * The uid/gid maps are written (a helper checks we are dumpable): from
	 * here on nothing in the container may reach us through /proc until we
	 * exec (CVE-2016-9962); the init never does.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	mc_debug("[child] PID: %d", getpid());
	if (child_setup(c) < 0) {
		mc_rootfs_undo();
		child_fail(c->sock, MC_EXIT_FAILURE);
	}
	if (c->spec->init)
		run_init(c);
	exec_command(c);
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

	/*
	 * Once the command runs, our /proc/PID/{root,cwd,fd,exe,mem,environ}
	 * would lead to the host's files and to this binary (CVE-2019-5736):
	 * closed to anything without CAP_SYS_PTRACE.  Not before: newuidmap
	 * checks that /proc/CHILD belongs to the caller.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	if (write(sock, "g", 1) != 1)
		return 0; /* it died already; its status tells why */
	n = read(sock, report, sizeof(*report));
	if (n != (ssize_t)sizeof(*report))
		return 0;
	mc_error_set_text(report->text);
	mc_error_print();
	return 1;
}

/*
 * The command has ended: the terminal back to our group, the cgroup's
 * leftovers killed and it removed, then whatever else of the tree is left
 * (orphans come to us, a subreaper).  Returns mcstatic's exit status.
 */
static int finish(struct mc_cgroup *cg, int status, bool terminal)
{
	if (terminal)
		mc_terminal_foreground();
	status = mc_cgroup_finish(cg, status);
	if (mc_supervise_kill_leftovers())
		mc_debug("[parent] Killed what the command left behind");
	return status;
}

int mc_container_run(struct mc_spec *spec)
{
	struct child_report report;
	int clone_flags, sv[2], failed, wstatus;
	struct mc_cgroup *cg = NULL;
	struct child c = { .spec = spec };
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
	/* Orphans of the command come to us, to be killed when it ends. */
	mc_supervise_become_reaper();
	c.terminal = spec->init_group && mc_terminal_is_foreground();
	pid = clone_child(clone_flags, cg, &placed);
	if (pid == 0) {
		close(sv[0]);
		c.sock = sv[1];
		c.set = &set;
		c.mask = &old;
		child_main(&c);
	}
	/* No directory fd of the host stays open where /proc shows it. */
	mc_cgroup_clone_done(cg);
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
	announce_exit(wstatus);
	/* Reports an out-of-memory kill, removes the cgroup on every path. */
	wstatus = finish(cg, failed ? report.exit_code : mc_exit_status(wstatus),
			 c.terminal);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return wstatus;
}
