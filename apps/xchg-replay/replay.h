/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_REPLAY_H
#define XCHG_REPLAY_H

/* xchg-replay internals: the run (exchange.c) and the outputs. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include <pcap/pcap.h>

#include <rte_mbuf.h>

#include "xchg_config.h"
#include "xchg_stack.h"

#define PROG "xchg-replay"
#define BURST 32
/* Rounds polled after the last input frame, so services and the proxy
 * finish what the last bursts gave them. */
#define TAIL_ROUNDS 4

/* Both modes run the same set-up and stack; shared mode builds it on an
 * overcommitted arena where every consumer's quota is the whole arena. */
enum replay_mode {
	MODE_EXCHANGE = 0,
	MODE_SHARED,
};

/* One input capture, read twice: counted before the run (frames, first
 * and last timestamp, nothing stored per frame), then streamed beside
 * the PMD during the run, each frame classified as the PMD reads it. */
struct input {
	const char *path;      /* NULL: the port reads nothing */
	uint64_t nb;           /* frames in it */
	struct timeval first, last;
	pcap_t *rd;            /* the run's reader */
	uint64_t pos;          /* frames read by it (= by the PMD) */
	struct timeval cur;    /* timestamp of the last frame read */
	uint64_t nombuf_seen, ierrors_seen;
};

/* Timestamps for frames a PMD or the capture wrote with the clock: after
 * each round in which the count moved, the count written so far and the
 * timestamp of the last input frame read by then, kept in a temporary
 * file (memory does not grow with the capture). */
struct ts_track {
	FILE *f;
	uint64_t last;
	/* reading back */
	uint64_t next_count;
	struct timeval next_ts, cur_ts;
	bool have_next, have_cur;
};

/* A fragmented datagram of the capture (dgram.c): its fragments go
 * where its first fragment went, whatever order they come in. */
struct dgram {
	bool used;
	bool first;            /* its first fragment was read */
	uint8_t proto;
	uint16_t ip_id;
	uint32_t src, dst;
	bool ipv6;             /* the key: id6 and both addresses */
	uint32_t id6;
	uint8_t src6[16], dst6[16];
	int consumer;          /* index in result.consumers, -1: none */
	/* Fragments read before the first: counted when it comes. */
	uint32_t pending, pending_nombuf, pending_ierrors;
};

struct dgram_table {
	struct dgram *d;
	uint32_t nb, cap;      /* cap: a power of two, or 0 */
};

/* One socket as the replay runs it. */
struct consumer {
	const char *name;
	enum xchg_config_behaviour behaviour;
	uint32_t hold;
	bool udp;
	struct rte_mbuf **held;  /* hog: all it keeps; hold: a window */
	uint32_t cap, head, count;
	uint64_t received;       /* datagrams the application took */
	uint64_t frames;         /* capture frames in them (a reassembled
				  * datagram counts its fragments) */
	pcap_dumper_t *dump;
	pcap_t *dead;
};

/* Figures of a run, whatever the mode. */
struct r_consumer {
	char name[XCHG_CONFIG_NAME_SIZE];
	const char *kind;        /* socket, service, proxy, capture */
	const char *behaviour;   /* sockets only */
	const char *priority;    /* sockets only */
	bool critical;
	int socket;              /* index in cfg->sockets, or -1 */
	const struct xchg_pool *pool;
	/* offered = delivered + lost_no_buffers + lost_rx_nombuf +
	 * lost_ierrors + lost_other */
	uint64_t offered, delivered;
	uint64_t lost_no_buffers, lost_rx_nombuf, lost_ierrors, lost_other;
	uint64_t refused, received, held;
	/* Sockets, in datagrams (a whole frame, or every fragment of one
	 * datagram): offered = delivered + the lost below, each datagram
	 * once. d_stack: as the stack dropped them (datagrams_lost);
	 * d_unfinished: half built when the capture ended. */
	uint64_t d_offered, d_delivered;
	uint64_t d_no_buffers, d_rx_nombuf, d_ierrors, d_unfinished;
	uint64_t d_stack[XCHG_SD_MAX];
	uint64_t frag_held;      /* frames in its half-built datagrams */
};

struct r_pool {
	char name[XCHG_CONFIG_NAME_SIZE];
	const char *kind;
	uint32_t quota, in_use, available, low_watermark;
	uint64_t accepted, refused, rejected;
};

struct r_port {
	char name[XCHG_CONFIG_NAME_SIZE];
	uint16_t port_id;
	uint64_t ipackets, opackets, rx_nombuf, imissed, ierrors;
	uint64_t frames_in;
};

#define MAX_R_POOLS 128
/* rx_nombuf, ierrors and every stack reason: the list grows with them. */
#define MAX_R_DROPS (XCHG_SD_MAX + 2)
#define MAX_R_CONSUMERS (XCHG_CONFIG_MAX_SOCKETS + 4 * XCHG_CONFIG_MAX_PORTS + 2)

/* The time series behind --timeline and --plot: per slice of capture
 * time, frames delivered to critical and to other sockets, and each
 * pool's fewest available units. */
struct timeline {
	uint64_t slice_us;       /* 0: not recorded */
	uint64_t t0_us;          /* first frame of the capture */
	unsigned int nb_slices;
	unsigned int nb_pools;
	char pool_names[MAX_R_POOLS][XCHG_CONFIG_NAME_SIZE];
	uint64_t *critical, *bulk;   /* [nb_slices] */
	uint32_t *available;         /* [nb_slices * nb_pools], UINT32_MAX:
				      * not sampled */
	uint32_t *arena_free;        /* [nb_slices]: free in the arena */
	uint64_t last_critical, last_bulk;
};

struct result {
	enum replay_mode mode;
	uint64_t frames_in;
	uint32_t buffers;
	unsigned int nb_consumers, nb_pools, nb_ports, nb_drops;
	struct r_consumer consumers[MAX_R_CONSUMERS];
	/* Frames no consumer was offered: by the stack's drop reason for
	 * those the NIC read, rx_nombuf/ierrors for those it lost. */
	uint64_t unclaimed;
	uint64_t unclaimed_reason[XCHG_SD_MAX + 1];
	uint64_t unclaimed_rx_nombuf, unclaimed_ierrors;
	/* Fragments whose first fragment never came or named no socket
	 * after they were read. */
	uint64_t unclaimed_staged;
	uint64_t sum_delivered, sum_drops;
	/* Frames the stacks still held at the end: staged fragments, and
	 * fragments of half-built datagrams. */
	uint64_t held_staging, held_reassembly;
	bool adds_up;
	bool verdict;            /* every critical consumer lost nothing */
	struct r_pool pools[MAX_R_POOLS];
	struct r_port ports[XCHG_CONFIG_MAX_PORTS + 1];
	struct { const char *name; uint64_t n; } drops[MAX_R_DROPS];
	struct { uint32_t total, free, owned, in_rings; bool conserved; }
		census;
	struct { uint64_t arp_answered, icmp_answered, proxied_in,
		 proxied_out, captured, capture_missed, reassembled;
		 uint64_t nd_answered, nd_solicited, nd_learned,
		 icmp6_answered, dad_conflicts; } stack;
};

struct replay {
	struct xchg_config *cfg;
	enum replay_mode mode;
	const char *out_dir;
	const char *report;
	struct input inputs[XCHG_CONFIG_MAX_PORTS];
	char empty_pcap[4096];        /* for RX queues with no input */
	char tx_raw[XCHG_CONFIG_MAX_PORTS][4096];
	char tap_raw[4096];
	char capture_raw[4096];
	struct ts_track tx_ts[XCHG_CONFIG_MAX_PORTS];
	struct ts_track tap_ts;
	struct ts_track capture_ts;
	struct consumer consumers[XCHG_CONFIG_MAX_SOCKETS];
	struct result res;
	struct dgram_table dgrams;
	struct timeline tl;
	struct xchg_config_setup *su;
	/* The stacks' clock: the capture time of the latest frame read. */
	uint16_t port_ids[XCHG_CONFIG_MAX_PORTS];
	unsigned int nb_clock_ports;
};

/* output.c */
int out_path(const struct replay *r, char *buf, size_t size,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int consumers_open(struct replay *r);
void consumers_close(struct replay *r);
void consumer_take(struct consumer *c, struct rte_mbuf **m, unsigned int n,
		   const struct timeval *fallback);
void consumers_release(struct replay *r);
uint64_t consumer_held(const struct consumer *c);
int ts_track_open(struct ts_track *t);
int ts_track_add(struct ts_track *t, uint64_t count, const struct timeval *ts);
void ts_track_free(struct ts_track *t);
int rewrite_pcap(const char *raw, const char *final,
		 struct ts_track *t, const struct timeval *fallback);
int write_empty_pcap(const char *path);
const struct timeval *input_ts(const struct input *in);
void result_drop(struct result *res, const char *name, uint64_t n);

/* input.c */
int input_count(struct input *in, const char *path);
int input_open(struct input *in);
void input_close(struct input *in);
void inputs_advance(struct replay *r);
void consumers_map(struct replay *r);
int consumer_of_pool(const struct result *res, const struct xchg_pool *p);

/* dgram.c: the entry of @v's datagram (made when new), NULL: out of
 * memory. */
struct dgram *dgram_find(struct dgram_table *t,
			 const struct xchg_stack_verdict *v);
void dgram_free(struct dgram_table *t);
/* input.c: fragments whose first never came, to "no consumer". */
void dgrams_settle(struct replay *r);
uint64_t d_lost_total(const struct r_consumer *c);

/* report.c */
void result_finish(struct result *res);
int write_report(const struct replay *const *runs, unsigned int nb,
		 const char *path);
void print_summary(const struct replay *r);

/* timeline.c */
int timeline_init(struct replay *r, uint64_t t0_us, uint64_t t1_us,
		  uint64_t slice_us);
void timeline_sample(struct replay *r);
void timeline_free(struct timeline *tl);
int timeline_write_csv(const struct replay *const *runs, unsigned int nb,
		       const char *path);
int timeline_plot(const struct replay *const *runs, unsigned int nb,
		  const char *csv, const char *png, const char *script);

/* exchange.c: the run, in either mode (r->mode). */
int run_replay(struct replay *r);

#endif /* XCHG_REPLAY_H */
