// SPDX-License-Identifier: MIT
/* OCI hooks: a program with the state on stdin, under a timeout. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "hooks.h"
#include "sys.h"
#include "util.h"

/* Without a pidfd (before Linux 5.3), how often to look for the exit. */
#define HOOK_TICK_MS 10
/* The last bytes of a hook's output, kept for the error message. */
#define HOOK_TAIL 200
/* After the exit: reads of what is left (a background child may go on). */
#define HOOK_DRAIN_READS 16

static const char *const kind_names[MC_HOOK_KINDS] = {
	[MC_HOOK_PRESTART] = "prestart",
	[MC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[MC_HOOK_CREATE_CONTAINER] = "createContainer",
	[MC_HOOK_START_CONTAINER] = "startContainer",
	[MC_HOOK_POSTSTART] = "poststart",
	[MC_HOOK_POSTSTOP] = "poststop",
};

const char *mc_hook_kind_name(enum mc_hook_kind kind)
{
	return (unsigned int)kind < MC_HOOK_KINDS ? kind_names[kind] : "unknown";
}

bool mc_hooks_fatal(enum mc_hook_kind kind)
{
	return kind != MC_HOOK_POSTSTART && kind != MC_HOOK_POSTSTOP;
}

struct hook_run {
	const char *kind, *path;
	pid_t pid;
	int in;			/* our end of its stdin; -1 once done */
	int out;		/* our end of its stdout and stderr; -1 at EOF */
	int pidfd;		/* -1: poll in ticks */
	const char *data;
	size_t len, off;
	char tail[HOOK_TAIL + 1];
	size_t tail_len;
	int wstatus;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The child: the pipes onto 0, 1 and 2, nothing else open, then exec. */
static _Noreturn void exec_hook(const struct mc_hook *hook, int in, int out,
				int err_fd)
{
	char *path_only[] = { hook->path, NULL };
	char *no_env[] = { NULL };
	sigset_t none;
	int err;

	/* Above 2 first, so that no dup2 below overwrites a pipe end. */
	in = fcntl(in, F_DUPFD_CLOEXEC, 3);
	out = fcntl(out, F_DUPFD_CLOEXEC, 3);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(out, 2) < 0 || sys_close_from(3, true) < 0)
		goto fail;
	/* An ignored or blocked signal would stay so across exec. */
	for (int sig = 1; sig < SIGRTMIN; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(hook->path, hook->args && hook->args[0] ? hook->args : path_only,
	       hook->env ? hook->env : no_env);
fail:
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

static int start_hook(const struct mc_hook *hook, struct hook_run *run)
{
	/* stdin read, write; output read, write; exec error read, write. */
	int fds[6] = { -1, -1, -1, -1, -1, -1 };
	int err = 0;
	ssize_t n;

	for (int i = 0; i < 6; i += 2) {
		if (pipe2(fds + i, O_CLOEXEC) < 0) {
			mc_error(errno, "%s hook %s: pipe", run->kind, run->path);
			goto fail;
		}
	}
	run->pid = fork();
	if (run->pid < 0) {
		mc_error(errno, "%s hook %s: fork", run->kind, run->path);
		goto fail;
	}
	if (run->pid == 0)
		exec_hook(hook, fds[0], fds[3], fds[5]);
	close_fd(&fds[0]);
	close_fd(&fds[3]);
	close_fd(&fds[5]);
	/* End-of-file: the exec closed it.  Otherwise the child's errno. */
	do
		n = read(fds[4], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR)
			;
		mc_error(err, "%s hook %s", run->kind, run->path);
		goto fail;
	}
	close_fd(&fds[4]);
	run->in = fds[1];
	run->out = fds[2];
	/* Ours only: the hook's ends stay blocking. */
	fcntl(run->in, F_SETFL, O_NONBLOCK);
	fcntl(run->out, F_SETFL, O_NONBLOCK);
	run->pidfd = sys_pidfd_open(run->pid);
	if (run->len == 0)
		close_fd(&run->in);
	return 0;
fail:
	for (int i = 0; i < 6; i++)
		close_fd(&fds[i]);
	return -1;
}

/* As much of the state as the pipe takes; a hook may never read it. */
static void feed(struct hook_run *run)
{
	ssize_t n = write(run->in, run->data + run->off, run->len - run->off);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		run->off += (size_t)n;
	/* Done, or EPIPE: the hook closed its stdin, which is its right. */
	if (n < 0 || run->off == run->len)
		close_fd(&run->in);
}

/* One read of output, its last bytes kept; the bytes read, 0 if none. */
static ssize_t collect(struct hook_run *run)
{
	char buf[4096];
	ssize_t n = read(run->out, buf, sizeof(buf));
	size_t keep;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close_fd(&run->out);
		return 0;
	}
	keep = (size_t)n < HOOK_TAIL ? (size_t)n : HOOK_TAIL;
	if (run->tail_len + keep > HOOK_TAIL) {
		size_t drop = run->tail_len + keep - HOOK_TAIL;

		memmove(run->tail, run->tail + drop, run->tail_len - drop);
		run->tail_len -= drop;
	}
	memcpy(run->tail + run->tail_len, buf + n - keep, keep);
	run->tail_len += keep;
	return n;
}

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	       (end->tv_nsec - now.tv_nsec + 999999) / 1000000;
}

/* Feed stdin, collect output, until the hook exits (0) or times out (1). */
static int wait_hook(struct hook_run *run, int timeout)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout;
	for (;;) {
		struct pollfd p[3];
		int np = 0, in = -1, out = -1;
		long ms = -1;
		pid_t pid = waitpid(run->pid, &run->wstatus, WNOHANG);

		if (pid == run->pid)
			return 0;
		if (pid < 0 && errno != EINTR)
			return mc_error(errno, "%s hook %s: wait", run->kind,
					run->path);
		if (timeout > 0 && (ms = ms_left(&end)) <= 0)
			return 1;
		if (run->pidfd < 0 && (ms < 0 || ms > HOOK_TICK_MS))
			ms = HOOK_TICK_MS;
		if (ms > INT_MAX)
			ms = INT_MAX;
		if (run->in >= 0)
			p[in = np++] = (struct pollfd){ run->in, POLLOUT, 0 };
		if (run->out >= 0)
			p[out = np++] = (struct pollfd){ run->out, POLLIN, 0 };
		if (run->pidfd >= 0)
			p[np++] = (struct pollfd){ run->pidfd, POLLIN, 0 };
		if (poll(p, (nfds_t)np, (int)ms) < 0 && errno != EINTR)
			return mc_error(errno, "%s hook %s: poll", run->kind,
					run->path);
		if (in >= 0 && p[in].revents)
			feed(run);
		if (out >= 0 && p[out].revents)
			collect(run);
	}
}

/* The output's last bytes on one line, for the error message. */
static const char *tail_text(struct hook_run *run)
{
	char *s = run->tail, *end = run->tail + run->tail_len;

	for (char *c = s; c < end; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = ' ';
	while (end > s && end[-1] == ' ')
		end--;
	*end = '\0';
	while (*s == ' ')
		s++;
	return s;
}

static int report(struct hook_run *run, bool timed_out, int timeout)
{
	const char *out = tail_text(run), *sep = *out ? ", output: " : "";
	int st = run->wstatus;

	if (timed_out)
		return mc_error(0, "%s hook %s: timed out after %d s%s%s",
				run->kind, run->path, timeout, sep, out);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		if (*out)
			mc_debug("[hook] %s %s: %s", run->kind, run->path, out);
		return 0;
	}
	if (WIFEXITED(st))
		return mc_error(0, "%s hook %s: exited with status %d%s%s",
				run->kind, run->path, WEXITSTATUS(st), sep, out);
	return mc_error(0, "%s hook %s: killed by signal %d%s%s", run->kind,
			run->path, WTERMSIG(st), sep, out);
}

static int run_hook(const struct mc_hook *hook, const char *kind,
		    const char *state_json)
{
	struct hook_run run = {
		.kind = kind,
		.path = hook->path,
		.in = -1, .out = -1, .pidfd = -1,
		.data = state_json ? state_json : "",
	};
	int rc;

	run.len = strlen(run.data);
	if (start_hook(hook, &run) < 0)
		return -1;
	rc = wait_hook(&run, hook->timeout);
	if (rc != 0) {
		/* Timed out, or cannot wait: either way it must not outlive us. */
		kill(run.pid, SIGKILL);
		while (waitpid(run.pid, &run.wstatus, 0) < 0 && errno == EINTR)
			;
	}
	/* What is there now; a background child may hold the pipe forever. */
	for (int i = 0; i < HOOK_DRAIN_READS && run.out >= 0; i++)
		if (collect(&run) <= 0)
			break;
	close_fd(&run.in);
	close_fd(&run.out);
	close_fd(&run.pidfd);
	return rc < 0 ? -1 : report(&run, rc == 1, hook->timeout);
}

int mc_hooks_run(const struct mc_hook *hooks, size_t n, const char *kind,
		 const char *state_json)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_action;
	sigset_t pipe_set, old_mask;
	int rc = 0;

	if (n == 0)
		return 0;
	/*
	 * A hook that does not read its stdin makes our write raise SIGPIPE.
	 * Ignored and unblocked (a blocked signal is queued even when
	 * ignored), it is discarded and the write says EPIPE.  mcstatic is
	 * single-threaded, so the process-wide change is safe; the hook
	 * gets the default back before exec.
	 */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigaction(SIGPIPE, &ignore, &old_action);
	sigprocmask(SIG_UNBLOCK, &pipe_set, &old_mask);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = run_hook(&hooks[i], kind, state_json);
	sigaction(SIGPIPE, &old_action, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return rc;
}
