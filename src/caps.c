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
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "sys.h"

#define CAP_SYS_ADMIN_BIT (1ULL << 21)	/* CAP_SYS_ADMIN, linux/capability.h */

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
