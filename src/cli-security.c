// SPDX-License-Identifier: MIT
/*
 * The seed CLI's security defaults: what runc and the engines give a
 * container unless it asks for less confinement (--privileged, --cap-add,
 * --seccomp unconfined...).  The front-end decides; the setup modules apply
 * whatever the spec says, as they do for config.json.
 */
#include <string.h>

#include "cli.h"
#include "config.h"
#include "error.h"
#include "seccomp.h"

/*
 * The built-in profile (compiled at build time) unless --seccomp says
 * otherwise; --privileged means none, but a --seccomp given with it is
 * what the user asked for, so it wins.
 */
static int seccomp_defaults(struct mc_spec *spec,
			    const struct mc_cli_security *sec)
{
	const char *v = sec->seccomp;

	if (!v)
		v = sec->privileged ? "unconfined" : "default";
	if (!strcmp(v, "unconfined"))
		return 0;
	if (!strcmp(v, "default")) {
		spec->seccomp = &mc_seccomp_default;
		return 0;
	}
	return mc_config_load_seccomp(spec, v);
}

int mc_cli_security_defaults(struct mc_spec *spec,
			     const struct mc_cli_security *sec)
{
	if (seccomp_defaults(spec, sec) < 0)
		return -1;
	return 0;
}
