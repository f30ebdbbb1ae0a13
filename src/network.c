// SPDX-License-Identifier: MIT
/*
 * A container's network: the bridge and its lease, the generated files,
 * the veth of each run, and the forwarder of -p.  The rtnetlink requests
 * are netlink.c's, the leases ipam.c's, the listeners portfwd.c's; this
 * file puts them in order and undoes them on every path.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "ipam.h"
#include "life.h"
#include "netlink.h"
#include "network.h"
#include "portfwd.h"
#include "state.h"
#include "util.h"

static const char *ntoa(uint32_t addr, char *buf)
{
	return inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
}

static uint32_t prefix_mask(unsigned int prefix)
{
	return htonl(prefix ? ~0U << (32 - prefix) : 0);
}

/* The bridge's subnet, from its address: the gateway is that address. */
static int bridge_subnet(struct mc_netrun *nr, int nl)
{
	const struct mc_net *net = nr->net;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	uint32_t addr;
	unsigned int prefix;

	if (mc_nl_addr_get(nl, nr->bridge_index, &addr, &prefix) < 0) {
		if (errno != ENOENT)
			return mc_error(errno, "bridge %s: address", nr->bridge);
		return 1;	/* none yet */
	}
	nr->gateway = addr;
	nr->prefix = prefix;
	nr->subnet = addr & prefix_mask(prefix);
	if (net->subnet && (net->subnet != nr->subnet || net->prefix != prefix))
		return mc_error(0, "bridge %s: its subnet is %s/%u, not %s/%u",
				nr->bridge, ntoa(nr->subnet, a), prefix,
				ntoa(net->subnet, b), net->prefix);
	return 0;
}

/* Give the bridge its gateway address (the subnet's first) and bring it up. */
static int bridge_address(struct mc_netrun *nr, int nl)
{
	const struct mc_net *net = nr->net;

	if (net->subnet) {
		nr->subnet = net->subnet;
		nr->prefix = net->prefix;
	} else if (mc_ipam_default_subnet(&nr->subnet, &nr->prefix) < 0) {
		return -1;
	}
	nr->gateway = htonl(ntohl(nr->subnet) + 1);
	if (mc_nl_addr_add(nl, nr->bridge_index, nr->gateway, nr->prefix) < 0)
		return mc_error_context("bridge %s", nr->bridge);
	return 0;
}

/*
 * The bridge, made when absent (under the leases' lock: two mcstatic
 * making it at once would race on its address).  It stays when the last
 * container goes: other containers, and the user's rules, may refer to it.
 */
/* <root>/@net/<bridge>.made: mcstatic made the bridge, prune may remove it. */
static void made_path(const char *net_dir, const char *bridge, char *buf,
		      size_t size)
{
	snprintf(buf, size, "%s/%s.made", net_dir, bridge);
}

static int ensure_bridge(struct mc_netrun *nr, const struct mc_ipam *ip)
{
	char made[PATH_MAX + 32];
	_cleanup_close_ int nl = mc_nl_open(-1);
	int ret;

	if (nl < 0)
		return -1;
	nr->bridge_index = mc_nl_link_get(nl, nr->bridge, &nr->mtu);
	if (nr->bridge_index < 0) {
		if (errno != ENODEV)
			return mc_error(errno, "bridge %s", nr->bridge);
		if (mc_nl_bridge_add(nl, nr->bridge) < 0)
			return -1;
		made_path(ip->root, nr->bridge, made, sizeof(made));
		close(open(made, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		nr->bridge_index = mc_nl_link_get(nl, nr->bridge, &nr->mtu);
		if (nr->bridge_index < 0)
			return mc_error(errno, "bridge %s", nr->bridge);
	}
	ret = bridge_subnet(nr, nl);
	if (ret < 0 || (ret > 0 && bridge_address(nr, nl) < 0))
		return -1;
	return mc_nl_link_up(nl, nr->bridge_index);
}

/* The hostname: the one asked for, else the container's name, else a
 * random ID as docker gives one (in the lease too: the hosts files of the
 * others are made from the leases). */
static int pick_hostname(struct mc_netrun *nr, const struct mc_spec *spec,
			 const char *id)
{
	if (spec->hostname || id) {
		snprintf(nr->hostname, sizeof(nr->hostname), "%s",
			 spec->hostname ? spec->hostname : id);
		return 0;
	}
	return mc_name_random(nr->hostname, sizeof(nr->hostname));
}

static int lease(struct mc_netrun *nr, struct mc_ipam *ip, const char *id,
		 const struct mc_spec *spec)
{
	struct mc_lease req = { .nat = nr->net->nat }, got = { 0 };
	struct mc_netfiles f = {
		.name = id, .dns = nr->net->dns, .n_dns = nr->net->n_dns,
		.hosts = nr->net->hosts, .n_hosts = nr->net->n_hosts,
	};

	snprintf(req.name, sizeof(req.name), "%s", id ? id : "");
	if (pick_hostname(nr, spec, id) < 0)
		return -1;
	snprintf(req.hostname, sizeof(req.hostname), "%s", nr->hostname);
	if (mc_ipam_alloc(ip, nr->subnet, nr->prefix, nr->net->ip, &req, &got) < 0)
		return -1;
	nr->addr = got.addr;
	if (mc_ipam_dir(ip, nr->addr, nr->dir, sizeof(nr->dir)) < 0)
		return -1;
	f.hostname = nr->hostname;
	f.addr = nr->addr;
	if (mc_netfiles_write(nr->dir, &f, ip) < 0 ||
	    mc_netfiles_refresh_hosts(ip) < 0)
		return -1;
	if (nr->net->nat) {
		if (mc_nat_set(nr->subnet, nr->prefix, true) < 0)
			return -1;
		nr->nat = true;
		mc_debug("[net] NAT for %s/%u through nft",
			 ntoa(nr->subnet, (char[INET_ADDRSTRLEN]){ 0 }), nr->prefix);
	}
	return 0;
}

/* The lease's files over the image's (the engines' way: a bind each). */
static int mount_files(struct mc_spec *spec, const struct mc_netrun *nr)
{
	static const char *const files[] = { "hosts", "hostname", "resolv.conf" };

	if (!spec->rootfs)
		return 0;	/* the host's /etc is not ours to cover */
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char src[PATH_MAX + 16], dst[32];
		struct mc_mount m = { .type = "bind", .flags = MS_BIND };
		char *s, *d;

		snprintf(src, sizeof(src), "%s/%s", nr->dir, files[i]);
		snprintf(dst, sizeof(dst), "/etc/%s", files[i]);
		s = strdup(src);
		d = strdup(dst);
		if (mc_spec_own(spec, s) < 0 || mc_spec_own(spec, d) < 0)
			return -1;
		m.source = s;
		m.target = d;
		if (mc_spec_add_mount(spec, &m) < 0)
			return -1;
	}
	return 0;
}

/* NAT off for BRIDGE's subnet (read from the bridge, which has it). */
static void nat_off(const char *bridge)
{
	_cleanup_close_ int nl = mc_nl_open(-1);
	struct mc_netrun nr = { 0 };
	unsigned int mtu;

	snprintf(nr.bridge, sizeof(nr.bridge), "%s", bridge);
	if (nl < 0 || (nr.bridge_index = mc_nl_link_get(nl, bridge, &mtu)) < 0 ||
	    mc_nl_addr_get(nl, nr.bridge_index, &nr.gateway, &nr.prefix) < 0)
		return;
	mc_nat_set(nr.gateway & prefix_mask(nr.prefix), nr.prefix, false);
}

/* What a lease of a process gone leaves: the others' hosts files name it,
 * and it may have been the NAT rule's last user. */
static void after_reclaim(struct mc_ipam *ip)
{
	if (!ip->reclaimed)
		return;
	mc_netfiles_refresh_hosts(ip);
	if (ip->stale_nat && !mc_ipam_nat_users(ip))
		nat_off(ip->bridge);
}

static int prepare_bridge(struct mc_spec *spec, const char *id,
			  struct mc_netrun *nr)
{
	struct mc_ipam ip;
	int ret;

	if (geteuid() != 0)
		return mc_error(EPERM, "bridge %s: a bridge needs root (rootless: "
				       "slirp4netns or pasta)", nr->bridge);
	if (mc_ipam_open(nr->root, nr->bridge, &ip) < 0)
		return -1;
	ret = ensure_bridge(nr, &ip);
	if (ret == 0)
		after_reclaim(&ip);
	if (ret == 0)
		ret = lease(nr, &ip, id, spec);
	if (ret < 0 && nr->addr) {
		mc_ipam_free(&ip, nr->addr);
		mc_netfiles_refresh_hosts(&ip);
		nr->addr = 0;
	}
	if (ret < 0 && nr->nat && !mc_ipam_nat_users(&ip))
		mc_nat_set(nr->subnet, nr->prefix, false);
	mc_ipam_close(&ip);
	if (ret < 0)
		return -1;
	/* One given is the user's (validated later, whatever its length). */
	if (!spec->hostname)
		spec->hostname = nr->hostname;
	return mount_files(spec, nr);
}

int mc_net_prepare(struct mc_spec *spec, const char *state_root,
		   const char *id, struct mc_netrun *nr)
{
	const struct mc_net *net = &spec->net;

	*nr = (struct mc_netrun){ .maker_sock = -1, .helper_exit = -1 };
	if (net->mode == MC_NET_HOST)
		return 0;
	nr->net = net;
	snprintf(nr->bridge, sizeof(nr->bridge), "%s",
		 net->bridge ? net->bridge : MC_NET_BRIDGE_DEFAULT);
	if (mc_state_root(state_root, nr->root, sizeof(nr->root)) < 0)
		return -1;
	if (net->mode == MC_NET_BRIDGE && prepare_bridge(spec, id, nr) < 0)
		goto fail;
	if (net->n_ports && mc_portfwd_open(net->ports, net->n_ports, &nr->fwd) < 0)
		goto fail;
	return 0;
fail:
	mc_net_release(nr);
	return -1;
}

/* eth0 in the container: the peer of a veth whose other end is on the bridge. */
static int attach_veth(struct mc_netrun *nr, pid_t pid, int netns)
{
	_cleanup_close_ int nl = mc_nl_open(-1);
	_cleanup_close_ int cnl = -1;
	int veth, eth0;
	unsigned int mtu;

	if (nl < 0)
		return -1;
	snprintf(nr->veth, sizeof(nr->veth), "mcv%x", (unsigned int)pid);
	if (mc_nl_veth_add(nl, nr->veth, "eth0", netns, nr->mtu) < 0) {
		nr->veth[0] = '\0';
		return -1;
	}
	veth = mc_nl_link_get(nl, nr->veth, &mtu);
	if (veth < 0)
		return mc_error(errno, "veth %s", nr->veth);
	if (mc_nl_link_set_master(nl, veth, nr->bridge_index) < 0 ||
	    mc_nl_link_up(nl, veth) < 0)
		return -1;
	cnl = mc_nl_open(netns);
	if (cnl < 0)
		return -1;
	eth0 = mc_nl_link_get(cnl, "eth0", &mtu);
	if (eth0 < 0)
		return mc_error(errno, "container's eth0");
	if (mc_nl_addr_add(cnl, eth0, nr->addr, nr->prefix) < 0 ||
	    mc_nl_link_up(cnl, eth0) < 0 ||
	    mc_nl_route_default(cnl, eth0, nr->gateway) < 0)
		return -1;
	mc_debug("[net] eth0 %s/%u on bridge %s (veth %s)",
		 ntoa(nr->addr, (char[INET_ADDRSTRLEN]){ 0 }), nr->prefix,
		 nr->bridge, nr->veth);
	return 0;
}

int mc_net_attach(struct mc_netrun *nr, pid_t pid)
{
	char path[64];
	_cleanup_close_ int netns = -1;

	if (!nr || !nr->net)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return mc_error(errno, "%s", path);
	if (nr->net->mode == MC_NET_BRIDGE) {
		if (attach_veth(nr, pid, netns) < 0)
			goto fail;
		if (nr->fwd)
			mc_portfwd_target(nr->fwd, nr->addr, NULL, NULL);
		return 0;
	}
	if ((nr->net->mode == MC_NET_SLIRP4NETNS ||
	     nr->net->mode == MC_NET_PASTA) && mc_net_helper_start(nr, pid) < 0)
		goto fail;
	/* Elsewhere the container's namespace is not routed to from ours: a
	 * process of ours in it makes the sockets, to its loopback. */
	if (nr->fwd) {
		if (mc_net_maker_start(nr, pid) < 0)
			goto fail;
		mc_portfwd_target(nr->fwd, htonl(INADDR_LOOPBACK),
				  mc_net_maker_socket, nr);
	}
	return 0;
fail:
	mc_net_detach(nr);
	return -1;
}

void mc_net_detach(struct mc_netrun *nr)
{
	if (!nr || !nr->net)
		return;
	if (nr->fwd) {
		mc_portfwd_target(nr->fwd, 0, NULL, NULL);
		mc_portfwd_drop(nr->fwd);
	}
	mc_net_maker_stop(nr);
	mc_net_helper_stop(nr);
	/*
	 * The veth goes with the container's namespace: the kernel removes
	 * both ends when its last process has gone (its cleanup work runs
	 * some 20 ms later here).  Deleting it ourselves would be at once,
	 * but RTM_DELLINK waits for RCU grace periods: 35-40 ms, ten times
	 * the rest of a start.
	 */
	nr->veth[0] = '\0';
}

void mc_net_release(struct mc_netrun *nr)
{
	struct mc_ipam ip;

	if (!nr || !nr->net)
		return;
	mc_net_detach(nr);
	mc_portfwd_close(nr->fwd);
	nr->fwd = NULL;
	if (nr->addr && mc_ipam_open(nr->root, nr->bridge, &ip) == 0) {
		mc_ipam_free(&ip, nr->addr);
		mc_netfiles_refresh_hosts(&ip);
		/* The rule goes with the last container that asked for it. */
		if (nr->nat && !mc_ipam_nat_users(&ip))
			mc_nat_set(nr->subnet, nr->prefix, false);
		mc_ipam_close(&ip);
	}
	nr->addr = 0;
	nr->nat = false;
	nr->net = NULL;
}

/*
 * Each bridge with a leases file in the state root, locked and read (the
 * leases of processes gone reclaimed): EACH(ip, data) for it.  -1 only when
 * the state root itself is bad.
 */
static int each_bridge(const char *state_root,
		       void (*each)(struct mc_ipam *ip, void *data), void *data)
{
	char root[PATH_MAX], dir[PATH_MAX + 8];
	struct dirent *e;
	DIR *d;

	if (mc_state_root(state_root, root, sizeof(root)) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/" MC_NET_DIR, root);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *dot = strrchr(e->d_name, '.');
		struct mc_ipam ip;

		if (!dot || strcmp(dot, ".leases") || dot - e->d_name >= 16)
			continue;
		*dot = '\0';
		if (mc_ipam_open(root, e->d_name, &ip) < 0)
			continue;
		after_reclaim(&ip);
		each(&ip, data);
		mc_ipam_close(&ip);
	}
	closedir(d);
	return 0;
}

static void nothing(struct mc_ipam *ip, void *data)
{
	(void)ip;
	(void)data;
}

void mc_net_reclaim(const char *state_root)
{
	each_bridge(state_root, nothing, NULL);
}

struct net_walk {
	void (*report)(const struct mc_net_bridge *b, void *data);
	void *data;
	bool prune;
};

static void bridge_info(struct mc_ipam *ip, void *data)
{
	struct net_walk *w = data;
	struct mc_net_bridge b = { .name = ip->bridge, .containers = ip->n };
	_cleanup_close_ int nl = mc_nl_open(-1);
	char made[PATH_MAX + 32];
	unsigned int mtu;
	int index = nl >= 0 ? mc_nl_link_get(nl, ip->bridge, &mtu) : -1;

	made_path(ip->root, ip->bridge, made, sizeof(made));
	b.made = access(made, F_OK) == 0;
	b.exists = index > 0;
	if (b.exists && mc_nl_addr_get(nl, index, &b.gateway, &b.prefix) < 0)
		b.gateway = 0;
	if (w->prune) {
		/* Only a bridge of ours that nobody uses; the user's stay. */
		if (!b.made || ip->n)
			return;
		if (b.exists && mc_nl_link_del(nl, index) < 0)
			return;
		unlink(made);
		mc_debug("[net] Removed bridge %s", ip->bridge);
	}
	w->report(&b, w->data);
}

int mc_net_bridges(const char *state_root, bool prune,
		   void (*report)(const struct mc_net_bridge *b, void *data),
		   void *data)
{
	struct net_walk w = { report, data, prune };

	return each_bridge(state_root, bridge_info, &w);
}

void mc_net_describe(const struct mc_netrun *nr, char *bridge, size_t bsize,
		     char *addr, size_t asize)
{
	char a[INET_ADDRSTRLEN];

	bridge[0] = addr[0] = '\0';
	if (!nr->net || !nr->addr)
		return;
	snprintf(bridge, bsize, "%s", nr->bridge);
	snprintf(addr, asize, "%s/%u", ntoa(nr->addr, a), nr->prefix);
}

int mc_net_poll_fd(const struct mc_netrun *nr)
{
	return nr && nr->fwd ? mc_portfwd_fd(nr->fwd) : -1;
}

/*
 * splice(2) to a peer that has gone raises SIGPIPE, and it is one of the
 * signals we forward (blocked, read from the signal fd): ours is taken
 * back here, before the loop could pass it on to the container.
 */
static void drop_own_sigpipe(void)
{
	struct timespec zero = { 0 };
	sigset_t pending, pipe;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1)
		sigtimedwait(&pipe, NULL, &zero);
}

void mc_net_service(struct mc_netrun *nr)
{
	if (!nr || !nr->fwd)
		return;
	mc_portfwd_service(nr->fwd);
	drop_own_sigpipe();
}
