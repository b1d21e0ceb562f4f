# xlb — one Makefile for the control plane, the BPF data plane and the tests.
# Everything generated goes to $(BUILD).  `make V=1` shows the commands.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
FUZZ_SECONDS ?= 45

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
# X.Y.Z at a tag vX.Y.Z, else X.Y.(Z+1)~gitN.HASH (scripts/version.sh says
# why); XLB_VERSION=... overrides it (debian/rules passes the package's).
VERSION   := $(or $(XLB_VERSION),$(shell scripts/version.sh))

WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
# The control plane also declares every function it shares in a header.
USER_WARN := -Wmissing-prototypes -Wstrict-prototypes
# CPPFLAGS, CFLAGS and LDFLAGS given from outside are kept (Debian's
# hardening flags come that way).
override CPPFLAGS := -Iinclude -Iuser -I$(BUILD) -D_GNU_SOURCE -DXLB_VERSION='"$(VERSION)"' $(CPPFLAGS)
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARN) -MMD -MP
LDLIBS    := -lbpf -lelf -lz -lyaml -lm
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -idirafter /usr/include/$(MULTIARCH) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# Sources are found by convention, so a new file needs no Makefile edit:
# user/**/*.c is the control plane (user/main.c only in the binary),
# bpf/*.bpf.c one skeleton each, tests/unit/**/test_*.c and
# tests/bpf/test_*.c one runner each.
USER_SRCS := $(sort $(shell find user -name '*.c'))
USER_OBJS := $(USER_SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS  := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))
SAN_OBJS  := $(LIB_OBJS:$(BUILD)/%=$(BUILD)/san/%)
BPF_SRCS  := $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS  := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BPF_MAIN  := $(foreach s,$(BPF_SRCS),$(if $(findstring -,$(notdir $(s))),,$(s)))
SKELS     := $(BPF_MAIN:bpf/%.bpf.c=$(BUILD)/%.skel.h)
TLIB_SRCS := $(sort $(wildcard tests/lib/*.c))
TLIB_OBJS := $(TLIB_SRCS:%.c=$(BUILD)/%.o)
TLIB_SAN  := $(TLIB_SRCS:%.c=$(BUILD)/san/%.o)
UNIT_SRCS := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
UNIT_SAN  := $(UNIT_SRCS:%.c=$(BUILD)/san/%)
BPFT_SRCS := $(sort $(wildcard tests/bpf/test_*.c))
BPFT_BINS := $(BPFT_SRCS:%.c=$(BUILD)/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:%.c=$(BUILD)/%)
BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))
BENCH_BINS := $(BENCH_SRCS:%.c=$(BUILD)/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:%.c=$(BUILD)/%)
# docs/man/NAME.SECTION.scd -> build/man/NAME.SECTION
MAN_SRCS  := $(sort $(wildcard docs/man/*.scd))
MAN_PAGES := $(MAN_SRCS:docs/man/%.scd=$(BUILD)/man/%)

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: FORCE all man deb deb-test deps deps-build deps-test deps-demo deps-cluster deps-vmtest deps-bench deps-pkg test test-build \
	demo demo-cluster install uninstall clean bench bench-dataplane bench-control

all: $(BUILD)/xlb man

deps:
	$(Q)scripts/deps.sh all
deps-build:
	$(Q)scripts/deps.sh build
deps-test:
	$(Q)scripts/deps.sh test
deps-demo:
	$(Q)scripts/deps.sh demo
deps-cluster:
	$(Q)scripts/deps.sh cluster
deps-vmtest:
	$(Q)scripts/deps.sh vmtest
deps-bench:
	$(Q)scripts/deps.sh bench
deps-pkg:
	$(Q)scripts/deps.sh pkg

# --- data plane: bpf/x.bpf.c (+ bpf/x-*.bpf.c) -> build/x.skel.h -------------
# Every bpf/*.bpf.c compiles on its own; bpf/x-part.bpf.c is linked with
# bpf/x.bpf.c into one object (bpftool gen object), so all of x's programs
# share its maps and load-time values, and one skeleton loads them.
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | deps-build
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

.SECONDEXPANSION:
$(BUILD)/bpf/%.linked.o: $(BUILD)/bpf/%.bpf.o $$(addprefix $(BUILD)/,$$(subst .bpf.c,.bpf.o,$$(wildcard bpf/$$*-*.bpf.c)))
	$(call msg,BPF-LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.linked.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# --- control plane -------------------------------------------------------------
$(BUILD)/user/%.o: user/%.c | $(SKELS) deps-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(USER_WARN) -c $< -o $@

# The sanitizer and fuzzer builds of user/ get the same warnings.
$(BUILD)/san/user/%.o $(BUILD)/fuzz/user/%.o: CFLAGS += $(USER_WARN)

# The objects that print the version are rebuilt when it changes, the rest
# not: build/version holds the version they were built with.
VERSION_USERS := $(shell grep -rl --include='*.c' XLB_VERSION user tests)
$(VERSION_USERS:%.c=$(BUILD)/%.o) $(VERSION_USERS:%.c=$(BUILD)/san/%.o) \
$(VERSION_USERS:%.c=$(BUILD)/fuzz/%.o): $(BUILD)/version
$(BUILD)/version: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@

$(BUILD)/xlb: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# --- man pages: scdoc, the COMMANDS of xlb(8) from the binary's own help -----
man: $(MAN_PAGES)

$(BUILD)/man/%: docs/man/%.scd scripts/man.sh $(BUILD)/xlb $(BUILD)/version | deps-build
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/man.sh $< $(BUILD)/xlb '$(VERSION)' > $@

# --- tests ---------------------------------------------------------------------
$(BUILD)/tests/%.o: tests/%.c | $(SKELS) deps-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIB_OBJS) $(TLIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/bpf/%: $(BUILD)/tests/bpf/%.o $(LIB_OBJS) $(TLIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(LIB_OBJS) $(TLIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Helper programs of the e2e suites and make bench (the flood generator).
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(BUILD)/tests/lib/pkt.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -lm -o $@

# The same unit tests and control-plane code, built by clang with ASan+UBSan.
$(BUILD)/san/%.o: %.c | $(SKELS) deps-test
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -Itests/lib $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/san/tests/unit/%: $(BUILD)/san/tests/unit/%.o $(SAN_OBJS) $(TLIB_SAN)
	$(call msg,LINK-SAN,$@)
	$(Q)$(CLANG) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# libFuzzer targets: the parser built with the fuzzer's coverage + sanitizers.
$(BUILD)/fuzz/%.o: %.c | $(SKELS) deps-test
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -Itests/lib $(CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/tests/fuzz/%: $(BUILD)/fuzz/tests/fuzz/%.o $(LIB_OBJS:$(BUILD)/%=$(BUILD)/fuzz/%)
	$(call msg,LINK-FUZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer $(LDFLAGS) $^ $(LDLIBS) -o $@

test-build: $(BUILD)/xlb $(MAN_PAGES) $(UNIT_BINS) $(UNIT_SAN) $(BPFT_BINS) $(FUZZ_BINS) $(TOOL_BINS)

test: deps-test deps-pkg
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run.sh

demo: deps-demo
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) scripts/demo.sh

# Three nodes behind an ECMP router with BIRD, one killed while requests flow.
demo-cluster: deps-cluster
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) scripts/demo-cluster.sh

bench-dataplane: deps-test $(BENCH_BINS) $(BUILD)/xlb
	$(Q)BUILD=$(BUILD) scripts/bench-dataplane.sh

bench-control: deps-test $(BUILD)/xlb
	$(Q)BUILD=$(BUILD) scripts/bench-control.sh

# xlb end to end against routed, nftables, HAProxy and nginx (docs/benchmarks.md)
bench: deps-bench $(BUILD)/xlb $(TOOL_BINS)
	$(Q)BUILD=$(BUILD) scripts/bench.sh

# The Debian package, built out of the tree into $(BUILD)/, then lintian
# (scripts/deb.sh); deb-test installs it in a clean Debian chroot, runs it
# and purges it (scripts/deb-test.sh).
deb: deps-pkg
	$(Q)BUILD=$(BUILD) scripts/deb.sh

deb-test: deb
	$(Q)BUILD=$(BUILD) scripts/deb-test.sh

# Where `make install` puts things; debian/rules sets them for the package.
# The configuration is installed only where there is none, and stays on
# uninstall unless it is still the example.
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/xlb
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR  ?= /etc

install: $(BUILD)/xlb $(MAN_PAGES)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSCONFDIR)/xlb
	install -m 0755 $(BUILD)/xlb $(DESTDIR)$(SBINDIR)/xlb
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 examples/*.yaml $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 scripts/completion/xlb.bash $(DESTDIR)$(BASHCOMPDIR)/xlb
	sed -e 's|/usr/local/sbin|$(SBINDIR)|g' -e 's|/usr/local|$(PREFIX)|g' scripts/xlb.service \
		> $(DESTDIR)$(UNITDIR)/xlb.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xlb.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/xlb/xlb.yaml ] || \
		install -m 0644 examples/xlb.yaml $(DESTDIR)$(SYSCONFDIR)/xlb/xlb.yaml

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/xlb $(DESTDIR)$(UNITDIR)/xlb.service \
		$(DESTDIR)$(BASHCOMPDIR)/xlb \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(filter %.8,$(MAN_PAGES)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(filter %.5,$(MAN_PAGES))))
	rm -rf $(DESTDIR)$(DOCDIR)
	! cmp -s examples/xlb.yaml $(DESTDIR)$(SYSCONFDIR)/xlb/xlb.yaml || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/xlb/xlb.yaml
	-rmdir $(DESTDIR)$(SYSCONFDIR)/xlb 2>/dev/null

clean:
	rm -rf $(BUILD)

-include vmtest/vmtest.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
