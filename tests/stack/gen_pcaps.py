#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the deterministic captures test_stack_replay replays.

Run with Debian's /usr/bin/python3 and python3-scapy:

    /usr/bin/python3 gen_pcaps.py OUTDIR

Writes OUTDIR/<scenario>.pcap for every scenario below and prints one line
per file, "<scenario> <frames>", which the C test checks against its own
expectations. Frames are built with Scapy (so every checksum the test
expects to be right is computed by Scapy, not by the code under test);
the files are written here byte by byte with fixed timestamps, so two runs
give identical files.

The C side (test_stack_replay.c) holds the expected figures; the layout of
each scenario is described next to its frames here and there.
"""

import os
import struct
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP, fragment
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply,
                                ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6ND_RA, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr, IPv6,
                                IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                fragment6)
from scapy.utils6 import in6_getnsma, in6_getnsmac
from socket import AF_INET6, inet_ntop, inet_pton
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether
from scapy.packet import Padding

OUR_IP = "192.0.2.1"            # the stack's address, /24
OUR_IP2 = "198.51.100.1"        # a second address some scenarios add
BCAST_IP = "192.0.2.255"
OUR_MAC = "02:70:63:61:70:00"   # net_pcap's first MAC; the stack does not
                                # filter on it
PEER_IP = "192.0.2.2"
PEER_MAC = "02:00:00:00:00:02"
PEER_MAC2 = "02:00:00:00:00:22"
OTHER_IP = "192.0.2.3"
OTHER_MAC = "02:00:00:00:00:03"
BCAST_MAC = "ff:ff:ff:ff:ff:ff"

UDP_PORT = 7000                 # the scenarios' bound UDP socket
FLOOD_PORT = 9000               # the critical socket of the ping flood
PKT_TYPE = 0x88B5               # the packet socket's ethertype
BURST = 32                      # XCHG_PORT_BURST: frames per poll

ip_id = [0x100]


def next_id():
    ip_id[0] += 1
    return ip_id[0]


def payload(k, n):
    """Payload of datagram k, n bytes; test_stack_replay.c has the same."""
    return bytes(((k * 31 + j * 7 + 1) & 0xFF) for j in range(n))


def to_us(dst=OUR_MAC, src=PEER_MAC):
    return Ether(dst=dst, src=src)


def ipv4(src=PEER_IP, dst=OUR_IP, **kw):
    kw.setdefault("ttl", 64)
    kw.setdefault("id", next_id())
    return IP(src=src, dst=dst, **kw)


def udp_to_us(k, n, dport=UDP_PORT, sport=None, l2=None, **ipkw):
    l2 = l2 if l2 is not None else to_us()
    sport = sport if sport is not None else 40000 + k
    return l2 / ipv4(**ipkw) / UDP(sport=sport, dport=dport) / payload(k, n)


def arp(op, sha, spa, tha, tpa, dst=BCAST_MAC, l2=None):
    l2 = l2 if l2 is not None else Ether(dst=dst, src=sha)
    return l2 / ARP(op=op, hwsrc=sha, psrc=spa, hwdst=tha, pdst=tpa)


def echo(k, n, l2=None, **ipkw):
    l2 = l2 if l2 is not None else to_us()
    return l2 / ipv4(**ipkw) / ICMP(type=8, id=0x1234, seq=k) / payload(k, n)


def raw_ipv4_frame(hdr, rest=b""):
    """Ethernet + hand-made IPv4 header bytes (checksums as given)."""
    return bytes(to_us())[:12] + b"\x08\x00" + hdr + rest


def ip_header(ver_ihl=0x45, total=28, ttl=64, proto=17, src=PEER_IP,
              dst=OUR_IP, options=b"", csum=None):
    def a(s):
        return bytes(int(x) for x in s.split("."))
    h = struct.pack("!BBHHHBBH4s4s", ver_ihl, 0, total, next_id(), 0, ttl,
                    proto, 0, a(src), a(dst)) + options
    if csum is None:
        s = 0
        for i in range(0, len(h), 2):
            s += (h[i] << 8) | h[i + 1]
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        csum = ~s & 0xFFFF
    return h[:10] + struct.pack("!H", csum) + h[12:]


def scenarios():
    s = {}
    bcast_l2 = Ether(dst=BCAST_MAC, src=PEER_MAC)

    # ARP request for our address: answered, sender learned.
    s["arp_request"] = [arp(1, PEER_MAC, PEER_IP, "00:00:00:00:00:00",
                            OUR_IP)]
    # ARP request for another address.
    s["arp_not_for_us"] = [arp(1, PEER_MAC, PEER_IP, "00:00:00:00:00:00",
                               "192.0.2.99")]
    # 1: request for us from PEER (creates PEER -> PEER_MAC, answered);
    # 2: gratuitous request from PEER with a new MAC (updates the entry);
    # 3: gratuitous reply from an unknown host (RFC 826: not added).
    s["arp_gratuitous"] = [
        arp(1, PEER_MAC, PEER_IP, "00:00:00:00:00:00", OUR_IP),
        arp(1, PEER_MAC2, PEER_IP, "00:00:00:00:00:00", PEER_IP),
        arp(2, OTHER_MAC, OTHER_IP, BCAST_MAC, OTHER_IP),
    ]
    arp_head = bytes(Ether(dst=BCAST_MAC, src=PEER_MAC, type=0x0806))
    good = bytes(ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=OUR_IP))
    s["arp_malformed"] = [
        arp_head + good[:4] + b"\x08" + good[5:] + b"\x00" * 4,  # hlen 8
        arp_head + good[:20],                                   # cut short
        arp_head + b"\x00\x06" + good[2:],                      # htype 6
        arp_head + good[:2] + b"\x86\xdd" + good[4:],           # ptype v6
    ]

    # Echo requests: 56 bytes; empty and padded to 60; odd length;
    # with a 4-byte IP option. All answered.
    s["icmp_echo"] = [
        echo(0, 56),
        echo(1, 0) / Padding(b"\x00" * 18),
        echo(2, 33),
        echo(3, 20, options=b"\x01\x01\x01\x00"),
    ]
    s["icmp_bad_checksum"] = [
        to_us() / ipv4() / ICMP(type=8, id=1, seq=1, chksum=0xDEAD) /
        payload(0, 32),
        to_us() / ipv4() / ICMP(type=8, id=1, seq=2, chksum=0) /
        payload(1, 33),
    ]
    # Timestamp request, unreachable, echo reply, echo to broadcast.
    s["icmp_unhandled"] = [
        to_us() / ipv4() / ICMP(type=13, id=1, seq=1, ts_ori=1, ts_rx=2,
                                 ts_tx=3),
        to_us() / ipv4() / ICMP(type=3, code=3) /
        IP(src=OUR_IP, dst=PEER_IP) / UDP(sport=7000, dport=5000),
        to_us() / ipv4() / ICMP(type=0, id=1, seq=1) / payload(0, 8),
        echo(1, 8, l2=bcast_l2, dst=BCAST_IP),
    ]

    # UDP to the bound socket (verify_udp_checksum on): 3 plain, one
    # padded (payload 2), one to the subnet broadcast from OTHER, one
    # without checksum, one with TTL 1. Datagram k comes from 40000 + k.
    s["udp_delivered"] = [
        udp_to_us(0, 12),
        udp_to_us(1, 100),
        udp_to_us(2, 1400),
        udp_to_us(3, 2) / Padding(b"\x00" * 16),
        udp_to_us(4, 30, l2=Ether(dst=BCAST_MAC, src=OTHER_MAC),
                  src=OTHER_IP, dst=BCAST_IP),
        to_us() / ipv4() / UDP(sport=40005, dport=UDP_PORT, chksum=0) /
        payload(5, 17),
        udp_to_us(6, 9, ttl=1),
    ]
    # Unbound port; a socket bound to OUR_IP2:7002 gets only what is sent
    # to that address (frame 4), not to OUR_IP:7002 (frame 3).
    s["udp_no_socket"] = [
        udp_to_us(0, 10, dport=7001),
        udp_to_us(1, 10, dport=7001),
        udp_to_us(2, 10, dport=7002),
        udp_to_us(3, 10, dport=7002, dst=OUR_IP2),
    ]
    # Connected to PEER:40000: only frame 0 is delivered.
    s["udp_connected"] = [
        udp_to_us(0, 10, sport=40000),
        udp_to_us(1, 10, sport=40001),
        udp_to_us(2, 10, sport=40000, src=OTHER_IP),
    ]
    # Two bad checksums (one odd length), then one good.
    s["udp_bad_checksum"] = [
        to_us() / ipv4() / UDP(sport=40000, dport=UDP_PORT, chksum=0xDEAD) /
        payload(0, 20),
        to_us() / ipv4() / UDP(sport=40001, dport=UDP_PORT, chksum=0x1234) /
        payload(1, 21),
        udp_to_us(2, 22),
    ]
    # UDP length past the datagram; UDP length below 8.
    s["udp_bad_length"] = [
        to_us() / ipv4() / UDP(sport=40000, dport=UDP_PORT, len=200) /
        payload(0, 10),
        to_us() / ipv4() / UDP(sport=40001, dport=UDP_PORT, len=4) /
        payload(1, 10),
    ]
    # A UDP length shorter than the IP payload: RFC 768 says the datagram
    # is what the UDP length says (4 bytes here, the rest is not payload).
    # The UDP datagram (checksum right for its 12 bytes) is followed by
    # 14 more bytes inside the IP datagram.
    short = bytes(ipv4() / UDP(sport=40000, dport=UDP_PORT) /
                  payload(0, 4))[20:]
    s["udp_short_length"] = [
        to_us() / ipv4(proto=17) / (short + payload(1, 14)),
    ]
    # 802.1Q, 802.1ad + 802.1Q, 802.1Q + 802.1Q: all delivered.
    s["vlan_delivered"] = [
        udp_to_us(0, 40, l2=to_us() / Dot1Q(vlan=10)),
        udp_to_us(1, 41, l2=to_us() / Dot1AD(vlan=20) / Dot1Q(vlan=30)),
        udp_to_us(2, 42, l2=to_us() / Dot1Q(vlan=40) / Dot1Q(vlan=50)),
    ]
    s["vlan_too_many"] = [
        udp_to_us(0, 10, l2=to_us() / Dot1Q(vlan=1) / Dot1Q(vlan=2) /
                  Dot1Q(vlan=3)),
        udp_to_us(1, 10, l2=to_us() / Dot1AD(vlan=1) / Dot1Q(vlan=2) /
                  Dot1Q(vlan=3)),
    ]
    eth12 = bytes(to_us())[:12]
    s["vlan_truncated"] = [
        eth12 + b"\x81\x00\x00\x0a",                   # 16 bytes: no type
        eth12 + b"\x88\xa8\x00\x14\x81\x00\x00",       # second tag cut
    ]
    s["runt"] = [b"", b"\x02", eth12[:6], eth12 + b"\x08"]
    s["unknown_ethertype"] = [
        eth12 + struct.pack("!H", 0x88B6) + payload(0, 46),
        eth12 + struct.pack("!H", 0x9000) + payload(1, 46),
        eth12 + struct.pack("!H", 0x0026) + b"\x42\x42\x03" + payload(2, 43),
    ]
    s["ipv6"] = [
        to_us() / IPv6(src="2001:db8::2", dst="2001:db8::1") /
        UDP(sport=1, dport=UDP_PORT) / payload(0, 10),
        Ether(dst="33:33:00:00:00:01", src=PEER_MAC) /
        IPv6(src="fe80::2", dst="ff02::1") / ICMPv6EchoRequest(),
        to_us() / Dot1Q(vlan=10) / IPv6(src="2001:db8::2", dst="2001:db8::1") /
        UDP(sport=1, dport=UDP_PORT) / payload(1, 10),
    ]
    s.update(ipv6_scenarios())
    s.update(udp6_scenarios())
    s.update(nd_scenarios())
    udp_body = bytes(UDP(sport=40000, dport=UDP_PORT, len=8 + 10,
                         chksum=0) / payload(0, 10))
    s["ipv4_version"] = [
        raw_ipv4_frame(ip_header(ver_ihl=0x65, total=38), udp_body),
        raw_ipv4_frame(ip_header(ver_ihl=0x05, total=38), udp_body),
    ]
    s["ipv4_ihl"] = [
        raw_ipv4_frame(ip_header(ver_ihl=0x44, total=38), udp_body),
        raw_ipv4_frame(ip_header(ver_ihl=0x4F, total=38), udp_body),
        raw_ipv4_frame(ip_header(ver_ihl=0x40, total=38), udp_body),
    ]
    s["ipv4_length"] = [
        raw_ipv4_frame(ip_header(total=19), udp_body),
        raw_ipv4_frame(ip_header(total=1000), udp_body),
        raw_ipv4_frame(ip_header(ver_ihl=0x46, total=22,
                                 options=b"\x01\x01\x01\x00"), udp_body),
    ]
    s["ipv4_checksum"] = [
        raw_ipv4_frame(ip_header(total=38, csum=0xBEEF), udp_body),
        to_us() / ipv4(chksum=0x1234) / ICMP(type=8, id=1, seq=1) /
        payload(1, 8),
    ]
    s["ipv4_ttl"] = [
        udp_to_us(0, 10, ttl=0),
        echo(1, 8, ttl=0),
    ]
    s["ipv4_truncated"] = [
        raw_ipv4_frame(ip_header(total=38)[:19]),
        raw_ipv4_frame(b""),
    ]
    s["not_for_us"] = [
        udp_to_us(0, 10, dst="192.0.2.77"),
        udp_to_us(1, 10, dst="198.51.100.7"),
        echo(2, 8, dst="192.0.2.77"),
    ]
    s["ipv4_source"] = [
        udp_to_us(0, 10, src="224.0.0.5"),
        udp_to_us(1, 10, src="255.255.255.255"),
        udp_to_us(2, 10, src="240.0.0.1"),
    ]
    # A subnet-directed broadcast is a broadcast source too (RFC 1122
    # 3.2.1.3: a host must discard it).
    s["ipv4_source_directed"] = [
        udp_to_us(0, 10, src=BCAST_IP),
    ]
    s["l4_truncated"] = [
        raw_ipv4_frame(ip_header(total=24, proto=17), udp_body[:4]),
        raw_ipv4_frame(ip_header(total=24, proto=1), b"\x08\x00\xf7\xff"),
    ]
    s["unknown_protocol"] = [
        to_us() / ipv4() / TCP(sport=40000, dport=80, flags="S"),
        raw_ipv4_frame(ip_header(total=28, proto=47), b"\x00" * 8),
    ]
    # Whole frames of PKT_TYPE to the packet socket, one of them tagged;
    # one frame of another ethertype is not its.
    s["packet_socket"] = [
        eth12 + struct.pack("!H", PKT_TYPE) + payload(0, 46),
        eth12 + struct.pack("!H", PKT_TYPE) + payload(1, 100),
        eth12 + struct.pack("!H", PKT_TYPE) + payload(2, 1000),
        eth12 + b"\x81\x00\x00\x0a" + struct.pack("!H", PKT_TYPE) +
        payload(3, 50),
        eth12 + struct.pack("!H", 0x88B6) + payload(4, 46),
    ]
    # The send scenarios receive nothing, or one datagram to send back.
    s["empty"] = []
    s["udp_one"] = [udp_to_us(0, 50)]

    # Services on tagged frames: an 802.1Q ARP request and an 802.1Q echo
    # request, both answered untagged.
    s["services_vlan"] = [
        arp(1, PEER_MAC, PEER_IP, "00:00:00:00:00:00", OUR_IP,
            l2=Ether(dst=BCAST_MAC, src=PEER_MAC) / Dot1Q(vlan=10)),
        echo(1, 24, l2=to_us() / Dot1Q(vlan=10)),
    ]
    # The same over two tags, which the parser accepts: 802.1ad + 802.1Q
    # and 802.1Q + 802.1Q; and a single 802.1ad tag.
    s["services_qinq"] = [
        arp(1, PEER_MAC, PEER_IP, "00:00:00:00:00:00", OUR_IP,
            l2=Ether(dst=BCAST_MAC, src=PEER_MAC) / Dot1AD(vlan=20) /
            Dot1Q(vlan=30)),
        echo(1, 24, l2=to_us() / Dot1AD(vlan=20) / Dot1Q(vlan=30)),
        echo(2, 24, l2=to_us() / Dot1Q(vlan=40) / Dot1Q(vlan=50)),
        echo(3, 24, l2=to_us() / Dot1AD(vlan=60)),
    ]

    # Ping flood: 10 bursts of 32 frames, each 8 x (3 echo requests,
    # 1 datagram to the critical socket on FLOOD_PORT).
    flood = []
    for b in range(10):
        for g in range(8):
            k = b * 8 + g
            for p in range(3):
                flood.append(echo(k * 3 + p, 32))
            flood.append(udp_to_us(k, 64, dport=FLOOD_PORT,
                                   sport=41000 + (k % 100)))
    assert len(flood) == 10 * BURST
    s["ping_flood"] = flood

    # Neighbour flood: 100 ARP requests for us from 192.0.2.10..109, then
    # 50 gratuitous announcements from unknown 192.0.2.150..199.
    nf = []
    for i in range(100):
        nf.append(arp(1, "02:00:00:00:10:%02x" % i, "192.0.2.%d" % (10 + i),
                      "00:00:00:00:00:00", OUR_IP))
    for i in range(50):
        ip = "192.0.2.%d" % (150 + i)
        nf.append(arp(1, "02:00:00:00:20:%02x" % i, ip,
                      "00:00:00:00:00:00", ip))
    s["neigh_flood"] = nf

    # A frame larger than one buffer (net_pcap chains it): a 1000-byte
    # datagram followed by 1958 bytes that are not part of it.
    s["udp_multiseg_trailer"] = [
        udp_to_us(0, 1000) / Padding(b"\xee" * 1958),
    ]
    # A jumbo datagram in one frame larger than a buffer (net_pcap
    # chains it): valid, and not past the frame.
    s["udp_jumbo"] = [udp_to_us(0, 3000)]
    # The same with a bad UDP checksum, and a jumbo echo request (the
    # reply is built in place, in one buffer: not answered).
    s["udp_jumbo_bad_checksum"] = [
        to_us() / ipv4() / UDP(sport=40000, dport=UDP_PORT, chksum=0xDEAD) /
        payload(0, 3000),
    ]
    s["icmp_jumbo"] = [echo(0, 3000)]

    # Fragments. Datagram 0 (3000 bytes, fragments 0, 2, 1) and datagram 1
    # (1500 bytes, in order) are reassembled.
    def frags(k, n, size, **ipkw):
        return [to_us() / f for f in
                fragment(ipv4(**ipkw) / UDP(sport=40000 + k, dport=UDP_PORT) /
                         payload(k, n), fragsize=size)]
    a = frags(0, 3000, 1008)
    b = frags(1, 1500, 1000)
    assert len(a) == 3 and len(b) == 2
    s["frag_reassembled"] = [a[0], a[2], a[1], b[0], b[1]]
    # A fragmented echo request (only UDP is reassembled) and the first
    # fragment of a datagram to an unbound port.
    ping = [to_us() / f for f in
            fragment(ipv4() / ICMP(type=8, id=1, seq=1) / payload(0, 1600),
                     fragsize=1000)]
    c = [to_us() / f for f in
         fragment(ipv4() / UDP(sport=40000, dport=7001) / payload(1, 1600),
                  fragsize=1000)]
    s["frag_unclaimed"] = ping + [c[0]]
    # A later fragment whose first never came.
    s["frag_no_collector"] = [frags(0, 3000, 1008)[1]]
    # Two fragments of four: never completes.
    d = frags(0, 3000, 1008)
    s["frag_timeout"] = [d[0], d[1]]
    # Jumbo fragments (each longer than one buffer): 3092 bytes in
    # fragments of 2992 and 108 bytes of IP payload.
    j = frags(0, 3092, 2992)
    assert len(j) == 2
    s["frag_jumbo"] = j
    # A fragment overlapping the first one held ([496, 1504) over [0, 1008)).
    e = frags(0, 3000, 1008)
    ov = e[1].copy()
    ov[IP].frag = 62
    ov[IP].chksum = None
    s["frag_invalid"] = [e[0], ov]
    return s


OUR_IP6 = "2001:db8::1"         # the address ipv6_addressed adds, /64
PEER_IP6 = "2001:db8::2"


def ipv6_scenarios():
    """IPv6 receive: what the stack hears once it has an address, the
    extension-header chains it walks, and malformed IPv6 of every kind
    (one drop reason each; the C side has the counts)."""
    s = {}
    v6 = to_us() / IPv6(src=PEER_IP6, dst=OUR_IP6)
    # ipv6_addressed (2001:db8::1/64 added): five it hears (UDP to the
    # both-family socket; an echo to all-nodes is not answered,
    # icmp6_unhandled; the solicitation is answered; a datagram in two
    # fragments, reassembled by the socket), two not for it. The stack
    # sends its two DAD probes and the advertisement.
    s["ipv6_addressed"] = [
        v6 / UDP(sport=1, dport=UDP_PORT) / payload(0, 10),
        Ether(dst="33:33:00:00:00:01", src=PEER_MAC) /
        IPv6(src="fe80::2", dst="ff02::1") / ICMPv6EchoRequest(),
        Ether(dst="33:33:ff:00:00:01", src=PEER_MAC) /
        IPv6(src="fe80::2", dst="ff02::1:ff00:1", hlim=255) /
        ICMPv6ND_NS(tgt=OUR_IP6),
        # Hop-by-hop, destination options, routing (nothing left) and
        # the first fragment (16 bytes of data): all walked.
        v6 / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
        IPv6ExtHdrRouting(segleft=0) /
        IPv6ExtHdrFragment(offset=0, m=1, id=7) /
        UDP(sport=1, dport=UDP_PORT, len=40) / payload(1, 8),
        # Its later fragment: the walk stops at the fragment header,
        # whose next header is the fragmented part's first (UDP).
        v6 / IPv6ExtHdrFragment(nh=17, offset=2, m=0, id=7) /
        payload(2, 24),
        to_us() / IPv6(src=PEER_IP6, dst="2001:db8::99") /
        UDP(sport=1, dport=UDP_PORT) / payload(3, 10),
        Ether(dst="33:33:00:00:00:02", src=PEER_MAC) /
        IPv6(src="fe80::2", dst="ff02::2") / ICMPv6EchoRequest(),
    ]
    good = bytes(IPv6(src=PEER_IP6, dst=OUR_IP6) /
                 UDP(sport=1, dport=UDP_PORT) / payload(4, 10))
    eth6 = bytes(to_us())[:12] + b"\x86\xdd"
    s["ipv6_truncated"] = [eth6 + good[:30], eth6 + good[:39]]
    s["ipv6_version"] = [eth6 + b"\x40" + good[1:],
                         eth6 + b"\x70" + good[1:]]
    s["ipv6_length"] = [
        v6.copy() / UDP(sport=1, dport=UDP_PORT) / payload(5, 10),
        v6.copy() / UDP(sport=1, dport=UDP_PORT) / payload(6, 10),
    ]
    s["ipv6_length"][0][IPv6].plen = 500
    s["ipv6_length"][1][IPv6].plen = 0
    s["ipv6_source"] = [
        to_us() / IPv6(src="ff02::1", dst=OUR_IP6) /
        UDP(sport=1, dport=UDP_PORT) / payload(7, 10),
    ]
    nine = v6
    for _ in range(9):
        nine = nine / IPv6ExtHdrDestOpt()
    s["ipv6_ext_chain"] = [nine / UDP(sport=1, dport=UDP_PORT) /
                           payload(8, 10)]
    # Hop-by-hop not first; a destination-options header whose length
    # runs past the datagram; a non-last fragment of 10 bytes.
    past = bytearray(bytes(v6 / IPv6ExtHdrDestOpt() /
                           UDP(sport=1, dport=UDP_PORT) / payload(9, 10)))
    past[14 + 40 + 1] = 5
    s["ipv6_ext_malformed"] = [
        v6 / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() /
        UDP(sport=1, dport=UDP_PORT) / payload(10, 10),
        bytes(past),
        v6 / IPv6ExtHdrFragment(offset=0, m=1, id=9) /
        UDP(sport=1, dport=UDP_PORT, len=18) / payload(11, 2),
    ]
    return s


OUR_IP6_2 = "2001:db8:1::1"     # a second address udp6_family adds, /64
OTHER_IP6 = "2001:db8::3"
PEER_LL6 = "fe80::2"


def udp6(k, n, dport=UDP_PORT, sport=None, src=PEER_IP6, dst=OUR_IP6,
         l2=None, ext=None, **udpkw):
    """UDP over IPv6: payload k of n bytes, after the extension headers
    @ext (a Scapy layer chain) when given."""
    l2 = l2 if l2 is not None else to_us()
    sport = sport if sport is not None else 40000 + k
    ip = IPv6(src=src, dst=dst)
    if ext is not None:
        ip = ip / ext
    return l2 / ip / UDP(sport=sport, dport=dport, **udpkw) / payload(k, n)


def frags6(k, n, size, ext_before=None, ext_after=None, ident=None,
           dport=UDP_PORT):
    """Datagram k (n bytes) from PEER_IP6:40000+k in IPv6 fragments of
    at most @size bytes (IPv6 header included); extension headers
    before the fragment header (unfragmentable) or after it."""
    ip = IPv6(src=PEER_IP6, dst=OUR_IP6)
    if ext_before is not None:
        ip = ip / ext_before
    ip = ip / IPv6ExtHdrFragment(id=ident if ident is not None else
                                 0x6000 + k)
    if ext_after is not None:
        ip = ip / ext_after
    dg = IPv6(bytes(ip / UDP(sport=40000 + k, dport=dport) / payload(k, n)))
    return [to_us() / f for f in fragment6(dg, size)]


def udp6_scenarios():
    """UDP over IPv6 to sockets (the C side adds 2001:db8::1/64 and,
    for udp6_family, 2001:db8:1::1/64): delivery, checksums, families,
    connected sockets, fragments in and out of order, overlapping,
    too large and timed out."""
    s = {}
    # A both-family socket on 7000: five over IPv6 (one from a
    # link-local source, one after a hop-by-hop, destination options and
    # routing chain, one VLAN-tagged, one of 1400 bytes) and one IPv4.
    s["udp6_delivered"] = [
        udp6(0, 12),
        udp6(1, 100, src=PEER_LL6),
        udp6(2, 30, ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
             IPv6ExtHdrRouting(segleft=0)),
        udp6(3, 9, l2=to_us() / Dot1Q(vlan=10)),
        udp_to_us(4, 20),
        udp6(5, 1400),
    ]
    # Longer than one buffer (net_pcap chains them): the checksum is
    # summed across the segments; a good one and a bad one.
    s["udp6_jumbo"] = [udp6(0, 3000), udp6(1, 3000, chksum=0x1234)]
    # Good, bad and zero checksums.
    s["udp6_checksum"] = [
        udp6(0, 20), udp6(1, 21, chksum=0x1234), udp6(2, 22, chksum=0),
    ]
    # udp (7000) narrowed to ipv6; v6addr bound to 2001:db8:1::1:7001;
    # v4fam on 7002 narrowed to ipv4.
    s["udp6_family"] = [
        udp_to_us(0, 10),
        udp6(1, 11),
        udp6(2, 12, dport=7001, dst=OUR_IP6_2),
        udp6(3, 13, dport=7001),
        udp_to_us(4, 14, dport=7001),
        udp_to_us(5, 15, dport=7002),
        udp6(6, 16, dport=7002),
    ]
    # udp connected to [PEER_IP6]:40000: only its datagrams.
    s["udp6_connected"] = [
        udp6(0, 10, sport=40000),
        udp6(1, 11, sport=40001),
        udp6(2, 12, sport=40000, src=OTHER_IP6),
        udp_to_us(3, 13, sport=40000),
    ]
    # Datagram 0: 3000 bytes in four fragments sent 3, 1, 0, 2; datagram
    # 1: 1500
    # in order; datagram 2: destination options after the fragment
    # header (part of the fragmented data); datagram 3: hop-by-hop
    # before it.
    a = frags6(0, 3000, 1024)
    b = frags6(1, 1500, 1024)
    c = frags6(2, 1200, 1024, ext_after=IPv6ExtHdrDestOpt())
    d = frags6(3, 1600, 1024, ext_before=IPv6ExtHdrHopByHop())
    assert len(a) == 4 and len(b) == 2 and len(c) == 2 and len(d) == 2
    s["udp6_frag"] = [a[3], a[1], a[0], a[2]] + b + c + d
    # Fragments to an unbound port and a first fragment of TCP; UDP to an
    # unbound port; TCP over IPv6 (no handler: ipv6).
    s["udp6_no_socket"] = [
        frags6(0, 1500, 1024, dport=7009)[0],
        udp6(1, 10, dport=7009),
        to_us() / IPv6(src=PEER_IP6, dst=OUR_IP6) / TCP(dport=80),
    ]
    # Two fragments of three: never completes.
    e = frags6(0, 3000, 1024)
    s["udp6_frag_timeout"] = [e[0], e[1]]
    # A fragment overlapping the first one held.
    f = frags6(0, 3000, 1024)
    ov = f[1].copy()
    ov[IPv6ExtHdrFragment].offset = 62
    s["udp6_frag_invalid"] = [f[0], ov]
    # A last fragment past 65535 bytes of payload.
    g = frags6(0, 3000, 1024)
    big = g[3].copy()
    big[IPv6ExtHdrFragment].offset = 8190
    s["udp6_frag_too_large"] = [g[0], big]
    return s


def sol(target):
    """The solicited-node group of @target and its MAC."""
    group = inet_ntop(AF_INET6, in6_getnsma(inet_pton(AF_INET6, target)))
    return group, in6_getnsmac(inet_pton(AF_INET6, group))


def ns(src, target, mac=PEER_MAC, slla=True, dst=None, hlim=255, **kw):
    """A neighbour solicitation from @src (@mac) for @target, to its
    solicited-node group unless @dst."""
    group, gmac = sol(target)
    l2 = Ether(dst=gmac if dst is None else OUR_MAC, src=mac)
    p = l2 / IPv6(src=src, dst=group if dst is None else dst, hlim=hlim) / \
        ICMPv6ND_NS(tgt=target, **kw)
    return p / ICMPv6NDOptSrcLLAddr(lladdr=mac) if slla else p


def na(src, target, dst, mac, S=1, O=1, hlim=255):
    return Ether(dst=OUR_MAC if dst[:2] != "ff" else "33:33:00:00:00:01",
                 src=mac) / IPv6(src=src, dst=dst, hlim=hlim) / \
        ICMPv6ND_NA(tgt=target, R=0, S=S, O=O) / \
        ICMPv6NDOptDstLLAddr(lladdr=mac)


def nd_scenarios():
    """Neighbour discovery, DAD, ICMPv6 echo and malformed ND/ICMPv6
    (2001:db8::1/64 added; the C side has the counts)."""
    s = {}
    v6 = to_us() / IPv6(src=PEER_IP6, dst=OUR_IP6)
    # nd_answer: solicitations for our address (to its group, from a
    # global and a link-local address, and unicast as neighbour
    # unreachability detection does): answered, their senders learned
    # (net_pcap's MAC, and so our link-local address, differs from port
    # to port: test_stack_nd.c solicits that one); one for another
    # address of our group: nd_not_for_us; an advertisement nobody asked
    # for: taken, not learned.
    s["nd_answer"] = [
        ns(PEER_IP6, OUR_IP6),
        ns("fe80::2", OUR_IP6, mac=PEER_MAC2),
        ns("2001:db8::3", OUR_IP6, mac=OTHER_MAC, dst=OUR_IP6),
        ns(PEER_IP6, "2001:db8:1::1"),
        na("2001:db8::4", "2001:db8::4", OUR_IP6, "02:00:00:00:00:04"),
    ]
    # nd_dad_conflict: another node advertises our address while DAD
    # runs: it is not ours any more (a solicitation for it is
    # nd_not_for_us, an echo to it not_for_us). 31 frames for another
    # address (not_for_us) fill the advertisement's burst: what comes
    # after is classified once the service has seen the conflict.
    s["nd_dad_conflict"] = [
        na(OUR_IP6, OUR_IP6, "ff02::1", OTHER_MAC, S=0)] + [
        to_us() / IPv6(src=PEER_IP6, dst="2001:db8::99") /
        UDP(sport=1, dport=UDP_PORT) / payload(k, 4)
        for k in range(BURST - 1)] + [
        ns(PEER_IP6, OUR_IP6),
        v6 / ICMPv6EchoRequest(id=1, seq=1, data=payload(0, 8)),
    ]
    # icmp6_echo: to the global address (56 bytes, as ping -6 sends),
    # with a destination-options header, and from a link-local address.
    s["icmp6_echo"] = [
        v6 / ICMPv6EchoRequest(id=7, seq=1, data=payload(1, 56)),
        v6 / IPv6ExtHdrDestOpt() /
        ICMPv6EchoRequest(id=7, seq=2, data=payload(2, 8)),
        to_us() / IPv6(src="fe80::2", dst=OUR_IP6) /
        ICMPv6EchoRequest(id=7, seq=3, data=payload(3, 16)),
    ]
    # icmp6_jumbo: an echo longer than one buffer (net_pcap chains it):
    # not answered, as IPv4's icmp_jumbo.
    s["icmp6_jumbo"] = [v6 / ICMPv6EchoRequest(id=7, seq=9,
                                               data=payload(5, 3000))]
    # icmp6_malformed: one of every kind, each with its reason.
    bad_sum = v6 / ICMPv6EchoRequest(id=1, seq=1, cksum=0x1234)
    group, gmac = sol(OUR_IP6)
    l2g = Ether(dst=gmac, src=PEER_MAC)
    s["icmp6_malformed"] = [
        bad_sum,                                              # icmp6_checksum
        v6 / ICMPv6DestUnreach() / IPv6(src=OUR_IP6, dst=PEER_IP6) /
        UDP(sport=1, dport=2),                                # icmp6_error
        v6 / ICMPv6EchoReply(id=1, seq=1),                    # icmp6_unhandled
        Ether(dst="33:33:00:00:00:01", src=PEER_MAC) /
        IPv6(src="fe80::2", dst="ff02::1", hlim=255) /
        ICMPv6ND_RA(),                                        # icmp6_unhandled
        Ether(dst="33:33:00:00:00:01", src=PEER_MAC) /
        IPv6(src="fe80::2", dst="ff02::1") /
        ICMPv6EchoRequest(),                                  # icmp6_unhandled
        v6 / IPv6ExtHdrFragment(offset=0, m=1, id=3) /
        ICMPv6EchoRequest(data=payload(4, 16)),               # icmp6_unhandled
        ns(PEER_IP6, OUR_IP6, hlim=64),                       # nd_hop_limit
        ns(PEER_IP6, OUR_IP6, code=1),                        # nd_code
        l2g / IPv6(src=PEER_IP6, dst=group, hlim=255) /
        ICMPv6ND_NS(tgt="ff02::1"),                           # nd_malformed
        ns("::", OUR_IP6),                                    # nd_malformed
        l2g / IPv6(src="::", dst=OUR_IP6, hlim=255) /
        ICMPv6ND_NS(tgt=OUR_IP6),                             # nd_malformed
        na(PEER_IP6, PEER_IP6, "ff02::1", PEER_MAC, S=1),     # nd_malformed
        l2g / IPv6(src=PEER_IP6, dst=group, hlim=255) /
        ICMPv6ND_NS(tgt=OUR_IP6) /
        ICMPv6NDOptSrcLLAddr(len=0, lladdr=PEER_MAC),         # nd_option
        v6.copy() / ICMPv6ND_NA(tgt=PEER_IP6, S=1) /
        ICMPv6NDOptDstLLAddr(len=2, lladdr=PEER_MAC),         # nd_option
    ]
    # A solicitation of 16 bytes (shorter than its 24), checksum right:
    # nd_malformed.
    cut = l2g / IPv6(src=PEER_IP6, dst=group, hlim=255, nh=58) / \
        (b"\x87\x00\x00\x00" + bytes(4) + inet_pton(AF_INET6, OUR_IP6)[:8])
    s["icmp6_malformed"].append(icmp6_fix(bytes(cut)))        # nd_malformed
    # An ICMPv6 message of 2 bytes: l4_truncated.
    trunc = bytearray(bytes(to_us() / IPv6(src=PEER_IP6, dst=OUR_IP6,
                                           nh=58, plen=2) / b"\x80\x00"))
    s["icmp6_malformed"].append(bytes(trunc))                 # l4_truncated
    # nd_storm: solicitations from 2000 hosts (a MAC and an address
    # each) for our address, and one from PEER_IP6's imposter
    # advertising another MAC for the configured PEER_IP6.
    storm = []
    for h in range(2000):
        mac = "02:10:00:00:%02x:%02x" % (h >> 8, h & 0xFF)
        storm.append(ns("2001:db8::1:%x" % h, OUR_IP6, mac=mac))
        if h == 1000:
            storm.append(na(PEER_IP6, PEER_IP6, OUR_IP6,
                            "02:66:66:66:66:66"))
    s["nd_storm"] = storm
    return s


def icmp6_fix(frame):
    """@frame with its ICMPv6 checksum (no extension headers) redone."""
    b = bytearray(frame)
    ip6 = b[14:54]
    body = b[54:14 + 40 + struct.unpack("!H", bytes(ip6[4:6]))[0]]
    body[2:4] = b"\0\0"
    ph = bytes(ip6[8:40]) + struct.pack("!IxxxB", len(body), 58)
    data = ph + bytes(body)
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    b[56:58] = struct.pack("!H", ~total & 0xFFFF)
    return bytes(b)


def write_pcap(path, frames):
    """Classic pcap, microseconds, Ethernet, snaplen 65535; frame i at
    1000000000 s + i ms."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            data = bytes(fr)
            f.write(struct.pack("<IIII", 1000000000 + i // 1000,
                                (i % 1000) * 1000, len(data), len(data)))
            f.write(data)


def main():
    if len(sys.argv) != 2:
        print("usage: gen_pcaps.py OUTDIR", file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, frames in sorted(scenarios().items()):
        write_pcap(os.path.join(out, name + ".pcap"), frames)
        print(name, len(frames))
    return 0


if __name__ == "__main__":
    sys.exit(main())
