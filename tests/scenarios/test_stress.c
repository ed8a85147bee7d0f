/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Two-lcore stress: millions of exchanges, allocations and frees on two
 * lcores over four owners they share, ending with a conserved census.
 *
 * Each lcore, in a loop:
 * - produces: takes a raw burst from the arena mempool (as a NIC would),
 *   now and then with a multi-segment chain in it, and exchanges it into
 *   a random owner; what the owner refuses is freed on the spot;
 * - allocates from a random owner's own reservation (xchg_alloc_bulk),
 *   now and then chaining two of those buffers;
 * - sends what it got to the other lcore through an rte_ring, so most
 *   buffers are freed on the lcore that did not take them;
 * - receives from the other lcore, checks every segment's owner, now and
 *   then transfers the burst to another owner (which refunds the old
 *   one), and frees it, or now and then sends it back across.
 * A live census runs now and then from the main lcore; it may fail
 * transiently while buffers move (counted, not asserted) but must never
 * find a tag naming no live pool.
 * Both lcores run until each has done OPS_PER_LCORE owner operations
 * (exchanges, transfers, owner allocations, owned frees), so the total
 * is at least 30 million whatever the scheduling.
 * Meanwhile the main lcore resizes the owners up and down and samples
 * their figures. The test keeps its own book of what each owner holds
 * (raised after the library charged, lowered before the free that
 * credits), which can only be at or below the library's in_use, so it
 * must never be above the quota the main lcore last set.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "xchg_test.h"

#define NB_BUFFERS   8192
#define NB_POOLS     4
#define QUOTA_START  512
#define QUOTA_MIN    64
#define QUOTA_MAX    1024  /* 4 x 1024 stays below the unreserved part */
#define BURST        32
#define RX_BURST     64
#define RX_BURSTS    4     /* most bursts taken per receive step */
#define RING_SIZE    8192  /* more than all quotas: a send never fails */
/* Each lcore runs until it has done this many owner operations (frames
 * exchanged or transferred, buffers allocated from an owner, owned
 * segments freed); raw producer allocations and the drops of refused
 * frames do not count. Both keep running until both are there, so
 * neither is left with nobody draining its sends. */
#define OPS_PER_LCORE 15000000ULL
#define TIME_LIMIT_S  90   /* give up (and fail) past this */
#define RESIZE_EVERY 16    /* main lcore iterations between resizes */
#define CENSUS_EVERY 1024  /* main lcore iterations between live census */
#define OPS_REQUIRED 10000000ULL

struct lc_stats {
	uint64_t raw_alloc;        /* segments taken raw from the mempool */
	uint64_t raw_alloc_fail;   /* raw bursts the arena could not give */
	uint64_t exchanged;        /* frames taken from raw by an owner */
	uint64_t transfers;        /* frames moved from one owner to another */
	uint64_t allocs;           /* buffers from xchg_alloc_bulk */
	uint64_t freed;            /* segments freed, owned or refused */
	uint64_t owned_freed;      /* owned segments freed: owner credited */
	uint64_t chains;           /* multi-segment frames made */
	uint64_t sent;
	uint64_t received;
	uint64_t local_frees;      /* frames freed by the lcore that got them */
	uint64_t bounced;          /* frames received and sent back */
	uint64_t accepted[NB_POOLS];
	uint64_t refused[NB_POOLS];
	uint64_t charged[NB_POOLS];   /* units taken by exchange */
	uint64_t allocated[NB_POOLS];
	uint64_t alloc_failed[NB_POOLS];
	uint64_t bad_errno;        /* a stop other than ENOBUFS */
	uint64_t owner_mismatch;   /* a segment not tagged as the test expects */
	uint64_t iterations;
	uint64_t backoffs;         /* iterations that only received */
} __rte_cache_aligned;

static struct {
	struct xchg_arena *arena;
	struct rte_mempool *mp;
	struct xchg_pool *pools[NB_POOLS];
	struct rte_ring *to_lcore[2];      /* ring feeding lcore index i */
	int64_t held[NB_POOLS];            /* test's book; atomic */
	uint8_t done[2];                   /* lcore reached its ops; atomic */
	uint8_t timed_out;                 /* atomic */
	struct lc_stats st[2];
} g;

/* Main lcore only: live checks. */
static struct {
	uint32_t quota[NB_POOLS];          /* last quota the main lcore set */
	uint64_t resizes, resize_busy, resize_grow, resize_shrink;
	uint64_t samples;
	uint64_t over_quota;               /* test's book above the quota */
	uint64_t negative;                 /* test's book below zero */
	uint64_t stats_quota_wrong;        /* stats quota != quota set */
	uint64_t stats_in_use_wrong;       /* in_use > quota or avail wrong */
	uint64_t resize_wrong;             /* resize result not as documented */
	uint64_t live_census, live_census_broken, live_census_bad_tag;
	uint64_t live_rule[XCHG_CENSUS_OVER_CREDIT + 1]; /* first rule broken */
	int64_t peak_held[NB_POOLS];
} ctl;

static inline uint64_t
rnd_next(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* The test's own owner mark: pool index + 1 in a field no PMD touches
 * here; the library keeps its own tags in a side table. */
static inline void
mark(struct rte_mbuf *m, unsigned int p)
{
	m->hash.usr = p + 1;
}

static inline unsigned int
marked(const struct rte_mbuf *m)
{
	return m->hash.usr - 1;
}

static inline void
held_add(unsigned int p, int64_t n)
{
	if (n != 0)
		__atomic_fetch_add(&g.held[p], n, __ATOMIC_SEQ_CST);
}

/* Count a frame's segments, checking each is tagged to pool @p. */
static inline unsigned int
check_segs(struct lc_stats *st, struct rte_mbuf *m, unsigned int p)
{
	struct rte_mbuf *seg;
	unsigned int n = 0;

	for (seg = m; seg != NULL; seg = seg->next, n++)
		if (unlikely(xchg_mbuf_owner(seg) != g.pools[p]))
			st->owner_mismatch++;
	if (unlikely(n != m->nb_segs))
		st->owner_mismatch++;
	return n;
}

/* Free frames the test book charges to their marked owners. */
static void
free_owned(struct lc_stats *st, struct rte_mbuf **m, unsigned int n,
	   uint64_t r)
{
	int64_t dec[NB_POOLS] = { 0 };
	unsigned int i, p;
	uint64_t segs = 0;

	for (i = 0; i < n; i++) {
		unsigned int s = check_segs(st, m[i], marked(m[i]));

		dec[marked(m[i])] += s;
		segs += s;
	}
	/* Lower the book before the free credits the owner. */
	for (p = 0; p < NB_POOLS; p++)
		held_add(p, -dec[p]);
	if (r & 1) {
		rte_pktmbuf_free_bulk(m, n);
	} else {
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(m[i]);
	}
	st->freed += segs;
	st->owned_freed += segs;
}

/* Hand owned frames to the other lcore; what does not fit is freed. */
static void
send_owned(struct lc_stats *st, unsigned int self, struct rte_mbuf **m,
	   unsigned int n, uint64_t r)
{
	unsigned int sent;

	if ((r & 7) == 0) { /* one in eight bursts is freed right here */
		st->local_frees += n;
		free_owned(st, m, n, r >> 3);
		return;
	}
	sent = rte_ring_sp_enqueue_burst(g.to_lcore[self ^ 1],
					 (void **)m, n, NULL);
	st->sent += sent;
	if (sent < n) {
		st->local_frees += n - sent;
		free_owned(st, &m[sent], n - sent, r >> 3);
	}
}

/* Producer: a raw burst, exchanged into a random owner. Returns false
 * when the owner took none of it. */
static bool
step_exchange(struct lc_stats *st, unsigned int self, uint64_t *rs)
{
	struct rte_mbuf *m[BURST], *extra[2];
	uint64_t r = rnd_next(rs);
	unsigned int p = r % NB_POOLS, n = BURST, k, i;
	uint64_t segs = 0, refused_segs = 0;

	if (rte_pktmbuf_alloc_bulk(g.mp, m, n) != 0) {
		st->raw_alloc_fail++;
		return false;
	}
	st->raw_alloc += n;
	for (i = 0; i < n; i++) {
		m[i]->data_len = 60;
		m[i]->pkt_len = 60;
	}
	/* Now and then one frame of the burst is a chain of 2 or 3. */
	if (((r >> 8) & 7) == 0) {
		unsigned int nx = 1 + ((r >> 11) & 1);
		unsigned int at = (r >> 12) % n;

		if (rte_pktmbuf_alloc_bulk(g.mp, extra, nx) == 0) {
			st->raw_alloc += nx;
			for (i = 0; i < nx; i++) {
				extra[i]->data_len = 100;
				extra[i]->pkt_len = 100;
				if (rte_pktmbuf_chain(m[at], extra[i]) != 0)
					st->bad_errno++;
			}
			st->chains++;
		} else {
			st->raw_alloc_fail++;
		}
	}

	k = xchg_acquire_burst(g.pools[p], m, n);
	if (k < n && rte_errno != ENOBUFS)
		st->bad_errno++;
	for (i = 0; i < k; i++) {
		mark(m[i], p);
		segs += m[i]->nb_segs;
	}
	held_add(p, (int64_t)segs);
	st->accepted[p] += k;
	st->refused[p] += n - k;
	st->charged[p] += segs;
	st->exchanged += k;

	/* Refused frames go back to their producer: freed, no owner. */
	for (i = k; i < n; i++) {
		if (xchg_mbuf_owner(m[i]) != NULL)
			st->owner_mismatch++;
		refused_segs += m[i]->nb_segs;
	}
	if (k < n)
		rte_pktmbuf_free_bulk(&m[k], n - k);
	st->freed += refused_segs;

	send_owned(st, self, m, k, r >> 20);
	return k != 0;
}

/* Allocation from a random owner's own reservation. */
static void
step_alloc(struct lc_stats *st, unsigned int self, uint64_t *rs)
{
	struct rte_mbuf *m[16];
	uint64_t r = rnd_next(rs);
	unsigned int p = r % NB_POOLS, n = 1 + ((r >> 4) % 16), i;
	int ret;

	ret = xchg_alloc_bulk(g.pools[p], m, n);
	if (ret != 0) {
		if (ret != -ENOBUFS)
			st->bad_errno++;
		st->alloc_failed[p]++;
		return;
	}
	held_add(p, n);
	st->allocated[p] += n;
	st->allocs += n;
	for (i = 0; i < n; i++) {
		m[i]->data_len = 60;
		m[i]->pkt_len = 60;
		mark(m[i], p);
	}
	/* Now and then the first two buffers make one chained frame. */
	if (n >= 2 && ((r >> 9) & 3) == 0) {
		if (rte_pktmbuf_chain(m[0], m[1]) != 0)
			st->bad_errno++;
		memmove(&m[1], &m[2], sizeof(m[0]) * (n - 2));
		n--;
		st->chains++;
	}
	send_owned(st, self, m, n, r >> 16);
}

/* Consumer: frames from the other lcore, maybe moved to another owner,
 * then freed here. */
static bool
step_receive(struct lc_stats *st, unsigned int self, uint64_t *rs)
{
	struct rte_mbuf *m[RX_BURST];
	int64_t pre[NB_POOLS] = { 0 };
	uint64_t r = rnd_next(rs);
	unsigned int n, k, i, q, p;
	uint64_t moved_segs = 0, moved = 0;

	n = rte_ring_sc_dequeue_burst(g.to_lcore[self], (void **)m, RX_BURST,
				      NULL);
	if (n == 0)
		return false;
	st->received += n;

	if ((r & 3) == 0) {
		/* Transfer to owner q: each frame owned elsewhere is paid by
		 * q and refunded to its owner. Lower the book of the old
		 * owners first; refused frames get theirs back. */
		q = (r >> 2) % NB_POOLS;
		for (i = 0; i < n; i++)
			if (marked(m[i]) != q)
				pre[marked(m[i])] += check_segs(st, m[i],
								marked(m[i]));
		for (p = 0; p < NB_POOLS; p++)
			held_add(p, -pre[p]);
		k = xchg_acquire_burst(g.pools[q], m, n);
		if (k < n && rte_errno != ENOBUFS)
			st->bad_errno++;
		for (i = 0; i < n; i++) {
			p = marked(m[i]);
			if (p == q)
				continue;
			if (i < k) {
				moved_segs += m[i]->nb_segs;
				moved++;
				mark(m[i], q);
			} else {
				held_add(p, m[i]->nb_segs);
			}
		}
		held_add(q, (int64_t)moved_segs);
		st->accepted[q] += k;
		st->refused[q] += n - k;
		st->charged[q] += moved_segs;
		st->transfers += moved;
	}
	if (((r >> 20) & 15) == 0) {
		/* Now and then the frames cross back to the other lcore. */
		st->bounced += n;
		send_owned(st, self, m, n, (r >> 24) | 1);
	} else {
		free_owned(st, m, n, r >> 8);
	}
	return n == RX_BURST;
}

/* Main lcore: resize one owner and sample all of them. */
static void
control(uint64_t *rs)
{
	uint64_t r = rnd_next(rs);
	unsigned int p = r % NB_POOLS, i;
	uint32_t want = QUOTA_MIN + (r >> 8) % (QUOTA_MAX - QUOTA_MIN + 1);
	uint32_t old = ctl.quota[p], got = 0;
	int ret;

	ret = xchg_pool_resize(g.pools[p], want, &got);
	ctl.resizes++;
	if (want > old) {
		ctl.resize_grow++;
		if (ret != 0 || got != want)
			ctl.resize_wrong++;
	} else if (want < old) {
		ctl.resize_shrink++;
		if (ret == -EBUSY) {
			ctl.resize_busy++;
			if (got <= want || got > old)
				ctl.resize_wrong++;
		} else if (ret != 0 || got != want) {
			ctl.resize_wrong++;
		}
	} else if (ret != 0 || got != want) {
		ctl.resize_wrong++;
	}
	ctl.quota[p] = got;

	for (i = 0; i < NB_POOLS; i++) {
		struct xchg_pool_stats s;
		int64_t held = __atomic_load_n(&g.held[i], __ATOMIC_SEQ_CST);

		ctl.samples++;
		if (held > (int64_t)ctl.quota[i]) {
			if (ctl.over_quota++ == 0)
				printf("pool %u: test holds %" PRId64 " above quota %u\n",
				       i, held, ctl.quota[i]);
		}
		if (held < 0)
			ctl.negative++;
		if (held > ctl.peak_held[i])
			ctl.peak_held[i] = held;
		if (xchg_pool_stats_get(g.pools[i], &s) != 0 ||
		    s.quota != ctl.quota[i]) {
			if (ctl.stats_quota_wrong++ == 0)
				printf("pool %u: stats quota %u, set %u\n",
				       i, s.quota, ctl.quota[i]);
		}
		if (s.in_use > s.quota || s.available != s.quota - s.in_use)
			ctl.stats_in_use_wrong++;
	}
}

static void
live_census(void)
{
	struct xchg_census c;

	ctl.live_census++;
	if (xchg_arena_census(g.arena, &c) != 0) {
		/* Buffers in flight may break a census taken while traffic
		 * flows; a tag naming no live pool never may. */
		ctl.live_census_broken++;
		if ((unsigned int)c.broken < RTE_DIM(ctl.live_rule))
			ctl.live_rule[c.broken]++;
		if (c.broken == XCHG_CENSUS_BAD_TAG)
			ctl.live_census_bad_tag++;
	}
}

static inline uint64_t
owner_ops(const struct lc_stats *st)
{
	return st->exchanged + st->transfers + st->allocs + st->owned_freed;
}

static void
run_loop(unsigned int self)
{
	struct lc_stats *st = &g.st[self];
	uint64_t rs = UINT64_C(0x9e3779b97f4a7c15) * (self + 1);
	uint64_t crs = UINT64_C(0x2545f4914f6cdd1d);
	uint64_t deadline = rte_get_timer_cycles() +
			    TIME_LIMIT_S * rte_get_timer_hz();
	unsigned int rx, backoff = 0;
	bool mine = false;
	uint64_t it;

	for (it = 0; ; it++) {
		/* An owner full of frames waiting on the other lcore: give
		 * that lcore a moment instead of making refusals. */
		if (backoff != 0) {
			backoff--;
			st->backoffs++;
		} else if (!step_exchange(st, self, &rs)) {
			backoff = 2;
		} else {
			step_alloc(st, self, &rs);
		}
		for (rx = 0; rx < RX_BURSTS && step_receive(st, self, &rs);
		     rx++)
			;
		if (self == 0 && it % RESIZE_EVERY == 0)
			control(&crs);
		if (self == 0 && it % CENSUS_EVERY == CENSUS_EVERY / 2)
			live_census();
		if (it % 64 != 0)
			continue;
		if (!mine && owner_ops(st) >= OPS_PER_LCORE) {
			mine = true;
			__atomic_store_n(&g.done[self], 1, __ATOMIC_RELEASE);
		}
		if (__atomic_load_n(&g.done[self ^ 1], __ATOMIC_ACQUIRE) &&
		    mine)
			break;
		if (rte_get_timer_cycles() > deadline)
			__atomic_store_n(&g.timed_out, 1, __ATOMIC_RELAXED);
		if (__atomic_load_n(&g.timed_out, __ATOMIC_RELAXED))
			break;
	}
	/* Whatever the other lcore still sends is drained by the main
	 * lcore once both loops are over. */
	st->iterations = it;
}

static int
worker_main(void *arg __rte_unused)
{
	if (rte_lcore_id() != 1)
		return -1;
	run_loop(1);
	return 0;
}

static uint64_t
sum(const uint64_t *a0, const uint64_t *a1)
{
	return *a0 + *a1;
}

static void
test_two_lcore_stress(void)
{
	struct xchg_arena_info info;
	struct timespec t0, t1;
	uint64_t exchanged, transfers, allocs, raw, freed, owned_freed, total;
	struct lc_stats *s0 = &g.st[0], *s1 = &g.st[1];
	unsigned int i, n;
	double secs;

	XT_EQ(rte_lcore_id(), 0);
	XT_CHECK(rte_lcore_is_enabled(1), "lcore 1 enabled");
	g.arena = xt_arena("stress", NB_BUFFERS, 0); /* default lcore cache */
	g.mp = xchg_arena_mempool(g.arena);
	XT_EQ(xchg_arena_info_get(g.arena, &info), 0);
	XT_CHECK(info.lcore_cache > 0, "arena runs with lcore caches");
	XT_CHECK(info.unreserved >= NB_POOLS * QUOTA_MAX + 4 * BURST,
		 "unreserved %u", info.unreserved);
	for (i = 0; i < NB_POOLS; i++) {
		char name[XCHG_NAME_SIZE];

		snprintf(name, sizeof(name), "owner%u", i);
		g.pools[i] = xchg_pool_create(g.arena, name, i % 2 ?
				XCHG_KIND_SOCKET : XCHG_KIND_SERVICE,
				QUOTA_START);
		XT_CHECK(g.pools[i] != NULL, "pool %u: %s", i,
			 rte_strerror(rte_errno));
		if (g.pools[i] == NULL)
			return;
		ctl.quota[i] = QUOTA_START;
	}
	for (i = 0; i < 2; i++) {
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof(name), "stress_to%u", i);
		g.to_lcore[i] = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY,
						RING_F_SP_ENQ | RING_F_SC_DEQ);
		XT_CHECK(g.to_lcore[i] != NULL, "ring %u", i);
		if (g.to_lcore[i] == NULL)
			return;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	XT_EQ(rte_eal_remote_launch(worker_main, NULL, 1), 0);
	run_loop(0);
	XT_EQ(rte_eal_wait_lcore(1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* Drain both rings on the main lcore: frees of frames taken on
	 * either lcore. */
	for (i = 0; i < 2; i++) {
		struct rte_mbuf *m[RX_BURST];

		while ((n = rte_ring_sc_dequeue_burst(g.to_lcore[i],
				(void **)m, RX_BURST, NULL)) != 0) {
			s0->received += n;
			free_owned(s0, m, n, 1);
		}
	}

	exchanged = s0->exchanged + s1->exchanged;
	transfers = s0->transfers + s1->transfers;
	allocs = s0->allocs + s1->allocs;
	raw = s0->raw_alloc + s1->raw_alloc;
	freed = s0->freed + s1->freed;
	owned_freed = s0->owned_freed + s1->owned_freed;
	/* Only operations on owners count toward the total. */
	total = exchanged + transfers + allocs + owned_freed;
	printf("stress: %.2f s, %" PRIu64 "+%" PRIu64 " iterations; owner ops %" PRIu64 " = exchanged %" PRIu64 " + transfers %" PRIu64 " + xchg allocs %" PRIu64 " + owned frees %" PRIu64 " (%.1f M/s); besides, %" PRIu64 " raw producer allocs and %" PRIu64 " drops of refused segments\n",
	       secs, s0->iterations, s1->iterations, total, exchanged,
	       transfers, allocs, owned_freed, (double)total / secs / 1e6,
	       raw, freed - owned_freed);
	printf("stress: %" PRIu64 "+%" PRIu64 " iterations only received, after a burst was refused whole\n",
	       s0->backoffs, s1->backoffs);
	printf("stress: chains %" PRIu64 ", sent %" PRIu64 ", received %" PRIu64 ", bounced back %" PRIu64 ", freed by taker %" PRIu64 "; resizes %" PRIu64 " (grow %" PRIu64 ", shrink %" PRIu64 ", shrink stopped by use %" PRIu64 "); samples %" PRIu64 "; live census %" PRIu64 " (transiently broken %" PRIu64 ")\n",
	       s0->chains + s1->chains, s0->sent + s1->sent,
	       s0->received + s1->received, s0->bounced + s1->bounced,
	       s0->local_frees + s1->local_frees, ctl.resizes,
	       ctl.resize_grow, ctl.resize_shrink, ctl.resize_busy,
	       ctl.samples, ctl.live_census, ctl.live_census_broken);

	printf("stress: live census first broken rule:");
	for (i = 1; i < RTE_DIM(ctl.live_rule); i++)
		printf(" %s %" PRIu64, xchg_census_rule_name(i),
		       ctl.live_rule[i]);
	printf("\n");

	XT_CHECK(total >= OPS_REQUIRED, "only %" PRIu64 " ops", total);
	XT_EQ(g.timed_out, 0);
	XT_CHECK(g.done[0] && g.done[1], "both lcores did their share");
	XT_CHECK(s0->sent + s1->sent == s0->received + s1->received,
		 "sent %" PRIu64 " received %" PRIu64,
		 s0->sent + s1->sent, s0->received + s1->received);
	/* Both lcores really freed what the other one took. */
	XT_CHECK(s0->received > 10000 && s1->received > 10000,
		 "cross-lcore frees %" PRIu64 " %" PRIu64,
		 s0->received, s1->received);
	XT_CHECK(s0->chains + s1->chains > 1000, "chains");
	XT_CHECK(transfers > 10000, "transfers %" PRIu64, transfers);
	XT_CHECK(s0->bounced > 1000 && s1->bounced > 1000, "bounced");
	XT_EQ(s0->raw_alloc_fail + s1->raw_alloc_fail, 0);
	XT_EQ(s0->bad_errno + s1->bad_errno, 0);
	XT_EQ(s0->owner_mismatch + s1->owner_mismatch, 0);
	XT_EQ(ctl.over_quota, 0);
	XT_EQ(ctl.negative, 0);
	XT_EQ(ctl.stats_quota_wrong, 0);
	XT_EQ(ctl.stats_in_use_wrong, 0);
	XT_EQ(ctl.resize_wrong, 0);
	XT_EQ(ctl.live_census_bad_tag, 0);
	XT_CHECK(ctl.resize_grow > 100 && ctl.resize_shrink > 100,
		 "resizes both ways");

	for (i = 0; i < NB_POOLS; i++) {
		struct xchg_pool_stats s;
		uint64_t refused = sum(&s0->refused[i], &s1->refused[i]);

		XT_EQ(__atomic_load_n(&g.held[i], __ATOMIC_SEQ_CST), 0);
		XT_EQ(xchg_pool_stats_get(g.pools[i], &s), 0);
		printf("owner%u: quota %u peak %" PRId64 " low watermark %u accepted %" PRIu64 " refused %" PRIu64 " allocated %" PRIu64 " alloc_failed %" PRIu64 " returned %" PRIu64 "\n",
		       i, s.quota, ctl.peak_held[i], s.low_watermark,
		       s.accepted, s.refused, s.allocated, s.alloc_failed,
		       s.returned);
		xt_pool_expect(g.pools[i], 0, "after stress");
		XT_EQ(s.quota, ctl.quota[i]);
		XT_EQ(s.accepted, sum(&s0->accepted[i], &s1->accepted[i]));
		XT_EQ(s.refused, refused);
		XT_EQ(s.rejected, 0);
		XT_EQ(s.allocated, sum(&s0->allocated[i], &s1->allocated[i]));
		XT_EQ(s.alloc_failed,
		      sum(&s0->alloc_failed[i], &s1->alloc_failed[i]));
		/* Every unit charged came back exactly once. */
		XT_EQ(s.returned, sum(&s0->charged[i], &s1->charged[i]) +
				  s.allocated);
		XT_CHECK(refused > 0 && s.accepted > 0,
			 "owner%u both accepted and refused", i);
	}

	xt_census_ok(g.arena, "after stress");
	XT_EQ(rte_mempool_avail_count(g.mp), NB_BUFFERS);
	XT_EQ(xchg_arena_info_get(g.arena, &info), 0);
	XT_EQ(info.double_frees, 0);
	XT_EQ(info.foreign_frees, 0);
	XT_EQ(info.reserved, ctl.quota[0] + ctl.quota[1] + ctl.quota[2] +
			     ctl.quota[3]);

	for (i = 0; i < NB_POOLS; i++)
		XT_EQ(xchg_pool_free(g.pools[i]), 0);
	xt_census_ok(g.arena, "pools freed");
	for (i = 0; i < 2; i++)
		rte_ring_free(g.to_lcore[i]);
	XT_EQ(xchg_arena_free(g.arena), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0-1", 0, NULL);
	XT_RUN(test_two_lcore_stress);
	return xt_done("stress");
}
