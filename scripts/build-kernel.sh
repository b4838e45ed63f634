#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build one guest kernel flavour out of tree:
#   scripts/build-kernel.sh on|off|<name>
# uses configs/base.config + configs/<flavour>.config (+ any files in
# $KNUMAD_EXTRA_CONFIG), objects in build/obj-<flavour>, and leaves
# build/obj-<flavour>/arch/x86/boot/bzImage. The config is regenerated only
# when a fragment or a Kconfig file changes, so a rebuild with nothing
# changed only walks the tree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${KNUMAD_BUILD_DIR:-$top/build}
flavour=${1:?usage: build-kernel.sh FLAVOUR}
tree=$build/linux
obj=$build/obj-$flavour
jobs=${KNUMAD_JOBS:-$(($(nproc) + 1))}
frags=("$top/configs/base.config" "$top/configs/$flavour.config")
for f in ${KNUMAD_EXTRA_CONFIG:-}; do frags+=("$f"); done

for f in "${frags[@]}"; do
	[ -r "$f" ] || { echo "build-kernel: no config fragment $f" >&2; exit 1; }
done
mkdir -p "$obj"

# Everything that decides the .config: the fragments and every Kconfig file
# we install or patch.
confhash=$({ cat "${frags[@]}"; cat "$top/Kconfig" "$top"/patches/*.patch; } | sha1sum | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.knumad-confhash" 2>/dev/null)" != "$confhash" ]; then
	echo "  CONFIG  $flavour: allnoconfig + ${frags[*]##*/}"
	cat "${frags[@]}" > "$obj/.knumad-fragment"
	make -s -C "$tree" O="$obj" KCONFIG_ALLCONFIG="$obj/.knumad-fragment" allnoconfig >/dev/null
	# Every line of the fragments must have held; a silent drop (an unmet
	# dependency) would test a kernel we did not ask for.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n) sym=${line%%=*}
			grep -q "^$sym=" "$obj/.config" && { echo "build-kernel: $line did not hold" >&2; bad=1; } ;;
		CONFIG_*=*) grep -qxF "$line" "$obj/.config" || { echo "build-kernel: $line did not hold ($(grep "${line%%=*}[= ]" "$obj/.config" || echo unset))" >&2; bad=1; } ;;
		esac
	done < "$obj/.knumad-fragment"
	[ "$bad" = 0 ] || exit 1
	echo "$confhash" > "$obj/.knumad-confhash"
fi

echo "  BUILD   $flavour (make -j$jobs bzImage)"
make -s -C "$tree" O="$obj" -j"$jobs" bzImage ${KNUMAD_MAKE_FLAGS:-}
echo "  KERNEL  $obj/arch/x86/boot/bzImage"
