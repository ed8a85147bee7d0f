/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The single-consumer read, xchg_consumer_set_single_consumer() (issue
 * 17), against the default multi-consumer one.
 *
 * same_bursts: two consumers of one arena, one of each mode, get the
 * same deliveries (a quota that refuses some, the ring's end crossed
 * many times) and are read with the same burst sizes (0, 1, odd, more
 * than is queued): each read must return the same number of frames, the
 * same frames in the same order, and after each step both consumers'
 * books (pool stats, pending) must agree; the census is conserved. A
 * single-consumer read that dequeued all or nothing (the bulk dequeue),
 * or that lost or repeated a frame, fails here.
 *
 * modes: the setter and the reader of the mode, NULL, the ring's own
 * sync type, a change with frames queued keeps them in order, and
 * xchg_consumer_read_ring() (INTERNAL) gives the ring except to a
 * single-consumer consumer of a strict arena.
 *
 * strict: in a strict arena a single-consumer read finds another read
 * in progress (its flag planted, as a second thread would hold it) and
 * is refused with EBUSY, taking nothing; in a plain arena the same
 * plant is not seen (the documented undefined case). Then two threads
 * read one strict single-consumer consumer at once while this one
 * delivers (what the quota refuses is sent again): each frame is
 * received exactly once, whatever the timing.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "xchg_consumer_private.h"
#include "xchg_read_private.h"
#include "xchg_test.h"

#define QUOTA 12
#define FRAMES 3000u   /* per consumer in same_bursts */

static struct xchg_arena *plain;

/* Frame @id: its first 4 bytes carry it. */
static struct rte_mbuf *
frame(struct rte_mempool *mp, uint32_t id)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m == NULL || rte_pktmbuf_append(m, 4) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(rte_pktmbuf_mtod(m, void *), &id, 4);
	return m;
}

static uint32_t
frame_id(const struct rte_mbuf *m)
{
	uint32_t id;

	memcpy(&id, rte_pktmbuf_mtod(m, const void *), 4);
	return id;
}

/* Deliver frames @first.. @first + @n - 1 to @c; the refused are freed.
 * Returns how many were queued. */
static unsigned int
deliver(struct xchg_consumer *c, uint32_t first, unsigned int n)
{
	struct rte_mbuf *m[64];
	unsigned int i, q;

	for (i = 0; i < n; i++) {
		m[i] = frame(xchg_arena_mempool(plain), first + i);
		XT_CHECK(m[i] != NULL, "frame %u", first + i);
		if (m[i] == NULL)
			return 0;
	}
	q = xchg_consumer_deliver(c, m, n);
	rte_pktmbuf_free_bulk(m + q, n - q);
	return q;
}

static void
books_equal(struct xchg_consumer *mc, struct xchg_consumer *sc,
	    const char *when)
{
	struct xchg_pool_stats a, b;

	XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(mc), &a), 0);
	XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(sc), &b), 0);
	XT_CHECK(a.in_use == b.in_use && a.accepted == b.accepted &&
		 a.refused == b.refused && a.returned == b.returned,
		 "%s: books differ: in_use %u/%u accepted %" PRIu64 "/%" PRIu64
		 " refused %" PRIu64 "/%" PRIu64 " returned %" PRIu64 "/%"
		 PRIu64, when, a.in_use, b.in_use, a.accepted, b.accepted,
		 a.refused, b.refused, a.returned, b.returned);
	XT_EQ(xchg_consumer_pending(mc), xchg_consumer_pending(sc));
}

/* Read up to @n from each; both must give the same frames. Returns how
 * many each gave (the single-consumer side's when they differ). */
static unsigned int
read_both(struct xchg_consumer *mc, struct xchg_consumer *sc,
	  unsigned int n)
{
	struct rte_mbuf *a[32], *b[32];
	unsigned int i, na, nb;

	na = xchg_consumer_recv_burst(mc, a, n);
	nb = xchg_consumer_recv_burst(sc, b, n);
	XT_EQ(na, nb);
	for (i = 0; i < RTE_MIN(na, nb); i++)
		XT_EQ(frame_id(a[i]), frame_id(b[i]));
	rte_pktmbuf_free_bulk(a, na);
	rte_pktmbuf_free_bulk(b, nb);
	return RTE_MAX(na, nb);
}

static void
test_same_bursts(void)
{
	static const unsigned int burst[] = { 5, 1, 0, 7, 32, 3, 2, 9 };
	static const unsigned int read_n[] = { 3, 0, 1, 32, 5, 2, 11, 4, 7 };
	struct xchg_consumer *mc, *sc;
	uint32_t next = 0;
	uint64_t got = 0;
	unsigned int step = 0, n;

	mc = xchg_consumer_create(plain, "rd_mc", XCHG_KIND_SOCKET, QUOTA);
	sc = xchg_consumer_create(plain, "rd_sc", XCHG_KIND_SOCKET, QUOTA);
	XT_CHECK(mc != NULL && sc != NULL, "consumers");
	if (mc == NULL || sc == NULL)
		goto out;
	XT_EQ(xchg_consumer_set_single_consumer(sc, true), 0);
	while (next < FRAMES) {
		n = RTE_MIN(burst[step % RTE_DIM(burst)], FRAMES - next);
		/* The same ids to both: the read compares them. */
		XT_EQ(deliver(mc, next, n), deliver(sc, next, n));
		next += n;
		got += read_both(mc, sc, read_n[step % RTE_DIM(read_n)]);
		books_equal(mc, sc, "after a step");
		if (xt_failures != 0)
			break;
		step++;
	}
	while ((n = read_both(mc, sc, 32)) != 0)
		got += n;
	books_equal(mc, sc, "drained");
	XT_CHECK(got > FRAMES / 2 && got < FRAMES,
		 "some refused, most read: %" PRIu64 " of %u", got, FRAMES);
	xt_pool_expect(xchg_consumer_pool(sc), 0, "drained");
out:
	XT_EQ(xchg_consumer_free(mc), 0);
	XT_EQ(xchg_consumer_free(sc), 0);
	xt_census_ok(plain, "same bursts");
}

static void
test_modes(void)
{
	struct xchg_consumer *c = xchg_consumer_create(plain, "rd_modes",
						       XCHG_KIND_SOCKET, 8);
	struct rte_mbuf *m[6];
	unsigned int i, n;

	XT_EQ(xchg_consumer_set_single_consumer(NULL, true), -EINVAL);
	XT_EQ(xchg_consumer_set_single_consumer(NULL, false), -EINVAL);
	XT_CHECK(!xchg_consumer_single_consumer(NULL), "NULL reads false");
	XT_CHECK(xchg_consumer_read_ring(NULL) == NULL, "NULL: no ring");
	XT_CHECK(c != NULL, "consumer");
	if (c == NULL)
		return;
	XT_CHECK(!xchg_consumer_single_consumer(c), "multi by default");
	XT_CHECK(xchg_consumer_read_ring(c) == c->ring, "multi: the ring");
	XT_EQ(deliver(c, 0, 3), 3);
	XT_EQ(xchg_consumer_set_single_consumer(c, true), 0);
	XT_CHECK(xchg_consumer_single_consumer(c), "reads back true");
	XT_EQ(rte_ring_get_cons_sync_type(c->ring), RTE_RING_SYNC_ST);
	XT_CHECK(xchg_consumer_read_ring(c) == c->ring,
		 "single, plain arena: the ring");
	XT_EQ(deliver(c, 3, 3), 3);
	n = xchg_consumer_recv_burst(c, m, 2);
	XT_EQ(n, 2);
	XT_EQ(xchg_consumer_set_single_consumer(c, false), 0);
	XT_CHECK(!xchg_consumer_single_consumer(c), "reads back false");
	XT_EQ(rte_ring_get_cons_sync_type(c->ring), RTE_RING_SYNC_MT);
	XT_CHECK(xchg_consumer_read_ring(c) == c->ring, "multi again: the ring");
	n += xchg_consumer_recv_burst(c, m + n, RTE_DIM(m));
	XT_EQ(n, 6);
	for (i = 0; i < n; i++)
		XT_EQ(frame_id(m[i]), i);
	rte_pktmbuf_free_bulk(m, n);
	/* Freed with frames queued in single-consumer mode. */
	XT_EQ(xchg_consumer_set_single_consumer(c, true), 0);
	XT_EQ(deliver(c, 6, 2), 2);
	XT_EQ(xchg_consumer_free(c), 0);
	xt_census_ok(plain, "modes");
}

/* Strict arena: two threads read at once. */
struct reader {
	struct xchg_consumer *c;
	uint8_t *seen;          /* per id, by this reader */
	uint64_t got;
	uint64_t busy;          /* reads refused with EBUSY */
};

static volatile bool readers_stop;

static void *
reader_thread(void *arg)
{
	struct reader *r = arg;
	struct rte_mbuf *m[8];
	unsigned int i, n;

	for (;;) {
		bool last = __atomic_load_n(&readers_stop, __ATOMIC_ACQUIRE);

		n = xchg_consumer_recv_burst(r->c, m, RTE_DIM(m));
		if (n == 0 && rte_errno == EBUSY)
			r->busy++;
		for (i = 0; i < n; i++) {
			uint32_t id = frame_id(m[i]);

			if (id < FRAMES)
				r->seen[id]++;
		}
		r->got += n;
		rte_pktmbuf_free_bulk(m, n);
		if (n == 0 && last)
			break;
		rte_errno = 0;
	}
	return NULL;
}

static void
test_strict(void)
{
	struct xchg_arena_conf conf = {
		.name = "rd_strict", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = 512, .strict = true,
	};
	struct xchg_arena *sa = xt_arena_conf(&conf);
	struct xchg_consumer *c, *p;
	struct reader r[2] = { 0 };
	struct rte_mbuf *m[8];
	pthread_t t[2];
	uint32_t next = 0;
	unsigned int i, dup = 0, missing = 0, queued = 0, n;

	c = xchg_consumer_create(sa, "rd_sc_strict", XCHG_KIND_SOCKET, 64);
	p = xchg_consumer_create(plain, "rd_sc_plain", XCHG_KIND_SOCKET, 8);
	XT_CHECK(c != NULL && p != NULL, "consumers");
	if (c == NULL || p == NULL)
		goto out;
	XT_EQ(xchg_consumer_set_single_consumer(c, true), 0);
	XT_EQ(xchg_consumer_set_single_consumer(p, true), 0);
	XT_CHECK(xchg_consumer_read_ring(c) == NULL,
		 "strict: the read goes through the check");
	XT_CHECK(xchg_consumer_read_ring(p) == p->ring, "plain: the ring");

	/* A read in progress elsewhere (planted): refused, nothing taken. */
	for (i = 0; i < 4; i++) {
		m[i] = frame(xchg_arena_mempool(sa), i);
		XT_CHECK(m[i] != NULL, "frame");
	}
	XT_EQ(xchg_consumer_deliver(c, m, 4), 4);
	c->reading = 1;
	rte_errno = 0;
	XT_EQ(xchg_consumer_recv_burst(c, m, RTE_DIM(m)), 0);
	XT_EQ(rte_errno, EBUSY);
	XT_EQ(xchg_consumer_pending(c), 4);
	c->reading = 0;
	n = xchg_consumer_recv_burst(c, m, RTE_DIM(m));
	XT_EQ(n, 4);
	for (i = 0; i < n; i++)
		XT_EQ(frame_id(m[i]), i);
	XT_EQ(c->reading, 0);
	rte_pktmbuf_free_bulk(m, n);
	/* Plain arena: the same plant is not seen (undefined misuse). */
	XT_EQ(deliver(p, 0, 2), 2);
	p->reading = 1;
	n = xchg_consumer_recv_burst(p, m, RTE_DIM(m));
	XT_EQ(n, 2);
	rte_pktmbuf_free_bulk(m, n);
	p->reading = 0;

	/* Two threads read at once: each frame exactly once. */
	for (i = 0; i < 2; i++) {
		r[i].c = c;
		r[i].seen = calloc(FRAMES, 1);
		XT_CHECK(r[i].seen != NULL, "memory");
	}
	if (r[0].seen == NULL || r[1].seen == NULL)
		goto out;
	readers_stop = false;
	for (i = 0; i < 2; i++)
		XT_EQ(pthread_create(&t[i], NULL, reader_thread, &r[i]), 0);
	while (next < FRAMES) {
		unsigned int k = RTE_MIN(8u, FRAMES - next);

		for (i = 0; i < k; i++)
			m[i] = frame(xchg_arena_mempool(sa), next + i);
		for (i = 0; i < k; i++)
			if (m[i] == NULL)
				break;
		if (i < k) {    /* the readers hold many: retry */
			for (i = 0; i < k; i++)
				rte_pktmbuf_free(m[i]);
			rte_pause();
			continue;
		}
		/* What the quota refused (the readers hold it) is sent
		 * again: every id is queued once. */
		n = xchg_consumer_deliver(c, m, k);
		rte_pktmbuf_free_bulk(m + n, k - n);
		queued += n;
		next += n;
		if (n < k)
			rte_pause();
	}
	__atomic_store_n(&readers_stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		XT_EQ(pthread_join(t[i], NULL), 0);
	XT_EQ(r[0].got + r[1].got, queued);
	for (i = 0; i < FRAMES; i++) {
		unsigned int s = r[0].seen[i] + r[1].seen[i];

		dup += s > 1;
		missing += s == 0;
	}
	printf("strict, two readers: %u frames queued, read %" PRIu64
	       " + %" PRIu64 ", %" PRIu64 " + %" PRIu64
	       " reads refused (EBUSY)\n", queued, r[0].got, r[1].got,
	       r[0].busy, r[1].busy);
	XT_EQ(queued, FRAMES);
	XT_EQ(dup, 0);
	XT_EQ(missing, 0);
	XT_EQ(xchg_consumer_pending(c), 0);
	free(r[0].seen);
	free(r[1].seen);
out:
	XT_EQ(xchg_consumer_free(c), 0);
	XT_EQ(xchg_consumer_free(p), 0);
	xt_census_ok(sa, "strict");
	xt_census_ok(plain, "strict, plain arena");
	XT_EQ(xchg_arena_free(sa), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0", 0, NULL);
	plain = xt_arena("rd_plain", 512, 0);
	XT_RUN(test_same_bursts);
	XT_RUN(test_modes);
	XT_RUN(test_strict);
	return xt_arena_done(plain, "read");
}
