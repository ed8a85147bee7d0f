/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Single-reader sockets, xchg_socket_set_single_reader() (issue 17): the
 * single-consumer read and the socket's own count.
 *
 * same_reads: one stack, two UDP sockets of the same quota, one left
 * multi-reader, one single-reader; the same datagrams go to both (some
 * refused by the quota) and both are read with the same burst sizes.
 * Each read returns the same number of datagrams, the same ones in the
 * same order, and after each step both sockets' statistics agree
 * (received, the pool's books, drops); received is exactly what the
 * application took. The mode is switched both ways with datagrams
 * queued: nothing is lost or repeated and received goes on counting. A
 * read that forgot to count (the single reader's counter not updated),
 * or that took the wrong dequeue (all or nothing), fails here.
 *
 * modes: the setter and the reader on NULL and both modes; the read
 * dequeues the consumer's ring itself (its read ring is that ring),
 * except a strict arena's single reader, which goes through the checked
 * read,
 * which refuses a second simultaneous reader (planted) with EBUSY and
 * counts nothing. Each part ends with a census.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_consumer_private.h"
#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_stack_private.h"
#include "xchg_test.h"
#include "xt_frames.h"
#include "xt_stack.h"

#define PORT_MC 6000
#define PORT_SC 6001
#define QUOTA 10
#define DATAGRAMS 2000u

static struct rte_mempool *mp;
static struct rte_ring *rx[2], *tx[2];
static uint16_t port_id[2];

struct fx {
	struct xchg_arena *arena;
	struct xchg_port *port;
	struct xchg_stack *s;
	struct xchg_socket *mc, *sc;
	unsigned int idx;
};

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32(RTE_IPV4((uint32_t)a, b, c, d));
}

static bool
stack_up(struct fx *f, struct xchg_arena *arena, unsigned int idx)
{
	struct xchg_port_conf pc = { .nb_rx_queues = 1,
				     .nb_rx_desc = 64, .nb_tx_desc = 64 };
	struct xchg_stack_conf conf = { 0 };

	memset(f, 0, sizeof(*f));
	f->arena = arena;
	f->idx = idx;
	f->s = xt_stack_create(arena, port_id[idx], &pc, &conf, &f->port);
	if (f->s == NULL)
		return false;
	XT_EQ(xchg_stack_add_address(f->s, ip4(192, 0, 2, 2), 24), 0);
	f->mc = xchg_udp_socket(f->s, "rd_mc", QUOTA, XCHG_PRIO_NORMAL);
	f->sc = xchg_udp_socket(f->s, "rd_sc", QUOTA, XCHG_PRIO_NORMAL);
	XT_CHECK(f->mc != NULL && f->sc != NULL, "sockets");
	if (f->mc == NULL || f->sc == NULL)
		return false;
	XT_EQ(xchg_udp_bind(f->mc, 0, PORT_MC), 0);
	XT_EQ(xchg_udp_bind(f->sc, 0, PORT_SC), 0);
	XT_EQ(xchg_port_start(f->port), 0);
	return true;
}

static void
stack_down(struct fx *f, const char *when)
{
	struct rte_mbuf *m = NULL;

	if (f->port != NULL)
		xchg_port_stop(f->port);
	while (rte_ring_dequeue(rx[f->idx], (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue(tx[f->idx], (void **)&m) == 0)
		rte_pktmbuf_free(m);
	if (f->mc != NULL)
		XT_EQ(xchg_socket_close(f->mc), 0);
	if (f->sc != NULL)
		XT_EQ(xchg_socket_close(f->sc), 0);
	if (f->s != NULL)
		XT_EQ(xchg_stack_free(f->s), 0);
	if (f->port != NULL)
		XT_EQ(xchg_port_free(f->port), 0);
	xt_census_ok(f->arena, when);
}

/* Datagram @id to UDP port @port, received on @f's port and delivered. */
static void
send_to(struct fx *f, uint16_t port, uint32_t id)
{
	uint8_t frame[64];
	unsigned int len = xt_udp_frame(frame, port, 4);

	memcpy(frame + len - 4, &id, 4);
	xt_ring_put(rx[f->idx], mp, frame, len);
}

static void
poll_dry(struct fx *f)
{
	while (rte_ring_count(rx[f->idx]) != 0)
		xchg_stack_rx(f->s, 0);
}

static uint32_t
dgram_id(const struct rte_mbuf *m)
{
	uint32_t id;

	memcpy(&id, rte_pktmbuf_mtod(m, const void *), 4);
	return id;
}

static void
stats_equal(struct fx *f, uint64_t read_mc, uint64_t read_sc,
	    const char *when)
{
	struct xchg_socket_stats a, b;
	unsigned int i;

	XT_EQ(xchg_socket_stats_get(f->mc, &a), 0);
	XT_EQ(xchg_socket_stats_get(f->sc, &b), 0);
	XT_CHECK(a.received == read_mc && b.received == read_sc,
		 "%s: received %" PRIu64 "/%" PRIu64 ", the application took %"
		 PRIu64 "/%" PRIu64, when, a.received, b.received, read_mc,
		 read_sc);
	XT_CHECK(a.pool.in_use == b.pool.in_use &&
		 a.pool.accepted == b.pool.accepted &&
		 a.pool.refused == b.pool.refused &&
		 a.pool.returned == b.pool.returned,
		 "%s: pool books differ (in_use %u/%u, refused %" PRIu64 "/%"
		 PRIu64 ")", when, a.pool.in_use, b.pool.in_use,
		 a.pool.refused, b.pool.refused);
	for (i = 0; i < XCHG_SD_MAX; i++)
		XT_EQ(a.drops[i], b.drops[i]);
}

static void
test_same_reads(void)
{
	static const unsigned int burst[] = { 3, 1, 0, 7, 16, 2, 5 };
	static const unsigned int read_n[] = { 2, 0, 1, 32, 4, 3, 6, 1 };
	struct rte_mbuf *a[32], *b[32];
	uint64_t read_mc = 0, read_sc = 0;
	uint32_t next = 0;
	unsigned int step = 0, i, na, nb;
	struct fx f;
	struct xchg_arena *arena = xt_arena("rd_stack", 2048, 0);

	mp = xchg_arena_mempool(arena);
	if (!stack_up(&f, arena, 0))
		goto out;
	XT_EQ(xchg_socket_set_single_reader(f.sc, true), 0);
	while (next < DATAGRAMS && xt_failures == 0) {
		unsigned int n = RTE_MIN(burst[step % RTE_DIM(burst)],
					 DATAGRAMS - next);

		for (i = 0; i < n; i++) {
			send_to(&f, PORT_MC, next + i);
			send_to(&f, PORT_SC, next + i);
		}
		poll_dry(&f);
		next += n;
		/* Both ways, with datagrams queued: nothing lost, the
		 * count goes on (the two modes' counters are summed). */
		if (step == 100 || step == 200)
			XT_EQ(xchg_socket_set_single_reader(f.sc, false), 0);
		if (step == 150 || step == 250)
			XT_EQ(xchg_socket_set_single_reader(f.sc, true), 0);
		na = xchg_socket_recv_burst(f.mc, a,
					    read_n[step % RTE_DIM(read_n)]);
		nb = xchg_socket_recv_burst(f.sc, b,
					    read_n[step % RTE_DIM(read_n)]);
		XT_EQ(na, nb);
		for (i = 0; i < RTE_MIN(na, nb); i++)
			XT_EQ(dgram_id(a[i]), dgram_id(b[i]));
		read_mc += na;
		read_sc += nb;
		rte_pktmbuf_free_bulk(a, na);
		rte_pktmbuf_free_bulk(b, nb);
		stats_equal(&f, read_mc, read_sc, "after a step");
		step++;
	}
	XT_CHECK(xchg_socket_single_reader(f.sc), "single reader at the end");
	for (;;) {
		na = xchg_socket_recv_burst(f.mc, a, 32);
		nb = xchg_socket_recv_burst(f.sc, b, 32);
		if (na == 0 && nb == 0)
			break;
		XT_EQ(na, nb);
		read_mc += na;
		read_sc += nb;
		rte_pktmbuf_free_bulk(a, na);
		rte_pktmbuf_free_bulk(b, nb);
	}
	stats_equal(&f, read_mc, read_sc, "drained");
	printf("same reads: %u datagrams to each socket, %" PRIu64
	       " read from each\n", DATAGRAMS, read_sc);
	XT_CHECK(read_sc > DATAGRAMS / 2 && read_sc < DATAGRAMS,
		 "some refused by the quota, most read");
out:
	stack_down(&f, "same reads");
	XT_EQ(xchg_arena_free(arena), 0);
}

static void
test_modes(void)
{
	struct xchg_arena_conf conf = {
		.name = "rd_stack_strict", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = 2048, .strict = true,
	};
	struct xchg_arena *plain = xt_arena("rd_stack_plain", 2048, 0);
	struct xchg_arena *strict = xt_arena_conf(&conf);
	struct xchg_socket_stats st;
	struct rte_mbuf *m[8];
	unsigned int n;
	struct fx f;

	XT_EQ(xchg_socket_set_single_reader(NULL, true), -EINVAL);
	XT_CHECK(!xchg_socket_single_reader(NULL), "NULL reads false");
	XT_EQ(xchg_socket_recv_burst(NULL, m, 8), 0);

	mp = xchg_arena_mempool(plain);
	if (stack_up(&f, plain, 0)) {
		XT_CHECK(!xchg_socket_single_reader(f.sc), "many by default");
		XT_CHECK(f.sc->read_ring == f.sc->consumer->ring,
			 "many: the read dequeues the ring itself");
		XT_EQ(xchg_socket_set_single_reader(f.sc, true), 0);
		XT_CHECK(xchg_socket_single_reader(f.sc), "reads back true");
		XT_CHECK(xchg_consumer_single_consumer(f.sc->consumer),
			 "its consumer is single-consumer");
		XT_CHECK(f.sc->read_ring == f.sc->consumer->ring,
			 "plain arena: the read dequeues the ring itself");
		XT_EQ(xchg_socket_recv_burst(f.sc, NULL, 8), 0);
		XT_EQ(xchg_socket_set_single_reader(f.sc, false), 0);
		XT_CHECK(!xchg_socket_single_reader(f.sc), "reads back false");
		XT_CHECK(f.sc->read_ring == f.sc->consumer->ring,
			 "many again: the ring");
	}
	stack_down(&f, "modes, plain");

	mp = xchg_arena_mempool(strict);
	if (stack_up(&f, strict, 1)) {
		XT_CHECK(f.sc->read_ring == f.sc->consumer->ring,
			 "strict arena, many: the ring");
		XT_EQ(xchg_socket_set_single_reader(f.sc, true), 0);
		XT_CHECK(xchg_socket_single_reader(f.sc), "strict: true");
		XT_CHECK(f.sc->read_ring == NULL,
			 "strict arena: the checked read");
		send_to(&f, PORT_SC, 1);
		send_to(&f, PORT_SC, 2);
		poll_dry(&f);
		/* Another thread's read in progress (planted). */
		f.sc->consumer->reading = 1;
		rte_errno = 0;
		XT_EQ(xchg_socket_recv_burst(f.sc, m, RTE_DIM(m)), 0);
		XT_EQ(rte_errno, EBUSY);
		f.sc->consumer->reading = 0;
		XT_EQ(xchg_socket_stats_get(f.sc, &st), 0);
		XT_EQ(st.received, 0);
		n = xchg_socket_recv_burst(f.sc, m, RTE_DIM(m));
		XT_EQ(n, 2);
		if (n == 2) {
			XT_EQ(dgram_id(m[0]), 1);
			XT_EQ(dgram_id(m[1]), 2);
		}
		rte_pktmbuf_free_bulk(m, n);
		XT_EQ(xchg_socket_stats_get(f.sc, &st), 0);
		XT_EQ(st.received, 2);
	}
	stack_down(&f, "modes, strict");
	XT_EQ(xchg_arena_free(plain), 0);
	XT_EQ(xchg_arena_free(strict), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	static const char *const names[2][3] = {
		{ "rd_rx0", "rd_tx0", "rd_port0" },
		{ "rd_rx1", "rd_tx1", "rd_port1" },
	};
	unsigned int i;
	int id;

	xt_eal_init(argv[0], "0", 0, NULL);
	for (i = 0; i < 2; i++) {
		rx[i] = rte_ring_create(names[i][0], 1024, SOCKET_ID_ANY, 0);
		tx[i] = rte_ring_create(names[i][1], 1024, SOCKET_ID_ANY, 0);
		if (rx[i] == NULL || tx[i] == NULL) {
			printf("no rings: %s\n", rte_strerror(rte_errno));
			return 1;
		}
		id = rte_eth_from_rings(names[i][2], &rx[i], 1, &tx[i], 1,
					SOCKET_ID_ANY);
		XT_CHECK(id >= 0, "port %u", i);
		port_id[i] = (uint16_t)id;
	}
	if (xt_failures != 0)
		return xt_done("stack_readers");
	XT_RUN(test_same_reads);
	XT_RUN(test_modes);
	for (i = 0; i < 2; i++)
		xt_port_close(port_id[i]);
	return xt_done("stack_readers");
}
