// SPDX-License-Identifier: MIT
/*
 * The container's first process, from clone to execve: one flat list of
 * steps (child_main).  Every failure is one report on the sync socket,
 * which the parent prints; then the child exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "child.h"
#include "hooks.h"
#include "error.h"
#include "namespaces.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp.h"
#include "supervise.h"
#include "sync.h"
#include "sys.h"
#include "tty.h"

/*
 * The child keeps stdio, the fds it was asked to preserve (3..base-1), and
 * its own two: the sync socket at base, the exec fifo at base+1.  All else
 * is closed before anything else happens.  Closed, not only close-on-exec:
 * until exec an inherited directory fd (the caller's, or our cgroup v2 fd)
 * is reachable as /proc/self/fd/N, and a working directory through such a
 * link would lead out of the new root (CVE-2024-21626).
 */
static int keep_sync_fds(struct mc_child *c)
{
	int base = 3 + (int)c->opts->preserve_fds;
	/* Out of the way first: either may sit where the other goes. */
	int sock = fcntl(c->sock, F_DUPFD_CLOEXEC, base + 2);
	int fifo = c->fifo >= 0 ? fcntl(c->fifo, F_DUPFD_CLOEXEC, base + 2) : -1;

	if (sock < 0 || (c->fifo >= 0 && fifo < 0) ||
	    dup3(sock, base, O_CLOEXEC) < 0 ||
	    (fifo >= 0 && dup3(fifo, base + 1, O_CLOEXEC) < 0))
		return mc_error(errno, "sync socket");
	c->sock = base;
	c->fifo = fifo >= 0 ? base + 1 : -1;
	if (sys_close_from(fifo >= 0 ? base + 2 : base + 1, false) < 0)
		return mc_error(errno, "close inherited fds");
	return 0;
}

static int keep_fds(struct mc_child *c)
{
	/* A supervised container's stdio: the log pipes and /dev/null. */
	for (int fd = 0; c->opts->stdio && fd < 3; fd++)
		if (dup2(c->opts->stdio[fd], fd) < 0)
			return mc_error(errno, "stdio");
	return keep_sync_fds(c);
}

/* The state the parent sent with "go", for the hooks run in here. */
static const struct mc_spec *hook_spec;
static char hook_state[MC_SYNC_TEXT_MAX];

static int run_hooks(enum mc_hook_kind kind)
{
	if (!hook_spec || !hook_spec->n_hooks[kind])
		return 0;
	return mc_hooks_run(hook_spec->hooks[kind], hook_spec->n_hooks[kind],
			    mc_hook_kind_name(kind), hook_state);
}

/* createContainer: in the container's mount namespace, before pivot_root. */
static int create_container_hooks(void)
{
	return run_hooks(MC_HOOK_CREATE_CONTAINER);
}

static _Noreturn void child_fail(const struct mc_child *c, int exit_code)
{
	mc_sync_fail(c->sock, exit_code);
}

/*
 * Die with the parent.  A change of credentials (process.user) clears the
 * parent-death signal, so it is armed again after one; a parent that died
 * in between has closed its end of the socket.
 */
static void die_with_parent(const struct mc_child *c)
{
	char byte;

	if (!c->opts->kill_on_parent_death)
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
int mc_child_enter_workdir(const char *cwd)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return mc_error(errno, "workdir %s", cwd);
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return mc_error(0, "workdir %s: outside the container's root", cwd);
	return 0;
}

/* linux.namespaces[].path: the user namespace first, it grants the rest. */
static int join_namespaces(const struct mc_spec *spec)
{
	static const enum mc_ns order[] = {
		MC_NS_USER, MC_NS_IPC, MC_NS_UTS, MC_NS_NET, MC_NS_CGROUP,
		MC_NS_MNT,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *path = spec->ns_path[order[i]];
		int fd;

		if (!path)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return mc_error(errno, "%s namespace %s",
					mc_ns_name(order[i]), path);
		if (setns(fd, mc_ns_clone_flag(order[i])) < 0) {
			close(fd);
			return mc_error(errno, "join %s namespace %s",
					mc_ns_name(order[i]), path);
		}
		close(fd);
	}
	return 0;
}

/*
 * process.terminal: a pty of the container's own devpts; the slave becomes
 * stdio and the controlling terminal, the master goes to the parent.
 */
int mc_child_open_terminal(int sock, const struct mc_spec *spec)
{
	struct mc_sync_msg m = { .type = MC_SYNC_TTY };
	char name[64];
	int master = -1, slave, ret;

	if (mc_tty_open(&master, name, sizeof(name)) < 0)
		return -1;
	slave = mc_tty_open_slave(master);
	if (slave < 0 || mc_tty_make_controlling(slave) < 0) {
		close(master);
		return -1;
	}
	if (spec->console_width)
		mc_tty_set_size(0, spec->console_width, spec->console_height);
	ret = mc_sync_send(sock, &m, master);
	close(master);
	return ret;
}

static int child_setup(const struct mc_child *c)
{
	const struct mc_spec *spec = c->spec;

	if (mc_namespaces_set_hostname(spec) < 0 ||
	    mc_namespaces_loopback_up(spec) < 0)
		return -1;
	if ((spec->namespaces & CLONE_NEWNS) &&
	    mc_rootfs_setup(spec, c->opts->no_pivot, create_container_hooks) < 0)
		return -1;
	if (spec->cwd && mc_child_enter_workdir(spec->cwd) < 0)
		return -1;
	if (spec->oci_mounts && mc_process_reopen_dev_null() < 0)
		return -1;
	/* Our copy of the spec since clone: ours to add to. */
	if (spec->oci_mounts && mc_process_default_home((struct mc_spec *)spec) < 0)
		return -1;
	if (spec->terminal && mc_child_open_terminal(c->sock, spec) < 0)
		return -1;
	if (mc_process_set_limits(spec) < 0 ||
	    mc_seccomp_install_early(spec) < 0 || mc_caps_prepare(spec) < 0 ||
	    mc_namespaces_set_identity(spec) < 0 || mc_caps_apply(spec) < 0)
		return -1;
	if (spec->set_user)
		die_with_parent(c);
	return mc_process_set_no_new_privs(spec);
}

/* The fds 3..3+N-1 the caller asked for reach the command. */
static void pass_preserved_fds(const struct mc_child *c)
{
	for (unsigned int fd = 3; fd < 3 + c->opts->preserve_fds; fd++)
		fcntl((int)fd, F_SETFD, 0);
}

static _Noreturn void exec_command(const struct mc_child *c)
{
	const struct mc_spec *spec = c->spec;
	int err;

	mc_supervise_reset_signals();
	sigprocmask(SIG_SETMASK, c->mask, NULL);
	pass_preserved_fds(c);
	if (mc_seccomp_install_late(spec) < 0)
		child_fail(c, MC_EXIT_FAILURE);
	err = mc_exec_search(spec->argv[0], spec->argv, spec->env,
			     mc_spec_getenv(spec, "PATH"), execve);
	child_fail(c, mc_exit_for_exec_errno(err));
}

/* Is it there and executable?  Like exec, without the exec. */
static int probe(const char *path, char *const argv[], char *const envp[])
{
	struct stat st;

	(void)argv;
	(void)envp;
	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0) {
		errno = EACCES;
		return -1;
	}
	errno = 0;
	return -1;
}

/*
 * OCI create: set up, then blocked on the exec fifo until `start` opens it
 * (the fifo's mode lets any uid in).  The command must be there already:
 * create fails, not start, when it is not (as runc).
 */
static void await_start(const struct mc_child *c)
{
	const struct mc_spec *spec = c->spec;
	char path[64];
	int err, fd;

	err = mc_exec_search(spec->argv[0], spec->argv, spec->env,
			     mc_spec_getenv(spec, "PATH"), probe);
	if (err)
		child_fail(c, mc_exit_for_exec_errno(err));
	if (mc_sync_send_type(c->sock, MC_SYNC_READY, 0) < 0)
		_exit(MC_EXIT_FAILURE);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c->fifo);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		_exit(MC_EXIT_FAILURE);
	close(fd);
	close(c->fifo);
	/* startContainer: in the container, just before the command. */
	if (run_hooks(MC_HOOK_START_CONTAINER) < 0)
		child_fail(c, MC_EXIT_FAILURE);
}

/* The command under --init: its own group with --init-group (tini -g). */
static _Noreturn void init_command(const struct mc_child *c, pid_t init)
{
	if (c->opts->init_group) {
		setpgid(0, 0);
		if (c->terminal)
			mc_terminal_foreground();
	}
	/* When a non-PID-1 init dies, so does the command. */
	if (c->opts->kill_on_parent_death) {
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
static _Noreturn void run_init(const struct mc_child *c)
{
	pid_t init = getpid(), cmd;
	int status;

	mc_supervise_become_reaper();
	cmd = fork();
	if (cmd < 0) {
		mc_error(errno, "fork the command");
		child_fail(c, MC_EXIT_FAILURE);
	}
	if (cmd == 0)
		init_command(c, init);
	/* Both sides set the group, so no signal to it can come too early. */
	if (c->opts->init_group)
		setpgid(cmd, cmd);
	/* Only the command holds the socket now (the parent sees its exec),
	 * and the init keeps no inherited descriptor open either. */
	sys_close_from(3, false);
	mc_debug("[init] Command PID: %d", cmd);
	status = mc_exit_status(mc_supervise(cmd, c->set, c->opts->init_group));
	if (init != 1 && mc_supervise_kill_leftovers())
		mc_debug("[init] Killed what the command left behind");
	_exit(status);
}

_Noreturn void mc_child_main(struct mc_child *c)
{
	struct mc_sync_msg go;

	if (keep_fds(c) < 0)
		child_fail(c, MC_EXIT_FAILURE);
	if (c->opts->kill_on_parent_death)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* End-of-file instead of "go": the parent is gone, so are we. */
	if (mc_sync_recv(c->sock, &go, NULL) != 1 || go.type != MC_SYNC_GO)
		_exit(MC_EXIT_FAILURE);
	hook_spec = c->spec;
	memcpy(hook_state, go.text, sizeof(hook_state));
	/*
	 * The uid/gid maps are written (a helper checks we are dumpable): from
	 * here on nothing in the container may reach us through /proc until we
	 * exec (CVE-2016-9962); the init never does.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	mc_debug("[child] PID: %d", getpid());
	if (c->late_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		mc_error(errno, "cgroup namespace");
		child_fail(c, MC_EXIT_FAILURE);
	}
	if (join_namespaces(c->spec) < 0)
		child_fail(c, MC_EXIT_FAILURE);
	if (child_setup(c) < 0) {
		mc_rootfs_undo();
		child_fail(c, MC_EXIT_FAILURE);
	}
	if (c->opts->oci_create)
		await_start(c);
	if (c->opts->init)
		run_init(c);
	exec_command(c);
}
