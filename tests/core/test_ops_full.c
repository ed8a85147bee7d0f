/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * A full mempool driver table (RTE_MEMPOOL_MAX_OPS_IDX entries: Debian's
 * DPDK 24.11 and 25.11 already register 15 of 16 before xchg's): the
 * arena is refused with ENOSPC, and the one error line says the table is
 * full, names the drivers in it and says how to load fewer.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mempool.h>

#include "xchg_test.h"

static int
filler_alloc(struct rte_mempool *mp)
{
	RTE_SET_USED(mp);
	return -ENOTSUP;
}

static void
filler_free(struct rte_mempool *mp)
{
	RTE_SET_USED(mp);
}

static int
filler_enqueue(struct rte_mempool *mp, void * const *objs, unsigned int n)
{
	RTE_SET_USED(mp);
	RTE_SET_USED(objs);
	RTE_SET_USED(n);
	return -ENOTSUP;
}

static int
filler_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	RTE_SET_USED(mp);
	RTE_SET_USED(objs);
	RTE_SET_USED(n);
	return -ENOTSUP;
}

static unsigned int
filler_count(const struct rte_mempool *mp)
{
	RTE_SET_USED(mp);
	return 0;
}

static struct rte_mempool_ops fillers[RTE_MEMPOOL_MAX_OPS_IDX];

static void
test_full_table(void)
{
	char *log = NULL, *line, name[RTE_MEMPOOL_OPS_NAMESIZE];
	size_t log_len = 0;
	unsigned int nb = 0;
	FILE *stream;
	void *arena;

	/* Fill the table to the last entry with do-nothing drivers. */
	while (rte_mempool_ops_table.num_ops < RTE_MEMPOOL_MAX_OPS_IDX) {
		struct rte_mempool_ops *o = &fillers[nb];

		snprintf(o->name, sizeof(o->name), "xt_filler%u", nb);
		o->alloc = filler_alloc;
		o->free = filler_free;
		o->enqueue = filler_enqueue;
		o->dequeue = filler_dequeue;
		o->get_count = filler_count;
		XT_CHECK(rte_mempool_register_ops(o) >= 0, "filler %u", nb);
		nb++;
	}
	printf("%u drivers were registered, %u fillers added\n",
	       RTE_MEMPOOL_MAX_OPS_IDX - nb, nb);

	stream = open_memstream(&log, &log_len);
	XT_CHECK(stream != NULL, "memstream");
	if (stream == NULL)
		return;
	rte_openlog_stream(stream);
	arena = xchg_arena_create(&(struct xchg_arena_conf){
		.name = "full", .nb_buffers = 256, .socket_id = SOCKET_ID_ANY });
	XT_CHECK(arena == NULL && rte_errno == ENOSPC,
		 "arena refused with ENOSPC (%s)", rte_strerror(rte_errno));
	rte_openlog_stream(NULL);
	fclose(stream);
	/* DPDK logs a line of its own first; xchg's is the last one. */
	line = log != NULL ? strstr(log, "cannot register mempool driver") : NULL;
	printf("the log: %s", log != NULL ? log : "(none)\n");
	XT_CHECK(line != NULL && strstr(line, "driver table is full") != NULL,
		 "says the table is full");
	snprintf(name, sizeof(name), "xt_filler%u", nb ? nb - 1 : 0);
	XT_CHECK(line != NULL &&
		 strstr(line, rte_mempool_ops_table.ops[0].name) != NULL &&
		 (nb == 0 || strstr(line, name) != NULL),
		 "names the drivers, the first and the last");
	XT_CHECK(line != NULL && strstr(line, "load fewer") != NULL,
		 "says how to load fewer");
	XT_CHECK(line != NULL && strchr(line, '\n') == line + strlen(line) - 1,
		 "in one line");
	free(log);
}

int
main(int argc, char **argv)
{
	RTE_SET_USED(argc);
	xt_eal_init(argv[0], "0", 0, NULL);
	XT_RUN(test_full_table);
	return xt_done("ops_full");
}
