/* SPDX-License-Identifier: BSD-3-Clause */

/* mlockall, stack prefault and oom_score_adj at start-up: xchg_app_mem.h. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xchg_app_mem.h"

#define STACK_PREFAULT (256 * 1024)

int
xchg_app_mem_oom_arg(const char *prog, const char *arg,
		     struct xchg_app_mem *mem)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = arg != NULL ? strtol(arg, &end, 10) : 0;
	if (arg == NULL || end == arg || *end != '\0' || errno != 0 ||
	    v < -1000 || v > 1000) {
		fprintf(stderr, "%s: --oom-score-adj: '%s' is not a whole number from -1000 to 1000\n",
			prog, arg != NULL ? arg : "");
		return -EINVAL;
	}
	mem->set_oom = true;
	mem->oom_score_adj = (int)v;
	return 0;
}

/* Touch the stack the data path will run on, page by page. */
static void __attribute__((noinline))
prefault_stack(void)
{
	volatile char area[STACK_PREFAULT];
	size_t i;

	for (i = 0; i < sizeof(area); i += 4096)
		area[i] = 0;
}

int
xchg_app_mem_apply(const char *prog, const struct xchg_app_mem *mem)
{
	if (mem->set_oom) {
		FILE *f = fopen("/proc/self/oom_score_adj", "w");
		int err = f == NULL ? errno : 0;

		if (f != NULL && (fprintf(f, "%d\n", mem->oom_score_adj) < 0 ||
				  fclose(f) != 0))
			err = errno;
		if (err != 0) {
			fprintf(stderr, "%s: --oom-score-adj %d: cannot write /proc/self/oom_score_adj: %s%s\n",
				prog, mem->oom_score_adj, strerror(err),
				err == EACCES || err == EPERM ?
				" (lowering it needs CAP_SYS_RESOURCE)" : "");
			return -err;
		}
	}
	if (!mem->no_mlockall &&
	    mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
		fprintf(stderr, "%s: mlockall failed: %s; pages stay evictable (raise RLIMIT_MEMLOCK, or give --no-mlockall)\n",
			prog, strerror(errno));
	prefault_stack();
	return 0;
}
