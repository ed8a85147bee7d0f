/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The arena's mempool driver. Every buffer that goes back into an arena,
 * by whatever path (rte_pktmbuf_free, a PMD's TX completion, the last
 * free of a clone), comes through xchg_ops_enqueue(), which credits the
 * owner recorded in the tag table before the buffer is stored. This is
 * how owners get their units back while applications and PMDs keep
 * calling the plain mbuf API.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "xchg_private.h"

/* Objects handled per pass; bounds the on-stack copy of survivors. */
#define XCHG_OPS_CHUNK 64

/* This lcore's cache for the general paths, or NULL. Not before the
 * arena is armed: a cached buffer's position (struct xchg_lcore_cache)
 * needs the arena's base, which is found after populate, so populate's
 * buffers go straight to the store. */
static struct xchg_lcore_cache *
lcore_cache(struct xchg_arena *a)
{
	unsigned int lcore = rte_lcore_id();

	if (a->caches == NULL || !a->armed || lcore >= RTE_MAX_LCORE ||
	    !a->cache_enabled[lcore])
		return NULL;
	return &a->caches[lcore];
}

/* The buffer at position @pos of the arena: the inverse of
 * xchg_arena_pos(), for a position the free checked. */
static __rte_always_inline void *
pos_obj(uintptr_t base, uintptr_t stride, uint32_t pos)
{
	return (void *)(base + pos * stride);
}

/* The store holds every buffer, so an enqueue fails only when a buffer
 * came back twice unnoticed: two lcores freeing it at the same instant
 * without strict marking (see release()), or a path around the driver's
 * enqueue (see the guide). The copies that do not fit are counted as double frees
 * rather than stopping the process. */
static void
ring_put(struct xchg_arena *a, void * const *objs, unsigned int n)
{
	unsigned int done = rte_ring_mp_enqueue_burst(a->store, objs, n, NULL);

	if (unlikely(done != n))
		__atomic_fetch_add(&a->double_frees, n - done,
				   __ATOMIC_RELAXED);
}

/* The same for the buffers at positions @pos[0..n): the store keeps
 * pointers (the mempool API's). */
static void
ring_put_pos(struct xchg_arena *a, const uint32_t *pos, unsigned int n)
{
	void *objs[XCHG_OPS_CHUNK];
	unsigned int off, chunk, i;

	for (off = 0; off < n; off += chunk) {
		chunk = RTE_MIN(n - off, (unsigned int)XCHG_OPS_CHUNK);
		for (i = 0; i < chunk; i++)
			objs[i] = pos_obj(a->base, a->buf_stride,
					  pos[off + i]);
		ring_put(a, objs, chunk);
	}
}

/* Keep the older part hot in this lcore, share the rest. */
static void
cache_flush(struct xchg_arena *a, struct xchg_lcore_cache *c)
{
	ring_put_pos(a, &c->pos[a->cache_size], c->len - a->cache_size);
	c->len = a->cache_size;
}

/* Store the buffers at positions @pos[0..n). */
static void
store_put(struct xchg_arena *a, const uint32_t *pos, unsigned int n)
{
	struct xchg_lcore_cache *c = lcore_cache(a);

	if (c != NULL && n <= a->cache_size) {
		memcpy(&c->pos[c->len], pos, sizeof(uint32_t) * n);
		c->len += n;
		if (c->len >= a->cache_flush)
			cache_flush(a, c);
		return;
	}
	ring_put_pos(a, pos, n);
}

/* Refill @c with up to @want buffers from the store, all or none;
 * false when the store has fewer. */
static bool
cache_refill(struct xchg_arena *a, struct xchg_lcore_cache *c,
	     unsigned int want)
{
	void *got[2 * XCHG_ARENA_CACHE_MAX];
	const uintptr_t base = a->base;
	const uint64_t inv = a->stride_inv;
	const uint32_t shift = a->stride_shift;
	unsigned int i;

	if (rte_ring_mc_dequeue_bulk(a->store, got, want, NULL) == 0)
		return false;
	for (i = 0; i < want; i++)
		c->pos[c->len + i] = (uint32_t)xchg_arena_pos(base, inv, shift,
							      got[i]);
	c->len += want;
	return true;
}

static int
store_get(struct xchg_arena *a, void **objs, unsigned int n)
{
	struct xchg_lcore_cache *c = lcore_cache(a);
	unsigned int i;

	if (c != NULL && n <= a->cache_size) {
		/* At most 2 x cache_size (cache_refill()'s array). */
		if (c->len < n &&
		    !cache_refill(a, c, a->cache_size + n - c->len) &&
		    !cache_refill(a, c, n - c->len))
			return -ENOBUFS;
		for (i = 0; i < n; i++)
			objs[i] = pos_obj(a->base, a->buf_stride,
					  c->pos[--c->len]);
		return 0;
	}
	if (rte_ring_mc_dequeue_bulk(a->store, objs, n, NULL) == n)
		return 0;
	/* A large request may need what this lcore's cache holds. */
	if (c == NULL || c->len == 0)
		return -ENOBUFS;
	i = RTE_MIN(c->len, n);
	if (rte_ring_mc_dequeue_bulk(a->store, objs, n - i, NULL) != n - i)
		return -ENOBUFS;
	for (; i > 0; i--)
		objs[n - i] = pos_obj(a->base, a->buf_stride,
				      c->pos[--c->len]);
	return 0;
}


/* Count a free that is ignored; log only the first of each kind, so that
 * a buggy application cannot flood the log from the data path. */
static void
misuse(struct xchg_arena *a, uint64_t *counter, const void *obj,
       const char *what)
{
	if (__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED) == 0)
		XCHG_LOG(ERR, "arena %s: ignored free of %p, %s; further ones are only counted (xchg_arena_info_get)\n",
			 a->name, obj, what);
}

/*
 * The rest of a burst from its first refused buffer on, @objs[0], which
 * release() found foreign or free already (and did not touch, or in
 * strict mode exchanged FREE for FREE): it is refused without a second
 * look at its tag, which another lcore may have taken since. Then one
 * buffer at a time, as release() but with every refusal counted and one
 * credit per buffer. Out of line: a correct program never comes here.
 */
static __rte_noinline __rte_cold uint32_t *
release_rest(struct xchg_arena *a, struct xchg_pool_counters *cnt,
	     const bool shared, void * const *objs, unsigned int n,
	     uint32_t *out, const bool strict)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		void *obj = objs[i];
		uint32_t idx = xchg_arena_index(a, obj);
		xchg_tag_t tag;

		if (idx == UINT32_MAX) {
			misuse(a, &a->foreign_frees, obj,
			       "not one of its buffers");
			continue;
		}
		if (i == 0)
			tag = XCHG_TAG_FREE;
		else if (strict)
			tag = __atomic_exchange_n(&a->tags[idx], XCHG_TAG_FREE,
						  __ATOMIC_RELAXED);
		else
			tag = __atomic_load_n(&a->tags[idx], __ATOMIC_RELAXED);
		if (tag == XCHG_TAG_FREE) {
			misuse(a, &a->double_frees, obj, "freed a second time");
			continue;
		}
		if (!strict)
			__atomic_store_n(&a->tags[idx], XCHG_TAG_FREE,
					 __ATOMIC_RELAXED);
		*out++ = idx;
		if (tag != XCHG_TAG_NONE)
			xchg_lcore_cnt_add(&cnt[tag].returned, 1, shared);
	}
	return out;
}

/*
 * Credit the owners of @objs on the counter set @cnt (the caller's; @shared
 * when that is the set threads without an lcore share), mark them free,
 * and write the positions of the ones to be stored to @dst; returns
 * the end of what it wrote.
 * The geometry and the run are kept in locals: the tag stores would
 * otherwise make the compiler reload them. Always inlined: the usual free
 * is one or two buffers (a socket's read, a PMD's TX completion), for
 * which a call's prologue and epilogue cost about as much as the loop.
 *
 * Consecutive buffers of one owner, from index @run on, make one credit.
 * The owner of the run is never FREE, so a tag equal to it is not FREE
 * either: the double free check costs nothing until the owner changes.
 * NONE (a buffer no owner held: a NIC ring's) is not credited. At the
 * first refused buffer (foreign, or FREE) the walk stops and
 * release_rest() does the rest.
 *
 * The free mark, @strict false (the default): a plain load of the tag
 * and a plain store of FREE. A second free on the same lcore, or on
 * another lcore after the first one's store is visible (any hand-over
 * between lcores that a correct program uses: a ring, a lock), reads
 * FREE and is refused. Two lcores freeing one buffer within the same
 * few instructions can both read the owner and both credit it, as two
 * rte_pktmbuf_free() of one mbuf do in DPDK; the owner then holds one
 * unit more than it should, which the census names (over_credit).
 *
 * @strict true: one atomic exchange marks the buffer free and says what
 * it was, so of two lcores freeing it at once exactly one sees an owner
 * (and credits it) and the other sees FREE; about 10 cycles per buffer
 * (doc/cycle-budget.rst).
 */
static __rte_always_inline uint32_t *
release(struct xchg_arena *a, struct xchg_pool_counters *cnt,
	const bool shared, void * const *objs, unsigned int n,
	uint32_t *dst, const bool strict)
{
	xchg_tag_t * const tags = a->tags;
	const uintptr_t base = a->base;
	const uint64_t inv = a->stride_inv;
	const uint32_t shift = a->stride_shift, nb = a->nb_buffers;
	void * const * const end = objs + n;
	void * const *p = objs, * const *run = objs;
	uint32_t *out = dst;
	xchg_tag_t run_tag;
	uint64_t idx;

	/* The first buffer starts the run (@n is never 0 here). */
	idx = xchg_arena_pos(base, inv, shift, *p);
	if (unlikely(idx >= nb))
		goto rest;
	run_tag = strict ? __atomic_exchange_n(&tags[idx], XCHG_TAG_FREE,
					       __ATOMIC_RELAXED) :
			   __atomic_load_n(&tags[idx], __ATOMIC_RELAXED);
	if (unlikely(run_tag == XCHG_TAG_FREE))
		goto rest;
	for (;;) {
		/* Relaxed atomics are plain moves; they only tell the
		 * compiler that a census may read the tag. */
		if (!strict)
			__atomic_store_n(&tags[idx], XCHG_TAG_FREE,
					 __ATOMIC_RELAXED);
		*out++ = (uint32_t)idx;
		if (++p == end)
			break;
		idx = xchg_arena_pos(base, inv, shift, *p);
		if (unlikely(idx >= nb))
			break;
		{
			xchg_tag_t tag = strict ?
				__atomic_exchange_n(&tags[idx], XCHG_TAG_FREE,
						    __ATOMIC_RELAXED) :
				__atomic_load_n(&tags[idx], __ATOMIC_RELAXED);

			if (unlikely(tag != run_tag)) {
				if (unlikely(tag == XCHG_TAG_FREE))
					break;
				if (run_tag != XCHG_TAG_NONE)
					xchg_lcore_cnt_add(
						&cnt[run_tag].returned,
						(uint64_t)(p - run), shared);
				run_tag = tag;
				run = p;
			}
		}
	}
	if (run_tag != XCHG_TAG_NONE)
		xchg_lcore_cnt_add(&cnt[run_tag].returned, (uint64_t)(p - run),
				   shared);
	if (likely(p == end))
		return out;
rest:
	return release_rest(a, cnt, shared, p, (unsigned int)(end - p), out,
			    strict);
}

/* The calling thread's counter set @set's counters, indexed by tag. */
static inline struct xchg_pool_counters *
set_cnt(const struct xchg_arena *a, unsigned int set)
{
	return &a->pcnt[set * a->pcnt_stride];
}

/* This lcore's cache when the usual path may use it: an EAL lcore the
 * arena gave a cache, its op depth and its counter set at creation
 * (arena_alloc_tables()); NULL for a thread without an lcore id or an
 * lcore registered later (its depth and counters are the shared set's).
 * The arena has caches (a->caches, made when a->cache_size is not 0). */
static __rte_always_inline struct xchg_lcore_cache *
usual_cache(const struct xchg_arena *a, unsigned int lcore)
{
	struct xchg_lcore_cache *c;

	if (unlikely(lcore >= RTE_MAX_LCORE))
		return NULL;
	c = &a->caches[lcore];
	return likely(c->cnt != NULL) ? c : NULL;
}

/* Every other enqueue: populate, a thread without a set or a cache, a
 * burst larger than the cache. Out of line: the usual free does not pay
 * for its frame. */
static __rte_noinline int
enqueue_general(struct xchg_arena *a, void * const *objs, unsigned int n)
{
	uint32_t keep[XCHG_OPS_CHUNK]; /* positions */
	unsigned int off, chunk, set;
	struct xchg_pool_counters *cnt;

	/* Populate puts every object once before tags exist (and
	 * positions: lcore_cache()). */
	if (unlikely(!a->armed)) {
		ring_put(a, objs, n);
		return 0;
	}
	set = xchg_op_enter(a);
	cnt = set_cnt(a, set);
	for (off = 0; off < n; off += chunk) {
		chunk = RTE_MIN(n - off, (unsigned int)XCHG_OPS_CHUNK);
		uint32_t *end = a->strict ?
			release(a, cnt, set == 0, &objs[off], chunk, keep,
				true) :
			release(a, cnt, set == 0, &objs[off], chunk, keep,
				false);

		store_put(a, keep, (unsigned int)(end - keep));
	}
	xchg_op_leave(a, set);
	return 0;
}

/*
 * The usual free: an lcore with its own counter set and cache, a burst
 * that fits the cache. The cache holds the lcore's op depth and counter
 * set, so the lcore id is read once and nothing else is looked up; the
 * buffers go straight into the cache.
 */
static int
xchg_ops_enqueue(struct rte_mempool *mp, void * const *objs, unsigned int n)
{
	struct xchg_arena *a = xchg_arena_of(mp);
	struct xchg_lcore_cache *c;
	uint32_t *end;
	uint32_t len;

	/* n - 1: also sends n == 0, and any n when the arena has no
	 * caches (size 0), to the general path. */
	if (unlikely(n - 1 >= a->cache_size || !a->armed))
		return enqueue_general(a, objs, n);
	c = usual_cache(a, rte_lcore_id());
	if (unlikely(c == NULL))
		return enqueue_general(a, objs, n);
	xchg_op_depth_enter(c->depth);
	if (unlikely(a->strict))
		end = release(a, c->cnt, false, objs, n, &c->pos[c->len],
			      true);
	else
		end = release(a, c->cnt, false, objs, n, &c->pos[c->len],
			      false);
	len = (uint32_t)(end - c->pos);
	c->len = len;
	if (unlikely(len >= a->cache_flush))
		cache_flush(a, c);
	xchg_op_depth_leave(c->depth);
	return 0;
}

/* Mark buffers leaving the arena as held by no owner. */
static inline void
take(struct xchg_arena *a, void * const *objs, unsigned int n)
{
	xchg_tag_t * const tags = a->tags;
	const uintptr_t base = a->base;
	const uint64_t inv = a->stride_inv;
	const uint32_t shift = a->stride_shift;
	unsigned int i;

	for (i = 0; i < n; i++)
		tags[xchg_arena_pos(base, inv, shift, objs[i])] = XCHG_TAG_NONE;
}

/* Every other dequeue: populate, a thread without a set or a cache, a
 * cache too short. */
static __rte_noinline int
dequeue_general(struct xchg_arena *a, void **objs, unsigned int n)
{
	unsigned int set = xchg_op_enter(a);
	int ret = 0;

	if (store_get(a, objs, n) != 0)
		ret = -ENOBUFS;
	else if (likely(a->armed))
		take(a, objs, n);
	xchg_op_leave(a, set);
	return ret;
}

static int
xchg_ops_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	struct xchg_arena *a = xchg_arena_of(mp);
	struct xchg_lcore_cache *c;
	xchg_tag_t * const tags = a->tags;
	const uint32_t *pos;
	uintptr_t base, stride;
	size_t i;
	uint32_t len;

	/* The usual burst: pop from this lcore's cache and mark in one go,
	 * at the positions the cache keeps beside the pointers. */
	if (unlikely(a->caches == NULL || !a->armed))
		return dequeue_general(a, objs, n);
	c = usual_cache(a, rte_lcore_id());
	if (unlikely(c == NULL || n > c->len))
		return dequeue_general(a, objs, n);
	xchg_op_depth_enter(c->depth);
	/* The top @n entries, the last freed; in the order they were
	 * freed, so that one index walks pointers and positions. */
	len = c->len - n;
	pos = &c->pos[len];
	base = a->base;
	stride = a->buf_stride;
	for (i = 0; i < n; i++) {
		uintptr_t at = pos[i];

		tags[at] = XCHG_TAG_NONE;
		objs[i] = pos_obj(base, stride, (uint32_t)at);
	}
	c->len = len;
	xchg_op_depth_leave(c->depth);
	return 0;
}

uint32_t
xchg_ops_free_count(const struct xchg_arena *a)
{
	uint32_t count = rte_ring_count(a->store);
	unsigned int lcore;

	if (a->caches != NULL)
		for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
			count += __atomic_load_n(&a->caches[lcore].len,
						 __ATOMIC_RELAXED);
	return count;
}

static unsigned int
xchg_ops_get_count(const struct rte_mempool *mp)
{
	return xchg_ops_free_count(xchg_arena_of(mp));
}

static int
xchg_ops_alloc(struct rte_mempool *mp)
{
	struct xchg_arena *a = xchg_arena_of(mp);
	char name[RTE_RING_NAMESIZE];

	if (a == NULL)
		return -EINVAL; /* only xchg_arena_create() may use this driver */
	snprintf(name, sizeof(name), "xs_%.24s", a->name);
	a->store = rte_ring_create(name, mp->size, mp->socket_id,
				   RING_F_EXACT_SZ);
	if (a->store == NULL)
		return -rte_errno;
	mp->pool_data = a->store;
	return 0;
}

static void
xchg_ops_free(struct rte_mempool *mp)
{
	rte_ring_free(mp->pool_data);
}

static const struct rte_mempool_ops xchg_ops = {
	.name = XCHG_OPS_NAME,
	.alloc = xchg_ops_alloc,
	.free = xchg_ops_free,
	.enqueue = xchg_ops_enqueue,
	.dequeue = xchg_ops_dequeue,
	.get_count = xchg_ops_get_count,
};

static pthread_once_t ops_once = PTHREAD_ONCE_INIT;
static int ops_result;

/* The plugin folder EAL loads every driver from (a shared DPDK build). */
#ifdef RTE_EAL_PMD_PATH
#define OPS_PMD_PATH RTE_EAL_PMD_PATH
#else
#define OPS_PMD_PATH "the EAL plugin folder"
#endif

static void
ops_register_once(void)
{
	char names[RTE_MEMPOOL_MAX_OPS_IDX * (RTE_MEMPOOL_OPS_NAMESIZE + 2)];
	size_t len = 0;
	unsigned int i;

	ops_result = rte_mempool_register_ops(&xchg_ops);
	if (ops_result >= 0)
		return;
	if (ops_result != -ENOSPC) {
		XCHG_LOG(ERR, "cannot register mempool driver '%s': %s\n",
			 XCHG_OPS_NAME, strerror(-ops_result));
		return;
	}
	names[0] = '\0';
	for (i = 0; i < rte_mempool_ops_table.num_ops &&
		    i < RTE_MEMPOOL_MAX_OPS_IDX && len < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len,
					"%s%s", i ? ", " : "",
					rte_mempool_ops_table.ops[i].name);
	XCHG_LOG(ERR, "cannot register mempool driver '%s': DPDK's mempool driver table is full (RTE_MEMPOOL_MAX_OPS_IDX = %d, taken by: %s); these come from the DPDK drivers this process loaded (linked in, every librte_mempool_*.so in %s, and -d options): load fewer, e.g. remove the mempool drivers of hardware you do not have (dpaa, dpaa2, octeontx, cnxk, bucket) from that folder or give no -d for them (doc/guide.rst)\n",
		 XCHG_OPS_NAME, RTE_MEMPOOL_MAX_OPS_IDX, names, OPS_PMD_PATH);
}

/* Registered on first use, not by a constructor, so that a full driver
 * table is reported instead of silently ignored. */
int
xchg_ops_register(void)
{
	pthread_once(&ops_once, ops_register_once);
	return ops_result < 0 ? ops_result : 0;
}
