#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Developer helper: rewrite a hook patch from edited copies of the files it
# touches, keeping its header (From/Subject/message/Signed-off-by).
#   scripts/refresh-patch.sh patches/NNNN-name.patch EDITDIR
# EDITDIR mirrors kernel paths (EDITDIR/kernel/fork.c ...); each file in it
# is diffed against build/linux-pristine.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
patch=$1 edit=$(cd "$2" && pwd)
pristine=${KNUMAD_BUILD_DIR:-$top/build}/linux-pristine
header=$(sed -n '1,/^---$/p' "$patch")
{
	echo "$header"
	(cd "$edit" && find . -type f -printf '%P\n' | LC_ALL=C sort) | while read -r f; do
		echo "diff --git a/$f b/$f"
		if [ -e "$pristine/$f" ]; then
			diff -u --label "a/$f" --label "b/$f" "$pristine/$f" "$edit/$f" || true
		else
			diff -u --label /dev/null --label "b/$f" /dev/null "$edit/$f" || true
		fi
	done
} > "$patch.new"
mv "$patch.new" "$patch"
