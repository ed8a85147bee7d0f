# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the live tests: a wire to the Linux kernel, and the wait for
# the test program to come up. The caller removes what it made on exit.

# xt_wire NS OURS PEER ADDRESS/PREFIX [ADDRESS6/PREFIX]: a veth pair,
# PEER in namespace NS with ADDRESS, OURS in ours without one (a PMD
# takes it); IPv6 off on both, so no router solicitation muddies the
# counts. With ADDRESS6, PEER keeps IPv6 with that address (no DAD of
# its own, no router solicitations or autoconfiguration); OURS keeps it
# off (the PMD speaks for it).
xt_wire() {
	ip link add "$2" type veth peer name "$3" || return 1
	ip link set "$3" netns "$1"
	sysctl -q -w "net.ipv6.conf.$2.disable_ipv6=1"
	if [ -n "${5:-}" ]; then
		for k in accept_ra=0 router_solicitations=0 autoconf=0 \
		    accept_dad=0; do
			ip netns exec "$1" sysctl -q -w "net.ipv6.conf.$3.$k"
		done
	else
		ip netns exec "$1" sysctl -q -w "net.ipv6.conf.$3.disable_ipv6=1"
	fi
	ip link set "$2" up
	ip -n "$1" link set "$3" up
	ip -n "$1" addr add "$4" dev "$3"
	[ -z "${5:-}" ] || ip -n "$1" addr add "$5" dev "$3" nodad
}

# xt_wait_ready PID LOG NAME: wait up to 20 s for NAME (pid PID) to print
# READY in LOG; on failure show LOG and return 1.
xt_wait_ready() {
	i=0
	until grep -q READY "$2"; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$1" 2>/dev/null; then
			cat "$2"
			echo "FAIL: $3 did not come up"
			return 1
		fi
		sleep 0.1
	done
}
