#!/usr/bin/env bats
# Exit status contract: 0 · the program's own code · 125 mcstatic failed ·
# 126 found but not executable · 127 not found · 128+N killed by signal N.

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# --- 0 and the program's own code ----------------------------------------------

@test "0: /bin/true, plain" {
	run -0 "$MC" /bin/true
	assert_nothing_left
}

@test "0: /bin/true with --pid --rootfs" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" /bin/true
	assert_nothing_left
}

@test "own code: exit 42, plain" {
	run -42 "$MC" /bin/sh -c 'exit 42'
	assert_nothing_left
}

@test "own code: exit 42 through --pid" {
	run -42 "$MC" --pid /bin/sh -c 'exit 42'
	assert_nothing_left
}

@test "own code: exit 42 through --pid --rootfs" {
	run -42 "$MC" --pid --rootfs "$ROOTFS" /bin/sh -c 'exit 42'
	assert_nothing_left
}

@test "own code: 1, 124 and 255 pass through unchanged" {
	local c
	for c in 1 124 255; do
		run -"$c" "$MC" --pid --rootfs "$ROOTFS" /bin/sh -c "exit $c"
	done
	assert_nothing_left
}

@test "own code: a program exiting 125/126/127 itself is not confused with mcstatic's" {
	run -125 --separate-stderr "$MC" /bin/sh -c 'exit 125'
	assert_equal "$stderr" ""
	run -126 --separate-stderr "$MC" /bin/sh -c 'exit 126'
	assert_equal "$stderr" ""
	run -127 --separate-stderr "$MC" /bin/sh -c 'exit 127'
	assert_equal "$stderr" ""
	assert_nothing_left
}

# --- 125: mcstatic itself failed ----------------------------------------------------

@test "125: unknown option" {
	run -125 "$MC" --bogus /bin/true
	assert_nothing_left
}

@test "125: missing rootfs" {
	run -125 "$MC" --rootfs "$T/nope" /bin/true
	assert_nothing_left
}

@test "125: no command" {
	run -125 "$MC" --pid
	assert_nothing_left
}

# --- 126: found but not executable -------------------------------------------------

@test "126: /etc/passwd inside the rootfs (a file without x bit)" {
	[[ -f $ROOTFS/etc/passwd && ! -x $ROOTFS/etc/passwd ]] || fail "test assumption: rootfs /etc/passwd is a non-executable file"
	run -126 --separate-stderr "$MC" --rootfs "$ROOTFS" /etc/passwd
	assert_output ""
	assert_stderr_line "mcstatic: execve /etc/passwd: Permission denied"
	assert_nothing_left
}

@test "126: /etc/passwd inside the rootfs with --pid" {
	run -126 --separate-stderr "$MC" --pid --rootfs "$ROOTFS" /etc/passwd
	assert_stderr_line "mcstatic: execve /etc/passwd: Permission denied"
	assert_nothing_left
}

@test "126: a non-executable host file without rootfs" {
	printf '#!/bin/sh\necho should-not-run\n' >"$T/noexec"
	chmod 0644 "$T/noexec"
	run -126 --separate-stderr "$MC" "$T/noexec"
	assert_output ""
	assert_stderr_line "mcstatic: execve $T/noexec: Permission denied"
	assert_nothing_left
}

@test "126: a directory is found but not executable" {
	run -126 --separate-stderr "$MC" --rootfs "$ROOTFS" /etc
	assert_stderr_line "mcstatic: execve /etc: Permission denied"
	assert_nothing_left
}

# --- 127: not found ------------------------------------------------------------------

@test "127: absolute path that does not exist, with message" {
	run -127 --separate-stderr "$MC" /nonexistent
	assert_output ""
	assert_stderr_line "mcstatic: execve /nonexistent: No such file or directory"
	assert_nothing_left
}

@test "127: not found inside the rootfs (exists on the host only)" {
	[[ -x /usr/bin/bash && ! -e $ROOTFS/usr/bin/bash ]] || fail "test assumption: /usr/bin/bash only on the host"
	run -127 --separate-stderr "$MC" --pid --rootfs "$ROOTFS" /usr/bin/bash -c 'echo ran'
	assert_output ""
	assert_stderr_line "mcstatic: execve /usr/bin/bash: No such file or directory"
	assert_nothing_left
}

@test "127: PATH search miss names the command" {
	run -127 --separate-stderr "$MC" --rootfs "$ROOTFS" nosuchcmd
	assert_stderr_line "mcstatic: execve nosuchcmd: No such file or directory"
	assert_nothing_left
}

@test "127: PATH search miss without rootfs" {
	run -127 --separate-stderr "$MC" nosuchcmd-mcstatic-test
	assert_stderr_line "mcstatic: execve nosuchcmd-mcstatic-test: No such file or directory"
	assert_nothing_left
}

# --- 128+N: killed by signal N ------------------------------------------------------------

@test "128+N: sh -c 'kill -TERM \$\$' exits 143" {
	run -143 "$MC" /bin/sh -c 'kill -TERM $$'
	assert_nothing_left
}

@test "128+N: sh -c 'kill -KILL \$\$' exits 137" {
	run -137 "$MC" /bin/sh -c 'kill -KILL $$'
	assert_nothing_left
}

@test "128+N: signal death inside --rootfs (no --pid) exits 143 / 137" {
	run -143 "$MC" --rootfs "$ROOTFS" /bin/sh -c 'kill -TERM $$'
	run -137 "$MC" --rootfs "$ROOTFS" /bin/sh -c 'kill -KILL $$'
	assert_nothing_left
}

@test "128+N: SIGSEGV from the program exits 139, SIGABRT 134" {
	run -139 "$MC" /bin/sh -c 'kill -SEGV $$'
	run -134 "$MC" /bin/sh -c 'kill -ABRT $$'
	assert_nothing_left
}

@test "128+N: SIGKILL of the container's PID 1 from the host exits 137" {
	# With --pid, PID 1 cannot be killed from inside its namespace, so kill it
	# from the host: find the container's first process (child of mcstatic).
	bg_start "$MC" --pid --rootfs "$ROOTFS" /bin/sh -c 'echo ready; while :; do sleep 0.1; done' >"$T/out" 2>&1
	local mc=$BG_PID child=
	wait_for_file_line "$T/out" ready
	child=$(grep -lsxzF "MC_BATS_TAG=$MC_BATS_TAG" /proc/[0-9]*/environ | while read -r f; do
		p=${f#/proc/}; p=${p%/environ}
		[[ $(awk '/^PPid:/{print $2}' /proc/"$p"/status 2>/dev/null) == "$mc" ]] && echo "$p"
	done | head -1)
	[[ -n $child ]] || fail "could not find the container's first process (child of $mc)"
	kill -KILL "$child"
	wait_pid_status "$mc"
	assert_equal "$STATUS" 137
	assert_nothing_left
}
