// SPDX-License-Identifier: MIT
/* The seed's network flags: --net, --subnet, --ip, --dns, --add-host, -p, --nat. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "error.h"
#include "util.h"

/* The longest interface name the kernel takes (IFNAMSIZ - 1). */
#define IFNAME_MAX 15

static const char *const mode_names[] = {
	[MC_NET_HOST] = "host",		[MC_NET_NONE] = "none",
	[MC_NET_BRIDGE] = "bridge",	[MC_NET_NS] = "ns",
	[MC_NET_SLIRP4NETNS] = "slirp4netns", [MC_NET_PASTA] = "pasta",
};

const char *mc_net_mode_name(enum mc_net_mode mode)
{
	return mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

static int bridge_name(struct mc_net *net, const char *name)
{
	size_t len = strlen(name);

	if (!len || len > IFNAME_MAX)
		return mc_error(0, "--net bridge=%s: a bridge name is 1 to %d bytes",
				name, IFNAME_MAX);
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || *c <= ' ' || *c == 0x7f)
			return mc_error(0, "--net bridge=%s: a bridge name has no "
					   "'/', ':', space or control character", name);
	net->bridge = name;
	return 0;
}

int mc_cli_net_mode(struct mc_spec *spec, const char *v)
{
	struct mc_net *net = &spec->net;

	if (!strncmp(v, "bridge=", 7)) {
		net->mode = MC_NET_BRIDGE;
		return bridge_name(net, v + 7);
	}
	if (!strncmp(v, "ns:", 3)) {
		if (v[3] != '/')
			return mc_error(0, "--net '%s': ns: takes an absolute path, "
					   "e.g. ns:/run/netns/NAME", v);
		net->mode = MC_NET_NS;
		spec->ns_path[MC_NS_NET] = v + 3;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (i == MC_NET_NS || strcmp(v, mode_names[i]))
			continue;
		net->mode = (enum mc_net_mode)i;
		return 0;
	}
	return mc_error(0, "--net '%s': expected host, none, bridge[=NAME], "
			   "ns:PATH, slirp4netns or pasta", v);
}

static int parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*addr = a.s_addr;
	return 0;
}

/* "10.89.3.0/24": the network address, a prefix from 8 to 30. */
int mc_cli_net_subnet(struct mc_spec *spec, const char *v)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(v, '/');
	int64_t prefix;
	uint32_t addr, mask;

	if (!slash || (size_t)(slash - v) >= sizeof(buf) ||
	    mc_parse_int(slash + 1, 8, 30, &prefix) < 0)
		return mc_error(0, "--subnet '%s': expected ADDR/PREFIX with a "
				   "prefix from 8 to 30, e.g. 10.89.3.0/24", v);
	memcpy(buf, v, (size_t)(slash - v));
	buf[slash - v] = '\0';
	if (parse_ipv4(buf, &addr) < 0)
		return mc_error(0, "--subnet '%s': %s is not an IPv4 address", v, buf);
	mask = htonl(~0U << (32 - prefix));
	if (addr & ~mask)
		return mc_error(0, "--subnet '%s': host bits are set (the network "
				   "is %s/%d)", v,
				inet_ntop(AF_INET, &(uint32_t){ addr & mask }, buf,
					  sizeof(buf)), (int)prefix);
	spec->net.subnet = addr;
	spec->net.prefix = (unsigned int)prefix;
	return 0;
}

int mc_cli_net_ip(struct mc_spec *spec, const char *v)
{
	if (parse_ipv4(v, &spec->net.ip) < 0 || !spec->net.ip)
		return mc_error(0, "--ip '%s': expected an IPv4 address", v);
	return 0;
}

static bool is_address(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int mc_cli_net_dns(struct mc_spec *spec, const char *v)
{
	struct mc_net *net = &spec->net;

	if (!is_address(v))
		return mc_error(0, "--dns '%s': expected an IPv4 or IPv6 address", v);
	if (net->n_dns == MC_NET_MAX_DNS)
		return mc_error(0, "--dns '%s': at most %d nameservers", v,
				MC_NET_MAX_DNS);
	net->dns[net->n_dns++] = v;
	return 0;
}

static bool is_host_name(const char *s, size_t len)
{
	if (!len || len > 253 || *s == '-' || *s == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] == '-' || s[i] == '.' || s[i] == '_' ||
		      (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/* NAME:ADDR (docker's); the address may be IPv6, so split at the first ':'. */
int mc_cli_net_add_host(struct mc_spec *spec, const char *v)
{
	struct mc_net *net = &spec->net;
	const char *colon = strchr(v, ':');
	struct mc_host_entry *h;
	char *name;

	if (!colon || !is_host_name(v, (size_t)(colon - v)) ||
	    !is_address(colon + 1))
		return mc_error(0, "--add-host '%s': expected NAME:ADDRESS, "
				   "e.g. db:10.89.0.5", v);
	/* argv stays as it was: -d saves it, to run it again. */
	name = strndup(v, (size_t)(colon - v));
	if (!name || mc_spec_own(spec, name) < 0)
		return mc_error(ENOMEM, "--add-host");
	h = realloc(net->hosts, (net->n_hosts + 1) * sizeof(*h));
	if (!h)
		return mc_error(ENOMEM, "--add-host");
	net->hosts = h;
	h[net->n_hosts++] = (struct mc_host_entry){ name, colon + 1 };
	return 0;
}

static int parse_port(const char *s, size_t len, uint16_t *port)
{
	char buf[8];
	int64_t n;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (mc_parse_int(buf, 1, 65535, &n) < 0)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

static int port_error(const char *v, const char *what)
{
	return mc_error(0, "-p '%s': %s (expected [HOSTIP:]HOSTPORT:PORT"
			   "[/tcp|/udp], ports 1 to 65535)", v, what);
}

/* [HOSTIP:]HOSTPORT:CPORT[/tcp|/udp] */
int mc_cli_net_port(struct mc_spec *spec, const char *v)
{
	struct mc_port p = { .type = SOCK_STREAM };
	const char *end = v + strlen(v), *slash = strchr(v, '/');
	const char *last, *first;
	struct mc_net *net = &spec->net;
	struct mc_port *ports;
	char ip[INET_ADDRSTRLEN];

	if (slash) {
		if (!strcmp(slash, "/udp"))
			p.type = SOCK_DGRAM;
		else if (strcmp(slash, "/tcp"))
			return port_error(v, "the protocol is tcp or udp");
		end = slash;
	}
	last = memrchr(v, ':', (size_t)(end - v));
	if (!last)
		return port_error(v, "no host port");
	if (parse_port(last + 1, (size_t)(end - last - 1), &p.container_port) < 0)
		return port_error(v, "bad container port");
	first = memrchr(v, ':', (size_t)(last - v));
	if (parse_port(first ? first + 1 : v,
		       (size_t)(last - (first ? first + 1 : v)), &p.host_port) < 0)
		return port_error(v, "bad host port");
	if (first) {
		if ((size_t)(first - v) >= sizeof(ip))
			return port_error(v, "bad host address");
		memcpy(ip, v, (size_t)(first - v));
		ip[first - v] = '\0';
		if (parse_ipv4(ip, &p.host_ip) < 0)
			return port_error(v, "bad host address");
	}
	ports = realloc(net->ports, (net->n_ports + 1) * sizeof(*ports));
	if (!ports)
		return mc_error(ENOMEM, "-p");
	net->ports = ports;
	ports[net->n_ports++] = p;
	return 0;
}

/* Once every flag is read: what goes together, and the namespace it needs. */
int mc_cli_net_check(struct mc_spec *spec)
{
	struct mc_net *net = &spec->net;
	bool bridge = net->mode == MC_NET_BRIDGE;
	const char *flag = net->subnet ? "--subnet" : net->ip ? "--ip"
			   : net->nat ? "--nat" : NULL;

	if (!bridge && flag)
		return mc_error(0, "%s needs --net bridge", flag);
	if (net->mode == MC_NET_HOST && net->n_ports)
		return mc_error(0, "-p needs a network namespace of the container's "
				   "own (--net none, bridge, slirp4netns or pasta)");
	if ((net->mode == MC_NET_HOST || net->mode == MC_NET_NONE ||
	     net->mode == MC_NET_NS) && (net->n_dns || net->n_hosts))
		return mc_error(0, "%s needs --net bridge, slirp4netns or pasta",
				net->n_dns ? "--dns" : "--add-host");
	for (size_t i = 0; i < net->n_ports; i++)
		for (size_t j = 0; j < i; j++)
			if (net->ports[i].host_port == net->ports[j].host_port &&
			    net->ports[i].type == net->ports[j].type &&
			    (net->ports[i].host_ip == net->ports[j].host_ip ||
			     !net->ports[i].host_ip || !net->ports[j].host_ip))
				return mc_error(0, "-p: host port %u/%s is given twice",
						net->ports[i].host_port,
						net->ports[i].type == SOCK_DGRAM ? "udp" : "tcp");
	if (net->mode != MC_NET_HOST && net->mode != MC_NET_NS)
		spec->namespaces |= CLONE_NEWNET;
	return 0;
}
