# trainsrv — build, test, install.
#
#   make              build bin/trainsrv, bin/trainsrv-client, bin/trainsrv-stat,
#                     bin/trainsrv-bench and the test tools
#   make run          build, then serve data/sncf.txt on port 8080 (HTTP 8081)
#   make test         unit tests, then the bats suite
#   make check-asan   the same suite built with ASan + UBSan (build-asan/)
#   make mutate       one-line bugs the suite must catch (MUTANTS=tests/mutate/ci
#                     for CI's short list)
#   make bench-engine engine micro-benchmark on a generated timetable
#   make install PREFIX=/usr/local
#   make clean

PREFIX	?= /usr/local
CC	?= cc
BUILD	?= build
BIN	?= bin
PORT	?= 8080
HTTP_PORT ?= 8081

WARN	 = -std=c11 -Wall -Wextra -Werror
OPT	?= -O2 -g
CFLAGS_EXTRA ?=
CPPFLAGS = -D_GNU_SOURCE -I. -DTRAINSRV_TIMETABLE='"$(PREFIX)/share/trainsrv/timetable.txt"'
ALL_CFLAGS = $(WARN) $(OPT) $(CFLAGS_EXTRA) $(CFLAGS)
LDLIBS	 = -lrt

# Sources, by program.  The engine is the workers' query engine; the master
# links it too, to load and validate a timetable before it forks.
# Every other worker/*.c file is the engine.
# The protocol as both ends see it, and the UTF-8 rule under it.
WIRE_SRC   = ipc/wire.c ipc/utf8.c
WORKER_SRC = worker/worker.c worker/conn.c worker/proto.c worker/buf.c worker/session.c \
	     worker/http_conn.c
# The HTTP front end (issue 16): parser, JSON writer, endpoints, the page
# (generated from worker/page/ by worker/page/gen.sh) and the Prometheus text.
HTTP_SRC   = worker/http.c worker/json.c worker/http_api.c $(BUILD)/gen/page.c ipc/prom.c
ENGINE_SRC = $(filter-out $(WORKER_SRC) $(HTTP_SRC),$(wildcard worker/*.c))
SERVER_SRC = $(wildcard master/*.c) $(WORKER_SRC) $(ENGINE_SRC) $(HTTP_SRC) \
	     ipc/stats.c ipc/channel.c $(WIRE_SRC) ipc/log.c
CLIENT_SRC = $(filter-out client/stat.c client/ctl.c,$(wildcard client/*.c)) $(WIRE_SRC)
CTL_SRC    = client/ctl.c $(WIRE_SRC)
STAT_SRC   = client/stat.c ipc/stats.c ipc/prom.c $(WIRE_SRC)
BENCH_SRC  = $(wildcard tests/bench/*.c) $(WIRE_SRC)
UNIT_SRC   = $(wildcard tests/unit/*.c) $(ENGINE_SRC) worker/proto.c worker/buf.c $(WIRE_SRC) client/when.c \
	     $(HTTP_SRC) ipc/stats.c
BENCHENG_SRC = tests/perf/bench_engine.c $(ENGINE_SRC) worker/proto.c worker/buf.c \
	       $(WIRE_SRC) ipc/stats.c
TTGEN_SRC  = tests/tools/ttgen.c

PROGS	= $(BIN)/trainsrv $(BIN)/trainsrv-client $(BIN)/trainsrv-stat $(BIN)/trainsrv-ctl
TOOLS	= $(BIN)/trainsrv-bench $(BIN)/unit-tests $(BIN)/bench-engine $(BIN)/ttgen

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LINK = @mkdir -p $(dir $@); echo "  LINK $@"; $(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: all run test unit bats check-asan bench-engine bench install clean lint mutate

.DEFAULT_GOAL := all

# Parts of the build owned by one subsystem live beside it, as make
# fragments that add to PROGS/TOOLS and define their own rules with the
# obj function and LINK.
include $(sort $(wildcard */*.mk tests/*/*.mk))

all: $(PROGS) $(TOOLS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BIN)/trainsrv: $(call obj,$(SERVER_SRC))
$(BIN)/trainsrv-client: $(call obj,$(CLIENT_SRC))
$(BIN)/trainsrv-stat: $(call obj,$(STAT_SRC))
$(BIN)/trainsrv-ctl: $(call obj,$(CTL_SRC))
$(BIN)/trainsrv-bench: $(call obj,$(BENCH_SRC))
$(BIN)/unit-tests: $(call obj,$(UNIT_SRC))
$(BIN)/bench-engine: $(call obj,$(BENCHENG_SRC))
$(BIN)/ttgen: $(call obj,$(TTGEN_SRC))

$(BIN)/trainsrv $(BIN)/trainsrv-client $(BIN)/trainsrv-stat $(BIN)/trainsrv-ctl $(BIN)/trainsrv-bench \
$(BIN)/unit-tests $(BIN)/bench-engine $(BIN)/ttgen:
	$(LINK)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

run: all
	$(BIN)/trainsrv -f data/sncf.txt -p $(PORT) -H $(HTTP_PORT)

# The test suite.  bats-core runs the integration tests; tests/run-tests
# checks that it is there and says how to get it if not.
test: all
	@BIN=$(abspath $(BIN)) tests/run-tests

# Mutation testing: each mutant of the list is built in a scratch copy of
# the tree and the test named for it must fail (tests/mutate/run).
MUTANTS ?= tests/mutate/mutants
mutate: all
	tests/mutate/run $(MUTANTS)

unit: $(BIN)/unit-tests
	$(BIN)/unit-tests

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, built
# apart in build-asan/.  Reports go to files; any report fails the run, since
# a worker killed by a sanitizer is respawned and its test alone would pass.
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT="-O1 -g" \
	    CFLAGS_EXTRA="$(SAN_FLAGS)" LDLIBS="-lrt $(SAN_FLAGS)" all
	@rm -rf build-asan/reports && mkdir -p build-asan/reports && chmod 1777 build-asan/reports
	@BIN=$(abspath build-asan/bin) TRAINSRV_SANITIZED=1 \
	    ASAN_OPTIONS=log_path=$(abspath build-asan/reports)/asan:detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=log_path=$(abspath build-asan/reports)/ubsan:print_stacktrace=1:halt_on_error=1 \
	    tests/run-tests; st=$$?; \
	    if ls build-asan/reports/* >/dev/null 2>&1; then \
		echo "check-asan: sanitizer reports found:"; head -50 build-asan/reports/*; exit 1; \
	    fi; exit $$st

bench-engine: $(BIN)/bench-engine $(BIN)/ttgen
	$(BIN)/bench-engine

# The manual pages: mandoc -T lint, then the rendering checked for what the
# lint lets through (nested quotes, raw macros, overlong lines).
lint:
	tests/lint-man

install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/trainsrv
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 data/sncf.txt $(DESTDIR)$(PREFIX)/share/trainsrv/timetable.txt
	for f in man/*.[1-9]; do \
		s=$${f##*.}; install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
		install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man$$s; \
	done

clean:
	rm -rf build build-asan bin

# The page's assets as C: regenerated when a file of worker/page/ changes.
$(BUILD)/gen/page.c: worker/page/gen.sh worker/page/index.html worker/page/app.css \
    worker/page/app.js
	@mkdir -p $(dir $@)
	sh worker/page/gen.sh worker/page > $@.tmp && mv $@.tmp $@
