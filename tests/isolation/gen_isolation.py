#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the captures test_isolation replays (issue 8's scenarios).

    /usr/bin/python3 gen_isolation.py OUTDIR

Writes OUTDIR/<scenario>.pcap and prints one line per scenario,
"<scenario> <frames> key=value...", the figures the C test checks the
stack against: how many frames of each kind the capture holds and, where
the outcome follows from the stack's documented rule rather than from a
count, the outcome the rule gives (each such figure says which rule).
Frames are built with Scapy; files are written byte by byte with fixed
timestamps, so two runs give identical files.

The stack is 10.1.0.1/16. The critical socket is UDP port 7000 and hears
from 10.1.0.2 (the peer); the flooded ("bulk") socket is port 9000, and
the flood comes from 10.1.0.3.
"""

import os
import random
import struct
import sys

from scapy.layers.inet import IP, UDP, fragment
from scapy.layers.l2 import ARP, Ether

OUR_IP = "10.1.0.1"
OUR_MAC = "02:70:63:61:70:00"
PEER_IP = "10.1.0.2"
PEER_MAC = "02:00:00:00:00:02"
FLOOD_IP = "10.1.0.3"
FLOOD_MAC = "02:00:00:00:00:03"
CRIT_PORT = 7000
BULK_PORT = 9000
COLLECTORS = 16          # the bulk socket's (quota 64 / 4)
STAGING = 16             # XCHG_STACK_FRAG_STAGING

ip_id = [0x1000]


def next_id():
    ip_id[0] = (ip_id[0] + 1) & 0xFFFF
    return ip_id[0]


def payload(k, n):
    """Payload of datagram k, n bytes; test_isolation.c has the same."""
    return bytes(((k * 31 + j * 7 + 1) & 0xFF) for j in range(n))


def crit_whole(k, n=200):
    return (Ether(dst=OUR_MAC, src=PEER_MAC) /
            IP(src=PEER_IP, dst=OUR_IP, id=next_id()) /
            UDP(sport=40000 + k, dport=CRIT_PORT) / payload(k, n))


def frags(k, n, size, dport, src=PEER_IP, mac=PEER_MAC):
    pkt = (IP(src=src, dst=OUR_IP, id=next_id()) /
           UDP(sport=40000 + k, dport=dport) / payload(k, n))
    return [Ether(dst=OUR_MAC, src=mac) / f
            for f in fragment(pkt, fragsize=size)]


class Flood:
    """Raw fragments that never complete, each of a datagram of its own;
    the IP header is written here (Scapy would be slow at thousands)."""

    def __init__(self, src=FLOOD_IP, mac=FLOOD_MAC):
        self.n = 0
        self.src = src
        self.eth = bytes(Ether(dst=OUR_MAC, src=mac, type=0x0800))

    def _ip(self, total, frag, data):
        hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, total,
                                    next_id(), frag, 64, 17, 0,
                                    bytes(map(int, self.src.split("."))),
                                    bytes(map(int, OUR_IP.split(".")))))
        s = sum(struct.unpack("!10H", bytes(hdr)))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        hdr[10:12] = struct.pack("!H", ~s & 0xFFFF)
        self.n += 1
        return self.eth + bytes(hdr) + data

    def first(self, port=BULK_PORT):
        """A first fragment to the bulk socket: MF set, offset 0."""
        udp = struct.pack("!HHHH", 50000, port, 8 + 3000, 0)
        data = udp + bytes(792)
        return self._ip(20 + len(data), 0x2000, data)

    def later(self):
        """A last fragment whose first never comes: offset 1000."""
        data = bytes(400)
        return self._ip(20 + len(data), 1000 // 8, data)


def first_flood():
    """A flood of first fragments at the bulk socket, six between every
    two frames of the critical socket's 100 datagrams (even ones whole,
    odd ones of 3,000 bytes in four fragments); the first six frames come
    in one burst with no flood, so a reassembled datagram sits between two
    whole ones."""
    fl = Flood()
    crit = []
    for k in range(100):
        crit.append([crit_whole(k)] if k % 2 == 0 else
                    frags(k, 3000, 1000, CRIT_PORT))
    frames = crit[0] + crit[1] + crit[2]
    for d in crit[3:]:
        for f in d:
            frames += [fl.first() for _ in range(6)]
            frames.append(f)
    frames += [fl.first() for _ in range(6)]
    return frames, {"flood": fl.n, "crit": 100}


def interleaved():
    """The same flood, and 200 complete datagrams to the bulk socket in
    two fragments each, gap(i) = 7i mod 20 flood first fragments between
    the two, 4 between datagrams. Rule: a socket's half-built datagram is
    evicted when COLLECTORS newer ones start before it completes, so it
    completes when gap(i) < COLLECTORS."""
    fl = Flood()
    frames = []
    done = 0
    for i in range(200):
        a, b = frags(i, 1600, 1000, BULK_PORT, FLOOD_IP, FLOOD_MAC)
        gap = (7 * i) % 20
        frames += [fl.first() for _ in range(4)]
        frames.append(a)
        frames += [fl.first() for _ in range(gap)]
        frames.append(b)
        done += gap < COLLECTORS
    frames += [fl.first() for _ in range(4)]
    # Each evicted good datagram's second fragment finds no collector
    # and waits in the staging area, oldest evicted first.
    lost = 200 - done
    return frames, {"flood": fl.n, "good": 200, "complete": done,
                    "staged": lost, "staging_evicted": max(0, lost - STAGING)}


def staging_flood():
    """Last fragments first (their first never comes) flooding the
    staging area, 10 between every two fragments of 100 datagrams to the
    critical socket in order; before them, 10 datagrams to the critical
    socket whose fragments come last first, with no flood in between."""
    fl = Flood()
    frames = []
    moved = 0
    for k in range(10):
        d = frags(k, 3000, 1000, CRIT_PORT)
        frames += list(reversed(d))
        moved += len(d) - 1
    for k in range(10, 110):
        for f in frags(k, 3000, 1000, CRIT_PORT):
            frames += [fl.later() for _ in range(10)]
            frames.append(f)
    return frames, {"flood": fl.n, "crit": 110, "moved": moved}


def host_flood(src=FLOOD_IP, mac=FLOOD_MAC):
    """Issue 20's capture: one host floods 4,000 later fragments whose
    first never comes while the critical socket receives from its peer
    1,100 datagrams, in a fixed shuffled order: 500 whole, 300 in three
    fragments in order, 200 in three fragments back to back but last
    first, 100 last first with 12 flood frames between their fragments.
    One or two flood frames come before each datagram. Rule (fair
    shares): the staging area evicts the oldest fragment of the host
    holding the most, so with the flood from another host every datagram
    completes, and every eviction is the flood's."""
    fl = Flood(src, mac)
    kinds = ["whole"] * 500 + ["inorder"] * 300 + ["b2b"] * 200 + \
        ["spread"] * 100
    random.Random(20).shuffle(kinds)
    frames = []
    staged = 0
    for k, kind in enumerate(kinds):
        frames += [fl.later() for _ in range(1 + (k % 11 < 5))]
        if kind == "whole":
            frames.append(crit_whole(k))
            continue
        d = frags(k, 2400, 1000, CRIT_PORT)
        if kind == "inorder":
            frames += d
            continue
        d.reverse()
        staged += len(d) - 1
        if kind == "b2b":
            frames += d
            continue
        for i, f in enumerate(d):
            if i:
                frames += [fl.later() for _ in range(12)]
            frames.append(f)
    return frames, {"flood": fl.n, "crit": len(kinds), "moved": staged,
                    "spread": 100, "b2b": 200}


def peer_flood():
    """The same with the flood from the critical socket's own peer: it
    holds the most, so it loses its own oldest, spread datagrams
    included (the figure is printed, not asserted)."""
    return host_flood(PEER_IP, PEER_MAC)


def collector_share():
    """First fragments that never complete from the flooding host to the
    critical socket itself, 20 between the two fragments of each of 200
    datagrams from its peer (more than its 16 collectors). Rule (fair
    shares): the host holding the most collectors loses its own, so every
    datagram of the peer completes and every eviction is the flood's."""
    fl = Flood()
    frames = []
    for k in range(200):
        a, b = frags(k, 1600, 1000, CRIT_PORT)
        frames.append(a)
        frames += [fl.first(CRIT_PORT) for _ in range(20)]
        frames.append(b)
    return frames, {"flood": fl.n, "crit": 200}


def arp_storm():
    """The peer's announcement, then ARP requests for our address from
    4,000 distinct hosts (10.1.16.0 up)."""
    frames = [Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
              ARP(op=2, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst=OUR_MAC,
                  pdst=OUR_IP)]
    # One request built by Scapy, the others with its bytes: only the
    # sender's addresses change.
    tmpl = bytearray(bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=FLOOD_MAC) /
                           ARP(op=1, hwsrc=FLOOD_MAC, psrc=FLOOD_IP,
                               pdst=OUR_IP)))
    for i in range(4000):
        mac = bytes([2, 0, 1, i >> 16, (i >> 8) & 0xFF, i & 0xFF])
        f = bytearray(tmpl)
        f[6:12] = mac
        f[22:28] = mac
        f[28:32] = bytes([10, 1, 16 + i // 256, i % 256])
        frames.append(bytes(f))
    return frames, {"hosts": 4000}


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            data = bytes(fr)
            f.write(struct.pack("<IIII", 1000000000 + i // 1000,
                                (i % 1000) * 1000, len(data), len(data)))
            f.write(data)


def main():
    if len(sys.argv) != 2:
        print("usage: gen_isolation.py OUTDIR", file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in (("first_flood", first_flood),
                     ("interleaved", interleaved),
                     ("staging_flood", staging_flood),
                     ("host_flood", host_flood),
                     ("peer_flood", peer_flood),
                     ("collector_share", collector_share),
                     ("arp_storm", arp_storm)):
        frames, figures = fn()
        write_pcap(os.path.join(out, name + ".pcap"), frames)
        print(name, len(frames),
              " ".join("%s=%d" % kv for kv in sorted(figures.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
