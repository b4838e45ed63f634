#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make patches: cut knumad (overlay + patches/*.patch) into a bisectable
# git format-patch series against the pristine tree, without a git
# repository of the whole kernel.
#
#   scripts/mk-series.sh            write build/series/ and verify it
#   BISECT=1 scripts/mk-series.sh   also build every step, CONFIG_KNUMAD=y and =n
#
#   build/series-git/   a small git repository: the pristine versions of the
#                       files the series touches (commit "Linux 6.12
#                       (pristine, ...)", tag "base"), then one commit per
#                       step below
#   build/series/       0000-cover-letter.patch + one patch per step; the
#                       cover letter is Documentation/cover-letter.txt.in
#                       rendered, with the newest results/*/table.txt
#
# Checks, each fatal: every patch and overlay.map entry is in exactly one
# step; the last step's files equal prepare-tree's result (pristine +
# overlay + patches); the patches `git apply --check` in order on a scratch
# copy of the touched pristine files; `git am` of the series into a fresh
# clone of the base commit gives the same tree.
#
# BISECT=1 copies build/linux-pristine once to build/bisect-tree (cp -r
# --reflink=auto; a hard-linked copy would be corrupted by in-place
# writes), resets the files a previous run changed, applies the series'
# patches one at a time with git apply, and builds each step from the
# configs/base.config + configs/{off,on}.config fragments (like
# scripts/build-kernel.sh) in build/obj-bisect-{off,on}. Logs go to
# build/bisect-logs/. A passing run is recorded in build/series-bisect.ok,
# keyed by the steps' trees and the config fragments, and the cover letter
# says so. Steps 1-7 cannot set CONFIG_KNUMAD (its Kconfig comes in step
# 8), so there the "on" config equals "off" and is not built twice. Not
# timed yet; expect it to be long on 2 cores: the first build is a full
# one, and several steps change headers included nearly everywhere
# (vm_event_item.h, syscalls.h).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${KNUMAD_BUILD_DIR:-$top/build}")
pristine=$build/linux-pristine
repo=$build/series-git
out=$build/series
template=$top/Documentation/cover-letter.txt.in
results=${KNUMAD_RESULTS:-$top/results}	# bench/run.sh's run folders
bisect_ok=$build/series-bisect.ok
maint_section="KNUMAD (BACKGROUND NUMA PLACEMENT)"

# The series. Each step: its items ("patch:NNNN" = patches/NNNN-*.patch,
# "file:SRC" = an overlay.map source) and its message ("patch:NNNN" takes
# that patch's From/Subject/body, "msg:NAME" one of the messages below).
# Why this order: each step compiles with CONFIG_KNUMAD=y and =n. Nothing
# can set CONFIG_KNUMAD before step 8 adds its Kconfig, so code under
# #ifdef CONFIG_KNUMAD in steps 1-7 is dead until then, and the hooks of
# steps 4-6 compile against the =n stubs of the header of step 3.
steps=(
	# 1: a migrate reason, needed by mm/numa_migrate (step 8)
	"patch:0007|patch:0007"
	# 2: vmstat items, counted by knumad's core (step 8)
	"patch:0004|patch:0004"
	# 3: the interface header: its stubs are what steps 4-6 call
	"file:include/linux/knumad.h file:include/trace/events/knumad.h|msg:header"
	# 4: numa_balancing sysctl vs knumad; knumad_placement_lock() from step 3
	"patch:0002|patch:0002"
	# 5: sched/fair placement; the enum and knumad_enabled() from step 3
	"patch:0005|patch:0005"
	# 6: fork/exit hooks; knumad_fork()/knumad_exit() stubs from step 3
	"patch:0003|patch:0003"
	# 6b: record-only hinting faults; knumad_hint_fault() stub from step 3,
	#    its vmstat items from step 2
	"patch:0010|patch:0010"
	# 6c: the per-user limit of numa_groups, a ucount (UCOUNT_KNUMAD_GROUPS
	#    under CONFIG_KNUMAD: dead until step 8, which charges it)
	"patch:0011|patch:0011"
	# 7: syscall numbers and uapi (COND_SYSCALL: ENOSYS until step 8)
	"patch:0008 file:include/uapi/linux/numa_group.h|msg:syscalls"
	# 8: Kconfig + Makefiles + all of knumad's code; its boot parameter's
	#    documentation comes with the __setup() that parses it
	"patch:0001 patch:0006 file:Kconfig file:kernel/knumad file:mm/numa_migrate|msg:core"
	# 9: documents, their index entries, the rest of MAINTAINERS
	"file:Documentation/admin-guide/mm/knumad.rst file:Documentation/mm/knumad.rst file:Documentation/userspace-api/numa_group.rst file:Documentation/ABI/testing/sysfs-kernel-mm-knumad file:Documentation/ABI/testing/procfs-numa_group patch:0009|msg:docs"
)

message() {
	case "$1" in
	header) cat <<'EOF'
knumad: add the kernel interface header and tracepoints

include/linux/knumad.h is all the rest of the kernel sees of knumad: the
static key behind knumad_enabled(), the placement lock the numa_balancing
sysctl takes, the fork and exit hooks, the calls between knumad's two
halves (kernel/knumad: the thread, policy and task placement;
mm/numa_migrate: the mm registry, page-table scan and migration) and
knumad_sched_place(), which the scheduler provides. With CONFIG_KNUMAD
unset only empty inline stubs remain, so the hooks the next patches add
to the scheduler, fork and exit compile to nothing.

include/trace/events/knumad.h defines the knumad:* tracepoints: the cost
of each scan pass, each process's node decision and each task placement.

Nothing includes either header yet, and CONFIG_KNUMAD does not exist
until the patch that adds knumad's core. Start knumad's MAINTAINERS
entry with these two files; the patches that add files extend it.

Signed-off-by: knumad developers <knumad@example.invalid>
EOF
		;;
	syscalls)
		patch_message 0008 | sed '/^Signed-off-by:/,$d'
		cat <<'EOF'
Add their uapi header, include/uapi/linux/numa_group.h:
struct numa_group_attr (extensible, like openat2()'s struct open_how),
NUMA_GROUP_ATTR_SIZE_VER0, NUMA_GROUP_NODE_ANY, NUMA_GROUP_CREATE_VERSION
(the ABI version query), NUMA_GROUP_SELF_THREAD and NUMA_GROUP_SELF_PROCESS
(the values of mainline's PIDFD_SELF_THREAD and PIDFD_SELF_THREAD_GROUP)
and NUMA_GROUP_REMOVE, and list it in knumad's MAINTAINERS entry. Nothing
implements the calls until the next patch adds knumad's core (and
CONFIG_KNUMAD): until then they fail with -ENOSYS on every kernel.

Signed-off-by: knumad developers <knumad@example.invalid>
EOF
		;;
	core) cat <<'EOF'
knumad: background NUMA placement by a kernel thread

Add knumad: one kernel thread that learns, within a CPU budget, where
each process's anonymous memory lives and which of it is hot, and each
pass gives every process and numa_group (and, for processes whose
threads work on different memory, every cluster of threads) a node, all
together within the nodes' CPUs. Threads then run on their unit's node
(knumad_sched_place()), and memory not on it follows it in the
background, in paired flows so that no node's free memory drains.

kernel/knumad/
  core.c           the switch (kernel.knumad sysctl, knumad= boot
                   parameter, static key), the kthread and its passes,
                   the CPU budget (a token bucket)
  policy.c         every rule as a pure function: the assignment, node
                   choice with hysteresis, flow pairing, budget, clusters
  units.c          observe and assign: the placement units of a pass
  threads.c        per-thread state, CPU demand, threads of a unit
  place.c          CPU follows memory
  flows.c          memory follows CPU, paired
  hints.c          per-thread placement from hinting faults
  group.c          numa_groups in each pass
  numa_group.c     the numa_group_*() syscalls and the group object
  sysfs.c          /sys/kernel/mm/knumad: tunables and counters
  tests/           KUnit tests of policy.c (CONFIG_KNUMAD_KUNIT_TEST)
mm/numa_migrate/
  registry.c       the tracked mms (an mm_slot hash, as khugepaged),
                   discovery, the scan pass, debugfs
  scan.c           the page-table scan, under mmap_read_trylock()
  migrate.c        isolating and migrating a stretch of a range with
                   migrate_pages(MIGRATE_ASYNC, MR_KNUMAD)
  hint.c           arming sampled hinting faults; recording them

CONFIG_KNUMAD (default n) depends on NUMA, MIGRATION, SMP, MMU and
NUMA_BALANCING, whose task fields knumad reuses. Its Kconfig is sourced
from init/Kconfig next to NUMA_BALANCING, and kernel/Makefile and
mm/Makefile descend into the two directories when it is set. knumad is
off until enabled (kernel.knumad=1, or knumad=1 at boot) and never runs
together with numa_balancing's normal mode. The knumad= boot parameter
is documented in kernel-parameters.txt by this patch, which parses it.

Signed-off-by: knumad developers <knumad@example.invalid>
EOF
		;;
	docs) cat <<'EOF'
Documentation: knumad's admin guide, design and numa_group API

Add knumad's documents and link them from their indexes:

- admin-guide/mm/knumad.rst, for operators: enabling knumad, how it and
  numa_balancing exclude each other, what it does, numa_groups,
  tunables, counters and tracing;
- mm/knumad.rst, for those who read the code: layout, observe, decide,
  act, paired migration, locking and the CPU-cost model;
- userspace-api/numa_group.rst: the numa_group_*() syscalls, their
  errors in the order they are checked, and what knumad does with a
  group;
- ABI/testing/sysfs-kernel-mm-knumad: /sys/kernel/mm/knumad.

List them in knumad's MAINTAINERS entry, which now covers all of
knumad.

Signed-off-by: knumad developers <knumad@example.invalid>
EOF
		;;
	*) die "no message $1" ;;
	esac
}

die() { echo "mk-series: $*" >&2; exit 1; }
say() { echo "  $*"; }

# --- inputs --------------------------------------------------------------
[ -d "$pristine" ] || die "$pristine missing (make tree)"
[ -r "$template" ] || die "$template missing"
command -v git >/dev/null || die "git not installed"
# Our own git settings only: no user or system config (signing, hooks,
# format.* options) changes what this writes.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="knumad developers" GIT_AUTHOR_EMAIL="knumad@example.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
# One date for every commit, the project's last commit's: the same sources
# give the same series, byte for byte.
date=$(git -C "$top" log -1 --format=%cI 2>/dev/null || date -u +%FT%TZ)
export GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date"

shopt -s nullglob
all_patches=("$top"/patches/*.patch)
patch_file() {
	local m=("$top"/patches/"$1"-*.patch)
	[ ${#m[@]} = 1 ] || die "patches/$1-*.patch: ${#m[@]} matches"
	echo "${m[0]}"
}
# From/Subject/body of a patch header, as a commit message.
patch_message() {
	local p
	p=$(patch_file "$1")
	sed -n '1,/^---$/p' "$p" | sed '$d' | awk '
		/^From: / && !s { next }
		/^Subject: / && !s { sub(/^Subject: (\[[^]]*\] )?/, ""); print; s = 1; next }
		s { print }'
}
# overlay.map: source -> destination
declare -A dest
overlay_srcs=()
while read -r src dst; do
	case "$src" in ''|'#'*) continue ;; esac
	[ -e "$top/$src" ] || die "overlay.map names missing $src"
	dest[$src]=$dst
	overlay_srcs+=("$src")
done < "$top/scripts/overlay.map"

# Every patch and overlay entry in exactly one step.
declare -A used
for s in "${steps[@]}"; do
	for item in ${s%%|*}; do
		[ -z "${used[$item]:-}" ] || die "$item is in two steps"
		used[$item]=1
		case "$item" in
		patch:*) patch_file "${item#patch:}" >/dev/null ;;
		file:*) [ -n "${dest[${item#file:}]:-}" ] || die "$item is not in scripts/overlay.map" ;;
		*) die "bad step item $item" ;;
		esac
	done
done
for p in "${all_patches[@]}"; do
	n=$(basename "$p"); n=${n%%-*}
	[ -n "${used[patch:$n]:-}" ] || die "patches/$(basename "$p") is in no step: add it to steps in $0"
done
for src in "${overlay_srcs[@]}"; do
	[ -n "${used[file:$src]:-}" ] || die "overlay.map's $src is in no step: add it to steps in $0"
done

# The files the series touches: the patches' targets and the overlay
# destinations (directories expanded).
touched=$(
	for p in "${all_patches[@]}"; do
		sed -n -e 's#^+++ b/\([^[:space:]]*\).*#\1#p' -e 's#^--- a/\([^[:space:]]*\).*#\1#p' "$p"
	done
	for src in "${overlay_srcs[@]}"; do
		if [ -d "$top/$src" ]; then
			(cd "$top/$src" && find . -type f -printf "${dest[$src]}/%P\n")
		else
			echo "${dest[$src]}"
		fi
	done | sort -u)

work=$(mktemp -d "$build/series-tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Apply one step's items to directory $1 (patches with patch(1), exactly as
# scripts/prepare-tree.sh does).
apply_items() {
	local dir=$1 item p src out
	shift
	for item in "$@"; do
		case "$item" in
		patch:*)
			p=$(patch_file "${item#patch:}")
			if ! out=$(patch -p1 -d "$dir" --batch --forward --no-backup-if-mismatch \
				       --reject-file=- -i "$p" 2>&1); then
				echo "$out" >&2
				die "$(basename "$p") does not apply"
			fi ;;
		file:*)
			src=${item#file:}
			if [ -d "$top/$src" ]; then
				mkdir -p "$dir/${dest[$src]}"
				cp -r "$top/$src/." "$dir/${dest[$src]}/"
			else
				mkdir -p "$dir/$(dirname "${dest[$src]}")"
				cp "$top/$src" "$dir/${dest[$src]}"
			fi ;;
		esac
	done
}

# --- the reference: what scripts/prepare-tree.sh installs ------------------
ref=$work/ref
mkdir -p "$ref"
while read -r f; do
	[ -e "$pristine/$f" ] || continue
	mkdir -p "$ref/$(dirname "$f")"
	cp "$pristine/$f" "$ref/$f"
done <<< "$touched"
ref_items=()
for src in "${overlay_srcs[@]}"; do ref_items+=("file:$src"); done
for p in "${all_patches[@]}"; do n=$(basename "$p"); ref_items+=("patch:${n%%-*}"); done
apply_items "$ref" "${ref_items[@]}"

# MAINTAINERS of step N: the final file, with knumad's entry listing only
# the paths that exist at that step (no entry if none does), so each step
# that adds files lists them (checkpatch's FILE_PATH_CHANGES) and no step
# names a file that is not there yet.
maint_for() {	# final MAINTAINERS, pristine MAINTAINERS, tree, output
	python3 - "$maint_section" "$@" <<'EOF'
import os, sys
section, final, pristine, tree, out = sys.argv[1:]
lines = open(final).read().split("\n")
try:
    start = lines.index(section)
except ValueError:
    sys.exit("MAINTAINERS has no section " + section)
end = lines.index("", start)
block = lines[start:end + 1]
rest = lines[:start] + lines[end + 1:]
if "\n".join(rest) != open(pristine).read():
    sys.exit("MAINTAINERS changes outside the section " + section)
def present(line):
    return not line.startswith("F:\t") or os.path.exists(os.path.join(tree, line[3:]))
keep = [l for l in block if present(l)]
if not any(l.startswith("F:\t") for l in keep):
    keep = []
open(out, "w").write("\n".join(lines[:start] + keep + lines[end + 1:]))
EOF
}

# --- the repository --------------------------------------------------------
rm -rf "$repo"
git init -q -b knumad "$repo"
while read -r f; do
	[ -e "$pristine/$f" ] || continue	# a file the series creates
	mkdir -p "$repo/$(dirname "$f")"
	cp "$pristine/$f" "$repo/$f"
done <<< "$touched"
kversion=$(awk '/^VERSION =/ {v=$3} /^PATCHLEVEL =/ {p=$3} /^SUBLEVEL =/ {s=$3}
		END {print v "." p "." s}' "$pristine/Makefile")
git -C "$repo" add -A
git -C "$repo" commit -q --cleanup=verbatim -F - <<EOF
Linux 6.12 (pristine, files touched by knumad only)

The files of Debian's linux-source-6.12 ($kversion) that the knumad
series changes, unmodified. The rest of the kernel is left out to keep
this repository small: the series is for review and git am, its build
check (BISECT=1 scripts/mk-series.sh) uses a full copy of the tree.
EOF
git -C "$repo" tag base

maint=0
[ -e "$ref/MAINTAINERS" ] && grep -qxF "$maint_section" "$ref/MAINTAINERS" && maint=1
i=0
for s in "${steps[@]}"; do
	i=$((i + 1))
	read -r -a items <<< "${s%%|*}"
	msg=${s#*|}
	# The patch with knumad's MAINTAINERS entry is written against the
	# pristine file; each step's MAINTAINERS is then computed.
	[ $maint = 1 ] && git -C "$repo" show base:MAINTAINERS > "$repo/MAINTAINERS"
	apply_items "$repo" "${items[@]}"
	if [ $maint = 1 ]; then
		maint_for "$ref/MAINTAINERS" "$pristine/MAINTAINERS" "$repo" "$repo/MAINTAINERS" ||
			die "step $i: cannot write MAINTAINERS"
	fi
	git -C "$repo" add -A
	git -C "$repo" diff --cached --quiet && die "step $i (${items[*]}) changes nothing"
	case "$msg" in
	patch:*) patch_message "${msg#patch:}" ;;
	msg:*) message "${msg#msg:}" ;;
	esac > "$work/msg"
	git -C "$repo" commit -q --cleanup=whitespace -F "$work/msg"
	say "STEP    $i $(head -1 "$work/msg")"
done

# The last step must be exactly what prepare-tree installs.
mkdir -p "$work/head"
git -C "$repo" archive HEAD | tar -x -C "$work/head"
if ! diff -r "$ref" "$work/head" > "$work/diff"; then
	head -40 "$work/diff" >&2
	die "the series' last step differs from pristine + overlay + patches"
fi
# build/linux is what kbuild reads; say so if it lags the sources.
if [ -d "$build/linux" ]; then
	stale=$(cd "$ref" && find . -type f -printf '%P\n' | sort | while read -r f; do
		cmp -s "$f" "$build/linux/$f" || echo "$f"; done)
	[ -z "$stale" ] ||
		say "NOTE    build/linux lags the sources in $(echo "$stale" | wc -l) file(s), e.g. $(echo "$stale" | head -1): make tree"
fi

# --- the cover letter -------------------------------------------------------
# What a BISECT=1 run built: every step's tree and the config fragments.
steps_key=$({ git -C "$repo" log --reverse --format=%T base..HEAD
	      cat "$top"/configs/base.config "$top"/configs/on.config "$top"/configs/off.config; } |
	    sha1sum | cut -d' ' -f1)

buildtested() {
	if [ -f "$bisect_ok" ] && [ "$(head -1 "$bisect_ok")" = "$steps_key" ]; then
		echo "Every patch of this version of the series was built for x86_64 with"
		echo "CONFIG_KNUMAD=y and =n ($(sed -n 2p "$bisect_ok"))."
	else
		echo "Each patch is meant to build with CONFIG_KNUMAD=y and =n; that was not"
		echo "checked for this version of the series (BISECT=1 make patches does)."
	fi
}

# The series' kernel files (not documents) that changed after file $1 was
# written, or that build/linux does not have yet.
kernel_newer_than() {
	(cd "$ref" && find . -type f -printf '%P\n' | sort) | grep -v -e '^Documentation/' -e '^MAINTAINERS$' |
	while read -r f; do
		if [ ! -e "$build/linux/$f" ] || ! cmp -s "$ref/$f" "$build/linux/$f" ||
		   [ "$build/linux/$f" -nt "$1" ]; then
			echo "$f"
		fi
	done
}

benchmark() {
	local tables=("$results"/*/table.txt) t d info sha img
	if [ ${#tables[@]} = 0 ]; then
		echo "No benchmark run found; run make bench."
		return
	fi
	t=${tables[${#tables[@]}-1]}	# results/<date>-<time>-<topology>: sorts by time
	d=$(dirname "$t")
	info=$d/run.info
	kv() { sed -n "s/^$1 //p" "$info" 2>/dev/null | head -1; }
	echo "The newest run, results/$(basename "$d") (bench/run.sh, profile $(kv profile)):"
	echo "started $(kv started),"
	echo "finished $(kv finished);"
	echo "topology $(kv topology), a QEMU TCG guest; THP $(kv thp);"
	echo "modes $(kv modes)."
	sha=$(kv kernel_sha256)
	img=$build/obj-on/arch/x86/boot/bzImage
	if [ -z "$sha" ]; then
		:
	elif [ ! -r "$img" ]; then
		echo "Kernel: bzImage sha256 ${sha:0:12} (no build/obj-on to compare with)."
	elif [ "$sha" != "$(sha256sum "$img" | cut -d' ' -f1)" ]; then
		echo "Kernel: an earlier build (bzImage sha256 ${sha:0:12}), not the one in"
		echo "build/obj-on now; these figures may not describe this version exactly."
	elif [ -n "$(kernel_newer_than "$img")" ]; then
		echo "Kernel: build/obj-on's bzImage (sha256 ${sha:0:12}), built before the"
		echo "latest changes to the code ($(kernel_newer_than "$img" | head -1), ...);"
		echo "these figures may not describe this version exactly."
	else
		echo "Kernel: built from these sources (build/obj-on, bzImage sha256 ${sha:0:12})."
	fi
	echo "Every figure is from one run; \"modelled\" columns are a model of native"
	echo "cost, not measurements (TCG timing says nothing about hardware)."
	echo
	# Not the paths on the machine that ran it.
	grep -v -e '^knumad benchmark: ' -e '^plots: ' -e '^CSV: ' "$t" | sed 's/[[:space:]]*$//'
}

render_cover() {
	python3 - "$template" "$work/cover" "$kversion" <(buildtested) <(benchmark) <<'EOF'
import re, sys
tpl, out, kversion, bt, bench = sys.argv[1:]
text = "".join(l for l in open(tpl) if not l.startswith("##"))
text = text.replace("@KERNELVERSION@", kversion)
text = text.replace("@BUILDTESTED@", open(bt).read().rstrip("\n"))
text = text.replace("@BENCHMARK@", open(bench).read().rstrip("\n"))
left = re.findall(r"@[A-Z_]+@", text)
if left:
    sys.exit("mk-series: unreplaced in the cover letter: " + " ".join(left))
open(out, "w").write(text.strip("\n") + "\n")
EOF
}

write_series() {
	git -C "$repo" config branch.knumad.description "$(cat "$work/cover")"
	rm -rf "$out"
	git -C "$repo" format-patch -q --cover-letter --cover-from-description=subject \
		--numbered -o "$out" base..HEAD >/dev/null
	! grep -q -e '\*\*\* SUBJECT HERE \*\*\*' -e '\*\*\* BLURB HERE \*\*\*' "$out"/0000-cover-letter.patch ||
		die "the cover letter was not filled in"
}
render_cover
write_series
n=$(find "$out" -name '0*.patch' ! -name '0000-*' | wc -l)
say "SERIES  $out: cover letter + $n patches against Linux $kversion (pristine)"

# --- verification ------------------------------------------------------------
# 1. git apply --check, in order, on the touched pristine files alone. Not
#    inside /work's own git repository: git apply would then ignore paths
#    outside the current directory.
chk=$work/apply
mkdir -p "$chk"
git -C "$repo" archive base | tar -x -C "$chk"
for p in "$out"/0*.patch; do
	case "$p" in */0000-cover-letter.patch) continue ;; esac
	(cd "$chk" && GIT_CEILING_DIRECTORIES=$work git apply --check "$p" && GIT_CEILING_DIRECTORIES=$work git apply "$p") ||
		die "$(basename "$p") does not apply (git apply --check) on top of the previous ones"
done
diff -r "$ref" "$chk" >/dev/null || die "git apply of the series does not give pristine + overlay + patches"
say "CHECK   git apply --check: $n/$n patches apply in order to the pristine files"

# 2. git am into a fresh clone of the base commit.
am=$work/am
git init -q -b am "$am"
base=$(git -C "$repo" rev-parse base)
git -C "$am" fetch -q "$repo" refs/tags/base
git -C "$am" checkout -q -b series FETCH_HEAD
pl=()
for p in "$out"/0*.patch; do case "$p" in */0000-*) ;; *) pl+=("$p") ;; esac; done
git -C "$am" am -q "${pl[@]}" || die "git am of the series failed (log in $am)"
[ "$(git -C "$am" rev-parse 'HEAD^{tree}')" = "$(git -C "$repo" rev-parse 'HEAD^{tree}')" ] ||
	die "git am gave a different tree than build/series-git"
[ "$(git -C "$am" log --format='%an <%ae>%n%B' "$base"..HEAD)" = \
  "$(git -C "$repo" log --format='%an <%ae>%n%B' base..HEAD)" ] || die "git am changed an author or a commit message"
say "CHECK   git am: $n/$n patches on a fresh clone of the base commit, same tree and messages"

# --- BISECT=1: build every step ---------------------------------------------
[ "${BISECT:-0}" = 1 ] || exit 0

bt=$build/bisect-tree
logs=$build/bisect-logs
rm -f "$bisect_ok"	# until this run has passed
jobs=${KNUMAD_JOBS:-$(($(nproc) + 1))}
stamp=$(cat "$pristine/.knumad-tarball" 2>/dev/null || echo none)
if [ -d "$bt" ] && [ "$(cat "$bt/.knumad-pristine" 2>/dev/null)" != "$stamp" ]; then
	say "BISECT  build/linux-pristine changed: copying it again"
	rm -rf "$bt" "$build"/obj-bisect-*
fi
if [ ! -d "$bt" ]; then
	say "BISECT  copy linux-pristine -> bisect-tree"
	rm -rf "$bt.tmp"
	mkdir "$bt.tmp"
	cp -R --reflink=auto "$pristine/." "$bt.tmp/"
	rm -f "$bt.tmp/.knumad-tarball"
	echo "$stamp" > "$bt.tmp/.knumad-pristine"
	: > "$bt.tmp/.knumad-series-files"
	mv "$bt.tmp" "$bt"
fi
# Back to pristine: every file a previous run or this series writes.
# Unchanged files are left alone (their mtime too), so kbuild rebuilds
# only what a step really changes.
git -C "$repo" diff --name-only base HEAD > "$work/series-files"
sort -u "$bt/.knumad-series-files" "$work/series-files" > "$work/reset"
while read -r f; do
	if [ -e "$pristine/$f" ]; then
		cmp -s "$pristine/$f" "$bt/$f" || cp "$pristine/$f" "$bt/$f"
	else
		rm -f "$bt/$f"
	fi
done < "$work/reset"
cp "$work/reset" "$bt/.knumad-series-files"
rm -rf "$logs"
mkdir -p "$logs"

# A config for one flavour, as scripts/build-kernel.sh makes it. A fragment
# line naming a symbol no Kconfig defines yet (CONFIG_KNUMAD before step
# 8) cannot hold and is not an error.
bisect_config() {	# flavour obj
	local fl=$1 obj=$2 line sym bad=0
	mkdir -p "$obj"
	cat "$top/configs/base.config" "$top/configs/$fl.config" > "$obj/.knumad-fragment"
	make -s -C "$bt" O="$obj" KCONFIG_ALLCONFIG="$obj/.knumad-fragment" allnoconfig >/dev/null
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*}
		case "$line" in
		*=n) grep -q "^$sym=" "$obj/.config" || continue ;;
		*) grep -qxF "$line" "$obj/.config" && continue ;;
		esac
		if ! grep -rqs --include='Kconfig*' -E "^[[:space:]]*(menu)?config[[:space:]]+${sym#CONFIG_}\$" "$bt"; then
			echo "          ($line: no such symbol at this step)"
			continue
		fi
		echo "mk-series: step $i $fl: $line did not hold" >&2
		bad=1
	done < "$obj/.knumad-fragment"
	return $bad
}

mapfile -t subjects < <(git -C "$repo" log --reverse --format=%s base..HEAD)
i=0
for p in "$out"/0*.patch; do
	case "$p" in */0000-*) continue ;; esac
	i=$((i + 1))
	(cd "$bt" && GIT_CEILING_DIRECTORIES=$build git apply "$p") ||
		die "BISECT: $(basename "$p") does not apply to build/bisect-tree"
	say "BISECT  step $i: ${subjects[$((i - 1))]}"
	# The configs again only where Kconfig changed (and at the first
	# step): an allnoconfig is seconds, and kbuild rebuilds by symbol.
	reconfig=0
	[ $i = 1 ] && reconfig=1
	grep -qE '^\+\+\+ b/(.*/)?Kconfig' "$p" && reconfig=1
	for fl in off on; do
		obj=$build/obj-bisect-$fl
		if [ $reconfig = 1 ] || [ ! -f "$obj/.config" ]; then
			bisect_config "$fl" "$obj" || exit 1
		fi
		if [ "$fl" = on ] && cmp -s "$obj/.config" "$build/obj-bisect-off/.config"; then
			say "        $fl: same .config as off (no CONFIG_KNUMAD yet), not built again"
			continue
		fi
		log=$logs/step$i-$fl.log
		if ! make -s -C "$bt" O="$obj" -j"$jobs" bzImage > "$log" 2>&1; then
			tail -30 "$log" >&2
			die "BISECT: step $i ($(basename "$p")) does not build with $fl.config; log: $log"
		fi
		say "        $fl: built, $(grep -c 'warning:' "$log" || true) warning line(s) ($log)"
		# Warnings about the files this step changed, for the reader.
		sed -n 's#^+++ b/##p' "$p" | while read -r f; do
			grep -F "$f:" "$log" | grep 'warning:' || true
		done | sort -u | head -5 | sed 's/^/          /'
	done
done
{
	echo "$steps_key"
	echo "BISECT=1 make patches, $(date -u '+%Y-%m-%d %H:%M UTC')"
} > "$bisect_ok"
say "BISECT  all $i steps build with CONFIG_KNUMAD=y and =n"
# The cover letter now says so.
render_cover
write_series
say "SERIES  $out: cover letter updated"
