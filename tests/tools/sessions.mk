# tests/tools/sessions.mk — the many-sessions client of tests/bats/routing.bats
# and control.bats (NAME + reset loops, thousands of idle sessions asking WHO
# at once, half-written control connections); included by the Makefile.

TOOLS += $(BIN)/sessions

$(BIN)/sessions: $(call obj,tests/tools/sessions.c)
	$(LINK)
