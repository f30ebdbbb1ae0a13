// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the seed command line: the input is split on NUL
 * bytes into argv, parsed into a spec, validated where that touches nothing
 * (no rootfs), and freed.  ASan and UBSan catch what the parser gets wrong.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "spec.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *env[] = { "PATH=/bin", "HOME=/", NULL };
	char *argv[MAX_ARGS + 2] = { "mcstatic" };
	char *buf = malloc(size + 1);
	struct mc_spec spec;
	int argc = 1;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf; argc <= MAX_ARGS && p <= buf + size;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	struct mc_run_opts opts = { 0 };

	mc_spec_init(&spec, env);
	if (mc_cli_parse(argc, argv, &spec, &opts) == MC_CLI_RUN && !spec.rootfs)
		mc_spec_validate(&spec);
	mc_spec_free(&spec);
	mc_debug_enabled = false;
	free(buf);
	return 0;
}
