// SPDX-License-Identifier: MIT
/* Parent <-> child records over the sync socket, with a descriptor at times. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "error.h"
#include "sync.h"

int mc_sync_send(int sock, const struct mc_sync_msg *m, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return mc_error(errno, "sync socket");
	return 0;
}

int mc_sync_send_type(int sock, int type, int value)
{
	struct mc_sync_msg m = { .type = type, .value = value };

	return mc_sync_send(sock, &m, -1);
}

int mc_sync_recv(int sock, struct mc_sync_msg *m, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;

	if (fd)
		*fd = -1;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			return mc_error(errno, "sync socket");
	if (n == 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		int got;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		if (fd)
			*fd = got;
		else
			close(got);
	}
	if (n != (ssize_t)sizeof(*m))
		return mc_error(EPROTO, "sync socket: short message");
	m->text[sizeof(m->text) - 1] = '\0';
	return 1;
}

_Noreturn void mc_sync_fail(int sock, int exit_code)
{
	struct mc_sync_msg m = {
		.type = MC_SYNC_ERROR,
		.exit_code = exit_code,
		.err = mc_error_errno(),
	};

	strncpy(m.text, mc_error_text(), sizeof(m.text) - 1);
	if (mc_sync_send(sock, &m, -1) < 0)
		mc_error_print();
	_exit(exit_code);
}

void mc_sync_take_error(const struct mc_sync_msg *m)
{
	mc_error_set(m->err, m->text);
}
