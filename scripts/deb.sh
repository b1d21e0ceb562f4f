#!/usr/bin/env bash
# make deb: the Debian package, built out of the tree so that the tree stays
# clean, into $BUILD/xlb_VERSION_ARCH.deb, then checked by lintian (any
# error or warning fails).
#
# The source is copied to $BUILD/deb/xlb-VERSION as git sees it (tracked
# files and new ones not ignored, as they are in the work tree now).  The
# copy has no .git, so its version is the changelog's: for a development
# build (the version is not the changelog's latest) an entry for it is
# added to the copy's debian/changelog, dated as the commit.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
mkdir -p "$BUILD"
out=$(cd "$BUILD" && pwd)
version=$(scripts/version.sh)
stage=$out/deb/xlb-$version

rm -rf "$out/deb"
mkdir -p "$stage"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
		done |
		tar --null -T - -cf - | tar -C "$stage" -xf -
else
	tar --exclude="./$(basename "$out")" -cf - . | tar -C "$stage" -xf -
fi

top=$(dpkg-parsechangelog -l "$stage/debian/changelog" -S Version)
if [ "$top" != "$version" ]; then
	maintainer=$(sed -n 's/^Maintainer: //p' debian/control)
	when=$(git log -1 --format=%cD 2>/dev/null || date -R)
	hash=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
	{
		printf 'xlb (%s) UNRELEASED; urgency=medium\n\n' "$version"
		printf '  * Development build of git commit %s.\n\n' "$hash"
		printf ' -- %s  %s\n\n' "$maintainer" "$when"
		cat debian/changelog
	} >"$stage/debian/changelog"
fi

echo "deb: building xlb $version in $stage" >&2
(
	cd "$stage"
	export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$(nproc)}"
	dpkg-buildpackage -b -us -uc
) >"$out/deb/build.log" 2>&1 || {
	tail -n 40 "$out/deb/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log is $out/deb/build.log" >&2
	exit 1
}

changes=$(ls "$out"/deb/xlb_"$version"_*.changes)
debs=("$out"/deb/xlb_"$version"_*.deb)
cp "${debs[@]}" "$out/"
echo "deb: lintian $(basename "$changes")" >&2
as_user=()
# lintian warns against running as root; the files are world-readable.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent)
fi
"${as_user[@]}" lintian --display-info --fail-on error,warning "$changes"
for d in "${debs[@]}"; do echo "$BUILD/$(basename "$d")"; done
