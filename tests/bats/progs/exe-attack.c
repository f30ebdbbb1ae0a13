// SPDX-License-Identifier: MIT
/*
 * exe-attack SECONDS: what a container process does to replace the runtime
 * on the host (CVE-2019-5736).  For SECONDS it scans /proc: every other
 * process's exe is opened for writing, and held as an O_PATH fd, reopened
 * for writing through /proc/self/fd/N again and again (that works once
 * nothing runs the file any more: ETXTBSY until then).  Every open for
 * writing gets one byte written at offset 0.  Prints
 * "held=H opened=O wrote=W": W must be 0.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 256

static int held[MAX_HELD], n_held, opened, wrote;
static ino_t held_ino[MAX_HELD];

static void try_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	opened++;
	if (pwrite(fd, "X", 1, 0) == 1)
		wrote++;
	close(fd);
}

/* Hold one O_PATH fd per file that is neither busybox nor us. */
static void hold(const char *path, ino_t skip1, ino_t skip2)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0 || n_held == MAX_HELD || fstat(fd, &st) < 0 ||
	    st.st_ino == skip1 || st.st_ino == skip2) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (int i = 0; i < n_held; i++)
		if (held_ino[i] == st.st_ino) {
			close(fd);
			return;
		}
	held_ino[n_held] = st.st_ino;
	held[n_held++] = fd;
}

int main(int argc, char **argv)
{
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 3);
	struct stat bb, self;
	char path[300];

	if (stat("/bin/busybox", &bb) < 0 || stat("/proc/self/exe", &self) < 0)
		return 2;
	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
			    atoi(e->d_name) == getpid())
				continue;
			snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
			try_write(path);
			hold(path, bb.st_ino, self.st_ino);
		}
		if (d)
			closedir(d);
		for (int i = 0; i < n_held; i++) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", held[i]);
			try_write(path);
		}
	}
	printf("held=%d opened=%d wrote=%d\n", n_held, opened, wrote);
	return 0;
}
