#!/usr/bin/env bats
# A short libFuzzer run over the flag parser (ASan + UBSan): any crash,
# leak or undefined behaviour found in it fails the test. `make fuzz` runs
# longer (FUZZ_SECONDS, default 60).

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "fuzz: the flag parser survives 10 s of libFuzzer with ASan and UBSan" {
	run make -s -C "$REPO" fuzz FUZZ_SECONDS=10
	assert_success
	assert_output --regexp 'Done [0-9]+ runs'
	refute_output --partial "ERROR: AddressSanitizer"
	refute_output --partial "runtime error"
}
