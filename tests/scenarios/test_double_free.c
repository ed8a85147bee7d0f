/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Two lcores freeing the same buffers at the same moment (issue 13 item
 * 1, issue 11 item 4). Each round the main lcore allocates a burst from
 * an owner's reservation; both lcores meet at a spin barrier and free
 * the whole burst with rte_pktmbuf_free_bulk(), in the same order, so
 * that their reads and writes of each buffer's tag interleave. Exactly
 * one of the two frees of each buffer may count: the owner is credited
 * once, the other free is counted as a double free, and the buffer is
 * stored once.
 *
 * Strict marking (xchg_arena_conf::strict), checked exactly after all
 * rounds: double_frees = rounds x burst, the owner's available units
 * equal its quota (an over-credit is not hidden by a cap), the census is
 * conserved, and draining the arena from both lcores returns every
 * buffer exactly once.
 *
 * Default (plain) marking, the same rounds: each round, every one of the
 * burst's second frees is either caught (double_frees) or, when the two
 * lcores' plain loads of a tag met, credited twice; from the first such
 * round on, the census must name it (over_credit), and the test stops
 * there, as an operator would. A round with no slip must leave the
 * census conserved.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_errno.h>

#include "xchg_test.h"

#define NB_BUFFERS 1024
#define QUOTA      256
#define BURST      32
#define ROUNDS     20000

static struct rte_mbuf *bufs[BURST];
static uint32_t arrive;     /* barrier: 2 per round */
static uint32_t done_round; /* worker finished this round */
static uint32_t stop;

/* Drained objects, from both lcores. */
static void *drained[NB_BUFFERS * 2];
static uint32_t nb_drained;

static void
barrier(uint32_t round)
{
	__atomic_fetch_add(&arrive, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrive, __ATOMIC_ACQUIRE) < 2 * round)
		rte_pause();
}

static int
worker(void *arg __rte_unused)
{
	uint32_t r;

	for (r = 1; r <= ROUNDS; r++) {
		barrier(r);
		if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
			break;
		rte_pktmbuf_free_bulk(bufs, BURST);
		__atomic_store_n(&done_round, r, __ATOMIC_RELEASE);
	}
	return 0;
}

/* Take everything this lcore can get from the arena, one at a time. */
static void
drain_here(struct rte_mempool *mp)
{
	void *obj;

	while (rte_mempool_get(mp, &obj) == 0) {
		uint32_t slot = __atomic_fetch_add(&nb_drained, 1,
						   __ATOMIC_RELAXED);

		if (slot >= RTE_DIM(drained)) {
			rte_mempool_put(mp, obj);
			break;
		}
		drained[slot] = obj;
	}
}

static int
drain_worker(void *arg)
{
	drain_here(arg);
	return 0;
}

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void * const *)a;
	uintptr_t y = (uintptr_t)*(void * const *)b;

	return x < y ? -1 : x > y;
}

static struct xchg_arena *
arena_marked(const char *name, bool strict)
{
	struct xchg_arena_conf conf = {
		.name = name,
		.socket_id = SOCKET_ID_ANY,
		.nb_buffers = NB_BUFFERS,
		.strict = strict,
	};

	return xt_arena_conf(&conf);
}

/* Rounds until the first double free that slipped through plain
 * marking; each must be named by the census. */
static void
test_simultaneous_double_free_plain(void)
{
	struct xchg_arena *a = arena_marked("dfp_arena", false);
	struct xchg_pool *p = xchg_pool_create(a, "dfp_owner",
					       XCHG_KIND_SOCKET, QUOTA);
	unsigned int worker_id = rte_get_next_lcore(-1, 1, 0);
	struct xchg_arena_info info;
	struct xchg_census c;
	uint64_t caught = 0;
	uint32_t r, slipped = 0, rounds = 0;
	int ret;

	XT_CHECK(p != NULL, "pool: %s", rte_strerror(rte_errno));
	if (p == NULL)
		return;
	__atomic_store_n(&arrive, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&done_round, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
	rte_eal_remote_launch(worker, NULL, worker_id);
	for (r = 1; r <= ROUNDS; r++) {
		ret = xchg_alloc_bulk(p, bufs, BURST);
		if (ret != 0 || slipped != 0) {
			XT_CHECK(ret == 0, "round %u: alloc: %d", r, ret);
			__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
			barrier(r);
			break;
		}
		barrier(r);
		rte_pktmbuf_free_bulk(bufs, BURST);
		while (__atomic_load_n(&done_round, __ATOMIC_ACQUIRE) != r)
			rte_pause();
		rounds = r;
		xchg_arena_info_get(a, &info);
		slipped = (uint32_t)(caught + BURST - info.double_frees);
		caught = info.double_frees;
		ret = xchg_arena_census(a, &c);
		if (slipped == 0 && ret != 0) {
			XT_CHECK(ret == 0, "round %u: nothing slipped, yet the census is broken", r);
			break;
		}
		if (slipped != 0) {
			char line[512];

			xchg_census_format(&c, line, sizeof(line));
			printf("  round %u: %u double frees credited twice; census: %s\n",
			       r, slipped, line);
			XT_CHECK(ret != 0 && c.broken == XCHG_CENSUS_OVER_CREDIT,
				 "census must name the over-credit");
		}
	}
	rte_eal_wait_lcore(worker_id);
	printf("  plain marking: %u rounds, %" PRIu64 " simultaneous double frees caught, %u credited twice (named by the census)\n",
	       rounds, caught, slipped);
	XT_CHECK(rounds > 0, "no round ran");
	if (slipped == 0) {
		XT_CHECK(xt_census_ok(a, "after the double frees"), "census");
		XT_EQ(xchg_pool_free(p), 0);
		XT_EQ(xchg_arena_free(a), 0);
	}
	/* Otherwise a buffer sits twice in the free store: the arena is
	 * left as the census found it, for the process's exit. */
}

static void
test_simultaneous_double_free(void)
{
	struct xchg_arena *a = arena_marked("df_arena", true);
	struct rte_mempool *mp = xchg_arena_mempool(a);
	struct xchg_pool *p = xchg_pool_create(a, "df_owner",
					       XCHG_KIND_SOCKET, QUOTA);
	struct xchg_arena_info info;
	struct xchg_pool_stats s;
	unsigned int worker_id = rte_get_next_lcore(-1, 1, 0);
	uint32_t r, i, dups = 0;
	int ret;

	XT_CHECK(p != NULL, "pool: %s", rte_strerror(rte_errno));
	if (p == NULL)
		return;
	rte_eal_remote_launch(worker, NULL, worker_id);
	for (r = 1; r <= ROUNDS; r++) {
		ret = xchg_alloc_bulk(p, bufs, BURST);
		if (ret != 0) {
			XT_CHECK(ret == 0, "round %u: alloc: %d", r, ret);
			__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
			barrier(r);
			break;
		}
		barrier(r);
		rte_pktmbuf_free_bulk(bufs, BURST);
		while (__atomic_load_n(&done_round, __ATOMIC_ACQUIRE) != r)
			rte_pause();
	}
	rte_eal_wait_lcore(worker_id);

	xchg_arena_info_get(a, &info);
	printf("  %u rounds of %u simultaneous double frees: %" PRIu64 " caught\n",
	       ROUNDS, BURST, info.double_frees);
	XT_EQ(info.double_frees, (uint64_t)ROUNDS * BURST);
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.available, QUOTA);
	XT_EQ(s.over_credit, 0);
	XT_EQ(s.returned, (uint64_t)ROUNDS * BURST);
	XT_CHECK(xt_census_ok(a, "after the double frees"), "census");

	/* Drain from both lcores: each buffer exactly once. */
	rte_eal_remote_launch(drain_worker, mp, worker_id);
	rte_eal_wait_lcore(worker_id);
	drain_here(mp);
	qsort(drained, nb_drained, sizeof(drained[0]), cmp_ptr);
	for (i = 1; i < nb_drained; i++)
		dups += drained[i] == drained[i - 1];
	printf("  drained %u objects, %u duplicate pointers\n", nb_drained,
	       dups);
	XT_EQ(nb_drained, NB_BUFFERS);
	XT_EQ(dups, 0);
	for (i = 0; i < nb_drained; i++)
		if (i == 0 || drained[i] != drained[i - 1])
			rte_mempool_put(mp, drained[i]);
	XT_CHECK(xt_census_ok(a, "after the drain"), "census");
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0-1", 0, NULL);
	if (rte_lcore_count() < 2) {
		printf("SKIP: needs two lcores\n");
		return 77;
	}
	XT_RUN(test_simultaneous_double_free);
	XT_RUN(test_simultaneous_double_free_plain);
	return xt_done("double_free");
}
