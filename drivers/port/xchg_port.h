/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_PORT_H
#define XCHG_PORT_H

/**
 * @file
 * xchg NIC layer: binds any DPDK port to an arena.
 *
 * Every RX and TX queue gets its own reservation, sized from its
 * descriptor count plus the PMD's refill slack, so the sizing invariant
 * covers the rings. Received frames go to consumers only through the
 * exchange: a consumer without units loses its own frames, and the RX
 * ring keeps being refilled from the arena. Transmit follows RTnet: the
 * TX queue pays for a frame when it is sent, so the sender is refilled at
 * once and a slow TX completion can never starve it.
 *
 * Control path: xchg_port_create(), _start(), _stop(), _free(),
 * _bind_queue(), _steer(). Data path: xchg_port_rx() and xchg_port_tx(),
 * one lcore per queue (as rte_eth_rx_burst()), any number of queues and
 * lcores at once; xchg_port_stats_get() from anywhere.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include "xchg.h"

/*
 * rte_eth_recycle_mbufs() (DPDK 23.11 and later) moves transmitted
 * buffers from a TX queue straight into an RX ring without the mempool
 * enqueue, so no owner would be credited and the census would find the
 * buffers held by a pool that no longer has them. It must not be used on
 * an xchg port, and the port layer never enables it: an application that
 * includes this header and names it fails to compile ("attempt to use
 * poisoned"). The poison is set whatever the DPDK version, so that code
 * written against 22.11 keeps the rule when built against a newer DPDK.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
/** Set when the DPDK built against has rte_eth_recycle_mbufs(). */
#define XCHG_DPDK_HAS_RECYCLE_MBUFS 1
#else
#define XCHG_DPDK_HAS_RECYCLE_MBUFS 0
#endif
#pragma GCC poison rte_eth_recycle_mbufs rte_eth_recycle_rx_queue_info_get

#ifdef __cplusplus
extern "C" {
#endif

struct xchg_port;

/** Why a received frame was dropped. */
enum xchg_drop_reason {
	XCHG_DROP_NO_CONSUMER = 0, /**< Demux named no consumer. */
	XCHG_DROP_NO_BUFFERS,      /**< The consumer had no unit to pay. */
	XCHG_DROP_MALFORMED,       /**< Demux found the frame malformed. */
	XCHG_DROP_REJECTED,        /**< The exchange refused the mbuf
				    *   (foreign, shared...) or the
				    *   consumer's ring was full. */
	XCHG_DROP_MAX
};

/**
 * Set in *reason by a demux that kept the frame itself (a fragment
 * collector, for example): the port neither delivers nor frees it, and
 * counts it as kept.
 */
#define XCHG_DEMUX_KEPT XCHG_DROP_MAX

/** @return A drop reason's name ("no_consumer"...), or "unknown". */
const char *xchg_drop_reason_name(enum xchg_drop_reason reason);

/**
 * Software demux: the consumer a frame is for, or NULL with *reason set
 * (it is XCHG_DROP_NO_CONSUMER on entry; XCHG_DEMUX_KEPT when the demux
 * took the frame). Called on the polling lcore.
 */
typedef struct xchg_consumer *(*xchg_demux_t)(struct rte_mbuf *m, void *ctx,
					      enum xchg_drop_reason *reason);

/** Who pays for a frame while the NIC transmits it. */
enum xchg_tx_mode {
	/** RTnet: the TX queue's reservation pays when the frame is sent and
	 *  the sender gets its unit back at once. */
	XCHG_TX_QUEUE_PAYS = 0,
	/** The sender's unit comes back only when the PMD frees the frame. */
	XCHG_TX_SENDER_PAYS,
};

/** Port parameters; zero fields take their documented default. */
struct xchg_port_conf {
	uint16_t nb_rx_queues; /**< Default 1. Several use RSS if the PMD
				*   has it (net_pcap: one per rx_pcap). */
	uint16_t nb_tx_queues; /**< Default 1. */
	uint16_t nb_rx_desc;   /**< Per RX queue; default 512. */
	uint16_t nb_tx_desc;   /**< Per TX queue; default 512. */
	uint16_t rx_slack;     /**< Extra buffers per RX queue for the PMD's
				*   refill; default 64. */
	uint16_t tx_slack;     /**< Extra buffers per TX queue; default 32. */
	enum xchg_tx_mode tx_mode; /**< Default XCHG_TX_QUEUE_PAYS. */
	xchg_demux_t demux;    /**< Software demux; NULL drops every frame
				*   of unbound queues as no_consumer. */
	uint64_t tx_offloads;  /**< RTE_ETH_TX_OFFLOAD_* wanted; those the
				*   PMD lacks are left out. */
	void *demux_ctx;       /**< Passed to @c demux. */
	uint32_t rx_hold;      /**< Buffers the PMD keeps per RX queue when
				*   known in advance and more than
				*   nb_rx_desc (net_memif in zero copy fills
				*   its ring only when the peer connects);
				*   0: only what is measured at set-up and
				*   start is charged. */
};

/** A flow for xchg_port_steer(); zero fields match anything. */
struct xchg_flow_match {
	uint16_t ether_type;   /**< Host order, e.g. RTE_ETHER_TYPE_IPV4. */
	rte_be32_t ipv4_dst;   /**< Network order. */
	uint16_t udp_dst_port; /**< Host order; implies IPv4 and UDP. */
};

/** Port figures: the PMD's and the exchange's, side by side. */
struct xchg_port_stats {
	struct rte_eth_stats eth;   /**< ipackets, rx_nombuf, imissed... */
	uint64_t rx_frames;         /**< Frames polled by xchg_port_rx(). */
	uint64_t delivered;         /**< Frames handed to consumers. */
	uint64_t kept;              /**< Frames the demux kept itself
				     *   (XCHG_DEMUX_KEPT). */
	uint64_t drops[XCHG_DROP_MAX]; /**< Dropped, by reason. */
	uint64_t tx_frames;         /**< Frames the PMD took. */
	uint64_t tx_nobufs;         /**< Frames refused: TX reservation out. */
	uint64_t tx_full;           /**< Frames refused: TX ring full. */
	uint16_t nb_rx_queues;      /**< RX queues. */
	uint16_t nb_tx_queues;      /**< TX queues. */
	uint64_t rx_stopped;        /**< xchg_port_rx() calls on a stopped
				     *   port (returned 0). */
	uint64_t tx_stopped;        /**< Frames refused: port stopped. */
	uint64_t tx_reclaims;       /**< Times a TX queue with its
				     *   reservation spent asked the PMD to
				     *   free completed frames. */
	uint64_t kernel_dropped;    /**< net_af_xdp, net_af_packet,
				     *   net_pcap on an interface: the
				     *   interface's rx_dropped since the
				     *   port's first start (sysfs, read
				     *   by this call), frames the kernel
				     *   dropped before the PMD (an XDP
				     *   socket's full RX ring), counted in
				     *   no ethdev figure; the whole
				     *   interface's, not only xchg's.
				     *   0 for other PMDs. */
};

/**
 * Configure a port on an arena: queue reservations, then the queues.
 *
 * Refused, with a log naming the port, the queue and the number of
 * buffers missing, when the arena cannot cover a queue's reservation.
 *
 * @return
 *   The port, or NULL with rte_errno set: EINVAL for a bad argument or
 *   queue count (the log says which), ENOSPC when the arena is short,
 *   EEXIST when the port is already bound, or the ethdev error.
 */
struct xchg_port *xchg_port_create(struct xchg_arena *arena, uint16_t port_id,
				   const struct xchg_port_conf *conf);

/**
 * Buffers a PMD keeps per RX queue, known from its device arguments
 * before it runs: @p rx_desc for most, more for net_af_xdp (its 2,048
 * fill ring, whatever rx_desc says) and net_memif in zero copy (its whole
 * ring, 2^rsize, once the peer connects). xchg_port_create() and the
 * configuration's sizing invariant count an RX queue as this figure plus
 * rx_slack; config/README.rst has the table.
 *
 * @param devargs
 *   Device arguments ("net_af_xdp0,iface=veth0"), or a PCI address.
 * @param rx_desc
 *   RX descriptors configured.
 * @return
 *   The larger of @p rx_desc and what the PMD is known to keep.
 */
uint32_t xchg_port_pmd_rx_hold(const char *devargs, uint16_t rx_desc);

/**
 * Start the port, and charge each RX queue's reservation for what its PMD
 * really holds: the buffers that left the arena with no owner during the
 * queue's set-up and during the start (shared among the RX queues), or
 * xchg_port_conf.rx_hold if more, when beyond nb_rx_desc. The reservation
 * then becomes that figure plus rx_slack.
 *
 * @return
 *   0 (also when already started); -ENOSPC, the port stopped again, when
 *   the arena cannot cover what the PMD holds: the log says, in one line,
 *   the PMD, the figure and the fix; another negative errno from the PMD.
 */
int xchg_port_start(struct xchg_port *port);

/**
 * Replace the software demux; control path, before the port is started.
 *
 * @return 0, -EINVAL for NULL, -EBUSY when the port runs.
 */
int xchg_port_set_demux(struct xchg_port *port, xchg_demux_t demux,
			void *ctx);

/** @return The port's TX offloads as configured (RTE_ETH_TX_OFFLOAD_*). */
uint64_t xchg_port_tx_offloads(const struct xchg_port *port);

/**
 * Stop the port. Each TX queue first asks its PMD to free the frames it
 * completed (as xchg_port_tx() does when a reservation is spent); then
 * the data path stops calling the PMD (xchg_port_rx() and _tx() return 0
 * and count it) and the ethdev is stopped. Buffers the PMD held in its
 * rings go back to the arena, except with PMDs that keep them until the
 * device is closed (net_af_xdp, net_memif zero copy, net_tap).
 * Lcores must have stopped polling the port, as rte_eth_dev_stop() wants.
 *
 * @return 0 or a negative errno.
 */
int xchg_port_stop(struct xchg_port *port);

/**
 * Stop the port and free its queue reservations. The ethdev is left
 * configured; close it with rte_eth_dev_close() if wanted.
 *
 * @return
 *   0; -EINVAL for NULL; -EBUSY when, the port stopped, a TX queue's
 *   reservation still pays for frames the PMD kept or the application
 *   holds (the port stays stopped, nothing is freed).
 */
int xchg_port_free(struct xchg_port *port);

/** @return The ethdev port id, or UINT16_MAX for NULL. */
uint16_t xchg_port_id(const struct xchg_port *port);

/** @return RX queue @p queue's reservation, or NULL. */
struct xchg_pool *xchg_port_rx_pool(const struct xchg_port *port,
				    uint16_t queue);

/** @return TX queue @p queue's reservation, or NULL. */
struct xchg_pool *xchg_port_tx_pool(const struct xchg_port *port,
				    uint16_t queue);

/**
 * Give every frame of one RX queue to one consumer, with no software
 * demux: the hardware (rte_flow, or one capture file per queue with
 * net_pcap) has already chosen the consumer. NULL unbinds.
 *
 * @return 0, or -EINVAL for a bad port or queue.
 */
int xchg_port_bind_queue(struct xchg_port *port, uint16_t queue,
			 struct xchg_consumer *consumer);

/**
 * Steer a flow to a consumer: in hardware when the PMD accepts an
 * rte_flow rule sending it to RX queue @p queue (which is then bound to
 * the consumer), else in software before the demux callback; the
 * fallback is logged once per port.
 *
 * @return
 *   1 when steered in hardware, 0 in software, a negative errno for a
 *   bad argument or a full software rule table (-ENOSPC).
 */
int xchg_port_steer(struct xchg_port *port,
		    const struct xchg_flow_match *match, uint16_t queue,
		    struct xchg_consumer *consumer);

/**
 * Poll one RX queue once: receive a burst, demux it, exchange each
 * consumer's frames in bulk and queue them for it; drop the rest with a
 * counted reason. Nothing is lost: a dropped frame goes back to the arena.
 *
 * @return
 *   Frames received (delivered or dropped); 0 when the port is stopped
 *   (counted as rx_stopped; the PMD is not called).
 */
unsigned int xchg_port_rx(struct xchg_port *port, uint16_t queue);

/**
 * Transmit frames. With XCHG_TX_QUEUE_PAYS the TX queue's reservation
 * pays for each frame as it is sent, and the frame's previous owner gets
 * its unit back at once; frames the PMD does not take go back to
 * @p sender (if not NULL). Frames the exchange cannot take over (clones,
 * frames with refcnt above 1, buffers from another mempool) are sent as
 * they are: whoever pays for them keeps paying until the PMD frees them.
 *
 * @return
 *   Frames sent, a prefix of @p mbufs; the rest stay with the caller.
 *   When less than @p n, rte_errno is ENOBUFS (TX reservation exhausted
 *   even after asking the PMD to free the frames it completed), ENETDOWN
 *   (port stopped: counted as tx_stopped, the PMD is not called),
 *   EAGAIN (TX ring full), EALREADY or EINVAL (a frame that is free in
 *   the arena, or malformed: not sent).
 */
unsigned int xchg_port_tx(struct xchg_port *port, uint16_t queue,
			  struct xchg_pool *sender, struct rte_mbuf **mbufs,
			  unsigned int n);

/** Read port figures. @return 0, or a negative errno. */
int xchg_port_stats_get(const struct xchg_port *port,
			struct xchg_port_stats *stats);

/** One of the exchange's extended statistics of a port. */
struct xchg_port_xstat {
	char name[RTE_ETH_XSTATS_NAME_SIZE]; /**< e.g. xchg_rx_q0_dropped_no_buffers */
	uint64_t value;                      /**< Its value now. */
};

/**
 * Read the exchange's extended statistics of a port, named as ethdev's
 * xstats with the prefix xchg_: per RX queue (xchg_rx_qQ_) packets,
 * delivered, kept, dropped_REASON for each drop reason and quota; per TX
 * queue (xchg_tx_qQ_) packets, refused (no unit left in its
 * reservation), full (ring full), in_use and quota; per consumer pool of
 * the port's arena (xchg_pool_NAME_) refused, rejected, in_use and quota:
 * these are the arena's, the same on every port of the arena. Telemetry
 * /xchg/xstats,N gives the PMD's own xstats and these in one dictionary,
 * the shape of /ethdev/xstats,N.
 *
 * @param port
 *   The port.
 * @param xstats
 *   Filled with up to @p n statistics; NULL to count them.
 * @param n
 *   Room in @p xstats.
 * @return
 *   The number of statistics (more than @p n: call again with room for
 *   them), or -EINVAL for a NULL port.
 */
int xchg_port_xstats_get(const struct xchg_port *port,
			 struct xchg_port_xstat *xstats, unsigned int n);

/** Call @p fn for each port until it returns non-zero. */
int xchg_port_foreach(int (*fn)(struct xchg_port *port, void *arg),
		      void *arg);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_PORT_H */
