// SPDX-License-Identifier: MIT
/* Entry point: pick the front-end, run what it asked for, map the status. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "caps.h"
#include "cli.h"
#include "container.h"
#include "detach.h"
#include "error.h"
#include "oci.h"
#include "opts.h"
#include "spec.h"
#include "supervise.h"

extern char **environ;

/*
 * Dispositions and a mask are inherited: an ignored SIGCHLD makes the
 * kernel reap the child itself and never tell us (we would wait forever),
 * and a blocked or ignored forwarded signal would reach nobody.  SIGPIPE is
 * ignored for ourselves only, so that a closed stderr costs the message but
 * not the exit status and the cleanup; the child restores it before exec.
 */
static void reset_signals(void)
{
	sigset_t set;

	mc_supervise_sigset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig) == 1)
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
	struct mc_run_opts opts = { .kill_on_parent_death = true };
	struct mc_spec spec;
	int status = 0, verb;
	bool machine;

	reset_signals();
	/* Before anything else is done with a privilege the caller lacks. */
	if (mc_caps_init() < 0) {
		mc_error_print();
		return MC_EXIT_FAILURE;
	}
	machine = mc_machine_init();
	/* `mcstatic [GLOBAL...] VERB ...`: the OCI runtime's command line. */
	if (!machine && mc_oci_is_verb(argc, argv, &verb))
		return mc_oci_main(argc, argv, verb);
	mc_spec_init(&spec, environ);
	switch (mc_cli_parse(argc, argv, &spec, &opts)) {
	case MC_CLI_HELP:
		mc_cli_usage();
		break;
	case MC_CLI_VERSION:
		mc_oci_print_version(mc_cli_version());
		break;
	case MC_CLI_RUN:
		if (mc_cli_default_maps(&spec) < 0)
			status = -1;
		else if (opts.detach)
			status = mc_detach_run(&spec, &opts, argc, argv, environ);
		else
			status = mc_container_run(&spec, &opts);
		break;
	case MC_CLI_ERROR:
		status = -1;
		break;
	}
	if (status < 0) {
		mc_error_print();
		status = MC_EXIT_FAILURE;
	}
	mc_spec_free(&spec);
	if (machine)
		mc_machine_poweroff(status);
	return status;
}
