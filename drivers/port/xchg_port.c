/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Port set-up on an arena: a reservation per queue, checked against the
 * sizing invariant before the PMD is given a single descriptor.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "xchg_port_private.h"

RTE_LOG_REGISTER(xchg_port_logtype, xchg.port, INFO);

#define DEFAULT_DESC 512
#define DEFAULT_RX_SLACK 64
#define DEFAULT_TX_SLACK 32

static pthread_mutex_t ports_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xchg_port *ports[RTE_MAX_ETHPORTS];

static const char * const drop_names[XCHG_DROP_MAX] = {
	[XCHG_DROP_NO_CONSUMER] = "no_consumer",
	[XCHG_DROP_NO_BUFFERS] = "no_buffers",
	[XCHG_DROP_MALFORMED] = "malformed",
	[XCHG_DROP_REJECTED] = "rejected",
};

const char *
xchg_drop_reason_name(enum xchg_drop_reason reason)
{
	return (unsigned int)reason < XCHG_DROP_MAX ? drop_names[reason] :
						      "unknown";
}

static void
conf_defaults(struct xchg_port_conf *c)
{
	c->nb_rx_queues = c->nb_rx_queues ? c->nb_rx_queues : 1;
	c->nb_tx_queues = c->nb_tx_queues ? c->nb_tx_queues : 1;
	c->nb_rx_desc = c->nb_rx_desc ? c->nb_rx_desc : DEFAULT_DESC;
	c->nb_tx_desc = c->nb_tx_desc ? c->nb_tx_desc : DEFAULT_DESC;
	c->rx_slack = c->rx_slack ? c->rx_slack : DEFAULT_RX_SLACK;
	c->tx_slack = c->tx_slack ? c->tx_slack : DEFAULT_TX_SLACK;
}

static int
configure(struct xchg_port *p, struct xchg_port_conf *c)
{
	struct rte_eth_conf eth_conf = { 0 };
	struct rte_eth_dev_info info;
	int ret;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret != 0)
		return ret;
	if (c->nb_rx_queues > info.max_rx_queues ||
	    c->nb_tx_queues > info.max_tx_queues) {
		PORT_LOG(ERR, "port %u (%s): %u RX and %u TX queues asked, the PMD has at most %u and %u\n",
			 p->port_id, info.driver_name, c->nb_rx_queues,
			 c->nb_tx_queues, info.max_rx_queues,
			 info.max_tx_queues);
		return -EINVAL;
	}
	if (c->nb_rx_queues > 1 && info.flow_type_rss_offloads != 0) {
		eth_conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		eth_conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads & (RTE_ETH_RSS_IP |
				RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
	}
	/* Fast free puts a TX batch straight to free[0]->pool with no
	 * refcnt or indirect check; a clone sent on the port (it shares
	 * its direct buffer) would then be marked free while referenced. */
	if (c->tx_offloads & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		PORT_LOG(INFO, "port %u: tx offload MBUF_FAST_FREE not enabled: it skips the refcnt check clones need\n",
			 p->port_id);
	eth_conf.txmode.offloads = c->tx_offloads & info.tx_offload_capa &
				   ~RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	p->tx_offloads = eth_conf.txmode.offloads;
	ret = rte_eth_dev_configure(p->port_id, c->nb_rx_queues,
				    c->nb_tx_queues, &eth_conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id,
				&c->nb_rx_desc, &c->nb_tx_desc);
	return ret;
}

/* A reservation for one queue, or a message that says what is missing. */
static struct xchg_pool *
queue_pool(struct xchg_port *p, bool rx, uint16_t q, uint32_t quota)
{
	struct xchg_arena_info info;
	struct xchg_pool *pool;
	char name[XCHG_NAME_SIZE];

	snprintf(name, sizeof(name), "port%u_%sq%u", p->port_id,
		 rx ? "rx" : "tx", q);
	pool = xchg_pool_create(p->arena, name, rx ? XCHG_KIND_RX_QUEUE :
				XCHG_KIND_TX_QUEUE, quota);
	if (pool == NULL && rte_errno == ENOSPC &&
	    xchg_arena_info_get(p->arena, &info) == 0)
		PORT_LOG(ERR, "port %u %s queue %u: needs %u buffers (descriptors + slack), arena %s has %u unreserved: %u buffers missing\n",
			 p->port_id, rx ? "RX" : "TX", q, quota, info.name,
			 info.unreserved, quota - info.unreserved);
	return pool;
}

/* Every queue's reservation against the arena before any is made, so
 * a short arena is told the port's whole need, not the first queue's. */
static int
check_room(struct xchg_port *p, const struct xchg_port_conf *c)
{
	struct xchg_arena_info info;
	uint64_t rx = (uint64_t)c->nb_rx_desc + c->rx_slack;
	uint64_t tx = (uint64_t)c->nb_tx_desc + c->tx_slack;
	uint64_t need = p->nb_rxq * rx + p->nb_txq * tx;

	if (xchg_arena_info_get(p->arena, &info) != 0 || info.overcommit ||
	    need <= info.unreserved)
		return 0;
	PORT_LOG(ERR, "port %u: needs %" PRIu64 " buffers (RX %u x (descriptors %u + slack %u) = %" PRIu64 ", TX %u x (descriptors %u + slack %u) = %" PRIu64 "), arena %s has %u unreserved: %" PRIu64 " buffers missing\n",
		 p->port_id, need, p->nb_rxq, c->nb_rx_desc, c->rx_slack,
		 p->nb_rxq * rx, p->nb_txq, c->nb_tx_desc, c->tx_slack,
		 p->nb_txq * tx, info.name, info.unreserved,
		 need - info.unreserved);
	rte_errno = ENOSPC;
	return -ENOSPC;
}

/* What the PMD is known to keep per RX queue beyond its descriptors,
 * from its name and device arguments, or 0. */
static uint32_t
known_hold(const struct rte_eth_dev_info *info, uint16_t rx_desc)
{
	const struct rte_devargs *da = info->device != NULL ?
				       rte_dev_devargs(info->device) : NULL;
	char dev[RTE_ETH_NAME_MAX_LEN + 512];
	uint32_t hold;

	snprintf(dev, sizeof(dev), "%s,%s", info->driver_name,
		 da != NULL && da->args != NULL ? da->args : "");
	hold = xchg_port_pmd_rx_hold(dev, rx_desc);
	return hold > rx_desc ? hold : 0;
}

static int
setup_queues(struct xchg_port *p, const struct xchg_port_conf *c)
{
	struct rte_mempool *mp = xchg_arena_mempool(p->arena);
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	int socket = rte_eth_dev_socket_id(p->port_id);
	uint32_t before;
	uint16_t q;
	int ret;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret != 0)
		return ret;
	p->driver = info.driver_name;
	p->nb_rx_desc = c->nb_rx_desc;
	p->rx_slack = c->rx_slack;
	p->rx_hold = RTE_MAX(c->rx_hold, known_hold(&info, c->nb_rx_desc));
	ret = check_room(p, c);
	if (ret != 0)
		return ret;
	/* One undrained queue must not stall the whole port. */
	rxconf = info.default_rxconf;
	rxconf.rx_drop_en = 1;

	for (q = 0; q < p->nb_rxq; q++) {
		p->rxq[q].pool = queue_pool(p, true, q,
					    c->nb_rx_desc + c->rx_slack);
		if (p->rxq[q].pool == NULL)
			return -rte_errno;
		/* What the PMD takes here with no owner is this queue's
		 * (net_af_xdp fills its fill ring at set-up). */
		before = xchg_port_unowned(p->arena);
		ret = rte_eth_rx_queue_setup(p->port_id, q, c->nb_rx_desc,
					     socket, &rxconf, mp);
		if (ret != 0)
			return ret;
		p->rxq[q].held = xchg_port_unowned(p->arena) - before;
	}
	for (q = 0; q < p->nb_txq; q++) {
		p->txq[q].pool = queue_pool(p, false, q,
					    c->nb_tx_desc + c->tx_slack);
		if (p->txq[q].pool == NULL)
			return -rte_errno;
		ret = rte_eth_tx_queue_setup(p->port_id, q, c->nb_tx_desc,
					     socket, NULL);
		if (ret != 0)
			return ret;
	}
	return 0;
}

static void
release_pools(struct xchg_port *p)
{
	uint16_t q;

	for (q = 0; p->rxq != NULL && q < p->nb_rxq; q++)
		if (p->rxq[q].pool != NULL)
			xchg_pool_free(p->rxq[q].pool);
	for (q = 0; p->txq != NULL && q < p->nb_txq; q++)
		if (p->txq[q].pool != NULL)
			xchg_pool_free(p->txq[q].pool);
}

static void
port_destroy(struct xchg_port *p)
{
	release_pools(p);
	rte_free(p->rxq);
	rte_free(p->txq);
	rte_free(p);
}

struct xchg_port *
xchg_port_create(struct xchg_arena *arena, uint16_t port_id,
		 const struct xchg_port_conf *conf)
{
	struct xchg_port_conf c = { 0 };
	struct xchg_port *p;
	int ret;

	if (arena == NULL || !rte_eth_dev_is_valid_port(port_id)) {
		PORT_LOG(ERR, "port %u: %s\n", port_id, arena == NULL ?
			 "arena is NULL" : "no such ethdev port");
		rte_errno = EINVAL;
		return NULL;
	}
	if (conf != NULL)
		c = *conf;
	conf_defaults(&c);
	xchg_port_telemetry_init();

	pthread_mutex_lock(&ports_lock);
	if (ports[port_id] != NULL) {
		pthread_mutex_unlock(&ports_lock);
		PORT_LOG(ERR, "port %u: already bound to an arena\n", port_id);
		rte_errno = EEXIST;
		return NULL;
	}
	p = rte_zmalloc("xchg_port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p != NULL) {
		p->rxq = rte_zmalloc("xchg_rxq",
				     sizeof(*p->rxq) * c.nb_rx_queues,
				     RTE_CACHE_LINE_SIZE);
		p->txq = rte_zmalloc("xchg_txq",
				     sizeof(*p->txq) * c.nb_tx_queues,
				     RTE_CACHE_LINE_SIZE);
	}
	if (p == NULL || p->rxq == NULL || p->txq == NULL) {
		pthread_mutex_unlock(&ports_lock);
		if (p != NULL)
			port_destroy(p);
		rte_errno = ENOMEM;
		return NULL;
	}
	p->port_id = port_id;
	p->arena = arena;
	p->nb_rxq = c.nb_rx_queues;
	p->nb_txq = c.nb_tx_queues;
	p->tx_mode = c.tx_mode;
	p->demux = c.demux;
	p->demux_ctx = c.demux_ctx;

	ret = configure(p, &c);
	if (ret == 0)
		ret = setup_queues(p, &c);
	if (ret != 0) {
		pthread_mutex_unlock(&ports_lock);
		PORT_LOG(ERR, "port %u: not bound: %s\n", port_id,
			 rte_strerror(-ret));
		port_destroy(p);
		rte_errno = -ret;
		return NULL;
	}
	ports[port_id] = p;
	pthread_mutex_unlock(&ports_lock);
	return p;
}

int
xchg_port_start(struct xchg_port *p)
{
	uint32_t before, after;
	int ret;

	if (p == NULL)
		return -EINVAL;
	if (p->started)
		return 0;
	/* What leaves the arena with no owner during the start is the
	 * RX queues' (a NIC fills its rings here), shared among them. */
	before = xchg_port_unowned(p->arena);
	ret = rte_eth_dev_start(p->port_id);
	if (ret != 0)
		return ret;
	after = xchg_port_unowned(p->arena);
	ret = xchg_port_charge_holds(p, after > before ? after - before : 0);
	if (ret != 0) {
		rte_eth_dev_stop(p->port_id);
		return ret;
	}
	xchg_port_kernel_base(p);
	/* Pairs with the acquire loads in xchg_port_rx() and _tx(). */
	__atomic_store_n(&p->started, true, __ATOMIC_RELEASE);
	return 0;
}

/* Ask TX queue @q's PMD to free what it completed until the queue's
 * reservation is whole, for at most STOP_DRAIN_MS: a peer (net_memif's)
 * may need a moment to consume what was sent last, and some PMDs keep
 * what they hold even after close. */
#define STOP_DRAIN_MS 200

static void
tx_drain(struct xchg_port *p, uint16_t q)
{
	struct xchg_pool_stats s;
	unsigned int ms;

	/* Nothing held, nothing to ask: a PMD is called only for what it
	 * keeps (see xchg_port_tx_reclaim() on net_memif's copy mode). */
	for (ms = 0; ms < STOP_DRAIN_MS; ms++) {
		if (xchg_pool_stats_get(p->txq[q].pool, &s) != 0 ||
		    s.in_use == 0)
			return;
		xchg_port_tx_reclaim(p, q);
		rte_delay_us_sleep(1000);
	}
}

int
xchg_port_stop(struct xchg_port *p)
{
	uint16_t q;
	int ret;

	if (p == NULL)
		return -EINVAL;
	if (!p->started)
		return 0;
	/* A PMD that frees sent frames lazily gives them back now, while
	 * it still runs, so the TX reservations come back whole. */
	for (q = 0; q < p->nb_txq; q++)
		tx_drain(p, q);
	__atomic_store_n(&p->started, false, __ATOMIC_RELEASE);
	ret = rte_eth_dev_stop(p->port_id);
	if (ret != 0)
		__atomic_store_n(&p->started, true, __ATOMIC_RELEASE);
	return ret;
}

int
xchg_port_free(struct xchg_port *p)
{
	struct xchg_pool_stats s;
	uint16_t q;
	int ret;

	if (p == NULL)
		return -EINVAL;
	/* Stopping first lets a PMD that cleans its TX ring lazily give
	 * back what it holds. */
	ret = xchg_port_stop(p);
	if (ret != 0)
		return ret;
	for (q = 0; q < p->nb_txq; q++)
		if (xchg_pool_stats_get(p->txq[q].pool, &s) == 0 &&
		    s.in_use != 0) {
			PORT_LOG(ERR, "port %u: TX queue %u still pays for %u frames the PMD kept after stop or the application holds; free them, or close the port\n",
				 p->port_id, q, s.in_use);
			return -EBUSY;
		}
	pthread_mutex_lock(&ports_lock);
	ports[p->port_id] = NULL;
	pthread_mutex_unlock(&ports_lock);
	port_destroy(p);
	return 0;
}

uint16_t
xchg_port_id(const struct xchg_port *p)
{
	return p != NULL ? p->port_id : UINT16_MAX;
}

struct xchg_pool *
xchg_port_rx_pool(const struct xchg_port *p, uint16_t q)
{
	return p != NULL && q < p->nb_rxq ? p->rxq[q].pool : NULL;
}

struct xchg_pool *
xchg_port_tx_pool(const struct xchg_port *p, uint16_t q)
{
	return p != NULL && q < p->nb_txq ? p->txq[q].pool : NULL;
}

int
xchg_port_set_demux(struct xchg_port *p, xchg_demux_t demux, void *ctx)
{
	if (p == NULL)
		return -EINVAL;
	if (p->started)
		return -EBUSY;
	p->demux = demux;
	p->demux_ctx = ctx;
	return 0;
}

uint64_t
xchg_port_tx_offloads(const struct xchg_port *p)
{
	return p != NULL ? p->tx_offloads : 0;
}

int
xchg_port_bind_queue(struct xchg_port *p, uint16_t q, struct xchg_consumer *c)
{
	if (p == NULL || q >= p->nb_rxq)
		return -EINVAL;
	__atomic_store_n(&p->rxq[q].bound, c, __ATOMIC_RELEASE);
	return 0;
}

int
xchg_port_stats_get(const struct xchg_port *p, struct xchg_port_stats *s)
{
	unsigned int q, r;
	int ret;

	if (p == NULL || s == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	ret = rte_eth_stats_get(p->port_id, &s->eth);
	if (ret != 0)
		return ret;
	s->nb_rx_queues = p->nb_rxq;
	s->nb_tx_queues = p->nb_txq;
	for (q = 0; q < p->nb_rxq; q++) {
		const struct xchg_rxq *rxq = &p->rxq[q];

		s->rx_frames += __atomic_load_n(&rxq->frames, __ATOMIC_RELAXED);
		s->delivered += __atomic_load_n(&rxq->delivered,
						__ATOMIC_RELAXED);
		s->kept += __atomic_load_n(&rxq->kept, __ATOMIC_RELAXED);
		for (r = 0; r < XCHG_DROP_MAX; r++)
			s->drops[r] += __atomic_load_n(&rxq->drops[r],
						       __ATOMIC_RELAXED);
		s->rx_stopped += __atomic_load_n(&rxq->stopped,
						 __ATOMIC_RELAXED);
	}
	for (q = 0; q < p->nb_txq; q++) {
		const struct xchg_txq *txq = &p->txq[q];

		s->tx_frames += __atomic_load_n(&txq->frames, __ATOMIC_RELAXED);
		s->tx_nobufs += __atomic_load_n(&txq->nobufs, __ATOMIC_RELAXED);
		s->tx_full += __atomic_load_n(&txq->full, __ATOMIC_RELAXED);
		s->tx_stopped += __atomic_load_n(&txq->stopped,
						 __ATOMIC_RELAXED);
		s->tx_reclaims += __atomic_load_n(&txq->reclaims,
						  __ATOMIC_RELAXED);
	}
	s->kernel_dropped = xchg_port_kernel_dropped(p);
	return 0;
}

int
xchg_port_foreach(int (*fn)(struct xchg_port *port, void *arg), void *arg)
{
	unsigned int i;
	int ret = 0;

	if (fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&ports_lock);
	for (i = 0; i < RTE_DIM(ports) && ret == 0; i++)
		if (ports[i] != NULL)
			ret = fn(ports[i], arg);
	pthread_mutex_unlock(&ports_lock);
	return ret;
}
