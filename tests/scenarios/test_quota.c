/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The quota's slow paths under stress (issue 17 item 2): owners whose
 * counters have one writer each (lib/xchg/xchg_quota.h), on three
 * lcores mapped onto the machine's CPUs with --lcores, so that they
 * also run preempted in the middle of a section.
 *
 * Lcore A receives: takes raw bursts from the arena (as a NIC would) and
 *   exchanges them into the pipeline pools, which only A acquires for
 *   (each one's owner: plain stores), into the churn pool, and, in the
 *   three-lcore run, into the RSS pool; sends what it got to B.
 * Lcore B frees everything A and C send it: the returns of a pipeline.
 * Lcore C (three-lcore run) also exchanges into the RSS pool (which
 *   therefore turns shared: compare-and-swap) and allocates from it,
 *   and runs a hog that takes its whole quota and holds it.
 * The main lcore resizes the pipeline and RSS pools up and down, frees
 *   and remakes the churn pool (its slot's old counters must not leak
 *   into the new pool), and takes censuses.
 *
 * Checked after every burst: the test's own book of what each pool
 * holds (raised after the library charged, lowered before the free that
 * credits: never above the library's in_use) stays within the quota's
 * ceiling. Checked at every refusal of a pipeline pool (A its only
 * acquirer): what A's book said before the call, plus what the call
 * took, reaches the quota's floor: no unit was stranded in B's counters.
 * At the end: every pool back to zero in use, its counters exact, the
 * census conserved; then the main lcore takes each pool's whole quota,
 * not one unit more (A's pools turn shared: the owner's stock must come
 * back to be taken).
 *
 * Live census (issue 17 item 4), on an arena with few unreserved
 * buffers: censuses taken back to back while A and B move traffic never
 * say BROKEN; then a leak is injected (raw buffers taken and kept, more
 * than the unreserved part and the lcores' bound) and a census must
 * report it within a second, traffic still running.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "xchg_test.h"

#define NB_BUFFERS 8192
#define NB_PIPE    2
#define BURST      32
#define Q_START    256
#define Q_LOW      96
#define Q_HIGH     384
#define RING_SIZE  8192
#define RUN_MS     3000

enum { P_PIPE0, P_PIPE1, P_RSS, P_CHURN, P_HOG, NB_P };

struct pool_book {
	struct xchg_pool *pool;   /* NULL: not in use (churn) */
	uint64_t held;            /* raised after the charge, lowered
				   * before the free: <= in_use */
	uint64_t held_hi;         /* lowered after the free: >= in_use
				   * but for the acquirer's own call */
	uint32_t ceiling;         /* at or above the quota, always */
	uint32_t floor;           /* at or below the quota, always */
};

static struct xchg_arena *arena;
static struct rte_mempool *mp;
static struct rte_ring *to_b;
static struct pool_book book[NB_P];
static uint32_t stop, three;
static uint64_t a_iter;            /* A's iterations, for the churn */
static uint64_t refused_ok, refused_bad, over_bad, bursts;
static uint64_t c_exchanged, hog_held;

/* The pool a buffer is charged to, as the test's index, in the first 8
 * bytes of its data room. */
static inline void
mark(struct rte_mbuf *m, unsigned int idx)
{
	*rte_pktmbuf_mtod(m, uint64_t *) = idx;
}

static inline unsigned int
marked(struct rte_mbuf *m)
{
	return (unsigned int)*rte_pktmbuf_mtod(m, uint64_t *);
}

static void
check_ceiling(unsigned int idx)
{
	uint32_t c0 = __atomic_load_n(&book[idx].ceiling, __ATOMIC_ACQUIRE);
	uint64_t held = __atomic_load_n(&book[idx].held, __ATOMIC_ACQUIRE);
	uint32_t c1 = __atomic_load_n(&book[idx].ceiling, __ATOMIC_ACQUIRE);

	if (held > RTE_MAX(c0, c1) &&
	    __atomic_fetch_add(&over_bad, 1, __ATOMIC_RELAXED) < 5)
		printf("  pool %u holds %" PRIu64 ", above its quota %u\n",
		       idx, held, RTE_MAX(c0, c1));
}

/* Exchange one raw burst into pool @idx; sends the taken to B. */
static void
exchange_into(unsigned int idx, bool sole_acquirer)
{
	struct xchg_pool *p = __atomic_load_n(&book[idx].pool,
					      __ATOMIC_ACQUIRE);
	struct rte_mbuf *m[BURST];
	uint32_t f0, f1;
	uint64_t h0;
	unsigned int i, got, sent;

	if (p == NULL || rte_pktmbuf_alloc_bulk(mp, m, BURST) != 0)
		return;
	for (i = 0; i < BURST; i++)
		mark(m[i], idx);
	f0 = __atomic_load_n(&book[idx].floor, __ATOMIC_ACQUIRE);
	h0 = __atomic_load_n(&book[idx].held_hi, __ATOMIC_ACQUIRE);
	got = xchg_acquire_burst(p, m, BURST);
	__atomic_fetch_add(&book[idx].held, got, __ATOMIC_RELEASE);
	__atomic_fetch_add(&book[idx].held_hi, got, __ATOMIC_RELEASE);
	f1 = __atomic_load_n(&book[idx].floor, __ATOMIC_ACQUIRE);
	check_ceiling(idx);
	__atomic_fetch_add(&bursts, 1, __ATOMIC_RELAXED);
	if (got < BURST && sole_acquirer) {
		/* Refused: A's book before the call plus what it took must
		 * reach the quota, or units were stranded. */
		if (h0 + got >= RTE_MIN(f0, f1))
			__atomic_fetch_add(&refused_ok, 1, __ATOMIC_RELAXED);
		else if (__atomic_fetch_add(&refused_bad, 1,
					    __ATOMIC_RELAXED) < 5)
			printf("  pool %u refused at %" PRIu64 " + %u held, quota at least %u\n",
			       idx, h0, got, RTE_MIN(f0, f1));
	}
	rte_pktmbuf_free_bulk(&m[got], BURST - got);
	sent = rte_ring_mp_enqueue_burst(to_b, (void **)m, got, NULL);
	for (i = sent; i < got; i++) {
		__atomic_fetch_sub(&book[idx].held, 1, __ATOMIC_RELEASE);
		rte_pktmbuf_free(m[i]);
		__atomic_fetch_sub(&book[idx].held_hi, 1, __ATOMIC_RELEASE);
	}
}

static int
lcore_a(void *arg __rte_unused)
{
	unsigned int i = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		exchange_into(i % NB_PIPE, true);
		if (i % 4 == 0)
			exchange_into(P_CHURN, true);
		if (__atomic_load_n(&three, __ATOMIC_RELAXED) && i % 2 == 0)
			exchange_into(P_RSS, false);
		i++;
		__atomic_store_n(&a_iter, a_iter + 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static void
b_free(void)
{
	struct rte_mbuf *m[BURST];
	unsigned int n, i;

	while ((n = rte_ring_sc_dequeue_burst(to_b, (void **)m, BURST,
					      NULL)) != 0)
		for (i = 0; i < n; i++) {
			unsigned int idx = marked(m[i]);

			__atomic_fetch_sub(&book[idx].held, 1,
					   __ATOMIC_RELEASE);
			rte_pktmbuf_free(m[i]);
			__atomic_fetch_sub(&book[idx].held_hi, 1,
					   __ATOMIC_RELEASE);
		}
}

/* B now and then stops for a moment, so that A runs into the quotas and
 * the refusals' slow path (summing B's counters) is taken. */
static int
lcore_b(void *arg __rte_unused)
{
	unsigned int k = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		b_free();
		if (++k % 32 == 0)
			rte_delay_us_block(200);
	}
	return 0;
}

/* C: a second acquirer of the RSS pool (exchange and allocation), and a
 * hog that takes all it can of its own pool and holds it a while. */
static int
lcore_c(void *arg __rte_unused)
{
	struct rte_mbuf *hog[Q_START];
	struct rte_mbuf *m[BURST];
	unsigned int nb_hog = 0, i, k = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		exchange_into(P_RSS, false);
		if (xchg_alloc_bulk(book[P_RSS].pool, m, 8) == 0) {
			for (i = 0; i < 8; i++)
				mark(m[i], P_RSS);
			__atomic_fetch_add(&book[P_RSS].held, 8,
					   __ATOMIC_RELEASE);
			__atomic_fetch_add(&book[P_RSS].held_hi, 8,
					   __ATOMIC_RELEASE);
			check_ceiling(P_RSS);
			if (rte_ring_mp_enqueue_bulk(to_b, (void **)m, 8,
						     NULL) == 0) {
				__atomic_fetch_sub(&book[P_RSS].held, 8,
						   __ATOMIC_RELEASE);
				rte_pktmbuf_free_bulk(m, 8);
				__atomic_fetch_sub(&book[P_RSS].held_hi, 8,
						   __ATOMIC_RELEASE);
			}
			__atomic_fetch_add(&c_exchanged, 8, __ATOMIC_RELAXED);
		}
		/* The hog: fill up, hold for a while, let go. */
		while (nb_hog < Q_START &&
		       xchg_alloc_bulk(book[P_HOG].pool, &hog[nb_hog], 1) == 0)
			nb_hog++;
		__atomic_store_n(&hog_held, nb_hog, __ATOMIC_RELAXED);
		if (++k % 64 == 0) {
			rte_pktmbuf_free_bulk(hog, nb_hog);
			nb_hog = 0;
		}
	}
	rte_pktmbuf_free_bulk(hog, nb_hog);
	return 0;
}

/* After a run, from the main lcore: the pool takes its whole quota, no
 * more (the pools A owned turn shared here: their stock must come back
 * to be taken, xchg_quota.h), then gives it all back. */
static void
fill_quota(unsigned int idx)
{
	struct xchg_pool *p = book[idx].pool;
	struct xchg_pool_stats s;
	struct rte_mbuf *m[BURST];
	unsigned int got = 0, n, k;

	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	while (got < s.quota) {
		n = RTE_MIN((unsigned int)BURST, s.quota - got);
		XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, n), 0);
		k = xchg_acquire_burst(p, m, n);
		XT_CHECK(k == n, "pool %u: refused at %u held of quota %u",
			 idx, got + k, s.quota);
		if (k != n) {
			rte_pktmbuf_free_bulk(m, n);
			break;
		}
		got += k;
		/* Held in B's ring (B is stopped) until the end. */
		XT_EQ(rte_ring_mp_enqueue_burst(to_b, (void **)m, n, NULL), n);
	}
	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, 1), 0);
	XT_EQ(xchg_acquire_burst(p, m, 1), 0);
	rte_pktmbuf_free(m[0]);
	while ((n = rte_ring_sc_dequeue_burst(to_b, (void **)m, BURST,
					      NULL)) != 0)
		rte_pktmbuf_free_bulk(m, n);
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.in_use, 0);
}

static void
resize(unsigned int idx, uint32_t q)
{
	struct xchg_pool *p = book[idx].pool;
	struct xchg_pool_stats s;
	uint32_t out = 0;

	xchg_pool_stats_get(p, &s);
	/* Ceiling up before a rise, floor down before a cut; each set
	 * to the result once done. */
	if (q > s.quota)
		__atomic_store_n(&book[idx].ceiling, q, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&book[idx].floor, q, __ATOMIC_RELEASE);
	xchg_pool_resize(p, q, &out);
	__atomic_store_n(&book[idx].ceiling, out, __ATOMIC_RELEASE);
	__atomic_store_n(&book[idx].floor, out, __ATOMIC_RELEASE);
}

static struct xchg_pool *
make_pool(unsigned int idx, const char *name, uint32_t quota)
{
	struct xchg_pool *p = xchg_pool_create(arena, name, XCHG_KIND_SOCKET,
					       quota);

	if (p == NULL) {
		printf("pool %s: %s\n", name, rte_strerror(rte_errno));
		exit(1);
	}
	book[idx].ceiling = quota;
	book[idx].floor = quota;
	__atomic_store_n(&book[idx].pool, p, __ATOMIC_RELEASE);
	return p;
}

/* Free the churn pool once nothing of it is in flight, and make it
 * again (the same slot comes back after the others are tried). */
static unsigned int
churn(void)
{
	struct xchg_pool *p = book[P_CHURN].pool;
	uint64_t seen;

	__atomic_store_n(&book[P_CHURN].pool, NULL, __ATOMIC_RELEASE);
	seen = __atomic_load_n(&a_iter, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&a_iter, __ATOMIC_ACQUIRE) < seen + 2 &&
	       !__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		rte_pause();
	do {
		struct xchg_pool_stats st;

		xchg_pool_stats_get(p, &st);
		if (st.in_use == 0)
			break;
		rte_pause();
	} while (1);
	XT_EQ(xchg_pool_free(p), 0);
	make_pool(P_CHURN, "q_churn", 64);
	return 1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
run(bool with_c)
{
	unsigned int la = rte_get_next_lcore(-1, 1, 0);
	unsigned int lb = rte_get_next_lcore(la, 1, 0);
	unsigned int lc = rte_get_next_lcore(lb, 1, 0);
	unsigned int i, churns = 0, censuses = 0, resizes = 0;
	uint64_t end = now_ms() + RUN_MS;
	struct xchg_census cen;
	struct xchg_pool_stats s;

	__atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&three, with_c, __ATOMIC_RELEASE);
	rte_eal_remote_launch(lcore_a, NULL, la);
	rte_eal_remote_launch(lcore_b, NULL, lb);
	if (with_c)
		rte_eal_remote_launch(lcore_c, NULL, lc);
	for (i = 0; now_ms() < end; i++) {
		resize(i % NB_PIPE, i % 3 == 0 ? Q_LOW : i % 3 == 1 ?
		       Q_HIGH : Q_START);
		if (with_c)
			resize(P_RSS, i % 2 ? Q_LOW : Q_HIGH);
		resizes++;
		if (i % 8 == 0)
			churns += churn();
		if (i % 16 == 0) {
			xchg_arena_census(arena, &cen);
			censuses++;
		}
		rte_delay_us_sleep(500);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	b_free();
	printf("  %s lcores: %" PRIu64 " bursts, %u resizes, %u churns, %u live censuses, %" PRIu64 " refusals checked, %" PRIu64 " allocated by C\n",
	       with_c ? "three" : "two", bursts, resizes, churns, censuses,
	       refused_ok, c_exchanged);
	XT_EQ(over_bad, 0);
	XT_EQ(refused_bad, 0);
	XT_CHECK(bursts > 0 && refused_ok > 0,
		 "the run must reach the quotas (%" PRIu64 " refusals)",
		 refused_ok);
	for (i = 0; i < NB_P; i++) {
		XT_EQ(book[i].held, 0);
		XT_EQ(book[i].held_hi, 0);
		XT_EQ(xchg_pool_stats_get(book[i].pool, &s), 0);
		XT_EQ(s.in_use, 0);
		XT_EQ(s.over_credit, 0);
		XT_EQ(s.available, s.quota);
	}
	XT_CHECK(xt_census_ok(arena, "after the run"), "census");
	for (i = 0; i < NB_P; i++)
		fill_quota(i);
	XT_CHECK(xt_census_ok(arena, "after every pool filled"), "census");
}

static void
test_census_live(void)
{
	struct xchg_arena *busy = arena;
	struct rte_mempool *busy_mp = mp;
	struct xchg_pool *reserve;
	struct xchg_census c;
	struct rte_mbuf *leak[1024];
	char line[512];
	unsigned int la = rte_get_next_lcore(-1, 1, 0);
	unsigned int lb = rte_get_next_lcore(la, 1, 0);
	unsigned int i, n = 0, broken = 0, in_motion = 0, leak_n;
	uint64_t end, t0;

	/* A small arena: the reserve pool leaves 128 buffers unreserved. */
	arena = xt_arena("q_live", 2048, -1);
	mp = xchg_arena_mempool(arena);
	for (i = 0; i < NB_P; i++)
		book[i].pool = NULL;
	make_pool(P_PIPE0, "l_pipe0", Q_START);
	make_pool(P_PIPE1, "l_pipe1", Q_START);
	reserve = xchg_pool_create(arena, "l_reserve", XCHG_KIND_SERVICE,
				   2048 - 2 * Q_START - 128);
	XT_CHECK(reserve != NULL, "reserve: %s", rte_strerror(rte_errno));
	__atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&three, 0, __ATOMIC_RELEASE);
	rte_eal_remote_launch(lcore_a, NULL, la);
	rte_eal_remote_launch(lcore_b, NULL, lb);
	end = now_ms() + 1500;
	while (now_ms() < end) {
		if (xchg_arena_census(arena, &c) != 0 &&
		    broken++ < 3) {
			xchg_census_format(&c, line, sizeof(line));
			printf("  census during traffic: %s\n", line);
		}
		in_motion += c.in_motion;
		n++;
	}
	printf("  %u censuses during two-lcore traffic: %u broken, %u in motion\n",
	       n, broken, in_motion);
	XT_EQ(broken, 0);
	XT_CHECK(n > 0, "no census");

	/* The leak: more than unreserved plus the bound (128 a counter
	 * set without lcore caches: one chunk each way). */
	leak_n = 128 + 128 * (rte_lcore_count() + 1) + BURST;
	leak_n = RTE_MIN(leak_n, (unsigned int)RTE_DIM(leak));
	XT_EQ(rte_pktmbuf_alloc_bulk(mp, leak, leak_n), 0);
	t0 = now_ms();
	while (xchg_arena_census(arena, &c) == 0 && now_ms() < t0 + 1000)
		;
	xchg_census_format(&c, line, sizeof(line));
	printf("  leak of %u buffers, census after %" PRIu64 " ms: %s\n",
	       leak_n, now_ms() - t0, line);
	XT_CHECK(!c.conserved && c.broken == XCHG_CENSUS_RINGS_OVER,
		 "the leak must be reported within a second");
	rte_pktmbuf_free_bulk(leak, leak_n);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	b_free();
	XT_CHECK(xt_census_ok(arena, "after the live census"), "census");
	XT_EQ(xchg_pool_free(book[P_PIPE0].pool), 0);
	XT_EQ(xchg_pool_free(book[P_PIPE1].pool), 0);
	XT_EQ(xchg_pool_free(reserve), 0);
	XT_EQ(xchg_arena_free(arena), 0);
	arena = busy;
	mp = busy_mp;
}

static void
test_quota_two(void)
{
	run(false);
}

static void
test_quota_three(void)
{
	run(true);
}

int
main(int argc __rte_unused, char **argv)
{
	const char *eal[] = {
		argv[0], "--lcores", "0@0,1@1,2@0,3@1", "--no-huge", "-m",
		"512", "--no-pci", "--log-level=lib.eal:warning",
		"--log-level=xchg:warning", "--no-shconf",
	};
	unsigned int i;

	if (rte_eal_init(RTE_DIM(eal), (char **)(uintptr_t)eal) < 0) {
		printf("EAL refused to start: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rte_lcore_count() < 4) {
		printf("SKIP: needs four lcores\n");
		return 77;
	}
	arena = xt_arena("q_arena", NB_BUFFERS, 0);
	mp = xchg_arena_mempool(arena);
	to_b = rte_ring_create("q_to_b", RING_SIZE, SOCKET_ID_ANY,
			       RING_F_SC_DEQ);
	if (to_b == NULL)
		return 1;
	XT_RUN(test_census_live);
	make_pool(P_PIPE0, "q_pipe0", Q_START);
	make_pool(P_PIPE1, "q_pipe1", Q_START);
	make_pool(P_RSS, "q_rss", Q_START);
	make_pool(P_CHURN, "q_churn", 64);
	make_pool(P_HOG, "q_hog", Q_START);
	XT_RUN(test_quota_two);
	XT_RUN(test_quota_three);
	for (i = 0; i < NB_P; i++)
		XT_EQ(xchg_pool_free(book[i].pool), 0);
	XT_EQ(xchg_arena_free(arena), 0);
	rte_ring_free(to_b);
	return xt_done("quota");
}
