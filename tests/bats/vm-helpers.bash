# tests/bats/vm-helpers.bash — booting mcstatic as a machine's PID 1 under qemu
# (tests/vm/boot.sh), for vm.bats and cgroups-v2.bats. Load after helpers.

BOOT="$REPO/tests/vm/boot.sh"

vm_setup_file() {
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

# Read a script from stdin and make it one line (no trailing blank).
vm_script() { tr '\n' ' ' | sed 's/ *$//'; }

# vm_boot [BOOT-OPTION]... -- MCSTATIC-ARGS...: boot (options such as
# --append go to tests/vm/boot.sh), keep the console in $output (stderr of
# boot.sh — initramfs or qemu messages — in $stderr) and a copy in $T/console.
vm_boot() {
	local opts=()
	while [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	run --separate-stderr "$BOOT" --initrd "$VM_INITRD" --timeout "${VM_TIMEOUT:-150}" "${opts[@]}" -- "$@"
	printf '%s\n' "$output" >"$T/console"
	echo "# console: $T/console" >&3
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
