/*
 * fuzz_request.c — libFuzzer harness for the request parser, proto_request()
 * in worker/proto.c, against a small timetable (the sample timetable plus
 * trains of several legs, accents and night trains) loaded once.
 *
 * The input is cut into lines as a worker's connection does (worker/conn.c:
 * LF ends a line, one CR before it is dropped, a line over 4096 bytes never
 * reaches the parser), and each line, copied into a buffer of its exact
 * size, is answered.  Every reply must be well framed (common.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipc/stats.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/proto.h"
#include "tests/fuzz/common.h"

static const char freq_timetable[] =
    "17564;Valence;Grenoble;6:15;7:31;17.60;REDUC\n"
    "17566;Valence;Grenoble;6:45;7:55;17.60;\n"
    "17568;Valence;Grenoble;7:15;8:32;17.60;\n"
    "17524;Grenoble;Valence;16:30;17:45;17.60;\n"
    "17525;Grenoble;Valence;16:55;17:55;17.60;SUPPL\n"
    "17526;Grenoble;Valence;17:30;18:46;17.60;\n"
    "17528;Grenoble;Valence;18:30;19:45;17.60;REDUC\n"
    "86181;Valence;Montelimar;12:30;12:56;9.80;REDUC\n"
    "86183;Valence;Montelimar;14:10;14:30;9.80;SUPPL\n"
    "86187;Valence;Montelimar;16:30;16:56;9.80;\n"
    "86174;Montelimar;Valence;6:30;6:55;9.80;\n"
    "86175;Montelimar;Valence;7:10;7:30;9.80;SUPPL\n"
    "86177;Montelimar;Valence;7:30;7:55;9.80;\n"
    "86178;Montelimar;Valence;8:00;8:25;9.80;\n"
    "86179;Montelimar;Valence;8:30;8:55;9.80;REDUC\n"
    "9862;Valence;Paris Gare de Lyon;15:15;17:49;87.60;\n"
    "6194;Valence;Paris Gare de Lyon;16:15;19:15;92.00;\n"
    "6208;Valence;Paris Gare de Lyon;17:15;19:53;92.80;\n"
    "6035;Paris Gare de Lyon;Valence;7:41;10:11;113.00;REDUC\n"
    "9713;Paris Gare de Lyon;Valence;10:07;12:19;90.00;\n"
    "6063;Paris Gare de Lyon;Valence;10:07;13:15;92.20;\n"
    "# several legs, accents, a night train, a GTFS-style 25:10\n"
    "TGV1;Paris Gare de Lyon;Lyon Part-Dieu;7:00;9:00;50.00;REDUC\n"
    "TGV1;Lyon Part-Dieu;Valence;9:10;10:10;20.00;\n"
    "TGV1;Valence;Mont\xc3\xa9limar;10:20;11:30;30.00;SUPPL\n"
    "N1;Paris Gare de Lyon;Dijon;23:10;23:55;;\n"
    "N1;Dijon;Lyon Part-Dieu;0:30;1:40;;\n"
    "L25;Grenoble;Chamb\xc3\xa9ry;25:10;26:05;8.40;reduc\n";

static struct tt *freq_tt;
static struct st_slot freq_slot;

static const struct tt *
freq_load(void)
{
	char *errors = NULL;
	unsigned nerrors = 0;

	if (freq_tt == NULL) {
		freq_tt = tt_load_mem("fuzz_request", freq_timetable,
		    sizeof freq_timetable - 1, &errors, &nerrors);
		if (freq_tt == NULL) {
			fprintf(stderr, "fuzz_request: timetable: %s",
			    errors ? errors : "?\n");
			abort();
		}
	}
	return freq_tt;
}

/* Is line an ECHO request (its reply may carry the client's own bytes)? */
static int
freq_is_echo(const char *line)
{
	line += strspn(line, " \t\r");
	return strncasecmp(line, "ECHO", 4) == 0 &&
	    (line[4] == '\0' || line[4] == ' ' || line[4] == '\t');
}

/*
 * A hint (what the worker's read-ahead makes of a pipelined line) never
 * changes the reply: the same line answered with its hint, and with the
 * hint's stations swapped (a wrong hint), must give the reply it gave
 * without one.
 */
static void
freq_check_hint(const struct tt *tt, const uint8_t *text, size_t ll,
    const struct tt_hint *hint, const struct buf *want)
{
	struct tt_hint wrong = *hint;
	struct buf got = { NULL, 0, 0 };
	char *line;
	int round;

	wrong.from = hint->to;
	wrong.to = hint->from;
	for (round = 0; round < 2; round++) {
		if ((line = malloc(ll + 1)) == NULL)
			break;
		memcpy(line, text, ll);
		line[ll] = '\0';
		got.len = 0;
		proto_request(tt, &freq_slot, line, ll, round ? &wrong : hint,
		    &got);
		if (got.len != want->len || memcmp(got.p, want->p, got.len) != 0) {
			fprintf(stderr, "fuzz_request: a hint changed the reply "
			    "to \"%.*s\"\n", (int)ll, (const char *)text);
			abort();
		}
		free(line);
	}
	buf_free(&got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tt *tt = freq_load();
	const uint8_t *p = data, *end = data + size, *nl;
	struct buf out = { NULL, 0, 0 };
	struct tt_hint hint;
	size_t ll;
	char *line;
	int echo, hinted;

	while (p < end) {
		/* A last line without LF is answered too (a client's EOF). */
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		ll = (size_t)(nl - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll <= WIRE_LINE_MAX && (line = malloc(ll + 1)) != NULL) {
			memcpy(line, p, ll);
			line[ll] = '\0';
			out.len = 0;
			echo = freq_is_echo(line);
			hinted = proto_hint(tt, line, ll, &hint);
			proto_request(tt, &freq_slot, line, ll, NULL, &out);
			fuzz_check_reply(out.p, out.len, echo);
			if (hinted)
				freq_check_hint(tt, p, ll, &hint, &out);
			free(line);
		}
		p = nl + 1;
	}
	buf_free(&out);
	return 0;
}
