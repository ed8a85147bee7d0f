/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Sends that wait for a neighbour (issue 21 item 5, IPv4 and IPv6): a
 * send to a
 * next hop whose address is unknown is queued in the socket's own
 * reservation, goes out in order when the ARP reply is learned, is
 * dropped and counted (neigh_timeout) when none comes in time, and one
 * socket's bound never costs another socket anything.
 *
 * Frames go through a net_ring port whose RX and TX share one ring: the
 * test puts ARP replies and neighbour advertisements in, the stack's
 * requests, solicitations and datagrams come out there. Time is the test's own clock (xchg_stack_conf::clock), so every
 * count is exact however slow the machine is. Each test ends with a
 * census.
 *
 * The same port carries icmp_reply_checksum (issue 17): the ICMP echo
 * service's reply headers, whose IPv4 checksum is updated, not summed
 * again, against a full sum, and services_more_than_a_burst: one service
 * call answers all that waits, more than a burst; services_tx_partial:
 * the ARP and ICMP replies of one poll go out in one TX call to a ring
 * with room for part of them, and each reply not sent goes back to the
 * service that paid for it (xchg_port_tx_payers(), whose misuse
 * port_tx_payers_misuse checks).
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_port.h"
#include "xchg_port_tx_private.h"
#include "xchg_stack.h"
#include "xchg_test.h"
#include "xt_stack.h"

#define OUR_PORT 5000
#define PEER_PORT 6000

static struct xchg_arena *arena;
static struct rte_mempool *mp;
static struct rte_ring *ring;
static uint16_t ring_id;
static uint64_t clock_now;
static uint64_t hz;

static const uint8_t PEER_MAC[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static uint64_t
test_clock(void *arg __rte_unused)
{
	return clock_now;
}

static void
advance_ms(uint64_t ms)
{
	clock_now += ms * hz / 1000;
}

/* 2001:db8::@d */
static void
ip6(uint8_t d, uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[0] = 0x20;
	ip[1] = 0x01;
	ip[2] = 0x0d;
	ip[3] = 0xb8;
	ip[15] = d;
}

static rte_be32_t
ip4(uint8_t d)
{
	return rte_cpu_to_be_32(0xc0000200u | d); /* 192.0.2.d */
}

struct fx {
	struct xchg_port *port;
	struct xchg_stack *s;
};

static bool
stack_up_conf(struct fx *f, const struct xchg_stack_conf *sc)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	uint8_t a6[16];

	memset(f, 0, sizeof(*f));
	clock_now = hz;
	f->s = xt_stack_create(arena, ring_id, &pc, sc, &f->port);
	if (f->s == NULL)
		return false;
	XT_EQ(xchg_stack_add_address(f->s, ip4(2), 24), 0);
	ip6(2, a6);
	XT_EQ(xchg_stack_add_address6(f->s, a6, 64), 0);
	XT_EQ(xchg_port_start(f->port), 0);
	return true;
}

static bool
stack_up(struct fx *f)
{
	struct xchg_stack_conf sc = { .clock = test_clock };

	return stack_up_conf(f, &sc);
}

/* What the stack sent, out of the ring. */
struct sent {
	unsigned int arp, udp;
	uint8_t arp_target[8];        /* last byte of each request's target */
	uint8_t udp_marker[16];       /* first payload byte of each datagram */
	uint8_t udp_dst[16];          /* last byte of each datagram's dst */
	unsigned int ns, udp6;        /* IPv6: solicitations (not DAD),
				       * datagrams */
	uint8_t ns_target[8];
	uint8_t udp6_marker[16];
	uint8_t udp6_dst[16];
};

static struct sent
drain(void)
{
	struct sent out;
	struct rte_mbuf *m;

	memset(&out, 0, sizeof(out));
	while (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		if (rte_pktmbuf_data_len(m) >= 42 && p[12] == 0x08 &&
		    p[13] == 0x06 && p[21] == 1) {
			if (out.arp < RTE_DIM(out.arp_target))
				out.arp_target[out.arp] = p[41];
			out.arp++;
		} else if (rte_pktmbuf_data_len(m) >= 43 && p[12] == 0x08 &&
			   p[13] == 0x00 && p[23] == 17) {
			XT_CHECK(memcmp(p, PEER_MAC, 6) == 0 || p[33] != 1,
				 "a datagram to .1 goes to its MAC");
			XT_EQ((p[36] << 8 | p[37]), PEER_PORT);
			if (out.udp < RTE_DIM(out.udp_marker)) {
				out.udp_marker[out.udp] = p[42];
				out.udp_dst[out.udp] = p[33];
			}
			out.udp++;
		} else if (rte_pktmbuf_data_len(m) >= 63 && p[12] == 0x86 &&
			   p[13] == 0xdd && p[20] == 17) {
			XT_EQ((p[56] << 8 | p[57]), PEER_PORT);
			XT_CHECK(p[60] != 0 || p[61] != 0,
				 "an IPv6 datagram has a UDP checksum");
			if (out.udp6 < RTE_DIM(out.udp6_marker)) {
				out.udp6_marker[out.udp6] = p[62];
				out.udp6_dst[out.udp6] = p[53];
			}
			out.udp6++;
		} else if (rte_pktmbuf_data_len(m) >= 78 && p[12] == 0x86 &&
			   p[13] == 0xdd && p[20] == 58 && p[54] == 135 &&
			   p[22] != 0) {
			/* A solicitation (a DAD probe's source is ::). */
			if (out.ns < RTE_DIM(out.ns_target))
				out.ns_target[out.ns] = p[77];
			out.ns++;
		}
		rte_pktmbuf_free(m);
	}
	return out;
}

static void
stack_down(struct fx *f, const char *when)
{
	xchg_port_stop(f->port);
	drain();
	XT_EQ(xchg_stack_free(f->s), 0);
	XT_EQ(xchg_port_free(f->port), 0);
	xt_census_ok(arena, when);
}

/* An ARP reply from 192.0.2.@d, MAC PEER_MAC with its last byte @m. */
static void
inject_arp_from(uint8_t d, uint8_t m_last)
{
	uint8_t f[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, m_last,
		0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2,
		0x02, 0, 0, 0, 0, m_last, 192, 0, 2, d,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 2,
	};

	xt_ring_put(ring, mp, f, sizeof(f));
}

/* An ARP reply from 192.0.2.@d, MAC PEER_MAC with its last byte @d. */
static void
inject_arp_reply(uint8_t d)
{
	inject_arp_from(d, d);
}

/* A solicited advertisement from 2001:db8::@d, MAC PEER_MAC with its
 * last byte @d, to 2001:db8::2. */
static void
inject_na(uint8_t d)
{
	uint8_t f[14 + 40 + 32] = {
		0x02, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, d, 0x86, 0xdd,
		0x60, 0, 0, 0, 0, 32, 58, 255,
	};
	uint8_t *ip = f + 14, *icmp = f + 54;
	uint8_t tail[8] = { 0, 0, 0, 32, 0, 0, 0, 58 };
	uint32_t sum;
	uint16_t c;

	rte_eth_macaddr_get(ring_id, (struct rte_ether_addr *)f);
	ip6(d, ip + 8);
	ip6(2, ip + 24);
	icmp[0] = 136;
	icmp[4] = 0x60;               /* solicited, override */
	ip6(d, icmp + 8);
	icmp[24] = 2;                 /* target link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, f + 6, 6);
	sum = rte_raw_cksum(ip + 8, 32) + rte_raw_cksum(tail, 8) +
	      rte_raw_cksum(icmp, 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	memcpy(icmp + 2, &c, 2);
	xt_ring_put(ring, mp, f, sizeof(f));
}

static struct xchg_socket *
udp_sock(struct fx *f, const char *name, uint16_t port, uint32_t quota)
{
	struct xchg_socket *sock = xchg_udp_socket(f->s, name, quota,
						   XCHG_PRIO_CRITICAL);

	XT_CHECK(sock != NULL, "socket %s: %s", name,
		 rte_strerror(rte_errno));
	if (sock != NULL)
		XT_EQ(xchg_udp_bind(sock, 0, port), 0);
	return sock;
}

/* A datagram of @len bytes whose first byte is @marker. */
static struct rte_mbuf *
dgram(struct xchg_socket *sock, uint8_t marker, uint16_t len)
{
	struct rte_mbuf *m = NULL;
	uint8_t *p;

	XT_EQ(xchg_socket_alloc_bulk(sock, &m, 1), 0);
	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	memset(p, marker, len);
	return m;
}

static struct xchg_socket_stats
sstats(struct xchg_socket *sock)
{
	struct xchg_socket_stats st;

	memset(&st, 0, sizeof(st));
	XT_EQ(xchg_socket_stats_get(sock, &st), 0);
	return st;
}

/* Send one datagram; returns what the send returned, and its errno. */
static unsigned int
send1(struct xchg_socket *sock, uint8_t d, uint8_t marker, int *err)
{
	struct rte_mbuf *m = dgram(sock, marker, 32);
	unsigned int n;

	*err = -1;
	if (m == NULL)
		return 0;
	rte_errno = -1;
	n = xchg_udp_send_burst(sock, ip4(d), PEER_PORT, &m, 1);
	*err = rte_errno;
	if (n == 0)
		rte_pktmbuf_free(m);
	return n;
}

/* Send one datagram to 2001:db8::@d. */
static unsigned int
send6(struct xchg_socket *sock, uint8_t d, uint8_t marker, int *err)
{
	struct rte_mbuf *m = dgram(sock, marker, 32);
	uint8_t ip[16];
	unsigned int n;

	*err = -1;
	if (m == NULL)
		return 0;
	ip6(d, ip);
	rte_errno = -1;
	n = xchg_udp_send_burst6(sock, ip, PEER_PORT, &m, 1);
	*err = rte_errno;
	if (n == 0)
		rte_pktmbuf_free(m);
	return n;
}

/* The tests below run over either family: to 192.0.2.@d or
 * 2001:db8::@d, answered by an ARP reply or a neighbour advertisement. */
static unsigned int
send_to(struct xchg_socket *sock, bool v6, uint8_t d, uint8_t marker,
	int *err)
{
	return v6 ? send6(sock, d, marker, err) : send1(sock, d, marker, err);
}

static void
answer(bool v6, uint8_t d)
{
	if (v6)
		inject_na(d);
	else
		inject_arp_reply(d);
}

/* What went out in the family under test: requests (ARP, or neighbour
 * solicitations) and datagrams. */
struct seen {
	unsigned int req, dg;
	uint8_t target0;
	uint8_t marker[16];
};

static struct seen
drain_fam(bool v6)
{
	struct sent out = drain();
	struct seen v = {
		.req = v6 ? out.ns : out.arp,
		.dg = v6 ? out.udp6 : out.udp,
		.target0 = v6 ? out.ns_target[0] : out.arp_target[0],
	};

	memcpy(v.marker, v6 ? out.udp6_marker : out.udp_marker,
	       sizeof(v.marker));
	return v;
}

/* Three datagrams to a peer nobody resolved, one send each (as the echo
 * app does): each is taken ("queued", EINPROGRESS), one ARP request (or
 * neighbour solicitation) goes out, paid by the socket; the reply sends
 * all three, in order. */
static void
queued_then_sent(bool v6)
{
	struct xchg_stack_stats st;
	struct xchg_socket *sock;
	struct xchg_socket_stats ss;
	struct seen out;
	unsigned int i;
	int err;
	struct fx f;

	if (!stack_up(&f))
		return;
	sock = udp_sock(&f, "echo", OUR_PORT, 16);
	if (sock == NULL)
		goto out;
	drain(); /* DAD probes of the stack's own IPv6 addresses */
	ss = sstats(sock);
	XT_EQ(ss.pending_max, XCHG_STACK_PENDING_DEFAULT);
	for (i = 0; i < 3; i++) {
		XT_EQ(send_to(sock, v6, 1, (uint8_t)(0xa0 + i), &err), 1);
		XT_EQ(err, EINPROGRESS);
	}
	ss = sstats(sock);
	XT_EQ(ss.queued, 3);
	XT_EQ(ss.pending, 3);
	XT_EQ(ss.sent, 0);
	XT_EQ(ss.send_failed, 0);
	/* The three wait in its own reservation; the request was paid by
	 * it and the TX queue gave the unit back. */
	XT_EQ(ss.pool.in_use, 3);
	XT_EQ(ss.pool.allocated, 4);
	/* The ring is the wire both ways: take what the stack sent
	 * before it polls again. */
	out = drain_fam(v6);
	XT_EQ(out.req, 1);
	XT_EQ(out.target0, 1);
	XT_EQ(out.dg, 0);
	/* Polling without a reply sends nothing more. */
	xchg_stack_poll(f.s);
	out = drain_fam(v6);
	XT_EQ(out.req, 0);
	XT_EQ(out.dg, 0);

	answer(v6, 1);
	xchg_stack_poll(f.s);
	out = drain_fam(v6);
	XT_EQ(out.req, 0);
	XT_EQ(out.dg, 3);
	for (i = 0; i < 3 && i < out.dg; i++)
		XT_EQ(out.marker[i], 0xa0 + i);
	ss = sstats(sock);
	XT_EQ(ss.sent, 3);
	XT_EQ(ss.pending, 0);
	XT_EQ(ss.queued, 3);
	XT_EQ(ss.pool.in_use, 0);
	XT_EQ(ss.drops[XCHG_SD_NEIGH_TIMEOUT], 0);
	XT_EQ(xchg_stack_stats_get(f.s, &st), 0);
	XT_EQ(v6 ? st.nd_learned : st.arp_learned, 1);
	XT_EQ(st.drops[XCHG_SD_NEIGH_TIMEOUT], 0);

	/* Resolved now: the next send goes at once and says so. */
	XT_EQ(send_to(sock, v6, 1, 0xb0, &err), 1);
	XT_EQ(err, 0);
	XT_EQ(drain_fam(v6).dg, 1);
	XT_EQ(sstats(sock).queued, 3);
out:
	stack_down(&f, v6 ? "queued then sent, IPv6" : "queued then sent");
}

static void
test_queued_then_sent(void)
{
	queued_then_sent(false);
}

static void
test_queued_then_sent6(void)
{
	queued_then_sent(true);
}

/* Nobody answers: the requests are repeated every 200 ms, paid by the
 * socket, and after neigh_resolve_ms (1000) the datagrams are dropped
 * and counted against the socket, not against anyone else: another
 * socket pays nothing. */
static void
timeout(bool v6)
{
	struct xchg_stack_stats st;
	struct xchg_socket *sock, *other;
	struct xchg_socket_stats ss, so;
	unsigned int i, req = 0;
	int err;
	struct fx f;

	if (!stack_up(&f))
		return;
	sock = udp_sock(&f, "lonely", OUR_PORT, 8);
	other = udp_sock(&f, "bystander", OUR_PORT + 1, 8);
	if (sock == NULL || other == NULL)
		goto out;
	drain();
	for (i = 0; i < 3; i++)
		XT_EQ(send_to(sock, v6, 9, (uint8_t)i, &err), 1);
	for (i = 0; i < 4; i++) {
		struct seen out = drain_fam(v6);

		XT_EQ(out.dg, 0);
		req += out.req;
		xchg_stack_poll(f.s);
		XT_EQ(sstats(sock).pending, 3);
		advance_ms(250);
	}
	advance_ms(100);
	/* At 0, 250, 500 and 750 ms. */
	req += drain_fam(v6).req;
	XT_EQ(req, 4);
	xchg_stack_poll(f.s);
	XT_EQ(drain_fam(v6).req, 0);
	ss = sstats(sock);
	XT_EQ(ss.pending, 0);
	XT_EQ(ss.queued, 3);
	XT_EQ(ss.sent, 0);
	XT_EQ(ss.drops[XCHG_SD_NEIGH_TIMEOUT], 3);
	XT_EQ(ss.datagrams_lost[XCHG_SD_NEIGH_TIMEOUT], 3);
	XT_EQ(ss.pool.in_use, 0);
	/* Each request was the socket's: three datagrams and four
	 * requests. */
	XT_EQ(ss.pool.allocated, 7);
	so = sstats(other);
	XT_EQ(so.pool.allocated, 0);
	XT_EQ(so.drops[XCHG_SD_NEIGH_TIMEOUT], 0);
	XT_EQ(xchg_stack_stats_get(f.s, &st), 0);
	XT_EQ(st.drops[XCHG_SD_NEIGH_TIMEOUT], 3);
	/* A late reply finds nothing waiting. */
	answer(v6, 9);
	xchg_stack_poll(f.s);
	XT_EQ(drain_fam(v6).dg, 0);
out:
	stack_down(&f, v6 ? "timeout, IPv6" : "timeout");
}

static void
test_timeout(void)
{
	timeout(false);
}

static void
test_timeout6(void)
{
	timeout(true);
}
/* The bound is per socket: a socket that filled its queue gets EAGAIN
 * and keeps the rest; another socket's queue is untouched. */
static void
test_bound_per_socket(void)
{
	struct xchg_socket *a, *b;
	struct xchg_socket_stats sa, sb;
	struct rte_mbuf *m[4];
	unsigned int i;
	int err;
	struct fx f;

	if (!stack_up(&f))
		return;
	a = udp_sock(&f, "greedy", OUR_PORT, 16);
	b = udp_sock(&f, "critical", OUR_PORT + 1, 8);
	if (a == NULL || b == NULL)
		goto out;
	XT_EQ(xchg_udp_set_pending(a, XCHG_STACK_PENDING_LIMIT + 1), -EINVAL);
	XT_EQ(xchg_udp_set_pending(NULL, 1), -EINVAL);
	XT_EQ(xchg_udp_set_pending(a, 2), 0);
	for (i = 0; i < 4; i++)
		m[i] = dgram(a, (uint8_t)i, 16);
	rte_errno = 0;
	XT_EQ(xchg_udp_send_burst(a, ip4(7), PEER_PORT, m, 4), 2);
	XT_EQ(rte_errno, EAGAIN);
	/* The two it did not take are the caller's, as they were. */
	XT_EQ(rte_pktmbuf_pkt_len(m[2]), 16);
	XT_EQ(*rte_pktmbuf_mtod(m[3], uint8_t *), 3);
	XT_EQ(xchg_udp_send_burst(a, ip4(8), PEER_PORT, &m[2], 2), 0);
	XT_EQ(rte_errno, EAGAIN);
	rte_pktmbuf_free_bulk(&m[2], 2);
	XT_EQ(xchg_udp_set_pending(a, 8), -EBUSY);

	/* The other socket queues its own four. */
	for (i = 0; i < XCHG_STACK_PENDING_DEFAULT; i++) {
		XT_EQ(send1(b, 8, (uint8_t)(0x10 + i), &err), 1);
		XT_EQ(err, EINPROGRESS);
	}
	XT_EQ(send1(b, 8, 0x20, &err), 0);
	XT_EQ(err, EAGAIN);
	sa = sstats(a);
	sb = sstats(b);
	XT_EQ(sa.pending, 2);
	XT_EQ(sa.send_failed, 4);
	XT_EQ(sa.pool.in_use, 2);
	XT_EQ(sb.pending, XCHG_STACK_PENDING_DEFAULT);
	XT_EQ(sb.send_failed, 1);
	XT_EQ(sb.pool.in_use, XCHG_STACK_PENDING_DEFAULT);
	/* .8 answers: only b's go; a's still wait for .7. */
	XT_EQ(drain().arp, 2);
	inject_arp_reply(8);
	xchg_stack_poll(f.s);
	{
		struct sent out = drain();

		XT_EQ(out.udp, XCHG_STACK_PENDING_DEFAULT);
		for (i = 0; i < out.udp && i < XCHG_STACK_PENDING_DEFAULT; i++) {
			XT_EQ(out.udp_marker[i], 0x10 + i);
			XT_EQ(out.udp_dst[i], 8);
		}
	}
	XT_EQ(sstats(b).pending, 0);
	XT_EQ(sstats(a).pending, 2);
	/* 0 turns waiting off: a send to an unresolved host fails again. */
	XT_EQ(xchg_udp_set_pending(b, 0), 0);
	XT_EQ(send1(b, 11, 0x30, &err), 0);
	XT_EQ(err, EAGAIN);
	XT_EQ(sstats(b).pending_max, 0);
out:
	stack_down(&f, "bound per socket");
}

/* A send to a resolved hop does not wait behind another hop's queue;
 * datagrams to a hop with some waiting wait behind them (order);
 * closing a socket drops what waits, counted no_socket. */
static void
test_order_and_close(void)
{
	static const struct rte_ether_addr peer3 = {
		{ 0x02, 0, 0, 0, 0, 3 } };
	struct xchg_stack_stats st;
	struct xchg_socket *sock;
	struct sent out;
	int err;
	struct fx f;

	if (!stack_up(&f))
		return;
	sock = udp_sock(&f, "mixed", OUR_PORT, 16);
	if (sock == NULL)
		goto out;
	XT_EQ(xchg_stack_add_neighbour(f.s, ip4(3), &peer3), 0);
	XT_EQ(send1(sock, 5, 0x50, &err), 1);
	XT_EQ(err, EINPROGRESS);
	XT_EQ(send1(sock, 3, 0x30, &err), 1);
	XT_EQ(err, 0);
	out = drain();
	XT_EQ(out.arp, 1);
	XT_EQ(out.udp, 1);
	XT_EQ(out.udp_dst[0], 3);
	XT_EQ(send1(sock, 5, 0x51, &err), 1);
	XT_EQ(err, EINPROGRESS);
	XT_EQ(drain().udp + drain().arp, 0);
	inject_arp_reply(5);
	XT_EQ(send1(sock, 6, 0x60, &err), 1);
	XT_EQ(sstats(sock).pending, 3);
	/* The reply is in the ring: polling learns it and sends .5's two
	 * in order; .6 waits. */
	xchg_stack_poll(f.s);
	out = drain();
	XT_EQ(out.udp, 2);
	XT_EQ(out.udp_marker[0], 0x50);
	XT_EQ(out.udp_marker[1], 0x51);
	XT_EQ(sstats(sock).pending, 1);
	XT_EQ(xchg_socket_close(sock), 0);
	XT_EQ(xchg_stack_stats_get(f.s, &st), 0);
	XT_EQ(st.drops[XCHG_SD_NO_SOCKET], 1);
	XT_EQ(st.drops[XCHG_SD_NEIGH_TIMEOUT], 0);
out:
	stack_down(&f, "order and close");
}

/* One queue, both families: the ARP reply sends the IPv4 datagram only;
 * the IPv6 one waits for its advertisement. */
static void
test_both_families(void)
{
	struct xchg_socket *sock;
	struct sent out;
	int err;
	struct fx f;

	if (!stack_up(&f))
		return;
	sock = udp_sock(&f, "dual", OUR_PORT, 16);
	if (sock == NULL)
		goto out;
	drain();
	XT_EQ(send6(sock, 7, 0x66, &err), 1);
	XT_EQ(err, EINPROGRESS);
	XT_EQ(send1(sock, 7, 0x44, &err), 1);
	XT_EQ(err, EINPROGRESS);
	XT_EQ(sstats(sock).pending, 2);
	out = drain();
	XT_EQ(out.ns, 1);
	XT_EQ(out.arp, 1);
	inject_arp_reply(7);
	xchg_stack_poll(f.s);
	out = drain();
	XT_EQ(out.udp, 1);
	XT_EQ(out.udp_marker[0], 0x44);
	XT_EQ(out.udp6, 0);
	XT_EQ(sstats(sock).pending, 1);
	XT_EQ(sstats(sock).pool.in_use, 1);
	inject_na(7);
	xchg_stack_poll(f.s);
	out = drain();
	XT_EQ(out.udp6, 1);
	XT_EQ(out.udp6_marker[0], 0x66);
	XT_EQ(sstats(sock).pending, 0);
	XT_EQ(sstats(sock).sent, 2);
out:
	stack_down(&f, "both families");
}

/* The last byte of 192.0.2.@d's MAC, 0 when unknown. */
static uint8_t
neigh_mac(struct fx *f, uint8_t d)
{
	struct rte_ether_addr mac;

	return xchg_stack_lookup_neighbour(f->s, ip4(d), &mac) == 0 ?
	       mac.addr_bytes[5] : 0;
}

struct age_of {
	rte_be32_t ip;
	int64_t age_ms;
};

static int
age_one(const struct xchg_neigh_info *n, void *arg)
{
	struct age_of *a = arg;

	if (n->ip == a->ip)
		a->age_ms = n->age_ms;
	return 0;
}

static int64_t
neigh_age_ms(struct fx *f, uint8_t d)
{
	struct age_of a = { ip4(d), -1 };

	XT_EQ(xchg_stack_neigh_foreach(f->s, age_one, &a), 0);
	return a.age_ms;
}

/* ARP from 192.0.2.@d with MAC byte @m, then one poll. */
static void
learn_from(struct fx *f, uint8_t d, uint8_t m)
{
	drain();
	inject_arp_from(d, m);
	xchg_stack_poll(f->s);
}

/*
 * Learning what the table knows already (issue 17): a learned entry or
 * a pinned peer with the same MAC is learned without the table's lock. What learning does must not change: the stamp moves
 * (age 0, and the entry outlives a timeout it would have reached
 * without), the count, a changed MAC is learned, the least recently
 * updated learned entry is the one replaced, and a static entry is never
 * replaced.
 */
static void
test_learn_known(void)
{
	struct xchg_stack_conf sc = {
		.clock = test_clock, .neigh_max = 2, .neigh_timeout_ms = 1000,
	};
	struct rte_ether_addr mac = {{ 0x02, 0, 0, 0, 0, 0x99 }};
	struct xchg_stack_stats st;
	struct fx f;

	if (!stack_up_conf(&f, &sc))
		return;
	learn_from(&f, 1, 1);
	XT_EQ(neigh_mac(&f, 1), 1);
	advance_ms(600);
	XT_EQ(neigh_age_ms(&f, 1), 600);
	learn_from(&f, 1, 1);
	XT_EQ(neigh_age_ms(&f, 1), 0);
	/* 1,200 ms after the first: alive, its stamp moved. */
	advance_ms(600);
	xchg_stack_poll(f.s);
	XT_EQ(neigh_mac(&f, 1), 1);
	/* A changed MAC is learned. */
	learn_from(&f, 1, 0x11);
	XT_EQ(neigh_mac(&f, 1), 0x11);

	/* Replacement, least recently updated first: .3 learned twice
	 * (the newest, unchanged), then .1 again (not the newest: it
	 * moves), so .4 replaces .3. */
	learn_from(&f, 3, 3);
	learn_from(&f, 3, 3);
	learn_from(&f, 1, 0x11);
	learn_from(&f, 4, 4);
	XT_EQ(neigh_mac(&f, 3), 0);
	XT_EQ(neigh_mac(&f, 1), 0x11);
	XT_EQ(neigh_mac(&f, 4), 4);
	/* .4 again, unchanged and the newest: .5 replaces .1. */
	learn_from(&f, 4, 4);
	learn_from(&f, 5, 5);
	XT_EQ(neigh_mac(&f, 1), 0);
	XT_EQ(neigh_mac(&f, 4), 4);
	XT_EQ(neigh_mac(&f, 5), 5);
	XT_EQ(xchg_stack_stats_get(f.s, &st), 0);
	XT_EQ(st.arp_learned, 9);

	/* A static entry: never replaced, nothing learned, either way. */
	XT_EQ(xchg_stack_add_neighbour(f.s, ip4(9), &mac), 0);
	learn_from(&f, 9, 9);
	learn_from(&f, 9, 0x99);
	XT_EQ(neigh_mac(&f, 9), 0x99);
	XT_EQ(xchg_stack_stats_get(f.s, &st), 0);
	XT_EQ(st.arp_learned, 9);

	/* Ageing: .4 (the older of the two, unchanged) refreshed 600 ms
	 * after both were learned; 1,200 ms after that, .5 expired and .4
	 * not, though .4 stood before .5 in the age order; 500 ms later .4
	 * too. */
	advance_ms(600);
	learn_from(&f, 4, 4);
	XT_EQ(neigh_age_ms(&f, 4), 0);
	XT_EQ(neigh_age_ms(&f, 5), 600);
	advance_ms(600);
	xchg_stack_poll(f.s);
	XT_EQ(neigh_mac(&f, 5), 0);
	XT_EQ(neigh_mac(&f, 4), 4);
	advance_ms(500);
	xchg_stack_poll(f.s);
	XT_EQ(neigh_mac(&f, 4), 0);
	XT_EQ(neigh_mac(&f, 9), 0x99);
	stack_down(&f, "learning known hosts");
}

/* An echo request from 192.0.2.1 to 192.0.2.2: @ihl words of IPv4
 * header (NOP options after the 20 bytes), TTL @ttl, ID @id, 8 bytes of
 * data; both checksums right. Written to @f (at least 14 + 60 + 16
 * bytes); returns the frame's length. */
static unsigned int
echo_request(uint8_t *f, const struct rte_ether_addr *us, unsigned int ihl,
	     uint8_t ttl, uint16_t id)
{
	unsigned int hl = ihl * 4, len = 14 + hl + 16;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(f + 14 + hl);

	memset(f, 0, len);
	memcpy(f, us->addr_bytes, 6);
	memcpy(f + 6, PEER_MAC, 6);
	f[12] = 0x08;
	memset(f + 14 + 20, 1, hl - 20);
	ip->version_ihl = (uint8_t)(0x40 | ihl);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hl + 16));
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = ip4(1);
	ip->dst_addr = ip4(2);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = 8;
	icmp->icmp_ident = rte_cpu_to_be_16(id);
	memset(icmp + 1, 0xa5, 8);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, 16);
	return len;
}

/* The reply header's checksum as a full sum would write it. */
static uint16_t
full_sum(const struct rte_ipv4_hdr *ip)
{
	uint8_t copy[60];
	struct rte_ipv4_hdr *c = (struct rte_ipv4_hdr *)copy;

	memcpy(copy, ip, rte_ipv4_hdr_len(ip));
	c->hdr_checksum = 0;
	return rte_ipv4_cksum(c);
}

/* Send one echo request, poll, and check its reply; returns true when a
 * reply came. */
static bool
echo_once(struct fx *fx, const struct rte_ether_addr *us, unsigned int ihl,
	  uint8_t ttl, uint16_t id)
{
	uint8_t f[14 + 60 + 16];
	struct rte_mbuf *m = NULL;
	bool got = false;

	xt_ring_put(ring, mp, f, echo_request(f, us, ihl, ttl, id));
	xchg_stack_poll(fx->s);
	while (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(p + 14);
		const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)
			((const uint8_t *)ip + rte_ipv4_hdr_len(ip));

		/* What else the stack sends (its IPv6 address's DAD). */
		if (p[12] != 0x08 || p[13] != 0 ||
		    ip->next_proto_id != IPPROTO_ICMP) {
			rte_pktmbuf_free(m);
			continue;
		}
		XT_CHECK(!got && icmp->icmp_type == 0 &&
			 ip->packet_id == rte_cpu_to_be_16(id),
			 "one echo reply, ID %#x", id);
		XT_EQ(ip->time_to_live, 64);
		XT_EQ(ip->src_addr, ip4(2));
		XT_EQ(ip->dst_addr, ip4(1));
		XT_CHECK(ip->hdr_checksum == full_sum(ip),
			 "IHL %u TTL %u ID %#x: checksum %#x, a full sum %#x",
			 ihl, ttl, id, ip->hdr_checksum, full_sum(ip));
		XT_EQ(rte_raw_cksum(icmp, 16), 0xffff);
		got = true;
		rte_pktmbuf_free(m);
	}
	return got;
}

/*
 * The echo reply's IPv4 header checksum (issue 17): the service updates
 * it for the new TTL (RFC 1624) instead of summing the header again; the
 * result must be the full sum's, bit for bit, for every TTL, with
 * options, and where the sum's two zeros (0x0000 and 0xffff) could
 * differ: a request and a reply whose full checksum is 0x0000.
 */
static void
test_icmp_reply_checksum(void)
{
	static const uint8_t ttls[] = { 1, 2, 63, 64, 65, 128, 254, 255 };
	static const uint8_t ihls[] = { 5, 6, 15 };
	struct rte_ipv4_hdr *ip;
	uint8_t f[14 + 60 + 16];
	struct rte_ether_addr us;
	struct xchg_stack_stats st;
	unsigned int i, j, sent = 0, got = 0;
	uint16_t id_req0 = 0, id_rep0 = 0;
	bool req0 = false, rep0 = false;
	struct fx fx;

	if (!stack_up(&fx))
		return;
	XT_EQ(rte_eth_macaddr_get(ring_id, &us), 0);
	drain();
	/* The IDs that make the request's, and the reply's, full checksum
	 * 0x0000 (TTL 100, no options). */
	ip = (struct rte_ipv4_hdr *)(f + 14);
	for (i = 0; i < 65536 && !(req0 && rep0); i++) {
		echo_request(f, &us, 5, 100, (uint16_t)i);
		if (!req0 && ip->hdr_checksum == 0) {
			req0 = true;
			id_req0 = (uint16_t)i;
		}
		ip->time_to_live = 64;
		if (!rep0 && full_sum(ip) == 0) {
			rep0 = true;
			id_rep0 = (uint16_t)i;
		}
	}
	XT_CHECK(req0 && rep0, "IDs with a zero checksum exist");
	got += echo_once(&fx, &us, 5, 100, id_req0);
	got += echo_once(&fx, &us, 5, 100, id_rep0);
	sent += 2;
	for (i = 0; i < RTE_DIM(ttls); i++)
		for (j = 0; j < RTE_DIM(ihls); j++, sent++)
			got += echo_once(&fx, &us, ihls[j], ttls[i],
					 (uint16_t)(0x1234 + 77 * sent));
	XT_EQ(got, sent);
	XT_EQ(xchg_stack_stats_get(fx.s, &st), 0);
	XT_EQ(st.icmp_echo_answered, sent);
	stack_down(&fx, "ICMP reply checksums");
}

/* An ARP request from 192.0.2.1 for 192.0.2.2. */
static void
inject_arp_request(void)
{
	uint8_t a[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1,
		0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1,
		0x02, 0, 0, 0, 0, 1, 192, 0, 2, 1,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 2,
	};

	xt_ring_put(ring, mp, a, sizeof(a));
}

/*
 * One service call answers more than a burst (issue 17: the services
 * stop reading at a short burst): 40 echo requests received in two RX
 * bursts wait in the ICMP consumer's ring; one xchg_stack_service()
 * answers all 40, in order; the same with 40 ARP requests.
 */
static void
test_services_more_than_a_burst(void)
{
	struct xchg_stack_conf sc = {
		.clock = test_clock, .arp_quota = 64, .icmp_quota = 64,
	};
	struct xchg_stack_stats st;
	struct rte_ether_addr us;
	uint8_t f[14 + 60 + 16];
	struct rte_mbuf *m = NULL;
	unsigned int i, got = 0;
	struct fx fx;

	if (!stack_up_conf(&fx, &sc))
		return;
	XT_EQ(rte_eth_macaddr_get(ring_id, &us), 0);
	xchg_stack_poll(fx.s);
	drain();
	for (i = 0; i < 40; i++)
		xt_ring_put(ring, mp, f, echo_request(f, &us, 5, 64,
						      (uint16_t)(100 + i)));
	XT_EQ(xchg_stack_rx(fx.s, 0), 32);
	XT_EQ(xchg_stack_rx(fx.s, 0), 8);
	xchg_stack_service(fx.s);
	while (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
				const struct rte_ipv4_hdr *, 14);

		XT_CHECK(ip->packet_id == rte_cpu_to_be_16(100 + got),
			 "reply %u in order", got);
		got++;
		rte_pktmbuf_free(m);
	}
	XT_EQ(got, 40);
	XT_EQ(xchg_stack_stats_get(fx.s, &st), 0);
	XT_EQ(st.icmp_echo_answered, 40);

	/* The same for ARP: 40 requests for 192.0.2.2. */
	for (i = 0; i < 40; i++)
		inject_arp_request();
	XT_EQ(xchg_stack_rx(fx.s, 0), 32);
	XT_EQ(xchg_stack_rx(fx.s, 0), 8);
	xchg_stack_service(fx.s);
	got = 0;
	while (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		got += p[12] == 0x08 && p[13] == 0x06 && p[21] == 2;
		rte_pktmbuf_free(m);
	}
	XT_EQ(got, 40);
	XT_EQ(xchg_stack_stats_get(fx.s, &st), 0);
	XT_EQ(st.arp_requests_answered, 40);
	stack_down(&fx, "more than a burst of echo and ARP requests");
}

/*
 * Both services reply in one poll, in one TX call (issue 17), to a TX
 * ring with room for @room frames only: 6 ARP replies, then 5 echo
 * replies. The first @room go out, ARP's first; each frame not sent goes
 * back to the service that paid for it (its pool accepts it again, then
 * its free returns it), each service's answered counts its own frames
 * sent, the TX queue's full counts every frame not sent; nothing is left
 * charged, and the census is conserved.
 */
static void
services_tx_partial(unsigned int room)
{
	struct xchg_stack_conf sc = {
		.clock = test_clock, .arp_quota = 64, .icmp_quota = 64,
	};
	const unsigned int nb_arp = 6, nb_icmp = 5;
	unsigned int sent_arp = RTE_MIN(room, nb_arp);
	unsigned int sent_icmp = room > nb_arp ? RTE_MIN(room - nb_arp, nb_icmp)
					       : 0;
	unsigned int i, got_arp = 0, got_icmp = 0, other = 0;
	struct xchg_pool_stats arp0, icmp0, arp1, icmp1;
	struct xchg_stack_stats st0, st1;
	struct xchg_port_stats ps0, ps1;
	struct xchg_pool *parp, *picmp;
	struct rte_mbuf *m = NULL;
	struct rte_ether_addr us;
	uint8_t f[14 + 60 + 16];
	struct fx fx;

	if (!stack_up_conf(&fx, &sc))
		return;
	XT_EQ(rte_eth_macaddr_get(ring_id, &us), 0);
	xchg_stack_poll(fx.s);
	drain();
	parp = xchg_stack_service_pool(fx.s, false);
	picmp = xchg_stack_service_pool(fx.s, true);
	arp0 = xt_pool_stats(parp);
	icmp0 = xt_pool_stats(picmp);
	XT_EQ(xchg_stack_stats_get(fx.s, &st0), 0);
	XT_EQ(xchg_port_stats_get(fx.port, &ps0), 0);

	for (i = 0; i < nb_arp; i++)
		inject_arp_request();
	for (i = 0; i < nb_icmp; i++)
		xt_ring_put(ring, mp, f, echo_request(f, &us, 5, 64,
						      (uint16_t)(200 + i)));
	XT_EQ(xchg_stack_rx(fx.s, 0), nb_arp + nb_icmp);
	xt_stack_service_room(fx.s, ring, mp, room);
	while (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		if (p[12] == 0x08 && p[13] == 0x06 && p[21] == 2) {
			XT_CHECK(got_icmp == 0, "ARP's replies before ICMP's");
			got_arp++;
		} else if (p[12] == 0x08 && p[13] == 0 && p[23] == IPPROTO_ICMP &&
			   p[34] == 0) {
			got_icmp++;
		} else {
			other++;
		}
		rte_pktmbuf_free(m);
	}
	XT_EQ(got_arp, sent_arp);
	XT_EQ(got_icmp, sent_icmp);
	XT_EQ(other, 0);

	/* Each service's answered counts its own replies sent; the queue
	 * counts every one not sent. */
	XT_EQ(xchg_stack_stats_get(fx.s, &st1), 0);
	XT_EQ(st1.arp_requests_answered - st0.arp_requests_answered, sent_arp);
	XT_EQ(st1.icmp_echo_answered - st0.icmp_echo_answered, sent_icmp);
	XT_EQ(xchg_port_stats_get(fx.port, &ps1), 0);
	XT_EQ(ps1.tx_full - ps0.tx_full,
	      nb_arp + nb_icmp - sent_arp - sent_icmp);
	XT_EQ(ps1.tx_nobufs - ps0.tx_nobufs, 0);
	/* Each unsent reply went back to its own payer: its pool accepted
	 * the request, was credited when the reply went to the TX queue,
	 * accepted the unsent reply back and was credited by its free. */
	arp1 = xt_pool_stats(parp);
	icmp1 = xt_pool_stats(picmp);
	XT_EQ(arp1.accepted - arp0.accepted, nb_arp + (nb_arp - sent_arp));
	XT_EQ(arp1.returned - arp0.returned, nb_arp + (nb_arp - sent_arp));
	XT_EQ(icmp1.accepted - icmp0.accepted,
	      nb_icmp + (nb_icmp - sent_icmp));
	XT_EQ(icmp1.returned - icmp0.returned,
	      nb_icmp + (nb_icmp - sent_icmp));
	xt_pool_expect(parp, 0, "ARP holds nothing");
	xt_pool_expect(picmp, 0, "ICMP holds nothing");
	xt_pool_expect(xchg_port_tx_pool(fx.port, 0), 0,
		       "the TX queue holds nothing");
	stack_down(&fx, "services' replies, part of them sent");
}

static void
test_services_tx_partial(void)
{
	/* Room for none, for part of ARP's run, for ARP's run and part of
	 * ICMP's, for all. */
	services_tx_partial(0);
	services_tx_partial(4);
	services_tx_partial(8);
	services_tx_partial(11);
}

/*
 * xchg_port_tx_payers() refuses what it cannot send without charging
 * anybody: no payers, no frames array, payers adding up to more than
 * one TX burst; a payer of no frame costs nothing.
 */
static void
test_port_tx_payers_misuse(void)
{
	struct xchg_port_payer payers[2];
	struct rte_mbuf *m[1] = { NULL };
	struct fx fx;

	if (!stack_up(&fx))
		return;
	xchg_stack_poll(fx.s);
	drain();
	payers[0] = (struct xchg_port_payer){ .pool = NULL, .n = 1 };
	rte_errno = 0;
	XT_EQ(xchg_port_tx_payers(fx.port, 0, NULL, 1, m), 0);
	XT_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	XT_EQ(xchg_port_tx_payers(fx.port, 0, payers, 0, m), 0);
	XT_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	XT_EQ(xchg_port_tx_payers(fx.port, 0, payers, 1, NULL), 0);
	XT_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	XT_EQ(xchg_port_tx_payers(fx.port, 1, payers, 1, m), 0);
	XT_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	XT_EQ(xchg_port_tx_payers(NULL, 0, payers, 1, m), 0);
	XT_EQ(rte_errno, EINVAL);
	/* 2 x 65,535 frames: more than rte_eth_tx_burst() takes. */
	payers[0].n = UINT16_MAX;
	payers[1] = payers[0];
	rte_errno = 0;
	XT_EQ(xchg_port_tx_payers(fx.port, 0, payers, 2, m), 0);
	XT_EQ(rte_errno, EINVAL);
	payers[0].n = 0;
	payers[1].n = 0;
	XT_EQ(xchg_port_tx_payers(fx.port, 0, payers, 2, m), 0);
	xt_pool_expect(xchg_port_tx_pool(fx.port, 0), 0,
		       "the TX queue charged for nothing");
	stack_down(&fx, "xchg_port_tx_payers() misuse");
}

int
main(int argc __rte_unused, char **argv)
{
	xt_ring_init(argv[0], "stack_pending", NULL, &ring, &ring_id);
	hz = rte_get_timer_hz();
	arena = xt_arena("stack_pending", 512, 0);
	mp = xchg_arena_mempool(arena);

	XT_RUN(test_queued_then_sent);
	XT_RUN(test_timeout);
	XT_RUN(test_bound_per_socket);
	XT_RUN(test_order_and_close);
	XT_RUN(test_queued_then_sent6);
	XT_RUN(test_timeout6);
	XT_RUN(test_both_families);
	XT_RUN(test_learn_known);
	XT_RUN(test_icmp_reply_checksum);
	XT_RUN(test_services_more_than_a_burst);
	XT_RUN(test_services_tx_partial);
	XT_RUN(test_port_tx_payers_misuse);

	return xt_arena_done(arena, "stack_pending");
}
