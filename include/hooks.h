/* SPDX-License-Identifier: MIT */
#ifndef MC_HOOKS_H
#define MC_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"	/* struct mc_hook, enum mc_hook_kind */

/* The OCI name: "prestart", "createRuntime", ... "poststop". */
const char *mc_hook_kind_name(enum mc_hook_kind kind);

/*
 * Whether a failing hook of KIND fails its step.  The spec: prestart,
 * createRuntime, createContainer and startContainer do; poststart and
 * poststop only warn.
 */
bool mc_hooks_fatal(enum mc_hook_kind kind);

/*
 * Run N hooks in order, each a program in whatever namespaces the caller is
 * in, until one fails.  Each gets STATE_JSON on stdin (it need not read it),
 * argv = args (NULL: just its path), env = env (NULL: empty), an empty signal
 * mask, and no fd but 0, 1 and 2.  Its stdout and stderr are collected, as
 * runc does, and their last bytes go into the error; a hook's background
 * children holding them open do not hold us.  A hook past its timeout is
 * SIGKILLed.  Returns 0, or -1 with "KIND hook PATH: exited with status N"
 * (killed by signal N, timed out after N s, or why it did not start).
 */
int mc_hooks_run(const struct mc_hook *hooks, size_t n, const char *kind,
		 const char *state_json);

#endif
