/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fuzz target: the pcap replay path on arbitrary capture files.
 *
 * The input is written as a file and read the way xchg-replay reads its
 * input first (libpcap: the frames and whether the file is damaged); a
 * file libpcap refuses, that is not Ethernet, or that is damaged is
 * refused there (tests/fuzz/replay_refusals.py checks that
 * xchg-replay says so in one line). A file it accepts is replayed as
 * xchg-replay does: the configuration's port becomes a net_pcap device
 * reading the file (rx_pcap), the set-up is built through lib/config,
 * started and polled until the file is used up. Then: net_pcap took
 * every frame libpcap read (received, or counted as ierrors or
 * rx_nombuf), the stack classified every frame the port received, each
 * one delivered or dropped with a reason, the census holds; the sockets
 * are drained, the set-up torn down, and nothing remains (no arena,
 * ethdev, memzone or rte_malloc block more than before).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "fuzz_common.h"
#include "xchg.h"
#include "xchg_config.h"

static char dir[64];
static uint64_t dev_leak; /* DPDK's own, per device: fz_device_leak() */
static char cfg_path[128], pcap_path[128], cap_path[128];
static struct xchg_config *cfg;

static const char cfg_text[] =
	"[arena]\n"
	"buffers = 1024\n"
	"lcore_cache = none\n"
	"[port p0]\n"
	"vdev = net_null0\n"
	"ip = 192.168.1.1/16\n"
	"gateway = 192.168.0.1\n"
	"rx_desc = 128\n"
	"tx_desc = 128\n"
	"[service arp]\n"
	"quota = 4\n"
	"[service icmp]\n"
	"quota = 4\n"
	"[socket dns]\n"
	"type = udp\n"
	"port = 53\n"
	"quota = 8\n"
	"priority = critical\n"
	"[socket ntp]\n"
	"type = udp\n"
	"port = 123\n"
	"quota = 4\n"
	"[socket lldp]\n"
	"type = packet\n"
	"ethertype = 0x88cc\n"
	"quota = 4\n"
	"[capture]\n"
	"file = /dev/null\n"
	"quota = 8\n";

static void
remove_dir(void)
{
	unlink(cfg_path);
	unlink(pcap_path);
	unlink(cap_path);
	rmdir(dir);
}

static void
write_file(const char *p, const void *data, size_t size)
{
	FILE *f = fopen(p, "wb");

	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fz_fail("cannot write %s", p);
}

static void replay(long frames);

/* One replay of a one-frame capture before the inputs: what DPDK makes
 * once, the first time, is not counted against them. */
static void
warm_up(void)
{
	static const uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   2, 0, 0, 0, 0, 1, 0x08, 0x06 };
	struct pcap_pkthdr h = { .caplen = sizeof(frame),
				 .len = sizeof(frame) };
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = dead != NULL ? pcap_dump_open(dead, pcap_path) :
					  NULL;

	if (d == NULL)
		fz_fail("cannot write %s", pcap_path);
	pcap_dump((u_char *)d, &h, frame);
	pcap_dump_close(d);
	pcap_close(dead);
	replay(1);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[XCHG_CONFIG_ERR_SIZE];

	(void)argc;
	fz_eal_init((*argv)[0], 0, NULL);
	snprintf(dir, sizeof(dir), "/tmp/xchg-fuzz-pcap.XXXXXX");
	if (mkdtemp(dir) == NULL)
		fz_fail("cannot make a folder in /tmp");
	snprintf(cfg_path, sizeof(cfg_path), "%s/replay.ini", dir);
	snprintf(pcap_path, sizeof(pcap_path), "%s/input.pcap", dir);
	snprintf(cap_path, sizeof(cap_path), "%s/capture.pcap", dir);
	atexit(remove_dir);
	write_file(cfg_path, cfg_text, sizeof(cfg_text) - 1);
	cfg = xchg_config_load(cfg_path, err, sizeof(err));
	if (cfg == NULL)
		fz_fail("%s", err);
	warm_up();
	{
		char dev[256];

		/* The same device, plain: what DPDK keeps of it. */
		snprintf(dev, sizeof(dev),
			 "net_pcap_fzleak,rx_pcap=%s,tx_pcap=/dev/null",
			 pcap_path);
		dev_leak = fz_device_leak(dev);
	}
	return 0;
}

/* Frames libpcap reads; -1 when the replay refuses the file. */
static long
count_frames(void)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	long n = 0;
	pcap_t *p = pcap_open_offline(pcap_path, errbuf);
	int ret;

	if (p == NULL)
		return -1;
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return -1;
	}
	while ((ret = pcap_next_ex(p, &h, &d)) == 1)
		n++;
	pcap_close(p);
	return ret == PCAP_ERROR ? -1 : n;
}

static void
drain(struct xchg_config_setup *su)
{
	struct rte_mbuf *m[32];
	struct xchg_socket *s;
	unsigned int i, n;

	for (i = 0; (s = xchg_config_setup_socket(su, i)) != NULL; i++)
		while ((n = xchg_socket_recv_burst(s, m, 32)) != 0)
			rte_pktmbuf_free_bulk(m, n);
}

static bool warm;

static void
replay(long frames)
{
	char err[XCHG_CONFIG_ERR_SIZE] = "", dev[256];
	struct fz_mem before, after;
	struct xchg_config_setup *su;
	struct xchg_port_stats ps;
	struct xchg_stack_stats st;
	uint64_t dropped = 0;
	unsigned int idle = 0, i;
	int ret;

	snprintf(dev, sizeof(dev), "net_pcap_fz,rx_pcap=%s,tx_pcap=/dev/null",
		 pcap_path);
	if (xchg_config_set_vdev(cfg, "p0", dev) != 0 ||
	    xchg_config_set_capture_file(cfg, cap_path) != 0)
		fz_fail("set_vdev");
	fz_mem_count(&before);
	su = xchg_config_setup_create(cfg, err, sizeof(err));
	if (su == NULL)
		fz_fail("a capture libpcap reads was refused by the set-up: %s",
			err);
	ret = xchg_config_setup_start(su, err, sizeof(err));
	if (ret != 0)
		fz_fail("start: %s", err);
	/* net_pcap reads a burst a poll; four empty polls: the end. */
	while (idle < 4) {
		if (xchg_config_setup_poll(su) == 0)
			idle++;
		else
			idle = 0;
		drain(su);
	}
	if (xchg_port_stats_get(xchg_config_setup_port(su, 0), &ps) != 0 ||
	    xchg_stack_stats_get(xchg_config_setup_stack(su, 0), &st) != 0)
		fz_fail("figures");
	if (ps.rx_frames + ps.eth.ierrors + ps.eth.rx_nombuf != (uint64_t)frames)
		fz_fail("libpcap read %ld frames; the port received %lu, ierrors %lu, rx_nombuf %lu",
			frames, (unsigned long)ps.rx_frames,
			(unsigned long)ps.eth.ierrors,
			(unsigned long)ps.eth.rx_nombuf);
	for (i = 0; i < XCHG_DROP_MAX; i++)
		dropped += ps.drops[i];
	if (ps.delivered + ps.kept + dropped != ps.rx_frames)
		fz_fail("port: %lu received, %lu delivered + %lu kept + %lu dropped",
			(unsigned long)ps.rx_frames,
			(unsigned long)ps.delivered, (unsigned long)ps.kept,
			(unsigned long)dropped);
	if (st.frames != ps.rx_frames)
		fz_fail("the stack classified %lu of %lu frames",
			(unsigned long)st.frames, (unsigned long)ps.rx_frames);
	fz_check_arena(xchg_config_setup_arena(su), false, "replayed");
	ret = xchg_config_setup_free(su);
	if (ret != 0)
		fz_fail("set-up teardown: %s", strerror(-ret));
	fz_mem_count(&after);
	if (!warm) {
		warm = true; /* the first set-up made DPDK's one-time tables */
		return;
	}
	if (after.zones != before.zones || after.arenas != before.arenas ||
	    after.ports != before.ports ||
	    after.allocs != before.allocs + dev_leak)
		fz_fail("the replay left something behind: memzones %u -> %u, arenas %u -> %u, ethdevs %u -> %u, rte_malloc blocks %lu -> %lu (DPDK keeps %lu per device)",
			before.zones, after.zones, before.arenas, after.arenas,
			before.ports, after.ports,
			(unsigned long)before.allocs,
			(unsigned long)after.allocs, (unsigned long)dev_leak);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long frames;

	if (size > 262144)
		return -1;
	write_file(pcap_path, data, size);
	frames = count_frames();
	if (frames >= 0)
		replay(frames);
	return 0;
}
