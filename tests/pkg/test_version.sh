#!/usr/bin/env bash
# scripts/version.sh in throw-away repositories: a tagged commit is its
# release, development builds sort between the release they grew from and
# the next one, a clone without tags and a 'git archive' tarball give the
# same answers, and every version is one dpkg accepts.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh

for tool in git dpkg; do
	command -v $tool >/dev/null || { ko "tools" "$tool is not installed (scripts/deps.sh pkg)"; finish; }
done
WORK=$(mktemp -d /tmp/xlb-version.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

REPO=$WORK/repo
mkdir -p "$REPO/scripts"
cp scripts/version.sh scripts/version.archive "$REPO/scripts/"
cp .gitattributes "$REPO/"
echo 0.0.0 >"$REPO/VERSION"
g() { git -C "$REPO" -c user.name=t -c user.email=t@example.invalid "$@"; }
commit() { echo "$1" >>"$REPO/file"; g add -A; g commit -qm "$1"; }
ver() { "$1/scripts/version.sh" 2>"$WORK/stderr"; }
hash() { g rev-parse --short=7 HEAD; }
g init -q
commit one
commit two

expect_eq untagged_counts_commits_since_VERSION_was_set "0.0.1~git1.$(hash)" "$(ver "$REPO")"

echo change >>"$REPO/file"
expect_eq uncommitted_changes_are_marked_dirty "0.0.1~git1.$(hash).dirty" "$(ver "$REPO")"
g checkout -q -- file

echo 0.1.0 >"$REPO/VERSION"
commit "release 0.1.0"
g tag v0.1.0
expect_eq tagged_commit_is_the_release 0.1.0 "$(ver "$REPO")"
expect_eq tagged_release_warns_nothing "" "$(cat "$WORK/stderr")"

commit three
commit four
expect_eq two_after_the_tag_is_next_patch_git2 "0.1.1~git2.$(hash)" "$(ver "$REPO")"
dev2=$(ver "$REPO")

# A clone without its tags counts from the commit that set VERSION: the
# same answer as with the tag.
git clone -q --no-tags "$REPO" "$WORK/notags" 2>/dev/null
g -C "$WORK/notags" tag -d v0.1.0 >/dev/null 2>&1
expect_eq clone_without_tags_gives_the_same_version "$dev2" "$(ver "$WORK/notags")"

# A 'git archive' tarball has no .git: the describe line git wrote in.
mkdir "$WORK/tar"
g archive HEAD | tar -x -C "$WORK/tar"
expect_eq git_archive_tarball_gives_the_same_version "$dev2" "$(ver "$WORK/tar")"
mkdir "$WORK/tar-rel"
g archive v0.1.0 | tar -x -C "$WORK/tar-rel"
expect_eq git_archive_of_the_tag_is_the_release 0.1.0 "$(ver "$WORK/tar-rel")"

# No git at all and no archive line: VERSION's successor, still ordered.
mkdir -p "$WORK/plain/scripts"
cp scripts/version.sh "$WORK/plain/scripts/"
echo 0.1.0 >"$WORK/plain/VERSION"
expect_eq no_git_is_after_VERSION "0.1.1~nogit" "$(ver "$WORK/plain")"

# A tag whose VERSION was not set is still the release, with a warning.
commit five
g tag v0.2.0
expect_eq tag_wins_over_a_stale_VERSION 0.2.0 "$(ver "$REPO")"
grep -q "HEAD is tagged v0.2.0 but VERSION says 0.1.0" "$WORK/stderr"
check stale_VERSION_at_a_tag_is_warned_about test $? = 0
commit six
dev_after=$(ver "$REPO")
expect_eq after_0.2.0_is_0.2.1 "0.2.1~git1.$(hash)" "$dev_after"

echo 1.0 >"$REPO/VERSION"
ver "$REPO" >/dev/null
rc=$?
check malformed_VERSION_is_refused test "$rc" = 1
g checkout -q -- VERSION

# The order a package manager sees them in.
chain=(0.0.0 "0.0.1~git1.aaaaaaa" 0.1.0 "0.1.1~git2.bbbbbbb" "0.1.1~git10.ccccccc" 0.2.0 "$dev_after" 0.2.1)
sorted=1
for ((i = 0; i + 1 < ${#chain[@]}; i++)); do
	if ! dpkg --compare-versions "${chain[i]}" lt "${chain[i + 1]}"; then
		echo "  dpkg sorts ${chain[i]} at or after ${chain[i + 1]}"
		sorted=0
	fi
done
check dpkg_sorts_releases_and_development_builds_in_build_order test $sorted = 1

valid=1
for v in "${chain[@]}" "$dev2" "0.0.1~git1.$(hash).dirty" 0.1.1~nogit "$(scripts/version.sh)"; do
	dpkg --validate-version "$v" 2>/dev/null || { echo "  dpkg refuses '$v'"; valid=0; }
done
check every_version_is_one_dpkg_accepts test $valid = 1

# The tree itself: the last release VERSION names is the changelog's latest
# entry (a release sets both, then tags).
expect_eq changelog_latest_entry_is_VERSION "$(tr -d ' \n' <VERSION)" \
	"$(dpkg-parsechangelog -l debian/changelog -S Version)"

finish
