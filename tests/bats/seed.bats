#!/usr/bin/env bats
# The seed README's contract (shared/seed/minicontainer-README.md): Quick Start,
# Usage Examples 1-6, every "Manual Testing" line, the "Testing" items and the
# documented behaviours in Troubleshooting — run literally against ./mcstatic
# (the seed's ./minicontainer) with the seed's relative ./rootfs, from the repo.

load helpers

setup() {
	common_setup
	cd "$REPO"
}

teardown() {
	common_teardown
}

# --- Example 1: Rootfs Isolation ---------------------------------------------

@test "example 1: --rootfs ./rootfs /bin/ls / shows only the rootfs contents" {
	run -0 "$MC" --rootfs ./rootfs /bin/ls /
	# The seed shows "bin etc proc usr"; our busybox rootfs has a few more dirs.
	for d in bin etc proc usr; do
		assert_line "$d"
	done
	# The listing is exactly the rootfs directory's top level, nothing from the host.
	assert_equal "$(echo "$output" | LC_ALL=C sort)" "$(cd ./rootfs && LC_ALL=C ls -1 | LC_ALL=C sort)"
	refute_line "work"
	refute_line "home"
	assert_nothing_left
}

@test "example 1: host filesystem not visible: ls /home fails inside" {
	[[ ! -e ./rootfs/home ]] || fail "test assumption: ./rootfs/home must not exist"
	run -1 "$MC" --rootfs ./rootfs /bin/sh -c 'ls /home'
	assert_output "ls: /home: No such file or directory"
	assert_nothing_left
}

# --- Example 2: Full Isolation with Debug (step lines are in debug.bats) -----

@test "example 2: --pid --rootfs ./rootfs --debug /bin/sh -c 'echo \$\$' prints 1 on stdout, exits 0" {
	run -0 --separate-stderr "$MC" --pid --rootfs ./rootfs --debug /bin/sh -c 'echo $$'
	assert_output "1"
	[[ $stderr == *"[parent] Child exited: 0"* ]] || fail "no '[parent] Child exited: 0' in stderr: $stderr"
	assert_nothing_left
}

# --- Example 3: /proc Inside Container ---------------------------------------

@test "example 3: /proc/1/status inside shows Name: sh" {
	run -0 "$MC" --pid --rootfs ./rootfs /bin/sh -c 'cat /proc/1/status | head -1'
	assert_output --regexp '^Name:[[:space:]]+sh$'
	assert_nothing_left
}

# --- Example 4: PID Namespace Isolation --------------------------------------

@test "example 4: without --pid the shell reports its real (host) PID" {
	run -0 "$MC" /bin/sh -c 'echo $$; cat /proc/$$/status | grep ^NSpid'
	[[ ${lines[0]} =~ ^[0-9]+$ ]] || fail "not a number: ${lines[0]}"
	((lines[0] > 1)) || fail "expected a real PID > 1, got ${lines[0]}"
	# One PID namespace only: the host's.
	assert_line --index 1 --regexp "^NSpid:[[:space:]]+${lines[0]}\$"
	assert_nothing_left
}

@test "example 4: with --pid the shell sees itself as PID 1" {
	run -0 "$MC" --pid /bin/sh -c 'echo $$'
	assert_output "1"
	assert_nothing_left
}

# --- Example 5: Basic Command Execution --------------------------------------

@test "example 5: /bin/echo \"Hello from minicontainer\"" {
	run -0 --separate-stderr "$MC" /bin/echo "Hello from minicontainer"
	assert_output "Hello from minicontainer"
	assert_equal "$stderr" ""
	assert_nothing_left
}

# --- Example 6: Exit Code Handling -------------------------------------------

@test "example 6: /bin/false exits 1" {
	run -1 "$MC" /bin/false
	assert_output ""
	assert_nothing_left
}

@test "example 6: /nonexistent/command exits 127 with an execve message" {
	run -127 --separate-stderr "$MC" /nonexistent/command
	assert_output ""
	# The seed prints "execve: No such file or directory"; the contract line:
	assert_stderr_line "mcstatic: execve /nonexistent/command: No such file or directory"
	assert_nothing_left
}

# --- Quick Start "Run" block ---------------------------------------------------

@test "quick start: /bin/ls -la (no namespace) lists the current directory" {
	run -0 "$MC" /bin/ls -la
	assert_line --regexp ' mcstatic$'
	assert_line --regexp ' rootfs$'
	assert_nothing_left
}

@test "quick start: --rootfs ./rootfs /bin/ls /" {
	run -0 "$MC" --rootfs ./rootfs /bin/ls /
	assert_line "bin"
	assert_nothing_left
}

@test "quick start: --pid --rootfs ./rootfs /bin/sh -c 'echo PID: \$\$ && ls /'" {
	run -0 "$MC" --pid --rootfs ./rootfs /bin/sh -c 'echo PID: $$ && ls /'
	assert_line --index 0 "PID: 1"
	assert_line "bin"
	assert_line "proc"
	assert_nothing_left
}

@test "quick start: --help" {
	run -0 "$MC" --help
	assert_output --partial "--rootfs"
}

# --- Manual Testing (every line) ------------------------------------------------

@test "manual: --rootfs ./rootfs /bin/ls / shows only rootfs contents" {
	run -0 "$MC" --rootfs ./rootfs /bin/ls /
	assert_equal "$(echo "$output" | LC_ALL=C sort)" "$(cd ./rootfs && LC_ALL=C ls -1 | LC_ALL=C sort)"
	assert_nothing_left
}

@test "manual: --pid --rootfs ./rootfs /bin/sh -c 'echo \$\$ && ls /' prints 1 then the rootfs" {
	run -0 "$MC" --pid --rootfs ./rootfs /bin/sh -c 'echo $$ && ls /'
	assert_line --index 0 "1"
	assert_equal "$(printf '%s\n' "${lines[@]:1}" | LC_ALL=C sort)" "$(cd ./rootfs && LC_ALL=C ls -1 | LC_ALL=C sort)"
	assert_nothing_left
}

@test "manual: --pid /bin/sh -c 'echo \$\$' prints 1" {
	run -0 "$MC" --pid /bin/sh -c 'echo $$'
	assert_output "1"
	assert_nothing_left
}

@test "manual: /bin/sh -c 'echo \$\$' without namespace prints the real PID" {
	run -0 "$MC" /bin/sh -c 'echo $$'
	assert_output --regexp '^[0-9]+$'
	((output > 1)) || fail "expected a real PID, got $output"
	assert_nothing_left
}

@test "manual: --pid /bin/sh -c 'exit 42' exits 42" {
	run -42 "$MC" --pid /bin/sh -c 'exit 42'
	assert_nothing_left
}

@test "manual: /nonexistent exits 127" {
	run -127 --separate-stderr "$MC" /nonexistent
	assert_stderr_line "mcstatic: execve /nonexistent: No such file or directory"
	assert_nothing_left
}

# --- "Testing" section items, end to end -----------------------------------------

@test "phase 0: basic execution (/bin/true) exits 0" {
	run -0 "$MC" /bin/true
	assert_output ""
	assert_nothing_left
}

@test "phase 0: exit code propagation (exit 42)" {
	run -42 "$MC" /bin/sh -c 'exit 42'
	assert_nothing_left
}

@test "phase 0: signal death (killed by SIGTERM) exits 143" {
	run -143 "$MC" /bin/sh -c 'kill -TERM $$'
	assert_nothing_left
}

@test "phase 0: execve failure (command not found) exits 127" {
	run -127 "$MC" /no/such/command
	assert_output --partial "No such file or directory"
	assert_nothing_left
}

@test "phase 1: PID namespace isolation (child is PID 1)" {
	run -0 "$MC" --pid /bin/sh -c 'echo $$'
	assert_output "1"
	assert_nothing_left
}

@test "phase 1: non-namespaced execution (fallback path) shares the host PID namespace" {
	run -0 "$MC" /bin/sh -c 'readlink /proc/self/ns/pid'
	assert_output "$(readlink /proc/self/ns/pid)"
	assert_nothing_left
}

@test "phase 1: --pid gives a new PID namespace" {
	run -0 "$MC" --pid /bin/sh -c 'readlink /proc/self/ns/pid'
	assert_output --regexp '^pid:\[[0-9]+\]$'
	refute_output "$(readlink /proc/self/ns/pid)"
	assert_nothing_left
}

@test "phase 2: rootfs isolation (container sees only rootfs contents)" {
	run -0 "$MC" --pid --rootfs ./rootfs /bin/sh -c 'ls /; test -e /work; echo work=$?'
	assert_line "bin"
	assert_line "work=1"
	assert_nothing_left
}

@test "phase 2: /proc mount (proc filesystem mounted inside container)" {
	run -0 "$MC" --pid --rootfs ./rootfs /bin/sh -c 'grep " /proc " /proc/mounts'
	assert_output --regexp '^proc /proc proc '
	assert_nothing_left
}

@test "phase 2: --rootfs gives a new mount namespace" {
	run -0 "$MC" --rootfs ./rootfs /bin/readlink /proc/self/ns/mnt
	assert_output --regexp '^mnt:\[[0-9]+\]$'
	refute_output "$(readlink /proc/self/ns/mnt)"
	assert_nothing_left
}

# --- Troubleshooting: documented behaviour ------------------------------------------

@test "troubleshooting: PPID is 0 inside the PID namespace" {
	run -0 "$MC" --pid /bin/sh -c 'echo $PPID'
	assert_output "0"
	assert_nothing_left
}

@test "troubleshooting: ps inside --pid --rootfs sees only container processes" {
	run -0 "$MC" --pid --rootfs ./rootfs /bin/ps
	# header + ps itself (PID 1)
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp '^ *1 +[^ ]+ .*ps$'
	assert_nothing_left
}
