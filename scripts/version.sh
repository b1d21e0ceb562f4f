#!/usr/bin/env bash
# Prints xlb's version in a form dpkg accepts and sorts in build order.
#
#   a commit tagged vX.Y.Z, no local changes   X.Y.Z
#   N commits after the tag vX.Y.Z             X.Y.(Z+1)~gitN.HASH
#   the same with uncommitted changes          X.Y.(Z+1)~gitN.HASH.dirty
#
# '~' sorts before anything, so X.Y.(Z+1)~gitN sorts after the release
# X.Y.Z it grew from and before the next release, whichever that is
# (X.Y.(Z+1), X.(Y+1).0, ...): a development build upgrades the last
# release and is upgraded by the next one, and N orders the builds between
# them (dpkg compares 'git9' and 'git10' as numbers).
#
# Where no tag is reachable (a clone without tags) the last release is read
# from the file VERSION and N counts the commits since VERSION last
# changed; so a release is: set VERSION to X.Y.Z, commit, tag that commit
# vX.Y.Z.  Without git, a 'git archive' tarball carries the answer in
# scripts/version.archive (export-subst); anything else prints
# VERSION's successor as X.Y.(Z+1)~nogit.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
release_re='^[0-9]+\.[0-9]+\.[0-9]+$'

die() { echo "version.sh: $*" >&2; exit 1; }

# next X.Y.Z: X.Y.(Z+1)
next() { local v=$1; echo "${v%.*}.$(( ${v##*.} + 1 ))"; }

base=$(tr -d ' \t\r\n' <"$top/VERSION" 2>/dev/null) || die "cannot read $top/VERSION"
[[ $base =~ $release_re ]] || die "$top/VERSION says '$base'; expected X.Y.Z (the last release)"

# describe TAG-N-gHASH or TAG: sets tag, n, hash
from_describe() {
	local d=$1
	if [[ $d =~ ^v([0-9]+\.[0-9]+\.[0-9]+)-([0-9]+)-g([0-9a-f]+)$ ]]; then
		tag=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]} hash=${BASH_REMATCH[3]}
	elif [[ $d =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]]; then
		tag=${BASH_REMATCH[1]} n=0 hash=
	else
		return 1
	fi
}

# Only this tree's own repository counts: build/ copies of the source sit
# inside the work tree of another.
in_git=0
if command -v git >/dev/null 2>&1 &&
	toplevel=$(git -C "$top" rev-parse --show-toplevel 2>/dev/null) &&
	[ "$toplevel" -ef "$top" ]; then
	in_git=1
fi

if [ "$in_git" = 1 ]; then
	git -C "$top" update-index -q --refresh >/dev/null 2>&1 || true
	dirty=
	git -C "$top" diff-index --quiet HEAD -- 2>/dev/null || dirty=.dirty
	hash=$(git -C "$top" rev-parse --short=7 HEAD)
	tag='' n=''
	if d=$(git -C "$top" describe --tags --long --abbrev=7 \
		--match 'v[0-9]*.[0-9]*.[0-9]*' HEAD 2>/dev/null) && from_describe "$d"; then
		if [ "$n" = 0 ] && [ -z "$dirty" ]; then
			[ "$tag" = "$base" ] ||
				echo "version.sh: warning: HEAD is tagged v$tag but VERSION says $base; a release sets VERSION first" >&2
			echo "$tag"
			exit 0
		fi
		echo "$(next "$tag")~git$n.$hash$dirty"
		exit 0
	fi
	# No tag: count from the commit that last set VERSION.
	since=$(git -C "$top" log -1 --format=%H -- VERSION)
	if [ -n "$since" ]; then
		n=$(git -C "$top" rev-list --count "$since..HEAD")
	else
		n=$(git -C "$top" rev-list --count HEAD)
	fi
	echo "$(next "$base")~git$n.$hash$dirty"
	exit 0
fi

# A 'git archive' tarball: git wrote 'describe' and the hash in here.
archive="$top/scripts/version.archive"
if [ -r "$archive" ] && ! grep -q '\$Format' "$archive"; then
	d=$(sed -n 's/^describe: *//p' "$archive")
	h=$(sed -n 's/^hash: *//p' "$archive")
	tag='' n='' hash=''
	if [ -n "$d" ] && from_describe "$d"; then
		if [ "$n" = 0 ]; then
			echo "$tag"
		else
			echo "$(next "$tag")~git$n.$hash"
		fi
		exit 0
	fi
	[ -n "$h" ] && { echo "$(next "$base")~git0.$h"; exit 0; }
fi
echo "$(next "$base")~nogit"
