#!/usr/bin/env bats
# tests/bats/podman.bats — podman 4.3 (with conmon) drives ./mcstatic as it
# drives runc: every scenario runs once with `podman --runtime /usr/sbin/runc`
# (the reference) and once with `podman --runtime $MC`, and the test asserts
# both the expected result and that the two runtimes' outputs are the same.
#
# Isolation (nothing of the host's podman is touched):
#   * its own containers.conf (CONTAINERS_CONF), storage (--root, --runroot),
#     libpod state (--tmpdir), network configs (--network-config-dir), file
#     locks and events log, all under one temp dir $PM;
#   * every podman call runs in a network namespace of our own (mcbats-pm-*),
#     entered with nsenter --net only (not `ip netns exec`, whose private mount
#     namespace would hide podman's overlay mounts from the next call): the
#     bridge, veths and iptables rules podman's netavark makes live there, and
#     the "host side" of a published port is 127.0.0.1 in there.
#   * No name is resolved and no image is pulled: the image is `podman import`
#     of ./rootfs (plus a marker file for tmpcopyup); a pod's infra image is
#     podman's own local podman-pause build.
#
# Leftovers: after each test, no container is left, and for every container
# podman ever made here (the IDs in $PM's events log) there is no cgroup
# libpod-ID in any v1 hierarchy, no /run/mcstatic/ID, no /run/runc/ID; no
# mount under $PM beyond the storage's own; no conmon or podman process of
# ours. teardown_file removes everything and checks the same once more.

load helpers

RUNC=/usr/sbin/runc
IMG=localhost/bb:latest

# --- set-up ---------------------------------------------------------------------

pm_conf() {
	cat >"$PM/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM/events.log"
runtime_supports_json = ["crun", "runc", "mcstatic"]
lock_type = "file"
static_dir = "$PM/libpod"
volume_path = "$PM/volumes"

[network]
network_config_dir = "$PM/net"
EOF
}

# podman with our storage, in our network namespace, in $PM: conmon writes
# a file "oom" into its working directory when the container was OOM-killed.
pm() (
	cd "$PM" || exit 125
	exec nsenter --net="/run/netns/$PM_NS" podman --root "$PM/root" --runroot "$PM/run" \
		--storage-driver overlay --tmpdir "$PM/tmp" --network-config-dir "$PM/net" "$@"
)

# The same as one shell string (for `script`, which runs a command line).
pm_line() {
	printf 'cd %q && ' "$PM"
	printf '%q ' nsenter --net="/run/netns/$PM_NS" podman --root "$PM/root" \
		--runroot "$PM/run" --storage-driver overlay --tmpdir "$PM/tmp" \
		--network-config-dir "$PM/net" --runtime "$RTBIN"
}

# podman with the runtime under test ($RTBIN).
p() { pm --runtime "$RTBIN" "$@"; }

# The image: ./rootfs (it has /etc/passwd and /etc/group with nobody 65534)
# and /tmp/copyup-marker, which --read-only's tmpfs on /tmp must show.
pm_image() {
	local img=$PM/img
	cp -a "$ROOTFS" "$img"
	mkdir -p "$img/tmp"
	echo from-the-image >"$img/tmp/copyup-marker"
	tar -C "$img" -cf "$PM/bb.tar" .
	rm -rf "$img"
	pm import "$PM/bb.tar" "$IMG" >/dev/null
}

setup_file() {
	"$BATS_TEST_DIRNAME/../deps.sh" podman runc >&2 || return 1
	require_artifacts || return 1
	export PM PM_NS="mcbats-pm-$$"
	PM=$(mktemp -d /tmp/mcbats-pm.XXXXXX)
	mkdir -p "$PM/root" "$PM/run" "$PM/tmp" "$PM/net" "$PM/libpod"
	pm_conf
	export CONTAINERS_CONF=$PM/containers.conf
	ip netns add "$PM_NS" || return 1
	ip -n "$PM_NS" link set lo up || return 1
	pm_image || return 1
	# The storage's own mounts (overlay's private bind of itself), if any.
	pm_mounts >"$PM/mounts.base"
	ls /run/netns >"$PM/netns.base"
}

# Mount points under $PM, from the host's table.
pm_mounts() {
	awk -v pm="$PM" 'index($5, pm) == 1 { print $5 }' /proc/self/mountinfo | sort
}

# conmon and podman processes of ours (their command lines name $PM).
pm_procs() (
	_mc_untrap
	local f
	for f in /proc/[0-9]*/cmdline; do
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$PM/" || continue
		f=${f#/proc/}
		[[ ${f%/cmdline} == "$BASHPID" ]] || echo "${f%/cmdline}"
	done
)

# Everything podman made here that must be gone: one line per leftover.
pm_leftovers() {
	local id d
	for id in $(grep -oE '"ID":"[0-9a-f]{64}"' "$PM/events.log" 2>/dev/null |
		cut -d'"' -f4 | sort -u); do
		for d in /sys/fs/cgroup/*/libpod_parent/libpod-"$id" /run/mcstatic/"$id" \
			/run/runc/"$id"; do
			[[ -e $d ]] && echo "left: $d"
		done
	done
	diff <(cat "$PM/mounts.base") <(pm_mounts) | sed -n 's/^> /left: mount /p'
	diff <(cat "$PM/netns.base") <(ls /run/netns) | sed -n 's/^> /left: netns /p'
	for d in $(pm_procs); do
		echo "left: process $d $({ tr '\0' ' ' </proc/"$d"/cmdline; } 2>/dev/null)"
	done
}

setup() {
	T=$BATS_TEST_TMPDIR
}

# Containers are removed by each scenario; what podman's cleanup processes
# still do after a command returns gets a few seconds.
teardown() {
	local left i
	rl_cleanup
	pm rm -af -t0 >/dev/null 2>&1 || true
	pm pod rm -af -t0 >/dev/null 2>&1 || true
	for i in $(seq 50); do
		left=$(pm_leftovers)
		[[ -z $left ]] && return 0
		sleep 0.1
	done
	fail "left behind:
$left"
}

teardown_file() {
	local left m
	[[ -n ${PM:-} && -d $PM ]] || return 0
	pm rm -af -t0 >/dev/null 2>&1
	pm pod rm -af -t0 >/dev/null 2>&1
	pm system reset -f >/dev/null 2>&1
	# What podman could not unmount: deepest first.
	for m in $(pm_mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	left=$(pm_leftovers | grep -v '^left: mount ')
	ip netns del "$PM_NS" 2>/dev/null
	rm -rf "$PM"
	[[ -z $left ]] || { echo "teardown_file: left behind: $left" >&2; return 1; }
}

# --- comparing the two runtimes ----------------------------------------------

# both FN: FN once with runc, once with mcstatic ($RTBIN, $RT set), its
# stdout in $T/runc.out and $T/mcstatic.out (stderr in .err), its last status
# in $T/NAME.rc; then the two stdouts must be the same.
both() {
	local fn=$1 rt
	for rt in runc mcstatic; do
		RT=$rt
		RTBIN=$RUNC
		[[ $rt == mcstatic ]] && RTBIN=$MC
		(
			_mc_untrap
			"$fn"
		) >"$T/$rt.out" 2>"$T/$rt.err"
		echo $? >"$T/$rt.rc"
	done
	if ! cmp -s "$T/runc.out" "$T/mcstatic.out"; then
		fail "runc and mcstatic differ (- runc, + mcstatic):
$(diff "$T/runc.out" "$T/mcstatic.out" | grep '^[<>]' | sed 's/^</-/; s/^>/+/')
--- runc stderr:
$(tail -5 "$T/runc.err")
--- mcstatic stderr:
$(tail -5 "$T/mcstatic.err")" || return 1
	fi
}

# expect LINE...: each LINE is a whole line of runc's output (the
# reference; both() showed mcstatic's is the same).
expect() {
	local line
	for line in "$@"; do
		grep -qxF -- "$line" "$T/runc.out" && continue
		fail "expected line missing: $line
--- output (runc):
$(cat "$T/runc.out")
--- stderr (runc):
$(tail -5 "$T/runc.err")" || return 1
	done
}

# A container's init pid, from podman.
pid_of() { p inspect -f '{{.State.Pid}}' "$1"; }

# wait_log NAME TEXT: up to 5 s for TEXT in NAME's log.
wait_log() {
	local i
	for i in $(seq 50); do
		p logs "$1" 2>/dev/null | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

# --- run --------------------------------------------------------------------

sc_run_rm() {
	echo "stdout: $(p run --rm "$IMG" echo hello)"
	p run --rm "$IMG" true
	echo "exit 0: $?"
	p run --rm "$IMG" sh -c 'exit 42'
	echo "exit 42: $?"
	p run --rm "$IMG" sh -c 'no-such-command' 2>/dev/null
	echo "exit 127: $?"
	# The inner shell is killed (a PID 1 would ignore its own SIGKILL).
	p run --rm "$IMG" sh -c 'sh -c "kill -9 \$\$"; exit $?'
	echo "exit 137: $?"
	echo "left: $(p ps -aq | wc -l)"
}

@test "podman: run --rm: stdout and exit codes 0, 42, 127, 137" {
	both sc_run_rm
	expect "stdout: hello" "exit 0: 0" "exit 42: 42" "exit 127: 127" \
		"exit 137: 137" "left: 0"
}

sc_run_i() {
	echo "stdin: $(printf 'line1\nline2\n' | p run --rm -i "$IMG" sh -c 'cat | tr "\n" " "')"
	echo "exit: $?"
}

@test "podman: run -i: stdin reaches the container" {
	both sc_run_i
	expect "stdin: line1 line2 " "exit: 0"
}

sc_run_t() {
	script -qec "$(pm_line) run --rm -t $IMG sh -c 'tty; test -t 0 && test -t 1 && echo both-ttys'" \
		/dev/null </dev/null | tr -d '\r' | sed -E 's,^/dev/pts/[0-9]+$,/dev/pts/N,'
	echo "exit: ${PIPESTATUS[0]}"
}

@test "podman: run -t: the container's stdio is a pty of its own devpts" {
	both sc_run_t
	expect "/dev/pts/N" "both-ttys" "exit: 0"
}

# Also: the container is in its cgroup in every v1 hierarchy (runc joins
# them all, podman's stats read blkio), and its stdin, conmon's read-only
# /dev/null, is the container's /dev/null opened read-write (as runc).
sc_pid1() {
	p run --rm "$IMG" sh -c 'echo "pid: $$"; echo "ppid: $PPID"
		sed "s/libpod-[0-9a-f]*$/libpod-ID/" /proc/self/cgroup
		echo "stdin: $(ls -l /proc/self/fd/0 | cut -c1-10)"'
}

@test "podman: \$\$ is 1 (the command is the pid namespace's init)" {
	both sc_pid1
	expect "pid: 1" "ppid: 0" "stdin: lrwx------"
	grep -qx '[0-9]*:blkio:/libpod_parent/libpod-ID' "$T/runc.out"
	grep -qx '[0-9]*:name=systemd:/libpod_parent/libpod-ID' "$T/runc.out"
}

# --- a detached container: exec, stop, kill, pause, top, restart -------------------

sc_exec() {
	p run -d --name ex "$IMG" sleep 1000 >/dev/null
	echo "status: $(p inspect -f '{{.State.Status}}' ex)"
	echo "plain: $(p exec ex echo plain)"
	echo "stdin: $(echo fed | p exec -i ex cat)"
	script -qec "$(pm_line) exec -t ex sh -c 'tty; test -t 0 && echo exec-tty'" \
		/dev/null </dev/null | tr -d '\r' | sed -E 's,^/dev/pts/[0-9]+$,/dev/pts/N,'
	echo "user: $(p exec -u 65534 ex id)"
	echo "workdir: $(p exec -w /tmp ex pwd)"
	echo "env: $(p exec -e FOO=bar ex sh -c 'echo $FOO')"
	echo "exec pid ns: $(p exec ex sh -c 'test $(readlink /proc/self/ns/pid) = $(readlink /proc/1/ns/pid) && echo same')"
	p exec ex sh -c 'exit 3'
	echo "exec exit: $?"
	p exec ex /no/such/file 2>/dev/null
	echo "exec missing: $?"
	p stop -t 2 ex >/dev/null
	echo "stopped: $(p inspect -f '{{.State.Status}} {{.State.ExitCode}}' ex)"
	p rm ex >/dev/null
	echo "rm: $?"
}

@test "podman: run -d, exec (plain, -i, -t, -u, -w, -e), stop, rm" {
	both sc_exec
	expect "status: running" "plain: plain" "stdin: fed" "/dev/pts/N" "exec-tty" \
		"user: uid=65534(nobody) gid=65534(nogroup)" "workdir: /tmp" "env: bar" \
		"exec pid ns: same" "exec exit: 3" "exec missing: 127" \
		"stopped: exited 137" "rm: 0"
}

sc_stop() {
	local t0 t1
	p run -d --name polite "$IMG" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	p run -d --name stubborn "$IMG" sleep 1000 >/dev/null
	t0=$(date +%s%N)
	p stop -t 2 polite >/dev/null
	t1=$(date +%s%N)
	echo "polite: $(p inspect -f '{{.State.ExitCode}}' polite) fast=$(((t1 - t0) < 2000000000))"
	# PID 1 without a handler ignores SIGTERM: SIGKILL after 2 s.
	t0=$(date +%s%N)
	p stop -t 2 stubborn >/dev/null 2>"$T/$RT.stop-err"
	t1=$(date +%s%N)
	echo "stubborn: $(p inspect -f '{{.State.ExitCode}}' stubborn) waited=$(((t1 - t0) >= 2000000000))"
	grep -q 'resorting to SIGKILL' "$T/$RT.stop-err" && echo "stubborn: SIGKILL"
	p rm polite stubborn >/dev/null
}

@test "podman: stop -t 2: SIGTERM, and SIGKILL for a PID 1 that ignores it" {
	both sc_stop
	expect "polite: 0 fast=1" "stubborn: 137 waited=1" "stubborn: SIGKILL"
}

sc_kill_usr1() {
	p run -d --name k "$IMG" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_log k ready
	p kill -s USR1 k >/dev/null
	wait_log k got-usr1 && echo "trap: ran"
	echo "after usr1: $(p inspect -f '{{.State.Status}}' k)"
	p kill k >/dev/null
	p wait k
	p rm k >/dev/null
}

@test "podman: kill -s USR1 reaches the container's trap; kill ends it" {
	both sc_kill_usr1
	expect "trap: ran" "after usr1: running" "137"
}

sc_pause() {
	local pid a b c
	p run -d --name pz "$IMG" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.05; done' >/dev/null
	pid=$(pid_of pz)
	sleep 0.3
	p pause pz >/dev/null
	echo "paused: $(p inspect -f '{{.State.Status}}' pz)"
	a=$(cat /proc/"$pid"/root/tmp/n)
	sleep 0.5
	b=$(cat /proc/"$pid"/root/tmp/n)
	echo "while paused: $((b - a))"
	p unpause pz >/dev/null
	echo "unpaused: $(p inspect -f '{{.State.Status}}' pz)"
	for i in $(seq 30); do
		c=$(cat /proc/"$pid"/root/tmp/n)
		((c > b)) && break
		sleep 0.1
	done
	echo "advances: $((c > b))"
	p rm -f -t0 pz >/dev/null
}

@test "podman: pause stops the container's counter, unpause lets it run" {
	both sc_pause
	expect "paused: paused" "while paused: 0" "unpaused: running" "advances: 1"
}

sc_top() {
	p run -d --name tp "$IMG" sh -c 'sleep 1000; true' >/dev/null
	sleep 0.3
	# The pid of the second process depends on the runtime's own forks.
	p top tp pid comm | sed -E 's/ +/ /g; s/ +$//; s/^[0-9]{2,} /N /; s/^[2-9] /N /'
	p rm -f -t0 tp >/dev/null
}

@test "podman: top lists the container's processes" {
	both sc_top
	expect "PID COMMAND" "1 sh" "N sleep"
	[[ $(wc -l <"$T/runc.out") == 3 ]]
}

sc_restart() {
	local before after
	p run -d --name rs "$IMG" sh -c 'echo started; sleep 1000' >/dev/null
	wait_log rs started
	before=$(pid_of rs)
	p restart -t 0 rs >/dev/null
	echo "restart: $?"
	after=$(pid_of rs)
	echo "status: $(p inspect -f '{{.State.Status}}' rs)"
	echo "new init: $((before != after))"
	for i in $(seq 50); do
		[[ $(p logs rs | grep -c started) == 2 ]] && break
		sleep 0.1
	done
	echo "started: $(p logs rs | grep -c started)"
	p rm -f -t0 rs >/dev/null
}

@test "podman: restart makes a fresh container process" {
	both sc_restart
	expect "restart: 0" "status: running" "new init: 1" "started: 2"
}

# --- resources --------------------------------------------------------------

sc_memory() {
	p run --rm --memory 32m "$IMG" sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived'
	echo "exit: $?"
}

@test "podman: --memory 32m: the limit is set, and running out is 137" {
	both sc_memory
	expect "33554432" "exit: 137"
	run ! grep -x survived "$T/runc.out"
}

sc_pids() {
	# The 51st process cannot be forked: the inner shell fails (the outer
	# one forked it before the limit was reached and needs no more).
	p run --rm --pids-limit 50 "$IMG" sh -c 'cat /sys/fs/cgroup/pids/pids.max
		sh -c "for i in \$(seq 60); do sleep 3 & done" 2>/dev/null
		echo "60 forks failed: $(($? != 0))"'
	p run --rm "$IMG" cat /sys/fs/cgroup/pids/pids.max
}

@test "podman: --pids-limit 50 (and podman's default 2048)" {
	both sc_pids
	expect "50" "60 forks failed: 1" "2048"
}

sc_cpus() {
	p run --rm --cpus 0.5 "$IMG" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us
}

@test "podman: --cpus 0.5 is a 50 ms quota per 100 ms" {
	both sc_cpus
	expect "50000" "100000"
}

sc_update() {
	p run -d --name up --memory 32m "$IMG" sleep 1000 >/dev/null
	echo "before: $(p exec up cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
	p update --memory 64m up >/dev/null
	echo "update: $?"
	echo "after: $(p exec up cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
	p rm -f -t0 up >/dev/null
}

@test "podman: update --memory changes a running container's limit" {
	both sc_update
	expect "before: 33554432" "update: 0" "after: 67108864"
}

# --- networks ---------------------------------------------------------------

sc_net_none() {
	p run --rm --network none "$IMG" sh -c 'ls /sys/class/net; ip -o link show lo | grep -q "[<,]UP[,>]" && echo "lo: up"; ping -c1 -W1 127.0.0.1 >/dev/null && echo "ping lo: ok"'
}

@test "podman: --network none: a new netns with lo, up" {
	both sc_net_none
	expect "lo" "lo: up" "ping lo: ok"
	[[ $(wc -l <"$T/runc.out") == 3 ]]
}

sc_bridge() {
	local ip pid key
	p run -d --name web -p 127.0.0.1:18080:80 "$IMG" sh -c \
		'mkdir /www && echo hello-web >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	ip=$(p inspect -f '{{.NetworkSettings.IPAddress}}' web)
	pid=$(pid_of web)
	key=$(p inspect -f '{{.NetworkSettings.SandboxKey}}' web)
	# podman made the netns; the runtime joined it by path.
	[[ $(stat -L -c %i /proc/"$pid"/ns/net) == $(stat -L -c %i "$key") ]] && echo "netns: joined $key" | sed 's,netns-[0-9a-f-]*,netns-UUID,'
	echo "addr: $(p exec web ip -o -4 addr show eth0 | grep -c 'inet 10\.88\.')"
	for i in $(seq 30); do
		p exec web wget -qO /dev/null http://127.0.0.1/ 2>/dev/null && break
		sleep 0.1
	done
	echo "from a container: $(p run --rm "$IMG" wget -qO- "http://$ip/")"
	echo "from the host side: $(nsenter --net="/run/netns/$PM_NS" "$ROOTFS/bin/busybox" wget -qO- http://127.0.0.1:18080/)"
	p rm -f -t0 web >/dev/null
}

@test "podman: default bridge network: a server reached from a container and through -p" {
	both sc_bridge
	expect "netns: joined /run/netns/netns-UUID" "addr: 1" \
		"from a container: hello-web" "from the host side: hello-web"
}

sc_pod() {
	p pod create --name pd >/dev/null
	p run -d --pod pd --name pa "$IMG" sleep 1000 >/dev/null
	p run --rm --pod pd "$IMG" sh -c 'for n in net ipc uts pid; do readlink /proc/self/ns/$n; done' >"$T/$RT.b"
	p exec pa sh -c 'for n in net ipc uts pid; do readlink /proc/self/ns/$n; done' >"$T/$RT.a"
	for n in 1 2 3 4; do
		[[ $(sed -n ${n}p "$T/$RT.a") == "$(sed -n ${n}p "$T/$RT.b")" ]] && echo "$(sed -n ${n}p "$T/$RT.a" | cut -d: -f1): shared" || echo "$(sed -n ${n}p "$T/$RT.a" | cut -d: -f1): own"
	done
	echo "hostname: $(p exec pa hostname)"
	p pod rm -f -t0 pd >/dev/null
}

@test "podman: a pod's two containers share net, ipc and uts (joined by path)" {
	both sc_pod
	expect "net: shared" "ipc: shared" "uts: shared" "pid: own" "hostname: pd"
}

# --- security options ------------------------------------------------------------

caps_of() { grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status; }

sc_read_only() {
	p run --rm --read-only "$IMG" sh -c 'touch /x 2>/dev/null || echo "/: read-only"
		touch /tmp/y /var/tmp/y /run/y && echo "tmpfs: writable"
		cat /tmp/copyup-marker; stat -c "%n %a" /tmp /var/tmp /run'
}

@test "podman: --read-only: / is not writable, /tmp and co are tmpfs with the image's files" {
	both sc_read_only
	expect "/: read-only" "tmpfs: writable" "from-the-image" "/tmp 1777" "/var/tmp 1777" "/run 755"
}

sc_init() {
	p run --rm --init "$IMG" sh -c 'echo "pid1: $(readlink /proc/1/exe)"; echo "me: $(($$ != 1))"; tr "\0" " " </proc/1/cmdline; echo'
}

@test "podman: --init: catatonit is PID 1" {
	both sc_init
	expect "pid1: /run/podman-init" "me: 1"
	grep -q '^/run/podman-init -- sh -c ' "$T/runc.out"
}

sc_privileged() {
	p run --rm --privileged "$IMG" sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status
		test -c /dev/loop-control && echo "host devices: yes"
		grep " /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1
		ip link set lo mtu 1400 && echo "net admin: yes"'
}

@test "podman: --privileged: all capabilities, no seccomp, host devices, rw /sys" {
	both sc_privileged
	expect "CapEff:	000001fffeffffff" "Seccomp:	0" "host devices: yes" "rw" "net admin: yes"
}

sc_cap_drop_all() {
	p run --rm --cap-drop all "$IMG" sh -c "$(declare -f caps_of); caps_of"
}

@test "podman: --cap-drop all: no capability at all" {
	both sc_cap_drop_all
	expect "CapPrm:	0000000000000000" "CapEff:	0000000000000000" "CapBnd:	0000000000000000"
}

sc_cap_add() {
	p run --rm "$IMG" sh -c 'grep ^CapEff /proc/self/status; ip link set lo mtu 1400 2>/dev/null && echo "net admin: yes" || echo "net admin: no"'
	p run --rm --cap-add NET_ADMIN "$IMG" sh -c 'grep ^CapEff /proc/self/status; ip link set lo mtu 1400 && echo "net admin: yes"'
}

@test "podman: default capabilities, and --cap-add NET_ADMIN" {
	both sc_cap_add
	# podman's 11 default capabilities; then the same plus CAP_NET_ADMIN (12).
	expect "CapEff:	00000000a80425fb" "net admin: no" "CapEff:	00000000a80435fb" "net admin: yes"
}

sc_user() {
	p run --rm --user 65534 "$IMG" sh -c 'id; grep ^CapEff /proc/self/status; touch /root/x 2>/dev/null || echo "root-owned: denied"'
}

@test "podman: --user 65534: that identity, no effective capabilities" {
	both sc_user
	expect "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" \
		"CapEff:	0000000000000000" "root-owned: denied"
}

sc_seccomp() {
	echo "default: $(p run --rm "$IMG" grep ^Seccomp: /proc/self/status)"
	echo "default filters: $(p run --rm "$IMG" grep ^Seccomp_filters: /proc/self/status)"
	echo "unconfined: $(p run --rm --security-opt seccomp=unconfined "$IMG" grep ^Seccomp: /proc/self/status)"
}

@test "podman: seccomp: the default profile filters, seccomp=unconfined does not" {
	both sc_seccomp
	expect "default: Seccomp:	2" "default filters: Seccomp_filters:	1" "unconfined: Seccomp:	0"
}

sc_preserve_fds() {
	echo three >"$T/f3"
	echo four >"$T/f4"
	p run --rm --preserve-fds 2 "$IMG" sh -c 'cat <&3; cat <&4' 3<"$T/f3" 4<"$T/f4"
	echo "exit: $?"
	p run --rm "$IMG" sh -c 'cat <&3' 3<"$T/f3" 2>/dev/null
	echo "without: $?"
}

@test "podman: --preserve-fds 2 passes fds 3 and 4, none without it" {
	both sc_preserve_fds
	expect "three" "four" "exit: 0" "without: 1"
}

# --- failures -----------------------------------------------------------------

sc_missing() {
	p run --rm "$IMG" /no/such/binary
	echo "exit: $?"
	echo "left: $(p ps -aq | wc -l)"
}

@test "podman: a missing executable is podman's 127 with the runtime's message" {
	both sc_missing
	expect "exit: 127" "left: 0"
	grep -q "^Error: $RUNC: runc create failed: .*no such file or directory" "$T/runc.err"
	grep -q "^Error: $MC: .*/no/such/binary: No such file or directory" "$T/mcstatic.err"
	[[ $(wc -l <"$T/mcstatic.err") == 1 ]]
}

# A sysctl the kernel does not have: podman passes it (net.* is allowed),
# the runtime fails inside create after the cgroup, mounts and namespaces
# exist.  Then `podman rm` must find nothing of the runtime's left.
sc_bad_config() {
	local id d
	p run --name bad --sysctl net.ipv4.no_such_sysctl=1 "$IMG" true
	echo "exit: $?"
	id=$(p inspect -f '{{.Id}}' bad)
	p rm bad >/dev/null
	echo "rm: $?"
	for d in /sys/fs/cgroup/*/libpod_parent/libpod-"$id" /run/mcstatic/"$id" /run/runc/"$id"; do
		[[ -e $d ]] && echo "left: $d"
	done
	grep -qF "$id" /proc/self/mountinfo && echo "left: a mount"
	echo "done"
}

@test "podman: a bad config fails cleanly, and podman rm leaves nothing" {
	both sc_bad_config
	expect "exit: 127" "rm: 0" "done"
	run ! grep '^left' "$T/runc.out"
	grep -q "^Error: $MC: .*sysctl net.ipv4.no_such_sysctl: No such file or directory" "$T/mcstatic.err"
	[[ $(wc -l <"$T/mcstatic.err") == 1 ]]
}

# --- rootless ---------------------------------------------------------------------
#
# podman as an unprivileged user with a subuid/subgid range: it runs the
# runtime as root of its own user namespace, with the user's
# XDG_RUNTIME_DIR, no cgroupsPath (cgroup v1 gives rootless podman none)
# and, here, --network none (no slirp4netns).  The user's podman keeps a
# pause process holding its namespaces: teardown ends it by its pid file.

RL_USER=mcbats-pm

rl_setup() {
	command -v newuidmap >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" uidmap
	# No automatic subuid range: it could overlap another test user's.
	id "$RL_USER" >/dev/null 2>&1 ||
		useradd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -M --shell /bin/sh "$RL_USER"
	grep -q "^$RL_USER:" /etc/subuid ||
		usermod --add-subuids 400000-465535 --add-subgids 400000-465535 "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	RL=$(mktemp -d /tmp/mcbats-pmrl.XXXXXX)
	chmod 755 "$RL"
	mkdir -p "$RL/home" "/run/user/$RL_UID"
	chown "$RL_USER" "$RL/home" "/run/user/$RL_UID"
	chmod 700 "/run/user/$RL_UID"
	cat >"$RL/containers.conf" <<EOF2
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$RL/home/events.log"
runtime_supports_json = ["crun", "runc", "mcstatic"]
EOF2
	cp "$PM/bb.tar" "$RL/bb.tar"
	chmod 644 "$RL/bb.tar" "$RL/containers.conf"
	rp import "$RL/bb.tar" "$IMG" >/dev/null
}

# The user's podman, in our network namespace, with storage under $RL/home.
rp() (
	cd "$RL/home" || exit 125
	exec nsenter --net="/run/netns/$PM_NS" runuser -u "$RL_USER" -- env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL/home" USER="$RL_USER" \
		XDG_RUNTIME_DIR="/run/user/$RL_UID" CONTAINERS_CONF="$RL/containers.conf" \
		podman --root "$RL/home/root" --runroot "$RL/home/run" --tmpdir "$RL/home/tmp" \
		--storage-driver overlay "$@"
)

rl_cleanup() {
	local pid i
	[[ -n ${RL:-} && -d $RL ]] || return 0
	rp rm -af -t0 >/dev/null 2>&1
	rp system reset -f >/dev/null 2>&1
	# The user is ours: whatever runs as it (podman's pause process, a
	# conmon) was started by this test.
	for pid in $(ps -o pid= -u "$RL_UID" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null
	done
	for i in $(seq 30); do
		[[ -z $(ps -o pid= -u "$RL_UID" 2>/dev/null) ]] && break
		sleep 0.1
	done
	rm -rf "$RL" "/run/user/$RL_UID"
	userdel "$RL_USER" 2>/dev/null
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	RL=
}

sc_rootless() {
	echo "stdout: $(rp --runtime "$RTBIN" run --rm --network none "$IMG" sh -c 'id -u; wc -l </proc/self/uid_map')" | tr '\n' ' '
	echo
	rp --runtime "$RTBIN" run --rm --network none "$IMG" sh -c 'exit 42'
	echo "exit 42: $?"
	echo "stdin: $(echo fed | rp --runtime "$RTBIN" run --rm -i --network none "$IMG" cat)"
	rp --runtime "$RTBIN" run -d --name rl --network none "$IMG" sleep 1000 >/dev/null
	echo "exec: $(rp --runtime "$RTBIN" exec -u 65534 rl id -u)"
	rp --runtime "$RTBIN" stop -t 1 rl >/dev/null 2>&1
	echo "stopped: $(rp inspect -f '{{.State.Status}} {{.State.ExitCode}}' rl)"
	rp rm rl >/dev/null
	echo "rm: $?"
	ls "/run/user/$RL_UID/mcstatic" "/run/user/$RL_UID/runc" 2>/dev/null | grep -E '^[0-9a-f]{64}$' | sed 's/^/left: /'
}

@test "podman: rootless (a subuid range, its own user namespace): run, -i, exec, stop, rm" {
	rl_setup
	both sc_rootless
	expect "stdout: 0 2 " "exit 42: 42" "stdin: fed" "exec: 65534" "stopped: exited 137" "rm: 0"
	run ! grep '^left' "$T/runc.out"
}
