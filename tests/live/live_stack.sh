#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The stack against the Linux kernel, live. Namespace "wire" holds the
# peer end of a veth pair (192.0.2.2); test_live_stack runs the stack on
# our end (192.0.2.1) through net_pcap. Namespace "host" holds the
# proxy's tap interface, also 192.0.2.1, with the MAC of our end: the
# Linux stack the proxy passes unclaimed frames to.
#
# Checks: ping and arping get answers; socat exchanges UDP datagrams with
# a stack socket both ways; a 4000-byte datagram from Linux, sent in
# fragments, is reassembled; a TCP connection to a port only the host's
# Linux serves works end to end through the proxy. Everything made here
# is removed on exit.
#
# Usage: live_stack.sh PATH/TO/test_live_stack
set -u
. "$(dirname "$0")/../common/live.sh"

bin=$1
id=$$
wire=xsw$id
host=xsh$id
ours=xsa$id
peer=xsb$id
tap=xst$id
dir=$(mktemp -d /tmp/xchg-live-XXXXXX)

cleanup() {
	[ -n "${listener:-}" ] && kill "$listener" 2>/dev/null
	ip netns del "$wire" 2>/dev/null
	ip netns del "$host" 2>/dev/null
	ip link del "$ours" 2>/dev/null
	ip link del "$tap" 2>/dev/null
	rm -rf "$dir"
}
xt_trap cleanup
xt_needs ip ping arping socat ethtool

ip netns add "$wire" && ip netns add "$host" || exit 77
xt_wire "$wire" "$ours" "$peer" 192.0.2.2/24 || exit 1
# veth leaves TCP/UDP checksums to an offload that never happens on the
# way to our PMD; the host behind the proxy would drop such segments
# (TcpInCsumErrors). Have the peer compute them (ETHTOOL_STXCSUM off).
ip netns exec "$wire" ethtool -K "$peer" tx off >/dev/null || exit 1
mac=$(cat "/sys/class/net/$ours/address")

xt_start "$dir/app.log" test_live_stack "$bin" "$ours" 192.0.2.1/24 "$tap" "$mac" ||
	exit 1
# The host side of the proxy: the tap in its own namespace, with our
# address and MAC, serving TCP port 2222.
ip link set "$tap" netns "$host"
ip netns exec "$host" sysctl -q -w "net.ipv6.conf.$tap.disable_ipv6=1"
ip -n "$host" addr add 192.0.2.1/24 dev "$tap"
ip -n "$host" link set "$tap" up
ip netns exec "$host" timeout 30 socat TCP-LISTEN:2222,bind=192.0.2.1,reuseaddr \
	SYSTEM:'echo via-linux' 2>"$dir/listener.log" &
listener=$!
sleep 2 # the PMD needs a moment before the first frame

w() { ip netns exec "$wire" "$@"; }
xt_check "ping" w ping -c 5 -i 0.2 -W 2 192.0.2.1
xt_check "arping" w arping -c 3 -w 5 -I "$peer" 192.0.2.1
xt_check "udp echo both ways" sh -c \
	"echo hello-xchg | ip netns exec $wire timeout 5 socat -T 3 - UDP:192.0.2.1:7 | grep -q hello-xchg"
xt_check "4000-byte datagram reassembled" sh -c \
	"head -c 4000 /dev/zero | ip netns exec $wire timeout 5 socat -T 3 -b 8192 - UDP:192.0.2.1:9 | grep -q 'got 4000'"
xt_check "tcp through the proxy to Linux" sh -c \
	"ip netns exec $wire timeout 10 socat -T 5 - TCP:192.0.2.1:2222 </dev/null | grep -q via-linux"

xt_stop
cat "$dir/app.log"
xt_check "test_live_stack exited 0 (figures, census)" test $xt_rc -eq 0
xt_summary "live stack"
