#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Every reStructuredText page must build without a warning.
# Usage: check_rst.sh SOURCE_ROOT
set -u
cd "$1" || exit 1
/usr/bin/python3 -c 'import docutils' 2>/dev/null || { echo "SKIP: needs python3-docutils"; exit 77; }
passed=0
failed=0
for f in README.rst doc/*.rst config/*.rst; do
	[ -f "$f" ] || continue
	if /usr/bin/python3 -m docutils --halt=warning "$f" /dev/null; then
		passed=$((passed + 1))
	else
		echo "FAIL $f"
		failed=$((failed + 1))
	fi
done
echo "rst: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -ge 2 ]
