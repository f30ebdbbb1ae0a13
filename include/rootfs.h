/* SPDX-License-Identifier: MIT */
#ifndef MC_ROOTFS_H
#define MC_ROOTFS_H

#include "spec.h"

/*
 * In the child, inside its new mount namespace: make the mount tree private,
 * switch to the rootfs (pivot_root, or MS_MOVE + chroot on an initramfs),
 * mount /proc and a minimal /dev, then the spec's extra mounts.
 */
int mc_rootfs_setup(const struct mc_spec *spec);

/*
 * For mcstatic as a machine's init: mount /proc, /sys and devtmpfs on /dev
 * where nothing is mounted yet, and give a console to fds 0-2 if the kernel
 * could not open one.
 */
int mc_rootfs_mount_machine(void);

#endif
