#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""devtools/xchg-figures --quick: it runs every benchmark, writes a JSON
file whose every figure names its layout, lcores and DPDK version, and an
RST table that builds without a warning. Nothing is timed.

    check_figures.py XCHG_FIGURES BUILD_DIR
"""

import json
import os
import subprocess
import sys
import tempfile


def main():
    script, build = sys.argv[1], sys.argv[2]
    if (os.cpu_count() or 1) < 2:
        print("SKIP: the lcores benchmark needs 2 CPUs")
        sys.exit(77)
    try:
        import docutils  # noqa: F401
    except ImportError:
        print("SKIP: needs python3-docutils")
        sys.exit(77)
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "fig")
        p = subprocess.run([sys.executable, script, "--quick", "--rounds",
                            "1", "--build", build, "--out", out,
                            "--socket-counts", "1,16"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=280, check=False)
        print(p.stdout)
        if p.returncode != 0:
            sys.exit("FAIL: xchg-figures exited %d" % p.returncode)
        lines = p.stdout.strip().splitlines()
        if not (lines[-2].startswith("b/a = ") and
                lines[-1].startswith("x/p = ")):
            bad.append("the script does not end with b/a and x/p")
        with open(out + ".json") as f:
            fig = json.load(f)
        for key in ("core", "stack", "lcores", "latency", "sockets",
                    "memory", "dpdk", "machine", "command", "rounds"):
            if key not in fig:
                bad.append("JSON without " + key)
        if fig.get("memory") not in ("no-huge", "hugepages"):
            bad.append("memory is %r" % fig.get("memory"))
        if not str(fig.get("dpdk", "")).startswith("DPDK "):
            bad.append("dpdk is %r" % fig.get("dpdk"))
        for mode in ("stack", "lcores", "latency", "sockets"):
            for row in fig.get(mode, []):
                for k in ("layout", "memory", "dpdk"):
                    if k not in row:
                        bad.append("%s row without %s: %s" % (mode, k, row))
                if row.get("same_layout") != 1:
                    bad.append("%s row not on one layout: %s" % (mode, row))
                if mode not in ("lcores", "pipeline") and \
                        row.get("lcores") != 1:
                    bad.append("%s row without lcores=1: %s" % (mode, row))
        if len(fig.get("lcores", [])) != 2 or len(fig.get("latency", [])) != 4:
            bad.append("lcores or latency rows missing")
        # The table builds inside a page, as doc/benchmarks.rst has it.
        page = os.path.join(tmp, "page.rst")
        with open(page, "w") as f:
            f.write("Figures\n=======\n\n.. include:: fig.inc\n")
        r = subprocess.run([sys.executable, "-m", "docutils",
                            "--halt=warning", page, os.devnull],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, check=False)
        if r.returncode != 0:
            bad.append("the RST table does not build: " + r.stdout)
    for b in bad:
        print("FAIL: " + b)
    if bad:
        sys.exit(1)
    print("xchg-figures: all checks passed")


if __name__ == "__main__":
    main()
