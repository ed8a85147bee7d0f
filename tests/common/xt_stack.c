/* SPDX-License-Identifier: BSD-3-Clause */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_test.h"
#include "xt_stack.h"

struct xchg_stack *
xt_stack_create(struct xchg_arena *arena, uint16_t port_id,
		const struct xchg_port_conf *pc,
		const struct xchg_stack_conf *sc, struct xchg_port **port)
{
	struct xchg_stack *stack;

	*port = xchg_port_create(arena, port_id, pc);
	stack = *port != NULL ? xchg_stack_create(arena, *port, sc) : NULL;
	XT_CHECK(stack != NULL, "stack: %s", rte_strerror(rte_errno));
	if (stack == NULL && *port != NULL) {
		xchg_port_free(*port);
		*port = NULL;
	}
	return stack;
}

volatile sig_atomic_t xt_live_stop;

static void
on_signal(int sig __rte_unused)
{
	xt_live_stop = 1;
}

int
xt_live_prefix(int family, const char *arg, void *addr, uint8_t *prefix)
{
	int max = family == AF_INET6 ? 128 : 32, n;
	char text[64], *slash;

	snprintf(text, sizeof(text), "%s", arg);
	slash = strchr(text, '/');
	if (slash == NULL) {
		printf("%s: give the address as ADDRESS/PREFIX\n", text);
		return -1;
	}
	*slash = '\0';
	n = atoi(slash + 1);
	if (inet_pton(family, text, addr) != 1 || n < 1 || n > max) {
		printf("%s/%s: not an IPv%d address and prefix\n", text,
		       slash + 1, family == AF_INET6 ? 6 : 4);
		return -1;
	}
	*prefix = (uint8_t)n;
	return 0;
}

void
xt_live_eal(const char *prog, const char *iface, int extra_argc,
	    const char * const *extra_argv)
{
	const char *argv[16];
	char vdev[128];
	int i;

	if (extra_argc > 15) {
		printf("too many EAL arguments\n");
		exit(1);
	}
	/* net_pcap, not net_af_packet: net_af_packet joins a fanout group
	 * with PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles IP
	 * fragments before the PMD sees them (and a datagram over the ring
	 * slot arrives truncated); libpcap passes fragments as they are.
	 * phy_mac=1: the stack takes the interface's own MAC. */
	snprintf(vdev, sizeof(vdev), "--vdev=net_pcap0,iface=%s,phy_mac=1",
		 iface);
	argv[0] = vdev;
	for (i = 0; i < extra_argc; i++)
		argv[i + 1] = extra_argv[i];
	xt_eal_init(prog, "0", extra_argc + 1, argv);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
}

void
xt_live_ready(void)
{
	printf("READY\n");
	fflush(stdout);
}

void
xt_live_drops(const char *who, const uint64_t *drops)
{
	unsigned int r;

	for (r = 0; r < XCHG_SD_MAX; r++)
		if (drops[r] != 0)
			printf("  %s%sdropped %s: %lu\n", who != NULL ? who : "",
			       who != NULL ? " " : "", xchg_stack_drop_name(r),
			       (unsigned long)drops[r]);
}

void
xt_stack_service_room(struct xchg_stack *s, struct rte_ring *ring,
		      struct rte_mempool *mp, unsigned int room)
{
	struct rte_mbuf *filler = rte_pktmbuf_alloc(mp), *m = NULL;
	unsigned int i, fill;

	XT_CHECK(filler != NULL, "filler");
	if (filler == NULL)
		return;
	fill = rte_ring_free_count(ring) - room;
	for (i = 0; i < fill; i++)
		XT_EQ(rte_ring_enqueue(ring, filler), 0);
	xchg_stack_service(s);
	for (i = 0; i < fill; i++) {
		XT_EQ(rte_ring_dequeue(ring, (void **)&m), 0);
		XT_CHECK(m == filler, "filler %u first", i);
	}
	rte_pktmbuf_free(filler);
}
