#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The API reference (meson compile -C build doc) builds from the installed
# headers' Doxygen comments without a warning (the Doxyfile makes every
# warning an error). Skips without doxygen.
# Usage: api_reference.sh BUILD_DIR
set -u
command -v doxygen >/dev/null 2>&1 || { echo "SKIP: needs doxygen (apt-get install doxygen)"; exit 77; }
[ -f "$1/doc/Doxyfile" ] || { echo "SKIP: no doc/Doxyfile in $1 (configured with -Ddoc=disabled?)"; exit 77; }
dir=$(mktemp -d /tmp/xchg-apidoc-XXXXXX)
trap 'rm -rf "$dir"' EXIT
(cat "$1/doc/Doxyfile"; echo "OUTPUT_DIRECTORY = $dir") | doxygen - >"$dir/log" 2>&1
rc=$?
cat "$dir/log"
[ $rc -eq 0 ] || { echo "FAIL doxygen exited $rc: the warnings above are errors"; exit 1; }
! grep -q "warning:\|error:" "$dir/log" || { echo "FAIL doxygen warned"; exit 1; }
for h in xchg_8h xchg__arena_8h xchg__port_8h xchg__stack_8h xchg__config_8h; do
	[ -f "$dir/html/$h.html" ] || { echo "FAIL no page for $h"; exit 1; }
done
grep -q "xchg_config_terms" "$dir/html/xchg__config_8h.html" || { echo "FAIL xchg_config_terms is not in the reference"; exit 1; }
echo "ok   the API reference builds without a warning ($(ls "$dir/html" | wc -l) files)"
