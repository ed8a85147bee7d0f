/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_STACK_PRIVATE_H
#define XCHG_STACK_PRIVATE_H

/* Internal to the stack: not installed. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_rwlock.h>

#include "xchg_stack.h"

extern int xchg_stack_logtype;

#define STACK_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, xchg_stack_logtype, "xchg.stack: " __VA_ARGS__)

#define XCHG_STACK_MAX_ADDRS 8
#define XCHG_STACK_MAX_ROUTES 16
#define XCHG_STACK_MAX_SOCKETS 64
#define XCHG_STACK_BURST 32
/* Headroom a send needs in front of the payload. */
#define XCHG_STACK_HDR_LEN (RTE_ETHER_HDR_LEN + 20 + 8)

/* What parsing a frame found; offsets from the start of the frame. */
struct xchg_pkt {
	uint16_t l2_len;        /* Ethernet + VLAN tags */
	uint16_t ether_type;    /* innermost, host order */
	uint8_t nb_vlans;
	uint16_t l3_len;        /* IPv4 header */
	uint16_t ip_total;      /* IPv4 total length */
	uint8_t proto;
	rte_be32_t src, dst;
	rte_be16_t ip_id;
	uint16_t frag_offset;   /* bytes */
	bool more_frags;
	uint16_t l4_len;        /* UDP 8, ICMP 8; 0 when not parsed */
	uint16_t sport, dport;  /* host order, UDP only */
	uint16_t udp_len;       /* UDP length field, UDP only */
	uint8_t icmp_type;
};

/* Parse a frame held in plain memory; only [data, data + len) is read.
 * Returns XCHG_SD_MAX when the frame is well formed as far as the stack
 * needs, else the drop reason. ARP, IPv4 and UDP/ICMP headers are
 * checked; the payload is not. */
enum xchg_stack_drop xchg_stack_parse(const uint8_t *data, uint32_t len,
				      bool verify_udp, struct xchg_pkt *pkt);

/* The same for a frame of @wire bytes of which the first @len are
 * contiguous (a chained mbuf): lengths are checked against @wire, reads
 * stay within @len. Headers must be in the first @len bytes. */
enum xchg_stack_drop xchg_stack_parse_wire(const uint8_t *data, uint32_t len,
					   uint32_t wire, bool verify_udp,
					   struct xchg_pkt *pkt);

/* Ethernet header length, VLAN tags included, of a frame the parser
 * accepted. */
uint16_t xchg_stack_l2_len(const uint8_t *frame);

/* Cut a frame, possibly chained, to @len bytes; the tail segments are
 * freed. */
void xchg_stack_trim(struct rte_mbuf *m, uint32_t len);

enum xchg_sock_type {
	XCHG_SOCK_UDP,
	XCHG_SOCK_PACKET,
};

struct xchg_socket {
	struct xchg_consumer *consumer;
	struct xchg_stack *stack;
	enum xchg_sock_type type;
	enum xchg_priority priority;
	rte_be32_t local_ip;        /* 0: any of ours */
	uint16_t local_port;        /* host order; 0: unbound */
	rte_be32_t peer_ip;         /* connected peer, 0: none */
	uint16_t peer_port;
	uint16_t ether_type;        /* packet sockets, host order */
	bool capture;               /* its frames go to the capture */
	uint64_t received;          /* atomic counters */
	uint64_t sent;
	uint64_t send_failed;
};

struct xchg_addr {
	rte_be32_t ip;
	rte_be32_t mask;
};

struct xchg_route {
	rte_be32_t dst;
	rte_be32_t mask;
	rte_be32_t next_hop;
};

struct xchg_neigh {
	rte_be32_t ip;
	struct rte_ether_addr mac;
	bool used;
	bool is_static;
	bool resolved;              /* false: a request is out */
	uint64_t updated;           /* timer cycles */
	uint64_t requested;         /* last request sent, timer cycles */
};

struct xchg_frag_table;

struct xchg_stack {
	struct xchg_arena *arena;
	struct xchg_port *port;
	uint16_t port_id;
	struct rte_ether_addr mac;
	uint16_t mtu;
	struct xchg_stack_conf conf;
	uint64_t hz;

	/* Interface: written on the control path before traffic. */
	unsigned int nb_addrs;
	struct xchg_addr addrs[XCHG_STACK_MAX_ADDRS];
	unsigned int nb_routes;
	struct xchg_route routes[XCHG_STACK_MAX_ROUTES];

	/* Neighbours: learned on the service lcore, read by senders. */
	rte_rwlock_t neigh_lock;
	struct xchg_neigh *neigh;
	uint32_t nb_neigh;

	/* Consumers. */
	struct xchg_consumer *arp;
	struct xchg_consumer *icmp;
	struct xchg_consumer *proxy;     /* NULL: no proxy */
	struct xchg_port *tap;           /* the proxy's host side */
	struct xchg_consumer *tap_out;   /* frames the host sends out */
	struct xchg_socket **udp_by_port; /* 65536 entries */
	struct xchg_socket *sockets[XCHG_STACK_MAX_SOCKETS];
	pthread_mutex_t lock;            /* control path */

	/* Capture. */
	struct xchg_consumer *capture;   /* NULL: no capture */
	void *pcap;                      /* pcap_t */
	void *dumper;                    /* pcap_dumper_t */
	bool capture_all;
	bool capture_arp, capture_icmp, capture_proxy;

	struct xchg_frag_table *frags;
	uint64_t next_aging;

	/* Counters, atomic: several RX lcores may classify at once. */
	uint64_t frames;
	uint64_t delivered;
	uint64_t drops[XCHG_SD_MAX];
	uint64_t arp_answered;
	uint64_t arp_learned;
	uint64_t icmp_answered;
	uint64_t service_no_buffers;
	uint64_t reassembled;
	uint64_t frag_delivered;         /* fragments a consumer took */
	uint64_t proxied_in;
	uint64_t proxied_out;
	uint64_t captured;
	uint64_t capture_missed;
};

static inline void
xchg_stack_count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* The stack's time: the configured clock, or the timer. */
static inline uint64_t
xchg_stack_now(const struct xchg_stack *s)
{
	return s->conf.clock != NULL ? s->conf.clock(s->conf.clock_arg) :
				       rte_get_timer_cycles();
}

static inline void
xchg_stack_drop(struct xchg_stack *s, enum xchg_stack_drop reason)
{
	xchg_stack_count(&s->drops[reason], 1);
}

/* Addresses (xchg_stack.c). */
bool xchg_stack_is_local(const struct xchg_stack *s, rte_be32_t ip);
bool xchg_stack_is_broadcast(const struct xchg_stack *s, rte_be32_t ip);
/* Source address for talking to @dst, and the next hop; -EHOSTUNREACH. */
int xchg_stack_route(const struct xchg_stack *s, rte_be32_t dst,
		     rte_be32_t *src, rte_be32_t *next_hop);

/* Demux (xchg_stack_demux.c): the port's callback. */
struct xchg_consumer *xchg_stack_demux(struct rte_mbuf *m, void *ctx,
				       enum xchg_drop_reason *reason);

/* Neighbours (xchg_stack_neigh.c). */
int xchg_neigh_init(struct xchg_stack *s);
void xchg_neigh_learn(struct xchg_stack *s, rte_be32_t ip,
		      const struct rte_ether_addr *mac, bool create);
/* 0 and @mac when resolved; -EAGAIN when a request went out (or is
 * out); -ENOBUFS when none could be sent. */
int xchg_neigh_resolve(struct xchg_stack *s, rte_be32_t ip,
		       struct rte_ether_addr *mac);
void xchg_neigh_age(struct xchg_stack *s, uint64_t now);

/* Services (xchg_stack_arp.c, xchg_stack_icmp.c). */
void xchg_arp_service(struct xchg_stack *s);
int xchg_arp_request(struct xchg_stack *s, rte_be32_t target);
void xchg_icmp_service(struct xchg_stack *s);

/* Sockets (xchg_stack_socket.c). */
struct xchg_socket *xchg_stack_udp_lookup(struct xchg_stack *s,
					  const struct xchg_pkt *pkt);
struct xchg_socket *xchg_stack_packet_lookup(struct xchg_stack *s,
					     uint16_t ether_type);
void xchg_socket_free_all(struct xchg_stack *s);
/* Frames a socket's application took and still holds: charged to its
 * pool, neither queued nor being reassembled. */
uint32_t xchg_socket_held_by_application(struct xchg_socket *sock);

/* Fragments (xchg_stack_frag.c). */
struct xchg_frag_table *xchg_frag_create(const struct xchg_stack_conf *conf,
					 uint64_t hz, int socket_id);
void xchg_frag_free(struct xchg_frag_table *t);
/* Take a fragment of a datagram for @sock (NULL for a later fragment:
 * the collector knows). Always takes @m: it is kept, delivered when the
 * datagram completes, or dropped with its reason counted. */
void xchg_frag_input(struct xchg_stack *s, struct xchg_socket *sock,
		     struct rte_mbuf *m, const struct xchg_pkt *pkt);
void xchg_frag_expire(struct xchg_stack *s, uint64_t now);
/* Drop the datagrams being collected for @sock (counted no_socket), so
 * its pool can be freed; control path, before the consumer is freed. */
void xchg_frag_forget_socket(struct xchg_stack *s, struct xchg_socket *sock,
			     enum xchg_stack_drop why);

/* Proxy and capture (xchg_stack_proxy.c, xchg_stack_capture.c). */
void xchg_proxy_service(struct xchg_stack *s);
void xchg_proxy_free(struct xchg_stack *s);
/* Copy @m into the capture if it wants the frames of @owner (NULL: a
 * frame that is dropped); never blocks, never takes from anyone. */
void xchg_capture_frame(struct xchg_stack *s, const struct rte_mbuf *m,
			const struct xchg_consumer *owner);
void xchg_capture_service(struct xchg_stack *s);
void xchg_capture_free(struct xchg_stack *s);

/* Telemetry (xchg_stack_telemetry.c). */
void xchg_stack_telemetry_register(struct xchg_stack *s);
void xchg_stack_telemetry_unregister(struct xchg_stack *s);

#endif /* XCHG_STACK_PRIVATE_H */
