// SPDX-License-Identifier: MIT
/* Exec with PATH search, and exit-status mapping. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "process.h"
#include "util.h"

#define INTERP_MAX 256

/*
 * ENOENT from a file that is there: the kernel did not find the interpreter
 * its "#!" line names.  Put that name in INTERP, to be named as the shells
 * name it.
 */
static bool missing_interpreter(const char *path, char *interp)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char line[INTERP_MAX + 8];
	size_t start, len;
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, line, sizeof(line) - 1);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = '\0';
	for (start = 2; line[start] == ' ' || line[start] == '\t'; start++)
		;
	len = strcspn(line + start, " \t\r\n");
	if (!len || len >= INTERP_MAX)
		return false;
	memcpy(interp, line + start, len);
	interp[len] = '\0';
	return true;
}

/* Exec PATH; the errno it failed with.  A missing interpreter ends the
 * search (INTERP holds its name), as it does in the shell. */
static int try_path(const char *path, char *const argv[], char *const envp[],
		    mc_exec_fn exec_fn, char *interp)
{
	int err;

	exec_fn(path, argv, envp);
	err = errno;
	if (err == ENOENT && missing_interpreter(path, interp))
		return err;
	interp[0] = '\0';
	return err;
}

static int try_dir(const char *dir, size_t dir_len, const char *file,
		   char *const argv[], char *const envp[], mc_exec_fn exec_fn,
		   char *interp)
{
	char path[PATH_MAX];
	size_t file_len = strlen(file);

	if (dir_len + 1 + file_len + 1 > sizeof(path))
		return ENAMETOOLONG;
	/* An empty PATH entry means the current directory. */
	if (dir_len) {
		memcpy(path, dir, dir_len);
		path[dir_len++] = '/';
	}
	memcpy(path + dir_len, file, file_len + 1);
	return try_path(path, argv, envp, exec_fn, interp);
}

static int search(const char *file, char *const argv[], char *const envp[],
		  const char *search_path, mc_exec_fn exec_fn, char *interp)
{
	bool denied = false;
	const char *p = search_path;

	interp[0] = '\0';
	if (strchr(file, '/'))
		return try_path(file, argv, envp, exec_fn, interp);
	if (!p)
		p = MC_DEFAULT_PATH;
	for (;;) {
		size_t n = strcspn(p, ":");
		int err = try_dir(p, n, file, argv, envp, exec_fn, interp);

		if (interp[0])
			return err;
		if (err == EACCES)
			denied = true;
		else if (err != ENOENT && err != ENOTDIR &&
			 err != ENAMETOOLONG)
			return err;
		if (!p[n])
			break;
		p += n + 1;
	}
	return denied ? EACCES : ENOENT;
}

int mc_exec_search(const char *file, char *const argv[], char *const envp[],
		   const char *search_path, mc_exec_fn exec_fn)
{
	char interp[INTERP_MAX];
	int err = search(file, argv, envp, search_path, exec_fn, interp);

	if (interp[0])
		mc_error(err, "execve %s: interpreter %s", file, interp);
	else
		mc_error(err, "execve %s", file);
	return err;
}

int mc_exit_for_exec_errno(int err)
{
	return err == ENOENT || err == ENOTDIR ? MC_EXIT_NOTFOUND
					       : MC_EXIT_NOEXEC;
}

int mc_exit_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

static int set_oom_score_adj(int v)
{
	char text[16];
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int len = snprintf(text, sizeof(text), "%d", v);

	if (fd < 0)
		return mc_error(errno, "process.oomScoreAdj");
	if (write(fd, text, (size_t)len) != len) {
		close(fd);
		return mc_error(errno, "process.oomScoreAdj %d", v);
	}
	close(fd);
	return 0;
}

static const char *limit_text(uint64_t v, char *buf)
{
	if (v == RLIM_INFINITY)
		return "unlimited";
	sprintf(buf, "%llu", (unsigned long long)v);
	return buf;
}

int mc_process_set_limits(const struct mc_spec *spec)
{
	char soft[24], hard[24];

	for (size_t i = 0; i < spec->n_rlimits; i++) {
		const struct mc_rlimit *r = &spec->rlimits[i];
		struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };

		/* Raising a hard limit needs CAP_SYS_RESOURCE (EPERM). */
		if (setrlimit(r->resource, &rl) < 0)
			return mc_error(errno, "process.rlimits: %s %s:%s%s",
					mc_rlimit_name(r->resource),
					limit_text(r->soft, soft),
					limit_text(r->hard, hard),
					errno == EPERM ? " (a hard limit above "
					"the current one needs CAP_SYS_RESOURCE)" : "");
	}
	if (spec->has_oom_score_adj && set_oom_score_adj(spec->oom_score_adj) < 0)
		return -1;
	if (spec->umask >= 0)
		umask((mode_t)spec->umask);
	return 0;
}

int mc_process_set_no_new_privs(const struct mc_spec *spec)
{
	if (spec->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return mc_error(errno, "process.noNewPrivileges");
	return 0;
}

/* The home directory of UID in /etc/passwd ("name:x:uid:gid:gecos:home:shell"). */
static bool passwd_home(unsigned int uid, char *home, size_t size)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *field[7] = { line };
		int n = 1;

		for (char *p = line; *p && n < 7; p++)
			if (*p == ':') {
				*p = '\0';
				field[n++] = p + 1;
			}
		if (n == 7 && strtoul(field[2], NULL, 10) == uid && *field[2]) {
			snprintf(home, size, "%s", field[5]);
			found = true;
		}
	}
	fclose(f);
	return found;
}

int mc_process_default_home(struct mc_spec *spec)
{
	char home[PATH_MAX];

	if (mc_spec_getenv(spec, "HOME"))
		return 0;
	if (!passwd_home(spec->set_user ? spec->uid : getuid(), home, sizeof(home)))
		snprintf(home, sizeof(home), "/");
	return mc_spec_setenv_pair(spec, "HOME", home);
}

/*
 * As runc (reOpenDevNull): stdio on /dev/null is opened again, read-write,
 * from the container's /dev.  Engines hand the runtime a read-only
 * /dev/null as stdin (conmon does); a program that writes to fd 0 or checks
 * its mode then sees what it would see under runc.
 */
int mc_process_reopen_dev_null(void)
{
	struct stat null_st, st;
	int fd;

	if (stat("/dev/null", &null_st) < 0 || !S_ISCHR(null_st.st_mode))
		return 0;
	for (int i = 0; i < 3; i++) {
		if (fstat(i, &st) < 0 || !S_ISCHR(st.st_mode) ||
		    st.st_rdev != null_st.st_rdev)
			continue;
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return mc_error(errno, "reopen /dev/null");
		if (fd != i && dup2(fd, i) < 0) {
			close(fd);
			return mc_error(errno, "reopen /dev/null");
		}
		if (fd != i)
			close(fd);
		else
			fcntl(fd, F_SETFD, 0);
	}
	return 0;
}
