/* SPDX-License-Identifier: MIT */
#ifndef MC_NET_H
#define MC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The container's network, as the seed CLI asks for it (the model part;
 * network.c makes it real).  Addresses are IPv4 in network byte order.
 */
enum mc_net_mode {
	MC_NET_HOST,		/* the host's namespace (the default) */
	MC_NET_NONE,		/* a new namespace, lo only */
	MC_NET_BRIDGE,		/* a new namespace, eth0 a veth on a bridge */
	MC_NET_NS,		/* a namespace given by path (spec->ns_path) */
	MC_NET_SLIRP4NETNS,	/* a new namespace, slirp4netns's tap0 */
	MC_NET_PASTA,		/* a new namespace, pasta's interface */
};

#define MC_NET_BRIDGE_DEFAULT "mcbr0"
#define MC_NET_MAX_DNS 8

struct mc_port {
	uint32_t host_ip;	/* INADDR_ANY: every address */
	uint16_t host_port;
	uint16_t container_port;
	int type;		/* SOCK_STREAM (tcp) or SOCK_DGRAM (udp) */
};

struct mc_host_entry {		/* --add-host NAME:ADDR */
	const char *name;
	const char *addr;	/* as given (IPv4 or IPv6), checked */
};

struct mc_net {
	enum mc_net_mode mode;
	const char *bridge;	/* NULL: MC_NET_BRIDGE_DEFAULT */
	uint32_t subnet;	/* 0: the bridge's, or a free private /24 */
	unsigned int prefix;
	uint32_t ip;		/* 0: allocated from the subnet */
	const char *dns[MC_NET_MAX_DNS];	/* nameservers, checked */
	size_t n_dns;
	struct mc_host_entry *hosts;	/* owned */
	size_t n_hosts;
	struct mc_port *ports;		/* owned */
	size_t n_ports;
	bool nat;		/* masquerade the subnet's outbound traffic */
};

const char *mc_net_mode_name(enum mc_net_mode mode);

#endif
