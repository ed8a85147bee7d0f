#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# net_af_xdp, live: xchg-testpmd in stack mode on one end of a veth pair,
# Linux in a namespace of our own on the other. The namespace pings and
# arpings us, sends UDP datagrams one at a time to a critical socket that
# echoes them (UDP both ways, with socat), and floods a hog socket that
# keeps every frame. The critical socket must get every datagram,
# rx_nombuf must stay 0, the census must be conserved, the program must
# exit 0 having freed everything. Then a too-small arena: the PMD's
# 2,048-buffer fill ring must be refused at start, in one line.
#
# The XDP socket's RX ring (rx_desc) holds the whole flood and the
# critical datagrams: when xchg-testpmd is not scheduled (a loaded
# machine), the kernel queues there, and a ring that overflows drops the
# frame before the PMD sees it, counted by no DPDK counter (rx_nombuf and
# imissed stay 0; only the veth's rx_dropped shows it). With 256 slots a
# 400-datagram flood lost up to 145 frames under load, a critical
# datagram among them when it fell in the flood. The check on rx_dropped
# names that loss; the port reports it as kernel_dropped (the veth's
# rx_dropped since the port started), which must equal the veth's delta
# after the exchange (0 when nothing was dropped), after an overflow made
# on purpose (xchg-testpmd stopped with SIGSTOP during a flood), in
# telemetry and in the port table at exit. Each datagram waits for its own echo, and the whole
# exchange for at most 90 seconds, so a lost one fails with a
# message well inside meson's timeout.
#
# Usage: af_xdp.sh PATH/TO/xchg-testpmd
set -u
. "$(dirname "$0")/../common/live.sh"

bin=$1
id=$$
# In the sanitizer build: libxdp's UMEM, which net_af_xdp allocates and
# does not free at close (lsan.supp), is not a leak of xchg's.
LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp
export LSAN_OPTIONS
ns=x19n$id
ours=x19a$id
peer=x19b$id
dir=$(mktemp -d /tmp/x19-afxdp-XXXXXX)
count=30
flood=400
# seconds for one echo, and for the whole exchange
wait_one=10
budget=90

cleanup() {
	ip netns del "$ns" 2>/dev/null
	ip link del "$ours" 2>/dev/null
	[ -n "${X19_KEEP:-}" ] && cp -r "$dir" /tmp/x19-keep; rm -rf "$dir"
}
xt_trap cleanup

xt_needs ip socat ethtool ping arping
pmd=$(ls /usr/lib/*/dpdk/pmds-*/librte_net_af_xdp.so* 2>/dev/null | head -1)
[ -n "$pmd" ] || { echo "SKIP: DPDK has no net_af_xdp (Debian: librte-net-af-xdp23)"; exit 77; }
ip netns add "$ns" || { echo "SKIP: cannot make a network namespace"; exit 77; }
xt_wire "$ns" "$ours" "$peer" 192.0.2.2/24 || exit 1
ip netns exec "$ns" ethtool -K "$peer" tx off >/dev/null || exit 1

ini() {
	cat <<INI
[arena]
buffers = $1

[port p0]
vdev = net_af_xdp0,iface=$ours
ip = 192.0.2.1/24
rx_desc = 1024
tx_desc = 256

[service arp]
quota = 16

[service icmp]
quota = 16

[socket crit]
type = udp
port = 7000
quota = 64
priority = critical

[socket bulk]
type = udp
port = 7001
quota = 64
INI
}

# start NAME BUFFERS: xchg-testpmd in the background on the set-up.
start() {
	log=$dir/$1.log
	ini "$2" >"$dir/$1.ini"
	: >"$log"
	"$bin" -l 0 --no-huge -m 512 --no-pci --file-prefix "x19x$id$1" \
		--log-level=lib.eal:error -- --forward-mode stack \
		--config "$dir/$1.ini" --consumer crit=echo --consumer bulk=hog \
		--duration 600 >"$log" 2>&1 &
	app=$!
}

# Linux 6.x veth in copy mode: the kernel must have XDP sockets.
start small 2400
wait $app
rc=$?
app=
if grep -q 'xsk\|XDP socket\|Failed to create' "$dir/small.log" &&
   ! grep -q 'keeps 2048' "$dir/small.log"; then
	cat "$dir/small.log"
	echo "SKIP: the kernel refuses AF_XDP sockets here"
	exit 77
fi
# The sizing check counts the fill ring: refused before any PMD work.
line=$(grep -c . "$dir/small.log")
if [ $rc -ne 0 ] && grep -q "\[arena\] buffers: 2400 are .* short" "$dir/small.log"; then
	ok "a too-small arena is refused by the sizing check, which counts net_af_xdp's 2048-buffer fill ring"
else
	bad "too-small arena (exit $rc)"; cat "$dir/small.log"
fi

# Without the configuration (no sizing check): what the PMD took at
# set-up is measured, and the start refused in one line naming the fix.
"$bin" -l 0 --no-huge -m 512 --no-pci --file-prefix "x19x${id}io" \
	--vdev "net_af_xdp0,iface=$ours" --log-level=lib.eal:error -- \
	--forward-mode rxonly --buffers 2400 --duration 1 >"$dir/io.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ "$(grep -c 'keeps 2048' "$dir/io.log")" = 1 ] &&
   grep -q "xchg.port: port 0: net_af_xdp keeps 2048 buffers per RX queue, more than rx_desc 256; the arena is [0-9]* buffers short: raise buffers to [0-9]* or rx_desc to 2048" "$dir/io.log"; then
	ok "a too-small arena is refused at start in one line: $(grep -o 'net_af_xdp keeps.*' "$dir/io.log")"
else
	bad "start refusal (exit $rc)"; cat "$dir/io.log"
fi
grep -q "could not be freed" "$dir/io.log" && bad "refused start: the arena was not freed" ||
	ok "refused start: the arena freed"

# The interface's rx_dropped before xchg-testpmd: the port's
# kernel_dropped (its rx_dropped since the port started) must equal the
# delta from here whenever it is read.
rx_dropped() { cat "/sys/class/net/$ours/statistics/rx_dropped"; }
veth0=$(rx_dropped)
# kernel_dropped of port 0 from telemetry /xchg/ports.
tel_kernel_dropped() {
	/usr/bin/python3 - "/var/run/dpdk/x19x${id}big/dpdk_telemetry.v2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
s.connect(sys.argv[1])
s.recv(16384)
s.send(b"/xchg/ports")
print(json.loads(s.recv(65536))["/xchg/ports"]["port0"]["kernel_dropped"])
PY
}
# check_kernel WHEN: the port's kernel_dropped (telemetry) is the veth's
# rx_dropped delta, read before and after it.
check_kernel() {
	before=$(($(rx_dropped) - veth0))
	kd=$(tel_kernel_dropped 2>"$dir/tel.err")
	after=$(($(rx_dropped) - veth0))
	if [ -n "$kd" ] && [ "$kd" -ge "$before" ] && [ "$kd" -le "$after" ]; then
		ok "$1: kernel_dropped $kd = the veth's rx_dropped delta ($before)"
	else
		bad "$1: kernel_dropped ${kd:-?}, the veth's rx_dropped delta $before..$after"
		cat "$dir/tel.err"
	fi
}

start big 8192
xt_wait_ready "$app" "$log" xchg-testpmd '^xchg-testpmd: stack on' 300 ||
	{ xt_summary af_xdp; exit 1; }

dropped0=$(cat "/sys/class/net/$ours/statistics/rx_dropped")
ip netns exec "$ns" ping -c 3 -i 0.2 -W 5 192.0.2.1 >"$dir/ping" 2>&1 &&
	ok "ping" || { bad "ping"; cat "$dir/ping"; }
ip netns exec "$ns" arping -c 3 -w 10 -I "$peer" 192.0.2.1 >"$dir/arping" 2>&1 &&
	ok "arping" || { bad "arping"; cat "$dir/arping"; }

# The hog's flood, bounded, in the background; the critical socket's
# datagrams one at a time meanwhile, each echoed back.
ip netns exec "$ns" /usr/bin/python3 - "$flood" >/dev/null 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(b"bulk %d" % i, ("192.0.2.1", 7001))
PY
hog=$!
seq 1 $count | sed 's/^/request /' >"$dir/want"
: >"$dir/replies"
mkfifo "$dir/in"
exec 3<>"$dir/in"
ip netns exec "$ns" socat -t 2 - UDP4:192.0.2.1:7000,bind=192.0.2.2:7002,shut-none \
	<"$dir/in" >"$dir/replies" 2>/dev/null 3>&- &
sp=$!
# Each datagram waits for its own echo, at most $wait_one s, and all of
# them at most $budget s: a loss fails with a message, not meson's kill.
n=0
late=
t0=$(date +%s)
while read -r l; do
	n=$((n + 1))
	echo "$l" >&3
	left=$((t0 + budget - $(date +%s)))
	[ $left -lt $wait_one ] || left=$wait_one
	xt_wait_line "$dir/replies" "$l" $left || late="$late $n"
	[ $(($(date +%s) - t0)) -lt $budget ] || break
done <"$dir/want"
[ $n -eq $count ] || bad "critical: the exchange ran past $budget s; gave up after datagram $n of $count"
[ -z "$late" ] || { bad "critical: no echo within $wait_one s for datagram(s)$late"; ip -n "$ns" neigh; }
exec 3>&-
wait $sp
wait $hog
dropped=$(($(cat "/sys/class/net/$ours/statistics/rx_dropped") - dropped0))
check_kernel "after the exchange"
kd_exchange=$kd
# A loss made on purpose: xchg-testpmd stopped (SIGSTOP) while the
# namespace sends $overflow frames, more than the XDP socket's RX ring
# (rx_desc 1024) holds; the kernel drops the rest, and kernel_dropped
# must count every one (imissed and rx_nombuf do not).
overflow=3000
kill -STOP $app
ip netns exec "$ns" /usr/bin/python3 - "$overflow" >/dev/null 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(b"overflow %d" % i, ("192.0.2.1", 7001))
PY
sleep 1
kill -CONT $app
sleep 2
check_kernel "xchg-testpmd stopped during a $overflow-frame flood"
[ "${kd:-0}" -gt "${kd_exchange:-0}" ] &&
	ok "the overflow was dropped by the kernel and counted: kernel_dropped $kd_exchange -> $kd" ||
	bad "kernel_dropped did not grow over the overflow (${kd_exchange:-?} -> ${kd:-?})"
veth_end=$(($(rx_dropped) - veth0))
kill -INT $app
wait $app
rc=$?
app=
[ $rc -eq 0 ] && ok "exit 0" || { bad "exit $rc"; tail -30 "$log"; }
cmp -s "$dir/want" "$dir/replies" && ok "critical: $count datagrams, each echoed back" ||
	{ bad "critical: $(wc -l <"$dir/replies") of $count replies"; }
grep -Eq "^  crit +echo +$count +$count +0\$" "$log" &&
	ok "critical socket received exactly $count" || { bad "critical counts"; grep -E '^  (crit|bulk)' "$log"; }
[ "$dropped" = 0 ] && ok "the kernel dropped no frame before the PMD (veth rx_dropped 0)" ||
	{ bad "the kernel dropped $dropped frames before the PMD (veth rx_dropped: the XDP socket's RX ring overflowed; DPDK counts none of them)"; grep -A1 rx_nombuf "$log"; }
kd_end=$(awk '$1 == "port" && $9 == "kernel_dropped" { getline; print $9; exit }' "$log")
[ "${kd_end:-x}" = "$veth_end" ] &&
	ok "port table at exit: kernel_dropped $kd_end = the veth's rx_dropped delta" ||
	{ bad "port table at exit: kernel_dropped ${kd_end:-?}, the veth's rx_dropped delta $veth_end"; grep -A1 rx_nombuf "$log"; }
awk '/rx_nombuf/ { getline; if ($4 != 0) bad = 1 } END { exit bad }' "$log" &&
	ok "rx_nombuf 0" || { bad "rx_nombuf"; grep -A1 rx_nombuf "$log"; }
awk '$1 == "bulk" && $2 == "socket" && $7 > 0 { hit = 1 } END { exit !hit }' "$log" &&
	ok "the hog lost its own datagrams (refused > 0)" || { bad "the hog was never refused"; grep '^  bulk' "$log"; }
grep -q "8192 buffers of 2176 bytes one per 4 KiB page" "$log" && ok "net_af_xdp in the configuration: the arena takes the page layout" || bad "layout not page"
grep -Eq 'census: total 8192 = .*: conserved$' "$log" && ok "census conserved" || { bad "census"; grep census "$log"; }
grep -q "net_af_xdp keeps 2048 buffers: reservation raised from 1088 to 2112" "$log" &&
	ok "RX queue charged for the fill ring (1088 -> 2112)" || bad "RX queue not charged"
grep -q "kept 2048 buffers after its device was closed" "$log" &&
	ok "teardown: the fill ring net_af_xdp keeps after close is accounted for, the arena freed" ||
	{ bad "teardown"; tail -20 "$log"; }
! grep -q "could not be\|not freed" "$log" && ok "nothing left" || bad "something not freed"
xt_summary af_xdp
