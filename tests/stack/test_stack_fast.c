/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The demux's fast path (lib/stack/xchg_stack_fast.c, issue 17 item 3).
 *
 * same_verdict: every variant of a UDP frame that the fast path must
 * leave alone (a VLAN tag, IPv4 options, a fragment, a bad checksum, a
 * UDP checksum to verify, an unbound port, a broadcast, two
 * segments...) and the common frames it must take. Each frame is
 * built twice: xchg_stack_fast_try() runs on one copy and must take it
 * exactly when the table says; a frame it takes must get from the general
 * path, xchg_stack_demux(), on the other copy the same consumer, the same
 * headers stripped and the same counters; a frame it leaves must be
 * untouched and uncounted. A check left out of the fast path (a planted
 * bug) makes it take a frame the table says it must leave.
 *
 * interleaved_order: one receive burst through a net_ring port mixing
 * fast frames, general-path frames delivered at once (VLAN, IPv4
 * options), dropped frames and a datagram reassembled in the middle of
 * the burst, for two sockets: each socket receives its datagrams in
 * arrival order (a reassembled one where its last fragment came), and
 * the stack's, the sockets' and the pools' counters are exact. The
 * census closes every test.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_stack_private.h"
#include "xchg_test.h"
#include "xt_stack.h"
#include "xt_frames.h"

#define P_ANY 5000        /* bound to any of ours */
#define P_LOCAL 5001      /* bound to 192.0.2.2 */
#define P_PEER 5002       /* connected to 192.0.2.1:12345 */
#define P_OTHER 5003      /* connected to 192.0.2.9:1 */
#define P_NONE 5999       /* nobody's */

static struct rte_mempool *mp;
static struct rte_ring *ring;
static struct xchg_arena *arena;
static uint16_t ring_id;

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	/* RTE_IPV4() shifts an int: undefined past 127 in 22.11. */
	return rte_cpu_to_be_32(RTE_IPV4((uint32_t)a, b, c, d));
}

/* The IPv4 header's checksum (options included), in place. */
static void
ip_sum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &c, 2);
}

/* What a frame looks like; zero is the common frame to P_ANY. */
struct shape {
	const char *name;
	bool fast;               /* the fast path must take it */
	bool vlan;
	bool options;            /* 4 bytes of IPv4 options */
	uint16_t frag;           /* the flags and offset field */
	bool ttl0, bad_ipsum, v6_in_v4;
	uint8_t proto;           /* 0: UDP */
	uint8_t src[4], dst[4];  /* 0.0.0.0: the usual */
	uint16_t dport;          /* 0: P_ANY */
	int udp_sum;             /* 0: none, 1: good, -1: bad */
	int udp_len_delta;       /* added to the UDP length field */
	int total_delta;         /* added to the IPv4 total length */
	unsigned int pad;        /* bytes after the datagram */
	unsigned int cut;        /* bytes cut off the frame's end */
	unsigned int split;      /* bytes in a second segment, 0: one */
	uint16_t sport;          /* 0: 12345 */
	uint16_t ethertype;      /* 0: IPv4 */
	bool options_lie;        /* options that read as a UDP header */
};

/* Build @sh with an 8-byte payload starting with @seq; returns the
 * length. */
static unsigned int
build(uint8_t *f, const struct shape *sh, uint16_t seq)
{
	static const uint8_t src[4] = { 192, 0, 2, 1 }, dst[4] = { 192, 0, 2, 2 };
	static const uint8_t zero[4];
	uint16_t dport = sh->dport != 0 ? sh->dport : P_ANY;
	unsigned int l2 = sh->vlan ? 18 : 14, ihl = sh->options ? 24 : 20;
	uint8_t *ip = f + l2, *udp = ip + ihl;
	uint16_t udp_len = 16, total = (uint16_t)(ihl + udp_len), c;

	memset(f, 0, 128);
	memcpy(f, (const uint8_t[]){ 0x02, 0, 0, 0, 0, 0x02,
				     0x02, 0, 0, 0, 0, 0x01 }, 12);
	if (sh->vlan) {
		f[12] = 0x81;
		f[15] = 7;
	}
	f[l2 - 2] = 0x08;
	if (sh->ethertype != 0) {
		f[l2 - 2] = (uint8_t)(sh->ethertype >> 8);
		f[l2 - 1] = (uint8_t)sh->ethertype;
	}
	ip[0] = (uint8_t)((sh->v6_in_v4 ? 0x60 : 0x40) | ihl / 4);
	total = (uint16_t)(total + sh->total_delta);
	ip[2] = total >> 8;
	ip[3] = total & 0xff;
	ip[5] = (uint8_t)seq;
	ip[6] = sh->frag >> 8;
	ip[7] = sh->frag & 0xff;
	ip[8] = sh->ttl0 ? 0 : 64;
	ip[9] = sh->proto != 0 ? sh->proto : 17;
	memcpy(ip + 12, memcmp(sh->src, zero, 4) ? sh->src : src, 4);
	memcpy(ip + 16, memcmp(sh->dst, zero, 4) ? sh->dst : dst, 4);
	if (sh->options)
		memset(ip + 20, 1, 4); /* four NOPs */
	/* Options and a source port that read like a UDP header to P_ANY
	 * from 20 bytes in, and options that sum to zero, so that the
	 * first 20 bytes alone pass the checksum: a fast path that took
	 * the header for 20 bytes long would take the frame. */
	if (sh->options_lie)
		memcpy(ip + 20, (const uint8_t[]){
			(uint8_t)((0xffff - P_ANY) >> 8),
			(uint8_t)(0xffff - P_ANY), P_ANY >> 8,
			P_ANY & 0xff }, 4);
	ip_sum(ip);
	if (sh->bad_ipsum)
		ip[10] ^= 0x01;
	udp[0] = sh->sport != 0 ? sh->sport >> 8 : 0x30;
	udp[1] = sh->sport != 0 ? sh->sport & 0xff : 0x39;
	udp[2] = dport >> 8;
	udp[3] = dport & 0xff;
	udp[4] = (uint8_t)((udp_len + sh->udp_len_delta) >> 8);
	udp[5] = (uint8_t)(udp_len + sh->udp_len_delta);
	udp[8] = seq >> 8;
	udp[9] = seq & 0xff;
	memset(udp + 10, 0x5a, 6);
	if (sh->udp_sum != 0) {
		/* Over the pseudo header and the datagram, which fills the
		 * IPv4 payload here (0xffff for a sum of 0). */
		c = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, udp);
		memcpy(udp + 6, &c, 2);
		if (sh->udp_sum < 0)
			udp[7] ^= 0x01;
	}
	return l2 + ihl + udp_len + sh->pad - sh->cut;
}

static struct rte_mbuf *
frame_mbuf(const uint8_t *f, unsigned int len, unsigned int split)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *t;
	unsigned int first = len - split;
	char *p = m != NULL ? rte_pktmbuf_append(m, (uint16_t)first) : NULL;

	XT_CHECK(p != NULL, "frame buffer");
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, f, first);
	if (split == 0)
		return m;
	t = rte_pktmbuf_alloc(mp);
	p = t != NULL ? rte_pktmbuf_append(t, (uint16_t)(len - first)) : NULL;
	XT_CHECK(p != NULL && rte_pktmbuf_chain(m, t) == 0, "second segment");
	if (p != NULL)
		memcpy(p, f + first, len - first);
	return m;
}

static struct xchg_stack_stats
stats(struct xchg_stack *s)
{
	struct xchg_stack_stats st;

	memset(&st, 0, sizeof(st));
	XT_EQ(xchg_stack_stats_get(s, &st), 0);
	return st;
}

struct fx {
	struct xchg_port *port;
	struct xchg_stack *s;
	struct xchg_socket *sock[4];
};

static bool
stack_up(struct fx *f, bool verify)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	struct xchg_stack_conf conf = { .verify_udp_checksum = verify };
	static const uint16_t ports[4] = { P_ANY, P_LOCAL, P_PEER, P_OTHER };
	char name[32];
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->s = xt_stack_create(arena, ring_id, &pc, &conf, &f->port);
	if (f->s == NULL)
		return false;
	XT_EQ(xchg_stack_add_address(f->s, ip4(192, 0, 2, 2), 24), 0);
	XT_EQ(xchg_stack_add_address(f->s, ip4(198, 51, 100, 2), 24), 0);
	for (i = 0; i < RTE_DIM(ports); i++) {
		snprintf(name, sizeof(name), "fast%u", i);
		f->sock[i] = xchg_udp_socket(f->s, name, 64, XCHG_PRIO_NORMAL);
		XT_CHECK(f->sock[i] != NULL, "socket %s", name);
		if (f->sock[i] == NULL)
			continue;
		XT_EQ(xchg_udp_bind(f->sock[i], i == 1 ? ip4(192, 0, 2, 2) : 0,
				    ports[i]), 0);
	}
	if (f->sock[2] != NULL)
		XT_EQ(xchg_udp_connect(f->sock[2], ip4(192, 0, 2, 1), 12345), 0);
	if (f->sock[3] != NULL)
		XT_EQ(xchg_udp_connect(f->sock[3], ip4(192, 0, 2, 9), 1), 0);
	XT_EQ(xchg_port_start(f->port), 0);
	return true;
}

static void
stack_down(struct fx *f, const char *when)
{
	struct rte_mbuf *m;
	unsigned int i;

	xchg_port_stop(f->port);
	while (rte_ring_dequeue(ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	for (i = 0; i < RTE_DIM(f->sock); i++)
		if (f->sock[i] != NULL)
			XT_EQ(xchg_socket_close(f->sock[i]), 0);
	XT_EQ(xchg_stack_free(f->s), 0);
	XT_EQ(xchg_port_free(f->port), 0);
	xt_census_ok(arena, when);
}

/* The frames of same_verdict. */
static const struct shape shapes[] = {
	{ .name = "common", .fast = true },
	{ .name = "bound to our address", .fast = true, .dport = P_LOCAL },
	{ .name = "connected, its peer", .fast = true, .dport = P_PEER },
	{ .name = "don't fragment", .fast = true, .frag = 0x4000 },
	{ .name = "ethernet padding", .fast = true, .pad = 12 },
	{ .name = "IP datagram past UDP", .fast = true, .udp_len_delta = -4 },
	{ .name = "connected, another peer", .dport = P_OTHER },
	{ .name = "connected, its peer's other port", .dport = P_PEER,
	  .sport = 999 },
	{ .name = "connected, another host", .dport = P_PEER,
	  .src = { 192, 0, 2, 7 } },
	{ .name = "unbound port", .dport = P_NONE },
	{ .name = "VLAN tag", .vlan = true },
	{ .name = "IPv4 options", .options = true },
	{ .name = "IPv4 options like UDP", .options = true,
	  .options_lie = true, .sport = 16 },
	{ .name = "first fragment", .frag = 0x2000 },
	{ .name = "later fragment", .frag = 0x0001 },
	{ .name = "TTL 0", .ttl0 = true },
	{ .name = "bad IPv4 checksum", .bad_ipsum = true },
	{ .name = "version 6", .v6_in_v4 = true },
	{ .name = "ICMP", .proto = 1 },
	{ .name = "TCP", .proto = 6 },
	{ .name = "to the broadcast", .dst = { 192, 0, 2, 255 } },
	{ .name = "to the limited broadcast", .dst = { 255, 255, 255, 255 } },
	{ .name = "not for us", .dst = { 192, 0, 2, 3 } },
	{ .name = "from multicast", .src = { 224, 0, 0, 1 } },
	{ .name = "from the subnet broadcast", .src = { 192, 0, 2, 255 } },
	{ .name = "UDP length short", .udp_len_delta = -9 },
	{ .name = "UDP length long", .udp_len_delta = 1 },
	{ .name = "IPv4 total long", .total_delta = 1 },
	{ .name = "IPv4 total short", .total_delta = -9 },
	{ .name = "IPv4 total below the header", .total_delta = -24 },
	{ .name = "truncated", .cut = 4 },
	{ .name = "headers only, cut", .cut = 9 },
	{ .name = "two segments", .split = 6 },
	{ .name = "padding in a second segment", .pad = 12, .split = 12 },
	{ .name = "to our second address", .fast = true,
	  .dst = { 198, 51, 100, 2 } },
	{ .name = "to our second address, socket bound to the first",
	  .dport = P_LOCAL, .dst = { 198, 51, 100, 2 } },
	{ .name = "from the second subnet's broadcast",
	  .src = { 198, 51, 100, 255 } },
	/* Last: taken by the packet socket of test_same_verdict(). */
	{ .name = "IPv4 in another ethertype", .ethertype = 0x88b5 },
};

/* Run @sh through the fast path and the general path and compare. */
static void
compare(struct fx *f, const struct shape *sh, bool verify_fast)
{
	uint8_t fr[128];
	unsigned int len = build(fr, sh, 7);
	struct rte_mbuf *a = frame_mbuf(fr, len, sh->split);
	struct rte_mbuf *b = frame_mbuf(fr, len, sh->split);
	enum xchg_drop_reason ra = XCHG_DROP_NO_CONSUMER, rb = ra;
	struct xchg_stack_stats s0, s1, s2;
	struct xchg_consumer *ca = NULL, *cb;
	bool fast = sh->fast && verify_fast;
	bool took;

	if (a == NULL || b == NULL) {
		rte_pktmbuf_free(a);
		rte_pktmbuf_free(b);
		return;
	}
	s0 = stats(f->s);
	took = xchg_stack_fast_try(f->s, a, &ca, &ra);
	s1 = stats(f->s);
	XT_CHECK(took == fast, "%s: fast path %s it", sh->name,
		 took ? "took" : "left");
	if (!took) {
		/* Untouched, uncounted: the general path decides alone. */
		XT_CHECK(rte_pktmbuf_data_len(a) == rte_pktmbuf_data_len(b) &&
			 rte_pktmbuf_pkt_len(a) == rte_pktmbuf_pkt_len(b) &&
			 a->data_off == b->data_off &&
			 memcmp(rte_pktmbuf_mtod(a, void *),
				rte_pktmbuf_mtod(b, void *),
				rte_pktmbuf_data_len(a)) == 0,
			 "%s: left untouched", sh->name);
		XT_CHECK(memcmp(&s0, &s1, sizeof(s0)) == 0,
			 "%s: left uncounted", sh->name);
		rte_pktmbuf_free(a);
		a = NULL;
	}
	cb = xchg_stack_demux(b, f->s, &rb);
	s2 = stats(f->s);
	if (took) {
		XT_CHECK(ca == cb && ca != NULL, "%s: same consumer", sh->name);
		XT_EQ(ra, rb);
		XT_CHECK(a->data_off == b->data_off &&
			 rte_pktmbuf_data_len(a) == rte_pktmbuf_data_len(b) &&
			 rte_pktmbuf_pkt_len(a) == rte_pktmbuf_pkt_len(b) &&
			 a->l2_len == b->l2_len && a->l3_len == b->l3_len &&
			 a->l4_len == b->l4_len,
			 "%s: same headers stripped (%u/%u against %u/%u)",
			 sh->name, a->data_off, rte_pktmbuf_pkt_len(a),
			 b->data_off, rte_pktmbuf_pkt_len(b));
		/* The same counters moved by the same amounts. */
		XT_EQ(s1.frames - s0.frames, s2.frames - s1.frames);
		XT_CHECK(memcmp(s0.drops, s1.drops, sizeof(s0.drops)) == 0 &&
			 memcmp(s1.drops, s2.drops, sizeof(s1.drops)) == 0,
			 "%s: no drop counted", sh->name);
		rte_pktmbuf_free(a);
	} else {
		XT_EQ(s2.frames - s1.frames, 1);
	}
	/* What the general path keeps (fragments) is its own. */
	if (cb != NULL || rb != XCHG_DEMUX_KEPT)
		rte_pktmbuf_free(b);
}

static void
test_same_verdict(void)
{
	struct xchg_socket *pkt;
	struct fx f;
	unsigned int i, verify;

	for (verify = 0; verify < 2; verify++) {
		if (!stack_up(&f, verify))
			return;
		for (i = 0; i < RTE_DIM(shapes); i++)
			compare(&f, &shapes[i], true);
		/* UDP checksums: taken when nobody verifies them; with
		 * verify on, a datagram with a checksum goes the general
		 * way, good (delivered) or bad (dropped). */
		compare(&f, &(struct shape){ .name = "good UDP checksum",
					     .fast = true, .udp_sum = 1 },
			!verify);
		compare(&f, &(struct shape){ .name = "bad UDP checksum",
					     .fast = true, .udp_sum = -1 },
			!verify);
		/* Packet sockets: never for IPv4 (the stack's own), so one
		 * for another type leaves the fast path as it was. */
		XT_CHECK(xchg_packet_socket(f.s, "fast_ipv4",
					    RTE_ETHER_TYPE_IPV4, 16,
					    XCHG_PRIO_NORMAL) == NULL,
			 "no packet socket for IPv4");
		pkt = xchg_packet_socket(f.s, "fast_exp", 0x88b5, 16,
					 XCHG_PRIO_NORMAL);
		XT_CHECK(pkt != NULL, "packet socket");
		compare(&f, &shapes[0], true);
		compare(&f, &shapes[RTE_DIM(shapes) - 1], false);
		if (pkt != NULL)
			XT_EQ(xchg_socket_close(pkt), 0);
		/* A capture sees every frame: the general path's. */
		if (verify) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "%s/fast.pcap",
				 xt_tmpdir());
			XT_EQ(xchg_stack_set_capture(f.s, path, 16, NULL, 0),
			      0);
			compare(&f, &shapes[0], false);
		}
		stack_down(&f, verify ? "same verdict, verify" :
			   "same verdict");
	}
}

static void
inject(const struct shape *sh, uint16_t seq)
{
	uint8_t fr[128];
	struct rte_mbuf *m = frame_mbuf(fr, build(fr, sh, seq), 0);

	if (m != NULL)
		XT_CHECK(rte_ring_enqueue(ring, m) == 0, "ring full");
}

/* Two fragments of one datagram: the UDP header, then the payload. */
static void
inject_frag(uint16_t dport, uint16_t seq, bool last)
{
	uint8_t fr[128];
	struct shape sh = { .frag = last ? 1 : 0x2000, .dport = dport,
			    .total_delta = -8 };
	unsigned int len = build(fr, &sh, seq), ihl = 20;
	uint8_t *ip = fr + 14;

	/* build() made the 16-byte datagram; keep one half of it. */
	if (last)
		memmove(ip + ihl, ip + ihl + 8, 8);
	ip_sum(ip);
	len -= 8;
	{
		struct rte_mbuf *m = frame_mbuf(fr, len, 0);

		if (m != NULL)
			XT_CHECK(rte_ring_enqueue(ring, m) == 0, "ring full");
	}
}

static void
expect_order(struct xchg_socket *sock, const uint16_t *seq, unsigned int n,
	     const char *who)
{
	struct rte_mbuf *m[32];
	unsigned int got = xchg_socket_recv_burst(sock, m, RTE_DIM(m)), i;

	XT_CHECK(got == n, "%s: %u datagrams, expected %u", who, got, n);
	for (i = 0; i < got; i++) {
		uint8_t buf[2];
		/* A reassembled datagram is a chain. */
		const uint8_t *p = rte_pktmbuf_read(m[i], 0, 2, buf);

		if (p == NULL)
			p = (const uint8_t[]){ 0xff, 0xff };

		if (i < n)
			XT_CHECK(rte_pktmbuf_pkt_len(m[i]) == 8 &&
				 (uint16_t)(p[0] << 8 | p[1]) == seq[i],
				 "%s: datagram %u is %u (len %u), expected %u",
				 who, i, (unsigned int)(p[0] << 8 | p[1]),
				 rte_pktmbuf_pkt_len(m[i]), seq[i]);
		rte_pktmbuf_free(m[i]);
	}
}

static void
test_interleaved_order(void)
{
	static const struct shape common = { .name = "common" };
	static const struct shape vlan = { .vlan = true };
	static const struct shape opts = { .options = true };
	static const struct shape bad = { .bad_ipsum = true };
	static const struct shape unbound = { .dport = P_NONE };
	static const struct shape peer = { .dport = P_PEER };
	static const struct shape peer_vlan = { .dport = P_PEER, .vlan = true };
	/* In arrival order at P_ANY: 3 completes at its last fragment,
	 * so 6, 8 and 9 are held back after it, fast or not. */
	static const uint16_t any[] = { 0, 1, 4, 5, 3, 6, 8, 9, 11 };
	static const uint16_t other[] = { 2, 7, 10, 12 };
	struct xchg_socket_stats ss;
	struct xchg_stack_stats st;
	struct fx f;
	unsigned int frames = 0;

	if (!stack_up(&f, false))
		return;
	inject(&common, 0), frames++;
	inject(&vlan, 1), frames++;
	inject(&peer, 2), frames++;
	inject_frag(P_ANY, 3, false), frames++;
	inject(&common, 4), frames++;
	inject(&opts, 5), frames++;
	inject(&bad, 100), frames++;
	inject_frag(P_ANY, 3, true), frames++;
	inject(&common, 6), frames++;
	inject(&peer, 7), frames++;
	inject(&opts, 8), frames++;
	inject(&common, 9), frames++;
	inject(&unbound, 101), frames++;
	inject(&peer_vlan, 10), frames++;
	inject(&vlan, 11), frames++;
	inject(&peer, 12), frames++;
	/* One burst: the port takes up to 32 frames at a time. */
	XT_EQ(xchg_stack_rx(f.s, 0), frames);
	XT_EQ(rte_ring_count(ring), 0);
	expect_order(f.sock[0], any, RTE_DIM(any), "P_ANY");
	expect_order(f.sock[2], other, RTE_DIM(other), "P_PEER");

	st = stats(f.s);
	XT_EQ(st.frames, frames);
	XT_EQ(st.drops[XCHG_SD_IPV4_CHECKSUM], 1);
	XT_EQ(st.drops[XCHG_SD_NO_SOCKET], 1);
	XT_EQ(st.reassembled, 1);
	/* Frames handed to a consumer: every one but the two drops and
	 * the two fragments, which count once their datagram is. */
	XT_EQ(st.delivered, frames - 2);
	memset(&ss, 0, sizeof(ss));
	XT_EQ(xchg_socket_stats_get(f.sock[0], &ss), 0);
	XT_EQ(ss.received, RTE_DIM(any));
	XT_EQ(ss.pool.in_use, 0);
	XT_EQ(xchg_socket_stats_get(f.sock[2], &ss), 0);
	XT_EQ(ss.received, RTE_DIM(other));
	XT_EQ(ss.pool.in_use, 0);
	stack_down(&f, "interleaved order");
}

int
main(int argc __rte_unused, char **argv)
{
	xt_ring_init(argv[0], "stack_fast", NULL, &ring, &ring_id);
	arena = xt_arena("stack_fast", 1024, 0);
	mp = xchg_arena_mempool(arena);

	XT_RUN(test_same_verdict);
	XT_RUN(test_interleaved_order);

	return xt_arena_done(arena, "stack_fast");
}
