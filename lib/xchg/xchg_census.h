/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_CENSUS_H
#define XCHG_CENSUS_H

/**
 * @file
 * xchg census: proof that no buffer is lost and no quota exceeded.
 *
 * The census walks the arena's per-buffer owner table and checks it
 * against the counters kept by the data path:
 *
 *   free + held by owners + held in rings = total
 *
 * where "free" is counted twice, from the owner table and from the
 * arena's free store and caches, and "held by owners" is counted from the
 * owner table and from each pool's counter. The counts are exact when the
 * data path is quiescent; taken while traffic flows, buffers in flight
 * can make a census fail transiently.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xchg_arena.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The first rule a census found broken. */
enum xchg_census_rule {
	XCHG_CENSUS_OK = 0,        /**< Every rule holds. */
	XCHG_CENSUS_FREE_COUNT,    /**< Buffers marked free differ from
				    *   buffers in the free store. */
	XCHG_CENSUS_OWNER_COUNT,   /**< Buffers tagged to a pool differ from
				    *   the pool's in_use counter. */
	XCHG_CENSUS_OVER_QUOTA,    /**< A pool holds more than its quota. */
	XCHG_CENSUS_RINGS_OVER,    /**< More buffers are out without an owner
				    *   (rings, raw allocations) than NIC
				    *   queue reservations and unreserved
				    *   buffers allow: a leak. */
	XCHG_CENSUS_BAD_TAG,       /**< A buffer is tagged to no live pool. */
	XCHG_CENSUS_OVER_CREDIT,   /**< A pool was credited more units than
				    *   its quota: a buffer came back twice
				    *   by a path around the arena's checks. */
};

/** What a census found. */
struct xchg_census {
	uint32_t total;        /**< Buffers in the arena. */
	uint32_t free;         /**< Marked free in the owner table. */
	uint32_t free_store;   /**< Counted in the free store and caches. */
	uint32_t owned;        /**< Held by owner pools. */
	uint32_t in_rings;     /**< Out of the arena with no owner: in NIC
				*   rings, or raw mempool allocations. */
	uint32_t rings_allowed; /**< Most in_rings may be: NIC queue quotas
				 *   and unreserved buffers. The lcore
				 *   cache slack is not included: it is
				 *   kept for free buffers the caches hold. */
	uint16_t nb_pools;     /**< Live pools. */
	bool conserved;        /**< Every rule holds. */
	enum xchg_census_rule broken; /**< First rule broken, or OK. */
	char where[XCHG_NAME_SIZE];   /**< Pool where it broke, or "". */
	uint64_t expected;     /**< Count the rule expected there. */
	uint64_t found;        /**< Count found instead. */
	bool in_motion;        /**< Lcores moved buffers while every
				*   snapshot was taken: each rule was
				*   checked within motion_bound plus what
				*   the books showed moved. An exact
				*   snapshot leaves it false. */
	uint32_t motion_bound; /**< Most the lcores may hold between two
				*   operations (charged and not yet tagged,
				*   marked free and not yet stored), when
				*   in_motion. */
};

/**
 * Take a census of an arena. Control path.
 *
 * @param arena
 *   Arena to check.
 * @param census
 *   Result; filled in full.
 * @return
 *   0 when conserved; -EFAULT when a rule broke (see census->broken);
 *   -EINVAL for NULL arguments.
 */
int xchg_arena_census(struct xchg_arena *arena, struct xchg_census *census);

/** @return A rule's name, for messages ("free_count", "over_quota"...). */
const char *xchg_census_rule_name(enum xchg_census_rule rule);

/**
 * @return What a broken rule means and its usual cause, in one sentence
 *   (for rings_over: "buffers out with no owner beyond the NIC ring
 *   allowance: ..."), or "unknown rule".
 */
const char *xchg_census_rule_text(enum xchg_census_rule rule);

/**
 * Print a census in one line, for logs and tests.
 *
 * @return
 *   Characters written, as snprintf().
 */
int xchg_census_format(const struct xchg_census *census, char *buf,
		       size_t size);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_CENSUS_H */
