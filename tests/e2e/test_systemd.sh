#!/usr/bin/env bash
# xlb under systemd, without systemd as PID 1: the unit file as systemd
# reads it (systemd-analyze verify, and its sandbox's exposure score), and
# the notification protocol of a real daemon in the testbed, received by a
# stand-in for systemd's notify socket (tests/e2e/notify_listener.py):
# READY=1 only once the interfaces are attached and the services published,
# RELOADING=1 (with MONOTONIC_USEC=) then READY=1 around each SIGHUP, a
# refused reload noted in STATUS=, STATUS= following the members' health,
# STOPPING=1 on SIGTERM.  With JOURNAL_STREAM naming the daemon's stderr,
# every line carries the journal's priority, a member going DOWN a warning;
# with --log-format json, every line is a JSON object.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbsd-
PIN=/sys/fs/bpf/xlbsd
VIP=198.18.2.1
SRCS=198.18.0.2
LISTENER_PY="$(pwd)/tests/e2e/notify_listener.py"
MAX_EXPOSURE=3.0

e2e_start systemd 2 1

# ---- the unit file -------------------------------------------------------------
# As installed, with this build's binary in place of /usr/local/sbin/xlb
# (verify checks that every command exists).  The man pages it names are
# installed by the package, not here: --man=no.
mkdir -p "$WORK/unit"
sed "s|/usr/local/sbin/xlb|$XLB|g" scripts/xlb.service >"$WORK/unit/xlb.service"
if ! command -v systemd-analyze >/dev/null; then
	skip unit_file_verifies_clean "systemd-analyze is not installed (package systemd)"
	skip unit_file_exposure_is_at_most_$MAX_EXPOSURE "systemd-analyze is not installed"
else
	verify_clean() {
		local out
		out=$(cd "$WORK/unit" && systemd-analyze verify --man=no xlb.service 2>&1)
		[ $? = 0 ] && [ -z "$out" ] || { echo "  expected no output, got: $out"; return 1; }
	}
	check unit_file_verifies_clean verify_clean
	exposure_ok() {
		local out score
		out=$(cd "$WORK/unit" && systemd-analyze security --offline=true xlb.service 2>&1)
		score=$(sed -nE 's/.*Overall exposure level for xlb.service: ([0-9.]+).*/\1/p' <<<"$out")
		echo "  exposure: ${score:-none} (at most $MAX_EXPOSURE)"
		[ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' ||
			{ grep '✗' <<<"$out" | head -n 20; return 1; }
	}
	if systemd-analyze security --help 2>&1 | grep -q -- '--offline'; then
		check "unit_file_exposure_is_at_most_$MAX_EXPOSURE" exposure_ok
	else
		skip "unit_file_exposure_is_at_most_$MAX_EXPOSURE" \
			"this systemd-analyze has no --offline (systemd 250 and later)"
	fi
fi
# What the daemon relies on, said in the unit.
unit_says() {
	local line
	for line in 'Type=notify' 'EnvironmentFile=-/etc/default/xlb' \
		'Environment=XLB_CONFIG=/etc/xlb/xlb.yaml XLB_OPTS=' \
		'ExecStart=/usr/local/sbin/xlb run -c ${XLB_CONFIG} $XLB_OPTS' \
		'ExecReload=/bin/kill -HUP $MAINPID' \
		'CapabilityBoundingSet=CAP_BPF CAP_NET_ADMIN CAP_NET_RAW CAP_PERFMON' \
		'ReadWritePaths=/sys/fs/bpf'; do
		grep -qxF "$line" scripts/xlb.service || { echo "  no line '$line'"; return 1; }
	done
}
check unit_file_is_notify_with_reload_env_file_and_four_capabilities unit_says

# ---- the notification protocol ------------------------------------------------
write_config() { # FILE
	cat >"$1" <<-YAML
	global:
	  interfaces: [l0, l1]
	  flow_table_size: $E2E_FLOW_TABLE_SIZE
	services:
	  - name: web
	    vip: {ip: $VIP, port: 80}
	    healthcheck: {type: http, interval: 300ms, timeout: 200ms, rise: 1, fall: 1}
	    members:
	      m1: [$(tb_member_ip 1), 80]
	      m2: [$(tb_member_ip 2), 80]
	YAML
}
write_config "$WORK/xlb.yaml"
SOCK=$WORK/notify.sock
NOTES=$WORK/notify.jsonl
: >"$NOTES"

# What the system looked like when READY=1 arrived, one word per fact:
# "xdp:l0 xdp:l1 services:web running:1 reloaded:0".
probe_ready() {
	local i
	for i in l0 l1; do
		nsenter --net="/run/netns/$LB_NS" -- ip -o link show "$i" | grep -qE ' xdp(generic)? ' &&
			printf 'xdp:%s ' "$i"
	done
	nsenter --net="/run/netns/$LB_NS" -- "$XLB" status --pin-dir "$PIN" --json 2>/dev/null |
		/usr/bin/python3 -c '
import json, sys
print("services:" + ",".join(s["name"] for s in json.load(sys.stdin)["services"]), end=" ")' 2>/dev/null
	printf 'running:%s reloaded:%s' "$(grep -cE 'running: [0-9]+ service' "$DLOG")" \
		"$(grep -cE 'reloaded |reload refused' "$DLOG")"
}
export -f probe_ready
export LB_NS XLB PIN DLOG
LB_NS=$(tb_ns lb)

/usr/bin/python3 "$LISTENER_PY" "$SOCK" "$NOTES" 120 --on-ready probe_ready \
	--freeze "$WORK/daemon.pid" >>"$WORK/listener.log" 2>&1 &
LISTENER=$!
E2E_PIDS+=("$LISTENER")
wait_until 10 test -S "$SOCK" || { ko listener_up "$(cat "$WORK/listener.log")"; finish; }

# notes: the datagrams so far, one per line as "seq|KEY=V<TAB>KEY=V|probe|usec"
# (a STATUS= may hold "; ").
TAB=$'\t'
notes() {
	/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    f = "\t".join("%s=%s" % kv for kv in r["fields"].items())
    probe = r.get("probe", "") + (" frozen" if r.get("frozen") else "")
    print("%d|%s|%s|%d" % (r["seq"], f, probe, r["usec"]))' "$NOTES"
}
n_notes() { wc -l <"$NOTES"; }
# wait_note SECS REGEX: until a datagram after the first $MARK matches.
MARK=0
note_mark() { MARK=$(n_notes); }
notes_since() { notes | tail -n +"$((MARK + 1))"; }
note_has() { notes_since | grep -qE "$1"; }
wait_note() { wait_until "$1" note_has "$2"; }

# The daemon's stderr is the file DLOG; JOURNAL_STREAM naming that file
# makes it write as it would to the journal.
log_mark
NOTIFY_SOCKET=$SOCK JOURNAL_STREAM=$(stat -c '%d:%i' "$DLOG") \
	daemon_start "$WORK/xlb.yaml"
echo "$DPID" >"$WORK/daemon.pid" # nsenter execs xlb: the daemon itself
if wait_note 20 'READY=1'; then
	ok daemon_says_ready
else
	ko daemon_says_ready "$(notes; log_since | tail -n 5)"
	finish
fi
ready_after_attach() {
	local first
	first=$(notes | head -n 1)
	# The first datagram is READY=1 itself, and when it came the daemon had
	# attached both interfaces, published the service and logged so (the
	# listener stopped the daemon as it read READY=1, before looking).
	[[ $first == "1|READY=1${TAB}STATUS="* ]] &&
		grep -q '|xdp:l0 xdp:l1 services:web running:1 reloaded:0 frozen|' <<<"$first" ||
		{ echo "  expected '1|READY=1 STATUS=...|xdp:l0 xdp:l1 services:web running:1 reloaded:0 frozen|...', got '$first'"; return 1; }
}
check ready_comes_only_after_attach_and_publish ready_after_attach
status_parses() {
	local st
	st=$(notes | head -n 1 | cut -d'|' -f2 | sed -nE "s/^READY=1${TAB}STATUS=//p")
	[[ $st =~ ^1\ service,\ 2\ members,\ [0-2]\ serving$ ]] ||
		{ echo "  expected '1 service, 2 members, N serving', got '$st'"; return 1; }
}
check ready_status_counts_services_members_serving status_parses
if wait_note 10 'STATUS=1 service, 2 members, 2 serving'; then
	ok status_follows_members_coming_up
else
	ko status_follows_members_coming_up "$(notes)"
fi

# A reload: RELOADING=1 with a fresh MONOTONIC_USEC=, then READY=1, and the
# daemon had logged the result by then.
reload_framed() { # WANT_LOG_COUNT WANT_STATUS_REGEX
	local since reloading ready
	since=$(notes_since)
	reloading=$(sed -n 1p <<<"$since")
	ready=$(sed -n 2p <<<"$since")
	/usr/bin/python3 - "$reloading" "$ready" "$1" "$2" "$PREV_USEC" <<'PY' || { echo "$since" | sed 's/^/  /'; return 1; }
import re, sys
reloading, ready, want_log, want_status, prev = sys.argv[1:6]
def parse(line):
    seq, fields, probe, usec = line.split("|")
    return dict(kv.split("=", 1) for kv in fields.split("\t") if "=" in kv), probe, int(usec)
f1, _, usec1 = parse(reloading)
f2, probe2, _ = parse(ready)
errors = []
if f1.get("RELOADING") != "1":
    errors.append("first datagram is not RELOADING=1: %s" % f1)
stamp = int(f1.get("MONOTONIC_USEC", "0"))
if not int(prev) <= stamp <= usec1:
    errors.append("MONOTONIC_USEC=%d not between the last datagram (%s) and its receipt (%d)" % (stamp, prev, usec1))
if f2.get("READY") != "1":
    errors.append("second datagram is not READY=1: %s" % f2)
if "reloaded:%s" % want_log not in probe2:
    errors.append("at READY=1 the log held %s, expected reloaded:%s" % (probe2, want_log))
if not re.fullmatch(want_status, f2.get("STATUS", "")):
    errors.append("STATUS=%r does not match %r" % (f2.get("STATUS"), want_status))
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY
}
hup_and_wait() {
	PREV_USEC=$(notes | tail -n 1 | cut -d'|' -f4)
	note_mark
	daemon_signal HUP
	wait_note 10 'READY=1'
}
hup_and_wait
check reload_is_framed_by_reloading_then_ready \
	reload_framed 1 '1 service, 2 members, 2 serving'

printf 'services:\n  - name: [oops\n' >"$WORK/xlb.yaml"
hup_and_wait
check refused_reload_is_framed_and_noted_in_status \
	reload_framed 2 '1 service, 2 members, 2 serving; the reload of .*xlb.yaml was refused \(see the log\)'
write_config "$WORK/xlb.yaml"
hup_and_wait
check good_reload_clears_the_note reload_framed 3 '1 service, 2 members, 2 serving'

# ---- priorities: a member going DOWN is a warning ------------------------------
m2_http_pid() { awk '$3 == "m2-http" {print $1}' "$(tb_state)/pids"; }
note_mark
log_mark
kill "$(m2_http_pid)"
if wait_log 10 'web: member m2 .* DOWN '; then
	ok member_goes_down
else
	ko member_goes_down "$(log_since | tail -n 3)"
fi
down_is_warning() {
	log_since | grep -qE '^<4>warning: web: member m2 198\.18\.1\.12:80 DOWN \(' ||
		{ log_since | sed 's/^/  /'; return 1; }
}
check member_down_is_a_journal_warning down_is_warning
if wait_note 10 'STATUS=1 service, 2 members, 1 serving'; then
	ok status_follows_a_member_going_down
else
	ko status_follows_a_member_going_down "$(notes_since)"
fi
log_mark
# nsenter execs the server: $! is the server itself.
nsenter --net="/run/netns/$(tb_ns m2)" -- /usr/bin/python3 -m http.server 80 --bind :: \
	--directory "$(tb_state)/www/m2" >>"$(tb_state)/logs/m2-http.log" 2>&1 &
M2_AGAIN=$!
E2E_PIDS+=("$M2_AGAIN")
if wait_log 10 'web: member m2 .* UP '; then
	up_is_info() { log_since | grep -qE '^<6>web: member m2 198\.18\.1\.12:80 UP \(' || { log_since | sed 's/^/  /'; return 1; }; }
	check member_up_is_journal_info up_is_info
else
	ko member_up_is_journal_info "m2 did not come back: $(log_since | tail -n 3)"
fi
# Every line the daemon wrote carries a priority and no time of its own.
all_prefixed() {
	local bad
	bad=$(grep -vE '^<[3467]>' "$DLOG" | head -n 3)
	[ -z "$bad" ] || { echo "  lines without a priority: $bad"; return 1; }
	! grep -qE '^<[0-9]>[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$DLOG" || { echo "  a line carries a time"; return 1; }
}
check every_line_carries_a_priority_and_no_time all_prefixed

note_mark
daemon_stop
if wait_note 5 'STOPPING=1'; then
	ok sigterm_says_stopping
else
	ko sigterm_says_stopping "$(notes_since)"
fi
wait "$LISTENER" 2>/dev/null

# ---- --log-format json ------------------------------------------------------------
# The next run adopts the pins; a member going DOWN then is one JSON object
# with its fields.
: >"$DLOG"
log_mark
daemon_start "$WORK/xlb.yaml" --log-format json
wait_log 20 '"message":"running: ' || ko json_daemon_runs "$(tail -n 5 "$DLOG")"
both_serving() {
	xlb_in_lb status --pin-dir "$PIN" --json | /usr/bin/python3 -c '
import json, sys
assert [s["members_serving"] for s in json.load(sys.stdin)["services"]] == [2]'
}
wait_until 10 both_serving || ko json_daemon_serves_both "$(tail -n 5 "$DLOG")"
kill "$M2_AGAIN"
if wait_log 10 '"member":"m2".*"state":"DOWN"'; then
	json_down() {
		/usr/bin/python3 - "$DLOG" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]  # every line one object
down = [r for r in recs if r.get("state") == "DOWN" and r.get("member") == "m2"]
want = {"level": "warning", "service": "web", "member": "m2", "address": "198.18.1.12:80",
        "state": "DOWN", "previous_state": "UP"}
got = {k: down[0].get(k) for k in want} if down else None
if got != want:
    print("  expected %s, got %s" % (want, got))
    sys.exit(1)
for r in recs:
    if set(r) < {"time", "level", "message"}:
        print("  missing time/level/message: %s" % r)
        sys.exit(1)
PY
	}
	check json_log_lines_parse_and_carry_the_members_fields json_down
else
	ko json_log_lines_parse_and_carry_the_members_fields "$(tail -n 5 "$DLOG")"
fi
daemon_stop

finish
