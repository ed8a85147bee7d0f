/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * What a PMD really holds. Most PMDs keep exactly their RX descriptors'
 * worth of buffers, which the RX queue's reservation (descriptors +
 * slack) already covers; some keep more: net_af_xdp fills a 2,048-entry
 * fill ring per RX queue whatever nb_rx_desc says, net_memif in zero
 * copy fills its whole ring when the peer connects. The port measures
 * the buffers that leave the arena with no owner around each RX queue's
 * set-up and around the start, and charges the queue's reservation for
 * them, so the sizing invariant covers what the driver keeps; when the
 * arena cannot, the start is refused in one line.
 *
 * And what a PMD gives back only when asked: a TX queue whose
 * reservation is spent asks the driver to reclaim completed frames
 * before it refuses a send (net_memif zero copy frees sent buffers only
 * inside its next send).
 */

#include <errno.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "xchg_census.h"
#include "xchg_port_private.h"

uint32_t
xchg_port_unowned(struct xchg_arena *arena)
{
	struct xchg_census c;

	/* A broken census still counts: in_rings is what we need. */
	xchg_arena_census(arena, &c);
	return c.in_rings;
}

/* The reservation RX queue @q needs for what the PMD holds, or 0 when
 * its descriptors cover it. */
static uint32_t
rx_need(const struct xchg_port *p, uint16_t q, uint32_t start_share)
{
	uint32_t held = RTE_MAX(p->rxq[q].held + start_share, p->rx_hold);

	return held > p->nb_rx_desc ? held + p->rx_slack : 0;
}

int
xchg_port_charge_holds(struct xchg_port *p, uint32_t start_delta)
{
	uint32_t share = (start_delta + p->nb_rxq - 1u) / p->nb_rxq;
	uint32_t missing = 0, most = 0, need;
	struct xchg_arena_info info;
	struct xchg_pool_stats s;
	uint16_t q;
	int ret;

	if (xchg_arena_info_get(p->arena, &info) != 0)
		return -EINVAL;
	for (q = 0; q < p->nb_rxq; q++) {
		need = rx_need(p, q, share);
		most = RTE_MAX(most, need);
		if (need != 0 && xchg_pool_stats_get(p->rxq[q].pool, &s) == 0 &&
		    s.quota < need)
			missing += need - s.quota;
	}
	if (missing == 0)
		return 0;
	if (!info.overcommit && missing > info.unreserved) {
		PORT_LOG(ERR, "port %u: %s keeps %u buffers per RX queue, more than rx_desc %u; the arena is %u buffers short: raise buffers to %u or rx_desc to %u (the sizing check then counts them)\n",
			 p->port_id, p->driver, most - p->rx_slack,
			 p->nb_rx_desc, missing - info.unreserved,
			 info.nb_buffers + missing - info.unreserved,
			 most - p->rx_slack);
		return -ENOSPC;
	}
	for (q = 0; q < p->nb_rxq; q++) {
		need = rx_need(p, q, share);
		if (need == 0 || xchg_pool_stats_get(p->rxq[q].pool, &s) != 0 ||
		    s.quota >= need)
			continue;
		ret = xchg_pool_resize(p->rxq[q].pool, need, NULL);
		if (ret != 0)
			return ret;
		PORT_LOG(INFO, "port %u RX queue %u: %s keeps %u buffers: reservation raised from %u to %u\n",
			 p->port_id, q, p->driver, need - p->rx_slack, s.quota,
			 need);
	}
	return 0;
}

void
xchg_port_tx_reclaim(struct xchg_port *p, uint16_t queue)
{
	struct xchg_txq *txq = &p->txq[queue];
	struct rte_mbuf *none[1] = { NULL };

	txq->reclaims++;
	if (!txq->burst_reclaim) {
		if (rte_eth_tx_done_cleanup(p->port_id, queue, 0) != -ENOTSUP)
			return;
		txq->burst_reclaim = true;
	}
	/* A PMD without tx_done_cleanup frees what completed at the start
	 * of a burst (net_memif, net_af_xdp): one with nothing to send.
	 * Call it only while the queue holds frames: net_memif's copy mode
	 * (DPDK 24.11 and later) reads the first mbuf of a burst even when
	 * it is empty, and it keeps nothing after a send anyway. */
	rte_eth_tx_burst(p->port_id, queue, none, 0);
}
