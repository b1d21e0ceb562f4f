# shellcheck shell=bash
# Helpers of the packaging suites (tests/pkg: version, man pages,
# completion): the e2e suites' PASS/FAIL bookkeeping, and a comparison
# that prints what was expected and what came.  Source from the top of the
# tree; BUILD names the build directory.
. tests/e2e/lib.sh

BUILD=${BUILD:-build}

# expect_eq NAME WANT GOT: PASS, or FAIL with both values.
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		ko "$1" "expected '$2', got '$3'"
	fi
}
