#!/usr/bin/env bash
# `xlb drain` and `xlb enable` with no daemon running, on every scheduler:
# the command publishes the service itself, through the daemon's own
# publish path.  Per scheduler, with three members UP: the drained member
# gets none of 60 new connections and the others their share; after
# `xlb enable` it gets its share again; and every time, what `xlb status`
# says is what the kernel's live tables hold (the slot table and, for
# maglev, the Maglev table the service's generation points at).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh

XLB_TB_PREFIX=xlbadm-
PIN=/sys/fs/bpf/xlbadm
SRCS=198.18.0.2,198.18.0.3,198.18.0.4,198.18.0.5
N=60

e2e_start admin 3 4

# One service per scheduler, each on a VIP of its own, all three on the
# same members.  weighted: 1, 2, 3, so shares are exact (60 = 10+20+30).
member_lines() { # WEIGHTS...
	local k=1 w
	for w in "$@"; do
		echo "      m$k: {address: $(tb_member_ip $k), port: 80, weight: $w}"
		k=$((k + 1))
	done
}
# One service: NAME VIP SCHEDULER and the three members' weights.
service_lines() {
	printf '  - name: %s\n    vip: {ip: %s, port: 80}\n    scheduler: %s\n' "$1" "$2" "$3"
	printf '    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}\n'
	printf '    members:\n'
	member_lines "$4" "$5" "$6"
}

cat >"$WORK/xlb.yaml" <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
services:
$(service_lines rr 198.18.2.1 round-robin 1 1 1)
$(service_lines wrr 198.18.2.2 weighted 1 2 3)
$(service_lines mg 198.18.2.3 maglev 1 1 1)
YAML

log_mark
daemon_start "$WORK/xlb.yaml" "${MODE_ARGS[@]}"
wait_log 20 ' member m[1-3] .* UP ' 9 || { ko daemon_up "$(log_since | tail -n 5)"; finish; }
ok daemon_up
# Every member of every service serving, then no daemon: from here on only
# the commands publish.
all_serving() {
	xlb_in_lb status --pin-dir "$PIN" --json | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
assert sorted(x["members_serving"] for x in s["services"]) == [3, 3, 3], s
'
}
wait_until 10 all_serving || ko all_members_serving
daemon_stop

# counts SERVICE-VIP: "m1 m2 m3" counts of N new connections, "ERR" if any failed.
counts() {
	local out
	out=$(client http "$1" 80 "$N" --src "$SRCS")
	if grep -q ERR <<<"$out"; then
		echo ERR
		grep ERR <<<"$out" | head -n 3 >&2
		return
	fi
	echo "$(grep -c '^m1$' <<<"$out") $(grep -c '^m2$' <<<"$out") $(grep -c '^m3$' <<<"$out")"
}

# status_matches_kernel SERVICE: the members `xlb status --json` calls
# serving are exactly those the live slot table (and, for maglev, the live
# Maglev table) holds, and its serving count is the slot table's.
status_matches_kernel() {
	xlb_in_lb status --pin-dir "$PIN" --json >"$WORK/status.json" || return 1
	/usr/bin/python3 - "$1" "$PIN" "$WORK/status.json" <<'PY'
import ipaddress, json, subprocess, sys

name, pin, path = sys.argv[1], sys.argv[2], sys.argv[3]
st = json.load(open(path))
svc = [s for s in st["services"] if s["name"] == name][0]

def lookup(m, key):
    out = subprocess.run(["bpftool", "-j", "map", "lookup", "pinned", pin + "/" + m, "key", "hex"]
                         + ["%02x" % b for b in key], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["formatted"]["value"]

def u32(n):
    return list(n.to_bytes(4, "little"))

vip = ipaddress.ip_address(svc["vip"]).packed
key = list(vip.ljust(16, b"\0")) + list(svc["port"].to_bytes(2, "big")) + [6, 4 if len(vip) == 4 else 6]
val = lookup("xlb_services", key)
live = val["generation"] & 1
table = lookup("xlb_slots", u32(val["id"] * 2 + live))
slots = set(table["member"][:table["count"]])
serving = {m["id"] for m in svc["members"] if m["state"] == "UP" and m["admin"] == "enabled" and m["weight"]}
errors = []
if slots != serving:
    errors.append("slot table holds %s, status says %s serve" % (sorted(slots), sorted(serving)))
if svc["members_serving"] != len(serving):
    errors.append("status counts %d serving, lists %d" % (svc["members_serving"], len(serving)))
if svc["scheduler"] == "maglev":
    mg = set(lookup("xlb_maglev", u32(val["maglev"] * 2 + live))["member"])
    if mg != serving:
        errors.append("live maglev table holds %s, status says %s serve" % (sorted(mg), sorted(serving)))
if errors:
    print("  " + "; ".join(errors))
    sys.exit(1)
PY
}

# shares_ok SCHED COUNTS DRAINED: the drained member (1..3, 0: none) got
# nothing and the others their share: exact for round-robin and weighted,
# each at least a sixth of its fair share's spread around it for maglev.
shares_ok() {
	local sched=$1 drained=$3 c
	read -r -a c <<<"$2"
	[ "${c[0]}" != ERR ] || return 1
	case "$sched:$drained" in
	rr:1) [ "$2" = "0 30 30" ] ;;
	rr:0) [ "$2" = "20 20 20" ] ;;
	wrr:1) [ "$2" = "0 24 36" ] ;;
	wrr:0) [ "$2" = "10 20 30" ] ;;
	mg:1) [ "${c[0]}" = 0 ] && [ "${c[1]}" -ge 10 ] && [ "${c[2]}" -ge 10 ] ;;
	mg:0) [ "${c[0]}" -ge 5 ] && [ "${c[1]}" -ge 5 ] && [ "${c[2]}" -ge 5 ] ;;
	esac || { echo "  $sched: m1 m2 m3 got $2 of $N (m$drained drained)"; return 1; }
}

# Each drain and enable with no daemon, in turn: maglev first, while the
# copies of its table still differ most (members came up one by one).
for svc in mg:198.18.2.3 wrr:198.18.2.2 rr:198.18.2.1; do
	name=${svc%%:*} vip=${svc#*:}
	out=$(xlb_in_lb drain "$name" m1 --pin-dir "$PIN" 2>&1)
	check "${name}_drain_without_daemon_is_confirmed" grep -q 'member m1 drained' <<<"$out"
	check "${name}_status_matches_the_kernel_after_drain" status_matches_kernel "$name"
	check "${name}_drained_member_gets_0_of_${N}_and_the_others_their_share" \
		shares_ok "$name" "$(counts "$vip")" 1
	xlb_in_lb enable "$name" m1 --pin-dir "$PIN" >/dev/null 2>&1
	check "${name}_status_matches_the_kernel_after_enable" status_matches_kernel "$name"
	check "${name}_enabled_member_gets_its_share_again" shares_ok "$name" "$(counts "$vip")" 0
done
finish
