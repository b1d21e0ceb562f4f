#!/usr/bin/env bash
# Builds a man page from its scdoc source in docs/man/:
#   scripts/man.sh SOURCE.scd XLB VERSION > PAGE
# In the source, @VERSION@ becomes VERSION and a line @COMMANDS@ becomes
# one subsection per command, written from the binary's own help
# ('XLB help' for the list, 'XLB help COMMAND' for each), so the page
# says what --help says and cannot fall behind it.  The date is
# SOURCE_DATE_EPOCH's (dpkg-buildpackage sets it), else the last commit's.
set -euo pipefail

[ $# = 3 ] || { echo "usage: scripts/man.sh SOURCE.scd XLB VERSION" >&2; exit 2; }
src=$1 xlb=$2 version=$3
top=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

# One command's help as scdoc.  The help's layout: a title line, a blank,
# 'usage: ...', then blocks parted by blank lines: prose, a block of
# indented lines (shown as it is), 'options:' (one '-x, --long VALUE  what'
# per option, what continuing on deeper-indented lines), 'examples:'.
help_to_scdoc() {
	awk -v cmd="$1" '
	function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\*/, "\\*", s); gsub(/_/, "\\_", s); return s }
	function lit(s) { gsub(/\\/, "\\\\", s); return s }
	# "-c, --config FILE": options bold, their values underlined
	function term(s,   n, w, i, out) {
		n = split(s, w, " ")
		for (i = 1; i <= n; i++) {
			sep = sub(/,$/, "", w[i]) ? "," : ""
			if (w[i] ~ /^-/) w[i] = "*" esc(w[i]) "*"
			else w[i] = "_" esc(w[i]) "_"
			out = out (i > 1 ? " " : "") w[i] sep
		}
		return out
	}
	function flush(   i, line, joined, t, d, all_indented) {
		if (!n) return
		if (blk[1] ~ /^usage: /) {
			sub(/^usage: xlb [a-z]+/, "", blk[1])
			printf "*xlb %s*%s\n\n", cmd, esc(blk[1])
		} else if (blk[1] == "options:") {
			for (i = 2; i <= n; i++) {
				if (match(blk[i], /^ +-/) && RLENGTH <= 7) {
					line = blk[i]; sub(/^ +/, "", line)
					t = line; sub(/   *.*/, "", t)
					d = substr(line, length(t) + 1); sub(/^ +/, "", d)
					printf "%s%s\n\t%s", (i > 2 ? "\n\n" : ""), term(t), esc(d)
					said = d != ""
				} else {
					# what continues, or begins under a long option
					line = blk[i]; sub(/^ +/, "", line)
					printf "%s%s", (said ? " " : ""), esc(line)
					said = 1
				}
			}
			printf "\n\n"
		} else if (blk[1] == "examples:") {
			printf "Examples:\n\n```\n"
			for (i = 2; i <= n; i++) { line = blk[i]; sub(/^  /, "", line); print lit(line) }
			printf "```\n\n"
		} else {
			all_indented = 1
			for (i = 1; i <= n; i++) if (blk[i] !~ /^  /) all_indented = 0
			if (all_indented) {
				printf "```\n"
				for (i = 1; i <= n; i++) { line = blk[i]; sub(/^  /, "", line); print lit(line) }
				printf "```\n\n"
			} else {
				# one line: a line of its own may not start with "." or "-"
				joined = ""
				for (i = 1; i <= n; i++) {
					line = blk[i]; sub(/^ +/, "", line)
					if (joined ~ /[a-z]-$/) joined = joined line
					else joined = joined (joined == "" ? "" : " ") line
				}
				print esc(joined) "\n"
			}
		}
		n = 0
	}
	NR == 1 { sub(/^xlb [a-z]+ - /, ""); printf "## xlb %s\n\n%s.\n\n", cmd, esc(toupper(substr($0, 1, 1)) substr($0, 2)); next }
	/^$/ { flush(); next }
	{ blk[++n] = $0 }
	END { flush() }
	'
}

commands() {
	local c
	for c in $("$xlb" help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'); do
		"$xlb" help "$c" | help_to_scdoc "$c"
	done
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
while IFS= read -r line; do
	case $line in
	@COMMANDS@) commands ;;
	*) printf '%s\n' "${line//@VERSION@/$version}" ;;
	esac
done <"$src" >"$out"
[ -z "${XLB_MAN_SCD:-}" ] || cp "$out" "$XLB_MAN_SCD"
scdoc <"$out"
