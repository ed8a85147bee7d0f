/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Sends that wait for a neighbour. A UDP send to a next hop whose
 * address is not known yet does not fail: its datagrams wait in the
 * socket's own pending queue, a few at most (Linux's unres_qlen), until
 * the ARP reply is learned, and go out then in the order given. They
 * stay charged to the socket's reservation (RTnet's rule: the sender
 * pays), so a socket sending to hosts that never answer holds its own
 * buffers and no one else's; so do the ARP requests repeated for them.
 * One that waits past neigh_resolve_ms is freed and counted against
 * its socket (neigh_timeout). Both families: an IPv6 datagram waits for
 * its neighbour solicitation's answer the same way, in the same queue,
 * so a socket's datagrams go out in the order given whatever their
 * family.
 *
 * The queues and the list of sockets with something waiting are under
 * one stack lock, which the steady state never takes: a sender takes it
 * only when its next hop is unresolved or it has datagrams waiting, the
 * service only while some socket has.
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "xchg_stack_private.h"

struct xchg_pend_item {
	struct rte_mbuf *m;     /* the payload, as the application gave it */
	struct xchg_udp_dest d;
	rte_be32_t hop;         /* IPv4 next hop */
	uint8_t hop6[16];       /* IPv6 next hop, when d.v6 */
	uint64_t since;         /* stack clock */
};

int
xchg_pending_init(struct xchg_socket *sock, uint32_t max)
{
	struct xchg_pend_item *q = NULL;

	if (__atomic_load_n(&sock->pend_n, __ATOMIC_ACQUIRE) != 0)
		return -EBUSY;
	if (max != 0) {
		q = rte_zmalloc("xchg_pending", sizeof(*q) * max, 0);
		if (q == NULL)
			return -ENOMEM;
	}
	rte_free(sock->pend);
	sock->pend = q;
	sock->pend_max = max;
	return 0;
}

void
xchg_pending_free(struct xchg_socket *sock)
{
	rte_free(sock->pend);
	sock->pend = NULL;
	sock->pend_max = 0;
}

static uint32_t
nb_segs(const struct xchg_pend_item *q, uint32_t n)
{
	uint32_t i, segs = 0;

	for (i = 0; i < n; i++)
		segs += q[i].m->nb_segs;
	return segs;
}

/* Publish the socket's new count and keep the stack's list of sockets
 * with something waiting; under pend_lock. */
static void
set_count(struct xchg_stack *s, struct xchg_socket *sock, uint32_t n)
{
	__atomic_store_n(&sock->pend_segs, nb_segs(sock->pend, n),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&sock->pend_n, n, __ATOMIC_RELEASE);
	if (n != 0 && !sock->pend_listed) {
		sock->pend_prev = NULL;
		sock->pend_next = s->pend_head;
		if (s->pend_head != NULL)
			s->pend_head->pend_prev = sock;
		s->pend_head = sock;
		sock->pend_listed = true;
		__atomic_store_n(&s->nb_pend_socks, s->nb_pend_socks + 1,
				 __ATOMIC_RELEASE);
	} else if (n == 0 && sock->pend_listed) {
		if (sock->pend_prev != NULL)
			sock->pend_prev->pend_next = sock->pend_next;
		else
			s->pend_head = sock->pend_next;
		if (sock->pend_next != NULL)
			sock->pend_next->pend_prev = sock->pend_prev;
		sock->pend_listed = false;
		__atomic_store_n(&s->nb_pend_socks, s->nb_pend_socks - 1,
				 __ATOMIC_RELEASE);
	}
}

/* The item's neighbour: 0 and @mac when known. */
static int
lookup(struct xchg_stack *s, const struct xchg_pend_item *it,
       struct rte_ether_addr *mac)
{
	return it->d.v6 ? xchg_stack_lookup_neighbour6(s, it->hop6, mac) :
			  xchg_stack_lookup_neighbour(s, it->hop, mac);
}

/* Ask again for the item's neighbour, paid by @sock. */
static int
resolve(struct xchg_stack *s, const struct xchg_pend_item *it,
	struct rte_ether_addr *mac, struct xchg_socket *sock)
{
	return it->d.v6 ? xchg_neigh6_resolve(s, it->hop6, mac, sock) :
			  xchg_neigh_resolve(s, it->hop, mac, sock);
}

/* Send what can go, in order, and drop what waited too long; under
 * pend_lock. @ask: repeat the ARP requests of what still waits (the
 * request is paid by the socket, rate limited per neighbour). */
static void
flush(struct xchg_stack *s, struct xchg_socket *sock, uint64_t now, bool ask)
{
	struct xchg_pool *pool = xchg_consumer_pool(sock->consumer);
	uint64_t life = (uint64_t)s->conf.neigh_resolve_ms * s->hz / 1000;
	uint64_t offloads = xchg_port_tx_offloads(s->port);
	struct xchg_pend_item *q = sock->pend;
	uint32_t i, k = 0, n = sock->pend_n, sent = 0, late = 0;
	struct rte_ether_addr mac;
	bool stuck = false;

	for (i = 0; i < n; i++) {
		struct xchg_pend_item it = q[i];
		uint16_t off = it.m->data_off;

		if (!stuck && lookup(s, &it, &mac) == 0) {
			/* The size was checked when it was queued. */
			if (xchg_udp_build_to(sock, it.m, &it.d, &mac,
					      offloads) == 0 &&
			    xchg_port_tx(s->port, 0, pool, &it.m, 1) == 1) {
				sent++;
				continue;
			}
			/* The port is full: back to the payload, try later,
			 * and keep the order. */
			rte_pktmbuf_adj(it.m, (uint16_t)(off - it.m->data_off));
			it.m->ol_flags = 0;
			stuck = true;
		}
		if (now > it.since && now - it.since > life) {
			rte_pktmbuf_free(it.m);
			late++;
			continue;
		}
		if (ask)
			(void)resolve(s, &it, &mac, sock);
		q[k++] = it;
	}
	if (sent != 0)
		XCHG_SOCKET_COUNT(sock, sent, sent);
	/* One frame and one datagram each. */
	while (late-- != 0)
		xchg_socket_drop_dgram(s, sock, XCHG_SD_NEIGH_TIMEOUT, 1);
	set_count(s, sock, k);
}

static bool
waits_for(const struct xchg_socket *sock, const struct xchg_pend_item *it)
{
	const struct xchg_pend_item *q = sock->pend;
	uint32_t i;

	for (i = 0; i < sock->pend_n; i++)
		if (q[i].d.v6 == it->d.v6 &&
		    (it->d.v6 ? memcmp(q[i].hop6, it->hop6, 16) == 0 :
				q[i].hop == it->hop))
			return true;
	return false;
}

int
xchg_pending_send(struct xchg_socket *sock, const struct xchg_udp_dest *d,
		  rte_be32_t hop, const uint8_t *hop6, struct rte_mbuf **mbufs,
		  unsigned int n, struct rte_ether_addr *mac)
{
	struct xchg_stack *s = sock->stack;
	uint64_t now = xchg_stack_now(s);
	struct xchg_pend_item it = { .d = *d, .hop = hop,
				     .since = now != 0 ? now : 1 };
	unsigned int i = 0;
	int err = n != 0 ? EINPROGRESS : 0, bad;

	if (d->v6)
		memcpy(it.hop6, hop6, 16);
	rte_spinlock_lock(&s->pend_lock);
	if (sock->pend_n != 0)
		flush(s, sock, now, false);
	/* Nothing of this hop waits and it resolved: send directly. */
	if (!waits_for(sock, &it) && resolve(s, &it, mac, sock) == 0) {
		rte_spinlock_unlock(&s->pend_lock);
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* What the build would refuse is refused now. */
		bad = xchg_udp_fits(s, mbufs[i], d->v6);
		if (bad != 0) {
			err = bad;
			break;
		}
		if (sock->pend_n + i == sock->pend_max) {
			err = EAGAIN;
			break;
		}
		it.m = mbufs[i];
		sock->pend[sock->pend_n + i] = it;
	}
	set_count(s, sock, sock->pend_n + i);
	rte_spinlock_unlock(&s->pend_lock);
	if (i != 0)
		XCHG_SOCKET_COUNT(sock, queued, i);
	if (i < n)
		XCHG_SOCKET_COUNT(sock, send_failed, n - i);
	rte_errno = err;
	return (int)i;
}

void
xchg_pending_service(struct xchg_stack *s)
{
	struct xchg_socket *sock, *next;
	uint64_t now;

	if (__atomic_load_n(&s->nb_pend_socks, __ATOMIC_ACQUIRE) == 0)
		return;
	now = xchg_stack_now(s);
	rte_spinlock_lock(&s->pend_lock);
	for (sock = s->pend_head; sock != NULL; sock = next) {
		next = sock->pend_next;
		flush(s, sock, now, true);
	}
	rte_spinlock_unlock(&s->pend_lock);
}

void
xchg_pending_forget(struct xchg_socket *sock, enum xchg_stack_drop why)
{
	struct xchg_stack *s = sock->stack;
	uint32_t i, n;

	rte_spinlock_lock(&s->pend_lock);
	n = sock->pend_n;
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(sock->pend[i].m);
	set_count(s, sock, 0);
	rte_spinlock_unlock(&s->pend_lock);
	for (i = 0; i < n; i++)
		xchg_socket_drop_dgram(s, sock, why, 1);
}
