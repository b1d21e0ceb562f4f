#!/usr/bin/env bash
# bash completion against a running instance: 'xlb drain <TAB>' offers the
# services the daemon publishes and 'xlb drain SERVICE <TAB>' that
# service's members, read with 'xlb status --json' at the line's
# --pin-dir; without root the same line offers nothing and says nothing.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. tests/e2e/lib.sh
. tests/pkg/complete.sh

XLB_TB_PREFIX=xlbcomp-
PIN=/sys/fs/bpf/xlbcomp

[ -r /usr/share/bash-completion/bash_completion ] ||
	{ ko tools "bash-completion is not installed (scripts/deps.sh test)"; finish; }
e2e_start completion 2 1

cat >"$WORK/xlb.yaml" <<YAML
global:
  interfaces: [l0, l1]
  flow_table_size: $E2E_FLOW_TABLE_SIZE
services:
  - name: web
    vip: {ip: 198.18.2.1, port: 80}
    healthcheck: {type: http, interval: 500ms, timeout: 300ms, rise: 1, fall: 1}
    members:
      m1: [$(tb_member_ip 1), 80]
      m2: [$(tb_member_ip 2), 80]
  - name: echo.udp
    vip: {ip: 198.18.2.1, port: 7}
    protocol: udp
    members:
      m2: [$(tb_member_ip 2), 7]
YAML

log_mark
daemon_start "$WORK/xlb.yaml"
wait_log 20 ' member m[12] .* UP ' 2 || { ko daemon_up "$(log_since | tail -n 5)"; finish; }
ok daemon_up

COMPLETE_RUN=(nsenter --net="/run/netns/$(tb_ns lb)")
expect_eq drain_offers_the_services_of_the_instance "echo.udp web" \
	"$(completions "$XLB drain --pin-dir $PIN ")"
expect_eq drain_web_offers_its_members "m1 m2" "$(completions "$XLB drain -p $PIN web ")"
expect_eq enable_echo_offers_its_one_member "m2" "$(completions "$XLB enable echo.udp -p $PIN ")"
expect_eq flows_service_offers_the_services "echo.udp web" \
	"$(completions "$XLB flows --pin-dir=$PIN -s ")"

COMPLETE_RUN=(nsenter --net="/run/netns/$(tb_ns lb)" setpriv --reuid=65534 --regid=65534 --clear-groups)
out=$(complete_line "$XLB drain -p $PIN " 2>"$WORK/stderr")
expect_eq not_root_offers_nothing "" "$out"
expect_eq not_root_says_nothing "" "$(cat "$WORK/stderr")"

finish
