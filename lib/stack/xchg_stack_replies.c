/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The services' replies of one poll, in one TX call (issue 17). ARP, ND,
 * ICMP and ICMPv6 each build their replies in the requests' buffers,
 * which their own pools paid for; each used to send them with its own
 * xchg_port_tx(), one exchange into the TX queue's reservation and one
 * rte_eth_tx_burst() per service and poll. Here the replies of every
 * service are gathered, one run per service, and sent with one
 * xchg_port_tx_payers(): the exchange takes every run in one call (each
 * service is credited for its own, acquire_transfer() in
 * lib/xchg/xchg_exchange.c), and what the TX ring does not take goes
 * back to the service that paid for it, then is freed, so the books are
 * those of one call per service: the service's pool accepts the frame
 * back and returns it, the TX queue counts it as full, and the service's
 * answered counts only its frames sent.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "xchg_stack_private.h"

static void
count_answered(struct xchg_stack *s, size_t answered, uint64_t n)
{
	bool shared;
	struct xchg_stack_counters *c = xchg_stack_cnt(s, &shared);

	xchg_lcore_cnt_add((uint64_t *)((char *)c + answered), n, shared);
}

void
xchg_stack_replies_flush(struct xchg_stack *s, struct xchg_stack_replies *r)
{
	unsigned int i, sent, left;

	if (r->n == 0)
		return;
	sent = xchg_port_tx_payers(s->port, 0, r->payers, r->nb_payers, r->m);
	/* The frames sent are a prefix: each run's first ones. */
	for (i = 0, left = sent; i < r->nb_payers && left != 0; i++) {
		unsigned int k = RTE_MIN(left, (unsigned int)r->payers[i].n);

		count_answered(s, r->answered[i], k);
		left -= k;
	}
	/* Each is its own service's again: the free gives it its unit. */
	if (sent < r->n)
		rte_pktmbuf_free_bulk(&r->m[sent], r->n - sent);
	r->n = 0;
	r->nb_payers = 0;
}

void
xchg_stack_replies_full(struct xchg_stack *s, struct xchg_stack_replies *r,
			unsigned int k)
{
	unsigned int at = r->n;

	xchg_stack_replies_flush(s, r);
	memmove(r->m, &r->m[at], k * sizeof(r->m[0]));
}
