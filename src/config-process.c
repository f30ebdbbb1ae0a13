// SPDX-License-Identifier: MIT
/* config.json's "process" (also exec --process): args, env, cwd, user,
 * terminal, rlimits, capabilities, no_new_privs, oom score. */
#include <string.h>
#include <sys/resource.h>

#include "caps.h"
#include "config-internal.h"
#include "error.h"
#include "json.h"
#include "spec.h"
#include "util.h"

static int parse_args(struct cfg *c, int p, const char *path)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, p, "args");

	cfg_field(what, path, "args");
	if (v < 0)
		return cfg_missing(what);
	if (cfg_str_array(c, v, what, &c->spec->argv, NULL) < 0)
		return -1;
	return c->spec->argv[0] ? 0 : mc_error(0, "%s: must not be empty", what);
}

static int parse_env(struct cfg *c, int p, const char *path)
{
	char what[FIELD_MAX], name[FIELD_MAX];
	char **env = NULL;
	size_t n = 0;

	/* process.env is the whole environment: nothing is inherited. */
	c->spec->env_len = 0;
	if (c->spec->env)
		c->spec->env[0] = NULL;
	if (cfg_opt_str_array(c, p, path, "env", &env, &n) < 0)
		return -1;
	cfg_field(what, path, "env");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');

		/* A repeated name replaces the earlier value, as in runc. */
		if (!eq || eq == env[i])
			return mc_error(0, "%s: '%s': expected NAME=VALUE",
					cfg_item(name, what, i), env[i]);
		if (mc_spec_setenv(c->spec, env[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_cwd(struct cfg *c, int p, const char *path)
{
	char what[FIELD_MAX];
	char *cwd;

	if (cfg_req_str(c, p, path, "cwd", &cwd) < 0 ||
	    cfg_abs_path(cfg_field(what, path, "cwd"), cwd) < 0)
		return -1;
	c->spec->cwd = cwd;
	return 0;
}

static int parse_gids(struct cfg *c, int u, const char *path)
{
	char what[FIELD_MAX], name[FIELD_MAX];
	int v = cfg_member(c, u, "additionalGids");
	unsigned int *gids;
	size_t k = 0;

	if (v < 0)
		return 0;
	cfg_field(what, path, "additionalGids");
	if (cfg_expect(c, v, MC_JSON_ARRAY, what) < 0)
		return -1;
	gids = cfg_alloc(c, cfg_items(c, v), sizeof(*gids));
	if (!gids)
		return -1;
	cfg_for_each(c, i, v) {
		if (cfg_get_u32(c, i, cfg_item(name, what, k), &gids[k]) < 0)
			return -1;
		k++;
	}
	c->spec->additional_gids = gids;
	c->spec->n_additional_gids = k;
	return 0;
}

static int parse_user(struct cfg *c, int p, const char *path)
{
	char upath[FIELD_MAX];
	int u = cfg_member(c, p, "user"), rc;
	unsigned int mask;

	/* The process always runs as user.uid and .gid: 0 unless given. */
	c->spec->set_user = true;
	c->spec->uid = c->spec->gid = 0;
	if (u < 0)
		return 0;
	cfg_field(upath, path, "user");
	if (cfg_expect(c, u, MC_JSON_OBJECT, upath) < 0 ||
	    cfg_opt_u32(c, u, upath, "uid", &c->spec->uid) < 0 ||
	    cfg_opt_u32(c, u, upath, "gid", &c->spec->gid) < 0)
		return -1;
	rc = cfg_opt_u32(c, u, upath, "umask", &mask);
	if (rc < 0)
		return -1;
	if (rc && mask > 0777)
		return mc_error(0, "%s.umask: expected an integer from 0 to 511 (0777)",
				upath);
	if (rc)
		c->spec->umask = mask;
	return parse_gids(c, u, upath);
}

static int parse_terminal(struct cfg *c, int p, const char *path)
{
	char cpath[FIELD_MAX];
	int v;

	if (cfg_opt_bool(c, p, path, "terminal", &c->spec->terminal) < 0)
		return -1;
	v = cfg_member(c, p, "consoleSize");
	if (v < 0)
		return 0;
	cfg_field(cpath, path, "consoleSize");
	if (cfg_expect(c, v, MC_JSON_OBJECT, cpath) < 0 ||
	    cfg_opt_u32(c, v, cpath, "height", &c->spec->console_height) < 0 ||
	    cfg_opt_u32(c, v, cpath, "width", &c->spec->console_width) < 0)
		return -1;
	return 0;
}

static int parse_rlimit(struct cfg *c, int v, const char *path,
			struct mc_rlimit *rl)
{
	char *type;

	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0 ||
	    cfg_req_str(c, v, path, "type", &type) < 0)
		return -1;
	rl->resource = mc_rlimit_from_name(type);
	if (rl->resource < 0)
		return mc_error(0, "%s.type: unknown rlimit '%s'", path, type);
	if (cfg_req_u64(c, v, path, "soft", &rl->soft) < 0 ||
	    cfg_req_u64(c, v, path, "hard", &rl->hard) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return mc_error(0, "%s: soft limit above the hard limit", path);
	return 0;
}

static int parse_rlimits(struct cfg *c, int p, const char *path)
{
	char what[FIELD_MAX], name[FIELD_MAX];
	int v = cfg_member(c, p, "rlimits");
	struct mc_rlimit *rl;
	size_t k = 0;

	if (v < 0)
		return 0;
	cfg_field(what, path, "rlimits");
	if (cfg_expect(c, v, MC_JSON_ARRAY, what) < 0)
		return -1;
	rl = cfg_alloc(c, cfg_items(c, v), sizeof(*rl));
	if (!rl)
		return -1;
	cfg_for_each(c, i, v) {
		if (parse_rlimit(c, i, cfg_item(name, what, k), &rl[k]) < 0)
			return -1;
		/* The spec (1.1) wants an error; runc 1.1 let the last win. */
		for (size_t o = 0; o < k; o++)
			if (rl[o].resource == rl[k].resource)
				return mc_error(0, "%s.type: %s given twice", name,
						mc_rlimit_name(rl[k].resource));
		k++;
	}
	c->spec->rlimits = rl;
	c->spec->n_rlimits = k;
	return 0;
}

int cfg_cap_set(struct cfg *c, int caps, const char *path, const char *key,
		uint64_t *bits)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, caps, key);
	char **names;
	size_t n;
	int cap;

	if (v < 0)
		return 0;
	if (cfg_str_array(c, v, cfg_field(what, path, key), &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		/*
		 * runc 1.1 warns and goes on; a typo would then run the
		 * container with less (or, in a drop list, more) than meant.
		 * Names the kernel lacks are skipped when applied (caps.c).
		 */
		cap = mc_cap_from_name(names[i]);
		if (cap < 0)
			return mc_error(0, "%s: unknown capability %s", what,
					names[i]);
		*bits |= 1ULL << cap;
	}
	return 0;
}

static int parse_caps(struct cfg *c, int p, const char *path)
{
	char cpath[FIELD_MAX];
	int v = cfg_member(c, p, "capabilities");
	struct mc_caps *caps = &c->spec->caps;

	if (v < 0)
		return 0;
	cfg_field(cpath, path, "capabilities");
	if (cfg_expect(c, v, MC_JSON_OBJECT, cpath) < 0)
		return -1;
	c->spec->has_caps = true;
	*caps = (struct mc_caps){ 0 };
	if (cfg_cap_set(c, v, cpath, "bounding", &caps->bounding) < 0 ||
	    cfg_cap_set(c, v, cpath, "effective", &caps->effective) < 0 ||
	    cfg_cap_set(c, v, cpath, "permitted", &caps->permitted) < 0 ||
	    cfg_cap_set(c, v, cpath, "inheritable", &caps->inheritable) < 0 ||
	    cfg_cap_set(c, v, cpath, "ambient", &caps->ambient) < 0)
		return -1;
	return 0;
}

static int parse_proc_flags(struct cfg *c, int p, const char *path)
{
	int64_t adj;
	int rc;

	if (cfg_opt_bool(c, p, path, "noNewPrivileges",
			 &c->spec->no_new_privileges) < 0)
		return -1;
	rc = cfg_opt_i64(c, p, path, "oomScoreAdj", &adj);
	if (rc <= 0)
		return rc;
	if (adj < -1000 || adj > 1000)
		return mc_error(0, "%s.oomScoreAdj: expected an integer from -1000 to 1000",
				path);
	c->spec->has_oom_score_adj = true;
	c->spec->oom_score_adj = adj;
	return 0;
}

/* LSM labels, I/O and CPU scheduling: nothing below would apply them. */
static int refuse_process(struct cfg *c, int p, const char *path)
{
	static const char *const keys[] = {
		"apparmorProfile", "selinuxLabel", "ioPriority", "scheduler",
		"execCPUAffinity",
	};

	return cfg_refuse(c, p, path, keys, ARRAY_SIZE(keys));
}

static int (*const process_parts[])(struct cfg *, int, const char *) = {
	parse_args, parse_env, parse_cwd, parse_user, parse_terminal,
	parse_rlimits, parse_caps, parse_proc_flags, refuse_process,
};

int cfg_parse_process(struct cfg *c, int p, const char *path)
{
	if (cfg_expect(c, p, MC_JSON_OBJECT, path) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(process_parts); i++)
		if (process_parts[i](c, p, path) < 0)
			return -1;
	return 0;
}

