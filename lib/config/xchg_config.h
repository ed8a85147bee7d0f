/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_CONFIG_H
#define XCHG_CONFIG_H

/**
 * @file
 * xchg configuration files: one INI file (read with librte_cfgfile)
 * describes a whole set-up: the arena, the ports, the sockets, the
 * services, the proxy, the capture, and how a replay treats each socket.
 * config/README.rst documents every section and key.
 *
 * Three steps, each with a one-line message naming the file, the line,
 * the section, the key and the fix when it refuses:
 *
 * 1. xchg_config_load(): parse and check every key and the references
 *    between sections. Needs no EAL: programs check their configuration
 *    before starting DPDK.
 * 2. xchg_config_check_sizing(): the sizing invariant, which depends on
 *    the number of EAL lcores (the arena's per-lcore caches).
 * 3. xchg_config_setup_create(): build the set-up (arena, ports, stacks,
 *    addresses, sockets, proxy, capture); xchg_config_setup_free() tears
 *    it down. Before building, a program may replace a port's device
 *    (xchg_config_set_vdev()), for example with net_pcap to replay a
 *    capture.
 *
 * All functions are control path and not thread safe: call them from one
 * thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "xchg.h"
#include "xchg_port.h"
#include "xchg_stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest name (section name, socket, port), NUL included. */
#define XCHG_CONFIG_NAME_SIZE XCHG_NAME_SIZE
/** Longest value in a file (librte_cfgfile's limit), NUL included. */
#define XCHG_CONFIG_VALUE_SIZE 256
/** Longest device arguments set with xchg_config_set_vdev(). */
#define XCHG_CONFIG_DEVARGS_SIZE 2048
/** Most [port NAME] sections. */
#define XCHG_CONFIG_MAX_PORTS 16
/** Most [socket NAME] sections (the stack's limit per port is 64). */
#define XCHG_CONFIG_MAX_SOCKETS 64
/** IPv6 addresses (ip6 =) per [port] at most. */
#define XCHG_CONFIG_MAX_IP6 8
/** Most names in [capture] owners. */
#define XCHG_CONFIG_MAX_OWNERS 16
/** A message buffer large enough for any message of this library. */
#define XCHG_CONFIG_ERR_SIZE 512

/** Defaults, as documented in config/README.rst. */
#define XCHG_CONFIG_DEFAULT_DESC 512
#define XCHG_CONFIG_DEFAULT_RX_SLACK 64
#define XCHG_CONFIG_DEFAULT_TX_SLACK 32
#define XCHG_CONFIG_DEFAULT_ARP_QUOTA 16
#define XCHG_CONFIG_DEFAULT_ICMP_QUOTA 8
#define XCHG_CONFIG_DEFAULT_ND_QUOTA 16
#define XCHG_CONFIG_DEFAULT_ICMP6_QUOTA 8
#define XCHG_CONFIG_DEFAULT_SOCKET_QUOTA 16
#define XCHG_CONFIG_DEFAULT_PROXY_QUOTA 32
#define XCHG_CONFIG_DEFAULT_CAPTURE_QUOTA 128

/** [arena]. */
struct xchg_config_arena {
	char name[XCHG_CONFIG_NAME_SIZE]; /**< Default "arena0". */
	uint32_t buffers;      /**< Required. */
	uint16_t data_room;    /**< Default RTE_MBUF_DEFAULT_BUF_SIZE. */
	int32_t lcore_cache;   /**< Per-lcore cache, as
				*   xchg_arena_conf::lcore_cache: the file's
				*   0 (or no key) is loaded as
				*   XCHG_ARENA_CACHE_DEFAULT, its "none" as
				*   XCHG_ARENA_CACHE_NONE. */
	bool strict;           /**< xchg_arena_conf::strict; default false. */
	enum xchg_arena_layout layout; /**< auto (default), packed or page. */
	unsigned int line;     /**< Line of the section, 0 if unknown. */
	unsigned int buffers_line; /**< Line of the buffers key. */
};

/** [port NAME]. */
struct xchg_config_port {
	char name[XCHG_CONFIG_NAME_SIZE];
	char vdev[XCHG_CONFIG_DEVARGS_SIZE]; /**< Devargs of a virtual
					      *   device, or "" when @c pci
					      *   is set. */
	char pci[XCHG_CONFIG_VALUE_SIZE];  /**< PCI address, or "". */
	bool has_ip;           /**< An address was given. */
	rte_be32_t ip;         /**< Network order. */
	uint8_t prefix_len;    /**< 1 to 32. */
	rte_be32_t gateway;    /**< Default route's next hop, 0: none. */
	bool has_gateway6;     /**< gateway6 = was given. */
	uint8_t gateway6[16];  /**< IPv6 default route's next hop (::/0),
				*   network order: link-local or on the
				*   prefix of one of @c ip6. */
	unsigned int nb_ip6;   /**< IPv6 addresses given (ip6 =, repeated). */
	uint8_t ip6[XCHG_CONFIG_MAX_IP6][16]; /**< Network order. */
	uint8_t ip6_prefix_len[XCHG_CONFIG_MAX_IP6]; /**< 1 to 128. */
	uint16_t rx_queues;    /**< Default 1. */
	uint16_t tx_queues;    /**< Default 1. */
	uint16_t rx_desc;      /**< Per RX queue, default 512. */
	uint16_t tx_desc;      /**< Per TX queue, default 512. */
	uint16_t rx_slack;     /**< Per RX queue, default 64. */
	uint16_t tx_slack;     /**< Per TX queue, default 32. */
	unsigned int line;     /**< Line of the section. */
};

/** Socket types. */
enum xchg_config_socket_type {
	XCHG_CONFIG_SOCKET_UDP = 0,
	XCHG_CONFIG_SOCKET_PACKET,
};

/** [socket NAME]. */
struct xchg_config_socket {
	char name[XCHG_CONFIG_NAME_SIZE];
	unsigned int port;     /**< Index in xchg_config::ports. */
	enum xchg_config_socket_type type;
	uint16_t udp_port;     /**< UDP sockets: host order. */
	uint16_t ether_type;   /**< Packet sockets: host order. */
	uint32_t quota;        /**< Default 16. */
	enum xchg_priority priority; /**< Default normal. */
	unsigned int line;
	bool pending_set;      /**< UDP: @c pending was given. */
	uint32_t pending;      /**< UDP: datagrams waiting for a neighbour
				*   at most (xchg_udp_set_pending()); the
				*   stack's default unless @c pending_set. */
	enum xchg_family family; /**< UDP: the families it receives and
				  *   sends (xchg_udp_set_family()); default
				  *   both. */
	bool single_reader;    /**< readers = one: one thread at a time
				*   reads it (xchg_socket_set_single_reader());
				*   default many (false). */
};

/** [proxy]: frames nobody claims go to the host through a TAP port. */
struct xchg_config_proxy {
	bool enabled;          /**< The section is present. */
	unsigned int port;     /**< Index of the port it serves. */
	char tap[XCHG_CONFIG_DEVARGS_SIZE]; /**< Devargs of the host side. */
	uint32_t quota;        /**< Per direction (two pools); default 32. */
	uint16_t rx_desc;      /**< TAP port's descriptors, default 512. */
	uint16_t tx_desc;
	unsigned int line;
};

/** [capture]. */
struct xchg_config_capture {
	bool enabled;
	unsigned int port;     /**< Index of the port whose stack captures. */
	char file[XCHG_CONFIG_DEVARGS_SIZE]; /**< Pcap file written. */
	uint32_t quota;        /**< Default 128. */
	unsigned int nb_owners; /**< 0: every frame received. */
	char owners[XCHG_CONFIG_MAX_OWNERS][XCHG_CONFIG_NAME_SIZE];
	unsigned int line;
};

/** How a replay treats a socket. */
enum xchg_config_behaviour {
	XCHG_BEHAVIOUR_NORMAL = 0, /**< Frees every frame at once. */
	XCHG_BEHAVIOUR_HOLD,       /**< Keeps the last N frames it received. */
	XCHG_BEHAVIOUR_HOG,        /**< Keeps every frame: never frees. */
};

/** A whole configuration, as loaded. */
struct xchg_config {
	char path[XCHG_CONFIG_VALUE_SIZE]; /**< File, as given. */
	struct xchg_config_arena arena;
	uint32_t arp_quota;    /**< [service arp] quota; default 16. */
	uint32_t icmp_quota;   /**< [service icmp] quota; default 8. */
	uint32_t nd_quota;     /**< [service nd] quota; default 16, per
				*   port with an ip6. */
	uint32_t icmp6_quota;  /**< [service icmp6] quota; default 8, per
				*   port with an ip6. */
	unsigned int nb_ports;
	struct xchg_config_port ports[XCHG_CONFIG_MAX_PORTS];
	unsigned int nb_sockets;
	struct xchg_config_socket sockets[XCHG_CONFIG_MAX_SOCKETS];
	struct xchg_config_proxy proxy;
	struct xchg_config_capture capture;
	/** [replay], indexed like @c sockets: normal unless given. */
	enum xchg_config_behaviour behaviour[XCHG_CONFIG_MAX_SOCKETS];
	/** For XCHG_BEHAVIOUR_HOLD: frames kept. */
	uint32_t hold[XCHG_CONFIG_MAX_SOCKETS];
	/** Time source for the stacks (xchg_stack_conf::clock), set by
	 *  xchg_config_set_clock(); NULL: the timer. */
	uint64_t (*clock)(void *arg);
	void *clock_arg;           /**< Passed to @c clock. */
	/** Set by xchg_config_set_shared(): build an overcommitted arena
	 *  where every consumer's quota is the whole arena. */
	bool shared;
};

/** What a term of the sizing invariant reserves. */
enum xchg_config_term_group {
	XCHG_CONFIG_TERM_PORTS = 0, /**< NIC queues, the proxy's TAP port. */
	XCHG_CONFIG_TERM_SOCKETS,   /**< Socket quotas. */
	XCHG_CONFIG_TERM_SERVICES,  /**< ARP and ICMP quotas, per port. */
	XCHG_CONFIG_TERM_STAGING,   /**< Fragment staging areas. */
	XCHG_CONFIG_TERM_PROXY,     /**< The proxy's two pools. */
	XCHG_CONFIG_TERM_CAPTURE,   /**< The capture's pool. */
	XCHG_CONFIG_TERM_CACHES,    /**< What the lcore caches may hold. */
	XCHG_CONFIG_TERM_GROUPS     /**< Number of groups; new groups come
				     *   before it. */
};

/** Longest xchg_config_term::name, NUL included. */
#define XCHG_CONFIG_TERM_NAME_SIZE 64
/** Longest xchg_config_term::formula, NUL included. */
#define XCHG_CONFIG_TERM_FORMULA_SIZE 96

/**
 * One term of the sizing invariant: @c count x @c each buffers, for
 * example the RX queues of one port (count: queues, each: rx_desc +
 * rx_slack), one socket's quota (1 x quota) or the lcore caches
 * (count: lcores). The arena needs the sum of every term's @c buffers.
 */
struct xchg_config_term {
	enum xchg_config_term_group group; /**< What it reserves. */
	char name[XCHG_CONFIG_TERM_NAME_SIZE]; /**< "port p0 RX",
						*   "socket ctrl",
						*   "service arp",
						*   "lcore caches"... */
	char formula[XCHG_CONFIG_TERM_FORMULA_SIZE]; /**< How @c each is
						      *   made, e.g.
						      *   "rx_desc 512 +
						      *   rx_slack 64". */
	uint32_t count;        /**< Queues, ports, lcores or directions. */
	uint32_t each;         /**< Buffers for one. */
	uint64_t buffers;      /**< count x each. */
	bool critical;         /**< A critical socket's quota. */
};

/**
 * The sizing invariant term by term: every buffer a configuration's
 * ports, sockets, services, fragment staging areas, proxy, capture and
 * lcore caches reserve. xchg_config_sizing(), xchg_config_check_sizing()
 * and xchg-size all add up these terms: one source.
 *
 * Terms come in a fixed order: each port's RX then TX queues, the
 * proxy's TAP port, each socket, each service, the staging areas, the
 * proxy, the capture, the lcore caches. Terms of 0 buffers are left out.
 * Later versions may add terms (and groups): read @c count entries,
 * never assume a number.
 *
 * @param cfg
 *   Configuration.
 * @param nb_lcores
 *   EAL lcores (rte_lcore_count()).
 * @param terms
 *   Receives up to @p max terms; may be NULL when @p max is 0.
 * @param max
 *   Size of @p terms.
 * @return
 *   The number of terms the configuration has (more than @p max when
 *   @p terms was too small: call again with a larger array), or -EINVAL
 *   for a NULL @p cfg.
 */
int xchg_config_terms(const struct xchg_config *cfg, unsigned int nb_lcores,
		      struct xchg_config_term *terms, unsigned int max);

/**
 * A term group's name, as the sizing messages and xchg-size print it:
 * "ports", "sockets", "services", "fragment staging", "proxy",
 * "capture", "lcore caches".
 *
 * @return
 *   The name, or "?" for an unknown group.
 */
const char *xchg_config_term_group_name(enum xchg_config_term_group g);

/** What the sizing invariant adds up. */
struct xchg_config_sizing {
	uint32_t buffers;      /**< [arena] buffers. */
	uint32_t ports;        /**< RX and TX queue reservations of every
				*   port and of the proxy's TAP port. */
	uint32_t sockets;      /**< Socket quotas. */
	uint32_t services;     /**< ARP and ICMP quotas, per port. */
	uint32_t staging;      /**< Fragment staging areas: ports x
				*   xchg_config_frag_staging(). */
	uint32_t proxy;        /**< 2 x proxy quota (to and from the host). */
	uint32_t capture;      /**< Capture quota. */
	uint32_t cache_slack;  /**< lcores x (1.5 x lcore_cache - 1). */
	uint32_t required;     /**< Sum of the above. */
	uint32_t shortfall;    /**< required - buffers, or 0. */
};

/**
 * Load and check a configuration file.
 *
 * Refused, with a one-line message in @p err, for: an unreadable file, a
 * syntax error, an unknown section or key, a bad number (the message
 * gives the key's range), a missing required key, a duplicate section,
 * key or name, a bad address or prefix, a socket without port or
 * ethertype, a bad type or priority, a quota over the arena, a replay
 * value other than normal, hold N or hog, a replay key naming no socket.
 * Does not need the EAL.
 *
 * @param path
 *   INI file.
 * @param err
 *   Receives the message; may be NULL.
 * @param errlen
 *   Size of @p err (XCHG_CONFIG_ERR_SIZE is enough).
 * @return
 *   The configuration, to free with xchg_config_free(), or NULL with
 *   errno set (ENOENT, EACCES... for the file, EINVAL for its content).
 */
struct xchg_config *xchg_config_load(const char *path, char *err,
				     size_t errlen);

/**
 * Free a configuration.
 *
 * @param cfg
 *   Configuration; NULL is ignored.
 */
void xchg_config_free(struct xchg_config *cfg);

/**
 * Buffers the arena's per-lcore caches may hold, as xchg_arena_info
 * reports it: lcores x (lcore_cache + lcore_cache / 2 - 1), with
 * lcore_cache resolved by xchg_arena_cache_size().
 *
 * @param cfg
 *   Configuration.
 * @param nb_lcores
 *   EAL lcores (rte_lcore_count()).
 * @return
 *   The slack, 0 when the cache is disabled.
 */
uint32_t xchg_config_cache_slack(const struct xchg_config *cfg,
				 unsigned int nb_lcores);

/**
 * Buffers each port's stack reserves for its fragment staging area
 * (xchg_stack_conf::frag_staging): XCHG_STACK_FRAG_STAGING, the stack's
 * default; a configuration file has no key for it. The set-up gives the
 * stacks this figure and xchg_config_sizing() counts it once per port,
 * so a program that sizes an arena (xchg-size) takes it from here.
 *
 * @param cfg
 *   Configuration.
 * @return
 *   The staging quota of one stack, 0 for a NULL @p cfg.
 */
uint32_t xchg_config_frag_staging(const struct xchg_config *cfg);

/**
 * Add up the sizing invariant: what every port, socket, service, the
 * fragment staging areas, the proxy, the capture and the lcore caches
 * reserve, against the arena: the terms of xchg_config_terms() summed
 * by group.
 *
 * @param cfg
 *   Configuration.
 * @param nb_lcores
 *   EAL lcores.
 * @param sizing
 *   Receives the figures.
 * @return
 *   0 when the arena covers them, -ENOSPC when it is short (see
 *   sizing->shortfall), -EINVAL for NULL arguments.
 */
int xchg_config_sizing(const struct xchg_config *cfg, unsigned int nb_lcores,
		       struct xchg_config_sizing *sizing);

/**
 * Check the sizing invariant and explain a shortfall in one line, e.g.
 * "x.ini:2: [arena] buffers: 2048 are 1130 short of what the ports,
 * sockets and services reserve (3178); raise buffers to at least 3178 or
 * lower the quotas (ports 1216, sockets 1843, ...)".
 *
 * @return
 *   0, or -ENOSPC with the message in @p err.
 */
int xchg_config_check_sizing(const struct xchg_config *cfg,
			     unsigned int nb_lcores, char *err,
			     size_t errlen);

/**
 * Index of a port by name.
 *
 * @return
 *   The index in cfg->ports, or -1.
 */
int xchg_config_port_index(const struct xchg_config *cfg, const char *name);

/**
 * Index of a socket by name.
 *
 * @return
 *   The index in cfg->sockets, or -1.
 */
int xchg_config_socket_index(const struct xchg_config *cfg, const char *name);

/**
 * Replace a port's device before xchg_config_setup_create(): the port
 * then uses the virtual device @p devargs ("net_pcap_x,rx_pcap=...").
 *
 * @return
 *   0, -ENOENT when no port has that name, -EINVAL for a bad argument
 *   (empty or too long).
 */
int xchg_config_set_vdev(struct xchg_config *cfg, const char *port_name,
			 const char *devargs);

/**
 * Replace the proxy's TAP device before xchg_config_setup_create().
 *
 * @return
 *   0, -ENOENT when there is no [proxy], -EINVAL for a bad argument.
 */
int xchg_config_set_tap(struct xchg_config *cfg, const char *devargs);

/**
 * Replace the capture's file before xchg_config_setup_create().
 *
 * @return
 *   0, -ENOENT when there is no [capture], -EINVAL for a bad argument.
 */
int xchg_config_set_capture_file(struct xchg_config *cfg, const char *path);

/**
 * Give the stacks a time source of the application's, e.g. a replay's
 * capture time (see xchg_stack_conf::clock). Before
 * xchg_config_setup_create().
 *
 * @return 0, or -EINVAL for a NULL @p cfg.
 */
int xchg_config_set_clock(struct xchg_config *cfg, uint64_t (*clock)(void *),
			  void *arg);

/**
 * Make xchg_config_setup_create() build the set-up as one shared pool
 * would behave: the arena is overcommitted (xchg_arena_conf::overcommit)
 * and every consumer quota (sockets, ARP and ICMP services, both proxy
 * pools, the capture) is [arena] buffers instead of the configured one;
 * the ports' queue reservations stay as configured. There is no
 * guarantee then: one consumer may take every buffer. For comparisons
 * with a plain DPDK application (xchg-replay --mode shared). The
 * configuration's own quotas, and xchg_config_sizing(), are unchanged.
 *
 * @return 0, or -EINVAL for a NULL @p cfg.
 */
int xchg_config_set_shared(struct xchg_config *cfg, bool shared);

/**
 * @return
 *   A behaviour's name: "normal", "hold" or "hog".
 */
const char *xchg_config_behaviour_name(enum xchg_config_behaviour b);

/** A set-up built from a configuration. */
struct xchg_config_setup;

/**
 * Build a set-up: the arena, each port (probing its vdev, or finding an
 * ethdev of that name the EAL already has, or its PCI device) bound to
 * the arena with a stack, its address and default route, the sockets,
 * the proxy (probing its TAP device) and the capture. Ports are not
 * started: see xchg_config_setup_start().
 * After xchg_config_set_shared(), the arena is overcommitted and every
 * consumer's quota is the whole arena.
 *
 * Log messages of the EAL and of the PMDs while a device is probed are
 * kept out of the terminal; the one that explains a failure is quoted in
 * @p err.
 *
 * @param cfg
 *   Configuration, checked by xchg_config_load(); it must outlive the
 *   set-up.
 * @param err
 *   Receives a one-line message on failure; may be NULL.
 * @param errlen
 *   Size of @p err.
 * @return
 *   The set-up, or NULL with rte_errno set; whatever was built is torn
 *   down again.
 */
struct xchg_config_setup *xchg_config_setup_create(const struct xchg_config *cfg,
						   char *err, size_t errlen);

/**
 * Start every port of a set-up (the proxy's TAP port runs already).
 *
 * @return
 *   0, or a negative errno with the port named in @p err.
 */
int xchg_config_setup_start(struct xchg_config_setup *su, char *err,
			    size_t errlen);

/**
 * Poll every port's stack once, in configuration order, on this lcore.
 *
 * @return
 *   Frames received.
 */
unsigned int xchg_config_setup_poll(struct xchg_config_setup *su);

/**
 * Tear a set-up down: stop the ports, free the stacks (sockets, proxy,
 * capture), the ports and the arena, and remove the devices it probed.
 *
 * @return
 *   0; -EINVAL for NULL; -EBUSY while the application still holds frames
 *   a socket received (the ports are stopped and the stacks before that
 *   one freed; free the frames and call again to finish), or while a TX
 *   queue still pays for frames not completed.
 */
int xchg_config_setup_free(struct xchg_config_setup *su);

/** @return The set-up's arena, or NULL. */
struct xchg_arena *xchg_config_setup_arena(const struct xchg_config_setup *su);

/** @return Port @p idx (configuration order), or NULL. */
struct xchg_port *xchg_config_setup_port(const struct xchg_config_setup *su,
					 unsigned int idx);

/** @return Port @p idx's stack, or NULL. */
struct xchg_stack *xchg_config_setup_stack(const struct xchg_config_setup *su,
					   unsigned int idx);

/** @return Socket @p idx (configuration order), or NULL. */
struct xchg_socket *xchg_config_setup_socket(const struct xchg_config_setup *su,
					     unsigned int idx);

/** @return The proxy's TAP port, or NULL without a proxy. */
struct xchg_port *xchg_config_setup_tap(const struct xchg_config_setup *su);

/**
 * Probe a virtual or PCI device by its devargs, or find the ethdev the
 * EAL already has under that name, keeping the EAL's and the PMD's log
 * lines out of the terminal. For programs that create ports themselves.
 *
 * @param devargs
 *   "net_null0", "net_pcap0,rx_pcap=in.pcap", "0000:01:00.0"...
 * @param port_id
 *   Receives the ethdev port.
 * @param probed
 *   Set to true when this call created the device (remove it with
 *   xchg_config_device_remove()), false when it existed already.
 * @param err
 *   Receives "no DPDK driver matches net_foo0", or the PMD's reason.
 * @param errlen
 *   Size of @p err.
 * @return
 *   0 or a negative errno.
 */
int xchg_config_device_probe(const char *devargs, uint16_t *port_id,
			     bool *probed, char *err, size_t errlen);

/**
 * Close an ethdev and remove the device xchg_config_device_probe()
 * created.
 *
 * @return
 *   0 or a negative errno.
 */
int xchg_config_device_remove(uint16_t port_id);

/**
 * Start the EAL for a program, the way the xchg programs do: with the
 * EAL options in front of "--" when there is one, else with @p defaults.
 * The EAL's output while it starts (logs, its usage text) is held back:
 * shown on success, replaced by one line in @p err on failure, e.g.
 * "--vdev net_foo0: no DPDK driver matches this name".
 *
 * @param argc
 *   As main() got it.
 * @param argv
 *   As main() got it.
 * @param defaults
 *   EAL options used when the command line has no "--".
 * @param nb_defaults
 *   Number of @p defaults.
 * @param err
 *   Receives the reason on failure.
 * @param errlen
 *   Size of @p err.
 * @return
 *   Index in @p argv of the first program option (after "--", or 1), or
 *   -1 on failure.
 */
int xchg_config_eal_init(int argc, char **argv, const char * const *defaults,
			 unsigned int nb_defaults, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_CONFIG_H */
