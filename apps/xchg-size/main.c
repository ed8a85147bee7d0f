/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * xchg-size: the sizing calculator. From a configuration file and, per
 * consumer, a peak frame rate, a worst-case hold time and a burst, it
 * computes each quota (rate x hold time + burst), each NIC queue's
 * reservation (descriptors + the PMD's refill slack), each stack's
 * fragment staging area, the lcore cache term, the arena and the memory it takes, writing every term out
 * (doc/sizing.rst). --write emits the configuration with those figures;
 * --from-replay reads an xchg-replay report and says which quotas were
 * too small or far too big. No EAL, no DPDK memory: it only computes.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "xchg_app.h"
#include "xchg_config.h"

#define PROG "xchg-size"
#define MAX_LOADS 80
/* What a vector PMD may take from the pool ahead of its ring while it
 * rearms: up to 64 descriptors at a time. The configuration's rx_slack
 * (default 64) covers it; a smaller one is flagged. */
#define VECTOR_REARM 64
/* DPDK spreads mempool objects over memory channels when it does not
 * know better (rte_mempool's optimize_object_size: 4 channels, 1 rank):
 * an object's size in cache lines is made coprime with 4. */
#define MEM_CHANNELS 4

struct load {
	char name[XCHG_CONFIG_NAME_SIZE];
	uint64_t rate, hold_ms, burst;
	bool used;
};

struct opts {
	const char *config, *write, *from_replay;
	struct load loads[MAX_LOADS];
	unsigned int nb_loads;
	uint64_t lcores;
};

static void
usage(void)
{
	printf("Usage: " PROG " --config FILE [--load NAME:RATE:HOLD_MS:BURST]... [--load-file FILE]\n"
	       "                 [--lcores N]\n"
	       "                 [--write OUT.ini] [--from-replay REPORT.json]\n"
	       "\n"
	       "Computes the reservations of a configuration and the arena they need, every\n"
	       "term written out:\n"
	       "  quota        = ceil(RATE frames/s x HOLD_MS ms) + BURST, for each --load\n"
	       "  RX queue     = rx_desc + rx_slack (the PMD's refill slack: a vector PMD\n"
	       "                 rearms 64 descriptors at a time)\n"
	       "  TX queue     = tx_desc + tx_slack (frames completed late)\n"
	       "  staging      = ports x the stack's fragment staging area (16)\n"
	       "  lcore caches = lcores x (lcore_cache + lcore_cache / 2 - 1); none when\n"
	       "                 [arena] lcore_cache = none\n"
	       "  arena        = the sum; memory = arena x object stride\n"
	       "\n"
	       "  --config FILE       the set-up (config/README.rst)\n"
	       "  --load N:R:H:B      consumer N (a [socket N], arp, icmp, nd, icmp6 (with an\n"
	       "                      ip6), proxy or capture)\n"
	       "                      peaks at R frames/s, keeps a frame up to H ms, and takes\n"
	       "                      bursts of B on top; consumers without one keep their quota\n"
	       "  --load-file FILE    the same from an INI file: [load NAME] sections with\n"
	       "                      rate = R, hold_ms = H and burst = B\n"
	       "  --lcores N          EAL lcores of the program that runs it (default 1)\n"
	       "  --write OUT.ini     the configuration with the computed quotas and buffers\n"
	       "  --from-replay FILE  an xchg-replay report: which quotas ran dry (too small)\n"
	       "                      or were never used past a quarter (far too big: the\n"
	       "                      peak + 50%% headroom would do); a critical socket is\n"
	       "                      never advised below its quota (or, with --config,\n"
	       "                      its sized quota)\n"
	       "\n"
	       "Exit status: 0 done, 2 bad command line or file, 3 (--from-replay) a quota\n"
	       "was too small.\n");
}

static int
parse_load(struct opts *o, const char *arg)
{
	char buf[256], *f[4], *save = NULL, *tok;
	struct load *l;
	unsigned int n = 0;

	if (o->nb_loads == MAX_LOADS) {
		fprintf(stderr, PROG ": --load: at most %d\n", MAX_LOADS);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ":", &save); tok != NULL && n < 4;
	     tok = strtok_r(NULL, ":", &save))
		f[n++] = tok;
	if (n != 4 || tok != NULL || strlen(f[0]) >= XCHG_CONFIG_NAME_SIZE) {
		fprintf(stderr, PROG ": --load %s: give NAME:RATE:HOLD_MS:BURST, e.g. ctrl:20000:5:32\n",
			arg);
		return -1;
	}
	l = &o->loads[o->nb_loads++];
	snprintf(l->name, sizeof(l->name), "%s", f[0]);
	if (xchg_app_number(PROG, "load RATE", f[1], 0, UINT64_C(1) << 32,
			    &l->rate) != 0 ||
	    xchg_app_number(PROG, "load HOLD_MS", f[2], 0, 3600000,
			    &l->hold_ms) != 0 ||
	    xchg_app_number(PROG, "load BURST", f[3], 0, 65536,
			    &l->burst) != 0)
		return -1;
	return 0;
}

/* --load-file: [load NAME] sections with rate, hold_ms and burst. */
static int
parse_load_file(struct opts *o, const char *path)
{
	char line[512], key[64], val[128], name[128];
	struct load *l = NULL;
	unsigned int ln = 0, have = 0;
	FILE *f = fopen(path, "r");
	int ret = -1;

	if (f == NULL) {
		fprintf(stderr, PROG ": --load-file %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line + strspn(line, " \t");
		uint64_t *dst;

		ln++;
		p[strcspn(p, ";#\r\n")] = '\0';
		if (*p == '\0')
			continue;
		if (sscanf(p, "[load %127[^] ]]", name) == 1) {
			if (l != NULL && have != 7)
				goto missing;
			if (o->nb_loads == MAX_LOADS ||
			    strlen(name) >= XCHG_CONFIG_NAME_SIZE) {
				fprintf(stderr, PROG ": %s:%u: too many loads or name too long\n",
					path, ln);
				goto out;
			}
			l = &o->loads[o->nb_loads++];
			snprintf(l->name, sizeof(l->name), "%s", name);
			have = 0;
			continue;
		}
		if (l == NULL || sscanf(p, "%63[a-z_] = %127s", key, val) != 2) {
			fprintf(stderr, PROG ": %s:%u: expected [load NAME] then rate, hold_ms and burst = N\n",
				path, ln);
			goto out;
		}
		if (strcmp(key, "rate") == 0) {
			dst = &l->rate;
			have |= 1;
		} else if (strcmp(key, "hold_ms") == 0) {
			dst = &l->hold_ms;
			have |= 2;
		} else if (strcmp(key, "burst") == 0) {
			dst = &l->burst;
			have |= 4;
		} else {
			fprintf(stderr, PROG ": %s:%u: [load %s] %s: unknown key; use rate, hold_ms or burst\n",
				path, ln, l->name, key);
			goto out;
		}
		if (xchg_app_number(PROG, key, val, 0, UINT64_C(1) << 32,
				    dst) != 0)
			goto out;
	}
	if (l != NULL && have != 7)
		goto missing;
	ret = 0;
	goto out;
missing:
	fprintf(stderr, PROG ": %s: [load %s]: give rate, hold_ms and burst\n",
		path, l->name);
out:
	fclose(f);
	return ret;
}

static struct load *
find_load(struct opts *o, const char *name)
{
	unsigned int i;

	for (i = 0; i < o->nb_loads; i++)
		if (strcmp(o->loads[i].name, name) == 0) {
			o->loads[i].used = true;
			return &o->loads[i];
		}
	return NULL;
}

/* A quota from a load, its terms printed; the configured one without. */
static uint64_t
quota(struct opts *o, const char *label, const char *name, uint32_t configured)
{
	struct load *l = find_load(o, name);
	uint64_t held, q;

	if (l == NULL) {
		printf("  %-22s quota = %u (as configured; no --load)\n", label,
		       configured);
		return configured;
	}
	/* ceil(rate x hold_ms / 1000) */
	held = (l->rate * l->hold_ms + 999) / 1000;
	q = RTE_MAX(held + l->burst, (uint64_t)1);
	printf("  %-22s quota = ceil(%" PRIu64 " frames/s x %" PRIu64 " ms) + burst %" PRIu64 " = %" PRIu64 " + %" PRIu64 " = %" PRIu64 " (configured %u)\n",
	       label, l->rate, l->hold_ms, l->burst, held, l->burst, q,
	       configured);
	return q;
}

static uint64_t
object_stride(uint16_t data_room, uint64_t *elt, uint64_t *hdr)
{
	uint64_t lines;

	*hdr = RTE_CACHE_LINE_SIZE;  /* rte_mempool_objhdr, cache aligned */
	*elt = RTE_ALIGN_CEIL(sizeof(struct rte_mbuf) + data_room,
			      RTE_CACHE_LINE_SIZE);
	lines = (*elt + *hdr) / RTE_CACHE_LINE_SIZE;
	while (lines % 2 == 0) /* coprime with MEM_CHANNELS = 4 */
		lines++;
	return lines * RTE_CACHE_LINE_SIZE;
}

struct sized {
	uint64_t socket_quota[XCHG_CONFIG_MAX_SOCKETS];
	uint64_t arp, icmp, proxy, capture, buffers;
	uint64_t nd, icmp6;        /* ports with an ip6 only */
};

/* The configuration with the sized quotas: what the terms are read from. */
static struct xchg_config *
sized_config(const struct xchg_config *cfg, const struct sized *z)
{
	struct xchg_config *c = malloc(sizeof(*c));
	unsigned int i;

	if (c == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return NULL;
	}
	*c = *cfg;
	for (i = 0; i < c->nb_sockets; i++)
		c->sockets[i].quota = (uint32_t)RTE_MIN(z->socket_quota[i],
							(uint64_t)UINT32_MAX);
	c->arp_quota = (uint32_t)RTE_MIN(z->arp, (uint64_t)UINT32_MAX);
	c->icmp_quota = (uint32_t)RTE_MIN(z->icmp, (uint64_t)UINT32_MAX);
	c->nd_quota = (uint32_t)RTE_MIN(z->nd, (uint64_t)UINT32_MAX);
	c->icmp6_quota = (uint32_t)RTE_MIN(z->icmp6, (uint64_t)UINT32_MAX);
	c->proxy.quota = (uint32_t)RTE_MIN(z->proxy, (uint64_t)UINT32_MAX);
	c->capture.quota = (uint32_t)RTE_MIN(z->capture, (uint64_t)UINT32_MAX);
	return c;
}

/* What an RX queue term's slack means for a vector PMD. */
static const char *
rx_note(const struct xchg_config *c, const struct xchg_config_term *t)
{
	char name[XCHG_CONFIG_TERM_NAME_SIZE];
	unsigned int i;

	for (i = 0; t->group == XCHG_CONFIG_TERM_PORTS && i < c->nb_ports;
	     i++) {
		snprintf(name, sizeof(name), "port %s RX", c->ports[i].name);
		if (strcmp(name, t->name) == 0)
			return c->ports[i].rx_slack < VECTOR_REARM ?
			       "  (rx_slack below the vector-PMD rearm of 64: a vector PMD may run dry)" :
			       "  (rx_slack covers the vector-PMD rearm of 64)";
	}
	return "";
}

/* Every term of the sizing invariant, from libxchg_config's own list
 * (xchg_config_terms(): the one source of what a configuration
 * reserves), grouped; returns the sum. */
static int
print_terms(const struct xchg_config *c, unsigned int lcores, uint64_t *sum)
{
	static const char *const heading[XCHG_CONFIG_TERM_GROUPS] = {
		[XCHG_CONFIG_TERM_PORTS] = "NIC queues (RX: descriptors + refill slack; TX: descriptors + completion slack):",
		[XCHG_CONFIG_TERM_SOCKETS] = "sockets:",
		[XCHG_CONFIG_TERM_SERVICES] = "services (per port):",
		[XCHG_CONFIG_TERM_STAGING] = "fragment staging (each port's stack, for fragments ahead of their first):",
		[XCHG_CONFIG_TERM_PROXY] = "proxy (to and from the host):",
		[XCHG_CONFIG_TERM_CAPTURE] = "capture:",
		[XCHG_CONFIG_TERM_CACHES] = "lcore caches:",
	};
	uint64_t group[XCHG_CONFIG_TERM_GROUPS] = { 0 };
	struct xchg_config_term *t;
	int n, i;
	unsigned int g;
	const char *sep = "";

	n = xchg_config_terms(c, lcores, NULL, 0);
	t = n > 0 ? calloc((size_t)n, sizeof(*t)) : NULL;
	if (n < 0 || (n > 0 && t == NULL) ||
	    (n > 0 && xchg_config_terms(c, lcores, t, (unsigned int)n) != n)) {
		fprintf(stderr, PROG ": out of memory\n");
		free(t);
		return -1;
	}
	*sum = 0;
	for (g = 0; g < XCHG_CONFIG_TERM_GROUPS; g++) {
		bool head = false;

		for (i = 0; i < n; i++) {
			if (t[i].group != g)
				continue;
			if (!head && heading[g] != NULL)
				printf("%s\n", heading[g]);
			head = true;
			printf("  %-22s %u x (%s) = %u x %u = %" PRIu64 "%s%s\n",
			       t[i].name, t[i].count, t[i].formula, t[i].count,
			       t[i].each, t[i].buffers,
			       t[i].critical ? "  (critical)" : "",
			       rx_note(c, &t[i]));
			group[g] += t[i].buffers;
		}
	}
	printf("arena:\n  buffers =");
	for (g = 0; g < XCHG_CONFIG_TERM_GROUPS; g++) {
		printf("%s %s %" PRIu64, sep, xchg_config_term_group_name(g),
		       group[g]);
		sep = " +";
		*sum += group[g];
	}
	free(t);
	return 0;
}

static int
compute(struct opts *o, const struct xchg_config *cfg, struct sized *z)
{
	uint64_t stride, elt, hdr, sum;
	struct xchg_config *c;
	char label[64];
	unsigned int i;
	int ret;

	printf(PROG ": %s, %" PRIu64 " lcore%s\n", cfg->path, o->lcores,
	       o->lcores == 1 ? "" : "s");
	printf("consumers (quota = rate x hold time + burst):\n");
	for (i = 0; i < cfg->nb_sockets; i++) {
		snprintf(label, sizeof(label), "socket %s%s",
			 cfg->sockets[i].name,
			 cfg->sockets[i].priority == XCHG_PRIO_CRITICAL ?
			 " (critical)" : "");
		z->socket_quota[i] = quota(o, label, cfg->sockets[i].name,
					   cfg->sockets[i].quota);
	}
	z->arp = quota(o, "service arp (per port)", "arp", cfg->arp_quota);
	z->icmp = quota(o, "service icmp (per port)", "icmp", cfg->icmp_quota);
	z->nd = cfg->nd_quota;
	z->icmp6 = cfg->icmp6_quota;
	for (i = 0; i < cfg->nb_ports; i++)
		if (cfg->ports[i].nb_ip6 != 0)
			break;
	if (i < cfg->nb_ports) {
		z->nd = quota(o, "service nd (per port with ip6)", "nd",
			      cfg->nd_quota);
		z->icmp6 = quota(o, "service icmp6 (per port with ip6)",
				 "icmp6", cfg->icmp6_quota);
	}
	z->proxy = cfg->proxy.quota;
	if (cfg->proxy.enabled)
		z->proxy = quota(o, "proxy (each direction)", "proxy",
				 cfg->proxy.quota);
	z->capture = cfg->capture.quota;
	if (cfg->capture.enabled)
		z->capture = quota(o, "capture", "capture",
				   cfg->capture.quota);
	for (i = 0; i < o->nb_loads; i++)
		if (!o->loads[i].used) {
			fprintf(stderr, PROG ": --load %s: %s has no such consumer; give a [socket] name, arp, icmp, nd, icmp6 (with an ip6), proxy or capture\n",
				o->loads[i].name, cfg->path);
			return -1;
		}

	c = sized_config(cfg, z);
	if (c == NULL)
		return -1;
	ret = print_terms(c, (unsigned int)o->lcores, &sum);
	free(c);
	if (ret != 0)
		return -1;
	z->buffers = sum;
	printf(" = %" PRIu64 " (configured %u)\n", z->buffers,
	       cfg->arena.buffers);
	if (z->buffers < 64) {
		printf("  raised to 64, the smallest arena\n");
		z->buffers = 64;
	}
	stride = object_stride(cfg->arena.data_room, &elt, &hdr);
	printf("memory:\n  stride = object header %" PRIu64 " + mbuf %zu + data_room %u, in cache lines, coprime with %d memory channels = %" PRIu64 " B\n",
	       hdr, sizeof(struct rte_mbuf), cfg->arena.data_room,
	       MEM_CHANNELS, stride);
	printf("  %" PRIu64 " buffers x %" PRIu64 " B = %" PRIu64 " B (%.1f MiB), in one chunk\n",
	       z->buffers, stride, z->buffers * stride,
	       (double)(z->buffers * stride) / (1024.0 * 1024.0));
	return 0;
}

/* ---- --write: the file, its comments kept, with the sized figures ---- */

static bool
section_is(const char *line, const char *want)
{
	char name[128];

	return sscanf(line, " [%127[^]]]", name) == 1 &&
	       strcmp(name, want) == 0;
}

static bool
key_is(const char *line, const char *key)
{
	size_t n = strlen(key);

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, key, n) != 0)
		return false;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '=';
}

/* The value --write gives a section's key, or -1 to leave it. */
static int64_t
sized_value(const struct xchg_config *cfg, const struct sized *z,
	    const char *section, const char **key)
{
	char want[128];
	unsigned int i;

	*key = "quota";
	if (strcmp(section, "arena") == 0) {
		*key = "buffers";
		return (int64_t)z->buffers;
	}
	for (i = 0; i < cfg->nb_sockets; i++) {
		snprintf(want, sizeof(want), "socket %s", cfg->sockets[i].name);
		if (strcmp(section, want) == 0)
			return (int64_t)z->socket_quota[i];
	}
	if (strcmp(section, "service arp") == 0)
		return (int64_t)z->arp;
	if (strcmp(section, "service icmp") == 0)
		return (int64_t)z->icmp;
	if (strcmp(section, "service nd") == 0)
		return (int64_t)z->nd;
	if (strcmp(section, "service icmp6") == 0)
		return (int64_t)z->icmp6;
	if (strcmp(section, "proxy") == 0)
		return (int64_t)z->proxy;
	if (strcmp(section, "capture") == 0)
		return (int64_t)z->capture;
	return -1;
}

static void
end_section(FILE *out, int64_t v, const char *key, bool written)
{
	if (v >= 0 && !written)
		fprintf(out, "%s = %" PRId64 "\n", key, v);
}

static int
write_sized(const struct xchg_config *cfg, const struct sized *z,
	    const char *path)
{
	char line[1024], section[128] = "";
	bool written = false, have_arp = false, have_icmp = false;
	bool have_nd = false, have_icmp6 = false;
	const char *key = "quota";
	int64_t v = -1;
	FILE *in = fopen(cfg->path, "r"), *out;

	if (in == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", cfg->path, strerror(errno));
		return -1;
	}
	out = fopen(path, "w");
	if (out == NULL) {
		fprintf(stderr, PROG ": --write %s: cannot write it: %s\n",
			path, strerror(errno));
		fclose(in);
		return -1;
	}
	fprintf(out, "; Sized by " PROG " from %s (doc/sizing.rst).\n",
		cfg->path);
	while (fgets(line, sizeof(line), in) != NULL) {
		char name[128];

		if (sscanf(line, " [%127[^]]]", name) == 1) {
			end_section(out, v, key, written);
			snprintf(section, sizeof(section), "%s", name);
			have_arp |= section_is(line, "service arp");
			have_icmp |= section_is(line, "service icmp");
			have_nd |= section_is(line, "service nd");
			have_icmp6 |= section_is(line, "service icmp6");
			v = sized_value(cfg, z, section, &key);
			written = false;
			fputs(line, out);
			continue;
		}
		if (v >= 0 && key_is(line, key)) {
			fprintf(out, "%s = %" PRId64 "\n", key, v);
			written = true;
			continue;
		}
		fputs(line, out);
	}
	end_section(out, v, key, written);
	if (!have_arp && z->arp != cfg->arp_quota)
		fprintf(out, "\n[service arp]\nquota = %" PRIu64 "\n", z->arp);
	if (!have_icmp && z->icmp != cfg->icmp_quota)
		fprintf(out, "\n[service icmp]\nquota = %" PRIu64 "\n", z->icmp);
	if (!have_nd && z->nd != cfg->nd_quota)
		fprintf(out, "\n[service nd]\nquota = %" PRIu64 "\n", z->nd);
	if (!have_icmp6 && z->icmp6 != cfg->icmp6_quota)
		fprintf(out, "\n[service icmp6]\nquota = %" PRIu64 "\n",
			z->icmp6);
	fclose(in);
	if (fclose(out) != 0) {
		fprintf(stderr, PROG ": --write %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("written: %s\n", path);
	return 0;
}

/* ---- --from-replay -------------------------------------------------- */

/* Suggested quota for a pool far bigger than its peak: the peak plus
 * this headroom (a percentage), never below 1. */
#define HEADROOM_PCT 50

/* A critical socket's floor: its quota as computed here (from --load)
 * or, without --config, as the report shows it: one capture's peak is
 * not a worst case, so a critical socket's quota is never cut below
 * what its declared load needs. */
static json_int_t
critical_floor(const struct xchg_config *cfg, const struct sized *z,
	       const char *name, json_int_t q)
{
	int i = cfg != NULL ? xchg_config_socket_index(cfg, name) : -1;

	return i >= 0 ? (json_int_t)z->socket_quota[i] : q;
}

static int
from_replay(const char *path, const struct xchg_config *cfg,
	    const struct sized *z)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *top = root;
	json_t *pools, *runs, *p, *consumers;
	const char *name;
	int small = 0;

	if (root == NULL) {
		fprintf(stderr, PROG ": --from-replay %s:%d: %s\n", path,
			jerr.line, jerr.text);
		return -1;
	}
	runs = json_object_get(top, "runs");
	if (runs != NULL)
		top = json_object_get(runs, "exchange") ?: top;
	pools = json_object_get(top, "pools");
	consumers = json_object_get(top, "consumers");
	if (!json_is_object(pools)) {
		fprintf(stderr, PROG ": --from-replay %s: no \"pools\" object; give a report of xchg-replay\n",
			path);
		json_decref(root);
		return -1;
	}
	printf("observed in %s (peak = quota - low_watermark; headroom %d%% over the peak;\n"
	       "a critical socket is never advised below its quota need):\n",
	       path, HEADROOM_PCT);
	json_object_foreach(pools, name, p) {
		const char *kind = json_string_value(json_object_get(p, "kind"));
		json_int_t q = json_integer_value(json_object_get(p, "quota"));
		json_int_t low = json_integer_value(json_object_get(p,
							"low_watermark"));
		json_int_t refused = json_integer_value(json_object_get(p,
							"refused"));
		json_int_t peak = q - low, advice, floor;
		bool critical = json_is_true(json_object_get(
			json_object_get(consumers, name), "critical"));
		char label[XCHG_CONFIG_NAME_SIZE + 16];

		if (kind == NULL || strcmp(kind, "rx_queue") == 0 ||
		    strcmp(kind, "tx_queue") == 0)
			continue;
		snprintf(label, sizeof(label), "%s%s", name,
			 critical ? " (critical)" : "");
		if (low == 0 || refused > 0) {
			printf("  %-27s too small: quota %lld ran dry (low_watermark %lld, %lld refused)\n",
			       label, (long long)q, (long long)low,
			       (long long)refused);
			small++;
			continue;
		}
		if (strstr(name, "_fragstage") != NULL) {
			printf("  %-27s fixed (the stack's fragment staging area, no key): peak %lld of %lld\n",
			       label, (long long)peak, (long long)q);
			continue;
		}
		if (peak * 4 > q) {
			printf("  %-27s fits: peak %lld of quota %lld (low_watermark %lld)\n",
			       label, (long long)peak, (long long)q,
			       (long long)low);
			continue;
		}
		advice = RTE_MAX(peak + (peak * HEADROOM_PCT + 99) / 100,
				 (json_int_t)1);
		if (critical) {
			floor = critical_floor(cfg, z, name, q);
			printf("  %-27s keep quota %lld: peak %lld of quota %lld (low_watermark %lld) in this capture, but a critical socket keeps its quota need (%lld%s), not one capture's peak\n",
			       label, (long long)RTE_MAX(floor, advice),
			       (long long)peak, (long long)q, (long long)low,
			       (long long)floor,
			       cfg != NULL && xchg_config_socket_index(cfg,
					name) >= 0 ?
			       ", as --config sizes it" :
			       ", its configured quota");
		} else {
			printf("  %-27s far too big: peak %lld of quota %lld (low_watermark %lld); %lld would do (peak + %d%% headroom)\n",
			       label, (long long)peak, (long long)q,
			       (long long)low, (long long)advice, HEADROOM_PCT);
		}
	}
	json_decref(root);
	return small;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "load", required_argument, NULL, 'l' },
		{ "load-file", required_argument, NULL, 'f' },
		{ "lcores", required_argument, NULL, 'L' },
		{ "write", required_argument, NULL, 'w' },
		{ "from-replay", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct opts o = { .lcores = 1 };
	char err[XCHG_CONFIG_ERR_SIZE];
	struct xchg_config *cfg = NULL;
	struct sized z = { .buffers = 0 };
	int c, status = 2, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config = optarg;
			break;
		case 'l':
			if (parse_load(&o, optarg) != 0)
				return 2;
			break;
		case 'f':
			if (parse_load_file(&o, optarg) != 0)
				return 2;
			break;
		case 'L':
			if (xchg_app_number(PROG, "lcores", optarg, 1, 1024,
					    &o.lcores) != 0)
				return 2;
			break;
		case 'w':
			o.write = optarg;
			break;
		case 'r':
			o.from_replay = optarg;
			break;
		case 'h':
			usage();
			return 0;
		case ':':
			fprintf(stderr, PROG ": option %s needs a value; see " PROG " --help\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, PROG ": unknown option %s; see " PROG " --help\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'; see " PROG " --help\n",
			argv[optind]);
		return 2;
	}
	if (o.config == NULL && o.from_replay == NULL) {
		fprintf(stderr, PROG ": --config FILE is required; see " PROG " --help\n");
		return 2;
	}
	if (o.config != NULL) {
		cfg = xchg_config_load(o.config, err, sizeof(err));
		if (cfg == NULL) {
			fprintf(stderr, PROG ": %s\n", err);
			return 2;
		}
		memset(&z, 0, sizeof(z));
		if (compute(&o, cfg, &z) != 0 ||
		    (o.write != NULL && write_sized(cfg, &z, o.write) != 0))
			goto out;
	}
	status = 0;
	if (o.from_replay != NULL) {
		ret = from_replay(o.from_replay, cfg, &z);
		status = ret < 0 ? 2 : ret > 0 ? 3 : 0;
	}
out:
	xchg_config_free(cfg);
	return status;
}
