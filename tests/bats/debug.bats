#!/usr/bin/env bats
# --debug: the seed's Example 2 step lines, on stderr, in this relative order
# (other lines may come in between); the program's output alone on stdout.

load helpers

setup() {
	common_setup
	cd "$REPO"
}

teardown() {
	common_teardown
}

# The seed's Example 2, as extended regexes (whole line). The Child PID is a host
# PID, so only its shape is fixed; the bind-mount line names the absolute path.
example2_patterns() {
	local abs
	abs=$(cd "$REPO/rootfs" && pwd -P)
	EXPECTED=(
		'\[parent\] Executing: /bin/sh -c echo \$\$'
		'\[parent\] Rootfs: \./rootfs'
		'\[parent\] Creating mount namespace'
		'\[parent\] Child PID: [0-9]+'
		'\[child\] PID: 1'
		'\[child\] Setting up rootfs: \./rootfs'
		"\\[child\\] Bind mounted ${abs//./\\.}"
		'\[child\] pivot_root successful'
		'\[child\] Unmounted old root'
		'\[child\] Mounted /proc'
		'\[parent\] Child exited: 0'
	)
}

@test "debug: Example 2 lines on stderr in order, '1' alone on stdout" {
	example2_patterns
	run -0 --separate-stderr "$MC" --pid --rootfs ./rootfs --debug /bin/sh -c 'echo $$'
	assert_output "1"
	assert_lines_in_order "$stderr" "${EXPECTED[@]}"
	assert_nothing_left
}

@test "debug: the Child PID line is a host PID (not 1, not mcstatic's own)" {
	run -0 --separate-stderr "$MC" --pid --rootfs ./rootfs --debug /bin/sh -c 'echo $$'
	local line pid=
	while IFS= read -r line; do
		[[ $line =~ ^\[parent\]\ Child\ PID:\ ([0-9]+)$ ]] && pid=${BASH_REMATCH[1]}
	done <<<"$stderr"
	[[ -n $pid ]] || fail "no '[parent] Child PID: N' line in: $stderr"
	((pid > 1)) || fail "Child PID should be the host PID, got $pid"
	assert_nothing_left
}

# --privileged: root in a rootfs otherwise gets the default device rules,
# hence a cgroup, whose steps and --stats line (--debug) devices.bats sees.
@test "debug: every stderr line is a [parent] or [child] step line" {
	run -0 --separate-stderr "$MC" --pid --rootfs ./rootfs --debug --privileged /bin/sh -c 'echo $$'
	local line
	while IFS= read -r line; do
		[[ $line =~ ^\[(parent|child)\]\  ]] || fail "unexpected stderr line: '$line' in:
$stderr"
	done <<<"$stderr"
	assert_nothing_left
}

@test "debug: order is stable over 20 runs (parent's Child PID line before the child's lines)" {
	example2_patterns
	local i
	for i in $(seq 20); do
		run -0 --separate-stderr "$MC" --pid --rootfs ./rootfs --debug /bin/sh -c 'echo $$'
		assert_output "1"
		assert_lines_in_order "$stderr" "${EXPECTED[@]}"
	done
	assert_nothing_left
}

@test "debug: the rootfs is echoed as given (absolute path given)" {
	local abs
	abs=$(cd "$REPO/rootfs" && pwd -P)
	run -0 --separate-stderr "$MC" --pid --rootfs "$abs" --debug /bin/sh -c 'echo $$'
	assert_lines_in_order "$stderr" \
		"\\[parent\\] Rootfs: ${abs//./\\.}" \
		"\\[child\\] Setting up rootfs: ${abs//./\\.}" \
		"\\[child\\] Bind mounted ${abs//./\\.}"
	assert_nothing_left
}

@test "debug: killed by a signal reports '[parent] Child killed by signal 15'" {
	run -143 --separate-stderr "$MC" --debug /bin/sh -c 'kill -TERM $$'
	assert_lines_in_order "$stderr" \
		'\[parent\] Executing: /bin/sh -c kill -TERM \$\$' \
		'\[parent\] Child killed by signal 15'
	refute [ "$(grep -c 'Child exited' <<<"$stderr")" -gt 0 ]
	assert_nothing_left
}

@test "debug: own exit code is reported as '[parent] Child exited: 42'" {
	run -42 --separate-stderr "$MC" --pid --rootfs ./rootfs --debug /bin/sh -c 'exit 42'
	assert_lines_in_order "$stderr" '\[parent\] Child exited: 42'
	assert_nothing_left
}

@test "debug: without --debug a successful run writes nothing to stderr" {
	run -0 --separate-stderr "$MC" --pid --rootfs ./rootfs /bin/sh -c 'echo $$'
	assert_output "1"
	assert_equal "$stderr" ""
	assert_nothing_left
}
