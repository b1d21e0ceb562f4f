# shellcheck shell=bash
# Helpers of the e2e suites that run the real daemon in the testbed: the
# PASS/FAIL bookkeeping, starting and stopping `xlb run` inside lb, waiting
# for its log lines, and the test client.  Source after scripts/lib.sh.

E2E_BUILD=$(cd "${BUILD:-build}" 2>/dev/null && pwd)
XLB="$E2E_BUILD/xlb"
CLIENT_PY="$(pwd)/tests/e2e/client.py"
# flow_table_size of the suites that are not about the tables: the default
# (2,097,152 entries, about 400 MiB preallocated) costs each fresh start 6 s
# and a quarter of the 2 GiB of a vmtest guest (0.5 s on the host).
E2E_FLOW_TABLE_SIZE=65536
pass=0 fail=0 skip=0

ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
skip() { echo "  skipped: $2"; echo "SKIP $1"; skip=$((skip + 1)); }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else ko "$name"; fi
}
# expect_eq NAME WANT GOT: PASS, or FAIL with both values.
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "expected '$2', got '$3'"; fi
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
# e2e_mode PREFIX PIN: the hook xlb runs from in this suite, after
# XLB_E2E_MODE: xdp (the default) or tc (tests/run.sh runs some suites both
# ways).  tc gets a testbed and pin dir of its own, and hosts that leave
# their checksums partial (hook_tc.h keeps those right); daemon_start gets
# "${MODE_ARGS[@]}".
e2e_mode() {
	MODE=${XLB_E2E_MODE:-xdp}
	case $MODE in
	xdp)
		XLB_TB_PREFIX=$1
		PIN=$2
		MODE_ARGS=()
		;;
	tc)
		XLB_TB_PREFIX=${1%-}tc-
		PIN=${2}tc
		MODE_ARGS=(--mode tc)
		export XLB_TB_TX_CSUM=on
		;;
	*)
		echo "XLB_E2E_MODE must be xdp or tc, not '$MODE'" >&2
		exit 2
		;;
	esac
}
xlb_in_lb() { nsenter --net="/run/netns/$(tb_ns lb)" -- "$XLB" "$@"; }
# Whatever an earlier or this run left: from lb's namespace while it exists
# (tc filters are reached only from there).
xlb_stop_quiet() {
	if [ -e "/run/netns/$(tb_ns lb)" ]; then
		xlb_in_lb stop --pin-dir "$PIN" >/dev/null 2>&1
	else
		"$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
	fi
}

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

# snap FILE: `xlb status --json` into FILE.  st FILE KEY...: values from a
# snapshot, one per KEY, space separated ("missing" for a key it does not
# have); st - KEY...: from a status taken now.
snap() { xlb_in_lb status --json --pin-dir "$PIN" >"$1" 2>/dev/null; }
st() {
	local file=$1
	shift
	if [ "$file" = - ]; then
		file=$WORK/status.now
		snap "$file"
	fi
	/usr/bin/python3 -c '
import json, sys
try:
    status = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    status = {}
def get(key):
    head, _, rest = key.partition(".")
    if head == "reason":
        node, path = status.get("packets_by_outcome", {}), [rest]
    elif head == "svc":
        name, _, field = rest.partition(".")
        node = next((s for s in status.get("services", []) if s.get("name") == name), {})
        path = [field]
    else:
        node, path = status, key.split(".")
    for p in path:
        if not isinstance(node, dict) or p not in node:
            return "missing"
        node = node[p]
    return str(node)
print(" ".join(get(k) for k in sys.argv[2:]))' "$file" "$@"
}
# outcomes_delta A B: the packets_by_outcome counters that grew from
# snapshot A to snapshot B, largest first.
outcomes_delta() {
	/usr/bin/python3 -c '
import json, sys
try:
    a, b = (json.load(open(f)).get("packets_by_outcome", {}) for f in sys.argv[1:3])
except (OSError, ValueError):
    sys.exit()
d = sorted(((v - a.get(k, 0), k) for k, v in b.items() if v - a.get(k, 0) > 0), reverse=True)
print(", ".join("%s +%d" % (k, n) for n, k in d[:6]))' "$1" "$2"
}
# http_counts VIP PORT N SRCS: N HTTP connections; who answered how often,
# as "m1=15 m2=15 " (sorted by name; failures count as ERR).
http_counts() {
	client http "$1" "$2" "$3" --src "$4" | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' '
}

# e2e_start SUITE MEMBERS CLIENT_ADDRS: the common start of a suite that runs
# the daemon: root and the binary checked (a skip or a failure says why),
# WORK and DLOG made, teardown trapped (daemon, pins, testbed, WORK; the
# daemon log is shown when something failed), leftovers removed, testbed up.
# Needs XLB_TB_PREFIX and PIN set.
e2e_start() {
	local suite=$1
	if [ "$(id -u)" != 0 ]; then
		skip "$suite" "network namespaces and BPF need root"
		finish
	fi
	[ -x "$XLB" ] || { ko "$suite" "$XLB is not built (make test-build)"; finish; }
	WORK=$(mktemp -d "/tmp/xlb-$suite.XXXXXX")
	DLOG=$WORK/daemon.log
	: >"$DLOG"
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM
	xlb_stop_quiet
	tb_up "$2" "$3"
}
e2e_cleanup() {
	daemon_stop
	for p in "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	xlb_stop_quiet
	tb_down quiet
	if [ "$fail" -gt 0 ]; then
		echo "  daemon log (last 40 lines):"
		tail -n 40 "$DLOG" | sed 's/^/    /'
	fi
	rm -rf "$WORK"
}
E2E_PIDS=()
# A testbed that cannot be built fails the suite, reported, not a crash.
tb_die() {
	tb_log "error: $*"
	ko testbed_up "$*"
	finish
}

# dsr: the client gets a second link on the members' segment (198.18.1.200
# on c1): a path for replies that does not pass lb (its VIP traffic still
# goes via lb); members route replies there.
DSR_CLIENT_LINK_IP=198.18.1.200
dsr_client_link() {
	ip -n "$(tb_ns client)" link add c1 type veth peer name pc netns "$(tb_ns sw)" || return 1
	ip -n "$(tb_ns sw)" link set pc master br0 up
	ip -n "$(tb_ns client)" addr add "$DSR_CLIENT_LINK_IP/24" dev c1
	ip -n "$(tb_ns client)" link set c1 up
	tb_exec client ethtool -K c1 tx off >/dev/null
	tb_exec client sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.c1.rp_filter=0
}
# dsr_member_vip K VIP: member K holds VIP on loopback, as docs/operations.md
# says, and neither answers nor announces ARP for it.
dsr_member_vip() {
	ip -n "$(tb_ns "m$1")" addr add "$2/32" dev lo &&
		tb_exec "m$1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
}

# Background processes in a node: nsenter execs the command, so $! is its
# PID (tb_exec is a function: & would fork a shell around it).
in_node() {
	local node=$1
	shift
	exec nsenter --net="/run/netns/$(tb_ns "$node")" -- "$@"
}
# A health-check listener on member K: hc_up K PORT starts it (a tcp check
# of PORT passes), hc_down K kills it (the checks fail at once).  One
# process that accepts and closes: killing it closes the port for good
# (socat's fork mode leaves children that hold it).
declare -A HC_PID
hc_up() {
	in_node "m$1" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", '"$2"'))
s.listen(64)
while True:
    s.accept()[0].close()' &
	HC_PID[$1]=$!
	E2E_PIDS+=($!)
	wait_until 5 eval '[ -n "$(tb_exec m'"$1"' ss -Hltn "sport = :'"$2"'")" ]'
}
hc_down() {
	kill "${HC_PID[$1]}" 2>/dev/null
	wait "${HC_PID[$1]}" 2>/dev/null
}

# bird_conf EXAMPLE OUT NAME=VALUE...: a BIRD example of examples/bird/ with
# its site values set; every NAME must be one of its `define` lines.  Logs
# to stderr (the test's files), not syslog.
bird_conf() {
	local src=$1 out=$2 kv name
	shift 2
	cp "$src" "$out"
	for kv in "$@"; do
		name=${kv%%=*}
		grep -q "^define $name " "$out" || { echo "  $src has no 'define $name'"; return 1; }
		sed -i "s|^define $name *= *[^;]*;|define $name = ${kv#*=};|" "$out"
	done
	sed -i 's|^log syslog all;|log stderr all;|' "$out"
}
