// SPDX-License-Identifier: MIT
/*
 * Resource limits through cgroups: one interface (cgroups.h), two drivers.
 *
 * v2: one hierarchy at /sys/fs/cgroup.  Controllers are enabled in
 * cgroup.subtree_control of every ancestor, the child is born in the cgroup
 * (clone3 CLONE_INTO_CGROUP, see container.c) and leftovers die by cgroup.kill.
 *
 * v1: a hierarchy per controller at /sys/fs/cgroup/<controller>; the
 * container gets a cgroup in each one it needs, plus the freezer (to kill
 * leftovers without racing their forks) and, on hybrid hosts, the cgroup2
 * mount at /sys/fs/cgroup/unified, so the container can be tracked there as
 * on a v2 host.  crun refuses hybrid hosts; we use what they offer.
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
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "error.h"
#include "proc.h"
#include "util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_UNIFIED CGROUP_ROOT "/unified"
/* From linux/magic.h, which musl-gcc cannot see. */
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270

#define MAX_HIERARCHIES 6
/* The kernel's limits on a CFS period and quota, in µs. */
#define CPU_QUOTA_MIN 1000
#define CPU_PERIOD_MAX 1000000

struct hierarchy {
	char ctrls[32];		/* "memory", "cpu,cpuacct", "unified"; "" on v2 */
	char dir[PATH_MAX];	/* the container's cgroup in this hierarchy */
	bool made;		/* we made dir (the leaf) */
	int rm_from;		/* parents from this path index on are ours too */
};

struct mc_cgroup;

struct driver {
	const char *name;
	int (*attach)(struct mc_cgroup *cg);	/* find and make the cgroups */
	int (*apply)(struct mc_cgroup *cg);	/* write the limits */
	uint64_t (*oom_kills)(struct mc_cgroup *cg, int status);
	void (*stats)(struct mc_cgroup *cg, char *line, size_t size);
	void (*kill)(struct mc_cgroup *cg);	/* kill whatever is left */
};

struct mc_cgroup {
	const struct driver *drv;
	char path[PATH_MAX / 2];	/* below each hierarchy's root */
	bool default_parent;	/* "mcstatic": shared, whoever leaves last removes it */
	struct hierarchy h[MAX_HIERARCHIES];
	size_t n;
	int v2_fd;		/* the v2 cgroup, for CLONE_INTO_CGROUP */
	struct mc_resources res;
	bool stats;
};

/* ------------------------------------------------------------------ */
/* Pure helpers                                                        */
/* ------------------------------------------------------------------ */

/* Linear from [2, 262144] shares to [1, 10000], as runc and crun map them. */
uint64_t mc_cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* The inverse, so that weight → shares → weight gives the weight back. */
uint64_t mc_cgroup_weight_to_shares(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight > 10000)
		weight = 10000;
	return 2 + ((weight - 1) * 262142 + 9998) / 9999;
}

void mc_format_size(char *buf, size_t size, int64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int64_t v = bytes;
	int u = -1;

	/* The largest unit that says it exactly: 64 MiB, 1536 KiB, 1000 bytes. */
	while (u + 1 < (int)ARRAY_SIZE(units) && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRId64 " %s", v, u >= 0 ? units[u] : "bytes");
}

static int append_part(char *buf, size_t size, size_t *len, const char *part,
		       size_t n)
{
	if ((n == 1 && part[0] == '.') ||
	    (n == 2 && part[0] == '.' && part[1] == '.'))
		return mc_error(0, "cgroup path: '%.*s' is not allowed", (int)n,
				part);
	if (*len + n + 2 > size)
		return mc_error(ENAMETOOLONG, "cgroup path");
	if (*len)
		buf[(*len)++] = '/';
	memcpy(buf + *len, part, n);
	*len += n;
	buf[*len] = '\0';
	return 0;
}

void mc_cgroup_own_name(char *buf, size_t size, pid_t pid, uint64_t start)
{
	snprintf(buf, size, MC_CGROUP_MARKER "%d-%" PRIu64, (int)pid, start);
}

bool mc_cgroup_parse_own_name(const char *name, pid_t *pid, uint64_t *start)
{
	size_t n = strlen(MC_CGROUP_MARKER);
	const char *p;
	uint64_t v;

	if (strncmp(name, MC_CGROUP_MARKER, n))
		return false;
	p = mc_scan_u64(name + n, &v);
	if (!p || *p != '-' || v == 0 || v > INT_MAX)
		return false;
	*pid = (pid_t)v;
	p = mc_scan_u64(p + 1, start);
	return p && !*p;
}

int mc_cgroup_path(char *buf, size_t size, const char *parent,
		   const char *name, pid_t pid, uint64_t start)
{
	char own[48];
	size_t len = 0;
	uint64_t own_start;
	pid_t own_pid;

	buf[0] = '\0';
	if (!parent)
		parent = MC_CGROUP_PARENT;
	/* Empty parts ("/a//b/") are skipped, as the kernel's lookup would. */
	for (const char *p = parent; *p;) {
		size_t n = strcspn(p, "/");

		if (n && append_part(buf, size, &len, p, n) < 0)
			return -1;
		p += n + (p[n] == '/');
	}
	if (!name) {
		mc_cgroup_own_name(own, sizeof(own), pid, start);
		name = own;
	} else if (mc_cgroup_parse_own_name(name, &own_pid, &own_start)) {
		/* Another mcstatic would take it for a leftover of its own. */
		return mc_error(0, "cgroup name '%s': names of the form "
				MC_CGROUP_MARKER "<pid>-<start> are mcstatic's own",
				name);
	}
	if (!*name || strchr(name, '/'))
		return mc_error(0, "cgroup name '%s': expected one path component",
				name);
	return append_part(buf, size, &len, name, strlen(name));
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	mc_debug("[cgroup] %s = %s", path, value);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mc_error(errno, "cgroup %s", path);
	if (write(fd, value, len) != (ssize_t)len)
		return mc_error(errno, "cgroup %s: write %s", path, value);
	return 0;
}

static int write_u64(const char *dir, const char *file, int64_t v)
{
	char buf[24];

	if (v < 0)
		return write_file(dir, file, "max");
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return write_file(dir, file, buf);
}

static ssize_t read_file(const char *dir, const char *file, char *buf,
			 size_t size)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static bool has_file(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];

	if (read_file(dir, file, buf, sizeof(buf)) <= 0)
		return -1;
	return mc_scan_u64(buf, v) ? 0 : -1;
}

/* The value of "KEY N" in a flat-keyed file (memory.events, cpu.stat). */
static int read_key(const char *dir, const char *file, const char *key,
		    uint64_t *v)
{
	char buf[4096];
	size_t klen = strlen(key);

	if (read_file(dir, file, buf, sizeof(buf)) <= 0)
		return -1;
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return mc_scan_u64(line + klen + 1, v) ? 0 : -1;
	}
	return -1;
}

/* WORD is one of the words of LIST ("cpu io memory\n"). */
static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, " \n");

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return false;
}

/* Empty, or gone: either way there is nothing left to wait for. */
static bool procs_empty(const char *dir)
{
	char buf[16];

	return read_file(dir, "cgroup.procs", buf, sizeof(buf)) <= 0;
}

/*
 * SIGKILL each process listed in DIR/cgroup.procs; how many there were.  The
 * whole file, however long: a frozen fork bomb can list thousands.
 */
static int kill_listed(const char *dir)
{
	char path[PATH_MAX], line[32];
	uint64_t pid;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (mc_scan_u64(line, &pid) && pid > 0 && pid < INT_MAX &&
		    kill((pid_t)pid, SIGKILL) == 0)
			n++;
	fclose(f);
	return n;
}

static void nap(unsigned int *us)
{
	struct timespec ts = { 0, (long)*us * 1000 };

	nanosleep(&ts, NULL);
	if (*us < 50000)
		*us *= 2;
}

/* Dead processes leave their cgroup at exit; give them a few seconds. */
static bool wait_empty(const char *dir)
{
	unsigned int us = 500, waited = 0;

	while (!procs_empty(dir)) {
		if (waited > 5000000)
			return false;
		waited += us;
		nap(&us);
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Directories                                                         */
/* ------------------------------------------------------------------ */

static int hierarchy_add(struct mc_cgroup *cg, const char *ctrl,
			 const char *root)
{
	struct hierarchy *h = &cg->h[cg->n];

	if (cg->n == MAX_HIERARCHIES)
		return mc_error(0, "cgroup: too many hierarchies");
	snprintf(h->ctrls, sizeof(h->ctrls), "%s", ctrl);
	h->rm_from = INT_MAX;
	if ((size_t)snprintf(h->dir, sizeof(h->dir), "%s/%s", root, cg->path) >=
	    sizeof(h->dir))
		return mc_error(ENAMETOOLONG, "cgroup %s/%s", root, cg->path);
	cg->n++;
	return 0;
}

/* The hierarchy CTRL is in: the only one on v2. */
static struct hierarchy *hierarchy_of(struct mc_cgroup *cg, const char *ctrl)
{
	size_t n = strlen(ctrl);

	for (size_t i = 0; i < cg->n; i++) {
		const char *c = cg->h[i].ctrls;

		if (!*c)
			return &cg->h[i];
		for (; *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] == ','))
			if (strcspn(c, ",") == n && !strncmp(c, ctrl, n))
				return &cg->h[i];
	}
	return NULL;
}

static int mkdir_error(const char *dir, int err)
{
	if (err == EACCES || err == EPERM || err == EROFS)
		return mc_error(0, "cgroup %s: %s (resource limits need root, or "
				"a cgroup v2 subtree delegated to you, given as "
				"--cgroup-parent)", dir, strerror(err));
	if (err == EEXIST)
		return mc_error(0, "cgroup %s already exists (left by an "
				"mcstatic that was killed? rmdir it)", dir);
	return mc_error(err, "cgroup %s", dir);
}

/* Run on each ancestor before its child is made (v2 enables controllers). */
typedef int (*ancestor_fn)(struct mc_cgroup *cg, const char *dir);

static int make_dirs_once(struct mc_cgroup *cg, struct hierarchy *h,
			  ancestor_fn fn)
{
	size_t root_len = strlen(h->dir) - strlen(cg->path) - 1;
	const char *p = cg->path;
	char buf[PATH_MAX];

	memcpy(buf, h->dir, root_len);
	buf[root_len] = '\0';
	h->rm_from = INT_MAX;
	for (int idx = 0;; idx++) {
		size_t n = strcspn(p, "/"), len = strlen(buf);
		bool leaf = !p[n];

		if (fn && fn(cg, buf) < 0)
			return -1;
		snprintf(buf + len, sizeof(buf) - len, "/%.*s", (int)n, p);
		if (mkdir(buf, 0755) == 0) {
			mc_debug("[cgroup] created %s", buf);
			if (h->rm_from == INT_MAX)
				h->rm_from = idx;
		} else if (errno != EEXIST || leaf) {
			return mkdir_error(buf, errno);
		}
		if (leaf) {
			h->made = true;
			return 0;
		}
		p += n + 1;
	}
}

/*
 * mkdir -p of H->dir; the leaf must be new.  Another mcstatic may remove the
 * shared parent between our mkdirs: ENOENT means start again.
 */
static int make_dirs(struct mc_cgroup *cg, struct hierarchy *h, ancestor_fn fn)
{
	for (int attempt = 0; attempt < 5; attempt++)
		if (make_dirs_once(cg, h, fn) == 0 || mc_error_errno() != ENOENT)
			return h->made ? 0 : -1;
	return -1;
}

static void rmdir_retry(const char *dir)
{
	unsigned int us = 500;

	for (int i = 0; i < 8; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT) {
			mc_debug("[cgroup] removed %s", dir);
			return;
		}
		if (errno != EBUSY)
			break;
		nap(&us);
	}
	fprintf(stderr, "mcstatic: cgroup %s not removed: %s\n", dir,
		strerror(errno));
}

/* The leaf, then each parent that is ours, while they are empty. */
static void remove_dirs(struct mc_cgroup *cg, struct hierarchy *h)
{
	int depth = 0, rm_from = cg->default_parent ? 0 : h->rm_from;
	char *slash;

	if (!h->made)
		return;
	for (const char *p = cg->path; *p; p++)
		depth += *p == '/';
	rmdir_retry(h->dir);
	/* Parents: stop at the first one still in use or not ours. */
	while (--depth >= rm_from && (slash = strrchr(h->dir, '/'))) {
		*slash = '\0';
		if (rmdir(h->dir) < 0)
			break;
		mc_debug("[cgroup] removed %s", h->dir);
	}
}

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
 * Remove the stale siblings of our cgroup (under the shared default
 * parent).  rmdir refuses a cgroup that still has processes, so even a
 * stale name with something in it stays.
 */
static void remove_stale(const struct hierarchy *h)
{
	char parent[PATH_MAX];
	char *slash;
	struct dirent *e;
	DIR *d;

	snprintf(parent, sizeof(parent), "%s", h->dir);
	slash = strrchr(parent, '/');
	if (!slash)
		return;
	*slash = '\0';
	d = opendir(parent);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!is_stale(e->d_name))
			continue;
		if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0)
			mc_debug("[cgroup] removed %s/%s, left by a killed mcstatic",
				 parent, e->d_name);
	}
	closedir(d);
}

static int enter_all(struct mc_cgroup *cg, pid_t pid)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++)
		if (write_file(cg->h[i].dir, "cgroup.procs", buf) < 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* What is asked for                                                   */
/* ------------------------------------------------------------------ */

enum need { NOT_NEEDED, OPTIONAL, REQUIRED };

static enum need need_of(const struct mc_cgroup *cg, const char *ctrl)
{
	const struct mc_resources *r = &cg->res;

	if (!strcmp(ctrl, "memory"))
		return r->memory_limit || r->memory_swap ? REQUIRED
		       : cg->stats			 ? OPTIONAL
							 : NOT_NEEDED;
	if (!strcmp(ctrl, "cpu"))
		return r->cpu_quota || r->cpu_shares || r->cpu_weight ? REQUIRED
								      : NOT_NEEDED;
	if (!strcmp(ctrl, "pids"))
		return r->pids_limit ? REQUIRED : cg->stats ? OPTIONAL : NOT_NEEDED;
	if (!strcmp(ctrl, "cpuacct"))
		return cg->stats ? OPTIONAL : NOT_NEEDED;
	return OPTIONAL;	/* freezer, unified: for killing and tracking */
}

static uint64_t weight_of(const struct mc_resources *r)
{
	return r->cpu_weight ? r->cpu_weight
			     : mc_cgroup_shares_to_weight(r->cpu_shares);
}

static uint64_t shares_of(const struct mc_resources *r)
{
	return r->cpu_shares ? r->cpu_shares
			     : mc_cgroup_weight_to_shares(r->cpu_weight);
}

/* The checks both front-ends need, before anything is made. */
static int validate(const struct mc_resources *r)
{
	char a[32], b[32];

	if (r->memory_limit < 0 || r->memory_swap < -1)
		return mc_error(0, "memory limit: negative value");
	if (r->memory_swap && !r->memory_limit)
		return mc_error(0, "a swap limit (--memory-swap) needs a memory limit (--memory)");
	if (r->memory_swap > 0 && r->memory_swap < r->memory_limit) {
		mc_format_size(a, sizeof(a), r->memory_swap);
		mc_format_size(b, sizeof(b), r->memory_limit);
		return mc_error(0, "--memory-swap %s is below --memory %s (it is memory plus swap)",
				a, b);
	}
	if (r->cpu_period &&
	    (r->cpu_period < CPU_QUOTA_MIN || r->cpu_period > CPU_PERIOD_MAX))
		return mc_error(0, "CPU period %" PRIu64 " µs: the kernel takes 1000 to 1000000",
				r->cpu_period);
	if (r->cpu_quota > 0 && r->cpu_quota < CPU_QUOTA_MIN)
		return mc_error(0, "--cpus: a quota of %" PRId64 " µs per %" PRIu64
				" µs is below the kernel's minimum of 1000 µs (use --cpus 0.01 or more)",
				r->cpu_quota, r->cpu_period ? r->cpu_period : MC_CPU_PERIOD_US);
	if (r->cpu_weight > 10000)
		return mc_error(0, "CPU weight %" PRIu64 ": expected 1 to 10000",
				r->cpu_weight);
	if (r->pids_limit < -1)
		return mc_error(0, "pids limit %" PRId64 ": expected 1 or more, or -1",
				r->pids_limit);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The v2 driver                                                       */
/* ------------------------------------------------------------------ */

static const char *const v2_controllers[] = { "memory", "cpu", "pids" };

/* Enable in DIR/cgroup.subtree_control what the container's cgroup needs. */
static int v2_enable(struct mc_cgroup *cg, const char *dir)
{
	char avail[512], on[512], word[16];

	if (read_file(dir, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
	    read_file(dir, "cgroup.subtree_control", on, sizeof(on)) < 0)
		return mc_error(errno, "cgroup %s", dir);
	for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++) {
		const char *c = v2_controllers[i];
		enum need need = need_of(cg, c);

		if (need == NOT_NEEDED || word_in(on, c))
			continue;
		if (!word_in(avail, c)) {
			if (need == OPTIONAL)
				continue;
			return mc_error(0, "cgroup v2: the %s controller is not "
					"available in %s (it offers: %.*s)", c, dir,
					(int)strcspn(avail, "\n"), avail);
		}
		snprintf(word, sizeof(word), "+%s", c);
		if (write_file(dir, "cgroup.subtree_control", word) < 0)
			return -1;
	}
	return 0;
}

static int v2_attach(struct mc_cgroup *cg)
{
	struct hierarchy *h;

	if (hierarchy_add(cg, "", CGROUP_ROOT) < 0)
		return -1;
	h = &cg->h[0];
	if (make_dirs(cg, h, v2_enable) < 0)
		return -1;
	cg->v2_fd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->v2_fd < 0)
		return mc_error(errno, "cgroup %s", h->dir);
	return 0;
}

static int v2_apply(struct mc_cgroup *cg)
{
	const struct mc_resources *r = &cg->res;
	const char *dir = cg->h[0].dir;
	char buf[48];

	if (r->memory_limit && write_u64(dir, "memory.max", r->memory_limit) < 0)
		return -1;
	if (r->memory_swap) {
		if (!has_file(dir, "memory.swap.max"))
			return mc_error(0, "--memory-swap: this kernel does not "
					"account swap (no memory.swap.max in %s)", dir);
		if (write_u64(dir, "memory.swap.max",
			      r->memory_swap < 0 ? -1
						 : r->memory_swap - r->memory_limit) < 0)
			return -1;
	}
	if (r->cpu_quota) {
		uint64_t period = r->cpu_period ? r->cpu_period : MC_CPU_PERIOD_US;

		if (r->cpu_quota < 0)
			snprintf(buf, sizeof(buf), "max %" PRIu64, period);
		else
			snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64,
				 r->cpu_quota, period);
		if (write_file(dir, "cpu.max", buf) < 0)
			return -1;
	}
	if ((r->cpu_weight || r->cpu_shares) &&
	    write_u64(dir, "cpu.weight", (int64_t)weight_of(r)) < 0)
		return -1;
	if (r->pids_limit && write_u64(dir, "pids.max", r->pids_limit) < 0)
		return -1;
	return 0;
}

static uint64_t v2_oom_kills(struct mc_cgroup *cg, int status)
{
	uint64_t n = 0;

	(void)status;
	read_key(cg->h[0].dir, "memory.events", "oom_kill", &n);
	return n;
}

static size_t stat_append(char *line, size_t size, size_t len,
			  const char *key, uint64_t v)
{
	if (len >= size)
		return len;
	return len + (size_t)snprintf(line + len, size - len, " %s=%" PRIu64,
				      key, v);
}

/* cpu.stat is a core file: there even without the cpu controller. */
static size_t v2_cpu_stats(const char *dir, char *line, size_t size,
			   size_t len)
{
	static const char *const keys[] = { "usage_usec", "user_usec",
					    "system_usec" };
	static const char *const names[] = { "cpu_usec", "user_usec",
					     "system_usec" };
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (read_key(dir, "cpu.stat", keys[i], &v) == 0)
			len = stat_append(line, size, len, names[i], v);
	return len;
}

static void v2_stats(struct mc_cgroup *cg, char *line, size_t size)
{
	const char *dir = cg->h[0].dir;
	size_t len = v2_cpu_stats(dir, line, size, 0);
	uint64_t v;

	if (read_u64(dir, "memory.peak", &v) == 0)
		len = stat_append(line, size, len, "memory_peak", v);
	if (read_u64(dir, "pids.peak", &v) == 0)
		stat_append(line, size, len, "pids_peak", v);
}

static bool is_frozen(const char *dir, bool v1)
{
	char state[32];
	uint64_t v = 0;

	if (v1)
		return read_file(dir, "freezer.state", state, sizeof(state)) > 0 &&
		       !strncmp(state, "FROZEN", 6);
	return read_key(dir, "cgroup.events", "frozen", &v) == 0 && v == 1;
}

/*
 * Frozen, nothing in the cgroup can fork while we kill what is listed; the
 * kills land when it thaws.  Without a freezer, kill until none is left.
 */
static void freeze_and_kill(const char *dir, bool v1, bool have_freezer)
{
	const char *file = v1 ? "freezer.state" : "cgroup.freeze";
	unsigned int us = 500;

	if (!have_freezer || write_file(dir, file, v1 ? "FROZEN" : "1") < 0) {
		for (int i = 0; i < 100 && kill_listed(dir); i++)
			nap(&us);
		return;
	}
	for (int i = 0; i < 40 && !is_frozen(dir, v1); i++)
		nap(&us);
	kill_listed(dir);
	write_file(dir, file, v1 ? "THAWED" : "0");
}

static void v2_kill(struct mc_cgroup *cg)
{
	const char *dir = cg->h[0].dir;

	if (procs_empty(dir))
		return;
	mc_debug("[cgroup] killing what is left in %s", dir);
	if (has_file(dir, "cgroup.kill"))
		write_file(dir, "cgroup.kill", "1");
	else
		freeze_and_kill(dir, false, has_file(dir, "cgroup.freeze"));
	if (!wait_empty(dir))
		fprintf(stderr, "mcstatic: cgroup %s: processes left after SIGKILL\n",
			dir);
}

static const struct driver v2_driver = {
	.name = "v2",
	.attach = v2_attach,
	.apply = v2_apply,
	.oom_kills = v2_oom_kills,
	.stats = v2_stats,
	.kill = v2_kill,
};

/* ------------------------------------------------------------------ */
/* The v1 driver                                                       */
/* ------------------------------------------------------------------ */

static const char *const v1_controllers[] = { "memory", "cpu", "cpuacct",
					      "pids", "freezer" };

static bool is_fs(const char *path, unsigned long magic, struct stat *st)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && (unsigned long)sfs.f_type == magic &&
	       stat(path, st) == 0;
}

/*
 * "cpu" and "cpuacct" are often one hierarchy (cpu,cpuacct): use it once.
 * Controllers come in a fixed order, so a shared mount is the last one added.
 */
static bool same_mount(const dev_t *devs, size_t n, dev_t dev)
{
	return n && devs[n - 1] == dev;
}

static int v1_attach(struct mc_cgroup *cg)
{
	dev_t devs[MAX_HIERARCHIES];
	struct stat st;
	char root[64];

	for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++) {
		const char *c = v1_controllers[i];
		enum need need = need_of(cg, c);

		if (need == NOT_NEEDED)
			continue;
		snprintf(root, sizeof(root), CGROUP_ROOT "/%s", c);
		if (!is_fs(root, CGROUP_SUPER_MAGIC, &st)) {
			if (need == OPTIONAL)
				continue;
			return mc_error(0, "cgroup v1: the %s controller is not "
					"mounted at %s", c, root);
		}
		if (same_mount(devs, cg->n, st.st_dev)) {
			struct hierarchy *h = &cg->h[cg->n - 1];
			size_t len = strlen(h->ctrls);

			snprintf(h->ctrls + len, sizeof(h->ctrls) - len, ",%s", c);
			continue;
		}
		devs[cg->n] = st.st_dev;
		if (hierarchy_add(cg, c, root) < 0 ||
		    make_dirs(cg, &cg->h[cg->n - 1], NULL) < 0)
			return -1;
	}
	/* Hybrid: the cgroup2 mount tracks the container too (no controllers). */
	if (is_fs(CGROUP_UNIFIED, CGROUP2_SUPER_MAGIC, &st) &&
	    (hierarchy_add(cg, "unified", CGROUP_UNIFIED) < 0 ||
	     make_dirs(cg, &cg->h[cg->n - 1], NULL) < 0))
		return -1;
	return 0;
}

static int v1_apply_memory(struct mc_cgroup *cg)
{
	const struct mc_resources *r = &cg->res;
	const char *dir = hierarchy_of(cg, "memory")->dir;

	/* memsw must never be below the limit: the limit goes first. */
	if (r->memory_limit &&
	    write_u64(dir, "memory.limit_in_bytes", r->memory_limit) < 0)
		return -1;
	if (!r->memory_swap)
		return 0;
	if (!has_file(dir, "memory.memsw.limit_in_bytes"))
		return mc_error(0, "--memory-swap: this kernel does not account "
				"swap (no memory.memsw.limit_in_bytes; boot with "
				"swapaccount=1)");
	return r->memory_swap < 0
		       ? write_file(dir, "memory.memsw.limit_in_bytes", "-1")
		       : write_u64(dir, "memory.memsw.limit_in_bytes",
				   r->memory_swap);
}

static int v1_apply(struct mc_cgroup *cg)
{
	const struct mc_resources *r = &cg->res;
	struct hierarchy *h;

	if ((r->memory_limit || r->memory_swap) && v1_apply_memory(cg) < 0)
		return -1;
	h = hierarchy_of(cg, "cpu");
	if (h && r->cpu_quota &&
	    (write_u64(h->dir, "cpu.cfs_period_us",
		       r->cpu_period ? (int64_t)r->cpu_period : MC_CPU_PERIOD_US) < 0 ||
	     (r->cpu_quota < 0 ? write_file(h->dir, "cpu.cfs_quota_us", "-1")
			       : write_u64(h->dir, "cpu.cfs_quota_us",
					   r->cpu_quota)) < 0))
		return -1;
	if (h && (r->cpu_shares || r->cpu_weight) &&
	    write_u64(h->dir, "cpu.shares", (int64_t)shares_of(r)) < 0)
		return -1;
	h = hierarchy_of(cg, "pids");
	if (h && r->pids_limit && write_u64(h->dir, "pids.max", r->pids_limit) < 0)
		return -1;
	return 0;
}

static uint64_t v1_oom_kills(struct mc_cgroup *cg, int status)
{
	struct hierarchy *h = hierarchy_of(cg, "memory");
	uint64_t n = 0;

	if (!h)
		return 0;
	if (read_key(h->dir, "memory.oom_control", "oom_kill", &n) == 0)
		return n;
	/* Before 4.13: the limit was hit and the command died of SIGKILL. */
	if (status == 128 + SIGKILL && read_u64(h->dir, "memory.failcnt", &n) == 0)
		return n > 0;
	return 0;
}

static void v1_stats(struct mc_cgroup *cg, char *line, size_t size)
{
	struct hierarchy *h = hierarchy_of(cg, "cpuacct");
	uint64_t v;
	size_t len = 0;

	if (h && read_u64(h->dir, "cpuacct.usage", &v) == 0) {
		len = stat_append(line, size, len, "cpu_usec", v / 1000);
		if (read_u64(h->dir, "cpuacct.usage_user", &v) == 0)
			len = stat_append(line, size, len, "user_usec", v / 1000);
		if (read_u64(h->dir, "cpuacct.usage_sys", &v) == 0)
			len = stat_append(line, size, len, "system_usec", v / 1000);
	} else if ((h = hierarchy_of(cg, "unified"))) {
		len = v2_cpu_stats(h->dir, line, size, len);
	}
	h = hierarchy_of(cg, "memory");
	if (h && read_u64(h->dir, "memory.max_usage_in_bytes", &v) == 0)
		len = stat_append(line, size, len, "memory_peak", v);
	h = hierarchy_of(cg, "pids");
	if (h && read_u64(h->dir, "pids.peak", &v) == 0)
		stat_append(line, size, len, "pids_peak", v);
}

static void v1_kill(struct mc_cgroup *cg)
{
	struct hierarchy *h = hierarchy_of(cg, "freezer");
	const char *dir = h ? h->dir : cg->h[0].dir;

	if (procs_empty(dir))
		return;
	mc_debug("[cgroup] killing what is left in %s", dir);
	freeze_and_kill(dir, true, h != NULL);
	if (!wait_empty(dir))
		fprintf(stderr, "mcstatic: cgroup %s: processes left after SIGKILL\n",
			dir);
}

static const struct driver v1_driver = {
	.name = "v1",
	.attach = v1_attach,
	.apply = v1_apply,
	.oom_kills = v1_oom_kills,
	.stats = v1_stats,
	.kill = v1_kill,
};

/* ------------------------------------------------------------------ */
/* The interface                                                       */
/* ------------------------------------------------------------------ */

bool mc_cgroup_wanted(const struct mc_spec *spec)
{
	const struct mc_resources *r = &spec->resources;

	return r->memory_limit || r->memory_swap || r->cpu_quota ||
	       r->cpu_shares || r->cpu_weight || r->pids_limit ||
	       spec->cgroup_parent || spec->cgroup_name || spec->cgroup_stats;
}

static const struct driver *detect(void)
{
	struct statfs sfs;

	if (statfs(CGROUP_ROOT, &sfs) < 0) {
		mc_error(errno, "cgroups: %s", CGROUP_ROOT);
		return NULL;
	}
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		return &v2_driver;
	if (access(CGROUP_ROOT "/cgroup.procs", F_OK) == 0 ||
	    access(CGROUP_ROOT "/memory", F_OK) == 0 ||
	    access(CGROUP_ROOT "/pids", F_OK) == 0 ||
	    access(CGROUP_ROOT "/freezer", F_OK) == 0)
		return &v1_driver;
	mc_error(0, "cgroups: nothing mounted at %s", CGROUP_ROOT);
	return NULL;
}

int mc_cgroup_create(const struct mc_spec *spec, struct mc_cgroup **out)
{
	struct mc_cgroup *cg;
	uint64_t start;

	*out = NULL;
	if (validate(&spec->resources) < 0)
		return -1;
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return mc_error(errno, "cgroup");
	cg->v2_fd = -1;
	cg->res = spec->resources;
	cg->stats = spec->cgroup_stats || mc_debug_enabled;
	cg->default_parent = !spec->cgroup_parent;
	cg->drv = detect();
	if (!cg->drv || own_start_time(spec, &start) < 0 ||
	    mc_cgroup_path(cg->path, sizeof(cg->path), spec->cgroup_parent,
			   spec->cgroup_name, getpid(), start) < 0) {
		free(cg);
		return -1;
	}
	mc_debug("[parent] cgroup %s: %s", cg->drv->name, cg->path);
	if (cg->drv->attach(cg) < 0 || cg->drv->apply(cg) < 0) {
		mc_cgroup_destroy(cg);
		return -1;
	}
	for (size_t i = 0; cg->default_parent && i < cg->n; i++)
		remove_stale(&cg->h[i]);
	*out = cg;
	return 0;
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

void mc_cgroup_destroy(struct mc_cgroup *cg)
{
	if (!cg)
		return;
	if (cg->n)
		cg->drv->kill(cg);
	/* Children first: the unified tracking cgroup and each controller. */
	for (size_t i = cg->n; i-- > 0;)
		remove_dirs(cg, &cg->h[i]);
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	free(cg);
}

static void report_oom(struct mc_cgroup *cg, int status)
{
	uint64_t kills;
	char limit[32];

	if (!cg->res.memory_limit)
		return;
	kills = cg->drv->oom_kills(cg, status);
	if (!kills)
		return;
	mc_format_size(limit, sizeof(limit), cg->res.memory_limit);
	if (status == 128 + SIGKILL)
		fprintf(stderr, "mcstatic: container killed: out of memory (limit %s)\n",
			limit);
	else
		fprintf(stderr, "mcstatic: out of memory: %" PRIu64 " process%s "
			"of the container killed (limit %s)\n", kills,
			kills == 1 ? "" : "es", limit);
}

int mc_cgroup_finish(struct mc_cgroup *cg, int status)
{
	char line[256] = "";

	if (!cg)
		return status;
	/* Leftovers first, so the counters include them. */
	cg->drv->kill(cg);
	report_oom(cg, status);
	if (cg->stats) {
		cg->drv->stats(cg, line, sizeof(line));
		fprintf(stderr, "mcstatic: stats:%s\n", line);
	}
	mc_cgroup_destroy(cg);
	return status;
}
