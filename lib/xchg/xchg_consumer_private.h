/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_CONSUMER_PRIVATE_H
#define XCHG_CONSUMER_PRIVATE_H

/* Internal to libxchg: not installed. A consumer's parts, for the
 * consumer calls (xchg_consumer.c) and the batched delivery
 * (xchg_exchange.c). */

#include <stdbool.h>

struct rte_ring;
struct xchg_pool;

/** A consumer: pool and ring set at creation and never changed. */
struct xchg_consumer {
	struct xchg_pool *pool; /**< pays for what is delivered */
	struct rte_ring *ring;  /**< delivered frames: the delivering
				 * lcores enqueue, the application
				 * dequeues (rte_ring's own ordering) */
	bool sp;                /**< the ring's producer is single
				 * (RTE_RING_SYNC_ST): set with it by
				 * xchg_consumer_set_single_producer(), so
				 * that the batched delivery calls the
				 * enqueue of that mode directly */
	/* The read side (xchg_consumer_set_single_consumer()): control
	 * path, plain, ordered before the first read by whatever hands @c
	 * to its reader, as @c sp is. */
	bool sc;                /**< the ring's consumer is single
				 * (RTE_RING_SYNC_ST): the read calls the
				 * single-consumer dequeue */
	bool sc_check;          /**< single-consumer in a strict arena:
				 * each read holds @c reading */
	uint8_t reading;        /**< sc_check: 1 while a read runs; an
				 * atomic exchange sets it (acquire),
				 * a release store clears it, so two
				 * simultaneous readers cannot both hold
				 * it (the second is refused, EBUSY) */
};

#endif /* XCHG_CONSUMER_PRIVATE_H */
