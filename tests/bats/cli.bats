#!/usr/bin/env bats
# The command line: --help, --version, option parsing (--, --opt=value, the
# first non-option word ends the options).

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

@test "--help exits 0 and mentions every flag (on stdout)" {
	run -0 --separate-stderr "$MC" --help
	local flag
	for flag in --pid --rootfs --debug --env --tmpfs --workdir --help --version; do
		[[ $output == *"$flag"* ]] || fail "--help does not mention $flag:
$output"
	done
	assert_equal "$stderr" ""
}

@test "--help mentions the usage line and CMD" {
	run -0 "$MC" --help
	assert_output --regexp '[Uu]sage: *mcstatic'
	assert_output --regexp "(CMD|COMMAND)"
}

@test "--help after other flags" {
	run -0 "$MC" --pid --help
	assert_output --partial "--rootfs"
}

@test "--version prints 'mcstatic version X' and the runtime-spec version, as runc" {
	run -0 --separate-stderr "$MC" --version
	assert_line --index 0 --regexp '^mcstatic version [0-9]+\.[0-9]+[^ ]*$'
	assert_line --index 1 --regexp '^spec: 1\.[0-9]+\.[0-9]+$'
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" ""
}

@test "-- ends options: -- /bin/echo --pid prints --pid" {
	run -0 "$MC" -- /bin/echo --pid
	assert_output "--pid"
}

@test "options stop at the command: /bin/echo --pid --rootfs x prints them" {
	run -0 "$MC" /bin/echo --pid --rootfs x --bogus
	assert_output "--pid --rootfs x --bogus"
}

@test "options stop at the command: the command's -- is passed on" {
	run -0 "$MC" --pid /bin/echo -- a
	assert_output "-- a"
}

@test "flags after -- of mcstatic are the command's" {
	run -0 "$MC" --pid -- /bin/sh -c 'echo "$0 $1"' --help --version
	assert_output "--help --version"
}

@test "--opt=value forms: --rootfs= --workdir= --env= --tmpfs=" {
	run -0 "$MC" --pid --rootfs="$ROOTFS" --workdir=/etc --env=FOO=bar --tmpfs=/tmp:size=1m sh -c 'pwd; echo "$FOO"; grep -c " /tmp tmpfs " /proc/mounts'
	assert_line --index 0 "/etc"
	assert_line --index 1 "bar"
	assert_line --index 2 "1"
	assert_nothing_left
}

@test "flag order does not matter" {
	run -0 "$MC" --debug --rootfs "$ROOTFS" --pid /bin/sh -c 'echo $$'
	assert_output --partial "1"
	run -0 --separate-stderr "$MC" --rootfs "$ROOTFS" --pid /bin/sh -c 'echo $$'
	assert_output "1"
	assert_nothing_left
}

@test "repeated --pid / --debug are harmless" {
	run -0 --separate-stderr "$MC" --pid --pid /bin/sh -c 'echo $$'
	assert_output "1"
	assert_nothing_left
}

@test "arguments with spaces and empty strings reach the command unchanged" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" /bin/sh -c 'for a in "$@"; do echo "[$a]"; done' sh "a b" "" "c"
	assert_line --index 0 "[a b]"
	assert_line --index 1 "[]"
	assert_line --index 2 "[c]"
	assert_equal "${#lines[@]}" 3
	assert_nothing_left
}

@test "the binary is static (ldd: not a dynamic executable)" {
	run ldd "$MC"
	assert_output --partial "not a dynamic executable"
}

@test "a script whose #! interpreter is missing: the interpreter is named, 127" {
	printf '#!/nope/sh\necho hi\n' >"$T/s.sh"
	chmod +x "$T/s.sh"
	run -127 --separate-stderr "$MC" "$T/s.sh"
	assert_stderr_line "mcstatic: execve $T/s.sh: interpreter /nope/sh: No such file or directory"
	# Found through PATH inside a rootfs, too.
	cp -a "$ROOTFS" "$T/r"
	cp "$T/s.sh" "$T/r/bin/s.sh"
	run -127 --separate-stderr "$MC" --pid --rootfs "$T/r" s.sh
	assert_stderr_line "mcstatic: execve s.sh: interpreter /nope/sh: No such file or directory"
	assert_nothing_left
}
