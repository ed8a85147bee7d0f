/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Live wire: net_af_packet on our end of a veth pair, the Linux kernel
 * on the other (live_veth.sh sets it up). Frames Linux sends to UDP port
 * 5000 are received and delivered to a consumer; frames we send to UDP
 * port 6000 must reach Linux, where live_veth.sh counts them.
 *
 * Usage: test_live_veth IFACE FRAMES_IN FRAMES_OUT
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_test.h"
#include "xt_frames.h"

#define IN_PORT 5000
#define OUT_PORT 6000

static struct xchg_consumer *udp_in;

static struct xchg_consumer *
demux(struct rte_mbuf *m, void *ctx __rte_unused,
      enum xchg_drop_reason *reason __rte_unused)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (rte_pktmbuf_data_len(m) >= 42 && p[12] == 0x08 && p[13] == 0 &&
	    p[23] == 17 && (p[36] << 8 | p[37]) == IN_PORT)
		return udp_in;
	return NULL;
}

static unsigned int
receive(struct xchg_port *port, unsigned int want)
{
	uint64_t deadline = rte_get_timer_cycles() + 20 * rte_get_timer_hz();
	struct rte_mbuf *m[32];
	unsigned int got = 0, n;

	while (got < want && rte_get_timer_cycles() < deadline) {
		xchg_port_rx(port, 0);
		while ((n = xchg_consumer_recv_burst(udp_in, m, 32)) != 0) {
			got += n;
			rte_pktmbuf_free_bulk(m, n);
		}
	}
	return got;
}

static unsigned int
send_frames(struct xchg_port *port, struct xchg_pool *app, unsigned int count)
{
	struct rte_mbuf *m;
	unsigned int sent = 0, i, tries;

	for (i = 0; i < count; i++) {
		if (xchg_alloc_bulk(app, &m, 1) != 0)
			break;
		m->data_len = m->pkt_len = xt_udp_frame(
			rte_pktmbuf_mtod(m, uint8_t *), OUT_PORT, 32);
		/* Broadcast, so the peer takes it whatever its address. */
		memset(rte_pktmbuf_mtod(m, uint8_t *), 0xff, 6);
		for (tries = 0; tries < 1000; tries++)
			if (xchg_port_tx(port, 0, app, &m, 1) == 1)
				break;
		if (tries == 1000) {
			rte_pktmbuf_free(m);
			break;
		}
		sent++;
	}
	return sent;
}

int
main(int argc, char **argv)
{
	struct xchg_port_conf conf = { .nb_rx_desc = 256, .demux = demux };
	char vdev[128];
	const char *extra[] = { vdev };
	unsigned int want_in, want_out, got;
	struct xchg_port_stats s;
	struct xchg_port *port;
	struct xchg_arena *arena;
	struct xchg_pool *app;

	if (argc != 4) {
		printf("usage: %s IFACE FRAMES_IN FRAMES_OUT\n", argv[0]);
		return 2;
	}
	want_in = atoi(argv[2]);
	want_out = atoi(argv[3]);
	snprintf(vdev, sizeof(vdev), "--vdev=net_af_packet0,iface=%s",
		 argv[1]);
	xt_eal_init(argv[0], "0", 1, extra);

	arena = xt_arena("live", 4096, 0);
	udp_in = xchg_consumer_create(arena, "udp5000", XCHG_KIND_SOCKET, 64);
	app = xchg_pool_create(arena, "app", XCHG_KIND_SOCKET, 16);
	port = xchg_port_create(arena, 0, &conf);
	XT_CHECK(udp_in != NULL && app != NULL && port != NULL,
		 "set-up: %s", rte_strerror(rte_errno));
	if (port == NULL || xchg_port_start(port) != 0)
		return xt_done("live_veth");
	printf("READY\n");
	fflush(stdout);

	got = receive(port, want_in);
	XT_EQ(got, want_in);
	XT_EQ(send_frames(port, app, want_out), want_out);
	XT_EQ(xchg_port_stats_get(port, &s), 0);
	XT_EQ(s.eth.rx_nombuf, 0);
	printf("received %u of %u, sent %lu; other frames dropped: %lu\n",
	       got, want_in, (unsigned long)s.tx_frames,
	       (unsigned long)s.drops[XCHG_DROP_NO_CONSUMER]);
	xt_pool_expect(app, 0, "sender after send");
	XT_EQ(xchg_port_free(port), 0);
	XT_EQ(xchg_consumer_free(udp_in), 0);
	XT_EQ(xchg_pool_free(app), 0);
	xt_census_ok(arena, "end");
	return xt_done("live_veth");
}
