#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay counts datagrams truthfully (issue 20, doc/evidence.rst):
the isolation suite's captures (tests/isolation/gen_isolation.py) replayed
through a set-up like test_isolation's, each with --check:

- every socket's frames and datagrams add up, and the run's sums with
  held_by_stack; a fragment read before its first fragment counts against
  the socket the first names (host_flood: 2,300 frames offered to the
  critical socket, not 1,700);
- host_flood: 4,000 later fragments from another host; all 1,100
  datagrams of the critical socket delivered (back-to-back and spread
  last-first ones included), exit status 0;
- peer_flood: the same flood from the critical socket's own peer: it
  loses spread datagrams, the report says so and --check exits 3 (the
  figure is printed, not asserted);
- clock_back: a capture whose clock goes back 100 s after a staged
  fragment and a half-built datagram: both time out once the capture's
  clock has gone forward 1 s since (the reassembly clock counts forward
  steps only), nothing is held at the end.

Usage: evidence_datagrams.py XCHG_REPLAY
"""

import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "apps"))
sys.path.insert(0, os.path.join(HERE, "..", "isolation"))
import replay_util as u  # noqa: E402

u.need_scapy()
import gen_isolation as g  # noqa: E402
from evidence_sums import check_datagrams  # noqa: E402

CONFIG = """[arena]
buffers = 4096

[port p0]
vdev = net_null0
ip = 10.1.0.1/16
rx_desc = 512
tx_desc = 512

[service arp]
quota = 16

[service icmp]
quota = 8

[socket critical]
type = udp
port = 7000
quota = 64
priority = critical

[socket bulk]
type = udp
port = 9000
quota = 64
priority = normal
"""


def check_sums(t, label, rep, frames):
    c = rep["consumers"]
    offered = delivered = 0
    for name, k in c.items():
        lost = k["lost"]
        t.eq(k["delivered"] + lost["total"], k["offered"],
             "%s: %s frames delivered + lost = offered" % (label, name))
        if not k["copy"]:
            offered += k["offered"]
            delivered += k["delivered"]
    held = rep["held_by_stack"]
    t.eq(offered + rep["unclaimed"]["frames"], frames,
         label + ": offered + unclaimed = frames_in")
    t.eq(delivered + sum(rep["drops"].values()) + held["staging"] +
         held["reassembly"], frames,
         label + ": delivered + drops + held_by_stack = frames_in")
    t.eq(rep["adds_up"], True, label + ": adds_up")
    t.eq(rep["census"]["conserved"], True, label + ": census")
    check_datagrams(t, label, rep)


def write_pcap_ts(path, frames):
    """Frames with their own (seconds) timestamps, in file order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, fr in frames:
            data = bytes(fr)
            f.write(struct.pack("<IIII", int(ts), int(ts * 1e6) % 1000000,
                                len(data), len(data)))
            f.write(data)


def clock_back():
    """At 200 s, in one burst of 32 frames: a later fragment whose first
    never comes (staged), the first fragment of a datagram whose rest
    never comes (half built) and 30 whole datagrams to the critical
    socket; then the clock goes back to 100 s and forward to 105 s, a
    whole datagram every 50 ms."""
    stray = g.frags(900, 2400, 1000, g.CRIT_PORT)
    half = g.frags(901, 2400, 1000, g.CRIT_PORT)
    frames = [(200.0, stray[2]), (200.0, half[0])]
    frames += [(200.0, g.crit_whole(i)) for i in range(30)]
    frames += [(100.0 + 0.05 * i, g.crit_whole(30 + i)) for i in range(101)]
    return frames


def main():
    exe = sys.argv[1]
    t = u.Checks("evidence_datagrams")
    with u.TmpDir() as tmp:
        cfg = os.path.join(tmp, "iso.ini")
        with open(cfg, "w") as f:
            f.write(CONFIG)
        runs = {}
        for name in ("first_flood", "interleaved", "staging_flood",
                     "host_flood", "peer_flood", "collector_share",
                     "arp_storm"):
            frames, _ = getattr(g, name)()
            pcap = os.path.join(tmp, name + ".pcap")
            g.write_pcap(pcap, frames)
            runs[name] = (pcap, len(frames))
        pcap = os.path.join(tmp, "clock_back.pcap")
        frames = clock_back()
        write_pcap_ts(pcap, frames)
        runs["clock_back"] = (pcap, len(frames))

        for name, (pcap, frames) in runs.items():
            out = os.path.join(tmp, name)
            rc, so, se = u.run(exe, ["--config", cfg, "--pcap", pcap,
                                     "--out-dir", out, "--check"])
            rep = None
            if rc in (0, 3) and os.path.exists(out + "/report.json"):
                with open(out + "/report.json") as f:
                    rep = json.load(f)
            if rep is None:
                t.check(False, "%s: no report (%s)" % (name, se.strip()))
                continue
            check_sums(t, name, rep, frames)
            crit = rep["consumers"]["critical"]["datagrams"]
            t.eq(rc, 0 if rep["verdict"]["critical_lost_nothing"] else 3,
                 "%s: --check exit status follows the verdict (%s)"
                 % (name, se.strip()))
            t.eq(rep["verdict"]["critical_lost_nothing"],
                 crit["lost"]["total"] == 0 and
                 rep["consumers"]["critical"]["lost"]["total"] == 0,
                 name + ": verdict")
            if name == "host_flood":
                t.eq((crit["offered"], crit["delivered"], rc), (1100, 1100, 0),
                     "host_flood: every datagram of the critical socket")
                t.eq(rep["consumers"]["critical"]["offered"], 2300,
                     "host_flood: staged fragments counted to their socket")
                t.eq(rep["unclaimed"]["staged"], 4000,
                     "host_flood: the flood is no consumer's")
                t.eq(rep["drops"]["frag_staging_evicted"], 4000 - 16,
                     "host_flood: only the flood was evicted")
            if name == "peer_flood":
                t.check(crit["lost"]["total"] > 0 and rc == 3,
                        "peer_flood: the critical socket's losses fail --check")
                print("peer_flood: with the flood from its own peer, the "
                      "critical socket got %d of %d datagrams (lost: %s)"
                      % (crit["delivered"], crit["offered"],
                         ", ".join("%s %d" % kv for kv in
                                   sorted(crit["lost"].items()) if kv[1])))
            if name == "clock_back":
                t.eq((rep["drops"]["frag_timeout"], crit["lost"]["frag_timeout"],
                      rep["held_by_stack"]["staging"],
                      rep["held_by_stack"]["reassembly"]), (2, 1, 0, 0),
                     "clock_back: both timed out though the clock went back")
                t.eq((crit["offered"], crit["delivered"]), (132, 131),
                     "clock_back: the whole datagrams delivered")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
