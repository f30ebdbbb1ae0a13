/* SPDX-License-Identifier: MIT */
#ifndef MC_IPAM_H
#define MC_IPAM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net.h"

/*
 * Addresses on a bridge, leased through one file per bridge in the state
 * root: <root>/@net/<bridge>.leases, flock'ed while read and rewritten
 * (atomic rename).  A lease names its owner (the mcstatic process that
 * supervises the container: PID and start time), so a lease of a process
 * that is gone (kill -9) is reclaimed by the next one who opens the file.
 * The lock is a file of its own, <root>/@net/<bridge>.lock: a lock on the
 * leases file would stay with the inode the rename replaces.
 * Each lease has a directory <root>/@net/<bridge>/<addr>/ with the files the
 * container gets as /etc/hosts, /etc/hostname and /etc/resolv.conf.
 * Addresses are IPv4 in network byte order.
 */

/* The leases' directory in the state root: '@' is in no container ID, so
 * list and ps never take it for a container. */
#define MC_NET_DIR "@net"

struct mc_lease {
	uint32_t addr;
	pid_t owner;
	unsigned long long owner_start;
	bool nat;			/* asked for NAT (the rule's users) */
	char name[129];			/* the container's --name, or "" */
	char hostname[65];
};

struct mc_ipam {
	char root[PATH_MAX];		/* <root>/@net */
	char bridge[16];
	int lock_fd;			/* <bridge>.lock, flock'ed */
	struct mc_lease *leases;	/* the live ones */
	size_t n;
	bool reclaimed;			/* open dropped a lease of a process gone */
	bool stale_nat;			/* ... one that had asked for NAT */
};

/* Lock and read the leases of BRIDGE (making <root>/@net), dropping, and
 * removing the directories of, those whose owner is gone. */
int mc_ipam_open(const char *state_root, const char *bridge,
		 struct mc_ipam *ip);
/*
 * A lease for us (getpid()) in SUBNET/PREFIX (the gateway is the first
 * host address, .1 of a /24): WANT, or the lowest free address when WANT is
 * 0.  Errors: WANT outside the subnet, the network, broadcast or gateway
 * address, or taken; no free address left.  Writes the file (rename) and
 * makes the lease's directory; *OUT is the new lease.
 */
int mc_ipam_alloc(struct mc_ipam *ip, uint32_t subnet, unsigned int prefix,
		  uint32_t want, const struct mc_lease *req,
		  struct mc_lease *out);
/* Drop our lease of ADDR (and its directory), write the file. */
int mc_ipam_free(struct mc_ipam *ip, uint32_t addr);
/* Leases that asked for NAT, among the live ones. */
size_t mc_ipam_nat_users(const struct mc_ipam *ip);
void mc_ipam_close(struct mc_ipam *ip);

/* <root>/@net/<bridge>/<a.b.c.d>, the lease's directory. */
int mc_ipam_dir(const struct mc_ipam *ip, uint32_t addr, char *buf,
		size_t size);

/*
 * A private /24 for a new bridge that overlaps no route of ours
 * (/proc/net/route) and no address on our links: 10.89.0.0/24, then
 * 10.89.1.0/24, ... up to 10.89.255.0/24.
 */
int mc_ipam_default_subnet(uint32_t *subnet, unsigned int *prefix);

/* The generated files (netfiles.c). */
struct mc_netfiles {
	const char *hostname;		/* NULL: the container's name, or its address */
	const char *name;		/* --name, or NULL */
	uint32_t addr;			/* the container's address */
	const char *const *dns;		/* --dns; NULL/0: the host's, loopback removed */
	size_t n_dns;
	const struct mc_host_entry *hosts;	/* --add-host */
	size_t n_hosts;
};

/* DIR/hostname, DIR/resolv.conf and DIR/hosts (the hosts file also names
 * every other named lease of IP). */
int mc_netfiles_write(const char *dir, const struct mc_netfiles *f,
		      const struct mc_ipam *ip);
/* Rewrite in place (the file is bind-mounted: its inode must stay) the
 * hosts file of every live lease of IP, so each names the others. */
int mc_netfiles_refresh_hosts(const struct mc_ipam *ip);
/*
 * The host's resolv.conf HOST_TEXT for a container: nameserver lines of
 * 127.0.0.0/8 or ::1 dropped, the rest kept; a comment instead when no
 * nameserver is left.  The length written to OUT, or -1 (ERANGE).
 */
int mc_netfiles_resolv(const char *host_text, char *out, size_t size);

/*
 * NAT for SUBNET/PREFIX through nft: table ip mcstatic, a masquerade rule
 * for the subnet (and net.ipv4.ip_forward=1) when on; the rule removed when
 * off.  No nft: an error that names the nftables package.
 */
int mc_nat_set(uint32_t subnet, unsigned int prefix, bool on);

#endif
