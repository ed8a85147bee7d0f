/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_TEST_H
#define XCHG_TEST_H

/*
 * Minimal test harness for xchg test programs: checks that count
 * failures instead of aborting, an EAL start that needs no hugepages
 * and no shared files (so tests run in parallel), and the census every
 * scenario must end with.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_errno.h>

struct rte_mempool;

#include "xchg.h"

extern unsigned int xt_checks;
extern unsigned int xt_failures;

/* Record one check; print where and why when it fails. */
#define XT_CHECK(cond, ...) do {					\
	xt_checks++;							\
	if (!(cond)) {							\
		xt_failures++;						\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

/* Equality of two integers, printing both. */
#define XT_EQ(a, b) do {						\
	long long xt_a_ = (long long)(a), xt_b_ = (long long)(b);	\
	XT_CHECK(xt_a_ == xt_b_, "%lld != %lld", xt_a_, xt_b_);		\
} while (0)

/*
 * Start the EAL for a test: --no-huge, --no-shconf, no PCI, quiet logs,
 * the given lcore list and any extra arguments (vdevs). Exits the program
 * with a message when the EAL refuses to start.
 */
void xt_eal_init(const char *prog, const char *lcores, int extra_argc,
		 const char * const *extra_argv);

/*
 * The same with a runtime folder (no --no-shconf), for tests that need
 * one, like telemetry: a --file-prefix of the test's own,
 * xchg_@tag_PID (also put in $XT_PREFIX), whose folder xt_done()
 * removes.
 */
void xt_eal_init_shared(const char *prog, const char *lcores, const char *tag,
			int extra_argc, const char * const *extra_argv);

/* Send one command to this process's telemetry socket (EAL started with
 * xt_eal_init_shared) and put the JSON reply in @buf. */
int xt_telemetry_query(const char *cmd, char *buf, size_t size);

/* Set up and start a plain ethdev by name: one RX queue on @mp and one
 * TX queue, @nb_desc descriptors each; the failure is a failed check. */
int xt_port_start(const char *name, struct rte_mempool *mp, uint16_t nb_desc,
		  uint16_t *port);

/* Stop and close a port started with xt_port_start(). */
void xt_port_close(uint16_t port);

struct rte_ring;
/* The port of net_ring vdev @dev (its RX and TX share one ring) and that
 * ring; 0, or -1 with a message. */
int xt_net_ring(const char *dev, struct rte_ring **ring, uint16_t *port);

/* The net_ring vdev of the stack tests: one port, RX and TX one ring. */
#define XT_RING_DEV "net_ring0"

/*
 * Start a test over one net_ring port: the EAL as xt_eal_init_shared()
 * on lcore 0 with tag @name, vdev XT_RING_DEV and @eal_extra (one more
 * EAL argument, or NULL); the port and its ring in @ring and @port.
 * Exits the test when the ring is not there.
 */
void xt_ring_init(const char *prog, const char *name, const char *eal_extra,
		  struct rte_ring **ring, uint16_t *port);

/* End a test: the census at the end, the arena freed, xt_tmpdir()
 * removed, and xt_done(@name)'s exit code. */
int xt_arena_done(struct xchg_arena *arena, const char *name);

/* Put a copy of @frame, @len bytes in one buffer of @mp, in @ring, as if
 * the NIC received it; a failure is a failed check. */
void xt_ring_put(struct rte_ring *ring, struct rte_mempool *mp,
		 const void *frame, unsigned int len);

/* Create an arena or exit the test with the reason. */
struct xchg_arena *xt_arena(const char *name, uint32_t nb_buffers,
			    int32_t lcore_cache);

/* The same from a whole configuration (xt_arena() fills in the usual one). */
struct xchg_arena *xt_arena_conf(const struct xchg_arena_conf *conf);

/* Check the arena's census is conserved; print it either way. */
bool xt_census_ok(struct xchg_arena *arena, const char *when);

/* Check a pool's in_use and available figures. */
void xt_pool_expect(struct xchg_pool *pool, uint32_t in_use,
		    const char *when);

/* A pool's figures (read checked). */
struct xchg_pool_stats xt_pool_stats(struct xchg_pool *pool);

/*
 * Start a Scapy capture generator, Debian's /usr/bin/python3 @p script
 * @p dir, and return its output to read (close with pclose()). NULL with
 * *@p rc set to 77 (skip, the reason printed) when that python3 or its
 * scapy is missing, or to 1 when it cannot be started.
 */
FILE *xt_scapy_popen(const char *script, const char *dir, int *rc);

/* Print the summary line and return the exit code for main(): 1 when a
 * check failed or when no check ran at all. */
int xt_done(const char *name);

/* Run one named test case function. */
#define XT_RUN(fn) do {							\
	unsigned int xt_before_ = xt_failures;				\
	fn();								\
	printf("%s %s\n", xt_failures == xt_before_ ? "ok  " : "FAIL",	\
	       #fn);							\
} while (0)

/* Run one named test case function that takes an argument. */
#define XT_RUN_ARG(fn, arg) do {					\
	unsigned int xt_before_ = xt_failures;				\
	fn(arg);							\
	printf("%s %s\n", xt_failures == xt_before_ ? "ok  " : "FAIL",	\
	       #fn);							\
} while (0)

#endif /* XCHG_TEST_H */
