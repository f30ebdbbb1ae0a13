// SPDX-License-Identifier: MIT
/* Leases of addresses on a bridge, and a free private /24 for a new one. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "ipam.h"
#include "proc.h"
#include "util.h"

/* The files mcstatic makes in a lease's directory (netfiles.c). */
static const char *const lease_files[] = {
	"hosts", "hostname", "resolv.conf", "hosts.extra",
};

/* An error whose own text says it all, with an errno for the callers. */
static int plain_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int plain_error(int err, const char *fmt, ...)
{
	char text[MC_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	mc_error_set(err, text);
	return -1;
}

static uint32_t prefix_mask(unsigned int prefix)
{
	return prefix ? htonl(~0U << (32 - prefix)) : 0;
}

static void addr_text(uint32_t addr, char *buf)
{
	inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
}

static int mkdir_quiet(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* mkdir -p of PATH (absolute), each new directory MODE. */
static int mkdir_all(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return mc_error(ENAMETOOLONG, "directory %s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir_quiet(buf, mode) < 0)
			return mc_error(errno, "directory %s", buf);
		*p = '/';
	}
	if (mkdir_quiet(buf, mode) < 0)
		return mc_error(errno, "directory %s", buf);
	return 0;
}

int mc_ipam_dir(const struct mc_ipam *ip, uint32_t addr, char *buf,
		size_t size)
{
	char a[INET_ADDRSTRLEN];
	int n;

	addr_text(addr, a);
	n = snprintf(buf, size, "%s/%s/%s", ip->root, ip->bridge, a);
	if (n < 0 || (size_t)n >= size)
		return mc_error(ENAMETOOLONG, "lease directory of %s", a);
	return 0;
}

/* Only the files we make, then the directory: never a recursive walk that
 * could follow something a container put there. */
static void remove_lease_dir(const struct mc_ipam *ip, uint32_t addr)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	if (mc_ipam_dir(ip, addr, dir, sizeof(dir)) < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(lease_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lease_files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			mc_debug("[net] unlink %s: %s", path, strerror(errno));
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		mc_debug("[net] rmdir %s: %s", dir, strerror(errno));
}

/*
 * The owner is alive: its PID exists with the start time it had when it
 * took the lease (else the PID was recycled).  A zombie is gone too: it
 * will never free the lease.
 */
static bool owner_alive(const struct mc_lease *l)
{
	uint64_t start;
	char state;

	if (mc_proc_stat(l->owner, &state, &start) < 0)
		return false;
	return start == l->owner_start && state != 'Z' && state != 'X';
}

/* A name field: "-" for empty; no blanks (they separate the fields). */
static bool copy_name(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (!strcmp(src, "-"))
		src = "", len = 0;
	if (len >= size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

/* ADDR OWNER_PID OWNER_START NAT NAME HOSTNAME; false if malformed. */
static bool parse_lease(char *line, struct mc_lease *l)
{
	char *field[6], *save = NULL, *tok;
	const char *end;
	uint64_t v;
	int n = 0;

	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (n == 6)
			return false;
		field[n++] = tok;
	}
	if (n != 6 || inet_pton(AF_INET, field[0], &l->addr) != 1)
		return false;
	end = mc_scan_u64(field[1], &v);
	if (!end || *end || v == 0 || v > INT32_MAX)
		return false;
	l->owner = (pid_t)v;
	end = mc_scan_u64(field[2], &v);
	if (!end || *end)
		return false;
	l->owner_start = v;
	if (strcmp(field[3], "0") && strcmp(field[3], "1"))
		return false;
	l->nat = field[3][0] == '1';
	return copy_name(l->name, sizeof(l->name), field[4]) &&
	       copy_name(l->hostname, sizeof(l->hostname), field[5]);
}

static int add_lease(struct mc_ipam *ip, const struct mc_lease *l)
{
	struct mc_lease *more;

	more = realloc(ip->leases, (ip->n + 1) * sizeof(*more));
	if (!more)
		return mc_error(ENOMEM, "leases of bridge %s", ip->bridge);
	ip->leases = more;
	ip->leases[ip->n++] = *l;
	return 0;
}

static bool taken(const struct mc_ipam *ip, uint32_t addr)
{
	for (size_t i = 0; i < ip->n; i++)
		if (ip->leases[i].addr == addr)
			return true;
	return false;
}

/*
 * Keep the live, well-formed, first lease of each address; *DROPPED says
 * something was left out (so the file is rewritten).
 */
static int read_leases(struct mc_ipam *ip, FILE *f, bool *dropped)
{
	_cleanup_free_ char *line = NULL;
	struct mc_lease l;
	size_t cap = 0;

	while (getline(&line, &cap, f) >= 0) {
		memset(&l, 0, sizeof(l));
		if (!parse_lease(line, &l) || taken(ip, l.addr)) {
			*dropped = true;
			continue;
		}
		if (!owner_alive(&l)) {
			mc_debug("[net] bridge %s: reclaiming the lease of "
				 "process %d", ip->bridge, (int)l.owner);
			remove_lease_dir(ip, l.addr);
			ip->reclaimed = true;
			ip->stale_nat |= l.nat;
			*dropped = true;
			continue;
		}
		if (add_lease(ip, &l) < 0)
			return -1;
	}
	if (ferror(f))
		return mc_error(errno, "leases file");
	return 0;
}

static int write_leases_to(const struct mc_ipam *ip, int fd)
{
	char a[INET_ADDRSTRLEN], line[320];

	for (size_t i = 0; i < ip->n; i++) {
		const struct mc_lease *l = &ip->leases[i];
		int n;

		addr_text(l->addr, a);
		n = snprintf(line, sizeof(line), "%s %d %llu %d %s %s\n", a,
			     (int)l->owner, l->owner_start, l->nat ? 1 : 0,
			     *l->name ? l->name : "-",
			     *l->hostname ? l->hostname : "-");
		if (mc_write_all(fd, line, (size_t)n) < 0)
			return -1;
	}
	return fsync(fd);
}

/* A temporary file renamed over the old: a reader never sees half. */
static int write_leases(const struct mc_ipam *ip)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s.leases", ip->root, ip->bridge);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return mc_error(errno, "leases file %s", tmp);
	err = write_leases_to(ip, fd) < 0 ? errno : 0;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return mc_error(err, "leases file %s", path);
	}
	return 0;
}

static bool bridge_name_ok(const char *bridge)
{
	size_t len = strlen(bridge);

	return len > 0 && len < sizeof(((struct mc_ipam *)0)->bridge) &&
	       !strchr(bridge, '/') && strcmp(bridge, ".") &&
	       strcmp(bridge, "..");
}

/*
 * The lock is a file of its own, <bridge>.lock: the leases file is
 * replaced by rename(2), and a lock on it would stay with the old inode
 * while the next process locks the new one.
 */
static int lock_bridge(struct mc_ipam *ip)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s.lock", ip->root, ip->bridge);
	ip->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (ip->lock_fd < 0)
		return mc_error(errno, "%s", path);
	while (flock(ip->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return mc_error(errno, "lock %s", path);
	}
	return 0;
}

static int load(struct mc_ipam *ip)
{
	char path[PATH_MAX + 32];
	bool dropped = false;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.leases", ip->root, ip->bridge);
	f = fopen(path, "re");
	if (!f && errno == ENOENT)
		return 0;
	if (!f)
		return mc_error(errno, "leases file %s", path);
	ret = read_leases(ip, f, &dropped);
	fclose(f);
	if (ret < 0 || !dropped)
		return ret;
	return write_leases(ip);
}

int mc_ipam_open(const char *state_root, const char *bridge,
		 struct mc_ipam *ip)
{
	int n;

	memset(ip, 0, sizeof(*ip));
	ip->lock_fd = -1;
	if (!bridge_name_ok(bridge))
		return plain_error(EINVAL, "bridge %s: not a name for a leases "
				   "file", bridge);
	strcpy(ip->bridge, bridge);
	n = snprintf(ip->root, sizeof(ip->root), "%s/" MC_NET_DIR, state_root);
	if (n < 0 || (size_t)n >= sizeof(ip->root) - 32)
		return mc_error(ENAMETOOLONG, "state root %s", state_root);
	if (mkdir_all(ip->root, 0700) < 0 || lock_bridge(ip) < 0 ||
	    load(ip) < 0) {
		mc_error_context("bridge %s", bridge);
		mc_ipam_close(ip);
		return -1;
	}
	return 0;
}

void mc_ipam_close(struct mc_ipam *ip)
{
	free(ip->leases);
	ip->leases = NULL;
	ip->n = 0;
	if (ip->lock_fd >= 0)
		close(ip->lock_fd);	/* drops the flock */
	ip->lock_fd = -1;
}

size_t mc_ipam_nat_users(const struct mc_ipam *ip)
{
	size_t n = 0;

	for (size_t i = 0; i < ip->n; i++)
		n += ip->leases[i].nat;
	return n;
}

/* WANT is a host address of the subnet, not the gateway, and free. */
static int check_want(const struct mc_ipam *ip, uint32_t net,
		      unsigned int prefix, uint32_t want)
{
	uint32_t mask = prefix_mask(prefix);
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	const char *b = ip->bridge;

	addr_text(want, a);
	addr_text(net, n);
	if ((want & mask) != net)
		return plain_error(EADDRNOTAVAIL, "address %s: outside the subnet "
			   "%s/%u of bridge %s", a, n, prefix, b);
	if (want == net)
		return plain_error(EADDRNOTAVAIL, "address %s: the network address "
			   "of bridge %s", a, b);
	if (want == (net | ~mask))
		return plain_error(EADDRNOTAVAIL, "address %s: the broadcast address "
			   "of bridge %s", a, b);
	if (ntohl(want) == ntohl(net) + 1)
		return plain_error(EADDRNOTAVAIL, "address %s: the gateway of bridge "
			   "%s", a, b);
	if (taken(ip, want))
		return plain_error(EADDRINUSE, "address %s: in use on bridge %s", a, b);
	return 0;
}

/* The lowest free host address: network+2 .. broadcast-1. */
static int lowest_free(const struct mc_ipam *ip, uint32_t net,
		       unsigned int prefix, uint32_t *out)
{
	uint32_t first = ntohl(net) + 2;
	uint32_t last = ntohl(net | ~prefix_mask(prefix)) - 1;
	char n[INET_ADDRSTRLEN];

	for (uint32_t h = first; h <= last && h >= first; h++) {
		if (!taken(ip, htonl(h))) {
			*out = htonl(h);
			return 0;
		}
	}
	addr_text(net, n);
	return plain_error(ENOSPC, "bridge %s: no free address in %s/%u", ip->bridge,
		   n, prefix);
}

static int fill_lease(struct mc_lease *l, const struct mc_lease *req)
{
	uint64_t start;

	if (req) {
		memcpy(l->name, req->name, sizeof(l->name));
		memcpy(l->hostname, req->hostname, sizeof(l->hostname));
		l->name[sizeof(l->name) - 1] = '\0';
		l->hostname[sizeof(l->hostname) - 1] = '\0';
		l->nat = req->nat;
		/* Blanks would split the line of the leases file. */
		if (strpbrk(l->name, " \t\n") || strpbrk(l->hostname, " \t\n"))
			return plain_error(EINVAL, "name %s: a blank, which a "
					   "lease cannot hold", l->name);
	}
	l->owner = getpid();
	if (mc_proc_start_time(l->owner, &start) < 0)
		return -1;
	l->owner_start = start;
	return 0;
}

int mc_ipam_alloc(struct mc_ipam *ip, uint32_t subnet, unsigned int prefix,
		  uint32_t want, const struct mc_lease *req,
		  struct mc_lease *out)
{
	struct mc_lease l = { 0 };
	char dir[PATH_MAX], n[INET_ADDRSTRLEN];
	uint32_t net = subnet & prefix_mask(prefix);

	if (prefix > 30) {
		addr_text(net, n);
		return plain_error(ENOSPC, "bridge %s: no host addresses in %s/%u",
			   ip->bridge, n, prefix);
	}
	if (want ? check_want(ip, net, prefix, want) < 0 :
		   lowest_free(ip, net, prefix, &want) < 0)
		return -1;
	if (fill_lease(&l, req) < 0)
		return -1;
	l.addr = want;
	if (mc_ipam_dir(ip, want, dir, sizeof(dir)) < 0 ||
	    mkdir_all(dir, 0700) < 0)
		return -1;
	if (add_lease(ip, &l) < 0)
		goto fail;
	if (write_leases(ip) < 0) {
		ip->n--;
		goto fail;
	}
	if (out)
		*out = l;
	return 0;
fail:
	remove_lease_dir(ip, want);
	return -1;
}

int mc_ipam_free(struct mc_ipam *ip, uint32_t addr)
{
	char a[INET_ADDRSTRLEN];
	pid_t me = getpid();
	size_t i;

	for (i = 0; i < ip->n; i++)
		if (ip->leases[i].addr == addr && ip->leases[i].owner == me)
			break;
	if (i == ip->n) {
		addr_text(addr, a);
		return plain_error(ENOENT, "address %s: not leased by us on bridge %s",
			   a, ip->bridge);
	}
	memmove(&ip->leases[i], &ip->leases[i + 1],
		(ip->n - i - 1) * sizeof(*ip->leases));
	ip->n--;
	remove_lease_dir(ip, addr);
	return write_leases(ip);
}

/* A/PA and B/PB share an address: they agree on the shorter prefix. */
static bool overlaps(uint32_t a, unsigned int pa, uint32_t b, unsigned int pb)
{
	uint32_t mask = prefix_mask(pa < pb ? pa : pb);

	return (a & mask) == (b & mask);
}

static unsigned int mask_prefix(uint32_t mask)
{
	return (unsigned int)__builtin_popcount(mask);
}

/*
 * /proc/net/route prints Destination and Mask as the hex of the __be32
 * (network order as it lies in memory): read back as a number it is the
 * same uint32 we hold.  The default route (mask 0) overlaps everything and
 * is left out: a bridge's own route is more specific and wins.
 */
static bool route_overlaps(FILE *f, uint32_t net, unsigned int prefix)
{
	char line[256];
	unsigned int dst, gw, flags, refcnt, use, metric, mask;

	if (!fgets(line, sizeof(line), f))	/* the header */
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %x %x %x %u %u %u %x", &dst, &gw, &flags,
			   &refcnt, &use, &metric, &mask) != 7 || !mask)
			continue;
		if (overlaps(dst, mask_prefix(mask), net, prefix))
			return true;
	}
	return false;
}

static bool link_overlaps(const struct ifaddrs *ifa, uint32_t net,
			  unsigned int prefix)
{
	for (; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr_in *a = (void *)ifa->ifa_addr;
		const struct sockaddr_in *m = (void *)ifa->ifa_netmask;
		unsigned int p = 32;

		if (!a || a->sin_family != AF_INET)
			continue;
		if (m && m->sin_family == AF_INET)
			p = mask_prefix(m->sin_addr.s_addr);
		if (overlaps(a->sin_addr.s_addr, p, net, prefix))
			return true;
	}
	return false;
}

int mc_ipam_default_subnet(uint32_t *subnet, unsigned int *prefix)
{
	struct ifaddrs *ifa = NULL;
	FILE *routes;
	bool used = true;
	uint32_t net = 0;

	if (getifaddrs(&ifa) < 0)
		return mc_error(errno, "addresses of the links");
	routes = fopen("/proc/net/route", "re");
	if (!routes) {
		freeifaddrs(ifa);
		return mc_error(errno, "/proc/net/route");
	}
	for (unsigned int n = 0; n < 256 && used; n++) {
		net = htonl(0x0a590000U | n << 8);	/* 10.89.N.0 */
		rewind(routes);
		used = route_overlaps(routes, net, 24) ||
		       link_overlaps(ifa, net, 24);
	}
	fclose(routes);
	freeifaddrs(ifa);
	if (used)
		return plain_error(EADDRNOTAVAIL, "no free subnet: 10.89.0.0/24 to "
			   "10.89.255.0/24 all overlap a route or an address");
	*subnet = net;
	*prefix = 24;
	return 0;
}
