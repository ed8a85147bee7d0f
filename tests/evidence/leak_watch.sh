#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Leak watch in a scripted xchg-testpmd session (leak_watch.cmd): a hog
# held past the starvation limit (1000 ms) is logged once, with the right
# owner and count, and show pools marks it, and only it, until it frees.
#
# Usage: leak_watch.sh PATH/TO/xchg-testpmd PATH/TO/leak_watch.cmd
set -u
. "$(dirname "$0")/../common/check.sh"

bin=$1
script=$2
dir=$(mktemp -d /tmp/xchg-leakwatch-XXXXXX)
trap 'rm -rf "$dir"' EXIT
log=$dir/session.log

# is NAME GOT WANT
is() { if [ "$2" = "$3" ]; then ok "$1 ($2)"; else bad "$1: got '$2', want '$3'"; fi; }

if timeout 60 "$bin" --cmdfile "$script" >"$log" 2>&1; then
	ok "session: exit 0"
else
	bad "session: exit $?"
fi

# The pool table of the Nth "show pools" of the script.
tables() {
	awk -v want="$1" '
		/show pools$/ { t++; on = (t == want); next }
		/^xchg> / { on = 0 }
		on && /^  / { print }' "$log"
}

# 1. Under the limit (400 ms): held, not marked.
tables 1 >"$dir/t1"
is "400 ms: fwd holds its 512" "$(awk '$1 == "fwd" { print $4 }' "$dir/t1")" 512
is "400 ms: no pool marked" "$(grep -c STARVED "$dir/t1")" 0

# 2. Past it (1700 ms): fwd marked with its count, nothing else.
tables 2 >"$dir/t2"
is "1700 ms: one pool marked" "$(grep -c STARVED "$dir/t2")" 1
if grep -Eq '^  fwd +socket +512 +512 +0 .*  STARVED [0-9]+ ms: holds 512, oldest held at least [0-9]+ ms$' "$dir/t2"; then
	ok "1700 ms: fwd marked, holds 512"
else
	bad "1700 ms: fwd not marked as wanted:"; sed 's/^/     /' "$dir/t2"
fi
age=$(sed -n 's/.*oldest held at least \([0-9]*\) ms$/\1/p' "$dir/t2")
[ -n "$age" ] && [ "$age" -gt 1000 ] && [ "$age" -lt 60000 ] &&
	ok "1700 ms: oldest age past the limit ($age ms)" ||
	bad "1700 ms: oldest age '$age' not past 1000 ms"

# 3. Still held (2000 ms): still marked, but logged only once.
tables 3 >"$dir/t3"
is "2000 ms: still marked" "$(grep -c '^  fwd .*STARVED' "$dir/t3")" 1
is "logged once" "$(grep -c 'units available for .* (reported once)' "$log")" 1
if grep -Eq '^xchg: pool fwd: 0 of 512 units available for [0-9]+ ms \(reported once\); it holds 512 buffers, the oldest held at least [0-9]+ ms$' "$log"; then
	ok "the log names fwd and its 512 buffers"
else
	bad "no log line for fwd:"; sed 's/^/     /' "$log" | head -20
fi

# 4. Freed: no mark; every buffer back.
tables 4 >"$dir/t4"
is "after normal: no pool marked" "$(grep -c STARVED "$dir/t4")" 0
is "after normal: fwd holds none" "$(awk '$1 == "fwd" { print $4 }' "$dir/t4")" 0
if grep -Eq 'census: total 8192 = free 8192 .*: conserved$' "$log"; then
	ok "census conserved"
else
	bad "census not conserved"
fi
is "teardown: nobody still holds buffers" "$(grep -c 'still holds' "$log")" 0

xt_summary leak_watch
