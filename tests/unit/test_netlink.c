// SPDX-License-Identifier: MIT
/*
 * rtnetlink: the builder's bytes, then (as root) the requests against the
 * kernel, in two network namespaces of our own: A (where the test runs)
 * and B (a container's).  The host's network is never touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "netlink.h"

/* The kernel's numbers, written out again so the test checks the module's. */
enum {
	T_RTM_NEWLINK = 16,
	T_NLM_F_REQUEST = 0x01,
	T_NLM_F_CREATE = 0x400,
	T_IFLA_IFNAME = 3,
	T_IFLA_MTU = 4,
	T_IFLA_LINKINFO = 18,
	T_IFLA_INFO_KIND = 1,
};

static const uint8_t *bytes(const struct mc_nlmsg *m)
{
	return (const uint8_t *)m->buf;
}

static void test_builder_nested(void **state)
{
	/* struct ifinfomsg with ifi_index 7 */
	const uint8_t ifi[16] = { [4] = 7 };
	const uint8_t want[] = {
		64, 0, 0, 0,  T_RTM_NEWLINK, 0,  0x01, 0x04,
		0, 0, 0, 0,  0, 0, 0, 0,	/* seq (not compared), pid */
		0, 0, 0, 0,  7, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,
		7, 0, T_IFLA_IFNAME, 0,  'a', 'b', 0, 0,	/* padded */
		16, 0, T_IFLA_LINKINFO, 0,	/* the nest: 4 + 12 */
		9, 0, T_IFLA_INFO_KIND, 0,  'v', 'e', 't', 'h',  0, 0, 0, 0,
		8, 0, T_IFLA_MTU, 0,  0x78, 0x05, 0, 0,		/* 1400 */
	};
	struct mc_nlmsg m;
	uint32_t seq;

	(void)state;
	mc_nl_init(&m, T_RTM_NEWLINK, T_NLM_F_CREATE, ifi, sizeof(ifi));
	assert_int_equal(m.len, 32);
	mc_nl_put_str(&m, T_IFLA_IFNAME, "ab");
	mc_nl_nest_begin(&m, T_IFLA_LINKINFO);
	mc_nl_put_str(&m, T_IFLA_INFO_KIND, "veth");
	mc_nl_nest_end(&m);
	mc_nl_put_u32(&m, T_IFLA_MTU, 1400);
	assert_false(m.overflow);
	assert_int_equal(m.depth, 0);
	assert_int_equal(m.len, sizeof(want));
	assert_memory_equal(bytes(&m), want, 8);
	assert_memory_equal(bytes(&m) + 12, want + 12, sizeof(want) - 12);
	assert_int_equal(bytes(&m)[6] & T_NLM_F_REQUEST, T_NLM_F_REQUEST);

	/* Every message has a sequence number of its own. */
	memcpy(&seq, bytes(&m) + 8, sizeof(seq));
	mc_nl_init(&m, T_RTM_NEWLINK, 0, NULL, 0);
	assert_int_not_equal(*(const uint32_t *)(bytes(&m) + 8), seq);
	assert_int_equal(m.len, 16);
}

static void test_builder_nest_with_header(void **state)
{
	const uint8_t ifi[16] = { 0 };
	struct mc_nlmsg m;

	(void)state;
	mc_nl_init(&m, T_RTM_NEWLINK, 0, ifi, sizeof(ifi));
	mc_nl_nest_begin(&m, 2);
	mc_nl_nest_begin_hdr(&m, 1, ifi, sizeof(ifi));
	mc_nl_put_str(&m, T_IFLA_IFNAME, "eth0");	/* 4 + 5 -> 12 */
	mc_nl_nest_end(&m);
	mc_nl_nest_end(&m);
	assert_false(m.overflow);
	assert_int_equal(m.len, 32 + 4 + 4 + 16 + 12);
	/* The outer nest: 4 + (4 + 16 + 12); the inner: 4 + 16 + 12. */
	assert_int_equal(bytes(&m)[32], 36);
	assert_int_equal(bytes(&m)[36], 32);
	assert_int_equal(bytes(&m)[36 + 4 + 16 + 2], T_IFLA_IFNAME);
}

static void test_builder_overflow(void **state)
{
	static const uint8_t big[MC_NL_BUF];
	struct mc_nlmsg m;
	size_t len;
	int i;

	(void)state;
	mc_nl_init(&m, T_RTM_NEWLINK, 0, NULL, 0);
	mc_nl_put(&m, 1, big, sizeof(big));
	assert_true(m.overflow);
	assert_int_equal(m.len, 16);
	assert_int_equal(mc_nl_request(-1, &m), -1);
	assert_int_equal(errno, EMSGSIZE);

	mc_nl_init(&m, T_RTM_NEWLINK, 0, NULL, 0);
	for (i = 0; i < 100 && !m.overflow; i++) {
		len = m.len;
		mc_nl_put(&m, 1, big, 100);
	}
	assert_true(m.overflow);
	assert_int_equal(m.len, len);	/* the one that did not fit: none of it */
	assert_true(m.len <= MC_NL_BUF);
	mc_nl_put_u32(&m, 2, 1);	/* stays refused */
	assert_int_equal(m.len, len);

	/* Too deep, and unbalanced, are refused too. */
	mc_nl_init(&m, T_RTM_NEWLINK, 0, NULL, 0);
	for (i = 0; i < 9; i++)
		mc_nl_nest_begin(&m, 1);
	assert_true(m.overflow);
	mc_nl_init(&m, T_RTM_NEWLINK, 0, NULL, 0);
	mc_nl_nest_begin(&m, 1);
	assert_false(m.overflow);
	assert_int_equal(mc_nl_request(-1, &m), -1);
	assert_int_equal(errno, EMSGSIZE);
	mc_nl_init(&m, T_RTM_NEWLINK, 0, NULL, 0);
	mc_nl_nest_end(&m);
	assert_true(m.overflow);
}

/* The live part: namespaces A and B, a socket in each. */
static struct {
	bool ok;
	int ns_a, ns_b, nl_a, nl_b;
	int bridge, veth, eth0;
} live = { .ns_a = -1, .ns_b = -1, .nl_a = -1, .nl_b = -1 };

static uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return htonl((uint32_t)a << 24 | (uint32_t)b << 16 | c << 8 | d);
}

static int live_setup(void **state)
{
	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return 0;	/* the live tests skip */
	live.ns_a = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (live.ns_a < 0 || unshare(CLONE_NEWNET) < 0)
		return -1;
	live.ns_b = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (live.ns_b < 0 || setns(live.ns_a, CLONE_NEWNET) < 0)
		return -1;
	live.nl_a = mc_nl_open(-1);
	if (live.nl_a < 0)
		return -1;
	live.ok = true;
	return 0;
}

static int live_teardown(void **state)
{
	(void)state;
	if (live.nl_b >= 0)
		close(live.nl_b);
	if (live.nl_a >= 0)
		close(live.nl_a);
	if (live.ns_b >= 0)
		close(live.ns_b);	/* B goes with its last reference */
	if (live.ns_a >= 0)
		close(live.ns_a);
	return 0;
}

#define NEED_LIVE()				\
	do {					\
		(void)state;			\
		if (!live.ok)			\
			skip();			\
	} while (0)

static void test_link_missing(void **state)
{
	NEED_LIVE();
	mc_error(0, "untouched");
	assert_int_equal(mc_nl_link_get(live.nl_a, "mctnope0", NULL), -1);
	assert_int_equal(errno, ENODEV);
	assert_string_equal(mc_error_text(), "untouched");
}

static void test_bridge(void **state)
{
	unsigned int mtu = 0;

	NEED_LIVE();
	assert_int_equal(mc_nl_bridge_add(live.nl_a, "mctbr0"), 0);
	live.bridge = mc_nl_link_get(live.nl_a, "mctbr0", &mtu);
	assert_true(live.bridge >= 1);
	assert_int_equal(mtu, 1500);
	assert_int_equal(mc_nl_bridge_add(live.nl_a, "mctbr0"), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(mc_error_text(), "bridge mctbr0: create: File exists");
}

static void test_address(void **state)
{
	uint32_t addr = 0;
	unsigned int prefix = 0;

	NEED_LIVE();
	assert_int_equal(mc_nl_addr_add(live.nl_a, live.bridge,
					ip(10, 89, 7, 1), 24), 0);
	assert_int_equal(mc_nl_addr_get(live.nl_a, live.bridge, &addr,
					&prefix), 0);
	assert_int_equal(addr, ip(10, 89, 7, 1));
	assert_int_equal(prefix, 24);
	assert_int_equal(mc_nl_link_up(live.nl_a, live.bridge), 0);

	assert_int_equal(mc_nl_addr_add(live.nl_a, live.bridge,
					ip(10, 89, 7, 1), 24), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(mc_error_text(), "address 10.89.7.1/24: File exists");
	assert_int_equal(mc_nl_addr_add(live.nl_a, live.bridge,
					ip(10, 89, 7, 1), 33), -1);
	assert_int_equal(errno, EINVAL);

	mc_error(0, "untouched");
	assert_int_equal(mc_nl_addr_get(live.nl_a, 99999, &addr, &prefix), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(mc_error_text(), "untouched");
}

static bool same_netns(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/proc/thread-self/ns/net", &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void test_veth(void **state)
{
	unsigned int mtu = 0;

	NEED_LIVE();
	assert_int_equal(mc_nl_veth_add(live.nl_a, "mctv0", "eth0", live.ns_b,
					1400), 0);
	live.veth = mc_nl_link_get(live.nl_a, "mctv0", &mtu);
	assert_true(live.veth >= 1);
	assert_int_equal(mtu, 1400);
	/* The peer is not here: it was born in B. */
	assert_int_equal(mc_nl_link_get(live.nl_a, "eth0", NULL), -1);
	assert_int_equal(errno, ENODEV);

	live.nl_b = mc_nl_open(live.ns_b);
	assert_true(live.nl_b >= 0);
	assert_true(same_netns(live.ns_a));	/* and we came back */
	mtu = 0;
	live.eth0 = mc_nl_link_get(live.nl_b, "eth0", &mtu);
	assert_true(live.eth0 >= 1);
	assert_int_equal(mtu, 1400);

	assert_int_equal(mc_nl_link_set_master(live.nl_a, live.veth,
					       live.bridge), 0);
	assert_int_equal(mc_nl_link_up(live.nl_a, live.veth), 0);
	assert_int_equal(mc_nl_veth_add(live.nl_a, "mctv0", "eth1", -1, 0), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(mc_error_text(), "veth mctv0: create: File exists");
}

static void test_container_side(void **state)
{
	uint32_t addr = 0;
	unsigned int prefix = 0;

	NEED_LIVE();
	assert_int_equal(mc_nl_addr_add(live.nl_b, live.eth0,
					ip(10, 89, 7, 2), 24), 0);
	assert_int_equal(mc_nl_link_up(live.nl_b, live.eth0), 0);
	assert_int_equal(mc_nl_route_default(live.nl_b, live.eth0,
					     ip(10, 89, 7, 1)), 0);
	assert_int_equal(mc_nl_addr_get(live.nl_b, live.eth0, &addr,
					&prefix), 0);
	assert_int_equal(addr, ip(10, 89, 7, 2));
	assert_int_equal(mc_nl_route_default(live.nl_b, live.eth0,
					     ip(10, 89, 7, 1)), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(mc_error_text(),
			    "default route via 10.89.7.1: File exists");
}

static void test_link_del(void **state)
{
	char want[64];

	NEED_LIVE();
	assert_int_equal(mc_nl_link_del(live.nl_a, live.veth), 0);
	assert_int_equal(mc_nl_link_get(live.nl_b, "eth0", NULL), -1);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(mc_nl_link_del(live.nl_a, live.veth), -1);
	assert_int_equal(errno, ENODEV);
	snprintf(want, sizeof(want), "link %d: delete: No such device",
		 live.veth);
	assert_string_equal(mc_error_text(), want);
	assert_int_equal(mc_nl_link_up(live.nl_a, live.veth), -1);
	assert_int_equal(errno, ENODEV);
}

static void test_open_errors(void **state)
{
	int fd;

	NEED_LIVE();
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(mc_nl_open(fd), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(mc_error_text(),
			    "network namespace: enter: Invalid argument");
	close(fd);
	assert_true(same_netns(live.ns_a));
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_builder_nested),
		cmocka_unit_test(test_builder_nest_with_header),
		cmocka_unit_test(test_builder_overflow),
	};
	/* In order: each step builds on the one before. */
	const struct CMUnitTest kernel[] = {
		cmocka_unit_test(test_link_missing),
		cmocka_unit_test(test_bridge),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_veth),
		cmocka_unit_test(test_container_side),
		cmocka_unit_test(test_link_del),
		cmocka_unit_test(test_open_errors),
	};
	int failed = cmocka_run_group_tests(pure, NULL, NULL);

	return failed + cmocka_run_group_tests(kernel, live_setup,
					       live_teardown);
}
