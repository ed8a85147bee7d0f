/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * ARP service: answers requests for our addresses, learns from requests
 * and replies addressed to us and from gratuitous announcements, and
 * sends the requests senders need. Replies reuse the request's buffer,
 * which the ARP pool paid for, so an ARP flood can exhaust only ARP's own
 * buffers. A request a socket's send needs is paid by that socket (sender
 * pays): a flood that drains the ARP pool cannot stop a socket resolving
 * its peer, and a socket sending to many unknown hosts pays for its own
 * requests.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "xchg_stack_private.h"

/* Turn the request into its reply, in place. */
static void
answer(struct xchg_stack *s, struct rte_ether_hdr *eth, struct rte_arp_hdr *arp)
{
	struct rte_arp_ipv4 *a = &arp->arp_data;
	rte_be32_t ip = a->arp_tip;

	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_tha = a->arp_sha;
	a->arp_tip = a->arp_sip;
	a->arp_sha = s->mac;
	a->arp_sip = ip;
	eth->dst_addr = a->arp_tha;
	eth->src_addr = s->mac;
}

/* Learn from @m; returns true when @m became a reply to send. */
static bool
handle(struct xchg_stack *s, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp;
	struct rte_arp_ipv4 *a;
	bool for_us;

	/* The reply is built in place and keeps the request's VLAN tags,
	 * so it goes back on the VLAN the request came from. */
	arp = (struct rte_arp_hdr *)((uint8_t *)eth +
				     xchg_stack_l2_len((uint8_t *)eth));
	a = &arp->arp_data;
	for_us = xchg_stack_is_local(s, a->arp_tip);
	/* RFC 826: update a known sender always, add it when it talks to us. */
	xchg_neigh_learn(s, a->arp_sip, &a->arp_sha, for_us);

	if (for_us && arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST)) {
		answer(s, eth, arp);
		return true;
	}
	/* The host behind the proxy resolves its own neighbours: let it
	 * see replies too. The proxy pays and ARP gets its unit back. */
	if (s->proxy != NULL && arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY) &&
	    xchg_consumer_deliver(s->proxy, &m, 1) == 1)
		return false;
	rte_pktmbuf_free(m);
	return false;
}

void
xchg_arp_service(struct xchg_stack *s, struct xchg_stack_replies *r)
{
	struct rte_mbuf **m;
	unsigned int i, k, n;

	/* Replies go with the other services' (@r), as in the ICMP
	 * service, which also says why a short burst ends the loop. */
	do {
		m = xchg_stack_replies_room(s, r);
		n = xchg_consumer_recv_burst(s->arp, m, XCHG_STACK_BURST);
		for (i = 0, k = 0; i < n; i++)
			if (handle(s, m[i]))
				m[k++] = m[i];
		xchg_stack_replies_add(s, r, xchg_consumer_pool(s->arp),
				       offsetof(struct xchg_stack_counters,
						arp_answered), k);
	} while (n == XCHG_STACK_BURST);
}

int
xchg_arp_request(struct xchg_stack *s, rte_be32_t target,
		 struct xchg_pool *payer)
{
	struct xchg_pool *pool = payer != NULL ? payer :
			     xchg_consumer_pool(s->arp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;
	rte_be32_t src, hop;

	if (xchg_stack_route(s, target, &src, &hop) != 0)
		return -EHOSTUNREACH;
	if (xchg_alloc_bulk(pool, &m, 1) != 0) {
		XCHG_STACK_COUNT(s, service_no_buffers, 1);
		return -ENOBUFS;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = s->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = s->mac;
	arp->arp_data.arp_sip = src;
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = target;
	if (xchg_port_tx(s->port, 0, pool, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}
