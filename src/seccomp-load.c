// SPDX-License-Identifier: MIT
/*
 * The filter's two moments: compiled in the parent before clone (a bad
 * profile fails before anything exists, and the child does no work for
 * it), installed by the child at the point the order gives.  The child's
 * copy of this file's static is the program it installs.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "seccomp.h"
#include "spec.h"
#include "sys.h"

/* A copy, so nothing stays allocated (the built-in one is used in place). */
static struct mc_bpf_insn copy[MC_BPF_MAX_INSNS];
static struct mc_bpf_fprog prepared;

static int compile(const struct mc_seccomp *p, uint64_t caps)
{
	struct mc_bpf b;

	if (mc_seccomp_compile_caps(p, caps, &b) < 0)
		return -1;
	memcpy(copy, b.insn, b.len * sizeof(*b.insn));
	prepared = (struct mc_bpf_fprog){ b.len, copy };
	mc_bpf_free(&b);
	return 0;
}

/*
 * The built-in profile for a bounding set its rules' conditions see
 * otherwise than the build's (--cap-add sys_admin opens sethostname, as
 * the engines render it): its text, parsed and compiled now.
 */
static int compile_builtin(const struct mc_seccomp *p, uint64_t caps)
{
	struct mc_spec s;
	int ret;

	mc_spec_init(&s, NULL);
	ret = mc_config_parse_seccomp(&s, p->json, strlen(p->json));
	if (ret == 0)
		ret = compile(s.seccomp, caps);
	mc_spec_free(&s);
	return ret;
}

int mc_seccomp_prepare(const struct mc_spec *spec)
{
	const struct mc_seccomp *p = spec->seccomp;
	uint64_t caps = spec->has_caps ? spec->caps.bounding : ~0ULL;

	prepared = (struct mc_bpf_fprog){ 0 };
	if (!p)
		return 0;
	if (p->prog && !((caps ^ p->prog_caps) & p->caps_used))
		prepared = (struct mc_bpf_fprog){ p->prog_len, p->prog };
	else if ((p->prog ? compile_builtin(p, caps) : compile(p, caps)) < 0)
		return -1;
	mc_debug("[parent] seccomp: %u instructions", prepared.len);
	return 0;
}

static int install(const struct mc_spec *spec)
{
	if (!prepared.len)
		return mc_error(0, "linux.seccomp: not compiled before clone");
	if (sys_seccomp(SECCOMP_SET_MODE_FILTER, spec->seccomp->flags,
			&prepared) < 0)
		return mc_error(errno, "linux.seccomp: install the filter");
	return 0;
}

int mc_seccomp_install_early(const struct mc_spec *spec)
{
	if (!spec->seccomp || spec->no_new_privileges)
		return 0;
	return install(spec);
}

/*
 * From here to execve only: sigaction, sigprocmask, fcntl, execve (each
 * PATH entry), and on a failure sendmsg and exit_group.  A profile that
 * blocks one of these cannot run a program anyway.
 */
int mc_seccomp_install_late(const struct mc_spec *spec)
{
	if (!spec->seccomp || !spec->no_new_privileges)
		return 0;
	return install(spec);
}
