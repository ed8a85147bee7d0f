#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay's accounting adds up on its own (doc/evidence.rst), on the
hog, mixed and proxy scenarios, in one --mode both run each:

- every consumer's offered is the number of capture frames the stack's
  parser sends to it (counted here from the Scapy classes), delivered +
  every lost cause = offered, lost_other = 0;
- sum of offered + unclaimed = frames_in, and sum of delivered + sum of
  drops = frames_in;
- in shared mode the NIC's rx_nombuf is charged to the consumers whose
  frames they were, and adds up to the port's rx_nombuf;
- --check: exit 3 in shared mode on the hog, 0 in exchange mode; the
  verdict is a JSON boolean.

Usage: evidence_sums.py XCHG_REPLAY CONFIG_DIR
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "apps"))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402

CAUSES = ("no_buffers", "rx_nombuf", "ierrors", "other")
D_CAUSES = ("no_buffers", "rx_nombuf", "ierrors", "frag_evicted",
            "frag_timeout", "frag_invalid", "frag_no_collector", "unfinished",
            "other")


def check_datagrams(t, label, run):
    """Every socket's datagrams add up, and the verdict follows them: a
    critical socket that lost a datagram fails it."""
    crit_lost = 0
    for name, k in run["consumers"].items():
        if k["kind"] != "socket":
            continue
        d = k["datagrams"]
        lost = d["lost"]
        t.eq(sorted(lost), sorted(D_CAUSES + ("total",)),
             "%s: %s datagram causes" % (label, name))
        t.eq(lost["total"], sum(lost[x] for x in D_CAUSES),
             "%s: %s datagrams lost.total" % (label, name))
        t.eq(d["delivered"] + lost["total"], d["offered"],
             "%s: %s datagrams delivered + lost = offered" % (label, name))
        t.eq(d["delivered"], k["received"],
             "%s: %s datagrams delivered = received" % (label, name))
        if k["critical"]:
            crit_lost += lost["total"]
    t.eq(run["verdict"]["critical_datagrams_lost"], crit_lost,
         label + ": critical_datagrams_lost")
    if crit_lost:
        t.eq(run["verdict"]["critical_lost_nothing"], False,
             label + ": a critical datagram lost fails the verdict")


def consumers_of(name, n):
    """Frames the parser gives each consumer, from the scenario classes."""
    if name == "hog":
        return {"ctrl": n["ctrl"], "bulk": n["bulk"], "port0_arp": n["arp"],
                "port0_icmp": n["icmp"]}
    if name == "mixed":
        return {"ctrl": n["ctrl"], "tele": n["tele"] + n["tele_fragment"],
                "raw": n["raw"], "port0_arp": n["arp"], "port0_icmp": n["icmp"]}
    # proxy: what no socket claims goes to the host
    return {"ctrl": n["ctrl"], "port0_arp": n["arp"], "port0_icmp": n["icmp"],
            "port0_proxy": n["bulk"] + n["no_socket"] + n["ipv6"]}


def check_run(t, label, run, frames, want_offered):
    c = run["consumers"]
    for name, want in want_offered.items():
        t.eq(c[name]["offered"], want, "%s: %s offered" % (label, name))
    offered = 0
    delivered = 0
    for name, k in c.items():
        lost = k["lost"]
        t.eq(k["delivered"] + sum(lost[x] for x in CAUSES), k["offered"],
             "%s: %s delivered + lost = offered" % (label, name))
        t.eq(lost["total"], sum(lost[x] for x in CAUSES),
             "%s: %s lost.total" % (label, name))
        t.eq(lost["other"], 0, "%s: %s lost.other" % (label, name))
        t.check(isinstance(k["critical"], bool), "%s: critical is a boolean"
                % label)
        if not k["copy"]:
            offered += k["offered"]
            delivered += k["delivered"]
    t.eq(offered + run["unclaimed"]["frames"], frames,
         label + ": offered + unclaimed = frames_in")
    held = run["held_by_stack"]
    t.eq(delivered + sum(run["drops"].values()) + held["staging"] +
         held["reassembly"], frames,
         label + ": delivered + drops + held_by_stack = frames_in")
    p0 = run["ports"]["p0"]
    t.eq(p0["ipackets"] + p0["rx_nombuf"] + p0["ierrors"], frames,
         label + ": port p0 read or lost every frame")
    t.eq(sum(k["lost"]["rx_nombuf"] for k in c.values()) +
         run["unclaimed"]["rx_nombuf"], p0["rx_nombuf"],
         label + ": rx_nombuf charged to the frames' consumers")
    t.eq(run["adds_up"], True, label + ": adds_up")
    check_datagrams(t, label, run)
    t.eq(run["census"]["conserved"], True, label + ": census")


def main():
    exe, config_dir = sys.argv[1], sys.argv[2]
    t = u.Checks("evidence_sums")
    with u.TmpDir() as tmp:
        for name, gen in (("hog", scenarios.hog), ("mixed", scenarios.mixed),
                          ("proxy", scenarios.hog)):
            pcap = os.path.join(tmp, name + ".pcap")
            classes = gen(pcap)
            n = {k: classes.count(k) for k in set(classes)}
            n.setdefault("bulk", 0)
            frames = len(classes)
            out = os.path.join(tmp, name)
            rc, so, se, rep = u.replay(exe, os.path.join(config_dir,
                                       name + ".ini"), pcap, out, "both")
            if not t.eq(rc, 0, "%s: exit status (%s)" % (name, se.strip())):
                continue
            t.eq((rep["schema_version"], rep["mode"], rep["frames_in"]),
                 (2, "both", frames), name + ": header")
            t.eq(sorted(rep["runs"]), ["exchange", "shared"],
                 name + ": both runs side by side")
            t.eq(sorted(os.listdir(out)), ["exchange", "report.json",
                                           "shared"], name + ": outputs")
            for mode in ("exchange", "shared"):
                check_run(t, "%s %s" % (name, mode), rep["runs"][mode],
                          frames, consumers_of(name, n))
            x, s = rep["runs"]["exchange"], rep["runs"]["shared"]
            t.eq(x["verdict"]["critical_lost_nothing"], True,
                 name + ": exchange verdict")
            t.eq(rep["verdict"]["critical_lost_nothing"], True,
                 name + ": top verdict is exchange's")
            t.eq(x["verdict"]["critical"], ["ctrl"], name + ": critical")
            if name == "hog":
                xc, sc = x["consumers"], s["consumers"]
                t.eq(xc["bulk"]["lost"]["no_buffers"], n["bulk"] - 512,
                     "hog exchange: the hog loses to its own quota")
                t.eq(xc["ctrl"]["delivered"], n["ctrl"],
                     "hog exchange: ctrl gets every frame")
                # shared: the NIC's losses are ctrl's too
                t.eq(sc["ctrl"]["lost"]["rx_nombuf"],
                     n["ctrl"] - sc["ctrl"]["delivered"],
                     "hog shared: ctrl's losses are the NIC's")
                t.check(sc["ctrl"]["lost"]["rx_nombuf"] > 0,
                        "hog shared: ctrl lost frames at the NIC")
                t.eq(s["verdict"]["critical_lost_nothing"], False,
                     "hog shared: verdict")
                t.eq(s["verdict"]["critical_lost"],
                     sc["ctrl"]["lost"]["total"], "hog shared: critical_lost")
            if name == "mixed":
                xc = x["consumers"]
                t.eq((xc["tele"]["delivered"], xc["tele"]["received"]),
                     (n["tele"] + n["tele_fragment"], n["tele"] + 1),
                     "mixed: a reassembled datagram counts its fragments "
                     "once in delivered, once in received")
                t.eq(xc["port0_icmp"]["lost"]["no_buffers"],
                     n["icmp"] - xc["port0_icmp"]["delivered"],
                     "mixed: the ping flood loses to ICMP's own quota")
                t.check(xc["port0_icmp"]["lost"]["no_buffers"] > 0,
                        "mixed: ICMP refused some pings")
                cap = xc["port0_capture"]
                t.eq((cap["copy"], cap["offered"]),
                     (True, x["stack"]["captured"] +
                      x["stack"]["capture_missed"]), "mixed: the capture")

        # A chained frame net_pcap cannot finish (one buffer left) is an
        # ierrors loss: charged to its consumer and under drops.
        jumbo = os.path.join(tmp, "jumbo.pcap")
        frames = [("bulk", scenarios._udp(6000, b"b%05d" % i))
                  for i in range(2047)]
        frames.append(("ctrl", scenarios._udp(5000, b"J" * 3000)))
        frames += [("ctrl", scenarios._udp(5000, b"c%d" % i))
                   for i in range(10)]
        scenarios._write(jumbo, frames)
        rc, so, se, rep = u.replay(exe, os.path.join(config_dir, "hog.ini"),
                                   jumbo, os.path.join(tmp, "jumbo"), "shared")
        if t.eq(rc, 0, "jumbo: exit status (%s)" % se.strip()):
            check_run(t, "jumbo shared", rep, len(frames),
                      {"ctrl": 11, "bulk": 2047})
            c = rep["consumers"]["ctrl"]
            t.eq((c["delivered"], c["lost"]["rx_nombuf"], c["lost"]["ierrors"]),
                 (5, 5, 1), "jumbo: ctrl's losses by cause")
            t.eq((rep["drops"]["ierrors"], rep["ports"]["p0"]["ierrors"]),
                 (1, 1), "jumbo: ierrors under drops")

        # --check follows the verdict
        pcap = os.path.join(tmp, "hog.pcap")
        cfg = os.path.join(config_dir, "hog.ini")
        for mode, want in (("exchange", 0), ("shared", 3)):
            rc, so, se, rep = u.replay(exe, cfg, pcap,
                                       os.path.join(tmp, "chk-" + mode),
                                       mode, ["--check"])
            t.eq(rc, want, "--check --mode %s exit status (%s)"
                 % (mode, se.strip()))
        rc, so, se, rep = u.replay(exe, cfg, pcap, os.path.join(tmp, "nochk"),
                                   "shared")
        t.eq(rc, 0, "without --check a failed verdict still exits 0")
        t.eq(rep["verdict"]["critical_lost_nothing"], False,
             "shared verdict in a single-mode report")
        rc, so, se, rep = u.replay(exe, cfg, pcap, os.path.join(tmp, "bchk"),
                                   "both", ["--check"])
        t.eq(rc, 0, "--check --mode both follows the exchange run")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
