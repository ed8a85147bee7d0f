/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Outputs: what each socket received (pcap), the transmit captures with
 * timestamps from the input instead of the clock, the JSON report and
 * the summary on stdout. Nothing here reads the clock, an address or a
 * process id: the same run gives the same bytes.
 */

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "replay.h"

#define SNAPLEN 65535

int
out_path(const struct replay *r, char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(buf, size, "%s/", r->out_dir);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	n += vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return (size_t)n >= size ? -ENAMETOOLONG : 0;
}

const struct timeval *
input_ts(const struct input *in, uint64_t consumed)
{
	static const struct timeval zero;

	if (in == NULL || in->nb == 0)
		return &zero;
	if (consumed == 0)
		return &in->ts[0];
	return &in->ts[RTE_MIN(consumed, in->nb) - 1];
}

void
result_drop(struct result *res, const char *name, uint64_t n)
{
	unsigned int i;

	for (i = 0; i < res->nb_drops; i++)
		if (strcmp(res->drops[i].name, name) == 0) {
			res->drops[i].n += n;
			return;
		}
	if (res->nb_drops < MAX_R_DROPS) {
		res->drops[res->nb_drops].name = name;
		res->drops[res->nb_drops++].n = n;
	}
}

/* ---- sockets ------------------------------------------------------------ */

int
consumers_open(struct replay *r)
{
	const struct xchg_config *cfg = r->cfg;
	char path[4096];
	unsigned int i;

	for (i = 0; i < cfg->nb_sockets; i++) {
		struct consumer *c = &r->consumers[i];

		c->name = cfg->sockets[i].name;
		c->behaviour = cfg->behaviour[i];
		c->hold = cfg->hold[i];
		c->udp = cfg->sockets[i].type == XCHG_CONFIG_SOCKET_UDP;
		c->cap = c->behaviour == XCHG_BEHAVIOUR_HOLD ? c->hold :
			 c->behaviour == XCHG_BEHAVIOUR_HOG ?
			 cfg->arena.buffers : 0;
		if (c->cap != 0) {
			c->held = calloc(c->cap, sizeof(*c->held));
			if (c->held == NULL)
				return -ENOMEM;
		}
		if (out_path(r, path, sizeof(path), "socket-%s.pcap",
			     c->name) != 0)
			return -ENAMETOOLONG;
		c->dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
		c->dump = c->dead != NULL ? pcap_dump_open(c->dead, path) :
					    NULL;
		if (c->dump == NULL) {
			fprintf(stderr, PROG ": %s: cannot write it: %s\n",
				path, c->dead != NULL ? pcap_geterr(c->dead) :
				"pcap_open_dead failed");
			return -EIO;
		}
	}
	return 0;
}

void
consumers_close(struct replay *r)
{
	unsigned int i;

	for (i = 0; i < r->cfg->nb_sockets; i++) {
		struct consumer *c = &r->consumers[i];

		if (c->dump != NULL)
			pcap_dump_close(c->dump);
		if (c->dead != NULL)
			pcap_close(c->dead);
		c->dump = NULL;
		c->dead = NULL;
		free(c->held);
		c->held = NULL;
	}
}

uint64_t
consumer_held(const struct consumer *c)
{
	return c->count;
}

/* The frame's RX timestamp (net_pcap copies the input's, in µs). */
static bool
replay_mbuf_ts(const struct rte_mbuf *m, struct timeval *tv)
{
	static int offset = -2;
	static uint64_t flag;
	uint64_t us;
	int bit;

	if (offset == -2) {
		offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME,
						  NULL);
		bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME,
					      NULL);
		flag = bit >= 0 ? UINT64_C(1) << bit : 0;
	}
	if (offset < 0 || flag == 0 || !(m->ol_flags & flag))
		return false;
	us = *RTE_MBUF_DYNFIELD(m, offset, const uint64_t *);
	tv->tv_sec = (time_t)(us / 1000000);
	tv->tv_usec = (suseconds_t)(us % 1000000);
	return true;
}

/*
 * A UDP socket's mbuf starts at the payload: the stack left the Ethernet,
 * IPv4 and UDP headers in the headroom. Put them back so the pcap holds
 * whole frames; a reassembled datagram gets one IPv4 header for the whole
 * datagram (length, no fragment bits, checksum).
 */
static uint32_t
udp_frame(const struct rte_mbuf *m, uint8_t *buf, uint32_t size)
{
	uint32_t hdr = m->l2_len + m->l3_len + m->l4_len;
	uint32_t payload = rte_pktmbuf_pkt_len(m);
	struct rte_ipv4_hdr *ip;
	const void *p;

	if (m->l4_len == 0 || m->l3_len < sizeof(*ip) ||
	    rte_pktmbuf_headroom(m) < hdr || hdr + payload > size)
		return 0;
	memcpy(buf, rte_pktmbuf_mtod(m, const uint8_t *) - hdr, hdr);
	p = rte_pktmbuf_read(m, 0, payload, buf + hdr);
	if (p == NULL)
		return 0;
	if (p != buf + hdr)
		memcpy(buf + hdr, p, payload);
	ip = (struct rte_ipv4_hdr *)(buf + m->l2_len);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(m->l3_len + m->l4_len +
						       payload));
	ip->fragment_offset &= RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return hdr + payload;
}

static void
dump_frame(struct consumer *c, const struct rte_mbuf *m,
	   const struct timeval *fallback)
{
	static uint8_t buf[UINT16_MAX + 512];
	struct pcap_pkthdr h;
	const void *data;
	uint32_t len = 0;

	if (c->udp)
		len = udp_frame(m, buf, sizeof(buf));
	if (len != 0) {
		data = buf;
	} else {
		len = rte_pktmbuf_pkt_len(m);
		len = RTE_MIN(len, (uint32_t)sizeof(buf));
		data = rte_pktmbuf_read(m, 0, len, buf);
		if (data == NULL)
			return;
	}
	if (!replay_mbuf_ts(m, &h.ts))
		h.ts = *fallback;
	h.len = len;
	h.caplen = RTE_MIN(len, (uint32_t)SNAPLEN);
	pcap_dump((u_char *)c->dump, &h, data);
}

void
consumer_take(struct consumer *c, struct rte_mbuf **m, unsigned int n,
	      const struct timeval *fallback)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		dump_frame(c, m[i], fallback);
		c->received++;
		switch (c->behaviour) {
		case XCHG_BEHAVIOUR_NORMAL:
			rte_pktmbuf_free(m[i]);
			break;
		case XCHG_BEHAVIOUR_HOG:
			if (c->count < c->cap)
				c->held[c->count++] = m[i];
			else
				rte_pktmbuf_free(m[i]); /* cannot happen */
			break;
		case XCHG_BEHAVIOUR_HOLD:
			/* Keep the last N: the oldest goes when full. */
			if (c->count == c->cap) {
				rte_pktmbuf_free(c->held[c->head]);
				c->held[c->head] = m[i];
				c->head = (c->head + 1) % c->cap;
			} else {
				c->held[(c->head + c->count) % c->cap] = m[i];
				c->count++;
			}
			break;
		}
	}
}

void
consumers_release(struct replay *r)
{
	unsigned int i, k;

	for (i = 0; i < r->cfg->nb_sockets; i++) {
		struct consumer *c = &r->consumers[i];

		for (k = 0; k < c->count; k++)
			rte_pktmbuf_free(c->held[(c->head + k) % c->cap]);
		c->count = 0;
		c->head = 0;
		if (c->dump != NULL)
			pcap_dump_flush(c->dump);
	}
}

/* ---- transmit captures -------------------------------------------------- */

int
ts_track_add(struct ts_track *t, uint64_t count, const struct timeval *ts)
{
	if (count == t->last)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		uint64_t *c = realloc(t->count, cap * sizeof(*c));
		struct timeval *v;

		if (c == NULL)
			return -ENOMEM;
		t->count = c;
		v = realloc(t->ts, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		t->ts = v;
		t->cap = cap;
	}
	t->count[t->n] = count;
	t->ts[t->n++] = *ts;
	t->last = count;
	return 0;
}

void
ts_track_free(struct ts_track *t)
{
	free(t->count);
	free(t->ts);
	memset(t, 0, sizeof(*t));
}

int
write_empty_pcap(const char *path)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	pcap_dumper_t *d = dead != NULL ? pcap_dump_open(dead, path) : NULL;

	if (d == NULL) {
		if (dead != NULL)
			pcap_close(dead);
		return -EIO;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

/*
 * Copy a capture written with clock timestamps (net_pcap's tx_pcap, the
 * stack's capture) to @final, giving frame k the timestamp of the last
 * input frame read by the round in which frame k was written.
 */
int
rewrite_pcap(const char *raw, const char *final, const struct ts_track *t,
	     const struct timeval *fallback)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h, out;
	const u_char *data;
	pcap_t *in, *dead;
	pcap_dumper_t *d;
	uint64_t k = 0;
	size_t idx = 0;
	int ret;

	in = pcap_open_offline_with_tstamp_precision(raw,
			PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (in == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", raw, errbuf);
		return -EIO;
	}
	dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	d = dead != NULL ? pcap_dump_open(dead, final) : NULL;
	if (d == NULL) {
		fprintf(stderr, PROG ": %s: cannot write it\n", final);
		if (dead != NULL)
			pcap_close(dead);
		pcap_close(in);
		return -EIO;
	}
	while ((ret = pcap_next_ex(in, &h, &data)) == 1) {
		while (idx < t->n && t->count[idx] <= k)
			idx++;
		out = *h;
		out.ts = idx < t->n ? t->ts[idx] :
			 t->n != 0 ? t->ts[t->n - 1] : *fallback;
		pcap_dump((u_char *)d, &out, data);
		k++;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	pcap_close(in);
	unlink(raw);
	return 0;
}

/* ---- report ------------------------------------------------------------- */

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

int
write_report(const struct replay *r, const char *path)
{
	const struct result *res = &r->res;
	const struct xchg_config *cfg = r->cfg;
	unsigned int i;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "{\n  \"tool\": \"xchg-replay\",\n  \"mode\": \"%s\",\n",
		res->mode == MODE_EXCHANGE ? "exchange" : "shared");
	fprintf(f, "  \"config\": ");
	json_str(f, base(cfg->path));
	fprintf(f, ",\n  \"inputs\": {");
	for (i = 0; i < cfg->nb_ports; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, cfg->ports[i].name);
		fprintf(f, ": {\"pcap\": ");
		json_str(f, r->inputs[i].path != NULL ?
			 base(r->inputs[i].path) : "");
		fprintf(f, ", \"frames\": %" PRIu64 "}", r->inputs[i].nb);
	}
	fprintf(f, "\n  },\n  \"frames_in\": %" PRIu64 ",\n  \"buffers\": %u,\n",
		res->frames_in, res->buffers);

	fprintf(f, "  \"consumers\": {");
	for (i = 0; i < res->nb_consumers; i++) {
		const struct r_consumer *c = &res->consumers[i];

		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, c->name);
		fprintf(f, ": {\"kind\": \"%s\"", c->kind);
		if (c->behaviour != NULL)
			fprintf(f, ", \"behaviour\": \"%s\", \"priority\": \"%s\"",
				c->behaviour, c->priority);
		fprintf(f, ", \"delivered\": %" PRIu64 ", \"refused\": %" PRIu64,
			c->delivered, c->refused);
		if (c->behaviour != NULL)
			fprintf(f, ", \"received\": %" PRIu64 ", \"held\": %" PRIu64,
				c->received, c->held);
		fprintf(f, "}");
	}
	fprintf(f, "\n  },\n  \"pools\": {");
	for (i = 0; i < res->nb_pools; i++) {
		const struct r_pool *p = &res->pools[i];

		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, p->name);
		fprintf(f, ": {\"kind\": \"%s\", \"quota\": %u, \"in_use\": %u, \"available\": %u, \"refused\": %" PRIu64 ", \"low_watermark\": %u, \"accepted\": %" PRIu64 ", \"rejected\": %" PRIu64 "}",
			p->kind, p->quota, p->in_use, p->available, p->refused,
			p->low_watermark, p->accepted, p->rejected);
	}
	fprintf(f, "\n  },\n  \"ports\": {");
	for (i = 0; i < res->nb_ports; i++) {
		const struct r_port *p = &res->ports[i];

		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, p->name);
		fprintf(f, ": {\"port_id\": %u, \"frames_in\": %" PRIu64 ", \"ipackets\": %" PRIu64 ", \"opackets\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64 ", \"imissed\": %" PRIu64 ", \"ierrors\": %" PRIu64 "}",
			p->port_id, p->frames_in, p->ipackets, p->opackets,
			p->rx_nombuf, p->imissed, p->ierrors);
	}
	fprintf(f, "\n  },\n  \"drops\": {");
	for (i = 0; i < res->nb_drops; i++)
		fprintf(f, "%s\n    \"%s\": %" PRIu64, i ? "," : "",
			res->drops[i].name, res->drops[i].n);
	fprintf(f, "\n  },\n  \"stack\": {\"arp_answered\": %" PRIu64 ", \"icmp_answered\": %" PRIu64 ", \"proxied_in\": %" PRIu64 ", \"proxied_out\": %" PRIu64 ", \"captured\": %" PRIu64 ", \"capture_missed\": %" PRIu64 ", \"reassembled\": %" PRIu64 "},\n",
		res->stack.arp_answered, res->stack.icmp_answered,
		res->stack.proxied_in, res->stack.proxied_out,
		res->stack.captured, res->stack.capture_missed,
		res->stack.reassembled);
	fprintf(f, "  \"census\": {\"total\": %u, \"free\": %u, \"owned\": %u, \"in_rings\": %u, \"conserved\": %s}\n}\n",
		res->census.total, res->census.free, res->census.owned,
		res->census.in_rings, res->census.conserved ? "true" : "false");
	if (fclose(f) != 0)
		return -errno;
	return 0;
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
	printf("  %-16s %-9s %-9s %10s %10s %8s\n", "consumer", "kind",
	       "behaviour", "delivered", "refused", "held");
	for (i = 0; i < res->nb_consumers; i++) {
		const struct r_consumer *c = &res->consumers[i];

		printf("  %-16s %-9s %-9s %10" PRIu64 " %10" PRIu64 " %8" PRIu64 "\n",
		       c->name, c->kind, c->behaviour ? c->behaviour : "-",
		       c->delivered, c->refused, c->held);
	}
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
	printf("  outputs in %s, report %s\n", r->out_dir, r->report);
}
