#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# IPv6 neighbour discovery against the Linux kernel, live. Namespace
# "wire" holds the peer end of a veth pair with IPv6 on (2001:db8::2 and
# 2001:db8::3); test_live_nd runs the stack on our end (2001:db8::1 and
# the link-local address from its MAC) through net_pcap.
#
# Checks: the stack resolves Linux (its solicitation, Linux's
# advertisement: the MAC it prints is the peer's); ping -6 to the global
# and to the link-local address is answered; Linux learns us (ip -6 neigh
# shows our MAC, REACHABLE or STALE); run again with 2001:db8::3 added,
# which Linux holds, DAD sees Linux defend it (one conflict, logged). The
# program ends with a census. With xchg-testpmd: its icmpecho mode on the
# same wire answers ping -6. Everything made here is removed on exit.
#
# Usage: live_nd.sh PATH/TO/test_live_nd [PATH/TO/xchg-testpmd]
set -u
. "$(dirname "$0")/../common/live.sh"

bin=$1
testpmd=${2:-}
id=$$
wire=xnw$id
ours=xna$id
peer=xnb$id
dir=$(mktemp -d /tmp/xchg-live-nd-XXXXXX)

cleanup() {
	ip netns del "$wire" 2>/dev/null
	ip link del "$ours" 2>/dev/null
	rm -rf "$dir"
}
xt_trap cleanup
xt_needs ip ping

ip netns add "$wire" || exit 77
xt_wire "$wire" "$ours" "$peer" 192.0.2.2/24 2001:db8::2/64 || exit 1
ip -n "$wire" addr add 2001:db8::3/64 dev "$peer" nodad || exit 1
mac=$(cat "/sys/class/net/$ours/address")
peer_mac=$(ip netns exec "$wire" cat "/sys/class/net/$peer/address")
# Our link-local address: fe80:: and the EUI-64 of our MAC.
eui64() {
	set -- $(echo "$1" | tr : ' ')
	printf "fe80::%x:%xff:fe%02x:%x" $(((0x$1 ^ 2) * 256 + 0x$2)) \
		$((0x$3)) $((0x$4)) $((0x$5 * 256 + 0x$6))
}
ll=$(eui64 "$mac")
w() { ip netns exec "$wire" "$@"; }

# run LOG [CONFLICT6]: start the program, wait for READY.
run() {
	xt_start "$1" test_live_nd "$bin" "$ours" 2001:db8::1/64 2001:db8::2 \
		${2:+"$2"}
}

# stop LOG: end the program; its exit status is the test's verdict.
stop() {
	xt_stop
	cat "$1"
	xt_check "program ended clean (figures, census)" test "$xt_rc" -eq 0
}

resolved() {
	i=0
	until grep -q RESOLVED "$dir/app.log"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "never resolved"; return 1; }
		sleep 0.1
	done
	grep -q "RESOLVED $peer_mac" "$dir/app.log" ||
		{ grep RESOLVED "$dir/app.log"; echo "want $peer_mac"; return 1; }
}

linux_learned() {
	w ip -6 neigh show 2001:db8::1 dev "$peer" | tee /dev/stderr |
		grep -Eq "lladdr $mac (REACHABLE|STALE|DELAY|PROBE)"
}

run "$dir/app.log" || exit 1
xt_check "we resolve Linux (ndisc: our NS, its NA)" resolved
# Linux learned us from our solicitation: forget it, so that its ping
# has to solicit us and we answer.
w ip -6 neigh flush dev "$peer"
xt_check "ping -6 global" w ping -6 -c 3 -i 0.2 -W 2 2001:db8::1
xt_check "ping -6 link-local" w ping -6 -c 3 -i 0.2 -W 2 "$ll%$peer"
xt_check "Linux learns us (ip -6 neigh: our MAC)" linux_learned
stop "$dir/app.log"
xt_check "echo replies and advertisements counted" grep -Eq \
	"nd answered [1-9][0-9]*, .* icmp6 answered ([6-9]|[1-9][0-9])," \
	"$dir/app.log"

# Linux holds 2001:db8::3: the stack's DAD for it must see Linux defend.
run "$dir/conflict.log" 2001:db8::3 || exit 1
sleep 2
xt_check "ping -6 the address that stayed" w ping -6 -c 2 -i 0.2 -W 2 2001:db8::1
stop "$dir/conflict.log"
xt_check "the conflict logged in one line" grep -q \
	"duplicate address detection: 2001:db8::3/64 is in use by another node" \
	"$dir/conflict.log"

# xchg-testpmd --forward-mode icmpecho: 2001:db8::1/64 on port 0.
if [ -n "$testpmd" ]; then
	w ip -6 neigh flush dev "$peer"
	"$testpmd" -l 0 --no-huge -m 512 --no-pci --no-shconf \
		--log-level=lib.eal:error --log-level=lib.telemetry:error \
		"--vdev=net_pcap0,iface=$ours,phy_mac=1" -- \
		--forward-mode icmpecho --duration 6 >"$dir/testpmd.log" 2>&1 &
	app=$!
	sleep 2
	xt_check "xchg-testpmd icmpecho: ping -6" w ping -6 -c 3 -i 0.2 -W 2 2001:db8::1
	wait "$app"
	rc=$?
	app=
	xt_check "xchg-testpmd icmpecho: exit 0, answers counted" sh -c \
		"test $rc -eq 0 && grep -Eq 'nd answered [1-9][0-9]*, icmp6 answered [3-9]' '$dir/testpmd.log' && grep -q 'conserved' '$dir/testpmd.log'"
	grep -E "stack on port|census" "$dir/testpmd.log"
fi

xt_summary "live nd"
