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

BOOT="$REPO/tests/vm/boot.sh"

setup_file() {
	require_artifacts
	"$REPO/tests/deps.sh" qemu-system-x86 linux-image-amd64 cpio >&2
	compgen -G '/boot/vmlinuz-*' >/dev/null ||
		fail "no /boot/vmlinuz-* although linux-image-amd64 is installed"
	# One initramfs for the whole file, from the binary under test (not the
	# cache in tests/vm/build, which a human may be using).
	export VM_INITRD="$BATS_FILE_TMPDIR/initramfs.cpio.gz"
	"$REPO/rootfs-build/initramfs.sh" "$VM_INITRD" --rootfs "$ROOTFS" --mcstatic "$MC" >&2 ||
		fail "rootfs-build/initramfs.sh failed"
}

setup() { common_setup; }
teardown() { common_teardown; }

# Read a script from stdin and make it one line (no trailing blank).
vm_script() { tr '\n' ' ' | sed 's/ *$//'; }

# vm_boot MCSTATIC-ARGS...: boot, keep the console in $output (stderr of
# boot.sh — initramfs or qemu messages — in $stderr) and a copy in $T/console.
vm_boot() {
	run --separate-stderr "$BOOT" --initrd "$VM_INITRD" --timeout "${VM_TIMEOUT:-120}" -- "$@"
	printf '%s\n' "$output" >"$T/console"
}

# assert_vm_ok N: the machine ran the container, printed the status line with
# N exactly once, powered off by itself and did not panic.
assert_vm_ok() {
	local want=$1 n
	if [[ $status -eq 124 ]]; then
		fail "qemu timed out (killed by boot.sh): the guest never powered off
--- console ---
$output
--- stderr ---
$stderr"
	fi
	if [[ $status -ne 0 ]]; then
		fail "qemu exited with $status, not 0
--- console ---
$output
--- stderr ---
$stderr"
	fi
	if [[ $output == *"Kernel panic"* ]]; then
		fail "the kernel panicked
--- console ---
$output"
	fi
	n=$(grep -c '^mcstatic: container exited with status' <<<"$output" || true)
	if [[ $n -ne 1 ]]; then
		fail "expected one status line, found $n
--- console ---
$output"
	fi
	assert_line "mcstatic: container exited with status $want"
}

# value_of KEY: the text after "KEY=" on the first console line starting so.
value_of() {
	local line
	line=$(grep -m1 "^$1=" <<<"$output") || fail "no '$1=' line on the console:
$output"
	echo "${line#"$1="}"
}

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
	vm_boot --pid --rootfs /rootfs --debug /bin/sh -c "$script"
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
	vm_boot --rootfs /rootfs /bin/sh -c "$script"
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
	vm_boot --rootfs /rootfs /bin/sh -c 'echo before; kill -KILL $$; echo after'
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
	vm_boot --pid --init --rootfs /rootfs /bin/sh -c "$script"
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
