#!/usr/bin/env bats
# debian.bats — a second, real root filesystem: rootfs-build/debian.sh
# (debootstrap, bookworm minbase, from the machine's Debian mirror) and
# dynamically linked Debian programs run in it by the seed CLI.

load helpers

setup_file() {
	DEB_ROOTFS="$BATS_TEST_DIRNAME/../../build/debian-rootfs"
	"$BATS_TEST_DIRNAME/../../rootfs-build/debian.sh" "$DEB_ROOTFS" >&2
	export DEB_ROOTFS
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

@test "debian: dpkg --version, bash and its libc in the Debian rootfs" {
	run --separate-stderr "$MC" --pid --rootfs "$DEB_ROOTFS" /usr/bin/dpkg --version
	assert_success
	assert_line --index 0 --regexp "^Debian 'dpkg' package management program version 1\.21\."
	run --separate-stderr "$MC" --pid --rootfs "$DEB_ROOTFS" /bin/bash -c \
		'echo "bash $BASH_VERSION pid $$"; ldd /bin/bash; ls /proc/1/exe >/dev/null && echo proc-ok'
	assert_success
	assert_line --index 0 --regexp '^bash 5\.2\.[0-9]+\(1\)-release pid 1$'
	assert_line --regexp '^[[:space:]]+libc\.so\.6 => /lib/x86_64-linux-gnu/libc\.so\.6 '
	assert_line proc-ok
	# The seed's isolation holds there too: its own hostname, no host process.
	run --separate-stderr "$MC" --pid --hostname deb1 --rootfs "$DEB_ROOTFS" \
		/bin/bash -c 'hostname; n=0; for p in /proc/[0-9]*; do n=$((n + 1)); done; echo $n'
	assert_success
	assert_equal "${lines[*]}" "deb1 1"
	assert_nothing_left
}

@test "debian: debian.sh is idempotent and refuses a half-made DIR" {
	run "$BATS_TEST_DIRNAME/../../rootfs-build/debian.sh" "$DEB_ROOTFS"
	assert_success
	assert_output "$DEB_ROOTFS"
	mkdir "$T/half"
	run --separate-stderr "$BATS_TEST_DIRNAME/../../rootfs-build/debian.sh" "$T/half"
	assert_failure 1
	assert_equal "$stderr" "debian.sh: $T/half exists but is not a complete Debian rootfs (remove it)"
}
