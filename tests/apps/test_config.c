/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * libxchg_config's API, as xchg-testpmd and xchg-replay use it: loading
 * the shipped files, the sizing figures and their message, building a
 * set-up (arena, port, stack, sockets, proxy, capture) on net_null and
 * tearing it down, a device the EAL already has, and an unknown vdev
 * refused with nothing left behind.
 *
 * Usage: test_config CONFIG_DIR
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <arpa/inet.h>

#include <rte_ethdev.h>

#include "xchg_config.h"
#include "xchg_stack_private.h"
#include "xchg_test.h"
#include "xt_frames.h"

static const char *config_dir;
static char tmpdir[] = "/tmp/xchg-config-XXXXXX";

static struct xchg_config *
load(const char *name)
{
	char path[512], err[XCHG_CONFIG_ERR_SIZE];
	struct xchg_config *cfg;

	snprintf(path, sizeof(path), "%s/%s", config_dir, name);
	cfg = xchg_config_load(path, err, sizeof(err));
	XT_CHECK(cfg != NULL, "%s: %s", name, err);
	return cfg;
}

static struct xchg_config *
load_text(const char *text, char *err, size_t errlen)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/t.ini", tmpdir);
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return xchg_config_load(path, err, errlen);
}

static void
test_default(void)
{
	struct xchg_config *cfg = load("default.ini");
	struct in_addr a;

	if (cfg == NULL)
		return;
	XT_EQ(cfg->arena.buffers, 4096);
	XT_EQ(cfg->arena.lcore_cache, 64);
	XT_EQ(cfg->arena.data_room, RTE_MBUF_DEFAULT_BUF_SIZE);
	XT_CHECK(strcmp(cfg->arena.name, "arena0") == 0, "arena name");
	XT_EQ(cfg->nb_ports, 1);
	XT_CHECK(strcmp(cfg->ports[0].vdev, "net_null0") == 0, "vdev");
	inet_pton(AF_INET, "192.0.2.1", &a);
	XT_CHECK(cfg->ports[0].has_ip && cfg->ports[0].ip == a.s_addr &&
		 cfg->ports[0].prefix_len == 24, "ip");
	XT_EQ(cfg->ports[0].rx_queues, 1);
	XT_EQ(cfg->ports[0].rx_slack, 64);
	XT_EQ(cfg->ports[0].tx_slack, 32);
	XT_EQ(cfg->nb_sockets, 2);
	XT_EQ(xchg_config_socket_index(cfg, "bulk"), 1);
	XT_EQ(cfg->sockets[0].priority, XCHG_PRIO_CRITICAL);
	XT_EQ(cfg->sockets[0].udp_port, 5000);
	XT_EQ(cfg->sockets[1].quota, 1024);
	XT_EQ(cfg->arp_quota, 16);
	XT_EQ(cfg->icmp_quota, 8);
	XT_EQ(cfg->behaviour[1], XCHG_BEHAVIOUR_NORMAL);
	XT_CHECK(!cfg->proxy.enabled && !cfg->capture.enabled, "no proxy");
	XT_EQ(xchg_config_check_sizing(cfg, 1, NULL, 0), 0);
	XT_EQ(xchg_config_set_vdev(cfg, "nope", "net_null1"), -ENOENT);
	XT_EQ(xchg_config_set_tap(cfg, "net_null1"), -ENOENT);
	XT_EQ(xchg_config_set_vdev(cfg, "p0", ""), -EINVAL);
	xchg_config_free(cfg);
}

static void
test_sizing(void)
{
	struct xchg_config *cfg = load("hog.ini");
	struct xchg_config_sizing z;
	char err[XCHG_CONFIG_ERR_SIZE];

	if (cfg == NULL)
		return;
	XT_EQ(cfg->behaviour[1], XCHG_BEHAVIOUR_HOG);
	XT_EQ(xchg_config_sizing(cfg, 1, &z), 0);
	/* RX 256 + 64, TX 256 + 32; sockets 64 + 512; ARP 16 + ICMP 8 +
	 * fragment staging 16;
	 * one lcore's cache: 64 + 32 - 1. */
	XT_EQ(z.ports, 608);
	XT_EQ(z.sockets, 576);
	XT_EQ(z.services, 24); /* ARP 16, ICMP 8 */
	XT_EQ(z.staging, 16); /* one port's fragment staging area */
	XT_EQ(xchg_config_frag_staging(cfg), XCHG_STACK_FRAG_STAGING);
	XT_EQ(z.cache_slack, 95);
	XT_EQ(z.required, 1319);
	XT_EQ(z.shortfall, 0);
	/* Twenty lcores' caches break it by 1076. */
	XT_EQ(xchg_config_sizing(cfg, 20, &z), -ENOSPC);
	XT_EQ(z.required, 3124);
	XT_EQ(z.shortfall, 1076);
	XT_EQ(xchg_config_check_sizing(cfg, 20, err, sizeof(err)), -ENOSPC);
	XT_CHECK(strstr(err, "hog.ini:10: [arena] buffers: 2048 are 1076 short of what the ports, sockets and services reserve (3124); raise buffers to at least 3124 or lower the quotas") != NULL,
		 "message: %s", err);
	XT_CHECK(strstr(err, "lcore caches 1900 for 20 lcores") != NULL,
		 "message: %s", err);
	xchg_config_free(cfg);

	/* The shipped IPv6 set-up: its services sized for the port with
	 * an ip6. */
	cfg = load("ipv6.ini");
	XT_CHECK(cfg != NULL, "ipv6.ini loads");
	if (cfg != NULL) {
		XT_EQ(cfg->ports[0].nb_ip6, 1);
		XT_EQ(cfg->ports[0].has_gateway6, true);
		XT_EQ(cfg->nd_quota, 16);
		XT_EQ(cfg->icmp6_quota, 8);
		XT_EQ(xchg_config_check_sizing(cfg, 1, NULL, 0), 0);
		xchg_config_free(cfg);
	}
	cfg = load("mixed.ini");
	if (cfg == NULL)
		return;
	XT_EQ(cfg->behaviour[1], XCHG_BEHAVIOUR_HOLD);
	XT_EQ(cfg->hold[1], 100);
	XT_EQ(cfg->sockets[2].type, XCHG_CONFIG_SOCKET_PACKET);
	XT_EQ(cfg->sockets[2].ether_type, 0x88b5);
	XT_EQ(cfg->capture.nb_owners, 2);
	XT_EQ(xchg_config_sizing(cfg, 1, &z), 0);
	XT_EQ(z.capture, 64);
	XT_EQ(z.services, 8); /* ARP 4, ICMP 4 */
	XT_EQ(z.staging, 16);
	xchg_config_free(cfg);
}

/* The sizing invariant term by term, and lcore_cache's one meaning:
 * 0 (or no key) the default, none disables, as in xchg_arena_conf. */
static void
test_terms(void)
{
	struct xchg_config *cfg = load("hog.ini");
	struct xchg_config_term t[32];
	struct xchg_config_sizing z;
	char err[XCHG_CONFIG_ERR_SIZE];
	uint64_t sum = 0;
	int n, i;

	if (cfg == NULL)
		return;
	n = xchg_config_terms(cfg, 1, NULL, 0);
	/* RX, TX, ctrl, bulk, arp, icmp, staging, caches. */
	XT_EQ(n, 8);
	XT_EQ(xchg_config_terms(cfg, 1, t, 3), n); /* truncated: the count */
	XT_EQ(xchg_config_terms(cfg, 1, t, RTE_DIM(t)), n);
	for (i = 0; i < n; i++)
		sum += t[i].buffers;
	XT_EQ(xchg_config_sizing(cfg, 1, &z), 0);
	XT_EQ(sum, z.required);
	XT_CHECK(strcmp(t[0].name, "port p0 RX") == 0 &&
		 strcmp(t[0].formula, "rx_desc 256 + rx_slack 64") == 0 &&
		 t[0].count == 1 && t[0].each == 320, "first term: %s (%s)",
		 t[0].name, t[0].formula);
	XT_CHECK(strcmp(t[2].name, "socket ctrl") == 0 && t[2].critical &&
		 t[2].group == XCHG_CONFIG_TERM_SOCKETS, "critical socket %s",
		 t[2].name);
	XT_CHECK(!t[3].critical, "bulk is not critical");
	XT_CHECK(t[n - 1].group == XCHG_CONFIG_TERM_CACHES &&
		 t[n - 1].count == 1 && t[n - 1].each == 95, "caches term");
	XT_EQ(xchg_config_terms(cfg, 4, t, RTE_DIM(t)), n);
	XT_EQ(t[n - 1].buffers, 4 * 95);
	XT_CHECK(strcmp(xchg_config_term_group_name(XCHG_CONFIG_TERM_STAGING),
			"fragment staging") == 0, "group name");
	XT_CHECK(strcmp(xchg_config_term_group_name(XCHG_CONFIG_TERM_GROUPS),
			"?") == 0, "unknown group");
	XT_EQ(xchg_config_terms(NULL, 1, t, RTE_DIM(t)), -EINVAL);
	xchg_config_free(cfg);

	cfg = load_text("[arena]\nbuffers = 4096\nlcore_cache = 0\n[port a]\nvdev = net_null0\n",
			err, sizeof(err));
	XT_CHECK(cfg != NULL && cfg->arena.lcore_cache ==
		 XCHG_ARENA_CACHE_DEFAULT, "lcore_cache = 0 is the default: %s",
		 cfg == NULL ? err : "");
	XT_EQ(xchg_config_cache_slack(cfg, 2), 2 * 95);
	xchg_config_free(cfg);
	cfg = load_text("[arena]\nbuffers = 4096\nlcore_cache = none\n[port a]\nvdev = net_null0\n",
			err, sizeof(err));
	XT_CHECK(cfg != NULL && cfg->arena.lcore_cache ==
		 XCHG_ARENA_CACHE_NONE, "lcore_cache = none disables: %s",
		 cfg == NULL ? err : "");
	XT_EQ(xchg_config_cache_slack(cfg, 2), 0);
	XT_EQ(xchg_config_terms(cfg, 2, t, RTE_DIM(t)), 5); /* no cache term */
	xchg_config_free(cfg);
	cfg = load_text("[arena]\nbuffers = 4096\nlcore_cache = off\n[port a]\nvdev = net_null0\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:3: [arena] lcore_cache: 'off' is not a cache size; give 0 (the default, 64), 1 to 512, or none") != NULL,
		 "lcore_cache = off refused: %s", err);
	xchg_config_free(cfg);
	XT_EQ(xchg_arena_cache_size(0), XCHG_ARENA_CACHE_DEFAULT);
	XT_EQ(xchg_arena_cache_size(XCHG_ARENA_CACHE_NONE), 0);
	XT_EQ(xchg_arena_cache_size(32), 32);
}

/* A message for a file that loads with lines numbered. */
static void
test_messages(void)
{
	char err[XCHG_CONFIG_ERR_SIZE];
	struct xchg_config *cfg;

	cfg = load_text("; comment\n# other comment = ignored\n[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\n[port b]\nvdev = net_null1\n[socket s]\ntype = packet\nethertype = 0x88b5\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:9: [socket s]: missing key interface; there are several ports (a, b): say which, e.g. interface = a") != NULL,
		 "interface needed: %s", err);
	xchg_config_free(cfg);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\n[port b]\nvdev = net_null0,x=1\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:5: [port b]: device net_null0 is also [port a]'s") != NULL,
		 "same device: %s", err);
	cfg = load_text("[arena]\nbuffers = 4096\n[port a]\nvdev = net_null0\n[proxy]\ntap = net_null0\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "[proxy] tap: device net_null0 is [port a]'s") != NULL,
		 "proxy on the port's device: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\n[socket s]\ntype = packet\nethertype = 0x88b5\npending = 2\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:8: [socket s] pending: is for udp sockets") != NULL,
		 "pending on a packet socket: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip = 10.0.0.1/24\n[socket s]\ntype = udp\nport = 5\npending = 1025\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "pending") != NULL &&
		 strstr(err, "1024") != NULL, "pending over its limit: %s",
		 err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip = 10.0.0.1/24\n[socket s]\ntype = udp\nport = 5\nreaders = two\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:9: [socket s] readers: 'two' is neither one nor many; write readers = one when one thread at a time reads the socket (the single-consumer read), or readers = many (the default)") != NULL,
		 "bad readers: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\n[socket s]\ntype = packet\nethertype = 0x88b5\nreaders = One\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:8: [socket s] readers: 'One' is neither one nor many") != NULL,
		 "readers is case-sensitive: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip = 10.0.0.1/24\n[socket s]\ntype = udp\nport = 5\nfamily = ipv5\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:9: [socket s] family: 'ipv5' is not an address family; use ipv4, ipv6 or both") != NULL,
		 "bad family: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip = 10.0.0.1/24\n[socket s]\ntype = udp\nport = 5\nfamily = ipv6\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:9: [socket s] family: ipv6 on [port a], which has no ip6; add ip6 = address/prefix to [port a], or use family = ipv4") != NULL,
		 "ipv6 socket without ip6: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\n[socket s]\ntype = udp\nport = 5\nfamily = ipv4\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "[socket s]: udp socket on [port a], which has no ip; add ip = address/prefix to [port a]") != NULL,
		 "ipv4 socket without ip: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\n[socket s]\ntype = packet\nethertype = 0x88b5\nfamily = ipv6\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:8: [socket s] family: is for udp sockets") != NULL,
		 "family on a packet socket: %s", err);
	/* Only an ip6: a both-family socket is fine (IPv6 only, in effect). */
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\n[socket s]\ntype = udp\nport = 5\n",
			err, sizeof(err));
	XT_CHECK(cfg != NULL, "udp socket on a port with only ip6: %s", err);
	xchg_config_free(cfg);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\nip6 = ff02::1/64\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:6: [port a] ip6: ff02::1 cannot be an interface address") != NULL,
		 "multicast ip6: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::g/64\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "is not an IPv6 address") != NULL,
		 "bad ip6: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "has no prefix length") != NULL,
		 "ip6 without a prefix: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/129\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "128") != NULL,
		 "ip6 prefix over 128: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\nip6 = 2001:db8::2/64\nip6 = 2001:db8::3/64\nip6 = 2001:db8::4/64\nip6 = 2001:db8::5/64\nip6 = 2001:db8::6/64\nip6 = 2001:db8::7/64\nip6 = 2001:db8::8/64\nip6 = 2001:db8::9/64\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:13: [port a] ip6: more than 8 addresses") != NULL,
		 "nine ip6: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\ngateway6 = fe80::1\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:5: [port a] gateway6: the port has no ip6; add ip6 = address/prefix first") != NULL,
		 "gateway6 without ip6: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\ngateway6 = 2001:db9::1\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "t.ini:6: [port a] gateway6: is not on the link; give a link-local address") != NULL,
		 "gateway6 off the link: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\ngateway6 = fe80::1/64\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "[port a] gateway6: 'fe80::1/64' is not an IPv6 address; write the router's address without a prefix") != NULL,
		 "gateway6 with a prefix: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\ngateway6 = ff02::2\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "gateway6: ff02::2 cannot be a next hop") != NULL,
		 "multicast gateway6: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\n[service ndp]\nquota = 4\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "unknown service 'ndp'; services are [service arp], [service icmp], [service nd] and [service icmp6]") != NULL,
		 "unknown service: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\n[service icmp6]\nquota = 129\n",
			err, sizeof(err));
	XT_CHECK(cfg == NULL && strstr(err, "[service icmp6] quota: 129 is more than the arena's 128 buffers") != NULL,
		 "icmp6 quota over the arena: %s", err);
	cfg = load_text("[arena]\nbuffers = 128\n[port a]\nvdev = net_null0\nip6 = 2001:db8::1/64\ngateway6 = 2001:db8::fe\n[service nd]\nquota = 4\n",
			err, sizeof(err));
	XT_CHECK(cfg != NULL, "gateway6 on the prefix, [service nd]: %s", err);
	if (cfg != NULL) {
		XT_EQ(cfg->nd_quota, 4);
		XT_EQ(cfg->icmp6_quota, 8);
		XT_EQ(cfg->ports[0].has_gateway6, true);
		XT_EQ(cfg->ports[0].gateway6[15], 0xfe);
		xchg_config_free(cfg);
	}
	XT_CHECK(xchg_config_load(NULL, err, sizeof(err)) == NULL &&
		 errno == EINVAL, "NULL path");
}

static void
test_setup(void)
{
	char text[1280], cap[600], err[XCHG_CONFIG_ERR_SIZE];
	struct xchg_config_setup *su;
	struct xchg_config *cfg;
	struct xchg_arena *arena;
	struct xchg_pool_stats ps;
	uint16_t id;
	unsigned int i;

	snprintf(cap, sizeof(cap), "%s/cap.pcap", tmpdir);
	snprintf(text, sizeof(text),
		 "[arena]\nname = cfgtest\nbuffers = 4096\n"
		 "[port wan]\nvdev = net_null7\nip = 10.1.0.1/16\ngateway = 10.1.0.254\nrx_desc = 128\ntx_desc = 128\n"
		 "ip6 = 2001:db8::1/64\nip6 = 2001:db8:1::1/48\ngateway6 = fe80::1\n"
		 "[socket ctl]\ntype = udp\nport = 7000\nquota = 32\npriority = critical\npending = 2\nfamily = ipv4\nreaders = one\n"
		 "[socket eth]\ntype = packet\nethertype = 0x88b5\nquota = 8\nreaders = many\n"
		 "[service icmp]\nquota = 5\n[service nd]\nquota = 6\n"
		 "[proxy]\ntap = net_null8\nquota = 24\nrx_desc = 64\ntx_desc = 64\n"
		 "[capture]\nfile = %s\nquota = 16\nowners = ctl, icmp\n", cap);
	cfg = load_text(text, err, sizeof(err));
	XT_CHECK(cfg != NULL, "load: %s", err);
	if (cfg == NULL)
		return;
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su != NULL, "setup: %s", err);
	if (su == NULL) {
		xchg_config_free(cfg);
		return;
	}
	arena = xchg_config_setup_arena(su);
	XT_CHECK(arena == xchg_arena_lookup("cfgtest"), "arena by name");
	XT_CHECK(rte_eth_dev_get_port_by_name("net_null7", &id) == 0 &&
		 id == xchg_port_id(xchg_config_setup_port(su, 0)), "port");
	XT_CHECK(xchg_config_setup_stack(su, 0) != NULL, "stack");
	XT_CHECK(xchg_config_setup_port(su, 1) == NULL, "one port only");
	XT_CHECK(xchg_config_setup_tap(su) != NULL, "proxy port");
	XT_CHECK(strcmp(xchg_socket_name(xchg_config_setup_socket(su, 1)),
			"eth") == 0, "socket by index");
	XT_CHECK(xchg_config_setup_socket(su, 2) == NULL, "two sockets");
	{
		struct xchg_socket_stats st;

		XT_EQ(xchg_socket_stats_get(xchg_config_setup_socket(su, 0),
					    &st), 0);
		XT_EQ(st.pending_max, 2);
		/* readers = one, readers = many. */
		XT_CHECK(xchg_socket_single_reader(
				 xchg_config_setup_socket(su, 0)),
			 "readers = one: single reader");
		XT_CHECK(!xchg_socket_single_reader(
				 xchg_config_setup_socket(su, 1)),
			 "readers = many: several readers");
	}
	{
		/* family = ipv4: no IPv6 send, refused before anything. */
		static const uint8_t peer[16] = { 0x20, 0x01, 0x0d, 0xb8,
						  [15] = 2 };
		struct xchg_socket *ctl = xchg_config_setup_socket(su, 0);
		struct rte_mbuf *m = NULL;

		XT_EQ(xchg_socket_alloc_bulk(ctl, &m, 1), 0);
		XT_EQ(xchg_udp_send_burst6(ctl, peer, 9, &m, 1), 0);
		XT_EQ(rte_errno, EAFNOSUPPORT);
		rte_pktmbuf_free(m);
	}
	{
		/* Both IPv6 addresses are the stack's (and so is the
		 * link-local one they brought). */
		static const uint8_t a1[16] = { 0x20, 0x01, 0x0d, 0xb8,
						[15] = 1 };
		static const uint8_t a2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1,
						[15] = 1 };
		struct xchg_stack *st = xchg_config_setup_stack(su, 0);

		static const uint8_t far[16] = { 0x20, 0x01, 0x0d, 0xb9,
						 [15] = 1 };
		static const uint8_t gw[16] = { 0xfe, 0x80, [15] = 1 };
		uint8_t src[16], hop[16];

		XT_EQ(xchg_stack_add_address6(st, a1, 64), -EEXIST);
		XT_EQ(xchg_stack_add_address6(st, a2, 48), -EEXIST);
		/* gateway6 is the IPv6 default route. */
		XT_EQ(xchg_stack_route6(st, far, src, hop), 0);
		XT_EQ(memcmp(hop, gw, 16), 0);
	}
	{
		static const struct { const char *fmt; uint32_t quota; } want[] = {
			{ "port%u_rxq0", 128 + 64 }, { "port%u_txq0", 128 + 32 },
			{ "port%u_arp", 16 }, { "port%u_icmp", 5 }, { "ctl", 32 },
			{ "eth", 8 }, { "port%u_proxy", 24 }, { "port%u_hostout", 24 },
			{ "port%u_capture", 16 }, { "port%u_nd", 6 },
			{ "port%u_icmp6", 8 },
		};
		char name[XCHG_NAME_SIZE];

		for (i = 0; i < RTE_DIM(want); i++) {
			snprintf(name, sizeof(name), want[i].fmt, id);
			XT_CHECK(xchg_pool_stats_get(xchg_pool_lookup(arena, name),
						     &ps) == 0 &&
				 ps.quota == want[i].quota, "pool %s quota %u",
				 name, want[i].quota);
		}
	}
	XT_CHECK(access(cap, F_OK) == 0, "capture file created");
	XT_EQ(xchg_config_setup_start(su, err, sizeof(err)), 0);
	/* net_null sends zero-filled frames: all dropped, counted. */
	for (i = 0; i < 10; i++)
		xchg_config_setup_poll(su);
	{
		struct xchg_stack_stats ss;

		XT_EQ(xchg_stack_stats_get(xchg_config_setup_stack(su, 0), &ss), 0);
		XT_CHECK(ss.frames > 0, "frames polled");
	}
	xt_census_ok(arena, "set-up running");
	XT_EQ(xchg_config_setup_free(su), 0);
	XT_CHECK(xchg_arena_lookup("cfgtest") == NULL, "arena freed");
	XT_CHECK(rte_eth_dev_get_port_by_name("net_null7", &id) != 0,
		 "probed device removed");
	XT_CHECK(rte_eth_dev_get_port_by_name("net_null8", &id) != 0,
		 "proxy device removed");

	/* The same configuration builds again: nothing was left behind. */
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su != NULL, "setup again: %s", err);
	XT_EQ(xchg_config_setup_free(su), 0);

	/* Shared: an overcommitted arena, every consumer's quota the whole
	 * arena, the queue reservations as configured. */
	XT_EQ(xchg_config_set_shared(cfg, true), 0);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su != NULL, "shared setup: %s", err);
	if (su != NULL) {
		static const struct { const char *fmt; uint32_t quota; } want[] = {
			{ "port%u_rxq0", 128 + 64 }, { "port%u_txq0", 128 + 32 },
			{ "port%u_arp", 4096 }, { "port%u_icmp", 4096 }, { "ctl", 4096 },
			{ "eth", 4096 }, { "port%u_proxy", 4096 },
			{ "port%u_hostout", 4096 }, { "port%u_capture", 4096 },
		};
		struct xchg_arena_info ai;
		char name[XCHG_NAME_SIZE];

		arena = xchg_config_setup_arena(su);
		id = xchg_port_id(xchg_config_setup_port(su, 0));
		XT_CHECK(xchg_arena_info_get(arena, &ai) == 0 && ai.overcommit &&
			 ai.nb_buffers == 4096, "shared: overcommitted arena");
		for (i = 0; i < RTE_DIM(want); i++) {
			snprintf(name, sizeof(name), want[i].fmt, id);
			XT_CHECK(xchg_pool_stats_get(xchg_pool_lookup(arena, name),
						     &ps) == 0 &&
				 ps.quota == want[i].quota,
				 "shared: pool %s quota %u", name, want[i].quota);
		}
		XT_EQ(xchg_config_setup_free(su), 0);
	}
	XT_CHECK(cfg->sockets[0].quota == 32, "shared: the configuration is unchanged");
	XT_EQ(xchg_config_set_shared(cfg, false), 0);
	XT_EQ(xchg_config_set_shared(NULL, true), -EINVAL);

	/* A device the EAL already has (--vdev=net_null5) is used, not
	 * probed, and stays after the set-up is gone. */
	XT_EQ(xchg_config_set_vdev(cfg, "wan", "net_null5"), 0);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su != NULL, "setup on an EAL device: %s", err);
	XT_EQ(xchg_config_setup_free(su), 0);
	XT_CHECK(rte_eth_dev_get_port_by_name("net_null5", &id) == 0,
		 "EAL device left");

	/* An unknown driver: one line, and nothing built stays. */
	XT_EQ(xchg_config_set_vdev(cfg, "wan", "net_bogus0,x=1"), 0);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su == NULL && strstr(err, "[port wan] vdev: net_bogus0: no DPDK driver matches this name") != NULL &&
		 strchr(err, '\n') == NULL, "unknown vdev: %s", err);
	XT_CHECK(xchg_arena_lookup("cfgtest") == NULL, "no arena left");
	/* A driver that refuses its arguments: its reason is quoted. */
	XT_EQ(xchg_config_set_vdev(cfg, "wan", "net_pcap_t0,rx_pcap=/nonexistent/x.pcap"), 0);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su == NULL && strstr(err, "net_pcap_t0: the driver refused") != NULL &&
		 strstr(err, "/nonexistent/x.pcap") != NULL, "refused args: %s", err);
	XT_CHECK(xchg_arena_lookup("cfgtest") == NULL, "no arena left");
	/* A proxy device that does not exist: the port built first goes. */
	XT_EQ(xchg_config_set_vdev(cfg, "wan", "net_null7"), 0);
	XT_EQ(xchg_config_set_tap(cfg, "net_nothing3"), 0);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su == NULL && strstr(err, "[proxy] tap: net_nothing3: no DPDK driver") != NULL,
		 "unknown tap: %s", err);
	XT_CHECK(rte_eth_dev_get_port_by_name("net_null7", &id) != 0,
		 "port device removed after a failure");
	XT_CHECK(xchg_arena_lookup("cfgtest") == NULL, "no arena left");
	xchg_config_free(cfg);
	unlink(cap);
}

/* A net_pcap line over 128 characters, from a capture path over 128
 * characters: DPDK 24.11's rte_dev_probe() refuses such a line
 * ("devargs truncated"); the port is made all the same, and reads the
 * capture. */
static void
test_long_devargs(void)
{
	static const uint16_t ports[] = { 7000 };
	char dir[256], rx[300], tx[300], vdev[700], err[XCHG_CONFIG_ERR_SIZE];
	struct xchg_config_setup *su;
	struct xchg_stack_stats ss;
	struct xchg_config *cfg;
	unsigned int i;
	uint16_t id;

	snprintf(dir, sizeof(dir), "%s/%s", tmpdir,
		 "a-folder-name-long-enough-that-the-capture-path-alone-"
		 "is-over-the-128-characters-of-the-multi-process-request");
	snprintf(rx, sizeof(rx), "%s/rx.pcap", dir);
	snprintf(tx, sizeof(tx), "%s/tx.pcap", dir);
	snprintf(vdev, sizeof(vdev), "net_pcap_long0,rx_pcap=%s,tx_pcap=%s",
		 rx, tx);
	XT_CHECK(strlen(rx) > 128 && strlen(vdev) > 256, "paths of %zu and %zu characters",
		 strlen(rx), strlen(vdev));
	XT_CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
	if (xt_pcap_write(rx, 40, ports, RTE_DIM(ports)) != 0)
		return;
	cfg = load_text("[arena]\nname = longargs\nbuffers = 4096\n"
			"[port wan]\nvdev = net_null7\nip = 10.1.0.1/16\n"
			"[socket ctl]\ntype = udp\nport = 7000\nquota = 64\n",
			err, sizeof(err));
	XT_CHECK(cfg != NULL, "load: %s", err);
	if (cfg == NULL)
		return;
	XT_EQ(xchg_config_set_vdev(cfg, "wan", vdev), 0);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	XT_CHECK(su != NULL, "set-up with a %zu-character vdev: %s",
		 strlen(vdev), err);
	if (su != NULL) {
		XT_CHECK(rte_eth_dev_get_port_by_name("net_pcap_long0", &id) == 0,
			 "long net_pcap port made");
		XT_EQ(xchg_config_setup_start(su, err, sizeof(err)), 0);
		for (i = 0; i < 100; i++)
			xchg_config_setup_poll(su);
		XT_EQ(xchg_stack_stats_get(xchg_config_setup_stack(su, 0), &ss), 0);
		XT_EQ(ss.frames, 40);
		xt_census_ok(xchg_config_setup_arena(su), "long vdev running");
		XT_EQ(xchg_config_setup_free(su), 0);
		XT_CHECK(rte_eth_dev_get_port_by_name("net_pcap_long0", &id) != 0,
			 "long net_pcap port removed");
	}
	xchg_config_free(cfg);
	unlink(rx);
	unlink(tx);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	const char *extra[] = { "--vdev=net_null5" };
	char path[600];

	if (argc < 2) {
		printf("usage: %s CONFIG_DIR\n", argv[0]);
		return 1;
	}
	config_dir = argv[1];
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	/* Loading needs no EAL. */
	XT_RUN(test_default);
	XT_RUN(test_sizing);
	XT_RUN(test_terms);
	XT_RUN(test_messages);
	xt_eal_init(argv[0], "0", 1, extra);
	XT_RUN(test_setup);
	XT_RUN(test_long_devargs);
	snprintf(path, sizeof(path), "%s/t.ini", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return xt_done("config");
}
