/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Stack units: fragment reassembly, proxy, capture and telemetry.
 *
 * Frames are built here and put straight into the ring of a net_ring
 * port (its RX and TX share one ring), then the stack polls them: the
 * whole receive path runs, demux included. What the stack transmits
 * lands in the same ring and is drained by the test. The proxy runs on
 * a net_tap port plugged at run time; a raw socket on the TAP interface
 * plays the host.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_test.h"
#include "xt_stack.h"
#include "xt_frames.h"

#define UDP_PORT 5000
#define OTHER_PORT 6000
#define ETH_EXPERIMENTAL 0x88b5
#define ETH_FROM_HOST 0x88b6
#define DGRAM_MAX 4096

static struct xchg_arena *arena;
static struct rte_mempool *mp;
static struct rte_ring *ring;
static uint16_t ring_id;
static unsigned int next_ip_id = 1;

struct fx {
	struct xchg_port *port;
	struct xchg_stack *s;
};

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 |
				(uint32_t)c << 8 | d);
}

static uint16_t
csum(const uint8_t *p, unsigned int len, uint32_t sum)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Ethernet + IPv4 from 192.0.2.1 to 192.0.2.2, padded to 60 bytes. */
static unsigned int
ip_frame(uint8_t *f, uint16_t id, uint16_t off, bool mf, uint8_t proto,
	 const uint8_t *payload, uint16_t len)
{
	static const uint8_t eth[] = {
		0x02, 0, 0, 0, 0, 0x02,  0x02, 0, 0, 0, 0, 0x01,  0x08, 0x00,
	};
	uint8_t *ip = f + sizeof(eth);
	uint16_t total = (uint16_t)(20 + len), frag, c;
	unsigned int flen;

	memcpy(f, eth, sizeof(eth));
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = total >> 8;
	ip[3] = total & 0xff;
	ip[4] = id >> 8;
	ip[5] = id & 0xff;
	frag = (uint16_t)((mf ? 0x2000 : 0) | off / 8);
	ip[6] = frag >> 8;
	ip[7] = frag & 0xff;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(ip + 16, (const uint8_t[]){ 192, 0, 2, 2 }, 4);
	c = (uint16_t)~csum(ip, 20, 0);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	memcpy(ip + 20, payload, len);
	flen = sizeof(eth) + total;
	if (flen < 60) {
		memset(f + flen, 0, 60 - flen);
		flen = 60;
	}
	return flen;
}

/* A UDP datagram from 12345 to @dport with @data bytes and a good
 * checksum; returns its length. */
static uint16_t
udp_dgram(uint8_t *d, uint16_t dport, uint16_t data, uint8_t seed)
{
	uint16_t len = (uint16_t)(8 + data), c;
	uint8_t ph[12] = { 192, 0, 2, 1, 192, 0, 2, 2, 0, 17,
			   (uint8_t)(len >> 8), (uint8_t)len };
	unsigned int i;

	d[0] = 0x30;
	d[1] = 0x39;
	d[2] = dport >> 8;
	d[3] = dport & 0xff;
	d[4] = len >> 8;
	d[5] = len & 0xff;
	d[6] = d[7] = 0;
	for (i = 0; i < data; i++)
		d[8 + i] = (uint8_t)(i * 7 + seed);
	c = (uint16_t)~csum(d, len, csum(ph, sizeof(ph), 0));
	if (c == 0)
		c = 0xffff;
	d[6] = c >> 8;
	d[7] = c & 0xff;
	return len;
}

/* One fragment of @dgram. */
static void
inject_frag(const uint8_t *dgram, uint16_t id, uint16_t off, uint16_t len,
	    bool mf)
{
	uint8_t f[DGRAM_MAX + 64];

	xt_ring_put(ring, mp, f, ip_frame(f, id, off, mf, 17, dgram + off, len));
}

/* A whole datagram, unfragmented. */
static void
inject_udp(uint16_t dport, uint16_t data)
{
	uint8_t d[DGRAM_MAX], f[DGRAM_MAX + 64];
	uint16_t len = udp_dgram(d, dport, data, 1);

	xt_ring_put(ring, mp, f, ip_frame(f, (uint16_t)next_ip_id++, 0, false, 17, d, len));
}

static void
inject_ethertype(uint16_t type, uint8_t marker)
{
	uint8_t f[60] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };

	f[12] = type >> 8;
	f[13] = type & 0xff;
	memset(f + 14, marker, sizeof(f) - 14);
	xt_ring_put(ring, mp, f, sizeof(f));
}

/* Free what the stack transmitted (it lands in the shared ring). */
static unsigned int
drain_ring(uint16_t want_type, unsigned int *found)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		if (found != NULL && rte_pktmbuf_data_len(m) >= 14 &&
		    (uint16_t)(p[12] << 8 | p[13]) == want_type)
			(*found)++;
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static void
poll_n(struct fx *f, unsigned int n)
{
	while (n-- > 0)
		xchg_stack_poll(f->s);
}

static bool
stack_up(struct fx *f, const struct xchg_stack_conf *conf)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };

	memset(f, 0, sizeof(*f));
	f->s = xt_stack_create(arena, ring_id, &pc, conf, &f->port);
	if (f->s == NULL)
		return false;
	XT_EQ(xchg_stack_add_address(f->s, ip4(192, 0, 2, 2), 24), 0);
	XT_EQ(xchg_port_start(f->port), 0);
	return true;
}

static void
stack_down(struct fx *f, const char *when)
{
	xchg_port_stop(f->port);
	drain_ring(0, NULL);
	XT_EQ(xchg_stack_free(f->s), 0);
	XT_EQ(xchg_port_free(f->port), 0);
	xt_census_ok(arena, when);
}

static struct xchg_stack_stats
stats(struct fx *f)
{
	struct xchg_stack_stats st;

	XT_EQ(xchg_stack_stats_get(f->s, &st), 0);
	return st;
}

static struct xchg_socket *
udp_sock(struct fx *f, const char *name, uint16_t port, uint32_t quota)
{
	struct xchg_socket *sock = xchg_udp_socket(f->s, name, quota,
						   XCHG_PRIO_NORMAL);

	XT_CHECK(sock != NULL, "socket %s: %s", name,
		 rte_strerror(rte_errno));
	if (sock != NULL)
		XT_EQ(xchg_udp_bind(sock, 0, port), 0);
	return sock;
}

/* Receive one datagram and check it is @dgram's payload. */
static void
expect_dgram(struct xchg_socket *sock, const uint8_t *dgram, uint16_t len,
	     uint16_t nb_segs)
{
	uint8_t buf[DGRAM_MAX];
	struct rte_mbuf *m = NULL;
	const void *p;
	rte_be32_t ip;
	uint16_t port;
	unsigned int got = xchg_socket_recv_burst(sock, &m, 1);

	XT_EQ(got, 1);
	if (got != 1)
		return;
	XT_EQ(m->nb_segs, nb_segs);
	XT_EQ(rte_pktmbuf_pkt_len(m), len - 8);
	p = rte_pktmbuf_read(m, 0, len - 8, buf);
	XT_CHECK(p != NULL && memcmp(p, dgram + 8, len - 8) == 0,
		 "payload intact");
	XT_EQ(xchg_udp_source(m, &ip, &port), 0);
	XT_CHECK(ip == ip4(192, 0, 2, 1) && port == 12345, "source");
	rte_pktmbuf_free(m);
}

/* In order, with the last fragment padded, and with checksums checked;
 * then out of order after the first one. */
static void
test_reassembly(void)
{
	struct xchg_stack_conf conf = { .verify_udp_checksum = true };
	uint8_t d[DGRAM_MAX];
	struct xchg_socket *sock;
	struct fx f;
	uint16_t len;

	if (!stack_up(&f, &conf))
		return;
	sock = udp_sock(&f, "frag", UDP_PORT, 16);
	len = udp_dgram(d, UDP_PORT, 1608, 3);          /* 1616 bytes */
	inject_frag(d, 100, 0, 808, true);
	inject_frag(d, 100, 808, 800, true);
	inject_frag(d, 100, 1608, 8, false);            /* a padded runt */
	poll_n(&f, 2);
	XT_EQ(stats(&f).reassembled, 1);
	xt_pool_expect(xchg_socket_pool(sock), 3, "reassembled, queued");
	expect_dgram(sock, d, len, 3);
	xt_pool_expect(xchg_socket_pool(sock), 0, "received and freed");

	/* First, last, middle. */
	len = udp_dgram(d, UDP_PORT, 2000, 9);
	inject_frag(d, 101, 0, 1000, true);
	inject_frag(d, 101, 1480, len - 1480, false);
	inject_frag(d, 101, 1000, 480, true);
	poll_n(&f, 2);
	XT_EQ(stats(&f).reassembled, 2);
	expect_dgram(sock, d, len, 3);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_INVALID], 0);
	XT_EQ(stats(&f).drops[XCHG_SD_UDP_CHECKSUM], 0);

	/* A bad checksum is caught on the whole datagram. */
	len = udp_dgram(d, UDP_PORT, 100, 4);
	d[50] ^= 0xff;
	inject_frag(d, 102, 0, 56, true);
	inject_frag(d, 102, 56, len - 56, false);
	poll_n(&f, 2);
	XT_EQ(stats(&f).drops[XCHG_SD_UDP_CHECKSUM], 2);
	xt_pool_expect(xchg_socket_pool(sock), 0, "bad checksum dropped");
	stack_down(&f, "reassembly");
}

/* Later fragments first: they wait in the staging area and move to the
 * socket when the first comes; a datagram that never ends times out. */
static void
test_out_of_order_and_timeout(void)
{
	struct xchg_stack_conf conf = { .frag_timeout_ms = 200 };
	uint8_t d[DGRAM_MAX];
	struct xchg_socket *sock;
	struct fx f;
	uint16_t len;

	if (!stack_up(&f, &conf))
		return;
	sock = udp_sock(&f, "ooo", UDP_PORT, 16);
	len = udp_dgram(d, UDP_PORT, 1600, 5);
	inject_frag(d, 200, 1200, len - 1200, false);
	inject_frag(d, 200, 600, 600, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).staging.held, 2);
	xt_pool_expect(xchg_socket_pool(sock), 0, "staging pays");
	xt_pool_expect(xchg_pool_lookup(arena, "port0_fragstage"), 2,
		       "two staged");
	xt_census_ok(arena, "fragments staged");
	inject_frag(d, 200, 0, 600, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_NO_COLLECTOR], 0);
	XT_EQ(stats(&f).reassembled, 1);
	XT_EQ(stats(&f).staging.moved, 2);
	XT_EQ(stats(&f).staging.held, 0);
	xt_pool_expect(xchg_pool_lookup(arena, "port0_fragstage"), 0,
		       "staged moved");
	expect_dgram(sock, d, len, 3);
	xt_census_ok(arena, "out of order reassembled");

	/* A later fragment nobody claims times out in the staging area. */
	inject_frag(d, 199, 600, 600, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).staging.held, 1);

	/* Two fragments of another datagram, and the end never comes. */
	inject_frag(d, 201, 0, 600, true);
	inject_frag(d, 201, 600, 600, true);
	poll_n(&f, 1);
	xt_pool_expect(xchg_socket_pool(sock), 2, "two fragments held");
	usleep(300 * 1000);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_TIMEOUT], 3);
	XT_EQ(stats(&f).staging.timed_out, 1);
	XT_EQ(stats(&f).staging.held, 0);
	xt_pool_expect(xchg_socket_pool(sock), 0, "timed out");

	/* A datagram still being collected is the stack's, not the
	 * application's: neither closing the socket nor freeing the stack
	 * is refused for it. */
	inject_frag(d, 202, 0, 600, true);
	poll_n(&f, 1);
	xt_pool_expect(xchg_socket_pool(sock), 1, "one fragment held");
	XT_EQ(xchg_socket_close(sock), 0);
	sock = udp_sock(&f, "ooo2", UDP_PORT, 16);
	inject_frag(d, 203, 0, 600, true);
	poll_n(&f, 1);
	xt_pool_expect(xchg_socket_pool(sock), 1, "one fragment held again");
	stack_down(&f, "out of order");
}

/* The staging area filled and flooded (issue 23 item 4): three times
 * its quota of later fragments, each of its own datagram, with no first
 * fragment. It holds its quota, evicts the oldest for each newer one,
 * never refuses for want of buffers, and the socket pays nothing; the
 * newest staged fragment is still there to complete its datagram. A
 * staging area that never evicts fails here. */
static void
test_staging_flood(void)
{
	enum { STAGE = 8, FLOOD = 3 * STAGE, FIRST_ID = 1000 };
	struct xchg_stack_conf conf = { .frag_staging = STAGE,
					.frag_timeout_ms = 60000 };
	uint8_t d[DGRAM_MAX];
	struct xchg_stack_stats st;
	struct xchg_socket *sock;
	struct fx f;
	uint16_t len, id;

	if (!stack_up(&f, &conf))
		return;
	sock = udp_sock(&f, "flood", UDP_PORT, 16);
	len = udp_dgram(d, UDP_PORT, 1600, 9);
	for (id = FIRST_ID; id < FIRST_ID + FLOOD; id++) {
		inject_frag(d, id, 600, 600, true);
		poll_n(&f, 1);
		st = stats(&f);
		XT_EQ(st.staging.held, RTE_MIN(id - FIRST_ID + 1u, (unsigned int)STAGE));
	}
	st = stats(&f);
	printf("  staging %u: staged %" PRIu64 ", held %u, evicted %" PRIu64 ", no_buffers %" PRIu64 "\n",
	       st.staging.quota, st.staging.staged, st.staging.held,
	       st.staging.evicted, st.staging.no_buffers);
	XT_EQ(st.staging.quota, STAGE);
	XT_EQ(st.staging.staged, FLOOD);
	XT_EQ(st.staging.held, STAGE);
	XT_EQ(st.staging.evicted, FLOOD - STAGE);
	XT_EQ(st.drops[XCHG_SD_FRAG_STAGING_EVICTED], FLOOD - STAGE);
	XT_EQ(st.staging.no_buffers, 0);
	XT_EQ(st.drops[XCHG_SD_NO_BUFFERS], 0);
	xt_pool_expect(xchg_pool_lookup(arena, "port0_fragstage"), STAGE,
		       "staging full");
	xt_pool_expect(xchg_socket_pool(sock), 0, "the socket pays nothing");
	xt_census_ok(arena, "staging flooded");

	/* The newest survived: its first and last fragments complete it. */
	id = FIRST_ID + FLOOD - 1;
	inject_frag(d, id, 0, 600, true);
	inject_frag(d, id, 1200, len - 1200, false);
	poll_n(&f, 1);
	st = stats(&f);
	XT_EQ(st.reassembled, 1);
	XT_EQ(st.staging.moved, 1);
	XT_EQ(st.staging.held, STAGE - 1);
	expect_dgram(sock, d, len, 3);
	/* The oldest was evicted: its first fragment opens a collector that
	 * finds nothing staged. */
	inject_frag(d, FIRST_ID, 0, 600, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).staging.moved, 1);
	stack_down(&f, "staging flood");
}

/* Overlaps, past 64 KiB, too many fragments: the whole datagram goes. */
static void
test_invalid(void)
{
	struct xchg_stack_conf conf = { .frag_max_frags = 4 };
	uint8_t d[DGRAM_MAX];
	struct xchg_socket *sock;
	struct fx f;
	unsigned int i;

	if (!stack_up(&f, &conf))
		return;
	sock = udp_sock(&f, "inv", UDP_PORT, 32);
	udp_dgram(d, UDP_PORT, 2000, 6);
	/* Overlap: [800, 1608) over [0, 808). */
	inject_frag(d, 300, 0, 808, true);
	inject_frag(d, 300, 800, 808, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_INVALID], 2);
	xt_pool_expect(xchg_socket_pool(sock), 0, "overlap dropped");

	/* Duplicate first fragment. */
	inject_frag(d, 301, 0, 808, true);
	inject_frag(d, 301, 0, 808, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_INVALID], 4);

	/* Past 64 KiB: offset 65528 + 16 bytes. */
	inject_frag(d, 302, 0, 808, true);
	{
		uint8_t fr[128];

		xt_ring_put(ring, mp, fr, ip_frame(fr, 302, 65528, false, 17, d, 16));
	}
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_INVALID], 6);

	/* A fifth fragment with frag_max_frags 4. */
	for (i = 0; i < 5; i++)
		inject_frag(d, 303, (uint16_t)(i * 8), 8, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_INVALID], 11);
	xt_pool_expect(xchg_socket_pool(sock), 0, "all invalid dropped");
	XT_EQ(stats(&f).reassembled, 0);
	stack_down(&f, "invalid");
}

static struct xchg_socket_stats
sock_stats(struct xchg_socket *sock)
{
	struct xchg_socket_stats st;

	memset(&st, 0, sizeof(st));
	XT_EQ(xchg_socket_stats_get(sock, &st), 0);
	return st;
}

/* A flood of first fragments at one socket fills that socket's own
 * collectors only: its oldest half-built datagram is evicted for each
 * newer one, counted against it; another socket reassembles as if
 * nothing happened, and so does the flooded one for a datagram that
 * completes between two flood fragments. */
static void
test_flood(void)
{
	struct xchg_stack_conf conf = { .frag_collectors = 4,
					.frag_timeout_ms = 200 };
	struct xchg_socket *victim, *other;
	struct xchg_socket_stats vs, os;
	struct rte_mbuf *m[32];
	uint8_t d[DGRAM_MAX];
	struct fx f;
	unsigned int i, n;
	uint16_t len;

	if (!stack_up(&f, &conf))
		return;
	victim = udp_sock(&f, "flooded", UDP_PORT, 64);
	other = udp_sock(&f, "other", OTHER_PORT, 16);
	udp_dgram(d, UDP_PORT, 1600, 7);
	for (i = 0; i < 20; i++)
		inject_frag(d, (uint16_t)(400 + i), 0, 800, true);
	for (i = 0; i < 8; i++)
		inject_udp(OTHER_PORT, 100);
	poll_n(&f, 2);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_NO_COLLECTOR], 0);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_EVICTED], 16);
	vs = sock_stats(victim);
	XT_EQ(vs.drops[XCHG_SD_FRAG_EVICTED], 16);
	XT_EQ(vs.frag_collectors, 4);
	XT_EQ(vs.frag_pending, 4);
	xt_pool_expect(xchg_socket_pool(victim), 4, "four collectors");
	n = xchg_socket_recv_burst(other, m, RTE_DIM(m));
	XT_EQ(n, 8);
	rte_pktmbuf_free_bulk(m, n);

	/* The other socket's fragmented datagram completes: its own
	 * collectors are free. */
	len = udp_dgram(d, OTHER_PORT, 1000, 8);
	inject_frag(d, 500, 0, 504, true);
	inject_frag(d, 500, 504, len - 504, false);
	poll_n(&f, 1);
	XT_EQ(stats(&f).reassembled, 1);
	expect_dgram(other, d, len, 2);
	os = sock_stats(other);
	for (i = 0; i < XCHG_SD_MAX; i++)
		XT_EQ(os.drops[i], 0);

	/* A complete datagram to the flooded socket, between flood
	 * fragments, evicts one flood datagram and completes. */
	len = udp_dgram(d, UDP_PORT, 1000, 9);
	inject_frag(d, 600, 0, 504, true);
	inject_frag(d, 420, 0, 800, true);
	inject_frag(d, 600, 504, len - 504, false);
	poll_n(&f, 1);
	XT_EQ(stats(&f).reassembled, 2);
	expect_dgram(victim, d, len, 2);
	vs = sock_stats(victim);
	XT_EQ(vs.drops[XCHG_SD_FRAG_EVICTED], 18);
	XT_EQ(vs.reassembled, 1);
	xt_pool_expect(xchg_socket_pool(victim), 3, "three flood datagrams");

	usleep(300 * 1000);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_TIMEOUT], 3);
	XT_EQ(sock_stats(victim).drops[XCHG_SD_FRAG_TIMEOUT], 3);
	xt_pool_expect(xchg_socket_pool(victim), 0, "flood timed out");
	stack_down(&f, "flood");
}

/* A socket's own collectors: derived from its quota, set per socket,
 * refused while a datagram is half built, and off at 0. */
static void
test_reassembly_setting(void)
{
	struct xchg_socket *sock;
	uint8_t d[DGRAM_MAX];
	struct fx f;
	uint16_t len;

	if (!stack_up(&f, NULL))
		return;
	sock = udp_sock(&f, "set", UDP_PORT, 16);
	XT_EQ(sock_stats(sock).frag_collectors, 4);
	XT_EQ(xchg_udp_set_reassembly(NULL, 1), -EINVAL);
	len = udp_dgram(d, UDP_PORT, 1000, 3);
	inject_frag(d, 700, 0, 504, true);
	poll_n(&f, 1);
	XT_EQ(sock_stats(sock).frag_pending, 1);
	XT_EQ(xchg_udp_set_reassembly(sock, 2), -EBUSY);
	inject_frag(d, 700, 504, len - 504, false);
	poll_n(&f, 1);
	expect_dgram(sock, d, len, 2);
	XT_EQ(xchg_udp_set_reassembly(sock, 0), 0);
	XT_EQ(sock_stats(sock).frag_collectors, 0);
	inject_frag(d, 701, 0, 504, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_NO_COLLECTOR], 1);
	XT_EQ(sock_stats(sock).drops[XCHG_SD_FRAG_NO_COLLECTOR], 1);
	XT_EQ(xchg_udp_set_reassembly(sock, 1), 0);
	inject_frag(d, 702, 0, 504, true);
	inject_frag(d, 702, 504, len - 504, false);
	poll_n(&f, 1);
	expect_dgram(sock, d, len, 2);
	XT_EQ(sock_stats(sock).reassembled, 2);
	xt_pool_expect(xchg_socket_pool(sock), 0, "reassembly setting");
	stack_down(&f, "reassembly setting");
}

/* The socket pays for each fragment as it arrives. */
static void
test_no_buffers(void)
{
	struct xchg_socket *sock;
	struct rte_mbuf *m[2];
	uint8_t d[DGRAM_MAX];
	struct fx f;
	uint16_t len;

	if (!stack_up(&f, NULL))
		return;
	sock = udp_sock(&f, "small", UDP_PORT, 2);
	len = udp_dgram(d, UDP_PORT, 1600, 8);
	inject_frag(d, 600, 0, 600, true);
	inject_frag(d, 600, 600, 600, true);
	inject_frag(d, 600, 1200, len - 1200, false);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_NO_BUFFERS], 3);
	xt_pool_expect(xchg_socket_pool(sock), 0, "datagram dropped whole");

	/* A full socket refuses the first fragment; the rest find no
	 * collector. */
	inject_udp(UDP_PORT, 10);
	inject_udp(UDP_PORT, 10);
	poll_n(&f, 1);
	xt_pool_expect(xchg_socket_pool(sock), 2, "socket full");
	inject_frag(d, 601, 0, 600, true);
	inject_frag(d, 601, 600, 600, true);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_NO_BUFFERS], 4);
	XT_EQ(sock_stats(sock).drops[XCHG_SD_NO_BUFFERS], 4);
	/* Its first is gone: the second waits in the staging area. */
	XT_EQ(stats(&f).drops[XCHG_SD_FRAG_NO_COLLECTOR], 0);
	XT_EQ(stats(&f).staging.held, 1);
	XT_EQ(xchg_socket_recv_burst(sock, m, 2), 2);
	rte_pktmbuf_free_bulk(m, 2);

	/* Closing a socket with a datagram half collected. */
	inject_frag(d, 602, 0, 600, true);
	poll_n(&f, 1);
	xt_pool_expect(xchg_socket_pool(sock), 1, "fragment held");
	XT_EQ(xchg_socket_close(sock), 0);
	XT_EQ(stats(&f).drops[XCHG_SD_NO_SOCKET], 1);
	stack_down(&f, "no buffers");
}

/* Frames held back behind a datagram (xchg_stack_defer()) are
 * delivered in one call, the socket in a group per frame: those its
 * quota cannot take are dropped on it, counted and freed; the rest
 * arrive in order (issue 17). */
static void
test_deferred_no_buffers(void)
{
	struct xchg_stack_stats st0, st;
	struct xchg_pool_stats ps;
	struct xchg_socket *sock;
	struct rte_mbuf *m[4];
	uint8_t d[DGRAM_MAX];
	struct fx f;
	uint16_t len;

	if (!stack_up(&f, NULL))
		return;
	sock = udp_sock(&f, "deferred", UDP_PORT, 3);
	len = udp_dgram(d, UDP_PORT, 1000, 9);
	st0 = stats(&f);
	/* The fragments pay 2 of 3 units as they come; the datagram and
	 * the three frames after it wait for the burst's end. */
	inject_frag(d, 610, 0, 600, true);
	inject_frag(d, 610, 600, len - 600, false);
	inject_udp(UDP_PORT, 10);
	inject_udp(UDP_PORT, 11);
	inject_udp(UDP_PORT, 12);
	poll_n(&f, 1);
	st = stats(&f);
	XT_EQ(st.drops[XCHG_SD_NO_BUFFERS] - st0.drops[XCHG_SD_NO_BUFFERS], 2);
	XT_EQ(sock_stats(sock).drops[XCHG_SD_NO_BUFFERS], 2);
	XT_EQ(st.delivered - st0.delivered, 3);
	XT_EQ(xchg_pool_stats_get(xchg_socket_pool(sock), &ps), 0);
	XT_EQ(ps.refused, 2);
	xt_pool_expect(xchg_socket_pool(sock), 3, "deferred, socket full");
	expect_dgram(sock, d, len, 2);
	XT_EQ(xchg_socket_recv_burst(sock, m, RTE_DIM(m)), 1);
	XT_EQ(rte_pktmbuf_pkt_len(m[0]), 10);
	rte_pktmbuf_free(m[0]);
	xt_pool_expect(xchg_socket_pool(sock), 0, "deferred, read");
	stack_down(&f, "deferred no buffers");
}

/* Issue 13 item 2: a send the TX ring refuses leaves the datagram
 * exactly as the application had it, so xchg_udp_source() still names
 * the sender and a retry goes back to it, not to ourselves. */
static void
test_send_failed_keeps_source(void)
{
	static const struct rte_ether_addr peer = {
		{ 0x02, 0, 0, 0, 0, 0x01 } };
	uint8_t before[256], after[256];
	struct rte_mbuf *m = NULL, *dummy[1024];
	struct xchg_socket *sock;
	unsigned int i, nb_dummy = 0;
	rte_be32_t ip = 0;
	uint16_t port = 0, hdrs;
	struct fx f;

	if (!stack_up(&f, NULL))
		return;
	sock = udp_sock(&f, "echo", UDP_PORT, 8);
	XT_EQ(xchg_stack_add_neighbour(f.s, ip4(192, 0, 2, 1), &peer), 0);
	inject_udp(UDP_PORT, 100);
	poll_n(&f, 1);
	XT_EQ(xchg_socket_recv_burst(sock, &m, 1), 1);
	if (m == NULL)
		goto out;
	hdrs = (uint16_t)(m->l2_len + m->l3_len + m->l4_len);
	memcpy(before, rte_pktmbuf_mtod(m, uint8_t *) - hdrs, hdrs + 100);

	/* The PMD's ring is full: the send fails. */
	while (nb_dummy < RTE_DIM(dummy) &&
	       (dummy[nb_dummy] = rte_pktmbuf_alloc(mp)) != NULL &&
	       rte_ring_enqueue(ring, dummy[nb_dummy]) == 0)
		nb_dummy++;
	XT_CHECK(nb_dummy < RTE_DIM(dummy), "the ring never filled");
	if (nb_dummy < RTE_DIM(dummy))
		rte_pktmbuf_free(dummy[nb_dummy]);
	XT_EQ(xchg_udp_source(m, &ip, &port), 0);
	XT_EQ(xchg_udp_send_burst(sock, ip, port, &m, 1), 0);
	XT_EQ(xchg_udp_source(m, &ip, &port), 0);
	XT_CHECK(ip == ip4(192, 0, 2, 1) && port == 12345,
		 "the sender after a failed send: %08x:%u",
		 rte_be_to_cpu_32(ip), port);
	XT_EQ(rte_pktmbuf_pkt_len(m), 100);
	XT_EQ(m->l2_len + m->l3_len + m->l4_len, hdrs);
	XT_EQ(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			     RTE_MBUF_F_TX_UDP_CKSUM), 0);
	memcpy(after, rte_pktmbuf_mtod(m, uint8_t *) - hdrs, hdrs + 100);
	for (i = 0; i < hdrs + 100u; i++)
		XT_CHECK(before[i] == after[i],
			 "byte %u of the headers and payload: %02x, received %02x",
			 i, after[i], before[i]);
	XT_EQ(sock_stats(sock).send_failed, 1);

	/* Room again: the retry goes to the sender. */
	for (i = 0; i < nb_dummy; i++) {
		struct rte_mbuf *d = NULL;

		XT_EQ(rte_ring_dequeue(ring, (void **)&d), 0);
		rte_pktmbuf_free(d);
	}
	XT_EQ(xchg_udp_send_burst(sock, ip, port, &m, 1), 1);
	m = NULL;
	XT_EQ(rte_ring_count(ring), 1);
	if (rte_ring_dequeue(ring, (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		XT_CHECK(memcmp(p + 30, (const uint8_t[]){ 192, 0, 2, 1 },
				4) == 0 && p[36] == 0x30 && p[37] == 0x39,
			 "sent back to 192.0.2.1:12345");
		rte_pktmbuf_free(m);
	}
	m = NULL;
out:
	rte_pktmbuf_free(m);
	stack_down(&f, "send failed");
}

/* Issue 13 item 6: a packet socket may not take the stack's own
 * ethertypes from the UDP sockets and services. */
/* UDP over IPv6 misused: every call refuses with an error code, takes
 * nothing and leaks nothing. */
static void
test_udp6_misuse(void)
{
	static const uint8_t ours[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t ip[16];
	struct xchg_socket *sock, *pkt;
	struct rte_mbuf *m = NULL;
	uint16_t port;
	struct fx f;

	if (!stack_up(&f, NULL))
		return;
	XT_EQ(xchg_stack_add_address6(f.s, ours, 64), 0);
	sock = xchg_udp_socket(f.s, "u6", 8, XCHG_PRIO_NORMAL);
	pkt = xchg_packet_socket(f.s, "p6", ETH_EXPERIMENTAL, 8,
				 XCHG_PRIO_NORMAL);
	XT_CHECK(sock != NULL && pkt != NULL, "sockets");
	if (sock == NULL || pkt == NULL)
		goto out;
	XT_EQ(xchg_udp_bind6(NULL, ours, 5000), -EINVAL);
	XT_EQ(xchg_udp_bind6(sock, NULL, 5000), -EINVAL);
	XT_EQ(xchg_udp_bind6(sock, ours, 0), -EINVAL);
	XT_EQ(xchg_udp_bind6(pkt, ours, 5000), -EINVAL);
	XT_EQ(xchg_udp_connect6(NULL, ours, 1), -EINVAL);
	XT_EQ(xchg_udp_connect6(sock, (const uint8_t[16]){ 0 }, 1), -EINVAL);
	XT_EQ(xchg_udp_connect6(sock, ours, 0), -EINVAL);
	XT_EQ(xchg_udp_set_family(pkt, XCHG_FAMILY_IPV6), -EINVAL);
	XT_EQ(xchg_udp_source6(NULL, ip, &port), -EINVAL);
	/* Unbound: nothing to send from. */
	XT_EQ(xchg_socket_alloc_bulk(sock, &m, 1), 0);
	XT_EQ(xchg_udp_send_burst6(sock, ours, 6000, &m, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	XT_EQ(xchg_udp_send_burst6(NULL, ours, 6000, &m, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	XT_EQ(xchg_udp_send_burst6(sock, ours, 6000, NULL, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	/* A buffer that was never received has no source. */
	XT_EQ(xchg_udp_source6(m, ip, &port), -EINVAL);
	rte_pktmbuf_free(m);
	/* Bound to any IPv6 address: both families; the second bind of the
	 * port, either call, is refused. */
	XT_EQ(xchg_udp_bind6(sock, (const uint8_t[16]){ 0 }, 5000), 0);
	XT_EQ(xchg_udp_bind6(sock, ours, 5001), -EINVAL);
	XT_EQ(xchg_udp_bind(sock, 0, 5001), -EINVAL);
out:
	if (sock != NULL)
		XT_EQ(xchg_socket_close(sock), 0);
	if (pkt != NULL)
		XT_EQ(xchg_socket_close(pkt), 0);
	stack_down(&f, "udp6 misuse");
}

static void
test_packet_socket_types(void)
{
	static const uint16_t refused[] = { 0x0800, 0x0806 };
	static const uint16_t invalid[] = { 0x05ff, 0x8100, 0x88a8, 0x9100 };
	struct xchg_socket *sock, *pkt;
	struct rte_mbuf *m[4];
	struct fx f;
	unsigned int i;

	if (!stack_up(&f, NULL))
		return;
	for (i = 0; i < RTE_DIM(refused); i++) {
		XT_CHECK(xchg_packet_socket(f.s, "takeover", refused[i], 8,
					    XCHG_PRIO_NORMAL) == NULL,
			 "packet socket on 0x%04x", refused[i]);
		XT_EQ(rte_errno, EADDRINUSE);
	}
	for (i = 0; i < RTE_DIM(invalid); i++) {
		XT_CHECK(xchg_packet_socket(f.s, "tagged", invalid[i], 8,
					    XCHG_PRIO_NORMAL) == NULL,
			 "packet socket on 0x%04x", invalid[i]);
		XT_EQ(rte_errno, EINVAL);
	}
	XT_CHECK(xchg_pool_lookup(arena, "takeover") == NULL &&
		 xchg_pool_lookup(arena, "tagged") == NULL,
		 "a refused socket leaves no pool");
	pkt = xchg_packet_socket(f.s, "exp", ETH_EXPERIMENTAL, 8,
				 XCHG_PRIO_NORMAL);
	XT_CHECK(pkt != NULL, "packet socket: %s", rte_strerror(rte_errno));
	XT_CHECK(xchg_packet_socket(f.s, "exp2", ETH_EXPERIMENTAL, 8,
				    XCHG_PRIO_NORMAL) == NULL,
		 "a second packet socket on one ethertype");
	XT_EQ(rte_errno, EADDRINUSE);
	/* Each goes where it belongs. */
	sock = udp_sock(&f, "udp", UDP_PORT, 8);
	inject_udp(UDP_PORT, 10);
	inject_ethertype(ETH_EXPERIMENTAL, 0x66);
	poll_n(&f, 1);
	XT_EQ(xchg_socket_recv_burst(sock, m, 4), 1);
	rte_pktmbuf_free(m[0]);
	XT_EQ(xchg_socket_recv_burst(pkt, m, 4), 1);
	rte_pktmbuf_free(m[0]);
	stack_down(&f, "packet socket types");
}

struct pcap_seen {
	unsigned int frames;
	unsigned int to_port[3];   /* UDP_PORT, OTHER_PORT, other */
	bool lengths_ok;
};

static void
read_capture(const char *path, struct pcap_seen *seen)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, err);

	memset(seen, 0, sizeof(*seen));
	seen->lengths_ok = true;
	XT_CHECK(p != NULL, "pcap %s: %s", path, err);
	if (p == NULL)
		return;
	while (pcap_next_ex(p, &h, &data) == 1) {
		uint16_t port = 0;

		seen->frames++;
		if (h->caplen != h->len || h->len < 60 || h->ts.tv_sec < 1000)
			seen->lengths_ok = false;
		if (h->caplen >= 38 && data[12] == 0x08 && data[13] == 0)
			port = (uint16_t)(data[36] << 8 | data[37]);
		seen->to_port[port == UDP_PORT ? 0 : port == OTHER_PORT ?
			      1 : 2]++;
	}
	pcap_close(p);
}

/* Only the frames of the named owners, exactly; misses when short. */
static void
test_capture(void)
{
	static const char * const owners[] = { "capd" };
	char path[PATH_MAX], bad[PATH_MAX];
	struct xchg_stack_stats st;
	struct xchg_socket *a, *b;
	struct rte_mbuf *m[32];
	struct pcap_seen seen;
	uint8_t d[DGRAM_MAX];
	struct fx f;
	unsigned int i;
	uint16_t len;

	snprintf(path, sizeof(path), "%s/cap.pcap", xt_tmpdir());
	snprintf(bad, sizeof(bad), "%s/no/such/dir.pcap", xt_tmpdir());
	if (!stack_up(&f, NULL))
		return;
	a = udp_sock(&f, "capd", UDP_PORT, 32);
	b = udp_sock(&f, "notcapd", OTHER_PORT, 32);
	XT_EQ(xchg_stack_set_capture(f.s, bad, 16, NULL, 0), -EIO);
	XT_EQ(xchg_stack_set_capture(f.s, path, 0, NULL, 0), -EINVAL);
	XT_EQ(xchg_stack_set_capture(f.s, path, 16, owners, 1), 0);
	XT_EQ(xchg_stack_set_capture(f.s, path, 16, owners, 1), -EEXIST);
	for (i = 0; i < 5; i++) {
		inject_udp(UDP_PORT, (uint16_t)(20 + i));
		inject_udp(OTHER_PORT, 20);
	}
	inject_ethertype(ETH_EXPERIMENTAL, 1);  /* dropped: not captured */
	/* A reassembled datagram: both fragments are capd's. */
	len = udp_dgram(d, UDP_PORT, 1000, 2);
	inject_frag(d, 700, 0, 504, true);
	inject_frag(d, 700, 504, len - 504, false);
	poll_n(&f, 2);
	st = stats(&f);
	XT_EQ(st.captured, 7);
	XT_EQ(st.capture_missed, 0);
	XT_EQ(xchg_socket_recv_burst(a, m, 32), 6);
	rte_pktmbuf_free_bulk(m, 6);
	XT_EQ(xchg_socket_recv_burst(b, m, 32), 5);
	rte_pktmbuf_free_bulk(m, 5);
	stack_down(&f, "capture of one socket");
	read_capture(path, &seen);
	XT_EQ(seen.frames, 7);
	XT_EQ(seen.to_port[0], 6);   /* the second fragment has no ports: */
	XT_EQ(seen.to_port[2], 1);   /* read as offset bytes */
	XT_CHECK(seen.lengths_ok, "pcap lengths and times");

	/* Everything, with a pool of 2: one RX burst of 12 frames before
	 * the service writes anything. */
	if (!stack_up(&f, NULL))
		return;
	a = udp_sock(&f, "capd", UDP_PORT, 32);
	XT_EQ(xchg_stack_set_capture(f.s, path, 2, NULL, 0), 0);
	for (i = 0; i < 10; i++)
		inject_udp(UDP_PORT, 20);
	inject_ethertype(ETH_EXPERIMENTAL, 2);
	inject_ethertype(ETH_EXPERIMENTAL, 3);
	poll_n(&f, 2);
	st = stats(&f);
	XT_EQ(st.captured, 2);
	XT_EQ(st.capture_missed, 10);
	XT_EQ(st.drops[XCHG_SD_UNKNOWN_ETHERTYPE], 2);
	XT_EQ(xchg_socket_recv_burst(a, m, 32), 10);
	rte_pktmbuf_free_bulk(m, 10);
	xt_pool_expect(xchg_socket_pool(a), 0, "socket untouched");
	stack_down(&f, "capture misses");
	read_capture(path, &seen);
	XT_EQ(seen.frames, 2);
}

static void
test_telemetry(void)
{
	struct rte_ether_addr mac = {{ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }};
	struct xchg_socket *raw;
	char buf[16384];
	struct fx f;

	if (!stack_up(&f, NULL))
		return;
	udp_sock(&f, "tel-sock.1", UDP_PORT, 16);
	raw = xchg_packet_socket(f.s, "raw", ETH_EXPERIMENTAL, 8,
				 XCHG_PRIO_CRITICAL);
	XT_CHECK(raw != NULL, "raw");
	XT_EQ(xchg_socket_set_single_reader(raw, true), 0);
	XT_EQ(xchg_stack_add_neighbour(f.s, ip4(192, 0, 2, 9), &mac), 0);
	inject_ethertype(0x1234, 0);
	poll_n(&f, 1);

	XT_EQ(xt_telemetry_query("/xchg/sockets", buf, sizeof(buf)), 0);
	printf("/xchg/sockets -> %s\n", buf);
	XT_CHECK(strstr(buf, "\"port0\":{\"tel_sock_1\":{\"type\":\"udp\",\"port\":5000,\"priority\":\"normal\",\"readers\":\"many\",\"quota\":16,\"in_use\":0,") != NULL &&
		 strstr(buf, "\"raw\":{\"type\":\"packet\",\"ethertype\":34997,\"priority\":\"critical\",\"readers\":\"one\",\"quota\":8") != NULL &&
		 strstr(buf, "\"send_failed\":0") != NULL &&
		 strstr(buf, "\"frag_collectors\":4,\"frag_pending\":0,\"reassembled\":0,\"frag_evicted\":0") != NULL &&
		 strstr(buf, "\"neigh_timeout\":0,\"family\":\"both\"}") != NULL,
		 "sockets");
	XT_EQ(xt_telemetry_query("/xchg/sockets,0", buf, sizeof(buf)), 0);
	/* The same shape as without a parameter: port0 -> socket. */
	XT_CHECK(strstr(buf, "{\"/xchg/sockets\":{\"port0\":{\"tel_sock_1\":{") != NULL,
		 "sockets of port 0: %s", buf);
	XT_EQ(xt_telemetry_query("/xchg/sockets,7", buf, sizeof(buf)), 0);
	XT_CHECK(strstr(buf, "\"/xchg/sockets\":null") != NULL,
		 "no stack on port 7: %s", buf);

	XT_EQ(xt_telemetry_query("/xchg/services", buf, sizeof(buf)), 0);
	printf("/xchg/services -> %s\n", buf);
	XT_CHECK(strstr(buf, "\"arp\":{\"quota\":16,") != NULL &&
		 strstr(buf, "\"icmp\":{\"quota\":8,") != NULL &&
		 strstr(buf, "\"frames\":1") != NULL &&
		 strstr(buf, "\"unknown_ethertype\":1") != NULL &&
		 strstr(buf, "\"frag_no_collector\":0") != NULL &&
		 strstr(buf, "\"frag_staging\":{\"quota\":16,\"held\":0,") != NULL,
		 "services");
	XT_CHECK(strstr(buf, "\"proxy\"") == NULL &&
		 strstr(buf, "\"capture\"") == NULL, "no proxy or capture");
	XT_CHECK(strstr(buf, "\"nd\"") == NULL &&
		 strstr(buf, "\"icmp6\"") == NULL, "no IPv6, no ND pool");
	{
		static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8,
						 [15] = 1 };
		static const uint8_t n6[16] = { 0x20, 0x01, 0x0d, 0xb8,
						[15] = 9 };

		XT_EQ(xchg_stack_add_address6(f.s, ip6, 64), 0);
		XT_EQ(xchg_stack_add_neighbour6(f.s, n6, &mac), 0);
	}
	XT_EQ(xt_telemetry_query("/xchg/services", buf, sizeof(buf)), 0);
	XT_CHECK(strstr(buf, "\"nd\":{\"quota\":16,\"in_use\":0,") != NULL &&
		 strstr(buf, "\"answered\":0,\"solicited\":0,\"learned\":0,\"dad_conflicts\":0}") != NULL &&
		 strstr(buf, "\"icmp6\":{\"quota\":8,") != NULL &&
		 strstr(buf, "\"nd_malformed\":0") != NULL,
		 "ND and ICMPv6 services: %s", buf);

	XT_EQ(xt_telemetry_query("/xchg/neighbours", buf, sizeof(buf)), 0);
	printf("/xchg/neighbours -> %s\n", buf);
	XT_CHECK(strstr(buf, "\"192_0_2_9\":{\"ip\":\"192.0.2.9\",\"mac\":\"02:11:22:33:44:55\",\"static\":1,\"age_ms\":") != NULL,
		 "neighbours");
	XT_CHECK(strstr(buf, "\"2001_db8__9\":{\"ip\":\"2001:db8::9\",\"mac\":\"02:11:22:33:44:55\",\"static\":1,") != NULL,
		 "IPv6 neighbours: %s", buf);
	stack_down(&f, "telemetry");
	XT_EQ(xt_telemetry_query("/xchg/sockets", buf, sizeof(buf)), 0);
	XT_CHECK(strstr(buf, "{\"/xchg/sockets\":{}}") != NULL,
		 "stack gone: %s", buf);
}

/* A raw socket on the TAP interface: the host's side. */
static int
host_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	struct timeval tv = { .tv_usec = 100 * 1000 };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0)
		return -1;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned int
host_count(int fd, uint16_t type, uint8_t marker)
{
	uint8_t buf[2048];
	unsigned int n = 0;
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (len >= 15 && (uint16_t)(buf[12] << 8 | buf[13]) == type &&
		    buf[14] == marker)
			n++;
	return n;
}

static void
test_proxy(void)
{
	struct xchg_port_conf tc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	struct xchg_stack_conf sc = { .frag_timeout_ms = 100 };
	char devargs[64], ifname[IFNAMSIZ];
	struct xchg_port_stats ps;
	struct xchg_stack_stats st;
	struct xchg_port *tap;
	uint8_t d[DGRAM_MAX], frame[60] = { 0 };
	struct xchg_socket *sock;
	struct rte_mbuf *m[32];
	char buf[8192];
	unsigned int i, found = 0;
	uint16_t tap_id;
	struct fx f;
	int fd;

	snprintf(ifname, sizeof(ifname), "xsu%d", (int)getpid());
	snprintf(devargs, sizeof(devargs), "net_tap0,iface=%s", ifname);
	if (rte_dev_probe(devargs) != 0 ||
	    rte_eth_dev_get_port_by_name("net_tap0", &tap_id) != 0) {
		XT_CHECK(false, "net_tap: cannot create %s", ifname);
		return;
	}
	if (!stack_up(&f, &sc))
		return;
	/* No proxy: dropped as unknown ethertype. */
	for (i = 0; i < 3; i++)
		inject_ethertype(ETH_EXPERIMENTAL, 0x11);
	poll_n(&f, 1);
	XT_EQ(stats(&f).drops[XCHG_SD_UNKNOWN_ETHERTYPE], 3);
	XT_EQ(stats(&f).proxied_in, 0);

	tap = xchg_port_create(arena, tap_id, &tc);
	XT_CHECK(tap != NULL, "tap port: %s", rte_strerror(rte_errno));
	if (tap == NULL) {
		stack_down(&f, "proxy");
		return;
	}
	XT_EQ(xchg_stack_set_proxy(f.s, NULL, 32), -EINVAL);
	XT_EQ(xchg_stack_set_proxy(f.s, f.port, 32), -EINVAL);
	XT_EQ(xchg_stack_set_proxy(f.s, tap, 8), 0);
	XT_EQ(xchg_stack_set_proxy(f.s, tap, 8), -EEXIST);
	XT_CHECK(xchg_pool_lookup(arena, "port0_proxy") != NULL &&
		 xchg_pool_lookup(arena, "port0_hostout") != NULL, "pools");
	fd = host_socket(ifname);
	XT_CHECK(fd >= 0, "raw socket on %s: %s", ifname, strerror(errno));

	/* To the host. */
	for (i = 0; i < 5; i++)
		inject_ethertype(ETH_EXPERIMENTAL, 0x22);
	/* A later fragment no socket claims in time goes to the host too,
	 * from the staging area. */
	udp_dgram(d, UDP_PORT, 1000, 1);
	inject_frag(d, 800, 504, 504, false);
	poll_n(&f, 2);
	XT_EQ(stats(&f).staging.held, 1);
	/* Past its timeout (a signal may cut a sleep short). */
	for (i = 0; i < 100 && stats(&f).staging.held != 0; i++) {
		usleep(10 * 1000);
		poll_n(&f, 1);
	}
	poll_n(&f, 1);
	XT_EQ(stats(&f).staging.proxied, 1);
	XT_EQ(stats(&f).staging.timed_out, 0);
	drain_ring(0, NULL);
	st = stats(&f);
	XT_EQ(st.drops[XCHG_SD_UNKNOWN_ETHERTYPE], 3);
	XT_EQ(st.drops[XCHG_SD_FRAG_NO_COLLECTOR], 0);
	XT_CHECK(st.proxied_in >= 6, "proxied_in %lu",
		 (unsigned long)st.proxied_in);
	XT_EQ(xchg_port_stats_get(tap, &ps), 0);
	XT_CHECK(ps.eth.opackets >= 6, "tap opackets %lu",
		 (unsigned long)ps.eth.opackets);
	if (fd >= 0)
		XT_EQ(host_count(fd, ETH_EXPERIMENTAL, 0x22), 5);

	/* From the host, out of the stack's port. */
	memset(frame, 0xff, 6);
	memcpy(frame + 6, (const uint8_t[]){ 0x02, 0, 0, 0, 0, 0x09 }, 6);
	frame[12] = ETH_FROM_HOST >> 8;
	frame[13] = ETH_FROM_HOST & 0xff;
	frame[14] = 0x33;
	if (fd >= 0)
		XT_EQ(send(fd, frame, sizeof(frame), 0), (ssize_t)sizeof(frame));
	for (i = 0; i < 50 && found == 0; i++) {
		poll_n(&f, 1);
		drain_ring(ETH_FROM_HOST, &found);
		usleep(2000);
	}
	XT_EQ(found, 1);
	XT_CHECK(stats(&f).proxied_out >= 1, "proxied_out");

	/* More than the proxy's quota in one burst: only proxy frames are
	 * lost; a socket's frames in the same burst all arrive. */
	sock = udp_sock(&f, "beside", OTHER_PORT, 8);
	for (i = 0; i < 20; i++)
		inject_ethertype(ETH_EXPERIMENTAL, 0x44);
	for (i = 0; i < 4; i++)
		inject_udp(OTHER_PORT, 10);
	poll_n(&f, 2);
	drain_ring(0, NULL);
	XT_EQ(stats(&f).drops[XCHG_SD_NO_BUFFERS], 12);
	XT_EQ(xchg_socket_recv_burst(sock, m, RTE_DIM(m)), 4);
	rte_pktmbuf_free_bulk(m, 4);
	if (fd >= 0)
		XT_EQ(host_count(fd, ETH_EXPERIMENTAL, 0x44), 8);
	XT_EQ(xt_telemetry_query("/xchg/services,0", buf, sizeof(buf)), 0);
	XT_CHECK(strstr(buf, "\"proxy\":{\"quota\":8,") != NULL &&
		 strstr(buf, "\"hostout_quota\":8") != NULL,
		 "proxy in telemetry: %s", buf);
	if (fd >= 0)
		close(fd);

	stack_down(&f, "proxy, stack freed");
	XT_CHECK(xchg_pool_lookup(arena, "port0_proxy") == NULL, "proxy freed");
	XT_EQ(xchg_port_free(tap), 0);
	rte_eth_dev_close(tap_id);
	xt_census_ok(arena, "proxy");
}

int
main(int argc __rte_unused, char **argv)
{
	xt_ring_init(argv[0], "stack_units",
		     "--log-level=pmd.net.tap:critical", &ring, &ring_id);
	arena = xt_arena("stack_units", 2048, 0);
	mp = xchg_arena_mempool(arena);

	XT_RUN(test_reassembly);
	XT_RUN(test_out_of_order_and_timeout);
	XT_RUN(test_invalid);
	XT_RUN(test_flood);
	XT_RUN(test_staging_flood);
	XT_RUN(test_no_buffers);
	XT_RUN(test_deferred_no_buffers);
	XT_RUN(test_reassembly_setting);
	XT_RUN(test_send_failed_keeps_source);
	XT_RUN(test_packet_socket_types);
	XT_RUN(test_udp6_misuse);
	XT_RUN(test_capture);
	XT_RUN(test_telemetry);
	XT_RUN(test_proxy);

	return xt_arena_done(arena, "stack_units");
}
