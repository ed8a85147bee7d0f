/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Receive: one burst from the PMD, demux, one exchange per consumer per
 * burst, and a counted reason for every frame that is dropped. Dropping
 * is rte_pktmbuf_free(): the buffer goes back to the arena, from which the
 * PMD refills its ring, so nothing a consumer does can starve the ring.
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "xchg_deliver_private.h"
#include "xchg_port_private.h"

static void
drop(struct xchg_rxq *rxq, enum xchg_drop_reason reason,
     struct rte_mbuf **m, unsigned int n)
{
	if (n == 0)
		return;
	rxq->drops[reason] += n;
	rte_pktmbuf_free_bulk(m, n);
}

/* Hand each group of @m, in order, to its consumer in one call; drop
 * what a consumer does not take. */
static void
deliver(struct xchg_rxq *rxq, struct xchg_deliver_group *g,
	unsigned int nb_groups, struct rte_mbuf **m)
{
	unsigned int i;

	if (unlikely(xchg_consumer_deliver_groups(g, nb_groups, m) != 0))
		for (i = 0; i < nb_groups; i++) {
			g[i].queued = 0;
			g[i].err = EINVAL;
		}
	for (i = 0; i < nb_groups; m += g[i].n, i++) {
		unsigned int done = g[i].queued;

		rxq->delivered += done;
		if (done < g[i].n)
			drop(rxq, g[i].err == ENOBUFS ? XCHG_DROP_NO_BUFFERS :
				  XCHG_DROP_REJECTED, &m[done], g[i].n - done);
	}
}

static struct xchg_consumer *
classify(const struct xchg_port *p, struct rte_mbuf *m,
	 enum xchg_drop_reason *reason)
{
	struct xchg_consumer *c = NULL;

	*reason = XCHG_DROP_NO_CONSUMER;
	if (p->nb_rules != 0)
		c = xchg_port_rule_match(p, m);
	if (c == NULL && p->demux != NULL)
		c = p->demux(m, p->demux_ctx, reason);
	return c;
}

/*
 * Frames of one burst grouped by consumer, in arrival order within each
 * group, so that each consumer pays with one exchange per burst, and
 * every group delivered in one call (xchg_consumer_deliver_groups()). A
 * consumer's group is found through a small open-addressing table keyed
 * by the consumer's address (consumers are cache-line aligned, so the
 * bits above the line offset tell them apart): a burst spread over many
 * sockets costs a probe per frame, not a scan of the groups so far.
 */
#define RX_HASH_SIZE 64 /* twice the burst: probes stay short */

static inline unsigned int
rx_hash(const struct xchg_consumer *c)
{
	uintptr_t v = (uintptr_t)c >> 6;

	return (unsigned int)(v ^ (v >> 6)) & (RX_HASH_SIZE - 1);
}

unsigned int
xchg_port_rx(struct xchg_port *p, uint16_t queue)
{
	struct rte_mbuf *pkts[XCHG_PORT_BURST];
	struct rte_mbuf *sorted[XCHG_PORT_BURST];
	struct xchg_deliver_group grp[XCHG_PORT_BURST]; /* group g */
	uint8_t gid[XCHG_PORT_BURST];              /* group of frame i */
	uint8_t slot[RX_HASH_SIZE];                /* group + 1, 0: empty */
	struct xchg_consumer *bound;
	struct xchg_rxq *rxq;
	unsigned int i, g, h, off, nb_groups = 0, nb_kept = 0;
	uint16_t n;

	RTE_BUILD_BUG_ON(XCHG_PORT_BURST > UINT8_MAX);
	if (unlikely(p == NULL || queue >= p->nb_rxq))
		return 0;
	rxq = &p->rxq[queue];
	/* A stopped PMD's burst function logs an error per call. */
	if (unlikely(!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE))) {
		rxq->stopped++;
		return 0;
	}
	n = rte_eth_rx_burst(p->port_id, queue, pkts, XCHG_PORT_BURST);
	if (n == 0)
		return 0;
	rxq->frames += n;

	/* A queue steered in hardware needs no demux. */
	bound = __atomic_load_n(&rxq->bound, __ATOMIC_ACQUIRE);
	if (bound != NULL) {
		grp[0].consumer = bound;
		grp[0].n = n;
		deliver(rxq, grp, 1, pkts);
		return n;
	}

	memset(slot, 0, sizeof(slot));
	for (i = 0; i < n; i++) {
		enum xchg_drop_reason reason;
		struct xchg_consumer *c = classify(p, pkts[i], &reason);

		if (c == NULL) {
			gid[i] = UINT8_MAX;
			if (reason == XCHG_DEMUX_KEPT)
				nb_kept++;
			else
				drop(rxq, reason < XCHG_DROP_MAX ? reason :
				     XCHG_DROP_NO_CONSUMER, &pkts[i], 1);
			continue;
		}
		for (h = rx_hash(c);
		     slot[h] != 0 && grp[slot[h] - 1].consumer != c;
		     h = (h + 1) & (RX_HASH_SIZE - 1))
			;
		if (slot[h] == 0) {
			grp[nb_groups].consumer = c;
			grp[nb_groups].n = 0;
			slot[h] = (uint8_t)++nb_groups;
		}
		g = slot[h] - 1u;
		gid[i] = (uint8_t)g;
		grp[g].n++;
	}
	rxq->kept += nb_kept;
	if (nb_groups == 0)
		return n;
	if (nb_groups == 1) {
		/* One consumer took the burst: no reordering needed. */
		for (i = 0, off = 0; i < n; i++)
			if (gid[i] != UINT8_MAX)
				sorted[off++] = pkts[i];
		deliver(rxq, grp, 1, sorted);
		return n;
	}
	/* Counting sort: each group's frames contiguous, in arrival order. */
	{
		uint8_t pos[XCHG_PORT_BURST];

		for (g = 0, off = 0; g < nb_groups; g++) {
			pos[g] = (uint8_t)off;
			off += grp[g].n;
		}
		for (i = 0; i < n; i++)
			if (gid[i] != UINT8_MAX)
				sorted[pos[gid[i]]++] = pkts[i];
	}
	deliver(rxq, grp, nb_groups, sorted);
	return n;
}
