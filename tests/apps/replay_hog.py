#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay on the "hog" scenario, both modes, exact counts.

A critical socket (ctrl) and a bulk socket whose application never frees
(bulk = hog). Exchange mode: ctrl gets every frame offered to it, the hog
stops at its quota, the NIC never lacks a buffer. Shared mode (the same
stack on an overcommitted arena of the same 2048 buffers, every quota the
whole arena: one plain shared pool): the hog drains the arena, rx_nombuf
climbs and ctrl starves; the counts are those of a model of a plain
application (net_pcap reads one frame per buffer it gets, 32 per poll).
Two runs of each mode give byte-identical outputs.

Usage: replay_hog.py XCHG_REPLAY CONFIG_DIR
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402
from scapy.all import ARP, ICMP, UDP, rdpcap  # noqa: E402

BURST = 32
DROP_CLASSES = ("no_socket", "ipv4_checksum", "ipv6", "not_for_us")


def shared_model(classes, buffers):
    """One shared pool (an overcommitted arena): what each class gets."""
    free, i, nombuf, received = buffers, 0, 0, 0
    got = {c: 0 for c in set(classes)}
    while i < len(classes):
        burst = []
        while len(burst) < BURST and i < len(classes):
            if free == 0:
                nombuf += 1   # net_pcap read the frame and lost it
                i += 1
                break
            free -= 1
            burst.append(classes[i])
            i += 1
        for c in burst:
            received += 1
            got[c] += 1
            if c != "bulk":   # the hog keeps bulk frames; all else is freed
                free += 1
    return got, nombuf, received


def main():
    exe, config_dir = sys.argv[1], sys.argv[2]
    config = os.path.join(config_dir, "hog.ini")
    t = u.Checks("replay_hog")
    with u.TmpDir() as tmp:
        pcap = os.path.join(tmp, "hog.pcap")
        classes = scenarios.hog(pcap)
        n = {c: classes.count(c) for c in set(classes)}
        offered_ctrl, offered_bulk = n["ctrl"], n["bulk"]
        frames = len(classes)
        reports = {}
        for mode in ("exchange", "shared"):
            for run in (1, 2):
                out = os.path.join(tmp, "%s%d" % (mode, run))
                rc, so, se, rep = u.replay(exe, config, pcap, out, mode)
                if not t.eq(rc, 0, "%s run %d exit status (stderr: %s)"
                            % (mode, run, se.strip())):
                    return t.done()
                reports[mode, run] = rep
            a, b = (os.path.join(tmp, mode + "1"),
                    os.path.join(tmp, mode + "2"))
            t.eq(u.files_of(a), u.files_of(b), mode + ": same output files")
            for f in u.files_of(a):
                t.check(u.same_bytes(os.path.join(a, f), os.path.join(b, f)),
                        "%s: %s differs between two runs" % (mode, f))
            t.eq(u.files_of(a), ["port-p0-tx.pcap", "report.json",
                                 "socket-bulk.pcap", "socket-ctrl.pcap"],
                 mode + ": output files")

        # ---- the sums and the verdict, each mode ---------------------
        # Exchange: the hog loses to its own quota (no_buffers), ctrl
        # nothing; shared: ctrl loses at the NIC (rx_nombuf).
        crit = {}
        for mode in ("exchange", "shared"):
            crit.update(u.check_sums(t, reports[mode, 1], "hog"))
        t.eq(crit.get("exchange"), 0, "exchange: ctrl lost nothing")
        t.check((crit.get("shared") or 0) > 0,
                "shared: ctrl lost frames at the NIC and the verdict says so")

        # ---- exchange mode: exact -------------------------------------
        x = reports["exchange", 1]
        c = x["consumers"]
        t.eq(x["mode"], "exchange", "mode")
        t.eq(x["frames_in"], frames, "frames_in")
        t.eq(x["buffers"], 2048, "buffers")
        t.eq(c["ctrl"]["delivered"], offered_ctrl,
             "exchange: critical socket gets every frame offered")
        t.eq(c["ctrl"]["refused"], 0, "exchange: ctrl refused")
        t.eq(c["ctrl"]["received"], offered_ctrl, "exchange: ctrl received")
        t.eq(c["bulk"]["delivered"], 512, "exchange: hog stops at its quota")
        t.eq(c["bulk"]["refused"], offered_bulk - 512, "exchange: hog refused")
        t.eq(c["bulk"]["held"], 512, "exchange: hog holds its quota")
        t.eq(c["port0_arp"]["delivered"], n["arp"], "exchange: ARP delivered")
        t.eq(c["port0_icmp"]["delivered"], n["icmp"], "exchange: ICMP delivered")
        t.eq(x["stack"]["arp_answered"], n["arp"], "exchange: ARP answered")
        t.eq(x["stack"]["icmp_answered"], n["icmp"], "exchange: pings answered")
        p0 = x["ports"]["p0"]
        t.eq(p0["rx_nombuf"], 0, "exchange: rx_nombuf")
        t.eq(p0["ipackets"], frames, "exchange: ipackets")
        t.eq(p0["opackets"], n["arp"] + n["icmp"], "exchange: opackets")
        d = x["drops"]
        for reason in DROP_CLASSES:
            t.eq(d[reason], n[reason], "exchange: drops." + reason)
        t.eq(d["no_buffers"], offered_bulk - 512, "exchange: drops.no_buffers")
        t.eq(d["rx_nombuf"], 0, "exchange: drops.rx_nombuf")
        t.eq(sum(d.values()), sum(n[r] for r in DROP_CLASSES) +
             offered_bulk - 512, "exchange: no other drop")
        pools = x["pools"]
        t.eq((pools["bulk"]["quota"], pools["bulk"]["in_use"],
              pools["bulk"]["available"], pools["bulk"]["low_watermark"]),
             (512, 512, 0, 0), "exchange: bulk pool quota/in_use/available/low_wm")
        t.eq(pools["bulk"]["refused"], offered_bulk - 512, "exchange: bulk pool refused")
        t.eq((pools["ctrl"]["refused"], pools["ctrl"]["in_use"]), (0, 0),
             "exchange: ctrl pool refused/in_use")
        t.eq(sorted(pools), sorted(["port0_rxq0", "port0_txq0", "port0_arp",
                                    "port0_icmp", "port0_fragstage", "ctrl",
                                    "bulk"]),
             "exchange: pools")
        t.eq(pools["port0_rxq0"]["quota"], 256 + 64, "exchange: RX queue quota")
        cen = x["census"]
        t.eq((cen["total"], cen["owned"], cen["conserved"]), (2048, 512, True),
             "exchange: census with the hog holding")

        # ---- shared mode: exact, from the model ------------------------
        s = reports["shared", 1]
        got, nombuf, received = shared_model(classes, 2048)
        t.eq((got["ctrl"], nombuf, received), (682, 1281, 2762),
             "the model's figures for this scenario")
        sc = s["consumers"]
        t.eq(s["mode"], "shared", "mode")
        t.eq(s["frames_in"], frames, "shared: frames_in")
        t.eq(s["buffers"], x["buffers"], "shared: same total buffers")
        t.eq(sc["ctrl"]["delivered"], got["ctrl"], "shared: ctrl delivered")
        t.eq((sc["ctrl"]["refused"], sc["ctrl"]["received"]),
             (0, got["ctrl"]), "shared: ctrl refused/received")
        t.check(sc["ctrl"]["delivered"] < offered_ctrl,
                "shared: the critical socket starves (%d of %d)"
                % (sc["ctrl"]["delivered"], offered_ctrl))
        t.check(sc["ctrl"]["delivered"] < c["ctrl"]["delivered"],
                "shared delivers less to ctrl than exchange")
        # Every frame ctrl lost is counted against it, at the NIC.
        t.eq(u.lost_of(sc["ctrl"]), offered_ctrl - got["ctrl"],
             "shared: ctrl's losses counted against it")
        if isinstance(sc["ctrl"].get("lost"), dict):
            t.eq(sc["ctrl"]["lost"].get("rx_nombuf"),
                 offered_ctrl - got["ctrl"],
                 "shared: ctrl's losses are the NIC's (rx_nombuf)")
        t.eq(sc["bulk"]["delivered"], 2048, "shared: the hog takes the whole pool")
        t.eq(sc["bulk"]["refused"], 0, "shared: the hog is never refused")
        t.eq(sc["bulk"]["held"], 2048, "shared: the hog holds the whole pool")
        t.eq(sc["port0_arp"]["delivered"], got.get("arp", 0), "shared: ARP")
        t.eq(sc["port0_icmp"]["delivered"], got.get("icmp", 0), "shared: ICMP")
        t.eq(s["stack"]["arp_answered"], got.get("arp", 0),
             "shared: ARP answered")
        t.eq(s["stack"]["icmp_answered"], got.get("icmp", 0),
             "shared: pings answered")
        sp = s["ports"]["p0"]
        t.eq(sp["rx_nombuf"], nombuf, "shared: rx_nombuf")
        t.check(sp["rx_nombuf"] > 0, "shared: the NIC ran out of buffers")
        t.eq(sp["ipackets"], received, "shared: ipackets")
        t.eq(sp["ipackets"] + sp["rx_nombuf"], frames,
             "shared: every frame read or lost")
        t.eq(sp["opackets"], got.get("arp", 0) + got.get("icmp", 0),
             "shared: opackets")
        t.eq(s["drops"]["rx_nombuf"], nombuf, "shared: drops.rx_nombuf")
        for reason in DROP_CLASSES:
            t.eq(s["drops"][reason], got.get(reason, 0), "shared: drops." + reason)
        t.eq(s["drops"]["no_buffers"], 0, "shared: no quota ever refuses")
        t.eq(sum(s["drops"].values()),
             nombuf + sum(got.get(r, 0) for r in DROP_CLASSES),
             "shared: no other drop")
        sp = s["pools"]
        t.eq(sorted(sp), sorted(pools), "shared: the same pools")
        for name in ("ctrl", "bulk", "port0_arp", "port0_icmp"):
            t.eq(sp[name]["quota"], 2048,
                 "shared: %s's quota is the whole arena" % name)
        t.eq((sp["port0_rxq0"]["quota"], sp["port0_txq0"]["quota"]),
             (pools["port0_rxq0"]["quota"], pools["port0_txq0"]["quota"]),
             "shared: queue reservations as configured")
        t.eq((sp["bulk"]["in_use"], sp["bulk"]["available"],
              sp["bulk"]["low_watermark"], sp["bulk"]["refused"]),
             (2048, 0, 0, 0), "shared: the hog has the whole arena")
        t.eq((s["census"]["total"], s["census"]["free"], s["census"]["owned"],
              s["census"]["conserved"]), (2048, 0, 2048, True),
             "shared: census")

        # ---- the pcaps --------------------------------------------------
        ex = os.path.join(tmp, "exchange1")
        inp = rdpcap(pcap)
        ctrl_in = [p for p, k in zip(inp, classes) if k == "ctrl"]
        ctrl_out = rdpcap(os.path.join(ex, "socket-ctrl.pcap"))
        t.eq(len(ctrl_out), offered_ctrl, "exchange: socket-ctrl.pcap frames")
        t.check(all(bytes(a) == bytes(b) for a, b in zip(ctrl_in, ctrl_out)),
                "exchange: socket-ctrl.pcap holds the input frames, whole")
        t.check(all(a.time == b.time for a, b in zip(ctrl_in, ctrl_out)),
                "exchange: socket-ctrl.pcap keeps the input timestamps")
        bulk_in = [p for p, k in zip(inp, classes) if k == "bulk"]
        bulk_out = rdpcap(os.path.join(ex, "socket-bulk.pcap"))
        t.eq(len(bulk_out), 512, "exchange: socket-bulk.pcap frames")
        t.check(all(bytes(a) == bytes(b) for a, b in zip(bulk_in, bulk_out)),
                "exchange: the hog got the first 512 bulk frames")
        tx = rdpcap(os.path.join(ex, "port-p0-tx.pcap"))
        arp = [p for p in tx if ARP in p]
        echo = [p for p in tx if ICMP in p]
        t.eq((len(arp), len(echo)), (n["arp"], n["icmp"]), "exchange: TX frames")
        t.check(all(p[ARP].op == 2 and p[ARP].psrc == scenarios.US_IP and
                    p[ARP].pdst == scenarios.PEER_IP for p in arp),
                "exchange: ARP replies")
        t.check(all(p[ICMP].type == 0 for p in echo), "exchange: echo replies")
        t0 = float(inp[0].time)
        t.check(all(t0 <= float(p.time) <= float(inp[-1].time) for p in tx),
                "exchange: TX timestamps come from the input")
        sctrl = rdpcap(os.path.join(tmp, "shared1", "socket-ctrl.pcap"))
        t.eq(len(sctrl), got["ctrl"], "shared: socket-ctrl.pcap frames")
        t.check(all(bytes(a) == bytes(b) for a, b in zip(ctrl_in, sctrl)),
                "shared: socket-ctrl.pcap holds the first input frames")
        t.check(UDP in ctrl_out[0], "pcap frames are UDP")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
