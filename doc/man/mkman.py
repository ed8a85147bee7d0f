#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build a man page (troff) from doc/man/PROGRAM.rst and the program's own
--help: the line ".. options-from-help" of the page is replaced by the
program's --help, as a literal block, so the options in the man page are
always the ones the program has. docutils' manpage writer (rst2man) does
the rest.

Usage: mkman.py PAGE.rst PROGRAM OUT.1
"""

import os
import subprocess
import sys

from docutils.core import publish_string
from docutils.writers import manpage


def help_text(exe):
    p = subprocess.run([exe, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=60)
    text = p.stdout.decode(errors="replace")
    # Programs that print argv[0] show the build path: keep the name.
    return text.replace(exe, os.path.basename(exe))


def main():
    page, exe, out = sys.argv[1:4]
    with open(page) as f:
        src = f.read()
    marker = ".. options-from-help"
    if marker not in src:
        sys.exit("%s: no '%s' line" % (page, marker))
    block = "::\n\n" + "".join("   " + line + "\n" if line.strip() else "\n"
                               for line in help_text(exe).splitlines())
    src = src.replace(marker, block)
    troff = publish_string(src, writer=manpage.Writer(),
                           settings_overrides={"report_level": 2,
                                               "halt_level": 2})
    with open(out, "wb") as f:
        f.write(troff)


if __name__ == "__main__":
    main()
