#!/usr/bin/env bash
# The test runner behind `make test`: runs every suite that exists and ends
# with one line "N passed, N failed, N skipped".  Each suite program prints
# PASS/FAIL/SKIP lines and its own closing line of the same form; a program
# that dies without one counts as one failure.
#
# Environment: BUILD (build dir), FUZZ_SECONDS (per fuzz target),
# XLB_SUITES (a subset of: unit unit-san pkg bpf e2e fuzz deb, separated by spaces
# or commas),
# XLB_FILTER (only test programs whose name contains it),
# XLB_IN_VM=1 (make vmtest): the e2e programs in HOST_ONLY are skipped,
# each with its reason, unless XLB_VM_ALL=1,
# XLB_NO_TC=1: the reruns of the packet and e2e tests through the tc hook
# ("NAME (tc)") are skipped (CI's second kernel: .ci/run).
set -uo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-45}
SUITES=${XLB_SUITES:-unit unit-san pkg bpf e2e fuzz deb}
SUITES=${SUITES//,/ }
FILTER=${XLB_FILTER:-}
# e2e programs that exercise user space only (the command line, files,
# completion, the terminal, the metrics and systemd protocols, several
# routing daemons): the kernel they meet is the host's in `make test`; a
# TCG guest would take about ten minutes more per kernel to repeat them.
HOST_ONLY=" test_cli test_completion test_config_files test_top test_hostname test_metrics test_systemd test_testbed test_capture test_ecmp test_ecmp (frr) test_ecmp (nft) "
[ "${XLB_IN_VM:-}" = 1 ] && [ "${XLB_VM_ALL:-}" != 1 ] || HOST_ONLY=

total_pass=0 total_fail=0 total_skip=0
failed_programs=()

# run_program SUITE NAME CMD...: run one program, stream its output, add
# its closing counts to the totals.
run_program() {
	local suite=$1 name=$2 out rc summary p f s start
	shift 2
	[ -n "$FILTER" ] && [[ $name != *"$FILTER"* ]] && return 0
	if [ "${XLB_NO_TC:-}" = 1 ] && [[ $name == *" (tc)" ]]; then
		skip_suite "$suite/$name" "the tc hook's rerun, skipped with XLB_NO_TC=1 (CI runs it on the host and on the oldest kernel)"
		return 0
	fi
	if [ "$suite" = e2e ] && [[ $HOST_ONLY == *" $name "* ]]; then
		skip_suite "$suite/$name" "exercises user space or routing daemons, not this kernel: the host's make test runs it (XLB_VM_ALL=1 runs it here too)"
		return 0
	fi
	echo "== $suite: $name"
	out=$(mktemp)
	start=$SECONDS
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	echo "   ($((SECONDS - start)) s)"
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$out" | tail -n 1)
	rm -f "$out"
	if [ -n "$summary" ]; then
		p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
		f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$summary")
		s=$(sed -nE 's/.*, ([0-9]+) skipped$/\1/p' <<<"$summary")
		s=${s:-0}
	else
		p=0 f=0 s=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited with status $rc without reporting a failed test"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	[ "$f" -gt 0 ] && failed_programs+=("$suite/$name")
	return 0
}

# skip_suite WHAT WHY: a suite, or one program of one, not run (a skip, never
# a pass), with its reason.
skip_suite() {
	echo "SKIP $1: $2"
	total_skip=$((total_skip + 1))
}

# Unit test programs mirror user/: build/tests/unit/config/test_load is
# reported as config/test_load.
unit_programs() { # DIR
	find "$1" -type f -name 'test_*' ! -name '*.[od]' -perm -u+x 2>/dev/null | sort
}

suite_unit() {
	local t
	for t in $(unit_programs "$BUILD/tests/unit"); do
		run_program unit "${t#"$BUILD"/tests/unit/}" "$t"
	done
}

suite_unit_san() {
	local t
	for t in $(unit_programs "$BUILD/san/tests/unit"); do
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			run_program unit-san "${t#"$BUILD"/san/tests/unit/}" "$t"
	done
}

# The version scheme, the man pages and the shell completion: no root.
suite_pkg() {
	local t
	for t in tests/pkg/test_*.sh; do
		[ -f "$t" ] || continue
		run_program pkg "$(basename "$t" .sh)" env BUILD="$BUILD" bash "$t"
	done
}

suite_bpf() {
	local t
	if [ "$(id -u)" != 0 ]; then
		skip_suite bpf "BPF_PROG_TEST_RUN needs root (run 'sudo make test')"
		return
	fi
	for t in "$BUILD"/tests/bpf/test_*; do
		[ -x "$t" ] || continue
		run_program bpf "$(basename "$t")" "$t"
	done
	# The packet tests again through the tc program: the same data path
	# from its other hook must give the same bytes.
	for t in "$BUILD"/tests/bpf/test_xdp*; do
		[ -x "$t" ] || continue
		run_program bpf "$(basename "$t") (tc)" env XLB_TEST_HOOK=tc "$t"
	done
}

suite_e2e() {
	local t
	if [ "$(id -u)" != 0 ]; then
		skip_suite e2e "network namespaces need root (run 'sudo make test')"
		return
	fi
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		run_program e2e "$(basename "$t" .sh)" env BUILD="$BUILD" bash "$t"
	done
	# Balancing, failover, reload, restart, every forwarding mode and
	# no-member answer, and the answers on the link again with the tc
	# programs (xlb run --mode tc).
	for t in tests/e2e/test_daemon.sh tests/e2e/test_modes.sh tests/e2e/test_l2.sh; do
		run_program e2e "$(basename "$t" .sh) (tc)" env BUILD="$BUILD" XLB_E2E_MODE=tc bash "$t"
	done
	# The ECMP testbed again with FRR on the router and the nodes.
	run_program e2e "test_ecmp (frr)" env BUILD="$BUILD" XLB_ECMP_DAEMON=frr bash tests/e2e/test_ecmp.sh
	# And with nftables DNAT on the nodes instead of xlb: per-node state
	# breaks every connection the router moves (docs/benchmarks.md).
	run_program e2e "test_ecmp (nft)" env BUILD="$BUILD" XLB_ECMP_NODE=nft bash tests/e2e/test_ecmp.sh
}

# Each fuzz target runs for FUZZ_SECONDS from its seeds; a crash, leak,
# timeout or sanitizer report fails it.
suite_fuzz() {
	local t name corpus
	for t in "$BUILD"/tests/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		corpus="$BUILD/fuzz-corpus/$name"
		mkdir -p "$corpus" "$BUILD/fuzz-artifacts"
		run_program fuzz "$name" tests/fuzz/run-target.sh "$t" "$FUZZ_SECONDS" \
			"$corpus" "$BUILD/fuzz-artifacts/$name-" "tests/fuzz/seeds/${name#fuzz_}"
	done
}

# The Debian package: built, checked by lintian, installed in a clean
# chroot, run and purged (scripts/deb-test.sh; the chroot image is cached
# in $BUILD/deb-test).
suite_deb() {
	if [ "$(id -u)" != 0 ]; then
		skip_suite deb "the chroot needs root (run 'sudo make test')"
		return
	fi
	run_program deb deb-test env BUILD="$BUILD" scripts/deb-test.sh --build
}

start=$(date +%s)
for suite in $SUITES; do
	case "$suite" in
	unit) suite_unit ;;
	unit-san) suite_unit_san ;;
	pkg) suite_pkg ;;
	bpf) suite_bpf ;;
	e2e) suite_e2e ;;
	fuzz) suite_fuzz ;;
	deb) suite_deb ;;
	*) echo "tests/run.sh: unknown suite '$suite'" >&2; exit 2 ;;
	esac
done

echo
if [ ${#failed_programs[@]} -gt 0 ]; then
	echo "failed: ${failed_programs[*]}"
fi
echo "($(($(date +%s) - start)) s)"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
