# shellcheck shell=bash
# Shell helpers shared by the testbed, the e2e tests and the demo.  Source it:
#   . scripts/lib.sh
#
# The testbed (see scripts/testbed.sh for the picture):
#   namespaces  <prefix>client, <prefix>lb, <prefix>sw, <prefix>m1..mN
#   client      c0  198.18.0.2/24  fd00:18::2/64   default via lb
#   lb          l0  198.18.0.1/24  fd00:18::1/64   (client side)
#               l1  198.18.1.1/24  fd00:19::1/64   (member side)
#   sw          br0: a bridge joining lb's l1 and every member (one L2
#               segment, as members on a real LAN; DSR needs that)
#   mK          eth0 198.18.1.(10+K)/24 fd00:19::(10+K)/64, default via lb
#               servers: HTTP :80 answering "mK", TCP echo :7, UDP echo :7
#   VIPs        anything else in 198.18.0.0/15 or fd00::/8: the client
#               routes everything via lb (198.18.2.0/24 is free for VIPs).
#
# Functions work from any shell that sourced this file; the servers are
# started by one supervisor process which reaps them, so killing them by
# PID leaves no zombie behind (PID 1 here does not reap orphans).

XLB_TB_PREFIX=${XLB_TB_PREFIX:-xlbt-}
XLB_TB_RUN=${XLB_TB_RUN:-/run/xlb-testbed}
XLB_TB_WAIT_S=${XLB_TB_WAIT_S:-10} # bound of every readiness wait
XLB_TB_HTTP_PORT=80
XLB_TB_ECHO_PORT=7

tb_log() { printf '%s\n' "testbed: $*" >&2; }
tb_die() {
	tb_log "error: $*"
	exit 1
}

# Namespace of a node ("client", "lb", "sw", "m3").
tb_ns() { printf '%s%s' "$XLB_TB_PREFIX" "$1"; }
tb_state() { printf '%s/%s' "$XLB_TB_RUN" "${XLB_TB_PREFIX%-}"; }

# Addresses of the nodes.
tb_client_ip() { printf '198.18.0.%d' $((1 + ${1:-1})); }
tb_client_ip6() { printf 'fd00:18::%d' $((1 + ${1:-1})); }
tb_lb_ip() { printf '198.18.0.1'; }
tb_lb_ip6() { printf 'fd00:18::1'; }
tb_lb_member_ip() { printf '198.18.1.1'; }
tb_lb_member_ip6() { printf 'fd00:19::1'; }
tb_member_ip() { printf '198.18.1.%d' $((10 + $1)); }
tb_member_ip6() { printf 'fd00:19::%d' $((10 + $1)); }

# Runs a command in a node's network namespace.  nsenter, not `ip netns
# exec`: the latter remounts /sys and hides /sys/fs/bpf (pins).
tb_exec() {
	local node=$1
	shift
	nsenter --net="/run/netns/$(tb_ns "$node")" -- "$@"
}

# tcp_counters NODE: "TCPSynRetrans RetransSegs" of NODE's namespace.
tcp_counters() {
	tb_exec "$1" awk '
		$1 == p { for (i = 2; i <= NF; i++) v[$1 h[i]] = $i; p = ""; next }
		{ p = $1; for (i = 2; i <= NF; i++) h[i] = $i }
		END { print v["TcpExt:TCPSynRetrans"] + 0, v["Tcp:RetransSegs"] + 0 }' \
		/proc/net/netstat /proc/net/snmp
}
# wait_until SECONDS CMD...: polls CMD every 0.1 s; 0 once it succeeds, 1
# when the time is up.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# The name a member's web server answers with: mK, or the K-th word of
# XLB_TB_NAMES (the demo names its members as the seed file does).
tb_member_name() {
	local names
	read -r -a names <<<"${XLB_TB_NAMES:-}"
	printf '%s\n' "${names[$(($1 - 1))]:-m$1}"
}

tb_members() {
	local f
	f="$(tb_state)/members"
	[ -r "$f" ] && cat "$f" || echo 0
}

# The start time of a process (field 22 of /proc/PID/stat): with the PID, it
# names a process for good, so a recycled PID is never killed by mistake.
tb_proc_start() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	printf '%s' "${20}"
}

# Kills the processes recorded in the state dir (lines "PID START WHAT"),
# each only if it is still the same process, then waits for them.
tb_kill_recorded() {
	local file=$1 pid start what i alive
	[ -r "$file" ] || return 0
	while read -r pid start what; do
		[ "$(tb_proc_start "$pid")" = "$start" ] && kill "$pid" 2>/dev/null
	done <"$file"
	# Bounded wait for them to go (reaped by the supervisor, or by us).
	for ((i = 0; i < XLB_TB_WAIT_S * 10; i++)); do
		alive=0
		while read -r pid start what; do
			if [ "$(tb_proc_start "$pid")" = "$start" ] &&
				! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
				alive=1
			fi
		done <"$file"
		[ $alive = 0 ] && break
		sleep 0.1
	done
	while read -r pid start what; do
		if [ "$(tb_proc_start "$pid")" = "$start" ] &&
			! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
			tb_log "$what (pid $pid) ignored SIGTERM; sending SIGKILL"
			kill -9 "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null # reaps it when it is our own child
	done <"$file"
	rm -f "$file"
}

tb_need_root() {
	[ "$(id -u)" = 0 ] || tb_die "needs root (network namespaces): run with sudo"
}

tb_need_tools() {
	local t
	for t in ip nsenter ss socat ethtool /usr/bin/python3; do
		command -v "$t" >/dev/null 2>&1 || tb_die "'$t' is missing (make deps-test)"
	done
}

# Builds the XDP_PASS object into the state dir; prints its path.
tb_xdp_pass_obj() {
	local src obj multiarch
	src="$(dirname "${BASH_SOURCE[0]}")/xdp_pass.bpf.c"
	obj="$(tb_state)/xdp_pass.bpf.o"
	[ -s "$obj" ] && { printf '%s' "$obj"; return 0; }
	command -v clang >/dev/null 2>&1 || return 1
	multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
	clang -O2 -g -target bpf -idirafter "/usr/include/$multiarch" \
		-c "$src" -o "$obj" 2>>"$(tb_state)/logs/clang.log" || return 1
	printf '%s' "$obj"
}

# Starts the servers of members 1..N under one supervisor that reaps them.
tb_start_servers() {
	local n=$1 state k ns www
	state=$(tb_state)
	for ((k = 1; k <= n; k++)); do
		www="$state/www/m$k"
		mkdir -p "$www"
		tb_member_name "$k" >"$www/index.html"
	done
	(
		exec </dev/null >>"$state/logs/supervisor.log" 2>&1
		trap '' INT HUP
		for ((k = 1; k <= n; k++)); do
			ns="--net=/run/netns/$(tb_ns "m$k")"
			# nsenter execs the server, so $! is the server's own PID.
			nsenter "$ns" -- /usr/bin/python3 -m http.server "$XLB_TB_HTTP_PORT" \
				--bind :: --directory "$state/www/m$k" \
				>>"$state/logs/m$k-http.log" 2>&1 &
			echo "$! $(tb_proc_start $!) m$k-http" >>"$state/pids"
			nsenter "$ns" -- socat "TCP6-LISTEN:$XLB_TB_ECHO_PORT,ipv6only=0,reuseaddr,fork,backlog=128" \
				PIPE >>"$state/logs/m$k-tcp-echo.log" 2>&1 &
			echo "$! $(tb_proc_start $!) m$k-tcp-echo" >>"$state/pids"
			nsenter "$ns" -- socat "UDP6-RECVFROM:$XLB_TB_ECHO_PORT,ipv6only=0,reuseaddr,fork" \
				PIPE >>"$state/logs/m$k-udp-echo.log" 2>&1 &
			echo "$! $(tb_proc_start $!) m$k-udp-echo" >>"$state/pids"
		done
		wait
	) &
	echo "$! $(tb_proc_start $!) supervisor" >"$state/supervisor"
}

tb_member_ready() {
	local k=$1
	[ -n "$(tb_exec "m$k" ss -Hltn "sport = :$XLB_TB_HTTP_PORT")" ] &&
		[ -n "$(tb_exec "m$k" ss -Hltn "sport = :$XLB_TB_ECHO_PORT")" ] &&
		[ -n "$(tb_exec "m$k" ss -Hlun "sport = :$XLB_TB_ECHO_PORT")" ]
}

# tb_up MEMBERS [CLIENT_ADDRS] [XDP=1]: builds the testbed (after removing
# any leftover of the same prefix) and waits until every server listens.
tb_up() {
	local n=${1:-3} naddr=${2:-1} xdp=${3:-1} state k a obj
	local client lb sw
	tb_need_root
	tb_need_tools
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] ||
		tb_die "--members must be 1..200 (members are 198.18.1.11 .. 198.18.1.210)"
	[[ $naddr =~ ^[0-9]+$ ]] && [ "$naddr" -ge 1 ] && [ "$naddr" -le 200 ] ||
		tb_die "--client-addrs must be 1..200"
	tb_down quiet
	state=$(tb_state)
	mkdir -p "$state/logs" "$state/www"
	echo "$n" >"$state/members"
	client=$(tb_ns client) lb=$(tb_ns lb) sw=$(tb_ns sw)

	for a in client lb sw; do
		ip netns add "$(tb_ns $a)" || tb_die "cannot create namespace $(tb_ns $a)"
	done
	for ((k = 1; k <= n; k++)); do
		ip netns add "$(tb_ns "m$k")" || tb_die "cannot create namespace $(tb_ns "m$k")"
	done

	# Every link is created inside the namespaces: the host's own
	# interfaces and routes are never touched.
	ip -n "$client" link add c0 type veth peer name l0 netns "$lb"
	ip -n "$lb" link add l1 type veth peer name s0 netns "$sw"
	ip -n "$sw" link add br0 type bridge
	ip -n "$sw" link set s0 master br0 up
	ip -n "$sw" link set br0 up
	ip -n "$sw" link set lo up
	for ((k = 1; k <= n; k++)); do
		ip -n "$(tb_ns "m$k")" link add e0 type veth peer name "p$k" netns "$sw"
		ip -n "$sw" link set "p$k" master br0 up
	done

	ip -n "$client" link set lo up
	ip -n "$client" link set c0 up
	for ((a = 1; a <= naddr; a++)); do
		ip -n "$client" addr add "$(tb_client_ip "$a")/24" dev c0
		ip -n "$client" addr add "$(tb_client_ip6 "$a")/64" dev c0 nodad
	done
	ip -n "$client" route add default via "$(tb_lb_ip)"
	ip -n "$client" -6 route add default via "$(tb_lb_ip6)"

	ip -n "$lb" link set lo up
	ip -n "$lb" addr add "$(tb_lb_ip)/24" dev l0
	ip -n "$lb" addr add "$(tb_lb_ip6)/64" dev l0 nodad
	ip -n "$lb" addr add "$(tb_lb_member_ip)/24" dev l1
	ip -n "$lb" addr add "$(tb_lb_member_ip6)/64" dev l1 nodad
	ip -n "$lb" link set l0 up
	ip -n "$lb" link set l1 up
	tb_exec lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

	for ((k = 1; k <= n; k++)); do
		a=$(tb_ns "m$k")
		ip -n "$a" link set lo up
		ip -n "$a" addr add "$(tb_member_ip "$k")/24" dev e0
		ip -n "$a" addr add "$(tb_member_ip6 "$k")/64" dev e0 nodad
		ip -n "$a" link set e0 up
		# Replies go back through lb (dnat keeps the client address).
		ip -n "$a" route add default via "$(tb_lb_member_ip)"
		ip -n "$a" -6 route add default via "$(tb_lb_member_ip6)"
	done

	# veth hands locally sent packets on with a partial checksum (the
	# pseudo-header only, for the NIC to finish); a real wire never
	# carries those.  XDP rewrites the packet and redirects it, the
	# receiver then checks the whole checksum and drops it.  Hosts
	# compute full checksums here, as on a wire, unless XLB_TB_TX_CSUM=on
	# (tc sees the skb's checksum state and must keep partial ones right).
	if [ "${XLB_TB_TX_CSUM:-off}" != on ]; then
		tb_exec client ethtool -K c0 tx off >/dev/null
		for ((k = 1; k <= n; k++)); do
			tb_exec "m$k" ethtool -K e0 tx off >/dev/null
		done
	fi

	# A veth receives frames redirected into its peer only when it runs
	# XDP itself: give the peers of lb's l0 and l1 an XDP_PASS program.
	if [ "$xdp" = 1 ]; then
		obj=$(tb_xdp_pass_obj) || tb_die "cannot build scripts/xdp_pass.bpf.c (clang; see $state/logs/clang.log)"
		ip -n "$client" link set dev c0 xdpdrv obj "$obj" sec xdp ||
			tb_die "cannot attach XDP_PASS to client c0"
		ip -n "$sw" link set dev s0 xdpdrv obj "$obj" sec xdp ||
			tb_die "cannot attach XDP_PASS to sw s0"
	fi

	tb_start_servers "$n"
	for ((k = 1; k <= n; k++)); do
		wait_until "$XLB_TB_WAIT_S" tb_member_ready "$k" ||
			tb_die "servers of m$k not listening after ${XLB_TB_WAIT_S} s (logs in $state/logs)"
	done
}

# tb_down [quiet]: stops the servers this testbed started and removes its
# namespaces, also those left by an aborted run of the same prefix.
tb_down() {
	local state ns pid
	state=$(tb_state)
	tb_kill_recorded "$state/pids"
	tb_kill_recorded "$state/supervisor"
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns == "$XLB_TB_PREFIX"* ]] || continue
		# Anything still running inside one of our namespaces is a
		# leftover of ours (an aborted run): end it by PID.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			[ "$1" = quiet ] || tb_log "ending leftover pid $pid in $ns"
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null || tb_log "cannot delete namespace $ns"
	done
	rm -rf "$state"
}
