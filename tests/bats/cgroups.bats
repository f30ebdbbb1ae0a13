#!/usr/bin/env bats
# tests/bats/cgroups.bats — resource limits (--memory, --memory-swap, --cpus,
# --cpu-weight, --pids-limit, --cgroup, --cgroup-parent, --stats) on the host's
# cgroups: v1 or hybrid (this machine: v1 controllers plus /sys/fs/cgroup/unified)
# or v2. The v2 driver is also tested in a qemu guest: cgroups-v2.bats.
#
# Every test ends with assert_no_cgroups: the set of directories under any
# hierarchy's mcstatic/ (and mcstatic/ itself) is the same as before the test.
# Tests name their cgroup $CG (unique per test) where they can; teardown kills
# what is left in cgroups of this test (by PID) and removes them, even when
# the test failed, before the usual process checks.

load helpers

setup() {
	common_setup
	cd "$REPO"
	CG="bats-$$-${BATS_TEST_NUMBER}"
	cg_detect
	CG_SNAP=$(cg_list)
	CG_MADE=()
}

teardown() {
	cg_cleanup
	common_teardown
}

# --- cgroup helpers ---------------------------------------------------------------

# CG_V2=1 on a unified host; CG_ROOTS: the hierarchies mcstatic may use.
cg_detect() {
	local d
	CG_ROOTS=()
	if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
		CG_V2=1
		CG_ROOTS=(/sys/fs/cgroup)
		return
	fi
	CG_V2=0
	for d in memory cpu cpuacct pids freezer devices unified; do
		[[ -d /sys/fs/cgroup/$d && ! -L /sys/fs/cgroup/$d ]] && CG_ROOTS+=("/sys/fs/cgroup/$d")
	done
	# cpu,cpuacct co-mounted: the symlinks lead to the same directory.
	for d in cpu cpuacct; do
		[[ -L /sys/fs/cgroup/$d ]] && CG_ROOTS+=("$(readlink -f /sys/fs/cgroup/$d)")
	done
	return 0
}

# Every mcstatic/ directory and everything below it, in every hierarchy.
cg_list() {
	local r
	for r in "${CG_ROOTS[@]}"; do
		[[ -d $r/mcstatic ]] && find "$r/mcstatic" -type d
	done | LC_ALL=C sort -u
}

# cg_dir CONTROLLER NAME [PARENT]: the container's cgroup for CONTROLLER.
cg_dir() {
	local parent=${3:-mcstatic}
	if ((CG_V2)); then
		echo "/sys/fs/cgroup/$parent/$2"
	else
		echo "$(readlink -f "/sys/fs/cgroup/$1")/$parent/$2"
	fi
}

# own_name PID: the cgroup name mcstatic PID gives itself: mc-<pid>-<start time>.
own_name() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) }
	echo "mc-$1-$(cut -d' ' -f20 <<<"$stat")"
}

assert_no_cgroups() {
	local now
	now=$(cg_list)
	if [[ $now != "$CG_SNAP" ]]; then
		fail "cgroups left behind (- before / + after):
$(diff <(echo "$CG_SNAP") <(echo "$now") | grep '^[<>]' | sed 's/^</-/; s/^>/+/')"
	fi
}

# Kill (by PID) what runs in cgroups this test made, then remove them, deepest
# first. Ours: those listed in CG_MADE, a path with $CG in it, or new since
# setup and with mcstatic's own name of a PID that is gone (a killed
# mcstatic's, see the kill -9 test).
cg_cleanup() {
	local d p base
	# Empty cgroups a test made itself with names not its own ($CG_MADE).
	for d in "${CG_MADE[@]}"; do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$d" 2>/dev/null && break
			[[ -d $d ]] || break
			sleep 0.1
		done
	done
	for d in $(cg_list | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-); do
		grep -qxF "$d" <<<"$CG_SNAP" && continue
		base=${d##*/}
		if [[ $d != *"$CG"* ]]; then
			[[ $base =~ ^mc-([0-9]+)-[0-9]+$ && ! -d /proc/${BASH_REMATCH[1]} ]] ||
				[[ $d == */mcstatic ]] || continue
		fi
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$d" 2>/dev/null && break
			[[ $d == */mcstatic ]] && break	# still used by someone else
			sleep 0.1
		done
	done
}

# The value of KEY in the "mcstatic: stats: k=v ..." line of $stderr.
stat_of() {
	sed -n 's/^mcstatic: stats:.* '"$1"'=\([0-9]*\).*/\1/p' <<<"$stderr"
}

# wait_for_procs DIR N: until DIR/cgroup.procs lists N processes (5 s).
wait_for_procs() {
	local i
	for ((i = 0; i < 100; i++)); do
		(($(cat "$1/cgroup.procs" 2>/dev/null | wc -l) >= $2)) && return 0
		sleep 0.05
	done
	fail "$1/cgroup.procs did not reach $2 processes: $(cat "$1/cgroup.procs" 2>&1)"
}

# container_cgroup CONTROLLER PID: once the command of mcstatic PID runs in
# its cgroup, that cgroup's directory for CONTROLLER (whatever its name).
container_cgroup() {
	local i child path
	for ((i = 0; i < 100; i++)); do
		child=$(cat "/proc/$2/task/$2/children" 2>/dev/null)
		child=${child%% *}
		if [[ -n $child ]]; then
			path=$(grep -E "^[0-9]+:([a-z,]*,)?$1(,[a-z,]*)?:|^0::" "/proc/$child/cgroup" |
				sort | tail -1 | cut -d: -f3)
			if [[ $path == /mcstatic/* ]]; then
				cg_dir "$1" "${path#/mcstatic/}"
				return 0
			fi
		fi
		sleep 0.05
	done
	fail "the command of mcstatic $2 did not get a $1 cgroup"
}

# --- no limits ---------------------------------------------------------------------

# kill_mcstatic_in DIR: once the command is in cgroup DIR, SIGKILL mcstatic
# ($BG_PID) and wait until the command (killed by PDEATHSIG) has left DIR.
kill_mcstatic_in() {
	local d=$1 i
	wait_for_procs "$d" 1
	kill -KILL "$BG_PID"
	wait_pid_status "$BG_PID" 5
	for ((i = 0; i < 40; i++)); do
		[[ -z $(cat "$d/cgroup.procs") ]] && break
		sleep 0.05
	done
}

# Root with --rootfs gets the default device rules, a cgroup (devices.bats);
# --privileged asks for none.
@test "cgroups: no limit asked (--privileged: no device rules), no cgroup made: the command stays in ours" {
	run -0 --separate-stderr "$MC" --debug --privileged --rootfs "$ROOTFS" /bin/cat /proc/self/cgroup
	assert_output "$(cat /proc/$$/cgroup)"
	refute_line --partial '[cgroup]'
	[[ $stderr != *"[cgroup]"* ]] || fail "cgroup steps without a limit: $stderr"
	assert_no_cgroups
	assert_nothing_left
}

# --- memory ------------------------------------------------------------------------

@test "memory: allocating past --memory 32m is killed: status 137 and the OOM line" {
	run -137 --separate-stderr "$MC" --memory 32m --pid --rootfs "$ROOTFS" \
		/bin/sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	assert_output ""
	assert_stderr_line "mcstatic: container killed: out of memory (limit 32 MiB)"
	assert_no_cgroups
	assert_nothing_left
}

@test "memory: OOM under --init (the command is init's child) and without --pid" {
	run -137 --separate-stderr "$MC" --memory 32m --init --pid --rootfs "$ROOTFS" \
		/bin/sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	assert_stderr_line "mcstatic: container killed: out of memory (limit 32 MiB)"
	run -137 --separate-stderr "$MC" --memory 32m --rootfs "$ROOTFS" \
		/bin/sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	assert_stderr_line "mcstatic: container killed: out of memory (limit 32 MiB)"
	assert_no_cgroups
	assert_nothing_left
}

@test "memory: a process OOM-killed while the command survives: its status and a note" {
	run -0 --separate-stderr "$MC" --memory 32m --pid --rootfs "$ROOTFS" \
		/bin/sh -c 'exec 2>/dev/null; (echo 1000 >/proc/self/oom_score_adj; exec awk "BEGIN{s=\"aaaaaaaaaaaaaaaa\"; while(1) s=s s}"); echo sub=$?'
	# One process, alone in asking to be the OOM killer's choice (raising
	# one's own oom_score_adj needs no privilege), holds all the memory:
	# otherwise the kernel may pick the command itself, or kill a second
	# pipeline member while the first is still exiting.
	assert_output "sub=137"
	assert_stderr_line "mcstatic: out of memory: 1 process of the container killed (limit 32 MiB)"
	assert_no_cgroups
	assert_nothing_left
}

@test "memory: --memory and --memory-swap values written (--debug)" {
	run -0 --separate-stderr "$MC" --debug --memory 64m --memory-swap 128m --cgroup "$CG" true
	local d
	d=$(cg_dir memory "$CG")
	if ((CG_V2)); then
		assert_lines_in_order "$stderr" \
			"\[cgroup\] ${d}/memory.max = 67108864" \
			"\[cgroup\] ${d}/memory.swap.max = 67108864"
	elif [[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]]; then
		assert_lines_in_order "$stderr" \
			"\[cgroup\] ${d}/memory.limit_in_bytes = 67108864" \
			"\[cgroup\] ${d}/memory.memsw.limit_in_bytes = 134217728"
	fi
	assert_lines_in_order "$stderr" "\[parent\] cgroup v[12]: mcstatic/$CG" \
		"mcstatic: stats: .*" "\[cgroup\] removed ${d}"
	assert_no_cgroups
	assert_nothing_left
}

# --- pids --------------------------------------------------------------------------

@test "pids: a fork bomb under --pids-limit 20 never exceeds 20 tasks; mcstatic exits cleanly" {
	local d max=0 n hit=0 peak
	d=$(cg_dir pids "$CG")
	bg_start "$MC" --pids-limit 20 --stats --cgroup "$CG" --rootfs "$ROOTFS" \
		/bin/sh -c 'f() { f | f & }; f & exec sleep 3' 2>"$T/err"
	# Watch the counter from outside while it runs.
	while kill -0 "$BG_PID" 2>/dev/null && [[ $(awk '/^State:/{print $2}' /proc/$BG_PID/status 2>/dev/null) != Z ]]; do
		n=$(cat "$d/pids.current" 2>/dev/null || echo 0)
		((n > max)) && max=$n
		grep -qs '^max [1-9]' "$d/pids.events" && hit=1
		sleep 0.05
	done
	wait_pid_status "$BG_PID" 15
	stderr=$(grep '^mcstatic:' "$T/err" || true)
	[[ $STATUS -eq 0 ]] || fail "status $STATUS, stderr: $(cat "$T/err")"
	((max <= 20)) || fail "pids.current reached $max"
	# Its dead are reaped at once (mcstatic is their subreaper), so the
	# samples may miss the burst: the kernel's own high-water mark counts.
	peak=$(stat_of pids_peak)
	((max >= 15 || ${peak:-0} >= 15)) || fail "the bomb never got near the limit (max $max, peak $peak)"
	((hit)) || fail "pids.events never counted a refused fork"
	[[ $peak -le 20 ]] || fail "pids_peak $peak: $stderr"
	[[ $(wc -l <<<"$stderr") -eq 1 ]] || fail "more than the stats line: $stderr"
	assert_no_cgroups
	assert_nothing_left
}

# --- cpu ---------------------------------------------------------------------------

# cpu_share ARGS...: run a 2 s busy loop under ARGS; SHARE = CPU % of wall time,
# CPU from the cgroup's own counter (cpuacct.usage / cpu.stat via --stats).
cpu_share() {
	local t0 t1 cpu
	t0=$(date +%s%N)
	run --separate-stderr "$MC" "$@" --stats --rootfs "$ROOTFS" \
		timeout 2 /bin/sh -c 'while :; do :; done'
	t1=$(date +%s%N)
	[[ $status -eq 143 || $status -eq 124 ]] || fail "status $status: $stderr"
	cpu=$(stat_of cpu_usec)
	[[ -n $cpu ]] || fail "no cpu_usec in: $stderr"
	SHARE=$((cpu * 100 / ((t1 - t0) / 1000)))
	echo "# $*: cpu ${cpu} us over $(((t1 - t0) / 1000)) us wall = ${SHARE}%" >&3
}

@test "cpu: a busy loop under --cpus 0.5 gets 40-60% of a CPU over 2 s (cgroup usage counter)" {
	cpu_share --cpus 0.5
	((SHARE >= 40 && SHARE <= 60)) || fail "--cpus 0.5 gave ${SHARE}%"
	# The control: the same loop without a quota gets (nearly) a whole CPU.
	cpu_share --cgroup "$CG"
	((SHARE >= 65)) || fail "without --cpus the loop got only ${SHARE}%: the measure is off"
	assert_no_cgroups
	assert_nothing_left
}

@test "cpu: --cpus and --cpu-weight values written (v1: cfs quota and crun/runc shares)" {
	run -0 --separate-stderr "$MC" --debug --cpus 1.5 --cpu-weight 100 --cgroup "$CG" true
	local d
	d=$(cg_dir cpu "$CG")
	if ((CG_V2)); then
		assert_lines_in_order "$stderr" "\[cgroup\] ${d}/cpu.max = 150000 100000" \
			"\[cgroup\] ${d}/cpu.weight = 100"
	else
		assert_lines_in_order "$stderr" "\[cgroup\] ${d}/cpu.cfs_period_us = 100000" \
			"\[cgroup\] ${d}/cpu.cfs_quota_us = 150000" "\[cgroup\] ${d}/cpu.shares = 1024"
		run -0 --separate-stderr "$MC" --debug --cpu-weight 10000 --cgroup "$CG" true
		assert_lines_in_order "$stderr" "\[cgroup\] ${d}/cpu.shares = 262144"
		run -0 --separate-stderr "$MC" --debug --cpu-weight 1 --cgroup "$CG" true
		assert_lines_in_order "$stderr" "\[cgroup\] ${d}/cpu.shares = 2"
	fi
	assert_no_cgroups
	assert_nothing_left
}

# --- lifecycle ---------------------------------------------------------------------

@test "lifecycle: kill -9 of the command: leftovers killed, cgroup removed, status 137" {
	local d child
	d=$(cg_dir pids "$CG")
	bg_start "$MC" --debug --pids-limit 50 --cgroup "$CG" --rootfs "$ROOTFS" \
		/bin/sh -c 'sleep 100 & sleep 100 & exec sleep 200' 2>"$T/err"
	wait_for_procs "$d" 3
	child=$(sed -n 's/^\[parent\] Child PID: //p' "$T/err")
	[[ -n $child ]] || fail "no Child PID line: $(cat "$T/err")"
	kill -KILL "$child"
	wait_pid_status "$BG_PID" 10
	[[ $STATUS -eq 137 ]] || fail "status $STATUS: $(cat "$T/err")"
	grep -q "^\[cgroup\] killing what is left in " "$T/err" || fail "no kill step: $(cat "$T/err")"
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: background processes left by the command are killed when it exits" {
	run -3 --separate-stderr "$MC" --memory 64m --rootfs "$ROOTFS" \
		/bin/sh -c 'sleep 100 & sleep 100 & exit 3'
	assert_stderr_line ""
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: 3000 leftovers (more than one read of cgroup.procs) are all killed at once" {
	local start=$SECONDS
	run -0 --separate-stderr "$MC" --memory 512m --rootfs "$ROOTFS" \
		/bin/sh -c 'for i in $(seq 3000); do sleep 100 & done; exit 0'
	assert_stderr_line ""
	# Killed, not waited for: well under the sleepers' 100 s.
	(( SECONDS - start < 30 )) || fail "took $((SECONDS - start)) s"
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: SIGTERM to mcstatic is forwarded: status 143, cgroup removed" {
	local d
	d=$(cg_dir memory "$CG")
	# Not --pid: a PID 1 without a handler ignores SIGTERM.
	bg_start "$MC" --memory 64m --cgroup "$CG" --rootfs "$ROOTFS" /bin/sleep 100
	wait_for_procs "$d" 1
	kill -TERM "$BG_PID"
	wait_pid_status "$BG_PID" 10
	[[ $STATUS -eq 143 ]] || fail "status $STATUS"
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: setup failures (not found, bad workdir): 127 / 125, cgroup removed" {
	run -127 --separate-stderr "$MC" --memory 64m --pids-limit 10 --rootfs "$ROOTFS" /nonexistent
	assert_stderr_line "mcstatic: execve /nonexistent: No such file or directory"
	run -125 --separate-stderr "$MC" --memory 64m --pid --rootfs "$ROOTFS" --workdir /nope /bin/true
	assert_stderr_line "mcstatic: workdir /nope: No such file or directory"
	run -125 --separate-stderr "$MC" --memory 64m --rootfs ./nope /bin/true
	assert_stderr_line "mcstatic: rootfs ./nope: No such file or directory"
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: kill -9 of mcstatic leaves mcstatic/mc-<pid>-<start>; the next run with a limit removes it" {
	local d
	bg_start "$MC" --memory 64m --rootfs "$ROOTFS" /bin/sleep 100
	d=$(cg_dir memory "$(own_name "$BG_PID")")
	kill_mcstatic_in "$d"
	[[ -d $d ]] || fail "expected the leftover $d"
	run -0 "$MC" --memory 64m /bin/true
	[[ ! -d $d ]] || fail "the leftover $d is still there"
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: a stale-looking mcstatic/mc-<pid>-<start> that still has a process is left alone" {
	local d sleeper
	d=$(cg_dir memory mc-3999997-1)
	CG_MADE=("$d")
	mkdir -p "$d"
	sleep 100 &
	sleeper=$!
	echo "$sleeper" >"$d/cgroup.procs"
	run -0 "$MC" --memory 64m /bin/true
	[[ -d $d ]] || fail "$d was removed with a process in it"
	kill -KILL "$sleeper"
	wait "$sleeper" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
	rmdir "$(dirname "$d")" 2>/dev/null || true
	assert_no_cgroups
}

# The sweep used to take any number for a pid: --cgroup 999999 (no such pid)
# made mcstatic/999999 and removed it again before the command could join it.
@test "names: --cgroup 999999 (a number, no such pid) is a name like any other, never swept" {
	run -0 --separate-stderr "$MC" --cgroup 999999 --pids-limit 10 /bin/cat /proc/self/cgroup
	assert_line --regexp "^[0-9]+:([a-z,]*pids[a-z,]*)?:/mcstatic/999999$"
	run -0 --separate-stderr "$MC" --cgroup 999999 --pids-limit 10 /bin/true
	assert_stderr_line ""
	assert_no_cgroups
	assert_nothing_left
}

# Only mcstatic's own names whose process is gone or is another one now (the
# same pid, another start time) are swept; an empty cgroup of a live mcstatic
# (between its mkdir and the command joining it) and other names stay.
@test "lifecycle: the sweep removes only own names of gone processes, never a live one's" {
	local dead reused live other sleeper running
	bg_start sleep 100
	sleeper=$BG_PID
	dead=$(cg_dir memory mc-3999997-1)
	reused=$(cg_dir memory "mc-$sleeper-1")
	live=$(cg_dir memory "$(own_name "$sleeper")")
	other=$(cg_dir memory "3999998")
	CG_MADE=("$dead" "$reused" "$live" "$other")
	mkdir -p "${CG_MADE[@]}"
	# Another mcstatic, running: its cgroup is not empty, so rmdir could
	# not take it anyway; $live is what one looks like before its command
	# has joined.
	bg_start "$MC" --memory 64m --rootfs "$ROOTFS" /bin/sleep 100
	running=$(container_cgroup memory "$BG_PID")
	run -0 --separate-stderr "$MC" --memory 64m /bin/true
	[[ ! -d $dead ]] || fail "$dead (pid gone) is still there"
	[[ ! -d $reused ]] || fail "$reused (pid now another process) is still there"
	[[ -d $live ]] || fail "$live (a live process's, empty) was removed"
	[[ -d $other ]] || fail "$other (not an mcstatic name) was removed"
	[[ -d $running ]] || fail "the running container's cgroup went"
	kill -TERM "$BG_PID"
	wait_pid_status "$BG_PID" 10
	kill -KILL "$sleeper"
	wait "$sleeper" 2>/dev/null || true
	rmdir "$live" "$other"
	rmdir "$(dirname "$live")" 2>/dev/null || true
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: kill -9 of mcstatic: the command dies with it, the empty cgroup stays (documented)" {
	local d
	d=$(cg_dir memory "$CG")
	bg_start "$MC" --memory 64m --cgroup "$CG" --rootfs "$ROOTFS" /bin/sleep 100
	kill_mcstatic_in "$d"
	[[ -z $(cat "$d/cgroup.procs") ]] || fail "the command outlived mcstatic"
	[[ -d $d ]] || fail "expected the known leftover $d"
	cg_cleanup
	assert_no_cgroups
	assert_nothing_left
}

@test "lifecycle: concurrent containers share mcstatic/; the last one out removes it" {
	local p1 p2 p3
	bg_start "$MC" --memory 64m --rootfs "$ROOTFS" /bin/sleep 0.3; p1=$BG_PID
	bg_start "$MC" --pids-limit 10 --rootfs "$ROOTFS" /bin/sleep 0.6; p2=$BG_PID
	bg_start "$MC" --memory 32m --pids-limit 10 --rootfs "$ROOTFS" /bin/sleep 0.9; p3=$BG_PID
	wait_pid_status "$p1" 10; [[ $STATUS -eq 0 ]] || fail "first: $STATUS"
	wait_pid_status "$p2" 10; [[ $STATUS -eq 0 ]] || fail "second: $STATUS"
	wait_pid_status "$p3" 10; [[ $STATUS -eq 0 ]] || fail "third: $STATUS"
	assert_no_cgroups
	assert_nothing_left
}

# --- names -------------------------------------------------------------------------

@test "names: --cgroup-parent and --cgroup place the container at PARENT/NAME; made parents removed" {
	run -0 --separate-stderr "$MC" --cgroup-parent "mcstatic/$CG-p" --cgroup x \
		--pids-limit 10 --rootfs "$ROOTFS" /bin/cat /proc/self/cgroup
	assert_line --regexp "^[0-9]+:([a-z,]*pids[a-z,]*)?:/mcstatic/$CG-p/x$"
	assert_no_cgroups
	assert_nothing_left
}

@test "names: a --cgroup that already exists: 125, one line, the existing one untouched" {
	local d
	d=$(cg_dir memory "$CG")
	mkdir -p "$d"
	run -125 --separate-stderr "$MC" --memory 64m --cgroup "$CG" true
	assert_output ""
	assert_stderr_line "mcstatic: cgroup $d already exists (left by an mcstatic that was killed? rmdir it)"
	[[ -d $d ]] || fail "mcstatic removed a cgroup it had not made"
	rmdir "$d"
	rmdir "${d%/*}" 2>/dev/null || true
	assert_no_cgroups
	assert_nothing_left
}

# --- reporting ---------------------------------------------------------------------

@test "stats: --stats prints one key=value line at exit" {
	run -0 --separate-stderr "$MC" --stats --rootfs "$ROOTFS" /bin/sh -c 'echo hi'
	assert_output "hi"
	[[ $stderr =~ ^mcstatic:\ stats:\ cpu_usec=[0-9]+\ user_usec=[0-9]+\ system_usec=[0-9]+\ memory_peak=[1-9][0-9]*\ pids_peak=[1-9][0-9]*$ ]] ||
		fail "stats line: $stderr"
	assert_no_cgroups
	assert_nothing_left
}

# --- bad input ---------------------------------------------------------------------

# bad LINE ARGS...: status 125, stderr is exactly LINE, nothing left.
bad() {
	local expected=$1
	shift
	run -125 --separate-stderr "$MC" "$@"
	assert_output ""
	assert_stderr_line "$expected"
	assert_no_cgroups
	assert_nothing_left
}

@test "bad input: --memory 10x" {
	bad "mcstatic: --memory '10x': expected a size above 0, in bytes or with k, m, g (e.g. 64m)" \
		--memory 10x --rootfs "$ROOTFS" /bin/true
}

@test "bad input: --memory 0" {
	bad "mcstatic: --memory '0': expected a size above 0, in bytes or with k, m, g (e.g. 64m)" \
		--memory 0 --rootfs "$ROOTFS" /bin/true
}

@test "bad input: --cpus -1" {
	bad "mcstatic: --cpus '-1': expected a number of CPUs above 0, e.g. 0.5" \
		--cpus -1 --rootfs "$ROOTFS" /bin/true
}

@test "bad input: --pids-limit abc" {
	bad "mcstatic: --pids-limit 'abc': expected 1 or more, or -1 for no limit" \
		--pids-limit abc --rootfs "$ROOTFS" /bin/true
}

@test "bad input: --cpus 0.005 is below the kernel's minimum quota" {
	bad "mcstatic: --cpus: a quota of 500 µs per 100000 µs is below the kernel's minimum of 1000 µs (use --cpus 0.01 or more)" \
		--cpus 0.005 --rootfs "$ROOTFS" /bin/true
}

@test "bad input: --memory-swap without --memory, and below it" {
	bad "mcstatic: a swap limit (--memory-swap) needs a memory limit (--memory)" \
		--memory-swap 64m /bin/true
	bad "mcstatic: --memory-swap 32 MiB is below --memory 64 MiB (it is memory plus swap)" \
		--memory 64m --memory-swap 32m /bin/true
}

@test "bad input: --cpu-weight 0, --cgroup ../x, --cgroup-parent a/../b" {
	bad "mcstatic: --cpu-weight '0': expected 1 to 10000" --cpu-weight 0 /bin/true
	bad "mcstatic: cgroup name '../x': expected one path component" --cgroup ../x /bin/true
	bad "mcstatic: cgroup path: '..' is not allowed" --cgroup-parent a/../b /bin/true
}

@test "bad input: --cgroup mc-1-2 (mcstatic's own form, which a sweep could take)" {
	bad "mcstatic: cgroup name 'mc-1-2': names of the form mc-<pid>-<start> are mcstatic's own" \
		--cgroup mc-1-2 --pids-limit 10 /bin/true
}

@test "rootless: a limit asked for by an unprivileged user is a clear error (125), never dropped" {
	run -125 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MC" --memory 64m --rootfs "$ROOTFS" /bin/true
	assert_output ""
	[[ $stderr =~ ^mcstatic:\ cgroup\ /sys/fs/cgroup/[^\ ]*:\ Permission\ denied\ \(resource\ limits\ need\ root,\ or\ a\ cgroup\ v2\ subtree\ delegated\ to\ you,\ given\ as\ --cgroup-parent\)$ ]] ||
		fail "stderr: $stderr"
	assert_no_cgroups
	assert_nothing_left
}
