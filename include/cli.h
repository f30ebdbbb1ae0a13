/* SPDX-License-Identifier: MIT */
#ifndef MC_CLI_H
#define MC_CLI_H

#include "spec.h"

enum mc_cli_action {
	MC_CLI_RUN,
	MC_CLI_HELP,
	MC_CLI_VERSION,
	MC_CLI_ERROR,
};

/* Seed flags → spec.  Strings in the spec point into argv. */
enum mc_cli_action mc_cli_parse(int argc, char **argv, struct mc_spec *spec);

void mc_cli_usage(void);
const char *mc_cli_version(void);

#endif
