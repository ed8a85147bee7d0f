/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Neighbour table in two parts that never take from each other:
 * - pinned entries: configured neighbours (static, never aged, never
 *   replaced by learning) and the next hops of connected sockets (kept
 *   while a socket is connected; learning updates their address but can
 *   never push them out). Room for neigh_max configured entries and one
 *   per socket the stack can hold is set aside at creation, so pinning
 *   cannot fail for want of room;
 * - learned entries: at most neigh_max, in least recently updated order;
 *   when full, a new one replaces the oldest learned one, in O(1).
 * An ARP storm from any number of hosts therefore churns the learned
 * part only.
 *
 * Every lookup, on receive and on each send, is one probe of a keyed
 * hash (random seed per stack, so crafted addresses cannot line up in a
 * bucket) with chains through the entries. Learned on the service
 * lcore, read by senders on any lcore under a reader lock.
 */

#include <errno.h>
#include <string.h>

#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "xchg_stack_private.h"

enum nkind { N_FREE = 0, N_LEARNED, N_STATIC, N_PEER };

struct nent {
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint8_t kind;
	bool resolved;              /* false: a request is out */
	uint32_t refs;              /* connected sockets, pinned entries */
	int32_t hnext;              /* hash chain */
	int32_t prev, next;         /* learned: age order; free: free list */
	uint64_t updated;           /* stack clock */
	uint64_t requested;         /* last request sent, stack clock */
};

struct xchg_neigh_table {
	uint32_t seed;
	uint32_t mask;
	int32_t *buckets;
	uint32_t learned_max;       /* entries [0, learned_max) */
	uint32_t pinned_max;        /* entries [learned_max, + pinned_max) */
	uint32_t static_max;
	uint32_t nb_learned, nb_pinned, nb_static;
	int32_t free_learned, free_pinned;
	int32_t oldest, newest;     /* learned, by update */
	struct nent *e;
};

static void
count(struct xchg_stack *s)
{
	const struct xchg_neigh_table *t = s->neigh;

	__atomic_store_n(&s->nb_neigh, t->nb_learned + t->nb_pinned,
			 __ATOMIC_RELAXED);
}

int
xchg_neigh_init(struct xchg_stack *s)
{
	struct xchg_neigh_table *t;
	uint32_t i, total, nb;

	t = rte_zmalloc("xchg_neigh", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return -ENOMEM;
	t->learned_max = s->conf.neigh_max;
	t->static_max = s->conf.neigh_max;
	t->pinned_max = t->static_max + s->max_sockets;
	total = t->learned_max + t->pinned_max;
	nb = rte_align32pow2(RTE_MAX(total, 64u));
	t->mask = nb - 1;
	t->seed = (uint32_t)rte_rand();
	t->buckets = rte_malloc("xchg_neigh_hash", sizeof(*t->buckets) * nb,
				RTE_CACHE_LINE_SIZE);
	t->e = rte_zmalloc("xchg_neigh_entries", sizeof(*t->e) * total,
			   RTE_CACHE_LINE_SIZE);
	if (t->buckets == NULL || t->e == NULL) {
		rte_free(t->buckets);
		rte_free(t->e);
		rte_free(t);
		return -ENOMEM;
	}
	for (i = 0; i < nb; i++)
		t->buckets[i] = -1;
	for (i = 0; i < total; i++) {
		bool end = i + 1 == t->learned_max || i + 1 == total;

		t->e[i].next = end ? -1 : (int32_t)i + 1;
		t->e[i].hnext = -1;
	}
	t->free_learned = t->learned_max != 0 ? 0 : -1;
	t->free_pinned = t->pinned_max != 0 ? (int32_t)t->learned_max : -1;
	t->oldest = t->newest = -1;
	s->neigh = t;
	return 0;
}

void
xchg_neigh_free(struct xchg_stack *s)
{
	if (s->neigh == NULL)
		return;
	rte_free(s->neigh->buckets);
	rte_free(s->neigh->e);
	rte_free(s->neigh);
	s->neigh = NULL;
}

static uint32_t
bucket(const struct xchg_neigh_table *t, rte_be32_t ip)
{
	return rte_jhash_1word(ip, t->seed) & t->mask;
}

static int32_t
find(const struct xchg_neigh_table *t, rte_be32_t ip)
{
	int32_t i = t->buckets[bucket(t, ip)];

	while (i >= 0 && t->e[i].ip != ip)
		i = t->e[i].hnext;
	return i;
}

static void
unhash(struct xchg_neigh_table *t, int32_t i)
{
	int32_t *pp = &t->buckets[bucket(t, t->e[i].ip)];

	while (*pp >= 0 && *pp != i)
		pp = &t->e[*pp].hnext;
	if (*pp == i)
		*pp = t->e[i].hnext;
	t->e[i].hnext = -1;
}

static void
age_unlink(struct xchg_neigh_table *t, int32_t i)
{
	struct nent *n = &t->e[i];

	if (n->prev >= 0)
		t->e[n->prev].next = n->next;
	else
		t->oldest = n->next;
	if (n->next >= 0)
		t->e[n->next].prev = n->prev;
	else
		t->newest = n->prev;
}

static void
age_append(struct xchg_neigh_table *t, int32_t i)
{
	struct nent *n = &t->e[i];

	n->prev = t->newest;
	n->next = -1;
	if (t->newest >= 0)
		t->e[t->newest].next = i;
	else
		t->oldest = i;
	t->newest = i;
}

/* Free an entry of either part. */
static void
release(struct xchg_neigh_table *t, int32_t i)
{
	struct nent *n = &t->e[i];

	unhash(t, i);
	if (n->kind == N_LEARNED) {
		age_unlink(t, i);
		t->nb_learned--;
		n->next = t->free_learned;
		t->free_learned = i;
	} else {
		if (n->kind == N_STATIC)
			t->nb_static--;
		t->nb_pinned--;
		n->next = t->free_pinned;
		t->free_pinned = i;
	}
	n->kind = N_FREE;
}

static void
fill(struct xchg_stack *s, int32_t i, enum nkind kind, rte_be32_t ip,
     const struct rte_ether_addr *mac)
{
	struct xchg_neigh_table *t = s->neigh;
	struct nent *n = &t->e[i];
	uint32_t b = bucket(t, ip);

	n->ip = ip;
	n->kind = (uint8_t)kind;
	n->resolved = mac != NULL;
	if (mac != NULL)
		n->mac = *mac;
	n->refs = 0;
	n->requested = 0;
	n->updated = xchg_stack_now(s);
	n->hnext = t->buckets[b];
	t->buckets[b] = i;
	if (kind == N_LEARNED) {
		t->nb_learned++;
		age_append(t, i);
	} else {
		t->nb_pinned++;
	}
}

/* A learned entry's room: a free one, or the oldest learned entry's. */
static int32_t
take_learned(struct xchg_neigh_table *t)
{
	int32_t i = t->free_learned;

	if (i < 0 && t->oldest >= 0) {
		release(t, t->oldest);
		i = t->free_learned;
	}
	if (i >= 0)
		t->free_learned = t->e[i].next;
	return i;
}

static int32_t
take_pinned(struct xchg_neigh_table *t)
{
	int32_t i = t->free_pinned;

	if (i >= 0)
		t->free_pinned = t->e[i].next;
	return i;
}

/* Move a learned entry to the pinned part as @kind, keeping what it
 * knows; -1 when the pinned part is full. */
static int32_t
pin_learned(struct xchg_stack *s, int32_t i, enum nkind kind)
{
	struct xchg_neigh_table *t = s->neigh;
	struct nent old = t->e[i];
	int32_t j = take_pinned(t);

	if (j < 0)
		return -1;
	release(t, i);
	fill(s, j, kind, old.ip, old.resolved ? &old.mac : NULL);
	t->e[j].updated = old.updated;
	t->e[j].requested = old.requested;
	return j;
}

int
xchg_stack_add_neighbour(struct xchg_stack *s, rte_be32_t ip,
			 const struct rte_ether_addr *mac)
{
	struct xchg_neigh_table *t;
	int32_t i;
	int ret = 0;

	if (s == NULL || mac == NULL || ip == 0)
		return -EINVAL;
	t = s->neigh;
	rte_rwlock_write_lock(&s->neigh_lock);
	i = find(t, ip);
	if (i >= 0 && t->e[i].kind == N_STATIC) {
		t->e[i].mac = *mac;
		t->e[i].resolved = true;
	} else if (t->nb_static == t->static_max) {
		ret = -ENOSPC;
	} else {
		if (i >= 0 && t->e[i].kind == N_LEARNED)
			i = pin_learned(s, i, N_STATIC);
		else if (i < 0 && (i = take_pinned(t)) >= 0)
			fill(s, i, N_STATIC, ip, mac);
		if (i >= 0) {
			t->e[i].kind = N_STATIC;
			t->e[i].mac = *mac;
			t->e[i].resolved = true;
			t->e[i].updated = xchg_stack_now(s);
			t->nb_static++;
		} else {
			ret = -ENOSPC;
		}
	}
	count(s);
	rte_rwlock_write_unlock(&s->neigh_lock);
	return ret;
}

void
xchg_neigh_learn(struct xchg_stack *s, rte_be32_t ip,
		 const struct rte_ether_addr *mac, bool create)
{
	struct xchg_neigh_table *t = s->neigh;
	int32_t i;

	if (ip == 0)
		return;
	rte_rwlock_write_lock(&s->neigh_lock);
	i = find(t, ip);
	if (i >= 0 && t->e[i].kind != N_STATIC) {
		/* Learning updates a peer's address, never its place. */
		t->e[i].mac = *mac;
		t->e[i].resolved = true;
		t->e[i].updated = xchg_stack_now(s);
		if (t->e[i].kind == N_LEARNED) {
			age_unlink(t, i);
			age_append(t, i);
		}
		XCHG_STACK_COUNT(s, arp_learned, 1);
	} else if (i < 0 && create && (i = take_learned(t)) >= 0) {
		fill(s, i, N_LEARNED, ip, mac);
		XCHG_STACK_COUNT(s, arp_learned, 1);
	}
	count(s);
	rte_rwlock_write_unlock(&s->neigh_lock);
}

int
xchg_stack_lookup_neighbour(struct xchg_stack *s, rte_be32_t ip,
			    struct rte_ether_addr *mac)
{
	int32_t i;
	int ret = -ENOENT;

	if (s == NULL || mac == NULL)
		return -EINVAL;
	rte_rwlock_read_lock(&s->neigh_lock);
	i = find(s->neigh, ip);
	if (i >= 0 && s->neigh->e[i].resolved) {
		*mac = s->neigh->e[i].mac;
		ret = 0;
	}
	rte_rwlock_read_unlock(&s->neigh_lock);
	return ret;
}

int
xchg_neigh_resolve(struct xchg_stack *s, rte_be32_t ip,
		   struct rte_ether_addr *mac, struct xchg_socket *sender)
{
	struct xchg_neigh_table *t = s->neigh;
	uint64_t now = xchg_stack_now(s);
	bool ask = false;
	int32_t i;

	if (xchg_stack_is_broadcast(s, ip)) {
		memset(mac, 0xff, sizeof(*mac));
		return 0;
	}
	if (xchg_stack_lookup_neighbour(s, ip, mac) == 0)
		return 0;
	/* An incomplete entry rate-limits requests to one per 200 ms. */
	rte_rwlock_write_lock(&s->neigh_lock);
	i = find(t, ip);
	if (i < 0 && (i = take_learned(t)) >= 0)
		fill(s, i, N_LEARNED, ip, NULL);
	if (i >= 0 && !t->e[i].resolved &&
	    (t->e[i].requested == 0 || now - t->e[i].requested > s->hz / 5)) {
		t->e[i].requested = now != 0 ? now : 1;
		ask = true;
	}
	count(s);
	rte_rwlock_write_unlock(&s->neigh_lock);
	/* The sender pays for the request it needs. */
	if (ask && xchg_arp_request(s, ip, sender != NULL ?
				    xchg_consumer_pool(sender->consumer) :
				    NULL) != 0)
		return -ENOBUFS;
	return -EAGAIN;
}

int
xchg_neigh_pin(struct xchg_stack *s, rte_be32_t ip)
{
	struct xchg_neigh_table *t = s->neigh;
	int32_t i;
	int ret = 0;

	if (ip == 0 || xchg_stack_is_broadcast(s, ip))
		return -EINVAL;
	rte_rwlock_write_lock(&s->neigh_lock);
	i = find(t, ip);
	if (i >= 0 && t->e[i].kind == N_LEARNED)
		i = pin_learned(s, i, N_PEER);
	else if (i < 0 && (i = take_pinned(t)) >= 0)
		fill(s, i, N_PEER, ip, NULL);
	if (i >= 0)
		t->e[i].refs++;
	else
		ret = -ENOSPC;
	count(s);
	rte_rwlock_write_unlock(&s->neigh_lock);
	return ret;
}

void
xchg_neigh_unpin(struct xchg_stack *s, rte_be32_t ip)
{
	struct xchg_neigh_table *t = s->neigh;
	int32_t i;

	rte_rwlock_write_lock(&s->neigh_lock);
	i = find(t, ip);
	if (i >= 0 && t->e[i].kind != N_LEARNED && t->e[i].refs != 0 &&
	    --t->e[i].refs == 0 && t->e[i].kind == N_PEER)
		release(t, i);
	count(s);
	rte_rwlock_write_unlock(&s->neigh_lock);
}

void
xchg_neigh_age(struct xchg_stack *s, uint64_t now)
{
	struct xchg_neigh_table *t = s->neigh;
	uint64_t life = s->conf.neigh_timeout_ms * s->hz / 1000;

	/* Oldest first: only learned entries age. */
	rte_rwlock_write_lock(&s->neigh_lock);
	while (t->oldest >= 0 && now > t->e[t->oldest].updated &&
	       now - t->e[t->oldest].updated > life)
		release(t, t->oldest);
	count(s);
	rte_rwlock_write_unlock(&s->neigh_lock);
}

uint32_t
xchg_neigh_nb_pinned(struct xchg_stack *s)
{
	uint32_t n;

	rte_rwlock_read_lock(&s->neigh_lock);
	n = s->neigh->nb_pinned;
	rte_rwlock_read_unlock(&s->neigh_lock);
	return n;
}

int
xchg_stack_neigh_foreach(struct xchg_stack *s,
			 int (*fn)(const struct xchg_neigh_info *n, void *arg),
			 void *arg)
{
	struct xchg_neigh_info info;
	const struct xchg_neigh_table *t;
	uint64_t now;
	uint32_t i;
	int ret = 0;

	if (s == NULL || fn == NULL)
		return -EINVAL;
	now = xchg_stack_now(s);
	t = s->neigh;
	rte_rwlock_read_lock(&s->neigh_lock);
	for (i = 0; i < t->learned_max + t->pinned_max && ret == 0; i++) {
		const struct nent *n = &t->e[i];

		if (n->kind == N_FREE || !n->resolved)
			continue;
		info.ip = n->ip;
		info.mac = n->mac;
		info.is_static = n->kind == N_STATIC;
		info.is_pinned = n->kind != N_LEARNED;
		info.age_ms = now > n->updated ?
			(uint32_t)((now - n->updated) * 1000 / s->hz) : 0;
		ret = fn(&info, arg);
	}
	rte_rwlock_read_unlock(&s->neigh_lock);
	return ret;
}
