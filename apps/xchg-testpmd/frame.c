/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The frames of start tx_first, txonly and flowgen, testpmd's shape, and
 * csum mode's work on a received frame.
 */

#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "testpmd.h"

#define TP_IP_SRC UINT32_C(0xc6120001) /* 198.18.0.1 (RFC 2544's range) */
#define TP_IP_DST UINT32_C(0xc6120002) /* 198.18.0.2 */

/* One frame of --txpkts segments from @pool: to the port's --eth-peer,
 * from the port's address; IPv4 from 198.18.0.1 (plus @flow, flowgen's
 * source) to 198.18.0.2, UDP 9 -> 9 (discard). 0 or -ENOBUFS. */
int
tp_frame_udp(struct xchg_pool *pool, struct rte_mbuf **out, uint16_t port_id,
	     uint32_t flow)
{
	struct rte_mbuf *seg[TP_MAX_SEGS];
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	unsigned int i, len = 0;

	if (xchg_alloc_bulk(pool, seg, tp.nb_txpkts) != 0)
		return -ENOBUFS;
	for (i = 0; i < tp.nb_txpkts; i++) {
		char *d = rte_pktmbuf_append(seg[i], tp.txpkts[i]);

		memset(d, 0, tp.txpkts[i]);
		len += tp.txpkts[i];
		if (i > 0)
			rte_pktmbuf_chain(seg[0], seg[i]);
	}
	/* The headers are in the first segment (--txpkts checks it). */
	eth = rte_pktmbuf_mtod(seg[0], struct rte_ether_hdr *);
	eth->dst_addr = tp.peer_addr[port_id];
	rte_eth_macaddr_get(port_id, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(TP_IP_SRC + flow);
	ip->dst_addr = rte_cpu_to_be_32(TP_IP_DST);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth) -
						     sizeof(*ip)));
	*out = seg[0];
	return 0;
}

/* csum: the IPv4 header checksum and the UDP or TCP checksum computed
 * again in software (testpmd's csum engine without offloads), and the
 * addresses set as testpmd's: to the TX port's --eth-peer, from it. */
void
tp_csum_frame(struct rte_mbuf *m, uint16_t tx_port)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip;
	uint32_t l3 = sizeof(*eth), l4;

	eth->dst_addr = tp.peer_addr[tx_port];
	rte_eth_macaddr_get(tx_port, &eth->src_addr);
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    rte_pktmbuf_data_len(m) < l3 + sizeof(*ip))
		return; /* not IPv4: forwarded as it is */
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	l4 = l3 + rte_ipv4_hdr_len(ip);
	if (rte_ipv4_hdr_len(ip) < sizeof(*ip) ||
	    rte_pktmbuf_data_len(m) < l4 ||
	    rte_be_to_cpu_16(ip->total_length) + l3 > rte_pktmbuf_pkt_len(m))
		return; /* malformed: forwarded as it is */
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (m->nb_segs != 1 || (ip->fragment_offset &
				rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
						 RTE_IPV4_HDR_OFFSET_MASK)))
		return; /* the L4 sum needs the whole datagram, contiguous */
	if (ip->next_proto_id == IPPROTO_UDP &&
	    rte_pktmbuf_data_len(m) >= l4 + sizeof(struct rte_udp_hdr)) {
		struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(m,
			struct rte_udp_hdr *, l4);

		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	} else if (ip->next_proto_id == IPPROTO_TCP &&
		   rte_pktmbuf_data_len(m) >= l4 + sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *tcp = rte_pktmbuf_mtod_offset(m,
			struct rte_tcp_hdr *, l4);

		tcp->cksum = 0;
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	}
}

/* txonly, flowgen: one burst on the stream's TX port and this lcore's TX
 * queue, paid from that queue's own reservation: no consumer lends it. */
void
tp_gen_stream(struct tp_lcore *lc, const struct tp_stream *s)
{
	uint16_t to = tp.ports[s->port].peer;
	struct tp_port *p = &tp.ports[to];
	struct xchg_pool *pool = xchg_port_tx_pool(p->port,
						   (uint16_t)lc->index);
	struct rte_mbuf *m[TP_MAX_BURST];
	unsigned int n, sent;

	for (n = 0; n < tp.burst; n++) {
		uint32_t flow = 0;

		if (tp.mode == TP_FLOWGEN) {
			flow = lc->next_flow;
			lc->next_flow = (lc->next_flow + 1) % TP_FLOWS;
		}
		if (tp_frame_udp(pool, &m[n], p->port_id, flow) != 0)
			break; /* the queue's reservation is in flight */
	}
	if (n == 0)
		return;
	sent = xchg_port_tx(p->port, (uint16_t)lc->index, NULL, m, n);
	lc->fs.tx[to] += sent;
	lc->fs.tx_dropped[to] += n - sent;
	rte_pktmbuf_free_bulk(&m[sent], n - sent);
}
