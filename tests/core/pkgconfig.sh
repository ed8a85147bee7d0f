#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# An out-of-tree application builds and runs with nothing but
# pkg-config --cflags --libs libxchg: from the build tree (Meson's
# uninstalled .pc file) and from an installation (meson install into a
# private DESTDIR).
#
# Usage: pkgconfig.sh BUILD_DIR oot_app.c SANITIZE
set -u
build=$1
src=$2
# Libraries built with sanitizers need an application linked with them.
san=""
[ "${3:-none}" != none ] && san="-fsanitize=$3"
export CC="cc $san"
dir=$(mktemp -d /tmp/xchg-pc-XXXXXX)
trap 'rm -rf "$dir"' EXIT
eal="-l 0 --no-huge -m 256 --no-pci --no-shconf --log-level=lib.eal:error"
passed=0
failed=0

run() {
	name=$1
	shift
	if "$@" >"$dir/out" 2>&1; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		sed 's/^/     /' "$dir/out"
		failed=$((failed + 1))
	fi
}

# From the build tree.
export PKG_CONFIG_PATH="$build/meson-uninstalled"
libs=$(find "$build/lib" "$build/drivers" -name 'libxchg*.so' -printf '%h:' 2>/dev/null)
run "build tree: compile and link" sh -c \
	"$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror '$src' -o '$dir/app-tree' \$(pkg-config --cflags --libs libxchg-uninstalled)"
run "build tree: run" env LD_LIBRARY_PATH="$libs" "$dir/app-tree" $eal

# From an installation.
run "install" env DESTDIR="$dir/root" meson install -C "$build" --quiet --no-rebuild
pc=$(find "$dir/root" -name libxchg.pc | head -1)
if [ -n "$pc" ]; then
	# Moved under DESTDIR: a copy of the file with its prefix there;
	# DPDK's own .pc stays where Debian put it.
	prefix=$(sed -n 's/^prefix=//p' "$pc")
	mkdir -p "$dir/pc"
	sed "s|^prefix=.*|prefix=$dir/root$prefix|" "$pc" >"$dir/pc/libxchg.pc"
	export PKG_CONFIG_PATH="$dir/pc"
	libdir=$(pkg-config --variable=libdir libxchg)
	run "installed: compile and link" sh -c \
		"$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror '$src' -o '$dir/app-inst' \$(pkg-config --cflags --libs libxchg)"
	run "installed: run" env LD_LIBRARY_PATH="$libdir" "$dir/app-inst" $eal
else
	echo "FAIL installed: no libxchg.pc"
	failed=$((failed + 1))
fi
echo "pkgconfig: $passed passed, $failed failed"
[ $failed -eq 0 ]
