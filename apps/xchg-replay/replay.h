/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_REPLAY_H
#define XCHG_REPLAY_H

/* xchg-replay internals: the run (exchange.c) and the outputs. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include <pcap/pcap.h>

#include <rte_mbuf.h>

#include "xchg_config.h"

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

/* One input capture. */
struct input {
	const char *path;      /* NULL: the port reads nothing */
	uint64_t nb;           /* frames in it */
	struct timeval *ts;    /* each frame's timestamp */
};

/* Timestamps for frames a PMD or the capture wrote with the clock: after
 * each round, how many were written so far and the timestamp of the
 * last input frame read by then. */
struct ts_track {
	uint64_t *count;
	struct timeval *ts;
	size_t n, cap;
	uint64_t last;
};

/* One socket as the replay runs it. */
struct consumer {
	const char *name;
	enum xchg_config_behaviour behaviour;
	uint32_t hold;
	bool udp;
	struct rte_mbuf **held;  /* hog: all it keeps; hold: a window */
	uint32_t cap, head, count;
	uint64_t received;       /* frames the application took */
	pcap_dumper_t *dump;
	pcap_t *dead;
};

/* Figures of a run, whatever the mode. */
struct r_consumer {
	char name[XCHG_CONFIG_NAME_SIZE];
	const char *kind;        /* socket, service, proxy, capture */
	const char *behaviour;   /* sockets only */
	const char *priority;    /* sockets only */
	uint64_t delivered, refused, received, held;
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
#define MAX_R_DROPS 40

struct result {
	enum replay_mode mode;
	uint64_t frames_in;
	uint32_t buffers;
	unsigned int nb_consumers, nb_pools, nb_ports, nb_drops;
	struct r_consumer consumers[XCHG_CONFIG_MAX_SOCKETS +
				    4 * XCHG_CONFIG_MAX_PORTS + 2];
	struct r_pool pools[MAX_R_POOLS];
	struct r_port ports[XCHG_CONFIG_MAX_PORTS + 1];
	struct { const char *name; uint64_t n; } drops[MAX_R_DROPS];
	struct { uint32_t total, free, owned, in_rings; bool conserved; }
		census;
	struct { uint64_t arp_answered, icmp_answered, proxied_in,
		 proxied_out, captured, capture_missed, reassembled; } stack;
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
int ts_track_add(struct ts_track *t, uint64_t count, const struct timeval *ts);
void ts_track_free(struct ts_track *t);
int rewrite_pcap(const char *raw, const char *final,
		 const struct ts_track *t, const struct timeval *fallback);
int write_empty_pcap(const char *path);
int write_report(const struct replay *r, const char *path);
void print_summary(const struct replay *r);
const struct timeval *input_ts(const struct input *in, uint64_t consumed);
void result_drop(struct result *res, const char *name, uint64_t n);

/* exchange.c: the run, in either mode (r->mode). */
int run_replay(struct replay *r);

#endif /* XCHG_REPLAY_H */
