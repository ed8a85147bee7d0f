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
#include "xchg_port_tx_private.h"

/* A frame the exchange cannot take over (a clone, a shared or foreign
 * buffer) is still sent: whoever pays for it keeps paying until the PMD
 * frees it, as in sender-pays mode. */
static bool
sent_as_is(int err)
{
	return err == ENOTSUP || err == EBUSY || err == EXDEV;
}

/* The frames mbufs[@from..@to) were not sent: each goes back to its own
 * payer, which refunds the queue. */
static void
give_back(struct xchg_port *p, uint16_t queue,
	  const struct xchg_port_payer *payers, unsigned int nb_payers,
	  struct rte_mbuf **mbufs, unsigned int from, unsigned int to)
{
	unsigned int i, first = 0, lo, hi, back;

	for (i = 0; i < nb_payers && first < to; first += payers[i++].n) {
		lo = RTE_MAX(from, first);
		hi = RTE_MIN(to, first + payers[i].n);
		if (lo >= hi || payers[i].pool == NULL)
			continue;
		back = xchg_acquire_burst(payers[i].pool, &mbufs[lo], hi - lo);
		if (back < hi - lo)
			PORT_LOG(DEBUG, "port %u TX queue %u: sender %s could not take back %u frames\n",
				 p->port_id, queue,
				 xchg_pool_name(payers[i].pool), hi - lo - back);
	}
}

/* Send mbufs[@done..@done + @n), which the queue has paid for (@paid of
 * them; a last one may be sent as it is); what the PMD does not take goes
 * back to its payer, when @payers is not NULL. */
static unsigned int
send_paid(struct xchg_port *p, uint16_t queue, struct xchg_txq *txq,
	  const struct xchg_port_payer *payers, unsigned int nb_payers,
	  struct rte_mbuf **mbufs, unsigned int done, unsigned int n,
	  unsigned int paid)
{
	unsigned int sent = rte_eth_tx_burst(p->port_id, queue, &mbufs[done],
					     (uint16_t)n);

	txq->frames += sent;
	if (sent == n)
		return sent;
	/* The ring is full: the unsent frames go back to their payers,
	 * which refund the queue. */
	txq->full += n - sent;
	if (payers != NULL && sent < paid)
		give_back(p, queue, payers, nb_payers, mbufs, done + sent,
			  done + paid);
	return sent;
}

/* xchg_port_tx() for @n frames of @nb_payers payers, n checked. */
static __rte_always_inline unsigned int
port_tx(struct xchg_port *p, uint16_t queue,
	const struct xchg_port_payer *payers, unsigned int nb_payers,
	struct rte_mbuf **mbufs, unsigned int n)
{
	struct xchg_txq *txq = &p->txq[queue];
	unsigned int done = 0, paid, span, sent;
	bool reclaimed = false;
	int err = 0;

	/* A stopped PMD's burst function logs an error per call. */
	if (unlikely(!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE))) {
		txq->stopped += n;
		rte_errno = ENETDOWN;
		return 0;
	}
	if (p->tx_mode == XCHG_TX_SENDER_PAYS) {
		sent = send_paid(p, queue, txq, NULL, 0, mbufs, 0, n, 0);
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
		sent = send_paid(p, queue, txq, payers, nb_payers, mbufs, done,
				 span, paid);
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

unsigned int
xchg_port_tx(struct xchg_port *p, uint16_t queue, struct xchg_pool *sender,
	     struct rte_mbuf **mbufs, unsigned int n)
{
	struct xchg_port_payer one;

	if (unlikely(p == NULL || queue >= p->nb_txq || mbufs == NULL)) {
		rte_errno = EINVAL;
		return 0;
	}
	n = RTE_MIN(n, (unsigned int)UINT16_MAX); /* rte_eth_tx_burst's limit */
	if (n == 0)
		return 0;
	one.pool = sender;
	one.n = (uint16_t)n;
	return port_tx(p, queue, &one, 1, mbufs, n);
}

unsigned int
xchg_port_tx_payers(struct xchg_port *p, uint16_t queue,
		    const struct xchg_port_payer *payers,
		    unsigned int nb_payers, struct rte_mbuf **mbufs)
{
	unsigned int i, n = 0;

	if (unlikely(p == NULL || queue >= p->nb_txq || mbufs == NULL ||
		     payers == NULL || nb_payers == 0)) {
		rte_errno = EINVAL;
		return 0;
	}
	for (i = 0; i < nb_payers; i++)
		n += payers[i].n;
	if (unlikely(n > UINT16_MAX)) { /* rte_eth_tx_burst's limit */
		rte_errno = EINVAL;
		return 0;
	}
	return n != 0 ? port_tx(p, queue, payers, nb_payers, mbufs, n) : 0;
}
