# tests/tools/safety.mk — the hostile peers of tests/bats/segment.bats
# (segtool: fake stats segments) and tests/bats/client-safety.bats
# (evilsrv: a server whose every text carries terminal escapes).

TOOLS += $(BIN)/segtool $(BIN)/evilsrv

$(BIN)/segtool: $(call obj,tests/tools/segtool.c)
$(BIN)/evilsrv: $(call obj,tests/tools/evilsrv.c)
$(BIN)/segtool $(BIN)/evilsrv:
	$(LINK)
