/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * ICMPv6 echo service, as the ICMP one: the reply is built in the
 * request's buffer, which the ICMPv6 pool paid for, so a ping -6 flood
 * beyond that pool is refused at the exchange and costs nobody else a
 * buffer. Requests reach it checked (xchg_icmp6_check()) and addressed
 * to one of our unicast addresses (xchg_icmp6_consumer()).
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "xchg_stack_private.h"

#define IP6_HDR_LEN 40
#define ECHO_REQUEST 128
#define ECHO_REPLY 129

/* Turn the echo request @m into its reply, in place; false if it is
 * not one after all. */
static bool
reply(struct xchg_stack *s, struct rte_mbuf *m)
{
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t l2 = xchg_stack_l2_len(eth);
	uint8_t *ip6 = eth + l2, *icmp, addr[16];
	uint16_t plen = (uint16_t)(ip6[4] << 8 | ip6[5]);
	struct xchg_pkt pkt;
	uint32_t sum;

	/* The demux checked it; parsed again for the extension headers,
	 * which the reply keeps (the pseudo-header is the same, swapped). */
	if (xchg_stack_parse(eth, rte_pktmbuf_data_len(m), false, &pkt) !=
	    XCHG_SD_MAX)
		return false;
	icmp = eth + pkt.l2_len + pkt.l3_len;
	memcpy(eth, eth + 6, 6);
	memcpy(eth + 6, &s->mac, 6);
	memcpy(addr, ip6 + 8, 16);
	memcpy(ip6 + 8, ip6 + 24, 16);
	memcpy(ip6 + 24, addr, 16);
	ip6[7] = 64;
	/* Type 128 to 129: adjust the checksum (RFC 1624) instead of
	 * summing the whole payload again. */
	icmp[0] = ECHO_REPLY;
	sum = (uint16_t)~(icmp[2] << 8 | icmp[3]) +
	      (uint16_t)~(ECHO_REQUEST << 8) + (ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~sum;
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	/* Frames come back trimmed to the datagram: no padding echoed. */
	xchg_stack_trim(m, (uint32_t)l2 + IP6_HDR_LEN + plen);
	return true;
}

void
xchg_icmp6_service(struct xchg_stack *s, struct xchg_stack_replies *r)
{
	struct rte_mbuf **m;
	unsigned int i, k, n;

	/* Replies go with the other services' (@r), as in the ICMP
	 * service. */
	for (;;) {
		m = xchg_stack_replies_room(s, r);
		n = xchg_consumer_recv_burst(s->icmp6, m, XCHG_STACK_BURST);
		if (n == 0)
			break;
		for (i = 0, k = 0; i < n; i++)
			if (reply(s, m[i]))
				m[k++] = m[i];
			else
				rte_pktmbuf_free(m[i]);
		xchg_stack_replies_add(s, r, xchg_consumer_pool(s->icmp6),
				       offsetof(struct xchg_stack_counters,
						icmp6_answered), k);
	}
}
