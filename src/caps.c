// SPDX-License-Identifier: MIT
/*
 * A privileged mcstatic (file capabilities, setuid or setgid, run by a user
 * other than root) must give its caller nothing but new namespaces: it acts
 * as the caller with only CAP_SYS_ADMIN, refuses what would change what a
 * privileged program sees, and the command runs with no capability and
 * no_new_privs, so no setuid binary can win the privilege back.  This is
 * bubblewrap's setuid mode.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "sys.h"
#include "util.h"

#define CAP_SYS_ADMIN_BIT (1ULL << 21)	/* CAP_SYS_ADMIN, linux/capability.h */
#define SECBIT_NO_SETUID_FIXUP_BIT (1 << 2)	/* linux/securebits.h */

static const char why[] =
	" (this mcstatic has more privilege than its caller: file capabilities or setuid)";

/* True while this process holds more than its caller. */
static bool privileged;

int mc_caps_init(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	/*
	 * The kernel marks an exec that raised privilege (setuid, setgid, file
	 * capabilities) with AT_SECURE; root has nothing more to gain.
	 */
	if (uid == 0 || !(getauxval(AT_SECURE) || geteuid() == 0))
		return 0;
	privileged = true;
	/*
	 * Setuid root: become the caller, keeping the capabilities over the
	 * change (PR_SET_KEEPCAPS), so that every path is looked up and every
	 * file made with the caller's rights.  Under file capabilities the ids
	 * are the caller's already.
	 */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return mc_error(errno, "become the caller (uid %u)", uid);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	/* EPERM: the binary lacks CAP_SYS_ADMIN, so keep nothing at all. */
	if (sys_capset(CAP_SYS_ADMIN_BIT, CAP_SYS_ADMIN_BIT, 0) == 0 ||
	    (errno == EPERM && sys_capset(0, 0, 0) == 0))
		return 0;
	return mc_error(errno, "capset");
}

/*
 * An unprivileged caller can make a user namespace on its own: without any
 * privilege left, the maps are what the kernel and newuidmap allow it, and
 * the parent beside the container holds nothing the caller lacks.
 */
static int give_up(void)
{
	if (sys_capset(0, 0, 0) < 0)
		return mc_error(errno, "capset");
	privileged = false;
	mc_debug("[parent] Privilege given up: a user namespace needs none");
	return 0;
}

int mc_caps_check(const struct mc_spec *spec)
{
	if (!privileged)
		return 0;
	if (spec->namespaces & CLONE_NEWUSER)
		return give_up();
	/* Without a new root they would change the host's tree as seen by
	 * setuid programs (a tmpfs on /etc holding the caller's passwd). */
	if (spec->n_mounts && !spec->rootfs)
		return mc_error(0, "--tmpfs needs --rootfs%s", why);
	if (spec->cwd && !spec->rootfs)
		return mc_error(0, "--workdir needs --rootfs%s", why);
	/* A fresh proc of the host's PID namespace would ignore its hidepid. */
	if (spec->rootfs && !(spec->namespaces & CLONE_NEWPID))
		return mc_error(0, "--rootfs needs --pid%s", why);
	if (spec->set_user && (spec->uid != getuid() || spec->gid != getgid()))
		return mc_error(0, "--userid %u:%u: only the caller's own %u:%u%s",
				spec->uid, spec->gid, getuid(), getgid(), why);
	return 0;
}

int mc_caps_drop(void)
{
	if (!privileged)
		return 0;
	/* Ambient capabilities go with them: they must be permitted. */
	if (sys_capset(0, 0, 0) < 0)
		return mc_error(errno, "drop capabilities");
	/*
	 * Setuid and file capabilities are ignored from now on.  The bounding
	 * set stays (dropping it needs CAP_SETPCAP): with no_new_privs and a
	 * uid other than 0 no exec can raise a capability through it.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return mc_error(errno, "no_new_privs");
	return 0;
}

/* ---- process.capabilities ------------------------------------------------ */

/* Capability n is bit n (linux/capability.h), without the CAP_ prefix. */
static const char *const cap_names[MC_CAP_COUNT] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
	"SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int mc_cap_from_name(const char *name)
{
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	for (int i = 0; i < MC_CAP_COUNT; i++)
		if (!strcasecmp(name, cap_names[i]))
			return i;
	return -1;
}

const char *mc_cap_name(int cap)
{
	return cap >= 0 && cap < MC_CAP_COUNT ? cap_names[cap] : "?";
}

/* The kernel's cap_last_cap, found the way the kernel answers it: reading
 * the bounding set of a capability it does not know fails with EINVAL.  No
 * /proc needed, so it works before /proc is mounted and under masks. */
static int last_cap(void)
{
	int n = 0;

	while (n < 63 && prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0)
		n++;
	return n;
}

uint64_t mc_caps_bounding_now(void)
{
	int last = last_cap();
	uint64_t set = 0;

	for (int i = 0; i <= last; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
			set |= 1ULL << i;
	return set;
}

/* What this kernel knows: the rest is skipped, as runc does, so a config
 * written for a newer kernel still runs. */
static uint64_t known_mask(const struct mc_caps *caps)
{
	int last = last_cap();
	uint64_t mask = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	uint64_t all = caps->bounding | caps->effective | caps->permitted |
		       caps->inheritable | caps->ambient;

	for (int i = last + 1; i < 64; i++)
		if (all & (1ULL << i))
			mc_debug("[child] Skipping CAP_%s: this kernel knows "
				 "capabilities up to %d", mc_cap_name(i), last);
	return mask;
}

/* Needs CAP_SETPCAP, so it comes before the final capset. */
static int drop_bounding(uint64_t keep)
{
	int last = last_cap();

	for (int i = 0; i <= last; i++) {
		if (keep & (1ULL << i) || prctl(PR_CAPBSET_READ, i, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0)
			return mc_error(errno, "process.capabilities.bounding: "
					"drop CAP_%s", mc_cap_name(i));
	}
	return 0;
}

/* The securebits before mc_caps_prepare, given back by mc_caps_apply. */
static int saved_securebits = -1;

/* A non-root process.user: the capabilities must outlive setresuid. */
static bool changes_to_non_root(const struct mc_spec *spec)
{
	return spec->set_user && spec->uid != 0;
}

int mc_caps_prepare(const struct mc_spec *spec)
{
	if (privileged || !spec->has_caps)
		return 0;
	if (drop_bounding(spec->caps.bounding) < 0)
		return -1;
	/*
	 * A uid change away from 0 clears the effective and permitted sets.
	 * With no fixup the kernel leaves all of them alone, so the steps
	 * between the identity and mc_caps_apply (a seccomp filter without
	 * no_new_privs needs CAP_SYS_ADMIN) still hold them.  KEEPCAPS would
	 * keep the permitted set only.
	 */
	if (!changes_to_non_root(spec))
		return 0;
	saved_securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (saved_securebits < 0 ||
	    prctl(PR_SET_SECUREBITS,
		  saved_securebits | SECBIT_NO_SETUID_FIXUP_BIT, 0, 0, 0) < 0)
		return mc_error(errno, "process.capabilities: keep them over "
				"the change to uid %u", spec->uid);
	return 0;
}

static int raise_ambient(uint64_t ambient)
{
	/* EINVAL: a kernel before 4.3, which has no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    (errno != EINVAL || ambient))
		return mc_error(errno, "process.capabilities.ambient: clear");
	for (int i = 0; i < 64; i++) {
		if (!(ambient & (1ULL << i)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) == 0)
			continue;
		/*
		 * EPERM: not both permitted and inheritable.  runc and crun
		 * go on without it, and configs rely on that; the ambient set
		 * can only widen what the others allow.
		 */
		if (errno != EPERM)
			return mc_error(errno, "process.capabilities.ambient: "
					"raise CAP_%s", mc_cap_name(i));
		mc_debug("[child] Not raising ambient CAP_%s: it is not both "
			 "permitted and inheritable", mc_cap_name(i));
	}
	return 0;
}

int mc_caps_apply(const struct mc_spec *spec)
{
	const struct mc_caps *c = &spec->caps;
	uint64_t known;

	if (privileged)
		return mc_caps_drop();
	if (!spec->has_caps)
		return 0;
	known = known_mask(c);
	/* The securebits survive exec: give the kernel its rules back while
	 * CAP_SETPCAP is still effective. */
	if (saved_securebits >= 0 &&
	    prctl(PR_SET_SECUREBITS, saved_securebits, 0, 0, 0) < 0)
		return mc_error(errno, "process.capabilities: securebits");
	if (sys_capset(c->effective & known, c->permitted & known,
		       c->inheritable & known) < 0)
		return mc_error(errno, "process.capabilities: capset");
	return raise_ambient(c->ambient & known);
}
