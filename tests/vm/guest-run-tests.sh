#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest: each test program in turn, its TAP saved to
# RESULTS/NAME.tap and its exit status to RESULTS/NAME.rc. Markers in the
# kernel log ("knumad-test: begin/end NAME") let the host blame any kernel
# warning on the test that was running.
#   guest-run-tests.sh RESULTS TIMEOUT PROGRAM...
results=$1 per_test_timeout=$2
shift 2
mkdir -p "$results"

# With kmemleak (the debug kernel), leaks are looked for after each test,
# inside its markers, so a report ("kmemleak: N new suspected memory
# leaks") is blamed on it. Whatever boot left behind is forgotten first.
kmemleak=/sys/kernel/debug/kmemleak
[ -e /sys/kernel/debug/kmemleak ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
leak_scan() {
	[ -w $kmemleak ] || return 0
	echo scan > $kmemleak
	echo scan > $kmemleak	# twice: objects still in flight the first time
}
if [ -w $kmemleak ]; then
	leak_scan
	echo clear > $kmemleak
fi

for prog in "$@"; do
	name=$(basename "$prog")
	echo "knumad-test: begin $name" > /dev/kmsg
	timeout -k 5 "$per_test_timeout" "$prog" > "$results/$name.tap" 2>&1
	rc=$?
	echo "$rc" > "$results/$name.rc"
	leak_scan
	echo "knumad-test: end $name $rc" > /dev/kmsg
done
dmesg > "$results/dmesg.txt"

# A boot with traceoff_on_warning (the soak) stopped tracing at its first
# warning: the events that led to it are kept for the report.
tracing=/sys/kernel/tracing
[ -e $tracing/trace ] || mount -t tracefs none $tracing 2>/dev/null
if grep -qw traceoff_on_warning /proc/cmdline &&
   [ "$(cat $tracing/tracing_on 2>/dev/null)" = 0 ]; then
	cat $tracing/trace > "$results/trace.txt"
fi
