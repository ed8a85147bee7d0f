# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the xchg-replay tests: run the program, read its report,
count checks the way tests/common/xchg_test.h does."""

import json
import os
import shutil
import subprocess
import sys
import tempfile


class Checks:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s" % (self.name, what))
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, "%s: got %r, want %r" % (what, got, want))

    def done(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 0 if self.failed == 0 and self.passed > 0 else 1


class TmpDir:
    """A unique temporary folder, removed on exit."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="xchg-apps-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def run(exe, args, timeout=120):
    p = subprocess.run([exe] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


def replay(exe, config, pcap, out_dir, mode="exchange", extra=None):
    args = ["--config", config, "--pcap", pcap, "--out-dir", out_dir,
            "--mode", mode] + (extra or [])
    rc, out, err = run(exe, args)
    report = None
    path = os.path.join(out_dir, "report.json")
    if rc == 0 and os.path.exists(path):
        with open(path) as f:
            report = json.load(f)
    return rc, out, err, report


def replay_modes(t, exe, config, pcap, tmp, modes=("exchange", "shared")):
    """Replay in each mode into tmp/MODE: {mode: report}, or None (and a
    failed check) when a run does not exit 0."""
    reports = {}
    for mode in modes:
        rc, so, se, rep = replay(exe, config, pcap, os.path.join(tmp, mode),
                                 mode)
        if not t.eq(rc, 0, "%s: exit status (%s)" % (mode, se.strip())):
            return None
        reports[mode] = rep
    return reports


def files_of(folder):
    return sorted(f for f in os.listdir(folder))


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def need_scapy():
    try:
        import scapy.all  # noqa: F401
    except ImportError:
        print("SKIP: Scapy is not installed for /usr/bin/python3 "
              "(apt-get install python3-scapy)")
        sys.exit(77)


# The report's promises, read robustly (issue 23 item 4): the keys are
# looked for at a consumer's top level, then under "datagrams" and
# "frames", so that these checks keep holding when a report gains
# datagram-level counts; only the invariants are asserted.

def _count(c, key):
    for d in (c, c.get("datagrams"), c.get("frames")):
        if isinstance(d, dict) and isinstance(d.get(key), int) \
                and not isinstance(d.get(key), bool):
            return d[key]
    return None


def lost_of(c):
    """A consumer's losses, every cause together."""
    for d in (c, c.get("datagrams"), c.get("frames")):
        if not isinstance(d, dict) or "lost" not in d:
            continue
        lost = d["lost"]
        if isinstance(lost, dict):
            if isinstance(lost.get("total"), int):
                return lost["total"]
            return sum(v for v in lost.values()
                       if isinstance(v, int) and not isinstance(v, bool))
        return lost
    return None


def runs_of(rep):
    """(mode, figures) of each run in a report: "runs" of --mode both,
    else the report itself."""
    if isinstance(rep.get("runs"), dict):
        return sorted(rep["runs"].items())
    return [(rep.get("mode", "run"), rep)]


def check_sums(t, rep, label):
    """Every run adds up, each consumer's offered = delivered + lost,
    the verdict says a critical consumer lost something exactly when one
    did, and the census is conserved. Returns {mode: critical losses}."""
    crit = {}
    for mode, run in runs_of(rep):
        where = "%s %s" % (label, mode)
        t.eq(run.get("adds_up"), True, where + ": adds_up")
        crit_lost = 0
        consumers = run.get("consumers", {})
        t.check(len(consumers) > 0, where + ": consumers listed")
        for name, c in sorted(consumers.items()):
            off, dl, lo = _count(c, "offered"), _count(c, "delivered"), \
                lost_of(c)
            if not t.check(None not in (off, dl, lo), "%s: %s has offered, "
                           "delivered and lost (%r)" % (where, name, c)):
                continue
            t.eq(dl + lo, off, "%s: %s: delivered + lost = offered"
                 % (where, name))
            if c.get("critical"):
                crit_lost += lo
        verdict = run.get("verdict", {}).get("critical_lost_nothing")
        t.eq(verdict, crit_lost == 0, "%s: verdict critical_lost_nothing "
             "with %d critical losses" % (where, crit_lost))
        census = run.get("census", {})
        t.eq(census.get("conserved"), True, where + ": census conserved")
        crit[mode] = crit_lost
    return crit
