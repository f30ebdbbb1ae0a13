/* SPDX-License-Identifier: MIT */
#ifndef MC_SPEC_H
#define MC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Everything a user can ask for, shaped after the OCI runtime spec.  The seed
 * flags (cli.c) fill it; nothing below the front-ends knows which one did.
 * Strings are borrowed from the front-end's input; arrays are owned.
 */

struct mc_mount {
	const char *source;
	const char *target;	/* absolute path inside the container */
	const char *type;
	unsigned long flags;	/* MS_* */
	char *data;		/* owned; fs-specific options, or NULL */
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
};

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
	bool kill_on_parent_death;	/* foreground runs die with mcstatic */
	bool init;		/* our own init as PID 1, the command as its child */
	bool init_group;	/* init forwards signals to the command's group */
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
	bool cgroup_stats;	/* --stats: peak memory and CPU time at exit */
	char **owned;		/* strings the spec made itself, freed with it */
	size_t n_owned;
};

void mc_spec_init(struct mc_spec *spec, char **environ_in);
void mc_spec_free(struct mc_spec *spec);

/* Set KEY=VALUE in process.env, replacing an earlier KEY. */
int mc_spec_setenv(struct mc_spec *spec, char *kv);

/* Set KEY=VALUE from parts; the spec owns the string it builds. */
int mc_spec_setenv_pair(struct mc_spec *spec, const char *key,
			const char *value);

/* Value of KEY in process.env, or NULL. */
const char *mc_spec_getenv(const struct mc_spec *spec, const char *key);

int mc_spec_add_mount(struct mc_spec *spec, const struct mc_mount *m);

/*
 * Parse mount options ("ro,nosuid,size=1m") into MS_* flags and the data
 * string the filesystem gets (unknown words, here "size=1m").
 */
int mc_mount_options(const char *opts, unsigned long *flags, char **data);

/* Add a map line; refuses a count of 0, overflow and overlapping ranges. */
int mc_idmap_add(struct mc_idmap *maps, size_t *n, const struct mc_idmap *m,
		 const char *what);

/* True when container id ID falls inside one of the map's ranges. */
bool mc_idmap_contains(const struct mc_idmap *maps, size_t n, unsigned int id);

/* True when host id ID falls inside one of the map's ranges. */
bool mc_idmap_contains_host(const struct mc_idmap *maps, size_t n,
			    unsigned int id);

/* Check the spec before anything is created; resolves the rootfs path. */
int mc_spec_validate(struct mc_spec *spec);

#endif
