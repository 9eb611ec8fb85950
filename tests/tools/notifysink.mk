# tests/tools/notifysink.mk — a fake systemd notify socket for
# tests/bats/notify.bats; included by the Makefile.

TOOLS += $(BIN)/notifysink

$(BIN)/notifysink: $(call obj,tests/tools/notifysink.c)
	$(LINK)
