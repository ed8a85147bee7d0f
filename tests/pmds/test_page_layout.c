/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The page layout (XCHG_ARENA_LAYOUT_PAGE): no buffer crosses a 4 KiB
 * page, checked over every buffer (the mbuf header, its private area
 * and the whole data room, by address and by IOVA); the census and the
 * guarantee hold as with the packed layout: a hog that takes all it may
 * leaves the critical consumer its whole reservation, and traffic
 * through net_null keeps the census conserved. A data room that cannot
 * fit a page is refused, naming the fix.
 */

#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xchg_port.h"
#include "xchg_test.h"

#define PAGE 4096u

struct walk {
	unsigned int seen;
	unsigned int crossing;
	unsigned int iova_wrong;
};

static void
check_buffer(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	     unsigned int idx __rte_unused)
{
	struct walk *w = arg;
	struct rte_mbuf *m = obj;
	uintptr_t first = (uintptr_t)m;
	uintptr_t last = (uintptr_t)m->buf_addr + m->buf_len - 1;

	w->seen++;
	if (first / PAGE != last / PAGE)
		w->crossing++;
	if (rte_mbuf_iova_get(m) / PAGE !=
	    (rte_mbuf_iova_get(m) + m->buf_len - 1) / PAGE ||
	    rte_mbuf_iova_get(m) != rte_mem_virt2iova(m->buf_addr))
		w->iova_wrong++;
}

static struct xchg_consumer *crit;

static struct xchg_consumer *
to_crit(struct rte_mbuf *m __rte_unused, void *ctx __rte_unused,
	enum xchg_drop_reason *reason __rte_unused)
{
	return crit;
}

int
main(int argc __rte_unused, char **argv)
{
	const char *extra[] = { "--vdev=net_null0" };
	struct xchg_arena_conf ac = {
		.name = "pages", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = 4096, .layout = XCHG_ARENA_LAYOUT_PAGE,
	};
	struct xchg_port_conf pc = { .nb_rx_desc = 128, .nb_tx_desc = 128,
				     .demux = to_crit };
	struct xchg_arena_info info;
	struct xchg_arena *arena;
	struct xchg_pool *hog;
	struct xchg_port *port;
	struct rte_mbuf *m[64], *held[200];
	struct xchg_port_stats s;
	struct walk w = { 0 };
	unsigned int i, n, taken = 0, got = 0;

	xt_eal_init(argv[0], "0", RTE_DIM(extra), extra);
	arena = xchg_arena_create(&ac);
	XT_CHECK(arena != NULL, "page arena: %s", rte_strerror(rte_errno));
	if (arena == NULL)
		return xt_done("page_layout");
	XT_EQ(xchg_arena_info_get(arena, &info), 0);
	XT_EQ(info.layout, XCHG_ARENA_LAYOUT_PAGE);
	XT_EQ(info.stride, PAGE);
	XT_CHECK(info.nb_chunks >= 1, "chunks %u", info.nb_chunks);
	rte_mempool_obj_iter(xchg_arena_mempool(arena), check_buffer, &w);
	XT_EQ(w.seen, 4096);
	XT_EQ(w.crossing, 0);
	XT_EQ(w.iova_wrong, 0);
	printf("page layout: %u buffers in %u chunk(s), none crosses a page\n",
	       w.seen, info.nb_chunks);

	/* The guarantee: the hog takes all it may, critical loses nothing. */
	hog = xchg_pool_create(arena, "hog", XCHG_KIND_SOCKET, 200);
	crit = xchg_consumer_create(arena, "crit", XCHG_KIND_SOCKET, 64);
	port = xchg_port_create(arena, 0, &pc);
	XT_CHECK(hog != NULL && crit != NULL && port != NULL, "set-up: %s",
		 rte_strerror(rte_errno));
	if (port == NULL)
		return xt_done("page_layout");
	while (taken < RTE_DIM(held) + 1 &&
	       xchg_alloc_bulk(hog, &held[taken % RTE_DIM(held)], 1) == 0)
		taken++;
	XT_EQ(taken, 200);
	XT_EQ(xchg_port_start(port), 0);
	for (i = 0; i < 200; i++) {
		xchg_port_rx(port, 0);
		while ((n = xchg_consumer_recv_burst(crit, m, RTE_DIM(m))) != 0) {
			got += n;
			rte_pktmbuf_free_bulk(m, n);
		}
	}
	XT_CHECK(got > 0, "critical received nothing");
	XT_EQ(xchg_port_stats_get(port, &s), 0);
	XT_EQ(s.drops[XCHG_DROP_NO_BUFFERS], 0);
	XT_EQ(s.eth.rx_nombuf, 0);
	XT_CHECK(xt_census_ok(arena, "hog holding"), "census");
	XT_EQ(xchg_port_stop(port), 0);
	XT_EQ(xchg_port_free(port), 0);
	xt_port_close(0);
	{
		struct xchg_pool_stats ps;

		XT_EQ(xchg_pool_stats_get(hog, &ps), 0);
		XT_EQ(ps.in_use, 200);
	}
	XT_EQ(xchg_consumer_free(crit), 0);
	rte_pktmbuf_free_bulk(held, RTE_DIM(held));
	XT_EQ(xchg_pool_free(hog), 0);
	XT_CHECK(xt_census_ok(arena, "end"), "census");
	XT_EQ(xchg_arena_free(arena), 0);

	/* A buffer larger than a page is refused, with the fix. */
	ac.name = "bigpages";
	ac.data_room = 8192;
	XT_CHECK(xchg_arena_create(&ac) == NULL && rte_errno == EINVAL,
		 "a data room of 8192 accepted in the page layout");
	return xt_done("page_layout");
}
