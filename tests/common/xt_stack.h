/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XT_STACK_H
#define XT_STACK_H

/*
 * Tests of the stack: a stack on a port; and the programs of the live
 * tests (tests/live, tests/isolation), a stack on our end of a veth pair
 * through net_pcap, polled until SIGTERM or SIGINT (the shell side is
 * common/live.sh).
 */

#include <signal.h>
#include <stdint.h>

#include "xchg_stack.h"

/* Port @port_id on @arena with @pc, in @port, and a stack on it with @sc
 * (NULL: the defaults); NULL, a failed check and nothing left made, when
 * either cannot be made. */
struct xchg_stack *xt_stack_create(struct xchg_arena *arena, uint16_t port_id,
				   const struct xchg_port_conf *pc,
				   const struct xchg_stack_conf *sc,
				   struct xchg_port **port);

struct rte_ring;
struct rte_mempool;

/* Run xchg_stack_service() on @s, whose port is a net_ring one whose RX
 * and TX share @ring, with room for only @room frames in the ring: the
 * rest is filled with one buffer of @mp first, taken out again after
 * (checked to come first), so only what the services sent is left in
 * @ring. */
void xt_stack_service_room(struct xchg_stack *s, struct rte_ring *ring,
			   struct rte_mempool *mp, unsigned int room);

/* Set by SIGTERM or SIGINT once xt_live_eal() ran: the poll loop's end. */
extern volatile sig_atomic_t xt_live_stop;

/* Parse @arg, ADDRESS/PREFIX of @family (AF_INET: 4 bytes in @addr,
 * network order; AF_INET6: 16), into @addr and @prefix; 0, or -1 with
 * the reason printed. */
int xt_live_prefix(int family, const char *arg, void *addr, uint8_t *prefix);

/* Start the EAL on lcore 0 with net_pcap0 on @iface (the stack takes the
 * interface's own MAC) and @extra_argc further arguments, and have
 * SIGTERM and SIGINT set xt_live_stop. */
void xt_live_eal(const char *prog, const char *iface, int extra_argc,
		 const char * const *extra_argv);


/* Tell the script the program is up: READY on a line of its own. */
void xt_live_ready(void);

/* Print each reason of @drops (XCHG_SD_MAX figures) that is not zero,
 * "  WHO dropped REASON: N" (without WHO when @who is NULL). */
void xt_live_drops(const char *who, const uint64_t *drops);

#endif /* XT_STACK_H */
