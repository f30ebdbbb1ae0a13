#!/usr/bin/env bash
# tests/run.sh [BATS-FILE-OR-DIR...] — the runner behind `make test`.
#
# Without arguments: runs every cmocka unit-test binary tests/unit/build/test_*
# and the same built with ASan and UBSan, tests/unit/build-asan/test_* (both
# built by the Makefile; any sanitizer report stops the binary, which then
# counts as failed), then `bats --tap tests/bats`. With arguments: runs
# bats on just those files/directories (no unit tests), e.g.
#     tests/run.sh tests/bats/signals.bats
#
# Output is streamed as it comes. The last line is exactly
#     N passed, N failed[, N skipped]
# (", N skipped" only when nonzero). Exit status is 1 on any failure or when no
# test ran at all, 0 otherwise.
set -uo pipefail
shopt -s lastpipe nullglob

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)

passed=0 failed=0 skipped=0

say() { printf '%s\n' "$*"; }

# Resolve bats arguments against the caller's directory before moving to the repo.
bats_args=()
for arg in "$@"; do
	if [[ ! -e $arg ]]; then
		say "run.sh: no such test file or directory: $arg" >&2
		exit 2
	fi
	bats_args+=("$(cd "$(dirname "$arg")" && pwd -P)/$(basename "$arg")")
done
cd "$repo" || exit 2

# --- cmocka unit tests -------------------------------------------------------------

run_unit() {
	local bin line n got_pass got_fail rc
	local -a bins=()
	for bin in tests/unit/build/test_* tests/unit/build-asan/test_*; do
		[[ -f $bin && -x $bin && $(basename "$bin") != *.* ]] && bins+=("$bin")
	done
	if ((${#bins[@]} == 0)); then
		say "# no unit-test binaries in tests/unit/build (did the Makefile build them?)"
		return
	fi
	for bin in "${bins[@]}"; do
		say "# unit: $bin"
		got_pass=0 got_fail=0
		# Default cmocka output format; stderr merged so the summary is seen.
		# The inner bash reports a crash ("Segmentation fault") into the
		# stream, where it belongs, instead of after the summary line.
		ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		CMOCKA_MESSAGE_OUTPUT=STDOUT bash -c '"$0"; exit $?' "$bin" 2>&1 | while IFS= read -r line; do
			say "$line"
			if [[ $line =~ ^\[\ +PASSED\ +\]\ +([0-9]+)\ test ]]; then
				n=${BASH_REMATCH[1]}
				got_pass=1
				((passed += n))
			elif [[ $line =~ ^\[\ +FAILED\ +\]\ +([0-9]+)\ test ]]; then
				n=${BASH_REMATCH[1]}
				got_fail=1
				((failed += n))
			elif [[ $line =~ ^\[\ +SKIPPED\ +\]\ +([0-9]+)\ test ]]; then
				((skipped += BASH_REMATCH[1]))
			fi
		done
		rc=${PIPESTATUS[0]}
		# cmocka exits with the number of failed tests; a crash or a missing
		# summary is one more failure, so it can never pass silently.
		if ((got_pass == 0 && got_fail == 0)); then
			say "# unit: $bin printed no cmocka summary (exit $rc): counted as 1 failure"
			((failed += 1))
		elif ((rc != 0 && got_fail == 0)); then
			say "# unit: $bin exited $rc without reporting a failed test: counted as 1 failure"
			((failed += 1))
		fi
	done
}

# --- bats end-to-end tests ---------------------------------------------------------------

run_bats() {
	local line plan=-1 ran=0 rc before=$failed
	if ! command -v bats >/dev/null; then
		say "# bats is not installed (tests/deps.sh installs it): counted as 1 failure"
		((failed += 1))
		return
	fi
	((${#bats_args[@]})) || bats_args=(tests/bats)
	bats --tap "${bats_args[@]}" 2>&1 | while IFS= read -r line; do
		say "$line"
		if [[ $line =~ ^1\.\.([0-9]+)$ ]]; then
			plan=${BASH_REMATCH[1]}
		elif [[ $line =~ ^not\ ok\  ]]; then
			((failed += 1, ran += 1))
		elif [[ $line =~ ^ok\ .*\ #\ [Ss][Kk][Ii][Pp] ]]; then
			((skipped += 1, ran += 1))
		elif [[ $line =~ ^ok\  ]]; then
			((passed += 1, ran += 1))
		fi
	done
	rc=${PIPESTATUS[0]}
	if ((plan >= 0 && ran < plan)); then
		say "# bats planned $plan tests but reported $ran: $((plan - ran)) counted as failed"
		((failed += plan - ran))
	fi
	if ((rc != 0 && failed == before)); then
		say "# bats exited $rc without a failing test: counted as 1 failure"
		((failed += 1))
	fi
}

if ((${#bats_args[@]} == 0)); then
	run_unit
fi
run_bats

summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
if ((passed + failed + skipped == 0)); then
	say "# no tests ran"
	say "$summary"
	exit 1
fi
say "$summary"
((failed == 0))
