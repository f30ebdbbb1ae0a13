// SPDX-License-Identifier: MIT
/*
 * NAT for a bridge's subnet through nft(8): a masquerade rule in a table of
 * our own (ip mcstatic), found again by its comment "mcstatic S/P".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "ipam.h"
#include "util.h"

#define NFT_OUT_MAX 65536

struct nft_run {
	const char *what;	/* "NAT for 10.89.0.0/24", for the errors */
	char out[NFT_OUT_MAX];	/* its stdout */
	char err[256];		/* the first line of its stderr */
};

static int memfd_with(const char *name, const char *text)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	size_t len = text ? strlen(text) : 0;

	if (fd < 0)
		return -1;
	if ((len && write(fd, text, len) != (ssize_t)len) ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The child: IN, OUT and ERR as its stdio, then nft from PATH.  root's
 * PATH has the sbin directories, but a PATH from a plain su or a service
 * may not (musl's default has none): where nft lives on Debian is tried
 * next.  What exec said goes back on REPORT.
 */
static __attribute__((noreturn)) void exec_nft(char *const argv[], int in,
					      int out, int err, int report)
{
	int e;

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	signal(SIGPIPE, SIG_DFL);
	execvp("nft", argv);
	if (errno == ENOENT)
		execv("/usr/sbin/nft", argv);
	if (errno == ENOENT)
		execv("/sbin/nft", argv);
fail:
	e = errno;
	if (write(report, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* The first line of FD's text, from its start, into BUF. */
static void read_back(int fd, char *buf, size_t size, bool first_line)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	if (first_line)
		buf[strcspn(buf, "\n")] = '\0';
}

/* fork + exec nft: its exit status (stdout and stderr in RUN), or -1. */
static int spawn(struct nft_run *run, char *const argv[], int fds[3],
		 int report[2])
{
	pid_t pid = fork();
	int status, e = 0;
	ssize_t n;

	if (pid < 0)
		return mc_error(errno, "%s: fork", run->what);
	if (pid == 0)
		exec_nft(argv, fds[0], fds[1], fds[2], report[1]);
	close(report[1]);
	report[1] = -1;
	do
		n = read(report[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return mc_error(errno, "%s: nft", run->what);
	if (n > 0 && e == ENOENT)
		return mc_error(0, "%s: nft not found (install the Debian "
				"package nftables)", run->what);
	if (n > 0)
		return mc_error(e, "%s: nft", run->what);
	read_back(fds[1], run->out, sizeof(run->out), false);
	read_back(fds[2], run->err, sizeof(run->err), true);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/*
 * nft ARGS with SCRIPT on stdin (NULL: nothing).  The three streams are
 * memfds: no pipe to drain while it runs, so nothing can block.
 */
static int nft(struct nft_run *run, char *const argv[], const char *script)
{
	int fds[3] = { -1, -1, -1 }, report[2] = { -1, -1 }, ret = -1;

	fds[0] = memfd_with("nft-in", script);
	fds[1] = memfd_with("nft-out", NULL);
	fds[2] = memfd_with("nft-err", NULL);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 ||
	    pipe2(report, O_CLOEXEC) < 0)
		mc_error(errno, "%s: nft", run->what);
	else
		ret = spawn(run, argv, fds, report);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int i = 0; i < 2; i++)
		if (report[i] >= 0)
			close(report[i]);
	return ret;
}

/* nft, where anything but success is an error with its first line. */
static int nft_ok(struct nft_run *run, char *const argv[], const char *script)
{
	int status = nft(run, argv, script);

	if (status < 0)
		return -1;
	if (status)
		return mc_error(0, "%s: nft: %s", run->what,
				*run->err ? run->err : "failed");
	return 0;
}

static int nft_script(struct nft_run *run, const char *script)
{
	char *argv[] = { "nft", "-f", "-", NULL };

	mc_debug("[net] nft -f - <<< %s", script);
	return nft_ok(run, argv, script);
}

/* Our table exists: `nft list tables ip` names it. */
static int have_table(struct nft_run *run, bool *have)
{
	char *argv[] = { "nft", "list", "tables", "ip", NULL };

	if (nft_ok(run, argv, NULL) < 0)
		return -1;
	*have = strstr(run->out, "table ip mcstatic\n") != NULL;
	return 0;
}

static int list_chain(struct nft_run *run)
{
	char *argv[] = { "nft", "-a", "list", "chain", "ip", "mcstatic",
			 "postrouting", NULL };

	return nft_ok(run, argv, NULL);
}

/*
 * Each rule line of `nft -a list chain` in RUN->out ends in "# handle N";
 * so do the table and chain lines, which start with their keyword.  Calls
 * back with the handle and whether the line has COMMENT; the rules seen.
 */
static size_t each_rule(const char *out, const char *comment,
			void (*fn)(unsigned long long handle, void *arg),
			void *arg, size_t *ours)
{
	const char *line = out, *nl, *h, *p;
	size_t rules = 0;

	*ours = 0;
	for (; *line; line = nl + (*nl == '\n')) {
		nl = strchrnul(line, '\n');
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		h = strstr(p, " # handle ");
		if (!h || h > nl || !strncmp(p, "table ", 6) ||
		    !strncmp(p, "chain ", 6))
			continue;
		rules++;
		p = strstr(p, comment);
		if (!p || p > h)
			continue;
		(*ours)++;
		if (fn)
			fn(strtoull(h + 10, NULL, 10), arg);
	}
	return rules;
}

static int write_ip_forward(const char *what)
{
	_cleanup_close_ int fd = open("/proc/sys/net/ipv4/ip_forward",
				      O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "1\n", 2) != 2)
		return mc_error(errno, "%s: net.ipv4.ip_forward", what);
	return 0;
}

static int nat_on(struct nft_run *run, const char *cidr, const char *comment)
{
	char script[512];
	size_t ours;

	/* A table or chain declared in a script is added only if missing. */
	if (nft_script(run, "table ip mcstatic {\n"
			    "\tchain postrouting {\n"
			    "\t\ttype nat hook postrouting priority srcnat; "
			    "policy accept;\n\t}\n}\n") < 0 ||
	    list_chain(run) < 0)
		return -1;
	each_rule(run->out, comment, NULL, NULL, &ours);
	if (!ours) {
		snprintf(script, sizeof(script), "add rule ip mcstatic "
			 "postrouting ip saddr %s ip daddr != %s masquerade "
			 "comment %s\n", cidr, cidr, comment);
		if (nft_script(run, script) < 0)
			return -1;
	}
	return write_ip_forward(run->what);
}

struct deletes {
	char script[4096];
	size_t len;
};

static void add_delete(unsigned long long handle, void *arg)
{
	struct deletes *d = arg;
	int n = snprintf(d->script + d->len, sizeof(d->script) - d->len,
			 "delete rule ip mcstatic postrouting handle %llu\n",
			 handle);

	if (n > 0 && d->len + (size_t)n < sizeof(d->script))
		d->len += (size_t)n;
}

/*
 * Our rules out, by handle, and the table when nothing else is in it, in
 * one script (one transaction).  net.ipv4.ip_forward stays as it is:
 * another bridge, a VPN or the host's own routing may need it, and we
 * cannot know whether it was on before us.
 */
static int nat_off(struct nft_run *run, const char *comment)
{
	struct deletes d = { .len = 0 };
	size_t rules, ours;
	bool have;

	if (have_table(run, &have) < 0)
		return -1;
	if (!have)
		return 0;
	if (list_chain(run) < 0)
		return -1;
	rules = each_rule(run->out, comment, add_delete, &d, &ours);
	if (rules == ours)
		snprintf(d.script + d.len, sizeof(d.script) - d.len,
			 "delete table ip mcstatic\n");
	if (!d.script[0])
		return 0;
	return nft_script(run, d.script);
}

int mc_nat_set(uint32_t subnet, unsigned int prefix, bool on)
{
	uint32_t net = prefix ? subnet & htonl(~0U << (32 - prefix)) : 0;
	char a[INET_ADDRSTRLEN], cidr[32], what[64], comment[64];
	_cleanup_free_ struct nft_run *run = calloc(1, sizeof(*run));

	if (!run)
		return mc_error(ENOMEM, "NAT");
	if (prefix > 32)
		return mc_error(EINVAL, "NAT: prefix /%u", prefix);
	inet_ntop(AF_INET, &net, a, sizeof(a));
	snprintf(cidr, sizeof(cidr), "%s/%u", a, prefix);
	snprintf(what, sizeof(what), "NAT for %s", cidr);
	/* Quoted with the closing quote: "mcstatic 10.0.0.0/2" must not
	 * match the rule of 10.0.0.0/24. */
	snprintf(comment, sizeof(comment), "\"mcstatic %s\"", cidr);
	run->what = what;
	return on ? nat_on(run, cidr, comment) : nat_off(run, comment);
}
