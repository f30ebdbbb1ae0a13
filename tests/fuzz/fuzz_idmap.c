// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the id maps: the input is split on newlines; each
 * line is tried as an /etc/subuid line (mc_subid_parse_line) and as the
 * value of --uidmap and --gidmap (the seed's CONTAINER:HOST:COUNT parser,
 * through mc_cli_parse), and every range either yields is added to one map
 * (mc_idmap_add).  Beyond what ASan and UBSan catch, the map must keep its
 * promises, or the harness traps: at most MC_MAX_IDMAPS ranges, none
 * empty, none past the 32-bit id space, no two overlapping on either side,
 * and each range's ends inside it (mc_idmap_contains, _contains_host).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "spec.h"

static bool overlap(unsigned int a, unsigned int na, unsigned int b,
		    unsigned int nb)
{
	return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

static void check(const struct mc_idmap *m, size_t n)
{
	if (n > MC_MAX_IDMAPS)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		const struct mc_idmap *a = &m[i];
		unsigned int last = a->count - 1;

		if (!a->count || (uint64_t)a->container_id + a->count > 1ULL << 32 ||
		    (uint64_t)a->host_id + a->count > 1ULL << 32)
			__builtin_trap();
		if (!mc_idmap_contains(m, n, a->container_id) ||
		    !mc_idmap_contains(m, n, a->container_id + last) ||
		    !mc_idmap_contains_host(m, n, a->host_id) ||
		    !mc_idmap_contains_host(m, n, a->host_id + last))
			__builtin_trap();
		for (size_t j = 0; j < i; j++)
			if (overlap(a->container_id, a->count, m[j].container_id,
				    m[j].count) ||
			    overlap(a->host_id, a->count, m[j].host_id, m[j].count))
				__builtin_trap();
	}
}

/* The line as --uidmap and --gidmap of the seed CLI. */
static void as_flags(char *line, struct mc_idmap *maps, size_t *n)
{
	char *env[] = { "PATH=/bin", NULL };
	char *argv[] = { "mcstatic", "--user", "--uidmap", line, "--gidmap",
			 line, "true", NULL };
	struct mc_run_opts opts = { 0 };
	struct mc_spec spec;

	mc_spec_init(&spec, env);
	if (mc_cli_parse(7, argv, &spec, &opts) == MC_CLI_RUN) {
		check(spec.uid_maps, spec.n_uid_maps);
		check(spec.gid_maps, spec.n_gid_maps);
		if (spec.n_uid_maps != 1 || spec.n_gid_maps != 1)
			__builtin_trap();
		if (mc_idmap_add(maps, n, &spec.uid_maps[0], "map") == 0)
			check(maps, *n);
	}
	mc_spec_free(&spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_idmap maps[MC_MAX_IDMAPS], m;
	char *buf = malloc(size + 1);
	size_t n = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *line = buf, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (mc_subid_parse_line(line, "user", 1000, &m)) {
			if (!m.count)
				__builtin_trap();
			if (mc_idmap_add(maps, &n, &m, "subid") == 0)
				check(maps, n);
		}
		as_flags(line, maps, &n);
	}
	check(maps, n);
	free(buf);
	return 0;
}
