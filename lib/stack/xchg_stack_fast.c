/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The fast path of the demux: the port's callback for every frame. The
 * common frame -- one segment, untagged Ethernet, IPv4 without options,
 * not a fragment, UDP to a bound socket of ours -- is parsed in place,
 * with the checks the general path makes on it, and handed to its
 * socket. Any frame about which the fast path would have to decide
 * anything else (a drop and its reason, a service, a fragment, the
 * proxy, the capture, a UDP checksum to verify) goes to
 * the general path, xchg_stack_demux() in xchg_stack_demux.c, untouched:
 * the fast path either accepts a frame exactly where the general path
 * would accept it, to the same socket with the same headers stripped, or
 * it has done nothing at all, not even counted it.
 *
 * Order per socket: the fast path returns the socket's consumer, so the
 * frame joins the socket's group of the burst in arrival order, as the
 * general path's frames do; and when a datagram of the socket is held
 * back in this burst (sock->deferring), the frame is held back after it,
 * exactly as the general path does.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "xchg_consumer.h"
#include "xchg_stack_private.h"

/* Ethernet, IPv4 without options, UDP: the headers a fast frame has. */
#define FAST_HDRS (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + \
		   sizeof(struct rte_udp_hdr))

static inline uint16_t
be16_at(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

/* A source the general path accepts (ipv4_consumer(): not multicast, not
 * limited or directed broadcast) and a destination that is one of ours.
 * A destination that is only a broadcast goes the general way. */
static inline bool
fast_addrs_ok(const struct xchg_stack *s, rte_be32_t src, rte_be32_t dst)
{
	unsigned int i;
	bool local = false;

	if (((const uint8_t *)&src)[0] >= 224)
		return false;
	for (i = 0; i < s->nb_addrs; i++) {
		const struct xchg_addr *a = &s->addrs[i];

		if (a->mask != RTE_BE32(0xffffffff) && src == (a->ip | ~a->mask))
			return false;
		local |= a->ip == dst;
	}
	return local;
}

static __rte_always_inline bool
fast_try(struct xchg_stack *s, struct rte_mbuf *m, struct xchg_consumer **c,
	 enum xchg_drop_reason *reason)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = eth + RTE_ETHER_HDR_LEN;
	const uint8_t *udp = ip + sizeof(struct rte_ipv4_hdr);
	uint32_t len = rte_pktmbuf_data_len(m);
	struct xchg_socket *sock;
	uint16_t total, udp_len, frag;
	rte_be32_t src, dst;

	/* One segment (the whole frame is in [eth, eth + len)), the three
	 * headers in it, untagged IPv4 with a 20-byte header. */
	if (unlikely(m->nb_segs != 1 || len < FAST_HDRS ||
		     be16_at(eth + 2 * RTE_ETHER_ADDR_LEN) !=
		     RTE_ETHER_TYPE_IPV4 || ip[0] != 0x45))
		return false;
	/* The general path's checks (parse_ipv4(), parse_udp()), in the
	 * cases where they pass; where one fails, it decides. */
	total = be16_at(ip + 2);
	frag = be16_at(ip + 6);
	udp_len = be16_at(udp + 4);
	if (unlikely(total > len - RTE_ETHER_HDR_LEN ||
		     total < sizeof(struct rte_ipv4_hdr) +
			     sizeof(struct rte_udp_hdr) ||
		     (frag & (RTE_IPV4_HDR_OFFSET_MASK |
			      RTE_IPV4_HDR_MF_FLAG)) != 0 ||
		     ip[8] == 0 || ip[9] != IPPROTO_UDP ||
		     udp_len < sizeof(struct rte_udp_hdr) ||
		     udp_len > total - sizeof(struct rte_ipv4_hdr) ||
		     !xchg_stack_ipv4_sum_ok(ip, sizeof(struct rte_ipv4_hdr))))
		return false;
	/* A checksum to verify, a capture to write: the general path's
	 * business. (No packet socket can have IPv4, the stack's own:
	 * xchg_packet_socket() refuses it, so classify()'s lookup by
	 * ethertype never takes a frame the fast path would.) */
	if (unlikely((s->conf.verify_udp_checksum && (udp[6] | udp[7]) != 0) ||
		     s->capture != NULL))
		return false;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	if (unlikely(!fast_addrs_ok(s, src, dst)))
		return false;
	/* xchg_stack_udp_lookup() on the frame's own fields; acquire pairs
	 * with the release store that published the socket. */
	sock = __atomic_load_n(&s->udp_by_port[be16_at(udp + 2)],
			       __ATOMIC_ACQUIRE);
	if (unlikely(sock == NULL ||
		     !(__atomic_load_n(&sock->accept, __ATOMIC_RELAXED) &
		       XCHG_ACCEPT4) ||
		     (sock->local_ip != 0 && sock->local_ip != dst) ||
		     (sock->peer_ip != 0 &&
		      (sock->peer_ip != src ||
		       sock->peer_port != be16_at(udp)))))
		return false;

	XCHG_STACK_COUNT(s, frames, 1);
	/* to_payload() for one segment: the headers stay in the headroom
	 * for xchg_udp_source(); bytes past the UDP length (IP datagram
	 * tail, Ethernet padding) are not the application's. */
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	m->l4_len = sizeof(struct rte_udp_hdr);
	m->data_off += FAST_HDRS;
	m->data_len = (uint16_t)(udp_len - sizeof(struct rte_udp_hdr));
	m->pkt_len = m->data_len;
	/* A datagram of this socket is held back in this burst: this one
	 * follows it (xchg_stack_defer()), as in the general path. */
	if (unlikely(__atomic_load_n(&sock->deferring, __ATOMIC_RELAXED))) {
		xchg_stack_defer(s, sock, m, 0);
		*reason = XCHG_DEMUX_KEPT;
		*c = NULL;
		return true;
	}
	*c = sock->consumer;
	return true;
}

/* Exported for the tests (version.map's INTERNAL): a call through the
 * PLT, which the port's callback below does not pay. */
bool
xchg_stack_fast_try(struct xchg_stack *s, struct rte_mbuf *m,
		    struct xchg_consumer **c, enum xchg_drop_reason *reason)
{
	return fast_try(s, m, c, reason);
}

struct xchg_consumer *
xchg_stack_fast_demux(struct rte_mbuf *m, void *ctx,
		      enum xchg_drop_reason *reason)
{
	struct xchg_consumer *c;

	if (likely(fast_try(ctx, m, &c, reason)))
		return c;
	return xchg_stack_demux(m, ctx, reason);
}

/*
 * Single-producer consumer rings.
 *
 * A consumer's ring is multi-producer by default: each enqueue moves the
 * ring's producer head with a compare-and-swap, a locked instruction per
 * burst per consumer. A stack whose port has one RX queue delivers to its
 * sockets and services from that queue's poll only: the port's receive
 * (xchg_stack_rx(), the demux and the flow rules of xchg_port_rx()) and
 * the frames the demux held back, delivered by xchg_stack_defer_flush()
 * on the same thread before xchg_stack_rx() returns or by the overflow
 * flush inside the same poll. DPDK allows one thread at a time on an RX
 * queue, and an application moving the queue to another lcore hands it
 * over with its own synchronisation, which orders the two threads'
 * enqueues. So the producer side of these rings has one writer at a
 * time, and the ring's single-producer enqueue is enough: it loads the
 * producer head relaxed and stores it plainly (no other producer), writes
 * the slots, and publishes them with a release store of the producer
 * tail, which pairs with the consumer's acquire load of it in the dequeue
 * (rte_ring_generic_pvt.h / rte_ring_c11_pvt.h). The consumer side stays
 * multi-consumer: an application may read a socket from several threads.
 *
 * Nothing else delivers to these consumers: a socket's consumer is not
 * in the public API (only its pool is), the proxy and the capture, which
 * are delivered to from services as well, stay multi-producer.
 *
 * With several RX queues (RSS), any queue's frames may be for any
 * socket: the rings stay multi-producer, one compare-and-swap per burst
 * and socket (doc/cycle-budget.rst). The mode is set when the consumer
 * is made, before it is published to the demux (the release store of
 * udp_by_port[] or of the stack's consumer pointers), so no enqueue ever
 * runs in the other mode.
 */
void
xchg_stack_fast_producer(const struct xchg_stack *s, struct xchg_consumer *c)
{
	if (s->nb_rxq == 1)
		xchg_consumer_set_single_producer(c, true);
}
