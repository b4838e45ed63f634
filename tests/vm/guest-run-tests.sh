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
for prog in "$@"; do
	name=$(basename "$prog")
	echo "knumad-test: begin $name" > /dev/kmsg
	timeout -k 5 "$per_test_timeout" "$prog" > "$results/$name.tap" 2>&1
	rc=$?
	echo "$rc" > "$results/$name.rc"
	echo "knumad-test: end $name $rc" > /dev/kmsg
done
dmesg > "$results/dmesg.txt"
