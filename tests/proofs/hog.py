#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A memory hog: touch 8 MiB more every 20 ms until killed or until
LIMIT_MIB (default 2048) is reached, however long that takes (a busy
machine only makes it slower), then hold it for SECONDS (default 30).

    hog.py [LIMIT_MIB [SECONDS]]
"""
import sys
import time

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 2048
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30
chunks = []
while len(chunks) * 8 < limit:
    chunks.append(b"\x5a" * (8 << 20))  # written: resident at once
    time.sleep(0.02)
# Holding what it has, until the time is up.
end = time.monotonic() + seconds
while time.monotonic() < end:
    time.sleep(0.1)
