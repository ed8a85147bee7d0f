/* SPDX-License-Identifier: BSD-3-Clause */

/* An application outside the tree, built by pkgconfig.sh with nothing
 * but pkg-config --cflags --libs libxchg. */

#include <stdio.h>

#include <rte_eal.h>

#include <xchg.h>
#include <xchg_config.h>
#include <xchg_port.h>
#include <xchg_stack.h>

int
main(int argc, char **argv)
{
	struct xchg_arena_conf conf = {
		.name = "oot", .nb_buffers = 1024, .socket_id = -1,
	};
	struct xchg_census census;
	struct xchg_arena *a;
	struct xchg_pool *p;
	int ok;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	a = xchg_arena_create(&conf);
	p = a != NULL ? xchg_pool_create(a, "app", XCHG_KIND_SOCKET, 8) : NULL;
	ok = p != NULL && xchg_arena_census(a, &census) == 0 &&
	     xchg_pool_free(p) == 0 && xchg_arena_free(a) == 0;
	printf("out-of-tree application: %s\n", ok ? "ok" : "FAILED");
	rte_eal_cleanup();
	return ok ? 0 : 1;
}
