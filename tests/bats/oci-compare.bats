#!/usr/bin/env bats
# tests/bats/oci-compare.bats — runc vs the runtime under test, side by side.
#
# Each test runs one scenario twice on the SAME bundle: first with runc 1.1
# (/usr/sbin/runc, installed by setup_file when missing; state root
# $T/state-runc), then with RT=${OCI_RUNTIME:-./mcstatic} (state root
# $T/state). A scenario prints a transcript — exit codes, stdout, statuses,
# normalised views of the container from inside — with nothing that varies
# from run to run (no pids, times, device numbers); the two transcripts must
# be equal. With OCI_RUNTIME=/usr/sbin/runc the file checks that the
# scenarios are deterministic. OCI_COMPARE_SHOW=1 with bats
# --show-output-of-passing-tests prints runc's transcripts.

load helpers
load oci-helpers

setup_file() { oci_setup_file; }

setup() {
	oci_setup
	RT0=$RT
}

teardown() {
	use_rt
	oci_teardown
}

use_runc() {
	RT=$RUNC
	STATE=$T/state-runc
}

use_rt() {
	RT=$RT0
	STATE=$T/state
}

# compare SCENARIO [ARGS...]: the transcripts of SCENARIO under runc and RT
# are equal (and not empty).
compare() {
	use_runc
	"$@" >"$T/transcript.runc"
	use_rt
	"$@" >"$T/transcript.rt"
	[[ -s $T/transcript.runc ]] || { fail "empty transcript from runc" || return 1; }
	# OCI_COMPARE_SHOW=1 shows runc's transcript (bats --show-output-of-passing-tests).
	[[ -z ${OCI_COMPARE_SHOW:-} ]] || cat "$T/transcript.runc"
	if ! cmp -s "$T/transcript.runc" "$T/transcript.rt"; then
		fail "runc (-) and $RT (+) differ:
$(diff -u "$T/transcript.runc" "$T/transcript.rt" | tail -n +3)" || return 1
	fi
}

# --- transcripts ------------------------------------------------------------------
#
# A scenario keeps going when a step misbehaves, so the diff shows every
# difference at once: waits and leftover checks print a transcript line
# instead of failing (the details go to stderr).

# left ID: a transcript line saying whether assert_no_leftovers ID holds.
left() {
	if assert_no_leftovers "$1" >&2; then
		echo "nothing left of $1"
	else
		echo "LEFTOVERS of $1 (see above)"
	fi
}

# waited ID STATUS: wait_status, reported in the transcript.
waited() {
	if wait_status "$1" "$2" >&2; then
		echo "$1 became $2"
	else
		echo "$1 did not become $2"
	fi
}

# n_pids ID: how many pids `ps --format json ID` lists.
n_pids() {
	rtc ps --format json "$1"
	python3 -c '
import json, sys
try:
    print(len(json.loads(sys.argv[1]) or []), "pids")
except ValueError:
    print("ps: not JSON")' "$output"
}

# fg ID ARG...: process.args ARG..., foreground run; exit code and stdout.
fg() {
	local id=$1
	shift
	bundle_args "$@"
	rtc run --bundle "$B" "$id"
	printf '[%s] exit %s\n%s\n' "$*" "$status" "$output"
	left "$id"
}

# The mount table seen from inside, one mount a line: mount point, mount
# options, optional fields without their peer-group numbers, fs type, super
# options. Mount ids, parent ids, major:minor, the root within the fs and the
# source are left out.
MOUNTINFO_NORM='awk '\''{
	line = $5 " " $6
	for (i = 7; $i != "-"; i++) { f = $i; sub(/:[0-9]+$/, "", f); line = line " " f }
	print line " - " $(i + 1) " " $(i + 3)
}'\'' /proc/self/mountinfo'

# Selected /proc/self/status lines: the identity, no_new_privs, the filter
# and the capabilities (none here: the bundle has no process.capabilities,
# and runc then drops them all).
STATUS_LINES='^(Uid|Gid|NoNewPrivs|Seccomp|CapEff|CapBnd):'

# --- foreground run -------------------------------------------------------------

scenario_run() {
	fg r1 sh -c 'echo hi'
	fg r1 sh -c 'exit 42'
	fg r1 /nonexistent/cmd
	fg r1 sh -c 'echo out; echo err >&2; exit 3'
	fg r1 sh -c 'echo $$; hostname; pwd; id'
	fg r1 sh -c 'sleep 100 & kill -9 $!; wait $!'
	fg r1 cat
}

@test "compare: foreground run — stdout and exit codes" {
	compare scenario_run
}

scenario_env() {
	fg r2 sh -c 'env | LC_ALL=C sort'
}

@test "compare: the process environment" {
	compare scenario_env
}

# --- status transitions, verb exit codes, state -----------------------------------

# The OCI fields of `state` (id status bundle rootfs; pid > 0) and the key set.
state_summary() {
	local json
	json=$(rt state "$1" 2>/dev/null </dev/null) || { echo "state $1 failed"; return 0; }
	python3 - "$json" <<'EOF'
import json, re, sys
s = json.loads(sys.argv[1])
keys = sorted(k for k in s if k != "annotations")
print("keys", " ".join(keys))
for k in ("id", "status", "bundle", "rootfs"):
    print(k, s.get(k))
print("pid>0", isinstance(s.get("pid"), int) and s["pid"] > 0)
t = s.get("created", "")
print("created rfc3339", bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", t)))
EOF
}

step() {
	rtc "$@"
	echo "$* → $status"
}

scenario_transitions() {
	bundle_args sh -c 'trap "exit 7" TERM; sleep 100 & wait'
	step create --bundle "$B" st
	state_summary st
	step start st
	state_summary st
	step start st
	step create --bundle "$B" st
	step delete st
	step pause st
	state_summary st
	step pause st
	step resume st
	state_summary st
	step resume st
	step list -q
	echo "$output"
	n_pids st
	step kill st TERM
	waited st stopped
	state_summary st
	step kill st KILL
	step start st
	# The code differs (runc 255, mcstatic 1: see oci.bats); both fail.
	rtc exec st true
	echo "exec in a stopped container fails: $((status != 0))"
	step delete st
	step state st
	step delete st
	step delete --force st
	step list -q
	echo "$output"
	left st
}

@test "compare: status transitions, verb exit codes, state fields" {
	compare scenario_transitions
}

# --- kill semantics -------------------------------------------------------------

# bg_run ID: a foreground `run` in the background; waits until it is running.
bg_run() {
	bg_start "$RT" --root "$STATE" run --bundle "$B" "$1" </dev/null >"$T/bg.out" 2>&1
	waited "$1" running
}

# bg_exit TEXT: "TEXT → " and the exit code of the bg_run (not in a $(...):
# a subshell cannot wait for the test shell's child).
bg_exit() {
	if wait_pid_status "$BG_PID" 10 >&2; then
		echo "$1 → $STATUS"
	else
		echo "$1 → no exit within 10 s"
	fi
}

scenario_kill() {
	local s
	# A foreground run ends with the container: 128 + the signal, or the
	# trap's code.
	bundle_args sleep 100
	bg_run k1
	step kill k1 KILL
	bg_exit "run killed by KILL"
	left k1

	bundle_args sh -c 'trap "exit 7" TERM; sleep 100 & wait'
	bg_run k1
	step kill k1
	bg_exit "run, TERM trapped"
	left k1

	# An init without a handler ignores TERM; --all reaches its children.
	bundle_args sh -c 'sleep 100 & sleep 100 & wait'
	step run --bundle "$B" --detach k2
	sleep 0.2
	step kill k2 TERM
	sleep 0.3
	echo "after TERM: $(state_field k2 status 2>&1)"
	step kill --all k2 TERM
	waited k2 stopped
	step delete k2

	# Signal spellings.
	bundle_args sleep 100
	for s in SIGKILL 9 kill 0 BOGUS 99; do
		step run --bundle "$B" --detach k3
		step kill k3 "$s"
		sleep 0.1
		echo "  → $(state_field k3 status 2>&1)"
		step delete --force k3
	done
	left k3
}

@test "compare: kill semantics (exit codes of run, TERM to init, --all, spellings)" {
	compare scenario_kill
}

# --- inside the container: mounts and identity ----------------------------------

scenario_inside() {
	bundle_args sh -c "$MOUNTINFO_NORM; grep -E '$STATUS_LINES' /proc/self/status"
	rtc run --bundle "$B" in1
	echo "exit $status"
	echo "$output"
	left in1
}

@test "compare: mountinfo and Uid/Gid/NoNewPrivs inside, default bundle" {
	compare scenario_inside
}

@test "compare: mountinfo and Uid/Gid/NoNewPrivs inside, uid 1000, noNewPrivileges" {
	bundle_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000}; c["process"]["noNewPrivileges"] = True'
	compare scenario_inside
}

@test "compare: mountinfo inside, read-only root and a read-only bind mount" {
	mkdir "$T/data"
	echo data >"$T/data/file"
	bundle_set "c['root']['readonly'] = True
c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': '$T/data', 'options': ['rbind', 'ro', 'nosuid']})
c['mounts'].append({'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nodev', 'mode=1777', 'size=1m']})"
	compare scenario_inside
}

@test "compare: mountinfo inside, masked and read-only paths" {
	bundle_set 'c["linux"]["maskedPaths"] = ["/proc/kcore", "/proc/keys", "/sys/firmware", "/proc/nosuch"]
c["linux"]["readonlyPaths"] = ["/proc/sys", "/proc/sysrq-trigger", "/proc/nosuch"]'
	compare scenario_inside
}

# --- exec -------------------------------------------------------------------------

scenario_exec() {
	bundle_args sleep 100
	step run --bundle "$B" --detach ex
	step exec ex sh -c 'hostname; pwd; id; exit 3'
	echo "$output"
	step exec --env A=B --cwd /tmp ex sh -c 'echo "$A"; pwd'
	echo "$output"
	step exec --user 65534:65534 ex sh -c "id; grep -E '$STATUS_LINES' /proc/self/status"
	echo "$output"
	step exec ex sh -c "$MOUNTINFO_NORM"
	echo "$output"
	step exec ex sh -c 'env | LC_ALL=C sort'
	echo "$output"
	step delete --force ex
	left ex
}

@test "compare: exec (stdout, exit code, --env/--cwd/--user, mounts, environment)" {
	compare scenario_exec
}
