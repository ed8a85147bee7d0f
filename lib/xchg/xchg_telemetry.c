/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Telemetry: /xchg/pools and /xchg/census, read with dpdk-telemetry.py.
 * Both take an optional arena name; without one they report every arena,
 * keyed by arena name.
 */

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_telemetry.h>
#include <rte_version.h>

#include "xchg_census.h"
#include "xchg_private.h"
#include "xchg_tel_util.h"
#include "xchg_watch.h"



static int
pool_to_tel(struct xchg_pool *p, void *arg)
{
	struct rte_tel_data *d = arg;
	struct rte_tel_data *pd = xchg_tel_new_dict();
	struct xchg_pool_stats s;
	struct xchg_holder h;

	if (pd == NULL || xchg_pool_stats_get(p, &s) != 0) {
		rte_tel_data_free(pd);
		return -ENOMEM;
	}
	rte_tel_data_add_dict_string(pd, "kind",
				     xchg_pool_kind_name(xchg_pool_kind(p)));
	xchg_tel_u64(pd, "quota", s.quota);
	xchg_tel_u64(pd, "in_use", s.in_use);
	xchg_tel_u64(pd, "available", s.available);
	xchg_tel_u64(pd, "low_watermark", s.low_watermark);
	xchg_tel_u64(pd, "accepted", s.accepted);
	xchg_tel_u64(pd, "refused", s.refused);
	xchg_tel_u64(pd, "rejected", s.rejected);
	xchg_tel_u64(pd, "allocated", s.allocated);
	xchg_tel_u64(pd, "alloc_failed", s.alloc_failed);
	xchg_tel_u64(pd, "returned", s.returned);
	xchg_tel_u64(pd, "over_credit", s.over_credit);
	if (xchg_watch_pool_get(p, &h) == 0) {
		xchg_tel_u64(pd, "held_oldest_ms", h.oldest_ms);
		xchg_tel_u64(pd, "starved", h.starved);
		xchg_tel_u64(pd, "starved_ms", h.starved_ms);
		xchg_tel_u64(pd, "starve_reports", h.starve_reports);
	}
	xchg_tel_add_container(d, xchg_pool_name(p), pd);
	return 0;
}

static int
census_to_tel(struct xchg_arena *a, struct rte_tel_data *d)
{
	struct xchg_census c;
	int ret = xchg_arena_census(a, &c);

	if (ret == -EINVAL || ret == -ENOMEM)
		return ret;
	xchg_tel_u64(d, "total", c.total);
	xchg_tel_u64(d, "free", c.free);
	xchg_tel_u64(d, "free_store", c.free_store);
	xchg_tel_u64(d, "owned", c.owned);
	xchg_tel_u64(d, "in_rings", c.in_rings);
	xchg_tel_u64(d, "rings_allowed", c.rings_allowed);
	xchg_tel_u64(d, "pools", c.nb_pools);
	xchg_tel_u64(d, "conserved", c.conserved);
	xchg_tel_u64(d, "in_motion", c.in_motion);
	xchg_tel_u64(d, "motion_bound", c.motion_bound);
	rte_tel_data_add_dict_string(d, "broken",
				     xchg_census_rule_name(c.broken));
	rte_tel_data_add_dict_string(d, "where", c.where);
	xchg_tel_u64(d, "expected", c.expected);
	xchg_tel_u64(d, "found", c.found);
	return 0;
}

static int
arena_to_tel(struct xchg_arena *a, struct rte_tel_data *d, bool census)
{
	return census ? census_to_tel(a, d) :
			xchg_pool_foreach(a, pool_to_tel, d);
}

struct tel_all {
	struct rte_tel_data *d;
	bool census;
	const char *name;   /* one arena only, or NULL for all */
	bool found;
};

static int
arena_to_tel_nested(struct xchg_arena *a, void *arg)
{
	struct tel_all *all = arg;
	struct rte_tel_data *ad;
	int ret;

	/* Under the registry lock: the arena cannot be freed meanwhile.
	 * One shape with or without a parameter: arena name -> figures. */
	if (all->name != NULL) {
		if (strcmp(a->name, all->name) != 0)
			return 0;
		all->found = true;
	}
	ad = xchg_tel_new_dict();
	if (ad == NULL)
		return -ENOMEM;
	ret = arena_to_tel(a, ad, all->census);
	if (ret != 0)
		rte_tel_data_free(ad);
	else
		xchg_tel_add_container(all->d, a->name, ad);
	return ret;
}

static int
handle(const char *params, struct rte_tel_data *d, bool census)
{
	struct tel_all all = { .d = d, .census = census };
	int ret;

	rte_tel_data_start_dict(d);
	if (params != NULL && params[0] != '\0')
		all.name = params;
	ret = xchg_arena_foreach(arena_to_tel_nested, &all);
	if (ret == 0 && all.name != NULL && !all.found)
		ret = -EINVAL;
	return ret;
}

static int
handle_pools(const char *cmd __rte_unused, const char *params,
	     struct rte_tel_data *d)
{
	return handle(params, d, false);
}

static int
handle_census(const char *cmd __rte_unused, const char *params,
	      struct rte_tel_data *d)
{
	return handle(params, d, true);
}

static pthread_once_t tel_once = PTHREAD_ONCE_INIT;

/* Help texts must stay under RTE_TEL_MAX_STRING_LEN, or registration
 * fails. */
static void
tel_register(void)
{
	int ret;

	ret = rte_telemetry_register_cmd("/xchg/pools", handle_pools,
		"Owner pools by arena: quota, in_use, available, low_watermark, refused... Param: arena name (optional)");
	ret |= rte_telemetry_register_cmd("/xchg/census", handle_census,
		"Buffer census by arena, first broken rule; exact when quiescent. Param: arena name (optional)");
	if (ret != 0)
		XCHG_LOG(WARNING, "telemetry commands not registered\n");
}

void
xchg_telemetry_init(void)
{
	pthread_once(&tel_once, tel_register);
}
