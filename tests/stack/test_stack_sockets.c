/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Sockets at scale (issue 10 item 5): a stack holds thousands of sockets
 * and demuxes to each in O(1) (UDP by port, packet sockets by
 * ethertype). One arena has at most XCHG_ARENA_POOLS_MAX (4,094) pools,
 * each socket one of them, the port's queues and the stack's services
 * five more: the test binds every socket the arena can hold (4,089:
 * 4,073 UDP and 16 packet sockets), sends one frame to each through a
 * net_ring port and checks each socket got exactly its own. Then
 * xchg_stack_conf::max_sockets is checked to bound the stack.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_test.h"

#define NB_PACKET 16
#define FIRST_PORT 10000
#define FIRST_TYPE 0x88b5

static struct rte_mempool *mp;
static struct rte_ring *ring;
static struct xchg_arena *arena;
static uint16_t ring_id;

static uint16_t
csum(const uint8_t *p, unsigned int len)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP from 192.0.2.1:12345 to 192.0.2.2:@port, no UDP checksum. */
static void
inject_udp(uint16_t port)
{
	uint8_t f[60] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,
			  0x08, 0x00, 0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0,
			  192, 0, 2, 1, 192, 0, 2, 2, 0x30, 0x39 };
	uint16_t c;

	f[36] = port >> 8;
	f[37] = port & 0xff;
	f[39] = 12;               /* UDP length: 8 + 4 */
	memcpy(f + 42, &port, 2); /* a marker in the payload */
	c = csum(f + 14, 20);
	f[24] = c >> 8;
	f[25] = c & 0xff;
	xt_ring_put(ring, mp, f, sizeof(f));
}

static void
inject_type(uint16_t type)
{
	uint8_t f[60] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };

	f[12] = type >> 8;
	f[13] = type & 0xff;
	xt_ring_put(ring, mp, f, sizeof(f));
}

static void
poll_all(struct xchg_stack *s)
{
	unsigned int idle = 0;

	while (idle < 4)
		idle = xchg_stack_poll(s) == 0 ? idle + 1 : 0;
}

static void
test_many(void)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	static struct xchg_socket *socks[XCHG_ARENA_POOLS_MAX];
	struct xchg_arena_info ai;
	struct xchg_stack_stats st;
	struct xchg_port *port;
	struct xchg_stack *s;
	struct rte_mbuf *m[4];
	unsigned int i, n = 0, nb_udp, wrong = 0, missing = 0, sent = 0;
	char name[32];

	port = xchg_port_create(arena, ring_id, &pc);
	s = port != NULL ? xchg_stack_create(arena, port, NULL) : NULL;
	XT_CHECK(s != NULL, "stack: %s", rte_strerror(rte_errno));
	if (s == NULL)
		return;
	XT_EQ(xchg_stack_add_address(s, rte_cpu_to_be_32(0xc0000202), 24), 0);
	XT_EQ(xchg_arena_info_get(arena, &ai), 0);
	/* Every pool slot the arena has left. */
	while (n < RTE_DIM(socks)) {
		snprintf(name, sizeof(name), "s%u", n);
		socks[n] = n < NB_PACKET ?
			xchg_packet_socket(s, name, FIRST_TYPE + n, 1,
					   XCHG_PRIO_NORMAL) :
			xchg_udp_socket(s, name, 1, XCHG_PRIO_NORMAL);
		if (socks[n] == NULL)
			break;
		if (n >= NB_PACKET)
			XT_EQ(xchg_udp_bind(socks[n], 0,
					    (uint16_t)(FIRST_PORT + n)), 0);
		n++;
	}
	XT_EQ(rte_errno, EMFILE); /* the arena's pool slots, not the stack */
	XT_EQ(n, ai.max_pools - 5);
	printf("bound %u sockets (%u UDP, %u packet)\n", n, n - NB_PACKET,
	       NB_PACKET);
	nb_udp = n - NB_PACKET;
	XT_EQ(xchg_port_start(port), 0);

	/* One frame to each, in ring-sized rounds, each round checked. */
	for (i = 0; i < n; i++) {
		if (i < NB_PACKET)
			inject_type((uint16_t)(FIRST_TYPE + i));
		else
			inject_udp((uint16_t)(FIRST_PORT + i));
		if (++sent % 256 == 0 || i + 1 == n)
			poll_all(s);
	}
	for (i = 0; i < n; i++) {
		unsigned int got = xchg_socket_recv_burst(socks[i], m, 4);

		if (got != 1) {
			missing++;
		} else if (i >= NB_PACKET) {
			uint16_t mark;

			memcpy(&mark, rte_pktmbuf_mtod(m[0], uint8_t *), 2);
			wrong += mark != FIRST_PORT + i;
		} else {
			const uint8_t *p = rte_pktmbuf_mtod(m[0], uint8_t *);

			wrong += (uint16_t)(p[12] << 8 | p[13]) !=
				 FIRST_TYPE + i;
		}
		rte_pktmbuf_free_bulk(m, got);
	}
	XT_EQ(missing, 0);
	XT_EQ(wrong, 0);
	XT_EQ(xchg_stack_stats_get(s, &st), 0);
	XT_EQ(st.delivered, n);
	XT_EQ(st.frames, n);
	XT_EQ(nb_udp + NB_PACKET, n);
	xt_census_ok(arena, "many sockets");
	for (i = 0; i < n; i++)
		XT_EQ(xchg_socket_close(socks[i]), 0);
	xchg_port_stop(port);
	XT_EQ(xchg_stack_free(s), 0);
	XT_EQ(xchg_port_free(port), 0);
	xt_census_ok(arena, "many sockets closed");
}

static void
test_limit(void)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	struct xchg_stack_conf big = { .max_sockets = 65537 };
	struct xchg_stack_conf small = { .max_sockets = 4 };
	struct xchg_socket *socks[5];
	struct xchg_port *port;
	struct xchg_stack *s;
	unsigned int i;
	char name[32];

	port = xchg_port_create(arena, ring_id, &pc);
	XT_CHECK(port != NULL, "port");
	if (port == NULL)
		return;
	XT_CHECK(xchg_stack_create(arena, port, &big) == NULL,
		 "max_sockets above 65536");
	XT_EQ(rte_errno, EINVAL);
	s = xchg_stack_create(arena, port, &small);
	XT_CHECK(s != NULL, "stack: %s", rte_strerror(rte_errno));
	if (s == NULL) {
		xchg_port_free(port);
		return;
	}
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "lim%u", i);
		socks[i] = xchg_udp_socket(s, name, 1, XCHG_PRIO_NORMAL);
		XT_CHECK(socks[i] != NULL, "socket %u", i);
	}
	XT_CHECK(xchg_udp_socket(s, "lim4", 1, XCHG_PRIO_NORMAL) == NULL,
		 "a fifth socket");
	XT_EQ(rte_errno, EMFILE);
	XT_CHECK(xchg_pool_lookup(arena, "lim4") == NULL, "no pool left");
	XT_EQ(xchg_socket_close(socks[1]), 0);
	socks[4] = xchg_udp_socket(s, "lim4", 1, XCHG_PRIO_NORMAL);
	XT_CHECK(socks[4] != NULL, "a slot freed by close is used again");
	XT_EQ(xchg_stack_free(s), 0);
	XT_EQ(xchg_port_free(port), 0);
	xt_census_ok(arena, "limit");
}

/* A socket's received figure is its own: kept per lcore for its slot, it
 * counts every frame read and starts from zero when a later socket
 * takes the slot. */
static unsigned int
read_one(struct xchg_socket *sock, struct xchg_stack *s, uint16_t port)
{
	struct rte_mbuf *m[4];
	unsigned int got;

	inject_udp(port);
	poll_all(s);
	got = xchg_socket_recv_burst(sock, m, RTE_DIM(m));
	rte_pktmbuf_free_bulk(m, got);
	return got;
}

static void
test_counters_follow_the_socket(void)
{
	struct xchg_port_conf pc = { .nb_rx_desc = 64, .nb_tx_desc = 64 };
	struct xchg_stack_conf one = { .max_sockets = 1 };
	struct xchg_socket_stats ss;
	struct xchg_socket *sock;
	struct xchg_port *port;
	struct xchg_stack *s;

	port = xchg_port_create(arena, ring_id, &pc);
	s = port != NULL ? xchg_stack_create(arena, port, &one) : NULL;
	XT_CHECK(s != NULL, "stack: %s", rte_strerror(rte_errno));
	if (s == NULL) {
		xchg_port_free(port);
		return;
	}
	XT_EQ(xchg_stack_add_address(s, rte_cpu_to_be_32(0xc0000202), 24), 0);
	XT_EQ(xchg_port_start(port), 0);
	sock = xchg_udp_socket(s, "first", 4, XCHG_PRIO_NORMAL);
	XT_CHECK(sock != NULL, "first socket");
	XT_EQ(xchg_udp_bind(sock, 0, 5000), 0);
	XT_EQ(read_one(sock, s, 5000), 1);
	XT_EQ(read_one(sock, s, 5000), 1);
	XT_EQ(xchg_socket_stats_get(sock, &ss), 0);
	XT_EQ(ss.received, 2);
	XT_EQ(xchg_socket_close(sock), 0);
	/* One slot: the second socket takes the first one's. */
	sock = xchg_udp_socket(s, "second", 4, XCHG_PRIO_NORMAL);
	XT_CHECK(sock != NULL, "second socket");
	XT_EQ(xchg_udp_bind(sock, 0, 5001), 0);
	XT_EQ(xchg_socket_stats_get(sock, &ss), 0);
	XT_EQ(ss.received, 0);
	XT_EQ(read_one(sock, s, 5001), 1);
	XT_EQ(xchg_socket_stats_get(sock, &ss), 0);
	XT_EQ(ss.received, 1);
	XT_EQ(xchg_socket_close(sock), 0);
	xchg_port_stop(port);
	XT_EQ(xchg_stack_free(s), 0);
	XT_EQ(xchg_port_free(port), 0);
	xt_census_ok(arena, "counters follow the socket");
}

int
main(int argc __rte_unused, char **argv)
{
	struct xchg_arena_conf ac = {
		.name = "sockets", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = 8192, .max_pools = XCHG_ARENA_POOLS_MAX,
	};

	xt_ring_init(argv[0], "stack_sockets", NULL, &ring, &ring_id);
	arena = xt_arena_conf(&ac);
	mp = xchg_arena_mempool(arena);
	XT_RUN(test_many);
	XT_RUN(test_limit);
	XT_RUN(test_counters_follow_the_socket);
	return xt_arena_done(arena, "stack_sockets");
}
