/* SPDX-License-Identifier: MIT */
#ifndef MC_CGROUPS_H
#define MC_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

struct mc_buf;

/*
 * Resource limits through cgroups: one interface, two drivers.  v2 (the
 * unified hierarchy at /sys/fs/cgroup) and v1 (one hierarchy per controller
 * at /sys/fs/cgroup/<controller>, plus the cgroup2 mount at
 * /sys/fs/cgroup/unified on hybrid hosts, joined for process tracking).
 *
 * The container's cgroup is <parent>/<name> (or linux.cgroupsPath) in every
 * hierarchy used, made before the command starts and removed, with whatever
 * still runs in it killed, when it ends.  The OCI verbs open it again later
 * by its path (mc_cgroup_path_of, mc_cgroup_open).
 */

#define MC_CGROUP_PARENT "mcstatic"

struct mc_cgroup;

/*
 * True when SPEC asks for a limit (resources.memory_swappiness: -1 is
 * unset), a cgroup name or parent, linux.cgroupsPath, or --stats.
 */
bool mc_cgroup_wanted(const struct mc_spec *spec, bool stats);

/*
 * Make the container's cgroup and write the spec's limits into it.  On
 * failure nothing of it is left and the error is recorded.
 *
 * With spec->cgroups_path (linux.cgroupsPath) the cgroup is that path,
 * instead of cgroup_parent/cgroup_name: "/a/b" below each hierarchy's root;
 * "a/b" below mcstatic's own cgroup (/proc/self/cgroup: the cgroup2 line,
 * else the memory controller's, one path for every hierarchy), as runc;
 * "slice:prefix:name" (systemd's form) is an error.  It gets every
 * controller there is, as runc's, so that update, pause and stats find it
 * later; no sweep of leftovers, no shared parent: destroy removes the parents
 * it had to make, no others.
 */
int mc_cgroup_create(const struct mc_spec *spec, bool stats,
		     struct mc_cgroup **out);

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
 * Returns the status mcstatic exits with; *OOM says whether the OOM killer
 * took a process of it (under a memory limit).  CG may be NULL.
 */
int mc_cgroup_finish(struct mc_cgroup *cg, int status, bool *oom);

/*
 * Kill what is left and remove the cgroup without a report; CG may be NULL.
 * An opened cgroup is removed only when it was opened as made.
 */
void mc_cgroup_destroy(struct mc_cgroup *cg);

/* The path below the roots, e.g. "libpod_parent/libpod-abc". */
const char *mc_cgroup_path_of(const struct mc_cgroup *cg);

/* Drop the handle, keep the cgroup (the container lives on): closes, frees. */
void mc_cgroup_close(struct mc_cgroup *cg);

/*
 * An existing cgroup by its path below the roots (mc_cgroup_path_of): every
 * hierarchy where the directory exists (v1: each controller's and, on
 * hybrid hosts, the unified one; v2: the one).  MADE: mc_cgroup_destroy may
 * remove it.  ENOENT when it exists nowhere.
 */
int mc_cgroup_open(const char *path, bool made, struct mc_cgroup **out);

/* Every pid in it (cgroup.procs of the freezer, unified or first
 * hierarchy), sorted, without duplicates; *PIDS is malloc'd (NULL if none). */
int mc_cgroup_pids(struct mc_cgroup *cg, pid_t **pids, size_t *n);

/*
 * Send SIG to every process in it.  SIGKILL goes the race-free way
 * (cgroup.kill on v2, freeze-kill-thaw on v1); a frozen cgroup is thawed
 * after it, so the kills land.
 */
int mc_cgroup_signal(struct mc_cgroup *cg, int sig);

/* Pause and resume: v1 freezer.state, v2 cgroup.freeze; both wait (5 s at
 * most) until the kernel says it is done. */
int mc_cgroup_freeze(struct mc_cgroup *cg);
int mc_cgroup_thaw(struct mc_cgroup *cg);
bool mc_cgroup_is_frozen(struct mc_cgroup *cg);

/* Write the fields of R that are set (0 unset; memory_swappiness -1) into
 * the existing cgroup; the same checks as create. */
int mc_cgroup_update(struct mc_cgroup *cg, const struct mc_resources *r);

/*
 * The "data" object of runc's stats event, appended to B:
 * {"cpu":{"usage":{"total","kernel","user"},"throttling":{..}},
 *  "memory":{"usage":{"usage","max","limit","failcnt"},"raw":{memory.stat}},
 *  "pids":{"current","limit"}}, ns and bytes; a pids limit of 0 is none.
 */
int mc_cgroup_stats_json(struct mc_cgroup *cg, struct mc_buf *b);

/*
 * The figures stats prints, without JSON: CPU time (ns), memory in use
 * and its limit (bytes; 0: none) and the number of processes.
 */
struct mc_cgroup_usage {
	uint64_t cpu_ns;
	uint64_t mem_usage, mem_limit;
	uint64_t pids;
};

void mc_cgroup_usage(struct mc_cgroup *cg, struct mc_cgroup_usage *out);

/* Pure helpers, unit-tested. */

/*
 * v1 shares to v2 weight as crun and runc (1.3) map them: quadratic in
 * log2(shares), 2 → 1, 1024 → 100, 262144 → 10000.  The inverse gives the
 * most shares that map to the weight (100 → 1024); 0 stays 0 (unset).
 */
uint64_t mc_cgroup_shares_to_weight(uint64_t shares);
uint64_t mc_cgroup_weight_to_shares(uint64_t weight);


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

/*
 * linux.cgroupsPath CGROUPS_PATH as a path below each hierarchy's root, into
 * BUF: absolute below the root, relative below OWN_CGROUP (mcstatic's, as
 * /proc/self/cgroup says, "/" for the root).  Refuses the systemd form
 * "slice:prefix:name", "." and ".." parts, and the root itself.
 */
int mc_cgroup_resolve_path(const char *cgroups_path, const char *own_cgroup,
			   char *buf, size_t size);

#endif
