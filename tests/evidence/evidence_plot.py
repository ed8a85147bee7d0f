#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""--timeline and --plot on the hog scenario, both modes: the CSV has one
row per slice and its delivered columns add up to the report's; the PNG
is a valid PNG of the documented 1000x750 size, drawn by the script
written beside it, whose title is the verdict (critical N/M with xchg,
N/M shared), whose critical lines are cumulative, and which draws only
the pools that move, each line in its own colour.

Usage: evidence_plot.py XCHG_REPLAY CONFIG_DIR
"""

import csv
import os
import re
import shutil
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "apps"))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402

SLICE_MS = 50


def png_size(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    # every chunk's CRC must hold
    off = 8
    while off < len(data):
        n, kind = struct.unpack(">I4s", data[off:off + 8])
        crc = struct.unpack(">I", data[off + 8 + n:off + 12 + n])[0]
        if zlib.crc32(kind + data[off + 8:off + 8 + n]) != crc:
            return None
        off += 12 + n
        if kind == b"IEND":
            break
    return struct.unpack(">II", data[16:24])


def main():
    exe, config_dir = sys.argv[1], sys.argv[2]
    t = u.Checks("evidence_plot")
    if shutil.which("gnuplot") is None:
        print("SKIP: gnuplot is not installed (apt-get install gnuplot-nox)")
        return 77
    with u.TmpDir() as tmp:
        pcap = os.path.join(tmp, "hog.pcap")
        classes = scenarios.hog(pcap)
        out = os.path.join(tmp, "out")
        png = os.path.join(tmp, "survival.png")
        tl = os.path.join(tmp, "timeline.csv")
        rc, so, se, rep = u.replay(exe, os.path.join(config_dir, "hog.ini"),
                                   pcap, out, "both",
                                   ["--plot", png, "--timeline", tl,
                                    "--slice-ms", str(SLICE_MS)])
        if not t.eq(rc, 0, "exit status (%s)" % se.strip()):
            return t.done()
        t.eq(png_size(png), (1000, 750), "a valid 1000x750 PNG")
        gp = os.path.join(out, "plot.gp")
        t.check(os.path.exists(gp),
                "the gnuplot script is kept in the out dir")
        script = open(gp).read() if os.path.exists(gp) else ""
        verdict = "critical %d/%d with xchg, %d/%d shared" % (
            rep["runs"]["exchange"]["consumers"]["ctrl"]["delivered"],
            rep["runs"]["exchange"]["consumers"]["ctrl"]["offered"],
            rep["runs"]["shared"]["consumers"]["ctrl"]["delivered"],
            rep["runs"]["shared"]["consumers"]["ctrl"]["offered"])
        t.check(verdict in script, "the verdict is the plot's title: "
                + verdict)
        t.check("c0 = c0 + column(" in script and
                "c1 = c1 + column(" in script,
                "critical deliveries drawn cumulative, per mode")
        t.check("port0_rxq0" not in script and "port0_icmp" not in script,
                "pools that do not move are not drawn")
        t.check("'xchg: bulk (hog)'" in script and
                "'shared: bulk (hog)'" in script,
                "the hog's pool, which moves, is drawn in both modes")
        colours = re.findall(r"lc rgb '(#[0-9a-f]{6})'", script)
        t.eq(len(colours), len(set(colours)),
             "every line has its own colour (%s)" % colours)
        with open(tl) as f:
            rows = list(csv.DictReader(f))
        # frames are 1 ms apart: the capture lasts len - 1 ms
        t.eq(len(rows), (len(classes) - 1) // SLICE_MS + 1,
             "one row per %d ms slice" % SLICE_MS)
        t.eq([int(r["slice"]) for r in rows], list(range(len(rows))),
             "slices in order")
        for mode in ("exchange", "shared"):
            c = rep["runs"][mode]["consumers"]
            t.eq(sum(int(r[mode + "_critical_delivered"]) for r in rows),
                 c["ctrl"]["delivered"], mode + ": critical column sums")
            t.eq(sum(int(r[mode + "_bulk_delivered"]) for r in rows),
                 c["bulk"]["delivered"], mode + ": bulk column sums")
            t.eq(int(rows[-1][mode + "_bulk_available"]),
                 rep["runs"][mode]["pools"]["bulk"]["available"],
                 mode + ": the hog's pool ends where the report says")
        t.eq(int(rows[-1]["shared_arena_free"]), 0,
             "shared: the arena ends empty")
        t.check(int(rows[-1]["exchange_arena_free"]) > 0,
                "exchange: the arena keeps free buffers")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
