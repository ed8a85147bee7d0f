/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * What a PMD keeps per RX queue beyond its descriptors, known from its
 * name and device arguments before it runs (config/README.rst, "What
 * each PMD holds"; measured with DPDK 22.11). The port charges the
 * larger of this and what it measures at set-up and start
 * (xchg_port_start()); the configuration's sizing check counts it.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "xchg_port.h"

/* net_af_xdp fills a fill ring of XSK_RING_PROD__DEFAULT_NUM_DESCS per
 * RX queue at set-up, whatever nb_rx_desc says. */
#define AF_XDP_FILL_RING 2048u
/* net_memif's default ring: 2^10 descriptors (rsize=10). */
#define MEMIF_LOG2_RING 10u
#define MEMIF_LOG2_RING_MAX 14u

/* The value of devargs key @key ("key=value"), or NULL. */
static const char *
devarg(const char *devargs, const char *key, size_t *len)
{
	const char *p = strchr(devargs, ',');
	size_t klen = strlen(key);

	while (p != NULL) {
		p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			*len = strcspn(p, ",");
			return p;
		}
		p = strchr(p, ',');
	}
	return NULL;
}

static bool
is_driver(const char *devargs, const char *driver)
{
	return strncmp(devargs, driver, strlen(driver)) == 0;
}

uint32_t
xchg_port_pmd_rx_hold(const char *devargs, uint16_t rx_desc)
{
	const char *v;
	size_t len;
	unsigned long log2;

	if (devargs == NULL)
		return rx_desc;
	if (is_driver(devargs, "net_af_xdp"))
		return RTE_MAX((uint32_t)rx_desc, AF_XDP_FILL_RING);
	if (is_driver(devargs, "net_memif")) {
		v = devarg(devargs, "zero-copy", &len);
		if (v == NULL || len != 3 || strncmp(v, "yes", 3) != 0)
			return rx_desc;
		v = devarg(devargs, "rsize", &len);
		log2 = v != NULL ? strtoul(v, NULL, 10) : MEMIF_LOG2_RING;
		if (log2 == 0 || log2 > MEMIF_LOG2_RING_MAX)
			log2 = MEMIF_LOG2_RING;
		return RTE_MAX((uint32_t)rx_desc, 1u << log2);
	}
	return rx_desc;
}
