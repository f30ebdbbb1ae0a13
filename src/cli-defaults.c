// SPDX-License-Identifier: MIT
/*
 * The seed command line's defaults: a user namespace without --uidmap and
 * --gidmap maps the caller to 0 inside and its /etc/subuid and /etc/subgid
 * range from 1 on.  A config.json brings its own maps; this is the seed's.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "namespaces.h"

#define SUBID_COUNT_MAX 65535U	/* 1..65535 inside, as podman maps */

struct subid_kind {
	const char *helper;
	const char *subid_file;
};

static const struct subid_kind uid_kind = { "newuidmap", "/etc/subuid" };
static const struct subid_kind gid_kind = { "newgidmap", "/etc/subgid" };

/* A decimal number, then END (or the end of the line when END is '\n'). */
static const char *parse_field(const char *p, char end, unsigned int *out)
{
	char *stop;
	unsigned long v;

	if (!p || *p < '0' || *p > '9')
		return NULL;
	errno = 0;
	v = strtoul(p, &stop, 10);
	if (errno || v > UINT_MAX ||
	    (*stop != end && !(end == '\n' && *stop == '\0')))
		return NULL;
	*out = v;
	return stop + 1;
}

bool mc_subid_parse_line(const char *line, const char *name, unsigned int id,
			 struct mc_idmap *out)
{
	const char *colon = strchr(line, ':');
	size_t who_len = colon ? (size_t)(colon - line) : 0;
	unsigned int start, count, who_id;
	bool is_me;

	if (!colon)
		return false;
	is_me = (parse_field(line, ':', &who_id) && who_id == id) ||
		(name && strlen(name) == who_len && !strncmp(line, name, who_len));
	if (!is_me ||
	    !parse_field(parse_field(colon + 1, ':', &start), '\n', &count) ||
	    !count)
		return false;
	*out = (struct mc_idmap){ 1, start,
				  count < SUBID_COUNT_MAX ? count : SUBID_COUNT_MAX };
	return true;
}

static bool find_subid(const char *path, const char *name, unsigned int id,
		       struct mc_idmap *out)
{
	FILE *f = fopen(path, "re");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = mc_subid_parse_line(line, name, id, out);
	fclose(f);
	return found;
}

static bool have_helper(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/usr/bin/%s", name);
	return access(path, X_OK) == 0;
}

/*
 * The caller as 0 inside, and its subordinate range from 1 on.  Root writes
 * any map itself; anybody else needs newuidmap/newgidmap for the range.
 */
static void default_map(struct mc_idmap *maps, size_t *n, unsigned int self,
			const struct subid_kind *kind, const char *name)
{
	struct mc_idmap range;

	maps[(*n)++] = (struct mc_idmap){ 0, self, 1 };
	if (!find_subid(kind->subid_file, name, self, &range)) {
		mc_debug("[parent] No range for %s in %s: mapping only %u to 0",
			 name ? name : "this user", kind->subid_file, self);
		return;
	}
	if (geteuid() != 0 && !have_helper(kind->helper)) {
		mc_debug("[parent] No %s (Debian package uidmap): mapping only %u to 0",
			 kind->helper, self);
		return;
	}
	mc_idmap_add(maps, n, &range, kind->subid_file);
}

int mc_cli_default_maps(struct mc_spec *spec)
{
	struct passwd *pw;
	const char *name;

	if (!(spec->namespaces & CLONE_NEWUSER))
		return 0;
	pw = getpwuid(getuid());
	name = pw ? pw->pw_name : NULL;
	if (!spec->n_uid_maps)
		default_map(spec->uid_maps, &spec->n_uid_maps, getuid(),
			    &uid_kind, name);
	if (!spec->n_gid_maps)
		default_map(spec->gid_maps, &spec->n_gid_maps, getgid(),
			    &gid_kind, name);
	return 0;
}
