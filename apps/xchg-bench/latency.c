/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * --mode latency: TSC cycles from rte_eth_rx_burst returning (the RX
 * callback that writes the frame stamps it, once per burst) to the
 * application dequeuing the frame from its socket, for every frame the
 * sockets read; p50, p99, p99.9 and max. Two runs interleaved round by
 * round: without and with a hog, a bound socket that takes every fourth
 * UDP frame and never reads, so its quota (or ring) is full and its
 * frames are refused. The hog's own frames are not in the figures.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_version.h>

#include "sbench.h"

/* Log-linear buckets: exact below SB_HIST_SUB, then 32 per power of two
 * (about 3% wide). */
static unsigned int
bucket(uint64_t v)
{
	unsigned int msb, shift;

	if (v < SB_HIST_SUB)
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	shift = msb - 5;
	return SB_HIST_SUB + (shift - 1) * 32 + (unsigned int)((v >> shift) - 32);
}

/* The largest value of a bucket. */
static uint64_t
bucket_top(unsigned int i)
{
	unsigned int shift;

	if (i < SB_HIST_SUB)
		return i;
	shift = (i - SB_HIST_SUB) / 32 + 1;
	return ((((uint64_t)(i - SB_HIST_SUB) % 32 + 32) + 1) << shift) - 1;
}

void
sb_hist_add(struct sb_hist *h, uint64_t v)
{
	h->b[bucket(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

uint64_t
sb_hist_quantile(const struct sb_hist *h, double q)
{
	uint64_t rank = (uint64_t)(q * (double)h->n + 0.999999), sum = 0;
	unsigned int i;

	if (rank == 0)
		rank = 1;
	for (i = 0; i < SB_HIST_BUCKETS; i++) {
		sum += h->b[i];
		if (sum >= rank)
			return RTE_MIN(bucket_top(i), h->max);
	}
	return h->max;
}

struct lat {
	uint64_t p50, p99, p999, max, n, preempted;
};

static void
summarise(const struct sb_hist *h, struct lat *l)
{
	l->p50 = sb_hist_quantile(h, 0.50);
	l->p99 = sb_hist_quantile(h, 0.99);
	l->p999 = sb_hist_quantile(h, 0.999);
	l->max = h->max;
	l->n = h->n;
}

static void
print_lat(const char *label, const struct lat *l, double ns)
{
	printf("  %-26s %10" PRIu64 " frames  p50 %6" PRIu64 "  p99 %6" PRIu64 "  p99.9 %7" PRIu64 "  max %9" PRIu64 " cycles  (p99.9 %.0f ns), polling thread preempted %" PRIu64 " times\n",
	       label, l->n, l->p50, l->p99, l->p999, l->max, l->p999 * ns,
	       l->preempted);
}

int
sb_mode_latency(const struct sb_conf *c)
{
	static const char * const side_name[SB_SIDES] = { "(p)", "(x)" };
	struct sb_conf cc[2] = { *c, *c };
	struct sb_run *r[2] = { NULL, NULL };
	struct lat l[2][SB_SIDES];
	uint64_t pre0[2][SB_SIDES];
	double ns = 1e9 / rte_get_tsc_hz();
	unsigned int i, h, s;
	int ret = -1;

	cc[0].latency = cc[1].latency = true;
	cc[0].hog = false;
	cc[1].hog = true;
	for (h = 0; h < 2; h++) {
		r[h] = sb_run_create(&cc[h]);
		if (r[h] == NULL)
			goto out;
	}
	printf("latency: %s, 1 lcore, %u sockets (quota %u) and %s hog, %" PRIu64 " packets per side and round, %u rounds, memory %s\n",
	       rte_version(), sb_run_sockets(r[0]), c->quota, "without and with a",
	       c->packets, c->rounds, sb_memory());
	printf("  layout (p) %s\n  layout (x) %s\n", sb_run_layout(r[0], SB_PLAIN),
	       sb_run_layout(r[0], SB_XCHG));
	for (h = 0; h < 2; h++) {
		if (sb_warmup(r[h], &cc[h]) != 0)
			goto out;
		for (s = 0; s < SB_SIDES; s++) {
			memset(sb_run_hist(r[h], s), 0, sizeof(struct sb_hist));
			pre0[h][s] = sb_run_preempted(r[h], s);
		}
	}
	for (i = 0; i < c->rounds; i++)
		for (h = 0; h < 2; h++)
			for (s = 0; s < SB_SIDES; s++) {
				enum sb_side side = (i + s) % 2 ? SB_XCHG : SB_PLAIN;

				if (sb_run_round(r[h], side, c->packets) == 0 ||
				    sb_run_check(r[h], side,
						 i + 1 == c->rounds) != 0)
					goto out;
			}
	printf("rx_burst return to application dequeue, TSC cycles, all rounds:\n");
	for (h = 0; h < 2; h++)
		for (s = 0; s < SB_SIDES; s++) {
			char label[64];

			summarise(sb_run_hist(r[h], s), &l[h][s]);
			l[h][s].preempted = sb_run_preempted(r[h], s) - pre0[h][s];
			snprintf(label, sizeof(label), "%s %s", side_name[s],
				 h ? "with the hog" : "without a hog");
			print_lat(label, &l[h][s], ns);
		}
	for (s = 0; s < SB_SIDES; s++)
		printf("  %s p99.9 with / without the hog = %.2f%s\n", side_name[s],
		       (double)l[1][s].p999 / (double)l[0][s].p999,
		       s == SB_XCHG ? " (target <= 1.50)" : "");
	for (h = 0; h < 2; h++)
		for (s = 0; s < SB_SIDES; s++)
			printf("result mode=latency memory=%s layout=packed same_layout=1 lcores=1 sockets=%u hog=%u side=%c frames=%" PRIu64 " p50=%" PRIu64 " p99=%" PRIu64 " p999=%" PRIu64 " max=%" PRIu64 " preempted=%" PRIu64 " tsc_hz=%" PRIu64 " dpdk=\"%s\"\n",
			       sb_memory(), sb_run_sockets(r[h]), h,
			       s == SB_PLAIN ? 'p' : 'x', l[h][s].n, l[h][s].p50,
			       l[h][s].p99, l[h][s].p999, l[h][s].max,
			       l[h][s].preempted, rte_get_tsc_hz(), rte_version());
	ret = 0;
out:
	sb_run_free(r[0]);
	sb_run_free(r[1]);
	return ret;
}
