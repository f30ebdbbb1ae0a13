# tests/bats/helpers.bash — shared set-up for the end-to-end tests of ./mcstatic.
#
# Every .bats file does:
#     load helpers
#     setup()    { common_setup; }
#     teardown() { common_teardown; }
#
# and gets:
#   REPO     absolute path of the repository
#   MC       absolute path of ./mcstatic (the binary under test)
#   ROOTFS   absolute path of ./rootfs (built by `make rootfs`)
#   T        a private scratch directory for the test ($BATS_TEST_TMPDIR)
#
# "Nothing left behind" (snapshot_state / assert_nothing_left):
#   * /proc/self/mountinfo of the test (the host mount namespace) has the same
#     mount lines before and after — a leaked bind mount, /proc, /dev or tmpfs
#     shows up here;
#   * the top level of ./rootfs has the same entries (no old_root or similar
#     directory left in the rootfs);
#   * no process started by this test is still running and none is a zombie.
#
# How "started by this test" is decided: common_setup exports a unique
# MC_BATS_TAG=... variable. mcstatic inherits it and (by the CLI contract) passes
# its own environment on to the command, so every process the test started —
# mcstatic itself, its clone()d child before execve, and whatever the container
# runs — carries the tag in /proc/PID/environ. Scanning for the tag (excluding
# the bats process tree itself, which also has it) finds exactly our leftovers,
# while other people running /work/main/mcstatic on the same machine at the
# same time cannot make the test fail. As the brief asks, processes whose
# cmdline starts with $MC are also reported (those carrying our tag, plus any
# new untagged one that appeared since the snapshot — see _mc_new_untagged).

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load.bash'
load '/usr/lib/bats/bats-assert/load.bash'

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)"
MC="$REPO/mcstatic"
ROOTFS="$REPO/rootfs"

# ---------------------------------------------------------------------------
# set-up / tear-down
# ---------------------------------------------------------------------------

# Fail (never skip) when the binary or the rootfs is missing.
require_artifacts() {
	if [[ ! -e $MC ]]; then
		fail "$MC does not exist: build it with 'make' first (tests never skip)" || return 1
	fi
	if [[ ! -f $MC || ! -x $MC ]]; then
		fail "$MC is not an executable file" || return 1
	fi
	if [[ ! -d $ROOTFS ]]; then
		fail "$ROOTFS does not exist: build it with 'make rootfs' first (tests never skip)" || return 1
	fi
	if [[ ! -e $ROOTFS/bin/sh || ! -e $ROOTFS/bin/busybox ]]; then
		fail "$ROOTFS has no bin/sh or bin/busybox: rebuild it with 'make rootfs'" || return 1
	fi
}

common_setup() {
	require_artifacts || return 1
	T="$BATS_TEST_TMPDIR"
	TEST_SHELL_PID=$BASHPID
	export MC_BATS_TAG="mcbats-$$-${BATS_TEST_NUMBER:-0}-$RANDOM$RANDOM"
	BG_PIDS=()
	snapshot_state
}

# Kill (by PID) anything this test started that is still around, then fail if
# there was anything: a leftover is a bug even when the test body passed.
common_teardown() {
	local pid leftovers
	for pid in "${BG_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	leftovers=$(_mc_confirmed_leftovers)
	if [[ -n ${leftovers// /} ]]; then
		local report
		report=$(_mc_describe_pids $leftovers)
		for pid in $leftovers; do
			kill -KILL "$pid" 2>/dev/null || true
		done
		fail "teardown: processes of this test were still running (killed them):
$report" || return 1
	fi
	[[ -n ${T:-} && -d $T ]] && rm -rf "${T:?}"/* 2>/dev/null || true
}

# Start a command in the background and remember its PID so teardown can kill it.
# Sets BG_PID. SIGINT/SIGQUIT are reset to default (see signals.bats for why).
bg_start() {
	env --default-signal=INT,QUIT "$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# ---------------------------------------------------------------------------
# nothing left behind
# ---------------------------------------------------------------------------

# bats runs every command of a test under a DEBUG trap (for its stack traces)
# and with errexit; that makes loops over /proc ~100x slower and makes a
# process vanishing mid-scan fatal. The /proc scanners below therefore run in a
# subshell ( ... ) that first drops those traps and options.
_mc_untrap() {
	trap - DEBUG ERR
	set +eET
}

# PIDs of zombies named mcstatic (to ignore ones that predate the test).
_mc_mcstatic_zombies() (
	_mc_untrap
	local f line name state
	for f in /proc/[0-9]*/status; do
		name='' state=''
		{ while IFS= read -r line; do
			case $line in
			Name:*) name=${line#Name:}; name=${name//[[:space:]]/} ;;
			State:*) state=${line#State:}; state=${state//[[:space:]]/}; state=${state:0:1}; break ;;
			esac
		done <"$f"; } 2>/dev/null
		if [[ $name == mcstatic && $state == Z ]]; then
			f=${f#/proc/}
			echo "${f%/status}"
		fi
	done
)

# The host mount table, whole lines (id, parent, dev, root, mount point,
# options), sorted. Mount points under /tmp that are not this bats run's own
# temp dir are left out: other people's tools (e.g. bench/ scripts keeping
# namespace handles in /tmp/mcbench.*) mount and unmount there while the tests
# run, and mcstatic never mounts anything there unless a test points it there
# (which then is under $BATS_RUN_TMPDIR). MC_TEST_IGNORE_MOUNTS (an ERE on the
# mount point) drops more if needed.
_mc_mountinfo() {
	local own=${BATS_RUN_TMPDIR:-/nonexistent} ignore=${MC_TEST_IGNORE_MOUNTS:-}
	awk -v own="$own" -v ignore="$ignore" '
		{ mp = $5 }
		mp ~ /^\/tmp\// && index(mp, own) != 1 { next }
		ignore != "" && mp ~ ignore { next }
		{ print }' /proc/self/mountinfo | LC_ALL=C sort
}

_mc_rootfs_entries() {
	[[ -d $ROOTFS ]] && (cd "$ROOTFS" && LC_ALL=C ls -A)
}

# PIDs of the bats process tree: this shell and its ancestors.
_mc_self_tree() (
	_mc_untrap
	local pid=$BASHPID ppid line
	while [[ -n $pid && $pid != 0 ]]; do
		echo "$pid"
		ppid=
		{ while IFS= read -r line; do
			if [[ $line == PPid:* ]]; then
				ppid=${line#PPid:}
				ppid=${ppid//[[:space:]]/}
				break
			fi
		done </proc/"$pid"/status; } 2>/dev/null || true
		pid=$ppid
	done
)

# PIDs (not in the bats tree) whose environment carries our tag. The first
# grep may list itself (a command substitution expands the glob in the child
# that then becomes grep), so each candidate is checked again afterwards.
_mc_tagged_pids() (
	_mc_untrap
	local self p f candidates
	candidates=$(grep -lsxzF "MC_BATS_TAG=$MC_BATS_TAG" /proc/[0-9]*/environ)
	self=" $(_mc_self_tree | tr '\n' ' ') "
	for f in $candidates; do
		p=${f#/proc/}
		p=${p%/environ}
		[[ $self == *" $p "* ]] && continue
		grep -qsxzF "MC_BATS_TAG=$MC_BATS_TAG" "$f" || continue
		echo "$p"
	done
)

# PIDs whose cmdline starts with $MC (argv[0] == $MC).
_mc_cmdline_pids() (
	_mc_untrap
	local f p arg0
	for f in /proc/[0-9]*/cmdline; do
		arg0=
		{ IFS= read -r -d '' arg0 <"$f"; } 2>/dev/null || true
		[[ $arg0 == "$MC" ]] || continue
		p=${f#/proc/}
		echo "${p%/cmdline}"
	done
)

# Zombies whose parent is the test shell or one of our tagged processes;
# zombies named mcstatic that did not exist at snapshot time; and any live
# child of the test shell that is not part of the bats tree (a background job
# between fork and exec does not show the tag in /proc/PID/environ yet).
_mc_zombie_pids() (
	_mc_untrap
	local parents="$1" self=" $2 " shell=${TEST_SHELL_PID:-none} f p state ppid name line
	for f in /proc/[0-9]*/status; do
		state='' ppid='' name=''
		{ while IFS= read -r line; do
			case $line in
			Name:*) name=${line#Name:}; name=${name//[[:space:]]/} ;;
			State:*) state=${line#State:}; state=${state//[[:space:]]/}; state=${state:0:1} ;;
			PPid:*) ppid=${line#PPid:}; ppid=${ppid//[[:space:]]/}; break ;;
			esac
		done <"$f"; } 2>/dev/null || true
		p=${f#/proc/}
		p=${p%/status}
		if [[ $state != Z ]]; then
			[[ -n $state && $ppid == "$shell" && $self != *" $p "* ]] && echo "$p"
			continue
		fi
		if [[ " $parents " == *" $ppid "* ]]; then
			echo "$p"
		elif [[ $name == mcstatic && $ppid != 1 && " $MC_SNAP_ZOMBIES " != *" $p "* ]]; then
			# A dead process the host's init has yet to reap (an OCI
			# container's init re-parented to it) is gone, not left.
			echo "$p"
		fi
	done
)

_mc_leftover_pids() (
	_mc_untrap
	local tagged self p pp new=()
	tagged=$(_mc_tagged_pids)
	self=$(_mc_self_tree | tr '\n' ' ')
	# $MC processes without our tag: reported only when they appeared since
	# the snapshot and their parent is the bats tree (e.g. started by a test
	# with `env -i`); others may belong to someone else (see the file header).
	for p in $(_mc_cmdline_pids); do
		[[ " $MC_SNAP_MCPIDS " == *" $p "* ]] && continue
		[[ " $self " == *" $p "* ]] && continue
		[[ " $tagged " == *" $p "* ]] && continue
		pp=$(awk '/^PPid:/{print $2}' /proc/"$p"/status 2>/dev/null)
		[[ " $self " == *" $pp "* ]] && new+=("$p")
	done
	{
		echo "$tagged"
		printf '%s\n' "${new[@]}"
		_mc_zombie_pids "${TEST_SHELL_PID:-$$} ${tagged//$'\n'/ }" "$self"
	} | grep -E '^[0-9]+$' | sort -un | tr '\n' ' '
)

# Leftovers seen in two scans 50 ms apart: a scan can catch a short-lived
# helper process of the scan itself (grep, tr, a subshell) in the act; real
# leftovers persist.
_mc_confirmed_leftovers() {
	local a b p
	a=$(_mc_leftover_pids)
	[[ -z ${a// /} ]] && return 0
	sleep 0.05
	b=$(_mc_leftover_pids)
	for p in $a; do
		[[ " $b " == *" $p "* ]] && printf '%s ' "$p"
	done
	return 0
}

_mc_describe_pids() {
	local p
	for p in "$@"; do
		printf '  pid %s state=%s ppid=%s cmdline=%s\n' "$p" \
			"$(awk '/^State:/{print $2}' /proc/"$p"/status 2>/dev/null)" \
			"$(awk '/^PPid:/{print $2}' /proc/"$p"/status 2>/dev/null)" \
			"$(tr '\0' ' ' 2>/dev/null </proc/"$p"/cmdline)"
	done
}

# Record the mount table, the rootfs top level and pre-existing processes.
snapshot_state() {
	MC_SNAP_MOUNTS=$(_mc_mountinfo)
	MC_SNAP_ROOTFS=$(_mc_rootfs_entries)
	MC_SNAP_MCPIDS=$(_mc_cmdline_pids | tr '\n' ' ')
	# Zombies named mcstatic from before the snapshot are not ours.
	MC_SNAP_ZOMBIES=$(_mc_mcstatic_zombies | tr '\n' ' ')
	MC_SNAP_TAKEN=1
}

# Fail unless the mount table and the rootfs top level are unchanged and no
# process of this test is left. Processes get up to 3 s to go away (orphans of
# a run without --pid may need a moment to exit).
assert_nothing_left() {
	[[ ${MC_SNAP_TAKEN:-} == 1 ]] || { fail "assert_nothing_left: snapshot_state was not called"; return 1; }
	local now leftovers i
	now=$(_mc_mountinfo)
	if [[ $now != "$MC_SNAP_MOUNTS" ]]; then
		fail "mount table changed (host /proc/self/mountinfo, - before / + after):
$(diff <(echo "$MC_SNAP_MOUNTS") <(echo "$now") | grep '^[<>]' | sed 's/^</-/; s/^>/+/')
mount points before: $(echo "$MC_SNAP_MOUNTS" | wc -l), after: $(echo "$now" | wc -l)" || return 1
	fi
	now=$(_mc_rootfs_entries)
	if [[ $now != "$MC_SNAP_ROOTFS" ]]; then
		fail "top level of $ROOTFS changed (- before / + after):
$(diff <(echo "$MC_SNAP_ROOTFS") <(echo "$now") | grep '^[<>]' | sed 's/^</-/; s/^>/+/')" || return 1
	fi
	for i in $(seq 30); do
		leftovers=$(_mc_confirmed_leftovers)
		[[ -z ${leftovers// /} ]] && return 0
		sleep 0.1
	done
	fail "processes left behind by this test:
$(_mc_describe_pids $leftovers)" || return 1
}

# ---------------------------------------------------------------------------
# small assertions
# ---------------------------------------------------------------------------

# assert_stderr_line TEXT: $stderr (from run --separate-stderr) is exactly one
# line equal to TEXT.
assert_stderr_line() {
	local expected=$1
	if [[ $stderr != "$expected" ]]; then
		fail "stderr is not the expected single line
expected: $expected
actual  : $stderr" || return 1
	fi
}

# assert_lines_in_order TEXT PATTERN...: every PATTERN (an extended regex
# anchored at both ends) matches some line of TEXT, in this relative order.
assert_lines_in_order() {
	local text=$1
	shift
	local -a lines
	mapfile -t lines <<<"$text"
	local i=0 pat
	for pat in "$@"; do
		while ((i < ${#lines[@]})); do
			if [[ ${lines[i]} =~ ^${pat}$ ]]; then
				((i += 1))
				continue 2
			fi
			((i += 1))
		done
		fail "line matching /^${pat}\$/ not found (in order) in:
$text" || return 1
	done
}

# wait_for_file_line FILE TEXT [SECONDS]: poll until a line equal to TEXT is in FILE.
wait_for_file_line() {
	local file=$1 text=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		grep -qxF -- "$text" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "'$text' did not appear in $file within ${secs}s; it contains:
$(cat "$file" 2>/dev/null)" || return 1
}

# wait_pid_status PID [SECONDS]: wait for a background child; sets STATUS.
# Fails (and kills it) if it does not exit in time.
wait_pid_status() {
	local pid=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		# A zombie child of ours also answers kill -0: check its state.
		[[ $(awk '/^State:/{print $2}' /proc/"$pid"/status 2>/dev/null) == Z ]] && break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null && [[ $(awk '/^State:/{print $2}' /proc/"$pid"/status 2>/dev/null) != Z ]]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		fail "pid $pid did not exit within ${secs}s (killed it)" || return 1
	fi
	STATUS=0
	wait "$pid" || STATUS=$?
}

# ---------------------------------------------------------------------------
# rootless: an unprivileged user with subordinate ids (userns.bats, caps.bats)
# ---------------------------------------------------------------------------

# rootless_user_setup (setup_file): user $U, its subuid/subgid range, and its
# own copies of the binary and the rootfs in $UDIR; rootless_user_teardown
# (teardown_file) removes them.  as_user CMD... runs CMD as $U.
U=mcbats-user

rootless_user_setup() {
	command -v newuidmap >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" uidmap
	command -v setcap >/dev/null || "$BATS_TEST_DIRNAME/../deps.sh" libcap2-bin
	if ! id "$U" >/dev/null 2>&1; then
		useradd --create-home --shell /bin/sh "$U"
	fi
	# A subordinate range of its own, for newuidmap/newgidmap.
	grep -q "^$U:" /etc/subuid || usermod --add-subuids 300000-365535 "$U"
	grep -q "^$U:" /etc/subgid || usermod --add-subgids 300000-365535 "$U"
	# The user's own copy of the binary and of the rootfs, where it can reach.
	UDIR=$(mktemp -d /tmp/mcstatic-userns.XXXXXX)
	chmod 755 "$UDIR"
	cp "$BATS_TEST_DIRNAME/../../mcstatic" "$UDIR/mcstatic"
	cp -a "$BATS_TEST_DIRNAME/../../rootfs" "$UDIR/rootfs"
	chown -R "$U:" "$UDIR/rootfs"
	export UDIR
}

rootless_user_teardown() {
	[[ -n ${UDIR:-} ]] && rm -rf "$UDIR"
	userdel --remove "$U" 2>/dev/null || true
	sed -i "/^$U:/d" /etc/subuid /etc/subgid
}

# Run as the unprivileged user; MC_BATS_TAG must survive to find leftovers.
as_user() {
	runuser -u "$U" -- env MC_BATS_TAG="$MC_BATS_TAG" "$@"
}

