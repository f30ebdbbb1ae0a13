# tests/bats/oci-helpers.bash — shared set-up for the OCI runtime verb tests
# (oci.bats, oci-compare.bats). Every such file does:
#     load helpers
#     load oci-helpers
#     setup_file() { oci_setup_file; }
#     setup()      { oci_setup; }
#     teardown()   { oci_teardown; }
#
# The runtime under test is RT=${OCI_RUNTIME:-$MC}: the same tests run against
# runc (OCI_RUNTIME=/usr/sbin/runc), the reference the verbs are modelled on,
# and against ./mcstatic. Every call passes --root "$STATE" (a per-test state
# root), so nothing touches /run/runc or /run/mcstatic.
#
# The bundle ($B) is written here, not by `RT spec` (that verb has its own
# test): a copy of the repo's busybox rootfs and a config.json shaped like
# `runc spec`'s, minus what would make the tests depend on more than the verbs
# (no capabilities, seccomp, rlimits, masked paths, network namespace). Its
# process.env carries MC_BATS_TAG, so helpers.bash's leftover scan sees every
# container process (a runtime passes process.env, not its own environment).
# Its linux.cgroupsPath is $CG, unique to the test, so leftover cgroups are
# easy to find (cg_dirs). A test that runs two containers at once gives the
# second its own path (bundle_set with "$CG-2" or so): under the same path
# they would share one cgroup and `delete` of one would kill both.
#
# Runtimes start containers whose stdio is the runtime's stdio; a container
# that outlives the runtime (create, run --detach) would hold a bats `run`
# pipe open and hang the test. rtc therefore captures into files, never pipes.

RT=${OCI_RUNTIME:-$MC}
RUNC=/usr/sbin/runc

# setup_file: runc is the reference; install it when missing (oci-compare.bats
# needs it whatever RT is).
oci_setup_file() {
	# runc is the reference; python3 edits the bundles' config.json.
	if [[ ! -x $RUNC ]] || ! command -v python3 >/dev/null; then
		"$REPO/tests/deps.sh" runc python3 >&2 || return 1
	fi
	[[ -x $RUNC ]] || { echo "oci_setup_file: $RUNC missing after tests/deps.sh runc" >&2; return 1; }
}

oci_setup() {
	common_setup || return 1
	STATE=$T/state
	B=$T/b
	CG=/mcstatic-test/$MC_BATS_TAG
	RTC_N=0
	OCI_EXTRA_DIRS=()
	make_bundle "$B" "$CG"
}

# ---------------------------------------------------------------------------
# bundles
# ---------------------------------------------------------------------------

# make_bundle DIR CGROUPS_PATH: DIR/rootfs (a copy of $ROOTFS) and DIR/config.json.
make_bundle() {
	local dir=$1 cg=$2
	mkdir -p "$dir"
	cp -a "$ROOTFS" "$dir/rootfs"
	cat >"$dir/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": {"uid": 0, "gid": 0},
		"args": ["sh", "-c", "echo hi"],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm",
			"MC_BATS_TAG=$MC_BATS_TAG"
		],
		"cwd": "/"
	},
	"root": {"path": "rootfs", "readonly": false},
	"hostname": "oci",
	"mounts": [
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		 "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
		{"destination": "/dev/pts", "type": "devpts", "source": "devpts",
		 "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
		{"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		 "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
		{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		 "options": ["nosuid", "noexec", "nodev"]},
		{"destination": "/sys", "type": "sysfs", "source": "sysfs",
		 "options": ["nosuid", "noexec", "nodev", "ro"]}
	],
	"linux": {
		"cgroupsPath": "$cg",
		"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]
	}
}
EOF
}

# bundle_set PY [DIR]: run the Python statement(s) PY with c = DIR/config.json
# (default $B) parsed, then write c back. E.g.
#     bundle_set 'c["process"]["args"]=["sh","-c","echo hi"]'
bundle_set() {
	local dir=${2:-$B}
	python3 - "$dir/config.json" "$1" <<'EOF'
import json, sys
path, code = sys.argv[1], sys.argv[2]
with open(path) as f:
    c = json.load(f)
exec(code)
with open(path, "w") as f:
    json.dump(c, f, indent=1)
EOF
}

# bundle_args ARG...: process.args of $B.
bundle_args() {
	python3 - "$B/config.json" "$@" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as f:
    c = json.load(f)
c["process"]["args"] = sys.argv[2:]
with open(path, "w") as f:
    json.dump(c, f, indent=1)
EOF
}

# ---------------------------------------------------------------------------
# running the runtime
# ---------------------------------------------------------------------------

# rt ARG...: the runtime with this test's state root.
rt() {
	"$RT" --root "$STATE" "$@"
}

# rtc ARG...: like bats' `run --separate-stderr rt ARG...` but through files
# (see the header), stdin /dev/null, and a 20 s timeout (exit 124) so a hang
# fails the test instead of blocking the suite. Sets status, output, lines,
# stderr, stderr_lines.
rtc() {
	local out err
	RTC_N=$((RTC_N + 1))
	out=$T/rtc.$RTC_N.out
	err=$T/rtc.$RTC_N.err
	status=0
	timeout -k 2 "${RTC_TIMEOUT:-20}" "$RT" --root "$STATE" "$@" </dev/null >"$out" 2>"$err" || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
	lines=() stderr_lines=()
	[[ -n $output ]] && mapfile -t lines <<<"$output"
	[[ -n $stderr ]] && mapfile -t stderr_lines <<<"$stderr"
	return 0
}

# expect_status N: $status (from rtc) is N; show stdout/stderr otherwise.
expect_status() {
	if [[ $status != "$1" ]]; then
		fail "expected exit status $1, got $status
stdout: $output
stderr: $stderr" || return 1
	fi
}

# expect_one_error_line: stderr (from rtc) is exactly one non-empty line.
expect_one_error_line() {
	if ((${#stderr_lines[@]} != 1)) || [[ -z ${stderr_lines[0]} ]]; then
		fail "expected exactly one error line on stderr, got ${#stderr_lines[@]}:
$stderr" || return 1
	fi
}

# expect_stderr_has TEXT...: every TEXT (fixed string, case-insensitive) is in stderr.
expect_stderr_has() {
	local t
	for t in "$@"; do
		if ! grep -qiF -- "$t" <<<"$stderr"; then
			fail "stderr does not mention '$t':
$stderr" || return 1
		fi
	done
}

# rt_create ID [OPTS...] / rt_run_detached ID [OPTS...]: must succeed.
rt_create() {
	local id=$1
	shift
	rtc create --bundle "$B" "$@" "$id"
	expect_status 0 || return 1
}

rt_run_detached() {
	local id=$1
	shift
	rtc run --bundle "$B" --detach "$@" "$id"
	expect_status 0 || return 1
}

# state_field ID KEY: one field of `state ID` (JSON); fails if state fails.
state_field() {
	local json
	json=$(rt state "$1" 2>/dev/null </dev/null) || { fail "state $1 failed" || return 1; }
	python3 -c 'import json, sys; v = json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else v)' \
		"$json" "$2"
}

# wait_status ID STATUS [SECONDS]: poll `state ID` until its status is STATUS.
wait_status() {
	local id=$1 want=$2 secs=${3:-5} i got=
	for ((i = 0; i < secs * 20; i++)); do
		got=$(state_field "$id" status 2>/dev/null) || got='(state failed)'
		[[ $got == "$want" ]] && return 0
		sleep 0.05
	done
	fail "container $id: status '$got', expected '$want' within ${secs}s" || return 1
}

# pid_gone PID: the process does not exist or is a zombie (a created container's
# init is reparented to PID 1, which may reap it late).
pid_gone() {
	local st
	[[ -e /proc/$1 ]] || return 0
	st=$(awk '/^State:/{print $2}' /proc/"$1"/status 2>/dev/null)
	[[ -z $st || $st == Z ]]
}

# wait_pid_gone PID [SECONDS]
wait_pid_gone() {
	local i secs=${2:-3}
	for ((i = 0; i < secs * 20; i++)); do
		pid_gone "$1" && return 0
		sleep 0.05
	done
	fail "pid $1 is still alive: $(tr '\0' ' ' </proc/"$1"/cmdline 2>/dev/null)" || return 1
}

# ---------------------------------------------------------------------------
# cgroups
# ---------------------------------------------------------------------------

# cg_roots: every cgroup hierarchy mount point (v1 controllers, name=systemd,
# the hybrid unified one, or the cgroup2 root on a unified host).
cg_roots() {
	awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts | LC_ALL=C sort -u
}

# cg_dirs CGROUPS_PATH: the directories of that cgroup that exist, one a line.
cg_dirs() {
	local r
	for r in $(cg_roots); do
		[[ -d $r$1 ]] && echo "$r$1"
	done
	return 0
}

# cg_file CONTROLLER FILE [CGROUPS_PATH]: path of a controller file of the
# container's cgroup (v1: /sys/fs/cgroup/CONTROLLER/PATH/FILE; unified: one tree).
cg_file() {
	local ctl=$1 file=$2 cg=${3:-$CG}
	if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
		echo "/sys/fs/cgroup$cg/$file"
	else
		echo "/sys/fs/cgroup/$ctl$cg/$file"
	fi
}

# ---------------------------------------------------------------------------
# nothing left
# ---------------------------------------------------------------------------

# assert_no_leftovers ID [CGROUPS_PATH]: no state dir, no cgroup directory of
# the cgroups path in any hierarchy, and helpers.bash's checks (no process with
# our tag, mount table unchanged).
assert_no_leftovers() {
	local id=$1 cg=${2:-$CG} d
	# (An ID like '..' names no directory of its own: assert_state_root_empty.)
	if [[ $id != . && $id != .. && -e $STATE/$id ]]; then
		fail "state dir $STATE/$id is still there: $(ls -A "$STATE/$id" 2>&1)" || return 1
	fi
	d=$(cg_dirs "$cg")
	if [[ -n $d ]]; then
		fail "cgroup directories left: $d" || return 1
	fi
	assert_nothing_left
}

# assert_state_root_empty: no container at all under $STATE (the root itself may exist).
assert_state_root_empty() {
	local left
	left=$(ls -A "$STATE" 2>/dev/null) || true
	if [[ -n $left ]]; then
		fail "state root $STATE is not empty: $left" || return 1
	fi
}

# Remove what a failed test left: containers (delete --force with the runtime
# that made them), then cgroups of this test (kill their processes by PID —
# they are ours, the cgroup names carry our tag), then the common checks.
# Containers still present make the test fail: a passing test deletes its own.
oci_teardown() {
	local pair rt root d id left=() pid r
	for pair in "$RT|$T/state" "$RUNC|$T/state-runc"; do
		rt=${pair%%|*}
		root=${pair#*|}
		for d in "$root"/*/; do
			[[ -d $d ]] || continue
			id=$(basename "$d")
			left+=("$id")
			timeout -k 2 10 "$rt" --root "$root" delete --force "$id" </dev/null >/dev/null 2>&1 || true
		done
	done
	for r in $(cg_roots); do
		for d in "$r"/mcstatic-test/"$MC_BATS_TAG"*; do
			[[ -d $d ]] || continue
			left+=("cgroup:$d")
			for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do
				kill -KILL "$pid" 2>/dev/null || true
			done
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				rmdir "$d" 2>/dev/null && break
				sleep 0.05
			done
		done
		# The shared parent: runc leaves it; removing it fails while in use.
		rmdir "$r/mcstatic-test" 2>/dev/null || true
	done
	for d in "${OCI_EXTRA_DIRS[@]}"; do
		rm -rf "$d"
	done
	common_teardown || return 1
	if ((${#left[@]})); then
		fail "teardown: the test left containers/cgroups (removed them): ${left[*]}" || return 1
	fi
}
