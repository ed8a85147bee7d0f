/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * --mode stack: the whole receive path, plain DPDK (p) against the xchg
 * stack (x), in one process, on the main lcore, on the same traffic and
 * the same layout, in interleaved rounds (the order alternates), with
 * the generator's own cost (f) beside them. Prints cycles per packet,
 * Mpps and x/p, the median of the per-round ratios.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>

#include "sbench.h"

#define SB_TARGET 1.20 /* issue 17, 16 sockets */
#define SB_MAX_ROUNDS 1000

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
sb_median(const double *x, unsigned int n)
{
	double s[SB_MAX_ROUNDS];

	if (n == 0)
		return 0;
	n = RTE_MIN(n, (unsigned int)SB_MAX_ROUNDS);
	memcpy(s, x, sizeof(*x) * n);
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* "hugepages" or "no-huge": half of every figure's layout. */
const char *
sb_memory(void)
{
	return rte_eal_has_hugepages() ? "hugepages" : "no-huge";
}

static void
print_header(const char *mode, const struct sb_conf *c, struct sb_run *r)
{
	printf("%s: %s, %u lcore%s, %u socket%s (quota %u), %" PRIu64 " packets per side, lcore and round, %u rounds, memory %s, TSC %.3f GHz\n",
	       mode, rte_version(), c->lcores, c->lcores == 1 ? "" : "s",
	       sb_run_sockets(r), sb_run_sockets(r) == 1 ? "" : "s", c->quota,
	       c->packets, c->rounds, sb_memory(), rte_get_tsc_hz() / 1e9);
	printf("  layout (p) plain packed pool: %s\n", sb_run_layout(r, SB_PLAIN));
	printf("  layout (x) xchg arena:        %s\n", sb_run_layout(r, SB_XCHG));
	printf("  traffic, per 32 frames of 60 B written by an RX callback on both sides: 26 UDP spread over the sockets, 2 ARP requests and 2 ICMP echo requests for us, 1 UDP to an unbound port, 1 unknown ethertype\n");
	printf("  socket reads (x): %s\n", c->many_readers ?
	       "readers=many, the multi-consumer dequeue and per-lcore counts (--readers many)" :
	       "readers=one, each socket read by one lcore: single-consumer dequeue, the reader's own count (xchg_socket_set_single_reader())");
}

/* A warm-up round of each side, checked like the others. */
int
sb_warmup(struct sb_run *r, const struct sb_conf *c)
{
	uint64_t n = RTE_MIN(c->packets, UINT64_C(1000000));
	int s;

	for (s = 0; s < SB_SIDES; s++)
		if (sb_run_round(r, s, n) == 0 || sb_run_check(r, s, false) != 0)
			return -1;
	return 0;
}

int
sb_mode_stack(const struct sb_conf *c, double *ratio)
{
	static double cpp[3][SB_MAX_ROUNDS], xp[SB_MAX_ROUNDS];
	unsigned int rounds = RTE_MIN(c->rounds, (unsigned int)SB_MAX_ROUNDS), i, k;
	double hz = rte_get_tsc_hz(), med[3];
	struct sb_run *r;
	uint64_t cyc;
	int ret = -1;

	r = sb_run_create(c);
	if (r == NULL)
		return -1;
	print_header("stack path", c, r);
	if (sb_warmup(r, c) != 0)
		goto out;
	printf("round      (f)     (p)     (x)     x/p\n");
	for (i = 0; i < rounds; i++) {
		for (k = 0; k < SB_SIDES; k++) {
			/* p then x, x then p: drift hits both alike. */
			enum sb_side s = (i + k) % 2 ? SB_XCHG : SB_PLAIN;

			cyc = sb_run_round(r, s, c->packets);
			if (cyc == 0 ||
			    sb_run_check(r, s, i + 1 == rounds) != 0)
				goto out;
			cpp[s][i] = (double)cyc / c->packets;
		}
		cyc = sb_run_fill(r, c->packets);
		if (cyc == 0)
			goto out;
		cpp[2][i] = (double)cyc / c->packets;
		xp[i] = cpp[SB_XCHG][i] / cpp[SB_PLAIN][i];
		printf("%5u  %7.2f %7.2f %7.2f %7.3f\n", i + 1, cpp[2][i],
		       cpp[SB_PLAIN][i], cpp[SB_XCHG][i], xp[i]);
		fflush(stdout);
	}
	for (k = 0; k < 3; k++)
		med[k] = sb_median(cpp[k], rounds);
	*ratio = sb_median(xp, rounds);
	printf("cycles per packet, median of %u rounds:\n", rounds);
	printf("  (f) rx + fill + free (the generator)   %7.2f  %6.1f Mpps\n",
	       med[2], hz / med[2] / 1e6);
	printf("  (p) plain DPDK stack                   %7.2f  %6.1f Mpps\n",
	       med[SB_PLAIN], hz / med[SB_PLAIN] / 1e6);
	printf("  (x) xchg stack                         %7.2f  %6.1f Mpps\n",
	       med[SB_XCHG], hz / med[SB_XCHG] / 1e6);
	printf("  x - p = %.2f cycles per packet; x/p without the generator = %.3f\n",
	       med[SB_XCHG] - med[SB_PLAIN],
	       (med[SB_XCHG] - med[2]) / (med[SB_PLAIN] - med[2]));
	printf("stack x/p = %.3f (target <= %.2f)%s\n", *ratio, SB_TARGET,
	       *ratio <= SB_TARGET ? "" : ", MISSED");
	printf("result mode=stack memory=%s layout=packed same_layout=1 lcores=1 sockets=%u rounds=%u packets=%" PRIu64 " f_cpp=%.2f p_cpp=%.2f x_cpp=%.2f p_mpps=%.2f x_mpps=%.2f x_p=%.3f readers=%s dpdk=\"%s\"\n",
	       sb_memory(), sb_run_sockets(r), rounds, c->packets, med[2],
	       med[SB_PLAIN], med[SB_XCHG], hz / med[SB_PLAIN] / 1e6,
	       hz / med[SB_XCHG] / 1e6, *ratio,
	       c->many_readers ? "many" : "one", rte_version());
	ret = 0;
out:
	sb_run_free(r);
	return ret;
}
