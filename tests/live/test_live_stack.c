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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "xchg_stack.h"
#include "xchg_test.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig __rte_unused)
{
	stop = 1;
}

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
	char vdev[128], tap_vdev[160];
	const char *extra[3] = { vdev, tap_vdev,
				 "--log-level=pmd.net.tap:critical" };
	struct xchg_port_conf conf = { .nb_rx_desc = 256 };
	struct xchg_port *port, *tap = NULL;
	struct xchg_socket *echo7, *size9;
	struct xchg_stack_stats st;
	struct xchg_stack *stack;
	struct xchg_arena *arena;
	char addr[32], *slash;
	struct in_addr ip;
	unsigned int r;
	int prefix;

	if (argc != 3 && argc != 5) {
		printf("usage: %s IFACE ADDRESS/PREFIX [TAP_IFACE MAC]\n",
		       argv[0]);
		return 2;
	}
	snprintf(addr, sizeof(addr), "%s", argv[2]);
	slash = strchr(addr, '/');
	if (slash == NULL) {
		printf("%s: give the address as ADDRESS/PREFIX\n", addr);
		return 2;
	}
	*slash = '\0';
	prefix = atoi(slash + 1);
	if (inet_pton(AF_INET, addr, &ip) != 1 || prefix < 1 || prefix > 32) {
		printf("%s/%s: not an IPv4 address and prefix\n", addr,
		       slash + 1);
		return 2;
	}
	/* net_pcap, not net_af_packet: net_af_packet joins a fanout group
	 * with PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles IP
	 * fragments before the PMD sees them (and a datagram over the ring
	 * slot arrives truncated); libpcap passes fragments as they are.
	 * phy_mac=1: the stack takes the interface's own MAC. */
	snprintf(vdev, sizeof(vdev), "--vdev=net_pcap0,iface=%s,phy_mac=1",
		 argv[1]);
	if (argc == 5)
		snprintf(tap_vdev, sizeof(tap_vdev),
			 "--vdev=net_tap0,iface=%s,mac=%s", argv[3], argv[4]);
	xt_eal_init(argv[0], "0", argc == 5 ? 3 : 1, extra);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	arena = xt_arena("live", 8192, 0);
	port = xchg_port_create(arena, 0, &conf);
	stack = port != NULL ? xchg_stack_create(arena, port, NULL) : NULL;
	XT_CHECK(stack != NULL, "stack: %s", rte_strerror(rte_errno));
	if (stack == NULL)
		return xt_done("live_stack");
	XT_EQ(xchg_stack_add_address(stack, ip.s_addr, (uint8_t)prefix), 0);
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
	printf("READY\n");
	fflush(stdout);

	while (!stop) {
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
	for (r = 0; r < XCHG_SD_MAX; r++)
		if (st.drops[r] != 0)
			printf("  dropped %s: %lu\n", xchg_stack_drop_name(r),
			       (unsigned long)st.drops[r]);
	XT_EQ(xchg_port_stop(port), 0);
	XT_EQ(xchg_stack_free(stack), 0);
	XT_EQ(xchg_port_free(port), 0);
	if (tap != NULL)
		XT_EQ(xchg_port_free(tap), 0);
	xt_census_ok(arena, "end");
	return xt_done("live_stack");
}
