// SPDX-License-Identifier: MIT
/*
 * cgroups on the host's real cgroupfs (as root, v1 or hybrid): open, pids,
 * freeze and thaw, update, stats, signal and destroy of a cgroup made here;
 * create with linux.cgroupsPath and the resources only config.json sets.
 * The teardown kills the children and removes the directories on every
 * path, also when an assertion failed half way.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroups.h"
#include "error.h"
#include "json.h"
#include "spec.h"

#define ROOT "/sys/fs/cgroup"
#define MAX_CHILDREN 4

static const char *const made_here[] = { "freezer", "memory", "pids" };
/* Where create with cgroupsPath goes on this host (hybrid, v1). */
static const char *const every[] = { "memory", "cpu", "cpuacct", "pids",
				     "freezer", "cpuset", "devices",
				     "unified" };

struct fixture {
	char name[64];		/* below the roots: mcstatic-unit-<pid>... */
	char parent[48];	/* its parent, when the test has one */
	pid_t child[MAX_CHILDREN];
	size_t n_children;
	struct mc_cgroup *cg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

/* In every hierarchy the host has (an OCI cgroup joins blkio, name=systemd
 * and the rest too); true when none is left. */
static bool rmdir_in_all(const char *name)
{
	char dir[PATH_MAX];
	struct dirent *e;
	bool gone = true;
	DIR *d = opendir(ROOT);

	if (!d)
		return false;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), ROOT "/%s/%s", e->d_name, name);
		if (rmdir(dir) < 0 && errno != ENOENT && errno != ENOTDIR)
			gone = false;
	}
	closedir(d);
	return gone;
}

static bool exists_in(const char *ctrl, const char *name)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), ROOT "/%s/%s", ctrl, name);
	return access(dir, F_OK) == 0;
}

/* A frozen cgroup would keep its killed children from dying: thaw first. */
static void thaw(const char *name)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), ROOT "/freezer/%s/freezer.state", name);
	fp = fopen(path, "w");
	if (!fp)
		return;
	fputs("THAWED", fp);
	fclose(fp);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->name[0])
		thaw(f->name);
	for (size_t i = 0; i < f->n_children; i++)
		if (f->child[i] > 0) {
			kill(f->child[i], SIGKILL);
			waitpid(f->child[i], NULL, 0);
		}
	/* Reaped, they leave their cgroups a moment later. */
	for (int i = 0; i < 50 && f->name[0] && !rmdir_in_all(f->name); i++)
		usleep(10000);
	if (f->parent[0])
		rmdir_in_all(f->parent);
	mc_cgroup_close(f->cg);
	free(f);
	return 0;
}

/* A child that waits for signals; IGNORE_TERM: it ignores SIGTERM. */
static pid_t spawn(struct fixture *f, bool ignore_term)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	f->child[f->n_children++] = pid;
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

/* The child's death by SIG (it is reaped; the fixture forgets it). */
static void expect_killed(struct fixture *f, pid_t pid, int sig)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
	for (size_t i = 0; i < f->n_children; i++)
		if (f->child[i] == pid)
			f->child[i] = 0;
}

static void read_in(const char *ctrl, const char *name, const char *file,
		    char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), ROOT "/%s/%s/%s", ctrl, name, file);
	fp = fopen(path, "r");
	if (!fp)
		fail_msg("%s: %s", path, strerror(errno));
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void expect_file(const char *ctrl, const char *name, const char *file,
			const char *want)
{
	char buf[256];

	read_in(ctrl, name, file, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* The value at KEYS... (NULL-terminated) in the JSON object J. */
static uint64_t json_at(const struct mc_json *j, ...)
{
	const char *key;
	uint64_t v = 0;
	va_list ap;
	int i = 0;

	va_start(ap, j);
	while ((key = va_arg(ap, const char *))) {
		i = mc_json_get(j, i, key);
		if (i < 0)
			fail_msg("no %s in the stats", key);
	}
	va_end(ap);
	assert_int_equal(mc_json_uint(j, i, "stats", &v), 0);
	return v;
}

static void expect_pids(struct mc_cgroup *cg, const pid_t *want, size_t n)
{
	pid_t *pids;
	size_t got;

	assert_int_equal(mc_cgroup_pids(cg, &pids, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pids[i], want[i]);
	free(pids);
}

static void check_stats(struct mc_cgroup *cg)
{
	struct mc_buf b = { 0 };
	struct mc_json j;
	int raw;

	assert_int_equal(mc_cgroup_stats_json(cg, &b), 0);
	assert_int_equal(mc_json_parse(&j, b.data, b.len), 0);
	assert_int_equal(json_at(&j, "pids", "current", NULL), 1);
	assert_int_equal(json_at(&j, "pids", "limit", NULL), 7);
	/* A paused child may have faulted nothing in since it joined. */
	json_at(&j, "memory", "usage", "usage", NULL);
	assert_true(json_at(&j, "memory", "usage", "limit", NULL) > 0);
	json_at(&j, "memory", "usage", "failcnt", NULL);
	json_at(&j, "cpu", "usage", "total", NULL);
	raw = mc_json_get(&j, mc_json_get(&j, 0, "memory"), "raw");
	assert_true(mc_json_is(&j, raw, MC_JSON_OBJECT));
	assert_true(j.tok[raw].size > 5);
	json_at(&j, "memory", "raw", "cache", NULL);
	mc_json_free(&j);
	mc_buf_free(&b);
}

static void test_open_freeze_signal(void **state)
{
	struct fixture *f = *state;
	struct mc_resources r = { .memory_swappiness = -1 };
	pid_t a, b, both[2];
	char dir[PATH_MAX];
	struct mc_cgroup *cg = (void *)1;

	snprintf(f->name, sizeof(f->name), "mcstatic-unit-%d", (int)getpid());
	/* Nothing there yet. */
	assert_int_equal(mc_cgroup_open(f->name, true, &cg), -1);
	assert_null(cg);
	assert_int_equal(mc_error_errno(), ENOENT);
	for (size_t i = 0; i < sizeof(made_here) / sizeof(*made_here); i++) {
		snprintf(dir, sizeof(dir), ROOT "/%s/%s", made_here[i], f->name);
		assert_int_equal(mkdir(dir, 0755), 0);
	}
	assert_int_equal(mc_cgroup_open(f->name, true, &f->cg), 0);
	assert_string_equal(mc_cgroup_path_of(f->cg), f->name);

	a = spawn(f, false);
	b = spawn(f, true);
	assert_int_equal(mc_cgroup_enter(f->cg, a), 0);
	assert_int_equal(mc_cgroup_enter(f->cg, b), 0);
	both[0] = a < b ? a : b;
	both[1] = a < b ? b : a;
	expect_pids(f->cg, both, 2);

	assert_false(mc_cgroup_is_frozen(f->cg));
	assert_int_equal(mc_cgroup_freeze(f->cg), 0);
	assert_true(mc_cgroup_is_frozen(f->cg));
	expect_file("freezer", f->name, "freezer.state", "FROZEN\n");
	assert_int_equal(mc_cgroup_thaw(f->cg), 0);
	assert_false(mc_cgroup_is_frozen(f->cg));
	expect_file("freezer", f->name, "freezer.state", "THAWED\n");

	r.pids_limit = 7;
	r.memory_reservation = 32 << 20;
	r.memory_swappiness = 10;
	assert_int_equal(mc_cgroup_update(f->cg, &r), 0);
	expect_file("pids", f->name, "pids.max", "7\n");
	expect_file("memory", f->name, "memory.soft_limit_in_bytes", "33554432\n");
	expect_file("memory", f->name, "memory.swappiness", "10\n");

	/* Not SIGKILL: each process gets it; B ignores it. */
	assert_int_equal(mc_cgroup_signal(f->cg, SIGTERM), 0);
	expect_killed(f, a, SIGTERM);
	expect_pids(f->cg, &b, 1);
	check_stats(f->cg);

	/* SIGKILL on a paused container: it dies and the cgroup is thawed. */
	assert_int_equal(mc_cgroup_freeze(f->cg), 0);
	assert_int_equal(mc_cgroup_signal(f->cg, SIGKILL), 0);
	expect_killed(f, b, SIGKILL);
	expect_file("freezer", f->name, "freezer.state", "THAWED\n");
	expect_pids(f->cg, NULL, 0);

	mc_cgroup_destroy(f->cg);
	f->cg = NULL;
	for (size_t i = 0; i < sizeof(made_here) / sizeof(*made_here); i++)
		assert_false(exists_in(made_here[i], f->name));
}

/* An opened cgroup not made by us is killed but stays. */
static void test_open_not_made(void **state)
{
	struct fixture *f = *state;
	char dir[PATH_MAX];
	pid_t a;

	snprintf(f->name, sizeof(f->name), "mcstatic-unit-%d-kept", (int)getpid());
	snprintf(dir, sizeof(dir), ROOT "/freezer/%s", f->name);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mc_cgroup_open(f->name, false, &f->cg), 0);
	a = spawn(f, false);
	assert_int_equal(mc_cgroup_enter(f->cg, a), 0);
	mc_cgroup_destroy(f->cg);
	f->cg = NULL;
	expect_killed(f, a, SIGKILL);
	assert_true(exists_in("freezer", f->name));
	assert_false(exists_in("memory", f->name));
}

static void test_create_cgroups_path(void **state)
{
	struct fixture *f = *state;
	struct mc_dev_rule rules[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'c', 1, 3, "rwm" },
		{ true, 'c', -1, -1, "m" },
	};
	char path[128], cpus[256], mems[256], status[4096], *line;
	struct mc_spec spec;
	FILE *fp;
	pid_t a;

	snprintf(f->parent, sizeof(f->parent), "mcstatic-unit-%d-p", (int)getpid());
	snprintf(f->name, sizeof(f->name), "%s/c", f->parent);
	snprintf(path, sizeof(path), "/%s", f->name);
	mc_spec_init(&spec, NULL);
	spec.cgroups_path = path;
	spec.resources.cpuset_cpus = "0";
	spec.resources.memory_reservation = 16 << 20;
	spec.resources.memory_swappiness = 20;
	spec.resources.pids_limit = 9;
	spec.resources.dev_rules = rules;
	spec.resources.n_dev_rules = 3;
	assert_true(mc_cgroup_wanted(&spec, false));
	if (mc_cgroup_create(&spec, false, &f->cg) < 0)
		fail_msg("create: %s", mc_error_text());
	assert_string_equal(mc_cgroup_path_of(f->cg), f->name);
	/* Every controller there is, as runc's. */
	for (size_t i = 0; i < sizeof(every) / sizeof(*every); i++)
		if (!exists_in(every[i], f->name))
			fail_msg("not in %s", every[i]);
	expect_file("cpuset", f->name, "cpuset.cpus", "0\n");
	/* The made parent and the leaf's mems: the root's, copied down. */
	read_in("cpuset", "", "cpuset.cpus", cpus, sizeof(cpus));
	read_in("cpuset", "", "cpuset.mems", mems, sizeof(mems));
	expect_file("cpuset", f->parent, "cpuset.cpus", cpus);
	expect_file("cpuset", f->parent, "cpuset.mems", mems);
	expect_file("cpuset", f->name, "cpuset.mems", mems);
	expect_file("devices", f->name, "devices.list", "c 1:3 rwm\nc *:* m\n");
	expect_file("memory", f->name, "memory.soft_limit_in_bytes", "16777216\n");
	expect_file("memory", f->name, "memory.swappiness", "20\n");
	expect_file("pids", f->name, "pids.max", "9\n");

	/* A task can join the new cpuset, and runs on CPU 0 only. */
	a = spawn(f, false);
	assert_int_equal(mc_cgroup_enter(f->cg, a), 0);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)a);
	fp = fopen(path, "r");
	assert_non_null(fp);
	status[fread(status, 1, sizeof(status) - 1, fp)] = '\0';
	fclose(fp);
	line = strstr(status, "Cpus_allowed_list:");
	assert_non_null(line);
	assert_int_equal(strncmp(line, "Cpus_allowed_list:\t0\n", 21), 0);

	/* Close keeps it; open finds it again; destroy kills and removes. */
	mc_cgroup_close(f->cg);
	f->cg = NULL;
	assert_true(exists_in("freezer", f->name));
	assert_int_equal(mc_cgroup_open(f->name, true, &f->cg), 0);
	expect_pids(f->cg, &a, 1);
	mc_cgroup_destroy(f->cg);
	f->cg = NULL;
	expect_killed(f, a, SIGKILL);
	for (size_t i = 0; i < sizeof(every) / sizeof(*every); i++) {
		assert_false(exists_in(every[i], f->name));
		/* Opened, it knows only its leaf: the parent stays. */
		assert_true(exists_in(every[i], f->parent));
	}
	rmdir_in_all(f->parent);

	/* Destroyed by its creator, the parents it made go with it. */
	if (mc_cgroup_create(&spec, false, &f->cg) < 0)
		fail_msg("create: %s", mc_error_text());
	mc_cgroup_destroy(f->cg);
	f->cg = NULL;
	for (size_t i = 0; i < sizeof(every) / sizeof(*every); i++)
		assert_false(exists_in(every[i], f->parent));
	spec.resources.dev_rules = NULL;
	spec.resources.n_dev_rules = 0;
	mc_spec_free(&spec);
}

static void test_create_systemd_path(void **state)
{
	struct mc_cgroup *cg = (void *)1;
	struct mc_spec spec;

	(void)state;
	mc_spec_init(&spec, NULL);
	spec.cgroups_path = "machine.slice:libpod:abc";
	assert_int_equal(mc_cgroup_create(&spec, false, &cg), -1);
	assert_null(cg);
	assert_string_equal(mc_error_text(),
			    "cgroupsPath machine.slice:libpod:abc: systemd cgroups "
			    "are not supported (use cgroupfs)");
	mc_spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_freeze_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_not_made, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_cgroups_path, setup, teardown),
		cmocka_unit_test(test_create_systemd_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
