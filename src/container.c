// SPDX-License-Identifier: MIT
/*
 * The create sequence, in one place: the parent's side.  Parent and child
 * (child.c) talk over a close-on-exec SOCK_SEQPACKET pair: the parent says
 * "go" once it has done its part (cgroup, id maps, hooks), and the child
 * either execs (the parent then reads end-of-file), reports READY (OCI
 * create: blocked on the exec fifo), or sends one report of what failed.
 *
 * create ── start (the fifo, oci-lifecycle.c) ── wait ── destroy; the seed
 * CLI's foreground run is create (no fifo) + wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups.h"
#include "child.h"
#include "container.h"
#include "error.h"
#include "hooks.h"
#include "json.h"
#include "namespaces.h"
#include "network.h"
#include "process.h"
#include "seccomp.h"
#include "state.h"
#include "supervise.h"
#include "sync.h"
#include "sys.h"
#include "tty.h"

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
static pid_t clone_child(int clone_flags, struct mc_cgroup *cg, bool *placed,
			 bool *late_cgroupns)
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
	/*
	 * A cgroup namespace is rooted where its maker is: made now, before
	 * the child joins its cgroup, its root would be ours.  The child makes
	 * it after "go" instead, in its cgroup (as runc).
	 */
	if (cg && (clone_flags & CLONE_NEWCGROUP)) {
		*late_cgroupns = true;
		clone_flags &= ~CLONE_NEWCGROUP;
	}
	return sys_clone(clone_flags);
}

/* A joined PID namespace is for our children: entered before clone. */
static int join_pid_namespace(const struct mc_spec *spec)
{
	int fd, ret = 0;

	if (!spec->ns_path[MC_NS_PID])
		return 0;
	fd = open(spec->ns_path[MC_NS_PID], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWPID) < 0)
		ret = mc_error(errno, "pid namespace %s", spec->ns_path[MC_NS_PID]);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The hooks that run in the runtime's namespaces once the child exists. */
static int create_hooks(const struct mc_spec *spec, struct mc_state *st,
			pid_t pid)
{
	if (!st)
		return 0;
	st->pid = pid;
	if (mc_proc_start_time(pid, &st->start_time) < 0)
		return -1;
	st->ns_flags = (unsigned long)spec->namespaces;
	/* Saved before "go": a create killed from here on leaves a state
	 * that names the pid and the cgroup, for delete --force. */
	st->status = MC_STATUS_CREATING;
	if (mc_state_save(st) < 0)
		return -1;
	if (mc_container_hooks(spec, MC_HOOK_PRESTART, st, MC_STATUS_CREATING) < 0 ||
	    mc_container_hooks(spec, MC_HOOK_CREATE_RUNTIME, st,
			       MC_STATUS_CREATING) < 0)
		return -1;
	return 0;
}

/* Our part between clone and "go": cgroup, id maps, hooks. */
static int parent_setup(const struct mc_spec *spec, struct mc_container *c,
			struct mc_state *st, bool placed)
{
	if (st && c->cg) {
		snprintf(st->cgroup, sizeof(st->cgroup), "%s",
			 mc_cgroup_path_of(c->cg));
		st->cgroup_made = true;
	}
	if (!placed && mc_cgroup_enter(c->cg, c->pid) < 0)
		return -1;
	if (mc_namespaces_write_maps(spec, c->pid) < 0 ||
	    mc_net_attach(c->net, c->pid) < 0)
		return -1;
	return create_hooks(spec, st, c->pid);
}

/* The terminal's master: to the console socket, or kept for the relay. */
static int take_terminal(struct mc_container *c, const struct mc_run_opts *opts,
			 int fd)
{
	if (opts->console_socket) {
		int ret = mc_tty_send_fd(opts->console_socket, fd);

		close(fd);
		return ret;
	}
	c->master = fd;
	return 0;
}

static int go_state(const struct mc_state *st, struct mc_sync_msg *m)
{
	struct mc_buf b = { 0 };
	int ret = mc_state_json(st, MC_STATUS_CREATING, &b);

	if (ret == 0 && b.len >= sizeof(m->text))
		ret = mc_error(E2BIG, "container '%s': state for the hooks", st->id);
	if (ret == 0)
		memcpy(m->text, b.data, b.len + 1);
	mc_buf_free(&b);
	return ret;
}

/*
 * Say "go" and read until the child has exec'd (end-of-file), is READY on
 * its exec fifo, or failed.  Once released, our /proc/PID/{root,cwd,fd,exe,
 * mem,environ} would lead to the host's files and to this binary
 * (CVE-2019-5736): closed to anything without CAP_SYS_PTRACE.  Not before:
 * newuidmap checks that /proc/CHILD belongs to the caller.
 */
static int release_child(struct mc_container *c, const struct mc_run_opts *opts,
			 const struct mc_state *st)
{
	struct mc_sync_msg m = { .type = MC_SYNC_GO };
	int fd, n;

	/* The container's own hooks (createContainer, startContainer) get the
	 * state along with "go". */
	if (st && go_state(st, &m) < 0)
		return -1;
	prctl(PR_SET_DUMPABLE, 0);
	if (mc_sync_send(c->sock, &m, -1) < 0)
		return 0; /* it died already; its status tells why */
	while ((n = mc_sync_recv(c->sock, &m, &fd)) > 0) {
		if (m.type == MC_SYNC_TTY && fd >= 0) {
			if (take_terminal(c, opts, fd) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if (m.type == MC_SYNC_READY)
			return 0;
		if (m.type == MC_SYNC_ERROR) {
			mc_error_set(m.err, m.text);
			c->exit_code = m.exit_code;
			return -1;
		}
	}
	return n < 0 ? -1 : 0;
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int refuse_tty(const struct mc_spec *spec, const struct mc_run_opts *opts)
{
	if (spec->terminal && opts->detach && !opts->console_socket)
		return mc_error(0, "cannot allocate tty if mcstatic will detach "
				   "without setting console socket");
	return 0;
}

/* The exec fifo, opened O_PATH before the child leaves the host's tree. */
static int open_fifo(const struct mc_run_opts *opts)
{
	int fd;

	if (!opts->oci_create)
		return -1;
	fd = open(opts->exec_fifo, O_PATH | O_CLOEXEC);
	if (fd < 0)
		mc_error(errno, "exec fifo %s", opts->exec_fifo);
	return fd;
}

static void undo_create(struct mc_container *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		reap(c->pid);
	}
	mc_net_detach(c->net);
	mc_cgroup_destroy(c->cg);
	c->cg = NULL;
	if (c->sock >= 0)
		close(c->sock);
	if (c->master >= 0)
		close(c->master);
	sigprocmask(SIG_SETMASK, &c->old, NULL);
}

int mc_container_create(struct mc_spec *spec, const struct mc_run_opts *opts,
			struct mc_state *st, struct mc_container *c)
{
	struct mc_child child = { .spec = spec, .opts = opts, .fifo = -1 };
	int clone_flags, sv[2];
	bool placed;

	*c = (struct mc_container){ .sock = -1, .master = -1, .net = opts->net };
	if (mc_spec_validate(spec) < 0 || refuse_tty(spec, opts) < 0 ||
	    mc_namespaces_prepare(spec) < 0 || mc_seccomp_prepare(spec) < 0)
		return -1;
	clone_flags = mc_namespaces_clone_flags(spec);
	mc_supervise_sigset(&c->set);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mc_error(errno, "socketpair");
	announce(spec, clone_flags);
	/* Blocked before clone, so no signal for the child is lost. */
	sigprocmask(SIG_BLOCK, &c->set, &c->old);
	c->sock = sv[0];
	/* Limits are in force before the command's first instruction. */
	if ((mc_cgroup_wanted(spec, opts->stats) &&
	     mc_cgroup_create(spec, opts->stats, &c->cg) < 0) ||
	    join_pid_namespace(spec) < 0 ||
	    (opts->oci_create && (child.fifo = open_fifo(opts)) < 0)) {
		close(sv[1]);
		undo_create(c);
		return -1;
	}
	/* Orphans of the command come to us, to be killed when it ends. */
	if (!opts->oci_create)
		mc_supervise_become_reaper();
	child.terminal = opts->init_group && mc_terminal_is_foreground();
	c->terminal = child.terminal;
	c->pid = clone_child(clone_flags, c->cg, &placed, &child.late_cgroupns);
	if (c->pid == 0) {
		close(sv[0]);
		child.sock = sv[1];
		child.set = &c->set;
		child.mask = &c->old;
		mc_child_main(&child);
	}
	/* No directory fd of the host stays open where /proc shows it. */
	mc_cgroup_clone_done(c->cg);
	close(sv[1]);
	if (child.fifo >= 0)
		close(child.fifo);
	if (c->pid < 0) {
		clone_error(errno, clone_flags);
		undo_create(c);
		return -1;
	}
	mc_debug("[parent] Child PID: %d", c->pid);
	if (parent_setup(spec, c, st, placed) < 0 ||
	    release_child(c, opts, st) < 0) {
		undo_create(c);
		return -1;
	}
	close(c->sock);
	c->sock = -1;
	return 0;
}

void mc_container_release(struct mc_container *c)
{
	mc_cgroup_close(c->cg);
	c->cg = NULL;
	if (c->master >= 0)
		close(c->master);
	c->master = -1;
	sigprocmask(SIG_SETMASK, &c->old, NULL);
}

void mc_container_kill(struct mc_container *c)
{
	undo_create(c);
	c->pid = 0;
}

/*
 * The command has ended: the terminal back to our group, the cgroup's
 * leftovers killed and it removed, then whatever else of the tree is left
 * (orphans come to us, a subreaper).  Returns mcstatic's exit status.
 */
static int finish(struct mc_container *c, int status, bool keep_cgroup)
{
	if (c->terminal)
		mc_terminal_foreground();
	if (keep_cgroup)
		mc_cgroup_close(c->cg);
	else
		status = mc_cgroup_finish(c->cg, status, &c->oom_killed);
	c->cg = NULL;
	if (mc_supervise_kill_leftovers())
		mc_debug("[parent] Killed what the command left behind");
	return status;
}

int mc_container_end(struct mc_container *c, int wstatus, bool keep_cgroup)
{
	announce_exit(wstatus);
	/* Before the leftovers are killed: the helpers are ours to end. */
	mc_net_detach(c->net);
	wstatus = finish(c, mc_exit_status(wstatus), keep_cgroup);
	if (c->master >= 0)
		close(c->master);
	c->master = -1;
	sigprocmask(SIG_SETMASK, &c->old, NULL);
	return wstatus;
}

static void net_service(void *data)
{
	mc_net_service(data);
}

int mc_container_wait(struct mc_container *c, bool keep_cgroup)
{
	int wstatus;

	if (c->master >= 0)
		wstatus = mc_container_relay(c->master, c->pid, &c->set);
	else if (mc_net_poll_fd(c->net) >= 0)
		wstatus = mc_supervise_fd(c->pid, &c->set, mc_net_poll_fd(c->net),
					  net_service, c->net);
	else
		wstatus = mc_supervise(c->pid, &c->set, false);
	return mc_container_end(c, wstatus, keep_cgroup);
}

int mc_container_run(struct mc_spec *spec, const struct mc_run_opts *opts)
{
	struct mc_run_opts o = *opts;
	struct mc_netrun net;
	struct mc_container c;
	int status;

	if (mc_net_prepare(spec, opts->state_root, NULL, &net) < 0)
		return -1;
	o.net = &net;
	if (mc_container_create(spec, &o, NULL, &c) < 0) {
		/* The child's own failure (127 for a missing command...). */
		status = -1;
		if (c.exit_code) {
			mc_error_print();
			status = finish(&c, c.exit_code, false);
		}
	} else {
		status = mc_container_wait(&c, false);
	}
	mc_net_release(&net);
	return status;
}

int mc_container_hooks(const struct mc_spec *spec, enum mc_hook_kind kind,
		       const struct mc_state *st, enum mc_status status)
{
	struct mc_buf b = { 0 };
	int ret;

	if (!spec->n_hooks[kind])
		return 0;
	if (mc_state_json(st, status, &b) < 0)
		return -1;
	ret = mc_hooks_run(spec->hooks[kind], spec->n_hooks[kind],
			   mc_hook_kind_name(kind), b.data);
	mc_buf_free(&b);
	if (ret < 0 && !mc_hooks_fatal(kind)) {
		/* poststart and poststop only warn, as the spec says. */
		mc_warn("%s", mc_error_text());
		return 0;
	}
	return ret;
}

struct relay_wait {
	pid_t pid;
	int wstatus;
	bool done;
};

/* Signals while relaying: the child's exit ends it, others are forwarded. */
static int relay_signal(const struct signalfd_siginfo *si, void *data)
{
	struct relay_wait *w = data;
	int status;
	pid_t pid;

	if (si->ssi_signo != SIGCHLD) {
		kill(w->pid, (int)si->ssi_signo);
		return 0;
	}
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != w->pid)
			continue;
		w->wstatus = status;
		w->done = true;
	}
	return w->done ? 1 : 0;
}

int mc_container_relay(int master, pid_t pid, const sigset_t *set)
{
	struct relay_wait w = { .pid = pid };
	struct mc_tty_relay r = {
		.master = master, .in_fd = STDIN_FILENO, .out_fd = STDOUT_FILENO,
		.on_signal = relay_signal, .data = &w,
	};
	sigset_t with_winch = *set;

	sigaddset(&with_winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &with_winch, NULL);
	r.signal_fd = signalfd(-1, &with_winch, SFD_CLOEXEC);
	if (r.signal_fd < 0 || mc_tty_relay(&r) < 0)
		mc_debug("[parent] terminal relay: %s", mc_error_text());
	if (r.signal_fd >= 0)
		close(r.signal_fd);
	if (!w.done)
		w.wstatus = mc_supervise(pid, set, false);
	return w.wstatus;
}
