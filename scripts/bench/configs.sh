# shellcheck shell=bash
# Configuration files of every path `make bench` compares, written into the
# run's temp dir.  Sourced by scripts/bench.sh after scripts/lib.sh; uses
# PORT, PERF_PORT, MEMBERS and the VIP_* variables set there.  Every balancer
# gets the same pool: members m1..m$MEMBERS on PORT for HTTP, m1 alone on
# PERF_PORT for iperf3 (a test's control and data connections must reach
# the same server, which round-robin would split).

# bench_pool FORMAT: FORMAT (printf) once per member, with its number, its
# address and PORT as arguments.
bench_pool() {
	local k
	for ((k = 1; k <= MEMBERS; k++)); do
		# shellcheck disable=SC2059
		printf "$1" "$k" "$(tb_member_ip "$k")" "$PORT"
	done
}

# nginx on member K: answers "mK", keeps connections for a whole run and
# counts requests in stub_status (the exact per-member split).
conf_member_nginx() { # K DIR
	local k=$1 dir=$2
	cat <<EOF
daemon off;
worker_processes 1;
pid $dir/m$k-nginx.pid;
error_log $dir/m$k-nginx.err warn;
events { worker_connections 4096; }
http {
	access_log off;
	default_type text/plain;
	keepalive_requests 10000000;
	keepalive_timeout 120s;
	client_body_temp_path $dir/m$k-tmp;
	proxy_temp_path $dir/m$k-tmp;
	fastcgi_temp_path $dir/m$k-tmp;
	uwsgi_temp_path $dir/m$k-tmp;
	scgi_temp_path $dir/m$k-tmp;
	server {
		listen $PORT reuseport backlog=4096;
		location = /nginx_status { stub_status; }
		location / { return 200 "m$k\n"; }
	}
}
EOF
}

# nginx stream on lb: round-robin over the pool, TCP only.
conf_stream_nginx() { # DIR MODULE
	local dir=$1 module=$2
	[ -n "$module" ] && echo "load_module $module;"
	cat <<EOF
daemon off;
worker_processes auto;
pid $dir/stream-nginx.pid;
error_log $dir/stream-nginx.err warn;
events { worker_connections 8192; }
stream {
	upstream web {
EOF
	bench_pool '\t\tserver %.0s%s:%s;\n'
	cat <<EOF
	}
	upstream perf { server $(tb_member_ip 1):$PERF_PORT; }
	server { listen $VIP_NGINX:$PORT reuseport backlog=4096; proxy_pass web; }
	server { listen $VIP_NGINX:$PERF_PORT; proxy_pass perf; }
}
EOF
}

# HAProxy on lb: TCP mode, balance roundrobin, TCP connect checks.
conf_haproxy() {
	cat <<EOF
global
	maxconn 5000
defaults
	mode tcp
	timeout connect 3s
	timeout client 60s
	timeout server 60s
	maxconn 5000
frontend web
	bind $VIP_HAPROXY:$PORT backlog 4096
	default_backend web
backend web
	balance roundrobin
EOF
	bench_pool '\tserver m%s %s:%s check inter 2s\n'
	cat <<EOF
frontend perf
	bind $VIP_HAPROXY:$PERF_PORT
	default_backend perf
backend perf
	server m1 $(tb_member_ip 1):$PERF_PORT
EOF
}

# nftables DNAT on lb, as kube-proxy's nftables mode does it: numgen inc
# round-robin in prerouting, kernel conntrack keeps each connection.
conf_nft() {
	local k map=""
	for ((k = 1; k <= MEMBERS; k++)); do
		map+="${map:+, }$((k - 1)) : $(tb_member_ip "$k")"
	done
	cat <<EOF
table ip $NFT_TABLE {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $VIP_NFT tcp dport $PORT dnat to numgen inc mod $MEMBERS map { $map }
		ip daddr $VIP_NFT tcp dport $PERF_PORT dnat to $(tb_member_ip 1)
	}
}
EOF
}

# xlb with forwarding MODE on VIP: the same two services.
conf_xlb() { # MODE VIP (MODE nat-pool: nat with snat: NAT_POOL)
	local mode=${1%-pool} vip=$2 snat=
	[ "$1" = nat-pool ] && snat="snat: [$(IFS=,; echo "${NAT_POOL[*]}")]"
	cat <<EOF
global:
  interfaces: [l0, l1]
services:
  - name: web
    vip: {ip: $vip, port: $PORT}
    forwarding: $mode
    $snat
    healthcheck: {type: tcp, interval: 1s, timeout: 500ms, rise: 1, fall: 3}
    members:
EOF
	bench_pool '      m%s: [%s, %s]\n'
	cat <<EOF
  - name: perf
    vip: {ip: $vip, port: $PERF_PORT}
    forwarding: $mode
    healthcheck: {type: none}
    members:
      m1: [$(tb_member_ip 1), $PERF_PORT]
EOF
}
