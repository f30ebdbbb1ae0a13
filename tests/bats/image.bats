#!/usr/bin/env bats
# image.bats — rootfs-build/image.sh: from an OCI layout, a docker archive or
# an OCI archive to a bundle (skopeo + umoci), and the bundle run by
# `mcstatic run --bundle` and `mcstatic --bundle`. The image is made here
# from the busybox rootfs with umoci: entrypoint, cmd, env, workdir, user,
# a label and an exposed port.

load helpers

IMAGE_SH="$BATS_TEST_DIRNAME/../../rootfs-build/image.sh"

setup_file() {
	local L
	command -v umoci >/dev/null && command -v skopeo >/dev/null ||
		"$BATS_TEST_DIRNAME/../deps.sh" umoci skopeo jq >&2
	IMG_DIR=$(mktemp -d /tmp/mcstatic-image.XXXXXX)
	chmod 755 "$IMG_DIR"
	L=$IMG_DIR/layout
	umoci init --layout "$L"
	umoci new --image "$L:bb"
	umoci insert --image "$L:bb" "$BATS_TEST_DIRNAME/../../rootfs" /
	umoci config --image "$L:bb" --config.entrypoint /bin/sh \
		--config.entrypoint -c \
		--config.cmd 'echo cmd-ran; id -u; id -g; pwd; echo $GREETING' \
		--config.env GREETING=hello --config.workingdir /tmp \
		--config.user nobody --config.label org.example.k=v \
		--config.exposedports 8080/tcp
	umoci config --image "$L:bb" --tag baduser --config.user nosuchuser
	skopeo --insecure-policy copy -q "oci:$L:bb" \
		"docker-archive:$IMG_DIR/bb-docker.tar:localhost/bb:latest"
	skopeo --insecure-policy copy -q "oci:$L:bb" "oci-archive:$IMG_DIR/bb-oci.tar"
	export IMG_DIR
}

teardown_file() {
	[[ -n ${IMG_DIR:-} ]] && rm -rf "$IMG_DIR"
	rootless_user_teardown
}

setup() {
	common_setup || return 1
	R="$T/root"
}

teardown() {
	"$MC" --root "$R" delete --force i1 >/dev/null 2>&1 || true
	common_teardown
}

# The image's process, as the container prints it.
assert_image_process() {
	assert_equal "${lines[*]}" "cmd-ran 65534 65534 /tmp hello"
}

# Nothing half-made next to DIR.
assert_no_bundle() {
	[[ ! -e $1 ]] || fail "$1 was left"
	local left
	left=$(ls -d "$1".tmp.* 2>/dev/null || true)
	[[ -z $left ]] || fail "left: $left"
}

@test "image: an OCI layout becomes a bundle: args, env, cwd, user, labels, exposed ports" {
	run "$IMAGE_SH" "oci:$IMG_DIR/layout:bb" "$T/b"
	assert_success
	assert_output "$T/b"
	[[ -x $T/b/rootfs/bin/busybox ]]
	run jq -c '[.process.args, .process.env, .process.cwd, .process.user,
		    .annotations["org.example.k"],
		    .annotations["org.opencontainers.image.exposedPorts"], .root]' \
		"$T/b/config.json"
	assert_output '[["/bin/sh","-c","echo cmd-ran; id -u; id -g; pwd; echo $GREETING"],["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hello"],"/tmp",{"uid":65534,"gid":65534},"v","8080/tcp",{"path":"rootfs","readonly":false}]'
	# The rest is what `mcstatic spec` writes.
	run jq -c '[(.linux.namespaces | length), (.process.capabilities.bounding | length)]' \
		"$T/b/config.json"
	assert_output '[5,3]'
	run --separate-stderr "$MC" --root "$R" run --bundle "$T/b" i1
	assert_success
	assert_image_process
	assert_nothing_left
}

@test "image: the seed CLI runs the bundle; a COMMAND replaces the image's" {
	"$IMAGE_SH" "oci:$IMG_DIR/layout:bb" "$T/b" >/dev/null
	run --separate-stderr "$MC" --bundle "$T/b"
	assert_success
	assert_image_process
	run --separate-stderr "$MC" --bundle "$T/b" sh -c 'echo $GREETING from $(id -un)'
	assert_success
	assert_output "hello from nobody"
	assert_nothing_left
}

@test "image: a docker archive and an OCI archive give the same container" {
	run "$IMAGE_SH" "docker-archive:$IMG_DIR/bb-docker.tar" "$T/d"
	assert_success
	run --separate-stderr "$MC" --root "$R" run --bundle "$T/d" i1
	assert_success
	assert_image_process
	run "$IMAGE_SH" "oci-archive:$IMG_DIR/bb-oci.tar" "$T/o"
	assert_success
	run --separate-stderr "$MC" --bundle "$T/o"
	assert_success
	assert_image_process
	assert_nothing_left
}

@test "image: broken tarball, missing layout, missing tag, bad user: one line, exit 1, no bundle" {
	echo garbage >"$T/broken.tar"
	run --separate-stderr "$IMAGE_SH" "docker-archive:$T/broken.tar" "$T/x"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" "^image.sh: docker-archive:$T/broken.tar: "
	assert_no_bundle "$T/x"
	run --separate-stderr "$IMAGE_SH" "oci:$T/nope:bb" "$T/x"
	assert_failure 1
	assert_regex "$stderr" "^image.sh: oci:$T/nope:bb: .*no such file or directory"
	assert_no_bundle "$T/x"
	run --separate-stderr "$IMAGE_SH" "oci:$IMG_DIR/layout:nosuch" "$T/x"
	assert_failure 1
	assert_regex "$stderr" 'no descriptor found for reference "nosuch"'
	assert_no_bundle "$T/x"
	run --separate-stderr "$IMAGE_SH" "oci:$IMG_DIR/layout:baduser" "$T/x"
	assert_failure 1
	assert_equal "$stderr" "image.sh: oci:$IMG_DIR/layout:baduser: unpack: user 'nosuchuser' is not in the image's /etc/passwd"
	assert_no_bundle "$T/x"
	run --separate-stderr "$IMAGE_SH" "http://example.org/x" "$T/x"
	assert_failure 1
	assert_regex "$stderr" "^image.sh: source 'http://example.org/x': expected oci:PATH"
	assert_no_bundle "$T/x"
}

@test "image: an existing DIR is refused, and replaced with --force" {
	mkdir "$T/b"
	touch "$T/b/mine"
	run --separate-stderr "$IMAGE_SH" "oci:$IMG_DIR/layout:bb" "$T/b"
	assert_failure 1
	assert_equal "$stderr" "image.sh: $T/b exists (--force replaces it)"
	[[ -e $T/b/mine ]]
	run "$IMAGE_SH" --force "oci:$IMG_DIR/layout:bb" "$T/b"
	assert_success
	[[ ! -e $T/b/mine && -e $T/b/config.json ]]
	assert_no_bundle "$T/b.none"
}

@test "image: rootless: image.sh as an unprivileged user, the bundle run as that user" {
	rootless_user_setup
	cp -a "$IMG_DIR/layout" "$UDIR/layout"
	mkdir -p "$UDIR/rootfs-build" "$UDIR/tests" "$UDIR/u"
	cp "$IMAGE_SH" "$UDIR/rootfs-build/"
	cp "$BATS_TEST_DIRNAME/../deps.sh" "$UDIR/tests/"
	chown -R "$U:" "$UDIR/layout" "$UDIR/rootfs-build" "$UDIR/tests" "$UDIR/u"
	run as_user env MCSTATIC="$UDIR/mcstatic" "$UDIR/rootfs-build/image.sh" \
		"oci:$UDIR/layout:bb" "$UDIR/u/bundle"
	assert_success
	# The caller as root inside, its subordinate ids from 1 on.
	run jq -c '.linux.uidMappings | length' "$UDIR/u/bundle/config.json"
	assert_output 2
	run --separate-stderr as_user "$UDIR/mcstatic" --root "$UDIR/u/state" run \
		--bundle "$UDIR/u/bundle" i1
	assert_success
	assert_image_process
	run --separate-stderr as_user "$UDIR/mcstatic" --bundle "$UDIR/u/bundle"
	assert_success
	assert_image_process
	rm -rf "$UDIR/u"
	assert_nothing_left
}
