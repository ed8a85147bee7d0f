/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The stack on a live wire, driven by live_stack.sh: net_pcap on our
 * end of a veth pair, Linux on the other. It answers ping and arping,
 * echoes UDP datagrams on port 7, answers datagrams on port 9 with their
 * size (so a reassembled 4000-byte datagram can be checked from Linux),
 * and, with a tap interface, proxies everything else to the Linux stack
 * behind it. Runs until SIGTERM or SIGINT, then prints its figures and
 * ends with a census.
 *
 * Usage: test_live_stack IFACE ADDRESS/PREFIX [TAP_IFACE MAC]
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "xchg_stack.h"
#include "xchg_test.h"
#include "xt_stack.h"

/* Send every datagram back where it came from. */
static void
echo(struct xchg_socket *sock)
{
	struct rte_mbuf *m[32];
	unsigned int i, n = xchg_socket_recv_burst(sock, m, RTE_DIM(m));

	for (i = 0; i < n; i++) {
		rte_be32_t ip;
		uint16_t port;

		if (xchg_udp_source(m[i], &ip, &port) != 0 ||
		    xchg_udp_send_burst(sock, ip, port, &m[i], 1) != 1)
			rte_pktmbuf_free(m[i]);
	}
}

/* Answer each datagram with "got N", N its size: a reassembled datagram
 * too large to echo can still be checked by its sender. */
static void
size_reply(struct xchg_socket *sock)
{
	struct rte_mbuf *m[32], *r;
	unsigned int i, n = xchg_socket_recv_burst(sock, m, RTE_DIM(m));

	for (i = 0; i < n; i++) {
		rte_be32_t ip;
		uint16_t port;
		char *text;

		if (xchg_udp_source(m[i], &ip, &port) == 0 &&
		    xchg_socket_alloc_bulk(sock, &r, 1) == 0) {
			text = rte_pktmbuf_append(r, 48);
			if (text != NULL) {
				snprintf(text, 48, "got %u segs %u\n",
					 rte_pktmbuf_pkt_len(m[i]),
					 m[i]->nb_segs);
				rte_pktmbuf_trim(r, 48 - strlen(text));
			}
			if (text == NULL ||
			    xchg_udp_send_burst(sock, ip, port, &r, 1) != 1)
				rte_pktmbuf_free(r);
		}
		rte_pktmbuf_free(m[i]);
	}
}

int
main(int argc, char **argv)
{
	char tap_vdev[160];
	const char *extra[2] = { tap_vdev,
				 "--log-level=pmd.net.tap:critical" };
	struct xchg_port_conf conf = { .nb_rx_desc = 256 };
	struct xchg_port *port, *tap = NULL;
	struct xchg_socket *echo7, *size9;
	struct xchg_stack_stats st;
	struct xchg_stack *stack;
	struct xchg_arena *arena;
	rte_be32_t ip;
	uint8_t prefix;

	if (argc != 3 && argc != 5) {
		printf("usage: %s IFACE ADDRESS/PREFIX [TAP_IFACE MAC]\n",
		       argv[0]);
		return 2;
	}
	if (xt_live_prefix(AF_INET, argv[2], &ip, &prefix) != 0)
		return 2;
	if (argc == 5)
		snprintf(tap_vdev, sizeof(tap_vdev),
			 "--vdev=net_tap0,iface=%s,mac=%s", argv[3], argv[4]);
	xt_live_eal(argv[0], argv[1], argc == 5 ? 2 : 0, extra);

	arena = xt_arena("live", 8192, 0);
	stack = xt_stack_create(arena, 0, &conf, NULL, &port);
	if (stack == NULL)
		return xt_done("live_stack");
	XT_EQ(xchg_stack_add_address(stack, ip, prefix), 0);
	echo7 = xchg_udp_socket(stack, "echo7", 64, XCHG_PRIO_CRITICAL);
	size9 = xchg_udp_socket(stack, "size9", 64, XCHG_PRIO_NORMAL);
	XT_CHECK(echo7 != NULL && size9 != NULL, "sockets");
	XT_EQ(xchg_udp_bind(echo7, 0, 7), 0);
	XT_EQ(xchg_udp_bind(size9, 0, 9), 0);
	if (argc == 5) {
		tap = xchg_port_create(arena, 1, &conf);
		XT_CHECK(tap != NULL && xchg_port_start(tap) == 0, "tap port");
		XT_EQ(xchg_stack_set_proxy(stack, tap, 256), 0);
	}
	XT_EQ(xchg_port_start(port), 0);
	xt_live_ready();

	while (!xt_live_stop) {
		xchg_stack_poll(stack);
		echo(echo7);
		size_reply(size9);
	}

	XT_EQ(xchg_stack_stats_get(stack, &st), 0);
	printf("frames %lu, delivered %lu, arp answered %lu, icmp answered %lu, reassembled %lu, proxied in %lu out %lu\n",
	       (unsigned long)st.frames, (unsigned long)st.delivered,
	       (unsigned long)st.arp_requests_answered,
	       (unsigned long)st.icmp_echo_answered,
	       (unsigned long)st.reassembled, (unsigned long)st.proxied_in,
	       (unsigned long)st.proxied_out);
	xt_live_drops(NULL, st.drops);
	XT_EQ(xchg_port_stop(port), 0);
	XT_EQ(xchg_stack_free(stack), 0);
	XT_EQ(xchg_port_free(port), 0);
	if (tap != NULL)
		XT_EQ(xchg_port_free(tap), 0);
	xt_census_ok(arena, "end");
	return xt_done("live_stack");
}
