// SPDX-License-Identifier: MIT
/*
 * The seed CLI's security defaults: what runc and the engines give a
 * container unless it asks for less confinement (--privileged, --cap-add,
 * --seccomp unconfined...).  The front-end decides; the setup modules apply
 * whatever the spec says, as they do for config.json.
 */
#include <sched.h>
#include <unistd.h>

#include "cli.h"

/*
 * Devices: the container's root is the host's root when we are root and
 * there is no user namespace, and it keeps CAP_MKNOD: without a device
 * cgroup it could mknod the host's disk and open it.  So, as runc's spec
 * and the engines: deny all, then the OCI default devices (runc's
 * AllowedDevices, appended by the model).  In a user namespace the kernel
 * refuses to open a node made there; without root there is no cgroup to
 * make; and without a root of its own (--rootfs) the command has the
 * host's /dev and cgroupfs, where it could lift any rule: the rules would
 * cost a cgroup and confine nothing (and a machine's PID 1 keeps its
 * workload's disks).  Then nothing is asked.
 */
static int default_devices(struct mc_spec *spec,
			   const struct mc_cli_security *sec)
{
	static struct mc_dev_rule deny_all = { false, 'a', -1, -1, "rwm" };
	struct mc_resources *r = &spec->resources;

	if (sec->privileged || geteuid() != 0 || !spec->rootfs ||
	    (spec->namespaces & CLONE_NEWUSER) || r->n_dev_rules)
		return 0;
	r->dev_rules = &deny_all;
	r->n_dev_rules = 1;
	return mc_spec_add_default_dev_rules(spec);
}

int mc_cli_security_defaults(struct mc_spec *spec,
			     const struct mc_cli_security *sec)
{
	if (default_devices(spec, sec) < 0)
		return -1;
	return 0;
}
