/* SPDX-License-Identifier: MIT */
#ifndef MC_ROOTFS_H
#define MC_ROOTFS_H

#include <stdbool.h>

#include "spec.h"

/*
 * In the child, inside its new mount namespace: make the mount tree private,
 * switch to the rootfs (pivot_root, or MS_MOVE + chroot on an initramfs),
 * mount /proc and a minimal /dev, then the spec's extra mounts.  Targets
 * missing in the rootfs are made; without a rootfs they must exist.  On
 * failure the rootfs is left as it was.
 */
/* BEFORE_PIVOT (may be NULL): called once the mounts are in place, before
 * pivot_root (config.json's createContainer hooks). */
int mc_rootfs_setup(const struct mc_spec *spec, bool no_pivot,
		    int (*before_pivot)(void));

/*
 * After a failed setup, in the child: remove the directories the setup made
 * in the rootfs (mount targets, /dev, /sys, /proc), deepest first.  On its
 * own failure mc_rootfs_setup() does this itself; a later step calls it.
 */
void mc_rootfs_undo(void);

/*
 * For mcstatic as a machine's init: mount /proc, /sys and devtmpfs on /dev
 * where nothing is mounted yet, and give a console to fds 0-2 if the kernel
 * could not open one.
 */
int mc_rootfs_mount_machine(void);

#endif
