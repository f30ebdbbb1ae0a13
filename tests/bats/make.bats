#!/usr/bin/env bats
# The Makefile's targets, each run for real: install, debug, help, demo,
# examples, and clean (in a copy of the sources, so ./mcstatic stays).

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "make install PREFIX=/usr/local DESTDIR=...: the static binary lands there" {
	run -0 make -s -C "$REPO" install PREFIX=/usr/local DESTDIR="$T/root"
	[[ -x $T/root/usr/local/bin/mcstatic ]]
	cmp "$MC" "$T/root/usr/local/bin/mcstatic"
}

@test "make help lists every target" {
	run -0 make -s -C "$REPO" help
	local t
	for t in all debug test unit rootfs demo examples valgrind bench fuzz install clean help; do
		assert_line --regexp "^  make $t +[a-z]"
	done
}

@test "make debug: a static, unstripped mcstatic-debug that runs a container" {
	run -0 make -s -C "$REPO" debug
	run -0 file "$REPO/mcstatic-debug"
	assert_output --partial "statically linked"
	assert_output --partial "with debug_info"
	run -0 "$REPO/mcstatic-debug" --pid --rootfs "$ROOTFS" /bin/sh -c 'echo $$'
	assert_output 1
}

@test "make demo: a container where echo \$\$ is 1 and ls / shows the rootfs" {
	run -0 make -s -C "$REPO" demo
	assert_line "PID in the container: 1"
	assert_line --regexp '(^| )proc( |$)'
}

@test "make examples runs the seed's examples" {
	run -0 make -C "$REPO" examples
	assert_output --partial "Hello from mcstatic"
	assert_line "PID namespace, PID 1"
	assert_line --regexp '^Name:[[:space:]]+sh$'
	assert_line "[parent] Child exited: 0"
	assert_line "exit status 1"
	assert_line "exit status 127"
}

@test "make clean removes the build output, and make builds again" {
	mkdir "$T/src"
	cp -a "$REPO/Makefile" "$REPO/src" "$REPO/include" "$REPO/tests" "$REPO/tools" "$REPO/rootfs-build" "$T/src/"
	run -0 make -s -C "$T/src"
	[[ -x $T/src/mcstatic ]]
	run -0 make -s -C "$T/src" clean
	[[ ! -e $T/src/mcstatic ]]
	run -0 make -s -C "$T/src"
	run ldd "$T/src/mcstatic"
	assert_output --partial "not a dynamic executable"
}
