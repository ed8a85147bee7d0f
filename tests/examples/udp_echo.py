#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""examples/udp_echo.c on net_pcap: an ARP request, a ping and 20 UDP
datagrams to 192.0.2.1:7000 go in; out come the ARP reply, the echo
reply and each datagram back to its sender, payload unchanged, ports
swapped; the example's census is conserved.

Usage: udp_echo.py UDP_ECHO
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "apps"))
import replay_util as u  # noqa: E402

u.need_scapy()
from scapy.all import ARP, ICMP, IP, UDP, Ether, rdpcap, wrpcap  # noqa: E402

MAC_PEER = "02:00:00:00:00:02"
N = 20


def main():
    exe = sys.argv[1]
    t = u.Checks("example_udp_echo")
    with u.TmpDir() as tmp:
        rx = os.path.join(tmp, "in.pcap")
        tx = os.path.join(tmp, "out.pcap")
        frames = [Ether(src=MAC_PEER, dst="ff:ff:ff:ff:ff:ff") /
                  ARP(op=1, hwsrc=MAC_PEER, psrc="192.0.2.2",
                      pdst="192.0.2.1")]
        frames.append(Ether(src=MAC_PEER) / IP(src="192.0.2.2",
                                               dst="192.0.2.1") /
                      ICMP(type=8, id=1, seq=1) / (b"p" * 16))
        for i in range(N):
            frames.append(Ether(src=MAC_PEER) /
                          IP(src="192.0.2.2", dst="192.0.2.1") /
                          UDP(sport=40000 + i, dport=7000) /
                          (b"echo %04d" % i))
        wrpcap(rx, frames)
        p = subprocess.run(
            [exe, "-l", "0", "--no-huge", "-m", "256", "--no-pci",
             "--no-shconf", "--vdev=net_pcap_echo%d,rx_pcap=%s,tx_pcap=%s"
             % (os.getpid(), rx, tx), "--", "192.0.2.1/24", "7000", "500"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=50,
            stdin=subprocess.DEVNULL)
        out = p.stdout.decode(errors="replace")
        print(out)
        print(p.stderr.decode(errors="replace")[-2000:])
        t.eq(p.returncode, 0, "the example exits 0")
        t.check("udp_echo: echoed %d datagrams" % N in out,
                "it says it echoed %d" % N)
        t.check(": conserved" in out, "its census is conserved")
        sent = rdpcap(tx) if os.path.exists(tx) else []
        arp = [f for f in sent if ARP in f and f[ARP].op == 2]
        icmp = [f for f in sent if ICMP in f and f[ICMP].type == 0]
        udp = [f for f in sent if UDP in f]
        t.eq(len(arp), 1, "one ARP reply")
        t.eq(len(icmp), 1, "one echo reply")
        t.eq(len(udp), N, "every datagram back")
        t.eq(sorted((f[UDP].sport, f[UDP].dport, bytes(f[UDP].payload))
                    for f in udp),
             [(7000, 40000 + i, b"echo %04d" % i) for i in range(N)],
             "to its sender, ports swapped, payload unchanged")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
