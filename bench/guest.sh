#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest (bench/run.sh boots one guest per mode and runs
# this): set the mode up, then run every workload of the profile in turn.
# Per workload NAME it writes into OUT:
#   NAME.before, NAME.after   /proc/vmstat, /sys/kernel/mm/knumad/*, the
#                             knumad thread's CPU ticks, uptime
#   NAME.log                  the workload's samples, work and CPU time
#                             (common.h)
#   NAME.out                  its stdout and stderr
#   NAME.meta                 command, exit status, guest wall seconds,
#                             first marker id
#   NAME.sched-*.txt          with --sched NAME: perf sched summaries
# and OUT/info (kernel, topology, settings), OUT/progress (one line per
# step, which run.sh prints as it appears). Exit status: 0, 1 if a workload
# failed, 3 if the mode cannot be set up on this kernel.
#
#   guest.sh MODE OUT PROFILE WORKLOADS THP SCHED SECONDS KNUMAD_SET
#   MODE       off | upstream | knumad | knumad-group | hard | inverse
#              (knumad-group: knumad, and our workloads get -G: they put
#              what belongs together into numa_groups where they can)
#   PROFILE    smoke | quick | full (sizes; see bench/README.md)
#   WORKLOADS  comma-separated names, or "all"
#   THP        never | always | madvise
#   SCHED      a workload to record with perf sched, or "-"
#   SECONDS    length of every workload's measured phase (-d)
#   KNUMAD_SET comma-separated NAME=VALUE knumad tunables the knumad modes
#              set first, or "-"
set -u

mode=$1 out=$2 profile=$3 only=$4 thp=$5 sched=$6 secs=${7:-30} kset=${8:--}
bench=${0%/*}	# run.sh gives an absolute path
W=$bench/workloads

progress() { echo "$*" >> "$out/progress"; }
die() { progress "FAIL $1"; echo "guest: $1" >&2; exit "${2:-1}"; }

nodes=0
for n in /sys/devices/system/node/node[0-9]*; do
	[ -d "$n" ] && nodes=$((nodes + 1))
done
cpus=0
for c in /sys/devices/system/cpu/cpu[0-9]*; do
	[ -d "$c" ] && cpus=$((cpus + 1))
done
cpn=$((cpus / nodes))

# --- The workloads: name|command (without -B/-m/-o, added below). ---------
# Each measured phase lasts $secs seconds (-d; perf bench numa: -s, loops
# unlimited). Sizes for a guest with 768-1024 MiB per node, small enough that
# set-up (allocation and first touch under TCG with the plugin) takes a few
# seconds; see bench/README.md.
plan() {
	local s=1 q=1 d=$secs
	case "$profile" in
	smoke)
		echo "numa01|$W/numa01 -s 32 -d $d"
		return ;;
	full) s=2 q=2 ;;
	esac
	echo "memcmp|$W/memcmp -s $((64 * s)) -d $d"
	echo "numa01|$W/numa01 -s $((64 * s)) -d $d"
	echo "numa01_THREAD_ALLOC|$W/numa01 -A -s $((64 * s)) -d $d"
	echo "numa02|$W/numa02 -s $((64 * s)) -d $d"
	echo "phase|$W/phase -q $((4 * q)) -s $((64 * s)) -d $d"
	echo "mix|$W/mix -s $((48 * s)) -d $d -g $((1 * q)) -q $((6 * q))"
	echo "perf-numa-mem|perf bench numa mem -p $nodes -t $cpn -P $((64 * s)) -s $d -z --thp -1"
	# Only when asked for by name (not in "all"): a process pinned to the
	# last node, its memory first written on node 0; the memory must follow.
	case ",$only," in *,pinned,*)
		echo "pinned|$W/numa01 -p 1 -t $cpn -P $((nodes - 1)) -s $((128 * s)) -d $d" ;;
	esac
}

# perf bench numa's own bindings, one CPU per task: process p's threads on
# node p's CPUs, memory bound to node p (hard) or half-way round (inverse).
# Unbound, -0 puts all memory on CPU 0's node first (numa01's worst start);
# bound, each process writes its memory under its first thread's binding.
perf_binds() {	# sets pargs (no subshell: a fork costs up to 0.5 s here)
	local p t c="" m=""
	if [ "$1" = none ]; then
		pargs="-0"
		return
	fi
	for ((p = 0; p < nodes; p++)); do
		for ((t = 0; t < cpn; t++)); do
			c+="${c:+,}$((p * cpn + t))"
			if [ "$1" = hard ]; then
				m+="${m:+,}$p"
			else
				m+="${m:+,}$(((p + nodes / 2) % nodes))"
			fi
		done
	done
	pargs="-C $c -M $m"
}

# Between workloads the guest uses shell builtins only, no subshells, and
# few writes: under TCG on a busy host every program started in the guest
# is loaded over 9p (0.5-2 s each, perf 4-13 s), a fork costs up to 0.5 s
# and every write to the results folder is a 9p round trip.
snap() {	# FILE: the counters, gathered first and written at once
	local f v a lines
	mapfile -t lines < /proc/vmstat
	for f in /sys/kernel/mm/knumad/*; do
		[ -f "$f" ] && read -r v < "$f" 2>/dev/null && lines+=("knumad.${f##*/} $v")
	done
	# utime + stime of the knumad thread (fields 14 and 15).
	if [ -n "$kpid" ] && read -r -a a < "/proc/$kpid/stat" 2>/dev/null; then
		lines+=("kthread.ticks $((a[13] + a[14]))")
	fi
	lines+=("clock.ticks_per_s $hz")
	read -r v _ < /proc/uptime
	lines+=("uptime $v")
	printf '%s\n' "${lines[@]}" > "$1"
}

setflag() {	# FILE VALUE: write a /proc/sys or /sys file, report failure
	[ -e "$1" ] || return 2
	echo "$2" 2>/dev/null > "$1"
}

kthread() {	# sets kpid to the knumad thread's pid; false if there is none
	local d c
	kpid=
	for d in /proc/[0-9]*; do
		read -r c < "$d/comm" 2>/dev/null || continue
		[ "$c" = knumad ] && { kpid=${d#/proc/}; return 0; }
	done
	return 1
}

val() {	# FILE: sets v to its first line, or n/a
	read -r v < "$1" 2>/dev/null || v=n/a
}

[ -d "$out" ] || exit 1
: > "$out/progress"

# --- Mode ----------------------------------------------------------------
knumad_sysctl=/proc/sys/kernel/knumad
nb_sysctl=/proc/sys/kernel/numa_balancing
bind=none group=
setflag "$knumad_sysctl" 0
setflag "$nb_sysctl" 0 || die "cannot write kernel.numa_balancing" 3
knumad_on() {	# enable knumad (again) and find its thread
	local try
	setflag "$knumad_sysctl" 1 || die "kernel.knumad=1 refused" 3
	for try in 1 2 3 4 5 6 7 8 9 10; do
		kthread && return
		sleep 0.2
	done
	die "kernel.knumad=1 but no knumad thread" 3
}

case "$mode" in
off) ;;
hard|inverse) bind=$mode ;;
upstream)
	setflag "$nb_sysctl" 1 || die "kernel.numa_balancing=1 refused" 3 ;;
knumad|knumad-group)
	[ "$mode" = knumad-group ] && group=-G
	[ -e "$knumad_sysctl" ] || die "this kernel has no kernel.knumad sysctl" 3
	if [ "$kset" != - ]; then
		for kv in ${kset//,/ }; do
			setflag "/sys/kernel/mm/knumad/${kv%%=*}" "${kv#*=}" ||
				die "knumad tunable $kv refused" 3
		done
	fi
	knumad_on ;;
*)	die "unknown mode $mode" 3 ;;
esac
if [ -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	setflag /sys/kernel/mm/transparent_hugepage/enabled "$thp" || die "cannot set THP $thp" 3
fi
[ "$sched" = - ] || setflag /proc/sys/kernel/sched_schedstats 1
kthread
hz=100	# USER_HZ, the unit of /proc/PID/stat times on x86

val /sys/kernel/mm/transparent_hugepage/enabled
thp_now=n/a
[[ "$v" =~ \[([a-z]+)\] ]] && thp_now=${BASH_REMATCH[1]}
val $nb_sysctl; nb_now=$v
val $knumad_sysctl; knumad_now=$v
info=("mode $mode" "bind $bind" "numa_group ${group:-no}" "profile $profile" "seconds $secs"
      "nodes $nodes" "cpus $cpus" "thp $thp_now" "numa_balancing $nb_now" "knumad $knumad_now")
val /proc/sys/kernel/osrelease; info+=("kernel $v")
val /proc/version; info+=("kernel_version $v")
val /proc/cmdline; info+=("cmdline $v")
for f in /sys/kernel/mm/knumad/*; do
	[ -f "$f" ] && val "$f" && info+=("knumad.${f##*/} $v")
done
# The topology (what numactl -H shows), without loading numactl.
for n in /sys/devices/system/node/node[0-9]*; do
	[ -d "$n" ] || continue
	val "$n/cpulist"
	while read -r a b c d e; do
		[ "$c" = MemTotal: ] && info+=("node ${n##*node} cpus $v mem $d $e")
	done < "$n/meminfo"
done
printf '%s\n' "${info[@]}" > "$out/info"
progress "mode $mode ready: numa_balancing=$nb_now knumad=$knumad_now bind=$bind${group:+ numa_group=-G} thp=$thp_now"

# --- Workloads -------------------------------------------------------------
failed=0 i=0
plan > "$out/plan"	# (no /dev/fd in the guest for a process substitution)
while IFS='|' read -r name cmd; do
	case ",$only," in *",$name,"*|",all,") ;; *) continue ;; esac
	base=$((4 * i))
	i=$((i + 1))
	log=$out/$name.log
	threads=
	case "$name" in
	perf-*)
		perf_binds "$bind"
		threads="threads $((nodes * cpn))"
		# perf bench numa is a host binary: sampled from outside, and
		# never grouped (it has no numa_group option). Its measured
		# phase starts when it prints "threads initialized" (set-up
		# done, its threads start working); line-buffered so that
		# numasample sees the line at once.
		full="$W/numasample -m $base -o $log -w initialized -- stdbuf -oL $cmd $pargs" ;;
	*)	full="$cmd -B $bind ${group:+$group }-m $base -o $log" ;;
	esac
	if [ "$name" = "$sched" ]; then
		full="perf sched record -q -o /tmp/sched.data -- $full"
	fi
	# Every workload starts from knumad's state at enabling (nothing
	# tracked, a full CPU budget), as it starts from upstream's fresh
	# per-task state, not from what the workload before it left.
	if [ -n "$group" ] || [ "$mode" = knumad ]; then
		setflag "$knumad_sysctl" 0 || die "kernel.knumad=0 refused" 3
		knumad_on
	fi
	progress "start $name"
	snap "$out/$name.before"
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2086 # commands are word lists by design
	$full > "$out/$name.out" 2>&1 < /dev/null
	rc=$?
	t1=$EPOCHREALTIME
	snap "$out/$name.after"
	us=$((10#${t1/[.,]/} - 10#${t0/[.,]/}))	# $EPOCHREALTIME in microseconds
	printf -v wall "%d.%03d" $((us / 1000000)) $((us % 1000000 / 1000))
	printf 'cmd %s\nrc %d\nwall_s %s\nmark %d\n%s' "$full" "$rc" "$wall" "$base" \
		"${threads:+$threads$'\n'}" > "$out/$name.meta"
	if [ "$name" = "$sched" ] && [ -s /tmp/sched.data ]; then
		perf sched latency -i /tmp/sched.data > "$out/$name.sched-latency.txt" 2>&1
		# Task migrations between CPUs of different nodes, per command.
		perf script -i /tmp/sched.data -F event,trace 2>/dev/null |
			awk -v cpn="$cpn" '/sched_migrate_task/ {
				for (f = 1; f <= NF; f++) {
					split($f, kv, "=")
					v[kv[1]] = kv[2]
				}
				all[v["comm"]]++
				if (int(v["orig_cpu"] / cpn) != int(v["dest_cpu"] / cpn))
					cross[v["comm"]]++
			}
			END { for (c in all) printf "%s %d %d\n", c, all[c], cross[c] }' \
			> "$out/$name.sched-migrations.txt"
		rm -f /tmp/sched.data
	fi
	if [ "$rc" != 0 ]; then
		failed=1
		progress "FAIL $name exit $rc (see $name.out)"
	else
		progress "done $name $wall s"
	fi
done < "$out/plan"
[ "$i" -gt 0 ] || die "no workload matches '$only'"
dmesg > "$out/dmesg.txt" 2>/dev/null
exit $failed
