/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Multi-queue on two lcores: net_pcap with one rx_pcap file per queue.
 * Queue 1 stands in for a queue the hardware steers to one consumer (it
 * is bound, no software demux); queue 0 is demuxed in software, with a
 * flow steered by xchg_port_steer() (net_pcap has no rte_flow, so this
 * exercises the logged software fallback). Both lcores deliver into the
 * same consumer at once. Census conserved at the end.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_test.h"
#include "xt_frames.h"

#define FRAMES 30000
#define SHARED_PORT 2000
#define STEERED_PORT 4000

static struct xchg_consumer *shared, *steered;
static struct xchg_port *port;
static volatile bool q1_done;

/* A per-queue count by its xstats name ("rx_q0_packets"): DPDK 25.11
 * removed the per-queue arrays of struct rte_eth_stats. */
static uint64_t
xstat(uint16_t port_id, const char *name)
{
	uint64_t id, value;

	if (rte_eth_xstats_get_id_by_name(port_id, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port_id, &id, &value, 1) != 1)
		return UINT64_MAX;
	return value;
}

static struct xchg_consumer *
demux(struct rte_mbuf *m, void *ctx __rte_unused,
      enum xchg_drop_reason *reason __rte_unused)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (rte_pktmbuf_data_len(m) >= 42 &&
	    (p[36] << 8 | p[37]) == SHARED_PORT)
		return shared;
	return NULL;
}

/* Poll until the file is read: net_pcap then returns nothing. */
static void
poll_queue(uint16_t q, void (*drain)(void))
{
	unsigned int idle = 0;

	while (idle < 2000) {
		if (xchg_port_rx(port, q) == 0)
			idle++;
		else
			idle = 0;
		if (drain != NULL)
			drain();
	}
}

static int
lcore_q1(void *arg __rte_unused)
{
	poll_queue(1, NULL);
	q1_done = true;
	return 0;
}

static uint64_t shared_rx, steered_rx;

static void
drain(void)
{
	struct rte_mbuf *m[64];
	unsigned int n;

	while ((n = xchg_consumer_recv_burst(shared, m, 64)) != 0) {
		shared_rx += n;
		rte_pktmbuf_free_bulk(m, n);
	}
	while ((n = xchg_consumer_recv_burst(steered, m, 64)) != 0) {
		steered_rx += n;
		rte_pktmbuf_free_bulk(m, n);
	}
}

int
main(int argc __rte_unused, char **argv)
{
	const uint16_t q0_ports[] = { SHARED_PORT, STEERED_PORT, 3000 };
	const uint16_t q1_ports[] = { SHARED_PORT };
	struct xchg_flow_match match = { .udp_dst_port = STEERED_PORT };
	struct xchg_port_conf conf = {
		.nb_rx_queues = 2, .nb_tx_queues = 1, .nb_rx_desc = 128,
		.demux = demux,
	};
	char q0[512], q1[512], vdev[1200];
	const char *extra[] = { vdev };
	struct xchg_port_stats s;
	struct xchg_arena *arena;

	snprintf(q0, sizeof(q0), "%s/q0.pcap", xt_tmpdir());
	snprintf(q1, sizeof(q1), "%s/q1.pcap", xt_tmpdir());
	if (xt_pcap_write(q0, FRAMES, q0_ports, RTE_DIM(q0_ports)) != 0 ||
	    xt_pcap_write(q1, FRAMES, q1_ports, RTE_DIM(q1_ports)) != 0)
		return 1;
	snprintf(vdev, sizeof(vdev), "--vdev=net_pcap0,rx_pcap=%s,rx_pcap=%s",
		 q0, q1);
	xt_eal_init(argv[0], "0-1", 1, extra);

	arena = xt_arena("mq", 4096, 0);
	shared = xchg_consumer_create(arena, "shared", XCHG_KIND_SOCKET, 256);
	steered = xchg_consumer_create(arena, "steered", XCHG_KIND_SOCKET, 64);
	port = xchg_port_create(arena, 0, &conf);
	XT_CHECK(shared != NULL && steered != NULL && port != NULL,
		 "set-up: %s", rte_strerror(rte_errno));
	if (port == NULL)
		return xt_done("port_multiqueue");
	XT_EQ(xchg_port_bind_queue(port, 1, shared), 0);
	XT_EQ(xchg_port_bind_queue(port, 2, shared), -EINVAL);
	XT_EQ(xchg_port_steer(port, &match, 0, steered), 0); /* software */
	XT_EQ(xchg_port_steer(port, &match, 5, steered), -EINVAL);
	XT_EQ(xchg_port_start(port), 0);

	XT_EQ(rte_eal_remote_launch(lcore_q1, NULL, 1), 0);
	poll_queue(0, drain);
	while (!q1_done)
		drain();
	rte_eal_mp_wait_lcore();
	drain();

	XT_EQ(xchg_port_stats_get(port, &s), 0);
	XT_EQ(s.nb_rx_queues, 2);
	XT_EQ(s.eth.ipackets, 2 * FRAMES);
	XT_EQ(xstat(0, "rx_q0_packets"), FRAMES);
	XT_EQ(xstat(0, "rx_q1_packets"), FRAMES);
	XT_EQ(s.eth.rx_nombuf, 0);
	/* Consumers drained promptly, but two lcores fill one ring of 256:
	 * any refusal must be counted, never lost. */
	XT_EQ(shared_rx + s.drops[XCHG_DROP_NO_BUFFERS], FRAMES + FRAMES / 3);
	XT_EQ(steered_rx, FRAMES / 3);
	XT_EQ(s.drops[XCHG_DROP_NO_CONSUMER], FRAMES / 3);
	XT_EQ(s.delivered, shared_rx + steered_rx);
	printf("shared consumer: %lu delivered, %lu refused while full\n",
	       (unsigned long)shared_rx,
	       (unsigned long)s.drops[XCHG_DROP_NO_BUFFERS]);
	xt_census_ok(arena, "after two lcores");

	XT_EQ(xchg_port_free(port), 0);
	XT_EQ(xchg_consumer_free(shared), 0);
	XT_EQ(xchg_consumer_free(steered), 0);
	xt_census_ok(arena, "after free");
	XT_EQ(xchg_arena_free(arena), 0);
	xt_tmpdir_remove();
	return xt_done("port_multiqueue");
}
