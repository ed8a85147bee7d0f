/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Single- and multi-producer consumer rings (lib/stack/xchg_stack_fast.c,
 * issue 17 item 3).
 *
 * modes: a stack on a port with one RX queue makes its sockets' (UDP and
 * packet) and its ARP and ICMP services' rings single-producer; a stack
 * on a port with two RX queues (RSS: any queue may deliver to any
 * socket) leaves them multi-producer; the capture, delivered to from
 * services too, stays multi-producer in both. A stack that made the
 * rings single-producer under RSS (a planted bug) fails here, whatever
 * the timing.
 *
 * two_lcores: two lcores poll one RX queue each of the two-queue stack
 * and deliver to one socket at once, a bounded number of frames each,
 * while the main lcore's application also reads the socket. At the end
 * the books are exact: every frame sent is received by the application
 * or refused by the socket's pool (pool.refused, the stack's no_buffers
 * drops), nothing else is dropped, each producer's frames arrive in its order without a gap or
 * a repeat, and the census is conserved.
 *
 * misuse: xchg_consumer_set_single_producer() on NULL is -EINVAL, the
 * mode reads back, and changing it while frames are queued (no thread
 * delivering, as its documentation allows) keeps them, in order.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_stack_private.h"
#include "xchg_test.h"
#include "xt_stack.h"
#include "xt_frames.h"

#define FRAMES 20000u     /* per producer lcore */
#define BURST 32u
#define UDP_PORT 6000
#define SOCK_QUOTA 256

static struct rte_mempool *mp;
static struct xchg_arena *arena;
static struct rte_ring *rx1[1], *rx2[2], *tx1, *tx2;
static uint16_t port1_id, port2_id;

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32(RTE_IPV4((uint32_t)a, b, c, d));
}

struct fx {
	struct xchg_port *port;
	struct xchg_stack *s;
	struct xchg_socket *udp, *pkt;
};

static bool
stack_up(struct fx *f, uint16_t port_id, uint16_t nb_rxq)
{
	struct xchg_port_conf pc = { .nb_rx_queues = nb_rxq,
				     .nb_rx_desc = 64, .nb_tx_desc = 64 };
	struct xchg_stack_conf conf = { 0 };

	memset(f, 0, sizeof(*f));
	f->s = xt_stack_create(arena, port_id, &pc, &conf, &f->port);
	if (f->s == NULL)
		return false;
	XT_EQ(f->s->nb_rxq, nb_rxq);
	XT_EQ(xchg_stack_add_address(f->s, ip4(192, 0, 2, 2), 24), 0);
	f->udp = xchg_udp_socket(f->s, "prod_udp", SOCK_QUOTA,
				 XCHG_PRIO_NORMAL);
	XT_CHECK(f->udp != NULL, "UDP socket");
	if (f->udp != NULL)
		XT_EQ(xchg_udp_bind(f->udp, 0, UDP_PORT), 0);
	f->pkt = xchg_packet_socket(f->s, "prod_pkt", 0x88b5, 16,
				    XCHG_PRIO_NORMAL);
	XT_CHECK(f->pkt != NULL, "packet socket");
	XT_EQ(xchg_port_start(f->port), 0);
	return f->udp != NULL && f->pkt != NULL;
}

static void
stack_down(struct fx *f, struct rte_ring **rx, unsigned int nb_rx,
	   struct rte_ring *tx, const char *when)
{
	struct rte_mbuf *m = NULL;
	unsigned int i;

	xchg_port_stop(f->port);
	for (i = 0; i < nb_rx; i++)
		while (rte_ring_dequeue(rx[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
	while (rte_ring_dequeue(tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	if (f->udp != NULL)
		XT_EQ(xchg_socket_close(f->udp), 0);
	if (f->pkt != NULL)
		XT_EQ(xchg_socket_close(f->pkt), 0);
	XT_EQ(xchg_stack_free(f->s), 0);
	XT_EQ(xchg_port_free(f->port), 0);
	xt_census_ok(arena, when);
}

/* Every ring the stack delivers to from its RX queues is single-producer
 * exactly when the port has one RX queue; the capture never is. */
static void
expect_modes(struct fx *f, bool single, const char *who)
{
	char path[256];

	XT_CHECK(xchg_consumer_single_producer(f->s->arp) == single,
		 "%s: ARP service single-producer %d", who, !single);
	XT_CHECK(xchg_consumer_single_producer(f->s->icmp) == single,
		 "%s: ICMP service single-producer %d", who, !single);
	XT_CHECK(xchg_consumer_single_producer(f->udp->consumer) == single,
		 "%s: UDP socket single-producer %d", who, !single);
	XT_CHECK(xchg_consumer_single_producer(f->pkt->consumer) == single,
		 "%s: packet socket single-producer %d", who, !single);
	snprintf(path, sizeof(path), "%s/prod_%u.pcap", xt_tmpdir(),
		 (unsigned int)single);
	XT_EQ(xchg_stack_set_capture(f->s, path, 16, NULL, 0), 0);
	XT_CHECK(f->s->capture != NULL &&
		 !xchg_consumer_single_producer(f->s->capture),
		 "%s: the capture is multi-producer", who);
}

static void
test_modes(void)
{
	struct fx f;

	if (stack_up(&f, port1_id, 1))
		expect_modes(&f, true, "one RX queue");
	if (f.s != NULL)
		stack_down(&f, rx1, 1, tx1, "modes, one queue");
	if (stack_up(&f, port2_id, 2))
		expect_modes(&f, false, "two RX queues");
	if (f.s != NULL)
		stack_down(&f, rx2, 2, tx2, "modes, two queues");
}

/* The stress: one producer per RX queue of the two-queue stack. */
static struct fx stress;
static volatile bool producer_failed;

struct books {
	uint64_t got[2];        /* per producer, received by the app */
	uint32_t next[2];       /* the least sequence number still due */
	uint64_t out_of_order;
};

/* Frame @seq of producer @q into @m: its payload carries both. */
static bool
make_frame(struct rte_mbuf *m, uint8_t q, uint32_t seq)
{
	uint8_t f[64];
	unsigned int len = xt_udp_frame(f, UDP_PORT, 8);
	char *p = rte_pktmbuf_append(m, (uint16_t)len);

	if (p == NULL)
		return false;
	f[len - 8] = q;
	memcpy(f + len - 4, &seq, sizeof(seq));
	memcpy(p, f, len);
	return true;
}

/* The application reads the socket dry and checks each producer's
 * order: a frame may be missing (refused), never repeated or early. */
static void
app_read(struct books *b)
{
	struct rte_mbuf *m[BURST];
	unsigned int n, i;

	while ((n = xchg_socket_recv_burst(stress.udp, m, BURST)) != 0)
		for (i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(m[i],
							    const uint8_t *);
			uint32_t seq;
			uint8_t q = p[0];

			memcpy(&seq, p + 4, sizeof(seq));
			if (rte_pktmbuf_pkt_len(m[i]) != 8 || q > 1 ||
			    seq < b->next[q] || seq >= FRAMES) {
				b->out_of_order++;
			} else {
				b->got[q]++;
				b->next[q] = seq + 1;
			}
			rte_pktmbuf_free(m[i]);
		}
}

/* Send FRAMES frames into queue @q's ring, BURST at a time, and poll
 * that queue on this lcore until each burst is consumed; with @b, read
 * the socket before each burst. */
static void
produce(uint8_t q, struct books *b)
{
	struct rte_mbuf *m[BURST];
	uint32_t seq = 0;
	unsigned int i, n;

	while (seq < FRAMES) {
		n = RTE_MIN(BURST, FRAMES - seq);
		if (b != NULL)
			app_read(b);
		/* Short when the application holds many: retry. */
		if (rte_pktmbuf_alloc_bulk(mp, m, n) != 0) {
			rte_pause();
			continue;
		}
		for (i = 0; i < n; i++)
			if (!make_frame(m[i], q, seq + i))
				producer_failed = true;
		if (rte_ring_enqueue_bulk(rx2[q], (void **)m, n, NULL) != n) {
			producer_failed = true;
			rte_pktmbuf_free_bulk(m, n);
			return;
		}
		seq += n;
		while (rte_ring_count(rx2[q]) != 0)
			xchg_stack_rx(stress.s, q);
	}
}

static int
producer_lcore(void *arg __rte_unused)
{
	produce(1, NULL);
	return 0;
}

static void
test_two_lcores(void)
{
	struct xchg_socket_stats ss;
	struct xchg_stack_stats st;
	struct books b = { 0 };
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0), i;
	uint64_t drops = 0;

	XT_CHECK(lcore < RTE_MAX_LCORE, "a second lcore");
	if (lcore >= RTE_MAX_LCORE || !stack_up(&stress, port2_id, 2))
		goto out;
	XT_CHECK(!xchg_consumer_single_producer(stress.udp->consumer),
		 "the shared socket is multi-producer");
	XT_EQ(rte_eal_remote_launch(producer_lcore, NULL, lcore), 0);
	/* Queue 0 on this lcore, reading the socket between bursts. */
	produce(0, &b);
	/* The other lcore may still send: keep reading until it ends. */
	while (rte_eal_get_lcore_state(lcore) == RUNNING)
		app_read(&b);
	XT_EQ(rte_eal_wait_lcore(lcore), 0);
	app_read(&b);
	XT_CHECK(!producer_failed, "both lcores sent all their frames");

	memset(&ss, 0, sizeof(ss));
	XT_EQ(xchg_socket_stats_get(stress.udp, &ss), 0);
	XT_EQ(xchg_stack_stats_get(stress.s, &st), 0);
	/* The socket's refusals are the stack's no_buffers drops; no
	 * other drop, on either account. */
	for (i = 0; i < XCHG_SD_MAX; i++)
		if (i != XCHG_SD_NO_BUFFERS)
			drops += st.drops[i] + ss.drops[i];
	printf("two lcores: %u frames each; the application got %" PRIu64
	       " + %" PRIu64 ", the pool refused %" PRIu64 "\n", FRAMES,
	       b.got[0], b.got[1], ss.pool.refused);
	XT_EQ(b.out_of_order, 0);
	XT_EQ(st.frames, 2 * FRAMES);
	XT_EQ(drops, 0);
	XT_EQ(st.drops[XCHG_SD_NO_BUFFERS], ss.pool.refused);
	XT_EQ(ss.drops[XCHG_SD_NO_BUFFERS], 0);
	XT_EQ(ss.received, b.got[0] + b.got[1]);
	XT_EQ(ss.received + ss.pool.refused, 2 * FRAMES);
	XT_EQ(st.delivered, ss.received);
	XT_EQ(ss.pool.in_use, 0);
	XT_EQ(xchg_consumer_pending(stress.udp->consumer), 0);
out:
	if (stress.s != NULL)
		stack_down(&stress, rx2, 2, tx2, "two lcores");
}

static void
test_misuse(void)
{
	struct xchg_consumer *c = xchg_consumer_create(arena, "prod_c",
						       XCHG_KIND_SERVICE, 8);
	struct rte_mbuf *m[5];
	unsigned int i, n;

	XT_EQ(xchg_consumer_set_single_producer(NULL, true), -EINVAL);
	XT_EQ(xchg_consumer_set_single_producer(NULL, false), -EINVAL);
	XT_CHECK(!xchg_consumer_single_producer(NULL), "NULL reads false");
	XT_CHECK(c != NULL, "consumer");
	if (c == NULL)
		return;
	XT_CHECK(!xchg_consumer_single_producer(c), "multi by default");
	XT_EQ(rte_pktmbuf_alloc_bulk(mp, m, RTE_DIM(m)), 0);
	for (i = 0; i < RTE_DIM(m); i++)
		*rte_pktmbuf_mtod(m[i], uint8_t *) = (uint8_t)i;
	/* Frames queued in one mode, more in the other: no thread
	 * delivers while it changes, as the documentation asks. */
	XT_EQ(xchg_consumer_deliver(c, m, 3), 3);
	XT_EQ(xchg_consumer_set_single_producer(c, true), 0);
	XT_CHECK(xchg_consumer_single_producer(c), "reads back true");
	XT_EQ(xchg_consumer_deliver(c, m + 3, 2), 2);
	XT_EQ(xchg_consumer_set_single_producer(c, false), 0);
	XT_CHECK(!xchg_consumer_single_producer(c), "reads back false");
	XT_EQ(xchg_consumer_pending(c), 5);
	n = xchg_consumer_recv_burst(c, m, RTE_DIM(m));
	XT_EQ(n, RTE_DIM(m));
	for (i = 0; i < n; i++) {
		XT_EQ(*rte_pktmbuf_mtod(m[i], uint8_t *), i);
		rte_pktmbuf_free(m[i]);
	}
	XT_EQ(xchg_consumer_free(c), 0);
	xt_census_ok(arena, "misuse");
}

int
main(int argc __rte_unused, char **argv)
{
	int id;

	xt_eal_init(argv[0], "0-1", 0, NULL);
	arena = xt_arena("stack_producers", 4096, 0);
	mp = xchg_arena_mempool(arena);
	rx1[0] = rte_ring_create("prod_rx1", 1024, SOCKET_ID_ANY, 0);
	rx2[0] = rte_ring_create("prod_rx2a", 1024, SOCKET_ID_ANY, 0);
	rx2[1] = rte_ring_create("prod_rx2b", 1024, SOCKET_ID_ANY, 0);
	tx1 = rte_ring_create("prod_tx1", 1024, SOCKET_ID_ANY, 0);
	tx2 = rte_ring_create("prod_tx2", 1024, SOCKET_ID_ANY, 0);
	if (rx1[0] == NULL || rx2[0] == NULL || rx2[1] == NULL ||
	    tx1 == NULL || tx2 == NULL) {
		printf("no rings: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	id = rte_eth_from_rings("prod_one", rx1, 1, &tx1, 1, SOCKET_ID_ANY);
	XT_CHECK(id >= 0, "one-queue port");
	port1_id = (uint16_t)id;
	id = rte_eth_from_rings("prod_two", rx2, 2, &tx2, 1, SOCKET_ID_ANY);
	XT_CHECK(id >= 0, "two-queue port");
	port2_id = (uint16_t)id;
	if (xt_failures != 0)
		return xt_done("stack_producers");

	XT_RUN(test_modes);
	XT_RUN(test_two_lcores);
	XT_RUN(test_misuse);

	xt_port_close(port1_id);
	xt_port_close(port2_id);
	return xt_arena_done(arena, "stack_producers");
}
