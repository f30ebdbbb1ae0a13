// SPDX-License-Identifier: MIT
/*
 * The binary's own protection (CVE-2019-5736): the verbs that put an
 * mcstatic process into a running container re-exec themselves from a
 * sealed memfd copy of /proc/self/exe.  Whatever the container reaches
 * through /proc/PID/exe is then the copy: no write, grow or shrink is
 * allowed on it, and the host's file is never open in the container's
 * reach.  runc does the same (libcontainer/nsenter/cloned_binary.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "selfexe.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U	/* Linux 6.3: executable even with memfd_noexec */
#endif
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool mc_selfexe_is_sealed(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	close(fd);
	return seals == SEALS;
}

/* Older kernels refuse MFD_EXEC (EINVAL): without it, as before 6.3. */
static int make_memfd(void)
{
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int fd = memfd_create("mcstatic", flags | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("mcstatic", flags);
	return fd;
}

static int copy_self(int to)
{
	struct stat st;
	off_t off = 0;
	int from = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (from < 0 || fstat(from, &st) < 0) {
		int err = errno;

		if (from >= 0)
			close(from);
		return mc_error(err, "/proc/self/exe");
	}
	while (off < st.st_size) {
		ssize_t n = sendfile(to, from, &off, (size_t)(st.st_size - off));

		if (n <= 0) {
			close(from);
			return mc_error(n < 0 ? errno : EIO, "copy /proc/self/exe");
		}
	}
	close(from);
	return 0;
}

int mc_selfexe_sealed(char **argv)
{
	int fd;

	if (mc_selfexe_is_sealed())
		return 0;
	fd = make_memfd();
	if (fd < 0)
		return mc_error(errno, "memfd_create");
	if (copy_self(fd) < 0)
		goto fail;
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
		mc_error(errno, "seal the copy of /proc/self/exe");
		goto fail;
	}
	fexecve(fd, argv, environ);
	mc_error(errno, "exec the sealed copy of /proc/self/exe");
fail:
	close(fd);
	return -1;
}
