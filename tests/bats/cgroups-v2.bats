#!/usr/bin/env bats
# tests/bats/cgroups-v2.bats — the cgroup v2 driver, in a qemu guest (Debian's
# kernel, cgroup2 only: mcstatic as the machine's PID 1 mounts it at
# /sys/fs/cgroup, see mc_rootfs_mount_machine). tests/vm/boot.sh boots it.
#
# Most tests boot once and run a script as the machine's container (no
# --rootfs: the initramfs root, with busybox, /mcstatic and /rootfs), which
# runs an inner /mcstatic (not PID 1: an ordinary run on a v2 host) several
# times and prints KEY=VALUE lines; "left=N" counts mcstatic cgroups left in
# /sys/fs/cgroup after a run (want 0). Scripts go on the kernel command line:
# single quotes only, at most ~2000 bytes.

load helpers
load vm-helpers

setup_file() { vm_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# Every "left=" line says 0: no cgroup of ours survived any inner run.
assert_none_left() {
	local n
	n=$(grep -c '^left=' <<<"$output" || true)
	((n >= 1)) || fail "no left= lines:
$output"
	if grep '^left=' <<<"$output" | grep -qv '^left=0$'; then
		fail "cgroups left behind in the guest:
$output"
	fi
}

# The stats value KEY of the first "mcstatic: stats:" line after the line MARK.
stat_after() {
	sed -n "/^$1\$/,\$p" <<<"$output" | grep -m1 '^mcstatic: stats:' |
		sed -n 's/.* '"$2"'=\([0-9]*\).*/\1/p'
}

L='L() { echo left=$(ls /sys/fs/cgroup | grep -c mcstatic); };'
# A script that runs /mcstatic itself is the machine's container with
# --privileged: a default container keeps none of the capabilities (or
# syscalls) a runtime needs.

@test "v2 guest: mcstatic as PID 1 mounts cgroup2; allocating past --memory 32m: 137 and the OOM line" {
	vm_boot -- --memory 32m --pid --rootfs /rootfs \
		/bin/sh -c "x=\$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived"
	assert_vm_ok 137
	assert_line "mcstatic: container killed: out of memory (limit 32 MiB)"
	refute_line "survived"
}

@test "v2 guest: values written, born in the cgroup (clone3), OOM, bad input; nothing left" {
	local script
	script=$(vm_script <<'EOF'
/mcstatic --memory 32m --pid --rootfs /rootfs /bin/sh -c 'x=$(head -c 100000000 /dev/zero | tr \\0 a)';
echo oom=$?; L;
/mcstatic --debug --memory 32m --memory-swap 64m --cpus 1.5 --cpu-weight 100 --pids-limit 20
--cgroup vals /bin/cat /proc/self/cgroup 2>/tmp/d; echo vals=$?;
grep -e '^.cgroup. /sys' -e clone3 /tmp/d; L;
/mcstatic --cpus 0.005 true; echo bad1=$?;
/mcstatic --memory 10x true; echo bad2=$?;
/mcstatic --pids-limit abc true; echo bad3=$?;
/mcstatic --memory-swap 64m true; echo bad4=$?; L
EOF
	)
	vm_boot -- --privileged /bin/sh -c "$L $script"
	assert_vm_ok 0
	assert_line "oom=137"
	assert_line "mcstatic: container killed: out of memory (limit 32 MiB)"
	assert_line "vals=0"
	assert_line "0::/mcstatic/vals"
	local d=/sys/fs/cgroup/mcstatic/vals
	assert_lines_in_order "$output" \
		"\[cgroup\] /sys/fs/cgroup/mcstatic/cgroup.subtree_control = \+memory" \
		"\[cgroup\] /sys/fs/cgroup/mcstatic/cgroup.subtree_control = \+cpu" \
		"\[cgroup\] /sys/fs/cgroup/mcstatic/cgroup.subtree_control = \+pids" \
		"\[cgroup\] $d/memory.max = 33554432" \
		"\[cgroup\] $d/memory.swap.max = 33554432" \
		"\[cgroup\] $d/cpu.max = 150000 100000" \
		"\[cgroup\] $d/cpu.weight = 100" \
		"\[cgroup\] $d/pids.max = 20"
	# Born in its cgroup: no cgroup.procs write, no clone3 fallback.
	refute_line --partial "cgroup.procs ="
	refute_line --partial "clone3"
	assert_line "mcstatic: --cpus: a quota of 500 µs per 100000 µs is below the kernel's minimum of 1000 µs (use --cpus 0.01 or more)"
	assert_line "bad1=125"
	assert_line "mcstatic: --memory '10x': expected a size above 0, in bytes or with k, m, g (e.g. 64m)"
	assert_line "bad2=125"
	assert_line "mcstatic: --pids-limit 'abc': expected 1 or more, or -1 for no limit"
	assert_line "bad3=125"
	assert_line "mcstatic: a swap limit (--memory-swap) needs a memory limit (--memory)"
	assert_line "bad4=125"
	assert_none_left
}

@test "v2 guest: fork bomb under --pids-limit 20 stays at 20; kill -9 of the command: leftovers killed" {
	local script
	script=$(vm_script <<'EOF'
/mcstatic --pids-limit 20 --stats --cgroup bomb --rootfs /rootfs /bin/sh -c 'f() { f | f & }; f & exec sleep 3'
2>/tmp/e & p=$!; m=0; h=0;
while [ -d /proc/$p ] && ! grep -q 'State:.*Z' /proc/$p/status; do
c=$(cat /sys/fs/cgroup/mcstatic/bomb/pids.current 2>/dev/null || echo 0); [ $c -gt $m ] && m=$c;
grep -qs 'max [1-9]' /sys/fs/cgroup/mcstatic/bomb/pids.events && h=1; sleep 0.05; done;
wait $p; echo bomb=$? max=$m hit=$h; echo bomb-stats; grep ^mcstatic: /tmp/e; L;
/mcstatic --debug --pids-limit 50 --cgroup k --rootfs /rootfs /bin/sh -c 'sleep 100 & sleep 100 & exec sleep 200'
2>/tmp/k & p=$!;
while [ $(cat /sys/fs/cgroup/mcstatic/k/cgroup.procs 2>/dev/null | wc -l) -lt 3 ]; do sleep 0.05; done;
kill -9 $(sed -n 's/^.parent. Child PID: //p' /tmp/k); wait $p; echo kill9=$?;
echo killstep=$(grep -c 'killing what is left' /tmp/k); L;
echo sleeps=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c '(sleep)')
EOF
	)
	vm_boot -- --privileged /bin/sh -c "$L $script"
	assert_vm_ok 0
	local max pp
	max=$(sed -n 's/^bomb=0 max=\([0-9]*\) hit=1$/\1/p' <<<"$output")
	[[ -n $max ]] || fail "no 'bomb=0 max=N hit=1' line:
$output"
	((max <= 20 && max >= 15)) || fail "pids.current peaked at $max"
	pp=$(stat_after bomb-stats pids_peak)
	[[ -n $pp && $pp -le 20 ]] || fail "pids_peak '$pp'"
	assert_line "kill9=137"
	assert_line "killstep=1"
	assert_line "sleeps=0"
	assert_none_left
}

@test "v2 guest: a busy loop under --cpus 0.5 gets 40-60% of a CPU over 2 s (cpu.stat usage_usec)" {
	local script
	script=$(vm_script <<'EOF'
U() { cut -d' ' -f1 /proc/uptime | tr -d .; };
for a in '--cpus 0.5' '--cgroup free'; do
t0=$(U); /mcstatic $a --stats --rootfs /rootfs timeout 2 sh -c 'while :; do :; done' 2>/tmp/c;
echo run=$? wall_cs=$(($(U) - t0)); grep ^mcstatic: /tmp/c; done; L
EOF
	)
	vm_boot -- --privileged /bin/sh -c "$L $script"
	assert_vm_ok 0
	local walls cpus share i=0
	mapfile -t walls < <(sed -n 's/^run=1[24][34] wall_cs=\([0-9]*\)$/\1/p' <<<"$output")
	mapfile -t cpus < <(sed -n 's/^mcstatic: stats: cpu_usec=\([0-9]*\) .*/\1/p' <<<"$output")
	((${#walls[@]} == 2 && ${#cpus[@]} == 2)) || fail "expected two runs:
$output"
	for i in 0 1; do
		share=$((cpus[i] / (walls[i] * 100)))
		echo "# run $i: cpu ${cpus[i]} us over ${walls[i]}0 ms = ${share}%" >&3
		if ((i == 0)); then
			((share >= 40 && share <= 60)) || fail "--cpus 0.5 gave ${share}%"
		else
			((share >= 65)) || fail "without --cpus only ${share}%: the measure is off"
		fi
	done
	assert_none_left
}

@test "v2 guest: a missing controller (cgroup_disable=pids): one line, 125, nothing left" {
	local script
	script=$(vm_script <<'EOF'
/mcstatic --pids-limit 20 true; echo miss=$?; L;
/mcstatic --memory 32m --stats true; echo mem=$?; L
EOF
	)
	vm_boot --append cgroup_disable=pids -- --privileged /bin/sh -c "$L $script"
	assert_vm_ok 0
	assert_line --regexp "^mcstatic: cgroup v2: the pids controller is not available in /sys/fs/cgroup \(it offers: [a-z ]*\)$"
	assert_line "miss=125"
	assert_line "mem=0"
	assert_none_left
}

@test "v2 guest: rootless: a delegated subtree works; without one, a clear 125" {
	local script
	script=$(vm_script <<'EOF'
mkdir -p /sys/fs/cgroup/deleg/self;
echo '+memory +pids' >/sys/fs/cgroup/cgroup.subtree_control;
echo '+memory +pids' >/sys/fs/cgroup/deleg/cgroup.subtree_control;
chown -R 65534:65534 /sys/fs/cgroup/deleg;
echo $$ >/sys/fs/cgroup/deleg/self/cgroup.procs;
/mcstatic --userid 65534:65534 /bin/sh -c 'echo uid=$(id -u);
/mcstatic --memory 32m true; echo nodeleg=$?;
/mcstatic --memory 32m --pids-limit 10 --cgroup-parent deleg --cgroup c --stats /bin/cat /proc/self/cgroup;
echo deleg=$?'; L;
echo deleg-dirs=$(cd /sys/fs/cgroup/deleg && find . -mindepth 1 -type d | tr '\n' ' ')
EOF
	)
	vm_boot -- --privileged /bin/sh -c "$L $script"
	assert_vm_ok 0
	assert_line "uid=65534"
	assert_line "mcstatic: cgroup /sys/fs/cgroup/mcstatic: Permission denied (resource limits need root, or a cgroup v2 subtree delegated to you, given as --cgroup-parent)"
	assert_line "nodeleg=125"
	assert_line "0::/deleg/c"
	assert_line --regexp "^mcstatic: stats: cpu_usec=[0-9]+ .*memory_peak=[0-9]+"
	assert_line "deleg=0"
	assert_line --regexp '^deleg-dirs=\./self *$'
	assert_none_left
}

# CVE-2024-21626 class: on v2 mcstatic holds a directory fd of the host, its
# cgroup (fd 5 here: stdio, the socket pair, then the cgroup), for clone3.
# An image whose /app is a link to /proc/self/fd/5 entered the host's tree
# through --workdir with no caller fd at all; and without --pid the command
# saw the fd in /proc/$PPID/fd while it ran.
@test "v2 guest: --workdir through the cgroup fd (/proc/self/fd/5): 125, the host's file unread; the fd is closed" {
	local script
	script=$(vm_script <<'EOF'
echo host-only >/secret; ln -s /proc/self/fd/5 /rootfs/app;
/mcstatic --memory 32m --rootfs /rootfs --workdir /app /bin/sh -c 'cd ../../../../../..; cat secret'; echo wd=$?;
echo fds=$(/mcstatic --memory 32m --rootfs /rootfs /bin/sh -c 'ls -l /proc/$PPID/fd' | grep -c cgroup); L
EOF
	)
	vm_boot -- --privileged /bin/sh -c "$L $script"
	assert_vm_ok 0
	refute_line host-only
	assert_line "mcstatic: workdir /app: No such file or directory"
	assert_line "wd=125"
	assert_line "fds=0"
	assert_none_left
}

# linux.resources.devices on v2: the eBPF device program (cgroup-ebpf.c).
# The seed's default rules for a root container with --rootfs: the nodes are
# made (mknod of any is allowed), /dev/kmsg's number (c 1:11) and sda's
# (b 8:0, no such disk in the guest: ENXIO once past the program) are
# refused at open with EPERM, the default devices work; --privileged: no
# program, the same nodes open.  The outer container has no --rootfs, so
# no rules of its own, and the program is the only thing that can refuse.
@test "v2 guest: devices: the eBPF program refuses mknod'ed kmsg and sda (EPERM), allows the defaults; --privileged has none" {
	local script
	script=$(vm_script <<'EOF'
echo 'mknod /dev/k c 1 11 && mknod /dev/b b 8 0 && echo made;
true </dev/k 2>&1 && echo k-open; true </dev/b 2>&1 && echo b-open;
echo x >/dev/null && head -c1 /dev/zero >/dev/null && head -c1 /dev/urandom >/dev/null && echo defaults-ok' >/rootfs/p;
/mcstatic --pid --rootfs /rootfs /bin/sh /p; echo dflt=$?; L; echo priv;
/mcstatic --privileged --pid --rootfs /rootfs /bin/sh /p; echo priv=$?; L; rm /rootfs/p
EOF
	)
	vm_boot -- --privileged /bin/sh -c "$L $script"
	assert_vm_ok 0
	assert_lines_in_order "$output" \
		made \
		".*can't open /dev/k: Operation not permitted" \
		".*can't open /dev/b: Operation not permitted" \
		defaults-ok \
		dflt=0 \
		priv \
		made \
		k-open \
		".*can't open /dev/b: No such device or address" \
		defaults-ok \
		priv=0
	refute_line b-open
	[ "$(grep -c '^k-open$' <<<"$output")" -eq 1 ]
	assert_none_left
}
