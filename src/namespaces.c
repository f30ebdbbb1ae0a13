// SPDX-License-Identifier: MIT
/* Namespaces: which to create, user namespace id maps, hostname, identity. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "namespaces.h"
#include "util.h"

/* What differs between uids and gids. */
struct id_kind {
	const char *map_file;
	const char *helper;
	const char *subid_file;
};

static const struct id_kind uid_kind = { "uid_map", "newuidmap", "/etc/subuid" };
static const struct id_kind gid_kind = { "gid_map", "newgidmap", "/etc/subgid" };

int mc_namespaces_clone_flags(const struct mc_spec *spec)
{
	return spec->namespaces;
}

void mc_namespaces_announce(int clone_flags)
{
	if (clone_flags & CLONE_NEWUSER)
		mc_debug("[parent] Creating user namespace");
	if (clone_flags & CLONE_NEWNS)
		mc_debug("[parent] Creating mount namespace");
	else if (clone_flags & CLONE_NEWPID)
		mc_debug("[parent] Creating PID namespace");
}

/*
 * The container is set up as the caller: with its ids unmapped, the files a
 * new root needs (/dev's nodes) cannot be made (EOVERFLOW from mknod).
 */
static int check_caller_mapped(const struct mc_spec *spec)
{
	unsigned int uid = geteuid(), gid = getegid();

	if (!spec->rootfs)
		return 0;
	if (!mc_idmap_contains_host(spec->uid_maps, spec->n_uid_maps, uid))
		return mc_error(0, "uid map leaves out the caller (uid %u), "
				"who sets up the rootfs", uid);
	if (!mc_idmap_contains_host(spec->gid_maps, spec->n_gid_maps, gid))
		return mc_error(0, "gid map leaves out the caller (gid %u), "
				"who sets up the rootfs", gid);
	return 0;
}

int mc_namespaces_prepare(struct mc_spec *spec)
{
	if (mc_caps_check(spec) < 0)
		return -1;
	if (!(spec->namespaces & CLONE_NEWUSER))
		return 0;
	return check_caller_mapped(spec);
}

static int write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return -1;
	return 0;
}

static void format_map(char *buf, size_t size, const struct mc_idmap *maps,
		       size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%u %u %u\n",
				maps[i].container_id, maps[i].host_id,
				maps[i].count);
}

/* The helper's complaint becomes our one-line error, not a second line. */
static int helper_failed(const struct id_kind *kind, int status, int err_fd)
{
	char text[256] = "";
	ssize_t len = read(err_fd, text, sizeof(text) - 1);

	text[len > 0 ? len : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (text[0])
		return mc_error(0, "%s (are the ranges in %s yours?)", text,
				kind->subid_file);
	return mc_error(0, "%s failed with status %d (are the ranges in %s yours?)",
			kind->helper, status, kind->subid_file);
}

/* A running newuidmap/newgidmap: both run at once, as each takes ~1 ms. */
struct helper_run {
	const struct id_kind *kind;
	pid_t pid;
	int err_fd;	/* its stderr, read for the error line */
};

static int start_helper(struct helper_run *run, char **argv)
{
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return mc_error(errno, "%s", run->kind->helper);
	run->pid = fork();
	if (run->pid == 0) {
		signal(SIGPIPE, SIG_DFL);	/* main ignores it for itself */
		dup2(pipefd[1], STDERR_FILENO);
		execvp(run->kind->helper, argv);
		_exit(MC_EXIT_NOTFOUND);
	}
	close(pipefd[1]);
	run->err_fd = pipefd[0];
	return run->pid < 0 ? mc_error(errno, "%s", run->kind->helper) : 0;
}

static int finish_helper(struct helper_run *run)
{
	_cleanup_close_ int err_fd = run->err_fd;
	int status;

	if (run->pid <= 0)
		return 0;
	if (waitpid(run->pid, &status, 0) < 0)
		return mc_error(errno, "%s", run->kind->helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return helper_failed(run->kind, WIFEXITED(status) ? WEXITSTATUS(status)
							  : 128 + WTERMSIG(status),
			     err_fd);
}

/* newuidmap PID C H N ...: setuid helpers that check /etc/subuid for us. */
static int run_helper(struct helper_run *run, pid_t child,
		      const struct mc_idmap *maps, size_t n)
{
	char num[1 + 3 * MC_MAX_IDMAPS][12];
	char *argv[3 + 3 * MC_MAX_IDMAPS] = { (char *)run->kind->helper, num[0] };

	snprintf(num[0], sizeof(num[0]), "%d", child);
	for (size_t i = 0; i < n; i++) {
		const unsigned int v[3] = { maps[i].container_id,
					    maps[i].host_id, maps[i].count };

		for (size_t j = 0; j < 3; j++) {
			snprintf(num[1 + 3 * i + j], sizeof(num[0]), "%u", v[j]);
			argv[2 + 3 * i + j] = num[1 + 3 * i + j];
		}
	}
	argv[2 + 3 * n] = NULL;
	return start_helper(run, argv);
}

/* A process may write a map of only itself; wider maps need the helper. */
static bool needs_helper(const struct mc_idmap *maps, size_t n,
			 unsigned int self)
{
	return geteuid() != 0 &&
	       (n != 1 || maps[0].host_id != self || maps[0].count != 1);
}

/* Write a map ourselves, or start the helper that will (RUN). */
static int write_map(pid_t child, struct helper_run *run,
		     const struct mc_idmap *maps, size_t n, unsigned int self)
{
	char path[64], text[MC_MAX_IDMAPS * 36];

	if (needs_helper(maps, n, self))
		return run_helper(run, child, maps, n);
	snprintf(path, sizeof(path), "/proc/%d/%s", child, run->kind->map_file);
	format_map(text, sizeof(text), maps, n);
	if (write_file(path, text) < 0) {
		text[strcspn(text, "\n")] = '\0';
		return mc_error(errno, "%s '%s'%s", run->kind->map_file, text,
				n > 1 ? " ..." : "");
	}
	return 0;
}

/* Without CAP_SETGID outside, gid_map may only be written once setgroups
 * is denied (the kernel's rule since 3.19). */
static int deny_setgroups(const struct mc_spec *spec, pid_t child)
{
	char path[64];

	if (geteuid() == 0 ||
	    needs_helper(spec->gid_maps, spec->n_gid_maps, getegid()))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/setgroups", child);
	return write_file(path, "deny") < 0 ? mc_error(errno, "%s", path) : 0;
}

int mc_namespaces_write_maps(const struct mc_spec *spec, pid_t child)
{
	struct helper_run uid_run = { &uid_kind, -1, -1 };
	struct helper_run gid_run = { &gid_kind, -1, -1 };
	int ret;

	if (!(spec->namespaces & CLONE_NEWUSER))
		return 0;
	ret = write_map(child, &uid_run, spec->uid_maps, spec->n_uid_maps,
			geteuid());
	if (ret == 0)
		ret = deny_setgroups(spec, child);
	if (ret == 0)
		ret = write_map(child, &gid_run, spec->gid_maps,
				spec->n_gid_maps, getegid());
	/* Both helpers are waited for, whatever failed. */
	if (finish_helper(&uid_run) < 0)
		ret = -1;
	if (finish_helper(&gid_run) < 0)
		ret = -1;
	if (ret)
		return -1;
	mc_debug("[parent] Wrote uid and gid maps (%zu and %zu ranges)",
		 spec->n_uid_maps, spec->n_gid_maps);
	return 0;
}

int mc_namespaces_set_hostname(const struct mc_spec *spec)
{
	if (!spec->hostname)
		return 0;
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return mc_error(errno, "hostname %s", spec->hostname);
	mc_debug("[child] Hostname: %s", spec->hostname);
	return 0;
}

/*
 * A new network namespace has only lo, and it is down.  runc brings it up
 * (its "loopback" strategy), and engines count on that: podman's
 * --network none leaves the container lo and nothing else.  A joined
 * namespace is its owner's to configure.
 */
int mc_namespaces_loopback_up(const struct mc_spec *spec)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	if (!(spec->namespaces & CLONE_NEWNET))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mc_error(errno, "network namespace: lo");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = mc_error(errno, "network namespace: lo");
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = mc_error(errno, "network namespace: bring lo up");
	close(fd);
	return ret;
}

int mc_namespaces_set_identity(const struct mc_spec *spec)
{
	if (!spec->set_user)
		return 0;
	/* EPERM: setgroups is denied in this user namespace; keep none. */
	if (setgroups(spec->n_additional_gids, spec->additional_gids) < 0 &&
	    (errno != EPERM || spec->n_additional_gids))
		return mc_error(errno, "userid %u:%u: setgroups", spec->uid,
				spec->gid);
	if (setresgid(spec->gid, spec->gid, spec->gid) < 0)
		return mc_error(errno, "userid %u:%u: setresgid", spec->uid,
				spec->gid);
	if (setresuid(spec->uid, spec->uid, spec->uid) < 0)
		return mc_error(errno, "userid %u:%u: setresuid", spec->uid,
				spec->gid);
	return 0;
}
