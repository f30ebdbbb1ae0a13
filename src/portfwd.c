// SPDX-License-Identifier: MIT
/*
 * The userspace port forwarder: listeners on the host, TCP relayed with
 * splice(2) through a pipe each way, UDP by a connected socket per client
 * address.  One epoll fd, level-triggered; the data.ptr of every
 * registered fd is a struct fwd_fd that says what the fd is.
 *
 * splice(2) to a socket whose peer went away raises SIGPIPE (there is no
 * MSG_NOSIGNAL for it): main ignores SIGPIPE for the whole process.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "portfwd.h"
#include "util.h"

#define MAX_CONNS 1024
#define MAX_SESSIONS 256
#define UDP_IDLE_SECONDS 60
#define LISTEN_BACKLOG 128
/* A pipe holds 64 KiB by default: one chunk fills it. */
#define CHUNK (64 * 1024)
#define SPLICE_FLAGS (SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
/* Events per epoll_wait, and chunks or datagrams per event: one busy
 * connection must not starve the others. */
#define BATCH 64
#define MAX_ROUNDS 16
#define NAME_MAX_LEN (INET_ADDRSTRLEN + sizeof(":65535/tcp"))

enum fwd_kind { FWD_LISTENER, FWD_SIDE, FWD_SESSION };

/* What an epoll event's data.ptr points at: first member of each object. */
struct fwd_fd {
	enum fwd_kind kind;
	int fd;
	uint32_t events;	/* the registered interest; 0: not in epoll */
};

struct listener {
	struct fwd_fd ep;
	struct mc_port port;
};

enum { CLIENT, UPSTREAM };

struct conn;

struct side {
	struct fwd_fd ep;
	struct conn *conn;
};

/* One direction: side[d] into the pipe, the pipe into side[!d]. */
struct flow {
	int pipe[2];
	size_t queued;		/* bytes in the pipe */
	bool eof;		/* the source has ended */
	bool done;		/* and the destination's write side is shut */
};

struct conn {
	struct side side[2];	/* CLIENT, UPSTREAM */
	struct flow flow[2];	/* flow[d] reads side[d] */
	const struct listener *l;
	bool connecting;
	bool dead;
	struct conn *prev, *next;	/* the live list, or the dead one */
};

struct session {
	struct fwd_fd ep;
	const struct listener *l;
	struct sockaddr_in client;
	time_t last;		/* monotonic seconds of the last datagram */
	bool dead;
	struct session *prev, *next;
};

struct mc_portfwd {
	int epfd;
	struct listener *listeners;
	size_t n_listeners;
	/*
	 * An event later in the same epoll_wait batch may point at an
	 * object closed by an earlier one: closed objects wait on the dead
	 * lists until the batch is done.
	 */
	struct conn *conns, *dead_conns;
	size_t n_conns;
	struct session *sessions, *dead_sessions;
	size_t n_sessions;
	bool paused;		/* out of fds: TCP listeners out of epoll */
	time_t now, swept;
	uint32_t addr;
	int (*make_socket)(int domain, int type, void *data);
	void *data;
	char buf[CHUNK];	/* one datagram (at most 65507 bytes) */
};

/* "127.0.0.1:18080/tcp" */
static const char *port_name(const struct mc_port *p, char *buf)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
	snprintf(buf, NAME_MAX_LEN, "%s:%u/%s", ip, p->host_port,
		 p->type == SOCK_DGRAM ? "udp" : "tcp");
	return buf;
}

static int port_error(const struct mc_port *p, const char *what)
{
	char name[NAME_MAX_LEN];
	int err = errno;

	return mc_error(err, "port %s: %s", port_name(p, name), what);
}

static void debug_connect_failed(const struct mc_portfwd *f,
				 const struct listener *l, int err)
{
	char name[NAME_MAX_LEN], ip[INET_ADDRSTRLEN];

	if (!mc_debug_enabled)
		return;
	inet_ntop(AF_INET, &f->addr, ip, sizeof(ip));
	mc_debug("[portfwd] %s: connect to %s:%u: %s",
		 port_name(&l->port, name), ip, l->port.container_port,
		 strerror(err));
}

/*
 * Change E's interest.  An fd with none leaves epoll: EPOLLHUP and
 * EPOLLERR are reported whatever the interest, and level-triggered they
 * would wake the loop again and again while nobody can act on them.
 */
static int watch(struct mc_portfwd *f, struct fwd_fd *e, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = e };
	int op;

	if (events == e->events)
		return 0;
	if (!events)
		op = EPOLL_CTL_DEL;
	else
		op = e->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(f->epfd, op, e->fd, &ev) < 0)
		return -1;
	e->events = events;
	return 0;
}

/* Out of epoll and closed; the fd's number may be reused at once. */
static void forget(struct mc_portfwd *f, struct fwd_fd *e)
{
	if (e->fd < 0)
		return;
	watch(f, e, 0);
	close(e->fd);
	e->fd = -1;
}

static time_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static struct sockaddr_in target_addr(const struct mc_portfwd *f,
				      const struct listener *l)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(l->port.container_port),
		.sin_addr.s_addr = f->addr,
	};

	return sa;
}

/*
 * A socket towards the target.  The callback's (made in the container's
 * network namespace) is a plain blocking fd: made non-blocking and
 * close-on-exec here, or it would stall the loop and leak into children.
 */
static int target_socket(struct mc_portfwd *f, int type)
{
	int fd, fl, err;

	if (!f->make_socket)
		return socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	fd = f->make_socket(AF_INET, type, f->data);
	if (fd < 0)
		return -1;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 &&
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* ---- TCP ---- */

static void conn_close(struct mc_portfwd *f, struct conn *c)
{
	if (c->dead)
		return;
	for (int i = 0; i < 2; i++) {
		forget(f, &c->side[i].ep);
		for (int j = 0; j < 2; j++)
			if (c->flow[i].pipe[j] >= 0)
				close(c->flow[i].pipe[j]);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		f->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	f->n_conns--;
	c->dead = true;
	c->next = f->dead_conns;
	f->dead_conns = c;
}

/*
 * Interest follows the state.  Back-pressure: a source is read only while
 * its pipe is empty, and its destination is waited on while it is not.
 */
static uint32_t side_interest(const struct conn *c, int s)
{
	uint32_t ev = 0;

	if (c->connecting)
		return s == UPSTREAM ? EPOLLOUT : 0;
	if (!c->flow[s].eof && !c->flow[s].queued)
		ev |= EPOLLIN;
	if (c->flow[!s].queued)
		ev |= EPOLLOUT;
	return ev;
}

/* Register what the connection waits for; -1: it is over (or broken). */
static int conn_update(struct mc_portfwd *f, struct conn *c)
{
	if (c->flow[0].done && c->flow[1].done)
		return -1;
	for (int s = 0; s < 2; s++)
		if (watch(f, &c->side[s].ep, side_interest(c, s)) < 0)
			return -1;
	return 0;
}

static bool again(void)
{
	return errno == EAGAIN || errno == EINTR;
}

/*
 * Source to pipe, pipe to destination, a few rounds.  At the source's end,
 * once the pipe is drained, the destination's write side is shut: a
 * half-close reaches the other end.  -1: the connection is broken.
 */
static int flow_pump(struct conn *c, int d)
{
	struct flow *fl = &c->flow[d];
	int src = c->side[d].ep.fd, dst = c->side[!d].ep.fd;
	ssize_t n;

	for (int round = 0; round < MAX_ROUNDS && !fl->done; round++) {
		if (!fl->queued && !fl->eof) {
			n = splice(src, NULL, fl->pipe[1], NULL, CHUNK,
				   SPLICE_FLAGS);
			if (n < 0)
				return again() ? 0 : -1;
			fl->eof = n == 0;
			fl->queued = (size_t)n;
		}
		while (fl->queued) {
			n = splice(fl->pipe[0], NULL, dst, NULL, fl->queued,
				   SPLICE_FLAGS);
			if (n < 0)
				return again() ? 0 : -1;
			if (n == 0)	/* not with bytes in the pipe */
				return -1;
			fl->queued -= (size_t)n;
		}
		if (fl->eof) {
			/* ENOTCONN: the peer left; the other flow sees it. */
			shutdown(dst, SHUT_WR);
			fl->done = true;
		}
	}
	return 0;
}

static int finish_connect(struct mc_portfwd *f, struct conn *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->side[UPSTREAM].ep.fd, SOL_SOCKET, SO_ERROR, &err,
		       &len) < 0)
		err = errno;
	if (err) {
		debug_connect_failed(f, c->l, err);
		return -1;
	}
	c->connecting = false;
	return 0;
}

static void side_event(struct mc_portfwd *f, struct side *s, uint32_t ev)
{
	struct conn *c = s->conn;
	int i = s == &c->side[CLIENT] ? CLIENT : UPSTREAM;
	int r = 0;

	if (c->dead)
		return;
	if (c->connecting) {
		r = finish_connect(f, c);
	} else {
		if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
			r = flow_pump(c, i);
		if (!r && ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			r = flow_pump(c, !i);
	}
	if (r < 0 || conn_update(f, c) < 0)
		conn_close(f, c);
}

static int connect_upstream(struct mc_portfwd *f, struct conn *c)
{
	struct sockaddr_in sa = target_addr(f, c->l);
	int fd = target_socket(f, SOCK_STREAM);

	if (fd < 0) {
		debug_connect_failed(f, c->l, errno);
		return -1;
	}
	c->side[UPSTREAM].ep.fd = fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	if (errno == EINPROGRESS) {
		c->connecting = true;
		return 0;
	}
	debug_connect_failed(f, c->l, errno);
	return -1;
}

static struct conn *conn_new(struct mc_portfwd *f, const struct listener *l,
			     int client)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	for (int i = 0; i < 2; i++) {
		c->side[i].ep.kind = FWD_SIDE;
		c->side[i].ep.fd = -1;
		c->side[i].conn = c;
		c->flow[i].pipe[0] = c->flow[i].pipe[1] = -1;
	}
	c->side[CLIENT].ep.fd = client;
	c->l = l;
	c->next = f->conns;
	if (f->conns)
		f->conns->prev = c;
	f->conns = c;
	f->n_conns++;
	return c;
}

static void conn_start(struct mc_portfwd *f, const struct listener *l,
		       int client)
{
	struct conn *c = conn_new(f, l, client);

	if (!c) {
		close(client);
		return;
	}
	for (int i = 0; i < 2; i++)
		if (pipe2(c->flow[i].pipe, O_NONBLOCK | O_CLOEXEC) < 0)
			goto fail;
	if (connect_upstream(f, c) < 0 || conn_update(f, c) < 0)
		goto fail;
	return;
fail:
	conn_close(f, c);
}

static void pause_listeners(struct mc_portfwd *f, bool pause)
{
	for (size_t i = 0; i < f->n_listeners; i++) {
		struct listener *l = &f->listeners[i];

		if (l->port.type == SOCK_STREAM)
			watch(f, &l->ep, pause ? 0 : EPOLLIN);
	}
	f->paused = pause;
}

/*
 * Everything pending, up to the backlog.  Out of fds, the pending
 * connection stays and the listener stays readable: it leaves epoll until
 * one of ours closes, or the loop would spin.
 */
static void accept_all(struct mc_portfwd *f, const struct listener *l)
{
	for (int i = 0; i < LISTEN_BACKLOG; i++) {
		int fd = accept4(l->ep.fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
			       errno == ENOBUFS || errno == ENOMEM)) {
			pause_listeners(f, true);
			return;
		}
		if (fd < 0 && errno == EAGAIN)
			return;
		if (fd < 0)	/* its own error (ECONNABORTED...): next */
			continue;
		if (!f->addr || f->n_conns >= MAX_CONNS)
			close(fd);
		else
			conn_start(f, l, fd);
	}
}

/* ---- UDP ---- */

static void session_close(struct mc_portfwd *f, struct session *s)
{
	if (s->dead)
		return;
	forget(f, &s->ep);
	if (s->prev)
		s->prev->next = s->next;
	else
		f->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	f->n_sessions--;
	s->dead = true;
	s->next = f->dead_sessions;
	f->dead_sessions = s;
}

static struct session *session_oldest(struct mc_portfwd *f)
{
	struct session *oldest = f->sessions;

	for (struct session *s = f->sessions; s; s = s->next)
		if (s->last < oldest->last)
			oldest = s;
	return oldest;
}

static struct session *session_find(struct mc_portfwd *f,
				    const struct listener *l,
				    const struct sockaddr_in *from)
{
	for (struct session *s = f->sessions; s; s = s->next)
		if (s->l == l && s->client.sin_port == from->sin_port &&
		    s->client.sin_addr.s_addr == from->sin_addr.s_addr)
			return s;
	return NULL;
}

/* Its own socket, connect()ed to the target: the replies are its own. */
static struct session *session_open(struct mc_portfwd *f,
				    const struct listener *l,
				    const struct sockaddr_in *from)
{
	struct sockaddr_in sa = target_addr(f, l);
	struct session *s;

	if (f->n_sessions >= MAX_SESSIONS)
		session_close(f, session_oldest(f));
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ep.kind = FWD_SESSION;
	s->l = l;
	s->client = *from;
	s->ep.fd = target_socket(f, SOCK_DGRAM);
	if (s->ep.fd < 0 ||
	    connect(s->ep.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    watch(f, &s->ep, EPOLLIN) < 0) {
		debug_connect_failed(f, l, errno);
		if (s->ep.fd >= 0)
			close(s->ep.fd);
		free(s);
		return NULL;
	}
	s->next = f->sessions;
	if (f->sessions)
		f->sessions->prev = s;
	f->sessions = s;
	f->n_sessions++;
	return s;
}

/* Datagrams from clients, each out on its client's session. */
static void udp_listener_event(struct mc_portfwd *f, const struct listener *l)
{
	struct sockaddr_in from;
	struct session *s;
	socklen_t len;
	ssize_t n;

	for (int i = 0; i < BATCH; i++) {
		len = sizeof(from);
		n = recvfrom(l->ep.fd, f->buf, sizeof(f->buf), 0,
			     (struct sockaddr *)&from, &len);
		if (n < 0)
			return;
		if (!f->addr || len != sizeof(from))
			continue;
		s = session_find(f, l, &from);
		if (!s)
			s = session_open(f, l, &from);
		if (!s)
			continue;
		s->last = f->now;
		/* Lost, as a datagram may be, when it does not go out. */
		send(s->ep.fd, f->buf, (size_t)n, 0);
	}
}

/* Replies from the target, back through the listener to the client. */
static void session_event(struct mc_portfwd *f, struct session *s)
{
	ssize_t n;

	for (int i = 0; i < BATCH && !s->dead; i++) {
		n = recv(s->ep.fd, f->buf, sizeof(f->buf), 0);
		/* ECONNREFUSED: an ICMP error of an earlier datagram. */
		if (n < 0 && (again() || errno == ECONNREFUSED))
			return;
		if (n < 0) {
			session_close(f, s);
			return;
		}
		s->last = f->now;
		sendto(s->l->ep.fd, f->buf, (size_t)n, 0,
		       (struct sockaddr *)&s->client, sizeof(s->client));
	}
}

/* Idle sessions, looked for at most once a second. */
static void sweep_sessions(struct mc_portfwd *f)
{
	struct session *s, *next;

	if (f->now == f->swept)
		return;
	f->swept = f->now;
	for (s = f->sessions; s; s = next) {
		next = s->next;
		if (f->now - s->last >= UDP_IDLE_SECONDS)
			session_close(f, s);
	}
}

/* ---- the interface ---- */

static int open_listener(struct mc_portfwd *f, struct listener *l)
{
	const struct mc_port *p = &l->port;
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(p->host_port),
		.sin_addr.s_addr = p->host_ip,
	};
	char name[NAME_MAX_LEN];
	int one = 1;

	if (p->type != SOCK_STREAM && p->type != SOCK_DGRAM)
		return mc_error(EPROTONOSUPPORT, "port %u: protocol %d",
				p->host_port, p->type);
	l->ep.fd = socket(AF_INET, p->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->ep.fd < 0)
		return port_error(p, "socket");
	/* A listener of the last run may leave connections in TIME_WAIT. */
	if (p->type == SOCK_STREAM &&
	    setsockopt(l->ep.fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) < 0)
		return port_error(p, "SO_REUSEADDR");
	if (bind(l->ep.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return port_error(p, "bind");
	if (p->type == SOCK_STREAM && listen(l->ep.fd, LISTEN_BACKLOG) < 0)
		return port_error(p, "listen");
	if (watch(f, &l->ep, EPOLLIN) < 0)
		return port_error(p, "epoll_ctl");
	mc_debug("[portfwd] Listening on %s", port_name(p, name));
	return 0;
}

int mc_portfwd_open(const struct mc_port *ports, size_t n,
		    struct mc_portfwd **out)
{
	struct mc_portfwd *f = calloc(1, sizeof(*f));

	if (!f)
		return mc_error(ENOMEM, "port forwarder");
	f->epfd = -1;
	f->listeners = calloc(n ? n : 1, sizeof(*f->listeners));
	if (!f->listeners) {
		free(f);
		return mc_error(ENOMEM, "port forwarder");
	}
	f->n_listeners = n;
	for (size_t i = 0; i < n; i++) {
		f->listeners[i].ep.kind = FWD_LISTENER;
		f->listeners[i].ep.fd = -1;
		f->listeners[i].port = ports[i];
	}
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->epfd < 0) {
		mc_error(errno, "port forwarder: epoll");
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (open_listener(f, &f->listeners[i]) < 0)
			goto fail;
	*out = f;
	return 0;
fail:
	mc_portfwd_close(f);
	return -1;
}

void mc_portfwd_target(struct mc_portfwd *f, uint32_t addr,
		       int (*make_socket)(int domain, int type, void *data),
		       void *data)
{
	f->addr = addr;
	f->make_socket = make_socket;
	f->data = data;
}

int mc_portfwd_fd(const struct mc_portfwd *f)
{
	return f->epfd;
}

static void free_dead(struct mc_portfwd *f)
{
	bool freed = f->dead_conns || f->dead_sessions;

	while (f->dead_conns) {
		struct conn *c = f->dead_conns;

		f->dead_conns = c->next;
		free(c);
	}
	while (f->dead_sessions) {
		struct session *s = f->dead_sessions;

		f->dead_sessions = s->next;
		free(s);
	}
	/* Fds were given back: accepting may work again. */
	if (freed && f->paused)
		pause_listeners(f, false);
}

static void dispatch(struct mc_portfwd *f, struct fwd_fd *e, uint32_t ev)
{
	struct listener *l;

	switch (e->kind) {
	case FWD_LISTENER:
		l = (struct listener *)e;
		if (l->port.type == SOCK_STREAM)
			accept_all(f, l);
		else
			udp_listener_event(f, l);
		break;
	case FWD_SIDE:
		side_event(f, (struct side *)e, ev);
		break;
	case FWD_SESSION:
		session_event(f, (struct session *)e);
		break;
	}
}

void mc_portfwd_service(struct mc_portfwd *f)
{
	struct epoll_event ev[BATCH];
	int n;

	f->now = monotonic_seconds();
	n = epoll_wait(f->epfd, ev, BATCH, 0);
	for (int i = 0; i < n; i++)
		dispatch(f, ev[i].data.ptr, ev[i].events);
	sweep_sessions(f);
	free_dead(f);
}

void mc_portfwd_drop(struct mc_portfwd *f)
{
	while (f->conns)
		conn_close(f, f->conns);
	while (f->sessions)
		session_close(f, f->sessions);
	free_dead(f);
}

void mc_portfwd_close(struct mc_portfwd *f)
{
	if (!f)
		return;
	mc_portfwd_drop(f);
	for (size_t i = 0; i < f->n_listeners; i++)
		if (f->listeners[i].ep.fd >= 0)
			close(f->listeners[i].ep.fd);
	free(f->listeners);
	if (f->epfd >= 0)
		close(f->epfd);
	free(f);
}
