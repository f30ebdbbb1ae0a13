/* SPDX-License-Identifier: MIT */
#ifndef MC_NAMESPACES_H
#define MC_NAMESPACES_H

#include <sys/types.h>

#include "spec.h"

/* The CLONE_NEW* flags the container is created with. */
int mc_namespaces_clone_flags(const struct mc_spec *spec);

/* --debug: say which namespaces are about to be created. */
void mc_namespaces_announce(int clone_flags);

/*
 * Parent, before clone: the privileged-binary rules (caps.h); then, with a
 * new user namespace, that it has uid and gid maps (the seed's defaults are
 * the front-end's, mc_cli_default_maps), that a new root's maps hold the
 * caller and that process.user is mapped.
 */
int mc_namespaces_prepare(struct mc_spec *spec);

/* Parent, after clone: write the child's uid and gid maps. */
int mc_namespaces_write_maps(const struct mc_spec *spec, pid_t child);

/* Child: hostname (early), then the identity the command runs as (last). */
int mc_namespaces_set_hostname(const struct mc_spec *spec);
int mc_namespaces_set_identity(const struct mc_spec *spec);

/* Child: a new network namespace's lo is brought up, as runc does. */
int mc_namespaces_loopback_up(const struct mc_spec *spec);


#endif
