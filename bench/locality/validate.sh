#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Validate the locality meter: boot one 2-node x 2-CPU guest with the plugin
# loaded and run the sweep under three bindings, then a workload under the
# benchmark's inverse binding. Each sweep brackets its read
# phase with two markers, so each phase's counts are exact differences of the
# plugin's cumulative counts, free of boot, program start-up and page faults:
#
#   bound-local   numactl --cpunodebind=0 --membind=0   >= 99% local  (user)
#   bound-remote  numactl --cpunodebind=0 --membind=1   >= 99% remote (user)
#   unbound       no binding                            reported, not bounded
#   inverse       bench/workloads/numa02 -B inverse     >= 99% remote (user)
#
# The last is the benchmark's own "inverse" mode end to end (run.sh
# --modes inverse): a workload's own bindings and its markers, which
# bracket its time-based measured phase.
#
# plus two checks of the meter itself: every phase saw at least one full read
# pass of user accesses, and the time series sums exactly to the totals.
# Prints one PASS/FAIL line per check, then "N passed, N failed"; exits 1 if
# anything failed, 2 if the guest run itself failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${KNUMAD_BUILD_DIR:-$top/build}

usage() {
	cat <<USAGE
usage: validate.sh [-k BZIMAGE] [-i INITRAMFS] [-o DIR] [-s MiB] [-t SEC]

  -k FILE   kernel (default: build/obj-on/arch/x86/boot/bzImage, copied into
            the run folder first, as others may rebuild it meanwhile)
  -i FILE   initramfs (default: build/initramfs.cpio.gz, copied likewise)
  -o DIR    run folder (default: build/vm/locality-<date>-<pid>)
  -s MiB    sweep and numa02 buffer size (default 128)
  -t SEC    read time (sweep) or measured phase (numa02) per phase (default 3)
USAGE
}

kernel=$build/obj-on/arch/x86/boot/bzImage
initrd=$build/initramfs.cpio.gz
out="" mib=128 secs=3
while getopts "k:i:o:s:t:h" opt; do
	case "$opt" in
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	o) out=$OPTARG ;;
	s) mib=$OPTARG ;;
	t) secs=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ -r "$kernel" ] || { echo "validate: no kernel $kernel" >&2; exit 2; }
[ -r "$initrd" ] || { echo "validate: no initramfs $initrd" >&2; exit 2; }

make -s -C "$here/.." >&2	# the meter and the workloads
[ -n "$out" ] || out=$build/vm/locality-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$kernel" "$out/bzImage"
cp "$initrd" "$out/initramfs.cpio.gz"
csv=$out/locality.csv

nodes=2 cpn=2 mem=1024
phases=(bound-local bound-remote unbound inverse)
binds=("numactl --cpunodebind=0 --membind=0" "numactl --cpunodebind=0 --membind=1" "" "-B inverse")

# Phase i uses markers 2i (start) and 2i+1 (end): the sweep's read phase,
# or the workload's measured phase (its marker 2i+2 is not used by numa02).
guest=""
for i in "${!phases[@]}"; do
	guest+="echo '== ${phases[i]}: ${binds[i]:-no binding}'; "
	if [ "${phases[i]}" = inverse ]; then
		guest+="$here/../workloads/numa02 ${binds[i]} -s $mib -d $secs -m $((2 * i)) || exit 1; "
	else
		guest+="${binds[i]} $here/sweep -s $mib -t $secs -m $((2 * i)) || exit 1; "
	fi
done

echo "== booting ${nodes} nodes x ${cpn} CPUs x ${mem} MiB with the locality plugin; run folder $out"
rc=0
"$top/tests/vm/run-vm.sh" -k "$out/bzImage" -i "$out/initramfs.cpio.gz" -o "$out" \
	-n $nodes -c $cpn -m $mem -t 300 \
	-P "-plugin $here/locality.so,nodes=$nodes,cpus_per_node=$cpn,mem_per_node_mb=$mem,out=$csv" \
	-- sh -c "$guest" || rc=$?
if [ "$rc" != 0 ] || [ ! -s "$csv" ]; then
	echo "validate: guest run failed (exit $rc); see $out" >&2
	exit 2
fi
grep -h '^locality:' "$out/qemu.log" || true

# One awk pass over the CSV: per phase, the user-mode local / remote / other
# accesses between its two markers; and the interval series against totals.
awk -F, -v nphases=${#phases[@]} -v names="${phases[*]}" -v minacc=$((mib * 131072)) '
function cls(v, m) {
	if (v == "other" || m == "other")
		return "other"
	return v == m ? "local" : "remote"
}
$1 == "mark" && $6 == "user" { mk[$2, cls($4, $5)] += $7; seen[$2] = 1 }
$1 == "interval" { iv[$4, $5, $6] += $7 }
$1 == "total" { tot[$4, $5, $6] = $7; ntot++ }
$1 == "local_fraction" && $6 == "user" { frac = $7 }
END {
	split(names, name, " ")
	pass = fail = 0
	for (p = 0; p < nphases; p++) {
		a = 2 * p; b = a + 1
		if (!(a in seen) || !(b in seen)) {
			printf "FAIL %-13s markers %d/%d missing from the CSV\n", name[p + 1], a, b
			fail++
			continue
		}
		l = mk[b, "local"] - mk[a, "local"]
		r = mk[b, "remote"] - mk[a, "remote"]
		o = mk[b, "other"] - mk[a, "other"]
		n = l + r + o
		lp = n ? 100 * l / n : 0
		rp = n ? 100 * r / n : 0
		if (name[p + 1] == "bound-local") {
			ok = lp >= 99; bound = ">= 99% local"
		} else if (name[p + 1] == "bound-remote" || name[p + 1] == "inverse") {
			ok = rp >= 99; bound = ">= 99% remote"
		} else {
			ok = 1; bound = "no bound"
		}
		ok = ok && n >= minacc
		printf "%s %-13s user accesses %.0f (local %.0f, remote %.0f, other %.0f): local %.5f%%, remote %.5f%% (%s; >= %.0f accesses)\n",
		       ok ? "PASS" : "FAIL", name[p + 1], n, l, r, o, lp, rp, bound, minacc
		if (ok) pass++; else fail++
	}
	bad = 0
	for (k in tot)
		if (iv[k] != tot[k]) bad++
	if (ntot && !bad) {
		printf "PASS time series sums to the totals in all %d cells\n", ntot; pass++
	} else {
		printf "FAIL time series differs from the totals in %d of %d cells\n", bad, ntot; fail++
	}
	printf "(whole run, boot included: user local fraction %s)\n", frac == "" ? "missing" : frac
	printf "%d passed, %d failed\n", pass, fail
	exit fail ? 1 : 0
}' "$csv"
