// SPDX-License-Identifier: MIT
/*
 * The port forwarder, on real sockets in a network namespace of its own:
 * echo servers and the forwarder run in forked children, the test is the
 * client.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "portfwd.h"

#define LOOPBACK htonl(INADDR_LOOPBACK)
#define BIG (4 * 1024 * 1024)

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (r == 0)
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return r;
}

/* Every socket below is this namespace's: nothing reaches the host's. */
static int setup_netns(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0)
		return -1;
	/* A client writing to a connection the forwarder reset. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int bound_socket(int type, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = LOOPBACK };
	int one = 1, fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 16), 0);
	return fd;
}

/* Read everything until end-of-file, then write it all back. */
static void *echo_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	size_t len = 0, size = 1 << 16;
	char *buf = malloc(size);
	ssize_t n;

	while (buf && (n = read(fd, buf + len, size - len)) > 0) {
		len += (size_t)n;
		if (len == size)
			buf = realloc(buf, size *= 2);
	}
	for (size_t off = 0; buf && off < len; off += (size_t)n)
		if ((n = write(fd, buf + off, len - off)) <= 0)
			break;
	free(buf);
	close(fd);
	return NULL;
}

/* A TCP echo server, a thread per connection: no grandchildren to reap. */
static pid_t echo_tcp(uint16_t port)
{
	int s = bound_socket(SOCK_STREAM, port);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			int c = accept(s, NULL, NULL);
			pthread_t t;

			if (c < 0)
				continue;
			if (pthread_create(&t, NULL, echo_conn,
					   (void *)(intptr_t)c) == 0)
				pthread_detach(t);
			else
				close(c);
		}
	}
	close(s);
	return pid;
}

static pid_t echo_udp(uint16_t port)
{
	int s = bound_socket(SOCK_DGRAM, port);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_in from;
		char buf[65536];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			socklen_t len = sizeof(from);
			ssize_t n = recvfrom(s, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &len);

			if (n >= 0)
				sendto(s, buf, (size_t)n, 0,
				       (struct sockaddr *)&from, len);
		}
	}
	close(s);
	return pid;
}

/* The forwarder in a child; commands on CTL: 'd' drop, answered on REPLY. */
struct fwd_child {
	pid_t pid;
	int ctl, reply;
	int calls;		/* a byte for each make_socket call */
};

static int counting_socket(int domain, int type, void *data)
{
	write(*(int *)data, "s", 1);
	return socket(domain, type, 0);	/* blocking, as the real one's */
}

static void forwarder_loop(struct mc_portfwd *f, int ctl, int reply)
{
	struct pollfd p[2] = { { .fd = mc_portfwd_fd(f), .events = POLLIN },
			       { .fd = ctl, .events = POLLIN } };
	char c;

	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents)
			mc_portfwd_service(f);
		if (!p[1].revents)
			continue;
		if (read(ctl, &c, 1) != 1)
			_exit(0);
		if (c == 'd')
			mc_portfwd_drop(f);
		write(reply, &c, 1);
	}
}

static void fwd_start(struct fwd_child *fc, const struct mc_port *ports,
		      size_t n, uint32_t target, bool count)
{
	int ctl[2], reply[2], calls[2];
	char ok;

	assert_int_equal(pipe2(ctl, O_CLOEXEC), 0);
	assert_int_equal(pipe2(reply, O_CLOEXEC), 0);
	assert_int_equal(pipe2(calls, O_CLOEXEC | O_NONBLOCK), 0);
	fc->pid = fork();
	assert_true(fc->pid >= 0);
	if (fc->pid == 0) {
		struct mc_portfwd *f;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (mc_portfwd_open(ports, n, &f) < 0)
			_exit(1);
		mc_portfwd_target(f, target, count ? counting_socket : NULL,
				  &calls[1]);
		write(reply[1], "k", 1);
		forwarder_loop(f, ctl[0], reply[1]);
	}
	close(ctl[0]);
	close(reply[1]);
	close(calls[1]);
	fc->ctl = ctl[1];
	fc->reply = reply[0];
	fc->calls = calls[0];
	assert_int_equal(read(fc->reply, &ok, 1), 1);
}

static void fwd_command(struct fwd_child *fc, char c)
{
	char r;

	assert_int_equal(write(fc->ctl, &c, 1), 1);
	assert_int_equal(read(fc->reply, &r, 1), 1);
	assert_int_equal(r, c);
}

static int fwd_calls(struct fwd_child *fc)
{
	char buf[64];
	int n = 0;
	ssize_t r;

	while ((r = read(fc->calls, buf, sizeof(buf))) > 0)
		n += (int)r;
	return n;
}

static void fwd_stop(struct fwd_child *fc)
{
	reap(fc->pid);
	close(fc->ctl);
	close(fc->reply);
	close(fc->calls);
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 10 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int client(int type, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = LOOPBACK };
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	set_timeouts(fd);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static uint8_t pattern(size_t i, unsigned int seed)
{
	return (uint8_t)((i * 31 + seed) ^ (i >> 13));
}

static void send_pattern(int fd, size_t len, unsigned int seed)
{
	static uint8_t buf[65536];
	size_t off = 0, k;
	ssize_t n;

	while (off < len) {
		for (k = 0; k < sizeof(buf) && off + k < len; k++)
			buf[k] = pattern(off + k, seed);
		for (size_t done = 0; done < k; done += (size_t)n) {
			n = write(fd, buf + done, k - done);
			assert_true(n > 0);
		}
		off += k;
	}
}

/* Everything until end-of-file is the pattern, LEN bytes of it. */
static void expect_pattern(int fd, size_t len, unsigned int seed)
{
	static uint8_t buf[65536];
	size_t off = 0, bad = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t k = 0; k < n; k++)
			bad += buf[k] != pattern(off + (size_t)k, seed);
		off += (size_t)n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(off, len);
	assert_int_equal(bad, 0);
}

/* The forwarder closed the connection: end-of-file or a reset, soon. */
static void expect_closed(int fd)
{
	char c;
	ssize_t n = read(fd, &c, 1);

	assert_true(n == 0 || (n < 0 && errno == ECONNRESET));
}

static struct mc_port tcp_port(uint16_t host, uint16_t container)
{
	return (struct mc_port){ LOOPBACK, host, container, SOCK_STREAM };
}

static void test_tcp_big_transfer(void **state)
{
	struct mc_port p = tcp_port(18001, 7001);
	pid_t echo = echo_tcp(7001);
	struct fwd_child fc;
	int fd;

	(void)state;
	fwd_start(&fc, &p, 1, LOOPBACK, true);
	fd = client(SOCK_STREAM, 18001);
	send_pattern(fd, BIG, 1);
	/* The half-close must travel through: the echo waits for it. */
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	expect_pattern(fd, BIG, 1);
	close(fd);
	assert_int_equal(fwd_calls(&fc), 1);
	fwd_stop(&fc);
	reap(echo);
}

static void test_tcp_two_connections(void **state)
{
	struct mc_port p = tcp_port(18002, 7002);
	pid_t echo = echo_tcp(7002);
	struct fwd_child fc;
	int a, b;

	(void)state;
	fwd_start(&fc, &p, 1, LOOPBACK, false);
	a = client(SOCK_STREAM, 18002);
	b = client(SOCK_STREAM, 18002);
	send_pattern(a, 1 << 20, 2);
	send_pattern(b, 3 << 19, 3);
	shutdown(b, SHUT_WR);
	shutdown(a, SHUT_WR);
	expect_pattern(b, 3 << 19, 3);
	expect_pattern(a, 1 << 20, 2);
	close(a);
	close(b);
	fwd_stop(&fc);
	reap(echo);
}

static void test_udp_echo(void **state)
{
	struct mc_port p = { LOOPBACK, 18003, 7003, SOCK_DGRAM };
	pid_t echo = echo_udp(7003);
	struct fwd_child fc;
	char out[2000], in[2100];
	int fd;

	(void)state;
	fwd_start(&fc, &p, 1, LOOPBACK, true);
	fd = client(SOCK_DGRAM, 18003);
	for (int i = 1; i <= 5; i++) {
		size_t len = (size_t)i * 300;

		memset(out, 'a' + i, len);
		assert_int_equal(send(fd, out, len, 0), len);
		assert_int_equal(recv(fd, in, sizeof(in), 0), len);
		assert_memory_equal(in, out, len);
	}
	/* One client address, one session. */
	assert_int_equal(fwd_calls(&fc), 1);
	close(fd);
	fwd_stop(&fc);
	reap(echo);
}

static void test_port_in_use(void **state)
{
	struct mc_port p[2] = { { LOOPBACK, 18004, 7004, SOCK_DGRAM },
				tcp_port(18005, 7005) };
	struct mc_portfwd *f, *g;
	int fds;

	(void)state;
	assert_int_equal(mc_portfwd_open(&p[1], 1, &f), 0);
	fds = count_fds();
	assert_int_equal(mc_portfwd_open(p, 2, &g), -1);
	assert_non_null(strstr(mc_error_text(),
			       "port 127.0.0.1:18005/tcp: bind: "
			       "Address already in use"));
	/* The udp listener opened before it is closed again. */
	assert_int_equal(count_fds(), fds);
	mc_portfwd_close(f);
}

static void test_nothing_listening(void **state)
{
	struct mc_port p = tcp_port(18006, 7006);
	struct fwd_child fc;
	int fd;

	(void)state;
	fwd_start(&fc, &p, 1, LOOPBACK, false);
	fd = client(SOCK_STREAM, 18006);
	expect_closed(fd);
	close(fd);
	fwd_stop(&fc);
}

static void test_no_target(void **state)
{
	struct mc_port p = tcp_port(18007, 7007);
	pid_t echo = echo_tcp(7007);
	struct fwd_child fc;
	int fd;

	(void)state;
	fwd_start(&fc, &p, 1, 0, true);
	fd = client(SOCK_STREAM, 18007);
	expect_closed(fd);
	close(fd);
	assert_int_equal(fwd_calls(&fc), 0);
	fwd_stop(&fc);
	reap(echo);
}

static void wait_for_calls(struct fwd_child *fc, int n)
{
	struct pollfd p = { .fd = fc->calls, .events = POLLIN };
	int seen = 0;

	while (seen < n) {
		assert_int_equal(poll(&p, 1, 10000), 1);
		seen += fwd_calls(fc);
	}
}

static void test_drop_closes_connections(void **state)
{
	struct mc_port p = tcp_port(18008, 7008);
	pid_t echo = echo_tcp(7008);
	struct fwd_child fc;
	int fd;

	(void)state;
	fwd_start(&fc, &p, 1, LOOPBACK, true);
	fd = client(SOCK_STREAM, 18008);
	assert_int_equal(write(fd, "live", 4), 4);
	wait_for_calls(&fc, 1);
	fwd_command(&fc, 'd');
	expect_closed(fd);
	close(fd);
	/* The listener is still there. */
	fd = client(SOCK_STREAM, 18008);
	send_pattern(fd, 1000, 4);
	shutdown(fd, SHUT_WR);
	expect_pattern(fd, 1000, 4);
	close(fd);
	fwd_stop(&fc);
	reap(echo);
}

/* Service F until FD is readable. */
static void service_until(struct mc_portfwd *f, int fd)
{
	struct pollfd p[2] = { { .fd = mc_portfwd_fd(f), .events = POLLIN },
			       { .fd = fd, .events = POLLIN } };

	for (int i = 0; i < 1000; i++) {
		assert_true(poll(p, 2, 10000) > 0);
		if (p[1].revents)
			return;
		mc_portfwd_service(f);
	}
	fail_msg("no answer through the forwarder");
}

/* Connections and sessions live when it closes: no fd is left open. */
static void test_close_leaves_no_fds(void **state)
{
	struct mc_port p[2] = { tcp_port(18009, 7009),
				{ LOOPBACK, 18010, 7010, SOCK_DGRAM } };
	pid_t echo = echo_tcp(7009), echo_u = echo_udp(7010);
	struct mc_portfwd *f;
	int fds = count_fds(), t, u;
	char c;

	(void)state;
	assert_int_equal(mc_portfwd_open(p, 2, &f), 0);
	mc_portfwd_target(f, LOOPBACK, NULL, NULL);
	t = client(SOCK_STREAM, 18009);
	u = client(SOCK_DGRAM, 18010);
	assert_int_equal(write(t, "x", 1), 1);
	shutdown(t, SHUT_WR);
	service_until(f, t);
	assert_int_equal(read(t, &c, 1), 1);
	/* A second connection stays open: the echo waits for its end. */
	close(t);
	t = client(SOCK_STREAM, 18009);
	assert_int_equal(write(t, "y", 1), 1);
	assert_int_equal(send(u, "z", 1, 0), 1);
	service_until(f, u);
	assert_int_equal(recv(u, &c, 1, 0), 1);
	mc_portfwd_close(f);
	expect_closed(t);
	close(t);
	close(u);
	assert_int_equal(count_fds(), fds);
	reap(echo);
	reap(echo_u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_big_transfer),
		cmocka_unit_test(test_tcp_two_connections),
		cmocka_unit_test(test_udp_echo),
		cmocka_unit_test(test_port_in_use),
		cmocka_unit_test(test_nothing_listening),
		cmocka_unit_test(test_no_target),
		cmocka_unit_test(test_drop_closes_connections),
		cmocka_unit_test(test_close_leaves_no_fds),
	};

	return cmocka_run_group_tests(tests, setup_netns, NULL);
}
