/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_LCORE_CNT_H
#define XCHG_LCORE_CNT_H

/*
 * Internal to the xchg libraries (lib/xchg, lib/stack): not installed.
 *
 * Counters a data path bumps once per burst or per frame are kept as one
 * set per lcore, written only by the thread of that lcore id, so that an
 * add is a plain load and store: no locked instruction (about 13 cycles
 * each on the machine of doc/cycle-budget.rst) and no cache line
 * bouncing between lcores. Threads without a set of their own share one
 * and add atomically. Readers sum the sets with relaxed loads; a 64-bit
 * store is not torn on the targets DPDK supports, and the relaxed atomic
 * store says so to the compiler.
 *
 * A set map gives each lcore the EAL has when a table is made a set of
 * its own, numbered from 1; set 0 is the shared one, for threads with no
 * lcore id and for lcores registered later.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_lcore.h>

/* Fill @map (RTE_MAX_LCORE entries, zeroed) for the lcores the EAL has
 * now; returns the number of sets, the shared one included. */
static inline unsigned int
xchg_lcore_cnt_map(uint16_t *map)
{
	unsigned int lcore, sets = 1;

	RTE_LCORE_FOREACH(lcore)
		map[lcore] = (uint16_t)sets++;
	return sets;
}

/* The calling thread's set in @map; 0 is the shared set. */
static inline unsigned int
xchg_lcore_cnt_set(const uint16_t *map)
{
	unsigned int lcore = rte_lcore_id();

	return lcore < RTE_MAX_LCORE ? map[lcore] : 0;
}

/* Add @n to @c, a counter of the calling thread's own set (@shared
 * false) or of the shared set (@shared true). */
static inline void
xchg_lcore_cnt_add(uint64_t *c, uint64_t n, bool shared)
{
	/* Release (a plain store on x86): a reader that sees the count
	 * with an acquire load sees what this thread did before it, such
	 * as the store of a pool's taken that a returned unit follows
	 * (lib/xchg/xchg_quota.h). */
	if (likely(!shared))
		__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
				 __ATOMIC_RELEASE);
	else
		__atomic_fetch_add(c, n, __ATOMIC_RELEASE);
}

/* Sum @nb consecutive counters over @nb_sets sets: set k's copy of the
 * counters at @first starts @stride counters after set k - 1's. */
static inline void
xchg_lcore_cnt_sum(const uint64_t *first, size_t stride,
		   unsigned int nb_sets, unsigned int nb, uint64_t *sum)
{
	unsigned int set, i;

	for (i = 0; i < nb; i++)
		sum[i] = 0;
	for (set = 0; set < nb_sets; set++, first += stride)
		for (i = 0; i < nb; i++)
			sum[i] += __atomic_load_n(&first[i], __ATOMIC_RELAXED);
}

/* How many uint64_t a counter struct spans, padding included: the
 * stride, in counters, from one struct of an array to the next. */
#define XCHG_LCORE_CNT_N(type) (sizeof(type) / sizeof(uint64_t))

#endif /* XCHG_LCORE_CNT_H */
