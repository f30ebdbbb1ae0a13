/* SPDX-License-Identifier: MIT */
#ifndef MC_CONTAINER_H
#define MC_CONTAINER_H

#include "spec.h"

/*
 * The create sequence: clone into the namespaces, set the child up, exec the
 * command and supervise it.  Returns the exit status mcstatic should exit
 * with, having printed any error; -1 (with mc_error) if nothing could start.
 */
int mc_container_run(struct mc_spec *spec);

#endif
