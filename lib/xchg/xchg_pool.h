/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_POOL_H
#define XCHG_POOL_H

/**
 * @file
 * xchg owner pools: fixed reservations over an arena, and the exchange.
 *
 * Every NIC queue, socket and service owns a pool: a quota of buffers it
 * may hold at once. A received frame reaches a consumer only through
 * xchg_acquire_burst(), which charges one unit of the consumer's quota per
 * segment; when the consumer has no unit left the frame is refused and
 * stays with its producer, so a consumer that never frees loses its own
 * frames and nobody else's. Any free of the buffer (rte_pktmbuf_free(),
 * a PMD's TX completion, the last free of a clone) gives the unit back.
 *
 * Thread safety:
 * - data path, safe from any number of lcores and threads at once, also
 *   on the same pool: xchg_acquire_burst(), xchg_alloc_bulk(), every
 *   mbuf free, xchg_pool_stats_get(), xchg_pool_resize();
 * - control path, serialised on the arena: xchg_pool_create(),
 *   xchg_pool_free(), xchg_pool_lookup(), xchg_pool_foreach(),
 *   xchg_arena_census(). xchg_pool_free() must not race with data path
 *   calls on the pool being freed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "xchg_arena.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct xchg_pool;

/** What an owner is; shown in statistics, and used by the census. */
enum xchg_pool_kind {
	XCHG_KIND_RX_QUEUE = 0, /**< NIC RX queue (producer). */
	XCHG_KIND_TX_QUEUE,     /**< NIC TX queue. */
	XCHG_KIND_SOCKET,       /**< Application socket. */
	XCHG_KIND_SERVICE,      /**< Protocol service (ARP, ICMP...). */
	XCHG_KIND_PROXY,        /**< Proxy to the host stack. */
	XCHG_KIND_CAPTURE,      /**< Packet capture. */
	XCHG_KIND_MAX
};

/** Statistics of one pool; counters run from creation or last reset. */
struct xchg_pool_stats {
	uint32_t quota;         /**< Buffers the owner may hold. */
	uint32_t in_use;        /**< Buffers the owner holds now. */
	uint32_t available;     /**< quota - in_use, never capped: above
				 *   the quota only with over_credit. */
	uint32_t over_credit;   /**< Units credited beyond the quota: a
				 *   buffer given back twice, by a path the
				 *   library could not check (see the guide,
				 *   "What an application may do with the
				 *   arena's mempool"). 0 in a correct run;
				 *   the census then breaks "over_credit". */
	uint32_t low_watermark; /**< Fewest available ever seen. */
	uint64_t accepted;      /**< Frames taken by xchg_acquire_burst(). */
	uint64_t refused;       /**< Frames refused: no unit left to pay. */
	uint64_t rejected;      /**< Frames refused as invalid (foreign,
				 *   indirect, shared, already free). */
	uint64_t allocated;     /**< Buffers from xchg_alloc_bulk(). */
	uint64_t alloc_failed;  /**< xchg_alloc_bulk() calls that failed. */
	uint64_t returned;      /**< Buffers freed back by the owner. */
};

/**
 * Create an owner pool with a fixed quota.
 *
 * Refused when the arena's unreserved part cannot cover @p quota: the sum
 * of all quotas plus the buffers the per-lcore caches may hold never
 * exceeds the arena (the sizing invariant).
 *
 * @param arena
 *   Arena the buffers come from.
 * @param name
 *   Name, unique in the arena, shorter than XCHG_NAME_SIZE.
 * @param kind
 *   What the owner is.
 * @param quota
 *   Buffers the owner may hold at once; at least 1.
 * @return
 *   The pool, or NULL with rte_errno set: EINVAL for a bad argument,
 *   EEXIST for a name in use, ENOSPC when the arena cannot cover the
 *   quota (the log says by how much), EMFILE when all pool slots are used.
 */
struct xchg_pool *xchg_pool_create(struct xchg_arena *arena, const char *name,
				   enum xchg_pool_kind kind, uint32_t quota);

/**
 * Free an owner pool and give its quota back to the arena.
 *
 * @return
 *   0 on success; -EINVAL for NULL or a pool already freed; -EBUSY,
 *   changing nothing, when the owner still holds buffers.
 */
int xchg_pool_free(struct xchg_pool *pool);

/**
 * Change a pool's quota.
 *
 * Growing takes units from the arena's unreserved part; shrinking gives
 * back only units that are free at that moment. Both do as much as they
 * can, and @p quota_out tells the result. Safe while the pool is in use.
 *
 * @param pool
 *   Pool to resize.
 * @param quota
 *   Wanted quota; at least 1.
 * @param quota_out
 *   If not NULL, receives the quota after the call.
 * @return
 *   0 when the pool now has @p quota; -ENOSPC when the arena could not
 *   cover all the growth; -EBUSY when buffers in use stopped the shrink;
 *   -EINVAL for a bad argument or a freed pool.
 */
int xchg_pool_resize(struct xchg_pool *pool, uint32_t quota,
		     uint32_t *quota_out);

/**
 * Find a pool by name.
 *
 * @return
 *   The pool, or NULL with rte_errno set to ENOENT (or EINVAL).
 */
struct xchg_pool *xchg_pool_lookup(struct xchg_arena *arena, const char *name);

/**
 * Call @p fn for each live pool of an arena, in slot order, until it
 * returns non-zero. The arena is locked meanwhile: @p fn must not create,
 * free or resize pools.
 *
 * @return
 *   The last value @p fn returned, or 0; -EINVAL for a bad argument.
 */
int xchg_pool_foreach(struct xchg_arena *arena,
		      int (*fn)(struct xchg_pool *pool, void *arg), void *arg);

/** @return The pool's name, or NULL for a bad pool. */
const char *xchg_pool_name(const struct xchg_pool *pool);

/** @return The pool's kind, or XCHG_KIND_MAX for a bad pool. */
enum xchg_pool_kind xchg_pool_kind(const struct xchg_pool *pool);

/** @return A kind's name ("rx_queue", "socket"...), or "unknown". */
const char *xchg_pool_kind_name(enum xchg_pool_kind kind);

/** @return The arena a pool draws on, or NULL for a bad pool. */
struct xchg_arena *xchg_pool_arena(const struct xchg_pool *pool);

/**
 * Read a pool's statistics. Figures read while the data path runs are
 * each exact but not a single snapshot.
 *
 * @return
 *   0, or -EINVAL for a bad argument or a freed pool.
 */
int xchg_pool_stats_get(const struct xchg_pool *pool,
			struct xchg_pool_stats *stats);

/**
 * Reset a pool's counters; the low watermark restarts from the units
 * available now. Quota and in_use are not counters and stay.
 *
 * @return
 *   0, or -EINVAL for a bad argument or a freed pool.
 */
int xchg_pool_stats_reset(struct xchg_pool *pool);

/**
 * Hand frames to an owner, each paid for by its reservation.
 *
 * Frames are taken in order while the pool can pay; the first frame it
 * cannot pay for, or that is invalid, stops the burst. Each segment of a
 * chain costs one unit and a chain is accepted whole or not at all. A
 * frame the pool already owns costs nothing; a frame another pool owns
 * is paid by this pool and its unit given back to the other one.
 * Frames not accepted are left untouched: the caller frees them, which
 * returns them to their producer.
 *
 * @param pool
 *   Consumer that pays.
 * @param mbufs
 *   Frames to hand over.
 * @param n
 *   Number of frames.
 * @return
 *   Number of frames accepted, a prefix of @p mbufs. When less than
 *   @p n, rte_errno tells why the next frame was refused:
 *   ENOBUFS: no unit left to pay (counted in refused);
 *   EXDEV: a segment not from this pool's arena;
 *   ENOTSUP: an indirect or external-buffer segment;
 *   EBUSY: a segment with refcnt > 1;
 *   EALREADY: a segment that is free in the arena (use after free);
 *   EINVAL: NULL arguments or a freed pool.
 *   All but ENOBUFS and EINVAL are counted in rejected.
 */
unsigned int xchg_acquire_burst(struct xchg_pool *pool,
				struct rte_mbuf **mbufs, unsigned int n);

/**
 * Allocate buffers from an owner's own reservation, for example to
 * transmit. All or nothing, like rte_pktmbuf_alloc_bulk(); nobody else's
 * buffers are touched when the reservation is short.
 *
 * @return
 *   0 on success; -ENOBUFS when the reservation cannot cover @p n (or
 *   the arena itself is out of free buffers, which the census reports);
 *   -EINVAL for a bad argument or a freed pool.
 */
int xchg_alloc_bulk(struct xchg_pool *pool, struct rte_mbuf **mbufs,
		    unsigned int n);

/**
 * Clone a frame, the clone's mbufs taken from the pool's arena and
 * charged to the pool's reservation: one unit per segment, given back
 * when the clone is freed. Use this instead of rte_pktmbuf_clone(m,
 * arena_mempool), which takes arena buffers no quota pays for (see the
 * guide, "What an application may do with the arena's mempool"); or
 * clone into a separate plain mempool of the application's own.
 *
 * The original's owner stays charged for its buffers until the last
 * reference to them is freed, as with any clone.
 *
 * @param pool
 *   Owner that pays for the clone.
 * @param m
 *   Frame to clone, from any mempool.
 * @return
 *   The clone, or NULL with rte_errno set: ENOBUFS when the reservation
 *   cannot cover the segments (counted in alloc_failed), ENOMEM when the
 *   arena itself has no free buffer (a leak the census names), EINVAL
 *   for a bad argument or a freed pool.
 */
struct rte_mbuf *xchg_pool_clone(struct xchg_pool *pool, struct rte_mbuf *m);

/**
 * The owner a buffer is charged to now.
 *
 * @return
 *   The pool, or NULL when @p m belongs to no owner (free, in a ring, or
 *   not from an arena).
 */
struct xchg_pool *xchg_mbuf_owner(const struct rte_mbuf *m);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_POOL_H */
