#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per packet of xchg-bench's variants and of the library's
# data-path functions, from valgrind --tool=callgrind (repeatable to a few
# instructions), then cycles per packet and b/a from interleaved rounds on
# the real CPU. The figures doc/cycle-budget.rst quotes come from here.
#
# Usage: devtools/cycle-budget.sh [BUILD_DIR] [PACKETS] [ROUNDS]
#   BUILD_DIR  a release (debugoptimized) build [build]
#   PACKETS    per variant and round, for the cycle rounds [20M]
#   ROUNDS     interleaved cycle rounds [15]
set -eu
build=${1:-build}
packets=${2:-20M}
rounds=${3:-15}
bench=$build/apps/xchg-bench/xchg-bench
[ -x "$bench" ] || { echo "cycle-budget: no $bench; build first (ninja -C $build)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "cycle-budget: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
out=$(mktemp -d /tmp/xchg-cb-XXXXXX)
trap 'rm -rf "$out"' EXIT

# Under callgrind: 256,000 packets per variant for the warm-up and as
# many for one round, so every variant moves 512,000 packets.
cg_packets=256000
valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
	"$bench" --mode core --packets $cg_packets --rounds 1 >"$out/cg.log" 2>&1 ||
	{ cat "$out/cg.log" >&2; exit 1; }
callgrind_annotate --inclusive=yes "$out/cg" >"$out/incl" 2>/dev/null
callgrind_annotate --inclusive=no "$out/cg" >"$out/excl" 2>/dev/null

# Ir of a symbol (first match) in an annotate listing.
ir() {
	grep -E ":$2( \[|$)" "$1" | awk '{gsub(",", "", $1); if ($1 + 0 > m + 0) m = $1 + 0} END {print m}'
}
per=$((cg_packets * 2))
echo "DPDK $(pkg-config --modversion libdpdk), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), 1 lcore, --no-huge, packed layouts, burst 32"
echo "instructions per packet (callgrind, $per packets per variant):"
awk -v a="$(ir "$out/incl" bench_rx_free)" -v b0="$(ir "$out/incl" bench_rx_free_arena)" \
    -v b="$(ir "$out/incl" bench_rx_exchange_free)" -v p=$per 'BEGIN {
	a /= 2 * p; b0 /= p; b /= p;   # (a) and (d) share bench_rx_free
	printf "  (a)  plain rx + free            %6.1f\n", a
	printf "  (b0) arena rx + free            %6.1f\n", b0
	printf "  (b)  arena rx + exchange + free %6.1f\n", b
	printf "  b/a in instructions             %6.2f\n", b / a
}'
echo "library entry points, inclusive instructions per packet through them:"
for f in xchg_ops_dequeue xchg_ops_enqueue xchg_acquire_burst; do  # inclusive
	n=$(ir "$out/incl" $f)
	# the driver runs in (b0) and (b), the exchange in (b) only
	d=$((per * 2)); [ $f = xchg_acquire_burst ] && d=$per
	awk -v n="${n:-0}" -v d=$d -v f=$f 'BEGIN { printf "  %-20s %6.1f\n", f, n / d }'
done
echo "cycles ($rounds interleaved rounds of $packets packets):"
"$bench" --mode core --packets "$packets" --rounds "$rounds" | grep -E '^  \((a|b0|b|d)\) .*Mpps|^split|^b/a'
