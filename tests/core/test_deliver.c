/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The batched delivery of a receive burst, xchg_consumer_deliver_groups()
 * (issue 17), and the public xchg_consumer_deliver(), which is one group
 * of it. Two arenas built alike get the same bursts, one through each
 * call, and must end with the same results per group (queued, why not)
 * and the same books per consumer (stats, queued frames, owner of every
 * frame), each with a conserved census. The bursts hold fresh frames,
 * frames the consumer owns already, frames another pool owns (a
 * transfer), a starved consumer next to consumers with room, a full
 * ring, a freed pool, a NULL consumer and a rejected frame, with the
 * results each must give; a random soak follows, with the pools owned
 * by the lcore and shared, where both calls are checked after every
 * burst against a model of each consumer's quota, in-use, ring room
 * and counters that the test computes itself (the two calls share
 * their code, so comparing them alone would not see a bug in it); then
 * public calls longer than a group's 16-bit count, and one batched call
 * over two arenas.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "xchg_consumer_private.h"
#include "xchg_deliver_private.h"
#include "xchg_private.h"
#include "xchg_quota.h"
#include "xchg_test.h"

#define NC 6        /* consumers per world */
#define NF 128      /* frames per burst, at most */

/* What a frame of a burst is, before delivery. */
enum kind { FRESH, OWN, OTHER, BUSY };

struct world {
	const char *name;
	bool batched;
	struct xchg_arena *a;
	struct rte_mempool *mp;
	struct xchg_consumer *c[NC];
	struct xchg_pool *other;    /* owns frames handed over to consumers */
};

/* One burst's outcome and the books after it. */
struct books {
	uint16_t queued[NC + 1];
	int err[NC + 1];
	int owner[NF];              /* consumer index, NC: other, -1: none */
	struct xchg_pool_stats s[NC];
	unsigned int pending[NC];
};

static void
world_init(struct world *w, const char *name, bool batched)
{
	static const uint32_t quota[NC] = { 16, 2, 16, 2, 4, 100 };
	char n[32];
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->name = name;
	w->batched = batched;
	w->a = xt_arena(name, 512, 0);
	w->mp = xchg_arena_mempool(w->a);
	for (i = 0; i < NC; i++) {
		snprintf(n, sizeof(n), "%s_c%u", name, i);
		w->c[i] = xchg_consumer_create(w->a, n, XCHG_KIND_SOCKET,
					       quota[i]);
		XT_CHECK(w->c[i] != NULL, "consumer %s", n);
	}
	snprintf(n, sizeof(n), "%s_other", name);
	w->other = xchg_pool_create(w->a, n, XCHG_KIND_SERVICE, 64);
	XT_CHECK(w->other != NULL, "other pool");
	/* c3: a quota above its ring (the ring keeps its first size), so
	 * that the ring fills while the quota has room. */
	XT_EQ(xchg_pool_resize(xchg_consumer_pool(w->c[3]), 8, NULL), 0);
}

static int
owner_index(const struct world *w, const struct rte_mbuf *m)
{
	struct xchg_pool *p = xchg_mbuf_owner(m);
	unsigned int i;

	if (p == NULL)
		return -1;
	if (p == w->other)
		return NC;
	for (i = 0; i < NC; i++)
		if (p == xchg_consumer_pool(w->c[i]))
			return (int)i;
	return -2;
}

static struct rte_mbuf *
frame(struct world *w, enum kind k, unsigned int consumer)
{
	struct rte_mbuf *m = NULL;

	switch (k) {
	case FRESH:
	case BUSY:
		m = rte_pktmbuf_alloc(w->mp);
		break;
	case OWN:
		XT_EQ(xchg_alloc_bulk(xchg_consumer_pool(w->c[consumer]), &m,
				      1), 0);
		break;
	case OTHER:
		XT_EQ(xchg_alloc_bulk(w->other, &m, 1), 0);
		break;
	}
	XT_CHECK(m != NULL, "frame of kind %d", k);
	if (m != NULL) {
		rte_pktmbuf_append(m, 60);
		if (k == BUSY)
			rte_mbuf_refcnt_update(m, 1); /* the test's reference */
	}
	return m;
}

/* The calling lcore is outside every operation of @a again: a call that
 * left one open (an error path, the nested one of the general path)
 * would make every later census of a busy arena say "in motion", which
 * a census of an idle one does not show. */
static void
depth_ok(struct xchg_arena *a, const char *when)
{
	unsigned int set = xchg_lcore_cnt_set(a->pcnt_set);

	XT_CHECK(set != 0 && a->depth[set].depth == 0,
		 "%s: %s: operation depth %u after the call", when,
		 a->name, set != 0 ? a->depth[set].depth : 0);
}

/*
 * Deliver one burst: @ng groups, group g for consumer @who[g] (-1: NULL,
 * else an index) with @len[g] frames of @kinds (in order); the caller
 * frees what was not queued, as xchg_port_rx() does. Fills @b.
 */
static void
burst(struct world *w, unsigned int ng, const int *who,
      const uint16_t *len, const enum kind *kinds, struct books *b)
{
	struct xchg_deliver_group g[NC + 1];
	struct rte_mbuf *m[NF], *busy[NF];
	unsigned int i, j, f, nb_busy = 0, total = 0;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < ng; i++) {
		g[i].consumer = who[i] < 0 ? NULL : w->c[who[i]];
		g[i].n = len[i];
		g[i].queued = UINT16_MAX;
		g[i].err = -1;
		for (j = 0; j < len[i]; j++, total++) {
			m[total] = frame(w, kinds[total],
					 who[i] < 0 ? 0 : (unsigned)who[i]);
			if (kinds[total] == BUSY)
				busy[nb_busy++] = m[total];
		}
	}
	if (w->batched) {
		XT_EQ(xchg_consumer_deliver_groups(g, ng, m), 0);
	} else {
		for (i = 0, f = 0; i < ng; f += g[i].n, i++) {
			unsigned int q = xchg_consumer_deliver(g[i].consumer,
							       &m[f], g[i].n);

			g[i].queued = (uint16_t)q;
			g[i].err = q < g[i].n ? rte_errno : 0;
		}
	}
	depth_ok(w->a, w->name);
	for (i = 0, f = 0; i < ng; f += g[i].n, i++) {
		b->queued[i] = g[i].queued;
		b->err[i] = g[i].err;
		for (j = 0; j < g[i].n; j++)
			b->owner[f + j] = owner_index(w, m[f + j]);
		rte_pktmbuf_free_bulk(&m[f + g[i].queued],
				      g[i].n - g[i].queued);
	}
	for (i = 0; i < nb_busy; i++)
		rte_pktmbuf_free(busy[i]); /* drop the test's reference */
	for (i = 0; i < NC; i++) {
		if (w->c[i] == NULL)
			continue;
		XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(w->c[i]),
					  &b->s[i]), i == 4 ? -EINVAL : 0);
		b->pending[i] = xchg_consumer_pending(w->c[i]);
	}
}

/* The application reads up to @n frames of each consumer and frees them. */
static void
drain(struct world *w, unsigned int n)
{
	struct rte_mbuf *m[64];
	unsigned int i, got;

	for (i = 0; i < NC; i++) {
		got = xchg_consumer_recv_burst(w->c[i], m,
					       RTE_MIN(n, RTE_DIM(m)));
		rte_pktmbuf_free_bulk(m, got);
	}
}

static void
books_same(const struct books *x, const struct books *y, unsigned int ng,
	   unsigned int nf, const char *when)
{
	unsigned int i;

	for (i = 0; i < ng; i++) {
		XT_CHECK(x->queued[i] == y->queued[i] && x->err[i] == y->err[i],
			 "%s: group %u: batched %u queued (%d), per consumer "
			 "%u (%d)", when, i, x->queued[i], x->err[i],
			 y->queued[i], y->err[i]);
	}
	for (i = 0; i < nf; i++)
		XT_CHECK(x->owner[i] == y->owner[i],
			 "%s: frame %u owned by %d, per consumer by %d", when,
			 i, x->owner[i], y->owner[i]);
	for (i = 0; i < NC; i++) {
		const struct xchg_pool_stats *s = &x->s[i], *t = &y->s[i];

		XT_CHECK(s->in_use == t->in_use && s->accepted == t->accepted &&
			 s->refused == t->refused &&
			 s->rejected == t->rejected &&
			 s->returned == t->returned &&
			 s->low_watermark == t->low_watermark &&
			 x->pending[i] == y->pending[i],
			 "%s: consumer %u: in_use %u/%u accepted %lu/%lu "
			 "refused %lu/%lu rejected %lu/%lu returned %lu/%lu "
			 "low %u/%u pending %u/%u", when, i, s->in_use,
			 t->in_use, (unsigned long)s->accepted,
			 (unsigned long)t->accepted, (unsigned long)s->refused,
			 (unsigned long)t->refused, (unsigned long)s->rejected,
			 (unsigned long)t->rejected, (unsigned long)s->returned,
			 (unsigned long)t->returned, s->low_watermark,
			 t->low_watermark, x->pending[i], y->pending[i]);
	}
}

/* c4's pool freed under its consumer (the pool held nothing). */
static void
kill_pool(struct world *w)
{
	XT_EQ(xchg_pool_free(xchg_consumer_pool(w->c[4])), 0);
}

static void
world_fini(struct world *w)
{
	unsigned int i;

	drain(w, 64);
	for (i = 0; i < NC; i++) {
		if (i == 4) {
			/* Its pool is gone: free the parts by hand. */
			rte_free(w->c[i]->ring);
			rte_free(w->c[i]);
			continue;
		}
		XT_EQ(xchg_consumer_free(w->c[i]), 0);
	}
	XT_EQ(xchg_pool_free(w->other), 0);
	xt_census_ok(w->a, w->name);
	XT_EQ(xchg_arena_free(w->a), 0);
}

/* Every case in one burst, twice (the second finds the first's frames
 * still queued), then with the rings drained. */
static void
test_cases(void)
{
	/* c0: fresh, more than four (the out-of-line tagging); c1: starved
	 * (quota 2 for 5); c2: owned already, fresh and another pool's;
	 * c3: ring of 2 under a quota of 8; c4: freed pool; NULL; c5: a
	 * shared frame (refcnt 2) after a fresh one. */
	static const int who[] = { 0, 1, 2, 3, 4, -1, 5 };
	static const uint16_t len[] = { 6, 5, 5, 4, 2, 2, 3 };
	static const enum kind kinds[] = {
		FRESH, FRESH, FRESH, FRESH, FRESH, FRESH,
		FRESH, FRESH, FRESH, FRESH, FRESH,
		OWN, FRESH, OTHER, OWN, OTHER,
		FRESH, FRESH, FRESH, FRESH,
		FRESH, FRESH,
		FRESH, FRESH,
		FRESH, BUSY, FRESH,
	};
	const unsigned int ng = RTE_DIM(who), nf = RTE_DIM(kinds);
	struct world w[2];
	struct books b[2];
	unsigned int round, k;

	RTE_BUILD_BUG_ON(RTE_DIM(len) != RTE_DIM(who));
	world_init(&w[0], "dlv_batched", true);
	world_init(&w[1], "dlv_single", false);
	for (k = 0; k < 2; k++)
		kill_pool(&w[k]);
	for (round = 0; round < 3; round++) {
		char when[32];

		snprintf(when, sizeof(when), "round %u", round);
		for (k = 0; k < 2; k++)
			burst(&w[k], ng, who, len, kinds, &b[k]);
		books_same(&b[0], &b[1], ng, nf, when);
		/* What each case must give, beyond being the same (round 1
		 * finds round 0's frames still queued; round 2 comes after
		 * the rings were drained). */
		XT_EQ(b[0].queued[0], 6);
		XT_EQ(b[0].err[0], 0);
		XT_EQ(b[0].queued[1], round == 1 ? 0 : 2);  /* starved */
		XT_EQ(b[0].err[1], ENOBUFS);
		XT_EQ(b[0].queued[2], 5);                   /* room */
		XT_EQ(b[0].err[2], 0);
		XT_EQ(b[0].s[2].in_use, round == 1 ? 10 : 5);
		XT_EQ(b[0].queued[3], round == 1 ? 0 : 2);  /* ring */
		XT_EQ(b[0].err[3], ENOSPC);
		XT_EQ(b[0].s[3].in_use, 2);
		XT_EQ(b[0].s[3].refused, round == 0 ? 2 : round == 1 ? 6 : 8);
		XT_EQ(b[0].queued[4], 0);                   /* freed pool */
		XT_EQ(b[0].err[4], EINVAL);
		XT_EQ(b[0].queued[5], 0);                   /* NULL */
		XT_EQ(b[0].err[5], EINVAL);
		XT_EQ(b[0].queued[6], 1);                   /* shared frame */
		XT_EQ(b[0].err[6], EBUSY);
		XT_EQ(b[0].s[5].rejected, round + 1);
		/* Isolation: the starved consumer lost its own frames only,
		 * and nobody else paid for them. */
		XT_EQ(b[0].s[1].in_use, 2);
		XT_EQ(b[0].s[1].refused, round == 0 ? 3 : round == 1 ? 8 : 11);
		XT_EQ(b[0].s[0].in_use, round == 1 ? 12 : 6);
		XT_EQ(b[0].s[0].refused, 0);
		XT_EQ(b[0].owner[13], 2);                   /* transfer */
		for (k = 0; k < 2; k++)
			xt_census_ok(w[k].a, w[k].name);
		if (round == 1)
			for (k = 0; k < 2; k++)
				drain(&w[k], 64);
	}
	for (k = 0; k < 2; k++)
		world_fini(&w[k]);
}

/* A thread without an lcore id takes and gives back one buffer of each
 * live consumer pool: its first acquirer, it makes the pool SHARED (the
 * compare-and-swap of xchg_quota.h) before the lcore's first exchange. */
static void *
share_pools(void *arg)
{
	struct world *w = arg;
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < NC; i++) {
		if (i == 4)
			continue;
		if (xchg_alloc_bulk(xchg_consumer_pool(w->c[i]), &m, 1) == 0)
			rte_pktmbuf_free(m);
	}
	return NULL;
}

static void
make_shared(struct world *w)
{
	pthread_t t;
	unsigned int i;

	XT_EQ(pthread_create(&t, NULL, share_pools, w), 0);
	XT_EQ(pthread_join(t, NULL), 0);
	for (i = 0; i < NC; i++)
		if (i != 4)
			XT_EQ(xchg_consumer_pool(w->c[i])->acq,
			      XCHG_ACQ_SHARED);
}

/*
 * The soak's reference: each consumer's books as the rules say they
 * must be, computed by the test, not by the library. A group of n
 * frames for a live consumer: the frames before its first shared one
 * (BUSY) cost a unit each (fresh and another pool's alike); when the
 * units available (quota - in_use) cover them all they are taken, and
 * a shared frame after them is rejected (EBUSY, rejected + 1);
 * otherwise as many as there are units are taken and the rest of the
 * group refused (ENOBUFS, refused + n - taken). Everything taken
 * counts accepted and lowers the low watermark to quota - in_use; the
 * ring (room: its size - pending) queues what it can, and what it
 * cannot is taken back from accepted, counted refused and reported
 * (ENOSPC); it stays charged (a later group of the consumer in the
 * same burst finds its units taken) until the test frees it, after the
 * call, which counts it returned. A NULL consumer or a freed pool:
 * nothing, EINVAL (0 for no frame).
 */
struct model {
	unsigned int seen[4];    /* groups: ENOBUFS, ENOSPC, EBUSY, all */
	uint32_t cap[NC];        /* the ring's size */
	uint32_t quota[NC], in_use[NC], low[NC], pending[NC];
	uint64_t accepted[NC], refused[NC], rejected[NC], returned[NC];
};

static void
model_init(struct model *md, const struct world *w)
{
	struct xchg_pool_stats s;
	unsigned int i;

	memset(md, 0, sizeof(*md));
	for (i = 0; i < NC; i++) {
		md->cap[i] = rte_ring_get_capacity(w->c[i]->ring);
		if (i == 4)
			continue; /* freed: its stats are refused */
		XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(w->c[i]), &s), 0);
		md->quota[i] = s.quota;
		md->in_use[i] = s.in_use;
		md->low[i] = s.low_watermark;
		md->accepted[i] = s.accepted;
		md->refused[i] = s.refused;
		md->rejected[i] = s.rejected;
		md->returned[i] = s.returned;
		md->pending[i] = xchg_consumer_pending(w->c[i]);
	}
}

/* The burst of burst() through the model: its results in @e. */
static void
model_burst(struct model *md, unsigned int ng, const int *who,
	    const uint16_t *len, const enum kind *kinds, struct books *e)
{
	unsigned int i, j, f = 0, held[NC] = { 0 };

	memset(e, 0, sizeof(*e));
	for (i = 0; i < ng; f += len[i], i++) {
		unsigned int n = len[i], pre, avail, taken, queued, room;
		int c = who[i];

		for (j = 0; j < n; j++)
			e->owner[f + j] = kinds[f + j] == OTHER ? NC : -1;
		if (c < 0 || c == 4) {
			e->err[i] = n != 0 ? EINVAL : 0;
			continue;
		}
		for (pre = 0; pre < n && kinds[f + pre] != BUSY; pre++)
			;
		avail = md->in_use[c] < md->quota[c] ?
			md->quota[c] - md->in_use[c] : 0;
		if (avail >= pre) {
			taken = pre;
			if (pre < n) {
				e->err[i] = EBUSY;
				md->rejected[c]++;
			}
		} else {
			taken = avail;
			e->err[i] = ENOBUFS;
			md->refused[c] += n - taken;
		}
		md->accepted[c] += taken;
		if (taken != 0)
			md->low[c] = RTE_MIN(md->low[c], md->quota[c] -
					     (md->in_use[c] + taken));
		for (j = 0; j < taken; j++)
			e->owner[f + j] = c;
		room = md->cap[c] - md->pending[c];
		queued = RTE_MIN(taken, room);
		if (queued < taken) {
			md->accepted[c] -= taken - queued;
			md->refused[c] += taken - queued;
			e->err[i] = ENOSPC;
		}
		e->queued[i] = (uint16_t)queued;
		md->seen[e->err[i] == ENOBUFS ? 0 : e->err[i] == ENOSPC ? 1 :
			 e->err[i] == EBUSY ? 2 : 3]++;
		/* What the ring left stays charged until the test frees
		 * it, after the call: a later group of c finds it taken. */
		md->in_use[c] += taken;
		held[c] += taken - queued;
		md->pending[c] += queued;
	}
	for (i = 0; i < NC; i++) {
		md->in_use[i] -= held[i];
		md->returned[i] += held[i];
	}
	for (i = 0; i < NC; i++) {
		struct xchg_pool_stats *s = &e->s[i];

		s->quota = md->quota[i];
		s->in_use = md->in_use[i];
		s->low_watermark = md->low[i];
		s->accepted = md->accepted[i];
		s->refused = md->refused[i];
		s->rejected = md->rejected[i];
		s->returned = md->returned[i];
		e->pending[i] = md->pending[i];
	}
}

/* drain(w, n) through the model: each consumer gives up to n frames. */
static void
model_drain(struct model *md, unsigned int n)
{
	unsigned int i, got;

	for (i = 0; i < NC; i++) {
		got = RTE_MIN(md->pending[i], RTE_MIN(n, 64u));
		md->pending[i] -= got;
		md->in_use[i] -= got;
		md->returned[i] += got;
	}
}

/* One world's books @x against the model's @e, each rule its check. */
static void
model_same(const struct world *w, const struct books *x,
	   const struct books *e, unsigned int ng, unsigned int nf,
	   const char *when)
{
	const char *call = w->batched ? "batched" : "public";
	unsigned int i;

#define MODEL_EQ(got, want, what, ...) \
	XT_CHECK((got) == (want), "%s: %s call: " what ": %lu, the model " \
		 "%lu", when, call, __VA_ARGS__, (unsigned long)(got), \
		 (unsigned long)(want))
	for (i = 0; i < ng; i++) {
		MODEL_EQ(x->queued[i], e->queued[i],
			 "group %u: queued (quota, ring room)", i);
		MODEL_EQ(x->err[i], e->err[i],
			 "group %u: error (ENOBUFS quota, ENOSPC ring, EBUSY "
			 "shared frame, EINVAL no consumer)", i);
	}
	for (i = 0; i < nf; i++)
		MODEL_EQ(x->owner[i], e->owner[i],
			 "frame %u: owner (taken by the group's consumer)", i);
	for (i = 0; i < NC; i++) {
		const struct xchg_pool_stats *s = &x->s[i], *t = &e->s[i];

		if (i == 4)
			continue;
		MODEL_EQ(s->in_use, t->in_use,
			 "consumer %u: in_use (quota taken, frees given back)",
			 i);
		MODEL_EQ(s->accepted, t->accepted,
			 "consumer %u: accepted (full ring taken back)", i);
		MODEL_EQ(s->refused, t->refused,
			 "consumer %u: refused (quota short, ring full)", i);
		MODEL_EQ(s->rejected, t->rejected,
			 "consumer %u: rejected (shared frame)", i);
		MODEL_EQ(s->returned, t->returned,
			 "consumer %u: returned (frees)", i);
		MODEL_EQ(s->low_watermark, t->low_watermark,
			 "consumer %u: low watermark", i);
		MODEL_EQ(x->pending[i], e->pending[i],
			 "consumer %u: pending (queued, read)", i);
		XT_CHECK(s->in_use <= s->quota,
			 "%s: %s call: consumer %u: in_use %u over quota %u",
			 when, call, i, s->in_use, s->quota);
	}
#undef MODEL_EQ
}

/* Random bursts, the application reading a random share in between;
 * every pool owned by the lcore (a plain quota section), or @shared.
 * The batched call and the public one (one group per call) each run in
 * a world of their own and are checked against the model after every
 * burst and against each other. */
static void
soak(bool shared)
{
	struct world w[2];
	struct books b[2], e;
	struct model md[2];
	unsigned int it, k, fails = xt_failures;
	uint32_t seed = 17;

	world_init(&w[0], shared ? "dlv_soak_bs" : "dlv_soak_b", true);
	world_init(&w[1], shared ? "dlv_soak_ss" : "dlv_soak_s", false);
	for (k = 0; k < 2; k++) {
		kill_pool(&w[k]);
		if (shared)
			make_shared(&w[k]);
		model_init(&md[k], &w[k]);
	}
	for (it = 0; it < 400 && xt_failures == fails; it++) {
		int who[NC + 1];
		uint16_t len[NC + 1];
		enum kind kinds[NF];
		unsigned int ng, i, j, nf = 0, r;
		char when[32];

		seed = seed * 1103515245u + 12345u;
		ng = 1 + (seed >> 16) % (NC + 1);
		for (i = 0; i < ng; i++) {
			seed = seed * 1103515245u + 12345u;
			who[i] = (int)((seed >> 16) % (NC + 1)) - 1;
			len[i] = (uint16_t)((seed >> 8) % 6);
			for (j = 0; j < len[i]; j++, nf++) {
				seed = seed * 1103515245u + 12345u;
				r = (seed >> 16) % 10;
				kinds[nf] = r < 7 ? FRESH : r < 9 ? OTHER : BUSY;
			}
		}
		snprintf(when, sizeof(when), "soak %u", it);
		for (k = 0; k < 2; k++) {
			burst(&w[k], ng, who, len, kinds, &b[k]);
			model_burst(&md[k], ng, who, len, kinds, &e);
			model_same(&w[k], &b[k], &e, ng, nf, when);
		}
		books_same(&b[0], &b[1], ng, nf, when);
		seed = seed * 1103515245u + 12345u;
		for (k = 0; k < 2; k++) {
			drain(&w[k], (seed >> 16) % 8);
			model_drain(&md[k], (seed >> 16) % 8);
		}
	}
	XT_EQ(it, 400);
	/* Every rule met often: the quota, the ring, the shared frame. */
	printf("soak: groups of a live consumer: %u short of quota, %u to a "
	       "full ring, %u with a shared frame, %u queued in full\n",
	       md[0].seen[0], md[0].seen[1], md[0].seen[2], md[0].seen[3]);
	XT_CHECK(it < 400 || (md[0].seen[0] >= 20 && md[0].seen[1] >= 20 &&
			      md[0].seen[2] >= 20 && md[0].seen[3] >= 20),
		 "the soak's bursts meet every rule");
	/* The mode each soak meant: c0 took frames in both. */
	printf("soak: pools %s\n", shared ? "shared" : w[0].a->owner_ok ?
	       "owned by the lcore" : "shared (no membarrier here)");
	for (k = 0; k < 2; k++)
		XT_EQ(xchg_consumer_pool(w[k].c[0])->acq,
		      shared || !w[k].a->owner_ok ?
		      XCHG_ACQ_SHARED :
		      xchg_lcore_cnt_set(w[k].a->pcnt_set));
	for (k = 0; k < 2; k++)
		world_fini(&w[k]);
}

static void
test_soak(void)
{
	soak(false);
}

static void
test_soak_shared(void)
{
	soak(true);
}

/* Groups longer than the exchange's chunk of 64 frames, fresh and with a
 * frame another pool owns past the chunk, and one cut by the quota. */
static void
test_long_groups(void)
{
	static const int who[] = { 5, 0, 2 };
	static const uint16_t len[] = { 90, 20, 3 };
	enum kind kinds[113];
	struct world w[2];
	struct books b[2];
	unsigned int k;

	for (k = 0; k < RTE_DIM(kinds); k++)
		kinds[k] = k == 70 ? OTHER : FRESH;
	world_init(&w[0], "dlv_long_b", true);
	world_init(&w[1], "dlv_long_s", false);
	for (k = 0; k < 2; k++) {
		kill_pool(&w[k]);
		burst(&w[k], RTE_DIM(who), who, len, kinds, &b[k]);
	}
	books_same(&b[0], &b[1], RTE_DIM(who), RTE_DIM(kinds), "long");
	XT_EQ(b[0].queued[0], 90);
	XT_EQ(b[0].err[0], 0);
	XT_EQ(b[0].owner[70], 5);
	XT_EQ(b[0].queued[1], 16);
	XT_EQ(b[0].err[1], ENOBUFS);
	XT_EQ(b[0].queued[2], 3);
	for (k = 0; k < 2; k++)
		world_fini(&w[k]);
}

/* Frames of one public call longer than a group's 16-bit count: @n
 * fresh ones to @c; @want queued with @err; the rest freed. */
static void
long_call(struct rte_mempool *mp, struct xchg_consumer *c, unsigned int n,
	  unsigned int want, int err, const char *when)
{
	struct rte_mbuf **m = calloc(n, sizeof(*m));
	unsigned int q;

	XT_CHECK(m != NULL && rte_pktmbuf_alloc_bulk(mp, m, n) == 0,
		 "%s: %u fresh frames", when, n);
	if (m == NULL)
		return;
	rte_errno = 0;
	q = xchg_consumer_deliver(c, m, n);
	XT_CHECK(q == want && (q == n || rte_errno == err),
		 "%s: %u queued (rte_errno %d), expected %u (%d)", when, q,
		 rte_errno, want, err);
	XT_CHECK(q == 0 || xchg_mbuf_owner(m[q - 1]) == xchg_consumer_pool(c),
		 "%s: the last frame queued is the consumer's", when);
	rte_pktmbuf_free_bulk(&m[q], n - q);
	free(m);
}

/* Read and free everything @c holds. */
static void
drain_all(struct xchg_consumer *c)
{
	struct rte_mbuf *m[64];
	unsigned int got;

	while ((got = xchg_consumer_recv_burst(c, m, RTE_DIM(m))) != 0)
		rte_pktmbuf_free_bulk(m, got);
}

/*
 * The public call with more frames than a group counts (65,535): cut
 * into groups, one call's result and counts as one exchange of them all
 * would give: everything queued; the quota short in the first group and
 * in the second (the frames of the group not tried counted refused);
 * a full ring (the same).
 */
static void
test_long_call(void)
{
	struct xchg_arena_conf conf = {
		.name = "dlv_long_call", .socket_id = SOCKET_ID_ANY,
		.nb_buffers = 70000, .data_room = RTE_PKTMBUF_HEADROOM + 128,
	};
	const unsigned int n = 66000;
	struct xchg_arena *a = xt_arena_conf(&conf);
	struct rte_mempool *mp = xchg_arena_mempool(a);
	struct xchg_consumer *c;
	struct xchg_pool_stats s;

	c = xchg_consumer_create(a, "dlv_lc", XCHG_KIND_SOCKET, n);
	XT_CHECK(c != NULL, "consumer of %u", n);
	if (c == NULL)
		goto out;
	long_call(mp, c, n, n, 0, "all");
	XT_EQ(xchg_consumer_pending(c), n);
	drain_all(c);
	XT_EQ(xchg_pool_resize(xchg_consumer_pool(c), 65000, NULL), 0);
	long_call(mp, c, n, 65000, ENOBUFS, "short in the first group");
	drain_all(c);
	XT_EQ(xchg_pool_resize(xchg_consumer_pool(c), 65600, NULL), 0);
	long_call(mp, c, n, 65600, ENOBUFS, "short in the second group");
	drain_all(c);
	XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(c), &s), 0);
	XT_EQ(s.accepted, n + 65000 + 65600);
	XT_EQ(s.refused, (n - 65000) + (n - 65600));
	XT_EQ(s.in_use, 0);
	XT_EQ(xchg_consumer_free(c), 0);
	/* A ring of 8 under a quota of n. */
	c = xchg_consumer_create(a, "dlv_lc_ring", XCHG_KIND_SOCKET, 8);
	XT_CHECK(c != NULL, "consumer of 8");
	if (c == NULL)
		goto out;
	XT_EQ(xchg_pool_resize(xchg_consumer_pool(c), n, NULL), 0);
	long_call(mp, c, n, 8, ENOSPC, "ring full");
	XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(c), &s), 0);
	XT_EQ(s.accepted, 8);
	XT_EQ(s.refused, n - 8);
	XT_EQ(s.in_use, 8);
	drain_all(c);
	XT_EQ(xchg_consumer_free(c), 0);
out:
	xt_census_ok(a, "long call");
	XT_EQ(xchg_arena_free(a), 0);
}

/*
 * One call over consumers of two arenas, A B A B A A: each arena its own
 * operation and counter set, left before the other's is entered; a
 * starved group, a full ring, a frame of the other arena (rejected:
 * EXDEV) and the first consumer again, against the same groups through
 * xchg_consumer_deliver() in a second pair of arenas.
 */
static void
two_arenas(struct world *x, struct world *y, struct books *bx,
	   struct books *by, uint16_t *queued, int *err)
{
	struct world *in[] = { x, y, x, y, x, x };     /* the consumer's */
	struct world *from[] = { x, y, x, y, y, x };   /* the frames' */
	static const unsigned int who[] = { 0, 0, 1, 3, 2, 0 };
	static const uint16_t len[] = { 3, 3, 5, 4, 1, 1 };
	struct xchg_deliver_group g[RTE_DIM(who)];
	struct rte_mbuf *m[32];
	unsigned int i, j, f, total = 0;
	bool batched = x->batched;

	for (i = 0; i < RTE_DIM(who); i++) {
		g[i].consumer = in[i]->c[who[i]];
		g[i].n = len[i];
		for (j = 0; j < len[i]; j++)
			m[total++] = frame(from[i], FRESH, 0);
	}
	if (batched) {
		XT_EQ(xchg_consumer_deliver_groups(g, RTE_DIM(who), m), 0);
	} else {
		for (i = 0, f = 0; i < RTE_DIM(who); f += g[i].n, i++) {
			g[i].queued = (uint16_t)xchg_consumer_deliver(
				g[i].consumer, &m[f], g[i].n);
			g[i].err = g[i].queued < g[i].n ? rte_errno : 0;
		}
	}
	depth_ok(x->a, x->name);
	depth_ok(y->a, y->name);
	for (i = 0, f = 0; i < RTE_DIM(who); f += g[i].n, i++) {
		queued[i] = g[i].queued;
		err[i] = g[i].err;
		rte_pktmbuf_free_bulk(&m[f + g[i].queued],
				      g[i].n - g[i].queued);
	}
	memset(bx, 0, sizeof(*bx));
	memset(by, 0, sizeof(*by));
	for (i = 0; i < NC; i++) {
		if (i == 4)
			continue;
		XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(x->c[i]),
					  &bx->s[i]), 0);
		XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(y->c[i]),
					  &by->s[i]), 0);
		bx->pending[i] = xchg_consumer_pending(x->c[i]);
		by->pending[i] = xchg_consumer_pending(y->c[i]);
	}
}

static void
test_two_arenas(void)
{
	struct world w[4]; /* batched x, y; per consumer x, y */
	struct books b[4];
	uint16_t queued[2][6];
	int err[2][6];
	unsigned int k, i;

	world_init(&w[0], "dlv_two_bx", true);
	world_init(&w[1], "dlv_two_by", true);
	world_init(&w[2], "dlv_two_sx", false);
	world_init(&w[3], "dlv_two_sy", false);
	for (k = 0; k < 4; k++)
		kill_pool(&w[k]);
	for (k = 0; k < 2; k++)
		two_arenas(&w[2 * k], &w[2 * k + 1], &b[2 * k], &b[2 * k + 1],
			   queued[k], err[k]);
	for (i = 0; i < 6; i++)
		XT_CHECK(queued[0][i] == queued[1][i] && err[0][i] == err[1][i],
			 "two arenas: group %u: batched %u (%d), per consumer "
			 "%u (%d)", i, queued[0][i], err[0][i], queued[1][i],
			 err[1][i]);
	books_same(&b[0], &b[2], 0, 0, "two arenas, x");
	books_same(&b[1], &b[3], 0, 0, "two arenas, y");
	XT_EQ(queued[0][0], 3);
	XT_EQ(queued[0][1], 3);
	XT_EQ(queued[0][2], 2);                 /* starved */
	XT_EQ(err[0][2], ENOBUFS);
	XT_EQ(queued[0][3], 2);                 /* ring */
	XT_EQ(err[0][3], ENOSPC);
	XT_EQ(queued[0][4], 0);                 /* the other arena's frame */
	XT_EQ(err[0][4], EXDEV);
	XT_EQ(queued[0][5], 1);
	XT_EQ(err[0][5], 0);
	XT_EQ(b[0].s[0].accepted, 4);
	XT_EQ(b[0].s[1].refused, 3);
	XT_EQ(b[0].s[2].rejected, 1);
	XT_EQ(b[1].s[0].accepted, 3);
	XT_EQ(b[1].s[3].refused, 2);
	XT_EQ(b[1].s[3].in_use, 2);
	for (k = 0; k < 4; k++) {
		xt_census_ok(w[k].a, w[k].name);
		world_fini(&w[k]);
	}
}

/* Misuse: an error, nothing taken, the caller's frames still its own. */
static void
test_misuse(void)
{
	struct world w;
	struct xchg_deliver_group g[1];
	struct rte_mbuf *m[2];
	struct xchg_pool_stats s;

	world_init(&w, "dlv_misuse", true);
	m[0] = frame(&w, FRESH, 0);
	m[1] = frame(&w, FRESH, 0);
	g[0].consumer = w.c[0];
	g[0].n = 2;
	g[0].queued = 7;
	XT_EQ(xchg_consumer_deliver_groups(NULL, 1, m), -EINVAL);
	XT_EQ(xchg_consumer_deliver_groups(g, 1, NULL), -EINVAL);
	XT_EQ(xchg_consumer_deliver_groups(g, 0, m), -EINVAL);
	XT_EQ(g[0].queued, 7); /* untouched */
	XT_CHECK(xchg_mbuf_owner(m[0]) == NULL && xchg_mbuf_owner(m[1]) == NULL,
		 "frames still nobody's");
	XT_EQ(xchg_pool_stats_get(xchg_consumer_pool(w.c[0]), &s), 0);
	XT_EQ(s.accepted + s.refused + s.rejected, 0);
	/* A NULL consumer is that group's error only. */
	g[0].consumer = NULL;
	XT_EQ(xchg_consumer_deliver_groups(g, 1, m), 0);
	XT_EQ(g[0].queued, 0);
	XT_EQ(g[0].err, EINVAL);
	depth_ok(w.a, "misuse");
	/* Empty groups between others, of a live consumer, of none and of
	 * a freed pool: nothing for them, no error, the others as ever. */
	{
		struct xchg_deliver_group e[5] = {
			{ .consumer = w.c[0], .n = 0 },
			{ .consumer = NULL, .n = 0 },
			{ .consumer = w.c[0], .n = 1 },
			{ .consumer = w.c[4], .n = 0 },
			{ .consumer = w.c[2], .n = 1 },
		};

		kill_pool(&w);
		XT_EQ(xchg_consumer_deliver_groups(e, RTE_DIM(e), m), 0);
		XT_EQ(e[0].queued + e[1].queued + e[3].queued, 0);
		XT_EQ(e[0].err | e[1].err | e[3].err, 0);
		XT_EQ(e[2].queued, 1);
		XT_EQ(e[2].err, 0);
		XT_EQ(e[4].queued, 1);
		XT_EQ(e[4].err, 0);
		XT_CHECK(xchg_mbuf_owner(m[0]) == xchg_consumer_pool(w.c[0]) &&
			 xchg_mbuf_owner(m[1]) == xchg_consumer_pool(w.c[2]),
			 "each frame its group's consumer's");
		depth_ok(w.a, "misuse, empty groups");
	}
	xt_census_ok(w.a, "misuse");
	world_fini(&w);
}

int
main(int argc __rte_unused, char **argv)
{
	xt_eal_init(argv[0], "0", 0, NULL);
	XT_RUN(test_cases);
	XT_RUN(test_soak);
	XT_RUN(test_soak_shared);
	XT_RUN(test_long_groups);
	XT_RUN(test_long_call);
	XT_RUN(test_two_arenas);
	XT_RUN(test_misuse);
	return xt_done("deliver");
}
