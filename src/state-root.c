// SPDX-License-Identifier: MIT
/* Where the state lives: --root, /run/mcstatic or $XDG_RUNTIME_DIR/mcstatic. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "state.h"
#include "util.h"

/* PATH, absolute, without trailing slashes, then SUFFIX, into BUF. */
static int absolute(char *buf, size_t size, const char *path, const char *suffix)
{
	size_t len = strlen(path);
	char cwd[PATH_MAX];
	int n;

	while (len > 1 && path[len - 1] == '/')
		len--;
	if (path[0] == '/')
		n = snprintf(buf, size, "%.*s%s", (int)len, path, suffix);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(buf, size, "%s/%.*s%s", cwd, (int)len, path, suffix);
	else
		return mc_error(errno, "state root %s", path);
	if (n < 0 || (size_t)n >= size)
		return mc_error(ENAMETOOLONG, "state root %s", path);
	return 0;
}

/* Not the initial user namespace: our uid_map is not the identity of all
 * ("0 0 4294967295", in columns). */
static bool in_user_namespace(void)
{
	uint64_t v[3];
	char line[128];
	const char *p = line;
	FILE *f = fopen("/proc/self/uid_map", "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	for (int i = 0; ok && i < 3; i++) {
		while (*p == ' ')
			p++;
		p = mc_scan_u64(p, &v[i]);
		ok = p != NULL;
	}
	return ok && !(v[0] == 0 && v[1] == 0 && v[2] == 4294967295UL);
}

bool mc_state_rootless(void)
{
	return geteuid() != 0 || in_user_namespace();
}

/*
 * runc's rule (shouldHonorXDGRuntimeDir): a non-root caller, or root of a
 * user namespace that is not USER=root, keeps its state in
 * $XDG_RUNTIME_DIR.  Rootless podman runs the runtime as root of its own
 * user namespace, with the user's XDG_RUNTIME_DIR: /run is not writable.
 */
static bool use_xdg_runtime_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *user;

	if (!xdg || !*xdg)
		return false;
	if (geteuid() != 0)
		return true;
	if (!in_user_namespace())
		return false;
	user = getenv("USER");
	return !user || strcmp(user, "root");
}

int mc_state_root(const char *given, char *buf, size_t size)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (given && !*given)
		return mc_error(0, "state root: empty path");
	if (given)
		return absolute(buf, size, given, "");
	if (use_xdg_runtime_dir())
		return absolute(buf, size, xdg, "/mcstatic");
	return absolute(buf, size, MC_STATE_ROOT_DEFAULT, "");
}
