#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the checks a reviewer runs, on the series and on our files.
#
#   scripts/lint.sh [--no-build] [--dry-run]
#
#   (a) checkpatch   scripts/checkpatch.pl --strict on every patch of
#                    build/series (written first by scripts/mk-series.sh)
#   (b) checkpatch-f checkpatch --strict -f on knumad's C files in build/linux
#   (c) kernel-doc   scripts/kernel-doc -none -Wall on the same files: silent
#   (d) w1           a W=1 build of kernel/knumad/ and mm/numa_migrate/ in
#                    build/obj-check (made current with build-kernel.sh check,
#                    our .c files touched so they recompile): no warning from
#                    our files
#   (e) sparse       the same directories with C=2: no warning from our files
#   (f) uapi         include/uapi/linux/numa_group.h alone, as installed by
#                    `make headers`: compiles with -std=c90 (x86_64 and
#                    i386), includes only <linux/types.h>, nothing
#                    kernel-only (__KERNEL__, CONFIG_, __user, u32, ...)
#
# ERRORs and WARNINGs of checkpatch always fail. Anything else fails unless
# scripts/lint-allow.txt lists it with a reason. Prints one line per check
# (PASS, FAIL or SKIP, its name, a summary, then the findings indented) and
# `N passed, N failed`; exits 1 if a check failed.
#
# --no-build  runs no kernel make: skips (d) and (e), and (f) uses the
#             host's installed kernel headers (/usr/include, linux-libc-dev)
#             for <linux/types.h> instead of `make headers`.
# --dry-run   prints the kernel make commands of (d), (e), (f) instead of
#             running them, and reports those checks as skipped.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${KNUMAD_BUILD_DIR:-$top/build}")
tree=$build/linux
obj=$build/obj-check
allow=$top/scripts/lint-allow.txt
work=$build/lint
jobs=${KNUMAD_JOBS:-$(($(nproc) + 1))}
nobuild=0 dryrun=0
for a in "$@"; do
	case "$a" in
	--no-build) nobuild=1 ;;
	--dry-run) dryrun=1 ;;
	*) echo "usage: scripts/lint.sh [--no-build] [--dry-run]" >&2; exit 2 ;;
	esac
done

[ -d "$tree" ] || { echo "lint: $tree missing (make tree)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"

# Our files, kernel paths relative to build/linux.
our_dirs="kernel/knumad mm/numa_migrate"
our_headers="include/linux/knumad.h include/uapi/linux/numa_group.h include/trace/events/knumad.h"
files=$(cd "$tree" && { find $our_dirs -type f -name '*.[ch]'; printf '%s\n' $our_headers; } | LC_ALL=C sort)
cfiles=$(echo "$files" | grep '\.c$')
# One of our files in kbuild's "  CC      kernel/knumad/core.o" or
# "  CHECK   /abs/path/kernel/knumad/core.c" (absolute out of tree).
ours_re="[[:space:]/](kernel/knumad/|mm/numa_migrate/|include/linux/knumad\.h|include/trace/events/knumad\.h|include/uapi/linux/numa_group\.h)"

passed=0 failed=0 skipped=0
result() {	# PASS|FAIL|SKIP name summary [details file]
	printf '%-4s  %-12s %s\n' "$1" "$2" "$3"
	if [ -n "${4:-}" ] && [ -s "$4" ]; then sed 's/^/        /' "$4"; fi
	case "$1" in
	PASS) passed=$((passed + 1)) ;;
	FAIL) failed=$((failed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	esac
}

# classify CHECK < findings > verdicts. A finding is
# "FILE<TAB>LINE<TAB>SEVERITY<TAB>TEXT" (FILE and LINE may be empty), a
# verdict "ok<TAB>finding<TAB>reason" or "bad<TAB>finding". The allowlist
# entries used are appended to $work/allow-used.
cat > "$work/classify.py" <<'EOF'
import fnmatch, sys
check, allow, used = sys.argv[1:]
entries = []
for n, line in enumerate(open(allow), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    f = [x.strip() for x in line.split(" | ", 3)]
    if len(f) != 4 or not f[3]:
        sys.exit(f"{allow}:{n}: want CHECK | FILE | TEXT | REASON")
    entries.append((n, *f))
with open(used, "a") as u:
    for line in sys.stdin:
        path, ln, sev, text = line.rstrip("\n").split("\t", 3)
        where = path + (f":{ln}" if ln and ln != "0" else "")
        shown = f"{where}: {sev}: {text}" if where else f"{sev}: {text}"
        hit = None
        if sev not in ("ERROR", "WARNING"):
            for n, c, pat, key, reason in entries:
                if c == check and fnmatch.fnmatchcase(path, pat) and key in text:
                    hit = (n, reason)
                    break
        if hit:
            u.write(f"{hit[0]}\n")
            print(f"ok\t{shown}\t{hit[1]}")
        else:
            print(f"bad\t{shown}")
EOF
classify() {
	python3 "$work/classify.py" "$1" "$allow" "$work/allow-used"
}

# verdict NAME WHAT < findings: PASS/FAIL line from the findings of a check.
verdict() {
	local name=$1 what=$2 v bad ok extra
	v=$work/$name.verdicts
	classify "$name" > "$v"
	bad=$(grep -c '^bad' "$v" || true)
	ok=$(grep -c '^ok' "$v" || true)
	{
		grep '^bad' "$v" | cut -f2 || true
		grep '^ok' "$v" | awk -F'\t' '{ print "allowed: " $2 }' || true
	} > "$work/$name.details"
	extra=""
	[ "$ok" = 0 ] || extra=", $ok allowlisted"
	if [ "$bad" = 0 ]; then
		result PASS "$name" "$what: clean$extra" "$work/$name.details"
	else
		result FAIL "$name" "$what: $bad finding(s)$extra" "$work/$name.details"
	fi
}

# checkpatch --terse --show-types output -> findings (TEXT is "TYPE: msg")
checkpatch_findings() {
	sed -nE 's/^(([^:]*):(-?[0-9]+): )?(ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)$/\2\t\3\t\4\t\5: \6/p'
}

# Did checkpatch run to the end? --terse prints nothing for a clean input,
# and a summary ("total: ...") for one with findings (exit 1).
checkpatch_done() {	# exit-status output
	if [ "$1" = 0 ]; then
		! grep -qvE -e '^total: ' -e '(ERROR|WARNING|CHECK):' "$2"
	else
		[ "$1" = 1 ] && grep -q '^total: ' "$2"
	fi
}

# Runs a kernel make (or, with --dry-run, prints it). Output in $1.
kmake() {
	local log=$1
	shift
	if [ $dryrun = 1 ]; then
		echo "        would run: $*"
		return 0
	fi
	# The log is read for kbuild's "CC"/"CHECK" lines: a `make -s` of
	# ours must not silence the kernel's make.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@" > "$log" 2>&1
}

cd "$tree"	# checkpatch and kernel-doc run from the top of the tree

# --- (a) checkpatch on the series -------------------------------------------
if ! "$top/scripts/mk-series.sh" > "$work/mk-series.log" 2>&1; then
	result FAIL checkpatch "scripts/mk-series.sh failed, no series to check" "$work/mk-series.log"
else
	grep 'NOTE' "$work/mk-series.log" | sed 's/^ *NOTE */note: /' || true
	series=("$build"/series/0*.patch)
	n=0
	: > "$work/cp.findings"
	: > "$work/cp.broken"
	for p in "${series[@]}"; do
		case "$p" in */0000-cover-letter.patch) continue ;; esac
		n=$((n + 1))
		# An absolute path: a path git knows, run from a git work tree,
		# would make checkpatch read the patch as a source file.
		rc=0
		perl scripts/checkpatch.pl --strict --terse --show-types --showfile "$p" \
			> "$work/cp.$n.out" 2>&1 || rc=$?
		checkpatch_done $rc "$work/cp.$n.out" ||
			echo "$(basename "$p"): checkpatch failed (exit $rc): $(tail -1 "$work/cp.$n.out")" >> "$work/cp.broken"
		checkpatch_findings < "$work/cp.$n.out" |
			awk -F'\t' -v p="$(basename "$p")" '{ if ($1 == "") $1 = p; print }' OFS='\t' >> "$work/cp.findings"
	done
	if [ -s "$work/cp.broken" ]; then
		result FAIL checkpatch "checkpatch --strict on $n patches of build/series" "$work/cp.broken"
	else
		verdict checkpatch "checkpatch --strict, $n patches of build/series" < "$work/cp.findings"
	fi
fi

# --- (b) checkpatch -f on our files ------------------------------------------
rc=0
perl scripts/checkpatch.pl --strict --terse --show-types -f $files > "$work/cpf.out" 2>&1 || rc=$?
if ! checkpatch_done $rc "$work/cpf.out"; then
	result FAIL checkpatch-f "checkpatch -f failed (exit $rc)" "$work/cpf.out"
else
	checkpatch_findings < "$work/cpf.out" > "$work/cpf.findings"
	verdict checkpatch-f "checkpatch --strict -f, $(echo "$files" | wc -l) files" < "$work/cpf.findings"
fi

# --- (c) kernel-doc ------------------------------------------------------------
rc=0
perl scripts/kernel-doc -none -Wall $files > "$work/kdoc.out" 2>&1 || rc=$?
sed -nE 's/^([^:]+):([0-9]+): (warning|error): (.*)$/\1\t\2\t\3\t\4/p' "$work/kdoc.out" > "$work/kdoc.findings"
# Anything else it printed, or a failure without output, is a finding too.
grep -vE '^[^:]+:[0-9]+: (warning|error): ' "$work/kdoc.out" | sed 's/^/\t\tother\t/' >> "$work/kdoc.findings" || true
[ $rc = 0 ] || [ -s "$work/kdoc.findings" ] || printf '\t\terror\tkernel-doc exited with %s\n' $rc >> "$work/kdoc.findings"
verdict kernel-doc "kernel-doc -none -Wall, $(echo "$files" | wc -l) files" < "$work/kdoc.findings"

# --- (d), (e): kernel builds of our directories ---------------------------------
# compiler/sparse output -> findings about our files
build_findings() {
	sed -nE "s#^(.*)(kernel/knumad/|mm/numa_migrate/|include/linux/knumad\.h|include/trace/events/knumad\.h|include/uapi/linux/numa_group\.h)([^:]*):([0-9]+)(:[0-9]+)?: (warning|error): (.*)\$#\\2\\3\\t\\4\\t\\6\\t\\7#p" "$1"
}

obj_check_status=""
obj_check_ready() {	# make build/obj-check current (once), as make kernel-check does
	if [ -z "$obj_check_status" ]; then
		obj_check_status=0
		if ! kmake "$work/kernel-check.log" "$top/scripts/build-kernel.sh" check; then
			tail -20 "$work/kernel-check.log" > "$work/obj-check.err"
			obj_check_status=1
		elif [ $dryrun = 0 ] && ! grep -qx 'CONFIG_KNUMAD=y' "$obj/.config"; then
			echo "$obj/.config does not have CONFIG_KNUMAD=y" > "$work/obj-check.err"
			obj_check_status=1
		fi
	fi
	return $obj_check_status
}

if [ $nobuild = 1 ]; then
	result SKIP w1 "W=1 build of $our_dirs (--no-build)"
	result SKIP sparse "sparse C=2 on $our_dirs (--no-build)"
else
	# (d) W=1
	if ! obj_check_ready; then
		result FAIL w1 "no current build/obj-check" "$work/obj-check.err"
	else
		[ $dryrun = 1 ] || (cd "$tree" && touch $cfiles)
		if ! kmake "$work/w1.log" make -C "$tree" O="$obj" W=1 -j"$jobs" kernel/knumad/ mm/numa_migrate/; then
			tail -30 "$work/w1.log" > "$work/w1.tail"
			result FAIL w1 "W=1 build of $our_dirs failed ($work/w1.log)" "$work/w1.tail"
		elif [ $dryrun = 1 ]; then
			result SKIP w1 "W=1 build of $our_dirs (--dry-run)"
		elif ! grep -qE "CC .*${ours_re}.*\.o" "$work/w1.log"; then
			result FAIL w1 "W=1 build compiled none of our files ($work/w1.log)"
		else
			build_findings "$work/w1.log" | sort -u > "$work/w1.findings"
			verdict w1 "W=1 build of $our_dirs ($(grep -cE "CC .*${ours_re}" "$work/w1.log") objects)" < "$work/w1.findings"
		fi
	fi
	# (e) sparse
	if ! command -v sparse >/dev/null; then
		echo "sparse is not installed (scripts/install-deps.sh installs it)" > "$work/sparse.err"
		result FAIL sparse "no sparse" "$work/sparse.err"
	elif ! obj_check_ready; then
		result FAIL sparse "no current build/obj-check" "$work/obj-check.err"
	elif ! kmake "$work/sparse.log" make -C "$tree" O="$obj" C=2 -j"$jobs" kernel/knumad/ mm/numa_migrate/; then
		tail -30 "$work/sparse.log" > "$work/sparse.tail"
		result FAIL sparse "C=2 build of $our_dirs failed ($work/sparse.log)" "$work/sparse.tail"
	elif [ $dryrun = 1 ]; then
		result SKIP sparse "sparse C=2 on $our_dirs (--dry-run)"
	elif ! grep -qE "CHECK .*${ours_re}" "$work/sparse.log"; then
		result FAIL sparse "sparse checked none of our files ($work/sparse.log)"
	else
		build_findings "$work/sparse.log" | sort -u > "$work/sparse.findings"
		verdict sparse "sparse $(sparse --version 2>/dev/null || echo) C=2, $(grep -cE "CHECK .*${ours_re}" "$work/sparse.log") files" < "$work/sparse.findings"
	fi
fi

# --- (f) the uapi header alone ---------------------------------------------------
uapi=linux/numa_group.h
: > "$work/uapi.findings"
inc=""
if [ $nobuild = 1 ]; then
	# The header as it is (headers_install would only strip __KERNEL__
	# blocks, which are findings here anyway) next to the host's
	# installed kernel headers.
	if [ -r /usr/include/linux/types.h ]; then
		mkdir -p "$work/uapi-inc/linux"
		cp "include/uapi/$uapi" "$work/uapi-inc/$uapi"
		inc="$work/uapi-inc"
		where="host kernel headers (/usr/include)"
	else
		echo "no /usr/include/linux/types.h (linux-libc-dev)" > "$work/uapi.err"
	fi
elif kmake "$work/headers.log" make -C "$tree" O="$obj" headers; then
	inc="$obj/usr/include"
	where="make headers ($obj/usr/include)"
	[ $dryrun = 1 ] || [ -r "$inc/$uapi" ] || { echo "make headers did not install $uapi" > "$work/uapi.err"; inc=""; }
else
	tail -20 "$work/headers.log" > "$work/uapi.err"
fi
if [ $dryrun = 1 ] && [ $nobuild = 0 ]; then
	result SKIP uapi "$uapi alone (--dry-run)"
elif [ -z "$inc" ]; then
	result FAIL uapi "$uapi alone: no headers to compile against" "$work/uapi.err"
else
	# Text: what the installed header must not contain.
	hdr="$inc/$uapi"
	hdrs="include/uapi/$uapi"
	[ $nobuild = 1 ] || hdrs="$hdrs $hdr"	# with --no-build, $hdr is a copy
	for h in $hdrs; do
		grep -nE '^[[:space:]]*#[[:space:]]*include' "$h" | grep -vE '#[[:space:]]*include[[:space:]]*<linux/types\.h>' |
			awk -v f="$h" '{ i = index($0, ":"); print f "\t" substr($0, 1, i - 1) "\tinclude\tonly <linux/types.h> may be included: " substr($0, i + 1) }' >> "$work/uapi.findings" || true
		grep -nE '__KERNEL__|CONFIG_[A-Z0-9_]+|\b__user\b|\b__iomem\b|\b__force\b|\b(u8|u16|u32|u64|s8|s16|s32|s64|bool)\b' "$h" |
			awk -v f="$h" '{ i = index($0, ":"); print f "\t" substr($0, 1, i - 1) "\tkernel-only\t" substr($0, i + 1) }' >> "$work/uapi.findings" || true
	done
	# Compile it alone, and check the ABI size, as the kernel's own
	# CONFIG_UAPI_HEADER_TEST does (-std=c90), for x86_64 and i386.
	cat > "$work/uapi-test.c" <<'EOF'
#include <linux/numa_group.h>

typedef char numa_group_attr_size_ver0[
	sizeof(struct numa_group_attr) == NUMA_GROUP_ATTR_SIZE_VER0 ? 1 : -1];
EOF
	cc=${HOSTCC:-gcc}
	archs="-m64"
	$cc -m32 -fsyntax-only -x c /dev/null 2>/dev/null && archs="-m64 -m32"
	# With host headers, the i386 <asm/types.h> may be missing: -m64 only.
	[ $nobuild = 1 ] && archs="-m64"
	sys_inc=()	# <asm/types.h> and <asm-generic/...> of the host
	[ $nobuild = 1 ] && sys_inc=(-I"/usr/include/$($cc -print-multiarch)" -I/usr/include)
	for m in $archs; do
		$cc $m -std=c90 -Wall -Wextra -Werror -fsyntax-only -nostdinc -I"$inc" "${sys_inc[@]}" \
			"$work/uapi-test.c" > "$work/uapi-cc$m.out" 2>&1 || {
			# One finding per diagnostic (or the last line, if none).
			{ grep -E ': (error|warning): ' "$work/uapi-cc$m.out" || tail -1 "$work/uapi-cc$m.out"; } |
				sed "s#^#$uapi\t\t$cc $m\t#" >> "$work/uapi.findings"
		}
	done
	verdict uapi "$uapi alone, $cc -std=c90 ($archs) against $where" < "$work/uapi.findings"
fi

# Kconfig: knumad hands the accessed bits it clears on through the page's
# young and idle flags, which exist only with PAGE_IDLE_FLAG; it must be
# selected even where idle page tracking (which also selects it) is off.
if [ $dryrun = 1 ]; then
	result SKIP kconfig "CONFIG_KNUMAD without IDLE_PAGE_TRACKING selects PAGE_IDLE_FLAG (--dry-run)"
else
	kc="$work/kconfig"
	mkdir -p "$kc"
	{ cat "$top/configs/base.config" "$top/configs/on.config"; echo "CONFIG_IDLE_PAGE_TRACKING=n"; } \
		> "$kc/fragment"
	if make -s -C "$tree" O="$kc" KCONFIG_ALLCONFIG="$kc/fragment" allnoconfig \
		> "$work/kconfig.log" 2>&1; then
		grep -E '^(# )?CONFIG_(KNUMAD|IDLE_PAGE_TRACKING|PAGE_IDLE_FLAG)[= ]' "$kc/.config" \
			> "$work/kconfig.details" || true
		if grep -qx 'CONFIG_KNUMAD=y' "$kc/.config" &&
		   ! grep -q '^CONFIG_IDLE_PAGE_TRACKING=y' "$kc/.config" &&
		   grep -qx 'CONFIG_PAGE_IDLE_FLAG=y' "$kc/.config"; then
			result PASS kconfig "CONFIG_KNUMAD=y, IDLE_PAGE_TRACKING=n: PAGE_IDLE_FLAG=y" "$work/kconfig.details"
		else
			result FAIL kconfig "CONFIG_KNUMAD=y, IDLE_PAGE_TRACKING=n: PAGE_IDLE_FLAG not selected" "$work/kconfig.details"
		fi
	else
		result FAIL kconfig "allnoconfig with knumad's fragments failed" "$work/kconfig.log"
	fi
fi

# Allowlist entries that matched nothing, for the checks that ran.
python3 - "$allow" "$work/allow-used" "$nobuild" "$dryrun" <<'EOF' || true
import sys
allow, used, nobuild, dryrun = sys.argv[1:]
try:
    hit = set(int(x) for x in open(used))
except OSError:
    hit = set()
skipped = {"w1", "sparse"} if nobuild == "1" else set()
if dryrun == "1":
    skipped |= {"w1", "sparse", "uapi"}
for n, line in enumerate(open(allow), 1):
    s = line.strip()
    if not s or s.startswith("#") or n in hit:
        continue
    check = s.split(" | ")[0].strip()
    if check not in skipped:
        print(f"note: {allow}:{n} ({check}) matched nothing; remove it if it is stale")
EOF

echo
if [ $skipped = 0 ]; then
	echo "$passed passed, $failed failed"
else
	echo "$passed passed, $failed failed, $skipped skipped"
fi
[ $failed = 0 ]
