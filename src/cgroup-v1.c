// SPDX-License-Identifier: MIT
/*
 * The cgroup v1 driver: a hierarchy per controller at /sys/fs/cgroup/<name>.
 * The container gets a cgroup in each one it needs, plus the freezer (to
 * kill leftovers without racing their forks) and, on hybrid hosts, the
 * cgroup2 mount at /sys/fs/cgroup/unified, so the container can be tracked
 * there as on a v2 host.  crun refuses hybrid hosts; we use what they offer.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-priv.h"
#include "error.h"
#include "util.h"

/*
 * cpuset and devices, then the ones only an OCI container joins (as runc
 * does, so an engine finds it in every hierarchy: podman's stats read
 * blkio), last: the seed never asks for them.  "systemd" is the name=systemd
 * hierarchy a hybrid host mounts at /sys/fs/cgroup/systemd.
 */
static const char *const v1_controllers[] = { "memory", "cpu", "cpuacct",
					      "pids", "freezer", "cpuset",
					      "devices", "blkio", "net_cls",
					      "net_prio", "hugetlb",
					      "perf_event", "systemd" };

/* "cpu" and "cpuacct" are often one hierarchy (cpu,cpuacct): use it once. */
static struct hierarchy *same_mount(struct mc_cgroup *cg, const dev_t *devs,
				    dev_t dev)
{
	for (size_t i = 0; i < cg->n; i++)
		if (devs[i] == dev)
			return &cg->h[i];
	return NULL;
}

/* For each controller of v1_controllers that cg_need wants: MOUNTED(root). */
typedef int (*v1_found_fn)(struct mc_cgroup *cg, const char *ctrl,
			   const char *root);

static int each_controller(struct mc_cgroup *cg, bool all, v1_found_fn found)
{
	dev_t devs[MAX_HIERARCHIES], dev;
	struct hierarchy *h;
	char root[64];

	for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++) {
		const char *c = v1_controllers[i];
		enum need need = all ? OPTIONAL : cg_need(cg, c);

		if (need == NOT_NEEDED)
			continue;
		snprintf(root, sizeof(root), CGROUP_ROOT "/%s", c);
		if (!cg_is_fs(root, CGROUP_SUPER_MAGIC, &dev)) {
			if (need == OPTIONAL)
				continue;
			return mc_error(0, "cgroup v1: the %s controller is not "
					"mounted at %s", c, root);
		}
		if ((h = same_mount(cg, devs, dev))) {
			size_t len = strlen(h->ctrls);

			snprintf(h->ctrls + len, sizeof(h->ctrls) - len, ",%s", c);
			continue;
		}
		devs[cg->n] = dev;
		if (found(cg, c, root) < 0)
			return -1;
	}
	/* Hybrid: the cgroup2 mount tracks the container too (no controllers). */
	if ((all || !cg->devices_only) &&
	    cg_is_fs(CGROUP_UNIFIED, CGROUP2_SUPER_MAGIC, NULL) &&
	    found(cg, "unified", CGROUP_UNIFIED) < 0)
		return -1;
	return 0;
}

static int make_one(struct mc_cgroup *cg, const char *ctrl, const char *root)
{
	if (cg_hierarchy_add(cg, ctrl, root) < 0)
		return -1;
	return cg_make_dirs(cg, &cg->h[cg->n - 1], NULL);
}

static int v1_attach(struct mc_cgroup *cg)
{
	return each_controller(cg, false, make_one);
}

/* Only where the directory is: a controller the container never joined. */
static int open_one(struct mc_cgroup *cg, const char *ctrl, const char *root)
{
	if (cg_hierarchy_add(cg, ctrl, root) < 0)
		return -1;
	if (access(cg->h[cg->n - 1].dir, F_OK) < 0)
		cg->n--;
	return 0;
}

static int v1_open(struct mc_cgroup *cg)
{
	if (each_controller(cg, true, open_one) < 0)
		return -1;
	return cg->n ? 0 : mc_error(ENOENT, "cgroup %s", cg->path);
}

/*
 * A new cpuset cgroup has no CPUs and no memory nodes, and no task can join
 * it so: each directory on the way down gets its parent's, where empty.
 */
static int cpuset_fill(struct mc_cgroup *cg, const struct hierarchy *h)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	size_t root_len = strlen(h->dir) - strlen(cg->path) - 1;
	char dir[PATH_MAX], parent[PATH_MAX], val[4096];

	for (size_t len = root_len; h->dir[len];) {
		memcpy(parent, h->dir, len);
		parent[len] = '\0';
		len += 1 + strcspn(h->dir + len + 1, "/");
		memcpy(dir, h->dir, len);
		dir[len] = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			if (cg_read(dir, files[i], val, sizeof(val)) > 1)
				continue;
			if (cg_read(parent, files[i], val, sizeof(val)) < 0)
				return mc_error(errno, "cgroup %s/%s", parent,
						files[i]);
			val[strcspn(val, "\n")] = '\0';
			if (cg_write(dir, files[i], val) < 0)
				return -1;
		}
	}
	return 0;
}

/* "c 1:3 rwm", "b *:* m", "a": one line for devices.allow or devices.deny. */
int cg_dev_rule_line(const struct mc_dev_rule *r, char *buf, size_t size)
{
	char major[24] = "*", minor[24] = "*";
	int n;

	if (r->type == 'a')
		n = snprintf(buf, size, "a");
	else {
		if (r->major >= 0)
			snprintf(major, sizeof(major), "%" PRId64, r->major);
		if (r->minor >= 0)
			snprintf(minor, sizeof(minor), "%" PRId64, r->minor);
		n = snprintf(buf, size, "%c %s:%s %s", r->type, major, minor,
			     r->access);
	}
	return n < 0 || (size_t)n >= size ? mc_error(ENAMETOOLONG, "device rule")
					  : 0;
}

/*
 * The rules in order: the kernel applies each to the list the last left.
 * "a" in devices.deny (OCI's usual first rule, deny all) empties it.
 */
static int v1_devices(struct mc_cgroup *cg, const struct mc_resources *r)
{
	struct hierarchy *h;
	char line[64];

	if (!r->n_dev_rules)
		return 0;
	h = cg_hierarchy_need(cg, "devices");
	if (!h)
		return -1;
	for (size_t i = 0; i < r->n_dev_rules; i++) {
		const struct mc_dev_rule *d = &r->dev_rules[i];

		if (cg_dev_rule_line(d, line, sizeof(line)) < 0 ||
		    cg_write(h->dir, d->allow ? "devices.allow" : "devices.deny",
			     line) < 0)
			return mc_error_context("linux.resources.devices[%zu]", i);
	}
	return 0;
}

static int write_memsw(const char *dir, int64_t swap)
{
	return swap < 0 ? cg_write(dir, "memory.memsw.limit_in_bytes", "-1")
			: cg_write_u64(dir, "memory.memsw.limit_in_bytes", swap);
}

/*
 * memsw is never below the limit: the limit goes first, unless it rises
 * above the current limit, as runc orders them.
 */
static int v1_memory_limits(const char *dir, const struct mc_resources *r)
{
	uint64_t cur = 0;

	if (r->memory_swap && !cg_has_file(dir, "memory.memsw.limit_in_bytes"))
		return mc_error(0, "linux.resources.memory.swap: this kernel does not account "
				"swap (no memory.memsw.limit_in_bytes; boot with "
				"swapaccount=1)");
	if (r->memory_limit && r->memory_swap &&
	    cg_read_u64(dir, "memory.limit_in_bytes", &cur) == 0 &&
	    (r->memory_swap < 0 || cur < (uint64_t)r->memory_swap))
		return write_memsw(dir, r->memory_swap) < 0 ||
		       cg_write_u64(dir, "memory.limit_in_bytes", r->memory_limit) < 0 ?
		       -1 : 0;
	if (r->memory_limit &&
	    cg_write_u64(dir, "memory.limit_in_bytes", r->memory_limit) < 0)
		return -1;
	return r->memory_swap ? write_memsw(dir, r->memory_swap) : 0;
}

static int v1_memory(struct mc_cgroup *cg, const struct mc_resources *r)
{
	struct hierarchy *h;

	if (!r->memory_limit && !r->memory_swap && !r->memory_reservation &&
	    r->memory_swappiness < 0)
		return 0;
	h = cg_hierarchy_need(cg, "memory");
	if (!h || v1_memory_limits(h->dir, r) < 0)
		return -1;
	if (r->memory_reservation &&
	    cg_write_u64(h->dir, "memory.soft_limit_in_bytes",
			 r->memory_reservation) < 0)
		return -1;
	if (r->memory_swappiness >= 0 &&
	    cg_write_u64(h->dir, "memory.swappiness", r->memory_swappiness) < 0)
		return -1;
	return 0;
}

static int v1_cpu(struct mc_cgroup *cg, const struct mc_resources *r)
{
	struct hierarchy *h;

	if (!r->cpu_quota && !r->cpu_shares && !r->cpu_weight)
		return 0;
	h = cg_hierarchy_need(cg, "cpu");
	if (!h)
		return -1;
	if (r->cpu_quota &&
	    (cg_write_u64(h->dir, "cpu.cfs_period_us",
			  r->cpu_period ? (int64_t)r->cpu_period : MC_CPU_PERIOD_US) < 0 ||
	     (r->cpu_quota < 0 ? cg_write(h->dir, "cpu.cfs_quota_us", "-1")
			       : cg_write_u64(h->dir, "cpu.cfs_quota_us",
					      r->cpu_quota)) < 0))
		return -1;
	if ((r->cpu_shares || r->cpu_weight) &&
	    cg_write_u64(h->dir, "cpu.shares", (int64_t)cg_shares_of(r)) < 0)
		return -1;
	return 0;
}

static int v1_cpuset(struct mc_cgroup *cg, const struct mc_resources *r)
{
	struct hierarchy *h;

	if (!r->cpuset_cpus && !r->cpuset_mems)
		return 0;
	h = cg_hierarchy_need(cg, "cpuset");
	if (!h)
		return -1;
	if (r->cpuset_cpus && cg_write(h->dir, "cpuset.cpus", r->cpuset_cpus) < 0)
		return -1;
	if (r->cpuset_mems && cg_write(h->dir, "cpuset.mems", r->cpuset_mems) < 0)
		return -1;
	return 0;
}

static int v1_update(struct mc_cgroup *cg, const struct mc_resources *r)
{
	struct hierarchy *h;

	if (v1_memory(cg, r) < 0 || v1_cpu(cg, r) < 0 || v1_cpuset(cg, r) < 0)
		return -1;
	if (r->pids_limit) {
		h = cg_hierarchy_need(cg, "pids");
		if (!h || cg_write_u64(h->dir, "pids.max", r->pids_limit) < 0)
			return -1;
	}
	return v1_devices(cg, r);
}

static int v1_apply(struct mc_cgroup *cg)
{
	struct hierarchy *h = cg_hierarchy_of(cg, "cpuset");

	if (h && cpuset_fill(cg, h) < 0)
		return -1;
	return v1_update(cg, &cg->res);
}

static struct hierarchy *freezer(struct mc_cgroup *cg)
{
	return cg_hierarchy_need(cg, "freezer");
}

static int v1_freeze(struct mc_cgroup *cg)
{
	struct hierarchy *h = freezer(cg);

	return h ? cg_freeze_dir(h->dir, true) : -1;
}

static int v1_thaw(struct mc_cgroup *cg)
{
	struct hierarchy *h = freezer(cg);

	return h ? cg_thaw_dir(h->dir, true) : -1;
}

static bool v1_is_frozen(struct mc_cgroup *cg)
{
	struct hierarchy *h = cg_hierarchy_of(cg, "freezer");

	return h && cg_dir_frozen(h->dir, true);
}

/* Every hierarchy lists every process; the freezer's is the one we kill. */
static const char *v1_pids_dir(struct mc_cgroup *cg)
{
	struct hierarchy *h = cg_hierarchy_of(cg, "freezer");

	if (!h)
		h = cg_hierarchy_of(cg, "unified");
	return h ? h->dir : cg->h[0].dir;
}

static void v1_kill(struct mc_cgroup *cg)
{
	struct hierarchy *h = cg_hierarchy_of(cg, "freezer");
	const char *dir = h ? h->dir : cg->h[0].dir;

	if (cg_procs_empty(dir))
		return;
	mc_debug("[cgroup] killing what is left in %s", dir);
	cg_freeze_and_kill(dir, true, h != NULL);
	if (!cg_wait_empty(dir))
		mc_warn("cgroup %s: processes left after SIGKILL", dir);
}

static uint64_t v1_oom_kills(struct mc_cgroup *cg, int status)
{
	struct hierarchy *h = cg_hierarchy_of(cg, "memory");
	uint64_t n = 0;

	if (!h)
		return 0;
	if (cg_read_key(h->dir, "memory.oom_control", "oom_kill", &n) == 0)
		return n;
	/* Before 4.13: the limit was hit and the command died of SIGKILL. */
	if (status == 128 + SIGKILL && cg_read_u64(h->dir, "memory.failcnt", &n) == 0)
		return n > 0;
	return 0;
}

static void v1_stats(struct mc_cgroup *cg, char *line, size_t size)
{
	struct hierarchy *h = cg_hierarchy_of(cg, "cpuacct");
	uint64_t v;
	size_t len = 0;

	if (h && cg_read_u64(h->dir, "cpuacct.usage", &v) == 0) {
		len = cg_stat_append(line, size, len, "cpu_usec", v / 1000);
		if (cg_read_u64(h->dir, "cpuacct.usage_user", &v) == 0)
			len = cg_stat_append(line, size, len, "user_usec", v / 1000);
		if (cg_read_u64(h->dir, "cpuacct.usage_sys", &v) == 0)
			len = cg_stat_append(line, size, len, "system_usec", v / 1000);
	} else if ((h = cg_hierarchy_of(cg, "unified"))) {
		len = cg_v2_cpu_stats(h->dir, line, size, len);
	}
	h = cg_hierarchy_of(cg, "memory");
	if (h && cg_read_u64(h->dir, "memory.max_usage_in_bytes", &v) == 0)
		len = cg_stat_append(line, size, len, "memory_peak", v);
	h = cg_hierarchy_of(cg, "pids");
	if (h && cg_read_u64(h->dir, "pids.peak", &v) == 0)
		cg_stat_append(line, size, len, "pids_peak", v);
}

static void v1_usage(struct mc_cgroup *cg, struct cgroup_usage *u)
{
	struct hierarchy *h = cg_hierarchy_of(cg, "cpuacct");

	if (h && cg_read_u64(h->dir, "cpuacct.usage", &u->cpu_total) == 0) {
		cg_read_u64(h->dir, "cpuacct.usage_user", &u->cpu_user);
		cg_read_u64(h->dir, "cpuacct.usage_sys", &u->cpu_kernel);
	} else if ((h = cg_hierarchy_of(cg, "unified"))) {
		cg_v2_cpu_usage(h->dir, u);
	}
	if ((h = cg_hierarchy_of(cg, "cpu"))) {
		cg_read_key(h->dir, "cpu.stat", "nr_periods", &u->periods);
		cg_read_key(h->dir, "cpu.stat", "nr_throttled", &u->throttled_periods);
		cg_read_key(h->dir, "cpu.stat", "throttled_time", &u->throttled_time);
	}
	if ((h = cg_hierarchy_of(cg, "memory"))) {
		u->mem_stat_dir = h->dir;
		cg_read_u64(h->dir, "memory.usage_in_bytes", &u->mem_usage);
		cg_read_u64(h->dir, "memory.max_usage_in_bytes", &u->mem_max);
		cg_read_u64(h->dir, "memory.limit_in_bytes", &u->mem_limit);
		cg_read_u64(h->dir, "memory.failcnt", &u->mem_failcnt);
		cg_read_key(h->dir, "memory.stat", "cache", &u->mem_cache);
	}
	if ((h = cg_hierarchy_of(cg, "pids"))) {
		cg_read_u64(h->dir, "pids.current", &u->pids_current);
		/* "max" is no number: 0, no limit, as runc says it */
		cg_read_u64(h->dir, "pids.max", &u->pids_limit);
	}
}

const struct cgroup_driver cgroup_v1_driver = {
	.name = "v1",
	.v1 = true,
	.attach = v1_attach,
	.open = v1_open,
	.apply = v1_apply,
	.update = v1_update,
	.freeze = v1_freeze,
	.thaw = v1_thaw,
	.is_frozen = v1_is_frozen,
	.pids_dir = v1_pids_dir,
	.kill = v1_kill,
	.oom_kills = v1_oom_kills,
	.stats = v1_stats,
	.usage = v1_usage,
};
