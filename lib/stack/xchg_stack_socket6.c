/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * UDP over IPv6: binding to an IPv6 address, the families a socket
 * receives, connecting to an IPv6 peer, the sender of a datagram, and
 * sends. A socket is one per port, whatever the family: bound with any
 * address it receives both families unless narrowed
 * (xchg_udp_set_family()); bound or connected to an address of one
 * family it receives that family only. The demux reads what it receives
 * in one byte (struct xchg_socket::accept), recomputed under the stack
 * lock whenever the family, the binding or the peer changes.
 *
 * Sends build Ethernet, IPv6 and UDP headers in the payload's headroom,
 * with the UDP checksum always (IPv6 has no "no checksum"), and go out
 * with the socket as the sender, as IPv4 ones (xchg_stack_socket.c);
 * a next hop not resolved yet makes them wait in the socket's pending
 * queue (xchg_stack_pending.c).
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "xchg_stack_private.h"

#define IP6_HDR_LEN 40
#define UDP_HDR_LEN 8

static const uint8_t any6[16];

static bool
is_any6(const uint8_t *ip)
{
	return memcmp(ip, any6, 16) == 0;
}

void
xchg_socket_set_accept(struct xchg_socket *sock)
{
	uint8_t a = XCHG_ACCEPT4 | XCHG_ACCEPT6;

	if (sock->family == XCHG_FAMILY_IPV4 || sock->local_ip != 0 ||
	    sock->peer_ip != 0)
		a &= XCHG_ACCEPT4;
	if (sock->family == XCHG_FAMILY_IPV6 || sock->bound6 || sock->peer6)
		a &= XCHG_ACCEPT6;
	__atomic_store_n(&sock->accept, a, __ATOMIC_RELAXED);
}

int
xchg_udp_set_family(struct xchg_socket *sock, enum xchg_family family)
{
	struct xchg_stack *s;
	int ret = 0;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP ||
	    (unsigned int)family > XCHG_FAMILY_IPV6)
		return -EINVAL;
	s = sock->stack;
	pthread_mutex_lock(&s->lock);
	if ((family == XCHG_FAMILY_IPV4 && (sock->bound6 || sock->peer6)) ||
	    (family == XCHG_FAMILY_IPV6 &&
	     (sock->local_ip != 0 || sock->peer_ip != 0))) {
		STACK_LOG(ERR, "socket %s: family %s contradicts its %s address; bind or connect with an address of that family, or any\n",
			  xchg_socket_name(sock),
			  family == XCHG_FAMILY_IPV4 ? "ipv4" : "ipv6",
			  family == XCHG_FAMILY_IPV4 ? "IPv6" : "IPv4");
		ret = -EINVAL;
	} else {
		sock->family = (uint8_t)family;
		xchg_socket_set_accept(sock);
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int
xchg_udp_bind6(struct xchg_socket *sock, const uint8_t ip[16], uint16_t port)
{
	struct xchg_stack *s;
	bool any;
	int ret = 0;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP || ip == NULL ||
	    port == 0 || sock->local_port != 0)
		return -EINVAL;
	s = sock->stack;
	any = is_any6(ip);
	pthread_mutex_lock(&s->lock);
	if (!any && (!xchg_stack_is_local6(s, ip) ||
		     sock->family == XCHG_FAMILY_IPV4)) {
		ret = -EINVAL;
	} else if (s->udp_by_port[port] != NULL) {
		ret = -EADDRINUSE;
	} else {
		memcpy(sock->local_ip6, ip, 16);
		sock->bound6 = !any;
		sock->local_port = port;
		xchg_socket_set_accept(sock);
		/* Published last: the demux may look it up at once. */
		__atomic_store_n(&s->udp_by_port[port], sock, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void
xchg_socket6_unpin(struct xchg_socket *sock)
{
	if (sock->pinned6)
		xchg_neigh6_unpin(sock->stack, sock->pinned_hop6);
	sock->pinned6 = false;
}

int
xchg_udp_connect6(struct xchg_socket *sock, const uint8_t ip[16],
		  uint16_t port)
{
	uint8_t src[16], hop[16];
	struct xchg_stack *s;
	bool pin;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP || ip == NULL ||
	    is_any6(ip) || port == 0 || sock->family == XCHG_FAMILY_IPV4 ||
	    sock->local_ip != 0)
		return -EINVAL;
	s = sock->stack;
	pthread_mutex_lock(&s->lock);
	/* As over IPv4: its next hop stays apart from learned neighbours
	 * while it is connected. */
	pin = xchg_stack_route6(s, ip, src, hop) == 0 &&
	      xchg_neigh6_pin(s, hop) == 0;
	xchg_socket6_unpin(sock);
	if (pin) {
		memcpy(sock->pinned_hop6, hop, 16);
		sock->pinned6 = true;
	}
	/* One peer, of one family. */
	if (sock->pinned_hop != 0)
		xchg_neigh_unpin(s, sock->pinned_hop);
	sock->pinned_hop = 0;
	sock->peer_ip = 0;
	memcpy(sock->peer_ip6, ip, 16);
	sock->peer6 = true;
	sock->peer_port = port;
	xchg_socket_set_accept(sock);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

struct xchg_socket *
xchg_stack_udp_lookup6(struct xchg_stack *s, const struct xchg_pkt *pkt)
{
	struct xchg_socket *sock;

	if (pkt->l4_len == 0)
		return NULL;
	sock = __atomic_load_n(&s->udp_by_port[pkt->dport], __ATOMIC_ACQUIRE);
	if (sock == NULL ||
	    !(__atomic_load_n(&sock->accept, __ATOMIC_RELAXED) & XCHG_ACCEPT6))
		return NULL;
	if (sock->bound6 && memcmp(sock->local_ip6, pkt->dst6, 16) != 0)
		return NULL;
	if (sock->peer6 && (memcmp(sock->peer_ip6, pkt->src6, 16) != 0 ||
			    sock->peer_port != pkt->sport))
		return NULL;
	return sock;
}

int
xchg_udp_source6(const struct rte_mbuf *m, uint8_t ip[16], uint16_t *port)
{
	const uint8_t *udp, *iph;

	if (m == NULL || m->l4_len != UDP_HDR_LEN ||
	    m->l3_len < sizeof(struct rte_ipv4_hdr) ||
	    rte_pktmbuf_headroom(m) < m->l3_len + m->l4_len)
		return -EINVAL;
	udp = rte_pktmbuf_mtod(m, const uint8_t *) - m->l4_len;
	iph = udp - m->l3_len;
	if ((iph[0] >> 4) != 6)
		return -EAFNOSUPPORT;
	if (m->l3_len < IP6_HDR_LEN)
		return -EINVAL;
	if (ip != NULL)
		memcpy(ip, iph + 8, 16);
	if (port != NULL)
		*port = (uint16_t)(udp[0] << 8 | udp[1]);
	return 0;
}

int
xchg_udp_fits(const struct xchg_stack *s, const struct rte_mbuf *m, bool v6)
{
	uint32_t hdrs = v6 ? IP6_HDR_LEN + UDP_HDR_LEN :
			     sizeof(struct rte_ipv4_hdr) + UDP_HDR_LEN;
	uint16_t room = v6 ? XCHG_STACK_HDR_LEN6 : XCHG_STACK_HDR_LEN;

	if (rte_pktmbuf_pkt_len(m) + hdrs > s->mtu)
		return EMSGSIZE;
	return rte_pktmbuf_headroom(m) < room ? ENOSPC : 0;
}

int
xchg_udp_build6(struct xchg_socket *sock, struct rte_mbuf *m,
		const uint8_t src[16], const uint8_t dst[16], uint16_t dport,
		const struct rte_ether_addr *mac, uint64_t offloads)
{
	struct xchg_stack *s = sock->stack;
	uint32_t payload = rte_pktmbuf_pkt_len(m);
	uint16_t udp_len = (uint16_t)(payload + UDP_HDR_LEN), part;
	struct rte_ether_hdr *eth;
	struct rte_udp_hdr *udp;
	uint8_t *ip;
	uint32_t sum;

	if (payload + IP6_HDR_LEN + UDP_HDR_LEN > s->mtu)
		return -EMSGSIZE;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m,
			XCHG_STACK_HDR_LEN6);
	if (eth == NULL)
		return -ENOSPC;
	ip = (uint8_t *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + IP6_HDR_LEN);
	eth->dst_addr = *mac;
	eth->src_addr = s->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	/* Written as bytes: struct rte_ipv6_hdr's address fields changed
	 * type in DPDK 24.11. */
	memset(ip, 0, 8);
	ip[0] = 0x60;
	ip[4] = (uint8_t)(udp_len >> 8);
	ip[5] = (uint8_t)udp_len;
	ip[6] = IPPROTO_UDP;
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	udp->src_port = rte_cpu_to_be_16(sock->local_port);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(udp_len);
	udp->dgram_cksum = 0;
	m->l2_len = sizeof(*eth);
	m->l3_len = IP6_HDR_LEN;
	sum = xchg_stack_phdr6_sum(src, dst, udp_len, IPPROTO_UDP);
	if (offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
		sum = (sum & 0xffff) + (sum >> 16);
		udp->dgram_cksum = (uint16_t)sum;
		return 0;
	}
	/* Over the segments: a chained payload has a checksum too. */
	if (rte_raw_cksum_mbuf(m, XCHG_STACK_HDR_LEN6 - UDP_HDR_LEN, udp_len,
			       &part) != 0) {
		rte_pktmbuf_adj(m, XCHG_STACK_HDR_LEN6);
		return -EINVAL;
	}
	sum += part;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (~sum) & 0xffff;
	/* 0 means "none", which IPv6 forbids: all ones instead. */
	udp->dgram_cksum = sum == 0 ? 0xffff : (uint16_t)sum;
	return 0;
}

int
xchg_udp_build_to(struct xchg_socket *sock, struct rte_mbuf *m,
		  const struct xchg_udp_dest *d,
		  const struct rte_ether_addr *mac, uint64_t offloads)
{
	if (d->v6)
		return xchg_udp_build6(sock, m, d->src6, d->dst6, d->port, mac,
				       offloads);
	return xchg_udp_build(sock, m, d->src, d->dst, d->port, mac,
			      offloads);
}
