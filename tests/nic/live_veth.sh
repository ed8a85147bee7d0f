#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Live test: a veth pair, one end in a namespace of our own with the Linux
# stack, the other bound to test_live_veth through net_af_packet. Linux
# sends UDP frames to us (Scapy); we send UDP frames to Linux, counted
# there with tcpdump. Everything made here is removed on exit.
#
# Usage: live_veth.sh PATH/TO/test_live_veth
set -u
. "$(dirname "$0")/../common/live.sh"

bin=$1
in=40
out=25
id=$$
ns=xchgns$id
ours=xva$id
peer=xvb$id
dir=$(mktemp -d /tmp/xchg-veth-XXXXXX)

cleanup() {
	[ -n "${dump:-}" ] && kill "$dump" 2>/dev/null
	[ -n "${app:-}" ] && kill "$app" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	ip link del "$ours" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null ||
   ! command -v tcpdump >/dev/null || ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
	echo "SKIP: needs root, iproute2, tcpdump and python3-scapy"
	exit 77
fi

ip netns add "$ns" || exit 77
xt_wire "$ns" "$ours" "$peer" 192.0.2.2/24 || exit 1

# Count what reaches Linux from us: UDP to port 6000.
ip netns exec "$ns" timeout 40 tcpdump -n -i "$peer" -c "$out" -w "$dir/in-linux.pcap" \
	udp dst port 6000 2>"$dir/tcpdump.log" &
dump=$!

"$bin" "$ours" "$in" "$out" >"$dir/app.log" 2>&1 &
app=$!
xt_wait_ready "$app" "$dir/app.log" test_live_veth || exit 1
sleep 2 # af_packet needs a moment before the first frame

ip netns exec "$ns" /usr/bin/python3 - "$peer" "$in" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, sendp
iface, count = sys.argv[1], int(sys.argv[2])
frame = Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src="192.0.2.2", dst="192.0.2.1") / \
        UDP(sport=4000, dport=5000) / Raw(b"x" * 32)
sendp(frame, iface=iface, count=count, inter=0.01, verbose=False)
PY

wait "$app"
rc=$?
app=
cat "$dir/app.log"
wait "$dump"
seen=$(tcpdump -n -r "$dir/in-linux.pcap" 2>/dev/null | wc -l)
dump=
echo "Linux received $seen of $out frames we sent"
if [ "$seen" -ne "$out" ]; then
	echo "FAIL: frames sent by xchg did not all reach Linux"
	rc=1
fi
exit $rc
