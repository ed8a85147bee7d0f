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

static struct xchg_lcore_cache *
lcore_cache(struct xchg_arena *a)
{
	unsigned int lcore = rte_lcore_id();

	if (a->caches == NULL || lcore >= RTE_MAX_LCORE ||
	    !a->cache_enabled[lcore])
		return NULL;
	return &a->caches[lcore];
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

/* Keep the older part hot in this lcore, share the rest. */
static void
cache_flush(struct xchg_arena *a, struct xchg_lcore_cache *c)
{
	ring_put(a, &c->objs[a->cache_size], c->len - a->cache_size);
	c->len = a->cache_size;
}

static void
store_put(struct xchg_arena *a, void * const *objs, unsigned int n)
{
	struct xchg_lcore_cache *c = lcore_cache(a);

	if (c != NULL && n <= a->cache_size) {
		memcpy(&c->objs[c->len], objs, sizeof(void *) * n);
		c->len += n;
		if (c->len >= a->cache_flush)
			cache_flush(a, c);
		return;
	}
	ring_put(a, objs, n);
}

static int
store_get(struct xchg_arena *a, void **objs, unsigned int n)
{
	struct xchg_lcore_cache *c = lcore_cache(a);
	unsigned int i;

	if (c != NULL && n <= a->cache_size) {
		if (c->len < n) {
			unsigned int want = a->cache_size + n - c->len;

			if (rte_ring_mc_dequeue_bulk(a->store,
					&c->objs[c->len], want, NULL) != 0)
				c->len += want;
			else if (rte_ring_mc_dequeue_bulk(a->store,
					&c->objs[c->len], n - c->len,
					NULL) != 0)
				c->len = n;
			else
				return -ENOBUFS;
		}
		for (i = 0; i < n; i++)
			objs[i] = c->objs[--c->len];
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
		objs[n - i] = c->objs[--c->len];
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
 * Credit the owners of @objs, mark them free, and copy the ones to be
 * stored to @dst; returns how many. The geometry is read once into
 * locals: the tag stores would otherwise make the compiler reload it.
 * Always inlined: the usual free is one or two buffers (a socket's
 * read, a PMD's TX completion), for which a call's prologue and
 * epilogue cost about as much as the loop.
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
static __rte_always_inline unsigned int
release(struct xchg_arena *a, unsigned int set, void * const *objs,
	unsigned int n, void **dst, const bool strict)
{
	xchg_tag_t * const tags = a->tags;
	const uintptr_t base = a->base;
	const uint64_t inv = a->stride_inv;
	const uint32_t shift = a->stride_shift, nb = a->nb_buffers;
	void * const * const end = objs + n;
	void **out = dst;
	xchg_tag_t run_tag = XCHG_TAG_NONE;
	uint32_t run_n = 0;

	for (; objs != end; objs++) {
		void *obj = *objs;
		uint64_t idx = xchg_arena_pos(base, inv, shift, obj);
		xchg_tag_t tag;

		if (unlikely(idx >= nb)) {
			misuse(a, &a->foreign_frees, obj,
			       "not one of its buffers");
			continue;
		}
		if (strict) {
			tag = __atomic_exchange_n(&tags[idx], XCHG_TAG_FREE,
						  __ATOMIC_RELAXED);
		} else {
			/* Relaxed atomics are plain moves; they only tell
			 * the compiler that a census may read the tag. */
			tag = __atomic_load_n(&tags[idx], __ATOMIC_RELAXED);
			if (likely(tag != XCHG_TAG_FREE))
				__atomic_store_n(&tags[idx], XCHG_TAG_FREE,
						 __ATOMIC_RELAXED);
		}
		if (unlikely(tag == XCHG_TAG_FREE)) {
			misuse(a, &a->double_frees, obj, "freed a second time");
			continue;
		}
		*out++ = obj;
		/* Consecutive buffers of one owner: one credit. */
		if (unlikely(tag != run_tag)) {
			xchg_ops_credit_set(a, set, run_tag, run_n);
			run_tag = tag;
			run_n = 0;
		}
		run_n++;
	}
	xchg_ops_credit_set(a, set, run_tag, run_n);
	return (unsigned int)(out - dst);
}

/* release() with the arena's free marking; the branch is taken once per
 * call, outside the loop. */
static __rte_always_inline unsigned int
release_marked(struct xchg_arena *a, unsigned int set, void * const *objs,
	       unsigned int n, void **dst)
{
	if (unlikely(a->strict))
		return release(a, set, objs, n, dst, true);
	return release(a, set, objs, n, dst, false);
}

static int
xchg_ops_enqueue(struct rte_mempool *mp, void * const *objs, unsigned int n)
{
	struct xchg_arena *a = xchg_arena_of(mp);
	struct xchg_lcore_cache *c;
	void *keep[XCHG_OPS_CHUNK];
	unsigned int off, chunk, set;

	/* Populate puts every object once before tags exist. */
	if (unlikely(!a->armed)) {
		store_put(a, objs, n);
		return 0;
	}
	set = xchg_op_enter(a);
	/* The usual burst goes straight into this lcore's cache. */
	c = lcore_cache(a);
	if (likely(c != NULL && n <= a->cache_size)) {
		c->len += release_marked(a, set, objs, n, &c->objs[c->len]);
		if (c->len >= a->cache_flush)
			cache_flush(a, c);
		xchg_op_leave(a, set);
		return 0;
	}
	for (off = 0; off < n; off += chunk) {
		chunk = RTE_MIN(n - off, (unsigned int)XCHG_OPS_CHUNK);
		store_put(a, keep, release_marked(a, set, &objs[off], chunk,
						  keep));
	}
	xchg_op_leave(a, set);
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

static int
xchg_ops_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	struct xchg_arena *a = xchg_arena_of(mp);
	struct xchg_lcore_cache *c = lcore_cache(a);
	unsigned int i, set = xchg_op_enter(a);
	int ret = 0;

	/* The usual burst: pop from this lcore's cache and mark in one go. */
	if (likely(c != NULL && a->armed && n <= c->len)) {
		xchg_tag_t * const tags = a->tags;
		const uintptr_t base = a->base;
		const uint64_t inv = a->stride_inv;
		const uint32_t shift = a->stride_shift;
		void **top = &c->objs[c->len];

		for (i = 0; i < n; i++) {
			void *obj = *--top;

			objs[i] = obj;
			tags[xchg_arena_pos(base, inv, shift, obj)] =
				XCHG_TAG_NONE;
		}
		c->len -= n;
		xchg_op_leave(a, set);
		return 0;
	}
	if (store_get(a, objs, n) != 0)
		ret = -ENOBUFS;
	else if (likely(a->armed))
		take(a, objs, n);
	xchg_op_leave(a, set);
	return ret;
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
