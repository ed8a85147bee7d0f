#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay on the "mixed" scenario: every kind of consumer and drop,
exact counts in exchange mode, and the same scenario in shared mode (the
same stack on an overcommitted arena, every quota the whole arena).

- ctrl (critical UDP, some frames VLAN-tagged) gets all its frames;
- tele keeps the last 100 datagrams (hold 100), one of them reassembled
  from three fragments;
- raw is a packet socket (ethertype 0x88b5);
- a flood of 40 pings overruns the ICMP pool (quota 4): per burst of 32
  frames at most 4 are answered, the rest are refused, nobody else loses;
- each malformed frame is dropped with its own reason;
- the capture holds ctrl's and ICMP's frames, with input timestamps.

Usage: replay_mixed.py XCHG_REPLAY CONFIG_DIR
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402
from scapy.all import ICMP, IP, UDP, Dot1Q, Raw, rdpcap  # noqa: E402

BURST = 32
ICMP_QUOTA = 4
HOLD = 100
DROPS = ("runt", "vlan_too_many", "unknown_ethertype", "arp_not_for_us",
         "ipv4_ttl", "udp_length", "icmp_checksum", "no_socket")


def main():
    exe, config_dir = sys.argv[1], sys.argv[2]
    config = os.path.join(config_dir, "mixed.ini")
    t = u.Checks("replay_mixed")
    with u.TmpDir() as tmp:
        pcap = os.path.join(tmp, "mixed.pcap")
        classes = scenarios.mixed(pcap)
        n = {c: classes.count(c) for c in set(classes)}
        reports = u.replay_modes(t, exe, config, pcap, tmp)
        if reports is None:
            return t.done()
        for mode in ("exchange", "shared"):
            u.check_sums(t, reports[mode], "mixed")
        x = reports["exchange"]
        c = x["consumers"]
        ex = os.path.join(tmp, "exchange")

        # Every poll reads a burst of 32 frames; the ICMP service answers
        # after each burst, so at most ICMP_QUOTA pings per burst get in.
        bursts = {}
        for k, cls in enumerate(classes):
            if cls == "icmp":
                bursts[k // BURST] = bursts.get(k // BURST, 0) + 1
        pings_in = sum(min(ICMP_QUOTA, v) for v in bursts.values())
        t.check(0 < pings_in < n["icmp"], "the flood overruns the ICMP pool")

        t.eq(c["ctrl"]["delivered"], n["ctrl"], "ctrl gets every frame")
        t.eq(c["ctrl"]["refused"], 0, "ctrl refused")
        t.eq(c["raw"]["delivered"], n["raw"], "packet socket gets every frame")
        t.eq(c["raw"]["received"], n["raw"], "packet socket received")
        # delivered counts capture frames: the reassembled datagram counts
        # its fragments once (each paid for when it arrived); received
        # counts datagrams.
        t.eq(c["tele"]["delivered"], n["tele"] + n["tele_fragment"],
             "tele delivered")
        t.eq(c["tele"]["received"], n["tele"] + 1, "tele received")
        t.eq(c["tele"]["held"], HOLD, "tele holds the last 100")
        # The datagram (3 segments) is among the last 100 tele received.
        tele_seq = [k for k in classes if k in ("tele", "tele_fragment")]
        last_frag = max(i for i, k in enumerate(tele_seq) if k == "tele_fragment")
        after = sum(1 for k in tele_seq[last_frag + 1:] if k == "tele")
        t.check(after < HOLD, "the datagram is held")
        t.eq(x["pools"]["tele"]["in_use"], HOLD + 2, "tele pool in_use")
        t.eq(x["stack"]["reassembled"], 1, "one datagram reassembled")
        t.eq(c["port0_icmp"]["delivered"], pings_in, "ICMP delivered")
        t.eq(c["port0_icmp"]["refused"], n["icmp"] - pings_in, "ICMP refused")
        t.eq(x["stack"]["icmp_answered"], pings_in, "pings answered")
        t.eq(c["port0_arp"]["delivered"], n["arp"], "ARP delivered")
        t.eq(x["stack"]["arp_answered"], n["arp"], "ARP answered")
        for reason in DROPS:
            t.eq(x["drops"][reason], n[reason], "drops." + reason)
        t.eq(x["drops"]["no_buffers"], n["icmp"] - pings_in,
             "drops.no_buffers: only pings")
        t.eq(sum(x["drops"].values()),
             sum(n[r] for r in DROPS) + n["icmp"] - pings_in, "no other drop")
        p0 = x["ports"]["p0"]
        t.eq((p0["ipackets"], p0["rx_nombuf"], p0["opackets"]),
             (len(classes), 0, n["arp"] + pings_in), "port figures")
        t.eq(c["port0_capture"]["delivered"], n["ctrl"] + n["icmp"],
             "capture: ctrl's and ICMP's frames")
        t.eq(x["stack"]["capture_missed"], 0, "capture missed nothing")
        t.eq(x["census"]["conserved"], True, "census")
        t.eq(x["census"]["owned"], HOLD + 2, "census: owned by tele")

        inp = rdpcap(pcap)
        ctrl_in = [p for p, k in zip(inp, classes) if k == "ctrl"]
        ctrl_out = rdpcap(os.path.join(ex, "socket-ctrl.pcap"))
        t.check([bytes(p) for p in ctrl_in] == [bytes(p) for p in ctrl_out],
                "socket-ctrl.pcap: the input frames, VLAN tags included")
        t.eq(sum(1 for p in ctrl_out if Dot1Q in p), 12, "tagged ctrl frames")
        raw_out = rdpcap(os.path.join(ex, "socket-raw.pcap"))
        t.check(all(p.type == 0x88b5 for p in raw_out) and
                len(raw_out) == n["raw"], "socket-raw.pcap")
        tele_out = rdpcap(os.path.join(ex, "socket-tele.pcap"))
        t.eq(len(tele_out), n["tele"] + 1, "socket-tele.pcap frames")
        big = [p for p in tele_out if Raw in p and len(p[Raw].load) == 2400]
        t.check(len(big) == 1 and big[0][Raw].load == b"F" * 2400 and
                big[0][IP].len == 2428 and big[0][IP].frag == 0 and
                big[0][IP].flags == 0 and big[0][UDP].dport == 5001,
                "the reassembled datagram is one whole frame")
        cap = rdpcap(os.path.join(ex, "capture.pcap"))
        t.eq(len(cap), n["ctrl"] + n["icmp"], "capture.pcap frames")
        want = [p for p, k in zip(inp, classes) if k in ("ctrl", "icmp")]
        t.check([bytes(p) for p in want] == [bytes(p) for p in cap],
                "capture.pcap: the frames, in order")
        t.check(all(float(inp[0].time) <= float(p.time) <= float(inp[-1].time)
                    for p in cap), "capture.pcap: input timestamps")
        tx = rdpcap(os.path.join(ex, "port-p0-tx.pcap"))
        t.eq(sum(1 for p in tx if ICMP in p and p[ICMP].type == 0), pings_in,
             "echo replies sent")

        # ---- shared mode: every quota is the arena, nothing to hog --------
        s = reports["shared"]
        sc = s["consumers"]
        t.eq(s["mode"], "shared", "shared: mode")
        t.eq(sc["ctrl"]["delivered"], n["ctrl"], "shared: ctrl")
        t.eq(sc["raw"]["delivered"], n["raw"], "shared: raw")
        t.eq((sc["tele"]["delivered"], sc["tele"]["received"],
              sc["tele"]["held"]),
             (n["tele"] + n["tele_fragment"], n["tele"] + 1, HOLD),
             "shared: tele delivered/received/held")
        t.eq(s["stack"]["reassembled"], 1,
             "shared: the same stack reassembles the datagram")
        t.eq(sc["port0_icmp"]["delivered"], n["icmp"],
             "shared: the ICMP quota is the arena: the whole flood is answered")
        t.eq(sc["port0_icmp"]["refused"], 0, "shared: ICMP refused")
        t.eq(s["stack"]["icmp_answered"], n["icmp"], "shared: pings answered")
        t.eq(s["stack"]["arp_answered"], n["arp"], "shared: ARP answered")
        t.check("fragment_unsupported" not in s["drops"],
                "shared: no fragment_unsupported drop")
        for reason in DROPS:
            t.eq(s["drops"][reason], n[reason], "shared: drops." + reason)
        t.eq(s["drops"]["no_buffers"], 0, "shared: drops.no_buffers")
        t.eq(sum(s["drops"].values()), sum(n[r] for r in DROPS),
             "shared: no other drop")
        t.eq((s["ports"]["p0"]["ipackets"], s["ports"]["p0"]["rx_nombuf"],
              s["ports"]["p0"]["opackets"]),
             (len(classes), 0, n["arp"] + n["icmp"]), "shared: port figures")
        t.eq(sc["port0_capture"]["delivered"], n["ctrl"] + n["icmp"],
             "shared: capture: ctrl's and ICMP's frames")
        t.eq(s["stack"]["capture_missed"], 0, "shared: capture missed nothing")
        t.eq({k: v["quota"] for k, v in s["pools"].items()
              if not k.startswith("port")},
             {k: 2048 for k in x["pools"] if not k.startswith("port")},
             "shared: every consumer's quota is the whole arena")
        t.eq((s["census"]["owned"], s["census"]["conserved"]),
             (HOLD + 2, True), "shared: census")
        sh = os.path.join(tmp, "shared")
        for f in ("socket-ctrl.pcap", "socket-raw.pcap", "socket-tele.pcap",
                  "capture.pcap"):
            t.check(u.same_bytes(os.path.join(ex, f), os.path.join(sh, f)),
                    f + ": the same bytes in both modes")
        stx = rdpcap(os.path.join(sh, "port-p0-tx.pcap"))
        t.eq(sum(1 for p in stx if ICMP in p and p[ICMP].type == 0),
             n["icmp"], "shared: echo replies sent")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
