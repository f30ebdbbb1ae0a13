// SPDX-License-Identifier: MIT
/* config.json's "linux": namespaces, id mappings, resources, cgroupsPath,
 * sysctl, masked and read-only paths, devices, rootfs propagation, seccomp
 * (config-seccomp.c); the
 * fields nothing applies yet are refused; what needs which namespace. */
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "config-internal.h"
#include "error.h"
#include "json.h"
#include "spec.h"
#include "util.h"

static const struct {
	const char *type;
	enum mc_ns ns;
} ns_types[] = {
	{ "pid", MC_NS_PID },	{ "network", MC_NS_NET },
	{ "mount", MC_NS_MNT },	{ "ipc", MC_NS_IPC },
	{ "uts", MC_NS_UTS },	{ "user", MC_NS_USER },
	{ "cgroup", MC_NS_CGROUP },
};

/* ---- linux: refusals ----------------------------------------------------- */

static int parse_personality(struct cfg *c, int l)
{
	const char *path = "linux.personality";
	int v = cfg_member(c, l, "personality");
	char *domain = NULL;

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0 ||
	    cfg_opt_str(c, v, path, "domain", &domain) < 0)
		return -1;
	/* LINUX without flags is what every process has already. */
	if ((domain && strcmp(domain, "LINUX")) ||
	    cfg_given(c, cfg_member(c, v, "flags")))
		return mc_error(0, "%s: not supported (only domain LINUX without flags)",
				path);
	return 0;
}

/* What would change the container's isolation, and nothing applies yet. */
static int refuse_linux(struct cfg *c, int l)
{
	static const char *const keys[] = {
		"intelRdt", "mountLabel", "timeOffsets", "memoryPolicy",
		"netDevices",
	};

	if (cfg_refuse(c, l, "linux", keys, ARRAY_SIZE(keys)) < 0)
		return -1;
	return parse_personality(c, l);
}

/* ---- linux.namespaces, id mappings --------------------------------------- */

static int ns_type(const char *type, const char *what, enum mc_ns *ns)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_types); i++) {
		if (!strcmp(type, ns_types[i].type)) {
			*ns = ns_types[i].ns;
			return 0;
		}
	}
	if (!strcmp(type, "time"))
		return mc_error(0, "%s: time namespace not supported", what);
	return mc_error(0, "%s: unknown namespace type '%s'", what, type);
}

static int parse_namespace(struct cfg *c, int v, const char *path)
{
	char what[FIELD_MAX];
	char *type, *ns_path = NULL;
	enum mc_ns ns = MC_NS_COUNT;

	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0 ||
	    cfg_req_str(c, v, path, "type", &type) < 0 ||
	    ns_type(type, cfg_field(what, path, "type"), &ns) < 0)
		return -1;
	if (c->ns_seen & 1u << ns)
		return mc_error(0, "%s: '%s' given twice", what, type);
	c->ns_seen |= 1u << ns;
	if (cfg_opt_str(c, v, path, "path", &ns_path) < 0)
		return -1;
	/* A path joins that namespace instead of making a new one. */
	if (ns_path && *ns_path) {
		if (cfg_abs_path(cfg_field(what, path, "path"), ns_path) < 0)
			return -1;
		c->spec->ns_path[ns] = ns_path;
		return 0;
	}
	c->spec->namespaces |= mc_ns_clone_flag(ns);
	return 0;
}

static int parse_namespaces(struct cfg *c, int l)
{
	const char *path = "linux.namespaces";
	char name[FIELD_MAX];
	int v = cfg_member(c, l, "namespaces");
	size_t k = 0;

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_ARRAY, path) < 0)
		return -1;
	cfg_for_each(c, i, v)
		if (parse_namespace(c, i, cfg_item(name, path, k++)) < 0)
			return -1;
	return 0;
}

static int parse_idmap_list(struct cfg *c, int l, const char *key,
			    struct mc_idmap *maps, size_t *n)
{
	char what[FIELD_MAX], name[FIELD_MAX];
	int v = cfg_member(c, l, key);
	size_t k = 0;

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_ARRAY, cfg_field(what, "linux", key)) < 0)
		return -1;
	cfg_for_each(c, i, v) {
		struct mc_idmap m;

		cfg_item(name, what, k++);
		if (cfg_expect(c, i, MC_JSON_OBJECT, name) < 0 ||
		    cfg_req_u32(c, i, name, "containerID", &m.container_id) < 0 ||
		    cfg_req_u32(c, i, name, "hostID", &m.host_id) < 0 ||
		    cfg_req_u32(c, i, name, "size", &m.count) < 0 ||
		    mc_idmap_add(maps, n, &m, name) < 0)
			return -1;
	}
	return 0;
}

static int parse_idmaps(struct cfg *c, int l)
{
	struct mc_spec *s = c->spec;

	if (parse_idmap_list(c, l, "uidMappings", s->uid_maps, &s->n_uid_maps) < 0 ||
	    parse_idmap_list(c, l, "gidMappings", s->gid_maps, &s->n_gid_maps) < 0)
		return -1;
	return 0;
}

/* ---- linux.resources ----------------------------------------------------- */

#define MEMORY "linux.resources.memory"
#define CPU "linux.resources.cpu"

/* Bytes, or -1 for no limit: kept as -1 when KEEP_UNLIMITED, else unset
 * (a new cgroup has no limit). */
static int mem_bytes(struct cfg *c, int m, const char *key, int64_t *out,
		     bool keep_unlimited)
{
	char what[FIELD_MAX];
	int64_t v;
	int rc = cfg_opt_i64(c, m, MEMORY, key, &v);

	if (rc <= 0)
		return rc;
	if (v < -1)
		return mc_error(0, "%s: expected -1 (no limit) or a number of bytes",
				cfg_field(what, MEMORY, key));
	*out = v == -1 && !keep_unlimited ? 0 : v;
	return 0;
}

static int parse_memory(struct cfg *c, int r)
{
	struct mc_resources *res = &c->spec->resources;
	int m = cfg_member(c, r, "memory"), rc;
	bool no_oom_kill = false;
	uint64_t swappiness;

	if (m < 0)
		return 0;
	if (cfg_expect(c, m, MC_JSON_OBJECT, MEMORY) < 0 ||
	    mem_bytes(c, m, "limit", &res->memory_limit, false) < 0 ||
	    mem_bytes(c, m, "reservation", &res->memory_reservation, false) < 0 ||
	    mem_bytes(c, m, "swap", &res->memory_swap, true) < 0)
		return -1;
	rc = cfg_opt_u64(c, m, MEMORY, "swappiness", &swappiness);
	if (rc < 0)
		return -1;
	if (rc && swappiness > 100)
		return mc_error(0, MEMORY ".swappiness: expected an integer from 0 to 100");
	if (rc)
		res->memory_swappiness = swappiness;
	/* "kernel" is ignored, as runc 1.1 does: kernels since 5.4 do too. */
	if (cfg_given(c, cfg_member(c, m, "kernelTCP")))
		return cfg_unsupported(MEMORY ".kernelTCP");
	if (cfg_opt_bool(c, m, MEMORY, "disableOOMKiller", &no_oom_kill) < 0)
		return -1;
	return no_oom_kill ? cfg_unsupported(MEMORY ".disableOOMKiller") : 0;
}

static int parse_cpu(struct cfg *c, int r)
{
	static const char *const keys[] = {
		"realtimeRuntime", "realtimePeriod", "idle", "burst",
	};
	struct mc_resources *res = &c->spec->resources;
	int v = cfg_member(c, r, "cpu"), rc;
	char *cpus = NULL, *mems = NULL;
	int64_t quota;

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_OBJECT, CPU) < 0 ||
	    cfg_opt_u64(c, v, CPU, "shares", &res->cpu_shares) < 0 ||
	    cfg_opt_u64(c, v, CPU, "period", &res->cpu_period) < 0 ||
	    cfg_opt_str(c, v, CPU, "cpus", &cpus) < 0 ||
	    cfg_opt_str(c, v, CPU, "mems", &mems) < 0 ||
	    cfg_refuse(c, v, CPU, keys, ARRAY_SIZE(keys)) < 0)
		return -1;
	res->cpuset_cpus = cpus && *cpus ? cpus : NULL;
	res->cpuset_mems = mems && *mems ? mems : NULL;
	rc = cfg_opt_i64(c, v, CPU, "quota", &quota);
	if (rc < 0)
		return -1;
	if (rc && quota < -1)
		return mc_error(0, CPU ".quota: expected -1 (no limit) or a number of microseconds");
	if (rc)
		res->cpu_quota = quota;
	return 0;
}

static int parse_pids(struct cfg *c, int r)
{
	const char *path = "linux.resources.pids";
	int v = cfg_member(c, r, "pids"), rc;
	int64_t limit;

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0)
		return -1;
	rc = cfg_opt_i64(c, v, path, "limit", &limit);
	if (rc <= 0)
		return rc;
	/* As runc: 0 leaves it alone, anything below is "max". */
	c->spec->resources.pids_limit = limit < 0 ? -1 : limit;
	return 0;
}

/* Major or minor of a rule: -1 (or absent) is any. */
static int rule_number(struct cfg *c, int v, const char *path, const char *key,
		       int64_t *out)
{
	char what[FIELD_MAX];
	int rc = cfg_opt_i64(c, v, path, key, out);

	if (rc < 0)
		return -1;
	if (!rc)
		*out = -1;
	if (*out < -1 || *out > UINT32_MAX)
		return mc_error(0, "%s: expected -1 (any) or a device number",
				cfg_field(what, path, key));
	return 0;
}

static int rule_access(const char *access, const char *path, char out[4])
{
	size_t n = strlen(access);

	if (!n || n > 3 || strspn(access, "rwm") != n ||
	    (n > 1 && access[0] == access[1]) ||
	    (n > 2 && (access[0] == access[2] || access[1] == access[2])))
		return mc_error(0, "%s.access: expected some of \"rwm\"", path);
	memcpy(out, access, n + 1);
	return 0;
}

static int parse_dev_rule(struct cfg *c, int v, const char *path,
			  struct mc_dev_rule *d)
{
	char what[FIELD_MAX];
	char *type = NULL, *access;
	int a = cfg_member(c, v, "allow");

	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0)
		return -1;
	cfg_field(what, path, "allow");
	if (a < 0)
		return cfg_missing(what);
	if (mc_json_bool(c->j, a, what, &d->allow) < 0 ||
	    cfg_opt_str(c, v, path, "type", &type) < 0)
		return -1;
	d->type = 'a';
	if (type && *type) {
		if (strlen(type) != 1 || !strchr("acb", type[0]))
			return mc_error(0, "%s.type: expected \"a\", \"c\" or \"b\"",
					path);
		d->type = type[0];
	}
	if (rule_number(c, v, path, "major", &d->major) < 0 ||
	    rule_number(c, v, path, "minor", &d->minor) < 0 ||
	    cfg_req_str(c, v, path, "access", &access) < 0)
		return -1;
	return rule_access(access, path, d->access);
}

static int parse_dev_rules(struct cfg *c, int r)
{
	const char *path = "linux.resources.devices";
	char name[FIELD_MAX];
	int v = cfg_member(c, r, "devices");
	struct mc_dev_rule *rules;
	size_t k = 0;

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_ARRAY, path) < 0)
		return -1;
	rules = cfg_alloc(c, cfg_items(c, v), sizeof(*rules));
	if (!rules)
		return -1;
	cfg_for_each(c, i, v) {
		cfg_item(name, path, k);
		if (parse_dev_rule(c, i, name, &rules[k]) < 0)
			return -1;
		k++;
	}
	c->spec->resources.dev_rules = rules;
	c->spec->resources.n_dev_rules = k;
	return 0;
}

/* unified: cpu.weight is in the model (cgroups.c converts it for v1);
 * any other key would be silently lost. */
static int parse_unified(struct cfg *c, int r)
{
	const char *path = "linux.resources.unified";
	int v = cfg_member(c, r, "unified");
	struct mc_kv *kv;
	uint64_t weight;
	size_t n;

	if (v < 0 || cfg_kv_object(c, v, path, &kv, &n) < 0)
		return v < 0 ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		const char *end;

		if (strcmp(kv[i].key, "cpu.weight"))
			return mc_error(0, "%s: '%s' not supported", path, kv[i].key);
		end = mc_scan_u64(kv[i].value, &weight);
		if (!end || *end || weight < 1 || weight > 10000)
			return mc_error(0, "%s.cpu.weight: expected 1 to 10000", path);
		c->spec->resources.cpu_weight = weight;
	}
	return 0;
}

/* The object R, linux.resources or what `update --resources` reads. */
static int resources_object(struct cfg *c, int r)
{
	static const char *const keys[] = {
		"hugepageLimits", "blockIO", "network", "rdma",
	};
	const char *path = "linux.resources";

	if (cfg_expect(c, r, MC_JSON_OBJECT, path) < 0 ||
	    cfg_refuse(c, r, path, keys, ARRAY_SIZE(keys)) < 0 ||
	    parse_memory(c, r) < 0 || parse_cpu(c, r) < 0 ||
	    parse_pids(c, r) < 0 || parse_dev_rules(c, r) < 0 ||
	    parse_unified(c, r) < 0)
		return -1;
	return 0;
}

static int parse_resources(struct cfg *c, int l)
{
	int r = cfg_member(c, l, "resources");

	return r < 0 ? 0 : resources_object(c, r);
}

int mc_config_parse_resources(struct mc_spec *spec, const char *json,
			      size_t len)
{
	struct mc_json j;
	struct cfg c = { .j = &j, .spec = spec };
	int rc;

	if (mc_json_parse(&j, json, len) < 0)
		return mc_error_context("resources");
	rc = resources_object(&c, 0);
	mc_json_free(&j);
	return rc;
}

/* ---- linux: the rest ----------------------------------------------------- */

static int parse_cgroups_path(struct cfg *c, int l)
{
	char *path = NULL;

	if (cfg_opt_str(c, l, "linux", "cgroupsPath", &path) < 0)
		return -1;
	c->spec->cgroups_path = path && *path ? path : NULL;
	return 0;
}

static int parse_sysctl(struct cfg *c, int l)
{
	int v = cfg_member(c, l, "sysctl");

	return v < 0 ? 0 : cfg_kv_object(c, v, "linux.sysctl", &c->spec->sysctl,
					 &c->spec->n_sysctl);
}

static int path_list(struct cfg *c, int l, const char *key, char ***out,
		     size_t *n)
{
	char what[FIELD_MAX], name[FIELD_MAX];

	if (cfg_opt_str_array(c, l, "linux", key, out, n) < 0)
		return -1;
	cfg_field(what, "linux", key);
	for (size_t i = 0; i < *n; i++)
		if (cfg_abs_path(cfg_item(name, what, i), (*out)[i]) < 0)
			return -1;
	return 0;
}

static int parse_paths(struct cfg *c, int l)
{
	struct mc_spec *s = c->spec;

	if (path_list(c, l, "maskedPaths", &s->masked_paths, &s->n_masked_paths) < 0 ||
	    path_list(c, l, "readonlyPaths", &s->readonly_paths,
		      &s->n_readonly_paths) < 0)
		return -1;
	return 0;
}

static int device_number(struct cfg *c, int v, const char *path,
			 const char *key, int64_t max, int64_t *out)
{
	char what[FIELD_MAX];
	int rc = cfg_opt_i64(c, v, path, key, out);

	cfg_field(what, path, key);
	if (rc < 0)
		return -1;
	if (!rc)
		return cfg_missing(what);
	if (*out < 0 || *out > max)
		return mc_error(0, "%s: expected an integer from 0 to %lld", what,
				(long long)max);
	return 0;
}

static int device_owner(struct cfg *c, int v, const char *path,
			struct mc_device *d)
{
	int rc = cfg_opt_u32(c, v, path, "fileMode", &d->file_mode);

	if (rc < 0)
		return -1;
	/* Engines may send the type bits too (020666): runc drops them. */
	d->file_mode &= ~(unsigned int)S_IFMT;
	if (d->file_mode > 07777)
		return mc_error(0, "%s.fileMode: expected a file mode", path);
	d->has_mode = rc;
	rc = cfg_opt_u32(c, v, path, "uid", &d->uid);
	if (rc < 0)
		return -1;
	d->has_uid = rc;
	rc = cfg_opt_u32(c, v, path, "gid", &d->gid);
	if (rc < 0)
		return -1;
	d->has_gid = rc;
	return 0;
}

static int parse_device(struct cfg *c, int v, const char *path,
			struct mc_device *d)
{
	char what[FIELD_MAX];
	char *type;

	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0 ||
	    cfg_req_str(c, v, path, "path", &d->path) < 0 ||
	    cfg_abs_path(cfg_field(what, path, "path"), d->path) < 0 ||
	    cfg_req_str(c, v, path, "type", &type) < 0)
		return -1;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return mc_error(0, "%s.type: expected \"c\", \"b\", \"u\" or \"p\"",
				path);
	d->type = type[0];
	/* dev_t: 12 bits of major, 20 of minor.  A FIFO has neither. */
	if (d->type != 'p' &&
	    (device_number(c, v, path, "major", 4095, &d->major) < 0 ||
	     device_number(c, v, path, "minor", 1048575, &d->minor) < 0))
		return -1;
	return device_owner(c, v, path, d);
}

static int parse_devices(struct cfg *c, int l)
{
	const char *path = "linux.devices";
	char name[FIELD_MAX];
	int v = cfg_member(c, l, "devices");
	struct mc_device *devs;
	size_t k = 0;

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_ARRAY, path) < 0)
		return -1;
	devs = cfg_alloc(c, cfg_items(c, v), sizeof(*devs));
	if (!devs)
		return -1;
	cfg_for_each(c, i, v) {
		if (parse_device(c, i, cfg_item(name, path, k), &devs[k]) < 0)
			return -1;
		k++;
	}
	c->spec->devices = devs;
	c->spec->n_devices = k;
	return 0;
}

static int parse_propagation(struct cfg *c, int l)
{
	struct mc_mount m = { 0 };
	char *word = NULL;
	bool other;

	if (cfg_opt_str(c, l, "linux", "rootfsPropagation", &word) < 0)
		return -1;
	if (!word || !*word)
		return 0;
	if (mc_mount_options(word, &m) < 0)
		return -1;
	other = m.data || m.flags || m.tmpcopyup || strchr(word, ',');
	free(m.data);
	if (!m.propagation || other)
		return mc_error(0, "linux.rootfsPropagation: unknown propagation '%s'",
				word);
	c->spec->rootfs_propagation = m.propagation;
	return 0;
}

static int (*const linux_parts[])(struct cfg *, int) = {
	refuse_linux, parse_namespaces, parse_idmaps, parse_resources,
	parse_cgroups_path, parse_sysctl, parse_paths, parse_devices,
	parse_propagation, cfg_parse_seccomp,
};

int cfg_parse_linux(struct cfg *c, int top)
{
	int l = cfg_member(c, top, "linux");

	if (l < 0)
		return 0;
	if (cfg_expect(c, l, MC_JSON_OBJECT, "linux") < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(linux_parts); i++)
		if (linux_parts[i](c, l) < 0)
			return -1;
	return 0;
}

/* ---- what needs which namespace (runc's validator) ----------------------- */

static bool has_ns(const struct cfg *c, enum mc_ns ns)
{
	return c->ns_seen & 1u << ns;
}

static int needs_ns(const struct cfg *c, const char *what, enum mc_ns ns,
		    const char *ns_name)
{
	return has_ns(c, ns) ? 0
			     : mc_error(0, "%s: needs a %s namespace in linux.namespaces",
					what, ns_name);
}

/* A sysctl outside the container's namespaces would change the host. */
static int check_sysctl(const struct cfg *c, const char *key)
{
	static const char *const ipc[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni",
		"kernel.shm_rmid_forced",
	};
	char what[FIELD_MAX];
	bool is_ipc = !strncmp(key, "fs.mqueue.", 10);

	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		is_ipc |= !strcmp(key, ipc[i]);
	cfg_field(what, "linux.sysctl", key);
	if (is_ipc)
		return needs_ns(c, what, MC_NS_IPC, "IPC");
	if (!strncmp(key, "net.", 4))
		return needs_ns(c, what, MC_NS_NET, "network");
	if (!strcmp(key, "kernel.domainname"))
		return needs_ns(c, what, MC_NS_UTS, "UTS");
	if (!strcmp(key, "kernel.hostname"))
		return mc_error(0, "%s: set the hostname field instead", what);
	return mc_error(0, "%s: not in a namespace of the container", what);
}

int cfg_check_namespaces(const struct cfg *c)
{
	const struct mc_spec *s = c->spec;

	if ((s->hostname && needs_ns(c, "hostname", MC_NS_UTS, "UTS") < 0) ||
	    (s->domainname && needs_ns(c, "domainname", MC_NS_UTS, "UTS") < 0) ||
	    (s->n_uid_maps &&
	     needs_ns(c, "linux.uidMappings", MC_NS_USER, "user") < 0) ||
	    (s->n_gid_maps &&
	     needs_ns(c, "linux.gidMappings", MC_NS_USER, "user") < 0) ||
	    (s->n_masked_paths &&
	     needs_ns(c, "linux.maskedPaths", MC_NS_MNT, "mount") < 0) ||
	    (s->n_readonly_paths &&
	     needs_ns(c, "linux.readonlyPaths", MC_NS_MNT, "mount") < 0))
		return -1;
	for (size_t i = 0; i < s->n_sysctl; i++)
		if (check_sysctl(c, s->sysctl[i].key) < 0)
			return -1;
	return 0;
}

