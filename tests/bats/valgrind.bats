#!/usr/bin/env bats
# make valgrind: the same sources built against glibc (valgrind cannot follow
# malloc in a static musl binary) run the main paths — plain, --env, rootfs
# with --tmpfs, limits, --user, --debug, and three failures — with every leak
# kind and every error fatal.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "make valgrind: no leak and no error on any path it runs" {
	command -v valgrind >/dev/null || "$REPO/tests/deps.sh" valgrind
	run make -s -C "$REPO" valgrind ROOTFS="$ROOTFS"
	assert_success
	assert_output --partial "valgrind: no leaks, no errors"
	refute_output --partial "definitely lost"
	refute_output --partial "ERROR SUMMARY: [1-9]"
}
