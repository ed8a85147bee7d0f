/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The staging area: later fragments that arrive before the first
 * fragment of their datagram (the only one carrying the UDP port, so the
 * only one that names the socket) wait here. The area is a consumer of
 * its own: a pool of xchg_stack_conf::frag_staging units and as many
 * entries. Every staged fragment is paid by that pool; when the pool or
 * the entries run out, a staged fragment is evicted for the newest
 * (frag_staging_evicted): the oldest of the host holding the most, the
 * arriving host's own first when it holds as many
 * (xchg_stack_frag_share.c), so a flooding host evicts its own. When
 * the first fragment arrives and its socket opens a collector, the staged
 * fragments of that datagram move to the socket's account: the socket pays for each (an exchange) and the
 * staging pool gets its unit back. A flood of such fragments therefore
 * costs only the staging area.
 *
 * Staged fragments nobody claims within frag_timeout_ms are dropped
 * (frag_timeout), or passed to the proxy when there is one: the host may
 * know their datagram.
 *
 * Everything runs under the reassembly table's lock.
 */

#include <errno.h>
#include <stdio.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "xchg_stack_frag.h"


int
xchg_frag_stage_create(struct xchg_stack *s, struct xchg_frag_table *t)
{
	char name[XCHG_NAME_SIZE];
	uint32_t i;

	t->stage_cap = s->conf.frag_staging;
	t->stage = rte_zmalloc("xchg_frag_stage",
			       sizeof(*t->stage) * t->stage_cap,
			       RTE_CACHE_LINE_SIZE);
	t->stage_share = frag_share_create(t->stage_cap);
	if (t->stage == NULL || t->stage_share == NULL) {
		frag_share_free(t->stage_share);
		rte_free(t->stage);
		t->stage = NULL;
		t->stage_share = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < t->stage_cap; i++)
		t->stage[i].next = i + 1 < t->stage_cap ? (int32_t)i + 1 : -1;
	t->stage_free = t->stage_cap != 0 ? 0 : -1;
	t->stage_old = t->stage_new = -1;
	snprintf(name, sizeof(name), "port%u_fragstage", s->port_id);
	t->stage_pool = xchg_pool_create(s->arena, name, XCHG_KIND_SERVICE,
					 t->stage_cap);
	if (t->stage_pool == NULL) {
		frag_share_free(t->stage_share);
		rte_free(t->stage);
		t->stage = NULL;
		t->stage_share = NULL;
		return -rte_errno;
	}
	return 0;
}

void
xchg_frag_stage_free(struct xchg_frag_table *t)
{
	uint32_t i;

	for (i = 0; t->stage != NULL && i < t->stage_cap; i++)
		if (t->stage[i].used) {
			rte_pktmbuf_free(t->stage[i].m);
			t->stage[i].used = false;
		}
	t->stage_used = 0;
	if (t->stage_pool != NULL)
		xchg_pool_free(t->stage_pool);
	frag_share_free(t->stage_share);
	rte_free(t->stage);
}

/* Take @e out of the area (its frame is the caller's). */
void
xchg_frag_unstage(struct xchg_frag_table *t, struct staged *e)
{
	int32_t i = (int32_t)(e - t->stage);

	frag_share_del(t->stage_share, i);
	if (e->prev >= 0)
		t->stage[e->prev].next = e->next;
	else
		t->stage_old = e->next;
	if (e->next >= 0)
		t->stage[e->next].prev = e->prev;
	else
		t->stage_new = e->prev;
	e->used = false;
	e->m = NULL;
	e->next = t->stage_free;
	t->stage_free = i;
	__atomic_store_n(&t->stage_used, t->stage_used - 1, __ATOMIC_RELAXED);
}

/* Evict a staged fragment for one of host @id: the oldest of a host
 * holding the most (@id's own first); false when none is staged. */
static bool
evict_for(struct xchg_stack *s, struct xchg_frag_table *t, uint32_t id)
{
	int32_t i = frag_share_victim(t->stage_share, id, -1);
	struct staged *old;

	if (i < 0)
		return false;
	old = &t->stage[i];
	rte_pktmbuf_free(old->m);
	xchg_frag_unstage(t, old);
	t->stage_st.evicted++;
	xchg_stack_drop(s, XCHG_SD_FRAG_STAGING_EVICTED);
	return true;
}

void
xchg_frag_stage_put(struct xchg_stack *s, struct xchg_frag_table *t,
		    struct rte_mbuf *m, const struct xchg_pkt *pkt)
{
	uint32_t len = (uint32_t)(pkt->ip_total - frag_data_start(pkt));
	bool last = !pkt->more_frags;
	struct staged *e;
	struct frag_key k;
	uint32_t host;
	int32_t i;

	if (frag_too_large(pkt, pkt->frag_offset, len) ||
	    (!last && len % 8 != 0) || (len == 0 && !last)) {
		t->stage_st.invalid++;
		xchg_stack_drop(s, XCHG_SD_FRAG_INVALID);
		rte_pktmbuf_free(m);
		return;
	}
	frag_key_of(&k, pkt);
	host = frag_host_of(t, &k);
	/* The staging pool pays; staged fragments of the host holding the
	 * most make room. */
	while (xchg_acquire_burst(t->stage_pool, &m, 1) != 1)
		if (rte_errno != ENOBUFS || !evict_for(s, t, host)) {
			t->stage_st.no_buffers++;
			xchg_stack_drop(s, XCHG_SD_NO_BUFFERS);
			rte_pktmbuf_free(m);
			return;
		}
	if (t->stage_free < 0)
		evict_for(s, t, host);
	i = t->stage_free;
	e = &t->stage[i];
	t->stage_free = e->next;
	e->used = true;
	e->m = m;
	e->key = k;
	e->off = pkt->frag_offset;
	e->len = (uint16_t)len;
	e->last = last;
	e->arrived = frag_now(s, t);
	e->next = -1;
	e->prev = t->stage_new;
	if (t->stage_new >= 0)
		t->stage[t->stage_new].next = i;
	else
		t->stage_old = i;
	t->stage_new = i;
	frag_share_add(t->stage_share, i, host);
	__atomic_store_n(&t->stage_used, t->stage_used + 1, __ATOMIC_RELAXED);
	t->stage_st.staged++;
}

int32_t
xchg_frag_stage_find(const struct xchg_frag_table *t,
		     const struct frag_key *k, int32_t from)
{
	int32_t i = from < 0 ? frag_share_first(t->stage_share,
						frag_host_of(t, k)) :
		    frag_share_next(t->stage_share, from);

	while (i >= 0 && !frag_key_eq(&t->stage[i].key, k))
		i = frag_share_next(t->stage_share, i);
	return i;
}

bool
xchg_frag_stage_adopt(struct xchg_stack *s, struct xchg_frag_table *t,
		      struct collector *c)
{
	struct xchg_socket *sock = c->acct->sock;
	int32_t i, next;

	/* Only the sender's own staged fragments are looked at. */
	for (i = xchg_frag_stage_find(t, &c->key, -1); i >= 0; i = next) {
		struct staged *e = &t->stage[i];
		struct rte_mbuf *m = e->m;

		next = xchg_frag_stage_find(t, &c->key, i);
		xchg_frag_unstage(t, e);
		if (s->capture != NULL && !s->capture_all)
			xchg_capture_frame(s, m, sock->consumer);
		/* The socket pays, the staging pool is credited. */
		if (xchg_frag_add(s, c, m, e->off, e->len, e->last) !=
		    XCHG_SD_MAX)
			return false;
		t->stage_st.moved++;
	}
	return true;
}

void
xchg_frag_stage_expire(struct xchg_stack *s, struct xchg_frag_table *t,
		       uint64_t now)
{
	struct xchg_consumer *proxy = __atomic_load_n(&s->proxy,
						      __ATOMIC_ACQUIRE);
	struct staged *e;

	/* Oldest first: the area's list is in the order they came, and
	 * their times never go back. */
	while (t->stage_old >= 0 &&
	       now - (e = &t->stage[t->stage_old])->arrived > t->timeout) {
		struct rte_mbuf *m = e->m;

		xchg_frag_unstage(t, e);
		if (proxy != NULL && xchg_consumer_deliver(proxy, &m, 1) == 1) {
			t->stage_st.proxied++;
			XCHG_STACK_COUNT(s, proxied_in, 1);
			XCHG_STACK_COUNT(s, frag_delivered, 1);
			continue;
		}
		t->stage_st.timed_out++;
		xchg_stack_drop(s, proxy != NULL ? XCHG_SD_NO_BUFFERS :
			       XCHG_SD_FRAG_TIMEOUT);
		rte_pktmbuf_free(m);
	}
}

void
xchg_frag_staging_stats(struct xchg_stack *s,
			struct xchg_frag_staging_stats *st)
{
	struct xchg_frag_table *t = s->frags;

	rte_spinlock_lock(&t->lock);
	*st = t->stage_st;
	st->quota = t->stage_cap;
	st->held = t->stage_used;
	rte_spinlock_unlock(&t->lock);
}
