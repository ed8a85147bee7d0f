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

/* The offset of an IPv6 header's fragment header among its @l3_len
 * bytes of headers, or 0. */
static uint32_t
ip6_frag_hdr(const uint8_t *ip, uint32_t l3_len)
{
	uint32_t off = 40;
	uint8_t nh = ip[6];

	while (off + 8 <= l3_len) {
		if (nh == IPPROTO_FRAGMENT)
			return off;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			return 0;
		nh = ip[off];
		off += ((uint32_t)ip[off + 1] + 1) * 8;
	}
	return 0;
}

/*
 * A UDP socket's mbuf starts at the payload: the stack left the Ethernet,
 * IP and UDP headers in the headroom. Put them back so the pcap holds
 * whole frames; a reassembled datagram gets one IPv4 header for the whole
 * datagram (length, no fragment bits, checksum), or over IPv6 its first
 * fragment's headers with the payload length of the whole and the
 * fragment header made atomic (offset 0, no more fragments).
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
	if ((buf[m->l2_len] >> 4) == 6) {
		uint8_t *ip6 = buf + m->l2_len;
		uint32_t plen = m->l3_len - 40 + m->l4_len + payload;
		uint32_t fh = ip6_frag_hdr(ip6, m->l3_len);

		ip6[4] = (uint8_t)(plen >> 8);
		ip6[5] = (uint8_t)plen;
		if (fh != 0)
			ip6[fh + 2] = ip6[fh + 3] = 0;
		return hdr + payload;
	}
	ip = (struct rte_ipv4_hdr *)(buf + m->l2_len);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(m->l3_len + m->l4_len +
						       payload));
	ip->fragment_offset &= RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return hdr + payload;
}

/* Capture frames a datagram was made of: its fragments when the stack
 * reassembled it (the header left in the headroom is the first
 * fragment's, with more-fragments set; each fragment is one segment, as
 * net_pcap gives frames up to the data room), else one. */
static uint64_t
udp_frames(const struct rte_mbuf *m)
{
	uint32_t hdr = m->l3_len + m->l4_len;
	const struct rte_ipv4_hdr *ip;

	if (m->l4_len == 0 || m->l3_len < sizeof(*ip) ||
	    rte_pktmbuf_headroom(m) < hdr)
		return 1;
	ip = (const struct rte_ipv4_hdr *)(rte_pktmbuf_mtod(m, const uint8_t *)
					   - hdr);
	if ((ip->version_ihl >> 4) == 6) {
		const uint8_t *ip6 = (const uint8_t *)ip;
		uint32_t fh = ip6_frag_hdr(ip6, m->l3_len);

		return fh != 0 && (ip6[fh + 2] | (ip6[fh + 3] & 0xf9)) != 0 ?
		       m->nb_segs : 1;
	}
	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
					    RTE_IPV4_HDR_OFFSET_MASK)) == 0)
		return 1;
	return m->nb_segs;
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
		c->frames += c->udp ? udp_frames(m[i]) : 1;
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
ts_track_open(struct ts_track *t)
{
	memset(t, 0, sizeof(*t));
	t->f = tmpfile();
	if (t->f == NULL) {
		fprintf(stderr, PROG ": cannot make a temporary file: %s\n",
			strerror(errno));
		return -errno;
	}
	return 0;
}

struct ts_rec {
	uint64_t count;
	int64_t sec, usec;
};

int
ts_track_add(struct ts_track *t, uint64_t count, const struct timeval *ts)
{
	struct ts_rec rec = { count, ts->tv_sec, ts->tv_usec };

	if (count == t->last || t->f == NULL)
		return 0;
	t->last = count;
	return fwrite(&rec, sizeof(rec), 1, t->f) == 1 ? 0 : -EIO;
}

/* The next record with a count above @k: the timestamp of frame @k. */
static const struct timeval *
ts_track_at(struct ts_track *t, uint64_t k, const struct timeval *fallback)
{
	struct ts_rec rec;

	while (!t->have_next || t->next_count <= k) {
		if (t->have_next) {
			t->cur_ts = t->next_ts;
			t->have_cur = true;
		}
		if (t->f == NULL || fread(&rec, sizeof(rec), 1, t->f) != 1) {
			t->have_next = false;
			return t->have_cur ? &t->cur_ts : fallback;
		}
		t->next_count = rec.count;
		t->next_ts.tv_sec = (time_t)rec.sec;
		t->next_ts.tv_usec = (suseconds_t)rec.usec;
		t->have_next = true;
	}
	return &t->next_ts;
}

void
ts_track_free(struct ts_track *t)
{
	if (t->f != NULL)
		fclose(t->f);
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
rewrite_pcap(const char *raw, const char *final, struct ts_track *t,
	     const struct timeval *fallback)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h, out;
	const u_char *data;
	pcap_t *in, *dead;
	pcap_dumper_t *d;
	uint64_t k = 0;
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
	if (t->f != NULL)
		rewind(t->f);
	t->have_next = t->have_cur = false;
	while ((ret = pcap_next_ex(in, &h, &data)) == 1) {
		out = *h;
		out.ts = *ts_track_at(t, k, fallback);
		pcap_dump((u_char *)d, &out, data);
		k++;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	pcap_close(in);
	unlink(raw);
	return 0;
}

