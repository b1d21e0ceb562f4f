#!/usr/bin/env bash
# tests/vm/smoke.sh: is this VM fit to run xlb's suites? Run as root inside
# vmtest (vmtest/run -k KERNEL -- tests/vm/smoke.sh). Checks the guest set-up
# that vmtest/ provides and the kernel features the suites lean on.
#
# Prints PASS name / FAIL name: why / SKIP name: why, then
# "N passed, N failed, N skipped"; exits 1 when any check failed.
# Network checks use namespaces of their own and 198.18.0.0/15 only.
set -euo pipefail

passed=0
failed=0
skipped=0
pass() {
	printf 'PASS %s\n' "$1"
	passed=$((passed + 1))
}
fail() {
	printf 'FAIL %s: %s\n' "$1" "$2"
	failed=$((failed + 1))
}
skip() {
	printf 'SKIP %s: %s\n' "$1" "$2"
	skipped=$((skipped + 1))
}

ns_a=vmsmoke-a-$$
ns_b=vmsmoke-b-$$
cleanup() {
	ip netns del "$ns_a" 2>/dev/null || true
	ip netns del "$ns_b" 2>/dev/null || true
}
trap cleanup EXIT

# Type of the file system mounted exactly at $1 ("" when none).
fstype_at() { awk -v m="$1" '$2 == m { t = $3 } END { print t }' /proc/mounts; }

check_mount() {
	local name=$1 dir=$2 want=$3 got
	got=$(fstype_at "$dir")
	if [[ $got == "$want" ]]; then
		pass "$name"
	else
		fail "$name" "expected $want on $dir, found '${got:-nothing}'"
	fi
}

if [[ $(id -u) -eq 0 ]]; then pass runs_as_root; else fail runs_as_root "uid is $(id -u)"; fi

if [[ ${XLB_IN_VM:-} == 1 || -n ${XLB_VMTEST_KERNEL:-} ]]; then
	pass env_marks_vm
else
	fail env_marks_vm "neither XLB_IN_VM=1 nor XLB_VMTEST_KERNEL is set"
fi

check_mount bpffs_on_sys_fs_bpf /sys/fs/bpf bpf
check_mount cgroup2_on_sys_fs_cgroup /sys/fs/cgroup cgroup2
check_mount debugfs_mounted /sys/kernel/debug debugfs
if [[ -d /sys/kernel/tracing ]]; then
	check_mount tracefs_mounted /sys/kernel/tracing tracefs
else
	skip tracefs_mounted "kernel has no /sys/kernel/tracing (CONFIG_TRACING off)"
fi

if [[ -s /sys/kernel/btf/vmlinux ]]; then
	pass btf_vmlinux_present
else
	fail btf_vmlinux_present "/sys/kernel/btf/vmlinux missing: kernel built without CONFIG_DEBUG_INFO_BTF"
fi

if f=$(mktemp /tmp/vmsmoke.XXXXXX 2>/dev/null) && rm -f -- "$f"; then
	pass tmp_writable
else
	fail tmp_writable "cannot create a file in /tmp"
fi
if touch /usr/.vmsmoke 2>/dev/null && rm -f /usr/.vmsmoke; then
	pass root_overlay_writable
else
	fail root_overlay_writable "cannot write under /usr (overlay missing?)"
fi
if [[ -w $PWD ]]; then pass cwd_writable; else fail cwd_writable "$PWD is read-only"; fi

kver=$(uname -r)
if [[ -f /lib/modules/$kver/modules.dep ]]; then
	pass modules_dir_present
else
	fail modules_dir_present "/lib/modules/$kver/modules.dep missing"
fi
for mod in veth sch_ingress cls_bpf; do
	if modprobe "$mod" 2>/dev/null; then
		pass "module_${mod}_loadable"
	else
		fail "module_${mod}_loadable" "modprobe $mod failed"
	fi
done

if ip -o link show lo | grep -q 'state UNKNOWN\|state UP\|,UP'; then
	pass loopback_up
else
	fail loopback_up "lo is down: $(ip -o link show lo)"
fi

# Two namespaces joined by a veth pair, addresses from 198.18.0.0/15.
if ip netns add "$ns_a" && ip netns add "$ns_b" &&
	ip link add vsa netns "$ns_a" type veth peer name vsb netns "$ns_b" &&
	ip -n "$ns_a" addr add 198.18.0.1/30 dev vsa &&
	ip -n "$ns_b" addr add 198.18.0.2/30 dev vsb &&
	ip -n "$ns_a" link set vsa up && ip -n "$ns_b" link set vsb up &&
	ip -n "$ns_a" link set lo up && ip -n "$ns_b" link set lo up; then
	pass netns_veth_created
	if ip netns exec "$ns_a" busybox ping -c 1 -W 5 198.18.0.2 >/dev/null 2>&1; then
		pass veth_ping_198_18
	else
		fail veth_ping_198_18 "no echo reply from 198.18.0.2 within 5 s"
	fi
	if tc -n "$ns_a" qdisc add dev vsa clsact &&
		tc -n "$ns_a" qdisc show dev vsa | grep -q clsact; then
		pass clsact_qdisc
	else
		fail clsact_qdisc "tc qdisc add clsact failed"
	fi
else
	fail netns_veth_created "could not set up namespaces and a veth pair"
fi

# Pinning needs bpffs in the namespace we run in: nsenter keeps /sys as is
# (ip netns exec remounts it and hides /sys/fs/bpf).
if [[ -e /run/netns/$ns_a ]] &&
	[[ $(nsenter --net=/run/netns/"$ns_a" stat -f -c %T /sys/fs/bpf) == bpf_fs ]]; then
	pass bpffs_visible_via_nsenter
else
	fail bpffs_visible_via_nsenter "/sys/fs/bpf not mounted inside nsenter --net"
fi

if command -v bpftool >/dev/null 2>&1; then
	probe=$(bpftool feature probe kernel 2>/dev/null || true)
	for want in "eBPF program_type xdp is available" \
		"eBPF program_type sched_cls is available" \
		"eBPF program_type cgroup_sock_addr is available" \
		"eBPF map_type lru_hash is available" \
		"eBPF map_type percpu_array is available"; do
		name=$(printf '%s' "$want" | awk '{ print "feature_" $3 }')
		if grep -qF "$want" <<<"$probe"; then
			pass "$name"
		else
			fail "$name" "bpftool feature probe lacks '$want'"
		fi
	done
else
	skip bpftool_feature_probe "bpftool not installed on the host"
fi

printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
((failed == 0))
