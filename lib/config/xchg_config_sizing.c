/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The sizing invariant, term by term: the one place that says what a
 * configuration reserves. xchg_config_sizing(), the loader's check and
 * xchg-size all read these terms.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "xchg_config.h"
#include "xchg_port.h"
#include "xchg_stack.h"

static const char *const group_names[XCHG_CONFIG_TERM_GROUPS] = {
	[XCHG_CONFIG_TERM_PORTS] = "ports",
	[XCHG_CONFIG_TERM_SOCKETS] = "sockets",
	[XCHG_CONFIG_TERM_SERVICES] = "services",
	[XCHG_CONFIG_TERM_STAGING] = "fragment staging",
	[XCHG_CONFIG_TERM_PROXY] = "proxy",
	[XCHG_CONFIG_TERM_CAPTURE] = "capture",
	[XCHG_CONFIG_TERM_CACHES] = "lcore caches",
};

const char *
xchg_config_term_group_name(enum xchg_config_term_group g)
{
	return (unsigned int)g < XCHG_CONFIG_TERM_GROUPS ? group_names[g] :
	       "?";
}

uint32_t
xchg_config_cache_slack(const struct xchg_config *cfg, unsigned int nb_lcores)
{
	uint32_t cache;

	if (cfg == NULL)
		return 0;
	cache = xchg_arena_cache_size(cfg->arena.lcore_cache);
	return cache == 0 ? 0 : nb_lcores * (cache + cache / 2 - 1);
}

uint32_t
xchg_config_frag_staging(const struct xchg_config *cfg)
{
	return cfg == NULL ? 0 : XCHG_STACK_FRAG_STAGING;
}

/* Where the next term goes: counted always, written while there is room. */
struct terms {
	struct xchg_config_term *t;
	unsigned int max, n;
};

static void
add(struct terms *ts, enum xchg_config_term_group g, bool critical,
    uint32_t count, uint32_t each, const char *name, const char *fmt, ...)
	__rte_format_printf(7, 8);

static void
add(struct terms *ts, enum xchg_config_term_group g, bool critical,
    uint32_t count, uint32_t each, const char *name, const char *fmt, ...)
{
	struct xchg_config_term *t;
	va_list ap;

	if ((uint64_t)count * each == 0)
		return;
	if (ts->n < ts->max) {
		t = &ts->t[ts->n];
		memset(t, 0, sizeof(*t));
		t->group = g;
		t->critical = critical;
		t->count = count;
		t->each = each;
		t->buffers = (uint64_t)count * each;
		snprintf(t->name, sizeof(t->name), "%s", name);
		va_start(ap, fmt);
		vsnprintf(t->formula, sizeof(t->formula), fmt, ap);
		va_end(ap);
	}
	ts->n++;
}

int
xchg_config_terms(const struct xchg_config *cfg, unsigned int nb_lcores,
		  struct xchg_config_term *terms, unsigned int max)
{
	struct terms ts = { .t = terms, .max = terms == NULL ? 0 : max };
	char name[XCHG_CONFIG_TERM_NAME_SIZE];
	uint32_t cache;
	unsigned int i, n6;

	if (cfg == NULL)
		return -EINVAL;
	for (i = 0; i < cfg->nb_ports; i++) {
		const struct xchg_config_port *p = &cfg->ports[i];

		/* What the PMD keeps per RX queue: rx_desc, or more for
		 * net_af_xdp and net_memif zero copy (config/README.rst). */
		uint32_t held = xchg_port_pmd_rx_hold(p->vdev[0] != '\0' ?
						      p->vdev : p->pci,
						      p->rx_desc);

		snprintf(name, sizeof(name), "port %s RX", p->name);
		if (held > p->rx_desc)
			add(&ts, XCHG_CONFIG_TERM_PORTS, false, p->rx_queues,
			    held + p->rx_slack, name,
			    "PMD keeps %u whatever rx_desc %u + rx_slack %u",
			    held, p->rx_desc, p->rx_slack);
		else
			add(&ts, XCHG_CONFIG_TERM_PORTS, false, p->rx_queues,
			    (uint32_t)p->rx_desc + p->rx_slack, name,
			    "rx_desc %u + rx_slack %u", p->rx_desc,
			    p->rx_slack);
		snprintf(name, sizeof(name), "port %s TX", p->name);
		add(&ts, XCHG_CONFIG_TERM_PORTS, false, p->tx_queues,
		    (uint32_t)p->tx_desc + p->tx_slack, name,
		    "tx_desc %u + tx_slack %u", p->tx_desc, p->tx_slack);
	}
	if (cfg->proxy.enabled)
		add(&ts, XCHG_CONFIG_TERM_PORTS, false, 1,
		    (uint32_t)cfg->proxy.rx_desc + XCHG_CONFIG_DEFAULT_RX_SLACK +
		    cfg->proxy.tx_desc + XCHG_CONFIG_DEFAULT_TX_SLACK,
		    "proxy TAP port", "rx_desc %u + %u + tx_desc %u + %u",
		    cfg->proxy.rx_desc, XCHG_CONFIG_DEFAULT_RX_SLACK,
		    cfg->proxy.tx_desc, XCHG_CONFIG_DEFAULT_TX_SLACK);
	for (i = 0; i < cfg->nb_sockets; i++) {
		const struct xchg_config_socket *s = &cfg->sockets[i];

		snprintf(name, sizeof(name), "socket %s", s->name);
		add(&ts, XCHG_CONFIG_TERM_SOCKETS,
		    s->priority == XCHG_PRIO_CRITICAL, 1, s->quota, name,
		    "quota %u", s->quota);
	}
	add(&ts, XCHG_CONFIG_TERM_SERVICES, false, cfg->nb_ports,
	    cfg->arp_quota, "service arp", "quota %u per port", cfg->arp_quota);
	add(&ts, XCHG_CONFIG_TERM_SERVICES, false, cfg->nb_ports,
	    cfg->icmp_quota, "service icmp", "quota %u per port",
	    cfg->icmp_quota);
	/* Neighbour discovery and ICMPv6 echo: ports with IPv6 only. */
	for (i = 0, n6 = 0; i < cfg->nb_ports; i++)
		n6 += cfg->ports[i].nb_ip6 != 0;
	if (n6 != 0) {
		add(&ts, XCHG_CONFIG_TERM_SERVICES, false, n6, cfg->nd_quota,
		    "service nd", "quota %u per port with ip6",
		    cfg->nd_quota);
		add(&ts, XCHG_CONFIG_TERM_SERVICES, false, n6,
		    cfg->icmp6_quota, "service icmp6",
		    "quota %u per port with ip6", cfg->icmp6_quota);
	}
	/* Each stack also reserves its reassembly staging area. */
	add(&ts, XCHG_CONFIG_TERM_STAGING, false, cfg->nb_ports,
	    xchg_config_frag_staging(cfg), "fragment staging",
	    "staging %u per port", xchg_config_frag_staging(cfg));
	if (cfg->proxy.enabled)
		add(&ts, XCHG_CONFIG_TERM_PROXY, false, 2, cfg->proxy.quota,
		    "proxy", "quota %u each direction", cfg->proxy.quota);
	if (cfg->capture.enabled)
		add(&ts, XCHG_CONFIG_TERM_CAPTURE, false, 1,
		    cfg->capture.quota, "capture", "quota %u",
		    cfg->capture.quota);
	cache = xchg_arena_cache_size(cfg->arena.lcore_cache);
	if (cache != 0)
		add(&ts, XCHG_CONFIG_TERM_CACHES, false, nb_lcores,
		    cache + cache / 2 - 1, "lcore caches",
		    "lcore_cache %u + %u / 2 - 1", cache, cache);
	return (int)RTE_MIN(ts.n, (unsigned int)INT32_MAX);
}

int
xchg_config_sizing(const struct xchg_config *cfg, unsigned int nb_lcores,
		   struct xchg_config_sizing *z)
{
	/* Ports x 2 + proxy + sockets + 5 + caches, with room to grow. */
	struct xchg_config_term t[2 * XCHG_CONFIG_MAX_PORTS +
				  XCHG_CONFIG_MAX_SOCKETS + 16];
	uint64_t sum[XCHG_CONFIG_TERM_GROUPS] = { 0 }, total = 0;
	int n, i;

	if (cfg == NULL || z == NULL)
		return -EINVAL;
	memset(z, 0, sizeof(*z));
	n = xchg_config_terms(cfg, nb_lcores, t, RTE_DIM(t));
	if (n < 0 || n > (int)RTE_DIM(t))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if ((unsigned int)t[i].group < XCHG_CONFIG_TERM_GROUPS)
			sum[t[i].group] += t[i].buffers;
		total += t[i].buffers;
	}
#define U32(v) ((uint32_t)RTE_MIN((v), (uint64_t)UINT32_MAX))
	z->buffers = cfg->arena.buffers;
	z->ports = U32(sum[XCHG_CONFIG_TERM_PORTS]);
	z->sockets = U32(sum[XCHG_CONFIG_TERM_SOCKETS]);
	z->services = U32(sum[XCHG_CONFIG_TERM_SERVICES]);
	z->staging = U32(sum[XCHG_CONFIG_TERM_STAGING]);
	z->proxy = U32(sum[XCHG_CONFIG_TERM_PROXY]);
	z->capture = U32(sum[XCHG_CONFIG_TERM_CAPTURE]);
	z->cache_slack = U32(sum[XCHG_CONFIG_TERM_CACHES]);
	z->required = U32(total);
#undef U32
	z->shortfall = total > z->buffers ? (uint32_t)(total - z->buffers) : 0;
	return z->shortfall != 0 ? -ENOSPC : 0;
}
