// SPDX-License-Identifier: MIT
/* struct mc_spec: defaults, environment, mount options, validation. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "error.h"
#include "spec.h"
#include "util.h"

void mc_spec_init(struct mc_spec *spec, char **environ_in)
{
	memset(spec, 0, sizeof(*spec));
	spec->kill_on_parent_death = true;
	for (char **e = environ_in; e && *e; e++)
		mc_spec_setenv(spec, *e);
}

void mc_spec_free(struct mc_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		free(spec->mounts[i].data);
	free(spec->mounts);
	free(spec->env);
	for (size_t i = 0; i < spec->n_owned; i++)
		free(spec->owned[i]);
	free(spec->owned);
	free(spec->rootfs_abs);
	memset(spec, 0, sizeof(*spec));
}

static size_t key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

static char **env_find(const struct mc_spec *spec, const char *key, size_t len)
{
	for (size_t i = 0; i < spec->env_len; i++)
		if (key_len(spec->env[i]) == len &&
		    !strncmp(spec->env[i], key, len))
			return &spec->env[i];
	return NULL;
}

int mc_spec_setenv(struct mc_spec *spec, char *kv)
{
	char **slot = env_find(spec, kv, key_len(kv));
	char **env;

	if (slot) {
		*slot = kv;
		return 0;
	}
	env = realloc(spec->env, (spec->env_len + 2) * sizeof(*env));
	if (!env)
		return mc_error(errno, "environment");
	env[spec->env_len++] = kv;
	env[spec->env_len] = NULL;
	spec->env = env;
	return 0;
}

int mc_spec_setenv_pair(struct mc_spec *spec, const char *key,
			const char *value)
{
	size_t klen = strlen(key), vlen = strlen(value);
	char **owned, *kv;

	owned = realloc(spec->owned, (spec->n_owned + 1) * sizeof(*owned));
	if (!owned)
		return mc_error(errno, "environment");
	spec->owned = owned;
	kv = malloc(klen + vlen + 2);
	if (!kv)
		return mc_error(errno, "environment");
	memcpy(kv, key, klen);
	kv[klen] = '=';
	memcpy(kv + klen + 1, value, vlen + 1);
	spec->owned[spec->n_owned++] = kv;
	return mc_spec_setenv(spec, kv);
}

const char *mc_spec_getenv(const struct mc_spec *spec, const char *key)
{
	size_t len = strlen(key);
	char **slot = env_find(spec, key, len);

	return slot ? *slot + len + 1 : NULL;
}

int mc_spec_add_mount(struct mc_spec *spec, const struct mc_mount *m)
{
	struct mc_mount *mounts;

	mounts = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*mounts));
	if (!mounts)
		return mc_error(errno, "mount %s", m->target);
	mounts[spec->n_mounts++] = *m;
	spec->mounts = mounts;
	return 0;
}

static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} mount_flags[] = {
	{ "ro", MS_RDONLY, 0 },	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },	{ "exec", 0, MS_NOEXEC },
	{ "noatime", MS_NOATIME, 0 },	{ "relatime", MS_RELATIME, 0 },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "bind", MS_BIND, 0 },	{ "rbind", MS_BIND | MS_REC, 0 },
};

static int append_word(char **data, size_t *len, const char *w, size_t n)
{
	char *d = realloc(*data, *len + n + 2);

	if (!d)
		return mc_error(errno, "mount options");
	if (*len)
		d[(*len)++] = ',';
	memcpy(d + *len, w, n);
	*len += n;
	d[*len] = '\0';
	*data = d;
	return 0;
}

static bool apply_flag(const char *w, size_t n, unsigned long *flags)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++) {
		if (strlen(mount_flags[i].name) != n ||
		    strncmp(mount_flags[i].name, w, n))
			continue;
		*flags = (*flags & ~mount_flags[i].clear) | mount_flags[i].set;
		return true;
	}
	return false;
}

int mc_mount_options(const char *opts, unsigned long *flags, char **data)
{
	size_t len = 0;

	*data = NULL;
	while (opts && *opts) {
		size_t n = strcspn(opts, ",");

		if (n && !apply_flag(opts, n, flags) &&
		    append_word(data, &len, opts, n) < 0) {
			free(*data);
			*data = NULL;
			return -1;
		}
		opts += n + (opts[n] == ',');
	}
	return 0;
}

static bool ranges_overlap(unsigned int a, unsigned int alen, unsigned int b,
			   unsigned int blen)
{
	return (unsigned long long)a < (unsigned long long)b + blen &&
	       (unsigned long long)b < (unsigned long long)a + alen;
}

int mc_idmap_add(struct mc_idmap *maps, size_t *n, const struct mc_idmap *m,
		 const char *what)
{
	if (m->count == 0)
		return mc_error(0, "%s %u:%u:%u: count must be at least 1", what,
				m->container_id, m->host_id, m->count);
	if ((unsigned long long)m->container_id + m->count > 1ULL << 32 ||
	    (unsigned long long)m->host_id + m->count > 1ULL << 32)
		return mc_error(0, "%s %u:%u:%u: range beyond the 32-bit id space",
				what, m->container_id, m->host_id, m->count);
	if (*n >= MC_MAX_IDMAPS)
		return mc_error(0, "%s: at most %d ranges", what, MC_MAX_IDMAPS);
	for (size_t i = 0; i < *n; i++) {
		const struct mc_idmap *o = &maps[i];

		if (ranges_overlap(o->container_id, o->count, m->container_id,
				   m->count) ||
		    ranges_overlap(o->host_id, o->count, m->host_id, m->count))
			return mc_error(0, "%s %u:%u:%u overlaps %u:%u:%u", what,
					m->container_id, m->host_id, m->count,
					o->container_id, o->host_id, o->count);
	}
	maps[(*n)++] = *m;
	return 0;
}

bool mc_idmap_contains(const struct mc_idmap *maps, size_t n, unsigned int id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= maps[i].container_id &&
		    id - maps[i].container_id < maps[i].count)
			return true;
	return false;
}

bool mc_idmap_contains_host(const struct mc_idmap *maps, size_t n,
			    unsigned int id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= maps[i].host_id && id - maps[i].host_id < maps[i].count)
			return true;
	return false;
}

static int validate_rootfs(struct mc_spec *spec)
{
	struct stat st, root;

	if (stat(spec->rootfs, &st) < 0)
		return mc_error(errno, "rootfs %s", spec->rootfs);
	if (!S_ISDIR(st.st_mode))
		return mc_error(ENOTDIR, "rootfs %s", spec->rootfs);
	spec->rootfs_abs = realpath(spec->rootfs, NULL);
	if (!spec->rootfs_abs)
		return mc_error(errno, "rootfs %s", spec->rootfs);
	/* The same directory as / (by any name): there is no new root. */
	if (stat("/", &root) == 0 && st.st_dev == root.st_dev &&
	    st.st_ino == root.st_ino)
		return mc_error(0, "rootfs %s: is the host's own root, "
				"not a root for a container", spec->rootfs);
	return 0;
}

/* sethostname(2) takes 1 to 64 bytes (__NEW_UTS_LEN). */
#define MC_HOSTNAME_MAX 64

/* (uid_t)-1 means "leave unchanged" to setresuid(2): not an identity. */
static int validate_user(const struct mc_spec *spec)
{
	if (!spec->set_user)
		return 0;
	if (spec->uid == (unsigned int)-1)
		return mc_error(0, "userid: uid %u is not a valid id", spec->uid);
	if (spec->gid == (unsigned int)-1)
		return mc_error(0, "userid: gid %u is not a valid id", spec->gid);
	return 0;
}

int mc_spec_validate(struct mc_spec *spec)
{
	if (!spec->argv || !spec->argv[0])
		return mc_error(0, "no command given (see --help)");
	if (!spec->argv[0][0])
		return mc_error(0, "empty command name");
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].target[0] != '/')
			return mc_error(0, "mount target %s: not an absolute path",
					spec->mounts[i].target);
	if (spec->hostname && (!spec->hostname[0] ||
			       strlen(spec->hostname) > MC_HOSTNAME_MAX))
		return mc_error(0, "hostname '%s': must be 1 to %d bytes long",
				spec->hostname, MC_HOSTNAME_MAX);
	if (spec->hostname)
		spec->namespaces |= CLONE_NEWUTS;
	if (validate_user(spec) < 0)
		return -1;
	if ((spec->n_uid_maps || spec->n_gid_maps) &&
	    !(spec->namespaces & CLONE_NEWUSER))
		return mc_error(0, "--uidmap and --gidmap need --user");
	/* A new root or extra mounts need a mount table of their own. */
	if (spec->rootfs || spec->n_mounts)
		spec->namespaces |= CLONE_NEWNS;
	return spec->rootfs ? validate_rootfs(spec) : 0;
}
