# SPDX-License-Identifier: GPL-3.0-or-later
# make          static musl binary at output/droidspaces
# make asan     glibc ASan+UBSan binary at output/droidspaces-asan
# make test     installs deps, then unit tests, fuzz smoke runs and the e2e suite (root)
CC_MUSL  ?= musl-gcc
CC_GLIBC ?= gcc
CLANG    ?= clang
BUILD    := build
OUT      := output
KHDR     := $(BUILD)/kheaders

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CFLAGS   ?= -O2
CFLAGS   += -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -fno-strict-aliasing
LDFLAGS_STATIC := -static -no-pie -Wl,--gc-sections
# The release binary: unused functions dropped, no unwind tables (C, no exceptions or backtraces): -12 KB.
RELEASE_CFLAGS := -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables

SRCS := $(sort $(wildcard src/*.c src/*/*.c))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))

# Every source is compiled once per variant into $(BUILD)/VARIANT/, and all but main.c are
# archived into $(BUILD)/VARIANT/libdroidspaces.a, which the binaries, unit tests and fuzzers link:
#   musl   the release binary (static; --gc-sections drops the unused function sections)
#   asan   glibc ASan+UBSan: output/droidspaces-asan and the unit tests
#   plain  glibc -O1 -g without sanitizers: the unit tests under valgrind
#   fuzz   clang with libFuzzer's coverage and ASan+UBSan: the fuzz targets
# -MMD -MP write a .d file beside each object (and each test binary) naming the headers it
# included, so a header change rebuilds exactly the objects that include it.
DEPFLAGS     := -MMD -MP
ASAN_FLAGS   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
GLIBC_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Isrc
FUZZ_CFLAGS  := $(subst -fsanitize=fuzzer,-fsanitize=fuzzer-no-link,$(FUZZ_FLAGS))
AR           ?= ar
LIBOBJS_MUSL  := $(LIB_SRCS:src/%.c=$(BUILD)/musl/%.o)
LIBOBJS_ASAN  := $(LIB_SRCS:src/%.c=$(BUILD)/asan/%.o)
LIBOBJS_PLAIN := $(LIB_SRCS:src/%.c=$(BUILD)/plain/%.o)
LIBOBJS_FUZZ  := $(LIB_SRCS:src/%.c=$(BUILD)/fuzz/obj/%.o)
LIB_MUSL  := $(BUILD)/musl/libdroidspaces.a
LIB_ASAN  := $(BUILD)/asan/libdroidspaces.a
LIB_PLAIN := $(BUILD)/plain/libdroidspaces.a
LIB_FUZZ  := $(BUILD)/fuzz/obj/libdroidspaces.a
# The C files that .clang-format governs (make format, make format-check).
FORMAT_FILES := $(sort $(wildcard src/*.[ch] src/*/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/e2e/probes/*.c))

.DEFAULT_GOAL := all
.PHONY: all asan test unit unit-valgrind e2e e2e-asan fuzz fuzz-build fuzz-smoke clean format format-check lint demo bench deps check-layers
check-layers:
	@./scripts/check-layers.sh
all: $(OUT)/droidspaces

# apt-installs whatever building and testing needs (a no-op when present).
deps:
	@./scripts/install-deps.sh

# musl-gcc does not search the kernel headers; link in just the three trees it needs.
$(KHDR)/.stamp:
	@mkdir -p $(KHDR)
	@for d in linux asm-generic; do ln -sfn /usr/include/$$d $(KHDR)/$$d; done
	@ln -sfn /usr/include/$$(gcc -print-multiarch)/asm $(KHDR)/asm
	@touch $@

# Every object also depends on the Makefile: its flags are in it, and objects built before the
# dependency files existed have none to say which headers they read.
$(BUILD)/musl/%.o: src/%.c $(KHDR)/.stamp Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC_MUSL) $(CFLAGS) $(RELEASE_CFLAGS) -isystem $(KHDR) $(DEPFLAGS) -c $< -o $@

$(OUT)/droidspaces: $(BUILD)/musl/main.o $(LIB_MUSL)
	@mkdir -p $(OUT)
	$(CC_MUSL) $(CFLAGS) $(LDFLAGS_STATIC) $^ -o $@
	strip $@

$(BUILD)/asan/%.o: src/%.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC_GLIBC) $(GLIBC_CFLAGS) $(ASAN_FLAGS) $(DEPFLAGS) -c $< -o $@
asan: $(OUT)/droidspaces-asan
$(OUT)/droidspaces-asan: $(BUILD)/asan/main.o $(LIB_ASAN)
	@mkdir -p $(OUT)
	$(CC_GLIBC) $(ASAN_FLAGS) $^ -o $@

$(BUILD)/plain/%.o: src/%.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC plain $<"
	@$(CC_GLIBC) $(GLIBC_CFLAGS) -O1 -g $(DEPFLAGS) -c $< -o $@

$(BUILD)/fuzz/obj/%.o: src/%.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC fuzz $<"
	@$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@

# Each archive is rebuilt whole ('q' appends without matching names, so two sources with one
# base name in different directories both stay).
$(LIB_MUSL): $(LIBOBJS_MUSL)
$(LIB_ASAN): $(LIBOBJS_ASAN)
$(LIB_PLAIN): $(LIBOBJS_PLAIN)
$(LIB_FUZZ): $(LIBOBJS_FUZZ)
$(LIB_MUSL) $(LIB_ASAN) $(LIB_PLAIN) $(LIB_FUZZ):
	@echo "  AR      $@"
	@rm -f $@ && $(AR) qcs $@ $^

# Unit tests (cmocka) link the ASan+UBSan library.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
$(UNIT_BINS): $(BUILD)/unit/%: tests/unit/%.c $(LIB_ASAN)
	@mkdir -p $(dir $@)
	@echo "  LD unit $@"
	@$(CC_GLIBC) $(GLIBC_CFLAGS) $(ASAN_FLAGS) $(DEPFLAGS) -MT $@ -MF $@.d $< $(LIB_ASAN) -lcmocka -o $@
.SECONDARY: $(LIBOBJS_MUSL) $(LIBOBJS_ASAN) $(LIBOBJS_PLAIN) $(LIBOBJS_FUZZ)
# The seccomp program of every ABI through a BPF interpreter (no cmocka: also cross-built by
# scripts/cross-build.sh and run under qemu-user by tests/e2e/70-cross.bats); natively, the rows of
# this kernel's own ABI also through the kernel (--kernel).
SECCOMP_ABIS := $(BUILD)/unit/seccomp_abis
$(SECCOMP_ABIS): tests/unit/seccomp_abis.c $(LIB_ASAN)
	@mkdir -p $(dir $@)
	@echo "  LD unit $@"
	@$(CC_GLIBC) $(GLIBC_CFLAGS) $(ASAN_FLAGS) $(DEPFLAGS) -MT $@ -MF $@.d $< $(LIB_ASAN) -o $@
unit: $(UNIT_BINS) $(SECCOMP_ABIS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
	@echo "== $(SECCOMP_ABIS) --kernel"; $(SECCOMP_ABIS) --kernel >$(SECCOMP_ABIS).log || \
		{ grep -v '^ok' $(SECCOMP_ABIS).log; exit 1; }; tail -n 1 $(SECCOMP_ABIS).log

# The same unit tests built without sanitizers, under valgrind: any error or leak fails.
UNIT_VG_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit-vg/%)
$(UNIT_VG_BINS): $(BUILD)/unit-vg/%: tests/unit/%.c $(LIB_PLAIN)
	@mkdir -p $(dir $@)
	@echo "  LD unit-vg $@"
	@$(CC_GLIBC) $(GLIBC_CFLAGS) -O1 -g $(DEPFLAGS) -MT $@ -MF $@.d $< $(LIB_PLAIN) -lcmocka -o $@
unit-valgrind: $(UNIT_VG_BINS)
	@set -e; for t in $(UNIT_VG_BINS); do \
		echo "== valgrind $$t"; \
		valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
			--errors-for-leak-kinds=definite,indirect,possible --trace-children=no $$t >$$t.log 2>&1 || \
			{ tail -n 60 $$t.log; echo "unit-valgrind: $$t failed"; exit 1; }; \
		grep -E '^\[  (PASSED|FAILED)' $$t.log; \
	done

# Fuzz targets (libFuzzer); fuzz-smoke is the short run inside make test.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
$(FUZZ_BINS): $(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_FUZZ)
	@mkdir -p $(dir $@)
	@echo "  LD fuzz $@"
	@$(CLANG) $(FUZZ_FLAGS) $(DEPFLAGS) -MT $@ -MF $@.d $< $(LIB_FUZZ) -o $@
FUZZ_SECONDS ?= 300
# The crash-free corpus is kept in the repo; libFuzzer writes new inputs to its first
# directory, so every run starts from it but only adds to FUZZ_NEW (fuzz-merge keeps the useful ones).
FUZZ_CORPUS := tests/fuzz/corpus
FUZZ_NEW    := $(BUILD)/fuzz/corpus-new
FUZZ_RUN     = mkdir -p $(FUZZ_NEW)/$$name && $$f -max_len=8192 -artifact_prefix=$(BUILD)/fuzz/$$name- \
	       $(FUZZ_NEW)/$$name $(FUZZ_CORPUS)/$$name
.PHONY: fuzz-merge
fuzz: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do name=$$(basename $$f); $(FUZZ_RUN) -max_total_time=$(FUZZ_SECONDS); done
	@echo "new inputs are in $(FUZZ_NEW); 'make fuzz-merge' minimizes them into $(FUZZ_CORPUS)"
# make fuzz-build: the fuzz targets only (make fuzz runs each for FUZZ_SECONDS)
fuzz-build: $(FUZZ_BINS)
fuzz-smoke: $(FUZZ_BINS)
	@mkdir -p $(BUILD)/fuzz/logs
	@for f in $(FUZZ_BINS); do name=$$(basename $$f); \
		log=$(BUILD)/fuzz/logs/$$name.log; \
		if $(FUZZ_RUN) -max_total_time=10 >$$log 2>&1; then tail -n 1 $$log; \
		else echo "FUZZ FAILURE: $$f"; tail -n 30 $$log; exit 1; fi; \
	done
# Corpus + new inputs, minimized into a fresh directory that replaces the corpus: the
# hand-written seed-* files are kept, inputs over 2 KB dropped (they add features, not edges).
fuzz-merge: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do name=$$(basename $$f); m=$(BUILD)/fuzz/merged/$$name; \
		rm -rf $$m && mkdir -p $$m $(FUZZ_NEW)/$$name $(FUZZ_CORPUS)/$$name; \
		cp $(FUZZ_CORPUS)/$$name/seed-* $$m/ 2>/dev/null || true; \
		$$f -merge=1 -max_len=8192 $$m $(FUZZ_CORPUS)/$$name $(FUZZ_NEW)/$$name 2>$$m.log || \
			{ tail -n 30 $$m.log; exit 1; }; \
		find $$m -type f -size +2k ! -name 'seed-*' -delete; \
		rm -rf $(FUZZ_CORPUS)/$$name $(FUZZ_NEW)/$$name && cp -r $$m $(FUZZ_CORPUS)/$$name; \
		echo "$$name: $$(ls $$m | wc -l) files, $$(cat $$m/* | wc -c) bytes"; \
	done

DS_TEST_CACHE ?= /var/cache/droidspaces-test
# `make e2e E2E_TAGS=hostile` runs the tests with that bats tag (hostile, fault,
# load, stock, slow, asan; `hostile,!slow` and the rest of bats --filter-tags); without it, every
# test but the full kernel matrix (tag kernels-full: make test-kernels)
E2E_TAGS ?=
# a hung e2e test fails after this many seconds (the slowest passes in ~60 s)
BATS_TEST_TIMEOUT ?= 300
e2e: all asan all-build tarball
	tests/fixtures/build.sh
	@mkdir -p $(DS_TEST_CACHE)/mnt/tmp
	@rm -f $(BUILD)/figures/e2e.txt
	TMPDIR=$(DS_TEST_CACHE)/mnt/tmp BATS_TEST_TIMEOUT=$(BATS_TEST_TIMEOUT) \
		bats --timing --filter-tags $(if $(E2E_TAGS),'$(E2E_TAGS)','!kernels-full') tests/e2e

# The e2e suite against the ASan+UBSan build: any sanitizer report fails its test
# (see common_setup).  make test runs the tests tagged asan (about 2.5 minutes);
# `make e2e-asan E2E_ASAN_FILES=tests/e2e` runs all, or the files named.
E2E_ASAN_FILES ?=
E2E_ASAN_ARGS = $(if $(E2E_ASAN_FILES),$(E2E_ASAN_FILES),--filter-tags asan tests/e2e)
e2e-asan: asan
	tests/fixtures/build.sh
	@mkdir -p $(DS_TEST_CACHE)/mnt/tmp
	TMPDIR=$(DS_TEST_CACHE)/mnt/tmp BATS_TEST_TIMEOUT=$(BATS_TEST_TIMEOUT) \
		DS_FIGURES=$(CURDIR)/$(BUILD)/figures-asan \
		DROIDSPACES_BIN=$(CURDIR)/$(OUT)/droidspaces-asan bats --timing $(E2E_ASAN_ARGS)

# Cross builds (Debian's cross compilers + musl-dev of each architecture), tarball, install.
CROSS_ARCHS := x86_64 x86 aarch64 armhf
CROSS_BINS  := $(CROSS_ARCHS:%=$(OUT)/droidspaces-%)
VERSION     := $(shell sed -n 's/^\#define DS_VERSION "\(.*\)"$$/\1/p' src/config.h)
TARBALL     := $(OUT)/droidspaces-$(VERSION).tar.gz
DIST_FILES  := README.md LICENSE doc/droidspaces.1 contrib/bash-completion/droidspaces
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
PREFIX      ?= /usr/local
E2E_LOCK    ?= /var/cache/droidspaces-test/e2e.lock

.PHONY: all-build cross-deps tarball install uninstall cross-test soak soak-short
all-build: $(CROSS_BINS)
cross-deps:
	@./scripts/cross-build.sh --deps $(CROSS_ARCHS)
$(CROSS_BINS): $(OUT)/droidspaces-%: $(SRCS) $(wildcard src/*.h src/*/*.h) scripts/cross-build.sh \
		tests/unit/seccomp_abis.c tests/unit/bpf_seccomp.h tests/unit/seccomp_cond.h | cross-deps
	@OUT=$(OUT) BUILD=$(BUILD) DS_CFLAGS="$(CFLAGS) -ffunction-sections -fdata-sections" \
		DS_LDFLAGS="$(LDFLAGS_STATIC)" ./scripts/cross-build.sh --no-deps $*

tarball: $(TARBALL)
$(TARBALL): $(CROSS_BINS) $(DIST_FILES)
	@test -n "$(VERSION)" || { echo "tarball: no DS_VERSION found in src/config.h" >&2; exit 1; }
	@rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist/droidspaces-$(VERSION)
	install -m 0755 $(CROSS_BINS) $(BUILD)/dist/droidspaces-$(VERSION)/
	for f in $(DIST_FILES); do install -D -m 0644 $$f $(BUILD)/dist/droidspaces-$(VERSION)/$$f; done
	tar --sort=name --owner=0 --group=0 --numeric-owner --mode=u+w,go-w,a+rX \
		--mtime=@$(SOURCE_DATE_EPOCH) -C $(BUILD)/dist -cf - droidspaces-$(VERSION) | gzip -9n >$@.tmp
	mv -f $@.tmp $@
	@echo "  TARBALL $@ ($$(stat -c %s $@) bytes)"

install: $(OUT)/droidspaces
	install -D -m 0755 $(OUT)/droidspaces $(DESTDIR)$(PREFIX)/bin/droidspaces
	ln -sfn droidspaces $(DESTDIR)$(PREFIX)/bin/droidspaces-oci
	install -D -m 0644 doc/droidspaces.1 $(DESTDIR)$(PREFIX)/share/man/man1/droidspaces.1
	install -D -m 0644 contrib/bash-completion/droidspaces \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/droidspaces
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/droidspaces $(DESTDIR)$(PREFIX)/bin/droidspaces-oci \
		$(DESTDIR)$(PREFIX)/share/man/man1/droidspaces.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/droidspaces

# podman with --runtime droidspaces-oci, then with runc to compare (opt-in: podman is not among make deps'
# packages).
.PHONY: test-podman
test-podman: all
	flock $(E2E_LOCK) tests/oci/podman.sh --compare
cross-test: all all-build
	flock $(E2E_LOCK) bats --timing tests/e2e/70-cross.bats

# Long soak (500 busybox and 50 systemd cycles, 50 containers at once); a short one runs in make test.
soak: all
	flock $(E2E_LOCK) tests/soak/soak.sh
soak-short: all
	SOAK_BUSYBOX_CYCLES=20 SOAK_SYSTEMD_CYCLES=2 SOAK_MANY=10 tests/soak/soak.sh

test: deps
	$(MAKE) lint all asan unit unit-valgrind fuzz-smoke
	$(MAKE) oci-tools
	$(MAKE) e2e
	$(MAKE) e2e-asan
	$(MAKE) soak-short
	./scripts/reliability-figures.sh

demo:
	./demo.sh

# make test-oci: opencontainers/runtime-tools' validation suite (built offline under build/ from
# ../shared/external) against droidspaces-oci and runc, both tallies printed (see README).
# `make test-oci OCI_PROGRAMS="default kill"` runs those programs only.
OCI_PROGRAMS ?=
.PHONY: test-oci oci-tools
# make oci-tools: Go and runtime-tools' validation programs, for the subset in make test's e2e. Where
# the runtime-tools snapshot or Go cannot be had, the subset's test skips and says why.
oci-tools:
	@{ ./scripts/install-deps.sh oci && ./scripts/test-oci.sh --build-only; } || \
		echo "make oci-tools: runtime-tools' validation programs not built (see above): the OCI subset test will skip" >&2
test-oci: all
	@./scripts/install-deps.sh oci
	./scripts/test-oci.sh $(OCI_PROGRAMS)

# The syscall numbers of the seccomp compiler, from the kernel headers (needs the cross compilers).
.PHONY: syscall-table
syscall-table:
	./scripts/gen-syscalls.sh src/core/syscall_table.h
format:
	clang-format -i --style=file $(FORMAT_FILES)
# Lists the files that make format would change (and how many lines), and fails if there are any.
format-check:
	@command -v clang-format >/dev/null || { echo "format-check: no clang-format (make deps installs it)" >&2; exit 1; }
	@bad=0; for f in $(FORMAT_FILES); do \
		n=$$(clang-format --style=file "$$f" | diff "$$f" - | grep -c '^[<>]'); \
		[ "$$n" -eq 0 ] || { echo "format-check: $$f: $$n lines differ" >&2; bad=$$((bad + 1)); }; \
	done; \
	[ $$bad -eq 0 ] || { echo "format-check: $$bad files are not formatted; run 'make format'" >&2; exit 1; }
lint: check-layers
	@! grep -nE '^[[:space:]]*wait[[:space:]]*$$' tests/e2e/*.bats tests/e2e/*.bash tests/e2e/lib/*.bash || \
		{ echo "lint: a bare 'wait' in the e2e tests also waits for bats' timeout watchdog; use wait_bg" >&2; exit 1; }
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 -Isrc -D_GNU_SOURCE src
	@$(MAKE) --no-print-directory format-check
clean:
	rm -rf $(BUILD) $(OUT)

# The headers each object and test binary included, as its compiler recorded them (-MMD -MP).
-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)

# make bench: droidspaces vs bare syscalls, systemd-nspawn, LXC, crun (root; BENCH_QUICK=1 ~35 s); see BENCHMARKS.md
.PHONY: bench
bench:
	./bench/run.sh

# Kernel-profile harness (tests/kernel): `output/kprofile PROFILE -- CMD` runs CMD as on an older
# kernel (3.18 ... 5.10, seccomp-emulated; `kprofile --list`). make e2e runs a short subset of
# tests/e2e/80-kernels.bats per profile; make test-kernels runs its full matrix.
KPROFILE := $(OUT)/kprofile
.PHONY: kprofile test-kernels
kprofile: $(KPROFILE)
$(KPROFILE): tests/kernel/kprofile.c $(KHDR)/.stamp
	@mkdir -p $(OUT)
	$(CC_MUSL) $(CFLAGS) -isystem $(KHDR) $(LDFLAGS_STATIC) $< -o $@
e2e: $(KPROFILE)
$(BUILD)/unit/test_kprofile $(BUILD)/unit-vg/test_kprofile: tests/kernel/kprofile.c
test-kernels: all $(KPROFILE)
	tests/fixtures/build.sh
	@mkdir -p $(DS_TEST_CACHE)/mnt/tmp
	DS_KERNEL_FULL=1 TMPDIR=$(DS_TEST_CACHE)/mnt/tmp BATS_TEST_TIMEOUT=$(BATS_TEST_TIMEOUT) \
		flock $(E2E_LOCK) bats --timing tests/e2e/80-kernels.bats
