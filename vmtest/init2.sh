#!/bin/sh
# vmtest guest, stage 2 (PID 1 after switch_root; run by the static busybox
# copied to /run/vmtest). Runs the command script, records its status on the
# output share and on the console, then stops the VM.
set -u

bb=/run/vmtest/busybox
out=/run/vmtest/out
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb LANG=C.UTF-8
cd /

VMTEST_MODULES=
# shellcheck source=/dev/null
. $out/vmtest.conf
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
