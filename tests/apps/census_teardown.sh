#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The programs print a broken census at teardown (issue 23 item 1): with
# the test-only XCHG_TEST_CENSUS_PLANT=<rule> (lib/xchg/xchg_census.c,
# doc/proofs.rst) every census reads its arena as if that rule broke.
# xchg-testpmd's last tables must name each rule with where and the two
# figures; xchg-demo must name it and fail. Without the variable both
# print a conserved census (tests/testpmd covers that run).
#
# Usage: census_teardown.sh PATH/TO/xchg-testpmd PATH/TO/xchg-demo
set -u
. "$(dirname "$0")/../common/check.sh"

testpmd=$1 demo=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/xchg-census-teardown-$$.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

# check NAME FILE REGEX: the file's last census line matches REGEX.
check() {
	line=$(grep 'census' "$2" | tail -1)
	if printf '%s\n' "$line" | grep -Eq -- "$3"; then
		ok "$1: $line"
	else
		bad "$1: last census line does not match /$3/:"
		tail -20 "$2" | sed 's/^/     /'
	fi
}

for rule in free_count owner_count over_quota rings_over bad_tag over_credit; do
	log=$dir/testpmd-$rule.log
	XCHG_TEST_CENSUS_PLANT=$rule timeout 30 "$testpmd" --duration 1 \
		--stats-period 0 >"$log" 2>&1
	rc=$?
	[ $rc = 0 ] || bad "xchg-testpmd $rule: exit $rc"
	check "xchg-testpmd teardown, $rule" "$log" \
		"census: total [0-9]+ = .*: BROKEN $rule at '[^']*': expected [0-9]+, found [0-9]+ \("
done

log=$dir/demo.log
XCHG_TEST_CENSUS_PLANT=over_credit timeout 60 "$demo" --frames 20000 \
	>"$log" 2>&1
rc=$?
[ $rc = 1 ] && ok "xchg-demo over_credit: exit 1" ||
	bad "xchg-demo over_credit: exit $rc, not 1"
check "xchg-demo, over_credit" "$log" \
	"BROKEN over_credit at '[^']+': expected ([0-9]+), found [0-9]+ \("
grep -q '^GUARANTEE BROKEN' "$log" && ok "xchg-demo says GUARANTEE BROKEN" ||
	bad "xchg-demo does not say GUARANTEE BROKEN"

echo "census_teardown: $passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
