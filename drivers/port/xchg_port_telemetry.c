/* SPDX-License-Identifier: BSD-3-Clause */

/* Telemetry /xchg/ports: the PMD's figures and the exchange's, per port. */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include <rte_telemetry.h>
#include <rte_version.h>

#include "xchg_port_private.h"
#include "xchg_tel_util.h"


static void
queue_pools_to_tel(struct rte_tel_data *d, const struct xchg_port *p)
{
	struct xchg_pool_stats s;
	char key[32];
	uint16_t q;

	/* An RX reservation covers ring buffers, which have no owner tag:
	 * its quota is the figure, not its in_use. */
	for (q = 0; q < p->nb_rxq; q++) {
		snprintf(key, sizeof(key), "rxq%u_quota", q);
		if (xchg_pool_stats_get(p->rxq[q].pool, &s) == 0)
			xchg_tel_u64(d, key, s.quota);
		snprintf(key, sizeof(key), "rxq%u_packets", q);
		xchg_tel_u64(d, key, __atomic_load_n(&p->rxq[q].frames,
						     __ATOMIC_RELAXED));
	}
	for (q = 0; q < p->nb_txq; q++) {
		snprintf(key, sizeof(key), "txq%u_in_use", q);
		if (xchg_pool_stats_get(p->txq[q].pool, &s) == 0)
			xchg_tel_u64(d, key, s.in_use);
		snprintf(key, sizeof(key), "txq%u_quota", q);
		xchg_tel_u64(d, key, s.quota);
	}
}

static int
port_to_tel(struct xchg_port *p, void *arg)
{
	struct rte_tel_data *d = arg, *pd;
	struct xchg_port_stats s;
	char name[16];
	unsigned int r;

	if (xchg_port_stats_get(p, &s) != 0)
		return 0;
	pd = xchg_tel_new_dict();
	if (pd == NULL)
		return -ENOMEM;
	xchg_tel_u64(pd, "ipackets", s.eth.ipackets);
	xchg_tel_u64(pd, "opackets", s.eth.opackets);
	xchg_tel_u64(pd, "imissed", s.eth.imissed);
	xchg_tel_u64(pd, "ierrors", s.eth.ierrors);
	xchg_tel_u64(pd, "rx_nombuf", s.eth.rx_nombuf);
	xchg_tel_u64(pd, "kernel_dropped", s.kernel_dropped);
	xchg_tel_u64(pd, "rx_frames", s.rx_frames);
	xchg_tel_u64(pd, "delivered", s.delivered);
	for (r = 0; r < XCHG_DROP_MAX; r++) {
		char key[32];

		snprintf(key, sizeof(key), "drop_%s",
			 xchg_drop_reason_name(r));
		xchg_tel_u64(pd, key, s.drops[r]);
	}
	xchg_tel_u64(pd, "tx_frames", s.tx_frames);
	xchg_tel_u64(pd, "tx_nobufs", s.tx_nobufs);
	xchg_tel_u64(pd, "tx_full", s.tx_full);
	queue_pools_to_tel(pd, p);
	snprintf(name, sizeof(name), "port%u", p->port_id);
	xchg_tel_add_container(d, name, pd);
	return 0;
}

static int
handle_ports(const char *cmd __rte_unused, const char *params __rte_unused,
	     struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	return xchg_port_foreach(port_to_tel, d);
}

static pthread_once_t tel_once = PTHREAD_ONCE_INIT;

static void
tel_register(void)
{
	if (rte_telemetry_register_cmd("/xchg/ports", handle_ports,
		"Ports bound to xchg: rx_nombuf, imissed, kernel_dropped, drops by reason, per-queue packets and reservations") != 0)
		PORT_LOG(WARNING, "telemetry command /xchg/ports not registered\n");
	xchg_port_xstats_telemetry_register();
}

void
xchg_port_telemetry_init(void)
{
	pthread_once(&tel_once, tel_register);
}
