# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the live tests: a wire to the Linux kernel, the test
# program started, waited for and stopped, and the checks counted
# (check.sh). The caller names what it made with its pid ($$), removes
# it on exit (xt_trap), and keeps its files in $dir.
. "$(dirname "$0")/../common/check.sh"

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

# xt_wait_line FILE LINE SECONDS: wait up to SECONDS for a line that is
# exactly LINE in FILE (an echo's own reply: a count of replies would
# make every wait after one loss run out in full), by the clock (a count
# of 10 ms sleeps took minutes on a loaded machine); 1 when it never
# came.
xt_wait_line() {
	xt_end=$(($(date +%s) + $3))
	until grep -Fqx -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -lt $xt_end ] || return 1
		sleep 0.01
	done
}

# xt_needs TOOL...: skip the test (exit 77) unless every TOOL is on the
# PATH and we are root.
xt_needs() {
	for xt_tool in "$@"; do
		command -v "$xt_tool" >/dev/null ||
			{ echo "SKIP: needs $xt_tool"; exit 77; }
	done
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
}

# xt_trap FUNC: on exit, failure and signals included, stop the program
# whose pid is in $app (xt_start's, or one the script started), then run
# FUNC, the script's own removals (namespaces, links, its folder).
xt_trap() {
	xt_removals=$1
	trap 'xt_kill; $xt_removals' EXIT
	trap 'exit 1' INT TERM
}

# xt_start LOG NAME CMD...: run CMD in the background, its output in LOG
# and its pid in $app, and wait for it to print READY (xt_wait_ready).
xt_start() {
	xt_log=$1
	xt_name=$2
	shift 2
	"$@" >"$xt_log" 2>&1 &
	app=$!
	xt_wait_ready "$app" "$xt_log" "$xt_name"
}

# xt_stop: end the program xt_start started (SIGTERM) and wait for it;
# its exit status in $xt_rc.
xt_stop() {
	kill "$app"
	wait "$app"
	xt_rc=$?
	app=
}

# xt_kill: the same, quietly, when $app still runs (for the exit trap).
xt_kill() {
	[ -n "${app:-}" ] && kill "$app" 2>/dev/null && wait "$app" 2>/dev/null
	app=
}
