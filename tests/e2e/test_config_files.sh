#!/usr/bin/env bash
# What xlb takes as its configuration file, end to end.  `xlb check` and
# `xlb run` refuse a FIFO, a device and a directory at once (exit 1, the
# reason named); `xlb check -` reads standard input, `xlb run -c -` is
# refused.  A SIGHUP while the configuration's path names a FIFO is refused
# with the reason and the loop goes on: the old configuration serves and a
# member whose server stops goes DOWN.  A reload through a symlink flipped
# to a new file applies that file.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbcf-
PIN=/sys/fs/bpf/xlbcf
VIP=198.18.2.1
SRCS=198.18.0.2,198.18.0.3
GIVE_PATH='give the path of the configuration file'

e2e_start config_files 3 2

# write_config FILE MEMBERS...: one HTTP service over members mK.
write_config() {
	local file=$1 k
	shift
	{
		printf 'global:\n  interfaces: [l0, l1]\n  flow_table_size: %s\nservices:\n' \
			"$E2E_FLOW_TABLE_SIZE"
		printf '  - name: web\n    vip: {ip: %s, port: 80}\n' "$VIP"
		printf '    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}\n'
		printf '    members:\n'
		for k in "$@"; do
			printf '      m%d: [%s, 80]\n' "$k" "$(tb_member_ip "$k")"
		done
	} >"$file"
}
write_config "$WORK/v1.yaml" 1 2 3
write_config "$WORK/v2.yaml" 1 2

# ends EXIT TEXT CMD...: CMD ends within 10 s (a load that blocks is killed
# by timeout: exit 124) with status EXIT, and its output holds TEXT.
ends() {
	local want_rc=$1 want_text=$2 out rc
	shift 2
	out=$(timeout 10 "$@" 2>&1)
	rc=$?
	[ "$rc" = "$want_rc" ] && grep -qF -- "$want_text" <<<"$out" ||
		{ echo "  expected exit $want_rc and: $want_text"; echo "  got exit $rc: $out"; return 1; }
}

# 1. xlb check.
mkfifo "$WORK/fifo.yaml"
mkdir "$WORK/dir.yaml"
check check_refuses_a_fifo_at_once_exit_1 ends 1 \
	"$WORK/fifo.yaml: is a FIFO, not a regular file; $GIVE_PATH" "$XLB" check "$WORK/fifo.yaml"
check check_refuses_dev_zero_exit_1 ends 1 \
	"/dev/zero: is a character device, not a regular file; $GIVE_PATH" "$XLB" check /dev/zero
check check_refuses_a_directory_exit_1 ends 1 \
	"$WORK/dir.yaml: is a directory, not a regular file; $GIVE_PATH" "$XLB" check "$WORK/dir.yaml"
check check_dash_reads_standard_input ends 0 \
	'<stdin>: valid, 1 service, 3 members' sh -c '"$1" check - <"$2"' sh "$XLB" "$WORK/v1.yaml"
check check_dash_names_standard_input_in_errors ends 1 \
	'xlb: 1 error in <stdin>' sh -c 'printf "service: [\n" | "$1" check -' sh "$XLB"

# 2. xlb run: refused before anything is loaded.
check run_refuses_a_fifo_at_once_exit_1 ends 1 \
	"$WORK/fifo.yaml: is a FIFO, not a regular file; $GIVE_PATH" \
	"$XLB" run -c "$WORK/fifo.yaml" --pin-dir "$PIN"
check run_refuses_standard_input_exit_1 ends 1 \
	"error: the daemon cannot read its configuration from standard input: a reload (SIGHUP) reads the file again; $GIVE_PATH" \
	sh -c '"$1" run -c - --pin-dir "$2" </dev/null' sh "$XLB" "$PIN"
nothing_pinned() { [ ! -e "$PIN" ] || [ -z "$(ls -A "$PIN")" ] || { echo "  $(ls "$PIN")"; return 1; }; }
check run_refusals_leave_nothing_pinned nothing_pinned

# 3. The daemon, its file a symlink to v1.yaml.
ln -s v1.yaml "$WORK/xlb.yaml"
log_mark
daemon_start "$WORK/xlb.yaml"
if wait_log 20 'web: member m[1-3] .* UP ' 3; then
	ok daemon_starts_through_a_symlink
else
	ko daemon_starts_through_a_symlink "$(log_since | tail -n 5)"
	finish
fi

# 4. The path becomes a FIFO, m3's server stops, SIGHUP: the reload is
# refused with the reason, and the health checks go on.
m3_http_pid() { awk '$3 == "m3-http" {print $1}' "$(tb_state)/pids"; }
rm "$WORK/xlb.yaml"
mkfifo "$WORK/xlb.yaml"
log_mark
kill "$(m3_http_pid)"
daemon_signal HUP
if wait_log 5 'reload refused'; then ok reload_of_a_fifo_is_refused; else ko reload_of_a_fifo_is_refused "$(log_since | tail -n 5)"; fi
check reload_refusal_names_the_fifo log_has "xlb\.yaml: is a FIFO, not a regular file; $GIVE_PATH"
if wait_log 10 'web: member m3 .* DOWN '; then
	ok health_checks_go_on_a_stopped_member_goes_down
else
	ko health_checks_go_on_a_stopped_member_goes_down "$(log_since | tail -n 5)"
fi
check daemon_still_runs daemon_alive
old_config_serves() {
	local counts
	counts=$(http_counts "$VIP" 80 30 "$SRCS")
	[ "$counts" = "m1=15 m2=15 " ] || { echo "  counts: $counts"; return 1; }
}
check old_config_serves_its_up_members_after_the_refusal old_config_serves
status_m3_down() {
	xlb_in_lb status --pin-dir "$PIN" >"$WORK/status.out" 2>&1
	grep -E '^ +m3 ' "$WORK/status.out" | grep -q DOWN || { cat "$WORK/status.out"; return 1; }
}
check status_shows_m3_down status_m3_down
# A daemon waiting for a writer on the FIFO (a regression) gets one and its
# end of file, so the run ends in FAILs instead of hanging.
/usr/bin/python3 -c 'import os, sys
try:
    os.close(os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK))
except OSError:
    pass' "$WORK/xlb.yaml"

# 5. A symlink to /dev/zero: refused as a device, not read.
rm "$WORK/xlb.yaml"
ln -s /dev/zero "$WORK/xlb.yaml"
log_mark
daemon_signal HUP
wait_log 5 'reload refused'
check reload_of_a_device_is_refused_with_the_reason \
	log_has "xlb\.yaml: is a character device, not a regular file; $GIVE_PATH"

# 6. The symlink flipped to v2.yaml (m3 left out): the reload applies it.
ln -sfn v2.yaml "$WORK/xlb.yaml"
log_mark
daemon_signal HUP
if wait_log 5 'reloaded .*xlb\.yaml'; then
	ok reload_through_a_flipped_symlink_applies
else
	ko reload_through_a_flipped_symlink_applies "$(log_since | tail -n 5)"
fi
check reload_through_a_symlink_removes_m3 log_has 'web: member m3 removed'

daemon_stop
finish
