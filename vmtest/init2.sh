#!/bin/sh
# vmtest guest, stage 2 (PID 1 after switch_root; run by the static busybox
# copied to /run/vmtest). Runs the command script, records its status on the
# output share and on the console, then stops the VM.
#
# With VMTEST_INIT=systemd (vmtest/run -S) it hands PID 1 to the host's
# systemd instead, booting a target of its own (vmtest.target: the journal
# and one oneshot service, which runs this script again with "run").  What
# a tested unit pulls in (sysinit.target, basic.target) starts on demand;
# timers.target is masked, so that no daily job of the host's (man-db, apt)
# starts in the guest.
set -u

bb=/run/vmtest/busybox
out=/run/vmtest/out
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb LANG=C.UTF-8
cd /

VMTEST_MODULES=
VMTEST_INIT=
# shellcheck source=/dev/null
. $out/vmtest.conf

if [ "${1:-}" != run ] && [ "$VMTEST_INIT" = systemd ]; then
	units=/run/systemd/system
	$bb mkdir -p $units
	$bb ln -sfn /dev/null $units/timers.target
	$bb cat >$units/vmtest.target <<-EOF
	[Unit]
	Description=vmtest: the command, run as a service
	Requires=vmtest.service
	After=vmtest.service
	AllowIsolate=yes
	EOF
	$bb cat >$units/vmtest.service <<-EOF
	[Unit]
	Description=vmtest command
	DefaultDependencies=no
	Requires=systemd-journald.socket
	After=systemd-journald.socket
	[Service]
	Type=oneshot
	TimeoutStartSec=infinity
	ExecStart=$bb sh /run/vmtest/init2 run
	StandardOutput=journal+console
	EOF
	exec /lib/systemd/systemd --unit=vmtest.target --show-status=false
	echo "vmtest: cannot exec /lib/systemd/systemd; running the command without it" >&2
fi

if [ -n "$VMTEST_MODULES" ]; then
	# Word splitting wanted: a list of module names.
	# shellcheck disable=SC2086
	/sbin/modprobe -a $VMTEST_MODULES || echo "vmtest: modprobe -a $VMTEST_MODULES failed" >&2
fi

read -r up _ </proc/uptime
echo "$up" >$out/started
echo "VMTEST_CMD_START uptime=$up"

/bin/sh $out/cmd.sh </dev/null >>$out/output.log 2>&1
rc=$?

echo "$rc" >$out/exit_code.tmp && $bb mv $out/exit_code.tmp $out/exit_code
echo "VMTEST_EXIT_CODE=$rc"
$bb sync
# isa-debug-exit at 0xf4: qemu exits at once with status (1 << 1) | 1 = 3.
printf '\001' | $bb dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
# No /dev/port (CONFIG_DEVPORT=n): power off instead; qemu exits with 0.
echo o >/proc/sysrq-trigger
$bb sleep 30
