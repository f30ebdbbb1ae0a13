#!/usr/bin/env bats
# Phase 3: UTS, IPC, cgroup and user namespaces; rootless containers run by
# an unprivileged user with no sudo and no file capabilities.

load helpers

setup_file() { rootless_user_setup; }
teardown_file() { rootless_user_teardown; }

setup() { common_setup; }
teardown() { common_teardown; }

@test "rootless: uid 0 inside, the caller's uid outside" {
	local uid
	uid=$(id -u "$U")
	run as_user "$UDIR/mcstatic" --user --pid --rootfs "$UDIR/rootfs" \
		sh -c 'id -u; id -g; touch /tmp/made-inside'
	assert_success
	assert_output $'0\n0'
	[[ $(stat -c %u "$UDIR/rootfs/tmp/made-inside") == "$uid" ]]
	rm -f "$UDIR/rootfs/tmp/made-inside"
}

@test "rootless: the subuid range is mapped through newuidmap (65536 ids)" {
	local uid start
	uid=$(id -u "$U")
	start=$(awk -F: -v u="$U" '$1 == u { print $2 }' /etc/subuid)
	run as_user "$UDIR/mcstatic" --user --rootfs "$UDIR/rootfs" \
		sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
	assert_success
	[[ $(echo "$output" | awk 'NR == 1 { print $1, $2, $3 }') == "0 $uid 1" ]]
	[[ $(echo "$output" | awk 'NR == 2 { print $1, $2, $3 }') == "1 $start 65535" ]]
	[[ $(echo "$output" | awk 'NR <= 2 { n += $3 } END { print n }') == 65536 ]]
	[[ $(echo "$output" | wc -l) == 4 ]]
}

@test "rootless: a file chowned to a subordinate id inside belongs to the range outside" {
	local start
	start=$(awk -F: -v u="$U" '$1 == u { print $2 }' /etc/subuid)
	run as_user "$UDIR/mcstatic" --user --rootfs "$UDIR/rootfs" \
		sh -c 'touch /tmp/owned && chown 1000 /tmp/owned'
	assert_success
	[[ $(stat -c %u "$UDIR/rootfs/tmp/owned") == $((start + 999)) ]]
	rm -f "$UDIR/rootfs/tmp/owned"
}

@test "rootless: --pid gives PID 1 and a /proc with only the container's processes" {
	run as_user "$UDIR/mcstatic" --user --pid --rootfs "$UDIR/rootfs" \
		sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
	assert_success
	assert_line --index 0 1
	# sh and ls (and grep): never the host's hundreds.
	(( ${lines[1]} <= 3 ))
}

@test "rootless: /dev has working device nodes (bound from the host)" {
	run as_user "$UDIR/mcstatic" --user --pid --rootfs "$UDIR/rootfs" \
		sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c && test -c /dev/urandom && echo ok'
	assert_success
	assert_output $'4\nok'
}

@test "rootless: --userid runs the command as a mapped user" {
	run as_user "$UDIR/mcstatic" --user --userid 1000:1000 --rootfs "$UDIR/rootfs" \
		sh -c 'id -u; id -g'
	assert_success
	assert_output $'1000\n1000'
}

@test "rootless: --hostname changes the hostname inside only" {
	local before
	before=$(hostname)
	run as_user "$UDIR/mcstatic" --user --hostname box --rootfs "$UDIR/rootfs" \
		sh -c 'hostname; echo "$HOSTNAME"'
	assert_success
	assert_output $'box\nbox'
	[[ $(hostname) == "$before" ]]
}

@test "rootless: an IPC object made inside --ipc is invisible outside" {
	local before
	before=$(ipcs -m | grep -c ' 4096 ' || true)
	# No rootfs: the host's ipcmk/ipcs (util-linux) run in the new namespace.
	run as_user "$UDIR/mcstatic" --user --ipc sh -c 'ipcmk -M 4096 >/dev/null && ipcs -m | grep -c " 4096 "'
	assert_success
	assert_output 1
	[[ $(ipcs -m | grep -c ' 4096 ' || true) == "$before" ]]
	# And the host's objects are invisible inside.
	local id
	id=$(ipcmk -M 8192 | grep -o '[0-9]*$')
	run as_user "$UDIR/mcstatic" --user --ipc sh -c 'ipcs -m | grep -c " 8192 " || true'
	ipcrm -m "$id"
	assert_output 0
}

@test "rootless: --cgroupns shows / as the container's cgroup" {
	run as_user "$UDIR/mcstatic" --user --cgroupns --rootfs "$UDIR/rootfs" cat /proc/self/cgroup
	assert_success
	# Every hierarchy's path is the namespace root.
	run bash -c "echo '$output' | awk -F: '\$3 != \"/\"' | wc -l"
	assert_output 0
}

@test "rootless: --all runs with every namespace" {
	run as_user "$UDIR/mcstatic" --all --hostname h --rootfs "$UDIR/rootfs" \
		sh -c 'echo $$ $(id -u) $(hostname)'
	assert_success
	assert_output "1 0 h"
}

@test "rootless: namespaces without --user are refused clearly" {
	snapshot_state
	run --separate-stderr as_user "$UDIR/mcstatic" --pid true
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: clone (namespaces need root, or --user): Operation not permitted"
	assert_nothing_left
}

@test "rootless: a range the caller does not own is refused by newuidmap" {
	snapshot_state
	run --separate-stderr as_user "$UDIR/mcstatic" --user --uidmap 0:0:1 true
	assert_equal "$status" 125
	[[ $stderr == "mcstatic: newuidmap: "*"(are the ranges in /etc/subuid yours?)" ]]
	[[ $(echo "$stderr" | wc -l) == 1 ]]
	assert_nothing_left
}

@test "rootless: user namespaces forbidden by the sysctl: clear error" {
	snapshot_state
	# user.max_user_namespaces is per user namespace: set it to 0 in a
	# throwaway one, leaving the machine's setting alone.
	run --separate-stderr as_user unshare --user --map-root-user sh -c \
		'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" --user true' "$UDIR/mcstatic"
	assert_equal "$status" 125
	[[ $stderr == "mcstatic: clone: user namespaces are not allowed here"* ]]
	assert_nothing_left
}

@test "bad id maps: one clear line, status 125, nothing left" {
	local -a cases=(
		"--uidmap 0:1000|mcstatic: --uidmap '0:1000': expected CONTAINER:HOST:COUNT"
		"--gidmap 0:1000:x|mcstatic: --gidmap '0:1000:x': expected CONTAINER:HOST:COUNT"
		"--uidmap 0:1000:0|mcstatic: --uidmap 0:1000:0: count must be at least 1"
		"--uidmap 0:1000:10 --uidmap 5:2000:1|mcstatic: --uidmap 5:2000:1 overlaps 0:1000:10"
		"--uidmap 0:1000:10 --uidmap 20:1005:1|mcstatic: --uidmap 20:1005:1 overlaps 0:1000:10"
		"--userid 70000|mcstatic: --userid: uid 70000 is not mapped in the user namespace"
		"--userid 0:70000|mcstatic: --userid: gid 70000 is not mapped in the user namespace"
	)
	local c args msg
	for c in "${cases[@]}"; do
		args=${c%%|*}
		msg=${c#*|}
		snapshot_state
		# shellcheck disable=SC2086
		run --separate-stderr as_user "$UDIR/mcstatic" --user $args --rootfs "$UDIR/rootfs" true
		[[ $status == 125 ]] || fail "$args: status $status"
		assert_stderr_line "$msg"
		assert_nothing_left
	done
}

@test "rootless: a map that leaves the caller out is refused, naming the caller" {
	local uid gid start gstart
	uid=$(id -u "$U")
	gid=$(id -g "$U")
	start=$(awk -F: -v u="$U" '$1 == u { print $2 }' /etc/subuid)
	gstart=$(awk -F: -v u="$U" '$1 == u { print $2 }' /etc/subgid)
	snapshot_state
	# The range is the user's own (newuidmap would take it), but /dev's
	# nodes are made as the caller, who would be unmapped inside.
	run --separate-stderr as_user "$UDIR/mcstatic" --user --uidmap "0:$start:65536" \
		--gidmap "0:$gstart:65536" --rootfs "$UDIR/rootfs" true
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: uid map leaves out the caller (uid $uid), who sets up the rootfs"
	run --separate-stderr as_user "$UDIR/mcstatic" --user --uidmap "0:$uid:1" \
		--gidmap "0:$gstart:65536" --rootfs "$UDIR/rootfs" true
	assert_equal "$status" 125
	assert_stderr_line "mcstatic: gid map leaves out the caller (gid $gid), who sets up the rootfs"
	assert_nothing_left
}

@test "the seed's setcap route: cap_sys_admin on the binary, no user namespace" {
	cp "$UDIR/mcstatic" "$UDIR/mcstatic-cap"
	setcap cap_sys_admin+ep "$UDIR/mcstatic-cap"
	run as_user "$UDIR/mcstatic-cap" --pid /bin/sh -c 'echo $$'
	assert_success
	assert_output 1
	# No CAP_MKNOD: /dev gets the host's nodes bound instead.
	run as_user "$UDIR/mcstatic-cap" --pid --rootfs "$UDIR/rootfs" \
		sh -c 'echo $$; echo x >/dev/null && test -c /dev/zero && id -u'
	rm -f "$UDIR/mcstatic-cap"
	assert_success
	assert_output "1
$(id -u "$U")"
}

@test "root: --uts --hostname, --ipc, --cgroupns without --user" {
	local before
	before=$(hostname)
	run "$MC" --hostname box --ipc --cgroupns --rootfs "$ROOTFS" \
		sh -c 'hostname; id -u; cat /proc/self/cgroup | awk -F: "\$3 != \"/\"" | wc -l'
	assert_success
	assert_output $'box\n0\n0'
	[[ $(hostname) == "$before" ]]
	# Setting it needs CAP_SYS_ADMIN, which a default container lacks,
	# and the default seccomp profile refuses sethostname (as the
	# engines' does): the UTS namespace is what this checks.
	run "$MC" --uts --cap-add sys_admin --seccomp unconfined sh -c 'hostname inner && hostname'
	assert_output inner
	[[ $(hostname) == "$before" ]]
}

@test "root: --userid switches user without a user namespace" {
	run "$MC" --userid 65534:65534 --rootfs "$ROOTFS" sh -c 'id -u; id -g'
	assert_success
	assert_output $'65534\n65534'
}

@test "root: --user maps root to root; an IPC object stays inside" {
	run "$MC" --user --ipc sh -c 'cat /proc/self/uid_map | head -1; ipcmk -M 12288 >/dev/null; ipcs -m | grep -c 12288'
	assert_success
	[[ $(echo "${lines[0]}" | awk '{ print $1, $2 }') == "0 0" ]]
	assert_line --index 1 1
	run sh -c 'ipcs -m | grep -c " 12288 " || true'
	assert_output 0
}
