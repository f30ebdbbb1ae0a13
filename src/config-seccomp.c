// SPDX-License-Identifier: MIT
/*
 * linux.seccomp → struct mc_seccomp: names checked here, against the
 * compiler's tables, so a typo is an error naming the field, never a
 * filter that does something else.  Also the seed's --seccomp FILE (the
 * same object alone).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-internal.h"
#include "error.h"
#include "json.h"
#include "seccomp.h"
#include "spec.h"
#include "util.h"

static int action_of(struct cfg *c, int obj, const char *path,
		     const char *key, enum mc_scmp_action *out)
{
	char what[FIELD_MAX];
	char *name;
	int a;

	if (cfg_req_str(c, obj, path, key, &name) < 0)
		return -1;
	cfg_field(what, path, key);
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return mc_error(0, "%s: SCMP_ACT_NOTIFY not supported (no seccomp "
				   "listener)", what);
	a = mc_seccomp_action(name);
	if (a < 0)
		return mc_error(0, "%s: unknown action %s", what, name);
	*out = (enum mc_scmp_action)a;
	return 0;
}

/* errnoRet, defaultErrnoRet: EPERM when absent (runc). */
static int ret_of(struct cfg *c, int obj, const char *path, const char *key,
		  uint32_t *out)
{
	char what[FIELD_MAX];
	unsigned int v = 1;	/* EPERM */
	int rc = cfg_opt_u32(c, obj, path, key, &v);

	if (rc < 0)
		return -1;
	if (v > 0xffff)
		return mc_error(0, "%s: %u is over 65535",
				cfg_field(what, path, key), v);
	*out = v;
	return 0;
}

static int parse_arg(struct cfg *c, int v, const char *path,
		     struct mc_seccomp_arg *a)
{
	char what[FIELD_MAX];
	char *op;
	int o;

	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0 ||
	    cfg_req_u32(c, v, path, "index", &a->index) < 0)
		return -1;
	if (a->index >= MC_SCMP_MAX_ARGS)
		return mc_error(0, "%s: %u is over %d", cfg_field(what, path, "index"),
				a->index, MC_SCMP_MAX_ARGS - 1);
	if (cfg_req_u64(c, v, path, "value", &a->value) < 0 ||
	    cfg_opt_u64(c, v, path, "valueTwo", &a->value_two) < 0 ||
	    cfg_req_str(c, v, path, "op", &op) < 0)
		return -1;
	o = mc_seccomp_op(op);
	if (o < 0)
		return mc_error(0, "%s: unknown operator %s",
				cfg_field(what, path, "op"), op);
	a->op = (enum mc_scmp_op)o;
	return 0;
}

static int parse_args(struct cfg *c, int r, const char *path,
		      struct mc_seccomp_rule *rule)
{
	char what[FIELD_MAX], item[FIELD_MAX];
	int v = cfg_member(c, r, "args");

	if (v < 0)
		return 0;
	cfg_field(what, path, "args");
	if (cfg_expect(c, v, MC_JSON_ARRAY, what) < 0)
		return -1;
	rule->args = cfg_alloc(c, cfg_items(c, v), sizeof(*rule->args));
	if (!rule->args)
		return -1;
	cfg_for_each(c, i, v) {
		cfg_item(item, what, rule->n_args);
		if (parse_arg(c, i, item, &rule->args[rule->n_args]) < 0)
			return -1;
		rule->n_args++;
	}
	return 0;
}

/* "includes"/"excludes" (containers/common's profile format): caps only. */
static int cap_condition(struct cfg *c, int r, const char *path,
			 const char *key, uint64_t *caps)
{
	static const char *const others[] = { "arches", "minKernel" };
	char what[FIELD_MAX];
	int v = cfg_member(c, r, key);

	if (v < 0)
		return 0;
	cfg_field(what, path, key);
	if (cfg_expect(c, v, MC_JSON_OBJECT, what) < 0 ||
	    cfg_refuse(c, v, what, others, ARRAY_SIZE(others)) < 0)
		return -1;
	return cfg_cap_set(c, v, what, "caps", caps);
}

static int parse_rule(struct cfg *c, int r, const char *path,
		      struct mc_seccomp_rule *rule)
{
	char what[FIELD_MAX];

	if (cfg_expect(c, r, MC_JSON_OBJECT, path) < 0 ||
	    cfg_opt_str_array(c, r, path, "names", &rule->names,
			      &rule->n_names) < 0)
		return -1;
	if (!rule->n_names)
		return mc_error(0, "%s: expected at least one syscall name",
				cfg_field(what, path, "names"));
	if (action_of(c, r, path, "action", &rule->action) < 0 ||
	    ret_of(c, r, path, "errnoRet", &rule->ret) < 0 ||
	    cap_condition(c, r, path, "includes", &rule->caps_all) < 0 ||
	    cap_condition(c, r, path, "excludes", &rule->caps_none) < 0)
		return -1;
	return parse_args(c, r, path, rule);
}

static int parse_rules(struct cfg *c, int s, const char *path,
		       struct mc_seccomp *p)
{
	char what[FIELD_MAX], item[FIELD_MAX];
	int v = cfg_member(c, s, "syscalls");

	if (v < 0)
		return 0;
	cfg_field(what, path, "syscalls");
	if (cfg_expect(c, v, MC_JSON_ARRAY, what) < 0)
		return -1;
	p->rules = cfg_alloc(c, cfg_items(c, v), sizeof(*p->rules));
	if (!p->rules)
		return -1;
	cfg_for_each(c, i, v) {
		cfg_item(item, what, p->n_rules);
		if (parse_rule(c, i, item, &p->rules[p->n_rules]) < 0)
			return -1;
		p->n_rules++;
	}
	return 0;
}

static int parse_arches(struct cfg *c, int s, const char *path,
			struct mc_seccomp *p)
{
	char what[FIELD_MAX];
	char **names = NULL;
	size_t n = 0;

	if (cfg_opt_str_array(c, s, path, "architectures", &names, &n) < 0)
		return -1;
	cfg_field(what, path, "architectures");
	for (size_t i = 0; i < n; i++) {
		int a = mc_seccomp_arch(names[i]);

		if (a < 0)
			return mc_error(0, "%s[%zu]: unknown architecture %s",
					what, i, names[i]);
		if (a < MC_ARCH_COUNT)
			p->arches |= 1u << a;
	}
	/* Only other machines' architectures: nothing here may run. */
	if (n && !p->arches)
		return mc_error(0, "%s: none of them is x86 (SCMP_ARCH_X86_64, "
				   "SCMP_ARCH_X86, SCMP_ARCH_X32)", what);
	return 0;
}

static int parse_flags(struct cfg *c, int s, const char *path,
		       struct mc_seccomp *p)
{
	char what[FIELD_MAX];
	char **names = NULL;
	size_t n = 0;

	if (cfg_opt_str_array(c, s, path, "flags", &names, &n) < 0)
		return -1;
	cfg_field(what, path, "flags");
	for (size_t i = 0; i < n; i++) {
		long bit = mc_seccomp_flag(names[i]);

		if (!strcmp(names[i], "SECCOMP_FILTER_FLAG_NEW_LISTENER"))
			return mc_error(0, "%s[%zu]: %s not supported (no seccomp "
					   "listener)", what, i, names[i]);
		if (bit < 0)
			return mc_error(0, "%s[%zu]: unknown flag %s", what, i,
					names[i]);
		p->flags |= (unsigned int)bit;
	}
	return 0;
}

static int seccomp_object(struct cfg *c, int s, const char *path)
{
	static const char *const keys[] = { "listenerPath", "listenerMetadata" };
	struct mc_seccomp *p;

	if (!path[0] && !mc_json_is(c->j, s, MC_JSON_OBJECT))
		return mc_error(0, "not a JSON object");
	if (cfg_expect(c, s, MC_JSON_OBJECT, path) < 0 ||
	    cfg_refuse(c, s, path, keys, ARRAY_SIZE(keys)) < 0)
		return -1;
	p = cfg_alloc(c, 1, sizeof(*p));
	if (!p || action_of(c, s, path, "defaultAction", &p->default_action) < 0 ||
	    ret_of(c, s, path, "defaultErrnoRet", &p->default_ret) < 0 ||
	    parse_arches(c, s, path, p) < 0 || parse_flags(c, s, path, p) < 0 ||
	    parse_rules(c, s, path, p) < 0)
		return -1;
	c->spec->seccomp = p;
	return 0;
}

int cfg_parse_seccomp(struct cfg *c, int l)
{
	int s = cfg_member(c, l, "seccomp");

	return s < 0 ? 0 : seccomp_object(c, s, "linux.seccomp");
}

int mc_config_parse_seccomp(struct mc_spec *spec, const char *json, size_t len)
{
	struct mc_json j;
	struct cfg c = { .j = &j, .spec = spec };
	int rc;

	if (mc_json_parse(&j, json, len) < 0)
		return -1;
	rc = seccomp_object(&c, 0, "");
	mc_json_free(&j);
	return rc;
}

int mc_config_load_seccomp(struct mc_spec *spec, const char *path)
{
	struct mc_json j;
	struct cfg c = { .j = &j, .spec = spec };
	char *data = NULL;
	int rc;

	if (mc_json_load(&j, path, &data) < 0) {
		free(data);
		return mc_error_context("seccomp profile");
	}
	rc = seccomp_object(&c, 0, "");
	mc_json_free(&j);
	free(data);
	return rc < 0 ? mc_error_context("seccomp profile %s", path) : 0;
}
