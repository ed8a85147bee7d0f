/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fair shares between hosts of a set of entries (the staging area's, or
 * one socket's reassembly collectors). Each entry belongs to a host,
 * named by a 32-bit identity (a keyed hash of its source address, so the
 * rule is the same for any address family). When the set is full and an
 * entry must go, it is the oldest entry of a host holding the most
 * entries, the arriving host first when it is one of them: a host over
 * its share loses its own oldest first, and a host under its share is
 * never evicted while another holds more (max-min fairness).
 *
 * Every operation is O(1): hosts are found through a hash over the
 * identities, each host keeps its entries oldest first in a list, and
 * the hosts are kept in lists by how many entries they hold, with the
 * largest count known. Memory: one block sized at creation (control
 * path), about 52 bytes per entry. The caller holds the reassembly lock.
 */

#include <rte_common.h>
#include <rte_malloc.h>

#include "xchg_stack_frag.h"

struct share_host {
	uint32_t id;
	uint32_t n;             /* entries it holds; 0: free */
	int32_t hnext;          /* hash chain, or free list */
	int32_t cprev, cnext;   /* hosts holding n entries */
	int32_t first, last;    /* its entries, oldest first */
};

struct share_link {
	int32_t prev, next;     /* the host's entries */
	int32_t host;           /* -1: entry not in the set */
};

struct frag_share {
	uint32_t cap, mask, max;
	int32_t free_host;
	int32_t *bucket;                /* [mask + 1] */
	int32_t *by_n;                  /* [cap + 1]: hosts by count */
	struct share_host *host;        /* [cap] */
	struct share_link *link;        /* [cap] */
};

struct frag_share *
frag_share_create(uint32_t cap)
{
	struct frag_share *sh;
	uint32_t nb = rte_align32pow2(RTE_MAX(2 * cap, 2u)), i;
	size_t size = sizeof(*sh) + sizeof(int32_t) * (nb + cap + 1) +
		      sizeof(struct share_host) * cap +
		      sizeof(struct share_link) * cap;

	sh = rte_zmalloc("xchg_frag_share", size, RTE_CACHE_LINE_SIZE);
	if (sh == NULL)
		return NULL;
	sh->cap = cap;
	sh->mask = nb - 1;
	sh->host = (struct share_host *)(sh + 1);
	sh->link = (struct share_link *)(sh->host + cap);
	sh->bucket = (int32_t *)(sh->link + cap);
	sh->by_n = sh->bucket + nb;
	for (i = 0; i < nb; i++)
		sh->bucket[i] = -1;
	for (i = 0; i <= cap; i++)
		sh->by_n[i] = -1;
	for (i = 0; i < cap; i++) {
		sh->host[i].hnext = i + 1 < cap ? (int32_t)i + 1 : -1;
		sh->link[i].host = -1;
	}
	sh->free_host = cap != 0 ? 0 : -1;
	return sh;
}

void
frag_share_free(struct frag_share *sh)
{
	rte_free(sh);
}

static int32_t
find_host(const struct frag_share *sh, uint32_t id)
{
	int32_t h = sh->bucket[id & sh->mask];

	while (h >= 0 && sh->host[h].id != id)
		h = sh->host[h].hnext;
	return h;
}

static void
count_unlink(struct frag_share *sh, int32_t h)
{
	struct share_host *x = &sh->host[h];

	if (x->cprev >= 0)
		sh->host[x->cprev].cnext = x->cnext;
	else
		sh->by_n[x->n] = x->cnext;
	if (x->cnext >= 0)
		sh->host[x->cnext].cprev = x->cprev;
}

static void
count_link(struct frag_share *sh, int32_t h)
{
	struct share_host *x = &sh->host[h];

	x->cprev = -1;
	x->cnext = sh->by_n[x->n];
	if (x->cnext >= 0)
		sh->host[x->cnext].cprev = h;
	sh->by_n[x->n] = h;
}

void
frag_share_add(struct frag_share *sh, int32_t e, uint32_t id)
{
	struct share_link *l = &sh->link[e];
	struct share_host *x;
	int32_t h = find_host(sh, id);

	if (h < 0) {
		/* At most one host per entry: a free host is there. */
		h = sh->free_host;
		x = &sh->host[h];
		sh->free_host = x->hnext;
		x->id = id;
		x->n = 0;
		x->first = x->last = -1;
		x->hnext = sh->bucket[id & sh->mask];
		sh->bucket[id & sh->mask] = h;
	} else {
		count_unlink(sh, h);
	}
	x = &sh->host[h];
	l->host = h;
	l->next = -1;
	l->prev = x->last;
	if (x->last >= 0)
		sh->link[x->last].next = e;
	else
		x->first = e;
	x->last = e;
	x->n++;
	count_link(sh, h);
	sh->max = RTE_MAX(sh->max, x->n);
}

void
frag_share_del(struct frag_share *sh, int32_t e)
{
	struct share_link *l = &sh->link[e];
	int32_t h = l->host, *pp;
	struct share_host *x;

	if (h < 0)
		return;
	x = &sh->host[h];
	if (l->prev >= 0)
		sh->link[l->prev].next = l->next;
	else
		x->first = l->next;
	if (l->next >= 0)
		sh->link[l->next].prev = l->prev;
	else
		x->last = l->prev;
	l->host = -1;
	count_unlink(sh, h);
	x->n--;
	if (sh->by_n[sh->max] < 0)
		sh->max--;
	if (x->n != 0) {
		count_link(sh, h);
		sh->max = RTE_MAX(sh->max, x->n);
		return;
	}
	for (pp = &sh->bucket[x->id & sh->mask]; *pp != h;
	     pp = &sh->host[*pp].hnext)
		;
	*pp = x->hnext;
	x->hnext = sh->free_host;
	sh->free_host = h;
}

void
frag_share_touch(struct frag_share *sh, int32_t e)
{
	int32_t h = sh->link[e].host;

	if (h < 0 || sh->host[h].last == e)
		return;
	frag_share_del(sh, e);
	frag_share_add(sh, e, sh->host[h].id);
}

/* The host's oldest entry but @keep, or -1. */
static int32_t
oldest_of(const struct frag_share *sh, int32_t h, int32_t keep)
{
	int32_t e = sh->host[h].first;

	return e != keep ? e : sh->link[e].next;
}

int32_t
frag_share_victim(const struct frag_share *sh, uint32_t id, int32_t keep)
{
	int32_t h = find_host(sh, id), e;

	if (sh->max == 0)
		return -1;
	/* Over its share or level with the largest: its own go first. */
	if (h >= 0 && sh->host[h].n == sh->max &&
	    (e = oldest_of(sh, h, keep)) >= 0)
		return e;
	/* Else a largest host's. Only when @keep is the one entry of a
	 * largest host (max 1) is a second host looked at. */
	for (h = sh->by_n[sh->max]; h >= 0; h = sh->host[h].cnext)
		if ((e = oldest_of(sh, h, keep)) >= 0)
			return e;
	return -1;
}

uint32_t
frag_share_held(const struct frag_share *sh, uint32_t id)
{
	int32_t h = find_host(sh, id);

	return h >= 0 ? sh->host[h].n : 0;
}

int32_t
frag_share_first(const struct frag_share *sh, uint32_t id)
{
	int32_t h = find_host(sh, id);

	return h >= 0 ? sh->host[h].first : -1;
}

int32_t
frag_share_next(const struct frag_share *sh, int32_t e)
{
	return sh->link[e].next;
}
