#!/usr/bin/env bats
# --init and --init-group: mcstatic's own init as PID 1 of the container,
# the command as its child; orphans reaped, signals forwarded, the command's
# status returned as soon as it exits.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "--init: the command is PID 2 under mcstatic's init (PID 1)" {
	run "$MC" --init --pid --rootfs "$ROOTFS" sh -c 'echo $$; cat /proc/1/comm; true'
	assert_success
	assert_output $'2\nmcstatic'
}

@test "without --init the command stays PID 1 (the seed's behaviour)" {
	run "$MC" --pid --rootfs "$ROOTFS" sh -c 'echo $$'
	assert_success
	assert_output 1
}

@test "--init: 50 orphans that exit leave no zombie" {
	run "$MC" --init --pid --rootfs "$ROOTFS" sh -c '
		for i in $(seq 50); do (sleep 0.2 &); done
		echo orphans=$(ps -o ppid,comm | grep -c "^ *1 sleep")
		sleep 1
		echo zombies=$(ps -o stat | grep -c "^Z")
		echo sleeping=$(ps -o comm | grep -c "^sleep")'
	assert_success
	assert_line orphans=50
	assert_line zombies=0
	assert_line sleeping=0
}

@test "--init: kill -TERM of mcstatic ends sh -c 'sleep 1000' promptly with 143" {
	bg_start "$MC" --init --pid --rootfs "$ROOTFS" sh -c 'sleep 1000'
	sleep 0.5
	kill -TERM "$BG_PID"
	wait_pid_status "$BG_PID" 5
	assert_equal "$STATUS" 143
	assert_nothing_left
}

@test "without --init, a PID-1 sh ignores SIGTERM (documented; use --init)" {
	bg_start "$MC" --pid --rootfs "$ROOTFS" sh -c 'sleep 1000'
	sleep 0.5
	kill -TERM "$BG_PID"
	sleep 1
	# Still running: PID 1 of a namespace has no default action for TERM.
	kill -0 "$BG_PID"
	kill -KILL "$BG_PID"
	wait_pid_status "$BG_PID" 5
	assert_equal "$STATUS" 137
	assert_nothing_left
}

@test "--init-group: a signal reaches the command's whole process group" {
	bg_start "$MC" --init-group --pid --rootfs "$ROOTFS" sh -c '
		trap "echo got-term" TERM
		sleep 1000 & pid=$!
		echo ready
		wait $pid; wait $pid; echo sleep-status=$?' >"$T/out"
	wait_for_file_line "$T/out" ready
	kill -TERM "$BG_PID"
	wait_pid_status "$BG_PID" 5
	assert_equal "$STATUS" 0
	run cat "$T/out"
	assert_line got-term
	assert_line sleep-status=143
	assert_nothing_left
}

@test "--init: the command's exit code and signal death come through" {
	run "$MC" --init --pid sh -c 'exit 7'
	assert_equal "$status" 7
	run "$MC" --init --pid --rootfs "$ROOTFS" sh -c 'kill -KILL $$'
	assert_equal "$status" 137
}

@test "--init without --pid: mcstatic's init is a subreaper: orphans come to it and are reaped" {
	bg_start "$MC" --init sh -c '(sleep 0.6 &); exec sleep 2'
	local init="" orphan="" i
	for i in $(seq 50); do
		init=$(pgrep -P "$BG_PID" | head -1)
		[[ -n $init ]] && orphan=$(pgrep -P "$init" -f '^sleep 0.6$' | head -1)
		[[ -n $orphan ]] && break
		sleep 0.05
	done
	[[ -n $orphan ]] || fail "the orphan never became a child of mcstatic's init ($init)"
	sleep 1
	# Exited by now, and reaped: no zombie child of the init.
	run bash -c "ps -o stat= --ppid $init | grep -c '^Z' || true"
	assert_output 0
	wait_pid_status "$BG_PID" 5
	assert_equal "$STATUS" 0
	assert_nothing_left
}

@test "--init: a command that is not found: 127, one line, nothing left" {
	snapshot_state
	run -127 --separate-stderr "$MC" --init --pid --rootfs "$ROOTFS" /nonexistent
	assert_stderr_line "mcstatic: execve /nonexistent: No such file or directory"
	assert_nothing_left
}

# --- leftovers and the death of mcstatic --------------------------------------------------

# pid_gone PID...: none of them exists any more (not even as a zombie).
pids_gone() {
	local p
	for p in "$@"; do
		[[ ! -e /proc/$p ]] || fail "pid $p is still there: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)"
	done
}

@test "--init without --pid: what the command left running is killed when it exits" {
	run -0 "$MC" --init --rootfs "$ROOTFS" sh -c 'sleep 300 >/dev/null 2>&1 & echo $!; (sleep 301 >/dev/null 2>&1 & echo $!); true'
	assert_equal "${#lines[@]}" 2
	# At once, not after a grace period: mcstatic has reaped them.
	pids_gone "${lines[@]}"
	run -0 "$MC" --init-group sh -c 'sleep 300 >/dev/null 2>&1 & echo $!'
	pids_gone "$output"
	assert_nothing_left
}

@test "--init without --pid: kill -9 of mcstatic kills the command (not just the init)" {
	bg_start "$MC" --init --rootfs "$ROOTFS" sleep 300
	local init="" cmd="" i
	for i in $(seq 100); do
		init=$(pgrep -P "$BG_PID" | head -1)
		[[ -n $init ]] && cmd=$(pgrep -P "$init" -x sleep | head -1)
		[[ -n $cmd ]] && break
		sleep 0.05
	done
	[[ -n $cmd ]] || fail "no command under the init"
	kill -KILL "$BG_PID"
	wait_pid_status "$BG_PID" 5
	for i in $(seq 40); do [[ -e /proc/$cmd ]] || break; sleep 0.05; done
	pids_gone "$init" "$cmd"
	assert_nothing_left
}

# --- --init-group in a terminal ------------------------------------------------------------

# in_tty SCRIPT INPUT: run the bash script file SCRIPT on a new pty (script(1)
# from util-linux), typing INPUT; $output is the terminal's, without \r.
in_tty() {
	run bash -c "printf '$2' | timeout 10 script -qec 'bash $1' /dev/null | tr -d '\r'"
}

@test "--init-group in a terminal: the command's group is in the foreground, then ours again" {
	cat >"$T/fg.sh" <<-EOF
		"$MC" --init-group --pid --rootfs "$ROOTFS" sh -c \
			'read x; echo got:\$x; echo pgid-tpgid:\$(cut -d" " -f5,8 /proc/self/stat)'
		read -t 5 y; echo after:\$y
	EOF
	in_tty "$T/fg.sh" 'a\nb\n'
	assert_success
	assert_line got:a
	# The command is PID 2, its own group, and the terminal's foreground.
	assert_line "pgid-tpgid:2 2"
	assert_line after:b
	# Started in the background (job control on), it leaves the terminal
	# to the shell, as any background job must: the foreground group is
	# outside the container's PID namespace (0), not the command's (2).
	cat >"$T/bg.sh" <<-EOF
		set -m
		"$MC" --init-group --pid --rootfs "$ROOTFS" sh -c \
			'sleep 0.3; echo pgid-tpgid:\$(cut -d" " -f5,8 /proc/self/stat)' &
		wait
	EOF
	in_tty "$T/bg.sh" ''
	assert_success
	assert_line "pgid-tpgid:2 0"
	assert_nothing_left
}
