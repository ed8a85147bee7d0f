/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Transmit with RTnet's rule: the TX queue's reservation pays for a frame
 * when it is sent, and the sender gets its unit back at once. A PMD that
 * cleans its ring lazily, or a queue that is stuck, then exhausts only
 * the TX queue's reservation: sends fail with ENOBUFS and the frames stay
 * with their sender, whose reservation is intact. Before refusing, the
 * queue asks the PMD once to free what it completed (xchg_port_hold.c),
 * so a PMD that frees sent frames only inside its next send (net_memif
 * zero copy) never stalls the queue for good.
 */

#include <errno.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "xchg_port_private.h"

/* A frame the exchange cannot take over (a clone, a shared or foreign
 * buffer) is still sent: whoever pays for it keeps paying until the PMD
 * frees it, as in sender-pays mode. */
static bool
sent_as_is(int err)
{
	return err == ENOTSUP || err == EBUSY || err == EXDEV;
}

/* Send @n frames the queue has paid for (@paid of them; a last one may
 * be sent as it is); what the PMD does not take goes back to @sender. */
static unsigned int
send_paid(struct xchg_port *p, uint16_t queue, struct xchg_txq *txq,
	  struct xchg_pool *sender, struct rte_mbuf **mbufs, unsigned int n,
	  unsigned int paid)
{
	unsigned int sent = rte_eth_tx_burst(p->port_id, queue, mbufs,
					     (uint16_t)n);
	unsigned int back;

	txq->frames += sent;
	if (sent == n)
		return sent;
	/* The ring is full: the unsent frames go back to their sender,
	 * which refunds the queue. */
	txq->full += n - sent;
	if (sender != NULL && sent < paid) {
		back = xchg_acquire_burst(sender, &mbufs[sent], paid - sent);
		if (back < paid - sent)
			PORT_LOG(DEBUG, "port %u TX queue %u: sender %s could not take back %u frames\n",
				 p->port_id, queue, xchg_pool_name(sender),
				 paid - sent - back);
	}
	return sent;
}

unsigned int
xchg_port_tx(struct xchg_port *p, uint16_t queue, struct xchg_pool *sender,
	     struct rte_mbuf **mbufs, unsigned int n)
{
	struct xchg_txq *txq;
	unsigned int done = 0, paid, span, sent;
	bool reclaimed = false;
	int err = 0;

	if (unlikely(p == NULL || queue >= p->nb_txq || mbufs == NULL)) {
		rte_errno = EINVAL;
		return 0;
	}
	txq = &p->txq[queue];
	n = RTE_MIN(n, (unsigned int)UINT16_MAX); /* rte_eth_tx_burst's limit */
	if (n == 0)
		return 0;
	/* A stopped PMD's burst function logs an error per call. */
	if (unlikely(!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE))) {
		txq->stopped += n;
		rte_errno = ENETDOWN;
		return 0;
	}
	if (p->tx_mode == XCHG_TX_SENDER_PAYS) {
		sent = send_paid(p, queue, txq, NULL, mbufs, n, 0);
		if (sent < n)
			rte_errno = EAGAIN;
		return sent;
	}

	while (done < n && err == 0) {
		paid = xchg_acquire_burst(txq->pool, &mbufs[done], n - done);
		if (paid == 0 && rte_errno == ENOBUFS && !reclaimed) {
			/* The reservation is spent: a PMD that frees sent
			 * frames lazily may hold completed ones. Ask once. */
			reclaimed = true;
			xchg_port_tx_reclaim(p, queue);
			continue;
		}
		span = paid;
		if (paid < n - done) {
			err = rte_errno;
			if (sent_as_is(err)) {
				span++;
				err = 0;
			}
		}
		if (span == 0)
			break;
		sent = send_paid(p, queue, txq, sender, &mbufs[done], span,
				 paid);
		done += sent;
		if (sent < span)
			err = EAGAIN;
	}
	if (err == ENOBUFS)
		txq->nobufs += n - done;
	if (err != 0)
		rte_errno = err;
	return done;
}
