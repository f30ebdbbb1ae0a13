#!/usr/bin/env bats
# Capabilities (seed defaults, --cap-add, --cap-drop, --privileged, OCI
# process.capabilities, exec), --no-new-privileges and --ulimit.
#
# Every expectation here differs from what a container got before
# capabilities were applied (CapEff/CapPrm/CapBnd 000001fffeffffff, the
# host's, for root; the flags unknown, 125), so each test fails without the
# feature; the comparisons with runc fail on any difference.

load helpers
load oci-helpers

setup_file() {
	oci_setup_file || return 1
	rootless_user_setup
}
teardown_file() { rootless_user_teardown; }

setup() { oci_setup; }
teardown() { oci_teardown; }

# docker's 14 default capabilities (CHOWN ... SETFCAP) as /proc shows them
DEFAULT=00000000a80425fb
ZERO=0000000000000000
CAPS='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status'

# caps_lines INH PRM EFF BND AMB: the five lines, in /proc's order.
caps_lines() {
	printf 'CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s' "$@"
}

host_cap() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/self/status
}

@test "default: root gets docker's 14 capabilities, nothing inheritable or ambient" {
	run "$MC" --pid --rootfs "$ROOTFS" sh -c "$CAPS"
	assert_success
	assert_output "$(caps_lines $ZERO $DEFAULT $DEFAULT $DEFAULT $ZERO)
NoNewPrivs:	0"
	# Without a new root or any namespace the defaults hold as well.
	run "$MC" sh -c "$CAPS"
	assert_success
	assert_output "$(caps_lines $ZERO $DEFAULT $DEFAULT $DEFAULT $ZERO)
NoNewPrivs:	0"
}

@test "default: --userid 1000 gets the bounding set only" {
	run "$MC" --pid --rootfs "$ROOTFS" --userid 1000 sh -c "id -u; $CAPS"
	assert_success
	assert_output "1000
$(caps_lines $ZERO $ZERO $ZERO $DEFAULT $ZERO)
NoNewPrivs:	0"
}

@test "rootless: the defaults apply inside the user namespace, nothing needs root" {
	run as_user "$UDIR/mcstatic" --user --pid --rootfs "$UDIR/rootfs" sh -c "id -u; $CAPS"
	assert_success
	assert_output "0
$(caps_lines $ZERO $DEFAULT $DEFAULT $DEFAULT $ZERO)
NoNewPrivs:	0"
	run as_user "$UDIR/mcstatic" --user --rootfs "$UDIR/rootfs" --userid 1000 \
		--cap-add sys_admin sh -c "$CAPS"
	assert_success
	assert_output "$(caps_lines $ZERO $ZERO $ZERO 00000000a82425fb $ZERO)
NoNewPrivs:	0"
}

@test "default: mknod works, setting the hostname or the clock does not" {
	# MKNOD is one of the 14 (docker's default too).
	run "$MC" --pid --rootfs "$B/rootfs" sh -c 'mknod /tmp/null c 1 3 && echo made'
	assert_success
	assert_output made
	# sethostname needs CAP_SYS_ADMIN, even in its own UTS namespace.
	run "$MC" --uts --rootfs "$ROOTFS" hostname foo
	assert_failure
	assert_output --partial "Operation not permitted"
	# settimeofday needs CAP_SYS_TIME.  The time given is now, so even a
	# broken defence would leave the host's clock as it is.
	# (busybox date says so and goes on to print the date, status 0)
	run "$MC" --rootfs "$ROOTFS" sh -c 'date -s "$(date "+%Y-%m-%d %H:%M:%S")"'
	assert_line --index 0 "date: can't set date: Operation not permitted"
	# Loading a module needs CAP_SYS_MODULE (16): not in the bounding set,
	# so no exec can gain it.
	run "$MC" awk '$1 == "CapBnd:" { print $2 }' /proc/self/status
	assert_success
	(( (16#$output >> 16 & 1) == 0 ))
}

@test "--cap-drop sys_chroot: chroot fails; it works by default" {
	run "$MC" --pid --rootfs "$ROOTFS" chroot / true
	assert_success
	run "$MC" --pid --rootfs "$ROOTFS" --cap-drop sys_chroot chroot / true
	assert_failure
	assert_output --partial "Operation not permitted"
}

@test "--cap-add sys_admin gives bit 21 and nothing else; --cap-drop all gives none" {
	run "$MC" --uts --rootfs "$ROOTFS" --cap-add sys_admin sh -c "hostname foo && hostname && $CAPS"
	assert_success
	assert_output "foo
$(caps_lines $ZERO 00000000a82425fb 00000000a82425fb 00000000a82425fb $ZERO)
NoNewPrivs:	0"
	run "$MC" --rootfs "$ROOTFS" --cap-drop all --cap-add CAP_SYS_ADMIN sh -c "$CAPS"
	assert_success
	assert_output "$(caps_lines $ZERO 0000000000200000 0000000000200000 0000000000200000 $ZERO)
NoNewPrivs:	0"
	run "$MC" --rootfs "$ROOTFS" --cap-drop ALL sh -c "$CAPS"
	assert_success
	assert_output "$(caps_lines $ZERO $ZERO $ZERO $ZERO $ZERO)
NoNewPrivs:	0"
}

@test "--privileged: the host's bounding set, effective too" {
	local bnd
	bnd=$(host_cap CapBnd)
	[[ $bnd != "$DEFAULT" ]]
	run "$MC" --pid --rootfs "$ROOTFS" --privileged sh -c "$CAPS"
	assert_success
	assert_output "$(caps_lines $ZERO "$bnd" "$bnd" "$bnd" $ZERO)
NoNewPrivs:	0"
	# The flag is what widens the set (without it: the 14), and it wins
	# over --cap-drop, as in docker.
	run "$MC" --pid --rootfs "$ROOTFS" sh -c 'grep CapEff /proc/self/status'
	assert_output "CapEff:	$DEFAULT"
	run "$MC" --pid --rootfs "$ROOTFS" --privileged --cap-drop all sh -c 'grep CapEff /proc/self/status'
	assert_success
	assert_output "CapEff:	$bnd"
}

@test "an unknown capability: 125 and one line naming it" {
	snapshot_state
	run --separate-stderr "$MC" --cap-add foo true
	assert_equal "$status" 125
	assert_equal "$stderr" "mcstatic: --cap-add: unknown capability foo"
	run --separate-stderr "$MC" --cap-drop CAP_NOPE true
	assert_equal "$status" 125
	assert_equal "$stderr" "mcstatic: --cap-drop: unknown capability CAP_NOPE"
	assert_nothing_left
}

@test "--no-new-privileges: NoNewPrivs 1; 0 without it" {
	run "$MC" --rootfs "$ROOTFS" --no-new-privileges sh -c 'grep NoNewPrivs /proc/self/status'
	assert_success
	assert_output "NoNewPrivs:	1"
	run "$MC" --rootfs "$ROOTFS" sh -c 'grep NoNewPrivs /proc/self/status'
	assert_output "NoNewPrivs:	0"
}

@test "--ulimit nofile=100:200 shows in ulimit and /proc/self/limits" {
	run "$MC" --rootfs "$ROOTFS" --ulimit nofile=100:200 --ulimit core=0 \
		sh -c 'ulimit -n; ulimit -Hn; grep -E "^Max (open files|core)" /proc/self/limits'
	assert_success
	assert_line --index 0 100
	assert_line --index 1 200
	[[ ${lines[2]} =~ ^Max\ core\ file\ size\ +0\ +0\ +bytes ]]
	[[ ${lines[3]} =~ ^Max\ open\ files\ +100\ +200\ +files ]]
	# (a hard limit may not go above ours: core's is unlimited here)
	[[ $(ulimit -Hc) == unlimited ]]
	run "$MC" --ulimit core=unlimited:-1 sh -c 'ulimit -Hc'
	assert_success
	assert_output unlimited
}

@test "--ulimit errors: 125 and one line" {
	local hard
	snapshot_state
	run --separate-stderr "$MC" --ulimit nofile=200:100 true
	assert_equal "$status" 125
	assert_equal "$stderr" "mcstatic: --ulimit nofile=200:100: soft limit above the hard limit"
	run --separate-stderr "$MC" --ulimit files=1 true
	assert_equal "$status" 125
	assert_equal "$stderr" "mcstatic: --ulimit files=1: unknown limit 'files'"
	# Root here lacks CAP_SYS_RESOURCE: a hard limit above ours is EPERM.
	hard=$(ulimit -Hn)
	run --separate-stderr "$MC" --rootfs "$ROOTFS" --ulimit "nofile=10:$((hard + 1))" true
	assert_equal "$status" 125
	assert_equal "$stderr" "mcstatic: --ulimit: RLIMIT_NOFILE 10:$((hard + 1)) (a hard limit above the current one needs CAP_SYS_RESOURCE): Operation not permitted"
	assert_nothing_left
}

# ---- OCI bundles: mcstatic and runc side by side ------------------------------

# both ARGS...: `run --bundle $B ARGS` under mcstatic, then runc; each must
# succeed; M and R hold their outputs.
both() {
	rtc run --bundle "$B" "$@" m
	expect_status 0 || return 1
	M=$output
	RT=$RUNC STATE=$T/state-runc rtc run --bundle "$B" "$@" r
	expect_status 0 || return 1
	R=$output
}

# bundle_caps UID CAPS_DICT: process.user and process.capabilities.
bundle_caps() {
	bundle_set "c['process']['user'] = {'uid': $1, 'gid': $1}
c['process']['capabilities'] = $2
c['process']['args'] = ['sh', '-c', '''$CAPS''']"
}

@test "OCI: process.capabilities as runc applies them (root)" {
	bundle_caps 0 "{'bounding': ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'],
		'effective': ['CAP_CHOWN', 'CAP_KILL'], 'permitted': ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_ADMIN'],
		'inheritable': ['CAP_KILL']}"
	both
	assert_equal "$M" "$R"
	# root's exec: permitted and effective become the bounding set
	assert_equal "$M" "$(caps_lines 0000000000000020 0000000000201021 0000000000201021 0000000000201021 $ZERO)
NoNewPrivs:	0"
}

@test "OCI: ambient capabilities for a non-root user, as under runc" {
	bundle_caps 1000 "{'bounding': ['CAP_NET_BIND_SERVICE', 'CAP_KILL', 'CAP_AUDIT_WRITE'],
		'effective': ['CAP_NET_BIND_SERVICE', 'CAP_KILL'], 'permitted': ['CAP_NET_BIND_SERVICE', 'CAP_KILL'],
		'inheritable': ['CAP_NET_BIND_SERVICE', 'CAP_KILL'], 'ambient': ['CAP_NET_BIND_SERVICE', 'CAP_KILL']}"
	both
	assert_equal "$M" "$R"
	assert_equal "$M" "$(caps_lines 0000000000000420 0000000000000420 0000000000000420 0000000020000420 0000000000000420)
NoNewPrivs:	0"
	# Ambient without inheritable is not raised, by neither runtime.
	bundle_caps 1000 "{'bounding': ['CAP_KILL'], 'permitted': ['CAP_KILL'], 'ambient': ['CAP_KILL']}"
	both
	assert_equal "$M" "$R"
	assert_equal "$M" "$(caps_lines $ZERO $ZERO $ZERO 0000000000000020 $ZERO)
NoNewPrivs:	0"
}

@test "OCI: no process.capabilities means none, as runc" {
	bundle_args sh -c "$CAPS"
	both
	assert_equal "$M" "$R"
	assert_equal "$M" "$(caps_lines $ZERO $ZERO $ZERO $ZERO $ZERO)
NoNewPrivs:	0"
}

@test "OCI: an unknown capability name is one error line" {
	bundle_caps 0 "{'bounding': ['CAP_KILL', 'CAP_FOO']}"
	rtc run --bundle "$B" m
	expect_status 1
	expect_one_error_line
	assert_equal "$stderr" "mcstatic: config.json: process.capabilities.bounding: unknown capability CAP_FOO"
}

@test "OCI exec: the container's capabilities, --cap on top, process.json's own" {
	bundle_caps 0 "{'bounding': ['CAP_KILL', 'CAP_AUDIT_WRITE'], 'effective': ['CAP_KILL'],
		'permitted': ['CAP_KILL'], 'inheritable': ['CAP_KILL'], 'ambient': ['CAP_KILL']}"
	bundle_args sleep 100
	rt_run_detached m
	# a cgroup of its own: delete of one would kill both
	bundle_set "c['linux']['cgroupsPath'] = '$CG-r'"
	RT=$RUNC STATE=$T/state-runc rt_run_detached r
	rtc exec m sh -c "$CAPS"
	expect_status 0
	M=$output
	RT=$RUNC STATE=$T/state-runc rtc exec r sh -c "$CAPS"
	R=$output
	assert_equal "$M" "$R"
	assert_equal "$M" "$(caps_lines 0000000000000020 0000000020000020 0000000020000020 0000000020000020 0000000000000020)
NoNewPrivs:	0"
	# runc exec --cap: into bounding, effective, permitted (and ambient,
	# which without inheritable is not raised).
	rtc exec --cap CAP_SYS_ADMIN --user 1000 m sh -c "$CAPS"
	expect_status 0
	M=$output
	RT=$RUNC STATE=$T/state-runc rtc exec --cap CAP_SYS_ADMIN --user 1000 r sh -c "$CAPS"
	R=$output
	assert_equal "$M" "$R"
	assert_equal "$M" "$(caps_lines 0000000000000020 0000000000000020 0000000000000020 0000000020200020 0000000000000020)
NoNewPrivs:	0"
	# process.json: its own capabilities; without any, the container's.
	cat >"$T/p.json" <<EOF
{"args": ["sh", "-c", "grep -E '^Cap(Eff|Bnd):' /proc/self/status"], "cwd": "/",
 "env": ["PATH=/bin:/usr/bin", "MC_BATS_TAG=$MC_BATS_TAG"],
 "capabilities": {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"]}}
EOF
	rtc exec --process "$T/p.json" m
	expect_status 0
	M=$output
	RT=$RUNC STATE=$T/state-runc rtc exec --process "$T/p.json" r
	R=$output
	assert_equal "$M" "$R"
	assert_equal "$M" $'CapEff:\t0000000000000001\nCapBnd:\t0000000000000001'
	grep -v capabilities "$T/p.json" | sed 's/"],$/"]}/' >"$T/p2.json"
	rtc exec --process "$T/p2.json" m
	expect_status 0
	M=$output
	RT=$RUNC STATE=$T/state-runc rtc exec --process "$T/p2.json" r
	R=$output
	assert_equal "$M" "$R"
	assert_equal "$M" $'CapEff:\t0000000020000020\nCapBnd:\t0000000020000020'
	rtc delete --force m
	expect_status 0
	RT=$RUNC STATE=$T/state-runc rtc delete --force r
	expect_status 0
}
