// SPDX-License-Identifier: MIT
/* The pty, the console socket and the relay, on real ptys. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "tty.h"

static char tmpdir[] = "/tmp/mc-test-tty.XXXXXX";

static int setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static void open_pair(int *master, int *slave)
{
	assert_int_equal(mc_tty_open(master, NULL, 0), 0);
	*slave = mc_tty_open_slave(*master);
	assert_true(*slave >= 0);
}

static int wait_child(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Everything readable from FD until end-of-file, NUL-terminated. */
static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
}

static void test_open_pair(void **state)
{
	char path[32], buf[8];
	struct stat by_name, by_fd;
	int m, s;

	(void)state;
	assert_int_equal(mc_tty_open(&m, path, sizeof(path)), 0);
	assert_memory_equal(path, "/dev/pts/", 9);
	assert_true(fcntl(m, F_GETFD) & FD_CLOEXEC);
	s = mc_tty_open_slave(m);
	assert_true(s >= 0);
	assert_true(fcntl(s, F_GETFD) & FD_CLOEXEC);
	/* The peer is the slave the name says. */
	assert_int_equal(stat(path, &by_name), 0);
	assert_int_equal(fstat(s, &by_fd), 0);
	assert_true(S_ISCHR(by_fd.st_mode));
	assert_int_equal(by_fd.st_rdev, by_name.st_rdev);
	assert_int_equal(write(m, "hi\n", 3), 3);
	assert_int_equal(read(s, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "hi\n", 3);
	close(s);
	close(m);
}

static void test_open_name_too_long(void **state)
{
	char path[8];
	int m = -1, next;

	(void)state;
	assert_int_equal(mc_tty_open(&m, path, sizeof(path)), -1);
	assert_string_equal(mc_error_text(), "pty name: File name too long");
	assert_int_equal(m, -1);
	/* The master was closed: the next fd is the lowest free one again. */
	next = dup(0);
	assert_true(next >= 0);
	close(next);
	assert_int_equal(mc_tty_open(&m, NULL, 0), 0);
	assert_int_equal(m, next);
	close(m);
}

static void test_size(void **state)
{
	struct winsize ws;
	int m, s, m2, s2, p[2];

	(void)state;
	open_pair(&m, &s);
	open_pair(&m2, &s2);
	assert_int_equal(mc_tty_set_size(m, 120, 40), 0);
	assert_int_equal(ioctl(s, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_col, 120);
	assert_int_equal(ws.ws_row, 40);
	assert_int_equal(mc_tty_copy_size(s, m2), 0);
	assert_int_equal(ioctl(s2, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_col, 120);
	assert_int_equal(ws.ws_row, 40);
	assert_int_equal(mc_tty_set_size(m, 70000, 1), -1);
	assert_string_equal(mc_error_text(),
			    "console size 70000x1: Numerical result out of range");
	/* Not a terminal: a pipe has no window size. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(mc_tty_copy_size(p[0], m), -1);
	assert_int_equal(mc_error_errno(), ENOTTY);
	close(p[0]);
	close(p[1]);
	close(s2);
	close(m2);
	close(s);
	close(m);
}

/* The child's checks after mc_tty_make_controlling, as an exit code. */
static int controlling_checks(int slave)
{
	struct stat fd0, fd1;
	pid_t sid = 0;	/* valgrind does not know TIOCGSID writes it */

	if (mc_tty_make_controlling(slave) < 0)
		return 1;
	if (getsid(0) != getpid() || ioctl(0, TIOCGSID, &sid) < 0 ||
	    sid != getpid())
		return 2;
	if (!isatty(0) || !isatty(1) || !isatty(2))
		return 3;
	if (fstat(0, &fd0) < 0 || fstat(1, &fd1) < 0 || fd0.st_rdev != fd1.st_rdev)
		return 4;
	/* 0-2 survive exec; the original slave fd is gone. */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) != 0)
			return 5;
	if (slave > 2 && (fcntl(slave, F_GETFD) != -1 || errno != EBADF))
		return 6;
	return 0;
}

static void test_make_controlling(void **state)
{
	int m, s;
	pid_t pid;

	(void)state;
	open_pair(&m, &s);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(controlling_checks(s));
	assert_int_equal(wait_child(pid), 0);
	/* A session leader already: no second setsid (it would fail). */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setsid() < 0 ? 10 : controlling_checks(s));
	assert_int_equal(wait_child(pid), 0);
	/* The slave already is fd 0, close-on-exec: it must stay open on exec. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(0);
		_exit(fcntl(s, F_DUPFD_CLOEXEC, 0) != 0 ? 11 : controlling_checks(0));
	}
	assert_int_equal(wait_child(pid), 0);
	close(s);
	close(m);
}

static int listen_at(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(addr.sun_path));
	strcpy(addr.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 1), 0);
	return fd;
}

/* runc's recvtty side: one message, the name as data, one fd. */
static int receive_fd(int listener, char *name, size_t size)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = size - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	int conn = accept(listener, NULL, NULL), fd;
	ssize_t n;

	assert_true(conn >= 0);
	n = recvmsg(conn, &msg, 0);
	assert_true(n > 0);
	name[n] = '\0';
	c = CMSG_FIRSTHDR(&msg);
	assert_non_null(c);
	assert_int_equal(c->cmsg_level, SOL_SOCKET);
	assert_int_equal(c->cmsg_type, SCM_RIGHTS);
	assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(int)));
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	close(conn);
	return fd;
}

static void check_send_fd(const char *bind_path, const char *sock_path)
{
	char name[64], buf[8];
	int m, s, listener, got;

	listener = listen_at(bind_path);
	open_pair(&m, &s);
	assert_int_equal(mc_tty_send_fd(sock_path, m), 0);
	got = receive_fd(listener, name, sizeof(name));
	assert_string_equal(name, "/dev/ptmx");
	/* What the receiver writes to its copy of the master reaches the slave. */
	assert_int_equal(write(got, "ping\n", 5), 5);
	assert_int_equal(read(s, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "ping\n", 5);
	close(got);
	close(listener);
	close(s);
	close(m);
}

static void test_send_fd(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/console.sock", tmpdir);
	check_send_fd(path, path);
}

/* A path longer than sun_path, reached through its directory. */
static void test_send_fd_long_path(void **state)
{
	char dir[256], path[320], cwd[256];
	char name[] = "a-directory-name-of-fifty-characters-or-so-0123456789";

	(void)state;
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", name);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/console.sock", dir);
	assert_true(strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path));
	/* Bind it by a short relative name. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	check_send_fd("console.sock", path);
	assert_int_equal(chdir(cwd), 0);
}

static void test_send_fd_no_listener(void **state)
{
	char path[128], want[192];

	(void)state;
	snprintf(path, sizeof(path), "%s/nobody.sock", tmpdir);
	assert_int_equal(mc_tty_send_fd(path, 0), -1);
	snprintf(want, sizeof(want),
		 "console socket %s: No such file or directory", path);
	assert_string_equal(mc_error_text(), want);
}

/* The container's side: read one line from the slave, answer, exit. */
static _Noreturn void echo_child(int m, int s)
{
	char buf[64];
	ssize_t n;

	close(m);
	n = read(s, buf, sizeof(buf));
	if (n <= 0)
		_exit(1);
	dprintf(s, "got: %.*s", (int)n, buf);
	_exit(0);
}

static void test_relay_copies_both_ways(void **state)
{
	int m, s, in[2], out[2];
	char buf[256];
	pid_t pid;

	(void)state;
	open_pair(&m, &s);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		echo_child(m, s);
	close(s);
	/* Input, then end-of-file at once: the answer must still come back. */
	assert_int_equal(write(in[1], "input\n", 6), 6);
	close(in[1]);
	assert_int_equal(mc_tty_relay(&(struct mc_tty_relay){
			 .master = m, .in_fd = in[0], .out_fd = out[1],
			 .signal_fd = -1 }), 0);
	close(out[1]);
	read_all(out[0], buf, sizeof(buf));
	assert_non_null(strstr(buf, "got: input"));
	assert_int_equal(wait_child(pid), 0);
	/* The master is handed back blocking, as it came. */
	assert_false(fcntl(m, F_GETFL) & O_NONBLOCK);
	close(in[0]);
	close(out[0]);
	close(m);
}

static void test_relay_output_after_input_eof(void **state)
{
	int m, s, in[2], out[2];
	char buf[256];
	pid_t pid;

	(void)state;
	open_pair(&m, &s);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	close(in[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(m);
		usleep(200 * 1000);
		dprintf(s, "late output\n");
		_exit(0);
	}
	close(s);
	assert_int_equal(mc_tty_relay(&(struct mc_tty_relay){
			 .master = m, .in_fd = in[0], .out_fd = out[1],
			 .signal_fd = -1 }), 0);
	close(out[1]);
	read_all(out[0], buf, sizeof(buf));
	assert_string_equal(buf, "late output\r\n");
	assert_int_equal(wait_child(pid), 0);
	close(in[0]);
	close(out[0]);
	close(m);
}

/*
 * The container writes much before it reads its much input: the relay must
 * keep reading output while the pty's input is full, or both sides block.
 */
#define FLOW_OUT (128 * 1024)
#define FLOW_IN (60 * 1024)

static _Noreturn void flow_child(int m, int s)
{
	static char buf[FLOW_OUT];
	size_t got = 0;
	ssize_t n;

	close(m);
	memset(buf, 'o', sizeof(buf));
	if (write(s, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		_exit(1);
	while (got < FLOW_IN && (n = read(s, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	_exit(got == FLOW_IN ? 0 : 2);
}

static void test_relay_flow_control(void **state)
{
	static char input[FLOW_IN];
	int m, s, in[2], out;
	struct termios t;
	struct stat st;
	pid_t pid;

	(void)state;
	open_pair(&m, &s);
	/* Raw: no line limit, no echo, no newline translation. */
	assert_int_equal(tcgetattr(s, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(s, TCSANOW, &t), 0);
	assert_int_equal(pipe(in), 0);
	memset(input, 'i', sizeof(input));
	assert_int_equal(write(in[1], input, sizeof(input)), sizeof(input));
	close(in[1]);
	out = open(tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	assert_true(out >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		flow_child(m, s);
	close(s);
	alarm(20);	/* a deadlock fails the test instead of hanging it */
	assert_int_equal(mc_tty_relay(&(struct mc_tty_relay){
			 .master = m, .in_fd = in[0], .out_fd = out,
			 .signal_fd = -1 }), 0);
	alarm(0);
	assert_int_equal(wait_child(pid), 0);
	assert_int_equal(fstat(out, &st), 0);
	assert_int_equal(st.st_size, FLOW_OUT);
	close(out);
	close(in[0]);
	close(m);
}

static int stop_signal;

static int on_signal(const struct signalfd_siginfo *si, void *data)
{
	stop_signal = (int)si->ssi_signo;
	(void)data;
	return 1;
}

/*
 * The child plays the user: waits until our "terminal" is raw, resizes it,
 * sends SIGWINCH and then a signal that stops the relay.  Real-time
 * signals are dequeued after standard ones, so SIGWINCH is read first.
 */
static _Noreturn void resize_child(int host_master, int host_slave)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	struct termios t;
	int raw = 0;

	for (int i = 0; i < 500 && !raw; i++) {
		if (tcgetattr(host_slave, &t) == 0 && !(t.c_lflag & (ICANON | ECHO)))
			raw = 1;
		else
			nanosleep(&pause, NULL);
	}
	mc_tty_set_size(host_master, 132, 50);
	kill(getppid(), SIGWINCH);
	kill(getppid(), SIGRTMIN);
	_exit(raw ? 0 : 1);
}

static void test_relay_raw_and_resize(void **state)
{
	int m, s, host_m, host_s, out[2], sfd;
	struct termios before, after;
	struct winsize ws;
	sigset_t set, old;
	pid_t pid;

	(void)state;
	open_pair(&m, &s);
	open_pair(&host_m, &host_s);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(mc_tty_set_size(host_m, 100, 30), 0);
	assert_int_equal(tcgetattr(host_s, &before), 0);
	assert_true(before.c_lflag & ICANON);
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGRTMIN);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	assert_true(sfd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		resize_child(host_m, host_s);
	stop_signal = 0;
	/* We hold the slave: only the signal can end this relay. */
	assert_int_equal(mc_tty_relay(&(struct mc_tty_relay){
			 .master = m, .in_fd = host_s, .out_fd = out[1],
			 .signal_fd = sfd, .on_signal = on_signal }), 0);
	assert_int_equal(stop_signal, SIGRTMIN);
	assert_int_equal(wait_child(pid), 0);
	assert_int_equal(ioctl(s, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_col, 132);
	assert_int_equal(ws.ws_row, 50);
	/* Our terminal's settings are back. */
	assert_int_equal(tcgetattr(host_s, &after), 0);
	assert_int_equal(after.c_lflag, before.c_lflag);
	assert_int_equal(after.c_iflag, before.c_iflag);
	assert_int_equal(after.c_oflag, before.c_oflag);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	close(sfd);
	close(out[0]);
	close(out[1]);
	close(host_s);
	close(host_m);
	close(s);
	close(m);
}

/* At the start the relay copies our size, before any SIGWINCH. */
static void test_relay_initial_size(void **state)
{
	int m, s, host_m, host_s, out[2], sfd;
	struct winsize ws;
	sigset_t set, old;

	(void)state;
	open_pair(&m, &s);
	open_pair(&host_m, &host_s);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(mc_tty_set_size(host_m, 90, 33), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	assert_true(sfd >= 0);
	/* Already pending: the relay stops at its first poll. */
	raise(SIGUSR1);
	assert_int_equal(mc_tty_relay(&(struct mc_tty_relay){
			 .master = m, .in_fd = host_s, .out_fd = out[1],
			 .signal_fd = sfd, .on_signal = on_signal }), 0);
	assert_int_equal(stop_signal, SIGUSR1);
	assert_int_equal(ioctl(s, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_col, 90);
	assert_int_equal(ws.ws_row, 33);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	close(sfd);
	close(out[0]);
	close(out[1]);
	close(host_s);
	close(host_m);
	close(s);
	close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_pair),
		cmocka_unit_test(test_open_name_too_long),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_make_controlling),
		cmocka_unit_test(test_send_fd),
		cmocka_unit_test(test_send_fd_long_path),
		cmocka_unit_test(test_send_fd_no_listener),
		cmocka_unit_test(test_relay_copies_both_ways),
		cmocka_unit_test(test_relay_output_after_input_eof),
		cmocka_unit_test(test_relay_flow_control),
		cmocka_unit_test(test_relay_raw_and_resize),
		cmocka_unit_test(test_relay_initial_size),
	};

	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
