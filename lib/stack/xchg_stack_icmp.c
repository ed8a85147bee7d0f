/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * ICMP echo service. The reply is built in the request's buffer, which
 * the ICMP pool paid for when the request arrived: a ping flood beyond
 * that pool is refused at the exchange and costs nobody else a buffer.
 */

#include <string.h>

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "xchg_stack_compat.h"
#include "xchg_stack_private.h"

/* Turn the echo request @m into its reply, in place. */
static void
reply(struct xchg_stack *s, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_ether_addr peer;
	uint16_t l2_len, ihl, icmp_len, ttl_old, ttl_new;
	uint32_t sum;
	rte_be32_t addr;

	/* In place, VLAN tags kept: the reply goes back on the VLAN the
	 * request came from. */
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	l2_len = xchg_stack_l2_len((uint8_t *)eth);
	ip = (struct rte_ipv4_hdr *)((uint8_t *)eth + l2_len);
	ihl = rte_ipv4_hdr_len(ip);
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	icmp_len = rte_be_to_cpu_16(ip->total_length) - ihl;

	peer = eth->src_addr;
	eth->dst_addr = peer;
	eth->src_addr = s->mac;
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	/* The header checksum is updated, not summed again (RFC 1624,
	 * eqn. 3): swapping the addresses leaves the sum as it is, only
	 * the TTL's 16-bit word changes. This equals rte_ipv4_cksum()'s
	 * full sum because the old checksum is correct: the demux is the
	 * ICMP consumer's only producer (the consumer is not in the public
	 * API, and the fast path hands no ICMP frame over), and it
	 * delivers only headers whose checksum parse_ipv4() checked.
	 * Both give the sum in 1..0xffff (the header is never all
	 * zeros, the new TTL word never 0), so even the 0x0000/0xffff
	 * pair agrees; icmp_reply_checksum in tests/stack/test_stack_icmp.c
	 * compares them. */
	memcpy(&ttl_old, &ip->time_to_live, sizeof(ttl_old));
	ip->time_to_live = 64;
	memcpy(&ttl_new, &ip->time_to_live, sizeof(ttl_new));
	ip->hdr_checksum = xchg_stack_cksum_adjust(ip->hdr_checksum, ttl_old,
						   ttl_new);
	/* Type 8 to type 0: adjust the checksum (RFC 1624) instead of
	 * summing the whole payload again. */
	icmp->icmp_type = XCHG_ICMP_ECHO_REPLY;
	sum = (uint16_t)~rte_be_to_cpu_16(icmp->icmp_cksum) +
	      (uint16_t)~(XCHG_ICMP_ECHO_REQUEST << 8) +
	      (XCHG_ICMP_ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	/* Frames come back trimmed to the datagram: no padding echoed. */
	xchg_stack_trim(m, (uint32_t)l2_len + ihl + icmp_len);
}

void
xchg_icmp_service(struct xchg_stack *s, struct xchg_stack_replies *r)
{
	struct rte_mbuf **m;
	unsigned int i, n;

	/* Replies go with the other services' (@r): one exchange into the
	 * TX queue's reservation and one rte_eth_tx_burst() per poll for
	 * all of them. A short burst took all the ring held at that
	 * moment: no second read to find it empty; what arrives meanwhile
	 * is answered at the next poll, as it would be had it come a
	 * moment after that read. */
	do {
		m = xchg_stack_replies_room(s, r);
		n = xchg_consumer_recv_burst(s->icmp, m, XCHG_STACK_BURST);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			reply(s, m[i]);
		xchg_stack_replies_add(s, r, xchg_consumer_pool(s->icmp),
				       offsetof(struct xchg_stack_counters,
						icmp_answered), n);
	} while (n == XCHG_STACK_BURST);
}
