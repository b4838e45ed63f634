#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the project needs, if any is missing. Runs as
# root (or through sudo); does nothing when everything is there.
set -euo pipefail

packages=(
	# the kernel and its build
	linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev
	cpio xz-utils kmod patch python3 perl rsync
	# booting and running guests
	qemu-system-x86 busybox-static coreutils
	# programs run inside the guest, from the host's root
	numactl libnuma-dev stress-ng linux-perf
	# review checks
	sparse git
	# plots of the benchmark report
	gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "  DEPS    installing: ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
