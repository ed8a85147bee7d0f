/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Early demux. In hardware, an rte_flow rule sends a flow to its own RX
 * queue whose frames all belong to one consumer, so they land in that
 * consumer's reservation before any software looks at them. When the PMD
 * refuses the rule, the same match runs in software before the demux
 * callback, and the fallback is logged once per port.
 */

#include <errno.h>

#include <rte_ether.h>
#include <rte_flow.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "xchg_port_private.h"

static int
flow_create(struct xchg_port *p, const struct xchg_flow_match *m,
	    uint16_t queue, struct rte_flow_error *error)
{
	const struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_eth eth_spec = {
		.type = rte_cpu_to_be_16(m->ether_type),
	};
	struct rte_flow_item_eth eth_mask = {
		.type = m->ether_type ? RTE_BE16(0xffff) : 0,
	};
	struct rte_flow_item_ipv4 ip_spec = { .hdr.dst_addr = m->ipv4_dst };
	struct rte_flow_item_ipv4 ip_mask = {
		.hdr.dst_addr = m->ipv4_dst ? RTE_BE32(0xffffffff) : 0,
	};
	struct rte_flow_item_udp udp_spec = {
		.hdr.dst_port = rte_cpu_to_be_16(m->udp_dst_port),
	};
	struct rte_flow_item_udp udp_mask = {
		.hdr.dst_port = RTE_BE16(0xffff),
	};
	struct rte_flow_item pattern[4] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth_spec,
		  .mask = &eth_mask },
	};
	const struct rte_flow_action_queue to_queue = { .index = queue };
	const struct rte_flow_action actions[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &to_queue },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	unsigned int i = 1;
	struct rte_flow *flow;
	int ret;

	if (m->ipv4_dst != 0 || m->udp_dst_port != 0)
		pattern[i++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip_spec,
			.mask = &ip_mask };
	if (m->udp_dst_port != 0)
		pattern[i++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp_spec,
			.mask = &udp_mask };
	pattern[i].type = RTE_FLOW_ITEM_TYPE_END;

	ret = rte_flow_validate(p->port_id, &attr, pattern, actions, error);
	if (ret != 0)
		return ret;
	flow = rte_flow_create(p->port_id, &attr, pattern, actions, error);
	return flow != NULL ? 0 : -rte_errno;
}

int
xchg_port_steer(struct xchg_port *p, const struct xchg_flow_match *match,
		uint16_t queue, struct xchg_consumer *c)
{
	struct rte_flow_error error = { 0 };
	int ret;

	if (p == NULL || match == NULL || c == NULL || queue >= p->nb_rxq)
		return -EINVAL;
	ret = flow_create(p, match, queue, &error);
	if (ret == 0) {
		xchg_port_bind_queue(p, queue, c);
		PORT_LOG(INFO, "port %u: flow steered in hardware to RX queue %u for %s\n",
			 p->port_id, queue, xchg_consumer_name(c));
		return 1;
	}
	if (p->nb_rules == XCHG_PORT_MAX_RULES)
		return -ENOSPC;
	if (!p->flow_fallback_logged) {
		PORT_LOG(WARNING, "port %u: the PMD refused an rte_flow rule (%s: %s); flows are steered in software from now on\n",
			 p->port_id, rte_strerror(-ret),
			 error.message != NULL ? error.message : "no detail");
		p->flow_fallback_logged = true;
	}
	p->rules[p->nb_rules].match = *match;
	p->rules[p->nb_rules].consumer = c;
	/* The rule is complete before the poller can see the new count. */
	__atomic_store_n(&p->nb_rules, p->nb_rules + 1, __ATOMIC_RELEASE);
	return 0;
}

static bool
rule_matches(const struct xchg_flow_match *r, uint16_t ether_type,
	     const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *udp)
{
	if (r->ether_type != 0 && r->ether_type != ether_type)
		return false;
	if (r->ipv4_dst != 0 && (ip == NULL || ip->dst_addr != r->ipv4_dst))
		return false;
	if (r->udp_dst_port != 0 &&
	    (udp == NULL || rte_be_to_cpu_16(udp->dst_port) != r->udp_dst_port))
		return false;
	return true;
}

/* Only what the rules need, and only within the first segment: a frame
 * too short for a header simply does not match. */
struct xchg_consumer *
xchg_port_rule_match(const struct xchg_port *p, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip = NULL;
	const struct rte_udp_hdr *udp = NULL;
	unsigned int i, nb = __atomic_load_n(&p->nb_rules, __ATOMIC_ACQUIRE);
	uint16_t len = rte_pktmbuf_data_len(m), ether_type, ihl;

	if (len < sizeof(*eth))
		return NULL;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	ether_type = rte_be_to_cpu_16(eth->ether_type);
	if (ether_type == RTE_ETHER_TYPE_IPV4 &&
	    len >= sizeof(*eth) + sizeof(*ip)) {
		ip = (const struct rte_ipv4_hdr *)(eth + 1);
		ihl = (ip->version_ihl & 0x0f) * 4;
		if (ip->next_proto_id == IPPROTO_UDP && ihl >= sizeof(*ip) &&
		    len >= sizeof(*eth) + ihl + sizeof(*udp) &&
		    (ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) == 0)
			udp = (const struct rte_udp_hdr *)
				((const uint8_t *)ip + ihl);
	}
	for (i = 0; i < nb; i++)
		if (rule_matches(&p->rules[i].match, ether_type, ip, udp))
			return p->rules[i].consumer;
	return NULL;
}
