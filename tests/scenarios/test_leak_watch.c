/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Leak watch (issue 9 item 6), suite 'evidence': a hog that takes its
 * whole quota and holds it past the starvation limit is reported once,
 * with the right owner and count; an owner that holds a few buffers is
 * listed with its own count and age; the telemetry shows the report;
 * once the hog frees, nothing is left to report. The clock is the test's
 * own, so every age is exact.
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "xchg_test.h"

#define NB_BUFFERS 1024
#define HOG_QUOTA  64
#define SLOW_QUOTA 64
#define SLOW_HELD  5
#define STARVE_MS  100

static uint64_t fake_now;

static uint64_t
fake_clock(void)
{
	return fake_now;
}

static int
tick_at(struct xchg_arena *a, uint64_t t)
{
	fake_now = t;
	return xchg_watch_tick(a);
}

static void
test_hog_reported_once(void)
{
	struct xchg_arena *a = xt_arena("lw_arena", NB_BUFFERS, 0);
	struct xchg_watch_conf conf = {
		.starve_ms = STARVE_MS,
		.starve_permille = 0,
		.clock_ms = fake_clock,
	};
	struct rte_mbuf *hog_bufs[HOG_QUOTA], *slow_bufs[SLOW_HELD];
	struct xchg_holder h[4];
	struct xchg_pool *hog, *slow;
	char *text = NULL, reply[4096];
	size_t len = 0;
	FILE *f;
	int n;

	fake_now = 1000;
	XT_EQ(xchg_watch_configure(a, &conf), 0);
	hog = xchg_pool_create(a, "lw_hog", XCHG_KIND_SOCKET, HOG_QUOTA);
	slow = xchg_pool_create(a, "lw_slow", XCHG_KIND_SOCKET, SLOW_QUOTA);
	XT_CHECK(hog != NULL && slow != NULL, "pools");
	if (hog == NULL || slow == NULL)
		return;
	XT_EQ(xchg_watch_holders(a, NULL, 0), 0);

	/* t=1000: the hog takes everything it may, and never frees. */
	XT_EQ(xchg_alloc_bulk(hog, hog_bufs, HOG_QUOTA), 0);
	XT_EQ(tick_at(a, 1000), 0);
	XT_EQ(tick_at(a, 1000 + STARVE_MS / 2), 0);
	XT_EQ(tick_at(a, 1000 + STARVE_MS), 0);   /* not longer yet */
	XT_EQ(tick_at(a, 1000 + STARVE_MS + 1), 1); /* reported */
	XT_EQ(tick_at(a, 1000 + 2 * STARVE_MS), 0); /* only once */
	XT_EQ(tick_at(a, 1000 + 3 * STARVE_MS), 0);

	/* t=1350: another owner takes a few and keeps them. */
	XT_EQ(xchg_alloc_bulk(slow, slow_bufs, SLOW_HELD), 0);
	XT_EQ(tick_at(a, 1350), 0);
	fake_now = 1500;
	n = xchg_watch_holders(a, h, RTE_DIM(h));
	XT_EQ(n, 2);
	if (n == 2) {
		XT_CHECK(strcmp(h[0].name, "lw_hog") == 0, "first: %s",
			 h[0].name);
		XT_EQ(h[0].held, HOG_QUOTA);
		XT_EQ(h[0].oldest_ms, 500);
		XT_EQ(h[0].starved, 1);
		XT_EQ(h[0].starved_ms, 500);
		XT_EQ(h[0].starve_reports, 1);
		XT_CHECK(strcmp(h[1].name, "lw_slow") == 0, "second: %s",
			 h[1].name);
		XT_EQ(h[1].held, SLOW_HELD);
		XT_EQ(h[1].oldest_ms, 150);
		XT_EQ(h[1].starved, 0);
		XT_EQ(h[1].starve_reports, 0);
	}

	/* The teardown listing names both, with their counts. */
	f = open_memstream(&text, &len);
	XT_CHECK(f != NULL, "open_memstream");
	if (f != NULL) {
		XT_EQ(xchg_census_print_holders(f), 2);
		fclose(f);
		printf("%s", text);
		XT_CHECK(strstr(text, "socket lw_hog still holds 64 of 64 buffers, the oldest held at least 500 ms, starved") != NULL,
			 "hog line missing");
		XT_CHECK(strstr(text, "socket lw_slow still holds 5 of 64 buffers, the oldest held at least 150 ms\n") != NULL,
			 "slow line missing");
		free(text);
	}

	/* Telemetry carries the report. */
	XT_EQ(xt_telemetry_query("/xchg/pools,lw_arena", reply,
				 sizeof(reply)), 0);
	XT_CHECK(strstr(reply, "\"starve_reports\": 1") != NULL ||
		 strstr(reply, "\"starve_reports\":1") != NULL,
		 "telemetry: %s", reply);

	/* A free of one buffer restarts the lower bound: the hog is no
	 * longer known to have held the rest throughout. */
	rte_pktmbuf_free(hog_bufs[0]);
	XT_EQ(tick_at(a, 1600), 0);
	fake_now = 1700;
	XT_EQ(xchg_watch_holders(a, h, 1), 2);
	XT_EQ(h[0].held, HOG_QUOTA - 1);
	XT_EQ(h[0].oldest_ms, 100);
	XT_EQ(h[0].starved, 0);

	/* All freed: nobody is left holding anything. */
	rte_pktmbuf_free_bulk(&hog_bufs[1], HOG_QUOTA - 1);
	rte_pktmbuf_free_bulk(slow_bufs, SLOW_HELD);
	XT_EQ(xchg_watch_holders(a, h, RTE_DIM(h)), 0);
	f = open_memstream(&text, &len);
	if (f != NULL) {
		XT_EQ(xchg_census_print_holders(f), 0);
		fclose(f);
		XT_EQ(len, 0);
		free(text);
	}
	XT_CHECK(xt_census_ok(a, "after the leak watch"), "census");
	XT_EQ(xchg_pool_free(hog), 0);
	XT_EQ(xchg_pool_free(slow), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init_shared(argv[0], "0", "lw", 0, NULL);
	XT_RUN(test_hog_reported_once);
	return xt_done("leak_watch");
}
