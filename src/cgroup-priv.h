/* SPDX-License-Identifier: MIT */
#ifndef MC_CGROUP_PRIV_H
#define MC_CGROUP_PRIV_H

/*
 * Between the cgroup interface (cgroups.c) and its drivers (cgroup-v1.c,
 * cgroup-v2.c): the handle, the driver vtable, and the shared file and
 * directory helpers (cgroup-fs.c).
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_UNIFIED CGROUP_ROOT "/unified"
/* From linux/magic.h, which musl-gcc cannot see. */
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270

/* v1: cgroup-v1.c's 13 controllers and unified; some share a hierarchy. */
#define MAX_HIERARCHIES 14
/* The kernel's limits on a CFS period and quota, in µs. */
#define CPU_QUOTA_MIN MC_CPU_QUOTA_MIN
#define CPU_PERIOD_MAX MC_CPU_PERIOD_MAX

struct hierarchy {
	char ctrls[32];		/* "memory", "cpu,cpuacct", "unified"; "" on v2 */
	char dir[PATH_MAX];	/* the container's cgroup in this hierarchy */
	bool made;		/* we made dir (the leaf): destroy removes it */
	int rm_from;		/* parents from this path index on are ours too */
};

/* What the v1 stats and v2 stats have in common: runc's stats event. */
struct cgroup_usage {
	uint64_t cpu_total, cpu_kernel, cpu_user;		/* ns */
	uint64_t periods, throttled_periods, throttled_time;	/* throttled: ns */
	uint64_t mem_usage, mem_max, mem_limit, mem_failcnt, mem_cache;
	const char *mem_stat_dir;	/* memory.stat is there; NULL: none */
	uint64_t pids_current, pids_limit;	/* limit 0: none */
};

struct mc_cgroup;

struct cgroup_driver {
	const char *name;
	bool v1;
	/* mc_cgroup_create: find the hierarchies and make the cgroup in each */
	int (*attach)(struct mc_cgroup *cg);
	/* mc_cgroup_open: the hierarchies where cg->path exists */
	int (*open)(struct mc_cgroup *cg);
	/* write cg->res into the new cgroup */
	int (*apply)(struct mc_cgroup *cg);
	/* write the fields of R that are set into the existing cgroup */
	int (*update)(struct mc_cgroup *cg, const struct mc_resources *r);
	int (*freeze)(struct mc_cgroup *cg);
	int (*thaw)(struct mc_cgroup *cg);
	bool (*is_frozen)(struct mc_cgroup *cg);
	/* the cgroup whose cgroup.procs lists every process of it */
	const char *(*pids_dir)(struct mc_cgroup *cg);
	/* SIGKILL whatever is in it, without racing its forks */
	void (*kill)(struct mc_cgroup *cg);
	uint64_t (*oom_kills)(struct mc_cgroup *cg, int status);
	/* the --stats line: " key=value" words */
	void (*stats)(struct mc_cgroup *cg, char *line, size_t size);
	/* mc_cgroup_stats_json's numbers */
	void (*usage)(struct mc_cgroup *cg, struct cgroup_usage *u);
};

extern const struct cgroup_driver cgroup_v1_driver;
extern const struct cgroup_driver cgroup_v2_driver;

struct mc_cgroup {
	const struct cgroup_driver *drv;
	char path[PATH_MAX / 2];	/* below each hierarchy's root */
	bool default_parent;	/* "mcstatic": shared, whoever leaves last removes it */
	bool oci;		/* linux.cgroupsPath: every controller there is */
	struct hierarchy h[MAX_HIERARCHIES];
	size_t n;
	int v2_fd;		/* the v2 cgroup, for CLONE_INTO_CGROUP */
	struct mc_resources res;
	bool stats;
	bool devices_only;	/* nothing asked but device rules */
};

/* "machine.slice:libpod:abc": systemd's slice:prefix:name form. */
bool cg_systemd_form(const char *path);

/* What the container asks of a controller. */
enum need { NOT_NEEDED, OPTIONAL, REQUIRED };
enum need cg_need(const struct mc_cgroup *cg, const char *ctrl);
uint64_t cg_weight_of(const struct mc_resources *r);
uint64_t cg_shares_of(const struct mc_resources *r);
/* The checks create and update share, before anything is written. */

/* Files (cgroup-fs.c).  DIR/FILE; write errors are recorded. */
int cg_write(const char *dir, const char *file, const char *value);
int cg_write_u64(const char *dir, const char *file, int64_t v);	/* <0: "max" */
ssize_t cg_read(const char *dir, const char *file, char *buf, size_t size);
int cg_read_u64(const char *dir, const char *file, uint64_t *v);
/* The value of "KEY N" in a flat-keyed file (memory.events, cpu.stat). */
int cg_read_key(const char *dir, const char *file, const char *key,
		uint64_t *v);
bool cg_has_file(const char *dir, const char *file);
/* WORD is one of the words of LIST ("cpu io memory\n"). */
bool cg_word_in(const char *list, const char *word);
bool cg_is_fs(const char *path, unsigned long magic, dev_t *dev);

/* Processes. */
bool cg_procs_empty(const char *dir);
int cg_signal_listed(const char *dir, int sig);
bool cg_wait_empty(const char *dir);
void cg_nap(unsigned int *us);
bool cg_dir_frozen(const char *dir, bool v1);
int cg_freeze_dir(const char *dir, bool v1);
int cg_thaw_dir(const char *dir, bool v1);
void cg_freeze_and_kill(const char *dir, bool v1, bool have_freezer);

/* Directories. */
int cg_hierarchy_add(struct mc_cgroup *cg, const char *ctrl, const char *root);
/* The hierarchy CTRL is in (the only one on v2), or NULL. */
struct hierarchy *cg_hierarchy_of(struct mc_cgroup *cg, const char *ctrl);
/* The same, or an error naming the controller. */
struct hierarchy *cg_hierarchy_need(struct mc_cgroup *cg, const char *ctrl);
/* Run on each ancestor before its child is made (v2 enables controllers). */
typedef int (*cg_ancestor_fn)(struct mc_cgroup *cg, const char *dir);
int cg_make_dirs(struct mc_cgroup *cg, struct hierarchy *h, cg_ancestor_fn fn);
void cg_remove_dirs(struct mc_cgroup *cg, struct hierarchy *h);

/* The --stats line's " key=value" words; the unified cpu.stat. */
size_t cg_stat_append(char *line, size_t size, size_t len, const char *key,
		      uint64_t v);
size_t cg_v2_cpu_stats(const char *dir, char *line, size_t size, size_t len);
void cg_v2_cpu_usage(const char *dir, struct cgroup_usage *u);

/* v1 devices: the line for devices.allow or devices.deny; v2: allow-all. */
int cg_dev_rule_line(const struct mc_dev_rule *r, char *buf, size_t size);
bool cg_dev_rules_allow_all(const struct mc_dev_rule *r, size_t n);

/* v2 devices (cgroup-ebpf.c): one eBPF instruction, as struct bpf_insn. */
struct cg_bpf_insn {
	uint8_t code;
	uint8_t regs;		/* dst | src << 4 */
	int16_t off;
	int32_t imm;
};

/* Room for ~500 rules; the kernel's limit is far above. */
#define CG_DEV_PROGRAM_MAX 4096
/* The program for rules R[0..N-1] in OUT: its length, or -1. */
ssize_t cg_dev_program(const struct mc_dev_rule *r, size_t n,
		       struct cg_bpf_insn *out, size_t max);
/* Load it and attach it to the cgroup (BPF_F_ALLOW_MULTI). */
int cg_dev_program_attach(int cgroup_fd, const struct mc_dev_rule *r, size_t n);

#endif
