/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_BENCH_H
#define XCHG_BENCH_H

/* Shared between the files of xchg-bench; not a library interface. */

#include <stdbool.h>
#include <stdint.h>

struct rte_mempool;
struct xchg_pool;

/* Largest burst: the consumer's default quota covers a whole burst. */
#define BENCH_MAX_BURST 512

/* Per-lcore cache of the plain DPDK pools, as most applications use. */
#define BENCH_MEMPOOL_CACHE 256

/* Where an mbuf pool's objects sit in memory, and why it matters: mbuf
 * headers that share a few L1d sets evict each other. */
struct bench_layout {
	uint32_t objs;        /* objects in the pool */
	uint32_t obj_size;    /* header + element + trailer, bytes */
	uint32_t stride;      /* smallest gap between two objects */
	uint32_t chunks;      /* memory chunks the pool was populated in */
	uint64_t page_size;   /* page size of the pool's memory */
	uint32_t l1_sets;     /* L1d sets of the machine */
	uint32_t sets_used;   /* L1d sets the mbuf headers fall into */
	uint32_t holes;       /* larger gaps, chunk jumps aside */
	bool packed;          /* the smallest gap is obj_size */
};

/* pools.c */
struct rte_mempool *bench_packed_pool_create(const char *name,
					     unsigned int nb_mbufs,
					     int socket_id);
struct rte_mempool *bench_default_pool_create(const char *name,
					      unsigned int nb_mbufs,
					      int socket_id);
int bench_port_setup(const char *vdev_name, struct rte_mempool *mp,
		     uint16_t *port_id);
void bench_port_close(uint16_t port_id);
int bench_layout_get(struct rte_mempool *mp, struct bench_layout *layout);
const char *bench_layout_describe(const struct bench_layout *layout,
				  char *buf, unsigned int size);

/* run.c: each times one round of @p packets packets on the calling lcore
 * and returns the TSC cycles it took while its thread was on a CPU (the
 * thread's CPU clock at the TSC rate), or 0 when the port stopped giving
 * packets (its pool ran dry). */
uint64_t bench_rx_free(uint16_t port_id, unsigned int burst,
		       uint64_t packets);
uint64_t bench_rx_free_arena(uint16_t port_id, unsigned int burst,
			     uint64_t packets);
uint64_t bench_rx_exchange_free(uint16_t port_id, unsigned int burst,
				uint64_t packets, struct xchg_pool *consumer,
				uint64_t *accepted);

void bench_locked_cost(uint64_t n, double *locked, double *plain);

#endif /* XCHG_BENCH_H */
