# tests/fuzz/fuzz.mk — fuzzing and the hostile-client helper (issue 6);
# included by the Makefile.
#
#   fuzz_conn            a worker's connection state machine (tests/fuzz/
#                        fuzz_conn.c): reads, partial writes, closes,
#                        routed answers, the order of an epoll batch
#   $(BIN)/fuzz-replay   every seed and every crash ever found (tests/fuzz/
#                        corpus/<harness>/, tests/fuzz/regress/<harness>/)
#                        fed to the harnesses, built with the ordinary CC:
#                        tests/run-tests runs it, so `make test` replays them
#                        without clang (and `make check-asan` under ASan)
#   $(BIN)/hostile       the slow, mute, garbage-sending and resetting
#                        clients of tests/bats/hostile.bats
#   make fuzz [FUZZ_SECONDS=60]
#                        builds each libFuzzer harness with clang into
#                        build-fuzz/ and runs it for FUZZ_SECONDS; fails on
#                        the first crash, whose input libFuzzer leaves in
#                        build-fuzz/artifacts/<harness>/ (fix the bug, then
#                        copy the input into tests/fuzz/regress/<harness>/)

FUZZ_HARNESSES	= request timetable conn http
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
FUZZ_BUILD	?= build-fuzz
FUZZ_FLAGS	= -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		  -fno-omit-frame-pointer -g -O1
FUZZ_LINK_SRC	= worker/proto.c worker/buf.c $(ENGINE_SRC) $(WIRE_SRC) ipc/stats.c \
		  $(HTTP_SRC)
# csv: trainsrv-import's CSV reader and feed loader (IMPORT_LIB: import.mk)
FUZZ_HARNESSES	+= csv
FUZZ_LINK_SRC	+= $(IMPORT_LIB)
# fuzz_conn also runs a worker's connections, sessions and channel (it
# defines the worker state that worker.c defines in the server, and a
# silent log).
FUZZ_CONN_SRC	= worker/conn.c worker/session.c worker/access.c ipc/channel.c \
		  worker/http_conn.c
# libFuzzer options for every run: a slow input (over 10 s) or one using
# more than 2 GB counts as a crash.
FUZZ_RUN_FLAGS	= -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

TOOLS += $(BIN)/fuzz-replay $(BIN)/hostile

$(BIN)/fuzz-replay: $(call obj,tests/fuzz/replay.c $(FUZZ_LINK_SRC) $(FUZZ_CONN_SRC))
$(BIN)/hostile: $(call obj,tests/tools/hostile.c)
$(BIN)/fuzz-replay $(BIN)/hostile:
	$(LINK)

.PHONY: fuzz clean-fuzz

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/common.h $(FUZZ_LINK_SRC) \
    $(wildcard worker/*.h ipc/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -Wall -Wextra $(FUZZ_FLAGS) -o $@ \
	    $< $(FUZZ_LINK_SRC) -lrt

$(FUZZ_BUILD)/fuzz_conn: tests/fuzz/fuzz_conn.c tests/fuzz/common.h \
    $(FUZZ_LINK_SRC) $(FUZZ_CONN_SRC) $(wildcard worker/*.h ipc/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -Wall -Wextra $(FUZZ_FLAGS) -o $@ \
	    $< $(FUZZ_LINK_SRC) $(FUZZ_CONN_SRC) -lrt

# Each harness: new inputs go to build-fuzz/corpus/<harness>/ (the first
# corpus directory is the one libFuzzer writes), seeds and regressions are
# read from the committed directories.
fuzz: $(FUZZ_HARNESSES:%=$(FUZZ_BUILD)/fuzz_%)
	@for h in $(FUZZ_HARNESSES); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$h $(FUZZ_BUILD)/artifacts/$$h || exit 1; \
		echo "== fuzz_$$h for $(FUZZ_SECONDS) s"; \
		dict=; [ -f tests/fuzz/$$h.dict ] && dict=-dict=tests/fuzz/$$h.dict; \
		$(FUZZ_BUILD)/fuzz_$$h $(FUZZ_RUN_FLAGS) $$dict \
		    -max_total_time=$(FUZZ_SECONDS) \
		    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$h/ \
		    $(FUZZ_BUILD)/corpus/$$h tests/fuzz/corpus/$$h \
		    tests/fuzz/regress/$$h 2>&1 | tee $(FUZZ_BUILD)/fuzz_$$h.log | \
		    grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::|==[0-9]+==|SUMMARY|fuzz:|artifact_prefix|Test unit written)'; \
		if ! grep -q '^Done [0-9]* runs' $(FUZZ_BUILD)/fuzz_$$h.log; then \
			echo "fuzz: fuzz_$$h failed (log: $(FUZZ_BUILD)/fuzz_$$h.log);" \
			    "the input is in $(FUZZ_BUILD)/artifacts/$$h/:" \
			    "fix the bug, then copy it into tests/fuzz/regress/$$h/"; \
			exit 1; \
		fi; \
	done

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_BUILD)
