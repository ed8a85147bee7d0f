/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Neighbour discovery (RFC 4861) as a service with its own pool, as ARP:
 * it answers solicitations for our addresses (to the solicited-node
 * group, to a link-local or a global address of ours) in the
 * solicitation's own buffer, which the ND pool paid for, so an ND storm
 * can exhaust only ND's buffers; it learns from solicitations (their
 * source link-layer address) and advertisements into the IPv6 table
 * (xchg_stack_neigh6.c), whose learned part alone a storm churns; and it
 * runs duplicate address detection (RFC 4862) for our addresses. A
 * solicitation a send needs is paid by the sender.
 *
 * DAD is optimistic (RFC 4429): an address is used at once, and one DAD
 * probe goes out when the service first runs; a conflict seen before
 * xchg_stack_conf::dad_ms have passed (an advertisement for the
 * address, or another node's probe for it) takes the address out of use
 * for good, counted (dad_conflicts) and logged once.
 *
 * Every ICMPv6 message is checked on the RX lcore before it is given
 * to anyone (xchg_icmp6_check()): a malformed one is dropped there with
 * its reason and costs no pool.
 */

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "xchg_stack_private.h"

#define IP6_HDR_LEN 40
#define ICMP6_ECHO_REQUEST 128
#define ND_RS 133
#define ND_RA 134
#define ND_NS 135
#define ND_NA 136
#define ND_REDIRECT 137
#define OPT_SLLA 1
#define OPT_TLLA 2
#define NA_ROUTER 0x80
#define NA_SOLICITED 0x40
#define NA_OVERRIDE 0x20
#define NS_LEN 24               /* type to target */

static const uint8_t unspecified[16];
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

static bool
is_unspecified(const uint8_t *ip)
{
	return memcmp(ip, unspecified, 16) == 0;
}

static void
solicited_node(const uint8_t *ip, uint8_t *group)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, [11] = 1, [12] = 0xff };

	memcpy(group, prefix, sizeof(prefix));
	memcpy(group + 13, ip + 13, 3);
}

/* ICMPv6 sum with the pseudo-header (RFC 8200 8.1), folded, of a message
 * whose own bytes summed to @part. */
static uint16_t
sum6(const uint8_t *src, const uint8_t *dst, uint32_t len, uint32_t part)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	tail[0] = (uint8_t)(len >> 24);
	tail[1] = (uint8_t)(len >> 16);
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = IPPROTO_ICMPV6;
	sum = part + rte_raw_cksum(src, 16) + rte_raw_cksum(dst, 16) +
	      rte_raw_cksum(tail, sizeof(tail));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Fill the checksum of the ICMPv6 message @icmp of @len bytes. */
static void
fill_cksum(const uint8_t *src, const uint8_t *dst, uint8_t *icmp,
		      uint32_t len)
{
	uint16_t c;

	icmp[2] = icmp[3] = 0;
	/* rte_raw_cksum() sums the bytes as they lie: stored as is. */
	c = (uint16_t)~sum6(src, dst, len, rte_raw_cksum(icmp, len));
	memcpy(icmp + 2, &c, 2);
}

/* ---- the services' pools ---- */

int
xchg_nd_enable(struct xchg_stack *s)
{
	char name[XCHG_NAME_SIZE];

	if (s->nd != NULL)
		return 0;
	/* Only a stack with IPv6 reserves for it. */
	struct xchg_consumer *nd, *icmp6;

	snprintf(name, sizeof(name), "port%u_nd", s->port_id);
	nd = xchg_consumer_create(s->arena, name, XCHG_KIND_SERVICE,
				  s->conf.nd_quota);
	if (nd == NULL)
		return -rte_errno;
	snprintf(name, sizeof(name), "port%u_icmp6", s->port_id);
	icmp6 = xchg_consumer_create(s->arena, name, XCHG_KIND_SERVICE,
				     s->conf.icmp6_quota);
	if (icmp6 == NULL) {
		int err = -rte_errno;

		xchg_consumer_free(nd);
		return err;
	}
	/* Release: telemetry reads them with acquire; the demux and the
	 * service only once an address is published (release of
	 * nb_addrs6, after this). */
	__atomic_store_n(&s->icmp6, icmp6, __ATOMIC_RELEASE);
	__atomic_store_n(&s->nd, nd, __ATOMIC_RELEASE);
	return 0;
}

/* ---- checks, on the RX lcore ---- */

/* Walk the options from @off; @lla gets the link-layer address option
 * of @want (NULL when absent or not Ethernet's length). */
static bool
walk_options(const uint8_t *icmp, uint32_t len, uint32_t off, uint8_t want,
	     const uint8_t **lla)
{
	if (lla != NULL)
		*lla = NULL;
	while (off < len) {
		uint32_t olen;

		if (off + 2 > len || icmp[off + 1] == 0)
			return false;
		olen = (uint32_t)icmp[off + 1] * 8;
		if (off + olen > len)
			return false;
		if (lla != NULL && icmp[off] == want && olen == 8)
			*lla = icmp + off + 2;
		off += olen;
	}
	return true;
}

static enum xchg_stack_drop
check_nd(const uint8_t *ip6, const uint8_t *icmp, uint32_t len,
	 const struct xchg_pkt *pkt)
{
	static const uint32_t min_len[] = {
		[ND_RS - ND_RS] = 8, [ND_RA - ND_RS] = 16,
		[ND_NS - ND_RS] = NS_LEN, [ND_NA - ND_RS] = NS_LEN,
		[ND_REDIRECT - ND_RS] = 40,
	};
	uint8_t type = icmp[0];
	const uint8_t *slla;
	uint8_t group[16];

	if (ip6[7] != 255)
		return XCHG_SD_ND_HOP_LIMIT;
	if (icmp[1] != 0)
		return XCHG_SD_ND_CODE;
	if (len < min_len[type - ND_RS])
		return XCHG_SD_ND_MALFORMED;
	if ((type == ND_NS || type == ND_NA || type == ND_REDIRECT) &&
	    icmp[8] == 0xff)
		return XCHG_SD_ND_MALFORMED;
	if (!walk_options(icmp, len, min_len[type - ND_RS], OPT_SLLA, &slla))
		return XCHG_SD_ND_OPTION;
	if (type == ND_NS && is_unspecified(pkt->src6)) {
		/* A DAD probe: to the target's group, with no address. */
		solicited_node(icmp + 8, group);
		if (memcmp(pkt->dst6, group, 16) != 0 || slla != NULL)
			return XCHG_SD_ND_MALFORMED;
	}
	if (type == ND_NA && pkt->dst6[0] == 0xff &&
	    (icmp[4] & NA_SOLICITED) != 0)
		return XCHG_SD_ND_MALFORMED;
	return XCHG_SD_MAX;
}

enum xchg_stack_drop
xchg_icmp6_check(const uint8_t *frame, uint32_t len, const struct rte_mbuf *m,
		 struct xchg_pkt *pkt)
{
	uint32_t off = (uint32_t)pkt->l2_len + pkt->l3_len;
	uint32_t ilen = (uint32_t)pkt->ip_total - pkt->l3_len;
	const uint8_t *icmp = frame + off;
	uint32_t part;
	uint16_t p16;

	/* A fragment is judged by the consumer's choice (no ICMPv6 is
	 * reassembled here). */
	if (pkt->frag_offset != 0 || pkt->more_frags)
		return XCHG_SD_MAX;
	if (ilen < 4 || off + 4 > len)
		return XCHG_SD_L4_TRUNCATED;
	pkt->icmp_type = icmp[0];
	pkt->l4_len = 4;
	if (off + ilen <= len) {
		part = rte_raw_cksum(icmp, ilen);
	} else if (m != NULL && rte_raw_cksum_mbuf(m, off, ilen, &p16) == 0) {
		part = p16;
	} else {
		return XCHG_SD_L4_TRUNCATED;
	}
	if (sum6(pkt->src6, pkt->dst6, ilen, part) != 0xffff)
		return XCHG_SD_ICMP6_CHECKSUM;
	/* An echo longer than one buffer is not answered (the reply is
	 * built in place, as IPv4's): a type nobody serves. */
	if (off + ilen > len && icmp[0] == ICMP6_ECHO_REQUEST)
		pkt->icmp_type = 255;
	if (icmp[0] < ND_RS || icmp[0] > ND_REDIRECT)
		return XCHG_SD_MAX;
	/* ND messages are small: whole in the first segment. */
	if (off + ilen > len)
		return XCHG_SD_ND_MALFORMED;
	return check_nd(frame + pkt->l2_len, icmp, ilen, pkt);
}

int
xchg_stack_addr6_index(const struct xchg_stack *s, const uint8_t *ip)
{
	unsigned int i, n = __atomic_load_n(&s->nb_addrs6, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (memcmp(s->addrs6[i].ip, ip, 16) == 0)
			return (int)i;
	return -1;
}

struct xchg_consumer *
xchg_icmp6_consumer(struct xchg_stack *s, const uint8_t *frame,
		    const struct xchg_pkt *pkt, enum xchg_stack_drop *r)
{
	const uint8_t *icmp = frame + pkt->l2_len + pkt->l3_len;
	enum xchg_stack_drop why = XCHG_SD_ICMP6_UNHANDLED;
	int ai;

	if (pkt->frag_offset == 0 && !pkt->more_frags) {
		switch (pkt->icmp_type) {
		case ND_NS:
			/* An address another node turned out to have is
			 * not ours any more. */
			ai = xchg_stack_addr6_index(s, icmp + 8);
			if (ai >= 0 && __atomic_load_n(&s->addrs6[ai].state,
						       __ATOMIC_RELAXED) !=
				       XCHG_ADDR6_DUPLICATE)
				return s->nd;
			*r = XCHG_SD_ND_NOT_FOR_US;
			return NULL;
		case ND_NA:
			return s->nd;
		case ICMP6_ECHO_REQUEST:
			if (xchg_stack_is_local6(s, pkt->dst6))
				return s->icmp6;
			break;
		default:
			if (pkt->icmp_type < 128)
				why = XCHG_SD_ICMP6_ERROR;
			break;
		}
	}
	/* Router discovery, redirects, MLD...: the host's, if any. */
	if (s->proxy != NULL)
		return s->proxy;
	*r = why;
	return NULL;
}

/* ---- the service ---- */

static void
dad_conflict(struct xchg_stack *s, int i, const char *seen)
{
	struct xchg_addr6 *a = &s->addrs6[i];
	char buf[INET6_ADDRSTRLEN];

	if (__atomic_load_n(&a->state, __ATOMIC_RELAXED) !=
	    XCHG_ADDR6_TENTATIVE)
		return;
	__atomic_store_n(&a->state, XCHG_ADDR6_DUPLICATE, __ATOMIC_RELAXED);
	XCHG_STACK_COUNT(s, dad_conflicts, 1);
	if (inet_ntop(AF_INET6, a->ip, buf, sizeof(buf)) == NULL)
		snprintf(buf, sizeof(buf), "?");
	STACK_LOG(ERR, "port %u: duplicate address detection: %s/%u is in use by another node (%s); not used\n",
		  s->port_id, buf, a->prefix_len, seen);
}

/* Turn the solicitation @m into our advertisement for address @ai, in
 * place; false when it cannot be (then @m is freed by the caller). */
static bool
advertise(struct xchg_stack *s, struct rte_mbuf *m, int ai,
	  const uint8_t *slla)
{
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t l2 = xchg_stack_l2_len(eth);
	uint8_t *ip6 = eth + l2, *na = ip6 + IP6_HDR_LEN;
	const struct xchg_addr6 *a = &s->addrs6[ai];
	uint32_t want = (uint32_t)l2 + IP6_HDR_LEN + NS_LEN + 8;
	uint8_t peer[16];
	bool dad;

	if (m->nb_segs != 1)
		return false;
	memcpy(peer, ip6 + 8, 16);
	dad = is_unspecified(peer);
	/* The Ethernet destination: the option, else the frame's source
	 * (a DAD probe gets the all-nodes group). */
	if (dad) {
		static const uint8_t mc[6] = { 0x33, 0x33, 0, 0, 0, 1 };

		memcpy(eth, mc, 6);
	} else if (slla != NULL) {
		memcpy(eth, slla, 6);
	} else {
		memcpy(eth, eth + 6, 6);
	}
	memcpy(eth + 6, &s->mac, 6);
	if (rte_pktmbuf_pkt_len(m) < want &&
	    rte_pktmbuf_append(m, (uint16_t)(want - rte_pktmbuf_pkt_len(m))) ==
	    NULL)
		return false;
	xchg_stack_trim(m, want);
	/* IPv6: extension headers, if the solicitation had any, are gone. */
	ip6[0] = 0x60;
	ip6[1] = ip6[2] = ip6[3] = 0;
	ip6[4] = 0;
	ip6[5] = NS_LEN + 8;
	ip6[6] = IPPROTO_ICMPV6;
	ip6[7] = 255;
	memcpy(ip6 + 8, a->ip, 16);
	memcpy(ip6 + 24, dad ? all_nodes : peer, 16);
	na[0] = ND_NA;
	na[1] = 0;
	/* Optimistic: no override while tentative (RFC 4429 3.3). */
	na[4] = (uint8_t)((dad ? 0 : NA_SOLICITED) |
			  (__atomic_load_n(&a->state, __ATOMIC_RELAXED) ==
			   XCHG_ADDR6_PREFERRED ? NA_OVERRIDE : 0));
	na[5] = na[6] = na[7] = 0;
	memcpy(na + 8, a->ip, 16);
	na[24] = OPT_TLLA;
	na[25] = 1;
	memcpy(na + 26, &s->mac, 6);
	fill_cksum(ip6 + 8, ip6 + 24, na, NS_LEN + 8);
	return true;
}

/* The option's address, copied: it may sit at any offset. */
static const struct rte_ether_addr *
lla_of(const uint8_t *lla, struct rte_ether_addr *out)
{
	memcpy(out->addr_bytes, lla, RTE_ETHER_ADDR_LEN);
	return out;
}

/* Learn from @m and answer it; true when @m became a reply to send. */
static bool
handle(struct xchg_stack *s, struct rte_mbuf *m)
{
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_addr lladdr;
	struct xchg_pkt pkt;
	const uint8_t *icmp, *lla;
	uint32_t len;
	int ai;

	/* Checked by the demux; parsed again for the offsets. */
	if (xchg_stack_parse(eth, rte_pktmbuf_data_len(m), false, &pkt) !=
	    XCHG_SD_MAX || pkt.ether_type != RTE_ETHER_TYPE_IPV6) {
		rte_pktmbuf_free(m);
		return false;
	}
	icmp = eth + pkt.l2_len + pkt.l3_len;
	len = (uint32_t)pkt.ip_total - pkt.l3_len;
	ai = xchg_stack_addr6_index(s, icmp + 8);
	if (icmp[0] == ND_NS) {
		walk_options(icmp, len, NS_LEN, OPT_SLLA, &lla);
		if (is_unspecified(pkt.src6)) {
			/* Another node probes an address we are still
			 * checking: neither has it (RFC 4862 5.4.3). Our
			 * own probe looped back is not a conflict. */
			if (ai >= 0 && memcmp(eth + 6, &s->mac, 6) != 0 &&
			    __atomic_load_n(&s->addrs6[ai].state,
					    __ATOMIC_RELAXED) ==
			    XCHG_ADDR6_TENTATIVE) {
				dad_conflict(s, ai, "its probe for it");
				ai = -1;
			}
		} else if (lla != NULL) {
			/* RFC 4861 7.2.3: a solicitation to us makes the
			 * sender a neighbour. */
			xchg_neigh6_learn(s, pkt.src6,
					  lla_of(lla, &lladdr),
					  true, true);
		}
		if (ai >= 0 && __atomic_load_n(&s->addrs6[ai].state,
					       __ATOMIC_RELAXED) !=
			       XCHG_ADDR6_DUPLICATE &&
		    advertise(s, m, ai, lla))
			return true;
	} else if (icmp[0] == ND_NA) {
		walk_options(icmp, len, NS_LEN, OPT_TLLA, &lla);
		if (ai >= 0 && memcmp(eth + 6, &s->mac, 6) != 0)
			dad_conflict(s, ai, "its advertisement");
		else if (lla != NULL)
			/* Only what we asked for or know already. */
			xchg_neigh6_learn(s, icmp + 8,
					  lla_of(lla, &lladdr),
					  false, (icmp[4] & NA_OVERRIDE) != 0);
	}
	rte_pktmbuf_free(m);
	return false;
}

/* Build a solicitation for @target from @src (:: for DAD) in a buffer
 * of @pool and send it. */
static int
solicit(struct xchg_stack *s, const uint8_t *src, const uint8_t *target,
	struct xchg_pool *pool)
{
	bool dad = is_unspecified(src);
	uint16_t ilen = NS_LEN + (dad ? 0 : 8);
	uint8_t *eth, *ip6, *ns;
	struct rte_mbuf *m;

	if (xchg_alloc_bulk(pool, &m, 1) != 0) {
		XCHG_STACK_COUNT(s, service_no_buffers, 1);
		return -ENOBUFS;
	}
	eth = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN +
					    IP6_HDR_LEN + ilen);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	ip6 = eth + RTE_ETHER_HDR_LEN;
	ns = ip6 + IP6_HDR_LEN;
	memset(eth, 0, RTE_ETHER_HDR_LEN + IP6_HDR_LEN + ilen);
	ip6[0] = 0x60;
	ip6[5] = (uint8_t)ilen;
	ip6[6] = IPPROTO_ICMPV6;
	ip6[7] = 255;
	memcpy(ip6 + 8, src, 16);
	solicited_node(target, ip6 + 24);
	eth[0] = eth[1] = 0x33;
	memcpy(eth + 2, ip6 + 36, 4);
	memcpy(eth + 6, &s->mac, 6);
	eth[12] = 0x86;
	eth[13] = 0xdd;
	ns[0] = ND_NS;
	memcpy(ns + 8, target, 16);
	if (!dad) {
		ns[24] = OPT_SLLA;
		ns[25] = 1;
		memcpy(ns + 26, &s->mac, 6);
	}
	fill_cksum(ip6 + 8, ip6 + 24, ns, ilen);
	if (xchg_port_tx(s->port, 0, pool, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	XCHG_STACK_COUNT(s, nd_solicited, 1);
	return 0;
}

int
xchg_nd_solicit(struct xchg_stack *s, const uint8_t target[16],
		struct xchg_pool *payer)
{
	uint8_t src[16], hop[16];

	if (xchg_stack_route6(s, target, src, hop) != 0)
		return -EHOSTUNREACH;
	return solicit(s, src, target, payer != NULL ? payer :
		       xchg_consumer_pool(s->nd));
}

/* One probe per address when the service first sees it; preferred once
 * dad_ms pass with no conflict. */
static void
dad(struct xchg_stack *s)
{
	unsigned int i, n = __atomic_load_n(&s->nb_addrs6, __ATOMIC_ACQUIRE);
	uint64_t now = 0;

	for (i = 0; i < n; i++) {
		struct xchg_addr6 *a = &s->addrs6[i];

		if (__atomic_load_n(&a->state, __ATOMIC_RELAXED) !=
		    XCHG_ADDR6_TENTATIVE)
			continue;
		if (now == 0)
			now = xchg_stack_now(s);
		if (!a->dad_sent) {
			/* No buffer: tried again on the next round. */
			if (solicit(s, unspecified, a->ip,
				    xchg_consumer_pool(s->nd)) != 0)
				continue;
			a->dad_sent = true;
			a->dad_done = now + (uint64_t)s->conf.dad_ms * s->hz /
					    1000;
		} else if (now >= a->dad_done) {
			__atomic_store_n(&a->state, XCHG_ADDR6_PREFERRED,
					 __ATOMIC_RELAXED);
		}
	}
}

void
xchg_nd_service(struct xchg_stack *s, struct xchg_stack_replies *r)
{
	struct rte_mbuf **m;
	unsigned int i, k, n;

	for (;;) {
		m = xchg_stack_replies_room(s, r);
		n = xchg_consumer_recv_burst(s->nd, m, XCHG_STACK_BURST);
		if (n == 0)
			break;
		for (i = 0, k = 0; i < n; i++)
			if (handle(s, m[i]))
				m[k++] = m[i];
		xchg_stack_replies_add(s, r, xchg_consumer_pool(s->nd),
				       offsetof(struct xchg_stack_counters,
						nd_answered), k);
	}
}

void
xchg_nd_dad(struct xchg_stack *s)
{
	/* Probes after the answers were sent, which gave the pool its
	 * units back: a storm that fills the pool delays no probe. */
	if (__atomic_load_n(&s->nb_addrs6, __ATOMIC_RELAXED) != 0)
		dad(s);
}
