/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Shared mode: the same scenario as a plain DPDK application runs it.
 *
 * One rte_pktmbuf_pool of [arena] buffers (the same total), given to
 * every RX queue; a demux of its own that follows the stack's rules
 * (packet sockets, ARP, IPv4 checks, UDP ports, ICMP echo, the proxy for
 * what nobody claims); ARP and ICMP answered in the request's buffer;
 * every socket a ring that can hold the whole pool. There are no
 * reservations and no exchange: a socket that keeps its frames keeps
 * buffers the NIC needs, exactly as in a plain application.
 *
 * Differences from the stack, all on paths the shared mode is not meant
 * to compare: no fragment reassembly (fragments for a socket are dropped
 * as fragment_unsupported), no neighbour table, no UDP checksum check.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "replay.h"

#define STALL_ROUNDS 1000000

struct sh_port {
	uint16_t id;
	bool probed;
	bool have_id;
	struct rte_ether_addr mac;
	uint64_t arp_delivered, icmp_delivered, proxy_delivered;
};

struct shared {
	struct replay *r;
	struct rte_mempool *mp;
	struct sh_port ports[XCHG_CONFIG_MAX_PORTS];
	struct sh_port tap;
	struct rte_ring *rings[XCHG_CONFIG_MAX_SOCKETS];
	uint64_t delivered[XCHG_CONFIG_MAX_SOCKETS];
	uint64_t drops[XCHG_SD_MAX];
	uint64_t frag_unsupported;
	uint64_t arp_answered, icmp_answered, proxied_in;
	uint64_t captured, capture_missed, capture_nobuf;
	uint32_t low_watermark;
	pcap_t *cap_dead;
	pcap_dumper_t *cap_dump;
};

enum target { T_DROP, T_SOCKET, T_ARP, T_ICMP, T_PROXY, T_FRAG };

struct verdict {
	enum target t;
	int sock;
	enum xchg_stack_drop reason;
	uint16_t l2_len;
	uint16_t ip_total;     /* IPv4 frames: trim padding to this */
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t
csum(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static bool
is_local(const struct xchg_config_port *pc, rte_be32_t ip)
{
	return pc->has_ip && pc->ip == ip;
}

static bool
is_broadcast(const struct xchg_config_port *pc, rte_be32_t ip)
{
	rte_be32_t mask;

	if (ip == RTE_BE32(0xffffffff))
		return true;
	if (!pc->has_ip || pc->prefix_len == 32)
		return false;
	mask = rte_cpu_to_be_32(~UINT32_C(0) << (32 - pc->prefix_len));
	return ip == (pc->ip | ~mask);
}

static int
find_socket(const struct xchg_config *cfg, unsigned int port, bool udp,
	    uint16_t key)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_sockets; i++) {
		const struct xchg_config_socket *s = &cfg->sockets[i];

		if (s->port != port)
			continue;
		if (udp && s->type == XCHG_CONFIG_SOCKET_UDP &&
		    s->udp_port == key)
			return (int)i;
		if (!udp && s->type == XCHG_CONFIG_SOCKET_PACKET &&
		    s->ether_type == key)
			return (int)i;
	}
	return -1;
}

static void
unclaimed(const struct xchg_config *cfg, unsigned int port,
	  struct verdict *v, enum xchg_stack_drop why)
{
	if (cfg->proxy.enabled && cfg->proxy.port == port) {
		v->t = T_PROXY;
		return;
	}
	v->t = T_DROP;
	v->reason = why;
}

/* The stack's rules (xchg_stack_parse + its demux), for a plain app. */
static void
classify(const struct xchg_config *cfg, unsigned int port,
	 const uint8_t *d, uint32_t len, struct verdict *v)
{
	const struct xchg_config_port *pc = &cfg->ports[port];
	uint32_t off = 12, ihl, total, frag;
	uint16_t type;
	uint8_t vlans = 0, proto;
	const uint8_t *ip, *l4;
	rte_be32_t src, dst;
	int s;

	memset(v, 0, sizeof(*v));
	v->sock = -1;
	v->t = T_DROP;
	if (len < RTE_ETHER_HDR_LEN) {
		v->reason = XCHG_SD_RUNT;
		return;
	}
	type = be16(d + off);
	while (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		if (vlans == 2) {
			v->reason = XCHG_SD_VLAN_TOO_MANY;
			return;
		}
		if (len < off + 6) {
			v->reason = XCHG_SD_VLAN_TRUNCATED;
			return;
		}
		vlans++;
		off += 4;
		type = be16(d + off);
	}
	v->l2_len = (uint16_t)(off + 2);
	ip = d + v->l2_len;
	len -= v->l2_len;

	/* Checks first, as the stack's parser does. */
	if (type == RTE_ETHER_TYPE_ARP &&
	    (len < sizeof(struct rte_arp_hdr) || be16(ip) != RTE_ARP_HRD_ETHER ||
	     be16(ip + 2) != RTE_ETHER_TYPE_IPV4 || ip[4] != 6 || ip[5] != 4)) {
		v->reason = XCHG_SD_ARP_MALFORMED;
		return;
	}
	if (type == RTE_ETHER_TYPE_IPV4) {
		if (len < 20) {
			v->reason = XCHG_SD_IPV4_TRUNCATED;
			return;
		}
		if ((ip[0] >> 4) != 4) {
			v->reason = XCHG_SD_IPV4_VERSION;
			return;
		}
		ihl = (ip[0] & 0x0f) * 4u;
		if (ihl < 20 || ihl > len) {
			v->reason = XCHG_SD_IPV4_IHL;
			return;
		}
		total = be16(ip + 2);
		if (total < ihl || total > len) {
			v->reason = XCHG_SD_IPV4_LENGTH;
			return;
		}
		if (csum(ip, ihl) != 0xffff) {
			v->reason = XCHG_SD_IPV4_CHECKSUM;
			return;
		}
		if (ip[8] == 0) {
			v->reason = XCHG_SD_IPV4_TTL;
			return;
		}
		v->ip_total = (uint16_t)total;
		proto = ip[9];
		frag = be16(ip + 6);
		l4 = ip + ihl;
		if ((frag & (RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) == 0) {
			if (proto == IPPROTO_UDP) {
				if (total - ihl < 8) {
					v->reason = XCHG_SD_L4_TRUNCATED;
					return;
				}
				if (be16(l4 + 4) < 8 ||
				    be16(l4 + 4) > total - ihl) {
					v->reason = XCHG_SD_UDP_LENGTH;
					return;
				}
			} else if (proto == IPPROTO_ICMP) {
				if (total - ihl < 8) {
					v->reason = XCHG_SD_L4_TRUNCATED;
					return;
				}
				if (csum(l4, total - ihl) != 0xffff) {
					v->reason = XCHG_SD_ICMP_CHECKSUM;
					return;
				}
			}
		}
	}

	s = find_socket(cfg, port, false, type);
	if (s >= 0) {
		v->t = T_SOCKET;
		v->sock = s;
		return;
	}
	switch (type) {
	case RTE_ETHER_TYPE_ARP:
		memcpy(&src, ip + 14, 4);
		memcpy(&dst, ip + 24, 4);
		if (is_local(pc, dst) || src == dst)
			v->t = T_ARP;
		else
			v->reason = XCHG_SD_ARP_NOT_FOR_US;
		return;
	case RTE_ETHER_TYPE_IPV4:
		break;
	case RTE_ETHER_TYPE_IPV6:
		unclaimed(cfg, port, v, XCHG_SD_IPV6);
		return;
	default:
		unclaimed(cfg, port, v, XCHG_SD_UNKNOWN_ETHERTYPE);
		return;
	}
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	if (ip[12] >= 224 || src == RTE_BE32(0xffffffff)) {
		v->reason = XCHG_SD_IPV4_SOURCE;
		return;
	}
	if (!is_local(pc, dst) && !is_broadcast(pc, dst)) {
		v->reason = XCHG_SD_NOT_FOR_US;
		return;
	}
	ihl = (ip[0] & 0x0f) * 4u;
	total = v->ip_total;
	frag = be16(ip + 6);
	proto = ip[9];
	l4 = ip + ihl;
	if (frag & (RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) {
		if (proto != IPPROTO_UDP) {
			unclaimed(cfg, port, v, XCHG_SD_UNKNOWN_PROTOCOL);
			return;
		}
		if ((frag & RTE_IPV4_HDR_OFFSET_MASK) == 0 &&
		    (total - ihl < 8 ||
		     find_socket(cfg, port, true, be16(l4 + 2)) < 0)) {
			unclaimed(cfg, port, v, XCHG_SD_NO_SOCKET);
			return;
		}
		v->t = T_FRAG;
		return;
	}
	switch (proto) {
	case IPPROTO_UDP:
		s = find_socket(cfg, port, true, be16(l4 + 2));
		if (s < 0) {
			unclaimed(cfg, port, v, XCHG_SD_NO_SOCKET);
			return;
		}
		v->t = T_SOCKET;
		v->sock = s;
		return;
	case IPPROTO_ICMP:
		if (l4[0] == RTE_IP_ICMP_ECHO_REQUEST && is_local(pc, dst))
			v->t = T_ICMP;
		else
			unclaimed(cfg, port, v, XCHG_SD_ICMP_UNHANDLED);
		return;
	default:
		unclaimed(cfg, port, v, XCHG_SD_UNKNOWN_PROTOCOL);
		return;
	}
}

static void
tx_one(uint16_t port_id, struct rte_mbuf *m, uint64_t *ok)
{
	if (rte_eth_tx_burst(port_id, 0, &m, 1) == 1)
		(*ok)++;
	else
		rte_pktmbuf_free(m);
}

/* ARP as the stack answers it: in the request's buffer, untagged. */
static void
arp_handle(struct shared *sh, unsigned int port, struct rte_mbuf *m)
{
	const struct xchg_config *cfg = sh->r->cfg;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp;
	struct rte_arp_ipv4 *a;
	rte_be32_t ip;

	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP) &&
	    rte_vlan_strip(m) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	arp = (struct rte_arp_hdr *)(eth + 1);
	a = &arp->arp_data;
	if (is_local(&cfg->ports[port], a->arp_tip) &&
	    arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST)) {
		ip = a->arp_tip;
		arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
		a->arp_tha = a->arp_sha;
		a->arp_tip = a->arp_sip;
		a->arp_sha = sh->ports[port].mac;
		a->arp_sip = ip;
		eth->dst_addr = a->arp_tha;
		eth->src_addr = sh->ports[port].mac;
		tx_one(sh->ports[port].id, m, &sh->arp_answered);
		return;
	}
	if (cfg->proxy.enabled && cfg->proxy.port == port &&
	    arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY)) {
		sh->ports[port].proxy_delivered++;
		tx_one(sh->tap.id, m, &sh->proxied_in);
		return;
	}
	rte_pktmbuf_free(m);
}

/* ICMP echo as the stack answers it. */
static void
icmp_handle(struct shared *sh, unsigned int port, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_ether_addr peer;
	uint16_t ihl, icmp_len;
	uint32_t sum;
	rte_be32_t addr;

	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	    rte_vlan_strip(m) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ihl = rte_ipv4_hdr_len(ip);
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	icmp_len = rte_be_to_cpu_16(ip->total_length) - ihl;
	peer = eth->src_addr;
	eth->dst_addr = peer;
	eth->src_addr = sh->ports[port].mac;
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	sum = (uint16_t)~rte_be_to_cpu_16(icmp->icmp_cksum) +
	      (uint16_t)~(RTE_IP_ICMP_ECHO_REQUEST << 8) +
	      (RTE_IP_ICMP_ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (sizeof(*eth) + ihl +
						     icmp_len));
	tx_one(sh->ports[port].id, m, &sh->icmp_answered);
}

/* A capture copy, from the shared pool as a plain application's would
 * be (pdump copies too): when the pool is empty the copy is missed. */
static void
capture(struct shared *sh, unsigned int port, const struct rte_mbuf *m,
	const struct verdict *v, const struct timeval *now)
{
	const struct xchg_config_capture *cc = &sh->r->cfg->capture;
	const char *owner = NULL;
	struct pcap_pkthdr h;
	struct rte_mbuf *c;
	unsigned int i;
	bool want = cc->nb_owners == 0;
	uint32_t len;
	const void *p;

	if (sh->cap_dump == NULL || cc->port != port)
		return;
	switch (v->t) {
	case T_SOCKET:
		owner = sh->r->cfg->sockets[v->sock].name;
		break;
	case T_ARP:
		owner = "arp";
		break;
	case T_ICMP:
		owner = "icmp";
		break;
	case T_PROXY:
		owner = "proxy";
		break;
	default:
		break;
	}
	for (i = 0; !want && owner != NULL && i < cc->nb_owners; i++)
		want = strcmp(owner, cc->owners[i]) == 0;
	if (!want)
		return;
	c = rte_pktmbuf_alloc(sh->mp);
	if (c == NULL) {
		sh->capture_missed++;
		return;
	}
	len = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)rte_pktmbuf_tailroom(c));
	p = rte_pktmbuf_read(m, 0, len, rte_pktmbuf_mtod(c, void *));
	if (p != NULL) {
		if (!replay_mbuf_ts(m, &h.ts))
			h.ts = *now;
		h.caplen = len;
		h.len = rte_pktmbuf_pkt_len(m);
		pcap_dump((u_char *)sh->cap_dump, &h, p);
		sh->captured++;
	}
	rte_pktmbuf_free(c);
}

static void
rx_port(struct shared *sh, unsigned int port, unsigned int *n)
{
	struct replay *r = sh->r;
	const struct xchg_config *cfg = r->cfg;
	const struct timeval *now;
	struct rte_mbuf *m[BURST];
	struct verdict v;
	uint16_t q, k, i;

	for (q = 0; q < cfg->ports[port].rx_queues; q++) {
		k = rte_eth_rx_burst(sh->ports[port].id, q, m, BURST);
		*n += k;
		/* Frames without their own timestamp get the last one
		 * read: looked up once per burst. */
		now = k != 0 ? replay_now(r, sh->ports[port].id, port) : NULL;
		for (i = 0; i < k; i++) {
			classify(cfg, port, rte_pktmbuf_mtod(m[i], uint8_t *),
				 rte_pktmbuf_data_len(m[i]), &v);
			capture(sh, port, m[i], &v, now);
			if (v.ip_total != 0 && rte_pktmbuf_pkt_len(m[i]) >
			    (uint32_t)v.l2_len + v.ip_total)
				rte_pktmbuf_trim(m[i], (uint16_t)(
					rte_pktmbuf_pkt_len(m[i]) - v.l2_len -
					v.ip_total));
			switch (v.t) {
			case T_SOCKET:
				/* The ring holds the whole pool: no refusal. */
				if (rte_ring_enqueue(sh->rings[v.sock],
						     m[i]) == 0)
					sh->delivered[v.sock]++;
				else
					rte_pktmbuf_free(m[i]);
				break;
			case T_ARP:
				sh->ports[port].arp_delivered++;
				arp_handle(sh, port, m[i]);
				break;
			case T_ICMP:
				sh->ports[port].icmp_delivered++;
				icmp_handle(sh, port, m[i]);
				break;
			case T_PROXY:
				sh->ports[port].proxy_delivered++;
				tx_one(sh->tap.id, m[i], &sh->proxied_in);
				break;
			case T_FRAG:
				sh->frag_unsupported++;
				rte_pktmbuf_free(m[i]);
				break;
			case T_DROP:
				sh->drops[v.reason]++;
				rte_pktmbuf_free(m[i]);
				break;
			}
		}
	}
}

static int
port_up(struct shared *sh, struct sh_port *p, const char *devargs,
	uint16_t nb_rxq, uint16_t nb_txq, uint16_t rx_desc, uint16_t tx_desc,
	const char *label)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	char err[XCHG_CONFIG_ERR_SIZE];
	uint16_t q;
	int ret;

	ret = xchg_config_device_probe(devargs, &p->id, &p->probed, err,
				       sizeof(err));
	if (ret != 0) {
		fprintf(stderr, PROG ": %s: %s\n", label, err);
		return ret;
	}
	p->have_id = true;
	ret = rte_eth_dev_info_get(p->id, &info);
	if (ret == 0)
		ret = rte_eth_dev_configure(p->id, nb_rxq, nb_txq, &conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &rx_desc,
						       &tx_desc);
	/* As the NIC layer does: one undrained queue must not stall the
	 * port. Only the pool differs. */
	rxconf = info.default_rxconf;
	rxconf.rx_drop_en = 1;
	for (q = 0; ret == 0 && q < nb_rxq; q++)
		ret = rte_eth_rx_queue_setup(p->id, q, rx_desc, SOCKET_ID_ANY,
					     &rxconf, sh->mp);
	for (q = 0; ret == 0 && q < nb_txq; q++)
		ret = rte_eth_tx_queue_setup(p->id, q, tx_desc, SOCKET_ID_ANY,
					     NULL);
	if (ret == 0)
		ret = rte_eth_macaddr_get(p->id, &p->mac);
	if (ret == 0)
		ret = rte_eth_dev_start(p->id);
	if (ret != 0)
		fprintf(stderr, PROG ": %s: ethdev port %u: %s\n", label, p->id,
			rte_strerror(-ret));
	return ret;
}

static void
collect(struct shared *sh)
{
	struct replay *r = sh->r;
	const struct xchg_config *cfg = r->cfg;
	struct result *res = &r->res;
	struct rte_eth_stats st;
	struct r_consumer *c;
	struct r_pool *p;
	uint64_t nombuf = 0, owned = 0;
	unsigned int i, d;

	res->mode = MODE_SHARED;
	res->buffers = cfg->arena.buffers;
	for (i = 0; i < cfg->nb_sockets; i++) {
		c = &res->consumers[res->nb_consumers++];
		snprintf(c->name, sizeof(c->name), "%s", cfg->sockets[i].name);
		c->kind = "socket";
		c->behaviour = xchg_config_behaviour_name(cfg->behaviour[i]);
		c->priority = cfg->sockets[i].priority == XCHG_PRIO_CRITICAL ?
			      "critical" : "normal";
		c->delivered = sh->delivered[i];
		c->received = r->consumers[i].received;
		c->held = consumer_held(&r->consumers[i]);
		owned += c->held + rte_ring_count(sh->rings[i]);
	}
	for (i = 0; i < cfg->nb_ports; i++) {
		c = &res->consumers[res->nb_consumers++];
		snprintf(c->name, sizeof(c->name), "p%u_arp", sh->ports[i].id);
		c->kind = "service";
		c->delivered = sh->ports[i].arp_delivered;
		c = &res->consumers[res->nb_consumers++];
		snprintf(c->name, sizeof(c->name), "p%u_icmp", sh->ports[i].id);
		c->kind = "service";
		c->delivered = sh->ports[i].icmp_delivered;
	}
	if (cfg->proxy.enabled) {
		c = &res->consumers[res->nb_consumers++];
		snprintf(c->name, sizeof(c->name), "p%u_proxy",
			 sh->ports[cfg->proxy.port].id);
		c->kind = "proxy";
		c->delivered = sh->ports[cfg->proxy.port].proxy_delivered;
	}
	if (cfg->capture.enabled) {
		c = &res->consumers[res->nb_consumers++];
		snprintf(c->name, sizeof(c->name), "p%u_capture",
			 sh->ports[cfg->capture.port].id);
		c->kind = "capture";
		c->delivered = sh->captured;
		c->refused = sh->capture_missed;
	}
	for (i = 0; i <= cfg->nb_ports; i++) {
		const struct sh_port *sp = i < cfg->nb_ports ? &sh->ports[i] :
							       &sh->tap;
		struct r_port *rp;

		if (!sp->have_id || rte_eth_stats_get(sp->id, &st) != 0)
			continue;
		rp = &res->ports[res->nb_ports++];
		snprintf(rp->name, sizeof(rp->name), "%s",
			 i < cfg->nb_ports ? cfg->ports[i].name : "proxy-tap");
		rp->port_id = sp->id;
		rp->frames_in = i < cfg->nb_ports ? r->inputs[i].nb : 0;
		rp->ipackets = st.ipackets;
		rp->opackets = st.opackets;
		rp->rx_nombuf = st.rx_nombuf;
		rp->imissed = st.imissed;
		rp->ierrors = st.ierrors;
		nombuf += st.rx_nombuf;
	}
	p = &res->pools[res->nb_pools++];
	snprintf(p->name, sizeof(p->name), "shared");
	p->kind = "mbuf_pool";
	p->quota = cfg->arena.buffers;
	p->available = rte_mempool_avail_count(sh->mp);
	p->in_use = p->quota - p->available;
	p->low_watermark = sh->low_watermark;
	p->refused = nombuf + sh->capture_missed;

	result_drop(res, "rx_nombuf", nombuf);
	for (d = 0; d < XCHG_SD_MAX; d++)
		result_drop(res, xchg_stack_drop_name(d), sh->drops[d]);
	result_drop(res, "fragment_unsupported", sh->frag_unsupported);
	res->stack.arp_answered = sh->arp_answered;
	res->stack.icmp_answered = sh->icmp_answered;
	res->stack.proxied_in = sh->proxied_in;
	res->stack.captured = sh->captured;
	res->stack.capture_missed = sh->capture_missed;

	/* net_pcap keeps no buffer between polls: each is free or held. */
	res->census.total = cfg->arena.buffers;
	res->census.free = p->available;
	res->census.owned = (uint32_t)owned;
	res->census.in_rings = res->census.total - res->census.free -
			       res->census.owned;
	res->census.conserved = res->census.in_rings == 0;
}

static unsigned int
cache_size(uint32_t n)
{
	unsigned int c = 256;

	while (c > 0 && (uint64_t)c * 3 / 2 > n)
		c /= 2;
	return c;
}

int
run_shared(struct replay *r)
{
	const struct xchg_config *cfg = r->cfg;
	static struct shared sh;
	char devargs[XCHG_CONFIG_DEVARGS_SIZE], name[64], label[64];
	uint16_t port_ids[XCHG_CONFIG_MAX_PORTS];
	struct rte_mbuf *m[BURST];
	uint64_t total, last_total = UINT64_MAX, stall = 0;
	unsigned int i, n, k, tail = 0;
	int ret = 0;
	bool done;

	memset(&sh, 0, sizeof(sh));
	sh.r = r;
	sh.low_watermark = cfg->arena.buffers;
	if (replay_prepare(r) != 0)
		return -1;
	sh.mp = rte_pktmbuf_pool_create("xr_shared", cfg->arena.buffers,
					cache_size(cfg->arena.buffers), 0,
					cfg->arena.data_room, SOCKET_ID_ANY);
	if (sh.mp == NULL) {
		fprintf(stderr, PROG ": cannot create a shared pool of %u buffers: %s\n",
			cfg->arena.buffers, rte_strerror(rte_errno));
		return -1;
	}
	for (i = 0; ret == 0 && i < cfg->nb_sockets; i++) {
		snprintf(name, sizeof(name), "xr_sock%u", i);
		sh.rings[i] = rte_ring_create(name,
				rte_align32pow2(cfg->arena.buffers + 1),
				SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (sh.rings[i] == NULL) {
			fprintf(stderr, PROG ": cannot create a ring for socket %s: %s\n",
				cfg->sockets[i].name, rte_strerror(rte_errno));
			ret = -1;
		}
	}
	for (i = 0; ret == 0 && i < cfg->nb_ports; i++) {
		const struct xchg_config_port *pc = &cfg->ports[i];

		snprintf(label, sizeof(label), "[port %s]", pc->name);
		ret = replay_devargs(r, i, devargs, sizeof(devargs));
		if (ret == 0)
			ret = port_up(&sh, &sh.ports[i], devargs, pc->rx_queues,
				      pc->tx_queues, pc->rx_desc, pc->tx_desc,
				      label);
		port_ids[i] = sh.ports[i].id;
	}
	if (ret == 0 && cfg->proxy.enabled) {
		ret = replay_tap_devargs(r, devargs, sizeof(devargs));
		if (ret == 0)
			ret = port_up(&sh, &sh.tap, devargs, 1, 1,
				      cfg->proxy.rx_desc, cfg->proxy.tx_desc,
				      "[proxy] tap");
	}
	if (ret == 0 && cfg->capture.enabled) {
		sh.cap_dead = pcap_open_dead(DLT_EN10MB, 65535);
		if (sh.cap_dead != NULL)
			sh.cap_dump = pcap_dump_open(sh.cap_dead, r->capture_raw);
		if (sh.cap_dump == NULL) {
			fprintf(stderr, PROG ": %s: cannot write it\n",
				r->capture_raw);
			ret = -1;
		}
	}
	if (ret == 0)
		ret = consumers_open(r);

	while (ret == 0) {
		n = 0;
		for (i = 0; i < cfg->nb_ports; i++)
			rx_port(&sh, i, &n);
		for (i = 0; i < cfg->nb_sockets; i++) {
			unsigned int p = cfg->sockets[i].port;

			while ((k = rte_ring_dequeue_burst(sh.rings[i],
					(void **)m, BURST, NULL)) != 0)
				consumer_take(r, &r->consumers[i], m, k,
					      replay_now(r, port_ids[p], p));
		}
		k = rte_mempool_avail_count(sh.mp);
		if (k < sh.low_watermark)
			sh.low_watermark = k;
		done = replay_track(r, port_ids,
				    sh.tap.have_id ? sh.tap.id : -1,
				    sh.captured, &total);
		if (done) {
			if (n == 0 && ++tail >= TAIL_ROUNDS)
				break;
			continue;
		}
		stall = total == last_total && n == 0 ? stall + 1 : 0;
		last_total = total;
		if (stall == STALL_ROUNDS) {
			fprintf(stderr, PROG ": the ports stopped reading their captures after %" PRIu64 " frames\n",
				total);
			ret = -1;
		}
	}
	if (ret == 0)
		collect(&sh);

	consumers_release(r);
	consumers_close(r);
	for (i = 0; i < cfg->nb_sockets; i++) {
		if (sh.rings[i] == NULL)
			continue;
		while ((k = rte_ring_dequeue_burst(sh.rings[i], (void **)m,
						   BURST, NULL)) != 0)
			rte_pktmbuf_free_bulk(m, k);
		rte_ring_free(sh.rings[i]);
	}
	if (sh.cap_dump != NULL)
		pcap_dump_close(sh.cap_dump);
	if (sh.cap_dead != NULL)
		pcap_close(sh.cap_dead);
	for (i = 0; i <= cfg->nb_ports; i++) {
		struct sh_port *p = i < cfg->nb_ports ? &sh.ports[i] : &sh.tap;

		if (!p->have_id)
			continue;
		if (p->probed)
			xchg_config_device_remove(p->id);
		else
			rte_eth_dev_stop(p->id);
	}
	rte_mempool_free(sh.mp);
	/* The capture was written with input timestamps already. */
	if (cfg->capture.enabled && ret == 0) {
		char final[4096];

		out_path(r, final, sizeof(final), "capture.pcap");
		rename(r->capture_raw, final);
	}
	if (replay_finish(r) != 0)
		ret = -1;
	return ret;
}
