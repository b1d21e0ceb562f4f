# shellcheck shell=bash
# Helpers shared by vmtest/run, vmtest/kernels and vmtest/suite. Sourced, not run.

VMTEST_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
VMTEST_TOP=$(cd -- "$VMTEST_DIR/.." && pwd)
export VMTEST_TOP
# Downloaded kernels and per-kernel boot artefacts (PVH vmlinux, initramfs).
# Outside build/ on purpose: `make clean` should not cost a 200 MB download.
VMTEST_CACHE=${VMTEST_CACHE:-$VMTEST_DIR/.cache}

vm_prog="vmtest/${0##*/}"

vm_log() { printf '%s: %s\n' "$vm_prog" "$*" >&2; }
vm_die() {
	local rc=$1
	shift
	vm_log "$*"
	exit "$rc"
}

# Quote one word for POSIX sh (dash and busybox ash read the result).
vm_shquote() {
	local s=$1 q="'\\''"
	printf "'%s'" "${s//\'/$q}"
}

# Kernel release of a bzImage, read from its setup header (boot protocol
# 2.00+: a pointer at 0x20e, relative to 0x200, to a NUL-terminated string).
vm_bzimage_release() {
	local img=$1 ptr
	ptr=$(od -An -tu2 -j $((0x20e)) -N2 -- "$img" | tr -d ' ')
	[[ $ptr =~ ^[0-9]+$ ]] || return 1
	dd if="$img" bs=1 skip=$((ptr + 0x200)) count=128 status=none |
		tr '\0' '\n' | head -n1 | cut -d' ' -f1
}

# Map a kernel spec to a release when it names a Debian package: a versioned
# linux-image-KVER gives KVER; a metapackage (linux-image-amd64) is resolved
# through its dependency on the versioned package.
vm_pkg_release() {
	local pkg=$1 dep
	case $pkg in
	linux-image-[0-9]*)
		printf '%s\n' "${pkg#linux-image-}"
		return 0
		;;
	linux-image-*) ;;
	*) return 1 ;;
	esac
	dep=$(apt-cache depends -- "$pkg" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n1)
	if [[ -z $dep ]]; then
		# Fresh machine: the package lists may not be there yet.
		apt-get update -qq >/dev/null 2>&1 || true
		dep=$(apt-cache depends -- "$pkg" 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n1)
	fi
	[[ -n $dep ]] || return 1
	printf '%s\n' "$dep"
}

# Root of an unpacked kernel package in the cache (has boot/ and lib/modules/).
vm_cached_root() { printf '%s/kernels/%s\n' "$VMTEST_CACHE" "$1"; }
