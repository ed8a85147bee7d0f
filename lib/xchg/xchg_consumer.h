/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_CONSUMER_H
#define XCHG_CONSUMER_H

/**
 * @file
 * xchg consumers: an owner pool with a bounded receive ring.
 *
 * The producer (a NIC RX queue, a demux) delivers frames with
 * xchg_consumer_deliver(): they are exchanged into the consumer's pool
 * and queued on its ring. The application takes them with
 * xchg_consumer_recv_burst() and frees them with rte_pktmbuf_free(),
 * which gives the units back. The ring is as large as the quota, so it
 * cannot overflow while the quota holds.
 *
 * Deliver and receive are data path calls, safe from several lcores at
 * once unless the consumer was made single-producer
 * (xchg_consumer_set_single_producer()) or single-consumer
 * (xchg_consumer_set_single_consumer()). Create and free are control
 * path.
 */

#include <stdbool.h>
#include <stdint.h>

#include "xchg_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct xchg_consumer;

/**
 * Create a consumer: an owner pool of @p quota and a ring to match.
 *
 * @return
 *   The consumer, or NULL with rte_errno set as by xchg_pool_create(), or
 *   ENOMEM when the ring cannot be had.
 */
struct xchg_consumer *xchg_consumer_create(struct xchg_arena *arena,
					   const char *name,
					   enum xchg_pool_kind kind,
					   uint32_t quota);

/**
 * Free a consumer: frames still queued are freed, then the pool.
 *
 * @return
 *   0; -EINVAL for NULL; -EBUSY, with the queue drained but the consumer
 *   kept, when the application still holds frames it received.
 */
int xchg_consumer_free(struct xchg_consumer *c);

/**
 * Say whether one thread at a time delivers to @p c (single producer) or
 * several may at once (the default). A single-producer consumer's
 * xchg_consumer_deliver() executes no locked instruction; two threads
 * delivering to it at the same instant would corrupt its ring.
 * Receiving stays safe from several threads.
 *
 * Control path: call it before any thread delivers to @p c, or while
 * none does; what makes @p c known to its producers (a release store, a
 * lock, a thread's creation) orders the change before their first
 * delivery. Frames already queued stay queued, in order. It cannot see
 * a delivery in progress: changing the mode under a producer is the
 * caller's error, not detected.
 *
 * @return 0; -EINVAL for NULL.
 */
int xchg_consumer_set_single_producer(struct xchg_consumer *c, bool single);

/**
 * Read back the mode xchg_consumer_set_single_producer() set.
 *
 * @return true when @p c is single-producer; false when several threads
 *   may deliver to it (the default), or for NULL.
 */
bool xchg_consumer_single_producer(const struct xchg_consumer *c);

/**
 * Say whether one thread at a time receives from @p c (single consumer)
 * or several may at once (the default). A single-consumer consumer's
 * xchg_consumer_recv_burst() executes no locked instruction (the
 * ring's single-consumer dequeue, as DPDK's RING_F_SC_DEQ). Delivering
 * stays as xchg_consumer_set_single_producer() says.
 *
 * Two threads receiving from a single-consumer @p c at the same instant
 * is undefined, as for DPDK's RING_F_SC_DEQ: both may take the same
 * frames (each then frees them: a double free), and the ring's indices
 * may be left so that frames are lost or returned again. It is not
 * detected in an arena with plain free marking. In a strict arena
 * (xchg_arena_conf::strict, [arena] strict = true) each read takes a
 * flag with one atomic exchange: a second thread that reads while the
 * first one does gets 0 frames with rte_errno EBUSY and takes nothing,
 * the frames stay queued in order for the first. Reads by different
 * threads one after the other are fine when something orders them (a
 * release store and an acquire load, a lock, a thread's creation), as
 * handing an RX queue over is.
 *
 * Control path: call it before any thread receives from @p c, or while
 * none does. Frames already queued stay queued, in order.
 *
 * @return 0; -EINVAL for NULL.
 */
int xchg_consumer_set_single_consumer(struct xchg_consumer *c, bool single);

/**
 * Read back the mode xchg_consumer_set_single_consumer() set.
 *
 * @return true when @p c is single-consumer; false when several threads
 *   may receive from it (the default), or for NULL.
 */
bool xchg_consumer_single_consumer(const struct xchg_consumer *c);

/** @return The consumer's owner pool, or NULL for NULL. */
struct xchg_pool *xchg_consumer_pool(const struct xchg_consumer *c);

/** @return The consumer's name, or NULL for NULL. */
const char *xchg_consumer_name(const struct xchg_consumer *c);

/**
 * Exchange frames into the consumer and queue them for it.
 *
 * @return
 *   Frames delivered, a prefix of @p mbufs. The rest are untouched and
 *   the caller drops them (frees them); rte_errno tells why, as for
 *   xchg_acquire_burst(), or ENOSPC when the ring was full (possible
 *   only after the quota grew beyond the ring).
 */
unsigned int xchg_consumer_deliver(struct xchg_consumer *c,
				   struct rte_mbuf **mbufs, unsigned int n);

/**
 * Take delivered frames, oldest first. Zero copy: the application owns
 * them now and frees them with rte_pktmbuf_free().
 *
 * Safe from several threads at once unless @p c is single-consumer
 * (xchg_consumer_set_single_consumer()).
 *
 * @return
 *   Frames taken, at most @p n; 0 for NULL arguments, and 0 with
 *   rte_errno EBUSY when @p c is single-consumer in a strict arena and
 *   another thread is reading it at the same instant (the misuse).
 */
unsigned int xchg_consumer_recv_burst(struct xchg_consumer *c,
				      struct rte_mbuf **mbufs, unsigned int n);

/** @return Frames delivered and not yet received, or 0 for NULL. */
unsigned int xchg_consumer_pending(const struct xchg_consumer *c);

/**
 * Buffers (segments) of the frames delivered and not yet received: what
 * the queue holds of the consumer's quota. Control path: read while no
 * lcore delivers to or receives from @p c.
 *
 * @return Segments queued, or 0 for NULL.
 */
unsigned int xchg_consumer_pending_segs(const struct xchg_consumer *c);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_CONSUMER_H */
