# shellcheck shell=bash
# complete_line LINE: what bash completion offers at the end of LINE, one
# word a line, sorted, as bash would run it: a fresh bash sources
# bash-completion and scripts/completion/xlb.bash, the line is cut into
# COMP_WORDS as readline does (at blanks, and at '=' and ':' which become
# words of their own), and _xlb runs.  The line's first word is the xlb
# binary to complete for.  COMPLETE_RUN=(cmd...) runs that bash under cmd
# (nsenter, setpriv).  Its standard error is the caller's.
COMPLETE_SCRIPT=$(pwd)/scripts/completion/xlb.bash
COMPLETE_RUN=()
complete_line() {
	"${COMPLETE_RUN[@]}" bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		COMP_LINE=$2 COMP_POINT=${#2} COMP_WORDS=()
		read -ra blank <<<"$2"
		for w in "${blank[@]}"; do
			while [[ $w =~ ^([^=:]*)([=:])(.*)$ ]]; do
				[ -n "${BASH_REMATCH[1]}" ] && COMP_WORDS+=("${BASH_REMATCH[1]}")
				COMP_WORDS+=("${BASH_REMATCH[2]}")
				w=${BASH_REMATCH[3]}
			done
			[ -n "$w" ] && COMP_WORDS+=("$w")
		done
		[[ $2 == *" " || $2 == *[=:] ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_xlb xlb "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort
	' complete_line "$COMPLETE_SCRIPT" "$1"
}

# completions LINE: the same on one line, words parted by blanks.
completions() { complete_line "$1" | paste -sd ' ' -; }
