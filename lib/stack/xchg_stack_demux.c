/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The stack's demux, run by the port on the RX lcore for every frame:
 * parse, pick the consumer (socket, service, fragment collector, proxy),
 * or name the reason the frame is dropped. Frames nobody claims go to the
 * proxy when there is one, never to a default pool that could be drained.
 *
 * Order: the port delivers each consumer's frames of a burst together,
 * after the burst; a reassembled datagram is complete in the middle of
 * it. So that a socket receives its datagrams in the order their last
 * fragment (or the whole frame) arrived, a completed datagram is held
 * back on this lcore until the port has delivered the burst, and so is
 * every later frame of the burst for the same socket; xchg_stack_rx()
 * then delivers them in arrival order. Sockets with no datagram held
 * back take the port's one exchange per burst as before.
 */

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_lcore.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "xchg_deliver_private.h"
#include "xchg_stack_compat.h"
#include "xchg_stack_private.h"

/* A frame nobody here wants: the host may, if there is a proxy. */
static struct xchg_consumer *
unclaimed(struct xchg_stack *s, enum xchg_stack_drop *r,
	  enum xchg_stack_drop why)
{
	if (s->proxy != NULL)
		return s->proxy;
	*r = why;
	return NULL;
}

static struct xchg_consumer *
arp_consumer(struct xchg_stack *s, const uint8_t *arp,
	     enum xchg_stack_drop *r)
{
	rte_be32_t spa, tpa;

	memcpy(&spa, arp + 14, 4);
	memcpy(&tpa, arp + 24, 4);
	/* Requests and replies for us, and gratuitous announcements. */
	if (xchg_stack_is_local(s, tpa) || spa == tpa)
		return s->arp;
	*r = XCHG_SD_ARP_NOT_FOR_US;
	return NULL;
}

/* Strip the headers of a datagram for a UDP socket: the application
 * sees the payload; the headers stay in the headroom for
 * xchg_udp_source(). Ethernet padding goes too. */
static void
to_payload(struct rte_mbuf *m, const struct xchg_pkt *pkt)
{
	uint16_t hdrs = pkt->l2_len + pkt->l3_len + pkt->l4_len;

	m->l2_len = pkt->l2_len;
	m->l3_len = pkt->l3_len;
	m->l4_len = pkt->l4_len;
	rte_pktmbuf_adj(m, hdrs);
	/* The UDP length rules: bytes past it, in the IP datagram or in
	 * Ethernet padding, are not the application's. */
	if (rte_pktmbuf_pkt_len(m) > (uint32_t)(pkt->udp_len - pkt->l4_len))
		xchg_stack_trim(m, pkt->udp_len - pkt->l4_len);
}

/* Where a frame goes. */
struct verdict {
	struct xchg_consumer *consumer;  /* NULL: dropped for @reason */
	struct xchg_socket *sock;        /* set for socket consumers */
	bool fragment;                   /* to the fragment collectors */
	enum xchg_stack_drop reason;
};

/* A fragment of UDP, either family: the first names its socket
 * (@sock, NULL when none is bound: no_socket), later ones are matched
 * to it by their key in the collectors. */
static struct xchg_consumer *
to_collector(struct xchg_stack *s, struct verdict *v,
	     const struct xchg_pkt *pkt, struct xchg_socket *sock)
{
	if (pkt->frag_offset == 0 && sock == NULL)
		return unclaimed(s, &v->reason, XCHG_SD_NO_SOCKET);
	v->sock = sock;
	v->fragment = true;
	return NULL;
}

static struct xchg_consumer *
to_socket(struct verdict *v, struct xchg_socket *sock)
{
	v->sock = sock;
	return sock->consumer;
}

static struct xchg_consumer *
ipv4_consumer(struct xchg_stack *s, const struct xchg_pkt *pkt,
	      struct verdict *v)
{
	enum xchg_stack_drop *r = &v->reason;
	const uint8_t *src = (const uint8_t *)&pkt->src;
	struct xchg_socket *sock;

	if (src[0] >= 224 || xchg_stack_is_broadcast(s, pkt->src)) {
		*r = XCHG_SD_IPV4_SOURCE;
		return NULL;
	}
	if (!xchg_stack_is_local(s, pkt->dst) &&
	    !xchg_stack_is_broadcast(s, pkt->dst)) {
		*r = XCHG_SD_NOT_FOR_US;
		return NULL;
	}
	if (pkt->frag_offset != 0 || pkt->more_frags) {
		if (pkt->proto != IPPROTO_UDP)
			return unclaimed(s, r, XCHG_SD_UNKNOWN_PROTOCOL);
		return to_collector(s, v, pkt,
				    pkt->frag_offset == 0 ?
				    xchg_stack_udp_lookup(s, pkt) : NULL);
	}
	switch (pkt->proto) {
	case IPPROTO_UDP:
		sock = xchg_stack_udp_lookup(s, pkt);
		if (sock == NULL)
			return unclaimed(s, r, XCHG_SD_NO_SOCKET);
		return to_socket(v, sock);
	case IPPROTO_ICMP:
		if (pkt->icmp_type == XCHG_ICMP_ECHO_REQUEST &&
		    xchg_stack_is_local(s, pkt->dst))
			return s->icmp;
		return unclaimed(s, r, XCHG_SD_ICMP_UNHANDLED);
	default:
		return unclaimed(s, r, XCHG_SD_UNKNOWN_PROTOCOL);
	}
}

/* IPv6 once the stack has an address: neighbour discovery and echo to
 * their services (xchg_stack_nd.c), UDP to the sockets (both-family ones
 * and IPv6 ones), fragments of UDP to their collectors; the rest to the
 * proxy or dropped as ipv6. */
static struct xchg_consumer *
ipv6_consumer(struct xchg_stack *s, const uint8_t *frame,
	      const struct xchg_pkt *pkt, struct verdict *v)
{
	enum xchg_stack_drop *r = &v->reason;
	struct xchg_socket *sock;

	/* Judged by address once the stack has one (release in
	 * xchg_stack_add_address6()). */
	if (__atomic_load_n(&s->nb_addrs6, __ATOMIC_ACQUIRE) == 0)
		return unclaimed(s, r, XCHG_SD_IPV6);
	if (!xchg_stack_hears6(s, pkt->dst6)) {
		*r = XCHG_SD_NOT_FOR_US;
		return NULL;
	}
	if (pkt->proto == IPPROTO_ICMPV6)
		return xchg_icmp6_consumer(s, frame, pkt, r);
	if (pkt->frag_offset != 0 || pkt->more_frags) {
		/* A later fragment's protocol is its fragment header's
		 * next header (UDP, or options before it); only the first
		 * names the socket. */
		if (pkt->frag_offset == 0 ? pkt->proto != IPPROTO_UDP :
		    pkt->proto != IPPROTO_UDP && pkt->proto != IPPROTO_DSTOPTS)
			return unclaimed(s, r, XCHG_SD_IPV6);
		return to_collector(s, v, pkt,
				    pkt->frag_offset == 0 ?
				    xchg_stack_udp_lookup6(s, pkt) : NULL);
	}
	if (pkt->proto != IPPROTO_UDP)
		return unclaimed(s, r, XCHG_SD_IPV6);
	sock = xchg_stack_udp_lookup6(s, pkt);
	if (sock == NULL)
		return unclaimed(s, r, XCHG_SD_NO_SOCKET);
	return to_socket(v, sock);
}

static struct xchg_consumer *
classify(struct xchg_stack *s, const uint8_t *frame,
	 const struct xchg_pkt *pkt, struct verdict *v)
{
	const uint8_t *l3 = frame + pkt->l2_len;
	struct xchg_socket *sock = xchg_stack_packet_lookup(s, pkt->ether_type);

	if (sock != NULL)
		return to_socket(v, sock);
	switch (pkt->ether_type) {
	case RTE_ETHER_TYPE_ARP:
		return arp_consumer(s, l3, &v->reason);
	case RTE_ETHER_TYPE_IPV4:
		return ipv4_consumer(s, pkt, v);
	case RTE_ETHER_TYPE_IPV6:
		return ipv6_consumer(s, frame, pkt, v);
	default:
		return unclaimed(s, &v->reason, XCHG_SD_UNKNOWN_ETHERTYPE);
	}
}

/* ICMPv6 is checked once the stack has an IPv6 address (release in
 * xchg_stack_add_address6()); before, it is unclaimed like all IPv6. */
static inline bool
icmp6_on(struct xchg_stack *s, const struct xchg_pkt *pkt)
{
	return pkt->ether_type == RTE_ETHER_TYPE_IPV6 &&
	       pkt->proto == IPPROTO_ICMPV6 &&
	       __atomic_load_n(&s->nb_addrs6, __ATOMIC_ACQUIRE) != 0;
}

/* The parser sums contiguous datagrams only; a chained one is summed
 * here, across its segments. */
static bool
udp_chain_checksum_ok(const struct rte_mbuf *m, const struct xchg_pkt *pkt)
{
	const uint8_t *udp = rte_pktmbuf_mtod(m, const uint8_t *) +
			     pkt->l2_len + pkt->l3_len;
	uint8_t ph[12];
	uint16_t part;
	uint32_t sum;

	if ((udp[6] | udp[7]) == 0)
		return true; /* no checksum sent (IPv4 only: the parser
			      * drops it over IPv6) */
	if (pkt->ether_type == RTE_ETHER_TYPE_IPV6) {
		sum = xchg_stack_phdr6_sum(pkt->src6, pkt->dst6, pkt->udp_len,
					   IPPROTO_UDP);
	} else {
		memcpy(ph, &pkt->src, 4);
		memcpy(ph + 4, &pkt->dst, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_UDP;
		ph[10] = (uint8_t)(pkt->udp_len >> 8);
		ph[11] = (uint8_t)pkt->udp_len;
		sum = rte_raw_cksum(ph, sizeof(ph));
	}
	if (rte_raw_cksum_mbuf(m, pkt->l2_len + pkt->l3_len, pkt->udp_len,
			       &part) != 0)
		return false;
	sum += part;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

struct xchg_consumer *
xchg_stack_demux(struct rte_mbuf *m, void *ctx, enum xchg_drop_reason *reason)
{
	struct xchg_stack *s = ctx;
	struct verdict v = { .reason = XCHG_SD_MAX };
	enum xchg_stack_drop r;
	struct xchg_pkt pkt;

	XCHG_STACK_COUNT(s, frames, 1);
	/* Headers must sit in the first segment: the parser reads nothing
	 * past data_len, and checks lengths against the whole chain. */
	r = xchg_stack_parse_wire(rte_pktmbuf_mtod(m, const uint8_t *),
				  rte_pktmbuf_data_len(m),
				  rte_pktmbuf_pkt_len(m),
				  s->conf.verify_udp_checksum, &pkt);
	if (r == XCHG_SD_MAX && m->nb_segs > 1 && s->conf.verify_udp_checksum &&
	    pkt.proto == IPPROTO_UDP && pkt.udp_len != 0 &&
	    !udp_chain_checksum_ok(m, &pkt))
		r = XCHG_SD_UDP_CHECKSUM;
	if (r == XCHG_SD_MAX && icmp6_on(s, &pkt))
		r = xchg_icmp6_check(rte_pktmbuf_mtod(m, const uint8_t *),
				     rte_pktmbuf_data_len(m), m, &pkt);
	if (r != XCHG_SD_MAX) {
		if (s->capture != NULL)
			xchg_capture_frame(s, m, NULL);
		xchg_stack_drop(s, r);
		*reason = XCHG_DROP_MALFORMED;
		return NULL;
	}
	v.consumer = classify(s, rte_pktmbuf_mtod(m, const uint8_t *), &pkt,
			      &v);
	/* The capture sees the frame whole, before any header is stripped. */
	if (s->capture != NULL)
		xchg_capture_frame(s, m, v.fragment && v.sock != NULL ?
				   v.sock->consumer : v.consumer);
	if (v.fragment) {
		m->l2_len = pkt.l2_len;
		m->l3_len = pkt.l3_len;
		xchg_frag_input(s, v.sock, m, &pkt);
		*reason = XCHG_DEMUX_KEPT;
		return NULL;
	}
	if (v.consumer == NULL) {
		xchg_stack_drop(s, v.reason);
		*reason = XCHG_DROP_NO_CONSUMER;
		return NULL;
	}
	/* A first fragment the proxy takes: the rest of its datagram
	 * follow it there (classify() itself changes nothing, for
	 * xchg_stack_classify()). */
	if (v.consumer == s->proxy &&
	    (pkt.ether_type == RTE_ETHER_TYPE_IPV4 ||
	     pkt.ether_type == RTE_ETHER_TYPE_IPV6) &&
	    pkt.proto == IPPROTO_UDP && pkt.frag_offset == 0 &&
	    pkt.more_frags)
		xchg_frag_to_proxy(s, &pkt);
	if (v.sock != NULL && v.sock->type == XCHG_SOCK_UDP) {
		to_payload(m, &pkt);
		/* A datagram of this socket is held back: this one follows
		 * it, not the port's group. */
		if (__atomic_load_n(&v.sock->deferring, __ATOMIC_RELAXED)) {
			xchg_stack_defer(s, v.sock, m, 0);
			*reason = XCHG_DEMUX_KEPT;
			return NULL;
		}
	} else if (v.consumer == s->proxy)
		XCHG_STACK_COUNT(s, proxied_in, 1);
	return v.consumer;
}

int
xchg_stack_classify(struct xchg_stack *s, const void *frame, uint32_t len,
		    struct xchg_stack_verdict *out)
{
	struct verdict v = { .reason = XCHG_SD_MAX };
	struct xchg_pkt pkt;
	enum xchg_stack_drop r;

	if (s == NULL || frame == NULL || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	r = xchg_stack_parse(frame, len, s->conf.verify_udp_checksum, &pkt);
	if (r == XCHG_SD_MAX && icmp6_on(s, &pkt))
		r = xchg_icmp6_check(frame, len, NULL, &pkt);
	if (r != XCHG_SD_MAX) {
		out->reason = r;
		return 0;
	}
	v.consumer = classify(s, frame, &pkt, &v);
	out->reason = v.reason;
	if (v.fragment) {
		out->fragment = true;
		out->first_fragment = pkt.frag_offset == 0;
		out->src = pkt.src;
		out->dst = pkt.dst;
		out->ip_id = pkt.ip_id;
		out->proto = pkt.proto;
		if (pkt.ether_type == RTE_ETHER_TYPE_IPV6) {
			out->ipv6 = true;
			out->id6 = pkt.frag_id6;
			memcpy(out->src6, pkt.src6, 16);
			memcpy(out->dst6, pkt.dst6, 16);
		}
		if (v.sock != NULL)
			v.consumer = v.sock->consumer;
		else if (s->proxy != NULL)
			v.consumer = s->proxy; /* unless a collector has it */
		else
			out->reason = XCHG_SD_FRAG_NO_COLLECTOR;
	}
	out->pool = xchg_consumer_pool(v.consumer);
	if (out->pool != NULL)
		out->reason = XCHG_SD_MAX;
	return 0;
}

/* Deliver one frame held back; a whole frame is paid for here. */
static void
deliver_now(struct xchg_stack *s, struct xchg_socket *sock,
	    struct rte_mbuf *m, uint16_t frags)
{
	uint16_t n = frags != 0 ? frags : 1;

	if (xchg_consumer_deliver(sock->consumer, &m, 1) == 1) {
		XCHG_STACK_COUNT(s, frag_delivered, n);
		return;
	}
	xchg_socket_drop_dgram(s, sock, XCHG_SD_NO_BUFFERS, n);
	rte_pktmbuf_free(m);
}

void
xchg_stack_defer(struct xchg_stack *s, struct xchg_socket *sock,
		 struct rte_mbuf *m, uint16_t frags)
{
	unsigned int lc = rte_lcore_id();
	struct xchg_defer *d;

	/* A thread with no lcore id polls alone (one at a time): its
	 * frames go at once, in the order it sees them complete. */
	if (lc >= RTE_MAX_LCORE) {
		deliver_now(s, sock, m, frags);
		return;
	}
	d = &s->defer[lc];
	if (d->n == RTE_DIM(d->e))
		xchg_stack_defer_flush(s); /* more than a burst: polled
					    * through the port directly */
	d->e[d->n].sock = sock;
	d->e[d->n].m = m;
	d->e[d->n].frags = frags;
	d->n++;
	__atomic_store_n(&sock->deferring, 1, __ATOMIC_RELAXED);
}

/* The frames @d holds, @n of them, in one delivery call, in order: a
 * group per frame, as deliver_now() would give them one by one, except
 * that what is not queued is freed after the call (a socket named again
 * later in the list finds a full ring's frames still charged to it:
 * xchg_deliver_private.h). Out of line: the flush of an empty list,
 * every burst, stays a few loads. */
static __rte_noinline void
defer_deliver(struct xchg_stack *s, struct xchg_defer *d, uint32_t n)
{
	struct xchg_deliver_group g[XCHG_STACK_DEFER_MAX];
	struct rte_mbuf *m[XCHG_STACK_DEFER_MAX];
	uint32_t i;

	for (i = 0; i < n; i++) {
		__atomic_store_n(&d->e[i].sock->deferring, 0,
				 __ATOMIC_RELAXED);
		g[i].consumer = d->e[i].sock->consumer;
		g[i].n = 1;
		m[i] = d->e[i].m;
	}
	if (unlikely(xchg_consumer_deliver_groups(g, n, m) != 0))
		for (i = 0; i < n; i++)
			g[i].queued = 0;
	for (i = 0; i < n; i++) {
		uint16_t frames = d->e[i].frags != 0 ? d->e[i].frags : 1;

		if (g[i].queued == 1) {
			XCHG_STACK_COUNT(s, frag_delivered, frames);
			continue;
		}
		xchg_socket_drop_dgram(s, d->e[i].sock, XCHG_SD_NO_BUFFERS,
				       frames);
		rte_pktmbuf_free(m[i]);
	}
}

void
xchg_stack_defer_flush(struct xchg_stack *s)
{
	unsigned int lc = rte_lcore_id();
	struct xchg_defer *d;
	uint32_t n;

	if (lc >= RTE_MAX_LCORE)
		return;
	d = &s->defer[lc];
	n = d->n;
	if (n == 0)
		return;
	d->n = 0;
	defer_deliver(s, d, n);
}

void
xchg_stack_defer_forget(struct xchg_stack *s, struct xchg_socket *sock)
{
	unsigned int lc;
	uint32_t i, k;

	if (s->defer == NULL)
		return;
	for (lc = 0; lc < RTE_MAX_LCORE; lc++) {
		struct xchg_defer *d = &s->defer[lc];

		for (i = 0, k = 0; i < d->n; i++) {
			struct xchg_defer_item *e = &d->e[i];

			if (e->sock != sock) {
				d->e[k++] = *e;
				continue;
			}
			xchg_socket_drop_dgram(s, sock, XCHG_SD_NO_SOCKET,
					 e->frags != 0 ? e->frags : 1);
			rte_pktmbuf_free(e->m);
		}
		d->n = k;
	}
	sock->deferring = 0;
}
