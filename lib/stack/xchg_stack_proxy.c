/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Proxy to the host stack through a TAP port, as RTnet's rtcap/proxy:
 * two consumers with their own pools.
 *
 * - "port<N>_proxy" receives what no socket or service claims (the
 *   demux sends it there); the service transmits it on the TAP port.
 * - "port<N>_hostout" receives everything the host sends on the TAP
 *   device; the service transmits it on the stack's port.
 *
 * Both directions are paid by the proxy's own reservations: a slow or
 * absent host fills only them, and then drops only proxy frames.
 */

#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "xchg_stack_private.h"

/* Bursts moved per direction per service call: bounds the service
 * lcore's time here whatever the host does. */
#define PROXY_MAX_BURSTS 8

static uint16_t
tap_rx_queues(struct xchg_port *tap)
{
	struct xchg_port_stats st;

	return xchg_port_stats_get(tap, &st) == 0 ? st.nb_rx_queues : 0;
}

static void
bind_tap(struct xchg_port *tap, struct xchg_consumer *c)
{
	uint16_t q, nb = tap_rx_queues(tap);

	for (q = 0; q < nb; q++)
		xchg_port_bind_queue(tap, q, c);
}

/*
 * Set the proxy.
 *
 * Every RX queue of the TAP port is bound to the "hostout" consumer with
 * xchg_port_bind_queue() rather than given a demux: binding works
 * whether the port runs or not (xchg_port_set_demux() is refused on a
 * running port) and can be undone safely while it runs, so the TAP port
 * never keeps a demux pointing at a freed stack.
 *
 * The TAP port may be started by the application before or after this
 * call; it is started here if it is not running yet (xchg_port_start()
 * does nothing to a port already started). A start that fails undoes
 * everything and returns the ethdev's negative errno.
 */
int
xchg_stack_set_proxy(struct xchg_stack *s, struct xchg_port *tap,
		     uint32_t quota)
{
	struct xchg_consumer *proxy = NULL, *out = NULL;
	char name[XCHG_NAME_SIZE];
	int ret = 0;

	if (s == NULL || tap == NULL || tap == s->port || quota == 0)
		return -EINVAL;
	/* The TAP port must draw on the stack's arena: frames move
	 * between the two ports by exchange only. */
	if (xchg_pool_arena(xchg_port_rx_pool(tap, 0)) != s->arena) {
		STACK_LOG(ERR, "port %u: proxy port %u is bound to another arena\n",
			  s->port_id, xchg_port_id(tap));
		return -EINVAL;
	}
	pthread_mutex_lock(&s->lock);
	if (s->proxy != NULL) {
		ret = -EEXIST;
		goto out;
	}
	snprintf(name, sizeof(name), "port%u_proxy", s->port_id);
	proxy = xchg_consumer_create(s->arena, name, XCHG_KIND_PROXY, quota);
	if (proxy == NULL) {
		ret = -rte_errno;
		goto out;
	}
	snprintf(name, sizeof(name), "port%u_hostout", s->port_id);
	out = xchg_consumer_create(s->arena, name, XCHG_KIND_PROXY, quota);
	if (out == NULL) {
		ret = -rte_errno;
		goto out;
	}
	bind_tap(tap, out);
	ret = xchg_port_start(tap);
	if (ret != 0) {
		STACK_LOG(ERR, "port %u: proxy port %u does not start: %s\n",
			  s->port_id, xchg_port_id(tap), rte_strerror(-ret));
		bind_tap(tap, NULL);
		goto out;
	}
	s->tap = tap;
	s->tap_out = out;
	/* Published last: the demux sends frames to it at once. */
	__atomic_store_n(&s->proxy, proxy, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&s->lock);
	if (ret != 0) {
		if (out != NULL)
			xchg_consumer_free(out);
		if (proxy != NULL)
			xchg_consumer_free(proxy);
	}
	return ret;
}

void
xchg_proxy_service(struct xchg_stack *s)
{
	struct xchg_consumer *proxy = __atomic_load_n(&s->proxy,
						      __ATOMIC_ACQUIRE);
	struct rte_mbuf *m[XCHG_STACK_BURST];
	struct xchg_pool *pool;
	unsigned int n, sent, i;
	uint16_t q, nb_rxq;

	if (proxy == NULL)
		return;
	/* To the host. Frames the TAP port does not take are dropped: the
	 * TAP port's figures count them (tx_nobufs, tx_full). */
	pool = xchg_consumer_pool(proxy);
	for (i = 0; i < PROXY_MAX_BURSTS; i++) {
		n = xchg_consumer_recv_burst(proxy, m, RTE_DIM(m));
		if (n == 0)
			break;
		sent = xchg_port_tx(s->tap, 0, pool, m, n);
		if (sent < n)
			rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}

	/* From the host: the TAP port's queues feed "hostout". */
	nb_rxq = tap_rx_queues(s->tap);
	for (q = 0; q < nb_rxq; q++)
		for (i = 0; i < PROXY_MAX_BURSTS; i++)
			if (xchg_port_rx(s->tap, q) == 0)
				break;
	pool = xchg_consumer_pool(s->tap_out);
	for (i = 0; i < PROXY_MAX_BURSTS; i++) {
		n = xchg_consumer_recv_burst(s->tap_out, m, RTE_DIM(m));
		if (n == 0)
			break;
		sent = xchg_port_tx(s->port, 0, pool, m, n);
		XCHG_STACK_COUNT(s, proxied_out, sent);
		if (sent < n)
			rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

void
xchg_proxy_free(struct xchg_stack *s)
{
	struct xchg_consumer *proxy;
	int ret;

	if (s == NULL || s->proxy == NULL)
		return;
	proxy = s->proxy;
	__atomic_store_n(&s->proxy, NULL, __ATOMIC_RELEASE);
	bind_tap(s->tap, NULL);
	/* Queued frames are freed with the consumers. */
	ret = xchg_consumer_free(proxy);
	if (ret != 0)
		STACK_LOG(ERR, "port %u: proxy consumer not freed: %s\n",
			  s->port_id, rte_strerror(-ret));
	ret = xchg_consumer_free(s->tap_out);
	if (ret != 0)
		STACK_LOG(ERR, "port %u: host-out consumer not freed: %s\n",
			  s->port_id, rte_strerror(-ret));
	s->tap_out = NULL;
	s->tap = NULL;
}
