/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * IPv6 neighbours and routes. The table is the IPv4 one's code keyed by
 * the whole address (xchg_stack_neigh.c), a table of its own: the same
 * isolation rules (configured and pinned entries apart from learned
 * ones, learning replaces only learned entries, one keyed-hash probe per
 * lookup with a per-stack random seed). Resolution sends a neighbour
 * solicitation (xchg_stack_nd.c) paid by the sender.
 */

#include <errno.h>
#include <string.h>

#include "xchg_stack_private.h"

static void
key6(const uint8_t ip[16], uint32_t k[4])
{
	memcpy(k, ip, 16);
}

static bool
is_unspecified(const uint8_t *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip, zero, 16) == 0;
}

static bool
is_link_local(const uint8_t *ip)
{
	return ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
}

/* RFC 2464: 33:33 and the group's last four bytes. */
static void
multicast_mac(const uint8_t *ip, struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], ip + 12, 4);
}

int
xchg_stack_add_neighbour6(struct xchg_stack *s, const uint8_t ip[16],
			  const struct rte_ether_addr *mac)
{
	uint32_t k[4];

	if (s == NULL || ip == NULL || mac == NULL || is_unspecified(ip) ||
	    ip[0] == 0xff)
		return -EINVAL;
	key6(ip, k);
	return xchg_neigh_add_static(s, s->neigh6, k, mac);
}

int
xchg_stack_lookup_neighbour6(struct xchg_stack *s, const uint8_t ip[16],
			     struct rte_ether_addr *mac)
{
	uint32_t k[4];

	if (s == NULL || ip == NULL || mac == NULL)
		return -EINVAL;
	key6(ip, k);
	return xchg_neigh_lookup_key(s->neigh6, k, mac);
}

void
xchg_neigh6_learn(struct xchg_stack *s, const uint8_t ip[16],
		  const struct rte_ether_addr *mac, bool create, bool override)
{
	struct rte_ether_addr known;
	uint32_t k[4];

	if (is_unspecified(ip) || ip[0] == 0xff)
		return;
	key6(ip, k);
	/* RFC 4861 7.2.5: an advertisement without the override flag
	 * does not change an address we know. */
	if (!override && xchg_neigh_lookup_key(s->neigh6, k, &known) == 0 &&
	    !rte_is_same_ether_addr(&known, mac))
		return;
	if (xchg_neigh_learn_key(s, s->neigh6, k, mac, create))
		XCHG_STACK_COUNT(s, nd_learned, 1);
}

int
xchg_neigh6_resolve(struct xchg_stack *s, const uint8_t ip[16],
		    struct rte_ether_addr *mac, struct xchg_socket *sender)
{
	uint32_t k[4];

	if (ip[0] == 0xff) {
		multicast_mac(ip, mac);
		return 0;
	}
	key6(ip, k);
	if (xchg_neigh_lookup_key(s->neigh6, k, mac) == 0)
		return 0;
	/* The sender pays for the solicitation it needs. */
	if (xchg_neigh_need_request(s, s->neigh6, k) &&
	    xchg_nd_solicit(s, ip, sender != NULL ?
			    xchg_consumer_pool(sender->consumer) : NULL) != 0)
		return -ENOBUFS;
	return -EAGAIN;
}

int
xchg_neigh6_pin(struct xchg_stack *s, const uint8_t ip[16])
{
	uint32_t k[4];

	if (is_unspecified(ip) || ip[0] == 0xff)
		return -EINVAL;
	key6(ip, k);
	return xchg_neigh_pin_key(s, s->neigh6, k);
}

void
xchg_neigh6_unpin(struct xchg_stack *s, const uint8_t ip[16])
{
	uint32_t k[4];

	key6(ip, k);
	xchg_neigh_unpin_key(s->neigh6, k);
}

/* ---- routes ---- */

static bool
in_prefix(const uint8_t *a, const uint8_t *prefix, uint8_t len)
{
	uint8_t bytes = len / 8, bits = len % 8;

	if (memcmp(a, prefix, bytes) != 0)
		return false;
	return bits == 0 ||
	       ((a[bytes] ^ prefix[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

static bool
usable(const struct xchg_addr6 *a)
{
	return __atomic_load_n(&a->state, __ATOMIC_RELAXED) !=
	       XCHG_ADDR6_DUPLICATE;
}

/* The global address (not link-local) of ours on @ip's prefix, else,
 * when @any, the first usable global one. */
static const struct xchg_addr6 *
global_for(const struct xchg_stack *s, unsigned int n, const uint8_t *ip,
	   bool any)
{
	const struct xchg_addr6 *first = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct xchg_addr6 *a = &s->addrs6[i];

		if (is_link_local(a->ip) || !usable(a))
			continue;
		if (in_prefix(ip, a->ip, a->prefix_len))
			return a;
		if (first == NULL)
			first = a;
	}
	return any ? first : NULL;
}

static const struct xchg_addr6 *
link_local_addr(const struct xchg_stack *s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (is_link_local(s->addrs6[i].ip) && usable(&s->addrs6[i]))
			return &s->addrs6[i];
	return NULL;
}

int
xchg_stack_route6(const struct xchg_stack *s, const uint8_t dst[16],
		  uint8_t src[16], uint8_t next_hop[16])
{
	const struct xchg_route6 *best = NULL;
	const struct xchg_addr6 *a;
	unsigned int i, n;

	if (s == NULL || dst == NULL || is_unspecified(dst))
		return -EHOSTUNREACH;
	/* Acquire: pairs with the release in xchg_stack_add_address6(). */
	n = __atomic_load_n(&s->nb_addrs6, __ATOMIC_ACQUIRE);
	/* Link-local and link-scope multicast: on the link, from the
	 * link-local address. */
	if (is_link_local(dst) || (dst[0] == 0xff && (dst[1] & 0xf) <= 2)) {
		a = link_local_addr(s, n);
		if (a == NULL)
			return -EHOSTUNREACH;
		memcpy(src, a->ip, 16);
		memcpy(next_hop, dst, 16);
		return 0;
	}
	a = global_for(s, n, dst, false);
	if (a != NULL || dst[0] == 0xff) {
		a = a != NULL ? a : global_for(s, n, dst, true);
		if (a == NULL)
			return -EHOSTUNREACH;
		memcpy(src, a->ip, 16);
		memcpy(next_hop, dst, 16);
		return 0;
	}
	/* Longest prefix among the routes (::/0 is gateway6). */
	for (i = 0; i < s->nb_routes6; i++)
		if (in_prefix(dst, s->routes6[i].dst,
			      s->routes6[i].prefix_len) &&
		    (best == NULL ||
		     s->routes6[i].prefix_len > best->prefix_len))
			best = &s->routes6[i];
	if (best == NULL)
		return -EHOSTUNREACH;
	a = global_for(s, n, best->next_hop, true);
	if (a == NULL)
		return -EHOSTUNREACH;
	memcpy(src, a->ip, 16);
	memcpy(next_hop, best->next_hop, 16);
	return 0;
}

int
xchg_stack_add_route6(struct xchg_stack *s, const uint8_t dst[16],
		      uint8_t prefix_len, const uint8_t next_hop[16])
{
	struct xchg_route6 *r;
	unsigned int i;
	int ret = 0;

	if (s == NULL || dst == NULL || next_hop == NULL || prefix_len > 128 ||
	    dst[0] == 0xff || next_hop[0] == 0xff || is_unspecified(next_hop))
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	/* The next hop must be on the link (link-local or on one of our
	 * prefixes), or nothing resolves it. */
	if (!is_link_local(next_hop) &&
	    global_for(s, s->nb_addrs6, next_hop, false) == NULL)
		ret = -EINVAL;
	else if (is_link_local(next_hop) && link_local_addr(s, s->nb_addrs6) ==
					   NULL)
		ret = -EINVAL;
	else if (s->nb_routes6 == XCHG_STACK_MAX_ROUTES)
		ret = -ENOSPC;
	if (ret == 0) {
		r = &s->routes6[s->nb_routes6];
		memset(r, 0, sizeof(*r));
		for (i = 0; i < 16; i++)
			r->dst[i] = (uint8_t)(dst[i] &
				(i * 8 + 8 <= prefix_len ? 0xff :
				 i * 8 >= prefix_len ? 0 :
				 0xff << (8 - prefix_len % 8)));
		r->prefix_len = prefix_len;
		memcpy(r->next_hop, next_hop, 16);
		s->nb_routes6++;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}
