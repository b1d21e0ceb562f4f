#!/usr/bin/env bash
# Answers on the link end to end (global: announce: {l2: true}), in the
# namespace testbed: the VIPs are in the client's own subnet (l0's,
# 198.18.0.0/24 and fd00:18::/64) and on no interface of lb, so the client
# asks ARP / neighbour discovery for them and only xlb's data path
# answers.  The client reaches them; when the service loses its last
# serving member its VIP is no longer answered (the client's neighbour
# cache flushed, its entry fails); when the service serves again a
# gratuitous ARP / unsolicited advertisement corrects the entry the client
# holds at once; the answers go on while the daemon is gone and end with
# `xlb stop`.  Also the first-contact warning for an unanswered VIP.
# XLB_E2E_MODE=tc runs it with the tc programs.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

e2e_mode xlbl2- /sys/fs/bpf/xlbl2
VIP=198.18.0.100     # web: in the client's subnet
VIP6=fd00:18::100    # web6: the same for IPv6
OFFLINK=198.18.0.101 # quiet: announce: false, so not answered (a warning)
HC_PORT=8081         # members are UP while their listener runs here
BOGUS=02:00:00:00:99:99

e2e_start l2 2 1

# ---- helpers -----------------------------------------------------------------

# (Not /sys/class/net: nsenter keeps the host's /sys.)
LB_MAC=$(tb_exec lb ip -o link show l0 | sed -n 's|.* link/ether \([0-9a-f:]*\) .*|\1|p')
[ -n "$LB_MAC" ] || { ko lb_mac_known "$(tb_exec lb ip -o link show l0)"; finish; }
# The client's neighbour entry for an address: "LLADDR STATE", or the
# state alone when it has no address (INCOMPLETE, FAILED), or "" for none.
neigh_of() {
	tb_exec client ip -o neigh show "$1" dev c0 |
		awk '{ for (i = 1; i <= NF; i++) if ($i == "lladdr") a = $(i + 1); print (a ? a " " : "") $NF }'
}
neigh_mac() { neigh_of "$1" | awk 'NF == 2 {print $1}'; }
neigh_is() { [ "$(neigh_mac "$1")" = "$2" ]; }
flush_neigh() { tb_exec client ip neigh flush dev c0; tb_exec client ip -6 neigh flush dev c0; }
# http_ok HOST: one HTTP request through the VIP answered by a member.
http_ok() { [[ $(client http "$1" 80 1) =~ ^m[12]$ ]]; }

status_json() { xlb_in_lb status --pin-dir "$PIN" --json; }
# reason NAME: its counter in `xlb status --json`.
reason() {
	status_json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["packets_by_outcome"][sys.argv[1]])' "$1"
}
# announce_of SERVICE: "STATE L2 ANSWERED TEXT".
announce_of() {
	status_json | /usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s["name"] == sys.argv[1]:
        a = s["announce"]
        print(a["state"], a["l2"], a["answered"], a["text"])' "$1"
}

hc="healthcheck: {type: tcp, port: $HC_PORT, interval: 200ms, timeout: 100ms, rise: 1, fall: 1}"
cat >"$WORK/xlb.yaml" <<-YAML
global:
  interfaces: [l0, l1]
  announce: {l2: true}
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    $hc
    members:
      m1: [$(tb_member_ip 1), 80]
      m2: [$(tb_member_ip 2), 80]
  - name: web6
    vip: {ip: "$VIP6", port: 80}
    $hc
    members:
      m1: ["$(tb_member_ip6 1)", 80]
      m2: ["$(tb_member_ip6 2)", 80]
  - name: quiet
    vip: {ip: $OFFLINK, port: 80}
    $hc
    announce: false
    members:
      m1: [$(tb_member_ip 1), 80]
YAML

# ---- served: answered ----------------------------------------------------------

hc_up 1 "$HC_PORT"
hc_up 2 "$HC_PORT"
"$XLB" check "$WORK/xlb.yaml" >"$WORK/check.out" 2>&1 || { ko config_valid "$(cat "$WORK/check.out")"; finish; }
check check_says_l2_is_answered grep -q 'l2 (ARP and neighbour solicitation answered for served VIPs)' "$WORK/check.out"
log_mark
daemon_start "$WORK/xlb.yaml" "${MODE_ARGS[@]}"
if wait_log 10 "$VIP: announced on the link \(ARP answered\)" &&
	wait_log 5 "$VIP6: announced on the link \(neighbour solicitation answered\)"; then
	ok vips_are_announced_on_the_link_when_members_serve
else
	ko vips_are_announced_on_the_link_when_members_serve "$(log_since | tail -n 5)"
	finish
fi
check no_address_on_lb_for_the_vips eval '! tb_exec lb ip -o addr show | grep -qE " ($VIP|$VIP6)/"'
check warns_about_a_vip_in_the_subnet_with_announce_false log_has \
	"service quiet: VIP $OFFLINK is inside l0's subnet 198.18.0.0/24 but is no address of this host: clients on that subnet will ARP for it and nothing answers: add the VIP to an interface, or remove 'announce: false' from the service"
check no_warning_for_the_vips_answered_on_the_link eval '! log_has "service web6?: VIP .* is inside"'
check no_word_of_l2_being_unimplemented eval '! log_has "does not answer ARP"'

flush_neigh
check client_on_the_vip_subnet_reaches_the_vip http_ok "$VIP"
check client_resolved_the_vip_to_lbs_mac neigh_is "$VIP" "$LB_MAC"
check client_reaches_the_ipv6_vip http_ok "$VIP6"
check client_resolved_the_ipv6_vip_to_lbs_mac neigh_is "$VIP6" "$LB_MAC"
arp_replies=$(reason tx_arp_reply)
nd_adverts=$(reason tx_nd_advert)
check answers_are_counted test "$arp_replies" -ge 1 -a "$nd_adverts" -ge 1
check status_says_answered_on_the_link \
	test "$(announce_of web)" = "announced True True announced (answered on the link)"

# ---- the last member goes: not answered ---------------------------------------

log_mark
hc_down 1
hc_down 2
if wait_log 5 "$VIP: withdrawn from the link \(no longer answered\): web: 0 of 1 serving members needed" &&
	wait_log 5 "$VIP6: withdrawn from the link"; then
	ok vips_are_withdrawn_with_the_last_serving_member
else
	ko vips_are_withdrawn_with_the_last_serving_member "$(log_since | tail -n 5)"
fi
flush_neigh
passed_before=$(reason pass_arp)
client http "$VIP" 80 1 >/dev/null   # asks ARP; nothing answers
client http "$VIP6" 80 1 >/dev/null
unanswered() {
	local v4 v6
	v4=$(neigh_of "$VIP")
	v6=$(neigh_of "$VIP6")
	[[ $v4 =~ ^(INCOMPLETE|FAILED)$ ]] && [[ $v6 =~ ^(INCOMPLETE|FAILED)$ ]] ||
		{ echo "  client's entries: '$v4' '$v6'"; return 1; }
}
check client_arp_and_nd_are_not_answered_without_a_serving_member wait_until 5 unanswered
check the_unanswered_requests_are_counted_as_passed test "$(reason pass_arp)" -gt "$passed_before"
check status_says_not_announced \
	test "$(announce_of web)" = "too_few_members True False not announced: 0 of 1 serving members needed"

# ---- served again: a gratuitous ARP corrects the client's entry ---------------

# The client holds a stale entry with another MAC (another node's, say);
# nothing makes it ask again until it uses it.
tb_exec client ip neigh replace "$VIP" lladdr "$BOGUS" dev c0 nud stale
tb_exec client ip -6 neigh replace "$VIP6" lladdr "$BOGUS" dev c0 nud stale
garps_before=$(reason tx_arp_reply)
log_mark
hc_up 1 "$HC_PORT"
wait_log 5 "$VIP: announced on the link" || ko vip_announced_again "$(log_since | tail -n 3)"
check gratuitous_arp_updates_the_clients_entry wait_until 5 neigh_is "$VIP" "$LB_MAC"
check unsolicited_advertisement_updates_the_clients_ipv6_entry wait_until 5 neigh_is "$VIP6" "$LB_MAC"
check the_update_came_unasked test "$(reason tx_arp_reply)" = "$garps_before"
check client_reaches_the_vip_again http_ok "$VIP"

# ---- the daemon exits: the data plane answers on; xlb stop ends it ------------

daemon_stop
flush_neigh
check vip_answered_while_the_daemon_is_gone http_ok "$VIP"
check ipv6_vip_answered_while_the_daemon_is_gone http_ok "$VIP6"
xlb_in_lb stop --pin-dir "$PIN" >/dev/null 2>&1
flush_neigh
client http "$VIP" 80 1 >/dev/null
check nothing_answers_after_xlb_stop wait_until 5 eval '[[ $(neigh_of "$VIP") =~ ^(INCOMPLETE|FAILED)$ ]]'
no_errors() {
	[ "$(log_count ' error: ')" = 0 ] || { grep ' error: ' "$DLOG" | head -n 3 | sed 's/^/  /'; return 1; }
}
check daemon_logged_no_error no_errors
finish
