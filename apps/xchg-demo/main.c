/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * xchg-demo: the guarantee in one run, with no NIC and no hugepages.
 *
 * A net_null port delivers frames; every other frame is for a "hog"
 * consumer that never frees, the rest for a "critical" consumer that
 * frees at once. The same traffic runs twice:
 *   plain DPDK: one shared mbuf pool; the hog drains it, the port can no
 *     longer refill its ring and the critical consumer starves too;
 *   xchg: one arena of the same size, a pool per consumer; the hog stops
 *     at its quota and loses only its own frames.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "xchg.h"
#include "xchg_app.h"

#define BURST 32

struct demo_conf {
	uint64_t frames;      /* frames to offer */
	uint32_t buffers;     /* total buffers, both runs */
	uint32_t hog_quota;
	uint32_t critical_quota;
};

struct consumer {
	const char *name;
	uint64_t sent;        /* frames the wire carried for it */
	uint64_t delivered;
};

struct run_result {
	struct consumer hog, critical;
	uint64_t empty_polls;  /* rx_burst gave nothing: the port ran dry */
};

/* Where the hog keeps what it takes: it never frees. */
static struct rte_mbuf **hog_store;
static uint32_t hog_held;

static const char *default_eal[] = {
	"-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
	"--log-level=lib.eal:error", "--log-level=lib.telemetry:error",
	"--log-level=xchg:warning",
	"--vdev=net_null0", "--vdev=net_null1",
};

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options --] [--frames N] [--buffers N] [--hog-quota N] [--critical-quota N]\n"
	       "Runs the same traffic on a plain shared mbuf pool and on an xchg arena.\n"
	       "Without EAL options it uses: -l 0 --no-huge -m 512 --no-pci --no-shconf --vdev=net_null0 --vdev=net_null1\n"
	       "  --frames N          frames to offer (default 1000000)\n"
	       "  --buffers N         buffers in the pool and in the arena (default 4096)\n"
	       "  --hog-quota N       hog consumer's quota (default 1024)\n"
	       "  --critical-quota N  critical consumer's quota (default 256)\n",
	       prog);
}

static int
parse_args(int argc, char **argv, struct demo_conf *conf)
{
	static const struct option opts[] = {
		{ "frames", required_argument, NULL, 'f' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "hog-quota", required_argument, NULL, 'H' },
		{ "critical-quota", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, idx = 0;

	while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		const char *name = opts[idx].name;

		if (c == 'h') {
			usage(argv[0]);
			exit(0);
		}
		if (c == '?')
			return -1;
		if (xchg_app_number("xchg-demo", name, optarg, 1,
				    c == 'f' ? UINT64_C(1) << 40 :
				    UINT32_C(1) << 24, &v) != 0)
			return -1;
		if (c == 'f')
			conf->frames = v;
		else if (c == 'b')
			conf->buffers = v;
		else if (c == 'H')
			conf->hog_quota = v;
		else
			conf->critical_quota = v;
	}
	if (optind != argc) {
		fprintf(stderr, "xchg-demo: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

static int
port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf eth_conf = { 0 };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &eth_conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL,
					     mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY,
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		fprintf(stderr, "xchg-demo: port %u: %s\n", port,
			rte_strerror(-ret));
	return ret;
}

/* Split a burst: even frames for the hog, odd for the critical one. */
static unsigned int
demux(struct rte_mbuf **rx, unsigned int n, struct rte_mbuf **hog,
      struct rte_mbuf **crit, unsigned int *nb_crit)
{
	unsigned int i, nb_hog = 0;

	*nb_crit = 0;
	for (i = 0; i < n; i++) {
		if (i % 2 == 0)
			hog[nb_hog++] = rx[i];
		else
			crit[(*nb_crit)++] = rx[i];
	}
	return nb_hog;
}

/* The hog keeps what it is given; refused frames go back (freed). */
static void
hog_take(struct rte_mbuf **m, unsigned int n, unsigned int accepted)
{
	memcpy(&hog_store[hog_held], m, sizeof(*m) * accepted);
	hog_held += accepted;
	rte_pktmbuf_free_bulk(&m[accepted], n - accepted);
}

static void
run(uint16_t port, const struct demo_conf *conf, struct xchg_pool *hog,
    struct xchg_pool *critical, struct run_result *r)
{
	struct rte_mbuf *rx[BURST], *to_hog[BURST], *to_crit[BURST];
	unsigned int n, nb_hog, nb_crit, acc;
	uint64_t wire;

	memset(r, 0, sizeof(*r));
	r->hog.name = "hog";
	r->critical.name = "critical";
	hog_held = 0;
	/* net_null always has a burst to give: when rx_burst returns
	 * nothing, the port had no buffer to put it in, and a real NIC
	 * would have dropped that burst on the wire. */
	for (wire = 0; wire < conf->frames; wire += BURST) {
		n = rte_eth_rx_burst(port, 0, rx, BURST);
		if (n == 0) {
			r->empty_polls++;
			r->hog.sent += BURST / 2;
			r->critical.sent += BURST / 2;
			continue;
		}
		nb_hog = demux(rx, n, to_hog, to_crit, &nb_crit);
		r->hog.sent += nb_hog;
		r->critical.sent += nb_crit;

		acc = hog != NULL ? xchg_acquire_burst(hog, to_hog, nb_hog) :
				    nb_hog;
		r->hog.delivered += acc;
		hog_take(to_hog, nb_hog, acc);

		acc = critical != NULL ?
			xchg_acquire_burst(critical, to_crit, nb_crit) : nb_crit;
		r->critical.delivered += acc;
		rte_pktmbuf_free_bulk(to_crit, nb_crit); /* consumed at once */
	}
}

static void
print_consumers(const char *title, const struct run_result *r)
{
	const struct consumer *c[] = { &r->hog, &r->critical };
	unsigned int i;

	printf("\n%s\n", title);
	printf("  %-10s %12s %12s %9s\n", "consumer", "sent", "delivered",
	       "share");
	for (i = 0; i < RTE_DIM(c); i++)
		printf("  %-10s %12" PRIu64 " %12" PRIu64 " %8.2f%%\n",
		       c[i]->name, c[i]->sent, c[i]->delivered,
		       c[i]->sent ? 100.0 * c[i]->delivered / c[i]->sent : 0.0);
	printf("  port out of buffers: %" PRIu64 " polls found no buffer for a burst\n",
	       r->empty_polls);
}

static void
print_pools(struct xchg_pool * const *pools, unsigned int n)
{
	struct xchg_pool_stats s;
	unsigned int i;

	printf("  %-10s %7s %7s %9s %10s %10s %13s\n", "pool", "quota",
	       "in_use", "available", "accepted", "refused", "low_watermark");
	for (i = 0; i < n; i++) {
		if (xchg_pool_stats_get(pools[i], &s) != 0)
			continue;
		printf("  %-10s %7u %7u %9u %10" PRIu64 " %10" PRIu64 " %13u\n",
		       xchg_pool_name(pools[i]), s.quota, s.in_use,
		       s.available, s.accepted, s.refused, s.low_watermark);
	}
}

static void
release_hog(void)
{
	rte_pktmbuf_free_bulk(hog_store, hog_held);
	hog_held = 0;
}

static int
demo(const struct demo_conf *conf)
{
	struct xchg_arena_conf aconf = {
		.name = "demo", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = conf->buffers,
	};
	struct run_result plain, ex;
	struct rte_mempool *shared;
	struct xchg_pool *pools[2];
	struct xchg_arena *arena;
	struct xchg_census census;
	char line[256];
	bool ok, held;

	hog_store = calloc(conf->buffers, sizeof(*hog_store));
	/* A mempool cache may be at most 2/3 of the pool. */
	shared = rte_pktmbuf_pool_create("shared", conf->buffers,
					 RTE_MIN(256u, conf->buffers / 2), 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY);
	if (hog_store == NULL || shared == NULL) {
		fprintf(stderr, "xchg-demo: no shared pool of %u buffers: %s\n",
			conf->buffers, rte_strerror(rte_errno));
		return 1;
	}
	arena = xchg_arena_create(&aconf);
	if (arena == NULL) {
		fprintf(stderr, "xchg-demo: no arena of %u buffers: %s (see the log above)\n",
			conf->buffers, rte_strerror(rte_errno));
		return 1;
	}
	pools[0] = xchg_pool_create(arena, "hog", XCHG_KIND_SOCKET,
				    conf->hog_quota);
	pools[1] = xchg_pool_create(arena, "critical", XCHG_KIND_SOCKET,
				    conf->critical_quota);
	if (pools[0] == NULL || pools[1] == NULL) {
		fprintf(stderr, "xchg-demo: cannot create the consumer pools: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (port_start(1, shared) != 0 ||
	    port_start(0, xchg_arena_mempool(arena)) != 0)
		return 1;

	printf("xchg-demo: %" PRIu64 " frames from net_null, half to a hog that never frees, half to a critical consumer; %u buffers\n",
	       conf->frames, conf->buffers);

	run(1, conf, NULL, NULL, &plain);
	print_consumers("plain DPDK, one shared mbuf pool:", &plain);
	release_hog();

	run(0, conf, pools[0], pools[1], &ex);
	print_consumers("xchg, one arena, a reservation per consumer:", &ex);
	print_pools(pools, 2);
	ok = xchg_arena_census(arena, &census) == 0;
	xchg_census_format(&census, line, sizeof(line));
	printf("  census with the hog still holding its frames: %s\n", line);
	release_hog();
	ok = ok && xchg_arena_census(arena, &census) == 0;

	ok = ok && ex.critical.delivered == ex.critical.sent &&
	     ex.empty_polls == 0;
	printf("\n%s: critical consumer got %" PRIu64 " of %" PRIu64 " frames with xchg, %" PRIu64 " of %" PRIu64 " with a shared pool\n",
	       ok ? "guarantee held" : "GUARANTEE BROKEN",
	       ex.critical.delivered, ex.critical.sent,
	       plain.critical.delivered, plain.critical.sent);

	rte_eth_dev_stop(0);
	rte_eth_dev_stop(1);
	rte_eth_dev_close(0);
	rte_eth_dev_close(1);
	/* Each is tried; a refusal says who still holds buffers. */
	held = xchg_pool_free(pools[0]) != 0;
	held |= xchg_pool_free(pools[1]) != 0;
	held |= xchg_arena_free(arena) != 0;
	if (held) {
		fprintf(stderr, "xchg-demo: the arena could not be freed: buffers are still out; who holds them:\n");
		xchg_census_print_holders(stderr);
		ok = false;
	}
	rte_mempool_free(shared);
	free(hog_store);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct demo_conf conf = {
		.frames = 1000000, .buffers = 4096,
		.hog_quota = 1024, .critical_quota = 256,
	};
	char *eal_argv[RTE_DIM(default_eal) + 1];
	int i, ret, has_eal = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			has_eal = 1;
	for (i = 1; i < argc; i++)
		if (!has_eal && (strcmp(argv[i], "-h") == 0 ||
				 strcmp(argv[i], "--help") == 0)) {
			usage(argv[0]);
			return 0;
		}

	if (has_eal) {
		ret = rte_eal_init(argc, argv);
	} else {
		eal_argv[0] = argv[0];
		for (i = 0; i < (int)RTE_DIM(default_eal); i++)
			eal_argv[i + 1] = (char *)(uintptr_t)default_eal[i];
		ret = rte_eal_init(RTE_DIM(eal_argv), eal_argv);
		ret = ret < 0 ? ret : 0;
	}
	if (ret < 0) {
		fprintf(stderr, "xchg-demo: EAL did not start: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	argv[0] = (char *)(uintptr_t)"xchg-demo";
	if (parse_args(argc, argv, &conf) != 0)
		return 2;
	if (rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "xchg-demo: needs two ports (e.g. --vdev=net_null0 --vdev=net_null1), found %u\n",
			rte_eth_dev_count_avail());
		return 2;
	}
	ret = demo(&conf);
	rte_eal_cleanup();
	return ret;
}
