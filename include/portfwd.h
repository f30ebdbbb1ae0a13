/* SPDX-License-Identifier: MIT */
#ifndef MC_PORTFWD_H
#define MC_PORTFWD_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

/*
 * The port forwarder of -p: userspace, in the mcstatic process that
 * supervises the container, so it needs no firewall and works rootless.
 * Listeners are opened before the container starts (a port in use is an
 * error then, not a surprise later); TCP connections are relayed with
 * splice(2) through a pipe each way; UDP per client address, a socket to
 * the container each, idle ones closed after a minute.  Everything is
 * non-blocking, on one epoll fd the caller polls.
 */
struct mc_portfwd;

/* Bind and listen on each port's host side now. */
int mc_portfwd_open(const struct mc_port *ports, size_t n,
		    struct mc_portfwd **out);

/*
 * Where connections go: ADDR:container_port, through a socket made by
 * MAKE_SOCKET(domain, type, DATA) (one in the container's network
 * namespace), or by socket(2) here when MAKE_SOCKET is NULL.  ADDR 0: no
 * target (between runs): a connection is accepted and closed.
 */
void mc_portfwd_target(struct mc_portfwd *f, uint32_t addr,
		       int (*make_socket)(int domain, int type, void *data),
		       void *data);

/* The epoll fd: readable when mc_portfwd_service() has work. */
int mc_portfwd_fd(const struct mc_portfwd *f);

/* Handle whatever is ready; never blocks. */
void mc_portfwd_service(struct mc_portfwd *f);

/* The container has ended: close its connections, keep the listeners. */
void mc_portfwd_drop(struct mc_portfwd *f);

/* Everything closed and freed; F may be NULL. */
void mc_portfwd_close(struct mc_portfwd *f);

#endif
