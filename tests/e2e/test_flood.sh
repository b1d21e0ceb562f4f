#!/usr/bin/env bash
# Connection state under attack and at capacity (issue 12), end to end in
# the namespace testbed, counts only (never times):
#
# 1. Bad packets take no state: SYNs from sources that cannot be a client
#    (0.0.0.0, 255.255.255.255, 127.0.0.1, 224.0.0.1, 240.0.0.1, the VIP,
#    the balancer's own snat address; ::, ::1, ff02::1, the IPv6 VIP) and
#    SYNs with a bad IPv4 header checksum are each counted under
#    drop_bad_source / drop_bad_ip_csum, and none makes a new flow.
# 2. A spoofed SYN flood (tests/tools/flood from the client namespace, random
#    sources in 198.19.0.0/16 and random ports) of 20,000 and of 50,000
#    packets/s for 10 s each against a nat, a dnat and a dsr service: >= 99%
#    of a legit client's new connections (HTTP, one per connection) succeed
#    during the flood and in the 5 s after it; 6 long-lived echo connections
#    see no break; the flood's state stays in the half-open table (the
#    connection table grows only by the legit connections' entries, the
#    half-open table holds entries, and `active_connections` counts the open
#    connections only).
# 3. A full table: flow_table_size 1024 (512 nat connections, two entries
#    each) oversubscribed 2x by new connections that stay open, 20 rounds over
#    all of them (a refused one tries again, as clients do), while 20 long-lived
#    connections send every 0.5 s: none of the 20 breaks, nor any connection
#    that got in; the room fills; the others are refused at once (RST:
#    refused at connect or reset at their first exchange, none left to time
#    out), counted under tx_rst_table_full, and the daemon logs one line for
#    the episode.
#
# The spoofed sources never answer: lb routes 198.19.0.0/16 back to the
# client namespace, which has no such address and does not forward, so
# every SYN-ACK for them (translated by xlb for nat and dnat) dies there
# without a RST.  dsr members answer clients themselves: a policy route
# sends everything from the dsr VIP to the client's second link on the
# members' segment (as test_modes does), the spoofed ones too.
#
# Rates: XLB_FLOOD_RATES (default "20000 50000"), the legit client's
# XLB_FLOOD_LEGIT_RATE (50/s).  Under XLB_IN_VM=1 (make vmtest: TCG guests
# run 10-30x slower, and the whole of bpf+e2e has a budget: docs/vmtest.md) the defaults
# are "2000 5000" and 10/s, the same checks at a tenth of the load, floods
# of 5 s with 3 s after them, and the full table kept up for 4 rounds over
# its connections instead of 20.  The generator prints what it sent and the
# rate it reached.  XLB_FLOOD_PARTS (default "bad flood full") runs only
# some of the three parts.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

# What this suite reads from `xlb status --json` and the daemon log, in one
# place to align with the control plane: a dotted path into the JSON,
# reason.NAME (a packets_by_outcome counter) or svc.SERVICE.FIELD.
ST_FLOWS=flow_table.entries          # entries in the connection table
ST_HALF_OPEN=half_open_table.entries # entries in the half-open table
R_NEW_FLOW=reason.tx_new_flow
R_TABLE_FULL=reason.tx_rst_table_full
R_BAD_SOURCE=reason.drop_bad_source
R_BAD_CSUM=reason.drop_bad_ip_csum
LOG_TABLE_FULL='flow table full'     # the daemon's line for a full-table episode
# Connection-table entries per connection: nat keeps a reply entry too.
declare -A ENTRIES_PER_CONN=([nat]=2 [dnat]=1 [dsr]=1)

e2e_mode xlbflood- /sys/fs/bpf/xlbflood
FLOOD=$E2E_BUILD/tests/tools/flood
ECHO_SERVER=$(pwd)/tests/tools/echo_server.py
SRCS=198.18.0.2,198.18.0.3,198.18.0.4,198.18.0.5
SPOOF=198.19.0.0/16
declare -A VIP=([nat]=198.18.2.1 [dnat]=198.18.2.2 [dsr]=198.18.2.3)
VIP6=fd00:2::1
if [ "${XLB_IN_VM:-}" = 1 ]; then
	RATES=${XLB_FLOOD_RATES:-2000 5000}
	LEGIT_RATE=${XLB_FLOOD_LEGIT_RATE:-10}
	FLOOD_SECS=5
	AFTER_SECS=3
	FILL_ROUNDS=4
	FILL_BOUND=150
else
	RATES=${XLB_FLOOD_RATES:-20000 50000}
	LEGIT_RATE=${XLB_FLOOD_LEGIT_RATE:-50}
	FLOOD_SECS=10 # each flood
	AFTER_SECS=5  # the legit load after it
	FILL_ROUNDS=20 # rounds over all the full-table part's connections
	FILL_BOUND=40 # s: a data plane that lets them time out ends it sooner
fi
HELD=6
LEGIT_TIMEOUT=3 # s per connection: one lost SYN (1 s) is not a failure
# The census behind `xlb status` is taken every second: after a pause this
# long, it was taken after the legit load ended.
CENSUS_WAIT=1.5
# The full-table part: nat, 1024 entries = 512 connections.
SMALL_TABLE=1024
LONG_LIVED=20
FILL_PORT=7007
PARTS=" ${XLB_FLOOD_PARTS:-bad flood full} "

e2e_start flood 3 4
[ -x "$FLOOD" ] || { ko flood_generator_built "$FLOOD is not built (make test-build)"; finish; }

# --- the testbed's extra routes -------------------------------------------
# Replies to spoofed sources go back to the client namespace and die there.
ip -n "$(tb_ns lb)" route add "$SPOOF" via "$(tb_client_ip)"
# dsr: the VIP on the members' loopback, and whatever they send from it
# goes to the client's second link on their segment (table 100), never
# through lb; the rest of their traffic still goes via lb.
dsr_setup() {
	local k
	dsr_client_link || return 1
	for k in 1 2 3; do
		dsr_member_vip "$k" "${VIP[dsr]}" || return 1
		ip -n "$(tb_ns "m$k")" route add 198.18.0.0/15 via "$DSR_CLIENT_LINK_IP" table 100
		ip -n "$(tb_ns "m$k")" rule add from "${VIP[dsr]}" lookup 100
	done
}
check testbed_routes_for_spoofed_sources_and_dsr dsr_setup
GW_MAC=$(tb_exec lb ip -br link show l0 | awk '{print $3}')

# flood ARGS...: the generator in the client namespace, out of c0 to lb.
flood() { tb_exec client "$FLOOD" --iface c0 --gw-mac "$GW_MAC" "$@"; }

is_num() { [[ $1 =~ ^[0-9]+$ ]]; }

HC='healthcheck: {type: tcp, interval: 1s, timeout: 800ms, rise: 1, fall: 3}'
pool() { # PORT [6]: members m1..m3 on PORT (6: their IPv6 addresses)
	local k
	for k in 1 2 3; do
		if [ "${2:-}" = 6 ]; then
			printf '      m%d: ["%s", %d]\n' "$k" "$(tb_member_ip6 "$k")" "$1"
		else
			printf '      m%d: [%s, %d]\n' "$k" "$(tb_member_ip "$k")" "$1"
		fi
	done
}
svc() { # NAME VIP PORT MODE [6]
	printf '  - name: %s\n    vip: {ip: "%s", port: %d}\n    forwarding: %s\n    %s\n    members:\n' \
		"$1" "$2" "$3" "$4" "$HC"
	pool "$3" "${5:-}"
}
# start_daemon FILE SERVICES: xlb with FILE, until every member of its
# SERVICES services is UP.
start_daemon() {
	log_mark
	daemon_start "$1" "${MODE_ARGS[@]}"
	wait_log 20 ' member m[1-3] .* UP ' $((3 * $2))
}

# The default table sizes: the flood meets what a user gets.
cat >"$WORK/flood.yaml" <<-YAML
global:
  interfaces: [l0, l1]
services:
$(svc web-nat "${VIP[nat]}" 80 nat)
$(svc echo-nat "${VIP[nat]}" 7 nat)
$(svc web-dnat "${VIP[dnat]}" 80 dnat)
$(svc echo-dnat "${VIP[dnat]}" 7 dnat)
$(svc web-dsr "${VIP[dsr]}" 80 dsr)
$(svc echo-dsr "${VIP[dsr]}" 7 dsr)
$(svc web6-nat "$VIP6" 80 nat 6)
YAML
"$XLB" check "$WORK/flood.yaml" >"$WORK/check.out" 2>&1 ||
	{ ko config_valid "$(cat "$WORK/check.out")"; finish; }
if start_daemon "$WORK/flood.yaml" 7; then
	ok daemon_starts_and_members_come_up
else
	ko daemon_starts_and_members_come_up "$(log_since | tail -n 5)"
	finish
fi

# --- 1. bad packets take no state ---------------------------------------------
BAD_COUNT=50
# bad_syns NAME REASON DST FLOOD-ARGS...: BAD_COUNT SYNs to DST:80, each
# counted under REASON, none a new flow.
bad_syns() {
	local name=$1 reason=$2 dst=$3 before after out
	shift 3
	read -r -a before <<<"$(st - "$reason" "$R_NEW_FLOW")"
	out=$(flood --dst "$dst" --port 80 --rate 1000 --seconds 1 --count "$BAD_COUNT" "$@" 2>&1)
	read -r -a after <<<"$(st - "$reason" "$R_NEW_FLOW")"
	if ! is_num "${before[0]}" || ! is_num "${after[0]}"; then
		ko "$name" "${reason#reason.} is not in xlb status --json; ${R_NEW_FLOW#reason.} +$((after[1] - before[1])) of $BAD_COUNT"
	elif [ $((after[0] - before[0])) = "$BAD_COUNT" ] && [ $((after[1] - before[1])) = 0 ]; then
		ok "$name"
	else
		ko "$name" "expected ${reason#reason.} +$BAD_COUNT and ${R_NEW_FLOW#reason.} +0, got +$((after[0] - before[0])) and +$((after[1] - before[1])) ($out)"
	fi
}
part_bad() {
	local b
	for b in zero broadcast loopback multicast reserved vip; do
		bad_syns "syn_from_${b}_source_dropped_as_bad_source" "$R_BAD_SOURCE" "${VIP[nat]}" --bad-src "$b"
	done
	bad_syns syn_from_the_balancers_snat_address_dropped_as_bad_source "$R_BAD_SOURCE" "${VIP[nat]}" \
		--src "$(tb_lb_member_ip)/32"
	for b in zero loopback multicast vip; do
		bad_syns "ipv6_syn_from_${b}_source_dropped_as_bad_source" "$R_BAD_SOURCE" "$VIP6" --bad-src "$b"
	done
	bad_syns syn_with_bad_ip_header_checksum_dropped_as_bad_csum "$R_BAD_CSUM" "${VIP[nat]}" \
		--src "$SPOOF" --bad-ip-csum
}

# --- 2. spoofed SYN floods --------------------------------------------------
# legit_99 FILE: "ok N failed N" of a load run: at least 99% succeeded (and
# enough were tried for 99% to mean something).
legit_99() {
	local ok failed total
	read -r _ ok _ failed <"$1"
	total=$((ok + failed))
	echo "  $ok of $total new connections succeeded $(sed -n 2p "$1" | cut -c1-200)"
	[ "$total" -ge 10 ] && [ $((ok * 100)) -ge $((total * 99)) ]
}
# legit_attempts FILE: the connections a load run tried.
legit_attempts() { awk 'NR == 1 { n = $2 + $4 } END { print n + 0 }' "$1"; }
# The connection table never holds more entries than before the floods
# (FLOWS_BASE) plus what every legit connection of the floods could hold,
# ENTRIES_PER_CONN each whether or not it has closed since (LEGIT_ENTRIES).
FLOWS_BASE=0
LEGIT_ENTRIES=0
# flood_state_in_half_open FLOWS HALF_OPEN LEGIT_ENTRIES: the connection
# table holds only legit connections, and the half-open table the flood.
flood_state_in_half_open() {
	local flows=$1 half_open=$2 bound=$((FLOWS_BASE + $3))
	echo "  connection table $flows entries (at most $bound: $FLOWS_BASE before the floods" \
		"+ $3 for the legit connections), half-open table $half_open entries"
	is_num "$flows" && is_num "$half_open" && [ "$flows" -le "$bound" ] && [ "$half_open" -gt 0 ]
}
# active_is_open MODE ECHO WEB: the long-lived service counts its HELD
# connections, the flooded one none (its legit connections have closed).
active_is_open() {
	echo "  active_connections: echo-$1 $2 (expected $HELD), web-$1 $3 (expected 0)"
	[ "$2" = "$HELD" ] && [ "$3" = 0 ]
}
held_unbroken() { # FILE COUNT: a hold run kept all COUNT connections
	echo "  $(tail -n 1 "$1")"
	grep -q "^held $2 broken 0 " "$1"
}
# flood_rate MODE RATE: one flood against MODE's web service, a legit load
# during it and after it, and the checks.
flood_rate() {
	local mode=$1 rate=$2 vip=${VIP[$1]} e=${ENTRIES_PER_CONN[$1]} tag=${1}_flood_$2
	local flows half echo web bound lpid
	snap "$WORK/$tag.status0"
	client load "$vip" 80 $((FLOOD_SECS + 30)) --open-loop --rate "$LEGIT_RATE" --src "$SRCS" \
		--timeout "$LEGIT_TIMEOUT" --until-file "$WORK/$tag.stop" >"$WORK/$tag.during" 2>&1 &
	lpid=$!
	flood --dst "$vip" --port 80 --src "$SPOOF" --rate "$rate" --seconds "$FLOOD_SECS" \
		--count $((rate * FLOOD_SECS)) >"$WORK/$tag.flood" 2>&1
	touch "$WORK/$tag.stop"
	wait "$lpid"
	LEGIT_ENTRIES=$((LEGIT_ENTRIES + e * $(legit_attempts "$WORK/$tag.during")))
	bound=$LEGIT_ENTRIES
	sleep "$CENSUS_WAIT" # a census taken after the last legit connection closed
	snap "$WORK/$tag.status1"
	read -r flows half echo web <<<"$(st "$WORK/$tag.status1" "$ST_FLOWS" "$ST_HALF_OPEN" \
		"svc.echo-$mode.active_connections" "svc.web-$mode.active_connections")"
	client load "$vip" 80 "$AFTER_SECS" --open-loop --rate "$LEGIT_RATE" --src "$SRCS" \
		--timeout "$LEGIT_TIMEOUT" >"$WORK/$tag.after" 2>&1
	LEGIT_ENTRIES=$((LEGIT_ENTRIES + e * $(legit_attempts "$WORK/$tag.after")))
	echo "  $(cat "$WORK/$tag.flood")"
	echo "  xlb during the flood: $(outcomes_delta "$WORK/$tag.status0" "$WORK/$tag.status1")"
	check "${tag}_legit_new_connections_99pct_succeed_during" legit_99 "$WORK/$tag.during"
	check "${tag}_legit_new_connections_99pct_succeed_after" legit_99 "$WORK/$tag.after"
	check "${tag}_flood_state_stays_in_the_half_open_table" flood_state_in_half_open "$flows" "$half" "$bound"
	check "${tag}_active_connections_counts_only_open_ones" active_is_open "$mode" "$echo" "$web"
}
# part_flood: every rate against each mode while HELD echo connections of
# that mode stay open.
part_flood() {
	local mode rate hpid
	read -r FLOWS_BASE <<<"$(st - "$ST_FLOWS")"
	is_num "$FLOWS_BASE" || FLOWS_BASE=0
	for mode in nat dnat dsr; do
		echo "  $mode: floods of $RATES packets/s ($SECONDS s into the suite)"
		client hold "${VIP[$mode]}" 7 "$HELD" 120 --src "$SRCS" --until-file "$WORK/$mode.stop-hold" \
			>"$WORK/$mode.hold" 2>&1 &
		hpid=$!
		wait_until 10 grep -q opened "$WORK/$mode.hold"
		LEGIT_ENTRIES=$((LEGIT_ENTRIES + ENTRIES_PER_CONN[$mode] * HELD))
		for rate in $RATES; do flood_rate "$mode" "$rate"; done
		touch "$WORK/$mode.stop-hold"
		wait "$hpid"
		check "${mode}_floods_long_lived_connections_unbroken" held_unbroken "$WORK/$mode.hold" "$HELD"
	done
}

# --- 3. a full table ------------------------------------------------------------
# excess_refused FILL ROOM: the fill's counts ("open N attempts N refused N
# reset_first N broken N timed_out N rounds N"): the room filled and stayed
# filled, what got in never broke, what did not was refused at once and
# none waited for a timeout.
excess_refused() {
	local fill=$1 room=$2 open attempts refused reset broken timed_out rounds
	read -r _ open _ attempts _ refused _ reset _ broken _ timed_out _ rounds <<<"$(tail -n 1 "$WORK/fill.out")"
	echo "  $fill connections kept up for $rounds of $FILL_ROUNDS rounds, room for $room:" \
		"open at the end $open; $attempts connects: refused $refused, reset at first" \
		"exchange $reset, timed out $timed_out; broken after an exchange $broken"
	REFUSALS=$((refused + reset))
	[ "$rounds" = "$FILL_ROUNDS" ] && [ "$broken" = 0 ] && [ "$timed_out" = 0 ] &&
		[ "$open" -le "$room" ] && [ "$open" -ge $((room - 4)) ] && [ "$REFUSALS" -ge $((fill - room)) ]
}
refusals_counted() { # BEFORE AFTER: tx_rst_table_full counted every refusal
	echo "  ${R_TABLE_FULL#reason.}: $1 -> $2; refusals seen by the client: $REFUSALS"
	is_num "$1" && is_num "$2" && [ "$REFUSALS" -gt 0 ] && [ $(($2 - $1)) -ge "$REFUSALS" ]
}
logged_once() {
	local lines
	lines=$(log_since | grep -E "$LOG_TABLE_FULL")
	echo "  $(grep -c . <<<"$lines") line(s) matching '$LOG_TABLE_FULL': $(head -n 2 <<<"$lines")"
	[ "$(grep -c . <<<"$lines")" = 1 ] && grep -q "$SMALL_TABLE" <<<"$lines" &&
		grep -q flow_table_size <<<"$lines"
}
# part_full: xlb again with a flow table of SMALL_TABLE entries, twice as
# many nat connections kept up as fit, LONG_LIVED connections among them.
part_full() {
	local room=$((SMALL_TABLE / ENTRIES_PER_CONN[nat] - LONG_LIVED)) k rst0 rst1 hpid
	local fill=$((2 * SMALL_TABLE / ENTRIES_PER_CONN[nat] - LONG_LIVED))
	daemon_stop
	xlb_stop_quiet
	for k in 1 2 3; do
		tb_exec "m$k" /usr/bin/python3 "$ECHO_SERVER" "$FILL_PORT" 300 >>"$WORK/m$k-echo.log" 2>&1 &
		E2E_PIDS+=($!)
	done
	cat >"$WORK/small.yaml" <<-YAML
	global:
	  interfaces: [l0, l1]
	  flow_table_size: $SMALL_TABLE
	services:
	$(svc echo-nat "${VIP[nat]}" 7 nat)
	$(svc fill-nat "${VIP[nat]}" "$FILL_PORT" nat)
	YAML
	if start_daemon "$WORK/small.yaml" 2; then
		ok small_table_daemon_starts_and_members_come_up
	else
		ko small_table_daemon_starts_and_members_come_up "$(log_since | tail -n 5)"
		return
	fi
	read -r rst0 <<<"$(st - "$R_TABLE_FULL")"
	log_mark
	client hold "${VIP[nat]}" 7 "$LONG_LIVED" 120 --interval 0.5 --src "$SRCS" \
		--until-file "$WORK/stop-full" >"$WORK/long.hold" 2>&1 &
	hpid=$!
	wait_until 10 grep -q opened "$WORK/long.hold"
	# Twice the room, FILL_ROUNDS times over with 0.1 s between rounds (the
	# long-lived ones exchange several times meanwhile); refused connections
	# try again.
	client fill "${VIP[nat]}" "$FILL_PORT" "$fill" "$FILL_BOUND" --rounds "$FILL_ROUNDS" \
		--interval 0.1 --src "$SRCS" >"$WORK/fill.out" 2>&1
	touch "$WORK/stop-full"
	wait "$hpid"
	read -r rst1 <<<"$(st - "$R_TABLE_FULL")"
	check full_table_long_lived_connections_unbroken held_unbroken "$WORK/long.hold" "$LONG_LIVED"
	check full_table_excess_new_connections_refused_at_once excess_refused "$fill" "$room"
	check full_table_refusals_counted_under_tx_rst_table_full refusals_counted "$rst0" "$rst1"
	check full_table_episode_logged_once_with_size_and_knob logged_once
}

for part in bad flood full; do
	[[ $PARTS == *" $part "* ]] || continue
	echo "  part $part ($SECONDS s into the suite)"
	"part_$part"
done
finish
