/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Receive: one burst from the PMD, demux, one exchange per consumer per
 * burst, and a counted reason for every frame that is dropped. Dropping
 * is rte_pktmbuf_free(): the buffer goes back to the arena, from which the
 * PMD refills its ring, so nothing a consumer does can starve the ring.
 */

#include <errno.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "xchg_port_private.h"

struct rx_group {
	struct xchg_consumer *consumer;
	uint16_t n;
	struct rte_mbuf *mbufs[XCHG_PORT_BURST];
};

static void
drop(struct xchg_rxq *rxq, enum xchg_drop_reason reason,
     struct rte_mbuf **m, unsigned int n)
{
	if (n == 0)
		return;
	rxq->drops[reason] += n;
	rte_pktmbuf_free_bulk(m, n);
}

/* Hand a run of frames to one consumer; drop what it does not take. */
static void
deliver(struct xchg_rxq *rxq, struct xchg_consumer *c,
	struct rte_mbuf **m, unsigned int n)
{
	unsigned int done = xchg_consumer_deliver(c, m, n);

	rxq->delivered += done;
	if (done < n)
		drop(rxq, rte_errno == ENOBUFS ? XCHG_DROP_NO_BUFFERS :
			  XCHG_DROP_REJECTED, &m[done], n - done);
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

unsigned int
xchg_port_rx(struct xchg_port *p, uint16_t queue)
{
	struct rte_mbuf *pkts[XCHG_PORT_BURST];
	struct rx_group groups[XCHG_PORT_BURST];
	struct xchg_consumer *bound;
	struct xchg_rxq *rxq;
	unsigned int i, g, nb_groups = 0;
	uint16_t n;

	if (unlikely(p == NULL || queue >= p->nb_rxq))
		return 0;
	rxq = &p->rxq[queue];
	n = rte_eth_rx_burst(p->port_id, queue, pkts, XCHG_PORT_BURST);
	if (n == 0)
		return 0;
	rxq->frames += n;

	/* A queue steered in hardware needs no demux. */
	bound = __atomic_load_n(&rxq->bound, __ATOMIC_ACQUIRE);
	if (bound != NULL) {
		deliver(rxq, bound, pkts, n);
		return n;
	}

	for (i = 0; i < n; i++) {
		enum xchg_drop_reason reason;
		struct xchg_consumer *c = classify(p, pkts[i], &reason);

		if (c == NULL) {
			if (reason == XCHG_DEMUX_KEPT)
				rxq->kept++;
			else
				drop(rxq, reason < XCHG_DROP_MAX ? reason :
				     XCHG_DROP_NO_CONSUMER, &pkts[i], 1);
			continue;
		}
		for (g = 0; g < nb_groups && groups[g].consumer != c; g++)
			;
		if (g == nb_groups) {
			groups[g].consumer = c;
			groups[g].n = 0;
			nb_groups++;
		}
		groups[g].mbufs[groups[g].n++] = pkts[i];
	}
	for (g = 0; g < nb_groups; g++)
		deliver(rxq, groups[g].consumer, groups[g].mbufs, groups[g].n);
	return n;
}
