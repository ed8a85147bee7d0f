/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Frames the kernel dropped on the interface under a PMD that reads a
 * Linux interface (net_af_xdp, net_af_packet, net_pcap on iface=): the
 * interface's rx_dropped (sysfs), as a delta from the port's first
 * start. net_af_xdp on a veth loses frames there when the XDP socket's
 * RX ring is full (the program not scheduled), and ethdev's counters
 * (imissed, rx_nombuf) stay 0. The figure is the whole interface's: it
 * also counts drops of frames xchg never asked for. Read only at stats
 * time (xchg_port_stats_get()), never in the data path: one open, read
 * and close of a sysfs file per call.
 */

#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "xchg_port_private.h"

static const char *const kernel_pmds[] = {
	"net_af_xdp", "net_af_packet", "net_pcap",
};

/* The interface's rx_dropped, or -1 when it cannot be read. */
static int64_t
read_rx_dropped(const char *ifname)
{
	char path[64 + IF_NAMESIZE], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_dropped",
		 ifname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (int64_t)strtoull(buf, NULL, 10);
}

void
xchg_port_kernel_base(struct xchg_port *p)
{
	struct rte_eth_dev_info info;
	int64_t v;
	unsigned int i;

	if (p->kernel_if[0] != '\0' ||
	    rte_eth_dev_info_get(p->port_id, &info) != 0 ||
	    info.if_index == 0 || info.driver_name == NULL)
		return;
	for (i = 0; i < RTE_DIM(kernel_pmds); i++)
		if (strcmp(info.driver_name, kernel_pmds[i]) == 0)
			break;
	if (i == RTE_DIM(kernel_pmds) ||
	    if_indextoname(info.if_index, p->kernel_if) == NULL) {
		p->kernel_if[0] = '\0';
		return;
	}
	v = read_rx_dropped(p->kernel_if);
	if (v < 0) {
		PORT_LOG(WARNING, "port %u: %s's rx_dropped unreadable: kernel_dropped not counted\n",
			 p->port_id, p->kernel_if);
		p->kernel_if[0] = '\0';
		return;
	}
	p->kernel_base = (uint64_t)v;
}

uint64_t
xchg_port_kernel_dropped(const struct xchg_port *p)
{
	int64_t v;

	if (p->kernel_if[0] == '\0')
		return 0;
	v = read_rx_dropped(p->kernel_if);
	/* Unreadable now (interface gone), or reset: the last delta is
	 * unknown; 0 rather than a wrapped figure. */
	if (v < 0 || (uint64_t)v < p->kernel_base)
		return 0;
	return (uint64_t)v - p->kernel_base;
}
