// SPDX-License-Identifier: MIT
/* Exec with PATH search, and exit-status mapping. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/wait.h>

#include "error.h"
#include "process.h"

static int try_dir(const char *dir, size_t dir_len, const char *file,
		   char *const argv[], char *const envp[], mc_exec_fn exec_fn)
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
	exec_fn(path, argv, envp);
	return errno;
}

int mc_exec_search(const char *file, char *const argv[], char *const envp[],
		   const char *search_path, mc_exec_fn exec_fn)
{
	bool denied = false;
	const char *p = search_path;

	if (strchr(file, '/')) {
		exec_fn(file, argv, envp);
		return errno;
	}
	if (!p)
		p = MC_DEFAULT_PATH;
	for (;;) {
		size_t n = strcspn(p, ":");
		int err = try_dir(p, n, file, argv, envp, exec_fn);

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
