# gtfsmut.mk — gtfsmut copies a GTFS feed with seeded random damage, for
# the importer's property test (tests/bats/import.bats).

TOOLS += $(BIN)/gtfsmut

$(BIN)/gtfsmut: $(call obj,tests/tools/gtfsmut.c)
	$(LINK)
