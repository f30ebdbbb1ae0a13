/* SPDX-License-Identifier: MIT */
#ifndef MC_CONFIG_H
#define MC_CONFIG_H

#include <stddef.h>

#include "spec.h"

/*
 * config.json (OCI runtime spec, Linux) → struct mc_spec.  SPEC comes from
 * mc_spec_init(spec, NULL); everything filled in is owned by it, so on an
 * error the caller only calls mc_spec_free().  Errors are one line naming
 * the field: "config.json: mounts[3].destination: expected a string".
 * Fields mcstatic cannot honour yet that change isolation are errors, never
 * ignored; unknown keys are ignored, as runc does.
 */

/* Read BUNDLE/config.json.  A relative root.path is joined to BUNDLE. */
int mc_config_load(struct mc_spec *spec, const char *bundle);

/* The same from a buffer (not necessarily NUL-terminated): pure, no I/O
 * beyond getcwd() for a relative BUNDLE (NULL: the current directory). */
int mc_config_parse(struct mc_spec *spec, const char *json, size_t len,
		    const char *bundle);

/* A process object alone (exec --process FILE), with the rules of config's
 * "process"; errors read "process.args: missing". */
int mc_config_parse_process(struct mc_spec *spec, const char *json, size_t len);

/* `update --resources`: a linux.resources object alone, into spec->resources. */
int mc_config_parse_resources(struct mc_spec *spec, const char *json,
			      size_t len);

/* An OCI seccomp object alone (the seed's --seccomp FILE) into
 * spec->seccomp; errors name the field ("syscalls[3].action: ..."). */
int mc_config_parse_seccomp(struct mc_spec *spec, const char *json, size_t len);
int mc_config_load_seccomp(struct mc_spec *spec, const char *path);

/* exec --process FILE: mc_config_parse_process of a file. */
int mc_config_load_process(struct mc_spec *spec, const char *path);

#endif
