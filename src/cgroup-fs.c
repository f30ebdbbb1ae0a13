// SPDX-License-Identifier: MIT
/*
 * What both cgroup drivers do to cgroupfs: read and write its files, signal,
 * freeze and wait for the processes listed in it, make and remove its
 * directories.
 */
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

#include "cgroup-priv.h"
#include "error.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

int cg_write(const char *dir, const char *file, const char *value)
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

int cg_write_u64(const char *dir, const char *file, int64_t v)
{
	char buf[24];

	if (v < 0)
		return cg_write(dir, file, "max");
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(dir, file, buf);
}

ssize_t cg_read(const char *dir, const char *file, char *buf, size_t size)
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

bool cg_has_file(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];

	if (cg_read(dir, file, buf, sizeof(buf)) <= 0)
		return -1;
	return mc_scan_u64(buf, v) ? 0 : -1;
}

int cg_read_key(const char *dir, const char *file, const char *key,
		uint64_t *v)
{
	char buf[4096];
	size_t klen = strlen(key);

	if (cg_read(dir, file, buf, sizeof(buf)) <= 0)
		return -1;
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return mc_scan_u64(line + klen + 1, v) ? 0 : -1;
	}
	return -1;
}

bool cg_word_in(const char *list, const char *word)
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

bool cg_is_fs(const char *path, unsigned long magic, dev_t *dev)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) < 0 || (unsigned long)sfs.f_type != magic ||
	    stat(path, &st) < 0)
		return false;
	if (dev)
		*dev = st.st_dev;
	return true;
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

/* Empty, or gone: either way there is nothing left to wait for. */
bool cg_procs_empty(const char *dir)
{
	char buf[16];

	return cg_read(dir, "cgroup.procs", buf, sizeof(buf)) <= 0;
}

/*
 * Send SIG to each process listed in DIR/cgroup.procs; how many there were.
 * The whole file, however long: a frozen fork bomb can list thousands.
 */
int cg_signal_listed(const char *dir, int sig)
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
		    kill((pid_t)pid, sig) == 0)
			n++;
	fclose(f);
	return n;
}

void cg_nap(unsigned int *us)
{
	struct timespec ts = { 0, (long)*us * 1000 };

	nanosleep(&ts, NULL);
	if (*us < 50000)
		*us *= 2;
}

/* Dead processes leave their cgroup at exit; give them a few seconds. */
bool cg_wait_empty(const char *dir)
{
	unsigned int us = 500, waited = 0;

	while (!cg_procs_empty(dir)) {
		if (waited > 5000000)
			return false;
		waited += us;
		cg_nap(&us);
	}
	return true;
}

bool cg_dir_frozen(const char *dir, bool v1)
{
	char state[32];
	uint64_t v = 0;

	if (v1)
		return cg_read(dir, "freezer.state", state, sizeof(state)) > 0 &&
		       !strncmp(state, "FROZEN", 6);
	return cg_read_key(dir, "cgroup.events", "frozen", &v) == 0 && v == 1;
}

/* Wait up to 5 s for the freezer to say WANT; a task in D state delays it. */
static bool wait_frozen(const char *dir, bool v1, bool want)
{
	unsigned int us = 500, waited = 0;

	while (cg_dir_frozen(dir, v1) != want) {
		if (waited > 5000000)
			return false;
		waited += us;
		cg_nap(&us);
	}
	return true;
}

int cg_freeze_dir(const char *dir, bool v1)
{
	const char *file = v1 ? "freezer.state" : "cgroup.freeze";

	if (cg_write(dir, file, v1 ? "FROZEN" : "1") < 0)
		return -1;
	if (wait_frozen(dir, v1, true))
		return 0;
	/* Half frozen is worse than not: let it run again. */
	cg_write(dir, file, v1 ? "THAWED" : "0");
	return mc_error(0, "cgroup %s: not frozen after 5 s", dir);
}

int cg_thaw_dir(const char *dir, bool v1)
{
	if (cg_write(dir, v1 ? "freezer.state" : "cgroup.freeze",
		     v1 ? "THAWED" : "0") < 0)
		return -1;
	if (!wait_frozen(dir, v1, false))
		return mc_error(0, "cgroup %s: still frozen after 5 s", dir);
	return 0;
}

/*
 * Frozen, nothing in the cgroup can fork while we kill what is listed; the
 * kills land when it thaws.  Without a freezer, kill until none is left.
 */
void cg_freeze_and_kill(const char *dir, bool v1, bool have_freezer)
{
	const char *file = v1 ? "freezer.state" : "cgroup.freeze";
	unsigned int us = 500;

	if (!have_freezer || cg_write(dir, file, v1 ? "FROZEN" : "1") < 0) {
		for (int i = 0; i < 100 && cg_signal_listed(dir, SIGKILL); i++)
			cg_nap(&us);
		return;
	}
	for (int i = 0; i < 40 && !cg_dir_frozen(dir, v1); i++)
		cg_nap(&us);
	cg_signal_listed(dir, SIGKILL);
	cg_write(dir, file, v1 ? "THAWED" : "0");
}

/* ------------------------------------------------------------------ */
/* Directories                                                         */
/* ------------------------------------------------------------------ */

int cg_hierarchy_add(struct mc_cgroup *cg, const char *ctrl, const char *root)
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

struct hierarchy *cg_hierarchy_of(struct mc_cgroup *cg, const char *ctrl)
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

struct hierarchy *cg_hierarchy_need(struct mc_cgroup *cg, const char *ctrl)
{
	struct hierarchy *h = cg_hierarchy_of(cg, ctrl);

	if (!h)
		mc_error(0, "cgroup %s: not in a %s hierarchy", cg->path, ctrl);
	return h;
}

static int mkdir_error(const char *dir, int err)
{
	if (err == EACCES || err == EPERM || err == EROFS)
		return mc_error(0, "cgroup %s: %s (resource limits need root, or "
				"a cgroup v2 subtree delegated to you, given as "
				"the cgroup's parent)", dir, strerror(err));
	if (err == EEXIST)
		return mc_error(0, "cgroup %s already exists (left by an "
				"mcstatic that was killed? rmdir it)", dir);
	return mc_error(err, "cgroup %s", dir);
}

static int make_dirs_once(struct mc_cgroup *cg, struct hierarchy *h,
			  cg_ancestor_fn fn)
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
int cg_make_dirs(struct mc_cgroup *cg, struct hierarchy *h, cg_ancestor_fn fn)
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
		cg_nap(&us);
	}
	mc_warn("cgroup %s not removed: %s", dir, strerror(errno));
}

/* The leaf, then each parent that is ours, while they are empty. */
void cg_remove_dirs(struct mc_cgroup *cg, struct hierarchy *h)
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
