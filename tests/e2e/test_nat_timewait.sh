#!/usr/bin/env bash
# A nat port after a member-first close, against a real member's TIME_WAIT
# (issue 12), end to end in the namespace testbed, counts only (never
# times).
#
# The member (python's http.server, HTTP/1.0) closes every connection
# first, so it keeps TIME_WAIT on (member:80, snat:port) for 60 s.  lb's
# ephemeral range is widened so that xlb has 32 NAT ports left
# (65504-65535), and tcp_closing_timeout is 60 s: without the early reuse
# a port would come back only after a minute, 32 connections a minute.
# A client at 10 connections/s from 4 addresses for 20 s goes round the
# ports six times, so nearly every connection reuses a port whose member
# still holds TIME_WAIT on it; xlb hands one out only to a SYN that
# TIME_WAIT takes (docs/design.md, "TCP close and the NAT port").
#
# Checked: every connection succeeds; the member holds TIME_WAIT sockets
# on port 80; xlb reused ports (nat_port_reused) for all but the first two
# passes; the member refused at most 2% of the SYNs.  A SYN the member's
# TIME_WAIT does not take is answered with an ACK of the old connection,
# reset by the client and sent again after 1 s: a SYN retransmit per such
# connection (about half of them if a port went to any SYN after
# tcp_time_wait).  The client's SYN retransmits less xlb's drop_nat_ports
# (a SYN whose 16 tries all met held ports, sent again too) count them.
# xlb hands such a port to a SYN with a newer timestamp at once, as the
# member's TIME_WAIT takes it at once (RFC 6191): the member refusing
# none of them proves that too.
#
# Under XLB_IN_VM=1 (TCG guests run 10-30x slower) the client runs at 5/s
# for 16 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

e2e_mode xlbtw- /sys/fs/bpf/xlbtw
VIP=198.18.2.1
SRCS=198.18.0.2,198.18.0.3,198.18.0.4,198.18.0.5
PORT_FIRST=65504 # lb's ephemeral range ends below it: 32 NAT ports
NAT_PORTS=$((65535 - PORT_FIRST + 1))
if [ "${XLB_IN_VM:-}" = 1 ]; then
	RATE=5 SECS=16
else
	RATE=10 SECS=20
fi

e2e_start nat_timewait 1 4
tb_exec lb sysctl -qw net.ipv4.ip_local_port_range="1024 $((PORT_FIRST - 1))"


cat >"$WORK/tw.yaml" <<-YAML
global:
  interfaces: [l0, l1]
  tcp_closing_timeout: 60s
services:
  - name: web
    vip: {ip: "$VIP", port: 80}
    forwarding: nat
    healthcheck: {type: tcp, interval: 1s, timeout: 800ms, rise: 1, fall: 3}
    members:
      m1: [$(tb_member_ip 1), 80]
YAML
log_mark
daemon_start "$WORK/tw.yaml" "${MODE_ARGS[@]}"
if ! wait_log 20 ' member m1 .* UP ' 1; then
	ko daemon_up "m1 never came UP"
	finish
fi
per_addr=$(st - nat_ports_per_address)
if [ "$per_addr" = "$NAT_PORTS" ]; then
	ok nat_ports_are_the_range_above_the_ephemeral_ports
else
	ko nat_ports_are_the_range_above_the_ephemeral_ports "nat_ports_per_address $per_addr, expected $NAT_PORTS"
fi

read -r reused0 drops0 <<<"$(st - events.nat_port_reused reason.drop_nat_ports)"
read -r retrans0 _ <<<"$(tcp_counters client)"
# A 7 s timeout: a SYN xlb drops twice (its tries met held ports) is sent
# again after 1 and 3 s; a SYN a member refused costs 1 s, counted below.
out=$(client load "$VIP" 80 "$SECS" --rate "$RATE" --src "$SRCS" --timeout 7 | head -n 1)
read -r retrans1 _ <<<"$(tcp_counters client)"
read -r reused1 drops1 <<<"$(st - events.nat_port_reused reason.drop_nat_ports)"
read -r _ okn _ failn _ <<<"$out"
tw=$(tb_exec m1 ss -Htan state time-wait "( sport = :80 )" | grep -c .)
echo "  $out; TIME_WAIT sockets of m1:80: $tw; nat_port_reused +$((reused1 - reused0))," \
	"drop_nat_ports +$((drops1 - drops0)), client SYN retransmits +$((retrans1 - retrans0))"

if [[ $okn =~ ^[0-9]+$ ]] && [ "$okn" -ge $((RATE * SECS / 2)) ] && [ "$failn" = 0 ]; then
	ok every_connection_succeeds
else
	ko every_connection_succeeds "client: $out"
fi
if [ "$tw" -gt 0 ]; then
	ok the_member_holds_time_wait_for_the_snat_tuples
else
	ko the_member_holds_time_wait_for_the_snat_tuples "no TIME_WAIT socket of port 80 in m1"
fi
if [[ $okn =~ ^[0-9]+$ ]] && [ $((reused1 - reused0)) -ge $((okn - 2 * NAT_PORTS)) ]; then
	ok ports_are_reused_before_the_closing_timeout
else
	ko ports_are_reused_before_the_closing_timeout "$okn connections, nat_port_reused +$((reused1 - reused0))"
fi
refused=$(((retrans1 - retrans0) - (drops1 - drops0)))
if [[ $okn =~ ^[0-9]+$ ]] && [ $((refused * 50)) -le "$okn" ]; then
	ok the_member_takes_the_syns_on_reused_ports
else
	ko the_member_takes_the_syns_on_reused_ports \
		"$refused SYN retransmits beyond xlb's drops for $okn connections"
fi
finish
