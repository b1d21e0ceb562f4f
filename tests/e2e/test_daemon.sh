#!/usr/bin/env bash
# The daemon end to end in the namespace testbed: a client, xlb in lb on
# both of its links, four members with real servers.  Exact counts:
# round-robin spread, failover, recovery, reload and restart under load with
# zero failed connections, a bad file on reload, UDP and IPv6 services, and
# BTF field names in the pinned maps.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

# XLB_E2E_MODE=tc: every check again with the tc programs.
e2e_mode xlbe2e- /sys/fs/bpf/xlbe2e
VIP=198.18.2.1
VIP6=fd00:20::1
SRCS=198.18.0.2,198.18.0.3,198.18.0.4,198.18.0.5

e2e_start daemon 4 4

# members_cfg M...: the pool lines for members mK (HTTP :80 / echo :7).
pool() {
	local port=$1 k
	shift
	for k in "$@"; do
		printf '      m%d: [%s, %d]\n' "$k" "$(tb_member_ip "$k")" "$port"
	done
}
pool6() {
	local port=$1 k
	shift
	for k in "$@"; do
		printf '      m%d: ["%s", %d]\n' "$k" "$(tb_member_ip6 "$k")" "$port"
	done
}
# write_config FILE MEMBERS...: web (HTTP), echo (TCP), udp-echo, web6.
write_config() {
	local file=$1
	shift
	cat >"$file" <<-YAML
	global:
	  interfaces: [l0, l1]
	  flow_table_size: $E2E_FLOW_TABLE_SIZE
	services:
	  - name: web
	    vip: {ip: $VIP, port: 80}
	    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}
	    members:
	$(pool 80 "$@")
	  - name: echo
	    vip: {ip: $VIP, port: 7}
	    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}
	    members:
	$(pool 7 "$@")
	  - name: udp-echo
	    vip: {ip: $VIP, port: 7}
	    protocol: udp
	    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}
	    members:
	$(pool 7 "$@")
	  - name: web6
	    vip: {ip: "$VIP6", port: 80}
	    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}
	    members:
	$(pool6 80 "$@")
	YAML
}
write_config "$WORK/xlb.yaml" 1 2 3
"$XLB" check "$WORK/xlb.yaml" >"$WORK/check.out" 2>&1 ||
	{ ko config_valid "$(cat "$WORK/check.out")"; finish; }

log_mark
daemon_start "$WORK/xlb.yaml" "${MODE_ARGS[@]}"
# 4 services x 3 members, each UP after its first good check.
if wait_log 20 ' member m[1-3] .* UP ' 12; then
	ok daemon_starts_and_members_come_up
else
	ko daemon_starts_and_members_come_up "$(log_since | tail -n 5)"
	finish
fi

# The mode asked for is the one serving: xlb status says it, and the
# kernel has xlb's programs on that hook of both links, not on the other.
mode_in_use() {
	local st
	st=$(xlb_in_lb status --pin-dir "$PIN" 2>&1 | head -n 3)
	if [ "$MODE" = tc ]; then
		grep -q 'l0 (tc), l1 (tc)' <<<"$st" || { echo "  $st"; return 1; }
		for l in l0 l1; do
			for dir in ingress egress; do
				tb_exec lb tc filter show dev "$l" "$dir" | grep -q "xlb_tc_$dir" ||
					{ echo "  no xlb filter on $l $dir"; return 1; }
			done
			! tb_exec lb ip link show "$l" | grep -q ' xdp' || { echo "  XDP on $l"; return 1; }
		done
	else
		grep -qE 'l0 \((native|generic) XDP\), l1 \((native|generic) XDP\)' <<<"$st" ||
			{ echo "  $st"; return 1; }
		! tb_exec lb tc filter show dev l0 ingress | grep -q xlb || { echo "  a tc filter on l0"; return 1; }
	fi
}
check "status_shows_${MODE}_mode_and_the_kernel_agrees" mode_in_use

# 1. Spread: 300 new connections, exactly 100 per member, in turn.
spread() {
	local out counts
	out=$(client http "$VIP" 80 300 --src "$SRCS")
	counts=$(sort <<<"$out" | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')
	[ "$counts" = "m1=100 m2=100 m3=100 " ] || { echo "  counts: $counts"; return 1; }
	# Round-robin order: every answer repeats the one three before.
	awk 'NR > 3 && $0 != prev[(NR - 1) % 3] { bad = 1 } { prev[(NR - 1) % 3] = $0 }
	     END { exit bad }' <<<"$out" || { echo "  not in turn: $(head -n 9 <<<"$out" | tr '\n' ' ')"; return 1; }
}
check spread_300_connections_100_per_member_in_turn spread

# 7. UDP and IPv6 services.
# A TCG guest (XLB_IN_VM=1) runs 10-30x slower: each answer may take 10 s
# there.  A failure shows what xlb did with the packets meanwhile.
if [ "${XLB_IN_VM:-}" = 1 ]; then UDP_TIMEOUT=10; else UDP_TIMEOUT=2; fi
udp_works() {
	local out
	snap "$WORK/udp.status0"
	out=$(client udp "$VIP" 7 30 --src "$SRCS" --timeout "$UDP_TIMEOUT")
	[ "$out" = "ok 30 failed 0" ] && return
	snap "$WORK/udp.status1"
	echo "  $out; xlb meanwhile: $(outcomes_delta "$WORK/udp.status0" "$WORK/udp.status1")"
	return 1
}
check udp_service_30_exchanges udp_works
ipv6_spread() {
	local out counts
	out=$(client http "$VIP6" 80 30 --src fd00:18::2,fd00:18::3)
	counts=$(sort <<<"$out" | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')
	[ "$counts" = "m1=10 m2=10 m3=10 " ] || { echo "  counts: $counts"; return 1; }
}
check ipv6_service_spreads_30_connections ipv6_spread

# 8. The pinned maps carry BTF: bpftool prints field names.
btf_names() {
	local out
	out=$(bpftool map dump pinned "$PIN/xlb_services" 2>&1)
	grep -q '"vip"' <<<"$out" && grep -q '"generation"' <<<"$out" ||
		{ echo "  $(head -c 300 <<<"$out")"; return 1; }
}
check bpftool_dump_shows_field_names btf_names

# 2. Failover: m2's web server stops under a steady load.
m2_http_pid() { awk '$3 == "m2-http" {print $1}' "$(tb_state)/pids"; }
log_mark
client load "$VIP" 80 6 --rate 40 --src "$SRCS" >"$WORK/load1.out" 2>&1 &
lpid=$!
sleep 1
kill "$(m2_http_pid)"
if wait_log 10 'web: member m2 .* DOWN '; then
	ok failover_marks_member_down
else
	ko failover_marks_member_down "$(log_since | tail -n 3)"
fi
wait "$lpid"
echo "  during detection: $(head -n 1 "$WORK/load1.out") (fall 2 x interval 500ms + timeout 300ms)"
after_failover() {
	local out
	out=$(client load "$VIP" 80 3 --rate 40 --src "$SRCS")
	head -n 1 <<<"$out" | grep -qE '^ok [1-9][0-9]* failed 0$' &&
		! grep -q '"m2"' <<<"$out" || { echo "  $out"; return 1; }
}
check after_failover_no_failures_and_nothing_to_m2 after_failover
status_shows_down() {
	xlb_in_lb status --pin-dir "$PIN" >"$WORK/status.out" 2>&1
	grep -E '^ +m2 ' "$WORK/status.out" | grep -q DOWN || { cat "$WORK/status.out"; return 1; }
}
check status_shows_m2_down status_shows_down

# 3. Recovery: m2's server back; after `rise` good checks it serves again.
log_mark
tb_exec m2 /usr/bin/python3 -m http.server 80 --bind :: --directory "$(tb_state)/www/m2" \
	>>"$(tb_state)/logs/m2-http.log" 2>&1 &
E2E_PIDS+=($!)
if wait_log 10 'web: member m2 .* UP \(2/2 checks passed'; then
	ok recovery_after_rise_checks
else
	ko recovery_after_rise_checks "$(log_since | tail -n 3)"
fi
back_in_rotation() {
	local out
	out=$(client http "$VIP" 80 30 --src "$SRCS")
	[ "$(grep -c '^m2$' <<<"$out")" = 10 ] || { echo "  $(sort <<<"$out" | uniq -c | tr '\n' ' ')"; return 1; }
}
check recovered_member_gets_its_share back_in_rotation

# 4. Reload under load: long-lived echo connections and a stream of short
# ones; m4 joins, m3 leaves; nothing fails, m3's connections go on.
stop_file=$WORK/stop-hold
client hold "$VIP" 7 9 30 --src "$SRCS" --until-file "$stop_file" >"$WORK/hold.out" 2>&1 &
hpid=$!
client load "$VIP" 80 30 --rate 30 --src "$SRCS" --until-file "$stop_file" >"$WORK/load2.out" 2>&1 &
lpid=$!
wait_until 5 grep -q opened "$WORK/hold.out"
# The census counts the held connections: echo's 9, three per member, each
# holding one NAT port; the daemon sweeps, status runs no sweep itself.
held_in_status() {
	xlb_in_lb status --json --pin-dir "$PIN" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
echo = [x for x in s["services"] if x["name"] == "echo"][0]
per_addr = s["nat_ports_per_address"]
assert s["sweep"]["census"] and not s["sweep"]["by_this_command"] and s["sweep"]["error"] is None, s["sweep"]
assert echo["active_connections"] == 9 and echo["established"] == 9, echo
assert echo["nat_ports_in_use"] == 9, echo
for m in echo["members"]:
    assert m["active_connections"] == 3 and m["established"] == 3, m
    assert m["nat_ports"]["in_use"] == 3, m
    assert m["nat_ports"]["in_use"] + m["nat_ports"]["free"] == per_addr, (m, per_addr)
assert s["connections"]["established"] >= 9, s["connections"]
assert s["flow_table"]["max_entries"] == 65536 and s["flow_table"]["entries"] >= 18, s["flow_table"]
assert not s["flow_table"]["full"] and s["refused"]["total"] == 0, (s["flow_table"], s["refused"])
assert s["half_open_table"]["max_entries"] >= 1024, s["half_open_table"]
' >"$WORK/held.out" 2>&1
}
if wait_until 5 held_in_status; then
	ok status_counts_each_held_connection_once_with_its_nat_port
else
	held_in_status
	ko status_counts_each_held_connection_once_with_its_nat_port "$(tail -n 3 "$WORK/held.out")"
fi
write_config "$WORK/xlb.yaml" 1 2 4
log_mark
daemon_signal HUP
wait_log 10 'web: member m4 .* UP ' || ko reload_adds_member "$(log_since | tail -n 3)"
wait_log 10 'echo: member m4 .* UP '
check reload_logs_removed_member log_has 'web: member m3 removed'
touch "$stop_file"
wait "$hpid" "$lpid"
client http "$VIP" 80 30 --src "$SRCS" >"$WORK/after-reload.out"
reload_no_failures() {
	grep -q '^held 9 broken 0' "$WORK/hold.out" && grep -qE '^ok [1-9][0-9]* failed 0$' "$WORK/load2.out" ||
		{ echo "  $(cat "$WORK/hold.out" "$WORK/load2.out" | tr '\n' ' ')"; return 1; }
}
check reload_under_load_zero_failed_connections reload_no_failures
new_pool_after_reload() {
	local counts
	counts=$(sort "$WORK/after-reload.out" | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')
	[ "$counts" = "m1=10 m2=10 m4=10 " ] || { echo "  counts: $counts"; return 1; }
}
check reload_new_connections_go_to_the_new_pool new_pool_after_reload

# 6. A bad file on reload: errors logged, the old configuration serves.
cp "$WORK/xlb.yaml" "$WORK/good.yaml"
printf 'services:\n  - name: web\n    vip: {ip: 198.18.2.1, port: 99999}\n' >"$WORK/xlb.yaml"
log_mark
daemon_signal HUP
if wait_log 5 'reload refused'; then ok bad_reload_is_refused; else ko bad_reload_is_refused; fi
check bad_reload_logs_the_error_with_position log_has 'xlb.yaml:3:[0-9]+: .*port'
still_serving() {
	local out
	out=$(client http "$VIP" 80 6 --src "$SRCS")
	! grep -q ERR <<<"$out" || { echo "  $out"; return 1; }
}
check old_config_serves_after_bad_reload still_serving
cp "$WORK/good.yaml" "$WORK/xlb.yaml"

# 5. Restart under load: kill -9, start again; nothing fails, held
# connections go on, round-robin continues where it was.
rm -f "$stop_file"
client hold "$VIP" 7 6 30 --src "$SRCS" --until-file "$stop_file" >"$WORK/hold2.out" 2>&1 &
hpid=$!
client load "$VIP" 80 30 --rate 30 --src "$SRCS" --until-file "$stop_file" >"$WORK/load3.out" 2>&1 &
lpid=$!
wait_until 5 grep -q opened "$WORK/hold2.out"
daemon_kill9
sleep 1
log_mark
daemon_start "$WORK/xlb.yaml" "${MODE_ARGS[@]}"
wait_log 10 'running: ' || ko restart_daemon_runs "$(log_since | tail -n 3)"
sleep 2
touch "$stop_file"
wait "$hpid" "$lpid"
restart_no_failures() {
	grep -q '^held 6 broken 0' "$WORK/hold2.out" && grep -qE '^ok [1-9][0-9]* failed 0$' "$WORK/load3.out" ||
		{ echo "  $(cat "$WORK/hold2.out" "$WORK/load3.out" | tr '\n' ' ')"; return 1; }
}
check restart_under_load_zero_failed_connections restart_no_failures
no_member_restarted_pending() { ! log_has 'member m[124] .* UP \(first check'; }
check restart_adopts_health_state no_member_restarted_pending

# Without other traffic: the data plane balances while no daemon runs, and
# the round-robin position survives a restart: nine connections, three
# before the kill, three with no daemon, three after the restart, are three
# full turns in one order.
client http "$VIP" 80 3 --src "$SRCS" >"$WORK/rr.out"
daemon_kill9
client http "$VIP" 80 3 --src "$SRCS" >>"$WORK/rr.out"
log_mark
daemon_start "$WORK/xlb.yaml" "${MODE_ARGS[@]}"
wait_log 10 'running: '
client http "$VIP" 80 3 --src "$SRCS" >>"$WORK/rr.out"
rr_continues() {
	[ "$(sort -u "$WORK/rr.out" | tr '\n' ' ')" = "m1 m2 m4 " ] &&
		awk 'NR > 3 && $0 != prev[(NR - 1) % 3] { bad = 1 } { prev[(NR - 1) % 3] = $0 }
		     END { exit bad || NR != 9 }' "$WORK/rr.out" ||
		{ echo "  $(tr '\n' ' ' <"$WORK/rr.out")"; return 1; }
}
check restart_round_robin_continues_in_turn rr_continues

daemon_stop
check stop_removes_pins xlb_in_lb stop --pin-dir "$PIN"
nothing_attached() {
	local l
	for l in l0 l1; do
		! tb_exec lb tc filter show dev "$l" ingress | grep -q xlb &&
			! tb_exec lb tc filter show dev "$l" egress | grep -q xlb &&
			! tb_exec lb ip link show "$l" | grep -q ' xdp' || { echo "  still attached to $l"; return 1; }
	done
}
check stop_leaves_nothing_attached nothing_attached
finish
