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

#endif
