/* SPDX-License-Identifier: MIT */
#ifndef MC_NAMESPACES_H
#define MC_NAMESPACES_H

#include "spec.h"

/* The CLONE_NEW* flags the container is created with. */
int mc_namespaces_clone_flags(const struct mc_spec *spec);

/* --debug: say which namespaces are about to be created. */
void mc_namespaces_announce(int clone_flags);

#endif
