/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Telemetry: /xchg/pools and /xchg/census, read with dpdk-telemetry.py.
 * Both take an optional arena name; without one they report every arena,
 * keyed by arena name.
 */

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_telemetry.h>
#include <rte_version.h>

#include "xchg_census.h"
#include "xchg_private.h"

/* DPDK 23.03 renamed the u64 helper and deprecated the old name. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define tel_dict_u64 rte_tel_data_add_dict_uint
#else
#define tel_dict_u64 rte_tel_data_add_dict_u64
#endif

/* Telemetry keys may hold letters, digits, '_' and '/' only: any other
 * character of a name becomes '_', so no pool goes missing. */
static const char *
tel_key(const char *name, char *key, size_t size)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < size; i++)
		key[i] = isalnum((unsigned char)name[i]) || name[i] == '/' ?
			 name[i] : '_';
	key[i] = '\0';
	return key;
}

static int
pool_to_tel(struct xchg_pool *p, void *arg)
{
	struct rte_tel_data *d = arg;
	struct rte_tel_data *pd = rte_tel_data_alloc();
	struct xchg_pool_stats s;
	char key[XCHG_NAME_SIZE];

	if (pd == NULL || xchg_pool_stats_get(p, &s) != 0) {
		rte_tel_data_free(pd);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(pd);
	rte_tel_data_add_dict_string(pd, "kind",
				     xchg_pool_kind_name(xchg_pool_kind(p)));
	tel_dict_u64(pd, "quota", s.quota);
	tel_dict_u64(pd, "in_use", s.in_use);
	tel_dict_u64(pd, "available", s.available);
	tel_dict_u64(pd, "low_watermark", s.low_watermark);
	tel_dict_u64(pd, "accepted", s.accepted);
	tel_dict_u64(pd, "refused", s.refused);
	tel_dict_u64(pd, "rejected", s.rejected);
	tel_dict_u64(pd, "allocated", s.allocated);
	tel_dict_u64(pd, "alloc_failed", s.alloc_failed);
	tel_dict_u64(pd, "returned", s.returned);
	if (rte_tel_data_add_dict_container(d,
			tel_key(xchg_pool_name(p), key, sizeof(key)), pd, 0) != 0)
		rte_tel_data_free(pd);
	return 0;
}

static int
census_to_tel(struct xchg_arena *a, struct rte_tel_data *d)
{
	struct xchg_census c;
	int ret = xchg_arena_census(a, &c);

	if (ret == -EINVAL || ret == -ENOMEM)
		return ret;
	tel_dict_u64(d, "total", c.total);
	tel_dict_u64(d, "free", c.free);
	tel_dict_u64(d, "free_store", c.free_store);
	tel_dict_u64(d, "owned", c.owned);
	tel_dict_u64(d, "in_rings", c.in_rings);
	tel_dict_u64(d, "rings_allowed", c.rings_allowed);
	tel_dict_u64(d, "pools", c.nb_pools);
	tel_dict_u64(d, "conserved", c.conserved);
	rte_tel_data_add_dict_string(d, "broken",
				     xchg_census_rule_name(c.broken));
	rte_tel_data_add_dict_string(d, "where", c.where);
	tel_dict_u64(d, "expected", c.expected);
	tel_dict_u64(d, "found", c.found);
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
	char key[XCHG_NAME_SIZE];
	int ret;

	/* Under the registry lock: the arena cannot be freed meanwhile. */
	if (all->name != NULL) {
		if (strcmp(a->name, all->name) != 0)
			return 0;
		all->found = true;
		return arena_to_tel(a, all->d, all->census);
	}
	ad = rte_tel_data_alloc();
	if (ad == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(ad);
	ret = arena_to_tel(a, ad, all->census);
	if (ret != 0 ||
	    rte_tel_data_add_dict_container(all->d,
			tel_key(a->name, key, sizeof(key)), ad, 0) != 0)
		rte_tel_data_free(ad);
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
		"Owner pools: quota, in_use, available, refused, low watermark... Param: arena name (optional)");
	ret |= rte_telemetry_register_cmd("/xchg/census", handle_census,
		"Buffer census, first broken rule; exact when quiescent. Param: arena name (optional)");
	if (ret != 0)
		XCHG_LOG(WARNING, "telemetry commands not registered\n");
}

void
xchg_telemetry_init(void)
{
	pthread_once(&tel_once, tel_register);
}
