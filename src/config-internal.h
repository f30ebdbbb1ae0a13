/* SPDX-License-Identifier: MIT */
#ifndef MC_CONFIG_INTERNAL_H
#define MC_CONFIG_INTERNAL_H

/*
 * Shared by config.c, config-process.c and config-linux.c only.  Every
 * reader takes the token index of the object it reads from and the field
 * path of that object ("mounts[3]"), names the field in its errors, and
 * hands what it allocates to the spec.  A value that is null reads as
 * absent, as Go's decoder (runc, the engines) reads it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "spec.h"

#define FIELD_MAX 160	/* "linux.resources.devices[12].access" and such */

struct cfg {
	const struct mc_json *j;
	struct mc_spec *spec;
	const char *bundle;	/* absolute */
	unsigned int ns_seen;	/* 1 << enum mc_ns, new or joined */
};

/* Field paths: "PATH.KEY" (just KEY when PATH is "") and "PATH[I]". */
const char *cfg_field(char *buf, const char *path, const char *key);
const char *cfg_item(char *buf, const char *path, size_t i);

/* The value of KEY in object OBJ; -1 when absent or null. */
int cfg_member(const struct cfg *c, int obj, const char *key);
int cfg_items(const struct cfg *c, int v);	/* of an array or object */
int cfg_expect(const struct cfg *c, int v, enum mc_json_type type,
	       const char *what);
int cfg_missing(const char *what);
int cfg_unsupported(const char *what);

/* N zeroed elements owned by the spec; NULL (error recorded) on failure. */
void *cfg_alloc(struct cfg *c, size_t n, size_t size);

/* Strings, owned by the spec.  opt_ readers leave *OUT alone when the
 * member is absent; req_ readers report it missing. */
int cfg_get_str(struct cfg *c, int v, const char *what, char **out);
int cfg_opt_str(struct cfg *c, int obj, const char *path, const char *key,
		char **out);
int cfg_req_str(struct cfg *c, int obj, const char *path, const char *key,
		char **out);
int cfg_opt_bool(struct cfg *c, int obj, const char *path, const char *key,
		 bool *out);

/* Numbers: opt_ readers return 1 when the member was there, 0 if not. */
int cfg_get_u32(struct cfg *c, int v, const char *what, unsigned int *out);
int cfg_opt_u32(struct cfg *c, int obj, const char *path, const char *key,
		unsigned int *out);
int cfg_req_u32(struct cfg *c, int obj, const char *path, const char *key,
		unsigned int *out);
int cfg_opt_u64(struct cfg *c, int obj, const char *path, const char *key,
		uint64_t *out);
int cfg_req_u64(struct cfg *c, int obj, const char *path, const char *key,
		uint64_t *out);
int cfg_opt_i64(struct cfg *c, int obj, const char *path, const char *key,
		int64_t *out);

/* An array of strings → NULL-terminated array; N may be NULL. */
int cfg_str_array(struct cfg *c, int v, const char *what, char ***out,
		  size_t *n);
int cfg_opt_str_array(struct cfg *c, int obj, const char *path,
		      const char *key, char ***out, size_t *n);
/* An object of strings (sysctl, annotations) → key/value pairs. */
int cfg_kv_object(struct cfg *c, int v, const char *what, struct mc_kv **out,
		  size_t *n);

/* Set to something: not absent, null, "", 0, false, {} or []. */
bool cfg_given(const struct cfg *c, int v);
/* Any of KEYS given in OBJ is an error: "PATH.KEY: not supported". */
int cfg_refuse(const struct cfg *c, int obj, const char *path,
	       const char *const *keys, size_t n);

/* "DIR/REL", owned by the spec. */
char *cfg_join(struct cfg *c, const char *dir, const char *rel);
int cfg_abs_path(const char *what, const char *path);

/* I over the items of array V (the keys of an object). */
#define cfg_for_each(c, i, v)                                      \
	for (int i = mc_json_first((c)->j, v); i >= 0;             \
	     i = mc_json_next((c)->j, v, i))

/* The sections in their own files: process and linux. */
int cfg_parse_process(struct cfg *c, int p, const char *path);
int cfg_parse_linux(struct cfg *c, int top);
/* linux.seccomp (config-seccomp.c), L the linux object. */
int cfg_parse_seccomp(struct cfg *c, int l);
/* OBJ.KEY, an array of capability names, ORed into *BITS. */
int cfg_cap_set(struct cfg *c, int obj, const char *path, const char *key,
		uint64_t *bits);
/* What needs which namespace: after all sections (runc's validator). */
int cfg_check_namespaces(const struct cfg *c);

#endif
