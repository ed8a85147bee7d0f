/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The staging area: later fragments that arrive before the first
 * fragment of their datagram (the only one carrying the UDP port, so the
 * only one that names the socket) wait here. The area is a consumer of
 * its own: a pool of xchg_stack_conf::frag_staging units and as many
 * entries. Every staged fragment is paid by that pool; when the pool or
 * the entries run out, the oldest staged fragment is evicted for the
 * newest (frag_staging_evicted). When the first fragment arrives and its
 * socket opens a collector, the staged fragments of that datagram move to
 * the socket's account: the socket pays for each (an exchange) and the
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

#define IPV4_MAX_TOTAL 65535u

int
xchg_frag_stage_create(struct xchg_stack *s, struct xchg_frag_table *t)
{
	char name[XCHG_NAME_SIZE];

	t->stage_cap = s->conf.frag_staging;
	t->stage = rte_zmalloc("xchg_frag_stage",
			       sizeof(*t->stage) * t->stage_cap,
			       RTE_CACHE_LINE_SIZE);
	if (t->stage == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "port%u_fragstage", s->port_id);
	t->stage_pool = xchg_pool_create(s->arena, name, XCHG_KIND_SERVICE,
					 t->stage_cap);
	if (t->stage_pool == NULL) {
		rte_free(t->stage);
		t->stage = NULL;
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
	rte_free(t->stage);
}

static void
unstage(struct xchg_frag_table *t, struct staged *e)
{
	e->used = false;
	e->m = NULL;
	__atomic_store_n(&t->stage_used, t->stage_used - 1, __ATOMIC_RELAXED);
}

/* Evict the oldest staged fragment; false when none is staged. */
static bool
evict_oldest(struct xchg_stack *s, struct xchg_frag_table *t)
{
	struct staged *old = NULL;
	uint32_t i;

	for (i = 0; i < t->stage_cap; i++)
		if (t->stage[i].used &&
		    (old == NULL || t->stage[i].arrived < old->arrived))
			old = &t->stage[i];
	if (old == NULL)
		return false;
	rte_pktmbuf_free(old->m);
	unstage(t, old);
	t->stage_st.evicted++;
	xchg_stack_drop(s, XCHG_SD_FRAG_STAGING_EVICTED);
	return true;
}

void
xchg_frag_stage_put(struct xchg_stack *s, struct xchg_frag_table *t,
		    struct rte_mbuf *m, const struct xchg_pkt *pkt)
{
	uint32_t len = (uint32_t)(pkt->ip_total - pkt->l3_len);
	bool last = !pkt->more_frags;
	struct staged *e = NULL;
	uint32_t i;

	if (pkt->frag_offset + len + pkt->l3_len > IPV4_MAX_TOTAL ||
	    (!last && len % 8 != 0) || (len == 0 && !last)) {
		t->stage_st.invalid++;
		xchg_stack_drop(s, XCHG_SD_FRAG_INVALID);
		rte_pktmbuf_free(m);
		return;
	}
	/* The staging pool pays; older staged fragments make room. */
	while (xchg_acquire_burst(t->stage_pool, &m, 1) != 1)
		if (rte_errno != ENOBUFS || !evict_oldest(s, t)) {
			t->stage_st.no_buffers++;
			xchg_stack_drop(s, XCHG_SD_NO_BUFFERS);
			rte_pktmbuf_free(m);
			return;
		}
	if (t->stage_used == t->stage_cap)
		evict_oldest(s, t);
	for (i = 0; i < t->stage_cap && e == NULL; i++)
		if (!t->stage[i].used)
			e = &t->stage[i];
	e->used = true;
	e->m = m;
	frag_key_of(&e->key, pkt);
	e->off = pkt->frag_offset;
	e->len = (uint16_t)len;
	e->last = last;
	e->arrived = xchg_stack_now(s);
	__atomic_store_n(&t->stage_used, t->stage_used + 1, __ATOMIC_RELAXED);
	t->stage_st.staged++;
}

bool
xchg_frag_stage_adopt(struct xchg_stack *s, struct xchg_frag_table *t,
		      struct collector *c)
{
	struct xchg_socket *sock = c->acct->sock;
	uint32_t i;

	for (i = 0; i < t->stage_cap && t->stage_used != 0; i++) {
		struct staged *e = &t->stage[i];
		struct rte_mbuf *m;

		if (!e->used || !frag_key_eq(&e->key, &c->key))
			continue;
		m = e->m;
		unstage(t, e);
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
	uint32_t i;

	for (i = 0; i < t->stage_cap && t->stage_used != 0; i++) {
		struct staged *e = &t->stage[i];
		struct rte_mbuf *m = e->m;

		if (!e->used || now <= e->arrived ||
		    now - e->arrived <= t->timeout)
			continue;
		unstage(t, e);
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
