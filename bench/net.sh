#!/usr/bin/env bash
# bench/net.sh — `make bench-net`: what mcstatic's networking costs.
#  1. start-up: `--net none`, `--net bridge` and `--net host` on /bin/true,
#     paired in one hyperfine run (the bridge is made by the warm-up and
#     stays, so the bridge row pays for a veth and a lease, not the bridge);
#  2. TCP throughput (iperf3, one stream) to a server
#     a) on 127.0.0.1 directly,           b) behind mcstatic's forwarder (-p)
#     with --net bridge,                   c) at the container's bridge address,
#     d) behind the forwarder, --net none, e) behind the forwarder, slirp4netns,
#     f) behind slirp4netns's own port forwarding (add_hostfwd, its API).
# Writes bench/net-results.md with the commands and the machine.
#
# Everything runs in a network namespace of ours (mcbench-net-PID): traffic
# goes to 127.0.0.1 and addresses inside it only, the host's network is never
# touched. Run as root, holding the shared lock:
#   flock /tmp/mcbats.lock bench/net.sh
# (`make bench-net` does that; do not wrap make in flock too: it would wait
# for itself.) About 2 minutes on 2 cores with the defaults.
#
# Knobs (environment): MCSTATIC (./mcstatic), ROOTFS (./rootfs), RUNS (40),
# WARMUP (5), SECONDS_PER_TEST (5: iperf3 -t), ROUNDS (3: the six throughput
# tests in turn, ROUNDS times, so load bursts are shared out),
# PORT (15201: the first of the four host ports), OUT (bench/net-results.md).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
MCSTATIC=${MCSTATIC:-./mcstatic}
ROOTFS=${ROOTFS:-rootfs}
RUNS=${RUNS:-40}
WARMUP=${WARMUP:-5}
SECONDS_PER_TEST=${SECONDS_PER_TEST:-5}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-15201}
OUT=${OUT:-bench/net-results.md}

NS=mcbench-net-$$
WORK=
W=
LOAD_START=
# Our own background processes, ended by PID in cleanup.
declare -a PIDS=()
declare -a CONTAINERS=(ipf ipn ips)
# label → the client command (shown in the results), and the measurements.
declare -a TESTS=()
declare -A CLIENT=() SERVER=() GBITS=()

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
# For bg: a binary, so that $! is the process itself (nsenter --net execs).
NSENTER=(nsenter --net="/run/netns/$NS")
# Shell words, readable: single quotes only where needed (no ' in ours).
quote() {
	local a out=()
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./=:@,+-]+$ ]]; then out+=("$a"); else out+=("'$a'"); fi
	done
	echo "${out[*]}"
}

cleanup() {
	local c pid i
	set +e
	if [[ -n $W && -d $W ]]; then
		for c in "${CONTAINERS[@]}"; do
			timeout 20 "$MCSTATIC" --root "$W" rm -f "$c" >/dev/null 2>&1
		done
	fi
	# Newest first: unshare --fork ignores SIGTERM and waits for its
	# child, the sleeper, which comes after it.
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		pid=${PIDS[i]}
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	[[ -n $WORK ]] && rm -rf --one-file-system "$WORK"
}

prepare() {
	cd "$REPO"
	[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, bridges)"
	tests/deps.sh hyperfine iperf3 slirp4netns socat jq
	[[ -x $MCSTATIC ]] || die "$MCSTATIC does not exist (make)"
	MCSTATIC=$(cd "$(dirname "$MCSTATIC")" && pwd -P)/$(basename "$MCSTATIC")
	[[ -x $ROOTFS/bin/busybox ]] || rootfs-build/busybox.sh "$ROOTFS"
	ROOTFS=$(cd "$ROOTFS" && pwd -P)
	LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
	WORK=$(mktemp -d /tmp/mcbench-net.XXXXXX)
	W=$WORK/root
	ip netns add "$NS"
	in_ns ip link set lo up
}

# ---- 1. start-up ----

startup() {
	local mode args=()
	for mode in none bridge host; do
		args+=(-n "mcstatic --net $mode" "$(quote "$MCSTATIC" --root "$W" --net "$mode" \
			--rootfs "$ROOTFS" /bin/true)")
	done
	log "start-up: $RUNS runs each after $WARMUP warm-up runs"
	in_ns hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
		--export-json "$WORK/startup.json" "${args[@]}" >&2
	STARTUP_CMD=$(quote nsenter --net="/run/netns/$NS" hyperfine -N --warmup "$WARMUP" \
		--runs "$RUNS" "${args[@]}")
}

# ---- 2. throughput ----

# bg CMD...: start CMD in the background, remember its PID.
bg() {
	"$@" >/dev/null 2>&1 &
	PIDS+=($!)
}

# A client run that succeeds: the forwarder answers before the server behind
# it listens, so a connect alone proves nothing. Doubles as a warm-up.
wait_server() {
	local host=$1 port=$2 i
	for ((i = 0; i < 50; i++)); do
		# -n: iperf3's -t is whole seconds, and -t 0 is for ever.
		in_ns iperf3 -c "$host" -p "$port" -n 1M >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "no iperf3 server answers at $host:$port"
}

# add_test LABEL HOST PORT SERVER-DESCRIPTION
add_test() {
	local label=$1 host=$2 port=$3
	wait_server "$host" "$port"
	TESTS+=("$label")
	CLIENT[$label]="$(quote nsenter --net="/run/netns/$NS" iperf3 -c "$host" -p "$port" \
		-t "$SECONDS_PER_TEST" -J)"
	SERVER[$label]=$4
	GBITS[$label]=
}

container() {
	local name=$1
	shift
	in_ns "$MCSTATIC" --root "$W" -d --name "$name" "$@" iperf3 -s >/dev/null
	quote nsenter --net="/run/netns/$NS" "$MCSTATIC" --root "$W" -d --name "$name" "$@" iperf3 -s
}

bridge_address() {
	awk -v n="$1" '$5 == n || $6 == n { print $1; exit }' "$W/@net/mcbr0.leases"
}

# A plain namespace with slirp4netns (the flags mcstatic gives it) and a
# port forwarded by slirp4netns itself, through its API socket.
slirp_own() {
	local port=$1 api=$WORK/slirp.sock holder sleeper="" i req
	# --kill-child: the sleeper ends with its unshare.
	"${NSENTER[@]}" unshare --net --fork --kill-child sleep 100000 &
	holder=$!
	PIDS+=("$holder")
	for ((i = 0; i < 50; i++)); do
		sleeper=$(pgrep -P "$holder" || true)
		[[ -n $sleeper ]] && break
		sleep 0.1
	done
	[[ -n $sleeper ]] || die "unshare --net --fork sleep: no child"
	PIDS+=("$sleeper")
	bg "${NSENTER[@]}" slirp4netns --configure --mtu=65520 --disable-host-loopback \
		--api-socket "$api" "$sleeper" tap0
	for ((i = 0; i < 50; i++)); do
		[[ -S $api ]] && break
		sleep 0.1
	done
	req=$(printf '{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":%d,"guest_port":5201}}' "$port")
	echo "$req" | socat - "UNIX-CONNECT:$api" | grep -q '"return"' ||
		die "slirp4netns add_hostfwd failed"
	bg nsenter --net --target "$sleeper" iperf3 -s -p 5201
	SLIRP_CMD="$(quote nsenter --net="/run/netns/$NS" unshare --net --fork --kill-child sleep 100000) &
$(quote nsenter --net="/run/netns/$NS" slirp4netns --configure --mtu=65520 \
		--disable-host-loopback --api-socket S SLEEP-PID tap0) &
echo '$req' | socat - UNIX-CONNECT:S
$(quote nsenter --net --target SLEEP-PID iperf3 -s -p 5201) &"
}

servers() {
	local b d e f addr
	b=$((PORT)) d=$((PORT + 1)) e=$((PORT + 2)) f=$((PORT + 3))
	bg "${NSENTER[@]}" iperf3 -s -B 127.0.0.1 -p 5201
	add_test a 127.0.0.1 5201 "$(quote nsenter --net="/run/netns/$NS" iperf3 -s -B 127.0.0.1 -p 5201)"
	add_test b 127.0.0.1 "$b" "$(container ipf --net bridge -p "127.0.0.1:$b:5201")"
	addr=$(bridge_address ipf)
	[[ -n $addr ]] || die "no lease for ipf in $W/@net/mcbr0.leases"
	add_test c "$addr" 5201 "the same container ipf, at its lease $addr"
	add_test d 127.0.0.1 "$d" "$(container ipn --net none -p "127.0.0.1:$d:5201")"
	add_test e 127.0.0.1 "$e" "$(container ips --net slirp4netns -p "127.0.0.1:$e:5201")"
	slirp_own "$f"
	add_test f 127.0.0.1 "$f" "see below"
}

throughput() {
	local round label json bps
	for ((round = 1; round <= ROUNDS; round++)); do
		for label in "${TESTS[@]}"; do
			json=$WORK/iperf-$label-$round.json
			log "throughput: round $round of $ROUNDS, test $label"
			eval "${CLIENT[$label]}" >"$json"
			bps=$(jq -e '.end.sum_received.bits_per_second' "$json") ||
				die "test $label: no end.sum_received in $json"
			GBITS[$label]+="$(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }') "
		done
	done
}

# ---- the report ----

machine() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
}

mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.2f", s / NF }' <<<"$1"; }

startup_table() {
	jq -r '.results[] | [.command, .mean, .stddev, .min, .max] | @tsv' "$WORK/startup.json" |
		awk -F'\t' 'NR == 1 { none = $2 }
		{ printf "| `%s` | %.2f | %.2f | %.2f … %.2f | %.2f× |\n",
			$1, $2 * 1000, $3 * 1000, $4 * 1000, $5 * 1000, $2 / none }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }

throughput_table() {
	local label
	declare -A what=(
		[a]="direct, 127.0.0.1 in the namespace"
		[b]="mcstatic forwarder, --net bridge"
		[c]="container's bridge address, no forwarder"
		[d]="mcstatic forwarder, --net none"
		[e]="mcstatic forwarder, --net slirp4netns"
		[f]="slirp4netns's own add_hostfwd"
	)
	echo "| test | path | mean Gbit/s | each round | client |"
	echo "| --- | --- | ---: | --- | --- |"
	for label in "${TESTS[@]}"; do
		echo "| $label | ${what[$label]} | $(mean "${GBITS[$label]}") | ${GBITS[$label]% } | \`${CLIENT[$label]}\` |"
	done
}

write_report() {
	local a b c d e f none bridge host
	a=$(mean "${GBITS[a]}") b=$(mean "${GBITS[b]}") c=$(mean "${GBITS[c]}")
	d=$(mean "${GBITS[d]}") e=$(mean "${GBITS[e]}") f=$(mean "${GBITS[f]}")
	read -r none bridge host < <(jq -r '[.results[].mean] | map(tostring) | join(" ")' "$WORK/startup.json")
	{
		echo "# Networking: start-up cost and throughput"
		echo
		echo "Machine: $(machine). Load average (1 min) $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end."
		echo "mcstatic $("$MCSTATIC" --version 2>&1 | head -n 1), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'); $(hyperfine --version); $(iperf3 --version | head -n 1 | cut -d' ' -f1,2); $(slirp4netns --version | head -n 1)."
		echo
		echo "Written by \`make bench-net\` (\`flock /tmp/mcbats.lock bench/net.sh\`). Everything runs in a network namespace of the script's own ($NS here, \`ip netns add\`), state root (--root) in a temp dir: W below."
		echo
		echo "## Start-up: /bin/true with --net none, bridge, host"
		echo
		echo "hyperfine, paired in one run: $WARMUP warm-up runs per command (the first bridge run creates mcbr0; it stays, so the bridge row pays for a veth pair, an address lease and the moves, not for the bridge), $RUNS runs each."
		echo
		echo '```'
		echo "$STARTUP_CMD"
		echo '```'
		echo
		echo "| command | mean ms | σ ms | min … max ms | × --net none |"
		echo "| --- | ---: | ---: | --- | ---: |"
		startup_table
		echo
		echo "bridge / none: **$(awk -v a="$bridge" -v b="$none" 'BEGIN { printf "%.2f×", a / b }')** ($(awk -v a="$bridge" -v b="$none" 'BEGIN { printf "+%.2f ms", (a - b) * 1000 }') per container); none / host: $(awk -v a="$none" -v b="$host" 'BEGIN { printf "%.2f×", a / b }')."
		echo
		echo "## TCP throughput: iperf3, one stream, ${SECONDS_PER_TEST} s, end.sum_received"
		echo
		echo "The six tests run in turn, $ROUNDS rounds. Servers:"
		echo
		for label in "${TESTS[@]}"; do
			echo "- $label: \`${SERVER[$label]}\`"
		done
		echo
		echo "f, slirp4netns with the flags mcstatic gives it, its own port forwarding:"
		echo
		echo '```'
		echo "$SLIRP_CMD"
		echo '```'
		echo
		throughput_table
		echo
		echo "| ratio | value |"
		echo "| --- | ---: |"
		echo "| b / a: forwarder, bridge, against direct (goal ≥ 70 %) | $(ratio "$b" "$a") |"
		echo "| c / a: bridge address, no forwarder, against direct | $(ratio "$c" "$a") |"
		echo "| d / a: forwarder, --net none, against direct | $(ratio "$d" "$a") |"
		echo "| e / f: mcstatic's forwarder against slirp4netns's own, slirp4netns | $(ratio "$e" "$f") |"
		echo
		echo "With -p, mcstatic's forwarder connects to the container with a socket made in the container's namespace (--net none, slirp4netns: by a helper in it, to its loopback; bridge: to its address), so e does not go through slirp4netns's TCP stack at all, where f does."
	} >"$OUT"
	cat "$OUT"
	log "wrote $OUT"
}

main() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	prepare
	startup
	servers
	throughput
	write_report
}

main "$@"
