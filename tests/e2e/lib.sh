# shellcheck shell=bash
# Helpers of the e2e suites that run the real daemon in the testbed: the
# PASS/FAIL bookkeeping, starting and stopping `xlb run` inside lb, waiting
# for its log lines, and the test client.  Source after scripts/lib.sh.

E2E_BUILD=$(cd "${BUILD:-build}" && pwd)
XLB="$E2E_BUILD/xlb"
CLIENT_PY="$(pwd)/tests/e2e/client.py"
pass=0 fail=0 skip=0

ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
skip() { echo "  skipped: $2"; echo "SKIP $1"; skip=$((skip + 1)); }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else ko "$name"; fi
}
finish() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}

# The daemon runs in lb's network namespace (nsenter keeps /sys/fs/bpf).
DPID=
daemon_start() { # CONFIG [extra args]
	local cfg=$1
	shift
	nsenter --net="/run/netns/$(tb_ns lb)" -- "$XLB" run -c "$cfg" --pin-dir "$PIN" "$@" \
		>>"$DLOG" 2>&1 &
	DPID=$!
}
daemon_alive() { [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; }
daemon_signal() { daemon_alive && kill "-$1" "$DPID"; }
daemon_stop() {
	[ -n "$DPID" ] || return 0
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}
daemon_kill9() {
	[ -n "$DPID" ] || return 0
	kill -9 "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}
xlb_in_lb() { nsenter --net="/run/netns/$(tb_ns lb)" -- "$XLB" "$@"; }

# log_count PATTERN: lines of the daemon log matching the extended regex.
log_count() { grep -cE "$1" "$DLOG" 2>/dev/null || true; }
# wait_log SECS PATTERN [N]: until the log holds N (default 1) more matching
# lines than when LOG_MARK was last set with log_mark.
LOG_MARK=0
log_mark() { LOG_MARK=$(wc -l <"$DLOG"); }
log_since() { tail -n +"$((LOG_MARK + 1))" "$DLOG"; }
log_has() { [ "$(log_since | grep -cE "$1")" -ge "${2:-1}" ]; }
wait_log() { wait_until "$1" log_has "$2" "${3:-1}"; }

client() { tb_exec client /usr/bin/python3 "$CLIENT_PY" "$@"; }
