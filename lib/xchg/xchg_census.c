/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The census: walk the owner tag of every buffer and check the counts
 * against two independent books, the free store and each pool's counter.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_string_fns.h>

#include "xchg_census.h"
#include "xchg_private.h"

static const char * const rule_names[] = {
	[XCHG_CENSUS_OK] = "ok",
	[XCHG_CENSUS_FREE_COUNT] = "free_count",
	[XCHG_CENSUS_OWNER_COUNT] = "owner_count",
	[XCHG_CENSUS_OVER_QUOTA] = "over_quota",
	[XCHG_CENSUS_RINGS_OVER] = "rings_over",
	[XCHG_CENSUS_BAD_TAG] = "bad_tag",
	[XCHG_CENSUS_OVER_CREDIT] = "over_credit",
};

/* What a broken rule means, in the words the guide uses, and the usual
 * cause; printed by xchg_census_format(). */
static const char * const rule_texts[] = {
	[XCHG_CENSUS_OK] = "every rule holds",
	[XCHG_CENSUS_FREE_COUNT] = "buffers marked free differ from buffers in the free store: a buffer stored twice or lost by a path around the arena's mempool driver",
	[XCHG_CENSUS_OWNER_COUNT] = "buffers tagged to a pool differ from its counter",
	[XCHG_CENSUS_OVER_QUOTA] = "a pool holds more buffers than its quota",
	[XCHG_CENSUS_RINGS_OVER] = "buffers out with no owner beyond the NIC ring allowance: a leak, or raw allocations from the arena's mempool (rte_pktmbuf_alloc, rte_mempool_get, rte_pktmbuf_clone into the arena); allocate with xchg_alloc_bulk and clone with xchg_pool_clone",
	[XCHG_CENSUS_BAD_TAG] = "a buffer is tagged to no live pool",
	[XCHG_CENSUS_OVER_CREDIT] = "a pool was credited more units than its quota: a buffer freed by two lcores at the same instant (plain free marking; see xchg_arena_conf::strict), or given back twice by a path around the arena's checks",
};

const char *
xchg_census_rule_text(enum xchg_census_rule rule)
{
	return (unsigned int)rule < RTE_DIM(rule_texts) ? rule_texts[rule] :
							   "unknown rule";
}

const char *
xchg_census_rule_name(enum xchg_census_rule rule)
{
	return (unsigned int)rule < RTE_DIM(rule_names) ? rule_names[rule] :
							   "unknown";
}

/* Record the first broken rule only: later ones often follow from it. */
static void
broke(struct xchg_census *c, enum xchg_census_rule rule, const char *where,
      uint64_t expected, uint64_t found)
{
	if (c->broken != XCHG_CENSUS_OK)
		return;
	c->broken = rule;
	strlcpy(c->where, where, sizeof(c->where));
	c->expected = expected;
	c->found = found;
}

static bool
is_nic_kind(uint8_t kind)
{
	return kind == XCHG_KIND_RX_QUEUE || kind == XCHG_KIND_TX_QUEUE;
}

static void
check_pools(struct xchg_arena *a, const uint32_t *held, struct xchg_census *c)
{
	uint32_t nic_quota = 0;
	unsigned int t;

	for (t = 1; t <= a->max_pools; t++) {
		struct xchg_pool *p = &a->pools[t];
		uint32_t quota, avail;

		if (p->state != XCHG_POOL_LIVE)
			continue;
		c->nb_pools++;
		xchg_pool_read_avail(p, &quota, &avail);
		if (is_nic_kind(p->kind))
			nic_quota += quota;
		if (held[t] > quota)
			broke(c, XCHG_CENSUS_OVER_QUOTA, p->name, quota,
			      held[t]);
		if (avail > quota)
			broke(c, XCHG_CENSUS_OVER_CREDIT, p->name, quota,
			      avail);
		else if (held[t] != quota - avail)
			broke(c, XCHG_CENSUS_OWNER_COUNT, p->name,
			      (uint64_t)quota - avail, held[t]);
	}
	/* Overcommitted, nothing is promised: any count is allowed. */
	c->rings_allowed = a->overcommit ? a->nb_buffers :
			   nic_quota + xchg_arena_unreserved(a);
	if (c->in_rings > c->rings_allowed)
		broke(c, XCHG_CENSUS_RINGS_OVER, "", c->rings_allowed,
		      c->in_rings);
}

int
xchg_arena_census(struct xchg_arena *a, struct xchg_census *c)
{
	uint32_t *held;
	uint32_t i;

	if (a == NULL || c == NULL)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	/* Control path: the per-pool tally is allowed to allocate. */
	held = calloc(a->max_pools + 1u, sizeof(*held));
	if (held == NULL)
		return -ENOMEM;

	pthread_mutex_lock(&a->lock);
	c->total = a->nb_buffers;
	for (i = 0; i < a->nb_buffers; i++) {
		xchg_tag_t tag = __atomic_load_n(&a->tags[i],
						 __ATOMIC_RELAXED);

		if (tag == XCHG_TAG_FREE) {
			c->free++;
		} else if (tag == XCHG_TAG_NONE) {
			c->in_rings++;
		} else if (tag > a->max_pools ||
			   a->pools[tag].state != XCHG_POOL_LIVE) {
			char where[XCHG_NAME_SIZE];

			snprintf(where, sizeof(where), "buffer %u", i);
			broke(c, XCHG_CENSUS_BAD_TAG, where, 0, tag);
		} else {
			held[tag]++;
			c->owned++;
		}
	}
	c->free_store = xchg_ops_free_count(a);
	/* The pools first: a buffer credited twice is also stored twice,
	 * and the over-credit is the cause to name. */
	check_pools(a, held, c);
	if (c->free != c->free_store)
		broke(c, XCHG_CENSUS_FREE_COUNT, "", c->free_store, c->free);
	xchg_watch_tick_locked(a);
	pthread_mutex_unlock(&a->lock);
	free(held);

	c->conserved = c->broken == XCHG_CENSUS_OK;
	return c->conserved ? 0 : -EFAULT;
}

int
xchg_census_format(const struct xchg_census *c, char *buf, size_t size)
{
	int n;

	if (c == NULL || buf == NULL)
		return -EINVAL;
	n = snprintf(buf, size,
		     "total %u = free %u + owned %u + in rings %u (free store %u, rings allowed %u, %u pools): ",
		     c->total, c->free, c->owned, c->in_rings, c->free_store,
		     c->rings_allowed, c->nb_pools);
	if (n < 0 || (size_t)n >= size)
		return n;
	if (c->conserved)
		return n + snprintf(buf + n, size - n, "conserved");
	return n + snprintf(buf + n, size - n,
			    "BROKEN %s at '%s': expected %" PRIu64 ", found %" PRIu64 " (%s)",
			    xchg_census_rule_name(c->broken), c->where,
			    c->expected, c->found,
			    xchg_census_rule_text(c->broken));
}
