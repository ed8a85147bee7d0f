/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_ARENA_H
#define XCHG_ARENA_H

/**
 * @file
 * xchg arena: every packet buffer of one NUMA socket and one geometry,
 * allocated once.
 *
 * An arena is an ordinary-looking mbuf mempool whose buffers are shared
 * out as reservations (see xchg_pool.h). It is the mempool that PMDs are
 * given in rte_eth_rx_queue_setup(), and every mbuf keeps pointing at it
 * (m->pool is never rewritten), so any PMD and any free path work
 * unchanged. All memory is taken at creation; nothing on the data path
 * allocates.
 *
 * All functions in this file are control path: they may be called from
 * any thread, they serialise on the arena, and none of them may run
 * concurrently with xchg_arena_free() on the same arena.
 */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mempool;
struct xchg_arena;

/** Longest arena or pool name, terminating NUL included. */
#define XCHG_NAME_SIZE 32

/** Longest arena name, in characters: shorter than XCHG_NAME_SIZE to
 *  leave room for the prefixes of the memzone and ring names derived
 *  from it. */
#define XCHG_ARENA_NAME_MAX 24

/** Default per-lcore cache of free buffers inside the arena: what
 *  xchg_arena_conf::lcore_cache 0 (and a configuration file's
 *  lcore_cache = 0, or none given) means. */
#define XCHG_ARENA_CACHE_DEFAULT 64

/** xchg_arena_conf::lcore_cache value that disables the per-lcore
 *  caches (a configuration file's lcore_cache = none). */
#define XCHG_ARENA_CACHE_NONE (-1)

/** Largest per-lcore cache accepted. */
#define XCHG_ARENA_CACHE_MAX 512

/** Default number of owner pools an arena can hold. */
#define XCHG_ARENA_POOLS_DEFAULT 64

/** Largest number of owner pools an arena can hold. */
#define XCHG_ARENA_POOLS_MAX 4094

/** Arena creation parameters. Zero fields take their documented default. */
struct xchg_arena_conf {
	const char *name;      /**< Unique name, also the mempool's name. */
	int socket_id;         /**< NUMA socket, or SOCKET_ID_ANY. */
	uint32_t nb_buffers;   /**< Total buffers; required, at least 64. */
	uint16_t data_room;    /**< Data room incl. headroom; default
				*   RTE_MBUF_DEFAULT_BUF_SIZE. */
	uint16_t priv_size;    /**< Application private area per mbuf;
				*   multiple of RTE_MBUF_PRIV_ALIGN. */
	uint16_t max_pools;    /**< Owner pools; default
				*   XCHG_ARENA_POOLS_DEFAULT. */
	int32_t lcore_cache;   /**< Per-lcore cache of free buffers: 0 takes
				*   the default (XCHG_ARENA_CACHE_DEFAULT),
				*   XCHG_ARENA_CACHE_NONE (any negative)
				*   disables, 1 to XCHG_ARENA_CACHE_MAX
				*   that size. The same meaning as a
				*   configuration file's lcore_cache. */
	bool overcommit;       /**< Quotas are not checked against the
				*   arena: they may add up to more than it
				*   holds. For comparing with a plain shared
				*   pool only: the guarantee does not hold. */
	bool strict;           /**< Mark frees with an atomic exchange, so
				*   that two lcores freeing one buffer at the
				*   same instant are caught too (about 10
				*   cycles per freed buffer). By default the
				*   mark is a plain load and store: every
				*   double free on one lcore, and every one
				*   by two lcores not at the same instant, is
				*   caught; a simultaneous one may credit the
				*   owner twice, which the census names
				*   (over_credit). */
};

/**
 * The per-lcore cache an arena gets for a xchg_arena_conf::lcore_cache
 * value: 0 gives XCHG_ARENA_CACHE_DEFAULT, a negative value 0 (none).
 *
 * @param lcore_cache
 *   As in struct xchg_arena_conf.
 * @return
 *   The cache size in buffers, 0 for none.
 */
static inline uint32_t
xchg_arena_cache_size(int32_t lcore_cache)
{
	return lcore_cache < 0 ? 0 : lcore_cache == 0 ?
	       (uint32_t)XCHG_ARENA_CACHE_DEFAULT : (uint32_t)lcore_cache;
}

/** Read-only facts about an arena. */
struct xchg_arena_info {
	char name[XCHG_NAME_SIZE];   /**< Arena name. */
	int socket_id;               /**< NUMA socket of its memory. */
	uint32_t nb_buffers;         /**< Total buffers. */
	uint32_t stride;             /**< Bytes from one buffer to the next:
				      *   buffers are packed, never one per
				      *   page. */
	uint16_t data_room;          /**< Data room incl. headroom. */
	uint16_t priv_size;          /**< Application private area. */
	uint16_t max_pools;          /**< Owner pool slots. */
	uint16_t nb_pools;           /**< Owner pools in use. */
	uint32_t lcore_cache;        /**< Per-lcore cache size (0: none). */
	uint32_t cache_slack;        /**< Buffers the caches may hold. */
	uint32_t reserved;           /**< Sum of all pool quotas. */
	uint32_t unreserved;         /**< Still free for new quotas (0 when
				      *   overcommitted). */
	bool overcommit;             /**< Created with overcommit. */
	bool strict;                 /**< Created with strict free marking. */
	bool hugepages;              /**< Memory is backed by hugepages. */
	uint64_t double_frees;       /**< Frees of a buffer already free,
				      *   caught and ignored. */
	uint64_t foreign_frees;      /**< Objects put into the arena that
				      *   it does not own, caught and ignored. */
};

/**
 * Create an arena and populate all of its buffers.
 *
 * The buffers are packed at a fixed stride in one chunk of memory, so
 * performance does not depend on hugepages. In IOVA-as-PA mode the chunk
 * must be IOVA-contiguous; when it cannot be had the call fails and the
 * log suggests --iova-mode=va.
 *
 * @param conf
 *   Parameters; conf->name and conf->nb_buffers are required.
 * @return
 *   The arena, or NULL with rte_errno set: EINVAL for a bad parameter
 *   (the log names it), EEXIST for a name in use, ENOMEM when memory
 *   cannot be had, ENOSPC when the mempool driver table is full.
 */
struct xchg_arena *xchg_arena_create(const struct xchg_arena_conf *conf);

/**
 * Free an arena and all its memory.
 *
 * @param arena
 *   Arena to free; NULL is accepted and ignored.
 * @return
 *   0 on success; -EBUSY, changing nothing, when an owner pool still
 *   exists or a buffer is out of the arena (in a ring, held by the
 *   application or by a PMD).
 */
int xchg_arena_free(struct xchg_arena *arena);

/**
 * Free an arena whose owner pools are all freed although buffers are
 * still out with no owner: buffers that a closed device never gave back
 * (net_af_xdp in DPDK 22.11 does not free its fill ring's buffers when
 * closed). Call it only when every device given the arena's mempool is
 * closed: the memory goes, whoever still points into it.
 *
 * @param arena
 *   Arena to free; NULL is accepted and ignored.
 * @param abandoned
 *   If not NULL, receives the number of buffers that were still out.
 * @return
 *   0 on success; -EBUSY, changing nothing, when an owner pool exists.
 */
int xchg_arena_free_abandoned(struct xchg_arena *arena, uint32_t *abandoned);

/**
 * Find an arena by name.
 *
 * @return
 *   The arena, or NULL with rte_errno set to ENOENT.
 */
struct xchg_arena *xchg_arena_lookup(const char *name);

/**
 * The arena that owns a mempool.
 *
 * @return
 *   The arena, or NULL when @p mp is NULL or is not an arena.
 */
struct xchg_arena *xchg_arena_from_mempool(const struct rte_mempool *mp);

/**
 * The mempool to give PMDs (rte_eth_rx_queue_setup(), through xchg_port)
 * and to free into with the plain mbuf API.
 *
 * What an application may do with it:
 * - free any of its mbufs with rte_pktmbuf_free(), _free_bulk() or a
 *   PMD's TX completion, from any lcore or non-EAL thread: the owner is
 *   credited;
 * - allocate only with xchg_alloc_bulk(), clone into it only with
 *   xchg_pool_clone() (or clone into a plain mempool of its own).
 * What it must not do: rte_pktmbuf_alloc(), rte_mempool_get() or
 * rte_pktmbuf_clone(m, this mempool) take buffers no quota pays for
 * (the census counts them as held in rings and breaks "rings_over" past
 * the NIC ring allowance); rte_mempool_put() of a clone or a shared mbuf
 * skips the refcnt; a user-owned mempool cache keeps puts from the
 * driver; rte_eth_recycle_mbufs() bypasses the enqueue (poisoned by
 * xchg_port.h). The library cannot refuse these on the data path.
 *
 * @return
 *   The mempool, or NULL when @p arena is NULL.
 */
struct rte_mempool *xchg_arena_mempool(const struct xchg_arena *arena);

/**
 * Read an arena's facts and figures.
 *
 * @return
 *   0, or -EINVAL when an argument is NULL.
 */
int xchg_arena_info_get(const struct xchg_arena *arena,
			struct xchg_arena_info *info);

/**
 * Call @p fn for each arena, in creation order, until it returns non-zero.
 *
 * @return
 *   The last value @p fn returned, or 0.
 */
int xchg_arena_foreach(int (*fn)(struct xchg_arena *arena, void *arg),
		       void *arg);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_ARENA_H */
