/* SPDX-License-Identifier: MIT */
#ifndef MC_STATE_H
#define MC_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "json.h"
#include "life.h"
#include "proc.h"

/*
 * Container state, one directory per container:
 *
 *	<root>/			0700, made with its parents by mc_state_create()
 *	<root>/<id>/		0711 (others may reach exec.fifo, as runc)
 *	<root>/<id>/state.json	0600, replaced atomically (tmp, fsync, rename)
 *	<root>/<id>/exec.fifo	0622, while the container is "created"
 *
 * Locking: flock(LOCK_EX) on the container directory itself, so the lock
 * exists exactly as long as the directory and a crash can never leave a
 * directory without one.  Whoever writes state.json or removes the
 * directory holds the lock.  A waiter may be handed the lock of a directory
 * that was removed (or removed and made again) while it waited, so after
 * flock() it compares the inode it locked with what the path names now,
 * and starts over when they differ.
 *
 * The lock belongs to the open file, which a forked or cloned child shares:
 * the container's child must close st->lock_fd right after clone, or the
 * lock lives until the container ends.
 */

#define MC_STATE_ROOT_DEFAULT "/run/mcstatic"
#define MC_STATE_OCI_VERSION "1.2.0"	/* until the config says otherwise */
/* The ID names a directory: at most NAME_MAX (255) bytes. */
#define MC_ID_MAX 255

enum mc_status {
	MC_STATUS_CREATING,
	MC_STATUS_CREATED,
	MC_STATUS_RUNNING,
	MC_STATUS_PAUSED,
	MC_STATUS_STOPPED,
};

/*
 * What state.json records.  New fields must mean "unset" when zero: a
 * state.json written before they existed loads with them zeroed.
 */
struct mc_state {
	char id[MC_ID_MAX + 1];
	char dir[PATH_MAX];		/* <root>/<id> */
	int lock_fd;			/* the flock()ed directory, or -1 */
	pid_t pid;			/* container init; 0 before clone */
	uint64_t start_time;		/* /proc/PID/stat starttime: identity */
	enum mc_status status;		/* as recorded */
	char oci_version[32];		/* the config's ociVersion */
	char bundle[PATH_MAX];		/* absolute */
	char rootfs[PATH_MAX];		/* absolute */
	char created[40];		/* mc_time_rfc3339() of the create */
	char cgroup[PATH_MAX];		/* below each hierarchy's root; "" none */
	bool cgroup_made;		/* ours: delete removes it */
	char owner[64];			/* runc's "owner": "" */
	unsigned long ns_flags;		/* the CLONE_NEW* the container made */
	char *annotations;		/* a JSON object's text, or NULL: none */
	struct mc_life life;		/* detached containers (-d) only */
};

/*
 * The state root into BUF: GIVEN (--root) when not NULL; else for root
 * MC_STATE_ROOT_DEFAULT; for others $XDG_RUNTIME_DIR/mcstatic when that is
 * set and not empty (podman sets it to ""), else MC_STATE_ROOT_DEFAULT.
 * A relative path is made absolute.
 */
/* Not root, or root of a user namespace that is not the initial one. */
bool mc_state_rootless(void);

int mc_state_root(const char *given, char *buf, size_t size);

/*
 * An ID as runc takes it (^[\w+-\.]+$, where "+-\." is the range + , - .):
 * 1 to MC_ID_MAX bytes of letters, digits and _ + , - . and not "." or "..".
 */
int mc_state_check_id(const char *id);

const char *mc_status_name(enum mc_status s);

/* A state nothing is loaded into yet (no lock held): safe to mc_state_free. */
#define MC_STATE_INIT { .lock_fd = -1 }

/*
 * Make <root>/<id> exclusively and lock it; ST is reset, with id, dir,
 * created, oci_version and lock_fd filled in.  Nothing is written yet:
 * until the first mc_state_save(), the container loads as "creating".
 */
int mc_state_create(const char *root, const char *id, struct mc_state *st);

/*
 * Read an existing container.  With LOCK, wait for its lock first (held in
 * st->lock_fd); without, read whatever state.json says now (it is replaced
 * atomically, so it is never half-written).  A directory without state.json
 * (a create that has not saved yet, or died before) loads as "creating".
 */
int mc_state_load(const char *root, const char *id, struct mc_state *st,
		  bool lock);

/* Write state.json atomically.  The caller holds the lock. */
int mc_state_save(const struct mc_state *st);

/* Remove the directory and everything in it.  The caller holds the lock. */
int mc_state_remove(const struct mc_state *st);

/* Release the lock (closes lock_fd). */
void mc_state_unlock(struct mc_state *st);

/* Unlock and free what ST owns; ST can be loaded again afterwards. */
void mc_state_free(struct mc_state *st);

/* Copy LEN bytes of TEXT, which must be a JSON object of strings. */
int mc_state_set_annotations(struct mc_state *st, const char *text,
			     size_t len);

/*
 * The status now: recorded stopped stays stopped; pid 0 is creating; a pid
 * that is gone, a zombie, or another process (start time differs) is
 * stopped; recorded paused stays paused (the freezer is the caller's);
 * otherwise created while exec.fifo exists, else running.
 */
enum mc_status mc_state_status(const struct mc_state *st);

/* <dir>/exec.fifo, and making it (mode 0622 whatever the umask). */
void mc_state_fifo_path(const struct mc_state *st, char *buf, size_t size);
int mc_state_make_fifo(const struct mc_state *st);

/*
 * Every container ID under ROOT, sorted (strcmp); none when ROOT is
 * missing.  Free with mc_state_list_free().
 */
int mc_state_list(const char *root, char ***ids, size_t *n);
void mc_state_list_free(char **ids, size_t n);

/*
 * The OCI state as `runc state` prints it: ociVersion, id, pid (0 when
 * STATUS is stopped), status, bundle, rootfs, created, annotations (left
 * out when there are none), owner; two-space indent, no final newline.
 */
int mc_state_json(const struct mc_state *st, enum mc_status status,
		  struct mc_buf *out);

#endif
