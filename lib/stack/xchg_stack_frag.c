/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * IPv4 and IPv6 fragment reassembly for UDP (one table, the family in
 * the key), owned by the destination socket,
 * whole. Each UDP socket has its own collectors and its own fragment
 * slots (xchg_frag_acct), and pays for every fragment of its datagrams
 * from its own reservation as it arrives. When its collectors, slots or
 * units run out, its own least recently completed half-built datagram
 * is evicted for the newest (frag_evicted, counted against it), as Linux
 * does under its fragment memory thresholds; another socket's datagrams
 * are never touched. A fragment flood at a socket therefore costs that
 * socket only.
 *
 * A collector opens on the first fragment (offset 0), the only one that
 * carries the UDP port. Later fragments find their collector through a
 * keyed hash (random seed per stack) over every socket's open
 * collectors: the hash only indexes collectors the sockets own, so no
 * socket can fill it for another. Later fragments whose first has not
 * come yet wait in the staging area (xchg_stack_frag_stage.c).
 *
 * A datagram that completes is chained in offset order, stripped to its
 * UDP payload and handed to xchg_stack_defer(), which delivers it after
 * the frames that arrived before its last fragment.
 *
 * The table is shared by the RX lcores (xchg_frag_input) and the service
 * lcore (xchg_frag_expire) under one spinlock: it is held for one
 * fragment's work, so a flood costs others lock time, not collectors.
 * Everything is allocated on the control path.
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "xchg_stack_frag.h"

#define OK XCHG_SD_MAX

static uint32_t
bucket_of(const struct xchg_frag_table *t, const struct frag_key *k)
{
	if (k->v6)
		return rte_jhash_3words(rte_jhash(k->src6, 16, t->seed),
					rte_jhash(k->dst6, 16, t->seed),
					k->id6, t->seed) & t->hash_mask;
	return rte_jhash_3words(k->src, k->dst,
				(uint32_t)k->id << 8 | k->proto, t->seed) &
	       t->hash_mask;
}

struct xchg_frag_table *
xchg_frag_create(struct xchg_stack *s)
{
	struct xchg_frag_table *t;
	uint32_t nb;

	t = rte_zmalloc("xchg_frag", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return NULL;
	rte_spinlock_init(&t->lock);
	t->seed = (uint32_t)rte_rand();
	nb = rte_align32pow2(RTE_MAX(s->max_sockets, 1024u));
	t->hash_mask = nb - 1;
	t->buckets = rte_zmalloc("xchg_frag_hash", sizeof(*t->buckets) * nb,
				 RTE_CACHE_LINE_SIZE);
	t->open.prev = t->open.next = &t->open;
	t->max_frags = s->conf.frag_max_frags;
	t->timeout = (uint64_t)s->conf.frag_timeout_ms * s->hz / 1000;
	if (t->buckets == NULL || xchg_frag_stage_create(s, t) != 0) {
		rte_free(t->buckets);
		rte_free(t);
		return NULL;
	}
	return t;
}

void
xchg_frag_free(struct xchg_frag_table *t)
{
	if (t == NULL)
		return;
	xchg_frag_stage_free(t);
	rte_free(t->buckets);
	rte_free(t);
}

uint32_t
xchg_frag_default_collectors(const struct xchg_stack *s, uint32_t quota)
{
	if (s->conf.frag_collectors != 0)
		return s->conf.frag_collectors;
	return RTE_MAX(1u, RTE_MIN(quota / 4, 16u));
}

int
xchg_frag_acct_create(struct xchg_stack *s, struct xchg_socket *sock,
		      uint32_t collectors)
{
	struct xchg_frag_table *t = s->frags;
	struct xchg_pool_stats ps;
	struct xchg_frag_acct *a, *old;
	uint32_t slots, i;
	size_t size;

	if (xchg_pool_stats_get(xchg_consumer_pool(sock->consumer), &ps) != 0)
		return -EINVAL;
	/* Every fragment held costs a unit: more slots than the quota
	 * could never fill. */
	slots = collectors == 0 ? 0 :
		RTE_MAX(collectors, RTE_MIN(ps.quota,
					    collectors * t->max_frags));
	size = sizeof(*a) + sizeof(a->col[0]) * collectors +
	       sizeof(a->slots[0]) * slots;
	a = rte_zmalloc("xchg_frag_acct", size, RTE_CACHE_LINE_SIZE);
	if (a == NULL)
		return -ENOMEM;
	a->sock = sock;
	a->nb_col = collectors;
	a->nb_slots = slots;
	a->col = (struct collector *)(a + 1);
	a->slots = (struct frag *)(a->col + collectors);
	for (i = 0; i < slots; i++)
		a->slots[i].next = i + 1 < slots ? (int32_t)i + 1 : -1;
	a->free_slot = slots != 0 ? 0 : -1;
	a->share = frag_share_create(collectors);
	if (a->share == NULL) {
		rte_free(a);
		return -ENOMEM;
	}

	rte_spinlock_lock(&t->lock);
	old = sock->frag;
	if (old != NULL && old->nb_used != 0) {
		rte_spinlock_unlock(&t->lock);
		frag_share_free(a->share);
		rte_free(a);
		return -EBUSY;
	}
	if (old != NULL)
		a->reassembled = old->reassembled;
	sock->frag = a;
	rte_spinlock_unlock(&t->lock);
	if (old != NULL)
		frag_share_free(old->share);
	rte_free(old);
	return 0;
}

void
xchg_frag_acct_free(struct xchg_stack *s, struct xchg_socket *sock)
{
	struct xchg_frag_table *t = s->frags;
	struct xchg_frag_acct *a;

	rte_spinlock_lock(&t->lock);
	a = sock->frag;
	sock->frag = NULL;
	rte_spinlock_unlock(&t->lock);
	if (a != NULL)
		frag_share_free(a->share);
	rte_free(a);
}

static void
unlink_collector(struct xchg_frag_table *t, struct collector *c)
{
	struct collector **pp = &t->buckets[bucket_of(t, &c->key)];

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp == c)
		*pp = c->hnext;
	c->hnext = NULL;
	c->prev->next = c->next;
	c->next->prev = c->prev;
	c->used = false;
	frag_share_del(c->acct->share, (int32_t)(c - c->acct->col));
	c->acct->nb_used--;
	__atomic_store_n(&t->nb_open, t->nb_open - 1, __ATOMIC_RELAXED);
}

static void
put_slot(struct xchg_frag_acct *a, int32_t i)
{
	a->slots[i].m = NULL;
	a->slots[i].next = a->free_slot;
	a->free_slot = i;
}

/* Drop a whole datagram, counting each fragment against its socket. */
static void
drop_datagram(struct xchg_stack *s, struct xchg_frag_table *t,
	      struct collector *c, enum xchg_stack_drop why)
{
	struct xchg_frag_acct *a = c->acct;
	int32_t i = c->head;

	while (i >= 0) {
		int32_t next = a->slots[i].next;

		rte_pktmbuf_free(a->slots[i].m);
		put_slot(a, i);
		i = next;
	}
	/* One datagram lost, whatever it held (the fragment that made it
	 * go is counted by drop_one). */
	xchg_socket_drop_dgram(s, a->sock, why, c->nb);
	unlink_collector(t, c);
}

static void
drop_one(struct xchg_stack *s, struct xchg_socket *sock, struct rte_mbuf *m,
	 enum xchg_stack_drop why)
{
	xchg_socket_drop(s, sock, why, 1);
	rte_pktmbuf_free(m);
}

/* Evict one of the socket's half-built datagrams for host @host's:
 * the one that has waited longest for a fragment among those of the
 * host holding the most collectors, @host's own first when it holds as
 * many (xchg_stack_frag_share.c); never @keep. */
static bool
evict_one(struct xchg_stack *s, struct xchg_frag_table *t,
	  struct xchg_frag_acct *a, uint32_t host,
	  const struct collector *keep)
{
	int32_t i = frag_share_victim(a->share, host,
				      keep != NULL ? (int32_t)(keep - a->col) :
				      -1);

	if (i < 0)
		return false;
	drop_datagram(s, t, &a->col[i], XCHG_SD_FRAG_EVICTED);
	return true;
}

/* The socket pays for @m: when it cannot, its own older datagrams go
 * first. */
static bool
pay(struct xchg_stack *s, struct xchg_frag_table *t,
    struct xchg_frag_acct *a, const struct collector *keep,
    struct rte_mbuf *m)
{
	struct xchg_pool *pool = xchg_consumer_pool(a->sock->consumer);

	while (xchg_acquire_burst(pool, &m, 1) != 1)
		if (rte_errno != ENOBUFS ||
		    !evict_one(s, t, a, frag_host_of(t, &keep->key), keep))
			return false;
	return true;
}

static int32_t
take_slot(struct xchg_stack *s, struct xchg_frag_table *t,
	  struct xchg_frag_acct *a, const struct collector *keep)
{
	int32_t i;

	if (a->free_slot < 0 &&
	    !evict_one(s, t, a, frag_host_of(t, &keep->key), keep))
		return -1;
	i = a->free_slot;
	a->free_slot = a->slots[i].next;
	return i;
}

/*
 * Where a fragment [off, off + len) goes in @c: the slot after which it
 * is linked (-1: at the head), or -2 when it overlaps one held, runs
 * past the datagram's end or the end runs before a fragment held.
 */
static int32_t
place(const struct xchg_frag_acct *a, const struct collector *c,
      uint32_t off, uint32_t len, bool last)
{
	uint32_t end = off + len;
	int32_t i, prev = -1;

	if (c->total != 0 && (last || end > c->total))
		return -2; /* a second end, or past the end */
	/* Zero-length fragments would overlap nothing: refuse them. */
	if (len == 0 && !last)
		return -2;
	for (i = c->head; i >= 0; i = a->slots[i].next) {
		uint32_t o = a->slots[i].off;
		uint32_t e = o + a->slots[i].len;

		if (off < e && o < end)
			return -2;
		if (o >= end)
			return last ? -2 : prev; /* held past the end */
		prev = i;
	}
	return prev;
}

int
xchg_frag_add(struct xchg_stack *s, struct collector *c, struct rte_mbuf *m,
	      uint32_t off, uint32_t len, bool last)
{
	struct xchg_frag_table *t = s->frags;
	struct xchg_frag_acct *a = c->acct;
	struct xchg_socket *sock = a->sock;
	int32_t prev, slot;

	prev = c->nb == t->max_frags ? -2 : place(a, c, off, len, last);
	if (prev == -2) {
		drop_datagram(s, t, c, XCHG_SD_FRAG_INVALID);
		drop_one(s, sock, m, XCHG_SD_FRAG_INVALID);
		return XCHG_SD_FRAG_INVALID;
	}
	/* Charged as it arrives: a datagram the socket cannot pay for can
	 * never complete, so it goes at once. */
	if (!pay(s, t, a, c, m) || (slot = take_slot(s, t, a, c)) < 0) {
		drop_datagram(s, t, c, XCHG_SD_NO_BUFFERS);
		drop_one(s, sock, m, XCHG_SD_NO_BUFFERS);
		return XCHG_SD_NO_BUFFERS;
	}
	a->slots[slot].m = m;
	a->slots[slot].off = (uint16_t)off;
	a->slots[slot].len = (uint16_t)len;
	if (prev < 0) {
		a->slots[slot].next = c->head;
		c->head = slot;
	} else {
		a->slots[slot].next = a->slots[prev].next;
		a->slots[prev].next = slot;
	}
	c->nb++;
	c->have += len;
	if (last)
		c->total = off + len;
	frag_share_touch(a->share, (int32_t)(c - a->col));
	return OK;
}

/* One's complement sum of the reassembled UDP datagram, pseudo header
 * included; every segment starts at its IP payload. All segments but
 * the last are multiples of 8 bytes, so the partial sums add up. */
static bool
udp_checksum_ok(const struct collector *c, uint16_t udp_len)
{
	const struct xchg_frag_acct *a = c->acct;
	uint8_t ph[12];
	uint32_t sum;
	int32_t i;

	if (c->key.v6) {
		sum = xchg_stack_phdr6_sum(c->key.src6, c->key.dst6, udp_len,
					   IPPROTO_UDP);
	} else {
		memcpy(ph, &c->key.src, 4);
		memcpy(ph + 4, &c->key.dst, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_UDP;
		ph[10] = (uint8_t)(udp_len >> 8);
		ph[11] = (uint8_t)udp_len;
		sum = rte_raw_cksum(ph, sizeof(ph));
	}
	for (i = c->head; i >= 0; i = a->slots[i].next) {
		uint16_t part;

		/* Fragments may be chained; the sum walks the segments. */
		if (rte_raw_cksum_mbuf(a->slots[i].m, 0, a->slots[i].len,
				       &part) != 0)
			return false;
		sum += part;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The datagram is whole: strip, check, chain, hand over in order. */
static void
complete(struct xchg_stack *s, struct xchg_frag_table *t, struct collector *c)
{
	struct xchg_frag_acct *a = c->acct;
	struct xchg_socket *sock = a->sock;
	struct rte_mbuf *head, *m;
	const uint8_t *udp;
	uint16_t udp_len, cksum, nb = c->nb;
	bool failed = false;
	int32_t i, next;

	/* Each fragment to its IP payload, Ethernet padding trimmed; the
	 * first keeps l2_len/l3_len for xchg_udp_source(). */
	for (i = c->head; i >= 0; i = a->slots[i].next) {
		m = a->slots[i].m;
		rte_pktmbuf_adj(m, (uint16_t)(m->l2_len + m->l3_len));
		xchg_stack_trim(m, a->slots[i].len);
	}
	head = a->slots[c->head].m;
	/* IPv6: headers after the fragment header, before UDP; the head
	 * keeps them all in l3_len for xchg_udp_source6(). */
	if (c->skip != 0) {
		rte_pktmbuf_adj(head, c->skip);
		head->l3_len = (uint16_t)(head->l3_len + c->skip);
		a->slots[c->head].len = (uint16_t)(a->slots[c->head].len -
						   c->skip);
	}
	udp = rte_pktmbuf_mtod(head, const uint8_t *);
	udp_len = (uint16_t)(udp[4] << 8 | udp[5]);
	cksum = (uint16_t)(udp[6] << 8 | udp[7]);
	if (udp_len != c->total - c->skip ||
	    udp_len < sizeof(struct rte_udp_hdr)) {
		drop_datagram(s, t, c, XCHG_SD_UDP_LENGTH);
		return;
	}
	if (c->key.v6 && cksum == 0) {
		drop_datagram(s, t, c, XCHG_SD_UDP6_ZERO_CHECKSUM);
		return;
	}
	if (s->conf.verify_udp_checksum && cksum != 0 &&
	    !udp_checksum_ok(c, udp_len)) {
		drop_datagram(s, t, c, XCHG_SD_UDP_CHECKSUM);
		return;
	}
	head->l4_len = sizeof(struct rte_udp_hdr);
	rte_pktmbuf_adj(head, sizeof(struct rte_udp_hdr));
	next = a->slots[c->head].next;
	put_slot(a, c->head);
	for (i = next; i >= 0; i = next) {
		next = a->slots[i].next;
		m = a->slots[i].m;
		put_slot(a, i);
		/* Below 65535 segments this cannot fail. */
		if (failed || rte_pktmbuf_chain(head, m) != 0) {
			failed = true;
			rte_pktmbuf_free(m);
		}
	}
	c->head = -1;
	c->nb = 0;
	unlink_collector(t, c);
	if (failed) {
		rte_pktmbuf_free(head);
		xchg_socket_drop_dgram(s, sock, XCHG_SD_FRAG_INVALID, nb);
		return;
	}
	a->reassembled++;
	XCHG_STACK_COUNT(s, reassembled, 1);
	/* Every segment is the socket's already: the delivery is free. */
	xchg_stack_defer(s, sock, head, nb);
}

static struct collector *
find(struct xchg_frag_table *t, const struct frag_key *k)
{
	struct collector *c = t->buckets[bucket_of(t, k)];

	while (c != NULL && !frag_key_eq(&c->key, k))
		c = c->hnext;
	return c;
}

/* A collector of the socket's own: a free one, else its oldest
 * datagram's. */
static struct collector *
open_collector(struct xchg_stack *s, struct xchg_frag_table *t,
	       struct xchg_frag_acct *a, const struct frag_key *k)
{
	struct collector *c = NULL;
	uint32_t i, b, host = frag_host_of(t, k);

	if (a->nb_used == a->nb_col && !evict_one(s, t, a, host, NULL))
		return NULL;
	for (i = 0; i < a->nb_col && c == NULL; i++)
		if (!a->col[i].used)
			c = &a->col[i];
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->acct = a;
	c->key = *k;
	c->head = -1;
	c->started = frag_now(s, t);
	b = bucket_of(t, k);
	c->hnext = t->buckets[b];
	t->buckets[b] = c;
	c->prev = t->open.prev;
	c->next = &t->open;
	t->open.prev->next = c;
	t->open.prev = c;
	frag_share_add(a->share, (int32_t)(c - a->col), host);
	a->nb_used++;
	__atomic_store_n(&t->nb_open, t->nb_open + 1, __ATOMIC_RELAXED);
	return c;
}

/* A later fragment of a datagram whose first went to the proxy. */
static bool
proxied(const struct xchg_frag_table *t, const struct frag_key *k,
	uint64_t now)
{
	uint32_t i;

	for (i = 0; i < FRAG_PROXY_KEYS; i++)
		if (t->proxy_at[i] != 0 && frag_key_eq(&t->proxy_keys[i], k) &&
		    now - t->proxy_at[i] <= t->timeout)
			return true;
	return false;
}

static void
to_proxy(struct xchg_stack *s, struct xchg_consumer *proxy,
	 struct rte_mbuf *m)
{
	/* The demux saw no owner: the proxy's capture sees it here. */
	if (s->capture != NULL && !s->capture_all)
		xchg_capture_frame(s, m, proxy);
	if (xchg_consumer_deliver(proxy, &m, 1) == 1) {
		XCHG_STACK_COUNT(s, proxied_in, 1);
		XCHG_STACK_COUNT(s, frag_delivered, 1);
		return;
	}
	xchg_stack_drop(s, XCHG_SD_NO_BUFFERS);
	rte_pktmbuf_free(m);
}

void
xchg_frag_input(struct xchg_stack *s, struct xchg_socket *sock,
		struct rte_mbuf *m, const struct xchg_pkt *pkt)
{
	struct xchg_frag_table *t = s->frags;
	uint32_t off = pkt->frag_offset;
	uint32_t len = (uint32_t)(pkt->ip_total - frag_data_start(pkt));
	bool last = !pkt->more_frags;
	struct xchg_consumer *proxy;
	uint16_t skip = (uint16_t)(pkt->l3_len - frag_data_start(pkt));
	struct frag_key k;
	struct collector *c;
	bool bad;

	/* Past 64 KiB, or a middle fragment not a multiple of 8 bytes. A
	 * fragment larger than a data room comes chained: it stays so,
	 * and costs one unit per segment like any chain. */
	bad = frag_too_large(pkt, off, len) || (!last && len % 8 != 0);
	frag_key_of(&k, pkt);
	/* Each fragment is cut to its data at completion. */
	m->l3_len = frag_data_start(pkt);

	rte_spinlock_lock(&t->lock);
	c = find(t, &k);
	if (off == 0) {
		struct xchg_frag_acct *a = sock->frag;

		/* A second first fragment overlaps the first. */
		if (c != NULL) {
			drop_datagram(s, t, c, XCHG_SD_FRAG_INVALID);
			drop_one(s, sock, m, XCHG_SD_FRAG_INVALID);
			goto out;
		}
		/* Its data must hold the UDP header (IPv6: after the
		 * extension headers that follow the fragment header). */
		if (bad || pkt->l4_len == 0 ||
		    skip + sizeof(struct rte_udp_hdr) > len) {
			xchg_socket_drop_dgram(s, sock, XCHG_SD_FRAG_INVALID, 1);
			rte_pktmbuf_free(m);
			goto out;
		}
		c = a != NULL ? open_collector(s, t, a, &k) : NULL;
		if (c == NULL) {
			xchg_socket_drop_dgram(s, sock,
					       XCHG_SD_FRAG_NO_COLLECTOR, 1);
			rte_pktmbuf_free(m);
			goto out;
		}
		c->skip = skip;
		if (xchg_frag_add(s, c, m, off, len, last) != OK)
			goto out;
		if (__atomic_load_n(&t->stage_used, __ATOMIC_RELAXED) != 0 &&
		    !xchg_frag_stage_adopt(s, t, c))
			goto out;
	} else if (c == NULL) {
		proxy = __atomic_load_n(&s->proxy, __ATOMIC_ACQUIRE);
		if (proxy != NULL && proxied(t, &k, frag_now(s, t))) {
			rte_spinlock_unlock(&t->lock);
			to_proxy(s, proxy, m);
			return;
		}
		xchg_frag_stage_put(s, t, m, pkt);
		goto out;
	} else {
		/* The demux could not tell whose a later fragment is: the
		 * capture of the socket's frames sees it here. */
		if (s->capture != NULL && !s->capture_all)
			xchg_capture_frame(s, m, c->acct->sock->consumer);
		if (bad) {
			sock = c->acct->sock;
			drop_datagram(s, t, c, XCHG_SD_FRAG_INVALID);
			drop_one(s, sock, m, XCHG_SD_FRAG_INVALID);
			goto out;
		}
		if (xchg_frag_add(s, c, m, off, len, last) != OK)
			goto out;
	}
	if (c->total != 0 && c->have == c->total)
		complete(s, t, c);
out:
	rte_spinlock_unlock(&t->lock);
}

void
xchg_frag_to_proxy(struct xchg_stack *s, const struct xchg_pkt *pkt)
{
	struct xchg_frag_table *t = s->frags;
	struct xchg_consumer *proxy = s->proxy;
	uint32_t i, n = 0;
	struct rte_mbuf *m[XCHG_STACK_BURST];
	struct frag_key k;
	uint64_t now;
	int32_t e, next;

	frag_key_of(&k, pkt);
	rte_spinlock_lock(&t->lock);
	now = frag_now(s, t);
	i = t->proxy_next++ % FRAG_PROXY_KEYS;
	t->proxy_keys[i] = k;
	t->proxy_at[i] = now != 0 ? now : 1;
	/* Later fragments that came first follow it. */
	for (e = xchg_frag_stage_find(t, &k, -1); e >= 0 && n < RTE_DIM(m);
	     e = next) {
		next = xchg_frag_stage_find(t, &k, e);
		m[n++] = t->stage[e].m;
		xchg_frag_unstage(t, &t->stage[e]);
		t->stage_st.proxied++;
	}
	rte_spinlock_unlock(&t->lock);
	for (i = 0; i < n; i++)
		to_proxy(s, proxy, m[i]);
}

static bool
expired(const struct xchg_frag_table *t, const struct collector *c,
	uint64_t now)
{
	/* Both on the table's clock, which never goes back. */
	return now - c->started > t->timeout;
}

void
xchg_frag_expire(struct xchg_stack *s, uint64_t now)
{
	struct xchg_frag_table *t = s->frags;
	struct collector *c;

	if (t == NULL ||
	    (__atomic_load_n(&t->nb_open, __ATOMIC_RELAXED) == 0 &&
	     __atomic_load_n(&t->stage_used, __ATOMIC_RELAXED) == 0))
		return;
	rte_spinlock_lock(&t->lock);
	now = frag_clock(t, now);
	/* Oldest first: the open list is in the order datagrams began. */
	while ((c = t->open.next) != &t->open && expired(t, c, now))
		drop_datagram(s, t, c, XCHG_SD_FRAG_TIMEOUT);
	xchg_frag_stage_expire(s, t, now);
	rte_spinlock_unlock(&t->lock);
}

void
xchg_frag_forget_socket(struct xchg_stack *s, struct xchg_socket *sock,
			enum xchg_stack_drop why)
{
	struct xchg_frag_table *t = s != NULL ? s->frags : NULL;
	struct xchg_frag_acct *a;
	uint32_t i;

	if (t == NULL || sock == NULL)
		return;
	rte_spinlock_lock(&t->lock);
	a = sock->frag;
	for (i = 0; a != NULL && i < a->nb_col; i++)
		if (a->col[i].used)
			drop_datagram(s, t, &a->col[i], why);
	rte_spinlock_unlock(&t->lock);
}

void
xchg_frag_socket_stats(struct xchg_stack *s, struct xchg_socket *sock,
		       struct xchg_socket_stats *st)
{
	struct xchg_frag_table *t = s->frags;
	struct xchg_frag_acct *a;
	uint32_t i;

	rte_spinlock_lock(&t->lock);
	a = sock->frag;
	st->frag_collectors = a != NULL ? a->nb_col : 0;
	st->frag_pending = a != NULL ? a->nb_used : 0;
	st->reassembled = a != NULL ? a->reassembled : 0;
	st->frag_held = 0;
	for (i = 0; a != NULL && i < a->nb_col; i++)
		st->frag_held += a->col[i].used ? a->col[i].nb : 0;
	rte_spinlock_unlock(&t->lock);
}
