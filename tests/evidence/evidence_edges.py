#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Edge cases of the configuration and of xchg-replay (issue 13), each a
refusal in one line, exit status 2, found before anything runs:

- a port with a gateway and no ip (the config check shifted by 32 here);
- more than 16 queues on a port (net_pcap's limit, named);
- an arena name longer than the arena accepts (24): one limit;
- a capture whose link type libpcap cannot name: the number is printed;
- an unwritable --report: refused first, nothing made;
- --out-dir: what an earlier run wrote is removed, other files stay;
- the capture is streamed: peak memory does not grow with the capture.

Usage: evidence_edges.py XCHG_REPLAY CONFIG_DIR
"""

import os
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "apps"))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402

GOOD = """[arena]
buffers = 2048
%s
[port p0]
vdev = net_null0
%s
[socket ctrl]
type = udp
port = 5000
quota = 64
"""


def raw_pcap(path, frame, n, linktype=1):
    """n copies of frame, 1 ms apart, without Scapy (fast)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535,
                            linktype))
        rec = struct.pack("<II", len(frame), len(frame)) + frame
        for i in range(n):
            f.write(struct.pack("<II", 1700000000 + i // 1000,
                                (i % 1000) * 1000) + rec)


def peak_kib(out):
    """The peak memory xchg-replay prints (its VmHWM: a fork's own
    rusage would count the Python it was forked from)."""
    m = re.search(r"peak memory (\d+) KiB", out)
    return int(m.group(1)) if m else None


def main():
    exe = sys.argv[1]
    t = u.Checks("evidence_edges")
    with u.TmpDir() as tmp:
        def cfg(name, arena="", port="ip = 192.0.2.1/24"):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(GOOD % (arena, port))
            return path

        pcap = os.path.join(tmp, "g.pcap")
        scenarios.garbage(pcap)

        def refused(what, args, want):
            rc, out, err = u.run(exe, args)
            t.eq(rc, 2, what + ": exit status")
            t.check(want in err, "%s: %r not in %r" % (what, want, err))
            t.eq(len(err.strip().splitlines()), 1, what + ": one line")

        refused("gateway without ip",
                ["--config", cfg("gw.ini", port="gateway = 192.0.2.254"),
                 "--pcap", pcap, "--out-dir", os.path.join(tmp, "o1")],
                "[port p0] gateway: the port has no ip")
        refused("17 queues",
                ["--config", cfg("q.ini", port="ip = 192.0.2.1/24\n"
                                 "rx_queues = 17\nrx_desc = 64\n"),
                 "--pcap", pcap, "--out-dir", os.path.join(tmp, "o2")],
                "[port p0] rx_queues: 17 queues; a replay runs each port on "
                "net_pcap, which has at most 16")
        refused("arena name of 25",
                ["--config", cfg("n.ini", arena="name = " + "a" * 25),
                 "--pcap", pcap, "--out-dir", os.path.join(tmp, "o3")],
                "use 1 to 24 letters")
        rc, so, se, rep = u.replay(exe, cfg("n24.ini", arena="name = " +
                                            "a" * 24), pcap,
                                   os.path.join(tmp, "o3b"))
        t.eq(rc, 0, "an arena name of 24 runs (%s)" % se.strip())
        odd = os.path.join(tmp, "odd.pcap")
        raw_pcap(odd, b"\x00" * 60, 3, linktype=4000)
        refused("unnamed link type",
                ["--config", cfg("l.ini"), "--pcap", odd,
                 "--out-dir", os.path.join(tmp, "o4")],
                "not an Ethernet capture (link type 4000)")
        refused("unwritable --report",
                ["--config", cfg("r.ini"), "--pcap", pcap,
                 "--out-dir", os.path.join(tmp, "o5"),
                 "--report", "/proc/xchg-no/report.json"],
                "--report /proc/xchg-no/report.json: cannot write it")
        t.check(not os.path.exists(os.path.join(tmp, "o5")),
                "unwritable --report: nothing made")

        # --out-dir: a second run removes what the first wrote
        hog = os.path.join(tmp, "hog.pcap")
        scenarios.hog(hog)
        out = os.path.join(tmp, "same")
        cdir = sys.argv[2]
        rc, so, se, rep = u.replay(exe, os.path.join(cdir, "hog.ini"), hog,
                                   out, "both")
        t.eq(rc, 0, "first run")
        with open(os.path.join(out, "keep.txt"), "w") as f:
            f.write("mine")
        rc, so, se, rep = u.replay(exe, os.path.join(cdir, "proxy.ini"), hog,
                                   out)
        t.eq(rc, 0, "second run")
        t.eq(u.files_of(out), ["keep.txt", "port-p0-tx.pcap", "proxy-tx.pcap",
                               "report.json", "socket-ctrl.pcap"],
             "--out-dir: the first run's files are gone, keep.txt stays")

        # streaming: 20k and 200k frames, the same peak memory (a stored
        # timestamp per frame was 16 B: 2.9 MB more for 180k frames)
        frame = bytes(scenarios._udp(5000, b"m" * 18))
        rss = []
        for n in (20000, 200000):
            big = os.path.join(tmp, "m%d.pcap" % n)
            raw_pcap(big, frame, n)
            rc, out, err = u.run(exe, ["--config", cfg("m.ini"), "--pcap",
                                       big, "--out-dir",
                                       os.path.join(tmp, "m%d" % n)])
            t.eq(rc, 0, "%d frames" % n)
            rss.append(peak_kib(out))
            os.unlink(big)
        print("peak RSS: %s KiB for 20k frames, %s KiB for 200k" % tuple(rss))
        t.check(None not in rss and rss[1] - rss[0] < 1024,
                "peak memory does not grow with the capture (%s KiB)" % rss)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
