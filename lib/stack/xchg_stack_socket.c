/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * UDP and packet sockets. Each socket is a consumer: its own pool and a
 * receive ring as large as its quota. Receive is zero copy; send builds
 * the headers in the headroom of the application's own buffers and
 * transmits with the socket as the sender, so the TX queue pays and the
 * socket is refilled at once.
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "xchg_read_private.h"
#include "xchg_stack_private.h"

void
xchg_socket_drop(struct xchg_stack *s, struct xchg_socket *sock,
		 enum xchg_stack_drop reason, uint64_t n)
{
	XCHG_STACK_COUNT(s, drops[reason], n);
	if (sock != NULL)
		xchg_stack_count(&sock->drops[reason], n);
}

void
xchg_socket_drop_dgram(struct xchg_stack *s, struct xchg_socket *sock,
		       enum xchg_stack_drop reason, uint64_t n)
{
	xchg_socket_drop(s, sock, reason, n);
	if (sock != NULL)
		xchg_stack_count(&sock->dgram_drops[reason], 1);
}

/* A free slot in the socket table, from a rotating hint; the caller
 * holds the stack lock. */
static int
free_slot(struct xchg_stack *s, uint32_t *slot)
{
	uint32_t i;

	if (s->nb_sockets == s->max_sockets)
		return -EMFILE;
	for (i = 0; i < s->max_sockets; i++) {
		uint32_t k = (s->slot_hint + i) % s->max_sockets;

		if (s->sockets[k] == NULL) {
			*slot = k;
			s->slot_hint = k + 1;
			return 0;
		}
	}
	return -EMFILE;
}

static struct xchg_socket *
socket_open(struct xchg_stack *s, const char *name, uint32_t quota,
	    enum xchg_priority prio, enum xchg_sock_type type,
	    uint16_t ether_type)
{
	struct xchg_socket *sock = NULL;
	uint32_t slot = 0;
	int err;

	if (s == NULL || name == NULL || prio > XCHG_PRIO_CRITICAL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	err = -free_slot(s, &slot);
	if (err == EMFILE)
		STACK_LOG(ERR, "socket %s: all %u sockets of the stack are open; create the stack with a larger max_sockets\n",
			  name, s->max_sockets);
	if (err == 0 && type == XCHG_SOCK_PACKET &&
	    s->pkt_by_type[ether_type] != NULL)
		err = EADDRINUSE;
	if (err == 0) {
		sock = rte_zmalloc("xchg_socket", sizeof(*sock), 0);
		err = sock == NULL ? ENOMEM : 0;
	}
	if (err == 0) {
		sock->consumer = xchg_consumer_create(s->arena, name,
						      XCHG_KIND_SOCKET, quota);
		err = sock->consumer == NULL ? rte_errno : 0;
	}
	if (err == 0) {
		xchg_stack_fast_producer(s, sock->consumer);
		sock->read_ring = xchg_consumer_read_ring(sock->consumer);
		sock->stack = s;
		sock->type = type;
		sock->priority = prio;
		sock->slot = slot;
		/* A slot used before keeps its counters: start from them. */
		xchg_socket_cnt_sum(s, slot, &sock->base);
		sock->ether_type = ether_type;
		xchg_socket_set_accept(sock);
		if (type == XCHG_SOCK_UDP)
			err = -xchg_frag_acct_create(s, sock,
				xchg_frag_default_collectors(s, quota));
		if (err == 0 && type == XCHG_SOCK_UDP)
			err = -xchg_pending_init(sock, s->conf.pending_max);
	}
	if (err != 0) {
		if (sock != NULL && sock->consumer != NULL)
			xchg_consumer_free(sock->consumer);
		if (sock != NULL && sock->frag != NULL)
			xchg_frag_acct_free(s, sock);
		if (sock != NULL)
			xchg_pending_free(sock);
		rte_free(sock);
		pthread_mutex_unlock(&s->lock);
		rte_errno = err;
		return NULL;
	}
	__atomic_store_n(&s->sockets[slot], sock, __ATOMIC_RELEASE);
	s->nb_sockets++;
	if (type == XCHG_SOCK_PACKET) {
		/* Published last: the demux may look it up at once. */
		__atomic_store_n(&s->pkt_by_type[ether_type], sock,
				 __ATOMIC_RELEASE);
		__atomic_fetch_add(&s->nb_packet_sockets, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->lock);
	return sock;
}

struct xchg_socket *
xchg_udp_socket(struct xchg_stack *s, const char *name, uint32_t quota,
		enum xchg_priority prio)
{
	return socket_open(s, name, quota, prio, XCHG_SOCK_UDP, 0);
}

/* 0, or why a packet socket may not take @type. The stack's own
 * ethertypes are refused rather than ordered: a packet socket on IPv4
 * or ARP would take every frame from the UDP sockets, ICMP and ARP. */
static int
packet_type_check(struct xchg_stack *s, const char *name, uint16_t type)
{
	if (type < 0x0600) {
		STACK_LOG(ERR, "packet socket %s: ethertype 0x%04x is an 802.3 length, not a type; give one of 0x0600 and above\n",
			  name, type);
		return EINVAL;
	}
	if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ ||
	    type == RTE_ETHER_TYPE_QINQ1 || type == RTE_ETHER_TYPE_QINQ2) {
		STACK_LOG(ERR, "packet socket %s: ethertype 0x%04x is a VLAN tag, which the stack strips; give the inner ethertype\n",
			  name, type);
		return EINVAL;
	}
	if (type == RTE_ETHER_TYPE_IPV4 || type == RTE_ETHER_TYPE_ARP) {
		STACK_LOG(ERR, "packet socket %s: ethertype 0x%04x is the stack's own (%s); use a UDP socket, or the proxy for what the stack does not claim\n",
			  name, type, type == RTE_ETHER_TYPE_ARP ? "ARP" : "IPv4");
		return EADDRINUSE;
	}
	if (xchg_stack_packet_lookup(s, type) != NULL) {
		STACK_LOG(ERR, "packet socket %s: ethertype 0x%04x has a packet socket already\n",
			  name, type);
		return EADDRINUSE;
	}
	return 0;
}

struct xchg_socket *
xchg_packet_socket(struct xchg_stack *s, const char *name,
		   uint16_t ether_type, uint32_t quota,
		   enum xchg_priority prio)
{
	struct xchg_socket *sock;
	int err;

	if (s == NULL || name == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	err = packet_type_check(s, name, ether_type);
	pthread_mutex_unlock(&s->lock);
	if (err != 0) {
		rte_errno = err;
		return NULL;
	}
	sock = socket_open(s, name, quota, prio, XCHG_SOCK_PACKET, ether_type);
	return sock;
}

int
xchg_udp_bind(struct xchg_socket *sock, rte_be32_t ip, uint16_t port)
{
	struct xchg_stack *s;
	int ret = 0;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP || port == 0 ||
	    sock->local_port != 0)
		return -EINVAL;
	s = sock->stack;
	if (ip != 0 && !xchg_stack_is_local(s, ip))
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (ip != 0 && sock->family == XCHG_FAMILY_IPV6) {
		ret = -EINVAL; /* an IPv4 address for an IPv6 socket */
	} else if (s->udp_by_port[port] != NULL) {
		ret = -EADDRINUSE;
	} else {
		sock->local_ip = ip;
		sock->local_port = port;
		xchg_socket_set_accept(sock);
		/* Published last: the demux may look it up at once. */
		__atomic_store_n(&s->udp_by_port[port], sock, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int
xchg_udp_connect(struct xchg_socket *sock, rte_be32_t ip, uint16_t port)
{
	struct xchg_stack *s;
	rte_be32_t src, hop = 0;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP || ip == 0 ||
	    port == 0 || sock->family == XCHG_FAMILY_IPV6 || sock->bound6)
		return -EINVAL;
	s = sock->stack;
	pthread_mutex_lock(&s->lock);
	/* One peer, of one family. */
	xchg_socket6_unpin(sock);
	sock->peer6 = false;
	/* Its next hop stays apart from learned neighbours while it is
	 * connected: no ARP storm can push it out. */
	if (xchg_stack_route(s, ip, &src, &hop) != 0 ||
	    xchg_neigh_pin(s, hop) != 0)
		hop = 0;
	if (sock->pinned_hop != 0)
		xchg_neigh_unpin(s, sock->pinned_hop);
	sock->pinned_hop = hop;
	sock->peer_ip = ip;
	sock->peer_port = port;
	xchg_socket_set_accept(sock);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int
xchg_udp_set_reassembly(struct xchg_socket *sock, uint32_t collectors)
{
	struct xchg_stack *s;
	int ret;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP ||
	    collectors > UINT16_MAX)
		return -EINVAL;
	s = sock->stack;
	pthread_mutex_lock(&s->lock);
	ret = xchg_frag_acct_create(s, sock, collectors);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int
xchg_udp_set_pending(struct xchg_socket *sock, uint32_t max)
{
	struct xchg_stack *s;
	int ret;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP ||
	    max > XCHG_STACK_PENDING_LIMIT)
		return -EINVAL;
	s = sock->stack;
	pthread_mutex_lock(&s->lock);
	ret = xchg_pending_init(sock, max);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

struct xchg_socket *
xchg_stack_udp_lookup(struct xchg_stack *s, const struct xchg_pkt *pkt)
{
	struct xchg_socket *sock;

	if (pkt->l4_len == 0)
		return NULL;
	sock = __atomic_load_n(&s->udp_by_port[pkt->dport], __ATOMIC_ACQUIRE);
	if (sock == NULL ||
	    !(__atomic_load_n(&sock->accept, __ATOMIC_RELAXED) & XCHG_ACCEPT4))
		return NULL;
	if (sock->local_ip != 0 && sock->local_ip != pkt->dst)
		return NULL;
	if (sock->peer_ip != 0 && (sock->peer_ip != pkt->src ||
				   sock->peer_port != pkt->sport))
		return NULL;
	return sock;
}

struct xchg_socket *
xchg_stack_packet_lookup(struct xchg_stack *s, uint16_t ether_type)
{
	if (__atomic_load_n(&s->nb_packet_sockets, __ATOMIC_ACQUIRE) == 0)
		return NULL;
	return __atomic_load_n(&s->pkt_by_type[ether_type], __ATOMIC_ACQUIRE);
}

/* Frames the application took from the socket and still holds:
 * charged to its pool, neither queued nor being reassembled. */
uint32_t
xchg_socket_held_by_application(struct xchg_socket *sock)
{
	struct xchg_pool_stats st;
	/* A reassembled datagram is one frame of several buffers; sends
	 * waiting for a neighbour are the stack's to send. */
	uint32_t queued = xchg_consumer_pending_segs(sock->consumer) +
			  __atomic_load_n(&sock->pend_segs, __ATOMIC_ACQUIRE);

	if (xchg_pool_stats_get(xchg_consumer_pool(sock->consumer), &st) != 0)
		return 0;
	return st.in_use > queued ? st.in_use - queued : 0;
}

/* Refuse while the application holds frames, else unpublish and free;
 * the caller holds the stack lock. */
static int
socket_close_locked(struct xchg_socket *sock)
{
	struct xchg_stack *s = sock->stack;
	int ret;

	/* Fragments being collected for it, and frames held back for
	 * order, are charged to its pool: they go first, then what is
	 * left is the application's. */
	xchg_frag_forget_socket(s, sock, XCHG_SD_NO_SOCKET);
	xchg_stack_defer_forget(s, sock);
	xchg_pending_forget(sock, XCHG_SD_NO_SOCKET);
	if (xchg_socket_held_by_application(sock) != 0)
		return -EBUSY;
	if (sock->type == XCHG_SOCK_UDP && sock->local_port != 0)
		__atomic_store_n(&s->udp_by_port[sock->local_port], NULL,
				 __ATOMIC_RELEASE);
	if (sock->type == XCHG_SOCK_PACKET &&
	    s->pkt_by_type[sock->ether_type] == sock) {
		__atomic_store_n(&s->pkt_by_type[sock->ether_type], NULL,
				 __ATOMIC_RELEASE);
		__atomic_fetch_sub(&s->nb_packet_sockets, 1, __ATOMIC_RELEASE);
	}
	sock->local_port = 0;
	ret = xchg_consumer_free(sock->consumer);
	if (ret != 0)
		return ret;
	if (sock->pinned_hop != 0)
		xchg_neigh_unpin(s, sock->pinned_hop);
	xchg_socket6_unpin(sock);
	xchg_frag_acct_free(s, sock);
	xchg_pending_free(sock);
	__atomic_store_n(&s->sockets[sock->slot], NULL, __ATOMIC_RELEASE);
	s->nb_sockets--;
	rte_free(sock);
	return 0;
}

int
xchg_socket_close(struct xchg_socket *sock)
{
	struct xchg_stack *s;
	int ret;

	if (sock == NULL)
		return -EINVAL;
	s = sock->stack;
	pthread_mutex_lock(&s->lock);
	ret = socket_close_locked(sock);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void
xchg_socket_free_all(struct xchg_stack *s)
{
	unsigned int i;

	if (s->sockets == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->max_sockets; i++)
		if (s->sockets[i] != NULL)
			socket_close_locked(s->sockets[i]);
	pthread_mutex_unlock(&s->lock);
}

int
xchg_socket_set_single_reader(struct xchg_socket *sock, bool single)
{
	int ret;

	if (sock == NULL)
		return -EINVAL;
	ret = xchg_consumer_set_single_consumer(sock->consumer, single);
	if (ret == 0) {
		sock->single_reader = single;
		sock->read_ring = xchg_consumer_read_ring(sock->consumer);
	}
	return ret;
}

bool
xchg_socket_single_reader(const struct xchg_socket *sock)
{
	return sock != NULL && sock->single_reader &&
	       xchg_consumer_single_consumer(sock->consumer);
}

/* Count @got frames a single reader read. One writer, the reader
 * (struct xchg_socket): no lookup of the lcore's counter set, no test of
 * @got; the release store pairs with xchg_socket_stats_get()'s acquire
 * load. */
static inline void
count_read_one(struct xchg_socket *sock, unsigned int got)
{
	__atomic_store_n(&sock->read_one,
			 __atomic_load_n(&sock->read_one, __ATOMIC_RELAXED) +
			 got, __ATOMIC_RELEASE);
}

/* A single reader's read in a strict arena: the consumer's checked read
 * (xchg_consumer_recv_burst()), out of line. */
static __rte_noinline unsigned int
recv_checked(struct xchg_socket *sock, struct rte_mbuf **mbufs,
	     unsigned int n)
{
	unsigned int got = xchg_consumer_recv_burst(sock->consumer, mbufs, n);

	count_read_one(sock, got);
	return got;
}

unsigned int
xchg_socket_recv_burst(struct xchg_socket *sock, struct rte_mbuf **mbufs,
		       unsigned int n)
{
	struct rte_ring *r;
	unsigned int got;

	if (unlikely(sock == NULL || mbufs == NULL))
		return 0;
	/* The consumer's ring, dequeued here in the consumer's mode (the
	 * dequeue xchg_consumer_recv_burst() would make, whose comment
	 * has the ordering argument), without that call and its checks;
	 * NULL for a single reader in a strict arena. */
	r = sock->read_ring;
	if (unlikely(r == NULL))
		return recv_checked(sock, mbufs, n);
	if (sock->single_reader) {
		got = rte_ring_sc_dequeue_burst(r, (void **)mbufs, n, NULL);
		count_read_one(sock, got);
		return got;
	}
	got = rte_ring_mc_dequeue_burst(r, (void **)mbufs, n, NULL);
	if (got != 0)
		XCHG_SOCKET_COUNT(sock, received, got);
	return got;
}

int
xchg_udp_source(const struct rte_mbuf *m, rte_be32_t *ip, uint16_t *port)
{
	const uint8_t *udp, *iph;

	if (m == NULL || m->l4_len != sizeof(struct rte_udp_hdr) ||
	    m->l3_len < sizeof(struct rte_ipv4_hdr) ||
	    rte_pktmbuf_headroom(m) < m->l3_len + m->l4_len)
		return -EINVAL;
	udp = rte_pktmbuf_mtod(m, const uint8_t *) - m->l4_len;
	iph = udp - m->l3_len;
	if ((iph[0] >> 4) != 4)
		return -EAFNOSUPPORT; /* see xchg_udp_source6() */
	if (ip != NULL)
		memcpy(ip, iph + 12, 4);
	if (port != NULL)
		*port = (uint16_t)(udp[0] << 8 | udp[1]);
	return 0;
}

int
xchg_socket_alloc_bulk(struct xchg_socket *sock, struct rte_mbuf **mbufs,
		       unsigned int n)
{
	if (sock == NULL)
		return -EINVAL;
	return xchg_alloc_bulk(xchg_consumer_pool(sock->consumer), mbufs, n);
}

int
xchg_udp_build(struct xchg_socket *sock, struct rte_mbuf *m, rte_be32_t src,
	       rte_be32_t dst, uint16_t dport, const struct rte_ether_addr *mac,
	       uint64_t offloads)
{
	struct xchg_stack *s = sock->stack;
	uint32_t payload = rte_pktmbuf_pkt_len(m);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (payload + 28 > s->mtu)
		return -EMSGSIZE;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m,
			XCHG_STACK_HDR_LEN);
	if (eth == NULL)
		return -ENOSPC;
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	eth->dst_addr = *mac;
	eth->src_addr = s->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(payload + 28));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	udp->src_port = rte_cpu_to_be_16(sock->local_port);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(payload + 8));
	udp->dgram_cksum = 0;
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	if (offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
		udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else if (m->nb_segs == 1) {
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
	/* A chained payload goes without a UDP checksum, which IPv4 allows:
	 * the stable API sums contiguous data only. */
	return 0;
}

static unsigned int
send_failed(struct xchg_socket *sock, unsigned int done, unsigned int n,
	    int err)
{
	XCHG_SOCKET_COUNT(sock, send_failed, n - done);
	rte_errno = err;
	return done;
}

/* What building the headers changes in a datagram, so that a send that
 * fails gives it back exactly as the application had it: the headroom
 * the headers are written over (the received datagram's own headers,
 * which xchg_udp_source() reads), the header lengths and the offload
 * flags. */
#define XCHG_STACK_HDR_MAX XCHG_STACK_HDR_LEN6 /* either family's */

struct saved_dgram {
	uint8_t hdr[XCHG_STACK_HDR_MAX];
	uint64_t ol_flags;
	uint64_t tx_offload;
	uint16_t data_off;
};

static void
save_dgram(struct saved_dgram *sv, const struct rte_mbuf *m)
{
	uint16_t room = RTE_MIN(rte_pktmbuf_headroom(m),
				(uint16_t)XCHG_STACK_HDR_MAX);

	sv->ol_flags = m->ol_flags;
	sv->tx_offload = m->tx_offload;
	sv->data_off = m->data_off;
	memcpy(sv->hdr + XCHG_STACK_HDR_MAX - room,
	       rte_pktmbuf_mtod(m, const uint8_t *) - room, room);
}

static void
restore_dgram(const struct saved_dgram *sv, struct rte_mbuf *m)
{
	uint16_t len = (uint16_t)(m->data_off < sv->data_off ?
				  sv->data_off - m->data_off : 0);
	uint16_t room;

	/* Back to the payload, and the bytes under the headers back. */
	if (len != 0)
		rte_pktmbuf_adj(m, len);
	room = RTE_MIN(rte_pktmbuf_headroom(m), (uint16_t)XCHG_STACK_HDR_MAX);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *) - room,
	       sv->hdr + XCHG_STACK_HDR_MAX - room, room);
	m->ol_flags = sv->ol_flags;
	m->tx_offload = sv->tx_offload;
}

/* Build and send up to XCHG_STACK_BURST datagrams; those not sent are
 * restored. Returns how many went, and the error for the first that did
 * not in @err. */
static unsigned int
send_chunk(struct xchg_socket *sock, const struct xchg_udp_dest *d,
	   const struct rte_ether_addr *mac, uint64_t offloads,
	   struct rte_mbuf **mbufs, unsigned int n, int *err)
{
	struct saved_dgram sv[XCHG_STACK_BURST];
	struct xchg_stack *s = sock->stack;
	unsigned int i, built, sent;
	int ret = 0;

	for (built = 0; built < n; built++) {
		save_dgram(&sv[built], mbufs[built]);
		ret = xchg_udp_build_to(sock, mbufs[built], d, mac, offloads);
		if (ret != 0)
			break; /* nothing of it was changed */
	}
	sent = xchg_port_tx(s->port, 0, xchg_consumer_pool(sock->consumer),
			    mbufs, built);
	*err = sent < built ? rte_errno : -ret;
	for (i = sent; i < built; i++)
		restore_dgram(&sv[i], mbufs[i]);
	return sent;
}

/* Send to a resolved next hop, in chunks of XCHG_STACK_BURST. */
static unsigned int
send_resolved(struct xchg_socket *sock, const struct xchg_udp_dest *d,
	      const struct rte_ether_addr *mac, struct rte_mbuf **mbufs,
	      unsigned int n)
{
	uint64_t offloads = xchg_port_tx_offloads(sock->stack->port);
	unsigned int sent = 0;
	int err = 0;

	while (sent < n) {
		unsigned int want = RTE_MIN(n - sent,
					    (unsigned int)XCHG_STACK_BURST);
		unsigned int done = send_chunk(sock, d, mac, offloads,
					       mbufs + sent, want, &err);

		sent += done;
		if (done < want)
			break;
	}
	XCHG_SOCKET_COUNT(sock, sent, sent);
	if (sent == n)
		rte_errno = 0;
	return sent == n ? sent : send_failed(sock, sent, n, err);
}

unsigned int
xchg_udp_send_burst(struct xchg_socket *sock, rte_be32_t ip, uint16_t port,
		    struct rte_mbuf **mbufs, unsigned int n)
{
	struct xchg_udp_dest d = { .v6 = false };
	struct xchg_stack *s;
	struct rte_ether_addr mac;
	rte_be32_t hop;
	int ret;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP || mbufs == NULL) {
		rte_errno = EINVAL;
		return 0;
	}
	s = sock->stack;
	if (ip == 0) {
		ip = sock->peer_ip;
		port = sock->peer_port;
	}
	if (sock->family == XCHG_FAMILY_IPV6 || sock->bound6)
		return send_failed(sock, 0, n, EAFNOSUPPORT);
	if (ip == 0 || port == 0 || sock->local_port == 0)
		return send_failed(sock, 0, n, EINVAL);
	ret = xchg_stack_route(s, ip, &d.src, &hop);
	if (ret != 0)
		return send_failed(sock, 0, n, -ret);
	if (sock->local_ip != 0)
		d.src = sock->local_ip;
	d.dst = ip;
	d.port = port;
	/* Steady state: a plain load says nothing waits, and the neighbour
	 * is known. Else the pending queue decides, under its lock. */
	if (__atomic_load_n(&sock->pend_n, __ATOMIC_ACQUIRE) != 0 ||
	    (ret = xchg_neigh_resolve(s, hop, &mac, sock)) != 0) {
		if (sock->pend_max == 0)
			return send_failed(sock, 0, n, EAGAIN);
		ret = xchg_pending_send(sock, &d, hop, NULL, mbufs, n, &mac);
		if (ret >= 0)
			return (unsigned int)ret;
	}
	return send_resolved(sock, &d, &mac, mbufs, n);
}

unsigned int
xchg_udp_send_burst6(struct xchg_socket *sock, const uint8_t ip[16],
		     uint16_t port, struct rte_mbuf **mbufs, unsigned int n)
{
	static const uint8_t any6[16];
	struct xchg_udp_dest d = { .v6 = true };
	struct xchg_stack *s;
	struct rte_ether_addr mac;
	uint8_t hop[16];
	int ret;

	if (sock == NULL || sock->type != XCHG_SOCK_UDP || mbufs == NULL) {
		rte_errno = EINVAL;
		return 0;
	}
	s = sock->stack;
	if (ip == NULL || memcmp(ip, any6, 16) == 0) {
		if (!sock->peer6)
			return send_failed(sock, 0, n, EINVAL);
		ip = sock->peer_ip6;
		port = sock->peer_port;
	}
	if (sock->family == XCHG_FAMILY_IPV4 || sock->local_ip != 0)
		return send_failed(sock, 0, n, EAFNOSUPPORT);
	if (port == 0 || sock->local_port == 0)
		return send_failed(sock, 0, n, EINVAL);
	ret = xchg_stack_route6(s, ip, d.src6, hop);
	if (ret != 0)
		return send_failed(sock, 0, n, -ret);
	if (sock->bound6)
		memcpy(d.src6, sock->local_ip6, 16);
	memcpy(d.dst6, ip, 16);
	d.port = port;
	/* As over IPv4: the pending queue decides when something waits or
	 * the neighbour is unresolved. */
	if (__atomic_load_n(&sock->pend_n, __ATOMIC_ACQUIRE) != 0 ||
	    (ret = xchg_neigh6_resolve(s, hop, &mac, sock)) != 0) {
		if (sock->pend_max == 0)
			return send_failed(sock, 0, n, EAGAIN);
		ret = xchg_pending_send(sock, &d, 0, hop, mbufs, n, &mac);
		if (ret >= 0)
			return (unsigned int)ret;
	}
	return send_resolved(sock, &d, &mac, mbufs, n);
}

unsigned int
xchg_packet_send_burst(struct xchg_socket *sock, struct rte_mbuf **mbufs,
		       unsigned int n)
{
	unsigned int sent;

	if (sock == NULL || sock->type != XCHG_SOCK_PACKET) {
		rte_errno = EINVAL;
		return 0;
	}
	sent = xchg_port_tx(sock->stack->port, 0,
			    xchg_consumer_pool(sock->consumer), mbufs, n);
	XCHG_SOCKET_COUNT(sock, sent, sent);
	return sent == n ? sent : send_failed(sock, sent, n, rte_errno);
}

void
xchg_socket_cnt_sum(const struct xchg_stack *s, uint32_t slot,
		    struct xchg_socket_counters *sum)
{
	const size_t n = XCHG_LCORE_CNT_N(struct xchg_socket_counters);

	RTE_BUILD_BUG_ON(sizeof(*sum) !=
			 XCHG_LCORE_CNT_N(struct xchg_socket_counters) * sizeof(uint64_t));
	xchg_lcore_cnt_sum((const uint64_t *)(const void *)&s->sock_cnt[slot],
			   (size_t)s->max_sockets * n, s->nb_sock_sets, n,
			   (uint64_t *)(void *)sum);
}

int
xchg_socket_stats_get(struct xchg_socket *sock, struct xchg_socket_stats *st)
{
	struct xchg_socket_counters c;
	unsigned int i;

	if (sock == NULL || st == NULL)
		return -EINVAL;
	if (xchg_pool_stats_get(xchg_consumer_pool(sock->consumer),
				&st->pool) != 0)
		return -EINVAL;
	xchg_socket_cnt_sum(sock->stack, sock->slot, &c);
	st->received = c.received - sock->base.received +
		       __atomic_load_n(&sock->read_one, __ATOMIC_ACQUIRE);
	st->sent = c.sent - sock->base.sent;
	st->send_failed = c.send_failed - sock->base.send_failed;
	st->queued = c.queued - sock->base.queued;
	st->pending = __atomic_load_n(&sock->pend_n, __ATOMIC_ACQUIRE);
	st->pending_max = sock->pend_max;
	st->priority = sock->priority;
	for (i = 0; i < XCHG_SD_MAX; i++) {
		st->drops[i] = __atomic_load_n(&sock->drops[i],
					       __ATOMIC_RELAXED);
		st->datagrams_lost[i] = __atomic_load_n(&sock->dgram_drops[i],
							__ATOMIC_RELAXED);
	}
	st->frag_collectors = 0;
	st->frag_pending = 0;
	st->reassembled = 0;
	st->frag_held = 0;
	if (sock->type == XCHG_SOCK_UDP)
		xchg_frag_socket_stats(sock->stack, sock, st);
	return 0;
}

const char *
xchg_socket_name(const struct xchg_socket *sock)
{
	return sock != NULL ? xchg_consumer_name(sock->consumer) : NULL;
}

struct xchg_pool *
xchg_socket_pool(const struct xchg_socket *sock)
{
	return sock != NULL ? xchg_consumer_pool(sock->consumer) : NULL;
}

int
xchg_stack_socket_foreach(struct xchg_stack *s,
			  int (*fn)(struct xchg_socket *sock, void *arg),
			  void *arg)
{
	unsigned int i;
	int ret = 0;

	if (s == NULL || fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->max_sockets && ret == 0; i++)
		if (s->sockets[i] != NULL)
			ret = fn(s->sockets[i], arg);
	pthread_mutex_unlock(&s->lock);
	return ret;
}
