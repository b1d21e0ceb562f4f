#!/usr/bin/env bash
# What an operator's capture tools see of a balanced exchange
# (docs/operations.md, "Troubleshooting"): in XDP mode tcpdump on the
# balancer's interfaces sees none of it (XDP acts before the kernel's
# packet taps), xdpdump does (it hooks the XDP program's entry and exit);
# in tc mode tcpdump sees it again.  Every capture is bounded by timeout(1).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbcap2-
PIN=/sys/fs/bpf/xlbcap2
VIP=198.18.2.1
N=4

e2e_start capture 2 1
cat >"$WORK/xlb.yaml" <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
services:
  - name: web
    vip: {ip: $VIP, port: 80}
    healthcheck: {type: tcp, port: 7, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      m1: [$(tb_member_ip 1), 80]
      m2: [$(tb_member_ip 2), 80]
YAML

# capture NODE NAME CMD...: CMD (a capture tool in NODE's namespace,
# writing $WORK/NAME.pcap) runs for at most 20 s while N connections go
# through the VIP; SEEN: how many packets to or from port 80 the file
# holds, COUNTS: who answered.
capture() {
	local node=$1 name=$2 pid i
	shift 2
	# nsenter and timeout exec: $! is timeout, which passes SIGINT on.
	nsenter --net="/run/netns/$(tb_ns "$node")" -- timeout -s INT 20 "$@" -w "$WORK/$name.pcap" \
		>"$WORK/$name.out" 2>&1 &
	pid=$!
	E2E_PIDS+=("$pid")
	# Listening once the tool says so (tcpdump: "listening on", xdpdump:
	# "listening on" too), at most 10 s.
	for ((i = 0; i < 100; i++)); do
		grep -qs "listening on" "$WORK/$name.out" && break
		sleep 0.1
	done
	COUNTS=$(http_counts "$VIP" 80 "$N" 198.18.0.2)
	sleep 0.5
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	SEEN=$(tcpdump -nr "$WORK/$name.pcap" 'tcp port 80' 2>/dev/null | wc -l)
}
balanced() { [ "$COUNTS" = "m1=2 m2=2 " ] || { echo "  expected 'm1=2 m2=2 ', got '$COUNTS'"; return 1; }; }

log_mark
daemon_start "$WORK/xlb.yaml"
wait_log 20 ' member m[12] .* UP ' 2 || { ko daemon_up "$(log_since | tail -n 5)"; finish; }

# tcpdump hands packets over at once (--immediate-mode), else they wait in
# its ring for up to a second and a stop loses them.
TCPDUMP=(tcpdump -n --immediate-mode -i)
# The client's side first: the capture itself works.
capture client tcpdump-c0 "${TCPDUMP[@]}" c0
check xdp_exchange_is_balanced balanced
if [ "$SEEN" -ge $((N * 3)) ]; then
	ok tcpdump_on_the_client_sees_the_exchange
else
	ko tcpdump_on_the_client_sees_the_exchange "$SEEN packets: $(cat "$WORK/tcpdump-c0.out")"
fi
capture lb tcpdump-l0 "${TCPDUMP[@]}" l0
seen=$SEEN
check xdp_exchange_is_balanced_again balanced
capture lb tcpdump-l1 "${TCPDUMP[@]}" l1
seen_l1=$SEEN
check xdp_exchange_is_balanced_a_third_time balanced
if [ "$seen" = 0 ] && [ "$seen_l1" = 0 ]; then
	ok tcpdump_sees_nothing_of_an_xdp_balanced_exchange
else
	ko tcpdump_sees_nothing_of_an_xdp_balanced_exchange "l0: $seen packets, l1: $seen_l1"
fi

if command -v xdpdump >/dev/null; then
	capture lb xdpdump xdpdump -vv -i l0 --rx-capture entry,exit
	seen=$SEEN
	check xdpdump_exchange_is_balanced balanced
	# Each client packet once at the program's entry and once at its exit
	# (-vv: the reason is in the file if it cannot load).
	if [ "$seen" -ge $((N * 2 * 3)) ]; then
		ok xdpdump_sees_the_exchange
	elif grep -q "prog 'trace_on_entry': BPF program load failed: Operation not permitted" \
		"$WORK/xdpdump.out"; then
		# Seen on the project's 6.18 build host (root, yet fentry refused);
		# on 6.1 in vmtest xdpdump sees the exchange.
		skip xdpdump_sees_the_exchange "this kernel refuses xdpdump's fentry program (EPERM, no verifier message)"
	else
		ko xdpdump_sees_the_exchange "$seen packets; xdpdump said: $(tail -n 5 "$WORK/xdpdump.out")"
	fi
else
	skip xdpdump_sees_the_exchange "xdpdump is not installed (package xdp-tools)"
fi

# tc mode: the same daemon restarted from tc adopts the flows; packets are
# skbs by then and pass the taps.
daemon_stop
log_mark
daemon_start "$WORK/xlb.yaml" --mode tc
wait_log 20 'running: ' || { ko tc_daemon_up "$(log_since | tail -n 5)"; finish; }
capture lb tcpdump-tc "${TCPDUMP[@]}" l0
seen=$SEEN
check tc_exchange_is_balanced balanced
if [ "$seen" -ge $((N * 3)) ]; then
	ok tcpdump_sees_a_tc_balanced_exchange
else
	ko tcpdump_sees_a_tc_balanced_exchange "$seen packets; tcpdump said: $(cat "$WORK/tcpdump-tc.out")"
fi
daemon_stop

finish
