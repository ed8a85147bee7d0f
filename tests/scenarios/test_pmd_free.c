/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Buffers freed by a PMD come back to the right owner.
 *
 * - net_pcap (tx_pcap= a file): the PMD writes each frame and frees it
 *   during rte_eth_tx_burst(); the sender gets every unit back at once,
 *   chains included, and the file holds the frames.
 * - net_ring: TX puts the very mbufs in a ring and RX hands the same
 *   ones back; the owner tag survives the trip and the credit comes only
 *   when the receiver frees them (or moves them to its own owner).
 * - net_null: RX fills frames from the arena, a consumer takes them by
 *   exchange and TX on net_null frees them: the consumer is credited.
 * - Clones, from the arena itself and from a separate plain pool: the
 *   owner is credited exactly once, when the last reference goes, also
 *   when that last reference is freed by a PMD.
 * Owners not involved are never touched. Every case ends with a census.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xchg_test.h"

#define NB_BUFFERS     1024
#define SENDER_QUOTA   128
#define RECEIVER_QUOTA 128
#define BYSTANDER_HOLD 10
#define FRAME_LEN      60
#define TAIL_LEN       100

static char tmp_dir[64];
static char pcap_path[128];

static struct xchg_arena *arena;
static struct rte_mempool *mp;
static struct xchg_pool *sender, *receiver, *bystander;
static struct rte_mbuf *held_by_bystander[BYSTANDER_HOLD];
static uint16_t pcap_port, ring_port, null_port;

/* Frames written to the pcap file, and their lengths, for the check of
 * the file at the end. */
static unsigned int pcap_expected;
static uint64_t pcap_expected_bytes;

static struct xchg_pool_stats
stats_of(struct xchg_pool *p)
{
	struct xchg_pool_stats s;

	memset(&s, 0, sizeof(s));
	XT_EQ(xchg_pool_stats_get(p, &s), 0);
	return s;
}

/* The bystander holds BYSTANDER_HOLD frames the whole time and never
 * sees a credit. */
static void
bystander_untouched(const char *when)
{
	struct xchg_pool_stats s = stats_of(bystander);

	xt_pool_expect(bystander, BYSTANDER_HOLD, when);
	XT_CHECK(s.returned == 0 && s.allocated == BYSTANDER_HOLD &&
		 s.accepted == 0, "%s: bystander returned %" PRIu64
		 " allocated %" PRIu64, when, s.returned, s.allocated);
}

static void
fill(struct rte_mbuf *m, uint16_t len, uint8_t byte)
{
	char *d = rte_pktmbuf_append(m, len);

	XT_CHECK(d != NULL, "append %u", len);
	if (d != NULL)
		memset(d, byte, len);
}

/* net_pcap frees every frame inside rte_eth_tx_burst(). */
static void
test_pcap_tx_credits_sender(void)
{
	struct rte_mbuf *m[64], *tails[8];
	struct xchg_pool_stats s0 = stats_of(sender), s1;
	struct xchg_pool_stats r0 = stats_of(receiver), r1;
	struct rte_eth_stats es;
	unsigned int i;
	uint16_t sent;

	XT_EQ(xchg_alloc_bulk(sender, m, 64), 0);
	XT_EQ(xchg_alloc_bulk(sender, tails, 8), 0);
	xt_pool_expect(sender, 72, "pcap: allocated");
	for (i = 0; i < 64; i++) {
		fill(m[i], FRAME_LEN, (uint8_t)i);
		XT_CHECK(xchg_mbuf_owner(m[i]) == sender, "owner of %u", i);
	}
	/* Eight two-segment frames: each segment is one unit. */
	for (i = 0; i < 8; i++) {
		fill(tails[i], TAIL_LEN, 0xee);
		XT_EQ(rte_pktmbuf_chain(m[i * 8], tails[i]), 0);
	}
	xt_census_ok(arena, "pcap: before TX");

	sent = rte_eth_tx_burst(pcap_port, 0, m, 64);
	XT_EQ(sent, 64);
	for (i = sent; i < 64; i++)
		rte_pktmbuf_free(m[i]);
	pcap_expected += 64;
	pcap_expected_bytes += 64 * FRAME_LEN + 8 * TAIL_LEN;

	s1 = stats_of(sender);
	r1 = stats_of(receiver);
	xt_pool_expect(sender, 0, "pcap: after TX");
	XT_EQ(s1.returned - s0.returned, 72);
	XT_EQ(s1.allocated - s0.allocated, 72);
	XT_EQ(r1.returned, r0.returned);
	xt_pool_expect(receiver, 0, "pcap: receiver");
	bystander_untouched("pcap");
	XT_EQ(rte_eth_stats_get(pcap_port, &es), 0);
	XT_EQ(es.opackets, pcap_expected);
	XT_EQ(rte_mempool_avail_count(mp), NB_BUFFERS - BYSTANDER_HOLD);
	xt_census_ok(arena, "pcap: after TX");
}

/* net_ring returns the very mbufs: the tag must survive the trip. */
static void
test_ring_tag_survives(void)
{
	struct rte_mbuf *m[32], *rx[32];
	struct xchg_pool_stats s0 = stats_of(sender), s1;
	struct xchg_pool_stats r0 = stats_of(receiver), r1;
	unsigned int i, same = 0, owned = 0;
	uint16_t n;

	XT_EQ(xchg_alloc_bulk(sender, m, 32), 0);
	for (i = 0; i < 32; i++)
		fill(m[i], FRAME_LEN, (uint8_t)(0x40 + i));
	XT_EQ(rte_eth_tx_burst(ring_port, 0, m, 32), 32);
	/* In the PMD's ring, still the sender's. */
	xt_pool_expect(sender, 32, "ring: in flight");
	XT_EQ(stats_of(sender).returned, s0.returned);
	xt_census_ok(arena, "ring: in flight");

	n = rte_eth_rx_burst(ring_port, 0, rx, 32);
	XT_EQ(n, 32);
	for (i = 0; i < n; i++) {
		same += rx[i] == m[i];
		owned += xchg_mbuf_owner(rx[i]) == sender;
	}
	XT_EQ(same, 32);
	XT_EQ(owned, 32);
	xt_pool_expect(sender, 32, "ring: received");

	/* The receiver frees half: the sender is credited for those. */
	rte_pktmbuf_free_bulk(rx, 16);
	xt_pool_expect(sender, 16, "ring: half freed");
	XT_EQ(stats_of(sender).returned - s0.returned, 16);

	/* The receiver takes the other half into its own reservation:
	 * it pays and the sender is refunded. */
	XT_EQ(xchg_acquire_burst(receiver, &rx[16], 16), 16);
	xt_pool_expect(sender, 0, "ring: moved");
	xt_pool_expect(receiver, 16, "ring: moved");
	for (i = 16; i < 32; i++)
		owned += xchg_mbuf_owner(rx[i]) == receiver;
	XT_EQ(owned, 32 + 16);
	s1 = stats_of(sender);
	XT_EQ(s1.returned - s0.returned, 32);
	xt_census_ok(arena, "ring: moved");

	rte_pktmbuf_free_bulk(&rx[16], 16);
	r1 = stats_of(receiver);
	xt_pool_expect(receiver, 0, "ring: all freed");
	XT_EQ(r1.accepted - r0.accepted, 16);
	XT_EQ(r1.returned - r0.returned, 16);
	XT_EQ(stats_of(sender).returned - s0.returned, 32);
	bystander_untouched("ring");
	XT_EQ(rte_mempool_avail_count(mp), NB_BUFFERS - BYSTANDER_HOLD);
	xt_census_ok(arena, "ring: all freed");
}

/* net_null: frames received into the arena, taken by exchange, then
 * freed by TX. */
static void
test_null_rx_exchange_tx(void)
{
	struct rte_mbuf *m[32];
	struct xchg_pool_stats r0 = stats_of(receiver), r1;
	struct xchg_pool_stats s0 = stats_of(sender);
	unsigned int i, ownerless = 0;
	uint16_t n;

	n = rte_eth_rx_burst(null_port, 0, m, 32);
	XT_EQ(n, 32);
	for (i = 0; i < n; i++)
		ownerless += xchg_mbuf_owner(m[i]) == NULL;
	XT_EQ(ownerless, 32);
	XT_EQ(xchg_acquire_burst(receiver, m, n), n);
	xt_pool_expect(receiver, 32, "null: taken");
	XT_EQ(rte_eth_tx_burst(null_port, 0, m, n), n);
	r1 = stats_of(receiver);
	xt_pool_expect(receiver, 0, "null: sent");
	XT_EQ(r1.accepted - r0.accepted, 32);
	XT_EQ(r1.returned - r0.returned, 32);

	/* The sender's own frames through net_null TX. */
	XT_EQ(xchg_alloc_bulk(sender, m, 32), 0);
	XT_EQ(rte_eth_tx_burst(null_port, 0, m, 32), 32);
	xt_pool_expect(sender, 0, "null: sender");
	XT_EQ(stats_of(sender).returned - s0.returned, 32);
	bystander_untouched("null");
	xt_census_ok(arena, "null");
}

/*
 * What a PMD's fast free does (i40e, ice and others hand a whole batch of
 * completed mbufs to rte_mempool_put_bulk): 200 buffers of two owners and
 * none, interleaved, in one put. Each owner gets back exactly its own.
 */
static void
test_bulk_put_mixed_owners(void)
{
	struct rte_mbuf *snd[100], *rcv[60], *raw[40], *all[200];
	struct xchg_pool_stats s0 = stats_of(sender), s1;
	struct xchg_pool_stats r0 = stats_of(receiver), r1;
	unsigned int i, j, k, n = 0;

	XT_EQ(xchg_alloc_bulk(sender, snd, 100), 0);
	for (i = 0; i < 60; i += 30) {
		XT_EQ(rte_eth_rx_burst(null_port, 0, &rcv[i], 30), 30);
		XT_EQ(xchg_acquire_burst(receiver, &rcv[i], 30), 30);
	}
	XT_EQ(rte_pktmbuf_alloc_bulk(mp, raw, 40), 0);
	xt_pool_expect(sender, 100, "bulk put: before");
	xt_pool_expect(receiver, 60, "bulk put: before");
	for (i = 0, j = 0, k = 0; n < 200;) {
		if (i < 100)
			all[n++] = snd[i++];
		if (i < 100 && i % 2 == 0)
			all[n++] = snd[i++];
		if (j < 60)
			all[n++] = rcv[j++];
		if (k < 40 && n % 5 == 0)
			all[n++] = raw[k++];
		if (i == 100 && j == 60)
			while (k < 40)
				all[n++] = raw[k++];
	}
	XT_EQ(n, 200);
	xt_census_ok(arena, "bulk put: before");
	for (i = 0; i < 200; i++) { /* as a PMD does after prefree */
		all[i]->data_len = 0;
		all[i]->pkt_len = 0;
	}
	rte_mempool_put_bulk(mp, (void **)all, 200);
	s1 = stats_of(sender);
	r1 = stats_of(receiver);
	xt_pool_expect(sender, 0, "bulk put: after");
	xt_pool_expect(receiver, 0, "bulk put: after");
	XT_EQ(s1.returned - s0.returned, 100);
	XT_EQ(r1.returned - r0.returned, 60);
	bystander_untouched("bulk put");
	XT_EQ(rte_mempool_avail_count(mp), NB_BUFFERS - BYSTANDER_HOLD);
	xt_census_ok(arena, "bulk put: after");
}

/*
 * Clones of an owned frame, clone mbufs from @clone_mp. @last tells which
 * reference goes last: 0 the original, 1 a clone freed by the
 * application, 2 a clone freed by net_pcap TX. Chained originals too.
 */
static void
clone_case(struct rte_mempool *clone_mp, const char *what, int last,
	   bool chained)
{
	struct rte_mbuf *m[2], *c[3];
	struct xchg_pool_stats s0 = stats_of(sender), s1;
	struct xchg_pool_stats r0 = stats_of(receiver), r1;
	unsigned int units = chained ? 2 : 1, clone_avail = 0, i;
	char when[96];

	snprintf(when, sizeof(when), "%s, last %s%s", what,
		 last == 0 ? "original" : last == 1 ? "clone" :
		 "clone by TX", chained ? ", chain" : "");
	if (clone_mp != mp)
		clone_avail = rte_mempool_avail_count(clone_mp);

	XT_EQ(xchg_alloc_bulk(sender, m, units), 0);
	fill(m[0], FRAME_LEN, 0x11);
	if (chained) {
		fill(m[1], TAIL_LEN, 0x22);
		XT_EQ(rte_pktmbuf_chain(m[0], m[1]), 0);
	}
	for (i = 0; i < 3; i++) {
		c[i] = rte_pktmbuf_clone(m[0], clone_mp);
		XT_CHECK(c[i] != NULL, "%s: clone %u", when, i);
		if (c[i] == NULL)
			return;
		XT_CHECK(RTE_MBUF_CLONED(c[i]), "%s: indirect", when);
		XT_CHECK(xchg_mbuf_owner(c[i]) == NULL,
			 "%s: a clone mbuf has no owner", when);
	}
	XT_EQ(rte_mbuf_refcnt_read(m[0]), 4);
	XT_CHECK(xchg_mbuf_owner(m[0]) == sender, "%s: owner", when);
	xt_pool_expect(sender, units, when);

	/* Neither a clone nor a shared original can be exchanged. */
	XT_EQ(xchg_acquire_burst(receiver, &c[0], 1), 0);
	/* An arena clone is indirect; a plain pool's is not the arena's. */
	XT_EQ(rte_errno, clone_mp == mp ? ENOTSUP : EXDEV);
	XT_EQ(xchg_acquire_burst(receiver, &m[0], 1), 0);
	XT_EQ(rte_errno, EBUSY);
	r1 = stats_of(receiver);
	XT_EQ(r1.rejected - r0.rejected, 2);
	XT_EQ(r1.accepted, r0.accepted);
	xt_pool_expect(receiver, 0, when);
	xt_census_ok(arena, when);

	/* Drop every reference but the last: no credit yet. */
	if (last != 0)
		rte_pktmbuf_free(m[0]);
	rte_pktmbuf_free(c[0]);
	rte_pktmbuf_free(c[1]);
	if (last == 0)
		rte_pktmbuf_free(c[2]);
	xt_pool_expect(sender, units, when);
	XT_EQ(stats_of(sender).returned, s0.returned);
	XT_EQ(rte_mbuf_refcnt_read(m[0]), 1);

	/* The last reference: credited once, every segment. */
	if (last == 0) {
		rte_pktmbuf_free(m[0]);
	} else if (last == 1) {
		rte_pktmbuf_free(c[2]);
	} else {
		XT_EQ(rte_eth_tx_burst(pcap_port, 0, &c[2], 1), 1);
		pcap_expected++;
		pcap_expected_bytes += FRAME_LEN + (chained ? TAIL_LEN : 0);
	}
	s1 = stats_of(sender);
	xt_pool_expect(sender, 0, when);
	XT_EQ(s1.returned - s0.returned, units);
	XT_EQ(s1.allocated - s0.allocated, units);
	if (clone_mp != mp)
		XT_EQ(rte_mempool_avail_count(clone_mp), clone_avail);
	XT_EQ(rte_mempool_avail_count(mp), NB_BUFFERS - BYSTANDER_HOLD);
	bystander_untouched(when);
	xt_census_ok(arena, when);
}

static void
test_clone_from_arena(void)
{
	int last;

	for (last = 0; last < 3; last++) {
		clone_case(mp, "arena clone", last, false);
		clone_case(mp, "arena clone", last, true);
	}
}

static void
test_clone_from_plain_pool(void)
{
	struct rte_mempool *plain = rte_pktmbuf_pool_create("clones", 63, 0,
			0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	int last;

	XT_CHECK(plain != NULL, "plain pool: %s", rte_strerror(rte_errno));
	if (plain == NULL)
		return;
	for (last = 0; last < 3; last++) {
		clone_case(plain, "plain clone", last, false);
		clone_case(plain, "plain clone", last, true);
	}
	XT_EQ(rte_mempool_avail_count(plain), 63);
	rte_mempool_free(plain);
}

/* The original goes out through the PMD while a clone still holds it:
 * the credit waits for the clone. */
static void
test_original_sent_clone_held(void)
{
	struct rte_mbuf *m, *c;
	struct xchg_pool_stats s0 = stats_of(sender);

	XT_EQ(xchg_alloc_bulk(sender, &m, 1), 0);
	fill(m, FRAME_LEN, 0x33);
	c = rte_pktmbuf_clone(m, mp);
	XT_CHECK(c != NULL, "clone");
	if (c == NULL)
		return;
	XT_EQ(rte_eth_tx_burst(pcap_port, 0, &m, 1), 1);
	pcap_expected++;
	pcap_expected_bytes += FRAME_LEN;
	xt_pool_expect(sender, 1, "sent, clone held");
	XT_EQ(stats_of(sender).returned, s0.returned);
	XT_EQ(rte_mbuf_refcnt_read(m), 1);
	rte_pktmbuf_free(c);
	xt_pool_expect(sender, 0, "clone freed");
	XT_EQ(stats_of(sender).returned - s0.returned, 1);
	xt_census_ok(arena, "original sent, clone held");
}

/* Also when the EAL refuses to start and the harness exits. */
static void
remove_tmp(void)
{
	unlink(pcap_path);
	rmdir(tmp_dir);
}

/* Read the pcap file the PMD wrote: count and bytes. */
static void
check_pcap_file(void)
{
	FILE *f = fopen(pcap_path, "rb");
	uint32_t hdr[6], rec[4];
	unsigned int count = 0;
	uint64_t bytes = 0;
	bool swap;

	XT_CHECK(f != NULL, "open %s", pcap_path);
	if (f == NULL)
		return;
	XT_EQ(fread(hdr, sizeof(hdr), 1, f), 1);
	swap = hdr[0] == 0xd4c3b2a1 || hdr[0] == 0x4d3cb2a1;
	XT_CHECK(hdr[0] == 0xa1b2c3d4 || hdr[0] == 0xa1b23c4d || swap,
		 "pcap magic %08x", hdr[0]);
	while (fread(rec, sizeof(rec), 1, f) == 1) {
		uint32_t caplen = swap ? __builtin_bswap32(rec[2]) : rec[2];

		if (fseek(f, caplen, SEEK_CUR) != 0)
			break;
		count++;
		bytes += caplen;
	}
	fclose(f);
	printf("pcap file: %u frames, %" PRIu64 " bytes\n", count, bytes);
	XT_EQ(count, pcap_expected);
	XT_EQ(bytes, pcap_expected_bytes);
}

int
main(int argc __rte_unused, char **argv)
{
	char vdev_pcap[256];
	const char *extra[3];
	unsigned int i;
	int setup;

	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/xchg_pmd_free_XXXXXX");
	if (mkdtemp(tmp_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(pcap_path, sizeof(pcap_path), "%s/tx.pcap", tmp_dir);
	atexit(remove_tmp);
	snprintf(vdev_pcap, sizeof(vdev_pcap), "--vdev=net_pcap0,tx_pcap=%s",
		 pcap_path);
	extra[0] = vdev_pcap;
	extra[1] = "--vdev=net_ring0";
	extra[2] = "--vdev=net_null0";
	xt_eal_init(argv[0], "0", 3, extra);

	arena = xt_arena("pmdfree", NB_BUFFERS, 0);
	mp = xchg_arena_mempool(arena);
	sender = xchg_pool_create(arena, "sender", XCHG_KIND_SOCKET,
				  SENDER_QUOTA);
	receiver = xchg_pool_create(arena, "receiver", XCHG_KIND_SOCKET,
				    RECEIVER_QUOTA);
	bystander = xchg_pool_create(arena, "bystander", XCHG_KIND_SERVICE,
				     64);
	XT_CHECK(sender != NULL && receiver != NULL && bystander != NULL,
		 "pools: %s", rte_strerror(rte_errno));
	if (sender == NULL || receiver == NULL || bystander == NULL)
		goto out;
	XT_EQ(xchg_alloc_bulk(bystander, held_by_bystander, BYSTANDER_HOLD),
	      0);

	setup = xt_port_start("net_pcap0", mp, 64, &pcap_port);
	setup |= xt_port_start("net_ring0", mp, 64, &ring_port);
	setup |= xt_port_start("net_null0", mp, 64, &null_port);
	if (setup != 0)
		goto out;
	bystander_untouched("setup");
	xt_census_ok(arena, "ports started");

	XT_RUN(test_pcap_tx_credits_sender);
	XT_RUN(test_ring_tag_survives);
	XT_RUN(test_null_rx_exchange_tx);
	XT_RUN(test_bulk_put_mixed_owners);
	XT_RUN(test_clone_from_arena);
	XT_RUN(test_clone_from_plain_pool);
	XT_RUN(test_original_sent_clone_held);

	xt_port_close(pcap_port);
	xt_port_close(ring_port);
	xt_port_close(null_port);
	check_pcap_file();

	bystander_untouched("end");
	rte_pktmbuf_free_bulk(held_by_bystander, BYSTANDER_HOLD);
	xt_pool_expect(bystander, 0, "bystander freed");
	XT_EQ(stats_of(bystander).returned, BYSTANDER_HOLD);
	xt_census_ok(arena, "end");
	XT_EQ(rte_mempool_avail_count(mp), NB_BUFFERS);
	{
		struct xchg_arena_info info;

		XT_EQ(xchg_arena_info_get(arena, &info), 0);
		XT_EQ(info.double_frees, 0);
		XT_EQ(info.foreign_frees, 0);
	}
	XT_EQ(xchg_pool_free(sender), 0);
	XT_EQ(xchg_pool_free(receiver), 0);
	XT_EQ(xchg_pool_free(bystander), 0);
	XT_EQ(xchg_arena_free(arena), 0);
out:
	i = 0;
	if (unlink(pcap_path) != 0)
		i++;
	if (rmdir(tmp_dir) != 0)
		i++;
	XT_EQ(i, 0);
	return xt_done("pmd_free");
}
