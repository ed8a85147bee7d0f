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
 *   stock         units the owner took ahead (OWNER mode only, else 0):
 *                 counted in taken, held by no buffer yet.
 *   in_use      = taken - sum over s of back[s] - stock: buffers held.
 *   in_use + stock = taken - sum of back[]  <=  quota.
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
 *   The prepaid stock (the memory cgroup's per-CPU stock, applied to
 *   the quota): when the stock cannot pay for a section, the owner takes
 *   what the section needs beyond it and up to XCHG_QUOTA_STOCK plus
 *   the section's own need (at most XCHG_QUOTA_STOCK_MAX) more,
 *   all counted in taken, into the stock; while the stock can pay, a
 *   section is a load, compare and store of p->stock. A unit in stock
 *   is a unit of the quota (in_use + stock <= quota), so the stock never
 *   lets the pool hold more than its quota; a section the stock cannot
 *   pay is given the stock plus what the bound, then the fresh sum, says
 *   the pool may still take, so a refusal still comes from an exact sum
 *   with the stock used first. p->floor plus the owner's own set's
 *   returned is a lower bound of what the pool may take beyond the
 *   stock (the bound at the last refill or fresh sum, less the set's
 *   returned then: frees only raise it, own frees count at once), so
 *   with the stock it bounds the units available from below, the low
 *   watermark's fast check.
 *   Store order: a refill stores taken, then stock (release); a flush
 *   stores stock = 0 (release), then refunds the units (release); the
 *   readers load the sets, then stock, then taken (acquire), so a live
 *   read overstates in_use by what is in motion, never understates it.
 *   A flush (xchg_quota_flush()) holds the owner off as a conversion
 *   does (CONVERTING, membarrier, busy), empties the stock, refunds it
 *   on the flusher's own counter set and gives the pool back: a
 *   conversion to SHARED and a resize that lowers the quota flush, so
 *   neither a shared acquirer nor a lower quota meets units in stock.
 *   xchg_pool_free() does not: it refuses while buffers are held (the
 *   stock is none), and a pool made again in the slot starts its books
 *   from the sets' sum with an empty stock (xchg_pool_create()).
 *   The exchange's common case takes from the stock without a
 *   transaction (xchg_quota_stock_take()); begin/commit take from it
 *   too (xchg_quota_begin_own()), so an allocation and a clone use it.
 *   A SHARED pool has no stock: a stock per acquiring lcore would strand
 *   units in the other lcores' stocks, to be drained on every refusal;
 *   it keeps the compare-and-swap per burst.
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
 *   quota uses the same handshake and flushes the stock
 *   (xchg_quota_sync()) so that no owner section still works with the
 *   old quota or a stock taken under it when it checks in_use. The
 *   owner's re-read of acq is an acquire load: a section that reads the
 *   acq a flush stored back sees the flush's stock and floor.
 *   Without membarrier (not Linux, or refused), every pool is SHARED.
 *
 *   Readers (census, stats, watch) sum back[] with acquire loads first,
 *   then load the stock, then taken (xchg_pool_read_books()): every
 *   unit counted back was taken before (the buffer's hand-over orders
 *   the owner's store of taken, or of a lower stock, before the freer's
 *   release store of back[]), so a live read may overstate in_use by
 *   what is in motion, never understate it. What they report counts
 *   buffers: in_use and available = quota - in_use leave the stock out,
 *   the low watermark is the fewest available (quota - in_use) an
 *   acquisition left, exact as before (a stale bound is checked against
 *   a fresh sum, which adds the stock back), and the census compares
 *   the buffers tagged to a pool with in_use: a unit in stock is not a
 *   buffer anywhere, so every rule reads as before; only its motion
 *   figure adds the stock's moves (2 taken + back - stock grows with
 *   every take, refill and give-back).
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

/* A refill leaves XCHG_QUOTA_STOCK units in stock plus the section's
 * own need up to XCHG_QUOTA_STOCK_MAX: a burst as large as the last
 * finds it in stock the next time too. */
#define XCHG_QUOTA_STOCK     32u
#define XCHG_QUOTA_STOCK_MAX 64u

/* An acquisition in progress: begin, then commit or abort. */
struct xchg_quota_tx {
	uint64_t taken;   /* taken as read; after commit, as stored */
	int64_t avail;    /* units this section may take */
	int64_t low;      /* a lower bound of the units available before
			   * the take (quota - in_use), for the watermark */
	uint64_t base;    /* owner, stock short: floor before the take */
	uint32_t quota;   /* quota as read (not by the stock's section) */
	uint32_t stock;   /* owner: stock as read; after commit, as left */
	bool owner;       /* plain section (busy set) */
};

/* Slow paths (xchg_quota.c). */
uint64_t xchg_quota_back_sum(const struct xchg_arena *a, xchg_tag_t tag,
			     unsigned int skip_set);
void xchg_quota_shared_wait(struct xchg_pool *p, unsigned int set);
void xchg_quota_sync(struct xchg_pool *p);
void xchg_quota_flush(struct xchg_pool *p);
bool xchg_quota_owner_supported(void);
int64_t xchg_quota_begin_short(struct xchg_pool *p, struct xchg_quota_tx *tx,
			       uint32_t need, unsigned int set,
			       const struct xchg_pool_counters *own);
void xchg_quota_refill(struct xchg_pool *p, struct xchg_quota_tx *tx,
		       uint32_t n);
void xchg_quota_note_low_slow(struct xchg_pool *p,
			      const struct xchg_quota_tx *tx, uint32_t n);

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
 * (tx->avail, 0 or more). The owner's section is inline and, while its
 * stock can pay, reads nothing but its own fields of the pool's line;
 * a stock short of @need, and everything else, is out of line.
 */
static __rte_always_inline int64_t
xchg_quota_begin_own(struct xchg_pool *p, struct xchg_quota_tx *tx,
		     uint32_t need, unsigned int set,
		     const struct xchg_pool_counters *own)
{
	uint16_t acq = __atomic_load_n(&p->acq, __ATOMIC_RELAXED);

	if (likely(acq == set && set != 0)) {
		/* Owner section: only this thread writes busy, taken,
		 * ret_seen, stock and floor (a flush writes stock and floor
		 * while it holds the owner off). The signal fence keeps the
		 * compiler from moving the re-read of acq above the store
		 * of busy; the CPU's order is the converter's membarrier's
		 * job. The re-read is an acquire load: it pairs with a
		 * flush's release store of acq (xchg_quota_flush()). */
		__atomic_store_n(&p->busy, 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (likely(__atomic_load_n(&p->acq, __ATOMIC_ACQUIRE) ==
			   set)) {
			uint32_t stock = p->stock;

			tx->owner = true;
			tx->stock = stock;
			if (likely(stock >= need)) {
				/* The stock pays, and is all the section
				 * may take; floor + the set's returned +
				 * stock is a lower bound of the units
				 * available (own frees count at once). */
				tx->taken = p->taken;
				tx->avail = stock;
				tx->low = (int64_t)(p->floor +
					__atomic_load_n(&own->returned,
							__ATOMIC_RELAXED)) +
					stock;
				return stock;
			}
			return xchg_quota_begin_short(p, tx, need, set, own);
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
		/* Plain stores; the release store of busy publishes them to
		 * a converter or a flush (xchg_quota_flush()). The stock
		 * only falls here: a reader that loads the old one sees the
		 * units as not yet held, as it sees the tags not yet
		 * written. */
		if (likely(n <= tx->stock)) {
			tx->stock -= n;
			/* Release (a plain store on x86): a reader that
			 * loads this stock sees the taken of the refill
			 * before it. */
			__atomic_store_n(&p->stock, tx->stock,
					 __ATOMIC_RELEASE);
		} else {
			xchg_quota_refill(p, tx, n);
		}
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
	tx->taken = want;
	return true;
}

/* Record the fewest units available after taking @n in tx: a bound
 * below the low watermark is checked against a fresh sum first, so a
 * stale bound never records a low that did not happen. The units
 * available are quota - in_use: the stock is not held. */
static inline void
xchg_quota_note_low(struct xchg_pool *p, const struct xchg_quota_tx *tx,
		    uint32_t n)
{
	int64_t after = tx->low - n;

	if (likely(after >= (int64_t)__atomic_load_n(&p->low_watermark,
						     __ATOMIC_RELAXED)))
		return;
	xchg_quota_note_low_slow(p, tx, n);
}

/* Give back @n units this thread took and did not use: a plain add to
 * its own set (no locked instruction, in either mode). */
static inline void
xchg_quota_refund(struct xchg_pool *p, uint32_t n)
{
	if (unlikely(n != 0))
		XCHG_POOL_COUNT(p, refunded, n);
}

/*
 * The owner's whole section when its stock can pay for @n: take @n units
 * out of the stock and return true, *@low then a lower bound of the units
 * available after (floor + the set's returned + stock; own frees count
 * at once), for xchg_quota_stock_note_low(). False, nothing done, when
 * the caller is not the owner or the stock is short: begin, then. No
 * transaction, so that nothing of the section leaves the registers.
 */
static __rte_always_inline bool
xchg_quota_stock_take(struct xchg_pool *p, uint32_t n, unsigned int set,
		      const struct xchg_pool_counters *own, uint64_t *low)
{
	uint32_t stock;

	if (unlikely(__atomic_load_n(&p->acq, __ATOMIC_RELAXED) != set ||
		     set == 0))
		return false;
	/* As xchg_quota_begin_own(): busy, then the acquire re-read of
	 * acq, then the owner's fields. */
	__atomic_store_n(&p->busy, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (unlikely(__atomic_load_n(&p->acq, __ATOMIC_ACQUIRE) != set)) {
		__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
		return false;
	}
	stock = p->stock;
	if (unlikely(stock < n)) {
		__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
		return false;
	}
	stock -= n;
	/* Only falls here, with release: see xchg_quota_commit(). */
	__atomic_store_n(&p->stock, stock, __ATOMIC_RELEASE);
	*low = p->floor + __atomic_load_n(&own->returned, __ATOMIC_RELAXED) +
	       stock;
	__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
	return true;
}

/* The fresh check of xchg_quota_stock_note_low() (xchg_quota.c). */
void xchg_quota_note_low_fresh(struct xchg_pool *p);

/* Record the fewest units available after a take from the stock, @low as
 * xchg_quota_stock_take() gave it: checked against a fresh sum first
 * when below the watermark. */
static __rte_always_inline void
xchg_quota_stock_note_low(struct xchg_pool *p, uint64_t low)
{
	if (unlikely((int64_t)low <
		     (int64_t)__atomic_load_n(&p->low_watermark,
					      __ATOMIC_RELAXED)))
		xchg_quota_note_low_fresh(p);
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
