/*
 * fuzz_timetable.c — libFuzzer harness for the timetable parser,
 * tt_load_mem() in worker/timetable.c.
 *
 * Any input either loads, or fails with at least one "name:line: message"
 * error; never both, never neither.  A timetable that loads is then asked
 * the questions of the protocol about its first stations (through
 * proto_request, so the indexes it built are walked), and every reply must
 * be well framed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/stats.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/proto.h"
#include "tests/fuzz/common.h"

static struct st_slot ftt_slot;

static void
ftt_ask(const struct tt *tt, struct buf *out, const char *fmt, const char *a,
    const char *b)
{
	char line[WIRE_LINE_MAX + 1];
	int n;

	n = snprintf(line, sizeof line, fmt, a, b);
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	out->len = 0;
	proto_request(tt, &ftt_slot, line, (size_t)n, NULL, out);
	fuzz_check_reply(out->p, out->len, 0);
}

static void
ftt_queries(const struct tt *tt)
{
	struct buf out = { NULL, 0, 0 };
	uint32_t n = tt_nstations(tt), first = 0;
	const char *a, *b;

	FUZZ_ASSERT(tt_ntrains(tt) > 0, "a timetable without trains loaded");
	FUZZ_ASSERT(tt_nlegs(tt) >= tt_ntrains(tt), "fewer legs than trains");
	FUZZ_ASSERT(n >= 2, "fewer than two stations");
	FUZZ_ASSERT(tt_stations(tt, "", 0, &first) == n, "STATIONS misses some");
	a = tt_station_name(tt, tt_station_by_rank(tt, 0));
	b = tt_station_name(tt, tt_station_by_rank(tt, n - 1));
	ftt_ask(tt, &out, "ALL 0;1000%s%s", "", "");
	ftt_ask(tt, &out, "STATIONS%s%s", "", "");
	ftt_ask(tt, &out, "NEXT %s;%s;00:00", a, b);
	ftt_ask(tt, &out, "NEXT %s;%s;23:59", b, a);
	ftt_ask(tt, &out, "WINDOW %s;%s;00:00;23:59", a, b);
	ftt_ask(tt, &out, "WINDOW %s;%s;12:00;11:00", b, a);
	ftt_ask(tt, &out, "BEST %s;%s;price", a, b);
	ftt_ask(tt, &out, "BEST %s;%s;duration", b, a);
	ftt_ask(tt, &out, "DEPARTURES %s;00:00;1000%s", a, "");
	ftt_ask(tt, &out, "DEPARTURES %s;23:30;1000%s", b, "");
	ftt_ask(tt, &out, "JOURNEY %s;%s;00:00", a, b);
	ftt_ask(tt, &out, "JOURNEY %s;%s;12:00;0", b, a);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *errors = NULL;
	unsigned nerrors = 0;
	struct tt *tt;

	tt = tt_load_mem("fuzz", (const char *)data, size, &errors, &nerrors);
	if (tt != NULL) {
		FUZZ_ASSERT(errors == NULL && nerrors == 0,
		    "loaded, yet with errors");
		ftt_queries(tt);
		tt_free(tt);
	} else {
		FUZZ_ASSERT(errors != NULL && nerrors > 0,
		    "refused without an error");
		FUZZ_ASSERT(strncmp(errors, "fuzz:", 5) == 0,
		    "an error that does not name the file");
		free(errors);
	}
	return 0;
}
