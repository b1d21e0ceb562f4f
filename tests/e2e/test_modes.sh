#!/usr/bin/env bash
# Schedulers, forwarding modes and no-member policies end to end in the
# namespace testbed: Maglev spread and drain, on_empty reject/drop/sorry and
# the way back when a member recovers, dnat (members see the client) and dsr
# (replies bypass the balancer).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbmode-
PIN=/sys/fs/bpf/xlbmode
SRCS=198.18.0.2,198.18.0.3,198.18.0.4,198.18.0.5
VIP_MAGLEV=198.18.2.1
VIP_SORRY=198.18.2.2
VIP_SORRY_ADDR=198.18.2.3
VIP_REJECT=198.18.2.4
VIP_DROP=198.18.2.5

e2e_start modes 3 4

# serve_on K PORT: an HTTP server answering "mK" on member K's PORT.
serve_on() {
	tb_exec "m$1" /usr/bin/python3 -m http.server "$2" --bind :: --directory "$(tb_state)/www/m$1" \
		>>"$(tb_state)/logs/m$1-http-$2.log" 2>&1 &
	E2E_PIDS+=($!)
}
# The sorry server of web-sorry-addr (a port no service's member uses:
# members shared between services share the NAT port space).
serve_on 2 8000

HC='healthcheck: {type: tcp, interval: 300ms, timeout: 200ms, rise: 2, fall: 2}'
pool() { # PORT M...: members mK on PORT
	local port=$1 k
	shift
	for k in "$@"; do
		printf '      m%d: [%s, %d]\n' "$k" "$(tb_member_ip "$k")" "$port"
	done
}
cat >"$WORK/xlb.yaml" <<-YAML
global:
  interfaces: [l0, l1]
  flow_table_size: 65536
services:
  - name: web-maglev
    vip: {ip: $VIP_MAGLEV, port: 80}
    scheduler: maglev
    $HC
    members:
$(pool 80 1 2 3)
  # No member listens on ports 81-85 until a test starts one there: these
  # services start empty and show their on_empty policy.
  - name: web-sorry
    vip: {ip: $VIP_SORRY, port: 80}
    on_empty: sorry
    $HC
    members:
$(pool 81 1)
  - name: web-sorry-addr
    vip: {ip: $VIP_SORRY_ADDR, port: 80}
    on_empty: sorry
    sorry_address: [$(tb_member_ip 2), 8000]
    $HC
    members:
$(pool 82 3)
  - name: web-reject
    vip: {ip: $VIP_REJECT, port: 80}
    $HC
    members:
$(pool 83 1)
  - name: udp-reject
    vip: {ip: $VIP_REJECT, port: 84}
    protocol: udp
    $HC
    members:
$(pool 84 1)
  - name: web-drop
    vip: {ip: $VIP_DROP, port: 80}
    on_empty: drop
    $HC
    members:
$(pool 85 1)
YAML
"$XLB" check "$WORK/xlb.yaml" >"$WORK/check.out" 2>&1 ||
	{ ko config_valid "$(cat "$WORK/check.out")"; finish; }

log_mark
daemon_start "$WORK/xlb.yaml"
if wait_log 20 'web-maglev: member m[1-3] .* UP ' 3; then
	ok daemon_starts_and_members_come_up
else
	ko daemon_starts_and_members_come_up "$(log_since | tail -n 5)"
	finish
fi

# counts FILE: "mA=N mB=N ..." of the answers in FILE.
counts() { sort "$1" | uniq -c | awk '{print $2"="$1}' | tr '\n' ' '; }

# --- Maglev ---------------------------------------------------------------
maglev_spread() {
	client http "$VIP_MAGLEV" 80 90 --src "$SRCS" >"$WORK/maglev.out"
	local c
	c=$(counts "$WORK/maglev.out")
	grep -q ERR "$WORK/maglev.out" && { echo "  $c"; return 1; }
	[[ $c == *m1=* && $c == *m2=* && $c == *m3=* ]] || { echo "  counts: $c"; return 1; }
}
check maglev_spreads_90_connections_over_all_members maglev_spread
maglev_status() {
	xlb_in_lb status --pin-dir "$PIN" >"$WORK/status.out" 2>&1
	grep -q maglev "$WORK/status.out" || { cat "$WORK/status.out"; return 1; }
}
check maglev_status_names_the_scheduler maglev_status
log_mark
xlb_in_lb drain web-maglev m2 --pin-dir "$PIN" >/dev/null 2>&1
wait_log 5 'member m2 drained'
maglev_drained() {
	client http "$VIP_MAGLEV" 80 60 --src "$SRCS" >"$WORK/maglev2.out"
	local c
	c=$(counts "$WORK/maglev2.out")
	[[ $c != *m2=* && $c != *ERR* && $c == *m1=* && $c == *m3=* ]] || { echo "  counts: $c"; return 1; }
}
check maglev_drained_member_gets_no_new_connections maglev_drained
log_mark
xlb_in_lb enable web-maglev m2 --pin-dir "$PIN" >/dev/null 2>&1
wait_log 5 'member m2 enabled'
check maglev_enabled_member_serves_again maglev_spread

# --- on_empty ---------------------------------------------------------------
curl_vip() { tb_exec client curl -sS -m "${2:-3}" "http://$1/" 2>&1; }

sorry_page() {
	local out code
	code=$(tb_exec client curl -s -m 3 -o "$WORK/sorry.html" -w '%{http_code}' "http://$VIP_SORRY/")
	out=$(cat "$WORK/sorry.html")
	[ "$code" = 503 ] && grep -q 'No member of web-sorry is available' <<<"$out" ||
		{ echo "  status $code: $(head -c 200 <<<"$out")"; return 1; }
}
check sorry_builtin_answers_503_naming_the_service sorry_page
sorry_many() {
	local i ok=0 code why=
	for ((i = 0; i < 20; i++)); do
		code=$(tb_exec client curl -sS -m 3 -o /dev/null -w '%{http_code}' "http://$VIP_SORRY/" 2>&1)
		if [ "$code" = 503 ]; then ok=$((ok + 1)); else why=$code; fi
	done
	[ "$ok" = 20 ] || { echo "  $ok of 20 got the 503 page; another got: $why"; return 1; }
}
check sorry_builtin_20_connections_all_get_503 sorry_many
sorry_addr() {
	local out
	out=$(curl_vip "$VIP_SORRY_ADDR")
	[ "$out" = m2 ] || { echo "  got: $out"; return 1; }
}
check sorry_address_gets_new_connections sorry_addr

reject_fast() {
	local out start end
	start=$(date +%s%N)
	out=$(curl_vip "$VIP_REJECT" 5)
	end=$(date +%s%N)
	grep -qi 'connection refused\|Couldn.t connect' <<<"$out" || { echo "  got: $out"; return 1; }
	echo "  refused after $(((end - start) / 1000000)) ms"
}
check reject_tcp_connection_refused_at_once reject_fast
udp_unreachable() {
	tb_exec client /usr/bin/python3 - "$VIP_REJECT" <<-'PY'
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(2)
	s.connect((sys.argv[1], 84))
	s.send(b"ping")
	try:
	    s.recv(100)
	except ConnectionRefusedError:
	    sys.exit(0)
	except OSError as e:
	    print("  got", e)
	sys.exit(1)
	PY
}
check reject_udp_gets_icmp_port_unreachable udp_unreachable
drop_times_out() {
	local rc
	tb_exec client curl -s -m 2 -o /dev/null "http://$VIP_DROP/"
	rc=$?
	[ "$rc" = 28 ] || { echo "  curl exit $rc, expected 28 (timeout)"; return 1; }
}
check drop_curl_times_out drop_times_out
check drop_counted_as_drop_no_member \
	bash -c "xlb_in_lb() { :; }; nsenter --net=/run/netns/$(tb_ns lb) -- '$XLB' status --pin-dir '$PIN' | grep -qE 'drop_no_member +[1-9]'"

# The way back: a member of each comes up and takes the new connections.
log_mark
serve_on 1 81
serve_on 3 82
serve_on 1 83
serve_on 1 85
if wait_log 10 '(web-sorry|web-sorry-addr|web-reject|web-drop): member m[13] .* UP ' 4; then
	ok members_of_empty_services_come_up
else
	ko members_of_empty_services_come_up "$(log_since | tail -n 5)"
fi
back_to_member() { # VIP NAME
	local out
	out=$(curl_vip "$1")
	[ "$out" = "$2" ] || { echo "  $1: got $out"; return 1; }
}
check sorry_builtin_service_back_to_its_member back_to_member "$VIP_SORRY" m1
check sorry_address_service_back_to_its_member back_to_member "$VIP_SORRY_ADDR" m3
check reject_service_back_to_its_member back_to_member "$VIP_REJECT" m1
check drop_service_back_to_its_member back_to_member "$VIP_DROP" m1

finish
