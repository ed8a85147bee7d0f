/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * --mode lcores: one RX queue per lcore, each side on 1 and on 2 lcores:
 *   (i)  each lcore delivers to its own sockets and reads them;
 *   (ii) both lcores deliver into one shared socket, which the first
 *        lcore reads.
 * Mpps is all frames over the time until the last lcore is done; the
 * scaling factor is Mpps on 2 lcores over Mpps on 1, the median of the
 * per-round factors. The four runs are interleaved round by round, since
 * the machine may be shared.
 */

#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_version.h>

#include "sbench.h"

#define LC_MAX_ROUNDS 1000

enum { ONE_I, TWO_I, ONE_II, TWO_II, LC_RUNS };

int
sb_mode_lcores(const struct sb_conf *c)
{
	static const char * const name[LC_RUNS] = {
		"(i)  own sockets, 1 lcore", "(i)  own sockets, 2 lcores",
		"(ii) shared socket, 1 lcore", "(ii) shared socket, 2 lcores",
	};
	static double mpps[LC_RUNS][SB_SIDES][LC_MAX_ROUNDS];
	static double scale[2][SB_SIDES][LC_MAX_ROUNDS];
	unsigned int rounds = RTE_MIN(c->rounds, (unsigned int)LC_MAX_ROUNDS), i, k, s;
	struct sb_run *r[LC_RUNS] = { NULL };
	struct sb_conf cc[LC_RUNS];
	double hz = rte_get_tsc_hz(), med[LC_RUNS][SB_SIDES], f[2][SB_SIDES];
	uint64_t cyc;
	int ret = -1;

	for (k = 0; k < LC_RUNS; k++) {
		cc[k] = *c;
		cc[k].lcores = k % 2 ? 2 : 1;
		cc[k].shared = k >= ONE_II;
		/* One socket takes what two lcores deliver. */
		if (cc[k].shared)
			cc[k].quota = c->quota * 4;
		r[k] = sb_run_create(&cc[k]);
		if (r[k] == NULL)
			goto out;
	}
	printf("lcores: %s, %" PRIu64 " packets per lcore, side and round, %u rounds interleaved, memory %s, %u sockets per lcore in (i)\n",
	       rte_version(), c->packets, rounds, sb_memory(), c->sockets);
	printf("  layout (p) %s\n  layout (x) %s\n", sb_run_layout(r[0], SB_PLAIN),
	       sb_run_layout(r[0], SB_XCHG));
	printf("  this machine is shared: figures are medians of interleaved rounds\n");
	for (k = 0; k < LC_RUNS; k++)
		if (sb_warmup(r[k], &cc[k]) != 0)
			goto out;
	for (i = 0; i < rounds; i++) {
		for (k = 0; k < LC_RUNS; k++)
			for (s = 0; s < SB_SIDES; s++) {
				enum sb_side side = (i + s) % 2 ? SB_XCHG : SB_PLAIN;

				cyc = sb_run_round(r[k], side, c->packets);
				if (cyc == 0 || sb_run_check(r[k], side,
							     i + 1 == rounds) != 0)
					goto out;
				mpps[k][side][i] = (double)c->packets *
					cc[k].lcores * hz / cyc / 1e6;
			}
		for (s = 0; s < SB_SIDES; s++) {
			scale[0][s][i] = mpps[TWO_I][s][i] / mpps[ONE_I][s][i];
			scale[1][s][i] = mpps[TWO_II][s][i] / mpps[ONE_II][s][i];
		}
		printf("round %3u  (i) p %.2f x %.2f  (ii) p %.2f x %.2f\n", i + 1,
		       scale[0][SB_PLAIN][i], scale[0][SB_XCHG][i],
		       scale[1][SB_PLAIN][i], scale[1][SB_XCHG][i]);
		fflush(stdout);
	}
	printf("Mpps, median of %u rounds:          (p) plain   (x) xchg\n", rounds);
	for (k = 0; k < LC_RUNS; k++) {
		for (s = 0; s < SB_SIDES; s++)
			med[k][s] = sb_median(mpps[k][s], rounds);
		printf("  %-30s %8.2f %10.2f\n", name[k], med[k][SB_PLAIN],
		       med[k][SB_XCHG]);
	}
	for (k = 0; k < 2; k++)
		for (s = 0; s < SB_SIDES; s++)
			f[k][s] = sb_median(scale[k][s], rounds);
	printf("scaling 2/1 lcores: (i) p %.2f, x %.2f (target >= 1.80 for x); (ii) p %.2f, x %.2f\n",
	       f[0][SB_PLAIN], f[0][SB_XCHG], f[1][SB_PLAIN], f[1][SB_XCHG]);
	for (k = 0; k < 2; k++)
		printf("result mode=lcores case=%s memory=%s layout=packed same_layout=1 rounds=%u packets=%" PRIu64 " p_mpps_1=%.2f x_mpps_1=%.2f p_mpps_2=%.2f x_mpps_2=%.2f p_scale=%.2f x_scale=%.2f dpdk=\"%s\"\n",
		       k ? "shared" : "own", sb_memory(), rounds, c->packets,
		       med[2 * k][SB_PLAIN], med[2 * k][SB_XCHG],
		       med[2 * k + 1][SB_PLAIN], med[2 * k + 1][SB_XCHG],
		       f[k][SB_PLAIN], f[k][SB_XCHG], rte_version());
	ret = 0;
out:
	for (k = 0; k < LC_RUNS; k++)
		sb_run_free(r[k]);
	return ret;
}
