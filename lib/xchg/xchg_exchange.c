/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The data path: exchange (a consumer pays for received frames with its
 * reservation) and allocation from an owner's own reservation. The
 * quota is taken per burst (xchg_quota.h: a plain store while one lcore
 * acquires for the pool, a compare-and-swap when several do); one tag
 * write per buffer. Buffers themselves never move: m->pool stays the arena.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_consumer_private.h"
#include "xchg_deliver_private.h"
#include "xchg_private.h"
#include "xchg_quota.h"

/* Frames validated per pass; bounds the on-stack cost array. */
#define XCHG_EXCHANGE_CHUNK 64

/* What taking @m costs @p, in units, or a negative errno. Only the first
 * mbuf cache line is read for a one-segment frame. */
static inline int
frame_cost(const struct xchg_arena *a, const struct xchg_pool *p,
	   const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg = m;
	unsigned int i, nb_segs = m->nb_segs;
	int cost = 0;

	if (unlikely(nb_segs == 0))
		return -EINVAL; /* would pass every check below unchecked */

	for (i = 0; i < nb_segs; i++, seg = seg->next) {
		uint32_t idx;
		xchg_tag_t tag;

		if (unlikely(seg == NULL))
			return -EINVAL; /* nb_segs longer than the chain */
		if (unlikely(seg->pool != a->mp))
			return -EXDEV;
		if (unlikely(seg->ol_flags &
			     (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)))
			return -ENOTSUP;
		if (unlikely(rte_mbuf_refcnt_read(seg) != 1))
			return -EBUSY;
		idx = xchg_arena_index(a, seg);
		if (unlikely(idx == UINT32_MAX))
			return -EXDEV;
		tag = a->tags[idx];
		if (unlikely(tag == XCHG_TAG_FREE))
			return -EALREADY;
		cost += tag != p->tag;
	}
	return cost;
}

/* Take units for the longest affordable prefix of @costs; returns its
 * length. */
static inline unsigned int
reserve_prefix(struct xchg_pool *p, const uint16_t *costs, unsigned int nb,
	       uint32_t *paid)
{
	struct xchg_quota_tx tx;
	uint32_t need, sum;
	unsigned int k;

	for (k = 0, need = 0; k < nb; k++)
		need += costs[k];
	do {
		int64_t avail = xchg_quota_begin(p, &tx, need);

		for (k = 0, sum = 0; k < nb && sum + costs[k] <= avail; k++)
			sum += costs[k];
		*paid = sum;
		if (sum == 0) {
			xchg_quota_abort(p, &tx);
			return k;
		}
	} while (!xchg_quota_commit(p, &tx, sum));
	xchg_quota_note_low(p, &tx, sum);
	return k;
}

/* Charge every segment of @mbufs[0..nb) to @p; a previous owner gets its
 * unit back. Returns how many segments changed owner: fewer than were
 * paid for when the same buffer came twice in one burst. */
static inline uint32_t
tag_frames(struct xchg_arena *a, struct xchg_pool *p,
	   struct rte_mbuf **mbufs, unsigned int nb)
{
	struct xchg_credit_run run = { XCHG_TAG_NONE, 0 };
	uint32_t retagged = 0;
	unsigned int i, s;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *seg = mbufs[i];
		unsigned int nb_segs = seg->nb_segs;

		for (s = 0; s < nb_segs; s++, seg = seg->next) {
			xchg_tag_t *tag = &a->tags[xchg_arena_index(a, seg)];
			xchg_tag_t old = *tag;

			if (likely(old == p->tag))
				continue;
			*tag = p->tag;
			retagged++;
			if (likely(old == XCHG_TAG_NONE))
				continue;
			xchg_credit_run_add(a, &run, old);
		}
	}
	xchg_credit_run_flush(a, &run);
	return retagged;
}

/* Nonzero unless @m is one segment, direct, with refcnt 1. refcnt and
 * nb_segs sit side by side: both must be 1, which reads the same in
 * either byte order. */
static __rte_always_inline uint64_t
frame_not_plain(const struct rte_mbuf *m)
{
	uint32_t refcnt_segs;

	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, nb_segs) !=
			 offsetof(struct rte_mbuf, refcnt) + sizeof(uint16_t));
	memcpy(&refcnt_segs, &m->refcnt, sizeof(refcnt_segs));
	return (refcnt_segs ^ (1u | 1u << 16)) |
	       (m->ol_flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL));
}

/* Tag @mbufs[0..take) for @me while each is fresh; returns how many. */
static __rte_always_inline unsigned int
tag_fresh_inline(const struct xchg_arena *a, const xchg_tag_t me,
		 struct rte_mbuf **mbufs, uint32_t take)
{
	xchg_tag_t * const tags = a->tags;
	const uintptr_t base = a->base;
	const uint32_t shift = a->stride_shift, nb = a->nb_buffers;
	const uint64_t inv = a->stride_inv;
	/* Counted from -take up to 0, so the loop's end test is the
	 * increment's own flag. */
	struct rte_mbuf * const * const end = mbufs + take;
	ptrdiff_t i;

	for (i = -(ptrdiff_t)take; i != 0; i++) {
		const struct rte_mbuf *m = end[i];
		uint64_t idx = xchg_arena_pos(base, inv, shift, m);
		/* In the arena at a buffer start: so m->pool is the arena.
		 * One branch for the checks that need no tag. */
		uint64_t bad = frame_not_plain(m);

		/* The tag is written at once: the same buffer later in the
		 * burst then fails the ownerless check and goes the general
		 * way, which pays for it once. */
		if (unlikely(bad != 0 || idx >= nb ||
			     tags[idx] != XCHG_TAG_NONE))
			break;
		tags[idx] = me;
	}
	return (unsigned int)((ptrdiff_t)take + i);
}

/* The same out of line, for bursts: a leaf keeps the arena's geometry in
 * registers for the loop, where inlined into the exchange it is reloaded
 * from the stack for every frame. A burst of a few frames (a socket's
 * share of a receive burst) saves the call instead. */
static __rte_noinline unsigned int
tag_fresh(const struct xchg_arena *a, const xchg_tag_t me,
	  struct rte_mbuf **mbufs, uint32_t take)
{
	return tag_fresh_inline(a, me, mbufs, take);
}

/*
 * Transfers, the second common case: frames of other owners (a
 * service's replies or a socket's sends handed to a TX queue's pool; the
 * stack's replies of several services in one call), single-segment,
 * direct, refcnt 1. Called by acquire_fresh() where its fresh pass
 * stopped, with @units units already taken in its quota section (at most
 * the frames left): the runs of frames of one owner each, one after the
 * other, are taken with them, one tag rewrite per frame, and each run's
 * previous owner is credited once for its run. The units the runs did
 * not use are refunded. Returns how many frames it took; stops at the
 * first frame that is anything else, for the general path to judge
 * (a fresh frame, the acquirer's own frame, a chain, a FREE tag...).
 *
 * Every check of frame_cost() is made: in the arena at a buffer start
 * and m->pool the arena's mempool (foreign), neither indirect nor
 * external, refcnt and nb_segs 1, and the tag: the previous owner is
 * neither NONE (fresh, the fresh pass's), nor FREE (a use after free:
 * the general path rejects it), nor the acquirer (costs nothing, the
 * general path's). A pool that holds a buffer is live (xchg_pool_free()
 * refuses while units are out), so the credit goes to a live pool, as
 * tag_frames()'s does. The tag is written at once: the same buffer again
 * later in the burst then reads as the acquirer's and ends the run, and
 * the general path takes it for nothing, as it would have.
 */
static __rte_noinline unsigned int
acquire_transfer(struct xchg_arena *a, struct xchg_pool *p,
		 struct rte_mbuf **mbufs, uint32_t units, unsigned int set)
{
	xchg_tag_t * const tags = a->tags;
	const struct rte_mempool *mp = a->mp;
	const uintptr_t base = a->base;
	const uint32_t shift = a->stride_shift, nb = a->nb_buffers;
	const uint64_t inv = a->stride_inv;
	const xchg_tag_t me = p->tag;
	xchg_tag_t from = XCHG_TAG_NONE; /* the run's owner */
	unsigned int moved, run = 0;     /* the run's first frame */

	for (moved = 0; moved < units; moved++) {
		const struct rte_mbuf *m = mbufs[moved];
		uint64_t idx = xchg_arena_pos(base, inv, shift, m);
		/* As tag_fresh_inline(), plus the mempool's check. */
		uint64_t bad = frame_not_plain(m) | (uint64_t)(m->pool != mp);

		if (unlikely(bad != 0 || idx >= nb))
			break;
		if (moved == 0 || tags[idx] != from) {
			/* A run starts: its owner is checked once, and
			 * the run before it (none at the first frame:
			 * NONE credits nobody) is credited. */
			xchg_tag_t next = tags[idx];

			if (next == XCHG_TAG_NONE || next == XCHG_TAG_FREE ||
			    next == me)
				break;
			xchg_ops_credit_set(a, set, from, moved - run);
			from = next;
			run = moved;
		}
		tags[idx] = me;
	}
	if (moved != units)
		XCHG_POOL_COUNT_SET(p, set, refunded, units - moved);
	xchg_ops_credit_set(a, set, from, moved - run);
	return moved;
}

/* Tag the fresh frames of @mbufs[0..take), @take units paid, then runs
 * of other owners' frames with the units left; returns how many. */
static __rte_always_inline unsigned int
tag_paid(struct xchg_arena *a, struct xchg_pool *p, struct rte_mbuf **mbufs,
	 uint32_t take, unsigned int set)
{
	unsigned int fresh = take <= 4 ?
			     tag_fresh_inline(a, p->tag, mbufs, take) :
			     tag_fresh(a, p->tag, mbufs, take);

	if (unlikely(fresh != take))
		fresh += acquire_transfer(a, p, &mbufs[fresh], take - fresh,
					  set);
	return fresh;
}

/* acquire_fresh() when the owner's stock cannot pay (or the caller is
 * not the owner): the quota's full section, out of line, so that its
 * transaction never leaves the inline path short of registers. */
static __rte_noinline unsigned int
acquire_fresh_begin(struct xchg_arena *a, struct xchg_pool *p,
		    struct rte_mbuf **mbufs, unsigned int n, unsigned int set,
		    const struct xchg_pool_counters *own)
{
	struct xchg_quota_tx tx;
	uint32_t take;
	unsigned int fresh;

	do {
		take = (uint32_t)RTE_MIN(xchg_quota_begin_own(p, &tx, n,
							      set, own),
					 (int64_t)n);
		if (take == 0) {
			xchg_quota_abort(p, &tx);
			return 0;
		}
	} while (!xchg_quota_commit(p, &tx, take));
	fresh = tag_paid(a, p, mbufs, take, set);
	xchg_quota_note_low(p, &tx, fresh);
	return fresh;
}

/*
 * The common case, first: single-segment direct frames with refcnt 1,
 * charged to nobody (fresh from a NIC ring). Each costs one unit, so the
 * units for the whole burst are taken first: from the owner's prepaid
 * stock (xchg_quota_stock_take(): a load, compare and store of the
 * pool's line, no transaction), else in the quota's section
 * (acquire_fresh_begin(): a plain store or one compare-and-swap). What
 * the burst did not use is given back in the rare case it stops early;
 * no index is kept for a rollback. Runs of other owners' frames where
 * the fresh ones end are taken with the same units
 * (acquire_transfer()). Stops at the first frame that is anything else,
 * for the general path to judge. Returns how many frames it took: 0 also
 * when the pool had nothing to pay with.
 */
static __rte_always_inline unsigned int
acquire_fresh(struct xchg_arena *a, struct xchg_pool *p,
	      struct rte_mbuf **mbufs, unsigned int n, unsigned int set,
	      const struct xchg_pool_counters *own)
{
	unsigned int fresh;
	uint64_t low;

	n = RTE_MIN(n, (unsigned int)XCHG_EXCHANGE_CHUNK);
	if (unlikely(!xchg_quota_stock_take(p, n, set, own, &low)))
		return acquire_fresh_begin(a, p, mbufs, n, set, own);
	fresh = tag_paid(a, p, mbufs, n, set);
	xchg_quota_stock_note_low(p, low);
	return fresh;
}

/* The general path of xchg_acquire_burst(), from frame @done on: out of
 * line, so that the fresh path's loop keeps the arena's fields in
 * registers. Leaves the operation and counts. */
static __rte_noinline unsigned int
acquire_rest(struct xchg_arena *a, struct xchg_pool *p,
	     struct rte_mbuf **mbufs, unsigned int n, unsigned int done,
	     unsigned int set)
{
	uint16_t costs[XCHG_EXCHANGE_CHUNK];
	/* The caller's fresh pass stopped at @done on a frame that is not
	 * fresh, or for want of units: the general path judges it first.
	 * Only a pass that ended at its chunk's end is tried again. */
	bool try_fresh = done == RTE_MIN(n, (unsigned int)XCHG_EXCHANGE_CHUNK);
	int err = 0;

	while (done < n && err == 0) {
		unsigned int chunk, valid, taken, fresh;
		uint32_t paid = 0, retagged;

		if (try_fresh) {
			fresh = acquire_fresh(a, p, &mbufs[done], n - done,
					      set, xchg_pool_cnt_row(p, set));
			done += fresh;
			if (fresh != 0)
				continue;
		}
		try_fresh = true;
		/* No unit, or the next frame is not fresh: the general path
		 * judges a chunk in full (a frame the pool owns costs
		 * nothing). */
		chunk = RTE_MIN(n - done, (unsigned)XCHG_EXCHANGE_CHUNK);
		for (valid = 0; valid < chunk; valid++) {
			int cost = frame_cost(a, p, mbufs[done + valid]);

			if (unlikely(cost < 0)) {
				err = -cost;
				break;
			}
			costs[valid] = (uint16_t)cost;
		}
		taken = reserve_prefix(p, costs, valid, &paid);
		retagged = tag_frames(a, p, &mbufs[done], taken);
		xchg_quota_refund(p, paid - retagged);
		done += taken;
		if (taken < valid)
			err = ENOBUFS;
	}

	xchg_op_leave(a, set);
	if (done != 0)
		XCHG_POOL_COUNT_SET(p, set, accepted, done);
	if (unlikely(err != 0)) {
		if (err == ENOBUFS)
			XCHG_POOL_COUNT_SET(p, set, refused, n - done);
		else
			XCHG_POOL_COUNT_SET(p, set, rejected, 1);
		rte_errno = err;
	}
	return done;
}

unsigned int
xchg_acquire_burst(struct xchg_pool *p, struct rte_mbuf **mbufs,
		   unsigned int n)
{
	struct xchg_pool_counters *own;
	struct xchg_arena *a;
	unsigned int done, set;

	/* Two branches, not one on a combined flag. */
	if (unlikely(!xchg_pool_is_live(p)) || unlikely(mbufs == NULL)) {
		rte_errno = EINVAL;
		return 0;
	}
	a = p->arena;
	set = xchg_op_enter(a);
	/* The pool's counters on this set: the quota section's and the
	 * count's, looked up once. */
	own = xchg_pool_cnt_row(p, set);
	/* The common case in full: every frame fresh and paid for. */
	done = likely(n != 0) ? acquire_fresh(a, p, mbufs, n, set, own) : 0;
	if (unlikely(done != n))
		return acquire_rest(a, p, mbufs, n, done, set);
	xchg_op_leave(a, set);
	if (likely(done != 0))
		xchg_lcore_cnt_add(&own->accepted, done, set == 0);
	return done;
}

/* Take exactly @n units, or none; counts a failure. */
static inline int
reserve_exact(struct xchg_pool *p, uint32_t n)
{
	if (xchg_quota_take_exact(p, n))
		return 0;
	XCHG_POOL_COUNT(p, alloc_failed, 1);
	return -ENOBUFS;
}

int
xchg_alloc_bulk(struct xchg_pool *p, struct rte_mbuf **mbufs, unsigned int n)
{
	struct xchg_arena *a;
	unsigned int i, set;

	if (unlikely(!xchg_pool_is_live(p) || mbufs == NULL))
		return -EINVAL;
	if (n == 0)
		return 0;
	a = p->arena;
	if (reserve_exact(p, n) != 0)
		return -ENOBUFS;

	set = xchg_op_enter(a);
	if (unlikely(rte_pktmbuf_alloc_bulk(a->mp, mbufs, n) != 0)) {
		xchg_op_leave(a, set);
		/* The sizing invariant makes this a leak somewhere else:
		 * buffers out without an owner. The census names it. */
		xchg_quota_refund(p, n);
		XCHG_POOL_COUNT(p, alloc_failed, 1);
		return -ENOBUFS;
	}
	for (i = 0; i < n; i++)
		a->tags[xchg_arena_index(a, mbufs[i])] = p->tag;
	xchg_op_leave(a, set);
	XCHG_POOL_COUNT(p, allocated, n);
	return 0;
}

struct rte_mbuf *
xchg_pool_clone(struct xchg_pool *p, struct rte_mbuf *m)
{
	struct xchg_arena *a;
	struct rte_mbuf *mi, *seg;
	unsigned int set;
	uint16_t nb_segs;

	if (unlikely(!xchg_pool_is_live(p) || m == NULL || m->nb_segs == 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	a = p->arena;
	nb_segs = m->nb_segs;
	if (reserve_exact(p, nb_segs) != 0) {
		rte_errno = ENOBUFS;
		return NULL;
	}
	set = xchg_op_enter(a);
	mi = rte_pktmbuf_clone(m, a->mp);
	if (unlikely(mi == NULL)) {
		xchg_op_leave(a, set);
		/* Partial clones went back ownerless: nothing to credit. */
		xchg_quota_refund(p, nb_segs);
		XCHG_POOL_COUNT(p, alloc_failed, 1);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (seg = mi; seg != NULL; seg = seg->next)
		a->tags[xchg_arena_index(a, seg)] = p->tag;
	xchg_op_leave(a, set);
	XCHG_POOL_COUNT(p, allocated, nb_segs);
	return mi;
}

struct xchg_pool *
xchg_mbuf_owner(const struct rte_mbuf *m)
{
	struct xchg_arena *a;
	uint32_t idx;
	xchg_tag_t tag;

	if (m == NULL)
		return NULL;
	a = xchg_arena_from_mempool(m->pool);
	if (a == NULL)
		return NULL;
	idx = xchg_arena_index(a, m);
	if (idx == UINT32_MAX)
		return NULL;
	tag = a->tags[idx];
	if (tag == XCHG_TAG_NONE || tag == XCHG_TAG_FREE ||
	    !xchg_pool_is_live(&a->pools[tag]))
		return NULL;
	return &a->pools[tag];
}

/*
 * A receive burst's delivery, every consumer it feeds in one call
 * (xchg_deliver_private.h), xchg_consumer_deliver()'s too (one group):
 * per group, xchg_acquire_burst() and the ring's enqueue, with the entry of
 * the exchange paid once per call: one operation (xchg_op_enter(), the
 * counter-set lookup included) for the groups of one arena, no call per
 * group. Per group stay: the pool's live check, the owner's inline quota
 * section and the tagging of fresh frames (acquire_fresh()), the general
 * path for the rest (acquire_rest(), unchanged), the enqueue, the counts.
 *
 * Memory order. As in xchg_acquire_burst(), every tag store is inside
 * the operation: after the depth's store and its release fence, before
 * xchg_op_leave()'s release store, so a census sees this lcore in motion
 * while any of the call's tags may be half written. What differs: a
 * group's frames are enqueued while the operation is still open, where
 * an exchange and an enqueue apart leave it first. The ring publishes
 * the slots with a release store of its producer tail, which orders the
 * group's tag stores (and the quota section's store of taken) before it
 * as the operation's release did; the consumer's thread dequeues with an
 * acquire load, so it sees its own tag on every frame it frees, as
 * before. A frame freed on another lcore before this call returns is
 * that lcore's operation, counted on its own set: nothing this lcore
 * holds between two of its operations changes, only the time its depth
 * is non-zero (one burst instead of one group). Each quota section is
 * acquire_fresh()'s or acquire_rest()'s, one per group as before: the
 * argument of xchg_quota.h holds as it stands, and a group is tagged
 * before the next group's units are taken, so at any instant the call
 * holds at most one chunk charged and not yet tagged, the census's
 * motion bound (lcore_bound(), xchg_census.c).
 */
/* Leave the operation on @from (none yet: NULL) and enter one on @to;
 * returns its counter set. Out of line: once per call for the groups of
 * one arena, and what it needs stays out of the loop's registers. */
static __rte_noinline unsigned int
deliver_switch(struct xchg_arena *from, unsigned int set,
	       struct xchg_arena *to)
{
	if (from != NULL)
		xchg_op_leave(from, set);
	return xchg_op_enter(to);
}

int
xchg_consumer_deliver_groups(struct xchg_deliver_group *g,
			     unsigned int nb_groups, struct rte_mbuf **mbufs)
{
	struct xchg_pool_counters *cs = NULL; /* the set's, in arena a */
	struct xchg_deliver_group *end;
	struct xchg_arena *a = NULL;
	unsigned int set = 0;

	if (unlikely(g == NULL || mbufs == NULL || nb_groups == 0)) {
		rte_errno = EINVAL;
		return -EINVAL;
	}
	for (end = g + nb_groups; g != end; g++) {
		struct xchg_consumer *c = g->consumer;
		struct xchg_pool_counters *own; /* p's, on the set */
		struct rte_mbuf **m = mbufs;
		unsigned int n = g->n, taken, queued;
		struct xchg_pool *p = NULL;
		int err = 0;

		mbufs += n;
		/* c->pool read once: the live check's acquire load would
		 * have it read again after. */
		if (likely(c != NULL))
			p = c->pool;
		if (unlikely(!xchg_pool_is_live(p))) {
			g->queued = 0;
			g->err = n != 0 ? EINVAL : 0;
			continue;
		}
		if (unlikely(p->arena != a)) {
			/* Consumers of another arena: its own operation. */
			set = deliver_switch(a, set, p->arena);
			a = p->arena;
			cs = &a->pcnt[set * a->pcnt_stride];
		}
		own = &cs[p->tag];
		taken = likely(n != 0) ? acquire_fresh(a, p, m, n, set, own) :
					 0;
		if (likely(taken == n)) {
			if (likely(taken != 0))
				xchg_lcore_cnt_add(&own->accepted, taken,
						   set == 0);
		} else {
			/* acquire_rest() leaves an operation and counts the
			 * group: give it one, nested in this call's. */
			(void)xchg_op_enter(a);
			taken = acquire_rest(a, p, m, n, taken, set);
			if (taken < n)
				err = rte_errno;
		}
		/* The producer's mode as the consumer keeps it (c->sp, set
		 * with the ring's), not the ring's generic dispatch. */
		queued = c->sp ?
			 rte_ring_sp_enqueue_burst(c->ring, (void **)m, taken,
						   NULL) :
			 rte_ring_mp_enqueue_burst(c->ring, (void **)m, taken,
						   NULL);
		if (unlikely(queued < taken)) {
			/* Still charged to the consumer: the caller's free
			 * of the rest gives the units back. */
			xchg_lcore_cnt_add(&own->accepted,
					   -(uint64_t)(taken - queued), set == 0);
			xchg_lcore_cnt_add(&own->refused, taken - queued,
					   set == 0);
			err = ENOSPC;
		}
		g->queued = (uint16_t)queued;
		g->err = err;
	}
	if (a != NULL)
		xchg_op_leave(a, set);
	return 0;
}
