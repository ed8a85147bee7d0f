/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fuzz target: the configuration parser and the set-up builder on
 * arbitrary file contents.
 *
 * The input is written to a file and loaded with xchg_config_load(). A
 * refusal must come with a message of one line that names the file. A
 * file that loads goes through the sizing check; one that passes it and
 * is small enough for this process (at most 8192 buffers and 64 MiB,
 * 4 ports, 1024 descriptors a queue) is built: every port's device is replaced by a
 * net_null port, the proxy's TAP by another, the capture goes to a
 * private folder. The set-up is started, polled, checked (census held,
 * quotas respected) and torn down, and then nothing may remain: no
 * arena, no ethdev, no rte_malloc block or memzone more than before.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "fuzz_common.h"
#include "xchg.h"
#include "xchg_config.h"

#define MAX_BUFFERS 8192
#define MAX_PORTS 4
#define MAX_DESC 1024

static char dir[64];
static uint64_t dev_leak; /* DPDK's own, per device: fz_device_leak() */
static char path[128];
static char capture[128];

static void
remove_dir(void)
{
	unlink(path);
	unlink(capture);
	rmdir(dir);
}

static void build(struct xchg_config *cfg);

/* What DPDK makes once, the first time (the mbuf dynamic field table,
 * the ops of a first mempool...), is made here, before the inputs are
 * counted against it. */
static void
warm_up(void)
{
	static const char text[] =
		"[arena]\nbuffers = 1024\n[port p0]\nvdev = net_null0\n"
		"ip = 10.0.0.1/24\ngateway = 10.0.0.254\nrx_desc = 128\n"
		"tx_desc = 128\n[socket s]\ntype = udp\nport = 9\n"
		"[proxy]\ntap = net_tap0\nquota = 4\n"
		"rx_desc = 64\ntx_desc = 64\n[capture]\nfile = x.pcap\n";
	char err[XCHG_CONFIG_ERR_SIZE];
	struct xchg_config *cfg;
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(text, 1, sizeof(text) - 1, f) !=
	    sizeof(text) - 1 || fclose(f) != 0)
		fz_fail("cannot write %s", path);
	cfg = xchg_config_load(path, err, sizeof(err));
	if (cfg == NULL)
		fz_fail("warm-up: %s", err);
	build(cfg);
	xchg_config_free(cfg);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fz_eal_init((*argv)[0], 0, NULL);
	snprintf(dir, sizeof(dir), "/tmp/xchg-fuzz-config.XXXXXX");
	if (mkdtemp(dir) == NULL)
		fz_fail("cannot make a folder in /tmp");
	snprintf(path, sizeof(path), "%s/fuzz.ini", dir);
	snprintf(capture, sizeof(capture), "%s/capture.pcap", dir);
	atexit(remove_dir);
	warm_up();
	dev_leak = fz_device_leak("net_null_fzleak");
	return 0;
}

/* A message is one line and names the file. */
static void
check_message(const char *what, const char *err)
{
	if (err[0] == '\0')
		fz_fail("%s refused without a message", what);
	if (strchr(err, '\n') != NULL)
		fz_fail("%s: message of more than one line: %s", what, err);
	if (strstr(err, path) == NULL && strstr(err, "fuzz.ini") == NULL)
		fz_fail("%s: message does not name the file: %s", what, err);
}

static bool
buildable(const struct xchg_config *cfg)
{
	unsigned int i;

	if (cfg->arena.buffers > MAX_BUFFERS || cfg->nb_ports > MAX_PORTS ||
	    (uint64_t)cfg->arena.buffers * cfg->arena.data_room > 64u << 20)
		return false;
	for (i = 0; i < cfg->nb_ports; i++)
		if (cfg->ports[i].rx_desc > MAX_DESC ||
		    cfg->ports[i].tx_desc > MAX_DESC ||
		    cfg->ports[i].rx_queues > 4 || cfg->ports[i].tx_queues > 4)
			return false;
	return !cfg->proxy.enabled ||
	       (cfg->proxy.rx_desc <= MAX_DESC &&
		cfg->proxy.tx_desc <= MAX_DESC);
}

static bool warm;

static void
build(struct xchg_config *cfg)
{
	char err[XCHG_CONFIG_ERR_SIZE] = "", dev[64];
	struct xchg_config_setup *su;
	struct fz_mem before, after;
	unsigned int i, nb_dev = cfg->nb_ports + (cfg->proxy.enabled ? 1 : 0);
	bool built = false;
	int ret;

	for (i = 0; i < cfg->nb_ports; i++) {
		snprintf(dev, sizeof(dev), "net_null_fz%u", i);
		if (xchg_config_set_vdev(cfg, cfg->ports[i].name, dev) != 0)
			fz_fail("set_vdev %s", cfg->ports[i].name);
	}
	if (cfg->proxy.enabled &&
	    xchg_config_set_tap(cfg, "net_null_fztap") != 0)
		fz_fail("set_tap");
	if (cfg->capture.enabled &&
	    xchg_config_set_capture_file(cfg, capture) != 0)
		fz_fail("set_capture_file");

	fz_mem_count(&before);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	if (su == NULL) {
		/* Refused after the checks passed: say why, in one line. */
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			fz_fail("set-up refused without a one-line message: '%s'",
				err);
	} else {
		built = true;
		ret = xchg_config_setup_start(su, err, sizeof(err));
		if (ret == 0)
			for (i = 0; i < 4; i++)
				xchg_config_setup_poll(su);
		fz_check_arena(xchg_config_setup_arena(su), false,
			       "set-up running");
		ret = xchg_config_setup_free(su);
		if (ret != 0)
			fz_fail("set-up teardown: %s", strerror(-ret));
	}
	fz_mem_count(&after);
	if (!warm) {
		warm = true; /* the first set-up made DPDK's one-time tables */
		return;
	}
	/* Refused half-way, fewer devices may have been probed. */
	if (after.zones != before.zones || after.arenas != before.arenas ||
	    after.ports != before.ports ||
	    after.allocs > before.allocs + dev_leak * nb_dev ||
	    (built && after.allocs != before.allocs + dev_leak * nb_dev))
		fz_fail("the set-up left something behind: memzones %u -> %u, arenas %u -> %u, ethdevs %u -> %u, rte_malloc blocks %lu -> %lu (DPDK keeps %lu per device, %u devices)",
			before.zones, after.zones, before.arenas, after.arenas,
			before.ports, after.ports,
			(unsigned long)before.allocs,
			(unsigned long)after.allocs, (unsigned long)dev_leak,
			nb_dev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[XCHG_CONFIG_ERR_SIZE] = "";
	struct xchg_config *cfg;
	FILE *f;

	if (size > 16384)
		return -1;
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fz_fail("cannot write %s", path);
	cfg = xchg_config_load(path, err, sizeof(err));
	if (cfg == NULL) {
		check_message("load", err);
		return 0;
	}
	if (xchg_config_check_sizing(cfg, 1, err, sizeof(err)) != 0)
		check_message("sizing", err);
	else if (buildable(cfg))
		build(cfg);
	xchg_config_free(cfg);
	return 0;
}
