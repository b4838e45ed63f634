#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job: benchmark knumad against no balancing, upstream NUMA
# balancing and static bindings, side by side, in QEMU TCG guests with
# emulated NUMA nodes. TCG has no remote-memory penalty, so locality is
# measured directly (the locality plugin, bench/locality) and runtime is
# modelled from it (bench/README.md).
#
# One guest per mode and repeat, booted with the locality plugin; inside
# it bench/guest.sh sets the mode up and runs every workload in turn, each
# bracketed by the plugin's markers and each working for the profile's
# measured phase (SECONDS). bench/report.py then prints the table (where
# each mode settles, how fast, at what cost, how sure) and writes CSV files
# and plots into results/<date>-<topology>/.
#
# Exit status: 0 if every step worked, 1 if a step failed (the table is
# still printed for what ran), 2 on bad usage or missing kernel.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${KNUMAD_BUILD_DIR:-$top/build}
all_modes=off,upstream,knumad,knumad-group,hard,inverse
all_workloads=memcmp,numa01,numa01_THREAD_ALLOC,numa02,phase,mix,perf-numa-mem
# Run only when named in --workloads, not by default.
optional_workloads=pinned

usage() {
	cat <<USAGE
usage: bench/run.sh [--quick | --full | --smoke] [options]

Profiles (bench/README.md has the sizes and times):
  --quick           the default: every workload, modes off, upstream, knumad,
                    knumad-group, hard; 30 s measured phases; the balancers
                    (upstream, knumad, knumad-group) run twice, off and hard once
  --full            every mode (inverse too), twice the memory, 60 s phases,
                    the balancers three times, the others once
  --smoke           numa01 only, modes off and knumad, once each, 10 s phases

Options:
  --topology T      2x2 (2 nodes x 2 CPUs x 1024 MiB, default) or 4x2 (4 nodes x
                    2 CPUs x 768 MiB); same profile
  --modes LIST      comma-separated subset of $all_modes
                    (inverse checks the meter: a bound-remote run reads ~0%)
  --workloads LIST  comma-separated subset of $all_workloads
                    (default: all); also $optional_workloads, run only when named (one
                    process pinned to the last node, its memory starting on node 0)
  --repeat N        run every mode N times (fresh guest each time) instead of
                    the profile's repeats
  --duration S      measured phase of every workload, seconds (integer >= 2),
                    instead of the profile's
  --sched [NAME]    record 'perf sched' during workload NAME (default numa01) in
                    every mode and summarise task node changes and wait latency
  --thp MODE        transparent hugepages in the guest: never (default), always
  --knumad-set LIST comma-separated NAME=VALUE: knumad tunables
                    (/sys/kernel/mm/knumad/NAME) the knumad modes set before
                    their first workload; recorded in run.info and the table
  -k FILE           kernel (default: build/obj-on/arch/x86/boot/bzImage)
  -i FILE           initramfs (default: build/initramfs.cpio.gz)
  -o DIR            results folder (default: results/<date>-<topology>)
  -h                this help
USAGE
}

profile=quick topo=2x2 modes="" workloads=all sched=- thp=never out="" repeat="" duration="" kset=-
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
	--repeat) repeat=${2:?}; shift ;;
	--duration) duration=${2:?}; shift ;;
	--sched)
		sched=numa01
		if [ $# -gt 1 ] && [[ "$2" != -* ]]; then sched=$2; shift; fi ;;
	--thp) thp=${2:?}; shift ;;
	--knumad-set) kset=${2:?}; shift ;;
	-k) kernel=${2:?}; shift ;;
	-i) initrd=${2:?}; shift ;;
	-o) out=${2:?}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

case "$topo" in
2x2) nodes=2 cpn=2 mem=1024 boot_est=35 ;;
4x2) nodes=4 cpn=2 mem=768 boot_est=60 ;;
*) echo "run.sh: topology 2x2 or 4x2, not '$topo'" >&2; exit 2 ;;
esac
case "$thp" in never|always|madvise) ;; *) echo "run.sh: --thp never, always or madvise" >&2; exit 2 ;; esac
[ "$kset" = - ] || [[ "$kset" =~ ^[a-z_]+=[0-9]+(,[a-z_]+=[0-9]+)*$ ]] ||
	{ echo "run.sh: --knumad-set wants NAME=VALUE[,NAME=VALUE...]" >&2; exit 2; }

# The profile: measured phase, default modes, repeats per mode.
case "$profile" in
smoke)	secs=10 def_modes=off,knumad balancer_runs=1 ;;
quick)	secs=30 def_modes=off,upstream,knumad,knumad-group,hard balancer_runs=2 ;;
full)	secs=60 def_modes=$all_modes balancer_runs=3 ;;
esac
[ -n "$modes" ] || modes=$def_modes
for m in ${modes//,/ }; do
	case ",$all_modes," in *",$m,"*) ;; *) echo "run.sh: unknown mode '$m'" >&2; exit 2 ;; esac
done
if [ -n "$duration" ]; then
	[[ "$duration" =~ ^[0-9]+$ ]] && [ "$duration" -ge 2 ] ||
		{ echo "run.sh: --duration wants whole seconds >= 2" >&2; exit 2; }
	secs=$duration
fi
if [ -n "$repeat" ]; then
	[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat wants a number >= 1" >&2; exit 2; }
fi
runs_of() {	# MODE: how many guests it gets
	if [ -n "$repeat" ]; then
		echo "$repeat"
		return
	fi
	case "$1" in
	upstream|knumad|knumad-group) echo "$balancer_runs" ;;
	*) echo 1 ;;
	esac
}
# The workloads that will run, for the time estimates.
if [ "$profile" = smoke ]; then plan_wl=numa01; else plan_wl=$all_workloads,$optional_workloads; fi
want=$workloads
[ "$want" = all ] && want=$all_workloads	# "all" leaves the optional ones out
nwl=0
for w in ${plan_wl//,/ }; do
	case ",$want," in *",$w,"*) nwl=$((nwl + 1)) ;; esac
done
[ "$nwl" -gt 0 ] || { echo "run.sh: no workload of profile $profile matches '$workloads'" >&2; exit 2; }
# Guests in order: every mode's first run, then the second runs, ... so
# that a change in the host's load spreads over the modes.
guests=()
maxruns=1
for m in ${modes//,/ }; do
	r=$(runs_of "$m")
	[ "$r" -le "$maxruns" ] || maxruns=$r
done
for ((r = 1; r <= maxruns; r++)); do
	for m in ${modes//,/ }; do
		[ "$(runs_of "$m")" -lt "$r" ] || guests+=("$m:$r")
	done
done
# A guest's own time limit: boot, then per workload twice its phase and
# set-up on a loaded host.
timeout=$((boot_est * 4 + nwl * (2 * secs + 90)))

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
	echo "seconds $secs"
	echo "topology $topo ($nodes nodes x $cpn CPUs x $mem MiB)"
	echo "modes $modes"
	echo -n "runs"
	for m in ${modes//,/ }; do echo -n " $m=$(runs_of "$m")"; done
	echo
	echo "workloads $workloads"
	echo "thp $thp"
	echo "sched $sched"
	echo "knumad_set $kset"
	echo "kernel $kernel"
	echo "kernel_sha256 $(sha256sum < "$kernel" | cut -d' ' -f1)"
	echo "host $(uname -n) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "qemu $(qemu-system-x86_64 --version | head -n 1)"
	# The guest runs the host's programs (its / is the host's, over 9p).
	echo "perf $(perf version 2>/dev/null || echo n/a)"
	echo "started $(date -Is)"
} > "$out/run.info"
step "profile $profile: ${#guests[@]} guests (${guests[*]}), $nwl workloads each, measured phases of $secs s"

# 3. One guest per mode and run, its progress lines echoed as they appear,
# each workload's start with an estimate of the time left: the steps and
# the guests' own overhead (boot, set-up, shut-down) measured so far, or
# the profile's guess until then.
steps_total=$((${#guests[@]} * nwl)) steps_done=0 steps_timed=0 step_sum=0
over_sum=0 guests_done=0
eta() {	# the time left after the current point, as text
	local st=$((secs + 8)) ov=$boot_est left
	[ "$steps_timed" = 0 ] || st=$((step_sum / steps_timed))
	[ "$guests_done" = 0 ] || ov=$((over_sum / guests_done))
	left=$(((steps_total - steps_done) * st + (${#guests[@]} - guests_done) * ov))
	printf 'ETA %s, %d min left' "$(date -d "@$(($(date +%s) + left))" +%H:%M)" \
		$(((left + 30) / 60))
}
g=0
for guest in "${guests[@]}"; do
	mode=${guest%:*} run=${guest#*:}
	g=$((g + 1))
	label=$mode
	[ "$(runs_of "$mode")" = 1 ] || label="$mode #$run"
	dir=$out/$mode/$run
	rm -rf "$dir"
	mkdir -p "$dir"
	step "$label: booting $nodes nodes x $cpn CPUs x $mem MiB with the locality plugin (guest $g/${#guests[@]}, $(eta))"
	plugin="-plugin $here/locality/locality.so,nodes=$nodes,cpus_per_node=$cpn"
	plugin+=",mem_per_node_mb=$mem,out=$dir/locality.csv,interval_ms=500"
	# i440fx: the plugin maps guest physical addresses to nodes by the
	# flat layout of its legacy -numa mem= (bench/locality/README.md).
	t_guest=$(date +%s)
	"$top/tests/vm/run-vm.sh" -q -k "$out/kernel/bzImage" -i "$out/kernel/initramfs.cpio.gz" \
		-M pc-i440fx-5.0 -n $nodes -c $cpn -m $mem -t "$timeout" -o "$dir" -P "$plugin" -- \
		"$here/guest.sh" "$mode" "$dir" "$profile" "$workloads" "$thp" "$sched" "$secs" \
		"$kset" > "$dir/run-vm.log" 2>&1 &
	vm=$!
	seen=0 t_step=0 guest_steps=0 guest_step_sum=0
	while :; do
		alive=1
		kill -0 $vm 2>/dev/null || alive=0
		if [ -f "$dir/progress" ]; then
			mapfile -t lines < <(sed -n "$((seen + 1)),\$p" "$dir/progress")
			for line in "${lines[@]}"; do
				seen=$((seen + 1))
				now=$(date +%s)
				case "$line" in
				"start "*)
					t_step=$now
					step "$label: $line (step $((steps_done + 1))/$steps_total, $(eta))" ;;
				"done "*|"FAIL "*)
					if [ "$t_step" != 0 ]; then
						steps_done=$((steps_done + 1))
						steps_timed=$((steps_timed + 1))
						step_sum=$((step_sum + now - t_step))
						guest_steps=$((guest_steps + 1))
						guest_step_sum=$((guest_step_sum + now - t_step))
						t_step=0
					fi
					step "$label: $line" ;;
				*)	step "$label: $line" ;;
				esac
			done
		fi
		[ $alive = 1 ] || break
		sleep 2
	done
	rc=0
	wait $vm || rc=$?
	# Steps the guest never reached count as done: the estimate is for
	# what is left to run.
	steps_done=$((steps_done + nwl - guest_steps))
	guests_done=$((guests_done + 1))
	over_sum=$((over_sum + $(date +%s) - t_guest - guest_step_sum))
	case $rc in
	0) step "$label: done" ;;
	3) step "FAIL $label: mode not available on this kernel (see $dir/progress)"; failed=1 ;;
	124) step "FAIL $label: guest timed out after ${timeout}s (see $dir/serial.log)"; failed=1 ;;
	*) step "FAIL $label: guest exit $rc (see $dir/run-vm.log, $dir/output)"; failed=1 ;;
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
