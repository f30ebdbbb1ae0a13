#!/usr/bin/env bash
# rootfs-build/debian.sh DIR — a Debian root filesystem (bookworm, minbase)
# with debootstrap, from the mirror this machine's apt uses: a real, dynamic
# userland (libc, bash, dpkg) beside the static busybox one.
#
# Idempotent: a DIR with the stamp DIR/.mcstatic-debian is complete and is
# left as it is. It is built in DIR.tmp and renamed at the end, so a failed
# or interrupted run leaves no half-made DIR. The downloaded packages are
# kept in DEBOOTSTRAP_CACHE (default build/debootstrap-cache) for the next
# build. Run as root. Errors: one line "debian.sh: ...", exit status 1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SUITE=${SUITE:-bookworm}
CACHE=${DEBOOTSTRAP_CACHE:-$here/../build/debootstrap-cache}
STAMP=.mcstatic-debian

die() { echo "debian.sh: $*" >&2; exit 1; }

# The first Debian mirror of apt's sources (deb822 or one-line format).
mirror() {
	local m
	m=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[[ -n $m ]] || m=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	echo "${m:-http://deb.debian.org/debian}"
}

main() {
	local dir=${1:-} tmp
	[[ $# -eq 1 && -n $dir ]] || die "usage: debian.sh DIR"
	dir=${dir%/}
	[[ -e $dir/$STAMP ]] && { echo "$dir"; return 0; }
	[[ -e $dir ]] && die "$dir exists but is not a complete Debian rootfs (remove it)"
	[[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
	command -v debootstrap >/dev/null || "$here/../tests/deps.sh" debootstrap >&2 ||
		die "could not install debootstrap"
	tmp=$dir.tmp
	rm -rf "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM HUP
	mkdir -p "$CACHE" "$(dirname "$dir")"
	CACHE=$(cd "$CACHE" && pwd -P)
	echo "debian.sh: debootstrap $SUITE from $(mirror) into $dir (a minute or two)" >&2
	if ! debootstrap --variant=minbase --cache-dir="$CACHE" "$SUITE" "$tmp" \
		"$(mirror)" >"$tmp.log" 2>&1; then
		local why
		why=$(grep -E '^(E|W): ' "$tmp.log" | tail -n 1)
		rm -f "$tmp.log"
		die "debootstrap failed: ${why:-see the output of debootstrap}"
	fi
	rm -f "$tmp.log"
	# Nothing of the host's: the apt cache the build left is not the image.
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*_Packages
	date -u +%FT%TZ >"$tmp/$STAMP"
	mv "$tmp" "$dir"
	trap - EXIT
	echo "$dir"
}

main "$@"
