#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""xchg-replay's sums hold on captures nobody here wrote: tcpreplay's
two (real mixed traffic, IPv4 fragments) and every tcpdump test capture
whose name says it was made to break a dissector (every 8th of them, in
name order), in both modes: every report adds_up, the census is
conserved, nothing crashes. (All 479 tcpdump captures pass too; the
test keeps to a sample for time.)

Usage: evidence_corpus.py XCHG_REPLAY CONFIG_DIR CORPUS_DIR
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "apps"))
import replay_util as u  # noqa: E402

HOSTILE = re.compile(r"oobr|overflow|crash|asan|invalid")
STEP = 8   # every 8th hostile capture, for time


def main():
    exe, config_dir = sys.argv[1], sys.argv[2]
    corpus = os.environ.get("XCHG_CORPUS", sys.argv[3])
    if not os.path.isdir(corpus):
        print("SKIP: no capture corpus at %s (set XCHG_CORPUS)" % corpus)
        return 77
    files = [os.path.join(corpus, "tcpreplay-tests", f)
             for f in ("test.pcap", "test_fragroute.pcap")]
    td = os.path.join(corpus, "tcpdump-tests")
    if os.path.isdir(td):
        hostile = [f for f in sorted(os.listdir(td)) if HOSTILE.search(f)]
        files += [os.path.join(td, f) for f in hostile[::STEP]]
    files = [f for f in files if os.path.isfile(f)]
    t = u.Checks("evidence_corpus")
    config = os.path.join(config_dir, "mixed.ini")
    frames = 0
    with u.TmpDir() as tmp:
        for k, f in enumerate(files):
            out = os.path.join(tmp, "o")
            rc, so, se, rep = u.replay(exe, config, f, out, "both")
            name = os.path.basename(f)
            if not t.eq(rc, 0, "%s: exit status (%s)" % (name, se.strip())):
                continue
            frames += rep["frames_in"]
            for mode, run in rep["runs"].items():
                t.eq(run["adds_up"], True, "%s %s: adds_up" % (name, mode))
                t.eq(run["census"]["conserved"], True,
                     "%s %s: census" % (name, mode))
    print("%d captures, %d frames" % (len(files), frames))
    t.check(len(files) > 2, "the corpus has hostile captures")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
