/* SPDX-License-Identifier: MIT */
#ifndef MC_TTY_H
#define MC_TTY_H

#include <stddef.h>
#include <sys/signalfd.h>

/*
 * process.terminal, as runc does it.  The pty is made inside the container,
 * after pivot_root, so it belongs to the container's devpts (/dev/ptmx is a
 * symlink to pts/ptmx there): the slave's name then means the same thing to
 * the container and to whoever receives the master.
 */

/*
 * Open a new pty master (close-on-exec, no controlling terminal) and unlock
 * its slave.  SLAVE_PATH, when not NULL, gets the slave's name, e.g.
 * "/dev/pts/3".
 */
int mc_tty_open(int *master, char *slave_path, size_t size);

/*
 * Open MASTER's slave (close-on-exec, no controlling terminal).  TIOCGPTPEER
 * (Linux 4.13) finds it whatever devpts is mounted where; older kernels open
 * /dev/pts/N by name.  Returns the fd or -1.
 */
int mc_tty_open_slave(int master);

/*
 * Make SLAVE our controlling terminal and our fds 0, 1 and 2: a new session
 * unless we lead one already, TIOCSCTTY, dup2.  SLAVE itself is closed when
 * it is not one of 0, 1, 2.
 */
int mc_tty_make_controlling(int slave);

int mc_tty_set_size(int fd, unsigned int width, unsigned int height);
int mc_tty_copy_size(int from, int to);

/*
 * --console-socket: hand the pty master FD to the engine listening on the
 * AF_UNIX stream socket at SOCKET_PATH.  As runc's utils.SendFd, one message
 * carries the file's name ("/dev/ptmx") as data and FD as SCM_RIGHTS.
 * mc_tty_send_fd() is connect + send + close; the two halves are separate
 * for a caller that must connect before pivot_root and send after it.
 */
int mc_tty_send_fd(const char *socket_path, int fd);
int mc_tty_socket_connect(const char *socket_path);	/* the fd, or -1 */
int mc_tty_socket_send(int sock, int fd);

/*
 * Called for every signal read from the relay's signal fd except SIGWINCH.
 * Returns 0 to go on, 1 to stop (what the master holds is copied out
 * first), -1 to fail the relay (its error recorded).
 */
typedef int (*mc_tty_signal_fn)(const struct signalfd_siginfo *si, void *data);

struct mc_tty_relay {
	int master;		/* the pty master */
	int in_fd;		/* copied to the master (our stdin); -1: none */
	int out_fd;		/* the master is copied here (our stdout) */
	/*
	 * -1, or an fd that yields struct signalfd_siginfo records: a
	 * signalfd, or a self-pipe whose handler writes them.  SIGWINCH
	 * copies our window size to the master; the rest go to on_signal.
	 */
	int signal_fd;
	mc_tty_signal_fn on_signal;	/* NULL: other signals are ignored */
	void *data;
};

/*
 * Foreground run/exec with a terminal and no console socket: IN_FD goes raw
 * when it is a terminal (restored on return) and the window size is copied
 * to the master; then IN_FD → master and master → OUT_FD until the master
 * reads end-of-file or EIO (every slave closed) or on_signal says stop.
 * End-of-file on IN_FD only stops that direction.  Returns 0 or -1; the
 * caller reaps.
 */
int mc_tty_relay(const struct mc_tty_relay *relay);

#endif
