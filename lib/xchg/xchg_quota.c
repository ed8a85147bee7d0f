/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The quota's slow paths (see xchg_quota.h for the books and the
 * memory-ordering argument): summing the counter sets, claiming a pool
 * for one acquiring lcore, converting it to shared, and the handshake
 * a resize needs with an owner that works with plain stores.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/membarrier.h>
#include <sys/syscall.h>
#endif

#include <rte_common.h>
#include <rte_pause.h>

#include "xchg_quota.h"

uint64_t
xchg_quota_back_sum(const struct xchg_arena *a, xchg_tag_t tag,
		    unsigned int skip_set)
{
	uint64_t sum = 0;
	unsigned int set;

	for (set = 0; set < a->nb_pcnt_sets; set++)
		if (set != skip_set)
			sum += xchg_quota_back_of(a, tag, set);
	return sum;
}

int64_t
xchg_quota_begin_other(struct xchg_pool *p, struct xchg_quota_tx *tx,
		       uint32_t need, unsigned int set, uint16_t acq)
{
	int64_t quota;
	uint64_t back;

	tx->owner = false;
	tx->stock = 0; /* a shared pool has no stock */
	if (unlikely(acq != XCHG_ACQ_SHARED))
		xchg_quota_shared_wait(p, set); /* claims, or converts */
	if (__atomic_load_n(&p->acq, __ATOMIC_ACQUIRE) == set && set != 0)
		return xchg_quota_begin_set(p, tx, need, set); /* claimed it */
	tx->taken = __atomic_load_n(&p->taken, __ATOMIC_ACQUIRE);
	quota = __atomic_load_n(&p->quota, __ATOMIC_SEQ_CST);
	tx->quota = (uint32_t)quota;
	back = __atomic_load_n(&p->ret_seen, __ATOMIC_RELAXED);
	tx->avail = quota + (int64_t)(back - tx->taken);
	if (tx->avail < (int64_t)need) {
		back = xchg_quota_back_sum(p->arena, p->tag, UINT32_MAX);
		/* Any sum once read is a lower bound: a late store of an
		 * older, smaller one is still safe. */
		__atomic_store_n(&p->ret_seen, back, __ATOMIC_RELAXED);
		tx->avail = quota + (int64_t)(back - tx->taken);
	}
	if (tx->avail < 0)
		tx->avail = 0;
	tx->low = tx->avail;
	return tx->avail;
}

/* The owner's section when its stock cannot pay for @need (busy set,
 * acq re-read): the stock plus what the running bound, then a fresh sum
 * of the other sets, says the pool may still take. */
int64_t
xchg_quota_begin_short(struct xchg_pool *p, struct xchg_quota_tx *tx,
		       uint32_t need, unsigned int set,
		       const struct xchg_pool_counters *own)
{
	int64_t quota, room;
	uint64_t back;

	tx->taken = p->taken;
	quota = __atomic_load_n(&p->quota, __ATOMIC_RELAXED);
	tx->quota = (uint32_t)quota;
	/* taken counts the stock: room is what the pool may take beyond
	 * it. */
	back = p->ret_seen + xchg_quota_back_cnt(own);
	room = quota + (int64_t)(back - tx->taken);
	if (room + tx->stock < (int64_t)need) {
		p->ret_seen = xchg_quota_back_sum(p->arena, p->tag, set);
		back = p->ret_seen + xchg_quota_back_cnt(own);
		room = quota + (int64_t)(back - tx->taken);
	}
	if (room < 0)
		room = 0;
	tx->base = (uint64_t)room -
		   __atomic_load_n(&own->returned, __ATOMIC_RELAXED);
	tx->avail = room + tx->stock;
	tx->low = tx->avail;
	return tx->avail;
}

/* The owner's commit of @n units, more than its stock: the rest is taken
 * beyond the stock, with a new stock; tx->taken and tx->stock become
 * what is stored. Inside the section (busy set). */
void
xchg_quota_refill(struct xchg_pool *p, struct xchg_quota_tx *tx, uint32_t n)
{
	uint32_t extra = n - tx->stock;
	/* What the pool may still take after @n: a lower bound, as
	 * tx->avail is (n <= tx->avail). */
	int64_t room = tx->avail - (int64_t)n;
	uint32_t want = XCHG_QUOTA_STOCK + RTE_MIN(n, XCHG_QUOTA_STOCK_MAX);
	uint32_t b = room < (int64_t)want ? (uint32_t)room : want;

	tx->taken += (uint64_t)extra + b;
	tx->stock = b;
	/* taken first, then stock with release: a reader that loads the
	 * new stock (acquire) before taken sees the new taken too, so it
	 * never counts the refill's units as given back. */
	__atomic_store_n(&p->taken, tx->taken, __ATOMIC_RELAXED);
	__atomic_store_n(&p->stock, b, __ATOMIC_RELEASE);
	__atomic_store_n(&p->floor, tx->base - extra - b, __ATOMIC_RELAXED);
}

/* The units available (quota - in_use) from a fresh sum, @taken and
 * @stock as the caller has them, recorded if a new low; for the owner
 * (@owner), a fresh floor too, so that its next sections check against
 * it. The slow note calls it out of the owner's section, where a flush
 * meanwhile empties the stock and the refill that must follow stores
 * its own floor; the fresh note calls it inside one. */
static void
note_low_sum(struct xchg_pool *p, uint64_t taken, uint32_t stock, bool owner)
{
	const struct xchg_arena *a = p->arena;
	/* The owner's own returned: only this thread writes it. */
	uint64_t ret = __atomic_load_n(&xchg_pool_cnt_row(p,
			xchg_lcore_cnt_set(a->pcnt_set))->returned,
			__ATOMIC_RELAXED);
	int64_t room = (int64_t)__atomic_load_n(&p->quota, __ATOMIC_RELAXED) +
		       (int64_t)(xchg_quota_back_sum(a, p->tag, UINT32_MAX) -
				 taken);

	if (owner && room >= 0)
		__atomic_store_n(&p->floor, (uint64_t)room - ret,
				 __ATOMIC_RELAXED);
	room += stock;
	xchg_pool_lower_watermark(p, room < 0 ? 0 :
				  room > UINT32_MAX ? UINT32_MAX :
				  (uint32_t)room);
}

/* The check of xchg_quota_note_low() against a fresh sum, tx as commit
 * left it (taken and stock after the commit, so @n is in them). */
void
xchg_quota_note_low_slow(struct xchg_pool *p, const struct xchg_quota_tx *tx,
			 uint32_t n)
{
	RTE_SET_USED(n);
	note_low_sum(p, tx->taken, tx->owner ? tx->stock : 0, tx->owner);
}

/* The same after xchg_quota_stock_take(), read where no flush can be
 * half done. A flush stores stock = 0, then the refund: a reader that
 * saw the first store and not the second would understate the units
 * available by the stock and record a low that did not happen, and no
 * order of loads avoids it (the books' readers, which must never
 * understate in_use, need the stores in that order). So the owner reads
 * inside its own section, as xchg_quota_stock_take() does: busy, then
 * the acquire re-read of acq. A flusher stores CONVERTING and waits for
 * busy to drop before its first store (owner_handshake()), so either
 * this section sees CONVERTING and notes nothing, or the flush has not
 * begun and waits for the section's end; a flush already finished is
 * seen whole (the re-read pairs with the release store that gives acq
 * back or makes it SHARED). A SHARED pool has no stock: taken and the
 * sets. While a conversion is under way, nothing is noted: a missed low
 * of one burst, never a false one. Not catchable by a deterministic
 * test (the window is between two adjacent stores of the flusher);
 * found by the review of issue 17, round 3. */
void
xchg_quota_note_low_fresh(struct xchg_pool *p)
{
	unsigned int set = xchg_lcore_cnt_set(p->arena->pcnt_set);
	uint16_t acq = __atomic_load_n(&p->acq, __ATOMIC_ACQUIRE);

	if (acq == XCHG_ACQ_SHARED) {
		note_low_sum(p, __atomic_load_n(&p->taken, __ATOMIC_ACQUIRE),
			     0, false);
		return;
	}
	if (acq != set || set == 0)
		return;
	__atomic_store_n(&p->busy, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->acq, __ATOMIC_ACQUIRE) == set)
		note_low_sum(p, p->taken, p->stock, true);
	__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
}

/* A full memory barrier on every running thread of the process. */
static bool
heavy_barrier(void)
{
#if defined(__linux__) && defined(__NR_membarrier)
	return syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
		       0, 0) == 0;
#else
	return false;
#endif
}

bool
xchg_quota_owner_supported(void)
{
	static int state; /* 0 unknown, 1 yes, -1 no */
	int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);

	if (s == 0) {
#if defined(__linux__) && defined(__NR_membarrier)
		s = syscall(__NR_membarrier,
			    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
			    0, 0) == 0 && heavy_barrier() ? 1 : -1;
#else
		s = -1;
#endif
		__atomic_store_n(&state, s, __ATOMIC_RELEASE);
	}
	return s > 0;
}

/* After this, no owner section of @p still works with what it read
 * before our earlier stores (acq, quota), and its last store to taken
 * is visible: membarrier, then wait for busy to drop. Slow path. */
static void
owner_handshake(struct xchg_pool *p)
{
	if (!heavy_barrier())
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* unreachable:
			* owners exist only where membarrier works */
	while (__atomic_load_n(&p->busy, __ATOMIC_ACQUIRE) != 0)
		rte_pause();
}

/*
 * Give the stock back, the owner held off (acq CONVERTING, handshake
 * done: the owner's last stores of stock and floor are visible). stock =
 * 0 first with release, then the units are refunded on the caller's own
 * set with a release store (xchg_lcore_cnt_add()): a reader that sees
 * the refund (acquire) sees the stock empty, so it never counts the
 * units twice as not held. floor is reset with it: it bounds what the
 * pool may take beyond a stock, and the next section refills.
 */
static void
flush_stock(struct xchg_pool *p)
{
	uint32_t s = p->stock;

	__atomic_store_n(&p->floor, 0, __ATOMIC_RELAXED);
	if (s == 0)
		return;
	__atomic_store_n(&p->stock, 0, __ATOMIC_RELEASE);
	XCHG_POOL_COUNT(p, refunded, s);
}

/* Hold the owner @acq (its set, as read) off: acq CONVERTING, the
 * handshake, the stock given back. False when acq changed meanwhile. */
static bool
hold_off(struct xchg_pool *p, uint16_t acq)
{
	if (!__atomic_compare_exchange_n(&p->acq, &acq, XCHG_ACQ_CONVERTING,
					 false, __ATOMIC_SEQ_CST,
					 __ATOMIC_ACQUIRE))
		return false;
	owner_handshake(p);
	flush_stock(p);
	return true;
}

void
xchg_quota_shared_wait(struct xchg_pool *p, unsigned int set)
{
	struct xchg_arena *a = p->arena;

	for (;;) {
		uint16_t acq = __atomic_load_n(&p->acq, __ATOMIC_ACQUIRE);

		if (acq == XCHG_ACQ_SHARED || (acq == set && set != 0))
			return;
		if (acq == XCHG_ACQ_CONVERTING) {
			rte_pause();
			continue;
		}
		if (acq == XCHG_ACQ_NONE) {
			/* First acquirer: an lcore claims the pool, a
			 * thread without one makes it shared. Nobody has
			 * written taken since the pool was made. */
			uint16_t to = set != 0 && a->owner_ok ?
				      (uint16_t)set : XCHG_ACQ_SHARED;

			if (__atomic_compare_exchange_n(&p->acq, &acq, to,
					false, __ATOMIC_SEQ_CST,
					__ATOMIC_ACQUIRE) &&
			    to != XCHG_ACQ_SHARED)
				/* Now the owner's to write; until then the
				 * creation's sum of every set, a lower
				 * bound of the others' too. */
				p->ret_seen = xchg_quota_back_sum(a, p->tag,
								  set);
			continue;
		}
		/* Owned by another lcore: convert, once in the pool's
		 * life (until it is freed and made again). */
		if (!hold_off(p, acq))
			continue;
		__atomic_store_n(&p->ret_seen,
				 xchg_quota_back_sum(a, p->tag, UINT32_MAX),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&p->acq, XCHG_ACQ_SHARED, __ATOMIC_RELEASE);
	}
}

/*
 * Empty an owner's stock and give the pool back to it: the owner is held
 * off as a conversion does (acq CONVERTING, membarrier, busy), the stock
 * refunded, then acq stored back with release (the owner's acquire
 * re-read of acq pairs with it). A pool being converted is waited for:
 * the conversion flushes. Slow path, control path.
 */
void
xchg_quota_flush(struct xchg_pool *p)
{
	for (;;) {
		uint16_t acq = __atomic_load_n(&p->acq, __ATOMIC_ACQUIRE);

		if (acq == XCHG_ACQ_NONE || acq == XCHG_ACQ_SHARED)
			return; /* no stock */
		if (acq == XCHG_ACQ_CONVERTING) {
			rte_pause();
			continue;
		}
		if (!hold_off(p, acq))
			continue;
		__atomic_store_n(&p->acq, acq, __ATOMIC_RELEASE);
		return;
	}
}

void
xchg_quota_sync(struct xchg_pool *p)
{
	/* The quota's seq_cst store is before this: an owner section that
	 * begins after the flush's handshake reads the new quota, and its
	 * stock is empty, so it refills under the new quota. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	xchg_quota_flush(p);
}
