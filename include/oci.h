/* SPDX-License-Identifier: MIT */
#ifndef MC_OCI_H
#define MC_OCI_H

#include <stdbool.h>

/* The runtime-spec version whose fields mcstatic honours. */
#define MC_OCI_VERSION "1.0.2"

/*
 * The OCI verbs: `mcstatic [GLOBAL...] VERB [ARGS...]`.  When argv names a
 * verb (after any global options), *VERB_AT is set to its index.
 */
bool mc_oci_is_verb(int argc, char **argv, int *verb_at);

/* Run the verb; returns the exit status (1 on the verb's own errors). */
int mc_oci_main(int argc, char **argv, int verb_at);

/* oci-info.c */
void mc_oci_print_version(const char *version);
int mc_oci_features(void);
int mc_oci_spec(const char *bundle, bool rootless);

#endif
