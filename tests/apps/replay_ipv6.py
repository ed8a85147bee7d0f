#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay with UDP over IPv6, in exchange and shared mode: IPv6
datagrams are counted per socket like IPv4 ones, under the same names.

- dual (UDP 7000, both families) gets IPv4 and IPv6 datagrams alike;
- v6 (UDP 7001, family = ipv6) gets a datagram Linux-style fragmented in
  three (counted once received, three frames delivered) and its whole
  datagrams; IPv4 to its port is no_socket;
- v4 (UDP 7002, family = ipv4): IPv6 to its port is no_socket;
- a UDPv6 datagram with a zero checksum is dropped (udp6_zero_checksum);
- a second fragmented datagram, to dual, interleaved with v6's: each
  fragment is counted against its own datagram's socket;
- socket-v6.pcap holds the reassembled datagram as one whole frame.

Usage: replay_ipv6.py XCHG_REPLAY
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402
from scapy.all import (IPv6, IPv6ExtHdrFragment, Raw, UDP,  # noqa: E402
                       rdpcap)

CONFIG = """
[arena]
buffers = 2048

[port p0]
vdev = net_null0
ip = 192.0.2.1/24
ip6 = 2001:db8::1/64

[socket dual]
type = udp
port = 7000
quota = 64
priority = critical

[socket v6]
type = udp
port = 7001
quota = 32
family = ipv6

[socket v4]
type = udp
port = 7002
quota = 32
family = ipv4
"""


def main():
    exe = sys.argv[1]
    t = u.Checks("replay_ipv6")
    with u.TmpDir() as tmp:
        config = os.path.join(tmp, "ipv6.ini")
        with open(config, "w") as f:
            f.write(CONFIG)
        pcap = os.path.join(tmp, "ipv6.pcap")
        classes = scenarios.ipv6(pcap)
        n = {c: classes.count(c) for c in set(classes)}
        reports = u.replay_modes(t, exe, config, pcap, tmp)
        if reports is None:
            return t.done()
        for mode in ("exchange", "shared"):
            r = reports[mode]
            u.check_sums(t, r, "ipv6")
            c = r["consumers"]
            t.eq((c["dual"]["delivered"], c["dual"]["received"]),
                 (n["dual4"] + n["dual6"] + n["dual6_fragment"],
                  n["dual4"] + n["dual6"] + 1),
                 mode + ": dual gets both families")
            t.eq((c["v6"]["delivered"], c["v6"]["received"]),
                 (n["v6"] + n["v6_fragment"], n["v6"] + 1),
                 mode + ": v6: the fragments delivered, one datagram more")
            t.eq((c["v4"]["delivered"], c["v4"]["received"]),
                 (n["v4"], n["v4"]), mode + ": v4")
            t.eq(r["drops"]["no_socket"], n["no_socket"],
                 mode + ": the other family to a narrowed socket")
            t.eq(r["drops"]["udp6_zero_checksum"], n["udp6_zero_checksum"],
                 mode + ": zero checksum over IPv6")
            t.eq(r["stack"]["reassembled"], 2, mode + ": two reassembled")
            t.eq(r["ports"]["p0"]["ipackets"], len(classes),
                 mode + ": every frame read")
            t.eq(r["census"]["conserved"], True, mode + ": census")
        ex = os.path.join(tmp, "exchange")
        out6 = rdpcap(os.path.join(ex, "socket-v6.pcap"))
        t.eq(len(out6), n["v6"] + 1, "socket-v6.pcap frames")
        big = [p for p in out6 if Raw in p and len(p[Raw].load) == 2400]
        t.check(len(big) == 1 and big[0][Raw].load == b"G" * 2400 and
                big[0][IPv6].plen == 8 + 8 + 2400 and
                big[0][IPv6ExtHdrFragment].offset == 0 and
                big[0][IPv6ExtHdrFragment].m == 0 and
                big[0][UDP].dport == 7001,
                "the reassembled IPv6 datagram is one whole frame")
        dual = rdpcap(os.path.join(ex, "socket-dual.pcap"))
        t.eq(sum(1 for p in dual if IPv6 in p), n["dual6"] + 1,
             "socket-dual.pcap: the IPv6 frames whole")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
