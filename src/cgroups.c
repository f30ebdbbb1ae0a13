// SPDX-License-Identifier: MIT
/*
 * Resource limits through cgroups: one interface (cgroups.h), two drivers
 * (cgroup-v1.c, cgroup-v2.c) behind the vtable of cgroup-priv.h, the
 * cgroupfs helpers both share (cgroup-fs.c) and the pure helpers
 * (cgroup-util.c).  Here: the interface, what the container asks of each
 * controller, and the sweep of cgroups a killed mcstatic left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup-priv.h"
#include "error.h"
#include "json.h"
#include "proc.h"
#include "util.h"

/* WORD is one of the comma-separated words of LIST. */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p; p += *p == ',') {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
	}
	return false;
}

/*
 * mcstatic's own cgroup, for a relative cgroupsPath: one path for every
 * hierarchy, the cgroup2 line's ("0::/...") where there is one, else the
 * memory controller's, else the first line's.
 */
static int own_cgroup(char *buf, size_t size)
{
	char line[PATH_MAX];
	int best = 0;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return mc_error(errno, "/proc/self/cgroup");
	while (best < 3 && fgets(line, sizeof(line), f)) {
		char *ctrls = strchr(line, ':'), *path;
		int rank;

		if (!ctrls || !(path = strchr(++ctrls, ':')))
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		rank = !*ctrls ? 3 : in_list(ctrls, "memory") ? 2 : 1;
		if (rank > best) {
			snprintf(buf, size, "%s", path);
			best = rank;
		}
	}
	fclose(f);
	return best ? 0 : mc_error(0, "/proc/self/cgroup: no cgroup");
}

/* ------------------------------------------------------------------ */
/* What is asked for                                                   */
/* ------------------------------------------------------------------ */

/*
 * A limit makes its controller REQUIRED.  Counters (--stats) make theirs
 * OPTIONAL; so does linux.cgroupsPath for every controller, as runc joins
 * them all: update, pause and stats then find the container there.
 */
enum need cg_need(const struct mc_cgroup *cg, const char *ctrl)
{
	const struct mc_resources *r = &cg->res;
	enum need counted = cg->stats || cg->oci ? OPTIONAL : NOT_NEEDED;
	enum need oci = cg->oci ? OPTIONAL : NOT_NEEDED;

	if (cg->devices_only)
		return strcmp(ctrl, "devices") ? NOT_NEEDED : REQUIRED;
	if (!strcmp(ctrl, "memory"))
		return r->memory_limit || r->memory_swap || r->memory_reservation ||
		       (r->memory_swappiness >= 0 && cg->drv->v1) ? REQUIRED
								  : counted;
	if (!strcmp(ctrl, "cpu"))
		return r->cpu_quota || r->cpu_shares || r->cpu_weight ? REQUIRED
								      : oci;
	if (!strcmp(ctrl, "pids"))
		return r->pids_limit ? REQUIRED : counted;
	if (!strcmp(ctrl, "cpuacct"))
		return counted;
	if (!strcmp(ctrl, "cpuset"))
		return r->cpuset_cpus || r->cpuset_mems ? REQUIRED : oci;
	if (!strcmp(ctrl, "devices"))
		return r->n_dev_rules ? REQUIRED : oci;
	if (!strcmp(ctrl, "freezer") || !strcmp(ctrl, "unified"))
		return OPTIONAL;	/* for killing and tracking */
	return oci;		/* blkio, net_cls, ..., name=systemd */
}

uint64_t cg_weight_of(const struct mc_resources *r)
{
	return r->cpu_weight ? r->cpu_weight
			     : mc_cgroup_shares_to_weight(r->cpu_shares);
}

uint64_t cg_shares_of(const struct mc_resources *r)
{
	return r->cpu_shares ? r->cpu_shares
			     : mc_cgroup_weight_to_shares(r->cpu_weight);
}

/* ------------------------------------------------------------------ */
/* Leftovers and joining                                               */
/* ------------------------------------------------------------------ */

/* For the default name: our start time (a given name needs none). */
static int own_start_time(const struct mc_spec *spec, uint64_t *start)
{
	*start = 0;
	if (spec->cgroup_name)
		return 0;
	if (mc_proc_start_time(getpid(), start) < 0)
		return mc_error_context("cgroup name");
	return 0;
}

/*
 * A cgroup an mcstatic killed with SIGKILL left: one of our own names whose
 * process is gone, or is another process now (same pid, other start time).
 * A live mcstatic's cgroup is never one, even while it is still empty.
 */
static bool is_stale(const char *name)
{
	uint64_t start, now;
	pid_t pid;

	if (!mc_cgroup_parse_own_name(name, &pid, &start))
		return false;
	if (mc_proc_start_time(pid, &now) == 0)
		return now != start;
	return mc_error_errno() == ENOENT || mc_error_errno() == ESRCH;
}

/*
 * Remove the stale cgroups in PARENT (the shared default parent).  rmdir
 * refuses a cgroup that still has processes, so even a stale name with
 * something in it stays.
 */
static void remove_stale_in(const char *parent, bool ours)
{
	bool removed = false;
	struct dirent *e;
	DIR *d = opendir(parent);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!is_stale(e->d_name) ||
		    unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
			continue;
		removed = true;
		mc_debug("[cgroup] removed %s/%s, left by a killed mcstatic",
			 parent, e->d_name);
	}
	closedir(d);
	/* A hierarchy this run does not use keeps no empty parent of ours
	 * (ours goes when this run ends, if it is the last one out). */
	if (removed && !ours)
		rmdir(parent);
}

/* Is PARENT the parent of one of our hierarchies' cgroups? */
static bool uses(const struct mc_cgroup *cg, const char *parent)
{
	size_t n = strlen(parent);

	for (size_t i = 0; i < cg->n; i++)
		if (!strncmp(cg->h[i].dir, parent, n) && cg->h[i].dir[n] == '/')
			return true;
	return false;
}

/*
 * The default parent in every hierarchy, not only ours: a killed run may
 * have used one this run does not (the devices hierarchy of a root
 * container with a rootfs).  DIR is one of ours, ROOT/HIERARCHY/mcstatic/
 * NAME on v1, ROOT/mcstatic/NAME on v2.
 */
static void remove_stale(const struct mc_cgroup *cg, const char *dir)
{
	char parent[PATH_MAX], root[PATH_MAX - NAME_MAX - 16];
	struct dirent *e;
	char *slash;
	DIR *d;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (snprintf(root, sizeof(root), "%s", parent) >= (int)sizeof(root))
		return;
	for (int up = 0; up < 2 && (slash = strrchr(root, '/')); up++)
		*slash = '\0';
	if (cg->drv != &cgroup_v1_driver || !slash || !(d = opendir(root))) {
		remove_stale_in(parent, true);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(parent, sizeof(parent), "%s/%s/%s", root, e->d_name,
			 MC_CGROUP_PARENT);
		remove_stale_in(parent, uses(cg, parent));
	}
	closedir(d);
}

static int enter_all(struct mc_cgroup *cg, pid_t pid)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++)
		if (cg_write(cg->h[i].dir, "cgroup.procs", buf) < 0)
			return -1;
	return 0;
}


/* ------------------------------------------------------------------ */
/* The interface                                                       */
/* ------------------------------------------------------------------ */

/* Anything asked of the cgroup but its device rules. */
static bool more_than_devices(const struct mc_spec *spec, bool stats)
{
	const struct mc_resources *r = &spec->resources;

	return r->memory_limit || r->memory_swap || r->cpu_quota ||
	       r->cpu_shares || r->cpu_weight || r->pids_limit ||
	       r->memory_reservation || r->memory_swappiness >= 0 ||
	       r->cpuset_cpus || r->cpuset_mems ||
	       spec->cgroup_parent || spec->cgroup_name || stats ||
	       spec->cgroups_path;
}

bool mc_cgroup_wanted(const struct mc_spec *spec, bool stats)
{
	return spec->resources.n_dev_rules || more_than_devices(spec, stats);
}

static const struct cgroup_driver *detect(void)
{
	struct statfs sfs;

	if (statfs(CGROUP_ROOT, &sfs) < 0) {
		mc_error(errno, "cgroups: %s", CGROUP_ROOT);
		return NULL;
	}
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		return &cgroup_v2_driver;
	if (access(CGROUP_ROOT "/cgroup.procs", F_OK) == 0 ||
	    access(CGROUP_ROOT "/memory", F_OK) == 0 ||
	    access(CGROUP_ROOT "/pids", F_OK) == 0 ||
	    access(CGROUP_ROOT "/freezer", F_OK) == 0)
		return &cgroup_v1_driver;
	mc_error(0, "cgroups: nothing mounted at %s", CGROUP_ROOT);
	return NULL;
}

static struct mc_cgroup *cgroup_new(void)
{
	struct mc_cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg) {
		mc_error(errno, "cgroup");
		return NULL;
	}
	cg->v2_fd = -1;
	cg->res.memory_swappiness = -1;
	cg->drv = detect();
	if (!cg->drv) {
		free(cg);
		return NULL;
	}
	return cg;
}

/* linux.cgroupsPath, or <cgroup_parent>/<cgroup_name>. */
static int container_path(const struct mc_spec *spec, struct mc_cgroup *cg)
{
	char own[PATH_MAX / 2] = "/";
	uint64_t start;

	if (spec->cgroups_path) {
		if (spec->cgroups_path[0] != '/' && !cg_systemd_form(spec->cgroups_path) &&
		    own_cgroup(own, sizeof(own)) < 0)
			return -1;
		return mc_cgroup_resolve_path(spec->cgroups_path, own, cg->path,
					      sizeof(cg->path));
	}
	if (own_start_time(spec, &start) < 0)
		return -1;
	return mc_cgroup_path(cg->path, sizeof(cg->path), spec->cgroup_parent,
			      spec->cgroup_name, getpid(), start);
}

int mc_cgroup_create(const struct mc_spec *spec, bool stats,
		     struct mc_cgroup **out)
{
	struct mc_cgroup *cg;

	*out = NULL;
	if (mc_resources_validate(&spec->resources) < 0 || !(cg = cgroup_new()))
		return -1;
	cg->res = spec->resources;
	cg->stats = stats || mc_debug_enabled;
	cg->oci = spec->cgroups_path;
	cg->default_parent = !spec->cgroup_parent && !spec->cgroups_path;
	/*
	 * The seed's default device rules alone: the devices hierarchy only
	 * (v1), no freezer or unified tracking cgroup.  Every v1 hierarchy is
	 * a cgroup.procs write and directories to make and remove, and the
	 * seed never pauses; leftovers are still killed through it.
	 */
	cg->devices_only = !more_than_devices(spec, stats);
	/* --debug's counters would need the rest: it must not change that. */
	if (cg->devices_only)
		cg->stats = false;
	if (container_path(spec, cg) < 0) {
		free(cg);
		return -1;
	}
	mc_debug("[parent] cgroup %s: %s", cg->drv->name, cg->path);
	if (cg->drv->attach(cg) < 0 || cg->drv->apply(cg) < 0) {
		mc_cgroup_destroy(cg);
		return -1;
	}
	if (cg->default_parent && cg->n)
		remove_stale(cg, cg->h[0].dir);
	*out = cg;
	return 0;
}

int mc_cgroup_open(const char *path, bool made, struct mc_cgroup **out)
{
	struct mc_cgroup *cg;

	*out = NULL;
	if (!(cg = cgroup_new()))
		return -1;
	if (mc_cgroup_resolve_path(path, "/", cg->path, sizeof(cg->path)) < 0 ||
	    cg->drv->open(cg) < 0) {
		mc_cgroup_close(cg);
		return -1;
	}
	for (size_t i = 0; i < cg->n; i++)
		cg->h[i].made = made;
	/* mcstatic/NAME (a -d container's, a seed run's): the shared default
	 * parent goes with its last child, as at the end of a run. */
	cg->default_parent = made && !strncmp(cg->path, MC_CGROUP_PARENT "/",
					      sizeof(MC_CGROUP_PARENT)) &&
			     !strchr(cg->path + sizeof(MC_CGROUP_PARENT), '/');
	*out = cg;
	return 0;
}

const char *mc_cgroup_path_of(const struct mc_cgroup *cg)
{
	return cg->path;
}

int mc_cgroup_clone_fd(const struct mc_cgroup *cg)
{
	return cg ? cg->v2_fd : -1;
}

void mc_cgroup_clone_done(struct mc_cgroup *cg)
{
	if (!cg || cg->v2_fd < 0)
		return;
	close(cg->v2_fd);
	cg->v2_fd = -1;
}

int mc_cgroup_enter(struct mc_cgroup *cg, pid_t pid)
{
	if (!cg)
		return 0;
	return enter_all(cg, pid) < 0 ? mc_error_context("join the cgroup") : 0;
}

void mc_cgroup_close(struct mc_cgroup *cg)
{
	if (!cg)
		return;
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	free(cg);
}

void mc_cgroup_destroy(struct mc_cgroup *cg)
{
	if (!cg)
		return;
	if (cg->n)
		cg->drv->kill(cg);
	/* Children first: the unified tracking cgroup and each controller. */
	for (size_t i = cg->n; i-- > 0;)
		cg_remove_dirs(cg, &cg->h[i]);
	mc_cgroup_close(cg);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* v1's cgroup.procs may be unsorted and list a process twice. */
static size_t sort_unique(pid_t *p, size_t n)
{
	size_t k = 0;

	if (n < 2)	/* p may be NULL: qsort must not see it */
		return n;
	qsort(p, n, sizeof(*p), cmp_pid);
	for (size_t i = 0; i < n; i++)
		if (!k || p[k - 1] != p[i])
			p[k++] = p[i];
	return k;
}

int mc_cgroup_pids(struct mc_cgroup *cg, pid_t **pids, size_t *n)
{
	char path[PATH_MAX], line[32];
	size_t cap = 0;
	pid_t *p = NULL, *grown;
	uint64_t v;
	FILE *f;

	*pids = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->drv->pids_dir(cg));
	f = fopen(path, "re");
	if (!f)
		return mc_error(errno, "cgroup %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (!mc_scan_u64(line, &v) || v == 0 || v > INT_MAX)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(p, cap * sizeof(*p));
			if (!grown) {
				free(p);
				fclose(f);
				return mc_error(errno, "cgroup %s", path);
			}
			p = grown;
		}
		p[(*n)++] = (pid_t)v;
	}
	fclose(f);
	*n = sort_unique(p, *n);
	*pids = p;
	return 0;
}

/*
 * SIGKILL goes the race-free way (cgroup.kill, or freeze, kill, thaw); a
 * paused container is thawed after it, so the kills land, as runc does.
 */
int mc_cgroup_signal(struct mc_cgroup *cg, int sig)
{
	const char *dir = cg->drv->pids_dir(cg);
	bool frozen;

	if (!cg_has_file(dir, "cgroup.procs"))
		return mc_error(ENOENT, "cgroup %s", dir);
	if (sig != SIGKILL) {
		cg_signal_listed(dir, sig);
		return 0;
	}
	frozen = cg->drv->is_frozen(cg);
	cg->drv->kill(cg);
	return frozen ? cg->drv->thaw(cg) : 0;
}

int mc_cgroup_freeze(struct mc_cgroup *cg)
{
	return cg->drv->freeze(cg);
}

int mc_cgroup_thaw(struct mc_cgroup *cg)
{
	return cg->drv->thaw(cg);
}

bool mc_cgroup_is_frozen(struct mc_cgroup *cg)
{
	return cg->drv->is_frozen(cg);
}

int mc_cgroup_update(struct mc_cgroup *cg, const struct mc_resources *r)
{
	if (mc_resources_validate(r) < 0)
		return -1;
	return cg->drv->update(cg, r);
}

/* memory.stat's "key value" lines as a JSON object's members. */
static void stat_members(struct mc_buf *b, const char *dir)
{
	char buf[16384];
	const char *sep = "";

	if (cg_read(dir, "memory.stat", buf, sizeof(buf)) <= 0)
		return;
	for (char *line = buf, *next; *line; line = next) {
		char *space = strchr(line, ' ');
		uint64_t v;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!space || !mc_scan_u64(space + 1, &v))
			continue;
		*space = '\0';
		mc_buf_printf(b, "%s", sep);
		mc_buf_json_str(b, line);
		mc_buf_printf(b, ":%" PRIu64, v);
		sep = ",";
	}
}

/* A member that runc leaves out when it is 0 (Go's omitempty). */
static void omit_empty(struct mc_buf *b, const char **sep, const char *key,
		       uint64_t v)
{
	if (!v)
		return;
	mc_buf_printf(b, "%s\"%s\":%" PRIu64, *sep, key, v);
	*sep = ",";
}

int mc_cgroup_stats_json(struct mc_cgroup *cg, struct mc_buf *b)
{
	struct cgroup_usage u = { 0 };
	const char *sep = "";

	cg->drv->usage(cg, &u);
	mc_buf_printf(b, "{\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"kernel\":%"
		      PRIu64 ",\"user\":%" PRIu64 "},\"throttling\":{",
		      u.cpu_total, u.cpu_kernel, u.cpu_user);
	omit_empty(b, &sep, "periods", u.periods);
	omit_empty(b, &sep, "throttled_periods", u.throttled_periods);
	omit_empty(b, &sep, "throttled_time", u.throttled_time);
	sep = "";
	mc_buf_printf(b, "}},\"memory\":{");
	omit_empty(b, &sep, "cache", u.mem_cache);
	mc_buf_printf(b, "%s\"usage\":{\"usage\":%" PRIu64 ",\"max\":%" PRIu64
		      ",\"limit\":%" PRIu64 ",\"failcnt\":%" PRIu64 "}", sep,
		      u.mem_usage, u.mem_max, u.mem_limit, u.mem_failcnt);
	if (u.mem_stat_dir) {
		mc_buf_printf(b, ",\"raw\":{");
		stat_members(b, u.mem_stat_dir);
		mc_buf_printf(b, "}");
	}
	mc_buf_printf(b, "},\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64
		      "}}", u.pids_current, u.pids_limit);
	return b->failed ? mc_error(ENOMEM, "cgroup stats") : 0;
}
void mc_cgroup_usage(struct mc_cgroup *cg, struct mc_cgroup_usage *out)
{
	struct cgroup_usage u = { 0 };

	cg->drv->usage(cg, &u);
	*out = (struct mc_cgroup_usage){
		.cpu_ns = u.cpu_total, .mem_usage = u.mem_usage,
		.mem_limit = u.mem_limit, .pids = u.pids_current,
	};
}

static bool report_oom(struct mc_cgroup *cg, int status)
{
	uint64_t kills;
	char limit[32];

	if (!cg->res.memory_limit)
		return false;
	kills = cg->drv->oom_kills(cg, status);
	if (!kills)
		return false;
	mc_format_size(limit, sizeof(limit), cg->res.memory_limit);
	if (status == 128 + SIGKILL)
		mc_warn("container killed: out of memory (limit %s)", limit);
	else
		mc_warn("out of memory: %" PRIu64 " process%s of the container "
			"killed (limit %s)", kills, kills == 1 ? "" : "es", limit);
	return true;
}

int mc_cgroup_finish(struct mc_cgroup *cg, int status, bool *oom)
{
	char line[256] = "";

	if (!cg)
		return status;
	/* Leftovers first, so the counters include them. */
	cg->drv->kill(cg);
	*oom = report_oom(cg, status);
	if (cg->stats) {
		cg->drv->stats(cg, line, sizeof(line));
		mc_warn("stats:%s", line);
	}
	mc_cgroup_destroy(cg);
	return status;
}
