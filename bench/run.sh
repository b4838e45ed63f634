#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job: benchmark knumad against no balancing, upstream NUMA
# balancing and static bindings, side by side, in QEMU TCG guests with
# emulated NUMA nodes. TCG has no remote-memory penalty, so locality is
# measured directly (the locality plugin, bench/locality) and runtime is
# modelled from it (bench/README.md).
#
# One guest per mode, booted with the locality plugin; inside it
# bench/guest.sh sets the mode up and runs every workload in turn, each
# bracketed by the plugin's markers. bench/report.py then prints the table
# and writes CSV files and plots into results/<date>-<topology>/.
#
# Exit status: 0 if every step worked, 1 if a step failed (the table is
# still printed for what ran), 2 on bad usage or missing kernel.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${KNUMAD_BUILD_DIR:-$top/build}
all_modes=off,upstream,knumad,knumad-group,hard,inverse

usage() {
	cat <<USAGE
usage: bench/run.sh [--quick | --full | --smoke] [options]

Profiles (see bench/README.md for sizes and times):
  --quick           every workload, every mode, small sizes (default)
  --full            the same, twice the memory and twice the passes
  --smoke           one short workload (numa01) in two modes (off, knumad)

Options:
  --topology T      2x2 (2 nodes x 2 CPUs, default) or 4x2 (4 nodes x 2 CPUs)
  --modes LIST      comma-separated subset of $all_modes
  --workloads LIST  comma-separated subset of memcmp,numa01,numa01_THREAD_ALLOC,
                    numa02,phase,mix,perf-numa-mem (default: all)
  --sched [NAME]    record 'perf sched' during workload NAME (default numa01) in
                    every mode and summarise task node changes and wait latency
  --thp MODE        transparent hugepages in the guest: never (default), always
  -k FILE           kernel (default: build/obj-on/arch/x86/boot/bzImage)
  -i FILE           initramfs (default: build/initramfs.cpio.gz)
  -o DIR            results folder (default: results/<date>-<topology>)
  -h                this help
USAGE
}

profile=quick topo=2x2 modes="" workloads=all sched=- thp=never out=""
kernel=$build/obj-on/arch/x86/boot/bzImage
initrd=$build/initramfs.cpio.gz
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) profile=quick ;;
	--full) profile=full ;;
	--smoke) profile=smoke ;;
	--topology) topo=${2:?}; shift ;;
	--modes) modes=${2:?}; shift ;;
	--workloads) workloads=${2:?}; shift ;;
	--sched)
		sched=numa01
		if [ $# -gt 1 ] && [[ "$2" != -* ]]; then sched=$2; shift; fi ;;
	--thp) thp=${2:?}; shift ;;
	-k) kernel=${2:?}; shift ;;
	-i) initrd=${2:?}; shift ;;
	-o) out=${2:?}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

case "$topo" in
2x2) nodes=2 cpn=2 mem=1024 ;;
4x2) nodes=4 cpn=2 mem=768 ;;
*) echo "run.sh: topology 2x2 or 4x2, not '$topo'" >&2; exit 2 ;;
esac
case "$thp" in never|always|madvise) ;; *) echo "run.sh: --thp never, always or madvise" >&2; exit 2 ;; esac
if [ -z "$modes" ]; then
	modes=$all_modes
	[ "$profile" = smoke ] && modes=off,knumad
fi
for m in ${modes//,/ }; do
	case ",$all_modes," in *",$m,"*) ;; *) echo "run.sh: unknown mode '$m'" >&2; exit 2 ;; esac
done
case "$profile" in
smoke) timeout=240 ;;
quick) timeout=900 ;;
full) timeout=3600 ;;
esac

t_start=$(date +%s)
step() { printf '[%4ds] %s\n' $(($(date +%s) - t_start)) "$*"; }
failed=0

# 1. Build the programs.
step "build: make -C bench"
if ! make -s -C "$here" >/dev/null; then
	step "FAIL build (run 'make -C bench' to see why)"
	exit 1
fi

# 2. The kernel and initramfs, copied: others rebuild them in place.
for f in "$kernel" "$initrd"; do
	if [ ! -s "$f" ]; then
		echo "run.sh: $f is missing: run 'make' first (it builds the kernel and the initramfs)" >&2
		exit 2
	fi
done
[ -n "$out" ] || out=$top/results/$(date +%Y%m%d-%H%M%S)-$topo
mkdir -p "$out/kernel" || exit 1
out=$(cd "$out" && pwd)
cp "$kernel" "$out/kernel/bzImage" && cp "$initrd" "$out/kernel/initramfs.cpio.gz" || exit 1
step "kernel: $(file -b "$kernel" | sed -n 's/.*version \([^ ]*\) .*/\1/p') ($kernel), results in $out"
{
	echo "profile $profile"
	echo "topology $topo ($nodes nodes x $cpn CPUs x $mem MiB)"
	echo "modes $modes"
	echo "workloads $workloads"
	echo "thp $thp"
	echo "sched $sched"
	echo "kernel $kernel"
	echo "kernel_sha256 $(sha256sum < "$kernel" | cut -d' ' -f1)"
	echo "host $(uname -n) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "qemu $(qemu-system-x86_64 --version | head -n 1)"
	echo "started $(date -Is)"
} > "$out/run.info"

# 3. One guest per mode, its progress lines echoed as they appear.
for mode in ${modes//,/ }; do
	dir=$out/$mode
	rm -rf "$dir"
	mkdir -p "$dir"
	step "$mode: booting $nodes nodes x $cpn CPUs x $mem MiB with the locality plugin"
	plugin="-plugin $here/locality/locality.so,nodes=$nodes,cpus_per_node=$cpn"
	plugin+=",mem_per_node_mb=$mem,out=$dir/locality.csv,interval_ms=500"
	# i440fx: the plugin maps guest physical addresses to nodes by the
	# flat layout of its legacy -numa mem= (bench/locality/README.md).
	"$top/tests/vm/run-vm.sh" -q -k "$out/kernel/bzImage" -i "$out/kernel/initramfs.cpio.gz" \
		-M pc-i440fx-5.0 -n $nodes -c $cpn -m $mem -t "$timeout" -o "$dir" -P "$plugin" -- \
		"$here/guest.sh" "$mode" "$dir" "$profile" "$workloads" "$thp" "$sched" \
		> "$dir/run-vm.log" 2>&1 &
	vm=$!
	seen=0
	while :; do
		alive=1
		kill -0 $vm 2>/dev/null || alive=0
		if [ -f "$dir/progress" ]; then
			n=$(wc -l < "$dir/progress")
			if [ "$n" -gt "$seen" ]; then
				sed -n "$((seen + 1)),${n}p" "$dir/progress" | while IFS= read -r line; do
					step "$mode: $line"
				done
				seen=$n
			fi
		fi
		[ $alive = 1 ] || break
		sleep 2
	done
	rc=0
	wait $vm || rc=$?
	case $rc in
	0) step "$mode: done" ;;
	3) step "FAIL $mode: mode not available on this kernel (see $dir/progress)"; failed=1 ;;
	124) step "FAIL $mode: guest timed out after ${timeout}s (see $dir/serial.log)"; failed=1 ;;
	*) step "FAIL $mode: guest exit $rc (see $dir/run-vm.log, $dir/output)"; failed=1 ;;
	esac
done

# 4. The report.
step "report: bench/report.py $out"
echo
if ! python3 "$here/report.py" --modes "$modes" "$out"; then
	step "FAIL report: a workload failed, was not run or not measured (see the notes above)"
	failed=1
fi
echo
echo "finished $(date -Is), $(($(date +%s) - t_start)) s" >> "$out/run.info"
step "total $(($(date +%s) - t_start)) s; results in $out"
exit $failed
