// SPDX-License-Identifier: MIT
/*
 * The processes a network may need beside the container: slirp4netns or
 * pasta (rootless networking, the helper's own tap device), and the socket
 * maker, a child of ours that lives in the container's namespaces and hands
 * back sockets made there, for the forwarder to connect to the container's
 * loopback.  A process can setns into a network namespace only with
 * CAP_SYS_ADMIN in its own user namespace too, which a rootless mcstatic
 * lacks; its child can first join the container's user namespace (we own
 * it), where it has every capability.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "ipam.h"
#include "network.h"
#include "supervise.h"
#include "sys.h"
#include "sync.h"
#include "util.h"

enum { MAKER_SOCKET = 1 };

static void end_child(pid_t *pid, int sig)
{
	if (*pid <= 0)
		return;
	kill(*pid, sig);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = 0;
}

static int open_ns(pid_t pid, const char *ns)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		mc_error(errno, "%s", path);
	return fd;
}

static bool same_ns(int fd, const char *ns)
{
	char path[32];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/*
 * A helper's stdio: /dev/null (STDERR too unless KEEP_STDERR).  Whoever
 * reads the launcher's output waits for every holder of it to close it.
 */
static void helper_stdio(bool keep_stderr)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		return;
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	if (!keep_stderr)
		dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
}

/*
 * A forked child shares our open file descriptions: the supervisor's
 * flock on the container's state directory among them.  flock(2) holds
 * until the last fd of the description closes, so a maker that kept it
 * would hang every later rm or stop.  Keep SOCK only (as fd 3), and
 * stdio on /dev/null.
 */
static int keep_only(int *sock)
{
	if (*sock != 3 && dup3(*sock, 3, O_CLOEXEC) < 0)
		return -1;
	*sock = 3;
	helper_stdio(false);
	return sys_close_from(4, false);
}

/* The maker, in the container's namespaces: a socket per request. */
static _Noreturn void maker_loop(int sock, int userns, int netns)
{
	struct mc_sync_msg m;
	int fd, err = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((!same_ns(userns, "user") && setns(userns, CLONE_NEWUSER) < 0) ||
	    setns(netns, CLONE_NEWNET) < 0)
		err = errno;
	if (!err && keep_only(&sock) < 0)
		err = errno;
	mc_sync_send_type(sock, MAKER_SOCKET, err);
	if (err)
		_exit(1);
	while (mc_sync_recv(sock, &m, &fd) > 0) {
		int s = socket(AF_INET, m.value | SOCK_CLOEXEC, 0);
		struct mc_sync_msg r = { .type = MAKER_SOCKET,
					 .err = s < 0 ? errno : 0 };

		if (fd >= 0)
			close(fd);
		mc_sync_send(sock, &r, s);
		if (s >= 0)
			close(s);
	}
	_exit(0);
}

int mc_net_maker_start(struct mc_netrun *nr, pid_t pid)
{
	_cleanup_close_ int userns = open_ns(pid, "user");
	_cleanup_close_ int netns = open_ns(pid, "net");
	struct mc_sync_msg m = { 0 };
	int sv[2], fd;
	pid_t p;

	if (userns < 0 || netns < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mc_error(errno, "port forwarding: socketpair");
	p = fork();
	if (p < 0) {
		close(sv[0]);
		close(sv[1]);
		return mc_error(errno, "port forwarding: fork");
	}
	if (p == 0) {
		close(sv[0]);
		maker_loop(sv[1], userns, netns);
	}
	close(sv[1]);
	nr->maker = p;
	nr->maker_sock = sv[0];
	if (mc_sync_recv(sv[0], &m, &fd) <= 0 || m.value) {
		int err = m.value ? m.value : EPIPE;

		mc_net_maker_stop(nr);
		return mc_error(err, "port forwarding: the container's network namespace");
	}
	return 0;
}

void mc_net_maker_stop(struct mc_netrun *nr)
{
	if (nr->maker_sock >= 0)
		close(nr->maker_sock);
	nr->maker_sock = -1;
	end_child(&nr->maker, SIGKILL);
}

int mc_net_maker_socket(int domain, int type, void *data)
{
	struct mc_netrun *nr = data;
	struct mc_sync_msg m;
	int fd = -1;

	if (domain != AF_INET || nr->maker_sock < 0) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (mc_sync_send_type(nr->maker_sock, MAKER_SOCKET, type) < 0 ||
	    mc_sync_recv(nr->maker_sock, &m, &fd) <= 0)
		return -1;
	if (fd < 0)
		errno = m.err ? m.err : EIO;
	return fd;
}

/* ------------------------------------------------------------------ */
/* slirp4netns and pasta                                               */
/* ------------------------------------------------------------------ */

/* An executable NAME on $PATH, or a clear error naming its package. */
static int find_helper(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");

		snprintf(buf, size, "%.*s/%s", (int)len, p, name);
		if (len && access(buf, X_OK) == 0)
			return 0;
		p += len + (p[len] == ':');
	}
	return mc_error(0, "%s not found (install the Debian package %s)", name,
			strcmp(name, "pasta") ? name : "passt");
}

static pid_t spawn(const char *path, char *const argv[], const int *keep,
		   size_t n_keep)
{
	pid_t p = fork();

	if (p != 0)
		return p;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	helper_stdio(mc_debug_enabled);
	/* Every fd the helper is to see sits at 3, 4...; the rest close on exec. */
	for (size_t i = 0; i < n_keep; i++)
		if (dup2(keep[i], 3 + (int)i) < 0)
			_exit(MC_EXIT_FAILURE);
	/* A helper starts as from a shell: mcstatic ignores SIGPIPE, and an
	 * ignored signal stays ignored across exec (pasta refuses that). */
	mc_supervise_reset_signals();
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);
	execv(path, argv);
	_exit(MC_EXIT_NOTFOUND);
}

/*
 * slirp4netns: joins PID's user and network namespaces itself, makes and
 * configures tap0 (10.0.2.100/24, gateway 10.0.2.2), writes "1" to the
 * ready fd (3); it ends when the exit fd (4) reads end-of-file, which is
 * when we are gone, however we went.
 */
static int start_slirp(struct mc_netrun *nr, pid_t pid, const char *path)
{
	char pidarg[16];
	char *argv[] = { "slirp4netns", "--configure", "--mtu=65520",
			 "--disable-host-loopback", "--ready-fd=3", "--exit-fd=4",
			 pidarg, "tap0", NULL };
	int ready[2], ex[2], keep[2];
	char c;

	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return mc_error(errno, "slirp4netns: pipe");
	if (pipe2(ex, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return mc_error(errno, "slirp4netns: pipe");
	}
	keep[0] = ready[1];
	keep[1] = ex[0];
	nr->helper = spawn(path, argv, keep, 2);
	close(ready[1]);
	close(ex[0]);
	/* Ours stays open, close-on-exec, for as long as we live. */
	nr->helper_exit = ex[1];
	if (nr->helper < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		mc_net_helper_stop(nr);
		return mc_error(0, "slirp4netns ended before the network was up");
	}
	close(ready[0]);
	mc_debug("[net] slirp4netns %d: tap0 10.0.2.100/24", (int)nr->helper);
	return 0;
}

/*
 * pasta: copies the host's addresses and routes into the namespace; its
 * own port forwarding is off (-t none...): -p is ours.  It forks into the
 * background once the namespace is configured; the PID file names it.
 */
static int start_pasta(struct mc_netrun *nr, pid_t pid, const char *path)
{
	char netns[40], userns[40], pidfile[PATH_MAX + 32], buf[16];
	char *argv[] = { "pasta", "--config-net", "--quiet", "-4",
			 "-t", "none", "-u", "none", "-T", "none", "-U", "none",
			 "--userns", userns, "--netns", netns, "--pid", pidfile,
			 NULL };
	int status, fd;
	ssize_t n;
	pid_t p;

	snprintf(netns, sizeof(netns), "/proc/%d/ns/net", (int)pid);
	snprintf(userns, sizeof(userns), "/proc/%d/ns/user", (int)pid);
	snprintf(pidfile, sizeof(pidfile), "%s/" MC_NET_DIR, nr->root);
	if ((mkdir(nr->root, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(pidfile, 0700) < 0 && errno != EEXIST))
		return mc_error(errno, "%s", pidfile);
	snprintf(pidfile, sizeof(pidfile), "%s/" MC_NET_DIR "/pasta-%d.pid",
		 nr->root, (int)pid);
	p = spawn(path, argv, NULL, 0);
	if (p < 0)
		return mc_error(errno, "pasta: fork");
	while (waitpid(p, &status, 0) < 0 && errno == EINTR)
		;
	fd = open(pidfile, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	unlink(pidfile);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || n <= 0)
		return mc_error(0, "pasta could not configure the network "
				   "(exit status %d)", WEXITSTATUS(status));
	buf[n] = '\0';
	nr->helper = atoi(buf);
	nr->helper_detached = true;
	mc_debug("[net] pasta %d", (int)nr->helper);
	return 0;
}

int mc_net_helper_start(struct mc_netrun *nr, pid_t pid)
{
	bool slirp = nr->net->mode == MC_NET_SLIRP4NETNS;
	char path[PATH_MAX];

	if (find_helper(slirp ? "slirp4netns" : "pasta", path, sizeof(path)) < 0)
		return -1;
	return slirp ? start_slirp(nr, pid, path) : start_pasta(nr, pid, path);
}

void mc_net_helper_stop(struct mc_netrun *nr)
{
	if (nr->helper_exit >= 0)
		close(nr->helper_exit);
	nr->helper_exit = -1;
	if (nr->helper > 0 && nr->helper_detached) {
		/* Not our child: pasta leaves on its own when the namespace
		 * goes; a signal hurries it. */
		kill(nr->helper, SIGTERM);
		nr->helper = 0;
	}
	end_child(&nr->helper, SIGTERM);
	nr->helper_detached = false;
}
