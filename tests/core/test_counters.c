/* SPDX-License-Identifier: BSD-3-Clause */

/* A pool's event counters are kept per lcore (a plain load and store by
 * the only writer) plus one shared, atomic set for threads without an
 * lcore: check that the sums are exact when two lcores and a non-EAL
 * thread work one pool at once, that a reset loses no later count, and
 * that a reused pool slot starts from zero. */

#include <pthread.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "xchg_test.h"

#define BURST 16
#define ROUNDS 20000   /* bursts per worker */
#define ALLOCS 20000   /* allocations of the thread with no lcore */

static struct xchg_arena *arena;
static struct rte_mempool *mp;
static struct xchg_pool *pool;
static volatile int start;

/* A NIC's part and an application's, on the calling lcore: raw frames
 * exchanged into the pool, then freed. */
static int
exchanger(void *arg)
{
	uint64_t *accepted = arg;
	struct rte_mbuf *m[BURST];
	unsigned int r, got;

	while (!start)
		;
	for (r = 0; r < ROUNDS; r++) {
		if (rte_pktmbuf_alloc_bulk(mp, m, BURST) != 0)
			continue;
		got = xchg_acquire_burst(pool, m, BURST);
		*accepted += got;
		rte_pktmbuf_free_bulk(m, BURST);
	}
	return 0;
}

/* A thread the EAL does not know: it counts in the shared set. */
static void *
outsider(void *arg)
{
	uint64_t *allocated = arg;
	struct rte_mbuf *m;
	unsigned int i;

	while (!start)
		;
	for (i = 0; i < ALLOCS; i++) {
		if (xchg_alloc_bulk(pool, &m, 1) != 0)
			continue;
		(*allocated)++;
		rte_pktmbuf_free(m);
	}
	return NULL;
}

static void
test_sums_over_lcores(void)
{
	uint64_t acc_main = 0, acc_worker = 0, allocated = 0;
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	struct xchg_pool_stats st;
	pthread_t t;

	XT_CHECK(worker < RTE_MAX_LCORE, "needs a second lcore");
	XT_EQ(rte_eal_remote_launch(exchanger, &acc_worker, worker), 0);
	XT_EQ(pthread_create(&t, NULL, outsider, &allocated), 0);
	start = 1;
	exchanger(&acc_main);
	rte_eal_wait_lcore(worker);
	pthread_join(t, NULL);

	XT_EQ(xchg_pool_stats_get(pool, &st), 0);
	XT_CHECK(acc_main > 0 && acc_worker > 0 && allocated > 0,
		 "every thread worked: %" PRIu64 " %" PRIu64 " %" PRIu64,
		 acc_main, acc_worker, allocated);
	XT_EQ(st.accepted, acc_main + acc_worker);
	XT_EQ(st.allocated, allocated);
	/* Every unit taken came back, each counted once. */
	XT_EQ(st.returned, st.accepted + st.allocated);
	XT_EQ(st.in_use, 0);
	xt_census_ok(arena, "after two lcores and a thread");
}

static void
test_reset_moves_the_base_line(void)
{
	struct rte_mbuf *m[BURST];
	struct xchg_pool_stats st;

	XT_EQ(xchg_pool_stats_reset(pool), 0);
	XT_EQ(xchg_pool_stats_get(pool, &st), 0);
	XT_EQ(st.accepted, 0);
	XT_EQ(st.returned, 0);
	XT_EQ(st.allocated, 0);
	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, BURST), 0);
	XT_EQ(xchg_acquire_burst(pool, m, BURST), BURST);
	rte_pktmbuf_free_bulk(m, BURST);
	XT_EQ(xchg_pool_stats_get(pool, &st), 0);
	XT_EQ(st.accepted, BURST);
	XT_EQ(st.returned, BURST);
}

static void
test_reused_slot_starts_from_zero(void)
{
	struct xchg_arena_conf conf = {
		.name = "counters_reuse",
		.socket_id = SOCKET_ID_ANY,
		.nb_buffers = 1024,
		.max_pools = 1,
	};
	struct xchg_arena *a = xchg_arena_create(&conf);
	struct rte_mempool *amp;
	struct rte_mbuf *m[BURST];
	struct xchg_pool_stats st;
	struct xchg_pool *p;

	XT_CHECK(a != NULL, "arena: %s", rte_strerror(rte_errno));
	if (a == NULL)
		return;
	amp = xchg_arena_mempool(a);
	p = xchg_pool_create(a, "first", XCHG_KIND_SOCKET, 64);
	XT_CHECK(p != NULL, "first pool");
	XT_EQ(rte_pktmbuf_alloc_bulk(amp, m, BURST), 0);
	XT_EQ(xchg_acquire_burst(p, m, BURST), BURST);
	rte_pktmbuf_free_bulk(m, BURST);
	XT_EQ(xchg_pool_free(p), 0);
	/* One slot: the second pool takes the first one's. */
	p = xchg_pool_create(a, "second", XCHG_KIND_SOCKET, 64);
	XT_CHECK(p != NULL, "second pool");
	XT_EQ(xchg_pool_stats_get(p, &st), 0);
	XT_EQ(st.accepted, 0);
	XT_EQ(st.returned, 0);
	XT_EQ(xchg_pool_free(p), 0);
	xt_census_ok(a, "reused slot");
	XT_EQ(xchg_arena_free(a), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0-1", 0, NULL);
	arena = xt_arena("counters", 4096, 32);
	mp = xchg_arena_mempool(arena);
	pool = xchg_pool_create(arena, "shared", XCHG_KIND_SOCKET, 2048);
	XT_CHECK(pool != NULL, "pool");
	XT_RUN(test_sums_over_lcores);
	XT_RUN(test_reset_moves_the_base_line);
	XT_RUN(test_reused_slot_starts_from_zero);
	XT_EQ(xchg_pool_free(pool), 0);
	xt_census_ok(arena, "end");
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("counters");
}
