/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * xchg-replay: run a capture through a configured set-up, deterministically.
 *
 * Every port of the configuration becomes a net_pcap device that reads
 * its capture and writes what it transmits; each socket behaves as the
 * [replay] section says (normal, hold N, hog). The same capture and
 * configuration give byte-identical pcaps and report: one lcore, a fixed
 * poll order, and timestamps taken from the input, never from the clock.
 *
 * --mode shared runs the very same set-up and stack on an overcommitted
 * arena of the same number of buffers, where every consumer's quota is
 * the whole arena: it behaves like the one shared mbuf pool of a plain
 * DPDK application, so a consumer that keeps its frames can take every
 * buffer, the NIC's included.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "replay.h"

static const char * const default_eal[] = {
	"-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
	"--no-telemetry", "--log-level=lib.eal:error",
	"--log-level=xchg*:warning", "--log-level=pmd.net.pcap:error",
};

static void
usage(void)
{
	printf("Usage: " PROG " [EAL options --] --config FILE --pcap [PORT=]FILE [--out-dir DIR]\n"
	       "                   [--report FILE] [--mode exchange|shared]\n"
	       "\n"
	       "Replays a capture through the set-up a configuration file describes, on one\n"
	       "lcore, and writes what each socket received and what each port sent as pcap\n"
	       "files, and a JSON report. The same capture and configuration always give the\n"
	       "same bytes: timestamps come from the input capture, never from the clock.\n"
	       "\n"
	       "  --config FILE      INI file describing arena, ports, sockets, services,\n"
	       "                     [replay] behaviours (see config/README.rst)\n"
	       "  --pcap FILE        capture the first [port] receives; --pcap PORT=FILE gives\n"
	       "                     port PORT its own; repeat for several ports\n"
	       "  --out-dir DIR      where the outputs go (default: replay-out), created if\n"
	       "                     missing: socket-NAME.pcap, port-NAME-tx.pcap,\n"
	       "                     proxy-tx.pcap, capture.pcap, report.json\n"
	       "  --report FILE      JSON report (default: DIR/report.json)\n"
	       "  --mode exchange    xchg: a reservation per queue, socket and service, frames\n"
	       "                     handed over by exchange (default)\n"
	       "  --mode shared      like plain DPDK's one shared mbuf pool: the same set-up on\n"
	       "                     an overcommitted arena of the same size, every consumer's\n"
	       "                     quota the whole arena, for a side-by-side comparison\n"
	       "  -h, --help         this text\n"
	       "\n"
	       "Every [port]'s device is replaced by net_pcap (rx_pcap=capture, tx_pcap=output),\n"
	       "the proxy's too. Without EAL options the EAL runs with:\n"
	       "  -l 0 --no-huge -m 512 --no-pci --no-shconf --no-telemetry\n"
	       "Give EAL options before -- to change that, e.g.\n"
	       "  " PROG " -l 0 --no-huge -m 1024 --no-pci -- --config x.ini --pcap x.pcap\n"
	       "\n"
	       "Exit status: 0 done, 1 the run failed, 2 bad command line, configuration or file.\n");
}

struct opts {
	const char *config;
	const char *pcaps[XCHG_CONFIG_MAX_PORTS + 1];
	unsigned int nb_pcaps;
	const char *out_dir;
	const char *report;
	enum replay_mode mode;
};

/* The paths end up in net_pcap's device arguments, where ',' and '='
 * separate keys and values; a capture is read twice (counted here, then
 * by the PMD), so it must be a regular file, not a pipe. */
static int
check_paths(const struct opts *o)
{
	struct stat st;
	unsigned int i;

	if (o->out_dir[0] == '\0' || strpbrk(o->out_dir, ",=") != NULL) {
		fprintf(stderr, PROG ": --out-dir '%s': give a non-empty path without ',' or '='\n",
			o->out_dir);
		return -1;
	}
	for (i = 0; i < o->nb_pcaps; i++) {
		/* PORT=FILE names the port; the file is what follows. */
		const char *eq = strchr(o->pcaps[i], '=');
		const char *file = eq != NULL &&
			memchr(o->pcaps[i], '/', eq - o->pcaps[i]) == NULL ?
			eq + 1 : o->pcaps[i];

		if (strpbrk(file, ",=") != NULL) {
			fprintf(stderr, PROG ": --pcap %s: the path may not hold ',' or '='\n",
				o->pcaps[i]);
			return -1;
		}
		if (stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
			fprintf(stderr, PROG ": --pcap %s: not a regular file (a pipe cannot be read twice)\n",
				o->pcaps[i]);
			return -1;
		}
	}
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pcap", required_argument, NULL, 'p' },
		{ "out-dir", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'p':
			if (o->nb_pcaps == RTE_DIM(o->pcaps)) {
				fprintf(stderr, PROG ": --pcap: at most %zu captures\n",
					RTE_DIM(o->pcaps));
				return -1;
			}
			o->pcaps[o->nb_pcaps++] = optarg;
			break;
		case 'o':
			o->out_dir = optarg;
			break;
		case 'r':
			o->report = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "exchange") == 0) {
				o->mode = MODE_EXCHANGE;
			} else if (strcmp(optarg, "shared") == 0) {
				o->mode = MODE_SHARED;
			} else {
				fprintf(stderr, PROG ": --mode: '%s' is not a mode; use exchange or shared\n",
					optarg);
				return -1;
			}
			break;
		case ':':
			fprintf(stderr, PROG ": option %s needs a value; see " PROG " --help\n",
				argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, PROG ": unknown option %s; see " PROG " --help\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'; EAL options go before --, see " PROG " --help\n",
			argv[optind]);
		return -1;
	}
	if (o->config == NULL) {
		fprintf(stderr, PROG ": --config FILE is required; see " PROG " --help\n");
		return -1;
	}
	if (o->nb_pcaps == 0) {
		fprintf(stderr, PROG ": --pcap FILE is required; see " PROG " --help\n");
		return -1;
	}
	return check_paths(o);
}

/* Read a capture's frame count and timestamps. */
static int
read_input(struct input *in, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t cap = 1024;
	pcap_t *p;
	int ret;

	if (strchr(path, ',') != NULL) {
		fprintf(stderr, PROG ": --pcap %s: net_pcap cannot open file names with ','; rename the file\n",
			path);
		return -1;
	}
	p = pcap_open_offline(path, errbuf);
	if (p == NULL) {
		fprintf(stderr, PROG ": --pcap %s: cannot read the capture: %s\n",
			path, errbuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, PROG ": --pcap %s: not an Ethernet capture (link type %s); give an Ethernet pcap\n",
			path, pcap_datalink_val_to_name(pcap_datalink(p)));
		pcap_close(p);
		return -1;
	}
	in->path = path;
	in->nb = 0;
	in->ts = malloc(cap * sizeof(*in->ts));
	while (in->ts != NULL && (ret = pcap_next_ex(p, &h, &data)) == 1) {
		if (in->nb == cap) {
			struct timeval *t = realloc(in->ts,
						    2 * cap * sizeof(*t));

			if (t == NULL) {
				free(in->ts);
				in->ts = NULL;
				break;
			}
			in->ts = t;
			cap *= 2;
		}
		in->ts[in->nb++] = h->ts;
	}
	if (in->ts == NULL) {
		fprintf(stderr, PROG ": --pcap %s: out of memory\n", path);
		pcap_close(p);
		return -1;
	}
	if (ret == PCAP_ERROR) {
		fprintf(stderr, PROG ": --pcap %s: the capture is damaged after %" PRIu64 " frames: %s\n",
			path, in->nb, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

/* --pcap FILE for the first port, --pcap PORT=FILE for a named one. */
static int
assign_inputs(struct replay *r, const struct opts *o)
{
	const struct xchg_config *cfg = r->cfg;
	unsigned int i;

	for (i = 0; i < o->nb_pcaps; i++) {
		const char *arg = o->pcaps[i], *eq = strchr(arg, '=');
		const char *path = arg;
		char name[XCHG_CONFIG_NAME_SIZE];
		int port = 0;

		if (eq != NULL && (size_t)(eq - arg) < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - arg),
				 arg);
			port = xchg_config_port_index(cfg, name);
			if (port >= 0) {
				path = eq + 1;
			} else {
				port = 0;
				if (access(arg, F_OK) != 0) {
					fprintf(stderr, PROG ": --pcap %s: no [port %s] in %s and no such file\n",
						arg, name, cfg->path);
					return -1;
				}
			}
		}
		if (r->inputs[port].path != NULL) {
			fprintf(stderr, PROG ": --pcap %s: [port %s] has a capture already (%s)\n",
				arg, cfg->ports[port].name,
				r->inputs[port].path);
			return -1;
		}
		if (read_input(&r->inputs[port], path) != 0)
			return -1;
	}
	for (i = 0; i < cfg->nb_ports; i++)
		r->res.frames_in += r->inputs[i].nb;
	return 0;
}

static int
make_dir(const char *dir)
{
	char buf[4096], *p;
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -errno;
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	if (stat(dir, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (access(dir, W_OK) != 0)
		return -errno;
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .out_dir = "replay-out", .mode = MODE_EXCHANGE };
	static struct replay r;
	char err[XCHG_CONFIG_ERR_SIZE], report[4096];
	char **app_argv;
	int i, first = 1, dashdash = -1, ret, status = 2;
	bool eal = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	if (dashdash >= 0)
		first = dashdash + 1;
	for (i = first; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		}

	/* Everything that can be checked without DPDK is checked first. */
	app_argv = calloc((size_t)(argc - first) + 2, sizeof(*app_argv));
	if (app_argv == NULL)
		return 1;
	app_argv[0] = (char *)(uintptr_t)PROG;
	for (i = first; i < argc; i++)
		app_argv[i - first + 1] = argv[i];
	if (parse_opts(argc - first + 1, app_argv, &o) != 0)
		goto out;
	r.mode = o.mode;
	r.out_dir = o.out_dir;
	r.cfg = xchg_config_load(o.config, err, sizeof(err));
	if (r.cfg == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	if (assign_inputs(&r, &o) != 0)
		goto out;

	if (xchg_config_eal_init(argc, argv, default_eal, RTE_DIM(default_eal),
				 err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	eal = true;
	if (xchg_config_check_sizing(r.cfg, rte_lcore_count(), err,
				     sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	/* Made only once everything was checked: a refused run leaves
	 * nothing behind. */
	ret = make_dir(o.out_dir);
	if (ret != 0) {
		fprintf(stderr, PROG ": --out-dir %s: cannot use it: %s\n",
			o.out_dir, strerror(-ret));
		goto out;
	}
	if (o.report != NULL)
		snprintf(report, sizeof(report), "%s", o.report);
	else
		out_path(&r, report, sizeof(report), "report.json");
	r.report = report;

	ret = run_replay(&r);
	if (ret == 0) {
		ret = write_report(&r, r.report);
		if (ret != 0)
			fprintf(stderr, PROG ": --report %s: cannot write it: %s\n",
				r.report, strerror(-ret));
		else
			print_summary(&r);
	}
	status = ret == 0 ? 0 : 1;
out:
	for (i = 0; i < XCHG_CONFIG_MAX_PORTS; i++) {
		free(r.inputs[i].ts);
		ts_track_free(&r.tx_ts[i]);
	}
	ts_track_free(&r.tap_ts);
	ts_track_free(&r.capture_ts);
	xchg_config_free(r.cfg);
	free(app_argv);
	if (eal)
		rte_eal_cleanup();
	return status;
}
