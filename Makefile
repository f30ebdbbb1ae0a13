# mcstatic — a container runtime in one static musl binary.
VERSION  := 0.2.0
PREFIX   ?= /usr/local
DESTDIR  ?=

CC       := musl-gcc
HOSTCC   ?= gcc
WARN     := -Wall -Wextra -Werror
# musl-gcc does not search /usr/include: jsmn.h (libjsmn-dev, header-only)
# is copied into a folder of its own.
JSMN_DIR := build/jsmn
# Generated at build time, never committed: the syscall table (from the
# kernel's uapi headers) and the built-in seccomp profile, compiled.
GEN      := build/gen
CPPFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -I$(JSMN_DIR) -I$(GEN) -DMC_VERSION='"$(VERSION)"'
CFLAGS   ?= -Os -flto=auto -fno-asynchronous-unwind-tables -fno-stack-protector \
	    -ffunction-sections -fdata-sections
LDFLAGS  ?= -static -s -Wl,--gc-sections

SRCS     := $(wildcard src/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
HDRS     := $(wildcard include/*.h src/*.h) $(GEN)/syscall-table.h
GEN_SRCS := $(GEN)/seccomp-default.c
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,tests/unit/build/%,$(UNIT_SRCS))
# The same unit tests under ASan and UBSan (tests/run.sh runs both sets):
# the library compiled once, each test linked against it.
ASAN_DIR  := tests/unit/build-asan
ASAN_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer
ASAN_OBJS := $(patsubst src/%.c,$(ASAN_DIR)/obj/%.o,$(LIB_SRCS)) \
	     $(ASAN_DIR)/obj/seccomp-default.o
ASAN_BINS := $(patsubst tests/unit/%.c,$(ASAN_DIR)/%,$(UNIT_SRCS))
ROOTFS   ?= rootfs

.PHONY: all debug clean install help examples valgrind demo test unit unit-asan \
	rootfs rootfs-debian deps bench bench-net fuzz

all: mcstatic ## build ./mcstatic (static, stripped)

$(JSMN_DIR)/jsmn.h:
	@test -f /usr/include/jsmn.h || tests/deps.sh
	@mkdir -p $(JSMN_DIR)
	cp /usr/include/jsmn.h $@

$(GEN)/syscall-table.h: tools/gen-syscalls.sh
	@mkdir -p $(GEN)
	tools/gen-syscalls.sh > $@.tmp && mv $@.tmp $@

# The host's compiler runs our own parser and compiler over the profile.
build/seccomp-gen: tools/seccomp-gen.c $(LIB_SRCS) $(HDRS) $(JSMN_DIR)/jsmn.h
	$(HOSTCC) $(CPPFLAGS) $(WARN) -O1 $< $(LIB_SRCS) -o $@

$(GEN)/seccomp-default.c: build/seccomp-gen src/seccomp-default.json
	build/seccomp-gen src/seccomp-default.json > $@.tmp && mv $@.tmp $@

mcstatic: $(SRCS) $(GEN_SRCS) $(HDRS) Makefile $(JSMN_DIR)/jsmn.h
	@command -v $(CC) >/dev/null || tests/deps.sh
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(SRCS) $(GEN_SRCS) $(LDFLAGS) -o $@

debug: mcstatic-debug ## build ./mcstatic-debug (static, -g -O0, not stripped)

mcstatic-debug: $(SRCS) $(GEN_SRCS) $(HDRS) Makefile $(JSMN_DIR)/jsmn.h
	$(CC) $(CPPFLAGS) $(WARN) -g -O0 $(SRCS) $(GEN_SRCS) -static -o $@

# valgrind cannot follow malloc in a static musl binary: the same sources,
# built against glibc, are what it checks.
build/mcstatic-glibc: $(SRCS) $(GEN_SRCS) $(HDRS) Makefile $(JSMN_DIR)/jsmn.h
	@mkdir -p build
	$(HOSTCC) $(CPPFLAGS) $(WARN) -g -O0 $(SRCS) $(GEN_SRCS) -o $@

tests/unit/build/%: tests/unit/%.c $(LIB_SRCS) $(GEN_SRCS) $(HDRS) $(JSMN_DIR)/jsmn.h
	@mkdir -p tests/unit/build
	$(HOSTCC) $(CPPFLAGS) $(WARN) -g -O0 $< $(LIB_SRCS) $(GEN_SRCS) -lcmocka -lm -o $@

$(ASAN_DIR)/obj/%.o: src/%.c $(HDRS) $(JSMN_DIR)/jsmn.h
	@mkdir -p $(ASAN_DIR)/obj
	$(HOSTCC) $(CPPFLAGS) $(WARN) $(ASAN_CFLAGS) -c $< -o $@

$(ASAN_DIR)/obj/seccomp-default.o: $(GEN)/seccomp-default.c $(HDRS)
	@mkdir -p $(ASAN_DIR)/obj
	$(HOSTCC) $(CPPFLAGS) $(WARN) $(ASAN_CFLAGS) -c $< -o $@

$(ASAN_DIR)/%: tests/unit/%.c $(ASAN_OBJS)
	$(HOSTCC) $(CPPFLAGS) $(WARN) $(ASAN_CFLAGS) $< $(ASAN_OBJS) -lcmocka -lm -o $@

deps: ## install the Debian packages the build and tests need
	@tests/deps.sh

rootfs: ## build the busybox root filesystem in ./rootfs
	@rootfs-build/busybox.sh $(ROOTFS)

rootfs-debian: ## a Debian root filesystem (debootstrap) in build/debian-rootfs
	@rootfs-build/debian.sh build/debian-rootfs

unit: deps $(UNIT_BINS) ## build the cmocka unit tests

unit-asan: deps $(ASAN_BINS) ## build them with ASan and UBSan too

test: deps all unit unit-asan rootfs ## run unit (plain, ASan+UBSan) and end-to-end tests
	@tests/run.sh

examples: all rootfs ## run the seed's examples
	./mcstatic /bin/echo "Hello from mcstatic"
	./mcstatic /bin/sh -c 'echo "no namespace, PID $$$$"'
	./mcstatic --pid /bin/sh -c 'echo "PID namespace, PID $$$$"'
	./mcstatic --rootfs $(ROOTFS) /bin/ls /
	./mcstatic --pid --rootfs $(ROOTFS) /bin/sh -c 'echo PID: $$$$ && ls /'
	./mcstatic --pid --rootfs $(ROOTFS) /bin/sh -c 'cat /proc/1/status | head -1'
	./mcstatic --pid --rootfs $(ROOTFS) --debug /bin/sh -c 'echo $$$$'
	-./mcstatic /bin/false; echo "exit status $$?"
	-./mcstatic /nonexistent/command; echo "exit status $$?"

demo: all rootfs ## build everything and run a first container
	./mcstatic --pid --rootfs $(ROOTFS) /bin/sh -c 'echo "PID in the container: $$$$"; ls /'

VALGRIND := valgrind --quiet --leak-check=full --show-leak-kinds=all \
	    --errors-for-leak-kinds=all --error-exitcode=99 --child-silent-after-fork=yes
# valgrind has no seccomp(2) (ENOSYS): the runs go without the filter; its
# parser and compiler run under ASan and UBSan in `make fuzz`.
valgrind: deps build/mcstatic-glibc rootfs ## check the glibc build for leaks and errors
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined /bin/true
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined --env A=1 --env A=2 /bin/sh -c 'exit 0'
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined --pid --rootfs $(ROOTFS) --tmpfs /tmp:size=1m /bin/true
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined --memory 64m --pids-limit 50 --stats --rootfs $(ROOTFS) /bin/true
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined --user --hostname v --rootfs $(ROOTFS) /bin/true
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined --pid --rootfs $(ROOTFS) --debug /bin/sh -c 'exit 3'; \
		test $$? -eq 3
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined --rootfs ./nope /bin/true; test $$? -eq 125
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined --bogus; test $$? -eq 125
	$(VALGRIND) build/mcstatic-glibc --seccomp unconfined /nonexistent; test $$? -eq 127
	@echo "valgrind: no leaks, no errors"

# libFuzzer with ASan and UBSan over the front-ends: the command line,
# config.json, seccomp profiles through the compiler, and the id maps.
FUZZ_SECONDS ?= 60
build/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRCS) $(GEN_SRCS) $(HDRS) $(JSMN_DIR)/jsmn.h
	@command -v clang >/dev/null || tests/deps.sh clang
	@mkdir -p build
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $(WARN) \
		$< $(LIB_SRCS) $(GEN_SRCS) -o $@

fuzz: build/fuzz_cli build/fuzz_config build/fuzz_seccomp build/fuzz_idmap ## fuzz the flag, config.json, seccomp and id map parsers, FUZZ_SECONDS each (default 60)
	@mkdir -p build/fuzz-corpus build/fuzz-corpus-config build/fuzz-corpus-seccomp build/fuzz-corpus-idmap
	build/fuzz_cli -max_total_time=$(FUZZ_SECONDS) build/fuzz-corpus tests/fuzz/corpus
	build/fuzz_config -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/config.dict \
		build/fuzz-corpus-config tests/fuzz/corpus-config
	build/fuzz_seccomp -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/seccomp.dict \
		build/fuzz-corpus-seccomp tests/fuzz/corpus-seccomp
	build/fuzz_idmap -max_total_time=$(FUZZ_SECONDS) build/fuzz-corpus-idmap \
		tests/fuzz/corpus-idmap

bench: all rootfs ## benchmarks against runc, crun, bubblewrap, unshare; networking
	ROOTFS=$(ROOTFS) bench/bench.sh
	$(MAKE) --no-print-directory bench-net

# The shared test lock while measuring; so not under `flock ... make` too.
bench-net: all rootfs ## networking: start-up with --net, iperf3 through -p
	flock /tmp/mcbats.lock env ROOTFS=$(ROOTFS) bench/net.sh

install: all ## install to $(DESTDIR)$(PREFIX)/bin
	install -D -m 0755 mcstatic $(DESTDIR)$(PREFIX)/bin/mcstatic

clean: ## remove build output (not ./rootfs)
	rm -rf mcstatic mcstatic-debug build tests/unit/build $(ASAN_DIR) bench/build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | \
		awk -F':.*## ' '{ printf "  make %-10s %s\n", $$1, $$2 }'
