/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Neighbour table in two parts that never take from each other:
 * - pinned entries: configured neighbours (static, never aged, never
 *   replaced by learning) and the next hops of connected sockets (kept
 *   while a socket is connected; learning updates their address but can
 *   never push them out). Room for neigh_max configured entries and one
 *   per socket the stack can hold is set aside at creation, so pinning
 *   cannot fail for want of room;
 * - learned entries: at most neigh_max, in least recently updated order;
 *   when full, a new one replaces the oldest learned one, in O(1).
 * An ARP storm from any number of hosts therefore churns the learned
 * part only.
 *
 * Every lookup, on receive and on each send, is one probe of a keyed
 * hash (random seed per stack, so crafted addresses cannot line up in a
 * bucket) with chains through the entries. Learned on the service
 * lcore, read by senders on any lcore under a reader lock. Learning what
 * the table knows already (the steady state of ARP and ND traffic) takes
 * no lock: see learn_unchanged().
 *
 * IPv4 and IPv6 each have a table of their own (s->neigh, s->neigh6),
 * the same code keyed by one word or by four: an IPv4 lookup hashes one
 * word and compares one, as before IPv6 came; an ND storm churns only
 * the IPv6 table's learned part and an ARP storm only the IPv4 one's.
 * The IPv6 entry points are in xchg_stack_neigh6.c.
 */

#include <errno.h>
#include <string.h>

#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "xchg_stack_private.h"

enum nkind { N_FREE = 0, N_LEARNED, N_STATIC, N_PEER };

struct nent {
	uint32_t k[4];              /* IPv4: k[0]; IPv6: the address */
	struct rte_ether_addr mac;
	uint8_t kind;
	bool resolved;              /* false: a request is out */
	uint32_t refs;              /* connected sockets, pinned entries */
	int32_t hnext;              /* hash chain */
	int32_t prev, next;         /* learned: age order; free: free list */
	uint64_t updated;           /* stack clock; see learn_unchanged() */
	uint64_t requested;         /* last request sent, stack clock */
	uint64_t placed;            /* learned: age key where it stands */
	uint64_t touched;           /* learned: age key of its last update */
};

struct xchg_neigh_table {
	rte_rwlock_t lock;
	uint32_t seq;               /* odd while a writer changes the table */
	bool v6;                    /* keyed by four words, not one */
	uint32_t *nb_out;           /* the stack's published count */
	uint32_t seed;
	uint32_t mask;
	int32_t *buckets;
	uint32_t learned_max;       /* entries [0, learned_max) */
	uint32_t pinned_max;        /* entries [learned_max, + pinned_max) */
	uint32_t static_max;
	uint32_t nb_learned, nb_pinned, nb_static;
	int32_t free_learned, free_pinned;
	int32_t oldest, newest;     /* learned, by placed */
	uint64_t lseq;              /* learning's events; see learner_key() */
	struct nent *e;
	struct settle *settle;      /* age_settle()'s room: learned_max */
};

/* A learned entry refreshed without the lock, at its last update's key. */
struct settle {
	uint64_t key;
	int32_t i;
};

static void
count(struct xchg_neigh_table *t)
{
	/* Figures only: read relaxed by xchg_stack_stats_get(). */
	__atomic_store_n(t->nb_out, t->nb_learned + t->nb_pinned,
			 __ATOMIC_RELAXED);
}

/*
 * Every change to the table is made between wlock() and wunlock(): under
 * the write lock, with t->seq odd meanwhile (DPDK's rte_seqcount
 * pattern), so that learn_unchanged()'s lock-free reads can tell whether
 * a writer ran while they read. The relaxed store of the odd value and
 * the release fence order it before every store of the change; the
 * release store of the even value orders every store of the change
 * before it. One writer at a time: the lock.
 */
static void
wlock(struct xchg_neigh_table *t)
{
	rte_rwlock_write_lock(&t->lock);
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
wunlock(struct xchg_neigh_table *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
	rte_rwlock_write_unlock(&t->lock);
}

static struct xchg_neigh_table *
table_create(struct xchg_stack *s, bool v6, uint32_t *nb_out)
{
	struct xchg_neigh_table *t;
	uint32_t i, total, nb;

	t = rte_zmalloc("xchg_neigh", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return NULL;
	rte_rwlock_init(&t->lock);
	t->v6 = v6;
	t->nb_out = nb_out;
	t->learned_max = s->conf.neigh_max;
	t->static_max = s->conf.neigh_max;
	t->pinned_max = t->static_max + s->max_sockets;
	total = t->learned_max + t->pinned_max;
	nb = rte_align32pow2(RTE_MAX(total, 64u));
	t->mask = nb - 1;
	t->seed = (uint32_t)rte_rand();
	t->buckets = rte_malloc("xchg_neigh_hash", sizeof(*t->buckets) * nb,
				RTE_CACHE_LINE_SIZE);
	t->e = rte_zmalloc("xchg_neigh_entries", sizeof(*t->e) * total,
			   RTE_CACHE_LINE_SIZE);
	t->settle = rte_malloc("xchg_neigh_settle", sizeof(*t->settle) *
			       RTE_MAX(t->learned_max, 1u), 0);
	if (t->buckets == NULL || t->e == NULL || t->settle == NULL) {
		rte_free(t->buckets);
		rte_free(t->e);
		rte_free(t->settle);
		rte_free(t);
		return NULL;
	}
	for (i = 0; i < nb; i++)
		t->buckets[i] = -1;
	for (i = 0; i < total; i++) {
		bool end = i + 1 == t->learned_max || i + 1 == total;

		t->e[i].next = end ? -1 : (int32_t)i + 1;
		t->e[i].hnext = -1;
	}
	t->free_learned = t->learned_max != 0 ? 0 : -1;
	t->free_pinned = t->pinned_max != 0 ? (int32_t)t->learned_max : -1;
	t->oldest = t->newest = -1;
	return t;
}

static void
table_free(struct xchg_neigh_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->buckets);
	rte_free(t->e);
	rte_free(t->settle);
	rte_free(t);
}

int
xchg_neigh_init(struct xchg_stack *s)
{
	s->neigh = table_create(s, false, &s->nb_neigh);
	s->neigh6 = s->neigh == NULL ? NULL :
		    table_create(s, true, &s->nb_neigh6);
	return s->neigh6 == NULL ? -ENOMEM : 0;
}

void
xchg_neigh_free(struct xchg_stack *s)
{
	table_free(s->neigh);
	table_free(s->neigh6);
	s->neigh = NULL;
	s->neigh6 = NULL;
}

static uint32_t
bucket(const struct xchg_neigh_table *t, const uint32_t *k)
{
	return (t->v6 ? rte_jhash_32b(k, 4, t->seed) :
			rte_jhash_1word(k[0], t->seed)) & t->mask;
}

static bool
same(const struct xchg_neigh_table *t, const uint32_t *a, const uint32_t *b)
{
	return a[0] == b[0] &&
	       (!t->v6 || (a[1] == b[1] && a[2] == b[2] && a[3] == b[3]));
}

static int32_t
find(const struct xchg_neigh_table *t, const uint32_t *k)
{
	int32_t i = t->buckets[bucket(t, k)];

	while (i >= 0 && !same(t, t->e[i].k, k))
		i = t->e[i].hnext;
	return i;
}

static void
unhash(struct xchg_neigh_table *t, int32_t i)
{
	int32_t *pp = &t->buckets[bucket(t, t->e[i].k)];

	while (*pp >= 0 && *pp != i)
		pp = &t->e[*pp].hnext;
	if (*pp == i)
		*pp = t->e[i].hnext;
	t->e[i].hnext = -1;
}

static void
age_unlink(struct xchg_neigh_table *t, int32_t i)
{
	struct nent *n = &t->e[i];

	if (n->prev >= 0)
		t->e[n->prev].next = n->next;
	else
		t->oldest = n->next;
	if (n->next >= 0)
		t->e[n->next].prev = n->prev;
	else
		t->newest = n->prev;
}

/*
 * The age order is kept by keys, not by the clock (a capture's clock can
 * stand still or go back): the learning thread (the service lcore) counts
 * its updates in t->lseq, written by it alone, and an update of its own
 * gets the even key 2 * lseq after the count; an entry another thread
 * appends under the lock gets the odd key just after the learning
 * thread's last update it can see. So every update has a key, later
 * updates of one thread larger keys, and an append after an update seen
 * a larger key than it. The list runs by placed, ascending; a learned
 * entry's touched is at least its placed, larger when learning refreshed
 * it without the lock (learn_unchanged()) and did not move it.
 */
static uint64_t
learner_key(struct xchg_neigh_table *t)
{
	uint64_t n = __atomic_load_n(&t->lseq, __ATOMIC_RELAXED) + 1;

	__atomic_store_n(&t->lseq, n, __ATOMIC_RELAXED);
	return 2 * n;
}

static uint64_t
other_key(const struct xchg_neigh_table *t)
{
	return 2 * __atomic_load_n(&t->lseq, __ATOMIC_RELAXED) + 1;
}

static void
age_append(struct xchg_neigh_table *t, int32_t i, uint64_t key)
{
	struct nent *n = &t->e[i];

	n->placed = key;
	__atomic_store_n(&n->touched, key, __ATOMIC_RELAXED);
	n->prev = t->newest;
	n->next = -1;
	if (t->newest >= 0)
		t->e[t->newest].next = i;
	else
		t->oldest = i;
	t->newest = i;
}

/* Link learned entry @i, unlinked, at key @key just after entry @j (the
 * oldest end when @j is -1). */
static void
age_link_after(struct xchg_neigh_table *t, int32_t i, int32_t j,
	       uint64_t key)
{
	struct nent *n = &t->e[i];

	n->placed = key;
	n->prev = j;
	n->next = j >= 0 ? t->e[j].next : t->oldest;
	if (n->next >= 0)
		t->e[n->next].prev = i;
	else
		t->newest = i;
	if (j >= 0)
		t->e[j].next = i;
	else
		t->oldest = i;
}

/* Sift r[i] down the max-heap r[0..n) by key. */
static void
settle_sift(struct settle *r, uint32_t i, uint32_t n)
{
	struct settle v = r[i];
	uint32_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && r[c + 1].key > r[c].key)
			c++;
		if (r[c].key <= v.key)
			break;
		r[i] = r[c];
		i = c;
	}
	r[i] = v;
}

/* Sort r[0..n) by key, ascending, in place: a heapsort, not qsort(),
 * because glibc's qsort() may malloc() its scratch room (and calls
 * free() every time), and this runs on the service lcore's data path,
 * where nothing is allocated (tests/proofs/zero_alloc). */
static void
settle_sort(struct settle *r, uint32_t n)
{
	uint32_t i;

	for (i = n / 2; i-- != 0;)
		settle_sift(r, i, n);
	while (n > 1) {
		struct settle top = r[0];

		r[0] = r[--n];
		r[n] = top;
		settle_sift(r, 0, n);
	}
}

/*
 * Bring the least recently updated learned entry to the oldest end: the
 * entries refreshed without the lock (touched above placed) that stand
 * at the oldest end are taken out, sorted by their last update's key and
 * merged back in one walk from the newest end, the largest key first.
 * Then the oldest is the one: either an entry not refreshed, whose
 * placed is the smallest and every touched is at least its entry's
 * placed, or a merged one that goes before it. The same order as moving
 * them one by one to their key's place, but O(n + r log r) for r moved
 * of n, not O(r * n): refreshes in the reverse of the age order (an ARP
 * storm from known hosts can make them) do not cost a walk each under
 * the lock. A refresh meanwhile leaves touched above the key used here:
 * that entry moves at the next settle.
 */
static void
age_settle(struct xchg_neigh_table *t)
{
	struct settle *r = t->settle;
	uint32_t nr = 0, k;
	int32_t j;

	while (t->oldest >= 0) {
		int32_t i = t->oldest;
		uint64_t key = __atomic_load_n(&t->e[i].touched,
					       __ATOMIC_RELAXED);

		if (key <= t->e[i].placed)
			break;
		age_unlink(t, i);
		r[nr++] = (struct settle){ key, i };
	}
	if (nr == 0)
		return;
	settle_sort(r, nr);
	j = t->newest;
	for (k = nr; k-- != 0;) {
		while (j >= 0 && t->e[j].placed > r[k].key)
			j = t->e[j].prev;
		age_link_after(t, r[k].i, j, r[k].key);
	}
}

/* Free an entry of either part. */
static void
release(struct xchg_neigh_table *t, int32_t i)
{
	struct nent *n = &t->e[i];

	unhash(t, i);
	if (n->kind == N_LEARNED) {
		age_unlink(t, i);
		t->nb_learned--;
		n->next = t->free_learned;
		t->free_learned = i;
	} else {
		if (n->kind == N_STATIC)
			t->nb_static--;
		t->nb_pinned--;
		n->next = t->free_pinned;
		t->free_pinned = i;
	}
	n->kind = N_FREE;
}

static void
fill(struct xchg_stack *s, struct xchg_neigh_table *t, int32_t i,
     enum nkind kind, const uint32_t *k, const struct rte_ether_addr *mac)
{
	struct nent *n = &t->e[i];
	uint32_t b = bucket(t, k);

	memcpy(n->k, k, sizeof(n->k));
	n->kind = (uint8_t)kind;
	n->resolved = mac != NULL;
	if (mac != NULL)
		n->mac = *mac;
	n->refs = 0;
	n->requested = 0;
	/* Atomic: learn_unchanged() may store into it meanwhile. */
	__atomic_store_n(&n->updated, xchg_stack_now(s), __ATOMIC_RELAXED);
	n->hnext = t->buckets[b];
	t->buckets[b] = i;
	if (kind == N_LEARNED) {
		t->nb_learned++;
		age_append(t, i, other_key(t));
	} else {
		t->nb_pinned++;
	}
}

/* A learned entry's room: a free one, or the oldest learned entry's. */
static int32_t
take_learned(struct xchg_neigh_table *t)
{
	int32_t i = t->free_learned;

	if (i < 0 && t->oldest >= 0) {
		age_settle(t);
		release(t, t->oldest);
		i = t->free_learned;
	}
	if (i >= 0)
		t->free_learned = t->e[i].next;
	return i;
}

static int32_t
take_pinned(struct xchg_neigh_table *t)
{
	int32_t i = t->free_pinned;

	if (i >= 0)
		t->free_pinned = t->e[i].next;
	return i;
}

/* Move a learned entry to the pinned part as @kind, keeping what it
 * knows; -1 when the pinned part is full. */
static int32_t
pin_learned(struct xchg_stack *s, struct xchg_neigh_table *t, int32_t i,
	    enum nkind kind)
{
	const struct nent *old = &t->e[i];
	int32_t j = take_pinned(t);
	struct rte_ether_addr mac = old->mac;
	uint32_t k[4];
	/* The fields one by one: the stamp (and touched, not needed) are
	 * stored by learn_unchanged() without the lock; loaded once,
	 * atomic. */
	uint64_t updated = __atomic_load_n(&old->updated, __ATOMIC_RELAXED);
	uint64_t requested = old->requested;
	bool resolved = old->resolved;

	if (j < 0)
		return -1;
	memcpy(k, old->k, sizeof(k));
	release(t, i);
	fill(s, t, j, kind, k, resolved ? &mac : NULL);
	__atomic_store_n(&t->e[j].updated, updated, __ATOMIC_RELAXED);
	t->e[j].requested = requested;
	return j;
}

int
xchg_neigh_add_static(struct xchg_stack *s, struct xchg_neigh_table *t,
		      const uint32_t *k, const struct rte_ether_addr *mac)
{
	int32_t i;
	int ret = 0;

	wlock(t);
	i = find(t, k);
	if (i >= 0 && t->e[i].kind == N_STATIC) {
		t->e[i].mac = *mac;
		t->e[i].resolved = true;
	} else if (t->nb_static == t->static_max) {
		ret = -ENOSPC;
	} else {
		if (i >= 0 && t->e[i].kind == N_LEARNED)
			i = pin_learned(s, t, i, N_STATIC);
		else if (i < 0 && (i = take_pinned(t)) >= 0)
			fill(s, t, i, N_STATIC, k, mac);
		if (i >= 0) {
			t->e[i].kind = N_STATIC;
			t->e[i].mac = *mac;
			t->e[i].resolved = true;
			t->e[i].updated = xchg_stack_now(s);
			t->nb_static++;
		} else {
			ret = -ENOSPC;
		}
	}
	count(t);
	wunlock(t);
	return ret;
}

/*
 * Learning without the lock what the table knows already: when @k is a
 * learned entry or a pinned peer resolved to @mac, learning changes no
 * address; it moves the entry's stamp to now and, for a learned entry,
 * its place in the age order to the newest. Both are done here with
 * relaxed stores: the stamp, and the entry's touched key (learner_key()),
 * which the writers that need the order (take_learned(), age()) settle
 * under the lock first (age_settle()), so the entry replaced or aged is
 * the least recently updated one exactly as if it had moved now. Returns
 * 1 (learned, as the locked path says). A static entry is never changed
 * by learning: 0 (not learned). Anything else: -1, for the locked path.
 *
 * Memory order (DPDK's rte_seqcount reader). The acquire load of an even
 * t->seq pairs with the release store that ended the last change
 * (wunlock()), so the reads below see the table as that writer left it,
 * unless another writer starts meanwhile; the acquire fence after the
 * reads, then the second load of t->seq, pairs with that writer's
 * release fence after its odd store (wlock()): if any read below saw a
 * store of a change, the second load sees an odd or a later value and
 * the reads are discarded (-1, the locked path). On x86 both fences are
 * compiler barriers only (loads are not reordered with loads, nor
 * stores with stores); on weakly ordered CPUs they are the barriers
 * that make the argument hold. A torn read does no harm before the
 * check: the indices are loaded once each (relaxed atomic loads, so the
 * compiler cannot load one again after its bound check), every one is
 * checked against the table's size and the walk is bounded by it; the
 * key, kind and MAC read are only compared.
 *
 * The stores. Only learning writes the stamp and touched outside a
 * change, and learning runs on the service lcore, one thread (as age()
 * and the locked learning do: neither can run meanwhile); readers under
 * the lock load them relaxed (age_settle(), age(), foreach), and every
 * store of them is one aligned 64-bit store (single-copy atomic on every
 * CPU DPDK runs on), so no reader sees half a stamp. They come after the
 * reads were found consistent, so a writer on a socket's lcore that
 * starts between the check and the stores can receive them on the entry
 * it changed. Each case leaves the table as some order of the two would
 * have, but for the refresh itself:
 * - it replaced the entry (xchg_neigh_need_request(): the entry was the
 *   least recently updated one) or an unpin freed it: the host is gone,
 *   as if the replacement had come just before this learning, which
 *   then does not add it back (a solicitation does, on the next send);
 *   an entry that was refilled for another host gets this thread's now
 *   and a learning key taken during that writer's change: the stamp
 *   and place it got from fill() a moment before, give or take the
 *   keys other writers appended meanwhile, which it now follows;
 * - a pin moved it to the pinned part: the peer keeps the stamp before
 *   this refresh until the next learning; pinned entries do not age;
 * - a static entry took the freed room (xchg_neigh_add_static()): a
 *   pinned index, and only learned ones get touched; its stamp is shown,
 *   never aged.
 * No address, key or link changes, so no reader can see an entry of
 * one host with another's address, and age_settle() works with any
 * touched value (it only moves entries within the age order). No locked
 * instruction either way: ARP and ND traffic from known hosts costs a
 * lookup and two stores.
 */
static int
learn_unchanged(struct xchg_stack *s, struct xchg_neigh_table *t,
		const uint32_t *k, const struct rte_ether_addr *mac)
{
	const uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
	const uint32_t total = t->learned_max + t->pinned_max;
	struct nent *n;
	uint32_t steps = 0;
	uint8_t kind;
	int32_t i;
	int ret;

	if (unlikely(seq & 1))
		return -1;
	i = __atomic_load_n(&t->buckets[bucket(t, k)], __ATOMIC_RELAXED);
	while (i >= 0 && (uint32_t)i < total && steps++ < total &&
	       !same(t, t->e[i].k, k))
		i = __atomic_load_n(&t->e[i].hnext, __ATOMIC_RELAXED);
	if (i < 0 || (uint32_t)i >= total || !same(t, t->e[i].k, k))
		return -1;
	n = &t->e[i];
	kind = n->kind;
	if (kind == N_STATIC)
		ret = 0;
	else if ((kind == N_LEARNED || kind == N_PEER) && n->resolved &&
		 rte_is_same_ether_addr(&n->mac, mac))
		ret = 1;
	else
		return -1;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) != seq)
		return -1;
	if (ret == 0)
		return 0;
	__atomic_store_n(&n->updated, xchg_stack_now(s), __ATOMIC_RELAXED);
	if (kind == N_LEARNED)
		__atomic_store_n(&n->touched, learner_key(t),
				 __ATOMIC_RELAXED);
	return 1;
}

bool
xchg_neigh_learn_key(struct xchg_stack *s, struct xchg_neigh_table *t,
		     const uint32_t *k, const struct rte_ether_addr *mac,
		     bool create)
{
	bool learned = false;
	int32_t i;
	int same_as_known = learn_unchanged(s, t, k, mac);

	if (same_as_known >= 0)
		return same_as_known == 1;
	wlock(t);
	i = find(t, k);
	if (i >= 0 && t->e[i].kind != N_STATIC) {
		/* Learning updates a peer's address, never its place. */
		t->e[i].mac = *mac;
		t->e[i].resolved = true;
		t->e[i].updated = xchg_stack_now(s);
		if (t->e[i].kind == N_LEARNED) {
			age_unlink(t, i);
			age_append(t, i, learner_key(t));
		}
		learned = true;
	} else if (i < 0 && create && (i = take_learned(t)) >= 0) {
		fill(s, t, i, N_LEARNED, k, mac);
		/* The newest: a key of learning's own, above every
		 * other one. */
		t->e[i].placed = learner_key(t);
		__atomic_store_n(&t->e[i].touched, t->e[i].placed,
				 __ATOMIC_RELAXED);
		learned = true;
	}
	count(t);
	wunlock(t);
	return learned;
}

int
xchg_neigh_lookup_key(struct xchg_neigh_table *t, const uint32_t *k,
		      struct rte_ether_addr *mac)
{
	int32_t i;
	int ret = -ENOENT;

	rte_rwlock_read_lock(&t->lock);
	i = find(t, k);
	if (i >= 0 && t->e[i].resolved) {
		*mac = t->e[i].mac;
		ret = 0;
	}
	rte_rwlock_read_unlock(&t->lock);
	return ret;
}

bool
xchg_neigh_need_request(struct xchg_stack *s, struct xchg_neigh_table *t,
			const uint32_t *k)
{
	uint64_t now = xchg_stack_now(s);
	bool ask = false;
	int32_t i;

	/* An incomplete entry rate-limits requests to one per 200 ms. */
	wlock(t);
	i = find(t, k);
	if (i < 0 && (i = take_learned(t)) >= 0)
		fill(s, t, i, N_LEARNED, k, NULL);
	if (i >= 0 && !t->e[i].resolved &&
	    (t->e[i].requested == 0 || now - t->e[i].requested > s->hz / 5)) {
		t->e[i].requested = now != 0 ? now : 1;
		ask = true;
	}
	count(t);
	wunlock(t);
	return ask;
}

int
xchg_neigh_pin_key(struct xchg_stack *s, struct xchg_neigh_table *t,
		   const uint32_t *k)
{
	int32_t i;
	int ret = 0;

	wlock(t);
	i = find(t, k);
	if (i >= 0 && t->e[i].kind == N_LEARNED)
		i = pin_learned(s, t, i, N_PEER);
	else if (i < 0 && (i = take_pinned(t)) >= 0)
		fill(s, t, i, N_PEER, k, NULL);
	if (i >= 0)
		t->e[i].refs++;
	else
		ret = -ENOSPC;
	count(t);
	wunlock(t);
	return ret;
}

void
xchg_neigh_unpin_key(struct xchg_neigh_table *t, const uint32_t *k)
{
	int32_t i;

	wlock(t);
	i = find(t, k);
	if (i >= 0 && t->e[i].kind != N_LEARNED && t->e[i].refs != 0 &&
	    --t->e[i].refs == 0 && t->e[i].kind == N_PEER)
		release(t, i);
	count(t);
	wunlock(t);
}

static void
age(struct xchg_stack *s, struct xchg_neigh_table *t, uint64_t now)
{
	uint64_t life = s->conf.neigh_timeout_ms * s->hz / 1000;

	/* Oldest first: only learned entries age. */
	wlock(t);
	for (;;) {
		uint64_t updated;

		age_settle(t);
		if (t->oldest < 0)
			break;
		updated = __atomic_load_n(&t->e[t->oldest].updated,
					  __ATOMIC_RELAXED);
		if (now <= updated || now - updated <= life)
			break;
		release(t, t->oldest);
	}
	count(t);
	wunlock(t);
}

void
xchg_neigh_age(struct xchg_stack *s, uint64_t now)
{
	age(s, s->neigh, now);
	age(s, s->neigh6, now);
}

uint32_t
xchg_neigh_table_pinned(struct xchg_neigh_table *t)
{
	uint32_t n;

	rte_rwlock_read_lock(&t->lock);
	n = t->nb_pinned;
	rte_rwlock_read_unlock(&t->lock);
	return n;
}

int
xchg_neigh_table_foreach(struct xchg_stack *s, struct xchg_neigh_table *t,
			 int (*fn)(const struct nent_view *n, void *arg),
			 void *arg)
{
	struct nent_view v;
	uint64_t now = xchg_stack_now(s), updated;
	uint32_t i;
	int ret = 0;

	rte_rwlock_read_lock(&t->lock);
	for (i = 0; i < t->learned_max + t->pinned_max && ret == 0; i++) {
		const struct nent *n = &t->e[i];

		if (n->kind == N_FREE || !n->resolved)
			continue;
		memcpy(v.k, n->k, sizeof(v.k));
		v.mac = n->mac;
		v.is_static = n->kind == N_STATIC;
		v.is_pinned = n->kind != N_LEARNED;
		updated = __atomic_load_n(&n->updated, __ATOMIC_RELAXED);
		v.age_ms = now > updated ?
			(uint32_t)((now - updated) * 1000 / s->hz) : 0;
		ret = fn(&v, arg);
	}
	rte_rwlock_read_unlock(&t->lock);
	return ret;
}

/* ---- IPv4 ---- */

#define K4(ip) ((const uint32_t[4]){ (ip) })

/* The lookup every send makes, as before the table had two key sizes:
 * one word hashed, one compared (bucket() and same() for IPv4 keys). */
static int
lookup4(struct xchg_neigh_table *t, rte_be32_t ip, struct rte_ether_addr *mac)
{
	int32_t i;
	int ret = -ENOENT;

	rte_rwlock_read_lock(&t->lock);
	i = t->buckets[rte_jhash_1word(ip, t->seed) & t->mask];
	while (i >= 0 && t->e[i].k[0] != ip)
		i = t->e[i].hnext;
	if (i >= 0 && t->e[i].resolved) {
		*mac = t->e[i].mac;
		ret = 0;
	}
	rte_rwlock_read_unlock(&t->lock);
	return ret;
}

int
xchg_stack_add_neighbour(struct xchg_stack *s, rte_be32_t ip,
			 const struct rte_ether_addr *mac)
{
	if (s == NULL || mac == NULL || ip == 0)
		return -EINVAL;
	return xchg_neigh_add_static(s, s->neigh, K4(ip), mac);
}

void
xchg_neigh_learn(struct xchg_stack *s, rte_be32_t ip,
		 const struct rte_ether_addr *mac, bool create)
{
	if (ip != 0 && xchg_neigh_learn_key(s, s->neigh, K4(ip), mac, create))
		XCHG_STACK_COUNT(s, arp_learned, 1);
}

int
xchg_stack_lookup_neighbour(struct xchg_stack *s, rte_be32_t ip,
			    struct rte_ether_addr *mac)
{
	if (s == NULL || mac == NULL)
		return -EINVAL;
	return lookup4(s->neigh, ip, mac);
}

int
xchg_neigh_resolve(struct xchg_stack *s, rte_be32_t ip,
		   struct rte_ether_addr *mac, struct xchg_socket *sender)
{
	if (xchg_stack_is_broadcast(s, ip)) {
		memset(mac, 0xff, sizeof(*mac));
		return 0;
	}
	if (lookup4(s->neigh, ip, mac) == 0)
		return 0;
	/* The sender pays for the request it needs. */
	if (xchg_neigh_need_request(s, s->neigh, K4(ip)) &&
	    xchg_arp_request(s, ip, sender != NULL ?
			     xchg_consumer_pool(sender->consumer) : NULL) != 0)
		return -ENOBUFS;
	return -EAGAIN;
}

int
xchg_neigh_pin(struct xchg_stack *s, rte_be32_t ip)
{
	if (ip == 0 || xchg_stack_is_broadcast(s, ip))
		return -EINVAL;
	return xchg_neigh_pin_key(s, s->neigh, K4(ip));
}

void
xchg_neigh_unpin(struct xchg_stack *s, rte_be32_t ip)
{
	xchg_neigh_unpin_key(s->neigh, K4(ip));
}

struct foreach4 {
	int (*fn)(const struct xchg_neigh_info *n, void *arg);
	void *arg;
};

static int
foreach4_one(const struct nent_view *v, void *arg)
{
	const struct foreach4 *f = arg;
	struct xchg_neigh_info info = {
		.ip = v->k[0], .mac = v->mac, .is_static = v->is_static,
		.is_pinned = v->is_pinned, .age_ms = v->age_ms,
	};

	return f->fn(&info, f->arg);
}

int
xchg_stack_neigh_foreach(struct xchg_stack *s,
			 int (*fn)(const struct xchg_neigh_info *n, void *arg),
			 void *arg)
{
	struct foreach4 f = { fn, arg };

	if (s == NULL || fn == NULL)
		return -EINVAL;
	return xchg_neigh_table_foreach(s, s->neigh, foreach4_one, &f);
}
