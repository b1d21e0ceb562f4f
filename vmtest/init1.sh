#!/bin/busybox sh
# shellcheck shell=dash disable=SC3040
# vmtest guest, stage 1 (/init of the initramfs, static busybox only).
#
# Loads the 9p and overlay modules, mounts the host's root (9p tag "root",
# read-only) under a tmpfs overlay at /newroot, mounts the kernel file
# systems the tests need, the run's output share (9p tag "vmtest_out") at
# /run/vmtest/out, and switches to stage 2. Every exec here is busybox: a
# dynamically linked host binary over 9p costs 0.15-0.3 s each under TCG.
set -eu
set -o pipefail

/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /dev /proc /sys
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t devtmpfs -o mode=0755 devtmpfs /dev
exec </dev/console >/dev/console 2>&1

out=/newroot/run/vmtest/out
out_mounted=
fail() {
	rc=$?
	trap - EXIT
	echo "vmtest: stage 1 failed (status $rc); the VM cannot run the command" >&2
	if [ -n "$out_mounted" ]; then
		echo 125 >"$out/exit_code" || true
	fi
	echo "VMTEST_EXIT_CODE=125"
	sync
	poweroff -f
	sleep 10
}
trap fail EXIT

mount -t proc proc /proc
mount -t sysfs sysfs /sys

while read -r mod; do
	insmod "/modules/$mod.ko" || {
		echo "vmtest: insmod $mod failed" >&2
		exit 1
	}
done </modules/order

p9opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$p9opts,cache=loose,ro" root /lower
mount -t tmpfs -o mode=0755 vmtest-rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot

r=/newroot
mount --move /dev $r/dev
mount --move /proc $r/proc
mount --move /sys $r/sys
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm $r/dev/shm
ln -sfn /proc/self/fd $r/dev/fd
ln -sfn /proc/self/fd/0 $r/dev/stdin
ln -sfn /proc/self/fd/1 $r/dev/stdout
ln -sfn /proc/self/fd/2 $r/dev/stderr
mount -t tmpfs -o mode=0755,nosuid,nodev run $r/run
mount -t cgroup2 -o nsdelegate cgroup2 $r/sys/fs/cgroup
mount -t bpf -o mode=0700 bpf $r/sys/fs/bpf
mount -t debugfs debugfs $r/sys/kernel/debug
if [ -d $r/sys/kernel/tracing ]; then
	mount -t tracefs tracefs $r/sys/kernel/tracing
fi

mkdir -p $out
mount -t 9p -o "$p9opts,cache=none" vmtest_out $out
out_mounted=1
VMTEST_MODDIR=
# shellcheck source=/dev/null
. $out/vmtest.conf

# Modules of a kernel that is not installed on the host live in the cache:
# show them where modprobe looks (the overlay makes the mount point).
kver=$(uname -r)
if [ -n "$VMTEST_MODDIR" ] && [ ! -e "$r/lib/modules/$kver/modules.dep" ]; then
	mkdir -p "$r/lib/modules/$kver"
	mount --bind "$r$VMTEST_MODDIR" "$r/lib/modules/$kver"
fi

cp /bin/busybox /init2 $r/run/vmtest/
hostname vmtest
ip link set lo up

trap - EXIT
exec switch_root $r /run/vmtest/busybox sh /run/vmtest/init2
