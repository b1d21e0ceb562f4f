#!/usr/bin/env bash
# tests/vm/systemd.sh: xlb as the systemd service it ships as, in a VM whose
# PID 1 is systemd:  vmtest/run -S -k KERNEL -- tests/vm/systemd.sh
# (make vmtest-systemd).  Installs build/xlb and scripts/xlb.service as a
# package would, with a configuration on a veth pair of the guest's own
# namespace, then: `systemctl start` returns once the data plane is
# attached (Type=notify), the daemon holds exactly its four capabilities,
# STATUS= follows the member, `systemctl reload` applies a good file and
# fails on a bad one (which is never applied), a member going DOWN is in
# `journalctl -p warning` and its coming UP is not, `systemctl stop` leaves
# the data plane attached and pinned.
#
# Prints PASS/FAIL/SKIP lines, then "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PIN=/sys/fs/bpf/xlb
CONFIG=/etc/xlb/xlb.yaml

# PASS/FAIL bookkeeping and wait_until, as in the e2e suites.
. scripts/lib.sh
. tests/e2e/lib.sh

if [ "$(cat /proc/1/comm)" != systemd ]; then
	skip xlb_under_systemd "PID 1 is $(cat /proc/1/comm), not systemd (boot with vmtest/run -S)"
	finish
fi
[ -x "$BUILD/xlb" ] || { ko xlb_under_systemd "$BUILD/xlb is not built"; finish; }

# What xlb.service pulls in starts first: systemd-tmpfiles-setup (part of
# sysinit.target) empties /tmp, and would take WORK with it.
timeout 120 systemctl start basic.target ||
	{ ko basic_target_starts "$(systemctl --failed --no-pager 2>&1 | head -n 5)"; finish; }
WORK=$(mktemp -d /tmp/xlb-vm-systemd.XXXXXX)
SRV=
cleanup() {
	timeout 60 systemctl stop xlb >/dev/null 2>&1
	xlb stop >/dev/null 2>&1
	[ -z "$SRV" ] || { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
	ip link del xlbv0 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# ---- installed as a package would ------------------------------------------
install -m 0755 "$BUILD/xlb" /usr/local/sbin/xlb
install -m 0644 scripts/xlb.service /etc/systemd/system/xlb.service
mkdir -p /etc/xlb
write_config() { # [EXTRA_MEMBER_LINE]
	cat >"$CONFIG" <<-YAML
	global:
	  interfaces: [xlbv0]
	  flow_table_size: $E2E_FLOW_TABLE_SIZE
	services:
	  - name: web
	    vip: {ip: 198.18.2.1, port: 80}
	    healthcheck: {type: http, interval: 1s, timeout: 900ms, rise: 1, fall: 1}
	    members:
	      m1: [198.18.1.11, 8080]
	${1:-}
	YAML
}
write_config
ip link add xlbv0 type veth peer name xlbv1
ip addr add 198.18.0.1/24 dev xlbv0
ip addr add 198.18.1.11/24 dev xlbv1
ip addr add 198.18.1.12/24 dev xlbv1 # m2: no server, never serving
ip link set xlbv0 up
ip link set xlbv1 up
mkdir -p "$WORK/www"
echo m1 >"$WORK/www/index.html"
start_server() {
	/usr/bin/python3 -m http.server 8080 --bind 198.18.1.11 --directory "$WORK/www" \
		>>"$WORK/server.log" 2>&1 &
	SRV=$!
	wait_until 30 sh -c 'ss -Hltn "sport = :8080" | grep -q .'
}
start_server || { ko member_server_listens "$(cat "$WORK/server.log")"; finish; }
systemctl daemon-reload

journal() { journalctl -u xlb -o cat --no-pager "$@" 2>/dev/null; }
prop() { systemctl show -p "$1" --value xlb; }

# ---- start: Type=notify --------------------------------------------------------
if timeout 120 systemctl start xlb; then
	# Checked before anything else runs: start returned only after READY=1.
	xdp_at_start=$(ip -o link show xlbv0 | grep -oE ' xdp(generic)? ' | tr -d ' ')
	services_at_start=$(xlb status --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(",".join(s["name"] for s in json.load(sys.stdin)["services"]))' 2>/dev/null)
	ok systemctl_start_succeeds
else
	ko systemctl_start_succeeds "$(systemctl status xlb --no-pager 2>&1 | sed -n 3p)"
	journal | tail -n 20 | sed 's/^/  | /'
	finish
fi
started_after_ready() {
	[ "$xdp_at_start" = xdp ] && [ "$services_at_start" = web ] &&
		[ "$(prop ActiveState)/$(prop SubState)" = active/running ] ||
		{ echo "  at start: xdp '$xdp_at_start', services '$services_at_start', state $(prop ActiveState)/$(prop SubState)"; return 1; }
}
check start_returns_once_attached_and_published started_after_ready
four_caps() {
	local pid eff
	pid=$(prop MainPID)
	eff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
	# CAP_NET_ADMIN (12), CAP_NET_RAW (13), CAP_PERFMON (38), CAP_BPF (39)
	[ "$eff" = 000000c000003000 ] || { echo "  CapEff of PID $pid: $eff, expected 000000c000003000"; return 1; }
}
check daemon_holds_exactly_bpf_net_admin_net_raw_perfmon four_caps
status_is() { [ "$(prop StatusText)" = "$1" ]; }
if wait_until 20 status_is '1 service, 1 member, 1 serving'; then
	ok status_text_follows_the_member_up
else
	ko status_text_follows_the_member_up "StatusText='$(prop StatusText)'"
	tail -n 5 "$WORK/server.log" | sed 's/^/  server: /'
fi

# ---- reload ------------------------------------------------------------------
# A reload that adds a member: the STATUS= of the READY=1 that ends it says
# 2 members, so seeing it the moment `systemctl reload` returns shows that
# systemd waited for the daemon (RELOADING=1 ... READY=1), not only for kill.
good_reload() { # WANT_STATUS [EXTRA_MEMBER_LINE]
	local st
	write_config "${2:-}"
	timeout 60 systemctl reload xlb || { echo "  systemctl reload failed"; return 1; }
	st=$(prop StatusText)
	[ "$st" = "$1" ] && [ "$(prop ActiveState)" = active ] ||
		{ echo "  right after reload: state $(prop ActiveState), StatusText '$st', expected '$1'"; journal | tail -n 5; return 1; }
}
check systemctl_reload_returns_once_the_daemon_applied_the_file \
	good_reload '1 service, 2 members, 1 serving' '      m2: [198.18.1.12, 8080]'
check systemctl_reload_back_to_one_member good_reload '1 service, 1 member, 1 serving'

bad_reload() {
	local n rc
	n=$(journal | grep -c '^reloading ')
	printf 'services:\n  - name: [oops\n' >"$CONFIG"
	timeout 60 systemctl reload xlb 2>/dev/null
	rc=$?
	write_config
	[ $rc != 0 ] && [ "$(journal | grep -c '^reloading ')" = "$n" ] &&
		journal | grep -q 'YAML syntax error' && [ "$(prop ActiveState)" = active ] ||
		{ echo "  reload exit $rc, state $(prop ActiveState)"; journal | tail -n 5; return 1; }
}
check systemctl_reload_refuses_a_bad_file_before_the_daemon_sees_it bad_reload

# ---- priorities in the journal -------------------------------------------------
kill "$SRV"
wait "$SRV" 2>/dev/null
SRV=
down_warning() {
	journalctl -u xlb -p warning -o cat --no-pager | grep -q '^warning: web: member m1 198.18.1.11:8080 DOWN'
}
if wait_until 20 down_warning; then
	ok member_down_is_in_journalctl_p_warning
else
	ko member_down_is_in_journalctl_p_warning "$(journal -p warning | tail -n 5)"
fi
if wait_until 10 status_is '1 service, 1 member, 0 serving'; then
	ok status_text_follows_the_member_down
else
	ko status_text_follows_the_member_down "StatusText='$(prop StatusText)'"
fi
up_is_info() {
	journal -p info | grep -q '^web: member m1 198.18.1.11:8080 UP' &&
		! journal -p warning | grep -q 'member m1 .* UP' ||
		{ journal | grep 'member m1' | sed 's/^/  /'; return 1; }
}
check member_up_is_info_not_warning up_is_info

# ---- stop -------------------------------------------------------------------------
stopped_attached() {
	timeout 60 systemctl stop xlb || { echo "  systemctl stop failed"; return 1; }
	[ "$(prop ActiveState)" = inactive ] && [ -e "$PIN/xlb_meta" ] &&
		ip -o link show xlbv0 | grep -qE ' xdp(generic)? ' &&
		journal | grep -q 'exiting; the data plane stays attached' ||
		{ echo "  state $(prop ActiveState)"; ls "$PIN" | head -n 3; journal | tail -n 3; return 1; }
}
check systemctl_stop_leaves_the_data_plane_attached stopped_attached
removed() {
	xlb stop >/dev/null && [ ! -e "$PIN" ] && ! ip -o link show xlbv0 | grep -qE ' xdp(generic)? '
}
check xlb_stop_detaches_it removed

finish
