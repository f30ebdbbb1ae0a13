/* SPDX-License-Identifier: MIT */
#ifndef MC_PROCESS_H
#define MC_PROCESS_H

/* PATH used inside the container when its environment has none. */
#define MC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef int (*mc_exec_fn)(const char *path, char *const argv[],
			  char *const envp[]);

/*
 * Run FILE like execvpe(): directly when it names a path, else through each
 * directory of SEARCH_PATH.  Returns only on failure, with the errno that
 * best explains it (EACCES beats ENOENT, as in the shell), and the error
 * recorded: "execve FILE", or "execve FILE: interpreter /bin/x" when the
 * file is there but its "#!" interpreter is not.
 */
int mc_exec_search(const char *file, char *const argv[], char *const envp[],
		   const char *search_path, mc_exec_fn exec_fn);

/* 127 when the command was not found, 126 when it could not be run. */
int mc_exit_for_exec_errno(int err);

/* The shell's exit status for a waitpid() status: code, or 128+signal. */
int mc_exit_status(int wstatus);

#include "spec.h"

/* process.rlimits, oomScoreAdj and umask, in the child before the identity. */
int mc_process_set_limits(const struct mc_spec *spec);

/* process.noNewPrivileges. */
int mc_process_set_no_new_privs(const struct mc_spec *spec);

/* As runc: HOME, when the environment lacks it, from the root's /etc/passwd
 * for the process's uid, else "/". */
int mc_process_default_home(struct mc_spec *spec);

/* After pivot_root: stdio on /dev/null becomes the container's, read-write. */
int mc_process_reopen_dev_null(void);

#endif
