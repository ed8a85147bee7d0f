/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Isolation beyond buffers (issue 8): no shared stack resource lets one
 * consumer's traffic cost another consumer a frame. Each scenario is a
 * Scapy-made capture (gen_isolation.py) replayed through a whole stack
 * on a net_pcap port, with exact counts, and ends with a census:
 *
 * - first_flood: first fragments that never complete flood the bulk
 *   socket while the critical socket receives whole and fragmented
 *   datagrams: it receives every one, in arrival order; the flood costs
 *   the bulk socket only (frag_evicted, against it);
 * - interleaved: the same flood and complete datagrams to the bulk
 *   socket: it completes those the rule lets it (160 of 200);
 * - staging_flood: later fragments whose first never comes flood the
 *   staging area while the critical socket receives in-order datagrams:
 *   all delivered, and 10 out-of-order ones before the flood too;
 * - arp_storm: 4,000 hosts ask for us while a connected critical socket
 *   sends to its peer after every burst: no send fails.
 *
 * Every drop is checked to be counted against the consumer that paid:
 * the sum of the stack's drop reasons equals the sum of what each socket,
 * the staging area and the services count as their own.
 *
 * The stack runs on a clock that ticks once per reading, so nothing times
 * out and eviction follows arrival order exactly, however slowly the
 * test runs.
 *
 * Usage: test_isolation GEN_ISOLATION_PY [SCENARIO...]
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_test.h"
#include "xt_frames.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define OUR_IP IP4(10, 1, 0, 1)
#define PEER_IP IP4(10, 1, 0, 2)
#define CRIT_PORT 7000
#define BULK_PORT 9000
#define MAX_DGRAMS 2048
#define MAX_FIGS 8

static char dir[512];
static unsigned int vdev_seq;
static uint64_t ticks;

static uint64_t
tick_clock(void *arg __rte_unused)
{
	return ++ticks;
}

static rte_be32_t
be_ip(uint32_t ip)
{
	return rte_cpu_to_be_32(ip);
}

/* ---- what the generator says each capture holds ---- */

struct figures {
	char name[32];
	unsigned int frames;
	unsigned int nb;
	char key[MAX_FIGS][24];
	unsigned int val[MAX_FIGS];
};

static struct figures figs[12];
static unsigned int nb_figs;

static const struct figures *
figures_of(const char *name)
{
	unsigned int i;

	for (i = 0; i < nb_figs; i++)
		if (strcmp(figs[i].name, name) == 0)
			return &figs[i];
	return NULL;
}

static unsigned int
fig(const struct figures *f, const char *key)
{
	unsigned int i;

	for (i = 0; f != NULL && i < f->nb; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->val[i];
	printf("FAIL: the generator gave no %s\n", key);
	xt_failures++;
	return 0;
}

static int
generate(const char *script)
{
	char line[512];
	FILE *p;
	int rc;

	p = xt_scapy_popen(script, dir, &rc);
	if (p == NULL)
		return rc;
	while (fgets(line, sizeof(line), p) != NULL &&
	       nb_figs < RTE_DIM(figs)) {
		struct figures *f = &figs[nb_figs];
		char *tok, *save = NULL;

		memset(f, 0, sizeof(*f));
		tok = strtok_r(line, " \n", &save);
		if (tok == NULL)
			continue;
		snprintf(f->name, sizeof(f->name), "%s", tok);
		tok = strtok_r(NULL, " \n", &save);
		f->frames = tok != NULL ? (unsigned int)atoi(tok) : 0;
		while ((tok = strtok_r(NULL, " \n", &save)) != NULL &&
		       f->nb < MAX_FIGS) {
			char *eq = strchr(tok, '=');

			if (eq == NULL)
				continue;
			*eq = '\0';
			snprintf(f->key[f->nb], sizeof(f->key[0]), "%s", tok);
			f->val[f->nb++] = (unsigned int)atoi(eq + 1);
		}
		nb_figs++;
	}
	if (pclose(p) != 0) {
		printf("FAIL: the generator %s failed\n", script);
		return 1;
	}
	return 0;
}

/* ---- one run ---- */

struct rx_log {
	struct xchg_socket *sock;
	unsigned int n;
	uint16_t sport[MAX_DGRAMS];     /* the source port names datagram k */
	uint32_t len[MAX_DGRAMS];
	unsigned int bad;               /* wrong payload */
};

struct run {
	const char *name;
	const struct figures *f;
	char vdev[64];
	struct xchg_arena *arena;
	struct xchg_port *port;
	struct xchg_stack *stack;
	uint16_t port_id;
	struct rx_log crit, bulk;
	unsigned int sends, sends_ok, polls;
	bool send_each_burst;
	bool crit_pays;         /* the critical socket pays for a flood */
	struct xchg_stack_stats st;
	struct xchg_port_stats ps;
};

/* gen_isolation.py's payload(k, n). */
static bool
payload_ok(const struct rte_mbuf *m, unsigned int k)
{
	uint8_t buf[4096];
	uint32_t n = rte_pktmbuf_pkt_len(m), j;
	const uint8_t *p;

	if (n > sizeof(buf))
		return false;
	p = rte_pktmbuf_read(m, 0, n, buf);
	for (j = 0; p != NULL && j < n; j++)
		if (p[j] != (uint8_t)((k * 31 + j * 7 + 1) & 0xff))
			return false;
	return p != NULL;
}

static void
drain(struct rx_log *x)
{
	struct rte_mbuf *m[32];
	unsigned int i, n;

	while ((n = xchg_socket_recv_burst(x->sock, m, RTE_DIM(m))) != 0)
		for (i = 0; i < n; i++) {
			rte_be32_t ip;
			uint16_t sport = 0;

			XT_EQ(xchg_udp_source(m[i], &ip, &sport), 0);
			if (x->n < MAX_DGRAMS) {
				x->sport[x->n] = sport;
				x->len[x->n] = rte_pktmbuf_pkt_len(m[i]);
			}
			if (sport < 40000 || !payload_ok(m[i], sport - 40000u))
				x->bad++;
			x->n++;
			rte_pktmbuf_free(m[i]);
		}
}

static void
send_one(struct run *r)
{
	struct rte_mbuf *m;
	char *p;

	if (xchg_socket_alloc_bulk(r->crit.sock, &m, 1) != 0) {
		XT_CHECK(false, "%s: the critical socket has no buffer", r->name);
		return;
	}
	p = rte_pktmbuf_append(m, 64);
	if (p != NULL)
		memset(p, 0x5a, 64);
	r->sends++;
	if (xchg_udp_send_burst(r->crit.sock, 0, 0, &m, 1) == 1) {
		r->sends_ok++;
		return;
	}
	printf("%s: send %u failed: %s\n", r->name, r->sends,
	       rte_strerror(rte_errno));
	rte_pktmbuf_free(m);
}

static void
replay(struct run *r)
{
	unsigned int idle = 0;

	while (idle < 16 && r->polls < 100000) {
		unsigned int n = xchg_stack_poll(r->stack);

		r->polls++;
		drain(&r->crit);
		drain(&r->bulk);
		if (n != 0 && r->send_each_burst)
			send_one(r);
		idle = n == 0 ? idle + 1 : 0;
	}
	XT_EQ(xchg_stack_stats_get(r->stack, &r->st), 0);
	XT_EQ(xchg_port_stats_get(r->port, &r->ps), 0);
}

static struct xchg_socket_stats
sock_stats(struct xchg_socket *s)
{
	struct xchg_socket_stats st;

	memset(&st, 0, sizeof(st));
	XT_EQ(xchg_socket_stats_get(s, &st), 0);
	return st;
}

static uint64_t
refused(struct xchg_pool *p)
{
	struct xchg_pool_stats st;

	memset(&st, 0, sizeof(st));
	XT_EQ(xchg_pool_stats_get(p, &st), 0);
	return st.refused + st.rejected;
}

/* Every drop named against the consumer that paid: the stack's drops
 * are the sockets' own, the staging area's own and the services'. */
static void
check_attribution(struct run *r)
{
	struct xchg_socket_stats cs = sock_stats(r->crit.sock);
	struct xchg_socket_stats bs = sock_stats(r->bulk.sock);
	const struct xchg_frag_staging_stats *sg = &r->st.staging;
	uint64_t total = 0, named;
	unsigned int i;

	for (i = 0; i < XCHG_SD_MAX; i++) {
		total += r->st.drops[i];
		XT_CHECK(r->st.drops[i] == 0 || i == XCHG_SD_FRAG_EVICTED ||
			 (r->crit_pays && i == XCHG_SD_FRAG_TIMEOUT) ||
			 i == XCHG_SD_FRAG_STAGING_EVICTED ||
			 i == XCHG_SD_NO_BUFFERS,
			 "%s: drops[%s] = %" PRIu64 " (no such drop expected)",
			 r->name, xchg_stack_drop_name(i), r->st.drops[i]);
	}
	named = cs.pool.refused + cs.pool.rejected +
		bs.pool.refused + bs.pool.rejected +
		sg->evicted + sg->timed_out + sg->no_buffers + sg->invalid +
		refused(xchg_stack_service_pool(r->stack, false)) +
		refused(xchg_stack_service_pool(r->stack, true));
	for (i = 0; i < XCHG_SD_MAX; i++)
		named += cs.drops[i] + bs.drops[i];
	XT_CHECK(named == total,
		 "%s: %" PRIu64 " drops, %" PRIu64 " counted against a consumer",
		 r->name, total, named);
	/* The critical socket paid for nothing and lost nothing, unless
	 * the flood is its own peer's. */
	for (i = 0; i < XCHG_SD_MAX && !r->crit_pays; i++)
		XT_EQ(cs.drops[i], 0);
	XT_EQ(cs.pool.refused, 0);
	XT_EQ(r->ps.drops[XCHG_DROP_MALFORMED] + r->ps.eth.imissed +
	      r->ps.eth.ierrors, 0);
	XT_CHECK(r->st.frames == r->f->frames, "%s: %" PRIu64
		 " frames classified, %u in the capture", r->name,
		 r->st.frames, r->f->frames);
}

/* The critical socket got datagrams 0..n-1, in that order, whole. */
static void
expect_in_order(struct run *r, unsigned int n)
{
	unsigned int i, out_of_order = 0;

	XT_CHECK(r->crit.n == n, "%s: critical socket received %u of %u",
		 r->name, r->crit.n, n);
	for (i = 0; i < r->crit.n && i < MAX_DGRAMS; i++)
		if (r->crit.sport[i] != 40000 + i)
			out_of_order++;
	XT_CHECK(out_of_order == 0, "%s: %u datagrams out of arrival order (first: %u at %u)",
		 r->name, out_of_order, r->crit.n != 0 ? r->crit.sport[0] : 0,
		 0);
	XT_EQ(r->crit.bad, 0);
}

static void
check_first_flood(struct run *r)
{
	struct xchg_socket_stats bs = sock_stats(r->bulk.sock);
	unsigned int flood = fig(r->f, "flood");

	expect_in_order(r, fig(r->f, "crit"));
	XT_EQ(r->st.reassembled, fig(r->f, "crit") / 2);
	XT_EQ(r->bulk.n, 0);
	XT_EQ(bs.frag_collectors, 16);
	XT_EQ(bs.frag_pending, 16);
	XT_EQ(bs.drops[XCHG_SD_FRAG_EVICTED], flood - 16);
	XT_EQ(r->st.drops[XCHG_SD_FRAG_EVICTED], flood - 16);
	XT_EQ(bs.pool.in_use, 16);
	XT_EQ(r->st.staging.staged, 0);
}

static void
check_interleaved(struct run *r)
{
	struct xchg_socket_stats bs = sock_stats(r->bulk.sock);
	unsigned int flood = fig(r->f, "flood"), good = fig(r->f, "good");
	unsigned int done = fig(r->f, "complete"), i;

	XT_EQ(r->crit.n, 0);
	XT_EQ(r->bulk.n, done);
	XT_EQ(bs.reassembled, done);
	XT_EQ(r->bulk.bad, 0);
	for (i = 0; i < r->bulk.n && i < MAX_DGRAMS; i++)
		XT_EQ(r->bulk.len[i], 1600);
	/* Each datagram opened and not completed was evicted with the one
	 * fragment it held, but the 16 still collecting. */
	XT_EQ(bs.drops[XCHG_SD_FRAG_EVICTED], flood + good - done - 16);
	XT_EQ(bs.frag_pending, 16);
	XT_EQ(r->st.staging.staged, fig(r->f, "staged"));
	XT_EQ(r->st.staging.evicted, fig(r->f, "staging_evicted"));
	XT_EQ(r->st.staging.held, fig(r->f, "staged") -
				  fig(r->f, "staging_evicted"));
	printf("interleaved: the flooded socket completed %u of its %u complete datagrams (%u%%) among %u flood fragments\n",
	       done, good, done * 100 / good, flood);
}

static void
check_staging_flood(struct run *r)
{
	unsigned int flood = fig(r->f, "flood"), moved = fig(r->f, "moved");

	expect_in_order(r, fig(r->f, "crit"));
	XT_EQ(r->st.reassembled, fig(r->f, "crit"));
	XT_EQ(r->st.staging.staged, flood + moved);
	XT_EQ(r->st.staging.moved, moved);
	XT_EQ(r->st.staging.evicted, flood - 16);
	XT_EQ(r->st.staging.held, 16);
	XT_EQ(r->st.drops[XCHG_SD_FRAG_STAGING_EVICTED], flood - 16);
	xt_pool_expect(xchg_pool_lookup(r->arena, "port0_fragstage"), 16,
		       "staging_flood: the staging pool holds its flood");
}

/* Issue 20: the flooding host loses its own staged fragments, the
 * critical peer's back-to-back and spread last-first datagrams all
 * complete. */
static void
check_host_flood(struct run *r)
{
	unsigned int flood = fig(r->f, "flood"), moved = fig(r->f, "moved");

	expect_in_order(r, fig(r->f, "crit"));
	XT_EQ(r->st.staging.staged, flood + moved);
	XT_EQ(r->st.staging.moved, moved);
	XT_EQ(r->st.staging.evicted, flood - 16);
	XT_EQ(r->st.staging.held, 16);
	XT_EQ(r->st.drops[XCHG_SD_FRAG_STAGING_EVICTED], flood - 16);
	XT_EQ(r->bulk.n, 0);
}

static void
setup_crit_pays(struct run *r)
{
	r->crit_pays = true;
}

/* The flood from the critical socket's own peer: that host holds the
 * most, so it loses its own oldest. Stated, not asserted, but what
 * arrives arrives whole and in order. */
static void
check_peer_flood(struct run *r)
{
	struct xchg_socket_stats cs = sock_stats(r->crit.sock);
	unsigned int crit = fig(r->f, "crit"), i, prev = 0, bad_order = 0;

	for (i = 0; i < r->crit.n && i < MAX_DGRAMS; i++) {
		bad_order += i != 0 && r->crit.sport[i] <= prev;
		prev = r->crit.sport[i];
	}
	XT_EQ(bad_order, 0);
	XT_EQ(r->crit.bad, 0);
	XT_CHECK(r->crit.n >= crit - fig(r->f, "spread") - fig(r->f, "b2b"),
		 "peer_flood: the critical socket received %u", r->crit.n);
	printf("peer_flood: with the flood from its own peer, the critical socket received %u of %u datagrams (%" PRIu64 " fragments evicted from its collectors, %" PRIu64 " staged ones evicted)\n",
	       r->crit.n, crit, cs.drops[XCHG_SD_FRAG_EVICTED],
	       r->st.staging.evicted);
}

/* The flood at the critical socket's own collectors, from another host:
 * the flood's datagrams go, the peer's complete. */
static void
check_collector_share(struct run *r)
{
	struct xchg_socket_stats cs = sock_stats(r->crit.sock);
	unsigned int flood = fig(r->f, "flood");

	expect_in_order(r, fig(r->f, "crit"));
	/* While a datagram of the peer is open the flood keeps 15, and
	 * so it does once the last one completed. */
	XT_EQ(cs.frag_collectors, 16);
	XT_EQ(cs.frag_pending, 15);
	XT_EQ(cs.drops[XCHG_SD_FRAG_EVICTED], flood - 15);
	XT_EQ(cs.datagrams_lost[XCHG_SD_FRAG_EVICTED], flood - 15);
	XT_EQ(cs.frag_held, 15);
	XT_EQ(cs.reassembled, fig(r->f, "crit"));
}

static void
setup_arp_storm(struct run *r)
{
	XT_EQ(xchg_udp_connect(r->crit.sock, be_ip(PEER_IP), 6000), 0);
	r->send_each_burst = true;
}

static void
check_arp_storm(struct run *r)
{
	struct xchg_socket_stats cs = sock_stats(r->crit.sock);
	unsigned int hosts = fig(r->f, "hosts");
	unsigned int bursts = (hosts + 1 + 31) / 32;
	/* Each burst of 32 gives ARP its 16 units; the first one starts
	 * with the peer's announcement. */
	unsigned int taken = (hosts + 1) / 32 * 16 +
			     RTE_MIN((hosts + 1) % 32, 16u);
	struct rte_ether_addr mac;

	XT_EQ(r->sends, bursts);
	XT_EQ(r->sends_ok, r->sends);
	XT_EQ(cs.sent, r->sends);
	XT_EQ(cs.send_failed, 0);
	XT_EQ(r->st.arp_requests_answered, taken - 1);
	XT_EQ(r->st.arp_learned, taken);
	XT_EQ(refused(xchg_stack_service_pool(r->stack, false)),
	      hosts + 1 - taken);
	XT_EQ(r->st.neighbours_pinned, 1);
	XT_EQ(r->st.neighbours, 256 + 1);
	XT_EQ(xchg_stack_lookup_neighbour(r->stack, be_ip(PEER_IP), &mac), 0);
	XT_EQ(r->ps.eth.opackets, taken - 1 + r->sends);
}

struct scenario {
	const char *name;
	void (*setup)(struct run *r);
	void (*check)(struct run *r);
};

static const struct scenario scenarios[] = {
	{ "first_flood", NULL, check_first_flood },
	{ "interleaved", NULL, check_interleaved },
	{ "staging_flood", NULL, check_staging_flood },
	{ "arp_storm", setup_arp_storm, check_arp_storm },
	{ "host_flood", NULL, check_host_flood },
	{ "peer_flood", setup_crit_pays, check_peer_flood },
	{ "collector_share", setup_crit_pays, check_collector_share },
};

static struct xchg_socket *
udp_socket(struct run *r, const char *name, uint16_t port,
	   enum xchg_priority prio)
{
	struct xchg_socket *s = xchg_udp_socket(r->stack, name, 64, prio);

	XT_CHECK(s != NULL, "%s: socket %s: %s", r->name, name,
		 rte_strerror(rte_errno));
	if (s != NULL)
		XT_EQ(xchg_udp_bind(s, 0, port), 0);
	return s;
}

static void
run_scenario(const struct scenario *sc, unsigned int idx)
{
	struct xchg_stack_conf conf = { .clock = tick_clock,
					.frag_timeout_ms = 60000 };
	struct xchg_port_conf pconf = { .nb_rx_desc = 256, .nb_tx_desc = 256 };
	struct run *r = calloc(1, sizeof(*r));
	char args[1400], name[XCHG_NAME_SIZE], when[96];

	r->name = sc->name;
	r->f = figures_of(sc->name);
	XT_CHECK(r->f != NULL, "%s: no capture written", sc->name);
	if (r->f == NULL)
		goto out;
	snprintf(r->vdev, sizeof(r->vdev), "net_pcap_iso%u", vdev_seq++);
	snprintf(args, sizeof(args), "rx_pcap=%s/%s.pcap,tx_pcap=%s/%s.tx.pcap",
		 dir, sc->name, dir, sc->name);
	if (rte_vdev_init(r->vdev, args) != 0 ||
	    rte_eth_dev_get_port_by_name(r->vdev, &r->port_id) != 0) {
		XT_CHECK(false, "%s: cannot create %s", sc->name, r->vdev);
		r->vdev[0] = '\0';
		goto out;
	}
	snprintf(name, sizeof(name), "iso%u", idx);
	r->arena = xt_arena(name, 2048, 0);
	r->port = xchg_port_create(r->arena, r->port_id, &pconf);
	r->stack = r->port != NULL ?
		   xchg_stack_create(r->arena, r->port, &conf) : NULL;
	XT_CHECK(r->stack != NULL, "%s: stack: %s", sc->name,
		 rte_strerror(rte_errno));
	if (r->stack == NULL)
		goto out;
	XT_EQ(xchg_stack_add_address(r->stack, be_ip(OUR_IP), 16), 0);
	r->crit.sock = udp_socket(r, "critical", CRIT_PORT,
				  XCHG_PRIO_CRITICAL);
	r->bulk.sock = udp_socket(r, "bulk", BULK_PORT, XCHG_PRIO_NORMAL);
	if (r->crit.sock == NULL || r->bulk.sock == NULL)
		goto out;
	if (sc->setup != NULL)
		sc->setup(r);
	XT_EQ(xchg_port_start(r->port), 0);
	replay(r);
	sc->check(r);
	check_attribution(r);
	snprintf(when, sizeof(when), "%s, stack up", sc->name);
	xt_census_ok(r->arena, when);
	xchg_port_stop(r->port);
	XT_EQ(xchg_socket_close(r->crit.sock), 0);
	XT_EQ(xchg_socket_close(r->bulk.sock), 0);
	XT_EQ(xchg_stack_free(r->stack), 0);
	r->stack = NULL;
	XT_EQ(xchg_port_free(r->port), 0);
	r->port = NULL;
	snprintf(when, sizeof(when), "%s, torn down", sc->name);
	xt_census_ok(r->arena, when);
	XT_EQ(xchg_arena_free(r->arena), 0);
	r->arena = NULL;
out:
	if (r->stack != NULL)
		xchg_stack_free(r->stack);
	if (r->port != NULL)
		xchg_port_free(r->port);
	if (r->vdev[0] != '\0')
		rte_vdev_uninit(r->vdev);
	if (r->arena != NULL)
		xchg_arena_free(r->arena);
	free(r);
}

int
main(int argc, char **argv)
{
	unsigned int i;
	int j, ret;

	if (argc < 2) {
		printf("usage: %s GEN_ISOLATION_PY [SCENARIO...]\n", argv[0]);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", xt_tmpdir());
	ret = generate(argv[1]);
	if (ret != 0) {
		xt_tmpdir_remove();
		return ret;
	}
	xt_eal_init(argv[0], "0", 0, NULL);
	for (i = 0; i < RTE_DIM(scenarios); i++) {
		bool want = argc < 3;

		for (j = 2; j < argc; j++)
			want |= strcmp(argv[j], scenarios[i].name) == 0;
		if (want) {
			unsigned int before = xt_failures;

			run_scenario(&scenarios[i], i);
			printf("%s %s\n", xt_failures == before ? "ok  " : "FAIL",
			       scenarios[i].name);
		}
	}
	xt_tmpdir_remove();
	return xt_done("isolation");
}
