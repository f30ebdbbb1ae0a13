/* SPDX-License-Identifier: MIT */
#ifndef MC_SELFEXE_H
#define MC_SELFEXE_H

#include <stdbool.h>

/*
 * CVE-2019-5736: a process of the container that reaches our
 * /proc/PID/exe (root with CAP_SYS_PTRACE, no user namespace) could reopen
 * it for writing once we have exec'd, and replace mcstatic on the host.
 * Run from a sealed memfd copy instead: re-exec ARGV from one, once (a
 * copy that is already running is recognised by its seals).  Returns only
 * on failure, or 0 when already running from the copy.
 */
int mc_selfexe_sealed(char **argv);

/* Is /proc/self/exe our sealed copy? */
bool mc_selfexe_is_sealed(void);

#endif
