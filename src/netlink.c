// SPDX-License-Identifier: MIT
/*
 * rtnetlink by hand: the message builder, the socket (in a namespace of our
 * choosing) and one request/answer exchange.  The requests themselves are
 * in netlink-link.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "netlink-abi.h"
#include "netlink.h"
#include "util.h"

static uint32_t nl_seq;

static struct nlmsghdr *nl_hdr(struct mc_nlmsg *m)
{
	return (struct nlmsghdr *)m->buf;
}

static void nl_set_len(struct mc_nlmsg *m)
{
	nl_hdr(m)->nlmsg_len = (uint32_t)m->len;
}

void mc_nl_init(struct mc_nlmsg *m, uint16_t type, uint16_t flags,
		const void *hdr, size_t hdr_len)
{
	struct nlmsghdr *h = nl_hdr(m);

	m->len = NLMSG_HDRLEN;
	m->depth = 0;
	m->overflow = false;
	memset(h, 0, NLMSG_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = ++nl_seq;
	if (NLMSG_HDRLEN + NLMSG_ALIGN(hdr_len) > MC_NL_BUF) {
		m->overflow = true;
	} else if (hdr_len) {
		memset((char *)m->buf + m->len, 0, NLMSG_ALIGN(hdr_len));
		memcpy((char *)m->buf + m->len, hdr, hdr_len);
		m->len += NLMSG_ALIGN(hdr_len);
	}
	nl_set_len(m);
}

void mc_nl_put(struct mc_nlmsg *m, uint16_t type, const void *data, size_t len)
{
	size_t need = RTA_HDRLEN + len;
	struct rtattr *rta;

	/* rta_len is 16 bits; every attribute starts 4-byte aligned. */
	if (m->overflow || need > UINT16_MAX ||
	    RTA_ALIGN(need) > MC_NL_BUF - m->len) {
		m->overflow = true;
		return;
	}
	rta = (struct rtattr *)((char *)m->buf + m->len);
	rta->rta_len = (uint16_t)need;
	rta->rta_type = type;
	if (len)
		memcpy((char *)rta + RTA_HDRLEN, data, len);
	memset((char *)rta + need, 0, RTA_ALIGN(need) - need);
	m->len += RTA_ALIGN(need);
	nl_set_len(m);
}

void mc_nl_put_u32(struct mc_nlmsg *m, uint16_t type, uint32_t v)
{
	mc_nl_put(m, type, &v, sizeof(v));
}

/* With the NUL: the kernel takes names either way, iproute2 sends it. */
void mc_nl_put_str(struct mc_nlmsg *m, uint16_t type, const char *s)
{
	mc_nl_put(m, type, s, strlen(s) + 1);
}

void mc_nl_nest_begin_hdr(struct mc_nlmsg *m, uint16_t type,
			  const void *hdr, size_t hdr_len)
{
	if (m->depth < ARRAY_SIZE(m->nest))
		m->nest[m->depth] = m->len;
	else
		m->overflow = true;
	m->depth++;
	mc_nl_put(m, type, hdr, hdr_len);
}

void mc_nl_nest_begin(struct mc_nlmsg *m, uint16_t type)
{
	mc_nl_nest_begin_hdr(m, type, NULL, 0);
}

/* A nest's length covers everything put since it began. */
void mc_nl_nest_end(struct mc_nlmsg *m)
{
	struct rtattr *rta;

	if (m->depth == 0) {
		m->overflow = true;	/* unbalanced: never send it */
		return;
	}
	m->depth--;
	if (m->overflow)
		return;
	rta = (struct rtattr *)((char *)m->buf + m->nest[m->depth]);
	rta->rta_len = (uint16_t)(m->len - m->nest[m->depth]);
}

int mc_nl_fail(int err, const char *fmt, ...)
{
	char msg[MC_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mc_error(err, "%s", msg);
	errno = err;
	return -1;
}

static int nl_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return mc_error(errno, "netlink socket");
	return fd;
}

/*
 * A socket stays in the namespace it was made in: go there, make it, come
 * back.  setns(CLONE_NEWNET) moves only this thread, hence thread-self.
 */
int mc_nl_open(int netns_fd)
{
	_cleanup_close_ int ours = -1;
	int fd;

	if (netns_fd < 0)
		return nl_socket();
	ours = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ours < 0)
		return mc_error(errno, "network namespace: open "
				"/proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return mc_error(errno, "network namespace: enter");
	fd = nl_socket();
	if (setns(ours, CLONE_NEWNET) < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return mc_error(err, "network namespace: return to ours");
	}
	if (fd < 0)
		return mc_error_context("network namespace");
	return fd;
}

static int nl_send(int fd, struct mc_nlmsg *m)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (m->overflow || m->depth) {
		errno = EMSGSIZE;
		return -1;
	}
	do
		n = sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&kernel,
			   sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != m->len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/*
 * One message of the answer to SEQ: 1 at its end (the ack, NLMSG_DONE),
 * 0 to read on, -1 with errno set to the kernel's error.
 */
static int nl_answer(const struct nlmsghdr *h, uint32_t seq,
		     mc_nl_reply_fn *fn, void *ctx)
{
	const struct nlmsgerr *e = mc_nl_data(h);
	size_t payload = h->nlmsg_len - NLMSG_HDRLEN;
	int error;

	if (h->nlmsg_seq != seq)
		return 0;	/* an older request's leftovers */
	if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) {
		/* NLMSG_DONE carries an int error too (0 on old kernels). */
		if (payload < sizeof(int))
			return 1;
		memcpy(&error, &e->error, sizeof(error));
		if (error >= 0)
			return 1;
		errno = -error;
		return -1;
	}
	if (h->nlmsg_type < NLMSG_MIN_TYPE || !fn)
		return 0;
	return fn(h, ctx) < 0 ? -1 : 0;
}

/* Read datagrams until the answer to SEQ ends. */
static int nl_recv(int fd, uint32_t seq, mc_nl_reply_fn *fn, void *ctx)
{
	/* A dump's datagrams are no bigger than what we read them with
	 * (NLMSG_GOODSIZE at least); an ack carries our request back. */
	uint32_t buf[16384 / sizeof(uint32_t)];
	const struct nlmsghdr *h;
	ssize_t n;
	size_t off;
	int r;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if ((size_t)n > sizeof(buf)) {
			errno = EMSGSIZE;
			return -1;
		}
		for (off = 0; off + NLMSG_HDRLEN <= (size_t)n;
		     off += NLMSG_ALIGN(h->nlmsg_len)) {
			h = (const struct nlmsghdr *)((char *)buf + off);
			if (h->nlmsg_len < NLMSG_HDRLEN ||
			    h->nlmsg_len > (size_t)n - off) {
				errno = EPROTO;
				return -1;
			}
			r = nl_answer(h, seq, fn, ctx);
			if (r)
				return r < 0 ? -1 : 0;
		}
	}
}

int mc_nl_talk(int fd, struct mc_nlmsg *m, mc_nl_reply_fn *fn, void *ctx)
{
	struct nlmsghdr *h = nl_hdr(m);

	/* A dump ends with NLMSG_DONE (and no ack), the rest with the ack. */
	h->nlmsg_flags |= NLM_F_ACK;
	if (nl_send(fd, m) < 0)
		return -1;
	return nl_recv(fd, h->nlmsg_seq, fn, ctx);
}

int mc_nl_request(int fd, struct mc_nlmsg *m)
{
	return mc_nl_talk(fd, m, NULL, NULL);
}

const void *mc_nl_attr(const struct nlmsghdr *h, size_t hdr_len,
		       uint16_t type, size_t *len)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdr_len);
	const struct rtattr *rta;

	while (off + RTA_HDRLEN <= h->nlmsg_len) {
		rta = (const struct rtattr *)((const char *)h + off);
		if (rta->rta_len < RTA_HDRLEN ||
		    rta->rta_len > h->nlmsg_len - off)
			return NULL;
		/* The top bits are NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
		if ((rta->rta_type & 0x3fff) == type) {
			*len = rta->rta_len - RTA_HDRLEN;
			return (const char *)rta + RTA_HDRLEN;
		}
		off += RTA_ALIGN(rta->rta_len);
	}
	return NULL;
}
