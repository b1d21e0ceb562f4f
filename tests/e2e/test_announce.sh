#!/usr/bin/env bash
# Route announcement end to end (global: announce:), in the namespace
# testbed: xlb in lb keeps a blackhole route of protocol 248 per served VIP
# in table 1234 of lb's namespace, never in its main table.  The route
# appears when members come up, goes at once when the last serving member
# goes (with min_members 2: when one of two goes), comes back after
# up_delay, survives a restart of the daemon without one deletion (`ip
# monitor` counts them), follows a reload, and `xlb stop` removes them all.
# Then real BIRD (examples/bird/) on lb learns table 1234 and announces it
# over BGP to BIRD in a router namespace, whose main table gains the VIP
# via lb while it is served and loses it when not.  Also the first-contact
# warnings of `xlb run`.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlban-
PIN=/sys/fs/bpf/xlban
MODE_ARGS=()
TABLE=1234
VIP=198.18.2.1       # web: min_members 1 (the default), no up-delay
VIP2=198.18.2.2      # web2: min_members 2, up_delay UP_DELAY seconds
# Long enough for a status read inside it: a TCG guest (make vmtest) can
# take seconds between the daemon's log line and the command.
if [ "${XLB_IN_VM:-}" = 1 ]; then UP_DELAY=10; else UP_DELAY=3; fi
VIP6=fd00:20::1      # web6
ONLINK=198.18.0.100  # inside l0's subnet, on no interface: a warning
HC_PORT=8081         # members are UP while a listener runs here
LB_RT=198.18.3.1 RT=198.18.3.2

e2e_start announce 2 1

# ---- helpers -----------------------------------------------------------------

# Members are UP while their health listener (hc_up, lib.sh) runs.
up_member() { hc_up "$1" "$HC_PORT"; }
down_member() { hc_down "$1"; }

# xlb's routes in lb: "VIP" per line, from table TABLE (proto 248 only).
routes() {
	tb_exec lb ip -o route show table "$TABLE" proto 248 | awk '{print $2}'
	tb_exec lb ip -o -6 route show table "$TABLE" proto 248 | awk '{print $2}'
}
# (Not `routes | grep -q`: grep would stop reading, and pipefail fail it.)
has_route() { local r; r=$(routes); grep -qx "$1" <<<"$r"; }
no_route() { ! has_route "$1"; }
# Each route as the kernel lists it: blackhole, proto 248, in TABLE.
route_line() { tb_exec lb ip route show table "$TABLE" "$1"; }

status_json() { xlb_in_lb status --pin-dir "$PIN" --json; }
# announce_of SERVICE: "STATE ROUTE TEXT" from `xlb status --json`.
announce_of() {
	status_json | /usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s["name"] == sys.argv[1]:
        a = s["announce"]
        print(a["state"], "route" if a["route"] else "noroute", a["text"])' "$1"
}

yaml_members() { # PORT
	printf '      m1: [%s, %s]\n      m2: [%s, %s]\n' "$(tb_member_ip 1)" "$1" "$(tb_member_ip 2)" "$1"
}
yaml_members6() {
	printf '      m1: ["%s", 80]\n      m2: ["%s", 80]\n' "$(tb_member_ip6 1)" "$(tb_member_ip6 2)"
}
# write_config [ANNOUNCE_OF_WEB]: four services; web's announce line can
# be changed (a reload).
write_config() {
	local hc="healthcheck: {type: tcp, port: $HC_PORT, interval: 200ms, timeout: 100ms, rise: 1, fall: 1}"
	cat >"$WORK/xlb.yaml" <<-YAML
	global:
	  interfaces: [l0, l1]
	  flow_table_size: $E2E_FLOW_TABLE_SIZE
	  announce: {table: $TABLE}
	services:
	  - name: web
	    vip: {ip: $VIP, port: 80}
	    $hc
	    ${1:-announce: true}
	    members:
	$(yaml_members 80)
	  - name: web2
	    vip: {ip: $VIP2, port: 80}
	    $hc
	    announce: {min_members: 2, up_delay: ${UP_DELAY}s}
	    members:
	$(yaml_members 80)
	  - name: web6
	    vip: {ip: "$VIP6", port: 80}
	    $hc
	    members:
	$(yaml_members6)
	  - name: onlink
	    vip: {ip: $ONLINK, port: 80}
	    $hc
	    announce: false
	    members:
	$(yaml_members 80)
	YAML
}

# ---- the daemon and its routes --------------------------------------------------

# Every route change in lb's namespace, for the restart check.
(in_node lb ip monitor route) >"$WORK/monitor.log" 2>&1 &
MONITOR_PID=$!
E2E_PIDS+=($MONITOR_PID)

up_member 1
up_member 2
write_config
"$XLB" check "$WORK/xlb.yaml" >"$WORK/check.out" 2>&1 || { ko config_valid "$(cat "$WORK/check.out")"; finish; }
log_mark
daemon_start "$WORK/xlb.yaml"
if wait_log 10 "$VIP: announced \(route in table $TABLE\)" && wait_log 5 "$VIP6: announced"; then
	ok route_appears_when_members_come_up
else
	ko route_appears_when_members_come_up "$(log_since | tail -n 5)"
	finish
fi

route_is_blackhole_proto_248() {
	local v4 v6
	v4=$(route_line "$VIP")
	v6=$(tb_exec lb ip -6 route show table "$TABLE" "$VIP6")
	[[ $v4 == "blackhole $VIP proto 248 "* ]] && [[ $v6 == "blackhole $VIP6 dev lo proto 248 "* ]] ||
		{ echo "  table $TABLE: '$v4' '$v6'"; return 1; }
}
check route_is_a_blackhole_host_route_of_protocol_248 route_is_blackhole_proto_248

never_in_main() {
	local main all
	main=$(tb_exec lb ip route show table main; tb_exec lb ip -6 route show table main)
	all=$(tb_exec lb ip route show table all proto 248; tb_exec lb ip -6 route show table all proto 248)
	! grep -qE "$VIP|$VIP2|$VIP6" <<<"$main" || { echo "  main: $main"; return 1; }
	# Every route of protocol 248 anywhere is in TABLE.
	[ -n "$all" ] && ! grep -v "table $TABLE" <<<"$all" | grep -q . || { echo "  all: $all"; return 1; }
}
check routes_only_in_the_table_named_never_main never_in_main
check a_service_with_announce_false_gets_no_route no_route "$ONLINK"

# First contact: a VIP in l0's subnet that no one answers ARP for, and the
# veth interfaces in native XDP mode.
check warns_vip_in_an_interface_subnet log_has \
	"service onlink: VIP $ONLINK is inside l0's subnet 198.18.0.0/24 but is no address of this host: clients on that subnet will ARP for it and nothing answers: add the VIP to an interface, or set global.announce.l2: true"
check warns_veth_in_native_xdp_mode log_has \
	'l0: a veth interface in native XDP mode: its peer may send partial checksums.*ethtool -K PEER tx off.*--mode tc'

# web2: two members serve, so after 3 s of it its VIP is announced; not
# before (status says why).
if wait_log 10 "web2: 2 serving members \(2 needed\): $VIP2 is announced in ${UP_DELAY}s"; then
	ok up_delay_is_logged_when_min_members_serve
else
	ko up_delay_is_logged_when_min_members_serve "$(log_since | tail -n 5)"
fi
during_delay() {
	local a
	a=$(announce_of web2)
	[[ $a =~ ^up_delay\ noroute\ not\ announced:\ up-delay\ [0-9]+\ s\ left$ ]] && no_route "$VIP2" ||
		{ echo "  status: '$a', routes: $(routes | tr '\n' ' ')"; return 1; }
}
check during_up_delay_no_route_and_status_says_so during_delay
if wait_until $((UP_DELAY + 7)) has_route "$VIP2"; then ok route_comes_after_up_delay; else ko route_comes_after_up_delay; fi
check status_says_announced_after_up_delay \
	test "$(announce_of web2)" = "announced route announced (route in table $TABLE)"

# ---- BIRD: lb learns table 1234 and tells a router over BGP ------------------

# A router namespace on a link of its own to lb.
RT_NS=$(tb_ns rt)
router_up() {
	ip netns add "$RT_NS" &&
		ip -n "$(tb_ns lb)" link add b0 type veth peer name r0 netns "$RT_NS" &&
		ip -n "$(tb_ns lb)" addr add "$LB_RT/24" dev b0 && ip -n "$(tb_ns lb)" link set b0 up &&
		ip -n "$RT_NS" addr add "$RT/24" dev r0 && ip -n "$RT_NS" link set r0 up &&
		ip -n "$RT_NS" link set lo up
}
bird_start() { # NODE CONF NAME
	(in_node "$1" bird -f -c "$2" -s "$WORK/$3.ctl" -P "$WORK/$3.pid") >"$WORK/$3.log" 2>&1 &
	E2E_PIDS+=($!)
}
router_has() { tb_exec rt ip route show "$1" | grep -q "^$1 via $LB_RT dev r0 proto bird"; }
router_lacks() { ! tb_exec rt ip route show "$1" | grep -q .; }

if ! command -v bird >/dev/null 2>&1; then
	skip bird_learns_and_announces "bird is not installed (scripts/deps.sh test installs bird2)"
elif ! router_up; then
	ko router_namespace_up
elif ! bird_conf examples/bird/xlb-node.conf "$WORK/node.conf" XLB_TABLE="$TABLE" \
	ROUTER_ID="$LB_RT" LOCAL_ADDR="$LB_RT" PEER_ADDR="$RT" ||
	! bird_conf examples/bird/router.conf "$WORK/router.conf" ROUTER_ID="$RT" NODE1="$LB_RT"; then
	ko bird_configs_from_examples
else
	bird_start lb "$WORK/node.conf" node
	bird_start rt "$WORK/router.conf" router
	if wait_until 15 router_has "$VIP" && router_has "$VIP2"; then
		ok router_learns_served_vips_over_bgp
	else
		ko router_learns_served_vips_over_bgp "router: $(tb_exec rt ip route | tr '\n' ';') $(birdc -s "$WORK/router.ctl" show protocols 2>&1 | tail -n 2 | tr '\n' ' ')"
	fi
fi

# ---- health and drains move the routes ----------------------------------------

# min_members 2: one of two goes, web2's route goes at once; web keeps its.
log_mark
down_member 2
if wait_log 5 "$VIP2: withdrawn \(route removed from table $TABLE\): web2: 1 of 2 serving members needed"; then
	ok min_members_2_withdraws_when_one_of_two_goes
else
	ko min_members_2_withdraws_when_one_of_two_goes "$(log_since | tail -n 3)"
fi
check other_vip_keeps_its_route_with_one_member_left has_route "$VIP"
check status_says_one_of_two_needed \
	test "$(announce_of web2)" = "too_few_members noroute not announced: 1 of 2 serving members needed"
[ -S "$WORK/router.ctl" ] && check router_loses_the_withdrawn_vip wait_until 5 router_lacks "$VIP2"

# Back: after the up-delay, not before.
log_mark
up_member 2
if wait_log 5 "web2: 2 serving members \(2 needed\): $VIP2 is announced in ${UP_DELAY}s"; then
	check no_route_during_the_up_delay_after_a_return no_route "$VIP2"
	if wait_until $((UP_DELAY + 7)) has_route "$VIP2"; then ok route_comes_back_after_up_delay; else ko route_comes_back_after_up_delay; fi
else
	ko member_back_starts_the_up_delay "$(log_since | tail -n 3)"
fi

# The last serving member of web goes (drained): its route goes at once.
xlb_in_lb drain web m1 --pin-dir "$PIN" >/dev/null
check route_stays_while_one_member_serves has_route "$VIP"
log_mark
xlb_in_lb drain web m2 --pin-dir "$PIN" >/dev/null
if wait_log 5 "$VIP: withdrawn \(route removed from table $TABLE\): web: 0 of 1 serving members needed"; then
	ok route_goes_with_the_last_serving_member
else
	ko route_goes_with_the_last_serving_member "$(log_since | tail -n 3)"
fi
check route_of_the_drained_vip_is_gone no_route "$VIP"
[ -S "$WORK/router.ctl" ] && check router_loses_the_vip_of_the_drained_service wait_until 5 router_lacks "$VIP"
xlb_in_lb enable web m1 --pin-dir "$PIN" >/dev/null
check route_back_with_a_serving_member wait_until 5 has_route "$VIP"
[ -S "$WORK/router.ctl" ] && check router_gains_the_vip_again wait_until 5 router_has "$VIP"
xlb_in_lb enable web m2 --pin-dir "$PIN" >/dev/null

# ---- restart: not one route deleted or re-added --------------------------------

monitor_lines() { grep -cE "$VIP|$VIP2|$VIP6" "$WORK/monitor.log" || true; }
# monitor_barrier N: a route of another table added and deleted; once the
# monitor has printed it, it has printed every change before it (one
# socket delivers the kernel's notifications in order).
monitor_barrier() {
	tb_exec lb ip route add blackhole 198.18.3.$1/32 table 4321
	tb_exec lb ip route del blackhole 198.18.3.$1/32 table 4321
	wait_until 5 grep -q "^Deleted blackhole 198.18.3.$1 table 4321" "$WORK/monitor.log"
}
monitor_barrier 101
before=$(monitor_lines)
daemon_stop
log_mark
daemon_start "$WORK/xlb.yaml"
# Its first apply, which reconciles the table, is over before it runs.
wait_log 10 'running: ' || ko restart_runs "$(log_since | tail -n 3)"
monitor_barrier 102
restart_keeps_routes() {
	local after
	after=$(monitor_lines)
	[ "$after" = "$before" ] && has_route "$VIP" && has_route "$VIP2" && has_route "$VIP6" ||
		{ echo "  route events before $before, after $after:"; tail -n 5 "$WORK/monitor.log"; return 1; }
}
check restart_neither_deletes_nor_readds_a_route_that_stays restart_keeps_routes
check restart_logs_the_routes_it_continues log_has "table $TABLE holds 3 routes of xlb: each one still announced stays"

# ---- reload -------------------------------------------------------------------

log_mark
write_config "announce: false"
daemon_signal HUP
if wait_log 5 "$VIP: withdrawn \(route removed from table $TABLE\): web: announce off"; then
	ok reload_to_announce_false_withdraws
else
	ko reload_to_announce_false_withdraws "$(log_since | tail -n 3)"
fi
check status_says_announce_off test "$(announce_of web)" = "off noroute not announced: announce off"
write_config
daemon_signal HUP
check reload_back_announces_again wait_until 5 has_route "$VIP"

# ---- stop ----------------------------------------------------------------------

daemon_stop
check routes_stay_when_the_daemon_exits has_route "$VIP"
# With no daemon, a drain that leaves web2 one of its two members withdraws
# its VIP at once (the command does it); the others stay.
xlb_in_lb drain web2 m1 --pin-dir "$PIN" >"$WORK/drain.out" 2>&1
drain_withdraws() {
	no_route "$VIP2" && has_route "$VIP" && grep -q "web2: VIP $VIP2 withdrawn" "$WORK/drain.out" ||
		{ echo "  routes: $(routes | tr '\n' ' ') $(cat "$WORK/drain.out")"; return 1; }
}
check without_daemon_a_drain_below_min_members_withdraws drain_withdraws
xlb_in_lb stop --pin-dir "$PIN" >"$WORK/stop.out" 2>&1
stop_withdraws() {
	[ -z "$(routes)" ] && grep -q "VIP routes withdrawn from table $TABLE" "$WORK/stop.out" ||
		{ echo "  left: $(routes | tr '\n' ' ') $(cat "$WORK/stop.out")"; return 1; }
}
check stop_removes_every_route stop_withdraws
no_errors() {
	[ "$(log_count ' error: ')" = 0 ] || { grep ' error: ' "$DLOG" | head -n 3 | sed 's/^/  /'; return 1; }
}
check daemon_logged_no_error_in_any_run no_errors
[ -S "$WORK/router.ctl" ] && check router_loses_every_vip_after_stop \
	wait_until 5 eval 'router_lacks "$VIP" && router_lacks "$VIP2"'
finish
