/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Owner pools on the control path: creation against the sizing
 * invariant, resize, free, lookup and statistics. A pool's books are
 * counters with one writer each (xchg_quota.h), so that exchange,
 * allocation, free and resize can all run at once without a lock.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_string_fns.h>

#include "xchg_private.h"
#include "xchg_quota.h"

static const char * const kind_names[XCHG_KIND_MAX] = {
	[XCHG_KIND_RX_QUEUE] = "rx_queue",
	[XCHG_KIND_TX_QUEUE] = "tx_queue",
	[XCHG_KIND_SOCKET] = "socket",
	[XCHG_KIND_SERVICE] = "service",
	[XCHG_KIND_PROXY] = "proxy",
	[XCHG_KIND_CAPTURE] = "capture",
};

const char *
xchg_pool_kind_name(enum xchg_pool_kind kind)
{
	return (unsigned int)kind < XCHG_KIND_MAX ? kind_names[kind] :
						    "unknown";
}

/* What a quota may still take: everything when overcommitted. */
static uint32_t
unreserved(const struct xchg_arena *a)
{
	return a->overcommit ? UINT32_MAX - a->reserved :
			       xchg_arena_unreserved(a);
}

static struct xchg_pool *
find_live(struct xchg_arena *a, const char *name)
{
	unsigned int i;

	for (i = 1; i <= a->max_pools; i++)
		if (a->pools[i].state == XCHG_POOL_LIVE &&
		    strcmp(a->pools[i].name, name) == 0)
			return &a->pools[i];
	return NULL;
}

/* Slots are taken round robin, so that a stale handle to a freed pool
 * keeps failing cleanly for as long as possible. */
static struct xchg_pool *
take_slot(struct xchg_arena *a)
{
	unsigned int i, slot;

	for (i = 0; i < a->max_pools; i++) {
		slot = 1 + (a->next_slot - 1 + i) % a->max_pools;
		if (a->pools[slot].state != XCHG_POOL_LIVE) {
			a->next_slot = 1 + slot % a->max_pools;
			return &a->pools[slot];
		}
	}
	return NULL;
}

static int
create_check(struct xchg_arena *a, const char *name,
	     enum xchg_pool_kind kind, uint32_t quota)
{
	if (a == NULL || name == NULL || name[0] == '\0' ||
	    strlen(name) >= XCHG_NAME_SIZE) {
		XCHG_LOG(ERR, "pool: arena must be set and name have 1 to %d characters\n",
			 XCHG_NAME_SIZE - 1);
		return EINVAL;
	}
	if ((unsigned int)kind >= XCHG_KIND_MAX || quota == 0) {
		XCHG_LOG(ERR, "pool %s: %s\n", name, quota == 0 ?
			 "quota must be at least 1" : "unknown kind");
		return EINVAL;
	}
	if (find_live(a, name) != NULL) {
		XCHG_LOG(ERR, "pool %s: name in use in arena %s\n",
			 name, a->name);
		return EEXIST;
	}
	if (quota > unreserved(a)) {
		XCHG_LOG(ERR, "pool %s: quota %u is %u more than arena %s has unreserved (%u of %u buffers; %u reserved, %u for lcore caches); give the arena %u more buffers or lower the quota\n",
			 name, quota, quota - unreserved(a), a->name,
			 unreserved(a), a->nb_buffers, a->reserved,
			 a->cache_slack, quota - unreserved(a));
		return ENOSPC;
	}
	return 0;
}

struct xchg_pool *
xchg_pool_create(struct xchg_arena *a, const char *name,
		 enum xchg_pool_kind kind, uint32_t quota)
{
	struct xchg_pool *p;
	xchg_tag_t tag;
	int err;

	/* An exchange reads and writes one line of its pool (see the
	 * struct's comment in xchg_private.h). */
	RTE_BUILD_BUG_ON(offsetof(struct xchg_pool, arena) +
			 sizeof(struct xchg_arena *) > RTE_CACHE_LINE_SIZE);
	if (a == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&a->lock);
	err = create_check(a, name, kind, quota);
	p = err == 0 ? take_slot(a) : NULL;
	if (err == 0 && p == NULL) {
		XCHG_LOG(ERR, "pool %s: arena %s has all %u pool slots in use; create it with a larger max_pools\n",
			 name, a->name, a->max_pools);
		err = EMFILE;
	}
	if (err != 0) {
		pthread_mutex_unlock(&a->lock);
		rte_errno = err;
		return NULL;
	}
	tag = (xchg_tag_t)(p - a->pools);
	memset(p, 0, sizeof(*p));
	p->tag = tag;
	/* A slot used before keeps its counters: start from their sums. */
	xchg_pool_cnt_sum(a, tag, &p->base);
	p->kind = kind;
	p->arena = a;
	p->quota = quota;
	/* Nothing in use: taken equals what the slot's sets gave back. */
	p->taken = xchg_quota_back_sum(a, tag, UINT32_MAX);
	p->ret_seen = p->taken;
	p->stock = 0;
	p->floor = 0;
	p->acq = a->owner_ok ? XCHG_ACQ_NONE : XCHG_ACQ_SHARED;
	p->low_watermark = quota;
	strlcpy(p->name, name, sizeof(p->name));
	a->reserved += quota;
	a->nb_pools++;
	xchg_watch_pool_reset(a, tag);
	__atomic_store_n(&p->state, XCHG_POOL_LIVE, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&a->lock);

	XCHG_LOG(DEBUG, "pool %s (%s): quota %u in arena %s, %u unreserved\n",
		 name, kind_names[kind], quota, a->name, unreserved(a));
	return p;
}

int
xchg_pool_free(struct xchg_pool *p)
{
	struct xchg_arena *a;
	uint32_t avail, quota;

	if (!xchg_pool_is_live(p))
		return -EINVAL;
	a = p->arena;
	pthread_mutex_lock(&a->lock);
	xchg_pool_read_avail(p, &quota, &avail);
	if (p->state != XCHG_POOL_LIVE || avail != quota) {
		int ret = p->state != XCHG_POOL_LIVE ? -EINVAL : -EBUSY;

		pthread_mutex_unlock(&a->lock);
		if (ret == -EBUSY && avail > quota)
			XCHG_LOG(ERR, "pool %s: not freed, it was credited %u units more than its quota %u: a buffer freed by two lcores at once, or given back twice by a path the library cannot check; xchg_arena_census names it\n",
				 p->name, avail - quota, quota);
		else if (ret == -EBUSY)
			XCHG_LOG(ERR, "pool %s: not freed, it holds %u buffers\n",
				 p->name, quota - avail);
		return ret;
	}
	__atomic_store_n(&p->state, XCHG_POOL_FREED, __ATOMIC_RELEASE);
	a->reserved -= p->quota;
	a->nb_pools--;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

/* Lower the quota by up to @want units not in use; returns how many.
 * The new quota is stored first (seq_cst) and every acquirer's section
 * that may have read the old one is waited for (xchg_quota.h), so that
 * in_use read afterwards can only fall: if it is above the new quota,
 * the quota is set back up to it. */
static uint32_t
shrink(struct xchg_pool *p, uint32_t cur, uint32_t want)
{
	uint32_t quota, avail;
	int64_t in_use;

	__atomic_store_n(&p->quota, cur - want, __ATOMIC_SEQ_CST);
	xchg_quota_sync(p);
	in_use = xchg_pool_read_avail(p, &quota, &avail);
	if (in_use > (int64_t)(cur - want)) {
		quota = in_use > (int64_t)cur ? cur : (uint32_t)in_use;
		__atomic_store_n(&p->quota, quota, __ATOMIC_SEQ_CST);
		want = cur - quota;
	}
	if (want != 0)
		xchg_pool_lower_watermark(p, avail);
	return want;
}

int
xchg_pool_resize(struct xchg_pool *p, uint32_t quota, uint32_t *quota_out)
{
	struct xchg_arena *a;
	uint32_t cur, delta;
	int ret = 0;

	if (!xchg_pool_is_live(p) || quota == 0)
		return -EINVAL;
	a = p->arena;
	pthread_mutex_lock(&a->lock);
	if (p->state != XCHG_POOL_LIVE) { /* freed meanwhile */
		pthread_mutex_unlock(&a->lock);
		return -EINVAL;
	}
	cur = p->quota;
	if (quota > cur) {
		delta = RTE_MIN(quota - cur, unreserved(a));
		if (delta < quota - cur)
			ret = -ENOSPC;
		a->reserved += delta;
		__atomic_store_n(&p->quota, cur + delta, __ATOMIC_SEQ_CST);
	} else if (quota < cur) {
		delta = shrink(p, cur, cur - quota);
		if (delta < cur - quota)
			ret = -EBUSY;
		a->reserved -= delta;
	}
	if (quota_out != NULL)
		*quota_out = p->quota;
	pthread_mutex_unlock(&a->lock);
	if (ret != 0)
		XCHG_LOG(INFO, "pool %s: resized to %u, not %u: %s\n",
			 p->name, p->quota, quota, ret == -ENOSPC ?
			 "the arena has no more unreserved buffers" :
			 "the rest are in use");
	return ret;
}

struct xchg_pool *
xchg_pool_lookup(struct xchg_arena *a, const char *name)
{
	struct xchg_pool *p;

	if (a == NULL || name == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&a->lock);
	p = find_live(a, name);
	pthread_mutex_unlock(&a->lock);
	if (p == NULL)
		rte_errno = ENOENT;
	return p;
}

int
xchg_pool_foreach(struct xchg_arena *a,
		  int (*fn)(struct xchg_pool *pool, void *arg), void *arg)
{
	unsigned int i;
	int ret = 0;

	if (a == NULL || fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	for (i = 1; i <= a->max_pools && ret == 0; i++)
		if (a->pools[i].state == XCHG_POOL_LIVE)
			ret = fn(&a->pools[i], arg);
	pthread_mutex_unlock(&a->lock);
	return ret;
}

const char *
xchg_pool_name(const struct xchg_pool *p)
{
	return xchg_pool_is_live(p) ? p->name : NULL;
}

enum xchg_pool_kind
xchg_pool_kind(const struct xchg_pool *p)
{
	return xchg_pool_is_live(p) ? (enum xchg_pool_kind)p->kind :
				      XCHG_KIND_MAX;
}

struct xchg_arena *
xchg_pool_arena(const struct xchg_pool *p)
{
	return xchg_pool_is_live(p) ? p->arena : NULL;
}

void
xchg_pool_cnt_sum(const struct xchg_arena *a, xchg_tag_t tag,
		  struct xchg_pool_counters *sum)
{
	const size_t n = XCHG_LCORE_CNT_N(struct xchg_pool_counters);

	RTE_BUILD_BUG_ON(sizeof(*sum) !=
			 XCHG_LCORE_CNT_N(struct xchg_pool_counters) * sizeof(uint64_t));
	xchg_lcore_cnt_sum((const uint64_t *)(const void *)&a->pcnt[tag],
			   a->pcnt_stride * n, a->nb_pcnt_sets, n,
			   (uint64_t *)(void *)sum);
}

int
xchg_pool_stats_get(const struct xchg_pool *p, struct xchg_pool_stats *s)
{
	struct xchg_pool_counters c;

	if (!xchg_pool_is_live(p) || s == NULL)
		return -EINVAL;
	/* A live read: in motion, available may be understated (never
	 * overstated), see xchg_pool_read_avail(). */
	xchg_pool_read_avail(p, &s->quota, &s->available);
	s->over_credit = s->available > s->quota ?
			 s->available - s->quota : 0;
	s->in_use = s->over_credit != 0 ? 0 : s->quota - s->available;
	s->low_watermark = __atomic_load_n(&p->low_watermark,
					   __ATOMIC_RELAXED);
	xchg_pool_cnt_sum(p->arena, p->tag, &c);
	s->accepted = c.accepted - p->base.accepted;
	s->refused = c.refused - p->base.refused;
	s->rejected = c.rejected - p->base.rejected;
	s->allocated = c.allocated - p->base.allocated;
	s->alloc_failed = c.alloc_failed - p->base.alloc_failed;
	s->returned = c.returned - p->base.returned;
	return 0;
}

int
xchg_pool_stats_reset(struct xchg_pool *p)
{
	if (!xchg_pool_is_live(p))
		return -EINVAL;
	/* The lcores keep counting in their own sets: a reset moves the
	 * base line, so no count of theirs is lost or torn. */
	xchg_pool_cnt_sum(p->arena, p->tag, &p->base);
	{
		uint32_t quota, avail;

		xchg_pool_read_avail(p, &quota, &avail);
		__atomic_store_n(&p->low_watermark, avail, __ATOMIC_RELAXED);
	}
	return 0;
}

int64_t
xchg_pool_read_books(const struct xchg_pool *p, uint32_t *quota,
		     uint32_t *avail, uint64_t *moved)
{
	uint64_t back, taken;
	int64_t in_use;
	uint32_t q, stock;

	do {
		q = __atomic_load_n(&p->quota, __ATOMIC_ACQUIRE);
		/* The sets first, with acquire loads, then the stock, then
		 * taken (xchg_quota.h): in_use may be overstated by what is
		 * in motion, never understated. */
		back = xchg_quota_back_sum(p->arena, p->tag, UINT32_MAX);
		stock = __atomic_load_n(&p->stock, __ATOMIC_ACQUIRE);
		taken = __atomic_load_n(&p->taken, __ATOMIC_ACQUIRE);
	} while (q != __atomic_load_n(&p->quota, __ATOMIC_ACQUIRE));
	/* Buffers held: a unit in stock is not a buffer anywhere. */
	in_use = (int64_t)(taken - back - stock);
	*quota = q;
	*avail = in_use >= (int64_t)q ? 0 : (uint32_t)((int64_t)q - in_use);
	if (moved != NULL)
		/* Grows with every move: a take (taken, or a unit out of
		 * the stock), a refill (taken and stock), a give-back. */
		*moved = taken * 2 + back - stock;
	return in_use;
}

int64_t
xchg_pool_read_avail(const struct xchg_pool *p, uint32_t *quota,
		     uint32_t *avail)
{
	return xchg_pool_read_books(p, quota, avail, NULL);
}
