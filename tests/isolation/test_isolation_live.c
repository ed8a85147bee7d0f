/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Isolation on a live wire, driven by isolation_live.sh: net_pcap on our
 * end of a veth pair (libpcap passes IP fragments as they come; the
 * kernel reassembles them before net_af_packet sees them). A critical UDP
 * socket (port 7000) hears fragmented datagrams from Linux while a
 * second namespace floods a bulk socket (port 9000) with first fragments
 * that never complete. Each critical datagram carries its index in its
 * first four bytes (network order) and is @size bytes long.
 *
 * Runs until SIGTERM, then prints "critical: R received, D distinct,
 * B bad" and every drop with the consumer it was counted against, checks
 * the critical socket lost nothing on its own account and that every
 * drop belongs to the bulk socket, and ends with a census.
 *
 * Usage: test_isolation_live IFACE ADDRESS/PREFIX SIZE COUNT
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#include "xchg_stack.h"
#include "xchg_test.h"
#include "xt_stack.h"

#define MAX_COUNT 100000

static uint8_t seen[MAX_COUNT];

struct tally {
	unsigned int received, distinct, bad;
	unsigned int size, count;
};

static void
take_critical(struct xchg_socket *sock, struct tally *t)
{
	struct rte_mbuf *m[32];
	unsigned int i, n = xchg_socket_recv_burst(sock, m, RTE_DIM(m));

	for (i = 0; i < n; i++) {
		uint8_t head[4];
		const uint8_t *p = rte_pktmbuf_read(m[i], 0, 4, head);
		uint32_t k = p != NULL ? (uint32_t)p[0] << 24 |
			     (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
			     UINT32_MAX;

		t->received++;
		if (rte_pktmbuf_pkt_len(m[i]) != t->size || k >= t->count) {
			t->bad++;
		} else if (!seen[k]) {
			seen[k] = 1;
			t->distinct++;
		}
		rte_pktmbuf_free(m[i]);
	}
}

static void
take_bulk(struct xchg_socket *sock, unsigned int *n)
{
	struct rte_mbuf *m[32];
	unsigned int got = xchg_socket_recv_burst(sock, m, RTE_DIM(m));

	*n += got;
	rte_pktmbuf_free_bulk(m, got);
}

int
main(int argc, char **argv)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 512 };
	struct xchg_socket_stats cs, bs;
	struct xchg_socket *crit, *bulk;
	struct xchg_stack_stats st;
	struct xchg_port_stats ps;
	struct xchg_stack *stack;
	struct xchg_arena *arena;
	struct xchg_port *port;
	struct tally t = { 0 };
	unsigned int bulk_rx = 0, r;
	uint64_t total = 0, named = 0;
	rte_be32_t ip;
	uint8_t prefix;

	if (argc != 5) {
		printf("usage: %s IFACE ADDRESS/PREFIX SIZE COUNT\n", argv[0]);
		return 2;
	}
	if (xt_live_prefix(AF_INET, argv[2], &ip, &prefix) != 0)
		return 2;
	t.size = (unsigned int)atoi(argv[3]);
	t.count = (unsigned int)atoi(argv[4]);
	if (t.count > MAX_COUNT || t.size < 4) {
		printf("bad arguments\n");
		return 2;
	}
	xt_live_eal(argv[0], argv[1], 0, NULL);
	arena = xt_arena("isolive", 8192, 0);
	stack = xt_stack_create(arena, 0, &pc, NULL, &port);
	if (stack == NULL)
		return xt_done("isolation_live");
	XT_EQ(xchg_stack_add_address(stack, ip, prefix), 0);
	crit = xchg_udp_socket(stack, "critical", 64, XCHG_PRIO_CRITICAL);
	bulk = xchg_udp_socket(stack, "bulk", 64, XCHG_PRIO_NORMAL);
	XT_CHECK(crit != NULL && bulk != NULL, "sockets");
	if (crit == NULL || bulk == NULL)
		return xt_done("isolation_live");
	XT_EQ(xchg_udp_bind(crit, 0, 7000), 0);
	XT_EQ(xchg_udp_bind(bulk, 0, 9000), 0);
	XT_EQ(xchg_port_start(port), 0);
	xt_live_ready();
	while (!xt_live_stop) {
		xchg_stack_poll(stack);
		take_critical(crit, &t);
		take_bulk(bulk, &bulk_rx);
	}
	XT_EQ(xchg_stack_stats_get(stack, &st), 0);
	XT_EQ(xchg_port_stats_get(port, &ps), 0);
	XT_EQ(xchg_socket_stats_get(crit, &cs), 0);
	XT_EQ(xchg_socket_stats_get(bulk, &bs), 0);
	printf("critical: %u received, %u distinct, %u bad, of %u sent\n",
	       t.received, t.distinct, t.bad, t.count);
	printf("bulk: %u received, %lu evicted, %u half built; frames %lu, reassembled %lu, pcap missed %lu\n",
	       bulk_rx, (unsigned long)bs.drops[XCHG_SD_FRAG_EVICTED],
	       bs.frag_pending, (unsigned long)st.frames,
	       (unsigned long)st.reassembled,
	       (unsigned long)(ps.eth.imissed + ps.eth.ierrors));
	xt_live_drops("stack", st.drops);
	xt_live_drops("critical", cs.drops);
	xt_live_drops("bulk", bs.drops);
	/* The critical socket lost nothing on its own account, and every
	 * drop is counted against a consumer that paid. */
	for (r = 0; r < XCHG_SD_MAX; r++) {
		/* A datagram libpcap lost a fragment of in the kernel times
		 * out, on the critical socket's account: nothing else may. */
		if (r != XCHG_SD_FRAG_TIMEOUT ||
		    ps.eth.imissed + ps.eth.ierrors == 0)
			XT_EQ(cs.drops[r], 0);
		named += cs.drops[r] + bs.drops[r];
	}
	/* Frames for no consumer (a neighbour's multicast, say) are not
	 * anyone's loss; the rest are. */
	total = st.drops[XCHG_SD_FRAG_NO_COLLECTOR] +
		st.drops[XCHG_SD_FRAG_INVALID] +
		st.drops[XCHG_SD_FRAG_TIMEOUT] + st.drops[XCHG_SD_NO_BUFFERS] +
		st.drops[XCHG_SD_FRAG_EVICTED] +
		st.drops[XCHG_SD_FRAG_STAGING_EVICTED];
	XT_EQ(cs.pool.refused, 0);
	/* Every datagram of it the stack saw whole reached it. */
	XT_CHECK(cs.frag_pending == 0 || ps.eth.imissed + ps.eth.ierrors != 0,
		 "critical: %u datagrams half built", cs.frag_pending);
	XT_EQ(cs.reassembled, t.received);
	named += bs.pool.refused + st.staging.evicted + st.staging.timed_out +
		 st.staging.no_buffers + st.staging.invalid;
	XT_CHECK(named == total, "%lu drops, %lu counted against a consumer",
		 (unsigned long)total, (unsigned long)named);
	xchg_port_stop(port);
	XT_EQ(xchg_socket_close(crit), 0);
	XT_EQ(xchg_socket_close(bulk), 0);
	XT_EQ(xchg_stack_free(stack), 0);
	XT_EQ(xchg_port_free(port), 0);
	xt_census_ok(arena, "isolation live");
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("isolation_live");
}
