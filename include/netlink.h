/* SPDX-License-Identifier: MIT */
#ifndef MC_NETLINK_H
#define MC_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * rtnetlink, by hand (no libnl: Debian's static libraries are built for
 * glibc).  A message builder (pure, unit-tested) and the few link, address
 * and route requests mcstatic makes.  Addresses are IPv4 in network byte
 * order.  The request functions record a one-line error that names the
 * object ("bridge mcbr0: create: Operation not permitted") and return -1.
 */

#define MC_NL_BUF 4096

struct mc_nlmsg {
	/* aligned for struct nlmsghdr */
	uint32_t buf[MC_NL_BUF / sizeof(uint32_t)];
	size_t len;
	size_t nest[8];		/* offsets of the open nested attributes */
	unsigned int depth;
	bool overflow;		/* an attribute did not fit: sending fails */
};

/* A fresh message: nlmsghdr (TYPE, FLAGS | NLM_F_REQUEST) + the family
 * header (struct ifinfomsg, ifaddrmsg or rtmsg) of HDR_LEN bytes. */
void mc_nl_init(struct mc_nlmsg *m, uint16_t type, uint16_t flags,
		const void *hdr, size_t hdr_len);
void mc_nl_put(struct mc_nlmsg *m, uint16_t type, const void *data, size_t len);
void mc_nl_put_u32(struct mc_nlmsg *m, uint16_t type, uint32_t v);
void mc_nl_put_str(struct mc_nlmsg *m, uint16_t type, const char *s);
void mc_nl_nest_begin(struct mc_nlmsg *m, uint16_t type);
/* A nest whose payload starts with a family header (VETH_INFO_PEER:
 * a struct ifinfomsg, then the peer's attributes). */
void mc_nl_nest_begin_hdr(struct mc_nlmsg *m, uint16_t type,
			  const void *hdr, size_t hdr_len);
void mc_nl_nest_end(struct mc_nlmsg *m);

/* A NETLINK_ROUTE socket (close-on-exec) in the network namespace of
 * NETNS_FD, or in ours when NETNS_FD < 0 (setns there and back). */
int mc_nl_open(int netns_fd);

/* Send M with NLM_F_ACK and read the answer: 0, or -1 with errno set to
 * the kernel's error (nothing recorded: the callers name the object). */
int mc_nl_request(int fd, struct mc_nlmsg *m);

/* Links.  Index and MTU of NAME: -1 and errno ENODEV when absent. */
int mc_nl_link_get(int fd, const char *name, unsigned int *mtu);
int mc_nl_bridge_add(int fd, const char *name);
/* A veth pair: NAME here, PEER created directly in the namespace of
 * PEER_NETNS_FD (so it may be called eth0 there); both with MTU. */
int mc_nl_veth_add(int fd, const char *name, const char *peer,
		   int peer_netns_fd, unsigned int mtu);
int mc_nl_link_set_master(int fd, int ifindex, int master_ifindex);
int mc_nl_link_up(int fd, int ifindex);
int mc_nl_link_del(int fd, int ifindex);

/* ADDR/PREFIX on IFINDEX (with its broadcast address). */
int mc_nl_addr_add(int fd, int ifindex, uint32_t addr, unsigned int prefix);
/* The first IPv4 address on IFINDEX: 0, or -1 and errno ENOENT. */
int mc_nl_addr_get(int fd, int ifindex, uint32_t *addr, unsigned int *prefix);
/* The default route through GATEWAY, out of IFINDEX. */
int mc_nl_route_default(int fd, int ifindex, uint32_t gateway);

#endif
