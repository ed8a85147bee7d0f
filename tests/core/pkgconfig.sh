#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# An out-of-tree application builds and runs with nothing but
# pkg-config --cflags --libs libxchg: from the build tree (the build
# tree's build/libxchg.pc) and from an installation (meson install into a
# private DESTDIR), both without LD_LIBRARY_PATH.
#
# Usage: pkgconfig.sh BUILD_DIR oot_app.c SANITIZE
set -u
. "$(dirname "$0")/../common/check.sh"
build=$1
src=$2
# Libraries built with sanitizers need an application linked with them.
san=""
[ "${3:-none}" != none ] && san="-fsanitize=$3"
export CC="cc $san"
dir=$(mktemp -d /tmp/xchg-pc-XXXXXX)
trap 'rm -rf "$dir"' EXIT
eal="-l 0 --no-huge -m 256 --no-pci --no-shconf --log-level=lib.eal:error"

# From the build tree, as the README writes it: PKG_CONFIG_PATH=build,
# and no LD_LIBRARY_PATH (the .pc gives an rpath to each library).
unset LD_LIBRARY_PATH
export PKG_CONFIG_PATH="$build"
xt_check "build tree: compile and link" sh -c \
	"$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror '$src' -o '$dir/app-tree' \$(pkg-config --cflags --libs libxchg)"
xt_check "build tree: run without LD_LIBRARY_PATH" "$dir/app-tree" $eal
xt_check "build tree: private headers not reachable" sh -c \
	"! pkg-config --cflags libxchg | grep -q -e '/lib/xchg\\b' -e '/drivers/port\\b'"

# From an installation (meson install into a private DESTDIR: a prefix
# moved elsewhere, as a relocated install is).
xt_check "install" env DESTDIR="$dir/root" meson install -C "$build" --quiet --no-rebuild
pc=$(find "$dir/root" -name libxchg.pc | head -1)
if [ -n "$pc" ]; then
	# Moved under DESTDIR: a copy of the file with its prefix there;
	# DPDK's own .pc stays where Debian put it.
	prefix=$(sed -n 's/^prefix=//p' "$pc")
	mkdir -p "$dir/pc"
	sed "s|^prefix=.*|prefix=$dir/root$prefix|" "$pc" >"$dir/pc/libxchg.pc"
	export PKG_CONFIG_PATH="$dir/pc"
	libdir=$(pkg-config --variable=libdir libxchg)
	xt_check "installed .pc: only the installed include folder" sh -c \
		"[ \"\$(pkg-config --cflags-only-I libxchg | tr ' ' '\\n' | grep xchg)\" = '-I$dir/root$prefix/include/xchg' ]"
	xt_check "installed: compile and link (the README's rpath line)" sh -c \
		"$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror '$src' -o '$dir/app-inst' \$(pkg-config --cflags --libs libxchg) -Wl,-rpath,\$(pkg-config --variable=libdir libxchg)"
	xt_check "installed: run without LD_LIBRARY_PATH" "$dir/app-inst" $eal
	# The installed programs load the installed libraries, not the
	# build tree's, with no LD_LIBRARY_PATH.
	for p in xchg-testpmd xchg-demo xchg-replay xchg-bench; do
		exe=$(find "$dir/root" -name $p -type f | head -1)
		if [ -z "$exe" ]; then
			bad "installed: no $p"
			continue
		fi
		xt_check "installed $p: libraries from the prefix" sh -c \
			"l=\$(ldd '$exe' | grep libxchg); [ -n \"\$l\" ] && ! echo \"\$l\" | grep -qv '=> $dir/root/'"
		xt_check "installed $p: --help runs" "$exe" --help
	done
	xt_check "installed xchg-testpmd: forwards and exits" "$(find "$dir/root" -name xchg-testpmd -type f)" --duration 1
else
	bad "installed: no libxchg.pc"
fi
xt_summary pkgconfig
