// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for config.json: the input is parsed into a spec as
 * mc_config_parse() would see a bundle's file, then freed.  ASan and UBSan
 * catch what the parser gets wrong; LeakSanitizer, what an error path
 * forgets (everything must be owned by the spec).  The first byte, when it
 * is 'P', makes it an exec --process document instead.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct mc_spec spec;

	mc_spec_init(&spec, NULL);
	if (size && data[0] == 'P')
		mc_config_parse_process(&spec, json + 1, size - 1);
	else
		mc_config_parse(&spec, json, size, "/bundle");
	mc_spec_free(&spec);
	return 0;
}
