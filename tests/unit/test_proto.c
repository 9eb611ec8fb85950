/*
 * test_proto.c — the protocol code (worker/proto.c) driven in-process:
 * every command of the table against a small timetable, the field counts
 * and bounds on both sides, the ERR codes and messages, the counters each
 * request bumps, the session hook, and the read-ahead hint (a wrong hint
 * never changes a reply).  No socket and no worker: proto_request is the
 * whole request path from a line to its reply.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/stats.h"
#include "ipc/wire.h"
#include "tests/unit/harness.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/proto.h"

void	suite_proto(void);

/*
 * Train 4 runs Paris - Valence - Marseille: a ride Paris to Valence, a
 * change at Valence for Grenoble (train 2), and a through ride to
 * Marseille.  Train 3 has no price.
 */
static const char timetable[] =
    "1;Valence;Grenoble;6:15;7:31;17.60;REDUC\n"
    "2;Valence;Grenoble;8:00;9:00;20.00;\n"
    "3;Grenoble;Valence;10:00;11:00;;SUPPL\n"
    "4;Paris Gare de Lyon;Valence;5:00;7:00;90.00;\n"
    "4;Valence;Marseille;7:10;8:30;30.00;\n";

static struct st_slot	slot;
static enum proto_result last;
static char		reply[65536];

/* Answer one request line as a worker would, hint or not; the reply. */
static const char *
ask_hint(const struct tt *t, const char *line, size_t len,
    const struct tt_hint *hint)
{
	struct buf	 out = { NULL, 0, 0 };
	char		*copy;

	/* proto_request edits the line in place, up to len, like conn.c. */
	if ((copy = malloc(len + 1)) == NULL)
		abort();
	memcpy(copy, line, len);
	copy[len] = '\0';
	last = proto_request(t, &slot, copy, len, hint, &out);
	free(copy);
	if (out.len >= sizeof(reply))
		out.len = sizeof(reply) - 1;
	memcpy(reply, out.p != NULL ? out.p : "", out.len);
	reply[out.len] = '\0';
	buf_free(&out);
	return reply;
}

static const char *
ask(const struct tt *t, const char *line)
{
	return ask_hint(t, line, strlen(line), NULL);
}

/* The reply is exactly want, and the request was answered (not QUIT). */
#define ASK(t, line, want) do {						\
	CHECK_STR(ask((t), (line)), (want));				\
	CHECK_INT(last, PROTO_CONTINUE);				\
} while (0)

/* The reply starts with want. */
#define ASK_PREFIX(t, line, want) do {					\
	const char *r_ = ask((t), (line));				\
	h_check(strncmp(r_, (want), strlen(want)) == 0, __FILE__,	\
	    __LINE__, "%s: reply\n\t\"%s\"\n    does not start with\n"	\
	    "\t\"%s\"", (line), r_, (want));				\
} while (0)

/* Lines of the reply after "OK n", checking that n counts them. */
static unsigned
reply_lines(const char *r)
{
	unsigned long	n;
	unsigned	lines = 0;
	char		*end;

	if (strncmp(r, "OK ", 3) != 0)
		return (unsigned)-1;
	n = strtoul(r + 3, &end, 10);
	if (*end != '\n')
		return (unsigned)-1;
	for (r = end + 1; *r != '\0'; r++)
		if (*r == '\n')
			lines++;
	return lines == n ? lines : (unsigned)-1;
}

static void
test_ping_help_echo_quit(const struct tt *t)
{
	uint64_t	pings = slot.cmd[ST_CMD_PING];
	uint64_t	e400 = slot.err[ST_ERR_400];
	const char	*r;

	ASK(t, "PING", "OK 1\nPONG\n");
	ASK(t, "ping", "OK 1\nPONG\n");
	ASK(t, " \tPiNg \t", "OK 1\nPONG\n");
	CHECK_INT(slot.cmd[ST_CMD_PING], pings + 3);
	CHECK_INT(slot.err[ST_ERR_400], e400);
	/* Fields on a command that takes none. */
	ASK(t, "PING x", "ERR 400 usage: PING\n");
	ASK(t, "PING ;", "ERR 400 usage: PING\n");
	CHECK_INT(slot.cmd[ST_CMD_PING], pings + 5);
	CHECK_INT(slot.err[ST_ERR_400], e400 + 2);
	ASK(t, "HELP me", "ERR 400 usage: HELP\n");
	ASK(t, "WHO everyone", "ERR 400 usage: WHO\n");

	/* HELP: one line per command, usage then help, OK counting them. */
	r = ask(t, "help");
	CHECK_INT(reply_lines(r), 14);
	CHECK(strncmp(r, "OK 14\nHELP  ", 12) == 0);
	CHECK(strstr(r, "\nPING                                 answer PONG\n")
	    != NULL);
	CHECK(strstr(r, "\nALL [offset;limit]                   trains of the "
	    "day, by departure (limit 100, at most 1000)\n") != NULL);
	CHECK(strstr(r, "\nDEPARTURES station[;time[;count]]") != NULL);
	CHECK(strstr(r, "\nJOURNEY from;to;time[;max_changes]") != NULL);
	CHECK(strstr(r, "\nQUIT                                 close the "
	    "connection\n") != NULL);

	/* ECHO: the rest of the line, blanks around it trimmed. */
	ASK(t, "ECHO hello;  world ", "OK 1\nhello;  world\n");
	ASK(t, "ECHO", "OK 1\n\n");

	/* QUIT: the reply, then the connection closes. */
	CHECK_STR(ask(t, "QUIT"), "OK 0\n");
	CHECK_INT(last, PROTO_QUIT);
	CHECK_STR(ask(t, "quit now"), "ERR 400 usage: QUIT\n");
	CHECK_INT(last, PROTO_CONTINUE);
}

static void
test_unknown_and_empty(const struct tt *t)
{
	uint64_t	other = slot.cmd[ST_CMD_OTHER];
	uint64_t	e400 = slot.err[ST_ERR_400];
	char		word[82], want[160];

	ASK(t, "", "ERR 400 empty request; type HELP\n");
	ASK(t, " \t ", "ERR 400 empty request; type HELP\n");
	ASK(t, "FOO", "ERR 400 unknown command \"FOO\"; type HELP\n");
	ASK(t, "foo bar;baz", "ERR 400 unknown command \"foo\"; type HELP\n");
	/* Longer than any command name (DEPARTURES + 1). */
	ASK(t, "DEPARTURESX Valence",
	    "ERR 400 unknown command \"DEPARTURESX\"; type HELP\n");
	ASK(t, "PINGPONG", "ERR 400 unknown command \"PINGPONG\"; type HELP\n");
	ASK(t, "PIN", "ERR 400 unknown command \"PIN\"; type HELP\n");
	/* Control characters are not echoed back. */
	ASK(t, "F\x01O\x1b[2J\x7f\xc2\x9b",
	    "ERR 400 unknown command \"F?O?[2J??\"; type HELP\n");
	/* A long unknown word is cut short. */
	memset(word, 'X', 81);
	word[81] = '\0';
	snprintf(want, sizeof(want), "ERR 400 unknown command \"%.60s...\"; "
	    "type HELP\n", word);
	ASK(t, word, want);
	CHECK_INT(slot.cmd[ST_CMD_OTHER], other + 9);
	CHECK_INT(slot.err[ST_ERR_400], e400 + 9);
	/* A NUL byte ends the request's text. */
	CHECK_STR(ask_hint(t, "PING\0garbage", 12, NULL), "OK 1\nPONG\n");
	CHECK_STR(ask_hint(t, "\0PING", 5, NULL),
	    "ERR 400 empty request; type HELP\n");
}

static void
test_all(const struct tt *t)
{
	uint64_t	alls = slot.cmd[ST_CMD_ALL];
	const char	*all4 =
	    "OK 4\n"
	    "4;Paris Gare de Lyon;Marseille;05:00;08:30;210;120.00;;120.00;"
	    "Valence;\n"
	    "1;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;14.08;;\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;\n"
	    "3;Grenoble;Valence;10:00;11:00;60;;SUPPL;;;\n";

	ASK(t, "ALL", all4);
	ASK(t, "ALL 0;100", all4);
	ASK(t, "ALL ;", "ERR 400 bad limit \"\" (want 0 to 1000)\n");
	ASK(t, "ALL 1;2",
	    "OK 2\n"
	    "1;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;14.08;;\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;\n");
	ASK(t, " all  3 ",
	    "OK 1\n3;Grenoble;Valence;10:00;11:00;60;;SUPPL;;;\n");
	ASK(t, "ALL ;1", "OK 1\n4;Paris Gare de Lyon;Marseille;05:00;08:30;210;"
	    "120.00;;120.00;Valence;\n");
	ASK(t, "ALL 4", "OK 0\n");
	ASK(t, "ALL 0;0", "OK 0\n");
	/* The bounds, both sides. */
	ASK(t, "ALL 0;1000", all4);
	ASK(t, "ALL 0;1001", "ERR 400 bad limit \"1001\" (want 0 to 1000)\n");
	ASK(t, "ALL 100000000", "OK 0\n");
	ASK(t, "ALL 100000001",
	    "ERR 400 bad offset \"100000001\" (want 0 to 100000000)\n");
	ASK(t, "ALL 99999999999999999999",
	    "ERR 400 bad offset \"99999999999999999999\" (want 0 to "
	    "100000000)\n");
	/* Malformed. */
	ASK(t, "ALL 5;", "ERR 400 bad limit \"\" (want 0 to 1000)\n");
	ASK(t, "ALL -1", "ERR 400 bad offset \"-1\" (want 0 to 100000000)\n");
	ASK(t, "ALL +1", "ERR 400 bad offset \"+1\" (want 0 to 100000000)\n");
	ASK(t, "ALL 1x", "ERR 400 bad offset \"1x\" (want 0 to 100000000)\n");
	ASK(t, "ALL 0;2 0", "ERR 400 bad limit \"2 0\" (want 0 to 1000)\n");
	ASK(t, "ALL 1;2;3", "ERR 400 usage: ALL [offset;limit]\n");
	CHECK_INT(slot.cmd[ST_CMD_ALL], alls + 19);
}

static void
test_next_window_best(const struct tt *t)
{
	uint64_t	e404 = slot.err[ST_ERR_404];
	const char	*t1 = "1;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;"
			    "14.08;;\n";
	const char	*t2 = "2;Valence;Grenoble;08:00;09:00;60;20.00;;"
			    "20.00;;\n";
	char		 want[512];

	snprintf(want, sizeof(want), "OK 1\n%s", t1);
	ASK(t, "NEXT Valence;Grenoble;06:00", want);
	ASK(t, "NEXT Valence;Grenoble;06:15", want);
	ASK(t, "next  valence ; GRENOBLE ;06:15 ", want);
	snprintf(want, sizeof(want), "OK 1\n%s", t2);
	ASK(t, "NEXT Valence;Grenoble;06:16", want);
	/* After the last train: the first one tomorrow. */
	ASK(t, "NEXT Valence;Grenoble;08:01", "OK 1\n1;Valence;Grenoble;"
	    "06:15+1;07:31+1;76;17.60;REDUC;14.08;;\n");
	/* A ride within a train: Paris to Valence on train 4. */
	ASK(t, "NEXT paris gare-de-lyon;valence;04:00", "OK 1\n4;Paris Gare "
	    "de Lyon;Valence;05:00;07:00;120;90.00;;90.00;;\n");
	ASK(t, "NEXT Marseille;Paris Gare de Lyon;04:00", "OK 0\n");
	/* Without a time (or an empty one): now, always one train here. */
	ASK_PREFIX(t, "NEXT Valence;Grenoble", "OK 1\n");
	ASK_PREFIX(t, "NEXT Valence;Grenoble;", "OK 1\n");
	/* Field counts and values. */
	ASK(t, "NEXT Valence", "ERR 400 usage: NEXT from;to[;time]\n");
	ASK(t, "NEXT", "ERR 400 usage: NEXT from;to[;time]\n");
	ASK(t, "NEXT a;b;06:00;x", "ERR 400 usage: NEXT from;to[;time]\n");
	ASK(t, "NEXT a;b;c;d;e;f;g;h;i;j",
	    "ERR 400 usage: NEXT from;to[;time]\n");
	ASK(t, "NEXT Valence;Grenoble;24:00",
	    "ERR 400 bad time \"24:00\" (want HH:MM, 00:00 to 23:59)\n");
	ASK(t, "NEXT Valence;Grenoble;23:59", "OK 1\n1;Valence;Grenoble;"
	    "06:15+1;07:31+1;76;17.60;REDUC;14.08;;\n");
	ASK(t, "NEXT Valence;Grenoble;6:5",
	    "ERR 400 bad time \"6:5\" (want HH:MM, 00:00 to 23:59)\n");
	ASK(t, "NEXT Valence;Grenoble;noon",
	    "ERR 400 bad time \"noon\" (want HH:MM, 00:00 to 23:59)\n");
	/* Unknown stations: 404, with suggestions when some are close. */
	ASK(t, "NEXT Grenble;Valence;06:00", "ERR 404 unknown station "
	    "\"Grenble\" (did you mean: Grenoble)\n");
	ASK(t, "NEXT Valence;Zzzzzzzzzz;06:00",
	    "ERR 404 unknown station \"Zzzzzzzzzz\"\n");
	ASK(t, "NEXT Valence;Gre\x1bnoble;06:00", "ERR 404 unknown station "
	    "\"Gre?noble\" (did you mean: Grenoble)\n");
	CHECK_INT(slot.err[ST_ERR_404], e404 + 3);
	/* The station is checked before the time. */
	ASK_PREFIX(t, "NEXT Nowhere;Valence;99:99",
	    "ERR 404 unknown station \"Nowhere\"");

	/* WINDOW: both trains, the cheapest and the fastest tagged. */
	ASK(t, "WINDOW Valence;Grenoble;06:00;09:00",
	    "OK 2\n"
	    "1;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;14.08;;cheapest\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;fastest\n");
	/* Inclusive on both ends. */
	ASK(t, "WINDOW Valence;Grenoble;06:15;08:00",
	    "OK 2\n"
	    "1;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;14.08;;cheapest\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;fastest\n");
	ASK(t, "WINDOW Valence;Grenoble;06:16;07:59", "OK 0\n");
	ASK(t, "WINDOW Valence;Grenoble;06:00",
	    "ERR 400 usage: WINDOW from;to;start;end\n");
	ASK(t, "WINDOW Valence;Grenoble;06:00;09:00;x",
	    "ERR 400 usage: WINDOW from;to;start;end\n");
	ASK(t, "WINDOW Valence;Grenoble;06:00;",
	    "ERR 400 bad time \"\" (want HH:MM, 00:00 to 23:59)\n");
	ASK(t, "WINDOW Valence;Grenoble;6h;09:00",
	    "ERR 400 bad time \"6h\" (want HH:MM, 00:00 to 23:59)\n");

	/* BEST: by fare (REDUC makes train 1 cheaper) or by duration. */
	snprintf(want, sizeof(want), "OK 1\n%s", t1);
	ASK(t, "BEST Valence;Grenoble;price", want);
	ASK(t, "BEST Valence;Grenoble;PRICE", want);
	snprintf(want, sizeof(want), "OK 1\n%s", t2);
	ASK(t, "BEST Valence;Grenoble;duration", want);
	/* No known fare: no cheapest train, but a fastest one. */
	ASK(t, "BEST Grenoble;Valence;price", "OK 0\n");
	ASK(t, "BEST Grenoble;Valence;Duration", "OK 1\n3;Grenoble;Valence;"
	    "10:00;11:00;60;;SUPPL;;;\n");
	ASK(t, "BEST Valence;Grenoble;speed",
	    "ERR 400 bad criterion \"speed\" (want price or duration)\n");
	ASK(t, "BEST Valence;Grenoble;",
	    "ERR 400 bad criterion \"\" (want price or duration)\n");
	ASK(t, "BEST Valence;Grenoble",
	    "ERR 400 usage: BEST from;to;price|duration\n");
	ASK(t, "BEST Valence;Grenoble;price;x",
	    "ERR 400 usage: BEST from;to;price|duration\n");
	ASK(t, "BEST Valence;Grenobel;price", "ERR 404 unknown station "
	    "\"Grenobel\" (did you mean: Grenoble)\n");
}

static void
test_departures(const struct tt *t)
{
	const char	*all3 =
	    "OK 3\n"
	    "1;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;14.08;;\n"
	    "4;Valence;Marseille;07:10;08:30;80;30.00;;30.00;;\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;\n";
	char		 want[1024];

	ASK(t, "DEPARTURES Valence;06:00", all3);
	ASK(t, "DEPARTURES Valence;06:00;3", all3);
	/* The count's bounds, both sides. */
	ASK(t, "DEPARTURES Valence;06:00;0", "OK 0\n");
	ASK(t, "DEPARTURES Valence;06:00;1", "OK 1\n1;Valence;Grenoble;"
	    "06:15;07:31;76;17.60;REDUC;14.08;;\n");
	/* Never the same departure twice: 1000 asked, 3 given. */
	ASK(t, "DEPARTURES Valence;06:00;1000", all3);
	ASK(t, "DEPARTURES Valence;06:00;1001",
	    "ERR 400 bad count \"1001\" (want 0 to 1000)\n");
	ASK(t, "DEPARTURES Valence;06:00;-1",
	    "ERR 400 bad count \"-1\" (want 0 to 1000)\n");
	/* An empty count takes its default (10): the same 3. */
	ASK(t, "DEPARTURES Valence;06:00;", all3);
	ASK(t, "DEPARTURES Valence;06:00;ten",
	    "ERR 400 bad count \"ten\" (want 0 to 1000)\n");
	/* Later in the day: the next ones, tomorrow's after midnight. */
	snprintf(want, sizeof(want), "OK 2\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;\n"
	    "1;Valence;Grenoble;06:15+1;07:31+1;76;17.60;REDUC;14.08;;\n");
	ASK(t, "DEPARTURES Valence;07:11;2", want);
	/* Without a time, or an empty one: now. */
	ASK_PREFIX(t, "DEPARTURES Valence", "OK ");
	ASK_PREFIX(t, "DEPARTURES Valence;;2", "OK 2\n");
	ASK(t, "DEPARTURES",
	    "ERR 400 usage: DEPARTURES station[;time[;count]]\n");
	ASK(t, "DEPARTURES Valence;06:00;3;x",
	    "ERR 400 usage: DEPARTURES station[;time[;count]]\n");
	ASK(t, "DEPARTURES Valence;6",
	    "ERR 400 bad time \"6\" (want HH:MM, 00:00 to 23:59)\n");
	ASK(t, "DEPARTURES Marseile;06:00", "ERR 404 unknown station "
	    "\"Marseile\" (did you mean: Marseille)\n");
}

static void
test_stations(const struct tt *t)
{
	ASK(t, "STATIONS", "OK 4\nGrenoble\nMarseille\nParis Gare de Lyon\n"
	    "Valence\n");
	ASK(t, "STATIONS gre", "OK 1\nGrenoble\n");
	ASK(t, "stations  PARIS-gare ", "OK 1\nParis Gare de Lyon\n");
	ASK(t, "STATIONS m", "OK 1\nMarseille\n");
	ASK(t, "STATIONS x", "OK 0\n");
	ASK(t, "STATIONS Valencee", "OK 0\n");
}

static void
test_journey(const struct tt *t)
{
	const char	*r;

	/* Paris to Grenoble: train 4 to Valence, change to train 2. */
	ASK(t, "JOURNEY Paris Gare de Lyon;Grenoble;04:00",
	    "OK 3\n"
	    "J;05:00;09:00;1;240\n"
	    "4;Paris Gare de Lyon;Valence;05:00;07:00;120;90.00;;90.00;;\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;\n");
	/* No change allowed: no journey. */
	ASK(t, "JOURNEY Paris Gare de Lyon;Grenoble;04:00;0", "OK 0\n");
	ASK(t, "JOURNEY Paris Gare de Lyon;Grenoble;04:00;", "OK 3\n"
	    "J;05:00;09:00;1;240\n"
	    "4;Paris Gare de Lyon;Valence;05:00;07:00;120;90.00;;90.00;;\n"
	    "2;Valence;Grenoble;08:00;09:00;60;20.00;;20.00;;\n");
	/* A direct ride is a journey of one leg. */
	r = ask(t, "JOURNEY Valence;Grenoble;06:00;8");
	CHECK(strncmp(r, "OK 2\nJ;06:15;07:31;0;76\n1;Valence;Grenoble;", 41)
	    == 0);
	CHECK_INT(reply_lines(r), 2);
	ASK(t, "JOURNEY Valence;Grenoble;06:00;9",
	    "ERR 400 bad max_changes \"9\" (want 0 to 8)\n");
	ASK(t, "JOURNEY Valence;Grenoble",
	    "ERR 400 usage: JOURNEY from;to;time[;max_changes]\n");
	ASK(t, "JOURNEY Valence;Grenoble;06:00;1;2",
	    "ERR 400 usage: JOURNEY from;to;time[;max_changes]\n");
	/* The time is required here. */
	ASK(t, "JOURNEY Valence;Grenoble;",
	    "ERR 400 bad time \"\" (want HH:MM, 00:00 to 23:59)\n");
	ASK(t, "JOURNEY Valance;Grenoble;06:00", "ERR 404 unknown station "
	    "\"Valance\" (did you mean: Valence)\n");
}

/* The session hook: what NAME, WHO and MSG hand to it. */
static unsigned	 sess_cmd;
static char	 sess_args[256];

static enum proto_result
sess_stub(unsigned cmd, char *args, struct buf *out)
{
	sess_cmd = cmd;
	snprintf(sess_args, sizeof(sess_args), "%s", args);
	buf_append(out, "OK 0\n", 5);
	return PROTO_WAIT;
}

static void
test_session(const struct tt *t)
{
	/* Without a handler (no worker): an error, not a crash. */
	ASK(t, "NAME bob", "ERR 400 NAME is not available here\n");
	ASK(t, "WHO", "ERR 400 WHO is not available here\n");
	ASK(t, "MSG @all hi", "ERR 400 MSG is not available here\n");

	proto_set_session_handler(sess_stub);
	CHECK_STR(ask(t, "name  bob "), "OK 0\n");
	CHECK_INT(last, PROTO_WAIT);
	CHECK_INT(sess_cmd, ST_CMD_NAME);
	CHECK_STR(sess_args, "bob");
	CHECK_STR(ask(t, "WHO"), "OK 0\n");
	CHECK_INT(sess_cmd, ST_CMD_WHO);
	/* MSG's text is free: kept whole, semicolons included. */
	CHECK_STR(ask(t, "MSG @all  hi; there "), "OK 0\n");
	CHECK_INT(sess_cmd, ST_CMD_MSG);
	CHECK_STR(sess_args, "@all  hi; there");
	sess_cmd = 99;
	ASK(t, "NAME", "ERR 400 usage: NAME nick\n");
	ASK(t, "NAME a;b", "ERR 400 usage: NAME nick\n");
	ASK(t, "WHO x", "ERR 400 usage: WHO\n");
	CHECK_INT(sess_cmd, 99);	/* usage errors never reach it */
	proto_set_session_handler(NULL);
}

/* The read-ahead hint: found for NEXT and WINDOW; a wrong one is ignored. */
static void
test_hint(const struct tt *t)
{
	struct tt_hint	 h, wrong;
	const char	*line = "NEXT Valence;Grenoble;06:00";
	char		 want[512];

	memset(&h, 0, sizeof(h));
	CHECK_INT(proto_hint(t, line, strlen(line), &h), 1);
	CHECK_INT(h.from, tt_station_find(t, "Valence", 7));
	CHECK_INT(h.to, tt_station_find(t, "Grenoble", 8));
	CHECK_INT(h.clock, 6 * 60);
	CHECK_INT(proto_hint(t, "window valence;grenoble;07:00;08:00", 35,
	    &h), 1);
	CHECK_INT(h.clock, 7 * 60);
	CHECK_INT(proto_hint(t, "NEXT Valence;Grenoble", 21, &h), 1);
	CHECK_INT(h.clock, -1);
	CHECK_INT(proto_hint(t, "BEST Valence;Grenoble;price", 27, &h), 0);
	CHECK_INT(proto_hint(t, "PING", 4, &h), 0);
	CHECK_INT(proto_hint(t, "NEXT Nowhere;Grenoble", 21, &h), 0);
	CHECK_INT(proto_hint(t, "NEXT Valence;Nowhere", 20, &h), 0);
	CHECK_INT(proto_hint(t, "", 0, &h), 0);

	/* The right hint and a wrong one give the same reply. */
	snprintf(want, sizeof(want), "%s", ask(t, line));
	CHECK_STR(want, "OK 1\n1;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;"
	    "14.08;;\n");
	CHECK_INT(proto_hint(t, line, strlen(line), &h), 1);
	CHECK_STR(ask_hint(t, line, strlen(line), &h), want);
	wrong = h;
	wrong.from = h.to;
	wrong.to = h.from;
	CHECK_STR(ask_hint(t, line, strlen(line), &wrong), want);
	wrong.from = wrong.to = tt_nstations(t) - 1;
	CHECK_STR(ask_hint(t, line, strlen(line), &wrong), want);
}

/* Replies made elsewhere are counted by their ERR code. */
static void
test_counting(void)
{
	struct st_slot	 s;
	struct buf	 out = { NULL, 0, 0 };

	memset(&s, 0, sizeof(s));
	proto_count_reply(&s, "ERR 503 shutting down\n", 22);
	proto_count_reply(&s, "ERR 409 nickname taken\n", 23);
	proto_count_reply(&s, "ERR 429 slow down\n", 18);
	proto_count_reply(&s, "ERR 999 odd\n", 12);
	proto_count_reply(&s, "OK 1\nERR 400 x\n", 15);
	proto_count_reply(&s, "ERR 400 no newline", 18);
	CHECK_INT(s.err[ST_ERR_503], 1);
	CHECK_INT(s.err[ST_ERR_409], 1);
	CHECK_INT(s.err[ST_ERR_429], 1);
	CHECK_INT(s.err[ST_ERR_500], 1);
	CHECK_INT(s.err[ST_ERR_400], 0);
	proto_error(&s, &out, WIRE_ETOOLONG, "line too long (%d bytes)", 5000);
	CHECK_INT(s.err[ST_ERR_413], 1);
	CHECK_INT(out.len, strlen("ERR 413 line too long (5000 bytes)\n"));
	CHECK(out.p != NULL && memcmp(out.p,
	    "ERR 413 line too long (5000 bytes)\n", out.len) == 0);
	buf_free(&out);
}

void
suite_proto(void)
{
	struct tt	*t;

	memset(&slot, 0, sizeof(slot));
	t = LOAD(timetable);
	if (t == NULL)
		return;
	test_ping_help_echo_quit(t);
	test_unknown_and_empty(t);
	test_all(t);
	test_next_window_best(t);
	test_departures(t);
	test_stations(t);
	test_journey(t);
	test_session(t);
	test_hint(t);
	test_counting();
	tt_free(t);
}
