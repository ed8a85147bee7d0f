/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_CONSUMER_PRIVATE_H
#define XCHG_CONSUMER_PRIVATE_H

/* Internal to libxchg: not installed. A consumer's parts, for the
 * consumer calls (xchg_consumer.c) and the batched delivery
 * (xchg_exchange.c). */

struct rte_ring;
struct xchg_pool;

struct xchg_consumer {
	struct xchg_pool *pool;
	struct rte_ring *ring;
};

#endif /* XCHG_CONSUMER_PRIVATE_H */
