// SPDX-License-Identifier: MIT
/* The rtnetlink requests: links (bridge, veth), addresses, default route. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "error.h"
#include "netlink-abi.h"
#include "netlink.h"

/* "10.89.0.2" of an address in network byte order. */
static const char *ip4_str(uint32_t addr, char buf[16])
{
	const uint8_t *b = (const uint8_t *)&addr;

	snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

struct link_reply {
	int index;
	unsigned int mtu;
};

static int link_reply(const struct nlmsghdr *h, void *ctx)
{
	const struct ifinfomsg *ifi = mc_nl_data(h);
	struct link_reply *r = ctx;
	const void *mtu;
	size_t len;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    h->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi))
		return 0;
	r->index = ifi->ifi_index;
	mtu = mc_nl_attr(h, sizeof(*ifi), IFLA_MTU, &len);
	if (mtu && len == sizeof(uint32_t))
		memcpy(&r->mtu, mtu, sizeof(uint32_t));
	return 0;
}

int mc_nl_link_get(int fd, const char *name, unsigned int *mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_reply r = { .index = -1 };
	struct mc_nlmsg m;

	mc_nl_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	mc_nl_put_str(&m, IFLA_IFNAME, name);
	/* The counters are most of the answer, and we want none of them. */
	mc_nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (mc_nl_talk(fd, &m, link_reply, &r) < 0) {
		if (errno == ENODEV)
			return -1;	/* absent: the caller's question */
		return mc_nl_fail(errno, "link %s: get", name);
	}
	if (r.index < 1)
		return mc_nl_fail(EPROTO, "link %s: get", name);
	if (mtu)
		*mtu = r.mtu;
	return r.index;
}

/* RTM_NEWLINK of a new link NAME of KIND: the message up to IFLA_LINKINFO's
 * kind, left open for the caller's IFLA_INFO_DATA. */
static void link_new(struct mc_nlmsg *m, const char *name, const char *kind,
		     unsigned int mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	mc_nl_init(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi,
		   sizeof(ifi));
	mc_nl_put_str(m, IFLA_IFNAME, name);
	if (mtu)
		mc_nl_put_u32(m, IFLA_MTU, mtu);
	mc_nl_nest_begin(m, IFLA_LINKINFO);
	mc_nl_put_str(m, IFLA_INFO_KIND, kind);
}

int mc_nl_bridge_add(int fd, const char *name)
{
	struct mc_nlmsg m;

	link_new(&m, name, "bridge", 0);
	mc_nl_nest_end(&m);
	if (mc_nl_request(fd, &m) < 0)
		return mc_nl_fail(errno, "bridge %s: create", name);
	mc_debug("[net] Created bridge %s", name);
	return 0;
}

int mc_nl_veth_add(int fd, const char *name, const char *peer,
		   int peer_netns_fd, unsigned int mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct mc_nlmsg m;

	link_new(&m, name, "veth", mtu);
	mc_nl_nest_begin(&m, IFLA_INFO_DATA);
	/* The peer is a whole link request of its own, header first; with
	 * IFLA_NET_NS_FD it is born in the container's namespace, so its
	 * name there (eth0) cannot clash with ours. */
	mc_nl_nest_begin_hdr(&m, VETH_INFO_PEER, &ifi, sizeof(ifi));
	mc_nl_put_str(&m, IFLA_IFNAME, peer);
	if (mtu)
		mc_nl_put_u32(&m, IFLA_MTU, mtu);
	if (peer_netns_fd >= 0)
		mc_nl_put_u32(&m, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mc_nl_nest_end(&m);
	mc_nl_nest_end(&m);
	mc_nl_nest_end(&m);
	if (mc_nl_request(fd, &m) < 0)
		return mc_nl_fail(errno, "veth %s: create", name);
	mc_debug("[net] Created veth %s, peer %s", name, peer);
	return 0;
}

/* An RTM_NEWLINK on an existing link: only what it carries changes. */
static void link_change(struct mc_nlmsg *m, uint16_t type, int ifindex,
			unsigned int flags, unsigned int change)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = flags,
		.ifi_change = change,
	};

	mc_nl_init(m, type, 0, &ifi, sizeof(ifi));
}

int mc_nl_link_set_master(int fd, int ifindex, int master_ifindex)
{
	struct mc_nlmsg m;

	link_change(&m, RTM_NEWLINK, ifindex, 0, 0);
	mc_nl_put_u32(&m, IFLA_MASTER, (uint32_t)master_ifindex);
	if (mc_nl_request(fd, &m) < 0)
		return mc_nl_fail(errno, "link %d: set master %d", ifindex,
				  master_ifindex);
	return 0;
}

int mc_nl_link_up(int fd, int ifindex)
{
	struct mc_nlmsg m;

	/* ifi_change says which bits of ifi_flags to apply. */
	link_change(&m, RTM_NEWLINK, ifindex, IFF_UP, IFF_UP);
	if (mc_nl_request(fd, &m) < 0)
		return mc_nl_fail(errno, "link %d: up", ifindex);
	return 0;
}

int mc_nl_link_del(int fd, int ifindex)
{
	struct mc_nlmsg m;

	link_change(&m, RTM_DELLINK, ifindex, 0, 0);
	if (mc_nl_request(fd, &m) < 0)
		return mc_nl_fail(errno, "link %d: delete", ifindex);
	return 0;
}

int mc_nl_addr_add(int fd, int ifindex, uint32_t addr, unsigned int prefix)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET,
		.ifa_prefixlen = (uint8_t)prefix,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t)ifindex,
	};
	struct mc_nlmsg m;
	char a[16];

	if (prefix > 32)
		return mc_nl_fail(EINVAL, "address %s/%u", ip4_str(addr, a),
				  prefix);
	mc_nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa,
		   sizeof(ifa));
	/* IFA_ADDRESS is the peer on point-to-point links, else the same. */
	mc_nl_put(&m, IFA_LOCAL, &addr, sizeof(addr));
	mc_nl_put(&m, IFA_ADDRESS, &addr, sizeof(addr));
	/* A /31 or /32 has no broadcast address (RFC 3021). */
	if (prefix < 31) {
		uint32_t brd = addr | htonl(~0U >> prefix);

		mc_nl_put(&m, IFA_BROADCAST, &brd, sizeof(brd));
	}
	if (mc_nl_request(fd, &m) < 0)
		return mc_nl_fail(errno, "address %s/%u", ip4_str(addr, a),
				  prefix);
	return 0;
}

struct addr_reply {
	int ifindex;
	bool found;
	uint32_t addr;
	unsigned int prefix;
};

static int addr_reply(const struct nlmsghdr *h, void *ctx)
{
	const struct ifaddrmsg *ifa = mc_nl_data(h);
	struct addr_reply *r = ctx;
	const void *a;
	size_t len;

	/* Read on to NLMSG_DONE even after a match: the dump must drain. */
	if (r->found || h->nlmsg_type != RTM_NEWADDR ||
	    h->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifa) ||
	    ifa->ifa_family != AF_INET || (int)ifa->ifa_index != r->ifindex)
		return 0;
	a = mc_nl_attr(h, sizeof(*ifa), IFA_LOCAL, &len);
	if (!a)
		a = mc_nl_attr(h, sizeof(*ifa), IFA_ADDRESS, &len);
	if (!a || len != sizeof(uint32_t))
		return 0;
	memcpy(&r->addr, a, sizeof(uint32_t));
	r->prefix = ifa->ifa_prefixlen;
	r->found = true;
	return 0;
}

int mc_nl_addr_get(int fd, int ifindex, uint32_t *addr, unsigned int *prefix)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	struct addr_reply r = { .ifindex = ifindex };
	struct mc_nlmsg m;

	/* A dump of every IPv4 address: only strict mode filters by link. */
	mc_nl_init(&m, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	if (mc_nl_talk(fd, &m, addr_reply, &r) < 0)
		return mc_nl_fail(errno, "link %d: addresses", ifindex);
	if (!r.found) {
		errno = ENOENT;
		return -1;
	}
	*addr = r.addr;
	*prefix = r.prefix;
	return 0;
}

int mc_nl_route_default(int fd, int ifindex, uint32_t gateway)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 0,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};
	struct mc_nlmsg m;
	char a[16];

	mc_nl_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm,
		   sizeof(rtm));
	mc_nl_put(&m, RTA_GATEWAY, &gateway, sizeof(gateway));
	mc_nl_put_u32(&m, RTA_OIF, (uint32_t)ifindex);
	if (mc_nl_request(fd, &m) < 0)
		return mc_nl_fail(errno, "default route via %s",
				  ip4_str(gateway, a));
	mc_debug("[net] Default route via %s", ip4_str(gateway, a));
	return 0;
}
