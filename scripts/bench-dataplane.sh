#!/usr/bin/env bash
# `make bench-dataplane`: ns/packet of the XDP data plane per path, with
# BPF_PROG_TEST_RUN (tests/bench/bench_dataplane.c; method and recorded
# figures in docs/benchmarks.md).  Needs root: the benchmark moves itself
# into a private network namespace (so bpf_fib_lookup has routes) that
# disappears with it.  Not a test: it asserts the path taken, never times.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
bin="$BUILD/tests/bench/bench_dataplane"

if [ "$(id -u)" != 0 ]; then
	echo "bench-dataplane: needs root (BPF_PROG_TEST_RUN, network namespace)" >&2
	exit 1
fi
[ -x "$bin" ] || { echo "bench-dataplane: $bin missing; run 'make bench-dataplane'" >&2; exit 1; }

echo "kernel $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
"$bin"
