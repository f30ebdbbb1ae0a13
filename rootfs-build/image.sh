#!/usr/bin/env bash
# rootfs-build/image.sh [--force] SOURCE DIR — an OCI bundle from an image,
# offline: DIR/rootfs and DIR/config.json, ready for `mcstatic run --bundle
# DIR ID` or `mcstatic --bundle DIR`.
#
# SOURCE is a skopeo transport that needs no network:
#   oci:PATH[:TAG]             an OCI image layout
#   oci-archive:FILE[:TAG]     the same in a tarball
#   docker-archive:FILE[:REF]  `docker save` / `podman save` output
#   containers-storage:NAME    a local podman image
# skopeo copies it into a private OCI layout and umoci unpacks it (layers,
# whiteouts, ownership: never by hand; umoci --rootless when not root). The
# config is what `mcstatic spec` writes (--rootless when not root), with a
# writable root (the bundle's rootfs is its own copy, as a container's
# layer) and the image's process: Entrypoint + Cmd as args, Env (a default
# PATH when it has none), WorkingDir as cwd, User resolved through the
# image's /etc/passwd and /etc/group (by umoci), Labels as annotations, and
# ExposedPorts in the annotation org.opencontainers.image.exposedPorts
# ("80/tcp,53/udp").
#
# DIR is made whole or not at all: built beside it, renamed at the end,
# removed on any failure. An existing DIR is refused unless --force.
# Errors are one line "image.sh: ...", exit status 1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
MCSTATIC=${MCSTATIC:-$here/../mcstatic}
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "image.sh: $*" >&2; exit 1; }

usage() {
	echo "usage: image.sh [--force] SOURCE DIR" >&2
	echo "  SOURCE: oci:PATH[:TAG], oci-archive:FILE, docker-archive:FILE, containers-storage:NAME" >&2
	exit 1
}

# skopeo, umoci and jq: Debian's packages, installed when missing (as root).
ensure_tools() {
	local t missing=()
	for t in skopeo umoci jq; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}: apt-get install ${missing[*]}"
	"$here/../tests/deps.sh" "${missing[@]}" >&2 || die "could not install ${missing[*]}"
}

# The last line a failed tool wrote, without its log prefix; umoci's user
# lookup said plainly.
reason() {
	local user
	user=$(grep -o "unable to find user [^:]*" "$1" | head -n 1 | cut -d' ' -f5)
	[[ -n $user ]] && { echo "user '$user' is not in the image's /etc/passwd"; return; }
	user=$(grep -o "unable to find group [^:]*" "$1" | head -n 1 | cut -d' ' -f5)
	[[ -n $user ]] && { echo "group '$user' is not in the image's /etc/group"; return; }
	tail -n 1 "$1" | sed -E 's/^time="[^"]*" level=[a-z]+ msg="?//; s/"$//; s/^(FATA|ERRO)\[[0-9]+\] //; s/\\"/"/g; s/^[[:space:]]*⨯[[:space:]]*//'
}

# "start count" of the caller's range in /etc/subuid or /etc/subgid (FILE).
subid_range() {
	awk -F: -v n="$(id -un)" -v u="$(id -u)" \
		'($1 == n || $1 == u) && $3 > 0 { print $2, $3; exit }' "$1" 2>/dev/null || true
}

# Rootless: `mcstatic spec --rootless` maps only the caller, as root; the
# image's other users need the caller's subordinate ids (newuidmap), from 1
# on, as podman maps them.
add_subid_maps() {
	local config=$1 u g
	u=$(subid_range /etc/subuid)
	g=$(subid_range /etc/subgid)
	[[ -n $u && -n $g ]] || return 0
	jq --argjson us "${u% *}" --argjson un "${u#* }" \
		--argjson gs "${g% *}" --argjson gn "${g#* }" '
		.linux.uidMappings += [{ containerID: 1, hostID: $us, size: $un }]
		| .linux.gidMappings += [{ containerID: 1, hostID: $gs, size: $gn }]
		' "$config" >"$config.new" && mv "$config.new" "$config"
}

# DIR/config.json: mcstatic's defaults with the image's process.
write_config() {
	local bundle=$1 image_config=$2 user rootless=()
	[[ $(id -u) -eq 0 ]] || rootless=(--rootless)
	# umoci resolved User through the image's /etc/passwd and /etc/group.
	user=$(jq -c '.process.user // { uid: 0, gid: 0 }' "$bundle/config.json")
	rm -f "$bundle/config.json"
	"$MCSTATIC" spec "${rootless[@]}" --bundle "$bundle" ||
		die "$MCSTATIC spec failed"
	jq --slurpfile img "$image_config" --argjson user "$user" \
		--arg path "$DEFAULT_PATH" '
		($img[0].config // {}) as $c
		| (($c.Entrypoint // []) + ($c.Cmd // [])) as $args
		| ($c.Env // []) as $env
		| .process.args = (if ($args | length) > 0 then $args else .process.args end)
		| .process.env = (if any($env[]; startswith("PATH=")) then $env
				  else ["PATH=" + $path] + $env end)
		| .process.cwd = (if ($c.WorkingDir // "") == "" then "/" else $c.WorkingDir end)
		| .process.user = $user
		| .process.terminal = false
		| .root = { path: "rootfs", readonly: false }
		| .annotations = (($c.Labels // {})
			+ (if ($c.ExposedPorts // {}) == {} then {}
			   else { "org.opencontainers.image.exposedPorts":
				  ($c.ExposedPorts | keys | join(",")) } end))
		' "$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
	((${#rootless[@]} == 0)) || add_subid_maps "$bundle/config.json"
}

main() {
	local force=0 args=() source dir rootless=()
	for a in "$@"; do
		case $a in
		--force) force=1 ;;
		-h|--help) usage ;;
		-*) die "unknown option '$a'" ;;
		*) args+=("$a") ;;
		esac
	done
	((${#args[@]} == 2)) || usage
	source=${args[0]} dir=${args[1]%/}
	case $source in
	oci:?*|oci-archive:?*|docker-archive:?*|containers-storage:?*) ;;
	*) die "source '$source': expected oci:PATH[:TAG], oci-archive:FILE, docker-archive:FILE or containers-storage:NAME" ;;
	esac
	[[ -x $MCSTATIC ]] || die "$MCSTATIC not found (build it with make, or set MCSTATIC)"
	if [[ -e $dir || -L $dir ]]; then
		((force)) || die "$dir exists (--force replaces it)"
	fi
	ensure_tools
	[[ $(id -u) -eq 0 ]] || rootless=(--rootless)

	# Beside DIR, so the last step is a rename on one filesystem.
	mkdir -p "$(dirname "$dir")"
	WORK=$(mktemp -d "$dir.tmp.XXXXXX") || die "cannot make a directory next to $dir"
	trap 'rm -rf "$WORK"' EXIT
	trap 'exit 1' INT TERM HUP

	skopeo --insecure-policy copy -q "$source" "oci:$WORK/layout:image" \
		2>"$WORK/err" >/dev/null || die "$source: $(reason "$WORK/err")"
	skopeo inspect --config "oci:$WORK/layout:image" >"$WORK/image-config.json" \
		2>"$WORK/err" || die "$source: its config: $(reason "$WORK/err")"
	umoci unpack "${rootless[@]}" --image "$WORK/layout:image" "$WORK/bundle" \
		>/dev/null 2>"$WORK/err" || die "$source: unpack: $(reason "$WORK/err")"
	# umoci's own bookkeeping, for repacking: not part of the bundle.
	rm -f "$WORK/bundle/umoci.json" "$WORK"/bundle/*.mtree
	write_config "$WORK/bundle" "$WORK/image-config.json"

	if [[ -e $dir || -L $dir ]]; then
		rm -rf "$dir" || die "cannot remove $dir"
	fi
	mv "$WORK/bundle" "$dir" || die "cannot move the bundle to $dir"
	echo "$dir"
}

main "$@"
