#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every kind of bad configuration and bad option is refused by
xchg-replay with exit status 2 and one line on stderr that names the
file, the line, the section, the key and the fix; nothing is printed on
stdout and the EAL says nothing of its own.

Usage: replay_errors.py XCHG_REPLAY
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_util as u  # noqa: E402

BASE = """[arena]
buffers = 2048
[port p0]
vdev = net_null0
ip = 192.0.2.1/24
rx_desc = 256
tx_desc = 256
[socket ctrl]
type = udp
port = 5000
quota = 64
priority = critical
[replay]
ctrl = normal
"""

ARENA_LINE, PORT_LINE, SOCKET_LINE, REPLAY_LINE = 1, 3, 8, 13


def edit(replace=None, append="", drop=None):
    lines = BASE.splitlines()
    for k, v in (replace or {}).items():
        lines[k - 1] = v
    if drop is not None:
        del lines[drop - 1]
    return "\n".join(lines) + "\n" + append


# (name, configuration text, expected message after "bad.ini")
CONFIG_CASES = [
    ("unknown section", edit(append="[frobnicate]\nx = 1\n"),
     ":15: unknown section [frobnicate]; sections are [arena], [port NAME], "
     "[socket NAME], [service arp], [service icmp], [service nd], "
     "[service icmp6], [proxy], [capture], [replay]"),
    ("unknown service", edit(append="[service dns]\nquota = 4\n"),
     ":15: [service dns]: unknown service 'dns'; services are [service arp], "
     "[service icmp], [service nd] and [service icmp6]"),
    ("unknown key, near one", edit({11: "quotaa = 64"}),
     ":11: [socket ctrl]: unknown key 'quotaa'; did you mean quota? ([socket "
     "NAME] keys: type, port, ethertype, quota, priority, interface, "
     "pending, family, readers)"),
    ("NUL byte", edit({2: "buffers = 40\x0096"}),
     ":2: line holds a NUL byte; the file is not text"),
    ("unknown key", edit({2: "colour = blue"}),
     ":2: [arena]: unknown key 'colour'; [arena] keys are: buffers, "
     "data_room, lcore_cache, name, strict, layout"),
    ("bad number", edit({2: "buffers = lots"}),
     ":2: [arena] buffers: 'lots' is not a number; give a whole number from "
     "64 to 16777216"),
    ("number out of range", edit({6: "rx_desc = 0"}),
     ":6: [port p0] rx_desc: 0 is out of range; give a whole number from 1 "
     "to 32768"),
    ("negative number", edit({11: "quota = -3"}),
     ":11: [socket ctrl] quota: '-3' is not a number; give a whole number "
     "from 1 to 16777216"),
    ("quota over the arena", edit({11: "quota = 5000"}),
     ":8: [socket ctrl] quota: 5000 is more than the arena's 2048 buffers; "
     "lower it or raise [arena] buffers"),
    ("sizing invariant", edit({2: "buffers = 700"}),
     ":2: [arena] buffers: 700 are 107 short of what the ports, sockets and "
     "services reserve (807); raise buffers to at least 807 or lower the "
     "quotas (ports 608, sockets 64, services 24, fragment staging 16, "
     "proxy 0, capture 0, lcore caches 95 for 1 lcore)"),
    ("missing buffers", edit(drop=2),
     ":1: [arena]: missing key buffers; add buffers = N, N from 64 to 16777216"),
    ("missing type", edit(drop=9),
     ":8: [socket ctrl]: missing key type; add type = udp or type = packet"),
    ("missing device", edit(drop=4),
     ":3: [port p0]: missing key vdev or pci; give one, e.g. vdev = net_null0 "
     "or pci = 0000:01:00.0"),
    ("no port", "[arena]\nbuffers = 2048\n",
     ": no [port NAME] section; add one, e.g. [port p0] with vdev = net_null0"),
    ("no arena", "[port p0]\nvdev = net_null0\n",
     ": no [arena] section; add one with buffers = N (see config/README.rst)"),
    ("duplicate socket", edit(append="[socket ctrl]\ntype = udp\nport = 5001\n"),
     ":15: [socket ctrl]: a socket of this name exists already (line 8); give "
     "each socket its own name"),
    ("duplicate port", edit(append="[port p0]\nvdev = net_null1\n"),
     ":15: [port p0]: a port of this name exists already (line 3); give each "
     "port its own name"),
    ("duplicate key", edit(append="", replace={12: "quota = 32"}),
     ":12: [socket ctrl] quota: given twice (first on line 11); keep one"),
    ("duplicate section", edit(append="[arena]\nbuffers = 10\n"),
     ":15: [arena]: section given twice; merge them into one"),
    ("reserved name", edit({8: "[socket port0_arp]", 14: "port0_arp = normal"}),
     ":8: [socket port0_arp]: names like p0_x and port0_x are the library's own "
     "pool names; choose another"),
    ("bad address", edit({5: "ip = 192.0.2.300/24"}),
     ":5: [port p0] ip: '192.0.2.300' is not an IPv4 address; write "
     "address/prefix, e.g. 10.0.0.1/24"),
    ("no prefix", edit({5: "ip = 192.0.2.1"}),
     ":5: [port p0] ip: '192.0.2.1' has no prefix length; write "
     "address/prefix, e.g. 10.0.0.1/24"),
    ("bad prefix", edit({5: "ip = 192.0.2.1/33"}),
     ":5: [port p0] ip prefix: 33 is out of range; give a whole number from "
     "1 to 32"),
    ("gateway off subnet", edit(append="", replace={7: "gateway = 10.1.1.1"}),
     ":7: [port p0] gateway: is not on the port's subnet; give an address in "
     "the subnet of ip"),
    ("udp socket without port", edit(drop=10),
     ":8: [socket ctrl]: missing key port; a udp socket needs the UDP port it "
     "receives on, e.g. port = 5000"),
    ("packet socket without ethertype",
     edit(append="[socket raw]\ntype = packet\n"),
     ":15: [socket raw]: missing key ethertype; a packet socket needs the "
     "ethertype it receives, e.g. ethertype = 0x88b5"),
    ("bad ethertype", edit(append="[socket raw]\ntype = packet\nethertype = 0x0800x\n"),
     ":17: [socket raw] ethertype: '0x0800x' is not a number; give one from "
     "0x0600 to 0xffff, e.g. 0x88b5"),
    ("udp socket on a port without ip", edit(drop=5),
     ":7: [socket ctrl]: udp socket on [port p0], which has no ip; add ip = "
     "address/prefix to [port p0]"),
    ("bad type", edit({9: "type = tcp"}),
     ":9: [socket ctrl] type: 'tcp' is not a socket type; use udp or packet"),
    ("bad priority", edit({12: "priority = urgent"}),
     ":12: [socket ctrl] priority: 'urgent' is not a priority; use critical "
     "or normal"),
    ("taken UDP port", edit(append="[socket other]\ntype = udp\nport = 5000\n"),
     ":17: [socket other] port: UDP port 5000 is taken by [socket ctrl] on "
     "[port p0]; use another"),
    ("bad replay value", edit({14: "ctrl = sometimes"}),
     ":14: [replay] ctrl: 'sometimes' is not a behaviour; use normal, hold N "
     "or hog"),
    ("hold without count", edit({14: "ctrl = hold"}),
     ":14: [replay] ctrl: 'hold' needs a count; write hold N, N from 1 to the "
     "socket's quota (64)"),
    ("hold over the quota", edit({14: "ctrl = hold 100"}),
     ":14: [replay] ctrl hold: 100 is out of range; give a whole number from "
     "1 to 64"),
    ("replay key naming no consumer", edit(append="nobody = hog\n"),
     ":15: [replay] nobody: no socket is named nobody; replay keys name "
     "sockets (ctrl)"),
    ("line without =", edit({2: "buffers 2048"}),
     ":2: 'buffers 2048' is neither a [section] nor key = value"),
    ("unclosed section", edit({3: "[port p0"}),
     ":3: section header '[port p0' has no closing ']'"),
    ("key before any section", "buffers = 10\n" + BASE,
     ":1: key 'buffers' comes before any [section]; put it under the section "
     "it belongs to"),
    ("section without name", edit({3: "[port]"}),
     ":3: [port] needs a name: write [port NAME]"),
    ("bad name", edit({3: "[port p 0]"}),
     ":3: [port p 0]: 'p 0' is not a valid name; use 1 to 31 letters, digits, "
     "'_' or '-'"),
    ("interface unknown", edit(append="", replace={12: "interface = eth9"}),
     ":12: [socket ctrl] interface: no port is named eth9; ports are: p0"),
    ("capture owner unknown",
     edit(append="[capture]\nfile = c.pcap\nowners = ctrl, ghost\n"),
     ":17: [capture] owners: no consumer is named ghost; name arp, icmp, "
     "proxy or sockets (ctrl), or all"),
    ("proxy without tap", edit(append="[proxy]\nquota = 8\n"),
     ":15: [proxy]: missing key tap; give the host side's device, e.g. tap = "
     "net_tap0,iface=xchg0"),
]


def one_line(t, name, err):
    t.eq(err.count("\n"), 1, name + ": one line on stderr (%r)" % err)
    t.check("EAL:" not in err and "Usage" not in err,
            name + ": no EAL output (%r)" % err)


def main():
    exe = sys.argv[1]
    t = u.Checks("replay_errors")
    with u.TmpDir() as tmp:
        ini = os.path.join(tmp, "bad.ini")
        good = os.path.join(tmp, "good.ini")
        with open(good, "w") as f:
            f.write(BASE)
        pcap = os.path.join(tmp, "in.pcap")
        # An empty capture: the configuration is refused before it is read.
        with open(pcap, "wb") as f:
            f.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
        out = os.path.join(tmp, "out")

        for name, text, want in CONFIG_CASES:
            with open(ini, "w") as f:
                f.write(text)
            rc, so, se = u.run(exe, ["--config", ini, "--pcap", pcap,
                                     "--out-dir", out])
            t.eq(rc, 2, name + ": exit status")
            t.eq(se.strip(), "xchg-replay: " + ini + want, name + ": message")
            t.eq(so, "", name + ": nothing on stdout")
            one_line(t, name, se)

        def refused(name, args, want, status=2):
            rc, so, se = u.run(exe, args)
            t.eq(rc, status, name + ": exit status")
            t.check(want in se, "%s: %r not in %r" % (name, want, se))
            t.eq(so, "", name + ": nothing on stdout")
            one_line(t, name, se)

        ok = ["--pcap", pcap, "--out-dir", out]
        refused("missing config file",
                ["--config", os.path.join(tmp, "none.ini")] + ok,
                "xchg-replay: %s/none.ini: cannot read the configuration file: "
                "No such file or directory" % tmp)
        refused("config is a folder", ["--config", tmp] + ok,
                "xchg-replay: %s: cannot read the file: Is a directory" % tmp)
        refused("missing capture", ["--config", good, "--pcap",
                                    os.path.join(tmp, "none.pcap")],
                "xchg-replay: --pcap %s/none.pcap: cannot read the capture: "
                % tmp)
        refused("capture is not a pcap", ["--config", good, "--pcap", good],
                "xchg-replay: --pcap %s: cannot read the capture: " % good)
        refused("capture for an unknown port",
                ["--config", good, "--pcap", "wan=" + pcap],
                "xchg-replay: --pcap wan=%s: no [port wan] in %s and no such "
                "file" % (pcap, good))
        refused("out-dir with a comma",
                ["--config", good, "--pcap", pcap, "--out-dir", "x,y"],
                "xchg-replay: --out-dir 'x,y': give a non-empty path without "
                "',' or '='")
        refused("empty out-dir",
                ["--config", good, "--pcap", pcap, "--out-dir", ""],
                "xchg-replay: --out-dir '': give a non-empty path without "
                "',' or '='")
        refused("capture path with a comma",
                ["--config", good, "--pcap", pcap + ",x"],
                "xchg-replay: --pcap %s,x: the path may not hold ',' or '='"
                % pcap)
        refused("capture that is not a regular file",
                ["--config", good, "--pcap", "/dev/null"],
                "xchg-replay: --pcap /dev/null: not a regular file (a pipe "
                "cannot be read twice)")
        refused("bad mode", ["--config", good, "--mode", "turbo"] + ok,
                "xchg-replay: --mode: 'turbo' is not a mode; use exchange, "
                "shared or both")
        refused("unknown option", ["--config", good, "--turbo"] + ok,
                "xchg-replay: unknown option --turbo; see xchg-replay --help")
        refused("option without value", ok + ["--config"],
                "xchg-replay: option --config needs a value; see xchg-replay "
                "--help")
        refused("no --config", ok, "xchg-replay: --config FILE is required")
        refused("no --pcap", ["--config", good],
                "xchg-replay: --pcap FILE is required")
        refused("stray argument", ["--config", good, "extra"] + ok,
                "xchg-replay: unexpected argument 'extra'")
        with open(os.path.join(tmp, "file"), "w") as f:
            f.write("x")
        refused("out-dir is a file", ["--config", good, "--pcap", pcap,
                                      "--out-dir", os.path.join(tmp, "file")],
                "xchg-replay: --out-dir %s/file: cannot use it: Not a "
                "directory" % tmp)
        eal = ["-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
               "--no-telemetry"]
        refused("unknown vdev", eal + ["--vdev=net_bogus0", "--",
                                       "--config", good] + ok,
                "xchg-replay: --vdev net_bogus0: no DPDK driver matches this "
                "name (device names start with their driver: net_null0, "
                "net_pcap0, net_ring0, net_tap0)")
        refused("bad EAL option", eal + ["--turbo-eal", "--", "--config",
                                         good] + ok,
                "xchg-replay: EAL options: unrecognized option '--turbo-eal' "
                "(EAL options go before --)")

        rc, so, se = u.run(exe, ["--help"])
        t.eq(rc, 0, "--help: exit status")
        t.check(so.startswith("Usage: xchg-replay [EAL options --] --config "
                              "FILE --pcap [PORT=]FILE"), "--help: usage line")
        for opt in ("--config FILE", "--pcap FILE", "--out-dir DIR",
                    "--report FILE", "--mode exchange", "--mode shared",
                    "-l 0 --no-huge"):
            t.check(opt in so, "--help mentions %s" % opt)
        t.eq(se, "", "--help: nothing on stderr")
        rc, so, se = u.run(exe, eal + ["--", "-h"])
        t.check(rc == 0 and so.startswith("Usage:"), "-h after EAL options")
        t.check(not os.path.exists(out), "no output folder made by refused runs")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
