/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Every capture of the shared corpus (tcpdump's and tcpreplay's test
 * captures: real and hostile traffic nobody here wrote) through the
 * stack, meant to run in the ASan+UBSan build as well as the normal one.
 *
 *   test_stack_corpus parse  DEFAULT_CORPUS
 *     Every frame, and every prefix of its first 256 bytes, is copied to a
 *     heap buffer of exactly that length and given to xchg_stack_parse(),
 *     and each prefix also to xchg_stack_parse_wire() as the first
 *     segment of the whole frame (a chained mbuf), with and without UDP
 *     checksum verification: AddressSanitizer does not watch DPDK
 *     memory, so this is where an over-read shows. Every result that says
 *     "well formed" is checked for headers inside the bytes given and
 *     lengths inside the frame, since the demux strips headers by them.
 *
 *   test_stack_corpus replay DEFAULT_CORPUS
 *     Every file is replayed through a real stack on its own net_pcap
 *     port, hot-plugged with rte_vdev_init(). The stack takes up to 8 of
 *     the file's IPv4 destinations and up to 8 of its unicast IPv6 ones
 *     as its addresses and opens UDP sockets (both families) on up to 16
 *     of its UDP ports and packet sockets for up to 2 of its other
 *     ethertypes, so the services and sockets see the hostile frames
 *     too; IPv6 datagrams are counted apart and their sources read with
 *     xchg_udp_source6(). Per file: the stack classified exactly the frames
 *     libpcap reads, every frame is delivered or dropped with a reason,
 *     the parse-level drop reasons are exactly those xchg_stack_parse()
 *     gives on heap copies, what sockets receive is consistent, and the
 *     census holds with the stack up and after teardown.
 *
 * The corpus is $XCHG_CORPUS, else DEFAULT_CORPUS (meson passes the
 * corpus_dir option, or ../shared/corpus beside the source tree). Without
 * it the test skips (exit code 77) and says where it looked.
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_stack_private.h"
#include "xchg_test.h"
#include "xt_frames.h"

#define MAX_FILES 2048
#define PREFIX_MAX 256u
#define MAX_ADDRS 8
#define MAX_UDP_SOCKS 16
#define MAX_PKT_SOCKS 2
#define MAX_REFUSED 5

static const char * const subdirs[] = { "tcpdump-tests", "tcpreplay-tests" };

static char *files[MAX_FILES];
static unsigned int nb_files;

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* The corpus' files, sorted; 77 when there is no corpus. */
static int
list_corpus(const char *root)
{
	unsigned int d;

	for (d = 0; d < RTE_DIM(subdirs); d++) {
		char path[PATH_MAX];
		struct dirent *e;
		DIR *dp;

		snprintf(path, sizeof(path), "%s/%s", root, subdirs[d]);
		dp = opendir(path);
		if (dp == NULL) {
			printf("SKIP: no corpus: cannot open %s (%s); set XCHG_CORPUS or the corpus_dir option\n",
			       path, strerror(errno));
			return 77;
		}
		while ((e = readdir(dp)) != NULL && nb_files < MAX_FILES) {
			char full[PATH_MAX + 300];
			struct stat st;

			snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
			if (e->d_name[0] == '.' || stat(full, &st) != 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			files[nb_files++] = strdup(full);
		}
		closedir(dp);
	}
	qsort(files, nb_files, sizeof(files[0]), cmp_str);
	if (nb_files == 0) {
		printf("SKIP: no capture in %s\n", root);
		return 77;
	}
	printf("corpus: %s, %u files\n", root, nb_files);
	return 0;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Is @r a reason xchg_stack_parse() can give (as opposed to the demux)? */
static bool
parse_reason(enum xchg_stack_drop r)
{
	switch (r) {
	case XCHG_SD_RUNT:
	case XCHG_SD_VLAN_TRUNCATED:
	case XCHG_SD_VLAN_TOO_MANY:
	case XCHG_SD_ARP_MALFORMED:
	case XCHG_SD_IPV4_TRUNCATED:
	case XCHG_SD_IPV4_VERSION:
	case XCHG_SD_IPV4_IHL:
	case XCHG_SD_IPV4_LENGTH:
	case XCHG_SD_IPV4_CHECKSUM:
	case XCHG_SD_IPV4_TTL:
	case XCHG_SD_L4_TRUNCATED:
	case XCHG_SD_UDP_LENGTH:
	case XCHG_SD_UDP_CHECKSUM:
	case XCHG_SD_ICMP_CHECKSUM:
		return true;
	default:
		return false;
	}
}

/*
 * Parse the first @len bytes of @frame, from a heap copy of exactly that
 * length, as the first segment of a frame of @wire bytes (a chained mbuf
 * when @wire > @len; xchg_stack_parse() when equal), and check what a
 * "well formed" answer promises: the headers the demux reads and strips
 * lie in the first @len bytes, and the lengths fit the frame.
 */
static enum xchg_stack_drop
parse_checked(const uint8_t *frame, uint32_t len, uint32_t wire, bool verify,
	      struct xchg_pkt *pkt, const char *file, unsigned int idx)
{
	uint8_t *buf = malloc(len);
	enum xchg_stack_drop r;
	unsigned int bad = 0;

	if (buf == NULL && len != 0) {
		XT_CHECK(false, "out of memory");
		return XCHG_SD_MAX;
	}
	if (len != 0)
		memcpy(buf, frame, len);
	r = wire == len ? xchg_stack_parse(buf, len, verify, pkt) :
	    xchg_stack_parse_wire(buf, len, wire, verify, pkt);
	if (r > XCHG_SD_MAX) {
		bad = 1;
	} else if (r == XCHG_SD_MAX) {
		bool frag = pkt->frag_offset != 0 || pkt->more_frags;
		bool ipv4 = pkt->ether_type == RTE_ETHER_TYPE_IPV4;
		uint32_t l4 = pkt->l2_len + pkt->l3_len;

		if (pkt->nb_vlans > 2 || pkt->l2_len != 14 + 4 * pkt->nb_vlans ||
		    pkt->l2_len > len ||
		    pkt->ether_type != be16(frame + pkt->l2_len - 2))
			bad = 2;
		else if (pkt->ether_type == RTE_ETHER_TYPE_ARP &&
			 len - pkt->l2_len < 28)
			bad = 3;
		else if (ipv4 && (pkt->l3_len < 20 || pkt->l3_len % 4 != 0 ||
				  l4 > len || pkt->ip_total < pkt->l3_len ||
				  pkt->l2_len + pkt->ip_total > wire))
			bad = 4;
		else if (ipv4 && pkt->l4_len != 0 &&
			 (pkt->l4_len != 8 || l4 + pkt->l4_len > len ||
			  pkt->l3_len + pkt->l4_len > pkt->ip_total))
			bad = 5;
		else if (ipv4 && !frag && (pkt->proto == IPPROTO_UDP ||
					   pkt->proto == IPPROTO_ICMP) &&
			 pkt->l4_len != 8)
			bad = 6;
		else if (ipv4 && pkt->proto == IPPROTO_UDP && pkt->l4_len == 8 &&
			 (pkt->sport != be16(frame + l4) ||
			  pkt->dport != be16(frame + l4 + 2)))
			bad = 7;
		else if (ipv4 && !frag && pkt->proto == IPPROTO_UDP &&
			 (pkt->udp_len != be16(frame + l4 + 4) ||
			  pkt->udp_len < 8 ||
			  pkt->udp_len > pkt->ip_total - pkt->l3_len))
			bad = 8;
	}
	XT_CHECK(bad == 0, "%s frame %u, %u of %u bytes, verify %d: parse result %d inconsistent (rule %u)",
		 file, idx, len, wire, verify, r, bad);
	free(buf);
	return r;
}

/* ---- parse: every frame and prefix from the heap ---- */

static int
run_parse(void)
{
	uint64_t results[XCHG_SD_MAX + 1] = { 0 };
	uint64_t frames = 0, parses = 0;
	unsigned int f, non_eth = 0, refused = 0, truncated = 0, r;

	for (f = 0; f < nb_files; f++) {
		char err[PCAP_ERRBUF_SIZE];
		pcap_t *p = pcap_open_offline(files[f], err);
		struct pcap_pkthdr *h;
		const u_char *data;
		unsigned int idx = 0;
		int ret;

		if (p == NULL) {
			printf("libpcap refuses %s: %s\n", files[f], err);
			refused++;
			continue;
		}
		if (pcap_datalink(p) != DLT_EN10MB) {
			printf("not Ethernet (linktype %d), skipped: %s\n",
			       pcap_datalink(p), files[f]);
			non_eth++;
			pcap_close(p);
			continue;
		}
		while ((ret = pcap_next_ex(p, &h, &data)) == 1) {
			uint32_t len, caplen = h->caplen;
			struct xchg_pkt pkt;
			bool v;

			/* Every prefix alone, and as the first segment of
			 * the whole frame. */
			for (len = 0; len <= RTE_MIN(caplen, PREFIX_MAX); len++)
				for (v = false; ; v = true) {
					parse_checked(data, len, len, v, &pkt,
						      files[f], idx);
					parses++;
					if (len < caplen) {
						parse_checked(data, len, caplen, v,
							      &pkt, files[f],
							      idx);
						parses++;
					}
					if (v)
						break;
				}
			if (caplen > PREFIX_MAX) {
				parse_checked(data, caplen, caplen, false, &pkt,
					      files[f], idx);
				parses++;
			}
			r = parse_checked(data, caplen, caplen, true, &pkt,
					  files[f], idx);
			results[(unsigned int)r < XCHG_SD_MAX ? r : XCHG_SD_MAX]++;
			frames++;
			idx++;
		}
		if (ret == PCAP_ERROR) {
			printf("%s: cut short after %u frames: %s\n", files[f],
			       idx, pcap_geterr(p));
			truncated++;
		}
		pcap_close(p);
	}
	printf("parsed %" PRIu64 " frames of %u files (%" PRIu64
	       " heap parses); %u files not Ethernet, %u refused by libpcap, %u cut short\n",
	       frames, nb_files, parses, non_eth, refused, truncated);
	printf("  well formed: %" PRIu64 "\n", results[XCHG_SD_MAX]);
	for (r = 0; r < XCHG_SD_MAX; r++)
		if (results[r] != 0)
			printf("  %s: %" PRIu64 "\n", xchg_stack_drop_name(r),
			       results[r]);
	/* The corpus is about 10,000 frames; a handful of files at most
	 * may be unreadable. */
	XT_CHECK(frames >= 5000, "only %" PRIu64 " frames parsed", frames);
	XT_CHECK(refused <= MAX_REFUSED, "%u files refused by libpcap",
		 refused);
	return 0;
}

/* ---- replay: every file through a stack ---- */

struct plan {
	uint64_t frames;
	uint64_t parse_drops[XCHG_SD_MAX];
	bool fragments;               /* IPv4 fragments among the frames */
	unsigned int nb_addrs, nb_udp, nb_pkt;
	rte_be32_t addrs[MAX_ADDRS];
	unsigned int nb_addrs6;
	uint8_t addrs6[MAX_ADDRS][16];
	uint16_t udp_ports[MAX_UDP_SOCKS];
	uint16_t pkt_types[MAX_PKT_SOCKS];
};

static void
plan_add_addr(struct plan *pl, rte_be32_t ip)
{
	const uint8_t *b = (const uint8_t *)&ip;
	unsigned int i;

	if (ip == 0 || b[0] == 0 || b[0] == 127 || b[0] >= 224 ||
	    b[3] == 0 || b[3] == 255 || pl->nb_addrs == MAX_ADDRS)
		return;
	for (i = 0; i < pl->nb_addrs; i++)
		if (pl->addrs[i] == ip)
			return;
	pl->addrs[pl->nb_addrs++] = ip;
}

/* A unicast IPv6 destination the stack can take (not ::, ::1 or
 * multicast). */
static void
plan_add_addr6(struct plan *pl, const uint8_t *ip)
{
	static const uint8_t zero[16], loop[16] = { [15] = 1 };
	unsigned int i;

	if (ip[0] == 0xff || memcmp(ip, zero, 16) == 0 ||
	    memcmp(ip, loop, 16) == 0 || pl->nb_addrs6 == MAX_ADDRS)
		return;
	for (i = 0; i < pl->nb_addrs6; i++)
		if (memcmp(pl->addrs6[i], ip, 16) == 0)
			return;
	memcpy(pl->addrs6[pl->nb_addrs6++], ip, 16);
}

static void
plan_add_port(struct plan *pl, const struct xchg_pkt *pkt)
{
	unsigned int i;

	if (pkt->proto != IPPROTO_UDP || pkt->l4_len == 0 || pkt->dport == 0 ||
	    pl->nb_udp == MAX_UDP_SOCKS)
		return;
	for (i = 0; i < pl->nb_udp && pl->udp_ports[i] != pkt->dport; i++)
		;
	if (i == pl->nb_udp)
		pl->udp_ports[pl->nb_udp++] = pkt->dport;
}

/* Read a file with libpcap: what the stack must find, and what to open
 * so that its frames reach sockets and services. -1 when unreadable. */
static int
plan_file(const char *path, uint32_t first_seg, struct plan *pl)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int i;

	memset(pl, 0, sizeof(*pl));
	if (p == NULL) {
		printf("libpcap refuses %s: %s\n", path, err);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		printf("not Ethernet (linktype %d), skipped: %s\n",
		       pcap_datalink(p), path);
		pcap_close(p);
		return -2;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		/* net_pcap chains frames longer than a buffer; the stack
		 * reads the first segment and checks lengths against the
		 * chain. */
		uint32_t len = RTE_MIN(h->caplen, first_seg);
		enum xchg_stack_drop r;
		struct xchg_pkt pkt;

		pl->frames++;
		r = parse_checked(data, len, h->caplen, true, &pkt, path,
				  (unsigned int)pl->frames - 1);
		/* A chained UDP datagram is summed by the demux, across its
		 * segments: the whole frame tells what that finds. */
		if (r == XCHG_SD_MAX && len < h->caplen &&
		    pkt.proto == IPPROTO_UDP && pkt.udp_len != 0 &&
		    pkt.frag_offset == 0 && !pkt.more_frags) {
			struct xchg_pkt whole;

			if (xchg_stack_parse(data, h->caplen, true, &whole) ==
			    XCHG_SD_UDP_CHECKSUM)
				r = XCHG_SD_UDP_CHECKSUM;
		}
		if (r < XCHG_SD_MAX) {
			pl->parse_drops[r]++;
			continue;
		}
		if (pkt.ether_type == RTE_ETHER_TYPE_IPV4) {
			rte_be32_t dst;

			if (pkt.frag_offset != 0 || pkt.more_frags)
				pl->fragments = true;
			memcpy(&dst, data + pkt.l2_len + 16, 4);
			plan_add_addr(pl, dst);
			plan_add_port(pl, &pkt);
		} else if (pkt.ether_type == RTE_ETHER_TYPE_IPV6) {
			if (pkt.frag_offset != 0 || pkt.more_frags)
				pl->fragments = true;
			plan_add_addr6(pl, pkt.dst6);
			plan_add_port(pl, &pkt);
		} else if (pkt.ether_type == RTE_ETHER_TYPE_ARP) {
			rte_be32_t tpa;

			memcpy(&tpa, data + pkt.l2_len + 24, 4);
			plan_add_addr(pl, tpa);
		} else if (pkt.ether_type >= 0x0600 &&
			   pkt.ether_type != RTE_ETHER_TYPE_IPV6 &&
			   pl->nb_pkt < MAX_PKT_SOCKS) {
			for (i = 0; i < pl->nb_pkt &&
			     pl->pkt_types[i] != pkt.ether_type; i++)
				;
			if (i == pl->nb_pkt)
				pl->pkt_types[pl->nb_pkt++] = pkt.ether_type;
		}
	}
	pcap_close(p);
	return 0;
}

struct totals {
	unsigned int files, refused, non_eth, sockets;
	uint64_t frames, delivered, reassembled, drops[XCHG_SD_MAX];
	uint64_t udp_rx, udp6_rx, pkt_rx, arp_answered, icmp_answered, tx;
	unsigned int files6;            /* files with an IPv6 address */
};

/* Take what the sockets received and check it is consistent. */
static void
drain(struct xchg_socket **socks, unsigned int n, unsigned int nb_udp,
      const char *file, struct totals *t)
{
	struct rte_mbuf *m[32];
	unsigned int s, i, got;

	for (s = 0; s < n; s++) {
		while ((got = xchg_socket_recv_burst(socks[s], m, 32)) != 0) {
			for (i = 0; i < got; i++) {
				rte_be32_t ip;
				uint8_t ip6[16];
				uint16_t port, udp_len;
				const uint8_t *udp;
				int ret;

				if (s >= nb_udp) {
					/* A packet socket: whole frames. */
					XT_CHECK(rte_pktmbuf_pkt_len(m[i]) >= 14,
						 "%s: packet socket frame of %u bytes",
						 file, rte_pktmbuf_pkt_len(m[i]));
					t->pkt_rx++;
					continue;
				}
				t->udp_rx++;
				ret = xchg_udp_source(m[i], &ip, &port);
				if (ret == -EAFNOSUPPORT) {
					t->udp6_rx++;
					ret = xchg_udp_source6(m[i], ip6, &port);
				}
				XT_CHECK(ret == 0,
					 "%s: no source for a datagram", file);
				/* The UDP header stays in the headroom (the
				 * first fragment's, for a reassembled one):
				 * the payload is what its length says. */
				udp = rte_pktmbuf_mtod(m[i], const uint8_t *) -
				      m[i]->l4_len;
				udp_len = be16(udp + 4);
				XT_CHECK(udp_len >= 8 &&
					 rte_pktmbuf_pkt_len(m[i]) ==
					 (uint32_t)(udp_len - 8),
					 "%s: datagram of %u bytes, its UDP header says %d",
					 file, rte_pktmbuf_pkt_len(m[i]),
					 udp_len - 8);
			}
			rte_pktmbuf_free_bulk(m, got);
		}
	}
}

static void
replay_file(struct xchg_arena *arena, unsigned int f, const char *tmp,
	    struct totals *t)
{
	struct xchg_port_conf pconf = { .nb_rx_desc = 256, .nb_tx_desc = 256 };
	struct xchg_stack_conf sconf = { .verify_udp_checksum = true };
	struct xchg_socket *socks[MAX_UDP_SOCKS + MAX_PKT_SOCKS];
	uint32_t first_seg = rte_pktmbuf_data_room_size(
		xchg_arena_mempool(arena)) - RTE_PKTMBUF_HEADROOM;
	const char *file = files[f];
	char link[PATH_MAX], vdev[32], args[PATH_MAX + 64], when[64];
	struct xchg_port *port = NULL;
	struct xchg_stack *stack = NULL;
	struct xchg_stack_stats st;
	struct xchg_port_stats ps;
	struct plan pl;
	unsigned int nb_socks = 0, nb_udp, i, idle = 0, polls = 0;
	uint64_t sum = 0, accepted = 0;
	uint16_t port_id;

	switch (plan_file(file, first_seg, &pl)) {
	case 0:
		break;
	case -2:
		t->non_eth++;
		return;
	default:
		t->refused++;
		return;
	}
	/* A short name net_pcap's arguments cannot misread. */
	snprintf(link, sizeof(link), "%s/f%u.pcap", tmp, f);
	XT_CHECK(symlink(file, link) == 0, "symlink %s: %s", link,
		 strerror(errno));
	snprintf(vdev, sizeof(vdev), "net_pcap_c%u", f);
	snprintf(args, sizeof(args), "rx_pcap=%s,tx_pcap=/dev/null", link);
	if (rte_vdev_init(vdev, args) != 0) {
		printf("net_pcap refuses %s\n", file);
		t->refused++;
		unlink(link);
		return;
	}
	t->files++;
	XT_EQ(rte_eth_dev_get_port_by_name(vdev, &port_id), 0);
	port = xchg_port_create(arena, port_id, &pconf);
	XT_CHECK(port != NULL, "%s: port: %s", file, rte_strerror(rte_errno));
	if (port == NULL)
		goto out;
	stack = xchg_stack_create(arena, port, &sconf);
	XT_CHECK(stack != NULL, "%s: stack: %s", file, rte_strerror(rte_errno));
	if (stack == NULL)
		goto out;
	for (i = 0; i < pl.nb_addrs; i++)
		XT_EQ(xchg_stack_add_address(stack, pl.addrs[i], 24), 0);
	/* -EEXIST: the link-local address the first one brought. */
	for (i = 0; i < pl.nb_addrs6; i++) {
		int ret = xchg_stack_add_address6(stack, pl.addrs6[i], 64);

		XT_CHECK(ret == 0 || ret == -EEXIST, "%s: ip6: %d", file, ret);
	}
	t->files6 += pl.nb_addrs6 != 0;
	for (i = 0; i < pl.nb_udp; i++) {
		char name[XCHG_NAME_SIZE];
		struct xchg_socket *s;

		snprintf(name, sizeof(name), "udp%u", pl.udp_ports[i]);
		s = xchg_udp_socket(stack, name, 64, XCHG_PRIO_NORMAL);
		XT_CHECK(s != NULL, "%s: socket %s", file, name);
		if (s == NULL)
			continue;
		socks[nb_socks++] = s;
		XT_EQ(xchg_udp_bind(s, 0, pl.udp_ports[i]), 0);
	}
	nb_udp = nb_socks;
	for (i = 0; i < pl.nb_pkt; i++) {
		char name[XCHG_NAME_SIZE];
		struct xchg_socket *s;

		snprintf(name, sizeof(name), "pkt%04x", pl.pkt_types[i]);
		s = xchg_packet_socket(stack, name, pl.pkt_types[i], 64,
				       XCHG_PRIO_NORMAL);
		XT_CHECK(s != NULL, "%s: socket %s", file, name);
		if (s != NULL)
			socks[nb_socks++] = s;
	}
	t->sockets += nb_socks;
	XT_EQ(xchg_port_start(port), 0);

	while (idle < 16 && polls < 1000000) {
		idle = xchg_stack_poll(stack) == 0 ? idle + 1 : 0;
		polls++;
		drain(socks, nb_socks, nb_udp, file, t);
	}

	XT_EQ(xchg_stack_stats_get(stack, &st), 0);
	XT_EQ(xchg_port_stats_get(port, &ps), 0);
	XT_CHECK(st.frames == pl.frames && ps.rx_frames == pl.frames &&
		 ps.eth.ipackets == pl.frames,
		 "%s: libpcap reads %" PRIu64 " frames, PMD %" PRIu64
		 ", port %" PRIu64 ", stack %" PRIu64, file, pl.frames,
		 ps.eth.ipackets, ps.rx_frames, st.frames);
	XT_EQ(ps.eth.rx_nombuf, 0);
	for (i = 0; i < XCHG_SD_MAX; i++) {
		sum += st.drops[i];
		t->drops[i] += st.drops[i];
		/* The demux adds icmp_unhandled to the parser's (echo
		 * replies and the like); reassembly may add UDP length and
		 * checksum drops; the rest come from the parser alone. */
		if (i == XCHG_SD_ICMP_UNHANDLED ||
		    (pl.fragments && (i == XCHG_SD_UDP_LENGTH ||
				      i == XCHG_SD_UDP_CHECKSUM)))
			XT_CHECK(st.drops[i] >= pl.parse_drops[i],
				 "%s: %s: stack %" PRIu64 ", parse of heap copies %"
				 PRIu64, file, xchg_stack_drop_name(i),
				 st.drops[i], pl.parse_drops[i]);
		else if (parse_reason(i))
			XT_CHECK(st.drops[i] == pl.parse_drops[i],
				 "%s: %s: stack %" PRIu64 ", parse of heap copies %"
				 PRIu64, file, xchg_stack_drop_name(i),
				 st.drops[i], pl.parse_drops[i]);
	}
	XT_CHECK(st.frames == st.delivered + sum,
		 "%s: %" PRIu64 " frames, %" PRIu64 " delivered + %" PRIu64
		 " dropped", file, st.frames, st.delivered, sum);
	/* Without fragments, every delivery is one frame a consumer paid
	 * for: a socket, or the ARP or ICMP service. */
	for (i = 0; i < nb_socks; i++) {
		struct xchg_socket_stats ss;

		XT_EQ(xchg_socket_stats_get(socks[i], &ss), 0);
		accepted += ss.pool.accepted;
		XT_EQ(ss.pool.in_use, 0);
	}
	for (i = 0; i < 4; i++) {
		struct xchg_pool *sp = i < 2 ?
			xchg_stack_service_pool(stack, i) :
			xchg_stack_service_pool6(stack, i == 3);
		struct xchg_pool_stats s;

		/* The IPv6 services' pools come with the first address. */
		if (sp == NULL && i >= 2 && pl.nb_addrs6 == 0)
			continue;
		XT_EQ(xchg_pool_stats_get(sp, &s), 0);
		accepted += s.accepted;
		XT_EQ(s.in_use, 0);
	}
	if (!pl.fragments)
		XT_CHECK(accepted == st.delivered,
			 "%s: consumers accepted %" PRIu64 ", delivered %"
			 PRIu64, file, accepted, st.delivered);
	XT_CHECK(ps.tx_frames == ps.eth.opackets && ps.tx_nobufs == 0,
		 "%s: TX: port %" PRIu64 ", PMD %" PRIu64 ", no buffers %"
		 PRIu64, file, ps.tx_frames, ps.eth.opackets, ps.tx_nobufs);
	t->frames += st.frames;
	t->delivered += st.delivered;
	t->reassembled += st.reassembled;
	t->arp_answered += st.arp_requests_answered;
	t->icmp_answered += st.icmp_echo_answered;
	t->tx += ps.eth.opackets;
	snprintf(when, sizeof(when), "f%u, stack up", f);
	if (!xt_census_ok(arena, when))
		printf("  file: %s\n", file);
out:
	for (i = 0; i < nb_socks; i++)
		XT_EQ(xchg_socket_close(socks[i]), 0);
	if (stack != NULL)
		XT_EQ(xchg_stack_free(stack), 0);
	if (port != NULL)
		XT_EQ(xchg_port_free(port), 0);
	XT_EQ(rte_vdev_uninit(vdev), 0);
	unlink(link);
	snprintf(when, sizeof(when), "f%u, torn down", f);
	if (!xt_census_ok(arena, when))
		printf("  file: %s\n", file);
}

static int
run_replay(void)
{
	struct totals t = { 0 };
	struct xchg_arena *arena = xt_arena("corpus", 4096, 0);
	const char *tmp = xt_tmpdir();
	unsigned int f, r;

	for (f = 0; f < nb_files; f++)
		replay_file(arena, f, tmp, &t);
	XT_EQ(xchg_arena_free(arena), 0);
	xt_tmpdir_remove();

	printf("replayed %u files (%u refused by libpcap or net_pcap, %u not Ethernet): %"
	       PRIu64 " frames, %" PRIu64 " delivered, %u sockets\n",
	       t.files, t.refused, t.non_eth, t.frames, t.delivered,
	       t.sockets);
	printf("  datagrams %" PRIu64 " (%" PRIu64 " over IPv6, %" PRIu64 " reassembled), packet socket frames %" PRIu64
	       ", ARP answered %" PRIu64 ", echo answered %" PRIu64
	       ", transmitted %" PRIu64 "; %u files with IPv6 addresses\n",
	       t.udp_rx, t.udp6_rx, t.reassembled, t.pkt_rx,
	       t.arp_answered, t.icmp_answered, t.tx, t.files6);
	for (r = 0; r < XCHG_SD_MAX; r++)
		if (t.drops[r] != 0)
			printf("  %s: %" PRIu64 "\n", xchg_stack_drop_name(r),
			       t.drops[r]);
	XT_CHECK(t.refused <= MAX_REFUSED, "%u files refused", t.refused);
	XT_CHECK(t.frames >= 5000, "only %" PRIu64 " frames replayed",
		 t.frames);
	XT_CHECK(t.udp_rx > 0 && t.arp_answered > 0 && t.icmp_answered > 0,
		 "the corpus reached the sockets and services");
	/* Its IPv6 captures too: UDP over IPv6 reached the sockets. */
	XT_CHECK(t.files6 > 0 && t.udp6_rx > 0,
		 "IPv6: %u files with addresses, %" PRIu64 " datagrams",
		 t.files6, t.udp6_rx);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *root = getenv("XCHG_CORPUS");
	int ret;

	if (argc != 3 || (strcmp(argv[1], "parse") != 0 &&
			  strcmp(argv[1], "replay") != 0)) {
		printf("usage: %s parse|replay DEFAULT_CORPUS\n", argv[0]);
		return 1;
	}
	if (root == NULL || root[0] == '\0')
		root = argv[2];
	ret = list_corpus(root);
	if (ret != 0)
		return ret;
	xt_eal_init(argv[0], "0", 0, NULL);
	if (strcmp(argv[1], "parse") == 0)
		run_parse();
	else
		run_replay();
	return xt_done(strcmp(argv[1], "parse") == 0 ? "stack_corpus_parse" :
		       "stack_corpus_replay");
}
