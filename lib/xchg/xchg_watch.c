/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Leak watch: a scanner over the owner tags that stamps, per buffer, the
 * time it was first seen with its owner, and per pool how long its
 * available units have stayed at or below a threshold. No data path
 * call reads or writes anything of it.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "xchg_private.h"
#include "xchg_watch.h"

static uint64_t
default_clock_ms(void)
{
	return rte_get_timer_cycles() / (rte_get_timer_hz() / 1000);
}

static uint64_t
now_ms(const struct xchg_watch *w)
{
	return w->clock_ms != NULL ? w->clock_ms() : default_clock_ms();
}

int
xchg_watch_alloc(struct xchg_arena *a)
{
	struct xchg_watch *w = &a->watch;

	w->stamp = rte_zmalloc_socket("xchg_watch_stamp",
				      sizeof(*w->stamp) * a->nb_buffers,
				      RTE_CACHE_LINE_SIZE, a->socket_id);
	w->seen = rte_zmalloc_socket("xchg_watch_seen",
				     sizeof(*w->seen) * a->nb_buffers,
				     RTE_CACHE_LINE_SIZE, a->socket_id);
	w->pools = rte_zmalloc_socket("xchg_watch_pools",
				      sizeof(*w->pools) * (a->max_pools + 1u),
				      RTE_CACHE_LINE_SIZE, a->socket_id);
	w->starve_ms = XCHG_WATCH_STARVE_MS_DEFAULT;
	return w->stamp == NULL || w->seen == NULL || w->pools == NULL ?
	       -ENOMEM : 0;
}

void
xchg_watch_release(struct xchg_arena *a)
{
	rte_free(a->watch.stamp);
	rte_free(a->watch.seen);
	rte_free(a->watch.pools);
}

void
xchg_watch_pool_reset(struct xchg_arena *a, xchg_tag_t tag)
{
	struct xchg_watch_pool *wp = &a->watch.pools[tag];

	memset(wp, 0, sizeof(*wp));
	wp->quiet_since = now_ms(&a->watch);
	wp->last_now = wp->quiet_since;
}

int
xchg_watch_configure(struct xchg_arena *a, const struct xchg_watch_conf *conf)
{
	if (a == NULL || conf == NULL || conf->starve_permille > 1000)
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	a->watch.starve_ms = conf->starve_ms;
	a->watch.starve_permille = conf->starve_permille;
	a->watch.clock_ms = conf->clock_ms;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

/* Age of a pool's oldest buffer, as a lower bound: from the later of its
 * stamp and the pool's last free. */
static uint64_t
oldest_age(const struct xchg_watch_pool *wp)
{
	uint64_t since = RTE_MAX(wp->oldest, wp->quiet_since);

	return wp->held == 0 || wp->last_now < since ? 0 :
	       wp->last_now - since;
}

/* Starved now; reported once when it lasts longer than starve_ms.
 * Returns 1 when this tick reports it. */
static int
check_starved(struct xchg_arena *a, struct xchg_pool *p, uint64_t now)
{
	struct xchg_watch *w = &a->watch;
	struct xchg_watch_pool *wp = &w->pools[p->tag];
	uint32_t quota, avail;

	xchg_pool_read_avail(p, &quota, &avail);
	if ((uint64_t)avail * 1000 > (uint64_t)quota * w->starve_permille) {
		wp->low = false;
		wp->reported = false;
		return 0;
	}
	if (!wp->low) {
		wp->low = true;
		wp->low_since = now;
	}
	if (wp->reported || w->starve_ms == 0 ||
	    now - wp->low_since <= w->starve_ms)
		return 0;
	wp->reported = true;
	wp->starve_reports++;
	XCHG_LOG(WARNING, "pool %s: %u of %u units available for %" PRIu64 " ms (reported once); it holds %u buffers, the oldest held at least %" PRIu64 " ms\n",
		 p->name, avail, quota, now - wp->low_since, wp->held,
		 oldest_age(wp));
	return 1;
}

static int
tick_locked(struct xchg_arena *a)
{
	struct xchg_watch *w = &a->watch;
	uint64_t now = now_ms(w);
	unsigned int t;
	uint32_t i;
	int reported = 0;

	for (t = 1; t <= a->max_pools; t++) {
		struct xchg_watch_pool *wp = &w->pools[t];
		struct xchg_pool_counters c;
		uint64_t ret;

		if (a->pools[t].state != XCHG_POOL_LIVE)
			continue;
		xchg_pool_cnt_sum(a, t, &c);
		ret = c.returned - a->pools[t].base.returned;
		if (ret != wp->last_returned) {
			wp->last_returned = ret;
			wp->quiet_since = now;
		}
		wp->held = 0;
		wp->oldest = UINT64_MAX;
		wp->last_now = now;
	}
	for (i = 0; i < a->nb_buffers; i++) {
		xchg_tag_t tag = __atomic_load_n(&a->tags[i],
						 __ATOMIC_RELAXED);

		if (!w->ticked || tag != w->seen[i]) {
			w->seen[i] = tag;
			w->stamp[i] = now;
		}
		if (tag == XCHG_TAG_NONE || tag == XCHG_TAG_FREE ||
		    tag > a->max_pools ||
		    a->pools[tag].state != XCHG_POOL_LIVE)
			continue;
		w->pools[tag].held++;
		w->pools[tag].oldest = RTE_MIN(w->pools[tag].oldest,
					       w->stamp[i]);
	}
	w->ticked = true;
	for (t = 1; t <= a->max_pools; t++)
		if (a->pools[t].state == XCHG_POOL_LIVE)
			reported += check_starved(a, &a->pools[t], now);
	return reported;
}

void
xchg_watch_tick_locked(struct xchg_arena *a)
{
	tick_locked(a);
}

int
xchg_watch_tick(struct xchg_arena *a)
{
	int ret;

	if (a == NULL)
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	ret = tick_locked(a);
	pthread_mutex_unlock(&a->lock);
	return ret;
}

static void
fill_holder(const struct xchg_arena *a, const struct xchg_pool *p,
	    struct xchg_holder *h)
{
	const struct xchg_watch_pool *wp = &a->watch.pools[p->tag];

	memset(h, 0, sizeof(*h));
	strlcpy(h->name, p->name, sizeof(h->name));
	h->kind = (enum xchg_pool_kind)p->kind;
	h->held = wp->held;
	h->quota = __atomic_load_n(&p->quota, __ATOMIC_RELAXED);
	h->oldest_ms = oldest_age(wp);
	h->starved = wp->low;
	h->starved_ms = wp->low ? wp->last_now - wp->low_since : 0;
	h->starve_reports = wp->starve_reports;
}

int
xchg_watch_holders(struct xchg_arena *a, struct xchg_holder *holders,
		   unsigned int max)
{
	unsigned int t;
	int n = 0;

	if (a == NULL || (holders == NULL && max != 0))
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	tick_locked(a);
	for (t = 1; t <= a->max_pools; t++) {
		const struct xchg_pool *p = &a->pools[t];

		if (p->state != XCHG_POOL_LIVE || a->watch.pools[t].held == 0)
			continue;
		if ((unsigned int)n < max)
			fill_holder(a, p, &holders[n]);
		n++;
	}
	pthread_mutex_unlock(&a->lock);
	return n;
}

/* Safe under the arena lock (xchg_pool_foreach, telemetry): it reads
 * only what ticks write under that lock. */
int
xchg_watch_pool_get(const struct xchg_pool *p, struct xchg_holder *h)
{
	if (!xchg_pool_is_live(p) || h == NULL)
		return -EINVAL;
	fill_holder(p->arena, p, h);
	return 0;
}

struct print_ctx {
	FILE *f;
	int holders;
};

static int
print_arena(struct xchg_arena *a, void *arg)
{
	struct print_ctx *ctx = arg;
	struct xchg_holder h;
	uint32_t no_owner = 0, i;
	unsigned int t;

	pthread_mutex_lock(&a->lock);
	tick_locked(a);
	for (t = 1; t <= a->max_pools; t++) {
		const struct xchg_pool *p = &a->pools[t];

		if (p->state != XCHG_POOL_LIVE || a->watch.pools[t].held == 0)
			continue;
		fill_holder(a, p, &h);
		fprintf(ctx->f, "xchg: arena %s: %s %s still holds %u of %u buffers, the oldest held at least %" PRIu64 " ms%s\n",
			a->name, xchg_pool_kind_name(h.kind), h.name, h.held,
			h.quota, h.oldest_ms,
			h.starved ? ", starved" : "");
		ctx->holders++;
	}
	for (i = 0; i < a->nb_buffers; i++)
		no_owner += a->tags[i] == XCHG_TAG_NONE;
	pthread_mutex_unlock(&a->lock);
	if (no_owner != 0)
		fprintf(ctx->f, "xchg: arena %s: %u buffers out with no owner (NIC rings, raw allocations)\n",
			a->name, no_owner);
	return 0;
}

int
xchg_census_print_holders(FILE *f)
{
	struct print_ctx ctx = { f, 0 };

	if (f == NULL)
		return -EINVAL;
	xchg_arena_foreach(print_arena, &ctx);
	return ctx.holders;
}

uint64_t
xchg_watch_now_ms(const struct xchg_arena *a)
{
	return now_ms(&a->watch);
}
