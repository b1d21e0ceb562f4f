# bash completion for xlb(8)                               -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# Commands, options and their values come from the help of the very binary
# being completed ('xlb help', 'xlb help COMMAND'), so the completion
# follows it and keeps no list of its own: a help's usage line names the
# arguments (FILE, SERVICE, MEMBER, COMMAND) and the choices of a value
# ('--mode xdp|xdp-generic|tc'), its option lines the values
# ('-c, --config FILE').  Service and member names come from the running
# instance ('xlb status --json', at the line's --pin-dir), quietly none when
# that fails (not root, nothing running); 'xlb pick FILE --service' takes
# them from FILE ('xlb check --json FILE').  Needs bash-completion.

# _xlb_commands XLB: the commands 'XLB help' lists.
_xlb_commands()
{
    "$1" help 2>/dev/null |
        awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

# _xlb_options XLB COMMAND: one line per option of its help, "LONG LETTER
# VALUE" with '-' for none: "--config -c FILE", "--state - FILE",
# "--json -j -".
_xlb_options()
{
    "$1" help "$2" 2>/dev/null | awk '
        /^options:/ { on = 1; next }
        on && /^$/ { exit }
        on && match($0, /^ +-/) && RLENGTH <= 7 {
            sub(/^ +/, ""); sub(/  .*/, "")
            letter = "-"; long = "-"; value = "-"
            n = split($0, w, " ")
            for (i = 1; i <= n; i++) {
                sub(/,$/, "", w[i])
                if (w[i] ~ /^--/) long = w[i]
                else if (w[i] ~ /^-/) letter = w[i]
                else value = w[i]
            }
            print long, letter, value
        }'
}

# _xlb_value_of OPTION: what the value of OPTION is (FILE, DIR, ...; the
# choices 'a|b|c' where the usage lists them), '-' for a flag, nothing for
# an unknown option.  Reads _xlb's options and usage.
_xlb_value_of()
{
    local long letter value
    while read -r long letter value; do
        [[ $1 == "$long" || ($letter != - && $1 == "$letter") ]] || continue
        if [[ $value != - && $usage =~ $long\ ([^] ]*\|[^] ]*) ]]; then
            value=${BASH_REMATCH[1]}
        fi
        printf '%s\n' "$value"
        return
    done <<<"$options"
}

# _xlb_names XLB ARGS...: the service names in the JSON that 'XLB ARGS...'
# prints ('status --json' or 'check --json FILE'), or with XLB_SERVICE set,
# that service's members, or with XLB_ADDRESSES set, every member's
# ADDRESS:PORT ([ADDRESS]:PORT for IPv6).  The JSON has one value a line; a
# service's name sits in services[], a member's in services[].members[].
_xlb_names()
{
    timeout 3 "$@" 2>/dev/null </dev/null | awk -v want="${XLB_SERVICE-}" -v addrs="${XLB_ADDRESSES-}" '
        {
            line = $0
            sub(/^ +/, "", line)
            sub(/,$/, "", line)
        }
        line ~ /^"[a-z_]+": [[{]$/ {
            key = line; sub(/^"/, "", key); sub(/".*/, "", key)
            stack[++n] = key
            next
        }
        line == "{" || line == "[" { stack[++n] = line; next }
        line == "}" || line == "]" { n--; next }
        addrs != "" && n == 5 && stack[4] == "members" && line ~ /^"address": "/ {
            addr = line; sub(/^"address": "/, "", addr); sub(/"$/, "", addr)
            if (addr ~ /:/) addr = "[" addr "]"
        }
        addrs != "" && n == 5 && stack[4] == "members" && line ~ /^"port": / {
            port = line; sub(/^"port": /, "", port)
            print addr ":" port
        }
        addrs != "" { next }
        line ~ /^"name": "/ {
            name = line; sub(/^"name": "/, "", name); sub(/"$/, "", name)
            if (n == 3 && stack[2] == "services") {
                service = name
                if (want == "") print name
            } else if (n == 5 && stack[2] == "services" && stack[4] == "members" &&
                       want != "" && service == want) {
                print name
            }
        }'
}

# _xlb_reply WORD...: the words that start with the word being completed.
_xlb_reply()
{
    mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur")
    __ltrim_colon_completions "$cur"
}

# _xlb_complete_value PLACEHOLDER: complete what a FILE, DIR, IFACE,
# COMMAND, SERVICE (or NAME), MEMBER, ADDR[:PORT] or 'a|b|c' stands for.  Reads _xlb's
# locals.
_xlb_complete_value()
{
    case $1 in
    *'|'*) _xlb_reply "${1//|/ }" ;;
    FILE) _filedir ;;
    DIR) _filedir -d ;;
    IFACE) _available_interfaces ;;
    COMMAND) _xlb_reply "$(_xlb_commands "$xlb")" ;;
    SERVICE | NAME)
        if [[ -n $file ]]; then
            _xlb_reply "$(_xlb_names "$xlb" check --json -- "$file")"
        else
            _xlb_reply "$(_xlb_names "$xlb" status --json "${pin[@]}")"
        fi
        ;;
    'ADDR[:PORT]') # flows --member: the running members' addresses
        _xlb_reply "$(XLB_ADDRESSES=1 _xlb_names "$xlb" status --json "${pin[@]}")"
        ;;
    MEMBER)
        [[ -n $service ]] &&
            _xlb_reply "$(XLB_SERVICE=$service _xlb_names "$xlb" status --json "${pin[@]}")"
        ;;
    esac
}

_xlb()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    local xlb=${words[0]} cmd='' at=0 i w v
    # The command: the first word after xlb that is not an option.
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            cmd=${words[i]} at=$i
            break
        fi
    done
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _xlb_reply --help --version
        else
            _xlb_reply "$(_xlb_commands "$xlb")"
        fi
        return
    fi

    local options usage
    options=$(_xlb_options "$xlb" "$cmd")
    usage=$("$xlb" help "$cmd" 2>/dev/null | sed -n "s/^usage: xlb $cmd *//p")
    [[ -n $usage ]] || return

    # The arguments the usage names, in order: FILE, SERVICE MEMBER, ...
    local tokens=() placeholders=() skip=0
    read -ra tokens <<<"$usage"
    for w in "${tokens[@]}"; do
        w=${w//[\[\]]/}
        w=${w%...}
        if ((skip)); then
            skip=0
        elif [[ $w == -* ]]; then
            v=$(_xlb_value_of "$w")
            [[ -n $v && $v != - ]] && skip=1
        elif [[ $w =~ ^[A-Z]+$ ]]; then
            placeholders+=("$w")
        fi
    done

    # What the line holds so far: the arguments, skipping options and
    # their values ('--' ends the options), and the pin directory.
    local positional=() pin=() dashdash=0
    for ((i = at + 1; i < cword; i++)); do
        w=${words[i]}
        if ((dashdash)); then
            positional+=("$w")
            continue
        fi
        case $w in
        -) positional+=("$w") ;; # standard input
        --) dashdash=1 ;;
        --pin-dir=*) pin=(--pin-dir "${w#--pin-dir=}") ;;
        -p?*) pin=(--pin-dir "${w#-p}") ;;
        --*=*) ;;
        -*)
            v=$(_xlb_value_of "$w")
            if [[ -n $v && $v != - ]]; then
                ((i++))
                [[ $w == -p || $w == --pin-dir ]] && pin=(--pin-dir "${words[i]-}")
            fi
            ;;
        *) positional+=("$w") ;;
        esac
    done
    local file='' service=''
    for ((i = 0; i < ${#positional[@]}; i++)); do
        case ${placeholders[i]-} in
        FILE) file=${positional[i]} ;;
        SERVICE) service=${positional[i]} ;;
        esac
    done

    # The value of the option before, or after its '='.
    if ((!dashdash)) && [[ $prev == -* ]]; then
        v=$(_xlb_value_of "$prev")
        if [[ -n $v && $v != - ]]; then
            _xlb_complete_value "$v"
            return
        fi
    fi
    [[ $split == true ]] && return

    if ((!dashdash)) && [[ $cur == -* ]]; then
        # Every command takes --help, listed in its help or not.
        local long letter
        _xlb_reply "$({ while read -r long letter v; do printf '%s\n' "$long"; done <<<"$options"
            echo --help; } | sort -u)"
        return
    fi
    [[ -n ${placeholders[${#positional[@]}]-} ]] &&
        _xlb_complete_value "${placeholders[${#positional[@]}]}"
} &&
    complete -F _xlb xlb

# ex: filetype=sh
