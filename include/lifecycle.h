/* SPDX-License-Identifier: MIT */
#ifndef MC_LIFECYCLE_H
#define MC_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

/* What a person is told a container is (docker's words). */
enum mc_life_status {
	MC_LIFE_CREATED,
	MC_LIFE_RUNNING,
	MC_LIFE_PAUSED,
	MC_LIFE_RESTARTING,	/* between runs: the supervisor backs off */
	MC_LIFE_EXITED,
};

enum mc_life_status mc_life_status(const struct mc_state *st);
const char *mc_life_status_name(enum mc_life_status s);

/* "Up 5 seconds", "Exited (0) 3 seconds ago", "Restarting (1) ..." */
void mc_life_status_text(const struct mc_state *st, char *buf, size_t size);

/*
 * A detached container whose supervisor was killed: its process killed if
 * it lives on, the state set to exited (137) with the reason, and saved
 * when ST is locked.  Nothing to do for any other container.
 */
int mc_life_refresh(struct mc_state *st);

/* mc_state_load, then mc_life_refresh (taking the lock for it if need be). */
int mc_life_load(const char *root, const char *id, struct mc_state *st,
		 bool lock);

/* `ps` without an ID: the containers, running ones only unless ALL. */
int mc_life_ps(const char *root, bool all, bool json);

#endif
