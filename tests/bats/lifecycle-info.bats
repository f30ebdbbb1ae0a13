#!/usr/bin/env bats
# inspect, top, stats and exec on detached containers (-d).  Each test has
# its own --root under $T and names of its own; teardown removes them and
# checks that nothing is left: state dir, cgroups, processes, mounts.

load helpers

setup() {
	common_setup
	R="$T/root"
	NAMES=()
}

teardown() {
	local n
	for n in "${NAMES[@]}"; do
		"$MC" --root "$R" rm -f "$n" >/dev/null 2>&1 || true
	done
	for n in "${NAMES[@]}"; do
		[[ ! -e $R/$n ]] || fail "state dir $R/$n left" || return 1
		if compgen -G "/sys/fs/cgroup/*/mcstatic/$n" >/dev/null; then
			fail "cgroup of $n left: $(compgen -G "/sys/fs/cgroup/*/mcstatic/$n")" || return 1
		fi
	done
	assert_nothing_left
	common_teardown
}

mc() { "$MC" --root "$R" "$@"; }

# start NAME SEED-ARGS...: a detached container, its name remembered.
start() {
	local name=$1
	shift
	NAMES+=("$name")
	run mc -d --name "$name" "$@"
	[[ $status == 0 ]] || fail "-d $name: $status: $output" || return 1
}

# A member of inspect's first object, through jq.
field() { mc inspect "$1" | jq -r ".[0]$2"; }

pid_of() { field "$1" .State.Pid; }

@test "inspect: status, pid, config, restart policy, mounts, namespaces, log path" {
	start lii-a --pid --uts --hostname hh --env FOO=bar --workdir /tmp \
		--tmpfs /scratch:size=1m --memory 64m --pids-limit 50 \
		--restart on-failure:3 --rootfs "$ROOTFS" sh -c 'echo hi; sleep 100'
	run --separate-stderr mc inspect lii-a
	[[ $status == 0 ]] || fail "inspect: $status: $stderr"
	jq -e 'length == 1' <<<"$output" >/dev/null || fail "not one object: $output"
	pid=$(jq -r '.[0].State.Pid' <<<"$output")
	# The pid is the running container's: its first process reads our sleep.
	[[ $(tr '\0' ' ' </proc/"$pid"/cmdline) == "sleep 100 " ]] ||
		fail "State.Pid $pid is not the container's process"
	jq -e '.[0] | .Name == "lii-a" and .Path == "sh" and
		.Args == ["-c", "echo hi; sleep 100"] and
		.State.Status == "running" and .State.Running == true and
		.State.ExitCode == 0 and .State.RestartCount == 0 and
		.Config.Hostname == "hh" and .Config.WorkingDir == "/tmp" and
		(.Config.Env | index("FOO=bar")) != null and
		.HostConfig.RestartPolicy == {"Name": "on-failure", "MaximumRetryCount": 3} and
		.HostConfig.Memory == 67108864 and .HostConfig.PidsLimit == 50 and
		.CgroupPath == "mcstatic/lii-a"' <<<"$output" >/dev/null ||
		fail "fields: $output"
	# The --tmpfs with its size (the saved invocation keeps the option).
	jq -e '.[0].Mounts[] | select(.Destination == "/scratch") |
		.Type == "tmpfs" and (.Options | index("size=1m")) != null' \
		<<<"$output" >/dev/null || fail "Mounts: $(jq .[0].Mounts <<<"$output")"
	# Namespaces: the ones it made, the inodes the kernel shows.
	ino=$(readlink /proc/"$pid"/ns/pid)
	ino=${ino#pid:[}
	[[ $(jq -r '.[0].Namespaces.pid' <<<"$output") == "${ino%]}" ]] ||
		fail "Namespaces.pid != $ino: $(jq .[0].Namespaces <<<"$output")"
	[[ $(readlink /proc/"$pid"/ns/pid) != $(readlink /proc/self/ns/pid) ]] ||
		fail "the container shares our pid namespace"
	jq -e '.[0].Namespaces | has("net") | not' <<<"$output" >/dev/null ||
		fail "a namespace it did not make is shown"
	log=$(jq -r '.[0].LogPath' <<<"$output")
	[[ -f $log ]] || fail "LogPath $log does not exist"
	grep -q 'stdout F hi' "$log" || fail "LogPath is not the log: $(cat "$log")"
}

@test "inspect: exited, exit code, finished time, no pid, no namespaces" {
	start lii-b --pid --rootfs "$ROOTFS" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	mc stop -t 5 lii-b >/dev/null
	run --separate-stderr mc inspect lii-b
	[[ $status == 0 ]] || fail "inspect: $status: $stderr"
	jq -e '.[0] | .State.Status == "exited" and .State.Running == false and
		.State.Pid == 0 and .State.ExitCode == 7 and
		.State.FinishedAt != "" and .Namespaces == {}' <<<"$output" >/dev/null ||
		fail "after stop: $output"
}

@test "inspect: RestartCount counts the policy's restarts" {
	start lii-c --restart on-failure:2 --rootfs "$ROOTFS" sh -c 'exit 3'
	run mc wait lii-c
	[[ $output == 3 ]] || fail "wait: $output"
	[[ $(field lii-c .State.RestartCount) == 2 ]] ||
		fail "RestartCount: $(field lii-c .State)"
	[[ $(field lii-c .State.ExitCode) == 3 ]] || fail "ExitCode"
}

@test "inspect: two names give two objects; an unknown one is an error, 125, the others printed" {
	start lii-d --rootfs "$ROOTFS" sleep 100
	start lii-e --rootfs "$ROOTFS" sleep 100
	run --separate-stderr mc inspect lii-d lii-e
	[[ $status == 0 ]] || fail "inspect: $status: $stderr"
	[[ $(jq -r '[.[].Name] | join(",")' <<<"$output") == "lii-d,lii-e" ]] ||
		fail "two: $output"
	run --separate-stderr mc inspect lii-d lii-nope
	[[ $status == 125 ]] || fail "status $status"
	assert_stderr_line "mcstatic: container 'lii-nope' does not exist"
	[[ $(jq -r '[.[].Name] | join(",")' <<<"$output") == "lii-d" ]] ||
		fail "the found one: $output"
}

@test "top: PID 1 in its namespace with --pid, the host pid, user, command" {
	start lii-f --pid --rootfs "$ROOTFS" sh -c 'sleep 100 & wait'
	pid=$(pid_of lii-f)
	sleep 0.3
	run --separate-stderr mc top lii-f
	[[ $status == 0 ]] || fail "top: $status: $stderr"
	[[ ${lines[0]} =~ ^PID\ +HOST\ PID\ +USER\ +COMMAND$ ]] || fail "header: ${lines[0]}"
	[[ $output =~ (^|$'\n')1\ +$pid\ +0\ +sh\ -c\ sleep\ 100\ \&\ wait ]] ||
		fail "no PID 1 / host $pid line: $output"
	[[ $output =~ $'\n'[0-9]+\ +[0-9]+\ +0\ +sleep\ 100 ]] || fail "no sleep: $output"
	[[ ${#lines[@]} == 3 ]] || fail "not 2 processes: $output"
}

@test "top, stats: a container that is not running → 125" {
	start lii-g --rootfs "$ROOTFS" true
	mc wait lii-g >/dev/null
	run --separate-stderr mc top lii-g
	[[ $status == 125 ]] || fail "top status $status"
	assert_stderr_line "mcstatic: container 'lii-g' is not running"
	run --separate-stderr mc stats lii-g
	[[ $status == 125 ]] || fail "stats status $status"
	assert_stderr_line "mcstatic: container 'lii-g' is not running"
	run --separate-stderr mc top lii-nope
	[[ $status == 125 ]] || fail "unknown: $status"
}

@test "stats: memory in use, its limit, pids; --format json; --no-stream" {
	# 8 MiB held in a shell variable (tmpfs pages would count too).
	start lii-h --memory 64m --rootfs "$ROOTFS" sh -c \
		'x=$(head -c 8388608 /dev/zero | tr "\0" a); sleep 100 & sleep 100 & echo ready; wait'
	for i in $(seq 50); do
		grep -q ready "$R/lii-h/container.log" 2>/dev/null && break
		sleep 0.1
	done
	run --separate-stderr mc stats --format json lii-h
	[[ $status == 0 ]] || fail "stats: $status: $stderr"
	jq -e '.[0] | .Name == "lii-h" and .MemUsage > 8000000 and
		.MemLimit == 67108864 and .Pids == 3 and .CpuNs > 0' \
		<<<"$output" >/dev/null || fail "json: $output"
	run --separate-stderr mc stats --no-stream lii-h
	[[ $status == 0 ]] || fail "table: $status: $stderr"
	[[ ${lines[0]} =~ ^NAME\ +CPU-SECONDS\ +MEM-USAGE\ +MEM-LIMIT\ +PIDS$ ]] || fail "${lines[0]}"
	[[ ${lines[1]} =~ ^lii-h\ +[0-9.]+\ +[0-9.]+MiB\ +64.0MiB\ +3$ ]] || fail "${lines[1]}"
}

@test "exec: defaults from -d (env, workdir, hostname), -e, -u, -w, exit status" {
	start lii-i --uts --hostname hh --env FOO=bar --workdir /tmp --rootfs "$ROOTFS" sleep 100
	run --separate-stderr mc exec lii-i sh -c 'echo "$FOO"; pwd; hostname; id -u'
	[[ $status == 0 ]] || fail "exec: $status: $stderr"
	[[ $output == $'bar\n/tmp\nhh\n0' ]] || fail "defaults: $output"
	run --separate-stderr mc exec -e FOO=baz -e A=B -u 65534:65534 -w / lii-i \
		sh -c 'echo "$FOO $A"; pwd; id -u; id -g'
	[[ $output == $'baz B\n/\n65534\n65534' ]] || fail "flags: $output $stderr"
	run mc exec lii-i sh -c 'exit 3'
	[[ $status == 3 ]] || fail "exit 3: $status"
	run -127 --separate-stderr mc exec lii-i /no/such
	[[ $status == 127 ]] || fail "missing: $status"
	assert_stderr_line "mcstatic: execve /no/such: No such file or directory"
}

@test "exec: -i reads stdin; without it stdin is empty; -t gives a terminal" {
	start lii-j --rootfs "$ROOTFS" sleep 100
	run --separate-stderr mc exec -i lii-j cat <<<"fed"
	[[ $output == fed ]] || fail "-i: '$output' $stderr"
	# Without -i the command reads /dev/null, not our here-string.
	run --separate-stderr mc exec lii-j sh -c 'cat; readlink /proc/self/fd/0' <<<"fed"
	[[ $output == /dev/null ]] || fail "without -i: '$output' $stderr"
	run script -qec "$MC --root $R exec -t lii-j sh -c 'tty; test -t 0 && echo yes'" /dev/null </dev/null
	[[ $status == 0 ]] || fail "-t: $status: $output"
	[[ $(tr -d '\r' <<<"$output") =~ ^/dev/pts/[0-9]+$'\n'yes$ ]] || fail "-t: $output"
	# Without -t there is none.
	run mc exec lii-j sh -c 'test -t 0 || test -t 1 || echo none'
	[[ $output == none ]] || fail "no -t: $output"
}

@test "exec: into a stopped container, an unknown one, a bad flag → 125; --process → 1" {
	start lii-k --rootfs "$ROOTFS" true
	mc wait lii-k >/dev/null
	run --separate-stderr mc exec lii-k true
	[[ $status == 125 ]] || fail "stopped: $status"
	assert_stderr_line "mcstatic: container 'lii-k' is not running"
	run --separate-stderr mc exec lii-nope true
	[[ $status == 125 ]] || fail "unknown: $status"
	assert_stderr_line "mcstatic: container 'lii-nope' does not exist"
	run --separate-stderr mc exec --bogus lii-k true
	[[ $status == 125 ]] || fail "bad flag: $status"
	echo '{"args": ["true"], "cwd": "/"}' >"$T/p.json"
	run --separate-stderr mc exec --process "$T/p.json" lii-nope
	[[ $status == 1 ]] || fail "--process: $status"
}
