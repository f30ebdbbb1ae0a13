# tests/bats/net-helpers.bash — shared set-up of net.bats and net-ports.bats.
#
# Every test runs mcstatic inside a network namespace of its own, never in the
# host's: net_setup makes $NS (/run/netns/$NS, lo up) BEFORE common_setup, so
# the mount snapshot already has its bind mount; every command that touches a
# network goes through `nsenter --net=$NSP` (inns, mc), not `ip netns exec`
# (which would make a mount namespace of its own). net_teardown removes every
# container (rm -f), checks the network's "nothing left" (net_leftovers),
# runs common_teardown and deletes the namespace, which takes the bridges,
# veths and nft rules with it.
#
#   NS, NSP   the test's namespace and its path
#   R         the state root of the test (--root), leases in $R/@net/
#   inns CMD  CMD in the test's network namespace
#   mc ARGS   mcstatic --root $R ARGS, in the test's network namespace

load helpers

net_setup() {
	NS="mcnet-$$-$BATS_TEST_NUMBER"
	NSP="/run/netns/$NS"
	EXTRA_NS=()
	ip netns add "$NS" || return 1
	ip -n "$NS" link set lo up || return 1
	common_setup || return 1
	R="$T/state"
	HTTPD=(sh -c 'mkdir -p /tmp/www && echo "hi from $(hostname)" >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www')
}

net_teardown() {
	local n problems rc=0

	for n in $(ls -A "$R" 2>/dev/null); do
		[[ $n == @net ]] && continue
		mc rm -f "$n" >/dev/null 2>&1 || true
	done
	# What a failed test left running: a TERM first, so that a foreground
	# mcstatic releases its network (common_teardown KILLs the rest).
	for n in "${BG_PIDS[@]}"; do
		kill -TERM "$n" 2>/dev/null || true
	done
	for n in "${BG_PIDS[@]}"; do
		timeout 3 tail --pid="$n" -f /dev/null 2>/dev/null || true
	done
	problems=$(net_leftovers)
	common_teardown || rc=1
	for n in "${EXTRA_NS[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	ip netns del "$NS" 2>/dev/null || true
	[[ -z $problems ]] || fail "teardown: left behind:$problems" || return 1
	return $rc
}

inns() { nsenter --net="$NSP" "$@"; }
mc() { nsenter --net="$NSP" "$MC" --root "$R" "$@"; }

# extra_ns NAME: one more namespace for a test (deleted by teardown too).
# Made mid-test, so drop_extra_ns it before assert_nothing_left.
extra_ns() {
	ip netns add "$1" || return 1
	EXTRA_NS+=("$1")
	ip -n "$1" link set lo up
}

drop_extra_ns() {
	local n
	for n in "${EXTRA_NS[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	EXTRA_NS=()
}

# The veths (mcv*) on the namespace's side, one name a line.
mcv_links() {
	inns ip -o link show | awk -F': ' '$2 ~ /^mcv/ { sub(/@.*/, "", $2); print $2 }'
}

# What a finished test must not leave (empty when nothing): a veth (the
# kernel removes one of a killed container's namespace asynchronously: up
# to 5 s), a lease line or a lease's directory, a listener, the nft table.
net_leftovers() {
	local i links f d s root=${1:-$R}

	for ((i = 0; i < 100; i++)); do
		links=$(mcv_links)
		[[ -z $links ]] && break
		sleep 0.05
	done
	[[ -n $links ]] && printf '\n  veth: %s' $links
	for f in "$root"/@net/*.leases; do
		[[ -s $f ]] && printf '\n  lease in %s: %s' "$f" "$(cat "$f")"
	done
	for d in "$root"/@net/*/*; do
		[[ -e $d ]] && printf '\n  lease directory %s' "$d"
	done
	s=$(inns ss -Htlnu)
	[[ -n $s ]] && printf '\n  listener: %s' "$s"
	s=$(inns nft list tables 2>/dev/null | grep -x 'table ip mcstatic')
	[[ -n $s ]] && printf '\n  nft: %s' "$s"
	return 0
}

# The network is clean and nothing else is left either.
assert_net_clean() {
	local p
	p=$(net_leftovers "$@")
	[[ -z $p ]] || fail "left behind:$p" || return 1
	assert_nothing_left
}

# until_ok SECS CMD...: poll CMD every 100 ms until it succeeds.
until_ok() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "not within ${secs}s: $*"
}

# launch NAME ARGS...: mc -d --name NAME ARGS, which must print the name.
launch() {
	local name=$1
	shift
	run --separate-stderr mc -d --name "$name" "$@"
	[[ $status == 0 ]] || fail "-d $name exited $status: $stderr" || return 1
	[[ $output == "$name" ]] || fail "-d printed '$output', not '$name'" || return 1
}

cpid() { jq -r .pid "$R/$1/state.json"; }
spid() { jq -r .life.supervisor "$R/$1/state.json"; }

# lease_addr NAME [BRIDGE]: the address leased to the container named NAME.
lease_addr() {
	awk -v n="$1" '$5 == n { print $1 }' "$R/@net/${2:-mcbr0}.leases"
}

# fetch PORT [PATH]: GET http://127.0.0.1:PORT/PATH from the namespace.
fetch() { inns "$ROOTFS/bin/busybox" wget -qO- "http://127.0.0.1:$1/${2:-}"; }

# gone PID: not running (a zombie counts as gone).
gone() {
	local s
	s=$(awk '/^State:/ { print $2 }' /proc/"$1"/status 2>/dev/null) || return 0
	[[ -z $s || $s == Z ]]
}

# assert_bad ARGS...: mc ARGS exits 125 with one "mcstatic: ..." line.
assert_bad() {
	run --separate-stderr mc "$@"
	[[ $status == 125 ]] || fail "exit $status, not 125, for: $*
stderr: $stderr" || return 1
	[[ $stderr =~ ^mcstatic:\ [^$'\n']+$ ]] || fail "stderr is not one 'mcstatic: ...' line for: $*
$stderr" || return 1
}

# assert_stderr_has TEXT: the (one) error line contains TEXT.
assert_stderr_has() {
	[[ $stderr == *"$1"* ]] || fail "stderr does not contain '$1': $stderr"
}
