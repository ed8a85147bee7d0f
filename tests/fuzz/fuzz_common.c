/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Shared by the fuzz targets: the EAL, frames as a NIC hands them over,
 * and the checks that end every input (see fuzz_common.h).
 *
 * Frames live in arena buffers, because the exchange takes nothing else
 * (an mbuf with an external buffer is refused: the owner tag belongs to
 * an arena buffer). AddressSanitizer does not watch DPDK memory, so in a
 * sanitizer build every injected segment's headroom and tailroom are
 * poisoned: a read before the frame or past its last byte is reported
 * as if the frame were a heap block of exactly its length. The arena's
 * free store is a FIFO ring larger than anything one input allocates,
 * so a poisoned buffer cannot come back to the stack within the input
 * that poisoned it; fz_unpoison_all() lifts the poison when the input
 * ends.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "fuzz_common.h"
#include "xchg.h"
#include "xchg_config.h"

#if defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif

#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#define FZ_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define FZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define FZ_POISON(p, n) do { (void)(p); (void)(n); } while (0)
#define FZ_UNPOISON(p, n) do { (void)(p); (void)(n); } while (0)
#endif

/* Segments poisoned during the current input. */
#define FZ_MAX_POISONED 8192
static struct { void *addr; uint16_t len; } poisoned[FZ_MAX_POISONED];
static unsigned int nb_poisoned;

void
fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xchg-fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void
fz_eal_init(const char *prog, unsigned int nb_extra, const char * const *extra)
{
	const char *base[] = {
		prog, "-l", "0", "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "--log-level=lib.eal:error",
		"--log-level=xchg:emerg", "--log-level=pmd:error",
		"--log-level=lib.telemetry:error", "--no-telemetry",
	};
	char *argv[RTE_DIM(base) + 8];
	int argc = 0;
	unsigned int i;

	if (nb_extra > 8) {
		fprintf(stderr, "xchg-fuzz: too many EAL arguments\n");
		exit(1);
	}
	for (i = 0; i < RTE_DIM(base); i++)
		argv[argc++] = (char *)(uintptr_t)base[i];
	for (i = 0; i < nb_extra; i++)
		argv[argc++] = (char *)(uintptr_t)extra[i];
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "xchg-fuzz: EAL refused to start: %s\n",
			rte_strerror(rte_errno));
		exit(1);
	}
}

static void
poison_seg(struct rte_mbuf *m)
{
	uint8_t *base = m->buf_addr;
	uint16_t end = (uint16_t)(m->data_off + m->data_len);

	if (nb_poisoned == FZ_MAX_POISONED)
		return; /* left unwatched rather than failing the input */
	poisoned[nb_poisoned].addr = base;
	poisoned[nb_poisoned].len = m->buf_len;
	nb_poisoned++;
	FZ_POISON(base, m->data_off);
	FZ_POISON(base + end, m->buf_len - end);
}

/* Lift the poison of every segment injected by the current input. */
static void
fz_unpoison_all(void)
{
	unsigned int i;

	for (i = 0; i < nb_poisoned; i++)
		FZ_UNPOISON(poisoned[i].addr, poisoned[i].len);
	nb_poisoned = 0;
}

struct rte_mbuf *
fz_frame(struct rte_mempool *mp, const uint8_t *data, size_t len, uint16_t seg)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	size_t off = 0;

	if (len == 0 || seg == 0)
		return NULL;
	while (off < len) {
		uint16_t n = (uint16_t)RTE_MIN((size_t)seg, len - off);
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		char *p;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		/* The frame starts on an 8-byte boundary, so the poison of
		 * the headroom reaches its first byte exactly. */
		m->data_off = RTE_PKTMBUF_HEADROOM;
		p = rte_pktmbuf_append(m, n);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(p, data + off, n);
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
		off += n;
	}
	for (last = head; last != NULL; last = last->next)
		poison_seg(last);
	return head;
}

struct pool_check {
	bool idle;
	const char *when;
};

static int
check_pool(struct xchg_pool *pool, void *arg)
{
	const struct pool_check *pc = arg;
	struct xchg_pool_stats st;

	if (xchg_pool_stats_get(pool, &st) != 0)
		fz_fail("%s: no figures for pool %s", pc->when,
			xchg_pool_name(pool));
	if (st.in_use > st.quota)
		fz_fail("%s: pool %s holds %u buffers over its quota of %u",
			pc->when, xchg_pool_name(pool), st.in_use, st.quota);
	if (pc->idle && st.in_use != 0)
		fz_fail("%s: pool %s still holds %u buffers after everything was freed",
			pc->when, xchg_pool_name(pool), st.in_use);
	return 0;
}

void
fz_check_arena(struct xchg_arena *arena, bool idle, const char *when)
{
	struct pool_check pc = { .idle = idle, .when = when };
	struct xchg_arena_info info;
	struct xchg_census c;
	char line[512];
	int ret = xchg_arena_census(arena, &c);

	xchg_census_format(&c, line, sizeof(line));
	if (ret != 0 || !c.conserved)
		fz_fail("%s: census broken (%s): %s", when,
			xchg_census_rule_name(c.broken), line);
	xchg_pool_foreach(arena, check_pool, &pc);
	if (xchg_arena_info_get(arena, &info) != 0)
		fz_fail("%s: no arena figures", when);
	if (info.double_frees != 0 || info.foreign_frees != 0)
		fz_fail("%s: %lu double frees, %lu foreign frees caught", when,
			(unsigned long)info.double_frees,
			(unsigned long)info.foreign_frees);
	if (idle && (c.free != c.total || c.owned != 0 || c.in_rings != 0))
		fz_fail("%s: buffers held after everything was freed: %s",
			when, line);
	if (idle)
		fz_unpoison_all();
}

uint64_t
fz_malloc_blocks(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(0, &st) != 0)
		return 0;
	return st.alloc_count;
}

static int
count_arena(struct xchg_arena *a, void *arg)
{
	(void)a;
	(*(unsigned int *)arg)++;
	return 0;
}

static void
count_zone(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

void
fz_mem_count(struct fz_mem *c)
{
	uint16_t pid;

	memset(c, 0, sizeof(*c));
	rte_memzone_walk(count_zone, &c->zones);
	xchg_arena_foreach(count_arena, &c->arenas);
	RTE_ETH_FOREACH_DEV(pid)
		c->ports++;
	c->allocs = fz_malloc_blocks();
}

static void
device_cycle(const char *devargs, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	char err[XCHG_CONFIG_ERR_SIZE];
	uint16_t pid;
	bool probed;

	if (xchg_config_device_probe(devargs, &pid, &probed, err,
				     sizeof(err)) != 0)
		fz_fail("%s: %s", devargs, err);
	if (rte_eth_dev_configure(pid, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(pid, 0, 64, SOCKET_ID_ANY, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(pid, 0, 64, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(pid) != 0 || xchg_config_device_remove(pid) != 0)
		fz_fail("%s: a plain probe, start and remove failed", devargs);
}

uint64_t
fz_device_leak(const char *devargs)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("fz_leak", 512, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	uint64_t before;

	if (mp == NULL)
		fz_fail("pool: %s", rte_strerror(rte_errno));
	device_cycle(devargs, mp);
	before = fz_malloc_blocks();
	device_cycle(devargs, mp);
	before = fz_malloc_blocks() - before;
	rte_mempool_free(mp);
	return before;
}
