#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# xchg-testpmd keeps testpmd's habits: a scripted session of testpmd's
# commands (habits.cmd) on a worker lcore, forwarding on every lcore
# given, the idle-lcore warnings and refusals, and a bare "--".
#
# Usage: test_habits.sh PATH/TO/xchg-testpmd PATH/TO/habits.cmd
set -u
. "$(dirname "$0")/../common/check.sh"
bin=$1
session=$2
dir=$(mktemp -d /tmp/xchg-habits-XXXXXX)
trap 'rm -rf "$dir"' EXIT
eal="--no-huge -m 512 --no-pci --no-shconf --log-level=lib.eal:error"
ports="--vdev=net_null0 --vdev=net_null1"

expect() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else bad "$1: no line matching /$3/ in:"; sed 's/^/     /' "$2" | tail -30; fi
}
# after NAME FILE CMD REGEX: the first line after the prompt line of CMD
# matches REGEX.
after() {
	got=$(awk -v c="xchg> $3" '$0 == c { getline; print; exit }' "$2")
	if echo "$got" | grep -Eq -- "$4"; then ok "$1"; else bad "$1: after '$3' got '$got'"; fi
}

# 1. The session, on lcore 1 (lcore 0 runs the prompt).
if timeout 60 "$bin" -l 0-1 $eal $ports -- --cmdfile "$session" >"$dir/s.log" 2>&1; then ok "session: exit 0"; else bad "session: exit $?"; tail -20 "$dir/s.log"; fi
log=$dir/s.log
expect "show config fwd: mode, ports, cores, streams" "$log" '^rxonly packet forwarding - ports=2 - cores=1 - streams=2 - burst=32$'
expect "show config fwd: the worker lcore forwards" "$log" '^Logical Core 1 \(socket [0-9]+\) forwards packets on 2 streams:$'
expect "show config fwd: a stream" "$log" '^  RX P=1/Q=0 -> fwd \(freed\)$'
after "start" "$log" start '^forwarding started \(rxonly\)$'
expect "a second start is refused" "$log" '^Packet forwarding already started$'
expect "show port stats all: port 0" "$log" '^  #+ NIC statistics for port 0 +#+$'
expect "show port stats all: port 1" "$log" '^  #+ NIC statistics for port 1 +#+$'
expect "show port stats: packets, missed, bytes" "$log" '^  RX-packets: [1-9][0-9]* +RX-missed: 0 +RX-bytes: +[0-9]+$'
expect "show port stats: errors" "$log" '^  RX-errors: 0$'
expect "show port stats: rx_nombuf" "$log" '^  RX-nombuf:  0$'
expect "show port stats: TX" "$log" '^  TX-packets: [0-9]+ +TX-errors: 0 +TX-bytes: +[0-9]+$'
expect "show port stats: Rx-pps and Rx-bps" "$log" '^  Rx-pps: +[1-9][0-9]* +Rx-bps: +[0-9]+$'
expect "show port stats: Tx-pps and Tx-bps" "$log" '^  Tx-pps: +[0-9]+ +Tx-bps: +[0-9]+$'
expect "show port stats: the exchange's figures" "$log" '^  Exchange: delivered [1-9][0-9]*, dropped 0, tx_nobufs 0, tx_full 0$'
after "show port stats N" "$log" "show port stats 1" '^$'
n=$(awk '/^xchg> show port stats 1$/ { on = 1; next } /^xchg> / { on = 0 } on && /NIC statistics for port/' "$log" | grep -c 'port 1 ')
[ "$n" = 1 ] && ok "show port stats 1: port 1 only" || bad "show port stats 1: $n blocks for port 1"
after "show port stats: unknown port" "$log" "show port stats 9" '^no port 9; the ports are those of show config fwd$'
after "show port stats: bad argument" "$log" "show port stats x" "^'x': give all or a port id"
expect "show fwd stats all: per port" "$log" '^  -+ Forward statistics for port 0 +-+$'
expect "show fwd stats all: accumulated" "$log" '^  \++ Accumulated forward statistics for all ports \++$'
# The accumulated RX-packets are the sum of the ports' (first block).
awk '/^xchg> show fwd stats all$/ { on = 1; next } /^xchg> / { if (on) exit } on && /RX-packets:/ { v[n++] = $2 } END { exit !(n == 3 && v[0] + v[1] == v[2] && v[2] > 0) }' "$log" &&
	ok "show fwd stats all: the total is the sum of the ports" || bad "show fwd stats all: totals do not add up"
after "stop" "$log" stop '^forwarding stopped$'
expect "a second stop is refused" "$log" '^Packet forwarding not started$'
expect "clear port stats all" "$log" '^  NIC statistics for port 1 cleared$'
# Stopped and cleared: nothing since.
awk '/^xchg> show port stats 0$/ { on = 1; next } /^xchg> / { on = 0 } on' "$log" >"$dir/cleared"
expect "cleared: zero packets since" "$dir/cleared" '^  RX-packets: 0 +RX-missed: 0 +RX-bytes: +0$'
after "set fwd io" "$log" "set fwd io" '^Set io packet forwarding mode$'
after "set fwd to a mode with its own set-up" "$log" "set fwd icmpecho" '^set fwd icmpecho: icmpecho mode has its own set-up; start xchg-testpmd with --forward-mode icmpecho$'
after "set fwd: bad mode" "$log" "set fwd sideways" "^'sideways': give rxonly, io, macswap, txonly, flowgen or csum$"
expect "start tx_first: a burst on each port" "$log" '^tx_first: port 1: 32 of 32 frames sent$'
expect "start tx_first: then forwarding" "$log" '^forwarding started \(io\)$'
after "set fwd while forwarding" "$log" "set fwd macswap" '^Please stop forwarding first$'
awk '/^xchg> show fwd stats all$/ { n++ } n == 2 && /TX-packets:/ { print; exit }' "$log" | grep -Eq '^  TX-packets: [1-9][0-9]* +TX-dropped: [0-9]+ +TX-total: [1-9]' &&
	ok "io: frames sent, in the forward statistics" || bad "io: no TX in the forward statistics"
expect "show port info 0: testpmd's header" "$log" '^\*+ Infos for port 0 +\*+$'
expect "show port info 0: driver" "$log" '^Driver name: net_null$'
expect "show port info 0: queues" "$log" '^Current number of RX queues: 1$'
expect "show port info 0: the queue's reservation" "$log" '^xchg RX queue 0: reservation port0_rxq0, quota [1-9][0-9]*$'
after "show port info: unknown port" "$log" "show port info 9" '^no port 9; the ports are those of show config fwd$'
after "show port xstats 0: testpmd's header" "$log" "show port xstats 0" '^###### NIC extended statistics for port 0 *$'
expect "show port xstats 0: the PMD's" "$log" '^rx_good_packets: [1-9][0-9]*$'
expect "show port xstats 0: the exchange's per queue" "$log" '^xchg_rx_q0_dropped_no_buffers: 0$'
expect "show port xstats 0: TX refused" "$log" '^xchg_tx_q0_refused: 0$'
expect "show port xstats 0: per consumer" "$log" '^xchg_pool_fwd_refused: 0$'
n=$(awk '/^xchg> show port xstats all$/ { on = 1; next } /^xchg> / { on = 0 } on && /NIC extended statistics/' "$log" | wc -l)
[ "$n" = 2 ] && ok "show port xstats all: both ports" || bad "show port xstats all: $n ports"
after "did you mean: a mode" "$log" "set fwd txonyl" "^'txonyl': give rxonly, io, macswap, txonly, flowgen or csum; did you mean txonly\?$"
after "did you mean: a pool" "$log" "set quota port0_rxq9 5" "^no pool 'port0_rxq9'; did you mean port0_rxq0\? \(see show pools\)$"
after "did you mean: a consumer" "$log" "set consumer fdw hog" "^no consumer 'fdw'; did you mean fwd\? \(see show sockets\)$"
expect "the census is conserved" "$log" 'census: total 8192 = .*: conserved$'
if grep -q 'ignored free\|not freed\|BROKEN\|sits idle' "$log"; then bad "session: misuse, leak or idle lcore"; else ok "session: no misuse, nothing idle"; fi

# 2. Every lcore given forwards: two workers, one RX queue each per
# port, a fwd consumer each; "fwd" names both.
printf 'show config fwd\nrun 300\nshow sockets\nset consumer fwd hog\nrun 300\nshow pools\nshow census\nquit\n' >"$dir/two.cmd"
if timeout 60 "$bin" --lcores 0@0,1@1,2@1 $eal $ports -- --cmdfile "$dir/two.cmd" >"$dir/two.log" 2>&1; then ok "two lcores: exit 0"; else bad "two lcores: exit $?"; tail -20 "$dir/two.log"; fi
log=$dir/two.log
expect "two lcores: two streams each" "$log" '^rxonly packet forwarding - ports=2 - cores=2 - streams=4 - burst=32$'
expect "two lcores: lcore 2 polls queue 1" "$log" '^  RX P=0/Q=1 -> fwd1 \(freed\)$'
expect "two lcores: fwd0 received" "$log" '^  fwd0 +normal +[1-9][0-9]* '
expect "two lcores: fwd1 received" "$log" '^  fwd1 +normal +[1-9][0-9]* '
expect "two lcores: set consumer fwd names both" "$log" '^consumer fwd1: hog$'
expect "two lcores: each hog holds its own quota" "$log" '^  fwd1 +socket +512 +512 +0 '
expect "two lcores: census conserved" "$log" 'census: total 8192 = .*: conserved$'
grep -q 'sits idle' "$log" && bad "two lcores: an idle warning" || ok "two lcores: no lcore idle"

# 3. Idle lcores are named; impossible plans refused (exit 2).
echo quit >"$dir/quit.cmd"
"$bin" --lcores 0@0,1@1,2@1,3@1 $eal $ports -- --nb-cores 2 --cmdfile "$dir/quit.cmd" >"$dir/r.log" 2>&1
expect "idle: --nb-cores below the workers" "$dir/r.log" '^xchg-testpmd: warning: lcore 3 sits idle: --nb-cores 2 of 3 worker lcores$'
"$bin" --lcores 0@0,1@1,2@1 $eal --vdev=net_null0 -- --rxq 1 --cmdfile "$dir/quit.cmd" >"$dir/r.log" 2>&1
expect "idle: fewer streams than lcores" "$dir/r.log" '^xchg-testpmd: warning: lcore 2 sits idle: 1 stream\(s\) \(1 port\(s\) x --rxq 1\) for 2 forwarding lcores; give --rxq 2$'
"$bin" --lcores 0@0,1@1,2@1 $eal $ports -- --forward-mode icmpecho --cmdfile "$dir/quit.cmd" >"$dir/r.log" 2>&1
expect "idle: icmpecho polls on one lcore" "$dir/r.log" '^xchg-testpmd: warning: lcore 2 sits idle: icmpecho mode polls its stack on one lcore$'
refuse() {
	name=$1; want=$2; shift 2
	"$@" >"$dir/r.log" 2>&1
	rc=$?
	if [ $rc -eq 2 ] && grep -Eq -- "$want" "$dir/r.log"; then ok "refused: $name"; else bad "refused: $name (exit $rc)"; tail -5 "$dir/r.log"; fi
}
refuse "--txq below the lcores" "--txq 1: each of the 2 forwarding lcores sends on its own TX queue; give --txq 2 or more" "$bin" --lcores 0@0,1@1,2@1 $eal $ports -- --txq 1
refuse "--nb-cores above the lcores" "--nb-cores 3: 1 lcore\(s\) can forward" "$bin" -l 0-1 $eal $ports -- --nb-cores 3
refuse "--rxq in stack mode" "--rxq and --txq go with rxonly, io and macswap" "$bin" -l 0 $eal $ports -- --forward-mode icmpecho --rxq 2
refuse "--burst 0" "--burst: '0' is not a whole number from 1 to 512" "$bin" --burst 0
refuse "--rxd too small" "--rxd: '8' is not a whole number from 32 to 4096" "$bin" --rxd 8
refuse "--mode" "--mode: 'both' is not exchange or shared" "$bin" --mode both

# 4. A bare "--" keeps the embedded defaults; EAL options without
# --no-huge get a hint, not only the EAL's word.
if timeout 30 "$bin" -- --duration 1 >"$dir/bare.log" 2>&1; then ok "bare --: exit 0"; else bad "bare --: exit $?"; tail -5 "$dir/bare.log"; fi
expect "bare --: the default ports" "$dir/bare.log" '^xchg-testpmd: rxonly on 2 port\(s\)'
expect "bare --: options after it still apply" "$dir/bare.log" '^  fwd +normal +[1-9]'
timeout 30 "$bin" -l 0 --no-pci --file-prefix "xh$$" --log-level=lib.eal:error -- --cmdfile "$dir/quit.cmd" >"$dir/hint.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -Eq 'EAL options replace the defaults: without hugepages give --no-huge -m 512|no ports; add one' "$dir/hint.log"; then ok "EAL options without --no-huge: a hint"; else bad "no hint (exit $rc)"; tail -3 "$dir/hint.log"; fi
# 5. txonly, flowgen and csum forward; txonly and flowgen pay from the
# TX queues' reservations (--txpkts of two segments), and every buffer
# is back at the exit.
for mode in txonly flowgen csum; do
	if timeout 60 "$bin" -l 0 $eal $ports -- --forward-mode $mode --txpkts 60,4 --duration 1 >"$dir/$mode.log" 2>&1; then ok "$mode: exit 0"; else bad "$mode: exit $?"; tail -5 "$dir/$mode.log"; fi
	expect "$mode: port 1 sends" "$dir/$mode.log" '^  1 +[0-9]+ +[1-9][0-9]* '
	expect "$mode: census conserved" "$dir/$mode.log" 'census: total 8192 = .*: conserved$'
done
expect "txonly: the TX queue pays" "$dir/txonly.log" '^  port1_txq0 +tx_queue +[0-9]+ +0 +[0-9]+ +[1-9][0-9]* '
printf 'show config fwd\nshow port info 1\nquit\n' >"$dir/peer.cmd"
"$bin" -l 0 $eal $ports -- --forward-mode csum --portmask 0x2 --eth-peer=1,02:00:00:00:00:aa --cmdfile "$dir/peer.cmd" >"$dir/peer.log" 2>&1
expect "--portmask 0x2: port 1 only" "$dir/peer.log" '^csum packet forwarding - ports=1 - cores=1 - streams=1 - burst=32$'
expect "--eth-peer: the peer address" "$dir/peer.log" '^Peer address \(--eth-peer\): 02:00:00:00:00:AA$'
refuse "--portmask with no port" "no ports in --portmask" "$bin" -l 0 $eal $ports -- --portmask 0x4
refuse "--eth-peer malformed" "--eth-peer: '1,zz' is not N,XX:XX:XX:XX:XX:XX" "$bin" --eth-peer=1,zz
refuse "--txpkts below the headers" "--txpkts: '40' is not up to 8 segment lengths" "$bin" --txpkts 40

# 6. Did you mean, on the command line and in a script.
refuse "did you mean: --forward-mode" "--forward-mode: 'flowgn' is not .*; did you mean flowgen\?" "$bin" --forward-mode flowgn
# Consumers exist once the EAL runs: refused then with exit 1.
"$bin" --consumer fwd=hgo >"$dir/r.log" 2>&1
expect "did you mean: a behaviour" "$dir/r.log" "--consumer fwd=hgo: give normal, hog.*; did you mean hog\?"
"$bin" --consumer fdw=hog >"$dir/r.log" 2>&1
expect "did you mean: a consumer" "$dir/r.log" "--consumer fdw=hog: no consumer 'fdw'; did you mean fwd\?"
printf 'strat\n' >"$dir/typo.cmd"
"$bin" -- --cmdfile "$dir/typo.cmd" >"$dir/typo.log" 2>&1
rc=$?
[ $rc -ne 0 ] && ok "a bad command fails the script" || bad "a bad command: exit 0"
expect "did you mean: a command" "$dir/typo.log" "bad command 'strat'; did you mean start\?"
printf 'show port xstatz 0\n' >"$dir/typo.cmd"
"$bin" -- --cmdfile "$dir/typo.cmd" >"$dir/typo.log" 2>&1
expect "did you mean: a command's later word" "$dir/typo.log" "bad command 'show port xstatz 0'; did you mean show port xstats\?"

# 7. Not interactive and no --duration: how to stop, as dpdk-testpmd;
# stdin at its end stops it (as dpdk-testpmd's read), enter too, and
# with --stats-period SIGTERM does, cleanly.
timeout 30 "$bin" </dev/null >"$dir/enter.log" 2>&1 -- --nb-cores 1
rc=$?
[ $rc -eq 0 ] && ok "stdin at its end: exit 0" || bad "stdin at its end: exit $rc"
expect "Press enter to exit" "$dir/enter.log" '^Press enter to exit$'
expect "stdin at its end: the tables" "$dir/enter.log" 'census: total 8192 = .*: conserved$'
# stdin open (a FIFO): it runs until enter comes.
mkfifo "$dir/in"
"$bin" -- --nb-cores 1 <"$dir/in" >"$dir/enter2.log" 2>&1 &
pid=$!
exec 3>"$dir/in"
i=0
until grep -q '^Press enter to exit$' "$dir/enter2.log" || [ $i -gt 300 ]; do i=$((i + 1)); sleep 0.1; done
kill -0 $pid 2>/dev/null && ok "stdin open: still running" || bad "stdin open: exited without enter"
echo >&3
exec 3>&-
wait $pid
rc=$?
[ $rc -eq 0 ] && ok "enter: exit 0" || bad "enter: exit $rc"
expect "enter: the tables" "$dir/enter2.log" 'census: total 8192 = .*: conserved$'
"$bin" -- --stats-period 1 >"$dir/term.log" 2>&1 &
pid=$!
i=0
until grep -q '^Press Ctrl-C to exit$' "$dir/term.log" || [ $i -gt 300 ]; do i=$((i + 1)); sleep 0.1; done
i=0
until grep -q 'NIC statistics for port 1' "$dir/term.log" || [ $i -gt 300 ]; do i=$((i + 1)); sleep 0.1; done
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 0 ] && ok "--stats-period, SIGTERM: exit 0" || bad "--stats-period, SIGTERM: exit $rc"
expect "--stats-period: how to stop" "$dir/term.log" '^Press Ctrl-C to exit$'
expect "--stats-period: testpmd's port statistics" "$dir/term.log" '^  #+ NIC statistics for port 0 +#+$'
expect "SIGTERM: the census at the exit" "$dir/term.log" 'census: total 8192 = .*: conserved$'
xt_summary habits
