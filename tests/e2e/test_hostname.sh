#!/usr/bin/env bash
# Hostname members, resolved through a private hosts file in a mount
# namespace of the daemon's own (never the network): every address is a
# member of its own with its own health; re-resolution adds and removes
# addresses; a failed resolution keeps the last good set and says so.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbhost-
PIN=/sys/fs/bpf/xlbhost
VIP=198.18.2.1
SRCS=198.18.0.2,198.18.0.3

e2e_start hostname 3 2
HOSTS=$WORK/hosts

cat >"$WORK/xlb.yaml" <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
  resolve_interval: 1s
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      pool: {address: web.backend.test, port: 80}
YAML
printf '%s web.backend.test\n%s web.backend.test\n' "$(tb_member_ip 1)" "$(tb_member_ip 2)" >"$HOSTS"

# The daemon sees $HOSTS as /etc/hosts; nothing else does.
log_mark
nsenter --net="/run/netns/$(tb_ns lb)" -- unshare --mount -- sh -c \
	'mount --bind "$1" /etc/hosts && exec "$2" run -c "$3" --pin-dir "$4"' \
	sh "$HOSTS" "$XLB" "$WORK/xlb.yaml" "$PIN" >>"$DLOG" 2>&1 &
DPID=$!
if wait_log 15 'web: member pool#198\.18\.1\.1[12] .* UP ' 2; then
	ok every_address_is_a_member_of_its_own
else
	ko every_address_is_a_member_of_its_own "$(log_since | tail -n 5)"
	finish
fi
counts() {
	client http "$VIP" 80 "$1" --src "$SRCS" | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' '
}
two() { local c; c=$(counts 10); [ "$c" = "m1=5 m2=5 " ] || { echo "  $c"; return 1; }; }
check two_addresses_share_the_traffic two

host_not_redirected() { ! grep -q web.backend.test /etc/hosts; }
check the_hosts_file_is_private_to_the_daemon host_not_redirected

# A third address appears: it joins after its first good check.
log_mark
printf '%s web.backend.test\n' "$(tb_member_ip 3)" >>"$HOSTS"
if wait_log 10 'web: member pool#198\.18\.1\.13 .* UP '; then
	ok reresolution_adds_the_new_address
else
	ko reresolution_adds_the_new_address "$(log_since | tail -n 5)"
fi
three() { local c; c=$(counts 12); [ "$c" = "m1=4 m2=4 m3=4 " ] || { echo "  $c"; return 1; }; }
check three_addresses_share_the_traffic three

# One address disappears: it leaves the rotation.
log_mark
printf '%s web.backend.test\n%s web.backend.test\n' "$(tb_member_ip 1)" "$(tb_member_ip 3)" >"$HOSTS"
if wait_log 10 'member pool#198\.18\.1\.12 removed'; then
	ok reresolution_removes_a_vanished_address
else
	ko reresolution_removes_a_vanished_address "$(log_since | tail -n 5)"
fi
no_m2() { local c; c=$(counts 10); [ "$c" = "m1=5 m3=5 " ] || { echo "  $c"; return 1; }; }
check vanished_address_gets_no_new_connections no_m2

# The name stops resolving: the last good set stays, and the log says so.
log_mark
: >"$HOSTS"
if wait_log 10 'keeping the last good addresses'; then
	ok failed_resolution_is_logged
else
	ko failed_resolution_is_logged "$(log_since | tail -n 5)"
fi
check failed_resolution_keeps_the_last_good_set no_m2
# Said once, not at every retry (1 s here): wait three more intervals.
sleep 3
said_once() { [ "$(log_since | grep -c 'keeping the last good addresses')" = 1 ]; }
check failed_resolution_is_said_once said_once

# The name resolves again: the daemon says so and the set follows.
log_mark
printf '%s web.backend.test\n' "$(tb_member_ip 2)" >"$HOSTS"
if wait_log 10 'hostname members resolve again'; then
	ok recovered_resolution_is_logged
else
	ko recovered_resolution_is_logged "$(log_since | tail -n 5)"
fi
wait_log 10 'web: member pool#198\.18\.1\.12 .* UP '
only_m2() { local c; c=$(counts 4); [ "$c" = "m2=4 " ] || { echo "  $c"; return 1; }; }
check recovered_resolution_takes_the_new_set only_m2
finish
