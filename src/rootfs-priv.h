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
int mkdir_all(const char *path, size_t *made);
int mount_at(const char *source, const char *target, const char *type,
	     unsigned long flags, const char *data);
int bind_mount(const char *source, const char *target, bool rdonly);
/* The OCI default devices and links in dev/ (cwd: the rootfs). */
int make_devices(void);
int pivot(void);
int move_root(void);

/* copyup.c: copy directory FROM (the image's, now hidden) into TARGET. */
int mc_copyup(int from, const char *target, bool image_had_it);

/* mounts.c: config.json's mounts, in order, with the rootfs as cwd. */
int mc_mounts_before_pivot(const struct mc_spec *spec);
/* After pivot_root: masked and read-only paths, sysctl, a read-only root. */
int mc_mounts_after_pivot(const struct mc_spec *spec);

#endif
