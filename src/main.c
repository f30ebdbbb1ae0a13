// SPDX-License-Identifier: MIT
/* Entry point: pick the front-end, run what it asked for, map the status. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "container.h"
#include "error.h"
#include "spec.h"
#include "supervise.h"

extern char **environ;

int main(int argc, char **argv)
{
	bool machine = mc_machine_init();
	struct mc_spec spec;
	int status = 0;

	mc_spec_init(&spec, environ);
	switch (mc_cli_parse(argc, argv, &spec)) {
	case MC_CLI_HELP:
		mc_cli_usage();
		break;
	case MC_CLI_VERSION:
		printf("mcstatic %s\n", mc_cli_version());
		break;
	case MC_CLI_RUN:
		status = mc_container_run(&spec);
		break;
	case MC_CLI_ERROR:
		status = -1;
		break;
	}
	if (status < 0) {
		mc_error_print();
		status = MC_EXIT_FAILURE;
	}
	mc_spec_free(&spec);
	if (machine)
		mc_machine_poweroff(status);
	return status;
}
