#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# xchg-testpmd among DPDK's multi-process tools: with a file prefix of
# its own (not --no-shconf) and hugepages, dpdk-pdump captures its port
# (rte_pdump_init(); the copies go to dpdk-pdump's own mempool, not the
# arena), and a secondary process is refused an arena with a clear
# message and reads the census, the pools and /xchg/xstats through the
# primary's telemetry. The census stays conserved. Skips (77) without
# dpdk-pdump or 128 MB of free hugepages: secondaries need shared memory.
#
# Usage: multiprocess.sh PATH/TO/xchg-testpmd PATH/TO/secondary
set -u
. "$(dirname "$0")/../common/check.sh"
bin=$1
second=$2
tag=x22a$$
dir=$(mktemp -d /tmp/xchg-mp-XXXXXX)
app= pd=
cleanup() {
	[ -n "$pd" ] && kill -INT "$pd" 2>/dev/null && wait "$pd" 2>/dev/null
	[ -n "$app" ] && kill -TERM "$app" 2>/dev/null && wait "$app" 2>/dev/null
	rm -rf "$dir" "/var/run/dpdk/$tag"
	for m in $(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts); do
		rm -f "$m/${tag}map_"*
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v dpdk-pdump >/dev/null || { echo "skip: no dpdk-pdump (Debian's dpdk package)"; exit 77; }
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
size=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
if [ $(( ${free:-0} * ${size:-0} )) -lt 131072 ] || ! grep -q hugetlbfs /proc/mounts; then
	echo "skip: a secondary process needs hugepages (128 MB free and hugetlbfs mounted)"
	exit 77
fi
expect() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else bad "$1: no line matching /$3/ in:"; sed 's/^/     /' "$2" | tail -20; fi
}
eal="-l 0 --no-pci --file-prefix $tag --iova-mode=va --log-level=lib.eal:error"
# A secondary maps the primary's memory at the same addresses; in the
# ASan build the sanitizer's shadow can hold them (it depends on the
# layout of the run). True when the secondary's log $1 says so.
layout_refused() {
	grep -q "Cannot get a virtual area at requested address" "$1"
}

# The primary: rxonly on net_null, bounded by --duration, stopped by
# SIGTERM below.
"$bin" $eal -m 128 --vdev=net_null0 -- --buffers 2048 --quota 256 \
	--duration 60 >"$dir/tp.log" 2>&1 &
app=$!
xt_wait_ready "$app" "$dir/tp.log" xchg-testpmd \
	'^xchg-testpmd: rxonly on 1 port' 300 || exit 1
grep -q 'dpdk-pdump cannot capture' "$dir/tp.log" && bad "rte_pdump_init failed" || ok "rte_pdump_init"

# A secondary: refused an arena, reads the primary's state. DPDK 22.11's
# vdev bus leaks its device arguments in a secondary process: not ours,
# and LeakSanitizer's abort would lose the secondary's output.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$second" $eal --proc-type=secondary -- /xchg/census /xchg/pools \
	/xchg/xstats,0 /ethdev/xstats,0 >"$dir/sec.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && layout_refused "$dir/sec.log"; then
	echo "SKIP: the secondary cannot map the primary's memory at its addresses here (sanitizer shadow or address layout)"
	exit 77
fi
[ $rc -eq 0 ] && ok "secondary: exit 0" || { bad "secondary: exit $rc"; cat "$dir/sec.log"; }
expect "secondary: is one" "$dir/sec.log" '^process type: secondary$'
expect "secondary: refused an arena" "$dir/sec.log" '^arena refused: EPERM$'
expect "secondary: told why" "$dir/sec.log" 'a secondary process cannot make an arena or use one.s buffers; the primary owns them'
# Read while the primary forwards: the figures move, so the census is
# checked for its shape here and for conservation at the exit.
expect "secondary: reads the census" "$dir/sec.log" '^telemetry \{"/xchg/census":\{"testpmd":\{"total":2048,.*"conserved":[01]'
expect "secondary: reads the pools" "$dir/sec.log" '^telemetry \{"/xchg/pools":\{"testpmd":\{"fwd":\{"kind":"socket","quota":256,'
expect "/xchg/xstats,0: the PMD's xstats" "$dir/sec.log" '^telemetry \{"/xchg/xstats":\{"rx_good_packets":[0-9]+'
expect "/xchg/xstats,0: the exchange's" "$dir/sec.log" '"xchg_rx_q0_dropped_no_buffers":0,.*"xchg_tx_q0_refused":0,.*"xchg_pool_fwd_refused":0'
# Every key of /ethdev/xstats,0 is in /xchg/xstats,0: the same shape.
keys() { grep "^telemetry {\"$1\"" "$dir/sec.log" | grep -o '"[a-z0-9_]*":[0-9]' | cut -d'"' -f2 | sort; }
keys /ethdev/xstats >"$dir/eth.keys"
keys /xchg/xstats >"$dir/xchg.keys"
if [ -s "$dir/eth.keys" ] && [ -z "$(comm -23 "$dir/eth.keys" "$dir/xchg.keys")" ]; then ok "/xchg/xstats,0 holds every key of /ethdev/xstats,0"; else bad "/xchg/xstats,0 lacks keys of /ethdev/xstats,0"; comm -23 "$dir/eth.keys" "$dir/xchg.keys" | head; fi

# dpdk-pdump captures the port's received frames, into its own mempool.
dpdk-pdump $eal -- --pdump "port=0,queue=*,rx-dev=$dir/rx.pcap,ring-size=1024,total-num-mbufs=2048" >"$dir/pd.log" 2>&1 &
pd=$!
i=0
while [ "$(stat -c %s "$dir/rx.pcap" 2>/dev/null || echo 0)" -le 10000 ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$pd" 2>/dev/null; then break; fi
	sleep 0.1
done
kill -INT "$pd" 2>/dev/null; wait "$pd" 2>/dev/null; pd=
n=$(stat -c %s "$dir/rx.pcap" 2>/dev/null || echo 0)
# dpdk-pdump is a secondary too: the same address layout may refuse it
# (seen in the ASan build); its checks are then not run, the rest are.
if layout_refused "$dir/pd.log"; then
	echo "skip dpdk-pdump: it cannot map the primary's memory at its addresses here (sanitizer shadow or address layout)"
else
	[ "$n" -gt 24 ] && ok "dpdk-pdump: frames captured ($n bytes)" || { bad "dpdk-pdump: nothing captured"; tail -5 "$dir/pd.log"; }
	expect "dpdk-pdump: packets dequeued" "$dir/pd.log" 'packets dequeued:[[:space:]]+[1-9]'
fi

# Stopped by SIGTERM: a clean exit, the census conserved.
kill -TERM "$app"
wait "$app"
rc=$?
app=
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
expect "census conserved after the capture" "$dir/tp.log" 'census: total 2048 = .*: conserved$'
xt_summary multiprocess
