#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The documents say what the code prints, read from the programs at test
time (never a frozen copy):

* pool names: every stack pool name the docs spell (``portN_arp``,
  ``p<ID>_proxy``...) is one the programs create, in the portN_ form;
* synopses: every ``--option`` a document or man page gives to one of
  the programs is in that program's ``--help``, and a synopsis block
  (``PROGRAM [EAL options --] ...``) is the program's own Usage text;
* report keys: every key xchg-replay writes (header, run, and the keys
  of a consumer, pool, port, lost, verdict, stack and census) is named in
  doc/evidence.rst, and every key its tables list is written.

Usage: check_drift.py SOURCE_ROOT XCHG_REPLAY PROG=PATH...
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import shutil

ROOT = sys.argv[1]
sys.path.insert(0, os.path.join(ROOT, "tests", "apps"))
import replay_util as u  # noqa: E402

u.need_scapy()
import scenarios  # noqa: E402

DOCS = ([os.path.join(ROOT, "README.rst"),
         os.path.join(ROOT, "config", "README.rst")] +
        sorted(glob.glob(os.path.join(ROOT, "doc", "*.rst"))) +
        sorted(glob.glob(os.path.join(ROOT, "doc", "man", "*.rst"))))


def read(path):
    with open(path) as f:
        return f.read()


def help_of(exe):
    p = subprocess.run([exe, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=60)
    return p.stdout.decode(errors="replace").replace(
        exe, os.path.basename(exe))


def commands(text, prog):
    """Each command line of PROG in a document (continuation lines
    joined), as a list of (line number, text)."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.search(r"(^|[\s/*`])%s\b(?![-.\w])" % re.escape(prog), line) \
                and not line.lstrip().startswith(".."):
            start = i
            joined = line
            # a shell continuation, or a synopsis that goes on indented
            while i + 1 < len(lines) and (
                    joined.rstrip().endswith("\\") or
                    (re.match(r"^\s+\[", lines[i + 1]) is not None)):
                i += 1
                joined = joined.rstrip().rstrip("\\") + " " + \
                    lines[i].strip()
            out.append((start + 1, joined))
        i += 1
    return out


def synopses(t, progs):
    for prog, exe in progs.items():
        text = help_of(exe)
        opts = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))
        usage = re.search(r"Usage: (.*?)\n\s*\n", text, re.S)
        usage = " ".join(usage.group(1).split()) if usage else ""
        t.check(len(opts) > 0, "%s --help lists options" % prog)
        for doc in DOCS:
            rel = os.path.relpath(doc, ROOT)
            for ln, cmd in commands(read(doc), prog):
                # only the part after the program's name, up to the end
                # of an inline literal
                tail = cmd[cmd.find(prog) + len(prog):]
                tail = tail.split("``")[0]
                # before a bare --, the options are EAL's, not the program's
                if " -- " in tail + " ":
                    tail = (tail + " ").split(" -- ", 1)[1]
                for opt in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)",
                                      tail):
                    t.check(opt in opts, "%s:%d: %s %s is in its --help"
                            % (rel, ln, prog, opt))
                plain = " ".join(cmd.replace("\\ ", "").replace("*", "")
                                 .replace("\\", "").split())
                if re.match(r"^%s \[EAL options --\] --" % re.escape(prog),
                            plain.strip()):
                    t.check(usage.endswith(plain.strip()) or
                            plain.strip() == usage,
                            "%s:%d: the synopsis is %s's Usage (%r, "
                            "--help: %r)" % (rel, ln, prog, plain.strip(),
                                             usage))


POOL_RE = re.compile(r"``(p(?:ort)?(?:N|<ID>|<P>|\d+)_)([a-z]+?)(\d*)``")


def pool_names(t, replay):
    """The pool names of the shipped configurations, from the program."""
    seen = set()
    with tempfile.TemporaryDirectory(prefix="xchg-drift-") as tmp:
        pcap = os.path.join(tmp, "g.pcap")
        scenarios.garbage(pcap)
        for name in ("hog", "mixed", "proxy", "default", "ipv6"):
            rc, so, se, rep = u.replay(replay, os.path.join(
                ROOT, "config", name + ".ini"), pcap,
                os.path.join(tmp, name))
            if not t.eq(rc, 0, "replay of config/%s.ini (%s)"
                        % (name, se.strip()[-300:])):
                continue
            seen.update(rep["pools"].keys())
            if name == "hog":
                report = rep
    return seen, report


def check_pools(t, seen):
    suffixes = set()
    for p in seen:
        m = re.match(r"^port\d+_([a-z]+?)\d*$", p)
        if m:
            suffixes.add(m.group(1))
    # portN_icmp6 reads as icmp and a number, as portN_rxq0 does.
    t.check({"arp", "icmp", "nd", "rxq", "txq", "fragstage", "proxy",
             "hostout"} <= suffixes,
            "the shipped configurations make the stack's pools (%s)"
            % sorted(suffixes))
    for doc in DOCS + glob.glob(os.path.join(ROOT, "lib", "*", "*.h")):
        rel = os.path.relpath(doc, ROOT)
        for m in POOL_RE.finditer(read(doc)):
            t.check(m.group(1).startswith("port") and
                    m.group(2) in suffixes | {"capture"},
                    "%s: pool name %s%s%s is one the code makes "
                    "(portN_ and one of %s)"
                    % (rel, m.group(1), m.group(2), m.group(3),
                       sorted(suffixes)))


def evidence_keys(t, replay):
    text = read(os.path.join(ROOT, "doc", "evidence.rst"))
    named = set(re.findall(r"``([a-z_][a-z0-9_]*)``", text))
    # the first column of the header and run key tables
    listed = set(re.findall(r"^``([a-z_][a-z0-9_]*)``\s{2,}", text, re.M))
    with tempfile.TemporaryDirectory(prefix="xchg-drift-") as tmp:
        pcap = os.path.join(tmp, "hog.pcap")
        scenarios.hog(pcap)
        rc, so, se, rep = u.replay(replay, os.path.join(
            ROOT, "config", "hog.ini"), pcap, os.path.join(tmp, "o"), "both")
    if not t.eq(rc, 0, "replay --mode both (%s)" % se.strip()[-300:]):
        return
    run = rep["runs"]["exchange"]
    written = set(rep.keys()) | set(run.keys())
    keys = set()
    # Objects keyed by a name (a consumer, pool, port, input, mode or drop
    # reason): their members' keys count, not the names.
    by_name = {"consumers", "pools", "ports", "inputs", "runs", "drops",
               "dropped"}

    def walk(obj, named):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if not named:
                    keys.add(k)
                walk(v, k in by_name and not named)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, False)

    walk(rep, False)
    for k in sorted(keys):
        t.check(k in named, "doc/evidence.rst names the report key %s" % k)
    for k in sorted(listed):
        t.check(k in keys, "doc/evidence.rst's table key %s is in the "
                "report" % k)


def main():
    replay = sys.argv[2]
    progs = dict(a.split("=", 1) for a in sys.argv[3:])
    t = u.Checks("docs_drift")
    synopses(t, progs)
    seen, _ = pool_names(t, replay)
    check_pools(t, seen)
    evidence_keys(t, replay)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
