# shellcheck shell=bash
# FRR (zebra, bgpd, bfdd) in a namespace of tests/e2e/test_ecmp.sh, with
# the configurations of examples/frr/.  Each instance keeps its sockets and
# PID files in $WORK/frr-NODE (none under /var/run/frr), runs as Debian's
# user frr (root is not in the vty group FRR was built with) and opens no
# TCP vty.  Sourced by test_ecmp.sh, which provides in_ns, node_ip,
# RT_FAB, WORK and RPIDS.

FRR_DAEMONS="zebra bgpd bfdd"

# frr_conf NODE: the example with this testbed's addresses in place of its
# documentation ones (192.0.2.1 the router, 192.0.2.10 the node, and the
# router's listen range 192.0.2.0/24).
frr_conf() {
	local dir=$WORK/frr-$1
	mkdir -p "$dir" && chown frr:frr "$dir" && chmod o+x "$WORK" || return 1
	case $1 in
	rt)
		sed -e "s|192\.0\.2\.0/24|${RT_FAB%.*}.0/24|g" -e "s|192\.0\.2\.1\b|$RT_FAB|g" \
			-e 's|^log syslog .*|log stdout informational|' examples/frr/router.conf >"$dir/frr.conf"
		;;
	n*)
		sed -e "s|192\.0\.2\.10\b|$(node_ip "${1#n}")|g" -e "s|192\.0\.2\.1\b|$RT_FAB|g" \
			-e 's|^log syslog .*|log stdout informational|' examples/frr/xlb-node.conf >"$dir/frr.conf"
		;;
	esac
	! grep -q '192\.0\.2\.' "$dir/frr.conf" || { echo "  $1: documentation addresses left in frr.conf"; return 1; }
	: >"$dir/empty.conf"
}

# frr_start NODE: the daemons with an empty configuration, then the
# example applied through vtysh, as `vtysh -b` applies /etc/frr/frr.conf.
frr_start() {
	local dir=$WORK/frr-$1 d pids="" extra
	# Sockets a killed instance left would pass for the new ones.
	rm -f "$dir"/*.vty "$dir"/*.pid "$dir/zserv.api" "$dir/bfdd.sock"
	for d in $FRR_DAEMONS; do
		# bfdd's control socket too, not /var/run/frr/bfdd.sock.
		extra=()
		[ "$d" = bfdd ] && extra=(--bfdctl "$dir/bfdd.sock")
		in_ns "$1" "/usr/lib/frr/$d" -P 0 -f "$dir/empty.conf" -i "$dir/$d.pid" \
			-z "$dir/zserv.api" --vty_socket "$dir" --log stdout "${extra[@]}" \
			>>"$WORK/frr-$1-$d.log" 2>&1 &
		pids="$pids $!"
		# bgpd and bfdd connect to zebra's socket: zebra first.
		[ "$d" = zebra ] && wait_until 10 test -S "$dir/zserv.api"
	done
	RPIDS[$1]=${pids# }
	for d in $FRR_DAEMONS; do
		wait_until 10 test -S "$dir/$d.vty" || { echo "  $1: no $d.vty after 10 s"; return 1; }
	done
	nsenter --net="/run/netns/$(tb_ns "$1")" -- vtysh --vty_socket "$dir" -f "$dir/frr.conf" \
		>>"$WORK/frr-$1-vtysh.log" 2>&1
}

# frr_stop NODE SIGNAL
frr_stop() {
	local p
	for p in ${RPIDS[$1]}; do kill "-$2" "$p" 2>/dev/null; done
	for p in ${RPIDS[$1]}; do wait "$p" 2>/dev/null; done
}

# frr_show NODE COMMAND: a vtysh show command in NODE's instance.
frr_show() {
	nsenter --net="/run/netns/$(tb_ns "$1")" -- vtysh --vty_socket "$WORK/frr-$1" -c "$2"
}
