#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The README's example, from README.rst itself: the C block marked
# ".. test: readme-app" is written to app.c and the shell block marked
# ".. test: readme-build" is run as written (the build folder it names
# becomes this build's), in a private folder, with net_null and no
# hugepages; the program must print its census, conserved.
#
# Usage: readme.sh SOURCE_ROOT BUILD_DIR SANITIZE
set -u
src=$1
build=$2
dir=$(mktemp -d /tmp/xchg-readme-XXXXXX)
trap 'rm -rf "$dir"' EXIT

# block MARKER: the code block after the comment ".. test: MARKER".
block() {
	awk -v m=".. test: $1" '
		$0 == m { state = 1; next }
		state == 1 && /^\.\. code-block::/ { state = 2; next }
		state == 2 && /^$/ { if (body) print ""; next }
		state == 2 && /^   / { body = 1; print substr($0, 4); next }
		state == 2 && body { exit }
	' "$src/README.rst"
}

block readme-app >"$dir/app.c"
block readme-build >"$dir/build.sh"
[ -s "$dir/app.c" ] || { echo "FAIL README.rst has no C block after '.. test: readme-app'"; exit 1; }
[ -s "$dir/build.sh" ] || { echo "FAIL README.rst has no shell block after '.. test: readme-build'"; exit 1; }
# examples/readme_app.c, built and run by the 'examples' suite, is this
# program: keep them equal.
cmp -s "$dir/app.c" "$src/examples/readme_app.c" || { echo "FAIL examples/readme_app.c differs from README.rst's program: copy the block over it"; diff "$dir/app.c" "$src/examples/readme_app.c" | head -20; exit 1; }
grep -q '^int$' "$dir/app.c" && grep -q '^main(' "$dir/app.c" || { echo "FAIL the README's example has no main(): not a complete program"; exit 1; }
# Warnings the project refuses fail the example too.
cc_line="cc -Wall -Wextra -Werror"
[ "${3:-none}" != none ] && cc_line="$cc_line -fsanitize=$3"
sed -e "s|\$PWD/build|$build|g" -e "s|^cc |$cc_line |" "$dir/build.sh" >"$dir/run.sh"
echo "--- as run (from README.rst):"
cat "$dir/run.sh"
echo "---"
(cd "$dir" && unset LD_LIBRARY_PATH && sh -e ./run.sh) >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc -eq 0 ] || { echo "FAIL the README's commands exited $rc"; exit 1; }
grep -q '^received [0-9]*: bulk took [0-9]*, ctrl took [0-9]*$' "$dir/out" || { echo "FAIL no 'received' line"; exit 1; }
grep -q '^census: total 16384 = .*: conserved$' "$dir/out" || { echo "FAIL no conserved census"; exit 1; }
echo "ok   the README's example builds, links and runs as written"
