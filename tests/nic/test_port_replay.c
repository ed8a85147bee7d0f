/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_pcap replay through a port bound to an arena, with a demux feeding
 * two consumers, one of them a hog that never frees: rx_nombuf stays 0,
 * the other consumer receives every frame addressed to it, and every
 * other frame is dropped with its reason. Also: a port whose queues the
 * arena cannot cover is refused before setup, naming what is missing.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_test.h"
#include "xt_frames.h"

#define FRAMES 20000
#define HOG_PORT 1000
#define CRIT_PORT 2000
#define NOBODY_PORT 3000

static struct xchg_consumer *hog, *critical;

/* UDP destination port picks the consumer; runts are malformed. */
static struct xchg_consumer *
demux(struct rte_mbuf *m, void *ctx __rte_unused,
      enum xchg_drop_reason *reason)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t port;

	if (rte_pktmbuf_data_len(m) < 42) {
		*reason = XCHG_DROP_MALFORMED;
		return NULL;
	}
	port = (uint16_t)(p[36] << 8 | p[37]);
	return port == HOG_PORT ? hog : port == CRIT_PORT ? critical : NULL;
}

static void
test_refused_when_short(struct xchg_arena *arena, uint16_t port_id)
{
	struct xchg_port_conf conf = { .nb_rx_desc = 4096, .rx_slack = 64 };

	/* 4096 + 64 buffers for one RX queue do not fit in this arena. */
	XT_CHECK(xchg_port_create(arena, port_id, &conf) == NULL &&
		 rte_errno == ENOSPC, "short arena refused");
	XT_CHECK(xchg_pool_lookup(arena, "port0_rxq0") == NULL,
		 "no reservation left behind");
	XT_CHECK(xchg_port_create(NULL, port_id, &conf) == NULL &&
		 rte_errno == EINVAL, "NULL arena");
	XT_CHECK(xchg_port_create(arena, RTE_MAX_ETHPORTS, NULL) == NULL &&
		 rte_errno == EINVAL, "no such port");
}

static void
test_replay_with_hog(struct xchg_arena *arena, uint16_t port_id)
{
	struct xchg_port_conf conf = {
		.nb_rx_desc = 256, .nb_tx_desc = 256, .demux = demux,
	};
	struct xchg_port_stats s;
	struct xchg_pool_stats hs, cs;
	struct rte_mbuf *held[FRAMES], *m[64];
	unsigned int nb_held = 0, got, idle = 0, i;
	uint64_t crit_received = 0;
	struct xchg_port *port;

	hog = xchg_consumer_create(arena, "hog", XCHG_KIND_SOCKET, 512);
	critical = xchg_consumer_create(arena, "critical", XCHG_KIND_SOCKET,
					64);
	XT_CHECK(hog != NULL && critical != NULL, "consumers");
	port = xchg_port_create(arena, port_id, &conf);
	XT_CHECK(port != NULL, "port: %s", rte_strerror(rte_errno));
	if (port == NULL)
		return;
	XT_CHECK(xchg_port_create(arena, port_id, &conf) == NULL &&
		 rte_errno == EEXIST, "bound twice");
	XT_EQ(xchg_port_start(port), 0);

	/* net_pcap returns nothing once the file is read. */
	while (idle < 1000) {
		if (xchg_port_rx(port, 0) == 0) {
			idle++;
			continue;
		}
		idle = 0;
		/* The hog keeps all it gets; critical drains at once. */
		while ((got = xchg_consumer_recv_burst(hog, &held[nb_held],
						       64)) != 0)
			nb_held += got;
		while ((got = xchg_consumer_recv_burst(critical, m, 64)) != 0) {
			crit_received += got;
			rte_pktmbuf_free_bulk(m, got);
		}
	}

	XT_EQ(xchg_port_stats_get(port, &s), 0);
	/* Frames cycle hog, critical, hog, nobody, runt: see main(). */
	XT_EQ(s.eth.ipackets, FRAMES);
	XT_EQ(s.eth.rx_nombuf, 0);
	XT_EQ(s.rx_frames, FRAMES);
	XT_EQ(crit_received, FRAMES / 5);
	XT_EQ(nb_held, 512);
	XT_EQ(s.drops[XCHG_DROP_NO_BUFFERS], 2 * FRAMES / 5 - 512);
	XT_EQ(s.drops[XCHG_DROP_NO_CONSUMER], FRAMES / 5);
	XT_EQ(s.drops[XCHG_DROP_MALFORMED], FRAMES / 5);
	XT_EQ(s.drops[XCHG_DROP_REJECTED], 0);
	XT_EQ(s.delivered, FRAMES / 5 + 512);
	XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(hog), &hs), 0);
	XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(critical), &cs), 0);
	XT_EQ(hs.in_use, 512);
	XT_EQ(hs.refused, 2 * FRAMES / 5 - 512);
	XT_EQ(cs.refused, 0);
	XT_EQ(cs.accepted, FRAMES / 5);
	xt_census_ok(arena, "hog holding its quota");

	for (i = 0; i < nb_held; i++)
		rte_pktmbuf_free(held[i]);
	XT_EQ(xchg_port_free(port), 0);
	XT_EQ(xchg_consumer_free(hog), 0);
	XT_EQ(xchg_consumer_free(critical), 0);
	xt_census_ok(arena, "after port and consumers freed");
}

int
main(int argc __rte_unused, char **argv)
{
	const uint16_t ports[] = {
		HOG_PORT, CRIT_PORT, HOG_PORT, NOBODY_PORT, 0,
	};
	char path[512], vdev[600];
	const char *extra[] = { vdev };
	struct xchg_arena *arena;

	snprintf(path, sizeof(path), "%s/replay.pcap", xt_tmpdir());
	if (xt_pcap_write(path, FRAMES, ports, RTE_DIM(ports)) != 0)
		return 1;
	snprintf(vdev, sizeof(vdev), "--vdev=net_pcap0,rx_pcap=%s", path);
	xt_eal_init(argv[0], "0", 1, extra);

	/* Small on purpose: far fewer buffers than frames replayed. */
	arena = xt_arena("replay", 2048, 0);
	test_refused_when_short(arena, 0);
	test_replay_with_hog(arena, 0);
	XT_EQ(xchg_arena_free(arena), 0);
	xt_tmpdir_remove();
	return xt_done("port_replay");
}
