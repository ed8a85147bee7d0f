/* SPDX-License-Identifier: BSD-3-Clause */

/* The exchange and allocation calls, each refusal they document, and
 * every free path giving the unit back to the right owner. */

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_mbuf.h>

#include "xchg_private.h"
#include "xchg_quota.h"
#include "xchg_test.h"

static struct xchg_arena *arena;
static struct rte_mempool *mp;

/* Frames as a NIC would produce them: raw buffers with no owner. */
static void
rx_frames(struct rte_mbuf **m, unsigned int n)
{
	unsigned int i;

	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, n), 0);
	for (i = 0; i < n; i++)
		rte_pktmbuf_append(m[i], 60);
}

static struct rte_mbuf *
chain(unsigned int segs)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(mp), *seg;
	unsigned int i;

	for (i = 1; i < segs; i++) {
		seg = rte_pktmbuf_alloc(mp);
		XT_EQ(rte_pktmbuf_chain(head, seg), 0);
	}
	return head;
}

static void
test_acquire_prefix(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "c", XCHG_KIND_SOCKET, 5);
	struct xchg_pool_stats s;
	struct rte_mbuf *m[8];

	rx_frames(m, 8);
	XT_EQ(xchg_acquire_burst(p, m, 0), 0);
	XT_EQ(xchg_acquire_burst(p, m, 3), 3);
	XT_EQ(xchg_acquire_burst(p, &m[3], 5), 2);
	XT_EQ(rte_errno, ENOBUFS);
	XT_CHECK(xchg_mbuf_owner(m[4]) == p && xchg_mbuf_owner(m[5]) == NULL,
		 "accepted prefix owned, refused rest untouched");
	xt_pool_expect(p, 5, "full");
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.accepted, 5);
	XT_EQ(s.refused, 3);
	XT_EQ(s.low_watermark, 0);
	/* Frames it already owns cost nothing. */
	XT_EQ(xchg_acquire_burst(p, m, 5), 5);
	xt_pool_expect(p, 5, "own frames again");
	xt_census_ok(arena, "consumer full, refused frames with the NIC");

	rte_pktmbuf_free_bulk(&m[5], 3); /* the caller drops the refused */
	rte_pktmbuf_free_bulk(m, 5);
	xt_pool_expect(p, 0, "freed by consumer");
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.returned, 5);
	XT_EQ(xchg_pool_free(p), 0);
}

static void
ext_free(void *addr __rte_unused, void *opaque __rte_unused)
{
}

static void
test_acquire_refusals(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "r", XCHG_KIND_SOCKET,
					       16);
	struct rte_mempool *plain = rte_pktmbuf_pool_create("plain", 63, 0,
			0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct rte_mbuf *m[4], *clone, *foreign, *freed;
	struct rte_mbuf_ext_shared_info *shinfo;
	struct xchg_pool_stats s;
	static char ext[256];
	uint16_t len = sizeof(ext);

	XT_EQ(xchg_acquire_burst(NULL, m, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	XT_EQ(xchg_acquire_burst(p, NULL, 1), 0);
	XT_EQ(rte_errno, EINVAL);

	rx_frames(m, 4);
	/* refcnt > 1: somebody else still reads the buffer. */
	rte_mbuf_refcnt_update(m[1], 1);
	XT_EQ(xchg_acquire_burst(p, m, 4), 1);
	XT_EQ(rte_errno, EBUSY);
	rte_mbuf_refcnt_update(m[1], -1);

	/* Indirect: the clone does not own its data. */
	clone = rte_pktmbuf_clone(m[2], mp);
	XT_CHECK(clone != NULL, "clone");
	XT_EQ(xchg_acquire_burst(p, &clone, 1), 0);
	XT_EQ(rte_errno, ENOTSUP);
	XT_EQ(xchg_acquire_burst(p, &m[2], 1), 0); /* now shared */
	XT_EQ(rte_errno, EBUSY);
	rte_pktmbuf_free(clone);

	/* External buffer attached to an arena mbuf. */
	shinfo = rte_pktmbuf_ext_shinfo_init_helper(ext, &len, ext_free, NULL);
	XT_CHECK(shinfo != NULL, "shinfo");
	rte_pktmbuf_attach_extbuf(m[3], ext, 0, len, shinfo);
	XT_EQ(xchg_acquire_burst(p, &m[3], 1), 0);
	XT_EQ(rte_errno, ENOTSUP);
	rte_pktmbuf_detach_extbuf(m[3]);

	/* Foreign: not from this arena. */
	foreign = rte_pktmbuf_alloc(plain);
	XT_EQ(xchg_acquire_burst(p, &foreign, 1), 0);
	XT_EQ(rte_errno, EXDEV);
	rte_pktmbuf_free(foreign);

	/* Freed: use after free is caught, not charged. */
	freed = rte_pktmbuf_alloc(mp);
	rte_pktmbuf_free(freed);
	XT_EQ(xchg_acquire_burst(p, &freed, 1), 0);
	XT_EQ(rte_errno, EALREADY);

	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.accepted, 1);
	XT_EQ(s.rejected, 6);
	XT_EQ(s.refused, 0);
	xt_pool_expect(p, 1, "only the good frame charged");
	rte_pktmbuf_free_bulk(m, 4);
	xt_census_ok(arena, "after refusals");
	XT_EQ(xchg_pool_free(p), 0);
	rte_mempool_free(plain);
}

static void
test_chains(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "ch", XCHG_KIND_SOCKET,
					       5);
	struct rte_mbuf *m[3];

	m[0] = chain(3);
	m[1] = chain(3);
	m[2] = chain(1);
	/* 3 + 3 > 5: the second chain is refused whole, not split. */
	XT_EQ(xchg_acquire_burst(p, m, 3), 1);
	XT_EQ(rte_errno, ENOBUFS);
	xt_pool_expect(p, 3, "one chain of three");
	XT_CHECK(xchg_mbuf_owner(m[1]) == NULL &&
		 xchg_mbuf_owner(m[1]->next) == NULL, "refused chain untouched");
	XT_CHECK(xchg_mbuf_owner(m[0]->next->next) == p, "last segment owned");
	rte_pktmbuf_free(m[1]);
	/* Every segment's free gives its unit back. */
	rte_pktmbuf_free(m[0]);
	xt_pool_expect(p, 0, "chain freed");
	XT_EQ(xchg_acquire_burst(p, &m[2], 1), 1);
	rte_pktmbuf_free(m[2]);

	/* A chain longer than the pool's whole quota. */
	m[0] = chain(6);
	XT_EQ(xchg_acquire_burst(p, m, 1), 0);
	XT_EQ(rte_errno, ENOBUFS);
	rte_pktmbuf_free(m[0]);
	xt_census_ok(arena, "chains");
	XT_EQ(xchg_pool_free(p), 0);
}

static void
test_transfer_between_owners(void)
{
	struct xchg_pool *a = xchg_pool_create(arena, "a", XCHG_KIND_SOCKET, 4);
	struct xchg_pool *b = xchg_pool_create(arena, "b", XCHG_KIND_TX_QUEUE,
					       2);
	struct rte_mbuf *m[4];

	XT_EQ(xchg_alloc_bulk(a, m, 4), 0);
	/* b pays for two frames and a gets their units back at once. */
	XT_EQ(xchg_acquire_burst(b, m, 4), 2);
	XT_EQ(rte_errno, ENOBUFS);
	xt_pool_expect(a, 2, "sender refilled");
	xt_pool_expect(b, 2, "queue paid");
	XT_CHECK(xchg_mbuf_owner(m[0]) == b && xchg_mbuf_owner(m[3]) == a,
		 "owners after transfer");
	xt_census_ok(arena, "after transfer");
	rte_pktmbuf_free_bulk(m, 4);
	xt_pool_expect(a, 0, "a after free");
	xt_pool_expect(b, 0, "b after free");
	XT_EQ(xchg_pool_free(a), 0);
	XT_EQ(xchg_pool_free(b), 0);
}

static void
test_alloc(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "tx", XCHG_KIND_SOCKET, 8);
	struct xchg_pool *other = xchg_pool_create(arena, "o",
						   XCHG_KIND_SOCKET, 8);
	struct rte_mbuf *m[9];
	unsigned int i;

	XT_EQ(xchg_alloc_bulk(p, m, 0), 0);
	XT_EQ(xchg_alloc_bulk(NULL, m, 1), -EINVAL);
	XT_EQ(xchg_alloc_bulk(p, NULL, 1), -EINVAL);
	XT_EQ(xchg_alloc_bulk(p, m, 9), -ENOBUFS); /* all or nothing */
	xt_pool_expect(p, 0, "nothing taken by a failed allocation");
	XT_EQ(xchg_alloc_bulk(p, m, 8), 0);
	for (i = 0; i < 8; i++)
		XT_CHECK(xchg_mbuf_owner(m[i]) == p &&
			 rte_pktmbuf_data_len(m[i]) == 0 &&
			 m[i]->pool == mp, "allocated mbuf %u", i);
	XT_EQ(xchg_alloc_bulk(p, &m[8], 1), -ENOBUFS);
	xt_pool_expect(other, 0, "nobody else touched");
	XT_EQ(xchg_alloc_bulk(other, &m[8], 1), 0);
	rte_pktmbuf_free(m[8]);
	for (i = 0; i < 8; i++)
		rte_pktmbuf_free(m[i]); /* one at a time this time */
	xt_pool_expect(p, 0, "freed one by one");
	xt_census_ok(arena, "alloc");
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_pool_free(other), 0);
}

static void
test_clones(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "cl", XCHG_KIND_CAPTURE,
					       4);
	struct rte_mempool *indirect = rte_pktmbuf_pool_create("ind", 63, 0, 0,
						0, SOCKET_ID_ANY);
	struct rte_mbuf *m, *c1, *c2;

	XT_EQ(xchg_alloc_bulk(p, &m, 1), 0);
	/* A clone from the arena itself and one from another pool. */
	c1 = rte_pktmbuf_clone(m, mp);
	c2 = rte_pktmbuf_clone(m, indirect);
	XT_CHECK(c1 != NULL && c2 != NULL, "clones");
	XT_CHECK(xchg_mbuf_owner(c1) == NULL, "arena clone has no owner");
	rte_pktmbuf_free(m);
	xt_pool_expect(p, 1, "clones still reference the data");
	rte_pktmbuf_free(c1);
	xt_pool_expect(p, 1, "one clone left");
	rte_pktmbuf_free(c2);
	/* Credited exactly once, at the last reference. */
	xt_pool_expect(p, 0, "last reference freed");
	xt_census_ok(arena, "clones");
	XT_EQ(xchg_pool_free(p), 0);
	rte_mempool_free(indirect);
}

static void
test_misuse_in_a_burst(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "mis", XCHG_KIND_SOCKET,
					       8);
	struct xchg_pool_stats s;
	struct rte_mbuf *m[4], *twice[3];

	/* nb_segs 0 would pass every per-segment check unchecked. */
	rx_frames(m, 1);
	m[0]->nb_segs = 0;
	XT_EQ(xchg_acquire_burst(p, m, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	m[0]->nb_segs = 1;
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.rejected, 1);
	rte_pktmbuf_free(m[0]);

	/* The same buffer twice in one burst is paid for once: fast path
	 * (fresh frames) and general path (a chain in front). */
	rx_frames(m, 1);
	twice[0] = m[0];
	twice[1] = m[0];
	XT_EQ(xchg_acquire_burst(p, twice, 2), 2);
	xt_pool_expect(p, 1, "one buffer twice, fast path");
	rte_pktmbuf_free(m[0]);
	xt_pool_expect(p, 0, "freed once");
	m[0] = chain(2);
	rx_frames(&m[1], 1);
	twice[0] = m[0];
	twice[1] = m[1];
	twice[2] = m[1];
	XT_EQ(xchg_acquire_burst(p, twice, 3), 3);
	xt_pool_expect(p, 3, "a chain and one buffer twice, general path");
	rte_pktmbuf_free(m[0]);
	rte_pktmbuf_free(m[1]);
	xt_pool_expect(p, 0, "all freed");
	xt_census_ok(arena, "after misuse in a burst");
	XT_EQ(xchg_pool_free(p), 0);
}

static void
test_owner_lookup(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	XT_CHECK(xchg_mbuf_owner(NULL) == NULL, "NULL mbuf");
	XT_CHECK(xchg_mbuf_owner(m) == NULL, "raw buffer");
	rte_pktmbuf_free(m);
}

/* A thread without an lcore allocates one buffer from @arg's pool and
 * frees it: the pool's second acquirer, so it turns shared. */
static void *
second_acquirer(void *arg)
{
	struct rte_mbuf *m;

	if (xchg_alloc_bulk(arg, &m, 1) == 0)
		rte_pktmbuf_free(m);
	return NULL;
}

/* Take exactly @want frames into @p in bursts of @burst: all of them are
 * taken, and one more is refused; then every frame is freed. */
static void
fill_exact(struct xchg_pool *p, unsigned int want, unsigned int burst,
	   const char *when)
{
	struct rte_mbuf *m[128];
	unsigned int got = 0, n, fails = xt_failures;

	XT_CHECK(want < RTE_DIM(m), "%s: fill of %u", when, want);
	rx_frames(m, want + 1);
	while (got < want) {
		n = RTE_MIN(burst, want - got);
		XT_CHECK(xchg_acquire_burst(p, &m[got], n) == n,
			 "%s: refused at %u held of quota %u (rte_errno %d)",
			 when, got, want, rte_errno);
		got += n;
		if (xt_failures != fails)
			break;
	}
	xt_pool_expect(p, got, when);
	XT_EQ(xchg_acquire_burst(p, &m[want], 1), 0);
	XT_EQ(rte_errno, ENOBUFS);
	xt_census_ok(arena, when);
	rte_pktmbuf_free_bulk(m, want + 1);
	xt_pool_expect(p, 0, when);
}

/*
 * The owner's prepaid stock (lib/xchg/xchg_quota.h): units in stock are
 * counted as taken (never above the quota), are not buffers (in_use,
 * available, the low watermark and the census count buffers only), are
 * used before any refusal, and are given back when the pool turns shared
 * and when a resize lowers the quota.
 */
static void
test_stock(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "st", XCHG_KIND_SOCKET,
					       40);
	struct xchg_pool_stats s;
	struct rte_mbuf *m[48];
	pthread_t t;

	/* One frame: the owner takes it and a stock beside it. */
	rx_frames(m, 1);
	XT_EQ(xchg_acquire_burst(p, m, 1), 1);
	if (arena->owner_ok) {
		XT_CHECK(p->acq != XCHG_ACQ_SHARED && p->stock > 0,
			 "owned, with a stock (acq %u stock %u)", p->acq,
			 p->stock);
		/* Counted as taken: in_use + stock within the quota. */
		XT_CHECK(p->stock + 1 <= 40, "stock %u within the quota",
			 p->stock);
	}
	/* ...but not as held: one buffer, 39 available, and a census that
	 * counts one buffer (owner_count would name the stock). */
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.in_use, 1);
	XT_EQ(s.available, 39);
	XT_EQ(s.low_watermark, 39);
	xt_census_ok(arena, "one frame and a stock");
	/* A burst the stock alone cannot pay: the stock and the rest of the
	 * quota together pay it, nothing is refused below the quota. */
	rx_frames(&m[1], 40);
	XT_EQ(xchg_acquire_burst(p, &m[1], 39), 39);
	XT_EQ(xchg_acquire_burst(p, &m[40], 1), 0);
	XT_EQ(rte_errno, ENOBUFS);
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.in_use, 40);
	XT_EQ(s.available, 0);
	XT_EQ(s.low_watermark, 0);
	xt_census_ok(arena, "full");
	rte_pktmbuf_free_bulk(m, 41);
	xt_pool_expect(p, 0, "freed");
	/* Bursts of every size, a stock left over each time. */
	fill_exact(p, 40, 1, "one by one");
	fill_exact(p, 40, 3, "bursts of 3");
	fill_exact(p, 40, 32, "bursts of 32");
	/* A lower quota, a stock left from the old one: the resize gives
	 * it back, so the pool takes exactly the new quota. */
	rx_frames(m, 1);
	XT_EQ(xchg_acquire_burst(p, m, 1), 1);
	rte_pktmbuf_free(m[0]);
	XT_EQ(xchg_pool_resize(p, 5, NULL), 0);
	XT_EQ(p->stock, 0);
	fill_exact(p, 5, 1, "lowered to 5");
	XT_EQ(xchg_pool_resize(p, 40, NULL), 0);
	fill_exact(p, 40, 2, "raised to 40");
	/* A second acquirer: the pool turns shared and its stock comes
	 * back, so the whole quota can still be taken. */
	rx_frames(m, 1);
	XT_EQ(xchg_acquire_burst(p, m, 1), 1);
	rte_pktmbuf_free(m[0]);
	XT_CHECK(!arena->owner_ok || p->stock > 0, "a stock to give back");
	XT_EQ(pthread_create(&t, NULL, second_acquirer, p), 0);
	XT_EQ(pthread_join(t, NULL), 0);
	XT_EQ(p->acq, XCHG_ACQ_SHARED);
	XT_EQ(p->stock, 0);
	fill_exact(p, 40, 4, "shared");
	XT_EQ(xchg_pool_free(p), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0", 0, NULL);
	arena = xt_arena("exchange", 512, 0);
	mp = xchg_arena_mempool(arena);
	XT_RUN(test_acquire_prefix);
	XT_RUN(test_acquire_refusals);
	XT_RUN(test_chains);
	XT_RUN(test_transfer_between_owners);
	XT_RUN(test_alloc);
	XT_RUN(test_clones);
	XT_RUN(test_misuse_in_a_burst);
	XT_RUN(test_owner_lookup);
	XT_RUN(test_stock);
	xt_census_ok(arena, "end");
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("exchange");
}
