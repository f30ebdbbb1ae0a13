// SPDX-License-Identifier: MIT
/*
 * exec: a new process inside a running container.  We join its namespaces
 * (the user namespace first), its cgroup and its root, and run the process.
 *
 *   mcstatic ── fork ── joiner: cgroup, setns ×N ── fork ── process: root,
 *      │                  │ sends the process's pid, exits     cwd, identity,
 *      │                  ▼                                    terminal, execve
 *      └── subreaper: the process is re-parented to us (and, once we exit,
 *          to whoever is our subreaper: conmon, containerd's shim).
 *
 * A joined PID namespace takes effect for children only, hence the joiner.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroups.h"
#include "child.h"
#include "container.h"
#include "error.h"
#include "namespaces.h"
#include "oci-verbs.h"
#include "process.h"
#include "seccomp.h"
#include "state.h"
#include "supervise.h"
#include "sync.h"
#include "sys.h"
#include "tty.h"
#include "util.h"

/* The user namespace first: it gives the rights to join the others. */
static const struct {
	const char *name;
	int flag;
} ns_order[] = {
	{ "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },
	{ "pid", CLONE_NEWPID },   { "cgroup", CLONE_NEWCGROUP },
	{ "mnt", CLONE_NEWNS },
};

#define N_NS (sizeof(ns_order) / sizeof(ns_order[0]))

struct joiner {
	const struct mc_spec *spec;
	const struct mc_run_opts *opts;
	const struct mc_state *st;
	int ns_fd[N_NS];	/* -1: the same as ours, nothing to join */
	int root_fd;		/* the container process's root */
	int sock;		/* our end towards the children */
};

static bool same_ns(const char *name, pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	if (stat(path, &a) < 0)
		return true;	/* a kernel without it */
	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/*
 * Descriptors of everything we join, opened while the pid is proven to be
 * the container's (its start time matches), so a recycled pid cannot send
 * us into somebody else's namespaces.
 */
static int open_namespaces(struct joiner *j)
{
	pid_t pid = j->st->pid;
	char path[64];

	for (size_t i = 0; i < N_NS; i++) {
		j->ns_fd[i] = -1;
		if (same_ns(ns_order[i].name, pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid,
			 ns_order[i].name);
		j->ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (j->ns_fd[i] < 0)
			return mc_error(errno, "%s", path);
	}
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	j->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->root_fd < 0)
		return mc_error(errno, "%s", path);
	if (mc_state_status(j->st) != MC_STATUS_RUNNING &&
	    mc_state_status(j->st) != MC_STATUS_CREATED)
		return mc_error(0, "cannot exec in a stopped container");
	return 0;
}

static void close_namespaces(struct joiner *j)
{
	for (size_t i = 0; i < N_NS; i++)
		if (j->ns_fd[i] >= 0)
			close(j->ns_fd[i]);
	if (j->root_fd >= 0)
		close(j->root_fd);
}

static int join_namespaces(const struct joiner *j)
{
	for (size_t i = 0; i < N_NS; i++)
		if (j->ns_fd[i] >= 0 && setns(j->ns_fd[i], ns_order[i].flag) < 0)
			return mc_error(errno, "join the container's %s namespace",
					ns_order[i].name);
	return 0;
}

static int enter_cgroup(const struct mc_state *st)
{
	struct mc_cgroup *cg;
	int ret;

	if (!st->cgroup[0])
		return 0;
	if (mc_cgroup_open(st->cgroup, false, &cg) < 0)
		return -1;
	ret = mc_cgroup_enter(cg, getpid());
	mc_cgroup_close(cg);
	return ret;
}

/*
 * Only stdio, the preserved fds and the sync socket (moved above them) stay,
 * before the working directory is entered (CVE-2024-21626).
 */
static int keep_fds(struct joiner *j)
{
	int base = 3 + (int)j->opts->preserve_fds;
	int s = fcntl(j->sock, F_DUPFD_CLOEXEC, base + 1);

	if (s < 0 || dup3(s, base, O_CLOEXEC) < 0)
		return mc_error(errno, "sync socket");
	j->sock = base;
	return sys_close_from(base + 1, false) < 0
		       ? mc_error(errno, "close inherited fds") : 0;
}

static _Noreturn void run_process(struct joiner *j)
{
	const struct mc_spec *spec = j->spec;
	int err;

	if (fchdir(j->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		mc_error(errno, "enter the container's root");
		mc_sync_fail(j->sock, MC_EXIT_FAILURE);
	}
	close(j->root_fd);
	if (keep_fds(j) < 0)
		mc_sync_fail(j->sock, MC_EXIT_FAILURE);
	if (mc_child_enter_workdir(spec->cwd ? spec->cwd : "/") < 0 ||
	    mc_process_default_home((struct mc_spec *)spec) < 0 ||
	    (spec->terminal && mc_child_open_terminal(j->sock, spec) < 0) ||
	    mc_process_set_limits(spec) < 0 ||
	    mc_seccomp_install_early(spec) < 0 || mc_caps_prepare(spec) < 0 ||
	    mc_namespaces_set_identity(spec) < 0 || mc_caps_apply(spec) < 0 ||
	    mc_process_set_no_new_privs(spec) < 0)
		mc_sync_fail(j->sock, MC_EXIT_FAILURE);
	mc_supervise_reset_signals();
	for (unsigned int fd = 3; fd < 3 + j->opts->preserve_fds; fd++)
		fcntl((int)fd, F_SETFD, 0);
	if (mc_seccomp_install_late(spec) < 0)
		mc_sync_fail(j->sock, MC_EXIT_FAILURE);
	err = mc_exec_search(spec->argv[0], spec->argv, spec->env,
			     mc_spec_getenv(spec, "PATH"), execve);
	mc_sync_fail(j->sock, mc_exit_for_exec_errno(err));
}

/* The joiner: cgroup and namespaces, then the process, whose pid it sends. */
static _Noreturn void joiner_main(struct joiner *j)
{
	pid_t pid;

	if (enter_cgroup(j->st) < 0 || join_namespaces(j) < 0)
		mc_sync_fail(j->sock, MC_EXIT_FAILURE);
	for (size_t i = 0; i < N_NS; i++)
		if (j->ns_fd[i] >= 0)
			close(j->ns_fd[i]);
	pid = fork();
	if (pid < 0) {
		mc_error(errno, "fork");
		mc_sync_fail(j->sock, MC_EXIT_FAILURE);
	}
	if (pid == 0)
		run_process(j);
	if (mc_sync_send_type(j->sock, MC_SYNC_PID, pid) < 0)
		kill(pid, SIGKILL);
	_exit(0);
}

/* After the joiner's pid message: the terminal (maybe), then EOF or a failure. */
static int await_process(struct joiner *j, int sock, pid_t *pid, int *master)
{
	struct mc_sync_msg m;
	int fd, n;

	*pid = 0;
	*master = -1;
	while ((n = mc_sync_recv(sock, &m, &fd)) > 0) {
		switch (m.type) {
		case MC_SYNC_PID:
			*pid = m.value;
			break;
		case MC_SYNC_TTY:
			if (fd >= 0) {
				*master = fd;
				fd = -1;
			}
			break;
		case MC_SYNC_ERROR:
			mc_sync_take_error(&m);
			return -1;
		}
		if (fd >= 0)
			close(fd);
	}
	(void)j;
	if (n < 0)
		return -1;
	if (!*pid)
		return mc_error(0, "exec: the process did not start");
	return 0;
}

static int hand_over_terminal(const struct mc_run_opts *opts, int master)
{
	if (master < 0 || !opts->console_socket)
		return 0;
	return mc_tty_send_fd(opts->console_socket, master);
}

int mc_container_exec(const struct mc_spec *spec, const struct mc_run_opts *opts,
		      const struct mc_state *st)
{
	struct joiner j = { .spec = spec, .opts = opts, .st = st, .root_fd = -1 };
	int sv[2], master = -1, status, ret = -1;
	pid_t joiner, pid = 0;
	sigset_t set, old;

	if (spec->terminal && opts->detach && !opts->console_socket)
		return mc_error(0, "cannot allocate tty if mcstatic will detach "
				   "without setting console socket");
	if (open_namespaces(&j) < 0 || mc_seccomp_prepare(spec) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		mc_error(errno, "socketpair");
		goto out;
	}
	/* The container must never see a dumpable mcstatic (CVE-2016-9962). */
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	mc_supervise_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	joiner = fork();
	if (joiner == 0) {
		close(sv[0]);
		j.sock = sv[1];
		sigprocmask(SIG_SETMASK, &old, NULL);
		joiner_main(&j);
	}
	close(sv[1]);
	if (joiner < 0) {
		mc_error(errno, "fork");
		close(sv[0]);
		goto unmask;
	}
	ret = await_process(&j, sv[0], &pid, &master);
	while (waitpid(joiner, &status, 0) < 0 && errno == EINTR)
		;
	close(sv[0]);
	if (ret == 0)
		ret = hand_over_terminal(opts, master);
	if (ret == 0)
		ret = mc_write_pid_file(opts->pid_file, pid);
	if (ret < 0) {
		if (pid > 0)
			kill(pid, SIGKILL);
		goto unmask;
	}
	if (opts->detach) {
		ret = 0;
		goto unmask;
	}
	if (master >= 0 && !opts->console_socket)
		ret = mc_exit_status(mc_container_relay(master, pid, &set));
	else
		ret = mc_exit_status(mc_supervise(pid, &set, false));
unmask:
	if (master >= 0)
		close(master);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	close_namespaces(&j);
	return ret;
}
