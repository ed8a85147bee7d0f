/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Synthetic traffic with real headers, for the stack-path benchmarks.
 *
 * net_null hands out zero-filled frames. Rather than a second PMD for
 * each side (net_ring needs its mbufs from somewhere, net_pcap copies
 * whole frames from its own pool), an ethdev RX callback on each queue
 * writes one of six prebuilt 60-byte frames into every mbuf right after
 * net_null allocated it, as a NIC's DMA would, and patches the UDP port
 * or the ARP sender. The plain side and the xchg side run the very same
 * callback on the very same sequence, so their traffic is identical
 * frame for frame and the callback's cost (a 64-byte copy) is the same
 * on both; "--mode stack" prints that cost on its own too.
 */

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_udp.h>

#include "sbench.h"

#define FRAME_LEN 60 /* shortest Ethernet frame, FCS aside */

const uint8_t sb_mix[SB_BURST] = {
	SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_ARP,
	SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_ICMP,
	SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UNBOUND,
	SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_UDP, SB_ARP, SB_ICMP,
	SB_ETHERTYPE,
};

struct rte_ether_addr sb_mac_us = {{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }};
static const struct rte_ether_addr mac_peer = {{ 0x02, 0, 0, 0, 0, 0x02 }};

static uint8_t tmpl[SB_KINDS][64] __rte_cache_aligned;
static int ts_off = -1;
static bool ready;

static void
build_eth(uint8_t *f, uint16_t type, bool bcast)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;

	if (bcast)
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	else
		eth->dst_addr = sb_mac_us;
	eth->src_addr = mac_peer;
	eth->ether_type = rte_cpu_to_be_16(type);
}

/* IPv4 to us from the peer, @l4 bytes of protocol @proto after it. */
static struct rte_ipv4_hdr *
build_ipv4(uint8_t *f, uint8_t proto, uint16_t l4)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);

	build_eth(f, RTE_ETHER_TYPE_IPV4, false);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4);
	ip->packet_id = rte_cpu_to_be_16(1);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(SB_IP_PEER);
	ip->dst_addr = rte_cpu_to_be_32(SB_IP_US);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return ip;
}

static void
build_udp(uint8_t *f, uint16_t dport)
{
	uint16_t l4 = FRAME_LEN - RTE_ETHER_HDR_LEN - sizeof(struct rte_ipv4_hdr);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(build_ipv4(f,
							IPPROTO_UDP, l4) + 1);

	udp->src_port = rte_cpu_to_be_16(1234);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(l4);
	udp->dgram_cksum = 0; /* none sent: the NIC would have checked */
	memset(udp + 1, 0xab, l4 - sizeof(*udp));
}

static void
build_icmp(uint8_t *f)
{
	uint16_t l4 = FRAME_LEN - RTE_ETHER_HDR_LEN - sizeof(struct rte_ipv4_hdr);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(build_ipv4(f,
							IPPROTO_ICMP, l4) + 1);

	icmp->icmp_type = XCHG_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = rte_cpu_to_be_16(7);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(1);
	memset(icmp + 1, 0xcd, l4 - sizeof(*icmp));
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, l4);
}

static void
build_arp(uint8_t *f)
{
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(f + RTE_ETHER_HDR_LEN);

	build_eth(f, RTE_ETHER_TYPE_ARP, true);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = mac_peer;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(SB_IP_PEER);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(SB_IP_US);
}

int
sb_traffic_init(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "xchg_bench_rx_tsc",
		.size = sizeof(uint64_t),
		.align = __alignof__(uint64_t),
	};

	if (ready)
		return 0;
	build_udp(tmpl[SB_UDP], SB_UDP_BASE);
	build_arp(tmpl[SB_ARP]);
	build_icmp(tmpl[SB_ICMP]);
	build_udp(tmpl[SB_UNBOUND], SB_UDP_UNBOUND);
	build_eth(tmpl[SB_ETHERTYPE], 0x88b5, false); /* IEEE local exp. */
	ts_off = rte_mbuf_dynfield_register(&desc);
	if (ts_off < 0)
		return -rte_errno;
	ready = true;
	return 0;
}

uint64_t
sb_stamp(const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, ts_off, const uint64_t *);
}

static uint16_t
gen_cb(uint16_t port __rte_unused, uint16_t queue __rte_unused,
       struct rte_mbuf **pkts, uint16_t n, uint16_t max __rte_unused,
       void *arg)
{
	struct sb_gen *g = arg;
	uint64_t seq = g->seq, now = g->stamp ? rte_rdtsc() : 0;
	uint16_t i;

	for (i = 0; i < n; i++, seq++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
		unsigned int k = sb_mix[seq % SB_BURST];
		uint16_t dport;

		memcpy(d, tmpl[k], sizeof(tmpl[k]));
		m->data_len = FRAME_LEN;
		m->pkt_len = FRAME_LEN;
		if (k == SB_UDP) {
			if (g->hog_every != 0 && --g->hog_left == 0) {
				g->hog_left = g->hog_every;
				dport = SB_HOG_PORT;
			} else {
				dport = (uint16_t)(SB_UDP_BASE + g->next);
				if (++g->next == g->base + g->count)
					g->next = g->base;
			}
			d[36] = (uint8_t)(dport >> 8);
			d[37] = (uint8_t)dport;
		} else if (k == SB_ARP) {
			/* Several neighbours, each learned again. */
			uint8_t who = (uint8_t)(seq / SB_BURST % SB_NEIGHBOURS);

			d[6 + 5] += who;  /* Ethernet source */
			d[22 + 5] += who; /* sender hardware address */
			d[31] += who;     /* sender IP */
		}
		if (g->stamp)
			*RTE_MBUF_DYNFIELD(m, ts_off, uint64_t *) = now;
	}
	g->seq = seq;
	return n;
}

int
sb_gen_attach(uint16_t port, uint16_t queue, struct sb_gen *g)
{
	if (rte_eth_add_rx_callback(port, queue, gen_cb, g) == NULL)
		return -rte_errno;
	return 0;
}

uint64_t
sb_kind_count(uint64_t n, enum sb_kind kind)
{
	uint64_t c = 0;
	unsigned int i;

	for (i = 0; i < SB_BURST; i++)
		if (sb_mix[i] == kind)
			c += n / SB_BURST + (i < n % SB_BURST);
	return c;
}
