/* SPDX-License-Identifier: MIT */
#ifndef MC_CAPS_H
#define MC_CAPS_H

#include "spec.h"

/*
 * A privileged mcstatic is one with more privilege than its caller: file
 * capabilities (setcap cap_sys_admin+ep) or a setuid/setgid binary, run by
 * a user other than root.
 *
 * main, first thing: notice it, become the caller (uid, gid) and keep only
 * CAP_SYS_ADMIN, which namespaces and mounts need.
 */
int mc_caps_init(void);

/*
 * Parent, before clone: refuse what would let the caller change what a
 * privileged program sees (mounts and a working directory on the host's
 * tree, someone else's identity, a fresh /proc of the host's processes).
 * With a user namespace nothing is needed: give every privilege up, so the
 * run is exactly what an unprivileged copy of mcstatic would do.
 */
int mc_caps_check(const struct mc_spec *spec);

/* Child, after the identity and before exec: no capability, no_new_privs. */
int mc_caps_drop(void);

#endif
