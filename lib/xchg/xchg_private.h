/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_PRIVATE_H
#define XCHG_PRIVATE_H

/* Internal to libxchg: not installed. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>

#include "xchg_arena.h"
#include "xchg_lcore_cnt.h"
#include "xchg_pool.h"

extern int xchg_logtype;

#define XCHG_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, xchg_logtype, "xchg: " __VA_ARGS__)

/* Name of the mempool driver behind every arena. */
#define XCHG_OPS_NAME "xchg_arena"

/*
 * Owner tag of each buffer, one entry per buffer in a side table indexed
 * by the buffer's position. A side table, not an mbuf field: attaching a
 * clone copies the mbuf's dynamic fields, which would charge the owner
 * twice, and the table stays in cache where mbuf headers would not.
 */
typedef uint16_t xchg_tag_t;
#define XCHG_TAG_NONE ((xchg_tag_t)0)      /* out, no owner: NIC ring */
#define XCHG_TAG_FREE ((xchg_tag_t)0xffff) /* in the arena's free store */

enum xchg_pool_state {
	XCHG_POOL_UNUSED = 0,
	XCHG_POOL_LIVE,
	XCHG_POOL_FREED,
};

/*
 * A pool's event counters, one set per lcore (struct xchg_arena::pcnt,
 * see xchg_lcore_cnt.h), so that an exchange or a free pays one locked
 * instruction per burst (the quota's compare-and-swap or add), not
 * three. All uint64_t: xchg_lcore_cnt_sum() sums them as an array.
 */
struct xchg_pool_counters {
	uint64_t accepted;
	uint64_t refused;
	uint64_t rejected;
	uint64_t allocated;
	uint64_t alloc_failed;
	uint64_t returned;
	uint64_t refunded;   /* units an acquirer took and gave back */
	uint64_t pad_;       /* a power of two: 64 bytes */
};

/*
 * One cache line holds everything an exchange reads or writes of its
 * pool: the acquirer's counters and the read-mostly fields beside them.
 * They used to be a line apart, against false sharing between an
 * acquirer's stores and every other reader of the quota; since the
 * quota has one writer (xchg_quota.h), the lcores that read the line
 * on the data path are the ones that write it, and a consumer fed one
 * frame per burst (traffic spread over many sockets) misses one line
 * fewer per delivery.
 */
struct xchg_pool {
	/* Written by the acquirers only (xchg_quota.h): one lcore with
	 * plain stores while it owns the pool, else compare-and-swap. */
	uint64_t taken;            /* units ever taken */
	uint64_t ret_seen;         /* lower bound of the units given back */
	uint16_t acq;              /* XCHG_ACQ_*, or the owner's set */
	uint8_t busy;              /* owner inside a plain section */
	uint32_t low_watermark;    /* atomic */
	/* The owner's prepaid stock (xchg_quota.h): units counted in
	 * taken that no buffer holds yet. Written by the owner inside its
	 * section (a refill: taken, then stock with release, pairs with a
	 * reader's acquire load of stock before taken), or by a flush
	 * while the owner is held off (stock = 0 with release before the
	 * refund's release store, pairs with a reader's acquire loads of
	 * the sets before stock); the owner's release store of busy=0
	 * publishes its stores to a flush. */
	uint32_t stock;
	/* floor plus the owner's set's returned: a lower bound of the
	 * units the pool may take beyond the stock, for the watermark.
	 * Read by the owner only, with a stock to take from; written by
	 * it (relaxed, also out of its section), by a refill and by a
	 * flush (0, with the stock): a stale value a late store leaves
	 * after a flush meets an empty stock, and the refill that must
	 * come first stores its own. */
	uint64_t floor;
	/* Read-mostly. */
	uint32_t quota;            /* atomic: resize runs live */
	xchg_tag_t tag;
	uint8_t kind;
	uint8_t state;             /* enum xchg_pool_state; atomic */
	struct xchg_arena *arena;

	/* Control path. */
	/* The counters' sums at the last xchg_pool_stats_reset(). */
	struct xchg_pool_counters base __rte_cache_aligned;
	char name[XCHG_NAME_SIZE];
} __rte_cache_aligned;

/* Free buffers kept per lcore so that a free and the next allocation on
 * the same lcore stay in its cache (LIFO), without the delayed credits a
 * mempool cache would cause: owners are credited before buffers get here.
 */
struct xchg_lcore_cache {
	uint32_t len;
	/* Its lcore's op depth and counter set (xchg_ops.c), found once
	 * at creation; NULL for an lcore without a set. */
	uint32_t *depth;
	struct xchg_pool_counters *cnt;
	/* The free buffers, by position in the arena (xchg_arena_pos()),
	 * not by pointer: the free writes the position it computed for
	 * the tag, the allocation marks the tag at it and makes the
	 * pointer from it (base + pos x stride), so neither converts a
	 * pointer; a refill from the store (which keeps pointers, the
	 * mempool API's) and a flush convert (xchg_ops.c). */
	uint32_t pos[XCHG_ARENA_CACHE_MAX * 3]; /* size + flush + one put */
} __rte_cache_aligned;

/* Per counter set: how deep its thread is inside arena operations
 * (a free, an allocation, an exchange), for a live census to tell an
 * lcore stopped between two of its writes from a leak. Written by the
 * set's own thread only, plain; set 0 (threads without an lcore) is
 * not tracked. */
struct xchg_op_depth {
	uint32_t depth;
} __rte_cache_aligned;

/* Leak watch state (xchg_watch.c), control path, under the arena lock. */
struct xchg_watch_pool {
	uint64_t last_returned;   /* pool's returned counter at last tick */
	uint64_t quiet_since;     /* tick it last changed (or creation) */
	uint64_t low_since;       /* first tick seen starved */
	uint64_t oldest;          /* stamp of its oldest buffer */
	uint64_t starve_reports;
	uint64_t last_now;        /* time of the last tick */
	uint32_t held;
	bool low;
	bool reported;
};

struct xchg_watch {
	uint64_t *stamp;          /* per buffer: first seen with seen[i] */
	xchg_tag_t *seen;         /* per buffer: owner at the last tick */
	struct xchg_watch_pool *pools; /* indexed by tag */
	uint32_t starve_ms;
	uint32_t starve_permille;
	uint64_t (*clock_ms)(void);
	bool ticked;              /* seen[] valid */
};

struct xchg_arena {
	/* Data path, read-only once armed. */
	struct rte_mempool *mp;
	struct rte_ring *store;        /* free buffers beyond the caches */
	xchg_tag_t *tags;              /* one per buffer */
	struct xchg_pool *pools;       /* indexed by tag; slot 0 unused */
	struct xchg_lcore_cache *caches; /* RTE_MAX_LCORE, or NULL */
	struct xchg_pool_counters *pcnt; /* [set * pcnt_stride + tag] */
	uint32_t pcnt_stride;          /* max_pools + 1, line-rounded */
	uint32_t nb_pcnt_sets;         /* lcores at creation + 1 shared */
	uint16_t pcnt_set[RTE_MAX_LCORE]; /* lcore id to set, 0: shared */
	struct xchg_op_depth *depth;   /* per set: inside an operation */
	uintptr_t base;                /* address of buffer 0 */
	uint64_t stride_inv;           /* inverse of stride's odd part */
	uint32_t stride_shift;         /* stride's trailing zero bits */
	uint32_t buf_stride;           /* stride, for the data path */
	uint32_t nb_buffers;
	uint32_t cache_size;
	uint32_t cache_flush;          /* flush threshold, 1.5 x size */
	bool armed;                    /* tags valid: populate is over */
	bool overcommit;               /* quotas not checked */
	bool strict;                   /* atomic free marking */
	bool owner_ok;                 /* pools may have a plain owner */
	bool page_layout;              /* one buffer per 4 KiB page */
	uint32_t nb_chunks;            /* IOVA-contiguous chunks populated */
	bool cache_enabled[RTE_MAX_LCORE];

	/* Caught misuse; atomic. */
	uint64_t double_frees __rte_cache_aligned;
	uint64_t foreign_frees;

	/* Control path, under lock. */
	pthread_mutex_t lock __rte_cache_aligned;
	uint32_t stride;
	uint32_t reserved;             /* sum of quotas */
	uint32_t cache_slack;          /* most the caches may hold */
	uint16_t max_pools;
	uint16_t nb_pools;
	uint16_t next_slot;            /* round robin, delays slot reuse */
	uint16_t data_room;
	uint16_t priv_size;
	int socket_id;
	const struct rte_memzone *mz;
	struct xchg_watch watch;
	uint64_t census_off_sig;       /* counts of the last census off */
	uint64_t census_off_since;     /* within the bound, and since when */
	char name[XCHG_NAME_SIZE];
};

/*
 * Position of @obj counted in buffers from buffer 0, by exact division
 * with one multiply and one rotate: stride = odd << shift, and for
 * x = off * odd^-1 mod 2^64, rotating x right by shift gives off / stride
 * when off is a multiple of stride and a number above 2^64 / stride
 * otherwise (the test of Granlund and Montgomery). So a single
 * comparison with nb_buffers checks "one of its buffers, at its start".
 */
static inline uint64_t
xchg_arena_pos(uintptr_t base, uint64_t inv, uint32_t shift, const void *obj)
{
	uint64_t x = ((uintptr_t)obj - base) * inv;

	return (x >> shift) | (x << ((64 - shift) & 63));
}

/* Position of a buffer in the arena, or UINT32_MAX when @obj is not the
 * start of one of its buffers. */
static inline uint32_t
xchg_arena_index(const struct xchg_arena *a, const void *obj)
{
	uint64_t idx = xchg_arena_pos(a->base, a->stride_inv, a->stride_shift,
				      obj);

	return unlikely(idx >= a->nb_buffers) ? UINT32_MAX : (uint32_t)idx;
}

static inline struct xchg_arena *
xchg_arena_of(const struct rte_mempool *mp)
{
	return (struct xchg_arena *)mp->pool_config;
}

/* Buffers not promised to any quota or cache; 0 when overcommitted. */
static inline uint32_t
xchg_arena_unreserved(const struct xchg_arena *a)
{
	uint64_t promised = (uint64_t)a->cache_slack + a->reserved;

	return promised >= a->nb_buffers ? 0 :
	       (uint32_t)(a->nb_buffers - promised);
}

/* Mempool driver (xchg_ops.c). */
int xchg_ops_register(void);
uint32_t xchg_ops_free_count(const struct xchg_arena *a);

/* The calling thread's counter set for pool @tag; *@shared when that is
 * the set threads without an lcore share. */
static inline struct xchg_pool_counters *
xchg_pool_cnt(const struct xchg_arena *a, xchg_tag_t tag, bool *shared)
{
	unsigned int set = xchg_lcore_cnt_set(a->pcnt_set);

	*shared = set == 0;
	return &a->pcnt[set * a->pcnt_stride + tag];
}

/* Enter and leave an operation that writes tags or the free store. The
 * barrier keeps the compiler (and, on weakly ordered CPUs, the CPU)
 * from moving the tag stores outside; x86 orders stores already.
 * xchg_op_depth_enter() and _leave() take the set's depth itself (an
 * lcore cache keeps its lcore's, see struct xchg_lcore_cache). */
static __rte_always_inline void
xchg_op_depth_enter(uint32_t *d)
{
	__atomic_store_n(d, __atomic_load_n(d, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static __rte_always_inline void
xchg_op_depth_leave(uint32_t *d)
{
	__atomic_store_n(d, __atomic_load_n(d, __ATOMIC_RELAXED) - 1,
			 __ATOMIC_RELEASE);
}

static __rte_always_inline unsigned int
xchg_op_enter(struct xchg_arena *a)
{
	unsigned int set = xchg_lcore_cnt_set(a->pcnt_set);

	if (likely(set != 0))
		xchg_op_depth_enter(&a->depth[set].depth);
	return set;
}

static __rte_always_inline void
xchg_op_leave(struct xchg_arena *a, unsigned int set)
{
	if (likely(set != 0))
		xchg_op_depth_leave(&a->depth[set].depth);
}

/* Count @n of @field for pool @p on the calling lcore's set. */
#define XCHG_POOL_COUNT(p, field, n) do { \
	bool shared_; \
	struct xchg_pool_counters *c_ = \
		xchg_pool_cnt((p)->arena, (p)->tag, &shared_); \
	xchg_lcore_cnt_add(&c_->field, (n), shared_); \
} while (0)

/* Pool @p's counters on counter set @set. */
static __rte_always_inline struct xchg_pool_counters *
xchg_pool_cnt_row(const struct xchg_pool *p, unsigned int set)
{
	return &p->arena->pcnt[set * p->arena->pcnt_stride + p->tag];
}

/* XCHG_POOL_COUNT() when the caller has its set @set already
 * (xchg_op_enter()). */
#define XCHG_POOL_COUNT_SET(p, set, field, n) do { \
	struct xchg_pool_counters *c_ = xchg_pool_cnt_row((p), (set)); \
	xchg_lcore_cnt_add(&c_->field, (n), (set) == 0); \
} while (0)

/* Sums of every set's counters of pool @tag (readers, control path). */
void xchg_pool_cnt_sum(const struct xchg_arena *a, xchg_tag_t tag,
		       struct xchg_pool_counters *sum);

/* Give @n units back to the owner @tag: a plain add to the calling
 * lcore's own counter set, which the owner's acquirer sums when its
 * bound says short (xchg_quota.h); the pool's line is not written.
 * Inline: called once per run of buffers of one owner on every free and
 * transfer. */
static inline void
xchg_ops_credit(struct xchg_arena *a, xchg_tag_t tag, uint32_t n)
{
	struct xchg_pool_counters *c;
	bool shared;

	if (tag == XCHG_TAG_NONE || n == 0)
		return;
	c = xchg_pool_cnt(a, tag, &shared);
	xchg_lcore_cnt_add(&c->returned, n, shared);
}

/* The same on counter set @set, the caller's (xchg_op_enter()). */
static __rte_always_inline void
xchg_ops_credit_set(struct xchg_arena *a, unsigned int set, xchg_tag_t tag,
		    uint32_t n)
{
	if (tag == XCHG_TAG_NONE || n == 0)
		return;
	xchg_lcore_cnt_add(&a->pcnt[set * a->pcnt_stride + tag].returned, n,
			   set == 0);
}

/*
 * Credits gathered while walking a burst: consecutive buffers of one
 * owner are credited with one atomic add, not one per buffer. Start
 * with { XCHG_TAG_NONE, 0 } and end with xchg_credit_run_flush().
 */
struct xchg_credit_run {
	xchg_tag_t tag;
	uint32_t n;
};

static inline void
xchg_credit_run_add(struct xchg_arena *a, struct xchg_credit_run *run,
		    xchg_tag_t tag)
{
	if (unlikely(tag != run->tag)) {
		xchg_ops_credit(a, run->tag, run->n);
		run->tag = tag;
		run->n = 0;
	}
	run->n++;
}

static inline void
xchg_credit_run_flush(struct xchg_arena *a, struct xchg_credit_run *run)
{
	xchg_ops_credit(a, run->tag, run->n);
}

/* Leak watch (xchg_watch.c): tables made with the arena; tick with the
 * arena lock held; a new pool in a slot starts a fresh record. */
int xchg_watch_alloc(struct xchg_arena *a);
void xchg_watch_release(struct xchg_arena *a);
void xchg_watch_tick_locked(struct xchg_arena *a);
uint64_t xchg_watch_now_ms(const struct xchg_arena *a);
void xchg_watch_pool_reset(struct xchg_arena *a, xchg_tag_t tag);

/* Telemetry (xchg_telemetry.c). */
void xchg_telemetry_init(void);

/* Pools (xchg_pool.c): a pool is usable when live. */
static inline bool
xchg_pool_is_live(const struct xchg_pool *p)
{
	return p != NULL &&
	       __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == XCHG_POOL_LIVE;
}

/* Quota and available units of @p for a reader (control path): the
 * sets' counters first, then the owner's stock, then taken (see
 * xchg_quota.h), so a live read may show fewer available units than
 * there are, by what is in motion, never more; *@avail above *@quota
 * means an over-credit. The quota is read until it is the same before
 * and after. Returns in_use, the buffers held (units in stock are not),
 * as signed, negative for an over-credit. */
int64_t xchg_pool_read_avail(const struct xchg_pool *p, uint32_t *quota,
			     uint32_t *avail);
/* The same, and in *@moved (if not NULL) a figure that grows with every
 * move of the pool's books, for a census to tell motion. */
int64_t xchg_pool_read_books(const struct xchg_pool *p, uint32_t *quota,
			     uint32_t *avail, uint64_t *moved);

/* Record a new fewest-available figure; rare, so a CAS loop is fine. */
static inline void
xchg_pool_lower_watermark(struct xchg_pool *p, uint32_t avail)
{
	uint32_t low = __atomic_load_n(&p->low_watermark, __ATOMIC_RELAXED);

	while (avail < low &&
	       !__atomic_compare_exchange_n(&p->low_watermark, &low, avail,
					    true, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

#endif /* XCHG_PRIVATE_H */
