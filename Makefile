# SPDX-License-Identifier: GPL-2.0
#
# knumad: the project's driver. This file is never copied into the kernel
# tree (scripts/overlay.map); the kernel's own Makefile stays untouched.
#
#   make          install missing packages, prepare the tree, build the
#                 knumad kernel, the initramfs and the test programs
#   make check    build what the tests need, then run them all (tests/check.py)
#   make bench    build, boot 2-node guests and run the benchmarks side by side
#   make vm CMD="numactl -H" [VM_ARGS="-n 4 -c 2 -m 768"]
#                 boot the knumad kernel and run one command in it
#   make patches  the series for review: build/series/ (git format-patch,
#                 cover letter, against the pristine tree); BISECT=1 also
#                 builds every patch with CONFIG_KNUMAD=y and =n
#   make lint     checkpatch, kernel-doc, W=1, sparse and the uapi header
#                 test on the series and our files [LINT_FLAGS=--no-build]
#   make check-kcsan  the behaviour and stress tests on a KCSAN kernel
#   make check-soak   the long soak: 30 min of stress on the debug kernel
#                     (SOAK=soak-control: the same with knumad off)
#   make tools    libnumagroup and the numa-group tool (build/numa-group/)
#   make clean    remove build outputs but keep the unpacked tree
#   make distclean remove build/ entirely

BUILD		:= $(CURDIR)/build
TREE		:= $(BUILD)/linux
SELFTEST_SRCS	:= $(wildcard tests/selftests/*_test.c)
SELFTESTS	:= $(patsubst tests/selftests/%.c,$(BUILD)/selftests/%,$(SELFTEST_SRCS))
INITRAMFS	:= $(BUILD)/initramfs.cpio.gz
CFLAGS_TEST	:= -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-clobbered -D_GNU_SOURCE \
		   -I$(TREE)/tools/testing/selftests -I$(CURDIR)/include/uapi

export KNUMAD_BUILD_DIR := $(BUILD)

# One kernel build at a time (they use every core already), in the order
# the targets are named.
.NOTPARALLEL:

.PHONY: all deps tree kernel-on kernel-check kernel-off kernels initramfs \
	selftests tools check check-kcsan check-soak kernel-kcsan bench vm patches lint clean distclean

all: kernel-on initramfs selftests tools

deps:
	@scripts/install-deps.sh

tree: deps
	@scripts/prepare-tree.sh

kernel-on kernel-check kernel-off kernel-kcsan: tree
	@scripts/build-kernel.sh $(patsubst kernel-%,%,$@)

kernels: kernel-on kernel-check kernel-off

$(INITRAMFS): tests/vm/init scripts/mk-initramfs.sh | deps
	@mkdir -p $(BUILD)
	@scripts/mk-initramfs.sh $@

initramfs: $(INITRAMFS)

$(BUILD)/selftests/%: tests/selftests/%.c $(wildcard tests/selftests/*.h) | tree
	@mkdir -p $(BUILD)/selftests
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_TEST) -o $@ $< -lpthread

selftests: $(SELFTESTS) tools

# The numa-group tool and libnumagroup (the QEMU test in the guest uses it).
tools:
	@$(MAKE) -s -C tools/numa-group OUTPUT=$(BUILD)/numa-group/

check: kernel-check kernel-off initramfs selftests
	@scripts/lint.sh
	@$(MAKE) -s -C tools/numa-group OUTPUT=$(BUILD)/numa-group/ check
	@python3 tests/check.py --build $(BUILD)

# The same tests on a KCSAN kernel: an option, not part of make check.
check-kcsan: kernel-kcsan initramfs selftests
	@python3 tests/check.py --build $(BUILD) --boots tests/boots-kcsan.conf

# The long soak (30 min of stress, 100000 fuzzer calls) on the debug kernel.
SOAK ?= soak
check-soak: kernel-check initramfs selftests
	@python3 tests/check.py --build $(BUILD) --boots tests/boots-soak.conf \
		--only $(SOAK) --test-timeout 2400

bench: all
	@bench/run.sh

vm: kernel-on initramfs
	@tests/vm/run-vm.sh $(VM_ARGS) -- $(or $(CMD),sh -c 'numactl -H; cat /proc/sys/kernel/knumad')

patches: tree
	@scripts/mk-series.sh

lint: tree
	@scripts/lint.sh $(LINT_FLAGS)

clean:
	rm -rf $(BUILD)/obj-* $(BUILD)/selftests $(BUILD)/numa-group $(BUILD)/check $(BUILD)/vm $(INITRAMFS)

distclean:
	rm -rf $(BUILD)
