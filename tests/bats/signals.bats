#!/usr/bin/env bats
# Signal forwarding: SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH sent
# to the mcstatic process reach the container's first process (here a shell
# trap); the exit status is the command's; nothing (no process, no zombie) is
# left.
#
# Note on SIGINT/SIGQUIT: bats runs tests in a non-interactive bash, which starts
# background jobs (`cmd &`) with SIGINT and SIGQUIT *ignored*. A signal ignored
# on entry is inherited across clone()+execve() unless the runtime resets it,
# and POSIX shells refuse to trap a signal that was ignored on entry — so the
# container's `trap ... INT` would silently do nothing, whatever mcstatic
# forwards. bg_start (helpers.bash) therefore starts mcstatic through
# `env --default-signal=INT,QUIT` (coreutils ≥ 8.31), which resets both to
# SIG_DFL and then execs mcstatic (same PID). `setsid` does not help (it does
# not touch dispositions) and `trap - INT` in the bats shell cannot undo an
# ignored-on-entry signal either.

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# forward_one SIG [MCSTATIC-FLAGS...]: start a container whose shell traps SIG,
# send SIG to mcstatic, expect the trap to run and the exit status to be 7.
forward_one() {
	local sig=$1
	shift
	bg_start "$MC" "$@" sh -c "trap 'echo got-$sig; exit 7' $sig; echo ready; while :; do sleep 0.1; done" >"$T/out" 2>&1
	local mc=$BG_PID
	wait_for_file_line "$T/out" ready 10
	kill -"$sig" "$mc"
	wait_pid_status "$mc" 10
	local out
	out=$(cat "$T/out")
	[[ $STATUS == 7 ]] || fail "SIG$sig: expected exit 7 from the trap, got $STATUS; output:
$out"
	grep -qxF "got-$sig" "$T/out" || fail "SIG$sig did not reach the container's trap; output:
$out"
	assert_nothing_left
}

@test "SIGTERM to mcstatic reaches a trap in the container (--pid --rootfs)" {
	forward_one TERM --pid --rootfs "$ROOTFS"
}

@test "SIGUSR1 is forwarded (--pid --rootfs)" {
	forward_one USR1 --pid --rootfs "$ROOTFS"
}

@test "SIGHUP is forwarded (--pid --rootfs)" {
	forward_one HUP --pid --rootfs "$ROOTFS"
}

@test "SIGINT is forwarded (--pid --rootfs)" {
	forward_one INT --pid --rootfs "$ROOTFS"
}

@test "SIGQUIT is forwarded (--pid --rootfs)" {
	forward_one QUIT --pid --rootfs "$ROOTFS"
}

@test "SIGUSR2 is forwarded (--pid --rootfs)" {
	forward_one USR2 --pid --rootfs "$ROOTFS"
}

@test "SIGWINCH is forwarded (--pid --rootfs)" {
	forward_one WINCH --pid --rootfs "$ROOTFS"
}

@test "SIGALRM, SIGCONT, SIGPIPE, SIGTSTP, SIGPWR are forwarded too: every catchable signal (as catatonit)" {
	local sig
	for sig in ALRM CONT PIPE TSTP PWR XCPU; do
		forward_one "$sig" --pid --rootfs "$ROOTFS"
	done
}

@test "SIGTERM is forwarded without namespaces too" {
	forward_one TERM
}

@test "SIGTERM is forwarded with --pid only (host rootfs)" {
	forward_one TERM --pid
}

@test "SIGTERM to mcstatic without a trap (no --pid): exit 143" {
	bg_start "$MC" /bin/sh -c 'echo ready; while :; do sleep 0.1; done' >"$T/out" 2>&1
	local mc=$BG_PID
	wait_for_file_line "$T/out" ready
	kill -TERM "$mc"
	wait_pid_status "$mc"
	assert_equal "$STATUS" 143
	assert_nothing_left
}

@test "several signals in a row are each forwarded, in order" {
	bg_start "$MC" --pid --rootfs "$ROOTFS" sh -c 'trap "echo got-usr1" USR1; trap "echo got-usr2" USR2; trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done' >"$T/out" 2>&1
	local mc=$BG_PID
	wait_for_file_line "$T/out" ready
	kill -USR1 "$mc"
	wait_for_file_line "$T/out" got-usr1
	kill -USR2 "$mc"
	wait_for_file_line "$T/out" got-usr2
	kill -TERM "$mc"
	wait_pid_status "$mc"
	assert_equal "$STATUS" 9
	assert_equal "$(grep got- "$T/out" | tr '\n' ' ')" "got-usr1 got-usr2 got-term "
	assert_nothing_left
}

@test "while running, mcstatic leaves no zombie child of its own" {
	# The container's first process runs children that exit; none of them may
	# linger as a zombie, and mcstatic itself has only the one child.
	bg_start "$MC" --pid --rootfs "$ROOTFS" sh -c 'for i in 1 2 3; do /bin/true; done; echo ready; while :; do sleep 0.1; done' >"$T/out" 2>&1
	local mc=$BG_PID
	wait_for_file_line "$T/out" ready
	sleep 0.3
	local p children=() zombies=()
	for p in $(grep -lsxzF "MC_BATS_TAG=$MC_BATS_TAG" /proc/[0-9]*/environ | sed 's#/proc/##; s#/environ##'); do
		[[ $(awk '/^PPid:/{print $2}' /proc/"$p"/status 2>/dev/null) == "$mc" ]] && children+=("$p")
	done
	for p in /proc/[0-9]*/status; do
		awk -v mc="$mc" '/^State:/{s=$2} /^PPid:/{pp=$2} END{exit !(s=="Z")}' "$p" 2>/dev/null || continue
		[[ $(awk '/^PPid:/{print $2}' "$p") == "$mc" ]] && zombies+=("$p")
	done
	assert_equal "${#children[@]}" 1
	assert_equal "${#zombies[@]}" 0
	# PID 1 of a namespace has no TERM handler here, so end it from the host.
	kill -KILL "${children[0]}"
	wait_pid_status "$mc"
	assert_equal "$STATUS" 137
	assert_nothing_left
}

# SIGNAL's bit in a /proc/PID/status mask (SigIgn, SigBlk) given in hex.
sig_in_mask() {
	local mask=$1 sig=$2
	(( (16#$mask >> (sig - 1)) & 1 ))
}

@test "an inherited ignored SIGCHLD: mcstatic still sees its child exit" {
	# Ignored, the kernel reaps the child itself and sends no SIGCHLD: the
	# old mcstatic waited forever (and only forwarded SIGTERM to nobody).
	run timeout -k 1 5 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' "$MC" /bin/true
	assert_success
	run timeout -k 1 5 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' "$MC" --pid sh -c 'exit 3'
	assert_equal "$status" 3
	# Nor does the command inherit it ignored.
	run -0 timeout -k 1 5 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' "$MC" \
		awk '/^SigIgn/ { print $2 }' /proc/self/status
	sig_in_mask "$output" 17 && fail "SIGCHLD ignored in the command: SigIgn $output"
	assert_nothing_left
}

# closed_stderr CMD...: run CMD with stderr a pipe whose reader is gone.
closed_stderr() {
	perl -e 'pipe(R, W) or die; close R; open(STDERR, ">&W") or die; close W; exec @ARGV' "$@"
}

@test "stderr a closed pipe: exit codes hold, no cgroup left, SIGPIPE default in the command" {
	local name="mcbats-pipe-$$-$RANDOM" d
	snapshot_state
	run closed_stderr "$MC" --bogus /bin/true
	assert_equal "$status" 125
	# --stats writes on stderr before the cgroup is removed.
	run closed_stderr "$MC" --cgroup "$name" --stats sh -c 'exit 4'
	assert_equal "$status" 4
	for d in /sys/fs/cgroup/*/mcstatic/"$name"; do
		[[ -e $d ]] && fail "cgroup left behind: $d"
	done
	# mcstatic ignores SIGPIPE for itself only.
	run -0 closed_stderr "$MC" awk '/^SigIgn/ { print $2 }' /proc/self/status
	sig_in_mask "$output" 13 && fail "SIGPIPE ignored in the command: SigIgn $output"
	assert_nothing_left
}

@test "--userid as root: the container still dies with a SIGKILLed mcstatic" {
	# A new effective uid clears the parent-death signal; it is set again.
	bg_start "$MC" --pid --userid 65534 sh -c 'echo ready; while :; do sleep 0.1; done' >"$T/out" 2>&1
	local mc=$BG_PID
	wait_for_file_line "$T/out" ready
	kill -KILL "$mc"
	wait_pid_status "$mc"
	assert_equal "$STATUS" 137
	assert_nothing_left
}
