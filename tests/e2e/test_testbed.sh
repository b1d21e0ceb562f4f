#!/usr/bin/env bash
# Self-test of the namespace testbed, with no balancer: lb only routes.
# Proves what the balancer tests build on: every member answers with its
# name over IPv4 and IPv6, the echo servers echo, replies come back
# through lb with the client's own address kept (what dnat needs), the
# XDP_PASS programs sit on the peers of lb's links, and down leaves
# nothing behind (namespaces, processes, zombies), leftovers included.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

# A prefix of its own, so that a demo testbed running meanwhile is left alone.
XLB_TB_PREFIX=xlbtst-
MEMBERS=3

if [ "$(id -u)" != 0 ]; then
	skip testbed "network namespaces need root"
	finish
fi

# A leftover of an "aborted run": one of our namespaces with a process in it.
ip netns add "${XLB_TB_PREFIX}m9" 2>/dev/null
nsenter --net="/run/netns/${XLB_TB_PREFIX}m9" -- sleep 60 &
stray=$!
stray_inside() { ip netns pids "${XLB_TB_PREFIX}m9" | grep -qx "$stray"; }
wait_until 5 stray_inside || ko leftover_setup "the stray process never entered its namespace"

trap 'tb_down quiet; wait "$stray" 2>/dev/null' EXIT
trap 'exit 1' INT TERM

# In this shell, not a subshell, so that the servers' supervisor is our
# child and down reaps it; a failure reports and ends through the trap.
tb_die() {
	tb_log "error: $*"
	ko testbed_up "$*"
	finish
}
tb_up "$MEMBERS" 2
ok testbed_up

# The leftover is gone: its process ended and reaped, its namespace removed.
wait "$stray" 2>/dev/null
check leftover_process_ended_by_up test ! -e "/proc/$stray"
check leftover_namespace_removed_by_up test ! -e "/run/netns/${XLB_TB_PREFIX}m9"

nodes_exist() {
	local n
	for n in client lb sw $(seq -f 'm%g' 1 "$MEMBERS"); do
		[ -e "/run/netns/$(tb_ns "$n")" ] || { echo "  missing $(tb_ns "$n")"; return 1; }
	done
}
check all_namespaces_exist nodes_exist

answers_name() {
	local k=$1 url=$2 got
	got=$(tb_exec client curl -s --max-time 5 "$url")
	[ "$got" = "m$k" ] || { echo "  $url: expected m$k, got '$got'"; return 1; }
}
for k in $(seq 1 "$MEMBERS"); do
	check "client_gets_m${k}_over_ipv4" answers_name "$k" "http://$(tb_member_ip "$k")/"
	check "client_gets_m${k}_over_ipv6" answers_name "$k" "http://[$(tb_member_ip6 "$k")]/"
done

echoes() {
	local proto=$1 addr=$2 got
	got=$(echo "ping-$proto" | tb_exec client socat -t 1 -T 5 - "$proto:$addr:$XLB_TB_ECHO_PORT")
	[ "$got" = "ping-$proto" ] || { echo "  $proto $addr: got '$got'"; return 1; }
}
check tcp_echo_ipv4 echoes TCP4 "$(tb_member_ip 2)"
check udp_echo_ipv4 echoes UDP4 "$(tb_member_ip 2)"
check tcp_echo_ipv6 echoes TCP6 "[$(tb_member_ip6 3)]"
check udp_echo_ipv6 echoes UDP6 "[$(tb_member_ip6 3)]"

# Routed, not translated: the member saw the client's second address.
client_address_kept() {
	tb_exec client curl -s --max-time 5 --interface "$(tb_client_ip 2)" \
		"http://$(tb_member_ip 1)/" >/dev/null || return 1
	grep -q "$(tb_client_ip 2)" "$(tb_state)/logs/m1-http.log" ||
		{ echo "  $(tb_client_ip 2) not in m1's log"; return 1; }
}
check member_sees_the_client_address client_address_kept

# Members reach the client only through lb (their default route).
member_routes_via_lb() {
	tb_exec m1 ip route get "$(tb_client_ip 1)" | grep -q "via $(tb_lb_member_ip) " &&
		tb_exec m1 ip -6 route get "$(tb_client_ip6 1)" | grep -q "via $(tb_lb_member_ip6) "
}
check members_route_back_via_lb member_routes_via_lb

xdp_on() { tb_exec "$1" ip link show dev "$2" | grep -q 'prog/xdp'; }
check xdp_pass_on_client_c0 xdp_on client c0
check xdp_pass_on_sw_s0 xdp_on sw s0

if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
	check bpffs_visible_in_lb test "$(tb_exec lb stat -f -c %T /sys/fs/bpf)" = bpf_fs
else
	skip bpffs_visible_in_lb "no bpffs mounted at /sys/fs/bpf on this host"
fi

# Down: everything we started ends and is reaped; no namespace stays.
pids=$(awk '{print $1}' "$(tb_state)/pids" "$(tb_state)/supervisor")
tb_down
gone() {
	local p
	for p in $pids; do
		[ -e "/proc/$p" ] && { echo "  pid $p still there ($(cat /proc/"$p"/comm))"; return 1; }
	done
	return 0
}
check down_ends_and_reaps_every_server gone
no_namespaces() { ! ip netns list | grep -q "^$XLB_TB_PREFIX"; }
check down_removes_every_namespace no_namespaces
check down_is_idempotent tb_down
finish
