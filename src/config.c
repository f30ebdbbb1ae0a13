// SPDX-License-Identifier: MIT
/*
 * config.json → struct mc_spec: one function per OCI section.  Everything
 * allocated here is handed to the spec at once (mc_spec_own), so an error
 * anywhere just returns; the caller's mc_spec_free() cleans up.  This
 * file: the readers every section uses, the top level, mounts and hooks;
 * config-process.c and config-linux.c have the two big sections.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "config.h"
#include "config-internal.h"
#include "error.h"
#include "json.h"
#include "spec.h"
#include "util.h"

/* ---- field names and lookups --------------------------------------------- */

const char *cfg_field(char *buf, const char *path, const char *key)
{
	snprintf(buf, FIELD_MAX, "%s%s%s", path, *path ? "." : "", key);
	return buf;
}

const char *cfg_item(char *buf, const char *path, size_t i)
{
	snprintf(buf, FIELD_MAX, "%s[%zu]", path, i);
	return buf;
}

/* Go's decoder, which runc and the engines use, lets a repeated key win
 * over an earlier one: so do we. */
int cfg_member(const struct cfg *c, int obj, const char *key)
{
	int v = -1;

	if (!mc_json_is(c->j, obj, MC_JSON_OBJECT))
		return -1;
	for (int k = mc_json_first(c->j, obj); k >= 0;
	     k = mc_json_next(c->j, obj, k))
		if (mc_json_eq(c->j, k, key))
			v = k + 1;
	return v >= 0 && mc_json_is_null(c->j, v) ? -1 : v;
}

int cfg_items(const struct cfg *c, int v)
{
	return c->j->tok[v].size;
}

int cfg_expect(const struct cfg *c, int v, enum mc_json_type type,
	       const char *what)
{
	if (mc_json_is(c->j, v, type))
		return 0;
	return mc_error(0, "%s: expected %s", what,
			type == MC_JSON_OBJECT ? "an object" : "an array");
}

int cfg_missing(const char *what)
{
	return mc_error(0, "%s: missing", what);
}

int cfg_unsupported(const char *what)
{
	return mc_error(0, "%s: not supported", what);
}

void *cfg_alloc(struct cfg *c, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		mc_error(ENOMEM, "config");
		return NULL;
	}
	return mc_spec_own(c->spec, p) < 0 ? NULL : p;
}

/* ---- typed values -------------------------------------------------------- */

int cfg_get_str(struct cfg *c, int v, const char *what, char **out)
{
	if (mc_json_string(c->j, v, what, out) < 0)
		return -1;
	return mc_spec_own(c->spec, *out);
}

int cfg_opt_str(struct cfg *c, int obj, const char *path, const char *key,
		char **out)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, obj, key);

	return v < 0 ? 0 : cfg_get_str(c, v, cfg_field(what, path, key), out);
}

int cfg_req_str(struct cfg *c, int obj, const char *path, const char *key,
		char **out)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, obj, key);

	cfg_field(what, path, key);
	if (v < 0)
		return cfg_missing(what);
	return cfg_get_str(c, v, what, out);
}

int cfg_opt_bool(struct cfg *c, int obj, const char *path, const char *key,
		 bool *out)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, obj, key);

	if (v < 0)
		return 0;
	return mc_json_bool(c->j, v, cfg_field(what, path, key), out);
}

int cfg_get_u32(struct cfg *c, int v, const char *what, unsigned int *out)
{
	uint64_t u;

	if (mc_json_uint(c->j, v, what, &u) < 0)
		return -1;
	if (u > UINT32_MAX)
		return mc_error(0, "%s: expected an integer from 0 to %u", what,
				UINT32_MAX);
	*out = u;
	return 0;
}

int cfg_opt_u32(struct cfg *c, int obj, const char *path, const char *key,
		unsigned int *out)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, obj, key);

	if (v < 0)
		return 0;
	return cfg_get_u32(c, v, cfg_field(what, path, key), out) < 0 ? -1 : 1;
}

int cfg_req_u32(struct cfg *c, int obj, const char *path, const char *key,
		unsigned int *out)
{
	char what[FIELD_MAX];
	int rc = cfg_opt_u32(c, obj, path, key, out);

	return rc ? (rc < 0 ? -1 : 0) : cfg_missing(cfg_field(what, path, key));
}

int cfg_opt_u64(struct cfg *c, int obj, const char *path, const char *key,
		uint64_t *out)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, obj, key);

	if (v < 0)
		return 0;
	cfg_field(what, path, key);
	return mc_json_uint(c->j, v, what, out) < 0 ? -1 : 1;
}

int cfg_opt_i64(struct cfg *c, int obj, const char *path, const char *key,
		int64_t *out)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, obj, key);

	if (v < 0)
		return 0;
	cfg_field(what, path, key);
	return mc_json_int(c->j, v, what, out) < 0 ? -1 : 1;
}

int cfg_str_array(struct cfg *c, int v, const char *what, char ***out,
		  size_t *n)
{
	char item_name[FIELD_MAX];
	size_t k = 0;
	char **a;

	if (!mc_json_is(c->j, v, MC_JSON_ARRAY))
		return mc_error(0, "%s: expected an array of strings", what);
	a = cfg_alloc(c, cfg_items(c, v) + 1, sizeof(*a));
	if (!a)
		return -1;
	cfg_for_each(c, i, v) {
		if (cfg_get_str(c, i, cfg_item(item_name, what, k), &a[k]) < 0)
			return -1;
		k++;
	}
	*out = a;
	if (n)
		*n = k;
	return 0;
}

int cfg_opt_str_array(struct cfg *c, int obj, const char *path,
		      const char *key, char ***out, size_t *n)
{
	char what[FIELD_MAX];
	int v = cfg_member(c, obj, key);

	if (v < 0)
		return 0;
	return cfg_str_array(c, v, cfg_field(what, path, key), out, n);
}

int cfg_kv_object(struct cfg *c, int v, const char *what, struct mc_kv **out,
		  size_t *n)
{
	char name[FIELD_MAX];
	struct mc_kv *kv;
	size_t k = 0, o;

	if (cfg_expect(c, v, MC_JSON_OBJECT, what) < 0)
		return -1;
	kv = cfg_alloc(c, cfg_items(c, v), sizeof(*kv));
	if (!kv)
		return -1;
	cfg_for_each(c, i, v) {
		char *key, *value;

		if (cfg_get_str(c, i, what, &key) < 0 ||
		    cfg_get_str(c, i + 1, cfg_field(name, what, key), &value) < 0)
			return -1;
		/* A repeated key replaces the earlier value, as in a Go map. */
		for (o = 0; o < k && strcmp(kv[o].key, key); o++)
			;
		kv[o] = (struct mc_kv){ key, value };
		k += o == k;
	}
	*out = kv;
	*n = k;
	return 0;
}

static bool raw_is(const struct cfg *c, int v, const char *word)
{
	const struct mc_json_tok *t = &c->j->tok[v];
	size_t len = strlen(word);

	return (size_t)(t->end - t->start) == len &&
	       !memcmp(c->j->buf + t->start, word, len);
}

bool cfg_given(const struct cfg *c, int v)
{
	if (v < 0)
		return false;
	switch (c->j->tok[v].type) {
	case MC_JSON_STRING:
		return !raw_is(c, v, "");
	case MC_JSON_PRIMITIVE:
		return !raw_is(c, v, "0") && !raw_is(c, v, "false");
	default:
		return cfg_items(c, v) > 0;
	}
}

char *cfg_join(struct cfg *c, const char *dir, const char *rel)
{
	size_t dlen = strlen(dir), rlen = strlen(rel);
	char *p;

	while (dlen && dir[dlen - 1] == '/')
		dlen--;
	p = cfg_alloc(c, dlen + rlen + 2, 1);
	if (!p)
		return NULL;
	memcpy(p, dir, dlen);
	p[dlen] = '/';
	memcpy(p + dlen + 1, rel, rlen + 1);
	return p;
}

int cfg_abs_path(const char *what, const char *path)
{
	return path[0] == '/' ? 0
			      : mc_error(0, "%s: '%s' is not an absolute path",
					 what, path);
}

int cfg_req_u64(struct cfg *c, int obj, const char *path, const char *key,
		uint64_t *out)
{
	char what[FIELD_MAX];
	int rc = cfg_opt_u64(c, obj, path, key, out);

	return rc ? (rc < 0 ? -1 : 0) : cfg_missing(cfg_field(what, path, key));
}

int cfg_refuse(const struct cfg *c, int obj, const char *path,
	       const char *const *keys, size_t n)
{
	char what[FIELD_MAX];

	for (size_t i = 0; i < n; i++)
		if (cfg_given(c, cfg_member(c, obj, keys[i])))
			return cfg_unsupported(cfg_field(what, path, keys[i]));
	return 0;
}

static const char *const hook_names[MC_HOOK_KINDS] = {
	[MC_HOOK_PRESTART] = "prestart",
	[MC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[MC_HOOK_CREATE_CONTAINER] = "createContainer",
	[MC_HOOK_START_CONTAINER] = "startContainer",
	[MC_HOOK_POSTSTART] = "poststart",
	[MC_HOOK_POSTSTOP] = "poststop",
};

/* ---- top level: version, process, root, names ---------------------------- */

static int parse_version(struct cfg *c, int top)
{
	char *v;

	if (cfg_req_str(c, top, "", "ociVersion", &v) < 0)
		return -1;
	if (strncmp(v, "1.", 2))
		return mc_error(0, "ociVersion: '%s' is not a 1.x version", v);
	c->spec->oci_version = v;
	return 0;
}

static int parse_process(struct cfg *c, int top)
{
	int p = cfg_member(c, top, "process");

	if (p < 0)
		return cfg_missing("process");
	/* No process.capabilities: none at all, as runc (exec --process
	 * without them falls back to these). */
	c->spec->has_caps = true;
	return cfg_parse_process(c, p, "process");
}

static int parse_root(struct cfg *c, int top)
{
	int r = cfg_member(c, top, "root");
	char *path;

	if (r < 0)
		return cfg_missing("root.path");
	if (cfg_expect(c, r, MC_JSON_OBJECT, "root") < 0 ||
	    cfg_req_str(c, r, "root", "path", &path) < 0 ||
	    cfg_opt_bool(c, r, "root", "readonly", &c->spec->root_readonly) < 0)
		return -1;
	if (!*path)
		return cfg_missing("root.path");
	/* runc reads a relative root.path from the bundle. */
	if (path[0] != '/' && !(path = cfg_join(c, c->bundle, path)))
		return -1;
	c->spec->rootfs = path;
	return 0;
}

static int parse_names(struct cfg *c, int top)
{
	char *host = NULL, *domain = NULL;

	if (cfg_opt_str(c, top, "", "hostname", &host) < 0 ||
	    cfg_opt_str(c, top, "", "domainname", &domain) < 0)
		return -1;
	/* "" leaves the name alone, as in runc. */
	c->spec->hostname = host && *host ? host : NULL;
	c->spec->domainname = domain && *domain ? domain : NULL;
	return 0;
}

static int parse_annotations(struct cfg *c, int top)
{
	int v = cfg_member(c, top, "annotations");

	return v < 0 ? 0 : cfg_kv_object(c, v, "annotations", &c->spec->annotations,
					 &c->spec->n_annotations);
}

/* ---- mounts -------------------------------------------------------------- */

/* Recursive mount attributes (runc 1.1, mount_setattr) and id-mapped mounts:
 * a bind mount would silently not get them. */
static const char *const refused_mount_options[] = {
	"rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
	"rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime",
	"ratime", "rstrictatime", "rnostrictatime", "idmap", "ridmap",
};

static int refuse_mount_option(const char *opt, const char *path)
{
	char what[FIELD_MAX];

	for (size_t r = 0; r < ARRAY_SIZE(refused_mount_options); r++)
		if (!strcmp(opt, refused_mount_options[r]))
			return mc_error(0, "%s: '%s' not supported",
					cfg_field(what, path, "options"), opt);
	return 0;
}

/* The options as one "a,b,c" string (NULL: none) for mc_mount_options. */
static int mount_options(struct cfg *c, int v, const char *path, char **out)
{
	size_t n = 0, len = 0;
	char **opts = NULL, *p;

	*out = NULL;
	if (cfg_opt_str_array(c, v, path, "options", &opts, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (refuse_mount_option(opts[i], path) < 0)
			return -1;
		len += strlen(opts[i]) + 1;
	}
	if (!n)
		return 0;
	*out = p = cfg_alloc(c, len, 1);
	if (!p)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(opts[i]);

		memcpy(p, opts[i], l);
		p += l;
		*p++ = i + 1 < n ? ',' : '\0';
	}
	return 0;
}

static int mount_fields(struct cfg *c, int v, const char *path,
			struct mc_mount *m)
{
	char what[FIELD_MAX];
	char *dest, *type = NULL, *source = NULL;

	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0 ||
	    cfg_req_str(c, v, path, "destination", &dest) < 0 ||
	    cfg_opt_str(c, v, path, "type", &type) < 0 ||
	    cfg_opt_str(c, v, path, "source", &source) < 0)
		return -1;
	if (!*dest)
		return cfg_missing(cfg_field(what, path, "destination"));
	/* runc 1.1 warns about a relative destination and takes it from the
	 * container's /; the spec allows that. */
	if (dest[0] != '/' && !(dest = cfg_join(c, "/", dest)))
		return -1;
	if (cfg_given(c, cfg_member(c, v, "uidMappings")) ||
	    cfg_given(c, cfg_member(c, v, "gidMappings")))
		return cfg_unsupported(cfg_field(what, path, "uidMappings"));
	m->target = dest;
	m->type = type && *type ? type : NULL;
	m->source = source && *source ? source : NULL;
	return 0;
}

static int mount_kind(struct cfg *c, struct mc_mount *m, const char *path)
{
	char what[FIELD_MAX];

	/* mount(2) ignores a bind mount's type: "bind" alone asks for one. */
	if (m->type && !strcmp(m->type, "bind"))
		m->flags |= MS_BIND;
	if (!(m->flags & MS_BIND)) {
		if (!m->type)
			return cfg_missing(cfg_field(what, path, "type"));
		if (!m->source)
			m->source = m->type;
		return 0;
	}
	m->type = "bind";
	if (!m->source)
		return cfg_missing(cfg_field(what, path, "source"));
	/* runc works in the bundle: a relative source is from there. */
	if (m->source[0] != '/')
		m->source = cfg_join(c, c->bundle, m->source);
	return m->source ? 0 : -1;
}

static int parse_mount(struct cfg *c, int v, const char *path)
{
	struct mc_mount m = { 0 };
	char *opts;

	if (mount_fields(c, v, path, &m) < 0 ||
	    mount_options(c, v, path, &opts) < 0 ||
	    mc_mount_options(opts, &m) < 0)
		return -1;
	if (mc_spec_add_mount(c->spec, &m) < 0) {
		free(m.data);
		return -1;
	}
	/* From here on the spec owns m.data: fix up its copy. */
	return mount_kind(c, &c->spec->mounts[c->spec->n_mounts - 1], path);
}

static int parse_mounts(struct cfg *c, int top)
{
	char name[FIELD_MAX];
	int v = cfg_member(c, top, "mounts");
	size_t k = 0;

	/* The list is all there is: no /proc or /dev of our own. */
	c->spec->oci_mounts = true;
	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_ARRAY, "mounts") < 0)
		return -1;
	cfg_for_each(c, i, v)
		if (parse_mount(c, i, cfg_item(name, "mounts", k++)) < 0)
			return -1;
	return 0;
}

/* ---- hooks --------------------------------------------------------------- */

static int parse_hook(struct cfg *c, int v, const char *path, struct mc_hook *h)
{
	char what[FIELD_MAX];
	int64_t timeout;
	int rc;

	if (cfg_expect(c, v, MC_JSON_OBJECT, path) < 0 ||
	    cfg_req_str(c, v, path, "path", &h->path) < 0 ||
	    cfg_abs_path(cfg_field(what, path, "path"), h->path) < 0 ||
	    cfg_opt_str_array(c, v, path, "args", &h->args, NULL) < 0 ||
	    cfg_opt_str_array(c, v, path, "env", &h->env, NULL) < 0)
		return -1;
	rc = cfg_opt_i64(c, v, path, "timeout", &timeout);
	if (rc < 0)
		return -1;
	if (rc && (timeout <= 0 || timeout > INT_MAX))
		return mc_error(0, "%s.timeout: expected an integer above 0", path);
	h->timeout = rc ? timeout : 0;
	return 0;
}

static int parse_hook_list(struct cfg *c, int hooks, enum mc_hook_kind kind)
{
	char path[FIELD_MAX], name[FIELD_MAX];
	int v = cfg_member(c, hooks, hook_names[kind]);
	struct mc_hook *h;
	size_t k = 0;

	if (v < 0)
		return 0;
	cfg_field(path, "hooks", hook_names[kind]);
	if (cfg_expect(c, v, MC_JSON_ARRAY, path) < 0)
		return -1;
	h = cfg_alloc(c, cfg_items(c, v), sizeof(*h));
	if (!h)
		return -1;
	cfg_for_each(c, i, v) {
		if (parse_hook(c, i, cfg_item(name, path, k), &h[k]) < 0)
			return -1;
		k++;
	}
	c->spec->hooks[kind] = h;
	c->spec->n_hooks[kind] = k;
	return 0;
}

static int parse_hooks(struct cfg *c, int top)
{
	int v = cfg_member(c, top, "hooks");

	if (v < 0)
		return 0;
	if (cfg_expect(c, v, MC_JSON_OBJECT, "hooks") < 0)
		return -1;
	for (int kind = 0; kind < MC_HOOK_KINDS; kind++)
		if (parse_hook_list(c, v, kind) < 0)
			return -1;
	return 0;
}

/* ---- entry points -------------------------------------------------------- */

static int (*const sections[])(struct cfg *, int) = {
	parse_version, parse_process, parse_root, parse_names, parse_mounts,
	parse_hooks, parse_annotations, cfg_parse_linux,
};

/* BUNDLE made absolute (NULL: the current directory); caller frees. */
static char *abs_bundle(const char *bundle)
{
	char *cwd, *p;

	if (bundle && bundle[0] == '/')
		return strdup(bundle);
	cwd = getcwd(NULL, 0);
	if (!cwd || !bundle || !strcmp(bundle, "."))
		return cwd;
	p = malloc(strlen(cwd) + strlen(bundle) + 2);
	if (p)
		sprintf(p, "%s/%s", cwd, bundle);
	free(cwd);
	return p;
}

static int parse_doc(struct mc_spec *spec, const struct mc_json *j,
		     const char *bundle)
{
	_cleanup_free_ char *abs = abs_bundle(bundle);
	struct cfg c = { .j = j, .spec = spec, .bundle = abs };

	if (!abs)
		return mc_error(errno, "bundle");
	if (!mc_json_is(j, 0, MC_JSON_OBJECT))
		return mc_error(0, "expected an object at the top level");
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (sections[i](&c, 0) < 0)
			return -1;
	return cfg_check_namespaces(&c);
}

int mc_config_parse(struct mc_spec *spec, const char *json, size_t len,
		    const char *bundle)
{
	struct mc_json j;
	int rc;

	if (mc_json_parse(&j, json, len) < 0)
		return mc_error_context("config.json");
	rc = parse_doc(spec, &j, bundle);
	mc_json_free(&j);
	return rc < 0 ? mc_error_context("config.json") : 0;
}

int mc_config_load(struct mc_spec *spec, const char *bundle)
{
	const char *dir = bundle ? bundle : ".";
	_cleanup_free_ char *path = malloc(strlen(dir) + sizeof("/config.json"));
	_cleanup_free_ char *data = NULL;
	struct mc_json j;
	int rc;

	if (!path)
		return mc_error(ENOMEM, "config.json");
	sprintf(path, "%s/config.json", dir);
	if (mc_json_load(&j, path, &data) < 0)
		return -1;
	rc = parse_doc(spec, &j, dir);
	mc_json_free(&j);
	return rc < 0 ? mc_error_context("config.json") : 0;
}

int mc_config_parse_process(struct mc_spec *spec, const char *json, size_t len)
{
	struct cfg c = { .spec = spec, .bundle = "/" };
	struct mc_json j;
	int rc;

	if (mc_json_parse(&j, json, len) < 0)
		return mc_error_context("process");
	c.j = &j;
	rc = cfg_parse_process(&c, 0, "process");
	mc_json_free(&j);
	return rc;
}


int mc_config_load_process(struct mc_spec *spec, const char *path)
{
	struct cfg c = { .spec = spec, .bundle = "/" };
	_cleanup_free_ char *data = NULL;
	struct mc_json j;
	int rc;

	if (mc_json_load(&j, path, &data) < 0)
		return -1;
	c.j = &j;
	rc = cfg_parse_process(&c, 0, "process");
	mc_json_free(&j);
	return rc < 0 ? mc_error_context("%s", path) : 0;
}
