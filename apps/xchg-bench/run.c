/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The timed loops. Each is the whole data path of its variant and
 * nothing else: net_null allocates from the RX queue's pool and fills
 * in the mbuf headers (its copy option stays off, so no payload is
 * touched), and the frames go straight back to the pool.
 */

#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "xchg.h"

#include "bench.h"

/* Empty bursts in one round after which a port counts as dry: net_null
 * returns nothing only when its pool cannot fill a whole burst, which
 * a leak would cause. */
#define BENCH_DRY_LIMIT 1000

/* TSC cycles the calling thread spent on a CPU since @start_ns of its
 * CPU clock: on a shared machine a round the thread was preempted in
 * would otherwise count the other processes' time as its own. */
static uint64_t
thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static uint64_t
cycles_since(uint64_t start_ns)
{
	return (uint64_t)((double)(thread_ns() - start_ns) *
			  rte_get_tsc_hz() / 1e9);
}

/* (a) and (d): plain DPDK, receive and free; (b0) the same on the arena,
 * through its own copy so that a profiler (valgrind --toggle-collect,
 * devtools/cycle-budget.sh) can tell the two apart. */
static inline uint64_t
rx_free(uint16_t port_id, unsigned int burst, uint64_t packets)
{
	struct rte_mbuf *pkts[BENCH_MAX_BURST];
	unsigned int dry = 0;
	uint64_t done = 0, start;
	uint16_t n;

	start = thread_ns();
	while (done < packets) {
		n = rte_eth_rx_burst(port_id, 0, pkts, burst);
		if (unlikely(n == 0) && ++dry == BENCH_DRY_LIMIT)
			return 0;
		rte_pktmbuf_free_bulk(pkts, n);
		done += n;
	}
	return cycles_since(start);
}

uint64_t
bench_rx_free(uint16_t port_id, unsigned int burst, uint64_t packets)
{
	return rx_free(port_id, burst, packets);
}

uint64_t
bench_rx_free_arena(uint16_t port_id, unsigned int burst, uint64_t packets)
{
	return rx_free(port_id, burst, packets);
}

/* (b): receive, hand the burst to a consumer that pays with its
 * reservation, and let the consumer free what it took. Frees go
 * through the arena's mempool driver, which credits the consumer back. */
uint64_t
bench_rx_exchange_free(uint16_t port_id, unsigned int burst,
		       uint64_t packets, struct xchg_pool *consumer,
		       uint64_t *accepted)
{
	struct rte_mbuf *pkts[BENCH_MAX_BURST];
	unsigned int dry = 0, taken;
	uint64_t done = 0, got = 0, start, cycles;
	uint16_t n;

	start = thread_ns();
	while (done < packets) {
		n = rte_eth_rx_burst(port_id, 0, pkts, burst);
		if (unlikely(n == 0) && ++dry == BENCH_DRY_LIMIT)
			return 0;
		taken = xchg_acquire_burst(consumer, pkts, n);
		/* The consumer is done with its frames at once. */
		rte_pktmbuf_free_bulk(pkts, taken);
		/* Refused frames were never the consumer's: dropping them
		 * returns them to the producer. */
		if (unlikely(taken < n))
			rte_pktmbuf_free_bulk(&pkts[taken], n - taken);
		got += taken;
		done += n;
	}
	cycles = cycles_since(start);
	*accepted += got;
	return cycles;
}

/* The cost of one locked read-modify-write (an uncontended lock add, as
 * the arena's free marking, quota updates and MP rings use) and of a
 * plain one, in TSC cycles each, over @n back-to-back operations on a
 * line of the calling thread's own: the figure the cycle budget
 * (doc/cycle-budget.rst) weighs every atomic of the data path with. */
void
bench_locked_cost(uint64_t n, double *locked, double *plain)
{
	static uint64_t line[RTE_CACHE_LINE_SIZE / sizeof(uint64_t)]
		__rte_cache_aligned;
	volatile uint64_t *v = line;
	uint64_t i, t0;

	t0 = thread_ns();
	for (i = 0; i < n; i++)
		__atomic_fetch_add(&line[0], 1, __ATOMIC_RELAXED);
	*locked = (double)cycles_since(t0) / (double)n;
	t0 = thread_ns();
	for (i = 0; i < n; i++)
		v[1]++;
	*plain = (double)cycles_since(t0) / (double)n;
}
