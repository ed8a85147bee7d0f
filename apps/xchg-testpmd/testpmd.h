/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_TESTPMD_H
#define XCHG_TESTPMD_H

/* xchg-testpmd: a testpmd-style demo of the exchange. */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "xchg.h"
#include "xchg_config.h"
#include "xchg_port.h"
#include "xchg_stack.h"

#define TP_MAX_PORTS XCHG_CONFIG_MAX_PORTS
#define TP_MAX_CONSUMERS XCHG_CONFIG_MAX_SOCKETS

#define TP_BURST 32

enum tp_mode {
	TP_RXONLY,
	TP_IO,
	TP_MACSWAP,
	TP_ICMPECHO,
	TP_STACK,
};

/* What a consumer does with the frames it receives. */
enum tp_behaviour {
	TP_NORMAL,   /* process at once */
	TP_SLOW,     /* hold up to N frames, each for T ms */
	TP_HOG,      /* never free */
};

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
};

struct tp_port {
	struct xchg_port *port;
	uint16_t port_id;
	uint16_t peer;                   /* io/macswap: port to send to */
};

struct tp_state {
	enum tp_mode mode;
	bool forwarding;
	bool quit;
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
const char *tp_behaviour_name(const struct tp_consumer *c, char *buf,
			      size_t size);
int tp_behaviour_parse(const char *s, struct tp_consumer *c);
struct tp_consumer *tp_consumer_find(const char *name);

/* Forwarding (fwd.c). */
int tp_setup(void);
void tp_teardown(void);
void tp_forward_once(void);
void tp_run_for(uint64_t ms);
void tp_release_held(struct tp_consumer *c);

/* Tables (stats.c), written to @out. */
void tp_show_pools(FILE *out);
void tp_show_census(FILE *out);
void tp_show_ports(FILE *out);
void tp_show_sockets(FILE *out);

/* Prompt (cmd.c): interactive on stdin, or a script file. */
int tp_prompt_interactive(void);
int tp_prompt_script(const char *path);

#endif /* XCHG_TESTPMD_H */
