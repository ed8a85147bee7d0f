#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Truncated and lying captures given to xchg-replay: each refused with
exit code 2 and one line on stderr that names the file and the damage,
or, for the lies libpcap tolerates, replayed (exit 0). The inputs kept
in regress/pcap/ (what fuzz_pcap found) go through it too: refused in
one line, or replayed.

    replay_refusals.py XCHG_REPLAY CONFIG REGRESS_PCAP_DIR
"""
import os
import struct
import subprocess
import sys
import tempfile

replay, config, regress = sys.argv[1:4]


def hdr(magic=0xA1B2C3D4, snap=65535, link=1):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snap, link)


def rec(data, caplen=None, wire=None):
    return struct.pack("<IIII", 1, 0,
                       len(data) if caplen is None else caplen,
                       len(data) if wire is None else wire) + data


arp = b"\xff" * 6 + b"\x02\0\0\0\0\x01" + b"\x08\x06" + b"\0" * 46
# name: (contents, words the one-line refusal must have, or None: replayed)
cases = {
    "empty": (b"", "truncated"),
    "short-header": (hdr()[:10], "truncated"),
    "bad-magic": (hdr(magic=0x12345678) + rec(arp), "unknown file format"),
    "truncated-record-header": (hdr() + rec(arp) + rec(arp)[:9],
                                "damaged after 1 frames"),
    "truncated-record-data": (hdr() + rec(arp) + rec(arp)[:30],
                              "damaged after 1 frames"),
    "caplen-huge": (hdr() + struct.pack("<IIII", 1, 0, 0xFFFFFFF0, 60) + arp,
                    "damaged after 0 frames"),
    "linktype-unknown": (hdr(link=4242) + rec(arp), "link type 4242"),
    "linktype-raw": (hdr(link=101) + rec(arp), "not an Ethernet capture"),
    "caplen-over-snaplen": (hdr(snap=64) + rec(arp + b"\0" * 100), None),
    "caplen-over-wire": (hdr() + rec(arp, wire=10), None),
}

failed = 0


def run(name, path, expect):
    global failed
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([replay, "--config", config, "--pcap", path,
                            "--out-dir", out], capture_output=True,
                           text=True, timeout=60)
    lines = p.stderr.strip().splitlines()
    if expect is None:
        ok = p.returncode == 0
        why = f"exit {p.returncode}, expected 0: {p.stderr.strip()}"
    elif expect == "any":
        ok = p.returncode == 0 or (p.returncode == 2 and len(lines) == 1
                                   and path in lines[0])
        why = f"exit {p.returncode}, {len(lines)} stderr lines: {p.stderr}"
    else:
        ok = (p.returncode == 2 and len(lines) == 1 and path in lines[0]
              and expect in lines[0])
        why = (f"exit {p.returncode}, {len(lines)} stderr lines, expected "
               f"exit 2 and one line naming the file and '{expect}': "
               f"{p.stderr}")
    print(("ok   " if ok else "FAIL ") + name +
          ("" if ok else ": " + why) +
          (f"  [{lines[0]}]" if ok and lines and expect else ""))
    failed += not ok


with tempfile.TemporaryDirectory() as d:
    for name, (data, expect) in cases.items():
        path = os.path.join(d, name + ".pcap")
        with open(path, "wb") as f:
            f.write(data)
        run(name, path, expect)
for name in sorted(os.listdir(regress)):
    if not name.startswith("."):
        run("kept " + name, os.path.join(regress, name), "any")
print(f"replay_refusals: {len(cases) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
