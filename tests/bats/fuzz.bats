#!/usr/bin/env bats
# A short libFuzzer run over the flag parser, the config.json parser and the
# id maps (ASan + UBSan; the id map harness also traps on a broken map): any
# crash, leak or undefined behaviour found in one fails the test. `make fuzz` runs longer (FUZZ_SECONDS each, default 60).

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "fuzz: the flag, config.json and id map parsers survive 10 s each of libFuzzer with ASan and UBSan" {
	run make -s -C "$REPO" fuzz FUZZ_SECONDS=10
	assert_success
	# One "Done N runs" line per harness, the config one from its corpus.
	[ "$(grep -cE '^Done [0-9]+ runs' <<<"$output")" -eq 3 ]
	assert_output --regexp 'INFO: +[0-9]+ files found in tests/fuzz/corpus-config'
	assert_output --regexp 'INFO: +[0-9]+ files found in tests/fuzz/corpus-idmap'
	refute_output --partial "ERROR: AddressSanitizer"
	refute_output --partial "ERROR: LeakSanitizer"
	refute_output --partial "runtime error"
}
