#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest (bench/run.sh boots one guest per mode and runs
# this): set the mode up, then run every workload of the profile in turn.
# Per workload NAME it writes into OUT:
#   NAME.before, NAME.after   /proc/vmstat, /sys/kernel/mm/knumad/*, the
#                             knumad thread's CPU ticks, uptime
#   NAME.log                  the workload's samples and results (common.h)
#   NAME.out                  its stdout and stderr
#   NAME.meta                 command, exit status, guest wall seconds,
#                             first marker id
#   NAME.sched-*.txt          with --sched NAME: perf sched summaries
# and OUT/info (kernel, topology, settings), OUT/progress (one line per
# step, which run.sh prints as it appears). Exit status: 0, 1 if a workload
# failed, 3 if the mode cannot be set up on this kernel.
#
#   guest.sh MODE OUT PROFILE WORKLOADS THP SCHED
#   MODE       off | upstream | knumad | knumad-group | hard | inverse
#              (knumad-group: knumad, and our workloads get -G: they put
#              what belongs together into numa_groups where they can)
#   PROFILE    smoke | quick | full
#   WORKLOADS  comma-separated names, or "all"
#   THP        never | always | madvise
#   SCHED      a workload to record with perf sched, or "-"
set -u

mode=$1 out=$2 profile=$3 only=$4 thp=$5 sched=$6
bench=$(cd "$(dirname "$0")" && pwd)
W=$bench/workloads

progress() { echo "$*" >> "$out/progress"; }
die() { progress "FAIL $1"; echo "guest: $1" >&2; exit "${2:-1}"; }

nodes=0
for n in /sys/devices/system/node/node[0-9]*; do
	[ -d "$n" ] && nodes=$((nodes + 1))
done
cpus=$(getconf _NPROCESSORS_ONLN)
cpn=$((cpus / nodes))

# --- The workloads: name|command (without -B/-m/-o, added below). ---------
# Sizes for a guest with 768-1024 MiB per node; see bench/README.md.
plan() {
	local s=1 l=1
	case "$profile" in
	smoke)
		echo "numa01|$W/numa01 -s 32 -l 24"
		return ;;
	full) s=2 l=2 ;;
	esac
	echo "memcmp|$W/memcmp -s $((64 * s)) -l $((10 * l))"
	echo "numa01|$W/numa01 -s $((64 * s)) -l $((10 * l))"
	echo "numa01_THREAD_ALLOC|$W/numa01 -A -s $((64 * s)) -l $((20 * l))"
	echo "numa02|$W/numa02 -s $((128 * s)) -l $((20 * l))"
	echo "phase|$W/phase -q $((4 * l)) -s $((128 * s)) -l $((20 * l))"
	echo "mix|$W/mix -s $((48 * s)) -l $((8 * l)) -g $((1 * l)) -q $((6 * l))"
	echo "perf-numa-mem|perf bench numa mem -p $nodes -t $cpn -P $((64 * s)) -l $((5 * l)) -s 600 -z --thp -1"
}

# perf bench numa's own bindings, one CPU per task: process p's threads on
# node p's CPUs, memory bound to node p (hard) or half-way round (inverse).
# Unbound, -0 puts all memory on CPU 0's node first (numa01's worst start);
# bound, each process writes its memory under its first thread's binding.
perf_binds() {
	local p t c="" m=""
	if [ "$1" = none ]; then
		echo "-0"
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
	echo "-C $c -M $m"
}

# Counter snapshots use shell builtins only: every program started in the
# guest is loaded over 9p under TCG, which costs seconds on a loaded host.
snap() {
	local f v a
	{
		while IFS= read -r v; do
			printf '%s\n' "$v"
		done < /proc/vmstat
		for f in /sys/kernel/mm/knumad/*; do
			[ -f "$f" ] && read -r v < "$f" 2>/dev/null && echo "knumad.${f##*/} $v"
		done
		# utime + stime of the knumad thread (fields 14 and 15).
		if [ -n "$kpid" ] && read -r -a a < "/proc/$kpid/stat" 2>/dev/null; then
			echo "kthread.ticks $((a[13] + a[14]))"
		fi
		echo "clock.ticks_per_s $hz"
		read -r v _ < /proc/uptime
		echo "uptime $v"
	} > "$1"
}

usecs() {	# $EPOCHREALTIME as microseconds
	local t=${1/[.,]/}
	echo $((10#$t))
}

setflag() {	# FILE VALUE: write a /proc/sys or /sys file, report failure
	[ -e "$1" ] || return 2
	echo "$2" 2>/dev/null > "$1"
}

mkdir -p "$out" || exit 1
: > "$out/progress"

# --- Mode ----------------------------------------------------------------
knumad_sysctl=/proc/sys/kernel/knumad
nb_sysctl=/proc/sys/kernel/numa_balancing
bind=none group=
setflag "$knumad_sysctl" 0
setflag "$nb_sysctl" 0 || die "cannot write kernel.numa_balancing" 3
case "$mode" in
off) ;;
hard|inverse) bind=$mode ;;
upstream)
	setflag "$nb_sysctl" 1 || die "kernel.numa_balancing=1 refused" 3 ;;
knumad|knumad-group)
	[ "$mode" = knumad-group ] && group=-G
	[ -e "$knumad_sysctl" ] || die "this kernel has no kernel.knumad sysctl" 3
	setflag "$knumad_sysctl" 1 || die "kernel.knumad=1 refused" 3
	sleep 1
	pgrep -x knumad > /dev/null || die "kernel.knumad=1 but no knumad thread" 3 ;;
*)	die "unknown mode $mode" 3 ;;
esac
if [ -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	setflag /sys/kernel/mm/transparent_hugepage/enabled "$thp" || die "cannot set THP $thp" 3
fi
[ "$sched" = - ] || setflag /proc/sys/kernel/sched_schedstats 1
kpid=$(pgrep -x knumad | head -n 1)
hz=$(getconf CLK_TCK)

{
	echo "kernel $(uname -r)"
	echo "kernel_version $(cat /proc/version)"
	echo "cmdline $(cat /proc/cmdline)"
	echo "mode $mode"
	echo "bind $bind"
	if [ -n "$group" ]; then echo "numa_group -G"; else echo "numa_group no"; fi
	echo "profile $profile"
	echo "nodes $nodes"
	echo "cpus $cpus"
	echo "thp $(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
	echo "numa_balancing $(cat $nb_sysctl)"
	echo "knumad $(cat $knumad_sysctl 2>/dev/null || echo n/a)"
	for f in /sys/kernel/mm/knumad/*; do
		[ -f "$f" ] && echo "knumad.${f##*/} $(cat "$f" 2>/dev/null)"
	done
	echo "perf $(perf version 2>/dev/null || echo n/a)"
	numactl -H | sed 's/^/numactl /'
} > "$out/info"
progress "mode $mode ready: numa_balancing=$(cat $nb_sysctl) knumad=$(cat $knumad_sysctl 2>/dev/null || echo n/a) bind=$bind${group:+ numa_group=-G} thp=$thp"

# --- Workloads -------------------------------------------------------------
failed=0 i=0
plan > "$out/plan"	# (no /dev/fd in the guest for a process substitution)
while IFS='|' read -r name cmd; do
	case ",$only," in *",$name,"*|",all,") ;; *) continue ;; esac
	base=$((4 * i))
	i=$((i + 1))
	log=$out/$name.log
	: > "$log"
	case "$name" in
	perf-*)
		args=$(perf_binds "$bind")
		# perf bench numa is a host binary: sampled from outside, and
		# never grouped (it has no numa_group option).
		full="$W/numasample -m $base -o $log -- $cmd $args" ;;
	*)	full="$cmd -B $bind ${group:+$group }-m $base -o $log" ;;
	esac
	if [ "$name" = "$sched" ]; then
		full="perf sched record -q -o /tmp/sched.data -- $full"
	fi
	progress "start $name"
	snap "$out/$name.before"
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2086 # commands are word lists by design
	$full > "$out/$name.out" 2>&1 < /dev/null
	rc=$?
	t1=$EPOCHREALTIME
	snap "$out/$name.after"
	us=$(($(usecs "$t1") - $(usecs "$t0")))
	printf -v wall "%d.%03d" $((us / 1000000)) $((us % 1000000 / 1000))
	printf 'cmd %s\nrc %d\nwall_s %s\nmark %d\n' "$full" "$rc" "$wall" "$base" > "$out/$name.meta"
	case "$name" in perf-*) echo "threads $((nodes * cpn))" >> "$out/$name.meta" ;; esac
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
