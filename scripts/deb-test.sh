#!/usr/bin/env bash
# make deb-test: the package built by 'make deb' in a clean Debian chroot.
# Installed with dpkg -i, its dependencies installed by apt inside the
# chroot; there 'xlb check /etc/xlb/xlb.yaml', 'xlb --help' and the rest
# below run; then 'dpkg --purge xlb', and nothing of it may be left: no
# file, no conffile, no dpkg or systemd state.
#
# The chroot is Debian $XLB_DEB_SUITE (bookworm) from the apt sources this
# machine is configured with (apt-get indextargets), built by mmdebstrap
# with xlb's dependencies (apt-get satisfy of the .deb's Depends) and
# cached as $BUILD/deb-test/SUITE-KEY.tar for XLB_DEB_CACHE_DAYS (7) days;
# the key covers the sources, the Depends line and the architecture.
# Everything run in the chroot runs in network, mount and PID namespaces
# of its own, with only a /proc of its own mounted: the chroot never sees
# the host's network, processes, /sys or its BPF pins.  Needs root.
#
#   scripts/deb-test.sh            test the .deb 'make deb' built
#   scripts/deb-test.sh --build    build it first (scripts/deb.sh: the build
#                                  and lintian are one more test)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
SUITE=${XLB_DEB_SUITE:-bookworm}
CACHE_DAYS=${XLB_DEB_CACHE_DAYS:-7}
STRAP_TIMEOUT=${XLB_DEB_STRAP_TIMEOUT:-1200}
RUN_TIMEOUT=120
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "expected '$2', got '$3'"; fi; }
finish() {
	echo "deb-test: $((SECONDS - start)) s"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}
die() { ko "$1" "$2"; finish; }
start=$SECONDS

[ "$(id -u)" = 0 ] || die root "deb-test needs root (chroot, dpkg inside it)"
for tool in mmdebstrap dpkg-deb unshare chroot timeout; do
	command -v $tool >/dev/null || die tools "$tool is missing (scripts/deps.sh pkg)"
done
mkdir -p "$BUILD"
out=$(cd "$BUILD" && pwd)
if [ "${1-}" = --build ]; then
	log=$(BUILD=$BUILD scripts/deb.sh 2>&1)
	rc=$?
	[ "$rc" = 0 ] || { echo "$log" | tail -n 30 | sed 's/^/  /'; die package_builds_and_lintian_passes \
		"scripts/deb.sh exited $rc"; }
	grep -E '^[EWI]: ' <<<"$log" | sed 's/^/  lintian: /'
	ok package_builds_and_lintian_passes
fi
version=$(scripts/version.sh)
arch=$(dpkg --print-architecture)
deb=$out/xlb_${version}_$arch.deb
[ -f "$deb" ] || die built "$deb is missing (make deb)"

# --- the chroot image, cached ---------------------------------------------
# Every configured deb source of the suite (bookworm, bookworm-updates,
# bookworm-security, ...), as one-line sources.
mapfile -t sources < <(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
	'Created-By: Packages' 2>/dev/null | awk -v s="$SUITE" '$2 == s || index($2, s "-") == 1' |
	sort -u | sed 's/^/deb /')
[ ${#sources[@]} -gt 0 ] ||
	die sources "no apt source of '$SUITE' is configured here (apt-get indextargets lists none)"
depends=$(dpkg-deb -f "$deb" Depends)
key=$(printf '%s\n' "$arch" "$depends" "${sources[@]}" | sha256sum | cut -c1-12)
cache=$out/deb-test
image=$cache/$SUITE-$key.tar
mkdir -p "$cache"
find "$cache" -maxdepth 1 -name "$SUITE-*.tar" -mtime +"$CACHE_DAYS" -delete
if [ -f "$image" ]; then
	echo "deb-test: chroot image $image (cached)"
else
	echo "deb-test: building the chroot image ($SUITE, minbase, then apt-get satisfy '$depends')"
	rm -f "$cache/$SUITE"-*.tar "$image.part"
	if ! timeout "$STRAP_TIMEOUT" mmdebstrap --quiet --mode=root --variant=minbase \
		--format=tar \
		--customize-hook="chroot \"\$1\" apt-get satisfy -y --no-install-recommends '$depends'" \
		"$SUITE" "$image.part" "${sources[@]}" >"$cache/mmdebstrap.log" 2>&1; then
		tail -n 20 "$cache/mmdebstrap.log"
		rm -f "$image.part"
		die chroot_image "mmdebstrap failed or took over ${STRAP_TIMEOUT}s (log: $cache/mmdebstrap.log)"
	fi
	mv "$image.part" "$image"
	echo "deb-test: chroot image built in $((SECONDS - start)) s"
fi

# --- a fresh chroot from it --------------------------------------------------
ROOT=$(mktemp -d "$cache/root.XXXXXX")
cleanup() { rm -rf --one-file-system "$ROOT" "$ROOT.before" "$ROOT.after"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
tar -C "$ROOT" --numeric-owner -xpf "$image" || die chroot "cannot unpack $image"

# in_chroot CMD...: CMD inside the chroot, in a network namespace of its
# own, bounded in time; its output and status are the caller's.  A /proc
# of its own PID namespace is mounted in a mount namespace of its own (as
# on any installed system: xlb reads the kernel's ephemeral port range
# there), gone with the command.
in_chroot() {
	timeout "$RUN_TIMEOUT" unshare --net --mount --pid --fork --mount-proc="$ROOT/proc" \
		chroot "$ROOT" env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"
}
# tree: every path of the chroot but dpkg's and apt's own records and
# logs, with its type and mode (what the package may change and must
# leave as it found it).
tree() {
	(cd "$ROOT" && find . -xdev \( -path ./var/lib/dpkg -o -path ./var/log -o \
		-path ./var/cache/debconf -o -path ./tmp -o -path ./var/lib/apt \
		-o -path ./var/cache/apt \) -prune -o -printf '%p %y %m\n' | sort)
}

tree >"$ROOT.before"
cp "$deb" "$ROOT/tmp/xlb.deb"

out=$(in_chroot dpkg -i /tmp/xlb.deb 2>&1)
rc=$?
[ "$rc" = 0 ] || echo "$out" | tail -n 20 | sed 's/^/  /'
expect_eq dpkg_i_installs_the_package 0 "$rc"
[ "$rc" = 0 ] || finish
expect_eq installed_version_is_the_built_one "install ok installed $version" \
	"$(in_chroot dpkg-query -W -f '${Status} ${Version}' xlb)"

out=$(in_chroot xlb check /etc/xlb/xlb.yaml 2>&1)
rc=$?
expect_eq xlb_check_accepts_the_installed_config "0 /etc/xlb/xlb.yaml: valid, 1 service, 1 member" \
	"$rc $(head -n 1 <<<"$out")"
out=$(in_chroot xlb --help 2>&1)
rc=$?
expect_eq xlb_help_runs "0 xlb - a kernel-assisted layer-4 load balancer (XDP, tc and socket hooks)" \
	"$rc $(head -n 1 <<<"$out")"
expect_eq xlb_version_is_the_package_version "xlb $version" \
	"$(in_chroot xlb version 2>&1 | awk '{ print $1, $2 }')"
expect_eq the_config_is_a_conffile "/etc/xlb/xlb.yaml" \
	"$(in_chroot dpkg-query -W -f '${Conffiles}' xlb | awk 'NF { print $1 }')"
listed=$(in_chroot dpkg -L xlb)
missing=
for f in /usr/sbin/xlb /lib/systemd/system/xlb.service /usr/share/man/man8/xlb.8.gz \
	/usr/share/man/man5/xlb.yaml.5.gz /usr/share/bash-completion/completions/xlb \
	/usr/share/doc/xlb/copyright /usr/share/doc/xlb/operations.md; do
	grep -qxF "$f" <<<"$listed" || missing="$missing $f"
done
expect_eq the_package_holds_binary_unit_man_pages_completion_docs "" "${missing# }"
expect_eq the_unit_runs_the_installed_binary 'ExecStart=/usr/sbin/xlb run -c ${XLB_CONFIG} $XLB_OPTS' \
	"$(grep -m1 '^ExecStart=' "$ROOT/lib/systemd/system/xlb.service")"
expect_eq the_unit_is_not_enabled "" \
	"$(find "$ROOT/etc/systemd/system" -name 'xlb.service' 2>/dev/null)"

# The state 'xlb pick' keeps as root, which purge must remove (no member
# is probed: healthcheck none).
cat >"$ROOT/tmp/pick.yaml" <<'YAML'
service: local
vip: {ip: 192.0.2.1, port: 80}
healthcheck: none
members: {one: [192.0.2.2, 80]}
YAML
in_chroot xlb pick /tmp/pick.yaml >/dev/null 2>&1
expect_eq pick_keeps_its_state_in_var_lib_xlb "local	one" "$(cat "$ROOT/var/lib/xlb/pick.state" 2>/dev/null)"

# An administrator's edit, kept as the conffile until purge.
echo "# edited" >>"$ROOT/etc/xlb/xlb.yaml"

out=$(in_chroot dpkg --purge xlb 2>&1)
rc=$?
[ "$rc" = 0 ] || echo "$out" | tail -n 20 | sed 's/^/  /'
expect_eq dpkg_purge_removes_the_package 0 "$rc"
expect_eq nothing_of_xlb_is_known_to_dpkg "" \
	"$(in_chroot dpkg-query -W -f '${Status}' xlb 2>/dev/null)"
expect_eq no_maintainer_script_or_list_is_left "" \
	"$(cd "$ROOT/var/lib/dpkg/info" && ls xlb.* 2>/dev/null)"
tree >"$ROOT.after"
left=$(diff "$ROOT.before" "$ROOT.after" | grep '^[<>]')
expect_eq purge_leaves_the_chroot_as_it_was "" "$left"
rm -f "$ROOT.before" "$ROOT.after"

finish
