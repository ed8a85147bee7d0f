#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Every installed header compiles on its own, first in a translation
# unit, in C (the project's C11 and the compiler's default) and in C++,
# with nothing but the build tree's pkg-config flags (build/libxchg.pc:
# the installed headers only). Each also wraps its declarations in
# extern "C" for C++.
#
# Usage: headers.sh BUILD_DIR HEADER...
set -u
build=$1
shift
command -v g++ >/dev/null || { echo "SKIP: needs g++"; exit 77; }
export PKG_CONFIG_PATH="$build"
cflags=$(pkg-config --cflags libxchg) || { echo "FAIL pkg-config --cflags libxchg from $build"; exit 1; }
dir=$(mktemp -d /tmp/xchg-hdr-XXXXXX)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0

try() {
	name=$1
	shift
	if "$@" >"$dir/out" 2>&1; then
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		sed 's/^/     /' "$dir/out" | head -20
		failed=$((failed + 1))
	fi
}

for h in "$@"; do
	b=$(basename "$h")
	[ -f "$build/include/xchg/$b" ] || { echo "FAIL $b: not in $build/include/xchg"; failed=$((failed + 1)); continue; }
	printf '#include <%s>\n' "$b" >"$dir/t.c"
	cp "$dir/t.c" "$dir/t.cpp"
	try "$b alone, C11" cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $cflags -c "$dir/t.c" -o "$dir/t.o"
	try "$b alone, C (compiler default)" cc -Wall -Wextra -Werror $cflags -c "$dir/t.c" -o "$dir/t.o"
	try "$b alone, C++" g++ -Wall -Wextra -Werror $cflags -c "$dir/t.cpp" -o "$dir/t.o"
	if [ "$b" != xchg.h ]; then
		try "$b: extern \"C\" for C++" grep -q 'extern "C"' "$h"
	fi
done
# No private header reachable: the include folder holds the installed set.
n=$(ls "$build/include/xchg" | grep -c '\.h$')
[ "$n" -eq $# ] && passed=$((passed + 1)) || { echo "FAIL $build/include/xchg holds $n headers, $# are installed"; failed=$((failed + 1)); }
echo "headers: $passed passed, $failed failed"
[ $failed -eq 0 ]
