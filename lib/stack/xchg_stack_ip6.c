/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * IPv6 receive: the header and a bounded walk of the extension headers
 * (hop-by-hop, routing, fragment, destination options), on plain memory
 * with every read checked first, as the IPv4 parser; and the stack's
 * IPv6 addresses: the configured ones, the link-local one derived from
 * the port's MAC, and the multicast groups a host must hear (all-nodes,
 * and the solicited-node group of each address).
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "xchg_stack_private.h"

#define IP6_HDR_LEN 40
#define NH_HOP 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Walk the extension headers from @off (the first next-header is @nh);
 * @len bytes can be read, the datagram ends at @end. */
static enum xchg_stack_drop
walk_ext(const uint8_t *p, uint32_t len, uint32_t end, uint8_t nh,
	 struct xchg_pkt *pkt)
{
	uint32_t off = IP6_HDR_LEN, hlen;
	unsigned int n = 0;

	for (;;) {
		if (nh != NH_HOP && nh != NH_ROUTING && nh != NH_FRAGMENT &&
		    nh != NH_DSTOPTS)
			break;
		/* Hop-by-hop options come first or not at all (RFC 8200). */
		if (nh == NH_HOP && n != 0)
			return XCHG_SD_IPV6_EXT_MALFORMED;
		if (++n > XCHG_STACK_IP6_MAX_EXT)
			return XCHG_SD_IPV6_EXT_CHAIN;
		if (off + 8 > end)
			return XCHG_SD_IPV6_EXT_MALFORMED;
		/* A chain the first segment does not hold is too long to
		 * judge: dropped rather than read past what is there. */
		if (off + 8 > len)
			return XCHG_SD_IPV6_EXT_CHAIN;
		hlen = nh == NH_FRAGMENT ? 8 : ((uint32_t)p[off + 1] + 1) * 8;
		if (off + hlen > end)
			return XCHG_SD_IPV6_EXT_MALFORMED;
		if (off + hlen > len)
			return XCHG_SD_IPV6_EXT_CHAIN;
		if (nh == NH_FRAGMENT) {
			uint16_t fo = rd16(p + off + 2);

			pkt->frag_offset = fo & 0xfff8;
			pkt->more_frags = (fo & 1) != 0;
			memcpy(&pkt->frag_id6, p + off + 4, 4);
			pkt->frag6_end = (uint16_t)(off + hlen);
			/* A non-last fragment carries whole 8-byte units. */
			if (pkt->more_frags &&
			    ((end - off - hlen) & 7) != 0)
				return XCHG_SD_IPV6_EXT_MALFORMED;
			/* An atomic fragment (offset 0, no more) is the
			 * whole datagram. */
			if (pkt->frag_offset == 0 && !pkt->more_frags)
				pkt->frag_id6 = 0;
		}
		nh = p[off];
		off += hlen;
		/* What follows a later fragment's header is its data. */
		if (pkt->frag_offset != 0)
			break;
	}
	pkt->nb_ext = (uint8_t)n;
	pkt->proto = nh;
	pkt->l3_len = (uint16_t)off;
	return XCHG_SD_MAX;
}

enum xchg_stack_drop
xchg_stack_parse_ipv6(const uint8_t *p, uint32_t len, uint32_t wire,
		      struct xchg_pkt *pkt)
{
	uint32_t plen;

	if (len < IP6_HDR_LEN)
		return XCHG_SD_IPV6_TRUNCATED;
	if ((p[0] >> 4) != 6)
		return XCHG_SD_IPV6_VERSION;
	plen = rd16(p + 4);
	/* 0 is a jumbogram's (RFC 2675), which no Ethernet carries. */
	if (plen == 0 || IP6_HDR_LEN + plen > wire)
		return XCHG_SD_IPV6_LENGTH;
	memcpy(pkt->src6, p + 8, 16);
	memcpy(pkt->dst6, p + 24, 16);
	if (pkt->src6[0] == 0xff)
		return XCHG_SD_IPV6_SOURCE;
	pkt->ip_total = (uint16_t)(IP6_HDR_LEN + plen);
	return walk_ext(p, len, IP6_HDR_LEN + plen, p[6], pkt);
}

uint32_t
xchg_stack_phdr6_sum(const uint8_t src[16], const uint8_t dst[16],
		     uint32_t len, uint8_t proto)
{
	uint8_t ph[40] = { 0 };

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[39] = proto;
	return rte_raw_cksum(ph, sizeof(ph));
}

enum xchg_stack_drop
xchg_stack_parse_udp6(const uint8_t *p, uint32_t len, uint32_t wire,
		      bool verify, struct xchg_pkt *pkt)
{
	uint32_t off = pkt->l3_len, avail, sum;
	uint16_t udp_len;

	(void)wire; /* ip_total was checked against it */
	if (pkt->frag_offset != 0)
		return XCHG_SD_MAX; /* a later fragment: no UDP header */
	avail = RTE_MIN((uint32_t)pkt->ip_total, len);
	avail = avail > off ? avail - off : 0;
	if (pkt->more_frags) {
		/* Only a first fragment has the UDP ports. */
		if (avail >= 8) {
			pkt->sport = rd16(p + off);
			pkt->dport = rd16(p + off + 2);
			pkt->l4_len = 8;
		}
		return XCHG_SD_MAX;
	}
	if (avail < 8)
		return XCHG_SD_L4_TRUNCATED;
	udp_len = rd16(p + off + 4);
	if (udp_len < 8 || udp_len > pkt->ip_total - off)
		return XCHG_SD_UDP_LENGTH;
	pkt->udp_len = udp_len;
	/* Mandatory in IPv6 (RFC 8200 8.1): a zero one is refused. */
	if (rd16(p + off + 6) == 0)
		return XCHG_SD_UDP6_ZERO_CHECKSUM;
	/* Only a contiguous datagram is summed here (the demux sums a
	 * chained one). */
	if (verify && udp_len <= avail) {
		sum = xchg_stack_phdr6_sum(pkt->src6, pkt->dst6, udp_len,
					   IPPROTO_UDP) +
		      rte_raw_cksum(p + off, udp_len);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		if (sum != 0xffff)
			return XCHG_SD_UDP_CHECKSUM;
	}
	pkt->sport = rd16(p + off);
	pkt->dport = rd16(p + off + 2);
	pkt->l4_len = 8;
	return XCHG_SD_MAX;
}

/* ---- addresses ---- */

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

static bool
solicited_node_of(const uint8_t *group, const uint8_t *ip)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, [11] = 1, [12] = 0xff };

	return memcmp(group, prefix, sizeof(prefix)) == 0 &&
	       memcmp(group + 13, ip + 13, 3) == 0;
}

bool
xchg_stack_is_local6(const struct xchg_stack *s, const uint8_t *ip)
{
	unsigned int i;

	/* An address DAD found another node has is not ours. */
	for (i = 0; i < s->nb_addrs6; i++)
		if (memcmp(s->addrs6[i].ip, ip, 16) == 0)
			return __atomic_load_n(&s->addrs6[i].state,
					       __ATOMIC_RELAXED) !=
			       XCHG_ADDR6_DUPLICATE;
	return false;
}

bool
xchg_stack_hears6(const struct xchg_stack *s, const uint8_t *ip)
{
	unsigned int i;

	if (xchg_stack_is_local6(s, ip))
		return true;
	if (ip[0] != 0xff)
		return false;
	if (memcmp(ip, all_nodes, 16) == 0)
		return true;
	for (i = 0; i < s->nb_addrs6; i++)
		if (solicited_node_of(ip, s->addrs6[i].ip))
			return true;
	return false;
}

/* fe80::/64 with the interface identifier from the MAC (RFC 4291). */
static void
link_local(const struct rte_ether_addr *mac, uint8_t *ip)
{
	memset(ip, 0, 16);
	ip[0] = 0xfe;
	ip[1] = 0x80;
	ip[8] = mac->addr_bytes[0] ^ 0x02;
	ip[9] = mac->addr_bytes[1];
	ip[10] = mac->addr_bytes[2];
	ip[11] = 0xff;
	ip[12] = 0xfe;
	ip[13] = mac->addr_bytes[3];
	ip[14] = mac->addr_bytes[4];
	ip[15] = mac->addr_bytes[5];
}

static int
add6(struct xchg_stack *s, const uint8_t *ip, uint8_t prefix_len)
{
	if (xchg_stack_addr6_index(s, ip) >= 0)
		return -EEXIST;
	if (s->nb_addrs6 == XCHG_STACK_MAX_ADDRS6)
		return -ENOSPC;
	memset(&s->addrs6[s->nb_addrs6], 0, sizeof(s->addrs6[0]));
	memcpy(s->addrs6[s->nb_addrs6].ip, ip, 16);
	s->addrs6[s->nb_addrs6].prefix_len = prefix_len;
	/* Tentative: the ND service probes it (xchg_stack_nd.c). */
	s->addrs6[s->nb_addrs6].state = XCHG_ADDR6_TENTATIVE;
	/* Published last: the demux reads the count without the lock. */
	__atomic_store_n(&s->nb_addrs6, s->nb_addrs6 + 1, __ATOMIC_RELEASE);
	return 0;
}

int
xchg_stack_add_address6(struct xchg_stack *s, const uint8_t ip[16],
			uint8_t prefix_len)
{
	uint8_t ll[16];
	int ret = 0;

	if (s == NULL || ip == NULL || prefix_len == 0 || prefix_len > 128 ||
	    ip[0] == 0xff || memcmp(ip, (const uint8_t[16]){ 0 }, 16) == 0)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	/* The first address turns IPv6 on: the link-local one comes with
	 * it, so that neighbours on the link can reach us. */
	link_local(&s->mac, ll);
	/* The ND and ICMPv6 pools come with IPv6 (xchg_stack_nd.c). */
	ret = xchg_nd_enable(s);
	if (ret == 0 && s->nb_addrs6 == 0 && memcmp(ip, ll, 16) != 0)
		ret = add6(s, ll, 64);
	if (ret == 0)
		ret = add6(s, ip, prefix_len);
	pthread_mutex_unlock(&s->lock);
	return ret;
}
