#!/usr/bin/env bash
# rootfs-build/initramfs.sh OUT.cpio.gz [--rootfs DIR] [--mcstatic PATH]
#                           [--busybox PATH] [--cmd ARGS...]
#
# Builds a gzip'd newc cpio that boots mcstatic as the machine's PID 1:
#
#   /mcstatic            the static binary (boot with rdinit=/mcstatic)
#   /init -> mcstatic    so rdinit=/init (the kernel's default) works too
#   /bin/busybox         a static busybox for the machine side, with one
#   /bin/APPLET          link per applet (boot with rdinit=/bin/sh to debug);
#   /sbin, /usr/bin, /usr/sbin are links to /bin
#   /proc /sys /dev /tmp empty mount points (mcstatic mounts them as PID 1);
#   /dev/console         a character device (5,1) when run as root, so the
#                        kernel can open the initial console before devtmpfs
#   /rootfs/             a copy of the container rootfs (default: ./rootfs)
#   /etc/mcstatic.cmdline  only with --cmd: the arguments, quoted the way the
#                        kernel command line wants them, for reference. The
#                        arguments themselves travel on the kernel command
#                        line after "--" (see tests/vm/boot.sh).
#
# Defaults: --rootfs and --mcstatic are ./rootfs and ./mcstatic of this
# repository (whatever the current directory), --busybox is /bin/busybox
# (Debian's busybox-static). Every file is owned by 0:0 and carries the same
# mtime (SOURCE_DATE_EPOCH, default 0), and the archive is sorted and gzip'd
# without a name or time stamp: the same inputs give the same bytes, so a
# rerun is idempotent. The output is replaced atomically. Prints one line:
#   initramfs: OUT (N bytes)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

die() { echo "initramfs.sh: $*" >&2; exit 1; }

usage() {
	cat >&2 <<EOF
usage: $0 OUT.cpio.gz [--rootfs DIR] [--mcstatic PATH] [--busybox PATH] [--cmd ARGS...]
  --rootfs DIR     container rootfs copied to /rootfs (default: $REPO/rootfs)
  --mcstatic PATH  binary installed as /mcstatic (default: $REPO/mcstatic)
  --busybox PATH   static busybox for the machine side (default: /bin/busybox)
  --cmd ARGS...    (must be last) record ARGS in /etc/mcstatic.cmdline
EOF
	exit 2
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Debian's GNU cpio writes newc archives; install it when it is missing.
ensure_cpio() {
	command -v cpio >/dev/null && return 0
	[[ $(id -u) -eq 0 ]] || die "cpio missing and not root: apt-get install cpio"
	echo "initramfs.sh: installing cpio" >&2
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cpio >&2; then
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cpio >&2
	fi
	command -v cpio >/dev/null || die "cpio installed but not found in PATH"
}

# A dynamically linked program cannot run in the initramfs (there is no libc).
is_static() {
	local f=$1
	# ELF magic, then no PT_INTERP program header (readelf when available).
	[[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == '177ELF' ]] || return 1
	if command -v readelf >/dev/null; then
		if readelf -lW "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then return 1; fi
	elif grep -qa 'ld-linux\|ld-musl' "$f"; then
		return 1
	fi
	return 0
}

# The kernel's own quoting (lib/cmdline.c next_arg): a word with white space is
# wrapped in double quotes; a double quote cannot be expressed at all.
kernel_quote() {
	local a words=() re='[[:space:]]'
	for a in "$@"; do
		[[ $a == *'"'* ]] && die "argument contains a double quote, which the kernel command line cannot carry: $a"
		if [[ -z $a || $a =~ $re ]]; then
			words+=("\"$a\"")
		else
			words+=("$a")
		fi
	done
	printf '%s\n' "${words[*]}"
}

stage() {
	local s=$1 applet

	mkdir -p "$s"/{bin,etc,proc,sys,dev,tmp,rootfs,root,usr}
	chmod 1777 "$s/tmp"
	chmod 0700 "$s/root"

	install -m 0755 "$MCSTATIC" "$s/mcstatic"
	ln -s mcstatic "$s/init"

	install -m 0755 "$BUSYBOX" "$s/bin/busybox"
	while IFS= read -r applet; do
		[[ -n $applet && $applet != busybox && $applet != */* ]] || continue
		ln -s busybox "$s/bin/$applet"
	done < <("$BUSYBOX" --list)
	ln -s bin "$s/sbin"
	ln -s ../bin "$s/usr/bin"
	ln -s ../bin "$s/usr/sbin"

	# The kernel opens /dev/console for init's fds 0-2 before any devtmpfs is
	# mounted. Debian's kernel also has it in its built-in initramfs; having
	# it here does not depend on that. Needs CAP_MKNOD, hence optional.
	if [[ $(id -u) -eq 0 ]]; then
		mknod -m 0600 "$s/dev/console" c 5 1
	fi

	# -a keeps modes and symlinks; ownership is forced to 0:0 by cpio -R.
	cp -a "$ROOTFS/." "$s/rootfs/"

	if [[ -n ${CMD_SET:-} ]]; then
		kernel_quote "${CMD[@]}" >"$s/etc/mcstatic.cmdline"
		chmod 0644 "$s/etc/mcstatic.cmdline"
	fi

	# One mtime for everything (symlinks included) for reproducible bytes.
	find "$s" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
}

main() {
	local out="" arg
	ROOTFS=$REPO/rootfs
	MCSTATIC=$REPO/mcstatic
	BUSYBOX=/bin/busybox
	CMD=()
	CMD_SET=

	while [[ $# -gt 0 ]]; do
		arg=$1
		case $arg in
		--rootfs) [[ $# -ge 2 ]] || usage; ROOTFS=$2; shift 2 ;;
		--mcstatic) [[ $# -ge 2 ]] || usage; MCSTATIC=$2; shift 2 ;;
		--busybox) [[ $# -ge 2 ]] || usage; BUSYBOX=$2; shift 2 ;;
		--cmd) shift; CMD=("$@"); CMD_SET=1; break ;;
		-h | --help) usage ;;
		-*) echo "initramfs.sh: unknown option: $arg" >&2; usage ;;
		*)
			[[ -z $out ]] || { echo "initramfs.sh: more than one output: $out, $arg" >&2; usage; }
			out=$arg
			shift
			;;
		esac
	done
	[[ -n $out ]] || usage
	[[ -n $CMD_SET ]] && kernel_quote "${CMD[@]}" >/dev/null

	[[ -f $MCSTATIC && -x $MCSTATIC ]] || die "$MCSTATIC is not an executable file: build it with 'make'"
	is_static "$MCSTATIC" || die "$MCSTATIC is not a static ELF binary"
	[[ -d $ROOTFS ]] || die "$ROOTFS is not a directory: build it with 'make rootfs'"
	[[ -e $ROOTFS/bin/sh || -L $ROOTFS/bin/sh ]] || die "$ROOTFS has no bin/sh"
	[[ -x $BUSYBOX ]] || die "$BUSYBOX missing: apt-get install busybox-static"
	is_static "$BUSYBOX" || die "$BUSYBOX is not a static ELF binary (use busybox-static)"
	ensure_cpio

	local outdir tmpdir
	outdir=$(dirname "$out")
	mkdir -p "$outdir"
	tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/initramfs.XXXXXX")
	# shellcheck disable=SC2064 # expand now: tmpdir is local
	trap "rm -rf '$tmpdir' '$out.tmp.$$'" EXIT

	stage "$tmpdir/root"
	# Sorted names (parents before children), no "./" prefix, owner 0:0,
	# inode and device numbers renumbered (--reproducible).
	(cd "$tmpdir/root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n >"$out.tmp.$$"
	mv -f "$out.tmp.$$" "$out"
	echo "initramfs: $out ($(stat -c %s "$out") bytes)"
}

main "$@"
