/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Transfers: xchg_acquire_burst() of frames another pool owns (a
 * service's replies or a socket's sends handed to a TX queue). Runs of
 * other owners' single-segment direct frames take the fast transfer
 * (lib/xchg/xchg_exchange.c, acquire_transfer(); several owners' runs:
 * test_runs); everything else the general path. Either way the books are the same: the acquirer pays
 * one unit per frame it did not own, the previous owner gets one back,
 * and every refusal is the one the general path makes.
 */

#include <errno.h>
#include <pthread.h>

#include <rte_mbuf.h>

#include "xchg_test.h"

static struct xchg_arena *arena;
static struct rte_mempool *mp;

static struct xchg_pool_stats
stats(struct xchg_pool *p)
{
	struct xchg_pool_stats s;

	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	return s;
}

/* Frames of one owner, as a socket's sends. */
static void
owned(struct xchg_pool *p, struct rte_mbuf **m, unsigned int n)
{
	unsigned int i;

	XT_EQ(xchg_alloc_bulk(p, m, n), 0);
	for (i = 0; i < n; i++)
		rte_pktmbuf_append(m[i], 60);
}

static void
check_owners(struct rte_mbuf **m, unsigned int n, struct xchg_pool *p,
	     const char *when)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		XT_CHECK(xchg_mbuf_owner(m[i]) == p, "%s: frame %u owner",
			 when, i);
}

static void
test_one_owner(void)
{
	struct xchg_pool *a = xchg_pool_create(arena, "snd", XCHG_KIND_SOCKET,
					       40);
	struct xchg_pool *q = xchg_pool_create(arena, "txq",
					       XCHG_KIND_TX_QUEUE, 40);
	struct xchg_pool_stats sa, sq;
	struct rte_mbuf *m[40];

	owned(a, m, 32);
	xt_pool_expect(a, 32, "sender holds its burst");
	/* A whole burst of one other owner: the acquirer's units taken,
	 * the sender's given back, one for one. */
	XT_EQ(xchg_acquire_burst(q, m, 32), 32);
	xt_pool_expect(a, 0, "sender refilled");
	xt_pool_expect(q, 32, "queue paid");
	check_owners(m, 32, q, "one owner");
	sa = stats(a);
	sq = stats(q);
	XT_EQ(sa.returned, 32);
	XT_EQ(sq.accepted, 32);
	XT_EQ(sq.refused + sq.rejected, 0);
	XT_EQ(sq.low_watermark, 8);
	xt_census_ok(arena, "after a burst of one owner");

	/* Frames the acquirer owns already cost nothing, in front of a
	 * run of the sender's. */
	owned(a, &m[32], 4);
	XT_EQ(xchg_acquire_burst(q, &m[28], 8), 8);
	xt_pool_expect(q, 36, "own frames free of charge");
	xt_pool_expect(a, 0, "sender refilled again");
	XT_EQ(stats(a).returned, 36);
	/* Neither paid for nor credited back: the acquirer's own frames
	 * never run through the transfer. */
	XT_EQ(stats(q).returned, 0);
	check_owners(m, 36, q, "own and transferred");

	/* Fresh frames, then a run of the sender's: one pass. */
	rte_pktmbuf_free_bulk(m, 36);
	xt_pool_expect(q, 0, "queue's frames freed");
	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, 2), 0);
	owned(a, &m[2], 3);
	XT_EQ(xchg_acquire_burst(q, m, 5), 5);
	xt_pool_expect(q, 5, "fresh and transferred");
	xt_pool_expect(a, 0, "sender paid back");
	/* Back to the sender: the queue is the previous owner now. */
	XT_EQ(xchg_acquire_burst(a, m, 5), 5);
	xt_pool_expect(q, 0, "queue paid back");
	xt_pool_expect(a, 5, "sender holds them again");
	check_owners(m, 5, a, "transferred back");
	rte_pktmbuf_free_bulk(m, 5);
	xt_census_ok(arena, "one owner");
	XT_EQ(xchg_pool_free(a), 0);
	XT_EQ(xchg_pool_free(q), 0);
}

static void
test_mixed_owners(void)
{
	struct xchg_pool *a = xchg_pool_create(arena, "a", XCHG_KIND_SOCKET, 8);
	struct xchg_pool *b = xchg_pool_create(arena, "b", XCHG_KIND_SOCKET, 8);
	struct xchg_pool *q = xchg_pool_create(arena, "q", XCHG_KIND_TX_QUEUE,
					       16);
	struct rte_mbuf *m[8], *burst[8];

	owned(a, m, 4);
	owned(b, &m[4], 4);
	/* Interleaved owners: every previous owner gets its own units. */
	burst[0] = m[0];
	burst[1] = m[4];
	burst[2] = m[1];
	burst[3] = m[5];
	burst[4] = m[2];
	burst[5] = m[3];
	burst[6] = m[6];
	burst[7] = m[7];
	XT_EQ(xchg_acquire_burst(q, burst, 8), 8);
	xt_pool_expect(q, 8, "queue paid for both");
	xt_pool_expect(a, 0, "first owner paid back");
	xt_pool_expect(b, 0, "second owner paid back");
	XT_EQ(stats(a).returned, 4);
	XT_EQ(stats(b).returned, 4);
	check_owners(m, 8, q, "mixed owners");
	rte_pktmbuf_free_bulk(m, 8);
	xt_pool_expect(q, 0, "freed");
	xt_census_ok(arena, "mixed owners");
	XT_EQ(xchg_pool_free(a), 0);
	XT_EQ(xchg_pool_free(b), 0);
	XT_EQ(xchg_pool_free(q), 0);
}

/*
 * Several owners' runs in one call (issue 17: the stack's services send
 * their replies in one TX call): ARP's, ICMP's, ARP's again, each run
 * taken by the fast transfer and each owner credited for its own; then
 * the same runs to an acquirer with units for part of them: the owner
 * of each frame taken is credited, the rest stays its owner's.
 */
static void
test_runs(void)
{
	struct xchg_pool *a = xchg_pool_create(arena, "ra", XCHG_KIND_SERVICE,
					       8);
	struct xchg_pool *b = xchg_pool_create(arena, "rb", XCHG_KIND_SERVICE,
					       8);
	struct xchg_pool *q = xchg_pool_create(arena, "rq",
					       XCHG_KIND_TX_QUEUE, 16);
	struct xchg_pool *small = xchg_pool_create(arena, "rs",
						   XCHG_KIND_TX_QUEUE, 5);
	struct rte_mbuf *m[12];

	/* a a a b b a a b */
	owned(a, m, 3);
	owned(b, &m[3], 2);
	owned(a, &m[5], 2);
	owned(b, &m[7], 1);
	XT_EQ(xchg_acquire_burst(q, m, 8), 8);
	xt_pool_expect(q, 8, "queue paid for every run");
	xt_pool_expect(a, 0, "a credited for its two runs");
	xt_pool_expect(b, 0, "b credited for its two runs");
	XT_EQ(stats(a).returned, 5);
	XT_EQ(stats(b).returned, 3);
	XT_EQ(stats(q).refused + stats(q).rejected, 0);
	check_owners(m, 8, q, "runs");
	rte_pktmbuf_free_bulk(m, 8);
	xt_census_ok(arena, "several owners' runs");

	/* b b a a a b b, to a queue with 5 units: b b a a a taken. */
	owned(b, m, 2);
	owned(a, &m[2], 3);
	owned(b, &m[5], 2);
	XT_EQ(xchg_acquire_burst(small, m, 7), 5);
	XT_EQ(rte_errno, ENOBUFS);
	xt_pool_expect(small, 5, "the queue's units spent");
	xt_pool_expect(a, 0, "a's whole run taken");
	xt_pool_expect(b, 2, "b keeps its second run");
	XT_EQ(stats(a).returned, 5 + 3);
	XT_EQ(stats(b).returned, 3 + 2);
	XT_EQ(stats(small).refused, 2);
	check_owners(m, 5, small, "runs taken");
	check_owners(&m[5], 2, b, "the run refused");
	rte_pktmbuf_free_bulk(m, 7);
	xt_census_ok(arena, "several owners' runs, part refused");
	XT_EQ(xchg_pool_free(a), 0);
	XT_EQ(xchg_pool_free(b), 0);
	XT_EQ(xchg_pool_free(q), 0);
	XT_EQ(xchg_pool_free(small), 0);
}

static void
test_misuse(void)
{
	struct xchg_pool *a = xchg_pool_create(arena, "ms", XCHG_KIND_SOCKET,
					       16);
	struct xchg_pool *q = xchg_pool_create(arena, "mq",
					       XCHG_KIND_TX_QUEUE, 16);
	struct rte_mbuf *m[6], *burst[3], *clone;
	struct xchg_pool_stats sq;

	/* A buffer freed and still sent (double free): rejected behind a
	 * run, the run before it taken. */
	owned(a, m, 3);
	rte_pktmbuf_free(m[2]);
	xt_pool_expect(a, 2, "one freed");
	XT_EQ(xchg_acquire_burst(q, m, 3), 2);
	XT_EQ(rte_errno, EALREADY);
	xt_pool_expect(q, 2, "the run before it paid");
	xt_pool_expect(a, 0, "sender paid back for the run only");
	XT_EQ(stats(a).returned, 3);
	/* ... and first in the burst. */
	XT_EQ(xchg_acquire_burst(q, &m[2], 1), 0);
	XT_EQ(rte_errno, EALREADY);
	sq = stats(q);
	XT_EQ(sq.accepted, 2);
	XT_EQ(sq.rejected, 2);
	xt_pool_expect(q, 2, "nothing paid for a freed buffer");
	rte_pktmbuf_free_bulk(m, 2);

	/* refcnt 2: somebody else still reads it. */
	owned(a, m, 3);
	rte_mbuf_refcnt_update(m[1], 1);
	XT_EQ(xchg_acquire_burst(q, m, 3), 1);
	XT_EQ(rte_errno, EBUSY);
	xt_pool_expect(q, 1, "refcnt 2 refused");
	xt_pool_expect(a, 2, "sender keeps what was refused");
	XT_CHECK(xchg_mbuf_owner(m[1]) == a && xchg_mbuf_owner(m[2]) == a,
		 "refused frames keep their owner");
	rte_mbuf_refcnt_update(m[1], -1);
	rte_pktmbuf_free_bulk(m, 3);
	xt_pool_expect(a, 0, "sender's freed");
	xt_pool_expect(q, 0, "queue's freed");

	/* Indirect: a clone the sender paid for. */
	owned(a, m, 2);
	clone = xchg_pool_clone(a, m[1]);
	XT_CHECK(clone != NULL, "clone");
	burst[0] = m[0];
	burst[1] = clone;
	XT_EQ(xchg_acquire_burst(q, burst, 2), 1);
	XT_EQ(rte_errno, ENOTSUP);
	xt_pool_expect(a, 2, "the clone stays the sender's");
	xt_pool_expect(q, 1, "the direct frame paid");
	rte_pktmbuf_free(clone);
	/* The clone's direct buffer has refcnt 2 until the clone goes. */
	XT_EQ(xchg_acquire_burst(q, &m[1], 1), 1);
	xt_pool_expect(a, 0, "sender paid back");
	rte_pktmbuf_free_bulk(m, 2);

	/* A chain the sender owns: general path, one unit per segment. */
	owned(a, m, 3);
	XT_EQ(rte_pktmbuf_chain(m[1], m[2]), 0);
	XT_EQ(xchg_acquire_burst(q, m, 2), 2);
	xt_pool_expect(q, 3, "a chain costs its segments");
	xt_pool_expect(a, 0, "every segment paid back");

	/* A foreign buffer behind a run. */
	burst[0] = m[0];
	burst[1] = rte_pktmbuf_alloc(
		rte_mempool_lookup("xfer_plain"));
	XT_CHECK(burst[1] != NULL, "foreign");
	XT_EQ(xchg_acquire_burst(a, burst, 2), 1);
	XT_EQ(rte_errno, EXDEV);
	xt_pool_expect(a, 1, "the run taken back");
	xt_pool_expect(q, 2, "queue paid back");
	rte_pktmbuf_free(burst[1]);

	/* The same buffer twice in one transfer: paid for once. */
	rte_pktmbuf_free_bulk(m, 2);
	owned(a, m, 1);
	burst[0] = m[0];
	burst[1] = m[0];
	XT_EQ(xchg_acquire_burst(q, burst, 2), 2);
	xt_pool_expect(q, 1, "one buffer twice");
	xt_pool_expect(a, 0, "credited once");
	rte_pktmbuf_free(m[0]);
	xt_census_ok(arena, "misuse in a transfer");
	XT_EQ(xchg_pool_free(a), 0);
	XT_EQ(xchg_pool_free(q), 0);
}

static void
test_starved(void)
{
	struct xchg_pool *a = xchg_pool_create(arena, "sa", XCHG_KIND_SOCKET, 8);
	struct xchg_pool *q = xchg_pool_create(arena, "sq", XCHG_KIND_TX_QUEUE,
					       3);
	struct xchg_pool_stats sq;
	struct rte_mbuf *m[8];

	owned(a, m, 8);
	/* The prefix the acquirer can pay for, the rest refused. */
	XT_EQ(xchg_acquire_burst(q, m, 8), 3);
	XT_EQ(rte_errno, ENOBUFS);
	xt_pool_expect(q, 3, "queue full");
	xt_pool_expect(a, 5, "sender paid back for three");
	check_owners(&m[3], 5, a, "refused frames keep their owner");
	/* Nothing left at all. */
	XT_EQ(xchg_acquire_burst(q, &m[3], 5), 0);
	XT_EQ(rte_errno, ENOBUFS);
	sq = stats(q);
	XT_EQ(sq.accepted, 3);
	XT_EQ(sq.refused, 10);
	XT_EQ(sq.low_watermark, 0);
	xt_pool_expect(a, 5, "sender unchanged");
	/* Units back: the next transfer goes through. */
	rte_pktmbuf_free(m[0]);
	XT_EQ(xchg_acquire_burst(q, &m[3], 5), 1);
	XT_EQ(rte_errno, ENOBUFS);
	xt_pool_expect(q, 3, "queue full again");
	xt_pool_expect(a, 4, "one more paid back");
	rte_pktmbuf_free_bulk(&m[1], 7);
	xt_pool_expect(a, 0, "sender empty");
	xt_pool_expect(q, 0, "queue empty");
	xt_census_ok(arena, "starved acquirer");
	XT_EQ(xchg_pool_free(a), 0);
	XT_EQ(xchg_pool_free(q), 0);
}

struct remote_burst {
	struct xchg_pool *p;
	struct rte_mbuf **m;
	unsigned int n, done;
};

static void *
remote_acquire(void *arg)
{
	struct remote_burst *r = arg;

	r->done = xchg_acquire_burst(r->p, r->m, r->n);
	return NULL;
}

/* A pool several threads acquire for (SHARED: the units by
 * compare-and-swap, the counters of a thread without an lcore in the
 * shared set): transfers from a thread without an lcore and from this
 * one keep the same books. */
static void
test_shared(void)
{
	struct xchg_pool *a = xchg_pool_create(arena, "snd", XCHG_KIND_SOCKET,
					       24);
	struct xchg_pool *q = xchg_pool_create(arena, "txq",
					       XCHG_KIND_TX_QUEUE, 20);
	struct rte_mbuf *m[24];
	struct remote_burst r;
	pthread_t th;

	owned(a, m, 24);
	XT_EQ(xchg_acquire_burst(q, m, 4), 4);
	r = (struct remote_burst){ q, &m[4], 8, 0 };
	XT_EQ(pthread_create(&th, NULL, remote_acquire, &r), 0);
	XT_EQ(pthread_join(th, NULL), 0);
	XT_EQ(r.done, 8);
	xt_pool_expect(q, 12, "transfers on two threads");
	xt_pool_expect(a, 12, "sender paid back for both");
	/* Past the quota: the prefix it can pay for, the rest refused. */
	XT_EQ(xchg_acquire_burst(q, &m[12], 12), 8);
	XT_EQ(rte_errno, ENOBUFS);
	xt_pool_expect(q, 20, "queue full");
	xt_pool_expect(a, 4, "four still the sender's");
	XT_EQ(stats(a).returned, 20);
	XT_EQ(stats(q).accepted, 20);
	XT_EQ(stats(q).refused, 4);
	check_owners(m, 20, q, "shared");
	check_owners(&m[20], 4, a, "refused");
	rte_pktmbuf_free_bulk(m, 24);
	xt_census_ok(arena, "shared acquirer");
	XT_EQ(xchg_pool_free(a), 0);
	XT_EQ(xchg_pool_free(q), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	struct rte_mempool *plain;

	xt_eal_init(argv[0], "0", 0, NULL);
	arena = xt_arena("transfer", 512, 0);
	mp = xchg_arena_mempool(arena);
	plain = rte_pktmbuf_pool_create("xfer_plain", 63, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	XT_CHECK(plain != NULL, "plain pool");
	XT_RUN(test_one_owner);
	XT_RUN(test_mixed_owners);
	XT_RUN(test_runs);
	XT_RUN(test_misuse);
	XT_RUN(test_starved);
	XT_RUN(test_shared);
	xt_census_ok(arena, "end");
	rte_mempool_free(plain);
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("transfer");
}
