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
OBJS_MUSL := $(SRCS:src/%.c=$(BUILD)/musl/%.o)
OBJS_ASAN := $(SRCS:src/%.c=$(BUILD)/asan/%.o)
LIBOBJS_GLIBC := $(LIB_SRCS:src/%.c=$(BUILD)/glibc/%.o)

.DEFAULT_GOAL := all
.PHONY: all asan test unit unit-valgrind e2e e2e-asan fuzz fuzz-smoke clean format lint demo bench deps check-layers
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

$(BUILD)/musl/%.o: src/%.c $(KHDR)/.stamp $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC_MUSL) $(CFLAGS) $(RELEASE_CFLAGS) -isystem $(KHDR) -c $< -o $@

$(OUT)/droidspaces: $(OBJS_MUSL)
	@mkdir -p $(OUT)
	$(CC_MUSL) $(CFLAGS) $(LDFLAGS_STATIC) $^ -o $@
	strip $@

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
$(BUILD)/asan/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC_GLIBC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(ASAN_FLAGS) -c $< -o $@
asan: $(OUT)/droidspaces-asan
$(OUT)/droidspaces-asan: $(OBJS_ASAN)
	@mkdir -p $(OUT)
	$(CC_GLIBC) $(ASAN_FLAGS) $^ -o $@

# Unit tests (cmocka) link the library objects built for glibc with sanitizers.
$(BUILD)/glibc/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC_GLIBC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(ASAN_FLAGS) -c $< -o $@
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_HDRS := $(wildcard tests/unit/*.h)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
$(BUILD)/unit/%: tests/unit/%.c $(UNIT_HDRS) $(LIBOBJS_GLIBC)
	@mkdir -p $(dir $@)
	@echo "  LD unit $@"
	@$(CC_GLIBC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(ASAN_FLAGS) $< $(LIBOBJS_GLIBC) -lcmocka -o $@
.SECONDARY: $(LIBOBJS_GLIBC) $(OBJS_MUSL) $(OBJS_ASAN) $(LIBOBJS_PLAIN)
unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# The same unit tests built without sanitizers, under valgrind: any error or leak fails.
LIBOBJS_PLAIN := $(LIB_SRCS:src/%.c=$(BUILD)/plain/%.o)
UNIT_VG_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit-vg/%)
$(BUILD)/plain/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC plain $<"
	@$(CC_GLIBC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -O1 -g -c $< -o $@
$(BUILD)/unit-vg/%: tests/unit/%.c $(UNIT_HDRS) $(LIBOBJS_PLAIN)
	@mkdir -p $(dir $@)
	@echo "  LD unit-vg $@"
	@$(CC_GLIBC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -O1 -g $< $(LIBOBJS_PLAIN) -lcmocka -o $@
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
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Isrc
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIB_SRCS) $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  LD fuzz $@"
	@$(CLANG) $(FUZZ_FLAGS) $< $(LIB_SRCS) -o $@
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
# a hung e2e test fails after this many seconds (the slowest passes in ~60 s)
BATS_TEST_TIMEOUT ?= 300
e2e: all asan all-build tarball
	tests/fixtures/build.sh
	@mkdir -p $(DS_TEST_CACHE)/mnt/tmp
	@rm -f $(BUILD)/figures/e2e.txt
	TMPDIR=$(DS_TEST_CACHE)/mnt/tmp BATS_TEST_TIMEOUT=$(BATS_TEST_TIMEOUT) bats --timing tests/e2e

# The e2e suite against the ASan+UBSan build: any sanitizer report fails its test
# (see common_setup).  make test runs E2E_ASAN_FILES; `make e2e-asan E2E_ASAN_FILES=tests/e2e` all.
E2E_ASAN_FILES ?= tests/e2e/10-core.bats tests/e2e/30-inventory.bats
e2e-asan: asan
	tests/fixtures/build.sh
	@mkdir -p $(DS_TEST_CACHE)/mnt/tmp
	TMPDIR=$(DS_TEST_CACHE)/mnt/tmp BATS_TEST_TIMEOUT=$(BATS_TEST_TIMEOUT) \
		DS_FIGURES=$(CURDIR)/$(BUILD)/figures-asan \
		DROIDSPACES_BIN=$(CURDIR)/$(OUT)/droidspaces-asan bats --timing $(E2E_ASAN_FILES)

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
$(CROSS_BINS): $(OUT)/droidspaces-%: $(SRCS) $(wildcard src/*.h src/*/*.h) scripts/cross-build.sh | cross-deps
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
	install -D -m 0644 doc/droidspaces.1 $(DESTDIR)$(PREFIX)/share/man/man1/droidspaces.1
	install -D -m 0644 contrib/bash-completion/droidspaces \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/droidspaces
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/droidspaces $(DESTDIR)$(PREFIX)/share/man/man1/droidspaces.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/droidspaces

cross-test: all all-build
	flock $(E2E_LOCK) bats --timing tests/e2e/70-cross.bats

# Long soak (500 busybox and 50 systemd cycles, 50 containers at once); a short one runs in make test.
soak: all
	flock $(E2E_LOCK) tests/soak/soak.sh
soak-short: all
	SOAK_BUSYBOX_CYCLES=20 SOAK_SYSTEMD_CYCLES=2 SOAK_MANY=10 tests/soak/soak.sh

test: deps
	$(MAKE) lint all asan unit unit-valgrind fuzz-smoke
	$(MAKE) e2e
	$(MAKE) e2e-asan
	$(MAKE) soak-short
	./scripts/reliability-figures.sh

demo:
	./demo.sh

format:
	clang-format -i $(SRCS) $(wildcard src/*.h src/*/*.h)
lint: check-layers
	@! grep -nE '^[[:space:]]*wait[[:space:]]*$$' tests/e2e/*.bats tests/e2e/*.bash || \
		{ echo "lint: a bare 'wait' in the e2e tests also waits for bats' timeout watchdog; use wait_bg" >&2; exit 1; }
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 -Isrc -D_GNU_SOURCE src
clean:
	rm -rf $(BUILD) $(OUT)

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
