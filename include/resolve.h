/* SPDX-License-Identifier: MIT */
#ifndef MC_RESOLVE_H
#define MC_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Safe path resolution inside the container's root.  A path from the image
 * or the config (a mount destination, a masked path) is looked up inside
 * the directory ROOT as if ROOT were "/": an absolute symlink, or "..",
 * never leads out, and magic links (/proc/self/fd/N, /proc/PID/root) are
 * not followed.  openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) where the
 * kernel has it (5.6), else a component-by-component walk that reads each
 * symlink and resolves it relative to ROOT.  The result is an O_PATH fd; a
 * mount is then made on "/proc/self/fd/N", the very inode that was checked,
 * so that a symlink swapped in later cannot redirect it (CVE-2021-30465).
 */

/* PATH inside ROOT: an O_PATH | O_CLOEXEC fd, plus FLAGS (O_NOFOLLOW: a
 * final symlink is returned itself; O_DIRECTORY). -1 and errno.  With
 * MC_RESOLVE_WALK=1 in the environment the walk is used even where
 * openat2 exists, so that tests cover it. */
int mc_resolve_open(int root, const char *path, int flags);

/*
 * mkdir -p of PATH inside ROOT; *MADE is the length of PATH's first
 * component that had to be made (0: none), also on failure.  A symlink to
 * something missing gets its target made, inside ROOT (as runc); what was
 * made that way is not counted in *MADE.
 */
int mc_resolve_mkdir_all(int root, const char *path, mode_t mode,
			 size_t *made);

/* The parent of PATH made as above, then PATH as an empty file unless it
 * exists. */
int mc_resolve_make_file(int root, const char *path, size_t *made);

/* rmdir of PATH inside ROOT (undo). */
int mc_resolve_rmdir(int root, const char *path);

/* "/proc/self/fd/N": the path that reaches FD's own inode. */
struct mc_fd_path {
	char s[32];
};
struct mc_fd_path mc_fd_path(int fd);

/*
 * /proc must be a real procfs before anything is written or looked up
 * through it (CVE-2019-19921: a /proc of the image's making).  WHAT names
 * the step for the error.
 */
int mc_resolve_check_proc(const char *what);

#endif
