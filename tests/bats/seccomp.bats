#!/usr/bin/env bats
# Seccomp: the built-in default profile of the seed CLI, --seccomp
# unconfined|FILE and --privileged, what each action and an argument
# comparison do inside, one-line errors for bad profiles, and linux.seccomp
# of a bundle under mcstatic and runc 1.1 (libseccomp) side by side, for the
# container's process and for `exec`.
#
# Why these commands: swapoff and sethostname are refused by the default
# profile (errnoRet 1, EPERM); without a filter, swapoff of a missing file
# fails with ENOENT and sethostname in a new UTS namespace works, so each
# test tells the filter's answer from the kernel's. busybox's linux32 calls
# personality(PER_LINUX32 = 8), linux64 personality(0).

load helpers
load oci-helpers

setup_file() { oci_setup_file; }

setup() { oci_setup; }

teardown() {
	RT=$MC
	oci_teardown
}

# profile NAME JSON: $T/NAME.json
profile() {
	printf '%s\n' "$2" >"$T/$1.json"
}

@test "seccomp: the default profile is on: Seccomp 2, swapoff and sethostname get EPERM" {
	run --separate-stderr "$MC" --uts --rootfs "$ROOTFS" /bin/sh -c \
		'grep "^Seccomp:" /proc/self/status; swapoff /nonexistent; hostname foo; [ "$(hostname)" != foo ] && echo unchanged'
	assert_success
	assert_output $'Seccomp:\t2\nunchanged'
	assert_equal "${stderr_lines[0]}" "swapoff: /nonexistent: Operation not permitted"
	assert_equal "${stderr_lines[1]}" "hostname: sethostname: Operation not permitted"
	assert_nothing_left
}

@test "seccomp: the default profile under --userid 1000 and --init" {
	run --separate-stderr "$MC" --userid 1000 --init --pid --rootfs "$ROOTFS" /bin/sh -c \
		'id -u; grep "^Seccomp:" /proc/self/status; swapoff /nonexistent'
	assert_failure 1
	assert_output $'1000\nSeccomp:\t2'
	assert_stderr_line "swapoff: /nonexistent: Operation not permitted"
	assert_nothing_left
}

@test "seccomp: --seccomp unconfined and --privileged install no filter" {
	# hostname needs CAP_SYS_ADMIN too, which only --privileged gives.
	for flag in "--seccomp unconfined --cap-add sys_admin" --privileged; do
		# shellcheck disable=SC2086
		run --separate-stderr "$MC" $flag --uts --rootfs "$ROOTFS" /bin/sh -c \
			'grep "^Seccomp:" /proc/self/status; swapoff /nonexistent; hostname foo; hostname'
		assert_success
		assert_output $'Seccomp:\t0\nfoo'
		assert_stderr_line "swapoff: /nonexistent: No such file or directory"
	done
	# --privileged with an explicit --seccomp: what was asked for wins.
	run --separate-stderr "$MC" --privileged --seccomp default --rootfs "$ROOTFS" \
		/bin/grep "^Seccomp:" /proc/self/status
	assert_output $'Seccomp:\t2'
	assert_nothing_left
}

@test "seccomp: SCMP_ACT_KILL and KILL_PROCESS end the command with SIGSYS (status 159)" {
	for action in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS; do
		profile kill '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["mkdir", "mkdirat"], "action": "'$action'"}]}'
		run --separate-stderr "$MC" --seccomp "$T/kill.json" --rootfs "$ROOTFS" /bin/mkdir /tmp/x
		assert_failure 159
		[[ ! -e $ROOTFS/tmp/x ]]
	done
	# The opposite: without that rule mkdir works (then is undone).
	run "$MC" --seccomp unconfined --rootfs "$ROOTFS" /bin/sh -c 'mkdir /tmp/x && rmdir /tmp/x'
	assert_success
	assert_nothing_left
}

@test "seccomp: SCMP_ACT_ERRNO with errnoRet 38 gives that errno; the default action allows the rest" {
	profile errno '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	run --separate-stderr "$MC" --seccomp "$T/errno.json" --rootfs "$ROOTFS" /bin/sh -c \
		'mkdir /tmp/x; echo "mkdir $?"; echo ok >/dev/null && echo "write ok"'
	assert_success
	assert_output $'mkdir 1\nwrite ok'
	assert_stderr_line "mkdir: can't create directory '/tmp/x': Function not implemented"
	assert_nothing_left
}

@test "seccomp: argument comparisons use all 64 bits: personality(8) refused, personality(0) not" {
	profile arg '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
		 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
	run --separate-stderr "$MC" --seccomp "$T/arg.json" --rootfs "$ROOTFS" /bin/sh -c \
		'linux32 true; echo "linux32 $?"; linux64 true; echo "linux64 $?"'
	assert_output $'linux32 1\nlinux64 0'
	assert_stderr_line "linux32: personality(0x8): Function not implemented"
	# 0x100000008: the same low half, so only the high half tells it from 8.
	profile arg '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
		 "args": [{"index": 0, "value": 4294967304, "op": "SCMP_CMP_EQ"}]}]}'
	run --separate-stderr "$MC" --seccomp "$T/arg.json" --rootfs "$ROOTFS" /bin/linux32 true
	assert_success
	# MASKED_EQ: (arg & 0xff) == 8.
	profile arg '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
		 "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	run --separate-stderr "$MC" --seccomp "$T/arg.json" --rootfs "$ROOTFS" /bin/linux32 true
	assert_failure 1
	assert_nothing_left
}

@test "seccomp: a bad profile is one line, status 125, nothing left" {
	local -a cases=(
		'nope|seccomp profile FILE: not a JSON object'
		'{"defaultAction": |seccomp profile: FILE: malformed JSON at byte 19: unexpected end'
		'{"defaultAction": "SCMP_ACT_FOO"}|seccomp profile FILE: defaultAction: unknown action SCMP_ACT_FOO'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO"}, {"names": ["x"], "action": "SCMP_ACT_NOTIFY"}]}|seccomp profile FILE: syscalls[1].action: SCMP_ACT_NOTIFY not supported (no seccomp listener)'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ROUGHLY"}]}]}|seccomp profile FILE: syscalls[0].args[0].op: unknown operator SCMP_CMP_ROUGHLY'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}|seccomp profile FILE: syscalls[0].args[0].index: 6 is over 5'
		'{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock"}|seccomp profile FILE: listenerPath: not supported'
	)
	local c json want
	for c in "${cases[@]}"; do
		json=${c%%|*}
		want=${c#*|}
		profile bad "$json"
		run --separate-stderr "$MC" --seccomp "$T/bad.json" --rootfs "$ROOTFS" /bin/true
		assert_failure 125
		assert_stderr_line "mcstatic: ${want//FILE/$T/bad.json}"
	done
	assert_nothing_left
}

@test "seccomp: features reports seccomp with the actions, operators and archs it takes" {
	run "$MC" features
	assert_success
	python3 - "$output" <<'EOF'
import json, sys
s = json.loads(sys.argv[1])["linux"]["seccomp"]
assert s["enabled"] is True, s
assert "SCMP_ACT_KILL_PROCESS" in s["actions"] and "SCMP_ACT_NOTIFY" not in s["actions"], s
assert "SCMP_CMP_MASKED_EQ" in s["operators"], s
assert s["archs"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], s
EOF
}

# --- config.json, mcstatic beside runc ------------------------------------------

# The profile a bundle's linux.seccomp gets in the tests below.  Its
# personality rule tests one argument twice: runc makes that two rules (OR),
# so personality(0) matches the mask and personality(8) the EQ.
SECCOMP_PY='c["linux"]["seccomp"] = {
 "defaultAction": "SCMP_ACT_ALLOW",
 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
 "syscalls": [
  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
  {"names": ["swapoff"], "action": "SCMP_ACT_ERRNO"},
  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
   "args": [{"index": 0, "value": 4294967040, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
  {"names": ["rmdir"], "action": "SCMP_ACT_KILL"}]}'

INSIDE='grep "^Seccomp:" /proc/self/status; mkdir /tmp/x; echo "mkdir $?"
swapoff /nonexistent; echo "swapoff $?"; linux32 true; echo "linux32 $?"
linux64 true; echo "linux64 $?"; exec rmdir /tmp'

# both_runtimes SCENARIO...: the scenario's transcript under runc, then RT.
both_runtimes() {
	RT=$RUNC STATE=$T/state-runc "$@" >"$T/runc.txt"
	RT=$MC STATE=$T/state "$@" >"$T/rt.txt"
	[[ -s $T/runc.txt ]] || { fail "empty transcript from runc" || return 1; }
	if ! cmp -s "$T/runc.txt" "$T/rt.txt"; then
		fail "runc (-) and mcstatic (+) differ:
$(diff -u "$T/runc.txt" "$T/rt.txt" | tail -n +3)" || return 1
	fi
	cat "$T/rt.txt"
}

run_scenario() {
	rtc run --bundle "$B" sc
	echo "status $status"
	echo "$output"
	echo "$stderr" | sed 's/^[a-z0-9]*: //'
}

@test "seccomp: linux.seccomp of a bundle: the same under mcstatic and runc" {
	bundle_set "$SECCOMP_PY"
	bundle_args sh -c "$INSIDE"
	run both_runtimes run_scenario
	assert_success
	assert_line "status 159"
	assert_line $'Seccomp:\t2'
	assert_line "mkdir 1"
	assert_line "linux32 1"
	assert_line "linux64 1"
	assert_line "personality(0x0): Invalid argument"
	assert_nothing_left
}

@test "seccomp: with noNewPrivileges and uid 1000 the filter goes last, the same as runc" {
	bundle_set "$SECCOMP_PY"'
c["process"]["noNewPrivileges"] = True
c["process"]["user"] = {"uid": 1000, "gid": 1000}'
	bundle_args sh -c "grep ^NoNewPrivs: /proc/self/status; id -u; $INSIDE"
	run both_runtimes run_scenario
	assert_success
	assert_line $'NoNewPrivs:\t1'
	assert_line $'Seccomp:\t2'
	assert_line "linux32 1"
	assert_line "status 159"
	assert_nothing_left
}

@test "seccomp: podman's profile through config.json: the same under mcstatic and runc" {
	bundle_set 'import json
c["linux"]["seccomp"] = json.load(open("'"$REPO"'/src/seccomp-default.json"))'
	bundle_args sh -c 'grep "^Seccomp:" /proc/self/status; swapoff /nonexistent; linux32 true; echo "linux32 $?"'
	run both_runtimes run_scenario
	assert_success
	assert_line $'Seccomp:\t2'
	assert_line "/nonexistent: Operation not permitted"
	assert_line "linux32 0"
	assert_nothing_left
}

exec_scenario() {
	rtc run --bundle "$B" --detach ex
	echo "run --detach $status"
	rtc exec ex sh -c "$INSIDE"
	echo "exec status $status"
	echo "$output"
	echo "$stderr" | sed 's/^[a-z0-9]*: //'
	printf '{"args": ["sh", "-c", "grep ^Seccomp: /proc/self/status; mkdir /tmp/y"], "cwd": "/", "env": ["PATH=/bin", "MC_BATS_TAG=%s"], "user": {"uid": 0, "gid": 0}}' \
		"$MC_BATS_TAG" >"$T/process.json"
	rtc exec --process "$T/process.json" ex
	echo "exec --process status $status"
	echo "$output"
	echo "$stderr" | sed 's/^[a-z0-9]*: //'
	rtc kill ex KILL
	sleep 0.3
	rtc delete --force ex
	echo "delete $status"
}

@test "seccomp: exec applies the container's profile, as runc does" {
	bundle_set "$SECCOMP_PY"
	bundle_args sleep 100
	run both_runtimes exec_scenario
	assert_success
	assert_line "exec status 159"
	assert_line "mkdir 1"
	assert_line "exec --process status 1"
	assert_line "can't create directory '/tmp/y': Function not implemented"
	assert_nothing_left
}

@test "seccomp: MASKED_EQ masks the datum too (0x108 under mask 0xff is 8), the same as runc" {
	bundle_set 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
 {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
  "args": [{"index": 0, "value": 255, "valueTwo": 264, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	bundle_args sh -c 'linux32 true; echo "linux32 $?"; linux64 true; echo "linux64 $?"'
	run both_runtimes run_scenario
	assert_success
	assert_line "linux32 1"
	assert_line "linux64 0"
	assert_line "personality(0x8): Function not implemented"
	assert_nothing_left
}
