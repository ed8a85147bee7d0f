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
#include <dirent.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "replay.h"
#include "xchg_app.h"

static const char * const default_eal[] = {
	"-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
	"--no-telemetry", "--log-level=lib.eal:error",
	"--log-level=xchg*:warning", "--log-level=pmd.net.pcap:error",
};

static void
usage(void)
{
	printf("Usage: " PROG " [EAL options --] --config FILE --pcap [PORT=]FILE [--out-dir DIR]\n"
	       "                   [--report FILE] [--mode exchange|shared|both] [--check]\n"
	       "                   [--timeline FILE.csv] [--plot FILE.png] [--slice-ms N]\n"
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
	       "                     proxy-tx.pcap, capture.pcap, report.json; what an\n"
	       "                     earlier run wrote there is removed first, nothing else\n"
	       "  --report FILE      JSON report (default: DIR/report.json)\n"
	       "  --mode exchange    xchg: a reservation per queue, socket and service, frames\n"
	       "                     handed over by exchange (default)\n"
	       "  --mode shared      like plain DPDK's one shared mbuf pool: the same set-up on\n"
	       "                     an overcommitted arena of the same size, every consumer's\n"
	       "                     quota the whole arena, for a side-by-side comparison\n"
	       "  --mode both        exchange, then shared, one report with both (the pcaps in\n"
	       "                     DIR/exchange and DIR/shared)\n"
	       "  --check            exit status 3 unless every critical socket got every\n"
	       "                     frame and datagram offered to it (with --mode both: in\n"
	       "                     exchange mode)\n"
	       "  --timeline FILE    per slice of capture time: frames delivered to critical\n"
	       "                     and to other sockets, each pool's fewest available units\n"
	       "  --plot FILE.png    draw that with gnuplot (" "1000x750 PNG); the script is\n"
	       "                     written to DIR/plot.gp, the series to DIR/timeline.csv\n"
	       "                     unless --timeline names another file\n"
	       "  --slice-ms N       slice length (default: a hundredth of the capture, at\n"
	       "                     least 1 ms)\n"
	       "  -h, --help         this text\n"
	       "\n"
	       "Every [port]'s device is replaced by net_pcap (rx_pcap=capture, tx_pcap=output),\n"
	       "the proxy's too. Without EAL options the EAL runs with:\n"
	       "  -l 0 --no-huge -m 512 --no-pci --no-shconf --no-telemetry\n"
	       "Give EAL options before -- to change that, e.g.\n"
	       "  " PROG " -l 0 --no-huge -m 1024 --no-pci -- --config x.ini --pcap x.pcap\n"
	       "\n"
	       "Exit status: 0 done, 1 the run failed, 2 bad command line, configuration or\n"
	       "file, 3 (with --check) a critical socket lost frames or datagrams.\n");
}

struct opts {
	const char *config;
	const char *pcaps[XCHG_CONFIG_MAX_PORTS + 1];
	unsigned int nb_pcaps;
	const char *out_dir;
	const char *report;
	enum replay_mode mode;
	bool both, check;
	const char *timeline, *plot;
	uint64_t slice_ms;
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
		{ "check", no_argument, NULL, 'k' },
		{ "timeline", required_argument, NULL, 't' },
		{ "plot", required_argument, NULL, 'P' },
		{ "slice-ms", required_argument, NULL, 's' },
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
			} else if (strcmp(optarg, "both") == 0) {
				o->mode = MODE_EXCHANGE;
				o->both = true;
			} else {
				fprintf(stderr, PROG ": --mode: '%s' is not a mode; use exchange, shared or both\n",
					optarg);
				return -1;
			}
			break;
		case 'k':
			o->check = true;
			break;
		case 't':
			o->timeline = optarg;
			break;
		case 'P':
			o->plot = optarg;
			break;
		case 's':
			if (xchg_app_number(PROG, "slice-ms", optarg, 1,
					    3600000, &o->slice_ms) != 0)
				return -1;
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
		if (input_count(&r->inputs[port], path) != 0)
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

/* A file the run will write: writable, or creatable in a folder that is
 * (or will be made in one that is). Checked before anything runs. */
static int
check_writable(const char *opt, const char *path)
{
	char buf[4096], *dir;
	struct stat st;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode) || access(path, W_OK) != 0) {
			fprintf(stderr, PROG ": %s %s: cannot write it: %s\n", opt,
				path, S_ISDIR(st.st_mode) ? "it is a folder" :
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		fprintf(stderr, PROG ": %s: path too long\n", opt);
		return -1;
	}
	/* The nearest folder that exists must let us create in it. */
	for (dir = dirname(buf); stat(dir, &st) != 0; dir = dirname(dir))
		if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
			break;
	if (S_ISDIR(st.st_mode)) {
		/* Permissions do not tell for root or /proc: try. */
		char probe[4096];

		if (snprintf(probe, sizeof(probe), "%s/.xchg-probe-XXXXXX",
			     dir) < (int)sizeof(probe) &&
		    mkdtemp(probe) != NULL) {
			rmdir(probe);
			return 0;
		}
	}
	fprintf(stderr, PROG ": %s %s: cannot write it: %s is not a writable folder\n",
		opt, path, dir);
	return -1;
}

/* What a run writes, and so what the next run into the same folder
 * removes first; any other file is left alone. */
static bool
is_output(const char *n)
{
	size_t len = strlen(n);

#define ENDS(s) (len >= sizeof(s) - 1 && strcmp(n + len - (sizeof(s) - 1), s) == 0)
	return strcmp(n, "report.json") == 0 || strcmp(n, "timeline.csv") == 0 ||
	       strcmp(n, "plot.gp") == 0 || strcmp(n, "capture.pcap") == 0 ||
	       strcmp(n, "proxy-tx.pcap") == 0 ||
	       strcmp(n, ".empty.pcap") == 0 ||
	       (strncmp(n, "socket-", 7) == 0 && ENDS(".pcap")) ||
	       (strncmp(n, "port-", 5) == 0 && ENDS("-tx.pcap")) ||
	       (n[0] == '.' && ENDS(".raw.pcap"));
#undef ENDS
}

static int
clear_outputs(const char *dir, bool sub)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	int ret = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		if (!sub && (strcmp(e->d_name, "exchange") == 0 ||
			     strcmp(e->d_name, "shared") == 0)) {
			ret |= clear_outputs(path, true);
			rmdir(path); /* only when nothing else is in it */
		} else if (is_output(e->d_name) && unlink(path) != 0 &&
			   errno != ENOENT) {
			ret = -errno;
		}
	}
	closedir(d);
	return ret;
}

static void
free_run(struct replay *r)
{
	unsigned int i;

	for (i = 0; i < XCHG_CONFIG_MAX_PORTS; i++) {
		input_close(&r->inputs[i]);
		ts_track_free(&r->tx_ts[i]);
	}
	ts_track_free(&r->tap_ts);
	ts_track_free(&r->capture_ts);
	timeline_free(&r->tl);
	xchg_config_free(r->cfg);
	r->cfg = NULL;
}

/* net_pcap's limit per device (RTE_PMD_PCAP_MAX_QUEUES). */
#define PCAP_MAX_QUEUES 16

static int
check_replayable(const struct xchg_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_ports; i++) {
		const struct xchg_config_port *p = &cfg->ports[i];

		if (p->rx_queues > PCAP_MAX_QUEUES ||
		    p->tx_queues > PCAP_MAX_QUEUES) {
			fprintf(stderr, PROG ": %s: [port %s] %s: %u queues; a replay runs each port on net_pcap, which has at most %u; give at most %u\n",
				cfg->path, p->name,
				p->rx_queues > PCAP_MAX_QUEUES ? "rx_queues" :
				"tx_queues",
				RTE_MAX(p->rx_queues, p->tx_queues),
				PCAP_MAX_QUEUES, PCAP_MAX_QUEUES);
			return -1;
		}
	}
	return 0;
}

static struct replay runs[2];

/* Load the configuration and count the captures for one run. */
static int
prepare_run(struct replay *r, const struct opts *o, enum replay_mode mode,
	    const char *out_dir)
{
	char err[XCHG_CONFIG_ERR_SIZE];

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->out_dir = out_dir;
	r->cfg = xchg_config_load(o->config, err, sizeof(err));
	if (r->cfg == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	if (check_replayable(r->cfg) != 0)
		return -1;
	return assign_inputs(r, o);
}

static uint64_t
tv_us(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000 + (uint64_t)tv->tv_usec;
}

/* The slices of the timeline: the same for both runs. */
static int
init_timeline(struct replay *r, const struct opts *o)
{
	uint64_t t0 = UINT64_MAX, t1 = 0, slice;
	unsigned int i;

	for (i = 0; i < r->cfg->nb_ports; i++) {
		if (r->inputs[i].nb == 0)
			continue;
		t0 = RTE_MIN(t0, tv_us(&r->inputs[i].first));
		t1 = RTE_MAX(t1, tv_us(&r->inputs[i].last));
	}
	if (t0 == UINT64_MAX)
		t0 = t1 = 0;
	if (o->slice_ms != 0)
		slice = o->slice_ms * 1000;
	else
		slice = RTE_MAX((t1 - t0) / 100 / 1000, (uint64_t)1) * 1000;
	return timeline_init(r, t0, t1, slice);
}

int
main(int argc, char **argv)
{
	struct opts o = { .out_dir = "replay-out", .mode = MODE_EXCHANGE };
	char err[XCHG_CONFIG_ERR_SIZE], report[4096], sub[2][4096];
	char csv[4096], script[4096];
	const struct replay *done_runs[2];
	unsigned int nb_runs, k;
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
	nb_runs = o.both ? 2 : 1;
	if (snprintf(sub[0], sizeof(sub[0]), "%s%s", o.out_dir,
		     o.both ? "/exchange" : "") >= (int)sizeof(sub[0]) ||
	    snprintf(sub[1], sizeof(sub[1]), "%s/shared", o.out_dir) >=
		     (int)sizeof(sub[1]) ||
	    snprintf(report, sizeof(report), "%s", o.report != NULL ?
		     o.report : "") >= (int)sizeof(report) ||
	    snprintf(csv, sizeof(csv), "%s", o.timeline != NULL ?
		     o.timeline : "") >= (int)sizeof(csv) ||
	    snprintf(script, sizeof(script), "%s/plot.gp", o.out_dir) >=
		     (int)sizeof(script)) {
		fprintf(stderr, PROG ": --out-dir %s: path too long\n",
			o.out_dir);
		goto out;
	}
	if (o.report == NULL)
		snprintf(report, sizeof(report), "%s/report.json", o.out_dir);
	if (o.plot != NULL && o.timeline == NULL)
		snprintf(csv, sizeof(csv), "%s/timeline.csv", o.out_dir);
	{
		struct stat st;

		if (stat(o.out_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
			fprintf(stderr, PROG ": --out-dir %s: cannot use it: %s\n",
				o.out_dir, strerror(ENOTDIR));
			goto out;
		}
	}
	if (check_writable("--report", report) != 0 ||
	    (csv[0] != '\0' && check_writable("--timeline", csv) != 0) ||
	    (o.plot != NULL && check_writable("--plot", o.plot) != 0))
		goto out;
	for (k = 0; k < nb_runs; k++)
		if (prepare_run(&runs[k], &o, k == 0 ? o.mode : MODE_SHARED,
				sub[k]) != 0)
			goto out;

	if (xchg_config_eal_init(argc, argv, default_eal, RTE_DIM(default_eal),
				 err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	eal = true;
	if (xchg_config_check_sizing(runs[0].cfg, rte_lcore_count(), err,
				     sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	/* Made only once everything was checked: a refused run leaves
	 * nothing behind. What an earlier run wrote goes first. */
	ret = make_dir(o.out_dir);
	if (ret == 0)
		ret = clear_outputs(o.out_dir, false);
	for (k = 0; ret == 0 && k < nb_runs; k++)
		ret = make_dir(sub[k]);
	if (ret != 0) {
		fprintf(stderr, PROG ": --out-dir %s: cannot use it: %s\n",
			o.out_dir, strerror(-ret));
		goto out;
	}

	status = 1;
	for (k = 0; k < nb_runs; k++) {
		struct replay *r = &runs[k];

		r->report = report;
		if (csv[0] != '\0' && init_timeline(r, &o) != 0)
			goto out;
		if (run_replay(r) != 0)
			goto out;
		result_finish(&r->res);
		done_runs[k] = r;
	}
	ret = write_report(done_runs, nb_runs, report);
	if (ret != 0) {
		fprintf(stderr, PROG ": --report %s: cannot write it: %s\n",
			report, strerror(-ret));
		goto out;
	}
	for (k = 0; k < nb_runs; k++)
		print_summary(&runs[k]);
	if (csv[0] != '\0') {
		ret = timeline_write_csv(done_runs, nb_runs, csv);
		if (ret != 0) {
			fprintf(stderr, PROG ": --timeline %s: cannot write it: %s\n",
				csv, strerror(-ret));
			goto out;
		}
	}
	if (o.plot != NULL) {
		if (timeline_plot(done_runs, nb_runs, csv, o.plot, script) != 0)
			goto out;
		printf("  plot %s (gnuplot %s)\n", o.plot, script);
	}
	status = o.check && !runs[0].res.verdict ? 3 : 0;
out:
	for (k = 0; k < 2; k++)
		free_run(&runs[k]);
	free(app_argv);
	if (eal)
		rte_eal_cleanup();
	return status;
}
