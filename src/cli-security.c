// SPDX-License-Identifier: MIT
/*
 * The seed CLI's security defaults: what runc and the engines give a
 * container unless it asks for less confinement (--privileged, --cap-add,
 * --seccomp unconfined...).  The front-end decides; the setup modules apply
 * whatever the spec says, as they do for config.json.
 */
#include "cli.h"
#include "util.h"

/* runc 1.1's `runc spec`, exactly: what a container must not read... */
static char *default_masked[] = {
	"/proc/acpi",	     "/proc/asound",	 "/proc/kcore",
	"/proc/keys",	     "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug",	 "/sys/firmware",
	"/proc/scsi",
};

/* ...and what it may read but not write. */
static char *default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/*
 * Masked and read-only paths and a read-only /sys, unless --privileged
 * (the spec borrows the lists: it frees only what it was given to own).
 * Applied by the seed's layout when there is a new root.
 */
static void default_paths(struct mc_spec *spec,
			  const struct mc_cli_security *sec)
{
	if (sec->privileged)
		return;
	spec->sys_readonly = true;
	spec->masked_paths = default_masked;
	spec->readonly_paths = default_readonly;
	spec->n_masked_paths = ARRAY_SIZE(default_masked);
	spec->n_readonly_paths = ARRAY_SIZE(default_readonly);
}

int mc_cli_security_defaults(struct mc_spec *spec,
			     const struct mc_cli_security *sec)
{
	default_paths(spec, sec);
	return 0;
}
