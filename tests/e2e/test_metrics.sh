#!/usr/bin/env bash
# The metrics endpoint (global: metrics: {listen: ADDR:PORT}) of a running
# daemon, scraped from the client's namespace: promtool accepts a live
# scrape as it is; other paths get 404 and other methods 405; after 30
# connections the counters say 30; a real Prometheus (Debian's) scraping
# every second sees xlb_member_up of m3 go from 1 to 0 once m3's server
# stops; a client that connects and sends nothing delays neither the
# health checks (m2 goes DOWN meanwhile) nor, past its timeout, the next
# scrape; a reload moves the listener (to an IPv6 address), an invalid
# file sets xlb_config_last_reload_successful to 0, and a file without
# metrics: closes it.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbmet-
PIN=/sys/fs/bpf/xlbmet
VIP=198.18.2.1
LB=$(tb_lb_ip)
LB6="[$(tb_lb_ip6)]"
PORT=9100
SRCS=198.18.0.2,198.18.0.3

for t in curl promtool prometheus; do
	command -v "$t" >/dev/null || { ko tools "'$t' is missing (make deps-test)"; finish; }
done
e2e_start metrics 3 2

config() { # METRICS_LINES
	cat <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
$1
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      m1: [$(tb_member_ip 1), 80]
      m2: [$(tb_member_ip 2), 80]
      m3: [$(tb_member_ip 3), 80]
YAML
}
config "  metrics: {listen: $LB:$PORT}" >"$WORK/xlb.yaml"

log_mark
daemon_start "$WORK/xlb.yaml"
wait_log 20 ' member m[1-3] .* UP ' 3 || { ko daemon_up "$(log_since | tail -n 5)"; finish; }
ok daemon_up
check daemon_says_where_it_serves_metrics \
	log_has "metrics: served at http://$LB:$PORT/metrics"

# scrape [HOST:PORT [PATH [curl args]]]: the body from the client's
# namespace; the status code is written to $WORK/code.
scrape() {
	local where=${1:-$LB:$PORT} path=${2:-/metrics}
	shift $(($# < 2 ? $# : 2))
	tb_exec client curl -sS -m 10 -o "$WORK/body" -w '%{http_code}' "$@" \
		"http://$where$path" >"$WORK/code" 2>"$WORK/curl.err"
	cat "$WORK/body" 2>/dev/null
}
# metric TEXT SAMPLE: the value of the sample line that starts with SAMPLE.
metric() { awk -v s="$2 " 'index($0, s) == 1 {print $NF}' <<<"$1"; }

body=$(scrape)
expect_eq scrape_answers_200 200 "$(cat "$WORK/code")"
lint=$(promtool check metrics <<<"$body" 2>&1)
rc=$?
expect_eq promtool_accepts_a_live_scrape "0 ''" "$rc '$lint'"
families_with_help() {
	local names help
	names=$(grep -v '^#' <<<"$body" | sed 's/[{ ].*//' | sort -u)
	help=$(sed -n 's/^# HELP \([^ ]*\) .*/\1/p' <<<"$body" | sort -u)
	[ "$names" = "$help" ] || { diff <(echo "$names") <(echo "$help") | head -n 5; return 1; }
}
check every_sample_has_a_family_with_help families_with_help
expect_eq three_members_up "1 1 1" "$(for m in m1 m2 m3; do
	metric "$body" "xlb_member_up{service=\"web\",member=\"$m\"}"; done | xargs)"
expect_eq build_info_names_the_version 1 \
	"$(grep -c "^xlb_build_info{version=\"$("$XLB" --version | awk '{print $2}')\"} 1$" <<<"$body")"
expect_eq start_counts_as_a_successful_load 1 "$(metric "$body" xlb_config_last_reload_successful)"

scrape "$LB:$PORT" / >/dev/null
expect_eq other_paths_get_404 404 "$(cat "$WORK/code")"
scrape "$LB:$PORT" /metrics -X POST >/dev/null
expect_eq other_methods_get_405 405 "$(cat "$WORK/code")"

# 30 new connections, counted once each: by the service, by its members
# (10 each, round-robin), and as tx_new_flow packets.
out=$(client http "$VIP" 80 30 --src "$SRCS")
expect_eq thirty_connections_answered 30 "$(grep -c '^m[1-3]$' <<<"$out")"
body=$(scrape)
expect_eq service_connections_total_is_30 30 \
	"$(metric "$body" 'xlb_service_connections_total{service="web"}')"
expect_eq member_connections_total_10_each "10 10 10" "$(for m in m1 m2 m3; do
	metric "$body" "xlb_member_connections_total{service=\"web\",member=\"$m\"}"; done | xargs)"
new_flows=$(metric "$body" 'xlb_packets_total{outcome="tx_new_flow"}')
expect_eq packets_by_outcome_count_the_new_flows 30 "$new_flows"

# A real Prometheus in the client's namespace, scraping every second.
mkdir -p "$WORK/prom"
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: xlb
    static_configs:
      - targets: ['$LB:$PORT']
YAML
tb_exec client prometheus --config.file="$WORK/prometheus.yml" \
	--storage.tsdb.path="$WORK/prom" --web.listen-address=127.0.0.1:9090 \
	>"$WORK/prometheus.log" 2>&1 &
E2E_PIDS+=($!)
# prom_value QUERY: the single value of an instant query, or nothing.
prom_value() {
	tb_exec client curl -sS -m 5 -G http://127.0.0.1:9090/api/v1/query \
		--data-urlencode "query=$1" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")'
}
prom_is() { [ "$(prom_value "$1")" = "$2" ]; }
M3_UP='xlb_member_up{job="xlb",service="web",member="m3"}'
if wait_until 60 prom_is "$M3_UP" 1; then
	ok prometheus_sees_m3_up
else
	ko prometheus_sees_m3_up "query gave '$(prom_value "$M3_UP")'; $(tail -n 3 "$WORK/prometheus.log")"
fi
m_http_pid() { awk -v w="m$1-http" '$3 == w {print $1}' "$(tb_state)/pids"; }
kill "$(m_http_pid 3)"
if wait_until 30 prom_is "$M3_UP" 0; then
	ok prometheus_sees_m3_go_down_after_its_server_stops
else
	ko prometheus_sees_m3_go_down_after_its_server_stops "query gave '$(prom_value "$M3_UP")'"
fi
expect_eq prometheus_target_is_up 1 "$(prom_value 'up{job="xlb"}')"

# A client that connects and sends nothing: the health checks go on (m2
# goes DOWN while it hangs), and the next scrape is answered once its
# METRICS_CLIENT_TIMEOUT_MS (5 s) is over.
tb_exec client /usr/bin/python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
time.sleep(8)' "$LB" "$PORT" &
hang=$!
E2E_PIDS+=($hang)
sleep 0.5
log_mark
kill "$(m_http_pid 2)"
check health_checks_go_on_while_a_scrape_hangs wait_log 5 'web: member m2 .* DOWN '
body=$(scrape)
expect_eq next_scrape_answered_after_the_hanging_one 200 "$(cat "$WORK/code")"
expect_eq scrape_shows_m2_down 0 "$(metric "$body" 'xlb_member_up{service="web",member="m2"}')"
expect_eq scrape_shows_m2_state_down 1 \
	"$(metric "$body" 'xlb_member_state{service="web",member="m2",state="DOWN"}')"
kill "$hang" 2>/dev/null
wait "$hang" 2>/dev/null

# Reloads: the listener moves (to an IPv6 address); an invalid file is a failed reload; no
# metrics: closes it.
config "  metrics: {listen: '$LB6:9101'}" >"$WORK/xlb.yaml"
log_mark
daemon_signal HUP
wait_log 10 "reloaded $WORK/xlb.yaml" || ko reload_done "$(log_since | tail -n 3)"
scrape "$LB6:9101" >/dev/null
expect_eq reload_moves_the_listener_to_an_ipv6_address 200 "$(cat "$WORK/code")"
scrape "$LB:$PORT" >/dev/null
expect_eq old_port_is_closed 000 "$(cat "$WORK/code")"

echo "services: [" >"$WORK/xlb.yaml"
log_mark
daemon_signal HUP
wait_log 10 'reload refused' || ko reload_refused "$(log_since | tail -n 3)"
body=$(scrape "$LB6:9101")
expect_eq invalid_file_sets_last_reload_successful_to_0 0 \
	"$(metric "$body" xlb_config_last_reload_successful)"

config "" >"$WORK/xlb.yaml"
log_mark
daemon_signal HUP
wait_log 10 "reloaded $WORK/xlb.yaml" || ko reload_done "$(log_since | tail -n 3)"
scrape "$LB6:9101" >/dev/null
expect_eq file_without_metrics_closes_the_listener 000 "$(cat "$WORK/code")"
check daemon_still_running daemon_alive

finish
