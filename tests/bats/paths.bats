#!/usr/bin/env bats
# Masked and read-only paths, a read-only /sys, and mount destinations
# resolved inside the rootfs.  Each test names what would go wrong without
# the defence; where runc 1.1 is the reference, the same bundle runs under
# it too.

load helpers
load oci-helpers

U=mcbats-paths

setup_file() {
	oci_setup_file || return 1
	command -v newuidmap >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" uidmap
	id "$U" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$U"
	grep -q "^$U:" /etc/subuid || usermod --add-subuids 500000-565535 "$U"
	grep -q "^$U:" /etc/subgid || usermod --add-subgids 500000-565535 "$U"
	PDIR=$(mktemp -d /tmp/mcstatic-paths.XXXXXX)
	chmod 755 "$PDIR"
	cp "$BATS_TEST_DIRNAME/../../mcstatic" "$PDIR/mcstatic"
	cp -a "$BATS_TEST_DIRNAME/../../rootfs" "$PDIR/rootfs"
	chown -R "$U:" "$PDIR/rootfs"
	export PDIR
}

teardown_file() {
	[[ -n ${PDIR:-} ]] && rm -rf "$PDIR"
	userdel --remove "$U" 2>/dev/null || true
	sed -i "/^$U:/d" /etc/subuid /etc/subgid
}

setup() {
	oci_setup || return 1
	HOSTDIR=$(mktemp -d /tmp/mcstatic-hostdir.XXXXXX)
	CORE_PATTERN=$(cat /proc/sys/kernel/core_pattern)
}

teardown() {
	# Only if a broken runtime let the container change it.
	[[ $(cat /proc/sys/kernel/core_pattern) == "$CORE_PATTERN" ]] ||
		printf '%s\n' "$CORE_PATTERN" >/proc/sys/kernel/core_pattern
	[[ -n ${HOSTDIR:-} ]] && rm -rf "$HOSTDIR"
	oci_teardown
}

as_user() {
	runuser -u "$U" -- env MC_BATS_TAG="$MC_BATS_TAG" "$@"
}

# What the container sees of the masked and read-only paths, one word each.
# The host has content in all three (checked by each test first), so an
# empty answer means the mask is there.
PROBE='printf "keys=%s " $(wc -c </proc/keys); printf "timer_list=%s " $(wc -c </proc/timer_list); printf "firmware=%s " $(ls /sys/firmware | wc -l); echo 1 2>/dev/null >/proc/sys/kernel/ns_last_pid && echo sys=rw || echo sys=ro'

host_has_content() {
	# procfs files have no size: read a byte.
	[[ -n $(head -c1 /proc/keys) && -n $(head -c1 /proc/timer_list) && -n $(ls /sys/firmware) ]] ||
		fail "the host has an empty /proc/keys, /proc/timer_list or /sys/firmware: nothing to compare"
}

@test "seed default: /proc/keys, /proc/timer_list, /sys/firmware masked; /proc/sys read-only" {
	host_has_content
	run -0 --separate-stderr "$MC" --pid --rootfs "$ROOTFS" sh -c "$PROBE"
	assert_output "keys=0 timer_list=0 firmware=0 sys=ro"
	assert_equal "$stderr" ""
	# EROFS, not a permission error: the read-only bind, not the mode bits.
	run --separate-stderr "$MC" --pid --rootfs "$ROOTFS" sh -c 'echo 1 >/proc/sys/kernel/ns_last_pid'
	assert_equal "$status" 1
	assert_stderr_line "sh: can't create /proc/sys/kernel/ns_last_pid: Read-only file system"
	assert_nothing_left
}

@test "seed --privileged: no masks, /proc/sys writable" {
	host_has_content
	run -0 --separate-stderr "$MC" --privileged --pid --rootfs "$ROOTFS" sh -c "$PROBE"
	assert_output --regexp '^keys=[1-9][0-9]* timer_list=[1-9][0-9]* firmware=[1-9][0-9]* sys=rw$'
	assert_nothing_left
}

# A write to a sysfs file that has no store: EROFS on a read-only mount,
# "Permission denied" (or another error from sysfs itself) on a rw one.
@test "seed default: /sys is mounted read-only (EROFS); --privileged: read-write" {
	run --separate-stderr "$MC" --pid --rootfs "$ROOTFS" sh -c \
		'grep " /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1; echo 1 >/sys/kernel/uevent_seqnum'
	assert_equal "$status" 1
	assert_output "ro"
	assert_stderr_line "sh: can't create /sys/kernel/uevent_seqnum: Read-only file system"
	run --separate-stderr "$MC" --privileged --pid --rootfs "$ROOTFS" sh -c \
		'grep " /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1; echo 1 >/sys/kernel/uevent_seqnum'
	assert_output "rw"
	[[ $stderr != *"Read-only file system"* ]] || fail "privileged /sys is read-only: $stderr"
	assert_nothing_left
}

# Rootless: the same masks.  The remount is refused by the kernel here
# (sysfs belongs to the host's user namespace); as root it is refused once
# CAP_SYS_ADMIN is gone (capabilities), which is not this file's concern.
@test "rootless: the same masks, /proc/sys and /sys read-only, remount rw of /sys refused" {
	host_has_content
	run -0 --separate-stderr as_user "$PDIR/mcstatic" --user --pid --rootfs "$PDIR/rootfs" sh -c "$PROBE"
	assert_output "keys=0 timer_list=0 firmware=0 sys=ro"
	run --separate-stderr as_user "$PDIR/mcstatic" --user --pid --rootfs "$PDIR/rootfs" sh -c \
		'mount -o remount,rw /sys && echo remounted; echo 1 >/sys/kernel/uevent_seqnum'
	assert_equal "$status" 1
	assert_output ""
	assert_equal "$stderr" "mount: permission denied (are you root?)
sh: can't create /sys/kernel/uevent_seqnum: Read-only file system"
	# Without the masks (timer_list is root's alone, unreadable either way
	# when not masked; the masked one reads as /dev/null).
	run -0 --separate-stderr as_user "$PDIR/mcstatic" --privileged --user --pid --rootfs "$PDIR/rootfs" \
		sh -c "$PROBE"
	assert_output --regexp '^keys=[1-9][0-9]* timer_list= firmware=[1-9][0-9]* sys=rw$'
	assert_nothing_left
}

# OCI: the lists of config.json, as runc applies them.
@test "oci: maskedPaths and readonlyPaths as config.json says, the same as runc" {
	host_has_content
	local rt want="keys=0 timer_list=0 firmware=0 sys=ro"
	bundle_set 'c["linux"]["maskedPaths"]=["/proc/keys","/proc/timer_list","/sys/firmware","/proc/nope"]; c["linux"]["readonlyPaths"]=["/proc/sys"]'
	bundle_args sh -c "$PROBE"
	for rt in "$MC" "$RUNC"; do
		RT=$rt rtc run --bundle "$B" p1
		expect_status 0
		assert_equal "$output" "$want"
	done
}

# CVE-2025-31133: the image's /dev/null is a symlink to core_pattern; a
# runtime that binds "/dev/null" by name puts the host's core_pattern over
# /proc/keys, and the container's write below sets the host's.  (runc 1.1
# does exactly that, so it is not run here.)
@test "oci: an image /dev/null that is a symlink to core_pattern: refused, 1, core_pattern unchanged" {
	bundle_set 'c["mounts"]=[m for m in c["mounts"] if m["destination"]!="/dev"]; c["linux"]["maskedPaths"]=["/proc/keys"]'
	rm -f "$B/rootfs/dev/null"
	ln -s /proc/sys/kernel/core_pattern "$B/rootfs/dev/null"
	bundle_args sh -c 'echo "|/bin/mcbats-evil" >/proc/keys'
	rtc run --bundle "$B" p1
	expect_status 1
	expect_one_error_line
	assert_equal "$stderr" "mcstatic: rootfs $B/rootfs: linux.maskedPaths: /dev/null is not the null device (1:3) but a symlink"
	assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$CORE_PATTERN"
	assert_no_leftovers p1
}

# A mask target that is a symlink out of the root: refused, not followed.
@test "oci: a masked path that is a symlink out of the root: refused, 1, one line" {
	echo secret >"$HOSTDIR/file"
	ln -s "$HOSTDIR/file" "$B/rootfs/etc/evil"
	bundle_set 'c["linux"]["maskedPaths"]=["/etc/evil"]'
	rtc run --bundle "$B" p1
	expect_status 1
	expect_one_error_line
	assert_equal "$stderr" "mcstatic: rootfs $B/rootfs: linux.maskedPaths /etc/evil: is a symlink (to $HOSTDIR/file), not followed"
	assert_equal "$(cat "$HOSTDIR/file")" "secret"
	assert_no_leftovers p1
}

# CVE-2021-30465 class: a mount destination through a symlink to a host
# directory.  Resolved on the host's side, the missing /evil/sub would be
# made in HOSTDIR (and the tmpfs put there); resolved inside the rootfs it
# is made in rootfs/$HOSTDIR.  runc resolves inside as well.  Both ways of
# resolving (openat2 and the walk of older kernels) are run.
@test "oci: a mount destination that is a symlink to a host directory lands inside the rootfs" {
	local how
	ln -s "$HOSTDIR" "$B/rootfs/evil"
	bundle_set 'c["mounts"].append({"destination":"/evil/sub","type":"tmpfs","source":"tmpfs"})'
	bundle_args sh -c 'ls -d /evil/sub; grep -c "^tmpfs [^ ]*/sub tmpfs" /proc/mounts'
	for how in openat2 walk runc; do
		case $how in
		openat2) RT=$MC rtc run --bundle "$B" p1 ;;
		walk) MC_RESOLVE_WALK=1 RT=$MC rtc run --bundle "$B" p1 ;;
		runc) RT=$RUNC rtc run --bundle "$B" p1 ;;
		esac
		expect_status 0
		assert_equal "$output" "/evil/sub
1"
		[[ -d $B/rootfs$HOSTDIR/sub ]] || fail "$how: the target was not made inside the rootfs"
		assert_equal "$(ls -A "$HOSTDIR")" ""
		rm -rf "$B/rootfs$HOSTDIR"
	done
	assert_no_leftovers p1
}

# CVE-2019-19921 class: /proc of the image is a symlink.  Mounted through
# it, procfs would land in HOSTDIR's place and /proc would be whatever the
# image made it.  Refused by both runtimes.
@test "oci: an image whose /proc is a symlink: refused, 1, one line, host untouched" {
	local rt
	rmdir "$B/rootfs/proc"
	ln -s "$HOSTDIR" "$B/rootfs/proc"
	for rt in "$MC" "$RUNC"; do
		RT=$rt rtc run --bundle "$B" p1
		expect_status 1
		assert_equal "$(ls -A "$HOSTDIR")" ""
		[[ ! -e $B/rootfs$HOSTDIR ]] || fail "$rt: mounted through the symlink"
	done
	RT=$MC rtc run --bundle "$B" p1
	expect_one_error_line
	assert_equal "$stderr" "mcstatic: rootfs $B/rootfs: mount target /proc: proc must be mounted on a directory, not a symlink"
	assert_no_leftovers p1
}

# CVE-2024-21626 class on the OCI path: process.cwd is resolved after
# pivot_root, in the container.  Through /proc/self/fd/9 (a host directory
# the caller left open: closed before anything else) or /proc/self/fd/0
# (stdin, a host directory: kept, so the cwd is checked) it must fail
# cleanly, and nothing of the host directory is read.
@test "oci: process.cwd through /proc/self/fd/N of a host directory: 1, one line, nothing read" {
	local n
	echo secret >"$HOSTDIR/secret"
	ln -s /proc/self/fd/9 "$B/rootfs/app9"
	ln -s /proc/self/fd/0 "$B/rootfs/app0"
	bundle_args sh -c 'cat secret ../secret 2>/dev/null; true'
	for n in 9 0; do
		bundle_set 'c["process"]["cwd"]="/app'$n'"'
		run --separate-stderr timeout 20 "$MC" --root "$STATE" run --bundle "$B" p1 \
			9<"$HOSTDIR" <"$HOSTDIR"
		assert_equal "$status" 1
		assert_output ""
		[[ $n == 9 ]] && assert_stderr_line "mcstatic: workdir /app9: No such file or directory"
		[[ $n == 0 ]] && assert_stderr_line "mcstatic: workdir /app0: outside the container's root"
	done
	assert_no_leftovers p1
}
