/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Capture, as RTnet's rtcap: frames are copied into buffers of the
 * capture's own reservation on the RX lcores and written to a pcap file
 * by the service lcore. When the reservation is used up the capture
 * misses frames and counts them; it never delays a frame, never holds
 * one back and never takes a buffer from anyone else.
 *
 * Each copy carries its metadata in its own headroom (the original
 * length and the timer cycles at the copy), so the mbuf itself is used
 * as DPDK left it. The capture ring is multi-producer: several RX lcores
 * may copy at once.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <pcap/pcap.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "xchg_stack_private.h"

/* Per copy, at the start of its buffer (the headroom). */
struct cap_meta {
	uint64_t cycles;   /* timer cycles when copied */
	uint32_t len;      /* length of the original frame */
};

/* Owners named by the application, other than the services. One stack
 * per port: the context is found by port id. */
struct cap_ctx {
	uint64_t base_cycles;          /* timer cycles at ... */
	struct timespec base_ts;       /* ... this wall clock time */
	unsigned int nb_names;
	char names[][XCHG_NAME_SIZE];
};

static struct cap_ctx *ctx_by_port[RTE_MAX_ETHPORTS];

static bool
wanted(const struct xchg_stack *s, const struct cap_ctx *ctx,
       const struct xchg_consumer *owner)
{
	const char *name;
	unsigned int i;

	if (s->capture_all)
		return true;
	if (owner == NULL)
		return false;
	if (owner == s->arp || owner == s->nd)
		return s->capture_arp;
	if (owner == s->icmp || owner == s->icmp6)
		return s->capture_icmp;
	if (owner == s->proxy)
		return s->capture_proxy;
	if (ctx == NULL || ctx->nb_names == 0)
		return false;
	name = xchg_consumer_name(owner);
	for (i = 0; name != NULL && i < ctx->nb_names; i++)
		if (strcmp(name, ctx->names[i]) == 0)
			return true;
	return false;
}

void
xchg_capture_frame(struct xchg_stack *s, const struct rte_mbuf *m,
		   const struct xchg_consumer *owner)
{
	struct xchg_consumer *cap = __atomic_load_n(&s->capture,
						    __ATOMIC_ACQUIRE);
	const struct cap_ctx *ctx;
	struct cap_meta *meta;
	struct rte_mbuf *c;
	uint32_t len, caplen;
	const void *src;
	void *dst;

	if (cap == NULL)
		return;
	ctx = __atomic_load_n(&ctx_by_port[s->port_id], __ATOMIC_ACQUIRE);
	if (!wanted(s, ctx, owner))
		return;
	if (xchg_alloc_bulk(xchg_consumer_pool(cap), &c, 1) != 0) {
		XCHG_STACK_COUNT(s, capture_missed, 1);
		return;
	}
	len = rte_pktmbuf_pkt_len(m);
	caplen = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(c));
	dst = rte_pktmbuf_append(c, (uint16_t)caplen);
	src = dst != NULL ? rte_pktmbuf_read(m, 0, caplen, dst) : NULL;
	if (src == NULL || rte_pktmbuf_headroom(c) < sizeof(*meta)) {
		rte_pktmbuf_free(c);
		XCHG_STACK_COUNT(s, capture_missed, 1);
		return;
	}
	if (src != dst)
		memcpy(dst, src, caplen);
	meta = c->buf_addr;
	meta->cycles = rte_get_timer_cycles();
	meta->len = len;
	/* The copy is the capture's already: queuing it costs nothing. */
	if (xchg_consumer_deliver(cap, &c, 1) != 1) {
		rte_pktmbuf_free(c);
		XCHG_STACK_COUNT(s, capture_missed, 1);
	}
}

static void
to_timeval(const struct xchg_stack *s, const struct cap_ctx *ctx,
	   uint64_t cycles, struct timeval *tv)
{
	uint64_t d = cycles > ctx->base_cycles ? cycles - ctx->base_cycles : 0;
	uint64_t ns = (uint64_t)ctx->base_ts.tv_nsec +
		      d / s->hz * 1000000000ull +
		      d % s->hz * 1000000000ull / s->hz;

	tv->tv_sec = ctx->base_ts.tv_sec + (time_t)(ns / 1000000000ull);
	tv->tv_usec = (suseconds_t)(ns % 1000000000ull / 1000);
}

/* Write what is queued; returns frames written. */
static unsigned int
write_queued(struct xchg_stack *s, struct xchg_consumer *cap)
{
	const struct cap_ctx *ctx = ctx_by_port[s->port_id];
	struct rte_mbuf *m[XCHG_STACK_BURST];
	unsigned int i, n, total = 0;

	while ((n = xchg_consumer_recv_burst(cap, m, RTE_DIM(m))) != 0) {
		for (i = 0; i < n; i++) {
			const struct cap_meta *meta = m[i]->buf_addr;
			struct pcap_pkthdr h;

			to_timeval(s, ctx, meta->cycles, &h.ts);
			h.caplen = rte_pktmbuf_data_len(m[i]);
			h.len = meta->len;
			pcap_dump(s->dumper, &h,
				  rte_pktmbuf_mtod(m[i], const u_char *));
		}
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	}
	if (total != 0) {
		XCHG_STACK_COUNT(s, captured, total);
		pcap_dump_flush(s->dumper);
	}
	return total;
}

void
xchg_capture_service(struct xchg_stack *s)
{
	struct xchg_consumer *cap = __atomic_load_n(&s->capture,
						    __ATOMIC_ACQUIRE);

	if (cap != NULL)
		write_queued(s, cap);
}

int
xchg_stack_set_capture(struct xchg_stack *s, const char *path,
		       uint32_t quota, const char * const *owners,
		       unsigned int nb_owners)
{
	char name[XCHG_NAME_SIZE];
	struct xchg_consumer *cap = NULL;
	struct cap_ctx *ctx = NULL;
	pcap_dumper_t *dumper = NULL;
	pcap_t *pcap = NULL;
	bool arp = false, icmp = false, proxy = false;
	unsigned int i;
	int ret = 0;

	if (s == NULL || path == NULL || quota == 0 ||
	    (owners != NULL && nb_owners == 0))
		return -EINVAL;
	for (i = 0; owners != NULL && i < nb_owners; i++)
		if (owners[i] == NULL || owners[i][0] == '\0' ||
		    strlen(owners[i]) >= XCHG_NAME_SIZE)
			return -EINVAL;

	pthread_mutex_lock(&s->lock);
	if (s->capture != NULL) {
		ret = -EEXIST;
		goto out;
	}
	ctx = rte_zmalloc("xchg_capture", sizeof(*ctx) +
			  XCHG_NAME_SIZE * (owners != NULL ? nb_owners : 0),
			  0);
	if (ctx == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; owners != NULL && i < nb_owners; i++) {
		if (strcmp(owners[i], "arp") == 0)
			arp = true;
		else if (strcmp(owners[i], "icmp") == 0)
			icmp = true;
		else if (strcmp(owners[i], "proxy") == 0)
			proxy = true;
		else
			snprintf(ctx->names[ctx->nb_names++], XCHG_NAME_SIZE,
				 "%s", owners[i]);
	}
	pcap = pcap_open_dead(DLT_EN10MB, 65535);
	dumper = pcap != NULL ? pcap_dump_open(pcap, path) : NULL;
	if (dumper == NULL) {
		STACK_LOG(ERR, "port %u: capture file %s: %s\n", s->port_id,
			  path, pcap != NULL ? pcap_geterr(pcap) :
			  "pcap_open_dead failed");
		ret = -EIO;
		goto out;
	}
	snprintf(name, sizeof(name), "port%u_capture", s->port_id);
	cap = xchg_consumer_create(s->arena, name, XCHG_KIND_CAPTURE, quota);
	if (cap == NULL) {
		ret = -rte_errno;
		goto out;
	}
	clock_gettime(CLOCK_REALTIME, &ctx->base_ts);
	ctx->base_cycles = rte_get_timer_cycles();
	s->pcap = pcap;
	s->dumper = dumper;
	s->capture_all = owners == NULL;
	s->capture_arp = arp;
	s->capture_icmp = icmp;
	s->capture_proxy = proxy;
	__atomic_store_n(&ctx_by_port[s->port_id], ctx, __ATOMIC_RELEASE);
	/* Published last: the RX lcores start copying at once. */
	__atomic_store_n(&s->capture, cap, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&s->lock);
	if (ret != 0) {
		if (dumper != NULL)
			pcap_dump_close(dumper);
		if (pcap != NULL)
			pcap_close(pcap);
		rte_free(ctx);
	}
	return ret;
}

void
xchg_capture_free(struct xchg_stack *s)
{
	struct xchg_consumer *cap;
	int ret;

	if (s == NULL || s->capture == NULL)
		return;
	cap = s->capture;
	__atomic_store_n(&s->capture, NULL, __ATOMIC_RELEASE);
	/* What was copied is written, then the file closed. */
	write_queued(s, cap);
	pcap_dump_close(s->dumper);
	pcap_close(s->pcap);
	s->dumper = NULL;
	s->pcap = NULL;
	ret = xchg_consumer_free(cap);
	if (ret != 0)
		STACK_LOG(ERR, "port %u: capture consumer not freed: %s\n",
			  s->port_id, rte_strerror(-ret));
	rte_free(ctx_by_port[s->port_id]);
	ctx_by_port[s->port_id] = NULL;
	s->capture_all = false;
	s->capture_arp = s->capture_icmp = s->capture_proxy = false;
}
