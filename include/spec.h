/* SPDX-License-Identifier: MIT */
#ifndef MC_SPEC_H
#define MC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

/*
 * Everything a user can ask for, shaped after the OCI runtime spec.  The seed
 * flags (cli.c) and config.json (config.c) fill it; nothing below the
 * front-ends knows which one did.  Strings are borrowed from the front-end's
 * input or registered with mc_spec_own(); arrays are owned.
 */

/* linux.namespaces: spec->namespaces (CLONE_NEW*) says which are NEW;
 * ns_path[] names one to JOIN. */
enum mc_ns {
	MC_NS_USER, MC_NS_MNT, MC_NS_PID, MC_NS_NET, MC_NS_IPC, MC_NS_UTS,
	MC_NS_CGROUP, MC_NS_COUNT
};

int mc_ns_clone_flag(enum mc_ns ns);	/* CLONE_NEWUSER ... */
/* "user", "mnt", "pid", "net", "ipc", "uts", "cgroup": the /proc/PID/ns names */
const char *mc_ns_name(enum mc_ns ns);

struct mc_mount {
	const char *source;
	const char *target;	/* absolute path inside the container */
	const char *type;
	unsigned long flags;	/* MS_*, without propagation */
	/* MS_PRIVATE, MS_SHARED... (| MS_REC), applied by a second mount call */
	unsigned long propagation;
	char *data;		/* owned; fs-specific options, or NULL */
	bool tmpcopyup;		/* runc's: copy the image's dir into the tmpfs */
};

struct mc_rlimit {
	int resource;		/* RLIMIT_* */
	uint64_t soft, hard;
};

/* "RLIMIT_NOFILE" ↔ RLIMIT_NOFILE; "?" and -1 for what is not one. */
const char *mc_rlimit_name(int resource);
int mc_rlimit_from_name(const char *name);

/* process.capabilities: bit n = capability n */
struct mc_caps {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

/* linux.devices: a node made in the container's /dev */
struct mc_device {
	char *path;
	char type;		/* 'c', 'b', 'p', 'u' */
	int64_t major, minor;
	unsigned int file_mode;
	bool has_mode;
	unsigned int uid, gid;
	bool has_uid, has_gid;
};

/* linux.resources.devices: the device cgroup's rules, in order */
struct mc_dev_rule {
	bool allow;
	char type;		/* 'a', 'c', 'b' */
	int64_t major, minor;	/* -1 = any */
	char access[4];		/* some of "rwm" */
};

struct mc_hook {
	char *path;
	char **args;		/* NULL-terminated, or NULL */
	char **env;		/* NULL-terminated, or NULL */
	int timeout;		/* seconds, 0 none */
};

enum mc_hook_kind {
	MC_HOOK_PRESTART, MC_HOOK_CREATE_RUNTIME, MC_HOOK_CREATE_CONTAINER,
	MC_HOOK_START_CONTAINER, MC_HOOK_POSTSTART, MC_HOOK_POSTSTOP,
	MC_HOOK_KINDS
};

struct mc_kv {
	char *key;
	char *value;
};

/* One line of a uid_map or gid_map: COUNT ids from CONTAINER_ID on are
 * HOST_ID on on the host. */
struct mc_idmap {
	unsigned int container_id;
	unsigned int host_id;
	unsigned int count;
};

#define MC_MAX_IDMAPS 16

/*
 * linux.resources, the part cgroups.c applies: OCI names and units, 0 for
 * "not set".  cpu_weight is OCI's linux.resources.unified "cpu.weight" (v2
 * units); each cgroup driver converts between shares and weight itself.
 */
struct mc_resources {
	int64_t memory_limit;	/* memory.limit, bytes */
	int64_t memory_swap;	/* memory.swap: memory + swap, bytes; -1 no limit */
	uint64_t cpu_shares;	/* cpu.shares, v1 units (2..262144) */
	uint64_t cpu_weight;	/* unified cpu.weight, v2 units (1..10000) */
	int64_t cpu_quota;	/* cpu.quota, µs per cpu_period; -1 no limit */
	uint64_t cpu_period;	/* cpu.period, µs; 0: 100000 */
	int64_t pids_limit;	/* pids.limit; -1 no limit */
	int64_t memory_reservation;	/* memory.reservation, bytes */
	int64_t memory_swappiness;	/* 0..100; -1 unset */
	const char *cpuset_cpus;	/* cpu.cpus, "0-3,7" */
	const char *cpuset_mems;	/* cpu.mems */
	struct mc_dev_rule *dev_rules;	/* devices: the allow/deny list */
	size_t n_dev_rules;
};

struct mc_seccomp;

struct mc_spec {
	char **argv;		/* process.args, NULL-terminated */
	char **env;		/* process.env, NULL-terminated */
	size_t env_len;
	const char *cwd;	/* process.cwd; NULL keeps the current one */
	const char *rootfs;	/* root.path as given; NULL: no new root */
	char *rootfs_abs;	/* resolved by mc_spec_validate() */
	int namespaces;		/* CLONE_NEW* */
	struct mc_mount *mounts;	/* mounted after /proc and /dev */
	size_t n_mounts;
	const char *hostname;	/* needs CLONE_NEWUTS */
	/* linux.uidMappings / gidMappings; empty: the defaults (namespaces.c) */
	struct mc_idmap uid_maps[MC_MAX_IDMAPS];
	size_t n_uid_maps;
	struct mc_idmap gid_maps[MC_MAX_IDMAPS];
	size_t n_gid_maps;
	bool set_user;		/* process.user given: switch to uid/gid */
	unsigned int uid;
	unsigned int gid;
	struct mc_resources resources;	/* linux.resources */
	/* linux.cgroupsPath is <cgroup_parent>/<cgroup_name>, below each
	 * hierarchy's root; NULL: "mcstatic" and mcstatic's PID. */
	const char *cgroup_parent;
	const char *cgroup_name;

	/* The rest of the OCI config (all 0/NULL = unset). */
	const char *ns_path[MC_NS_COUNT];	/* NULL: not joined */
	const char *oci_version;
	bool terminal;
	unsigned int console_width, console_height;
	int umask;			/* -1: unset */
	unsigned int *additional_gids;
	size_t n_additional_gids;
	struct mc_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_caps;
	struct mc_caps caps;
	bool root_readonly;
	/* The seed's own layout: sysfs mounted read-only (config.json says
	 * it in its mounts list instead). */
	bool sys_readonly;
	/* config.json: mounts is the whole list (/proc, /dev... included) */
	bool oci_mounts;
	const char *domainname;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	struct mc_device *devices;
	size_t n_devices;
	/* 0: the default (as runc: MS_SLAVE|MS_REC on / first, then the
	 * rootfs bind is made rprivate) */
	unsigned long rootfs_propagation;
	struct mc_kv *sysctl;
	size_t n_sysctl;
	struct mc_kv *annotations;
	size_t n_annotations;
	struct mc_hook *hooks[MC_HOOK_KINDS];
	size_t n_hooks[MC_HOOK_KINDS];
	/* linux.cgroupsPath as given (the cgroup module interprets it) */
	const char *cgroups_path;
	/* linux.seccomp (seccomp.h); NULL: no filter */
	const struct mc_seccomp *seccomp;
	/* The seed CLI's networking (net.h); OCI configs only join by path. */
	struct mc_net net;

	void **owned;		/* mc_spec_own(): freed with the spec */
	size_t n_owned;
};

void mc_spec_init(struct mc_spec *spec, char **environ_in);
void mc_spec_free(struct mc_spec *spec);

/*
 * Hand malloc'd P to the spec: mc_spec_free() frees it.  On failure P is
 * freed at once, so a caller never frees piecemeal.  P may be NULL (then
 * nothing happens and the result is 0).
 */
int mc_spec_own(struct mc_spec *spec, void *p);

/* Set KEY=VALUE in process.env, replacing an earlier KEY. */
int mc_spec_setenv(struct mc_spec *spec, char *kv);

/* Set KEY=VALUE from parts; the spec owns the string it builds. */
int mc_spec_setenv_pair(struct mc_spec *spec, const char *key,
			const char *value);

/* Value of KEY in process.env, or NULL. */
const char *mc_spec_getenv(const struct mc_spec *spec, const char *key);

int mc_spec_add_mount(struct mc_spec *spec, const struct mc_mount *m);

/* The devices every container may use, after linux.resources.devices. */
int mc_spec_add_default_dev_rules(struct mc_spec *spec);

/*
 * Parse mount options ("ro,nosuid,size=1m") into M's flags (starting from
 * the ones it has), its propagation and its data: the words mount(8) does
 * not know, for the filesystem (here "size=1m").  Any filesystem's options
 * pass; mc_mount_validate() checks them against the type.
 */
int mc_mount_options(const char *opts, struct mc_mount *m);

/*
 * Check one mount: an absolute target; a tmpfs takes no bind, remount or
 * propagation flag and only the data words tmpfs knows.  The error names
 * the option, without the mount (callers add it).
 */
int mc_mount_validate(const struct mc_mount *m);

/* Add a map line; refuses a count of 0, overflow and overlapping ranges. */
int mc_idmap_add(struct mc_idmap *maps, size_t *n, const struct mc_idmap *m,
		 const char *what);

/* True when container id ID falls inside one of the map's ranges. */
bool mc_idmap_contains(const struct mc_idmap *maps, size_t n, unsigned int id);

/* True when host id ID falls inside one of the map's ranges. */
bool mc_idmap_contains_host(const struct mc_idmap *maps, size_t n,
			    unsigned int id);

/* The kernel's limits on a CFS period and quota, in µs; docker's period. */
#define MC_CPU_QUOTA_MIN 1000
#define MC_CPU_PERIOD_MAX 1000000
#define MC_CPU_PERIOD_US 100000

/* linux.resources: consistent and within the kernel's limits. */
int mc_resources_validate(const struct mc_resources *r);

/* "64 MiB", "1.5 GiB", "4096 bytes": a limit in a message. */
void mc_format_size(char *buf, size_t size, int64_t bytes);

/* Check the spec before anything is created; resolves the rootfs path. */
int mc_spec_validate(struct mc_spec *spec);

#endif
