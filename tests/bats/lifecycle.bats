#!/usr/bin/env bats
# lifecycle.bats — detached containers (-d) and the verbs on them: ps, logs,
# stop, wait, rm, restart, kill, the restart policies, what survives what, and
# what the OCI verbs see of them.
#
# Every test keeps its own --root under $T and names starting with $P; the
# teardown removes every container there with rm -f and then checks nothing
# is left: no state dir, no mcstatic/$P* cgroup in any hierarchy, none of the
# processes the test recorded (pid + start time, a zombie counts as gone).

load helpers

setup() {
	common_setup || return 1
	R="$T/root"
	P="lt$BATS_TEST_NUMBER-$$-"
	WATCH=()
}

teardown() {
	local n problems=''

	for n in $(ls -A "$R" 2>/dev/null); do
		"$MC" --root "$R" rm -f "$n" >/dev/null 2>&1 || true
	done
	problems+=$(life_leftovers)
	common_teardown || return 1
	[[ -z $problems ]] || fail "teardown: left behind:$problems"
}

mc() { "$MC" --root "$R" "$@"; }

# life_leftovers: what teardown finds (empty when nothing).
life_leftovers() {
	local d w pid start i
	# rm -f waits for the supervisor; give its zombie a moment to be reaped.
	for ((i = 0; i < 40; i++)); do
		[[ -z $(ls -A "$R" 2>/dev/null) ]] && break
		sleep 0.05
	done
	[[ -n $(ls -A "$R" 2>/dev/null) ]] && printf '\n  state: %s' "$(ls -A "$R")"
	for d in /sys/fs/cgroup/*/mcstatic/"$P"*; do
		[[ -e $d ]] && printf '\n  cgroup %s' "$d"
	done
	for w in "${WATCH[@]}"; do
		pid=${w%:*} start=${w#*:}
		for ((i = 0; i < 40; i++)); do
			proc_alive "$pid" "$start" || continue 2
			sleep 0.05
		done
		printf '\n  process %s: %s' "$pid" "$(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)"
	done
	return 0
}

# proc_start PID: its start time (field 22 of /proc/PID/stat).
proc_start() {
	local stat
	stat=$(cat /proc/"$1"/stat 2>/dev/null) || return 1
	stat=${stat##*) }
	# After the comm: field 3 is the state, 22 the start time.
	set -- $stat
	echo "${20}"
}

# proc_alive PID START: the same process still runs (not a zombie).
proc_alive() {
	local stat want=$2
	stat=$(cat /proc/"$1"/stat 2>/dev/null) || return 1
	stat=${stat##*) }
	set -- $stat
	[[ $1 != Z && $1 != X && ${20} == "$want" ]]
}

# watch_pid PID: teardown checks that it is gone.
watch_pid() {
	local s
	s=$(proc_start "$1") || return 0
	WATCH+=("$1:$s")
}

# life NAME FIELD...: a value from state.json (top level or "life" object).
field() {
	python3 - "$R/$1/state.json" "${@:2}" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k]
print(str(v).lower() if isinstance(v, bool) else v)
EOF
}

# launch NAME ARGS...: -d --name NAME; asserts it printed the name, and sets
# CPID (the container's pid) and SPID (the supervisor's), both watched.
launch() {
	local name=$1
	shift
	run --separate-stderr "$MC" --root "$R" -d --name "$name" "$@"
	[[ $status == 0 ]] || fail "-d $name exited $status: $stderr" || return 1
	[[ $output == "$name" ]] || fail "-d printed '$output', not '$name'" || return 1
	CPID=$(field "$name" pid)
	SPID=$(field "$name" life supervisor)
	watch_pid "$CPID"
	watch_pid "$SPID"
}

# until_true SECS CMD...: poll CMD every 50 ms until it succeeds.
until_true() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 20; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	fail "not within ${secs}s: $*"
}

log_has() { mc logs "$1" 2>&1 | grep -qxF -- "$2"; }
log_count() { mc logs "$1" 2>/dev/null | grep -cxF -- "$2"; }
is_status() { [[ $(field "$1" status) == "$2" ]]; }
pid_changed() { [[ $(field "$1" pid) != "$2" ]] && is_status "$1" running; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------------------
# -d and ps
# ---------------------------------------------------------------------------

@test "lifecycle: -d prints the name and returns at once; ps shows its PID and COMMAND; the pid runs sleep" {
	local t0 t1
	t0=$(now_ms)
	launch "${P}web" --pid --rootfs "$ROOTFS" sleep 100
	t1=$(now_ms)
	# sleep 100 runs on: -d must not wait for it.
	((t1 - t0 < 3000)) || fail "-d took $((t1 - t0)) ms"
	[[ $(tr '\0' ' ' </proc/"$CPID"/cmdline) == "sleep 100 " ]]
	proc_alive "$CPID" "$(proc_start "$CPID")"
	run --separate-stderr mc ps
	assert_success
	assert_line --index 0 --regexp '^NAME +STATUS +PID +COMMAND$'
	assert_line --index 1 --regexp "^${P}web +Up .* +$CPID +sleep 100\$"
	[[ ${#lines[@]} == 2 ]]
}

@test "lifecycle: -d without --name makes a 12-hex ID" {
	run --separate-stderr mc -d sleep 100
	assert_success
	[[ $output =~ ^[0-9a-f]{12}$ ]] || fail "ID '$output'"
	local id=$output
	watch_pid "$(field "$id" pid)"
	watch_pid "$(field "$id" life supervisor)"
	is_status "$id" running
	run mc ps
	assert_line --index 1 --regexp "^$id +Up "
}

@test "lifecycle: ps lists running ones only, ps -a the exited ones too; --format json parses" {
	launch "${P}up" sleep 100
	launch "${P}done" sh -c 'exit 4'
	run mc wait "${P}done"
	[[ $output == 4 ]]
	run --separate-stderr mc ps
	assert_success
	assert_line --regexp "^${P}up +Up "
	refute_line --partial "${P}done"
	run --separate-stderr mc ps -a
	assert_success
	assert_line --regexp "^${P}up +Up .* +[0-9]+ +sleep 100\$"
	assert_line --regexp "^${P}done +Exited \(4\) .* +- +sh -c exit 4\$"
	run --separate-stderr mc ps -a --format json
	assert_success
	python3 -c '
import json, sys
got = {c["Name"]: c for c in json.loads(sys.argv[1])}
up, done = got[sys.argv[2] + "up"], got[sys.argv[2] + "done"]
assert up["State"] == "running" and up["Pid"] > 0, up
assert done["State"] == "exited" and done["ExitCode"] == 4, done
assert done["Pid"] == 0 and done["Command"] == "sh -c exit 4", done
assert len(got) == 2, got
' "$output" "$P"
	run --separate-stderr mc ps --format json
	python3 -c 'import json, sys; assert len(json.loads(sys.argv[1])) == 1' "$output"
}

# ---------------------------------------------------------------------------
# logs
# ---------------------------------------------------------------------------

@test "lifecycle: logs keeps stdout and stderr apart, after the container has exited" {
	launch "${P}l" sh -c 'echo out1; echo err1 >&2; echo out2; echo err2 >&2'
	run mc wait "${P}l"
	assert_success
	if proc_alive "$CPID" "$(proc_start "$CPID")"; then fail "container still runs"; fi
	mc logs "${P}l" >"$T/out" 2>"$T/err"
	[[ $(cat "$T/out") == $'out1\nout2' ]] || fail "stdout: $(cat "$T/out")"
	[[ $(cat "$T/err") == $'err1\nerr2' ]] || fail "stderr: $(cat "$T/err")"
}

@test "lifecycle: logs --tail N prints the last N lines; -t puts an RFC 3339 time before each" {
	launch "${P}l" sh -c 'for i in 1 2 3 4 5; do echo line$i; done'
	mc wait "${P}l"
	run --separate-stderr mc logs --tail 2 "${P}l"
	assert_success
	[[ $output == $'line4\nline5' ]] || fail "--tail 2: $output"
	run --separate-stderr mc logs --tail 0 "${P}l"
	[[ -z $output ]]
	run --separate-stderr mc logs -t "${P}l"
	assert_success
	[[ ${#lines[@]} == 5 ]]
	assert_line --index 0 --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+Z line1$'
	assert_line --index 4 --regexp '^[0-9-]+T[0-9:.]+Z line5$'
}

@test "lifecycle: logs -f follows new lines and ends when the container stops" {
	launch "${P}f" sh -c 'echo first; while [ ! -e '"$T"'/go ]; do sleep 0.05; done; echo second; sleep 100'
	bg_start "$MC" --root "$R" logs -f "${P}f" >"$T/follow"
	local lp=$BG_PID
	wait_for_file_line "$T/follow" first 5
	touch "$T/go"
	# A line written after logs -f started shows up...
	wait_for_file_line "$T/follow" second 5
	# ...and it is still following while the container runs.
	kill -0 "$lp"
	mc stop -t 1 "${P}f" >/dev/null
	wait_pid_status "$lp" 5
	[[ $STATUS == 0 ]]
	[[ $(cat "$T/follow") == $'first\nsecond' ]]
}

@test "lifecycle: --log-max-size rotates into container.log.1 and logs still prints the newest lines in order" {
	# 200 lines of ~100 bytes: 20 kB through a 4 kB log.
	launch "${P}r" --log-max-size 4k sh -c 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); printf "%03d %s\n" $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done'
	mc wait "${P}r"
	[[ -f $R/${P}r/container.log.1 ]]
	# Only the live file and one old one, each within the limit.
	[[ $(ls "$R/${P}r" | grep -c '^container\.log') == 2 ]]
	(($(stat -c %s "$R/${P}r/container.log") <= 4096))
	(($(stat -c %s "$R/${P}r/container.log.1") <= 4096))
	run --separate-stderr mc logs "${P}r"
	assert_success
	# The last line written is the last one printed, and the lines shown
	# are consecutive (in order, none lost in between).
	assert_line --index $((${#lines[@]} - 1)) --regexp '^200 x+$'
	((${#lines[@]} > 20 && ${#lines[@]} < 200))
	local i first=$((10#${lines[0]%% *}))
	for ((i = 0; i < ${#lines[@]}; i++)); do
		[[ $((10#${lines[i]%% *})) == $((first + i)) ]] || fail "line $i: ${lines[i]}"
	done
	run mc logs --tail 3 "${P}r"
	[[ ${lines[0]%% *} == 198 && ${lines[2]%% *} == 200 ]]
}

# ---------------------------------------------------------------------------
# stop, wait
# ---------------------------------------------------------------------------

@test "lifecycle: stop sends SIGTERM: 143 recorded (sleep under --init)" {
	launch "${P}s" --init --pid sleep 100
	local t0
	t0=$(now_ms)
	run --separate-stderr mc stop "${P}s"
	assert_success
	[[ $output == "${P}s" ]]
	# SIGTERM ended it: no 10 s wait for the SIGKILL.
	(($(now_ms) - t0 < 5000))
	[[ $(field "${P}s" life exitCode) == 143 ]]
	run mc ps -a
	assert_line --regexp "^${P}s +Exited \(143\) "
	run mc wait "${P}s"
	[[ $status == 143 && $output == 143 ]]
}

@test "lifecycle: stop -t 1 of a command that ignores SIGTERM: SIGKILL after 1 s, 137" {
	launch "${P}s" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.05; done'
	until_true 5 log_has "${P}s" ready
	local t0 dt
	t0=$(now_ms)
	run --separate-stderr mc stop -t 1 "${P}s"
	assert_success
	dt=$(($(now_ms) - t0))
	((dt >= 1000 && dt < 6000)) || fail "stop -t 1 took $dt ms"
	[[ $(field "${P}s" life exitCode) == 137 ]]
	[[ $(field "${P}s" status) == stopped ]]
}

@test "lifecycle: stop of an exited container succeeds and keeps its status" {
	launch "${P}s" sh -c 'exit 5'
	mc wait "${P}s" || true
	run --separate-stderr mc stop "${P}s"
	assert_success
	[[ $output == "${P}s" ]]
	[[ $(field "${P}s" life exitCode) == 5 ]]
}

@test "lifecycle: wait prints and exits with the status; wait on several names" {
	launch "${P}a" sh -c 'exit 3'
	launch "${P}b" sh -c 'sleep 0.3; exit 0'
	launch "${P}c" sh -c 'sleep 0.2; exit 7'
	run --separate-stderr mc wait "${P}a"
	[[ $status == 3 && $output == 3 ]]
	run --separate-stderr mc wait "${P}b" "${P}c"
	[[ $output == $'0\n7' ]] || fail "wait b c: $output"
	# The status of the last one, like docker's.
	[[ $status == 7 ]]
}

# ---------------------------------------------------------------------------
# rm, restart, kill
# ---------------------------------------------------------------------------

@test "lifecycle: rm refuses a running container and leaves it running; rm -f removes it" {
	launch "${P}x" sleep 100
	local pid=$CPID start
	start=$(proc_start "$pid")
	run --separate-stderr mc rm "${P}x"
	[[ $status == 125 ]]
	assert_stderr_line "mcstatic: container '${P}x' is running: stop it first, or use rm -f"
	proc_alive "$pid" "$start"
	is_status "${P}x" running
	run --separate-stderr mc rm -f "${P}x"
	assert_success
	[[ $output == "${P}x" ]]
	[[ ! -e $R/${P}x ]]
	until_true 2 eval '! proc_alive '"$pid $start"
	[[ -z $(life_leftovers) ]]
}

@test "lifecycle: rm of an unknown name fails (125), rm -f of one succeeds" {
	mkdir -p "$R"
	run --separate-stderr mc rm "${P}nope"
	[[ $status == 125 ]]
	assert_stderr_line "mcstatic: container '${P}nope' does not exist"
	run --separate-stderr mc rm -f "${P}nope"
	assert_success
}

@test "lifecycle: restart of a running container: a new pid, runs again, the log grows" {
	launch "${P}r" --init --pid sh -c 'echo run; exec sleep 100'
	until_true 5 log_has "${P}r" run
	local old=$CPID
	run --separate-stderr mc restart -t 1 "${P}r"
	assert_success
	[[ $output == "${P}r" ]]
	until_true 5 pid_changed "${P}r" "$old"
	watch_pid "$(field "${P}r" pid)"
	watch_pid "$(field "${P}r" life supervisor)"
	until_true 5 eval '[[ $(log_count '"${P}r"' run) == 2 ]]'
	run mc ps
	assert_line --regexp "^${P}r +Up .* $(field "${P}r" pid) +sh -c echo run; exec sleep 100\$"
}

@test "lifecycle: restart of an exited container runs it again" {
	launch "${P}r" sh -c 'echo ran; exit 2'
	mc wait "${P}r" || true
	local old=$CPID
	run --separate-stderr mc restart "${P}r"
	assert_success
	watch_pid "$(field "${P}r" life supervisor)"
	until_true 5 eval '[[ $(log_count '"${P}r"' ran) == 2 ]]'
	run mc wait "${P}r"
	[[ $status == 2 ]]
	[[ $(field "${P}r" pid) != "$old" ]]
}

@test "lifecycle: kill -s USR1 reaches the container (its trap writes to the log)" {
	launch "${P}k" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.05; done'
	until_true 5 log_has "${P}k" ready
	if log_has "${P}k" got-usr1; then fail "got-usr1 before the signal"; fi
	run --separate-stderr mc kill -s USR1 "${P}k"
	assert_success
	until_true 5 log_has "${P}k" got-usr1
	# The signal did not end it.
	is_status "${P}k" running
}

# ---------------------------------------------------------------------------
# restart policies (no --rootfs: host commands, a count in a host file)
# ---------------------------------------------------------------------------

# A command that counts its runs in $T/count, prints "run N <ms>" and fails
# until run $1.
counting() {
	echo "n=\$(cat $T/count 2>/dev/null || echo 0); n=\$((n+1)); echo \$n >$T/count; echo run \$n \$((\$(date +%s%N) / 1000000)); [ \$n -ge $1 ]"
}

@test "lifecycle: --restart on-failure restarts a failing command until it succeeds" {
	launch "${P}p" --restart on-failure sh -c "$(counting 3)"
	run --separate-stderr mc wait "${P}p"
	[[ $status == 0 && $output == 0 ]]
	[[ $(cat "$T/count") == 3 ]]
	[[ $(field "${P}p" life restartCount) == 2 ]]
	[[ $(mc logs "${P}p" | grep -c '^run ') == 3 ]]
}

@test "lifecycle: --restart on-failure:1 stops after one restart" {
	launch "${P}p" --restart on-failure:1 sh -c "$(counting 5)"
	run mc wait "${P}p"
	[[ $status == 1 ]]
	[[ $(cat "$T/count") == 2 ]]
	[[ $(field "${P}p" life restartCount) == 1 ]]
}

@test "lifecycle: --restart always restarts after exit 0, and stop ends it" {
	launch "${P}p" --restart always sh -c "$(counting 1)"
	until_true 10 eval '(($(cat '"$T"'/count 2>/dev/null || echo 0) >= 3))'
	run --separate-stderr mc stop -t 1 "${P}p"
	assert_success
	local n
	n=$(cat "$T/count")
	# The supervisor is gone: no more runs.
	run mc wait "${P}p"
	sleep 0.5
	[[ $(cat "$T/count") == "$n" ]]
	if mc ps | grep -q "^${P}p "; then fail "ps still lists it"; fi
}

@test "lifecycle: the restart back-off grows (second gap longer than the first)" {
	launch "${P}p" --restart on-failure sh -c "$(counting 4)"
	mc wait "${P}p"
	local -a t
	mapfile -t t < <(mc logs "${P}p" | awk '/^run /{print $3}')
	[[ ${#t[@]} == 4 ]]
	local g1=$((t[1] - t[0])) g2=$((t[2] - t[1])) g3=$((t[3] - t[2]))
	# 100, 200, 400 ms of back-off (plus the start of each run).
	((g1 >= 100 && g2 > g1 && g3 > g2)) || fail "gaps $g1 $g2 $g3 ms"
}

# ---------------------------------------------------------------------------
# what survives what
# ---------------------------------------------------------------------------

@test "lifecycle: the container survives the SIGHUP of the session it was started from" {
	bg_start setsid script -qfc "$MC --root $R -d --name ${P}h sleep 100; exec sleep 100" /dev/null
	local script=$BG_PID leader
	until_true 5 is_status "${P}h" running
	CPID=$(field "${P}h" pid)
	watch_pid "$CPID"
	watch_pid "$(field "${P}h" life supervisor)"
	local start
	start=$(proc_start "$CPID")
	# The leader of the terminal's session (script's child, the shell
	# that ran -d, now sleep) goes: the kernel hangs the terminal up and
	# sends SIGHUP to its foreground group, which -d was started in.
	leader=$(pgrep -P "$script")
	[[ $(ps -o sid= -p "$leader") -eq $leader ]]
	kill -HUP "$leader"
	wait_pid_status "$script" 5
	sleep 0.3
	proc_alive "$CPID" "$start"
	run mc ps
	assert_line --regexp "^${P}h +Up .* $CPID +sleep 100\$"
}

@test "lifecycle: kill -9 of the supervisor takes its container; ps -a says Exited (137); rm cleans up" {
	launch "${P}k" sleep 100
	local cstart
	cstart=$(proc_start "$CPID")
	[[ -d /sys/fs/cgroup/pids/mcstatic/${P}k ]]
	kill -KILL "$SPID"
	until_true 1 eval '! proc_alive '"$CPID $cstart"
	run --separate-stderr mc ps -a
	assert_success
	assert_line --regexp "^${P}k +Exited \(137\) .* +- +sleep 100\$"
	[[ $(field "${P}k" status) != running ]]
	[[ $(field "${P}k" life error) == *"supervisor (pid $SPID) was killed"* ]]
	run --separate-stderr mc rm "${P}k"
	assert_success
	[[ ! -e $R/${P}k ]]
	if ls -d /sys/fs/cgroup/*/mcstatic/"${P}k" 2>/dev/null; then fail "cgroup left"; fi
}

@test "lifecycle: 20 detached containers at once: distinct names, ps lists 20, rm -f removes all" {
	local i pids=() id
	mkdir -p "$R"
	for ((i = 0; i < 20; i++)); do
		"$MC" --root "$R" -d sleep 100 >"$T/id.$i" 2>"$T/err.$i" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" || fail "launch $i: $(cat "$T/err.$i")"
	done
	[[ $(cat "$T"/id.* | sort -u | wc -l) == 20 ]]
	for id in $(cat "$T"/id.*); do
		watch_pid "$(field "$id" pid)"
		watch_pid "$(field "$id" life supervisor)"
	done
	run mc ps
	[[ ${#lines[@]} == 21 ]]
	[[ $(printf '%s\n' "${lines[@]:1}" | grep -c ' Up ') == 20 ]]
	run mc rm -f $(cat "$T"/id.*)
	assert_success
	[[ -z $(ls -A "$R") ]]
	for id in $(cat "$T"/id.*); do
		if ls -d /sys/fs/cgroup/*/mcstatic/"$id" 2>/dev/null; then fail "cgroup of $id left"; fi
	done
	[[ -z $(life_leftovers) ]]
}

# ---------------------------------------------------------------------------
# bad input: 125, one line naming it, nothing left
# ---------------------------------------------------------------------------

# bad EXPECTED-STDERR ARGS...: mcstatic ARGS exits 125 with that one line and
# makes no container.
bad() {
	local want=$1
	shift
	run --separate-stderr "$MC" --root "$R" "$@"
	[[ $status == 125 ]] || fail "exit $status for $*: $stderr" || return 1
	assert_stderr_line "$want" || return 1
	[[ -z $(ls -A "$R" 2>/dev/null) ]] || fail "$* left $(ls -A "$R")"
}

@test "lifecycle: bad names, restart policies and lone --name fail with 125 and leave nothing" {
	local long
	long=$(printf 'a%.0s' {1..129})
	bad "mcstatic: container name 'a b': only [A-Za-z0-9][A-Za-z0-9_.-]* is allowed" \
		-d --name 'a b' sleep 1
	bad "mcstatic: container name '.x': only [A-Za-z0-9][A-Za-z0-9_.-]* is allowed" \
		-d --name .x sleep 1
	bad "mcstatic: container name '${long:0:32}...' is longer than 128 bytes" \
		-d --name "$long" sleep 1
	bad "mcstatic: restart policy 'bogus': expected no, on-failure[:MAX], always or unless-stopped" \
		-d --restart bogus sleep 1
	bad "mcstatic: restart policy 'on-failure:0': MAX is a count of restarts, 1 or more" \
		-d --restart on-failure:0 sleep 1
	bad "mcstatic: --name needs --detach (-d)" --name "${P}x" sleep 1
	# 128 bytes is still a name.
	launch "${long:0:128}" sleep 100
}

@test "lifecycle: a duplicate name fails (125) and leaves the first untouched" {
	launch "${P}d" sleep 100
	local pid=$CPID start
	start=$(proc_start "$pid")
	run --separate-stderr mc -d --name "${P}d" sleep 100
	[[ $status == 125 ]]
	assert_stderr_line "mcstatic: container '${P}d' already exists"
	proc_alive "$pid" "$start"
	[[ $(field "${P}d" pid) == "$pid" ]]
	[[ $(ls -A "$R") == "${P}d" ]]
}

@test "lifecycle: stop, logs, wait of an unknown name: 125, one line" {
	mkdir -p "$R"
	local verb
	for verb in stop logs wait restart; do
		bad "mcstatic: container '${P}nope' does not exist" "$verb" "${P}nope"
	done
}

@test "lifecycle: a missing command: 127, one line, no state dir" {
	run -127 --separate-stderr mc -d --name "${P}m" /nonexistent/cmd
	[[ $status == 127 ]]
	assert_stderr_line "mcstatic: execve /nonexistent/cmd: No such file or directory"
	[[ -z $(ls -A "$R" 2>/dev/null) ]]
}

# ---------------------------------------------------------------------------
# the OCI verbs see it
# ---------------------------------------------------------------------------

@test "lifecycle: state and list show a detached container; delete -f removes it and its supervisor" {
	launch "${P}o" --restart always sleep 100
	local sstart
	sstart=$(proc_start "$SPID")
	run --separate-stderr mc state "${P}o"
	assert_success
	python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["id"] == sys.argv[2] and s["status"] == "running", s
assert s["pid"] == int(sys.argv[3]), s
' "$output" "${P}o" "$CPID"
	run --separate-stderr mc list
	assert_success
	assert_line --regexp "^${P}o +$CPID +running "
	run --separate-stderr mc delete -f "${P}o"
	assert_success
	[[ ! -e $R/${P}o ]]
	until_true 2 eval '! proc_alive '"$SPID $sstart"
	# --restart always, yet no new run comes back.
	sleep 0.5
	[[ ! -e $R/${P}o ]]
	[[ -z $(life_leftovers) ]]
}
