/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * IPv6 neighbour discovery on a live wire, driven by live_nd.sh:
 * net_pcap on our end of a veth pair, Linux on the other. The stack has
 * ADDRESS6 (and its link-local address); it resolves PEER6 by neighbour
 * solicitation and prints "RESOLVED MAC" when Linux's advertisement is
 * learned, answers Linux's solicitations and ping -6. With CONFLICT6, it
 * also adds that address, which Linux holds: duplicate address
 * detection must see Linux defend it and take it out of use (one
 * conflict, counted and logged). Runs until SIGTERM or SIGINT, then
 * prints its figures (one line the script reads) and ends with a
 * census.
 *
 * Usage: test_live_nd IFACE ADDRESS6/PREFIX PEER6 [CONFLICT6]
 */

#include <arpa/inet.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "xchg_stack.h"
#include "xchg_stack_private.h"
#include "xchg_test.h"
#include "xt_stack.h"

int
main(int argc, char **argv)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 256 };
	struct xchg_stack_stats st;
	struct rte_ether_addr mac;
	struct xchg_stack *stack;
	struct xchg_arena *arena;
	struct xchg_port *port;
	uint8_t ip6[16], peer[16], conflict[16], prefix;
	/* A busy machine may take a while to poll: DAD waits 5 s. */
	struct xchg_stack_conf sc = { .dad_ms = 5000 };
	uint64_t next = 0, hz;
	bool resolved = false;

	if (argc != 4 && argc != 5) {
		printf("usage: %s IFACE ADDRESS6/PREFIX PEER6 [CONFLICT6]\n",
		       argv[0]);
		return 2;
	}
	if (xt_live_prefix(AF_INET6, argv[2], ip6, &prefix) != 0)
		return 2;
	if (inet_pton(AF_INET6, argv[3], peer) != 1 ||
	    (argc == 5 && inet_pton(AF_INET6, argv[4], conflict) != 1)) {
		printf("%s%s%s: not IPv6 addresses\n", argv[3],
		       argc == 5 ? ", " : "", argc == 5 ? argv[4] : "");
		return 2;
	}
	xt_live_eal(argv[0], argv[1], 0, NULL);
	hz = rte_get_timer_hz();

	arena = xt_arena("live_nd", 2048, 0);
	stack = xt_stack_create(arena, 0, &pc, &sc, &port);
	if (stack == NULL)
		return xt_done("live_nd");
	XT_EQ(xchg_stack_add_address6(stack, ip6, prefix), 0);
	if (argc == 5)
		XT_EQ(xchg_stack_add_address6(stack, conflict, prefix), 0);
	XT_EQ(xchg_port_start(port), 0);
	xt_live_ready();

	while (!xt_live_stop) {
		xchg_stack_poll(stack);
		/* We resolve Linux: a solicitation every 300 ms (paid by
		 * the ND pool) until its advertisement is learned. */
		if (!resolved && rte_get_timer_cycles() >= next) {
			next = rte_get_timer_cycles() + hz * 3 / 10;
			if (xchg_neigh6_resolve(stack, peer, &mac, NULL) == 0) {
				resolved = true;
				printf("RESOLVED %02x:%02x:%02x:%02x:%02x:%02x\n",
				       mac.addr_bytes[0], mac.addr_bytes[1],
				       mac.addr_bytes[2], mac.addr_bytes[3],
				       mac.addr_bytes[4], mac.addr_bytes[5]);
				fflush(stdout);
			}
		}
	}

	XT_EQ(xchg_stack_stats_get(stack, &st), 0);
	printf("frames %lu, delivered %lu, nd answered %lu, nd solicited %lu, nd learned %lu, icmp6 answered %lu, dad conflicts %lu, neighbours6 %u\n",
	       (unsigned long)st.frames, (unsigned long)st.delivered,
	       (unsigned long)st.nd_advertisements_sent,
	       (unsigned long)st.nd_solicitations_sent,
	       (unsigned long)st.nd_learned,
	       (unsigned long)st.icmp6_echo_answered,
	       (unsigned long)st.dad_conflicts, st.neighbours6);
	xt_live_drops(NULL, st.drops);
	XT_EQ(st.dad_conflicts, argc == 5 ? 1 : 0);
	if (argc == 5)
		XT_EQ(xchg_stack_is_local6(stack, conflict), false);
	XT_EQ(st.service_no_buffers, 0);
	XT_EQ(xchg_port_stop(port), 0);
	XT_EQ(xchg_stack_free(stack), 0);
	XT_EQ(xchg_port_free(port), 0);
	xt_census_ok(arena, "end");
	return xt_done("live_nd");
}
