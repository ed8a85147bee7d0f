# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the shell tests: checks counted in $passed and $failed, one
# line each, the closing line meson and CI read, and the wait for a
# program to come up. xt_check keeps the output of what it runs in
# $dir/out: the caller's folder.

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

# xt_wait_ready PID LOG NAME [PATTERN [TENTHS]]: wait up to TENTHS tenths
# of a second (200) for NAME (pid PID) to print a line matching PATTERN
# (READY) in LOG; when it does not, or dies, show LOG, count the failed
# check "NAME did not come up" and return 1.
xt_wait_ready() {
	xt_i=0
	until grep -q -- "${4:-READY}" "$2" 2>/dev/null; do
		xt_i=$((xt_i + 1))
		if [ $xt_i -gt "${5:-200}" ] || ! kill -0 "$1" 2>/dev/null; then
			cat "$2"
			bad "$3 did not come up"
			return 1
		fi
		sleep 0.1
	done
}

# xt_summary NAME: "NAME: N passed, N failed"; true when none failed.
xt_summary() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
