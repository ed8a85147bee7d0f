/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Forwarding lcores, as testpmd has them: with worker lcores the main
 * lcore runs the prompt and the tables, and each of --nb-cores workers
 * polls its streams (one RX queue of one port each), sends on its own TX
 * queue and feeds its own fwd consumer. With one lcore, the main lcore
 * forwards between commands. Commands that read or change the set-up
 * pause the workers for their duration, so no table ever races the data
 * path.
 */

#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "testpmd.h"

static uint32_t running; /* workers launched and polling */

static void
idle_warning(const char *what, unsigned int from, const char *why)
{
	char list[128];
	size_t len = 0;
	unsigned int i, n = 0, id;

	list[0] = '\0';
	if (strcmp(what, "streams") == 0) {
		for (i = from; i < tp.nb_lcores; i++, n++)
			len += snprintf(list + len, sizeof(list) - len, "%s%u",
					n ? "," : "", tp.lcores[i].lcore_id);
	} else {
		RTE_LCORE_FOREACH_WORKER(id) {
			if (n++ < from)
				continue;
			len += snprintf(list + len, sizeof(list) - len, "%s%u",
					len ? "," : "", id);
			if (len >= sizeof(list))
				break;
		}
	}
	fprintf(stderr, "xchg-testpmd: warning: lcore %s sits idle: %s\n",
		list, why);
}

int
tp_lcores_plan(void)
{
	unsigned int id, avail = 0, nb, s, nb_streams, k, first;
	bool one_poller = tp.mode == TP_ICMPECHO || tp.mode == TP_STACK;
	char why[160];

	RTE_LCORE_FOREACH_WORKER(id)
		avail++;
	tp.workers = avail > 0;
	nb = tp.nb_cores != 0 ? tp.nb_cores : (avail > 0 ? avail : 1);
	if (nb > (avail > 0 ? avail : 1) || nb > TP_MAX_LCORES) {
		fprintf(stderr, "xchg-testpmd: --nb-cores %u: %u lcore(s) can forward (the main lcore runs the prompt when there are others); give more lcores with -l\n",
			nb, avail > 0 ? avail : 1);
		return -1;
	}
	if (one_poller && (tp.rxq > 1 || tp.txq > 1)) {
		fprintf(stderr, "xchg-testpmd: --rxq and --txq go with rxonly, io and macswap; %s mode polls one queue per port\n",
			tp_mode_name(tp.mode));
		return -1;
	}
	if (one_poller && nb > 1) {
		snprintf(why, sizeof(why), "%s mode polls its stack on one lcore",
			 tp_mode_name(tp.mode));
		idle_warning("workers", 1, why);
		nb = 1;
	} else if (avail > nb) {
		snprintf(why, sizeof(why), "--nb-cores %u of %u worker lcores",
			 nb, avail);
		idle_warning("workers", nb, why);
	}
	if (tp.rxq == 0)
		tp.rxq = one_poller ? 1 : (uint16_t)RTE_MIN(nb, TP_MAX_QUEUES);
	if (tp.txq == 0)
		tp.txq = one_poller ? 1 : (uint16_t)RTE_MIN(nb, TP_MAX_QUEUES);
	if (!one_poller && tp.txq < nb) {
		fprintf(stderr, "xchg-testpmd: --txq %u: each of the %u forwarding lcores sends on its own TX queue; give --txq %u or more\n",
			tp.txq, nb, nb);
		return -1;
	}
	memset(tp.lcores, 0, sizeof(tp.lcores));
	tp.nb_lcores = 0;
	if (!tp.workers) {
		tp.lcores[tp.nb_lcores++].lcore_id = rte_get_main_lcore();
	} else {
		RTE_LCORE_FOREACH_WORKER(id) {
			if (tp.nb_lcores == nb)
				break;
			tp.lcores[tp.nb_lcores].index = tp.nb_lcores;
			tp.lcores[tp.nb_lcores++].lcore_id = id;
		}
	}
	if (one_poller) {
		tp.lcores[0].polls_stack = true;
		return 0;
	}
	/* Streams queue by queue, port by port, in contiguous blocks: with
	 * --rxq equal to the lcores, lcore k polls queue k of every port.
	 * With fewer streams than lcores, the last lcores get none. */
	nb_streams = tp.nb_ports * tp.rxq;
	first = 0;
	for (k = 0; k < tp.nb_lcores; k++) {
		unsigned int end = nb_streams < tp.nb_lcores ?
			RTE_MIN(k + 1, nb_streams) :
			(k + 1) * nb_streams / tp.nb_lcores;
		struct tp_lcore *lc = &tp.lcores[k];

		for (s = first; s < end; s++) {
			lc->streams[lc->nb_streams].port =
				(uint16_t)(s % tp.nb_ports);
			lc->streams[lc->nb_streams++].queue =
				(uint16_t)(s / tp.nb_ports);
		}
		first = end;
	}
	if (nb_streams < tp.nb_lcores) {
		snprintf(why, sizeof(why), "%u stream(s) (%u port(s) x --rxq %u) for %u forwarding lcores; give --rxq %u",
			 nb_streams, tp.nb_ports, tp.rxq, tp.nb_lcores,
			 (tp.nb_lcores + tp.nb_ports - 1) / tp.nb_ports);
		idle_warning("streams", nb_streams, why);
	}
	return 0;
}

void
tp_show_config_fwd(FILE *out)
{
	unsigned int k, s, nb_streams = 0;

	for (k = 0; k < tp.nb_lcores; k++)
		nb_streams += tp.lcores[k].nb_streams;
	fprintf(out, "%s packet forwarding%s - ports=%u - cores=%u - streams=%u - burst=%u\n",
		tp_mode_name(tp.mode), tp.shared ? " (shared: overcommitted arena)" : "",
		tp.nb_ports, tp.nb_lcores, nb_streams, tp.burst);
	fprintf(out, "  rxq=%u txq=%u rxd=%u txd=%u, %s\n", tp.rxq, tp.txq,
		tp.rxd, tp.txd, tp.workers ?
		"the main lcore runs the prompt" :
		"the main lcore forwards between commands");
	for (k = 0; k < tp.nb_lcores; k++) {
		const struct tp_lcore *lc = &tp.lcores[k];
		const struct tp_consumer *c = tp.by_lcore[lc->lcore_id];

		if (lc->polls_stack) {
			fprintf(out, "Logical Core %u (socket %u) polls the stack on %u port(s) and serves every socket\n",
				lc->lcore_id, rte_lcore_to_socket_id(lc->lcore_id),
				tp.nb_ports);
			continue;
		}
		fprintf(out, "Logical Core %u (socket %u) forwards packets on %u streams:\n",
			lc->lcore_id, rte_lcore_to_socket_id(lc->lcore_id),
			lc->nb_streams);
		for (s = 0; s < lc->nb_streams; s++) {
			const struct tp_port *p = &tp.ports[lc->streams[s].port];

			fprintf(out, "  RX P=%u/Q=%u -> %s", p->port_id,
				lc->streams[s].queue, c != NULL ? c->name : "?");
			if (tp.mode == TP_IO || tp.mode == TP_MACSWAP)
				fprintf(out, " -> TX P=%u/Q=%u\n",
					tp.ports[p->peer].port_id, lc->index);
			else
				fprintf(out, " (freed)\n");
		}
	}
}

static int
worker(void *arg)
{
	struct tp_lcore *lc = arg;

	while (__atomic_load_n(&running, __ATOMIC_ACQUIRE))
		tp_forward_lcore(lc);
	return 0;
}

void
tp_forward_once(void)
{
	tp_forward_lcore(&tp.lcores[0]);
}

static void
launch(void)
{
	unsigned int k;

	if (!tp.workers || running)
		return;
	__atomic_store_n(&running, 1, __ATOMIC_RELEASE);
	for (k = 0; k < tp.nb_lcores; k++)
		rte_eal_remote_launch(worker, &tp.lcores[k],
				      tp.lcores[k].lcore_id);
}

static void
halt(void)
{
	unsigned int k;

	if (!running)
		return;
	__atomic_store_n(&running, 0, __ATOMIC_RELEASE);
	for (k = 0; k < tp.nb_lcores; k++)
		rte_eal_wait_lcore(tp.lcores[k].lcore_id);
}

void
tp_fwd_start(void)
{
	tp.forwarding = true;
	launch();
}

void
tp_fwd_stop(void)
{
	tp.forwarding = false;
	halt();
}

bool
tp_pause(void)
{
	bool was = running != 0;

	halt();
	return was;
}

void
tp_resume(bool was)
{
	if (was)
		launch();
}

void
tp_run_for(uint64_t ms)
{
	uint64_t end = rte_get_timer_cycles() + ms * tp.hz / 1000;
	bool was = running != 0;

	if (!tp.workers) {
		while (rte_get_timer_cycles() < end && !tp.quit) {
			tp_forward_once();
			tp_watch_poll();
		}
		return;
	}
	launch();
	while (rte_get_timer_cycles() < end && !tp.quit) {
		rte_delay_us_sleep(1000);
		tp_watch_poll();
	}
	if (!was)
		halt();
}
