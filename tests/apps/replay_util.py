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
