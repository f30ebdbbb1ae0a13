#!/usr/bin/env bats
# net-ports.bats — -p (the userspace forwarder): tcp and udp to a bridge
# container, to the loopback of a --net none one, a large transfer, kill -9
# of a foreground mcstatic and of a -d supervisor (the port, veth and lease
# come back), NAT on/off and without nft, and rootless slirp4netns / pasta.
# Every test runs in a network namespace of its own (net-helpers.bash); the
# host side is always 127.0.0.1 of that namespace.

load net-helpers

setup_file() { rootless_user_setup; }
teardown_file() { rootless_user_teardown; }

setup() { net_setup; }
teardown() { net_teardown; }

# refused PORT: a connection to 127.0.0.1:PORT is refused (nobody listens).
refused() {
	local out
	out=$(fetch "$1" 2>&1) && return 1
	[[ $out == *"Connection refused"* ]]
}

# until_refused PORT: poll (5 s) until the port refuses connections.
until_refused() {
	local i
	for ((i = 0; i < 50; i++)); do
		refused "$1" && return 0
		sleep 0.1
	done
	fail "port $1 still answers: $(fetch "$1" 2>&1)"
}

# until_gone PID: poll (5 s) until PID no longer runs.
until_gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		gone "$1" && return 0
		sleep 0.1
	done
	fail "pid $1 still runs: $(tr '\0' ' ' </proc/"$1"/cmdline 2>/dev/null)"
}

# until_no_veth: poll (5 s) until no mcv* link is left.
until_no_veth() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -z $(mcv_links) ]] && return 0
		sleep 0.1
	done
	fail "veth still there: $(mcv_links)"
}

# ---------------------------------------------------------------------------
# tcp and udp
# ---------------------------------------------------------------------------

@test "ports: -p tcp to a bridge container; stop closes the port" {
	launch web --net bridge -p 127.0.0.1:18080:8080 --tmpfs /tmp \
		--rootfs "$ROOTFS" "${HTTPD[@]}"
	until_ok 10 fetch 18080
	run fetch 18080
	assert_success
	assert_output "hi from web"
	run inns ss -Htln
	assert_output --partial 127.0.0.1:18080
	run mc stop web
	assert_success
	until_refused 18080
	run mc rm -f web
	assert_success
	assert_net_clean
}

@test "ports: -p udp echo to a bridge container (no rootfs: the host's socat)" {
	local msg
	bg_start nsenter --net="$NSP" "$MC" --root "$R" --net bridge \
		-p 127.0.0.1:15353:5353/udp socat UDP-LISTEN:5353,fork EXEC:cat
	local pid=$BG_PID
	until_ok 10 sh -c "echo probe | nsenter --net=$NSP socat -t1 - UDP:127.0.0.1:15353 | grep -qx probe"
	for msg in one two "three four"; do
		run sh -c "echo '$msg' | nsenter --net=$NSP socat -t1 - UDP:127.0.0.1:15353"
		assert_success
		assert_output "$msg"
	done
	kill -TERM "$pid"
	wait_pid_status "$pid" 10
	assert_net_clean
}

@test "ports: -p with --net none reaches the container's loopback" {
	bg_start nsenter --net="$NSP" "$MC" --root "$R" --net none \
		-p 127.0.0.1:18082:8080 --tmpfs /tmp --rootfs "$ROOTFS" sh -c \
		'mkdir -p /tmp/www && echo lo-only >/tmp/www/index.html &&
		 exec httpd -f -p 127.0.0.1:8080 -h /tmp/www'
	local pid=$BG_PID
	until_ok 10 fetch 18082
	run fetch 18082
	assert_success
	assert_output lo-only
	kill -TERM "$pid"
	wait_pid_status "$pid" 10
	until_refused 18082
	assert_net_clean
}

@test "ports: -d --net none -p: rm -f ends it at once (the socket maker holds no lock)" {
	run mc -d --name lo1 --net none -p 127.0.0.1:18083:8080 --tmpfs /tmp \
		--rootfs "$ROOTFS" sh -c 'mkdir -p /tmp/www && echo d-lo >/tmp/www/index.html &&
		 exec httpd -f -p 127.0.0.1:8080 -h /tmp/www'
	assert_success
	until_ok 10 fetch 18083
	run fetch 18083
	assert_output d-lo
	# The helper in the container's namespaces once kept the state lock:
	# rm waited for ever.
	run timeout 5 nsenter --net="$NSP" "$MC" --root "$R" rm -f lo1
	assert_success
	assert_output lo1
	until_refused 18083
	assert_net_clean
}

@test "ports: 8 MiB through -p arrive intact" {
	local sum
	launch big --net bridge -p 127.0.0.1:18083:8080 --tmpfs /tmp \
		--rootfs "$ROOTFS" sh -c 'mkdir -p /tmp/www &&
		head -c 8388608 /dev/urandom >/tmp/www/big &&
		sha256sum /tmp/www/big | cut -d" " -f1 >/tmp/www/sum &&
		exec httpd -f -p 8080 -h /tmp/www'
	until_ok 10 fetch 18083 sum
	sum=$(fetch 18083 sum)
	[[ $sum =~ ^[0-9a-f]{64}$ ]] || fail "sum: $sum"
	inns "$ROOTFS/bin/busybox" wget -qO "$T/big" http://127.0.0.1:18083/big
	[[ $(stat -c %s "$T/big") == 8388608 ]] || fail "size $(stat -c %s "$T/big")"
	[[ $(sha256sum "$T/big" | cut -d' ' -f1) == "$sum" ]] || fail "sha256 differs"
	# Twice at once: the relay keeps connections apart.
	inns "$ROOTFS/bin/busybox" wget -qO "$T/b1" http://127.0.0.1:18083/big &
	local w1=$!
	inns "$ROOTFS/bin/busybox" wget -qO "$T/b2" http://127.0.0.1:18083/big
	wait "$w1"
	[[ $(sha256sum <"$T/b1" | cut -d' ' -f1) == "$sum" ]]
	[[ $(sha256sum <"$T/b2" | cut -d' ' -f1) == "$sum" ]]
	run mc rm -f big
	assert_success
	assert_net_clean
}

# ---------------------------------------------------------------------------
# kill -9
# ---------------------------------------------------------------------------

@test "ports: kill -9 of a foreground mcstatic: container, veth and port go; the lease is reclaimed" {
	local first veth cpid addr lines
	bg_start nsenter --net="$NSP" "$MC" --root "$R" --net bridge \
		-p 127.0.0.1:18084:8080 --tmpfs /tmp --rootfs "$ROOTFS" "${HTTPD[@]}"
	first=$BG_PID
	until_ok 10 fetch 18084
	veth=$(mcv_links)
	cpid=$((16#${veth#mcv}))
	addr=$(awk '{ print $1 }' "$R/@net/mcbr0.leases")
	[[ $(awk '{ print $2 }' "$R/@net/mcbr0.leases") == "$first" ]] ||
		fail "the lease does not name mcstatic ($first): $(cat "$R/@net/mcbr0.leases")"
	kill -KILL "$first"
	wait "$first" || true
	until_gone "$cpid"
	until_no_veth
	until_refused 18084
	# The next run: the same port, the same (lowest) address, the dead
	# owner's line gone.
	bg_start nsenter --net="$NSP" "$MC" --root "$R" --net bridge \
		-p 127.0.0.1:18084:8080 --tmpfs /tmp --rootfs "$ROOTFS" "${HTTPD[@]}"
	local second=$BG_PID
	until_ok 10 fetch 18084
	lines=$(cat "$R/@net/mcbr0.leases")
	[[ $(wc -l <<<"$lines") == 1 ]] || fail "leases: $lines"
	[[ $(awk '{ print $1, $2 }' <<<"$lines") == "$addr $second" ]] ||
		fail "expected '$addr $second ...', leases: $lines"
	[[ -d $R/@net/mcbr0/$addr ]] || fail "no lease directory $addr"
	kill -TERM "$second"
	wait_pid_status "$second" 10
	assert_net_clean
}

@test "ports: kill -9 of a -d supervisor: container, veth and port go; the lease is reclaimed" {
	local sup cpid addr lines
	launch sv --net bridge -p 127.0.0.1:18085:8080 --tmpfs /tmp \
		--rootfs "$ROOTFS" "${HTTPD[@]}"
	until_ok 10 fetch 18085
	sup=$(spid sv)
	cpid=$(cpid sv)
	addr=$(lease_addr sv)
	[[ $(awk -v a="$addr" '$1 == a { print $2 }' "$R/@net/mcbr0.leases") == "$sup" ]] ||
		fail "the lease does not name the supervisor ($sup): $(cat "$R/@net/mcbr0.leases")"
	kill -KILL "$sup"
	until_gone "$sup"
	until_gone "$cpid"
	until_no_veth
	until_refused 18085
	mc rm -f sv >/dev/null 2>&1 || true
	launch sv2 --net bridge -p 127.0.0.1:18085:8080 --tmpfs /tmp \
		--rootfs "$ROOTFS" "${HTTPD[@]}"
	until_ok 10 fetch 18085
	run fetch 18085
	assert_output "hi from sv2"
	lines=$(cat "$R/@net/mcbr0.leases")
	[[ $(wc -l <<<"$lines") == 1 && $(awk '{ print $1 }' <<<"$lines") == "$addr" ]] ||
		fail "expected one lease of $addr: $lines"
	[[ $lines != *" $sup "* ]] || fail "the dead supervisor's lease is still there: $lines"
	run mc rm -f sv2
	assert_success
	assert_net_clean
}

# ---------------------------------------------------------------------------
# NAT
# ---------------------------------------------------------------------------

nat_rule() {
	inns nft list table ip mcstatic 2>/dev/null | sed 's/^[[:space:]]*//' |
		grep -xF 'ip saddr 10.89.0.0/24 ip daddr != 10.89.0.0/24 masquerade comment "mcstatic 10.89.0.0/24"'
}

@test "ports: --nat: the rule and ip_forward; the rule goes with the last container that asked" {
	inns sysctl -qw net.ipv4.ip_forward=0
	launch a --net bridge --nat --rootfs "$ROOTFS" sleep 100
	nat_rule || fail "no rule: $(inns nft list ruleset)"
	[[ $(inns sysctl -n net.ipv4.ip_forward) == 1 ]]
	launch b --net bridge --nat --rootfs "$ROOTFS" sleep 100
	launch c --net bridge --rootfs "$ROOTFS" sleep 100
	[[ $(inns nft list table ip mcstatic | grep -c masquerade) == 1 ]] ||
		fail "one rule for the subnet: $(inns nft list ruleset)"
	mc rm -f a
	nat_rule || fail "the rule went while b still asks: $(inns nft list ruleset)"
	mc rm -f b
	run inns nft list tables
	refute_output --partial 'ip mcstatic'
	mc rm -f c
	assert_net_clean
}

@test "ports: --nat masquerades: a peer outside sees the namespace's address; without it, no answer" {
	local ext="$NS-x"
	extra_ns "$ext"
	inns ip link add xo0 type veth peer name xi0 netns "$ext"
	inns ip addr add 198.51.100.2/24 dev xo0
	inns ip link set xo0 up
	ip -n "$ext" addr add 198.51.100.1/24 dev xi0
	ip -n "$ext" link set xi0 up
	inns sysctl -qw net.ipv4.ip_forward=1
	bg_start nsenter --net="/run/netns/$ext" socat TCP-LISTEN:9000,reuseaddr,fork \
		'SYSTEM:echo $SOCAT_PEERADDR'
	local server=$BG_PID
	until_ok 5 sh -c "nsenter --net=/run/netns/$ext ss -Htln | grep -q :9000"
	# Without NAT the peer has no route back to 10.89.0.0/24.
	run --separate-stderr mc --net bridge \
		socat -T3 - TCP:198.51.100.1:9000,connect-timeout=2 </dev/null
	assert_failure
	run --separate-stderr mc --net bridge --nat \
		socat -T3 - TCP:198.51.100.1:9000,connect-timeout=2 </dev/null
	assert_success
	assert_output 198.51.100.2
	kill "$server"
	wait "$server" || true
	drop_extra_ns
	assert_net_clean
}

@test "ports: --nat without nft: 125 naming nftables, nothing left" {
	# PATH without the sbin directories, and (in a mount namespace of its
	# own) an empty /usr/sbin: mcstatic also tries /usr/sbin/nft itself.
	run --separate-stderr unshare --mount --propagation private sh -c \
		'mount -t tmpfs none /usr/sbin && exec "$@"' sh \
		env PATH=/usr/bin:/bin nsenter --net="$NSP" \
		"$MC" --root "$R" --net bridge --nat true
	[[ $status == 125 ]] || fail "exit $status: $stderr"
	[[ $stderr =~ ^mcstatic:\ [^$'\n']*nftables[^$'\n']*$ ]] || fail "stderr: $stderr"
	assert_net_clean
}

# ---------------------------------------------------------------------------
# rootless
# ---------------------------------------------------------------------------

# rootless_port MODE PORT: as the unprivileged user, MODE with -p PORT.
# The helpers open /dev/net/tun as that user: where the host has it 0600
# (Debian's is 0666), a node of our own with 0666 is bound over it in a
# mount namespace of the run's own; the host's stays as it is.
rootless_port() {
	local mode=$1 port=$2 ur="$UDIR/state-$BATS_TEST_NUMBER" pid
	local -a wrap=()
	install -d -o "$U" -m 700 "$ur"
	if [[ $(stat -c %a /dev/net/tun) != 666 ]]; then
		mknod -m 666 "$T/tun" c 10 200
		wrap=(unshare --mount --propagation private sh -c
		      'mount --bind "$0" /dev/net/tun && exec "$@"' "$T/tun")
	fi
	bg_start "${wrap[@]}" nsenter --net="$NSP" runuser -u "$U" -- \
		env MC_BATS_TAG="$MC_BATS_TAG" "$UDIR/mcstatic" --root "$ur" --user \
		--net "$mode" -p "127.0.0.1:$port:8080" --tmpfs /tmp \
		--rootfs "$UDIR/rootfs" "${HTTPD[@]}"
	pid=$BG_PID
	until_ok 15 fetch "$port"
	run fetch "$port"
	assert_success
	assert_output --regexp '^hi from '
	kill -TERM "$pid"
	wait_pid_status "$pid" 10
	until_refused "$port"
	assert_net_clean "$ur"
	rm -rf "$ur"
}

@test "ports: rootless --net slirp4netns with -p" {
	rootless_port slirp4netns 18081
}

@test "ports: rootless --net pasta with -p" {
	# pasta copies an external interface with a default route: a veth
	# pair of the test's namespace (192.0.2.0/24, TEST-NET-1, nothing
	# answers there and nothing leaves the namespace).
	inns ip link add xe0 type veth peer name xe1
	inns ip addr add 192.0.2.10/24 dev xe0
	inns ip link set xe0 up
	inns ip link set xe1 up
	inns ip route add default via 192.0.2.1
	rootless_port pasta 18086
}
