/* SPDX-License-Identifier: BSD-3-Clause */

/* Consumers: an owner pool plus a bounded ring of delivered frames. */

#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_consumer.h"
#include "xchg_consumer_private.h"
#include "xchg_deliver_private.h"
#include "xchg_private.h"
#include "xchg_read_private.h"

struct xchg_consumer *
xchg_consumer_create(struct xchg_arena *arena, const char *name,
		     enum xchg_pool_kind kind, uint32_t quota)
{
	char ring_name[RTE_RING_NAMESIZE];
	struct xchg_consumer *c;
	ssize_t size;
	int err;

	c = rte_zmalloc("xchg_consumer", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->pool = xchg_pool_create(arena, name, kind, quota);
	if (c->pool == NULL) {
		err = rte_errno;
		rte_free(c);
		rte_errno = err;
		return NULL;
	}
	/* The ring lives on the heap, not in a memzone of its own: a
	 * process has a few thousand memzones (rte_memzone_max_get()) in all,
	 * and a stack may hold thousands of sockets. Names are unique per
	 * arena only; the address is unique. */
	snprintf(ring_name, sizeof(ring_name), "xc_%p", (void *)c);
	size = rte_ring_get_memsize_elem(sizeof(void *),
					 rte_align32pow2(quota + 1));
	c->ring = size < 0 ? NULL :
		  rte_zmalloc_socket(ring_name, (size_t)size,
				     RTE_CACHE_LINE_SIZE, arena->mp->socket_id);
	if (c->ring == NULL ||
	    rte_ring_init(c->ring, ring_name, quota, RING_F_EXACT_SZ) != 0) {
		XCHG_LOG(ERR, "consumer %s: no ring of %u: %s\n", name, quota,
			 rte_strerror(rte_errno));
		rte_free(c->ring);
		xchg_pool_free(c->pool);
		rte_free(c);
		rte_errno = ENOMEM;
		return NULL;
	}
	return c;
}

int
xchg_consumer_free(struct xchg_consumer *c)
{
	struct rte_mbuf *m[64];
	unsigned int n;
	int ret;

	if (c == NULL)
		return -EINVAL;
	while ((n = rte_ring_dequeue_burst(c->ring, (void **)m, RTE_DIM(m),
					   NULL)) != 0)
		rte_pktmbuf_free_bulk(m, n);
	ret = xchg_pool_free(c->pool);
	if (ret != 0)
		return ret;
	rte_free(c->ring);
	rte_free(c);
	return 0;
}

int
xchg_consumer_set_single_producer(struct xchg_consumer *c, bool single)
{
	if (c == NULL)
		return -EINVAL;
	/* rte_ring_enqueue_burst() reads the ring's mode on every call,
	 * the batched delivery the copy in @c: both plain, ordered before
	 * the first enqueue by whatever publishes @c to its producer (the
	 * caller's promise). */
	c->ring->prod.sync_type = single ? RTE_RING_SYNC_ST : RTE_RING_SYNC_MT;
	c->sp = single;
	return 0;
}

bool
xchg_consumer_single_producer(const struct xchg_consumer *c)
{
	/* Both places of the mode: the ring's (xchg_consumer_deliver())
	 * and the consumer's copy (the batched delivery). */
	return c != NULL && c->sp &&
	       rte_ring_get_prod_sync_type(c->ring) == RTE_RING_SYNC_ST;
}

int
xchg_consumer_set_single_consumer(struct xchg_consumer *c, bool single)
{
	if (c == NULL)
		return -EINVAL;
	/* As the producer's mode: the ring's (the drain in
	 * xchg_consumer_free(), rte_ring_dequeue_burst()) and the copy the
	 * read tests, both plain, ordered before the first read by what
	 * hands @c to its reader (the caller's promise). A strict arena
	 * checks the promise on every read (c->reading). */
	c->ring->cons.sync_type = single ? RTE_RING_SYNC_ST : RTE_RING_SYNC_MT;
	c->sc_check = single && c->pool->arena->strict;
	c->sc = single;
	return 0;
}

bool
xchg_consumer_single_consumer(const struct xchg_consumer *c)
{
	return c != NULL && c->sc &&
	       rte_ring_get_cons_sync_type(c->ring) == RTE_RING_SYNC_ST;
}

struct rte_ring *
xchg_consumer_read_ring(const struct xchg_consumer *c)
{
	return c != NULL && !c->sc_check ? c->ring : NULL;
}

struct xchg_pool *
xchg_consumer_pool(const struct xchg_consumer *c)
{
	return c != NULL ? c->pool : NULL;
}

const char *
xchg_consumer_name(const struct xchg_consumer *c)
{
	return c != NULL ? xchg_pool_name(c->pool) : NULL;
}

/*
 * One group of xchg_consumer_deliver_groups() (xchg_exchange.c): the
 * exchange, the ring, a full ring's take-back and every count are the
 * batched delivery's. What is only this call's: rte_errno, EINVAL for
 * NULL arguments and for a freed pool even with no frame (as
 * xchg_acquire_burst() says), and calls longer than a group's 16-bit
 * count, cut into groups of UINT16_MAX frames: at the first group not
 * queued in full the call ends, and the frames of the groups not tried
 * are counted refused when the last one was (the quota, a full ring),
 * as one exchange of all @n frames would have counted them.
 */
unsigned int
xchg_consumer_deliver(struct xchg_consumer *c, struct rte_mbuf **mbufs,
		      unsigned int n)
{
	struct xchg_deliver_group g = { .consumer = c };
	unsigned int done = 0;

	if (unlikely(c == NULL || mbufs == NULL ||
		     (n == 0 && !xchg_pool_is_live(c->pool)))) {
		rte_errno = EINVAL;
		return 0;
	}
	while (done < n) {
		g.n = (uint16_t)RTE_MIN(n - done, (unsigned int)UINT16_MAX);
		(void)xchg_consumer_deliver_groups(&g, 1, &mbufs[done]);
		done += g.queued;
		if (unlikely(g.queued < g.n)) {
			unsigned int untried = n - (done - g.queued + g.n);

			if (untried != 0 &&
			    (g.err == ENOBUFS || g.err == ENOSPC))
				XCHG_POOL_COUNT(c->pool, refused, untried);
			rte_errno = g.err;
			break;
		}
	}
	return done;
}

/* A strict arena's single-consumer read: one locked exchange per read
 * to catch a second reader. The exchange (acquire) pairs with the
 * release store that ended the previous read, so each read sees the
 * ring's consumer head as the last one left it, whatever thread that
 * was; a reader that finds the flag set read nothing and is refused. */
static unsigned int
recv_checked(struct xchg_consumer *c, struct rte_mbuf **mbufs, unsigned int n)
{
	unsigned int got;

	if (__atomic_exchange_n(&c->reading, 1, __ATOMIC_ACQUIRE) != 0) {
		rte_errno = EBUSY;
		return 0;
	}
	got = rte_ring_sc_dequeue_burst(c->ring, (void **)mbufs, n, NULL);
	__atomic_store_n(&c->reading, 0, __ATOMIC_RELEASE);
	return got;
}

unsigned int
xchg_consumer_recv_burst(struct xchg_consumer *c, struct rte_mbuf **mbufs,
			 unsigned int n)
{
	if (unlikely(c == NULL || mbufs == NULL))
		return 0;
	/* Dispatched on the consumer's copy of the mode rather than the
	 * ring's sync type (rte_ring_dequeue_burst()'s switch). The
	 * single-consumer dequeue moves the consumer head with a plain
	 * store and publishes the freed slots with a release store of the
	 * consumer tail, which pairs with the producers' acquire load of it
	 * (rte_ring_c11_pvt.h / rte_ring_generic_pvt.h); the frames' slots
	 * are read after an acquire load of the producer tail, paired with
	 * the delivery's release store of it. */
	if (c->sc) {
		if (unlikely(c->sc_check))
			return recv_checked(c, mbufs, n);
		return rte_ring_sc_dequeue_burst(c->ring, (void **)mbufs, n,
						 NULL);
	}
	return rte_ring_mc_dequeue_burst(c->ring, (void **)mbufs, n, NULL);
}

unsigned int
xchg_consumer_pending(const struct xchg_consumer *c)
{
	return c != NULL ? rte_ring_count(c->ring) : 0;
}

unsigned int
xchg_consumer_pending_segs(const struct xchg_consumer *c)
{
	const struct rte_ring *r;
	struct rte_mbuf * const *slots;
	uint32_t i, head, tail;
	unsigned int segs = 0;

	if (c == NULL)
		return 0;
	/* Read in place, oldest to newest; nothing is dequeued. */
	r = c->ring;
	slots = (struct rte_mbuf * const *)(const void *)&r[1];
	head = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	for (i = head; i != tail; i++)
		segs += slots[i & r->mask]->nb_segs;
	return segs;
}
