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
	return tx->avail;
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
		if (!__atomic_compare_exchange_n(&p->acq, &acq,
						 XCHG_ACQ_CONVERTING, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_ACQUIRE))
			continue;
		owner_handshake(p);
		__atomic_store_n(&p->ret_seen,
				 xchg_quota_back_sum(a, p->tag, UINT32_MAX),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&p->acq, XCHG_ACQ_SHARED, __ATOMIC_RELEASE);
	}
}

void
xchg_quota_sync(struct xchg_pool *p)
{
	uint16_t acq;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	acq = __atomic_load_n(&p->acq, __ATOMIC_ACQUIRE);
	if (acq != XCHG_ACQ_NONE && acq != XCHG_ACQ_SHARED)
		owner_handshake(p); /* an owner, or one being converted */
}
