/* SPDX-License-Identifier: MIT */
#ifndef MC_SYNC_H
#define MC_SYNC_H

/*
 * Parent <-> child messages over a SOCK_SEQPACKET pair: one record a
 * message, optionally carrying one descriptor (SCM_RIGHTS).  End-of-file
 * means the sender exec'd (its end is close-on-exec) or died.
 */
#define MC_SYNC_TEXT_MAX 4096

enum mc_sync_type {
	MC_SYNC_GO,		/* parent: your turn */
	MC_SYNC_ERROR,		/* child: failed; exit_code, err, text */
	MC_SYNC_READY,		/* child: set up, waiting on the exec fifo */
	MC_SYNC_PID,		/* child: the process it made is VALUE */
	MC_SYNC_TTY,		/* child: the terminal's master comes along */
};

struct mc_sync_msg {
	int type;
	int exit_code;		/* ERROR: the status the run ends with */
	int err;		/* ERROR: errno, 0 if none */
	int value;		/* PID */
	char text[MC_SYNC_TEXT_MAX];	/* ERROR: the message; GO: the state */
};

/* Send M (and FD unless it is -1). */
int mc_sync_send(int sock, const struct mc_sync_msg *m, int fd);

/* Send just a type (and a value). */
int mc_sync_send_type(int sock, int type, int value);

/* 1 with a message (and *FD, or -1 when none came), 0 at EOF, -1 on error. */
int mc_sync_recv(int sock, struct mc_sync_msg *m, int *fd);

/* Child: report the recorded error and exit with EXIT_CODE. */
_Noreturn void mc_sync_fail(int sock, int exit_code);

/* Parent: an ERROR message becomes the recorded error. */
void mc_sync_take_error(const struct mc_sync_msg *m);

#endif
