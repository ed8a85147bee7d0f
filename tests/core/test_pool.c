/* SPDX-License-Identifier: BSD-3-Clause */

/* Owner pools on the control path: creation against the sizing
 * invariant, resize, free, lookup, statistics, and every call on a pool
 * that was freed. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "xchg_test.h"

static struct xchg_arena *arena;

static void
test_create_refusals(void)
{
	struct xchg_pool *p;

	XT_CHECK(xchg_pool_create(NULL, "x", XCHG_KIND_SOCKET, 1) == NULL &&
		 rte_errno == EINVAL, "NULL arena");
	XT_CHECK(xchg_pool_create(arena, NULL, XCHG_KIND_SOCKET, 1) == NULL &&
		 rte_errno == EINVAL, "NULL name");
	XT_CHECK(xchg_pool_create(arena, "", XCHG_KIND_SOCKET, 1) == NULL &&
		 rte_errno == EINVAL, "empty name");
	XT_CHECK(xchg_pool_create(arena, "0123456789012345678901234567890123",
				  XCHG_KIND_SOCKET, 1) == NULL &&
		 rte_errno == EINVAL, "long name");
	XT_CHECK(xchg_pool_create(arena, "x", XCHG_KIND_MAX, 1) == NULL &&
		 rte_errno == EINVAL, "bad kind");
	XT_CHECK(xchg_pool_create(arena, "x", XCHG_KIND_SOCKET, 0) == NULL &&
		 rte_errno == EINVAL, "zero quota");
	XT_CHECK(xchg_pool_create(arena, "x", XCHG_KIND_SOCKET, 1025) ==
		 NULL && rte_errno == ENOSPC, "quota over the arena");

	p = xchg_pool_create(arena, "x", XCHG_KIND_SOCKET, 1000);
	XT_CHECK(p != NULL, "create");
	XT_CHECK(xchg_pool_create(arena, "x", XCHG_KIND_SOCKET, 1) == NULL &&
		 rte_errno == EEXIST, "duplicate");
	/* 24 left: the sizing invariant counts every quota. */
	XT_CHECK(xchg_pool_create(arena, "y", XCHG_KIND_SERVICE, 25) ==
		 NULL && rte_errno == ENOSPC, "sum of quotas over the arena");
	XT_EQ(xchg_pool_free(p), 0);
	xt_census_ok(arena, "after refusals");
}

static void
test_identity_and_lookup(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "arp",
					       XCHG_KIND_SERVICE, 8);
	struct xchg_arena_info info;

	XT_CHECK(p != NULL, "create");
	XT_CHECK(strcmp(xchg_pool_name(p), "arp") == 0, "name");
	XT_EQ(xchg_pool_kind(p), XCHG_KIND_SERVICE);
	XT_CHECK(xchg_pool_arena(p) == arena, "arena");
	XT_CHECK(xchg_pool_lookup(arena, "arp") == p, "lookup");
	XT_CHECK(xchg_pool_lookup(arena, "nope") == NULL &&
		 rte_errno == ENOENT, "lookup missing");
	XT_CHECK(xchg_pool_lookup(NULL, "arp") == NULL &&
		 rte_errno == EINVAL, "lookup NULL arena");
	XT_CHECK(strcmp(xchg_pool_kind_name(XCHG_KIND_RX_QUEUE),
			"rx_queue") == 0 &&
		 strcmp(xchg_pool_kind_name(XCHG_KIND_CAPTURE),
			"capture") == 0 &&
		 strcmp(xchg_pool_kind_name(XCHG_KIND_MAX), "unknown") == 0,
		 "kind names");
	XT_EQ(xchg_arena_info_get(arena, &info), 0);
	XT_EQ(info.nb_pools, 1);
	XT_EQ(info.reserved, 8);
	XT_EQ(info.unreserved, 1024 - 8);
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_info_get(arena, &info), 0);
	XT_EQ(info.nb_pools, 0);
	XT_EQ(info.reserved, 0);
}

static void
test_resize(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "r", XCHG_KIND_SOCKET,
					       16);
	struct xchg_pool *big;
	struct rte_mbuf *m[16];
	uint32_t q = 0;

	XT_CHECK(p != NULL, "create");
	XT_EQ(xchg_pool_resize(p, 32, &q), 0);
	XT_EQ(q, 32);
	xt_pool_expect(p, 0, "grown");

	/* Shrink gives back only units that are free. */
	XT_EQ(xchg_alloc_bulk(p, m, 16), 0);
	XT_EQ(xchg_pool_resize(p, 8, &q), -EBUSY);
	XT_EQ(q, 16);
	xt_pool_expect(p, 16, "shrink stopped by buffers in use");
	rte_pktmbuf_free_bulk(m, 16);
	XT_EQ(xchg_pool_resize(p, 8, &q), 0);
	XT_EQ(q, 8);
	xt_pool_expect(p, 0, "shrunk");

	/* Growth takes only what is unreserved. */
	big = xchg_pool_create(arena, "big", XCHG_KIND_PROXY, 1000);
	XT_CHECK(big != NULL, "big");
	XT_EQ(xchg_pool_resize(p, 100, &q), -ENOSPC);
	XT_EQ(q, 24);
	XT_EQ(xchg_pool_resize(p, 24, NULL), 0);
	XT_EQ(xchg_pool_resize(p, 0, &q), -EINVAL);
	XT_EQ(xchg_pool_resize(NULL, 8, &q), -EINVAL);
	xt_census_ok(arena, "after resize");
	XT_EQ(xchg_pool_free(big), 0);
	XT_EQ(xchg_pool_free(p), 0);
}

static void
test_free_busy_and_freed_pool(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "f", XCHG_KIND_CAPTURE,
					       4);
	struct xchg_pool_stats s;
	struct rte_mbuf *m[2];

	XT_EQ(xchg_alloc_bulk(p, m, 2), 0);
	XT_EQ(xchg_pool_free(p), -EBUSY);
	XT_CHECK(xchg_pool_lookup(arena, "f") == p, "still live after EBUSY");
	xt_pool_expect(p, 2, "unchanged by EBUSY");
	rte_pktmbuf_free_bulk(m, 2);
	XT_EQ(xchg_pool_free(p), 0);

	/* Every call on a freed pool fails cleanly. */
	XT_EQ(xchg_pool_free(p), -EINVAL);
	XT_EQ(xchg_pool_free(NULL), -EINVAL);
	XT_EQ(xchg_alloc_bulk(p, m, 1), -EINVAL);
	XT_EQ(xchg_acquire_burst(p, m, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	XT_EQ(xchg_pool_resize(p, 8, NULL), -EINVAL);
	XT_EQ(xchg_pool_stats_get(p, &s), -EINVAL);
	XT_EQ(xchg_pool_stats_reset(p), -EINVAL);
	XT_CHECK(xchg_pool_name(p) == NULL, "name of freed pool");
	XT_EQ(xchg_pool_kind(p), XCHG_KIND_MAX);
	XT_CHECK(xchg_pool_arena(p) == NULL, "arena of freed pool");
	XT_CHECK(xchg_pool_lookup(arena, "f") == NULL, "freed pool gone");
	xt_census_ok(arena, "after free");
}

static void
test_stats_and_watermark(void)
{
	struct xchg_pool *p = xchg_pool_create(arena, "s", XCHG_KIND_SOCKET,
					       10);
	struct xchg_pool_stats s;
	struct rte_mbuf *m[12];

	XT_EQ(xchg_pool_stats_get(p, NULL), -EINVAL);
	XT_EQ(xchg_alloc_bulk(p, m, 7), 0);
	XT_EQ(xchg_alloc_bulk(p, &m[7], 4), -ENOBUFS);
	rte_pktmbuf_free_bulk(m, 5);
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.quota, 10);
	XT_EQ(s.in_use, 2);
	XT_EQ(s.available, 8);
	XT_EQ(s.low_watermark, 3);
	XT_EQ(s.allocated, 7);
	XT_EQ(s.alloc_failed, 1);
	XT_EQ(s.returned, 5);
	XT_EQ(xchg_pool_stats_reset(p), 0);
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_CHECK(s.allocated == 0 && s.alloc_failed == 0 && s.returned == 0,
		 "counters reset");
	XT_EQ(s.low_watermark, 8);
	XT_EQ(s.in_use, 2);
	rte_pktmbuf_free_bulk(&m[5], 2);
	XT_EQ(xchg_pool_free(p), 0);
}

static int
count_pool(struct xchg_pool *p __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static void
test_slots(void)
{
	struct xchg_pool *p[8];
	unsigned int i, seen = 0;
	char name[16];

	/* The arena was created with 8 pool slots. */
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "slot%u", i);
		p[i] = xchg_pool_create(arena, name, XCHG_KIND_SOCKET, 1);
		XT_CHECK(p[i] != NULL, "slot %u", i);
	}
	XT_CHECK(xchg_pool_create(arena, "ninth", XCHG_KIND_SOCKET, 1) ==
		 NULL && rte_errno == EMFILE, "slots exhausted");
	XT_EQ(xchg_pool_foreach(arena, count_pool, &seen), 0);
	XT_EQ(seen, 8);
	XT_EQ(xchg_pool_foreach(NULL, count_pool, &seen), -EINVAL);
	XT_EQ(xchg_pool_free(p[3]), 0);
	p[3] = xchg_pool_create(arena, "again", XCHG_KIND_SOCKET, 1);
	XT_CHECK(p[3] != NULL, "freed slot reused");
	for (i = 0; i < 8; i++)
		XT_EQ(xchg_pool_free(p[i]), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	struct xchg_arena_conf conf = {
		.name = "pools", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = 1024, .max_pools = 8, .lcore_cache = -1,
	};

	xt_eal_init(argv[0], "0", 0, NULL);
	arena = xchg_arena_create(&conf);
	if (arena == NULL) {
		printf("cannot create arena: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	XT_RUN(test_create_refusals);
	XT_RUN(test_identity_and_lookup);
	XT_RUN(test_resize);
	XT_RUN(test_free_busy_and_freed_pool);
	XT_RUN(test_stats_and_watermark);
	XT_RUN(test_slots);
	xt_census_ok(arena, "end");
	XT_EQ(xchg_arena_free(arena), 0);
	return xt_done("pool");
}
