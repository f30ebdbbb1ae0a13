/* SPDX-License-Identifier: MIT */
#ifndef MC_CAPS_H
#define MC_CAPS_H

#include <stdint.h>

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

/* CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40): the names mcstatic knows. */
#define MC_CAP_COUNT 41

/*
 * Docker's and podman's default set (moby oci/caps/defaults.go), the seed
 * CLI's: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
 * NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP.  The
 * built-in seccomp profile is compiled for it at build time.
 */
#define MC_CAPS_SEED_DEFAULT 0xa80425fbULL

/*
 * "CAP_SYS_ADMIN", "sys_admin", "Cap_Sys_Admin" → 21; -1 for a name not in
 * the table.  For the front-ends, which name the field in their error.
 */
int mc_cap_from_name(const char *name);

/* 21 → "SYS_ADMIN" (without CAP_); "?" outside the table. */
const char *mc_cap_name(int cap);

/* This process's bounding set: what --privileged gives. */
uint64_t mc_caps_bounding_now(void);

/*
 * process.capabilities, in two steps around the identity switch
 * (mc_namespaces_set_identity).  Before it: drop from the bounding set what
 * it lacks (needs CAP_SETPCAP) and, for a uid other than 0, keep every set
 * over the switch.  After it: effective, permitted, inheritable (capset),
 * then the ambient set.  Capabilities this kernel does not know are
 * skipped.  Nothing happens without spec->has_caps; a privileged mcstatic
 * (above) gives the command nothing, whatever the spec says.
 */
int mc_caps_prepare(const struct mc_spec *spec);
int mc_caps_apply(const struct mc_spec *spec);

#endif
