#!/usr/bin/env bash
# The metric names outside the code: examples/grafana-xlb.json is valid
# JSON, has the panels docs/operations.md promises, and queries only
# families the exporter writes; docs/operations.md names every family.
# What the exporter writes is the HELP lines of the formatter's golden
# output (tests/unit/daemon/files/metrics_sample.prom, which the unit test
# test_metrics_format keeps equal to the formatter's text), and promtool,
# where installed, accepts that output.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh

DASH=examples/grafana-xlb.json
GOLDEN=tests/unit/daemon/files/metrics_sample.prom
PY=/usr/bin/python3

exported=$(sed -n 's/^# HELP \([^ ]*\) .*/\1/p' "$GOLDEN" | sort -u)
[ -n "$exported" ] || { ko exporter_families "no HELP lines in $GOLDEN"; finish; }

out=$("$PY" -m json.tool "$DASH" 2>&1 >/dev/null)
expect_eq dashboard_is_valid_json "" "$out"

# Every query of every panel, one per line.
exprs=$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    for t in p.get("targets", []):
        print(t["expr"])
' "$DASH")
queried=$(grep -oE '\bxlb_[a-z0-9_]+' <<<"$exprs" | sort -u)
expect_eq dashboard_queries_only_exported_metrics "" \
	"$(comm -23 <(echo "$queried") <(echo "$exported") | xargs)"
check dashboard_queries_member_up grep -qx xlb_member_up <<<"$queried"

titles=$("$PY" -c '
import json, sys
print("\n".join(p["title"] for p in json.load(open(sys.argv[1]))["panels"]))' "$DASH")
missing=
for t in "Members up" "New connections/s per member" "Packets/s by outcome" "Flow table fill" \
	"NAT ports in use per member"; do
	grep -qxF "$t" <<<"$titles" || missing="$missing [$t]"
done
expect_eq dashboard_has_the_documented_panels "" "${missing# }"

missing=
for m in $exported; do
	grep -q "\`$m\`" docs/operations.md || missing="$missing $m"
done
expect_eq operations_md_names_every_exported_family "" "${missing# }"

if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$GOLDEN" 2>&1)
	expect_eq promtool_accepts_the_formatter_output "0 ''" "$? '$out'"
else
	skip promtool_accepts_the_formatter_output "promtool is missing (make deps-test)"
fi

finish
