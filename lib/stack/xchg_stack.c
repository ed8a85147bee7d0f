/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The stack object: its interface (addresses, routes), its services'
 * pools, the poll loop and the figures.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "xchg_stack_private.h"

RTE_LOG_REGISTER(xchg_stack_logtype, xchg.stack, INFO);

static const char * const drop_names[XCHG_SD_MAX] = {
	[XCHG_SD_RUNT] = "runt",
	[XCHG_SD_VLAN_TRUNCATED] = "vlan_truncated",
	[XCHG_SD_VLAN_TOO_MANY] = "vlan_too_many",
	[XCHG_SD_UNKNOWN_ETHERTYPE] = "unknown_ethertype",
	[XCHG_SD_IPV6] = "ipv6",
	[XCHG_SD_ARP_MALFORMED] = "arp_malformed",
	[XCHG_SD_ARP_NOT_FOR_US] = "arp_not_for_us",
	[XCHG_SD_IPV4_TRUNCATED] = "ipv4_truncated",
	[XCHG_SD_IPV4_VERSION] = "ipv4_version",
	[XCHG_SD_IPV4_IHL] = "ipv4_ihl",
	[XCHG_SD_IPV4_LENGTH] = "ipv4_length",
	[XCHG_SD_IPV4_CHECKSUM] = "ipv4_checksum",
	[XCHG_SD_IPV4_TTL] = "ipv4_ttl",
	[XCHG_SD_IPV4_SOURCE] = "ipv4_source",
	[XCHG_SD_NOT_FOR_US] = "not_for_us",
	[XCHG_SD_L4_TRUNCATED] = "l4_truncated",
	[XCHG_SD_UDP_LENGTH] = "udp_length",
	[XCHG_SD_UDP_CHECKSUM] = "udp_checksum",
	[XCHG_SD_ICMP_CHECKSUM] = "icmp_checksum",
	[XCHG_SD_ICMP_UNHANDLED] = "icmp_unhandled",
	[XCHG_SD_NO_SOCKET] = "no_socket",
	[XCHG_SD_UNKNOWN_PROTOCOL] = "unknown_protocol",
	[XCHG_SD_FRAG_NO_COLLECTOR] = "frag_no_collector",
	[XCHG_SD_FRAG_INVALID] = "frag_invalid",
	[XCHG_SD_FRAG_TIMEOUT] = "frag_timeout",
	[XCHG_SD_NO_BUFFERS] = "no_buffers",
	[XCHG_SD_FRAG_EVICTED] = "frag_evicted",
	[XCHG_SD_FRAG_STAGING_EVICTED] = "frag_staging_evicted",
	[XCHG_SD_NEIGH_TIMEOUT] = "neigh_timeout",
	[XCHG_SD_IPV6_TRUNCATED] = "ipv6_truncated",
	[XCHG_SD_IPV6_VERSION] = "ipv6_version",
	[XCHG_SD_IPV6_LENGTH] = "ipv6_length",
	[XCHG_SD_IPV6_SOURCE] = "ipv6_source",
	[XCHG_SD_IPV6_EXT_CHAIN] = "ipv6_ext_chain",
	[XCHG_SD_IPV6_EXT_MALFORMED] = "ipv6_ext_malformed",
	[XCHG_SD_ICMP6_CHECKSUM] = "icmp6_checksum",
	[XCHG_SD_ICMP6_ERROR] = "icmp6_error",
	[XCHG_SD_ICMP6_UNHANDLED] = "icmp6_unhandled",
	[XCHG_SD_ND_HOP_LIMIT] = "nd_hop_limit",
	[XCHG_SD_ND_CODE] = "nd_code",
	[XCHG_SD_ND_MALFORMED] = "nd_malformed",
	[XCHG_SD_ND_OPTION] = "nd_option",
	[XCHG_SD_ND_NOT_FOR_US] = "nd_not_for_us",
	[XCHG_SD_UDP6_ZERO_CHECKSUM] = "udp6_zero_checksum",
};

const char *
xchg_stack_drop_name(enum xchg_stack_drop reason)
{
	return (unsigned int)reason < XCHG_SD_MAX ? drop_names[reason] :
						    "unknown";
}

static rte_be32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(~UINT32_C(0) << (32 - len));
}

int
xchg_stack_route(const struct xchg_stack *s, rte_be32_t dst, rte_be32_t *src,
		 rte_be32_t *next_hop)
{
	const struct xchg_route *best = NULL;
	unsigned int i;

	for (i = 0; i < s->nb_addrs; i++)
		if ((dst & s->addrs[i].mask) ==
		    (s->addrs[i].ip & s->addrs[i].mask)) {
			*src = s->addrs[i].ip;
			*next_hop = dst;
			return 0;
		}
	/* Longest prefix among the static routes. */
	for (i = 0; i < s->nb_routes; i++)
		if ((dst & s->routes[i].mask) == s->routes[i].dst &&
		    (best == NULL || rte_be_to_cpu_32(s->routes[i].mask) >
				     rte_be_to_cpu_32(best->mask)))
			best = &s->routes[i];
	if (best == NULL)
		return -EHOSTUNREACH;
	*next_hop = best->next_hop;
	for (i = 0; i < s->nb_addrs; i++)
		if ((best->next_hop & s->addrs[i].mask) ==
		    (s->addrs[i].ip & s->addrs[i].mask)) {
			*src = s->addrs[i].ip;
			return 0;
		}
	return -EHOSTUNREACH;
}

static void
conf_defaults(struct xchg_stack_conf *c)
{
	c->arp_quota = c->arp_quota ? c->arp_quota : 16;
	c->icmp_quota = c->icmp_quota ? c->icmp_quota : 8;
	c->nd_quota = c->nd_quota ? c->nd_quota : 16;
	c->icmp6_quota = c->icmp6_quota ? c->icmp6_quota : 8;
	c->dad_ms = c->dad_ms ? c->dad_ms : 1000;
	c->neigh_max = c->neigh_max ? c->neigh_max : 256;
	c->neigh_timeout_ms = c->neigh_timeout_ms ? c->neigh_timeout_ms :
						    300000;
	c->frag_timeout_ms = c->frag_timeout_ms ? c->frag_timeout_ms : 1000;
	c->frag_max_frags = c->frag_max_frags ? c->frag_max_frags : 64;
	c->frag_staging = c->frag_staging ? c->frag_staging :
					    XCHG_STACK_FRAG_STAGING;
	c->max_sockets = c->max_sockets ? c->max_sockets :
					  XCHG_STACK_DEFAULT_SOCKETS;
	c->pending_max = c->pending_max ? c->pending_max :
					  XCHG_STACK_PENDING_DEFAULT;
	c->neigh_resolve_ms = c->neigh_resolve_ms ? c->neigh_resolve_ms :
						    1000;
}

static void
stack_destroy(struct xchg_stack *s)
{
	xchg_stack_telemetry_unregister(s);
	xchg_capture_free(s);
	xchg_proxy_free(s);
	xchg_socket_free_all(s);
	if (s->frags != NULL)
		xchg_frag_free(s->frags);
	if (s->arp != NULL)
		xchg_consumer_free(s->arp);
	if (s->icmp != NULL)
		xchg_consumer_free(s->icmp);
	if (s->nd != NULL)
		xchg_consumer_free(s->nd);
	if (s->icmp6 != NULL)
		xchg_consumer_free(s->icmp6);
	rte_free(s->udp_by_port);
	rte_free(s->pkt_by_type);
	rte_free(s->sockets);
	rte_free(s->defer);
	rte_free(s->cnt);
	rte_free(s->sock_cnt);
	xchg_neigh_free(s);
	pthread_mutex_destroy(&s->lock);
	rte_free(s);
}

struct xchg_stack *
xchg_stack_create(struct xchg_arena *arena, struct xchg_port *port,
		  const struct xchg_stack_conf *conf)
{
	struct rte_eth_dev_info info;
	struct xchg_stack *s;
	char name[XCHG_NAME_SIZE];
	uint16_t port_id = xchg_port_id(port);
	int socket, err = ENOMEM;

	if (arena == NULL || port == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	socket = rte_eth_dev_socket_id(port_id);
	s = rte_zmalloc_socket("xchg_stack", sizeof(*s), RTE_CACHE_LINE_SIZE,
			       socket);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	rte_spinlock_init(&s->pend_lock);
	s->arena = arena;
	s->port = port;
	s->port_id = port_id;
	s->hz = rte_get_timer_hz();
	if (conf != NULL)
		s->conf = *conf;
	conf_defaults(&s->conf);
	if (s->conf.max_sockets > XCHG_STACK_SOCKETS_LIMIT ||
	    s->conf.pending_max > XCHG_STACK_PENDING_LIMIT) {
		STACK_LOG(ERR, "port %u: max_sockets %u or pending_max %u is above its limit (%u, %u)\n",
			  port_id, s->conf.max_sockets, s->conf.pending_max,
			  XCHG_STACK_SOCKETS_LIMIT, XCHG_STACK_PENDING_LIMIT);
		pthread_mutex_destroy(&s->lock);
		rte_free(s);
		rte_errno = EINVAL;
		return NULL;
	}
	s->max_sockets = s->conf.max_sockets;
	if (rte_eth_macaddr_get(port_id, &s->mac) != 0 ||
	    rte_eth_dev_get_mtu(port_id, &s->mtu) != 0)
		s->mtu = RTE_ETHER_MTU;
	/* The port configured its queues when it was created. */
	if (rte_eth_dev_info_get(port_id, &info) != 0 ||
	    info.nb_rx_queues == 0) {
		rte_errno = EINVAL;
		STACK_LOG(ERR, "port %u: cannot read its RX queue count\n",
			  port_id);
		pthread_mutex_destroy(&s->lock);
		rte_free(s);
		return NULL;
	}
	s->nb_rxq = info.nb_rx_queues;

	s->udp_by_port = rte_zmalloc_socket("xchg_udp_ports",
			sizeof(*s->udp_by_port) * 65536, RTE_CACHE_LINE_SIZE,
			socket);
	s->pkt_by_type = rte_zmalloc_socket("xchg_pkt_types",
			sizeof(*s->pkt_by_type) * 65536, RTE_CACHE_LINE_SIZE,
			socket);
	s->sockets = rte_zmalloc_socket("xchg_sockets",
			sizeof(*s->sockets) * s->max_sockets,
			RTE_CACHE_LINE_SIZE, socket);
	s->nb_sock_sets = xchg_lcore_cnt_map(s->sock_set);
	s->sock_cnt = rte_zmalloc_socket("xchg_sock_cnt",
			sizeof(*s->sock_cnt) * s->max_sockets * s->nb_sock_sets,
			RTE_CACHE_LINE_SIZE, socket);
	s->cnt = rte_zmalloc_socket("xchg_stack_cnt",
			sizeof(*s->cnt) * (RTE_MAX_LCORE + 1),
			RTE_CACHE_LINE_SIZE, socket);
	s->defer = rte_zmalloc_socket("xchg_defer",
			sizeof(*s->defer) * RTE_MAX_LCORE, RTE_CACHE_LINE_SIZE,
			socket);
	if (s->udp_by_port == NULL || s->pkt_by_type == NULL ||
	    s->sockets == NULL || s->defer == NULL || s->cnt == NULL ||
	    s->sock_cnt == NULL || xchg_neigh_init(s) != 0)
		goto fail;
	s->frags = xchg_frag_create(s);
	if (s->frags == NULL) {
		err = rte_errno == ENOSPC ? ENOSPC : ENOMEM;
		goto fail;
	}
	/* Services are consumers like any socket: a ping flood beyond the
	 * ICMP pool drops only pings. */
	snprintf(name, sizeof(name), "port%u_arp", port_id);
	s->arp = xchg_consumer_create(arena, name, XCHG_KIND_SERVICE,
				      s->conf.arp_quota);
	snprintf(name, sizeof(name), "port%u_icmp", port_id);
	s->icmp = s->arp == NULL ? NULL :
		  xchg_consumer_create(arena, name, XCHG_KIND_SERVICE,
				       s->conf.icmp_quota);
	if (s->icmp == NULL) {
		err = rte_errno;
		goto fail;
	}
	xchg_stack_fast_producer(s, s->arp);
	xchg_stack_fast_producer(s, s->icmp);
	err = -xchg_port_set_demux(port, xchg_stack_fast_demux, s);
	if (err != 0)
		goto fail;
	xchg_stack_telemetry_register(s);
	return s;
fail:
	stack_destroy(s);
	rte_errno = err;
	return NULL;
}

int
xchg_stack_free(struct xchg_stack *s)
{
	unsigned int i;

	if (s == NULL)
		return -EINVAL;
	/* Datagrams half reassembled are the stack's, not the
	 * application's: they go first, counted as timed out. */
	for (i = 0; i < s->max_sockets; i++)
		if (s->sockets[i] != NULL) {
			xchg_frag_forget_socket(s, s->sockets[i],
						XCHG_SD_FRAG_TIMEOUT);
			xchg_stack_defer_forget(s, s->sockets[i]);
		}
	/* Refuse before anything is torn down. */
	for (i = 0; i < s->max_sockets; i++) {
		uint32_t held;

		if (s->sockets[i] == NULL)
			continue;
		held = xchg_socket_held_by_application(s->sockets[i]);
		if (held != 0) {
			STACK_LOG(ERR, "stack not freed: socket %s: the application holds %u frames\n",
				  xchg_socket_name(s->sockets[i]), held);
			return -EBUSY;
		}
	}
	xchg_port_set_demux(s->port, NULL, NULL);
	stack_destroy(s);
	return 0;
}

int
xchg_stack_add_address(struct xchg_stack *s, rte_be32_t ip, uint8_t len)
{
	int ret = 0;

	if (s == NULL || len == 0 || len > 32 || ip == 0)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (xchg_stack_is_local(s, ip))
		ret = -EEXIST;
	else if (s->nb_addrs == XCHG_STACK_MAX_ADDRS)
		ret = -ENOSPC;
	else
		s->addrs[s->nb_addrs++] = (struct xchg_addr){
			.ip = ip, .mask = prefix_mask(len) };
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int
xchg_stack_add_route(struct xchg_stack *s, rte_be32_t dst, uint8_t len,
		     rte_be32_t next_hop)
{
	rte_be32_t src, hop;
	int ret = 0;

	if (s == NULL || len > 32)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	/* The next hop must be on a local subnet, or nothing resolves it. */
	if (xchg_stack_route(s, next_hop, &src, &hop) != 0 || hop != next_hop)
		ret = -EINVAL;
	else if (s->nb_routes == XCHG_STACK_MAX_ROUTES)
		ret = -ENOSPC;
	else
		s->routes[s->nb_routes++] = (struct xchg_route){
			.dst = dst & prefix_mask(len),
			.mask = prefix_mask(len), .next_hop = next_hop };
	pthread_mutex_unlock(&s->lock);
	return ret;
}

unsigned int
xchg_stack_rx(struct xchg_stack *s, uint16_t queue)
{
	unsigned int n;

	if (s == NULL)
		return 0;
	n = xchg_port_rx(s->port, queue);
	/* The port has delivered the burst: what was held back for order
	 * follows it. */
	xchg_stack_defer_flush(s);
	return n;
}

void
xchg_stack_service(struct xchg_stack *s)
{
	struct xchg_stack_replies r;
	bool nd;
	uint64_t now;

	if (s == NULL)
		return;
	xchg_stack_defer_flush(s);
	/* Every service's replies in one TX call (xchg_stack_replies.c). */
	r.n = 0;
	r.nb_payers = 0;
	xchg_arp_service(s, &r);
	/* Acquire: pairs with the release in xchg_nd_enable(). */
	nd = __atomic_load_n(&s->nd, __ATOMIC_ACQUIRE) != NULL;
	if (nd)
		xchg_nd_service(s, &r);
	xchg_icmp_service(s, &r);
	if (__atomic_load_n(&s->icmp6, __ATOMIC_ACQUIRE) != NULL)
		xchg_icmp6_service(s, &r);
	xchg_stack_replies_flush(s, &r);
	if (nd)
		xchg_nd_dad(s);
	/* What ARP and ND just learned lets waiting datagrams go. */
	xchg_pending_service(s);
	if (s->proxy != NULL)
		xchg_proxy_service(s);
	if (s->capture != NULL)
		xchg_capture_service(s);
	now = xchg_stack_now(s);
	xchg_frag_expire(s, now);
	/* A clock that went back (a capture's) restarts the period. */
	if (now >= s->next_aging || now + s->hz / 10 < s->next_aging) {
		xchg_neigh_age(s, now);
		s->next_aging = now + s->hz / 10;
	}
}

unsigned int
xchg_stack_poll(struct xchg_stack *s)
{
	unsigned int n = 0;
	uint16_t q;

	if (s == NULL)
		return 0;
	/* The queue count was learned once, at creation: the data path
	 * makes no call (no stats read, no system call) the PMD's own
	 * receive does not need. */
	for (q = 0; q < s->nb_rxq; q++)
		n += xchg_stack_rx(s, q);
	xchg_stack_service(s);
	return n;
}

uint64_t
xchg_stack_cnt_sum(const struct xchg_stack *s, size_t offset)
{
	uint64_t sum;

	/* Every lcore id has a block, and the shared one comes last. */
	xchg_lcore_cnt_sum((const uint64_t *)(const void *)
			   ((const uint8_t *)s->cnt + offset),
			   XCHG_LCORE_CNT_N(struct xchg_stack_counters),
			   RTE_MAX_LCORE + 1, 1, &sum);
	return sum;
}

int
xchg_stack_stats_get(struct xchg_stack *s, struct xchg_stack_stats *st)
{
	struct xchg_port_stats ps;
	unsigned int i;

	if (s == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->frames = XCHG_STACK_SUM(s, frames);
	for (i = 0; i < XCHG_SD_MAX; i++)
		st->drops[i] = XCHG_STACK_SUM(s, drops[i]);
	/* Consumers that could not pay are counted where it happened: in
	 * the port. */
	if (xchg_port_stats_get(s->port, &ps) == 0) {
		st->drops[XCHG_SD_NO_BUFFERS] +=
			ps.drops[XCHG_DROP_NO_BUFFERS] +
			ps.drops[XCHG_DROP_REJECTED];
		/* Fragments the demux kept count once their datagram
		 * reaches a consumer. */
		st->delivered = ps.delivered + XCHG_STACK_SUM(s, frag_delivered);
	}
	st->arp_requests_answered = XCHG_STACK_SUM(s, arp_answered);
	st->arp_learned = XCHG_STACK_SUM(s, arp_learned);
	st->icmp_echo_answered = XCHG_STACK_SUM(s, icmp_answered);
	st->service_no_buffers = XCHG_STACK_SUM(s, service_no_buffers);
	st->reassembled = XCHG_STACK_SUM(s, reassembled);
	st->proxied_in = XCHG_STACK_SUM(s, proxied_in);
	st->proxied_out = XCHG_STACK_SUM(s, proxied_out);
	st->captured = XCHG_STACK_SUM(s, captured);
	st->capture_missed = XCHG_STACK_SUM(s, capture_missed);
	st->neighbours = __atomic_load_n(&s->nb_neigh, __ATOMIC_RELAXED);
	st->neighbours_pinned = xchg_neigh_table_pinned(s->neigh);
	st->nd_advertisements_sent = XCHG_STACK_SUM(s, nd_answered);
	st->nd_solicitations_sent = XCHG_STACK_SUM(s, nd_solicited);
	st->nd_learned = XCHG_STACK_SUM(s, nd_learned);
	st->icmp6_echo_answered = XCHG_STACK_SUM(s, icmp6_answered);
	st->dad_conflicts = XCHG_STACK_SUM(s, dad_conflicts);
	st->neighbours6 = __atomic_load_n(&s->nb_neigh6, __ATOMIC_RELAXED);
	st->neighbours6_pinned = xchg_neigh_table_pinned(s->neigh6);
	xchg_frag_staging_stats(s, &st->staging);
	return 0;
}

struct xchg_pool *
xchg_stack_service_pool(struct xchg_stack *s, bool icmp)
{
	if (s == NULL)
		return NULL;
	return xchg_consumer_pool(icmp ? s->icmp : s->arp);
}

struct xchg_pool *
xchg_stack_service_pool6(struct xchg_stack *s, bool icmp6)
{
	if (s == NULL)
		return NULL;
	return xchg_consumer_pool(icmp6 ? s->icmp6 : s->nd);
}

void
xchg_stack_trim(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m, *tail;
	uint32_t left = len;
	uint16_t segs = 1;

	if (rte_pktmbuf_pkt_len(m) <= len)
		return;
	while (left > seg->data_len && seg->next != NULL) {
		left -= seg->data_len;
		seg = seg->next;
		segs++;
	}
	seg->data_len = (uint16_t)left;
	tail = seg->next;
	seg->next = NULL;
	m->nb_segs = segs;
	m->pkt_len = len;
	if (tail != NULL) {
		/* A detached tail is a chain of its own for the free. */
		tail->nb_segs = 1;
		for (seg = tail->next; seg != NULL; seg = seg->next)
			tail->nb_segs++;
		tail->pkt_len = 0;
		rte_pktmbuf_free(tail);
	}
}
