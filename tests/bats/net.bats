#!/usr/bin/env bats
# net.bats — container networking end to end: --net none / bridge / ns:PATH,
# the bridge and its leases, eth0's address, route and MTU, names between
# containers (/etc/hosts kept up to date), --hostname/--dns/--add-host, a
# --subnet, a fixed --ip, 20 containers on one bridge, and the bad input.
# Every test runs in a network namespace of its own (net-helpers.bash) and
# ends by checking that no veth, lease, listener or nft table is left.

load net-helpers

setup() { net_setup; }
teardown() { net_teardown; }

# ---------------------------------------------------------------------------
# modes
# ---------------------------------------------------------------------------

@test "net: --net none has only lo, up, in a namespace of its own" {
	local outer
	outer=$(stat -L -c %i "$NSP")
	run --separate-stderr mc --net none --rootfs "$ROOTFS" \
		sh -c 'ip -o link show; readlink /proc/self/ns/net'
	assert_success
	[[ ${#lines[@]} == 2 ]] || fail "not only lo: $output"
	assert_line --index 0 --regexp '^1: lo: <LOOPBACK,UP,LOWER_UP>'
	[[ ${lines[1]} =~ ^net:\[[0-9]+\]$ && ${lines[1]} != "net:[$outer]" ]] ||
		fail "not a namespace of its own: ${lines[1]} (outer $outer)"
	assert_net_clean
}

@test "net: --net ns:PATH joins that namespace" {
	local other="$NS-j" ino
	extra_ns "$other"
	ino=$(stat -L -c %i "/run/netns/$other")
	run --separate-stderr mc --net "ns:/run/netns/$other" --rootfs "$ROOTFS" \
		readlink /proc/self/ns/net
	assert_success
	assert_output "net:[$ino]"
	drop_extra_ns
	assert_net_clean
}

@test "net: --net is also --network" {
	run --separate-stderr mc --network none --rootfs "$ROOTFS" ip -o link show
	assert_success
	[[ ${#lines[@]} == 1 && $output == "1: lo:"* ]] || fail "$output"
}

# ---------------------------------------------------------------------------
# the bridge
# ---------------------------------------------------------------------------

@test "net: --net bridge: eth0 in 10.89.0.0/24, default route via .1, the bridge stays, nothing left" {
	run --separate-stderr mc --net bridge --rootfs "$ROOTFS" \
		sh -c 'ip -o -4 addr show dev eth0; ip route; ip -o link show eth0; hostname'
	assert_success
	assert_line --index 0 --regexp '^[0-9]+: eth0 +inet 10\.89\.0\.2/24 '
	assert_line --regexp '^default via 10\.89\.0\.1 dev eth0'
	assert_line --regexp '^10\.89\.0\.0/24 dev eth0 '
	assert_line --regexp '^[0-9]+: eth0@[^:]*: <[^>]*UP[^>]*> mtu 1500 '
	# No --hostname, no --name: a random ID, as docker gives one.
	assert_line --index -1 --regexp '^[0-9a-f]{12}$'
	# The bridge stays, up, with the gateway address.
	run inns ip -o -4 addr show dev mcbr0
	assert_success
	assert_output --regexp 'inet 10\.89\.0\.1/24 '
	run inns ip -o link show mcbr0
	assert_output --regexp '<[^>]*UP[^>]*>'
	assert_net_clean
}

@test "net: eth0 takes the MTU of an existing bridge; the host end mcv<hex pid> is on it" {
	local pid veth
	inns ip link add mcbr0 type bridge
	inns ip link set mcbr0 mtu 1400
	launch web --net bridge --rootfs "$ROOTFS" sleep 100
	pid=$(cpid web)
	veth=$(printf 'mcv%x' "$pid")
	run inns ip -o link show master mcbr0
	assert_success
	assert_output --regexp "^[0-9]+: $veth@[^:]*: .* mtu 1400 .*master mcbr0"
	[[ ${#lines[@]} == 1 ]]
	run --separate-stderr mc exec web ip -o link show eth0
	assert_success
	assert_output --regexp ' mtu 1400 '
	# An existing bridge without an address gets the subnet's .1.
	run inns ip -o -4 addr show dev mcbr0
	assert_output --regexp 'inet 10\.89\.0\.1/24 '
	run mc rm -f web
	assert_success
	assert_net_clean
}

@test "net: --subnet on a new bridge: the bridge gets .1, the container .2" {
	run --separate-stderr mc --net bridge=mct1 --subnet 10.77.5.0/24 --rootfs "$ROOTFS" \
		sh -c 'ip -o -4 addr show dev eth0; ip route'
	assert_success
	assert_line --index 0 --regexp 'inet 10\.77\.5\.2/24 '
	assert_line --regexp '^default via 10\.77\.5\.1 dev eth0'
	run inns ip -o -4 addr show dev mct1
	assert_output --regexp 'inet 10\.77\.5\.1/24 '
	run inns ip -o link show mcbr0
	assert_failure
	assert_net_clean
}

@test "net: --ip gives that address; the lease names it while the container runs" {
	launch fixed --net bridge --ip 10.89.0.50 --rootfs "$ROOTFS" sleep 100
	run --separate-stderr mc exec fixed ip -o -4 addr show dev eth0
	assert_success
	assert_output --regexp 'inet 10\.89\.0\.50/24 '
	[[ $(lease_addr fixed) == 10.89.0.50 ]] || fail "lease: $(cat "$R/@net/mcbr0.leases")"
	[[ -d $R/@net/mcbr0/10.89.0.50 ]]
	run mc rm -f fixed
	assert_success
	assert_net_clean
}

# ---------------------------------------------------------------------------
# names and the generated files
# ---------------------------------------------------------------------------

@test "net: containers reach each other by address and by name, both ways; /etc/hosts follows" {
	local a b
	launch alpha --net bridge --tmpfs /tmp --rootfs "$ROOTFS" "${HTTPD[@]}"
	launch beta --net bridge --tmpfs /tmp --rootfs "$ROOTFS" "${HTTPD[@]}"
	a=$(lease_addr alpha)
	b=$(lease_addr beta)
	[[ $a == 10.89.0.* && $b == 10.89.0.* && $a != "$b" ]] ||
		fail "addresses '$a' '$b': $(cat "$R/@net/mcbr0.leases")"
	until_ok 10 mc exec beta wget -qO- "http://$a:8080/"
	run --separate-stderr mc exec beta wget -qO- "http://$a:8080/"
	assert_success
	assert_output "hi from alpha"
	run --separate-stderr mc exec beta wget -qO- http://alpha:8080/
	assert_success
	assert_output "hi from alpha"
	# alpha started first: it must have learnt beta's name since.
	until_ok 10 mc exec alpha wget -qO- "http://$b:8080/"
	run --separate-stderr mc exec alpha wget -qO- http://beta:8080/
	assert_success
	assert_output "hi from beta"
	run --separate-stderr mc exec alpha cat /etc/hosts
	assert_line --regexp "^${a//./\\.}[[:space:]]+alpha\$"
	assert_line --regexp "^${b//./\\.}[[:space:]]+beta\$"
	run --separate-stderr mc exec alpha hostname
	assert_output alpha
	# beta goes: alpha's /etc/hosts no longer names it.
	run mc rm -f beta
	assert_success
	run --separate-stderr mc exec alpha cat /etc/hosts
	assert_success
	refute_line --regexp '[[:space:]]beta$'
	run mc rm -f alpha
	assert_success
	assert_net_clean
}

@test "net: --hostname, --dns and --add-host are in the container's files" {
	run --separate-stderr mc --net bridge --hostname box --dns 192.0.2.53 \
		--dns 2001:db8::53 --add-host db:10.1.2.3 --add-host cache:10.1.2.4 \
		--rootfs "$ROOTFS" sh -c 'hostname; cat /etc/hostname
			sed "s/^/R /" /etc/resolv.conf; sed "s/^/H /" /etc/hosts'
	assert_success
	assert_line --index 0 box
	assert_line --index 1 box
	# resolv.conf: exactly the two nameservers given.
	[[ $(grep '^R nameserver' <<<"$output") == $'R nameserver 192.0.2.53\nR nameserver 2001:db8::53' ]] ||
		fail "resolv.conf: $(grep '^R ' <<<"$output")"
	assert_line --regexp '^H 127\.0\.0\.1[[:space:]]+localhost([[:space:]].*)?$'
	assert_line --regexp '^H 10\.89\.0\.2[[:space:]]+box$'
	assert_line --regexp '^H 10\.1\.2\.3[[:space:]]+db$'
	assert_line --regexp '^H 10\.1\.2\.4[[:space:]]+cache$'
	assert_net_clean
}

@test "net: resolv.conf without --dns: the host's nameservers without loopback ones" {
	local ns
	run --separate-stderr mc --net bridge --rootfs "$ROOTFS" cat /etc/resolv.conf
	assert_success
	refute_line --regexp '^nameserver[[:space:]]+(127\.|::1)'
	for ns in $(awk '$1 == "nameserver" && $2 !~ /^(127\.|::1$)/ { print $2 }' /etc/resolv.conf); do
		assert_line --regexp "^nameserver[[:space:]]+${ns//./\\.}\$"
	done
	assert_net_clean
}

# ---------------------------------------------------------------------------
# many at once
# ---------------------------------------------------------------------------

@test "net: 20 -d containers on one bridge at once get 20 distinct addresses; rm -f all leaves nothing" {
	local i pids=() errs='' n addr
	for i in $(seq 20); do
		mc -d --name "c$i" --net bridge --rootfs "$ROOTFS" sleep 100 \
			>"$T/out$i" 2>"$T/err$i" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" || errs+=$'\n'"c$((i + 1)): exit $?: $(cat "$T/err$((i + 1))")"
	done
	[[ -z $errs ]] || fail "-d failed:$errs"
	n=$(awk '{ print $1 }' "$R/@net/mcbr0.leases" | sort -u | grep -c '^10\.89\.0\.')
	[[ $n == 20 ]] || fail "$n distinct addresses: $(cat "$R/@net/mcbr0.leases")"
	[[ $(wc -l <"$R/@net/mcbr0.leases") == 20 ]]
	[[ $(mcv_links | wc -l) == 20 ]] || fail "veths: $(mcv_links)"
	# Each container has the address its lease names.
	for i in 1 10 20; do
		addr=$(lease_addr "c$i")
		run --separate-stderr mc exec "c$i" ip -o -4 addr show dev eth0
		[[ $output == *"inet $addr/24 "* ]] || fail "c$i (lease $addr): $output"
	done
	for i in $(seq 20); do
		mc rm -f "c$i" >/dev/null &
		pids[i - 1]=$!
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" || fail "rm -f c$((i + 1)) failed"
	done
	assert_net_clean
}

# ---------------------------------------------------------------------------
# bad input: 125, one line, nothing left
# ---------------------------------------------------------------------------

@test "net: bad --net, -p and --net bridge=NAME values are refused" {
	assert_bad --net bogus true
	assert_stderr_has bogus
	assert_bad --net none -p 1:70000 true
	assert_stderr_has 1:70000
	assert_bad --net none -p abc true
	assert_stderr_has abc
	assert_bad --net none -p 127.0.0.1:18080:80/sctp true
	assert_stderr_has sctp
	assert_bad --net bridge=aaaaaaaaaaaaaaaa --rootfs "$ROOTFS" true
	assert_stderr_has aaaaaaaaaaaaaaaa
	run inns ip -o link show
	refute_output --partial aaaaaaaaaaaaaaa
	assert_bad --net bridge --subnet 10.1.2.3/24 --rootfs "$ROOTFS" true
	assert_stderr_has 10.1.2.3/24
	assert_net_clean
}

@test "net: --nat, --ip, --subnet need --net bridge; -p needs a namespace" {
	assert_bad --nat true
	assert_stderr_has 'needs --net bridge'
	assert_bad --net none --ip 10.89.0.5 true
	assert_stderr_has 'needs --net bridge'
	assert_bad --subnet 10.89.0.0/24 true
	assert_stderr_has 'needs --net bridge'
	assert_bad -p 18080:80 true
	assert_bad --net host -p 18080:80 true
	assert_net_clean
}

@test "net: a port in use is refused before the container starts" {
	bg_start nsenter --net="$NSP" socat TCP-LISTEN:18080,bind=127.0.0.1,reuseaddr,fork SYSTEM:true
	local holder=$BG_PID
	until_ok 5 sh -c "nsenter --net=$NSP ss -Htln | grep -q 127.0.0.1:18080"
	assert_bad --net bridge -p 127.0.0.1:18080:80 --rootfs "$ROOTFS" \
		sh -c "touch $T/started"
	# musl's strerror(EADDRINUSE) is "Address in use" (glibc's "... already ...").
	assert_stderr_line 'mcstatic: port 127.0.0.1:18080/tcp: bind: Address in use'
	[[ ! -e $T/started ]]
	kill "$holder"
	wait "$holder" || true
	assert_net_clean
}

@test "net: an exhausted subnet: the second container gets 'no free address'" {
	launch one --net bridge=mcx0 --subnet 10.99.0.0/30 --rootfs "$ROOTFS" sleep 100
	[[ $(lease_addr one mcx0) == 10.99.0.2 ]]
	assert_bad --net bridge=mcx0 --subnet 10.99.0.0/30 --rootfs "$ROOTFS" true
	assert_stderr_has 'no free address'
	[[ $(wc -l <"$R/@net/mcx0.leases") == 1 ]]
	run mc rm -f one
	assert_success
	assert_net_clean
}

@test "net: --ip outside the subnet, taken, or the gateway's is refused" {
	launch first --net bridge --ip 10.89.0.7 --rootfs "$ROOTFS" sleep 100
	assert_bad --net bridge --ip 10.1.1.1 --rootfs "$ROOTFS" true
	assert_stderr_has 10.1.1.1
	assert_bad --net bridge --ip 10.89.0.7 --rootfs "$ROOTFS" true
	assert_stderr_has 10.89.0.7
	assert_bad -d --name second --net bridge --ip 10.89.0.7 --rootfs "$ROOTFS" true
	assert_stderr_has 10.89.0.7
	[[ ! -e $R/second ]] || fail "the failed -d left its state"
	assert_bad --net bridge --ip 10.89.0.1 --rootfs "$ROOTFS" true
	assert_stderr_has 10.89.0.1
	[[ $(cat "$R/@net/mcbr0.leases" | wc -l) == 1 ]] || fail "$(cat "$R/@net/mcbr0.leases")"
	run mc rm -f first
	assert_success
	assert_net_clean
}
