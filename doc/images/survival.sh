#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Regenerates doc/images/survival.png, the README's survival plot: the hog
# scenario (tests/apps/scenarios.py, config/hog.ini) replayed in exchange
# and in shared mode. Run from the top of the tree after a build:
#   sh doc/images/survival.sh [BUILD_DIR]
set -e
build=${1:-build}
tmp=$(mktemp -d /tmp/xchg-survival-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -c "import sys; sys.path.insert(0, 'tests/apps'); \
import scenarios; scenarios.hog('$tmp/hog.pcap')"
"$build/apps/xchg-replay/xchg-replay" --config config/hog.ini \
	--pcap "$tmp/hog.pcap" --out-dir "$tmp/out" --mode both \
	--plot doc/images/survival.png
