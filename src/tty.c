// SPDX-License-Identifier: MIT
/* process.terminal: the pty, the console socket, and the foreground relay. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "tty.h"
#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Opened for the master; also the name runc sends with it. */
#define MC_PTMX "/dev/ptmx"
#define RELAY_BUF 4096

static int slave_name(int master, char *buf, size_t size)
{
	unsigned int n;
	int len;

	if (ioctl(master, TIOCGPTN, &n) < 0)
		return mc_error(errno, "pty number");
	len = snprintf(buf, size, "/dev/pts/%u", n);
	if (len < 0 || (size_t)len >= size)
		return mc_error(ENAMETOOLONG, "pty name");
	return 0;
}

int mc_tty_open(int *master, char *slave_path, size_t size)
{
	int unlock = 0;
	int fd;

	fd = open(MC_PTMX, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return mc_error(errno, "open %s", MC_PTMX);
	if (ioctl(fd, TIOCSPTLCK, &unlock) < 0) {
		mc_error(errno, "unlock pty");
		goto fail;
	}
	if (slave_path && slave_name(fd, slave_path, size) < 0)
		goto fail;
	*master = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

int mc_tty_open_slave(int master)
{
	char path[32];
	int fd;

	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != ENOTTY)
		return mc_error(errno, "open pty slave");
	/* Before 4.13: by name, right only if /dev/pts is ptmx's devpts. */
	if (slave_name(master, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return mc_error(errno, "open %s", path);
	return fd;
}

int mc_tty_make_controlling(int slave)
{
	/* setsid() fails for a process group leader; a session leader is one. */
	if (getsid(0) != getpid() && setsid() < 0)
		return mc_error(errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return mc_error(errno, "set controlling terminal");
	for (int fd = 0; fd <= 2; fd++) {
		if (fd != slave && dup2(slave, fd) < 0)
			return mc_error(errno, "dup2 terminal to fd %d", fd);
		/* dup2 clears close-on-exec, but SLAVE may be one of 0-2. */
		if (fcntl(fd, F_SETFD, 0) < 0)
			return mc_error(errno, "terminal fd %d", fd);
	}
	if (slave > 2)
		close(slave);
	return 0;
}

int mc_tty_set_size(int fd, unsigned int width, unsigned int height)
{
	struct winsize ws = { .ws_col = width, .ws_row = height };

	if (width > USHRT_MAX || height > USHRT_MAX)
		return mc_error(ERANGE, "console size %ux%u", width, height);
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		return mc_error(errno, "set console size");
	return 0;
}

/* Without recording an error: the relay tries it and may not care. */
static int copy_size(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) < 0)
		return -1;
	return ioctl(to, TIOCSWINSZ, &ws);
}

int mc_tty_copy_size(int from, int to)
{
	if (copy_size(from, to) < 0)
		return mc_error(errno, "copy console size");
	return 0;
}

/*
 * A path longer than sun_path is reached through its directory:
 * /proc/self/fd/N/NAME.  *DIR gets the directory's fd.
 */
static int socket_address(const char *path, struct sockaddr_un *addr,
			  int *dir)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *parent = NULL;
	size_t max = sizeof(addr->sun_path);
	int n;

	if (strlen(path) < max) {
		memcpy(addr->sun_path, path, strlen(path) + 1);
		return 0;
	}
	if (!slash || !(parent = strndup(path, slash == path ? 1 : slash - path)))
		return mc_error(ENAMETOOLONG, "console socket %s", path);
	*dir = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dir < 0)
		return mc_error(errno, "console socket %s", path);
	n = snprintf(addr->sun_path, max, "/proc/self/fd/%d/%s", *dir, slash + 1);
	if (n < 0 || (size_t)n >= max)
		return mc_error(ENAMETOOLONG, "console socket %s", path);
	return 0;
}

int mc_tty_socket_connect(const char *socket_path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int dir = -1;
	int sock;

	if (socket_address(socket_path, &addr, &dir) < 0)
		return -1;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return mc_error(errno, "console socket %s", socket_path);
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		mc_error(errno, "console socket %s", socket_path);
		close(sock);
		return -1;
	}
	return sock;
}

int mc_tty_socket_send(int sock, int fd)
{
	char name[] = MC_PTMX;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mc_error(errno, "send the pty master");
	if ((size_t)n != iov.iov_len)
		return mc_error(EIO, "send the pty master: short write");
	return 0;
}

int mc_tty_send_fd(const char *socket_path, int fd)
{
	int sock = mc_tty_socket_connect(socket_path);
	int ret;

	if (sock < 0)
		return -1;
	ret = mc_tty_socket_send(sock, fd);
	close(sock);
	if (ret < 0)
		return mc_error_context("console socket %s", socket_path);
	return 0;
}

/* --- the foreground relay ------------------------------------------------ */

struct relay {
	const struct mc_tty_relay *r;
	char in[RELAY_BUF];	/* read from in_fd, not yet in the master */
	size_t in_len, in_off;
	bool in_open, sig_open;
};

enum { COPIED, CLOSED, NOTHING };

/* One read of the master, copied out; CLOSED once every slave is gone. */
static int from_master(const struct mc_tty_relay *r)
{
	char buf[RELAY_BUF];
	ssize_t n = read(r->master, buf, sizeof(buf));

	if (n > 0)
		return mc_write_all(r->out_fd, buf, (size_t)n) < 0 ?
		       mc_error(errno, "terminal output") : COPIED;
	/* Linux reports the last slave's close as EIO, after the data. */
	if (n == 0 || errno == EIO)
		return CLOSED;
	if (errno == EINTR || errno == EAGAIN)
		return NOTHING;
	return mc_error(errno, "read the pty master");
}

static int drain_master(const struct mc_tty_relay *r)
{
	int rc;

	while ((rc = from_master(r)) == COPIED)
		;
	return rc < 0 ? -1 : 0;
}

static void read_input(struct relay *s)
{
	ssize_t n = read(s->r->in_fd, s->in, sizeof(s->in));

	if (n > 0) {
		s->in_len = (size_t)n;
		s->in_off = 0;
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* End of input stops this direction only: output keeps flowing. */
	s->in_open = false;
}

static int write_master(struct relay *s)
{
	ssize_t n = write(s->r->master, s->in + s->in_off,
			  s->in_len - s->in_off);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0 && errno == EIO) {
		/* No slave left to read it; the master's EIO ends the relay. */
		s->in_open = false;
		s->in_len = 0;
		return 0;
	}
	if (n < 0)
		return mc_error(errno, "write the pty master");
	s->in_off += (size_t)n;
	if (s->in_off == s->in_len)
		s->in_len = 0;
	return 0;
}

/* Our window size, from whichever of in_fd and out_fd is a terminal. */
static void copy_window(const struct mc_tty_relay *r)
{
	if (r->in_fd < 0 || copy_size(r->in_fd, r->master) < 0)
		copy_size(r->out_fd, r->master);
}

/* One signal record: 0 go on, 1 stop, -1 fail. */
static int read_signal(struct relay *s)
{
	const struct mc_tty_relay *r = s->r;
	struct signalfd_siginfo si;
	ssize_t n = read(r->signal_fd, &si, sizeof(si));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0)
		return mc_error(errno, "read signals");
	if (n == 0) {
		s->sig_open = false;
		return 0;
	}
	if (n != sizeof(si))
		return mc_error(EIO, "read signals: short record");
	if (si.ssi_signo == SIGWINCH) {
		copy_window(r);
		return 0;
	}
	return r->on_signal ? r->on_signal(&si, r->data) : 0;
}

static int relay_loop(struct relay *s)
{
	const struct mc_tty_relay *r = s->r;

	for (;;) {
		struct pollfd p[3] = { { .fd = r->master, .events = POLLIN } };
		int np = 1, in = -1, sig = -1, rc;

		if (s->in_len)
			p[0].events |= POLLOUT;
		else if (s->in_open)
			p[in = np++] = (struct pollfd){ r->in_fd, POLLIN, 0 };
		if (s->sig_open)
			p[sig = np++] = (struct pollfd){ r->signal_fd, POLLIN, 0 };
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return mc_error(errno, "poll");
		}
		if (sig >= 0 && p[sig].revents) {
			rc = read_signal(s);
			if (rc)
				return rc < 0 ? -1 : drain_master(r);
		}
		if ((p[0].revents & POLLOUT) && write_master(s) < 0)
			return -1;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = from_master(r);
			if (rc < 0 || rc == CLOSED)
				return rc < 0 ? -1 : 0;
		}
		if (in >= 0 && p[in].revents)
			read_input(s);
	}
}

static int make_raw(int fd, struct termios *saved)
{
	struct termios t;

	if (tcgetattr(fd, saved) < 0)
		return mc_error(errno, "terminal settings");
	t = *saved;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return mc_error(errno, "raw terminal");
	return 0;
}

int mc_tty_relay(const struct mc_tty_relay *relay)
{
	struct relay s = {
		.r = relay,
		.in_open = relay->in_fd >= 0,
		.sig_open = relay->signal_fd >= 0,
	};
	bool raw = s.in_open && isatty(relay->in_fd);
	struct termios saved;
	int flags, rc;

	/* Never block on the master: its input may be full while we hold output. */
	flags = fcntl(relay->master, F_GETFL);
	if (flags < 0 || fcntl(relay->master, F_SETFL, flags | O_NONBLOCK) < 0)
		return mc_error(errno, "pty master");
	if (raw && make_raw(relay->in_fd, &saved) < 0) {
		fcntl(relay->master, F_SETFL, flags);
		return -1;
	}
	copy_window(relay);
	rc = relay_loop(&s);
	if (raw)
		tcsetattr(relay->in_fd, TCSANOW, &saved);
	fcntl(relay->master, F_SETFL, flags);
	return rc;
}
