// SPDX-License-Identifier: MIT
/*
 * The pure helpers of cgroups.h: shares and weight, sizes, the names and
 * paths of cgroups.  No file is read or written here.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-priv.h"
#include "error.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Pure helpers                                                        */
/* ------------------------------------------------------------------ */

#define LN2 0.69314718055994530942
#define LN10 2.30258509299404568402

/*
 * ln(X) for X in [1, 2): 2 atanh(z), z = (X - 1) / (X + 1) <= 1/3, so the
 * series in z² is exact to the last bit long before 20 terms.  libm's log2
 * and pow would cost 12 KiB of tables in the static binary.
 */
static double ln_1_2(double x)
{
	double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;

	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return 2 * sum;
}

/* e^X for X in [0, ln 10): Taylor, every term positive. */
static double exp_0_ln10(double x)
{
	double term = 1, sum = 1;

	for (int k = 1; k < 30; k++) {
		term *= x / k;
		sum += term;
	}
	return sum;
}

/*
 * crun's and runc's (1.3) quadratic in log2(shares), which maps 2 → 1,
 * 1024 (v1's default) → 100 (v2's default) and 262144 → 10000:
 * weight = ceil(10^((l² + 125 l) / 612 - 7/34)), l = log2(shares).
 * The same double operations as theirs; the exponent is computed exactly
 * as they do, and a power of two gives an exact l, so 1024 is exactly 100.
 * The unit test checks every shares value against libm's log2 and pow.
 */
uint64_t mc_cgroup_shares_to_weight(uint64_t shares)
{
	static const double pow10[] = { 1, 10, 100, 1000, 10000 };
	int k, n;
	double l, e, w;
	uint64_t up;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	k = 63 - __builtin_clzll(shares);
	l = k + ln_1_2((double)shares / (double)(1ULL << k)) / LN2;
	e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	n = (int)e;	/* 0 <= e < 4 */
	w = pow10[n] * exp_0_ln10((e - n) * LN10);
	up = (uint64_t)w;
	return up + (up < w);
}

/*
 * The inverse: the most shares that still map to WEIGHT.  The mapping
 * rises by at most 1 per share, so every weight has shares, weight →
 * shares → weight gives it back, and 100 is 1024 (the smallest shares
 * with that weight would be 1012).  A binary search, no closed form: it
 * stays the exact inverse of the function above.
 */
uint64_t mc_cgroup_weight_to_shares(uint64_t weight)
{
	uint64_t lo = 2, hi = 262144;

	if (weight == 0)
		return 0;
	/* Invariant: weight(lo) <= WEIGHT; weight(hi + 1) > WEIGHT. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (mc_cgroup_shares_to_weight(mid) <= weight)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* PART (N bytes) after BUF's LEN bytes; WHAT names the input in an error. */
static int append_part(char *buf, size_t size, size_t *len, const char *part,
		       size_t n, const char *what)
{
	if ((n == 1 && part[0] == '.') ||
	    (n == 2 && part[0] == '.' && part[1] == '.'))
		return mc_error(0, "%s: '%.*s' is not allowed", what, (int)n,
				part);
	if (*len + n + 2 > size)
		return mc_error(ENAMETOOLONG, "%s", what);
	if (*len)
		buf[(*len)++] = '/';
	memcpy(buf + *len, part, n);
	*len += n;
	buf[*len] = '\0';
	return 0;
}

/* Empty parts ("/a//b/") are skipped, as the kernel's lookup would. */
static int append_parts(char *buf, size_t size, size_t *len, const char *s,
			const char *what)
{
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "/");

		if (n && append_part(buf, size, len, p, n, what) < 0)
			return -1;
		p += n + (p[n] == '/');
	}
	return 0;
}
void mc_cgroup_own_name(char *buf, size_t size, pid_t pid, uint64_t start)
{
	snprintf(buf, size, MC_CGROUP_MARKER "%d-%" PRIu64, (int)pid, start);
}

bool mc_cgroup_parse_own_name(const char *name, pid_t *pid, uint64_t *start)
{
	size_t n = strlen(MC_CGROUP_MARKER);
	const char *p;
	uint64_t v;

	if (strncmp(name, MC_CGROUP_MARKER, n))
		return false;
	p = mc_scan_u64(name + n, &v);
	if (!p || *p != '-' || v == 0 || v > INT_MAX)
		return false;
	*pid = (pid_t)v;
	p = mc_scan_u64(p + 1, start);
	return p && !*p;
}

int mc_cgroup_path(char *buf, size_t size, const char *parent,
		   const char *name, pid_t pid, uint64_t start)
{
	char own[48];
	size_t len = 0;
	uint64_t own_start;
	pid_t own_pid;

	buf[0] = '\0';
	if (!parent)
		parent = MC_CGROUP_PARENT;
	if (append_parts(buf, size, &len, parent, "cgroup path") < 0)
		return -1;
	if (!name) {
		mc_cgroup_own_name(own, sizeof(own), pid, start);
		name = own;
	} else if (mc_cgroup_parse_own_name(name, &own_pid, &own_start)) {
		/* Another mcstatic would take it for a leftover of its own. */
		return mc_error(0, "cgroup name '%s': names of the form "
				MC_CGROUP_MARKER "<pid>-<start> are mcstatic's own",
				name);
	}
	if (!*name || strchr(name, '/'))
		return mc_error(0, "cgroup name '%s': expected one path component",
				name);
	return append_part(buf, size, &len, name, strlen(name), "cgroup path");
}


/* "machine.slice:libpod:abc": systemd's slice:prefix:name form. */
bool cg_systemd_form(const char *path)
{
	const char *colon = strchr(path, ':');

	return colon && (colon = strchr(colon + 1, ':')) && !strchr(colon + 1, ':');
}

int mc_cgroup_resolve_path(const char *cgroups_path, const char *own_cgroup,
			   char *buf, size_t size)
{
	char what[PATH_MAX / 2 + 16];
	size_t len = 0;

	snprintf(what, sizeof(what), "cgroupsPath %s", cgroups_path);
	buf[0] = '\0';
	if (cg_systemd_form(cgroups_path))
		return mc_error(0, "%s: systemd cgroups are not supported (use "
				"cgroupfs)", what);
	if (cgroups_path[0] != '/') {
		/* "/../.." is what the kernel shows outside our cgroup namespace */
		if (own_cgroup[0] != '/' ||
		    append_parts(buf, size, &len, own_cgroup, what) < 0)
			return mc_error(0, "%s: mcstatic's own cgroup %s is outside "
					"its cgroup namespace", what, own_cgroup);
	}
	if (append_parts(buf, size, &len, cgroups_path, what) < 0)
		return -1;
	if (!len)
		return mc_error(0, "%s: the root cgroup cannot be a container's",
				what);
	return 0;
}
