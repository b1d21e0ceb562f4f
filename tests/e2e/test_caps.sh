#!/usr/bin/env bash
# Capabilities instead of uid 0.  A user other than root holding exactly
# CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (setpriv, as ambient capabilities)
# runs the daemon in the testbed, which balances; the same user reads the
# status, drains and enables a member and stops xlb.  The same user without
# them, with two of the three, and root without CAP_NET_ADMIN are each told
# which are missing (exit 1) and leave nothing pinned.  The user's pin
# directory is its own, on a bpf filesystem mounted for the test (the
# host's /sys/fs/bpf is root's, mode 0700: docs/operations.md says what a
# host needs for this).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbcap-
PIN=/sys/fs/bpf/xlbcap # only until the private bpffs is mounted
VIP=198.18.2.1
SRCS=198.18.0.2
USER_ID=64123 # no such user: setpriv takes the number
THREE=+bpf,+net_admin,+perfmon

command -v setpriv >/dev/null || {
	skip capabilities "setpriv (util-linux) is missing"
	finish
}
e2e_start caps 2 1

chmod 0755 "$WORK"
mkdir "$WORK/bpffs"
mount -t bpf bpf "$WORK/bpffs" || { ko bpffs_mounted "cannot mount bpffs at $WORK/bpffs"; finish; }
caps_cleanup() {
	daemon_stop
	xlb_stop_quiet
	umount "$WORK/bpffs" 2>/dev/null
	e2e_cleanup
}
trap caps_cleanup EXIT
PIN=$WORK/bpffs/xlb
mkdir "$PIN"
chown "$USER_ID:$USER_ID" "$PIN"

cat >"$WORK/xlb.yaml" <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
  socket_lb: true
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    healthcheck: {type: http, interval: 300ms, timeout: 200ms, rise: 1, fall: 1}
    members:
      m1: [$(tb_member_ip 1), 80]
      m2: [$(tb_member_ip 2), 80]
YAML
chmod 0644 "$WORK/xlb.yaml"

# user_prefix CAPS: the words that run a command as USER_ID in lb's
# namespace with exactly CAPS ("" for none) inherited and ambient, in
# PREFIX.  nsenter and setpriv exec: the command keeps their PID.
user_prefix() {
	PREFIX=(nsenter --net="/run/netns/$(tb_ns lb)" -- setpriv --reuid="$USER_ID"
		--regid="$USER_ID" --clear-groups --inh-caps="-all${1:+,$1}")
	[ -z "$1" ] || PREFIX+=(--ambient-caps="-all,$1")
}
as_user() { # CAPS CMD...
	user_prefix "$1"
	shift
	"${PREFIX[@]}" "$@"
}
nothing_pinned() { [ -z "$(ls -A "$PIN")" ]; }

# refused WANT CMD...: exit 1, WANT on stderr, nothing pinned.
refused() {
	local want=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ $rc = 1 ] && grep -qF "$want" <<<"$out" && nothing_pinned ||
		{ echo "  exit $rc, expected 1 and '$want'; got: $out"; ls -A "$PIN" | head -n 3; return 1; }
}
check user_without_capabilities_is_told_all_three_are_missing \
	refused 'error: xlb run needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (missing: CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON) to load the data plane and attach it; run it as root or grant them' \
	as_user "" "$XLB" run -c "$WORK/xlb.yaml" --pin-dir "$PIN"
check user_with_two_of_three_is_told_the_third \
	refused 'xlb run needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (missing: CAP_PERFMON)' \
	as_user +bpf,+net_admin "$XLB" run -c "$WORK/xlb.yaml" --pin-dir "$PIN"
root_without_net_admin() {
	nsenter --net="/run/netns/$(tb_ns lb)" -- setpriv --bounding-set=-all,+bpf,+perfmon \
		--inh-caps=-all "$XLB" run -c "$WORK/xlb.yaml" --pin-dir "$PIN"
}
check root_without_net_admin_is_told_so \
	refused 'xlb run needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (missing: CAP_NET_ADMIN)' \
	root_without_net_admin
check user_without_cap_bpf_cannot_drain \
	refused 'xlb drain needs CAP_BPF (missing: CAP_BPF) to write the pinned maps' \
	as_user +net_admin "$XLB" drain web m1 --pin-dir "$PIN"

# The capable user runs it.
log_mark
user_prefix "$THREE"
"${PREFIX[@]}" "$XLB" run -c "$WORK/xlb.yaml" --pin-dir "$PIN" >>"$DLOG" 2>&1 &
DPID=$!
if wait_log 20 ' member m[12] .* UP ' 2; then
	ok capable_user_runs_the_daemon
else
	ko capable_user_runs_the_daemon "$(log_since | tail -n 5)"
	finish
fi
owned_by_user() {
	local owner
	owner=$(stat -c %u "$PIN/xlb_meta" 2>/dev/null)
	[ "$owner" = "$USER_ID" ] || { echo "  $PIN/xlb_meta owned by '${owner:-nothing}', expected $USER_ID"; return 1; }
	ps -o uid= -p "$DPID" | grep -qx " *$USER_ID" || { echo "  the daemon runs as $(ps -o uid= -p "$DPID")"; return 1; }
}
check daemon_and_pins_belong_to_the_user owned_by_user
counts_are() { # WANT
	local got
	got=$(http_counts "$VIP" 80 10 "$SRCS")
	[ "$got" = "$1" ] || { echo "  expected '$1', got '$got'"; return 1; }
}
check capable_user_daemon_balances counts_are 'm1=5 m2=5 '
status_as_user() {
	local out
	out=$(as_user "$THREE" "$XLB" status --pin-dir "$PIN" 2>&1) &&
		grep -q "daemon running (PID $DPID)" <<<"$out" &&
		grep -q 'socket hooks: attached at' <<<"$out" || { echo "$out" | sed 's/^/  /'; return 1; }
}
check capable_user_reads_the_status status_as_user
log_mark
drain_as_user() {
	as_user "$THREE" "$XLB" drain web m2 --pin-dir "$PIN" >/dev/null &&
		wait_log 5 'web: member m2 drained' && counts_are 'm1=10 '
}
check capable_user_drains_a_member drain_as_user
enable_as_user() {
	as_user "$THREE" "$XLB" enable web m2 --pin-dir "$PIN" >/dev/null &&
		wait_log 5 'web: member m2 enabled' && counts_are 'm1=5 m2=5 '
}
check capable_user_enables_it_again enable_as_user
stop_as_user() {
	local out
	out=$(as_user "$THREE" "$XLB" stop --pin-dir "$PIN" 2>&1) &&
		grep -q "xlb stopped: data plane detached" <<<"$out" && [ ! -e "$PIN" ] &&
		! daemon_alive || { echo "  $out"; return 1; }
}
check capable_user_stops_xlb stop_as_user
wait "$DPID" 2>/dev/null
DPID=

finish
