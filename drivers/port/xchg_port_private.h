/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_PORT_PRIVATE_H
#define XCHG_PORT_PRIVATE_H

/* Internal to the NIC layer: not installed. */

#include <net/if.h>

#include <rte_log.h>

#include "xchg_port.h"

extern int xchg_port_logtype;

#define PORT_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, xchg_port_logtype, "xchg.port: " __VA_ARGS__)

#define XCHG_PORT_BURST 32
#define XCHG_PORT_MAX_RULES 16

/* Per RX queue: written only by the lcore polling it. */
struct xchg_rxq {
	struct xchg_pool *pool;
	struct xchg_consumer *bound;
	uint64_t frames;
	uint64_t delivered;
	uint64_t kept;
	uint64_t drops[XCHG_DROP_MAX];
	uint64_t stopped;	/* polls refused: the port was stopped */
	uint32_t held;		/* control path: buffers the PMD took for
				 * this queue with no owner (measured) */
} __rte_cache_aligned;

/* Per TX queue: written only by the lcore sending on it. */
struct xchg_txq {
	struct xchg_pool *pool;
	uint64_t frames;
	uint64_t nobufs;
	uint64_t full;
	uint64_t stopped;	/* frames refused: the port was stopped */
	uint64_t reclaims;	/* reclaim calls before refusing ENOBUFS */
	bool burst_reclaim;	/* tx_done_cleanup unsupported: reclaim
				 * with a zero-length tx burst */
} __rte_cache_aligned;

struct xchg_rule {
	struct xchg_flow_match match;
	struct xchg_consumer *consumer;
};

struct xchg_port {
	uint16_t port_id;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	/*
	 * Whether the data path may call the PMD. Written by the control
	 * thread only: set (release) after rte_eth_dev_start() succeeded,
	 * cleared (release) before rte_eth_dev_stop(); read (acquire, a
	 * plain load on x86) by xchg_port_rx() and xchg_port_tx() before
	 * each burst. It keeps lcores that poll a stopped port from calling
	 * the PMD's dummy burst functions (which log an error and a stack
	 * dump per call); it does not make stopping a polled port safe:
	 * as with DPDK, lcores stop polling before the port is stopped.
	 */
	bool started;
	uint16_t nb_rx_desc;	/* as adjusted by the PMD */
	uint16_t rx_slack;
	uint32_t rx_hold;	/* xchg_port_conf.rx_hold */
	const char *driver;	/* PMD name, for messages */
	uint64_t tx_offloads;
	bool flow_fallback_logged;
	enum xchg_tx_mode tx_mode;
	xchg_demux_t demux;
	void *demux_ctx;
	struct xchg_arena *arena;
	unsigned int nb_rules;
	struct xchg_rule rules[XCHG_PORT_MAX_RULES];
	struct xchg_rxq *rxq;
	struct xchg_txq *txq;
	/* The Linux interface under the PMD and its rx_dropped at the
	 * first start (xchg_port_kernel.c); written by the control thread
	 * in xchg_port_start(), read by xchg_port_stats_get(), both under
	 * the application's control path; "" when none. */
	char kernel_if[IF_NAMESIZE];
	uint64_t kernel_base;
};

/* Software steering (xchg_port_flow.c). */
struct xchg_consumer *xchg_port_rule_match(const struct xchg_port *p,
					   const struct rte_mbuf *m);

/* What the PMD holds, and reclaiming from it (xchg_port_hold.c). */
uint32_t xchg_port_unowned(struct xchg_arena *arena);
int xchg_port_charge_holds(struct xchg_port *p, uint32_t start_delta);
void xchg_port_tx_reclaim(struct xchg_port *p, uint16_t queue);

/* Drops on the Linux interface under the PMD (xchg_port_kernel.c). */
void xchg_port_kernel_base(struct xchg_port *p);
uint64_t xchg_port_kernel_dropped(const struct xchg_port *p);

/* Telemetry (xchg_port_telemetry.c). */
void xchg_port_telemetry_init(void);
void xchg_port_xstats_telemetry_register(void);

#endif /* XCHG_PORT_PRIVATE_H */
