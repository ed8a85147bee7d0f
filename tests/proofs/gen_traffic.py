#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the mixed traffic of the proofs' live tests as one pcap.

    gen_traffic.py OUT.pcap OUR_MAC PEER_MAC OUR_IP PEER_IP

1000 frames from the peer to the stack, every protocol path once per
pass (tcpreplay loops the file): ICMP echo requests, ARP requests, UDP to
the critical echo socket (7), to a sink (9) and to the bulk socket the
hog holds (6000), 2000-byte datagrams to port 9 in two fragments each,
frames of ethertype 0x88b5 for the packet socket, and TCP SYNs to port
2222, which no socket claims: they go to the proxy.
"""
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, fragment, wrpcap

out, ours, peer, our_ip, peer_ip = sys.argv[1:6]
e = Ether(src=peer, dst=ours)
frames = []
for i in range(100):
    frames.append(e / IP(src=peer_ip, dst=our_ip) /
                  ICMP(type=8, id=0x4242, seq=i) / Raw(b"p" * 56))
for i in range(50):
    frames.append(Ether(src=peer, dst="ff:ff:ff:ff:ff:ff") /
                  ARP(op=1, hwsrc=peer, psrc=peer_ip, pdst=our_ip))
for i in range(150):
    frames.append(e / IP(src=peer_ip, dst=our_ip) /
                  UDP(sport=40000 + i, dport=7) / Raw(b"c" * 32))
for i in range(200):
    frames.append(e / IP(src=peer_ip, dst=our_ip) /
                  UDP(sport=41000, dport=9) / Raw(b"s" * 100))
for i in range(250):
    frames.append(e / IP(src=peer_ip, dst=our_ip) /
                  UDP(sport=42000, dport=6000) / Raw(b"b" * 200))
for i in range(50):
    dgram = IP(src=peer_ip, dst=our_ip, id=1000 + i) / \
        UDP(sport=43000, dport=9) / Raw(b"f" * 2000)
    for f in fragment(dgram, fragsize=1400):
        frames.append(e / f)
for i in range(100):
    frames.append(Ether(src=peer, dst=ours, type=0x88b5) /
                  Raw(bytes([i % 256]) * 46))
for i in range(50):
    frames.append(e / IP(src=peer_ip, dst=our_ip) /
                  TCP(sport=44000 + i, dport=2222, flags="S"))
assert len(frames) == 1000, len(frames)
wrpcap(out, frames)
