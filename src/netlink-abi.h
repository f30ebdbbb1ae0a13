/* SPDX-License-Identifier: MIT */
#ifndef MC_NETLINK_ABI_H
#define MC_NETLINK_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "netlink.h"

/*
 * The rtnetlink ABI, spelled out: musl has AF_NETLINK in <sys/socket.h>
 * but none of the kernel's uapi headers, and musl-gcc does not see
 * /usr/include/linux.  These values are ABI, fixed forever; checked against
 * linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h and veth.h.  Private
 * to the netlink module: never include it next to the kernel's headers.
 */

#ifndef NETLINK_ROUTE
#define NETLINK_ROUTE		0
#endif

/* linux/netlink.h */
struct nlmsghdr {
	uint32_t nlmsg_len;	/* header included */
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct nlmsgerr {
	int error;		/* 0 (an ack) or a negative errno */
	struct nlmsghdr msg;	/* the request's header */
};

#define NLM_F_REQUEST		0x01
#define NLM_F_MULTI		0x02
#define NLM_F_ACK		0x04
#define NLM_F_ROOT		0x100	/* GET */
#define NLM_F_MATCH		0x200	/* GET */
#define NLM_F_DUMP		(NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_EXCL		0x200	/* NEW */
#define NLM_F_CREATE		0x400	/* NEW */

#define NLMSG_ALIGNTO		4U
#define NLMSG_ALIGN(len)	(((len) + NLMSG_ALIGNTO - 1) & \
				 ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN		NLMSG_ALIGN(sizeof(struct nlmsghdr))

/* NLMSG_DATA: the family header (or struct nlmsgerr) after H. */
static inline const void *mc_nl_data(const struct nlmsghdr *h)
{
	return (const char *)h + NLMSG_HDRLEN;
}

#define NLMSG_NOOP		0x1
#define NLMSG_ERROR		0x2
#define NLMSG_DONE		0x3
#define NLMSG_OVERRUN		0x4
#define NLMSG_MIN_TYPE		0x10	/* below: the control messages */

struct sockaddr_nl {
	unsigned short nl_family;	/* sa_family_t: AF_NETLINK */
	unsigned short nl_pad;
	uint32_t nl_pid;		/* 0: the kernel */
	uint32_t nl_groups;
};

/* linux/rtnetlink.h */
struct rtattr {
	uint16_t rta_len;	/* header included, padding not */
	uint16_t rta_type;
};

#define RTA_ALIGNTO		4U
#define RTA_ALIGN(len)		(((len) + RTA_ALIGNTO - 1) & ~(RTA_ALIGNTO - 1))
#define RTA_HDRLEN		RTA_ALIGN(sizeof(struct rtattr))

#define RTM_NEWLINK		16
#define RTM_DELLINK		17
#define RTM_GETLINK		18
#define RTM_SETLINK		19
#define RTM_NEWADDR		20
#define RTM_DELADDR		21
#define RTM_GETADDR		22
#define RTM_NEWROUTE		24
#define RTM_DELROUTE		25
#define RTM_GETROUTE		26

struct rtmsg {
	uint8_t rtm_family;
	uint8_t rtm_dst_len;
	uint8_t rtm_src_len;
	uint8_t rtm_tos;
	uint8_t rtm_table;
	uint8_t rtm_protocol;
	uint8_t rtm_scope;
	uint8_t rtm_type;
	uint32_t rtm_flags;
};

#define RTN_UNICAST		1
#define RTPROT_BOOT		3
#define RT_SCOPE_UNIVERSE	0
#define RT_SCOPE_LINK		253
#define RT_SCOPE_HOST		254
#define RT_TABLE_MAIN		254

#define RTA_DST			1
#define RTA_OIF			4
#define RTA_GATEWAY		5
#define RTA_TABLE		15

/* linux/rtnetlink.h (struct ifinfomsg) and linux/if_link.h */
struct ifinfomsg {
	uint8_t ifi_family;
	uint8_t ifi_pad;
	uint16_t ifi_type;
	int32_t ifi_index;
	uint32_t ifi_flags;
	uint32_t ifi_change;
};

#define IFLA_IFNAME		3
#define IFLA_MTU		4
#define IFLA_MASTER		10
#define IFLA_LINKINFO		18
#define IFLA_NET_NS_FD		28
#define IFLA_EXT_MASK		29
#define RTEXT_FILTER_SKIP_STATS	(1U << 3)

#define IFLA_INFO_KIND		1
#define IFLA_INFO_DATA		2

/* linux/veth.h */
#define VETH_INFO_PEER		1

/* linux/if_addr.h */
struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};

#define IFA_ADDRESS		1
#define IFA_LOCAL		2
#define IFA_BROADCAST		4

_Static_assert(sizeof(struct sockaddr_nl) == 12, "struct sockaddr_nl");
_Static_assert(sizeof(struct nlmsghdr) == 16, "struct nlmsghdr");
_Static_assert(sizeof(struct nlmsgerr) == 20, "struct nlmsgerr");
_Static_assert(sizeof(struct rtattr) == 4, "struct rtattr");
_Static_assert(sizeof(struct ifinfomsg) == 16, "struct ifinfomsg");
_Static_assert(sizeof(struct ifaddrmsg) == 8, "struct ifaddrmsg");
_Static_assert(sizeof(struct rtmsg) == 12, "struct rtmsg");

/*
 * Between netlink.c and netlink-link.c.  A reply message that is neither
 * the ack nor NLMSG_DONE goes to FN (0, or -1 with errno to stop with).
 */
typedef int mc_nl_reply_fn(const struct nlmsghdr *h, void *ctx);

/* mc_nl_request(), with the replies to FN (may be NULL). */
int mc_nl_talk(int fd, struct mc_nlmsg *m, mc_nl_reply_fn *fn, void *ctx);

/* The payload and *LEN of the first attribute TYPE after the family
 * header (HDR_LEN bytes) of H, or NULL. */
const void *mc_nl_attr(const struct nlmsghdr *h, size_t hdr_len,
		       uint16_t type, size_t *len);

/* mc_error(ERR, FMT...), then errno = ERR (the callers test it). */
int mc_nl_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
