# vmtest: the test suites inside VMs on other kernels (docs/vmtest.md).
# Included by the top-level Makefile, which defines test-build (the host
# builds everything; the guests only run the prebuilt binaries) and
# deps-vmtest.
#
#   make vmtest                       every kernel in VMTEST_KERNELS
#   make vmtest VMTEST_KERNELS=linux-image-amd64 VMTEST_CMD=tests/vm/smoke.sh
#   make vmtest-kernels               only fetch the kernels into the cache
#   make vmtest-smoke                 tests/vm/smoke.sh on every kernel
#   make vmtest-systemd               tests/vm/systemd.sh, systemd as PID 1
#   make vmtest-selftest              check vmtest/run itself (exit codes...)

VMTEST_DIR     := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
# Packages (a metapackage resolves to its versioned kernel), releases held
# in vmtest/.cache/kernels or /boot, or paths to a vmlinuz.
VMTEST_KERNELS ?= linux-image-amd64 linux-image-6.12.117+deb12-amd64
VMTEST_CMD     ?= tests/run.sh
VMTEST_TIMEOUT ?= 2700
VMTEST_LOGS    ?= $(or $(BUILD),build)/vmtest
# VMs at once.  One: each guest has two vCPUs, and on a shared two-core host
# two TCG guests were no faster together and starved each other's
# timing-sensitive e2e checks (both failed one); -j 2 is for hosts with
# cores to spare.
VMTEST_JOBS    ?= 1
# Only the suites that meet the kernel: unit, unit-san and fuzz run plain C
# and run on the host (make test).
VMTEST_ENV     ?= XLB_IN_VM=1 XLB_SUITES=bpf,e2e BUILD=$(or $(BUILD),build)

VMTEST_SUITE = $(VMTEST_DIR)/suite $(VMTEST_SUITE_FLAGS) -t $(VMTEST_TIMEOUT) -d $(VMTEST_LOGS) -j $(VMTEST_JOBS) \
	$(addprefix -e ,$(VMTEST_ENV)) $(VMTEST_KERNELS) --

.PHONY: vmtest vmtest-kernels vmtest-smoke vmtest-systemd vmtest-selftest

# deps-vmtest (top-level Makefile) installs qemu, busybox-static, kmod, ...
vmtest-kernels: | deps-vmtest
	@$(VMTEST_DIR)/kernels fetch $(VMTEST_KERNELS) >/dev/null

vmtest: test-build vmtest-kernels
	@$(VMTEST_SUITE) $(VMTEST_CMD)

vmtest-smoke: vmtest-kernels
	@$(VMTEST_SUITE) tests/vm/smoke.sh

# The unit file as shipped, started, reloaded and stopped by a real systemd.
vmtest-systemd: VMTEST_SUITE_FLAGS := -S
vmtest-systemd: test-build vmtest-kernels
	@$(VMTEST_SUITE) tests/vm/systemd.sh

vmtest-selftest: vmtest-kernels
	@$(VMTEST_DIR)/selftest $(VMTEST_KERNELS)
