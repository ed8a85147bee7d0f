/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * xchg-testpmd: testpmd's conventions (EAL options, "--", application
 * options) on ports bound to an xchg arena. With no arguments at all it
 * runs a short demonstration on net_null ports, no NIC and no hugepages,
 * and exits with the tables.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_pdump.h>

#include "testpmd.h"
#include "xchg_app.h"
#include "xchg_app_mem.h"

#define PROG "xchg-testpmd"

struct tp_state tp = {
	.mode = TP_RXONLY,
	.buffers = 8192,
	.quota = 512,
	.rxd = 256,
	.txd = 256,
	.burst = TP_BURST,
};

static const char *default_eal[] = {
	"-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
	"--log-level=lib.eal:error", "--log-level=lib.telemetry:error",
	"--vdev=net_null0", "--vdev=net_null1",
};

static const char * const mode_names[] = {
	[TP_RXONLY] = "rxonly", [TP_IO] = "io", [TP_MACSWAP] = "macswap",
	[TP_TXONLY] = "txonly", [TP_FLOWGEN] = "flowgen", [TP_CSUM] = "csum",
	[TP_ICMPECHO] = "icmpecho", [TP_STACK] = "stack",
};

const char *
tp_mode_name(enum tp_mode mode)
{
	return mode_names[mode];
}

int
tp_mode_parse(const char *s, enum tp_mode *mode)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(mode_names); i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*mode = (enum tp_mode)i;
			return 0;
		}
	return -EINVAL;
}

const char *
tp_hint(const char *near, char *buf, size_t size)
{
	if (near != NULL)
		snprintf(buf, size, "; did you mean %s?", near);
	else if (size > 0)
		buf[0] = '\0';
	return buf;
}

const char *
tp_mode_hint(const char *s, char *buf, size_t size)
{
	const char *near = xchg_app_nearest(s, mode_names, TP_MODE_MAX);

	return tp_hint(near, buf, size);
}

const char *
tp_consumer_hint(const char *s, char *buf, size_t size)
{
	const char *names[TP_MAX_CONSUMERS + 1] = { "fwd" };
	const char *near;
	unsigned int i;

	for (i = 0; i < tp.nb_consumers; i++)
		names[i + 1] = tp.consumers[i].name;
	near = xchg_app_nearest(s, names, tp.nb_consumers + 1);
	return tp_hint(near, buf, size);
}

const char *
tp_behaviour_name(const struct tp_consumer *c, char *buf, size_t size)
{
	if (c->behaviour == TP_SLOW)
		snprintf(buf, size, "slow:%u:%u", c->slow_n, c->slow_ms);
	else
		snprintf(buf, size, "%s", c->behaviour == TP_HOG ? "hog" :
			 c->behaviour == TP_ECHO ? "echo" : "normal");
	return buf;
}

static const char * const behaviour_names[] = {
	"normal", "hog", "slow", "echo",
};

const char *
tp_behaviour_hint(const char *s, char *buf, size_t size)
{
	return tp_hint(xchg_app_nearest(s, behaviour_names,
					RTE_DIM(behaviour_names)), buf, size);
}

int
tp_behaviour_parse(const char *s, struct tp_consumer *c)
{
	unsigned int n = 64, ms = 100;
	char tail;

	if (strcmp(s, "normal") == 0) {
		c->behaviour = TP_NORMAL;
	} else if (strcmp(s, "hog") == 0) {
		c->behaviour = TP_HOG;
	} else if (strcmp(s, "echo") == 0 && c->socket != NULL) {
		c->behaviour = TP_ECHO; /* a UDP socket of the stack */
	} else if (strcmp(s, "slow") == 0 ||
		   sscanf(s, "slow:%u:%u%c", &n, &ms, &tail) == 2) {
		if (n == 0 || n > c->held_cap || ms == 0 || ms > 60000)
			return -EINVAL;
		c->behaviour = TP_SLOW;
		c->slow_n = n;
		c->slow_ms = ms;
	} else {
		return -EINVAL;
	}
	return 0;
}

struct tp_consumer *
tp_consumer_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < tp.nb_consumers; i++)
		if (strcmp(tp.consumers[i].name, name) == 0)
			return &tp.consumers[i];
	return NULL;
}

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options --] [options]\n"
	       "testpmd-style forwarding on ports bound to an xchg arena: every consumer has\n"
	       "its own reservation, so a hog loses its own frames and nobody else's.\n"
	       "Without EAL options: %s", prog, "");
	for (unsigned int i = 0; i < RTE_DIM(default_eal); i++)
		printf("%s ", default_eal[i]);
	printf("\n"
	       "Without any argument: rxonly for 3 s, tables every second, then exit.\n\n"
	       "  --forward-mode M      rxonly, io, macswap, txonly, flowgen (txonly over 1024\n"
	       "                        source addresses), csum (io with the IPv4, UDP and TCP\n"
	       "                        checksums redone), icmpecho (192.0.2.1/24 and\n"
	       "                        2001:db8::1/64 on port 0: ping and ping -6),\n"
	       "                        stack (the whole stack of --config FILE) [rxonly];\n"
	       "                        txonly and flowgen pay from each TX queue's reservation\n"
	       "  --portmask MASK       the ports to use, a hexadecimal mask of port ids [all]\n"
	       "  --eth-peer=N,MAC      destination address of the frames sent on port N by\n"
	       "                        txonly, flowgen, csum and tx_first [02:00:00:00:00:N]\n"
	       "  --txpkts L[,L]...     length of each segment of a sent frame; the first holds\n"
	       "                        the 42 bytes of headers [60: 64 on the wire]\n"
	       "  --config FILE         set-up for stack mode: arena, ports, sockets, services,\n"
	       "                        proxy, capture (config/README.rst)\n"
	       "  --mode M              exchange (a reservation each) or shared (the same set-up\n"
	       "                        on an overcommitted arena: every quota is the whole\n"
	       "                        arena, as one plain shared mempool) [exchange]\n"
	       "  --consumer NAME=B     behaviour of a consumer: normal, hog, slow or slow:N:MS\n"
	       "                        (hold up to N frames, each at most MS ms), or echo for a\n"
	       "                        UDP socket of stack mode (each datagram back to its\n"
	       "                        sender, over IPv4 or IPv6) [fwd=normal]\n"
	       "  --quota N             each fwd consumer's reservation [512]\n"
	       "  --buffers N           buffers in the arena [8192]\n"
	       "  --nb-cores N          forwarding lcores [every worker lcore, or the main one]\n"
	       "  --rxq N, --txq N      RX and TX queues per port [one per forwarding lcore]\n"
	       "  --rxd N, --txd N      descriptors per RX and TX queue [256]\n"
	       "  --burst N             frames per consumer receive, per tx_first burst and per\n"
	       "                        txonly or flowgen burst on each stream [32]\n"
	       "  --stats-period S      print the port statistics and the tables every S\n"
	       "                        seconds, until Ctrl-C [0: at the end]\n"
	       "  --duration S          forward for S seconds, then exit [0: without -i,\n"
	       "                        --cmdfile or --stats-period, until enter is pressed,\n"
	       "                        stdin ends or Ctrl-C, as dpdk-testpmd]\n"
	       "  -i, --interactive     prompt: show pools|census|sockets, show port stats|info|\n"
	       "                        xstats all|N, clear port stats all|N, show config fwd,\n"
	       "                        show fwd stats all, set fwd M, set consumer NAME B,\n"
	       "                        set quota POOL N, start [tx_first], stop, run MS, help,\n"
	       "                        quit\n"
	       "  --cmdfile FILE        run prompt commands from FILE, then exit\n"
	       XCHG_APP_MEM_USAGE
	       "  -h, --help            this text\n"
	       "With EAL options of its own (a --file-prefix, not --no-shconf) dpdk-pdump can\n"
	       "capture its ports, and /xchg/xstats,N gives each port's xstats to telemetry.\n");
}

struct tp_args {
	const char *config;
	uint64_t portmask;
	uint32_t duration;
	uint32_t stats_period;
	bool interactive;
	const char *cmdfile;
	unsigned int nb_behaviours;
	const char *behaviours[TP_MAX_CONSUMERS];
	struct xchg_app_mem mem;
};

static int
parse_portmask(const char *arg, uint64_t *mask)
{
	char *end;

	errno = 0;
	*mask = strtoull(arg, &end, 16);
	if (arg[0] == '-' || end == arg || *end != '\0' || errno != 0 ||
	    *mask == 0) {
		fprintf(stderr, "xchg-testpmd: --portmask: '%s' is not a hexadecimal mask of port ids with a bit set, e.g. 0x3 for ports 0 and 1\n",
			arg);
		return -1;
	}
	return 0;
}

/* --eth-peer=N,XX:XX:XX:XX:XX:XX, as testpmd's. */
static int
parse_eth_peer(const char *arg)
{
	struct rte_ether_addr mac;
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end != ',' || errno != 0 ||
	    n >= RTE_MAX_ETHPORTS || rte_ether_unformat_addr(end + 1, &mac) != 0) {
		fprintf(stderr, "xchg-testpmd: --eth-peer: '%s' is not N,XX:XX:XX:XX:XX:XX with N a port id below %u\n",
			arg, RTE_MAX_ETHPORTS);
		return -1;
	}
	tp.peer_addr[n] = mac;
	return 0;
}

/* --txpkts L[,L]...: segment lengths, the first with every header. */
static int
parse_txpkts(const char *arg)
{
	const unsigned int hdr = sizeof(struct rte_ether_hdr) +
				 sizeof(struct rte_ipv4_hdr) +
				 sizeof(struct rte_udp_hdr);
	unsigned int n = 0;
	const char *p = arg;
	char *end;

	while (n < TP_MAX_SEGS) {
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (!isdigit((unsigned char)*p) || errno != 0 || v == 0 ||
		    v > RTE_MBUF_DEFAULT_DATAROOM || (n == 0 && v < hdr))
			break;
		tp.txpkts[n++] = (uint16_t)v;
		if (*end == '\0') {
			tp.nb_txpkts = n;
			return 0;
		}
		if (*end != ',')
			break;
		p = end + 1;
	}
	fprintf(stderr, "xchg-testpmd: --txpkts: '%s' is not up to %u segment lengths L[,L]... of 1 to %u bytes each, the first at least %u (the headers)\n",
		arg, TP_MAX_SEGS, RTE_MBUF_DEFAULT_DATAROOM, hdr);
	return -1;
}

static int
parse_args(int argc, char **argv, struct tp_args *a)
{
	static const struct option opts[] = {
		{ "forward-mode", required_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'C' },
		{ "consumer", required_argument, NULL, 'c' },
		{ "quota", required_argument, NULL, 'q' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "stats-period", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "cmdfile", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "mode", required_argument, NULL, 'M' },
		{ "nb-cores", required_argument, NULL, 'n' },
		{ "rxq", required_argument, NULL, 'r' },
		{ "txq", required_argument, NULL, 't' },
		{ "rxd", required_argument, NULL, 'R' },
		{ "txd", required_argument, NULL, 'T' },
		{ "burst", required_argument, NULL, 'B' },
		{ "no-mlockall", no_argument, NULL, 'L' },
		{ "oom-score-adj", required_argument, NULL, 'O' },
		{ "portmask", required_argument, NULL, 'P' },
		{ "eth-peer", required_argument, NULL, 'E' },
		{ "txpkts", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	int c, idx = 0, ret = 0;
	uint64_t v = 0;

	optind = 1;
	while (ret == 0 && (c = getopt_long(argc, argv, "ih", opts, &idx)) != -1) {
		switch (c) {
		case 'm':
			if (tp_mode_parse(optarg, &tp.mode) != 0) {
				char hint[64];

				fprintf(stderr, "xchg-testpmd: --forward-mode: '%s' is not rxonly, io, macswap, txonly, flowgen, csum, icmpecho or stack%s\n",
					optarg, tp_mode_hint(optarg, hint,
							     sizeof(hint)));
				ret = -1;
			}
			break;
		case 'P':
			ret = parse_portmask(optarg, &a->portmask);
			break;
		case 'E':
			ret = parse_eth_peer(optarg);
			break;
		case 'X':
			ret = parse_txpkts(optarg);
			break;
		case 'C':
			a->config = optarg;
			break;
		case 'c':
			if (a->nb_behaviours == TP_MAX_CONSUMERS ||
			    strchr(optarg, '=') == NULL) {
				fprintf(stderr, "xchg-testpmd: --consumer: '%s' is not NAME=normal|hog|slow[:N:MS]\n",
					optarg);
				ret = -1;
			} else {
				a->behaviours[a->nb_behaviours++] = optarg;
			}
			break;
		case 'q':
			ret = xchg_app_number(PROG, "quota", optarg, 1,
					      1u << 24, &v);
			tp.quota = (uint32_t)v;
			break;
		case 'b':
			ret = xchg_app_number(PROG, "buffers", optarg, 64,
					      1u << 26, &v);
			tp.buffers = (uint32_t)v;
			break;
		case 's':
			ret = xchg_app_number(PROG, "stats-period", optarg, 0,
					      3600, &v);
			a->stats_period = (uint32_t)v;
			break;
		case 'd':
			ret = xchg_app_number(PROG, "duration", optarg, 0,
					      86400, &v);
			a->duration = (uint32_t)v;
			break;
		case 'i':
			a->interactive = true;
			break;
		case 'f':
			a->cmdfile = optarg;
			break;
		case 'h':
			usage("xchg-testpmd");
			exit(0);
		case 'M':
			if (strcmp(optarg, "shared") == 0 ||
			    strcmp(optarg, "exchange") == 0) {
				tp.shared = strcmp(optarg, "shared") == 0;
			} else {
				fprintf(stderr, "xchg-testpmd: --mode: '%s' is not exchange or shared\n",
					optarg);
				ret = -1;
			}
			break;
		case 'n':
			ret = xchg_app_number(PROG, "nb-cores", optarg, 1,
					      TP_MAX_LCORES, &v);
			tp.nb_cores = (unsigned int)v;
			break;
		case 'r':
			ret = xchg_app_number(PROG, "rxq", optarg, 1,
					      TP_MAX_QUEUES, &v);
			tp.rxq = (uint16_t)v;
			break;
		case 't':
			ret = xchg_app_number(PROG, "txq", optarg, 1,
					      TP_MAX_QUEUES, &v);
			tp.txq = (uint16_t)v;
			break;
		case 'R':
			ret = xchg_app_number(PROG, "rxd", optarg, 32, 4096,
					      &v);
			tp.rxd = (uint16_t)v;
			break;
		case 'T':
			ret = xchg_app_number(PROG, "txd", optarg, 32, 4096,
					      &v);
			tp.txd = (uint16_t)v;
			break;
		case 'B':
			ret = xchg_app_number(PROG, "burst", optarg, 1,
					      TP_MAX_BURST, &v);
			tp.burst = (uint16_t)v;
			break;
		case 'L':
			a->mem.no_mlockall = true;
			break;
		case 'O':
			ret = xchg_app_mem_oom_arg(PROG, optarg, &a->mem);
			break;
		default:
			ret = -1;
		}
	}
	if (ret == 0 && optind < argc) {
		fprintf(stderr, "xchg-testpmd: unexpected argument '%s'; see --help\n",
			argv[optind]);
		ret = -1;
	}
	/* A missing script is found before the EAL starts, not after. */
	if (ret == 0 && a->cmdfile != NULL && access(a->cmdfile, R_OK) != 0) {
		fprintf(stderr, "xchg-testpmd: %s: %s\n", a->cmdfile,
			strerror(errno));
		ret = -1;
	}
	if (ret == 0 && (tp.mode == TP_STACK) != (a->config != NULL)) {
		fprintf(stderr, "xchg-testpmd: %s\n", a->config == NULL ?
			"--forward-mode stack needs --config FILE (see config/README.rst)" :
			"--config FILE goes with --forward-mode stack");
		ret = -1;
	}
	if (ret == 0 && a->config != NULL) {
		char err[XCHG_CONFIG_ERR_SIZE];

		/* A bad file is refused before the EAL starts. */
		tp.config = xchg_config_load(a->config, err, sizeof(err));
		if (tp.config == NULL) {
			fprintf(stderr, "xchg-testpmd: %s\n", err);
			ret = -1;
		}
	}
	return ret;
}

static int
apply_behaviours(const struct tp_args *a)
{
	unsigned int i, k, n;

	for (i = 0; i < a->nb_behaviours; i++) {
		char name[XCHG_NAME_SIZE];
		const char *eq = strchr(a->behaviours[i], '=');
		struct tp_consumer *c;

		snprintf(name, sizeof(name), "%.*s",
			 (int)(eq - a->behaviours[i]), a->behaviours[i]);
		c = tp_consumer_find(name);
		/* "fwd" names every forwarding lcore's fwd consumer. */
		for (k = 0, n = 0; k < tp.nb_consumers; k++) {
			struct tp_consumer *t = &tp.consumers[k];

			if (c != NULL ? t != c :
			    strcmp(name, "fwd") != 0 || !tp_fwd_consumer(t))
				continue;
			n++;
			if (tp_behaviour_parse(eq + 1, t) != 0) {
				char hint[64];

				fprintf(stderr, "xchg-testpmd: --consumer %s: give normal, hog, slow or slow:N:MS with N up to the quota%s%s\n",
					a->behaviours[i], t->socket != NULL ?
					", or echo" : "",
					tp_behaviour_hint(eq + 1, hint,
							  sizeof(hint)));
				return -1;
			}
		}
		if (n == 0) {
			char hint[64];

			fprintf(stderr, "xchg-testpmd: --consumer %s: no consumer '%s'%s (see show sockets)\n",
				a->behaviours[i], name,
				tp_consumer_hint(name, hint, sizeof(hint)));
			return -1;
		}
	}
	return 0;
}

static void
on_signal(int sig __rte_unused)
{
	tp.quit = true;
}

static void
show_all(void)
{
	printf("\n");
	tp_show_pools(stdout);
	tp_show_ports(stdout);
	tp_show_sockets(stdout);
	tp_show_census(stdout);
	fflush(stdout);
}

/* Enter pressed, stdin at its end or closed: dpdk-testpmd's read(0) of one
 * byte, without blocking forwarding. */
static bool
enter_pressed(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, 0) == 0)
		return false;
	/* Any byte, the end or an error ends the run, as testpmd's. */
	if (!(pfd.revents & POLLNVAL) && read(STDIN_FILENO, &c, 1) < 0)
		return true;
	return true;
}

/* Forward until the duration ends, a signal, or (with neither a duration
 * nor a period, as dpdk-testpmd) enter; the statistics every period. */
static void
run(const struct tp_args *a)
{
	uint64_t start = rte_get_timer_cycles(), next, now;
	uint64_t period = (uint64_t)a->stats_period * tp.hz;
	bool was, wait_enter = a->duration == 0 && period == 0;

	next = start + period;
	tp_fwd_stats_reset();
	tp_fwd_start();
	if (wait_enter)
		printf("Press enter to exit\n");
	else if (a->duration == 0)
		printf("Press Ctrl-C to exit\n");
	while (!tp.quit && !(wait_enter && enter_pressed())) {
		if (tp.workers)
			rte_delay_us_sleep(1000);
		else
			tp_forward_once();
		tp_watch_poll();
		now = rte_get_timer_cycles();
		if (a->duration != 0 &&
		    now - start >= (uint64_t)a->duration * tp.hz)
			break;
		if (period != 0 && now >= next) {
			was = tp_pause();
			tp_show_port_stats(stdout, -1);
			show_all();
			tp_resume(was);
			next += period;
		}
	}
	tp_fwd_stop();
}

int
main(int argc, char **argv)
{
	struct tp_args a = { 0 };
	char *eal_argv[RTE_DIM(default_eal) + 1];
	int i, ret, has_eal = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tp.txpkts[0] = 60; /* 64 on the wire with the FCS */
	tp.nb_txpkts = 1;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		/* testpmd's default peers: 02:00:00:00:00:N */
		tp.peer_addr[i].addr_bytes[0] = 0x02;
		tp.peer_addr[i].addr_bytes[5] = (uint8_t)i;
	}
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			has_eal = i;
			break;
		}
	if (has_eal == 1) {
		/* A bare "--": no EAL options given, so the defaults stay. */
		argv[1] = argv[0];
		argv++;
		argc--;
		has_eal = 0;
	}
	if (!has_eal) {
		/* All arguments are ours; the EAL gets the defaults. */
		if (parse_args(argc, argv, &a) != 0)
			return 2;
		if (argc == 1) {
			a.duration = 3;
			a.stats_period = 1;
		}
		eal_argv[0] = argv[0];
		for (i = 0; i < (int)RTE_DIM(default_eal); i++)
			eal_argv[i + 1] = (char *)(uintptr_t)default_eal[i];
		ret = rte_eal_init(RTE_DIM(eal_argv), eal_argv);
	} else {
		ret = rte_eal_init(argc, argv);
		if (ret >= 0) {
			argv[ret] = argv[0];
			if (parse_args(argc - ret, argv + ret, &a) != 0) {
				rte_eal_cleanup();
				return 2;
			}
		}
	}
	if (ret < 0) {
		fprintf(stderr, "xchg-testpmd: EAL did not start: %s%s\n",
			rte_strerror(rte_errno), has_eal ?
			"; EAL options replace the defaults: without hugepages give --no-huge -m 512, and --vdev=net_null0 for a port (or no EAL options at all)" :
			"");
		return 1;
	}
	tp.nb_ports = 0;
	RTE_ETH_FOREACH_DEV(i) {
		if (tp.mode == TP_STACK)
			break; /* the configuration names its ports */
		if (tp.nb_ports == TP_MAX_PORTS)
			break;
		if (a.portmask != 0 &&
		    (i >= 64 || !(a.portmask & (UINT64_C(1) << i))))
			continue;
		tp.ports[tp.nb_ports++].port_id = (uint16_t)i;
	}
	if (tp.nb_ports == 0 && tp.mode != TP_STACK) {
		fprintf(stderr, "xchg-testpmd: no ports%s; add one, e.g. --vdev=net_null0\n",
			a.portmask != 0 ? " in --portmask" : "");
		rte_eal_cleanup();
		return 2;
	}
	if (tp_lcores_plan() != 0) {
		xchg_config_free(tp.config);
		rte_eal_cleanup();
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* dpdk-pdump's server: a no-op without multi-process (--no-shconf,
	 * the defaults); its copies go to dpdk-pdump's own mempool. */
	if (rte_pdump_init() != 0)
		fprintf(stderr, "xchg-testpmd: warning: dpdk-pdump cannot capture: %s\n",
			rte_strerror(rte_errno));

	ret = tp_setup();
	if (ret == 0)
		ret = apply_behaviours(&a) != 0 ? -EINVAL : 0;
	/* Everything is made: lock it in memory before the data path. */
	if (ret == 0)
		ret = xchg_app_mem_apply(PROG, &a.mem);
	if (ret == 0) {
		if (tp.mode == TP_STACK)
			printf("xchg-testpmd: stack on %u port(s), arena of %u buffers, %u consumers%s\n",
			       tp.nb_ports, tp.buffers, tp.nb_consumers,
			       tp.shared ? ", shared (overcommitted arena)" : "");
		else if (tp.mode == TP_ICMPECHO)
			printf("xchg-testpmd: icmpecho on port %u (192.0.2.1/24, 2001:db8::1/64), arena of %u buffers%s\n",
			       tp.ports[0].port_id, tp.buffers,
			       tp.shared ? ", shared (overcommitted arena)" : "");
		else
			printf("xchg-testpmd: %s on %u port(s), arena of %u buffers, fwd quota %u, %u forwarding lcore(s)%s\n",
			       tp_mode_name(tp.mode), tp.nb_ports, tp.buffers,
			       tp.shared ? tp.buffers : tp.quota, tp.nb_lcores,
			       tp.shared ? ", shared (overcommitted arena)" : "");
		if (a.cmdfile != NULL)
			ret = tp_prompt_script(a.cmdfile);
		else if (a.interactive)
			ret = tp_prompt_interactive();
		else
			run(&a);
		tp_fwd_stop(); /* the workers, before the last tables */
		show_all();
	}
	tp_teardown();
	rte_pdump_uninit();
	xchg_config_free(tp.config);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
