/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_TESTPMD_H
#define XCHG_TESTPMD_H

/* xchg-testpmd: a testpmd-style demo of the exchange. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_lcore.h>

#include "xchg.h"
#include "xchg_config.h"
#include "xchg_port.h"
#include "xchg_stack.h"

#define TP_MAX_PORTS XCHG_CONFIG_MAX_PORTS
#define TP_MAX_CONSUMERS XCHG_CONFIG_MAX_SOCKETS

#define TP_BURST 32          /* default --burst */
#define TP_MAX_BURST 512
#define TP_MAX_LCORES 32     /* forwarding lcores */
#define TP_MAX_QUEUES 16u    /* --rxq, --txq */
#define TP_MAX_STREAMS (TP_MAX_PORTS * TP_MAX_QUEUES)

enum tp_mode {
	TP_RXONLY,
	TP_IO,
	TP_MACSWAP,
	TP_TXONLY,   /* a burst per stream from its TX queue's reservation */
	TP_FLOWGEN,  /* txonly over --flows source addresses */
	TP_CSUM,     /* io with the IPv4, UDP and TCP checksums redone */
	TP_ICMPECHO, /* from here on: modes with a set-up of their own */
	TP_STACK,
	TP_MODE_MAX,
};

#define TP_MAX_SEGS 8        /* --txpkts */
#define TP_FLOWS 1024        /* flowgen's flows, as testpmd's default */

/* What a consumer does with the frames it receives. */
enum tp_behaviour {
	TP_NORMAL,   /* process at once */
	TP_SLOW,     /* hold up to N frames, each for T ms */
	TP_HOG,      /* never free */
	TP_ECHO,     /* UDP socket: send each datagram back to its sender */
};

struct tp_lcore;

struct tp_consumer {
	char name[XCHG_NAME_SIZE];
	struct xchg_consumer *consumer;  /* forwarding modes */
	struct xchg_socket *socket;      /* stack mode */
	enum tp_behaviour behaviour;
	uint32_t slow_n;
	uint32_t slow_ms;
	/* Frames held, oldest first, with the cycle they arrived. */
	struct rte_mbuf **held;
	uint64_t *held_at;
	uint32_t held_cap, held_head, held_len;
	uint64_t received;
	uint64_t processed;
	uint64_t echoed;                 /* echo: datagrams sent back */
	uint64_t echo_failed;            /* echo: could not be sent back */
	struct tp_lcore *lcore;          /* the lcore that consumes it */
};

struct tp_port {
	struct xchg_port *port;
	uint16_t port_id;
	uint16_t peer;                   /* io/macswap: port to send to */
};

/* Per forwarding lcore, per port (index in tp.ports): what the engine
 * received, sent and could not send. Written by that lcore only. */
struct tp_fwd_stats {
	uint64_t rx[TP_MAX_PORTS];
	uint64_t tx[TP_MAX_PORTS];
	uint64_t tx_dropped[TP_MAX_PORTS];
};

/* One RX queue of one port, polled by one lcore. */
struct tp_stream {
	uint16_t port;                   /* index in tp.ports */
	uint16_t queue;
};

/* A forwarding lcore: its streams, its consumer and its TX queue. */
struct tp_lcore {
	unsigned int lcore_id;
	unsigned int index;              /* also its TX queue on every port */
	unsigned int nb_streams;
	struct tp_stream streams[TP_MAX_STREAMS];
	bool polls_stack;                /* icmpecho, stack: the one poller */
	uint32_t next_flow;              /* flowgen: the next source */
	struct tp_fwd_stats fs;
};

struct tp_state {
	enum tp_mode mode;
	bool shared;                     /* --mode shared: overcommitted arena */
	bool forwarding;                 /* started (start/stop) */
	bool quit;
	bool bad_command;                /* the prompt met a line it lacks */
	/* --eth-peer: the destination of txonly, flowgen and csum frames
	 * sent on each port [02:00:00:00:00:N, testpmd's] */
	struct rte_ether_addr peer_addr[RTE_MAX_ETHPORTS];
	uint16_t txpkts[TP_MAX_SEGS];    /* --txpkts: segment lengths */
	unsigned int nb_txpkts;
	/* testpmd's knobs */
	unsigned int nb_cores;           /* forwarding lcores */
	uint16_t rxq, txq;               /* queues per port */
	uint16_t rxd, txd;               /* descriptors per queue */
	uint16_t burst;
	bool workers;                    /* forwarding on worker lcores */
	unsigned int nb_lcores;
	struct tp_lcore lcores[TP_MAX_LCORES];
	struct tp_consumer *by_lcore[RTE_MAX_LCORE]; /* demux: lcore -> fwd */
	/* Snapshots: clear port stats, show port stats rates, fwd stats. */
	struct xchg_port_stats port_base[TP_MAX_PORTS];
	struct xchg_port_stats rate_last[TP_MAX_PORTS];
	uint64_t rate_tsc[TP_MAX_PORTS];
	struct tp_fwd_stats fwd_base;
	struct xchg_port_stats fwd_port_base[TP_MAX_PORTS];
	uint32_t buffers;
	uint32_t quota;
	struct xchg_arena *arena;
	unsigned int nb_ports;
	struct tp_port ports[TP_MAX_PORTS];
	struct xchg_stack *stack;        /* icmpecho mode */
	struct xchg_config *config;      /* stack mode */
	struct xchg_config_setup *setup; /* stack mode: arena, ports... */
	unsigned int nb_consumers;
	struct tp_consumer consumers[TP_MAX_CONSUMERS];
	uint64_t hz;
};

extern struct tp_state tp;

const char *tp_mode_name(enum tp_mode mode);
int tp_mode_parse(const char *s, enum tp_mode *mode);
/* "; did you mean NEAR?" in @buf, or "" for NULL. */
const char *tp_hint(const char *near, char *buf, size_t size);
const char *tp_behaviour_hint(const char *s, char *buf, size_t size);
/* A hint for a mode name that is none: "; did you mean io?" or "". */
const char *tp_mode_hint(const char *s, char *buf, size_t size);
/* A hint for a consumer name that is none, the same way. */
const char *tp_consumer_hint(const char *s, char *buf, size_t size);
const char *tp_behaviour_name(const struct tp_consumer *c, char *buf,
			      size_t size);
int tp_behaviour_parse(const char *s, struct tp_consumer *c);
struct tp_consumer *tp_consumer_find(const char *name);

/* Forwarding (fwd.c). */
int tp_setup(void);
void tp_teardown(void);
void tp_forward_lcore(struct tp_lcore *lc);
void tp_release_held(struct tp_consumer *c);
int tp_tx_first(void);
bool tp_fwd_consumer(const struct tp_consumer *c);

/* The frames of start tx_first, txonly and flowgen, and csum's work
 * (frame.c). */
int tp_frame_udp(struct xchg_pool *pool, struct rte_mbuf **m,
		 uint16_t port_id, uint32_t flow);
void tp_csum_frame(struct rte_mbuf *m, uint16_t tx_port);
void tp_gen_stream(struct tp_lcore *lc, const struct tp_stream *s);

/* Lcores (lcore.c): which lcore forwards what; start, stop, pause. */
int tp_lcores_plan(void);
void tp_show_config_fwd(FILE *out);
void tp_forward_once(void);   /* single lcore: one pass, inline */
void tp_fwd_start(void);
void tp_fwd_stop(void);
bool tp_pause(void);          /* stop the workers for a command */
void tp_resume(bool was);
void tp_run_for(uint64_t ms);

/* Tables (stats.c), written to @out. */
void tp_show_pools(FILE *out);
void tp_watch_poll(void);     /* leak watch tick, at most every 100 ms */
void tp_show_census(FILE *out);
void tp_show_ports(FILE *out);
void tp_show_sockets(FILE *out);
int tp_show_port_stats(FILE *out, int port);  /* -1: all */
int tp_clear_port_stats(int port);            /* -1: all */
void tp_show_fwd_stats(FILE *out);
int tp_show_port_info(FILE *out, int port);   /* -1: all */
int tp_show_port_xstats(FILE *out, int port); /* -1: all */
void tp_fwd_stats_reset(void);
void tp_port_stats(unsigned int i, struct xchg_port_stats *s); /* - base */

/* Prompt (cmd.c): interactive on stdin, or a script file. */
int tp_prompt_interactive(void);
int tp_prompt_script(const char *path);

#endif /* XCHG_TESTPMD_H */
