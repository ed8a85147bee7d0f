#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay when a critical consumer loses frames for a reason other
than the NIC (issue 23 item 4).

The "hog" scenario with its critical socket (ctrl, quota 64) made a hog
itself: its application never frees, so past its quota its own
reservation refuses (no_buffers) while the NIC never lacks a buffer. The
report must still add up, name the loss against ctrl, say the verdict is
broken, and --check must fail (exit 3). A verdict that counted only the
NIC's losses, or only no_buffers, fails here or in replay_hog.

Usage: replay_critical_loss.py XCHG_REPLAY CONFIG_DIR
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402

QUOTA = 64


def main():
    exe, config_dir = sys.argv[1], sys.argv[2]
    t = u.Checks("replay_critical_loss")
    with u.TmpDir() as tmp:
        with open(os.path.join(config_dir, "hog.ini")) as f:
            ini = f.read()
        ini, k = re.subn(r"(?m)^ctrl = normal$", "ctrl = hog", ini)
        if not t.eq(k, 1, "hog.ini has 'ctrl = normal' under [replay]"):
            return t.done()
        config = os.path.join(tmp, "critical-hog.ini")
        with open(config, "w") as f:
            f.write(ini)
        pcap = os.path.join(tmp, "hog.pcap")
        classes = scenarios.hog(pcap)
        offered = classes.count("ctrl")
        t.check(offered > QUOTA, "ctrl is offered more than its quota")

        out = os.path.join(tmp, "out")
        rc, so, se = u.run(exe, ["--config", config, "--pcap", pcap,
                                 "--out-dir", out, "--mode", "exchange",
                                 "--check"])
        t.eq(rc, 3, "--check fails when a critical socket lost frames "
             "(stderr: %s)" % se.strip())
        path = os.path.join(out, "report.json")
        if not t.check(os.path.exists(path), "report written"):
            return t.done()
        with open(path) as f:
            rep = json.load(f)

        crit = u.check_sums(t, rep, "critical_loss")
        t.eq(crit.get("exchange"), offered - QUOTA,
             "the critical losses are ctrl's refusals")
        t.eq(rep["verdict"]["critical_lost_nothing"], False, "verdict")
        c = rep["consumers"]["ctrl"]
        t.eq(u.lost_of(c), offered - QUOTA, "ctrl lost past its quota")
        lost = c.get("lost")
        if isinstance(lost, dict):
            t.eq(lost.get("no_buffers"), offered - QUOTA,
                 "ctrl's loss is its own reservation's (no_buffers)")
            t.eq((lost.get("rx_nombuf"), lost.get("ierrors")), (0, 0),
                 "not the NIC's")
        t.eq(rep["ports"]["p0"]["rx_nombuf"], 0, "the NIC never lacked")
        t.check("ctrl" in so and "lost" in so, "the summary names the loss")

        # The same run without --check succeeds: only the status differs.
        rc, so, se = u.run(exe, ["--config", config, "--pcap", pcap,
                                 "--out-dir", os.path.join(tmp, "nocheck"),
                                 "--mode", "exchange"])
        t.eq(rc, 0, "without --check: exit 0")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
