// SPDX-License-Identifier: MIT
/* struct mc_spec: defaults, environment, mount options, validation. */
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "error.h"
#include "spec.h"
#include "util.h"

void mc_spec_init(struct mc_spec *spec, char **environ_in)
{
	memset(spec, 0, sizeof(*spec));
	spec->umask = -1;
	spec->resources.memory_swappiness = -1;
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
	free(spec->net.hosts);
	free(spec->net.ports);
	memset(spec, 0, sizeof(*spec));
}

int mc_spec_own(struct mc_spec *spec, void *p)
{
	size_t n = spec->n_owned;
	void **owned;

	if (!p)
		return 0;
	/* The capacity is the next power of two: grow when n is one. */
	if ((n & (n - 1)) == 0) {
		owned = realloc(spec->owned, (n ? 2 * n : 1) * sizeof(*owned));
		if (!owned) {
			free(p);
			return mc_error(ENOMEM, "spec");
		}
		spec->owned = owned;
	}
	spec->owned[spec->n_owned++] = p;
	return 0;
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
	char *kv = malloc(klen + vlen + 2);

	if (mc_spec_own(spec, kv) < 0)
		return -1;
	if (!kv)
		return mc_error(errno, "environment");
	memcpy(kv, key, klen);
	kv[klen] = '=';
	memcpy(kv + klen + 1, value, vlen + 1);
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

/*
 * mount(8)'s option words.  Propagation words are kept apart from the other
 * flags: they take a mount(2) call of their own after the mount, and their
 * "r" (MS_REC) must not be confused with rbind's.  r-variants come first, so
 * that a flag is named back (flag_name) as the word that set it.
 */
static const struct mount_flag {
	const char *name;
	unsigned long set;
	unsigned long clear;
	bool propagation;
} mount_flags[] = {
	{ "defaults", 0, 0, false },
	{ "ro", MS_RDONLY, 0, false },	{ "rw", 0, MS_RDONLY, false },
	{ "nosuid", MS_NOSUID, 0, false }, { "suid", 0, MS_NOSUID, false },
	{ "nodev", MS_NODEV, 0, false },	{ "dev", 0, MS_NODEV, false },
	{ "noexec", MS_NOEXEC, 0, false }, { "exec", 0, MS_NOEXEC, false },
	{ "sync", MS_SYNCHRONOUS, 0, false },
	{ "async", 0, MS_SYNCHRONOUS, false },
	{ "dirsync", MS_DIRSYNC, 0, false },
	{ "noatime", MS_NOATIME, 0, false }, { "atime", 0, MS_NOATIME, false },
	{ "nodiratime", MS_NODIRATIME, 0, false },
	{ "diratime", 0, MS_NODIRATIME, false },
	{ "relatime", MS_RELATIME, 0, false },
	{ "norelatime", 0, MS_RELATIME, false },
	{ "strictatime", MS_STRICTATIME, 0, false },
	{ "nostrictatime", 0, MS_STRICTATIME, false },
	{ "lazytime", MS_LAZYTIME, 0, false },
	{ "nolazytime", 0, MS_LAZYTIME, false },
	{ "rbind", MS_BIND | MS_REC, 0, false },
	{ "bind", MS_BIND, 0, false },
	{ "remount", MS_REMOUNT, 0, false },
	{ "rprivate", MS_PRIVATE | MS_REC, 0, true },
	{ "private", MS_PRIVATE, 0, true },
	{ "rshared", MS_SHARED | MS_REC, 0, true },
	{ "shared", MS_SHARED, 0, true },
	{ "rslave", MS_SLAVE | MS_REC, 0, true },
	{ "slave", MS_SLAVE, 0, true },
	{ "runbindable", MS_UNBINDABLE | MS_REC, 0, true },
	{ "unbindable", MS_UNBINDABLE, 0, true },
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

static bool word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && !strncmp(name, w, n);
}

static bool apply_flag(const char *w, size_t n, struct mc_mount *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++) {
		const struct mount_flag *f = &mount_flags[i];

		if (!word_is(w, n, f->name))
			continue;
		if (f->set == 0 && f->clear == 0 && !f->propagation)
			return true;	/* "defaults" */
		if (f->propagation)
			m->propagation = f->set;
		else
			m->flags = (m->flags & ~f->clear) | f->set;
		return true;
	}
	return false;
}

int mc_mount_options(const char *opts, struct mc_mount *m)
{
	size_t len = 0;

	m->data = NULL;
	while (opts && *opts) {
		size_t n = strcspn(opts, ",");

		/* runc's extension: copy the image's directory into the tmpfs. */
		if (word_is(opts, n, "tmpcopyup"))
			m->tmpcopyup = true;
		else if (n && !apply_flag(opts, n, m) &&
		    append_word(&m->data, &len, opts, n) < 0) {
			free(m->data);
			m->data = NULL;
			return -1;
		}
		opts += n + (opts[n] == ',');
	}
	return 0;
}

/* The word of mount_flags that set BITS (of one kind): for error messages. */
static const char *flag_name(unsigned long bits, bool propagation)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++) {
		const struct mount_flag *f = &mount_flags[i];

		if (f->propagation == propagation && f->set &&
		    (bits & f->set) == f->set)
			return f->name;
	}
	return "?";
}

/*
 * What a tmpfs takes as data (Documentation/filesystems/tmpfs.rst).  A
 * word the kernel does not know fails the mount with EINVAL only in the
 * child; refusing it here names it.
 */
static const struct {
	const char *key;
	bool value;
} tmpfs_keys[] = {
	{ "size", true },	{ "nr_blocks", true }, { "nr_inodes", true },
	{ "mode", true },	{ "uid", true },	{ "gid", true },
	{ "huge", true },	{ "mpol", true },	{ "inode32", false },
	{ "inode64", false },
};

static int check_tmpfs_word(const char *w, size_t n)
{
	size_t klen = strcspn(w, "=");

	if (klen > n)
		klen = n;
	for (size_t i = 0; i < ARRAY_SIZE(tmpfs_keys); i++) {
		if (!word_is(w, klen, tmpfs_keys[i].key))
			continue;
		if (tmpfs_keys[i].value == (klen < n))
			return 0;
		return mc_error(0, tmpfs_keys[i].value
					   ? "tmpfs option '%.*s' needs a value"
					   : "tmpfs option '%.*s' takes no value",
				(int)n, w);
	}
	return mc_error(0, "option '%.*s' is not a tmpfs option", (int)n, w);
}

/*
 * A tmpfs is a new, empty filesystem: flags that would make the mount(2)
 * call bind, move or remount something else (with "tmpfs" as a path
 * relative to the cwd) are refused.  Propagation ("rprivate", which podman
 * gives its --read-only tmpfs mounts) is m->propagation, a second call on
 * the new mount, as runc applies it.
 */
static int check_tmpfs(const struct mc_mount *m)
{
	const unsigned long refused = MS_BIND | MS_REC | MS_MOVE | MS_REMOUNT |
				      MS_PRIVATE | MS_SHARED | MS_SLAVE |
				      MS_UNBINDABLE;

	if (m->flags & refused)
		return mc_error(0, "option '%s' is not a tmpfs option",
				flag_name(m->flags & refused, false));
	for (const char *w = m->data; w && *w;) {
		size_t n = strcspn(w, ",");

		if (n && check_tmpfs_word(w, n) < 0)
			return -1;
		w += n + (w[n] == ',');
	}
	return 0;
}

int mc_mount_validate(const struct mc_mount *m)
{
	if (m->target[0] != '/')
		return mc_error(0, "not an absolute path");
	if (m->type && !strcmp(m->type, "tmpfs"))
		return check_tmpfs(m);
	return 0;
}

static const struct {
	int flag;
	const char *name;
} ns_table[MC_NS_COUNT] = {
	[MC_NS_USER] = { CLONE_NEWUSER, "user" },
	[MC_NS_MNT] = { CLONE_NEWNS, "mnt" },
	[MC_NS_PID] = { CLONE_NEWPID, "pid" },
	[MC_NS_NET] = { CLONE_NEWNET, "net" },
	[MC_NS_IPC] = { CLONE_NEWIPC, "ipc" },
	[MC_NS_UTS] = { CLONE_NEWUTS, "uts" },
	[MC_NS_CGROUP] = { CLONE_NEWCGROUP, "cgroup" },
};

int mc_ns_clone_flag(enum mc_ns ns)
{
	return (unsigned int)ns < MC_NS_COUNT ? ns_table[ns].flag : 0;
}

const char *mc_ns_name(enum mc_ns ns)
{
	return (unsigned int)ns < MC_NS_COUNT ? ns_table[ns].name : NULL;
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
	/* The seed's defaults are the front-end's (cli-defaults.c); a config
	 * brings its own maps, and a user namespace without them is refused,
	 * as runc refuses it. */
	if ((spec->namespaces & CLONE_NEWUSER) &&
	    (!spec->n_uid_maps || !spec->n_gid_maps))
		return mc_error(0, "linux.uidMappings, linux.gidMappings: a new "
				"user namespace needs both");
	if (!spec->set_user)
		return 0;
	if (spec->uid == (unsigned int)-1)
		return mc_error(0, "userid: uid %u is not a valid id", spec->uid);
	if (spec->gid == (unsigned int)-1)
		return mc_error(0, "userid: gid %u is not a valid id", spec->gid);
	/* In a new user namespace the ids must be mapped (a joined one's
	 * maps are not ours to know). */
	if (!(spec->namespaces & CLONE_NEWUSER))
		return 0;
	if (!mc_idmap_contains(spec->uid_maps, spec->n_uid_maps, spec->uid))
		return mc_error(0, "process.user.uid %u is not mapped in the user namespace",
				spec->uid);
	if (!mc_idmap_contains(spec->gid_maps, spec->n_gid_maps, spec->gid))
		return mc_error(0, "process.user.gid %u is not mapped in the user namespace",
				spec->gid);
	return 0;
}

void mc_format_size(char *buf, size_t size, int64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int64_t v = bytes;
	int u = -1;

	/* The largest unit that says it exactly: 64 MiB, 1536 KiB, 1000 bytes. */
	while (u + 1 < (int)ARRAY_SIZE(units) && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRId64 " %s", v, u >= 0 ? units[u] : "bytes");
}

/* The checks both front-ends need, before anything is made (and update). */
int mc_resources_validate(const struct mc_resources *r)
{
	char a[32], b[32];

	if (r->memory_limit < 0 || r->memory_swap < -1 ||
	    r->memory_reservation < 0)
		return mc_error(0, "memory limit: negative value");
	if (r->memory_swap && !r->memory_limit)
		return mc_error(0, "linux.resources.memory.swap needs linux.resources.memory.limit");
	if (r->memory_swap > 0 && r->memory_swap < r->memory_limit) {
		mc_format_size(a, sizeof(a), r->memory_swap);
		mc_format_size(b, sizeof(b), r->memory_limit);
		return mc_error(0, "linux.resources.memory.swap %s is below linux.resources.memory.limit %s (it is memory plus swap)",
				a, b);
	}
	if (r->cpu_period &&
	    (r->cpu_period < MC_CPU_QUOTA_MIN || r->cpu_period > MC_CPU_PERIOD_MAX))
		return mc_error(0, "CPU period %" PRIu64 " µs: the kernel takes 1000 to 1000000",
				r->cpu_period);
	if (r->cpu_quota > 0 && r->cpu_quota < MC_CPU_QUOTA_MIN)
		return mc_error(0, "linux.resources.cpu.quota: a quota of %" PRId64 " µs per %" PRIu64
				" µs is below the kernel's minimum of 1000 µs (0.01 CPU or more)",
				r->cpu_quota, r->cpu_period ? r->cpu_period : MC_CPU_PERIOD_US);
	if (r->cpu_weight > 10000)
		return mc_error(0, "CPU weight %" PRIu64 ": expected 1 to 10000",
				r->cpu_weight);
	if (r->pids_limit < -1)
		return mc_error(0, "pids limit %" PRId64 ": expected 1 or more, or -1",
				r->pids_limit);
	return 0;
}

int mc_spec_validate(struct mc_spec *spec)
{
	if (!spec->argv || !spec->argv[0])
		return mc_error(0, "no command given (see --help)");
	if (!spec->argv[0][0])
		return mc_error(0, "empty command name");
	if (mc_resources_validate(&spec->resources) < 0)
		return -1;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (mc_mount_validate(&spec->mounts[i]) < 0)
			return mc_error_context("mount %s",
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
		return mc_error(0, "linux.uidMappings and linux.gidMappings need a user namespace");
	/* A new root or extra mounts need a mount table of their own. */
	if (spec->rootfs || spec->n_mounts)
		spec->namespaces |= CLONE_NEWNS;
	return spec->rootfs ? validate_rootfs(spec) : 0;
}

/*
 * What every container may use whatever its device rules say, appended
 * after them (the last matching rule wins), as runc's AllowedDevices:
 * mknod of any, and the OCI default devices, ptmx, pts and tun.
 */
static const struct mc_dev_rule default_dev_rules[] = {
	{ true, 'c', -1, -1, "m" },	{ true, 'b', -1, -1, "m" },
	{ true, 'c', 1, 3, "rwm" },	{ true, 'c', 1, 8, "rwm" },
	{ true, 'c', 1, 7, "rwm" },	{ true, 'c', 5, 0, "rwm" },
	{ true, 'c', 1, 5, "rwm" },	{ true, 'c', 1, 9, "rwm" },
	{ true, 'c', 5, 1, "rwm" },	{ true, 'c', 136, -1, "rwm" },
	{ true, 'c', 5, 2, "rwm" },	{ true, 'c', 10, 200, "rwm" },
};

int mc_spec_add_default_dev_rules(struct mc_spec *spec)
{
	struct mc_resources *r = &spec->resources;
	size_t n = sizeof(default_dev_rules) / sizeof(default_dev_rules[0]);
	struct mc_dev_rule *rules;

	if (!r->n_dev_rules)
		return 0;
	rules = malloc((r->n_dev_rules + n) * sizeof(*rules));
	if (!rules || mc_spec_own(spec, rules) < 0)
		return mc_error(ENOMEM, "linux.resources.devices");
	memcpy(rules, r->dev_rules, r->n_dev_rules * sizeof(*rules));
	memcpy(rules + r->n_dev_rules, default_dev_rules, sizeof(default_dev_rules));
	r->dev_rules = rules;
	r->n_dev_rules += n;
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },	{ "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

const char *mc_rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return "?";
}

int mc_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (!strcmp(name, rlimit_names[i].name))
			return rlimit_names[i].resource;
	return -1;
}
