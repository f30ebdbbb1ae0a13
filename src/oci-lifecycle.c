// SPDX-License-Identifier: MIT
/*
 * The OCI lifecycle verbs: create, start, run, state, kill, delete, list.
 * Each loads or makes the container's state (locked), asks the engine, and
 * records the outcome; runc's messages where engines match on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "config.h"
#include "container.h"
#include "error.h"
#include "hooks.h"
#include "json.h"
#include "oci-verbs.h"
#include "opts.h"
#include "state.h"
#include "util.h"

extern char **environ;

struct create_args {
	const char *bundle;
	struct mc_run_opts opts;
};

enum { C_BUNDLE, C_PID_FILE, C_CONSOLE_SOCKET, C_PRESERVE_FDS, C_NO_PIVOT,
       C_NO_NEW_KEYRING, C_DETACH, C_KEEP, C_NO_SUBREAPER };

static const struct mc_flag create_flags[] = {
	{ "--bundle", 'b', C_BUNDLE, true },
	{ "--pid-file", 0, C_PID_FILE, true },
	{ "--console-socket", 0, C_CONSOLE_SOCKET, true },
	{ "--preserve-fds", 0, C_PRESERVE_FDS, true },
	{ "--no-pivot", 0, C_NO_PIVOT, false },
	{ "--no-new-keyring", 0, C_NO_NEW_KEYRING, false },
	{ "--detach", 'd', C_DETACH, false },
	{ "--keep", 0, C_KEEP, false },
	{ "--no-subreaper", 0, C_NO_SUBREAPER, false },
	{ 0 }
};

int mc_parse_preserve_fds(const char *v, unsigned int *n)
{
	char *end;
	unsigned long l;

	errno = 0;
	l = strtoul(v, &end, 10);
	if (errno || *end || !*v || l > 4096)
		return mc_error(0, "--preserve-fds %s: expected a number of fds", v);
	*n = (unsigned int)l;
	return 0;
}

static int apply_create(void *ctx, int id, const char *v)
{
	struct create_args *a = ctx;

	switch (id) {
	case C_BUNDLE:
		a->bundle = v;
		return 0;
	case C_PID_FILE:
		a->opts.pid_file = v;
		return 0;
	case C_CONSOLE_SOCKET:
		a->opts.console_socket = v;
		return 0;
	case C_PRESERVE_FDS:
		return mc_parse_preserve_fds(v, &a->opts.preserve_fds);
	case C_NO_PIVOT:
		a->opts.no_pivot = true;
		return 0;
	case C_NO_NEW_KEYRING:
		a->opts.no_new_keyring = true;
		return 0;
	case C_DETACH:
		a->opts.detach = true;
		return 0;
	default:
		return 0;	/* --keep, --no-subreaper: nothing to do */
	}
}

int mc_write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], text[16];
	int fd, len;

	if (!path)
		return 0;
	/* Written whole or not at all: engines read it once it exists. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, getpid()) >=
	    (int)sizeof(tmp))
		return mc_error(ENAMETOOLONG, "pid file %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return mc_error(errno, "pid file %s", path);
	len = snprintf(text, sizeof(text), "%d", (int)pid);
	if (write(fd, text, len) != len) {
		close(fd);
		unlink(tmp);
		return mc_error(errno, "pid file %s", path);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return mc_error(errno, "pid file %s", path);
	}
	return 0;
}

/* The annotations as one JSON object, kept verbatim in the state. */
static int set_annotations(struct mc_state *st, const struct mc_spec *spec)
{
	struct mc_buf b = { 0 };
	int ret;

	if (!spec->n_annotations)
		return 0;

	mc_buf_printf(&b, "{");
	for (size_t i = 0; i < spec->n_annotations; i++) {
		mc_buf_printf(&b, "%s", i ? "," : "");
		mc_buf_json_str(&b, spec->annotations[i].key);
		mc_buf_printf(&b, ":");
		mc_buf_json_str(&b, spec->annotations[i].value);
	}
	mc_buf_printf(&b, "}");
	ret = b.failed ? mc_error(ENOMEM, "annotations")
		       : mc_state_set_annotations(st, b.data, b.len);
	mc_buf_free(&b);
	return ret;
}

/* Everything of a container but its state dir: processes, cgroup. */
static void destroy_container(const struct mc_state *st)
{
	struct mc_cgroup *cg = NULL;

	if (st->cgroup[0] && mc_cgroup_open(st->cgroup, st->cgroup_made, &cg) == 0) {
		mc_cgroup_destroy(cg);
		return;
	}
	if (mc_state_status(st) != MC_STATUS_STOPPED)
		kill(st->pid, SIGKILL);
}

static void poststop(const struct mc_state *st)
{
	struct mc_spec spec;

	if (!st->bundle[0])
		return;
	mc_spec_init(&spec, NULL);
	if (mc_config_load(&spec, st->bundle) == 0)
		mc_container_hooks(&spec, MC_HOOK_POSTSTOP, st, MC_STATUS_STOPPED);
	mc_spec_free(&spec);
}

/* delete: processes and cgroup, then the poststop hooks, then the state. */
void mc_oci_remove_container(struct mc_state *st)
{
	/* A detached container's supervisor would restart it. */
	mc_life_kill_supervisor(&st->life);
	destroy_container(st);
	poststop(st);
	mc_state_remove(st);
}

static int bundle_path(const char *given, char *out)
{
	if (!realpath(given ? given : ".", out))
		return mc_error(errno, "bundle %s", given ? given : ".");
	return 0;
}

/*
 * Everything `create` and `run` share: the config, the state dir, the
 * container blocked on its exec fifo, the pid file.  On failure nothing is
 * left: no state dir, cgroup or process.
 */
static int create_container(struct mc_oci *oci, struct create_args *a,
			    const char *id, struct mc_spec *spec,
			    struct mc_state *st, struct mc_container *c)
{
	char fifo[PATH_MAX], bundle[PATH_MAX];
	bool limits;

	/* A bad config leaves not even a state dir behind. */
	if (bundle_path(a->bundle, bundle) < 0 ||
	    mc_config_load(spec, bundle) < 0)
		return -1;
	limits = mc_cgroup_wanted(spec, false);	/* the config's, not our defaults */
	if (mc_spec_add_default_dev_rules(spec) < 0)
		return -1;
	if (mc_state_create(oci->root, id, st) < 0)
		return -1;
	if (mc_state_make_fifo(st) < 0)
		goto fail;
	snprintf(st->bundle, sizeof(st->bundle), "%s", bundle);
	snprintf(st->rootfs, sizeof(st->rootfs), "%s", spec->rootfs);
	if (set_annotations(st, spec) < 0)
		goto fail;
	mc_state_fifo_path(st, fifo, sizeof(fifo));
	/*
	 * Engines always give one as root; runc's default is the ID at the
	 * top.  Rootless without one (podman on cgroup v1), runc ignores the
	 * permission error the top refuses it with: with no limit to set, we
	 * make no cgroup at all, as the outcome is the same.
	 */
	if (!spec->cgroups_path &&
	    !(mc_state_rootless() && !limits)) {
		snprintf(st->cgroup, sizeof(st->cgroup), "/%s", id);
		spec->cgroups_path = st->cgroup;
	}
	a->opts.id = id;
	a->opts.bundle = st->bundle;
	a->opts.state_root = oci->root;
	a->opts.oci_create = true;
	a->opts.exec_fifo = fifo;
	if (mc_container_create(spec, &a->opts, st, c) < 0)
		goto fail;
	st->status = MC_STATUS_CREATED;
	if (mc_state_save(st) < 0 || mc_write_pid_file(a->opts.pid_file, c->pid) < 0) {
		mc_container_kill(c);
		goto fail;
	}
	return 0;
fail:
	mc_state_remove(st);
	return -1;
}

int mc_verb_create(struct mc_oci *oci, int argc, char **argv)
{
	struct create_args a = { 0 };
	struct mc_container c;
	struct mc_state st = MC_STATE_INIT;
	struct mc_spec spec;
	const char *id;
	int i, ret;

	i = mc_parse_flags(argc, argv, 1, create_flags, apply_create, &a);
	if (i < 0 || mc_oci_one_id(argc, argv, i, "create", &id) < 0)
		return -1;
	/* create returns with the container still there: detached. */
	a.opts.detach = true;
	mc_spec_init(&spec, NULL);
	ret = create_container(oci, &a, id, &spec, &st, &c);
	if (ret == 0)
		mc_container_release(&c);
	mc_spec_free(&spec);
	mc_state_free(&st);
	return ret;
}

/* Release the process from its exec fifo: it execs the command now. */
static int open_fifo(const struct mc_state *st)
{
	char fifo[PATH_MAX];
	struct pollfd p;
	char byte;
	int fd;

	mc_state_fifo_path(st, fifo, sizeof(fifo));
	/* The read end opens at once; the process's blocked open returns. */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return mc_error(errno, "exec fifo %s", fifo);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (int tries = 0; tries < 100; tries++) {
		if (poll(&p, 1, 100) == 1 && read(fd, &byte, 1) == 1) {
			close(fd);
			unlink(fifo);
			return 0;
		}
		if (mc_state_status(st) == MC_STATUS_STOPPED)
			break;
	}
	close(fd);
	return mc_error(0, "container %s did not start (its process is gone)",
			st->id);
}

static int start_created(struct mc_state *st, struct mc_spec *spec)
{
	switch (mc_state_status(st)) {
	case MC_STATUS_CREATED:
		break;
	case MC_STATUS_STOPPED:
		return mc_error(0, "cannot start a container that has stopped");
	default:
		return mc_error(0, "cannot start an already running container");
	}
	if (open_fifo(st) < 0)
		return -1;
	st->status = MC_STATUS_RUNNING;
	if (mc_state_save(st) < 0)
		return -1;
	if (spec)
		mc_container_hooks(spec, MC_HOOK_POSTSTART, st, MC_STATUS_RUNNING);
	return 0;
}

int mc_verb_start(struct mc_oci *oci, int argc, char **argv)
{
	struct mc_state st = MC_STATE_INIT;
	struct mc_spec spec;
	int ret;

	if (mc_oci_load_one(oci, argc, argv, NULL, NULL, NULL, &st) < 0)
		return -1;
	mc_spec_init(&spec, NULL);
	/* poststart hooks come from the bundle's config, as at create. */
	ret = start_created(&st, mc_config_load(&spec, st.bundle) == 0 ? &spec
								       : NULL);
	mc_spec_free(&spec);
	mc_state_free(&st);
	return ret;
}

int mc_verb_run(struct mc_oci *oci, int argc, char **argv)
{
	struct create_args a = { 0 };
	struct mc_container c;
	struct mc_state st = MC_STATE_INIT;
	struct mc_spec spec;
	const char *id;
	int i, status = -1;

	i = mc_parse_flags(argc, argv, 1, create_flags, apply_create, &a);
	if (i < 0 || mc_oci_one_id(argc, argv, i, "run", &id) < 0)
		return -1;
	mc_spec_init(&spec, NULL);
	if (create_container(oci, &a, id, &spec, &st, &c) < 0)
		goto out;
	if (start_created(&st, &spec) < 0) {
		mc_container_kill(&c);
		mc_oci_remove_container(&st);
		goto out;
	}
	if (a.opts.detach) {
		mc_container_release(&c);
		status = 0;
		goto out;
	}
	/* Foreground: the lock is not held while the container runs. */
	mc_state_free(&st);
	status = mc_container_wait(&c, true);
	if (mc_state_load(oci->root, id, &st, true) == 0)
		mc_oci_remove_container(&st);
out:
	mc_spec_free(&spec);
	mc_state_free(&st);
	return status;
}

int mc_verb_state(struct mc_oci *oci, int argc, char **argv)
{
	struct mc_state st = MC_STATE_INIT;
	struct mc_buf b = { 0 };
	int ret;

	if (mc_oci_load_one(oci, argc, argv, NULL, NULL, NULL, &st) < 0)
		return -1;
	ret = mc_state_json(&st, mc_state_status(&st), &b);
	if (ret == 0)
		fwrite(b.data, 1, b.len, stdout);
	mc_buf_free(&b);
	mc_state_free(&st);
	return ret;
}
