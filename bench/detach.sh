#!/usr/bin/env bash
# bench/detach.sh: a detached container there and back, mcstatic against
# podman (conmon + runc), paired in one hyperfine run on the same rootfs:
#   mcstatic -d sleep + stop -t 0 + rm      vs   podman run -d + podman rm -f
# and the memory (RSS) of the process that stays with an idle container:
# mcstatic's supervisor against conmon.  Results go to bench/detach-results.md.
#
# podman is isolated as in tests/bats/podman.bats: its own storage, conf and
# state under one temp dir, every call inside a network namespace of ours
# (--network none besides); the image is `podman import` of ./rootfs.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
MC=$REPO/mcstatic
ROOTFS=${ROOTFS:-rootfs}
RUNS=${RUNS:-20}
OUT=${OUT:-bench/detach-results.md}

log() { echo "bench: $*" >&2; }
command -v hyperfine >/dev/null || tests/deps.sh hyperfine
command -v podman >/dev/null || tests/deps.sh podman runc

WORK=$(mktemp -d /tmp/mcbench-detach.XXXXXX)
NS=mcbench-d-$$
PM=$WORK/pm
mkdir -p "$PM"/{root,run,tmp,net,libpod,volumes}

cleanup() {
	"$MC" --root "$WORK/mc" rm -f mcb-idle >/dev/null 2>&1 || true
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm system reset -f >/dev/null 2>&1 || true
	# podman's overlay mounts under $PM, innermost first.
	awk -v p="$PM" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# Root here lacks CAP_SYS_RESOURCE: podman's default nofile (1048576) is
# above our hard limit and runc would fail to set it (as tests/bats/podman.bats).
cat >"$PM/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
lock_type = "file"
static_dir = "$PM/libpod"
volume_path = "$PM/volumes"
[network]
network_config_dir = "$PM/net"
EOF
export CONTAINERS_CONF=$PM/containers.conf

pm() (
	cd "$PM"
	exec nsenter --net="/run/netns/$NS" podman --root "$PM/root" --runroot "$PM/run" \
		--storage-driver overlay --tmpdir "$PM/tmp" --network-config-dir "$PM/net" \
		--runtime /usr/sbin/runc "$@"
)
pm_line() {
	printf 'cd %q && ' "$PM"
	printf '%q ' nsenter --net="/run/netns/$NS" podman --root "$PM/root" --runroot "$PM/run" \
		--storage-driver overlay --tmpdir "$PM/tmp" --network-config-dir "$PM/net" \
		--runtime /usr/sbin/runc
}

ip netns add "$NS"
tar -C "$ROOTFS" -cf "$WORK/bb.tar" .
pm import "$WORK/bb.tar" localhost/bb:latest >/dev/null
log "image imported"

mc_cycle="$MC --root $WORK/mc -d --name mcb-x --pid --rootfs $ROOTFS sleep 1000 >/dev/null &&
 $MC --root $WORK/mc stop -t 0 mcb-x >/dev/null && $MC --root $WORK/mc rm mcb-x >/dev/null"
pm_cycle="$(pm_line) run -d --name pmb-x --network none localhost/bb:latest sleep 1000 >/dev/null &&
 $(pm_line) rm -f -t 0 pmb-x >/dev/null"

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$WORK/h.json" \
	-n "mcstatic -d + stop -t 0 + rm" "sh -c '$mc_cycle'" \
	-n "podman run -d + rm -f (runc)" "sh -c '$pm_cycle'" >&2

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

"$MC" --root "$WORK/mc" -d --name mcb-idle --pid --rootfs "$ROOTFS" sleep 1000 >/dev/null
sup=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["life"]["supervisor"])' \
	"$WORK/mc/mcb-idle/state.json")
pm run -d --name pmb-idle --network none localhost/bb:latest sleep 1000 >/dev/null
conmon=$(pm inspect --format '{{.State.ConmonPid}}' pmb-idle)
sleep 1
mc_rss=$(rss_kib "$sup")
conmon_rss=$(rss_kib "$conmon")

python3 - "$WORK/h.json" "$mc_rss" "$conmon_rss" "$(stat -c %s "$MC")" >"$OUT" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1]))["results"]
mc_rss, conmon_rss, size = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
mc, pm = h[0], h[1]
print("# Detached containers: mcstatic against podman + conmon + runc\n")
print("Made by `bench/detach.sh` (hyperfine, paired in one run, same rootfs, "
      "podman in a network namespace of its own with `--network none`).\n")
print("| sequence | mean (s) | min … max (s) | ratio to podman |")
print("| --- | ---: | --- | ---: |")
for r in (mc, pm):
    print(f"| {r['command']} | {r['mean']:.4f} | {r['min']:.4f} … {r['max']:.4f} | "
          f"{r['mean'] / pm['mean']:.3f}× |")
print()
print("| process that stays with an idle container | RSS |")
print("| --- | ---: |")
print(f"| mcstatic supervisor | {mc_rss} KiB |")
print(f"| conmon (podman) | {conmon_rss} KiB |")
print(f"\nmcstatic binary: {size:,} bytes.")
EOF
log "results in $OUT"
cat "$OUT"
