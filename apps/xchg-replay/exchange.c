/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The run, in both modes: the set-up as the configuration describes it
 * (libxchg_config builds it), every port replaced by net_pcap, polled on
 * this lcore in configuration order; then the transmit captures turned
 * into deterministic outputs.
 *
 * Exchange mode builds it as configured. Shared mode builds the very same
 * set-up on an overcommitted arena of the same buffers where every
 * consumer's quota is the whole arena (xchg_config_set_shared()): one
 * shared pool, as a plain DPDK application has, with the same stack.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "replay.h"

/* Stop when a round this many times in a row reads nothing although input
 * is left: a PMD that no longer reads is a bug, not a reason to spin. */
#define STALL_ROUNDS 1000000

static int
txq_raw(const struct replay *r, unsigned int port, unsigned int q, char *buf,
	size_t size)
{
	if (q == 0)
		return snprintf(buf, size, "%s", r->tx_raw[port]) >=
		       (int)size ? -ENAMETOOLONG : 0;
	return out_path(r, buf, size, ".port-%s-txq%u.raw.pcap",
			r->cfg->ports[port].name, q);
}

static int
replay_devargs(const struct replay *r, unsigned int i, char *buf, size_t size)
{
	const struct xchg_config_port *p = &r->cfg->ports[i];
	char raw[4096];
	size_t n;
	unsigned int q;

	n = (size_t)snprintf(buf, size, "net_pcap_xr%u", i);
	for (q = 0; q < p->rx_queues && n < size; q++)
		n += (size_t)snprintf(buf + n, size - n, ",rx_pcap=%s",
				      q == 0 && r->inputs[i].path != NULL ?
				      r->inputs[i].path : r->empty_pcap);
	for (q = 0; q < p->tx_queues && n < size; q++) {
		if (txq_raw(r, i, q, raw, sizeof(raw)) != 0)
			return -ENAMETOOLONG;
		n += (size_t)snprintf(buf + n, size - n, ",tx_pcap=%s", raw);
	}
	return n < size ? 0 : -ENAMETOOLONG;
}

static int
replay_tap_devargs(const struct replay *r, char *buf, size_t size)
{
	return snprintf(buf, size, "net_pcap_xrtap,rx_pcap=%s,tx_pcap=%s",
			r->empty_pcap, r->tap_raw) < (int)size ?
	       0 : -ENAMETOOLONG;
}

static int
replay_prepare(struct replay *r)
{
	const struct xchg_config *cfg = r->cfg;
	unsigned int i;
	int ret = 0;

	ret |= out_path(r, r->empty_pcap, sizeof(r->empty_pcap),
			".empty.pcap");
	for (i = 0; i < cfg->nb_ports; i++)
		ret |= out_path(r, r->tx_raw[i], sizeof(r->tx_raw[i]),
				".port-%s-tx.raw.pcap", cfg->ports[i].name);
	ret |= out_path(r, r->tap_raw, sizeof(r->tap_raw), ".proxy-tx.raw.pcap");
	ret |= out_path(r, r->capture_raw, sizeof(r->capture_raw),
			".capture.raw.pcap");
	if (ret != 0) {
		fprintf(stderr, PROG ": --out-dir %s: path too long\n",
			r->out_dir);
		return -ENAMETOOLONG;
	}
	if (strchr(r->out_dir, ',') != NULL) {
		fprintf(stderr, PROG ": --out-dir %s: net_pcap cannot open file names with ','; choose another folder\n",
			r->out_dir);
		return -EINVAL;
	}
	if (write_empty_pcap(r->empty_pcap) != 0) {
		fprintf(stderr, PROG ": %s: cannot write it\n", r->empty_pcap);
		return -EIO;
	}
	return 0;
}

/* Raw transmit captures to their final names; temporary files go. */
static int
replay_finish(struct replay *r)
{
	const struct xchg_config *cfg = r->cfg;
	char final[4096], raw[4096];
	unsigned int i, q;
	int ret = 0;

	for (i = 0; i < cfg->nb_ports; i++) {
		if (out_path(r, final, sizeof(final), "port-%s-tx.pcap",
			     cfg->ports[i].name) == 0 &&
		    access(r->tx_raw[i], F_OK) == 0)
			ret |= rewrite_pcap(r->tx_raw[i], final, &r->tx_ts[i],
					    &r->inputs[i].first);
		for (q = 1; q < cfg->ports[i].tx_queues; q++)
			if (txq_raw(r, i, q, raw, sizeof(raw)) == 0)
				unlink(raw);
	}
	if (cfg->proxy.enabled &&
	    out_path(r, final, sizeof(final), "proxy-tx.pcap") == 0 &&
	    access(r->tap_raw, F_OK) == 0)
		ret |= rewrite_pcap(r->tap_raw, final, &r->tap_ts,
				    &r->inputs[cfg->proxy.port].first);
	if (cfg->capture.enabled &&
	    out_path(r, final, sizeof(final), "capture.pcap") == 0 &&
	    access(r->capture_raw, F_OK) == 0)
		ret |= rewrite_pcap(r->capture_raw, final, &r->capture_ts,
				    &r->inputs[cfg->capture.port].first);
	unlink(r->empty_pcap);
	return ret != 0 ? -EIO : 0;
}

/* After each round: what was written by then. Returns true when every
 * port has read all of its capture. */
static bool
replay_track(struct replay *r, const uint16_t *port_ids, int tap_id,
	     uint64_t captured, uint64_t *total)
{
	const struct xchg_config *cfg = r->cfg;
	struct rte_eth_stats st;
	bool done = true;
	unsigned int i;

	*total = 0;
	for (i = 0; i < cfg->nb_ports; i++) {
		const struct input *in = &r->inputs[i];

		*total += in->pos;
		if (in->pos < in->nb)
			done = false;
		if (rte_eth_stats_get(port_ids[i], &st) == 0)
			ts_track_add(&r->tx_ts[i], st.opackets, &in->cur);
		if (cfg->proxy.enabled && cfg->proxy.port == i && tap_id >= 0 &&
		    rte_eth_stats_get((uint16_t)tap_id, &st) == 0)
			ts_track_add(&r->tap_ts, st.opackets, &in->cur);
		if (cfg->capture.enabled && cfg->capture.port == i)
			ts_track_add(&r->capture_ts, captured, &in->cur);
	}
	return done;
}

static void
add_pool_result(struct result *res, const struct xchg_pool *pool)
{
	struct xchg_pool_stats s;
	struct r_pool *p;

	if (res->nb_pools == MAX_R_POOLS ||
	    xchg_pool_stats_get(pool, &s) != 0)
		return;
	p = &res->pools[res->nb_pools++];
	snprintf(p->name, sizeof(p->name), "%s", xchg_pool_name(pool));
	p->kind = xchg_pool_kind_name(xchg_pool_kind(pool));
	p->quota = s.quota;
	p->in_use = s.in_use;
	p->available = s.available;
	p->low_watermark = s.low_watermark;
	p->accepted = s.accepted;
	p->refused = s.refused;
	p->rejected = s.rejected;
}

static int
pool_cb(struct xchg_pool *pool, void *arg)
{
	add_pool_result(arg, pool);
	return 0;
}

/* A socket's datagrams: delivered what the application took; lost as
 * the stack counted them against it, at the NIC (its whole frame or
 * first fragment), half built at the end; and what is left, whole
 * frames its pool refused at the port. */
static void
socket_datagrams(struct replay *r, struct r_consumer *c)
{
	struct xchg_socket_stats st;
	uint64_t known;
	unsigned int i;

	memset(&st, 0, sizeof(st));
	xchg_socket_stats_get(xchg_config_setup_socket(r->su, c->socket),
			      &st);
	c->d_delivered = c->received;
	c->d_unfinished = st.frag_pending;
	c->frag_held = st.frag_held;
	r->res.held_reassembly += st.frag_held;
	for (i = 0; i < XCHG_SD_MAX; i++)
		c->d_stack[i] = st.datagrams_lost[i];
	known = c->d_delivered + c->d_rx_nombuf + c->d_ierrors +
		c->d_unfinished;
	for (i = 0; i < XCHG_SD_MAX; i++)
		known += c->d_stack[i];
	/* Below zero, the sums do not add up: result_finish() says so. */
	c->d_no_buffers = c->d_offered > known ? c->d_offered - known : 0;
}

/* A consumer's figures once the run is over. Sockets: what the
 * application took, in capture frames; services and the proxy: what
 * their pool accepted (one frame each). The capture copies frames: it
 * is offered what its owners got, and is outside the frames_in sums. */
static void
consumer_figures(struct replay *r, struct r_consumer *c,
		 const struct xchg_stack_stats *cap)
{
	struct xchg_pool_stats s;

	if (xchg_pool_stats_get(c->pool, &s) != 0)
		return;
	c->refused = s.refused + s.rejected;
	if (c->socket >= 0) {
		const struct consumer *k = &r->consumers[c->socket];

		c->delivered = k->frames;
		c->received = k->received;
		c->held = consumer_held(k);
		socket_datagrams(r, c);
	} else if (strcmp(c->kind, "capture") == 0) {
		c->offered = cap->captured + cap->capture_missed;
		c->delivered = cap->captured;
		c->lost_no_buffers = cap->capture_missed;
		return;
	} else {
		c->delivered = s.accepted;
	}
	c->lost_no_buffers = c->refused;
	/* Whatever the measured causes leave: frames of datagrams dropped
	 * whole (reassembly timeout, invalid, ...), named in drops. */
	c->lost_other = c->offered - RTE_MIN(c->offered, c->delivered +
		c->lost_no_buffers + c->lost_rx_nombuf + c->lost_ierrors);
}

static void
collect(struct replay *r, struct xchg_config_setup *su)
{
	const struct xchg_config *cfg = r->cfg;
	struct result *res = &r->res;
	struct xchg_arena *arena = xchg_config_setup_arena(su);
	struct xchg_census census;
	struct xchg_port_stats ps;
	struct xchg_stack_stats ss;
	unsigned int i, d;
	uint64_t nombuf = 0, ierrors = 0;
	struct xchg_stack_stats cap = { 0 };

	res->mode = r->mode;
	res->buffers = cfg->arena.buffers;
	xchg_pool_foreach(arena, pool_cb, res);

	for (i = 0; i <= cfg->nb_ports; i++) {
		struct xchg_port *port = i < cfg->nb_ports ?
			xchg_config_setup_port(su, i) :
			xchg_config_setup_tap(su);
		struct r_port *rp;

		if (port == NULL || xchg_port_stats_get(port, &ps) != 0)
			continue;
		rp = &res->ports[res->nb_ports++];
		snprintf(rp->name, sizeof(rp->name), "%s",
			 i < cfg->nb_ports ? cfg->ports[i].name : "proxy-tap");
		rp->port_id = xchg_port_id(port);
		rp->frames_in = i < cfg->nb_ports ? r->inputs[i].nb : 0;
		rp->ipackets = ps.eth.ipackets;
		rp->opackets = ps.eth.opackets;
		rp->rx_nombuf = ps.eth.rx_nombuf;
		rp->imissed = ps.eth.imissed;
		rp->ierrors = ps.eth.ierrors;
		nombuf += ps.eth.rx_nombuf;
		ierrors += ps.eth.ierrors;
	}
	result_drop(res, "rx_nombuf", nombuf);
	result_drop(res, "ierrors", ierrors);
	for (d = 0; d < XCHG_SD_MAX; d++)
		result_drop(res, xchg_stack_drop_name(d), 0);
	for (i = 0; i < cfg->nb_ports; i++) {
		if (xchg_stack_stats_get(xchg_config_setup_stack(su, i),
					 &ss) != 0)
			continue;
		for (d = 0; d < XCHG_SD_MAX; d++)
			result_drop(res, xchg_stack_drop_name(d), ss.drops[d]);
		res->stack.arp_answered += ss.arp_requests_answered;
		res->stack.icmp_answered += ss.icmp_echo_answered;
		res->stack.nd_answered += ss.nd_advertisements_sent;
		res->stack.nd_solicited += ss.nd_solicitations_sent;
		res->stack.nd_learned += ss.nd_learned;
		res->stack.icmp6_answered += ss.icmp6_echo_answered;
		res->stack.dad_conflicts += ss.dad_conflicts;
		res->stack.proxied_in += ss.proxied_in;
		res->stack.proxied_out += ss.proxied_out;
		res->stack.captured += ss.captured;
		res->stack.capture_missed += ss.capture_missed;
		res->stack.reassembled += ss.reassembled;
		res->held_staging += ss.staging.held;
		cap.captured += ss.captured;
		cap.capture_missed += ss.capture_missed;
	}
	dgrams_settle(r);
	for (i = 0; i < res->nb_consumers; i++)
		consumer_figures(r, &res->consumers[i], &cap);
	xchg_arena_census(arena, &census);
	res->census.total = census.total;
	res->census.free = census.free;
	res->census.owned = census.owned;
	res->census.in_rings = census.in_rings;
	res->census.conserved = census.conserved;
}

static uint64_t
captured(struct xchg_config_setup *su, const struct xchg_config *cfg)
{
	struct xchg_stack_stats ss;

	if (!cfg->capture.enabled ||
	    xchg_stack_stats_get(xchg_config_setup_stack(su, cfg->capture.port),
				 &ss) != 0)
		return 0;
	return ss.captured;
}

/* The stacks' time is the capture's, not the machine's: timeouts fire
 * the same way however fast the replay runs. */
static uint64_t
replay_clock(void *arg)
{
	struct replay *r = arg;
	uint64_t hz = rte_get_timer_hz(), now = 0, t;
	unsigned int p;

	if (r->su != NULL)
		inputs_advance(r);
	for (p = 0; p < r->nb_clock_ports; p++) {
		const struct timeval *tv = &r->inputs[p].cur;

		t = (uint64_t)tv->tv_sec * hz + (uint64_t)tv->tv_usec * hz /
			1000000;
		now = RTE_MAX(now, t);
	}
	return now;
}

int
run_replay(struct replay *r)
{
	struct xchg_config *cfg = r->cfg;
	char err[XCHG_CONFIG_ERR_SIZE], devargs[XCHG_CONFIG_DEVARGS_SIZE];
	uint16_t port_ids[XCHG_CONFIG_MAX_PORTS];
	struct xchg_config_setup *su;
	struct rte_mbuf *m[BURST];
	uint64_t total, last_total = UINT64_MAX, stall = 0;
	unsigned int i, n, k, tail = 0;
	int tap_id = -1, ret;
	bool done;

	if (replay_prepare(r) != 0)
		return -1;
	for (i = 0; i < cfg->nb_ports; i++)
		if (input_open(&r->inputs[i]) != 0)
			return -1;
	for (i = 0; i < cfg->nb_ports; i++)
		if (ts_track_open(&r->tx_ts[i]) != 0)
			return -1;
	if (ts_track_open(&r->tap_ts) != 0 ||
	    ts_track_open(&r->capture_ts) != 0)
		return -1;
	for (i = 0; i < cfg->nb_ports; i++) {
		if (replay_devargs(r, i, devargs, sizeof(devargs)) != 0 ||
		    xchg_config_set_vdev(cfg, cfg->ports[i].name,
					 devargs) != 0) {
			fprintf(stderr, PROG ": [port %s]: paths too long for net_pcap's arguments; use a shorter --out-dir\n",
				cfg->ports[i].name);
			return -1;
		}
	}
	if (cfg->proxy.enabled &&
	    (replay_tap_devargs(r, devargs, sizeof(devargs)) != 0 ||
	     xchg_config_set_tap(cfg, devargs) != 0))
		return -1;
	if (cfg->capture.enabled &&
	    xchg_config_set_capture_file(cfg, r->capture_raw) != 0)
		return -1;

	xchg_config_set_clock(cfg, replay_clock, r);
	xchg_config_set_shared(cfg, r->mode == MODE_SHARED);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	if (su == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	for (i = 0; i < cfg->nb_ports; i++)
		port_ids[i] = xchg_port_id(xchg_config_setup_port(su, i));
	memcpy(r->port_ids, port_ids, sizeof(port_ids));
	r->nb_clock_ports = cfg->nb_ports;
	r->su = su;
	consumers_map(r);
	if (xchg_config_setup_tap(su) != NULL)
		tap_id = xchg_port_id(xchg_config_setup_tap(su));
	ret = consumers_open(r);
	if (ret == 0)
		ret = xchg_config_setup_start(su, err, sizeof(err));
	if (ret != 0) {
		if (err[0] != '\0')
			fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}

	for (;;) {
		n = xchg_config_setup_poll(su);
		inputs_advance(r);
		for (i = 0; i < cfg->nb_sockets; i++) {
			struct xchg_socket *s = xchg_config_setup_socket(su, i);
			unsigned int p = cfg->sockets[i].port;

			while ((k = xchg_socket_recv_burst(s, m, BURST)) != 0)
				consumer_take(&r->consumers[i], m, k,
					      &r->inputs[p].cur);
		}
		done = replay_track(r, port_ids, tap_id, captured(su, cfg),
				    &total);
		if (r->tl.slice_us != 0)
			timeline_sample(r);
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
			break;
		}
	}
	if (ret == 0)
		collect(r, su);
out:
	r->su = NULL;
	dgram_free(&r->dgrams);
	consumers_release(r);
	consumers_close(r);
	if (xchg_config_setup_free(su) != 0) {
		fprintf(stderr, PROG ": the set-up could not be torn down: buffers are still out; who holds them:\n");
		xchg_census_print_holders(stderr);
		ret = -1;
	}
	if (replay_finish(r) != 0)
		ret = -1;
	return ret;
}
