#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# rte_eth_recycle_mbufs() (DPDK 23.11+) moves buffers TX -> RX without the
# arena's mempool enqueue, so no owner would be credited. xchg_port.h
# poisons it: a program that includes the header and names the call must
# not compile, and the same program without the call must.
#
# Usage: recycle_poison.sh SOURCE_ROOT
set -u
root=$1
dir=$(mktemp -d /tmp/xchg-rp-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cflags="$(pkg-config --cflags libdpdk) -I$root/lib/xchg -I$root/drivers/port"
cat >"$dir/ok.c" <<'C'
#include "xchg_port.h"
int main(void) { return XCHG_DPDK_HAS_RECYCLE_MBUFS < 0; }
C
cat >"$dir/bad.c" <<'C'
#include "xchg_port.h"
int main(void) { return (int)rte_eth_recycle_mbufs(0, 0, 0, 0, 0); }
C
fail=0
# shellcheck disable=SC2086
if cc $cflags -fsyntax-only "$dir/ok.c" 2>"$dir/ok.err"; then
	echo "ok   the header alone compiles"
else
	echo "FAIL the header alone does not compile:"; cat "$dir/ok.err"; fail=1
fi
# shellcheck disable=SC2086
if cc $cflags -fsyntax-only "$dir/bad.c" 2>"$dir/bad.err"; then
	echo "FAIL a call to rte_eth_recycle_mbufs compiled"; fail=1
elif grep -q poisoned "$dir/bad.err"; then
	echo "ok   rte_eth_recycle_mbufs refused: $(grep -m1 poisoned "$dir/bad.err")"
else
	echo "FAIL refused, but not as poisoned:"; cat "$dir/bad.err"; fail=1
fi
exit $fail
