#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run one xchg-bench mode with a small packet count and check what is
exact in its output: frames accepted + refused (+ unclaimed + malformed)
equal frames received, the census conserved after each variant, both
sides of each comparison on the same layout, the closing lines. Nothing
is timed.

    check_bench.py XCHG_BENCH MODE
"""

import os
import re
import subprocess
import sys

SMALL = ["--packets", "64K", "--stack-packets", "32K", "--rounds", "1"]
BOOKS = re.compile(r"^books \(([px])\): received (\d+) = accepted (\d+) \+ "
                   r"refused (\d+) \+ unclaimed (\d+) \+ malformed (\d+); "
                   r"answered (\d+), read by the application (\d+), held by "
                   r"the hog (\d+); demuxed (\d+), paid (\d+)$")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def run(bench, args, expect_ok=True):
    p = subprocess.run([bench] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=170,
                       check=False)
    if expect_ok and p.returncode != 0:
        print(p.stdout)
        print(p.stderr)
        sys.exit("FAIL: xchg-bench %s exited %d" % (" ".join(args),
                                                    p.returncode))
    return p


def books(out):
    rows = []
    for line in out.splitlines():
        if line.startswith("books ("):
            m = BOOKS.match(line)
            check(m is not None, "books line not understood: " + line)
            if m:
                rows.append((m.group(1),) + tuple(int(x) for x in m.groups()[1:]))
    return rows


def check_books(out, expected_lines, no_hog=True):
    rows = books(out)
    check(len(rows) == expected_lines, "%d books lines, %d expected" %
          (len(rows), expected_lines))
    for side, rx, acc, ref, uncl, mal, ans, read, hog, dmx, paid in rows:
        check(rx > 0, "(%s) received nothing" % side)
        # The stack's per-lcore frame counters and the consumers' own
        # per-lcore accepted counters against the port's figures.
        check(dmx == rx, "(%s) demuxed %d != received %d" % (side, dmx, rx))
        check(paid == acc, "(%s) paid %d != accepted %d" % (side, paid, acc))
        check(acc + ref + uncl + mal == rx,
              "(%s) accepted %d + refused %d + unclaimed %d + malformed %d "
              "!= received %d" % (side, acc, ref, uncl, mal, rx))
        check(mal == 0, "(%s) %d malformed frames in clean traffic" %
              (side, mal))
        # 2 of every 32 frames are for nobody: exact, whatever the timing.
        check(uncl * 16 == rx, "(%s) unclaimed %d, not 1/16 of %d" %
              (side, uncl, rx))
        if no_hog:
            check(acc == ans + read, "(%s) accepted %d != answered %d + "
                  "read %d" % (side, acc, ans, read))
    return rows


def check_census(out, expected_lines):
    lines = [l for l in out.splitlines() if l.startswith("census (")]
    check(len(lines) == expected_lines, "%d census lines, %d expected" %
          (len(lines), expected_lines))
    for l in lines:
        if l.startswith("census (p)"):
            check(l.endswith(", 0 missing"), "plain pool not whole: " + l)
        else:
            check(l.endswith(": conserved"), "census not conserved: " + l)


def check_layouts(out):
    """Every '(p)' layout line has the same text as its '(x)' twin."""
    p = re.findall(r"^  layout \(p\)[^:]*?:?\s*(stride .*)$", out, re.M)
    x = re.findall(r"^  layout \(x\)[^:]*?:?\s*(stride .*)$", out, re.M)
    check(len(p) >= 1 and len(p) == len(x), "layout lines missing")
    for a, b in zip(p, x):
        check(a == b, "(p) and (x) laid out differently: %s / %s" % (a, b))
        check(" packed (" in a, "not packed: " + a)
    for line in out.splitlines():
        if line.startswith("result ") and "limit=1" not in line:
            check("same_layout=1" in line and "layout=packed" in line,
                  "result without the same packed layout: " + line)
            check("dpdk=" in line and "memory=" in line,
                  "result without DPDK version or memory: " + line)


def results(out):
    return [l for l in out.splitlines() if l.startswith("result ")]


def mode_core(bench):
    out = run(bench, ["--mode", "core"] + SMALL).stdout
    m = re.search(r"^exchange \(b\): (\d+) frames, (\d+) accepted, (\d+) "
                  r"refused, (\d+) returned", out, re.M)
    check(m is not None, "no exchange line")
    if m:
        f, a, r, ret = (int(x) for x in m.groups())
        check(f > 0 and a + r == f, "accepted %d + refused %d != %d" %
              (a, r, f))
        check(ret == a, "returned %d != accepted %d" % (ret, a))
    check(re.search(r"^census \(b\): .*: conserved$", out, re.M) is not None,
          "core census not conserved")
    la = re.search(r"^  \(a\)\s+packed pool\s+(stride .*)$", out, re.M)
    lb = re.search(r"^  \(b\),\(b0\)\s+xchg arena\s+(stride .*)$", out, re.M)
    check(la is not None and lb is not None and la.group(1) == lb.group(1),
          "(a) and (b) not on the same layout")
    check(out.rstrip().splitlines()[-1].startswith("b/a = "),
          "core mode does not end with b/a")


def mode_default(bench):
    out = run(bench, SMALL).stdout
    last = out.rstrip().splitlines()[-2:]
    check(len(last) == 2 and re.fullmatch(r"b/a = \d+\.\d\d", last[0]) and
          re.fullmatch(r"x/p = \d+\.\d\d", last[1]) is not None,
          "a run without --mode must end with 'b/a = R' and 'x/p = R': %s"
          % last)
    check_books(out, 2)
    check_census(out, 3)


def mode_stack(bench):
    out = run(bench, ["--mode", "stack", "--sockets", "4"] + SMALL).stdout
    rows = check_books(out, 2)
    check_census(out, 2)
    check_layouts(out)
    # Same traffic on both sides: the same counts, frame for frame.
    if len(rows) == 2:
        check(rows[0][1:] == rows[1][1:],
              "the two sides' books differ: %s" % (rows,))
    res = results(out)
    check(len(res) == 1 and "sockets=4" in res[0] and "lcores=1" in res[0],
          "stack result: %s" % res)


def mode_lcores(bench):
    if (os.cpu_count() or 1) < 2:
        print("SKIP: --mode lcores needs 2 CPUs")
        sys.exit(77)
    out = run(bench, ["--mode", "lcores", "--sockets", "2"] + SMALL).stdout
    rows = books(out)
    check(len(rows) == 8, "%d books lines, 8 expected" % len(rows))
    for side, rx, acc, ref, uncl, mal, ans, read, hog, _, _ in rows:
        check(acc + ref + uncl + mal == rx, "(%s) books do not add up" % side)
        check(acc == ans + read, "(%s) accepted %d != answered %d + read %d"
              % (side, acc, ans, read))
    # Runs on 1 and 2 lcores receive 32K and 64K frames per side.
    check(sorted(r[1] for r in rows) == [32000] * 4 + [64000] * 4,
          "frames received per run: %s" % [r[1] for r in rows])
    check_census(out, 8)
    check_layouts(out)
    res = results(out)
    check(len(res) == 2 and "case=own" in res[0] and "case=shared" in res[1],
          "lcores results: %s" % res)


def mode_pipeline(bench):
    if (os.cpu_count() or 1) < 2:
        print("SKIP: --mode pipeline needs 2 CPUs")
        sys.exit(77)
    # Default and strict free marking: exact books and census each time.
    for extra in ([], ["--strict"]):
        out = run(bench, ["--mode", "pipeline", "--sockets", "4"] + SMALL +
                  extra).stdout
        rows = check_books(out, 2)
        check_census(out, 2)
        check_layouts(out)
        if len(rows) == 2:
            check(rows[0][1:] == rows[1][1:],
                  "the two sides' books differ: %s" % (rows,))
        res = results(out)
        check(len(res) == 1 and "mode=pipeline" in res[0] and
              "lcores=2" in res[0] and
              ("strict=1" if extra else "strict=0") in res[0],
              "pipeline result: %s" % res)


def mode_latency(bench):
    out = run(bench, ["--mode", "latency", "--sockets", "4"] + SMALL).stdout
    rows = books(out)
    check(len(rows) == 4, "%d books lines, 4 expected" % len(rows))
    check_census(out, 4)
    check_layouts(out)
    res = results(out)
    check(len(res) == 4, "latency results: %s" % res)
    # Every frame the application read was timed, and only those.
    for (side, rx, acc, ref, uncl, mal, ans, read, hog, _, _), line in \
            zip(rows, res):
        frames = int(re.search(r" frames=(\d+)", line).group(1))
        check(frames == read, "(%s) %d frames timed, %d read" %
              (side, frames, read))
        check(acc + ref + uncl + mal == rx, "(%s) books do not add up" % side)
    check(all(r[8] == 0 for r in rows[:2]) and
          all(r[8] > 0 and r[3] > 0 for r in rows[2:]),
          "the hog must hold frames and cause refusals only in its run")


def mode_sockets(bench):
    counts = [1, 16, 64, 256]
    out = run(bench, ["--mode", "sockets", "--socket-counts",
                      ",".join(str(c) for c in counts)] + SMALL).stdout
    res = results(out)
    measured = [int(re.search(r" sockets=(\d+)", l).group(1)) for l in res
                if "limit=1" not in l]
    limit = [l for l in res if "limit=1" in l]
    check(measured == counts[:len(measured)] and len(measured) >= 1,
          "measured socket counts %s" % measured)
    check(len(measured) == len(counts) or len(limit) == 1,
          "a count not measured must be reported as over the limit")
    check_books(out, 2 * len(measured))
    check_census(out, 2 * len(measured))
    check_layouts(out)


def mode_errors(bench):
    for args, word in ((["--mode", "fast"], "--mode"),
                       (["--socket-counts", "16,1"], "--socket-counts"),
                       (["--sockets", "0"], "sockets"),
                       (["--stack-packets", "x"], "stack-packets")):
        p = run(bench, args, expect_ok=False)
        err = p.stderr.strip().splitlines()
        check(p.returncode != 0, "%s accepted" % args)
        check(len(err) >= 1 and word in err[-1],
              "%s: the error must name %s: %s" % (args, word, err))


def main():
    bench, mode = sys.argv[1], sys.argv[2]
    globals()["mode_" + mode](bench)
    if failures:
        sys.exit("%d check(s) failed" % len(failures))
    print("bench %s: all checks passed" % mode)


if __name__ == "__main__":
    main()
