#!/usr/bin/env bash
# examples/xlb.yaml, installed as /etc/xlb/xlb.yaml: 'xlb check' accepts it
# as it is, it attaches to no interface and serves no host-local client
# (so 'xlb run' with it refuses to start), and it shows every key the
# parser accepts, commented out where it is not set.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh

EXAMPLE=examples/xlb.yaml
[ -x "$XLB_BIN" ] || { ko built "$XLB_BIN is missing (make)"; finish; }

out=$("$XLB_BIN" check "$EXAMPLE" 2>&1)
rc=$?
[ "$rc" = 0 ] || echo "$out" | sed 's/^/  /'
expect_eq example_is_valid_as_installed 0 "$rc"

plan=$("$XLB_BIN" check --json "$EXAMPLE")
expect_eq example_names_no_interface 1 "$(grep -c '"interfaces": \[\]' <<<"$plan")"
expect_eq example_leaves_host_local_clients_alone 1 \
	"$(grep -c '"active": false' <<<"$plan")"

missing=
for m in $SCHEMA_MAPPINGS; do
	for k in $(schema_keys "$m"); do
		grep -qE "^ *(- )?#? *(- )?$k:" "$EXAMPLE" || missing="$missing [$m: $k]"
	done
done
expect_eq example_shows_every_key_the_parser_accepts "" "${missing# }"

finish
