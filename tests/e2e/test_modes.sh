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

e2e_start modes 3 4

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
YAML
"$XLB" check "$WORK/xlb.yaml" >"$WORK/check.out" 2>&1 ||
	{ ko config_valid "$(cat "$WORK/check.out")"; finish; }

log_mark
daemon_start "$WORK/xlb.yaml"
if wait_log 20 ' member m[1-3] .* UP ' 3; then
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

finish
