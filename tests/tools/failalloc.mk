# tests/tools/failalloc.mk — the LD_PRELOAD library that makes the master's
# allocations fail on demand (tests/bats/server.bats, ERR 500).  Built
# without the sanitizer flags: it cannot be preloaded under ASan.
TOOLS += $(BIN)/failalloc.so

$(BIN)/failalloc.so: tests/tools/failalloc.c
	@mkdir -p $(dir $@); echo "  LINK $@"
	$(CC) $(WARN) $(OPT) -D_GNU_SOURCE -fPIC -shared -o $@ $<
