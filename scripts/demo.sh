#!/usr/bin/env bash
# `make demo`: xlb balancing real traffic in a namespace testbed, with the
# seed file's three members, a failover and a recovery, then everything
# removed.  Needs root (namespaces, BPF).  Touches nothing outside the
# namespaces it creates (addresses 198.18.0.0/15 only).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
XLB=$(cd "$BUILD" && pwd)/xlb
export XLB_TB_PREFIX=xlbdemo-
export XLB_TB_NAMES="newrelic.com splunk.com datadoghq.com"
PIN=/sys/fs/bpf/xlbdemo
VIP=198.18.2.80
PORT=8080
WORK=$(mktemp -d /tmp/xlb-demo.XXXXXX)
DPID=

if [ -t 1 ]; then
	bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	bold() { printf '\n== %s\n' "$*"; }
fi
say() { printf '%s\n' "$*"; }
in_lb() { nsenter --net="/run/netns/$(tb_ns lb)" -- "$@"; }
cleanup() {
	bold "Cleaning up"
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	"$XLB" stop --pin-dir "$PIN" 2>/dev/null | sed 's/^/  /'
	tb_down quiet
	rm -rf "$WORK"
	say "  namespaces, servers and pins removed"
}

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces, BPF): run 'sudo make demo'" >&2; exit 1; }
[ -x "$XLB" ] || { echo "$XLB is missing: run 'make' first" >&2; exit 1; }
trap cleanup EXIT
trap 'exit 1' INT TERM

bold "1. A testbed of network namespaces"
"$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
tb_up 3 1
say "  client   $(tb_client_ip 1)        --  lb (xlb: l0 $(tb_lb_ip), l1 $(tb_lb_member_ip))"
for k in 1 2 3; do
	say "  member   $(tb_member_ip "$k"):80  $(tb_member_name "$k")  (a web server that answers with its name)"
done

bold "2. The seed file's format, pointed at the testbed"
cat >"$WORK/observabilityplatforms.com.yaml" <<YAML
---
service: observabilityplatforms.com
vip:
  ip: $VIP
  listener_port: $PORT
  pool:
    members:
      newrelic.com: [$(tb_member_ip 1), 80]
      splunk.com: [$(tb_member_ip 2), 80]
      datadoghq.com: [$(tb_member_ip 3), 80]
    healthcheck:
      type: tcp
      interval: 1s
      timeout: 500ms
      rise: 2
      fall: 2
YAML
sed 's/^/  /' "$WORK/observabilityplatforms.com.yaml"
say ""
"$XLB" check "$WORK/observabilityplatforms.com.yaml" | sed 's/^/  /'

bold "3. xlb run: XDP on both of lb's links, members health-checked"
in_lb "$XLB" run -c "$WORK/observabilityplatforms.com.yaml" -i l0 -i l1 --pin-dir "$PIN" \
	>"$WORK/xlb.log" 2>&1 &
DPID=$!
up_count() { [ "$(grep -c ' UP ' "$WORK/xlb.log")" -ge 3 ]; }
if ! wait_until 15 up_count; then
	say "  the members did not come up; the daemon said:"
	sed 's/^/  /' "$WORK/xlb.log"
	exit 1
fi
sed 's/^[^ ]* /  /' "$WORK/xlb.log"

requests() { # N: N new connections from the client to the VIP
	local i out
	for ((i = 1; i <= $1; i++)); do
		out=$(tb_exec client curl -s --max-time 3 "http://$VIP:$PORT/" || echo "(failed)")
		printf '  request %2d -> %s\n' "$i" "$out"
	done
}
bold "4. Nine requests from the client to $VIP:$PORT: round-robin, one per connection"
requests 9

bold "5. splunk.com's server stops"
kill "$(awk '$3 == "m2-http" {print $1}' "$(tb_state)/pids")"
down() { grep -q 'splunk.com .* DOWN' "$WORK/xlb.log"; }
wait_until 10 down && grep 'splunk.com .* DOWN' "$WORK/xlb.log" | sed 's/^[^ ]* /  /'
say ""
in_lb "$XLB" status --pin-dir "$PIN" | sed 's/^/  /'
say ""
say "  Six requests: nobody is sent to the dead member."
requests 6

bold "6. splunk.com comes back: in rotation after 2 good checks"
tb_exec m2 /usr/bin/python3 -m http.server 80 --bind :: --directory "$(tb_state)/www/m2" \
	>/dev/null 2>&1 &
srv=$!
echo "$srv $(tb_proc_start "$srv") m2-http-again" >>"$(tb_state)/pids"
back() { grep -q 'splunk.com .* UP (2/2' "$WORK/xlb.log"; }
wait_until 10 back && grep 'splunk.com .* UP (2/2' "$WORK/xlb.log" | sed 's/^[^ ]* /  /'
requests 6

bold "7. What the data plane counted"
in_lb "$XLB" status --pin-dir "$PIN" | sed 's/^/  /'
say ""
say "  Try it yourself: sudo ip netns list, sudo bpftool map dump pinned $PIN/xlb_services,"
say "  and the docs in docs/operations.md."
