// SPDX-License-Identifier: MIT
/*
 * The seed CLI's security defaults: what runc and the engines give a
 * container unless it asks for less confinement (--privileged, --cap-add,
 * --seccomp unconfined...).  The front-end decides; the setup modules apply
 * whatever the spec says, as they do for config.json.
 */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "caps.h"
#include "cli.h"
#include "config.h"
#include "error.h"
#include "seccomp.h"
#include "util.h"

/* ---- capabilities -------------------------------------------------------- */

#define CAP(n) (1ULL << (n))

int mc_cli_parse_cap(struct mc_cli_security *sec, bool add, const char *name)
{
	int cap;

	if (!strcasecmp(name, "all")) {
		if (add)
			sec->cap_add_all = true;
		else
			sec->cap_drop_all = true;
		return 0;
	}
	cap = mc_cap_from_name(name);
	if (cap < 0)
		return mc_error(0, "%s: unknown capability %s",
				add ? "--cap-add" : "--cap-drop", name);
	if (add)
		sec->cap_add |= CAP(cap);
	else
		sec->cap_drop |= CAP(cap);
	return 0;
}

/* Docker's rules (moby oci/caps TweakCapabilities), "all" first. */
static uint64_t tweak_caps(const struct mc_cli_security *sec, uint64_t host)
{
	if (sec->privileged)
		return host;
	if (sec->cap_add_all)
		return host & ~sec->cap_drop;
	if (sec->cap_drop_all)
		return sec->cap_add;
	return (MC_CAPS_SEED_DEFAULT & ~sec->cap_drop) | sec->cap_add;
}

/*
 * A caller that is not root and makes no user namespace holds no
 * capability to give away: the command runs as it would without
 * mcstatic (a privileged mcstatic gives it nothing, caps.c).
 */
static bool has_caps_to_limit(const struct mc_spec *spec)
{
	return geteuid() == 0 || (spec->namespaces & CLONE_NEWUSER);
}

/*
 * The bounding set always; effective and permitted for root only: a
 * non-root user gains them through setuid or file capabilities, as under
 * docker.  Inheritable and ambient stay empty, so an exec cannot carry a
 * capability past the bounding set's rules (CVE-2022-29162).
 */
static void default_caps(struct mc_spec *spec,
			 const struct mc_cli_security *sec)
{
	uint64_t set = tweak_caps(sec, mc_caps_bounding_now());
	bool root = !spec->set_user || spec->uid == 0;

	if (!has_caps_to_limit(spec))
		return;
	spec->has_caps = true;
	spec->caps = (struct mc_caps){ .bounding = set };
	if (root)
		spec->caps.effective = spec->caps.permitted = set;
}

/* ---- --ulimit ------------------------------------------------------------ */

/* docker's names, RLIMIT_ spelled in lower case, and rss. */
static int ulimit_resource(const char *name, size_t len)
{
	char buf[32] = "RLIMIT_";
	size_t n = strlen(buf);

	if (!len || len >= sizeof(buf) - n)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!islower((unsigned char)name[i]))
			return -1;
		buf[n + i] = (char)toupper((unsigned char)name[i]);
	}
	buf[n + len] = '\0';
	return mc_rlimit_from_name(buf);
}

/* A limit, "unlimited" or -1: through *END, which must be END_CH. */
static int ulimit_value(const char *s, uint64_t *v, const char **end)
{
	if (!strncmp(s, "unlimited", 9) || !strncmp(s, "-1", 2)) {
		*v = RLIM_INFINITY;
		*end = s + (s[0] == 'u' ? 9 : 2);
		return 0;
	}
	*end = mc_scan_u64(s, v);
	return *end ? 0 : -1;
}

static int ulimit_limits(const char *arg, const char *v, struct mc_rlimit *rl)
{
	const char *end;

	if (ulimit_value(v, &rl->soft, &end) < 0 || (*end && *end != ':'))
		return mc_error(0, "--ulimit %s: expected NAME=SOFT[:HARD]", arg);
	rl->hard = rl->soft;
	if (*end == ':' &&
	    (ulimit_value(end + 1, &rl->hard, &end) < 0 || *end))
		return mc_error(0, "--ulimit %s: expected NAME=SOFT[:HARD]", arg);
	if (rl->soft > rl->hard)
		return mc_error(0, "--ulimit %s: soft limit above the hard limit",
				arg);
	return 0;
}

/* Room for one of each resource, owned by the spec. */
static struct mc_rlimit *ulimit_slot(struct mc_spec *spec, int resource)
{
	for (size_t i = 0; i < spec->n_rlimits; i++)
		if (spec->rlimits[i].resource == resource)
			return &spec->rlimits[i];	/* the last one wins */
	if (!spec->rlimits) {
		spec->rlimits = calloc(RLIMIT_NLIMITS, sizeof(*spec->rlimits));
		if (!spec->rlimits || mc_spec_own(spec, spec->rlimits) < 0) {
			spec->rlimits = NULL;
			mc_error(ENOMEM, "--ulimit");
			return NULL;
		}
	}
	return &spec->rlimits[spec->n_rlimits++];
}

int mc_cli_parse_ulimit(struct mc_spec *spec, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct mc_rlimit rl, *slot;

	if (!eq)
		return mc_error(0, "--ulimit %s: expected NAME=SOFT[:HARD]", arg);
	rl.resource = ulimit_resource(arg, (size_t)(eq - arg));
	if (rl.resource < 0)
		return mc_error(0, "--ulimit %s: unknown limit '%.*s'", arg,
				(int)(eq - arg), arg);
	if (ulimit_limits(arg, eq + 1, &rl) < 0)
		return -1;
	slot = ulimit_slot(spec, rl.resource);
	if (!slot)
		return -1;
	*slot = rl;
	return 0;
}

/* ---- masked and read-only paths ------------------------------------------ */

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

/* ---- seccomp -------------------------------------------------------------- */

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
	/*
	 * The kernel lets a filter in only with CAP_SYS_ADMIN or under
	 * no_new_privs: a caller that is not root and makes no user namespace
	 * has no capability, so it gets no_new_privs (as under bubblewrap).
	 */
	if (!has_caps_to_limit(spec))
		spec->no_new_privileges = true;
	if (!strcmp(v, "default")) {
		spec->seccomp = &mc_seccomp_default;
		return 0;
	}
	return mc_config_load_seccomp(spec, v);
}

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

/*
 * With --bundle, config.json's capabilities, filter and paths are the
 * base: --cap-add and --cap-drop change its sets (drops from all five,
 * adds to bounding, effective and permitted), --seccomp replaces its
 * filter, --privileged takes them all away as it does for the seed.
 */
static int bundle_security(struct mc_spec *spec,
			   const struct mc_cli_security *sec)
{
	struct mc_caps *c = &spec->caps;
	uint64_t host = mc_caps_bounding_now();
	uint64_t drop = sec->cap_drop_all ? ~0ULL : sec->cap_drop;
	uint64_t add = sec->cap_add_all ? host : sec->cap_add;

	if (sec->privileged) {
		spec->has_caps = true;
		*c = (struct mc_caps){ host, host, host, 0, 0 };
		spec->n_masked_paths = spec->n_readonly_paths = 0;
		spec->seccomp = NULL;
	} else if (spec->has_caps) {
		c->bounding = (c->bounding & ~drop) | add;
		c->effective = (c->effective & ~drop) | add;
		c->permitted = (c->permitted & ~drop) | add;
		c->inheritable &= ~drop;
		c->ambient &= ~drop;
	}
	if (!sec->seccomp)
		return 0;
	spec->seccomp = NULL;
	if (!strcmp(sec->seccomp, "unconfined"))
		return 0;
	if (!strcmp(sec->seccomp, "default")) {
		spec->seccomp = &mc_seccomp_default;
		return 0;
	}
	return mc_config_load_seccomp(spec, sec->seccomp);
}

int mc_cli_security_defaults(struct mc_spec *spec,
			     const struct mc_cli_security *sec)
{
	if (sec->bundle)
		return bundle_security(spec, sec);
	default_caps(spec, sec);
	default_paths(spec, sec);
	if (seccomp_defaults(spec, sec) < 0 || default_devices(spec, sec) < 0)
		return -1;
	return 0;
}
