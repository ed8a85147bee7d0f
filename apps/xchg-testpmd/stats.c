/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The tables that make the guarantee visible: per pool quota, in_use,
 * available, refused and low_watermark; per port rx_nombuf; the census.
 * The leak watch (xchg_watch.h) ticks from the main loop; a pool starved
 * for longer than its limit is marked in the pool table.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "testpmd.h"

/* The watch's limit: testpmd keeps the arena's default. */
#define TP_STARVE_MS XCHG_WATCH_STARVE_MS_DEFAULT
#define TP_WATCH_EVERY_MS 100

static int
pool_row(struct xchg_pool *pool, void *arg)
{
	struct xchg_pool_stats s;
	struct xchg_holder h;
	char mark[128] = "";
	FILE *out = arg;

	if (xchg_watch_pool_get(pool, &h) == 0 && h.starved &&
	    h.starved_ms > TP_STARVE_MS)
		snprintf(mark, sizeof(mark),
			 "  STARVED %" PRIu64 " ms: holds %u, oldest held at least %" PRIu64 " ms",
			 h.starved_ms, h.held, h.oldest_ms);
	if (xchg_pool_stats_get(pool, &s) == 0)
		fprintf(out, "  %-18s %-9s %7u %7u %9u %10" PRIu64 " %10" PRIu64 " %13u%s\n",
			xchg_pool_name(pool),
			xchg_pool_kind_name(xchg_pool_kind(pool)), s.quota,
			s.in_use, s.available, s.accepted, s.refused,
			s.low_watermark, mark);
	return 0;
}

void
tp_show_pools(FILE *out)
{
	/* A fresh look: the marks below are from now. */
	xchg_watch_tick(tp.arena);
	fprintf(out, "  %-18s %-9s %7s %7s %9s %10s %10s %13s\n", "pool", "kind",
		"quota", "in_use", "available", "accepted", "refused",
		"low_watermark");
	xchg_pool_foreach(tp.arena, pool_row, out);
}

void
tp_watch_poll(void)
{
	static uint64_t next;
	uint64_t now = rte_get_timer_cycles();

	if (now < next || tp.arena == NULL)
		return;
	next = now + tp.hz * TP_WATCH_EVERY_MS / 1000;
	xchg_watch_tick(tp.arena);
}

void
tp_show_census(FILE *out)
{
	struct xchg_census c;
	char line[256];

	xchg_arena_census(tp.arena, &c);
	xchg_census_format(&c, line, sizeof(line));
	fprintf(out, "  census: %s\n", line);
}

void
tp_show_ports(FILE *out)
{
	struct xchg_port_stats s;
	unsigned int i, r;

	fprintf(out, "  %-6s %12s %12s %10s %8s %10s %10s %10s %14s\n", "port",
		"rx", "tx", "rx_nombuf", "imissed", "delivered", "dropped",
		"tx_nobufs", "kernel_dropped");
	for (i = 0; i < tp.nb_ports; i++) {
		uint64_t dropped = 0;

		tp_port_stats(i, &s);
		for (r = 0; r < XCHG_DROP_MAX; r++)
			dropped += s.drops[r];
		fprintf(out, "  %-6u %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %14" PRIu64 "\n",
			tp.ports[i].port_id, s.eth.ipackets, s.eth.opackets,
			s.eth.rx_nombuf, s.eth.imissed, s.delivered, dropped,
			s.tx_nobufs, s.kernel_dropped);
	}
}

void
tp_show_sockets(FILE *out)
{
	unsigned int i;
	char how[32];

	fprintf(out, "  %-14s %-12s %12s %12s %6s\n", "consumer", "behaviour",
		"received", "processed", "held");
	for (i = 0; i < tp.nb_consumers; i++) {
		const struct tp_consumer *c = &tp.consumers[i];

		fprintf(out, "  %-14s %-12s %12" PRIu64 " %12" PRIu64 " %6u\n",
			c->name, tp_behaviour_name(c, how, sizeof(how)),
			c->received, c->processed, c->held_len);
	}
	/* Datagrams each socket lost, by reason (a staged fragment is the
	 * staging area's until its first fragment names the socket). */
	for (i = 0; i < tp.nb_consumers; i++) {
		const struct tp_consumer *c = &tp.consumers[i];
		struct xchg_socket_stats ss;
		unsigned int r;

		if (c->socket == NULL ||
		    xchg_socket_stats_get(c->socket, &ss) != 0)
			continue;
		for (r = 0; r < XCHG_SD_MAX; r++)
			if (ss.datagrams_lost[r] != 0)
				fprintf(out, "  %s: lost %" PRIu64 " datagrams (%" PRIu64 " frames) %s\n",
					c->name, ss.datagrams_lost[r],
					ss.drops[r], xchg_stack_drop_name(r));
		if (ss.frag_pending != 0)
			fprintf(out, "  %s: %u datagrams half built (%u fragments)\n",
				c->name, ss.frag_pending, ss.frag_held);
	}
	for (i = 0; i < tp.nb_consumers; i++) {
		const struct tp_consumer *c = &tp.consumers[i];

		if (c->behaviour == TP_ECHO || c->echoed != 0 ||
		    c->echo_failed != 0)
			fprintf(out, "  %s: echoed %" PRIu64 ", not echoed %" PRIu64 "\n",
				c->name, c->echoed, c->echo_failed);
	}
	for (i = 0; i < TP_MAX_PORTS; i++) {
		struct xchg_stack *stack = tp.setup != NULL ?
			xchg_config_setup_stack(tp.setup, i) :
			i == 0 ? tp.stack : NULL;
		struct xchg_stack_stats st;
		unsigned int r;

		if (stack == NULL || xchg_stack_stats_get(stack, &st) != 0)
			continue;
		/* Named by its port's ethdev id, as everywhere. */
		fprintf(out, "  stack on port %u: %" PRIu64 " frames, %" PRIu64 " delivered, arp answered %" PRIu64 ", icmp answered %" PRIu64 ", nd answered %" PRIu64 ", icmp6 answered %" PRIu64 "\n",
			i < tp.nb_ports ? tp.ports[i].port_id : i, st.frames, st.delivered, st.arp_requests_answered,
			st.icmp_echo_answered, st.nd_advertisements_sent,
			st.icmp6_echo_answered);
		for (r = 0; r < XCHG_SD_MAX; r++)
			if (st.drops[r] != 0)
				fprintf(out, "    dropped %-18s %12" PRIu64 "\n",
					xchg_stack_drop_name(r), st.drops[r]);
	}
}

/* Port figures since the last clear port stats. */
void
tp_port_stats(unsigned int i, struct xchg_port_stats *s)
{
	const struct xchg_port_stats *b = &tp.port_base[i];
	unsigned int r;

	memset(s, 0, sizeof(*s));
	if (xchg_port_stats_get(tp.ports[i].port, s) != 0)
		return;
	s->eth.ipackets -= b->eth.ipackets;
	s->eth.opackets -= b->eth.opackets;
	s->eth.ibytes -= b->eth.ibytes;
	s->eth.obytes -= b->eth.obytes;
	s->eth.imissed -= b->eth.imissed;
	s->eth.ierrors -= b->eth.ierrors;
	s->eth.oerrors -= b->eth.oerrors;
	s->eth.rx_nombuf -= b->eth.rx_nombuf;
	s->rx_frames -= b->rx_frames;
	s->delivered -= b->delivered;
	s->kept -= b->kept;
	for (r = 0; r < XCHG_DROP_MAX; r++)
		s->drops[r] -= b->drops[r];
	s->tx_frames -= b->tx_frames;
	s->tx_nobufs -= b->tx_nobufs;
	s->tx_full -= b->tx_full;
	s->kernel_dropped -= b->kernel_dropped;
}

static int
port_arg(int port, unsigned int *first, unsigned int *last)
{
	unsigned int i;

	if (port < 0) {
		*first = 0;
		*last = tp.nb_ports;
		return 0;
	}
	for (i = 0; i < tp.nb_ports; i++)
		if (tp.ports[i].port_id == port) {
			*first = i;
			*last = i + 1;
			return 0;
		}
	return -1;
}

/* testpmd's "show port stats": the PMD's counters, the rates since the
 * last show, and what the exchange did with the frames. */
int
tp_show_port_stats(FILE *out, int port)
{
	unsigned int i, first, last, r;
	uint64_t now = rte_get_timer_cycles();

	if (port_arg(port, &first, &last) != 0)
		return -1;
	for (i = first; i < last; i++) {
		struct xchg_port_stats s, *l = &tp.rate_last[i];
		uint64_t dt = tp.rate_tsc[i] != 0 ? now - tp.rate_tsc[i] : 0;
		uint64_t rx_pps = 0, tx_pps = 0, rx_bps = 0, tx_bps = 0;
		uint64_t dropped = 0;

		tp_port_stats(i, &s);
		if (dt != 0 && s.eth.ipackets >= l->eth.ipackets &&
		    s.eth.opackets >= l->eth.opackets) {
			rx_pps = (s.eth.ipackets - l->eth.ipackets) * tp.hz / dt;
			tx_pps = (s.eth.opackets - l->eth.opackets) * tp.hz / dt;
			rx_bps = (s.eth.ibytes - l->eth.ibytes) * 8 * tp.hz / dt;
			tx_bps = (s.eth.obytes - l->eth.obytes) * 8 * tp.hz / dt;
		}
		*l = s;
		tp.rate_tsc[i] = now;
		for (r = 0; r < XCHG_DROP_MAX; r++)
			dropped += s.drops[r];
		fprintf(out, "\n  ######################## NIC statistics for port %-2u #######################\n",
			tp.ports[i].port_id);
		fprintf(out, "  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %" PRIu64 "\n",
			s.eth.ipackets, s.eth.imissed, s.eth.ibytes);
		fprintf(out, "  RX-errors: %" PRIu64 "\n", s.eth.ierrors);
		fprintf(out, "  RX-nombuf:  %" PRIu64 "\n", s.eth.rx_nombuf);
		fprintf(out, "  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %" PRIu64 "\n",
			s.eth.opackets, s.eth.oerrors, s.eth.obytes);
		fprintf(out, "\n  Throughput (since last show)\n");
		fprintf(out, "  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64 "\n",
			rx_pps, rx_bps);
		fprintf(out, "  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64 "\n",
			tx_pps, tx_bps);
		fprintf(out, "\n  Exchange: delivered %" PRIu64 ", dropped %" PRIu64,
			s.delivered, dropped);
		for (r = 0; r < XCHG_DROP_MAX; r++)
			if (s.drops[r] != 0)
				fprintf(out, " (%s %" PRIu64 ")",
					xchg_drop_reason_name(r), s.drops[r]);
		fprintf(out, ", tx_nobufs %" PRIu64 ", tx_full %" PRIu64 "\n",
			s.tx_nobufs, s.tx_full);
		fprintf(out, "  ############################################################################\n");
	}
	return 0;
}

int
tp_clear_port_stats(int port)
{
	unsigned int i, first, last;

	if (port_arg(port, &first, &last) != 0)
		return -1;
	for (i = first; i < last; i++) {
		memset(&tp.port_base[i], 0, sizeof(tp.port_base[i]));
		xchg_port_stats_get(tp.ports[i].port, &tp.port_base[i]);
		memset(&tp.rate_last[i], 0, sizeof(tp.rate_last[i]));
		tp.rate_tsc[i] = rte_get_timer_cycles();
		printf("\n  NIC statistics for port %u cleared\n",
		       tp.ports[i].port_id);
	}
	return 0;
}

static void
fwd_sum(struct tp_fwd_stats *sum)
{
	unsigned int k, i;

	memset(sum, 0, sizeof(*sum));
	for (k = 0; k < tp.nb_lcores; k++)
		for (i = 0; i < tp.nb_ports; i++) {
			sum->rx[i] += tp.lcores[k].fs.rx[i];
			sum->tx[i] += tp.lcores[k].fs.tx[i];
			sum->tx_dropped[i] += tp.lcores[k].fs.tx_dropped[i];
		}
}

/* Forward statistics restart with every start, as testpmd's. */
void
tp_fwd_stats_reset(void)
{
	unsigned int i;

	fwd_sum(&tp.fwd_base);
	for (i = 0; i < tp.nb_ports; i++) {
		xchg_port_stats_get(tp.ports[i].port, &tp.fwd_port_base[i]);
		/* The first show's rates run from the first start. */
		if (tp.rate_tsc[i] == 0) {
			tp_port_stats(i, &tp.rate_last[i]);
			tp.rate_tsc[i] = rte_get_timer_cycles();
		}
	}
}

/* testpmd's "show fwd stats all": per port what the engine received
 * (RX-dropped: what the port dropped before any consumer had it, by the
 * exchange or for want of a buffer), sent, and could not send. */
void
tp_show_fwd_stats(FILE *out)
{
	uint64_t rx = 0, rxd = 0, tx = 0, txd = 0;
	struct tp_fwd_stats sum;
	unsigned int i, r;

	fwd_sum(&sum);
	for (i = 0; i < tp.nb_ports; i++) {
		const struct xchg_port_stats *b = &tp.fwd_port_base[i];
		struct xchg_port_stats s;
		uint64_t drop = 0, prx, ptx, ptxd;

		memset(&s, 0, sizeof(s));
		xchg_port_stats_get(tp.ports[i].port, &s);
		for (r = 0; r < XCHG_DROP_MAX; r++)
			drop += s.drops[r] - b->drops[r];
		drop += s.eth.rx_nombuf - b->eth.rx_nombuf;
		prx = sum.rx[i] - tp.fwd_base.rx[i];
		ptx = sum.tx[i] - tp.fwd_base.tx[i];
		ptxd = sum.tx_dropped[i] - tp.fwd_base.tx_dropped[i];
		fprintf(out, "\n  ---------------------- Forward statistics for port %-2u ----------------------\n",
			tp.ports[i].port_id);
		fprintf(out, "  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 " RX-total: %" PRIu64 "\n",
			prx, drop, prx + drop);
		fprintf(out, "  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 " TX-total: %" PRIu64 "\n",
			ptx, ptxd, ptx + ptxd);
		fprintf(out, "  ----------------------------------------------------------------------------\n");
		rx += prx;
		rxd += drop;
		tx += ptx;
		txd += ptxd;
	}
	fprintf(out, "\n  +++++++++++++++ Accumulated forward statistics for all ports +++++++++++++++\n");
	fprintf(out, "  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 " RX-total: %" PRIu64 "\n",
		rx, rxd, rx + rxd);
	fprintf(out, "  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 " TX-total: %" PRIu64 "\n",
		tx, txd, tx + txd);
	fprintf(out, "  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n");
}

static int
pool_quota(struct xchg_pool *pool)
{
	struct xchg_pool_stats s;

	return pool != NULL && xchg_pool_stats_get(pool, &s) == 0 ?
	       (int)s.quota : -1;
}

/* testpmd's "show port info": the device, its link and queues, and each
 * queue's reservation in the arena. */
int
tp_show_port_info(FILE *out, int port)
{
	unsigned int i, first, last, q;

	if (port_arg(port, &first, &last) != 0)
		return -1;
	for (i = first; i < last; i++) {
		uint16_t id = tp.ports[i].port_id;
		struct xchg_port *xp = tp.ports[i].port;
		struct xchg_port_stats st;
		struct rte_eth_dev_info info;
		struct rte_ether_addr mac;
		struct rte_eth_link link;
		char buf[RTE_ETH_LINK_MAX_STR_LEN];
		uint16_t mtu = 0;

		memset(&info, 0, sizeof(info));
		memset(&st, 0, sizeof(st));
		if (rte_eth_dev_info_get(id, &info) != 0) {
			fprintf(out, "port %u: no device information\n", id);
			continue;
		}
		xchg_port_stats_get(xp, &st);
		fprintf(out, "\n********************* Infos for port %-2u  *********************\n",
			id);
		if (rte_eth_macaddr_get(id, &mac) == 0) {
			rte_ether_format_addr(buf, sizeof(buf), &mac);
			fprintf(out, "MAC address: %s\n", buf);
		}
		rte_eth_dev_get_name_by_port(id, buf);
		fprintf(out, "Device name: %s\n", buf);
		fprintf(out, "Driver name: %s\n", info.driver_name);
		fprintf(out, "Connect to socket: %d\n", rte_eth_dev_socket_id(id));
		if (rte_eth_link_get_nowait(id, &link) == 0) {
			fprintf(out, "Link status: %s\n",
				link.link_status ? "up" : "down");
			fprintf(out, "Link speed: %u Mbps\n", link.link_speed);
			fprintf(out, "Link duplex: %s\n", link.link_duplex ==
				RTE_ETH_LINK_FULL_DUPLEX ? "full-duplex" :
				"half-duplex");
		}
		if (rte_eth_dev_get_mtu(id, &mtu) == 0)
			fprintf(out, "MTU: %u\n", mtu);
		fprintf(out, "Promiscuous mode: %s\n",
			rte_eth_promiscuous_get(id) == 1 ? "enabled" : "disabled");
		fprintf(out, "Max possible RX queues: %u\n", info.max_rx_queues);
		fprintf(out, "Current number of RX queues: %u\n", st.nb_rx_queues);
		fprintf(out, "Max possible TX queues: %u\n", info.max_tx_queues);
		fprintf(out, "Current number of TX queues: %u\n", st.nb_tx_queues);
		fprintf(out, "Peer address (--eth-peer): ");
		rte_ether_format_addr(buf, sizeof(buf), &tp.peer_addr[id]);
		fprintf(out, "%s\n", buf);
		/* What xchg adds: the reservation of every queue. */
		for (q = 0; q < st.nb_rx_queues; q++)
			fprintf(out, "xchg RX queue %u: reservation %s, quota %d\n",
				q, xchg_pool_name(xchg_port_rx_pool(xp, (uint16_t)q)),
				pool_quota(xchg_port_rx_pool(xp, (uint16_t)q)));
		for (q = 0; q < st.nb_tx_queues; q++)
			fprintf(out, "xchg TX queue %u: reservation %s, quota %d\n",
				q, xchg_pool_name(xchg_port_tx_pool(xp, (uint16_t)q)),
				pool_quota(xchg_port_tx_pool(xp, (uint16_t)q)));
	}
	return 0;
}

/* testpmd's "show port xstats": the PMD's extended statistics, then the
 * exchange's (xchg_port_xstats_get(), as telemetry /xchg/xstats). */
int
tp_show_port_xstats(FILE *out, int port)
{
	unsigned int i, first, last;
	int n, k;

	if (port_arg(port, &first, &last) != 0)
		return -1;
	for (i = first; i < last; i++) {
		uint16_t id = tp.ports[i].port_id;
		struct rte_eth_xstat_name *names = NULL;
		struct rte_eth_xstat *vals = NULL;
		struct xchg_port_xstat *xs = NULL;

		fprintf(out, "###### NIC extended statistics for port %-2u\n", id);
		n = rte_eth_xstats_get(id, NULL, 0);
		if (n > 0) {
			names = calloc((size_t)n, sizeof(*names));
			vals = calloc((size_t)n, sizeof(*vals));
		}
		if (names != NULL && vals != NULL &&
		    rte_eth_xstats_get_names(id, names, n) == n &&
		    rte_eth_xstats_get(id, vals, n) == n)
			for (k = 0; k < n; k++)
				fprintf(out, "%s: %" PRIu64 "\n", names[k].name,
					vals[k].value);
		n = xchg_port_xstats_get(tp.ports[i].port, NULL, 0);
		if (n > 0)
			xs = calloc((size_t)n, sizeof(*xs));
		if (xs != NULL && xchg_port_xstats_get(tp.ports[i].port, xs,
						       (unsigned int)n) == n)
			for (k = 0; k < n; k++)
				fprintf(out, "%s: %" PRIu64 "\n", xs[k].name,
					xs[k].value);
		free(names);
		free(vals);
		free(xs);
	}
	return 0;
}
