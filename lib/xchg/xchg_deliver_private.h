/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_DELIVER_PRIVATE_H
#define XCHG_DELIVER_PRIVATE_H

/*
 * Not installed: for the project's own libraries (the port's receive,
 * the stack's deferred delivery) and its tests, exported in the INTERNAL
 * section of libxchg's version.map, with no compatibility promise
 * (doc/abi.rst).
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct xchg_consumer;

/** One consumer's share of a burst: @p n frames, contiguous in the array
 * given to xchg_consumer_deliver_groups(), after the previous groups'.
 * Plain, the caller's own: nothing in it is shared between threads. */
struct xchg_deliver_group {
	struct xchg_consumer *consumer; /**< in; NULL: the group's error */
	uint16_t n;                     /**< in: frames of the group */
	uint16_t queued;                /**< out: the first queued frames */
	int err;                        /**< out: why the rest were not */
};

/**
 * Deliver a burst's groups: for each group what xchg_consumer_deliver()
 * does (the exchange into the consumer's pool, then its ring), with the
 * exchange's entry (the operation's depth, the counter-set lookup) paid
 * once per call instead of once per group. Quotas, checks and counters
 * are those of xchg_consumer_deliver() group by group, in order: that
 * call is one group of this one (xchg_consumer.c).
 *
 * Per group, on return: @p queued frames, the group's first, are on the
 * consumer's ring and no longer the caller's; the other n - queued are
 * still the caller's to free, and @p err says why: ENOBUFS (refused: the
 * quota), ENOSPC (the ring is full), EINVAL (a NULL consumer, a pool
 * that is not live) or the frame's rejection as xchg_acquire_burst()
 * reports it (EXDEV, EALREADY, EBUSY, ENOTSUP, EINVAL); 0 when all were
 * queued, and for a group of no frame. rte_errno is not meaningful
 * afterwards.
 *
 * Frames a full ring left to the caller stay charged to their consumer
 * until the caller frees them (the free gives the units back), as after
 * xchg_consumer_deliver(): a later group of the same consumer in the same
 * call finds those units still taken. The port's groups are distinct
 * consumers; the stack's deferred list may name one several times.
 *
 * @param g
 *   The groups, @p nb_groups of them; their consumers may belong
 *   to several arenas.
 * @param nb_groups
 *   At least 1.
 * @param mbufs
 *   Every group's frames, group after group: the sum of the groups' n.
 * @return
 *   0; -EINVAL, with nothing done or touched, for a NULL @p g or
 *   @p mbufs or no group.
 */
int xchg_consumer_deliver_groups(struct xchg_deliver_group *g,
				 unsigned int nb_groups,
				 struct rte_mbuf **mbufs);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_DELIVER_PRIVATE_H */
