#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# xchg-testpmd: the run with no arguments at all, a scripted session of
# every prompt command, and the refusals of bad options.
#
# Usage: test_testpmd.sh PATH/TO/xchg-testpmd PATH/TO/session.cmd CONFIG_DIR
set -u
. "$(dirname "$0")/../common/check.sh"

bin=$1
session=$2
configs=$3
dir=$(mktemp -d /tmp/xchg-testpmd-XXXXXX)
trap 'rm -rf "$dir"' EXIT

# expect NAME FILE REGEX: the file has a line matching REGEX.
expect() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else bad "$1: no line matching /$3/ in:"; sed 's/^/     /' "$2" | tail -40; fi
}

# 1. No arguments: bounded, exit 0, tables, conserved census.
start=$(date +%s)
if timeout 30 "$bin" >"$dir/noargs.log" 2>&1; then ok "no arguments: exit 0"; else bad "no arguments: exit $?"; fi
took=$(( $(date +%s) - start ))
[ "$took" -le 15 ] && ok "no arguments: ends by itself ($took s)" || bad "no arguments took $took s"
expect "no arguments: pool table" "$dir/noargs.log" '^  fwd +socket +512 '
expect "no arguments: port table, rx_nombuf 0" "$dir/noargs.log" '^  0 +[1-9][0-9]* +0 +0 +0 '
expect "no arguments: census conserved" "$dir/noargs.log" 'census: total 8192 = .*: conserved$'
n=$(grep -c 'census:' "$dir/noargs.log")
[ "$n" -ge 3 ] && ok "no arguments: tables every second ($n)" || bad "no arguments: only $n tables"

# 2. The scripted session.
if timeout 60 "$bin" --cmdfile "$session" >"$dir/session.log" 2>&1; then ok "session: exit 0"; else bad "session: exit $?"; fi
log=$dir/session.log
expect "show pools" "$log" '^  port0_rxq0 +rx_queue +320 '
expect "show port stats" "$log" '^  port +rx +tx +rx_nombuf'
expect "show sockets" "$log" '^  fwd +normal '
expect "set consumer hog" "$log" '^consumer fwd: hog$'
expect "hog holds its quota only" "$log" '^  fwd +hog +512 +0 +512$'
# The port table: port rx tx rx_nombuf imissed delivered dropped tx_nobufs
# kernel_dropped (0: net_ring and pcap files have no interface).
expect "hog: ports never out of buffers" "$log" '^  1 +[1-9][0-9]* +0 +0 +0 +256 +[1-9][0-9]* +0 +0$'
expect "set quota grows" "$log" '^pool fwd: quota 600$'
expect "set quota beyond the arena" "$log" '^pool fwd: quota [0-9]+ \(the arena has no more unreserved buffers\)$'
expect "set quota 0 refused" "$log" '^a quota is at least 1$'
expect "queue reservations are not resized" "$log" "^pool port0_rxq0 is a NIC queue's reservation, sized from its ring; it is not changed here$"
expect "set consumer slow" "$log" '^consumer fwd: slow:16:20$'
expect "slow holds at most 16" "$log" '^  fwd +slow:16:20 +[0-9]+ +[0-9]+ +([0-9]|1[0-6])$'
expect "stop prints the tables" "$log" '^forwarding stopped$'
expect "start" "$log" '^forwarding started \(rxonly\)$'
expect "run" "$log" '^ran 100 ms$'
expect "a second start is refused" "$log" '^Packet forwarding already started$'
expect "a second stop is refused" "$log" '^Packet forwarding not started$'
expect "unknown consumer" "$log" "^no consumer 'nosuch' \(see show sockets\)$"
expect "bad behaviour" "$log" "^'sideways': give normal, hog, slow or slow:N:MS$"
expect "unknown pool" "$log" "^no pool 'nosuch' \(see show pools\)$"
expect "help lists the commands" "$log" '^  set quota POOL N: '
if grep -q 'ignored free\|not freed\|BROKEN' "$log"; then bad "session: misuse or leak reported"; grep 'ignored free\|not freed\|BROKEN' "$log"; else ok "session: no misuse, nothing left out"; fi
expect "session: census conserved at the end" "$log" 'census: total .*: conserved$'

# 3. The forwarding modes: io and macswap send what they receive, the
# TX queues pay; icmpecho runs the ARP, ICMP, ND and ICMPv6 services.
for mode in io macswap; do
	if timeout 30 "$bin" --forward-mode $mode --duration 1 >"$dir/$mode.log" 2>&1; then ok "$mode: exit 0"; else bad "$mode: exit $?"; fi
	expect "$mode: frames sent, none refused" "$dir/$mode.log" '^  0 +([1-9][0-9]*) +[1-9][0-9]* +0 +0 +[0-9]+ +0 +0 +0$'
	expect "$mode: census conserved" "$dir/$mode.log" 'census: total 8192 = .*: conserved$'
done
if timeout 30 "$bin" --forward-mode icmpecho --duration 1 >"$dir/icmp.log" 2>&1; then ok "icmpecho: exit 0"; else bad "icmpecho: exit $?"; fi
expect "icmpecho: ICMP service pool" "$dir/icmp.log" '^  port0_icmp +service +8 '
expect "icmpecho: ND service pool" "$dir/icmp.log" '^  port0_nd +service +16 '
expect "icmpecho: ICMPv6 service pool" "$dir/icmp.log" '^  port0_icmp6 +service +8 '
expect "icmpecho: frames classified" "$dir/icmp.log" '^    dropped unknown_ethertype +[1-9]'

# 4. Stack mode on a configuration file.
if timeout 30 "$bin" --forward-mode stack --config "$configs/default.ini" --duration 1 >"$dir/stack.log" 2>&1; then ok "stack: exit 0"; else bad "stack: exit $?"; fi
expect "stack: the config's sockets" "$dir/stack.log" '^  ctrl +socket +64 '
expect "stack: services" "$dir/stack.log" '^  port0_icmp +service +8 '
expect "stack: every frame classified" "$dir/stack.log" '^    dropped unknown_ethertype +[1-9]'
expect "stack: census conserved" "$dir/stack.log" 'census: total 4096 = .*: conserved$'
printf '[arena]\nbufers = 10\n' >"$dir/bad.ini"

# 5. Refusals: one clear line and exit 2, no EAL dump.
refuse() {
	name=$1
	want=$2
	shift 2
	"$bin" "$@" >"$dir/r.log" 2>&1
	rc=$?
	if [ $rc -eq 2 ] && grep -Eq -- "$want" "$dir/r.log"; then ok "refused: $name"; else bad "refused: $name (exit $rc)"; sed 's/^/     /' "$dir/r.log" | tail -5; fi
}
refuse "bad mode" "--forward-mode: 'sideways' is not rxonly" --forward-mode sideways
refuse "bad number" "--quota: 'lots' is not a whole number from 1 to" --quota lots
refuse "zero quota" "--quota: '0' is not a whole number from 1 to" --quota 0
refuse "unknown option" "unrecognized option|unknown option" --frobnicate
refuse "bad consumer" "--consumer: 'fwd' is not NAME=" --consumer fwd
refuse "missing script" "xchg-testpmd: /nonexistent.cmd: No such file" --cmdfile /nonexistent.cmd
{ printf 'show pools\n# '; head -c 300 /dev/zero | tr '\0' x; printf '\nquit\n'; } >"$dir/long.cmd"
"$bin" --cmdfile "$dir/long.cmd" >"$dir/r.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "long.cmd:2: line longer than 255 characters" "$dir/r.log"; then ok "script: long line refused"; else bad "script: long line (exit $rc)"; tail -3 "$dir/r.log"; fi
refuse "stack without config" "--forward-mode stack needs --config FILE" --forward-mode stack
refuse "config without stack" "--config FILE goes with --forward-mode stack" --config "$configs/default.ini"
refuse "bad config key" "bad.ini:2: \[arena\]: unknown key 'bufers'; did you mean buffers" --forward-mode stack --config "$dir/bad.ini"
refuse "missing config" "/nonexistent.ini" --forward-mode stack --config /nonexistent.ini
refuse "no ports" "no ports; add one" -l 0 --no-huge -m 256 --no-pci --no-shconf --
"$bin" -l 0 --no-huge -m 256 --no-pci --no-shconf --vdev=net_nosuch0 -- >"$dir/r.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "EAL did not start" "$dir/r.log"; then ok "refused: unknown vdev"; else bad "unknown vdev (exit $rc)"; tail -5 "$dir/r.log"; fi
"$bin" --help >"$dir/h.log" 2>&1 && grep -q -- '--forward-mode M' "$dir/h.log" && ok "--help" || bad "--help"

xt_summary testpmd
