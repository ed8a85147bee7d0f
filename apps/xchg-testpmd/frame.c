/* SPDX-License-Identifier: BSD-3-Clause */

/* The frames start tx_first sends: testpmd's txonly shape. */

#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "testpmd.h"

#define TP_FRAME_LEN 60  /* 64 on the wire with the FCS */

/* Broadcast, from the port's address; IPv4 198.18.0.1 -> 198.18.0.2
 * (RFC 2544's benchmarking range), UDP 9 -> 9 (discard). */
void
tp_frame_udp(struct rte_mbuf *m, uint16_t port_id)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t l4 = TP_FRAME_LEN - sizeof(*eth) - sizeof(*ip);

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, TP_FRAME_LEN);
	if (eth == NULL)
		return;
	memset(eth, 0, TP_FRAME_LEN);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_eth_macaddr_get(port_id, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(TP_FRAME_LEN - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(UINT32_C(0xc6120001));
	ip->dst_addr = rte_cpu_to_be_32(UINT32_C(0xc6120002));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(l4);
}
