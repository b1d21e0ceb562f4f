#!/usr/bin/env bash
# The man pages built into $BUILD/man: man renders them without a warning
# (as lintian asks it to), xlb(8) holds every command of the binary with
# its usage line and every option its --help lists, xlb.yaml(5) has a
# term for every key the parser accepts, in the section of its mapping,
# and both were built from this binary (the version in their footer).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh

PAGES="$BUILD/man/xlb.8 $BUILD/man/xlb.yaml.5"
for p in $PAGES "$XLB_BIN"; do
	[ -f "$p" ] || { ko built "$p is missing (make test-build)"; finish; }
done
command -v man >/dev/null || { ko tools "man is not installed (scripts/deps.sh test)"; finish; }

# render PAGE: plain text, lines as long as they come.
render() { MANWIDTH=1000 LC_ALL=C.UTF-8 man -l "$1" 2>/dev/null | col -bx; }

# section NAME < TEXT: the lines of section (or subsection) NAME.
section() {
	awk -v name="$1" '
		/^[^ ]/ || /^   [^ ]/ { on = ($0 == name || $0 == "   " name); next }
		on'
}

for p in $PAGES; do
	name=$(basename "$p")
	# What lintian runs (man --warnings -E UTF-8 -l -Tutf8 -Z), and a
	# plain render.
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$p" 2>&1 >/dev/null)
	expect_eq "${name}_renders_without_a_warning_for_lintian" "" "$warn"
	warn=$(LC_ALL=C.UTF-8 man --warnings -l "$p" 2>&1 >/dev/null)
	expect_eq "${name}_renders_without_a_warning" "" "$warn"
	version=$("$XLB_BIN" version | awk '{ print $2 }')
	footer=$(render "$p" | tail -n 1 | awk '{ print $1, $2 }')
	expect_eq "${name}_was_built_from_this_binary" "xlb $version" "$footer"
done

page=$(render "$BUILD/man/xlb.8")

# Every command, with its usage and options; nothing the binary lacks.
want=$(xlb_commands | sed 's/^/xlb /' | sort)
got=$(grep -E '^   xlb [a-z]+$' <<<"$page" | sed 's/^   //' | sort)
expect_eq xlb.8_has_a_subsection_per_command_of_xlb_help "$want" "$got"

missing=
for c in $(xlb_commands); do
	sub=$(section <<<"$page" "xlb $c")
	usage=$("$XLB_BIN" help "$c" | sed -n 's/^usage: //p')
	grep -qxF "       $usage" <<<"$sub" || missing="$missing [$c: '$usage']"
	while IFS= read -r opt; do
		grep -qxF "       $opt" <<<"$sub" || missing="$missing [$c: '$opt']"
	done < <(help_options "$c")
done
expect_eq xlb.8_gives_each_command_its_usage_and_every_option_of_its_help "" "${missing# }"

# xlb.yaml(5): a term for every key, in the section of its mapping.
page5=$(render "$BUILD/man/xlb.yaml.5")
missing=
for m in $SCHEMA_MAPPINGS; do
	case $m in
	top) sections="TOP LEVEL|SERVICES" ;;
	global) sections=GLOBAL ;;
	socket_lb) sections="global: socket_lb" ;;
	global_announce) sections="global: announce" ;;
	global_metrics) sections="global: metrics" ;;
	service_announce) sections="service: announce" ;;
	service | pool) sections=SERVICES ;;
	vip) sections=VIP ;;
	member) sections=MEMBERS ;;
	healthcheck) sections=HEALTHCHECK ;;
	esac
	keys=$(schema_keys "$m")
	[ -n "$keys" ] || missing="$missing [$m: the binary named no keys]"
	for k in $keys; do
		found=0
		IFS='|' read -ra secs <<<"$sections"
		for s in "${secs[@]}"; do
			section <<<"$page5" "$s" | grep -qx "       $k" && found=1
		done
		[ "$found" = 1 ] || missing="$missing [$m: $k]"
	done
done
expect_eq xlb.yaml.5_has_a_term_for_every_key_the_parser_accepts "" "${missing# }"

finish
