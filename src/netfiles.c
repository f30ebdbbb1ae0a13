// SPDX-License-Identifier: MIT
/*
 * The files a container on a bridge gets as /etc/hostname, /etc/hosts and
 * /etc/resolv.conf, in its lease's directory.
 *
 * The hosts file names every other named lease, so it is rewritten when a
 * peer comes or goes (mc_netfiles_refresh_hosts).  Its own part comes from
 * the lease (address, hostname, name) and from DIR/hosts.extra: the
 * --add-host lines, written next to it by mc_netfiles_write, so a refresh
 * by another mcstatic process can put them back without knowing the flags.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "ipam.h"
#include "util.h"

/* The longest host resolv.conf or hosts.extra we read. */
#define TEXT_MAX 65536

/* A growing text; OOM is kept and reported once, at the end. */
struct text {
	char *p;
	size_t len, cap;
	bool oom;
};

static void add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		char *more;

		if (t->oom)
			return;
		va_start(ap, fmt);
		n = vsnprintf(t->p ? t->p + t->len : NULL, t->cap - t->len,
			      fmt, ap);
		va_end(ap);
		if (n < 0 || t->len + (size_t)n < t->cap)
			break;
		more = realloc(t->p, t->cap + (size_t)n + 256);
		if (!more) {
			t->oom = true;
			return;
		}
		t->p = more;
		t->cap += (size_t)n + 256;
	}
	if (n > 0)
		t->len += (size_t)n;
}

/*
 * In place (O_TRUNC, never a rename): the file may be bind-mounted into a
 * running container, which sees the inode, not the name.  Without CREATE a
 * missing file is left missing: 1.
 */
static int put_file(const char *dir, const char *name, const struct text *t,
		    bool create)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int flags = O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;

	if (t->oom)
		return mc_error(ENOMEM, "%s/%s", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags | (create ? O_CREAT : 0), 0644);
	if (fd < 0 && !create && errno == ENOENT)
		return 1;
	if (fd < 0 || mc_write_all(fd, t->p ? t->p : "", t->len) < 0)
		return mc_error(errno, "%s", path);
	return 0;
}

/* PATH's text (up to TEXT_MAX bytes), or "" when it is missing. */
static char *read_text(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = malloc(TEXT_MAX + 1);
	size_t len = 0;
	ssize_t n = 1;

	if (!buf)
		return NULL;
	while (fd >= 0 && len < TEXT_MAX && n > 0) {
		n = read(fd, buf + len, TEXT_MAX - len);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n > 0)
			len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* The hostname default: the given one, else the name, else the address. */
static const char *pick_hostname(const char *hostname, const char *name,
				 const char *addr)
{
	if (hostname && *hostname)
		return hostname;
	return name && *name ? name : addr;
}

/* The hosts file of ADDR: localhost, itself, EXTRA, the named peers. */
static void hosts_text(struct text *t, uint32_t addr, const char *hostname,
		       const char *name, const char *extra,
		       const struct mc_ipam *ip)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, a, sizeof(a));
	hostname = pick_hostname(hostname, name, a);
	add(t, "127.0.0.1\tlocalhost\n"
	       "::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (name && *name && strcmp(name, hostname))
		add(t, "%s\t%s %s\n", a, hostname, name);
	else
		add(t, "%s\t%s\n", a, hostname);
	add(t, "%s", extra);
	for (size_t i = 0; ip && i < ip->n; i++) {
		const struct mc_lease *l = &ip->leases[i];

		if (l->addr == addr || !*l->name)
			continue;
		inet_ntop(AF_INET, &l->addr, a, sizeof(a));
		add(t, "%s\t%s\n", a, l->name);
	}
}

/* A nameserver the container cannot reach: the host's own loopback. */
static bool loopback(const char *addr, size_t len)
{
	unsigned char a[16];
	char s[INET6_ADDRSTRLEN];

	if (len >= sizeof(s))
		return false;
	memcpy(s, addr, len);
	s[len] = '\0';
	if (inet_pton(AF_INET, s, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, s, a) != 1)
		return false;
	return IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a) ||
	       (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a) && a[12] == 127);
}

/* LINE (LEN bytes, no newline) is a nameserver line: 1 loopback, 0 not. */
static int nameserver(const char *line, size_t len, bool *is)
{
	const char *p = line, *end = line + len, *addr;

	*is = false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < 11 || strncmp(p, "nameserver", 10) ||
	    (p[10] != ' ' && p[10] != '\t'))
		return 0;
	*is = true;
	for (p += 10; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	for (addr = p; p < end && *p != ' ' && *p != '\t' && *p != '\r'; p++)
		;
	return loopback(addr, (size_t)(p - addr));
}

int mc_netfiles_resolv(const char *host_text, char *out, size_t size)
{
	const char *line = host_text, *nl;
	size_t len = 0, n;
	int kept = 0;
	bool is_ns;

	for (; *line; line = nl + (*nl == '\n')) {
		nl = strchrnul(line, '\n');
		n = (size_t)(nl - line);
		if (nameserver(line, n, &is_ns))
			continue;
		kept += is_ns;
		if (len + n + 1 >= size)
			return mc_error(ERANGE, "resolv.conf");
		memcpy(out + len, line, n);
		out[len + n] = '\n';
		len += n + 1;
	}
	if (!kept) {
		n = (size_t)snprintf(out + len, size - len,
			"# mcstatic: no nameserver: the host's are loopback "
			"addresses (or none), which this network cannot "
			"reach\n");
		if (len + n >= size)
			return mc_error(ERANGE, "resolv.conf");
		len += n;
	}
	out[len] = '\0';
	return (int)len;
}

static int resolv_text(struct text *t, const struct mc_netfiles *f)
{
	_cleanup_free_ char *host = NULL;
	int n;

	if (f->dns && f->n_dns) {
		for (size_t i = 0; i < f->n_dns; i++)
			add(t, "nameserver %s\n", f->dns[i]);
		return 0;
	}
	host = read_text("/etc/resolv.conf");
	t->cap = TEXT_MAX + 512;
	t->p = malloc(t->cap);
	if (!host || !t->p)
		return mc_error(ENOMEM, "resolv.conf");
	n = mc_netfiles_resolv(host, t->p, t->cap);
	if (n < 0)
		return -1;
	t->len = (size_t)n;
	return 0;
}

static void extra_text(struct text *t, const struct mc_netfiles *f)
{
	for (size_t i = 0; i < f->n_hosts; i++)
		add(t, "%s\t%s\n", f->hosts[i].addr, f->hosts[i].name);
}

int mc_netfiles_write(const char *dir, const struct mc_netfiles *f,
		      const struct mc_ipam *ip)
{
	struct text name = { 0 }, extra = { 0 }, hosts = { 0 }, resolv = { 0 };
	char a[INET_ADDRSTRLEN];
	int ret = -1;

	inet_ntop(AF_INET, &f->addr, a, sizeof(a));
	add(&name, "%s\n", pick_hostname(f->hostname, f->name, a));
	extra_text(&extra, f);
	hosts_text(&hosts, f->addr, f->hostname, f->name,
		   extra.p ? extra.p : "", ip);
	if (resolv_text(&resolv, f) == 0 &&
	    put_file(dir, "hostname", &name, true) == 0 &&
	    put_file(dir, "hosts.extra", &extra, true) == 0 &&
	    put_file(dir, "hosts", &hosts, true) == 0 &&
	    put_file(dir, "resolv.conf", &resolv, true) == 0)
		ret = 0;
	free(name.p);
	free(extra.p);
	free(hosts.p);
	free(resolv.p);
	return ret;
}

static int refresh_one(const struct mc_ipam *ip, const struct mc_lease *l)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	_cleanup_free_ char *extra = NULL;
	struct text hosts = { 0 };
	int ret;

	if (mc_ipam_dir(ip, l->addr, dir, sizeof(dir)) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/hosts.extra", dir);
	extra = read_text(path);
	if (!extra)
		return mc_error(ENOMEM, "%s", path);
	hosts_text(&hosts, l->addr, l->hostname, l->name, extra, ip);
	ret = put_file(dir, "hosts", &hosts, false);
	free(hosts.p);
	return ret < 0 ? -1 : 0;
}

int mc_netfiles_refresh_hosts(const struct mc_ipam *ip)
{
	int ret = 0;

	/* One bad directory does not keep the others stale. */
	for (size_t i = 0; i < ip->n; i++)
		if (refresh_one(ip, &ip->leases[i]) < 0)
			ret = -1;
	return ret;
}
