#!/usr/bin/env bash
# Schedulers, forwarding modes and no-member policies end to end in the
# namespace testbed: Maglev spread and drain, on_empty reject/drop/sorry and
# the way back when a member recovers, dnat (members see the client) and dsr
# (replies bypass the balancer).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

# XLB_E2E_MODE=tc: every check again with the tc programs.
e2e_mode xlbmode- /sys/fs/bpf/xlbmode
SRCS=198.18.0.2,198.18.0.3,198.18.0.4,198.18.0.5
VIP_MAGLEV=198.18.2.1
VIP_SORRY=198.18.2.2
VIP_SORRY_ADDR=198.18.2.3
VIP_REJECT=198.18.2.4
VIP_DROP=198.18.2.5
VIP_DNAT=198.18.2.6
VIP_DSR=198.18.2.7

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
# svc NAME VIP PORT MEMBER_PORT "K..." [OPTION...]: one service of the
# file, members mK on MEMBER_PORT, each OPTION a line such as "on_empty: drop".
svc() {
	local name=$1 vip=$2 port=$3 mport=$4 members=$5 o
	shift 5
	printf '  - name: %s\n    vip: {ip: %s, port: %d}\n    %s\n' "$name" "$vip" "$port" "$HC"
	for o in "$@"; do printf '    %s\n' "$o"; done
	printf '    members:\n'
	# shellcheck disable=SC2086
	pool "$mport" $members
}
# No member listens on ports 81-85 until a test starts one there: those
# services start empty and show their on_empty policy.
cat >"$WORK/xlb.yaml" <<-YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
services:
$(svc web-maglev "$VIP_MAGLEV" 80 80 "1 2 3" "scheduler: maglev")
$(svc web-sorry "$VIP_SORRY" 80 81 1 "on_empty: sorry")
$(svc web-sorry-addr "$VIP_SORRY_ADDR" 80 82 3 "on_empty: sorry" \
	"sorry_address: [$(tb_member_ip 2), 8000]")
$(svc web-reject "$VIP_REJECT" 80 83 1)
$(svc udp-reject "$VIP_REJECT" 84 84 1 "protocol: udp")
$(svc web-drop "$VIP_DROP" 80 85 1 "on_empty: drop")
$(svc web-dnat "$VIP_DNAT" 80 80 "1 2 3" "forwarding: dnat")
$(svc echo-dnat "$VIP_DNAT" 7 7 "1 2 3" "forwarding: dnat" "scheduler: maglev")
$(svc web-dsr "$VIP_DSR" 80 80 "1 2 3" "forwarding: dsr")
YAML
"$XLB" check "$WORK/xlb.yaml" >"$WORK/check.out" 2>&1 ||
	{ ko config_valid "$(cat "$WORK/check.out")"; finish; }

log_mark
daemon_start "$WORK/xlb.yaml" "${MODE_ARGS[@]}"
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

# svc_stat NAME FIELD: a counter of service NAME from `xlb status --json`.
svc_stat() {
	xlb_in_lb status --json --pin-dir "$PIN" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
st = json.load(sys.stdin)
print(next(s for s in st["services"] if s["name"] == sys.argv[1])[sys.argv[2]])' "$1" "$2"
}
reason() { # NAME: a packets_by_outcome counter
	xlb_in_lb status --json --pin-dir "$PIN" 2>/dev/null |
		/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["packets_by_outcome"][sys.argv[1]])' "$1"
}

# --- dnat ------------------------------------------------------------------
# The members' access logs name the peer of each request: with dnat, the
# client's own address (198.18.0.2-5), not the balancer's.  Counted as
# records, not lines: the server's threads share its stderr, and the
# traceback of a health check's RST, written in pieces by another thread,
# can leave a request's record in the middle of a line.
client_lines() {
	cat "$(tb_state)"/logs/m[123]-http.log 2>/dev/null |
		grep -oE '(::ffff:)?198\.18\.0\.[2-5] - - \[' | wc -l
}
dnat_client_address() {
	local before out after
	before=$(client_lines)
	out=$(client http "$VIP_DNAT" 80 30 --src "$SRCS")
	after=$(client_lines)
	grep -q ERR <<<"$out" && { echo "  $(sort <<<"$out" | uniq -c | tr '\n' ' ')"; return 1; }
	# A server writes its log line on its own time: give it 2 s.
	logged_all() { [ $(($(client_lines) - before)) -ge 30 ]; }
	wait_until 2 logged_all
	after=$(client_lines)
	[ $((after - before)) -eq 30 ] ||
		{ echo "  $((after - before)) of 30 requests logged with a client address"; return 1; }
}
check dnat_members_log_the_client_address dnat_client_address
dnat_replies_through_xlb() {
	local out
	out=$(svc_stat web-dnat packets_out)
	[ "$out" -gt 0 ] 2>/dev/null || { echo "  packets_out $out"; return 1; }
}
check dnat_replies_are_translated_by_xlb dnat_replies_through_xlb
# Each dnat member's replies are translated by their source alone: the
# daemon published one xlb_dnat_rev entry per member and port (web-dnat on
# 80, echo-dnat on 7), each naming its service's VIP and port.
dnat_reply_entries() {
	tb_exec lb bpftool -j map dump pinned "$PIN/xlb_dnat_rev" | /usr/bin/python3 -c '
import json, sys
def ip4(b): return ".".join(str(x) for x in b[0:4])
got = []
for e in json.load(sys.stdin):
    k = [int(b, 16) for b in e["key"]]   # addr[16], port (network order), proto, family
    v = [int(b, 16) for b in e["value"]] # vip[16], vip_port (network order), family, ...
    got.append((ip4(k), k[16] << 8 | k[17], ip4(v), v[16] << 8 | v[17]))
want = sorted((m, p, sys.argv[1], p) for m in sys.argv[2:] for p in (7, 80))
assert sorted(got) == want, (sorted(got), want)
' "$VIP_DNAT" "$(tb_member_ip 1)" "$(tb_member_ip 2)" "$(tb_member_ip 3)"
}
check dnat_reply_entries_name_each_member_and_its_vip dnat_reply_entries

# Maglev + dnat: the forward entries of held connections are deleted (as on
# a node that never saw them); their next packets are re-derived by the
# hash to the same member and the connections go on.
delete_forward_flows() { # VIP(hex, 4 bytes) PORT
	tb_exec lb bpftool -j map dump pinned "$PIN/xlb_flows" | /usr/bin/python3 -c '
import json, sys
vip = [int(b, 16) for b in sys.argv[1].split()]
port = int(sys.argv[2])
for e in json.load(sys.stdin):
    k = [int(b, 16) for b in e["key"]]
    if k[16:20] == vip and k[34:36] == [port >> 8, port & 255]:
        print(" ".join("%02x" % b for b in k))' "$1" "$2" >"$WORK/fwd-keys"
	local n=0
	while read -r key; do
		# shellcheck disable=SC2086
		tb_exec lb bpftool map delete pinned "$PIN/xlb_flows" key hex $key >&2 && n=$((n + 1))
	done <"$WORK/fwd-keys"
	echo "$n"
}
stop_file=$WORK/stop-hold
rederived_before=$(reason tx_rederived)
rst_before=$(reason tx_rst_no_flow)
# The hold ends with the stop file (60 s at most): a slow guest may take
# seconds to delete the entries, and a connection that sends nothing after
# its entry went is never re-derived.
client hold "$VIP_DNAT" 7 6 60 --src "$SRCS" --until-file "$stop_file" >"$WORK/hold.out" 2>&1 &
hpid=$!
wait_until 5 grep -q opened "$WORK/hold.out"
sleep 1
deleted=$(delete_forward_flows "c6 12 02 06" 7)
# Each connection re-derives its member with its next message (one every
# 0.2 s); a slow guest gets up to 10 s for that.
all_rederived() { [ $(($(reason tx_rederived) - rederived_before)) -ge "$deleted" ]; }
wait_until 10 all_rederived
sleep 0.5
touch "$stop_file"
wait "$hpid"
maglev_rederive() {
	local rederived rst
	rederived=$(($(reason tx_rederived) - rederived_before))
	rst=$(($(reason tx_rst_no_flow) - rst_before))
	echo "  deleted $deleted forward entries; re-derived $rederived, reset $rst; $(tail -n 1 "$WORK/hold.out")"
	[ "$deleted" -ge 6 ] && [ "$rederived" -ge 6 ] && grep -q '^held 6 broken 0' "$WORK/hold.out"
}
check maglev_dnat_connections_survive_losing_their_flows maglev_rederive

# --- dsr -------------------------------------------------------------------
# Member setup as docs/operations.md gives it: the VIP on loopback, ARP
# for it neither answered nor announced.  And a path for the replies that
# does not pass lb: the client gets a second link on the members' segment
# (its VIP traffic still goes via lb), and the members route clients there.
dsr_setup() {
	local k
	dsr_client_link || return 1
	for k in 1 2 3; do
		dsr_member_vip "$k" "$VIP_DSR" || return 1
		ip -n "$(tb_ns "m$k")" route add 198.18.0.0/24 via "$DSR_CLIENT_LINK_IP"
	done
}
check dsr_member_setup dsr_setup
forwarded() { tb_exec lb awk '/^Ip: [0-9]/ {print $7}' /proc/net/snmp; }
fwd_before=$(forwarded)
dsr_answers() {
	local out c
	out=$(client http "$VIP_DSR" 80 30 --src "$SRCS")
	c=$(sort <<<"$out" | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')
	[ "$c" = "m1=10 m2=10 m3=10 " ] || { echo "  counts: $c"; return 1; }
}
check dsr_30_connections_answered_round_robin dsr_answers
dsr_bypass() {
	local fwd in out
	fwd=$(($(forwarded) - fwd_before))
	in=$(svc_stat web-dsr packets_in)
	out=$(svc_stat web-dsr packets_out)
	echo "  xlb: $in packets in, $out out; lb's kernel forwarded $fwd packets"
	[ "$in" -gt 0 ] && [ "$out" = 0 ] && [ "$fwd" = 0 ]
}
check dsr_replies_bypass_lb dsr_bypass

finish
