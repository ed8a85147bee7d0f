/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Every census rule shown firing (issue 23 item 1). Each case puts an
 * arena in one broken state on purpose, through the library's private
 * structures (xchg_private.h: a buffer's owner tag, a pool's units) or
 * real misuse (a buffer of a freed pool), and checks that the census
 * names exactly that rule, with the owner and the two figures, in its
 * result, in its printed line and in /xchg/census telemetry. The state
 * is then repaired and the census must be conserved again, and the
 * arena must free.
 *
 * The last case checks the test-only XCHG_TEST_CENSUS_PLANT hook the
 * program tests use (tests/testpmd, tests/apps): with it set, a
 * conserved arena's census names the planted rule.
 *
 * A rule switched off in lib/xchg/xchg_census.c fails its case here
 * (devtools/xchg-mutate, doc/proofs.rst).
 */

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xchg_test.h"
#include "xchg_private.h"

#define NB_BUFFERS 256
#define QUOTA      32

static char arena_name[XCHG_NAME_SIZE];

/* The census must break exactly @rule at @where with these figures, say
 * so in its line and in telemetry. */
static void
expect_rule(struct xchg_arena *a, enum xchg_census_rule rule,
	    const char *where, uint64_t expected, uint64_t found,
	    const char *when)
{
	struct xchg_census c;
	char line[512], want[256], tel[4096], cmd[128];

	XT_EQ(xchg_arena_census(a, &c), -EFAULT);
	xchg_census_format(&c, line, sizeof(line));
	printf("census %s: %s\n", when, line);
	XT_CHECK(!c.conserved, "%s: conserved", when);
	XT_CHECK(c.broken == rule, "%s: broke %s, not %s", when,
		 xchg_census_rule_name(c.broken), xchg_census_rule_name(rule));
	XT_CHECK(strcmp(c.where, where) == 0, "%s: at '%s', not '%s'", when,
		 c.where, where);
	XT_EQ(c.expected, expected);
	XT_EQ(c.found, found);
	snprintf(want, sizeof(want),
		 "BROKEN %s at '%s': expected %" PRIu64 ", found %" PRIu64 " (%s)",
		 xchg_census_rule_name(rule), where, expected, found,
		 xchg_census_rule_text(rule));
	XT_CHECK(strstr(line, want) != NULL, "%s: no '%s' in the line", when,
		 want);

	snprintf(cmd, sizeof(cmd), "/xchg/census,%s", arena_name);
	XT_EQ(xt_telemetry_query(cmd, tel, sizeof(tel)), 0);
	printf("%s -> %s\n", cmd, tel);
	XT_CHECK(strstr(tel, "\"conserved\":0,") != NULL,
		 "%s: conserved in telemetry", when);
	snprintf(want, sizeof(want),
		 "\"broken\":\"%s\",\"where\":\"%s\",\"expected\":%" PRIu64 ",\"found\":%" PRIu64,
		 xchg_census_rule_name(rule), where, expected, found);
	XT_CHECK(strstr(tel, want) != NULL, "%s: no '%s' in telemetry", when,
		 want);
}

static struct xchg_arena *
arena(const char *name)
{
	snprintf(arena_name, sizeof(arena_name), "%s", name);
	return xt_arena(name, NB_BUFFERS, 0);
}

static struct xchg_pool *
pool(struct xchg_arena *a, const char *name, uint32_t quota)
{
	struct xchg_pool *p = xchg_pool_create(a, name, XCHG_KIND_SOCKET,
					       quota);

	XT_CHECK(p != NULL, "pool %s: %s", name, rte_strerror(rte_errno));
	if (p == NULL)
		exit(1);
	return p;
}

/* A raw buffer: out of the arena with no owner, as in a NIC ring. */
static struct rte_mbuf *
raw(struct xchg_arena *a)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(xchg_arena_mempool(a));

	XT_CHECK(m != NULL, "raw alloc");
	if (m == NULL)
		exit(1);
	return m;
}

static xchg_tag_t *
tag_of(struct xchg_arena *a, struct rte_mbuf *m)
{
	uint32_t i = xchg_arena_index(a, m);

	XT_CHECK(i != UINT32_MAX, "not an arena buffer");
	if (i == UINT32_MAX)
		exit(1);
	return &a->tags[i];
}

static void
finish(struct xchg_arena *a, struct xchg_pool *p, const char *when)
{
	XT_CHECK(xt_census_ok(a, when), "census");
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

/* A buffer out in a ring marked free: one more marked free than the
 * free store holds (a buffer lost by a path around the driver). */
static void
test_free_count(void)
{
	struct xchg_arena *a = arena("cr_free");
	struct xchg_pool *p = pool(a, "cr_free_owner", QUOTA);
	struct rte_mbuf *m = raw(a);
	xchg_tag_t *t = tag_of(a, m);
	struct xchg_census before;
	uint32_t store;

	XT_EQ(xchg_arena_census(a, &before), 0);
	store = before.free_store;
	*t = XCHG_TAG_FREE;
	expect_rule(a, XCHG_CENSUS_FREE_COUNT, "", store, store + 1,
		    "free_count: a ring buffer marked free");
	*t = XCHG_TAG_NONE;
	rte_pktmbuf_free(m);
	finish(a, p, "free_count repaired");
}

/* A pool's buffer untagged: its counter says 1 held, the tags 0. */
static void
test_owner_count(void)
{
	struct xchg_arena *a = arena("cr_owner");
	struct xchg_pool *p = pool(a, "cr_owner_pool", QUOTA);
	struct rte_mbuf *m[3];
	xchg_tag_t *t;

	XT_EQ(xchg_alloc_bulk(p, m, 3), 0);
	t = tag_of(a, m[1]);
	XT_EQ(*t, p->tag);
	*t = XCHG_TAG_NONE;
	expect_rule(a, XCHG_CENSUS_OWNER_COUNT, "cr_owner_pool", 3, 2,
		    "owner_count: a pool's buffer untagged");
	*t = p->tag;
	rte_pktmbuf_free_bulk(m, 3);
	finish(a, p, "owner_count repaired");
}

/* A pool at its quota given one more buffer behind its counter. */
static void
test_over_quota(void)
{
	struct xchg_arena *a = arena("cr_quota");
	struct xchg_pool *p = pool(a, "cr_quota_pool", QUOTA);
	struct rte_mbuf *m[QUOTA], *extra;
	xchg_tag_t *t;

	XT_EQ(xchg_alloc_bulk(p, m, QUOTA), 0);
	xt_pool_expect(p, QUOTA, "full");
	extra = raw(a);
	t = tag_of(a, extra);
	*t = p->tag;
	expect_rule(a, XCHG_CENSUS_OVER_QUOTA, "cr_quota_pool", QUOTA,
		    QUOTA + 1, "over_quota: one buffer beyond the quota");
	*t = XCHG_TAG_NONE;
	rte_pktmbuf_free(extra);
	rte_pktmbuf_free_bulk(m, QUOTA);
	finish(a, p, "over_quota repaired");
}

/* A pool credited three units for two buffers: avail above its quota. */
static void
test_over_credit(void)
{
	struct xchg_arena *a = arena("cr_credit");
	struct xchg_pool *p = pool(a, "cr_credit_pool", QUOTA);
	struct xchg_pool_stats s;
	struct rte_mbuf *m[2];

	XT_EQ(xchg_alloc_bulk(p, m, 2), 0);
	/* Units available = quota - (taken - given back): three units
	 * fewer taken reads as three more given back. */
	__atomic_fetch_sub(&p->taken, 3, __ATOMIC_RELEASE);
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	XT_EQ(s.over_credit, 1);
	expect_rule(a, XCHG_CENSUS_OVER_CREDIT, "cr_credit_pool", QUOTA,
		    QUOTA + 1, "over_credit: a buffer credited twice");
	__atomic_fetch_add(&p->taken, 3, __ATOMIC_RELEASE);
	rte_pktmbuf_free_bulk(m, 2);
	finish(a, p, "over_credit repaired");
}

/* A buffer still tagged to a pool that was freed. */
static void
test_bad_tag(void)
{
	struct xchg_arena *a = arena("cr_tag");
	struct xchg_pool *p = pool(a, "cr_tag_pool", QUOTA);
	struct xchg_pool *dead = pool(a, "cr_tag_dead", QUOTA);
	xchg_tag_t dead_tag = dead->tag;
	struct rte_mbuf *m = raw(a);
	xchg_tag_t *t = tag_of(a, m);
	char where[XCHG_NAME_SIZE];

	XT_EQ(xchg_pool_free(dead), 0);
	*t = dead_tag;
	snprintf(where, sizeof(where), "buffer %u", xchg_arena_index(a, m));
	expect_rule(a, XCHG_CENSUS_BAD_TAG, where, 0, dead_tag,
		    "bad_tag: a buffer of a freed pool");
	*t = XCHG_TAG_NONE;
	rte_pktmbuf_free(m);
	finish(a, p, "bad_tag repaired");
}

/* Every buffer reserved, and one more out of the arena with no owner:
 * a raw allocation (real misuse). */
static void
test_rings_over(void)
{
	struct xchg_arena *a = arena("cr_rings");
	struct xchg_arena_info info;
	struct xchg_pool *p;
	struct rte_mbuf *m;

	XT_EQ(xchg_arena_info_get(a, &info), 0);
	p = pool(a, "cr_rings_all", info.unreserved);
	m = raw(a);
	expect_rule(a, XCHG_CENSUS_RINGS_OVER, "", 0, 1,
		    "rings_over: a raw allocation from a reserved arena");
	rte_pktmbuf_free(m);
	finish(a, p, "rings_over repaired");
}

/* The test-only hook the program tests use: a conserved arena reads as
 * broken, naming the planted rule, and nothing in it changes. */
static void
test_plant_hook(void)
{
	static const enum xchg_census_rule rules[] = {
		XCHG_CENSUS_FREE_COUNT, XCHG_CENSUS_OWNER_COUNT,
		XCHG_CENSUS_OVER_QUOTA, XCHG_CENSUS_RINGS_OVER,
		XCHG_CENSUS_BAD_TAG, XCHG_CENSUS_OVER_CREDIT,
	};
	struct xchg_arena *a = arena("cr_plant");
	struct xchg_pool *p = pool(a, "cr_plant_pool", QUOTA);
	struct xchg_census c;
	struct rte_mbuf *m[2];
	char line[512];
	unsigned int i;

	XT_EQ(xchg_alloc_bulk(p, m, 2), 0);
	for (i = 0; i < RTE_DIM(rules); i++) {
		setenv("XCHG_TEST_CENSUS_PLANT",
		       xchg_census_rule_name(rules[i]), 1);
		XT_EQ(xchg_arena_census(a, &c), -EFAULT);
		unsetenv("XCHG_TEST_CENSUS_PLANT");
		xchg_census_format(&c, line, sizeof(line));
		printf("census planted %s: %s\n",
		       xchg_census_rule_name(rules[i]), line);
		XT_CHECK(c.broken == rules[i], "planted %s, broke %s",
			 xchg_census_rule_name(rules[i]),
			 xchg_census_rule_name(c.broken));
		XT_CHECK(xt_census_ok(a, "after the planted census"),
			 "census");
	}
	rte_pktmbuf_free_bulk(m, 2);
	finish(a, p, "after the hook");
}

int
main(int argc __rte_unused, char **argv)
{
	/* Telemetry needs a runtime folder: a prefix of our own. */
	unsetenv("XCHG_TEST_CENSUS_PLANT");
	xt_eal_init_shared(argv[0], "0", "census_rules", 0, NULL);
	XT_RUN(test_free_count);
	XT_RUN(test_owner_count);
	XT_RUN(test_over_quota);
	XT_RUN(test_over_credit);
	XT_RUN(test_bad_tag);
	XT_RUN(test_rings_over);
	XT_RUN(test_plant_hook);
	return xt_done("census_rules");
}
