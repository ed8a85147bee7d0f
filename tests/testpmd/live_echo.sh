#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# xchg-testpmd stack mode, live, with the echo behaviour: a Linux peer
# in a namespace, over a veth pair, sends UDP datagrams one at a time
# with socat to a stack socket whose consumer is "echo"; each must come
# back, unchanged, to the sender. Then the same with --mode shared (the
# same stack on an overcommitted arena). Each run ends with its census
# conserved and exact counts: received = echoed = datagrams sent.
# Last, a peer the stack has not resolved (its address for us is
# static, so it never sends an ARP request the stack could learn from):
# the first reply waits for the stack's own ARP request to be answered,
# and the echo answers 3 of 3.
# Then all of it over IPv6 (the socket receives both families on its
# port): socat over UDP6 both ways, a 3000-byte datagram Linux sends in
# IPv6 fragments, reassembled and received by the socket (too large to
# echo: the stack does not fragment, so it counts as not echoed), and a
# fresh IPv6 peer that never solicits us: the stack's own solicitation
# is answered and the echo answers 3 of 3.
#
# Usage: live_echo.sh PATH/TO/xchg-testpmd
set -u
. "$(dirname "$0")/../common/live.sh"

bin=$1
id=$$
ns=xen$id
ours=xea$id
peer=xeb$id
dir=$(mktemp -d /tmp/xchg-echo-XXXXXX)
count=20

cleanup() {
	ip netns del "$ns" 2>/dev/null
	ip link del "$ours" 2>/dev/null
	rm -rf "$dir"
}
xt_trap cleanup

xt_needs ip socat ethtool
ip netns add "$ns" || exit 77
xt_wire "$ns" "$ours" "$peer" 192.0.2.2/24 2001:db8::2/64 || exit 1
# veth leaves the UDP checksum to an offload that never happens on the
# PMD's side: have the kernel compute it.
ip netns exec "$ns" ethtool -K "$peer" tx off >/dev/null || exit 1

cat >"$dir/echo.ini" <<INI
[arena]
buffers = 2048

[port p0]
vdev = net_pcap0,iface=$ours
ip = 192.0.2.1/24
ip6 = 2001:db8::1/64
rx_desc = 256
tx_desc = 256

[service arp]
quota = 16

[service icmp]
quota = 8

[socket echo]
type = udp
port = 7000
quota = 64
priority = critical
INI

# run MODE [unresolved]: start xchg-testpmd, send $count datagrams
# over IPv$fam (and, with big=1, one of 3000 bytes in fragments), stop
# it.
fam=4
big=0
run() {
	mode=$1
	base=$1
	ini=$dir/echo.ini
	if [ $fam = 6 ]; then
		us=[2001:db8::1]
		them=[2001:db8::2]
		mode=$mode-ipv6
	else
		us=192.0.2.1
		them=192.0.2.2
	fi
	log=$dir/$mode.log
	# A fresh stack knows no neighbour: the peer must ask for ours
	# (its ARP request teaches the stack the peer's address) rather
	# than answer from its cache of the previous run.
	ip -n "$ns" -4 neigh flush dev "$peer"
	ip -n "$ns" -6 neigh flush dev "$peer"
	if [ "${2:-}" = unresolved ]; then
		# The PMD takes our veth's MAC; the peer knows it statically
		# and never asks, so the stack must ask for the peer's.
		mode=$mode-unresolved
		log=$dir/$mode.log
		ini=$dir/unresolved.ini
		mac=$(cat "/sys/class/net/$ours/address")
		sed "s/^vdev = .*/&,phy_mac=1/" "$dir/echo.ini" >"$ini"
		ip -n "$ns" neigh replace "$(echo $us | tr -d '[]')" \
			lladdr "$mac" dev "$peer" nud permanent ||
			{ bad "$mode: static neighbour"; return; }
	fi
	# Made here, not by the background redirections, so the waits
	# below never read a file that is not there yet.
	: >"$log"
	: >"$dir/$mode.replies"
	"$bin" -l 0 --no-huge -m 512 --no-pci --file-prefix "xe$id$mode" \
		--log-level=lib.eal:error -- --forward-mode stack \
		--config "$ini" --consumer echo=echo --mode "$base" \
		--duration 100 \
		>"$log" 2>&1 &
	app=$!
	xt_wait_ready "$app" "$log" "$mode: xchg-testpmd" \
		'^xchg-testpmd: stack on' || { xt_kill; return; }
	# One socat, one source port, fed through a FIFO one request at a
	# time: the next goes only when the reply to the last is back, so
	# each line is one datagram; shut-none: socat 1.8 (Debian testing)
	# would end with an empty datagram.
	seq 1 $count | sed 's/^/request /' >"$dir/want"
	rm -f "$dir/in"
	mkfifo "$dir/in"
	exec 3<>"$dir/in"
	ip netns exec "$ns" socat -t 1 - UDP$fam:$us:7000,bind=$them:7001,shut-none \
		<"$dir/in" >"$dir/$mode.replies" 2>/dev/null 3>&- &
	peer_pid=$!
	n=0
	lost=0
	while read -r line; do
		n=$((n + 1))
		if [ $big = 1 ] && [ $n = 2 ]; then
			# Between two requests, so the next reply says the
			# stack has taken it: Linux sends it in IPv6 fragments
			# (MTU 1500); its reply would be 3000 bytes, which the
			# stack does not fragment (EMSGSIZE): not echoed.
			head -c 3000 /dev/zero | ip netns exec "$ns" socat -u \
				-b 8192 - UDP$fam:$us:7000,bind=$them:7002,shut-none
			lost=1
		fi
		echo "$line" >&3
		# Its own echo, not a count of replies; the first lost one
		# ends the exchange, so the test fails inside meson's timeout.
		xt_wait_line "$dir/$mode.replies" "$line" 5 ||
			{ bad "$mode: no echo within 5 s for datagram $n"; break; }
	done <"$dir/want"
	exec 3>&-
	wait $peer_pid
	kill -INT $app
	wait $app
	rc=$?
	app=
	[ $rc -eq 0 ] && ok "$mode: exit 0" || { bad "$mode: exit $rc"; tail -20 "$log"; }
	got=$(grep -c '^request [0-9]*$' "$dir/$mode.replies")
	if cmp -s "$dir/want" "$dir/$mode.replies"; then
		ok "$mode: $count datagrams, each echoed back to its sender in order"
	else
		bad "$mode: $got of $count replies"
		diff "$dir/want" "$dir/$mode.replies" | head -5
	fi
	if grep -Eq "^  echo +echo +$((count + lost)) +$((count + lost)) +0\$" "$log" &&
	   grep -q "^  echo: echoed $count, not echoed $lost\$" "$log"; then
		ok "$mode: the socket received $((count + lost)) and echoed exactly $count"
	else
		bad "$mode: socket counts"; grep -E '^  echo' "$log"
	fi
	if [ $big = 1 ]; then
		grep -Eq "^  echo: lost" "$log" &&
			{ bad "$mode: the socket lost datagrams"; grep -E '^  echo: lost' "$log"; } ||
			ok "$mode: the 3000-byte datagram in IPv6 fragments was reassembled and received whole"
	fi
	grep -Eq 'census: total 2048 = .*: conserved$' "$log" && ok "$mode: census conserved" || { bad "$mode: census"; grep census "$log"; }
}

run exchange
run shared
grep -q 'shared (overcommitted arena)' "$dir/shared.log" 2>/dev/null && ok "shared: says so" || bad "shared: no mention of the overcommitted arena"
grep -Eq '^  echo +socket +2048 ' "$dir/shared.log" 2>/dev/null && ok "shared: the socket's quota is the whole arena" || { bad "shared: socket quota"; grep '^  echo ' "$dir/shared.log"; }
count=3
run exchange unresolved
# The stack asked for the peer (the peer never asked for us) and learned
# its answer: the first reply waited for it instead of failing.
grep -Eq 'arp answered 0' "$dir/exchange-unresolved.log" && ok "unresolved: the peer never asked the stack" || { bad "unresolved: the peer asked"; grep 'arp answered' "$dir/exchange-unresolved.log"; }
# IPv6: the same socket, the other family.
fam=6
count=20
big=1
run exchange
big=0
count=3
run exchange unresolved
xt_summary live_echo
