/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_APP_MEM_H
#define XCHG_APP_MEM_H

/*
 * Memory at start-up, for the programs that run a data path: lock every
 * page in memory (mlockall, on by default as in dpdk-testpmd), fault in
 * the stack the data path will use, and optionally set the process's
 * oom_score_adj. Once done, the data path takes no page fault: nothing
 * it touches can be evicted or is mapped for the first time later
 * (doc/proofs.rst). Not installed.
 */

#include <stdbool.h>

/** What xchg_app_mem_apply() does. */
struct xchg_app_mem {
	bool no_mlockall;   /**< --no-mlockall: leave pages evictable. */
	bool set_oom;       /**< --oom-score-adj was given. */
	int oom_score_adj;  /**< -1000 (never chosen) to 1000. */
};

/** Usage lines of the two options, for a program's --help. */
#define XCHG_APP_MEM_USAGE \
	"  --no-mlockall         do not lock the process's pages in memory (locked by\n" \
	"                        default, so the data path never refaults under pressure)\n" \
	"  --oom-score-adj N     write N (-1000 to 1000) to /proc/self/oom_score_adj;\n" \
	"                        -1000: the OOM killer never picks this process\n"

/**
 * Parse --oom-score-adj's value; on a bad one print "PROG:
 * --oom-score-adj: 'ARG' is not a whole number from -1000 to 1000".
 *
 * @return 0, or -EINVAL.
 */
int xchg_app_mem_oom_arg(const char *prog, const char *arg,
			 struct xchg_app_mem *mem);

/**
 * Apply the settings: oom_score_adj first (a failure is fatal: printed
 * in one line, -errno returned), then mlockall(MCL_CURRENT |
 * MCL_FUTURE) unless disabled (a failure is printed and not fatal, as
 * in dpdk-testpmd), then fault in 256 KiB of this thread's stack.
 * Call it once everything is set up, before the data path starts.
 *
 * @return 0 or a negative errno.
 */
int xchg_app_mem_apply(const char *prog, const struct xchg_app_mem *mem);

#endif /* XCHG_APP_MEM_H */
