/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * IPv6 neighbours (issue 21): the table's isolation rules (configured
 * and pinned entries apart from learned ones, learning never replaces
 * them), resolution by neighbour solicitation paid by the sender, the ND
 * service answering and learning, duplicate address detection (clean
 * and conflicting), ICMPv6 echo, IPv6 routes, every malformed ND and
 * ICMPv6 message dropped with its reason, and the ND and ICMPv6 replies
 * of one poll in one TX call with room for part of them
 * (services6_tx_partial, issue 17).
 *
 * Frames go through a net_ring port whose RX and TX share one ring: the
 * test puts solicitations and advertisements in, what the stack sends
 * comes out there. Time is the test's own clock, so every count is
 * exact however slow the machine is. Each test ends with a census.
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_stack_private.h"
#include "xchg_test.h"
#include "xt_stack.h"


static struct xchg_arena *arena;
static struct rte_mempool *mp;
static struct rte_ring *ring;
static uint16_t ring_id;
static uint64_t clock_now;
static uint64_t hz;
static struct rte_ether_addr our_mac;

/* 2001:db8::@d */
static void
g6(uint8_t d, uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[0] = 0x20;
	ip[1] = 0x01;
	ip[2] = 0x0d;
	ip[3] = 0xb8;
	ip[15] = d;
}

/* fe80::@d */
static void
ll6(uint8_t d, uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[0] = 0xfe;
	ip[1] = 0x80;
	ip[15] = d;
}

static void
peer_mac(uint8_t d, struct rte_ether_addr *mac)
{
	static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(mac->addr_bytes, base, 6);
	mac->addr_bytes[5] = d;
}

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

struct fx {
	struct xchg_port *port;
	struct xchg_stack *s;
};

static bool
stack_up(struct fx *f, uint32_t neigh_max)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	struct xchg_stack_conf sc = { .clock = test_clock,
				      .neigh_max = neigh_max };
	uint8_t ip[16];

	memset(f, 0, sizeof(*f));
	clock_now = hz;
	f->s = xt_stack_create(arena, ring_id, &pc, &sc, &f->port);
	if (f->s == NULL)
		return false;
	rte_eth_macaddr_get(ring_id, &our_mac);
	g6(2, ip);
	XT_EQ(xchg_stack_add_address6(f->s, ip, 64), 0);
	XT_EQ(xchg_port_start(f->port), 0);
	return true;
}

/* What the stack sent, out of the ring. */
struct sent {
	unsigned int ns, dad, na, echo, other;
	uint8_t ns_target[8];         /* last byte of each target */
	uint8_t na_target[8];
	uint8_t na_flags[8];
	uint8_t na_dst[8][16];
};

static bool
icmp6_sum_ok(const uint8_t *ip6, uint32_t len)
{
	uint8_t tail[8] = { 0, 0, (uint8_t)(len >> 8), (uint8_t)len,
			    0, 0, 0, 58 };
	uint32_t sum = rte_raw_cksum(ip6 + 8, 32) +
		       rte_raw_cksum(tail, 8) + rte_raw_cksum(ip6 + 40, len);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static struct sent
drain(void)
{
	static const uint8_t zero[16];
	struct sent out;
	struct rte_mbuf *m;

	memset(&out, 0, sizeof(out));
	while (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		const uint8_t *ip6 = p + 14, *icmp = p + 54;
		uint32_t len = rte_pktmbuf_data_len(m);

		if (len < 58 || p[12] != 0x86 || p[13] != 0xdd ||
		    ip6[6] != 58) {
			out.other++;
			rte_pktmbuf_free(m);
			continue;
		}
		XT_CHECK(icmp6_sum_ok(ip6, (uint32_t)(ip6[4] << 8 | ip6[5])),
			 "ICMPv6 checksum of type %u", icmp[0]);
		XT_EQ(memcmp(p + 6, &our_mac, 6), 0);
		if (icmp[0] == 135 && memcmp(ip6 + 8, zero, 16) == 0) {
			XT_EQ(ip6[7], 255);
			out.dad++;
		} else if (icmp[0] == 135) {
			XT_EQ(ip6[7], 255);
			/* To the target's solicited-node group, with our
			 * link-layer address. */
			XT_EQ(ip6[24], 0xff);
			XT_EQ(ip6[36], 0xff);
			XT_EQ(memcmp(ip6 + 37, icmp + 21, 3), 0);
			XT_EQ(p[0], 0x33);
			XT_EQ(icmp[24], 1);
			XT_EQ(memcmp(icmp + 26, &our_mac, 6), 0);
			if (out.ns < RTE_DIM(out.ns_target))
				out.ns_target[out.ns] = icmp[23];
			out.ns++;
		} else if (icmp[0] == 136) {
			XT_EQ(ip6[7], 255);
			XT_EQ(icmp[24], 2);
			XT_EQ(memcmp(icmp + 26, &our_mac, 6), 0);
			if (out.na < RTE_DIM(out.na_target)) {
				out.na_target[out.na] = icmp[23];
				out.na_flags[out.na] = icmp[4];
				memcpy(out.na_dst[out.na], ip6 + 24, 16);
			}
			out.na++;
		} else if (icmp[0] == 129) {
			out.echo++;
		} else {
			out.other++;
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

/* ---- frames in ---- */

struct frame {
	uint8_t b[256];
	uint32_t len;
};

/* Ethernet from peer @d's MAC to @dmac, IPv6 @src -> @dst with hop
 * limit @hlim, and ICMPv6 @icmp of @ilen bytes, checksum filled unless
 * @bad_sum. */
static void
build(struct frame *f, uint8_t d, const uint8_t *dmac, const uint8_t *src,
      const uint8_t *dst, uint8_t hlim, const uint8_t *icmp, uint32_t ilen,
      bool bad_sum)
{
	uint8_t *ip6 = f->b + 14, *l4 = f->b + 54;
	uint32_t sum;
	uint16_t c;
	uint8_t tail[8] = { 0, 0, (uint8_t)(ilen >> 8), (uint8_t)ilen,
			    0, 0, 0, 58 };

	memset(f, 0, sizeof(*f));
	memcpy(f->b, dmac, 6);
	peer_mac(d, (struct rte_ether_addr *)(f->b + 6));
	f->b[12] = 0x86;
	f->b[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[4] = (uint8_t)(ilen >> 8);
	ip6[5] = (uint8_t)ilen;
	ip6[6] = 58;
	ip6[7] = hlim;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
	memcpy(l4, icmp, ilen);
	l4[2] = l4[3] = 0;
	sum = rte_raw_cksum(src, 16) + rte_raw_cksum(dst, 16) +
	      rte_raw_cksum(tail, 8) + rte_raw_cksum(l4, ilen);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (bad_sum)
		c ^= 0x5a5a;
	memcpy(l4 + 2, &c, 2);
	f->len = RTE_MAX(54 + ilen, 60u);
}

static void
inject(const struct frame *f)
{
	xt_ring_put(ring, mp, f->b, f->len);
}

static void
sol_group(const uint8_t *ip, uint8_t *group, uint8_t *mac)
{
	memset(group, 0, 16);
	group[0] = 0xff;
	group[1] = 0x02;
	group[11] = 1;
	group[12] = 0xff;
	memcpy(group + 13, ip + 13, 3);
	mac[0] = mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

/* A solicitation from @src (peer @d) for @target; SLLA unless @src is
 * :: or @no_opt. */
static void
ns_frame(struct frame *f, uint8_t d, const uint8_t *src,
	 const uint8_t *target, bool no_opt)
{
	static const uint8_t zero[16];
	uint8_t icmp[32] = { 135 }, group[16], mac[6];
	bool opt = !no_opt && memcmp(src, zero, 16) != 0;

	memcpy(icmp + 8, target, 16);
	if (opt) {
		icmp[24] = 1;
		icmp[25] = 1;
		peer_mac(d, (struct rte_ether_addr *)(icmp + 26));
	}
	sol_group(target, group, mac);
	build(f, d, mac, src, group, 255, icmp, opt ? 32 : 24, false);
}

/* An advertisement from peer @d for @target with @flags, TLLA peer @d's
 * MAC with last byte @macd, to @dst. */
static void
na_frame(struct frame *f, uint8_t d, const uint8_t *src, const uint8_t *dst,
	 const uint8_t *target, uint8_t flags, uint8_t macd)
{
	uint8_t icmp[32] = { 136 };

	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[24] = 2;
	icmp[25] = 1;
	peer_mac(macd, (struct rte_ether_addr *)(icmp + 26));
	build(f, d, our_mac.addr_bytes, src, dst, 255, icmp, 32, false);
}

static struct xchg_stack_stats
stats(struct fx *f)
{
	struct xchg_stack_stats st;

	memset(&st, 0, sizeof(st));
	XT_EQ(xchg_stack_stats_get(f->s, &st), 0);
	return st;
}

/* Let DAD run to the end: one probe per address (link-local and
 * 2001:db8::2), no conflict. */
static void
dad_clean(struct fx *f)
{
	struct sent out;

	xchg_stack_poll(f->s);
	out = drain();
	XT_EQ(out.dad, 2);
	advance_ms(1001);
	xchg_stack_poll(f->s);
	XT_EQ(drain().dad, 0);
	XT_EQ(stats(f).dad_conflicts, 0);
}

/* Static entries resolve at once; an unknown neighbour gets one
 * solicitation per 200 ms, paid by the sender's pool (here the ND
 * service's), and the advertisement resolves it. */
static void
test_resolve(void)
{
	static const struct rte_ether_addr sm = { { 0x02, 0, 0, 0, 0, 9 } };
	struct rte_ether_addr mac;
	uint8_t ip[16], dst[16];
	struct sent out;
	struct frame fr;
	struct fx f;

	if (!stack_up(&f, 16))
		return;
	dad_clean(&f);
	g6(9, ip);
	XT_EQ(xchg_stack_add_neighbour6(f.s, ip, &sm), 0);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, ip, &mac), 0);
	XT_EQ(memcmp(&mac, &sm, 6), 0);
	XT_EQ(xchg_neigh6_resolve(f.s, ip, &mac, NULL), 0);
	XT_EQ(drain().ns, 0);

	g6(1, ip);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, ip, &mac), -ENOENT);
	XT_EQ(xchg_neigh6_resolve(f.s, ip, &mac, NULL), -EAGAIN);
	XT_EQ(xchg_neigh6_resolve(f.s, ip, &mac, NULL), -EAGAIN);
	out = drain();
	XT_EQ(out.ns, 1);
	XT_EQ(out.ns_target[0], 1);
	advance_ms(201);
	XT_EQ(xchg_neigh6_resolve(f.s, ip, &mac, NULL), -EAGAIN);
	XT_EQ(drain().ns, 1);
	XT_EQ(stats(&f).nd_solicitations_sent, 2 + 2);

	g6(2, dst);
	na_frame(&fr, 1, ip, dst, ip, 0x60, 1);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, ip, &mac), 0);
	XT_EQ(mac.addr_bytes[5], 1);
	XT_EQ(xchg_neigh6_resolve(f.s, ip, &mac, NULL), 0);
	XT_EQ(stats(&f).nd_learned, 1);
	/* Multicast needs no resolution. */
	memset(dst, 0, 16);
	dst[0] = 0xff;
	dst[1] = 0x02;
	dst[15] = 1;
	XT_EQ(xchg_neigh6_resolve(f.s, dst, &mac, NULL), 0);
	XT_EQ(mac.addr_bytes[0], 0x33);
	XT_EQ(mac.addr_bytes[5], 1);
	/* An advertisement nobody asked for teaches nothing. */
	g6(7, ip);
	g6(2, dst);
	na_frame(&fr, 7, ip, dst, ip, 0x60, 7);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, ip, &mac), -ENOENT);
	XT_EQ(stats(&f).neighbours6, 2);
	XT_EQ(stats(&f).neighbours6_pinned, 1);
	XT_EQ(drain().other, 0);
	stack_down(&f, "resolve");
}

/* Learning never replaces a configured or pinned entry: an override
 * advertisement for a static neighbour changes nothing, and a storm of
 * solicitations from many hosts churns only the learned part. */
static void
test_isolation(void)
{
	static const struct rte_ether_addr sm = { { 0x02, 0, 0, 0, 0, 9 } };
	struct rte_ether_addr mac;
	uint8_t ip[16], pinned[16], target[16];
	struct xchg_stack_stats st;
	struct frame fr;
	unsigned int i, answered = 0;
	struct fx f;

	if (!stack_up(&f, 8))
		return;
	dad_clean(&f);
	g6(9, ip);
	g6(2, target);
	XT_EQ(xchg_stack_add_neighbour6(f.s, ip, &sm), 0);
	na_frame(&fr, 9, ip, target, ip, 0x20, 0x66);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, ip, &mac), 0);
	XT_EQ(memcmp(&mac, &sm, 6), 0);

	/* A connected socket's next hop, pinned and resolved. */
	g6(1, pinned);
	XT_EQ(xchg_neigh6_pin(f.s, pinned), 0);
	XT_EQ(xchg_neigh6_resolve(f.s, pinned, &mac, NULL), -EAGAIN);
	na_frame(&fr, 1, pinned, target, pinned, 0x60, 1);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, pinned, &mac), 0);
	drain();

	/* 200 hosts, 8 learned entries: every one answered. */
	for (i = 0; i < 200; i++) {
		memset(ip, 0, 16);
		ip[0] = 0x20;
		ip[1] = 0x01;
		ip[2] = 0x0d;
		ip[3] = 0xb8;
		ip[14] = (uint8_t)(1 + i / 200);
		ip[15] = (uint8_t)(i % 200 + 10);
		ns_frame(&fr, (uint8_t)i, ip, target, false);
		inject(&fr);
		if (i % 16 == 15) {
			xchg_stack_poll(f.s);
			answered += drain().na;
		}
	}
	xchg_stack_poll(f.s);
	answered += drain().na;
	XT_EQ(answered, 200);
	g6(9, ip);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, ip, &mac), 0);
	XT_EQ(memcmp(&mac, &sm, 6), 0);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, pinned, &mac), 0);
	XT_EQ(mac.addr_bytes[5], 1);
	st = stats(&f);
	XT_EQ(st.neighbours6, 8 + 2);
	XT_EQ(st.neighbours6_pinned, 2);
	XT_EQ(st.nd_advertisements_sent, 200);
	xchg_neigh6_unpin(f.s, pinned);
	XT_EQ(stats(&f).neighbours6_pinned, 1);
	stack_down(&f, "isolation");
}

/* Solicitations for our addresses are answered (global, link-local, and
 * a DAD probe for an address we hold, to all-nodes); the sender is
 * learned; a solicitation for another address is dropped. */
static void
test_answer(void)
{
	static const uint8_t zero[16];
	struct rte_ether_addr mac;
	uint8_t src[16], target[16], ll[16];
	struct xchg_stack_stats st;
	struct sent out;
	struct frame fr;
	struct fx f;

	if (!stack_up(&f, 16))
		return;
	dad_clean(&f);
	g6(1, src);
	g6(2, target);
	ns_frame(&fr, 1, src, target, false);
	inject(&fr);
	/* Our link-local address, from the port's MAC. */
	ll6(0, ll);
	ll[8] = our_mac.addr_bytes[0] ^ 2;
	ll[9] = our_mac.addr_bytes[1];
	ll[10] = our_mac.addr_bytes[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	ll[13] = our_mac.addr_bytes[3];
	ll[14] = our_mac.addr_bytes[4];
	ll[15] = our_mac.addr_bytes[5];
	ll6(1, src);
	ns_frame(&fr, 3, src, ll, false);
	inject(&fr);
	ns_frame(&fr, 4, zero, target, false);
	inject(&fr);
	/* 2001:db8:1::2: our solicited-node group, not our address. */
	g6(1, src);
	g6(2, target);
	target[5] = 1;
	ns_frame(&fr, 5, src, target, false);
	inject(&fr);
	xchg_stack_poll(f.s);
	out = drain();
	XT_EQ(out.na, 3);
	XT_EQ(out.na_target[0], 2);
	XT_EQ(out.na_flags[0], 0x60);     /* solicited, override */
	XT_EQ(out.na_dst[0][15], 1);
	XT_EQ(out.na_target[1], ll[15]);
	XT_EQ(out.na_dst[1][0], 0xfe);
	XT_EQ(out.na_flags[2], 0x20);     /* to all-nodes, not solicited */
	XT_EQ(out.na_dst[2][0], 0xff);
	XT_EQ(out.na_dst[2][15], 1);
	g6(1, src);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, src, &mac), 0);
	XT_EQ(mac.addr_bytes[5], 1);
	ll6(1, src);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, src, &mac), 0);
	XT_EQ(mac.addr_bytes[5], 3);
	st = stats(&f);
	XT_EQ(st.nd_advertisements_sent, 3);
	XT_EQ(st.drops[XCHG_SD_ND_NOT_FOR_US], 1);
	XT_EQ(st.dad_conflicts, 0);
	stack_down(&f, "answer");
}

/* DAD: an advertisement for an address being checked, or another
 * node's probe for it, takes it out of use (counted, logged); after
 * dad_ms with no conflict it stays. */
static void
test_dad_conflict(void)
{
	static const uint8_t zero[16];
	uint8_t ip[16], all[16] = { 0xff, 0x02, [15] = 1 };
	uint8_t src[16], hop[16], ll[16];
	struct sent out;
	struct frame fr;
	struct fx f;

	if (!stack_up(&f, 16))
		return;
	xchg_stack_poll(f.s);
	out = drain();
	XT_EQ(out.dad, 2);
	/* Another node holds 2001:db8::2. */
	g6(2, ip);
	na_frame(&fr, 8, ip, all, ip, 0x20, 8);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(stats(&f).dad_conflicts, 1);
	XT_EQ(xchg_stack_is_local6(f.s, ip), false);
	/* No source for the prefix now; link-local still works. */
	g6(1, ip);
	XT_EQ(xchg_stack_route6(f.s, ip, src, hop), -EHOSTUNREACH);
	ll6(1, ll);
	XT_EQ(xchg_stack_route6(f.s, ll, src, hop), 0);
	XT_EQ(src[0], 0xfe);
	/* It is not answered for any more. */
	g6(2, ip);
	g6(1, src);
	ns_frame(&fr, 1, src, ip, false);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(drain().na, 0);
	XT_EQ(stats(&f).drops[XCHG_SD_ND_NOT_FOR_US], 1);
	/* After the time is up, a conflict is a conflict no more: the
	 * link-local address stays; its later probe is answered. */
	advance_ms(1001);
	xchg_stack_poll(f.s);
	/* ll becomes our link-local address: the source towards fe80::1. */
	XT_EQ(xchg_stack_route6(f.s, ll, src, hop), 0);
	memcpy(ll, src, 16);
	ns_frame(&fr, 9, zero, ll, false);
	inject(&fr);
	xchg_stack_poll(f.s);
	out = drain();
	XT_EQ(out.na, 1);
	XT_EQ(stats(&f).dad_conflicts, 1);
	XT_EQ(xchg_stack_is_local6(f.s, ll), true);
	stack_down(&f, "dad conflict");
}

/* A probe from another node for our tentative link-local address is a
 * conflict too. */
static void
test_dad_probe_conflict(void)
{
	static const uint8_t zero[16];
	uint8_t ll[16], dst[16], hop[16];
	struct fx f;
	struct frame fr;

	if (!stack_up(&f, 16))
		return;
	xchg_stack_poll(f.s);
	XT_EQ(drain().dad, 2);
	ll6(1, dst);
	XT_EQ(xchg_stack_route6(f.s, dst, ll, hop), 0);
	ns_frame(&fr, 9, zero, ll, false);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(drain().na, 0);
	XT_EQ(stats(&f).dad_conflicts, 1);
	XT_EQ(xchg_stack_route6(f.s, dst, ll, hop), -EHOSTUNREACH);
	stack_down(&f, "dad probe conflict");
}

/* Routes: on-link and link-local need none; gateway6 (::/0) is the
 * next hop of the rest, from the global address; a next hop off the
 * link is refused. */
static void
test_route6(void)
{
	uint8_t dst[16], src[16], hop[16], gw[16], any[16] = { 0 };
	struct fx f;

	if (!stack_up(&f, 16))
		return;
	g6(1, dst);
	XT_EQ(xchg_stack_route6(f.s, dst, src, hop), 0);
	XT_EQ(memcmp(hop, dst, 16), 0);
	XT_EQ(src[15], 2);
	memset(dst, 0, 16);
	dst[0] = 0x20;
	dst[1] = 0x01;
	dst[15] = 5;     /* 2001::5, off the prefix */
	XT_EQ(xchg_stack_route6(f.s, dst, src, hop), -EHOSTUNREACH);
	memset(gw, 0, 16);
	gw[0] = 0x20;
	gw[15] = 1;
	XT_EQ(xchg_stack_add_route6(f.s, any, 0, gw), -EINVAL);
	ll6(1, gw);
	XT_EQ(xchg_stack_add_route6(f.s, any, 0, gw), 0);
	XT_EQ(xchg_stack_route6(f.s, dst, src, hop), 0);
	XT_EQ(memcmp(hop, gw, 16), 0);
	XT_EQ(src[0], 0x20);
	XT_EQ(src[15], 2);
	/* A longer prefix wins. */
	g6(1, gw);
	any[0] = 0x20;
	any[1] = 0x01;
	XT_EQ(xchg_stack_add_route6(f.s, any, 16, gw), 0);
	XT_EQ(xchg_stack_route6(f.s, dst, src, hop), 0);
	XT_EQ(memcmp(hop, gw, 16), 0);
	XT_EQ(xchg_stack_add_route6(f.s, any, 129, gw), -EINVAL);
	stack_down(&f, "route6");
}

/* Echo answered from the ICMPv6 pool; malformed ND and ICMPv6 of every
 * kind dropped with its reason, each exactly once. */
static void
test_echo_and_malformed(void)
{
	static const uint8_t zero[16];
	uint8_t src[16], dst[16], group[16], mac[6], icmp[64];
	struct xchg_pool_stats ps;
	struct xchg_stack_stats st;
	struct sent out;
	struct frame fr;
	struct fx f;

	if (!stack_up(&f, 16))
		return;
	dad_clean(&f);
	g6(1, src);
	g6(2, dst);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 128;
	icmp[5] = 7;
	memset(icmp + 8, 0xab, 24);
	build(&fr, 1, our_mac.addr_bytes, src, dst, 64, icmp, 32, false);
	inject(&fr);
	/* The same with a bad checksum. */
	build(&fr, 1, our_mac.addr_bytes, src, dst, 64, icmp, 32, true);
	inject(&fr);
	/* An echo to all-nodes, a reply, an error, a router
	 * advertisement: not answered. */
	memset(group, 0, 16);
	group[0] = 0xff;
	group[1] = 0x02;
	group[15] = 1;
	build(&fr, 1, our_mac.addr_bytes, src, group, 64, icmp, 32, false);
	inject(&fr);
	icmp[0] = 129;
	build(&fr, 1, our_mac.addr_bytes, src, dst, 64, icmp, 32, false);
	inject(&fr);
	icmp[0] = 1;
	build(&fr, 1, our_mac.addr_bytes, src, dst, 64, icmp, 32, false);
	inject(&fr);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 134;
	build(&fr, 1, our_mac.addr_bytes, src, group, 255, icmp, 16, false);
	inject(&fr);
	/* ND: hop limit, code, short, multicast target, option length 0,
	 * option past the end, DAD probe with an address option, DAD
	 * probe to the wrong group, solicited advertisement to
	 * multicast, ICMPv6 shorter than its header. */
	sol_group(dst, group, mac);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 135;
	memcpy(icmp + 8, dst, 16);
	build(&fr, 1, mac, src, group, 254, icmp, 24, false);
	inject(&fr);
	icmp[1] = 1;
	build(&fr, 1, mac, src, group, 255, icmp, 24, false);
	inject(&fr);
	icmp[1] = 0;
	build(&fr, 1, mac, src, group, 255, icmp, 20, false);
	inject(&fr);
	icmp[8] = 0xff;
	build(&fr, 1, mac, src, group, 255, icmp, 24, false);
	inject(&fr);
	memcpy(icmp + 8, dst, 16);
	icmp[24] = 1;
	icmp[25] = 0;
	build(&fr, 1, mac, src, group, 255, icmp, 32, false);
	inject(&fr);
	icmp[25] = 2;
	build(&fr, 1, mac, src, group, 255, icmp, 32, false);
	inject(&fr);
	icmp[25] = 1;
	build(&fr, 1, mac, zero, group, 255, icmp, 32, false);
	inject(&fr);
	build(&fr, 1, mac, zero, dst, 255, icmp, 24, false);
	inject(&fr);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 136;
	icmp[4] = 0x40;
	memcpy(icmp + 8, src, 16);
	build(&fr, 1, mac, src, group, 255, icmp, 24, false);
	inject(&fr);
	build(&fr, 1, our_mac.addr_bytes, src, dst, 64, icmp, 2, false);
	inject(&fr);
	xchg_stack_poll(f.s);
	out = drain();
	XT_EQ(out.echo, 1);
	XT_EQ(out.na, 0);
	XT_EQ(out.other, 0);
	st = stats(&f);
	XT_EQ(st.icmp6_echo_answered, 1);
	XT_EQ(st.drops[XCHG_SD_ICMP6_CHECKSUM], 1);
	XT_EQ(st.drops[XCHG_SD_ICMP6_UNHANDLED], 3);
	XT_EQ(st.drops[XCHG_SD_ICMP6_ERROR], 1);
	XT_EQ(st.drops[XCHG_SD_ND_HOP_LIMIT], 1);
	XT_EQ(st.drops[XCHG_SD_ND_CODE], 1);
	XT_EQ(st.drops[XCHG_SD_ND_MALFORMED], 5);
	XT_EQ(st.drops[XCHG_SD_ND_OPTION], 2);
	XT_EQ(st.drops[XCHG_SD_L4_TRUNCATED], 1);
	XT_EQ(st.nd_learned, 0);
	/* Only the good echo reached the ICMPv6 pool; no ND message
	 * reached the ND pool. */
	XT_EQ(xchg_pool_stats_get(xchg_stack_service_pool6(f.s, true), &ps),
	      0);
	XT_EQ(ps.accepted, 1);
	XT_EQ(xchg_pool_stats_get(xchg_stack_service_pool6(f.s, false), &ps),
	      0);
	XT_EQ(ps.accepted, 0);
	stack_down(&f, "echo and malformed");
}

/* An ARP reply from 192.0.2.1 (peer 1's MAC) to 192.0.2.2. */
/*
 * The ND and ICMPv6 services reply in one poll, in one TX call (issue
 * 17), to a TX ring with room for @room frames: 4 advertisements, then
 * 3 echo replies. Each frame not sent goes back to the service that paid
 * for it; each service's count is its own frames sent; the TX queue's
 * full counts the rest; census conserved.
 */
static void
services6_tx_partial(unsigned int room)
{
	const unsigned int nb_nd = 4, nb_echo = 3;
	unsigned int sent_nd = RTE_MIN(room, nb_nd);
	unsigned int sent_echo = room > nb_nd ? RTE_MIN(room - nb_nd, nb_echo)
					      : 0;
	uint8_t src[16], dst[16], icmp[32];
	struct xchg_port_stats ps0, ps1;
	struct xchg_stack_stats st0, st1;
	struct xchg_pool_stats nd0, echo0, nd1, echo1;
	struct xchg_pool *pnd, *pecho;
	struct sent out;
	unsigned int i;
	struct frame fr;
	struct fx f;

	if (!stack_up(&f, 16))
		return;
	dad_clean(&f);
	pnd = xchg_stack_service_pool6(f.s, false);
	pecho = xchg_stack_service_pool6(f.s, true);
	nd0 = xt_pool_stats(pnd);
	echo0 = xt_pool_stats(pecho);
	st0 = stats(&f);
	XT_EQ(xchg_port_stats_get(f.port, &ps0), 0);
	g6(1, src);
	g6(2, dst);
	for (i = 0; i < nb_nd; i++) {
		ns_frame(&fr, 1, src, dst, false);
		inject(&fr);
	}
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 128;
	for (i = 0; i < nb_echo; i++) {
		icmp[7] = (uint8_t)i;
		build(&fr, 1, our_mac.addr_bytes, src, dst, 64, icmp, 16,
		      false);
		inject(&fr);
	}
	XT_EQ(xchg_stack_rx(f.s, 0), nb_nd + nb_echo);
	xt_stack_service_room(f.s, ring, mp, room);
	out = drain();
	XT_EQ(out.na, sent_nd);
	XT_EQ(out.echo, sent_echo);
	XT_EQ(out.ns + out.dad + out.other, 0);
	st1 = stats(&f);
	XT_EQ(st1.nd_advertisements_sent - st0.nd_advertisements_sent,
	      sent_nd);
	XT_EQ(st1.icmp6_echo_answered - st0.icmp6_echo_answered, sent_echo);
	XT_EQ(xchg_port_stats_get(f.port, &ps1), 0);
	XT_EQ(ps1.tx_full - ps0.tx_full,
	      nb_nd + nb_echo - sent_nd - sent_echo);
	nd1 = xt_pool_stats(pnd);
	echo1 = xt_pool_stats(pecho);
	XT_EQ(nd1.accepted - nd0.accepted, nb_nd + (nb_nd - sent_nd));
	XT_EQ(nd1.returned - nd0.returned, nb_nd + (nb_nd - sent_nd));
	XT_EQ(echo1.accepted - echo0.accepted,
	      nb_echo + (nb_echo - sent_echo));
	XT_EQ(echo1.returned - echo0.returned,
	      nb_echo + (nb_echo - sent_echo));
	xt_pool_expect(pnd, 0, "ND holds nothing");
	xt_pool_expect(pecho, 0, "ICMPv6 holds nothing");
	stack_down(&f, "ND and ICMPv6 replies, part of them sent");
}

static void
test_services6_tx_partial(void)
{
	services6_tx_partial(0);
	services6_tx_partial(2);
	services6_tx_partial(6);
	services6_tx_partial(7);
}

static void
inject_arp_reply(void)
{
	struct frame fr = { .len = 60 };
	static const uint8_t arp[] = {
		0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2,
		0x02, 0, 0, 0, 0, 1, 192, 0, 2, 1,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 2,
	};

	memcpy(fr.b, &our_mac, 6);
	peer_mac(1, (struct rte_ether_addr *)(fr.b + 6));
	memcpy(fr.b + 12, arp, sizeof(arp));
	memcpy(fr.b + 32, &our_mac, 6);
	inject(&fr);
}

/* A neighbour solicitation storm from 4000 hosts while two connected
 * critical sockets send, one over each family: every send goes out at
 * once. The IPv6 socket's peer was learned from its advertisement and
 * pinned by connect6, in the very table the storm churns: the pin keeps
 * it resolved (the IPv4 socket's next hop is in a table the storm does
 * not touch). The configured IPv6 neighbour stays too, every
 * solicitation is answered from the ND pool, and the learned part never
 * grows past neigh_max. */
static void
test_storm(void)
{
	static const struct rte_ether_addr pm = { { 0x02, 0, 0, 0, 0, 0x77 } };
	uint8_t pinned[16], target[16], ip[16], peer6[16];
	struct xchg_socket *sock, *sock6 = NULL;
	struct xchg_stack_stats st;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	struct sent out;
	struct frame fr;
	unsigned int round, k, na = 0, udp = 0, sent_now = 0, sent6 = 0;
	struct fx f;

	if (!stack_up(&f, 16))
		return;
	dad_clean(&f);
	XT_EQ(xchg_stack_add_address(f.s, rte_cpu_to_be_32(0xc0000202), 24),
	      0);
	sock = xchg_udp_socket(f.s, "critical", 8, XCHG_PRIO_CRITICAL);
	XT_CHECK(sock != NULL, "socket: %s", rte_strerror(rte_errno));
	if (sock == NULL)
		goto out;
	XT_EQ(xchg_udp_bind(sock, 0, 5000), 0);
	XT_EQ(xchg_udp_connect(sock, rte_cpu_to_be_32(0xc0000201), 6000), 0);
	inject_arp_reply();
	xchg_stack_poll(f.s);
	drain();
	g6(0x77, pinned);
	XT_EQ(xchg_neigh6_pin(f.s, pinned), 0);
	XT_EQ(xchg_stack_add_neighbour6(f.s, pinned, &pm), 0);
	g6(2, target);
	/* The IPv6 peer: solicited once, learned from its answer, pinned by
	 * the connect. */
	sock6 = xchg_udp_socket(f.s, "critical6", 8, XCHG_PRIO_CRITICAL);
	XT_CHECK(sock6 != NULL, "socket6: %s", rte_strerror(rte_errno));
	if (sock6 == NULL)
		goto out;
	g6(0x78, peer6);
	XT_EQ(xchg_udp_bind6(sock6, target, 5001), 0);
	XT_EQ(xchg_udp_connect6(sock6, peer6, 6001), 0);
	XT_EQ(xchg_neigh6_resolve(f.s, peer6, &mac, NULL), -EAGAIN);
	XT_EQ(drain().ns, 1);
	na_frame(&fr, 0x78, peer6, target, peer6, 0x60, 0x78);
	inject(&fr);
	xchg_stack_poll(f.s);
	XT_EQ(xchg_stack_lookup_neighbour6(f.s, peer6, &mac), 0);
	for (round = 0; round < 250; round++) {
		int err;

		for (k = 0; k < 16; k++) {
			unsigned int h = round * 16 + k;

			g6(0, ip);
			ip[8] = 0x10;
			ip[14] = (uint8_t)(h >> 8);
			ip[15] = (uint8_t)h;
			ns_frame(&fr, (uint8_t)h, ip, target, false);
			inject(&fr);
		}
		xchg_stack_poll(f.s);
		m = NULL;
		XT_EQ(xchg_socket_alloc_bulk(sock, &m, 1), 0);
		if (m == NULL)
			break;
		memset(rte_pktmbuf_append(m, 32), (int)round, 32);
		rte_errno = -1;
		k = xchg_udp_send_burst(sock, 0, 0, &m, 1);
		err = rte_errno;
		if (k == 0)
			rte_pktmbuf_free(m);
		sent_now += k == 1 && err == 0;
		m = NULL;
		XT_EQ(xchg_socket_alloc_bulk(sock6, &m, 1), 0);
		if (m == NULL)
			break;
		memset(rte_pktmbuf_append(m, 32), (int)round, 32);
		rte_errno = -1;
		k = xchg_udp_send_burst6(sock6, NULL, 0, &m, 1);
		err = rte_errno;
		if (k == 0)
			rte_pktmbuf_free(m);
		sent6 += k == 1 && err == 0;
		out = drain();
		na += out.na;
		udp += out.other;
		XT_CHECK(xchg_stack_lookup_neighbour6(f.s, pinned, &mac) == 0 &&
			 mac.addr_bytes[5] == 0x77, "pinned neighbour, round %u",
			 round);
		XT_CHECK(xchg_stack_lookup_neighbour6(f.s, peer6, &mac) == 0 &&
			 mac.addr_bytes[5] == 0x78,
			 "connected IPv6 peer, round %u", round);
	}
	XT_EQ(sent_now, 250);
	XT_EQ(sent6, 250);
	XT_EQ(udp, 500);
	XT_EQ(na, 4000);
	st = stats(&f);
	XT_EQ(st.nd_advertisements_sent, 4000);
	XT_EQ(st.drops[XCHG_SD_NO_BUFFERS], 0);
	XT_EQ(st.neighbours6, 16 + 2);
	XT_EQ(st.neighbours6_pinned, 2);
	XT_EQ(st.neighbours, 1);
	XT_EQ(st.service_no_buffers, 0);
	XT_EQ(xchg_socket_close(sock), 0);
	XT_EQ(xchg_socket_close(sock6), 0);
	sock6 = NULL;
out:
	if (sock6 != NULL)
		xchg_socket_close(sock6);
	stack_down(&f, "storm");
}

/* ---- learning without the lock vs the table's writers (issue 17) ---- */

#define RACE_HOSTS 16
#define RACE_ROUNDS 20000

/* 2001:db8::1:@d; its MAC ends in @d. */
static void
race_host(unsigned int d, uint8_t ip[16], struct rte_ether_addr *mac)
{
	g6((uint8_t)d, ip);
	ip[13] = 1;
	ip[14] = (uint8_t)(d >> 8);
	*mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)d } };
}

/* What the service lcore does on an advertisement with the override
 * flag: learn @d, adding it when @create. */
static void
race_learn(struct xchg_stack *s, unsigned int d, bool create)
{
	struct rte_ether_addr mac;
	uint8_t ip[16];

	race_host(d, ip, &mac);
	xchg_neigh6_learn(s, ip, &mac, create, true);
}

struct race {
	struct xchg_stack *s;
	uint32_t done;              /* release: the writer's last change */
};

/* What the socket lcores do to the table: resolve new hosts (each
 * replaces the least recently updated learned entry, sometimes one of
 * the hosts the other thread refreshes), and pin and unpin a known one
 * (its entry moves to the pinned part and is freed). A fixed number of
 * rounds, not a time. */
static void *
race_writer(void *arg)
{
	struct race *r = arg;
	struct rte_ether_addr mac;
	uint8_t ip[16];
	unsigned int i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		race_host(0x100 + i % 32, ip, &mac);
		xchg_neigh6_resolve(r->s, ip, &mac, NULL);
		race_host(1 + i % RACE_HOSTS, ip, &mac);
		if (xchg_neigh6_pin(r->s, ip) == 0)
			xchg_neigh6_unpin(r->s, ip);
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Whether host @d is known; if so, with its own MAC. */
static bool
race_known(struct xchg_stack *s, unsigned int d)
{
	struct rte_ether_addr mac, want;
	uint8_t ip[16];

	race_host(d, ip, &want);
	if (xchg_stack_lookup_neighbour6(s, ip, &mac) != 0)
		return false;
	XT_CHECK(rte_is_same_ether_addr(&mac, &want), "host %u: MAC %02x",
		 d, mac.addr_bytes[5]);
	return true;
}

static unsigned int
race_order(unsigned int j)
{
	return 1 + j * 5 % RACE_HOSTS;
}

/*
 * The service lcore learns known hosts' unchanged addresses without the
 * lock (learn_unchanged()) while another thread replaces, pins and frees
 * their entries under it. Whatever the interleaving, once both stop: no
 * address is torn or mixed up (every resolved host has its own MAC, no
 * solicited one is resolved), nothing stays pinned, and the age order
 * is exact again: the hosts learned afresh outlive the solicited ones,
 * and after a refresh in a shuffled order new hosts replace them least
 * recently updated first, one by one (the age keys and stamps the race
 * left behind are coherent).
 */
static void
test_learn_race(void)
{
	struct race r = { .done = 0 };
	struct rte_ether_addr mac;
	unsigned int d, j, passes = 0;
	uint8_t ip[16];
	pthread_t th;
	struct fx f;

	if (!stack_up(&f, RACE_HOSTS))
		return;
	dad_clean(&f);
	r.s = f.s;
	for (d = 1; d <= RACE_HOSTS; d++)
		race_learn(f.s, d, true);
	XT_EQ(pthread_create(&th, NULL, race_writer, &r), 0);
	do {
		for (d = 1; d <= RACE_HOSTS; d++)
			race_learn(f.s, d, true);
		passes++;
	} while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
	XT_EQ(pthread_join(th, NULL), 0);
	XT_CHECK(passes > 0, "learner passes %u", passes);
	drain();

	for (d = 1; d <= RACE_HOSTS; d++)
		race_known(f.s, d);
	for (d = 0x100; d < 0x100 + 32; d++) {
		race_host(d, ip, &mac);
		XT_CHECK(xchg_stack_lookup_neighbour6(f.s, ip, &mac) != 0,
			 "host %#x resolved", d);
	}
	XT_EQ(stats(&f).neighbours6_pinned, 0);

	/* Learned afresh, in order: every solicited entry goes first. */
	for (d = 1; d <= RACE_HOSTS; d++)
		race_learn(f.s, d, true);
	for (d = 1; d <= RACE_HOSTS; d++)
		XT_CHECK(race_known(f.s, d), "host %u lost", d);
	XT_EQ(stats(&f).neighbours6, RACE_HOSTS);
	/* Refreshed, unchanged (no lock), in a shuffled order; each new
	 * host then replaces exactly the next one of that order. */
	for (j = 0; j < RACE_HOSTS; j++)
		race_learn(f.s, race_order(j), false);
	for (j = 0; j < RACE_HOSTS; j++) {
		race_host(0x200 + j, ip, &mac);
		XT_EQ(xchg_neigh6_resolve(f.s, ip, &mac, NULL), -EAGAIN);
		for (d = 0; d < RACE_HOSTS; d++)
			XT_CHECK(race_known(f.s, race_order(d)) == (d > j),
				 "replacement %u: host %u", j, race_order(d));
	}
	drain();
	stack_down(&f, "learn race");
}

int
main(int argc __rte_unused, char **argv)
{
	xt_ring_init(argv[0], "stack_nd", NULL, &ring, &ring_id);
	hz = rte_get_timer_hz();
	arena = xt_arena("stack_nd", 1024, 0);
	mp = xchg_arena_mempool(arena);

	XT_RUN(test_resolve);
	XT_RUN(test_isolation);
	XT_RUN(test_answer);
	XT_RUN(test_dad_conflict);
	XT_RUN(test_dad_probe_conflict);
	XT_RUN(test_route6);
	XT_RUN(test_echo_and_malformed);
	XT_RUN(test_services6_tx_partial);
	XT_RUN(test_storm);
	XT_RUN(test_learn_race);

	return xt_arena_done(arena, "stack_nd");
}
