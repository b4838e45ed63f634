#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# numa-group qemu --dry-run against real QEMUs (TCG, paused with -S): the
# layout it reads must match QEMU's threads and /proc/PID/maps; hot-plugged
# vCPUs and DIMMs are seen; it exits 0 when QEMU quits or on SIGTERM; a
# guest without NUMA is refused. No numa_group system call is made, so any
# kernel will do.
# Usage: check-qemu.sh NUMA-GROUP-BINARY
# Prints PASS/FAIL per check and "N passed, N failed".

ng=$(realpath "${1:?usage: $0 NUMA-GROUP-BINARY}")
qemu=${QEMU:-qemu-system-x86_64}
pass=0
fail=0
pids=()
tmp=$(mktemp -d /tmp/ng-qemu.XXXXXX)

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$KEEP" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

check() {	# NAME CONDITION-EXIT-STATUS [DETAIL-FILE]
	if [ "$2" = 0 ]; then
		echo "PASS $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1"
		[ -n "$3" ] && sed 's/^/  /' "$3"
		fail=$((fail + 1))
	fi
}

if ! command -v "$qemu" >/dev/null; then
	echo "$qemu not installed: skipping"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

# start_qemu NAME ARGS...: QEMU paused, with QMP sockets NAME.qmp and
# NAME.qmp2; sets $qpid.
start_qemu() {
	local name=$1
	shift
	"$qemu" -S -display none -nodefaults -accel "${accel:-tcg}" "$@" \
		-qmp "unix:$tmp/$name.qmp,server=on,wait=off" \
		-qmp "unix:$tmp/$name.qmp2,server=on,wait=off" \
		> "$tmp/$name.log" 2>&1 < /dev/null &
	qpid=$!
	pids+=("$qpid")
	for _ in $(seq 50); do
		[ -S "$tmp/$name.qmp2" ] && return 0
		sleep 0.1
	done
	echo "QEMU did not start:"; cat "$tmp/$name.log"
	return 1
}

# qmp SOCKET JSON...: send commands on a second connection.
qmp() {
	python3 - "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for c in ['{"execute": "qmp_capabilities"}'] + sys.argv[2:]:
    f.write(c + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            break
    if "error" in r:
        sys.exit("QMP error: " + json.dumps(r))
PY
}

# 1. The command line of the brief: two nodes, one vCPU and 128M each.
start_qemu two -m 256 -smp 2 \
	-object memory-backend-ram,id=m0,size=128M,prealloc=on \
	-object memory-backend-ram,id=m1,size=128M,prealloc=on \
	-numa node,nodeid=0,cpus=0,memdev=m0 \
	-numa node,nodeid=1,cpus=1,memdev=m1 || exit 1
timeout 30 "$ng" qemu --qmp "$tmp/two.qmp" --dry-run --once > "$tmp/out" 2>&1
rc=$?
check "two nodes: exit 0" "$rc" "$tmp/out"
grep -q "pid $qpid: 2 guest NUMA nodes" "$tmp/out"
check "two nodes: QEMU's pid from SO_PEERCRED" $? "$tmp/out"
ok=0
for node in 0 1; do
	tid=$(sed -n "/node $node: would add vCPU $node (thread \([0-9]*\))/s//\1/p" "$tmp/out")
	[ -n "$tid" ] && [ -d "/proc/$qpid/task/$tid" ] || ok=1
	grep -q "^    vCPU $node: thread $tid\$" "$tmp/out" || ok=1
done
check "two nodes: vCPU threads are QEMU's" $ok "$tmp/out"
ok=0
for m in m0 m1; do
	range=$(sed -n "s/^    memory $m: 128.0 MiB at 0x\([0-9a-f]*\)-0x\([0-9a-f]*\) in QEMU.*/\1-\2/p" "$tmp/out")
	# prealloc=on: one mapping of exactly 128 MiB, private anonymous
	grep -q "^$range rw-p 00000000 00:00 0 " "/proc/$qpid/maps" || ok=1
done
check "two nodes: backend addresses are QEMU's 128 MiB mappings" $ok "$tmp/out"
grep -q "dry run: no numa group created" "$tmp/out"
check "two nodes: dry run" $? "$tmp/out"

# 2. Watching: hot-plugged vCPU and DIMM, then QEMU quits.
start_qemu hot -m 256,slots=2,maxmem=1G -smp 2,maxcpus=4 \
	-object memory-backend-ram,id=m0,size=128M \
	-object memory-backend-ram,id=m1,size=128M \
	-numa node,nodeid=0,cpus=0,cpus=2,memdev=m0 \
	-numa node,nodeid=1,cpus=1,cpus=3,memdev=m1 || exit 1
timeout 60 "$ng" qemu --qmp "$tmp/hot.qmp" --dry-run --interval 0.2 \
	> "$tmp/watch" 2>&1 &
ngpid=$!
pids+=("$ngpid")
sleep 1
qmp "$tmp/hot.qmp2" \
	'{"execute": "device_add", "arguments": {"driver": "qemu64-x86_64-cpu", "id": "c3", "socket-id": 0, "core-id": 3, "thread-id": 0}}' \
	'{"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "d1", "size": 67108864}}' \
	'{"execute": "device_add", "arguments": {"driver": "pc-dimm", "id": "dimm1", "memdev": "d1", "node": 0}}' \
	>> "$tmp/watch" 2>&1
sleep 1
# cpu-index follows the topology: core 3 is vCPU 3
grep -q "node 1: would add hot-plugged vCPU 3 (thread [0-9]*)" "$tmp/watch"
check "hot-plug: vCPU seen on its node" $? "$tmp/watch"
range=$(sed -n 's/^node 0: would add hot-plugged dimm dimm1 d1 (64.0 MiB at 0x\([0-9a-f]*\)-0x\([0-9a-f]*\))/\1-\2/p' "$tmp/watch")
[ -n "$range" ] && grep -q "^$range rw-p" "/proc/$qpid/maps"
check "hot-plug: DIMM seen, at a QEMU mapping of its size" $? "$tmp/watch"
qmp "$tmp/hot.qmp2" '{"execute": "quit"}' >> "$tmp/watch" 2>&1
wait "$ngpid"
rc=$?
grep -q "QEMU exited (QMP connection closed)" "$tmp/watch"
check "QEMU quits: numa-group exits 0" $(( rc || $? )) "$tmp/watch"

# 3. SIGTERM ends the watch with status 0.
start_qemu term -m 128 -smp 1 \
	-object memory-backend-ram,id=m0,size=128M \
	-numa node,nodeid=0,cpus=0,memdev=m0 || exit 1
"$ng" qemu --qmp "$tmp/term.qmp" --dry-run > "$tmp/term" 2>&1 &
ngpid=$!
sleep 1
kill -TERM "$ngpid"
wait "$ngpid"
rc=$?
grep -q "Terminated: exiting" "$tmp/term"
check "SIGTERM: exit 0" $(( rc || $? )) "$tmp/term"

# 4. Single-threaded TCG: two nodes, one thread.
accel=tcg,thread=single start_qemu single -m 256 -smp 2 \
	-object memory-backend-ram,id=m0,size=128M \
	-object memory-backend-ram,id=m1,size=128M \
	-numa node,nodeid=0,cpus=0,memdev=m0 \
	-numa node,nodeid=1,cpus=1,memdev=m1 || exit 1
timeout 30 "$ng" qemu --qmp "$tmp/single.qmp" --dry-run --once > "$tmp/single" 2>&1
grep -q "single-threaded TCG" "$tmp/single"
check "single-threaded TCG: shared vCPU thread warned about" $? "$tmp/single"

# 5. No vNUMA: refused with a clear message.
start_qemu flat -m 128 -smp 2 || exit 1
timeout 30 "$ng" qemu --qmp "$tmp/flat.qmp" --dry-run --once > "$tmp/flat" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "guest has no NUMA nodes (-numa): nothing to group" "$tmp/flat"
check "no NUMA: exit 1 with a message" $? "$tmp/flat"

# 6. Without --dry-run: on a kernel without the calls, the layout, then
# the reason; on a knumad kernel, the groups.
if true; then
	timeout 30 "$ng" qemu --qmp "$tmp/two.qmp" --once > "$tmp/real" 2>&1
	rc=$?
	if grep -q "has no numa_group system calls" "$tmp/real"; then
		[ $rc = 1 ] && grep -q "2 guest NUMA nodes" "$tmp/real"
		check "no numa_group calls: layout, then exit 1" $? "$tmp/real"
	else
		[ $rc = 0 ] && grep -q "node 0: group fd" "$tmp/real"
		check "numa_group calls present: groups made" $? "$tmp/real"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
