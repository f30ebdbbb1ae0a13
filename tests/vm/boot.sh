#!/usr/bin/env bash
# tests/vm/boot.sh [OPTIONS] -- MCSTATIC-ARGS...
#
# Boots Debian's kernel (newest /boot/vmlinuz-*) under qemu-system-x86_64 with
# an initramfs whose PID 1 is mcstatic, passing MCSTATIC-ARGS to it on the
# kernel command line:
#
#     console=ttyS0 panic=-1 quiet rdinit=/mcstatic [APPEND] -- MCSTATIC-ARGS
#
# Prints the serial console (with \r stripped) on stdout as it arrives and exits
# with qemu's exit status: 0 when the guest powered itself off (or rebooted, or
# panicked: with panic=-1 and -no-reboot a panic also ends qemu with 0, so look
# for "Kernel panic" in the output), 124 when the timeout expired (qemu is then
# killed: SIGTERM, SIGKILL 5 s later).
#
# Options:
#   --mem MB          guest memory (default 512)
#   --smp N           guest CPUs (default 2)
#   --timeout S       wall-clock limit in seconds (default 120)
#   --initrd FILE     initramfs to boot (default: tests/vm/build/initramfs.cpio.gz,
#                     rebuilt by rootfs-build/initramfs.sh from ./mcstatic and
#                     ./rootfs when missing or older than either of them or
#                     than initramfs.sh)
#   --kernel FILE     kernel image (default: newest /boot/vmlinuz-*)
#   --boot pvh|bzimage  how qemu loads the kernel (default pvh): "pvh" boots
#                     the uncompressed vmlinux inside the bzImage (extracted
#                     once into the cache) through its PVH entry point, which
#                     skips the firmware's real-mode setup and the xz
#                     decompression that takes ~4 s under TCG: the same kernel
#                     code, ~2.5 s instead of ~8 s from start to power-off.
#                     Falls back to "bzimage" (the file as is) when the kernel
#                     has no PVH entry or cannot be extracted.
#   --append PARAMS   extra kernel parameters, placed before "--" (repeatable).
#                     Unknown words without "=" or "." are passed by the kernel
#                     to init as arguments *before* MCSTATIC-ARGS, unknown
#                     KEY=VALUE words become init's environment; "loglevel=7"
#                     undoes the default "quiet".
#   --rdinit PATH     program the kernel runs as PID 1 (default /mcstatic);
#                     e.g. --rdinit /bin/sh -- -c "echo hi; poweroff -f"
#   --accel A         qemu accelerator (default tcg; kvm where it works)
#   --qemu-arg ARG    one extra qemu argument (repeatable)
#
# MCSTATIC-ARGS reach init as argv[1..]. Each word with white space is wrapped
# in double quotes (the kernel's own quoting keeps it one argument). The kernel
# command line cannot carry: a double quote, a bare "--" (the kernel stops
# parsing init arguments there), more than 32 init arguments (the kernel
# panics: "Too many boot init vars") or more than 2047 bytes. Those are
# rejected here with exit 2.
#
# Environment: MC_VM_BUILD overrides the cache directory tests/vm/build.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILD=${MC_VM_BUILD:-$REPO/tests/vm/build}

# Linux: COMMAND_LINE_SIZE on x86 (including the NUL) and, from
# CONFIG_INIT_ENV_ARG_LIMIT=32, the most words init/main.c set_init_arg()
# accepts after argv[0] (33 panics "Too many boot init vars"; checked on 6.1).
MAX_CMDLINE=2047
MAX_INIT_ARGS=32

die() { echo "boot.sh: $*" >&2; exit 2; }

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

newest_kernel() {
	local k
	k=$(compgen -G '/boot/vmlinuz-*' | sort -V | tail -n 1) || true
	[[ -n $k ]] || die "no /boot/vmlinuz-*: apt-get install linux-image-amd64"
	echo "$k"
}

# Quote MCSTATIC-ARGS for the kernel command line (lib/cmdline.c next_arg).
kernel_args() {
	local a out=() re='[[:space:]]'
	[[ $# -le $MAX_INIT_ARGS ]] ||
		die "$# arguments after --: the kernel passes at most $MAX_INIT_ARGS to init (and panics beyond that)"
	for a in "$@"; do
		[[ $a != *'"'* ]] ||
			die "argument contains a double quote, which the kernel command line cannot carry: $a"
		[[ $a != -- ]] ||
			die "a bare '--' cannot be passed: the kernel stops reading init arguments at the second '--'"
		if [[ -z $a || $a =~ $re ]]; then
			out+=("\"$a\"")
		else
			out+=("$a")
		fi
	done
	printf '%s' "${out[*]}"
}

# The vmlinux ELF inside a bzImage: find the first compressed stream (xz,
# zstd or gzip magic) and decompress it. Prints the cached path, or nothing
# when there is no usable PVH kernel in there.
PVH_NOTE='\x04\x00\x00\x00[\x04\x08]\x00\x00\x00\x12\x00\x00\x00Xen\x00'
pvh_kernel() {
	local kernel=$1 out off magic
	out=$BUILD/vmlinux-$(basename "$kernel")
	mkdir -p "$BUILD"
	(
		flock 9
		[[ -s $out && ! $kernel -nt $out ]] && exit 0
		rm -f "$out"
		for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
			off=$(LC_ALL=C grep -obUaP -m1 "${magic#*:}" "$kernel" | head -n 1 | cut -d: -f1) || true
			[[ -n $off ]] || continue
			case ${magic%%:*} in
			xz) tail -c +$((off + 1)) "$kernel" | xz -dc --single-stream >"$out.tmp" 2>/dev/null || true ;;
			zstd) tail -c +$((off + 1)) "$kernel" | zstd -dcq >"$out.tmp" 2>/dev/null || true ;;
			gzip) tail -c +$((off + 1)) "$kernel" | gzip -dcq >"$out.tmp" 2>/dev/null || true ;;
			esac
			# Trailing data after the stream makes gzip/zstd complain: judge
			# the output, not the exit status.
			if [[ $(head -c 4 "$out.tmp" 2>/dev/null | od -An -c | tr -d ' ') == '177ELF' ]] &&
				LC_ALL=C grep -qaP "$PVH_NOTE" "$out.tmp"; then
				mv -f "$out.tmp" "$out"
				exit 0
			fi
		done
		rm -f "$out.tmp"
	) 9>"$BUILD/.lock-kernel"
	[[ -s $out ]] && echo "$out"
	return 0
}

# Rebuild the cached initramfs when it is missing or older than its inputs.
# flock serialises concurrent boots that share the cache.
ensure_initrd() {
	local initrd=$BUILD/initramfs.cpio.gz
	[[ -x $REPO/mcstatic ]] || die "$REPO/mcstatic missing: run 'make'"
	[[ -d $REPO/rootfs ]] || die "$REPO/rootfs missing: run 'make rootfs'"
	mkdir -p "$BUILD"
	(
		flock 9
		if [[ ! -f $initrd || $REPO/mcstatic -nt $initrd ||
			$REPO/rootfs-build/initramfs.sh -nt $initrd ||
			-n $(find "$REPO/rootfs" -newer "$initrd" -print -quit 2>/dev/null) ]]; then
			"$REPO/rootfs-build/initramfs.sh" "$initrd" \
				--rootfs "$REPO/rootfs" --mcstatic "$REPO/mcstatic" >&2
		fi
	) 9>"$BUILD/.lock"
	INITRD=$initrd
}

main() {
	local mem=512 smp=2 timeout_s=120 kernel="" rdinit=/mcstatic accel=tcg boot=pvh
	local -a append=() qemu_extra=()
	INITRD=""

	while [[ $# -gt 0 ]]; do
		case $1 in
		--mem) [[ $# -ge 2 ]] || usage; mem=$2; shift 2 ;;
		--smp) [[ $# -ge 2 ]] || usage; smp=$2; shift 2 ;;
		--timeout) [[ $# -ge 2 ]] || usage; timeout_s=$2; shift 2 ;;
		--initrd) [[ $# -ge 2 ]] || usage; INITRD=$2; shift 2 ;;
		--kernel) [[ $# -ge 2 ]] || usage; kernel=$2; shift 2 ;;
		--boot) [[ $# -ge 2 ]] || usage; boot=$2; shift 2 ;;
		--append) [[ $# -ge 2 ]] || usage; append+=("$2"); shift 2 ;;
		--rdinit) [[ $# -ge 2 ]] || usage; rdinit=$2; shift 2 ;;
		--accel) [[ $# -ge 2 ]] || usage; accel=$2; shift 2 ;;
		--qemu-arg) [[ $# -ge 2 ]] || usage; qemu_extra+=("$2"); shift 2 ;;
		--) shift; break ;;
		-h | --help) usage ;;
		*) echo "boot.sh: unknown option: $1 (MCSTATIC-ARGS go after --)" >&2; usage ;;
		esac
	done
	[[ $mem =~ ^[0-9]+$ && $smp =~ ^[0-9]+$ && $timeout_s =~ ^[0-9]+$ ]] ||
		die "--mem, --smp and --timeout take whole numbers"
	[[ $rdinit != *[[:space:]\"]* ]] || die "--rdinit path must not contain spaces or quotes"
	[[ $boot == pvh || $boot == bzimage ]] || die "--boot takes pvh or bzimage"

	local args cmdline
	args=$(kernel_args "$@")
	cmdline="console=ttyS0 panic=-1 quiet rdinit=$rdinit"
	[[ ${#append[@]} -eq 0 ]] || cmdline+=" ${append[*]}"
	cmdline+=" -- $args"
	[[ ${#cmdline} -le $MAX_CMDLINE ]] ||
		die "kernel command line is ${#cmdline} bytes, the limit is $MAX_CMDLINE"

	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 missing: apt-get install qemu-system-x86 (or tests/deps.sh qemu-system-x86)"
	[[ -n $kernel ]] || kernel=$(newest_kernel)
	[[ -r $kernel ]] || die "cannot read kernel $kernel"
	if [[ $boot == pvh ]]; then
		local vmlinux
		if LC_ALL=C grep -qaP "$PVH_NOTE" "$kernel"; then
			vmlinux=$kernel # already an ELF with a PVH entry
		else
			vmlinux=$(pvh_kernel "$kernel")
		fi
		if [[ -n $vmlinux ]]; then
			kernel=$vmlinux
		else
			echo "boot.sh: no PVH entry in $kernel: booting the bzImage" >&2
		fi
	fi
	if [[ -z $INITRD ]]; then
		ensure_initrd
	fi
	[[ -r $INITRD ]] || die "cannot read initramfs $INITRD"

	# -nodefaults: no VGA, NIC, floppy or CD-ROM (faster boot); the serial
	# port is the only console and goes to stdout. No monitor, no display.
	local -a qemu=(
		qemu-system-x86_64 -accel "$accel" -m "$mem" -smp "$smp"
		-nodefaults -display none -monitor none -serial stdio -no-reboot
		-kernel "$kernel" -initrd "$INITRD" -append "$cmdline"
		"${qemu_extra[@]}"
	)

	# qemu reads the guest's console input from stdin: keep the terminal for
	# interactive debugging (--rdinit /bin/sh), otherwise give it nothing.
	# --foreground keeps qemu in the terminal's foreground process group, so
	# it may read the terminal (and Ctrl-C reaches it).
	local status=0
	if [[ -t 0 && -t 1 ]]; then
		timeout --foreground -k 5 "$timeout_s" "${qemu[@]}" | tr -d '\r' || status=${PIPESTATUS[0]}
	else
		timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null | tr -d '\r' || status=${PIPESTATUS[0]}
	fi
	if [[ $status -eq 124 ]]; then
		echo "boot.sh: timeout: the guest did not power off within ${timeout_s}s (qemu killed)" >&2
	fi
	return "$status"
}

main "$@"
