#!/usr/bin/env bash
# The namespace testbed for the e2e tests and the demo: a client, a
# balancer with two arms and N members with real servers.
#
#   client [c0] ---- [l0] lb [l1] ---- [s0] sw(br0) [pK] ---- [e0] mK
#   198.18.0.2       198.18.0.1 198.18.1.1              198.18.1.(10+K)
#   fd00:18::2       fd00:18::1 fd00:19::1              fd00:19::(10+K)
#
# Each member serves HTTP on :80 (the body is its name, "mK"), a TCP echo
# and a UDP echo on :7.  The client routes everything through lb (VIPs:
# pick them in 198.18.2.0/24 or fd00:1a::/64), members route back through
# lb.  Nothing balances until xlb is attached to lb's l0/l1; until then lb
# routes, so a client reaches members directly.  Details: scripts/lib.sh.
set -uo pipefail

. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
usage: testbed.sh up [--members N] [--prefix NAME] [--client-addrs N] [--no-xdp]
       testbed.sh down [--prefix NAME]
       testbed.sh exec [--prefix NAME] NODE CMD [ARG...]
       testbed.sh status [--prefix NAME]

  up      create namespaces NAME{client,lb,sw,m1..mN} and start the servers
          (default: 3 members, prefix "$XLB_TB_PREFIX", one client address);
          removes leftovers of the same prefix first
  down    stop the servers and remove the namespaces (idempotent)
  exec    run CMD in NODE's network namespace (client, lb, sw, m1, ...),
          through nsenter so that /sys/fs/bpf stays visible
  status  list the namespaces and servers of this prefix

  --no-xdp  do not attach the XDP_PASS program to the peers of lb's links
            (only for tests that never redirect in XDP)
USAGE
}

cmd=${1:-}
[ -n "$cmd" ] || { usage >&2; exit 2; }
shift
members=3 naddr=1 xdp=1
while [ $# -gt 0 ]; do
	case "$1" in
	--members) members=${2:-}; shift 2 ;;
	--prefix) XLB_TB_PREFIX=${2:-}; shift 2 ;;
	--client-addrs) naddr=${2:-}; shift 2 ;;
	--no-xdp) xdp=0; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "testbed.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $XLB_TB_PREFIX =~ ^[a-z0-9][a-z0-9-]{0,15}$ ]] ||
	{ echo "testbed.sh: --prefix: 1-16 of a-z 0-9 -" >&2; exit 2; }

case "$cmd" in
up)
	tb_up "$members" "$naddr" "$xdp" || exit 1
	tb_log "up: client, lb, sw, m1..m$members (prefix $XLB_TB_PREFIX); 'testbed.sh down' removes it"
	;;
down)
	tb_need_root
	tb_down
	;;
exec)
	[ $# -ge 2 ] || { usage >&2; exit 2; }
	node=$1
	shift
	[ -e "/run/netns/$(tb_ns "$node")" ] || tb_die "no node '$node' (is the testbed up?)"
	exec nsenter --net="/run/netns/$(tb_ns "$node")" -- "$@"
	;;
status)
	ip netns list | awk -v p="$XLB_TB_PREFIX" 'index($1, p) == 1 {print $1}'
	[ -r "$(tb_state)/pids" ] && cat "$(tb_state)/pids"
	exit 0
	;;
-h | --help | help) usage ;;
*) echo "testbed.sh: unknown command '$cmd'" >&2; usage >&2; exit 2 ;;
esac
