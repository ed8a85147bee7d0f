/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * TEMPORARY SHIM (helper s21udp), replaced by helper s21nd's IPv6
 * neighbour table (xchg_stack_neigh6.c) when h/s21nd is merged: the
 * issue 21 contract's functions, static entries only, so that the UDP
 * over IPv6 sends can be built and tested first. Nothing resolves by
 * itself: an address with no static entry is -EAGAIN (no solicitation
 * is sent); routes: on-link and link-local destinations only.
 */

#include <errno.h>
#include <string.h>

#include "xchg_stack_private.h"

#define SHIM_MAX 16

static struct {
	const struct xchg_stack *s;
	uint8_t ip[16];
	struct rte_ether_addr mac;
} shim[SHIM_MAX];

int
xchg_stack_add_neighbour6(struct xchg_stack *s, const uint8_t ip[16],
			  const struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 0; i < SHIM_MAX; i++)
		if (shim[i].s == NULL || shim[i].s == s) {
			if (shim[i].s == s && memcmp(shim[i].ip, ip, 16) != 0)
				continue;
			shim[i].s = s;
			memcpy(shim[i].ip, ip, 16);
			shim[i].mac = *mac;
			return 0;
		}
	return -ENOSPC;
}

int
xchg_stack_lookup_neighbour6(struct xchg_stack *s, const uint8_t ip[16],
			     struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 0; i < SHIM_MAX; i++)
		if (shim[i].s == s && memcmp(shim[i].ip, ip, 16) == 0) {
			*mac = shim[i].mac;
			return 0;
		}
	return -ENOENT;
}

int
xchg_neigh6_resolve(struct xchg_stack *s, const uint8_t ip[16],
		    struct rte_ether_addr *mac, struct xchg_socket *sender)
{
	(void)sender;
	return xchg_stack_lookup_neighbour6(s, ip, mac) == 0 ? 0 : -EAGAIN;
}

int
xchg_neigh6_pin(struct xchg_stack *s, const uint8_t ip[16])
{
	(void)s;
	(void)ip;
	return 0;
}

void
xchg_neigh6_unpin(struct xchg_stack *s, const uint8_t ip[16])
{
	(void)s;
	(void)ip;
}

int
xchg_stack_route6(const struct xchg_stack *s, const uint8_t dst[16],
		  uint8_t src[16], uint8_t next_hop[16])
{
	unsigned int i, n = __atomic_load_n(&s->nb_addrs6, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++) {
		const struct xchg_addr6 *a = &s->addrs6[i];
		unsigned int bytes = a->prefix_len / 8, bits = a->prefix_len % 8;

		if (memcmp(a->ip, dst, bytes) != 0)
			continue;
		if (bits != 0 && ((a->ip[bytes] ^ dst[bytes]) >> (8 - bits)) != 0)
			continue;
		memcpy(src, a->ip, 16);
		memcpy(next_hop, dst, 16);
		return 0;
	}
	return -EHOSTUNREACH;
}
