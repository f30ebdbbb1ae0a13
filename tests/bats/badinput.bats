#!/usr/bin/env bats
# Bad input: status 125, exactly one stderr line naming the thing, nothing on
# stdout, and nothing left behind (mounts, rootfs entries, processes).

load helpers

setup() {
	common_setup
	cd "$T"
}

teardown() {
	common_teardown
}

# bad NEEDLE-LINE ARGS...: run mcstatic with ARGS, expect 125 and stderr == NEEDLE-LINE.
bad() {
	local expected=$1
	shift
	snapshot_state
	run -125 --separate-stderr "$MC" "$@"
	assert_output ""
	assert_stderr_line "$expected"
	assert_nothing_left
}

@test "missing rootfs: ./nope" {
	bad "mcstatic: rootfs ./nope: No such file or directory" --rootfs ./nope /bin/true
}

@test "missing rootfs with --pid" {
	bad "mcstatic: rootfs ./nope: No such file or directory" --pid --rootfs ./nope /bin/true
}

@test "missing rootfs, absolute path" {
	bad "mcstatic: rootfs $T/nope: No such file or directory" --pid --rootfs "$T/nope" /bin/true
}

@test "rootfs that is a regular file" {
	echo data >./file
	bad "mcstatic: rootfs ./file: Not a directory" --rootfs ./file /bin/true
}

@test "rootfs that is a regular file, with --pid --debug" {
	echo data >./file
	snapshot_state
	run -125 --separate-stderr "$MC" --pid --debug --rootfs ./file /bin/true
	assert_output ""
	# --debug may add [parent]/[child] lines; the error line must be there once.
	assert_equal "$(grep -c '^mcstatic: ' <<<"$stderr")" 1
	assert_equal "$(grep '^mcstatic: ' <<<"$stderr")" "mcstatic: rootfs ./file: Not a directory"
	assert_nothing_left
}

@test "unknown flag --bogus" {
	bad "mcstatic: unknown option '--bogus' (see --help)" --bogus /bin/true
}

@test "unknown flag after valid ones" {
	bad "mcstatic: unknown option '--nope' (see --help)" --pid --rootfs "$ROOTFS" --nope /bin/true
}

@test "unknown single-dash flag -x" {
	bad "mcstatic: unknown option '-x' (see --help)" -x /bin/true
}

@test "missing command: no arguments at all" {
	bad "mcstatic: no command given (see --help)"
}

@test "missing command: only flags" {
	bad "mcstatic: no command given (see --help)" --pid --rootfs "$ROOTFS"
}

@test "missing command: nothing after --" {
	bad "mcstatic: no command given (see --help)" --pid --
}

@test "empty --env" {
	bad "mcstatic: --env '': expected KEY=VALUE" --env '' /bin/true
}

@test "empty --env= form" {
	bad "mcstatic: --env '': expected KEY=VALUE" --env= /bin/true
}

@test "--env without '='" {
	bad "mcstatic: --env 'FOO': expected KEY=VALUE" --env FOO /bin/true
}

@test "--env with an empty key" {
	bad "mcstatic: --env '=bar': expected KEY=VALUE" --env =bar /bin/true
}

@test "--rootfs without argument" {
	bad "mcstatic: option '--rootfs' needs an argument" --rootfs
}

@test "--env, --workdir, --tmpfs without argument" {
	bad "mcstatic: option '--env' needs an argument" --env
	bad "mcstatic: option '--workdir' needs an argument" --workdir
	bad "mcstatic: option '--tmpfs' needs an argument" --tmpfs
}

@test "--workdir to a missing dir (rootfs, --pid)" {
	bad "mcstatic: workdir /nope: No such file or directory" --pid --rootfs "$ROOTFS" --workdir /nope /bin/true
}

@test "--workdir to a missing dir (rootfs, no --pid)" {
	bad "mcstatic: workdir /nope: No such file or directory" --rootfs "$ROOTFS" --workdir /nope /bin/true
}

@test "--workdir to a missing dir (no rootfs)" {
	bad "mcstatic: workdir /nope: No such file or directory" --workdir /nope /bin/true
}

@test "--workdir to a file" {
	bad "mcstatic: workdir /etc/passwd: Not a directory" --pid --rootfs "$ROOTFS" --workdir /etc/passwd /bin/true
}

@test "--tmpfs with invalid mount options → 125, message names the path" {
	snapshot_state
	run -125 --separate-stderr "$MC" --pid --rootfs "$ROOTFS" --tmpfs /mnt/t:size=bogus /bin/true
	assert_output ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_regex "$stderr" '^mcstatic: .*/mnt/t.*'
	assert_nothing_left
}

@test "mount failure inside the rootfs (/dev is a file) → 125, one line naming /dev" {
	# A private copy of the rootfs whose dev is a regular file.
	cp -a "$ROOTFS" "$T/r"
	rm -rf "$T/r/dev"
	echo not-a-dir >"$T/r/dev"
	snapshot_state
	run -125 --separate-stderr "$MC" --pid --rootfs "$T/r" /bin/true
	assert_output ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	# names the mount step and the dev path (as /dev or relative to the rootfs)
	assert_regex "$stderr" '^mcstatic: .*(/| )dev(:| |$)'
	assert_equal "$(ls -A "$T/r" | tr '\n' ' ')" "$(ls -A "$ROOTFS" | tr '\n' ' ')"
	assert_nothing_left
}

@test "a rootfs whose dev, sys or proc is a symlink (out of the rootfs): 125, nothing left" {
	local d
	for d in dev sys proc; do
		rm -rf "$T/r"
		cp -a "$ROOTFS" "$T/r"
		rm -rf "${T:?}/r/$d"
		ln -s /tmp "$T/r/$d"
		snapshot_state
		run -125 --separate-stderr "$MC" --pid --rootfs "$T/r" /bin/true
		assert_stderr_line "mcstatic: rootfs $T/r: mount point /$d: Not a directory"
		assert_nothing_left
	done
}

# --- directories mcstatic made are gone after a failed setup -----------------------

# tree_of DIR: every path below DIR, sorted.
tree_of() {
	(cd "$1" && find . | LC_ALL=C sort)
}

@test "--tmpfs without --rootfs: a missing target is not made on the host (125)" {
	bad "mcstatic: mount target $T/newdir/a/b does not exist (missing targets are made only in a rootfs)" \
		--tmpfs "$T/newdir/a/b" /bin/true
	[[ ! -e $T/newdir ]] || fail "$T/newdir was made on the host"
}

@test "--tmpfs: a mkdir failing midway (name too long) leaves nothing in the rootfs" {
	local long before
	long=$(printf 'x%.0s' {1..300})
	cp -a "$ROOTFS" "$T/r"
	before=$(tree_of "$T/r")
	bad "mcstatic: mkdir /newA/$long: Filename too long" \
		--rootfs "$T/r" --tmpfs "/newA/$long" /bin/true
	assert_equal "$(tree_of "$T/r")" "$before"
}

@test "--tmpfs: a later --tmpfs failing removes what the earlier ones made" {
	local before
	cp -a "$ROOTFS" "$T/r"
	before=$(tree_of "$T/r")
	bad "mcstatic: mount tmpfs on /newC/d: Invalid argument" --rootfs "$T/r" \
		--tmpfs /newA/b --tmpfs /newA/b/c --tmpfs /newA --tmpfs /newC/d:size=bogus /bin/true
	assert_equal "$(tree_of "$T/r")" "$before"
}

@test "a failure after the mounts (--workdir) removes the targets and the /dev, /sys, /proc it made" {
	local before user
	cp -a "$ROOTFS" "$T/r"
	rm -rf "$T/r/dev" "$T/r/sys" "$T/r/proc"
	before=$(tree_of "$T/r")
	# --user mounts /proc before pivot_root, root after it.
	for user in --pid --user; do
		bad "mcstatic: workdir /nope: No such file or directory" $user --rootfs "$T/r" \
			--tmpfs /newA/b --workdir /nope /bin/true
		assert_equal "$(tree_of "$T/r")" "$before"
	done
}

@test "a failed /proc mount point removes the /dev and /sys made before it" {
	local before
	cp -a "$ROOTFS" "$T/r"
	rm -rf "$T/r/dev" "$T/r/sys" "$T/r/proc"
	echo not-a-dir >"$T/r/proc"
	before=$(tree_of "$T/r")
	bad "mcstatic: rootfs $T/r: mount point /proc: Not a directory" --rootfs "$T/r" /bin/true
	assert_equal "$(tree_of "$T/r")" "$before"
}

@test "--hostname: empty, or longer than 64 bytes" {
	local long
	long=$(printf 'h%.0s' {1..65})
	bad "mcstatic: hostname '': must be 1 to 64 bytes long" --hostname '' /bin/true
	bad "mcstatic: hostname '$long': must be 1 to 64 bytes long" --hostname "$long" /bin/true
}

@test "--userid 4294967295 ((uid_t)-1, 'unchanged' to setresuid) is no user" {
	bad "mcstatic: userid: uid 4294967295 is not a valid id" --userid 4294967295 id -u
	bad "mcstatic: userid: gid 4294967295 is not a valid id" --userid 0:4294967295 id -u
}

@test "--rootfs /, by any name, is refused with its own message" {
	bad "mcstatic: rootfs /: is the host's own root, not a root for a container" --pid --rootfs / /bin/true
	bad "mcstatic: rootfs /tmp/..: is the host's own root, not a root for a container" --rootfs /tmp/.. /bin/true
}

@test "a 100 KB rootfs path is cut, the reason is kept" {
	local path
	path=$(printf '/a%.0s' {1..50000})
	snapshot_state
	run -125 --separate-stderr "$MC" --rootfs "$path" /bin/true
	assert_output ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_regex "$stderr" '^mcstatic: rootfs /a/a/a.*\.\.\.: File ?name too long$'
	assert_nothing_left
}

@test "control characters in an argument are escaped: one line" {
	bad "mcstatic: unknown option '--a\\nb\\x1b[0m\\x7f' (see --help)" $'--a\nb\e[0m\x7f' /bin/true
}
