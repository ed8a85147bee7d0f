/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * A hog owner that never frees loses only its own frames, another owner
 * gets every one of its frames, and the NIC never runs dry.
 *
 * net_null receives into the arena; a software demux alternates frames
 * between a "hog" socket, which keeps every frame it is given, and a
 * "critical" socket, which frees every frame at once. The hog's quota
 * caps what it can keep; past it, its frames are refused and dropped by
 * the caller, which returns them to the arena for the NIC.
 *
 * The same traffic over a plain shared pool (rte_pktmbuf_pool_create of
 * the same size, no exchange) must starve the NIC and the critical
 * socket: that shows this test can tell the two apart.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xchg_test.h"

#define NB_BUFFERS   2048
#define HOG_QUOTA    256
#define CRIT_QUOTA   256
#define BURST        32
#define NB_FRAMES    100000
#define NB_BURSTS    (NB_FRAMES / BURST)

struct run {
	uint64_t bursts;
	uint64_t frames;          /* frames the NIC delivered */
	uint64_t short_bursts;    /* rx_burst returned fewer than asked */
	uint64_t dry_bursts;      /* rx_burst returned nothing */
	int64_t first_dry;        /* burst index of the first dry one */
	uint64_t offered_hog, offered_crit;
	uint64_t hog_kept, hog_dropped;
	uint64_t crit_got, crit_dropped;
	uint64_t bad_errno;
	uint32_t min_free;        /* fewest free buffers seen after an RX */
};

/* Split a burst: even frames to the hog, odd ones to the critical
 * socket (by frame number, so the split is fair across bursts). */
static void
demux(struct rte_mbuf **pkts, uint16_t n, uint64_t first,
      struct rte_mbuf **hog, unsigned int *nh,
      struct rte_mbuf **crit, unsigned int *nc)
{
	unsigned int i;

	*nh = 0;
	*nc = 0;
	for (i = 0; i < n; i++) {
		if ((first + i) % 2 == 0)
			hog[(*nh)++] = pkts[i];
		else
			crit[(*nc)++] = pkts[i];
	}
}

static void
rx_step(struct run *r, uint16_t port, struct rte_mempool *pool,
	uint16_t *n, struct rte_mbuf **pkts)
{
	uint32_t free_now;

	*n = rte_eth_rx_burst(port, 0, pkts, BURST);
	if (*n < BURST)
		r->short_bursts++;
	if (*n == 0) {
		if (r->dry_bursts++ == 0)
			r->first_dry = (int64_t)r->bursts;
	}
	free_now = rte_mempool_avail_count(pool);
	if (free_now < r->min_free)
		r->min_free = free_now;
	r->bursts++;
}

static void
test_hog_isolated_by_exchange(void)
{
	struct xchg_arena *a = xt_arena("hogarena", NB_BUFFERS, 0);
	struct rte_mempool *mp = xchg_arena_mempool(a);
	struct xchg_pool *hog, *crit;
	struct rte_mbuf *kept[HOG_QUOTA];
	struct xchg_pool_stats hs, cs;
	struct rte_eth_stats es;
	struct xchg_census c;
	struct run r;
	uint16_t port;
	unsigned int i, owned_by_hog = 0;

	memset(&r, 0, sizeof(r));
	r.first_dry = -1;
	r.min_free = UINT32_MAX;
	hog = xchg_pool_create(a, "hog", XCHG_KIND_SOCKET, HOG_QUOTA);
	crit = xchg_pool_create(a, "critical", XCHG_KIND_SOCKET, CRIT_QUOTA);
	XT_CHECK(hog != NULL && crit != NULL, "pools");
	if (hog == NULL || crit == NULL ||
	    xt_port_start("net_null0", mp, 512, &port) != 0)
		return;
	XT_EQ(rte_eth_stats_reset(port), 0);

	while (r.bursts < NB_BURSTS) {
		struct rte_mbuf *pkts[BURST], *h[BURST], *cr[BURST];
		unsigned int nh, nc, got;
		uint16_t n;

		rx_step(&r, port, mp, &n, pkts);
		demux(pkts, n, r.frames, h, &nh, cr, &nc);
		r.frames += n;
		r.offered_hog += nh;
		r.offered_crit += nc;

		/* The hog keeps whatever it is allowed to take. */
		got = xchg_acquire_burst(hog, h, nh);
		if (got < nh && rte_errno != ENOBUFS)
			r.bad_errno++;
		for (i = 0; i < got; i++) {
			if (r.hog_kept < HOG_QUOTA)
				kept[r.hog_kept] = h[i];
			else
				rte_pktmbuf_free(h[i]); /* over quota: counted */
			r.hog_kept++;
		}
		/* Refused: the caller drops them, back to the NIC. */
		rte_pktmbuf_free_bulk(&h[got], nh - got);
		r.hog_dropped += nh - got;

		/* The critical socket takes all and frees at once. */
		got = xchg_acquire_burst(crit, cr, nc);
		if (got < nc && rte_errno != ENOBUFS)
			r.bad_errno++;
		r.crit_got += got;
		r.crit_dropped += nc - got;
		rte_pktmbuf_free_bulk(cr, nc);
	}

	XT_EQ(rte_eth_stats_get(port, &es), 0);
	XT_EQ(xchg_pool_stats_get(hog, &hs), 0);
	XT_EQ(xchg_pool_stats_get(crit, &cs), 0);
	printf("exchange: %" PRIu64 " bursts, %" PRIu64 " frames (ipackets %" PRIu64 ", rx_nombuf %" PRIu64 "), short bursts %" PRIu64 ", fewest free %u; hog kept %" PRIu64 " dropped %" PRIu64 "; critical got %" PRIu64 " of %" PRIu64 "\n",
	       r.bursts, r.frames, es.ipackets, es.rx_nombuf, r.short_bursts,
	       r.min_free, r.hog_kept, r.hog_dropped, r.crit_got,
	       r.offered_crit);

	/* The NIC never ran dry. */
	XT_EQ(r.frames, (uint64_t)NB_BURSTS * BURST);
	XT_EQ(r.short_bursts, 0);
	XT_EQ(r.dry_bursts, 0);
	XT_EQ(es.ipackets, r.frames);
	XT_EQ(es.rx_nombuf, 0);
	XT_EQ(es.imissed, 0);
	XT_CHECK(r.min_free >= NB_BUFFERS - HOG_QUOTA - BURST,
		 "fewest free %u", r.min_free);
	XT_EQ(r.bad_errno, 0);
	/* The critical socket got every frame meant for it. */
	XT_EQ(r.offered_crit, r.frames / 2);
	XT_EQ(r.crit_got, r.offered_crit);
	XT_EQ(r.crit_dropped, 0);
	XT_EQ(cs.accepted, r.offered_crit);
	XT_EQ(cs.refused, 0);
	XT_EQ(cs.rejected, 0);
	XT_EQ(cs.returned, r.offered_crit);
	xt_pool_expect(crit, 0, "critical after run");
	/* The hog lost only its own frames, past its quota. */
	XT_EQ(r.hog_kept, HOG_QUOTA);
	XT_EQ(hs.accepted, HOG_QUOTA);
	XT_EQ(hs.refused, r.offered_hog - HOG_QUOTA);
	XT_EQ(r.hog_dropped, r.offered_hog - HOG_QUOTA);
	XT_EQ(hs.returned, 0);
	XT_EQ(hs.low_watermark, 0);
	xt_pool_expect(hog, HOG_QUOTA, "hog after run");
	for (i = 0; i < RTE_MIN(r.hog_kept, (uint64_t)HOG_QUOTA); i++)
		owned_by_hog += xchg_mbuf_owner(kept[i]) == hog;
	XT_EQ(owned_by_hog, HOG_QUOTA);

	/* Conserved with the hog still holding its quota. */
	xt_census_ok(a, "hog holding");
	XT_EQ(xchg_arena_census(a, &c), 0);
	XT_EQ(c.owned, HOG_QUOTA);
	XT_EQ(c.in_rings, 0);
	XT_EQ(c.free, NB_BUFFERS - HOG_QUOTA);
	XT_EQ(rte_mempool_avail_count(mp), NB_BUFFERS - HOG_QUOTA);

	/* The hog lets go at last. */
	rte_pktmbuf_free_bulk(kept, RTE_MIN(r.hog_kept, (uint64_t)HOG_QUOTA));
	XT_EQ(xchg_pool_stats_get(hog, &hs), 0);
	XT_EQ(hs.returned, HOG_QUOTA);
	xt_pool_expect(hog, 0, "hog freed");
	xt_census_ok(a, "hog freed");
	XT_EQ(rte_mempool_avail_count(mp), NB_BUFFERS);

	xt_port_close(port);
	XT_EQ(xchg_pool_free(hog), 0);
	XT_EQ(xchg_pool_free(crit), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

/* Same traffic, plain shared pool, no exchange: the hog drains it. */
static void
test_hog_starves_plain_pool(void)
{
	static struct rte_mbuf *kept[NB_BUFFERS];
	struct rte_mempool *plain;
	struct rte_eth_stats es;
	struct run r;
	uint16_t port;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	r.first_dry = -1;
	r.min_free = UINT32_MAX;
	plain = rte_pktmbuf_pool_create("hogplain", NB_BUFFERS, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	XT_CHECK(plain != NULL, "plain pool: %s", rte_strerror(rte_errno));
	if (plain == NULL || xt_port_start("net_null1", plain, 512, &port) != 0)
		return;
	XT_EQ(rte_eth_stats_reset(port), 0);

	while (r.bursts < NB_BURSTS) {
		struct rte_mbuf *pkts[BURST], *h[BURST], *cr[BURST];
		unsigned int nh, nc;
		uint16_t n;

		rx_step(&r, port, plain, &n, pkts);
		demux(pkts, n, r.frames, h, &nh, cr, &nc);
		r.frames += n;
		r.offered_hog += nh;
		r.offered_crit += nc;
		for (i = 0; i < nh; i++) {
			if (r.hog_kept < NB_BUFFERS)
				kept[r.hog_kept++] = h[i];
			else
				rte_pktmbuf_free(h[i]); /* cannot happen */
		}
		r.crit_got += nc;
		rte_pktmbuf_free_bulk(cr, nc);
	}

	XT_EQ(rte_eth_stats_get(port, &es), 0);
	printf("plain: %" PRIu64 " bursts, %" PRIu64 " frames (ipackets %" PRIu64 ", rx_nombuf %" PRIu64 "), short bursts %" PRIu64 ", dry bursts %" PRIu64 " from burst %" PRId64 ", fewest free %u; hog kept %" PRIu64 "; critical got %" PRIu64 " of %" PRIu64 " it would have had\n",
	       r.bursts, r.frames, es.ipackets, es.rx_nombuf, r.short_bursts,
	       r.dry_bursts, r.first_dry, r.min_free, r.hog_kept, r.crit_got,
	       (uint64_t)NB_BURSTS * BURST / 2);

	/* The NIC ran dry: the hog took the shared pool. */
	XT_CHECK(r.dry_bursts > 0, "the plain pool never ran dry");
	XT_CHECK(r.first_dry >= 0 &&
		 r.first_dry <= NB_BUFFERS / (BURST / 2) + 1,
		 "first dry burst %" PRId64, r.first_dry);
	XT_EQ(r.min_free, 0);
	XT_CHECK(r.frames < (uint64_t)NB_BURSTS * BURST / 10,
		 "frames %" PRIu64, r.frames);
	/* And the critical socket starved with it. */
	XT_CHECK(r.crit_got < (uint64_t)NB_BURSTS * BURST / 20,
		 "critical got %" PRIu64, r.crit_got);
	XT_CHECK(r.hog_kept > NB_BUFFERS - BURST, "hog kept %" PRIu64,
		 r.hog_kept);
	XT_EQ(es.ipackets, r.frames);

	rte_pktmbuf_free_bulk(kept, r.hog_kept);
	XT_EQ(rte_mempool_avail_count(plain), NB_BUFFERS);
	xt_port_close(port);
	rte_mempool_free(plain);
}

int
main(int argc __rte_unused, char **argv)
{
	const char *extra[] = { "--vdev=net_null0", "--vdev=net_null1" };

	xt_eal_init(argv[0], "0", 2, extra);
	XT_RUN(test_hog_isolated_by_exchange);
	XT_RUN(test_hog_starves_plain_pool);
	return xt_done("hog");
}
