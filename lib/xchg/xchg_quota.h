/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_QUOTA_H
#define XCHG_QUOTA_H

/*
 * Internal to libxchg: not installed. A pool's quota, kept with one
 * writer per counter so that neither an exchange nor a free executes a
 * locked instruction in the steady state.
 *
 * The books (struct xchg_pool and its counter sets):
 *
 *   taken         units ever taken for the pool (exchange, allocation,
 *                 clone), cumulative.
 *   back[s]       units ever given back on counter set s: returned (a
 *                 free, a transfer to another owner) plus refunded (an
 *                 acquirer's own unused units), cumulative; written only
 *                 by the thread of set s (shared set 0: atomic adds).
 *   in_use      = taken - sum over s of back[s]  <=  quota.
 *
 * Frees never touch the pool's line: a free adds to its own set's
 * counter with a plain store.
 *
 * Who writes taken: the pool's mode, p->acq.
 *
 *   OWNER (p->acq = set s): the first lcore that acquires for the pool
 *   claims it (one compare-and-swap in the pool's life). From then on
 *   only the thread of set s writes taken, ret_seen and busy, with plain
 *   stores: an acquisition is a plain load, compare and store. ret_seen
 *   is a lower bound of the other sets' back[] (they only grow, so any
 *   sum once read stays a lower bound), and s's own set is read exactly
 *   (it is s's own counter): its own frees count at once. When the
 *   bound says the quota is short, the owner sums the other sets again
 *   (plain loads of other lcores' lines, no locked instruction) and
 *   refuses only if the fresh sum still says short. So in_use never
 *   exceeds the quota (the bound only understates what came back) and a
 *   refusal means the pool held at least quota - need + 1 units at the
 *   moment of the sum: no unit is stranded in another lcore's counter.
 *
 *   SHARED (p->acq = XCHG_ACQ_SHARED): several threads acquire (a
 *   consumer fed by several RX lcores, an allocation on another lcore
 *   than the receiving one, a thread without an lcore): taken is moved
 *   by compare-and-swap, one per burst, checked against the shared bound
 *   ret_seen, summed again when short. Frees stay plain in both modes.
 *
 *   OWNER -> SHARED (xchg_quota_convert(), once, slow path): the second
 *   acquirer stores CONVERTING, runs membarrier() (a full barrier on
 *   every thread of the process), then waits for busy to drop. The
 *   owner sets busy before it reads p->acq and clears it (release) after
 *   its last store to taken. Asymmetric Dekker: the owner's store busy,
 *   compiler barrier, load acq pairs with the converter's store acq,
 *   membarrier, load busy; either the owner sees CONVERTING and backs
 *   off, or the converter sees busy and waits for the section's end,
 *   whose release store of busy=0 pairs with the converter's acquire
 *   load and publishes the owner's last taken. A resize that lowers the
 *   quota uses the same handshake (xchg_quota_sync()) so that no owner
 *   section still works with the old quota when it checks in_use.
 *   Without membarrier (not Linux, or refused), every pool is SHARED.
 *
 *   Readers (census, stats, watch) sum back[] with acquire loads first,
 *   then load taken: every unit counted back was taken before (the
 *   buffer's hand-over orders the owner's store of taken before the
 *   freer's release store of back[]), so a live read may overstate
 *   in_use by what is in motion, never understate it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_pause.h>

#include "xchg_private.h"

#define XCHG_ACQ_NONE       0        /* no acquirer yet */
#define XCHG_ACQ_SHARED     0xffffu  /* compare-and-swap */
#define XCHG_ACQ_CONVERTING 0xfffeu  /* owner -> shared, wait */

/* An acquisition in progress: begin, then commit or abort. */
struct xchg_quota_tx {
	uint64_t taken;   /* taken as read */
	int64_t avail;    /* units the pool may take now */
	uint32_t quota;   /* quota as read */
	bool owner;       /* plain section (busy set) */
};

/* Slow paths (xchg_quota.c). */
uint64_t xchg_quota_back_sum(const struct xchg_arena *a, xchg_tag_t tag,
			     unsigned int skip_set);
void xchg_quota_shared_wait(struct xchg_pool *p, unsigned int set);
void xchg_quota_sync(struct xchg_pool *p);
bool xchg_quota_owner_supported(void);

/* Units given back on one set's counters of a pool, @c, exact for the
 * set's own thread. */
static inline uint64_t
xchg_quota_back_cnt(const struct xchg_pool_counters *c)
{
	return __atomic_load_n(&c->returned, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&c->refunded, __ATOMIC_ACQUIRE);
}

/* Units given back on set @set, exact for the set's own thread. */
static inline uint64_t
xchg_quota_back_of(const struct xchg_arena *a, xchg_tag_t tag,
		   unsigned int set)
{
	return xchg_quota_back_cnt(&a->pcnt[set * a->pcnt_stride + tag]);
}

/* The rest of xchg_quota_begin_set() when the caller is not the pool's
 * owner (xchg_quota.c); @acq as the caller read it. */
int64_t xchg_quota_begin_other(struct xchg_pool *p, struct xchg_quota_tx *tx,
			       uint32_t need, unsigned int set, uint16_t acq);

/*
 * Start an acquisition of up to @need units for @p, on counter set @set
 * (the caller's, xchg_lcore_cnt_set(a->pcnt_set)), whose counters of @p
 * are @own (&a->pcnt[set * a->pcnt_stride + p->tag], a caller that has
 * the set's row already saves the lookup); returns the units available
 * (tx->avail, 0 or more). When the running bound says fewer than @need,
 * the other sets are summed again first. The owner's section is inline;
 * everything else is out of line.
 */
static __rte_always_inline int64_t
xchg_quota_begin_own(struct xchg_pool *p, struct xchg_quota_tx *tx,
		     uint32_t need, unsigned int set,
		     const struct xchg_pool_counters *own)
{
	uint16_t acq = __atomic_load_n(&p->acq, __ATOMIC_RELAXED);
	int64_t quota;
	uint64_t back;

	if (likely(acq == set && set != 0)) {
		/* Owner section: only this thread writes busy, taken and
		 * ret_seen. The signal fence keeps the compiler from
		 * moving the re-read of acq above the store of busy; the
		 * CPU's order is the converter's membarrier's job. */
		__atomic_store_n(&p->busy, 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (likely(__atomic_load_n(&p->acq, __ATOMIC_RELAXED) ==
			   set)) {
			tx->owner = true;
			tx->taken = p->taken;
			quota = __atomic_load_n(&p->quota, __ATOMIC_RELAXED);
			tx->quota = (uint32_t)quota;
			back = p->ret_seen + xchg_quota_back_cnt(own);
			tx->avail = quota + (int64_t)(back - tx->taken);
			if (unlikely(tx->avail < (int64_t)need)) {
				p->ret_seen = xchg_quota_back_sum(p->arena,
								  p->tag, set);
				back = p->ret_seen + xchg_quota_back_cnt(own);
				tx->avail = quota +
					    (int64_t)(back - tx->taken);
			}
			if (tx->avail < 0)
				tx->avail = 0;
			return tx->avail;
		}
		__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
	}
	return xchg_quota_begin_other(p, tx, need, set, acq);
}

/* The same, the set's row looked up here. */
static __rte_always_inline int64_t
xchg_quota_begin_set(struct xchg_pool *p, struct xchg_quota_tx *tx,
		     uint32_t need, unsigned int set)
{
	const struct xchg_arena *a = p->arena;

	return xchg_quota_begin_own(p, tx, need, set,
				    &a->pcnt[set * a->pcnt_stride + p->tag]);
}

/* The same on the calling thread's counter set. */
static inline int64_t
xchg_quota_begin(struct xchg_pool *p, struct xchg_quota_tx *tx,
		 uint32_t need)
{
	return xchg_quota_begin_set(p, tx, need,
				    xchg_lcore_cnt_set(p->arena->pcnt_set));
}

/* End an acquisition that takes nothing. */
static inline void
xchg_quota_abort(struct xchg_pool *p, struct xchg_quota_tx *tx)
{
	if (tx->owner)
		__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
}

/*
 * Take @n units (at most tx->avail). True when taken; false when another
 * acquirer of a shared pool came first or a resize lowered the quota
 * meanwhile: begin again.
 */
static inline bool
xchg_quota_commit(struct xchg_pool *p, struct xchg_quota_tx *tx, uint32_t n)
{
	uint64_t want = tx->taken + n;

	if (likely(tx->owner)) {
		/* Plain store; the release store of busy publishes it to
		 * a converter or a resize (xchg_quota_sync()). */
		__atomic_store_n(&p->taken, want, __ATOMIC_RELAXED);
		__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
		return true;
	}
	if (!__atomic_compare_exchange_n(&p->taken, &tx->taken, want, false,
					  __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return false;
	/* Pairs with the resize's seq_cst store of a lower quota and its
	 * later load of taken: one of the two sees the other. A quota
	 * lowered since begin: give back and begin again. */
	if (unlikely(__atomic_load_n(&p->quota, __ATOMIC_SEQ_CST) <
		     tx->quota)) {
		__atomic_fetch_sub(&p->taken, n, __ATOMIC_RELEASE);
		return false;
	}
	return true;
}

/* Record the fewest units available after taking @n in tx: a bound
 * below the low watermark is checked against a fresh sum first, so a
 * stale bound never records a low that did not happen. */
static inline void
xchg_quota_note_low(struct xchg_pool *p, const struct xchg_quota_tx *tx,
		    uint32_t n)
{
	int64_t after = tx->avail - n;

	if (likely(after >= (int64_t)__atomic_load_n(&p->low_watermark,
						     __ATOMIC_RELAXED)))
		return;
	after = (int64_t)tx->quota + (int64_t)(xchg_quota_back_sum(p->arena,
			p->tag, UINT32_MAX) - (tx->taken + n));
	xchg_pool_lower_watermark(p, after < 0 ? 0 : (uint32_t)after);
}

/* Give back @n units this thread took and did not use: a plain add to
 * its own set (no locked instruction, in either mode). */
static inline void
xchg_quota_refund(struct xchg_pool *p, uint32_t n)
{
	if (unlikely(n != 0))
		XCHG_POOL_COUNT(p, refunded, n);
}

/* Take exactly @n units or none. */
static inline bool
xchg_quota_take_exact(struct xchg_pool *p, uint32_t n)
{
	struct xchg_quota_tx tx;

	do {
		if (xchg_quota_begin(p, &tx, n) < (int64_t)n) {
			xchg_quota_abort(p, &tx);
			return false;
		}
	} while (!xchg_quota_commit(p, &tx, n));
	xchg_quota_note_low(p, &tx, n);
	return true;
}

#endif /* XCHG_QUOTA_H */
