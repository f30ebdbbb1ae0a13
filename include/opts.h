/* SPDX-License-Identifier: MIT */
#ifndef MC_OPTS_H
#define MC_OPTS_H

#include <stdbool.h>
#include <stdint.h>

struct mc_netrun;

/*
 * How mcstatic was invoked, beside the OCI-shaped spec: what the front-ends
 * say about this one run that config.json cannot (as crun's context).
 */
struct mc_run_opts {
	const char *id;			/* container ID (OCI verbs) */
	const char *state_root;		/* --root */
	const char *bundle;		/* --bundle, absolute */
	const char *pid_file;		/* --pid-file */
	const char *console_socket;	/* --console-socket */
	unsigned int preserve_fds;	/* --preserve-fds: 3..3+N-1 stay open */
	bool detach;			/* --detach: return once it runs */
	bool no_pivot;			/* --no-pivot: MS_MOVE + chroot */
	bool no_new_keyring;		/* --no-new-keyring */
	bool oci_create;		/* block on the exec fifo before execve */
	const char *exec_fifo;		/* path of the exec fifo (create) */
	bool init;			/* our own init as PID 1, the command as its child */
	bool init_group;		/* init forwards signals to the command's group */
	bool stats;			/* --stats: peak memory and CPU time at exit */
	bool kill_on_parent_death;	/* foreground runs die with mcstatic */
	const int *stdio;		/* the command's 0, 1, 2 (NULL: ours) */
	struct mc_netrun *net;		/* the network, prepared (network.h), or NULL */
	/* The seed CLI's -d: a container mcstatic supervises. */
	const char *name;		/* --name, or NULL: a random ID */
	const char *restart;		/* --restart as given, or NULL: "no" */
	uint64_t log_max_size;		/* --log-max-size; 0: the default */
	bool auto_remove;		/* --rm: the state goes when it ends */
};

#endif
