#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# One fuzz target, as meson runs it (tests/fuzz/meson.build):
#
#   run_fuzz.sh regress NAME BIN LIBFUZZER REGRESS_DIR
#     every input kept in REGRESS_DIR (a minimised corpus and every
#     input that found a bug), once; an empty folder fails;
#   run_fuzz.sh fuzz NAME BIN LIBFUZZER REGRESS_DIR SEEDS_BIN CORPUS \
#               CONFIG_DIR SECONDS ARTIFACTS
#     the seeds (made from CORPUS by SEEDS_BIN, or the configuration
#     files of CONFIG_DIR for the config target) and REGRESS_DIR: with
#     libFuzzer (LIBFUZZER=1) a campaign of SECONDS seconds whose crash
#     inputs are kept in ARTIFACTS; otherwise each seed once.
#
# $XCHG_CORPUS overrides CORPUS. No corpus: exit 77 (skip), saying where
# it looked. A target aborts on any broken rule: any failure is a find.
set -eu

mode=$1 name=$2 bin=$3 libfuzzer=$4 regress=$5

if [ "$mode" = regress ]; then
	set -- "$regress"/*
	if [ ! -e "$1" ]; then
		# Every target keeps inputs (a minimised corpus and every
		# find): an empty folder is a test that cannot fail.
		echo "FAIL: no input kept in $regress: nothing to replay"
		exit 1
	fi
	echo "$name: replaying $# kept inputs from $regress"
	# libFuzzer runs the files it is given once each, as fuzz_main.c does;
	# a find must fail the test (libFuzzer's own code, 77, means skip).
	exec "$bin" -error_exitcode=1 "$@"
fi

seeds_bin=$6 corpus=${XCHG_CORPUS:-$7} config_dir=$8 seconds=$9
artifacts=${10}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xchg-fuzz-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "$name" = config ]; then
	mkdir "$tmp/config"
	cp "$config_dir"/*.ini "$tmp/config/"
	seeds=$tmp/config
else
	rc=0
	"$seeds_bin" "$corpus" "$tmp" || rc=$?
	[ $rc = 0 ] || exit $rc
	seeds=$tmp/$name
fi
echo "$name: $(ls "$seeds" | wc -l) seeds in $seeds"

if [ "$libfuzzer" != 1 ]; then
	"$bin" "$seeds" "$regress"
	exit 0
fi

mkdir -p "$artifacts"
case $name in
pcap) max_len=65536 ;;
config) max_len=4096 ;;
*) max_len=9216 ;;
esac
# New inputs go to the first folder (a copy), never into the tree.
mkdir "$tmp/work"
cp "$seeds"/* "$tmp/work/" 2>/dev/null || true
rc=0
"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=20 \
	-error_exitcode=1 \
	-rss_limit_mb=3072 -max_len=$max_len -reload=0 \
	-artifact_prefix="$artifacts/crash-$name-" \
	"$tmp/work" "$regress" || rc=$?
if [ $rc != 0 ]; then
	echo "$name: the fuzzer found a failure (exit $rc); the input is in $artifacts/crash-$name-*:"
	echo "add it to $regress/ as a regression input and fix the cause"
	exit 1
fi
