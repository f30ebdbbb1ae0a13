/* SPDX-License-Identifier: MIT */
#ifndef MC_ROOTFS_PRIV_H
#define MC_ROOTFS_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

/* Shared by rootfs.c (the seed's fixed layout) and mounts.c (OCI's list). */

struct step {
	const char *path;	/* relative to the rootfs, or absolute after pivot */
	size_t made;		/* length of its first component we made; 0: none */
};

/* Record PATH in the undo list (NULL when there is no room: no rootfs). */
struct step *step_push(const char *path);
/* The rootfs (O_PATH) that every path below is resolved inside. */
int rootfs_fd(void);
/* mkdir -p inside the rootfs. */
int mkdir_all(const char *path, size_t *made);
/* mount(2) on a plain path: only where there is no rootfs. */
int mount_at(const char *source, const char *target, const char *type,
	     unsigned long flags, const char *data);
/* On the inode FD holds, through /proc/self/fd/FD; NAME for messages. */
int mount_fd(const char *source, int fd, const char *type,
	     unsigned long flags, const char *data, const char *name);
/* On TARGET resolved inside the rootfs (resolve.h). */
int mount_in_root(const char *source, const char *target, const char *type,
		  unsigned long flags, const char *data);
/* MS_REMOUNT | MS_BIND | FLAGS of what is mounted on TARGET now. */
int remount_in_root(const char *target, unsigned long flags, bool keep_locked);
int bind_mount(const char *source, const char *target, bool rdonly);
/* The OCI default devices and links in the rootfs's dev. */
int make_devices(void);
int pivot(void);
int move_root(void);

/* copyup.c: copy directory FROM (the image's, now hidden) into TO, the tmpfs. */
int mc_copyup(int from, int to, bool image_had_it);

/* mounts.c: config.json's mounts, in order, with the rootfs as cwd. */
int mc_mounts_before_pivot(const struct mc_spec *spec);
/* After pivot_root: masked and read-only paths, sysctl, a read-only root. */
int mc_mounts_after_pivot(const struct mc_spec *spec);
/* Read-only then masked paths (both front-ends), with a checked /proc. */
int mc_mounts_paths(const struct mc_spec *spec);

#endif
