#!/usr/bin/env bats
# Escapes: ways out of the container, or to more privilege than the caller
# had.  Each test names the class of escape it guards against.
#
# The privileged-binary tests run as an unprivileged user (mcbats-setcap)
# with its own copies of mcstatic: one with `setcap cap_sys_admin+ep` (the
# README's route), one setuid root.  Whatever they are asked, the command
# must run as that user, with no capability and no_new_privs.

load helpers

SU=mcbats-setcap

setup_file() {
	command -v setcap >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" libcap2-bin
	command -v newuidmap >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" uidmap
	id "$SU" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$SU"
	grep -q "^$SU:" /etc/subuid || usermod --add-subuids 400000-465535 "$SU"
	grep -q "^$SU:" /etc/subgid || usermod --add-subgids 400000-465535 "$SU"
	SDIR=$(mktemp -d /tmp/mcstatic-escapes.XXXXXX)
	chmod 755 "$SDIR"
	cp "$BATS_TEST_DIRNAME/../../mcstatic" "$SDIR/mcstatic-cap"
	setcap cap_sys_admin+ep "$SDIR/mcstatic-cap"
	cp "$BATS_TEST_DIRNAME/../../mcstatic" "$SDIR/mcstatic-suid"
	chmod 4755 "$SDIR/mcstatic-suid"
	cp -a "$BATS_TEST_DIRNAME/../../rootfs" "$SDIR/rootfs"
	chown -R "$SU:" "$SDIR/rootfs"
	# A setuid-root program in the user's rootfs that says who it runs as
	# (busybox drops setuid itself, so it would prove nothing).
	mkdir "$SDIR/rootfs/suid"
	printf '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("euid %%d\\n", (int)geteuid()); return 0; }\n' |
		musl-gcc -static -x c - -o "$SDIR/rootfs/suid/euid"
	chown root:root "$SDIR/rootfs/suid" "$SDIR/rootfs/suid/euid"
	chmod 4755 "$SDIR/rootfs/suid/euid"
	export SDIR
	esc_setup_file
}

teardown_file() {
	[[ -n ${SDIR:-} ]] && rm -rf "$SDIR"
	userdel --remove "$SU" 2>/dev/null || true
	sed -i "/^$SU:/d" /etc/subuid /etc/subgid
	esc_teardown_file
}

setup() { common_setup; }
teardown() { common_teardown; }

as_setcap_user() {
	runuser -u "$SU" -- env MC_BATS_TAG="$MC_BATS_TAG" "$@"
}

WHY="(this mcstatic has more privilege than its caller: file capabilities or setuid)"

# Class: privileged mount on the host's tree.  The issue's attack: a tmpfs
# on /etc holding the caller's own passwd, shadow and pam files, then su.
@test "setcap: --tmpfs or --workdir without --rootfs is refused" {
	snapshot_state
	run --separate-stderr as_setcap_user "$SDIR/mcstatic-cap" --tmpfs /etc:mode=1777 \
		sh -c 'touch /etc/x'
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: --tmpfs needs --rootfs $WHY"
	[[ ! -e /etc/x ]]
	run --separate-stderr as_setcap_user "$SDIR/mcstatic-cap" --workdir /root pwd
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: --workdir needs --rootfs $WHY"
	assert_nothing_left
}

# Class: privilege leaking into the container (capabilities kept across exec,
# setuid programs honoured).
@test "setcap: the command runs as the caller, no capability, no_new_privs" {
	run as_setcap_user "$SDIR/mcstatic-cap" --pid sh -c \
		'id -u; grep CapEff /proc/self/status; cat /proc/self/status | grep NoNewPrivs; echo $$'
	assert_success
	assert_output "$(id -u "$SU")
CapEff:	0000000000000000
NoNewPrivs:	1
1"
}

# Class: setuid escalation inside a new root.  A tmpfs on the rootfs's /etc
# is allowed there: a setuid-root program still gains nothing.
@test "setcap: a setuid-root program in the rootfs stays the caller" {
	run as_setcap_user "$SDIR/mcstatic-cap" --pid --rootfs "$SDIR/rootfs" \
		--tmpfs /etc:mode=1777 sh -c 'touch /etc/shadow && /suid/euid'
	assert_success
	assert_output "euid $(id -u "$SU")"
}

# Class: identity chosen by the caller (uid 0 by --userid).
@test "setcap and setuid: --userid other than the caller's own is refused" {
	local uid gid
	uid=$(id -u "$SU")
	gid=$(id -g "$SU")
	snapshot_state
	run --separate-stderr as_setcap_user "$SDIR/mcstatic-cap" --userid 0 --pid true
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: --userid 0:0: only the caller's own $uid:$gid $WHY"
	run --separate-stderr as_setcap_user "$SDIR/mcstatic-suid" --userid 0 --pid \
		grep '^Uid' /proc/self/status
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: --userid 0:0: only the caller's own $uid:$gid $WHY"
	run as_setcap_user "$SDIR/mcstatic-cap" --userid "$uid:$gid" --pid id -u
	assert_success
	assert_output "$uid"
	assert_nothing_left
}

# Class: the host's processes shown past hidepid by a fresh /proc.
@test "setcap: --rootfs without --pid is refused" {
	snapshot_state
	run --separate-stderr as_setcap_user "$SDIR/mcstatic-cap" --rootfs "$SDIR/rootfs" true
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: --rootfs needs --pid $WHY"
	assert_nothing_left
}

# Class: setuid mcstatic.  It becomes the caller first, so the command and
# everything done for it run with the caller's rights.
@test "setuid root mcstatic: the command runs as the caller, no capability" {
	local uid
	uid=$(id -u "$SU")
	run as_setcap_user "$SDIR/mcstatic-suid" --pid grep -E '^(Uid|CapEff|NoNewPrivs)' /proc/self/status
	assert_success
	assert_output "Uid:	$uid	$uid	$uid	$uid
CapEff:	0000000000000000
NoNewPrivs:	1"
	# /root is not the caller's to enter, so not its rootfs either.
	snapshot_state
	run --separate-stderr as_setcap_user "$SDIR/mcstatic-suid" --pid --rootfs /root true
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: rootfs /root: chdir: Permission denied"
	assert_nothing_left
}

# Class: id maps the caller does not own, and a privileged parent beside a
# container.  With --user no privilege is needed: mcstatic gives it all up,
# and newuidmap checks the maps as for anybody.
@test "setcap: --user gives the privilege up; a map of ids not the caller's is refused" {
	run as_setcap_user "$SDIR/mcstatic-cap" --user --pid --rootfs "$SDIR/rootfs" \
		sh -c 'id -u; head -1 /proc/self/uid_map'
	assert_success
	assert_line --index 0 0
	[[ $(echo "${lines[1]}" | awk '{ print $1, $2, $3 }') == "0 $(id -u "$SU") 1" ]]
	# Without --pid the command's parent is mcstatic itself.
	run as_setcap_user "$SDIR/mcstatic-cap" --user sh -c 'grep CapEff /proc/$PPID/status'
	assert_success
	assert_output "CapEff:	0000000000000000"
	snapshot_state
	run --separate-stderr as_setcap_user "$SDIR/mcstatic-cap" --user --uidmap 0:0:1 true
	assert_equal "$status" 125
	[[ $stderr == "mcstatic: newuidmap: "*"(are the ranges in /etc/subuid yours?)" ]]
	assert_nothing_left
}

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

# --- descriptors and /proc of the supervisor (mcbats-esc) -----------------------

E=mcbats-esc

esc_setup_file() {
	command -v newuidmap >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" uidmap
	id "$E" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$E"
	grep -q "^$E:" /etc/subuid || usermod --add-subuids 500000-565535 "$E"
	grep -q "^$E:" /etc/subgid || usermod --add-subgids 500000-565535 "$E"
	# ESC holds the user's binary and rootfs, and a directory of the host
	# (hostdir/secret) that no container may see.
	ESC=$(mktemp -d /tmp/mcstatic-esc.XXXXXX)
	chmod 755 "$ESC"
	cp "$BATS_TEST_DIRNAME/../../mcstatic" "$ESC/mcstatic"
	cp -a "$BATS_TEST_DIRNAME/../../rootfs" "$ESC/rootfs"
	chown -R "$E:" "$ESC/rootfs"
	mkdir "$ESC/hostdir"
	echo host-secret >"$ESC/hostdir/secret"
	chown -R "$E:" "$ESC/hostdir"
	export ESC
}

esc_teardown_file() {
	[[ -n ${ESC:-} ]] && rm -rf "$ESC"
	userdel --remove "$E" 2>/dev/null || true
	sed -i "/^$E:/d" /etc/subuid /etc/subgid
}

as_esc() {
	runuser -u "$E" -- env MC_BATS_TAG="$MC_BATS_TAG" "$@"
}

# The image's /app: a symlink to /proc/self/fd/N.
app_link() {
	ln -sfn "/proc/self/fd/$1" "$ESC/rootfs/app"
}

# What the container prints when it got out: the secret, by name or from ..
ATTACK='cat secret ../hostdir/secret 2>/dev/null; ls -d ../../etc/shadow 2>/dev/null; true'

# CVE-2024-21626 class: the workdir resolved through a descriptor the caller
# left open (exec 9</host/dir) leads out of the new root.
@test "escape: --workdir through /proc/self/fd/9 of the caller's directory: 125, nothing read" {
	app_link 9
	local mc
	for mc in "--rootfs" "--pid --rootfs" "--init --pid --rootfs"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$MC" $mc "$ESC/rootfs" --workdir /app sh -c "$ATTACK" 9<"$ESC/hostdir"
		[[ $status == 125 ]] || fail "$mc: status $status, output: $output"
		assert_output ""
		assert_stderr_line "mcstatic: workdir /app: No such file or directory"
	done
	rm "$ESC/rootfs/app"
	assert_nothing_left
}

# CVE-2024-21626 class: fds 0-2 stay open for the command, so a host
# directory on stdin cannot be closed away; the cwd is checked instead.
@test "escape: --workdir through /proc/self/fd/0, stdin a host directory: 125, outside the root" {
	app_link 0
	run --separate-stderr "$MC" --rootfs "$ESC/rootfs" --workdir /app sh -c "$ATTACK" <"$ESC/hostdir"
	assert_equal "$status" 125
	assert_output ""
	assert_stderr_line "mcstatic: workdir /app: outside the container's root"
	rm "$ESC/rootfs/app"
	assert_nothing_left
}

# CVE-2024-21626 class, rootless: the same as an unprivileged user.
@test "escape: rootless --workdir through /proc/self/fd/9 or /proc/self/fd/0: 125, nothing read" {
	app_link 9
	run --separate-stderr as_esc "$ESC/mcstatic" --user --rootfs "$ESC/rootfs" \
		--workdir /app sh -c "$ATTACK" 9<"$ESC/hostdir"
	assert_equal "$status" 125
	assert_output ""
	assert_stderr_line "mcstatic: workdir /app: No such file or directory"
	app_link 0
	run --separate-stderr as_esc "$ESC/mcstatic" --user --pid --rootfs "$ESC/rootfs" \
		--workdir /app sh -c "$ATTACK" <"$ESC/hostdir"
	assert_equal "$status" 125
	assert_output ""
	assert_stderr_line "mcstatic: workdir /app: outside the container's root"
	rm "$ESC/rootfs/app"
	assert_nothing_left
}

# open_try PROC-DIR FILE...: a script that opens each FILE of PROC-DIR (ls for
# a directory) and prints "opened-FILE" for each one it could.
open_try() {
	local dir=$1 f out=""
	shift
	for f in "$@"; do
		if [[ $f == */ ]]; then
			out+="ls $dir/$f >/dev/null && echo opened-$f; "
		else
			out+="(exec 3<$dir/$f) && echo opened-$f; "
		fi
	done
	echo "${out}true"
}

# Every try was refused with EACCES.
assert_all_denied() {
	local f
	assert_success
	refute_output --partial opened-
	for f in "$@"; do
		[[ $stderr == *"$f"*"Permission denied"* ]] || fail "$f not refused: $stderr"
	done
}

# CVE-2019-5736 class: --init's init is mcstatic and never execs, so its
# /proc/PID/exe is the host's mcstatic binary; its mem, environ and fds are
# mcstatic's own too.
@test "escape: --init's init is closed to the command (/proc/1/exe, mem, environ, fd)" {
	local files=(exe mem environ fd/0)
	run --separate-stderr "$MC" --user --pid --init --rootfs "$ESC/rootfs" \
		sh -c "$(open_try /proc/1 "${files[@]}")" </dev/null
	assert_all_denied "${files[@]}"
	assert_nothing_left
}

# CVE-2019-5736 class, rootless: the user's own copy of the binary, reachable
# for writing once it is no longer running, as /proc/PID/exe of the init.
@test "escape: rootless --init: the init's /proc/PID/exe, mem and environ cannot be opened" {
	local files=(exe mem environ)
	run --separate-stderr as_esc "$ESC/mcstatic" --user --init --rootfs "$ESC/rootfs" \
		sh -c "$(open_try '/proc/$PPID' "${files[@]}")"
	assert_all_denied "${files[@]}"
	assert_nothing_left
}

# CVE-2019-5736 class: without --pid the container sees the supervising
# mcstatic in /proc: its root and cwd are the host's, its fds the caller's,
# its exe this binary, its mem writable. Run as root without CAP_SYS_PTRACE in the bounding set
# (docker's default, a systemd CapabilityBoundingSet), the container has the
# same capabilities and uid as mcstatic, and only mcstatic's being
# non-dumpable keeps it out. (Its environ is the command's own anyway, and
# readable: the kernel lets the same uid read it.)
@test "escape: /proc/\$PPID of the supervising mcstatic is closed (root without CAP_SYS_PTRACE)" {
	local files=(root/etc/hostname cwd/ fd/7 exe mem)
	echo caller-file >"$T/open"
	run --separate-stderr setpriv --bounding-set -sys_ptrace "$MC" --rootfs "$ESC/rootfs" \
		sh -c "$(open_try '/proc/$PPID' "${files[@]}")" 7<"$T/open"
	assert_all_denied "${files[@]}"
	assert_nothing_left
}
