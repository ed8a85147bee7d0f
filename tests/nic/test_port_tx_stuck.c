/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * A TX queue that never completes cannot starve the sender. net_ring
 * loops TX into a ring that nobody reads, so the PMD holds every frame
 * it is given, like a stuck queue or a lazy TX cleanup.
 *
 * - queue pays (RTnet): the sender is refunded at each send and keeps
 *   sending until the TX queue's own reservation is exhausted; then the
 *   send fails with ENOBUFS and the frames stay with the sender;
 * - sender pays: the same sender is starved after its quota;
 * - TX ring full: frames the PMD does not take go back to the sender.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_test.h"

#define QUOTA 16
#define BURST 8

static struct xchg_arena *arena;

static struct xchg_port *
ring_port(uint16_t id, enum xchg_tx_mode mode, uint16_t tx_desc)
{
	struct xchg_port_conf conf = {
		.nb_rx_desc = 64, .nb_tx_desc = tx_desc, .tx_mode = mode,
	};
	struct xchg_port *p = xchg_port_create(arena, id, &conf);

	XT_CHECK(p != NULL && xchg_port_start(p) == 0, "port %u", id);
	return p;
}

/* Allocate and send bursts until a send stops short; returns frames
 * sent. The frames not sent are left in @left. */
static unsigned int
send_until_short(struct xchg_port *p, struct xchg_pool *app,
		 struct rte_mbuf **left, unsigned int *nb_left, int *err)
{
	struct rte_mbuf *m[BURST];
	unsigned int total = 0, sent, i;

	*nb_left = 0;
	*err = 0;
	for (;;) {
		if (xchg_alloc_bulk(app, m, BURST) != 0) {
			*err = ENOBUFS;
			return total;
		}
		for (i = 0; i < BURST; i++)
			rte_pktmbuf_append(m[i], 60);
		sent = xchg_port_tx(p, 0, app, m, BURST);
		total += sent;
		if (sent < BURST) {
			*err = rte_errno;
			*nb_left = BURST - sent;
			memcpy(left, &m[sent], sizeof(*m) * *nb_left);
			return total;
		}
	}
}

/* Read the loop back: no demux, so every frame is dropped, freed, and
 * its unit returns to the TX queue. */
static void
complete_tx(struct xchg_port *p)
{
	while (xchg_port_rx(p, 0) != 0)
		;
}

static void
test_queue_pays(struct xchg_port *p)
{
	struct xchg_pool *app = xchg_pool_create(arena, "app", XCHG_KIND_SOCKET,
						 QUOTA);
	struct xchg_pool *txq = xchg_port_tx_pool(p, 0);
	struct xchg_port_stats s;
	struct rte_mbuf *left[BURST];
	unsigned int sent, nb_left;
	int err;

	sent = send_until_short(p, app, left, &nb_left, &err);
	/* 64 descriptors + 32 slack: the TX queue paid for 96 frames, six
	 * times the sender's quota, and the sender was never short. */
	XT_EQ(sent, 96);
	XT_EQ(err, ENOBUFS);
	XT_EQ(nb_left, BURST);
	xt_pool_expect(txq, 96, "TX queue full");
	xt_pool_expect(app, BURST, "refused frames stay with the sender");
	XT_EQ(xchg_port_stats_get(p, &s), 0);
	XT_EQ(s.tx_nobufs, BURST);
	XT_EQ(s.tx_frames, 96);
	xt_census_ok(arena, "TX stuck, queue pays");
	/* net_ring keeps its ring across a stop: still busy. */
	XT_EQ(xchg_port_free(p), -EBUSY);
	XT_EQ(xchg_port_start(p), 0);

	complete_tx(p);
	xt_pool_expect(txq, 0, "completed");
	XT_EQ(xchg_port_tx(p, 0, app, left, nb_left), nb_left);
	complete_tx(p);
	xt_pool_expect(app, 0, "sender after completion");

	/* A clone cannot change owner: it is sent as it is, and the sender
	 * pays until the PMD's free of the clone releases the original. */
	XT_EQ(xchg_alloc_bulk(app, left, 1), 0);
	rte_pktmbuf_append(left[0], 60);
	left[1] = rte_pktmbuf_clone(left[0], xchg_arena_mempool(arena));
	XT_CHECK(left[1] != NULL, "clone");
	XT_EQ(xchg_port_tx(p, 0, app, &left[1], 1), 1);
	rte_pktmbuf_free(left[0]);
	xt_pool_expect(app, 1, "the clone in the ring holds the original");
	complete_tx(p);
	xt_pool_expect(app, 0, "released when the clone is freed");
	XT_EQ(xchg_pool_free(app), 0);
}

static void
test_sender_pays(struct xchg_port *p)
{
	struct xchg_pool *app = xchg_pool_create(arena, "app2",
						 XCHG_KIND_SOCKET, QUOTA);
	struct rte_mbuf *left[BURST];
	unsigned int sent, nb_left;
	int err;

	sent = send_until_short(p, app, left, &nb_left, &err);
	/* Without the exchange on transmit the stuck queue starves it. */
	XT_EQ(sent, QUOTA);
	XT_EQ(err, ENOBUFS);
	xt_pool_expect(app, QUOTA, "sender starved by a stuck queue");
	xt_pool_expect(xchg_port_tx_pool(p, 0), 0, "queue pays nothing");
	xt_census_ok(arena, "TX stuck, sender pays");
	complete_tx(p);
	xt_pool_expect(app, 0, "refilled on completion");
	XT_EQ(xchg_pool_free(app), 0);
}

static void
test_ring_full(struct xchg_port *p)
{
	struct xchg_pool *app = xchg_pool_create(arena, "app3",
						 XCHG_KIND_SOCKET, QUOTA);
	struct rte_mbuf *left[BURST];
	unsigned int sent, nb_left;
	int err;

	/* net_ring's ring holds 1023 frames; the queue could pay for more. */
	sent = send_until_short(p, app, left, &nb_left, &err);
	XT_EQ(sent, 1023);
	XT_EQ(err, EAGAIN);
	XT_EQ(nb_left, 1);
	xt_pool_expect(xchg_port_tx_pool(p, 0), 1023, "queue pays the ring");
	xt_pool_expect(app, 1, "unsent frame back with the sender");
	XT_CHECK(xchg_mbuf_owner(left[0]) == app, "owner of the unsent frame");
	rte_pktmbuf_free(left[0]);
	complete_tx(p);
	xt_census_ok(arena, "after ring full");
	XT_EQ(xchg_pool_free(app), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	const char *extra[] = {
		"--vdev=net_ring0", "--vdev=net_ring1", "--vdev=net_ring2",
	};
	struct xchg_port *p[3];
	struct rte_mbuf *m;
	unsigned int i;

	xt_eal_init(argv[0], "0", RTE_DIM(extra), extra);
	arena = xt_arena("txstuck", 8192, 0);
	p[0] = ring_port(0, XCHG_TX_QUEUE_PAYS, 64);
	p[1] = ring_port(1, XCHG_TX_SENDER_PAYS, 64);
	p[2] = ring_port(2, XCHG_TX_QUEUE_PAYS, 2048);
	if (p[0] == NULL || p[1] == NULL || p[2] == NULL)
		return xt_done("port_tx_stuck");

	XT_RUN_ARG(test_queue_pays, p[0]);
	XT_RUN_ARG(test_sender_pays, p[1]);
	XT_RUN_ARG(test_ring_full, p[2]);

	/* Misuse: bad queue, NULL port. */
	m = rte_pktmbuf_alloc(xchg_arena_mempool(arena));
	XT_EQ(xchg_port_tx(p[0], 7, NULL, &m, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	XT_EQ(xchg_port_tx(NULL, 0, NULL, &m, 1), 0);
	rte_pktmbuf_free(m);

	for (i = 0; i < RTE_DIM(p); i++)
		XT_EQ(xchg_port_free(p[i]), 0);
	xt_census_ok(arena, "end");
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("port_tx_stuck");
}
