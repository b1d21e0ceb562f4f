#!/usr/bin/env bash
# `make demo-cluster`: three xlb nodes behind a router that spreads flows
# over them by ECMP, each node announcing the VIP through BIRD (BGP with
# BFD), requests flowing from a client while a node is killed and comes
# back, then everything removed.  Needs root (namespaces, BPF) and BIRD.
# Touches nothing outside the namespaces it creates (198.18.0.0/15 only).
# The testbed is scripts/cluster.sh, the one tests/e2e/test_ecmp.sh runs.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. tests/e2e/lib.sh

export XLB_TB_PREFIX=xlbdc-
ROUTING=bird
VIP=198.18.2.5
VIPS=$VIP
WORK=
REQ_PID=
declare -A DPIDS RPIDS
E2E_PIDS=()
. scripts/cluster.sh

if [ -t 1 ]; then
	bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	bold() { printf '\n== %s\n' "$*"; }
fi
say() { printf '%s\n' "$*"; }
cleanup() {
	bold "Cleaning up"
	[ -n "$WORK" ] && touch "$WORK/stop"
	if [ -n "$REQ_PID" ]; then
		kill "$REQ_PID" 2>/dev/null
		wait "$REQ_PID" 2>/dev/null
	fi
	cluster_down
	rm -rf "$WORK"
	say "  daemons, namespaces, servers and pins removed"
}

[ "$(id -u)" = 0 ] || { echo "make demo-cluster needs root (network namespaces, BPF): run 'sudo make demo-cluster'" >&2; exit 1; }
[ -x "$XLB" ] || { echo "$XLB is missing: run 'make' first" >&2; exit 1; }
for t in bird birdc; do
	command -v "$t" >/dev/null 2>&1 || { echo "$t is missing: run 'sudo scripts/deps.sh cluster'" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/xlb-demo-cluster.XXXXXX)
trap cleanup EXIT
trap 'exit 1' INT TERM

# status K: node K's services and whether each VIP is announced.
status() {
	if [ -z "${DPIDS[$1]:-}" ]; then
		say "  n$1: no xlb running"
		return
	fi
	say "  n$1:"
	xlb_on "$1" status --pin-dir "$(pin_of "$1")" | grep -B1 '^  announce:' | grep -v '^--$' | sed 's/^/    /'
}
statuses() { for ((k = 1; k <= NODES; k++)); do status "$k"; done; }
route_is() { [ "$(nexthops "$VIP")" = "$1" ]; }
route_at_router() { tb_exec rt ip route show "$VIP" | sed 's/^/  router: /'; }
# wait_route HOPS: until the router's route to the VIP has these next hops;
# says how long it took.
wait_route() {
	local t0 t1
	t0=$(date +%s%N)
	if wait_until 30 route_is "$1"; then
		t1=$(date +%s%N)
		say "  the router's route changed after $(((t1 - t0) / 1000000)) ms:"
	else
		say "  the router's route did not change in 30 s:"
	fi
	route_at_router
}

# requests: from the client, a round of 10 new HTTP connections every
# 0.3 s (each answered with the member's name), one line per round, until
# $WORK/stop exists or 400 rounds.
requests() {
	local r out good names
	for ((r = 1; r <= 400; r++)); do
		[ -e "$WORK/stop" ] && break
		out=$(client http "$VIP" 80 10 --src "$SRCS")
		good=$(grep -vc '^ERR' <<<"$out")
		names=$(grep -v '^ERR' <<<"$out" | sort | uniq -c | awk '{printf " %s=%d", $2, $1}')
		printf '%s  %2d of 10 answered %s\n' "$(date +%T.%N | cut -c1-12)" "$good" "$names" >>"$WORK/requests.log"
		sleep 0.3
	done
}
# mark_requests, then show_requests SECS: the rounds since the mark and
# those of the next SECS seconds.
REQ_MARK=0
mark_requests() { REQ_MARK=$(wc -l <"$WORK/requests.log"); }
show_requests() {
	sleep "$1"
	tail -n +"$((REQ_MARK + 1))" "$WORK/requests.log" | sed 's/^/  /'
}

bold "1. A testbed of network namespaces"
cluster_up 2>"$WORK/testbed.log" || { say "  the testbed could not be built:"; sed 's/^/  /' "$WORK/testbed.log"; exit 1; }
say "  client  $(tr ',' ' ' <<<"$SRCS")  --  router rt ($RT_CLIENT | $RT_FAB): ECMP, BIRD"
for ((k = 1; k <= NODES; k++)); do
	say "  node n$k  $(node_ip "$k") (to the router), $(node_member_ip "$k") (to the members): xlb + BIRD"
done
for ((k = 1; k <= NODES; k++)); do
	say "  member m$k  $(tb_member_ip "$k"):80  (a web server that answers with its name)"
done

bold "2. The same configuration on every node: one VIP, dnat, Maglev, announced in table $TABLE"
cluster_config "$(svc web "$VIP" 80 80 dnat maglev)" >"$WORK/xlb.yaml"
sed 's/^/  /' "$WORK/xlb.yaml"

bold "3. xlb run on each node: the VIP's route goes into table $TABLE while a member is up"
for ((k = 1; k <= NODES; k++)); do xlb_start "$k"; done
for ((k = 1; k <= NODES; k++)); do
	wait_until 30 node_announces_all "$k" || { say "  n$k did not announce:"; tail -n 5 "$WORK/xlb-n$k.log"; exit 1; }
done
statuses
say "  n1's table $TABLE: $(tb_exec n1 ip route show table "$TABLE")"

bold "4. BIRD on the router and the nodes (examples/bird/, BGP with BFD 100 ms x 3)"
for n in rt n1 n2 n3; do
	routing_conf "$n" && routing_start "$n" || { say "  BIRD did not start in $n"; exit 1; }
done
wait_route "$(all_nodes_hops)"

bold "5. Requests from the client: 10 new connections every 0.3 s, spread over the nodes"
: >"$WORK/requests.log"
requests &
REQ_PID=$!
mark_requests
show_requests 2

bold "6. n3 dies: its links go down, its xlb and BIRD are killed"
mark_requests
ip -n "$(tb_ns n3)" link set u0 down
ip -n "$(tb_ns n3)" link set m0 down
routing_stop n3 KILL
{ kill -9 "${DPIDS[3]}" && wait "${DPIDS[3]}"; } 2>/dev/null
DPIDS[3]=
wait_route "$(hops_of 1 2)"
say "  The requests went on since the kill (a connection the router sent to n3"
say "  before it noticed is retried by the client's TCP and reaches n1 or n2):"
show_requests 2
say "  (m3 still answers: n3 was a balancer, not a member.)"
statuses

bold "7. n3 comes back: xlb first (it announces once its members are up), then BIRD"
mark_requests
"$XLB" stop --pin-dir "$(pin_of 3)" >/dev/null 2>&1
ip -n "$(tb_ns n3)" route flush table main
node_links_up 3
xlb_start 3
wait_until 30 node_announces_all 3 || { say "  n3 did not announce:"; tail -n 5 "$WORK/xlb-n3.log"; }
routing_start n3
wait_route "$(all_nodes_hops)"
show_requests 2
statuses

bold "8. What the client saw"
touch "$WORK/stop"
wait "$REQ_PID" 2>/dev/null
REQ_PID=
awk '{ rounds++; good += $2 } END { printf "  %d rounds, %d of %d requests answered\n", rounds, good, rounds * 10 }' "$WORK/requests.log"
grep -v ' 10 of 10 ' "$WORK/requests.log" | sed 's/^/  not all answered: /'
say "  Every node's own count of new connections: xlb status --json (events.half_open_new)."
say "  How it is set up: docs/operations.md, \"Getting traffic to xlb\"."
