/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Building a set-up from a configuration, tearing it down, probing
 * devices, and starting the EAL with one-line errors.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "xchg_config.h"

RTE_LOG_REGISTER(xchg_config_logtype, xchg.config, INFO);

struct su_port {
	uint16_t port_id;
	bool probed;           /* we created the device: remove it */
	bool have_id;
	bool bound;            /* its queues were set up on the arena */
	bool leaks;            /* its PMD never gives back what it holds */
	const char *driver;
	struct xchg_port *port;
	struct xchg_stack *stack;
};

struct xchg_config_setup {
	const struct xchg_config *cfg;
	struct xchg_arena *arena;
	unsigned int nb_ports;
	struct su_port ports[XCHG_CONFIG_MAX_PORTS];
	struct xchg_socket *sockets[XCHG_CONFIG_MAX_SOCKETS];
	struct su_port tap;
	bool started;
};

static void
msg(char *err, size_t errlen, const char *fmt, ...) __rte_format_printf(3, 4);

static void
msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Where a section is, for messages: "file:line: " or "file: ". */
static void
where(const struct xchg_config *cfg, unsigned int line, char *buf,
      size_t size)
{
	if (line != 0)
		snprintf(buf, size, "%s:%u: ", cfg->path, line);
	else
		snprintf(buf, size, "%s: ", cfg->path);
}

/* ---- log capture ------------------------------------------------------- */

struct log_capture {
	FILE *old;
	FILE *mem;
	char *buf;
	size_t len;
};

static void
log_capture_start(struct log_capture *lc)
{
	memset(lc, 0, sizeof(*lc));
	lc->old = rte_log_get_stream();
	lc->mem = open_memstream(&lc->buf, &lc->len);
	if (lc->mem != NULL)
		rte_openlog_stream(lc->mem);
}

static void
log_capture_stop(struct log_capture *lc)
{
	if (lc->mem == NULL)
		return;
	fflush(lc->mem);
	rte_openlog_stream(lc->old == stderr ? NULL : lc->old);
	fclose(lc->mem);
	lc->mem = NULL;
}

static void
log_capture_free(struct log_capture *lc)
{
	free(lc->buf);
	lc->buf = NULL;
}

/* The last line of @text worth quoting: not one of the EAL's generic
 * "failed to attach" lines. */
static void
last_reason(const char *text, char *out, size_t size)
{
	const char *p = text, *nl, *best = NULL;
	size_t best_len = 0;

	out[0] = '\0';
	if (text == NULL)
		return;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (len != 0 && memmem(p, len, "Failed to attach", 16) == NULL &&
		    memmem(p, len, "Driver cannot attach", 20) == NULL) {
			best = p;
			best_len = len;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (best != NULL)
		snprintf(out, size, "%.*s", (int)best_len, best);
}

/* ---- devices ----------------------------------------------------------- */

/* rte_dev_probe() passes its argument string through the multi-process
 * request, whose field holds 127 characters: DPDK 24.11 and later refuse
 * a longer one ("devargs truncated"), and so does rte_eal_hotplug_add(),
 * which parses the same way. A long virtual device is made with
 * rte_vdev_init() instead, which keeps its arguments as given and has no
 * such limit on any release. */
#define DEV_PROBE_ARGS_MAX 127

static int
device_probe(const char *name, const char *devargs)
{
	const char *args = devargs + strlen(name);

	/* A PCI address has ':' in it; a virtual device's name does not. */
	if (strlen(devargs) <= DEV_PROBE_ARGS_MAX || strchr(name, ':') != NULL)
		return rte_dev_probe(devargs);
	return rte_vdev_init(name, *args == ',' ? args + 1 : args);
}

int
xchg_config_device_probe(const char *devargs, uint16_t *port_id, bool *probed,
			 char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN], reason[200];
	struct log_capture lc;
	size_t n;
	int ret;

	if (devargs == NULL || port_id == NULL || probed == NULL)
		return -EINVAL;
	n = strcspn(devargs, ",");
	if (n == 0 || n >= sizeof(name)) {
		msg(err, errlen, "'%s' is not a device name", devargs);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)n, devargs);
	*probed = false;
	/* Given with --vdev or -a, or found on the PCI bus at start. */
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;

	log_capture_start(&lc);
	ret = device_probe(name, devargs);
	log_capture_stop(&lc);
	if (ret == 0 && rte_eth_dev_get_port_by_name(name, port_id) != 0)
		ret = -ENODEV;
	if (ret == 0) {
		*probed = true;
		log_capture_free(&lc);
		return 0;
	}
	if (lc.buf != NULL && strstr(lc.buf, "failed to parse device") != NULL)
		msg(err, errlen, "%s: no DPDK driver matches this name (device names start with their driver: net_null0, net_pcap0, net_ring0, net_tap0, or a PCI address)",
		    name);
	else if (ret == -ENODEV && lc.buf != NULL &&
		 strstr(lc.buf, "Driver cannot attach") == NULL)
		msg(err, errlen, "%s: no such device, or it is not an Ethernet port (a PCI device must be bound to a DPDK driver and not excluded with --no-pci)",
		    name);
	else {
		last_reason(lc.buf, reason, sizeof(reason));
		msg(err, errlen, "%s: the driver refused '%s'%s%s", name,
		    devargs, reason[0] ? ": " : "", reason);
	}
	log_capture_free(&lc);
	return ret < 0 ? ret : -ENODEV;
}

int
xchg_config_device_remove(uint16_t port_id)
{
	struct rte_eth_dev_info info;
	struct log_capture lc;
	struct rte_device *dev;
	int ret;

	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	dev = info.device;
	/* Stopping a stopped port logs a line: keep it off the terminal. */
	log_capture_start(&lc);
	rte_eth_dev_stop(port_id);
	log_capture_stop(&lc);
	log_capture_free(&lc);
	ret = rte_eth_dev_close(port_id);
	if (ret == 0 && dev != NULL)
		ret = rte_dev_remove(dev);
	return ret;
}

/* ---- set-up ------------------------------------------------------------ */

/* A consumer's quota: the configured one, or the whole arena when the
 * set-up stands for one shared pool (xchg_config_set_shared()). */
static uint32_t
quota(const struct xchg_config *cfg, uint32_t configured)
{
	return cfg->shared ? cfg->arena.buffers : configured;
}

/* Some PMDs (net_tap) keep their RX ring's buffers until the port is
 * closed. A device the set-up probed is gone by now; one the EAL had is
 * closed only when its PMD still holds the arena's buffers: its queues
 * point into an arena about to be freed, so it could not be used again
 * anyway. */
static void
close_holders(struct xchg_config_setup *su)
{
	unsigned int i;

	for (i = 0; i <= su->nb_ports; i++) {
		struct su_port *p = i < su->nb_ports ? &su->ports[i] : &su->tap;

		if (p->port_id < RTE_MAX_ETHPORTS &&
		    rte_eth_dev_is_valid_port(p->port_id) && !p->probed &&
		    p->bound) {
			rte_log(RTE_LOG_INFO, xchg_config_logtype,
				"xchg.config: closing port %u: its PMD keeps buffers of the arena\n",
				p->port_id);
			rte_eth_dev_close(p->port_id);
			p->bound = false;
		}
	}
}

/* Does a stopped port's PMD still hold buffers of the arena: out with
 * no owner (its rings) or paid by a TX queue (frames it parked)? */
static bool
pmds_hold(struct xchg_config_setup *su)
{
	struct xchg_pool_stats s;
	struct xchg_census c;
	unsigned int i;
	uint16_t q;

	xchg_arena_census(su->arena, &c);
	if (c.in_rings != 0)
		return true;
	for (i = 0; i <= su->nb_ports; i++) {
		struct su_port *p = i < su->nb_ports ? &su->ports[i] : &su->tap;

		for (q = 0; p->port != NULL &&
		     xchg_port_tx_pool(p->port, q) != NULL; q++)
			if (xchg_pool_stats_get(xchg_port_tx_pool(p->port, q),
						&s) == 0 && s.in_use != 0)
				return true;
	}
	return false;
}

/* Every device is closed and every reservation freed, yet buffers are
 * out: when a PMD known to keep them even after close was used, they
 * are its, for good (xchg_arena_free_abandoned()). */
/* PMDs that do not free their ring's buffers even when closed (DPDK
 * 22.11): net_af_xdp its fill ring, net_memif in zero copy its ring. */
static bool
leaky_pmd(const char *driver)
{
	return strcmp(driver, "net_af_xdp") == 0 ||
	       strcmp(driver, "net_memif") == 0;
}

static int
free_arena(struct xchg_config_setup *su)
{
	const char *driver = NULL;
	struct xchg_census c;
	uint32_t lost = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < su->nb_ports; i++)
		if (su->ports[i].leaks)
			driver = su->ports[i].driver;
	if (driver == NULL)
		return xchg_arena_free(su->arena);
	xchg_arena_census(su->arena, &c);
	if (c.nb_pools != 0 || c.in_rings == 0)
		return xchg_arena_free(su->arena);
	ret = xchg_arena_free_abandoned(su->arena, &lost);
	if (ret == 0)
		rte_log(RTE_LOG_INFO, xchg_config_logtype,
			"xchg.config: %s kept %u buffers after its device was closed (it does not free its ring's buffers when closed): the arena's memory is freed with them\n",
			driver, lost);
	return ret;
}

static int
teardown(struct xchg_config_setup *su)
{
	unsigned int i;
	int ret;

	for (i = 0; i < su->nb_ports; i++)
		if (su->ports[i].port != NULL)
			xchg_port_stop(su->ports[i].port);
	for (i = 0; i < su->nb_ports; i++) {
		unsigned int k;

		if (su->ports[i].stack == NULL)
			continue;
		ret = xchg_stack_free(su->ports[i].stack);
		if (ret != 0)
			return ret;
		su->ports[i].stack = NULL;
		/* Its sockets went with it: no stale handle stays. */
		for (k = 0; k < su->cfg->nb_sockets; k++)
			if (su->cfg->sockets[k].port == i)
				su->sockets[k] = NULL;
	}
	if (su->tap.port != NULL)
		xchg_port_stop(su->tap.port);
	/* Some PMDs keep buffers until their device is closed (net_af_xdp
	 * its fill ring and parked TX frames, net_memif zero copy its ring,
	 * net_tap its RX ring): devices go before the queue reservations
	 * that pay for what they hold. */
	for (i = 0; i <= su->nb_ports; i++) {
		struct su_port *p = i < su->nb_ports ? &su->ports[i] : &su->tap;

		if (p->have_id && p->probed) {
			xchg_config_device_remove(p->port_id);
			p->bound = false;
		}
		p->have_id = false;
	}
	if (su->arena != NULL && pmds_hold(su))
		close_holders(su);
	for (i = 0; i <= su->nb_ports; i++) {
		struct su_port *p = i < su->nb_ports ? &su->ports[i] : &su->tap;

		if (p->port != NULL) {
			ret = xchg_port_free(p->port);
			if (ret != 0)
				return ret;
			p->port = NULL;
		}
	}
	if (su->arena != NULL) {
		ret = free_arena(su);
		if (ret != 0)
			return ret;
		su->arena = NULL;
	}
	return 0;
}

static int
make_arena(struct xchg_config_setup *su, char *err, size_t errlen)
{
	const struct xchg_config *cfg = su->cfg;
	struct xchg_arena_conf ac = {
		.name = cfg->arena.name,
		.socket_id = SOCKET_ID_ANY,
		.nb_buffers = cfg->arena.buffers,
		.data_room = cfg->arena.data_room,
		.lcore_cache = cfg->arena.lcore_cache,
		.overcommit = cfg->shared,
		.strict = cfg->arena.strict,
		.layout = cfg->arena.layout,
	};
	char at[300];
	unsigned int i;

	/* A zero-copy AF_XDP driver refuses UMEM chunks that cross pages:
	 * auto takes the page layout when a port is net_af_xdp. */
	for (i = 0; i < cfg->nb_ports && ac.layout == XCHG_ARENA_LAYOUT_AUTO;
	     i++)
		if (strncmp(cfg->ports[i].vdev, "net_af_xdp", 10) == 0)
			ac.layout = XCHG_ARENA_LAYOUT_PAGE;

	su->arena = xchg_arena_create(&ac);
	if (su->arena != NULL)
		return 0;
	where(cfg, cfg->arena.line, at, sizeof(at));
	if (rte_errno == ENOMEM)
		msg(err, errlen, "%s[arena]: not enough memory for %u buffers of %u bytes; give the EAL more memory (-m) or lower buffers",
		    at, cfg->arena.buffers, cfg->arena.data_room);
	else if (rte_errno == EEXIST)
		msg(err, errlen, "%s[arena] name: an arena named %s exists already in this process",
		    at, cfg->arena.name);
	else
		msg(err, errlen, "%s[arena]: the arena cannot be created: %s",
		    at, rte_strerror(rte_errno));
	return -rte_errno;
}

static int
make_port(struct xchg_config_setup *su, unsigned int i, char *err,
	  size_t errlen)
{
	const struct xchg_config *cfg = su->cfg;
	const struct xchg_config_port *pc = &cfg->ports[i];
	struct su_port *p = &su->ports[i];
	const char *dev = pc->vdev[0] != '\0' ? pc->vdev : pc->pci;
	struct xchg_port_conf conf = {
		.nb_rx_queues = pc->rx_queues, .nb_tx_queues = pc->tx_queues,
		.nb_rx_desc = pc->rx_desc, .nb_tx_desc = pc->tx_desc,
		.rx_slack = pc->rx_slack, .tx_slack = pc->tx_slack,
	};
	struct xchg_stack_conf sc = {
		.arp_quota = quota(cfg, cfg->arp_quota),
		.icmp_quota = quota(cfg, cfg->icmp_quota),
		.nd_quota = quota(cfg, cfg->nd_quota),
		.icmp6_quota = quota(cfg, cfg->icmp6_quota),
		.frag_staging = quota(cfg, xchg_config_frag_staging(cfg)),
		.clock = cfg->clock, .clock_arg = cfg->clock_arg,
	};
	char at[300], why[300];
	unsigned int k;
	int ret;

	where(cfg, pc->line, at, sizeof(at));
	ret = xchg_config_device_probe(dev, &p->port_id, &p->probed, why,
				       sizeof(why));
	if (ret != 0) {
		msg(err, errlen, "%s[port %s] %s: %s", at, pc->name,
		    pc->vdev[0] != '\0' ? "vdev" : "pci", why);
		return ret;
	}
	p->have_id = true;
	{
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(p->port_id, &info) == 0) {
			p->driver = info.driver_name;
			p->leaks = leaky_pmd(info.driver_name);
		}
	}
	p->port = xchg_port_create(su->arena, p->port_id, &conf);
	p->bound = p->port != NULL;
	if (p->port == NULL) {
		ret = -rte_errno;
		msg(err, errlen, "%s[port %s]: cannot bind ethdev port %u to the arena: %s%s",
		    at, pc->name, p->port_id, rte_strerror(-ret),
		    ret == -ENOSPC ? " (the PMD changed the descriptor counts; see the xchg.port log)" :
		    ret == -EEXIST ? " (another port of this configuration uses the same device)" : "");
		return ret;
	}
	p->stack = xchg_stack_create(su->arena, p->port, &sc);
	if (p->stack == NULL) {
		ret = -rte_errno;
		msg(err, errlen, "%s[port %s]: cannot create its stack: %s", at,
		    pc->name, rte_strerror(-ret));
		return ret;
	}
	if (pc->has_ip) {
		ret = xchg_stack_add_address(p->stack, pc->ip, pc->prefix_len);
		if (ret != 0) {
			msg(err, errlen, "%s[port %s] ip: refused by the stack: %s",
			    at, pc->name, rte_strerror(-ret));
			return ret;
		}
	}
	for (k = 0; k < pc->nb_ip6; k++) {
		ret = xchg_stack_add_address6(p->stack, pc->ip6[k],
					      pc->ip6_prefix_len[k]);
		if (ret != 0) {
			msg(err, errlen, "%s[port %s] ip6: address %u refused by the stack: %s",
			    at, pc->name, k + 1, rte_strerror(-ret));
			return ret;
		}
	}
	if (pc->has_gateway6) {
		ret = xchg_stack_add_route6(p->stack,
					    (const uint8_t[16]){ 0 }, 0,
					    pc->gateway6);
		if (ret != 0) {
			msg(err, errlen, "%s[port %s] gateway6: refused by the stack: %s",
			    at, pc->name, rte_strerror(-ret));
			return ret;
		}
	}
	if (pc->gateway != 0) {
		ret = xchg_stack_add_route(p->stack, 0, 0, pc->gateway);
		if (ret != 0) {
			msg(err, errlen, "%s[port %s] gateway: refused by the stack: %s",
			    at, pc->name, rte_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int
make_socket(struct xchg_config_setup *su, unsigned int i, char *err,
	    size_t errlen)
{
	const struct xchg_config *cfg = su->cfg;
	const struct xchg_config_socket *sc = &cfg->sockets[i];
	struct xchg_stack *stack = su->ports[sc->port].stack;
	struct xchg_socket *s;
	char at[300];
	int ret;

	where(cfg, sc->line, at, sizeof(at));
	if (sc->type == XCHG_CONFIG_SOCKET_UDP)
		s = xchg_udp_socket(stack, sc->name, quota(cfg, sc->quota),
				    sc->priority);
	else
		s = xchg_packet_socket(stack, sc->name, sc->ether_type,
				       quota(cfg, sc->quota), sc->priority);
	if (s == NULL) {
		ret = -rte_errno;
		msg(err, errlen, "%s[socket %s]: cannot open it: %s", at,
		    sc->name, rte_strerror(-ret));
		return ret;
	}
	su->sockets[i] = s;
	ret = xchg_socket_set_single_reader(s, sc->single_reader);
	if (ret != 0) {
		msg(err, errlen, "%s[socket %s] readers: cannot set it: %s",
		    at, sc->name, rte_strerror(-ret));
		return ret;
	}
	if (sc->type == XCHG_CONFIG_SOCKET_UDP) {
		ret = xchg_udp_bind(s, 0, sc->udp_port);
		if (ret != 0) {
			msg(err, errlen, "%s[socket %s] port: cannot bind UDP port %u: %s",
			    at, sc->name, sc->udp_port, rte_strerror(-ret));
			return ret;
		}
		ret = xchg_udp_set_family(s, sc->family);
		if (ret != 0) {
			msg(err, errlen, "%s[socket %s] family: cannot set it: %s",
			    at, sc->name, rte_strerror(-ret));
			return ret;
		}
		ret = sc->pending_set ? xchg_udp_set_pending(s, sc->pending) :
					0;
		if (ret != 0) {
			msg(err, errlen, "%s[socket %s] pending: cannot set it to %u: %s",
			    at, sc->name, sc->pending, rte_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int
make_proxy(struct xchg_config_setup *su, char *err, size_t errlen)
{
	const struct xchg_config *cfg = su->cfg;
	const struct xchg_config_proxy *pc = &cfg->proxy;
	struct xchg_port_conf conf = {
		.nb_rx_desc = pc->rx_desc, .nb_tx_desc = pc->tx_desc,
	};
	char at[300], why[300];
	int ret;

	where(cfg, pc->line, at, sizeof(at));
	ret = xchg_config_device_probe(pc->tap, &su->tap.port_id,
				       &su->tap.probed, why, sizeof(why));
	if (ret != 0) {
		msg(err, errlen, "%s[proxy] tap: %s", at, why);
		return ret;
	}
	su->tap.have_id = true;
	su->tap.port = xchg_port_create(su->arena, su->tap.port_id, &conf);
	su->tap.bound = su->tap.port != NULL;
	if (su->tap.port == NULL) {
		ret = -rte_errno;
		msg(err, errlen, "%s[proxy] tap: cannot bind ethdev port %u to the arena: %s",
		    at, su->tap.port_id, rte_strerror(-ret));
		return ret;
	}
	ret = xchg_stack_set_proxy(su->ports[pc->port].stack, su->tap.port,
				   quota(cfg, pc->quota));
	if (ret != 0)
		msg(err, errlen, "%s[proxy]: the stack refused the proxy: %s",
		    at, rte_strerror(-ret));
	return ret;
}

static int
make_capture(struct xchg_config_setup *su, char *err, size_t errlen)
{
	const struct xchg_config *cfg = su->cfg;
	const struct xchg_config_capture *cc = &cfg->capture;
	const char *owners[XCHG_CONFIG_MAX_OWNERS];
	unsigned int i;
	char at[300];
	int ret;

	where(cfg, cc->line, at, sizeof(at));
	for (i = 0; i < cc->nb_owners; i++)
		owners[i] = cc->owners[i];
	ret = xchg_stack_set_capture(su->ports[cc->port].stack, cc->file,
				     quota(cfg, cc->quota),
				     cc->nb_owners ? owners : NULL,
				     cc->nb_owners);
	if (ret == -EIO)
		msg(err, errlen, "%s[capture] file: cannot write %s", at,
		    cc->file);
	else if (ret != 0)
		msg(err, errlen, "%s[capture]: the stack refused the capture: %s",
		    at, rte_strerror(-ret));
	return ret;
}

struct xchg_config_setup *
xchg_config_setup_create(const struct xchg_config *cfg, char *err,
			 size_t errlen)
{
	struct xchg_config_setup *su;
	unsigned int i;
	int ret;

	if (err != NULL && errlen != 0)
		err[0] = '\0';
	if (cfg == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	su = calloc(1, sizeof(*su));
	if (su == NULL) {
		msg(err, errlen, "out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	su->cfg = cfg;
	ret = make_arena(su, err, errlen);
	for (i = 0; ret == 0 && i < cfg->nb_ports; i++) {
		su->nb_ports = i + 1;
		ret = make_port(su, i, err, errlen);
	}
	for (i = 0; ret == 0 && i < cfg->nb_sockets; i++)
		ret = make_socket(su, i, err, errlen);
	if (ret == 0 && cfg->proxy.enabled)
		ret = make_proxy(su, err, errlen);
	if (ret == 0 && cfg->capture.enabled)
		ret = make_capture(su, err, errlen);
	if (ret != 0) {
		teardown(su);
		free(su);
		rte_errno = -ret;
		return NULL;
	}
	return su;
}

int
xchg_config_setup_start(struct xchg_config_setup *su, char *err,
			size_t errlen)
{
	unsigned int i;
	char at[300];
	int ret;

	if (su == NULL)
		return -EINVAL;
	for (i = 0; i < su->nb_ports; i++) {
		struct log_capture lc;
		char why[300];

		/* The port layer explains a refusal in one log line: it
		 * becomes this message. */
		log_capture_start(&lc);
		ret = xchg_port_start(su->ports[i].port);
		log_capture_stop(&lc);
		why[0] = '\0';
		if (ret == -ENOSPC && lc.buf != NULL &&
		    strstr(lc.buf, "xchg.port: ") != NULL) {
			const char *l = strstr(lc.buf, "xchg.port: ") + 11;

			snprintf(why, sizeof(why), "%.*s",
				 (int)strcspn(l, "\n"), l);
		}
		if (ret == 0 && lc.buf != NULL)
			fputs(lc.buf, rte_log_get_stream() != NULL ?
			      rte_log_get_stream() : stderr);
		log_capture_free(&lc);
		if (ret != 0) {
			const char *w = why;

			where(su->cfg, su->cfg->ports[i].line, at, sizeof(at));
			if (w[0] != '\0')
				msg(err, errlen, "%s[port %s]: %s", at,
				    su->cfg->ports[i].name, w);
			else
				msg(err, errlen, "%s[port %s]: ethdev port %u does not start: %s",
				    at, su->cfg->ports[i].name,
				    su->ports[i].port_id, rte_strerror(-ret));
			return ret;
		}
	}
	su->started = true;
	return 0;
}

unsigned int
xchg_config_setup_poll(struct xchg_config_setup *su)
{
	unsigned int i, n = 0;

	if (su == NULL)
		return 0;
	for (i = 0; i < su->nb_ports; i++)
		n += xchg_stack_poll(su->ports[i].stack);
	return n;
}

int
xchg_config_setup_free(struct xchg_config_setup *su)
{
	int ret;

	if (su == NULL)
		return -EINVAL;
	ret = teardown(su);
	if (ret != 0)
		return ret;
	free(su);
	return 0;
}

struct xchg_arena *
xchg_config_setup_arena(const struct xchg_config_setup *su)
{
	return su != NULL ? su->arena : NULL;
}

struct xchg_port *
xchg_config_setup_port(const struct xchg_config_setup *su, unsigned int idx)
{
	return su != NULL && idx < su->nb_ports ? su->ports[idx].port : NULL;
}

struct xchg_stack *
xchg_config_setup_stack(const struct xchg_config_setup *su, unsigned int idx)
{
	return su != NULL && idx < su->nb_ports ? su->ports[idx].stack : NULL;
}

struct xchg_socket *
xchg_config_setup_socket(const struct xchg_config_setup *su, unsigned int idx)
{
	return su != NULL && idx < su->cfg->nb_sockets ? su->sockets[idx] :
							  NULL;
}

struct xchg_port *
xchg_config_setup_tap(const struct xchg_config_setup *su)
{
	return su != NULL ? su->tap.port : NULL;
}

/* ---- EAL --------------------------------------------------------------- */

/* One line saying why the EAL did not start, from what it printed. */
static void
eal_reason(const char *out, char *err, size_t errlen)
{
	const char *p, *q, *line = NULL;
	size_t len = 0;

	p = out != NULL ? strstr(out, "failed to parse device \"") : NULL;
	if (p != NULL) {
		p += strlen("failed to parse device \"");
		q = strchr(p, '"');
		msg(err, errlen, "--vdev %.*s: no DPDK driver matches this name (device names start with their driver: net_null0, net_pcap0, net_ring0, net_tap0)",
		    q != NULL ? (int)(q - p) : 40, p);
		return;
	}
	for (p = out; p != NULL && *p != '\0';) {
		q = strchr(p, '\n');
		size_t l = q != NULL ? (size_t)(q - p) : strlen(p);

		/* getopt's own words: "prog: unrecognized option '--x'" */
		if ((memmem(p, l, "unrecognized option", 19) != NULL ||
		     memmem(p, l, "invalid option", 14) != NULL ||
		     memmem(p, l, "requires an argument", 20) != NULL) &&
		    memmem(p, l, ": ", 2) != NULL) {
			const char *c = memmem(p, l, ": ", 2);

			msg(err, errlen, "EAL options: %.*s (EAL options go before --)",
			    (int)(l - (size_t)(c - p) - 2), c + 2);
			return;
		}
		/* DPDK 25.11's argparse: "ARGPARSE: unknown argument --x!" */
		if (l > 10 && strncmp(p, "ARGPARSE: ", 10) == 0) {
			const char *a = p + 10;
			size_t al = l - 10;

			if (al > 0 && a[al - 1] == '!')
				al--;
			if (al > 17 && strncmp(a, "unknown argument ", 17) == 0)
				msg(err, errlen, "EAL options: unrecognized option '%.*s' (EAL options go before --)",
				    (int)(al - 17), a + 17);
			else
				msg(err, errlen, "EAL options: %.*s (EAL options go before --)",
				    (int)al, a);
			return;
		}
		if (strncmp(p, "EAL: ", 5) == 0 &&
		    strncmp(p, "EAL: Detected", 13) != 0 &&
		    strncmp(p, "EAL: Error - exiting", 20) != 0 &&
		    strncmp(p, "EAL: Selected IOVA", 18) != 0) {
			line = p + 5;
			len = l - 5;
		}
		p = q != NULL ? q + 1 : NULL;
	}
	if (line != NULL)
		msg(err, errlen, "EAL: %.*s", (int)len, line);
	else
		msg(err, errlen, "the EAL did not start: %s (run with --log-level=lib.eal:debug for more)",
		    rte_strerror(rte_errno));
}

/*
 * What the EAL printed while it starts is held back in a temporary file.
 * From DPDK 25.11 its option parser (librte_argparse) exits the process
 * on a bad option instead of returning, which would lose that output:
 * an exit handler, armed only while rte_eal_init() runs (one thread, the
 * caller's), restores the program's output, says why in one line and
 * ends with status 2, as a refused option does on every other release.
 */
static struct {
	FILE *tmp;
	int saved_out;
	int saved_err;
	int armed;
} eal_hold = { NULL, -1, -1, 0 };

/* Read what the EAL printed into a new string (NULL if nothing). */
static char *
eal_held_output(FILE *tmp)
{
	long size = lseek(fileno(tmp), 0, SEEK_END);
	char *out = size > 0 ? calloc(1, (size_t)size + 1) : NULL;

	if (out != NULL && pread(fileno(tmp), out, (size_t)size, 0) < 0)
		out[0] = '\0';
	return out;
}

static void
eal_exit_during_init(void)
{
	char why[512];
	char *out;

	if (!eal_hold.armed)
		return;
	eal_hold.armed = 0;
	fflush(stdout);
	fflush(stderr);
	dup2(eal_hold.saved_out, STDOUT_FILENO);
	dup2(eal_hold.saved_err, STDERR_FILENO);
	out = eal_held_output(eal_hold.tmp);
	eal_reason(out, why, sizeof(why));
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, why);
	fflush(stderr);
	free(out);
	_exit(2);
}

int
xchg_config_eal_init(int argc, char **argv, const char * const *defaults,
		     unsigned int nb_defaults, char *err, size_t errlen)
{
	static int exit_hook;
	char **eal_argv;
	char *out = NULL;
	int i, dashdash = -1, eal_argc, first, ret;
	int saved_out = -1, saved_err = -1, saved_opterr;
	FILE *tmp;

	if (err != NULL && errlen != 0)
		err[0] = '\0';
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	eal_argv = calloc((size_t)argc + nb_defaults + 1, sizeof(*eal_argv));
	if (eal_argv == NULL) {
		msg(err, errlen, "out of memory");
		return -1;
	}
	eal_argv[0] = argv[0];
	if (dashdash >= 0) {
		for (i = 1; i < dashdash; i++)
			eal_argv[i] = argv[i];
		eal_argc = dashdash;
		first = dashdash + 1;
	} else {
		for (i = 0; i < (int)nb_defaults; i++)
			eal_argv[i + 1] = (char *)(uintptr_t)defaults[i];
		eal_argc = (int)nb_defaults + 1;
		first = 1;
	}

	/* Hold back what the EAL prints while it starts: its logs, and its
	 * usage text on a bad option. */
	fflush(stdout);
	fflush(stderr);
	tmp = tmpfile();
	if (tmp != NULL) {
		saved_out = dup(STDOUT_FILENO);
		saved_err = dup(STDERR_FILENO);
		dup2(fileno(tmp), STDOUT_FILENO);
		dup2(fileno(tmp), STDERR_FILENO);
		if (!exit_hook && atexit(eal_exit_during_init) == 0)
			exit_hook = 1;
		eal_hold.tmp = tmp;
		eal_hold.saved_out = saved_out;
		eal_hold.saved_err = saved_err;
		eal_hold.armed = exit_hook;
	}
	/* A program that parsed its own options first may have silenced
	 * getopt: the EAL's option errors are the ones to explain. */
	saved_opterr = opterr;
	opterr = 1;
	optind = 1;
	ret = rte_eal_init(eal_argc, eal_argv);
	eal_hold.armed = 0;
	opterr = saved_opterr;
	fflush(stdout);
	fflush(stderr);
	if (tmp != NULL) {
		dup2(saved_out, STDOUT_FILENO);
		dup2(saved_err, STDERR_FILENO);
		close(saved_out);
		close(saved_err);
		out = eal_held_output(tmp);
		fclose(tmp);
	}
	free(eal_argv);
	if (ret < 0) {
		eal_reason(out, err, errlen);
		free(out);
		return -1;
	}
	if (out != NULL)
		fputs(out, stderr);
	free(out);
	return first;
}
