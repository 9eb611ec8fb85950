/*
 * menu.c — the traveller's menu: the seed's choices 0 to 3 (all trains,
 * next train, trains in a window, best train) plus departures, stations
 * and journeys with changes; the prompts, the checks of the answers, the
 * results.  The items are one table (menu_items): a new item is a row.
 */
#include <errno.h>
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

static struct conn *conn;
static int raw;			/* --raw: protocol lines untouched */

/* Read one answer, blanks trimmed: 1, or 0 at end of input. */
static int
ask(const char *prompt, char *buf, size_t size)
{
	size_t len;
	char *p;

	if (!le_read(conn, prompt, buf, size))
		return 0;
	len = strlen(buf);
	p = wire_trim(buf, &len);
	memmove(buf, p, len);
	buf[len] = '\0';
	return 1;
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
 * 'No station "Grenble"; did you mean Grenoble, Grenette?'.
 */
static void
show_unknown(const char *msg)
{
	const char *q1, *q2, *dym, *s;
	char sugg[1024];
	size_t n = 0;

	dym = strstr(msg, " (did you mean: ");
	q1 = strchr(msg, '"');
	q2 = dym != NULL ? dym - 1 : msg + strlen(msg) - 1;
	if (q1 == NULL || q2 <= q1 || *q2 != '"') {
		ui_msg("%s", msg);
		return;
	}
	if (dym == NULL) {
		ui_msg("No station %.*s (option 5 lists the stations).",
		    (int)(q2 - q1 + 1), q1);
		return;
	}
	for (s = dym + strlen(" (did you mean: "); *s != '\0' && *s != ')' &&
	    n + 3 < sizeof(sugg); s++) {
		if (strncmp(s, " | ", 3) == 0) {
			memcpy(sugg + n, ", ", 2);
			n += 2;
			s += 2;
		} else
			sugg[n++] = *s;
	}
	sugg[n] = '\0';
	ui_msg("No station %.*s; did you mean %s?", (int)(q2 - q1 + 1), q1,
	    sugg);
}

static void
show_error(const struct reply *r)
{
	if (raw)
		print_raw(r);
	else if (r->code == WIRE_ENOTFOUND)
		show_unknown(r->msg);
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

	for (;;) {
		if (!ask(prompt, buf, size))
			return 0;
		if (*buf == '\0') {
			ui_msg("Please type a station name.");
			continue;
		}
		if (strchr(buf, ';') != NULL || strlen(buf) > STATION_MAX) {
			ui_msg("That cannot be a station name.");
			continue;
		}
		snprintf(cmd, sizeof(cmd), "DEPARTURES %s;00:00;1", buf);
		query(cmd, &r);
		if (!r.ok && r.code == WIRE_ENOTFOUND) {
			show_unknown(r.msg);
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

/* H:MM or HH:MM, 00:00 to 23:59, as the server takes them. */
static int
time_ok(const char *s)
{
	size_t h = strspn(s, "0123456789");
	int hh, mm;

	if (h < 1 || h > 2 || s[h] != ':' || strlen(s + h + 1) != 2 ||
	    strspn(s + h + 1, "0123456789") != 2)
		return 0;
	hh = atoi(s);
	mm = atoi(s + h + 1);
	return hh <= 23 && mm <= 59;
}

static int
ask_time(const char *prompt, char *buf, size_t size, int optional)
{
	for (;;) {
		if (!ask(prompt, buf, size))
			return 0;
		if ((*buf == '\0' && optional) || time_ok(buf))
			return 1;
		ui_msg("Bad time \"%s\": want HH:MM, 00:00 to 23:59%s.", buf,
		    optional ? ", or nothing for now" : "");
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
		ui_msg("Please answer price or duration.");
	}
}

/* 0: all trains, a page at a time on a terminal. */
static int
item_all(void)
{
	char cmd[64], ans[LE_MAX];
	struct train *t;
	struct reply r;
	size_t offset = 0, limit = 1000, n, got;

	if (ui_tty())
		limit = term_rows() > 12 ? (size_t)term_rows() - 7 : 5;
	for (;;) {
		snprintf(cmd, sizeof(cmd), "ALL %zu;%zu", offset, limit);
		query(cmd, &r);
		if (!r.ok) {
			show_error(&r);
			reply_free(&r);
			return 1;
		}
		got = r.nlines;
		if (raw)
			print_raw(&r);
		else if (got == 0)
			printf("%s\n", offset == 0 ? "No trains." :
			    "No more trains.");
		else {
			if (offset == 0)
				printf("All trains:\n");
			t = trains_parse(&r, &n);
			table_print(stdout, t, n, 0);
			free(t);
		}
		reply_free(&r);
		if (got < limit)
			return 1;
		offset += got;
		if (!ui_tty())
			continue;
		if (!ask("-- Enter for more, q to stop -- ", ans, sizeof(ans)))
			return 0;
		if (ans[0] == 'q' || ans[0] == 'Q')
			return 1;
	}
}

/* Show a reply of trains under a title; the trains for the caller. */
static struct train *
show_trains(struct reply *r, size_t *n, int tags, const char *none,
    const char *title)
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
	printf("%s\n", title);
	table_print(stdout, t, *n, tags);
	return t;
}

/* 1: the next train from a station to another. */
static int
item_next(void)
{
	char from[LE_MAX], to[LE_MAX], at[LE_MAX], cmd[CMD_MAX];
	char none[TEXT_MAX], title[TEXT_MAX];
	struct train *t;
	struct reply r;
	size_t n;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_time("Leaving at or after (HH:MM, empty for now): ", at,
	    sizeof(at), 1))
		return 0;
	if (*at == '\0')
		snprintf(cmd, sizeof(cmd), "NEXT %s;%s", from, to);
	else
		snprintf(cmd, sizeof(cmd), "NEXT %s;%s;%s", from, to, at);
	snprintf(none, sizeof(none), "No train from %s to %s.", from, to);
	snprintf(title, sizeof(title), "Next train from %s to %s %s%s:",
	    from, to, *at == '\0' ? "from now" : "at or after ", at);
	query(cmd, &r);
	t = show_trains(&r, &n, 0, none, title);
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
	struct train *t;
	struct reply r;
	size_t n;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_time("Leaving from (HH:MM): ", t1, sizeof(t1), 0) ||
	    !ask_time("Leaving until (HH:MM): ", t2, sizeof(t2), 0))
		return 0;
	snprintf(cmd, sizeof(cmd), "WINDOW %s;%s;%s;%s", from, to, t1, t2);
	snprintf(none, sizeof(none), "No train from %s to %s leaves between "
	    "%s and %s.", from, to, t1, t2);
	snprintf(title, sizeof(title), "Trains from %s to %s leaving "
	    "between %s and %s:", from, to, t1, t2);
	query(cmd, &r);
	if ((t = show_trains(&r, &n, 1, none, title)) != NULL)
		show_labels(t, n);
	free(t);
	reply_free(&r);
	return 1;
}

/* 3: the best train, by price or by duration; both are shown. */
static int
item_best(void)
{
	char from[LE_MAX], to[LE_MAX], by[LE_MAX], cmd[CMD_MAX];
	char none[TEXT_MAX], title[TEXT_MAX], fare[64], dur[64];
	struct train *t;
	struct reply r;
	size_t n;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_by(by, sizeof(by)))
		return 0;
	snprintf(cmd, sizeof(cmd), "BEST %s;%s;%s", from, to, by);
	snprintf(none, sizeof(none), "No train from %s to %s.", from, to);
	snprintf(title, sizeof(title), "Best train from %s to %s by %s:",
	    from, to, by);
	query(cmd, &r);
	if ((t = show_trains(&r, &n, 0, none, title)) != NULL) {
		fmt_fare(t[0].fare, fare, sizeof(fare));
		fmt_duration(t[0].minutes, dur, sizeof(dur));
		printf("Train %s leaves at %s and arrives at %s: %s for %s.\n",
		    t[0].num, t[0].dep, t[0].arr, dur, fare);
	}
	free(t);
	reply_free(&r);
	return 1;
}

/* 4: departures from a station. */
static int
item_departures(void)
{
	char st[LE_MAX], at[LE_MAX], cmd[CMD_MAX];
	char none[TEXT_MAX], title[TEXT_MAX];
	struct train *t;
	struct reply r;
	size_t n;

	if (!ask_station("Station: ", st, sizeof(st)) ||
	    !ask_time("At or after (HH:MM, empty for now): ", at, sizeof(at),
	    1))
		return 0;
	if (*at == '\0')
		snprintf(cmd, sizeof(cmd), "DEPARTURES %s", st);
	else
		snprintf(cmd, sizeof(cmd), "DEPARTURES %s;%s", st, at);
	snprintf(none, sizeof(none), "No departure from %s.", st);
	snprintf(title, sizeof(title), "Departures from %s %s%s:", st,
	    *at == '\0' ? "from now" : "at or after ", at);
	query(cmd, &r);
	t = show_trains(&r, &n, 0, none, title);
	free(t);
	reply_free(&r);
	return 1;
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
		show_error(&r);
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


/* "3" or nothing (the server's default), 0 to 8, as JOURNEY takes it. */
static int
ask_changes(char *buf, size_t size)
{
	for (;;) {
		if (!ask("At most how many changes? (0 to 8, empty for 4) ",
		    buf, size))
			return 0;
		if (*buf == '\0' || (buf[0] >= '0' && buf[0] <= '8' &&
		    buf[1] == '\0'))
			return 1;
		ui_msg("Please answer a number from 0 to 8, or nothing.");
	}
}

/* Now, as HH:MM: JOURNEY wants a time. */
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
	table_print(stdout, t, n, 0);
	free(t);
	return i - at;
}

/* 6: journeys with changes, best on arrival and on changes. */
static int
item_journey(void)
{
	char from[LE_MAX], to[LE_MAX], at[LE_MAX], ch[LE_MAX];
	char cmd[CMD_MAX];
	struct reply r;
	size_t i;
	unsigned num = 0;

	if (!ask_station("From: ", from, sizeof(from)) ||
	    !ask_station("To: ", to, sizeof(to)) ||
	    !ask_time("Leaving at or after (HH:MM, empty for now): ", at,
	    sizeof(at), 1) || !ask_changes(ch, sizeof(ch)))
		return 0;
	if (*at == '\0')
		time_now(at, sizeof(at));
	if (*ch == '\0')
		snprintf(cmd, sizeof(cmd), "JOURNEY %s;%s;%s", from, to, at);
	else
		snprintf(cmd, sizeof(cmd), "JOURNEY %s;%s;%s;%s", from, to, at,
		    ch);
	query(cmd, &r);
	if (!r.ok || raw)
		show_error(&r);
	else if (r.nlines == 0)
		printf("No journey from %s to %s.\n", from, to);
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

	conn = c;
	raw = rawmode;
	for (;;) {
		menu_show();
		if (!ask("option >> ", ans, sizeof(ans)))
			return 0;
		if (strcasecmp(ans, "q") == 0 || strcasecmp(ans, "quit") == 0)
			return 0;
		for (i = 0; i < NITEMS && (ans[0] != items[i].key ||
		    ans[1] != '\0'); i++)
			;
		if (i < NITEMS) {
			if (!items[i].run())
				return 0;
			if (fflush(stdout) == EOF || ferror(stdout))
				die("menu_run: stdout: %s", strerror(errno));
		} else if (*ans != '\0')
			ui_msg("Unknown option \"%s\": type %c to %c, or q.",
			    ans, items[0].key, items[NITEMS - 1].key);
	}
}
