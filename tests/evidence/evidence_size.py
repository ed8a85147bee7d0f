#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-size: known inputs give known outputs, and a replay sized by it
has no refusal at the declared load and refusals above it.

The socket "work" receives 400 datagrams; its application keeps each
one for 50 frames' time (hold 50, i.e. 50 ms at 1000 frames/s) and the
port delivers bursts of 32. Declared load work:1000:50:32 gives
quota = 1000 x 0.050 + 32 = 82. The sized replay: work never refused.
Holding 60 (above the declared hold time): refused. One buffer less than
the computed arena is refused by the sizing check: the sum is exact.

Usage: evidence_size.py XCHG_SIZE XCHG_REPLAY CONFIG_DIR
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "apps"))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402

BASE = """; sizing test
[arena]
buffers = 4096
lcore_cache = 64

[port p0]
vdev = net_null0
ip = 192.0.2.1/24
rx_desc = 64
tx_desc = 64

[socket work]
type = udp
port = 7000
quota = 64

[replay]
work = hold 50
"""


def shipped(t, size, exe, config_dir, tmp):
    """Each shipped file, sized with no load: exactly the sizing
    invariant of libxchg_config (one buffer less is refused)."""
    pcap = os.path.join(tmp, "g.pcap")
    scenarios.garbage(pcap)
    for name in ("default", "hog", "mixed", "proxy"):
        sized = os.path.join(tmp, "s-" + name + ".ini")
        rc, out, err = u.run(size, ["--config", os.path.join(
            config_dir, name + ".ini"), "--write", sized])
        if not t.eq(rc, 0, name + ": xchg-size (%s)" % err.strip()):
            continue
        with open(sized) as f:
            text = f.read()
        n = int(re.search(r"^buffers = (\d+)$", text, re.M).group(1))
        rc, so, se, rep = u.replay(exe, sized, pcap,
                                   os.path.join(tmp, "o-" + name))
        t.eq(rc, 0, "%s: sized to %d buffers, it runs (%s)"
             % (name, n, se.strip()))
        short = os.path.join(tmp, "short-" + name + ".ini")
        with open(short, "w") as f:
            f.write(text.replace("buffers = %d\n" % n,
                                 "buffers = %d\n" % (n - 1)))
        rc, so, se, rep = u.replay(exe, short, pcap,
                                   os.path.join(tmp, "os-" + name))
        t.eq(rc, 2, "%s: %d buffers are refused" % (name, n - 1))
        t.check("1 short" in se, "%s: by one buffer (%s)"
                % (name, se.strip()))


def main():
    size, exe = sys.argv[1], sys.argv[2]
    t = u.Checks("evidence_size")
    with u.TmpDir() as tmp:
        base = os.path.join(tmp, "base.ini")
        with open(base, "w") as f:
            f.write(BASE)
        sized = os.path.join(tmp, "sized.ini")
        rc, out, err = u.run(size, ["--config", base, "--load",
                                    "work:1000:50:32", "--write", sized])
        if not t.eq(rc, 0, "xchg-size exit status (%s)" % err.strip()):
            return t.done()
        for want in ("quota = ceil(1000 frames/s x 50 ms) + burst 32 = 50 + 32 = 82",
                     "port p0 RX             1 x (rx_desc 64 + rx_slack 64) = 1 x 128 = 128",
                     "rx_slack covers the vector-PMD rearm of 64",
                     "port p0 TX             1 x (tx_desc 64 + tx_slack 32) = 1 x 96 = 96",
                     "socket work            1 x (quota 82) = 1 x 82 = 82",
                     "fragment staging       1 x (staging 16 per port) = 1 x 16 = 16",
                     "lcore caches           1 x (lcore_cache 64 + 64 / 2 - 1) = 1 x 95 = 95",
                     "buffers = ports 224 + sockets 82 + services 24 + fragment staging 16 + proxy 0 + capture 0 + lcore caches 95 = 441",
                     "= 2368 B", "441 buffers x 2368 B = 1044288 B"):
            t.check(want in out, "output shows %r" % want)
        with open(sized) as f:
            text = f.read()
        t.check(re.search(r"^buffers = 441$", text, re.M) is not None,
                "--write: [arena] buffers = 441")
        t.check(re.search(r"^quota = 82$", text, re.M) is not None,
                "--write: [socket work] quota = 82")
        t.check("; sizing test" in text, "--write keeps the comments")
        lf = os.path.join(tmp, "load.ini")
        with open(lf, "w") as f:
            f.write("; peak\n[load work]\nrate = 1000\nhold_ms = 50\n"
                    "burst = 32\n")
        rc, out2, err = u.run(size, ["--config", base, "--load-file", lf])
        t.eq((rc, out2), (0, out.replace("written: %s\n" % sized, "")),
             "--load-file gives what --load gives")
        with open(lf, "w") as f:
            f.write("[load work]\nrate = 1000\n")
        rc, out2, err = u.run(size, ["--config", base, "--load-file", lf])
        t.eq(rc, 2, "--load-file: a load without hold_ms is refused")
        t.check("[load work]: give rate, hold_ms and burst" in err,
                "and said: " + err.strip())
        rc, out, err = u.run(size, ["--config", base, "--load",
                                    "nobody:1:1:1"])
        t.eq(rc, 2, "a load for no consumer is refused")
        t.check("--load nobody" in err, "and named: " + err.strip())

        pcap = os.path.join(tmp, "work.pcap")
        scenarios._write(pcap, [("work", scenarios._udp(7000, b"w%05d" % i))
                                for i in range(400)])
        rc, so, se, rep = u.replay(exe, sized, pcap, os.path.join(tmp, "ok"))
        if t.eq(rc, 0, "sized replay (%s)" % se.strip()):
            w = rep["consumers"]["work"]
            t.eq((w["offered"], w["delivered"], w["refused"]), (400, 400, 0),
                 "at the declared load: no refusal")
            t.eq(rep["pools"]["work"]["low_watermark"], 0,
                 "the quota is used to its last unit, not beyond")
            rc, out, err = u.run(size, ["--from-replay", os.path.join(
                tmp, "ok", "report.json")])
            t.check(re.search(r"work +too small", out) is not None,
                    "--from-replay: a quota used to its last unit is "
                    "flagged (%s)" % out.strip())

        above = os.path.join(tmp, "above.ini")
        with open(above, "w") as f:
            f.write(text.replace("work = hold 50", "work = hold 60"))
        rc, so, se, rep = u.replay(exe, above, pcap, os.path.join(tmp, "hi"))
        if t.eq(rc, 0, "replay above the load (%s)" % se.strip()):
            w = rep["consumers"]["work"]
            t.check(w["lost"]["no_buffers"] > 0,
                    "above the declared load: refusals (%d)"
                    % w["lost"]["no_buffers"])
            t.eq(w["delivered"] + w["lost"]["no_buffers"], 400,
                 "and each one counted")
            rc, out, err = u.run(size, ["--from-replay", os.path.join(
                tmp, "hi", "report.json")])
            t.eq(rc, 3, "--from-replay exits 3 on a quota too small")

        short = os.path.join(tmp, "short.ini")
        with open(short, "w") as f:
            f.write(text.replace("buffers = 441", "buffers = 440"))
        rc, so, se, rep = u.replay(exe, short, pcap, os.path.join(tmp, "sh"))
        t.eq(rc, 2, "one buffer less than computed is refused (%s)"
             % se.strip())
        t.check("1 short" in se, "by exactly one buffer")
        shipped(t, size, exe, sys.argv[3], tmp)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
