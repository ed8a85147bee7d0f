/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Transmit with RTnet's rule: the TX queue's reservation pays for a frame
 * when it is sent, and the sender gets its unit back at once. A PMD that
 * cleans its ring lazily, or a queue that is stuck, then exhausts only
 * the TX queue's reservation: sends fail with ENOBUFS and the frames stay
 * with their sender, whose reservation is intact.
 */

#include <errno.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "xchg_port_private.h"

unsigned int
xchg_port_tx(struct xchg_port *p, uint16_t queue, struct xchg_pool *sender,
	     struct rte_mbuf **mbufs, unsigned int n)
{
	struct xchg_txq *txq;
	unsigned int paid, sent, back;
	int err = 0;

	if (unlikely(p == NULL || queue >= p->nb_txq || mbufs == NULL)) {
		rte_errno = EINVAL;
		return 0;
	}
	txq = &p->txq[queue];
	if (n == 0)
		return 0;
	n = RTE_MIN(n, (unsigned int)UINT16_MAX); /* rte_eth_tx_burst's limit */

	if (p->tx_mode == XCHG_TX_SENDER_PAYS) {
		paid = n;
	} else {
		paid = xchg_acquire_burst(txq->pool, mbufs, n);
		if (paid < n) {
			err = rte_errno;
			txq->nobufs += n - paid;
		}
	}
	sent = paid == 0 ? 0 : rte_eth_tx_burst(p->port_id, queue, mbufs,
						(uint16_t)paid);
	txq->frames += sent;
	if (sent < paid) {
		/* The ring is full: what was not sent goes back to its
		 * sender, which refunds the queue. */
		txq->full += paid - sent;
		err = EAGAIN;
		if (sender != NULL && p->tx_mode == XCHG_TX_QUEUE_PAYS) {
			back = xchg_acquire_burst(sender, &mbufs[sent],
						  paid - sent);
			if (back < paid - sent)
				PORT_LOG(DEBUG, "port %u TX queue %u: sender %s could not take back %u frames\n",
					 p->port_id, queue,
					 xchg_pool_name(sender),
					 paid - sent - back);
		}
	}
	if (err != 0)
		rte_errno = err;
	return sent;
}
