/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * udp_echo: a UDP echo server on the xchg stack, the walk-through of
 * doc/guide.rst ("A minimal stack application").
 *
 *   udp_echo [EAL options] -- IP/PREFIX UDP_PORT [IDLE_MS]
 *
 * answers ARP and ping for IP, sends every datagram to UDP_PORT back to
 * its sender, and stops after IDLE_MS (default 1000) without a frame.
 * For example, replaying a capture and writing what it sends:
 *
 *   udp_echo -l 0 --no-huge -m 256 --no-pci --no-shconf \
 *       --vdev=net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap -- 192.0.2.1/24 7000
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include <xchg.h>
#include <xchg_port.h>
#include <xchg_stack.h>

int
main(int argc, char **argv)
{
	struct xchg_port_conf pconf = { .nb_rx_desc = 256, .nb_tx_desc = 256 };
	struct xchg_arena_conf aconf = {
		.name = "echo", .socket_id = SOCKET_ID_ANY, .nb_buffers = 2048,
	};
	struct xchg_stack_conf sconf = { 0 };
	struct rte_mbuf *m[32];
	struct in_addr addr;
	unsigned long prefix, udp_port, idle_ms = 1000;
	uint64_t echoed = 0, last, hz;
	char *slash;
	int n = rte_eal_init(argc, argv);

	if (n < 0 || argc - n < 3 || rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "usage: udp_echo [EAL options, a port] -- IP/PREFIX UDP_PORT [IDLE_MS]\n");
		return 1;
	}
	argv += n;
	slash = strchr(argv[1], '/');
	if (slash == NULL || (*slash = '\0', inet_pton(AF_INET, argv[1],
						      &addr) != 1)) {
		fprintf(stderr, "udp_echo: give the address as IP/PREFIX, e.g. 192.0.2.1/24\n");
		return 1;
	}
	prefix = strtoul(slash + 1, NULL, 10);
	udp_port = strtoul(argv[2], NULL, 10);
	if (argc - n > 3)
		idle_ms = strtoul(argv[3], NULL, 10);

	/* The arena: every buffer, once. The port: a reservation per queue.
	 * The stack on the port: ARP and ICMP with pools of their own. */
	struct xchg_arena *arena = xchg_arena_create(&aconf);
	struct xchg_port *port = arena == NULL ? NULL :
				 xchg_port_create(arena, 0, &pconf);
	struct xchg_stack *stack = port == NULL ? NULL :
				   xchg_stack_create(arena, port, &sconf);
	if (stack == NULL ||
	    xchg_stack_add_address(stack, addr.s_addr, (uint8_t)prefix) != 0)
		return 1;

	/* One socket, its own reservation of 64 buffers. Addresses are in
	 * network order, UDP ports in host order. */
	struct xchg_socket *sock = xchg_udp_socket(stack, "echo", 64,
						   XCHG_PRIO_NORMAL);
	if (sock == NULL || xchg_udp_bind(sock, 0, (uint16_t)udp_port) != 0 ||
	    xchg_port_start(port) != 0)
		return 1;

	hz = rte_get_timer_hz();
	last = rte_get_timer_cycles();
	while (rte_get_timer_cycles() - last < idle_ms * hz / 1000) {
		if (xchg_stack_poll(stack) > 0)
			last = rte_get_timer_cycles();
		unsigned int got = xchg_socket_recv_burst(sock, m, 32);

		/* Each datagram goes back from the socket's own reservation:
		 * the stack puts the headers back in front of the payload. */
		for (unsigned int i = 0; i < got; i++) {
			rte_be32_t ip;
			uint16_t from;

			if (xchg_udp_source(m[i], &ip, &from) == 0 &&
			    xchg_udp_send_burst(sock, ip, from, &m[i], 1) == 1)
				echoed++;
			else
				rte_pktmbuf_free(m[i]);
		}
	}

	struct xchg_census census;
	char line[256];
	int broken;

	printf("udp_echo: echoed %" PRIu64 " datagrams\n", echoed);
	xchg_port_stop(port);
	xchg_stack_free(stack);
	xchg_port_free(port);
	rte_eth_dev_close(0);
	broken = xchg_arena_census(arena, &census);
	xchg_census_format(&census, line, sizeof(line));
	printf("census: %s\n", line);
	xchg_arena_free(arena);
	rte_eal_cleanup();
	return broken == 0 ? 0 : 1;
}
