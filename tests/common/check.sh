# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the shell tests: checks counted in $passed and $failed, one
# line each, and the closing line meson and CI read. xt_check keeps the
# output of what it runs in $dir/out: the caller's folder.

passed=0
failed=0

# ok NAME, bad NAME: one check passed or failed, said in one line.
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# xt_check NAME CMD...: run CMD; ok NAME, or bad NAME and CMD's output
# indented.
xt_check() {
	xt_name=$1
	shift
	if "$@" >"$dir/out" 2>&1; then
		ok "$xt_name"
	else
		bad "$xt_name"
		sed 's/^/     /' "$dir/out"
	fi
}

# xt_summary NAME: "NAME: N passed, N failed"; true when none failed.
xt_summary() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
