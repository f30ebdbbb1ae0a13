#!/usr/bin/env bats
# tests/bats/vm.bats — mcstatic as the PID 1 of a real (emulated) machine.
#
# Each test boots Debian's kernel under qemu (TCG, 2 CPUs, 512 MiB) with an
# initramfs built from ./mcstatic and ./rootfs (rootfs-build/initramfs.sh),
# kernel command line "rdinit=/mcstatic -- ARGS" (tests/vm/boot.sh), and
# asserts on the serial console. A boot takes ~2-3 s (PVH entry, see
# tests/vm/boot.sh; ~5-9 s as a bzImage), so each test is one boot
# and checks several things. Every test also checks that the machine powered
# itself off: qemu exited 0 by itself (124 = timeout), exactly one
# "mcstatic: container exited with status N" line, no "Kernel panic".
#
# The guest scripts are passed on the kernel command line, which cannot carry
# a double quote: they use single quotes only. vm_script joins a here-document
# into one line (each line must end where a space is a valid separator: after
# ";", "do", "then", "|", "&&").

load helpers
load vm-helpers

setup_file() { vm_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "vm: container is PID 1 with its own root and /proc, status 0, power-off" {
	local script
	script=$(vm_script <<'EOF'
echo pid=$$;
echo root=$(ls -A / | tr '\n' ' ');
echo procs=$(for p in /proc/[0-9]*; do echo ${p#/proc/}; done | tr '\n' ' ');
printf cmdline=; tr '\0' ' ' </proc/1/cmdline; echo;
exit 0
EOF
	)
	vm_boot -- --pid --rootfs /rootfs --debug /bin/sh -c "$script"
	assert_vm_ok 0
	assert_line "pid=1"
	assert_line "[child] pivot_root not possible on initramfs: moved rootfs to / and chroot'ed"

	# Its own root: every top-level entry of ./rootfs, nothing of the initramfs.
	local root entry
	root=" $(value_of root) "
	for entry in $(cd "$ROOTFS" && ls -A); do
		[[ $root == *" $entry "* ]] || fail "/ in the container lacks '$entry' of the rootfs: $root"
	done
	for entry in mcstatic init rootfs; do
		[[ $root != *" $entry "* ]] || fail "/ in the container shows '$entry' of the initramfs: $root"
	done

	# /proc shows the container's PID namespace: PID 1 is the command, and
	# only a handful of PIDs (the machine has dozens of kernel threads).
	local procs
	procs=$(value_of procs)
	[[ " $procs " == *" 1 "* ]] || fail "/proc has no PID 1: $procs"
	local n
	n=$(wc -w <<<"$procs")
	((n <= 4)) || fail "/proc shows $n processes, not only the container's: $procs"
	assert_line "cmdline=/bin/sh -c $script "
}

@test "vm: exit 42 is the status; orphans reparented to the machine's PID 1 are reaped" {
	# No --pid: the command's orphans go to the machine's PID 1, mcstatic
	# itself, and /proc (private mount, initial PID namespace) sees them all.
	local script
	script=$(vm_script <<'EOF'
for i in $(seq 20); do (sleep 1 &); done;
echo orphans=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c '^[0-9]* (sleep) [A-Z] 1 ');
sleep 2;
echo sleeping=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c '^[0-9]* (sleep) ');
echo zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ');
exit 42
EOF
	)
	vm_boot -- --rootfs /rootfs /bin/sh -c "$script"
	assert_vm_ok 42
	local orphans
	orphans=$(value_of orphans)
	((orphans >= 1)) || fail "no sleep was an orphan of PID 1 (the test did not test anything):
$output"
	assert_line "sleeping=0"
	assert_line "zombies=0"
}

@test "vm: a container killed by SIGKILL is reported as status 137" {
	# Without --pid: a PID-1 shell could not SIGKILL itself.
	vm_boot -- --rootfs /rootfs /bin/sh -c 'echo before; kill -KILL $$; echo after'
	assert_vm_ok 137
	assert_line "before"
	refute_line "after"
}

@test "vm: --init is PID 1 of the container and reaps 50 orphans" {
	local script
	script=$(vm_script <<'EOF'
echo pid=$$;
echo init=$(cat /proc/1/comm);
for i in $(seq 50); do (sleep 1 &); done;
echo orphans=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c '^[0-9]* (sleep) [A-Z] 1 ');
sleep 2;
echo ps-begin;
ps -o pid,ppid,stat,comm;
echo ps-end;
echo zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ')
EOF
	)
	vm_boot -- --pid --init --rootfs /rootfs /bin/sh -c "$script"
	assert_vm_ok 0
	# The command is the child of mcstatic's init.
	assert_line "pid=2"
	assert_line "init=mcstatic"
	local orphans
	orphans=$(value_of orphans)
	((orphans >= 10)) || fail "only $orphans of the 50 sleeps were orphans of PID 1 (the test did not test much):
$output"
	# No Z in ps's STAT column, and none in /proc.
	local ps
	ps=$(sed -n '/^ps-begin$/,/^ps-end$/p' <<<"$output")
	[[ -n $ps ]] || fail "no ps output:
$output"
	if awk 'NR > 2 && $3 ~ /Z/' <<<"$ps" | grep -q .; then
		fail "zombies in the container:
$ps"
	fi
	assert_line "zombies=0"
}
