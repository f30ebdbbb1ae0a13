#!/usr/bin/env bats
# tests/bats/escapes.bats — ways out of the container's view of the host: each
# test names the class of attack it guards against, and shows that the attempt
# is refused (125, one line) and reaches nothing of the host.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# Class: bind mount of a host path through tmpfs options. mount(2) with
# MS_BIND takes the source, "tmpfs", as a path relative to the cwd: a
# `tmpfs -> /etc` symlink where the caller stands showed the host's /etc.
# Likewise move/remount/propagation words turn the call into something that
# is not a new tmpfs. Only what a tmpfs takes is accepted.
@test "tmpfs options: bind, rbind, move, remount, propagation are refused (125); tmpfs options work" {
	local case opts word
	ln -s /etc "$T/tmpfs"
	cd "$T"
	# OPTS|WORD: the options given, the word the error names.
	for case in bind rbind move remount private rprivate shared rshared slave \
		rslave unbindable runbindable 'size=1m,bind|bind' 'ro,rbind,mode=700|rbind'; do
		opts=${case%|*} word=${case#*|}
		# Without --rootfs the cwd is the caller's, with its symlink.
		run -125 --separate-stderr "$MC" --tmpfs "/mnt:$opts" sh -c 'cat /mnt/hostname'
		assert_output ""
		assert_stderr_line "mcstatic: --tmpfs /mnt: option '$word' is not a tmpfs option"
		run -125 --separate-stderr "$MC" --rootfs "$ROOTFS" --tmpfs "/mnt:$opts" \
			sh -c 'cat /mnt/hostname'
		assert_output ""
		assert_stderr_line "mcstatic: --tmpfs /mnt: option '$word' is not a tmpfs option"
	done
	# Words no tmpfs knows would fail the mount later, with EINVAL only.
	run -125 --separate-stderr "$MC" --rootfs "$ROOTFS" --tmpfs /mnt:size=1m,nonsense true
	assert_stderr_line "mcstatic: --tmpfs /mnt: option 'nonsense' is not a tmpfs option"
	run -0 --separate-stderr "$MC" --rootfs "$ROOTFS" \
		--tmpfs /mnt:size=1m,mode=1777,uid=0,nr_inodes=100,ro,noexec \
		sh -c 'grep " /mnt " /proc/mounts; stat -c "%a %u" /mnt; ls -A /mnt'
	assert_line --index 0 --regexp '^tmpfs /mnt tmpfs ro,nosuid,nodev,noexec,([a-z]+,)?size=1024k,nr_inodes=100 '
	assert_line --index 1 "1777 0"
	assert_equal "${#lines[@]}" 2
	assert_nothing_left
}
