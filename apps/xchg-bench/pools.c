/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Pools, ports and memory layout. The comparison is only fair when the
 * variants share a layout: without hugepages DPDK's default populate
 * never lets an object cross a 4 KiB page, so it places one 2368-byte
 * mbuf per page and every mbuf header lands in the same L1d set, so rx +
 * free slows down from cache-set aliasing alone, by an amount that
 * depends on the loop and the machine (variant (d) shows it). So the
 * plain pool of variant (a) is populated packed, like the xchg arena,
 * and this file measures and prints where every pool's objects are.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include "bench.h"

/* net_null ignores ring sizes; these only satisfy the ethdev checks. */
#define BENCH_RX_DESC 512
#define BENCH_TX_DESC 512

/* Used when the C library cannot tell the L1d geometry. */
#define BENCH_L1_SETS_DEFAULT 64
#define BENCH_L1_LINE_DEFAULT 64

/*
 * A plain ring_mp_mc mbuf pool whose objects sit back to back. With
 * RTE_MEMPOOL_F_NO_IOVA_CONTIG, rte_mempool_populate_default() uses no
 * page size, so it packs objects across 4 KiB pages even without
 * hugepages; safe here because net_null never does DMA.
 */
struct rte_mempool *
bench_packed_pool_create(const char *name, unsigned int nb_mbufs,
			 int socket_id)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
		.mbuf_priv_size = 0,
	};
	struct rte_mempool *mp;
	int ret;

	mp = rte_mempool_create_empty(name, nb_mbufs,
				      sizeof(struct rte_mbuf) +
				      RTE_MBUF_DEFAULT_BUF_SIZE,
				      BENCH_MEMPOOL_CACHE, sizeof(priv),
				      socket_id, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	ret = rte_mempool_set_ops_byname(mp, "ring_mp_mc", NULL);
	if (ret == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		ret = rte_mempool_populate_default(mp);
	}
	if (ret < 0) {
		rte_mempool_free(mp);
		rte_errno = -ret;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

/* What most applications use: layout left to DPDK. */
struct rte_mempool *
bench_default_pool_create(const char *name, unsigned int nb_mbufs,
			  int socket_id)
{
	return rte_pktmbuf_pool_create(name, nb_mbufs, BENCH_MEMPOOL_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, socket_id);
}

/* One RX queue per port, bound to @p mp for good: each variant gets its
 * own net_null port. */
int
bench_port_setup(const char *vdev_name, struct rte_mempool *mp,
		 uint16_t *port_id)
{
	struct rte_eth_conf conf = { 0 };
	const char *step = "find port";
	uint16_t port;
	int socket, ret;

	ret = rte_eth_dev_get_port_by_name(vdev_name, &port);
	if (ret == 0) {
		socket = rte_eth_dev_socket_id(port);
		step = "configure";
		ret = rte_eth_dev_configure(port, 1, 1, &conf);
	}
	if (ret == 0) {
		step = "set up RX queue";
		ret = rte_eth_rx_queue_setup(port, 0, BENCH_RX_DESC, socket,
					     NULL, mp);
	}
	if (ret == 0) {
		step = "set up TX queue";
		ret = rte_eth_tx_queue_setup(port, 0, BENCH_TX_DESC, socket,
					     NULL);
	}
	if (ret == 0) {
		step = "start";
		ret = rte_eth_dev_start(port);
	}
	if (ret != 0) {
		fprintf(stderr, "xchg-bench: port %s: cannot %s: %s\n",
			vdev_name, step, rte_strerror(-ret));
		return ret;
	}
	*port_id = port;
	return 0;
}

void
bench_port_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}

static void
collect_addr(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	     unsigned int idx)
{
	uintptr_t *addrs = arg;

	addrs[idx] = (uintptr_t)obj;
}

static int
cmp_addr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void
l1_geometry(uint32_t *sets, uint32_t *line)
{
	long size = sysconf(_SC_LEVEL1_DCACHE_SIZE);
	long assoc = sysconf(_SC_LEVEL1_DCACHE_ASSOC);
	long len = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);

	if (size > 0 && assoc > 0 && len > 0 && size % (assoc * len) == 0) {
		*sets = (uint32_t)(size / (assoc * len));
		*line = (uint32_t)len;
	} else {
		*sets = BENCH_L1_SETS_DEFAULT;
		*line = BENCH_L1_LINE_DEFAULT;
	}
}

/* Gaps between consecutive objects, sorted by address. */
static void
layout_gaps(const uintptr_t *addrs, struct bench_layout *l)
{
	uint32_t i, odd = 0;

	l->stride = UINT32_MAX;
	for (i = 1; i < l->objs; i++) {
		uintptr_t gap = addrs[i] - addrs[i - 1];

		if (gap < l->stride)
			l->stride = (uint32_t)gap;
		odd += gap != l->obj_size;
	}
	l->packed = l->stride == l->obj_size;
	/* The jumps from one memory chunk to the next do not count. */
	l->holes = odd > l->chunks - 1 ? odd - (l->chunks - 1) : 0;
}

/* How many L1d sets the first cache line of the mbufs map to: one set
 * means every header evicts the others. */
static int
layout_sets(const uintptr_t *addrs, struct bench_layout *l)
{
	uint32_t line, i;
	bool *used;

	l1_geometry(&l->l1_sets, &line);
	used = calloc(l->l1_sets, sizeof(*used));
	if (used == NULL)
		return -ENOMEM;
	l->sets_used = 0;
	for (i = 0; i < l->objs; i++) {
		uint32_t set = (uint32_t)((addrs[i] / line) % l->l1_sets);

		l->sets_used += !used[set];
		used[set] = true;
	}
	free(used);
	return 0;
}

int
bench_layout_get(struct rte_mempool *mp, struct bench_layout *l)
{
	const struct rte_memseg_list *msl;
	uintptr_t *addrs;
	int ret;

	l->objs = mp->populated_size;
	l->obj_size = mp->header_size + mp->elt_size + mp->trailer_size;
	l->chunks = mp->nb_mem_chunks;
	if (l->objs < 2)
		return -EINVAL;
	addrs = malloc(sizeof(*addrs) * l->objs);
	if (addrs == NULL)
		return -ENOMEM;
	rte_mempool_obj_iter(mp, collect_addr, addrs);
	qsort(addrs, l->objs, sizeof(*addrs), cmp_addr);

	layout_gaps(addrs, l);
	msl = rte_mem_virt2memseg_list((void *)addrs[0]);
	l->page_size = msl != NULL ? msl->page_sz :
				     (uint64_t)sysconf(_SC_PAGESIZE);
	ret = layout_sets(addrs, l);
	free(addrs);
	return ret;
}

static const char *
size_str(uint64_t bytes, char *buf, unsigned int size)
{
	if (bytes >= (1 << 30) && bytes % (1 << 30) == 0)
		snprintf(buf, size, "%" PRIu64 " GiB", bytes >> 30);
	else if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
		snprintf(buf, size, "%" PRIu64 " MiB", bytes >> 20);
	else if (bytes >= (1 << 10) && bytes % (1 << 10) == 0)
		snprintf(buf, size, "%" PRIu64 " KiB", bytes >> 10);
	else
		snprintf(buf, size, "%" PRIu64 " B", bytes);
	return buf;
}

/* One line: stride, packed or not and why, and the L1d sets used. */
const char *
bench_layout_describe(const struct bench_layout *l, char *buf,
		      unsigned int size)
{
	char page[32], how[64];

	size_str(l->page_size, page, sizeof(page));
	if (l->packed && l->holes == 0)
		snprintf(how, sizeof(how), "packed");
	else if (l->packed)
		snprintf(how, sizeof(how), "packed but for %u holes", l->holes);
	else if (l->stride % l->page_size == 0)
		snprintf(how, sizeof(how), "one mbuf per %s page", page);
	else
		snprintf(how, sizeof(how), "padded, %u B of %u unused",
			 l->stride - l->obj_size, l->stride);
	snprintf(buf, size,
		 "stride %u B, %s (%u mbufs of %u B, %u chunk%s, %s pages), headers in %u of %u L1d sets",
		 l->stride, how, l->objs, l->obj_size, l->chunks,
		 l->chunks == 1 ? "" : "s", page, l->sets_used, l->l1_sets);
	return buf;
}
