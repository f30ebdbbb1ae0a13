#!/usr/bin/env bats
# What the container sees: PATH search, fd hygiene, /dev, --tmpfs, --workdir,
# /proc with --pid, no trace of the old root, --env.

load helpers

setup() {
	common_setup
}

teardown() {
	exec 7<&- 8>&- 100<&- 2>/dev/null || true
	common_teardown
}

# --- PATH search ----------------------------------------------------------------------

@test "PATH: --rootfs R ls / works like execvp" {
	run -0 "$MC" --rootfs "$ROOTFS" ls /
	assert_line "bin"
	assert_line "etc"
	assert_nothing_left
}

@test "PATH: --pid --rootfs R sh -c (relative name) works" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'echo $$'
	assert_output "1"
	assert_nothing_left
}

@test "PATH: search happens inside the container (bash is on the host only) → 127" {
	[[ ! -e $ROOTFS/bin/bash && ! -e $ROOTFS/usr/bin/bash ]] || fail "test assumption: no bash in rootfs"
	run -127 --separate-stderr "$MC" --rootfs "$ROOTFS" bash -c 'echo ran'
	assert_output ""
	assert_stderr_line "mcstatic: execve bash: No such file or directory"
	assert_nothing_left
}

@test "PATH: --env PATH=/nowhere then ls → 127" {
	run -127 --separate-stderr "$MC" --rootfs "$ROOTFS" --env PATH=/nowhere ls /
	assert_output ""
	assert_stderr_line "mcstatic: execve ls: No such file or directory"
	assert_nothing_left
}

@test "PATH: --env PATH=/nowhere without rootfs → 127" {
	run -127 --separate-stderr "$MC" --env PATH=/nowhere ls /
	assert_stderr_line "mcstatic: execve ls: No such file or directory"
	assert_nothing_left
}

@test "PATH: the container's PATH is used (--env PATH=/usr/sbin finds an applet there only)" {
	# Pick an applet that the rootfs has in usr/sbin and not in bin.
	local name
	name=$(cd "$ROOTFS/usr/sbin" && for f in *; do [[ -e ../../bin/$f || -e ../bin/$f ]] || { echo "$f"; break; }; done)
	[[ -n $name ]] || fail "test assumption: rootfs has an applet only in /usr/sbin"
	run -127 "$MC" --rootfs "$ROOTFS" --env PATH=/bin "$name" --help
	run --separate-stderr "$MC" --rootfs "$ROOTFS" --env PATH=/usr/sbin "$name" --help
	[[ $status != 127 && $status != 126 && $status != 125 ]] || fail "$name not found with PATH=/usr/sbin (status $status): $stderr"
	assert_nothing_left
}

@test "PATH: default PATH when unset (env -u PATH)" {
	run -0 env -u PATH "$MC" --rootfs "$ROOTFS" ls /
	assert_line "bin"
	run -0 env -u PATH "$MC" --rootfs "$ROOTFS" sh -c 'echo "$PATH"'
	assert_output --partial "/bin"
	assert_nothing_left
}

@test "PATH: a name containing a slash is not searched (relative to workdir /)" {
	run -0 "$MC" --rootfs "$ROOTFS" bin/echo hi
	assert_output "hi"
	run -127 "$MC" --rootfs "$ROOTFS" --env PATH=/bin nope/echo hi
	assert_nothing_left
}

# --- fd hygiene --------------------------------------------------------------------------

@test "fds: with extra fds open, ls /proc/self/fd inside shows exactly 0 1 2 3 (rootfs)" {
	exec 7</dev/null 8>"$T/x" 100</dev/null
	run -0 "$MC" --pid --rootfs "$ROOTFS" ls /proc/self/fd
	assert_equal "$(echo $output)" "0 1 2 3"
	assert_nothing_left
}

@test "fds: with extra fds open, ls /proc/self/fd shows exactly 0 1 2 3 (no rootfs)" {
	exec 7</dev/null 8>"$T/x" 100</dev/null
	run -0 "$MC" ls /proc/self/fd
	assert_equal "$(echo $output)" "0 1 2 3"
	assert_nothing_left
}

@test "fds: the first process itself has only 0 1 2 (sh as PID 1 looks at /proc/1/fd)" {
	exec 7</dev/null 8>"$T/x" 100</dev/null
	# "; true" keeps busybox sh from exec'ing ls in place (ls would be PID 1).
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'ls /proc/1/fd; true'
	assert_equal "$(echo $output)" "0 1 2"
	assert_nothing_left
}

@test "fds: 0 1 2 are passed through (stdin read, stdout and stderr separate)" {
	run -0 --separate-stderr "$MC" --pid --rootfs "$ROOTFS" sh -c 'read l; echo "out:$l"; echo "err:$l" >&2' <<<"hello"
	assert_output "out:hello"
	assert_equal "$stderr" "err:hello"
	assert_nothing_left
}

# --- /dev -----------------------------------------------------------------------------------

@test "/dev: null zero full random urandom tty are char devices with the right major:minor" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" stat -c '%n %F %t:%T' \
		/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
	assert_line "/dev/null character special file 1:3"
	assert_line "/dev/zero character special file 1:5"
	assert_line "/dev/full character special file 1:7"
	assert_line "/dev/random character special file 1:8"
	assert_line "/dev/urandom character special file 1:9"
	assert_line "/dev/tty character special file 5:0"
	assert_nothing_left
}

@test "/dev: is a tmpfs with only the default entries" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'grep " /dev " /proc/mounts; ls -A /dev'
	assert_line --index 0 --regexp '^[^ ]+ /dev tmpfs '
	local entries
	entries=$(printf '%s\n' "${lines[@]:1}" | LC_ALL=C sort | tr '\n' ' ')
	# OCI default devices + symlinks + pts + shm (mqueue is allowed, nothing from the host).
	for e in null zero full random urandom tty fd stdin stdout stderr ptmx pts shm; do
		[[ " $entries " == *" $e "* ]] || fail "/dev/$e missing; /dev has: $entries"
	done
	for e in vda sda kmsg mem port console; do
		[[ " $entries " != *" $e "* ]] || fail "host device /dev/$e visible; /dev has: $entries"
	done
	assert_nothing_left
}

@test "/dev: symlinks fd stdin stdout stderr ptmx" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
	assert_line "fd -> /proc/self/fd"
	assert_line "stdin -> /proc/self/fd/0"
	assert_line "stdout -> /proc/self/fd/1"
	assert_line "stderr -> /proc/self/fd/2"
	assert_line --regexp '^ptmx -> (/dev/)?pts/ptmx$'
	assert_nothing_left
}

@test "/dev/pts: a devpts with ptmx (new instance: no host ptys)" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'grep " /dev/pts " /proc/mounts; stat -c "%F %t:%T" /dev/pts/ptmx; ls /dev/pts'
	assert_line --index 0 --regexp '^[^ ]+ /dev/pts devpts '
	assert_line --index 1 "character special file 5:2"
	assert_line --index 2 "ptmx"
	assert_equal "${#lines[@]}" 3
	assert_nothing_left
}

@test "/dev/pts: opening /dev/ptmx allocates a pty in the container's instance" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'exec 3<>/dev/ptmx && ls /dev/pts'
	assert_line "0"
	assert_line "ptmx"
	assert_nothing_left
}

@test "/dev/shm: a tmpfs, writable" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'grep " /dev/shm " /proc/mounts; echo hi >/dev/shm/f && cat /dev/shm/f'
	assert_line --index 0 --regexp '^[^ ]+ /dev/shm tmpfs '
	assert_line --index 1 "hi"
	assert_nothing_left
}

@test "/dev: echo x > /dev/null works, /dev/zero reads zeros, /dev/full is full" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; head -c 16 /dev/urandom | wc -c; echo x > /dev/full || echo full-failed'
	assert_line "null-ok"
	assert_line --regexp '^ *00 00 00 00 *$'
	assert_line --regexp '^ *16 *$'
	assert_line "full-failed"
	assert_nothing_left
}

@test "/dev: the container's /dev does not touch the rootfs directory on the host" {
	local before
	before=$(ls -A "$ROOTFS/dev")
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'touch /dev/made-inside'
	assert_equal "$(ls -A "$ROOTFS/dev")" "$before"
	assert_nothing_left
}

# --- --tmpfs ------------------------------------------------------------------------------------

@test "--tmpfs /mnt/t gives a tmpfs there" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" --tmpfs /mnt/t sh -c 'grep " /mnt/t " /proc/mounts; echo hi >/mnt/t/f && cat /mnt/t/f'
	assert_line --index 0 --regexp '^[^ ]+ /mnt/t tmpfs '
	assert_line --index 1 "hi"
	[[ ! -e $ROOTFS/mnt/t/f ]] || fail "file written to the tmpfs ended up in the rootfs on the host"
	assert_nothing_left
}

@test "--tmpfs /mnt/t:size=1m has size=1024k in /proc/mounts" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" --tmpfs /mnt/t:size=1m grep " /mnt/t " /proc/mounts
	assert_output --regexp '^[^ ]+ /mnt/t tmpfs [^ ]*size=1024k'
	assert_nothing_left
}

@test "--tmpfs=/tmp (= form) over an existing directory, several --tmpfs" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" --tmpfs=/tmp --tmpfs /run:size=2m sh -c 'grep -E " /(tmp|run) " /proc/mounts'
	assert_line --regexp '^[^ ]+ /tmp tmpfs '
	assert_line --regexp '^[^ ]+ /run tmpfs [^ ]*size=2048k'
	assert_nothing_left
}

# --- --workdir --------------------------------------------------------------------------------------

@test "--workdir /etc → pwd prints /etc (rootfs)" {
	run -0 "$MC" --rootfs "$ROOTFS" --workdir /etc pwd
	assert_output "/etc"
	run -0 "$MC" --pid --rootfs "$ROOTFS" --workdir /etc sh -c 'pwd; cat passwd | head -1'
	assert_line --index 0 "/etc"
	assert_line --index 1 --regexp '^root:'
	assert_nothing_left
}

@test "--workdir /tmp without rootfs" {
	run -0 "$MC" --workdir /tmp /bin/pwd
	assert_output "/tmp"
	assert_nothing_left
}

@test "without --workdir the rootfs command starts in /" {
	run -0 "$MC" --rootfs "$ROOTFS" pwd
	assert_output "/"
	assert_nothing_left
}

# --- /proc and --pid --------------------------------------------------------------------------------

@test "/proc with --pid shows only container processes" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'ls /proc | grep -c "^[0-9][0-9]*$"'
	((output >= 1 && output <= 4)) || fail "expected a handful of PIDs in /proc, got $output"
	run -0 "$MC" --pid --rootfs "$ROOTFS" ps -o pid,comm
	assert_line --index 1 --regexp '^ *1 +ps$'
	assert_equal "${#lines[@]}" 2
	assert_nothing_left
}

@test "/proc with --pid: no host PID is visible (host PID 1 is not ours)" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" cat /proc/1/comm
	assert_output "cat"
	assert_nothing_left
}

# --- the old root -------------------------------------------------------------------------------------

@test "old root: not visible, no directory left in the rootfs" {
	local host_top
	host_top=$(cd "$ROOTFS" && LC_ALL=C ls -A | tr '\n' ' ')
	run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'ls -A / | LC_ALL=C sort | tr "\n" " "'
	assert_output "$host_top"
	refute_output --regexp '(old|put_old|pivot|\.mcstatic)'
	assert_equal "$(cd "$ROOTFS" && LC_ALL=C ls -A | tr '\n' ' ')" "$host_top"
	assert_nothing_left
}

@test "old root: /proc/mounts inside has no host mount points" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" cat /proc/mounts
	local line mp
	while IFS= read -r line; do
		mp=$(awk '{print $2}' <<<"$line")
		case $mp in
		/ | /proc | /proc/* | /dev | /dev/* | /sys | /sys/* | /tmp | /run) ;;
		*) fail "unexpected mount point '$mp' inside the container: $line" ;;
		esac
		[[ $line != *"/work"* && $line != *old_root* ]] || fail "host path in /proc/mounts inside: $line"
	done <<<"$output"
	# and none of the host's own mounts (e.g. its cgroup hierarchy) came along
	refute_line --partial "/sys/fs/cgroup"
	refute_line --partial "/mnt/sandboxing"
	assert_nothing_left
}

@test "old root: without --pid too (--rootfs only) the host is not reachable" {
	run "$MC" --rootfs "$ROOTFS" sh -c 'ls -d /work /old_root /.old_root /oldroot /put_old 2>/dev/null; echo done'
	assert_output "done"
	assert_nothing_left
}

# --- --env ---------------------------------------------------------------------------------------------

@test "--env FOO=bar is visible" {
	run -0 "$MC" --env FOO=bar sh -c 'echo "$FOO"'
	assert_output "bar"
	run -0 "$MC" --pid --rootfs "$ROOTFS" --env FOO=bar sh -c 'echo "$FOO"'
	assert_output "bar"
	assert_nothing_left
}

@test "--env: last one wins for a repeated key, only one entry" {
	run -0 "$MC" --pid --rootfs "$ROOTFS" --env FOO=a --env FOO=b env
	assert_line "FOO=b"
	refute_line "FOO=a"
	assert_equal "$(grep -c '^FOO=' <<<"$output")" 1
	assert_nothing_left
}

@test "--env overrides an inherited variable, only one entry" {
	FOO=host run -0 "$MC" --env FOO=mine env
	assert_line "FOO=mine"
	assert_equal "$(grep -c '^FOO=' <<<"$output")" 1
	assert_nothing_left
}

@test "--env: mcstatic's own environment is inherited" {
	MC_INHERIT_TEST=hostval run -0 "$MC" --pid --rootfs "$ROOTFS" sh -c 'echo "$MC_INHERIT_TEST"'
	assert_output "hostval"
	assert_nothing_left
}

@test "--env: value may contain '=' and may be empty; --env=K=V form" {
	run -0 "$MC" --env A=b=c --env EMPTY= --env=EQ=form env
	assert_line "A=b=c"
	assert_line "EMPTY="
	assert_line "EQ=form"
	assert_nothing_left
}

@test "--tmpfs: a mount point the rootfs lacks is made (as runc does) and stays" {
	cp -a "$ROOTFS" "$T/r"
	run -0 "$MC" --rootfs "$T/r" --tmpfs /new/deep/dir sh -c 'grep -c " /new/deep/dir tmpfs " /proc/mounts'
	assert_output 1
	[[ -d $T/r/new/deep/dir ]]
	# A failed mount takes back what it made.
	run -125 "$MC" --rootfs "$T/r" --tmpfs /other/dir:size=bogus true
	[[ ! -e $T/r/other ]]
}

# --- what the command leaves behind -------------------------------------------------------

# pids_gone PID...: none of them exists any more (not even as a zombie).
pids_gone() {
	local p
	for p in "$@"; do
		[[ ! -e /proc/$p ]] || fail "pid $p is still there: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)"
	done
}

@test "leftovers: without --pid or a cgroup, what the command left running is killed when it exits" {
	# A background child, an orphan (its parent exits first) and a process
	# in a session of its own: mcstatic, a subreaper, has them all. (Their
	# stdout is not run's pipe, which would wait for them.)
	run -0 "$MC" --rootfs "$ROOTFS" sh -c 'exec 3>&1 >/dev/null 2>&1
		sleep 300 3>&- & echo $! >&3
		(sleep 301 3>&- & echo $! >&3)
		setsid sh -c "sleep 302 3>&- & echo \$! >&3; exec sleep 303 3>&-" &
		echo $! >&3; sleep 0.2'
	assert_equal "${#lines[@]}" 4
	# At once, not after a grace period: mcstatic has reaped them.
	pids_gone "${lines[@]}"
	# No namespace at all: the same.
	run -0 "$MC" sh -c 'sleep 300 >/dev/null 2>&1 & echo $!'
	pids_gone "$output"
	assert_nothing_left
}

@test "leftovers: the command's status is kept, and mcstatic does not wait for them" {
	local start=$SECONDS
	run -7 "$MC" --rootfs "$ROOTFS" sh -c 'for i in $(seq 50); do sleep 300 >/dev/null 2>&1 & done; exit 7'
	(( SECONDS - start < 10 )) || fail "took $((SECONDS - start)) s"
	assert_nothing_left
}

@test "kill -9 of mcstatic kills a command that changed its user (--userid)" {
	# A change of credentials clears the parent-death signal: set again.
	bg_start "$MC" --userid 65534:65534 --rootfs "$ROOTFS" sleep 300
	local cmd="" i
	for i in $(seq 100); do
		cmd=$(pgrep -P "$BG_PID" -x sleep | head -1)
		[[ -n $cmd ]] && break
		sleep 0.05
	done
	[[ -n $cmd ]] || fail "the command never ran"
	kill -KILL "$BG_PID"
	wait_pid_status "$BG_PID" 5
	for i in $(seq 40); do [[ -e /proc/$cmd ]] || break; sleep 0.05; done
	pids_gone "$cmd"
	assert_nothing_left
}
