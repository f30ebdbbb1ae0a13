/* SPDX-License-Identifier: MIT */
#ifndef MC_CGROUPS_H
#define MC_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

/*
 * Resource limits through cgroups: one interface, two drivers.  v2 (the
 * unified hierarchy at /sys/fs/cgroup) and v1 (one hierarchy per controller
 * at /sys/fs/cgroup/<controller>, plus the cgroup2 mount at
 * /sys/fs/cgroup/unified on hybrid hosts, joined for process tracking).
 *
 * The container's cgroup is <parent>/<name> in every hierarchy used, made
 * before the command starts and removed, with whatever still runs in it
 * killed, when it ends.
 */

#define MC_CGROUP_PARENT "mcstatic"
#define MC_CPU_PERIOD_US 100000	/* --cpus quota is per 100 ms, as docker's */

struct mc_cgroup;

/* True when SPEC asks for a limit, a cgroup name or parent, or --stats. */
bool mc_cgroup_wanted(const struct mc_spec *spec);

/*
 * Make the container's cgroup and write the spec's limits into it.  On
 * failure nothing of it is left and the error is recorded.
 */
int mc_cgroup_create(const struct mc_spec *spec, struct mc_cgroup **out);

/* A cgroup v2 directory fd for clone3(CLONE_INTO_CGROUP), or -1 (v1). */
int mc_cgroup_clone_fd(const struct mc_cgroup *cg);

/*
 * Close that fd once the child is cloned: a directory fd of the host kept
 * open would be reachable through /proc/PID/fd while the command runs.
 */
void mc_cgroup_clone_done(struct mc_cgroup *cg);

/* Move PID into the cgroup (every hierarchy), before it is released. */
int mc_cgroup_enter(struct mc_cgroup *cg, pid_t pid);

/*
 * The command has ended with exit STATUS: report an out-of-memory kill and
 * the --stats line, kill what is left in the cgroup, remove it and free CG.
 * Returns the status mcstatic exits with.  CG may be NULL.
 */
int mc_cgroup_finish(struct mc_cgroup *cg, int status);

/* Kill what is left and remove the cgroup without a report; CG may be NULL. */
void mc_cgroup_destroy(struct mc_cgroup *cg);

/* Pure helpers, unit-tested. */

/* The OCI/crun linear mapping between v1 shares and v2 weight. */
uint64_t mc_cgroup_shares_to_weight(uint64_t shares);
uint64_t mc_cgroup_weight_to_shares(uint64_t weight);

/* "64 MiB", "1.5 GiB", "4096 bytes": the limit in the OOM line. */
void mc_format_size(char *buf, size_t size, int64_t bytes);

/*
 * The name a container's cgroup gets when none is given: MC_CGROUP_MARKER,
 * mcstatic's PID and its start time (field 22 of /proc/PID/stat), e.g.
 * "mc-4242-1234567".  Only names of this form are ever swept as leftovers
 * (when their process is gone), so a user's --cgroup name may not have it.
 */
#define MC_CGROUP_MARKER "mc-"
void mc_cgroup_own_name(char *buf, size_t size, pid_t pid, uint64_t start);

/* True when NAME is of that form; its pid and start time. */
bool mc_cgroup_parse_own_name(const char *name, pid_t *pid, uint64_t *start);


/*
 * The cgroup's path below a hierarchy's root: PARENT (default "mcstatic")
 * then NAME (default: mc_cgroup_own_name of PID and START).  Rejects "..",
 * "." and empty parts, and a NAME of mcstatic's own form.
 */
int mc_cgroup_path(char *buf, size_t size, const char *parent,
		   const char *name, pid_t pid, uint64_t start);

#endif
