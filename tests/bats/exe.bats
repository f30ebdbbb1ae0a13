#!/usr/bin/env bats
# tests/bats/exe.bats — the binary's own protection (CVE-2019-5736): a root
# process of the container with CAP_SYS_PTRACE (no user namespace) that
# reaches /proc/PID/exe of an `mcstatic exec` process must never write the
# runtime's file.  `exec` runs from a sealed memfd copy (selfexe.c).
#
# The runtime under attack is a copy of ./mcstatic in $T: if the defence
# breaks, only the copy is overwritten.  Without the defence this test
# fails: the attacker's O_PATH fd of the exe, reopened for writing once no
# exec runs the file (ETXTBSY until then), writes it ("wrote=" > 0, the
# checksum changes; seen with the binary before the memfd re-exec).

load helpers
load oci-helpers

setup_file() { oci_setup_file; }
setup() { oci_setup; }
teardown() { oci_teardown; }

@test "exe: a CAP_SYS_PTRACE root container hammering /proc/PID/exe during 30 execs writes nothing; the binary is unchanged" {
	musl-gcc -static -Os -Wall -Wextra -Werror "$REPO/tests/bats/progs/exe-attack.c" \
		-o "$B/rootfs/bin/exe-attack"
	cp "$MC" "$T/mc"
	local before after i id=exe-$RANDOM
	before=$(sha256sum <"$T/mc")
	bundle_set 'c["process"]["capabilities"]={k:["CAP_SYS_PTRACE","CAP_DAC_OVERRIDE"] for k in ("bounding","effective","permitted")}'
	bundle_args /bin/exe-attack 4
	RT=$T/mc rtc run --detach --bundle "$B" "$id"
	expect_status 0
	for i in $(seq 30); do
		RT=$T/mc rtc exec "$id" /bin/true
		expect_status 0
	done
	# The attacker goes on 4 s in all, past the last exec.
	for i in $(seq 100); do
		grep -q '^held=' "$T/rtc.1.out" && break
		sleep 0.1
	done
	after=$(sha256sum <"$T/mc")
	run cat "$T/rtc.1.out"
	# It did reach the exec processes' exe (and opens the memfd for writing),
	assert_output --regexp '^held=[1-9][0-9]* opened=[1-9][0-9]* wrote=0$'
	[ "$before" = "$after" ] || fail "the runtime's binary was changed"
	cmp "$MC" "$T/mc"
	rtc delete --force "$id"
}
