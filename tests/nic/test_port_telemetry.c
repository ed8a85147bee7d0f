/* SPDX-License-Identifier: BSD-3-Clause */

/* /xchg/ports: the PMD's figures and the exchange's through telemetry,
 * matching what xchg_port_stats_get() reports. */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_test.h"

static struct xchg_consumer *sink;

/* Every second frame is for nobody. */
static struct xchg_consumer *
demux(struct rte_mbuf *m __rte_unused, void *ctx __rte_unused,
      enum xchg_drop_reason *reason __rte_unused)
{
	static unsigned int i;

	return i++ % 2 == 0 ? sink : NULL;
}

int
main(int argc __rte_unused, char **argv)
{
	struct xchg_port_conf conf = { .nb_rx_desc = 128, .demux = demux };
	char buf[16384], want[256];
	const char *extra[] = { "--vdev=net_null0" };
	struct xchg_port_stats s;
	struct xchg_arena *arena;
	struct xchg_port *port;
	struct rte_mbuf *m[32];
	unsigned int i, n;

	xt_eal_init_shared(argv[0], "0", "ptel", RTE_DIM(extra), extra);
	arena = xt_arena("ptel", 1024, 0);
	sink = xchg_consumer_create(arena, "sink", XCHG_KIND_SOCKET, 64);
	port = xchg_port_create(arena, 0, &conf);
	XT_CHECK(sink != NULL && port != NULL && xchg_port_start(port) == 0,
		 "set-up");
	if (port == NULL)
		return xt_done("port_telemetry");
	for (i = 0; i < 10; i++) {
		xchg_port_rx(port, 0);
		while ((n = xchg_consumer_recv_burst(sink, m, 32)) != 0)
			rte_pktmbuf_free_bulk(m, n);
	}
	XT_EQ(xchg_port_stats_get(port, &s), 0);
	XT_EQ(s.rx_frames, 320);
	XT_EQ(s.delivered, 160);
	XT_EQ(s.drops[XCHG_DROP_NO_CONSUMER], 160);

	XT_EQ(xt_telemetry_query("/xchg/ports", buf, sizeof(buf)), 0);
	printf("/xchg/ports -> %s\n", buf);
	snprintf(want, sizeof(want), "\"port0\":{\"ipackets\":%lu,",
		 (unsigned long)s.eth.ipackets);
	XT_CHECK(strstr(buf, want) != NULL, "ipackets");
	XT_CHECK(strstr(buf, "\"rx_nombuf\":0") != NULL &&
		 strstr(buf, "\"delivered\":160") != NULL &&
		 strstr(buf, "\"drop_no_consumer\":160") != NULL &&
		 strstr(buf, "\"rxq0_packets\":320") != NULL &&
		 strstr(buf, "\"rxq0_quota\":192") != NULL &&
		 strstr(buf, "\"txq0_quota\":") != NULL, "port figures");

	XT_EQ(xchg_port_free(port), 0);
	XT_EQ(xchg_consumer_free(sink), 0);
	return xt_arena_done(arena, "port_telemetry");
}
