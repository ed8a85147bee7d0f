/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The tables that make the guarantee visible: per pool quota, in use,
 * free, refused and low watermark; per port rx_nombuf; the census.
 */

#include <inttypes.h>
#include <stdio.h>

#include "testpmd.h"

static int
pool_row(struct xchg_pool *pool, void *arg)
{
	struct xchg_pool_stats s;
	FILE *out = arg;

	if (xchg_pool_stats_get(pool, &s) == 0)
		fprintf(out, "  %-18s %-9s %7u %7u %7u %10" PRIu64 " %10" PRIu64 " %7u\n",
			xchg_pool_name(pool),
			xchg_pool_kind_name(xchg_pool_kind(pool)), s.quota,
			s.in_use, s.available, s.accepted, s.refused,
			s.low_watermark);
	return 0;
}

void
tp_show_pools(FILE *out)
{
	fprintf(out, "  %-18s %-9s %7s %7s %7s %10s %10s %7s\n", "pool", "kind",
		"quota", "in_use", "free", "accepted", "refused", "low_wm");
	xchg_pool_foreach(tp.arena, pool_row, out);
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

	fprintf(out, "  %-6s %12s %12s %10s %8s %10s %10s %10s\n", "port",
		"rx", "tx", "rx_nombuf", "imissed", "delivered", "dropped",
		"tx_nobufs");
	for (i = 0; i < tp.nb_ports; i++) {
		uint64_t dropped = 0;

		if (xchg_port_stats_get(tp.ports[i].port, &s) != 0)
			continue;
		for (r = 0; r < XCHG_DROP_MAX; r++)
			dropped += s.drops[r];
		fprintf(out, "  %-6u %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
			tp.ports[i].port_id, s.eth.ipackets, s.eth.opackets,
			s.eth.rx_nombuf, s.eth.imissed, s.delivered, dropped,
			s.tx_nobufs);
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
	for (i = 0; i < TP_MAX_PORTS; i++) {
		struct xchg_stack *stack = tp.setup != NULL ?
			xchg_config_setup_stack(tp.setup, i) :
			i == 0 ? tp.stack : NULL;
		struct xchg_stack_stats st;
		unsigned int r;

		if (stack == NULL || xchg_stack_stats_get(stack, &st) != 0)
			continue;
		fprintf(out, "  stack %u: %" PRIu64 " frames, %" PRIu64 " delivered, arp answered %" PRIu64 ", icmp answered %" PRIu64 "\n",
			i, st.frames, st.delivered, st.arp_requests_answered,
			st.icmp_echo_answered);
		for (r = 0; r < XCHG_SD_MAX; r++)
			if (st.drops[r] != 0)
				fprintf(out, "    dropped %-18s %12" PRIu64 "\n",
					xchg_stack_drop_name(r), st.drops[r]);
	}
}
