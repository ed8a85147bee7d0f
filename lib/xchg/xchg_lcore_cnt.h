/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_LCORE_CNT_H
#define XCHG_LCORE_CNT_H

/*
 * Internal to the xchg libraries (lib/xchg, lib/stack): not installed.
 *
 * Counters a data path bumps once per burst or per frame are kept as one
 * set per lcore, written only by the thread of that lcore id (EAL and
 * registered threads have their own), so that an add is a plain load
 * and store: no locked instruction, about 13 cycles each on the machine
 * of doc/cycle-budget.rst, and no cache line bouncing between lcores.
 * Threads with no lcore share one set and add atomically. Readers sum
 * the sets with relaxed loads; a 64-bit store is not torn on the targets
 * DPDK supports, and the relaxed atomic store says so to the compiler.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>

/* Add @n to @c, a counter of the calling thread's own set (@shared
 * false) or of the set threads without an lcore share (@shared true). */
static inline void
xchg_lcore_cnt_add(uint64_t *c, uint64_t n, bool shared)
{
	if (likely(!shared))
		__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
				 __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

#endif /* XCHG_LCORE_CNT_H */
