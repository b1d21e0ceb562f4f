#!/usr/bin/env bash
# Day-to-day commands against a running daemon with traffic: `xlb top`
# inside tmux (as a person sees it: services, members, a non-zero rate of
# new connections while a load runs, q quits with exit 0), its form for a
# pipe (one block per interval, exactly --count of them; with --json one
# line each; SIGTERM ends it without --count), and `xlb flows` filters and --count with exact counts
# of connections this test holds open.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbtop-
PIN=/sys/fs/bpf/xlbtop
VIP=198.18.2.1
C1=$(tb_client_ip 1)
C2=$(tb_client_ip 2)
M1=$(tb_member_ip 1)
M2=$(tb_member_ip 2)

command -v tmux >/dev/null || { ko tools "tmux is not installed (scripts/deps.sh test)"; finish; }
e2e_start top 2 2
# A tmux server of this test's own, ended with the rest.
TMUX_SOCK=xlbtop-$$
tmx() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'tmx kill-server 2>/dev/null; e2e_cleanup' EXIT

cat >"$WORK/xlb.yaml" <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      m1: [$M1, 80]
      m2: [$M2, 80]
  - name: echo
    vip: {ip: $VIP, port: 7}
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      e1: [$M1, 7]
      e2: [$M2, 7]
YAML

log_mark
daemon_start "$WORK/xlb.yaml"
wait_log 15 ' member [me][12] .* UP ' 4 || { ko daemon_up "$(log_since | tail -n 5)"; finish; }
ok daemon_up

# ---- xlb top in a terminal, with a load running --------------------------
client load "$VIP" 80 40 --rate 20 --src "$C1,$C2" --until-file "$WORK/stop-load" \
	>"$WORK/load.out" 2>&1 &
E2E_PIDS+=($!)
LB_NS=/run/netns/$(tb_ns lb)
tmx new-session -d -s top -x 200 -y 50 \
	"nsenter --net=$LB_NS -- $XLB top --pin-dir $PIN --interval 0.5; echo \$? >$WORK/top.rc"
screen() { tmx capture-pane -p -t top 2>/dev/null; }
# The web row's CONN/S, once it is a number above zero.
web_rate() {
	screen | awk '$1 == "web" && $2 == "tcp" && $3 == "'"$VIP"':80" { print $7 }'
}
rate_shown() { awk -v r="$(web_rate)" 'BEGIN { exit !(r + 0 > 0) }'; }
if wait_until 10 rate_shown; then
	ok top_shows_a_new_connection_rate_while_traffic_flows
else
	ko top_shows_a_new_connection_rate_while_traffic_flows "web row: '$(web_rate)'; screen:"
	screen | sed 's/^/    /'
fi
top_screen() {
	local s
	s=$(screen)
	grep -qE "^xlb top: $PIN, daemon PID $DPID, every 0\.5 s \(q quits\)$" <<<"$s" &&
		grep -qE '^SERVICE / MEMBER +ADDRESS +STATE +ACTIVE +CONN/S +PKTS/S IN +PKTS/S OUT +BYTES/S IN +BYTES/S OUT$' <<<"$s" &&
		grep -qE "^web +tcp $VIP:80 +2/2 up " <<<"$s" &&
		grep -qE "^  m1 +$M1:80 +UP " <<<"$s" &&
		grep -qE "^  m2 +$M2:80 +UP " <<<"$s" &&
		grep -qE "^echo +tcp $VIP:7 +2/2 up " <<<"$s" &&
		grep -qE "^  e1 +$M1:7 +UP " <<<"$s" &&
		grep -qE '^flow table: [0-9]+ of 65536 entries' <<<"$s" &&
		grep -qE '^  .*tx_new_flow [0-9]+\.[0-9]' <<<"$s" || { sed 's/^/    /' <<<"$s"; return 1; }
}
check top_screen_shows_the_services_members_and_outcome_rates top_screen
# Both members get new connections: round robin over two.
member_rates() {
	local s
	s=$(screen)
	awk '$1 == "m1" || $1 == "m2" { if ($5 + 0 > 0) n++ } END { exit n != 2 }' <<<"$s" ||
		{ sed 's/^/    /' <<<"$s"; return 1; }
}
member_rates_shown() { wait_until 5 member_rates >/dev/null; }
if member_rates_shown; then ok top_shows_each_members_rate; else ko top_shows_each_members_rate; member_rates; fi
tmx send-keys -t top q
top_ended() { [ -s "$WORK/top.rc" ]; }
quit_on_q() {
	wait_until 15 top_ended && [ "$(cat "$WORK/top.rc")" = 0 ] ||
		{ echo "  top.rc: '$(cat "$WORK/top.rc" 2>/dev/null)'"; return 1; }
}
check top_quits_on_q_with_exit_0 quit_on_q
# Ctrl-C quits too, and the terminal is left as it was (echo back on).
rm -f "$WORK/top.rc"
tmx new-session -d -s top2 -x 200 -y 50 \
	"nsenter --net=$LB_NS -- $XLB status --watch --pin-dir $PIN; echo \$? >$WORK/top.rc; stty -a >$WORK/stty; sleep 30"
watch_up() { tmx capture-pane -p -t top2 2>/dev/null | grep -q '^xlb top: '; }
wait_until 20 watch_up || echo "  xlb status --watch showed no frame in 20 s"
tmx send-keys -t top2 C-c
ctrl_c() {
	wait_until 15 top_ended && [ "$(cat "$WORK/top.rc")" = 0 ] && wait_until 5 test -s "$WORK/stty" &&
		grep -qE '(^| )icanon( |$)' "$WORK/stty" && grep -qE '(^| )echo( |$)' "$WORK/stty" ||
		{ echo "  rc '$(cat "$WORK/top.rc" 2>/dev/null)', stty: $(cat "$WORK/stty" 2>/dev/null)"; return 1; }
}
check status_watch_quits_on_ctrl_c_and_restores_the_terminal ctrl_c
tmx kill-session -t top2 2>/dev/null

# ---- not a terminal: one block per interval --------------------------------
blocks() {
	local out
	out=$(xlb_in_lb top --pin-dir "$PIN" --interval 0.3 --count 3 </dev/null)
	[ $? = 0 ] && [ "$(grep -c '^xlb top: ' <<<"$out")" = 3 ] &&
		[ "$(grep -cE "^web +tcp $VIP:80 +2/2 up " <<<"$out")" = 3 ] &&
		! grep -q 'q quits' <<<"$out" && ! grep -q $'\033' <<<"$out" &&
		! grep -q -- ' -  ' <<<"$(grep -E '^web ' <<<"$out")" || { echo "$out" | sed 's/^/    /'; return 1; }
}
check top_count_prints_exactly_that_many_blocks_with_rates blocks
json_lines() {
	xlb_in_lb top --pin-dir "$PIN" --interval 0.5 --count 2 --json </dev/null | /usr/bin/python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
assert len(lines) == 2, lines
for line in lines:
    t = json.loads(line)
    web = [s for s in t["services"] if s["name"] == "web"][0]
    assert [m["name"] for m in web["members"]] == ["m1", "m2"], web
    assert t["seconds"] > 0 and web["new_connections_per_s"] > 0, web
    assert t["packets_per_s_by_outcome"]["tx_new_flow"] > 0, t
'
}
check top_json_is_one_object_a_line_with_rates json_lines
watch_blocks() {
	local out
	out=$(xlb_in_lb status -w -n 2 --interval 0.2 --pin-dir "$PIN" </dev/null)
	[ $? = 0 ] && [ "$(grep -c '^xlb top: ' <<<"$out")" = 2 ] || { echo "$out" | sed 's/^/    /'; return 1; }
}
check status_watch_count_is_the_same_view watch_blocks
sigterm() {
	local pid rc
	nsenter --net="$LB_NS" -- "$XLB" top --pin-dir "$PIN" --interval 0.2 </dev/null >"$WORK/piped.out" &
	pid=$!
	wait_until 5 grep -q '^xlb top: ' "$WORK/piped.out"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || { echo "  exit $rc"; return 1; }
}
check top_without_count_ends_on_sigterm_with_exit_0 sigterm
touch "$WORK/stop-load"
wait "${E2E_PIDS[0]}" 2>/dev/null
check load_had_no_failures grep -q '^ok [1-9][0-9]* failed 0$' "$WORK/load.out"

# ---- flows: filters and --count against connections held here ------------
# Six echo connections, alternately from C1 and C2; round robin gives three
# to each member.  Nothing else talks to the echo service.
client hold "$VIP" 7 6 60 --src "$C1,$C2" --until-file "$WORK/stop-hold" >"$WORK/hold.out" 2>&1 &
hold=$!
E2E_PIDS+=("$hold")
# flows_count ARGS...: "connections established half_open" of --count --json.
flows_count() {
	xlb_in_lb flows --pin-dir "$PIN" --count --json "$@" | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["connections"], c["by_state"]["established"], c["by_state"]["half_open"])
'
}
all_held() { [ "$(flows_count --service echo)" = "6 6 0" ]; }
wait_until 10 all_held
expect_eq flows_count_of_the_service_is_the_held_connections "6 6 0" "$(flows_count --service echo)"
expect_eq flows_count_by_client_address "3 3 0" "$(flows_count --service echo --client "$C1")"
expect_eq flows_count_by_the_other_client_address "3 3 0" "$(flows_count -s echo --client "$C2/32")"
expect_eq flows_count_by_client_prefix "6 6 0" "$(flows_count --service echo --client 198.18.0.0/24)"
expect_eq flows_count_of_another_prefix_is_zero "0 0 0" "$(flows_count --client 198.18.9.0/24)"
expect_eq flows_count_by_member_address_and_port "3 3 0" "$(flows_count --member "$M1:7")"
expect_eq flows_count_by_the_other_member "3 3 0" "$(flows_count --member "$M2:7")"
expect_eq flows_member_port_of_another_service_is_zero "0 0 0" "$(flows_count --service web --member "$M1:7")"
expect_eq flows_filters_combine "3 3 0" \
	"$(flows_count --service echo --member "$M2:7" --client 198.18.0.0/24)"
count_text() { xlb_in_lb flows --pin-dir "$PIN" --service echo --member "$M1:7" --count; }
expect_eq flows_count_text_says_how_many_by_state "3 connections: 3 established" "$(count_text)"
listing() {
	xlb_in_lb flows --pin-dir "$PIN" --json --member "$M1:7" | /usr/bin/python3 -c '
import json, sys
f = json.load(sys.stdin)
print(len(f), sorted(set(x["member"] for x in f)), sorted(set(x["service"] for x in f)))
'
}
expect_eq flows_member_filter_lists_that_members_connections "3 ['e1'] ['echo']" "$(listing)"
bad_member() {
	local out rc
	out=$(xlb_in_lb flows --pin-dir "$PIN" --member e1 2>&1)
	rc=$?
	[ "$rc" = 2 ] && grep -q "^xlb flows: --member 'e1': an IP address with an optional port" <<<"$out" ||
		{ echo "  rc $rc: $out"; return 1; }
}
check flows_member_by_name_is_a_usage_error bad_member
touch "$WORK/stop-hold"
wait "$hold" 2>/dev/null
check held_connections_were_not_broken grep -q '^held 6 broken 0 ' "$WORK/hold.out"
finish
