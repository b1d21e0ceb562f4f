# shellcheck shell=bash
# Helpers of the packaging suites (tests/pkg: version, man pages,
# completion): the e2e suites' PASS/FAIL bookkeeping (ok, ko, check,
# expect_eq, finish), and what the binary says about its commands, options
# and configuration keys.  Source from the top of the tree; BUILD names the
# build directory.
. tests/e2e/lib.sh

BUILD=${BUILD:-build}

XLB_BIN="$BUILD/xlb"

# xlb_commands: the command names 'xlb help' lists.
xlb_commands() {
	"$XLB_BIN" help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

# help_options COMMAND: the option lines of 'xlb help COMMAND', trimmed
# ("-c, --config FILE", "--state FILE").
help_options() {
	"$XLB_BIN" help "$1" | awk '
		/^options:/ { on = 1; next }
		on && /^$/ { exit }
		on && match($0, /^ +-/) && RLENGTH <= 7 { sub(/^ +/, ""); sub(/  .*/, ""); print }'
}

# schema_keys MAPPING: the keys the parser allows in MAPPING (top, global,
# socket_lb, global_announce, global_metrics, service, service_announce,
# vip, member, healthcheck, pool), asked of the binary:
# an unknown key far from every allowed one gets "allowed keys: a, b".
schema_keys() {
	local svc='name: a
    vip: {ip: 192.0.2.1, port: 80}
    members: {m: [192.0.2.2, 80]}' yaml f
	case $1 in
	top) yaml='zzzzzz: 1' ;;
	global) yaml=$'global: {zzzzzz: 1}\nservice: a' ;;
	socket_lb) yaml='global: {socket_lb: {zzzzzz: 1}}' ;;
	global_announce) yaml='global: {announce: {zzzzzz: 1}}' ;;
	global_metrics) yaml='global: {metrics: {zzzzzz: 1}}' ;;
	service_announce) yaml=$'global: {announce: {table: 100}}\nservices:\n  - '"$svc"$'\n    announce: {zzzzzz: 1}' ;;
	service) yaml=$'services:\n  - '"$svc"$'\n    zzzzzz: 1' ;;
	vip) yaml=$'services:\n  - name: a\n    vip: {ip: 192.0.2.1, port: 80, zzzzzz: 1}' ;;
	member) yaml=$'services:\n  - name: a\n    vip: {ip: 192.0.2.1, port: 80}\n    members: {m: {address: 192.0.2.2, port: 80, zzzzzz: 1}}' ;;
	healthcheck) yaml=$'services:\n  - '"$svc"$'\n    healthcheck: {zzzzzz: 1}' ;;
	pool) yaml=$'services:\n  - name: a\n    vip: {ip: 192.0.2.1, port: 80}\n    pool: {zzzzzz: 1}' ;;
	*) echo "schema_keys: unknown mapping '$1'" >&2; return 2 ;;
	esac
	f=$(mktemp /tmp/xlb-schema.XXXXXX)
	printf '%s\n' "$yaml" >"$f"
	"$XLB_BIN" check "$f" 2>&1 | sed -n 's/.*allowed keys: //p' | tr -d ' ' | tr ',' '\n'
	rm -f "$f"
}
SCHEMA_MAPPINGS="top global socket_lb global_announce global_metrics service service_announce vip member healthcheck pool"
