/*
 * menu.c — the traveller's menu: the seed's choices 0 to 3 (all trains,
 * next train, trains in a window, best train) plus departures, stations
 * and journeys with changes; the prompts, the checks of the answers, the
 * results.  The items are one table (menu_items): a new item is a row.
 *
 * Any question can be abandoned (Esc, Ctrl-G, or "q" alone): back to the
 * menu.  When the answers are piped, the first refused answer ends the
 * client with status 1 and the line it came from, so that later answers
 * are never taken for the wrong questions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client/client.h"
#include "ipc/wire.h"

#define CMD_MAX		(5 * LE_MAX)	/* fits any request we build */
#define TEXT_MAX	(5 * LE_MAX)
#define STATION_MAX	256		/* longest station name, bytes */
#define SUGG_MAX	3		/* suggestions the server gives */
#define COMPLETE_SHOW	8		/* names listed on Tab */
#define DEPS_DEFAULT	10		/* departures asked for */
#define DEPS_MAX	1000		/* as DEPARTURES takes */

static struct conn *conn;
static int raw;			/* --raw: protocol lines untouched */
static int eof;			/* end of input: leave the menu */

/* The last unknown station's suggestions, to be picked by number. */
static char sugg[SUGG_MAX][STATION_MAX + 1];
static size_t nsugg;

/* Read one answer, blanks trimmed: 1, 0 at end of input, -1 abandoned. */
static int
ask_line(const char *prompt, char *buf, size_t size)
{
	size_t len;
	char *p;
	int r;

	if ((r = le_read(conn, prompt, buf, size)) == 0)
		eof = 1;
	if (r != 1)
		return r;
	len = strlen(buf);
	p = wire_trim(buf, &len);
	memmove(buf, p, len);
	buf[len] = '\0';
	return 1;
}

/* An answer to a question: 1, or 0 when there is none (end, abandoned). */
static int
ask(const char *prompt, char *buf, size_t size)
{
	if (ask_line(prompt, buf, size) != 1)
		return 0;
	if (strcasecmp(buf, "q") == 0)
		return 0;		/* "q" alone: back to the menu */
	return 1;
}

/*
 * An answer refused: on a terminal, say why (the question is asked again);
 * piped, stop with the line refused, status 1.  tty_text is for people
 * at the terminal, pipe_text for a script's log.
 */
static void
refuse(const char *tty_text, const char *pipe_text)
{
	if (ui_tty())
		ui_msg("%s", tty_text);
	else
		die("stdin:%lu: %s", le_lineno(), pipe_text);
}

static void
refusef(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* refuse() with one text: lower-cased first letter when piped. */
static void
refusef(const char *fmt, ...)
{
	char text[TEXT_MAX], low[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(low, sizeof(low), "%s", text);
	if (low[0] >= 'A' && low[0] <= 'Z')
		low[0] = (char)(low[0] - 'A' + 'a');
	refuse(text, low);
}

static void
query(const char *cmd, struct reply *r)
{
	if (conn_query(conn, cmd, 1, r) == -1)
		die("%s", conn_error(conn));
}

static void
print_raw(const struct reply *r)
{
	size_t i;

	printf("%s\n", r->status);
	for (i = 0; i < r->nlines; i++)
		printf("%s\n", r->lines[i]);
}

/*
 * 'unknown station "Grenble" (did you mean: Grenoble | Grenette)' becomes
 * 'No station "Grenble"; did you mean Grenoble, Grenette?' and the
 * suggestions are kept, to be picked by number.  refused: an answer was
 * refused (piped: the end).
 */
static void
show_unknown(const char *msg, int refused)
{
	const char *q1, *q2, *dym, *s, *e;
	char list[1024], tty[TEXT_MAX], pipe[TEXT_MAX];
	size_t n = 0, k;

	nsugg = 0;
	dym = strstr(msg, " (did you mean: ");
	q1 = strchr(msg, '"');
	q2 = dym != NULL ? dym - 1 : msg + strlen(msg) - 1;
	if (q1 == NULL || q2 <= q1 || *q2 != '"') {
		if (refused)
			refuse(msg, msg);
		else
			ui_msg("%s", msg);
		return;
	}
	if (dym == NULL) {
		snprintf(tty, sizeof(tty), "No station %.*s (option 5 lists "
		    "the stations).", (int)(q2 - q1 + 1), q1);
		snprintf(pipe, sizeof(pipe), "no station %.*s",
		    (int)(q2 - q1 + 1), q1);
	} else {
		s = dym + strlen(" (did you mean: ");
		while (*s != '\0' && *s != ')' && nsugg < SUGG_MAX) {
			/* The last name ends at the closing parenthesis. */
			e = strstr(s, " | ");
			k = e != NULL ? (size_t)(e - s) : strlen(s);
			if (e == NULL && k > 0 && s[k - 1] == ')')
				k--;
			snprintf(sugg[nsugg++], sizeof(sugg[0]), "%.*s",
			    (int)k, s);
			if (n > 0 && n + 2 < sizeof(list)) {
				memcpy(list + n, ", ", 2);
				n += 2;
			}
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s",
			    sugg[nsugg - 1]);
			if (n >= sizeof(list))
				n = sizeof(list) - 1;
			s = e != NULL ? e + 3 : s + strlen(s);
		}
		list[n] = '\0';
		snprintf(tty, sizeof(tty), "No station %.*s; did you mean "
		    "%s? (%s)", (int)(q2 - q1 + 1), q1, list, nsugg == 1 ?
		    "1 picks it" : nsugg == 2 ? "1 or 2 picks one" :
		    "1 to 3 picks one");
		snprintf(pipe, sizeof(pipe), "no station %.*s (did you mean "
		    "%s?)", (int)(q2 - q1 + 1), q1, list);
	}
	if (refused)
		refuse(tty, pipe);
	else
		ui_msg("%s", tty);
}

static void
show_error(const struct reply *r)
{
	if (raw)
		print_raw(r);
	else if (r->code == WIRE_ENOTFOUND)
		show_unknown(r->msg, 0);
	else
		ui_msg("The server says: %s", r->msg);
}

/* The data lines as trains (lines that are not are reported, skipped). */
static struct train *
trains_parse(struct reply *r, size_t *n)
{
	struct train *t;
	size_t i;

	if ((t = calloc(r->nlines + 1, sizeof(*t))) == NULL)
		die("trains_parse: out of memory");
	*n = 0;
	for (i = 0; i < r->nlines; i++) {
		if (train_parse(r->lines[i], &t[*n]) == 0)
			(*n)++;
		else
			ui_msg("(skipped a malformed line from the server)");
	}
	return t;
}

/*
 * The server's spelling of a known station without departures: the first
 * name STATIONS gives for it as a prefix is the station itself.
 */
static void
station_spelling(char *buf, size_t size)
{
	char cmd[CMD_MAX];
	struct reply r;

	snprintf(cmd, sizeof(cmd), "STATIONS %s", buf);
	query(cmd, &r);
	if (r.ok && r.nlines > 0)
		snprintf(buf, size, "%s", r.lines[0]);
	reply_free(&r);
}

/*
 * Tab at a station prompt: the station names starting with what was typed
 * (STATIONS prefix).  One: it replaces the answer.  Several: they are
 * listed, and the answer grows to what they all start with.
 */
static int
complete_station(const char *typed, char *out, size_t size)
{
	char cmd[CMD_MAX], list[TEXT_MAX];
	struct reply r;
	size_t i, common, n = 0;
	int done = 0;

	if (*typed == '\0' || strchr(typed, ';') != NULL ||
	    strlen(typed) > STATION_MAX)
		return 0;
	snprintf(cmd, sizeof(cmd), "STATIONS %s", typed);
	if (conn_query(conn, cmd, 1, &r) == -1)
		return 0;
	if (!r.ok || r.nlines == 0) {
		reply_free(&r);
		ui_notice("(no station starts with \"%s\")", typed);
		return 0;
	}
	common = strlen(r.lines[0]);
	for (i = 1; i < r.nlines; i++) {
		size_t k = 0;

		while (k < common && r.lines[i][k] == r.lines[0][k])
			k++;
		common = k;
	}
	/* Never half a UTF-8 character. */
	while (common > 0 && ((unsigned char)r.lines[0][common] & 0xc0) ==
	    0x80)
		common--;
	if (r.nlines == 1) {
		snprintf(out, size, "%s", r.lines[0]);
		done = 1;
	} else {
		for (i = 0; i < r.nlines && i < COMPLETE_SHOW; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
			    "%s%s", i ? " | " : "", r.lines[i]);
		if (r.nlines > COMPLETE_SHOW && n < sizeof(list))
			snprintf(list + n, sizeof(list) - n,
			    " | … (%zu in all)", r.nlines);
		ui_notice("%s", list);
		if (common > strlen(typed)) {
			snprintf(out, size, "%.*s", (int)common, r.lines[0]);
			done = 1;
		}
	}
	reply_free(&r);
	return done;
}

/* A station answer that is a suggestion's number: the suggestion. */
static void
pick_suggestion(char *buf, size_t size)
{
	if (nsugg > 0 && buf[0] >= '1' && (size_t)(buf[0] - '0') <= nsugg &&
	    buf[1] == '\0')
		snprintf(buf, size, "%s", sugg[buf[0] - '1']);
	nsugg = 0;
}

/*
 * A station the server knows: an unknown one gets the server's suggestions
 * and the question again.  The answer becomes the station's own spelling
 * when the server shows it (a departure from there).
 */
static int
ask_station(const char *prompt, char *buf, size_t size)
{
	char cmd[CMD_MAX];
	struct train t;
	struct reply r;
	int ok;

	nsugg = 0;
	for (;;) {
		le_set_complete(complete_station);
		ok = ask(prompt, buf, size);
		le_set_complete(NULL);
		if (!ok)
			return 0;
		pick_suggestion(buf, size);
		if (*buf == '\0') {
			refuse("Please type a station name (Tab completes "
			    "it).", "an empty answer where a station name was "
			    "asked");
			continue;
		}
		if (strchr(buf, ';') != NULL || strlen(buf) > STATION_MAX) {
			refusef("That cannot be a station name: \"%s\".", buf);
			continue;
		}
		snprintf(cmd, sizeof(cmd), "DEPARTURES %s;00:00;1", buf);
		query(cmd, &r);
		if (!r.ok && r.code == WIRE_ENOTFOUND) {
			show_unknown(r.msg, 1);
			reply_free(&r);
			continue;
		}
		if (r.ok && r.nlines == 1 && train_parse(r.lines[0], &t) == 0 &&
		    *t.from != '\0')
			snprintf(buf, size, "%s", t.from);
		else if (r.ok)
			station_spelling(buf, size);
		reply_free(&r);
		return 1;
	}
}

/*
 * A time as people write it (7, 7h15, 0715, 7:15pm...), as HH:MM in buf;
 * optional: nothing is an answer too (now).
 */
static int
ask_time(const char *prompt, char *buf, size_t size, int optional)
{
	char hhmm[16];

	for (;;) {
		if (!ask(prompt, buf, size))
			return 0;
		if (*buf == '\0' && optional)
			return 1;
		if (time_parse(buf, hhmm, sizeof(hhmm)) == 0) {
			/* H:MM, as the server takes it, stays as typed. */
			if (strcmp(buf + strspn(buf, "0123456789"),
			    hhmm + 2) != 0)
				snprintf(buf, size, "%s", hhmm);
			return 1;
		}
		refusef("Bad time \"%s\": want a time of day such as 7, 7h15, "
		    "0715, 19:00 or 7:15pm%s.", buf, optional ?
		    ", or nothing for now" : "");
	}
}

static int
ask_by(char *buf, size_t size)
{
	size_t n;

	for (;;) {
		if (!ask("Best by price or by duration? [price] ", buf, size))
			return 0;
		n = strlen(buf);
		if (n == 0 || strncasecmp(buf, "price", n) == 0) {
			snprintf(buf, size, "price");
			return 1;
		}
		if (strncasecmp(buf, "duration", n) == 0) {
			snprintf(buf, size, "duration");
			return 1;
		}
		refusef("Please answer price or duration, not \"%s\".", buf);
	}
}

/* A whole number from lo to hi, or def for nothing. */
static int
ask_count(const char *prompt, long lo, long hi, long def,
    const char *deftext, long *v)
{
	char buf[LE_MAX], *end;

	for (;;) {
		if (!ask(prompt, buf, sizeof(buf)))
			return 0;
		if (*buf == '\0') {
			*v = def;
			return 1;
		}
		errno = 0;
		*v = strtol(buf, &end, 10);
		if (buf[0] >= '0' && buf[0] <= '9' && *end == '\0' &&
		    errno == 0 && *v >= lo && *v <= hi)
			return 1;
		refusef("Please answer a number from %ld to %ld, or nothing "
		    "for %s, not \"%s\".", lo, hi, deftext, buf);
	}
}

/*
 * After a table whose via lists were cut: "v" shows them whole.  Only on
 * a terminal, where a key is not an answer taken from a script.
 */
static void
offer_via(const struct train *t, size_t n, const struct table_opts *o)
{
	int k;

	if (!o->via_cut || !ui_tty() || raw)
		return;
	k = le_getkey(conn, "-- v: the whole via lists, any other key: "
	    "the menu -- ");
	if (k == 'v' || k == 'V')
		via_expand(stdout, t, n);
	else if (k == -1)
		eof = 1;
}

/*
 * A listing that comes a page at a time: its station columns as wide as
 * the longest station name from the start (STATIONS), so that no page
 * moves the columns.  Without an answer, widths only grow, page by page.
 */
static void
names_width(struct table_opts *o)
{
	struct reply r;
	size_t i, w, max = 0;

	if (conn_query(conn, "STATIONS", 1, &r) == -1)
		return;
	for (i = 0; r.ok && i < r.nlines; i++)
		if ((w = u8width(r.lines[i])) > max)
			max = w;
	reply_free(&r);
	table_names_width(o, max);
}

/*
 * After a page of all trains: one key, no Enter needed.  0: more, 1: stop,
 * -1: end of input.  "v" shows the page's via lists whole when cut.
 */
static int
all_more(const struct train *t, size_t n, struct table_opts *o)
{
	int k;

	for (;;) {
		k = le_getkey(conn, o->via_cut ? "-- Enter for more, v: the "
		    "whole via lists, q to stop -- " :
		    "-- Enter for more, q to stop -- ");
		if (k == -1) {
			eof = 1;
			return -1;
		}
		if ((k == 'v' || k == 'V') && o->via_cut) {
			via_expand(stdout, t, n);
			o->via_cut = 0;
			continue;
		}
		return k == 'q' || k == 'Q' || k == 0x1b || k == 0x07;
	}
}

/* 0: all trains, a page at a time on a terminal, widths kept. */
static int
item_all(void)
{
	struct table_opts o;
	char cmd[64];
	struct train *t = NULL;
	struct reply r;
	size_t offset = 0, limit = 1000, n = 0, got;
	int k;

	memset(&o, 0, sizeof(o));
	if (ui_tty()) {
		limit = term_rows() > 12 ? (size_t)term_rows() - 7 : 5;
		names_width(&o);
	}
	for (;;) {
		snprintf(cmd, sizeof(cmd), "ALL %zu;%zu", offset, limit);
		query(cmd, &r);
		if (!r.ok) {
			show_error(&r);
			reply_free(&r);
			return 1;
		}
		got = r.nlines;
		o.via_cut = 0;
		if (raw)
			print_raw(&r);
		else if (got == 0)
			printf("%s\n", offset == 0 ? "No trains." :
			    "No more trains.");
		else {
			if (offset == 0)
				printf("All trains:\n");
			t = trains_parse(&r, &n);
			table_print(stdout, t, n, &o);
		}
		if (got < limit) {
			if (t != NULL)
				offer_via(t, n, &o);
			free(t);
			reply_free(&r);
			return 1;
		}
		offset += got;
		k = ui_tty() ? all_more(t, n, &o) : 0;
		free(t);
		t = NULL;
		reply_free(&r);
		if (k != 0)
			return k > 0;
	}
}

/* Show a reply of trains under a title; the trains for the caller. */
static struct train *
show_trains(struct reply *r, size_t *n, struct table_opts *o,
    const char *none, const char *title)
{
	struct train *t;

	*n = 0;
	if (!r->ok) {
		show_error(r);
		return NULL;
	}
	if (raw) {
		print_raw(r);
		return NULL;
	}
	t = trains_parse(r, n);
	if (*n == 0) {
		printf("%s\n", none);
		free(t);
		return NULL;
	}
	if (title != NULL)
		printf("%s\n", title);
	table_print(stdout, t, *n, o);
	return t;
}

/* 1: the next train from a station to another. */
static int
item_next(void)
{
	char from[LE_MAX], to[LE_MAX], at[LE_MAX], cmd[CMD_MAX];
	char none[TEXT_MAX], title[TEXT_MAX];
	struct table_opts o;
	struct train *t;
	struct reply r;
	size_t n;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_time("Leaving at or after (HH:MM, empty for now): ",
	    at, sizeof(at), 1))
		return 0;
	if (*at == '\0')
		snprintf(cmd, sizeof(cmd), "NEXT %s;%s", from, to);
	else
		snprintf(cmd, sizeof(cmd), "NEXT %s;%s;%s", from, to, at);
	snprintf(none, sizeof(none), "No direct train from %s to %s; try a "
	    "journey with changes (6).", from, to);
	snprintf(title, sizeof(title), "Next train from %s to %s %s%s:",
	    from, to, *at == '\0' ? "from now" : "at or after ", at);
	query(cmd, &r);
	memset(&o, 0, sizeof(o));
	if ((t = show_trains(&r, &n, &o, none, title)) != NULL)
		offer_via(t, n, &o);
	free(t);
	reply_free(&r);
	return 1;
}

static void
show_labels(const struct train *t, size_t n)
{
	char buf[64];
	size_t i;

	for (i = 0; i < n; i++) {
		if (strstr(t[i].tags, "cheapest") == NULL)
			continue;
		fmt_fare(t[i].fare, buf, sizeof(buf));
		printf("Cheapest: train %s at %s, leaving at %s.\n",
		    t[i].num, buf, t[i].dep);
	}
	for (i = 0; i < n; i++) {
		if (strstr(t[i].tags, "fastest") == NULL)
			continue;
		fmt_duration(t[i].minutes, buf, sizeof(buf));
		printf("Fastest: train %s in %s, leaving at %s.\n",
		    t[i].num, buf, t[i].dep);
	}
}

/* 2: the trains leaving within a time window. */
static int
item_window(void)
{
	char from[LE_MAX], to[LE_MAX], t1[LE_MAX], t2[LE_MAX];
	char cmd[CMD_MAX], none[TEXT_MAX], title[TEXT_MAX];
	struct table_opts o;
	struct train *t;
	struct reply r;
	size_t n;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_time("Leaving from (HH:MM): ", t1, sizeof(t1),
	    0) ||
	    !ask_time("Leaving until (HH:MM): ", t2, sizeof(t2),
	    0))
		return 0;
	snprintf(cmd, sizeof(cmd), "WINDOW %s;%s;%s;%s", from, to, t1, t2);
	snprintf(none, sizeof(none), "No train from %s to %s leaves between "
	    "%s and %s; try a wider window, the next train (1) or a journey "
	    "with changes (6).", from, to, t1, t2);
	snprintf(title, sizeof(title), "Trains from %s to %s leaving "
	    "between %s and %s:", from, to, t1, t2);
	query(cmd, &r);
	memset(&o, 0, sizeof(o));
	o.tags = 1;
	if ((t = show_trains(&r, &n, &o, none, title)) != NULL) {
		show_labels(t, n);
		offer_via(t, n, &o);
	}
	free(t);
	reply_free(&r);
	return 1;
}

/* Whether BEST by duration finds a train: then fares are what is missing. */
static int
best_by_duration(const char *from, const char *to)
{
	char cmd[CMD_MAX];
	struct reply r;
	int found;

	snprintf(cmd, sizeof(cmd), "BEST %s;%s;duration", from, to);
	query(cmd, &r);
	found = r.ok && r.nlines > 0;
	reply_free(&r);
	return found;
}

/* 3: the best train, by price or by duration; both are shown. */
static int
item_best(void)
{
	char from[LE_MAX], to[LE_MAX], by[LE_MAX], cmd[CMD_MAX];
	char none[TEXT_MAX], title[TEXT_MAX], fare[64], dur[64];
	struct table_opts o;
	struct train *t;
	struct reply r;
	size_t n;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_by(by, sizeof(by)))
		return 0;
	snprintf(cmd, sizeof(cmd), "BEST %s;%s;%s", from, to, by);
	snprintf(title, sizeof(title), "Best train from %s to %s by %s:",
	    from, to, by);
	query(cmd, &r);
	if (r.ok && r.nlines == 0 && !raw && strcmp(by, "price") == 0 &&
	    best_by_duration(from, to))
		snprintf(none, sizeof(none), "No fare is known for the trains "
		    "from %s to %s; try best by duration.", from, to);
	else
		snprintf(none, sizeof(none), "No direct train from %s to %s; "
		    "try a journey with changes (6).", from, to);
	memset(&o, 0, sizeof(o));
	if ((t = show_trains(&r, &n, &o, none, title)) != NULL) {
		fmt_fare(t[0].fare, fare, sizeof(fare));
		fmt_duration(t[0].minutes, dur, sizeof(dur));
		printf("Train %s leaves at %s and arrives at %s: %s for %s.\n",
		    t[0].num, t[0].dep, t[0].arr, dur, fare);
		offer_via(t, n, &o);
	}
	free(t);
	reply_free(&r);
	return 1;
}

/* Now, as HH:MM. */
static void
time_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		die("time_now: localtime failed");
	snprintf(buf, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

/*
 * 4: departures from a station, as a board: how many (default 10), and on
 * a terminal "m" for as many more; the widths stay those of the board.
 */
static int
item_departures(void)
{
	char st[LE_MAX], at[LE_MAX], cmd[CMD_MAX], title[TEXT_MAX];
	struct table_opts o;
	struct train *t;
	struct reply r;
	size_t n, shown = 0;
	long count, want;
	int k;

	if (!ask_station("Station: ", st, sizeof(st)) ||
	    !ask_time("At or after (HH:MM, empty for now): ",
	    at, sizeof(at), 1) ||
	    !ask_count("How many departures? [10] ", 1, DEPS_MAX,
	    DEPS_DEFAULT, "10", &count))
		return 0;
	snprintf(title, sizeof(title), "Departures from %s %s%s:", st,
	    *at == '\0' ? "from now" : "at or after ", at);
	if (*at == '\0')
		time_now(at, sizeof(at));
	memset(&o, 0, sizeof(o));
	o.board = 1;
	for (want = count;; want += count) {
		if (want > DEPS_MAX)
			want = DEPS_MAX;
		snprintf(cmd, sizeof(cmd), "DEPARTURES %s;%s;%ld", st, at,
		    want);
		query(cmd, &r);
		if (!r.ok || raw) {
			show_error(&r);
			reply_free(&r);
			return 1;
		}
		t = trains_parse(&r, &n);
		if (n == 0)
			printf("No departure from %s; try another station "
			    "(5 lists them).\n", st);
		else if (n <= shown)
			printf("No more departures from %s.\n", st);
		else {
			if (shown == 0)
				printf("%s\n", title);
			table_print(stdout, t + shown, n - shown, &o);
		}
		shown = n;
		reply_free(&r);
		if (n < (size_t)want || want == DEPS_MAX || !ui_tty()) {
			offer_via(t, n, &o);
			free(t);
			return 1;
		}
		k = le_getkey(conn, "-- m: more departures, v: the whole via "
		    "lists, any other key: the menu -- ");
		if ((k == 'v' || k == 'V') && o.via_cut) {
			via_expand(stdout, t, n);
			k = le_getkey(conn, "-- m: more departures, any other "
			    "key: the menu -- ");
		}
		free(t);
		if (k == -1) {
			eof = 1;
			return 0;
		}
		if (k != 'm' && k != 'M')
			return 1;
	}
}

/* 5: station names, all or those starting with a prefix. */
static int
item_stations(void)
{
	char prefix[LE_MAX], cmd[CMD_MAX];
	struct reply r;
	size_t i;

	if (!ask("Stations starting with (empty for all): ", prefix,
	    sizeof(prefix)))
		return 0;
	if (*prefix == '\0')
		snprintf(cmd, sizeof(cmd), "STATIONS");
	else
		snprintf(cmd, sizeof(cmd), "STATIONS %s", prefix);
	query(cmd, &r);
	if (!r.ok || raw)
		show_error(&r);
	else if (r.nlines == 0)
		printf("No station starts with \"%s\".\n", prefix);
	else {
		ui_msg("%zu station%s:", r.nlines, r.nlines == 1 ? "" : "s");
		for (i = 0; i < r.nlines; i++)
			printf("%s\n", r.lines[i]);
	}
	reply_free(&r);
	return 1;
}

/* 7: a nickname, so that others can write to this session. */
static int
item_nickname(void)
{
	char nick[LE_MAX], cmd[CMD_MAX];
	struct reply r;

	if (!ask("Nickname (1 to 16 of A-Z a-z 0-9 _ -): ", nick, sizeof(nick)))
		return 0;
	if (*nick == '\0')
		return 1;
	snprintf(cmd, sizeof(cmd), "NAME %s", nick);
	if (conn_query(conn, cmd, 0, &r) == -1) {
		ui_msg("No answer: %s.", conn_error(conn));
		return 1;
	}
	if (raw)
		print_raw(&r);
	else if (r.ok) {
		conn_set_nick(conn, nick);
		ui_msg("You are now %s.", nick);
	} else
		show_error(&r);	/* not asked again: nothing out of step */
	reply_free(&r);
	return 1;
}

/* 8: who is connected, "id;nick;since" from the server. */
static int
item_who(void)
{
	struct reply r;
	char *f[3], line[512];
	size_t i;

	query("WHO", &r);
	if (!r.ok || raw) {
		show_error(&r);
		reply_free(&r);
		return 1;
	}
	ui_msg("%zu session%s connected:", r.nlines, r.nlines == 1 ? "" : "s");
	printf("%-10s  %-16s  %s\n", "SESSION", "NICKNAME", "CONNECTED SINCE");
	for (i = 0; i < r.nlines; i++) {
		snprintf(line, sizeof(line), "%s", r.lines[i]);
		if (wire_split(line, ';', f, 3) != 3)
			continue;
		printf("#%-9s  %-16s  %s\n", f[0], *f[1] ? f[1] : "-", f[2]);
	}
	reply_free(&r);
	return 1;
}

/* 9: a message to one nickname, or to everyone; never sent twice. */
static int
item_message(void)
{
	char to[LE_MAX], text[LE_MAX], cmd[CMD_MAX];
	struct reply r;

	if (!ask("To (a nickname, or all): ", to, sizeof(to)))
		return 0;
	if (*to == '\0')
		return 1;
	if (!ask("Message: ", text, sizeof(text)))
		return 0;
	if (*text == '\0')
		return 1;
	snprintf(cmd, sizeof(cmd), "MSG @%s %s", *to == '@' ? to + 1 : to, text);
	if (conn_query(conn, cmd, 0, &r) == -1) {
		ui_msg("Not sent (%s); messages are never sent twice.",
		    conn_error(conn));
		return 1;
	}
	if (raw)
		print_raw(&r);
	else if (r.ok)
		ui_msg("Sent.");
	else
		show_error(&r);
	reply_free(&r);
	return 1;
}

/*
 * One journey: its summary line "J;departs;arrives;changes;minutes" and
 * the legs after it, up to the next summary; returns the lines used.
 */
static size_t
show_journey(struct reply *r, size_t at, unsigned num)
{
	char *f[5], dep[32], arr[32], dur[64], changes[32];
	struct train *t;
	size_t n = 0, i;
	long ch;

	if (wire_split(r->lines[at], ';', f, 5) != 5) {
		ui_msg("(skipped a malformed line from the server)");
		return 1;
	}
	fmt_time(f[1], dep, sizeof(dep));
	fmt_time(f[2], arr, sizeof(arr));
	fmt_duration(f[4], dur, sizeof(dur));
	ch = strtol(f[3], NULL, 10);
	if (ch == 0)
		snprintf(changes, sizeof(changes), "direct");
	else
		snprintf(changes, sizeof(changes), "%ld change%s", ch,
		    ch == 1 ? "" : "s");
	printf("\n%u. Leaves %s, arrives %s: %s, %s.\n", num, dep, arr,
	    changes, dur);
	for (i = at + 1; i < r->nlines && strncmp(r->lines[i], "J;", 2) != 0;
	    i++)
		;
	if ((t = calloc(i - at + 1, sizeof(*t))) == NULL)
		die("show_journey: out of memory");
	for (i = at + 1; i < r->nlines && strncmp(r->lines[i], "J;", 2) != 0;
	    i++)
		if (train_parse(r->lines[i], &t[n]) == 0)
			n++;
	table_print(stdout, t, n, NULL);
	free(t);
	return i - at;
}

/* 6: journeys with changes, best on arrival and on changes. */
static int
item_journey(void)
{
	char from[LE_MAX], to[LE_MAX], at[LE_MAX], cmd[CMD_MAX];
	struct reply r;
	size_t i;
	unsigned num = 0;
	long ch;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_time("Leaving at or after (HH:MM, empty for now): ",
	    at, sizeof(at), 1) ||
	    !ask_count("At most how many changes? (0 to 8, empty for 4) ", 0,
	    8, -1, "4", &ch))
		return 0;
	if (*at == '\0')
		time_now(at, sizeof(at));
	if (ch < 0)
		snprintf(cmd, sizeof(cmd), "JOURNEY %s;%s;%s", from, to, at);
	else
		snprintf(cmd, sizeof(cmd), "JOURNEY %s;%s;%s;%ld", from, to, at,
		    ch);
	query(cmd, &r);
	if (!r.ok || raw)
		show_error(&r);
	else if (r.nlines == 0)
		printf("No journey from %s to %s. Try an earlier time%s.\n",
		    from, to, ch >= 0 && ch < 8 ? " or more changes" : "");
	else {
		printf("Journeys from %s to %s leaving at or after %s, earliest "
		    "arrival first:\n", from, to, at);
		for (i = 0; i < r.nlines; i += show_journey(&r, i, ++num))
			;
	}
	reply_free(&r);
	return 1;
}

/* The menu: the seed's 0 to 3, then ours.  Keys are single characters. */
static const struct item {
	char		 key;
	const char	*label;
	int		(*run)(void);
} items[] = {
	{ '0', "all trains", item_all },
	{ '1', "next train from a station to another", item_next },
	{ '2', "trains leaving within a time window", item_window },
	{ '3', "best train, by price or by duration", item_best },
	{ '4', "departures from a station", item_departures },
	{ '5', "stations", item_stations },
	{ '6', "journey with changes", item_journey },
	{ '7', "choose a nickname", item_nickname },
	{ '8', "who is online", item_who },
	{ '9', "send a message", item_message },
};
#define NITEMS	(sizeof(items) / sizeof(items[0]))

static void
menu_show(void)
{
	char text[2048];
	size_t i, n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n");
	for (i = 0; i < NITEMS && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  %c  %s\n",
		    items[i].key, items[i].label);
	if (n < sizeof(text))
		snprintf(text + n, sizeof(text) - n, "  q  quit");
	ui_msg("%s", text);
}

/* The menu until q or end of input. */
int
menu_run(struct conn *c, int rawmode)
{
	char ans[LE_MAX];
	size_t i;
	int r;

	conn = c;
	raw = rawmode;
	for (;;) {
		menu_show();
		if ((r = ask_line("option >> ", ans, sizeof(ans))) == 0)
			return 0;
		if (r < 0)
			continue;	/* Esc at the menu: the menu again */
		if (strcasecmp(ans, "q") == 0 || strcasecmp(ans, "quit") == 0)
			return 0;
		for (i = 0; i < NITEMS && (ans[0] != items[i].key ||
		    ans[1] != '\0'); i++)
			;
		if (i < NITEMS) {
			items[i].run();
			if (fflush(stdout) == EOF || ferror(stdout))
				die("menu_run: stdout: %s", strerror(errno));
			if (eof)
				return 0;
		} else if (*ans != '\0')
			refusef("Unknown option \"%s\": type %c to %c, or q.",
			    ans, items[0].key, items[NITEMS - 1].key);
	}
}
