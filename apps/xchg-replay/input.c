/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The input captures: counted before the run, then streamed beside the
 * PMD. net_pcap reads each capture in order; after every round the
 * reader here catches up with what the port has taken (ipackets +
 * rx_nombuf + ierrors) and classifies each of those frames with the
 * stack's own demux (xchg_stack_classify()), whether or not a buffer was
 * there for it. That gives every consumer its "offered" count in every
 * mode, and lets the NIC's losses be charged to the consumers whose
 * frames they were: net_pcap stops a burst at the first frame it has no
 * buffer for, and the port polls each queue once a round, so the frames
 * lost in a round are the last ones it read.
 *
 * Nothing is stored per frame; one entry per fragmented datagram
 * (dgram.c), so that a fragment read before its first is counted
 * against the socket the first names.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "replay.h"

int
input_count(struct input *in, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int ret, dlt;

	if (strchr(path, ',') != NULL) {
		fprintf(stderr, PROG ": --pcap %s: net_pcap cannot open file names with ','; rename the file\n",
			path);
		return -1;
	}
	p = pcap_open_offline(path, errbuf);
	if (p == NULL) {
		fprintf(stderr, PROG ": --pcap %s: cannot read the capture: %s\n",
			path, errbuf);
		return -1;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);

		if (name != NULL)
			fprintf(stderr, PROG ": --pcap %s: not an Ethernet capture (link type %d, %s); give an Ethernet pcap\n",
				path, dlt, name);
		else
			fprintf(stderr, PROG ": --pcap %s: not an Ethernet capture (link type %d); give an Ethernet pcap\n",
				path, dlt);
		pcap_close(p);
		return -1;
	}
	in->path = path;
	in->nb = 0;
	while ((ret = pcap_next_ex(p, &h, &data)) == 1) {
		if (in->nb == 0)
			in->first = h->ts;
		in->last = h->ts;
		in->nb++;
	}
	if (ret == PCAP_ERROR) {
		fprintf(stderr, PROG ": --pcap %s: the capture is damaged after %" PRIu64 " frames: %s\n",
			path, in->nb, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

int
input_open(struct input *in)
{
	char errbuf[PCAP_ERRBUF_SIZE];

	in->pos = 0;
	in->cur = in->first;
	in->nombuf_seen = 0;
	in->ierrors_seen = 0;
	if (in->path == NULL)
		return 0;
	in->rd = pcap_open_offline(in->path, errbuf);
	if (in->rd == NULL) {
		fprintf(stderr, PROG ": --pcap %s: cannot read the capture: %s\n",
			in->path, errbuf);
		return -1;
	}
	return 0;
}

void
input_close(struct input *in)
{
	if (in->rd != NULL)
		pcap_close(in->rd);
	in->rd = NULL;
}

const struct timeval *
input_ts(const struct input *in)
{
	return &in->cur;
}

int
consumer_of_pool(const struct result *res, const struct xchg_pool *p)
{
	unsigned int i;

	if (p == NULL)
		return -1;
	for (i = 0; i < res->nb_consumers; i++)
		if (res->consumers[i].pool == p)
			return (int)i;
	return -1;
}

static struct r_consumer *
add_consumer(struct result *res, const char *name, const char *kind,
	     const struct xchg_pool *pool)
{
	struct r_consumer *c;

	if (pool == NULL || res->nb_consumers == MAX_R_CONSUMERS)
		return NULL;
	c = &res->consumers[res->nb_consumers++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->kind = kind;
	c->pool = pool;
	c->socket = -1;
	return c;
}

/* The consumers of the report, in a fixed order: sockets, each port's
 * ARP and ICMP services, the proxy (to the host), the capture. */
void
consumers_map(struct replay *r)
{
	const struct xchg_config *cfg = r->cfg;
	struct xchg_config_setup *su = r->su;
	struct xchg_arena *arena = xchg_config_setup_arena(su);
	struct result *res = &r->res;
	char name[XCHG_CONFIG_NAME_SIZE];
	struct r_consumer *c;
	unsigned int i;

	res->nb_consumers = 0;
	for (i = 0; i < cfg->nb_sockets; i++) {
		c = add_consumer(res, cfg->sockets[i].name, "socket",
			xchg_socket_pool(xchg_config_setup_socket(su, i)));
		if (c == NULL)
			continue;
		c->socket = (int)i;
		c->behaviour = xchg_config_behaviour_name(cfg->behaviour[i]);
		c->critical = cfg->sockets[i].priority == XCHG_PRIO_CRITICAL;
		c->priority = c->critical ? "critical" : "normal";
	}
	for (i = 0; i < cfg->nb_ports; i++) {
		struct xchg_stack *st = xchg_config_setup_stack(su, i);
		struct xchg_pool *p;

		p = xchg_stack_service_pool(st, false);
		add_consumer(res, xchg_pool_name(p), "service", p);
		p = xchg_stack_service_pool(st, true);
		add_consumer(res, xchg_pool_name(p), "service", p);
		/* ND and ICMPv6: ports with an ip6 only (NULL otherwise). */
		p = xchg_stack_service_pool6(st, false);
		add_consumer(res, xchg_pool_name(p), "service", p);
		p = xchg_stack_service_pool6(st, true);
		add_consumer(res, xchg_pool_name(p), "service", p);
	}
	if (cfg->proxy.enabled) {
		uint16_t id = xchg_port_id(xchg_config_setup_port(su,
							cfg->proxy.port));

		snprintf(name, sizeof(name), "port%u_proxy", id);
		add_consumer(res, name, "proxy", xchg_pool_lookup(arena, name));
	}
	if (cfg->capture.enabled) {
		uint16_t id = xchg_port_id(xchg_config_setup_port(su,
							cfg->capture.port));

		snprintf(name, sizeof(name), "port%u_capture", id);
		add_consumer(res, name, "capture",
			     xchg_pool_lookup(arena, name));
	}
}

enum lost { KEPT = 0, LOST_NOMBUF, LOST_IERRORS };

static void
count_frames(struct result *res, int idx, uint64_t n, uint64_t nombuf,
	     uint64_t ierrors)
{
	struct r_consumer *c = &res->consumers[idx];

	c->offered += n;
	c->lost_rx_nombuf += nombuf;
	c->lost_ierrors += ierrors;
}

/* A datagram (a whole frame, or a first fragment) offered to @idx. */
static void
count_datagram(struct result *res, int idx, enum lost lost)
{
	struct r_consumer *c = &res->consumers[idx];

	if (c->socket < 0)
		return;
	c->d_offered++;
	c->d_rx_nombuf += lost == LOST_NOMBUF;
	c->d_ierrors += lost == LOST_IERRORS;
}

static void
unclaimed_staged(struct result *res, const struct dgram *d)
{
	res->unclaimed += d->pending;
	res->unclaimed_rx_nombuf += d->pending_nombuf;
	res->unclaimed_ierrors += d->pending_ierrors;
	res->unclaimed_staged += d->pending - d->pending_nombuf -
				 d->pending_ierrors;
}

/* A fragment: where its datagram's first fragment went. A first
 * fragment takes the fragments read before it along; a later fragment
 * read before its first waits. Returns the consumer, -1: none, -2:
 * waiting. */
static int
frag_consumer(struct replay *r, const struct xchg_stack_verdict *v, int idx,
	      enum lost lost)
{
	struct dgram *d = dgram_find(&r->dgrams, v);

	if (d == NULL)
		return idx; /* out of memory: as the demux says */
	if (v->first_fragment) {
		d->first = true;
		d->consumer = idx;
		if (idx >= 0) {
			count_datagram(&r->res, idx, lost);
			count_frames(&r->res, idx, d->pending,
				     d->pending_nombuf, d->pending_ierrors);
		} else {
			unclaimed_staged(&r->res, d);
		}
		d->pending = d->pending_nombuf = d->pending_ierrors = 0;
		return idx;
	}
	if (d->first)
		return d->consumer;
	d->pending++;
	d->pending_nombuf += lost == LOST_NOMBUF;
	d->pending_ierrors += lost == LOST_IERRORS;
	return -2;
}

void
dgrams_settle(struct replay *r)
{
	uint32_t i;

	for (i = 0; i < r->dgrams.cap; i++) {
		struct dgram *d = &r->dgrams.d[i];

		if (d->used && !d->first && d->pending != 0) {
			unclaimed_staged(&r->res, d);
			d->pending = d->pending_nombuf = d->pending_ierrors = 0;
		}
	}
}

static void
account(struct replay *r, unsigned int port, const u_char *data,
	uint32_t len, enum lost lost)
{
	struct result *res = &r->res;
	struct xchg_stack_verdict v;
	int idx = -1;

	if (xchg_stack_classify(xchg_config_setup_stack(r->su, port), data,
				len, &v) != 0) {
		v.pool = NULL;
		v.fragment = false;
		v.reason = XCHG_SD_MAX;
	}
	idx = consumer_of_pool(res, v.pool);
	if (v.fragment)
		idx = frag_consumer(r, &v, idx, lost);
	else if (idx >= 0)
		count_datagram(res, idx, lost);
	if (idx == -2)
		return;
	if (idx >= 0) {
		count_frames(res, idx, 1, lost == LOST_NOMBUF,
			     lost == LOST_IERRORS);
		return;
	}
	res->unclaimed++;
	if (lost == LOST_NOMBUF)
		res->unclaimed_rx_nombuf++;
	else if (lost == LOST_IERRORS)
		res->unclaimed_ierrors++;
	else
		res->unclaimed_reason[v.reason]++;
}

/* Catch up with what each port has read; called after every round and
 * whenever the stacks read the clock. */
void
inputs_advance(struct replay *r)
{
	const struct xchg_config *cfg = r->cfg;
	unsigned int i;

	for (i = 0; i < cfg->nb_ports; i++) {
		struct input *in = &r->inputs[i];
		struct rte_eth_stats st;
		struct pcap_pkthdr *h;
		const u_char *data;
		uint64_t consumed, dn, de;

		if (in->rd == NULL ||
		    rte_eth_stats_get(r->port_ids[i], &st) != 0)
			continue;
		consumed = st.ipackets + st.rx_nombuf + st.ierrors;
		dn = st.rx_nombuf - in->nombuf_seen;
		de = st.ierrors - in->ierrors_seen;
		in->nombuf_seen = st.rx_nombuf;
		in->ierrors_seen = st.ierrors;
		while (in->pos < consumed && in->pos < in->nb &&
		       pcap_next_ex(in->rd, &h, &data) == 1) {
			uint64_t left = consumed - in->pos - 1;
			enum lost lost = KEPT;

			/* The last dn + de frames of this round were lost:
			 * rx_nombuf first, then ierrors (one of each at
			 * most per burst). */
			if (left < de)
				lost = LOST_IERRORS;
			else if (left < de + dn)
				lost = LOST_NOMBUF;
			account(r, i, data, h->caplen, lost);
			in->cur = h->ts;
			in->pos++;
		}
	}
}
