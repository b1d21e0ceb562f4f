#!/usr/bin/env bash
# What tc mode has of its own, in the namespace testbed (the daemon and
# modes suites also run whole with --mode tc): a client on the balancer host
# itself balanced by tc egress (socket hooks off), and refused at once by the
# RST egress builds when no member is up; a switch of mode under load
# (tc -> xdp -> tc) without a failed connection and with nothing of the old
# mode left behind; tc serving behind another XDP program that owns the
# hook; `xlb stop` refused from a namespace that cannot reach the filters.
# Hosts send full checksums (XDP, switched to here, needs them); lb's own
# stack leaves its checksums partial, as any host does.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbtc-
PIN=/sys/fs/bpf/xlbtc
VIP=198.18.2.1
VIP_CLOSED=198.18.2.9 # its one member listens on nothing: on_empty reject
SRCS=198.18.0.2,198.18.0.3,198.18.0.4,198.18.0.5

e2e_start tc 3 4

cat >"$WORK/xlb.yaml" <<-YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
  socket_lb: false
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    healthcheck: {type: http, interval: 300ms, timeout: 200ms, rise: 2, fall: 2}
    members:
      m1: [$(tb_member_ip 1), 80]
      m2: [$(tb_member_ip 2), 80]
      m3: [$(tb_member_ip 3), 80]
  - name: closed
    vip: {ip: $VIP_CLOSED, port: 80}
    healthcheck: {type: tcp, interval: 300ms, timeout: 200ms, rise: 2, fall: 1}
    members:
      m1: [$(tb_member_ip 1), 81]
YAML

log_mark
daemon_start "$WORK/xlb.yaml" --mode tc
if wait_log 20 ' member m[1-3] .* UP ' 3; then
	ok daemon_starts_in_tc_mode
else
	ko daemon_starts_in_tc_mode "$(log_since | tail -n 5)"
	finish
fi

# in_turn FILE: 3 members, each answering every third connection.
in_turn() {
	local counts
	counts=$(sort "$1" | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')
	[ "$counts" = "m1=10 m2=10 m3=10 " ] &&
		awk 'NR > 3 && $0 != prev[(NR - 1) % 3] { bad = 1 } { prev[(NR - 1) % 3] = $0 }
		     END { exit bad }' "$1" || { echo "  $counts: $(head -n 6 "$1" | tr '\n' ' ')"; return 1; }
}

# 1. A client on lb itself: the VIP is routed out of l0 (toward the
# client, which serves nothing on port 80), so only tc egress on l0 can
# bring these connections to the members; replies come back up lb's stack.
tb_exec lb ip route add "$VIP/32" via "$(tb_client_ip 1)" dev l0
tb_exec lb /usr/bin/python3 "$CLIENT_PY" http "$VIP" 80 30 >"$WORK/local.out" 2>&1
check local_client_on_the_balancer_is_balanced_by_tc_egress in_turn "$WORK/local.out"
# Without a member up, the RST tc egress builds goes back in to the socket:
# connect() is refused at once, not after SYN retransmissions.
tb_exec lb ip route add "$VIP_CLOSED/32" via "$(tb_client_ip 1)" dev l0
tb_exec lb /usr/bin/python3 "$CLIENT_PY" http "$VIP_CLOSED" 80 3 >"$WORK/closed.out" 2>&1
refused_at_once() {
	[ "$(grep -c 'Refused' "$WORK/closed.out")" = 3 ] || { echo "  $(tr '\n' ' ' <"$WORK/closed.out")"; return 1; }
}
check local_client_without_members_is_refused_by_the_egress_rst refused_at_once
tb_exec lb ip route del "$VIP/32"
tb_exec lb ip route del "$VIP_CLOSED/32"

# 2. The mode switches with a restart, under load: tc -> xdp -> tc.
attached_as() { # MODE: what xlb status and the kernel say of l0 and l1
	local st l
	st=$(xlb_in_lb status --pin-dir "$PIN" 2>&1 | head -n 3)
	for l in l0 l1; do
		if [ "$1" = tc ]; then
			grep -q "$l (tc)" <<<"$st" && tb_exec lb tc filter show dev "$l" ingress | grep -q xlb_tc_ingress &&
				! tb_exec lb ip link show "$l" | grep -q ' xdp' ||
				{ echo "  $l not in tc mode: $st"; return 1; }
		else
			grep -qE "$l \((native|generic) XDP\)" <<<"$st" &&
				! tb_exec lb tc filter show dev "$l" ingress | grep -q xlb &&
				! tb_exec lb tc filter show dev "$l" egress | grep -q xlb ||
				{ echo "  $l not in XDP mode: $st"; return 1; }
		fi
	done
}
client load "$VIP" 80 6 --rate 40 --src "$SRCS" >"$WORK/load.out" 2>&1 &
load=$!
sleep 1
daemon_stop
log_mark
daemon_start "$WORK/xlb.yaml"
wait_log 10 'running: '
check switch_to_xdp_leaves_no_tc_filter attached_as xdp
sleep 1.5
daemon_stop
log_mark
daemon_start "$WORK/xlb.yaml" --mode tc
wait_log 10 'running: '
check switch_back_to_tc_leaves_no_xdp_link attached_as tc
wait "$load"
switch_no_failures() {
	grep -qE '^ok [1-9][0-9]* failed 0$' "$WORK/load.out" || { echo "  $(head -n 1 "$WORK/load.out")"; return 1; }
}
check mode_switches_under_load_zero_failed_connections switch_no_failures

# 3. Where XDP cannot serve: another program owns l0's XDP hook.  XDP mode
# refuses and points at tc; tc mode serves behind it.
obj=$(tb_xdp_pass_obj) && tb_exec lb ip link set dev l0 xdpdrv obj "$obj" sec xdp ||
	{ ko foreign_xdp_program_attached "cannot attach scripts/xdp_pass.bpf.c to l0"; finish; }
daemon_stop
log_mark
daemon_start "$WORK/xlb.yaml"
# exited: the daemon process has ended (a zombie until waited for).
exited() { [ ! -e "/proc/$DPID" ] || [ "$(awk '{print $3}' "/proc/$DPID/stat")" = Z ]; }
xdp_refused() {
	local rc
	wait_until 10 exited || { echo "  the XDP daemon kept running"; return 1; }
	wait "$DPID"
	rc=$?
	DPID=
	[ "$rc" = 1 ] && log_has 'already runs XDP program id [0-9]+.*--mode tc' ||
		{ echo "  exit $rc: $(log_since | tail -n 2)"; return 1; }
}
check xdp_mode_refuses_a_busy_hook_and_points_at_tc xdp_refused
log_mark
daemon_start "$WORK/xlb.yaml" --mode tc
wait_log 10 'running: '
client http "$VIP" 80 30 --src "$SRCS" >"$WORK/behind.out" 2>&1
check tc_mode_serves_behind_another_xdp_program in_turn "$WORK/behind.out"
tb_exec lb ip link set dev l0 xdpdrv off

# 4. xlb stop from the host's namespace cannot reach lb's filters: it
# refuses and changes nothing; from lb's namespace it removes everything.
stop_elsewhere_refused() {
	local out
	if out=$("$XLB" stop --pin-dir "$PIN" 2>&1); then
		echo "  stop succeeded: $out"
		return 1
	fi
	grep -q 'another network namespace' <<<"$out" && daemon_alive && attached_as tc ||
		{ echo "  $out"; return 1; }
}
check stop_from_another_namespace_is_refused_and_changes_nothing stop_elsewhere_refused
check stop_in_the_namespace_removes_everything xlb_in_lb stop --pin-dir "$PIN"
DPID=
nothing_left() {
	local l
	[ ! -e "$PIN" ] || { echo "  $PIN remains"; return 1; }
	for l in l0 l1; do
		! tb_exec lb tc filter show dev "$l" ingress | grep -q xlb &&
			! tb_exec lb tc filter show dev "$l" egress | grep -q xlb || { echo "  filters on $l"; return 1; }
	done
}
check nothing_left_after_stop nothing_left
finish
