// SPDX-License-Identifier: MIT
/*
 * The cgroup v2 driver: one hierarchy at /sys/fs/cgroup.  Controllers are
 * enabled in cgroup.subtree_control of every ancestor, the child is born in
 * the cgroup (clone3 CLONE_INTO_CGROUP, see container.c) and leftovers die
 * by cgroup.kill.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-priv.h"
#include "error.h"
#include "util.h"

static const char *const v2_controllers[] = { "memory", "cpu", "cpuset",
					      "pids" };

/*
 * Enable in DIR/cgroup.subtree_control what the container's cgroup needs.
 * For linux.cgroupsPath every controller is optional; one the kernel
 * refuses there (a parent with processes of its own: EBUSY) is left off,
 * as runc does.
 */
static int v2_enable(struct mc_cgroup *cg, const char *dir)
{
	char avail[512], on[512], word[16];

	if (cg_read(dir, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
	    cg_read(dir, "cgroup.subtree_control", on, sizeof(on)) < 0)
		return mc_error(errno, "cgroup %s", dir);
	for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++) {
		const char *c = v2_controllers[i];
		enum need need = cg_need(cg, c);

		if (need == NOT_NEEDED || cg_word_in(on, c))
			continue;
		if (!cg_word_in(avail, c)) {
			if (need == OPTIONAL)
				continue;
			return mc_error(0, "cgroup v2: the %s controller is not "
					"available in %s (it offers: %.*s)", c, dir,
					(int)strcspn(avail, "\n"), avail);
		}
		snprintf(word, sizeof(word), "+%s", c);
		if (cg_write(dir, "cgroup.subtree_control", word) < 0) {
			if (need == REQUIRED || !cg->oci)
				return -1;
			mc_debug("[cgroup] %s: left off", mc_error_text());
		}
	}
	return 0;
}

bool cg_dev_rules_allow_all(const struct mc_dev_rule *r, size_t n)
{
	return n == 1 && r->allow && r->type == 'a' && r->major == -1 &&
	       r->minor == -1 && strlen(r->access) == 3;
}

/*
 * The device controller of v2 is an eBPF program on the cgroup
 * (cgroup-ebpf.c).  On an update the new one replaces the old, as runc.
 */
static int v2_devices(struct mc_cgroup *cg, const struct mc_resources *r)
{
	if (!r->n_dev_rules)
		return 0;
	if (cg->v2_fd < 0)
		return mc_error(EBADF, "linux.resources.devices: cgroup %s",
				cg->h[0].dir);
	return cg_dev_program_attach(cg->v2_fd, r->dev_rules, r->n_dev_rules);
}

static int v2_open_fd(struct mc_cgroup *cg)
{
	cg->v2_fd = open(cg->h[0].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->v2_fd < 0)
		return mc_error(errno, "cgroup %s", cg->h[0].dir);
	return 0;
}

static int v2_attach(struct mc_cgroup *cg)
{
	if (cg_hierarchy_add(cg, "", CGROUP_ROOT) < 0 ||
	    cg_make_dirs(cg, &cg->h[0], v2_enable) < 0)
		return -1;
	return v2_open_fd(cg);
}

static int v2_open(struct mc_cgroup *cg)
{
	if (cg_hierarchy_add(cg, "", CGROUP_ROOT) < 0)
		return -1;
	if (access(cg->h[0].dir, F_OK) < 0) {
		cg->n = 0;
		return mc_error(errno, "cgroup %s", cg->path);
	}
	return v2_open_fd(cg);
}

static int v2_memory(const char *dir, const struct mc_resources *r)
{
	if (r->memory_limit && cg_write_u64(dir, "memory.max", r->memory_limit) < 0)
		return -1;
	if (r->memory_reservation &&
	    cg_write_u64(dir, "memory.low", r->memory_reservation) < 0)
		return -1;
	if (r->memory_swappiness >= 0)
		mc_debug("[cgroup] memory.swappiness %" PRId64 ": ignored on cgroup v2",
			 r->memory_swappiness);
	if (!r->memory_swap)
		return 0;
	if (!cg_has_file(dir, "memory.swap.max"))
		return mc_error(0, "linux.resources.memory.swap: this kernel does not "
				"account swap (no memory.swap.max in %s)", dir);
	return cg_write_u64(dir, "memory.swap.max",
			    r->memory_swap < 0 ? -1
					       : r->memory_swap - r->memory_limit);
}

static int v2_cpu(const char *dir, const struct mc_resources *r)
{
	char buf[48];

	if (r->cpu_quota) {
		uint64_t period = r->cpu_period ? r->cpu_period : MC_CPU_PERIOD_US;

		if (r->cpu_quota < 0)
			snprintf(buf, sizeof(buf), "max %" PRIu64, period);
		else
			snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64,
				 r->cpu_quota, period);
		if (cg_write(dir, "cpu.max", buf) < 0)
			return -1;
	}
	if ((r->cpu_weight || r->cpu_shares) &&
	    cg_write_u64(dir, "cpu.weight", (int64_t)cg_weight_of(r)) < 0)
		return -1;
	if (r->cpuset_cpus && cg_write(dir, "cpuset.cpus", r->cpuset_cpus) < 0)
		return -1;
	if (r->cpuset_mems && cg_write(dir, "cpuset.mems", r->cpuset_mems) < 0)
		return -1;
	return 0;
}

static int v2_update(struct mc_cgroup *cg, const struct mc_resources *r)
{
	const char *dir = cg->h[0].dir;

	if (v2_devices(cg, r) < 0 || v2_memory(dir, r) < 0 || v2_cpu(dir, r) < 0)
		return -1;
	if (r->pids_limit && cg_write_u64(dir, "pids.max", r->pids_limit) < 0)
		return -1;
	return 0;
}

static int v2_apply(struct mc_cgroup *cg)
{
	struct mc_resources r = cg->res;

	/* A new cgroup has no program: a lone "allow all" needs none. */
	if (cg_dev_rules_allow_all(r.dev_rules, r.n_dev_rules))
		r.n_dev_rules = 0;
	return v2_update(cg, &r);
}

static int v2_freeze(struct mc_cgroup *cg)
{
	if (!cg_has_file(cg->h[0].dir, "cgroup.freeze"))
		return mc_error(0, "cgroup %s: no cgroup.freeze (Linux 5.2 or later "
				"has it)", cg->h[0].dir);
	return cg_freeze_dir(cg->h[0].dir, false);
}

static int v2_thaw(struct mc_cgroup *cg)
{
	return cg_thaw_dir(cg->h[0].dir, false);
}

static bool v2_is_frozen(struct mc_cgroup *cg)
{
	return cg_dir_frozen(cg->h[0].dir, false);
}

static const char *v2_pids_dir(struct mc_cgroup *cg)
{
	return cg->h[0].dir;
}

static void v2_kill(struct mc_cgroup *cg)
{
	const char *dir = cg->h[0].dir;

	if (cg_procs_empty(dir))
		return;
	mc_debug("[cgroup] killing what is left in %s", dir);
	if (cg_has_file(dir, "cgroup.kill"))
		cg_write(dir, "cgroup.kill", "1");
	else
		cg_freeze_and_kill(dir, false, cg_has_file(dir, "cgroup.freeze"));
	if (!cg_wait_empty(dir))
		mc_warn("cgroup %s: processes left after SIGKILL", dir);
}

static uint64_t v2_oom_kills(struct mc_cgroup *cg, int status)
{
	uint64_t n = 0;

	(void)status;
	cg_read_key(cg->h[0].dir, "memory.events", "oom_kill", &n);
	return n;
}

size_t cg_stat_append(char *line, size_t size, size_t len, const char *key,
		      uint64_t v)
{
	if (len >= size)
		return len;
	return len + (size_t)snprintf(line + len, size - len, " %s=%" PRIu64,
				      key, v);
}

/* cpu.stat is a core file: there even without the cpu controller. */
size_t cg_v2_cpu_stats(const char *dir, char *line, size_t size, size_t len)
{
	static const char *const keys[] = { "usage_usec", "user_usec",
					    "system_usec" };
	static const char *const names[] = { "cpu_usec", "user_usec",
					     "system_usec" };
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (cg_read_key(dir, "cpu.stat", keys[i], &v) == 0)
			len = cg_stat_append(line, size, len, names[i], v);
	return len;
}

static void v2_stats(struct mc_cgroup *cg, char *line, size_t size)
{
	const char *dir = cg->h[0].dir;
	size_t len = cg_v2_cpu_stats(dir, line, size, 0);
	uint64_t v;

	if (cg_read_u64(dir, "memory.peak", &v) == 0)
		len = cg_stat_append(line, size, len, "memory_peak", v);
	if (cg_read_u64(dir, "pids.peak", &v) == 0)
		cg_stat_append(line, size, len, "pids_peak", v);
}

/* "max" is UINT64_MAX, as runc reads it. */
static void read_max(const char *dir, const char *file, uint64_t *v)
{
	char buf[32];

	if (cg_read(dir, file, buf, sizeof(buf)) > 0 && !strncmp(buf, "max", 3))
		*v = UINT64_MAX;
	else
		cg_read_u64(dir, file, v);
}

/* The unified cpu.stat, in ns; also v1's fallback on hybrid hosts. */
void cg_v2_cpu_usage(const char *dir, struct cgroup_usage *u)
{
	uint64_t v;

	if (cg_read_key(dir, "cpu.stat", "usage_usec", &v) == 0)
		u->cpu_total = v * 1000;
	if (cg_read_key(dir, "cpu.stat", "user_usec", &v) == 0)
		u->cpu_user = v * 1000;
	if (cg_read_key(dir, "cpu.stat", "system_usec", &v) == 0)
		u->cpu_kernel = v * 1000;
	cg_read_key(dir, "cpu.stat", "nr_periods", &u->periods);
	cg_read_key(dir, "cpu.stat", "nr_throttled", &u->throttled_periods);
	if (cg_read_key(dir, "cpu.stat", "throttled_usec", &v) == 0)
		u->throttled_time = v * 1000;
}

static void v2_usage(struct mc_cgroup *cg, struct cgroup_usage *u)
{
	const char *dir = cg->h[0].dir;

	cg_v2_cpu_usage(dir, u);
	if (cg_read_u64(dir, "memory.current", &u->mem_usage) == 0)
		u->mem_stat_dir = dir;
	cg_read_u64(dir, "memory.peak", &u->mem_max);
	read_max(dir, "memory.max", &u->mem_limit);
	cg_read_key(dir, "memory.stat", "file", &u->mem_cache);
	cg_read_u64(dir, "pids.current", &u->pids_current);
	read_max(dir, "pids.max", &u->pids_limit);
	if (u->pids_limit == UINT64_MAX)
		u->pids_limit = 0;
}

const struct cgroup_driver cgroup_v2_driver = {
	.name = "v2",
	.attach = v2_attach,
	.open = v2_open,
	.apply = v2_apply,
	.update = v2_update,
	.freeze = v2_freeze,
	.thaw = v2_thaw,
	.is_frozen = v2_is_frozen,
	.pids_dir = v2_pids_dir,
	.kill = v2_kill,
	.oom_kills = v2_oom_kills,
	.stats = v2_stats,
	.usage = v2_usage,
};
