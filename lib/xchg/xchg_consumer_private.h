/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_CONSUMER_PRIVATE_H
#define XCHG_CONSUMER_PRIVATE_H

/* Internal to libxchg: not installed. A consumer's parts, for the
 * consumer calls (xchg_consumer.c) and the batched delivery
 * (xchg_exchange.c). */

struct rte_ring;
struct xchg_pool;

/** A consumer: both fields set at creation and never changed. */
struct xchg_consumer {
	struct xchg_pool *pool; /**< pays for what is delivered */
	struct rte_ring *ring;  /**< delivered frames: the delivering
				 * lcores enqueue, the application
				 * dequeues (rte_ring's own ordering) */
};

#endif /* XCHG_CONSUMER_PRIVATE_H */
