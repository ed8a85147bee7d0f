/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Neighbour table: static and learned entries, aging, and a hard cap no
 * ARP flood can exceed. When full, a new learned entry replaces the
 * oldest learned one; static entries are never replaced. Learned on the
 * service lcore, read by senders on any lcore under a reader lock.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "xchg_stack_private.h"

int
xchg_neigh_init(struct xchg_stack *s)
{
	s->neigh = rte_zmalloc("xchg_neigh",
			       sizeof(*s->neigh) * s->conf.neigh_max,
			       RTE_CACHE_LINE_SIZE);
	return s->neigh != NULL ? 0 : -ENOMEM;
}

static struct xchg_neigh *
find(struct xchg_stack *s, rte_be32_t ip)
{
	uint32_t i;

	for (i = 0; i < s->conf.neigh_max; i++)
		if (s->neigh[i].used && s->neigh[i].ip == ip)
			return &s->neigh[i];
	return NULL;
}

/* A free slot, or the oldest learned entry; NULL when all are static. */
static struct xchg_neigh *
slot(struct xchg_stack *s)
{
	struct xchg_neigh *oldest = NULL;
	uint32_t i;

	for (i = 0; i < s->conf.neigh_max; i++) {
		struct xchg_neigh *n = &s->neigh[i];

		if (!n->used)
			return n;
		if (!n->is_static &&
		    (oldest == NULL || n->updated < oldest->updated))
			oldest = n;
	}
	if (oldest != NULL) {
		oldest->used = false;
		__atomic_fetch_sub(&s->nb_neigh, 1, __ATOMIC_RELAXED);
	}
	return oldest;
}

static void
set(struct xchg_stack *s, struct xchg_neigh *n, rte_be32_t ip,
    const struct rte_ether_addr *mac, bool is_static)
{
	if (!n->used) {
		__atomic_fetch_add(&s->nb_neigh, 1, __ATOMIC_RELAXED);
		n->requested = 0; /* a recycled slot asks afresh */
	}
	n->used = true;
	n->ip = ip;
	n->is_static = is_static;
	n->resolved = mac != NULL;
	if (mac != NULL)
		n->mac = *mac;
	n->updated = xchg_stack_now(s);
}

int
xchg_stack_add_neighbour(struct xchg_stack *s, rte_be32_t ip,
			 const struct rte_ether_addr *mac)
{
	struct xchg_neigh *n;
	int ret = 0;

	if (s == NULL || mac == NULL || ip == 0)
		return -EINVAL;
	rte_rwlock_write_lock(&s->neigh_lock);
	n = find(s, ip);
	if (n == NULL)
		n = slot(s);
	if (n == NULL)
		ret = -ENOSPC;
	else
		set(s, n, ip, mac, true);
	rte_rwlock_write_unlock(&s->neigh_lock);
	return ret;
}

void
xchg_neigh_learn(struct xchg_stack *s, rte_be32_t ip,
		 const struct rte_ether_addr *mac, bool create)
{
	struct xchg_neigh *n;

	if (ip == 0)
		return;
	rte_rwlock_write_lock(&s->neigh_lock);
	n = find(s, ip);
	if (n != NULL && n->is_static) {
		rte_rwlock_write_unlock(&s->neigh_lock);
		return;
	}
	if (n == NULL && create)
		n = slot(s);
	if (n != NULL) {
		set(s, n, ip, mac, false);
		xchg_stack_count(&s->arp_learned, 1);
	}
	rte_rwlock_write_unlock(&s->neigh_lock);
}

int
xchg_stack_lookup_neighbour(struct xchg_stack *s, rte_be32_t ip,
			    struct rte_ether_addr *mac)
{
	struct xchg_neigh *n;
	int ret = -ENOENT;

	if (s == NULL || mac == NULL)
		return -EINVAL;
	rte_rwlock_read_lock(&s->neigh_lock);
	n = find(s, ip);
	if (n != NULL && n->resolved) {
		*mac = n->mac;
		ret = 0;
	}
	rte_rwlock_read_unlock(&s->neigh_lock);
	return ret;
}

int
xchg_neigh_resolve(struct xchg_stack *s, rte_be32_t ip,
		   struct rte_ether_addr *mac)
{
	uint64_t now = xchg_stack_now(s);
	struct xchg_neigh *n;
	bool ask = false;

	if (xchg_stack_is_broadcast(s, ip)) {
		memset(mac, 0xff, sizeof(*mac));
		return 0;
	}
	if (xchg_stack_lookup_neighbour(s, ip, mac) == 0)
		return 0;
	/* An incomplete entry rate-limits requests to one per 200 ms. */
	rte_rwlock_write_lock(&s->neigh_lock);
	n = find(s, ip);
	if (n == NULL) {
		n = slot(s);
		if (n != NULL)
			set(s, n, ip, NULL, false);
	}
	if (n != NULL && !n->resolved && now - n->requested > s->hz / 5) {
		n->requested = now;
		ask = true;
	}
	rte_rwlock_write_unlock(&s->neigh_lock);
	if (ask && xchg_arp_request(s, ip) != 0)
		return -ENOBUFS;
	return -EAGAIN;
}

void
xchg_neigh_age(struct xchg_stack *s, uint64_t now)
{
	uint64_t life = s->conf.neigh_timeout_ms * s->hz / 1000;
	uint32_t i;

	rte_rwlock_write_lock(&s->neigh_lock);
	for (i = 0; i < s->conf.neigh_max; i++) {
		struct xchg_neigh *n = &s->neigh[i];

		if (n->used && !n->is_static && now - n->updated > life) {
			n->used = false;
			__atomic_fetch_sub(&s->nb_neigh, 1, __ATOMIC_RELAXED);
		}
	}
	rte_rwlock_write_unlock(&s->neigh_lock);
}

int
xchg_stack_neigh_foreach(struct xchg_stack *s,
			 int (*fn)(const struct xchg_neigh_info *n, void *arg),
			 void *arg)
{
	uint64_t now = xchg_stack_now(s);
	struct xchg_neigh_info info;
	uint32_t i;
	int ret = 0;

	if (s == NULL || fn == NULL)
		return -EINVAL;
	rte_rwlock_read_lock(&s->neigh_lock);
	for (i = 0; i < s->conf.neigh_max && ret == 0; i++) {
		const struct xchg_neigh *n = &s->neigh[i];

		if (!n->used || !n->resolved)
			continue;
		info.ip = n->ip;
		info.mac = n->mac;
		info.is_static = n->is_static;
		info.age_ms = (uint32_t)((now - n->updated) * 1000 / s->hz);
		ret = fn(&info, arg);
	}
	rte_rwlock_read_unlock(&s->neigh_lock);
	return ret;
}
