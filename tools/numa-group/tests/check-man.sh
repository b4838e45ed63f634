#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Render each man page with groff -ww (all warnings) and man -l, and fail on
# any warning; compile the example program of numa_group_mem.2.
# Usage: check-man.sh PAGE...
# Prints PASS/FAIL per check and "N passed, N failed".

srcdir=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

result() {
	if [ "$1" = 0 ]; then
		echo "PASS $2"
		pass=$((pass + 1))
	else
		echo "FAIL $2"
		sed 's/^/  /' "$tmp/out"
		fail=$((fail + 1))
	fi
}

if ! command -v groff >/dev/null 2>&1; then
	echo "groff not installed: skipping the man page checks"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

for page in "$@"; do
	name=$(basename "$page")
	groff -man -Tutf8 -ww -z "$page" > "$tmp/out" 2>&1
	[ -s "$tmp/out" ]
	result $((1 - $?)) "groff -ww $name"
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man --warnings -E UTF-8 -l "$page" \
			> "$tmp/render" 2> "$tmp/out"
		rc=$?
		[ $rc = 0 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/render" ]
		result $? "man -l $name"
	fi
done

# The example of numa_group_mem.2 compiles.
for page in "$@"; do
	case "$page" in *numa_group_mem.2) ;; *) continue ;; esac
	sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$page" |
		sed -n '/^\.EX/,/^\.EE/p' | sed -e '/^\.E[XE]/d' \
		-e 's/^\\&$//' -e 's/\\-/-/g' -e 's/\\e/\\/g' > "$tmp/example.c"
	${CC:-cc} -Wall -Wextra -Werror -fsyntax-only -I"$srcdir/lib" \
		-I"$srcdir/../../include/uapi" "$tmp/example.c" > "$tmp/out" 2>&1
	result $? "example of $(basename "$page") compiles"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
