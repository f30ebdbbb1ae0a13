// SPDX-License-Identifier: MIT
/* Namespace selection for clone(). */
#include <sched.h>

#include "error.h"
#include "namespaces.h"

int mc_namespaces_clone_flags(const struct mc_spec *spec)
{
	return spec->namespaces;
}

void mc_namespaces_announce(int clone_flags)
{
	if (clone_flags & CLONE_NEWNS)
		mc_debug("[parent] Creating mount namespace");
	else if (clone_flags & CLONE_NEWPID)
		mc_debug("[parent] Creating PID namespace");
}
