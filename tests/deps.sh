#!/usr/bin/env bash
# tests/deps.sh [PKG...] — install the Debian packages needed to build and test
# mcstatic, plus any extra packages named on the command line (bench/bench.sh
# passes hyperfine runc crun bubblewrap). Prints nothing when all are present.
set -euo pipefail

BASE_PKGS=(musl-tools bats bats-support bats-assert busybox-static libcmocka-dev libjsmn-dev valgrind
	procps util-linux jq passwd libcap2-bin file linux-libc-dev
	iproute2 nftables slirp4netns passt socat)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

main() {
	local pkg missing=()
	for pkg in "${BASE_PKGS[@]}" "$@"; do
		installed "$pkg" || missing+=("$pkg")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0

	if [[ $(id -u) -ne 0 ]]; then
		echo "deps: missing packages: ${missing[*]}" >&2
		echo "deps: run as root: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "deps: installing: ${missing[*]}"
	# -qq keeps the log short; errors still reach stderr.
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

main "$@"
