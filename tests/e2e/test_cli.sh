#!/usr/bin/env bash
# The operator's commands against a running data plane in the testbed, and
# every run-time mistake `xlb run` must refuse before touching anything:
# status/flows (text and JSON, long options and their letters, before and
# after the arguments), drain and enable with and without the daemon, pick
# with its saved position and its JSON, a second daemon, a missing
# interface, a pin directory off bpffs, an unroutable member, non-root, and
# a command-line mistake as one error line and the usage (exit 2).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbcli-
PIN=/sys/fs/bpf/xlbcli
VIP=198.18.2.1
SRCS=198.18.0.2,198.18.0.3

e2e_start cli 3 2

cat >"$WORK/xlb.yaml" <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      m1: [$(tb_member_ip 1), 80]
      m2: [$(tb_member_ip 2), 80]
      m3: [$(tb_member_ip 3), 80]
YAML

# Mistakes refused before anything is loaded: nothing pinned afterwards.
nothing_pinned() { [ ! -e "$PIN" ]; }
run_fails_with() { # MESSAGE-REGEX ARGS...
	local want=$1 out rc
	shift
	out=$(xlb_in_lb run --pin-dir "$PIN" "$@" 2>&1)
	rc=$?
	[ "$rc" = 1 ] && grep -qE "$want" <<<"$out" && nothing_pinned ||
		{ echo "  rc $rc: $out"; return 1; }
}
check run_refuses_a_missing_interface \
	run_fails_with "interface 'nosuch0' does not exist" -c "$WORK/xlb.yaml" -i nosuch0
mkdir -p "$WORK/notbpf"
not_bpffs() {
	local out
	out=$(xlb_in_lb run -c "$WORK/xlb.yaml" --pin-dir "$WORK/notbpf/xlb" 2>&1)
	[ $? = 1 ] && grep -q 'is not on a bpf filesystem' <<<"$out" || { echo "  $out"; return 1; }
}
check run_refuses_a_pin_dir_off_bpffs not_bpffs
sed "s/$(tb_member_ip 3)/198.19.99.9/" "$WORK/xlb.yaml" >"$WORK/unroutable.yaml"
check run_refuses_an_unroutable_member \
	run_fails_with "member m3 198.19.99.9:80: no route from this host" -c "$WORK/unroutable.yaml"
nonroot() {
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$XLB" run -c "$WORK/xlb.yaml" \
		--pin-dir "$PIN" 2>&1)
	[ $? = 1 ] && grep -qF 'xlb run needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (missing: CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON)' <<<"$out" &&
		nothing_pinned || { echo "  $out"; return 1; }
}
if command -v setpriv >/dev/null; then
	check run_without_capabilities_names_the_missing_ones nonroot
else
	skip run_without_capabilities_names_the_missing_ones "setpriv (util-linux) is missing"
fi
usage_error() { "$XLB" run >/dev/null 2>&1; [ $? = 2 ]; }
check run_without_a_file_is_a_usage_error usage_error
# usage_error_is MESSAGE ARGS...: exit 2, stdout empty, stderr the one line
# "xlb COMMAND: MESSAGE" and then the command's usage.
usage_error_is() {
	local want=$1 out err rc
	shift
	out=$(xlb_in_lb "$@" 2>"$WORK/usage.err")
	rc=$?
	err=$(cat "$WORK/usage.err")
	[ "$rc" = 2 ] && [ -z "$out" ] && [ "$(head -n 1 <<<"$err")" = "xlb $1: $want" ] &&
		[ "$(grep -c "^xlb $1:" <<<"$err")" = 1 ] &&
		[ "$(sed -n 2p <<<"$err")" = "$(xlb_in_lb "$1" --help | sed -n 3p)" ] ||
		{ echo "  rc $rc, stdout '$out', stderr:"; echo "$err"; return 1; }
}
run_usage_error_is() { usage_error_is "$@" && nothing_pinned; }
check run_unknown_option_is_one_line_and_the_usage \
	run_usage_error_is "unknown option '--frobnicate'" run -c "$WORK/xlb.yaml" --pin-dir "$PIN" --frobnicate
check run_unknown_mode_is_one_line_and_the_usage \
	run_usage_error_is "unknown mode 'xdpdrv'; expected xdp, xdp-generic or tc" run -c "$WORK/xlb.yaml" --pin-dir "$PIN" -m xdpdrv
check run_option_without_value_is_one_line_and_the_usage \
	run_usage_error_is "option '--pin-dir' needs a value" run -c "$WORK/xlb.yaml" --pin-dir
check_json_after_file() {
	"$XLB" check "$WORK/xlb.yaml" --json | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
assert c["valid"] is True and [s["name"] for s in c["services"]] == ["web"], c
'
}
check check_file_then_json_prints_the_json_plan check_json_after_file

log_mark
daemon_start "$WORK/xlb.yaml"
wait_log 15 ' member m[1-3] .* UP ' 3 || { ko daemon_up "$(log_since | tail -n 5)"; finish; }
ok daemon_up

second_daemon() {
	local out
	out=$(xlb_in_lb run -c "$WORK/xlb.yaml" --pin-dir "$PIN" 2>&1)
	[ $? = 1 ] && grep -q "another xlb daemon (PID $DPID) is running" <<<"$out" ||
		{ echo "  $out"; return 1; }
}
check second_daemon_is_refused_by_pid second_daemon

client http "$VIP" 80 6 --src "$SRCS" >/dev/null
status_text() {
	local out
	out=$(xlb_in_lb status --pin-dir "$PIN")
	grep -q "daemon running (PID $DPID)" <<<"$out" &&
		grep -qE '^web  tcp 198.18.2.1:80  round-robin, nat, on empty: reject  3/3 members serving' <<<"$out" &&
		grep -qE '^  m1 +198.18.1.11:80 +UP ' <<<"$out" &&
		grep -qE 'l0 \(native XDP\)' <<<"$out" || { echo "$out"; return 1; }
}
check status_text_shows_services_members_and_mode status_text
status_json() {
	xlb_in_lb status --pin-dir "$PIN" --json | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
web = [x for x in s["services"] if x["name"] == "web"][0]
assert web["members_serving"] == 3, web
assert [m["name"] for m in web["members"]] == ["m1", "m2", "m3"], web
assert sum(m["new_connections"] for m in web["members"]) == 6, web
assert all(m["state"] == "UP" for m in web["members"]), web
assert s["packets_by_outcome"]["tx_new_flow"] >= 6, s["packets_by_outcome"]
'
}
check status_json_is_valid_and_counts_new_connections status_json
# What does not move between two reads: the pin dir, the daemon, who serves.
status_shape() {
	/usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s["pin_dir"], s["daemon_pid"])
for v in s["services"]:
    print(v["name"], v["vip"], v["port"], [(m["name"], m["state"]) for m in v["members"]])
'
}
status_letters() { # -j -p mean --json --pin-dir
	local short long
	short=$(xlb_in_lb status -j -p "$PIN" | status_shape) &&
		long=$(xlb_in_lb status --json --pin-dir "$PIN" | status_shape) &&
		[ -n "$short" ] && [ "$short" = "$long" ] || { echo "  -j -p: $short"; echo "  long: $long"; return 1; }
}
check status_letters_mean_the_long_options status_letters
check status_unknown_option_is_one_line_and_the_usage \
	usage_error_is "unknown option '--service'" status --pin-dir "$PIN" --service web

# flows: a held connection is listed with its member.
client hold "$VIP" 7 1 30 --until-file "$WORK/stop" >/dev/null 2>&1 &
hold=$!
flows_listed() {
	xlb_in_lb flows --pin-dir "$PIN" --service web --json | /usr/bin/python3 -c '
import json, sys
f = json.load(sys.stdin)
assert len(f) >= 1, f
assert all(x["service"] == "web" and x["member"] in ("m1", "m2", "m3") for x in f), f
assert all(x["half_open"] in (True, False) for x in f), f
'
}
cat >>"$WORK/xlb.yaml" <<YAML
  - name: echo
    vip: {ip: $VIP, port: 7}
    healthcheck: {type: tcp, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      m1: [$(tb_member_ip 1), 7]
YAML
check flows_json_lists_web_connections flows_listed
flows_letters() {
	xlb_in_lb flows -s web -j -p "$PIN" | /usr/bin/python3 -c '
import json, sys
f = json.load(sys.stdin)
assert len(f) >= 1 and all(x["service"] == "web" for x in f), f
'
}
check flows_letters_mean_the_long_options flows_letters
touch "$WORK/stop"
wait "$hold" 2>/dev/null
unknown_service() { ! xlb_in_lb flows --pin-dir "$PIN" --service nosuch >/dev/null 2>&1; }
check flows_of_an_unknown_service_fail unknown_service

# drain with the daemon: m2 gets nothing new; enable brings it back.
log_mark
xlb_in_lb drain web m2 --pin-dir "$PIN" >"$WORK/drain.out" 2>&1
check drain_is_confirmed grep -q 'member m2 drained' "$WORK/drain.out"
wait_log 5 'member m2 drained'
no_m2() {
	local out
	out=$(client http "$VIP" 80 8 --src "$SRCS")
	! grep -q '^m2$' <<<"$out" && ! grep -q ERR <<<"$out" || { echo "  $out"; return 1; }
}
check drained_member_gets_no_new_connections no_m2
check status_shows_drain bash -c "nsenter --net=/run/netns/$(tb_ns lb) -- $XLB status --pin-dir $PIN | grep -qE '^  m2 .* DRAIN '"
xlb_in_lb enable web m2 --pin-dir "$PIN" >/dev/null
wait_log 5 'member m2 enabled'
m2_back() {
	local out
	out=$(client http "$VIP" 80 6 --src "$SRCS")
	grep -q '^m2$' <<<"$out" || { echo "  $out"; return 1; }
}
check enabled_member_serves_again m2_back
unknown_member() { ! xlb_in_lb drain web m9 --pin-dir "$PIN" >/dev/null 2>&1; }
check drain_of_an_unknown_member_fails unknown_member

# drain with no daemon: the command republishes the slot table itself.
daemon_stop
xlb_in_lb drain web m1 --pin-dir "$PIN" >/dev/null
no_m1() {
	local out
	out=$(client http "$VIP" 80 6 --src "$SRCS")
	! grep -q '^m1$' <<<"$out" && ! grep -q ERR <<<"$out" || { echo "  $out"; return 1; }
}
check drain_without_daemon_takes_effect no_m1
status_no_daemon() { xlb_in_lb status --pin-dir "$PIN" | grep -q 'no daemon running'; }
check status_works_without_the_daemon status_no_daemon
# No daemon sweeps: once the census is older than 2 s, status runs the
# pinned sweeper itself and says so; a second status right after does not.
sleep 2.5
status_sweeps_itself() {
	local first second
	first=$(xlb_in_lb status --pin-dir "$PIN" | grep '^last sweep:')
	second=$(xlb_in_lb status --json --pin-dir "$PIN" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["sweep"]
print(s["census"], s["by_this_command"], s["error"])
')
	grep -q '^last sweep: just now, run by this command (took .* ms; the one before was .* old)$' <<<"$first" &&
		[ "$second" = "True False None" ] || { echo "  $first / $second"; return 1; }
}
check status_without_a_daemon_runs_a_sweep_when_the_census_is_old status_sweeps_itself
resized() {
	local out
	sed 's/^  flow_table_size: .*/  flow_table_size: 4096/' "$WORK/xlb.yaml" >"$WORK/resized.yaml"
	out=$(xlb_in_lb run -c "$WORK/resized.yaml" --pin-dir "$PIN" 2>&1)
	[ $? = 1 ] && grep -q "holds $E2E_FLOW_TABLE_SIZE entries and the configuration asks for 4096" <<<"$out" &&
		[ -e "$PIN/xlb_flows" ] || { echo "  $out"; return 1; }
}
check run_refuses_another_flow_table_size_and_keeps_the_pins resized
xlb_in_lb enable web m1 --pin-dir "$PIN" >/dev/null

# pick: the seed's one-shot job against real members, position saved.
cat >"$WORK/seed.yaml" <<YAML
---
service: observabilityplatforms.com
vip:
  ip: 127.0.0.1
  listener_port: 8080
  pool:
    members:
      newrelic.com: [$(tb_member_ip 1), 80]
      splunk.com: [$(tb_member_ip 2), 81]
      datadoghq.com: [$(tb_member_ip 3), 80]
    healthcheck: tcp
YAML
picks=""
for i in 1 2 3; do
	picks="$picks $(xlb_in_lb pick "$WORK/seed.yaml" --state "$WORK/pick.state" |
		sed -n 's/^Your VIP returned member: //p')"
done
check pick_rotates_over_members_that_are_up test "$picks" = " newrelic.com:80 datadoghq.com:80 newrelic.com:80"
pick_table() {
	xlb_in_lb pick "$WORK/seed.yaml" --state "$WORK/pick.state" |
		grep -qE '^  splunk.com +198.18.1.12:81 +DOWN +connection refused'
}
check pick_table_names_the_failed_check pick_table
# Options before the file; the position goes on from the runs above (the
# last one, pick_table's, gave datadoghq.com).
pick_json() {
	xlb_in_lb pick -j --state "$WORK/pick.state" -s observabilityplatforms.com "$WORK/seed.yaml" |
		/usr/bin/python3 -c '
import json, sys
p = json.load(sys.stdin)
svc = p["services"][0]
assert [m["state"] for m in svc["members"]] == ["UP", "DOWN", "UP"], svc
assert svc["members"][1]["check"] == "connection refused", svc
assert svc["next"] == {"name": "newrelic.com", "address": sys.argv[1], "port": 80}, svc
' "$(tb_member_ip 1)"
}
check pick_json_names_states_and_the_next_member pick_json
check pick_without_a_file_is_one_line_and_the_usage \
	usage_error_is "missing FILE" pick --json

"$XLB" stop --pin-dir "$PIN" >/dev/null
check stop_leaves_nothing nothing_pinned
# The last reference to a link is dropped asynchronously: poll, bounded.
xdp_gone() { ! tb_exec lb ip link show dev l0 | grep -q 'prog/xdp'; }
detached() { wait_until 5 xdp_gone; }
check stop_detaches_xdp detached
finish
