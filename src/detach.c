// SPDX-License-Identifier: MIT
/*
 * Detached containers (the seed CLI's -d).  The launcher makes the state
 * dir, saves the invocation and forks the supervisor; the supervisor (own
 * session, stdio on /dev/null, every other fd closed) runs the container,
 * writes its stdout and stderr to the log, records each exit and restarts
 * it as the policy says.  The launcher returns once the supervisor says the
 * container runs, or why it does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "container.h"
#include "detach.h"
#include "error.h"
#include "life.h"
#include "logfile.h"
#include "network.h"
#include "proc.h"
#include "supervise.h"
#include "sys.h"
#include "util.h"

/* docker's back-off: doubling from 100 ms, at most a minute, reset after
 * a run of 10 s. */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 60000
#define GOOD_RUN_MS 10000

/* What the supervisor tells the launcher once: 0, or why not. */
struct ready_msg {
	int status;		/* 0: running; else the status to exit with */
	int err;
	char text[1024];
};

struct supervisor {
	struct mc_spec *spec;
	struct mc_run_opts *opts;
	struct mc_state st;	/* locked while written */
	const char *root;
	bool fresh;		/* a new container: a failed start removes it */
	enum mc_restart policy;
	unsigned int max_restarts;
	struct mc_log log;
	int stdio[3];		/* the container's: /dev/null, the pipes' write ends */
	int out, err;		/* the pipes' read ends */
	int ready;		/* to the launcher until the first run, or -1 */
	int sfd;		/* signalfd of the supervised signals */
	sigset_t set;
	bool stop;		/* asked to stop: no restart */
	bool running;
	unsigned int delay_ms;
	struct timespec run_start;
	struct mc_container c;
	struct mc_netrun net;	/* its network: for the supervisor's lifetime */
};

int mc_detach_path(const struct mc_state *st, const char *name, char *buf,
		   size_t size)
{
	int n = snprintf(buf, size, "%s/%s", st->dir, name);

	if (n < 0 || (size_t)n >= size)
		return mc_error(ENAMETOOLONG, "%s/%s", st->dir, name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The supervisor                                                      */
/* ------------------------------------------------------------------ */

/*
 * Between runs the supervised signals are not blocked (the container's
 * process must not inherit them blocked): one that comes then is kept here
 * and handled once the next run has started, or by the back-off.
 */
static volatile sig_atomic_t gap_signal[NSIG];

static void on_gap_signal(int sig)
{
	gap_signal[sig] = 1;
}

static void install_handlers(const sigset_t *set)
{
	struct sigaction sa = { .sa_handler = on_gap_signal };

	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGCHLD && sigismember(set, sig) == 1)
			sigaction(sig, &sa, NULL);
	/* The terminal that started us is not ours to hang up with. */
	signal(SIGHUP, SIG_IGN);
}

static void report_ready(struct supervisor *s, int status)
{
	struct ready_msg m = { .status = status };

	if (s->ready < 0)
		return;
	if (status) {
		m.err = mc_error_errno();
		snprintf(m.text, sizeof(m.text), "%s", mc_error_text());
	}
	/* The launcher's stderr goes before it hears from us: whoever reads
	 * its output waits for every writer to close it. */
	if (s->stdio[0] >= 0)
		dup2(s->stdio[0], STDERR_FILENO);
	else
		close(STDERR_FILENO);
	if (write(s->ready, &m, sizeof(m)) < 0)
		mc_debug("[supervisor] launcher gone: %s", strerror(errno));
	close(s->ready);
	s->ready = -1;
}

static int lock_state(struct supervisor *s)
{
	char id[sizeof(s->st.id)];

	if (s->st.lock_fd >= 0)
		return 0;
	snprintf(id, sizeof(id), "%s", s->st.id);
	mc_state_free(&s->st);
	return mc_state_load(s->root, id, &s->st, true);
}

static void save_unlock(struct supervisor *s)
{
	if (mc_state_save(&s->st) < 0)
		mc_debug("[supervisor] %s", mc_error_text());
	mc_state_unlock(&s->st);
}

static void now_rfc3339(char *buf, size_t size)
{
	if (mc_time_rfc3339(buf, size, true) < 0)
		buf[0] = '\0';
}

/* The end of supervising: no supervisor any more, --rm's removal. */
static _Noreturn void finish(struct supervisor *s)
{
	if (lock_state(s) == 0) {
		s->st.life.supervisor = 0;
		s->st.life.supervisor_start = 0;
		s->st.status = MC_STATUS_STOPPED;
		if (s->opts->auto_remove)
			mc_state_remove(&s->st);
		else
			mc_state_save(&s->st);
		mc_state_unlock(&s->st);
	}
	mc_log_close(&s->log);
	mc_net_release(&s->net);
	_exit(0);
}

/* A run could not start: say why (to the launcher, or in the state). */
static _Noreturn void give_up(struct supervisor *s)
{
	int status = s->c.exit_code ? s->c.exit_code : MC_EXIT_FAILURE;

	if (s->ready >= 0 && s->fresh) {
		/* Nothing was made: the name is free again. */
		if (lock_state(s) == 0)
			mc_state_remove(&s->st);
		mc_net_release(&s->net);
		report_ready(s, status);
		_exit(0);
	}
	if (lock_state(s) == 0) {
		snprintf(s->st.life.error, sizeof(s->st.life.error), "%s",
			 mc_error_text());
		s->st.life.exited = true;
		s->st.life.exit_code = status;
		now_rfc3339(s->st.life.finished, sizeof(s->st.life.finished));
		s->st.status = MC_STATUS_STOPPED;
		mc_state_save(&s->st);
	}
	report_ready(s, status);
	finish(s);
}

static void forward(struct supervisor *s, int sig)
{
	if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
		s->stop = true;
	if (s->running && sig != SIGHUP)
		kill(s->c.pid, sig);
}

static void forward_gap_signals(struct supervisor *s)
{
	for (int sig = 1; sig < NSIG; sig++) {
		if (!gap_signal[sig])
			continue;
		gap_signal[sig] = 0;
		forward(s, sig);
	}
}

static int start_run(struct supervisor *s)
{
	struct mc_life *life = &s->st.life;

	if (lock_state(s) < 0)
		return -1;
	now_rfc3339(life->started, sizeof(life->started));
	if (mc_container_create(s->spec, s->opts, &s->st, &s->c) < 0)
		return -1;
	s->running = true;
	clock_gettime(CLOCK_MONOTONIC, &s->run_start);
	life->supervisor = getpid();
	mc_proc_start_time(life->supervisor, &life->supervisor_start);
	life->error[0] = '\0';
	mc_net_describe(&s->net, life->bridge, sizeof(life->bridge),
			life->address, sizeof(life->address));
	s->st.status = MC_STATUS_RUNNING;
	save_unlock(s);
	return 0;
}

static void copy_output(struct supervisor *s, int fd, const char *stream)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		mc_log_write(&s->log, stream, buf, (size_t)n);
}

/* Every child that has exited; the container's wait status once it has. */
static bool reap(struct supervisor *s, int *wstatus)
{
	bool done = false;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (!s->running || pid != s->c.pid)
			continue;
		*wstatus = status;
		done = true;
	}
	return done;
}

static void read_signals(struct supervisor *s, int *wstatus, bool *done)
{
	struct signalfd_siginfo si;

	while (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			*done = reap(s, wstatus) || *done;
		else
			forward(s, (int)si.ssi_signo);
	}
}

/* Log the output and forward signals until the container's process ends. */
static int watch_run(struct supervisor *s)
{
	struct pollfd p[4] = {
		{ .fd = s->sfd, .events = POLLIN },
		{ .fd = s->out, .events = POLLIN },
		{ .fd = s->err, .events = POLLIN },
		{ .fd = mc_net_poll_fd(&s->net), .events = POLLIN },
	};
	bool done = false;
	int wstatus = 0;

	/* Blocked since before clone: an early end is a pending SIGCHLD. */
	forward_gap_signals(s);
	while (!done) {
		if (poll(p, 4, -1) < 0)
			continue;
		if (p[3].revents)
			mc_net_service(&s->net);
		if (p[1].revents)
			copy_output(s, s->out, "stdout");
		if (p[2].revents)
			copy_output(s, s->err, "stderr");
		if (p[0].revents)
			read_signals(s, &wstatus, &done);
	}
	/* What it wrote last (its leftovers are killed by the end). */
	return wstatus;
}

static bool wants_restart(const struct supervisor *s, int status)
{
	switch (s->policy) {
	case MC_RESTART_ON_FAILURE:
		return status != 0 && (!s->max_restarts ||
				       s->st.life.restart_count < s->max_restarts);
	case MC_RESTART_ALWAYS:
	case MC_RESTART_UNLESS_STOPPED:
		return true;
	default:
		return false;
	}
}

/* Record how the run ended; true when the policy restarts it. */
static bool record_exit(struct supervisor *s, int status)
{
	struct mc_life *life;
	bool again;

	s->running = false;
	if (lock_state(s) < 0)
		_exit(0);	/* removed under us: nothing to record */
	life = &s->st.life;
	life->exited = true;
	life->exit_code = status;
	life->oom_killed = s->c.oom_killed;
	now_rfc3339(life->finished, sizeof(life->finished));
	s->st.status = MC_STATUS_STOPPED;
	again = !s->stop && wants_restart(s, status);
	if (again)
		life->restart_count++;
	save_unlock(s);
	return again;
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Wait before the next run; false when asked to stop meanwhile. */
static bool back_off(struct supervisor *s)
{
	struct pollfd p = { .fd = s->sfd, .events = POLLIN };
	struct timespec start;
	long left;
	int unused;
	bool done;

	if (ms_since(&s->run_start) >= GOOD_RUN_MS || !s->delay_ms)
		s->delay_ms = BACKOFF_FIRST_MS;
	else if (s->delay_ms < BACKOFF_MAX_MS)
		s->delay_ms = s->delay_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							      : s->delay_ms * 2;
	mc_debug("[supervisor] restart in %u ms", s->delay_ms);
	sigprocmask(SIG_BLOCK, &s->set, NULL);
	forward_gap_signals(s);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!s->stop && (left = s->delay_ms - ms_since(&start)) > 0)
		if (poll(&p, 1, (int)left) > 0)
			read_signals(s, &unused, &done);
	sigprocmask(SIG_UNBLOCK, &s->set, NULL);
	return !s->stop;
}

/* Our own fds: all but the ready pipe and the state lock are closed. */
static int setup_fds(struct supervisor *s)
{
	/* Out of the way first: either may sit where the other goes. */
	int ready = fcntl(s->ready, F_DUPFD_CLOEXEC, 10);
	int lock = fcntl(s->st.lock_fd, F_DUPFD_CLOEXEC, 10);
	char path[PATH_MAX];
	int pipes[2][2];

	if (ready < 0 || lock < 0 || dup3(ready, 3, O_CLOEXEC) < 0 ||
	    dup3(lock, 4, O_CLOEXEC) < 0)
		return mc_error(errno, "supervisor fds");
	s->ready = 3;
	s->st.lock_fd = 4;
	if (sys_close_from(5, false) < 0)
		return mc_error(errno, "close inherited fds");
	s->stdio[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (s->stdio[0] < 0)
		return mc_error(errno, "/dev/null");
	dup2(s->stdio[0], STDIN_FILENO);
	dup2(s->stdio[0], STDOUT_FILENO);
	if (pipe2(pipes[0], O_CLOEXEC) < 0 || pipe2(pipes[1], O_CLOEXEC) < 0)
		return mc_error(errno, "log pipes");
	s->out = pipes[0][0];
	s->err = pipes[1][0];
	s->stdio[1] = pipes[0][1];
	s->stdio[2] = pipes[1][1];
	fcntl(s->out, F_SETFL, O_NONBLOCK);
	fcntl(s->err, F_SETFL, O_NONBLOCK);
	s->opts->stdio = s->stdio;
	if (mc_detach_path(&s->st, MC_LOG_FILE, path, sizeof(path)) < 0)
		return -1;
	return mc_log_open(&s->log, path, s->opts->log_max_size
					  ? s->opts->log_max_size
					  : MC_LOG_MAX_DEFAULT);
}

static int setup(struct supervisor *s)
{
	const char *restart = s->opts->restart ? s->opts->restart : "no";

	if (setsid() < 0)
		return mc_error(errno, "setsid");
	if (mc_restart_parse(restart, &s->policy, &s->max_restarts) < 0 ||
	    setup_fds(s) < 0)
		return -1;
	mc_supervise_sigset(&s->set);
	install_handlers(&s->set);
	s->sfd = signalfd(-1, &s->set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sfd < 0)
		return mc_error(errno, "signalfd");
	/* Ours, not the launcher's: the lease names the supervisor. */
	if (mc_net_prepare(s->spec, s->root, s->st.id, &s->net) < 0)
		return -1;
	s->opts->net = &s->net;
	return 0;
}

/* One run: start it, log it until it ends, then its last output. */
static int run_once(struct supervisor *s)
{
	int status;

	if (start_run(s) < 0)
		give_up(s);
	report_ready(s, 0);
	status = mc_container_end(&s->c, watch_run(s), false);
	copy_output(s, s->out, "stdout");
	copy_output(s, s->err, "stderr");
	return status;
}

static _Noreturn void supervise(struct supervisor *s)
{
	if (setup(s) < 0)
		give_up(s);
	while (record_exit(s, run_once(s)) && back_off(s))
		;
	finish(s);
}

/* ------------------------------------------------------------------ */
/* The launcher                                                        */
/* ------------------------------------------------------------------ */

/* What the supervisor said: 0, -1 (recorded), or a status (printed). */
static int read_ready(int fd, const char *id)
{
	struct ready_msg m;
	ssize_t n;

	while ((n = read(fd, &m, sizeof(m))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(m))
		return mc_error(0, "container '%s': its supervisor ended before "
				   "the container started", id);
	if (m.status == 0)
		return 0;
	m.text[sizeof(m.text) - 1] = '\0';
	mc_error_set(m.err, m.text);
	if (m.status == MC_EXIT_FAILURE)
		return -1;
	mc_error_print();
	return m.status;
}

static int spawn(struct mc_spec *spec, struct mc_run_opts *opts,
		 struct mc_state *st, const char *root, bool fresh)
{
	struct supervisor s = {
		.spec = spec, .opts = opts, .root = root, .fresh = fresh,
		.sfd = -1, .out = -1, .err = -1, .stdio = { -1, -1, -1 },
		.net = { .maker_sock = -1, .helper_exit = -1 },
	};
	int ready[2], ret;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return mc_error(errno, "pipe");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return mc_error(errno, "fork the supervisor");
	}
	if (pid == 0) {
		close(ready[0]);
		s.st = *st;
		s.ready = ready[1];
		supervise(&s);
	}
	close(ready[1]);
	/* The supervisor holds the lock now (the same open file). */
	mc_state_unlock(st);
	ret = read_ready(ready[0], st->id);
	close(ready[0]);
	if (ret != 0)
		waitpid(pid, NULL, 0);
	return ret;
}

/* The command line, for ps: the words joined by spaces, cut to fit. */
static void command_line(char *buf, size_t size, char *const *argv)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; *argv && len + 1 < size; argv++)
		len += snprintf(buf + len, size - len, "%s%s", len ? " " : "",
				*argv);
}

/* The state dir with the invocation saved in it, still locked. */
static int reserve(const char *root, const char *id, struct mc_run_opts *opts,
		   const struct mc_spec *spec, int argc, char **argv,
		   char **envp, struct mc_state *st)
{
	char path[PATH_MAX];

	if (mc_state_create(root, id, st) < 0)
		return -1;
	st->life.detached = true;
	snprintf(st->life.restart, sizeof(st->life.restart), "%s",
		 opts->restart ? opts->restart : "no");
	command_line(st->life.command, sizeof(st->life.command), spec->argv);
	if (spec->rootfs && !realpath(spec->rootfs, st->rootfs))
		st->rootfs[0] = '\0';
	if (mc_detach_path(st, MC_ARGS_FILE, path, sizeof(path)) < 0 ||
	    mc_life_save_args(path, argc, argv, envp) < 0 ||
	    mc_state_save(st) < 0) {
		mc_state_remove(st);
		mc_state_unlock(st);
		return -1;
	}
	return 0;
}

/*
 * A detached container gets a cgroup of its own, named after it (when
 * root and none was asked for): top, stats and rm find its processes there.
 */
static void default_cgroup(struct mc_spec *spec, struct mc_run_opts *opts,
			   const char *id)
{
	if (geteuid() != 0)
		return;
	if (!spec->cgroup_name && !spec->cgroups_path)
		spec->cgroup_name = id;
	/* The accounting controllers too (memory, cpu, pids), for stats. */
	opts->stats = true;
}

int mc_detach_run(struct mc_spec *spec, struct mc_run_opts *opts, int argc,
		  char **argv, char **envp)
{
	struct mc_state st = MC_STATE_INIT;
	char root[PATH_MAX], random_id[16];
	const char *id = opts->name;
	int ret;

	if (mc_state_root(opts->state_root, root, sizeof(root)) < 0)
		return -1;
	if (!id) {
		if (mc_name_random(random_id, sizeof(random_id)) < 0)
			return -1;
		id = random_id;
	}
	if (mc_spec_validate(spec) < 0)
		return -1;
	default_cgroup(spec, opts, id);
	if (reserve(root, id, opts, spec, argc, argv, envp, &st) < 0)
		return -1;
	ret = spawn(spec, opts, &st, root, true);
	if (ret == 0)
		printf("%s\n", id);
	mc_state_free(&st);
	return ret;
}

int mc_detach_restart(struct mc_state *st, const char *root)
{
	struct mc_run_opts opts = { .kill_on_parent_death = true };
	struct mc_life_args a;
	struct mc_spec spec;
	char path[PATH_MAX];
	int ret = -1;

	if (mc_detach_path(st, MC_ARGS_FILE, path, sizeof(path)) < 0 ||
	    mc_life_load_args(path, &a) < 0)
		return -1;
	mc_spec_init(&spec, a.envp);
	if (chdir(a.cwd) < 0) {
		mc_error(errno, "container '%s': working directory %s", st->id,
			 a.cwd);
	} else if (mc_cli_parse(a.argc, a.argv, &spec, &opts) == MC_CLI_RUN &&
		   mc_cli_default_maps(&spec) == 0) {
		default_cgroup(&spec, &opts, st->id);
		st->life.exited = false;
		ret = spawn(&spec, &opts, st, root, false);
	}
	mc_spec_free(&spec);
	mc_life_args_free(&a);
	return ret;
}
