#!/usr/bin/env bats
# A short libFuzzer run over the flag parser, the config.json parser, the
# seccomp parser + compiler and the id maps (ASan + UBSan): any crash, leak
# or undefined behaviour found, a compiled program that jumps out of itself,
# or a broken id map fails the test. `make fuzz` runs longer (FUZZ_SECONDS
# each, default 60).

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "fuzz: the flag, config.json, seccomp and id map parsers survive 10 s each of libFuzzer with ASan and UBSan" {
	run make -s -C "$REPO" fuzz FUZZ_SECONDS=10
	assert_success
	# One "Done N runs" line per harness, the config one from its corpus.
	[ "$(grep -cE '^Done [0-9]+ runs' <<<"$output")" -eq 4 ]
	assert_output --regexp 'INFO: +[0-9]+ files found in tests/fuzz/corpus-config'
	assert_output --regexp 'INFO: +[0-9]+ files found in tests/fuzz/corpus-seccomp'
	assert_output --regexp 'INFO: +[0-9]+ files found in tests/fuzz/corpus-idmap'
	refute_output --partial "ERROR: AddressSanitizer"
	refute_output --partial "ERROR: LeakSanitizer"
	refute_output --partial "runtime error"
}
