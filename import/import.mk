# import.mk — trainsrv-import: a GTFS feed into a trainsrv timetable.
# The importer folds station names with the engine's fold.c, so that the
# names it tells apart are the names the server tells apart.

# IMPORT_LIB is the importer but its main: the unit tests and the csv fuzz
# harness (tests/fuzz/fuzz.mk) link it too.  The importer links the whole
# engine: it loads what it made with the server's parser before writing
# it (main.c), so that an import that succeeds always loads.
IMPORT_LIB = import/csv.c import/gtfs.c import/emit.c import/text.c
IMPORT_SRC = $(IMPORT_LIB) $(ENGINE_SRC) ipc/utf8.c

PROGS += $(BIN)/trainsrv-import
UNIT_SRC += $(IMPORT_LIB)

$(BIN)/trainsrv-import: $(call obj,import/main.c $(IMPORT_SRC))
	$(LINK)

# Time the importer on the LIRR feed and on a generated feed of 600,000
# stop times (ttgen -g writes it).
BENCH_GTFS = /tmp/trainsrv-bench-gtfs
bench-import: $(BIN)/trainsrv-import $(BIN)/ttgen
	@rm -rf $(BENCH_GTFS) && $(BIN)/ttgen -g $(BENCH_GTFS) -l 600000
	@s=$$(date +%s%N); $(BIN)/trainsrv-import -d 2026-10-05 \
	    -o $(BENCH_GTFS)/lirr.txt data/gtfs-lirr && e=$$(date +%s%N) && \
	    echo "import LIRR 2026-10-05: $$(( (e - s) / 1000000 )) ms"
	@s=$$(date +%s%N); $(BIN)/trainsrv-import -d 2026-10-05 \
	    -o $(BENCH_GTFS)/gen.txt $(BENCH_GTFS) && e=$$(date +%s%N) && \
	    echo "import generated feed ($$(( $$(wc -l < $(BENCH_GTFS)/stop_times.txt) - 1 )) stop times): $$(( (e - s) / 1000000 )) ms"
	@$(BIN)/trainsrv -t -f $(BENCH_GTFS)/gen.txt
	@rm -rf $(BENCH_GTFS)

.PHONY: bench-import

# bench-engine times JOURNEY on the LIRR day it imports.
bench-engine: $(BIN)/trainsrv-import
