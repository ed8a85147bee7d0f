/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * pipeline: the main lcore receives and pays with a "work" reservation,
 * a worker lcore processes and frees: each free, on the worker, gives the
 * unit back to "work". A ring carries the frames between them.
 *
 *   pipeline -l 0-1 [EAL options, a port] -- [FRAMES]
 *
 * stops after FRAMES (default 100000) frames handed over, and prints
 * what each side did and the census.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include <xchg.h>

static struct rte_ring *ring;
static volatile int done; /* written by main, read by the worker */

static int
worker(void *arg)
{
	uint64_t *processed = arg;
	void *m[32];

	for (;;) {
		unsigned int n = rte_ring_dequeue_burst(ring, m, 32, NULL);

		/* The work itself would go here; the free credits "work". */
		rte_pktmbuf_free_bulk((struct rte_mbuf **)m, n);
		*processed += n;
		if (n == 0 && __atomic_load_n(&done, __ATOMIC_ACQUIRE) &&
		    rte_ring_empty(ring))
			return 0;
	}
}

static struct xchg_pool *work;

int
main(int argc, char **argv)
{
	struct xchg_arena_conf aconf = {
		.name = "pipe", .socket_id = SOCKET_ID_ANY, .nb_buffers = 4096,
	};
	struct rte_eth_conf eth_conf = { 0 };
	uint64_t frames = 100000, handed = 0, processed = 0, refused = 0;
	struct rte_mbuf *m[32];
	unsigned int lcore;
	int n = rte_eal_init(argc, argv);

	if (n < 0 || rte_eth_dev_count_avail() == 0 ||
	    (lcore = rte_get_next_lcore(-1, 1, 0)) >= RTE_MAX_LCORE) {
		fprintf(stderr, "usage: pipeline -l 0-1 [EAL options, a port] -- [FRAMES]\n");
		return 1;
	}
	if (argc - n > 1)
		frames = strtoull(argv[n + 1], NULL, 10);

	struct xchg_arena *arena = xchg_arena_create(&aconf);
	work = arena == NULL ? NULL :
	       xchg_pool_create(arena, "work", XCHG_KIND_SOCKET, 1024);
	ring = rte_ring_create("pipe", 1024, rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	/* The PMD takes the arena as its mempool. */
	if (work == NULL || ring == NULL ||
	    rte_eth_dev_configure(0, 1, 1, &eth_conf) != 0 ||
	    rte_eth_rx_queue_setup(0, 0, 512, rte_eth_dev_socket_id(0), NULL,
				   xchg_arena_mempool(arena)) != 0 ||
	    rte_eth_tx_queue_setup(0, 0, 512, rte_eth_dev_socket_id(0),
				   NULL) != 0 ||
	    rte_eth_dev_start(0) != 0)
		return 1;
	rte_eal_remote_launch(worker, &processed, lcore);

	/* Receive straight from the PMD and pay for each frame with a unit
	 * of "work"; a frame "work" cannot pay for is dropped: its quota
	 * bounds what the worker may hold, queued or in its hands. */
	while (handed < frames) {
		uint16_t got = rte_eth_rx_burst(0, 0, m, 32);
		unsigned int paid = xchg_acquire_burst(work, m, got);
		unsigned int queued = rte_ring_enqueue_burst(ring, (void **)m,
							     paid, NULL);

		rte_pktmbuf_free_bulk(&m[queued], got - queued);
		refused += got - paid;
		handed += queued;
	}
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);

	struct xchg_census census;
	char line[256];
	int broken;

	printf("pipeline: handed over %" PRIu64 ", processed %" PRIu64 " on lcore %u, refused %" PRIu64 "\n",
	       handed, processed, lcore, refused);
	/* Closing the port gives back what its ring holds. */
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	broken = xchg_arena_census(arena, &census);
	xchg_census_format(&census, line, sizeof(line));
	printf("census: %s\n", line);
	xchg_pool_free(work);
	rte_ring_free(ring);
	xchg_arena_free(arena);
	rte_eal_cleanup();
	return broken == 0 && processed == handed ? 0 : 1;
}
