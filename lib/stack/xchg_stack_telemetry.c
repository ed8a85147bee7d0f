/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Telemetry of the stacks: /xchg/sockets, /xchg/services and
 * /xchg/neighbours, read with dpdk-telemetry.py.
 *
 * Each takes an optional port id ("0" or "port0"): with one, that
 * port's stack is reported at the top level; without, every live stack
 * is reported, keyed by "port<N>" (also when there is only one, so the
 * shape never depends on how many stacks run).
 *
 * Live stacks are kept in a registry under a mutex; a handler holds it
 * while it reads a stack, so a stack cannot be freed under it
 * (xchg_stack_free() unregisters first).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "xchg_stack_private.h"
#include "xchg_tel_util.h"


static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xchg_stack *registry[RTE_MAX_ETHPORTS];


/* /xchg/sockets */

static int
socket_to_tel(struct xchg_socket *sock, void *arg)
{
	struct rte_tel_data *d = arg, *sd;
	struct xchg_socket_stats st;
	uint8_t acc;

	if (xchg_socket_stats_get(sock, &st) != 0)
		return 0;
	sd = xchg_tel_new_dict();
	if (sd == NULL)
		return -ENOMEM;
	if (sock->type == XCHG_SOCK_UDP) {
		rte_tel_data_add_dict_string(sd, "type", "udp");
		xchg_tel_u64(sd, "port", sock->local_port);
	} else {
		rte_tel_data_add_dict_string(sd, "type", "packet");
		xchg_tel_u64(sd, "ethertype",
			     __atomic_load_n(&sock->ether_type,
					     __ATOMIC_RELAXED));
	}
	rte_tel_data_add_dict_string(sd, "priority",
				     st.priority == XCHG_PRIO_CRITICAL ?
				     "critical" : "normal");
	/* Named as [socket] readers; control path, plain. */
	rte_tel_data_add_dict_string(sd, "readers",
				     sock->single_reader ? "one" : "many");
	xchg_tel_u64(sd, "quota", st.pool.quota);
	xchg_tel_u64(sd, "in_use", st.pool.in_use);
	xchg_tel_u64(sd, "available", st.pool.available);
	xchg_tel_u64(sd, "refused", st.pool.refused);
	xchg_tel_u64(sd, "low_watermark", st.pool.low_watermark);
	xchg_tel_u64(sd, "received", st.received);
	xchg_tel_u64(sd, "sent", st.sent);
	xchg_tel_u64(sd, "send_failed", st.send_failed);
	if (sock->type == XCHG_SOCK_UDP) {
		xchg_tel_u64(sd, "frag_collectors", st.frag_collectors);
		xchg_tel_u64(sd, "frag_pending", st.frag_pending);
		xchg_tel_u64(sd, "reassembled", st.reassembled);
		xchg_tel_u64(sd, "frag_evicted",
			     st.drops[XCHG_SD_FRAG_EVICTED]);
		xchg_tel_u64(sd, "queued", st.queued);
		xchg_tel_u64(sd, "pending", st.pending);
		xchg_tel_u64(sd, "pending_max", st.pending_max);
		xchg_tel_u64(sd, "neigh_timeout",
			     st.drops[XCHG_SD_NEIGH_TIMEOUT]);
		/* What it receives now, named as [socket] family. */
		acc = __atomic_load_n(&sock->accept, __ATOMIC_RELAXED);
		rte_tel_data_add_dict_string(sd, "family",
			acc == (XCHG_ACCEPT4 | XCHG_ACCEPT6) ? "both" :
			acc == XCHG_ACCEPT6 ? "ipv6" : "ipv4");
	}
	xchg_tel_add_container(d, xchg_socket_name(sock), sd);
	return 0;
}

static int
sockets_to_tel(struct xchg_stack *s, struct rte_tel_data *d)
{
	return xchg_stack_socket_foreach(s, socket_to_tel, d);
}

/* /xchg/services */

static struct rte_tel_data *
pool_dict(struct xchg_consumer *c)
{
	struct rte_tel_data *d;
	struct xchg_pool_stats st;

	if (xchg_pool_stats_get(xchg_consumer_pool(c), &st) != 0)
		return NULL;
	d = xchg_tel_new_dict();
	if (d == NULL)
		return NULL;
	xchg_tel_u64(d, "quota", st.quota);
	xchg_tel_u64(d, "in_use", st.in_use);
	xchg_tel_u64(d, "available", st.available);
	xchg_tel_u64(d, "refused", st.refused);
	xchg_tel_u64(d, "low_watermark", st.low_watermark);
	return d;
}

static int
services_to_tel(struct xchg_stack *s, struct rte_tel_data *d)
{
	struct xchg_stack_stats st;
	struct rte_tel_data *sd;
	unsigned int r;

	if (xchg_stack_stats_get(s, &st) != 0)
		return -EINVAL;
	sd = pool_dict(s->arp);
	if (sd != NULL) {
		xchg_tel_u64(sd, "answered", st.arp_requests_answered);
		xchg_tel_u64(sd, "learned", st.arp_learned);
		xchg_tel_add_container(d, "arp", sd);
	}
	sd = pool_dict(s->icmp);
	if (sd != NULL) {
		xchg_tel_u64(sd, "answered", st.icmp_echo_answered);
		xchg_tel_add_container(d, "icmp", sd);
	}
	/* Set once, with the first IPv6 address (release in
	 * xchg_nd_enable()). */
	sd = pool_dict(__atomic_load_n(&s->nd, __ATOMIC_ACQUIRE));
	if (sd != NULL) {
		xchg_tel_u64(sd, "answered", st.nd_advertisements_sent);
		xchg_tel_u64(sd, "solicited", st.nd_solicitations_sent);
		xchg_tel_u64(sd, "learned", st.nd_learned);
		xchg_tel_u64(sd, "dad_conflicts", st.dad_conflicts);
		xchg_tel_add_container(d, "nd", sd);
	}
	sd = pool_dict(__atomic_load_n(&s->icmp6, __ATOMIC_ACQUIRE));
	if (sd != NULL) {
		xchg_tel_u64(sd, "answered", st.icmp6_echo_answered);
		xchg_tel_add_container(d, "icmp6", sd);
	}
	/* The proxy and the capture are set and freed under the lock. */
	pthread_mutex_lock(&s->lock);
	sd = s->proxy != NULL ? pool_dict(s->proxy) : NULL;
	if (sd != NULL) {
		struct xchg_pool_stats out;

		xchg_tel_u64(sd, "proxied_in", st.proxied_in);
		xchg_tel_u64(sd, "proxied_out", st.proxied_out);
		if (xchg_pool_stats_get(xchg_consumer_pool(s->tap_out),
					&out) == 0) {
			xchg_tel_u64(sd, "hostout_quota", out.quota);
			xchg_tel_u64(sd, "hostout_in_use", out.in_use);
			xchg_tel_u64(sd, "hostout_refused", out.refused);
		}
		xchg_tel_add_container(d, "proxy", sd);
	}
	sd = s->capture != NULL ? pool_dict(s->capture) : NULL;
	if (sd != NULL) {
		xchg_tel_u64(sd, "captured", st.captured);
		xchg_tel_u64(sd, "missed", st.capture_missed);
		xchg_tel_add_container(d, "capture", sd);
	}
	pthread_mutex_unlock(&s->lock);
	sd = xchg_tel_new_dict();
	if (sd != NULL) {
		xchg_tel_u64(sd, "quota", st.staging.quota);
		xchg_tel_u64(sd, "held", st.staging.held);
		xchg_tel_u64(sd, "staged", st.staging.staged);
		xchg_tel_u64(sd, "moved", st.staging.moved);
		xchg_tel_u64(sd, "proxied", st.staging.proxied);
		xchg_tel_u64(sd, "evicted", st.staging.evicted);
		xchg_tel_u64(sd, "timed_out", st.staging.timed_out);
		xchg_tel_add_container(d, "frag_staging", sd);
	}
	xchg_tel_u64(d, "frames", st.frames);
	xchg_tel_u64(d, "delivered", st.delivered);
	xchg_tel_u64(d, "reassembled", st.reassembled);
	xchg_tel_u64(d, "service_no_buffers", st.service_no_buffers);
	sd = xchg_tel_new_dict();
	if (sd != NULL) {
		for (r = 0; r < XCHG_SD_MAX; r++)
			xchg_tel_u64(sd, xchg_stack_drop_name(r), st.drops[r]);
		xchg_tel_add_container(d, "drops", sd);
	}
	return 0;
}

/* /xchg/neighbours */

/* One entry, either family, keyed by its address with dots and colons
 * made underscores: 192_0_2_1, 2001_db8__1. */
static int
neigh_add(struct rte_tel_data *d, int af, const void *addr,
	  const struct rte_ether_addr *ea, bool is_static, uint32_t age_ms)
{
	char ip[INET6_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_tel_data *nd = xchg_tel_new_dict();

	if (nd == NULL)
		return -ENOMEM;
	inet_ntop(af, addr, ip, sizeof(ip));
	rte_ether_format_addr(mac, sizeof(mac), ea);
	rte_tel_data_add_dict_string(nd, "ip", ip);
	rte_tel_data_add_dict_string(nd, "mac", mac);
	xchg_tel_u64(nd, "static", is_static);
	xchg_tel_u64(nd, "age_ms", age_ms);
	xchg_tel_add_container(d, ip, nd);
	return 0;
}

static int
neigh_to_tel(const struct xchg_neigh_info *n, void *arg)
{
	return neigh_add(arg, AF_INET, &n->ip, &n->mac, n->is_static,
			 n->age_ms);
}

static int
neigh6_to_tel(const struct nent_view *n, void *arg)
{
	return neigh_add(arg, AF_INET6, n->k, &n->mac, n->is_static,
			 n->age_ms);
}

static int
neighbours_to_tel(struct xchg_stack *s, struct rte_tel_data *d)
{
	int ret = xchg_stack_neigh_foreach(s, neigh_to_tel, d);

	return ret != 0 ? ret :
	       xchg_neigh_table_foreach(s, s->neigh6, neigh6_to_tel, d);
}

/* Commands */

typedef int (*stack_to_tel_t)(struct xchg_stack *s, struct rte_tel_data *d);

static int
parse_port(const char *params)
{
	char *end;
	long v;

	if (strncmp(params, "port", 4) == 0)
		params += 4;
	v = strtol(params, &end, 10);
	if (end == params || *end != '\0' || v < 0 || v >= RTE_MAX_ETHPORTS)
		return -1;
	return (int)v;
}

static int
handle(const char *params, struct rte_tel_data *d, stack_to_tel_t fn)
{
	char key[16];
	unsigned int i;
	int port = -1, ret = 0;
	bool found;

	rte_tel_data_start_dict(d);
	if (params != NULL && params[0] != '\0') {
		port = parse_port(params);
		if (port < 0)
			return -EINVAL;
	}
	/* One shape with or without a parameter: portN -> figures. */
	pthread_mutex_lock(&registry_lock);
	found = port < 0;
	for (i = 0; i < RTE_DIM(registry) && ret == 0; i++) {
		struct rte_tel_data *sd;

		if (registry[i] == NULL ||
		    (port >= 0 && registry[i]->port_id != port))
			continue;
		found = true;
		sd = xchg_tel_new_dict();
		if (sd == NULL) {
			ret = -ENOMEM;
			break;
		}
		ret = fn(registry[i], sd);
		snprintf(key, sizeof(key), "port%u", registry[i]->port_id);
		xchg_tel_add_container(d, key, sd);
	}
	if (ret == 0 && !found)
		ret = -EINVAL;
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

static int
handle_sockets(const char *cmd __rte_unused, const char *params,
	       struct rte_tel_data *d)
{
	return handle(params, d, sockets_to_tel);
}

static int
handle_services(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	return handle(params, d, services_to_tel);
}

static int
handle_neighbours(const char *cmd __rte_unused, const char *params,
		  struct rte_tel_data *d)
{
	return handle(params, d, neighbours_to_tel);
}

static pthread_once_t tel_once = PTHREAD_ONCE_INIT;

/* Help texts must stay under RTE_TEL_MAX_STRING_LEN (128), or
 * registration fails. */
static void
tel_register(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/xchg/sockets", handle_sockets,
		  "Stack sockets: type, port, priority, quota, in_use, refused, received, sent. Param: port id (optional)" },
		{ "/xchg/services", handle_services,
		  "Stack services (arp, icmp, nd, icmp6, proxy, capture, frag_staging) and drops by reason. Param: port id (optional)" },
		{ "/xchg/neighbours", handle_neighbours,
		  "Stack neighbour tables (IPv4 and IPv6): ip, mac, static, age_ms. Param: port id (optional)" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cmds); i++) {
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn,
					       cmds[i].help) != 0)
			STACK_LOG(WARNING, "telemetry command %s not registered\n",
				  cmds[i].cmd);
	}
}

void
xchg_stack_telemetry_register(struct xchg_stack *s)
{
	unsigned int i;

	if (s == NULL)
		return;
	pthread_once(&tel_once, tel_register);
	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < RTE_DIM(registry) && registry[i] != NULL; i++)
		;
	if (i < RTE_DIM(registry))
		registry[i] = s;
	else
		STACK_LOG(WARNING, "port %u: stack not shown in telemetry: %u stacks already\n",
			  s->port_id, i);
	pthread_mutex_unlock(&registry_lock);
}

void
xchg_stack_telemetry_unregister(struct xchg_stack *s)
{
	unsigned int i;

	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < RTE_DIM(registry); i++)
		if (registry[i] == s)
			registry[i] = NULL;
	pthread_mutex_unlock(&registry_lock);
}
