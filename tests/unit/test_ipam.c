// SPDX-License-Identifier: MIT
/* ipam.c, netfiles.c, nat.c: leases, the generated /etc files, NAT. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "ipam.h"
#include "proc.h"

#define BR "mcbr0"

struct fixture {
	char tmp[64];
	char root[96];		/* the state root: open makes it */
	struct mc_ipam ip;
};

static uint32_t A(const char *s)
{
	uint32_t a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* A network namespace of our own, lo up: nothing here touches the host. */
static void new_netns(void)
{
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(system("ip link set lo up"), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->tmp, "/tmp/mcstatic-ipam-XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/state", f->tmp);
	f->ip.lock_fd = -1;
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mc_ipam_close(&f->ip);
	nftw(f->tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void path_of(char *buf, size_t size, const struct fixture *f,
		    const char *rel)
{
	snprintf(buf, size, "%s/" MC_NET_DIR "/%s", f->root, rel);
}

static bool exists(const struct fixture *f, const char *rel)
{
	char path[PATH_MAX];

	path_of(path, sizeof(path), f, rel);
	return access(path, F_OK) == 0;
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *in = fopen(path, "re");
	size_t n;

	assert_non_null(in);
	n = fread(buf, 1, sizeof(buf) - 1, in);
	buf[n] = '\0';
	fclose(in);
	return buf;
}

static char *slurp_rel(const struct fixture *f, const char *rel)
{
	char path[PATH_MAX];

	path_of(path, sizeof(path), f, rel);
	return slurp(path);
}

static void put_text(const char *path, const char *text)
{
	FILE *out = fopen(path, "we");

	assert_non_null(out);
	fputs(text, out);
	assert_int_equal(fclose(out), 0);
}

static void open_ip(struct fixture *f)
{
	assert_int_equal(mc_ipam_open(f->root, BR, &f->ip), 0);
}

static void reopen(struct fixture *f)
{
	mc_ipam_close(&f->ip);
	open_ip(f);
}

static uint32_t alloc(struct fixture *f, const char *subnet,
		      unsigned int prefix, const char *want, const char *name,
		      bool nat)
{
	struct mc_lease req = { .nat = nat }, out;

	if (name)
		snprintf(req.name, sizeof(req.name), "%s", name);
	assert_int_equal(mc_ipam_alloc(&f->ip, A(subnet), prefix,
				       want ? A(want) : 0, &req, &out), 0);
	assert_int_equal(out.owner, getpid());
	return out.addr;
}

static void alloc_fails(struct fixture *f, const char *subnet,
			unsigned int prefix, const char *want, int err,
			const char *text)
{
	struct mc_lease out;

	assert_int_equal(mc_ipam_alloc(&f->ip, A(subnet), prefix,
				       want ? A(want) : 0, NULL, &out), -1);
	assert_string_equal(mc_error_text(), text);
	assert_int_equal(mc_error_errno(), err);
}

static void test_alloc_lowest(void **state)
{
	struct fixture *f = *state;
	char line[128];
	uint64_t start;

	open_ip(f);
	assert_true(exists(f, BR ".lock"));
	assert_int_equal(alloc(f, "10.89.0.0", 24, NULL, "web", false),
			 A("10.89.0.2"));
	assert_int_equal(alloc(f, "10.89.0.0", 24, NULL, NULL, false),
			 A("10.89.0.3"));
	assert_true(exists(f, BR "/10.89.0.2"));
	assert_true(exists(f, BR "/10.89.0.3"));
	assert_int_equal(mc_proc_start_time(getpid(), &start), 0);
	snprintf(line, sizeof(line), "10.89.0.2 %d %llu 0 web -\n"
		 "10.89.0.3 %d %llu 0 - -\n", (int)getpid(),
		 (unsigned long long)start, (int)getpid(),
		 (unsigned long long)start);
	assert_string_equal(slurp_rel(f, BR ".leases"), line);

	/* Ours, and we live: kept. */
	reopen(f);
	assert_int_equal(f->ip.n, 2);
	assert_string_equal(f->ip.leases[0].name, "web");
	/* A hole is filled first. */
	assert_int_equal(mc_ipam_free(&f->ip, A("10.89.0.2")), 0);
	assert_int_equal(alloc(f, "10.89.0.0", 24, NULL, NULL, false),
			 A("10.89.0.2"));
}

static void test_alloc_errors(void **state)
{
	struct fixture *f = *state;

	open_ip(f);
	assert_int_equal(alloc(f, "10.89.0.0", 24, "10.89.0.7", NULL, false),
			 A("10.89.0.7"));
	alloc_fails(f, "10.89.0.0", 24, "10.89.0.7", EADDRINUSE,
		    "address 10.89.0.7: in use on bridge mcbr0");
	alloc_fails(f, "10.89.0.0", 24, "192.168.5.5", EADDRNOTAVAIL,
		    "address 192.168.5.5: outside the subnet 10.89.0.0/24 "
		    "of bridge mcbr0");
	alloc_fails(f, "10.89.0.0", 24, "10.89.0.1", EADDRNOTAVAIL,
		    "address 10.89.0.1: the gateway of bridge mcbr0");
	alloc_fails(f, "10.89.0.0", 24, "10.89.0.0", EADDRNOTAVAIL,
		    "address 10.89.0.0: the network address of bridge mcbr0");
	alloc_fails(f, "10.89.0.0", 24, "10.89.0.255", EADDRNOTAVAIL,
		    "address 10.89.0.255: the broadcast address of bridge "
		    "mcbr0");
	assert_int_equal(mc_ipam_alloc(&f->ip, A("10.89.0.0"), 24, 0,
				       &(struct mc_lease){ .name = "a b" },
				       NULL), -1);
	assert_string_equal(mc_error_text(), "name a b: a blank, which a "
			    "lease cannot hold");
	assert_int_equal(f->ip.n, 1);
	assert_false(exists(f, BR "/10.89.0.1"));
	assert_false(exists(f, BR "/10.89.0.2"));
	/* The subnet given with host bits is its network. */
	assert_int_equal(alloc(f, "10.89.0.9", 24, NULL, NULL, false),
			 A("10.89.0.2"));
}

static void test_exhausted(void **state)
{
	struct fixture *f = *state;

	open_ip(f);
	assert_int_equal(alloc(f, "10.89.0.0", 30, NULL, NULL, false),
			 A("10.89.0.2"));
	alloc_fails(f, "10.89.0.0", 30, NULL, ENOSPC,
		    "bridge mcbr0: no free address in 10.89.0.0/30");
	alloc_fails(f, "10.89.0.0", 31, NULL, ENOSPC,
		    "bridge mcbr0: no host addresses in 10.89.0.0/31");
	assert_int_equal(f->ip.n, 1);
}

/* A process that lived: its PID and start time, then it is reaped. */
static pid_t dead_process(uint64_t *start)
{
	int fd[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[1]);
		if (read(fd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd[0]);
	assert_int_equal(mc_proc_start_time(pid, start), 0);
	close(fd[1]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void make_lease_dir(const struct fixture *f, const char *addr)
{
	static const char *const files[] = { "hosts", "hostname",
					     "resolv.conf" };
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/" MC_NET_DIR "/" BR "/%s", f->root, addr);
	assert_int_equal(mkdir(path, 0700), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/" MC_NET_DIR "/" BR "/%s/%s", f->root,
			 addr, files[i]);
		put_text(path, "x\n");
	}
}

static void test_stale_reclaimed(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], text[512];
	uint64_t dead_start, my_start;
	pid_t dead = dead_process(&dead_start);

	assert_int_equal(mc_proc_start_time(getpid(), &my_start), 0);
	open_ip(f);
	alloc(f, "10.89.0.0", 24, "10.89.0.2", "mine", false);
	mc_ipam_close(&f->ip);
	make_lease_dir(f, "10.89.0.9");
	make_lease_dir(f, "10.89.0.10");
	/* Dead owner; our PID with another start time (recycled); junk. */
	snprintf(text, sizeof(text),
		 "10.89.0.2 %d %llu 0 mine -\n"
		 "10.89.0.9 %d %llu 1 old old\n"
		 "10.89.0.10 %d %llu 0 - -\n"
		 "10.89.0.11 %d\n"
		 "10.89.0.300 %d %llu 0 - -\n"
		 "10.89.0.2 %d %llu 0 twice -\n",
		 (int)getpid(), (unsigned long long)my_start,
		 (int)dead, (unsigned long long)dead_start,
		 (int)getpid(), (unsigned long long)my_start + 1,
		 (int)getpid(), (int)getpid(), (unsigned long long)my_start,
		 (int)getpid(), (unsigned long long)my_start);
	path_of(path, sizeof(path), f, BR ".leases");
	put_text(path, text);

	open_ip(f);
	assert_int_equal(f->ip.n, 1);
	assert_int_equal(f->ip.leases[0].addr, A("10.89.0.2"));
	assert_false(exists(f, BR "/10.89.0.9"));
	assert_false(exists(f, BR "/10.89.0.10"));
	assert_true(exists(f, BR "/10.89.0.2"));
	snprintf(text, sizeof(text), "10.89.0.2 %d %llu 0 mine -\n",
		 (int)getpid(), (unsigned long long)my_start);
	assert_string_equal(slurp(path), text);
	/* The reclaimed address is free again. */
	assert_int_equal(alloc(f, "10.89.0.0", 24, "10.89.0.9", NULL, false),
			 A("10.89.0.9"));
}

static void test_free_lease(void **state)
{
	struct fixture *f = *state;

	open_ip(f);
	alloc(f, "10.89.0.0", 24, NULL, NULL, false);
	alloc(f, "10.89.0.0", 24, NULL, NULL, false);
	assert_int_equal(mc_ipam_free(&f->ip, A("10.89.0.2")), 0);
	assert_int_equal(f->ip.n, 1);
	assert_false(exists(f, BR "/10.89.0.2"));
	assert_int_equal(mc_ipam_free(&f->ip, A("10.89.0.2")), -1);
	assert_string_equal(mc_error_text(), "address 10.89.0.2: not leased "
			    "by us on bridge mcbr0");
	reopen(f);
	assert_int_equal(f->ip.n, 1);
	assert_int_equal(f->ip.leases[0].addr, A("10.89.0.3"));
}

static void test_nat_users(void **state)
{
	struct fixture *f = *state;

	open_ip(f);
	assert_int_equal(mc_ipam_nat_users(&f->ip), 0);
	alloc(f, "10.89.0.0", 24, NULL, NULL, true);
	alloc(f, "10.89.0.0", 24, NULL, NULL, false);
	alloc(f, "10.89.0.0", 24, NULL, NULL, true);
	assert_int_equal(mc_ipam_nat_users(&f->ip), 2);
	reopen(f);
	assert_int_equal(mc_ipam_nat_users(&f->ip), 2);
	assert_int_equal(mc_ipam_free(&f->ip, A("10.89.0.2")), 0);
	assert_int_equal(mc_ipam_nat_users(&f->ip), 1);
}

static void test_bad_bridge(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mc_ipam_open(f->root, "../x", &f->ip), -1);
	assert_int_equal(mc_ipam_open(f->root, "", &f->ip), -1);
	assert_int_equal(mc_ipam_open(f->root, "abcdefghijklmnop", &f->ip),
			 -1);
}

static void default_is(const char *want)
{
	uint32_t subnet = 0;
	unsigned int prefix = 0;

	assert_int_equal(mc_ipam_default_subnet(&subnet, &prefix), 0);
	assert_int_equal(subnet, A(want));
	assert_int_equal(prefix, 24);
}

static void test_default_subnet(void **state)
{
	(void)state;
	new_netns();
	default_is("10.89.0.0");
	assert_int_equal(system("ip addr add 10.89.0.1/24 dev lo"), 0);
	default_is("10.89.1.0");
	/* A route alone takes a subnet too; the default route does not. */
	assert_int_equal(system("ip route add 10.89.1.128/25 dev lo"), 0);
	assert_int_equal(system("ip route add default dev lo"), 0);
	default_is("10.89.2.0");
	/* A wider address covers them all. */
	assert_int_equal(system("ip addr add 10.89.2.5/16 dev lo"), 0);
	assert_int_equal(mc_ipam_default_subnet(&(uint32_t){ 0 },
						&(unsigned int){ 0 }), -1);
}

static void lease_dir(const struct fixture *f, uint32_t addr, char *dir)
{
	assert_int_equal(mc_ipam_dir(&f->ip, addr, dir, PATH_MAX), 0);
}

static char *file_in(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return slurp(path);
}

static void test_netfiles_write(void **state)
{
	struct fixture *f = *state;
	const char *dns[] = { "192.0.2.53", "2001:db8::53" };
	struct mc_host_entry hosts[] = { { "gw.example", "192.0.2.1" },
					 { "v6.example", "2001:db8::1" } };
	struct mc_netfiles nf = {
		.hostname = "webhost", .name = "web", .dns = dns, .n_dns = 2,
		.hosts = hosts, .n_hosts = 2,
	};
	char dir[PATH_MAX];

	open_ip(f);
	nf.addr = alloc(f, "10.89.0.0", 24, NULL, "web", false);
	alloc(f, "10.89.0.0", 24, NULL, "db", false);
	/* No name: not listed. */
	alloc(f, "10.89.0.0", 24, NULL, NULL, false);
	lease_dir(f, nf.addr, dir);
	assert_int_equal(mc_netfiles_write(dir, &nf, &f->ip), 0);
	assert_string_equal(file_in(dir, "hostname"), "webhost\n");
	assert_string_equal(file_in(dir, "hosts"),
			    "127.0.0.1\tlocalhost\n"
			    "::1\tlocalhost ip6-localhost ip6-loopback\n"
			    "10.89.0.2\twebhost web\n"
			    "192.0.2.1\tgw.example\n"
			    "2001:db8::1\tv6.example\n"
			    "10.89.0.3\tdb\n");
	assert_string_equal(file_in(dir, "resolv.conf"),
			    "nameserver 192.0.2.53\nnameserver 2001:db8::53\n");

	/* Defaults: the name is the hostname; the host's nameservers. */
	nf = (struct mc_netfiles){ .name = "db", .addr = A("10.89.0.3") };
	lease_dir(f, nf.addr, dir);
	assert_int_equal(mc_netfiles_write(dir, &nf, &f->ip), 0);
	assert_string_equal(file_in(dir, "hostname"), "db\n");
	assert_non_null(strstr(file_in(dir, "hosts"), "\n10.89.0.3\tdb\n"
					"10.89.0.2\tweb\n"));
	assert_null(strstr(file_in(dir, "resolv.conf"), "nameserver 127."));

	/* Neither: the address. */
	nf = (struct mc_netfiles){ .addr = A("10.89.0.4") };
	lease_dir(f, nf.addr, dir);
	assert_int_equal(mc_netfiles_write(dir, &nf, NULL), 0);
	assert_string_equal(file_in(dir, "hostname"), "10.89.0.4\n");
}

static void resolv_is(const char *host, const char *want)
{
	char out[512];

	assert_int_equal(mc_netfiles_resolv(host, out, sizeof(out)),
			 (int)strlen(want));
	assert_string_equal(out, want);
}

#define NONE "# mcstatic: no nameserver: the host's are loopback " \
	     "addresses (or none), which this network cannot reach\n"

static void test_resolv_filter(void **state)
{
	char small[16];

	(void)state;
	resolv_is("nameserver 192.168.1.1\nnameserver 127.0.0.1\n"
		  "nameserver ::1\nnameserver 10.0.0.1",
		  "nameserver 192.168.1.1\nnameserver 10.0.0.1\n");
	/* systemd-resolved's stub: only search and options are left. */
	resolv_is("# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\n"
		  "search lan\n",
		  "# stub\noptions edns0 trust-ad\nsearch lan\n" NONE);
	resolv_is("", NONE);
	resolv_is("  nameserver\t127.1.2.3 # x\n\tnameserver  fe80::1%eth0\n",
		  "\tnameserver  fe80::1%eth0\n");
	resolv_is("nameserver ::ffff:127.0.0.1\nnameserver 0:0::1\n", NONE);
	resolv_is("nameservers 127.0.0.1\n", "nameservers 127.0.0.1\n" NONE);
	assert_int_equal(mc_netfiles_resolv("nameserver 192.168.100.100\n",
					    small, sizeof(small)), -1);
	assert_int_equal(mc_netfiles_resolv("", small, sizeof(small)), -1);
}

static ino_t inode(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &sb), 0);
	return sb.st_ino;
}

static void test_refresh_in_place(void **state)
{
	struct fixture *f = *state;
	struct mc_host_entry extra = { "gw.example", "192.0.2.1" };
	struct mc_netfiles web = { .name = "web", .hosts = &extra,
				   .n_hosts = 1 }, db = { .name = "db" };
	char wdir[PATH_MAX], ddir[PATH_MAX], cdir[PATH_MAX];
	ino_t before;
	uint32_t c;

	open_ip(f);
	web.addr = alloc(f, "10.89.0.0", 24, NULL, "web", false);
	lease_dir(f, web.addr, wdir);
	assert_int_equal(mc_netfiles_write(wdir, &web, &f->ip), 0);
	assert_null(strstr(file_in(wdir, "hosts"), "db"));
	before = inode(wdir, "hosts");

	db.addr = alloc(f, "10.89.0.0", 24, NULL, "db", false);
	lease_dir(f, db.addr, ddir);
	assert_int_equal(mc_netfiles_write(ddir, &db, &f->ip), 0);
	c = alloc(f, "10.89.0.0", 24, NULL, "nofiles", false);
	lease_dir(f, c, cdir);
	assert_int_equal(mc_netfiles_refresh_hosts(&f->ip), 0);

	assert_int_equal(inode(wdir, "hosts"), before);
	assert_string_equal(file_in(wdir, "hosts"),
			    "127.0.0.1\tlocalhost\n"
			    "::1\tlocalhost ip6-localhost ip6-loopback\n"
			    "10.89.0.2\tweb\n"
			    "192.0.2.1\tgw.example\n"
			    "10.89.0.3\tdb\n"
			    "10.89.0.4\tnofiles\n");
	assert_non_null(strstr(file_in(ddir, "hosts"), "\n10.89.0.3\tdb\n"
			       "10.89.0.2\tweb\n10.89.0.4\tnofiles\n"));
	assert_int_equal(access(cdir, F_OK), 0);
	assert_false(exists(f, BR "/10.89.0.4/hosts"));

	/* A peer gone: its line goes. */
	assert_int_equal(mc_ipam_free(&f->ip, db.addr), 0);
	assert_int_equal(mc_netfiles_refresh_hosts(&f->ip), 0);
	assert_null(strstr(file_in(wdir, "hosts"), "db"));
	assert_int_equal(inode(wdir, "hosts"), before);
}

static char *run(const char *cmd)
{
	static char buf[8192];
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_nat(void **state)
{
	const char *table;

	(void)state;
	new_netns();
	assert_int_equal(system("command -v nft >/dev/null || "
				"test -x /usr/sbin/nft"), 0);
	/* Off without a table: nothing to do. */
	assert_int_equal(mc_nat_set(A("10.89.0.0"), 24, false), 0);

	assert_int_equal(mc_nat_set(A("10.89.0.0"), 24, true), 0);
	table = run("nft list table ip mcstatic 2>&1");
	assert_non_null(strstr(table, "masquerade"));
	assert_non_null(strstr(table, "comment \"mcstatic 10.89.0.0/24\""));
	assert_non_null(strstr(table, "ip saddr 10.89.0.0/24 ip daddr != "
			       "10.89.0.0/24"));
	assert_string_equal(run("cat /proc/sys/net/ipv4/ip_forward"), "1\n");
	assert_int_equal(mc_nat_set(A("10.89.0.5"), 24, true), 0);
	assert_int_equal(count(run("nft list table ip mcstatic"),
			       "masquerade"), 1);

	/* Two subnets: one off leaves the other and the table. */
	assert_int_equal(mc_nat_set(A("10.89.1.0"), 24, true), 0);
	assert_int_equal(mc_nat_set(A("10.89.0.0"), 24, false), 0);
	table = run("nft list table ip mcstatic 2>&1");
	assert_int_equal(count(table, "masquerade"), 1);
	assert_non_null(strstr(table, "mcstatic 10.89.1.0/24"));
	assert_int_equal(mc_nat_set(A("10.89.1.0"), 24, false), 0);
	assert_null(strstr(run("nft list tables"), "mcstatic"));
	/* ip_forward is left as it was. */
	assert_string_equal(run("cat /proc/sys/net/ipv4/ip_forward"), "1\n");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Every test runs in a network namespace of the test's own. */
static int group_setup(void **state)
{
	(void)state;
	return unshare(CLONE_NEWNET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_lowest),
		T(test_alloc_errors),
		T(test_exhausted),
		T(test_stale_reclaimed),
		T(test_free_lease),
		T(test_nat_users),
		T(test_bad_bridge),
		cmocka_unit_test(test_default_subnet),
		T(test_netfiles_write),
		cmocka_unit_test(test_resolv_filter),
		T(test_refresh_in_place),
		cmocka_unit_test(test_nat),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
