/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * xchg-bench: what does the exchange cost on the receive path?
 *
 * On one lcore, in interleaved rounds, it times:
 *   (a)  rte_eth_rx_burst from net_null + rte_pktmbuf_free_bulk, on a
 *        plain DPDK mempool populated packed;
 *   (b)  the same on an xchg arena, plus xchg_acquire_burst() into a
 *        consumer's reservation, the consumer freeing what it took;
 *   (b0) rx + free on the arena without the exchange, which splits
 *        (b) - (a) into the arena's mempool driver and the exchange;
 *   (d)  (a) on a pool from rte_pktmbuf_pool_create(), laid out by DPDK.
 * (a) and (b) share a layout, packed, so that b/a measures the exchange
 * and not cache-set aliasing; (d) shows what the layout alone is worth.
 *
 * With --mode stack (run by default after the above), lcores, latency or
 * sockets it measures the whole receive stack instead, plain DPDK (p)
 * against lib/stack (x): see stack.c, lcores.c, latency.c, sockets.c and
 * doc/benchmarks.rst. A run without --mode ends with "b/a = R" and
 * "x/p = R".
 *
 *   xchg-bench [EAL options] -- [--packets N] [--burst B] [--rounds R]
 *              [--buffers N] [--quota Q] [--arena-cache N] [--mode M,...]
 *              [--stack-packets N] [--sockets N] [--socket-quota Q]
 *              [--socket-counts N,...]
 *
 * Without "--" every argument is the application's and the EAL starts
 * with built-in defaults that need no hugepages.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "xchg_app.h"
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "xchg.h"

#include "bench.h"
#include "sbench.h"

#define BENCH_TARGET 1.35 /* issue 17 (1.20 in issue 10) */
#define BENCH_MAX_ROUNDS 1000
#define BENCH_MIN_BUFFERS 1024
#define BENCH_WARMUP_PACKETS UINT64_C(2000000)

/* EAL options used when the command line has no "--": one lcore, no
 * hugepages, no PCI scan, no shared files (several runs can coexist). */
static const char * eal_defaults[] = {
	"-l", "0", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf",
};

/* One net_null port per RX mempool, added to any EAL options. size=64
 * is net_null's default, spelled out because it is part of the result;
 * copy stays off, so no payload is touched. */
#define VDEV_A "net_null_xb_a"
#define VDEV_B "net_null_xb_b"
#define VDEV_D "net_null_xb_d"
static const char * const eal_vdevs[] = {
	"--vdev=" VDEV_A ",size=64",
	"--vdev=" VDEV_B ",size=64",
	"--vdev=" VDEV_D ",size=64",
};

/* What to run: the core comparison, and the stack-path benchmarks of
 * stack.c, lcores.c, latency.c and sockets.c. */
enum {
	M_CORE = 1, M_STACK = 2, M_LCORES = 4, M_LATENCY = 8, M_SOCKETS = 16,
	M_PIPELINE = 32, M_ALL = 63,
};

struct bench_opts {
	unsigned int modes;
	struct sb_conf sb;    /* the stack-path benchmarks */
	unsigned int counts[SB_MAX_COUNTS]; /* --socket-counts */
	unsigned int nb_counts;
	uint64_t packets;     /* per variant and round */
	unsigned int burst;
	unsigned int rounds;
	unsigned int buffers; /* per pool */
	unsigned int quota;   /* of the consumer in (b) */
	int arena_cache;      /* xchg_arena_conf.lcore_cache: 0 for the
			       * library's default, -1 for none */
	bool strict;          /* xchg_arena_conf.strict */
	enum xchg_arena_layout layout; /* --layout, of the arena in (b) */
};

enum { V_A, V_B, V_B0, V_D, V_MAX };

struct variant {
	const char *label;
	const char *pool;  /* where the buffers come from */
	const char *path;  /* what the loop does with them */
	uint16_t port;
	struct xchg_pool *consumer; /* exchange into it, or plain rx+free */
	double cpp[BENCH_MAX_ROUNDS]; /* cycles per packet, each round */
};

struct bench {
	struct bench_opts opts;
	struct rte_mempool *packed;
	struct rte_mempool *dflt;
	struct xchg_arena *arena;
	struct xchg_pool *consumer;
	bool ports_up[V_MAX];
	struct variant v[V_MAX];
	uint64_t accepted;
	double b_a;
};

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "\n"
	       "Cycles per packet of net_null rx + free, plain DPDK against\n"
	       "xchg exchange, on one lcore and the same packed layout.\n"
	       "\n"
	       "Options (N accepts a K, M or G suffix, powers of 1000):\n"
	       "  --packets N      packets per variant and round [20M]\n"
	       "  --burst B        rx burst, 1 to %d [32]\n"
	       "  --rounds R       interleaved rounds, median taken, 1 to %d [7]\n"
	       "  --buffers N      mbufs in each pool, at least %d [8192]\n"
	       "  --quota Q        consumer quota in (b) [512]\n"
	       "  --layout L       the arena's layout in (b): packed or page [packed]\n"
	       "  --arena-cache N  arena per-lcore cache up to %d, none, or 0: the default [%d]\n"
	       "  --mode M[,M...]  core, stack, lcores, latency, sockets, pipeline or all [core,stack]\n"
	       "  --strict         xchg arenas with strict (atomic) free marking\n"
	       "  --readers R      one: the stack modes' sockets single-reader, as one lcore reads each;\n"
	       "                   many: multi-reader, the default of a socket [one]\n"
	       "  --stack-packets N  packets per side, lcore and round of the stack modes [4M]\n"
	       "  --sockets N      sockets of the stack, lcores and latency modes [16]\n"
	       "  --socket-quota Q quota of each socket in the stack modes [64]\n"
	       "  --socket-counts N[,N...]  socket counts of the sockets mode [1,16,64,256,1024]\n"
	       "  -h, --help       this text\n"
	       "\n"
	       "Without \"--\" all arguments are options and the EAL gets:\n"
	       " ",
	       prog, BENCH_MAX_BURST, BENCH_MAX_ROUNDS, BENCH_MIN_BUFFERS,
	       XCHG_ARENA_CACHE_MAX, XCHG_ARENA_CACHE_DEFAULT);
	for (unsigned int i = 0; i < RTE_DIM(eal_defaults); i++)
		printf(" %s", eal_defaults[i]);
	printf("\nThe net_null ports are always added:\n");
	for (unsigned int i = 0; i < RTE_DIM(eal_vdevs); i++)
		printf("  %s\n", eal_vdevs[i]);
	printf("With hugepages (--in-memory needs no hugetlbfs mount), e.g.:\n"
	       "  %s -l 0 -m 512 --no-pci --in-memory --\n", prog);
}

static int
parse_modes(const char *arg, unsigned int *modes)
{
	static const struct { const char *name; unsigned int bit; } m[] = {
		{ "core", M_CORE }, { "stack", M_STACK }, { "lcores", M_LCORES },
		{ "latency", M_LATENCY }, { "sockets", M_SOCKETS },
		{ "pipeline", M_PIPELINE }, { "all", M_ALL },
	};
	char buf[128], *tok, *save = NULL;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", arg);
	*modes = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < RTE_DIM(m) && strcmp(tok, m[i].name) != 0; i++)
			;
		if (i == RTE_DIM(m)) {
			fprintf(stderr, "xchg-bench: --mode: unknown mode '%s'; use core, stack, lcores, latency, sockets, pipeline or all\n",
				tok);
			return -1;
		}
		*modes |= m[i].bit;
	}
	if (*modes == 0) {
		fprintf(stderr, "xchg-bench: --mode: name at least one mode\n");
		return -1;
	}
	return 0;
}

/* "1,16,256": ascending socket counts. */
static int
parse_counts(const char *arg, struct bench_opts *o)
{
	char buf[128], *tok, *save = NULL;
	uint64_t v;

	snprintf(buf, sizeof(buf), "%s", arg);
	o->nb_counts = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nb_counts == SB_MAX_COUNTS) {
			fprintf(stderr, "xchg-bench: --socket-counts: at most %d counts\n",
				SB_MAX_COUNTS);
			return -1;
		}
		if (xchg_app_number("xchg-bench", "socket-counts", tok, 1,
				    SB_MAX_SOCKETS, &v))
			return -1;
		if (o->nb_counts > 0 && v <= o->counts[o->nb_counts - 1]) {
			fprintf(stderr, "xchg-bench: --socket-counts: give the counts in ascending order\n");
			return -1;
		}
		o->counts[o->nb_counts++] = (unsigned int)v;
	}
	return o->nb_counts == 0 ? -1 : 0;
}

/* Application options; argv[0] is the program. Returns 0, 1 after
 * --help, or -EINVAL. */
static int
parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "packets", required_argument, NULL, 'p' },
		{ "burst", required_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "buffers", required_argument, NULL, 'n' },
		{ "quota", required_argument, NULL, 'q' },
		{ "arena-cache", required_argument, NULL, 'c' },
		{ "layout", required_argument, NULL, 'L' },
		{ "mode", required_argument, NULL, 'm' },
		{ "stack-packets", required_argument, NULL, 'P' },
		{ "sockets", required_argument, NULL, 'S' },
		{ "socket-quota", required_argument, NULL, 'Q' },
		{ "socket-counts", required_argument, NULL, 'C' },
		{ "strict", no_argument, NULL, 'X' },
		{ "readers", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, idx;

	opterr = 0;
	optind = 1;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, ":h", longopts, &idx);
		if (c == -1)
			break;
		switch (c) {
		case 'p':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg, 1,
				      UINT64_C(1) << 40, &v))
				return -EINVAL;
			o->packets = v;
			break;
		case 'b':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg, 1,
				      BENCH_MAX_BURST, &v))
				return -EINVAL;
			o->burst = (unsigned int)v;
			break;
		case 'r':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg, 1,
				      BENCH_MAX_ROUNDS, &v))
				return -EINVAL;
			o->rounds = (unsigned int)v;
			break;
		case 'n':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg,
				      BENCH_MIN_BUFFERS, UINT32_C(1) << 24, &v))
				return -EINVAL;
			o->buffers = (unsigned int)v;
			break;
		case 'q':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg, 1,
				      UINT32_C(1) << 24, &v))
				return -EINVAL;
			o->quota = (unsigned int)v;
			break;
		case 'c':
			/* As xchg_arena_conf and [arena] lcore_cache: 0 is
			 * the default, "none" disables. */
			if (strcmp(optarg, "none") == 0) {
				o->arena_cache = XCHG_ARENA_CACHE_NONE;
				break;
			}
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg, 0,
				      XCHG_ARENA_CACHE_MAX, &v))
				return -EINVAL;
			o->arena_cache = (int)v;
			break;
		case 'L':
			if (strcmp(optarg, "packed") != 0 &&
			    strcmp(optarg, "page") != 0) {
				fprintf(stderr, "xchg-bench: --layout %s: use packed or page\n",
					optarg);
				return -EINVAL;
			}
			o->layout = strcmp(optarg, "page") == 0 ? XCHG_ARENA_LAYOUT_PAGE :
				    XCHG_ARENA_LAYOUT_PACKED;
			break;
		case 'm':
			if (parse_modes(optarg, &o->modes) != 0)
				return -EINVAL;
			break;
		case 'P':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg,
				      SB_BURST, UINT64_C(1) << 40, &v))
				return -EINVAL;
			o->sb.packets = RTE_ALIGN_MUL_CEIL(v, SB_BURST);
			break;
		case 'S':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg, 1,
				      SB_MAX_SOCKETS / SB_MAX_QUEUES, &v))
				return -EINVAL;
			o->sb.sockets = (unsigned int)v;
			break;
		case 'Q':
			if (xchg_app_number("xchg-bench", longopts[idx].name, optarg,
				      SB_BURST, UINT32_C(1) << 16, &v))
				return -EINVAL;
			o->sb.quota = (unsigned int)v;
			break;
		case 'C':
			if (parse_counts(optarg, o) != 0)
				return -EINVAL;
			break;
		case 'X':
			o->strict = true;
			o->sb.strict = true;
			break;
		case 'R':
			if (strcmp(optarg, "one") != 0 &&
			    strcmp(optarg, "many") != 0) {
				fprintf(stderr, "xchg-bench: --readers: '%s' is neither one nor many; use one (single-reader sockets, the default) or many\n",
					optarg);
				return -EINVAL;
			}
			o->sb.many_readers = strcmp(optarg, "many") == 0;
			break;
		case 'h':
			usage(argv[0]);
			return 1;
		case ':':
			fprintf(stderr, "xchg-bench: %s needs a value; see --help\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "xchg-bench: unknown option '%s'; EAL options go before \"--\", see --help\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xchg-bench: unexpected argument '%s'; see --help\n",
			argv[optind]);
		return -EINVAL;
	}
	optind = 1; /* the EAL parses with getopt next */
	return 0;
}

/* Index of "--" in argv, or 0 when there is none. */
static int
find_separator(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return 0;
}

static char **eal_argv;

/* Start the EAL with the options before "--", or the defaults when there
 * is no "--", plus the net_null ports. */
static int
eal_start(int argc, char **argv, int sep)
{
	int i, eal_argc = 0;

	/* The EAL may keep pointers into its argv: freed only after
	 * rte_eal_cleanup(). */
	eal_argv = calloc(argc + RTE_DIM(eal_defaults) + RTE_DIM(eal_vdevs) + 1,
			  sizeof(*eal_argv));
	if (eal_argv == NULL) {
		fprintf(stderr, "xchg-bench: out of memory\n");
		return -1;
	}
	eal_argv[eal_argc++] = argv[0];
	if (sep == 0)
		for (i = 0; i < (int)RTE_DIM(eal_defaults); i++)
			eal_argv[eal_argc++] = (char *)(uintptr_t)eal_defaults[i];
	else
		for (i = 1; i < sep; i++)
			eal_argv[eal_argc++] = argv[i];
	for (i = 0; i < (int)RTE_DIM(eal_vdevs); i++)
		eal_argv[eal_argc++] = (char *)(uintptr_t)eal_vdevs[i];

	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "xchg-bench: EAL refused to start: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
setup_failed(const char *what, unsigned int count, const char *unit)
{
	fprintf(stderr, "xchg-bench: cannot create the %s of %u %s: %s\n",
		what, count, unit, rte_strerror(rte_errno));
	return -1;
}

/* The three pools, each with --buffers mbufs, and the consumer. */
static int
setup_pools(struct bench *b)
{
	struct xchg_arena_conf conf = {
		.name = "xb_arena",
		.socket_id = (int)rte_socket_id(),
		.nb_buffers = b->opts.buffers,
		.lcore_cache = b->opts.arena_cache,
		.strict = b->opts.strict,
		.layout = b->opts.layout,
	};
	unsigned int n = b->opts.buffers;

	b->packed = bench_packed_pool_create("xb_packed", n, conf.socket_id);
	if (b->packed == NULL)
		return setup_failed("packed pool", n, "mbufs");
	b->dflt = bench_default_pool_create("xb_default", n, conf.socket_id);
	if (b->dflt == NULL)
		return setup_failed("default pool", n, "mbufs");
	b->arena = xchg_arena_create(&conf);
	if (b->arena == NULL)
		return setup_failed("xchg arena", n, "mbufs");
	b->consumer = xchg_pool_create(b->arena, "consumer", XCHG_KIND_SOCKET,
				       b->opts.quota);
	if (b->consumer == NULL)
		return setup_failed("consumer pool (--quota)", b->opts.quota,
				    "buffers");
	return 0;
}

static int
setup_variants(struct bench *b)
{
	static const struct {
		const char *label, *pool, *path, *vdev;
	} def[V_MAX] = {
		[V_A] = { "(a)", "plain DPDK, packed pool", "rx + free", VDEV_A },
		[V_B] = { "(b)", "xchg, packed arena", "rx + exchange + free",
			  VDEV_B },
		[V_B0] = { "(b0)", "xchg, packed arena", "rx + free, no exchange",
			   VDEV_B },
		[V_D] = { "(d)", "plain DPDK, default pool", "rx + free",
			  VDEV_D },
	};
	struct rte_mempool *mp[V_MAX] = {
		[V_A] = b->packed,
		[V_B] = xchg_arena_mempool(b->arena),
		[V_D] = b->dflt,
	};
	int i;

	for (i = 0; i < V_MAX; i++) {
		b->v[i].label = def[i].label;
		b->v[i].pool = def[i].pool;
		b->v[i].path = def[i].path;
		if (mp[i] == NULL)
			continue; /* (b0) shares (b)'s port */
		if (bench_port_setup(def[i].vdev, mp[i], &b->v[i].port) != 0)
			return -1;
		b->ports_up[i] = true;
	}
	b->v[V_B0].port = b->v[V_B].port;
	b->v[V_B].consumer = b->consumer;
	return 0;
}

static int
print_layout(const char *label, const char *name, struct rte_mempool *mp)
{
	struct bench_layout l;
	char line[256];

	if (bench_layout_get(mp, &l) != 0) {
		fprintf(stderr, "xchg-bench: cannot read the layout of %s\n",
			name);
		return -1;
	}
	printf("  %-9s %-13s %s\n", label, name,
	       bench_layout_describe(&l, line, sizeof(line)));
	return 0;
}

static int
print_setup(const struct bench *b)
{
	const struct bench_opts *o = &b->opts;
	struct xchg_arena_info ai;

	printf("xchg-bench: %s, %" PRIu64 " packets per variant and round, burst %u, %u rounds, lcore %u\n",
	       rte_version(), o->packets, o->burst, o->rounds,
	       rte_lcore_id());
	printf("memory: %s, IOVA as %s, TSC %.3f GHz (cycles below are TSC cycles while the thread ran)\n",
	       rte_eal_has_hugepages() ? "hugepages" :
	       "no hugepages (--no-huge)",
	       rte_eal_iova_mode() == RTE_IOVA_VA ? "VA" : "PA",
	       rte_get_tsc_hz() / 1e9);
	printf("layout:\n");
	if (print_layout("(a)", "packed pool", b->packed) != 0 ||
	    print_layout("(b),(b0)", "xchg arena",
			 xchg_arena_mempool(b->arena)) != 0 ||
	    print_layout("(d)", "default pool", b->dflt) != 0)
		return -1;
	xchg_arena_info_get(b->arena, &ai);
	printf("  pools: %u mbufs each; (a),(d) ring_mp_mc with mempool cache %d; arena lcore cache %u; consumer quota %u\n",
	       o->buffers, BENCH_MEMPOOL_CACHE, ai.lcore_cache, o->quota);
	return 0;
}

/* One timed run of a variant; cycles per packet, or a negative value
 * when its port ran dry. */
static double
run_variant(struct bench *b, struct variant *v, uint64_t packets)
{
	uint64_t cycles;

	if (v->consumer != NULL)
		cycles = bench_rx_exchange_free(v->port, b->opts.burst,
						packets, v->consumer,
						&b->accepted);
	else if (v == &b->v[V_B0])
		cycles = bench_rx_free_arena(v->port, b->opts.burst, packets);
	else
		cycles = bench_rx_free(v->port, b->opts.burst, packets);
	if (cycles == 0) {
		fprintf(stderr, "xchg-bench: %s: port %u stopped receiving: its pool ran dry, buffers are leaking\n",
			v->label, v->port);
		return -1;
	}
	return (double)cycles / packets;
}

/* Interleave the variants round by round, so that clock and cache drift
 * hits all of them alike. */
static int
run_rounds(struct bench *b)
{
	uint64_t warmup = RTE_MIN(b->opts.packets, BENCH_WARMUP_PACKETS);
	unsigned int r, i;

	for (i = 0; i < V_MAX; i++)
		if (run_variant(b, &b->v[i], warmup) < 0)
			return -1;
	xchg_pool_stats_reset(b->consumer);
	b->accepted = 0;

	printf("round  ");
	for (i = 0; i < V_MAX; i++)
		printf("%8s", b->v[i].label);
	printf("     b/a\n");
	for (r = 0; r < b->opts.rounds; r++) {
		printf("%5u  ", r + 1);
		for (i = 0; i < V_MAX; i++) {
			b->v[i].cpp[r] = run_variant(b, &b->v[i],
						     b->opts.packets);
			if (b->v[i].cpp[r] < 0)
				return -1;
			printf("%8.2f", b->v[i].cpp[r]);
			fflush(stdout);
		}
		printf("%8.3f\n", b->v[V_B].cpp[r] / b->v[V_A].cpp[r]);
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, and min and max, of @p n figures. */
static double
median(const double *x, unsigned int n, double *lo, double *hi)
{
	double s[BENCH_MAX_ROUNDS];

	memcpy(s, x, sizeof(*x) * n);
	qsort(s, n, sizeof(*s), cmp_double);
	if (lo != NULL)
		*lo = s[0];
	if (hi != NULL)
		*hi = s[n - 1];
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The exchange's own books: every frame accepted or refused, every
 * accepted one given back, and the census of the arena. */
static int
report_exchange(const struct bench *b)
{
	uint64_t frames = b->opts.packets * b->opts.rounds;
	struct xchg_pool_stats s;
	struct xchg_census c;
	char line[256];
	int ret;

	xchg_pool_stats_get(b->consumer, &s);
	printf("exchange (b): %" PRIu64 " frames, %" PRIu64 " accepted, %" PRIu64 " refused, %" PRIu64 " returned; consumer quota %u, in use %u, lowest available %u\n",
	       frames, s.accepted, s.refused, s.returned, s.quota, s.in_use,
	       s.low_watermark);
	ret = xchg_arena_census(b->arena, &c);
	xchg_census_format(&c, line, sizeof(line));
	printf("census (b): %s\n", line);
	if (ret != 0 || !c.conserved)
		return -1;
	if (s.accepted + s.refused != frames || s.accepted != b->accepted ||
	    s.returned != s.accepted || s.in_use != 0) {
		fprintf(stderr, "xchg-bench: (b): the consumer's counters do not add up\n");
		return -1;
	}
	return 0;
}

static int
report(struct bench *b)
{
	unsigned int n = b->opts.rounds, r, i;
	double med[V_MAX], lo, hi, ratio[BENCH_MAX_ROUNDS], b_a;
	double hz = rte_get_tsc_hz(), locked;
	bool books_ok;

	printf("cycles per packet, median of %u rounds (min..max):\n", n);
	for (i = 0; i < V_MAX; i++) {
		med[i] = median(b->v[i].cpp, n, &lo, &hi);
		printf("  %-5s %-25s %-23s %7.2f  (%.2f..%.2f)  %6.1f Mpps\n",
		       b->v[i].label, b->v[i].pool, b->v[i].path, med[i], lo,
		       hi, hz / med[i] / 1e6);
	}
	printf("split of (b) - (a) = %.2f: arena driver (b0) - (a) = %.2f, exchange (b) - (b0) = %.2f\n",
	       med[V_B] - med[V_A], med[V_B0] - med[V_A],
	       med[V_B] - med[V_B0]);
	printf("layout: default pool / packed pool, (d)/(a) = %.2f\n",
	       med[V_D] / med[V_A]);
	/* What one locked instruction costs here, against the budget that
	 * b/a <= BENCH_TARGET leaves beyond (a). */
	{
		double lk[BENCH_MAX_ROUNDS], pl[BENCH_MAX_ROUNDS];

		for (r = 0; r < n; r++)
			bench_locked_cost(10000000, &lk[r], &pl[r]);
		printf("locked add: %.2f cycles, plain add: %.2f cycles (median of %u runs of 10M); budget of b/a <= %.2f beyond (a): %.2f cycles per packet\n",
		       median(lk, n, NULL, NULL), median(pl, n, NULL, NULL), n,
		       BENCH_TARGET, (BENCH_TARGET - 1) * med[V_A]);
		locked = median(lk, n, NULL, NULL);
	}

	books_ok = report_exchange(b) == 0;

	/* (a) and (b) of the same round ran back to back: their ratio
	 * cancels drift better than a ratio of medians. */
	for (r = 0; r < n; r++)
		ratio[r] = b->v[V_B].cpp[r] / b->v[V_A].cpp[r];
	b_a = median(ratio, n, NULL, NULL);
	b->b_a = b_a;
	printf("result mode=core memory=%s layout=packed lcores=1 rounds=%u packets=%" PRIu64 " a_cpp=%.2f b_cpp=%.2f b0_cpp=%.2f d_cpp=%.2f b_a=%.3f locked_cpp=%.2f dpdk=\"%s\"\n",
	       sb_memory(), n, b->opts.packets, med[V_A], med[V_B], med[V_B0],
	       med[V_D], b_a, locked, rte_version());
	printf("b/a = %.2f (target <= %.2f)%s\n", b_a, BENCH_TARGET,
	       b_a <= BENCH_TARGET ? "" : ", MISSED");
	/* A figure from a run that lost buffers is no figure: fail. */
	return books_ok ? 0 : -1;
}

static void
teardown(struct bench *b)
{
	int i;

	for (i = 0; i < V_MAX; i++)
		if (b->ports_up[i])
			bench_port_close(b->v[i].port);
	if (b->consumer != NULL && xchg_pool_free(b->consumer) != 0)
		fprintf(stderr, "xchg-bench: consumer pool not freed\n");
	if (b->arena != NULL && xchg_arena_free(b->arena) != 0)
		fprintf(stderr, "xchg-bench: arena not freed\n");
	rte_mempool_free(b->dflt);
	rte_mempool_free(b->packed);
}

/* The stack-path modes, then the two summary lines that end a run. */
static int
run_stack_modes(const struct bench *b, int ret)
{
	const struct bench_opts *o = &b->opts;
	double x_p = 0;

	if ((o->modes & M_STACK) && sb_mode_stack(&o->sb, &x_p) != 0)
		ret = EXIT_FAILURE;
	if ((o->modes & M_LCORES) && sb_mode_lcores(&o->sb) != 0)
		ret = EXIT_FAILURE;
	if ((o->modes & M_PIPELINE) && sb_mode_pipeline(&o->sb) != 0)
		ret = EXIT_FAILURE;
	if ((o->modes & M_LATENCY) && sb_mode_latency(&o->sb) != 0)
		ret = EXIT_FAILURE;
	if ((o->modes & M_SOCKETS) &&
	    sb_mode_sockets(&o->sb, o->counts, o->nb_counts) != 0)
		ret = EXIT_FAILURE;
	if ((o->modes & M_CORE) && b->b_a > 0)
		printf("b/a = %.2f\n", b->b_a);
	if ((o->modes & M_STACK) && x_p > 0)
		printf("x/p = %.2f\n", x_p);
	return ret;
}

int
main(int argc, char **argv)
{
	static struct bench b = {
		.opts = {
			.modes = M_CORE | M_STACK,
			.sb = {
				.packets = 4000000,
				.rounds = 7,
				.sockets = 16,
				.quota = 64,
				.lcores = 1,
			},
			.counts = { 1, 16, 64, 256, 1024 },
			.nb_counts = 5,
			.packets = 20000000,
			.burst = 32,
			.rounds = 7,
			.buffers = 8192,
			.quota = BENCH_MAX_BURST,
			.arena_cache = 0, /* the library's default */
		},
	};
	int sep, app_argc, ret;
	char **app_argv;

	/* Application options first, so that a typo fails before the EAL
	 * boots. They are everything after "--", or everything. */
	sep = find_separator(argc, argv);
	app_argc = argc - sep;
	app_argv = calloc(app_argc + 1, sizeof(*app_argv));
	if (app_argv == NULL)
		return EXIT_FAILURE;
	app_argv[0] = argv[0];
	memcpy(&app_argv[1], &argv[sep + 1], sizeof(*argv) * (app_argc - 1));
	ret = parse_opts(app_argc, app_argv, &b.opts);
	free(app_argv);
	if (ret != 0)
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	/* Two lcores for the two RX queues of --mode lcores. */
	if (b.opts.modes & (M_LCORES | M_PIPELINE))
		eal_defaults[1] = "0-1";
	if (eal_start(argc, argv, sep) != 0) {
		free(eal_argv);
		return EXIT_FAILURE;
	}

	/* Whole bursts only: net_null always fills one, so every round
	 * receives exactly this many packets. */
	b.opts.packets = RTE_ALIGN_MUL_CEIL(b.opts.packets, b.opts.burst);
	ret = EXIT_SUCCESS;
	if (b.opts.modes & M_CORE) {
		ret = setup_pools(&b) == 0 && setup_variants(&b) == 0 &&
		      print_setup(&b) == 0 && run_rounds(&b) == 0 &&
		      report(&b) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
		teardown(&b);
	}
	b.opts.sb.rounds = b.opts.rounds;
	ret = run_stack_modes(&b, ret);
	rte_eal_cleanup();
	free(eal_argv);
	return ret;
}
