/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fuzz target: frames through the real receive path.
 *
 * One stack on a net_ring port (rte_eth_from_rings: its own RX and TX
 * rings), with two addresses, a default route, a static neighbour, UDP
 * sockets (one of them echoes what it gets back to the sender), packet
 * sockets, the ARP and ICMP services on small pools, a proxy to a second
 * net_ring port playing the host, and a capture of everything to
 * /dev/null. The frames go into the RX ring as a PMD hands them over
 * (arena buffers, poisoned around the frame in sanitizer builds: see
 * fuzz_common.c) and the stack polls them: port, demux, exchange,
 * services, sockets, reassembly, capture and proxy all run.
 *
 *   fuzz_frame:  the input is one frame.
 *   fuzz_frames: the input is a sequence of records
 *                  [ctl:1][len:2, big endian][frame:len]
 *                (the last frame takes what is left); ctl bit 0: the
 *                frame comes from the host, through the proxy; bit 1:
 *                poll before it; bit 2: 300 ms pass before it; bit 3:
 *                the application drains its sockets before it; bit 4:
 *                the frame arrives chained in 64-byte segments.
 *
 * After each input every socket is drained, time jumps past every
 * timeout (fragments, neighbours), the TX rings are emptied, and then
 * nothing may be held: the census holds, every pool is empty and every
 * buffer is free in the arena (fz_check_arena()). The frame is also
 * parsed from an exact-length heap copy, which AddressSanitizer watches
 * whatever the build.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "fuzz_common.h"
#include "xchg.h"
#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_stack_private.h"

#define ARENA_BUFFERS 4096
#define RING_SIZE 1024
#define MAX_FRAMES 256
#define SEG_DEFAULT 2048
#define SEG_SMALL 64
#define ETH_EXP 0x88b5
#define ETH_LLDP 0x88cc

static struct xchg_arena *arena;
static struct rte_mempool *mp;
static struct rte_ring *wire_rx, *wire_tx, *host_rx, *host_tx;
static struct xchg_port *wire, *host;
static struct xchg_stack *stack;
static uint64_t now_cycles;
static uint16_t seg_size;

#define NB_SOCKS 6
static struct xchg_socket *socks[NB_SOCKS];
static struct xchg_socket *echo_sock;

static uint64_t
fz_clock(void *arg)
{
	(void)arg;
	return now_cycles;
}

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 |
				(uint32_t)c << 8 | d);
}

static struct rte_ring *
ring(const char *name)
{
	struct rte_ring *r = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);

	if (r == NULL)
		fz_fail("ring %s: %s", name, rte_strerror(rte_errno));
	return r;
}

static struct xchg_port *
port(const char *name, struct rte_ring *rx, struct rte_ring *tx)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	int id = rte_eth_from_rings(name, &rx, 1, &tx, 1, SOCKET_ID_ANY);
	struct xchg_port *p;

	if (id < 0)
		fz_fail("port %s: %s", name, rte_strerror(rte_errno));
	p = xchg_port_create(arena, (uint16_t)id, &pc);
	if (p == NULL)
		fz_fail("xchg port %s: %s", name, rte_strerror(rte_errno));
	return p;
}

static struct xchg_socket *
udp(const char *name, uint16_t p, uint32_t quota, enum xchg_priority prio)
{
	struct xchg_socket *s = xchg_udp_socket(stack, name, quota, prio);

	if (s == NULL || xchg_udp_bind(s, 0, p) != 0)
		fz_fail("socket %s: %s", name, rte_strerror(rte_errno));
	return s;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rte_ether_addr gw = {{ 0x02, 0, 0, 0, 0, 0x01 }};
	struct xchg_arena_conf ac = {
		.name = "fz_stack", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = ARENA_BUFFERS, .lcore_cache = -1,
	};
	struct xchg_stack_conf sc = {
		.arp_quota = 4, .icmp_quota = 4, .frag_collectors = 4,
		.frag_max_frags = 16, .neigh_max = 16, .clock = fz_clock,
		.nd_quota = 4, .icmp6_quota = 4,
	};
	/* IPv6 on too: neighbour discovery and ICMPv6 are fuzzed. */
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct xchg_arena_info info;

	(void)argc;
	fz_eal_init((*argv)[0], 0, NULL);
	arena = xchg_arena_create(&ac);
	if (arena == NULL)
		fz_fail("arena: %s", rte_strerror(rte_errno));
	mp = xchg_arena_mempool(arena);
	if (xchg_arena_info_get(arena, &info) != 0)
		fz_fail("arena figures");
	seg_size = (uint16_t)RTE_MIN(SEG_DEFAULT,
				     info.data_room - RTE_PKTMBUF_HEADROOM);
	wire_rx = ring("fz_wire_rx");
	wire_tx = ring("fz_wire_tx");
	host_rx = ring("fz_host_rx");
	host_tx = ring("fz_host_tx");
	wire = port("fz_wire", wire_rx, wire_tx);
	host = port("fz_host", host_rx, host_tx);
	now_cycles = rte_get_timer_hz();
	stack = xchg_stack_create(arena, wire, &sc);
	if (stack == NULL)
		fz_fail("stack: %s", rte_strerror(rte_errno));
	if (xchg_stack_add_address(stack, ip4(192, 0, 2, 2), 24) != 0 ||
	    xchg_stack_add_address(stack, ip4(198, 51, 100, 1), 24) != 0 ||
	    xchg_stack_add_route(stack, 0, 0, ip4(192, 0, 2, 1)) != 0 ||
	    xchg_stack_add_neighbour(stack, ip4(192, 0, 2, 1), &gw) != 0 ||
	    xchg_stack_add_address6(stack, ip6, 64) != 0)
		fz_fail("addresses: %s", rte_strerror(rte_errno));
	echo_sock = socks[0] = udp("echo", 7, 8, XCHG_PRIO_CRITICAL);
	socks[1] = udp("dns", 53, 4, XCHG_PRIO_NORMAL);
	socks[2] = udp("bulk", 5000, 32, XCHG_PRIO_NORMAL);
	socks[3] = udp("syslog", 514, 2, XCHG_PRIO_NORMAL);
	socks[4] = xchg_packet_socket(stack, "exp", ETH_EXP, 8,
				      XCHG_PRIO_NORMAL);
	socks[5] = xchg_packet_socket(stack, "lldp", ETH_LLDP, 2,
				      XCHG_PRIO_CRITICAL);
	if (socks[4] == NULL || socks[5] == NULL)
		fz_fail("packet sockets: %s", rte_strerror(rte_errno));
	if (xchg_stack_set_proxy(stack, host, 16) != 0)
		fz_fail("proxy: %s", rte_strerror(rte_errno));
	if (xchg_stack_set_capture(stack, "/dev/null", 8, NULL, 0) != 0)
		fz_fail("capture: %s", rte_strerror(rte_errno));
	if (xchg_port_start(wire) != 0)
		fz_fail("port start");
	fz_check_arena(arena, true, "set-up");
	return 0;
}

/* The application: the echo socket sends every datagram back, the
 * others take and free. */
static void
drain_sockets(void)
{
	struct rte_mbuf *m[32], *out[32];
	unsigned int i, k, n;

	for (i = 0; i < NB_SOCKS; i++) {
		while ((n = xchg_socket_recv_burst(socks[i], m, 32)) != 0) {
			for (k = 0; k < n; k++) {
				rte_be32_t ip;
				uint16_t p;
				char *d;

				if (socks[i] != echo_sock ||
				    xchg_udp_source(m[k], &ip, &p) != 0 ||
				    xchg_socket_alloc_bulk(echo_sock, out,
							   1) != 0)
					continue;
				d = rte_pktmbuf_append(out[0], 8);
				if (d != NULL)
					memcpy(d, "xchg-fz", 8);
				if (d == NULL ||
				    xchg_udp_send_burst(echo_sock, ip, p, out,
							1) != 1)
					rte_pktmbuf_free(out[0]);
			}
			rte_pktmbuf_free_bulk(m, n);
		}
	}
}

/* What the stack sent: the wire and the host take it. */
static void
drain_tx(void)
{
	struct rte_mbuf *m[32];
	unsigned int n;

	while ((n = rte_ring_dequeue_burst(wire_tx, (void **)m, 32,
					   NULL)) != 0)
		rte_pktmbuf_free_bulk(m, n);
	while ((n = rte_ring_dequeue_burst(host_tx, (void **)m, 32,
					   NULL)) != 0)
		rte_pktmbuf_free_bulk(m, n);
}

static void
poll_all(void)
{
	unsigned int rounds = 0;

	do {
		xchg_stack_poll(stack);
		xchg_port_rx(host, 0);
		drain_tx();
	} while ((rte_ring_count(wire_rx) != 0 ||
		  rte_ring_count(host_rx) != 0) && ++rounds < 64);
	xchg_stack_poll(stack);
	drain_tx();
}

/* An exact-length heap copy through the parser, both ways. */
static void
parse_copy(const uint8_t *data, size_t len)
{
	struct xchg_pkt pkt;
	uint8_t *copy;
	size_t first;

	if (len == 0 || len > UINT16_MAX)
		return;
	copy = malloc(len);
	if (copy == NULL)
		return;
	memcpy(copy, data, len);
	xchg_stack_parse(copy, (uint32_t)len, false, &pkt);
	xchg_stack_parse(copy, (uint32_t)len, true, &pkt);
	first = RTE_MIN(len, (size_t)SEG_SMALL);
	xchg_stack_parse_wire(copy, (uint32_t)first, (uint32_t)len, true,
			      &pkt);
	free(copy);
}

static void
inject(const uint8_t *data, size_t len, bool from_host, bool small)
{
	struct rte_mbuf *m;

	parse_copy(data, len);
	m = fz_frame(mp, data, len, small ? SEG_SMALL : seg_size);
	if (m == NULL)
		return;
	if (rte_ring_enqueue(from_host ? host_rx : wire_rx, m) != 0) {
		/* The ring is full: poll it empty and try once more. */
		poll_all();
		if (rte_ring_enqueue(from_host ? host_rx : wire_rx, m) != 0)
			rte_pktmbuf_free(m);
	}
}

/* Everything the input left is let go, then nothing may be held. */
static void
finish(void)
{
	struct xchg_stack_stats st;

	poll_all();
	drain_sockets();
	now_cycles += 600 * rte_get_timer_hz(); /* past every timeout */
	poll_all();
	drain_sockets();
	poll_all();
	if (xchg_stack_stats_get(stack, &st) != 0)
		fz_fail("stack figures");
	fz_check_arena(arena, true, "after the input");
}

#ifndef FZ_SEQUENCE

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 9216)
		return -1; /* longer than any jumbo frame: not kept */
	inject(data, size, false, false);
	finish();
	return 0;
}

#else

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int frames = 0;
	size_t off = 0;

	while (off < size && frames < MAX_FRAMES) {
		uint8_t ctl = data[off];
		size_t len = 0;

		if (off + 3 <= size)
			len = (size_t)data[off + 1] << 8 | data[off + 2];
		off = RTE_MIN(off + 3, size);
		len = RTE_MIN(len, size - off);
		if (ctl & 0x02)
			poll_all();
		if (ctl & 0x04)
			now_cycles += rte_get_timer_hz() * 3 / 10;
		if (ctl & 0x08)
			drain_sockets();
		inject(data + off, len, ctl & 0x01, ctl & 0x10);
		off += len;
		frames++;
	}
	finish();
	return 0;
}

#endif
