/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Repeated stop/start with traffic, census conserved every time.
 * net_null carries traffic (received, delivered, transmitted); net_tap
 * fills its RX ring with buffers from the arena at start, so the cycles
 * also check that ring buffers stay within the RX queue's reservation
 * and go back to the arena when the port is stopped and closed.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_test.h"

#define CYCLES 20

static struct xchg_consumer *sink;

static struct xchg_consumer *
to_sink(struct rte_mbuf *m __rte_unused, void *ctx __rte_unused,
	enum xchg_drop_reason *reason __rte_unused)
{
	return sink;
}

static unsigned int
in_rings(struct xchg_arena *a)
{
	struct xchg_census c;

	xchg_arena_census(a, &c);
	return c.in_rings;
}

int
main(int argc __rte_unused, char **argv)
{
	struct xchg_port_conf conf = {
		.nb_rx_desc = 128, .nb_tx_desc = 128, .demux = to_sink,
	};
	char tap[64];
	/* Without shared config the tap PMD cannot reach secondaries, and
	 * says so at every start; there are none. */
	const char *extra[] = {
		"--vdev=net_null0", tap, "--log-level=pmd.net.tap:critical",
	};
	struct xchg_port *null_port, *tap_port;
	struct xchg_pool *app;
	struct xchg_arena *arena;
	struct xchg_port_stats s;
	struct rte_mbuf *m[32];
	unsigned int c, i, n, received = 0, sent = 0;

	/* A unique interface name, so parallel runs do not meet. */
	snprintf(tap, sizeof(tap), "--vdev=net_tap0,iface=xchgr%d", getpid());
	xt_eal_init(argv[0], "0", RTE_DIM(extra), extra);
	arena = xt_arena("restart", 4096, 0);
	sink = xchg_consumer_create(arena, "sink", XCHG_KIND_SOCKET, 64);
	app = xchg_pool_create(arena, "app", XCHG_KIND_SOCKET, 32);
	null_port = xchg_port_create(arena, 0, &conf);
	tap_port = xchg_port_create(arena, 1, &conf);
	XT_CHECK(sink != NULL && app != NULL && null_port != NULL &&
		 tap_port != NULL, "set-up: %s", rte_strerror(rte_errno));
	if (tap_port == NULL)
		return xt_done("port_restart");

	for (c = 0; c < CYCLES; c++) {
		XT_EQ(xchg_port_start(null_port), 0);
		XT_EQ(xchg_port_start(tap_port), 0);
		for (i = 0; i < 50; i++) {
			received += xchg_port_rx(null_port, 0);
			while ((n = xchg_consumer_recv_burst(sink, m, 32)) != 0)
				rte_pktmbuf_free_bulk(m, n);
			xchg_port_rx(tap_port, 0);
			if (xchg_alloc_bulk(app, m, 8) == 0) {
				n = xchg_port_tx(null_port, 0, app, m, 8);
				sent += n;
				rte_pktmbuf_free_bulk(&m[n], 8 - n);
			}
		}
		/* Whatever the tap ring holds fits its RX reservation. */
		XT_CHECK(in_rings(arena) <= 128 + 64,
			 "cycle %u: %u buffers in rings", c, in_rings(arena));
		XT_EQ(xchg_port_stop(tap_port), 0);
		XT_EQ(xchg_port_stop(null_port), 0);
		XT_EQ(xchg_port_stop(null_port), 0); /* stopping twice is fine */
		if (!xt_census_ok(arena, "after stop"))
			break;
	}
	XT_EQ(xchg_port_stats_get(null_port, &s), 0);
	XT_EQ(s.rx_frames, received);
	XT_EQ(s.delivered, received);
	XT_EQ(s.tx_frames, sent);
	XT_EQ(sent, CYCLES * 50 * 8);
	XT_EQ(s.eth.rx_nombuf, 0);
	xt_pool_expect(app, 0, "sender after cycles");

	XT_EQ(xchg_port_free(null_port), 0);
	XT_EQ(xchg_port_free(tap_port), 0);
	XT_EQ(rte_eth_dev_close(0), 0);
	XT_EQ(rte_eth_dev_close(1), 0);
	XT_EQ(in_rings(arena), 0); /* closing released every ring buffer */
	XT_EQ(xchg_consumer_free(sink), 0);
	XT_EQ(xchg_pool_free(app), 0);
	xt_census_ok(arena, "end");
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("port_restart");
}
