#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test guest's initramfs: Debian's static busybox and tests/vm/init.
#   scripts/mk-initramfs.sh OUTPUT.cpio.gz
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: mk-initramfs.sh OUTPUT}
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mk-initramfs: $busybox missing (make deps)" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,host,hostro}
cp "$busybox" "$root/bin/busybox"
cp "$top/tests/vm/init" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
echo "  INITRD  $out"
