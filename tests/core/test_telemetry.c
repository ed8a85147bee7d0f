/* SPDX-License-Identifier: BSD-3-Clause */

/* Telemetry: /xchg/pools and /xchg/census answered over the process's
 * own telemetry socket, the way dpdk-telemetry.py reads them, and through
 * dpdk-telemetry.py itself when it is installed. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "xchg_test.h"

static void
test_pools_and_census(void)
{
	struct xchg_arena *a = xt_arena("tel", 512, -1);
	struct xchg_pool *p = xchg_pool_create(a, "sock_a", XCHG_KIND_SOCKET,
					       16);
	struct xchg_pool *dashed = xchg_pool_create(a, "sock-b.1",
						    XCHG_KIND_SOCKET, 4);
	struct rte_mbuf *m[3];
	char buf[16384];

	XT_EQ(xchg_alloc_bulk(p, m, 3), 0);

	XT_EQ(xt_telemetry_query("/xchg/pools", buf, sizeof(buf)), 0);
	printf("/xchg/pools -> %s\n", buf);
	XT_CHECK(strstr(buf, "\"tel\":{\"sock_a\":{\"kind\":\"socket\",\"quota\":16,\"in_use\":3,\"available\":13") != NULL,
		 "pools of every arena");
	XT_EQ(xt_telemetry_query("/xchg/pools,tel", buf, sizeof(buf)), 0);
	/* The same shape as without a parameter: arena -> pool -> figures. */
	XT_CHECK(strstr(buf, "{\"/xchg/pools\":{\"tel\":{\"sock_a\":{") != NULL &&
		 strstr(buf, "\"allocated\":3") != NULL, "pools of one arena");
	/* Telemetry refuses '-' and '.' in keys: the pool shows anyway. */
	XT_CHECK(dashed != NULL && strstr(buf, "\"sock_b_1\":{") != NULL,
		 "pool with '-' and '.' in its name");
	XT_EQ(xt_telemetry_query("/xchg/pools,nosuch", buf, sizeof(buf)), 0);
	XT_CHECK(strstr(buf, "null") != NULL, "unknown arena: %s", buf);

	XT_EQ(xt_telemetry_query("/xchg/census,tel", buf, sizeof(buf)), 0);
	printf("/xchg/census,tel -> %s\n", buf);
	XT_CHECK(strstr(buf, "{\"/xchg/census\":{\"tel\":{\"total\":512") != NULL &&
		 strstr(buf, "\"owned\":3") != NULL &&
		 strstr(buf, "\"conserved\":1") != NULL, "census");

	if (access("/usr/bin/dpdk-telemetry.py", X_OK) == 0) {
		char cmd[512];
		FILE *f;
		size_t n;

		/* The script takes the runtime folder's prefix with -f. */
		snprintf(cmd, sizeof(cmd),
			 "echo /xchg/pools,tel | /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f %s 2>&1",
			 getenv("XT_PREFIX"));
		f = popen(cmd, "r");
		n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		buf[n] = '\0';
		if (f != NULL)
			pclose(f);
		printf("dpdk-telemetry.py -> %s\n", buf);
		XT_CHECK(strstr(buf, "\"sock_a\"") != NULL &&
			 strstr(buf, "\"in_use\": 3") != NULL,
			 "dpdk-telemetry.py reads /xchg/pools");
	}

	rte_pktmbuf_free_bulk(m, 3);
	XT_EQ(xchg_pool_free(dashed), 0);
	XT_EQ(xchg_pool_free(p), 0);
	XT_EQ(xchg_arena_free(a), 0);
}

int
main(int argc __rte_unused, char **argv)
{
	/* Telemetry needs a runtime folder: a prefix of our own, not
	 * --no-shconf, so that parallel tests do not meet. */
	xt_eal_init_shared(argv[0], "0", "tel", 0, NULL);
	XT_RUN(test_pools_and_census);
	return xt_done("telemetry");
}
