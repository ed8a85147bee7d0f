/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * A stopped port: xchg_port_rx() and xchg_port_tx() return 0, count it
 * (rx_stopped, tx_stopped), never call the PMD (whose dummy burst
 * functions log an error and a stack dump per call) and log nothing;
 * the frames refused stay with the caller. Started again, the port
 * carries traffic as before. And a TX queue whose reservation is spent
 * asks the PMD to reclaim before refusing (tx_reclaims).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_test.h"

#define CALLS 500

int
main(int argc __rte_unused, char **argv)
{
	struct xchg_port_conf conf = { .nb_rx_desc = 128, .nb_tx_desc = 128 };
	const char *extra[] = { "--vdev=net_null0" };
	struct xchg_port_stats s;
	struct xchg_arena *arena;
	struct xchg_port *port;
	struct xchg_pool *app;
	struct rte_mbuf *m[8];
	FILE *old, *mem;
	char *log = NULL;
	size_t len = 0;
	unsigned int i, got = 0, sent = 0;

	xt_eal_init(argv[0], "0", RTE_DIM(extra), extra);
	arena = xt_arena("stopped", 2048, 0);
	app = xchg_pool_create(arena, "app", XCHG_KIND_SOCKET, 16);
	port = xchg_port_create(arena, 0, &conf);
	XT_CHECK(app != NULL && port != NULL, "set-up: %s",
		 rte_strerror(rte_errno));
	if (port == NULL)
		return xt_done("port_stopped");
	XT_EQ(xchg_alloc_bulk(app, m, RTE_DIM(m)), 0);

	/* Never started, then started and stopped: both are stopped. */
	old = rte_log_get_stream();
	mem = open_memstream(&log, &len);
	XT_CHECK(mem != NULL, "memstream");
	rte_openlog_stream(mem);
	for (i = 0; i < CALLS; i++) {
		got += xchg_port_rx(port, 0);
		sent += xchg_port_tx(port, 0, app, m, RTE_DIM(m));
	}
	XT_EQ(rte_errno, ENETDOWN);
	XT_EQ(xchg_port_start(port), 0);
	XT_EQ(xchg_port_stop(port), 0);
	for (i = 0; i < CALLS; i++) {
		got += xchg_port_rx(port, 0);
		sent += xchg_port_tx(port, 0, app, m, RTE_DIM(m));
	}
	fflush(mem);
	rte_openlog_stream(old == stderr ? NULL : old);
	fclose(mem);
	XT_EQ(got, 0);
	XT_EQ(sent, 0);
	XT_CHECK(len == 0, "a stopped port logged %zu bytes: %.200s", len,
		 log != NULL ? log : "");
	free(log);
	XT_EQ(xchg_port_stats_get(port, &s), 0);
	XT_EQ(s.rx_stopped, 2 * CALLS);
	XT_EQ(s.tx_stopped, 2 * CALLS * RTE_DIM(m));
	XT_EQ(s.eth.ipackets, 0);
	/* The refused frames are still the caller's. */
	xt_pool_expect(app, RTE_DIM(m), "after the refused sends");
	XT_CHECK(xt_census_ok(arena, "stopped"), "census");

	/* Started again: net_null takes frames and gives frames. */
	XT_EQ(xchg_port_start(port), 0);
	XT_EQ(xchg_port_tx(port, 0, app, m, RTE_DIM(m)), RTE_DIM(m));
	XT_CHECK(xchg_port_rx(port, 0) > 0, "no frame received after restart");
	XT_EQ(xchg_port_stop(port), 0);
	XT_EQ(xchg_port_stats_get(port, &s), 0);
	/* net_null frees what it sends: the TX queue held nothing, so
	 * stopping did not call into the PMD to reclaim (DPDK 24.11's
	 * net_memif copy mode crashes on the empty burst that asks). */
	XT_CHECK(s.tx_reclaims == 0, "tx_reclaims %" PRIu64, s.tx_reclaims);
	XT_CHECK(xt_census_ok(arena, "restarted"), "census");
	XT_EQ(xchg_port_free(port), 0);
	xt_port_close(0);
	XT_EQ(xchg_pool_free(app), 0);
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("port_stopped");
}
