/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_SBENCH_H
#define XCHG_SBENCH_H

/*
 * The stack-path benchmarks of xchg-bench (stack, lcores, latency,
 * sockets): a plain-DPDK receive stack written here against the xchg
 * stack, on the same traffic. Shared between their files; not a library
 * interface.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_icmp.h>

#include "xchg_stack_compat.h" /* XCHG_ICMP_ECHO_* */

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;
struct xchg_arena;
struct xchg_port;
struct xchg_stack;
struct xchg_socket;

#define SB_BURST 32           /* rx burst, the stack's own */
#define SB_MAX_QUEUES 2       /* RX queues, one per lcore */
#define SB_MAX_SOCKETS 4096   /* what the bench can ask for */
#define SB_MAX_COUNTS 8       /* socket counts in one sweep */
#define SB_UDP_BASE 5000      /* socket i is bound to SB_UDP_BASE + i */
#define SB_UDP_UNBOUND 4000   /* nobody listens here */
#define SB_HOG_PORT 4999      /* the hog socket, which never reads */

/* Addresses of the synthetic traffic (network order once built). */
#define SB_IP_US RTE_IPV4(10, 0, 0, 1)
#define SB_IP_PEER RTE_IPV4(10, 0, 0, 2)
#define SB_NEIGHBOURS 4       /* ARP senders 10.0.0.2 .. 10.0.0.5 */

/* What one run of a side measures with. */
struct sb_conf {
	uint64_t packets;      /* per lcore, per side, per round */
	unsigned int rounds;
	unsigned int sockets;  /* bound UDP sockets the traffic is spread on */
	unsigned int quota;    /* per socket */
	unsigned int lcores;   /* 1 or 2 RX queues/lcores */
	bool shared;           /* every queue's UDP into socket 0 */
	bool latency;          /* stamp at rx, histogram at dequeue */
	bool hog;              /* a socket that never reads takes a share */
	bool pipeline;         /* one lcore receives, another reads and
				* frees every socket */
	bool strict;           /* xchg arena with strict free marking */
	bool many_readers;     /* (x) sockets left multi-reader; else
				* single-reader, as each is read by one
				* lcore (xchg_socket_set_single_reader()) */
};

/* Frames of the synthetic traffic, per 32: 26 UDP to the sockets
 * (round robin), 2 ARP requests for us, 2 ICMP echo requests to us,
 * 1 UDP to an unbound port, 1 unknown ethertype. */
enum sb_kind { SB_UDP, SB_ARP, SB_ICMP, SB_UNBOUND, SB_ETHERTYPE, SB_KINDS };
extern const uint8_t sb_mix[SB_BURST];

/* Per-queue traffic generator, run as an ethdev RX callback right after
 * the PMD filled the mbufs: the same code feeds both sides. */
struct sb_gen {
	uint64_t seq;          /* frames generated */
	uint32_t base, count;  /* sockets this queue's UDP goes to */
	uint32_t next;         /* the next one, base to base + count - 1 */
	uint32_t hog_every;    /* every n-th UDP frame to the hog; 0 none */
	uint32_t hog_left;     /* UDP frames before the next hog one */
	bool stamp;            /* write rte_rdtsc() into each mbuf */
} __rte_cache_aligned;

/* traffic.c */
int sb_traffic_init(void);
int sb_gen_attach(uint16_t port, uint16_t queue, struct sb_gen *g);
uint64_t sb_stamp(const struct rte_mbuf *m);
/* How many of @p n frames of a generator starting at 0 are of a kind. */
uint64_t sb_kind_count(uint64_t n, enum sb_kind kind);
extern struct rte_ether_addr sb_mac_us;

/* Latency histogram (latency.c): log-linear buckets of TSC cycles. */
#define SB_HIST_SUB 64
#define SB_HIST_BUCKETS (SB_HIST_SUB * 40)
struct sb_hist {
	uint64_t n;
	uint64_t max;
	uint64_t b[SB_HIST_BUCKETS];
};
void sb_hist_add(struct sb_hist *h, uint64_t v);
uint64_t sb_hist_quantile(const struct sb_hist *h, double q);

/* The plain-DPDK stack (plain.c). */
struct sb_plain;
struct sb_plain *sb_plain_create(unsigned int id, uint16_t port,
				 uint16_t nb_queues, unsigned int sockets,
				 unsigned int quota, bool hog,
				 bool single_reader);
void sb_plain_free(struct sb_plain *p);
unsigned int sb_plain_rx(struct sb_plain *p, uint16_t queue);
void sb_plain_service(struct sb_plain *p);
struct rte_ring *sb_plain_socket(struct sb_plain *p, unsigned int i);
/* Exact books: frames received, delivered to a consumer, dropped. */
struct sb_books {
	uint64_t received;
	uint64_t accepted;      /* taken by a socket or service */
	uint64_t refused;       /* consumer full, no unit to pay */
	uint64_t unclaimed;     /* no consumer (no socket, ethertype) */
	uint64_t malformed;
	uint64_t answered;      /* ARP and ICMP replies sent */
	uint64_t demuxed;       /* frames the demux saw (x: the stack's
				 * per-lcore counters; p: received) */
	uint64_t paid;          /* x: the consumers' accepted counters,
				 * summed (per-lcore pool counters); p:
				 * accepted */
};
void sb_plain_books(const struct sb_plain *p, struct sb_books *b);
void sb_plain_reset(struct sb_plain *p);

/* The run (stack.c): one side of the comparison. */
enum sb_side { SB_PLAIN, SB_XCHG, SB_SIDES };
struct sb_run;
struct sb_run *sb_run_create(const struct sb_conf *c);
void sb_run_free(struct sb_run *r);
/* One timed round of one side: on-CPU time of its slowest lcore, in TSC
 * cycles, or 0 on a failure (printed). sb_run_wall(): the same round's
 * wall time, TSC cycles from the start to the last lcore done. */
uint64_t sb_run_round(struct sb_run *r, enum sb_side side, uint64_t packets);
uint64_t sb_run_fill(struct sb_run *r, uint64_t packets);
uint64_t sb_run_wall(const struct sb_run *r);
/* Involuntary context switches of the polling threads in timed loops. */
uint64_t sb_run_preempted(const struct sb_run *r, enum sb_side side);
/* Exact checks after a round: books add up, census conserved. */
int sb_run_check(struct sb_run *r, enum sb_side side, bool print);
const char *sb_run_layout(const struct sb_run *r, enum sb_side side);
struct sb_hist *sb_run_hist(struct sb_run *r, enum sb_side side);
unsigned int sb_run_sockets(const struct sb_run *r);

/* Modes (stack.c, lcores.c, latency.c, sockets.c): 0, or -1 after a
 * printed failure. *ratio gets x/p where there is one. */
int sb_mode_stack(const struct sb_conf *c, double *ratio);
int sb_mode_lcores(const struct sb_conf *c);
int sb_mode_pipeline(const struct sb_conf *c);
int sb_mode_latency(const struct sb_conf *c);
int sb_mode_sockets(const struct sb_conf *c, const unsigned int *counts,
		    unsigned int nb_counts);

/* Shared helpers (stack.c). */
int sb_warmup(struct sb_run *r, const struct sb_conf *c);
double sb_median(const double *x, unsigned int n);
const char *sb_memory(void);

#endif /* XCHG_SBENCH_H */
