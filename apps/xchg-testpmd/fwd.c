/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Forwarding engines and consumer behaviours. In the forwarding modes
 * every port's frames are exchanged into one consumer, "fwd", whose pool
 * is its reservation; the engine then processes what fwd receives
 * according to its behaviour: at once (normal), after holding them
 * (slow), or never (hog). Whatever fwd does, the ports keep receiving.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "testpmd.h"

/* Each forwarding lcore has its own fwd consumer: a frame goes to the
 * consumer of the lcore that polled it. */
static struct xchg_consumer *
to_fwd(struct rte_mbuf *m __rte_unused, void *ctx __rte_unused,
       enum xchg_drop_reason *reason __rte_unused)
{
	unsigned int id = rte_lcore_id();
	struct tp_consumer *c = id < RTE_MAX_LCORE ? tp.by_lcore[id] : NULL;

	return c != NULL ? c->consumer : NULL;
}

bool
tp_fwd_consumer(const struct tp_consumer *c)
{
	return c->consumer != NULL && c->socket == NULL;
}

static int
consumer_add(const char *name, struct xchg_consumer *consumer,
	     struct xchg_socket *socket, uint32_t hold_max)
{
	struct tp_consumer *c = &tp.consumers[tp.nb_consumers];

	if (tp.nb_consumers == TP_MAX_CONSUMERS)
		return -ENOSPC;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->consumer = consumer;
	c->socket = socket;
	c->held_cap = hold_max;
	c->held = calloc(hold_max, sizeof(*c->held));
	c->held_at = calloc(hold_max, sizeof(*c->held_at));
	if (c->held == NULL || c->held_at == NULL)
		return -ENOMEM;
	tp.nb_consumers++;
	return 0;
}

static int
ports_setup(void)
{
	struct xchg_port_conf conf = {
		.nb_rx_queues = tp.rxq, .nb_tx_queues = tp.txq,
		.nb_rx_desc = tp.rxd, .nb_tx_desc = tp.txd,
	};
	unsigned int i;
	int ret;

	if (tp.mode != TP_ICMPECHO && tp.mode != TP_STACK) {
		/* "fwd" with one forwarding lcore, fwd0, fwd1... with more;
		 * in shared mode each may take the whole arena. */
		for (i = 0; i < tp.nb_lcores; i++) {
			struct xchg_consumer *fwd;
			char name[XCHG_NAME_SIZE];

			if (tp.nb_lcores == 1)
				snprintf(name, sizeof(name), "fwd");
			else
				snprintf(name, sizeof(name), "fwd%u", i);
			fwd = xchg_consumer_create(tp.arena, name,
						   XCHG_KIND_SOCKET,
						   tp.shared ? tp.buffers :
						   tp.quota);
			if (fwd == NULL) {
				fprintf(stderr, "xchg-testpmd: consumer %s, quota %u: %s\n",
					name, tp.shared ? tp.buffers : tp.quota,
					rte_strerror(rte_errno));
				return -rte_errno;
			}
			ret = consumer_add(name, fwd, NULL, tp.buffers);
			if (ret != 0)
				return ret;
			tp.consumers[tp.nb_consumers - 1].lcore = &tp.lcores[i];
			tp.by_lcore[tp.lcores[i].lcore_id] =
				&tp.consumers[tp.nb_consumers - 1];
		}
		conf.demux = to_fwd;
	}
	for (i = 0; i < tp.nb_ports; i++) {
		struct tp_port *p = &tp.ports[i];

		p->port = xchg_port_create(tp.arena, p->port_id, &conf);
		if (p->port == NULL) {
			fprintf(stderr, "xchg-testpmd: port %u: %s\n",
				p->port_id, rte_strerror(rte_errno));
			return -rte_errno;
		}
		p->peer = (uint16_t)(tp.nb_ports > 1 ? i ^ 1 : i);
		if (p->peer >= tp.nb_ports)
			p->peer = (uint16_t)i; /* an odd last port sends back */
	}
	return 0;
}

/* icmpecho: the stack's ARP, ICMP, ND and ICMPv6 services on port 0,
 * nothing else. */
static int
icmpecho_setup(void)
{
	/* 2001:db8::1/64, and the link-local address it brings. */
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	int ret;

	tp.stack = xchg_stack_create(tp.arena, tp.ports[0].port, NULL);
	if (tp.stack == NULL)
		return -rte_errno;
	/* 192.0.2.1/24; not RTE_IPV4(), which shifts a signed int. */
	ret = xchg_stack_add_address(tp.stack,
				     rte_cpu_to_be_32(UINT32_C(0xc0000201)),
				     24);
	return ret != 0 ? ret : xchg_stack_add_address6(tp.stack, ip6, 64);
}

/* stack: the whole set-up of a configuration file; its sockets are the
 * consumers, with the behaviours of its [replay] section. */
static int
stack_setup(void)
{
	char err[XCHG_CONFIG_ERR_SIZE];
	unsigned int i;
	int ret;

	if (tp.shared)
		xchg_config_set_shared(tp.config, true);
	if (xchg_config_check_sizing(tp.config, rte_lcore_count(), err,
				     sizeof(err)) != 0) {
		fprintf(stderr, "xchg-testpmd: %s\n", err);
		return -ENOSPC;
	}
	tp.setup = xchg_config_setup_create(tp.config, err, sizeof(err));
	if (tp.setup == NULL) {
		fprintf(stderr, "xchg-testpmd: %s\n", err);
		return -rte_errno;
	}
	tp.arena = xchg_config_setup_arena(tp.setup);
	tp.buffers = tp.config->arena.buffers;
	tp.nb_ports = 0;
	for (i = 0; i < tp.config->nb_ports && i < TP_MAX_PORTS; i++) {
		tp.ports[i].port = xchg_config_setup_port(tp.setup, i);
		tp.ports[i].port_id = xchg_port_id(tp.ports[i].port);
		tp.nb_ports++;
	}
	for (i = 0; i < tp.config->nb_sockets; i++) {
		struct tp_consumer *c;

		ret = consumer_add(tp.config->sockets[i].name, NULL,
				   xchg_config_setup_socket(tp.setup, i),
				   tp.buffers);
		if (ret != 0)
			return ret;
		c = &tp.consumers[tp.nb_consumers - 1];
		c->lcore = &tp.lcores[0];
		if (tp.config->behaviour[i] == XCHG_BEHAVIOUR_HOG) {
			c->behaviour = TP_HOG;
		} else if (tp.config->behaviour[i] == XCHG_BEHAVIOUR_HOLD) {
			/* Keeps the last N: slow with no time limit. */
			c->behaviour = TP_SLOW;
			c->slow_n = tp.config->hold[i];
			c->slow_ms = 60000;
		}
	}
	ret = xchg_config_setup_start(tp.setup, err, sizeof(err));
	if (ret != 0)
		fprintf(stderr, "xchg-testpmd: %s\n", err);
	return ret;
}

int
tp_setup(void)
{
	struct xchg_arena_conf aconf = {
		.name = "testpmd", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = tp.buffers, .overcommit = tp.shared,
	};
	unsigned int i;
	int ret;

	tp.hz = rte_get_timer_hz();
	if (tp.mode == TP_STACK)
		return stack_setup();
	tp.arena = xchg_arena_create(&aconf);
	if (tp.arena == NULL) {
		fprintf(stderr, "xchg-testpmd: arena of %u buffers: %s\n",
			tp.buffers, rte_strerror(rte_errno));
		return -rte_errno;
	}
	ret = ports_setup();
	if (ret == 0 && tp.mode == TP_ICMPECHO)
		ret = icmpecho_setup();
	for (i = 0; ret == 0 && i < tp.nb_ports; i++) {
		ret = xchg_port_start(tp.ports[i].port);
		if (ret == 0)
			rte_eth_promiscuous_enable(tp.ports[i].port_id);
	}
	if (ret != 0)
		fprintf(stderr, "xchg-testpmd: set-up failed: %s\n",
			rte_strerror(-ret));
	return ret;
}

void
tp_release_held(struct tp_consumer *c)
{
	while (c->held_len != 0) {
		rte_pktmbuf_free(c->held[c->held_head]);
		c->held_head = (c->held_head + 1) % c->held_cap;
		c->held_len--;
	}
}

void
tp_teardown(void)
{
	const char *leaky = NULL;
	unsigned int i;
	struct xchg_census census;
	uint32_t lost = 0;

	tp_fwd_stop();
	if (tp.setup != NULL) {
		for (i = 0; i < tp.nb_consumers; i++) {
			tp_release_held(&tp.consumers[i]);
			free(tp.consumers[i].held);
			free(tp.consumers[i].held_at);
		}
		if (xchg_config_setup_free(tp.setup) != 0) {
			fprintf(stderr, "xchg-testpmd: the set-up could not be torn down: buffers are still out; who holds them:\n");
			xchg_census_print_holders(stderr);
		}
		return;
	}

	for (i = 0; i < tp.nb_ports; i++)
		if (tp.ports[i].port != NULL)
			xchg_port_stop(tp.ports[i].port);
	for (i = 0; i < tp.nb_consumers; i++)
		tp_release_held(&tp.consumers[i]);
	if (tp.stack != NULL)
		xchg_stack_free(tp.stack);
	for (i = 0; i < tp.nb_consumers; i++) {
		if (tp.consumers[i].consumer != NULL)
			xchg_consumer_free(tp.consumers[i].consumer);
		free(tp.consumers[i].held);
		free(tp.consumers[i].held_at);
	}
	/* The program owns its ports: closing them makes every PMD give
	 * back what its rings hold and the TX frames it parked (some keep
	 * them until close), before the reservations and the arena go. */
	for (i = 0; i < tp.nb_ports; i++) {
		struct rte_eth_dev_info info;

		/* net_af_xdp and net_memif zero copy never free their
		 * ring's buffers, even when closed. */
		if (rte_eth_dev_info_get(tp.ports[i].port_id, &info) == 0 &&
		    (strcmp(info.driver_name, "net_af_xdp") == 0 ||
		     strcmp(info.driver_name, "net_memif") == 0))
			leaky = info.driver_name;
		rte_eth_dev_close(tp.ports[i].port_id);
		if (tp.ports[i].port != NULL &&
		    xchg_port_free(tp.ports[i].port) != 0)
			fprintf(stderr, "xchg-testpmd: port %u: not freed\n",
				tp.ports[i].port_id);
	}
	if (leaky != NULL && xchg_arena_census(tp.arena, &census) != -EINVAL &&
	    census.nb_pools == 0 && census.in_rings != 0 &&
	    xchg_arena_free_abandoned(tp.arena, &lost) == 0) {
		printf("xchg-testpmd: %s kept %u buffers after its device was closed (it does not free its ring's buffers when closed): the arena's memory is freed with them\n",
		       leaky, lost);
		return;
	}
	if (xchg_arena_free(tp.arena) != 0) {
		fprintf(stderr, "xchg-testpmd: the arena could not be freed: buffers are still out; who holds them:\n");
		xchg_census_print_holders(stderr);
	}
}

/* echo: the datagram back to its sender, over the family it came by,
 * from the socket's own reservation (the frame itself: the stack puts
 * the headers back). A reply to a sender not resolved yet waits for it
 * in the socket's pending queue: taken, so echoed. */
static void
echo(struct tp_consumer *c, struct rte_mbuf *m)
{
	uint8_t ip6[16];
	rte_be32_t ip;
	uint16_t port;
	int ret = xchg_udp_source(m, &ip, &port);

	if ((ret == 0 &&
	     xchg_udp_send_burst(c->socket, ip, port, &m, 1) == 1) ||
	    (ret == -EAFNOSUPPORT && xchg_udp_source6(m, ip6, &port) == 0 &&
	     xchg_udp_send_burst6(c->socket, ip6, port, &m, 1) == 1)) {
		c->echoed++;
		return;
	}
	c->echo_failed++;
	rte_pktmbuf_free(m);
}

/* What the engine does with one frame it is done holding. */
static void
process(struct tp_lcore *lc, struct tp_consumer *c, struct rte_mbuf *m,
	unsigned int from)
{
	struct xchg_pool *pool = xchg_consumer_pool(c->consumer);
	struct rte_ether_hdr *eth;
	struct rte_ether_addr tmp;
	struct tp_port *p;

	c->processed++;
	if (c->behaviour == TP_ECHO && c->socket != NULL) {
		echo(c, m);
		return;
	}
	if (tp.mode == TP_RXONLY || tp.mode == TP_TXONLY ||
	    tp.mode == TP_FLOWGEN || tp.mode == TP_STACK ||
	    tp.mode == TP_ICMPECHO || from >= tp.nb_ports) {
		rte_pktmbuf_free(m);
		return;
	}
	if (tp.mode == TP_MACSWAP) {
		if (rte_pktmbuf_data_len(m) < 2 * RTE_ETHER_ADDR_LEN) {
			rte_pktmbuf_free(m); /* no addresses to swap */
			return;
		}
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		tmp = eth->dst_addr;
		eth->dst_addr = eth->src_addr;
		eth->src_addr = tmp;
	}
	p = &tp.ports[tp.ports[from].peer];
	if (tp.mode == TP_CSUM)
		tp_csum_frame(m, p->port_id);
	/* The TX queue pays; what it cannot take is dropped here. Each
	 * lcore sends on its own TX queue. */
	if (xchg_port_tx(p->port, (uint16_t)lc->index, pool, &m, 1) == 1) {
		lc->fs.tx[tp.ports[from].peer]++;
	} else {
		lc->fs.tx_dropped[tp.ports[from].peer]++;
		rte_pktmbuf_free(m);
	}
}

/* The index in tp.ports of the port a frame came in on. */
static unsigned int
port_index(const struct rte_mbuf *m)
{
	unsigned int i;

	for (i = 0; i < tp.nb_ports; i++)
		if (tp.ports[i].port_id == m->port)
			return i;
	return TP_MAX_PORTS;
}

static void take(struct tp_lcore *lc, struct tp_consumer *c,
		 struct rte_mbuf **m, unsigned int n, uint64_t now);

static void
release_one(struct tp_lcore *lc, struct tp_consumer *c)
{
	struct rte_mbuf *m = c->held[c->held_head];

	process(lc, c, m, port_index(m));
	c->held_head = (c->held_head + 1) % c->held_cap;
	c->held_len--;
}

/* Apply the behaviour to what the consumer received: hold what must be
 * held, process the rest. */
static void
consume(struct tp_lcore *lc, struct tp_consumer *c, uint64_t now)
{
	struct rte_mbuf *m[TP_MAX_BURST];
	unsigned int n;

	do {
		n = c->consumer != NULL ?
		    xchg_consumer_recv_burst(c->consumer, m, tp.burst) :
		    xchg_socket_recv_burst(c->socket, m, tp.burst);
		take(lc, c, m, n, now);
	} while (n == tp.burst);
	if (c->behaviour != TP_SLOW)
		return;
	while (c->held_len != 0 &&
	       (c->held_len > c->slow_n ||
		now - c->held_at[c->held_head] >= c->slow_ms * tp.hz / 1000))
		release_one(lc, c);
}

static void
take(struct tp_lcore *lc, struct tp_consumer *c, struct rte_mbuf **m,
     unsigned int n, uint64_t now)
{
	unsigned int i, from;

	c->received += n;
	for (i = 0; i < n; i++) {
		from = port_index(m[i]);
		if (from < tp.nb_ports)
			lc->fs.rx[from]++;
		if (c->behaviour == TP_NORMAL || c->behaviour == TP_ECHO) {
			process(lc, c, m[i], from);
			continue;
		}
		/* The arena bounds what can be held, quota resized or not;
		 * a full hold still lets the oldest go rather than lose one. */
		if (c->held_len == c->held_cap)
			release_one(lc, c);
		c->held[(c->held_head + c->held_len) % c->held_cap] = m[i];
		c->held_at[(c->held_head + c->held_len) % c->held_cap] = now;
		c->held_len++;
	}
}

/* One pass of one forwarding lcore: its streams (or the stack), then
 * its consumers. */
void
tp_forward_lcore(struct tp_lcore *lc)
{
	uint64_t now = rte_get_timer_cycles();
	unsigned int i;

	if (lc->polls_stack) {
		if (tp.setup != NULL)
			xchg_config_setup_poll(tp.setup);
		else
			xchg_stack_poll(tp.stack);
	}
	for (i = 0; i < lc->nb_streams; i++)
		xchg_port_rx(tp.ports[lc->streams[i].port].port,
			     lc->streams[i].queue);
	if (tp.mode == TP_TXONLY || tp.mode == TP_FLOWGEN)
		for (i = 0; i < lc->nb_streams; i++)
			tp_gen_stream(lc, &lc->streams[i]);
	for (i = 0; i < tp.nb_consumers; i++)
		if (tp.consumers[i].lcore == lc)
			consume(lc, &tp.consumers[i], now);
}

/* start tx_first: a burst on every port before forwarding starts, from
 * the first fwd consumer's reservation, as testpmd's txonly frames
 * (frame.c). */
int
tp_tx_first(void)
{
	struct tp_consumer *c = tp.by_lcore[tp.lcores[0].lcore_id];
	struct xchg_pool *pool = c != NULL ? xchg_consumer_pool(c->consumer) :
				 NULL;
	struct rte_mbuf *m[TP_MAX_BURST];
	unsigned int i, k, sent;

	if (pool == NULL)
		return -ENOTSUP;
	for (i = 0; i < tp.nb_ports; i++) {
		for (k = 0; k < tp.burst; k++)
			if (tp_frame_udp(pool, &m[k], tp.ports[i].port_id,
					 0) != 0)
				break;
		if (k < tp.burst) {
			rte_pktmbuf_free_bulk(m, k);
			printf("tx_first: port %u: no %u frames of %u segment(s) in %s's reservation\n",
			       tp.ports[i].port_id, tp.burst, tp.nb_txpkts,
			       c->name);
			continue;
		}
		sent = xchg_port_tx(tp.ports[i].port, 0, pool, m, tp.burst);
		rte_pktmbuf_free_bulk(&m[sent], tp.burst - sent);
		tp.lcores[0].fs.tx[i] += sent;
		tp.lcores[0].fs.tx_dropped[i] += tp.burst - sent;
		printf("tx_first: port %u: %u of %u frames sent\n",
		       tp.ports[i].port_id, sent, tp.burst);
	}
	return 0;
}
