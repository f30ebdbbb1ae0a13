#!/usr/bin/env bash
# bench/bench.sh — `make bench`: mcstatic side by side with runc, crun,
# bubblewrap, unshare and the syscall floor (bench/floor.c), all running
# /bin/true from one busybox rootfs in a new PID + mount namespace.
# Writes bench/results.md. Run as root; paths are relative to the repo; about
# 50 s on 2 cores.
#
# Knobs (environment): MCSTATIC (default ./mcstatic), ROOTFS (default ./rootfs),
# RUNS (50), ROUNDS (10), WARMUP (5), RUSAGE_RUNS (10), SEQ_COUNT (100), SEQ_RUNS (5),
# CONC_COUNT (20), CONC_RUNS (10), OUT (bench/results.md),
# MCSTATIC_FEATURES ("--user;--init;--memory 64M;--net none;--privileged;--seccomp
# unconfined": flags to cost when `mcstatic --help` lists them; the last two
# take the default defences away, so the difference is what they cost).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
MCSTATIC=${MCSTATIC:-./mcstatic}
ROOTFS=${ROOTFS:-rootfs}
RUNS=${RUNS:-50}
ROUNDS=${ROUNDS:-10}
WARMUP=${WARMUP:-5}
RUSAGE_RUNS=${RUSAGE_RUNS:-10}
SEQ_COUNT=${SEQ_COUNT:-100}
SEQ_RUNS=${SEQ_RUNS:-5}
CONC_COUNT=${CONC_COUNT:-20}
CONC_RUNS=${CONC_RUNS:-10}
OUT=${OUT:-bench/results.md}
MCSTATIC_FEATURES=${MCSTATIC_FEATURES:---user;--init;--memory 64M;--net none;--privileged;--seccomp unconfined}

# Every container id (and so every cgroup runc/crun create) starts with this,
# so cleanup can find exactly what this run left behind and nothing else.
ID=mcb$$
WORK=
NS_FILE=
CRUN_PREFIX=
LOAD_START=

declare -a KEYS=()
declare -A KIND=() LABEL=() BINARY=() HOW=() TEMPLATE=()

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }
note() { echo "$*" >>"$WORK/notes.txt"; log "note: $*"; }

# Quote words for hyperfine -N and eval (both follow POSIX shell-word rules).
quote() { printf '%q ' "$@" | sed 's/ $//'; }

python() { if [[ -x /usr/bin/python3 ]]; then /usr/bin/python3 "$@"; else python3 "$@"; fi; }

# ---- cleanup: containers, the crun mount namespace, cgroups, temp files ----

# delete_containers STATE_ROOT RUNTIME-COMMAND... — force-delete what is left.
delete_containers() {
	local root=$1 id
	shift
	[[ -d $root ]] || return 0
	for id in $("$@" --root "$root" list -q 2>/dev/null); do
		"$@" --root "$root" delete -f "$id" >/dev/null 2>&1
	done
}

cleanup() {
	set +e
	[[ -n $WORK && -d $WORK ]] || return 0
	delete_containers "$WORK/state-runc" runc
	[[ -x ${MCSTATIC:-} ]] && delete_containers "$WORK/state-mcstatic" "$MCSTATIC"
	if [[ -n $NS_FILE ]]; then
		delete_containers "$WORK/state-crun" nsenter --mount="$NS_FILE" crun
	else
		delete_containers "$WORK/state-crun" crun
	fi
	[[ -n $NS_FILE ]] && umount "$NS_FILE" 2>/dev/null
	mountpoint -q "$WORK/ns" && umount "$WORK/ns"
	# runc and crun remove their cgroups on exit; these are leftovers of a kill.
	find /sys/fs/cgroup -maxdepth 5 -depth -type d -name "$ID-*" -exec rmdir {} + 2>/dev/null
	rm -rf --one-file-system "$WORK"
}

# ---- preparation ----

prepare() {
	cd "$REPO"
	[[ $(id -u) -eq 0 ]] || die "needs root (namespaces, pivot_root, cgroups)"
	tests/deps.sh hyperfine runc crun bubblewrap python3
	build_helper floor
	build_helper rusage
	if [[ ! -x $ROOTFS/bin/busybox ]]; then
		rootfs-build/busybox.sh "$ROOTFS"
	fi
	ROOTFS=$(cd "$ROOTFS" && pwd -P)
	LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
	WORK=$(mktemp -d /tmp/mcbench.XXXXXX)
	: >"$WORK/notes.txt"
	: >"$WORK/rows.tsv"
}

# bench/NAME.c → bench/build/NAME, static: the floor and the rusage helper
# must not pay for a dynamic loader.
build_helper() {
	local name=$1
	mkdir -p bench/build
	[[ bench/build/$name -nt bench/$name.c ]] && return 0
	log "building bench/build/$name"
	musl-gcc -std=c11 -Wall -Wextra -Werror -static -O2 -s -o "bench/build/$name" "bench/$name.c"
}

# The runc spec defaults (pid, network, ipc, uts, mount namespaces; /dev,
# /dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup mounts; read-only root;
# device cgroup deny-all), with terminal off, /bin/true, and our rootfs by
# absolute path so no copy or bind mount is needed. $2 drops linux.resources.
make_bundle() {
	local dir=$1 drop_resources=$2
	mkdir -p "$dir"
	(cd "$dir" && runc spec)
	python - "$dir/config.json" "$ROOTFS" "$drop_resources" <<-'EOF'
		import json, sys
		path, rootfs, drop = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
		c = json.load(open(path))
		c["process"]["terminal"] = False
		c["process"]["args"] = ["/bin/true"]
		c["root"]["path"] = rootfs
		if drop:
		    c["linux"].pop("resources", None)
		json.dump(c, open(path, "w"), indent=1)
	EOF
}

namespaces_of() {
	python -c 'import json,sys; print(", ".join(n["type"] for n in json.load(open(sys.argv[1]))["linux"]["namespaces"]))' "$1/config.json"
}

# crun 1.8 refuses hybrid cgroups ("drop all controllers from cgroupv2") when
# the v2 hierarchy has a controller (hugetlb here), even with
# --cgroup-manager=disabled: the check comes first. So crun runs in a private
# mount namespace where /sys/fs/cgroup is a cgroup2 mount, entered with
# nsenter; the namespace is made once and pinned to a file, so each run pays
# only for nsenter (measured on its own row). Sets CRUN_PREFIX and NS_FILE.
setup_crun_ns() {
	local fs controllers=""
	CRUN_PREFIX=
	fs=$(stat -fc %T /sys/fs/cgroup)
	[[ -r /sys/fs/cgroup/unified/cgroup.controllers ]] && controllers=$(</sys/fs/cgroup/unified/cgroup.controllers)
	if [[ $fs == cgroup2fs || -z $controllers ]]; then
		return 0
	fi
	mkdir -p "$WORK/ns"
	# unshare --mount=FILE needs FILE on a private mount, or the pin would loop.
	mount --bind "$WORK/ns" "$WORK/ns"
	mount --make-private "$WORK/ns"
	touch "$WORK/ns/mnt"
	NS_FILE=$WORK/ns/mnt
	unshare --mount="$NS_FILE" --propagation private mount -t cgroup2 cgroup2 /sys/fs/cgroup
	CRUN_PREFIX="$(quote nsenter --mount="$NS_FILE") "
}

cgroup_mode() {
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
		echo "cgroup v2"
	elif [[ -d /sys/fs/cgroup/unified ]]; then
		echo "cgroup v1 (hybrid host)"
	else
		echo "cgroup v1"
	fi
}

# crun gets runc's bundle when it can run it; where it cannot (see the
# notes), the same config without linux.resources.
define_crun_rows() {
	local bundle=$WORK/bundle config="runc spec config" via="" err crun
	crun=$(command -v crun)
	setup_crun_ns
	if [[ -n $CRUN_PREFIX ]]; then
		via="; entered with nsenter: a private mount namespace with cgroup2 at /sys/fs/cgroup"
		add_row nsenter aux "nsenter alone" "$(command -v nsenter)" "the wrapper crun pays for, on /bin/true" \
			"${CRUN_PREFIX}/bin/true"
		note "crun: this host has hybrid cgroups with a controller ($(</sys/fs/cgroup/unified/cgroup.controllers)) on the v2 hierarchy, which crun 1.8 refuses, even with --cgroup-manager=disabled (the check comes first). Both crun rows enter (nsenter) a private mount namespace with cgroup2 mounted at /sys/fs/cgroup, made once per run. The 'nsenter alone' row is that wrapper's own cost."
	fi
	if ! err=$(eval "${CRUN_PREFIX}$(quote "$crun" --root "$WORK/state-crun" run --bundle "$bundle") $ID-crunprobe" 2>&1); then
		make_bundle "$WORK/bundle-crun" 1
		bundle=$WORK/bundle-crun
		config+=" without linux.resources"
		note "crun runs the runc spec config without linux.resources (device cgroup deny-all): with it, crun failed here with \"$(echo "$err" | head -n 1)\". (crun raises RLIMIT_MEMLOCK before loading its device eBPF program, which needs CAP_SYS_RESOURCE.) With cgroups on, crun still creates and removes a cgroup per container."
	fi
	local how
	how="$(namespaces_of "$bundle"); $config"
	add_row crun runtime "crun (cgroups on)" "$crun" "$how; cgroupfs manager$via" \
		"${CRUN_PREFIX}$(quote crun --root "$WORK/state-crun" run --bundle "$bundle") $ID-crun-@N@"
	add_row crun-nocg runtime "crun (cgroups off)" "$crun" "$how; --cgroup-manager=disabled$via" \
		"${CRUN_PREFIX}$(quote crun --root "$WORK/state-crun" --cgroup-manager=disabled run --bundle "$bundle") $ID-crunnocg-@N@"
	add_row crun-cycle aux "crun create+start+delete" "$crun" "bench/lifecycle.sh: the engines' sequence; $how$via" \
		"${CRUN_PREFIX}$(quote sh "$REPO/bench/lifecycle.sh" crun "$WORK/state-crun" "$bundle") $ID-cruncycle-@N@"
}

# ---- the rows: one per command, in table order ----

# add_row KEY KIND LABEL BINARY HOW TEMPLATE — TEMPLATE is the command, with
# @N@ where a container id needs a per-run suffix.
add_row() {
	local key=$1
	KEYS+=("$key")
	KIND[$key]=$2 LABEL[$key]=$3 BINARY[$key]=$4 HOW[$key]=$5 TEMPLATE[$key]=$6
}

cmd_for() { local t=${TEMPLATE[$1]}; echo "${t//@N@/$2}"; }

# Run a row's command twice (twice: a fixed container id must be reusable)
# and drop the row with a note if it fails.
probe() {
	local key=$1 cmd err
	cmd=$(cmd_for "$key" x)
	if ! err=$(eval "$cmd" 2>&1 && eval "$cmd" 2>&1); then
		note "${LABEL[$key]} skipped: \`$cmd\` failed: $(echo "$err" | head -n 3 | tr '\n' ' ' | sed 's/ *$//')"
		return 1
	fi
}

mcstatic_rows() {
	local mc help flag f flags
	if [[ ! -x $MCSTATIC ]]; then
		note "mcstatic skipped: $MCSTATIC does not exist yet (build it with make, or set MCSTATIC)"
		return 0
	fi
	mc=$(cd "$(dirname "$MCSTATIC")" && pwd -P)/$(basename "$MCSTATIC")
	MCSTATIC=$mc
	add_row mcstatic runtime mcstatic "$mc" "pid, mount; pivot_root" "$(quote "$mc" --pid --rootfs "$ROOTFS" /bin/true)"
	help=$("$mc" --help 2>&1 || true)
	if grep -q -- '--bundle' <<<"$help"; then
		add_row mcstatic-oci runtime "mcstatic run (OCI)" "$mc" "runc's bundle; $(namespaces_of "$WORK/bundle")" \
			"$(quote "$mc" --root "$WORK/state-mcstatic") run --bundle $(quote "$WORK/bundle") $ID-mcstatic-@N@"
		add_row mcstatic-cycle aux "mcstatic create+start+delete" "$mc" "bench/lifecycle.sh: the engines' sequence" \
			"$(quote sh "$REPO/bench/lifecycle.sh" "$mc" "$WORK/state-mcstatic" "$WORK/bundle") $ID-mccycle-@N@"
	fi
	IFS=';' read -ra flags <<<"$MCSTATIC_FEATURES"
	for f in "${flags[@]}"; do
		flag=${f%% *}
		grep -qE -- "(^|[[:space:],])${flag}([[:space:]=,[]|$)" <<<"$help" || continue
		# $f is split on purpose: "--memory 64M" is two words.
		# shellcheck disable=SC2086
		add_row "mcstatic$flag" feature "mcstatic $f" "$mc" "$f" \
			"$(quote "$mc" --pid --rootfs "$ROOTFS" $f /bin/true)"
	done
}

define_rows() {
	local floor
	floor=$REPO/bench/build/floor
	make_bundle "$WORK/bundle" 0
	add_row floor runtime floor "$floor" "pid, mount; pivot_root; bench/floor.c" "$(quote "$floor" "$ROOTFS" /bin/true)"
	mcstatic_rows
	add_row unshare runtime "unshare" "$(command -v unshare)" "pid, mount; chroot, no pivot_root" \
		"$(quote unshare --pid --fork --mount-proc --root="$ROOTFS" /bin/true)"
	add_row bwrap runtime "bwrap" "$(command -v bwrap)" "pid, mount; pivot_root" \
		"$(quote bwrap --unshare-pid --bind "$ROOTFS" / --proc /proc --dev /dev /bin/true)"
	define_crun_rows
	add_row runc runtime "runc" "$(command -v runc)" "$(namespaces_of "$WORK/bundle"); runc spec config; $(cgroup_mode)" \
		"$(quote runc --root "$WORK/state-runc" run --bundle "$WORK/bundle") $ID-runc-@N@"
	add_row runc-cycle aux "runc create+start+delete" "$(command -v runc)" "bench/lifecycle.sh: the engines' sequence" \
		"$(quote sh "$REPO/bench/lifecycle.sh" runc "$WORK/state-runc" "$WORK/bundle") $ID-runccycle-@N@"
	add_row payload payload "payload alone" "$ROOTFS/bin/busybox" "no container: the rootfs's /bin/true run directly" \
		"$(quote "$ROOTFS/bin/true")"
}

# Keep only rows that work, and write rows.tsv for report.py.
check_rows() {
	local key kept=()
	for key in "${KEYS[@]}"; do
		probe "$key" || continue
		kept+=("$key")
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "${KIND[$key]}" "${LABEL[$key]}" "${BINARY[$key]}" \
			"${HOW[$key]}" "$(cmd_for "$key" x)" >>"$WORK/rows.tsv"
	done
	KEYS=("${kept[@]}")
}

# ---- the runs ----

hyperfine_run() {
	local json=$1; shift
	hyperfine -N --style basic --export-json "$json" "$@" >&2
}

run_start() {
	local key args=()
	for key in "${KEYS[@]}"; do
		args+=(-n "$key" "$(cmd_for "$key" x)")
	done
	# hyperfine runs one command after the other. Splitting the runs into
	# rounds spreads a burst of background load over every command instead of
	# one, so the ratios stay paired; report.py merges the rounds.
	local round per_round=$(((RUNS + ROUNDS - 1) / ROUNDS))
	for ((round = 1; round <= ROUNDS; round++)); do
		log "start /bin/true: round $round of $ROUNDS, $per_round runs each"
		hyperfine_run "$WORK/main-$round.json" --warmup "$WARMUP" --runs "$per_round" "${args[@]}"
	done
	run_rusage
}

# rusage.tsv: key, median user+sys ms, largest ru_maxrss KiB, largest RSS at exit KiB.
run_rusage() {
	local key out cpu maxrss exitrss
	log "cpu and memory: $RUSAGE_RUNS runs each, plain and traced"
	: >"$WORK/rusage.tsv"
	for key in "${KEYS[@]}"; do
		if ! out=$(eval "bench/build/rusage $RUSAGE_RUNS $(cmd_for "$key" x)"); then
			note "${LABEL[$key]}: no CPU/memory figures, bench/build/rusage failed"
			continue
		fi
		read -r cpu maxrss exitrss <<<"$out"
		printf '%s\t%s\t%s\t%s\n' "$key" "$cpu" "$maxrss" "$exitrss" >>"$WORK/rusage.tsv"
	done
}

# Loops only for the runtimes. Container ids get the loop index: unique, as
# concurrent runc/crun containers need.
run_loops() {
	local key cmd seq=() conc=()
	for key in "${KEYS[@]}"; do
		[[ ${KIND[$key]} == runtime ]] || continue
		# shellcheck disable=SC2016 # $i expands in the loop's sh, not here
		cmd=$(cmd_for "$key" '$i')
		seq+=(-n "$key" "sh -ec 'for i in \$(seq $SEQ_COUNT); do $cmd; done'")
		conc+=(-n "$key" "sh -c 'p=; for i in \$(seq $CONC_COUNT); do $cmd & p=\"\$p \$!\"; done; for j in \$p; do wait \$j || exit 1; done'")
	done
	log "$SEQ_COUNT containers in sequence: $SEQ_RUNS runs each"
	hyperfine_run "$WORK/seq.json" --runs "$SEQ_RUNS" "${seq[@]}"
	log "$CONC_COUNT containers concurrently: $CONC_RUNS runs each"
	hyperfine_run "$WORK/conc.json" --warmup 1 --runs "$CONC_RUNS" "${conc[@]}"
}

write_report() {
	# meta.json: run parameters for report.py, passed as argv to avoid quoting.
	python - "$WORK/meta.json" rootfs="$ROOTFS" work="$WORK" repo="$REPO" load_start="$LOAD_START" \
		rounds="$ROUNDS" runs="$((ROUNDS * ((RUNS + ROUNDS - 1) / ROUNDS)))" warmup="$WARMUP" \
		rusage_runs="$RUSAGE_RUNS" seq_count="$SEQ_COUNT" seq_runs="$SEQ_RUNS" \
		conc_count="$CONC_COUNT" conc_runs="$CONC_RUNS" hyperfine="$(hyperfine --version | cut -d' ' -f2)" <<-'EOF'
		import json, sys
		meta = dict(arg.split("=", 1) for arg in sys.argv[2:])
		meta = {k: int(v) if v.isdigit() else v for k, v in meta.items()}
		json.dump(meta, open(sys.argv[1], "w"), indent=1)
	EOF
	python bench/report.py "$WORK" "$OUT"
	cat "$OUT"
	log "wrote $OUT"
}

main() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	prepare
	define_rows
	check_rows
	run_start
	run_loops
	write_report
}

main "$@"
