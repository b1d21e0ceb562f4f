#!/usr/bin/env bash
# make bench: xlb end to end against what users would pick instead, in a
# namespace testbed, interleaved and repeated; writes docs/bench/raw.tsv,
# docs/bench/summary.tsv, the PNG plots and the end-to-end section of
# docs/benchmarks.md.  Needs root (namespaces, BPF).  Touches nothing
# outside the namespaces it creates (198.18.0.0/15 only) and removes them,
# its processes, its pins and its nftables table when it ends.
#
# Paths, each measured once per round, the order rotated every round:
#   routed        no balancer: the client talks to the members, lb routes
#   xlb-MODE      xlb with forwarding MODE for every MODE in BENCH_MODES
#   nftables      nft DNAT numgen inc round-robin (kernel conntrack) on lb
#   haproxy       HAProxy TCP mode, balance roundrobin, TCP checks, on lb
#   nginx-stream  nginx stream proxy, round-robin, on lb
# Tests per path: conn (wrk, Connection: close: one request per
# connection), req (wrk keep-alive), tput (iperf3, one stream); connN, conn
# again from N client addresses for every other N of BENCH_CLIENT_ADDRS;
# flood, conn under a spoofed SYN flood to the path's VIP (tests/tools/flood
# from the client namespace, sources in 198.19.0.0/16 that never answer),
# with an open-loop probe counting the legit connections that succeed (not
# for routed: it has no VIP).
#
# Knobs: BENCH_ROUNDS (4), BENCH_SECONDS (8, per wrk test), BENCH_IPERF_SECONDS
# (4), BENCH_MODES ("nat nat-pool dnat dsr nat-tc dnat-tc"; nat-pool: nat
# with an snat pool of 4 addresses; MODE-tc runs MODE with the tc
# programs), BENCH_CONNS (100, over 2 wrk processes),
# BENCH_OUT (docs/bench), BENCH_DOC (docs/benchmarks.md; "" = don't write it),
# BENCH_PROFILE (1: profile every xlb mode with perf and BPF run-time statistics at the end),
# BENCH_CLIENT_ADDRS ("8 64": the client's connections leave from 8
# addresses, spread by nftables SNAT in the client namespace, for every
# test, and from 64 for connN; 1: one address, no SNAT),
# BENCH_FLOOD_RATE (50000 spoofed SYNs/s; 0: no flood test), BENCH_FLOOD_LEAD
# (3: seconds the flood runs before the measurement starts), BENCH_REFS
# ("nftables haproxy nginx-stream": the other balancers measured; "": xlb
# and routed only).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/bench/configs.sh

BUILD=${BUILD:-build}
XLB=$(cd "$BUILD" 2>/dev/null && pwd)/xlb
ROUNDS=${BENCH_ROUNDS:-4}
SECS=${BENCH_SECONDS:-8}
PERF_SECS=${BENCH_IPERF_SECONDS:-4}
MODES=${BENCH_MODES:-nat nat-pool dnat dsr nat-tc dnat-tc}
CONNS=${BENCH_CONNS:-100}
read -r -a ADDR_COUNTS <<<"${BENCH_CLIENT_ADDRS:-8 64}"
CLIENT_ADDRS=${ADDR_COUNTS[0]:-8}
FLOOD_RATE=${BENCH_FLOOD_RATE:-50000}
FLOOD_LEAD=${BENCH_FLOOD_LEAD:-3}
FLOOD=$(cd "$BUILD" 2>/dev/null && pwd)/tests/tools/flood
SPOOF=198.19.0.0/16
PROBE_RATE=50
OUT=${BENCH_OUT:-docs/bench}
DOC=${BENCH_DOC-docs/benchmarks.md}
export XLB_TB_PREFIX=xlbbench-
PIN=/sys/fs/bpf/xlbbench
NFT_TABLE=xlbbench
MEMBERS=2
PORT=8080
PERF_PORT=5201
VIP_NFT=198.18.2.2
VIP_HAPROXY=198.18.2.3
VIP_NGINX=198.18.2.4
# MODE-tc: the same forwarding with the tc programs (xlb run --mode tc).
# nat-pool: nat with an snat pool of NAT_POOL addresses of lb on the
# members' segment (each one more set of NAT ports per member).
declare -A VIP_XLB=([nat]=198.18.2.1 [dnat]=198.18.2.5 [dsr]=198.18.2.6 [nat-tc]=198.18.2.7
	[dnat-tc]=198.18.2.8 [nat-pool]=198.18.2.9)
NAT_POOL=(198.18.1.241 198.18.1.242 198.18.1.243 198.18.1.244)
WORK=
PIDS=()
DPID=
T0=$SECONDS

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}
in_lb() { tb_exec lb "$@"; }

cleanup() {
	local p
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	# From lb's namespace while it exists: tc filters are reached only there.
	if [ -e "/run/netns/$(tb_ns lb)" ]; then
		[ -x "$XLB" ] && in_lb "$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
		in_lb nft delete table ip "$NFT_TABLE" 2>/dev/null
	else
		[ -x "$XLB" ] && "$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
	fi
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	tb_down quiet
	[ -n "$WORK" ] && rm -rf "$WORK"
}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, BPF): run 'sudo make bench'"
[ -x "$XLB" ] || die "$BUILD/xlb is missing: run 'make' first"
for t in nginx haproxy nft wrk iperf3 gnuplot curl /usr/bin/python3; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is missing (make deps-bench)"
done
[[ $ROUNDS =~ ^[1-9][0-9]?$ && $SECS =~ ^[1-9][0-9]?$ && $PERF_SECS =~ ^[1-9][0-9]?$ && $FLOOD_LEAD =~ ^[0-9]$ ]] ||
	die "BENCH_ROUNDS, BENCH_SECONDS and BENCH_IPERF_SECONDS: 1-99; BENCH_FLOOD_LEAD: 0-9"
MAX_ADDRS=0
for n in "${ADDR_COUNTS[@]}"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] && [ "$n" -le 200 ] || die "BENCH_CLIENT_ADDRS: counts of 1-200, not '$n'"
	[ "$n" -gt "$MAX_ADDRS" ] && MAX_ADDRS=$n
done
[[ $FLOOD_RATE =~ ^[0-9]+$ ]] && [ "$FLOOD_RATE" -le 1000000 ] || die "BENCH_FLOOD_RATE: 0-1000000 packets/s"
[ "$FLOOD_RATE" = 0 ] || [ -x "$FLOOD" ] || die "$BUILD/tests/tools/flood is missing: run 'make bench'"
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
"$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
WORK=$(mktemp -d /tmp/xlb-bench.XXXXXX)
chmod 755 "$WORK" # nginx workers (www-data) read their files here
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)" 2>/dev/null

# --- the testbed and its servers -------------------------------------------
log "testbed: client, lb, $MEMBERS members (prefix $XLB_TB_PREFIX)"
tb_up "$MEMBERS" "$MAX_ADDRS" || die "testbed did not come up"
# client_spread N: the client's connections leave from its first N
# addresses.  wrk cannot bind a source address: the client's own nftables
# spreads them (conntrack on the client side, the same for every path).
client_spread() {
	local n=$1 map="" k
	tb_exec client nft delete table ip "$NFT_TABLE" 2>/dev/null
	[ "$n" -gt 1 ] || return 0
	for ((k = 1; k <= n; k++)); do map+="${map:+, }$((k - 1)) : $(tb_client_ip "$k")"; done
	tb_exec client nft -f - <<-EOF
	table ip $NFT_TABLE {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "c0" ip saddr $(tb_client_ip 1) snat to numgen inc mod $n map { $map }
		}
	}
	EOF
}
client_spread "$CLIENT_ADDRS" || die "cannot spread the client's addresses"
# The flood's spoofed sources never answer: whatever lb or a member sends
# them goes back to the client namespace, which has no such address and
# does not forward, and drops it without a RST.
in_lb ip route add "$SPOOF" via "$(tb_client_ip 1)"
GW_MAC=$(in_lb ip -br link show l0 | awk '{print $3}')

# Closed connections would leave TIME_WAIT sockets whose reused tuples
# stall SYNs for a second (see docs/benchmarks.md), so no namespace keeps
# them; SYN retransmits are counted all the same.
# The client gets more ephemeral ports; lb keeps the kernel's range, which
# xlb's NAT ports (1024-32767) stay below.
for node in client lb $(seq -f 'm%g' 1 "$MEMBERS"); do
	tb_exec "$node" sysctl -qw net.ipv4.tcp_max_tw_buckets=0 net.ipv4.tcp_tw_reuse=1 \
		net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
done
tb_exec client sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
# dsr: members hold its VIP on loopback and never answer ARP for it.
for ((k = 1; k <= MEMBERS; k++)); do
	tb_exec "m$k" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	tb_exec "m$k" ip addr add "${VIP_XLB[dsr]}/32" dev lo
done
in_lb ip addr add "$VIP_HAPROXY/32" dev lo
for a in "${NAT_POOL[@]}"; do in_lb ip addr add "$a/24" dev l1; done
in_lb ip addr add "$VIP_NGINX/32" dev lo

# spawn NODE NAME CMD...: a long-lived server in NODE, reaped at the end.
spawn() {
	local node=$1 name=$2
	shift 2
	tb_exec "$node" "$@" </dev/null >>"$WORK/$name.log" 2>&1 &
	PIDS+=($!)
}
for ((k = 1; k <= MEMBERS; k++)); do
	mkdir -p "$WORK/m$k-tmp"
	conf_member_nginx "$k" "$WORK" >"$WORK/m$k-nginx.conf"
	spawn "m$k" "m$k-nginx" nginx -c "$WORK/m$k-nginx.conf"
	spawn "m$k" "m$k-iperf3" iperf3 -s -p "$PERF_PORT"
done
conf_haproxy >"$WORK/haproxy.cfg"
spawn lb haproxy haproxy -db -f "$WORK/haproxy.cfg"
STREAM_MODULE=
nginx -V 2>&1 | grep -q -- '--with-stream=dynamic' &&
	STREAM_MODULE=$(ls /usr/lib/nginx/modules/ngx_stream_module.so 2>/dev/null)
STREAM_OK=1
if nginx -V 2>&1 | grep -q -- '--with-stream=dynamic' && [ -z "$STREAM_MODULE" ]; then
	STREAM_OK=0 # the module is not installed (libnginx-mod-stream)
else
	conf_stream_nginx "$WORK" "$STREAM_MODULE" >"$WORK/stream-nginx.conf"
	spawn lb stream-nginx nginx -c "$WORK/stream-nginx.conf"
fi

# http_ok IP: one request through IP answered by a member.
http_ok() { tb_exec client curl -s -m 1 "http://$1:$PORT/" | grep -q '^m[0-9]'; }
listening() { tb_exec "$1" ss -Hltn "sport = :$2" | grep -q .; }
for ((k = 1; k <= MEMBERS; k++)); do
	wait_until 10 http_ok "$(tb_member_ip "$k")" || die "nginx on m$k does not answer ($WORK/m$k-nginx.err)"
	wait_until 10 listening "m$k" "$PERF_PORT" || die "iperf3 on m$k does not listen"
done
wait_until 10 http_ok "$VIP_HAPROXY" || die "haproxy does not answer: $(tail -n 3 "$WORK/haproxy.log")"
[ "$STREAM_OK" = 1 ] && { wait_until 10 http_ok "$VIP_NGINX" || die "nginx stream does not answer: $(tail -n 3 "$WORK/stream-nginx.err")"; }

# --- paths -------------------------------------------------------------------
# Which xlb modes this build runs: 'xlb check' refuses the others.
declare -A NA=() # path -> why it is not measured
PATHS=(routed)
for m in $MODES; do
	[ -n "${VIP_XLB[$m]:-}" ] || die "BENCH_MODES: unknown mode '$m'"
	PATHS+=("xlb-$m")
	conf_xlb "${m%-tc}" "${VIP_XLB[$m]}" >"$WORK/xlb-$m.yaml"
	if ! "$XLB" check "$WORK/xlb-$m.yaml" >"$WORK/xlb-$m.check" 2>&1; then
		NA[xlb-$m]="not yet available: $(grep -m1 -i error "$WORK/xlb-$m.check" | sed 's/^[^ ]*: //')"
	fi
done
read -r -a REFS <<<"${BENCH_REFS-nftables haproxy nginx-stream}"
for r in "${REFS[@]}"; do
	case $r in
	nftables | haproxy | nginx-stream) PATHS+=("$r") ;;
	*) die "BENCH_REFS: unknown path '$r' (nftables, haproxy, nginx-stream)" ;;
	esac
done
[ "$STREAM_OK" = 1 ] || NA[nginx-stream]="ngx_stream_module not installed (libnginx-mod-stream)"
conf_nft >"$WORK/nft.conf"

# TARGETS: where the two wrk processes connect; PERF_TARGET: iperf3's.
path_up() { # PATH
	local p=$1 n
	TARGETS=() PERF_TARGET=
	case "$p" in
	routed)
		for ((k = 1; k <= 2; k++)); do TARGETS+=("$(tb_member_ip $(((k - 1) % MEMBERS + 1)))"); done
		PERF_TARGET=$(tb_member_ip 1)
		return 0
		;;
	xlb-*)
		PERF_TARGET=${VIP_XLB[${p#xlb-}]}
		hook=()
		[[ $p == *-tc ]] && hook=(--mode tc)
		in_lb "$XLB" run -c "$WORK/$p.yaml" --pin-dir "$PIN" "${hook[@]}" >"$WORK/$p.log" 2>&1 &
		DPID=$!
		# Up when every web member is UP; a daemon that exits has refused.
		members_up() {
			! kill -0 "$DPID" 2>/dev/null ||
				[ "$(grep -cE "web: member m[0-9]+ .* UP" "$WORK/$p.log")" -ge "$MEMBERS" ]
		}
		wait_until 15 members_up
		if ! kill -0 "$DPID" 2>/dev/null; then
			wait "$DPID"
			DPID=
			UP_ERR=$(grep -m1 'error: ' "$WORK/$p.log" | sed 's/^.*error: //')
			grep -q 'not supported' <<<"$UP_ERR" && UP_ERR="not yet available: $UP_ERR"
			return 1
		fi
		wait_until 5 http_ok "$PERF_TARGET" || { UP_ERR="no answer through $PERF_TARGET"; return 1; }
		;;
	nftables)
		PERF_TARGET=$VIP_NFT
		in_lb nft -f "$WORK/nft.conf" || return 1
		wait_until 5 http_ok "$PERF_TARGET" || return 1
		;;
	haproxy) PERF_TARGET=$VIP_HAPROXY ;;
	nginx-stream) PERF_TARGET=$VIP_NGINX ;;
	esac
	TARGETS=("$PERF_TARGET" "$PERF_TARGET")
}
path_down() { # PATH
	case "$1" in
	xlb-*)
		in_lb "$XLB" status --json --pin-dir "$PIN" >"$WORK/$1.status.json" 2>/dev/null
		if [ -n "$DPID" ]; then
			kill "$DPID" 2>/dev/null
			wait "$DPID" 2>/dev/null
			DPID=
		fi
		in_lb "$XLB" stop --pin-dir "$PIN" >/dev/null 2>&1
		;;
	nftables) in_lb nft delete table ip "$NFT_TABLE" ;;
	esac
}

# --- measurements ---------------------------------------------------------
# cpu_ticks: "user+nice system softirq+irq total" of all CPUs.
cpu_ticks() {
	awk '$1 == "cpu" { print $2 + $3, $4, $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}
# served: requests answered so far by each member, from stub_status.
served() {
	local k
	for ((k = 1; k <= MEMBERS; k++)); do
		tb_exec "m$k" curl -s -m 2 "http://127.0.0.1:$PORT/nginx_status" |
			awk '/^ *[0-9]+ +[0-9]+ +[0-9]+ *$/ { print $3 }'
	done
}
# wrk_parse FILE: "req/s p50_ms p99_ms errors" of one wrk run.
wrk_parse() {
	awk '
		function ms(s) {
			if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
			if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
			if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
			return s + 0
		}
		$1 == "50%" { p50 = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		/^Requests\/sec:/ { rate = $2 }
		/^Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
		/^Non-2xx/ { err += $NF }
		END { printf "%.1f %.3f %.3f %d\n", rate, p50, p99, err }' "$1"
}

# flood_start OUT: the spoofed SYN flood to the path's VIP, FLOOD_LEAD s
# ahead of a wrk run and as long as it; and the probe, PROBE_RATE legit
# connection attempts a second whatever happens to them (wrk's connections
# wait on their timeouts instead), from the client addresses the SNAT
# leaves alone.  flood_wait OUT: both ended; FLOOD_PROBE="ok/attempts",
# FLOOD_SENT="packets/s reached".
flood_start() {
	local out=$1 secs=$((FLOOD_LEAD + SECS + 1)) src=() k
	tb_exec client "$FLOOD" --iface c0 --gw-mac "$GW_MAC" --dst "$PERF_TARGET" --port "$PORT" \
		--src "$SPOOF" --rate "$FLOOD_RATE" --seconds "$secs" --count $((FLOOD_RATE * secs)) \
		>"$out.flood" 2>&1 &
	FLOOD_PIDS=($!)
	sleep "$FLOOD_LEAD"
	for ((k = 2; k <= CLIENT_ADDRS; k++)); do src+=("$(tb_client_ip "$k")"); done
	tb_exec client /usr/bin/python3 tests/e2e/client.py load "$PERF_TARGET" "$PORT" "$SECS" \
		--open-loop --rate "$PROBE_RATE" --timeout 3 ${src:+--src "$(IFS=,; echo "${src[*]}")"} \
		>"$out.probe" 2>&1 &
	FLOOD_PIDS+=($!)
}
flood_wait() {
	local out=$1 p
	for p in "${FLOOD_PIDS[@]}"; do wait "$p"; done
	FLOOD_PROBE=$(awk 'NR == 1 && $1 == "ok" { print $2 "/" $2 + $4 }' "$out.probe")
	FLOOD_SENT=$(sed -n 's/^flood: .* s: \([0-9]*\)\/s .*/\1/p' "$out.flood")
	FLOOD_PROBE=${FLOOD_PROBE:--} FLOOD_SENT=${FLOOD_SENT:--}
}

# flood_settle: waits, at most 75 s, until no node holds a handshake the
# flood opened.  lb's kernel (under a proxy's listener) and the members'
# retransmit SYN-ACKs to the spoofed sources for up to 63 s
# (tcp_synack_retries 5); the next path would pay for them.
synrecv_left() {
	local node n=0
	for node in lb $(seq -f 'm%g' 1 "$MEMBERS"); do
		n=$((n + $(tb_exec "$node" ss -Htan state syn-recv | wc -l)))
	done
	echo "$n"
}
no_synrecv() { [ "$(synrecv_left)" = 0 ]; }
flood_settle() {
	local t0=$SECONDS
	if wait_until 75 no_synrecv; then
		log "flood: the spoofed handshakes were gone $((SECONDS - t0)) s after the test"
	else
		log "flood: $(synrecv_left) spoofed handshakes still open after 75 s"
	fi
}

# measure PATH ROUND TEST: one test, one TSV row.
measure() {
	local p=$1 r=$2 t=$3 i c0 c1 l0 l1 rate p50 p99 err split
	local out="$WORK/$p.$r.$t" # after the line above: bash expands a line's words first
	local -a wpids=() before after hdr=()
	FLOOD_PROBE=- FLOOD_SENT=-
	[[ $t == conn* || $t == flood ]] && hdr=(-H 'Connection: close')
	[ "$t" = flood ] && flood_start "$out"
	c0=$(cpu_ticks) l0="$(tcp_counters client) $(tcp_counters lb)"
	[ "$t" != tput ] && read -r -a before <<<"$(served | tr '\n' ' ')"
	case "$t" in
	conn* | req | flood)
		for i in 0 1; do
			tb_exec client timeout $((SECS + 30)) wrk -t1 -c$((CONNS / 2)) -d"${SECS}s" --latency \
				"${hdr[@]}" "http://${TARGETS[i]}:$PORT/" \
				>"$out.$i" 2>&1 &
			wpids+=($!)
		done
		for i in "${wpids[@]}"; do wait "$i"; done
		c1=$(cpu_ticks)
		[ "$t" = flood ] && flood_wait "$out"
		read -r rate p50 p99 err <<<"$(paste -d' ' <(wrk_parse "$out.0") <(wrk_parse "$out.1") |
			awk '{ printf "%.1f %.3f %.3f %d\n", $1 + $5, ($2 + $6) / 2, ($3 > $7 ? $3 : $7), $4 + $8 }')"
		;;
	tput)
		if tb_exec client timeout $((PERF_SECS + 30)) iperf3 -c "$PERF_TARGET" -p "$PERF_PORT" \
			-t "$PERF_SECS" -J >"$out" 2>&1; then err=0; else err=1; fi
		c1=$(cpu_ticks)
		rate=$(/usr/bin/python3 -c 'import json,sys
try: print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception: print("0")' "$out")
		p50=- p99=-
		;;
	esac
	l1="$(tcp_counters client) $(tcp_counters lb)"
	split=-
	if [ "$t" != tput ]; then
		read -r -a after <<<"$(served | tr '\n' ' ')"
		split=
		for ((i = 0; i < MEMBERS; i++)); do
			# the status request itself is one of the member's requests
			split+="${split:+,}m$((i + 1))=$((${after[i]:-0} - ${before[i]:-0} - 1))"
		done
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$p" "$t" "$rate" "$p50" "$p99" "$err" \
		"$(awk -v a="$l0" -v b="$l1" 'BEGIN { split(a, x, " "); split(b, y, " ");
			printf "%d\t%d", y[1] - x[1], y[2] + y[4] - x[2] - x[4] }')" \
		"$(awk -v a="$c0" -v b="$c1" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[4] - x[4]; if (d <= 0) d = 1;
			printf "%.1f\t%.1f\t%.1f", 100 * (y[3] - x[3]) / d, 100 * (y[2] - x[2]) / d, 100 * (y[1] - x[1]) / d }')" \
		"$split" "$FLOOD_PROBE" "$FLOOD_SENT" >>"$RAW"
}

# --- the run ---------------------------------------------------------------
RAW=$WORK/raw.tsv
printf 'round\tpath\ttest\tvalue\tp50_ms\tp99_ms\terrors\tsyn_retrans\tretrans_segs\tsoftirq_pct\tsys_pct\tuser_pct\tsplit\tprobe\tflood_pps\n' >"$RAW"
for ((r = 1; r <= ROUNDS; r++)); do
	# Rotate the order every round: no path always runs first or last.
	n=${#PATHS[@]}
	for ((i = 0; i < n; i++)); do
		p=${PATHS[$(((i + r - 1) % n))]}
		if [ -n "${NA[$p]:-}" ]; then
			[ "$r" = 1 ] && log "$p: ${NA[$p]}"
			continue
		fi
		log "round $r/$ROUNDS: $p ($((SECONDS - T0)) s)"
		UP_ERR="did not come up"
		if ! path_up "$p"; then
			NA[$p]=$UP_ERR
			log "$p: $UP_ERR"
			path_down "$p"
			continue
		fi
		for t in conn req tput; do measure "$p" "$r" "$t"; done
		for a in "${ADDR_COUNTS[@]:1}"; do
			client_spread "$a" && measure "$p" "$r" "conn$a"
		done
		client_spread "$CLIENT_ADDRS"
		# Last: the flood leaves half-open state in the members' kernels.
		[ "$FLOOD_RATE" -gt 0 ] && [ "$p" != routed ] && measure "$p" "$r" flood
		path_down "$p"
		[ "$FLOOD_RATE" -gt 0 ] && [ "$p" != routed ] && flood_settle
	done
done

# --- profile ---------------------------------------------------------------
# One more close-per-request run of every measured xlb mode under
# `perf record -a -g`, and one with the kernel's BPF run-time statistics
# on (scripts/bench/bpf_stats.py): where the new-connection path spends its
# time.  Not in raw.tsv
# (the profilers slow it); the rates are in the profile file.
profile() { # PATH
	local p=$1 f="$OUT/profile-$1.txt" id pp
	path_up "$p" || return 1
	id=$(in_lb ip -d link show dev l0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1)
	(
		sleep 1
		exec perf record -a -g -o "$WORK/perf.data" -- sleep $((SECS - 2))
	) >"$WORK/perf.log" 2>&1 &
	pp=$!
	RAW=$WORK/profile-$p.tsv measure "$p" perf conn
	wait "$pp"
	(
		sleep 1
		exec /usr/bin/python3 scripts/bench/bpf_stats.py "$id" $((SECS - 2))
	) >"$WORK/bpf-stats.txt" 2>&1 &
	pp=$!
	RAW=$WORK/profile-$p.tsv measure "$p" bpf-stats conn
	wait "$pp"
	path_down "$p"
	{
		echo "# $p, close-per-request wrk run ($SECS s), $(date -u '+%F %H:%M UTC'), kernel $(uname -r)"
		echo "# rates of the profiled runs (round, path, test, conn/s, ...):"
		sed 's/^/#   /' "$WORK/profile-$p.tsv"
		echo "# BPF run-time statistics of the XDP program on lb's l0 and l1:"
		sed 's/^/#   /' "$WORK/bpf-stats.txt"
		perf report -i "$WORK/perf.data" --stdio --no-children --sort dso,sym -g none \
			--percent-limit 0.02 2>/dev/null | grep -v '^#' | grep -v '^$' >"$WORK/perf.txt"
		echo "# perf record -a -g (all CPUs, everything: client, lb, members), top symbols:"
		head -n 40 "$WORK/perf.txt"
		echo "# the same, only the XDP program, BPF maps and helpers:"
		grep -E 'xlb_xdp|xdp|htab|bpf_lru|lookup_nulls|fib|bpf_ktime' "$WORK/perf.txt" | head -n 30
	} >"$f"
}
if [ "${BENCH_PROFILE:-1}" = 1 ] && command -v perf >/dev/null; then
	for p in "${PATHS[@]}"; do
		[[ $p == xlb-* && -z ${NA[$p]:-} ]] || continue
		log "profile: $p ($((SECONDS - T0)) s)"
		profile "$p" || log "profile of $p failed"
	done
fi

# --- results ---------------------------------------------------------------
cp "$RAW" "$OUT/raw.tsv"
for p in "${PATHS[@]}"; do
	[ -s "$WORK/$p.status.json" ] && cp "$WORK/$p.status.json" "$OUT/$p-status.json"
done
: >"$OUT/unavailable.tsv"
for p in "${!NA[@]}"; do printf '%s\t%s\n' "$p" "${NA[$p]}" >>"$OUT/unavailable.tsv"; done
{
	echo "date	$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "kernel	$(uname -r)"
	echo "cpu	$(nproc) x $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "virt	$(systemd-detect-virt 2>/dev/null || echo unknown)"
	echo "xlb	$(git describe --always --dirty 2>/dev/null)"
	echo "nginx	$(nginx -v 2>&1 | sed 's/.*nginx\///')"
	echo "haproxy	$(haproxy -v | awk 'NR == 1 { print $3 }')"
	echo "nftables	$(nft -v | awk '{ print $2 }')"
	echo "wrk	$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')"
	echo "iperf3	$(iperf3 -v | awk 'NR == 1 { print $2 }')"
	echo "rounds	$ROUNDS"
	echo "seconds	$SECS"
	echo "iperf_seconds	$PERF_SECS"
	echo "conns	$CONNS"
	echo "members	$MEMBERS"
	echo "client_addrs	${ADDR_COUNTS[*]}"
	echo "flood_rate	$FLOOD_RATE"
	echo "flood_lead	$FLOOD_LEAD"
	echo "probe_rate	$PROBE_RATE"
	echo "runtime_s	$((SECONDS - T0))"
} >"$OUT/env.tsv"
/usr/bin/python3 scripts/bench/report.py "$OUT" "$DOC" || die "report failed"
for g in "$OUT"/*.gp; do gnuplot "$g" || log "gnuplot failed on $g"; done
rm -f "$OUT"/*.gp "$OUT"/*.dat
log "done in $((SECONDS - T0)) s: $OUT/, ${DOC:-no doc written}"
