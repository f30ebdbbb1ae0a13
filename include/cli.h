/* SPDX-License-Identifier: MIT */
#ifndef MC_CLI_H
#define MC_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "opts.h"
#include "spec.h"

enum mc_cli_action {
	MC_CLI_RUN,
	MC_CLI_HELP,
	MC_CLI_VERSION,
	MC_CLI_ERROR,
};

/* Seed flags → spec.  Strings in the spec point into argv. */
enum mc_cli_action mc_cli_parse(int argc, char **argv, struct mc_spec *spec,
				 struct mc_run_opts *opts);

void mc_cli_usage(void);

/* The seed's security flags, gathered while parsing. */
struct mc_cli_security {
	bool privileged;	/* --privileged: every capability, no filter, no masks */
	/* --cap-add, --cap-drop: bit n is capability n; "all" apart */
	uint64_t cap_add, cap_drop;
	bool cap_add_all, cap_drop_all;
	/* --seccomp: "default", "unconfined" or a profile FILE; NULL: not given */
	const char *seccomp;
	/* --bundle: config.json's security is the base, the flags change it */
	bool bundle;
};

/* --cap-add NAME|all (ADD) or --cap-drop NAME|all (cli-security.c). */
int mc_cli_parse_cap(struct mc_cli_security *sec, bool add, const char *name);

/* --ulimit NAME=SOFT[:HARD], docker's names (nofile, nproc...). */
int mc_cli_parse_ulimit(struct mc_spec *spec, const char *arg);

/*
 * What a container started from the seed CLI gets unless it asks otherwise
 * (cli-security.c): the engines' defaults, or none of them with
 * --privileged.  Called once all flags are parsed.
 */
int mc_cli_security_defaults(struct mc_spec *spec,
			     const struct mc_cli_security *sec);

/* Values of the resource flags, unit-tested. */
/* "64m", "1g", "512k", "100" (bytes; k/m/g are powers of 1024). */
int mc_parse_size(const char *s, int64_t *bytes);

/* "0.5" CPUs → a quota in µs per PERIOD µs, e.g. 50000 per 100000. */
int mc_parse_cpus(const char *s, uint64_t period, int64_t *quota);

/* A decimal in [min, max], the whole string. */
int mc_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* The network flags (cli-net.c), one value each; then, once all are read,
 * what goes together and the network namespace they need. */
int mc_cli_net_mode(struct mc_spec *spec, const char *v);
int mc_cli_net_subnet(struct mc_spec *spec, const char *v);
int mc_cli_net_ip(struct mc_spec *spec, const char *v);
int mc_cli_net_dns(struct mc_spec *spec, const char *v);
int mc_cli_net_add_host(struct mc_spec *spec, const char *v);
int mc_cli_net_port(struct mc_spec *spec, const char *v);
int mc_cli_net_check(struct mc_spec *spec);

const char *mc_cli_version(void);

/*
 * The seed's user namespace default (cli-defaults.c): without --uidmap and
 * --gidmap, the caller is 0 inside, plus its /etc/subuid and /etc/subgid
 * range from 1 on when it has one and can use it (newuidmap/newgidmap).
 */
int mc_cli_default_maps(struct mc_spec *spec);

/*
 * One line of /etc/subuid or /etc/subgid ("name:start:count", the name may
 * be a number): true and the range in *out when it is for NAME or ID.
 */
bool mc_subid_parse_line(const char *line, const char *name, unsigned int id,
			 struct mc_idmap *out);

#endif
