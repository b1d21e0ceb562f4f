#!/usr/bin/env bash
# make bench-control: the control plane's figures for docs/benchmarks.md.
#   - health checking N members (default 10,000) at a 1 s interval: the
#     daemon's CPU and the checks' latency;
#   - a reload that replaces every member: time from SIGHUP to applied;
#   - the daemon's RSS with 1 member and with N.
# Members are addresses 127.1.0.0/16 on the loopback of a namespace of our
# own, all served by one accepting listener; xlb attaches to a veth there.
# Not a test: it reports, it asserts nothing about time.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
XLB=$(cd "$BUILD" && pwd)/xlb
N=${XLB_BENCH_MEMBERS:-10000}
SECS=${XLB_BENCH_SECONDS:-10}
NS=xlbbench-cp
PIN=/sys/fs/bpf/xlbbench-cp
WORK=$(mktemp -d /tmp/xlb-bench-cp.XXXXXX)
pids=()

[ "$(id -u)" = 0 ] || { echo "bench-control needs root (namespaces, BPF)" >&2; exit 1; }
in_ns() { nsenter --net="/run/netns/$NS" -- "$@"; }
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cleanup 2>/dev/null
WORK=$(mktemp -d /tmp/xlb-bench-cp.XXXXXX)

ip netns add "$NS"
in_ns ip link set lo up
ip -n "$NS" link add b0 type veth peer name b1
ip -n "$NS" link set b0 up
ip -n "$NS" link set b1 up
# One listener for every 127.x address of the namespace; it accepts and
# closes as fast as it can, so the checks measure the checker.
# nsenter execs the program, so $! is its PID (a shell function put in the
# background would be a subshell, and $! that subshell's).  Two accepting
# listeners share the port (SO_REUSEPORT), so they keep up with 10,000
# checks a second and the figures are the checker's, not the listener's.
for _ in 1 2; do
	nsenter --net="/run/netns/$NS" -- /usr/bin/python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("0.0.0.0", 80))
s.listen(65535)
while True:
    c, _ = s.accept()
    c.close()
' &
	pids+=($!)
done

# config FILE MEMBERS BASE: members spread over services of at most 4000.
config() {
	local file=$1 n=$2 base=$3 i svc=-1
	{
		echo "global:"
		echo "  interfaces: [b0]"
		echo "services:"
		for ((i = 0; i < n; i++)); do
			if ((i % 4000 == 0)); then
				svc=$((svc + 1))
				echo "  - name: s$svc"
				echo "    vip: {ip: 198.18.200.$((svc + 1)), port: 80}"
				echo "    healthcheck: {type: tcp, interval: 1s, timeout: 500ms, rise: 1, fall: 2}"
				echo "    members:"
			fi
			echo "      m$i: [127.$base.$((i / 250)).$((i % 250 + 1)), 80]"
		done
	} >"$file"
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

run_daemon() { # FILE LOG
	nsenter --net="/run/netns/$NS" -- "$XLB" run -c "$1" --pin-dir "$PIN" >"$2" 2>&1 &
	DPID=$!
	pids+=("$DPID")
}
stop_daemon() {
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	"$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
}
wait_up() { # LOG COUNT SECONDS
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(grep -c ' UP ' "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

echo "control plane, $(date -u +%F), kernel $(uname -r), $(nproc) cores"

config "$WORK/one.yaml" 1 1
run_daemon "$WORK/one.yaml" "$WORK/one.log"
wait_up "$WORK/one.log" 1 20 || { echo "1 member never came up"; cat "$WORK/one.log"; exit 1; }
sleep 2
echo "rss_1_member_kib	$(rss_kb "$DPID")"
stop_daemon

config "$WORK/a.yaml" "$N" 1
t0=$(date +%s.%N)
run_daemon "$WORK/a.yaml" "$WORK/a.log"
if ! wait_up "$WORK/a.log" "$N" 120; then
	echo "only $(grep -c ' UP ' "$WORK/a.log") of $N members came up"
	tail -n 5 "$WORK/a.log"
	exit 1
fi
t1=$(date +%s.%N)
echo "members	$N"
echo "start_to_all_up_s	$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
c0=$(ticks "$DPID")
sleep "$SECS"
c1=$(ticks "$DPID")
echo "cpu_percent_of_one_core	$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s }')"
echo "rss_${N}_members_kib	$(rss_kb "$DPID")"
nsenter --net="/run/netns/$NS" -- "$XLB" status --pin-dir "$PIN" --json >"$WORK/status.json"
/usr/bin/python3 - "$WORK/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
lat = sorted(m["latency_us"] for svc in s["services"] for m in svc["members"] if m["state"] == "UP")
n = len(lat)
print("members_up\t%d" % n)
print("check_latency_us_p50\t%d" % lat[n // 2])
print("check_latency_us_p99\t%d" % lat[min(n - 1, n * 99 // 100)])
PY

config "$WORK/b.yaml" "$N" 2
cp "$WORK/b.yaml" "$WORK/a.yaml.new"
cp "$WORK/a.yaml" "$WORK/a.yaml.old"
cp "$WORK/b.yaml" "$WORK/a.yaml"
before=$(grep -c 'reloaded' "$WORK/a.log")
t0=$(date +%s%N)
kill -HUP "$DPID"
for ((i = 0; i < 600; i++)); do
	[ "$(grep -c 'reloaded' "$WORK/a.log")" -gt "$before" ] && break
	sleep 0.05
done
t1=$(date +%s%N)
echo "reload_replacing_all_members_ms	$(((t1 - t0) / 1000000))"
if wait_up "$WORK/a.log" $((2 * N)) 120; then
	echo "reload_to_new_members_all_up_s	$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
else
	echo "reload_new_members_up_after_120s	$(($(grep -c ' UP ' "$WORK/a.log") - N)) of $N"
	echo "daemon_log_after_reload_down_lines	$(grep -c ' DOWN ' "$WORK/a.log")"
	grep -E 'warning|error' "$WORK/a.log" | sed 's/^[^ ]* //' | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/# /'
fi
stop_daemon
