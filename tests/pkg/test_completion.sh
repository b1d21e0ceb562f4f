#!/usr/bin/env bash
# bash completion (scripts/completion/xlb.bash) as bash runs it: commands,
# every command's options and their values as the binary's help gives
# them, files and directories, service and member names from 'xlb status
# --json' of a stand-in binary (the real one needs a running instance and
# root: tests/e2e/test_completion.sh), quiet when status fails, and
# 'pick FILE --service' from FILE.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
. tests/pkg/complete.sh

[ -x "$XLB_BIN" ] || { ko built "$XLB_BIN is missing (make)"; finish; }
[ -r /usr/share/bash-completion/bash_completion ] ||
	{ ko tools "bash-completion is not installed (scripts/deps.sh test)"; finish; }
WORK=$(mktemp -d /tmp/xlb-completion.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
X=$(cd "$(dirname "$XLB_BIN")" && pwd)/xlb

expect_eq commands_are_those_of_xlb_help "$(xlb_commands | sort | paste -sd ' ' -)" "$(completions "$X ")"
expect_eq a_command_completes_from_its_start "status stop" "$(completions "$X st")"
expect_eq options_before_a_command "--help --version" "$(completions "$X -")"

# Every command's long options are those its help lists, and --help.
wrong=
for c in $(xlb_commands); do
	want=$( (help_options "$c" | grep -oE -- '--[a-z-]+'; echo --help) | sort -u | paste -sd ' ' -)
	got=$(completions "$X $c --")
	[ "$want" = "$got" ] || wrong="$wrong [$c: expected '$want', got '$got']"
done
expect_eq every_command_offers_the_long_options_of_its_help "" "${wrong# }"

expect_eq run_mode_offers_the_choices_of_the_usage "tc xdp xdp-generic" "$(completions "$X run --mode ")"
expect_eq run_mode_letter_too "xdp xdp-generic" "$(completions "$X run -m x")"
expect_eq run_mode_after_equals "tc" "$(completions "$X run --mode=t")"
expect_eq a_flag_takes_no_value_so_the_next_word_is_an_argument "" "$(completions "$X version --json ")"
expect_eq help_offers_the_commands "$(xlb_commands | sort | paste -sd ' ' -)" "$(completions "$X help ")"

mkdir -p "$WORK/files/sub"
touch "$WORK/files/a.yaml" "$WORK/files/b.conf"
F=$WORK/files
expect_eq check_file_offers_files "$F/a.yaml $F/b.conf $F/sub" "$(completions "$X check $F/")"
expect_eq run_config_offers_files "$F/a.yaml $F/b.conf $F/sub" "$(completions "$X run -c $F/")"
expect_eq pick_state_offers_files "$F/a.yaml $F/b.conf $F/sub" "$(completions "$X pick x.yaml --state $F/")"
expect_eq pin_dir_offers_directories_only "$F/sub" "$(completions "$X status -p $F/")"
expect_eq pin_dir_after_equals "$F/sub" "$(completions "$X status --pin-dir=$F/")"
expect_eq after_dash_dash_an_option_is_a_file_name "" "$(completions "$X check -- --")"
expect_eq all_arguments_given_nothing_more "" "$(completions "$X drain web m1 ")"
expect_eq unknown_command_offers_nothing "" "$(completions "$X frobnicate ")"

# pick FILE --service: the services of FILE, from 'xlb check --json FILE'.
expect_eq pick_service_names_come_from_its_file "api-v6 dns metrics web" \
	"$(completions "$X pick examples/full.yaml -s ")"
expect_eq pick_service_with_the_file_after_it "api-v6 dns metrics web" \
	"$(completions "$X pick -j examples/full.yaml --service ")"

# A stand-in for the instance: 'status' prints the JSON below (as
# 'xlb status --json' writes it) and logs its arguments; everything else
# is the real binary.
cat >"$WORK/status.json" <<'JSON'
{
  "pin_dir": "/sys/fs/bpf/xlb",
  "daemon_pid": 4242,
  "interfaces": [
    {
      "name": "eth0",
      "ifindex": 2,
      "mode": "native XDP"
    }
  ],
  "socket_hooks": null,
  "flow_table": {
    "entries": 0,
    "max_entries": 262144
  },
  "services": [
    {
      "id": 0,
      "name": "web",
      "vip": "198.18.0.10",
      "port": 80,
      "members_serving": 2,
      "members": [
        {
          "id": 0,
          "name": "web-1",
          "address": "198.18.1.11",
          "port": 80
        },
        {
          "id": 1,
          "name": "db:5432",
          "address": "198.18.1.12",
          "port": 80
        }
      ]
    },
    {
      "id": 1,
      "name": "api.v2",
      "vip": "198.18.0.11",
      "port": 443,
      "members_serving": 0,
      "members": []
    }
  ],
  "packets_by_outcome": {
    "pass_not_vip": 0
  }
}
JSON
cat >"$WORK/xlb" <<STUB
#!/bin/sh
if [ "\$1" = status ]; then
	echo "\$*" >>"$WORK/status.args"
	[ -e "$WORK/fail" ] && { echo "xlb status: nothing pinned" >&2; exit 1; }
	cat "$WORK/status.json"
	exit 0
fi
exec "$X" "\$@"
STUB
chmod +x "$WORK/xlb"
S=$WORK/xlb

expect_eq drain_offers_the_running_services "api.v2 web" "$(completions "$S drain ")"
expect_eq drain_member_offers_that_services_members "db:5432 web-1" "$(completions "$S drain web ")"
expect_eq a_service_without_members_offers_none "" "$(completions "$S enable api.v2 ")"
expect_eq member_names_with_a_colon_complete_after_it "5432" "$(completions "$S drain web db:")"
expect_eq flows_service_offers_the_running_services "api.v2 web" "$(completions "$S flows -s ")"
expect_eq flows_service_after_equals "web" "$(completions "$S flows --service=w")"
expect_eq flows_member_offers_the_running_members_addresses "198.18.1.11:80 198.18.1.12:80" \
	"$(completions "$S flows --member ")"
expect_eq flows_member_address_completes_after_its_colon "80" "$(completions "$S flows --member 198.18.1.11:")"
expect_eq options_between_arguments_are_skipped "db:5432 web-1" "$(completions "$S drain -p /d web ")"

: >"$WORK/status.args"
completions "$S drain -p /x/pins " >/dev/null
completions "$S drain --pin-dir=/y/pins web " >/dev/null
completions "$S flows -s " >/dev/null
expect_eq status_is_asked_at_the_lines_pin_dir \
	"status --json --pin-dir /x/pins|status --json --pin-dir /y/pins|status --json" \
	"$(paste -sd '|' "$WORK/status.args")"

touch "$WORK/fail"
out=$(complete_line "$S drain " 2>"$WORK/stderr")
expect_eq status_failing_offers_nothing "" "$out"
expect_eq status_failing_says_nothing "" "$(cat "$WORK/stderr")"

# The real binary with no instance, and (when root) without root: nothing,
# quietly.
out=$(complete_line "$X drain -p /sys/fs/bpf/xlb-no-such-instance " 2>"$WORK/stderr")
expect_eq no_instance_offers_nothing "" "$out"
expect_eq no_instance_says_nothing "" "$(cat "$WORK/stderr")"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	COMPLETE_RUN=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	out=$(complete_line "$X drain " 2>"$WORK/stderr")
	expect_eq not_root_offers_no_names "" "$out"
	expect_eq not_root_says_nothing "" "$(cat "$WORK/stderr")"
	expect_eq not_root_still_completes_commands "$(xlb_commands | sort | paste -sd ' ' -)" \
		"$(completions "$X ")"
	COMPLETE_RUN=()
fi

finish
