/* SPDX-License-Identifier: MIT */
#ifndef MC_NETWORK_H
#define MC_NETWORK_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

struct mc_portfwd;

/*
 * One container's network, made real (network.c): the bridge, the lease
 * and the files of the run, the veth while it runs, the helper (slirp4netns,
 * pasta) and the port forwarder.  Owned by the mcstatic process that waits
 * for the container (the foreground run, or the supervisor of -d), which is
 * also the lease's owner: when it dies, so does the lease.
 *
 *   prepare (once) ── attach (each run, before "go") ── detach (each end)
 *   ── release (once)
 */
struct mc_netrun {
	const struct mc_net *net;	/* NULL: nothing to do (host) */
	char root[PATH_MAX];		/* the state root, for the leases */
	char bridge[16];
	int bridge_index;
	unsigned int mtu;
	uint32_t subnet, gateway, addr;	/* network byte order; addr: our lease */
	unsigned int prefix;
	bool nat;			/* we turned NAT on for the subnet */
	char dir[PATH_MAX];		/* the lease's files */
	char hostname[65];
	struct mc_portfwd *fwd;
	/* While a run lasts. */
	char veth[16];
	pid_t helper;			/* slirp4netns or pasta */
	bool helper_detached;		/* pasta: in the background, not our child */
	int helper_exit;		/* slirp4netns ends when this closes */
	pid_t maker;			/* makes sockets in the container's namespace */
	int maker_sock;
};

/*
 * Before the first run: the bridge (made when absent), a lease, the files
 * (bind-mounted over /etc/hosts, /etc/hostname, /etc/resolv.conf: added to
 * SPEC's mounts, with a hostname and UTS namespace unless one was given),
 * NAT, and the listeners of -p.  ID names the container (its --name), or
 * NULL.  On failure nothing is left.
 */
int mc_net_prepare(struct mc_spec *spec, const char *state_root,
		   const char *id, struct mc_netrun *nr);

/* The child PID exists, stopped before "go": its eth0 (or helper), the
 * forwarder's target. */
int mc_net_attach(struct mc_netrun *nr, pid_t pid);

/* The run has ended (or failed): its connections, veth and helper. */
void mc_net_detach(struct mc_netrun *nr);

/* After the last run: the lease and its files, NAT, the listeners. */
void mc_net_release(struct mc_netrun *nr);

/* The leases of processes gone, under every bridge of the state root:
 * dropped, with what they leave (the others' hosts lines, a NAT rule). */
void mc_net_reclaim(const char *state_root);

/* The forwarder's fd to poll (-1: none), and its work when readable. */
int mc_net_poll_fd(const struct mc_netrun *nr);
void mc_net_service(struct mc_netrun *nr);

/* The helpers (net-helper.c): slirp4netns / pasta for PID's namespace,
 * and the socket maker. */
int mc_net_helper_start(struct mc_netrun *nr, pid_t pid);
void mc_net_helper_stop(struct mc_netrun *nr);
int mc_net_maker_start(struct mc_netrun *nr, pid_t pid);
void mc_net_maker_stop(struct mc_netrun *nr);
int mc_net_maker_socket(int domain, int type, void *data);

#endif
