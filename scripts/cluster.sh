# shellcheck shell=bash
# Several xlb nodes behind one ECMP router, in namespaces: the testbed of
# tests/e2e/test_ecmp.sh and scripts/demo-cluster.sh.
#
#   client (198.18.4.2-5) -- rt (198.18.4.1 | 198.18.5.1) -- fab bridge
#        fab -- n1, n2, n3 (u0 198.18.5.11-13): a balancer + BIRD (or FRR) each
#        n1..n3 (m0 198.18.1.1-3) -- sw bridge -- m1..m3 (198.18.1.11-13)
#
# Members route everything via n1 and hold VIP_DSR (when set) on loopback.  Each member
# serves HTTP on :80 (its name) and echo on :7 and :9.  The router spreads
# flows by their addresses and ports (fib_multipath_hash_policy 3).
#
# Source after scripts/lib.sh and tests/e2e/lib.sh (bird_conf, XLB), with
# XLB_TB_PREFIX, WORK, ROUTING (bird or frr) and VIPS (the VIPs every node
# announces) set, and DPIDS, RPIDS and E2E_PIDS declared.

NODES=3
TABLE=100
PIN_BASE=/sys/fs/bpf/${XLB_TB_PREFIX%-}
RT_FAB=198.18.5.1 RT_CLIENT=198.18.4.1
SRCS=198.18.4.2,198.18.4.3,198.18.4.4,198.18.4.5

node_ip() { printf '198.18.5.%d' $((10 + $1)); }
node_member_ip() { printf '198.18.1.%d' "$1"; }
pin_of() { printf '%s-n%d' "$PIN_BASE" "$1"; }
in_ns() { # NODE CMD...: exec'd, so `in_ns ... &` leaves $! the command's PID
	local node=$1
	shift
	exec nsenter --net="/run/netns/$(tb_ns "$node")" -- "$@"
}
xlb_on() { # K ARGS...: the CLI in node K's namespace
	local k=$1
	shift
	nsenter --net="/run/netns/$(tb_ns "n$k")" -- "$XLB" "$@"
}

# ---- the testbed --------------------------------------------------------------

# Each link a veth pair made inside the namespaces; a bridge in fab joins the
# router and the nodes' uplinks, one in sw the nodes' member links and the
# members.  Frames a node redirects with XDP into u0 or m0 are received by
# the peer only when it runs XDP itself: the bridge ports get XDP_PASS.
cluster_up() {
	local k ns obj
	tb_down quiet
	for ((k = 1; k <= NODES; k++)); do "$XLB" stop --pin-dir "$(pin_of "$k")" >/dev/null 2>&1; done
	mkdir -p "$(tb_state)/logs" "$(tb_state)/www" || return 1
	echo "$NODES" >"$(tb_state)/members"
	for ns in client rt fab sw; do ip netns add "$(tb_ns $ns)" || return 1; done
	for ((k = 1; k <= NODES; k++)); do
		ip netns add "$(tb_ns "n$k")" && ip netns add "$(tb_ns "m$k")" || return 1
	done
	for ns in client rt fab sw; do ip -n "$(tb_ns $ns)" link set lo up; done
	ip -n "$(tb_ns fab)" link add br0 type bridge && ip -n "$(tb_ns fab)" link set br0 up &&
		ip -n "$(tb_ns sw)" link add br0 type bridge && ip -n "$(tb_ns sw)" link set br0 up || return 1

	ip -n "$(tb_ns client)" link add c0 type veth peer name r0 netns "$(tb_ns rt)" &&
		ip -n "$(tb_ns rt)" link add f0 type veth peer name pr netns "$(tb_ns fab)" &&
		ip -n "$(tb_ns fab)" link set pr master br0 up || return 1
	for a in 2 3 4 5; do ip -n "$(tb_ns client)" addr add "198.18.4.$a/24" dev c0; done
	ip -n "$(tb_ns client)" link set c0 up &&
		ip -n "$(tb_ns client)" route add default via "$RT_CLIENT" &&
		tb_exec client ethtool -K c0 tx off >/dev/null || return 1
	ip -n "$(tb_ns rt)" addr add "$RT_CLIENT/24" dev r0 &&
		ip -n "$(tb_ns rt)" addr add "$RT_FAB/24" dev f0 &&
		ip -n "$(tb_ns rt)" link set r0 up && ip -n "$(tb_ns rt)" link set f0 up || return 1
	# Flows spread by their ports, not only their addresses.  Policy 3
	# with the five fields, not 1: policy 1 takes a packet's L4 hash as it
	# is when it has one, and over veth that is the sending socket's
	# random txhash (which TCP even changes at a retransmission timeout),
	# so the router's choice would not follow the tuple.  A real router's
	# NIC gives policy 1 an RSS hash of the tuple; policy 3 computes one
	# here, and `ip route get` then predicts where each connection goes.
	tb_exec rt sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=3 \
		net.ipv4.fib_multipath_hash_fields=0x0037 || return 1

	obj=$(tb_xdp_pass_obj) || return 1
	for ((k = 1; k <= NODES; k++)); do
		ns=$(tb_ns "n$k")
		ip -n "$ns" link set lo up &&
			ip -n "$ns" link add u0 type veth peer name "pn$k" netns "$(tb_ns fab)" &&
			ip -n "$ns" link add m0 type veth peer name "sn$k" netns "$(tb_ns sw)" &&
			ip -n "$(tb_ns fab)" link set "pn$k" master br0 up &&
			ip -n "$(tb_ns sw)" link set "sn$k" master br0 up &&
			ip -n "$(tb_ns fab)" link set dev "pn$k" xdpdrv obj "$obj" sec xdp &&
			ip -n "$(tb_ns sw)" link set dev "sn$k" xdpdrv obj "$obj" sec xdp &&
			ip -n "$ns" addr add "$(node_ip "$k")/24" dev u0 &&
			ip -n "$ns" addr add "$(node_member_ip "$k")/24" dev m0 || return 1
		node_links_up "$k" || return 1
		tb_exec "n$k" sysctl -qw net.ipv4.ip_forward=1 || return 1

		ns=$(tb_ns "m$k")
		ip -n "$ns" link set lo up &&
			ip -n "$ns" link add e0 type veth peer name "p$k" netns "$(tb_ns sw)" &&
			ip -n "$(tb_ns sw)" link set "p$k" master br0 up &&
			ip -n "$ns" addr add "$(tb_member_ip "$k")/24" dev e0 &&
			ip -n "$ns" link set e0 up &&
			ip -n "$ns" route add default via "$(node_member_ip 1)" &&
			tb_exec "m$k" ethtool -K e0 tx off >/dev/null || return 1
		if [ -n "${VIP_DSR:-}" ]; then dsr_member_vip "$k" "$VIP_DSR" || return 1; fi
	done
	tb_start_servers "$NODES"
	for ((k = 1; k <= NODES; k++)); do
		# A second echo server on :9 (the round-robin dnat service: a
		# member address and port backs one dnat service).
		in_ns "m$k" socat TCP-LISTEN:9,reuseaddr,fork,backlog=128 PIPE >/dev/null 2>&1 &
		E2E_PIDS+=($!)
	done
	for ((k = 1; k <= NODES; k++)); do
		wait_until 10 tb_member_ready "$k" &&
			wait_until 10 eval '[ -n "$(tb_exec m'"$k"' ss -Hltn "sport = :9")" ]' || return 1
	done
}
# A node's links up, and its route to the clients (gone while u0 was down).
node_links_up() {
	local ns
	ns=$(tb_ns "n$1")
	ip -n "$ns" link set u0 up && ip -n "$ns" link set m0 up &&
		ip -n "$ns" route replace 198.18.4.0/24 via "$RT_FAB"
}
# cluster_down: every node's balancer and routing daemon, the router's,
# the processes in E2E_PIDS, the namespaces.
cluster_down() {
	local k p
	for ((k = 1; k <= NODES; k++)); do
		stop_node_xlb "$k"
		[ -n "${RPIDS[n$k]:-}" ] && routing_stop "n$k"
	done
	[ -n "${RPIDS[rt]:-}" ] && routing_stop rt
	for p in "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	tb_down quiet
}

# ---- xlb on each node -----------------------------------------------------------

CLUSTER_HC='healthcheck: {type: tcp, interval: 300ms, timeout: 200ms, rise: 1, fall: 2}'
svc() { # NAME VIP PORT MEMBER_PORT FORWARDING SCHEDULER: one service, every member
	printf '  - name: %s\n    vip: {ip: %s, port: %d}\n    forwarding: %s\n    scheduler: %s\n    %s\n    members:\n' \
		"$1" "$2" "$3" "$5" "$6" "$CLUSTER_HC"
	for ((m = 1; m <= NODES; m++)); do
		printf '      m%d: [%s, %d]\n' "$m" "$(tb_member_ip "$m")" "$4"
	done
}
# cluster_config SERVICES: an xlb.yaml for every node, on u0 and m0, with
# announce table TABLE (SERVICES: svc lines).
cluster_config() {
	printf 'global:\n  interfaces: [u0, m0]\n  flow_table_size: %s\n  announce: {table: %s}\nservices:\n%s\n' \
		"${E2E_FLOW_TABLE_SIZE:-65536}" "$TABLE" "$1"
}
xlb_start() { # K: xlb run with $WORK/xlb.yaml, its log $WORK/xlb-nK.log
	nsenter --net="/run/netns/$(tb_ns "n$1")" -- "$XLB" run -c "$WORK/xlb.yaml" \
		--pin-dir "$(pin_of "$1")" >>"$WORK/xlb-n$1.log" 2>&1 &
	DPIDS[$1]=$!
}
stop_node_xlb() { # K: daemon ended, data plane removed
	[ -n "${DPIDS[$1]:-}" ] && { kill "${DPIDS[$1]}" 2>/dev/null; wait "${DPIDS[$1]}" 2>/dev/null; }
	DPIDS[$1]=
	if [ -e "/run/netns/$(tb_ns "n$1")" ]; then
		xlb_on "$1" stop --pin-dir "$(pin_of "$1")" >/dev/null 2>&1
	else
		"$XLB" stop --pin-dir "$(pin_of "$1")" >/dev/null 2>&1
	fi
}
# Every VIP in node K's table.
node_announces_all() {
	local r v
	r=$(tb_exec "n$1" ip -o route show table "$TABLE" proto 248)
	for v in $VIPS; do grep -q "^blackhole $v " <<<"$r" || return 1; done
}

# ---- the routing daemons ---------------------------------------------------------

routing_conf() { # NODE: its configuration from examples/
	local k
	case $ROUTING:$1 in
	bird:rt)
		bird_conf examples/bird/router.conf "$WORK/rt.conf" ROUTER_ID="$RT_FAB" NODE1="$(node_ip 1)" || return 1
		# One session per node, as the example's comment says.
		for ((k = 2; k <= NODES; k++)); do
			printf 'protocol bgp node%d from xlb_node {\n\tneighbor %s as NODE_AS;\n}\n' "$k" "$(node_ip "$k")"
		done >>"$WORK/rt.conf"
		;;
	bird:n*)
		k=${1#n}
		bird_conf examples/bird/xlb-node.conf "$WORK/$1.conf" XLB_TABLE="$TABLE" \
			ROUTER_ID="$(node_ip "$k")" LOCAL_ADDR="$(node_ip "$k")" PEER_ADDR="$RT_FAB"
		;;
	frr:*) frr_conf "$1" ;;
	esac
}
routing_start() { # NODE
	case $ROUTING in
	bird)
		in_ns "$1" bird -f -c "$WORK/$1.conf" -s "$WORK/$1.ctl" -P "$WORK/$1.pid" >>"$WORK/bird-$1.log" 2>&1 &
		RPIDS[$1]=$!
		;;
	frr) frr_start "$1" ;;
	esac
}
routing_stop() { # NODE [SIGNAL]
	case $ROUTING in
	bird)
		kill "-${2:-TERM}" "${RPIDS[$1]}" 2>/dev/null
		wait "${RPIDS[$1]}" 2>/dev/null
		;;
	frr) frr_stop "$1" "${2:-TERM}" ;;
	esac
	RPIDS[$1]=
}
if [ "$ROUTING" = frr ]; then . tests/e2e/frr.sh; fi

# The router's next hops for VIP, sorted, one line: "198.18.5.11 198.18.5.12".
nexthops() {
	tb_exec rt ip route show "$1" | grep -o 'via [0-9.]*' | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'
}
all_nodes_hops() {
	local k s=""
	for ((k = 1; k <= NODES; k++)); do s="$s $(node_ip "$k")"; done
	printf '%s' "${s# }"
}
hops_of() { # K...: the next hops those nodes give
	local k s=""
	for k in "$@"; do s="$s $(node_ip "$k")"; done
	printf '%s' "${s# }"
}
every_vip_via() { # HOPS
	local v
	for v in $VIPS; do [ "$(nexthops "$v")" = "$1" ] || return 1; done
}
