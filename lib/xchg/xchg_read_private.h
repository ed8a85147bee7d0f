/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_READ_PRIVATE_H
#define XCHG_READ_PRIVATE_H

/*
 * Not installed: for the project's own libraries (the stack's socket
 * read) and its tests, exported in the INTERNAL section of libxchg's
 * version.map, with no compatibility promise (doc/abi.rst).
 */

#ifdef __cplusplus
extern "C" {
#endif

struct rte_ring;
struct xchg_consumer;

/**
 * The ring a reader of @p c may dequeue from itself, skipping
 * xchg_consumer_recv_burst()'s call and checks: with
 * rte_ring_sc_dequeue_burst() when xchg_consumer_single_consumer(c),
 * rte_ring_mc_dequeue_burst() otherwise, the read that call would make,
 * frame for frame. Control path: ask again after every change of the
 * mode (xchg_consumer_set_single_consumer()).
 *
 * @return The ring; NULL for a single-consumer consumer of a strict
 *   arena, whose reads must go through xchg_consumer_recv_burst() to be
 *   checked, and for NULL.
 */
struct rte_ring *xchg_consumer_read_ring(const struct xchg_consumer *c);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_READ_PRIVATE_H */
