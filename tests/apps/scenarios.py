# SPDX-License-Identifier: BSD-3-Clause
"""Scenario captures for the xchg-replay tests, made with Scapy.

Deterministic: fixed addresses, fixed timestamps (1 ms apart from a fixed
start), no randomness, so the same scenario is the same bytes every time.
Each generator returns the frames' classes in order, which the tests use
to compute the exact counts they expect.
"""

import logging
import struct
from decimal import Decimal

from scapy.all import (ARP, ICMP, IP, UDP, Dot1Q, Ether, IPv6,
                       IPv6ExtHdrFragment, Raw, fragment, fragment6)

# The runt frame is not Ethernet to Scapy: no warning about link types.
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

US_MAC = "02:70:63:61:70:00"   # net_pcap's first device in a process
PEER_MAC = "02:00:00:00:00:02"
US_IP = "192.0.2.1"
PEER_IP = "192.0.2.2"
T0 = Decimal(1700000000)


def _write(path, frames):
    # The capture written here, not by wrpcap(): Scapy 2.6 (Debian 13)
    # looks up the link type of each packet's class and raises KeyError on
    # a bare Raw frame (the runt), linktype given or not.
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k, (_, p) in enumerate(frames):
            t = T0 + Decimal(k) / 1000
            b = bytes(p)
            f.write(struct.pack("<IIII", int(t), int(t % 1 * 1000000),
                                len(b), len(b)) + b)
    return [c for c, _ in frames]


def _udp(dport, payload, sport=1000, dst=US_IP):
    return (Ether(src=PEER_MAC, dst=US_MAC) /
            IP(src=PEER_IP, dst=dst, id=0) /
            UDP(sport=sport, dport=dport) / Raw(payload))


def _arp_request():
    return (Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
            ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=US_IP))


def _ping(seq):
    return (Ether(src=PEER_MAC, dst=US_MAC) /
            IP(src=PEER_IP, dst=US_IP, id=0) /
            ICMP(id=7, seq=seq) / Raw(b"ping"))


def hog(path):
    """4000 UDP frames, one in four for ctrl (5000), the rest for bulk
    (6000), with ARP requests, pings and frames the stack must drop
    spread through."""
    f = []
    for i in range(4000):
        if i % 500 == 0:
            f.append(("arp", _arp_request()))
        if i % 400 == 100:
            f.append(("icmp", _ping(i)))
        if i % 300 == 7:
            f.append(("no_socket", _udp(7777, b"nobody")))
        if i % 800 == 13:
            bad = _udp(5000, b"badsum")
            bad[IP].chksum = 0x1234
            f.append(("ipv4_checksum", bad))
        if i % 1000 == 29:
            f.append(("ipv6", Ether(src=PEER_MAC, dst=US_MAC) /
                      IPv6(src="2001:db8::2", dst="2001:db8::1") /
                      UDP(sport=1, dport=5000) / Raw(b"v6")))
        if i % 2000 == 31:
            f.append(("not_for_us", _udp(5000, b"other", dst="192.0.2.99")))
        if i % 4 == 0:
            f.append(("ctrl", _udp(5000, b"ctrl%06d" % i)))
        else:
            f.append(("bulk", _udp(6000, b"bulk%06d" % i)))
    return _write(path, f)


def mixed(path):
    """Every kind of consumer and drop the stack knows, for exact counts:
    VLAN-tagged frames, a packet socket, a held socket, a ping flood
    beyond the ICMP quota, malformed frames, a fragmented datagram."""
    f = []
    for i in range(600):
        if i % 3 == 0:
            f.append(("ctrl", _udp(5000, b"c%05d" % i)))
        elif i % 3 == 1:
            f.append(("tele", _udp(5001, b"t%05d" % i)))
        else:
            f.append(("raw", Ether(src=PEER_MAC, dst=US_MAC, type=0x88b5) /
                      Raw(b"raw%05d" % i + b"." * 50)))
        if i % 50 == 10:
            f.append(("ctrl", Ether(src=PEER_MAC, dst=US_MAC) /
                      Dot1Q(vlan=10) / IP(src=PEER_IP, dst=US_IP, id=0) /
                      UDP(sport=1000, dport=5000) / Raw(b"vlan%05d" % i)))
        if i == 200:
            # A ping flood: 40 echo requests in a row.
            for k in range(40):
                f.append(("icmp", _ping(k)))
        if i == 300:
            f.append(("arp", _arp_request()))
            f.append(("arp_not_for_us", Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
                      ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst="192.0.2.77")))
            f.append(("runt", Raw(b"\x01" * 10)))
            f.append(("vlan_too_many", Ether(src=PEER_MAC, dst=US_MAC) /
                      Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) /
                      IP(src=PEER_IP, dst=US_IP) / UDP(dport=5000)))
            ttl0 = _udp(5000, b"ttl0")
            ttl0[IP].ttl = 0
            f.append(("ipv4_ttl", ttl0))
            badlen = _udp(5000, b"badlen")
            badlen[UDP].len = 200
            f.append(("udp_length", badlen))
            badicmp = _ping(99)
            badicmp[ICMP].chksum = 0x1111
            f.append(("icmp_checksum", badicmp))
            f.append(("unknown_ethertype", Ether(src=PEER_MAC, dst=US_MAC,
                                                 type=0x88b6) / Raw(b"x" * 50)))
            f.append(("no_socket", _udp(5002, b"closed")))
        if i == 400:
            big = (IP(src=PEER_IP, dst=US_IP, id=4242) /
                   UDP(sport=1000, dport=5001) / Raw(b"F" * 2400))
            for frag in fragment(big, fragsize=1000):
                f.append(("tele_fragment",
                          Ether(src=PEER_MAC, dst=US_MAC) / frag))
    return _write(path, f)


def garbage(path):
    """A few UDP frames for ctrl, for runs that only need some input."""
    return _write(path, [("ctrl", _udp(5000, b"g%d" % i)) for i in range(10)])


GENERATORS = {"hog": hog, "mixed": mixed, "garbage": garbage}


US_IP6 = "2001:db8::1"
PEER_IP6 = "2001:db8::2"


def _udp6(dport, payload, sport=1000, **udpkw):
    return (Ether(src=PEER_MAC, dst=US_MAC) /
            IPv6(src=PEER_IP6, dst=US_IP6) /
            UDP(sport=sport, dport=dport, **udpkw) / Raw(payload))


def ipv6(path):
    """UDP over IPv6 and IPv4 to a both-family socket (7000), an IPv6 one
    (7001) and an IPv4 one (7002): see tests/apps/replay_ipv6.py."""
    frames = []
    for k in range(40):
        if k % 2:
            frames.append(("dual6", _udp6(7000, b"six %d" % k)))
        else:
            frames.append(("dual4", _udp(7000, b"four %d" % k)))
        if k % 8 == 3:
            frames.append(("v6", _udp6(7001, b"v6 %d" % k)))
            frames.append(("v4", _udp(7002, b"v4 %d" % k)))
        if k == 20:
            dg = IPv6(bytes(IPv6(src=PEER_IP6, dst=US_IP6) /
                            IPv6ExtHdrFragment(id=0x1234) /
                            UDP(sport=1000, dport=7001) /
                            Raw(b"G" * 2400)))
            frags = fragment6(dg, 1000)
            # A second one to dual, interleaved: each fragment counts
            # against its own datagram's socket (the key is the id and
            # both addresses).
            dg2 = IPv6(bytes(IPv6(src=PEER_IP6, dst=US_IP6) /
                             IPv6ExtHdrFragment(id=0x1235) /
                             UDP(sport=1000, dport=7000) /
                             Raw(b"H" * 2400)))
            frags2 = fragment6(dg2, 1000)
            order = [("dual6_fragment", frags2[1]), ("v6_fragment", frags[2]),
                     ("dual6_fragment", frags2[2]), ("v6_fragment", frags[0]),
                     ("v6_fragment", frags[1]), ("dual6_fragment", frags2[0])]
            assert len(frags) == 3 and len(frags2) == 3
            for cls, f in order:
                frames.append((cls, Ether(src=PEER_MAC, dst=US_MAC) / f))
    frames.append(("no_socket", _udp(7001, b"four to v6")))
    frames.append(("no_socket", _udp6(7002, b"six to v4")))
    frames.append(("udp6_zero_checksum", _udp6(7000, b"zero", chksum=0)))
    return _write(path, frames)
