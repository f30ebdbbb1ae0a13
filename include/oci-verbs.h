/* SPDX-License-Identifier: MIT */
#ifndef MC_OCI_VERBS_H
#define MC_OCI_VERBS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "life.h"
#include "opts.h"
#include "spec.h"

/* What the global options said; shared by every verb. */
struct mc_oci {
	char root[PATH_MAX];	/* state root (--root, or the default) */
	const char *root_flag;	/* --root as given */
	const char *log;	/* --log FILE */
	bool log_json;		/* --log-format json */
	bool systemd_cgroup;
	int fail_status;	/* the exit status of the verb's own failure */
};

/* A verb's flag: "--name" (also "-name"), an optional one-letter form. */
struct mc_flag {
	const char *name;
	char short_name;
	int id;
	bool has_arg;
};

/*
 * Parse ARGV[FIRST..] while words are flags of FLAGS (ends with a zeroed
 * entry), calling APPLY for each; returns the index of the first other
 * word, or -1 with the error recorded.
 */
int mc_parse_flags(int argc, char **argv, int first,
		   const struct mc_flag *flags,
		   int (*apply)(void *ctx, int id, const char *value),
		   void *ctx);

/* ARGV[I] is the only word left, and a valid container ID. */
int mc_oci_one_id(int argc, char **argv, int i, const char *verb,
		  const char **id);

struct mc_state;

/* Parse FLAGS (NULL: none), then the one ID, loaded and locked into ST. */
int mc_oci_load_one(struct mc_oci *oci, int argc, char **argv,
		    const struct mc_flag *flags,
		    int (*apply)(void *, int, const char *), void *ctx,
		    struct mc_state *st);

/* "KILL", "SIGKILL", "kill", "9". */
int mc_parse_signal(const char *s, int *sig);

/* delete's work: processes, cgroup, poststop hooks, state dir. */
void mc_oci_remove_container(struct mc_state *st);

/* The bare pid, no newline, written whole (tmp + rename); PATH may be NULL. */
int mc_write_pid_file(const char *path, pid_t pid);

/* --preserve-fds N */
int mc_parse_preserve_fds(const char *v, unsigned int *n);

/* One function per verb: ARGV[0] is the verb; 0, or -1 with the error. */
int mc_verb_create(struct mc_oci *oci, int argc, char **argv);
int mc_verb_start(struct mc_oci *oci, int argc, char **argv);
int mc_verb_run(struct mc_oci *oci, int argc, char **argv);
int mc_verb_state(struct mc_oci *oci, int argc, char **argv);
int mc_verb_kill(struct mc_oci *oci, int argc, char **argv);
int mc_verb_delete(struct mc_oci *oci, int argc, char **argv);
int mc_verb_exec(struct mc_oci *oci, int argc, char **argv);
int mc_verb_list(struct mc_oci *oci, int argc, char **argv);
int mc_verb_ps(struct mc_oci *oci, int argc, char **argv);
int mc_verb_pause(struct mc_oci *oci, int argc, char **argv);
int mc_verb_resume(struct mc_oci *oci, int argc, char **argv);
int mc_verb_update(struct mc_oci *oci, int argc, char **argv);
int mc_verb_events(struct mc_oci *oci, int argc, char **argv);
int mc_verb_features(struct mc_oci *oci, int argc, char **argv);
int mc_verb_spec(struct mc_oci *oci, int argc, char **argv);

/* The lifecycle verbs on detached containers (lifecycle*.c): exit 125. */
int mc_verb_stop(struct mc_oci *oci, int argc, char **argv);
int mc_verb_restart(struct mc_oci *oci, int argc, char **argv);
int mc_verb_wait(struct mc_oci *oci, int argc, char **argv);
int mc_verb_rm(struct mc_oci *oci, int argc, char **argv);
int mc_verb_logs(struct mc_oci *oci, int argc, char **argv);

/* inspect, top, stats (lifecycle-info.c): exit 125. */
int mc_verb_inspect(struct mc_oci *oci, int argc, char **argv);
int mc_verb_top(struct mc_oci *oci, int argc, char **argv);
int mc_verb_stats(struct mc_oci *oci, int argc, char **argv);
int mc_verb_network(struct mc_oci *oci, int argc, char **argv);

/*
 * A detached container's spec, rebuilt from its saved invocation as the
 * first run parsed it: the spec borrows its strings from ARGS, so both live
 * until mc_seed_spec_free().  WorkingDir without --workdir is "/" with a
 * --rootfs, else the directory the invocation ran in.
 */
struct mc_seed_spec {
	struct mc_life_args args;
	struct mc_spec spec;
	struct mc_run_opts opts;
	bool loaded;
};

int mc_seed_spec_load(const struct mc_state *st, struct mc_seed_spec *s);
void mc_seed_spec_free(struct mc_seed_spec *s);

#endif
