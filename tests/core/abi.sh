#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The ABI check (abi_check.py) on every library, then twice on a broken
# copy to prove it catches what it is for: a function declared in an
# installed header but missing from the map, and a map entry the
# library does not define.
#
# Usage: abi.sh ABI_CHECK.PY --lib NAME SO MAP HEADER... [--lib ...]
set -u
check=$1
shift
py=/usr/bin/python3
command -v nm >/dev/null || { echo "SKIP: needs nm (binutils)"; exit 77; }
dir=$(mktemp -d /tmp/xchg-abi-XXXXXX)
trap 'rm -rf "$dir"' EXIT
failed=0

"$py" "$check" "$@" || failed=$((failed + 1))

# The first library's files: --lib NAME SO MAP HEADER...
so=$3
map=$4
hdr=$5
shift 5

# 1. A name left out of the map.
name=$(sed -n 's/^\t\(xchg_[a-z0-9_]*\);$/\1/p' "$map" | head -1)
grep -v "^	$name;\$" "$map" >"$dir/version.map"
"$py" "$check" --lib x "$so" "$dir/version.map" "$hdr" "$@" >"$dir/out" 2>&1
if grep -q "^FAIL $name: declared in [^ ]*\.h but not listed in $dir/version.map: add '$name;'" "$dir/out" &&
   grep -q "^FAIL $name: exported by" "$dir/out"; then
	echo "ok   a missing map entry is named with its header and map"
else
	echo "FAIL a map without $name was not caught:"; cat "$dir/out"
	failed=$((failed + 1))
fi

# 2. A name in the map the library does not define, declared in a header.
sed 's/^\tlocal: \*;$/\txchg_no_such_function;\n\tlocal: *;/' "$map" >"$dir/version.map"
{ cat "$hdr"; echo 'int xchg_no_such_function(void);'; } >"$dir/extra.h"
"$py" "$check" --lib x "$so" "$dir/version.map" "$hdr" "$dir/extra.h" "$@" >"$dir/out" 2>&1
if grep -q "^FAIL xchg_no_such_function: listed in $dir/version.map but .* does not define it" "$dir/out"; then
	echo "ok   a map entry the library does not define is named"
else
	echo "FAIL an undefined map entry was not caught:"; cat "$dir/out"
	failed=$((failed + 1))
fi
[ $failed -eq 0 ]
