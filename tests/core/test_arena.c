/* SPDX-License-Identifier: BSD-3-Clause */

/* Arena: creation and its refusals, layout, lookup, free, misuse caught
 * on the free path (double free, foreign object). */

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xchg_private.h"
#include "xchg_test.h"

static struct xchg_arena *
try_create(const char *name, uint32_t nb, uint16_t data_room,
	   uint16_t priv, uint16_t max_pools, int32_t cache)
{
	struct xchg_arena_conf conf = {
		.name = name, .socket_id = SOCKET_ID_ANY, .nb_buffers = nb,
		.data_room = data_room, .priv_size = priv,
		.max_pools = max_pools, .lcore_cache = cache,
	};

	return xchg_arena_create(&conf);
}

static void
test_create_refusals(void)
{
	XT_CHECK(xchg_arena_create(NULL) == NULL && rte_errno == EINVAL,
		 "NULL conf");
	XT_CHECK(try_create(NULL, 1024, 0, 0, 0, 0) == NULL &&
		 rte_errno == EINVAL, "NULL name");
	XT_CHECK(try_create("", 1024, 0, 0, 0, 0) == NULL &&
		 rte_errno == EINVAL, "empty name");
	XT_CHECK(try_create("a_name_that_is_far_too_long_x", 1024, 0, 0, 0,
			    0) == NULL && rte_errno == EINVAL, "long name");
	XT_CHECK(try_create("a", 0, 0, 0, 0, 0) == NULL &&
		 rte_errno == EINVAL, "zero buffers");
	XT_CHECK(try_create("a", 10, 0, 0, 0, 0) == NULL &&
		 rte_errno == EINVAL, "too few buffers");
	XT_CHECK(try_create("a", 1024, 64, 0, 0, 0) == NULL &&
		 rte_errno == EINVAL, "data room below headroom");
	XT_CHECK(try_create("a", 1024, 0, 3, 0, 0) == NULL &&
		 rte_errno == EINVAL, "misaligned priv size");
	XT_CHECK(try_create("a", 1024, 0, 0, XCHG_ARENA_POOLS_MAX + 1, 0) ==
		 NULL && rte_errno == EINVAL, "too many pools");
	XT_CHECK(try_create("a", 1024, 0, 0, 0, XCHG_ARENA_CACHE_MAX + 1) ==
		 NULL && rte_errno == EINVAL, "cache too large");
	/* Two lcores with a 512 cache may hold 1534 buffers. */
	XT_CHECK(try_create("a", 1024, 0, 0, 0, 512) == NULL &&
		 rte_errno == EINVAL, "caches larger than the arena");
	XT_CHECK(try_create("a", UINT32_MAX, 0, 0, 0, 0) == NULL &&
		 rte_errno == EINVAL, "absurd size");
	XT_CHECK(xchg_arena_lookup("a") == NULL && rte_errno == ENOENT,
		 "nothing left behind by refusals");
}

static void
test_layout_and_info(void)
{
	struct xchg_arena *a = try_create("layout", 1000, 0, 16, 8, -1);
	struct xchg_arena_info info;
	struct rte_mempool *mp;
	struct rte_mbuf *m[3];

	XT_CHECK(a != NULL, "create: %s", rte_strerror(rte_errno));
	if (a == NULL)
		return;
	mp = xchg_arena_mempool(a);
	XT_CHECK(mp != NULL && xchg_arena_from_mempool(mp) == a, "mempool");
	XT_CHECK(xchg_arena_lookup("layout") == a, "lookup");
	XT_CHECK(try_create("layout", 1000, 0, 0, 0, 0) == NULL &&
		 rte_errno == EEXIST, "duplicate name");
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.nb_buffers, 1000);
	XT_EQ(info.data_room, RTE_MBUF_DEFAULT_BUF_SIZE);
	XT_EQ(info.priv_size, 16);
	XT_EQ(info.max_pools, 8);
	XT_EQ(info.lcore_cache, 0);
	XT_EQ(info.cache_slack, 0);
	XT_EQ(info.unreserved, 1000);
	/* Packed: a buffer is the mbuf, its private area and data room plus
	 * the mempool header, never one per 4 KiB page. */
	XT_CHECK(info.stride < 4096 && info.stride >=
		 sizeof(struct rte_mbuf) + 16 + RTE_MBUF_DEFAULT_BUF_SIZE,
		 "stride %u", info.stride);
	XT_EQ(rte_pktmbuf_data_room_size(mp), RTE_MBUF_DEFAULT_BUF_SIZE);
	XT_EQ(rte_pktmbuf_priv_size(mp), 16);
	XT_EQ(rte_mempool_avail_count(mp), 1000);
	XT_CHECK(xchg_arena_info_get(NULL, &info) == -EINVAL &&
		 xchg_arena_info_get(a, NULL) == -EINVAL, "info NULL");

	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, 3), 0);
	XT_CHECK(m[0]->buf_len == RTE_MBUF_DEFAULT_BUF_SIZE &&
		 m[0]->priv_size == 16, "mbufs initialised");
	XT_CHECK(xchg_mbuf_owner(m[0]) == NULL, "raw allocation is ownerless");
	XT_EQ(xchg_arena_free(a), -EBUSY); /* buffers out */
	XT_CHECK(xchg_arena_lookup("layout") == a, "still there after EBUSY");
	rte_pktmbuf_free_bulk(m, 3);
	xt_census_ok(a, "layout");
	XT_EQ(xchg_arena_free(a), 0);
	XT_CHECK(xchg_arena_lookup("layout") == NULL, "freed arena gone");
	XT_EQ(xchg_arena_free(NULL), 0);
}

static void
test_free_refused_with_pools(void)
{
	struct xchg_arena *a = xt_arena("withpool", 256, 0);
	struct xchg_pool *p = xchg_pool_create(a, "p", XCHG_KIND_SOCKET, 8);

	XT_CHECK(p != NULL, "pool");
	XT_EQ(xchg_arena_free(a), -EBUSY);
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

static void
test_from_other_mempool(void)
{
	struct rte_mempool *plain = rte_pktmbuf_pool_create("plain", 255, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);

	XT_CHECK(plain != NULL, "plain pool");
	XT_CHECK(xchg_arena_from_mempool(plain) == NULL, "plain is no arena");
	XT_CHECK(xchg_arena_from_mempool(NULL) == NULL, "NULL is no arena");
	XT_CHECK(xchg_arena_mempool(NULL) == NULL, "NULL arena");
	rte_mempool_free(plain);
}

/* Every one of the arena's @nb buffers can still be taken exactly once. */
static void
each_buffer_once(struct rte_mempool *mp, unsigned int nb)
{
	static struct rte_mbuf *all[512];
	bool taken = nb <= RTE_DIM(all) &&
		     rte_pktmbuf_alloc_bulk(mp, all, nb) == 0;

	XT_CHECK(taken, "%u buffers taken at once", nb);
	if (!taken)
		return;
	XT_CHECK(rte_pktmbuf_alloc(mp) == NULL, "buffer %u + 1", nb);
	rte_pktmbuf_free_bulk(all, nb);
}

static void
test_misuse_on_free_path(void)
{
	struct xchg_arena *a = xt_arena("misuse", 256, 0);
	struct rte_mempool *mp = xchg_arena_mempool(a);
	struct rte_mempool *plain = rte_pktmbuf_pool_create("plain2", 255, 0,
			0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct xchg_arena_info info;
	struct rte_mbuf *m, *other;
	char *inside;

	m = rte_pktmbuf_alloc(mp);
	XT_CHECK(m != NULL, "alloc");
	rte_pktmbuf_free(m);
	/* A second free would hand the buffer out twice: it is ignored. */
	rte_mempool_put(mp, m);
	XT_EQ(rte_mempool_avail_count(mp), 256);
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.double_frees, 1);

	/* Objects the arena does not own are refused, not stored. */
	other = rte_pktmbuf_alloc(plain);
	rte_mempool_put(mp, other);
	inside = (char *)m + 8;
	rte_mempool_put(mp, inside);
	/* Aligned to the stride's power-of-two part, not to the stride:
	 * only the exact division tells these from a buffer start. */
	rte_mempool_put(mp, (char *)m + 64);
	rte_mempool_put(mp, (char *)m - 64);
	XT_EQ(rte_mempool_avail_count(mp), 256);
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.foreign_frees, 4);
	xt_census_ok(a, "after misuse");

	each_buffer_once(mp, 256);
	rte_pktmbuf_free(other);
	rte_mempool_free(plain);
	XT_EQ(xchg_arena_free(a), 0);
}

static void
test_lcore_cache_counted(void)
{
	struct xchg_arena *a = xt_arena("cached", 1024, 32);
	struct rte_mempool *mp = xchg_arena_mempool(a);
	struct xchg_arena_info info;
	struct rte_mbuf *m[40];

	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.lcore_cache, 32);
	/* Two lcores, each may hold up to 1.5 x 32 - 1 buffers. */
	XT_EQ(info.cache_slack, 2 * 47);
	XT_EQ(info.unreserved, 1024 - 94);
	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, 40), 0);
	rte_pktmbuf_free_bulk(m, 40);
	/* Free buffers in the cache still count as free. */
	XT_EQ(rte_mempool_avail_count(mp), 1024);
	xt_census_ok(a, "cached");
	XT_EQ(xchg_arena_free(a), 0);
}

static void
test_tiny_cache_counted(void)
{
	struct xchg_arena *a = xt_arena("tiny", 256, 1);
	struct xchg_arena_info info;

	/* A cache of one keeps one buffer after each flush. */
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.cache_slack, 2 * 1);
	XT_EQ(xchg_arena_free(a), 0);
}

/* An arena of 512 buffers with an lcore cache of @cache, strict
 * marking or not (each_mode()); NULL when refused. */
static struct xchg_arena *
mode_arena(const char *name, int32_t cache, bool strict)
{
	struct xchg_arena_conf conf = {
		.name = name, .socket_id = SOCKET_ID_ANY,
		.nb_buffers = 512, .lcore_cache = cache, .strict = strict,
	};

	return xchg_arena_create(&conf);
}

/*
 * Refusals in the middle of a burst (issue 17: the free's walk checks
 * FREE only when the owner changes, and leaves the rest of a burst to a
 * slower walk from the first refusal on): a second free of a buffer of
 * the same run, a foreign object, a second free of a run's first buffer
 * and a second free in first place are each refused and counted, every
 * other buffer is credited to its owner exactly once and stored once.
 * With and without an lcore cache (the usual path and the general one),
 * plain and strict marking.
 */
static void
refused_mid_burst(int32_t cache, bool strict)
{
	struct xchg_arena *a = mode_arena("midburst", cache, strict);
	struct rte_mempool *mp = xchg_arena_mempool(a);
	struct rte_mempool *plain = rte_pktmbuf_pool_create("midplain", 63, 0,
			0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct xchg_pool *p1 = xchg_pool_create(a, "p1", XCHG_KIND_SOCKET, 16);
	struct xchg_pool *p2 = xchg_pool_create(a, "p2", XCHG_KIND_SOCKET, 16);
	struct rte_mbuf *m1[4], *m2[2], *raw, *other;
	struct xchg_arena_info info;
	void *burst[10];

	XT_CHECK(a != NULL && plain != NULL && p1 != NULL && p2 != NULL,
		 "setup, cache %d strict %d", cache, strict);
	if (a == NULL || plain == NULL || p1 == NULL || p2 == NULL)
		return;
	XT_EQ(xchg_alloc_bulk(p1, m1, 4), 0);
	XT_EQ(xchg_alloc_bulk(p2, m2, 2), 0);
	raw = rte_pktmbuf_alloc(mp);
	other = rte_pktmbuf_alloc(plain);
	XT_CHECK(raw != NULL && other != NULL, "raw and foreign");
	burst[0] = m1[0];
	burst[1] = m1[1];
	burst[2] = m1[0];   /* twice, same run: its tag is FREE now */
	burst[3] = other;   /* foreign */
	burst[4] = m1[2];
	burst[5] = m2[0];
	burst[6] = raw;     /* no owner: stored, nobody credited */
	burst[7] = m1[3];
	burst[8] = m2[1];
	burst[9] = m2[0];   /* twice, first of its run */
	rte_mempool_put_bulk(mp, burst, 10);
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.double_frees, 2);
	XT_EQ(info.foreign_frees, 1);
	xt_pool_expect(p1, 0, "p1 credited once per buffer");
	xt_pool_expect(p2, 0, "p2 credited once per buffer");
	XT_EQ(rte_mempool_avail_count(mp), 512);
	xt_census_ok(a, "refusals mid-burst");

	/* A second free in first place; the rest still credited. */
	XT_EQ(xchg_alloc_bulk(p1, m1, 2), 0);
	rte_mempool_put(mp, m1[0]);
	burst[0] = m1[0];
	burst[1] = m1[1];
	rte_mempool_put_bulk(mp, burst, 2);
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.double_frees, 3);
	xt_pool_expect(p1, 0, "p1 after a refusal in first place");
	XT_EQ(rte_mempool_avail_count(mp), 512);
	xt_census_ok(a, "refusal in first place");

	/* Just past either end of the arena: position nb_buffers, and
	 * the position before 0. */
	{
		static struct rte_mbuf *all[512];
		uintptr_t lo = UINTPTR_MAX, hi = 0;
		unsigned int i;

		XT_EQ(rte_pktmbuf_alloc_bulk(mp, all, 512), 0);
		for (i = 0; i < 512; i++) {
			lo = RTE_MIN(lo, (uintptr_t)all[i]);
			hi = RTE_MAX(hi, (uintptr_t)all[i]);
		}
		rte_pktmbuf_free_bulk(all, 512);
		rte_mempool_put(mp, (void *)(hi + info.stride));
		rte_mempool_put(mp, (void *)(lo - info.stride));
		XT_EQ(xchg_arena_info_get(a, &info), 0);
		XT_EQ(info.foreign_frees, 3);
		XT_EQ(rte_mempool_avail_count(mp), 512);
		xt_census_ok(a, "just past the ends");
	}

	each_buffer_once(mp, 512);
	rte_pktmbuf_free(other);
	rte_mempool_free(plain);
	XT_EQ(xchg_pool_free(p1), 0);
	XT_EQ(xchg_pool_free(p2), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

/* Run @fn with an lcore cache and without, plain and strict marking. */
static void
each_mode(void (*fn)(int32_t cache, bool strict))
{
	fn(32, false);
	fn(32, true);
	fn(-1, false);
	fn(-1, true);
}

static void
test_refused_mid_burst(void)
{
	each_mode(refused_mid_burst);
}

/* Entries of the lcore caches of @a that are not a free buffer's
 * position (struct xchg_lcore_cache keeps positions, not pointers):
 * out of the arena, a buffer not marked FREE, or one held twice. A
 * stale entry would make an allocation hand out a buffer that is not
 * free and mark another one taken. */
static unsigned int
cache_pos_wrong(const struct xchg_arena *a)
{
	static bool seen[4096];
	unsigned int lcore, i, wrong = 0;

	if (a->caches == NULL)
		return 0;
	memset(seen, 0, sizeof(seen));
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++) {
		const struct xchg_lcore_cache *c = &a->caches[lcore];

		for (i = 0; i < c->len; i++) {
			uint32_t pos = c->pos[i];

			if (pos >= a->nb_buffers || pos >= RTE_DIM(seen) ||
			    seen[pos] || a->tags[pos] != XCHG_TAG_FREE)
				wrong++;
			else
				seen[pos] = true;
		}
	}
	return wrong;
}

/* Allocate @n buffers of @a's mempool into @m: each is marked taken
 * (NONE), not left FREE with another buffer marked in its place. */
static void
alloc_marked(struct xchg_arena *a, struct rte_mbuf **m, unsigned int n)
{
	struct rte_mempool *mp = xchg_arena_mempool(a);
	unsigned int i;

	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, n), 0);
	for (i = 0; i < n; i++) {
		uint32_t idx = xchg_arena_index(a, m[i]);

		XT_CHECK(idx != UINT32_MAX, "not one of its buffers: %p",
			 (void *)m[i]);
		if (idx != UINT32_MAX)
			XT_EQ(a->tags[idx], XCHG_TAG_NONE);
	}
	XT_EQ(cache_pos_wrong(a), 0);
}

/*
 * The lcore cache keeps buffers by position, which the free computed
 * for the tag, so the allocation neither converts a pointer (issue 17):
 * every way an entry is filled keeps it right -- a refill from the
 * store (the cache starts empty: populate bypasses it), a free into the
 * cache, a flush to the store (positions made pointers again), a free
 * too large for the cache (the store), strict marking or not. Each
 * allocation's buffers are checked to be the arena's and marked, every
 * cached entry checked to be a free buffer held once; at the end
 * nothing was refused as a double free (what a buffer an allocation
 * left FREE would cause) and the census holds.
 */
static void
cached_positions(int32_t cache, bool strict)
{
	struct xchg_arena *a = mode_arena("cachepos", cache, strict);
	struct xchg_arena_info info;
	struct rte_mbuf *m[256];
	unsigned int i;

	XT_CHECK(a != NULL, "arena refused");
	if (a == NULL)
		return;
	XT_EQ(cache_pos_wrong(a), 0);
	/* Refill (the cache is empty), then from the refilled entries. */
	alloc_marked(a, m, 8);
	alloc_marked(a, &m[8], 8);
	alloc_marked(a, &m[16], 32);
	/* Frees in bursts of 8 fill the cache up to a flush. */
	for (i = 0; i < 48; i += 8) {
		rte_pktmbuf_free_bulk(&m[i], 8);
		XT_EQ(cache_pos_wrong(a), 0);
	}
	/* What the cache kept, then a refill again. */
	for (i = 0; i < 64; i += 16)
		alloc_marked(a, &m[i], 16);
	/* A free larger than the cache goes to the store; the store's
	 * buffers come back through refills. */
	rte_pktmbuf_free_bulk(m, 64);
	XT_EQ(cache_pos_wrong(a), 0);
	for (i = 0; i < 256; i += 32)
		alloc_marked(a, &m[i], 32);
	for (i = 0; i < 256; i += 4)
		rte_pktmbuf_free_bulk(&m[i], 4);
	XT_EQ(cache_pos_wrong(a), 0);
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.double_frees, 0);
	xt_census_ok(a, "cached positions");
	XT_EQ(xchg_arena_free(a), 0);
}

static void
test_cached_positions(void)
{
	each_mode(cached_positions);
}

/* No thread is inside an operation of @a: a path that left its depth
 * raised would make every later census of a busy arena "in motion",
 * which one of an idle arena does not show. */
static void
depth_closed(struct xchg_arena *a, const char *when)
{
	unsigned int set;

	for (set = 0; set < a->nb_pcnt_sets; set++) {
		uint32_t d = __atomic_load_n(&a->depth[set].depth,
					     __ATOMIC_RELAXED);

		XT_CHECK(d == 0, "%s: %s: set %u depth %u after the call",
			 a->name, when, set, d);
	}
}

struct late {
	struct xchg_arena *a;
	struct rte_mbuf **m;     /* 4 buffers of one pool, to free */
	bool reg;                /* register as an lcore first */
	int registered;          /* rte_thread_register()'s result */
	bool own_set;            /* it found a counter set or cache */
};

/* A thread the arena has no set or cache for: one registered as an
 * lcore after the arena was made, or one without an lcore id. */
static void *
late_thread(void *arg)
{
	struct late *l = arg;
	struct rte_mempool *mp = xchg_arena_mempool(l->a);
	void *burst[5] = { l->m[0], l->m[1], l->m[0], l->m[2], l->m[3] };
	void *two[2];
	unsigned int lcore;

	if (l->reg) {
		l->registered = rte_thread_register();
		if (l->registered != 0)
			return NULL;
	}
	lcore = rte_lcore_id();
	l->own_set = lcore < RTE_MAX_LCORE &&
		     (l->a->pcnt_set[lcore] != 0 ||
		      (l->a->caches != NULL &&
		       l->a->caches[lcore].cnt != NULL));
	rte_mempool_put_bulk(mp, burst, 5); /* one refused */
	if (rte_mempool_get_bulk(mp, two, 2) == 0)
		rte_mempool_put_bulk(mp, two, 2);
	if (l->reg)
		rte_thread_unregister();
	return NULL;
}

/* On another lcore: free @m (@n of them), then take back what that
 * lcore's cache holds into @back (*@nb_back). */
struct remote {
	struct xchg_arena *a;
	struct rte_mbuf **m;
	unsigned int n;
	void **back;
	unsigned int nb_back;
};

static int
remote_free(void *arg)
{
	struct remote *r = arg;
	struct rte_mempool *mp = xchg_arena_mempool(r->a);
	unsigned int lcore = rte_lcore_id();

	rte_mempool_put_bulk(mp, (void **)r->m, r->n);
	r->nb_back = r->a->caches != NULL ? r->a->caches[lcore].len : 0;
	if (r->nb_back != 0 &&
	    rte_mempool_get_bulk(mp, r->back, r->nb_back) != 0)
		r->nb_back = 0;
	return 0;
}

/* A second free of @m on another lcore after the first on this one,
 * then the first there and the second here: both refused (the tag says
 * FREE whichever cache holds the buffer), the owner credited once. */
static void
second_free_elsewhere(struct xchg_arena *a, struct xchg_pool *p,
		      struct rte_mbuf **m)
{
	struct rte_mempool *mp = xchg_arena_mempool(a);
	unsigned int w = rte_get_next_lcore(-1, 1, 0), k;
	void *back[XCHG_ARENA_CACHE_MAX * 3];
	struct remote r = { .a = a, .m = m, .n = 4, .back = back };
	struct xchg_arena_info info;
	uint64_t before;

	XT_CHECK(w < RTE_MAX_LCORE, "a second lcore");
	if (w >= RTE_MAX_LCORE)
		return;
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	before = info.double_frees;
	for (k = 0; k < 2; k++) {
		XT_EQ(xchg_alloc_bulk(p, m, 4), 0);
		if (k == 1)
			rte_mempool_put_bulk(mp, (void **)m, 4);
		XT_EQ(rte_eal_remote_launch(remote_free, &r, w), 0);
		XT_EQ(rte_eal_wait_lcore(w), 0);
		if (k == 0)
			rte_mempool_put_bulk(mp, (void **)m, 4);
		rte_mempool_put_bulk(mp, back, r.nb_back);
		XT_EQ(xchg_arena_info_get(a, &info), 0);
		XT_EQ(info.double_frees, before + 4 * (k + 1));
		xt_pool_expect(p, 0, k == 0 ?
			       "a second free here after one elsewhere" :
			       "a second free elsewhere after one here");
		depth_closed(a, "a second free on another lcore");
	}
}

/*
 * Each path of the free and the allocation leaves the caller's
 * operation depth as it found it (issue 17: the usual paths keep the
 * lcore's depth in its cache, the general ones find it again): the
 * usual free and allocation, a burst larger than the cache, a refusal
 * in either, plain and strict, with and without caches. A thread
 * registered as an lcore after the arena was made, and one with no
 * lcore id, have neither a set nor a cache of their own: they take the
 * general path and the shared set, credit each buffer once and refuse
 * a second free. A second free on the other EAL lcore, not at the same
 * time as the first, is refused too (second_free_elsewhere()).
 */
static void
op_depth(int32_t cache, bool strict)
{
	struct xchg_arena *a = mode_arena("depth", cache, strict);
	struct rte_mempool *mp = xchg_arena_mempool(a);
	struct xchg_pool *p = xchg_pool_create(a, "dp", XCHG_KIND_SOCKET, 64);
	struct xchg_arena_info info;
	struct rte_mbuf *m[48];
	void *objs[48];
	unsigned int i;
	int reg;

	XT_CHECK(a != NULL && p != NULL, "setup, cache %d strict %d", cache,
		 strict);
	if (a == NULL || p == NULL)
		return;
	XT_EQ(xchg_alloc_bulk(p, m, 4), 0);
	depth_closed(a, "a usual allocation");
	rte_pktmbuf_free_bulk(m, 4);
	depth_closed(a, "a usual free");
	XT_EQ(xchg_alloc_bulk(p, m, 48), 0);
	depth_closed(a, "an allocation larger than the cache");
	for (i = 0; i < 48; i++)
		objs[i] = m[i];
	objs[47] = m[0];
	rte_mempool_put_bulk(mp, objs, 48);
	rte_mempool_put(mp, m[47]);
	depth_closed(a, "a free larger than the cache, one refused");
	XT_EQ(xchg_alloc_bulk(p, m, 3), 0);
	objs[0] = m[0];
	objs[1] = m[1];
	objs[2] = m[0];
	objs[3] = m[2];
	rte_mempool_put_bulk(mp, objs, 4);
	depth_closed(a, "a usual free, one refused");
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_EQ(info.double_frees, 2);
	xt_pool_expect(p, 0, "after the lcore's frees");

	for (reg = 1; reg >= 0; reg--) {
		struct late l = { .a = a, .m = m, .reg = reg != 0 };
		pthread_t t;

		XT_EQ(xchg_alloc_bulk(p, m, 4), 0);
		XT_EQ(pthread_create(&t, NULL, late_thread, &l), 0);
		XT_EQ(pthread_join(t, NULL), 0);
		XT_EQ(l.registered, 0);
		XT_CHECK(!l.own_set, "%s thread: no set or cache of its own",
			 reg ? "a late lcore's" : "a non-EAL");
		XT_EQ(xchg_arena_info_get(a, &info), 0);
		XT_EQ(info.double_frees, 3u + (reg ? 0u : 1u));
		xt_pool_expect(p, 0, reg ? "after a late lcore's frees" :
				      "after a non-EAL thread's frees");
		depth_closed(a, "another thread's frees");
	}
	second_free_elsewhere(a, p, m);
	XT_EQ(rte_mempool_avail_count(mp), 512);
	xt_census_ok(a, "op depth");
	each_buffer_once(mp, 512);
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

static void
test_op_depth(void)
{
	each_mode(op_depth);
}

/* Overcommitted, quotas may cover the arena many times: a plain shared
 * pool's behaviour, for comparisons. The census still holds. */
static void
test_overcommit(void)
{
	struct xchg_arena_conf conf = {
		.name = "over", .socket_id = SOCKET_ID_ANY, .nb_buffers = 256,
		.lcore_cache = -1, .overcommit = true,
	};
	struct xchg_arena *a = xchg_arena_create(&conf);
	struct xchg_pool *hog, *other;
	struct xchg_arena_info info;
	struct rte_mbuf *m[256], *one;
	uint32_t q;

	XT_CHECK(a != NULL, "create");
	if (a == NULL)
		return;
	hog = xchg_pool_create(a, "hog", XCHG_KIND_SOCKET, 256);
	other = xchg_pool_create(a, "other", XCHG_KIND_SOCKET, 256);
	XT_CHECK(hog != NULL && other != NULL, "quotas of the whole arena");
	XT_EQ(xchg_pool_resize(other, 1000, &q), 0);
	XT_EQ(xchg_arena_info_get(a, &info), 0);
	XT_CHECK(info.overcommit && info.unreserved == 0, "info");
	/* The hog takes everything, and the other owner is starved: no
	 * guarantee, as with a shared pool. */
	XT_EQ(xchg_alloc_bulk(hog, m, 256), 0);
	XT_EQ(xchg_alloc_bulk(other, &one, 1), -ENOBUFS);
	xt_census_ok(a, "overcommitted, the hog holds all");
	rte_pktmbuf_free_bulk(m, 256);
	XT_EQ(xchg_pool_free(hog), 0);
	XT_EQ(xchg_pool_free(other), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0-1", 0, NULL);
	XT_RUN(test_create_refusals);
	XT_RUN(test_layout_and_info);
	XT_RUN(test_free_refused_with_pools);
	XT_RUN(test_from_other_mempool);
	XT_RUN(test_misuse_on_free_path);
	XT_RUN(test_lcore_cache_counted);
	XT_RUN(test_tiny_cache_counted);
	XT_RUN(test_overcommit);
	XT_RUN(test_refused_mid_burst);
	XT_RUN(test_cached_positions);
	XT_RUN(test_op_depth);
	return xt_done("arena");
}
