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

struct books;

/* One census: the arena, the result, the books before and after. */
struct census_ctx {
	struct xchg_arena *a;
	struct xchg_census *c;
	struct books *b0, *b1;
	uint32_t store0, store1;
	enum xchg_census_rule plant; /* test only: see planted_rule() */
};

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

/*
 * Test only, off by default (doc/proofs.rst, "Census rules"): with
 * XCHG_TEST_CENSUS_PLANT=<rule name> in the environment, every census
 * reads the arena as if that rule were broken: one figure it reads is
 * off (the free store, buffer 0's tag, the first live pool's count or
 * units, the ring count), the rule's own check then fires and the result
 * is printed and reported as usual. Nothing in the arena is changed, so
 * a program's teardown shows it safely (tests/apps/census_teardown.sh).
 */
static enum xchg_census_rule
planted_rule(void)
{
	const char *s = getenv("XCHG_TEST_CENSUS_PLANT");
	unsigned int r;

	if (s == NULL)
		return XCHG_CENSUS_OK;
	for (r = XCHG_CENSUS_OK + 1; r < RTE_DIM(rule_names); r++)
		if (strcmp(s, rule_names[r]) == 0)
			return (enum xchg_census_rule)r;
	return XCHG_CENSUS_OK;
}

/* A pool's books at one moment: sets first, then taken (xchg_quota.h). */
struct books {
	int64_t in_use;
	uint64_t moved;   /* grows with every move (read_books()) */
	uint32_t quota;
};

static void
read_books(struct xchg_arena *a, struct books *b, uint32_t *store)
{
	unsigned int t;

	for (t = 1; t <= a->max_pools; t++) {
		struct xchg_pool *p = &a->pools[t];
		uint32_t avail;

		if (p->state != XCHG_POOL_LIVE)
			continue;
		b[t].in_use = xchg_pool_read_books(p, &b[t].quota, &avail,
						   &b[t].moved);
	}
	*store = xchg_ops_free_count(a);
}

/* Units by which a count may be off while lcores work: between two of
 * its operations an lcore holds at most one exchange chunk charged but
 * not yet tagged, and one free burst marked but not yet stored (or
 * taken from the store but not yet counted out). */
static uint32_t
lcore_bound(const struct xchg_arena *a)
{
	uint32_t per = 64 + RTE_MAX(64u, a->cache_flush);

	return per * a->nb_pcnt_sets;
}

static uint64_t
diff(uint64_t x, uint64_t y)
{
	return x > y ? x - y : y - x;
}

/* Judge a pool: @slack 0 for a snapshot taken with nothing moving. */
static void
check_pool(struct census_ctx *x, unsigned int t, uint32_t held,
	   uint64_t slack)
{
	struct xchg_census *c = x->c;
	struct xchg_pool *p = &x->a->pools[t];
	const struct books *b0 = &x->b0[t], *b1 = &x->b1[t];
	uint32_t quota = RTE_MAX(b0->quota, b1->quota);
	int64_t lo = RTE_MIN(b0->in_use, b1->in_use);
	int64_t hi = RTE_MAX(b0->in_use, b1->in_use);

	if (slack != 0)
		slack += diff(b0->moved, b1->moved);
	if (held > quota + slack)
		broke(c, XCHG_CENSUS_OVER_QUOTA, p->name, quota, held);
	/* Never in motion: a live read can only overstate in_use. */
	if (lo < 0)
		broke(c, XCHG_CENSUS_OVER_CREDIT, p->name, quota,
		      (uint64_t)((int64_t)quota - lo));
	else if ((int64_t)held + (int64_t)slack < lo ||
		 (int64_t)held > hi + (int64_t)slack)
		broke(c, XCHG_CENSUS_OWNER_COUNT, p->name, (uint64_t)lo,
		      held);
}

static void
check_pools(struct census_ctx *x, const uint32_t *held, uint64_t slack)
{
	struct xchg_arena *a = x->a;
	struct xchg_census *c = x->c;
	uint32_t nic_quota = 0;
	unsigned int t;

	for (t = 1; t <= a->max_pools; t++) {
		struct xchg_pool *p = &a->pools[t];

		if (p->state != XCHG_POOL_LIVE)
			continue;
		c->nb_pools++;
		if (is_nic_kind(p->kind))
			nic_quota += RTE_MAX(x->b0[t].quota, x->b1[t].quota);
		check_pool(x, t, held[t], slack);
	}
	/* Overcommitted, nothing is promised: any count is allowed. */
	c->rings_allowed = a->overcommit ? a->nb_buffers :
			   nic_quota + xchg_arena_unreserved(a);
	if (unlikely(x->plant == XCHG_CENSUS_RINGS_OVER))
		c->in_rings = (uint32_t)(c->rings_allowed + slack + 1);
	if (c->in_rings > c->rings_allowed + slack)
		broke(c, XCHG_CENSUS_RINGS_OVER, "", c->rings_allowed,
		      c->in_rings);
	if (diff(c->free, c->free_store) >
	    (slack != 0 ? slack + diff(x->store0, x->store1) : 0))
		broke(c, XCHG_CENSUS_FREE_COUNT, "", c->free_store, c->free);
}

/* Whether a thread with a counter set is inside an operation. */
static bool
lcores_inside(const struct xchg_arena *a)
{
	unsigned int set;

	for (set = 1; set < a->nb_pcnt_sets; set++)
		if (__atomic_load_n(&a->depth[set].depth,
				    __ATOMIC_ACQUIRE) != 0)
			return true;
	return false;
}

/* Sum of the pools' moves: differs between two readings when any
 * buffer was taken or given back in between. */
static uint64_t
sum_moved(const struct xchg_arena *a, const struct books *b)
{
	uint64_t sum = 0;
	unsigned int t;

	for (t = 1; t <= a->max_pools; t++)
		sum += b[t].moved;
	return sum;
}

/* The figures a planted rule makes the census read (planted_rule()):
 * the free store one more, or the first live pool's count or units. */
static void
plant(struct census_ctx *x, uint32_t *held)
{
	unsigned int t;

	if (x->plant == XCHG_CENSUS_FREE_COUNT)
		x->c->free_store = ++x->store0 + 0 * ++x->store1;
	for (t = 1; t <= x->a->max_pools; t++) {
		if (x->a->pools[t].state != XCHG_POOL_LIVE)
			continue;
		/* Beyond any motion allowance: a census in motion too. */
		x->b1[t].moved = x->b0[t].moved;
		if (x->plant == XCHG_CENSUS_OVER_QUOTA)
			held[t] = x->b0[t].quota + lcore_bound(x->a) + 1;
		else if (x->plant == XCHG_CENSUS_OVER_CREDIT)
			x->b0[t].in_use = x->b1[t].in_use = -1;
		else if (x->plant == XCHG_CENSUS_OWNER_COUNT)
			held[t] = (uint32_t)RTE_MAX(x->b0[t].in_use,
						    x->b1[t].in_use) +
				  lcore_bound(x->a) + 1;
		return;
	}
}

/* Walk the tags between two readings of the books. */
static void
walk(struct census_ctx *x, uint32_t *held)
{
	struct xchg_arena *a = x->a;
	struct xchg_census *c = x->c;
	uint32_t i;

	memset(held, 0, (a->max_pools + 1u) * sizeof(*held));
	c->free = c->owned = c->in_rings = c->nb_pools = 0;
	c->broken = XCHG_CENSUS_OK;
	read_books(a, x->b0, &x->store0);
	for (i = 0; i < a->nb_buffers; i++) {
		xchg_tag_t tag = __atomic_load_n(&a->tags[i],
						 __ATOMIC_RELAXED);

		if (unlikely(x->plant == XCHG_CENSUS_BAD_TAG) && i == 0)
			tag = (xchg_tag_t)(a->max_pools + 1u);

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
	c->free_store = x->store0;
	read_books(a, x->b1, &x->store1);
	if (unlikely(x->plant != XCHG_CENSUS_OK))
		plant(x, held);
}

/* Snapshots tried for an exact census before judging one in motion. */
#define CENSUS_TRIES 4
/* Counts off within the bound and unchanged this long: broken. */
#define XCHG_CENSUS_STILL_MS 1000

int
xchg_arena_census(struct xchg_arena *a, struct xchg_census *c)
{
	struct census_ctx x = { .a = a, .c = c, .plant = planted_rule() };
	uint64_t first = 0, sig;
	bool moved = false, inside = false;
	uint32_t *held;
	unsigned int try;

	if (a == NULL || c == NULL)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	/* Control path: the per-pool tallies are allowed to allocate. */
	held = calloc(a->max_pools + 1u, sizeof(*held));
	x.b0 = calloc(a->max_pools + 1u, sizeof(*x.b0));
	x.b1 = calloc(a->max_pools + 1u, sizeof(*x.b1));
	if (held == NULL || x.b0 == NULL || x.b1 == NULL) {
		free(held);
		free(x.b0);
		free(x.b1);
		return -ENOMEM;
	}

	pthread_mutex_lock(&a->lock);
	c->total = a->nb_buffers;
	/* An exact snapshot first: every rule as stated. Lcores at work
	 * make most walks see buffers between two operations; after a few
	 * tries the census says "in motion" and allows each rule what the
	 * lcores may hold between two operations, plus what the books
	 * show moved during the walk. Beyond that it is broken. */
	for (try = 0; try < CENSUS_TRIES; try++) {
		inside |= lcores_inside(a);
		walk(&x, held);
		inside |= lcores_inside(a);
		/* What the walk saw and what the books said: any change
		 * from one try to the next, or within one, is motion. */
		sig = sum_moved(a, x.b0) * 3 + sum_moved(a, x.b1) * 5 +
		      x.store0 * 7 + x.store1 * 11 + c->free * 13 +
		      c->in_rings * 17 + c->owned * 19;
		if (try == 0)
			first = sig;
		moved |= sig != first || x.store0 != x.store1 ||
			 sum_moved(a, x.b0) != sum_moved(a, x.b1);
		if (c->broken == XCHG_CENSUS_BAD_TAG)
			break;
		check_pools(&x, held, 0);
		if (c->broken == XCHG_CENSUS_OK ||
		    c->broken == XCHG_CENSUS_OVER_CREDIT)
			break;
	}
	if (try == CENSUS_TRIES) {
		struct xchg_census exact = *c;
		uint64_t now = xchg_watch_now_ms(a);

		c->in_motion = true;
		c->motion_bound = lcore_bound(a);
		c->broken = XCHG_CENSUS_OK;
		c->where[0] = '\0';
		c->expected = c->found = 0;
		c->nb_pools = 0;
		check_pools(&x, held, c->motion_bound);
		/* Within the bound and standing still: no lcore inside an
		 * operation means the counts are what they are; one stopped
		 * inside (preempted) gets a second before it counts. */
		if (c->broken == XCHG_CENSUS_OK && !moved && !inside) {
			*c = exact;
			c->in_motion = false;
		} else if (c->broken == XCHG_CENSUS_OK && !moved) {
			if (a->census_off_sig != sig) {
				a->census_off_sig = sig;
				a->census_off_since = now;
			} else if (now - a->census_off_since >=
				   XCHG_CENSUS_STILL_MS) {
				*c = exact;
				c->in_motion = false;
			}
		}
	} else {
		a->census_off_sig = 0;
	}
	xchg_watch_tick_locked(a);
	pthread_mutex_unlock(&a->lock);
	free(held);
	free(x.b0);
	free(x.b1);

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
	if (c->conserved && c->in_motion)
		return n + snprintf(buf + n, size - n,
				    "conserved, in motion (lcores moved buffers during the walk; each count within %u of its rule)",
				    c->motion_bound);
	if (c->conserved)
		return n + snprintf(buf + n, size - n, "conserved");
	if (c->in_motion)
		n += snprintf(buf + n, size - n,
			      "in motion, off by more than the bound %u: ",
			      c->motion_bound);
	if (n < 0 || (size_t)n >= size)
		return n;
	return n + snprintf(buf + n, size - n,
			    "BROKEN %s at '%s': expected %" PRIu64 ", found %" PRIu64 " (%s)",
			    xchg_census_rule_name(c->broken), c->where,
			    c->expected, c->found,
			    xchg_census_rule_text(c->broken));
}
