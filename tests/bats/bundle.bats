#!/usr/bin/env bats
# bundle.bats — the seed CLI on an OCI bundle: `mcstatic --bundle DIR [SEED
# OPTIONS] [COMMAND...]` runs DIR/config.json's process with the seed flags
# layered on top; a COMMAND replaces process.args. The bundle is `mcstatic
# spec`'s config with the busybox rootfs and a process of our own (jq).

load helpers

setup() {
	common_setup || return 1
	B="$T/bundle"
	R="$T/root"
	mkdir -p "$B"
	cp -a "$ROOTFS" "$B/rootfs"
	(cd "$B" && "$MC" spec) || return 1
	command -v jq >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" jq >&2
	jq '.process.args = ["sh", "-c", "echo from-config; echo FOO=$FOO; pwd; id -u"]
	    | .process.env += ["FOO=bar"] | .process.cwd = "/tmp"
	    | .process.terminal = true | .hostname = "cfg-host"' \
		"$B/config.json" >"$B/c.json" && mv "$B/c.json" "$B/config.json"
}

teardown() {
	"$MC" --root "$R" rm -f bb1 >/dev/null 2>&1 || true
	common_teardown
}

@test "bundle: the config's process: args, env, cwd, user, hostname; terminal not taken" {
	run --separate-stderr "$MC" --bundle "$B"
	assert_success
	assert_equal "${lines[*]}" "from-config FOO=bar /tmp 0"
	run --separate-stderr "$MC" --bundle "$B" hostname
	assert_success
	assert_output cfg-host
	assert_nothing_left
}

@test "bundle: a COMMAND replaces process.args; seed flags layer on top" {
	run --separate-stderr "$MC" --bundle "$B" --env FOO=baz --hostname h2 \
		--workdir / sh -c 'echo $FOO $(hostname) $(pwd)'
	assert_success
	assert_output "baz h2 /"
	# The config's namespaces stay (runc's spec: pid, network, ipc, uts, mount).
	run --separate-stderr "$MC" --bundle "$B" sh -c 'echo $$; ls /sys/class/net'
	assert_success
	assert_equal "${lines[*]}" "1 lo"
	assert_nothing_left
}

@test "bundle: --cap-drop all and --cap-add change the config's capabilities" {
	run --separate-stderr "$MC" --bundle "$B" sh -c 'grep CapEff /proc/self/status'
	assert_success
	# runc's spec: AUDIT_WRITE, KILL, NET_BIND_SERVICE.
	assert_output --regexp 'CapEff:[[:space:]]+0000000020000420$'
	run --separate-stderr "$MC" --bundle "$B" --cap-drop all sh -c 'grep CapEff /proc/self/status'
	assert_output --regexp 'CapEff:[[:space:]]+0000000000000000$'
	run --separate-stderr "$MC" --bundle "$B" --cap-add sys_admin sh -c 'grep CapEff /proc/self/status'
	assert_output --regexp 'CapEff:[[:space:]]+0000000020200420$'
	assert_nothing_left
}

@test "bundle: -d runs it supervised; restart reads the bundle again" {
	run "$MC" --root "$R" -d --name bb1 --bundle "$B" sleep 100
	assert_success
	assert_output bb1
	run "$MC" --root "$R" exec bb1 sh -c 'echo $FOO; hostname'
	assert_success
	assert_equal "${lines[*]}" "bar cfg-host"
	run "$MC" --root "$R" restart -t 0 bb1
	assert_success
	run "$MC" --root "$R" ps
	assert_output --partial "bb1"
	assert_output --partial "Up"
	run "$MC" --root "$R" rm -f bb1
	assert_success
	assert_nothing_left
}

@test "bundle: a missing bundle or a bad config.json: 125, one line naming it" {
	run --separate-stderr "$MC" --bundle "$T/nope" true
	assert_failure 125
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" "mcstatic: $T/nope/config.json: No such file or directory"
	echo '{"ociVersion": "1.0.2", "process": {"args": 3}}' >"$T/bad.json"
	mkdir -p "$T/bad" && mv "$T/bad.json" "$T/bad/config.json"
	run --separate-stderr "$MC" --bundle "$T/bad" true
	assert_failure 125
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" "^mcstatic: config.json: process.args"
	assert_nothing_left
}
