/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * IPv4 fragment reassembly for UDP, RTnet style: a bounded number of
 * collectors, each with a timeout. A collector opens on the first
 * fragment (offset 0), the only one that names the destination socket;
 * from then on every fragment of the datagram is charged to that
 * socket's pool as it arrives. A fragment flood therefore exhausts the
 * collectors and the target socket's own pool, and nothing else. A
 * datagram that completes is chained in offset order, stripped to its
 * UDP payload and queued on the socket's ring; its units are already
 * paid, so the delivery costs nothing.
 *
 * Later fragments that arrive before their first one have nowhere to
 * go: they are dropped (frag_no_collector), or passed to the proxy when
 * there is one, like an unclaimed first fragment.
 *
 * The table is shared by the RX lcores (xchg_frag_input) and the service
 * lcore (xchg_frag_expire) under one spinlock. Everything is allocated
 * at creation; nothing is allocated on the data path.
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>
#include <rte_udp.h>

#include "xchg_stack_private.h"

/* Largest IPv4 datagram, header included. */
#define IPV4_MAX_TOTAL 65535u

struct frag {
	struct rte_mbuf *m;     /* whole frame, Ethernet header at mtod */
	uint16_t off;           /* in the datagram's IP payload, bytes */
	uint16_t len;           /* IP payload bytes this fragment holds */
};

struct collector {
	bool used;
	uint8_t proto;
	rte_be16_t id;
	rte_be32_t src, dst;
	struct xchg_socket *sock;
	uint64_t started;       /* timer cycles, at the first fragment */
	uint32_t total;         /* datagram payload; 0 until the last one */
	uint32_t have;          /* payload bytes held */
	uint16_t nb;            /* fragments held, sorted by offset */
	struct frag *frags;     /* max_frags entries */
};

struct xchg_frag_table {
	rte_spinlock_t lock;
	uint32_t nb_collectors;
	uint32_t nb_used;       /* written under the lock, read without */
	uint16_t max_frags;
	uint64_t timeout;       /* timer cycles */
	struct collector *col;
	struct frag *frags;
};

struct xchg_frag_table *
xchg_frag_create(const struct xchg_stack_conf *conf, uint64_t hz,
		 int socket_id)
{
	struct xchg_frag_table *t;
	uint32_t i;

	if (conf == NULL || conf->frag_collectors == 0 ||
	    conf->frag_max_frags == 0)
		return NULL;
	t = rte_zmalloc_socket("xchg_frag", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (t == NULL)
		return NULL;
	rte_spinlock_init(&t->lock);
	t->nb_collectors = conf->frag_collectors;
	t->max_frags = conf->frag_max_frags;
	t->timeout = (uint64_t)conf->frag_timeout_ms * hz / 1000;
	t->col = rte_zmalloc_socket("xchg_frag_col",
				    sizeof(*t->col) * t->nb_collectors,
				    RTE_CACHE_LINE_SIZE, socket_id);
	t->frags = rte_zmalloc_socket("xchg_frag_frags",
				      sizeof(*t->frags) * t->nb_collectors *
				      t->max_frags, RTE_CACHE_LINE_SIZE,
				      socket_id);
	if (t->col == NULL || t->frags == NULL) {
		rte_free(t->col);
		rte_free(t->frags);
		rte_free(t);
		return NULL;
	}
	for (i = 0; i < t->nb_collectors; i++)
		t->col[i].frags = &t->frags[(size_t)i * t->max_frags];
	return t;
}

static void
release(struct xchg_frag_table *t, struct collector *c)
{
	c->used = false;
	c->sock = NULL;
	c->nb = 0;
	c->have = 0;
	c->total = 0;
	__atomic_store_n(&t->nb_used, t->nb_used - 1, __ATOMIC_RELAXED);
}

/* Drop a whole datagram, counting each fragment; the lock is held. */
static void
drop_datagram(struct xchg_stack *s, struct xchg_frag_table *t,
	      struct collector *c, enum xchg_stack_drop why)
{
	uint16_t i;

	for (i = 0; i < c->nb; i++) {
		rte_pktmbuf_free(c->frags[i].m);
		if (s != NULL)
			xchg_stack_drop(s, why);
	}
	release(t, c);
}

void
xchg_frag_free(struct xchg_frag_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nb_collectors; i++)
		if (t->col[i].used)
			drop_datagram(NULL, t, &t->col[i], XCHG_SD_FRAG_TIMEOUT);
	rte_free(t->frags);
	rte_free(t->col);
	rte_free(t);
}

static struct collector *
find(struct xchg_frag_table *t, const struct xchg_pkt *pkt)
{
	uint32_t i;

	for (i = 0; i < t->nb_collectors; i++) {
		struct collector *c = &t->col[i];

		if (c->used && c->id == pkt->ip_id && c->src == pkt->src &&
		    c->dst == pkt->dst && c->proto == pkt->proto)
			return c;
	}
	return NULL;
}

static bool
expired(const struct xchg_frag_table *t, const struct collector *c,
	uint64_t now)
{
	/* A start stamped on another lcore may read as just ahead. */
	return now > c->started && now - c->started > t->timeout;
}

/* A free collector; a timed-out one is reclaimed if none is free. */
static struct collector *
open_collector(struct xchg_stack *s, struct xchg_frag_table *t, uint64_t now)
{
	struct collector *old = NULL;
	uint32_t i;

	for (i = 0; i < t->nb_collectors; i++) {
		struct collector *c = &t->col[i];

		if (!c->used)
			return c;
		if (expired(t, c, now) &&
		    (old == NULL || c->started < old->started))
			old = c;
	}
	if (old != NULL)
		drop_datagram(s, t, old, XCHG_SD_FRAG_TIMEOUT);
	return old;
}

/*
 * Where a fragment [off, off + len) goes in @c, or -1 when it overlaps
 * one held, runs past the datagram's end or the end runs before a
 * fragment held. @last: the fragment ends the datagram.
 */
static int
slot_for(const struct collector *c, uint32_t off, uint32_t len, bool last)
{
	uint32_t end = off + len;
	uint16_t i;

	if (c->total != 0 && (last || end > c->total))
		return -1; /* a second end, or past the end */
	for (i = 0; i < c->nb; i++) {
		uint32_t o = c->frags[i].off;
		uint32_t e = o + c->frags[i].len;

		if (off < e && o < end)
			return -1;
		if (last && e > end)
			return -1;
		if (o >= end)
			break;
	}
	/* Zero-length fragments would overlap nothing: refuse them. */
	if (len == 0 && !last)
		return -1;
	return i;
}

static void
insert(struct collector *c, int pos, struct rte_mbuf *m, uint32_t off,
       uint32_t len, bool last)
{
	memmove(&c->frags[pos + 1], &c->frags[pos],
		sizeof(c->frags[0]) * (c->nb - pos));
	c->frags[pos] = (struct frag){
		.m = m, .off = (uint16_t)off, .len = (uint16_t)len };
	c->nb++;
	c->have += len;
	if (last)
		c->total = off + len;
}

/* One's complement sum of the reassembled UDP datagram, pseudo header
 * included; every segment starts at its IP payload. All segments but
 * the last are multiples of 8 bytes, so the partial sums add up. */
static bool
udp_checksum_ok(const struct collector *c, uint16_t udp_len)
{
	uint8_t ph[12];
	uint32_t sum;
	uint16_t i;

	memcpy(ph, &c->src, 4);
	memcpy(ph + 4, &c->dst, 4);
	ph[8] = 0;
	ph[9] = IPPROTO_UDP;
	ph[10] = (uint8_t)(udp_len >> 8);
	ph[11] = (uint8_t)udp_len;
	sum = rte_raw_cksum(ph, sizeof(ph));
	for (i = 0; i < c->nb; i++) {
		uint16_t part;

		/* Fragments may be chained; the sum walks the segments. */
		if (rte_raw_cksum_mbuf(c->frags[i].m, 0, c->frags[i].len,
				       &part) != 0)
			return false;
		sum += part;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The datagram is whole: strip, check, chain, deliver. Lock held. */
static void
complete(struct xchg_stack *s, struct xchg_frag_table *t, struct collector *c)
{
	struct rte_mbuf *head, *m;
	const uint8_t *udp;
	uint16_t i, udp_len, cksum, nb = c->nb;

	/* Each fragment to its IP payload, Ethernet padding trimmed; the
	 * first keeps l2_len/l3_len for xchg_udp_source(). */
	for (i = 0; i < nb; i++) {
		m = c->frags[i].m;
		rte_pktmbuf_adj(m, (uint16_t)(m->l2_len + m->l3_len));
		xchg_stack_trim(m, c->frags[i].len);
	}
	head = c->frags[0].m;
	udp = rte_pktmbuf_mtod(head, const uint8_t *);
	udp_len = (uint16_t)(udp[4] << 8 | udp[5]);
	cksum = (uint16_t)(udp[6] << 8 | udp[7]);
	if (udp_len != c->total || udp_len < sizeof(struct rte_udp_hdr)) {
		drop_datagram(s, t, c, XCHG_SD_UDP_LENGTH);
		return;
	}
	if (s->conf.verify_udp_checksum && cksum != 0 &&
	    !udp_checksum_ok(c, udp_len)) {
		drop_datagram(s, t, c, XCHG_SD_UDP_CHECKSUM);
		return;
	}
	head->l4_len = sizeof(struct rte_udp_hdr);
	rte_pktmbuf_adj(head, sizeof(struct rte_udp_hdr));
	for (i = 1; i < nb; i++)
		if (rte_pktmbuf_chain(head, c->frags[i].m) != 0) {
			/* Cannot happen below 65535 segments; the rest are
			 * still single frames. */
			uint16_t k;

			rte_pktmbuf_free(head);
			for (k = i; k < nb; k++)
				rte_pktmbuf_free(c->frags[k].m);
			for (k = 0; k < nb; k++)
				xchg_stack_drop(s, XCHG_SD_FRAG_INVALID);
			release(t, c);
			return;
		}
	/* Every segment is the socket's already: the exchange is free. */
	if (xchg_consumer_deliver(c->sock->consumer, &head, 1) == 1) {
		xchg_stack_count(&s->reassembled, 1);
		xchg_stack_count(&s->frag_delivered, nb);
	} else {
		rte_pktmbuf_free(head);
		for (i = 0; i < nb; i++)
			xchg_stack_drop(s, XCHG_SD_NO_BUFFERS);
	}
	release(t, c);
}

/* A later fragment with no collector: the host may know it. */
static void
no_collector(struct xchg_stack *s, struct rte_mbuf *m)
{
	struct xchg_consumer *proxy = __atomic_load_n(&s->proxy,
						      __ATOMIC_ACQUIRE);

	if (proxy == NULL) {
		xchg_stack_drop(s, XCHG_SD_FRAG_NO_COLLECTOR);
	} else {
		/* The demux saw no owner: the proxy's capture sees it here. */
		if (s->capture != NULL && !s->capture_all)
			xchg_capture_frame(s, m, proxy);
		if (xchg_consumer_deliver(proxy, &m, 1) == 1) {
			xchg_stack_count(&s->proxied_in, 1);
			xchg_stack_count(&s->frag_delivered, 1);
			return;
		}
		xchg_stack_drop(s, XCHG_SD_NO_BUFFERS);
	}
	rte_pktmbuf_free(m);
}

static void
drop_one(struct xchg_stack *s, struct rte_mbuf *m, enum xchg_stack_drop why)
{
	xchg_stack_drop(s, why);
	rte_pktmbuf_free(m);
}

void
xchg_frag_input(struct xchg_stack *s, struct xchg_socket *sock,
		struct rte_mbuf *m, const struct xchg_pkt *pkt)
{
	struct xchg_frag_table *t = s->frags;
	uint32_t off = pkt->frag_offset;
	uint32_t len = (uint32_t)(pkt->ip_total - pkt->l3_len);
	bool last = !pkt->more_frags;
	struct collector *c;
	bool bad;
	int pos;

	/* A fragment larger than a data room comes chained: it stays so,
	 * and costs one unit per segment like any chain. */
	/* Past 64 KiB, or a middle fragment not a multiple of 8 bytes. */
	bad = off + len + pkt->l3_len > IPV4_MAX_TOTAL ||
	      (!last && len % 8 != 0);

	rte_spinlock_lock(&t->lock);
	c = find(t, pkt);
	if (off == 0) {
		/* A first fragment: a second one for the same datagram
		 * overlaps the first. */
		if (c != NULL) {
			drop_datagram(s, t, c, XCHG_SD_FRAG_INVALID);
			drop_one(s, m, XCHG_SD_FRAG_INVALID);
			goto out;
		}
		if (bad || sock == NULL || pkt->l4_len == 0) {
			drop_one(s, m, XCHG_SD_FRAG_INVALID);
			goto out;
		}
		c = open_collector(s, t, xchg_stack_now(s));
		if (c == NULL) {
			drop_one(s, m, XCHG_SD_FRAG_NO_COLLECTOR);
			goto out;
		}
		if (xchg_acquire_burst(xchg_consumer_pool(sock->consumer),
				       &m, 1) != 1) {
			drop_one(s, m, XCHG_SD_NO_BUFFERS);
			goto out;
		}
		c->used = true;
		__atomic_store_n(&t->nb_used, t->nb_used + 1,
				 __ATOMIC_RELAXED);
		c->proto = pkt->proto;
		c->id = pkt->ip_id;
		c->src = pkt->src;
		c->dst = pkt->dst;
		c->sock = sock;
		c->started = xchg_stack_now(s);
		insert(c, 0, m, off, len, last);
	} else {
		if (c == NULL) {
			rte_spinlock_unlock(&t->lock);
			no_collector(s, m);
			return;
		}
		/* The demux could not tell whose a later fragment is: the
		 * capture of the socket's frames sees it here. */
		if (s->capture != NULL && !s->capture_all)
			xchg_capture_frame(s, m, c->sock->consumer);
		pos = bad || c->nb == t->max_frags ? -1 :
		      slot_for(c, off, len, last);
		if (pos < 0) {
			drop_datagram(s, t, c, XCHG_SD_FRAG_INVALID);
			drop_one(s, m, XCHG_SD_FRAG_INVALID);
			goto out;
		}
		/* Charged as it arrives: a datagram the socket cannot pay
		 * for can never complete, so it goes at once. */
		if (xchg_acquire_burst(xchg_consumer_pool(c->sock->consumer),
				       &m, 1) != 1) {
			drop_datagram(s, t, c, XCHG_SD_NO_BUFFERS);
			drop_one(s, m, XCHG_SD_NO_BUFFERS);
			goto out;
		}
		insert(c, pos, m, off, len, last);
	}
	if (c->total != 0 && c->have == c->total)
		complete(s, t, c);
out:
	rte_spinlock_unlock(&t->lock);
}

void
xchg_frag_expire(struct xchg_stack *s, uint64_t now)
{
	struct xchg_frag_table *t = s->frags;
	uint32_t i;

	if (t == NULL || __atomic_load_n(&t->nb_used, __ATOMIC_RELAXED) == 0)
		return;
	rte_spinlock_lock(&t->lock);
	for (i = 0; i < t->nb_collectors; i++)
		if (t->col[i].used && expired(t, &t->col[i], now))
			drop_datagram(s, t, &t->col[i], XCHG_SD_FRAG_TIMEOUT);
	rte_spinlock_unlock(&t->lock);
}

void
xchg_frag_forget_socket(struct xchg_stack *s, struct xchg_socket *sock,
			enum xchg_stack_drop why)
{
	struct xchg_frag_table *t = s != NULL ? s->frags : NULL;
	uint32_t i;

	if (t == NULL || sock == NULL)
		return;
	rte_spinlock_lock(&t->lock);
	for (i = 0; i < t->nb_collectors; i++)
		if (t->col[i].used && t->col[i].sock == sock)
			drop_datagram(s, t, &t->col[i], why);
	rte_spinlock_unlock(&t->lock);
}
