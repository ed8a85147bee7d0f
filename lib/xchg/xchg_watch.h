/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_WATCH_H
#define XCHG_WATCH_H

/**
 * @file
 * xchg leak watch: who holds buffers, for how long, and which pools
 * starve.
 *
 * A scanner, not the data path, does the work: each watch tick
 * (xchg_watch_tick(), and every xchg_arena_census()) walks the owner
 * tags and stamps, in a side table, the time each buffer was first seen
 * with its current owner. The oldest held buffer's age is reported as a
 * lower bound, "held at least": it counts from the later of that stamp
 * and the last tick at which the owner had freed anything, so a buffer
 * freed and taken back between two ticks is never counted as held
 * throughout. An owner that frees nothing (a hog) gets its exact age, to
 * the tick; a busy owner gets at most the time since its last free.
 * Nothing is added to the exchange, allocation or free paths.
 *
 * A pool whose available units stay at or below a threshold (zero by
 * default) for longer than a set time is logged once per episode (a
 * WARNING naming the pool, its holdings and the oldest age) and counted
 * (starve_reports, also in telemetry /xchg/pools).
 *
 * All calls are control path, serialised on the arena's lock.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xchg_arena.h"
#include "xchg_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default time a pool may stay starved before it is reported, in ms. */
#define XCHG_WATCH_STARVE_MS_DEFAULT 1000

/** Leak watch settings of an arena. */
struct xchg_watch_conf {
	uint32_t starve_ms;       /**< Report a pool at or below the
				   *   threshold for longer than this; 0
				   *   turns the report off. */
	uint32_t starve_permille; /**< Threshold, in thousandths of the
				   *   quota: 0 means no unit available. */
	/** Clock in milliseconds; NULL for the TSC-based default. Tests
	 *  and applications with their own time give theirs. */
	uint64_t (*clock_ms)(void);
};

/** One owner holding buffers, as the last watch tick saw it. */
struct xchg_holder {
	char name[XCHG_NAME_SIZE];  /**< Pool name. */
	enum xchg_pool_kind kind;   /**< Pool kind. */
	uint32_t held;              /**< Buffers it holds. */
	uint32_t quota;             /**< Its quota. */
	uint64_t oldest_ms;         /**< The oldest of them has been held at
				     *   least this long. */
	bool starved;               /**< Available at or below the
				     *   threshold now. */
	uint64_t starved_ms;        /**< How long it has been, if starved. */
	uint64_t starve_reports;    /**< Starvation episodes reported. */
};

/**
 * Set an arena's leak watch. Every arena starts watched with starve_ms
 * XCHG_WATCH_STARVE_MS_DEFAULT, threshold 0 and the default clock.
 *
 * @return
 *   0, or -EINVAL for a NULL argument or a permille above 1000.
 */
int xchg_watch_configure(struct xchg_arena *arena,
			 const struct xchg_watch_conf *conf);

/**
 * One watch tick: stamp newly held buffers, update each owner's oldest
 * age, report pools starved for too long (each episode once).
 *
 * @return
 *   Number of pools reported starved by this tick (0 or more), or
 *   -EINVAL for a NULL arena.
 */
int xchg_watch_tick(struct xchg_arena *arena);

/**
 * Owners of an arena that hold buffers, after a fresh tick, in slot
 * order.
 *
 * @param arena
 *   Arena to look at.
 * @param holders
 *   Filled with up to @p max entries; may be NULL when @p max is 0.
 * @param max
 *   Room in @p holders.
 * @return
 *   Number of owners holding buffers (may be more than @p max), or
 *   -EINVAL for a bad argument.
 */
int xchg_watch_holders(struct xchg_arena *arena, struct xchg_holder *holders,
		       unsigned int max);

/**
 * Statistics of the leak watch for one pool, from the last tick.
 *
 * @return
 *   0, or -EINVAL for a bad argument or a freed pool.
 */
int xchg_watch_pool_get(const struct xchg_pool *pool,
			struct xchg_holder *holder);

/**
 * Print, for every arena, each owner still holding buffers (how many,
 * the oldest held at least how long, starved or not) and the buffers
 * out with no owner; for a program's teardown, before it frees its
 * pools. Prints nothing when nothing is held.
 *
 * @param f
 *   Where to print (stderr at teardown).
 * @return
 *   Number of owners holding buffers, over all arenas.
 */
int xchg_census_print_holders(FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_WATCH_H */
