#!/usr/bin/env bash
# debian/copyright agrees with the source: every file's SPDX-License-
# Identifier is the license of the last Files: stanza that matches it (as
# DEP-5 reads it), a file without one falls under MIT (Expat), as LICENSE
# says, and every identifier used has its text in LICENSES/.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh

command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
	{ skip copyright "not a git work tree: the file list comes from git"; finish; }

# The stanzas: "PATTERN<TAB>LICENSE" per pattern, in file order.
stanzas=$(awk '
	/^$/ { if (files != "" && lic != "") { n = split(files, f, " "); for (i = 1; i <= n; i++) print f[i] "\t" lic }
	       files = ""; lic = ""; field = ""; next }
	/^Files:/ { files = substr($0, 7); field = "files"; next }
	/^License:/ { lic = $2; field = ""; next }
	/^[^ ]/ { field = ""; next }
	field == "files" { files = files " " $0 }
	END { if (files != "" && lic != "") { n = split(files, f, " "); for (i = 1; i <= n; i++) print f[i] "\t" lic } }
' debian/copyright)

# debian_license SPDX-ID: Debian's short name for it.
debian_license() {
	case $1 in
	MIT) echo Expat ;;
	GPL-2.0 | GPL-2.0-only) echo GPL-2 ;;
	*) echo "unknown:$1" ;;
	esac
}

wrong='' files=0 ids=''
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue
	files=$((files + 1))
	id=$(head -c 2000 "$f" | grep -ao 'SPDX-License-Identifier: [A-Za-z0-9.+-]*' | head -n 1 | awk '{ print $2 }')
	want=$(debian_license "${id:-MIT}")
	[ -n "$id" ] && ids="$ids $id"
	got=
	while IFS=$'\t' read -r pattern lic; do
		# shellcheck disable=SC2053 # a DEP-5 pattern: * and ? match '/' too
		[[ $f == $pattern ]] && got=$lic
	done <<<"$stanzas"
	[ "$want" = "$got" ] || wrong="$wrong [$f: ${id:-no header} wants $want, debian/copyright says ${got:-nothing}]"
done < <(git ls-files -z --cached --others --exclude-standard)
echo "  $files files"
expect_eq debian_copyright_gives_every_file_its_SPDX_license "" "${wrong# }"

missing=
for id in $(tr ' ' '\n' <<<"$ids" | sort -u); do
	[ -f "LICENSES/$id.txt" ] || missing="$missing $id"
done
expect_eq every_SPDX_identifier_has_its_text_in_LICENSES "" "${missing# }"

finish
