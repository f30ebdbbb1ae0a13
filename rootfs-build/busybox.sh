#!/usr/bin/env bash
# rootfs-build/busybox.sh DIR — a minimal root filesystem from Debian's static busybox.
#
# Layout: DIR/bin/busybox plus one relative symlink per applet, placed where
# `busybox --list-full` says (bin/, sbin/, usr/bin/, usr/sbin/). Relative links
# (../../bin/busybox) resolve both from the host and after pivot_root into DIR.
# Idempotent: a second run changes nothing and takes a few milliseconds.
set -euo pipefail

BUSYBOX=/bin/busybox

die() { echo "busybox.sh: $*" >&2; exit 1; }

# Debian ships a static busybox in busybox-static; a dynamic one would not run
# inside a rootfs that has no libc.
ensure_busybox() {
	[[ -x $BUSYBOX ]] && return 0
	[[ $(id -u) -eq 0 ]] || die "$BUSYBOX missing and not root: apt-get install busybox-static"
	echo "busybox.sh: installing busybox-static" >&2
	# Update the package lists only when the cached ones are not enough.
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >&2; then
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >&2
	fi
	[[ -x $BUSYBOX ]] || die "busybox-static installed but $BUSYBOX is missing"
}

# "path target" for every applet link, sorted, e.g. "usr/bin/awk ../../bin/busybox".
wanted_links() {
	local path up
	"$BUSYBOX" --list-full | while IFS= read -r path; do
		[[ -z $path || $path == bin/busybox ]] && continue
		# One "../" per directory level between the link and DIR.
		up=${path//[^\/]/}
		up=${up//\//../}
		printf '%s %sbin/busybox\n' "$path" "$up"
	done | LC_ALL=C sort
}

# Every symlink under DIR that points at busybox, in the same format.
existing_links() {
	find "$ROOT" -xdev \( -path "$ROOT/proc" -o -path "$ROOT/sys" -o -path "$ROOT/dev" \) -prune \
		-o -type l -lname '*bin/busybox' -printf '%P %l\n' | LC_ALL=C sort
}

copy_busybox() {
	mkdir -p "$ROOT/bin"
	cmp -s "$BUSYBOX" "$ROOT/bin/busybox" && return 0
	cp --remove-destination "$BUSYBOX" "$ROOT/bin/busybox"
	chmod 0755 "$ROOT/bin/busybox"
}

# Create missing or wrong links and remove stale ones (applets a newer busybox
# dropped), so the tree depends only on the busybox binary.
sync_links() {
	local wanted existing path target
	wanted=$(wanted_links)
	existing=$(existing_links)
	[[ $wanted == "$existing" ]] && return 0
	while read -r path target; do
		[[ -n $path ]] && rm -f "$ROOT/$path"
	done < <(LC_ALL=C comm -13 <(echo "$wanted") <(echo "$existing"))
	while read -r path target; do
		[[ -n $path ]] || continue
		mkdir -p "$ROOT/$(dirname "$path")"
		ln -sfn "$target" "$ROOT/$path"
	done < <(LC_ALL=C comm -23 <(echo "$wanted") <(echo "$existing"))
}

# Write FILE only when its content differs, so reruns keep mtimes stable.
put_file() {
	local file=$ROOT/$1 content=$2
	[[ -f $file && $(<"$file") == "$content" ]] && return 0
	printf '%s\n' "$content" >"$file"
	chmod 0644 "$file"
}

write_etc() {
	mkdir -p "$ROOT/etc"
	put_file etc/passwd 'root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false'
	put_file etc/group 'root:x:0:
tty:x:5:
nogroup:x:65534:'
	put_file etc/hosts '127.0.0.1 localhost
::1 localhost'
	# What --net bridge mounts over, so that nothing is made in the image.
	put_file etc/hostname 'mcstatic'
	put_file etc/resolv.conf '# no nameserver: mcstatic --net bridge mounts its own'
}

# Mount points a runtime needs (proc, dev, sys) and the usual writable dirs.
make_dirs() {
	local d
	for d in bin sbin usr/bin usr/sbin etc proc dev sys run var root tmp mnt; do
		mkdir -p "$ROOT/$d"
	done
	chmod 0700 "$ROOT/root"
	chmod 1777 "$ROOT/tmp"
}

main() {
	[[ $# -eq 1 && -n $1 ]] || die "usage: $0 DIR"
	ensure_busybox
	mkdir -p "$1"
	ROOT=$(cd "$1" && pwd -P)
	[[ $ROOT != / ]] || die "refusing to build a rootfs at /"
	make_dirs
	copy_busybox
	sync_links
	write_etc
	echo "rootfs: $1 ($(existing_links | wc -l) applets)"
}

main "$@"
