/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The JSON report (through libjansson) and the summary on stdout. The
 * keys are listed in doc/evidence.rst; REPORT_SCHEMA_VERSION changes
 * whenever a key changes meaning or goes away.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "replay.h"

#define REPORT_SCHEMA_VERSION 2

static const char *
mode_name(enum replay_mode m)
{
	return m == MODE_EXCHANGE ? "exchange" : "shared";
}

static bool
is_copy(const struct r_consumer *c)
{
	return strcmp(c->kind, "capture") == 0;
}

static uint64_t
lost_total(const struct r_consumer *c)
{
	return c->lost_no_buffers + c->lost_rx_nombuf + c->lost_ierrors +
	       c->lost_other;
}

uint64_t
d_lost_total(const struct r_consumer *c)
{
	uint64_t n = c->d_no_buffers + c->d_rx_nombuf + c->d_ierrors +
		     c->d_unfinished;
	unsigned int i;

	for (i = 0; i < XCHG_SD_MAX; i++)
		n += c->d_stack[i];
	return n;
}

/* The sums the report promises (doc/evidence.rst), and the verdict. */
void
result_finish(struct result *res)
{
	uint64_t offered = 0, delivered = 0, drops = 0;
	bool each = true;
	unsigned int i;

	res->verdict = true;
	for (i = 0; i < res->nb_consumers; i++) {
		const struct r_consumer *c = &res->consumers[i];

		if (c->critical && (lost_total(c) != 0 || d_lost_total(c) != 0))
			res->verdict = false;
		if (c->delivered + lost_total(c) != c->offered ||
		    c->d_delivered + d_lost_total(c) != c->d_offered)
			each = false;
		if (is_copy(c))
			continue;
		offered += c->offered;
		delivered += c->delivered;
	}
	for (i = 0; i < res->nb_drops; i++)
		drops += res->drops[i].n;
	res->sum_delivered = delivered;
	res->sum_drops = drops;
	res->adds_up = each && offered + res->unclaimed == res->frames_in &&
		       delivered + drops + res->held_staging +
		       res->held_reassembly == res->frames_in;
}

static void
set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/* Datagram reasons in the report, besides the stack's own counted
 * under no_buffers: each stack reason with its name, the rest under
 * "other". */
static const enum xchg_stack_drop d_reasons[] = {
	XCHG_SD_FRAG_EVICTED, XCHG_SD_FRAG_TIMEOUT, XCHG_SD_FRAG_INVALID,
	XCHG_SD_FRAG_NO_COLLECTOR,
};

static json_t *
datagrams_json(const struct r_consumer *c)
{
	json_t *o = json_object(), *lost = json_object();
	uint64_t other = 0;
	unsigned int i, k;

	set_u64(o, "offered", c->d_offered);
	set_u64(o, "delivered", c->d_delivered);
	set_u64(lost, "total", d_lost_total(c));
	set_u64(lost, "no_buffers", c->d_no_buffers +
		c->d_stack[XCHG_SD_NO_BUFFERS]);
	set_u64(lost, "rx_nombuf", c->d_rx_nombuf);
	set_u64(lost, "ierrors", c->d_ierrors);
	for (k = 0; k < RTE_DIM(d_reasons); k++)
		set_u64(lost, xchg_stack_drop_name(d_reasons[k]),
			c->d_stack[d_reasons[k]]);
	for (i = 0; i < XCHG_SD_MAX; i++) {
		bool named = i == XCHG_SD_NO_BUFFERS;

		for (k = 0; k < RTE_DIM(d_reasons); k++)
			named |= i == d_reasons[k];
		if (!named)
			other += c->d_stack[i];
	}
	set_u64(lost, "unfinished", c->d_unfinished);
	set_u64(lost, "other", other);
	json_object_set_new(o, "lost", lost);
	return o;
}

static json_t *
consumer_json(const struct r_consumer *c)
{
	json_t *o = json_object(), *lost = json_object();

	json_object_set_new(o, "kind", json_string(c->kind));
	if (c->behaviour != NULL) {
		json_object_set_new(o, "behaviour", json_string(c->behaviour));
		json_object_set_new(o, "priority", json_string(c->priority));
	}
	json_object_set_new(o, "critical", json_boolean(c->critical));
	json_object_set_new(o, "copy", json_boolean(is_copy(c)));
	set_u64(o, "offered", c->offered);
	set_u64(o, "delivered", c->delivered);
	set_u64(lost, "total", lost_total(c));
	set_u64(lost, "no_buffers", c->lost_no_buffers);
	set_u64(lost, "rx_nombuf", c->lost_rx_nombuf);
	set_u64(lost, "ierrors", c->lost_ierrors);
	set_u64(lost, "other", c->lost_other);
	json_object_set_new(o, "lost", lost);
	set_u64(o, "refused", c->refused);
	if (c->socket >= 0) {
		set_u64(o, "received", c->received);
		set_u64(o, "held", c->held);
		json_object_set_new(o, "datagrams", datagrams_json(c));
	}
	return o;
}

/* Everything one run measured. */
static void
run_json(json_t *o, const struct result *res)
{
	json_t *v = json_object(), *crit = json_array(), *sec;
	unsigned int i;
	uint64_t crit_lost = 0, crit_d_lost = 0;

	for (i = 0; i < res->nb_consumers; i++)
		if (res->consumers[i].critical) {
			json_array_append_new(crit,
				json_string(res->consumers[i].name));
			crit_lost += lost_total(&res->consumers[i]);
			crit_d_lost += d_lost_total(&res->consumers[i]);
		}
	json_object_set_new(v, "critical_lost_nothing",
			    json_boolean(res->verdict));
	json_object_set_new(v, "critical", crit);
	set_u64(v, "critical_lost", crit_lost);
	set_u64(v, "critical_datagrams_lost", crit_d_lost);
	json_object_set_new(o, "verdict", v);
	json_object_set_new(o, "adds_up", json_boolean(res->adds_up));
	sec = json_object();
	set_u64(sec, "staging", res->held_staging);
	set_u64(sec, "reassembly", res->held_reassembly);
	json_object_set_new(o, "held_by_stack", sec);

	sec = json_object();
	for (i = 0; i < res->nb_consumers; i++)
		json_object_set_new(sec, res->consumers[i].name,
				    consumer_json(&res->consumers[i]));
	json_object_set_new(o, "consumers", sec);

	sec = json_object();
	set_u64(sec, "frames", res->unclaimed);
	set_u64(sec, "rx_nombuf", res->unclaimed_rx_nombuf);
	set_u64(sec, "ierrors", res->unclaimed_ierrors);
	set_u64(sec, "staged", res->unclaimed_staged);
	v = json_object();
	for (i = 0; i < XCHG_SD_MAX; i++)
		if (res->unclaimed_reason[i] != 0)
			set_u64(v, xchg_stack_drop_name(i),
				res->unclaimed_reason[i]);
	json_object_set_new(sec, "dropped", v);
	json_object_set_new(o, "unclaimed", sec);

	sec = json_object();
	for (i = 0; i < res->nb_pools; i++) {
		const struct r_pool *p = &res->pools[i];

		v = json_object();
		json_object_set_new(v, "kind", json_string(p->kind));
		set_u64(v, "quota", p->quota);
		set_u64(v, "in_use", p->in_use);
		set_u64(v, "available", p->available);
		set_u64(v, "low_watermark", p->low_watermark);
		set_u64(v, "accepted", p->accepted);
		set_u64(v, "refused", p->refused);
		set_u64(v, "rejected", p->rejected);
		json_object_set_new(sec, p->name, v);
	}
	json_object_set_new(o, "pools", sec);

	sec = json_object();
	for (i = 0; i < res->nb_ports; i++) {
		const struct r_port *p = &res->ports[i];

		v = json_object();
		set_u64(v, "port_id", p->port_id);
		set_u64(v, "frames_in", p->frames_in);
		set_u64(v, "ipackets", p->ipackets);
		set_u64(v, "opackets", p->opackets);
		set_u64(v, "rx_nombuf", p->rx_nombuf);
		set_u64(v, "imissed", p->imissed);
		set_u64(v, "ierrors", p->ierrors);
		json_object_set_new(sec, p->name, v);
	}
	json_object_set_new(o, "ports", sec);

	sec = json_object();
	for (i = 0; i < res->nb_drops; i++)
		set_u64(sec, res->drops[i].name, res->drops[i].n);
	json_object_set_new(o, "drops", sec);

	sec = json_object();
	set_u64(sec, "arp_answered", res->stack.arp_answered);
	set_u64(sec, "icmp_answered", res->stack.icmp_answered);
	set_u64(sec, "nd_answered", res->stack.nd_answered);
	set_u64(sec, "nd_solicited", res->stack.nd_solicited);
	set_u64(sec, "nd_learned", res->stack.nd_learned);
	set_u64(sec, "icmp6_answered", res->stack.icmp6_answered);
	set_u64(sec, "dad_conflicts", res->stack.dad_conflicts);
	set_u64(sec, "proxied_in", res->stack.proxied_in);
	set_u64(sec, "proxied_out", res->stack.proxied_out);
	set_u64(sec, "captured", res->stack.captured);
	set_u64(sec, "capture_missed", res->stack.capture_missed);
	set_u64(sec, "reassembled", res->stack.reassembled);
	json_object_set_new(o, "stack", sec);

	sec = json_object();
	set_u64(sec, "total", res->census.total);
	set_u64(sec, "free", res->census.free);
	set_u64(sec, "owned", res->census.owned);
	set_u64(sec, "in_rings", res->census.in_rings);
	json_object_set_new(sec, "conserved",
			    json_boolean(res->census.conserved));
	json_object_set_new(o, "census", sec);
}

/* One run: its figures at the top. Both modes: the header, the
 * exchange run's verdict, and "runs" with each run's figures. */
int
write_report(const struct replay *const *runs, unsigned int nb,
	     const char *path)
{
	const struct replay *r = runs[0];
	const struct xchg_config *cfg = r->cfg;
	json_t *top = json_object(), *sec, *in;
	unsigned int i;
	int ret;

	json_object_set_new(top, "schema_version",
			    json_integer(REPORT_SCHEMA_VERSION));
	json_object_set_new(top, "tool", json_string(PROG));
	json_object_set_new(top, "mode", json_string(nb > 1 ? "both" :
						    mode_name(r->mode)));
	json_object_set_new(top, "config", json_string(base(cfg->path)));
	sec = json_object();
	for (i = 0; i < cfg->nb_ports; i++) {
		in = json_object();
		json_object_set_new(in, "pcap", json_string(
			r->inputs[i].path != NULL ? base(r->inputs[i].path) :
			""));
		set_u64(in, "frames", r->inputs[i].nb);
		json_object_set_new(sec, cfg->ports[i].name, in);
	}
	json_object_set_new(top, "inputs", sec);
	set_u64(top, "frames_in", r->res.frames_in);
	set_u64(top, "buffers", r->res.buffers);
	if (nb == 1) {
		run_json(top, &r->res);
	} else {
		json_object_set_new(top, "verdict", json_pack("{s:b}",
			"critical_lost_nothing", r->res.verdict));
		sec = json_object();
		for (i = 0; i < nb; i++) {
			json_t *o = json_object();

			run_json(o, &runs[i]->res);
			json_object_set_new(sec, mode_name(runs[i]->mode), o);
		}
		json_object_set_new(top, "runs", sec);
	}
	ret = json_dump_file(top, path, JSON_INDENT(2)) == 0 ? 0 : -EIO;
	json_decref(top);
	return ret;
}

/* This process's peak resident memory (VmHWM), in KiB, or 0. Not in
 * the report: the report is the same bytes every run. */
static unsigned long
peak_rss_kib(void)
{
	char line[256];
	unsigned long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

void
print_summary(const struct replay *r)
{
	const struct result *res = &r->res;
	unsigned int i;

	printf(PROG ": %s mode, %" PRIu64 " frames in, %u buffers\n",
	       res->mode == MODE_EXCHANGE ?
	       "exchange (a reservation per owner)" :
	       "shared (overcommitted: every quota is the whole arena)",
	       res->frames_in, res->buffers);
	printf("  %-16s %-9s %-9s %9s %9s %9s %9s %9s %7s %6s\n", "consumer",
	       "kind", "behaviour", "offered", "delivered", "lost",
	       "no_bufs", "rx_nombuf", "ierrors", "held");
	for (i = 0; i < res->nb_consumers; i++) {
		const struct r_consumer *c = &res->consumers[i];

		printf("  %-16s %-9s %-9s %9" PRIu64 " %9" PRIu64 " %9" PRIu64
		       " %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %6" PRIu64 "%s\n",
		       c->name, c->kind, c->behaviour ? c->behaviour : "-",
		       c->offered, c->delivered, lost_total(c),
		       c->lost_no_buffers, c->lost_rx_nombuf, c->lost_ierrors,
		       c->held,
		       c->critical ? "  critical" : "");
	}
	for (i = 0; i < res->nb_consumers; i++) {
		const struct r_consumer *c = &res->consumers[i];

		if (c->socket >= 0)
			printf("  %-16s datagrams: offered %" PRIu64 ", delivered %" PRIu64 ", lost %" PRIu64 " (no_buffers %" PRIu64 ", at the NIC %" PRIu64 ", collector evicted %" PRIu64 ", timed out %" PRIu64 ", unfinished %" PRIu64 ")\n",
			       c->name, c->d_offered, c->d_delivered,
			       d_lost_total(c),
			       c->d_no_buffers + c->d_stack[XCHG_SD_NO_BUFFERS],
			       c->d_rx_nombuf + c->d_ierrors,
			       c->d_stack[XCHG_SD_FRAG_EVICTED],
			       c->d_stack[XCHG_SD_FRAG_TIMEOUT],
			       c->d_unfinished);
	}
	printf("  %-16s %-9s %-9s %9" PRIu64 "   (dropped by the stack or lost at the NIC: %" PRIu64 ")\n",
	       "(no consumer)", "-", "-", res->unclaimed,
	       res->unclaimed_rx_nombuf + res->unclaimed_ierrors);
	for (i = 0; i < res->nb_ports; i++) {
		/* net_pcap counts a chained frame it had no buffer for as
		 * an error, not as rx_nombuf: show both. */
		printf("  port %-11s ipackets %" PRIu64 ", opackets %" PRIu64 ", rx_nombuf %" PRIu64 ", ierrors %" PRIu64 "\n",
		       res->ports[i].name, res->ports[i].ipackets,
		       res->ports[i].opackets, res->ports[i].rx_nombuf,
		       res->ports[i].ierrors);
	}
	printf("  census: total %u = free %u + owned %u + in rings %u: %s\n",
	       res->census.total, res->census.free, res->census.owned,
	       res->census.in_rings,
	       res->census.conserved ? "conserved" : "NOT CONSERVED");
	printf("  sums: %s; verdict: %s\n",
	       res->adds_up ? "every frame accounted for" :
	       "DO NOT ADD UP (see doc/evidence.rst)",
	       res->verdict ?
	       "every critical consumer got every frame and datagram" :
	       "a critical consumer LOST frames or datagrams");
	printf("  outputs in %s, report %s; peak memory %lu KiB\n", r->out_dir,
	       r->report, peak_rss_kib());
}
