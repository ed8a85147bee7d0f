/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * --mode sockets: cycles per packet on one lcore with 1, 16, 256, 1,024
 * (--socket-counts) bound sockets and the UDP traffic spread round robin
 * over all of them; both sides, interleaved round by round. A count
 * beyond the stack's socket limit is reported as such and skipped, so the
 * same command measures more once the limit is raised. The application
 * reads a socket every max(1, sockets / 32) polls, so each read finds
 * about as many frames whatever the count; the plain side pays the same
 * for that, and its own growth shows what is not the stack's.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_version.h>

#include "sbench.h"

#define SK_MAX_ROUNDS 1000

int
sb_mode_sockets(const struct sb_conf *c, const unsigned int *counts,
		unsigned int nb)
{
	static double cpp[SB_MAX_COUNTS][SB_SIDES][SK_MAX_ROUNDS];
	unsigned int rounds = RTE_MIN(c->rounds, (unsigned int)SK_MAX_ROUNDS), i, k, s, up = 0;
	struct sb_run *r[SB_MAX_COUNTS] = { NULL };
	struct sb_conf cc[SB_MAX_COUNTS];
	double med[SB_MAX_COUNTS][SB_SIDES], xp[SK_MAX_ROUNDS];
	unsigned int limit = 0;
	uint64_t cyc;
	int ret = -1;

	for (k = 0; k < nb; k++) {
		cc[k] = *c;
		cc[k].sockets = counts[k];
		cc[k].lcores = 1;
		r[k] = sb_run_create(&cc[k]);
		if (r[k] == NULL && rte_errno == E2BIG) {
			limit = counts[k];
			printf("sockets: %u sockets: over the stack's socket limit, not measured\n",
			       counts[k]);
			break;
		}
		if (r[k] == NULL)
			goto out;
		up++;
	}
	printf("sockets: %s, 1 lcore, quota %u per socket, %" PRIu64 " packets per side and round, %u rounds interleaved, memory %s\n",
	       rte_version(), c->quota, c->packets, rounds, sb_memory());
	if (up == 0)
		goto out;
	printf("  layout (p) %s\n  layout (x) %s\n", sb_run_layout(r[0], SB_PLAIN),
	       sb_run_layout(r[0], SB_XCHG));
	for (k = 0; k < up; k++)
		if (sb_warmup(r[k], &cc[k]) != 0)
			goto out;
	for (i = 0; i < rounds; i++)
		for (k = 0; k < up; k++)
			for (s = 0; s < SB_SIDES; s++) {
				enum sb_side side = (i + s + k) % 2 ? SB_XCHG : SB_PLAIN;

				cyc = sb_run_round(r[k], side, c->packets);
				if (cyc == 0 || sb_run_check(r[k], side,
							     i + 1 == rounds) != 0)
					goto out;
				cpp[k][side][i] = (double)cyc / c->packets;
			}
	printf("cycles per packet, median of %u rounds:\n", rounds);
	printf("  sockets     (p)      (x)     x/p   p(n)/p(1)  x(n)/x(1)\n");
	for (k = 0; k < up; k++) {
		for (s = 0; s < SB_SIDES; s++)
			med[k][s] = sb_median(cpp[k][s], rounds);
		for (i = 0; i < rounds; i++)
			xp[i] = cpp[k][SB_XCHG][i] / cpp[k][SB_PLAIN][i];
		printf("  %7u %8.2f %8.2f %7.3f %10.3f %10.3f\n", counts[k],
		       med[k][SB_PLAIN], med[k][SB_XCHG], sb_median(xp, rounds),
		       med[k][SB_PLAIN] / med[0][SB_PLAIN],
		       med[k][SB_XCHG] / med[0][SB_XCHG]);
		printf("result mode=sockets memory=%s layout=packed same_layout=1 lcores=1 sockets=%u rounds=%u packets=%" PRIu64 " p_cpp=%.2f x_cpp=%.2f x_p=%.3f p_rel=%.3f x_rel=%.3f dpdk=\"%s\"\n",
		       sb_memory(), counts[k], rounds, c->packets, med[k][SB_PLAIN],
		       med[k][SB_XCHG], sb_median(xp, rounds),
		       med[k][SB_PLAIN] / med[0][SB_PLAIN],
		       med[k][SB_XCHG] / med[0][SB_XCHG], rte_version());
	}
	if (limit != 0)
		printf("result mode=sockets sockets=%u limit=1 dpdk=\"%s\"\n", limit,
		       rte_version());
	printf("goal: x(n)/x(1) <= 1.10 (target)\n");
	ret = 0;
out:
	for (k = 0; k < nb; k++)
		sb_run_free(r[k]);
	return ret;
}
