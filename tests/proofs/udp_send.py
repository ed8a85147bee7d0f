#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send COUNT numbered UDP datagrams to HOST:PORT, RATE a second.

    udp_send.py HOST PORT COUNT RATE
"""
import socket
import sys
import time

host, port, count, rate = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
start = time.monotonic()
sent = 0
for i in range(count):
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    try:
        s.sendto(b"critical %06d" % i, (host, port))
        sent += 1
    except OSError as e:
        print(f"send {i}: {e}", file=sys.stderr)
print(f"sent {sent}")
