#!/usr/bin/env bash
# Installs the Debian packages xlb needs, by purpose, and does nothing when
# they are all present.  Usage: scripts/deps.sh [--check] PURPOSE...
#   PURPOSE: build, test, demo, cluster, vmtest, bench, pkg, all
#   --check  only report what is missing (exit 1 if anything is)
set -euo pipefail

pkgs_build="make gcc clang llvm libbpf-dev bpftool libyaml-dev libelf-dev zlib1g-dev pkg-config scdoc"
# man-db and groff render the man pages (man --warnings), bash-completion
# backs the completion test, bird2 runs on both ends of a BGP session in
# tests/e2e/test_announce.sh and test_ecmp.sh, frr (bgpd, bfdd, zebra) in
# test_ecmp.sh's FRR variant, nftables its per-node-state variant, xdp-tools
# (xdpdump) the capture test, tmux the terminal of tests/e2e/test_top.sh
# (xlb top as a person sees it), prometheus (and its promtool) scrapes the
# daemon in tests/e2e/test_metrics.sh.
pkgs_test="$pkgs_build libclang-rt-14-dev libfuzzer-14-dev iproute2 ethtool socat netcat-openbsd tcpdump util-linux procps python3 curl xdp-tools man-db groff-base bash-completion bird2 frr nftables tmux prometheus"
pkgs_demo="$pkgs_build iproute2 ethtool socat curl python3 util-linux procps"
# make demo-cluster: the demo's, and BIRD on the router and the nodes.
pkgs_cluster="$pkgs_demo bird2"
pkgs_vmtest="$pkgs_test qemu-system-x86 busybox-static kmod cpio xz-utils zstd binutils"
pkgs_bench="$pkgs_test nginx libnginx-mod-stream haproxy nftables wrk iperf3 gnuplot-nox linux-perf"
# make deb (the Debian package), lintian, make deb-test (a clean chroot).
pkgs_pkg="$pkgs_build dpkg-dev debhelper fakeroot lintian mmdebstrap man-db groff-base bash-completion"

check_only=0
purposes=()
for arg in "$@"; do
	case "$arg" in
	--check) check_only=1 ;;
	build|test|demo|cluster|vmtest|bench|pkg) purposes+=("$arg") ;;
	all) purposes+=(build test demo cluster vmtest bench pkg) ;;
	-h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "deps.sh: unknown purpose '$arg' (build, test, demo, cluster, vmtest, bench, pkg, all)" >&2; exit 2 ;;
	esac
done
[ ${#purposes[@]} -gt 0 ] || purposes=(build)

wanted=""
for p in "${purposes[@]}"; do
	v="pkgs_$p"
	wanted="$wanted ${!v}"
done
# shellcheck disable=SC2086
wanted=$(printf '%s\n' $wanted | sort -u)

missing=""
for pkg in $wanted; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $pkg"
done
missing=${missing# }
[ -z "$missing" ] && exit 0

if [ "$check_only" = 1 ] || [ "$(id -u)" != 0 ]; then
	echo "xlb: missing Debian packages: $missing" >&2
	echo "xlb: install them with 'sudo make deps' (or: sudo apt-get install $missing)" >&2
	exit 1
fi

echo "xlb: installing Debian packages: $missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing
fi
