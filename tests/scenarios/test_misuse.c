/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Misuse of the arena's mempool the census must name (issue 11 item 4,
 * issue 13 item 4), each case ending in a census check:
 * - a raw rte_pktmbuf_alloc() from the arena's mempool;
 * - rte_pktmbuf_clone() with the arena as the clone pool;
 *   both take buffers no quota pays for: the library cannot tell them
 *   from a PMD's refill on the data path, so the census names the rule
 *   they break (rings_over) once they go beyond the NIC ring allowance;
 * - the same clone through xchg_pool_clone(), which charges the caller
 *   and keeps the census conserved;
 * - frees from a thread that is not an EAL lcore, which are legitimate
 *   and must credit the owner exactly.
 * The arena is fully reserved: every buffer not free is promised.
 */

#include <pthread.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xchg_test.h"

#define NB_BUFFERS 1024
#define NB_FREES   200

/* A fully reserved arena: one socket pool takes every unreserved unit. */
static struct xchg_pool *
full_pool(struct xchg_arena *a, const char *name)
{
	struct xchg_arena_info info;
	struct xchg_pool *p;

	xchg_arena_info_get(a, &info);
	p = xchg_pool_create(a, name, XCHG_KIND_SOCKET, info.unreserved);
	XT_CHECK(p != NULL, "pool %s: %s", name, rte_strerror(rte_errno));
	return p;
}

/* The census must break exactly @rule and say so in its line. */
static void
expect_broken(struct xchg_arena *a, enum xchg_census_rule rule,
	      const char *phrase, const char *when)
{
	struct xchg_census c;
	char line[512];

	XT_EQ(xchg_arena_census(a, &c), -EFAULT);
	xchg_census_format(&c, line, sizeof(line));
	printf("census %s: %s\n", when, line);
	XT_CHECK(c.broken == rule, "%s: broke %s, not %s", when,
		 xchg_census_rule_name(c.broken), xchg_census_rule_name(rule));
	XT_CHECK(strstr(line, phrase) != NULL, "%s: no '%s' in the line",
		 when, phrase);
}

static void
test_raw_alloc(void)
{
	struct xchg_arena *a = xt_arena("mu_raw", NB_BUFFERS, 0);
	struct xchg_pool *p = full_pool(a, "mu_raw_owner");
	struct rte_mbuf *m;

	XT_CHECK(xt_census_ok(a, "fully reserved"), "census");
	m = rte_pktmbuf_alloc(xchg_arena_mempool(a));
	XT_CHECK(m != NULL, "raw alloc failed");
	XT_CHECK(xchg_mbuf_owner(m) == NULL, "a raw buffer has an owner");
	expect_broken(a, XCHG_CENSUS_RINGS_OVER,
		      "buffers out with no owner beyond the NIC ring allowance",
		      "after a raw rte_pktmbuf_alloc");
	rte_pktmbuf_free(m);
	XT_CHECK(xt_census_ok(a, "after freeing the raw buffer"), "census");
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

static void
test_clone_into_arena(void)
{
	struct xchg_arena *a = xt_arena("mu_clone", NB_BUFFERS, 0);
	struct xchg_pool *p = full_pool(a, "mu_clone_owner");
	struct rte_mbuf *m = NULL, *c;

	XT_EQ(xchg_alloc_bulk(p, &m, 1), 0);
	c = rte_pktmbuf_clone(m, xchg_arena_mempool(a));
	XT_CHECK(c != NULL, "clone failed");
	xt_pool_expect(p, 1, "raw clone: the clone is charged to nobody");
	expect_broken(a, XCHG_CENSUS_RINGS_OVER,
		      "buffers out with no owner beyond the NIC ring allowance",
		      "after rte_pktmbuf_clone into the arena");
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(m);
	XT_CHECK(xt_census_ok(a, "after freeing the raw clone"), "census");
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

static void
test_pool_clone(void)
{
	struct xchg_arena *a = xt_arena("mu_pclone", NB_BUFFERS, 0);
	struct xchg_pool *p = full_pool(a, "mu_pclone_owner");
	struct xchg_pool *q = xchg_pool_create(a, "mu_none", XCHG_KIND_SOCKET,
					       1);
	struct rte_mbuf *m[2] = { NULL, NULL }, *c, *c2;
	struct xchg_pool_stats s;

	XT_CHECK(q == NULL, "a fully reserved arena took another quota");
	XT_EQ(xchg_alloc_bulk(p, m, 2), 0);
	/* A two-segment frame: its clone costs two units. */
	XT_EQ(rte_pktmbuf_chain(m[0], m[1]), 0);
	c = xchg_pool_clone(p, m[0]);
	XT_CHECK(c != NULL, "clone: %s", rte_strerror(rte_errno));
	if (c == NULL)
		return;
	XT_EQ(c->nb_segs, 2);
	XT_CHECK(xchg_mbuf_owner(c) == p, "clone not charged to its caller");
	xt_pool_expect(p, 4, "after xchg_pool_clone");
	XT_CHECK(xt_census_ok(a, "with a charged clone"), "census");

	/* Out of units: refused, nothing taken. */
	XT_EQ(xchg_pool_resize(p, 4, NULL), 0);
	c2 = xchg_pool_clone(p, m[0]);
	XT_CHECK(c2 == NULL && rte_errno == ENOBUFS,
		 "clone beyond the quota: %p, %s", (void *)c2,
		 rte_strerror(rte_errno));
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.alloc_failed, 1);
	XT_CHECK(xt_census_ok(a, "after a refused clone"), "census");

	/* The original freed first: its buffers stay charged until the
	 * clone lets go of them. */
	rte_pktmbuf_free(m[0]);
	xt_pool_expect(p, 4, "original freed, clone alive");
	rte_pktmbuf_free(c);
	xt_pool_expect(p, 0, "both freed");
	XT_CHECK(xt_census_ok(a, "after freeing the clone"), "census");
	XT_CHECK(xchg_pool_clone(NULL, m[0]) == NULL && rte_errno == EINVAL,
		 "NULL pool");
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

struct nonlcore_arg {
	struct rte_mbuf **mbufs;
	unsigned int n;
	unsigned int lcore_id;
};

static void *
nonlcore_free(void *arg)
{
	struct nonlcore_arg *na = arg;
	unsigned int i;

	na->lcore_id = rte_lcore_id();
	for (i = 0; i < na->n; i += 2) /* singles and pairs */
		if (i + 1 < na->n)
			rte_pktmbuf_free_bulk(&na->mbufs[i], 2);
		else
			rte_pktmbuf_free(na->mbufs[i]);
	return NULL;
}

static void
test_nonlcore_free(void)
{
	static struct rte_mbuf *mbufs[NB_FREES];
	struct xchg_arena *a = xt_arena("mu_thread", NB_BUFFERS, 0);
	struct xchg_pool *p = full_pool(a, "mu_thread_owner");
	struct nonlcore_arg na = { mbufs, NB_FREES, 0 };
	struct xchg_pool_stats s;
	pthread_t t;

	XT_EQ(xchg_alloc_bulk(p, mbufs, NB_FREES), 0);
	XT_EQ(pthread_create(&t, NULL, nonlcore_free, &na), 0);
	XT_EQ(pthread_join(t, NULL), 0);
	XT_EQ(na.lcore_id, LCORE_ID_ANY);
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.in_use, 0);
	XT_EQ(s.returned, NB_FREES);
	XT_CHECK(xt_census_ok(a, "after frees from a non-EAL thread"),
		 "census");
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0", 0, NULL);
	XT_RUN(test_raw_alloc);
	XT_RUN(test_clone_into_arena);
	XT_RUN(test_pool_clone);
	XT_RUN(test_nonlcore_free);
	return xt_done("misuse");
}
