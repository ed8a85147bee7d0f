/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Side (p) of the stack-path comparison: what a DPDK programmer writes
 * without xchg for the same job as lib/stack. One plain packed mempool
 * shared by everything, the same parse and the same checks (Ethernet and
 * VLAN, ARP, IPv4 with its header checksum, UDP lengths, ICMP checksum),
 * a 65,536-entry table from UDP port to socket, an rte_ring per socket
 * (multi-producer/consumer and as large as the socket's quota, like an
 * xchg consumer's ring), ARP and ICMP echo answered in place and sent in
 * one burst. A full ring drops the frame, counted, as a refused exchange
 * does on the other side. Counters are per queue and plain.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "sbench.h"

#define PLAIN_NEIGH 16

struct plain_rxq {
	uint64_t frames, delivered, refused, unclaimed, malformed;
} __rte_cache_aligned;

struct plain_neigh {
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint64_t updated;
};

struct sb_plain {
	uint16_t port;
	uint16_t nb_queues;
	rte_be32_t ip, bcast;
	uint16_t *udp_by_port;          /* socket index + 1, 0: none */
	struct rte_ring **socks;        /* [nb_socks] is the hog's */
	unsigned int nb_socks;
	struct rte_ring *arp, *icmp;
	struct plain_neigh neigh[PLAIN_NEIGH];
	unsigned int nb_neigh;
	uint64_t answered;
	struct plain_rxq rxq[SB_MAX_QUEUES];
};

static struct rte_ring *
ring_new(unsigned int id, const char *what, unsigned int i, unsigned int size,
	 unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "sbp%u_%s%u", id, what, i);
	return rte_ring_create(name, size, (int)rte_socket_id(),
			       RING_F_EXACT_SZ | flags);
}

void
sb_plain_free(struct sb_plain *p)
{
	struct rte_mbuf *m[SB_BURST];
	struct rte_ring *r;
	unsigned int i, n;

	if (p == NULL)
		return;
	for (i = 0; i <= p->nb_socks + 2; i++) {
		r = i < p->nb_socks + 1 ? (p->socks != NULL ? p->socks[i] : NULL) :
		    i == p->nb_socks + 1 ? p->arp : p->icmp;
		if (r == NULL)
			continue;
		while ((n = rte_ring_dequeue_burst(r, (void **)m, SB_BURST,
						   NULL)) != 0)
			rte_pktmbuf_free_bulk(m, n);
		rte_ring_free(r);
	}
	rte_free(p->socks);
	rte_free(p->udp_by_port);
	rte_free(p);
}

struct sb_plain *
sb_plain_create(unsigned int id, uint16_t port,
		uint16_t nb_queues, unsigned int sockets, unsigned int quota,
		bool hog, bool single_reader)
{
	struct sb_plain *p = rte_zmalloc("sb_plain", sizeof(*p),
					 RTE_CACHE_LINE_SIZE);
	/* The socket rings in the modes (x)'s are in: single-producer with
	 * one RX queue (xchg_stack_fast_producer()), single-consumer when
	 * one lcore reads each socket (--readers one). */
	unsigned int sflags = (nb_queues == 1 ? RING_F_SP_ENQ : 0) |
			      (single_reader ? RING_F_SC_DEQ : 0);
	unsigned int i;

	if (p == NULL)
		return NULL;
	p->port = port;
	p->nb_queues = nb_queues;
	p->ip = rte_cpu_to_be_32(SB_IP_US);
	p->bcast = rte_cpu_to_be_32(SB_IP_US | 0xff);
	p->nb_socks = sockets;
	p->udp_by_port = rte_zmalloc("sb_plain_ports",
				     sizeof(*p->udp_by_port) * 65536,
				     RTE_CACHE_LINE_SIZE);
	p->socks = rte_zmalloc("sb_plain_socks",
			       sizeof(*p->socks) * (sockets + 1), 0);
	p->arp = ring_new(id, "arp", 0, 16, 0);
	p->icmp = ring_new(id, "icmp", 0, 8, 0);
	if (p->udp_by_port == NULL || p->socks == NULL || p->arp == NULL ||
	    p->icmp == NULL)
		goto fail;
	for (i = 0; i < sockets; i++) {
		p->socks[i] = ring_new(id, "s", i, quota, sflags);
		if (p->socks[i] == NULL)
			goto fail;
		p->udp_by_port[SB_UDP_BASE + i] = (uint16_t)(i + 1);
	}
	if (hog) {
		p->socks[sockets] = ring_new(id, "hog", 0, quota, sflags);
		if (p->socks[sockets] == NULL)
			goto fail;
		p->udp_by_port[SB_HOG_PORT] = (uint16_t)(sockets + 1);
	}
	return p;
fail:
	sb_plain_free(p);
	return NULL;
}

struct rte_ring *
sb_plain_socket(struct sb_plain *p, unsigned int i)
{
	return i <= p->nb_socks ? p->socks[i] : NULL;
}

static inline uint16_t
be16(const uint8_t *d)
{
	return (uint16_t)(d[0] << 8 | d[1]);
}

static struct rte_ring *
udp_consumer(struct sb_plain *p, struct plain_rxq *q, struct rte_mbuf *m,
	     const uint8_t *l4, uint32_t left, uint16_t hdrs)
{
	uint16_t udp_len, idx;

	if (left < sizeof(struct rte_udp_hdr))
		goto malformed;
	udp_len = be16(l4 + 4);
	if (udp_len < sizeof(struct rte_udp_hdr) || udp_len > left)
		goto malformed;
	idx = p->udp_by_port[be16(l4 + 2)];
	if (idx == 0) {
		q->unclaimed++;
		return NULL;
	}
	/* The application sees the payload, as on the other side. */
	rte_pktmbuf_adj(m, hdrs + sizeof(struct rte_udp_hdr));
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) -
			 (udp_len - sizeof(struct rte_udp_hdr)));
	return p->socks[idx - 1];
malformed:
	q->malformed++;
	return NULL;
}

static struct rte_ring *
ipv4_consumer(struct sb_plain *p, struct plain_rxq *q, struct rte_mbuf *m,
	      const uint8_t *ip, uint32_t len, uint16_t l2)
{
	uint16_t ihl, total;
	rte_be32_t src, dst;

	if (len < sizeof(struct rte_ipv4_hdr) || (ip[0] >> 4) != 4)
		goto malformed;
	ihl = (uint16_t)((ip[0] & 0x0f) * 4);
	total = be16(ip + 2);
	if (ihl < sizeof(struct rte_ipv4_hdr) || ihl > len || total < ihl ||
	    total > len || rte_raw_cksum(ip, ihl) != 0xffff || ip[8] == 0)
		goto malformed;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	if (ip[12] >= 224 || src == p->bcast || src == RTE_BE32(0xffffffff))
		goto malformed;
	if (dst != p->ip && dst != p->bcast && dst != RTE_BE32(0xffffffff))
		goto unclaimed;
	if ((be16(ip + 6) & (RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)))
		goto unclaimed; /* no reassembly here: none in the traffic */
	if (ip[9] == IPPROTO_UDP)
		return udp_consumer(p, q, m, ip + ihl, total - ihl, l2 + ihl);
	if (ip[9] == IPPROTO_ICMP) {
		if (total - ihl < (int)sizeof(struct rte_icmp_hdr) ||
		    rte_raw_cksum(ip + ihl, total - ihl) != 0xffff)
			goto malformed;
		if (ip[ihl] == XCHG_ICMP_ECHO_REQUEST && dst == p->ip)
			return p->icmp;
	}
unclaimed:
	q->unclaimed++;
	return NULL;
malformed:
	q->malformed++;
	return NULL;
}

/* The consumer a frame is for, or NULL with the reason counted. */
static struct rte_ring *
demux(struct sb_plain *p, struct plain_rxq *q, struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t off = 12, type, vlans = 0;
	rte_be32_t spa, tpa;

	if (len < RTE_ETHER_HDR_LEN)
		goto malformed;
	type = be16(d + off);
	while (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		if (++vlans > 2 || len < off + 2u + 4u)
			goto malformed;
		off += 4;
		type = be16(d + off);
	}
	off += 2;
	if (type == RTE_ETHER_TYPE_IPV4)
		return ipv4_consumer(p, q, m, d + off, len - off, off);
	if (type == RTE_ETHER_TYPE_ARP) {
		const uint8_t *a = d + off;

		if (len - off < sizeof(struct rte_arp_hdr) ||
		    be16(a) != RTE_ARP_HRD_ETHER ||
		    be16(a + 2) != RTE_ETHER_TYPE_IPV4 ||
		    a[4] != RTE_ETHER_ADDR_LEN || a[5] != 4)
			goto malformed;
		memcpy(&spa, a + 14, 4);
		memcpy(&tpa, a + 24, 4);
		if (tpa == p->ip || spa == tpa)
			return p->arp;
	}
	q->unclaimed++;
	return NULL;
malformed:
	q->malformed++;
	return NULL;
}

struct group {
	struct rte_ring *ring;
	uint16_t n;
	struct rte_mbuf *m[SB_BURST];
};

unsigned int
sb_plain_rx(struct sb_plain *p, uint16_t queue)
{
	struct rte_mbuf *pkts[SB_BURST];
	struct group g[SB_BURST];
	struct plain_rxq *q = &p->rxq[queue];
	unsigned int i, j, ng = 0, done;
	uint16_t n;

	n = rte_eth_rx_burst(p->port, queue, pkts, SB_BURST);
	if (n == 0)
		return 0;
	q->frames += n;
	for (i = 0; i < n; i++) {
		struct rte_ring *r = demux(p, q, pkts[i]);

		if (r == NULL) {
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		for (j = 0; j < ng && g[j].ring != r; j++)
			;
		if (j == ng) {
			g[j].ring = r;
			g[j].n = 0;
			ng++;
		}
		g[j].m[g[j].n++] = pkts[i];
	}
	for (j = 0; j < ng; j++) {
		done = rte_ring_enqueue_burst(g[j].ring, (void **)g[j].m,
					      g[j].n, NULL);
		q->delivered += done;
		if (done < g[j].n) {
			q->refused += g[j].n - done;
			rte_pktmbuf_free_bulk(&g[j].m[done], g[j].n - done);
		}
	}
	return n;
}

static void
learn(struct sb_plain *p, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 0; i < p->nb_neigh && p->neigh[i].ip != ip; i++)
		;
	if (i == p->nb_neigh) {
		if (i == PLAIN_NEIGH)
			return;
		p->nb_neigh++;
		p->neigh[i].ip = ip;
	}
	p->neigh[i].mac = *mac;
	p->neigh[i].updated = rte_get_timer_cycles();
}

static void
arp_reply(struct sb_plain *p, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_arp_ipv4 *a = &arp->arp_data;

	learn(p, a->arp_sip, &a->arp_sha);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_tha = a->arp_sha;
	a->arp_tip = a->arp_sip;
	a->arp_sha = sb_mac_us;
	a->arp_sip = p->ip;
	eth->dst_addr = a->arp_tha;
	eth->src_addr = sb_mac_us;
}

static void
icmp_reply(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)((uint8_t *)ip +
						     rte_ipv4_hdr_len(ip));
	rte_be32_t addr = ip->src_addr;
	uint32_t sum;

	eth->dst_addr = eth->src_addr;
	eth->src_addr = sb_mac_us;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = XCHG_ICMP_ECHO_REPLY;
	sum = (uint16_t)~rte_be_to_cpu_16(icmp->icmp_cksum) +
	      (uint16_t)~(XCHG_ICMP_ECHO_REQUEST << 8) +
	      (XCHG_ICMP_ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN -
			 rte_be_to_cpu_16(ip->total_length));
}

void
sb_plain_service(struct sb_plain *p)
{
	struct rte_mbuf *m[SB_BURST];
	unsigned int i, n, k, sent;

	n = rte_ring_dequeue_burst(p->arp, (void **)m, SB_BURST, NULL);
	for (i = 0; i < n; i++)
		arp_reply(p, m[i]);
	k = rte_ring_dequeue_burst(p->icmp, (void **)&m[n], SB_BURST - n,
				   NULL);
	for (i = n; i < n + k; i++)
		icmp_reply(m[i]);
	n += k;
	if (n == 0)
		return;
	sent = rte_eth_tx_burst(p->port, 0, m, (uint16_t)n);
	p->answered += sent;
	if (sent < n)
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
}

void
sb_plain_books(const struct sb_plain *p, struct sb_books *b)
{
	unsigned int q;

	memset(b, 0, sizeof(*b));
	for (q = 0; q < p->nb_queues; q++) {
		b->received += p->rxq[q].frames;
		b->accepted += p->rxq[q].delivered;
		b->refused += p->rxq[q].refused;
		b->unclaimed += p->rxq[q].unclaimed;
		b->malformed += p->rxq[q].malformed;
	}
	b->answered = p->answered;
	b->demuxed = b->received;  /* one counter per queue does both */
	b->paid = b->accepted;
}

void
sb_plain_reset(struct sb_plain *p)
{
	memset(p->rxq, 0, sizeof(p->rxq));
	p->answered = 0;
}
