#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make build/linux the pristine Debian linux-source-6.12 tree plus our overlay
# (scripts/overlay.map) plus patches/*.patch, touching only the files whose
# content changes, so that kbuild rebuilds only what depends on them.
#
#   build/linux-pristine   the tarball, unpacked once, never modified
#   build/linux            pristine + overlay + patches; where kbuild reads
#
# A patch that does not apply stops the build, naming the patch, the file and
# the hunk.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${KNUMAD_BUILD_DIR:-$top/build}
tarball=${KNUMAD_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
pristine=$build/linux-pristine
tree=$build/linux
manifest=$tree/.knumad-managed

[ -r "$tarball" ] || { echo "prepare-tree: $tarball missing (make deps)" >&2; exit 1; }
mkdir -p "$build"

# (Re)unpack when the tarball is new or differs from the one unpacked.
stamp="$(stat -c '%s %Y' "$tarball") $tarball"
if [ ! -f "$pristine/.knumad-tarball" ] || [ "$(cat "$pristine/.knumad-tarball")" != "$stamp" ]; then
	echo "  UNPACK  $tarball"
	rm -rf "$pristine" "$tree" "$build"/obj-*
	tmp=$(mktemp -d "$build/unpack.XXXXXX")
	tar -C "$tmp" -xJf "$tarball"
	mv "$tmp"/linux-source-* "$pristine"
	rmdir "$tmp"
	echo "$stamp" > "$pristine/.knumad-tarball"
fi
if [ ! -d "$tree" ]; then
	echo "  COPY    linux-pristine -> linux"
	cp -a "$pristine" "$tree.tmp"
	rm -f "$tree.tmp/.knumad-tarball"
	mv "$tree.tmp" "$tree"
	: > "$manifest"
fi

stage=$(mktemp -d "$build/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# 1. Our files, at their kernel paths.
while read -r src dst; do
	case "$src" in ''|'#'*) continue ;; esac
	[ -e "$top/$src" ] || { echo "prepare-tree: overlay.map names missing $src" >&2; exit 1; }
	if [ -d "$top/$src" ]; then
		mkdir -p "$stage/$dst"
		cp -r "$top/$src/." "$stage/$dst/"
	else
		mkdir -p "$stage/$(dirname "$dst")"
		cp "$top/$src" "$stage/$dst"
	fi
done < "$top/scripts/overlay.map"

# 2. Pristine copies of the files the patches touch, then the patches.
shopt -s nullglob
patches=("$top"/patches/*.patch)
for p in "${patches[@]}"; do
	sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$p"
done | sort -u | while read -r f; do
	[ -e "$stage/$f" ] && continue
	[ -e "$pristine/$f" ] || continue	# a patch creating a file
	mkdir -p "$stage/$(dirname "$f")"
	cp "$pristine/$f" "$stage/$f"
done
for p in "${patches[@]}"; do
	if ! out=$(patch -p1 -d "$stage" --batch --forward --no-backup-if-mismatch \
		       --reject-file=- -i "$p" 2>&1); then
		echo "prepare-tree: patch $(basename "$p") does not apply to Linux $(make -s -C "$pristine" kernelversion 2>/dev/null):" >&2
		echo "$out" | grep -E 'patching file|Hunk|FAILED|malformed|can.t find' >&2 || echo "$out" >&2
		exit 1
	fi
done

# 3. Install what changed; restore what we no longer manage.
(cd "$stage" && find . -type f -printf '%P\n' | sort) > "$stage.list"
changed=0
while read -r f; do
	if ! cmp -s "$stage/$f" "$tree/$f"; then
		mkdir -p "$tree/$(dirname "$f")"
		cp "$stage/$f" "$tree/$f.knumad-new"
		mv "$tree/$f.knumad-new" "$tree/$f"
		echo "  UPDATE  $f"
		changed=$((changed + 1))
	fi
done < "$stage.list"
while read -r f; do
	grep -qxF "$f" "$stage.list" && continue
	if [ -e "$pristine/$f" ]; then
		cp "$pristine/$f" "$tree/$f.knumad-new"
		mv "$tree/$f.knumad-new" "$tree/$f"
		echo "  RESTORE $f"
	else
		rm -f "$tree/$f"
		echo "  REMOVE  $f"
	fi
done < "$manifest"
mv "$stage.list" "$manifest"
echo "  TREE    $tree ($changed file(s) updated)"
