/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_STACK_PRIVATE_H
#define XCHG_STACK_PRIVATE_H

/* Internal to the stack: not installed. */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_rwlock.h>
#include <rte_spinlock.h>

#include "xchg_lcore_cnt.h"
#include "xchg_port_tx_private.h"
#include "xchg_stack.h"

extern int xchg_stack_logtype;

#define STACK_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, xchg_stack_logtype, "xchg.stack: " __VA_ARGS__)

#define XCHG_STACK_MAX_ADDRS 8
#define XCHG_STACK_MAX_ROUTES 16
/* IPv6 addresses: 8 configured and the link-local one. */
#define XCHG_STACK_MAX_ADDRS6 9
/* Extension headers the IPv6 parser walks at most. */
#define XCHG_STACK_IP6_MAX_EXT 8
/* Sockets a stack holds unless xchg_stack_conf::max_sockets says. */
#define XCHG_STACK_DEFAULT_SOCKETS 4096
#define XCHG_STACK_SOCKETS_LIMIT 65536
/* Configured neighbours a stack holds beside the learned ones. */
#define XCHG_STACK_DEFAULT_STATIC_NEIGH 64
/* Frames one lcore may hold back in one receive burst to keep a
 * socket's datagrams in arrival order (xchg_stack_demux.c). */
#define XCHG_STACK_DEFER_MAX 64
#define XCHG_STACK_BURST 32
/* Headroom a send needs in front of the payload. */
#define XCHG_STACK_HDR_LEN (RTE_ETHER_HDR_LEN + 20 + 8)
/* The same over IPv6 (no extension header is sent). */
#define XCHG_STACK_HDR_LEN6 (RTE_ETHER_HDR_LEN + 40 + 8)

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
	/* IPv6 (xchg_stack_ip6.c): l3_len covers the extension headers,
	 * proto is the last next-header, ip_total the whole datagram. */
	uint8_t nb_ext;         /* extension headers walked */
	uint32_t frag_id6;      /* fragment header's id, network order */
	uint8_t src6[16], dst6[16];
	uint16_t frag6_end;     /* past the fragment header, from the IPv6
				 * header; 0: none */
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

/* IPv6 from its header: @len bytes readable, @wire in the datagram
 * (xchg_stack_ip6.c). */
enum xchg_stack_drop xchg_stack_parse_ipv6(const uint8_t *p, uint32_t len,
					   uint32_t wire,
					   struct xchg_pkt *pkt);

static inline uint32_t
xchg_stack_load32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* The IPv4 header checksum checked a 32-bit word at a time (a header is
 * a whole number of them): five loads and adds for the usual 20 bytes,
 * where rte_ipv4_cksum() takes ten 16-bit ones. A correct header sums to
 * 0xffff, in either byte order. @ihl is at least 20 (the caller checked);
 * any alignment. */
static inline bool
xchg_stack_ipv4_sum_ok(const uint8_t *p, unsigned int ihl)
{
	/* The 20 bytes every header has, written out; options after them. */
	uint64_t sum = (uint64_t)xchg_stack_load32(p) +
		       xchg_stack_load32(p + 4) + xchg_stack_load32(p + 8) +
		       xchg_stack_load32(p + 12) + xchg_stack_load32(p + 16);
	unsigned int i;

	for (i = 20; i < ihl; i += 4)
		sum += xchg_stack_load32(p + i);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The Internet checksum @hc of data whose 16-bit word @old became @new,
 * updated (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')). All three as they
 * lie in the frame: one's complement sums do not depend on byte order.
 * The result equals a full sum's when @hc was correct. */
static inline uint16_t
xchg_stack_cksum_adjust(uint16_t hc, uint16_t old, uint16_t new_word)
{
	uint32_t sum = (uint32_t)(uint16_t)~hc + (uint16_t)~old + new_word;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet header length, VLAN tags included, of a frame the parser
 * accepted. */
uint16_t xchg_stack_l2_len(const uint8_t *frame);

/* Cut a frame, possibly chained, to @len bytes; the tail segments are
 * freed. */
void xchg_stack_trim(struct rte_mbuf *m, uint32_t len);

/* A socket's per-call counters, one set per lcore for every socket slot
 * (struct xchg_stack::sock_cnt, see xchg_lcore_cnt.h): an application
 * reading a socket pays no locked add per burst. All uint64_t. */
struct xchg_socket_counters {
	uint64_t received;
	uint64_t sent;
	uint64_t send_failed;
	uint64_t queued;            /* taken to wait for a neighbour */
};

enum xchg_sock_type {
	XCHG_SOCK_UDP,
	XCHG_SOCK_PACKET,
};

struct xchg_socket {
	struct xchg_consumer *consumer;
	struct xchg_stack *stack;
	/* A single-reader socket (xchg_socket_set_single_reader()): its
	 * reads' count, written by its one reader only (a relaxed load and
	 * a release store, plain on x86), read by xchg_socket_stats_get()
	 * with an acquire load that pairs with that store. A multi-reader
	 * socket counts in its slot's per-lcore sets instead. The flag is
	 * control path, plain, ordered before the first read by what hands
	 * the socket to its reader. */
	bool single_reader;
	uint64_t read_one;          /* frames received while single_reader */
	struct rte_ring *read_ring; /* the consumer's ring, dequeued by
				     * the read in the consumer's mode;
				     * NULL for a single reader in a
				     * strict arena, whose reads go
				     * through the consumer's check
				     * (xchg_consumer_read_ring()) */
	enum xchg_sock_type type;
	enum xchg_priority priority;
	rte_be32_t local_ip;        /* 0: any of ours */
	uint16_t local_port;        /* host order; 0: unbound */
	rte_be32_t peer_ip;         /* connected peer, 0: none */
	uint16_t peer_port;
	uint16_t ether_type;        /* packet sockets, host order */
	bool capture;               /* its frames go to the capture */
	uint32_t slot;              /* index in the stack's socket table */
	uint32_t deferring;         /* a datagram of it is held back for
				     * order in this burst (atomic) */
	rte_be32_t pinned_hop;      /* neighbour pinned by connect, 0: none */
	struct xchg_frag_acct *frag; /* its own reassembly, UDP only */
	/* IPv6 (xchg_stack_socket6.c). The families it receives: written
	 * under the stack lock, read by the demux (relaxed: a datagram
	 * judged by the old value during the change is as if it came
	 * before it). */
	uint8_t accept;             /* XCHG_ACCEPT4 | XCHG_ACCEPT6 */
	uint8_t family;             /* enum xchg_family, as set */
	bool bound6;                /* local_ip6 set by xchg_udp_bind6() */
	bool peer6;                 /* peer_ip6 set by xchg_udp_connect6() */
	bool pinned6;               /* pinned_hop6 pinned */
	uint8_t local_ip6[16];
	uint8_t peer_ip6[16];
	uint8_t pinned_hop6[16];
	/* Datagrams waiting for their next hop (xchg_stack_pending.c):
	 * the queue and its list links are written under the stack's
	 * pend_lock; pend_n is also read without it by the socket's sender
	 * (acquire, pairs with the release store under the lock). */
	struct xchg_pend_item *pend;
	uint32_t pend_max;
	uint32_t pend_n;
	uint32_t pend_segs;         /* their buffers (atomic, as pend_n) */
	struct xchg_socket *pend_next, *pend_prev; /* stack's waiting list */
	bool pend_listed;
	/* Its slot's per-lcore counters summed when it opened. */
	struct xchg_socket_counters base;
	uint64_t drops[XCHG_SD_MAX]; /* frames lost on its account; atomic */
	uint64_t dgram_drops[XCHG_SD_MAX]; /* datagrams, the same; atomic */
};

/* Count @n drops for @reason, stack-wide and against @sock (NULL: only
 * stack-wide). */
void xchg_socket_drop(struct xchg_stack *s, struct xchg_socket *sock,
		      enum xchg_stack_drop reason, uint64_t n);
/* The same for the @n frames of one datagram lost whole: the datagram
 * is counted once against @sock too. Writers: any lcore (atomic add);
 * readers: xchg_socket_stats_get() (relaxed loads, figures only). */
void xchg_socket_drop_dgram(struct xchg_stack *s, struct xchg_socket *sock,
			    enum xchg_stack_drop reason, uint64_t n);

struct xchg_addr {
	rte_be32_t ip;
	rte_be32_t mask;
};

/* An IPv6 address's duplicate address detection (xchg_stack_nd.c).
 * Used at once (optimistic, RFC 4429); a conflict seen while tentative
 * takes it out of use. */
enum xchg_addr6_state {
	XCHG_ADDR6_TENTATIVE = 0,   /* DAD under way; in use */
	XCHG_ADDR6_PREFERRED,       /* DAD found no conflict */
	XCHG_ADDR6_DUPLICATE,       /* another node has it: not used */
};

struct xchg_addr6 {
	uint8_t ip[16];
	uint8_t prefix_len;
	/* Written by the ND service (and at add), read by the demux and
	 * senders: relaxed atomic byte; a send racing the change to
	 * duplicate may use it once more. */
	uint8_t state;
	bool dad_sent;              /* ND service only */
	uint64_t dad_done;          /* stack clock: tentative until then */
};

struct xchg_route6 {
	uint8_t dst[16];
	uint8_t prefix_len;
	uint8_t next_hop[16];
};

struct xchg_route {
	rte_be32_t dst;
	rte_be32_t mask;
	rte_be32_t next_hop;
};

struct xchg_neigh_table;
struct xchg_frag_table;

/*
 * The stack's counters (see xchg_lcore_cnt.h), one block for every lcore
 * id, registered threads included, and a last, shared block for threads
 * with no lcore id.
 */
struct xchg_stack_counters {
	uint64_t frames;
	uint64_t drops[XCHG_SD_MAX];
	uint64_t arp_answered;
	uint64_t arp_learned;
	uint64_t icmp_answered;
	uint64_t nd_answered;            /* neighbour advertisements sent */
	uint64_t nd_learned;
	uint64_t nd_solicited;           /* solicitations sent (DAD too) */
	uint64_t icmp6_answered;
	uint64_t dad_conflicts;
	uint64_t service_no_buffers;
	uint64_t reassembled;
	uint64_t frag_delivered;         /* frames the demux kept (fragments,
					  * frames held back for order) that
					  * a consumer then took */
	uint64_t proxied_in;
	uint64_t proxied_out;
	uint64_t captured;
	uint64_t capture_missed;
} __rte_cache_aligned;

/* Frames held back by one lcore during a receive burst (see
 * xchg_stack_defer()). */
struct xchg_defer_item {
	struct xchg_socket *sock;
	struct rte_mbuf *m;
	uint16_t frags;             /* 0: a whole frame the socket has still
				     * to pay for; else a reassembled
				     * datagram of that many fragments,
				     * paid already */
};

struct xchg_defer {
	uint32_t n;
	struct xchg_defer_item e[XCHG_STACK_DEFER_MAX];
} __rte_cache_aligned;

struct xchg_stack {
	struct xchg_arena *arena;
	struct xchg_port *port;
	uint16_t port_id;
	uint16_t nb_rxq;                 /* learned once, at creation */
	struct rte_ether_addr mac;
	uint16_t mtu;
	struct xchg_stack_conf conf;
	uint64_t hz;

	/* Interface: written on the control path before traffic. */
	unsigned int nb_addrs;
	struct xchg_addr addrs[XCHG_STACK_MAX_ADDRS];
	unsigned int nb_routes;
	struct xchg_route routes[XCHG_STACK_MAX_ROUTES];
	/* IPv6: 0 until an address is added; then the link-local one is
	 * first. Written under lock, count published with release. */
	unsigned int nb_addrs6;
	struct xchg_addr6 addrs6[XCHG_STACK_MAX_ADDRS6];
	/* IPv6 routes: written under lock before traffic, as routes. */
	unsigned int nb_routes6;
	struct xchg_route6 routes6[XCHG_STACK_MAX_ROUTES];

	/* Neighbours: learned on the service lcore, read by senders; each
	 * table has its own reader-writer lock. */
	struct xchg_neigh_table *neigh;
	uint32_t nb_neigh;
	struct xchg_neigh_table *neigh6;
	uint32_t nb_neigh6;

	/* Consumers. */
	struct xchg_consumer *arp;
	struct xchg_consumer *icmp;
	struct xchg_consumer *nd;        /* neighbour discovery */
	struct xchg_consumer *icmp6;     /* ICMPv6 echo */
	struct xchg_consumer *proxy;     /* NULL: no proxy */
	struct xchg_port *tap;           /* the proxy's host side */
	struct xchg_consumer *tap_out;   /* frames the host sends out */
	struct xchg_socket **udp_by_port; /* 65536 entries */
	struct xchg_socket **pkt_by_type; /* 65536 entries, by ethertype */
	uint32_t nb_packet_sockets;      /* atomic; 0 skips the lookup */
	struct xchg_socket **sockets;    /* max_sockets entries */
	/* Socket counters: [set * max_sockets + slot]; set 0 is shared by
	 * threads that had no lcore when the stack was created. */
	struct xchg_socket_counters *sock_cnt;
	uint32_t nb_sock_sets;
	uint16_t sock_set[RTE_MAX_LCORE];
	uint32_t max_sockets;
	uint32_t nb_sockets;
	uint32_t slot_hint;              /* where to look for a free slot */
	pthread_mutex_t lock;            /* control path */
	struct xchg_defer *defer;        /* RTE_MAX_LCORE entries */

	/* Capture. */
	struct xchg_consumer *capture;   /* NULL: no capture */
	void *pcap;                      /* pcap_t */
	void *dumper;                    /* pcap_dumper_t */
	bool capture_all;
	bool capture_arp, capture_icmp, capture_proxy;

	struct xchg_frag_table *frags;
	uint64_t next_aging;

	/* Sockets with datagrams waiting for a neighbour: the list and
	 * every socket's queue under pend_lock (never taken in the steady
	 * state: a sender takes it only when its neighbour is unresolved or
	 * it has datagrams waiting; the service when nb_pend_socks != 0,
	 * an acquire load pairing with the release store under the lock). */
	rte_spinlock_t pend_lock;
	struct xchg_socket *pend_head;
	uint32_t nb_pend_socks;

	/* Counters: one block per lcore (see xchg_stack_counters). */
	struct xchg_stack_counters *cnt; /* RTE_MAX_LCORE + 1 entries */
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

/* The calling thread's counter block. */
static inline struct xchg_stack_counters *
xchg_stack_cnt(struct xchg_stack *s, bool *shared)
{
	unsigned int lc = rte_lcore_id();

	*shared = lc >= RTE_MAX_LCORE;
	return &s->cnt[*shared ? RTE_MAX_LCORE : lc];
}

/* Count @n of stack counter @field on the calling lcore's block. */
#define XCHG_STACK_COUNT(s, field, n) do { \
	bool shared_; \
	struct xchg_stack_counters *c_ = xchg_stack_cnt((s), &shared_); \
	xchg_lcore_cnt_add(&c_->field, (n), shared_); \
} while (0)

/* The sum of the stack counter at @offset in struct xchg_stack_counters
 * over every lcore's block (readers). */
uint64_t xchg_stack_cnt_sum(const struct xchg_stack *s, size_t offset);
#define XCHG_STACK_SUM(s, field) \
	xchg_stack_cnt_sum((s), offsetof(struct xchg_stack_counters, field))

/* Count @n of socket counter @field on the calling lcore's set. */
#define XCHG_SOCKET_COUNT(sock, field, n) do { \
	struct xchg_stack *st_ = (sock)->stack; \
	unsigned int set_ = xchg_lcore_cnt_set(st_->sock_set); \
	xchg_lcore_cnt_add(&st_->sock_cnt[set_ * st_->max_sockets + \
					  (sock)->slot].field, (n), \
			   set_ == 0); \
} while (0)

/* The sums over every set of socket slot @slot's counters. */
void xchg_socket_cnt_sum(const struct xchg_stack *s, uint32_t slot,
			 struct xchg_socket_counters *sum);

static inline void
xchg_stack_drop(struct xchg_stack *s, enum xchg_stack_drop reason)
{
	XCHG_STACK_COUNT(s, drops[reason], 1);
}

/* Addresses. Inline: the demux asks two or three times per IPv4 frame,
 * and a stack usually has one address. */
static inline bool
xchg_stack_is_local(const struct xchg_stack *s, rte_be32_t ip)
{
	unsigned int i;

	for (i = 0; i < s->nb_addrs; i++)
		if (s->addrs[i].ip == ip)
			return true;
	return false;
}

static inline bool
xchg_stack_is_broadcast(const struct xchg_stack *s, rte_be32_t ip)
{
	unsigned int i;

	if (ip == RTE_BE32(0xffffffff))
		return true;
	for (i = 0; i < s->nb_addrs; i++)
		if (s->addrs[i].mask != RTE_BE32(0xffffffff) &&
		    ip == (s->addrs[i].ip | ~s->addrs[i].mask))
			return true;
	return false;
}

/* IPv6 (xchg_stack_ip6.c): one of our addresses; or one we hear (ours,
 * all-nodes, the solicited-node group of one of ours). */
bool xchg_stack_is_local6(const struct xchg_stack *s, const uint8_t *ip);
bool xchg_stack_hears6(const struct xchg_stack *s, const uint8_t *ip);

/* Source address for talking to @dst, and the next hop; -EHOSTUNREACH. */
int xchg_stack_route(const struct xchg_stack *s, rte_be32_t dst,
		     rte_be32_t *src, rte_be32_t *next_hop);

/* Demux (xchg_stack_demux.c): the general path, for every frame the
 * fast path leaves. */
struct xchg_consumer *xchg_stack_demux(struct rte_mbuf *m, void *ctx,
				       enum xchg_drop_reason *reason);
/* The fast path alone (xchg_stack_fast.c): true when it took @m, with
 * @c (NULL and @reason XCHG_DEMUX_KEPT when it held @m back for order)
 * as xchg_stack_demux() would have decided; false when @m is not the
 * common frame, untouched and uncounted, for the general path. */
bool xchg_stack_fast_try(struct xchg_stack *s, struct rte_mbuf *m,
			 struct xchg_consumer **c,
			 enum xchg_drop_reason *reason);
/* The port's callback (xchg_stack_fast.c): the common UDP frame through
 * xchg_stack_fast_try(), the rest through xchg_stack_demux(). */
struct xchg_consumer *xchg_stack_fast_demux(struct rte_mbuf *m, void *ctx,
					    enum xchg_drop_reason *reason);
/* Make @c's ring single-producer when the stack delivers to it from one
 * RX queue only; control path, before @c is published to the demux. */
void xchg_stack_fast_producer(const struct xchg_stack *s,
			      struct xchg_consumer *c);

/* Neighbours (xchg_stack_neigh.c). */
int xchg_neigh_init(struct xchg_stack *s);
void xchg_neigh_free(struct xchg_stack *s);
void xchg_neigh_learn(struct xchg_stack *s, rte_be32_t ip,
		      const struct rte_ether_addr *mac, bool create);
/* 0 and @mac when resolved; -EAGAIN when a request went out (or is
 * out); -ENOBUFS when none could be sent. The request is paid by
 * @sender's pool (NULL: the ARP service's). */
int xchg_neigh_resolve(struct xchg_stack *s, rte_be32_t ip,
		       struct rte_ether_addr *mac, struct xchg_socket *sender);
/* Keep the entry of @ip apart from learned ones while a connected socket
 * talks to it (0 or -ENOSPC); unpin when it stops. */
int xchg_neigh_pin(struct xchg_stack *s, rte_be32_t ip);
void xchg_neigh_unpin(struct xchg_stack *s, rte_be32_t ip);
void xchg_neigh_age(struct xchg_stack *s, uint64_t now);

/* One table, IPv4 (key k[0]) or IPv6 (k[0..3], the address's bytes):
 * what the entry points of both families share. */
struct nent_view {
	uint32_t k[4];
	struct rte_ether_addr mac;
	bool is_static, is_pinned;
	uint32_t age_ms;
};
int xchg_neigh_add_static(struct xchg_stack *s, struct xchg_neigh_table *t,
			  const uint32_t *k, const struct rte_ether_addr *mac);
/* True when an entry was created or updated. */
bool xchg_neigh_learn_key(struct xchg_stack *s, struct xchg_neigh_table *t,
			  const uint32_t *k, const struct rte_ether_addr *mac,
			  bool create);
int xchg_neigh_lookup_key(struct xchg_neigh_table *t, const uint32_t *k,
			  struct rte_ether_addr *mac);
/* Make room for an unresolved @k; true when a request is due (one per
 * 200 ms). */
bool xchg_neigh_need_request(struct xchg_stack *s, struct xchg_neigh_table *t,
			     const uint32_t *k);
int xchg_neigh_pin_key(struct xchg_stack *s, struct xchg_neigh_table *t,
		       const uint32_t *k);
void xchg_neigh_unpin_key(struct xchg_neigh_table *t, const uint32_t *k);
uint32_t xchg_neigh_table_pinned(struct xchg_neigh_table *t);
int xchg_neigh_table_foreach(struct xchg_stack *s, struct xchg_neigh_table *t,
			     int (*fn)(const struct nent_view *n, void *arg),
			     void *arg);

/* IPv6 neighbours (xchg_stack_neigh6.c), as the IPv4 ones. */
/* 0 and @mac when resolved; -EAGAIN when a neighbour solicitation went
 * out (or is out), paid by @sender's pool (NULL: the ND service's);
 * -ENOBUFS when none could be sent. Multicast maps to 33:33:... */
int xchg_neigh6_resolve(struct xchg_stack *s, const uint8_t ip[16],
			struct rte_ether_addr *mac, struct xchg_socket *sender);
/* Pin/unpin the entry of a connected socket's next hop, as
 * xchg_neigh_pin(). */
int xchg_neigh6_pin(struct xchg_stack *s, const uint8_t ip[16]);
void xchg_neigh6_unpin(struct xchg_stack *s, const uint8_t ip[16]);
/* Learn from neighbour discovery (the ND service). */
void xchg_neigh6_learn(struct xchg_stack *s, const uint8_t ip[16],
		       const struct rte_ether_addr *mac, bool create,
		       bool override);
/* Source address to use towards @dst and the next hop (link-local and
 * on-link: dst itself; else the gateway6/route); -EHOSTUNREACH. */
int xchg_stack_route6(const struct xchg_stack *s, const uint8_t dst[16],
		      uint8_t src[16], uint8_t next_hop[16]);

/*
 * The replies of one poll of the services (xchg_stack_service()), sent in
 * one TX call for all of them (xchg_stack_replies_flush(), through
 * xchg_port_tx_payers()): each service's run of frames names the service
 * as its payer, so what the TX ring does not take goes back to the
 * service that paid for it, and each service's answered counts only its
 * own frames sent. On the poll's own C stack: nothing in it is shared.
 */
#define XCHG_STACK_REPLIES (2 * XCHG_STACK_BURST)
#define XCHG_STACK_REPLY_PAYERS 4 /* ARP, ND, ICMP, ICMPv6 */
struct xchg_stack_replies {
	unsigned int n;          /* frames in m[] */
	unsigned int nb_payers;  /* runs in payers[] */
	struct xchg_port_payer payers[XCHG_STACK_REPLY_PAYERS];
	/* Each run's service: its answered counter, an offset in struct
	 * xchg_stack_counters. */
	uint16_t answered[XCHG_STACK_REPLY_PAYERS];
	struct rte_mbuf *m[XCHG_STACK_REPLIES];
};
/* Send what @r holds in one burst on TX queue 0; what is not sent goes
 * back to its own service and is freed (the service's units come back).
 * @r is empty afterwards. */
void xchg_stack_replies_flush(struct xchg_stack *s,
			      struct xchg_stack_replies *r);
/* xchg_stack_replies_add() with every run taken: send them, and move the
 * @k frames after them to the front. */
void xchg_stack_replies_full(struct xchg_stack *s,
			     struct xchg_stack_replies *r, unsigned int k);

/* Room for a burst of a service's replies at the end of @r (sending what
 * @r holds first when it has less): where to read the burst. */
static inline struct rte_mbuf **
xchg_stack_replies_room(struct xchg_stack *s, struct xchg_stack_replies *r)
{
	if (unlikely(r->n + XCHG_STACK_BURST > RTE_DIM(r->m)))
		xchg_stack_replies_flush(s, r);
	return &r->m[r->n];
}

/* The first @k frames at the room's start are replies @pool (a
 * service's) paid for, counted in @answered (offsetof(struct
 * xchg_stack_counters, ...)) when sent. */
static inline void
xchg_stack_replies_add(struct xchg_stack *s, struct xchg_stack_replies *r,
		       struct xchg_pool *pool, size_t answered,
		       unsigned int k)
{
	unsigned int i = r->nb_payers;

	if (k == 0)
		return;
	if (i != 0 && r->payers[i - 1].pool == pool) {
		r->payers[i - 1].n = (uint16_t)(r->payers[i - 1].n + k);
	} else {
		/* Never in xchg_stack_service(), which runs each service
		 * once: one run per service. */
		if (unlikely(i == RTE_DIM(r->payers))) {
			xchg_stack_replies_full(s, r, k);
			i = 0;
		}
		r->payers[i].pool = pool;
		r->payers[i].n = (uint16_t)k;
		r->answered[i] = (uint16_t)answered;
		r->nb_payers = i + 1;
	}
	r->n += k;
}

/* Services (xchg_stack_arp.c, xchg_stack_icmp.c): their replies go to
 * @r. */
void xchg_arp_service(struct xchg_stack *s, struct xchg_stack_replies *r);
int xchg_arp_request(struct xchg_stack *s, rte_be32_t target,
		     struct xchg_pool *payer);
void xchg_icmp_service(struct xchg_stack *s, struct xchg_stack_replies *r);
/* Neighbour discovery and ICMPv6 (xchg_stack_nd.c, xchg_stack_icmp6.c):
 * the answers to solicitations go to @r; then xchg_nd_dad(), after @r
 * is sent (the probes need the units the answers held). */
void xchg_nd_service(struct xchg_stack *s, struct xchg_stack_replies *r);
void xchg_nd_dad(struct xchg_stack *s);
/* Create the ND and ICMPv6 services' pools (the first IPv6 address,
 * under the stack's lock, before the address is published): 0 or
 * -errno. */
int xchg_nd_enable(struct xchg_stack *s);
/* Send a neighbour solicitation for @target to its solicited-node
 * group, paid by @payer (NULL: the ND pool). */
int xchg_nd_solicit(struct xchg_stack *s, const uint8_t target[16],
		    struct xchg_pool *payer);
/* Check an ICMPv6 message (checksum; RFC 4861 rules for ND): the drop
 * reason, or XCHG_SD_MAX. @frame holds @len contiguous bytes; @m, when
 * not NULL, is the whole frame for a checksum across segments. Sets
 * pkt->icmp_type. */
enum xchg_stack_drop xchg_icmp6_check(const uint8_t *frame, uint32_t len,
				      const struct rte_mbuf *m,
				      struct xchg_pkt *pkt);
/* The consumer of a checked ICMPv6 message, or NULL and @r. */
struct xchg_consumer *xchg_icmp6_consumer(struct xchg_stack *s,
					  const uint8_t *frame,
					  const struct xchg_pkt *pkt,
					  enum xchg_stack_drop *r);
void xchg_icmp6_service(struct xchg_stack *s, struct xchg_stack_replies *r);
/* An address of ours, in whatever DAD state (the index), or -1. */
int xchg_stack_addr6_index(const struct xchg_stack *s, const uint8_t *ip);

/* Where a UDP send goes, either family. */
struct xchg_udp_dest {
	bool v6;
	uint16_t port;              /* host order */
	rte_be32_t src, dst;        /* IPv4 */
	uint8_t src6[16], dst6[16]; /* IPv6 */
};

/* Waiting sends (xchg_stack_pending.c). */
int xchg_pending_init(struct xchg_socket *sock, uint32_t max);
/* Called by a send whose next hop @hop (@hop6 over IPv6) is unresolved (@resolve_ret from
 * xchg_neigh_resolve()) or whose socket has datagrams waiting. Returns
 * -1 with @mac when the send may go out directly (nothing of @hop
 * waits and it resolved), else how many of @mbufs it took, rte_errno
 * set as xchg_udp_send_burst() says. */
int xchg_pending_send(struct xchg_socket *sock,
		      const struct xchg_udp_dest *d, rte_be32_t hop,
		      const uint8_t *hop6, struct rte_mbuf **mbufs,
		      unsigned int n, struct rte_ether_addr *mac);
void xchg_pending_service(struct xchg_stack *s);
/* Control path: free what @sock has waiting, counted @why. */
void xchg_pending_forget(struct xchg_socket *sock, enum xchg_stack_drop why);
void xchg_pending_free(struct xchg_socket *sock);

/* What a UDP socket receives (struct xchg_socket::accept). */
#define XCHG_ACCEPT4 1
#define XCHG_ACCEPT6 2

/* IPv6 UDP (xchg_stack_ip6.c): ports, length and checksum of a whole
 * datagram the IPv6 parser walked to UDP, the ports only of a first
 * fragment; @p is the IPv6 header. */
enum xchg_stack_drop xchg_stack_parse_udp6(const uint8_t *p, uint32_t len,
					   uint32_t wire, bool verify,
					   struct xchg_pkt *pkt);
/* The one's complement sum (not folded) of the IPv6 pseudo header of an
 * upper-layer packet of @len bytes of protocol @proto. */
uint32_t xchg_stack_phdr6_sum(const uint8_t src[16], const uint8_t dst[16],
			      uint32_t len, uint8_t proto);

/* IPv6 UDP sockets (xchg_stack_socket6.c). */
/* Recompute what @sock receives from its family, binding and peer;
 * stack lock held. */
void xchg_socket_set_accept(struct xchg_socket *sock);
/* Build the headers of either family (xchg_udp_build() or
 * xchg_udp_build6()). */
int xchg_udp_build_to(struct xchg_socket *sock, struct rte_mbuf *m,
		      const struct xchg_udp_dest *d,
		      const struct rte_ether_addr *mac, uint64_t offloads);
/* Headroom and MTU check of a payload about to be sent or queued: 0,
 * EMSGSIZE or ENOSPC. */
int xchg_udp_fits(const struct xchg_stack *s, const struct rte_mbuf *m,
		  bool v6);
struct xchg_socket *xchg_stack_udp_lookup6(struct xchg_stack *s,
					   const struct xchg_pkt *pkt);
/* Prepend Ethernet, IPv6 and UDP headers to a payload: 0, -EMSGSIZE,
 * -ENOSPC (no headroom). */
int xchg_udp_build6(struct xchg_socket *sock, struct rte_mbuf *m,
		    const uint8_t src[16], const uint8_t dst[16],
		    uint16_t dport, const struct rte_ether_addr *mac,
		    uint64_t offloads);
/* Unpin what xchg_udp_connect6() pinned; stack lock held. */
void xchg_socket6_unpin(struct xchg_socket *sock);

/* Sockets (xchg_stack_socket.c). */
/* Prepend Ethernet, IPv4 and UDP headers to a payload: 0, -EMSGSIZE,
 * -ENOSPC (no headroom). */
int xchg_udp_build(struct xchg_socket *sock, struct rte_mbuf *m,
		   rte_be32_t src, rte_be32_t dst, uint16_t dport,
		   const struct rte_ether_addr *mac, uint64_t offloads);
struct xchg_socket *xchg_stack_udp_lookup(struct xchg_stack *s,
					  const struct xchg_pkt *pkt);
struct xchg_socket *xchg_stack_packet_lookup(struct xchg_stack *s,
					     uint16_t ether_type);
void xchg_socket_free_all(struct xchg_stack *s);
/* Frames a socket's application took and still holds: charged to its
 * pool, neither queued nor being reassembled. */
uint32_t xchg_socket_held_by_application(struct xchg_socket *sock);

/* Fragments (xchg_stack_frag.c, xchg_stack_frag_stage.c). */
struct xchg_frag_table *xchg_frag_create(struct xchg_stack *s);
void xchg_frag_free(struct xchg_frag_table *t);
/* A socket's own collectors and fragment slots (control path). */
int xchg_frag_acct_create(struct xchg_stack *s, struct xchg_socket *sock,
			  uint32_t collectors);
void xchg_frag_acct_free(struct xchg_stack *s, struct xchg_socket *sock);
/* Take a fragment of a datagram for @sock (NULL for a later fragment:
 * the collector knows). Always takes @m: it is kept, delivered when the
 * datagram completes, or dropped with its reason counted. */
void xchg_frag_input(struct xchg_stack *s, struct xchg_socket *sock,
		     struct rte_mbuf *m, const struct xchg_pkt *pkt);
/* A first fragment goes to the proxy: so do the rest of its datagram. */
void xchg_frag_to_proxy(struct xchg_stack *s, const struct xchg_pkt *pkt);
void xchg_frag_expire(struct xchg_stack *s, uint64_t now);
/* Drop the datagrams being collected for @sock (counted @why), so
 * its pool can be freed; control path, before the consumer is freed. */
void xchg_frag_forget_socket(struct xchg_stack *s, struct xchg_socket *sock,
			     enum xchg_stack_drop why);
void xchg_frag_staging_stats(struct xchg_stack *s,
			     struct xchg_frag_staging_stats *st);
void xchg_frag_socket_stats(struct xchg_stack *s, struct xchg_socket *sock,
			    struct xchg_socket_stats *st);
/* A socket's collectors unless set: the configured figure, or from its
 * quota. */
uint32_t xchg_frag_default_collectors(const struct xchg_stack *s,
				      uint32_t quota);

/* Order (xchg_stack_demux.c): hold @m for @sock back until the port has
 * delivered the burst, then deliver it after what arrived before it. */
void xchg_stack_defer(struct xchg_stack *s, struct xchg_socket *sock,
		      struct rte_mbuf *m, uint16_t frags);
void xchg_stack_defer_flush(struct xchg_stack *s);
/* Control path: drop what any lcore holds back for @sock. */
void xchg_stack_defer_forget(struct xchg_stack *s, struct xchg_socket *sock);

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
