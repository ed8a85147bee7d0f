/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_STACK_H
#define XCHG_STACK_H

/**
 * @file
 * xchg protocol stack: Ethernet/VLAN demux, ARP and ICMP services, IPv4,
 * UDP and packet sockets, fragment reassembly, a proxy to the Linux
 * stack and capture, on one port bound to an arena.
 *
 * Every socket and service is a consumer with its own pool, in RTnet's
 * sense: ARP and ping keep answering and a critical UDP socket keeps
 * receiving whatever another consumer does. Every frame is delivered or
 * dropped with a counted reason.
 *
 * Threads: xchg_stack_poll() runs the whole stack on one lcore. To spread
 * RX queues over lcores, call xchg_stack_rx() per queue on each lcore and
 * xchg_stack_service() on one of them. Socket receive and send are safe
 * from any lcore, one lcore per socket at a time. Everything else
 * (create, configure, free) is control path.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "xchg.h"
#include "xchg_port.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct xchg_stack;
struct xchg_socket;

/** Why the stack dropped a frame. */
enum xchg_stack_drop {
	XCHG_SD_RUNT = 0,          /**< Shorter than an Ethernet header. */
	XCHG_SD_VLAN_TRUNCATED,    /**< A VLAN tag cut short. */
	XCHG_SD_VLAN_TOO_MANY,     /**< More than two VLAN tags. */
	XCHG_SD_UNKNOWN_ETHERTYPE, /**< No handler and no proxy. */
	XCHG_SD_IPV6,              /**< IPv6 and no proxy. */
	XCHG_SD_ARP_MALFORMED,     /**< Not Ethernet/IPv4 ARP, or short. */
	XCHG_SD_ARP_NOT_FOR_US,    /**< ARP request for another address. */
	XCHG_SD_IPV4_TRUNCATED,    /**< Shorter than an IPv4 header. */
	XCHG_SD_IPV4_VERSION,      /**< Version is not 4. */
	XCHG_SD_IPV4_IHL,          /**< Header length below 20 or past the
				    *   frame. */
	XCHG_SD_IPV4_LENGTH,       /**< Total length below the header or
				    *   past the frame. */
	XCHG_SD_IPV4_CHECKSUM,     /**< Bad header checksum. */
	XCHG_SD_IPV4_TTL,          /**< TTL 0: expired. */
	XCHG_SD_IPV4_SOURCE,       /**< Multicast/broadcast source. */
	XCHG_SD_NOT_FOR_US,        /**< Not our address, nor broadcast. */
	XCHG_SD_L4_TRUNCATED,      /**< UDP/ICMP header past the datagram. */
	XCHG_SD_UDP_LENGTH,        /**< UDP length inconsistent. */
	XCHG_SD_UDP_CHECKSUM,      /**< Bad UDP checksum. */
	XCHG_SD_ICMP_CHECKSUM,     /**< Bad ICMP checksum. */
	XCHG_SD_ICMP_UNHANDLED,    /**< ICMP other than echo request, and
				    *   no proxy. */
	XCHG_SD_NO_SOCKET,         /**< UDP to an unbound port, no proxy. */
	XCHG_SD_UNKNOWN_PROTOCOL,  /**< IP protocol with no handler and no
				    *   proxy (TCP...). */
	XCHG_SD_FRAG_NO_COLLECTOR, /**< A fragment for a socket whose
				    *   reassembly is off (no collectors). */
	XCHG_SD_FRAG_INVALID,      /**< Overlap, past 64 KiB, or too many
				    *   fragments. */
	XCHG_SD_FRAG_TIMEOUT,      /**< Fragments of a datagram that never
				    *   completed (counted per fragment). */
	XCHG_SD_NO_BUFFERS,        /**< The consumer had no unit to pay. */
	XCHG_SD_FRAG_EVICTED,      /**< A socket's oldest half-built datagram,
				    *   evicted for its newest when its
				    *   collectors or reservation ran out
				    *   (counted per fragment, against that
				    *   socket only). */
	XCHG_SD_FRAG_STAGING_EVICTED, /**< A fragment no socket could be
				    *   named for yet, evicted oldest first
				    *   from the staging area by a newer
				    *   one. */
	XCHG_SD_NEIGH_TIMEOUT,     /**< A datagram a socket sent that
				    *   waited for its next hop's address
				    *   longer than
				    *   xchg_stack_conf::neigh_resolve_ms
				    *   (counted per datagram, against
				    *   that socket; a sent datagram, not a
				    *   received frame). */
	XCHG_SD_IPV6_TRUNCATED,    /**< Shorter than an IPv6 header. */
	XCHG_SD_IPV6_VERSION,      /**< Version is not 6. */
	XCHG_SD_IPV6_LENGTH,       /**< Payload length 0 (jumbogram) or
				    *   past the frame. */
	XCHG_SD_IPV6_SOURCE,       /**< Multicast source. */
	XCHG_SD_IPV6_EXT_CHAIN,    /**< More than 8 extension headers, or a
				    *   chain past the frame's first
				    *   segment: too long to walk. */
	XCHG_SD_IPV6_EXT_MALFORMED, /**< An extension header past the
				    *   datagram, hop-by-hop options not
				    *   first, or a non-last fragment not a
				    *   multiple of 8 bytes. */
	XCHG_SD_ICMP6_CHECKSUM,    /**< Bad ICMPv6 checksum. */
	XCHG_SD_ICMP6_ERROR,       /**< An ICMPv6 error message (type below
				    *   128): never answered, and nothing
				    *   here waits for one. */
	XCHG_SD_ICMP6_UNHANDLED,   /**< ICMPv6 other than neighbour
				    *   solicitations and advertisements
				    *   and echo requests to our unicast
				    *   addresses (router discovery,
				    *   redirects, MLD, echo replies,
				    *   multicast echo, fragments), and
				    *   no proxy. */
	XCHG_SD_ND_HOP_LIMIT,      /**< A neighbour discovery message whose
				    *   hop limit is not 255: it came
				    *   through a router (RFC 4861). */
	XCHG_SD_ND_CODE,           /**< A neighbour discovery message with
				    *   a code other than 0. */
	XCHG_SD_ND_MALFORMED,      /**< A neighbour discovery message too
				    *   short, past the first segment, with
				    *   a multicast target, solicited to a
				    *   multicast address, or a DAD probe
				    *   (from ::) not to a solicited-node
				    *   group or carrying a link-layer
				    *   address. */
	XCHG_SD_ND_OPTION,         /**< A neighbour discovery option of
				    *   length 0 or past the message. */
	XCHG_SD_ND_NOT_FOR_US,     /**< A neighbour solicitation for
				    *   another address, or for one of ours
				    *   that duplicate address detection
				    *   found another node has. */
	XCHG_SD_UDP6_ZERO_CHECKSUM, /**< UDP over IPv6 with no checksum
				    *   (0), which IPv6 forbids (RFC 8200
				    *   8.1): dropped whatever
				    *   verify_udp_checksum says. */
	XCHG_SD_MAX
};

/** @return A drop reason's name ("runt", "ipv4_checksum"...). */
const char *xchg_stack_drop_name(enum xchg_stack_drop reason);

/** Priority shown in statistics; critical consumers should get quotas
 *  that cover their worst burst. */
enum xchg_priority {
	XCHG_PRIO_NORMAL = 0,
	XCHG_PRIO_CRITICAL,
};

/** Default quota of the reassembly staging area: a stack reserves it
 *  beside the ARP and ICMP pools. */
#define XCHG_STACK_FRAG_STAGING 16

/** Datagrams a UDP socket may have waiting for their next hop's
 *  address unless xchg_stack_conf::pending_max or
 *  xchg_udp_set_pending() says (see xchg_udp_send_burst()). */
#define XCHG_STACK_PENDING_DEFAULT 4
/** The most a socket may have waiting (xchg_udp_set_pending()). */
#define XCHG_STACK_PENDING_LIMIT 1024

/** Stack parameters; zero fields take their documented default. */
struct xchg_stack_conf {
	uint32_t arp_quota;        /**< ARP service pool; default 16. */
	uint32_t icmp_quota;       /**< ICMP echo service pool; default 8. */
	uint32_t neigh_max;        /**< Learned neighbours at most; default
				    *   256. Configured neighbours and the
				    *   peers of connected sockets are kept
				    *   apart and do not count. */
	uint32_t neigh_timeout_ms; /**< Learned entries expire; default 300000. */
	uint32_t frag_collectors;  /**< Datagrams each UDP socket
				    *   reassembles at once; 0: derived from
				    *   its quota (quota / 4, 1 to 16).
				    *   See xchg_udp_set_reassembly(). */
	uint32_t frag_timeout_ms;  /**< Give up a datagram; default 1000. */
	uint16_t frag_max_frags;   /**< Fragments per datagram; default 64. */
	uint32_t frag_staging;     /**< Staging area for fragments that
				    *   arrive before the first one of their
				    *   datagram (the one naming the
				    *   socket): its own pool of this quota;
				    *   default XCHG_STACK_FRAG_STAGING. */
	uint32_t max_sockets;      /**< Sockets the stack holds; default
				    *   4096, at most 65536. Each socket is a
				    *   pool of the arena, so the arena's
				    *   max_pools bounds this too. */
	bool verify_udp_checksum;  /**< Check UDP checksums on receive
				    *   (default off: the NIC usually did). */
	/** Time for reassembly timeouts and neighbour aging, in timer
	 *  cycles (rte_get_timer_hz() a second); NULL takes
	 *  rte_get_timer_cycles(). A replay gives the capture's own time,
	 *  so that results do not depend on how fast it runs. */
	uint64_t (*clock)(void *arg);
	void *clock_arg;           /**< Passed to @c clock. */
	uint32_t pending_max;      /**< Datagrams each UDP socket may have
				    *   waiting for a neighbour; default
				    *   XCHG_STACK_PENDING_DEFAULT. See
				    *   xchg_udp_set_pending(). */
	uint32_t neigh_resolve_ms; /**< A waiting datagram is dropped
				    *   (neigh_timeout) after this; default
				    *   1000. ARP requests are repeated
				    *   every 200 ms meanwhile. */
	uint32_t nd_quota;         /**< Neighbour discovery service pool;
				    *   default 16. Reserved when the first
				    *   IPv6 address is added. */
	uint32_t icmp6_quota;      /**< ICMPv6 echo service pool; default 8;
				    *   reserved as @c nd_quota. */
	uint32_t dad_ms;           /**< Duplicate address detection waits
				    *   this long for a conflict after its
				    *   solicitation; default 1000. */
};

/** The staging area's figures: fragments that came before the first
 *  fragment of their datagram, and what became of them. */
struct xchg_frag_staging_stats {
	uint32_t quota;                  /**< Its pool's quota. */
	uint32_t held;                   /**< Fragments staged now. */
	uint64_t staged;                 /**< Fragments taken in. */
	uint64_t moved;                  /**< Moved to their socket, which
					  *   paid for them (an exchange). */
	uint64_t proxied;                /**< Passed to the proxy. */
	uint64_t evicted;                /**< Evicted oldest first. */
	uint64_t timed_out;              /**< Never claimed in time. */
	uint64_t no_buffers;             /**< Refused: more segments than
					  *   the whole staging quota. */
	uint64_t invalid;                /**< Past 64 KiB or misaligned. */
};

/** Stack-wide figures. */
struct xchg_stack_stats {
	uint64_t frames;                 /**< Frames classified. */
	uint64_t delivered;              /**< Handed to a consumer. */
	uint64_t drops[XCHG_SD_MAX];     /**< Dropped, by reason. */
	uint64_t arp_requests_answered;  /**< ARP replies sent. */
	uint64_t arp_learned;            /**< Neighbours learned or updated. */
	uint64_t icmp_echo_answered;     /**< Echo replies sent. */
	uint64_t service_no_buffers;     /**< Replies a service could not
					  *   build: its pool was empty. */
	uint64_t reassembled;            /**< Datagrams reassembled. */
	uint64_t proxied_in;             /**< Frames passed to the host. */
	uint64_t proxied_out;            /**< Frames the host sent out. */
	uint64_t captured;               /**< Frames written to the capture. */
	uint64_t capture_missed;         /**< Frames the capture missed: its
					  *   pool was empty. */
	uint32_t neighbours;             /**< Entries in the table now. */
	uint32_t neighbours_pinned;      /**< Of which configured or peers of
					  *   connected sockets. */
	struct xchg_frag_staging_stats staging; /**< The staging area. */
	uint64_t nd_advertisements_sent; /**< Neighbour advertisements sent
					  *   (answers to solicitations). */
	uint64_t nd_solicitations_sent;  /**< Neighbour solicitations sent
					  *   (resolution and DAD). */
	uint64_t nd_learned;             /**< IPv6 neighbours learned or
					  *   updated. */
	uint64_t icmp6_echo_answered;    /**< ICMPv6 echo replies sent. */
	uint64_t dad_conflicts;          /**< Our addresses another node
					  *   has: taken out of use. */
	uint32_t neighbours6;            /**< IPv6 entries in the table now. */
	uint32_t neighbours6_pinned;     /**< Of which configured or peers of
					  *   connected sockets. */
};

/** Per-socket figures. */
struct xchg_socket_stats {
	struct xchg_pool_stats pool;     /**< The socket's reservation. */
	uint64_t received;               /**< Datagrams delivered. */
	uint64_t sent;                   /**< Datagrams sent. */
	uint64_t send_failed;            /**< Sends refused (no route, no
					  *   neighbour and no room to wait
					  *   for it, TX reservation out). */
	enum xchg_priority priority;     /**< As set at creation. */
	uint32_t frag_collectors;        /**< Its reassembly collectors. */
	uint32_t frag_pending;           /**< Datagrams half built now. */
	uint64_t reassembled;            /**< Datagrams it completed. */
	/** Frames lost on this socket's account, by reason: fragments of
	 *  its datagrams (evicted, timed out, invalid, no_buffers) and
	 *  frames held back for order it could not pay for. Whole frames
	 *  its pool refused at the port are in @c pool.refused. */
	uint64_t drops[XCHG_SD_MAX];
	/** Datagrams lost on this socket's account, by reason: each
	 *  datagram the stack dropped (whole, half built, or its first
	 *  fragment) counts once, under the reason @c drops counts its
	 *  frames. Whole frames its pool refused at the port are not in it
	 *  (@c pool.refused: one datagram each). */
	uint64_t datagrams_lost[XCHG_SD_MAX];
	/** Fragments held now in its half-built datagrams. */
	uint32_t frag_held;
	/** Datagrams taken to wait for their next hop's address (see
	 *  xchg_udp_send_burst()); each is then in @c sent, or in
	 *  @c drops[XCHG_SD_NEIGH_TIMEOUT], or still in @c pending. */
	uint64_t queued;
	uint32_t pending;                /**< Waiting now: charged to its
					  *   pool, not the application's. */
	uint32_t pending_max;            /**< Its bound (xchg_udp_set_pending()). */
};

/** One neighbour entry, for xchg_stack_neigh_foreach(). */
struct xchg_neigh_info {
	rte_be32_t ip;                   /**< Network order. */
	struct rte_ether_addr mac;       /**< Hardware address. */
	bool is_static;                  /**< Configured: never ages out. */
	bool is_pinned;                  /**< Configured, or the next hop of
					  *   a connected socket: kept apart
					  *   from learned entries. */
	uint32_t age_ms;                 /**< Since learned or confirmed. */
};

/** Where the stack sends a frame, judged on its bytes alone. */
struct xchg_stack_verdict {
	/** The consumer's reservation, or NULL when the stack drops it. */
	struct xchg_pool *pool;
	/** Why it is dropped when @c pool is NULL, else XCHG_SD_MAX. */
	enum xchg_stack_drop reason;
	/** An IPv4 or IPv6 fragment: it goes to the reassembly first. A later
	 *  fragment (@c first_fragment false) names no socket: it goes to
	 *  the socket its first fragment named, which @c pool does not
	 *  tell (it is the proxy's or NULL with frag_no_collector; on
	 *  receive, one that comes before its first fragment waits in the
	 *  staging area, whose pool pays until then). */
	bool fragment;
	bool first_fragment;     /**< Offset 0: names the socket. */
	rte_be32_t src, dst;     /**< IPv4 fragments: the datagram's key... */
	rte_be16_t ip_id;        /**< ...with the IP id... */
	uint8_t proto;           /**< ...and the protocol. */
	bool ipv6;               /**< An IPv6 fragment: its key is... */
	uint32_t id6;            /**< ...the fragment header's id (network
				  *   order)... */
	uint8_t src6[16], dst6[16]; /**< ...and both addresses. */
};

/**
 * Classify a frame the way the stack's demux would, without a buffer,
 * without changing any counter and without delivering anything: for
 * tools that account for every frame of a capture whether or not a
 * buffer was there for it (xchg-replay). Packet sockets, ARP, ICMP, UDP
 * sockets and the proxy are judged as on receive; the reassembly's
 * state is not (see xchg_stack_verdict::fragment).
 *
 * @param stack
 *   The stack.
 * @param frame
 *   The frame, from its Ethernet header; only @p len bytes are read.
 * @param len
 *   Its length.
 * @param verdict
 *   Receives where it goes.
 * @return
 *   0, or -EINVAL for a NULL argument.
 */
int xchg_stack_classify(struct xchg_stack *stack, const void *frame,
			uint32_t len, struct xchg_stack_verdict *verdict);

/**
 * Create a stack on a port: its demux becomes the port's, and the ARP and
 * ICMP services get their pools. The port must not be started yet.
 *
 * @return
 *   The stack, or NULL with rte_errno set (EINVAL, ENOSPC when the arena
 *   cannot cover the service pools, ENOMEM).
 */
struct xchg_stack *xchg_stack_create(struct xchg_arena *arena,
				     struct xchg_port *port,
				     const struct xchg_stack_conf *conf);

/**
 * Free a stack: its sockets, services, proxy and capture. The port is
 * left bound; stop it first.
 *
 * @return 0; -EINVAL for NULL; -EBUSY when the application still holds
 *   frames a socket received (nothing is freed then).
 */
int xchg_stack_free(struct xchg_stack *stack);

/**
 * Add an IPv4 address to the stack's interface.
 *
 * @param stack
 *   The stack.
 * @param ip
 *   Address, network order.
 * @param prefix_len
 *   Prefix length, 1 to 32.
 * @return 0, -EINVAL, -EEXIST, or -ENOSPC when 8 are set already.
 */
int xchg_stack_add_address(struct xchg_stack *stack, rte_be32_t ip,
			   uint8_t prefix_len);

/**
 * Add an IPv6 address to the stack's interface. The first one turns
 * IPv6 on and brings the link-local address (fe80::/64 from the port's
 * MAC) with it. The stack then takes IPv6 to its addresses, to
 * all-nodes (ff02::1) and to the solicited-node group of each address,
 * and drops the rest as not_for_us; before, it drops every IPv6 frame
 * as ipv6, or hands it to the proxy. Malformed IPv6 is dropped with its
 * reason (ipv6_truncated...) either way. Until the stack serves IPv6 it
 * takes (neighbour discovery, ICMPv6, UDP), such frames are unclaimed:
 * to the proxy, or dropped as ipv6.
 *
 * The first address also reserves the neighbour discovery and ICMPv6
 * echo services' pools (xchg_stack_conf::nd_quota, icmp6_quota), so a
 * stack without IPv6 reserves nothing for it; each address goes through
 * duplicate address detection (optimistic: used at once, taken out of
 * use if another node turns out to have it, see the guide).
 *
 * @param stack
 *   The stack.
 * @param ip
 *   Address, network order (16 bytes); not multicast, not ::.
 * @param prefix_len
 *   Prefix length, 1 to 128.
 * @return 0, -EINVAL, -EEXIST, -ENOSPC when 8 are set already, or the
 *   error of creating the services' pools (-ENOSPC, -ENOMEM...).
 */
int xchg_stack_add_address6(struct xchg_stack *stack, const uint8_t ip[16],
			    uint8_t prefix_len);

/**
 * Add a static IPv6 route. A zero @p prefix_len (::/0) is the default
 * route (gateway6 in the configuration). Destinations on the prefix of
 * one of our addresses, and link-local ones, need no route.
 *
 * @param stack
 *   The stack.
 * @param dst
 *   Destination prefix, network order (16 bytes); not multicast.
 * @param prefix_len
 *   0 to 128.
 * @param next_hop
 *   The router: link-local, or on the prefix of one of our addresses
 *   (so that neighbour discovery can resolve it).
 * @return 0, -EINVAL (bad argument, or next hop not on the link), or
 *   -ENOSPC when 16 are set already.
 */
int xchg_stack_add_route6(struct xchg_stack *stack, const uint8_t dst[16],
			  uint8_t prefix_len, const uint8_t next_hop[16]);

/**
 * Add a static route. A zero @p prefix_len is the default route.
 *
 * @return 0, -EINVAL (next hop not on a local subnet), or -ENOSPC.
 */
int xchg_stack_add_route(struct xchg_stack *stack, rte_be32_t dst,
			 uint8_t prefix_len, rte_be32_t next_hop);

/**
 * Add or replace a static neighbour. Static entries never age out and are
 * never replaced by learning; they are kept apart from learned entries
 * (which xchg_stack_conf::neigh_max caps) and have room of their own for
 * neigh_max more, so learning never pushes one out and they never take a
 * learned entry's place.
 *
 * @param stack
 *   The stack.
 * @param ip
 *   Address, network order.
 * @param mac
 *   Its Ethernet address.
 * @return 0, -EINVAL, or -ENOSPC when neigh_max static entries are set
 *   already.
 */
int xchg_stack_add_neighbour(struct xchg_stack *stack, rte_be32_t ip,
			     const struct rte_ether_addr *mac);

/** Look up a neighbour. @return 0 and @p mac, or -ENOENT. */
int xchg_stack_lookup_neighbour(struct xchg_stack *stack, rte_be32_t ip,
				struct rte_ether_addr *mac);

/**
 * Add or replace a static IPv6 neighbour, with the rules of
 * xchg_stack_add_neighbour() in a table of its own: neighbour discovery
 * never replaces it.
 *
 * @param stack
 *   The stack.
 * @param ip
 *   Address, network order (16 bytes); not multicast, not ::.
 * @param mac
 *   Its Ethernet address.
 * @return 0, -EINVAL, or -ENOSPC when neigh_max static IPv6 entries are
 *   set already.
 */
int xchg_stack_add_neighbour6(struct xchg_stack *stack, const uint8_t ip[16],
			      const struct rte_ether_addr *mac);

/** Look up an IPv6 neighbour. @return 0 and @p mac, -ENOENT (unknown or
 *  being resolved), or -EINVAL. */
int xchg_stack_lookup_neighbour6(struct xchg_stack *stack,
				 const uint8_t ip[16],
				 struct rte_ether_addr *mac);

/** Call @p fn for every neighbour entry until it returns non-zero. */
int xchg_stack_neigh_foreach(struct xchg_stack *stack,
			     int (*fn)(const struct xchg_neigh_info *n,
				       void *arg),
			     void *arg);

/**
 * Run the stack once on this lcore: poll every RX queue of the port,
 * answer ARP and ICMP, pass frames to and from the proxy, write the
 * capture, expire fragments and neighbours.
 *
 * @return Frames received.
 */
unsigned int xchg_stack_poll(struct xchg_stack *stack);

/** Poll one RX queue; for stacks whose queues run on several lcores. */
unsigned int xchg_stack_rx(struct xchg_stack *stack, uint16_t queue);

/** Services, proxy, capture and timers, on one lcore. */
void xchg_stack_service(struct xchg_stack *stack);

/** Read the stack's figures. @return 0 or -EINVAL. */
int xchg_stack_stats_get(struct xchg_stack *stack,
			 struct xchg_stack_stats *stats);

/** @return The ARP or ICMP service's pool, or NULL. */
struct xchg_pool *xchg_stack_service_pool(struct xchg_stack *stack,
					  bool icmp);

/** @return The neighbour discovery or ICMPv6 echo service's pool, or
 *  NULL (no IPv6 address yet: see xchg_stack_add_address6()). */
struct xchg_pool *xchg_stack_service_pool6(struct xchg_stack *stack,
					   bool icmp6);

/**
 * Open a UDP socket with its own pool and receive ring, and its own
 * reassembly collectors (see xchg_udp_set_reassembly()).
 *
 * @return The socket, or NULL with rte_errno (EINVAL, EEXIST, ENOSPC,
 *   EMFILE when max_sockets are open).
 */
struct xchg_socket *xchg_udp_socket(struct xchg_stack *stack,
				    const char *name, uint32_t quota,
				    enum xchg_priority priority);

/**
 * Bind a UDP socket to a local address (0: any of ours) and port.
 *
 * @param sock
 *   A UDP socket.
 * @param ip
 *   Local address, network order (rte_cpu_to_be_32(RTE_IPV4(...))), or 0.
 * @param port
 *   UDP port in host order (7000, not rte_cpu_to_be_16(7000)), as every
 *   UDP port argument and result of this API.
 * @return 0, -EINVAL, or -EADDRINUSE.
 */
int xchg_udp_bind(struct xchg_socket *sock, rte_be32_t ip, uint16_t port);

/**
 * Set the default destination; received datagrams from elsewhere are
 * then dropped as no_socket. The next hop's neighbour entry is pinned
 * (kept apart from learned entries, so no ARP storm pushes it out) while
 * the socket stays connected (when there is a route to @p ip then: set
 * addresses and routes before connecting).
 *
 * @p ip is in network order, @p port in host order.
 *
 * @return 0 or -EINVAL.
 */
int xchg_udp_connect(struct xchg_socket *sock, rte_be32_t ip, uint16_t port);

/**
 * Set how many datagrams a UDP socket reassembles at once: its own
 * collectors, which no other socket's fragments can take. When they or
 * the socket's reservation run out, its own least recently completed
 * half-built datagram is evicted for the newest (XCHG_SD_FRAG_EVICTED,
 * counted against it). 0 turns reassembly off (fragments to it are
 * dropped as frag_no_collector). The default is
 * xchg_stack_conf::frag_collectors, or quota / 4 (1 to 16).
 *
 * @return 0; -EINVAL; -EBUSY while it has datagrams half built; -ENOMEM.
 */
int xchg_udp_set_reassembly(struct xchg_socket *sock, uint32_t collectors);

/**
 * Open a packet socket: every frame of one ethertype (host order), whole,
 * Ethernet header included. The stack's own ethertypes, IPv4 and ARP,
 * are refused (a packet socket would take them from every UDP socket and
 * service); VLAN tag types too (tags are stripped: give the inner type).
 * A packet socket comes before the proxy: it takes IPv6 or any other
 * ethertype the proxy would otherwise get.
 *
 * @return The socket, or NULL with rte_errno: EINVAL (below 0x0600, a
 *   VLAN tag type, bad arguments), EADDRINUSE (IPv4, ARP, or a packet
 *   socket has that ethertype), EMFILE (max_sockets open), or as
 *   xchg_pool_create().
 */
struct xchg_socket *xchg_packet_socket(struct xchg_stack *stack,
				       const char *name, uint16_t ether_type,
				       uint32_t quota,
				       enum xchg_priority priority);

/**
 * Close a socket: queued frames are freed, then its pool.
 *
 * @return 0; -EINVAL; -EBUSY when the application still holds frames it
 *   received (nothing changes: the socket stays open and bound).
 */
int xchg_socket_close(struct xchg_socket *sock);

/**
 * Receive, zero copy. A UDP socket's mbufs start at the UDP payload
 * (the headers stay in the headroom: see xchg_udp_source()); a packet
 * socket's at the Ethernet header. Free them with rte_pktmbuf_free().
 * Safe from several threads at once unless the socket is single-reader
 * (xchg_socket_set_single_reader()).
 *
 * @return Frames received, at most @p n; 0 with rte_errno EBUSY for a
 *   second simultaneous reader of a single-reader socket in a strict
 *   arena.
 */
unsigned int xchg_socket_recv_burst(struct xchg_socket *sock,
				    struct rte_mbuf **mbufs, unsigned int n);

/**
 * Say whether one thread at a time reads @p sock (single reader) or
 * several may at once (the default). A single reader's
 * xchg_socket_recv_burst() takes the single-consumer ring dequeue and
 * counts what it received in a counter only that reader writes: no
 * locked instruction and no lookup of the lcore's counter set (see
 * xchg_consumer_set_single_consumer()). The config key is
 * ``[socket NAME] readers = one``.
 *
 * Two threads reading a single-reader socket at the same instant is
 * undefined, as for DPDK's RING_F_SC_DEQ: both may receive the same
 * datagrams (and free them twice), the socket's ring may lose or repeat
 * datagrams, and its received count may miss some. It is not detected
 * in an arena with plain free marking; in a strict arena
 * (xchg_arena_conf::strict) the second thread's read returns 0 with
 * rte_errno EBUSY and takes nothing. Reads by different threads one
 * after the other are fine when something orders them (a lock, a
 * release store and an acquire load).
 *
 * Control path: call it before any thread reads @p sock, or while none
 * does; datagrams queued stay queued, in order, and the received count
 * (xchg_socket_stats_get()) goes on from where it was.
 *
 * @return 0; -EINVAL for NULL.
 */
int xchg_socket_set_single_reader(struct xchg_socket *sock, bool single);

/**
 * Read back the mode xchg_socket_set_single_reader() set.
 *
 * @return true for a single-reader socket; false when several threads
 *   may read it (the default), or for NULL.
 */
bool xchg_socket_single_reader(const struct xchg_socket *sock);

/**
 * The sender of a datagram a UDP socket received: its address in
 * network order, its port in host order.
 *
 * @return 0, -EINVAL when @p m is not such a datagram, or
 *   -EAFNOSUPPORT when it came over IPv6 (see xchg_udp_source6()).
 */
int xchg_udp_source(const struct rte_mbuf *m, rte_be32_t *ip, uint16_t *port);

/**
 * Allocate from the socket's own pool, with room for headers in front.
 *
 * @return 0 or -ENOBUFS (all or nothing).
 */
int xchg_socket_alloc_bulk(struct xchg_socket *sock, struct rte_mbuf **mbufs,
			   unsigned int n);

/**
 * Send datagrams: each mbuf holds a payload; the stack prepends UDP,
 * IPv4 and Ethernet headers with checksums, resolves the next hop and
 * transmits. To @p ip (network order) / @p port (host order), or to the
 * connected peer when @p ip is 0.
 * An ARP request the send needs is paid by the socket's own pool.
 *
 * When the next hop's address is not known yet, the datagrams wait for
 * it in the socket's pending queue (at most xchg_udp_set_pending() of
 * them, XCHG_STACK_PENDING_DEFAULT unless set): they stay in the
 * socket's own reservation, no one else's, and the stack sends them, in
 * order, as soon as the ARP reply is learned (on the lcore that runs
 * xchg_stack_service(), or at the socket's next send). One that waits
 * longer than xchg_stack_conf::neigh_resolve_ms is freed and counted
 * against the socket (XCHG_SD_NEIGH_TIMEOUT). Datagrams to a next hop
 * that has some waiting wait behind them, so they go out in the order
 * given.
 *
 * @return Datagrams the stack took, a prefix: sent, or queued to wait
 *   for the neighbour; either way the caller no longer owns them. When
 *   all @p n were taken, rte_errno is 0 if they were sent and
 *   EINPROGRESS if they wait for the neighbour ("queued", not a
 *   failure; xchg_socket_stats::pending counts them). The rest stay
 *   with the caller exactly as given (payload, headroom, and so
 *   xchg_udp_source(), unchanged) and rte_errno says why: EHOSTUNREACH
 *   (no route), EAGAIN (neighbour being resolved and the pending queue
 *   full, or queueing off), EMSGSIZE (over the MTU), ENOBUFS or EAGAIN
 *   from the port.
 */
unsigned int xchg_udp_send_burst(struct xchg_socket *sock, rte_be32_t ip,
				 uint16_t port, struct rte_mbuf **mbufs,
				 unsigned int n);

/**
 * Set how many datagrams a UDP socket may have waiting for their next
 * hop's address (see xchg_udp_send_burst()). They are charged to the
 * socket's own reservation, so it bounds nothing but the socket itself;
 * 0 turns waiting off (a send to an unresolved neighbour then fails with
 * EAGAIN). Control path.
 *
 * @return 0; -EINVAL (not a UDP socket, or over
 *   XCHG_STACK_PENDING_LIMIT); -EBUSY while datagrams wait; -ENOMEM.
 */
int xchg_udp_set_pending(struct xchg_socket *sock, uint32_t max);

/** The address families a UDP socket receives (xchg_udp_set_family()). */
enum xchg_family {
	XCHG_FAMILY_BOTH = 0, /**< IPv4 and IPv6: the default. */
	XCHG_FAMILY_IPV4,     /**< IPv4 only. */
	XCHG_FAMILY_IPV6,     /**< IPv6 only. */
};

/**
 * Narrow the address families a UDP socket receives and sends. A socket
 * bound to a port with any address (xchg_udp_bind() with 0, or
 * xchg_udp_bind6() with ::) receives the datagrams of both families on
 * its port unless narrowed; one bound to an address of one family, or
 * connected to a peer of one family, receives that family only. A
 * datagram of the other family to its port is dropped as no_socket (or
 * goes to the proxy), and a send to the other family fails with
 * EAFNOSUPPORT. May be called before or after binding.
 *
 * @return 0; -EINVAL (not a UDP socket, an unknown family, or a family
 *   that contradicts the socket's bound or connected address).
 */
int xchg_udp_set_family(struct xchg_socket *sock, enum xchg_family family);

/**
 * Bind a UDP socket to one of the stack's IPv6 addresses and a port;
 * :: (all zero) is any address, and then, as xchg_udp_bind() with 0,
 * both families are received unless xchg_udp_set_family() narrows it.
 * One socket per port, whatever the family.
 *
 * @param sock
 *   A UDP socket.
 * @param ip
 *   16 bytes, network order (as in the IPv6 header), or all zero.
 * @param port
 *   UDP port in host order.
 * @return 0, -EINVAL (not ours, the socket narrowed to IPv4, already
 *   bound), or -EADDRINUSE.
 */
int xchg_udp_bind6(struct xchg_socket *sock, const uint8_t ip[16],
		   uint16_t port);

/**
 * Set an IPv6 default destination, as xchg_udp_connect() for IPv4:
 * datagrams from elsewhere (IPv4 ones included) are then dropped as
 * no_socket, and the next hop's neighbour entry is pinned while the
 * socket stays connected.
 *
 * @return 0 or -EINVAL (bad arguments, or the socket narrowed to IPv4).
 */
int xchg_udp_connect6(struct xchg_socket *sock, const uint8_t ip[16],
		      uint16_t port);

/**
 * Send datagrams over IPv6, as xchg_udp_send_burst() over IPv4: each
 * mbuf holds a payload; the stack prepends UDP (checksum always
 * computed: IPv6 requires it), IPv6 and Ethernet headers
 * (62 bytes of headroom, which xchg_socket_alloc_bulk() leaves) and
 * transmits. To @p ip /
 * @p port, or to the connected IPv6 peer when @p ip is NULL or ::.
 * A next hop not resolved yet: the datagrams wait in the socket's
 * pending queue, charged to its reservation, as over IPv4 (rte_errno
 * EINPROGRESS), and a neighbour solicitation the send needs is paid by
 * the socket's pool. A datagram larger than the MTU is refused with
 * EMSGSIZE (the stack does not fragment, over either family).
 *
 * @return Datagrams the stack took, a prefix, with rte_errno as
 *   xchg_udp_send_burst() says, and EAFNOSUPPORT for a socket narrowed
 *   to IPv4 or bound to an IPv4 address.
 */
unsigned int xchg_udp_send_burst6(struct xchg_socket *sock,
				  const uint8_t ip[16], uint16_t port,
				  struct rte_mbuf **mbufs, unsigned int n);

/**
 * The sender of a datagram a UDP socket received over IPv6: its
 * address (16 bytes) and its port in host order. xchg_udp_source()
 * returns -EAFNOSUPPORT for such a datagram, and this call for an IPv4
 * one.
 *
 * @return 0, -EINVAL when @p m is not a received datagram, or
 *   -EAFNOSUPPORT when it came over IPv4.
 */
int xchg_udp_source6(const struct rte_mbuf *m, uint8_t ip[16],
		     uint16_t *port);

/**
 * Send whole frames on a packet socket, as they are.
 *
 * @return Frames sent, a prefix, as xchg_port_tx().
 */
unsigned int xchg_packet_send_burst(struct xchg_socket *sock,
				    struct rte_mbuf **mbufs, unsigned int n);

/** Read a socket's figures. @return 0 or -EINVAL. */
int xchg_socket_stats_get(struct xchg_socket *sock,
			  struct xchg_socket_stats *stats);

/** @return The socket's name, or NULL. */
const char *xchg_socket_name(const struct xchg_socket *sock);

/** @return The socket's pool, or NULL. */
struct xchg_pool *xchg_socket_pool(const struct xchg_socket *sock);

/** Call @p fn for each open socket until it returns non-zero. */
int xchg_stack_socket_foreach(struct xchg_stack *stack,
			      int (*fn)(struct xchg_socket *sock, void *arg),
			      void *arg);

/**
 * Proxy frames no socket or service claims to the host stack through a
 * port the application created on a TAP device (net_tap), and send what
 * the host sends out of the stack's port. The proxy has its own pool: a
 * slow or absent host drops only proxy frames.
 *
 * @return 0, -EINVAL, -EEXIST, or -ENOSPC.
 */
int xchg_stack_set_proxy(struct xchg_stack *stack, struct xchg_port *tap,
			 uint32_t quota);

/**
 * Capture frames to a pcap file, copied into the capture's own buffers:
 * when they run out the capture misses frames and counts them, and never
 * delays or takes from anyone.
 *
 * @param stack
 *   The stack.
 * @param path
 *   Pcap file to write.
 * @param quota
 *   The capture's own buffers.
 * @param owners
 *   Names of the consumers whose frames to capture ("arp", "icmp",
 *   "proxy", socket names), or NULL for every frame received.
 * @param nb_owners
 *   Number of @p owners.
 * @return 0, -EINVAL, -EEXIST, -ENOSPC, or -EIO when the file cannot be
 *   written.
 */
int xchg_stack_set_capture(struct xchg_stack *stack, const char *path,
			   uint32_t quota, const char * const *owners,
			   unsigned int nb_owners);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_STACK_H */
