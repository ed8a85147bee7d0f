/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Frame parsing on plain memory. Every read is checked against the
 * length first, so the same code can run on a heap copy of exactly the
 * frame's length under AddressSanitizer (which does not watch DPDK
 * memory) and on an mbuf's first segment on the data path.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "xchg_stack_private.h"

/* One unaligned 16-bit load and a byte swap, not two byte loads. */
static inline uint16_t
read_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

/* One's complement sum, big-endian words, over plain memory. */
static uint32_t
sum16(const uint8_t *p, unsigned int len, uint32_t sum)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += read_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static enum xchg_stack_drop
parse_l2(const uint8_t *data, uint32_t len, struct xchg_pkt *pkt)
{
	uint32_t off = 2 * RTE_ETHER_ADDR_LEN;
	uint16_t type;

	if (len < RTE_ETHER_HDR_LEN)
		return XCHG_SD_RUNT;
	type = read_be16(data + off);
	while (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		if (pkt->nb_vlans == 2)
			return XCHG_SD_VLAN_TOO_MANY;
		/* TPID read; the tag's TCI and the next type follow. */
		if (len < off + 2 + 4)
			return XCHG_SD_VLAN_TRUNCATED;
		pkt->nb_vlans++;
		off += 4;
		type = read_be16(data + off);
	}
	pkt->ether_type = type;
	pkt->l2_len = (uint16_t)(off + 2);
	return XCHG_SD_MAX;
}

static enum xchg_stack_drop
parse_arp(const uint8_t *p, uint32_t len)
{
	if (len < sizeof(struct rte_arp_hdr) ||
	    read_be16(p) != RTE_ARP_HRD_ETHER ||
	    read_be16(p + 2) != RTE_ETHER_TYPE_IPV4 ||
	    p[4] != RTE_ETHER_ADDR_LEN || p[5] != 4)
		return XCHG_SD_ARP_MALFORMED;
	return XCHG_SD_MAX;
}

/* @len bytes at @p can be read; the datagram has @wire bytes, more when
 * it spans several segments. */
static enum xchg_stack_drop
parse_udp(const uint8_t *p, uint32_t len, uint32_t wire,
	  const uint8_t *ip_hdr, bool verify, struct xchg_pkt *pkt)
{
	uint16_t udp_len;
	uint32_t sum;

	if (len < sizeof(struct rte_udp_hdr))
		return XCHG_SD_L4_TRUNCATED;
	udp_len = read_be16(p + 4);
	if (udp_len < sizeof(struct rte_udp_hdr) || udp_len > wire)
		return XCHG_SD_UDP_LENGTH;
	pkt->udp_len = udp_len;
	/* Only a contiguous datagram is summed here. */
	if (verify && read_be16(p + 6) != 0 && udp_len <= len) {
		/* Pseudo header: addresses, protocol, UDP length. */
		sum = sum16(ip_hdr + 12, 8, IPPROTO_UDP + udp_len);
		if (fold(sum16(p, udp_len, sum)) != 0xffff)
			return XCHG_SD_UDP_CHECKSUM;
	}
	pkt->sport = read_be16(p);
	pkt->dport = read_be16(p + 2);
	pkt->l4_len = sizeof(struct rte_udp_hdr);
	return XCHG_SD_MAX;
}

static enum xchg_stack_drop
parse_icmp(const uint8_t *p, uint32_t len, uint32_t wire,
	   struct xchg_pkt *pkt)
{
	if (len < sizeof(struct rte_icmp_hdr))
		return XCHG_SD_L4_TRUNCATED;
	/* A message spread over segments is not answered: the reply is
	 * built in place, in one segment. */
	if (wire > len)
		return XCHG_SD_ICMP_UNHANDLED;
	if (fold(sum16(p, len, 0)) != 0xffff)
		return XCHG_SD_ICMP_CHECKSUM;
	pkt->icmp_type = p[0];
	pkt->l4_len = sizeof(struct rte_icmp_hdr);
	return XCHG_SD_MAX;
}

static enum xchg_stack_drop
parse_ipv4(const uint8_t *p, uint32_t len, uint32_t wire, bool verify_udp,
	   struct xchg_pkt *pkt)
{
	uint16_t ihl, total, frag;

	if (len < sizeof(struct rte_ipv4_hdr))
		return XCHG_SD_IPV4_TRUNCATED;
	if ((p[0] >> 4) != 4)
		return XCHG_SD_IPV4_VERSION;
	ihl = (uint16_t)((p[0] & 0x0f) * 4);
	if (ihl < sizeof(struct rte_ipv4_hdr) || ihl > len)
		return XCHG_SD_IPV4_IHL;
	total = read_be16(p + 2);
	if (total < ihl || total > wire)
		return XCHG_SD_IPV4_LENGTH;
	/* Over the header, options included; any alignment. */
	if (!xchg_stack_ipv4_sum_ok(p, ihl))
		return XCHG_SD_IPV4_CHECKSUM;
	if (p[8] == 0)
		return XCHG_SD_IPV4_TTL;
	pkt->l3_len = ihl;
	pkt->ip_total = total;
	pkt->proto = p[9];
	memcpy(&pkt->ip_id, p + 4, 2);
	memcpy(&pkt->src, p + 12, 4);
	memcpy(&pkt->dst, p + 16, 4);
	frag = read_be16(p + 6);
	pkt->frag_offset = (uint16_t)((frag & RTE_IPV4_HDR_OFFSET_MASK) * 8);
	pkt->more_frags = (frag & RTE_IPV4_HDR_MF_FLAG) != 0;
	if (pkt->frag_offset != 0 || pkt->more_frags) {
		/* Only a first fragment has the UDP ports. */
		if (pkt->frag_offset == 0 && pkt->proto == IPPROTO_UDP &&
		    (size_t)(RTE_MIN(total, len) - ihl) >=
		    sizeof(struct rte_udp_hdr)) {
			pkt->sport = read_be16(p + ihl);
			pkt->dport = read_be16(p + ihl + 2);
			pkt->l4_len = sizeof(struct rte_udp_hdr);
		}
		return XCHG_SD_MAX;
	}
	if (pkt->proto == IPPROTO_UDP)
		return parse_udp(p + ihl, RTE_MIN(total, len) - ihl, total - ihl,
				 p, verify_udp, pkt);
	if (pkt->proto == IPPROTO_ICMP)
		return parse_icmp(p + ihl, RTE_MIN(total, len) - ihl,
				  total - ihl, pkt);
	return XCHG_SD_MAX;
}

enum xchg_stack_drop
xchg_stack_parse_wire(const uint8_t *data, uint32_t len, uint32_t wire,
		      bool verify_udp, struct xchg_pkt *pkt)
{
	enum xchg_stack_drop r;

	memset(pkt, 0, sizeof(*pkt));
	r = parse_l2(data, len, pkt);
	if (r != XCHG_SD_MAX)
		return r;
	data += pkt->l2_len;
	len -= pkt->l2_len;
	wire -= pkt->l2_len;
	switch (pkt->ether_type) {
	case RTE_ETHER_TYPE_ARP:
		return parse_arp(data, len);
	case RTE_ETHER_TYPE_IPV4:
		return parse_ipv4(data, len, wire, verify_udp, pkt);
	case RTE_ETHER_TYPE_IPV6:
		r = xchg_stack_parse_ipv6(data, len, wire, pkt);
		if (r == XCHG_SD_MAX && pkt->proto == IPPROTO_UDP)
			r = xchg_stack_parse_udp6(data, len, wire, verify_udp,
						  pkt);
		return r;
	default:
		return XCHG_SD_MAX; /* the demux decides: socket, proxy, drop */
	}
}

enum xchg_stack_drop
xchg_stack_parse(const uint8_t *data, uint32_t len, bool verify_udp,
		 struct xchg_pkt *pkt)
{
	return xchg_stack_parse_wire(data, len, len, verify_udp, pkt);
}

uint16_t
xchg_stack_l2_len(const uint8_t *frame)
{
	uint16_t off = 2 * RTE_ETHER_ADDR_LEN;

	/* Called on frames the parser accepted: at most two tags. */
	while (read_be16(frame + off) == RTE_ETHER_TYPE_VLAN ||
	       read_be16(frame + off) == RTE_ETHER_TYPE_QINQ)
		off += 4;
	return off + 2;
}
