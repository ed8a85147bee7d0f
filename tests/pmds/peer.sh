#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# xchg-testpmd (io forwarding) against dpdk-testpmd (io forwarding) over
# net_memif in copy or zero-copy mode (we are the client), or over
# net_virtio_user (ours) and net_vhost (the peer's). The peer starts with
# tx_first bursts, more frames than the TX queue's reservation: frames
# circulate until the run ends. xchg-testpmd must keep forwarding (in
# zero copy net_memif frees sent buffers only inside its next send: a TX
# queue that refused without asking it to reclaim stalled for good after
# 289 frames), see rx_nombuf 0, keep its census conserved, and tear down
# to nothing.
#
# Usage: peer.sh PATH/TO/xchg-testpmd copy|zero-copy|virtio
set -u
. "$(dirname "$0")/../common/check.sh"

bin=$1
mode=$2
id=$$
dir=$(mktemp -d /tmp/x19-peer-XXXXXX)
sock=$dir/x19sock$id

cleanup() {
	[ -n "${app:-}" ] && kill "$app" 2>/dev/null && wait "$app" 2>/dev/null
	[ -n "${peer:-}" ] && kill "$peer" 2>/dev/null && wait "$peer" 2>/dev/null
	exec 3>&- 2>/dev/null
	[ -n "${X19_KEEP:-}" ] && cp -r "$dir" "/tmp/x19-keep-$mode"
	rm -rf "$dir" /var/run/dpdk/x19p$id /var/run/dpdk/x19q$id
}
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v dpdk-testpmd >/dev/null ||
	{ echo "SKIP: needs dpdk-testpmd (Debian package dpdk)"; exit 77; }
case $mode in
copy|zero-copy)
	pmds="memif"
	zc=no
	[ "$mode" = zero-copy ] && zc=yes
	theirs="net_memif0,role=server,socket=$sock,socket-abstract=no"
	ours="net_memif0,role=client,socket=$sock,socket-abstract=no,zero-copy=$zc"
	name="memif $mode" ;;
virtio)
	pmds="vhost virtio"
	theirs="net_vhost0,iface=$sock,queues=1"
	ours="net_virtio_user0,path=$sock,queues=1"
	name="virtio_user/vhost" ;;
*)	echo "usage: $0 BIN copy|zero-copy|virtio"; exit 2 ;;
esac
for p in $pmds; do
	ls /usr/lib/*/dpdk/pmds-*/librte_net_$p.so* >/dev/null 2>&1 ||
		{ echo "SKIP: DPDK has no net_$p (Debian: librte-net-$p23)"; exit 77; }
done

# poll FILE PATTERN TRIES: wait for PATTERN in FILE, 0.1 s a try.
poll() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$3" ] && return 1
		sleep 0.1
	done
}

# Zero copy under --no-huge needs one memory file per segment list to
# share with the peer: --single-file-segments, on both sides. DPDK 25
# refuses that option with --no-huge, so zero copy needs hugepages there.
sfs=--single-file-segments
dpdk_major=$(pkg-config --modversion libdpdk 2>/dev/null | cut -d. -f1)
if [ "${dpdk_major:-0}" -ge 25 ]; then
	sfs=
	[ "$mode" = zero-copy ] &&
		{ echo "SKIP: DPDK $dpdk_major refuses --single-file-segments with --no-huge, which memif zero copy needs without hugepages"; exit 77; }
fi

mkfifo "$dir/cmd"
exec 3<>"$dir/cmd"
dpdk-testpmd -l 0,1 --no-huge -m 256 --no-pci --file-prefix x19p$id \
	$sfs --log-level=pmd.net.memif:info \
	--vdev "$theirs" -- -i \
	--forward-mode=io --total-num-mbufs 4096 --no-lsc-interrupt \
	<&3 >"$dir/peer.log" 2>&1 &
peer=$!
poll "$dir/peer.log" "testpmd>" 300 || { cat "$dir/peer.log"; echo "FAIL: dpdk-testpmd did not come up"; exit 1; }
i=0; while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$sock" ] || { cat "$dir/peer.log"; echo "FAIL: no socket $sock"; exit 1; }

"$bin" -l 0 --no-huge -m 512 --no-pci --file-prefix x19q$id \
	$sfs --log-level=lib.eal:error \
	--vdev "$ours" -- \
	--forward-mode io --buffers 4096 --duration 10 >"$dir/app.log" 2>&1 &
app=$!
poll "$dir/app.log" "^xchg-testpmd: io on" 300 || { cat "$dir/app.log"; bad "xchg-testpmd did not come up"; exit 1; }
# Connected when the peer's link is up.
n=0
while [ $n -lt 100 ]; do
	echo "show port info 0" >&3
	sleep 0.2
	grep -q "Link status: up" "$dir/peer.log" && break
	n=$((n + 1))
done
grep -q "Link status: up" "$dir/peer.log" || { bad "$name: never connected"; tail -20 "$dir/peer.log"; }
# 16 bursts of 32: 512 frames in flight, more than the TX queue's 288.
echo "start tx_first 16" >&3
wait $app
rc=$?
app=
echo "stop" >&3
echo "quit" >&3
i=0
while kill -0 $peer 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill $peer 2>/dev/null
wait $peer 2>/dev/null
peer=
exec 3>&-

[ $rc -eq 0 ] && ok "$mode: xchg-testpmd exit 0" || { bad "$mode: exit $rc"; tail -30 "$dir/app.log"; }
# The port table: port rx tx rx_nombuf imissed delivered dropped tx_nobufs
tx=$(awk '$1 == "port" && $2 == "rx" { getline; print $3; exit }' "$dir/app.log")
nombuf=$(awk '$1 == "port" && $2 == "rx" { getline; print $4; exit }' "$dir/app.log")
if [ "${tx:-0}" -gt 5000 ]; then
	ok "$mode: forwarded $tx frames with 512 in flight: no stall"
else
	bad "$mode: only ${tx:-0} frames sent: transmit stalled"; grep -A12 "pool " "$dir/app.log"
fi
[ "${nombuf:-x}" = 0 ] && ok "$mode: rx_nombuf 0" || bad "$mode: rx_nombuf ${nombuf:-?}"
grep -Eq 'census: total 4096 = .*: conserved$' "$dir/app.log" && ok "$mode: census conserved" ||
	{ bad "$mode: census"; grep census "$dir/app.log"; }
if [ $mode = zero-copy ]; then
	grep -q "port0_rxq0 *rx_queue *1088 " "$dir/app.log" &&
		ok "$mode: the RX queue is charged for memif's ring (1024 + 64)" ||
		{ bad "$mode: RX queue not charged"; grep port0_rxq0 "$dir/app.log"; }
fi
if grep -q "could not be freed\|not freed" "$dir/app.log"; then
	bad "$mode: teardown left buffers"; tail -5 "$dir/app.log"
else
	ok "$mode: teardown complete$(grep -o ': net_[a-z_]* kept [0-9]* buffers after' "$dir/app.log")"
fi
xt_summary "$name"
