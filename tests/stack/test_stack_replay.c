/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Deterministic replays through the whole stack: one capture per
 * protocol path and per drop reason, written by gen_pcaps.py (Scapy) into
 * a private folder, each replayed by its own net_pcap port hot-plugged
 * with rte_vdev_init() (rx_pcap = the scenario, tx_pcap = what the stack
 * sends). Each scenario builds a fresh arena, port and stack, polls until
 * the file is consumed and checks exact figures: frames, deliveries, every
 * drop reason (all others must stay 0), service counters, socket figures,
 * the frames received and the frames transmitted (read back from the TX
 * capture and checked field by field with checksums computed here), a
 * census while the stack is up, and an arena that frees cleanly after.
 *
 * Usage: test_stack_replay GEN_PCAPS_PY [all|main|bugs|SCENARIO...]
 *   main: the scenarios the stack must pass (default);
 *   bugs: scenarios that show a known defect of lib/stack (they fail
 *         until it is fixed; each says what is wrong);
 *   all:  both.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_test.h"
#include "xt_frames.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define OUR_IP IP4(192, 0, 2, 1)
#define OUR_IP2 IP4(198, 51, 100, 1)
#define PEER_IP IP4(192, 0, 2, 2)
#define OTHER_IP IP4(192, 0, 2, 3)
#define THIRD_IP IP4(192, 0, 2, 4)
#define UDP_PORT 7000
#define FLOOD_PORT 9000
#define PKT_TYPE 0x88b5
#define MAX_KEEP 64
#define MAX_SOCKS 4
#define MAX_FRAMES 4096

static const uint8_t PEER_MAC[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t PEER_MAC2[6] = { 2, 0, 0, 0, 0, 0x22 };
static const uint8_t BCAST_MAC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ZERO_MAC[6];

static char dir[512];
static unsigned int vdev_seq;

/* ---- frames and checksums, computed here, not by the stack ---- */

struct frame {
	uint8_t *data;
	uint32_t len;
};

struct frames {
	unsigned int n;
	struct frame f[MAX_FRAMES];
};

static void
frames_clear(struct frames *fs)
{
	unsigned int i;

	for (i = 0; i < fs->n; i++)
		free(fs->f[i].data);
	fs->n = 0;
}

/* Read a capture; -1 when libpcap cannot open it. */
static int
frames_read(const char *path, struct frames *fs)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, err);

	fs->n = 0;
	if (p == NULL) {
		printf("cannot read %s: %s\n", path, err);
		return -1;
	}
	while (fs->n < MAX_FRAMES && pcap_next_ex(p, &h, &data) == 1) {
		struct frame *f = &fs->f[fs->n++];

		f->len = h->caplen;
		f->data = malloc(h->caplen + 1);
		memcpy(f->data, data, h->caplen);
	}
	pcap_close(p);
	return 0;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static bool
cksum_ok(const uint8_t *p, size_t n, uint32_t init)
{
	uint32_t s = sum16(p, n, init);

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* gen_pcaps.py's payload(k, n). */
static void
payload(unsigned int k, unsigned int n, uint8_t *out)
{
	unsigned int j;

	for (j = 0; j < n; j++)
		out[j] = (uint8_t)((k * 31 + j * 7 + 1) & 0xff);
}

static bool
payload_is(const uint8_t *p, unsigned int k, unsigned int n)
{
	uint8_t want[4096];

	if (n > sizeof(want))
		return false;
	payload(k, n, want);
	return memcmp(p, want, n) == 0;
}

static rte_be32_t
be_ip(uint32_t ip)
{
	return rte_cpu_to_be_32(ip);
}

/* ---- one scenario run ---- */

struct sock_rx {
	struct xchg_socket *sock;
	bool keep;                        /* keep frames for the checks */
	unsigned int nb_kept;
	struct rte_mbuf *kept[MAX_KEEP];
	uint64_t received;
};

struct run;

struct scenario {
	const char *name;
	const char *file;                 /* default: name */
	bool bug;                         /* shows a known lib defect */
	unsigned int frames;              /* in the capture */
	struct xchg_stack_conf conf;
	uint64_t delivered;
	uint64_t drops[XCHG_SD_MAX];
	uint64_t arp_answered, arp_learned, icmp_answered;
	uint32_t neighbours;
	uint64_t nd_answered, nd_learned, icmp6_answered, dad_conflicts;
	uint32_t neighbours6;
	unsigned int udp_rx;              /* datagrams on the socket "udp" */
	unsigned int tx;                  /* frames transmitted */
	void (*setup)(struct run *r);     /* before start */
	void (*check)(struct run *r);     /* after the replay */
	void (*check_tx)(struct run *r);  /* on the transmitted frames */
};

struct run {
	const struct scenario *sc;
	char vdev[64];
	char tx_path[600];
	struct xchg_arena *arena;
	struct xchg_port *port;
	struct xchg_stack *stack;
	uint16_t port_id;
	uint8_t mac[6];
	unsigned int nb_socks;
	struct sock_rx socks[MAX_SOCKS];
	struct xchg_stack_stats st;
	struct xchg_port_stats ps;
	uint32_t max_neighbours;
	unsigned int polls;
	struct frames rx;                 /* the scenario's capture */
	struct frames tx;                 /* what the stack sent */
};

static struct sock_rx *
add_socket(struct run *r, struct xchg_socket *s, bool keep)
{
	struct sock_rx *x = &r->socks[r->nb_socks++];

	XT_CHECK(s != NULL, "%s: socket: %s", r->sc->name,
		 rte_strerror(rte_errno));
	x->sock = s;
	x->keep = keep;
	return x;
}

static struct sock_rx *
udp_socket(struct run *r, const char *name, uint32_t ip, uint16_t port,
	   uint32_t quota, bool keep)
{
	struct xchg_socket *s = xchg_udp_socket(r->stack, name, quota,
						XCHG_PRIO_NORMAL);
	struct sock_rx *x = add_socket(r, s, keep);

	if (s != NULL)
		XT_EQ(xchg_udp_bind(s, ip != 0 ? be_ip(ip) : 0, port), 0);
	return x;
}

static struct sock_rx *
find_sock(struct run *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->nb_socks; i++)
		if (r->socks[i].sock != NULL &&
		    strcmp(xchg_socket_name(r->socks[i].sock), name) == 0)
			return &r->socks[i];
	printf("FAIL: no socket %s\n", name);
	xt_failures++;
	return NULL;
}

static void
drain(struct run *r)
{
	struct rte_mbuf *m[32];
	unsigned int i, j, n;

	for (i = 0; i < r->nb_socks; i++) {
		struct sock_rx *x = &r->socks[i];

		if (x->sock == NULL)
			continue;
		while ((n = xchg_socket_recv_burst(x->sock, m, RTE_DIM(m)))
		       != 0) {
			x->received += n;
			for (j = 0; j < n; j++) {
				if (x->keep && x->nb_kept < MAX_KEEP)
					x->kept[x->nb_kept++] = m[j];
				else
					rte_pktmbuf_free(m[j]);
			}
		}
	}
}

/* Poll until net_pcap reports the end of the file for a while. */
static void
replay(struct run *r)
{
	unsigned int idle = 0;

	while (idle < 16 && r->polls < 100000) {
		unsigned int n = xchg_stack_poll(r->stack);

		r->polls++;
		drain(r);
		XT_EQ(xchg_stack_stats_get(r->stack, &r->st), 0);
		if (r->st.neighbours > r->max_neighbours)
			r->max_neighbours = r->st.neighbours;
		idle = n == 0 ? idle + 1 : 0;
	}
	XT_EQ(xchg_port_stats_get(r->port, &r->ps), 0);
}

/* A datagram a UDP socket received: payload k of n bytes from ip:port. */
static void
expect_datagram(const struct run *r, struct rte_mbuf *m, unsigned int k,
		unsigned int n, uint32_t ip, uint16_t port)
{
	uint8_t buf[4096];
	const uint8_t *p;
	rte_be32_t src = 0;
	uint16_t sport = 0;

	XT_CHECK(rte_pktmbuf_pkt_len(m) == n, "%s: datagram %u: %u bytes, expected %u",
		 r->sc->name, k, rte_pktmbuf_pkt_len(m), n);
	p = rte_pktmbuf_read(m, 0, RTE_MIN(n, rte_pktmbuf_pkt_len(m)), buf);
	XT_CHECK(p != NULL && payload_is(p, k, RTE_MIN(n, rte_pktmbuf_pkt_len(m))),
		 "%s: datagram %u: payload differs", r->sc->name, k);
	XT_EQ(xchg_udp_source(m, &src, &sport), 0);
	XT_CHECK(src == be_ip(ip) && sport == port,
		 "%s: datagram %u: source %08x:%u, expected %08x:%u",
		 r->sc->name, k, rte_be_to_cpu_32(src), sport, ip, port);
}

struct dgram {
	unsigned int k, n;
	uint32_t ip;
	uint16_t port;
};

/* Socket @sock, which must have kept @nb datagrams; NULL: no such
 * socket. */
static struct sock_rx *
kept_by(struct run *r, const char *sock, unsigned int nb)
{
	struct sock_rx *x = find_sock(r, sock);

	if (x != NULL)
		XT_CHECK(x->nb_kept == nb, "%s: socket %s kept %u datagrams, expected %u",
			 r->sc->name, sock, x->nb_kept, nb);
	return x;
}

static void
expect_datagrams(struct run *r, const char *sock, const struct dgram *d,
		 unsigned int nb)
{
	struct sock_rx *x = kept_by(r, sock, nb);
	unsigned int i;

	for (i = 0; x != NULL && i < nb && i < x->nb_kept; i++)
		expect_datagram(r, x->kept[i], d[i].k, d[i].n, d[i].ip,
				d[i].port);
}

/* ---- transmitted frames ---- */

/* The Ethernet header of tx frame @i: to @eth_dst from us, the VLAN tags
 * @tags (@nt bytes, as the request had them), then @type. */
static bool
expect_eth(const struct run *r, unsigned int i, const uint8_t *eth_dst,
	   const uint8_t *tags, unsigned int nt, uint16_t type)
{
	const struct frame *f = &r->tx.f[i];
	bool ok = f->len >= 14 + nt &&
		  memcmp(f->data, eth_dst, 6) == 0 &&
		  memcmp(f->data + 6, r->mac, 6) == 0 &&
		  (nt == 0 || memcmp(f->data + 12, tags, nt) == 0) &&
		  be16(f->data + 12 + nt) == type;

	XT_CHECK(ok, "%s: tx %u: Ethernet header: %u tag bytes expected, type %04x at %u is %04x",
		 r->sc->name, i, nt, type, 12 + nt,
		 f->len >= 14 + nt ? be16(f->data + 12 + nt) : 0);
	return ok;
}

static void
expect_arp_tagged(const struct run *r, unsigned int i, uint16_t op,
		  const uint8_t *eth_dst, const uint8_t *tha, uint32_t tpa,
		  const uint8_t *tags, unsigned int nt)
{
	const struct frame *f = &r->tx.f[i];
	const uint8_t *a = f->data + 14 + nt;

	XT_CHECK(f->len >= 42 + nt, "%s: tx %u: %u bytes", r->sc->name, i,
		 f->len);
	if (f->len < 42 + nt || !expect_eth(r, i, eth_dst, tags, nt, 0x0806))
		return;
	XT_CHECK(be16(a) == 1 && be16(a + 2) == 0x0800 && a[4] == 6 &&
		 a[5] == 4 && be16(a + 6) == op,
		 "%s: tx %u: ARP header (op %u, expected %u)", r->sc->name, i,
		 be16(a + 6), op);
	XT_CHECK(memcmp(a + 8, r->mac, 6) == 0 && be32(a + 14) == OUR_IP,
		 "%s: tx %u: ARP sender is not us", r->sc->name, i);
	XT_CHECK(memcmp(a + 18, tha, 6) == 0 && be32(a + 24) == tpa,
		 "%s: tx %u: ARP target %08x, expected %08x", r->sc->name, i,
		 be32(a + 24), tpa);
}

static void
expect_arp(const struct run *r, unsigned int i, uint16_t op,
	   const uint8_t *eth_dst, const uint8_t *tha, uint32_t tpa)
{
	expect_arp_tagged(r, i, op, eth_dst, tha, tpa, NULL, 0);
}

/* An IPv4 header from us to @dst after @nt bytes of VLAN tags; returns
 * its length, or 0 when the frame cannot be checked further. */
static unsigned int
expect_ipv4(const struct run *r, unsigned int i, const uint8_t *eth_dst,
	    uint32_t dst, uint8_t proto, unsigned int l4_len,
	    const uint8_t *tags, unsigned int nt)
{
	const struct frame *f = &r->tx.f[i];
	const uint8_t *ip = f->data + 14 + nt;
	unsigned int ihl, l2 = 14 + nt;

	XT_CHECK(f->len >= l2 + 20, "%s: tx %u: %u bytes", r->sc->name, i,
		 f->len);
	if (f->len < l2 + 20 || !expect_eth(r, i, eth_dst, tags, nt, 0x0800))
		return 0;
	ihl = (ip[0] & 0xf) * 4u;
	XT_CHECK((ip[0] >> 4) == 4 && ihl >= 20 && l2 + ihl <= f->len,
		 "%s: tx %u: version/IHL %02x", r->sc->name, i, ip[0]);
	if (ihl < 20 || l2 + ihl > f->len)
		return 0;
	XT_CHECK(f->len == l2 + ihl + l4_len,
		 "%s: tx %u: frame of %u bytes, expected %u", r->sc->name, i,
		 f->len, l2 + ihl + l4_len);
	XT_CHECK(be16(ip + 2) == ihl + l4_len,
		 "%s: tx %u: IP total length %u, expected %u", r->sc->name, i,
		 be16(ip + 2), ihl + l4_len);
	XT_CHECK((be16(ip + 6) & 0x3fff) == 0, "%s: tx %u: a fragment",
		 r->sc->name, i);
	XT_CHECK(ip[8] != 0 && ip[9] == proto,
		 "%s: tx %u: TTL %u, protocol %u", r->sc->name, i, ip[8], ip[9]);
	XT_CHECK(cksum_ok(ip, ihl, 0), "%s: tx %u: bad IP header checksum",
		 r->sc->name, i);
	XT_CHECK(be32(ip + 12) == OUR_IP && be32(ip + 16) == dst,
		 "%s: tx %u: %08x > %08x, expected %08x > %08x", r->sc->name,
		 i, be32(ip + 12), be32(ip + 16), OUR_IP, dst);
	return f->len >= l2 + ihl + l4_len ? ihl : 0;
}

/* An echo reply to the peer for request seq/k/n, with the request's
 * VLAN tags. */
static void
expect_echo_reply_tagged(const struct run *r, unsigned int i, uint16_t seq,
			 unsigned int k, unsigned int n, const uint8_t *tags,
			 unsigned int nt)
{
	unsigned int ihl = expect_ipv4(r, i, PEER_MAC, PEER_IP, 1, 8 + n,
				       tags, nt);
	const uint8_t *icmp;

	if (ihl == 0)
		return;
	icmp = r->tx.f[i].data + 14 + nt + ihl;
	XT_CHECK(icmp[0] == 0 && icmp[1] == 0, "%s: tx %u: ICMP type %u code %u",
		 r->sc->name, i, icmp[0], icmp[1]);
	XT_CHECK(be16(icmp + 4) == 0x1234 && be16(icmp + 6) == seq,
		 "%s: tx %u: echo id %04x seq %u, expected seq %u", r->sc->name,
		 i, be16(icmp + 4), be16(icmp + 6), seq);
	XT_CHECK(payload_is(icmp + 8, k, n), "%s: tx %u: echo payload differs",
		 r->sc->name, i);
	XT_CHECK(cksum_ok(icmp, 8 + n, 0), "%s: tx %u: bad ICMP checksum",
		 r->sc->name, i);
}

static void
expect_echo_reply(const struct run *r, unsigned int i, uint16_t seq,
		  unsigned int k, unsigned int n)
{
	expect_echo_reply_tagged(r, i, seq, k, n, NULL, 0);
}

/* A datagram the stack built: payload k/n from OUR_IP:sport to dst. */
static void
expect_udp_sent(const struct run *r, unsigned int i, uint16_t sport,
		uint32_t dst, uint16_t dport, unsigned int k, unsigned int n)
{
	unsigned int ihl = expect_ipv4(r, i, PEER_MAC, dst, 17, 8 + n, NULL,
				       0);
	const uint8_t *ip, *udp;

	if (ihl == 0)
		return;
	ip = r->tx.f[i].data + 14;
	udp = ip + ihl;
	XT_CHECK(be16(udp) == sport && be16(udp + 2) == dport &&
		 be16(udp + 4) == 8 + n,
		 "%s: tx %u: UDP %u > %u length %u", r->sc->name, i, be16(udp),
		 be16(udp + 2), be16(udp + 4));
	/* The pseudo header: addresses, protocol, UDP length. */
	XT_CHECK(be16(udp + 6) != 0 &&
		 cksum_ok(udp, 8 + n, sum16(ip + 12, 8, 17 + 8 + n)),
		 "%s: tx %u: UDP checksum %04x missing or wrong", r->sc->name,
		 i, be16(udp + 6));
	XT_CHECK(payload_is(udp + 8, k, n), "%s: tx %u: payload differs",
		 r->sc->name, i);
}

/* ---- scenario hooks ---- */

static void
setup_second_address(struct run *r)
{
	XT_EQ(xchg_stack_add_address(r->stack, be_ip(OUR_IP2), 24), 0);
	udp_socket(r, "udp2", OUR_IP2, 7002, 8, true);
}

/* Classify an IPv6 frame (no next header) to @dst. */
static enum xchg_stack_drop
classify6(struct run *r, const uint8_t *dst)
{
	uint8_t f[14 + 48] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60,
			       [19] = 8, [20] = 59, [21] = 64 };
	struct xchg_stack_verdict v;

	memcpy(f, r->mac, 6);
	f[22] = 0xfe;
	f[23] = 0x80;
	f[37] = 2;
	memcpy(f + 38, dst, 16);
	XT_EQ(xchg_stack_classify(r->stack, f, sizeof(f), &v), 0);
	return v.reason;
}

/* The link-local address is fe80::/64 from the MAC (RFC 4291), and
 * its solicited-node group is heard; a neighbour's is not ours. */
static void
check_link_local(struct run *r)
{
	uint8_t ll[16] = { 0xfe, 0x80 }, sn[16] = { 0xff, 0x02, [11] = 1,
						    [12] = 0xff };

	ll[8] = r->mac[0] ^ 2;
	ll[9] = r->mac[1];
	ll[10] = r->mac[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	memcpy(ll + 13, r->mac + 3, 3);
	memcpy(sn + 13, r->mac + 3, 3);
	XT_EQ(classify6(r, ll), XCHG_SD_IPV6);
	XT_EQ(classify6(r, sn), XCHG_SD_IPV6);
	ll[15] ^= 1;
	sn[15] ^= 1;
	XT_EQ(classify6(r, ll), XCHG_SD_NOT_FOR_US);
	XT_EQ(classify6(r, sn), XCHG_SD_NOT_FOR_US);
}

/* 2001:db8::1/64, and with it the link-local address. */
static void
setup_address6(struct run *r)
{
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t mcast[16] = { 0xff, 0x02, [15] = 1 };

	XT_EQ(xchg_stack_add_address6(r->stack, ip6, 64), 0);
	XT_EQ(xchg_stack_add_address6(r->stack, ip6, 64), -EEXIST);
	XT_EQ(xchg_stack_add_address6(r->stack, mcast, 64), -EINVAL);
	XT_EQ(xchg_stack_add_address6(r->stack, ip6, 129), -EINVAL);
	check_link_local(r);
}

/* ---- neighbour discovery and ICMPv6 (gen_pcaps.py nd_scenarios) ---- */

static const uint8_t PEER_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static bool
icmp6_sum_ok(const uint8_t *ip6, uint32_t len, uint32_t off)
{
	uint8_t tail[8] = { 0, 0, (uint8_t)(len >> 8), (uint8_t)len,
			    0, 0, 0, 58 };
	uint32_t sum = rte_raw_cksum(ip6 + 8, 32) + rte_raw_cksum(tail, 8) +
		       rte_raw_cksum(ip6 + off, len);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* What the stack sent over IPv6: DAD probes, advertisements (their
 * targets' last bytes), echo replies; every checksum and hop limit
 * checked here. */
struct tx6 {
	unsigned int dad, ns, na, echo, other;
	uint8_t na_target[8];
	uint16_t echo_seq[8];
};

static struct tx6
tx6_read(struct run *r)
{
	static const uint8_t zero[16];
	struct tx6 t;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < r->tx.n; i++) {
		const uint8_t *p = r->tx.f[i].data, *ip6 = p + 14, *icmp;
		uint32_t plen, off = 40;

		if (r->tx.f[i].len < 58 || p[12] != 0x86 || p[13] != 0xdd) {
			t.other++;
			continue;
		}
		plen = (uint32_t)(ip6[4] << 8 | ip6[5]);
		if (ip6[6] == 60)           /* the echo kept its options */
			off += (uint32_t)(ip6[41] + 1) * 8;
		icmp = ip6 + off;
		XT_CHECK(r->tx.f[i].len >= 14 + 40 + plen &&
			 icmp6_sum_ok(ip6, plen + 40 - off, off),
			 "%s: frame %u: ICMPv6 checksum", r->sc->name, i);
		XT_CHECK(memcmp(p + 6, r->mac, 6) == 0, "%s: frame %u: source MAC",
			 r->sc->name, i);
		if (icmp[0] == 135 || icmp[0] == 136)
			XT_EQ(ip6[7], 255);
		if (icmp[0] == 135 && memcmp(ip6 + 8, zero, 16) == 0) {
			t.dad++;
		} else if (icmp[0] == 135) {
			t.ns++;
		} else if (icmp[0] == 136) {
			XT_CHECK(icmp[24] == 2 && memcmp(icmp + 26, r->mac, 6) == 0,
				 "%s: frame %u: our address in the option",
				 r->sc->name, i);
			if (t.na < RTE_DIM(t.na_target))
				t.na_target[t.na] = icmp[23];
			t.na++;
		} else if (icmp[0] == 129) {
			if (t.echo < RTE_DIM(t.echo_seq))
				t.echo_seq[t.echo] =
					(uint16_t)(icmp[6] << 8 | icmp[7]);
			t.echo++;
		} else {
			t.other++;
		}
	}
	return t;
}

static void
setup_nd_storm(struct run *r)
{
	static const struct rte_ether_addr peer = { { 2, 0, 0, 0, 0, 2 } };

	setup_address6(r);
	XT_EQ(xchg_stack_add_neighbour6(r->stack, PEER_IP6, &peer), 0);
}

static void
check_nd_answer(struct run *r)
{
	static const uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 };
	static const uint8_t fourth[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 4 };
	static const uint8_t ll2[16] = { 0xfe, 0x80, [15] = 2 };
	struct rte_ether_addr mac;

	XT_EQ(xchg_stack_lookup_neighbour6(r->stack, PEER_IP6, &mac), 0);
	XT_EQ(memcmp(&mac, PEER_MAC, 6), 0);
	XT_EQ(xchg_stack_lookup_neighbour6(r->stack, ll2, &mac), 0);
	XT_EQ(memcmp(&mac, PEER_MAC2, 6), 0);
	XT_EQ(xchg_stack_lookup_neighbour6(r->stack, other, &mac), 0);
	XT_EQ(mac.addr_bytes[5], 3);
	XT_EQ(xchg_stack_lookup_neighbour6(r->stack, fourth, &mac), -ENOENT);
}

static void
tx_nd_answer(struct run *r)
{
	struct tx6 t = tx6_read(r);

	XT_EQ(t.dad, 2);
	XT_EQ(t.na, 3);
	XT_EQ(t.na_target[0], 1);
	XT_EQ(t.na_target[1], 1);
	XT_EQ(t.na_target[2], 1);
	XT_EQ(t.other + t.ns + t.echo, 0);
}

static void
check_nd_dad_conflict(struct run *r)
{
	static const uint8_t ours[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	/* Another node has it: not ours any more. */
	XT_EQ(classify6(r, ours), XCHG_SD_NOT_FOR_US);
}

static void
tx_dad_only(struct run *r)
{
	struct tx6 t = tx6_read(r);

	/* In nd_dad_conflict the advertisement came before the global
	 * address's probe could go: only the link-local one's went. */
	XT_EQ(t.dad, r->sc->tx);
	XT_EQ(t.other + t.ns + t.na + t.echo, 0);
}

static void
tx_icmp6_echo(struct run *r)
{
	struct tx6 t = tx6_read(r);
	unsigned int i;

	XT_EQ(t.dad, 2);
	XT_EQ(t.echo, 3);
	for (i = 0; i < 3 && i < t.echo; i++)
		XT_EQ(t.echo_seq[i], i + 1);
	/* Addressed back to the sender, from the address it pinged. */
	for (i = 0; i < r->tx.n; i++) {
		const uint8_t *p = r->tx.f[i].data;

		if (r->tx.f[i].len > 54 && p[12] == 0x86 && p[20] == 58 &&
		    p[54] == 129) {
			XT_EQ(memcmp(p, PEER_MAC, 6), 0);
			XT_CHECK(p[22] == 0x20 && p[22 + 15] == 1 &&
				 p[38 + 15] == 2, "%s: echo reply addresses",
				 r->sc->name);
		}
	}
}

static void
check_nd_storm(struct run *r)
{
	struct rte_ether_addr mac;

	/* The configured neighbour: the imposter's override changed
	 * nothing; the storm churned the learned part only. */
	XT_EQ(xchg_stack_lookup_neighbour6(r->stack, PEER_IP6, &mac), 0);
	XT_EQ(memcmp(&mac, PEER_MAC, 6), 0);
}

static void
tx_nd_storm(struct run *r)
{
	struct tx6 t = tx6_read(r);

	XT_EQ(t.dad, 2);
	XT_EQ(t.na, 2000);
	XT_EQ(t.other + t.ns + t.echo, 0);
}

static void
setup_connected(struct run *r)
{
	XT_EQ(xchg_udp_connect(r->socks[0].sock, be_ip(PEER_IP), 40000), 0);
}

static void
setup_packet_socket(struct run *r)
{
	add_socket(r, xchg_packet_socket(r->stack, "pkt", PKT_TYPE, 8,
					 XCHG_PRIO_NORMAL), true);
}

static void
setup_flood(struct run *r)
{
	struct xchg_socket *s = xchg_udp_socket(r->stack, "critical", 64,
						XCHG_PRIO_CRITICAL);

	add_socket(r, s, false);
	if (s != NULL)
		XT_EQ(xchg_udp_bind(s, 0, FLOOD_PORT), 0);
}

static void
setup_static_peer(struct run *r)
{
	struct rte_ether_addr mac;

	memcpy(mac.addr_bytes, PEER_MAC, 6);
	XT_EQ(xchg_stack_add_neighbour(r->stack, be_ip(PEER_IP), &mac), 0);
}

static void
check_arp_request(struct run *r)
{
	struct rte_ether_addr mac;

	XT_EQ(xchg_stack_lookup_neighbour(r->stack, be_ip(PEER_IP), &mac), 0);
	XT_CHECK(memcmp(mac.addr_bytes, PEER_MAC, 6) == 0,
		 "requester learned with its MAC");
}

static void
tx_arp_reply(struct run *r)
{
	expect_arp(r, 0, 2, PEER_MAC, PEER_MAC, PEER_IP);
}

static void
check_arp_not_for_us(struct run *r)
{
	struct rte_ether_addr mac;

	XT_EQ(xchg_stack_lookup_neighbour(r->stack, be_ip(PEER_IP), &mac),
	      -ENOENT);
}

static void
check_gratuitous(struct run *r)
{
	struct rte_ether_addr mac;

	/* The announcement moved the known peer to its new MAC... */
	XT_EQ(xchg_stack_lookup_neighbour(r->stack, be_ip(PEER_IP), &mac), 0);
	XT_CHECK(memcmp(mac.addr_bytes, PEER_MAC2, 6) == 0,
		 "gratuitous ARP updated the known peer's MAC");
	/* ...and an unknown announcer was not added (RFC 826). */
	XT_EQ(xchg_stack_lookup_neighbour(r->stack, be_ip(OTHER_IP), &mac),
	      -ENOENT);
}

static void
tx_icmp_echo(struct run *r)
{
	/* gen_pcaps.py: seq k, payloads 56, 0 (padded frame), 33, 20 (IP
	 * option: IHL 6). */
	static const unsigned int n[] = { 56, 0, 33, 20 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(n) && i < r->tx.n; i++)
		expect_echo_reply(r, i, (uint16_t)i, i, n[i]);
	if (r->tx.n == 4)
		XT_CHECK((r->tx.f[3].data[14] & 0xf) == 6,
			 "the reply keeps the request's IP option");
}

static void
check_udp_delivered(struct run *r)
{
	static const struct dgram d[] = {
		{ 0, 12, PEER_IP, 40000 }, { 1, 100, PEER_IP, 40001 },
		{ 2, 1400, PEER_IP, 40002 }, { 3, 2, PEER_IP, 40003 },
		{ 4, 30, OTHER_IP, 40004 }, { 5, 17, PEER_IP, 40005 },
		{ 6, 9, PEER_IP, 40006 },
	};
	struct xchg_socket_stats ss;

	expect_datagrams(r, "udp", d, RTE_DIM(d));
	XT_EQ(xchg_socket_stats_get(r->socks[0].sock, &ss), 0);
	XT_EQ(ss.received, RTE_DIM(d));
	XT_EQ(ss.pool.accepted, RTE_DIM(d));
	XT_EQ(ss.pool.in_use, RTE_DIM(d)); /* all kept by the test */
	XT_EQ(ss.pool.refused, 0);
}

static void
check_udp_no_socket(struct run *r)
{
	static const struct dgram d[] = { { 3, 10, PEER_IP, 40003 } };

	expect_datagrams(r, "udp2", d, RTE_DIM(d));
}

static void
check_udp_connected(struct run *r)
{
	static const struct dgram d[] = { { 0, 10, PEER_IP, 40000 } };

	expect_datagrams(r, "udp", d, RTE_DIM(d));
}

static void
check_udp_bad_checksum(struct run *r)
{
	static const struct dgram d[] = { { 2, 22, PEER_IP, 40002 } };

	expect_datagrams(r, "udp", d, RTE_DIM(d));
}

static void
check_udp_unverified(struct run *r)
{
	static const struct dgram d[] = {
		{ 0, 20, PEER_IP, 40000 }, { 1, 21, PEER_IP, 40001 },
		{ 2, 22, PEER_IP, 40002 },
	};

	expect_datagrams(r, "udp", d, RTE_DIM(d));
}

static void
check_udp_short_length(struct run *r)
{
	static const struct dgram d[] = { { 0, 4, PEER_IP, 40000 } };

	expect_datagrams(r, "udp", d, RTE_DIM(d));
}

static void
check_multiseg(struct run *r)
{
	static const struct dgram d[] = { { 0, 1000, PEER_IP, 40000 } };

	expect_datagrams(r, "udp", d, RTE_DIM(d));
}

static void
check_jumbo(struct run *r)
{
	static const struct dgram d[] = { { 0, 3000, PEER_IP, 40000 } };

	expect_datagrams(r, "udp", d, RTE_DIM(d));
}

static void
check_vlan_delivered(struct run *r)
{
	static const struct dgram d[] = {
		{ 0, 40, PEER_IP, 40000 }, { 1, 41, PEER_IP, 40001 },
		{ 2, 42, PEER_IP, 40002 },
	};

	expect_datagrams(r, "udp", d, RTE_DIM(d));
}

static void
check_packet_socket(struct run *r)
{
	struct sock_rx *x = find_sock(r, "pkt");
	uint8_t buf[2048];
	unsigned int i;

	if (x == NULL)
		return;
	/* Frames 0-3 of the capture, whole and byte for byte. */
	XT_EQ(x->nb_kept, 4);
	for (i = 0; i < x->nb_kept && i < 4 && i < r->rx.n; i++) {
		struct rte_mbuf *m = x->kept[i];
		const uint8_t *p = rte_pktmbuf_pkt_len(m) > sizeof(buf) ? NULL :
				   rte_pktmbuf_read(m, 0,
						    rte_pktmbuf_pkt_len(m), buf);

		XT_CHECK(rte_pktmbuf_pkt_len(m) == r->rx.f[i].len &&
			 p != NULL && memcmp(p, r->rx.f[i].data,
					     r->rx.f[i].len) == 0,
			 "packet socket frame %u is not the frame sent", i);
	}
}

static void
tx_services_vlan(struct run *r)
{
	static const uint8_t tag[] = { 0x81, 0x00, 0x00, 10 };

	/* Both answered on the request's VLAN. */
	expect_arp_tagged(r, 0, 2, PEER_MAC, PEER_MAC, PEER_IP, tag,
			  sizeof(tag));
	expect_echo_reply_tagged(r, 1, 1, 1, 24, tag, sizeof(tag));
}

static void
tx_services_qinq(struct run *r)
{
	/* gen_pcaps.py: 802.1ad 20 + 802.1Q 30 (ARP and echo 1), 802.1Q 40 +
	 * 802.1Q 50 (echo 2), 802.1ad 60 alone (echo 3). */
	static const uint8_t ad_q[] = { 0x88, 0xa8, 0, 20, 0x81, 0x00, 0, 30 };
	static const uint8_t q_q[] = { 0x81, 0x00, 0, 40, 0x81, 0x00, 0, 50 };
	static const uint8_t ad[] = { 0x88, 0xa8, 0, 60 };

	if (r->tx.n != 4)
		return;
	expect_arp_tagged(r, 0, 2, PEER_MAC, PEER_MAC, PEER_IP, ad_q,
			  sizeof(ad_q));
	expect_echo_reply_tagged(r, 1, 1, 1, 24, ad_q, sizeof(ad_q));
	expect_echo_reply_tagged(r, 2, 2, 2, 24, q_q, sizeof(q_q));
	expect_echo_reply_tagged(r, 3, 3, 3, 24, ad, sizeof(ad));
}

static void
check_flood(struct run *r)
{
	struct xchg_pool_stats icmp;
	struct xchg_socket_stats crit;
	struct sock_rx *x = find_sock(r, "critical");

	if (x == NULL)
		return;
	/* One burst of 32 per poll: 24 pings, 8 datagrams. The ICMP pool
	 * (8) takes the first 8 pings of each burst and refuses 16; the
	 * critical socket loses nothing. */
	XT_EQ(x->received, 80);
	XT_EQ(xchg_socket_stats_get(x->sock, &crit), 0);
	XT_EQ(crit.pool.accepted, 80);
	XT_EQ(crit.pool.refused, 0);
	XT_EQ(crit.received, 80);
	XT_EQ(crit.priority, XCHG_PRIO_CRITICAL);
	XT_EQ(xchg_pool_stats_get(xchg_stack_service_pool(r->stack, true),
				  &icmp), 0);
	XT_EQ(icmp.quota, 8);
	XT_EQ(icmp.accepted, 80);
	XT_EQ(icmp.refused, 160);
	XT_EQ(icmp.in_use, 0);
	XT_EQ(icmp.low_watermark, 0);
	XT_EQ(r->ps.drops[XCHG_DROP_NO_BUFFERS], 160);
	XT_EQ(r->st.service_no_buffers, 0);
}

static void
tx_flood(struct run *r)
{
	unsigned int i;

	/* Reply i answers the (i % 8)th ping of burst i / 8. */
	for (i = 0; i < r->tx.n; i++) {
		unsigned int seq = (i / 8) * 24 + i % 8;

		expect_echo_reply(r, i, (uint16_t)seq, seq, 32);
	}
}

struct neigh_seen {
	unsigned int n, flood, statics;
	bool first, last, announcer;
};

static int
neigh_count(const struct xchg_neigh_info *n, void *arg)
{
	struct neigh_seen *s = arg;
	uint32_t ip = rte_be_to_cpu_32(n->ip);

	s->n++;
	if (n->is_static && ip == PEER_IP &&
	    memcmp(n->mac.addr_bytes, PEER_MAC, 6) == 0)
		s->statics++;
	if (ip >= IP4(192, 0, 2, 10) && ip <= IP4(192, 0, 2, 109) &&
	    !n->is_static && n->mac.addr_bytes[5] == (ip & 0xff) - 10)
		s->flood++;
	s->first |= ip == IP4(192, 0, 2, 10);
	s->last |= ip == IP4(192, 0, 2, 109);
	s->announcer |= ip >= IP4(192, 0, 2, 150) && ip <= IP4(192, 0, 2, 199);
	return 0;
}

static void
check_neigh_flood(struct run *r)
{
	struct neigh_seen s = { 0 };
	struct rte_ether_addr mac;

	/* 16 learned at most; the configured entry is kept apart. */
	XT_CHECK(r->max_neighbours <= 17, "the table grew to %u (cap 16 + 1)",
		 r->max_neighbours);
	XT_EQ(xchg_stack_neigh_foreach(r->stack, neigh_count, &s), 0);
	XT_EQ(s.n, 17);
	XT_EQ(s.statics, 1);    /* never replaced */
	XT_EQ(s.flood, 16);     /* the newest learned entries */
	XT_CHECK(s.last && !s.first, "oldest learned entry replaced first");
	XT_CHECK(!s.announcer, "unknown announcers are not added");
	XT_EQ(xchg_stack_lookup_neighbour(r->stack, be_ip(PEER_IP), &mac), 0);
}

static void
tx_neigh_flood(struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->tx.n; i++) {
		uint8_t mac[6] = { 2, 0, 0, 0, 0x10, (uint8_t)i };

		expect_arp(r, i, 2, mac, mac, IP4(192, 0, 2, 10 + i));
	}
}

/* Allocate a datagram of payload k/n from a socket. */
static struct rte_mbuf *
datagram(struct xchg_socket *s, unsigned int k, unsigned int n)
{
	struct rte_mbuf *m;
	uint8_t *p;

	if (xchg_socket_alloc_bulk(s, &m, 1) != 0) {
		XT_CHECK(false, "socket allocation");
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
	XT_CHECK(p != NULL || n == 0, "room for %u bytes", n);
	if (p != NULL)
		payload(k, n, p);
	return m;
}

static void
check_udp_send(struct run *r)
{
	struct xchg_socket *s = xchg_udp_socket(r->stack, "tx", 8,
						XCHG_PRIO_NORMAL);
	struct xchg_socket_stats ss;
	struct rte_mbuf *m[3];
	unsigned int i;

	add_socket(r, s, false);
	if (s == NULL)
		return;
	XT_EQ(xchg_udp_bind(s, 0, 5000), 0);
	/* Waiting for a neighbour off (tests/stack/test_stack_pending.c
	 * has it on), so that a send to an unresolved one fails. */
	XT_EQ(xchg_udp_set_pending(s, 0), 0);
	/* A burst of three to the static neighbour; 1472 fills the MTU. */
	m[0] = datagram(s, 0, 10);
	m[1] = datagram(s, 1, 1);
	m[2] = datagram(s, 2, 1472);
	XT_EQ(xchg_udp_send_burst(s, be_ip(PEER_IP), 6000, m, 3), 3);
	/* No neighbour yet: one ARP request, rate limited, and EAGAIN. */
	m[0] = datagram(s, 3, 10);
	XT_EQ(xchg_udp_send_burst(s, be_ip(OTHER_IP), 6000, m, 1), 0);
	XT_EQ(rte_errno, EAGAIN);
	XT_EQ(xchg_udp_send_burst(s, be_ip(OTHER_IP), 6000, m, 1), 0);
	XT_EQ(rte_errno, EAGAIN);
	/* No route. */
	XT_EQ(xchg_udp_send_burst(s, be_ip(IP4(203, 0, 113, 5)), 6000, m, 1),
	      0);
	XT_EQ(rte_errno, EHOSTUNREACH);
	XT_EQ(rte_pktmbuf_pkt_len(m[0]), 10);
	XT_CHECK(payload_is(rte_pktmbuf_mtod(m[0], uint8_t *), 3, 10),
		 "a datagram not sent comes back as it was");
	rte_pktmbuf_free(m[0]);
	/* Over the MTU. */
	m[0] = datagram(s, 4, 1473);
	XT_EQ(xchg_udp_send_burst(s, be_ip(PEER_IP), 6000, m, 1), 0);
	XT_EQ(rte_errno, EMSGSIZE);
	XT_EQ(rte_pktmbuf_pkt_len(m[0]), 1473);
	rte_pktmbuf_free(m[0]);
	/* To the connected peer. */
	XT_EQ(xchg_udp_connect(s, be_ip(PEER_IP), 6001), 0);
	m[0] = datagram(s, 5, 64);
	XT_EQ(xchg_udp_send_burst(s, 0, 0, m, 1), 1);

	XT_EQ(xchg_socket_stats_get(s, &ss), 0);
	XT_EQ(ss.sent, 4);
	XT_EQ(ss.send_failed, 4);
	/* The TX queue paid: the socket has all its buffers back. */
	XT_EQ(ss.pool.in_use, 0);
	/* Six datagrams and the ARP request for OTHER_IP: the sender pays
	 * for the request it needs. */
	XT_EQ(ss.pool.allocated, 7);
	for (i = 0; i < 3; i++)
		XT_EQ(xchg_stack_poll(r->stack), 0);
}

static void
tx_udp_send(struct run *r)
{
	expect_udp_sent(r, 0, 5000, PEER_IP, 6000, 0, 10);
	expect_udp_sent(r, 1, 5000, PEER_IP, 6000, 1, 1);
	expect_udp_sent(r, 2, 5000, PEER_IP, 6000, 2, 1472);
	expect_arp(r, 3, 1, BCAST_MAC, ZERO_MAC, OTHER_IP);
	expect_udp_sent(r, 4, 5000, PEER_IP, 6001, 5, 64);
}

/*
 * A burst whose first datagram is refused (over the MTU) while the
 * second is a datagram the socket received, sent back: the second must
 * come back as it was.
 */
static void
check_udp_send_partial(struct run *r)
{
	struct sock_rx *x = &r->socks[0];
	struct rte_mbuf *m[2];

	XT_EQ(x->nb_kept, 1);
	if (x->nb_kept != 1)
		return;
	expect_datagram(r, x->kept[0], 0, 50, PEER_IP, 40000);
	m[0] = datagram(x->sock, 1, 1473);
	m[1] = x->kept[0];
	x->nb_kept = 0;
	XT_EQ(xchg_udp_send_burst(x->sock, be_ip(PEER_IP), 6000, m, 2), 0);
	XT_EQ(rte_errno, EMSGSIZE);
	XT_EQ(rte_pktmbuf_pkt_len(m[0]), 1473);
	XT_CHECK(rte_pktmbuf_pkt_len(m[1]) == 50 &&
		 payload_is(rte_pktmbuf_mtod(m[1], uint8_t *), 0, 50),
		 "the datagram that was never built lost %d bytes of payload",
		 50 - (int)rte_pktmbuf_pkt_len(m[1]));
	rte_pktmbuf_free_bulk(m, 2);
}

static void
check_frag_reassembled(struct run *r)
{
	static const struct dgram d[] = {
		{ 0, 3000, PEER_IP, 40000 }, { 1, 1500, PEER_IP, 40001 },
	};
	struct xchg_socket_stats ss;
	struct sock_rx *x = &r->socks[0];

	expect_datagrams(r, "udp", d, RTE_DIM(d));
	if (x->nb_kept == 2)
		XT_CHECK(x->kept[0]->nb_segs == 3 && x->kept[1]->nb_segs == 2,
			 "one segment per fragment");
	XT_EQ(r->st.reassembled, 2);
	/* Each fragment was charged to the socket as it came. */
	XT_EQ(xchg_socket_stats_get(x->sock, &ss), 0);
	XT_EQ(ss.pool.in_use, 5);
}

static void
check_frag_jumbo(struct run *r)
{
	static const struct dgram d[] = { { 0, 3092, PEER_IP, 40000 } };

	expect_datagrams(r, "udp", d, RTE_DIM(d));
	XT_EQ(r->st.reassembled, 1);
}

/* Let the collector's timer run out, then let the service expire it. */
static void
check_frag_staged(struct run *r)
{
	XT_EQ(r->st.staging.staged, 1);
	XT_EQ(r->st.staging.held, 1);
	xt_pool_expect(xchg_pool_lookup(r->arena, "port0_fragstage"), 1,
		       "frag_staged");
}

static void
check_frag_timeout(struct run *r)
{
	struct xchg_socket_stats ss;
	unsigned int i;

	XT_EQ(xchg_socket_stats_get(r->socks[0].sock, &ss), 0);
	XT_EQ(ss.pool.in_use, 2);     /* held by the collector */
	XT_EQ(r->st.drops[XCHG_SD_FRAG_TIMEOUT], 0);
	usleep((2 * r->sc->conf.frag_timeout_ms + 50) * 1000);
	for (i = 0; i < 3; i++)
		XT_EQ(xchg_stack_poll(r->stack), 0);
	XT_EQ(xchg_socket_stats_get(r->socks[0].sock, &ss), 0);
	XT_EQ(ss.pool.in_use, 0);
}

/*
 * A table of 2 (the static peer and one more): resolving OTHER takes the
 * free slot and sends a request; resolving THIRD then recycles OTHER's
 * slot, and must send its own first request at once.
 */
static void
check_neigh_recycled(struct run *r)
{
	struct xchg_socket *s = xchg_udp_socket(r->stack, "tx", 8,
						XCHG_PRIO_NORMAL);
	struct rte_mbuf *m;

	add_socket(r, s, false);
	if (s == NULL)
		return;
	XT_EQ(xchg_udp_bind(s, 0, 5000), 0);
	XT_EQ(xchg_udp_set_pending(s, 0), 0);
	m = datagram(s, 0, 10);
	XT_EQ(xchg_udp_send_burst(s, be_ip(OTHER_IP), 6000, &m, 1), 0);
	XT_EQ(rte_errno, EAGAIN);
	XT_EQ(xchg_udp_send_burst(s, be_ip(THIRD_IP), 6000, &m, 1), 0);
	XT_EQ(rte_errno, EAGAIN);
	rte_pktmbuf_free(m);
}

static void
tx_neigh_recycled(struct run *r)
{
	expect_arp(r, 0, 1, BCAST_MAC, ZERO_MAC, OTHER_IP);
	if (r->tx.n > 1)
		expect_arp(r, 1, 1, BCAST_MAC, ZERO_MAC, THIRD_IP);
}

/* ---- UDP over IPv6 (gen_pcaps.py's udp6_scenarios()) ---- */

static const uint8_t OUR_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t OUR_IP6_2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1,
				       [15] = 1 };
static const uint8_t PEER_LL6[16] = { 0xfe, 0x80, [15] = 2 };

/* A datagram either family: over IPv6 when @ip6 is set. */
struct dgram6 {
	unsigned int k, n;
	const uint8_t *ip6;
	uint16_t port;
};

static void
expect_datagrams6(struct run *r, const char *sock, const struct dgram6 *d,
		  unsigned int nb)
{
	struct sock_rx *x = kept_by(r, sock, nb);
	unsigned int i;

	for (i = 0; x != NULL && i < nb && i < x->nb_kept; i++) {
		struct rte_mbuf *m = x->kept[i];
		uint8_t ip6[16] = { 0 };
		uint16_t sport = 0;
		rte_be32_t ip4;

		if (d[i].ip6 == NULL) {
			expect_datagram(r, m, d[i].k, d[i].n, PEER_IP,
					d[i].port);
			XT_EQ(xchg_udp_source6(m, ip6, &sport), -EAFNOSUPPORT);
			continue;
		}
		XT_CHECK(rte_pktmbuf_pkt_len(m) == d[i].n &&
			 (rte_pktmbuf_is_contiguous(m) ?
			  payload_is(rte_pktmbuf_mtod(m, uint8_t *), d[i].k,
				     d[i].n) : true),
			 "%s: datagram %u over IPv6: %u bytes, expected %u",
			 r->sc->name, d[i].k, rte_pktmbuf_pkt_len(m), d[i].n);
		if (!rte_pktmbuf_is_contiguous(m)) {
			uint8_t *buf = malloc(d[i].n);
			const uint8_t *p = rte_pktmbuf_read(m, 0, d[i].n, buf);

			XT_CHECK(p != NULL && payload_is(p, d[i].k, d[i].n),
				 "%s: datagram %u: chained payload differs",
				 r->sc->name, d[i].k);
			free(buf);
		}
		XT_EQ(xchg_udp_source6(m, ip6, &sport), 0);
		XT_CHECK(memcmp(ip6, d[i].ip6, 16) == 0 &&
			 sport == d[i].port,
			 "%s: datagram %u: IPv6 source or port %u differs",
			 r->sc->name, d[i].k, sport);
		XT_EQ(xchg_udp_source(m, &ip4, &sport), -EAFNOSUPPORT);
	}
}

static void
setup_udp6(struct run *r)
{
	XT_EQ(xchg_stack_add_address6(r->stack, OUR_IP6, 64), 0);
}

static void
check_udp6_delivered(struct run *r)
{
	static const struct dgram6 d[] = {
		{ 0, 12, PEER_IP6, 40000 }, { 1, 100, PEER_LL6, 40001 },
		{ 2, 30, PEER_IP6, 40002 }, { 3, 9, PEER_IP6, 40003 },
		{ 4, 20, NULL, 40004 }, { 5, 1400, PEER_IP6, 40005 },
	};

	expect_datagrams6(r, "udp", d, RTE_DIM(d));
}

static void
check_udp6_checksum(struct run *r)
{
	static const struct dgram6 d[] = { { 0, 20, PEER_IP6, 40000 } };
	struct xchg_socket_stats ss;

	expect_datagrams6(r, "udp", d, RTE_DIM(d));
	/* Counted against the socket whose port it was for? No: a frame
	 * dropped by the parser has no owner yet (as over IPv4). */
	XT_EQ(xchg_socket_stats_get(r->socks[0].sock, &ss), 0);
	XT_EQ(ss.drops[XCHG_SD_UDP6_ZERO_CHECKSUM], 0);
}

static void
check_udp6_jumbo(struct run *r)
{
	static const struct dgram6 d[] = { { 0, 3000, PEER_IP6, 40000 } };

	expect_datagrams6(r, "udp", d, RTE_DIM(d));
}

static void
check_udp6_unverified(struct run *r)
{
	static const struct dgram6 d[] = {
		{ 0, 20, PEER_IP6, 40000 }, { 1, 21, PEER_IP6, 40001 },
	};

	expect_datagrams6(r, "udp", d, RTE_DIM(d));
}

/* udp (7000) narrowed to IPv6; v6addr bound to 2001:db8:1::1 port 7001;
 * v4fam on 7002 narrowed to IPv4; what contradicts them is refused. */
static void
setup_udp6_family(struct run *r)
{
	struct xchg_socket *u = r->socks[0].sock, *v6, *v4;

	setup_udp6(r);
	XT_EQ(xchg_stack_add_address6(r->stack, OUR_IP6_2, 64), 0);
	XT_EQ(xchg_udp_set_family(u, XCHG_FAMILY_IPV6), 0);
	XT_EQ(xchg_udp_set_family(u, (enum xchg_family)3), -EINVAL);
	XT_EQ(xchg_udp_set_family(NULL, XCHG_FAMILY_IPV6), -EINVAL);
	v6 = add_socket(r, xchg_udp_socket(r->stack, "v6addr", 8,
					   XCHG_PRIO_NORMAL), true)->sock;
	v4 = add_socket(r, xchg_udp_socket(r->stack, "v4fam", 8,
					   XCHG_PRIO_NORMAL), true)->sock;
	if (v6 == NULL || v4 == NULL)
		return;
	XT_EQ(xchg_udp_bind6(v6, PEER_IP6, 7001), -EINVAL); /* not ours */
	XT_EQ(xchg_udp_bind6(v6, OUR_IP6_2, UDP_PORT), -EADDRINUSE);
	XT_EQ(xchg_udp_bind6(v6, OUR_IP6_2, 7001), 0);
	XT_EQ(xchg_udp_bind6(v6, OUR_IP6_2, 7003), -EINVAL); /* bound */
	XT_EQ(xchg_udp_set_family(v6, XCHG_FAMILY_IPV4), -EINVAL);
	XT_EQ(xchg_udp_connect(v6, be_ip(PEER_IP), 40000), -EINVAL);
	XT_EQ(xchg_udp_set_family(v4, XCHG_FAMILY_IPV4), 0);
	XT_EQ(xchg_udp_bind6(v4, OUR_IP6, 7002), -EINVAL);
	XT_EQ(xchg_udp_connect6(v4, PEER_IP6, 40000), -EINVAL);
	XT_EQ(xchg_udp_bind(v4, 0, 7002), 0);
}

static void
check_udp6_family(struct run *r)
{
	static const struct dgram6 du[] = { { 1, 11, PEER_IP6, 40001 } };
	static const struct dgram6 d6[] = { { 2, 12, PEER_IP6, 40002 } };
	static const struct dgram6 d4[] = { { 5, 15, NULL, 40005 } };

	expect_datagrams6(r, "udp", du, RTE_DIM(du));
	expect_datagrams6(r, "v6addr", d6, RTE_DIM(d6));
	expect_datagrams6(r, "v4fam", d4, RTE_DIM(d4));
}

static void
setup_udp6_connected(struct run *r)
{
	setup_udp6(r);
	XT_EQ(xchg_udp_connect6(r->socks[0].sock, PEER_IP6, 40000), 0);
}

static void
check_udp6_connected(struct run *r)
{
	static const struct dgram6 d[] = { { 0, 10, PEER_IP6, 40000 } };

	expect_datagrams6(r, "udp", d, RTE_DIM(d));
}

static void
check_udp6_frag(struct run *r)
{
	/* In the order their last fragment arrived. */
	static const struct dgram6 d[] = {
		{ 0, 3000, PEER_IP6, 40000 }, { 1, 1500, PEER_IP6, 40001 },
		{ 2, 1200, PEER_IP6, 40002 }, { 3, 1600, PEER_IP6, 40003 },
	};
	struct xchg_socket_stats ss;

	expect_datagrams6(r, "udp", d, RTE_DIM(d));
	XT_EQ(xchg_socket_stats_get(r->socks[0].sock, &ss), 0);
	XT_EQ(ss.reassembled, 4);
	XT_EQ(ss.frag_pending, 0);
	XT_EQ(r->st.reassembled, 4);
}

/* The two fragments held are the socket's, and so is the loss. */
static void
check_udp6_frag_timeout(struct run *r)
{
	struct xchg_socket_stats ss;

	check_frag_timeout(r);
	XT_EQ(xchg_socket_stats_get(r->socks[0].sock, &ss), 0);
	XT_EQ(ss.drops[XCHG_SD_FRAG_TIMEOUT], 2);
	XT_EQ(ss.datagrams_lost[XCHG_SD_FRAG_TIMEOUT], 1);
}

static void
check_udp6_frag_invalid(struct run *r)
{
	struct xchg_socket_stats ss;

	XT_EQ(xchg_socket_stats_get(r->socks[0].sock, &ss), 0);
	XT_EQ(ss.drops[XCHG_SD_FRAG_INVALID], 2);
	XT_EQ(ss.pool.in_use, 0);
}

/* A datagram the stack built over IPv6: payload k/n from
 * [OUR_IP6]:sport to [dst]:dport, to PEER_MAC. */
static void
expect_udp6_sent(const struct run *r, unsigned int i, uint16_t sport,
		 const uint8_t *dst, uint16_t dport, unsigned int k,
		 unsigned int n)
{
	const struct frame *f = &r->tx.f[i];
	const uint8_t *ip = f->data + 14, *udp = ip + 40;
	uint32_t ph;

	XT_CHECK(f->len == 14 + 40 + 8 + n, "%s: tx %u: %u bytes, expected %u",
		 r->sc->name, i, f->len, 14 + 40 + 8 + n);
	if (f->len != 14 + 40 + 8 + n || !expect_eth(r, i, PEER_MAC, NULL, 0,
						       0x86dd))
		return;
	XT_CHECK((ip[0] >> 4) == 6 && be16(ip + 4) == 8 + n && ip[6] == 17 &&
		 ip[7] == 64, "%s: tx %u: IPv6 header (payload %u, next %u)",
		 r->sc->name, i, be16(ip + 4), ip[6]);
	XT_CHECK(memcmp(ip + 8, OUR_IP6, 16) == 0 &&
		 memcmp(ip + 24, dst, 16) == 0, "%s: tx %u: IPv6 addresses",
		 r->sc->name, i);
	XT_CHECK(be16(udp) == sport && be16(udp + 2) == dport &&
		 be16(udp + 4) == 8 + n, "%s: tx %u: UDP %u > %u length %u",
		 r->sc->name, i, be16(udp), be16(udp + 2), be16(udp + 4));
	/* Pseudo header: both addresses, length, next header. */
	ph = sum16(ip + 8, 32, 8 + n + 17);
	XT_CHECK(be16(udp + 6) != 0 && cksum_ok(udp, 8 + n, ph),
		 "%s: tx %u: UDP checksum %04x missing or wrong", r->sc->name,
		 i, be16(udp + 6));
	XT_CHECK(payload_is(udp + 8, k, n), "%s: tx %u: payload differs",
		 r->sc->name, i);
}

static void
check_udp6_send(struct run *r)
{
	struct xchg_socket *s = xchg_udp_socket(r->stack, "tx6", 8,
						XCHG_PRIO_NORMAL);
	struct xchg_socket *c = xchg_udp_socket(r->stack, "conn6", 8,
						XCHG_PRIO_NORMAL);
	struct rte_ether_addr mac;
	struct xchg_socket_stats ss;
	struct rte_mbuf *m[2];

	add_socket(r, s, false);
	add_socket(r, c, false);
	if (s == NULL || c == NULL)
		return;
	setup_udp6(r);
	memcpy(mac.addr_bytes, PEER_MAC, 6);
	XT_EQ(xchg_stack_add_neighbour6(r->stack, PEER_IP6, &mac), 0);
	XT_EQ(xchg_udp_bind(s, 0, 5000), 0);
	m[0] = datagram(s, 0, 10);
	m[1] = datagram(s, 1, 300);
	rte_errno = -1;
	XT_EQ(xchg_udp_send_burst6(s, PEER_IP6, 6000, m, 2), 2);
	XT_EQ(rte_errno, 0);
	/* 1452 bytes and the IPv6 and UDP headers fill the MTU; one more
	 * is refused (the stack does not fragment), the payload intact. */
	m[0] = datagram(s, 2, 1453);
	XT_EQ(xchg_udp_send_burst6(s, PEER_IP6, 6000, m, 1), 0);
	XT_EQ(rte_errno, EMSGSIZE);
	XT_EQ(rte_pktmbuf_pkt_len(m[0]), 1453);
	XT_CHECK(payload_is(rte_pktmbuf_mtod(m[0], uint8_t *), 2, 1453),
		 "a datagram not sent comes back as it was");
	/* Narrowed to IPv4: no IPv6 send; back to both. */
	XT_EQ(xchg_udp_set_family(s, XCHG_FAMILY_IPV4), 0);
	XT_EQ(xchg_udp_send_burst6(s, PEER_IP6, 6000, m, 1), 0);
	XT_EQ(rte_errno, EAFNOSUPPORT);
	XT_EQ(xchg_udp_set_family(s, XCHG_FAMILY_BOTH), 0);
	/* No peer to send to, and no route. */
	XT_EQ(xchg_udp_send_burst6(s, NULL, 6000, m, 1), 0);
	XT_EQ(rte_errno, EINVAL);
	XT_EQ(xchg_udp_send_burst6(s, (const uint8_t[16]){ 0x20, 0x01, 0x0d,
			0xb9, [15] = 1 }, 6000, m, 1), 0);
	XT_EQ(rte_errno, EHOSTUNREACH);
	rte_pktmbuf_free(m[0]);
	XT_EQ(xchg_socket_stats_get(s, &ss), 0);
	XT_EQ(ss.sent, 2);
	XT_EQ(ss.send_failed, 4);
	/* Bound to our IPv6 address and connected: to the peer, from it;
	 * no IPv4 send. */
	XT_EQ(xchg_udp_bind6(c, OUR_IP6, 5001), 0);
	XT_EQ(xchg_udp_connect6(c, PEER_IP6, 6001), 0);
	m[0] = datagram(c, 3, 20);
	XT_EQ(xchg_udp_send_burst(c, be_ip(PEER_IP), 6000, m, 1), 0);
	XT_EQ(rte_errno, EAFNOSUPPORT);
	XT_EQ(xchg_udp_send_burst6(c, NULL, 0, m, 1), 1);
}

static void
tx_udp6_send(struct run *r)
{
	static const struct { uint16_t sport, dport; unsigned int k, n; } w[] = {
		{ 5000, 6000, 0, 10 }, { 5000, 6000, 1, 300 },
		{ 5001, 6001, 3, 20 },
	};
	unsigned int i, u = 0;

	/* The datagrams in the order sent (a DAD probe would go at the
	 * next poll, which never comes). */
	for (i = 0; i < r->tx.n; i++) {
		const struct frame *f = &r->tx.f[i];

		if (f->len < 54 || be16(f->data + 12) != 0x86dd ||
		    f->data[20] != 17)
			continue;
		if (u < RTE_DIM(w))
			expect_udp6_sent(r, i, w[u].sport, PEER_IP6, w[u].dport,
					 w[u].k, w[u].n);
		u++;
	}
	XT_EQ(u, RTE_DIM(w));
}

#define D(reason, n) [XCHG_SD_ ## reason] = (n)

static const struct scenario scenarios[] = {
	{ .name = "arp_request", .frames = 1, .delivered = 1,
	  .arp_answered = 1, .arp_learned = 1, .neighbours = 1, .tx = 1,
	  .check = check_arp_request, .check_tx = tx_arp_reply },
	{ .name = "arp_not_for_us", .frames = 1,
	  .drops = { D(ARP_NOT_FOR_US, 1) }, .check = check_arp_not_for_us },
	{ .name = "arp_gratuitous", .frames = 3, .delivered = 3,
	  .arp_answered = 1, .arp_learned = 2, .neighbours = 1, .tx = 1,
	  .check = check_gratuitous, .check_tx = tx_arp_reply },
	{ .name = "arp_malformed", .frames = 4,
	  .drops = { D(ARP_MALFORMED, 4) } },
	{ .name = "icmp_echo", .frames = 4, .delivered = 4,
	  .icmp_answered = 4, .tx = 4, .check_tx = tx_icmp_echo },
	{ .name = "icmp_bad_checksum", .frames = 2,
	  .drops = { D(ICMP_CHECKSUM, 2) } },
	{ .name = "icmp_unhandled", .frames = 4,
	  .drops = { D(ICMP_UNHANDLED, 4) } },
	{ .name = "udp_delivered", .frames = 7, .delivered = 7, .udp_rx = 7,
	  .conf = { .verify_udp_checksum = true },
	  .check = check_udp_delivered },
	{ .name = "udp_no_socket", .frames = 4, .delivered = 1,
	  .drops = { D(NO_SOCKET, 3) }, .setup = setup_second_address,
	  .check = check_udp_no_socket },
	/* The connected peer's neighbour entry is pinned (unresolved). */
	{ .name = "udp_connected", .frames = 3, .delivered = 1, .udp_rx = 1,
	  .neighbours = 1,
	  .drops = { D(NO_SOCKET, 2) }, .setup = setup_connected,
	  .check = check_udp_connected },
	{ .name = "udp_bad_checksum", .frames = 3, .delivered = 1,
	  .udp_rx = 1, .conf = { .verify_udp_checksum = true },
	  .drops = { D(UDP_CHECKSUM, 2) }, .check = check_udp_bad_checksum },
	{ .name = "udp_bad_checksum_unverified", .file = "udp_bad_checksum",
	  .frames = 3, .delivered = 3, .udp_rx = 3,
	  .check = check_udp_unverified },
	{ .name = "udp_bad_length", .frames = 2,
	  .drops = { D(UDP_LENGTH, 2) } },
	{ .name = "vlan_delivered", .frames = 3, .delivered = 3, .udp_rx = 3,
	  .check = check_vlan_delivered },
	{ .name = "vlan_too_many", .frames = 2,
	  .drops = { D(VLAN_TOO_MANY, 2) } },
	{ .name = "vlan_truncated", .frames = 2,
	  .drops = { D(VLAN_TRUNCATED, 2) } },
	{ .name = "runt", .frames = 4, .drops = { D(RUNT, 4) } },
	{ .name = "unknown_ethertype", .frames = 3,
	  .drops = { D(UNKNOWN_ETHERTYPE, 3) } },
	{ .name = "ipv6", .frames = 3, .drops = { D(IPV6, 3) } },
	/* With an address: UDP to it (the both-family socket takes it),
	 * an echo to all-nodes (not answered), a solicitation for its
	 * solicited-node group (answered), a datagram in two fragments
	 * after a chain of four extension headers (reassembled: 2 frames,
	 * one datagram); not to another address or all-routers. */
	{ .name = "ipv6_addressed", .frames = 7, .delivered = 4, .udp_rx = 2,
	  .drops = { D(ICMP6_UNHANDLED, 1), D(NOT_FOR_US, 2) }, .tx = 3,
	  .nd_answered = 1,
	  .setup = setup_address6 },
	/* Neighbour discovery: answered and learned, DAD probes out; a
	 * conflict; echo; malformed ND/ICMPv6 of every kind; a storm from
	 * 2000 hosts against 16 learned entries (ND pool 32: a burst). */
	{ .name = "nd_answer", .frames = 5, .delivered = 4,
	  .drops = { D(ND_NOT_FOR_US, 1) }, .nd_answered = 3,
	  .nd_learned = 3, .neighbours6 = 3, .tx = 5,
	  .setup = setup_address6, .check = check_nd_answer,
	  .check_tx = tx_nd_answer },
	{ .name = "nd_dad_conflict", .frames = 34, .delivered = 1,
	  .conf = { .dad_ms = 60000 },
	  .drops = { D(ND_NOT_FOR_US, 1), D(NOT_FOR_US, 32) },
	  .dad_conflicts = 1, .tx = 1, .setup = setup_address6,
	  .check = check_nd_dad_conflict, .check_tx = tx_dad_only },
	{ .name = "icmp6_echo", .frames = 3, .delivered = 3,
	  .icmp6_answered = 3, .tx = 5, .setup = setup_address6,
	  .check_tx = tx_icmp6_echo },
	{ .name = "icmp6_jumbo", .frames = 1,
	  .drops = { D(ICMP6_UNHANDLED, 1) }, .tx = 2,
	  .setup = setup_address6, .check_tx = tx_dad_only },
	{ .name = "icmp6_malformed", .frames = 16,
	  .drops = { D(ICMP6_CHECKSUM, 1), D(ICMP6_ERROR, 1),
		     D(ICMP6_UNHANDLED, 4), D(ND_HOP_LIMIT, 1), D(ND_CODE, 1),
		     D(ND_MALFORMED, 5), D(ND_OPTION, 2), D(L4_TRUNCATED, 1) },
	  .tx = 2, .setup = setup_address6, .check_tx = tx_dad_only },
	{ .name = "nd_storm", .frames = 2001, .delivered = 2001,
	  .conf = { .neigh_max = 16, .nd_quota = 32 },
	  .nd_answered = 2000, .nd_learned = 2000, .neighbours6 = 17,
	  .tx = 2002, .setup = setup_nd_storm, .check = check_nd_storm,
	  .check_tx = tx_nd_storm },
	{ .name = "ipv6_truncated", .frames = 2,
	  .drops = { D(IPV6_TRUNCATED, 2) } },
	{ .name = "ipv6_version", .frames = 2,
	  .drops = { D(IPV6_VERSION, 2) } },
	{ .name = "ipv6_length", .frames = 2,
	  .drops = { D(IPV6_LENGTH, 2) } },
	{ .name = "ipv6_source", .frames = 1,
	  .drops = { D(IPV6_SOURCE, 1) } },
	{ .name = "ipv6_ext_chain", .frames = 1,
	  .drops = { D(IPV6_EXT_CHAIN, 1) } },
	{ .name = "ipv6_ext_malformed", .frames = 3,
	  .drops = { D(IPV6_EXT_MALFORMED, 3) } },
	{ .name = "ipv4_version", .frames = 2,
	  .drops = { D(IPV4_VERSION, 2) } },
	{ .name = "ipv4_ihl", .frames = 3, .drops = { D(IPV4_IHL, 3) } },
	{ .name = "ipv4_length", .frames = 3, .drops = { D(IPV4_LENGTH, 3) } },
	{ .name = "ipv4_checksum", .frames = 2,
	  .drops = { D(IPV4_CHECKSUM, 2) } },
	{ .name = "ipv4_ttl", .frames = 2, .drops = { D(IPV4_TTL, 2) } },
	{ .name = "ipv4_truncated", .frames = 2,
	  .drops = { D(IPV4_TRUNCATED, 2) } },
	{ .name = "not_for_us", .frames = 3, .drops = { D(NOT_FOR_US, 3) } },
	{ .name = "ipv4_source", .frames = 3, .drops = { D(IPV4_SOURCE, 3) } },
	{ .name = "l4_truncated", .frames = 2,
	  .drops = { D(L4_TRUNCATED, 2) } },
	{ .name = "unknown_protocol", .frames = 2,
	  .drops = { D(UNKNOWN_PROTOCOL, 2) } },
	{ .name = "packet_socket", .frames = 5, .delivered = 4,
	  .drops = { D(UNKNOWN_ETHERTYPE, 1) }, .setup = setup_packet_socket,
	  .check = check_packet_socket },
	/* The static peer and OTHER's incomplete entry. */
	{ .name = "udp_send", .file = "empty", .frames = 0, .tx = 5,
	  .neighbours = 2,
	  .setup = setup_static_peer, .check = check_udp_send,
	  .check_tx = tx_udp_send },
	{ .name = "services_vlan", .frames = 2, .delivered = 2,
	  .arp_answered = 1, .arp_learned = 1, .neighbours = 1,
	  .icmp_answered = 1, .tx = 2, .check_tx = tx_services_vlan },
	{ .name = "ping_flood", .frames = 320, .delivered = 160,
	  .drops = { D(NO_BUFFERS, 160) }, .icmp_answered = 80, .tx = 80,
	  .setup = setup_flood, .check = check_flood, .check_tx = tx_flood },
	{ .name = "neigh_flood", .frames = 150, .delivered = 150,
	  .conf = { .neigh_max = 16, .arp_quota = 64 },
	  .arp_answered = 100, .arp_learned = 100, .neighbours = 17,
	  .tx = 100, .setup = setup_static_peer, .check = check_neigh_flood,
	  .check_tx = tx_neigh_flood },

	/* Fragments: a fragment the collectors keep counts as delivered
	 * once its datagram reaches the socket. Datagrams 0 (3 fragments,
	 * out of order) and 1 (2). */
	{ .name = "frag_reassembled", .frames = 5, .delivered = 5,
	  .udp_rx = 2, .conf = { .verify_udp_checksum = true },
	  .check = check_frag_reassembled },
	/* Only UDP is reassembled: a fragmented ping is unknown_protocol; a
	 * first fragment to an unbound port is no_socket. */
	{ .name = "frag_unclaimed", .frames = 3,
	  .drops = { D(UNKNOWN_PROTOCOL, 2), D(NO_SOCKET, 1) } },
	/* Fragments kept and later dropped count as dropped only. */
	/* A later fragment whose first never came waits in the staging
	 * area, paid by the staging pool. */
	{ .name = "frag_staged", .file = "frag_no_collector", .frames = 1,
	  .check = check_frag_staged },
	{ .name = "frag_timeout", .frames = 2,
	  .conf = { .frag_timeout_ms = 250 }, .drops = { D(FRAG_TIMEOUT, 2) },
	  .check = check_frag_timeout },
	{ .name = "frag_invalid", .frames = 2,
	  .drops = { D(FRAG_INVALID, 2) } },
	/* A subnet-directed broadcast source. */
	{ .name = "ipv4_source_directed", .frames = 1,
	  .drops = { D(IPV4_SOURCE, 1) } },
	/* A recycled neighbour slot asks for its new neighbour at once
	 * (one learned slot: the configured peer is kept apart). */
	{ .name = "neigh_recycled_slot", .file = "empty",
	  .conf = { .neigh_max = 1 }, .neighbours = 2, .tx = 2,
	  .setup = setup_static_peer, .check = check_neigh_recycled,
	  .check_tx = tx_neigh_recycled },
	/* A datagram never built comes back from a failed send intact. */
	{ .name = "udp_send_partial", .file = "udp_one",
	  .frames = 1, .delivered = 1, .udp_rx = 1, .neighbours = 1,
	  .setup = setup_static_peer, .check = check_udp_send_partial },

	/* Frames longer than one buffer (net_pcap chains them, as RX
	 * scatter would): a 3000-byte datagram is delivered whole; a
	 * datagram followed by bytes past it is cut to its UDP length; an
	 * echo request that long is not answered (the reply is built in
	 * place, in one buffer). */
	{ .name = "udp_jumbo", .frames = 1, .delivered = 1,
	  .udp_rx = 1, .conf = { .verify_udp_checksum = true },
	  .check = check_jumbo },
	{ .name = "udp_multiseg_trailer", .frames = 1,
	  .delivered = 1, .udp_rx = 1, .check = check_multiseg },
	{ .name = "icmp_jumbo", .frames = 1,
	  .drops = { D(ICMP_UNHANDLED, 1) } },
	/* A UDP length shorter than the IP payload: the datagram is what
	 * the UDP length says (RFC 768). */
	{ .name = "udp_short_length", .frames = 1,
	  .delivered = 1, .udp_rx = 1, .conf = { .verify_udp_checksum = true },
	  .check = check_udp_short_length },
	/* ARP and echo over 802.1ad + 802.1Q, 802.1Q + 802.1Q and 802.1ad
	 * alone: answered on the same tags. */
	{ .name = "services_qinq", .frames = 4, .delivered = 4,
	  .arp_answered = 1, .arp_learned = 1, .neighbours = 1,
	  .icmp_answered = 3, .tx = 4, .check_tx = tx_services_qinq },

	/* UDP over IPv6 (2001:db8::1/64): to a both-family socket, after
	 * an extension-header chain, tagged, from a link-local source; and
	 * one IPv4 datagram to the same socket. */
	{ .name = "udp6_delivered", .frames = 6, .delivered = 6, .udp_rx = 6,
	  .conf = { .verify_udp_checksum = true }, .tx = 2, .setup = setup_udp6,
	  .check = check_udp6_delivered },
	/* A datagram longer than one buffer, summed across its segments:
	 * the good one delivered whole, the bad one dropped. */
	{ .name = "udp6_jumbo", .frames = 2, .delivered = 1, .udp_rx = 1,
	  .conf = { .verify_udp_checksum = true },
	  .drops = { D(UDP_CHECKSUM, 1) }, .tx = 2, .setup = setup_udp6,
	  .check = check_udp6_jumbo },
	/* Good, bad and zero checksums: a zero one is refused whether
	 * checksums are verified or not (mandatory in IPv6). */
	{ .name = "udp6_checksum", .frames = 3, .delivered = 1, .udp_rx = 1,
	  .conf = { .verify_udp_checksum = true },
	  .drops = { D(UDP_CHECKSUM, 1), D(UDP6_ZERO_CHECKSUM, 1) },
	  .tx = 2, .setup = setup_udp6, .check = check_udp6_checksum },
	{ .name = "udp6_checksum_unverified", .file = "udp6_checksum",
	  .frames = 3, .delivered = 2, .udp_rx = 2,
	  .drops = { D(UDP6_ZERO_CHECKSUM, 1) }, .tx = 2, .setup = setup_udp6,
	  .check = check_udp6_unverified },
	/* Families narrowed: an IPv6-only socket, one bound to an IPv6
	 * address, an IPv4-only one; the other family to their ports is
	 * no_socket. */
	{ .name = "udp6_family", .frames = 7, .delivered = 3, .udp_rx = 1,
	  .drops = { D(NO_SOCKET, 4) }, .tx = 3,
	  .setup = setup_udp6_family,
	  .check = check_udp6_family },
	/* Connected to an IPv6 peer: only its datagrams, none over IPv4;
	 * its neighbour entry is pinned (unresolved). */
	{ .name = "udp6_connected", .frames = 4, .delivered = 1, .udp_rx = 1,
	  .drops = { D(NO_SOCKET, 3) }, .tx = 2, .neighbours6 = 1,
	  .setup = setup_udp6_connected,
	  .check = check_udp6_connected },
	/* IPv6 fragments: out of order, in order, headers after and before
	 * the fragment header; all four reassembled by the socket. */
	{ .name = "udp6_frag", .frames = 10, .delivered = 10, .udp_rx = 4,
	  .conf = { .verify_udp_checksum = true }, .tx = 2, .setup = setup_udp6,
	  .check = check_udp6_frag },
	{ .name = "udp6_frag_timeout", .frames = 2,
	  .conf = { .frag_timeout_ms = 250 }, .drops = { D(FRAG_TIMEOUT, 2) },
	  .tx = 2, .setup = setup_udp6, .check = check_udp6_frag_timeout },
	{ .name = "udp6_frag_invalid", .frames = 2,
	  .drops = { D(FRAG_INVALID, 2) }, .tx = 2, .setup = setup_udp6,
	  .check = check_udp6_frag_invalid },
	/* A last fragment past 65535 bytes of payload. */
	{ .name = "udp6_frag_too_large", .frames = 2,
	  .drops = { D(FRAG_INVALID, 2) }, .tx = 2, .setup = setup_udp6,
	  .check = check_udp6_frag_invalid },
	/* A first fragment and a datagram to an unbound port; TCP. */
	{ .name = "udp6_no_socket", .frames = 3,
	  .drops = { D(NO_SOCKET, 2), D(IPV6, 1) }, .tx = 2, .setup = setup_udp6 },
	/* Sends over IPv6 to a configured neighbour: two, then one from a
	 * socket bound to our address and connected. */
	{ .name = "udp6_send", .file = "empty", .frames = 0, .tx = 3,
	  .neighbours6 = 1,
	  .check = check_udp6_send, .check_tx = tx_udp6_send },

	/* Known defects of lib/stack (see the report): these fail until
	 * they are fixed, and then belong with the others. */
	/* A fragment longer than one buffer loses its tail segments in
	 * the collector, and the checksum reads past the first segment. */
	{ .name = "frag_jumbo", .frames = 2, .delivered = 2,
	  .udp_rx = 1, .conf = { .verify_udp_checksum = true },
	  .check = check_frag_jumbo },
	{ .name = "frag_jumbo_unverified", .file = "frag_jumbo",
	  .frames = 2, .delivered = 2, .udp_rx = 1,
	  .check = check_frag_jumbo },
	/* verify_udp_checksum does not check a datagram that spans
	 * segments: a bad checksum is delivered. */
	{ .name = "udp_jumbo_bad_checksum", .frames = 1,
	  .conf = { .verify_udp_checksum = true },
	  .drops = { D(UDP_CHECKSUM, 1) } },
};

/* ---- the run ---- */

static void
check_figures(struct run *r)
{
	const struct scenario *sc = r->sc;
	uint64_t sum = 0;
	unsigned int i;
	struct sock_rx *udp = find_sock(r, "udp");

	XT_EQ(xchg_stack_stats_get(r->stack, &r->st), 0);
	XT_EQ(xchg_port_stats_get(r->port, &r->ps), 0);
	/* Every frame of the file read, classified and accounted for. */
	XT_CHECK(r->ps.eth.ipackets == sc->frames && r->st.frames == sc->frames &&
		 r->ps.rx_frames == sc->frames,
		 "%s: %u frames in the file, PMD read %" PRIu64 ", port polled %"
		 PRIu64 ", stack classified %" PRIu64, sc->name, sc->frames,
		 r->ps.eth.ipackets, r->ps.rx_frames, r->st.frames);
	XT_EQ(r->ps.eth.rx_nombuf, 0);
	XT_EQ(r->ps.eth.ierrors, 0);
	for (i = 0; i < XCHG_SD_MAX; i++) {
		sum += r->st.drops[i];
		XT_CHECK(r->st.drops[i] == sc->drops[i],
			 "%s: drops[%s] = %" PRIu64 ", expected %" PRIu64,
			 sc->name, xchg_stack_drop_name(i), r->st.drops[i],
			 sc->drops[i]);
	}
	XT_CHECK(r->st.delivered == sc->delivered,
		 "%s: delivered %" PRIu64 ", expected %" PRIu64, sc->name,
		 r->st.delivered, sc->delivered);
	/* Fragments still staged are neither yet. */
	XT_CHECK(r->st.frames == r->st.delivered + sum + r->st.staging.held,
		 "%s: %" PRIu64 " frames, %" PRIu64 " delivered + %" PRIu64
		 " dropped + %u staged", sc->name, r->st.frames,
		 r->st.delivered, sum, r->st.staging.held);
	XT_CHECK(r->st.arp_requests_answered == sc->arp_answered &&
		 r->st.arp_learned == sc->arp_learned &&
		 r->st.icmp_echo_answered == sc->icmp_answered,
		 "%s: ARP answered %" PRIu64 " learned %" PRIu64
		 ", ICMP answered %" PRIu64 "; expected %" PRIu64 " %" PRIu64
		 " %" PRIu64, sc->name, r->st.arp_requests_answered,
		 r->st.arp_learned, r->st.icmp_echo_answered,
		 sc->arp_answered, sc->arp_learned, sc->icmp_answered);
	XT_CHECK(r->st.neighbours == sc->neighbours,
		 "%s: %u neighbours, expected %u", sc->name, r->st.neighbours,
		 sc->neighbours);
	XT_CHECK(r->st.nd_advertisements_sent == sc->nd_answered &&
		 r->st.nd_learned == sc->nd_learned &&
		 r->st.icmp6_echo_answered == sc->icmp6_answered &&
		 r->st.dad_conflicts == sc->dad_conflicts &&
		 r->st.neighbours6 == sc->neighbours6,
		 "%s: ND answered %" PRIu64 " learned %" PRIu64 ", ICMPv6 answered %"
		 PRIu64 ", DAD conflicts %" PRIu64 ", %u IPv6 neighbours; expected %"
		 PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %u", sc->name,
		 r->st.nd_advertisements_sent, r->st.nd_learned,
		 r->st.icmp6_echo_answered, r->st.dad_conflicts,
		 r->st.neighbours6, sc->nd_answered, sc->nd_learned,
		 sc->icmp6_answered, sc->dad_conflicts, sc->neighbours6);
	XT_EQ(r->st.service_no_buffers, 0);
	if (udp != NULL)
		XT_CHECK(udp->received == sc->udp_rx,
			 "%s: socket udp received %" PRIu64 ", expected %u",
			 sc->name, udp->received, sc->udp_rx);
	/* The PMD took every frame the stack sent. */
	XT_CHECK(r->ps.eth.opackets == sc->tx && r->ps.tx_frames == sc->tx,
		 "%s: transmitted %" PRIu64 " (port %" PRIu64 "), expected %u",
		 sc->name, r->ps.eth.opackets, r->ps.tx_frames, sc->tx);
	XT_EQ(r->ps.tx_nobufs + r->ps.tx_full, 0);
}

static void
run_scenario(const struct scenario *sc, unsigned int idx)
{
	struct run *r = calloc(1, sizeof(*r));
	const char *file = sc->file != NULL ? sc->file : sc->name;
	struct xchg_port_conf pconf = { .nb_rx_desc = 256, .nb_tx_desc = 256 };
	struct rte_ether_addr mac;
	char args[1400], name[XCHG_NAME_SIZE], rx_path[600], when[96];
	unsigned int i;

	r->sc = sc;
	snprintf(rx_path, sizeof(rx_path), "%s/%s.pcap", dir, file);
	snprintf(r->tx_path, sizeof(r->tx_path), "%s/%s.tx.pcap", dir,
		 sc->name);
	XT_EQ(frames_read(rx_path, &r->rx), 0);
	XT_CHECK(r->rx.n == sc->frames, "%s: %u frames in %s, expected %u",
		 sc->name, r->rx.n, rx_path, sc->frames);

	snprintf(r->vdev, sizeof(r->vdev), "net_pcap_st%u", vdev_seq++);
	snprintf(args, sizeof(args), "rx_pcap=%s,tx_pcap=%s", rx_path,
		 r->tx_path);
	if (rte_vdev_init(r->vdev, args) != 0 ||
	    rte_eth_dev_get_port_by_name(r->vdev, &r->port_id) != 0) {
		XT_CHECK(false, "%s: cannot create %s", sc->name, r->vdev);
		goto out;
	}
	XT_EQ(rte_eth_macaddr_get(r->port_id, &mac), 0);
	memcpy(r->mac, mac.addr_bytes, 6);

	snprintf(name, sizeof(name), "st%u", idx);
	r->arena = xt_arena(name, 2048, 0);
	r->port = xchg_port_create(r->arena, r->port_id, &pconf);
	XT_CHECK(r->port != NULL, "%s: port: %s", sc->name,
		 rte_strerror(rte_errno));
	if (r->port == NULL)
		goto out;
	r->stack = xchg_stack_create(r->arena, r->port, &sc->conf);
	XT_CHECK(r->stack != NULL, "%s: stack: %s", sc->name,
		 rte_strerror(rte_errno));
	if (r->stack == NULL)
		goto out;
	XT_EQ(xchg_stack_add_address(r->stack, be_ip(OUR_IP), 24), 0);
	udp_socket(r, "udp", 0, UDP_PORT, 32, true);
	if (sc->setup != NULL)
		sc->setup(r);
	XT_EQ(xchg_port_start(r->port), 0);

	replay(r);
	if (sc->check != NULL)
		sc->check(r);
	check_figures(r);

	/* Give back what the test kept, then a census with the stack up. */
	for (i = 0; i < r->nb_socks; i++) {
		rte_pktmbuf_free_bulk(r->socks[i].kept, r->socks[i].nb_kept);
		r->socks[i].nb_kept = 0;
	}
	snprintf(when, sizeof(when), "%s, stack up", sc->name);
	xt_census_ok(r->arena, when);
	for (i = 0; i < r->nb_socks; i++)
		if (r->socks[i].sock != NULL)
			XT_EQ(xchg_socket_close(r->socks[i].sock), 0);
	XT_EQ(xchg_stack_free(r->stack), 0);
	r->stack = NULL;
	XT_EQ(xchg_port_free(r->port), 0);
	r->port = NULL;
	XT_EQ(rte_vdev_uninit(r->vdev), 0); /* closes the TX capture */
	r->vdev[0] = '\0';
	snprintf(when, sizeof(when), "%s, torn down", sc->name);
	xt_census_ok(r->arena, when);
	XT_EQ(xchg_arena_free(r->arena), 0);
	r->arena = NULL;

	XT_EQ(frames_read(r->tx_path, &r->tx), 0);
	XT_CHECK(r->tx.n == sc->tx, "%s: %u frames in the TX capture, expected %u",
		 sc->name, r->tx.n, sc->tx);
	if (sc->check_tx != NULL)
		sc->check_tx(r);
out:
	/* After a failure: release what can be released. */
	if (r->stack != NULL)
		xchg_stack_free(r->stack);
	if (r->port != NULL)
		xchg_port_free(r->port);
	if (r->vdev[0] != '\0')
		rte_vdev_uninit(r->vdev);
	if (r->arena != NULL)
		xchg_arena_free(r->arena);
	frames_clear(&r->rx);
	frames_clear(&r->tx);
	free(r);
}

/* Run the generator; check it wrote what the scenarios expect. */
static int
generate(const char *script)
{
	char line[256], name[128];
	unsigned int n, i, found = 0;
	FILE *p;
	int rc;

	p = xt_scapy_popen(script, dir, &rc);
	if (p == NULL)
		return rc;
	while (fgets(line, sizeof(line), p) != NULL) {
		if (sscanf(line, "%127s %u", name, &n) != 2)
			continue;
		for (i = 0; i < RTE_DIM(scenarios); i++) {
			const char *f = scenarios[i].file != NULL ?
					scenarios[i].file : scenarios[i].name;

			if (strcmp(f, name) == 0) {
				XT_CHECK(n == scenarios[i].frames,
					 "gen_pcaps.py wrote %u frames for %s, the test expects %u",
					 n, name, scenarios[i].frames);
				found++;
			}
		}
	}
	if (pclose(p) != 0) {
		printf("FAIL: the generator %s failed\n", script);
		return 1;
	}
	XT_CHECK(found == RTE_DIM(scenarios), "gen_pcaps.py wrote %u of the %u captures the scenarios use",
		 found, (unsigned int)RTE_DIM(scenarios));
	return 0;
}

static bool
selected(const struct scenario *sc, int argc, char **argv)
{
	int i;

	if (argc < 3)
		return !sc->bug;
	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], "all") == 0 ||
		    (strcmp(argv[i], "main") == 0 && !sc->bug) ||
		    (strcmp(argv[i], "bugs") == 0 && sc->bug) ||
		    strcmp(argv[i], sc->name) == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	unsigned int i, ran = 0;
	int ret;

	if (argc < 2) {
		printf("usage: %s GEN_PCAPS_PY [all|main|bugs|SCENARIO...]\n",
		       argv[0]);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", xt_tmpdir());
	ret = generate(argv[1]);
	if (ret != 0) {
		xt_tmpdir_remove();
		return ret;
	}
	xt_eal_init(argv[0], "0", 0, NULL);
	for (i = 0; i < RTE_DIM(scenarios); i++) {
		unsigned int before = xt_failures;

		if (!selected(&scenarios[i], argc, argv))
			continue;
		run_scenario(&scenarios[i], i);
		ran++;
		printf("%s %s%s\n", xt_failures == before ? "ok  " : "FAIL",
		       scenarios[i].name, scenarios[i].bug ?
		       " (known lib/stack defect)" : "");
	}
	if (ran == 0 && argc == 3 && strcmp(argv[2], "bugs") == 0) {
		/* Every known defect fixed: its scenarios moved to main. */
		printf("SKIP: no known lib/stack defect is listed\n");
		rte_eal_cleanup();
		xt_tmpdir_remove();
		return 77;
	}
	XT_CHECK(ran > 0, "no scenario selected");
	xt_tmpdir_remove();
	return xt_done("stack_replay");
}
