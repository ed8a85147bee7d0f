#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay with a proxy: what no socket or service claims reaches the
host side (proxy-tx.pcap), whole and in order, in both modes (shared: the
same stack on an overcommitted arena, every quota the whole arena); the
control socket and the services lose nothing.

Usage: replay_proxy.py XCHG_REPLAY CONFIG_DIR
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402
from scapy.all import rdpcap  # noqa: E402

UNCLAIMED = ("bulk", "no_socket", "ipv6")   # no socket on 6000 here


def main():
    exe, config_dir = sys.argv[1], sys.argv[2]
    config = os.path.join(config_dir, "proxy.ini")
    t = u.Checks("replay_proxy")
    with u.TmpDir() as tmp:
        pcap = os.path.join(tmp, "hog.pcap")
        classes = scenarios.hog(pcap)
        n = {c: classes.count(c) for c in set(classes)}
        inp = rdpcap(pcap)
        want = [bytes(p) for p, k in zip(inp, classes) if k in UNCLAIMED]
        for mode in ("exchange", "shared"):
            out = os.path.join(tmp, mode)
            rc, so, se, r = u.replay(exe, config, pcap, out, mode)
            if not t.eq(rc, 0, "%s: exit status (%s)" % (mode, se.strip())):
                return t.done()
            u.check_sums(t, r, "proxy")
            t.eq(r["stack"]["proxied_in"], len(want), mode + ": proxied_in")
            t.eq(r["consumers"]["port0_proxy"]["delivered"], len(want),
                 mode + ": proxy delivered")
            t.eq(r["ports"]["proxy-tap"]["opackets"], len(want),
                 mode + ": frames sent to the host")
            t.eq(r["consumers"]["ctrl"]["delivered"], n["ctrl"], mode + ": ctrl")
            t.eq(r["stack"]["icmp_answered"], n["icmp"], mode + ": pings")
            t.eq((r["drops"]["no_socket"], r["drops"]["ipv6"]), (0, 0),
                 mode + ": unclaimed frames are not dropped")
            t.eq((r["drops"]["ipv4_checksum"], r["drops"]["not_for_us"]),
                 (n["ipv4_checksum"], n["not_for_us"]),
                 mode + ": frames for nobody are still dropped")
            got = [bytes(p) for p in rdpcap(os.path.join(out, "proxy-tx.pcap"))]
            t.check(got == want, mode + ": proxy-tx.pcap holds the unclaimed "
                    "frames, in order (%d of %d)" % (len(got), len(want)))
            t.eq(r["census"]["conserved"], True, mode + ": census")
            t.eq(r["mode"], mode, mode + ": mode")
            quota = 4096 if mode == "shared" else 64
            t.eq((r["pools"]["port0_proxy"]["quota"],
                  r["pools"]["port0_hostout"]["quota"]), (quota, quota),
                 mode + ": proxy quotas")
        t.check(u.same_bytes(os.path.join(tmp, "exchange", "proxy-tx.pcap"),
                             os.path.join(tmp, "shared", "proxy-tx.pcap")),
                "proxy-tx.pcap: the same bytes in both modes")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
