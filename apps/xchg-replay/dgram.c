/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Every fragmented datagram of the capture (IPv4 or IPv6), so that each fragment is
 * counted against the consumer its datagram's first fragment names,
 * whatever order the fragments come in: a later fragment read before
 * its first waits here (counted nowhere yet) and moves to that consumer
 * when the first is read; one whose first never comes is "no consumer"
 * at the end (unclaimed.staged). One entry per fragmented datagram
 * (about 32 bytes), in an open-addressed table that doubles when half
 * full: memory grows with the fragmented datagrams, not with the frames.
 * A first fragment read again for a key that already had one starts a
 * new datagram (the IP id came round).
 */

#include <stdlib.h>
#include <string.h>

#include <rte_jhash.h>

#include "replay.h"

static uint32_t
slot_of(const struct dgram_table *t, const struct xchg_stack_verdict *v)
{
	if (v->ipv6)
		return rte_jhash_3words(rte_jhash(v->src6, 16, 20),
					rte_jhash(v->dst6, 16, 20), v->id6,
					20) & (t->cap - 1);
	return rte_jhash_3words(v->src, v->dst,
				(uint32_t)v->ip_id << 8 | v->proto, 20) &
	       (t->cap - 1);
}

static bool
same(const struct dgram *d, const struct xchg_stack_verdict *v)
{
	if (d->used && (d->ipv6 || v->ipv6))
		return d->ipv6 == v->ipv6 && d->id6 == v->id6 &&
		       memcmp(d->src6, v->src6, 16) == 0 &&
		       memcmp(d->dst6, v->dst6, 16) == 0;
	return d->used && d->src == v->src && d->dst == v->dst &&
	       d->ip_id == v->ip_id && d->proto == v->proto;
}

static int
grow(struct dgram_table *t)
{
	struct dgram_table n = { .cap = t->cap != 0 ? 2 * t->cap : 1024 };
	uint32_t i;

	n.d = calloc(n.cap, sizeof(*n.d));
	if (n.d == NULL)
		return -1;
	for (i = 0; i < t->cap; i++) {
		struct xchg_stack_verdict v;
		uint32_t k;

		if (!t->d[i].used)
			continue;
		v.src = t->d[i].src;
		v.dst = t->d[i].dst;
		v.ip_id = t->d[i].ip_id;
		v.proto = t->d[i].proto;
		v.ipv6 = t->d[i].ipv6;
		v.id6 = t->d[i].id6;
		memcpy(v.src6, t->d[i].src6, 16);
		memcpy(v.dst6, t->d[i].dst6, 16);
		for (k = slot_of(&n, &v); n.d[k].used; k = (k + 1) & (n.cap - 1))
			;
		n.d[k] = t->d[i];
	}
	n.nb = t->nb;
	free(t->d);
	*t = n;
	return 0;
}

struct dgram *
dgram_find(struct dgram_table *t, const struct xchg_stack_verdict *v)
{
	uint32_t k;

	if (2 * (t->nb + 1) > t->cap && grow(t) != 0)
		return NULL;
	for (k = slot_of(t, v); t->d[k].used; k = (k + 1) & (t->cap - 1))
		if (same(&t->d[k], v))
			return &t->d[k];
	memset(&t->d[k], 0, sizeof(t->d[k]));
	t->d[k].used = true;
	t->d[k].src = v->src;
	t->d[k].dst = v->dst;
	t->d[k].ip_id = v->ip_id;
	t->d[k].proto = v->proto;
	t->d[k].ipv6 = v->ipv6;
	t->d[k].id6 = v->id6;
	memcpy(t->d[k].src6, v->src6, 16);
	memcpy(t->d[k].dst6, v->dst6, 16);
	t->d[k].consumer = -1;
	t->nb++;
	return &t->d[k];
}

void
dgram_free(struct dgram_table *t)
{
	free(t->d);
	memset(t, 0, sizeof(*t));
}
