/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_STACK_FRAG_H
#define XCHG_STACK_FRAG_H

/* Internal to the stack's reassembly (xchg_stack_frag*.c): not
 * installed. */

#include <string.h>

#include <rte_ether.h>
#include <rte_jhash.h>
#include <rte_spinlock.h>

#include "xchg_stack_private.h"

/* One fragment held: a slot of its socket's account. */
struct frag {
	struct rte_mbuf *m;     /* whole frame, Ethernet header at mtod */
	uint16_t off;           /* in the datagram's IP payload, bytes */
	uint16_t len;           /* IP payload bytes this fragment holds */
	int32_t next;           /* next slot by offset, -1: the last */
};

/* Who a datagram is: the IPv4 reassembly key (addresses, id,
 * protocol), or the IPv6 one (addresses, the fragment header's id). */
struct frag_key {
	rte_be32_t src, dst;
	rte_be16_t id;
	uint8_t proto;
	bool v6;                /* the IPv6 fields below are set */
	uint32_t id6;
	uint8_t src6[16], dst6[16];
};

/* A datagram being reassembled, in its socket's own set. */
struct collector {
	struct collector *hnext;        /* hash chain */
	struct collector *prev, *next;  /* the table's open list, by start */
	struct xchg_frag_acct *acct;    /* the socket it is for */
	bool used;
	struct frag_key key;
	uint64_t started;       /* frag_now(), at the first fragment */
	uint32_t total;         /* datagram payload; 0 until the last one */
	uint32_t have;          /* payload bytes held */
	uint16_t nb;            /* fragments held */
	uint16_t skip;          /* IPv6: extension headers after the
				 * fragment header in the first fragment,
				 * before UDP */
	int32_t head;           /* first slot, by offset; -1: none */
};

/* A socket's reassembly: its own collectors and fragment slots. */
struct xchg_frag_acct {
	struct xchg_socket *sock;
	uint32_t nb_col;
	uint32_t nb_used;       /* collectors in use */
	uint32_t nb_slots;
	int32_t free_slot;      /* free list through frag.next */
	uint64_t reassembled;
	struct frag_share *share;       /* its collectors by host */
	struct collector *col;
	struct frag *slots;
};

/* A fragment in the staging area. */
struct staged {
	struct rte_mbuf *m;
	struct frag_key key;
	bool used;
	bool last;
	uint16_t off, len;
	int32_t prev, next;     /* the area's list, oldest first; next: the
				 * free list too */
	uint64_t arrived;       /* frag_now() */
};

/* First fragments that went to the proxy: their later fragments follow
 * them there. The proxy's own small memory, oldest overwritten. */
#define FRAG_PROXY_KEYS 16

struct xchg_frag_table {
	rte_spinlock_t lock;
	uint32_t seed;
	uint32_t hash_mask;
	struct collector **buckets;
	struct collector open;          /* sentinel of the open list */
	uint32_t nb_open;               /* read without the lock */
	uint16_t max_frags;
	uint64_t timeout;               /* stack clock cycles */
	/* The table's own clock: the stack clock's forward steps only, so
	 * it never goes back, whatever order the readings come in. */
	uint64_t clock_raw, clock;

	/* Staging (xchg_stack_frag_stage.c). */
	struct xchg_pool *stage_pool;
	uint32_t stage_cap;
	uint32_t stage_used;            /* read without the lock */
	struct staged *stage;
	struct frag_share *stage_share; /* staged fragments by host */
	int32_t stage_free;             /* free entries, through next */
	int32_t stage_old, stage_new;   /* oldest and newest staged */
	struct xchg_frag_staging_stats stage_st;

	struct frag_key proxy_keys[FRAG_PROXY_KEYS];
	uint64_t proxy_at[FRAG_PROXY_KEYS];
	uint32_t proxy_next;
};

static inline void
frag_key_of(struct frag_key *k, const struct xchg_pkt *pkt)
{
	if (pkt->ether_type == RTE_ETHER_TYPE_IPV6) {
		memset(k, 0, sizeof(*k));
		k->v6 = true;
		k->id6 = pkt->frag_id6;
		memcpy(k->src6, pkt->src6, 16);
		memcpy(k->dst6, pkt->dst6, 16);
		return;
	}
	k->v6 = false;
	k->src = pkt->src;
	k->dst = pkt->dst;
	k->id = pkt->ip_id;
	k->proto = pkt->proto;
}

static inline bool
frag_key_eq(const struct frag_key *a, const struct frag_key *b)
{
	if (a->v6 || b->v6)
		return a->v6 == b->v6 && a->id6 == b->id6 &&
		       memcmp(a->src6, b->src6, 16) == 0 &&
		       memcmp(a->dst6, b->dst6, 16) == 0;
	return a->src == b->src && a->dst == b->dst && a->id == b->id &&
	       a->proto == b->proto;
}

/*
 * Time for reassembly: the stack clock's forward steps summed, under the
 * lock. A clock that goes back (a capture's, or another lcore's reading
 * just behind) stops it for that step only, so every age is the time the
 * clock went forward since, and expiry keeps the order entries came in.
 */
static inline uint64_t
frag_clock(struct xchg_frag_table *t, uint64_t raw)
{
	if (raw > t->clock_raw)
		t->clock += raw - t->clock_raw;
	t->clock_raw = raw;
	return t->clock;
}

static inline uint64_t
frag_now(struct xchg_stack *s, struct xchg_frag_table *t)
{
	return frag_clock(t, xchg_stack_now(s));
}

/* Who sent a fragment, for the fair shares: a keyed hash of the source
 * address, its 16 bytes for IPv6. */
static inline uint32_t
frag_host_of(const struct xchg_frag_table *t, const struct frag_key *k)
{
	if (k->v6)
		return rte_jhash(k->src6, 16, t->seed);
	return rte_jhash_1word(k->src, t->seed);
}

/* Where a fragment's data starts, from the IP header: past the IPv4
 * header, or past IPv6's fragment header (a first fragment may have
 * more extension headers after it, which are data). */
static inline uint16_t
frag_data_start(const struct xchg_pkt *pkt)
{
	return pkt->ether_type == RTE_ETHER_TYPE_IPV6 ? pkt->frag6_end :
							pkt->l3_len;
}

/* A fragment that would make its datagram larger than the family
 * allows: 65535 bytes in all for IPv4, of payload for IPv6. */
static inline bool
frag_too_large(const struct xchg_pkt *pkt, uint32_t off, uint32_t len)
{
	uint32_t max = pkt->ether_type == RTE_ETHER_TYPE_IPV6 ? 65535u + 40u :
								65535u;

	return off + len + frag_data_start(pkt) > max;
}

/*
 * Fair shares between hosts (xchg_stack_frag_share.c): @cap entries
 * 0..cap-1, each of one host; O(1) each.
 */
struct frag_share;
struct frag_share *frag_share_create(uint32_t cap);
void frag_share_free(struct frag_share *sh);
/* Entry @e now held by host @id, as its newest. */
void frag_share_add(struct frag_share *sh, int32_t e, uint32_t id);
/* Entry @e released (nothing when it is not held). */
void frag_share_del(struct frag_share *sh, int32_t e);
/* Entry @e becomes its host's newest. */
void frag_share_touch(struct frag_share *sh, int32_t e);
/* The entry to evict for one of host @id: the oldest of a host holding
 * the most, @id's own first; never @keep; -1: none. */
int32_t frag_share_victim(const struct frag_share *sh, uint32_t id,
			  int32_t keep);
/* Entries host @id holds, and its entries oldest first. */
uint32_t frag_share_held(const struct frag_share *sh, uint32_t id);
int32_t frag_share_first(const struct frag_share *sh, uint32_t id);
int32_t frag_share_next(const struct frag_share *sh, int32_t e);

/* Add a fragment to @c of its socket (slot and units paid already is
 * not assumed: pays, evicting the socket's own oldest datagrams other
 * than @c when needed). Returns 0, or the drop reason when @c can never
 * complete (it is dropped whole then, and @m with it). Lock held. */
int xchg_frag_add(struct xchg_stack *s, struct collector *c,
		  struct rte_mbuf *m, uint32_t off, uint32_t len, bool last);

/* Staging, lock held. */
int xchg_frag_stage_create(struct xchg_stack *s, struct xchg_frag_table *t);
void xchg_frag_stage_free(struct xchg_frag_table *t);
void xchg_frag_stage_put(struct xchg_stack *s, struct xchg_frag_table *t,
			 struct rte_mbuf *m, const struct xchg_pkt *pkt);
/* Move the staged fragments of @c's datagram into it; false when the
 * datagram was dropped meanwhile. */
bool xchg_frag_stage_adopt(struct xchg_stack *s, struct xchg_frag_table *t,
			   struct collector *c);
/* Take @e out of the area; its frame is the caller's. */
void xchg_frag_unstage(struct xchg_frag_table *t, struct staged *e);
/* The next staged fragment of datagram @k after entry @from (-1: the
 * first), or -1. Looks at its sender's entries only. */
int32_t xchg_frag_stage_find(const struct xchg_frag_table *t,
			     const struct frag_key *k, int32_t from);
/* @now: frag_now(). */
void xchg_frag_stage_expire(struct xchg_stack *s, struct xchg_frag_table *t,
			    uint64_t now);

#endif /* XCHG_STACK_FRAG_H */
