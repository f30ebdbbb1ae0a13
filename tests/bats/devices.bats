#!/usr/bin/env bats
# tests/bats/devices.bats — the device cgroup: the seed CLI's default
# allow-list for a root container (runc's: deny all, then null, zero, full,
# random, urandom, tty, console, ptmx, pts, tun, and mknod of any), none with
# --privileged or in a user namespace, and linux.resources.devices of a
# bundle under both runtimes.  cgroup v2 (the eBPF program) is tested in the
# qemu guest: cgroups-v2.bats.
#
# The devices are harmless and only read: /dev/kmsg's number (c 1:11, the
# kernel log; outside the default list) and b 8:0 (sda: this host has none,
# so an open that passes the cgroup fails ENXIO, never reads a disk).  The
# nodes are made in the container's own /dev (a tmpfs without nodev), so the
# only thing that can refuse the open with EPERM is the device cgroup: the
# --privileged run, with the same node and the same mount, opens it.

load helpers
load oci-helpers

setup_file() { oci_setup_file; }
setup() {
	oci_setup
	cd "$REPO"
}
teardown() { oci_teardown; }

# What a root container does with the nodes: one word per device.
PROBE='mknod /dev/k c 1 11 || echo mknod-failed
mknod /dev/b b 8 0 || echo mknod-failed
head -c1 /dev/k >/dev/null 2>/tmp/err && echo kmsg-open || echo "kmsg: $(cat /tmp/err)"
head -c1 /dev/b >/dev/null 2>/tmp/err && echo blk-open || echo "blk: $(cat /tmp/err)"
echo x >/dev/null && head -c1 /dev/zero >/dev/null && head -c1 /dev/urandom >/dev/null &&
head -c1 /dev/random >/dev/null && head -c1 /dev/full >/dev/null && echo defaults-ok
grep -E "^[0-9]+:(devices|freezer):" /proc/self/cgroup'

@test "devices: a root seed container may mknod but not open a device outside the list (EPERM); the defaults work" {
	run --separate-stderr "$MC" --pid --rootfs "$ROOTFS" /bin/sh -c "$PROBE"
	assert_success
	refute_line mknod-failed
	assert_line "kmsg: head: /dev/k: Operation not permitted"
	assert_line "blk: head: /dev/b: Operation not permitted"
	assert_line defaults-ok
	# Only the devices hierarchy: no freezer cgroup for the default rules.
	assert_line --regexp '^[0-9]+:devices:/mcstatic/mc-[0-9]+-[0-9]+$'
	assert_line --regexp '^[0-9]+:freezer:/$'
	assert_nothing_left
	# ...which is gone afterwards.
	local cg
	cg=$(sed -n 's/^[0-9]*:devices://p' <<<"$output")
	[ ! -e "/sys/fs/cgroup/devices$cg" ] || fail "left: /sys/fs/cgroup/devices$cg"
}

@test "devices: --privileged: no device cgroup, the same nodes open (kmsg reads, sda: ENXIO)" {
	run --separate-stderr "$MC" --pid --rootfs "$ROOTFS" --privileged /bin/sh -c "$PROBE"
	assert_success
	assert_line kmsg-open
	assert_line "blk: head: /dev/b: No such device or address"
	assert_line defaults-ok
	assert_line --regexp '^[0-9]+:devices:/$'
	assert_nothing_left
}

@test "devices: without --rootfs (the host's /dev and cgroupfs) no rules: a root command opens /dev/kmsg" {
	# Reading kmsg needs CAP_SYSLOG, which the default set lacks: given
	# back, only a device rule could still refuse the open.
	run --separate-stderr "$MC" --pid --cap-add syslog /bin/sh -c 'true </dev/kmsg && echo open; grep -E "^[0-9]+:devices:" /proc/self/cgroup'
	assert_success
	assert_line open
	assert_line --regexp '^[0-9]+:devices:/$'
}

@test "devices: --user: no device rules (the kernel refuses the node itself), no cgroup" {
	run --separate-stderr "$MC" --user --pid --rootfs "$ROOTFS" /bin/sh -c \
		'mknod /dev/k c 1 11 2>&1; grep -E "^[0-9]+:devices:" /proc/self/cgroup'
	assert_success
	assert_line --partial "Operation not permitted"
	assert_line --regexp '^[0-9]+:devices:/$'
	assert_nothing_left
}

# Both runtimes, one bundle: deny all, then c 1:11 read-only; runc's own
# default list is appended by each.  CAP_MKNOD to make the nodes, CAP_SYSLOG
# to read the kernel log (dmesg_restrict).
@test "devices: linux.resources.devices under mcstatic and runc: the same words" {
	local rt out=()
	bundle_set 'c["linux"]["resources"]={"devices":[{"allow":False,"access":"rwm"},{"allow":True,"type":"c","major":1,"minor":11,"access":"r"}]}'
	bundle_set 'c["process"]["capabilities"]={k:["CAP_MKNOD","CAP_SYSLOG"] for k in ("bounding","effective","permitted")}'
	bundle_args sh -c "$PROBE"
	for rt in "$MC" "$RUNC"; do
		RT=$rt rtc run --bundle "$B" "dev-$RANDOM"
		expect_status 0
		out+=("$(grep -v -E '^[0-9]+:' <<<"$output")")
	done
	[ "${out[0]}" = "${out[1]}" ] || fail "mcstatic:
${out[0]}
runc:
${out[1]}"
	grep -qx kmsg-open <<<"${out[0]}"
	grep -qx "blk: head: /dev/b: Operation not permitted" <<<"${out[0]}"
	grep -qx defaults-ok <<<"${out[0]}"
}
