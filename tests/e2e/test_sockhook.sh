#!/usr/bin/env bash
# Host-local clients through the cgroup socket hooks.  xlb runs in the
# testbed's lb namespace with the hooks attached to a cgroup this suite
# creates (never the host's root cgroup: every process of the machine would
# meet the hooks); local clients are processes in lb that join it.  Exact
# counts: the seed file with test members, curl to 127.0.0.1:8080 round-robin,
# getpeername() shows the VIP, UDP replies come from the VIP, a process of
# another network namespace is left alone (and balanced with
# all_namespaces), a service without members fails at once or gets the
# built-in 503 page (on_empty: sorry), the pinned
# cgroup links are adopted after kill -9, and `xlb stop` detaches them.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbsock-
PIN=/sys/fs/bpf/xlbsock
SOCKCLIENT="$(pwd)/tests/e2e/sockclient.py"

e2e_start sockhook 3 1

CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CG2" ] || { skip sockhook "no cgroup v2 hierarchy is mounted"; finish; }
CG="$CG2/xlbsock-test"
# A leftover of an aborted run: its processes are gone, the directory stays.
rmdir "$CG" 2>/dev/null
mkdir "$CG" || { ko cgroup_created "cannot create $CG"; finish; }
sockhook_cleanup() {
	e2e_cleanup
	rmdir "$CG" 2>/dev/null
}
trap sockhook_cleanup EXIT

# in_cg NS CMD...: CMD in namespace NS (lb, client) as a member of the test
# cgroup: the shell joins it, then becomes CMD.
in_cg() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$(tb_ns "$ns")" -- \
		sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}
sockclient() { in_cg "$1" /usr/bin/python3 "$SOCKCLIENT" "${@:2}"; }
counts() { sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' '; }

# The seed file as its author wrote it, the members pointed at the testbed
# and the hooks at the test cgroup.
sed -e "s/\[142.251.33.110, 443\]/[$(tb_member_ip 1), 80]/" \
	-e "s/\[52.5.196.118, 443\]/[$(tb_member_ip 2), 80]/" \
	-e "s/\[52.84.169.4, 443\]/[$(tb_member_ip 3), 80]/" \
	examples/observabilityplatforms.com.yaml >"$WORK/seed.yaml"
printf 'global:\n  flow_table_size: %s\n  socket_lb: {cgroup: %s}\n' "$E2E_FLOW_TABLE_SIZE" "$CG" \
	>>"$WORK/seed.yaml"
"$XLB" check "$WORK/seed.yaml" >"$WORK/check.out" 2>&1 ||
	{ ko seed_copy_valid "$(cat "$WORK/check.out")"; finish; }

log_mark
daemon_start "$WORK/seed.yaml"
if wait_log 20 ' member [a-z]+\.com .* UP ' 3; then
	ok seed_daemon_starts_without_an_interface
else
	ko seed_daemon_starts_without_an_interface "$(log_since | tail -n 5)"
	finish
fi
served_locally() { log_has 'observabilityplatforms.com 127.0.0.1:8080/tcp: local clients only'; }
check log_says_the_loopback_vip_is_served_by_the_socket_hooks served_locally

# 1. curl from lb, in the cgroup: 30 requests, 10 per member, in turn.
curl_spread() {
	local out c
	out=$(in_cg lb sh -c 'for i in $(seq 30); do curl -s --max-time 2 http://127.0.0.1:8080/ || echo ERR; done')
	c=$(counts <<<"$out")
	[ "$c" = "m1=10 m2=10 m3=10 " ] || { echo "  counts: $c"; return 1; }
	awk 'NR > 3 && $0 != prev[(NR - 1) % 3] { bad = 1 } { prev[(NR - 1) % 3] = $0 }
	     END { exit bad }' <<<"$out" || { echo "  not in turn: $(head -n 6 <<<"$out" | tr '\n' ' ')"; return 1; }
}
check curl_127_0_0_1_8080_reaches_members_10_each_in_turn curl_spread

# 2. getpeername() shows the VIP, never the member.
peer_is_vip() {
	local out c
	out=$(sockclient lb tcp 127.0.0.1 8080 6)
	c=$(awk '{print $1}' <<<"$out" | counts)
	[ "$c" = "127.0.0.1:8080=6 " ] || { echo "  peers: $c"; return 1; }
	c=$(awk '{print $2}' <<<"$out" | counts)
	[ "$c" = "m1=2 m2=2 m3=2 " ] || { echo "  bodies: $c"; return 1; }
}
check getpeername_shows_the_vip peer_is_vip

# 3. A process in another network namespace (the client's), same cgroup:
# its 127.0.0.1 is its own, nothing listens there.
other_netns() {
	local out
	out=$(sockclient client tcp 127.0.0.1 8080 3)
	[ "$(counts <<<"$out")" = "ERR=3 " ] && grep -q ECONNREFUSED <<<"$out" ||
		{ echo "  $out"; return 1; }
}
check another_netns_is_not_redirected other_netns

# 4. Outside the cgroup nothing changes either.
outside_cg() {
	local out
	out=$(nsenter --net="/run/netns/$(tb_ns lb)" -- curl -s --max-time 2 http://127.0.0.1:8080/ 2>&1)
	[ -z "$out" ]
}
check a_process_outside_the_cgroup_is_not_redirected outside_cg

status_line() {
	xlb_in_lb status --pin-dir "$PIN" | grep -qx "socket hooks: attached at $CG (8 of 8 hooks)"
}
check status_shows_the_socket_hooks status_line

# 5. Restart: kill -9, connections still balanced without the daemon, then
# a new daemon (with more services) adopts the pinned links.
link_ids() {
	for h in connect4 connect6 sendmsg4 sendmsg6 recvmsg4 recvmsg6 getpeername4 getpeername6; do
		bpftool link show pinned "$PIN/link_cg_$h" 2>/dev/null | awk 'NR == 1 {print $1}'
	done | tr '\n' ' '
}
ids_before=$(link_ids)
daemon_kill9
no_daemon() {
	local c
	c=$(sockclient lb tcp 127.0.0.1 8080 3 | awk '{print $2}' | counts)
	[ "$c" = "m1=1 m2=1 m3=1 " ] || { echo "  $c"; return 1; }
}
check balanced_while_no_daemon_runs no_daemon

pool() { # PORT M...
	local port=$1 k
	shift
	for k in "$@"; do printf '      m%d: [%s, %d]\n' "$k" "$(tb_member_ip "$k")" "$port"; done
}
pool6() {
	local port=$1 k
	shift
	for k in "$@"; do printf '      m%d: ["%s", %d]\n' "$k" "$(tb_member_ip6 "$k")" "$port"; done
}
cat >"$WORK/full.yaml" <<-YAML
global:
  flow_table_size: $E2E_FLOW_TABLE_SIZE
  socket_lb: {enabled: true, cgroup: $CG}
services:
  - name: observabilityplatforms.com
    vip: {ip: 127.0.0.1, port: 8080}
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
$(pool 80 1 2 3)
  - name: udp-echo
    vip: {ip: 127.0.0.1, port: 7}
    protocol: udp
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
$(pool 7 1 2 3)
  - name: web6
    vip: {ip: "::1", port: 8080}
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
$(pool6 80 1 2 3)
  - name: empty
    vip: {ip: 198.18.3.1, port: 80}
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
$(pool 81 1)
  - name: sorry-web
    vip: {ip: 198.18.3.2, port: 80}
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    on_empty: sorry
    members:
$(pool 82 1)
  - name: sorry-web6
    vip: {ip: "fd00:30::2", port: 80}
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    on_empty: sorry
    members:
$(pool6 82 1)
YAML
log_mark
daemon_start "$WORK/full.yaml"
if wait_log 20 ' member m[1-3] .* UP ' 9; then
	ok restarted_daemon_comes_up
else
	ko restarted_daemon_comes_up "$(log_since | tail -n 5)"
	finish
fi
adopted() {
	local now
	now=$(link_ids)
	[ "$now" = "$ids_before" ] && [ "$(wc -w <<<"$now")" = 8 ] ||
		{ echo "  link ids before: $ids_before after: $now"; return 1; }
}
check restart_adopts_the_8_pinned_cgroup_links adopted
after_restart() {
	local c
	c=$(sockclient lb tcp 127.0.0.1 8080 30 | awk '{print $2}' | counts)
	[ "$c" = "m1=10 m2=10 m3=10 " ] || { echo "  counts: $c"; return 1; }
}
check after_restart_30_connections_10_per_member after_restart

# 6. UDP: one unconnected socket stays with its member, replies come from
# the VIP; connected sockets each take the next member, getpeername the VIP.
udp_unconnected() {
	local out
	out=$(sockclient lb udp 127.0.0.1 7 10)
	[ "$(counts <<<"$out")" = "127.0.0.1:7=10 " ] && [ "$(awk '{print $2}' <<<"$out" | counts)" = "ok=10 " ] ||
		{ echo "  $(tr '\n' ' ' <<<"$out")"; return 1; }
}
check udp_sendto_10_replies_from_the_vip udp_unconnected
udp_connected() {
	local out
	out=$(sockclient lb udpc 127.0.0.1 7 6)
	[ "$(awk '{print $1"|"$2"|"$3}' <<<"$out" | sort -u)" = "127.0.0.1:7|127.0.0.1:7|ok" ] ||
		{ echo "  $(tr '\n' ' ' <<<"$out")"; return 1; }
}
check udp_connected_peer_and_replies_are_the_vip udp_connected
udp_spread() {
	local c
	c=$(bpftool map dump pinned "$PIN/xlb_sock_fwd" -j 2>/dev/null | grep -c '"member_id"')
	# The unconnected socket's one entry.
	[ "$c" = 1 ] || { echo "  xlb_sock_fwd entries: $c"; return 1; }
}
check udp_unconnected_socket_keeps_one_member udp_spread

# 7. IPv6 VIP on ::1.
ipv6_local() {
	local out c
	out=$(sockclient lb tcp ::1 8080 3)
	c=$(awk '{print $1}' <<<"$out" | counts)
	[ "$c" = "[::1]:8080=3 " ] && [ "$(awk '{print $2}' <<<"$out" | counts)" = "m1=1 m2=1 m3=1 " ] ||
		{ echo "  $(tr '\n' ' ' <<<"$out")"; return 1; }
}
check ipv6_loopback_vip_spreads_and_shows_the_vip ipv6_local

# 8. No member up: connect() fails at once with ECONNREFUSED (without the
# hook lb has no route to 198.18.3.1: ENETUNREACH).
no_member() {
	local out
	out=$(sockclient lb tcp 198.18.3.1 80 2)
	[ "$(counts <<<"$out")" = "ERR=2 " ] && [ "$(grep -c ECONNREFUSED <<<"$out")" = 2 ] ||
		{ echo "  $(tr '\n' ' ' <<<"$out")"; return 1; }
}
check no_member_up_connect_fails_with_econnrefused no_member

# 8b. No member up and on_empty: sorry without a sorry_address: a local
# client gets the built-in 503 page naming the service, as a remote one
# does from the data path, and getpeername() shows the VIP; once a member
# is up, local clients reach it.
sorry_page() { # VIP PEER SERVICE
	local out want="$2 <h1>Service Unavailable</h1>No member of $3 is available."
	out=$(sockclient lb tcp "$1" 80 3)
	[ "$(sort -u <<<"$out")" = "$want" ] || { echo "  $(head -n 1 <<<"$out")"; return 1; }
}
check local_client_gets_the_503_page_of_sorry_web sorry_page 198.18.3.2 198.18.3.2:80 sorry-web
check local_client_gets_the_503_page_over_ipv6 sorry_page fd00:30::2 "[fd00:30::2]:80" sorry-web6
sorry_status() {
	local code
	code=$(in_cg lb curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://198.18.3.2/)
	[ "$code" = 503 ] || { echo "  curl: $code"; return 1; }
}
check curl_sees_status_503 sorry_status
log_mark
tb_exec m1 /usr/bin/python3 -m http.server 82 --bind :: --directory "$(tb_state)/www/m1" \
	>>"$(tb_state)/logs/m1-http-82.log" 2>&1 &
E2E_PIDS+=($!)
sorry_way_back() {
	local out
	wait_log 10 'sorry-web: member m1 .* UP' || { echo "  m1 never came up"; return 1; }
	out=$(sockclient lb tcp 198.18.3.2 80 3)
	[ "$(sort -u <<<"$out")" = "198.18.3.2:80 m1" ] || { echo "  $(tr '\n' ' ' <<<"$out")"; return 1; }
}
check local_clients_reach_the_member_once_it_is_up sorry_way_back

# 9. all_namespaces: the client namespace's sockets are balanced too (its
# connections reach the members through lb's routing).
sed 's/socket_lb: {enabled: true,/socket_lb: {enabled: true, all_namespaces: true,/' \
	"$WORK/full.yaml" >"$WORK/allns.yaml"
daemon_stop
log_mark
daemon_start "$WORK/allns.yaml"
wait_log 20 'sockets of every network namespace' >/dev/null
all_ns() {
	local out
	out=$(sockclient client tcp 127.0.0.1 8080 3)
	[ "$(awk '{print $1}' <<<"$out" | counts)" = "127.0.0.1:8080=3 " ] &&
		[ "$(awk '{print $2}' <<<"$out" | counts)" = "m1=1 m2=1 m3=1 " ] ||
		{ echo "  $(tr '\n' ' ' <<<"$out")"; return 1; }
}
check all_namespaces_balances_another_netns all_ns

# 10. xlb stop detaches every hook.
daemon_stop
"$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
# The last reference to a link goes away asynchronously: poll, bounded.
no_programs() {
	local out
	out=$(bpftool -j cgroup show "$CG" 2>/dev/null)
	[ -z "$out" ] || [ "$out" = "[]" ]
}
detached() {
	wait_until 5 no_programs || { echo "  $(bpftool cgroup show "$CG" 2>&1)"; return 1; }
}
check stop_detaches_the_socket_hooks detached
finish
