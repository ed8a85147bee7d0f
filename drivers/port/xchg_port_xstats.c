/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The exchange's figures as extended statistics in ethdev's naming
 * (rx_q0_..., tx_q0_...), prefixed xchg_: per queue what the port
 * received, delivered and dropped by reason, what each TX queue sent and
 * refused; per consumer of the port's arena what it was refused. ethdev
 * has no way for an application to add xstats to a PMD, so telemetry
 * /xchg/xstats,N gives the PMD's own xstats and these in one dictionary,
 * the shape of /ethdev/xstats,N, for exporters built on it.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "xchg_port_private.h"
#include "xchg_tel_util.h"

struct xs_ctx {
	struct xchg_port_xstat *x;
	unsigned int n, count;
	const char *queue;   /* "rx_q0"..., or the pool's name */
};

static void
xs_add(struct xs_ctx *c, const char *what, uint64_t value)
{
	if (c->count < c->n) {
		char *name = c->x[c->count].name;
		size_t size = sizeof(c->x[c->count].name);

		/* A name too long for ethdev's size is cut, as ethdev's. */
		if (snprintf(name, size, "xchg_%s_", c->queue) < (int)size)
			strncat(name, what, size - strlen(name) - 1);
		c->x[c->count].value = value;
	}
	c->count++;
}

/* Relaxed loads: each counter has one writer, the lcore polling (RX) or
 * sending on (TX) its queue; a reader only needs a whole value. */
#define XS_LOAD(v) __atomic_load_n(&(v), __ATOMIC_RELAXED)

static int
consumer_xs(struct xchg_pool *pool, void *arg)
{
	struct xs_ctx *c = arg;
	enum xchg_pool_kind kind = xchg_pool_kind(pool);
	struct xchg_pool_stats s;
	char name[RTE_ETH_XSTATS_NAME_SIZE];

	if (kind == XCHG_KIND_RX_QUEUE || kind == XCHG_KIND_TX_QUEUE ||
	    xchg_pool_stats_get(pool, &s) != 0)
		return 0;
	snprintf(name, sizeof(name), "pool_%s", xchg_pool_name(pool));
	c->queue = name;
	xs_add(c, "refused", s.refused);
	xs_add(c, "rejected", s.rejected);
	xs_add(c, "in_use", s.in_use);
	xs_add(c, "quota", s.quota);
	return 0;
}

int
xchg_port_xstats_get(const struct xchg_port *p, struct xchg_port_xstat *x,
		     unsigned int n)
{
	struct xs_ctx c = { .x = x, .n = x != NULL ? n : 0 };
	struct xchg_pool_stats s;
	char queue[16];
	unsigned int r;
	uint16_t q;

	if (p == NULL)
		return -EINVAL;
	for (q = 0; q < p->nb_rxq; q++) {
		const struct xchg_rxq *rxq = &p->rxq[q];

		snprintf(queue, sizeof(queue), "rx_q%u", q);
		c.queue = queue;
		xs_add(&c, "packets", XS_LOAD(rxq->frames));
		xs_add(&c, "delivered", XS_LOAD(rxq->delivered));
		xs_add(&c, "kept", XS_LOAD(rxq->kept));
		for (r = 0; r < XCHG_DROP_MAX; r++) {
			char what[40];

			snprintf(what, sizeof(what), "dropped_%s",
				 xchg_drop_reason_name(r));
			xs_add(&c, what, XS_LOAD(rxq->drops[r]));
		}
		/* The same names every call, read or not. */
		if (xchg_pool_stats_get(rxq->pool, &s) != 0)
			memset(&s, 0, sizeof(s));
		xs_add(&c, "quota", s.quota);
	}
	for (q = 0; q < p->nb_txq; q++) {
		const struct xchg_txq *txq = &p->txq[q];

		snprintf(queue, sizeof(queue), "tx_q%u", q);
		c.queue = queue;
		xs_add(&c, "packets", XS_LOAD(txq->frames));
		xs_add(&c, "refused", XS_LOAD(txq->nobufs));
		xs_add(&c, "full", XS_LOAD(txq->full));
		if (xchg_pool_stats_get(txq->pool, &s) != 0)
			memset(&s, 0, sizeof(s));
		xs_add(&c, "in_use", s.in_use);
		xs_add(&c, "quota", s.quota);
	}
	xchg_pool_foreach(p->arena, consumer_xs, &c);
	return (int)c.count;
}

/* /xchg/xstats,N: the PMD's xstats of port N, then the exchange's; under
 * the ports' lock (xchg_port_foreach), so the port cannot go meanwhile. */
struct xs_tel {
	uint16_t port_id;
	struct rte_tel_data *d;
	int ret;
};

static int
port_xstats_to_tel(struct xchg_port *p, void *arg)
{
	struct xs_tel *t = arg;
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *vals = NULL;
	struct xchg_port_xstat *xs = NULL;
	int ne, nx, i;

	if (p->port_id != t->port_id)
		return 0;
	t->ret = -EINVAL;
	ne = rte_eth_xstats_get(p->port_id, NULL, 0);
	nx = xchg_port_xstats_get(p, NULL, 0);
	if (ne < 0 || nx < 0)
		return 1;
	names = calloc((size_t)ne + 1, sizeof(*names));
	vals = calloc((size_t)ne + 1, sizeof(*vals));
	xs = calloc((size_t)nx + 1, sizeof(*xs));
	if (names != NULL && vals != NULL && xs != NULL &&
	    rte_eth_xstats_get_names(p->port_id, names, ne) == ne &&
	    rte_eth_xstats_get(p->port_id, vals, ne) == ne &&
	    xchg_port_xstats_get(p, xs, nx) == nx) {
		rte_tel_data_start_dict(t->d);
		for (i = 0; i < ne; i++)
			xchg_tel_u64(t->d, names[i].name, vals[i].value);
		for (i = 0; i < nx; i++) {
			char k[RTE_TEL_MAX_STRING_LEN];

			xchg_tel_u64(t->d, xchg_tel_key(xs[i].name, k,
							sizeof(k)),
				     xs[i].value);
		}
		t->ret = 0;
	}
	free(names);
	free(vals);
	free(xs);
	return 1;
}

static int
handle_xstats(const char *cmd __rte_unused, const char *params,
	      struct rte_tel_data *d)
{
	struct xs_tel t = { .d = d, .ret = -EINVAL };
	unsigned long id;
	char *end;

	/* As /ethdev/xstats: a port id is needed; an unknown one, or a
	 * port not bound to xchg, is an error (null). */
	if (params == NULL || *params == '\0')
		return -EINVAL;
	id = strtoul(params, &end, 10);
	if (*end != '\0' || id >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	t.port_id = (uint16_t)id;
	xchg_port_foreach(port_xstats_to_tel, &t);
	return t.ret;
}

void
xchg_port_xstats_telemetry_register(void)
{
	if (rte_telemetry_register_cmd("/xchg/xstats", handle_xstats,
		"Returns a port's xstats and xchg's, as /ethdev/xstats. Parameters: int port_id") != 0)
		PORT_LOG(WARNING, "telemetry command /xchg/xstats not registered\n");
}
