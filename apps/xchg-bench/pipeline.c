/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * --mode pipeline: one lcore receives (the stack's demux delivers into
 * the sockets), a second lcore reads every socket and frees what it
 * read: the frees, and so the quota's returns, happen on another lcore
 * than the exchanges. Cycles per frame are wall-clock cycles from the
 * start to the last frame read, over the frames received: the
 * pipeline's throughput. Sides interleaved round by round; the same
 * exact books and census as the stack mode after every round.
 */

#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_version.h>

#include "sbench.h"

#define PL_TARGET 1.30
#define PL_MAX_ROUNDS 1000

int
sb_mode_pipeline(const struct sb_conf *c)
{
	static double cpp[SB_SIDES][PL_MAX_ROUNDS], xp[PL_MAX_ROUNDS];
	unsigned int rounds = RTE_MIN(c->rounds, (unsigned int)PL_MAX_ROUNDS), i, k;
	double hz = rte_get_tsc_hz(), med[SB_SIDES], ratio;
	struct sb_conf pc = *c;
	struct sb_run *r;
	uint64_t cyc;
	int ret = -1;

	pc.lcores = 1;
	pc.pipeline = true;
	r = sb_run_create(&pc);
	if (r == NULL)
		return -1;
	printf("pipeline: %s, one lcore receives, another reads and frees, %u socket%s of quota %u, %" PRIu64 " packets per side and round, %u rounds interleaved, memory %s%s\n",
	       rte_version(), sb_run_sockets(r), sb_run_sockets(r) == 1 ? "" : "s",
	       pc.quota, pc.packets, rounds, sb_memory(),
	       pc.strict ? ", strict free marking" : "");
	printf("  layout (p) %s\n  layout (x) %s\n", sb_run_layout(r, SB_PLAIN),
	       sb_run_layout(r, SB_XCHG));
	if (sb_warmup(r, &pc) != 0)
		goto out;
	printf("round     (p)     (x)     x/p\n");
	for (i = 0; i < rounds; i++) {
		for (k = 0; k < SB_SIDES; k++) {
			enum sb_side s = (i + k) % 2 ? SB_XCHG : SB_PLAIN;

			cyc = sb_run_round(r, s, pc.packets);
			if (cyc == 0 ||
			    sb_run_check(r, s, i + 1 == rounds) != 0)
				goto out;
			cpp[s][i] = (double)cyc / pc.packets;
		}
		xp[i] = cpp[SB_XCHG][i] / cpp[SB_PLAIN][i];
		printf("%5u %7.2f %7.2f %7.3f\n", i + 1, cpp[SB_PLAIN][i],
		       cpp[SB_XCHG][i], xp[i]);
		fflush(stdout);
	}
	for (k = 0; k < SB_SIDES; k++)
		med[k] = sb_median(cpp[k], rounds);
	ratio = sb_median(xp, rounds);
	printf("pipeline x/p = %.3f (target <= %.2f)%s\n", ratio, PL_TARGET,
	       ratio <= PL_TARGET ? "" : ", MISSED");
	printf("result mode=pipeline memory=%s layout=packed same_layout=1 lcores=2 sockets=%u strict=%d rounds=%u packets=%" PRIu64 " p_cpp=%.2f x_cpp=%.2f p_mpps=%.2f x_mpps=%.2f x_p=%.3f dpdk=\"%s\"\n",
	       sb_memory(), sb_run_sockets(r), pc.strict, rounds, pc.packets,
	       med[SB_PLAIN], med[SB_XCHG], hz / med[SB_PLAIN] / 1e6,
	       hz / med[SB_XCHG] / 1e6, ratio, rte_version());
	ret = 0;
out:
	sb_run_free(r);
	return ret;
}
