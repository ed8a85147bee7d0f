/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The timed loops. Each is the whole data path of its variant and
 * nothing else: net_null allocates from the RX queue's pool and fills
 * in the mbuf headers (its copy option stays off, so no payload is
 * touched), and the frames go straight back to the pool.
 */

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

/* (a) and (d): plain DPDK, receive and free. */
uint64_t
bench_rx_free(uint16_t port_id, unsigned int burst, uint64_t packets)
{
	struct rte_mbuf *pkts[BENCH_MAX_BURST];
	unsigned int dry = 0;
	uint64_t done = 0, start;
	uint16_t n;

	start = rte_rdtsc_precise();
	while (done < packets) {
		n = rte_eth_rx_burst(port_id, 0, pkts, burst);
		if (unlikely(n == 0) && ++dry == BENCH_DRY_LIMIT)
			return 0;
		rte_pktmbuf_free_bulk(pkts, n);
		done += n;
	}
	return rte_rdtsc_precise() - start;
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

	start = rte_rdtsc_precise();
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
	cycles = rte_rdtsc_precise() - start;
	*accepted += got;
	return cycles;
}
