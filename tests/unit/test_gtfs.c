/*
 * test_gtfs.c — trainsrv-import's reading of GTFS: the CSV reader, dates,
 * and one tiny feed per pitfall of real feeds (tests/gtfs/, see its
 * README), each imported, checked line by line, loaded by the engine and
 * asked a question; then broken feeds, written to a temporary directory,
 * each giving its file:line error.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/csv.h"
#include "import/gtfs.h"
#include "tests/unit/harness.h"
#include "worker/engine.h"

void	suite_gtfs(void);

/* The CSV reader. */

static void
test_csv(void)
{
	static const char	 text[] = "\xef\xbb\xbf" "b,a , \"c\"\r\n"
	    "1,\"x, \"\"y\"\"\",3\r\n\r\n  2 ,\"multi\nline\" ,\r\n"
	    "short\n\"q\"tail,,\n\n\n";
	struct csv		 c;

	CHECK_INT(csv_open_mem(&c, "t.txt", text, sizeof(text) - 1), 0);
	CHECK_INT(csv_col(&c, "a"), 1);		/* BOM gone, blanks trimmed */
	CHECK_INT(csv_col(&c, "c"), 2);
	CHECK_INT(csv_col(&c, "d"), -1);
	CHECK_INT(csv_next(&c), 1);
	CHECK_STR(csv_field(&c, 1), "x, \"y\"");
	CHECK_INT(c.line, 2);
	CHECK_INT(csv_next(&c), 1);		/* the blank line skipped */
	CHECK_INT(c.line, 4);
	CHECK_STR(csv_field(&c, 0), "2");
	CHECK_STR(csv_field(&c, 1), "multi\nline");
	CHECK_STR(csv_field(&c, 2), "");
	CHECK_INT(csv_next(&c), 1);
	CHECK_INT(c.line, 6);			/* counted the quoted break */
	CHECK_STR(csv_field(&c, 0), "short");
	CHECK_STR(csv_field(&c, 2), "");	/* past the record's end */
	CHECK_INT(csv_next(&c), 1);
	CHECK_STR(csv_field(&c, 0), "qtail");
	CHECK_INT(csv_next(&c), 0);		/* trailing blank lines */
	csv_close(&c);

	CHECK_INT(csv_open_mem(&c, "u.txt", "a\n1\n\"open\n2\n", 12), 0);
	CHECK_INT(csv_next(&c), 1);
	CHECK_INT(csv_next(&c), -1);
	CHECK_STR(c.err, "u.txt:3: quoted field not closed before the end of "
	    "the file");
	csv_close(&c);
	CHECK_INT(csv_open_mem(&c, "e.txt", "\n\n", 2), -1);
	CHECK_STR(c.err, "e.txt: empty file: no header line");
	csv_close(&c);

	/* UTF-16 with and without a byte order mark; a NUL byte. */
	CHECK_INT(csv_open_mem(&c, "s.txt", "\xff\xfes\0t\0o\0p\0", 10), -1);
	CHECK_STR(c.err, "s.txt: UTF-16: save as UTF-8");
	CHECK_INT(csv_open_mem(&c, "s.txt", "\0s\0t\0o\0p", 8), -1);
	CHECK_STR(c.err, "s.txt: UTF-16: save as UTF-8");
	CHECK_INT(csv_open_mem(&c, "n.txt", "a,b\n1,\0\n", 7), -1);
	CHECK_STR(c.err, "n.txt:2: NUL byte: not a text file");
	/* A column twice: which one would be read is a guess. */
	CHECK_INT(csv_open_mem(&c, "d.txt", "a,b,\"b\"\n1,2,3\n", 13), -1);
	CHECK_STR(c.err, "d.txt:1: duplicate column \"b\"");
	/* Unnamed columns may repeat: nothing reads them. */
	CHECK_INT(csv_open_mem(&c, "d.txt", "a,,\n1,2,3\n", 10), 0);
	csv_close(&c);
	/* Controls in a message are replaced: it goes to a terminal. */
	CHECK_INT(csv_open_mem(&c, "m.txt", "a\n\"\x1b]0;x\x07", 9), 0);
	CHECK_INT(csv_next(&c), -1);
	CHECK_STR(c.err, "m.txt:2: quoted field not closed before the end of "
	    "the file");
	csv_error(&c, "bad \"%s\"", "\x1b[2J\r\n\xed\xa0\x80");
	CHECK_STR(c.err, "m.txt:2: bad \"?[2J?????\"");
	csv_close(&c);
}

static void
test_dates(void)
{
	CHECK_INT(gtfs_date("2026-10-05", 1), 20261005);
	CHECK_INT(gtfs_date("20261005", 0), 20261005);
	CHECK_INT(gtfs_date("2026-02-29", 1), -1);
	CHECK_INT(gtfs_date("2024-02-29", 1), 20240229);
	CHECK_INT(gtfs_date("2026-13-01", 1), -1);
	CHECK_INT(gtfs_date("2026-1-01", 1), -1);
	CHECK_INT(gtfs_weekday(20261005), 0);	/* a Monday */
	CHECK_INT(gtfs_weekday(20261011), 6);
	CHECK_INT(gtfs_weekday(20000101), 5);	/* a Saturday */
}

/* Importing. */

/* Import dir for date; the timetable text (malloc'ed) or NULL and err. */
static char *
import(const char *dir, int date, int change, char *err, size_t cap)
{
	struct gtfs_opts	 o;
	struct feed		*f;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*fp;

	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.date = date;
	o.change = change;
	err[0] = '\0';
	if ((f = gtfs_load(&o, err, cap)) == NULL)
		return NULL;
	if ((fp = open_memstream(&text, &len)) == NULL) {
		gtfs_free(f);
		return NULL;
	}
	if (gtfs_emit(f, &o, fp) == -1)
		snprintf(err, cap, "emit failed");
	fclose(fp);
	gtfs_free(f);
	return text;
}

static const char *
fixture(const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/../tests/gtfs/%s", h_datadir, name);
	return buf;
}

/* The timetable's lines but comments, joined by '\n'. */
static char *
body(const char *text)
{
	char		*out, *o;
	const char	*nl;

	if (text == NULL || (out = malloc(strlen(text) + 1)) == NULL)
		return NULL;
	for (o = out; *text != '\0'; text = nl + 1) {
		if ((nl = strchr(text, '\n')) == NULL)
			nl = text + strlen(text) - 1;
		if (*text != '#') {
			memcpy(o, text, (size_t)(nl - text + 1));
			o += nl - text + 1;
		}
	}
	*o = '\0';
	return out;
}

/* Import a fixture, compare its legs, and load them: the timetable. */
static struct tt *
check_fixture(const char *name, int date, int change, const char *want,
    int line)
{
	char		 dir[512], err[GTFS_ERR_MAX], *text, *b, *lerr = NULL;
	struct tt	*t = NULL;
	unsigned	 n;

	text = import(fixture(name, dir, sizeof(dir)), date, change, err,
	    sizeof(err));
	h_check(text != NULL, __FILE__, line, "import %s: %s", name, err);
	if (text == NULL)
		return NULL;
	b = body(text);
	h_check_str(b, want, name, __FILE__, line);
	t = tt_load_mem(name, text, strlen(text), &lerr, &n);
	h_check(t != NULL, __FILE__, line, "%s does not load:\n%s", name,
	    lerr ? lerr : "");
	free(lerr);
	free(b);
	free(text);
	return t;
}

static uint32_t
sta(const struct tt *t, const char *name)
{
	int32_t	s = tt_station_find(t, name, strlen(name));

	CHECK(s >= 0);
	return s < 0 ? 0 : (uint32_t)s;
}

static const char *
next_line(const struct tt *t, const char *a, const char *b, int at,
    char *buf, size_t cap)
{
	struct tt_result	r;

	if (tt_next(t, sta(t, a), sta(t, b), at, &r) != 1)
		return "(none)";
	tt_format(t, &r, buf, cap);
	return buf;
}

static void
test_fixtures(void)
{
	struct tt	*t;
	char		 buf[512];

	/* Quoting, BOM, CRLF, column order, gaps and disorder, seconds. */
	t = check_fixture("csv", 20261005, 2, "!change;2\n"
	    "7488932;Gare \"Centrale\", Nord;Saint-Jean;08:00;08:09;;\n"
	    "7488932;Saint-Jean;Le Port;08:10;08:19;;\n", __LINE__);
	if (t != NULL) {
		CHECK_STR(next_line(t, "gare \"centrale\", nord", "le port",
		    420, buf, sizeof(buf)), "7488932;Gare \"Centrale\", Nord;"
		    "Le Port;08:00;08:19;19;;;;Saint-Jean;");
		tt_free(t);
	}

	/* Weekdays and date range; removals and additions. */
	tt_free(check_fixture("calendar", 20261005, 2,
	    "!change;2\n101;Alpha;Beta;07:00;07:30;;\n", __LINE__));
	tt_free(check_fixture("calendar", 20261010, 2,
	    "!change;2\n201;Alpha;Beta;09:00;09:40;;\n", __LINE__));
	/* Monday 12th: the weekday service removed, the weekend's added. */
	tt_free(check_fixture("calendar", 20261012, 2,
	    "!change;2\n201;Alpha;Beta;09:00;09:40;;\n", __LINE__));
	/* Only in calendar_dates, past calendar.txt's range. */
	tt_free(check_fixture("calendar", 20261105, 2,
	    "!change;2\n301;Alpha;Beta;12:00;12:20;;\n", __LINE__));

	/* Past 24:00:00: as written, the next morning of the service day. */
	t = check_fixture("midnight", 20261005, 2, "!change;2\n"
	    "900;Alpha;Beta;23:50;24:10;;\n900;Beta;Gamma;24:12;24:40;;\n"
	    "901;Alpha;Beta;25:05;25:30;;\n", __LINE__);
	if (t != NULL) {
		/* Yesterday's 24:12 is this morning's 00:12: not lost. */
		CHECK_STR(next_line(t, "Beta", "Gamma", 0, buf, sizeof(buf)),
		    "900;Beta;Gamma;00:12;00:40;28;;;;;");
		CHECK_STR(next_line(t, "Alpha", "Beta", 60, buf, sizeof(buf)),
		    "901;Alpha;Beta;01:05;01:30;25;;;;;");
		tt_free(t);
	}

	/* Short names, none, twice a day, characters a number cannot have. */
	tt_free(check_fixture("numbers", 20261005, 2, "!change;2\n"
	    "12;Beta;Alpha;07:00;07:30;;\n12-2;Alpha;Beta;08:00;08:30;;\n"
	    "12-3;Alpha;Beta;09:00;09:30;;\n7179568;Alpha;Beta;10:00;10:30;;\n"
	    "RE-7-S-d;Alpha;Beta;11:00;11:30;;\n", __LINE__));

	/* Parents, two platforms in a row, four stations called 145 St. */
	t = check_fixture("stations", 20261005, 2, "!change;2\n"
	    "5168615;Grand Central;145 St (A C);08:06;08:20;;\n"
	    "8445657;Other;145 St (A C);09:00;09:10;;\n"
	    "7607014;Grand Central;145 st (D);10:00;10:20;;\n"
	    "4379130;Other;145 St (113);11:00;11:10;;\n"
	    "5601511;Other;145 St (302);12:00;12:10;;\n", __LINE__);
	if (t != NULL) {
		CHECK_INT(tt_nstations(t), 6);
		tt_free(t);
	}

	/* Same-station minimum change times; -c for the others. */
	t = check_fixture("transfers", 20261005, 3, "!change;3\n"
	    "!change;5;Jamaica\n4734806;Kew;Jamaica;08:00;08:20;;\n"
	    "5957187;Jamaica;Lynbrook;08:30;08:50;;\n", __LINE__);
	if (t != NULL) {
		struct tt_jws *ws = tt_jws_new(t);
		struct tt_journey j[TT_LEGS_MAX];

		CHECK_INT(tt_change_time(t, sta(t, "Jamaica")), 5);
		CHECK_INT(tt_change_time(t, sta(t, "Kew")), 3);
		CHECK_INT(tt_journey(t, ws, sta(t, "Kew"), sta(t, "Lynbrook"),
		    420, 4, j), 1);
		CHECK_INT(j[0].changes, 1);
		tt_jws_free(ws);
		tt_free(t);
	}
}

/* Broken feeds. */

struct file {
	const char	*name;
	const char	*text;
};

static const struct file base_feed[] = {
	{ "stops.txt", "stop_id,stop_name\nA,Alpha\nB,Beta\n" },
	{ "calendar_dates.txt", "service_id,date,exception_type\n"
	    "S,20261005,1\n" },
	{ "trips.txt", "route_id,service_id,trip_id\nR,S,t1\n" },
	{ "stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt1,08:00:00,08:00:00,A,1\n"
	    "t1,08:30:00,08:30:00,B,2\n" },
	{ NULL, NULL }
};

/* The base feed with one file replaced (text NULL: removed); the error. */
static void
check_error(const char *name, const char *text, int date, const char *want,
    int line)
{
	char		 dir[] = "/tmp/gtfs-test-XXXXXX", path[512];
	char		 err[GTFS_ERR_MAX], *out, *p;
	const struct file *f;
	const char	*t;
	FILE		*fp;

	if (mkdtemp(dir) == NULL) {
		h_check(0, __FILE__, line, "mkdtemp failed");
		return;
	}
	for (f = base_feed; f->name != NULL; f++) {
		t = strcmp(f->name, name) == 0 ? text : f->text;
		snprintf(path, sizeof(path), "%s/%s", dir, f->name);
		if (t == NULL || (fp = fopen(path, "w")) == NULL)
			continue;
		fputs(t, fp);
		fclose(fp);
	}
	if (strcmp(name, "calendar.txt") == 0 && text != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if ((fp = fopen(path, "w")) != NULL) {
			fputs(text, fp);
			fclose(fp);
		}
	}
	out = import(dir, date, 2, err, sizeof(err));
	/* Messages name dir/file: compare from the file name on. */
	p = strstr(err, dir) == err ? err + strlen(dir) : err;
	p += strspn(p, "/: ");
	h_check(out == NULL && strcmp(p, want) == 0, __FILE__, line,
	    "error is\n\t\"%s\"\n    want\n\t\"%s\"", p, want);
	free(out);
	for (f = base_feed; f->name != NULL; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, f->name);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/calendar.txt", dir);
	unlink(path);
	rmdir(dir);
}
#define ERR(name, text, date, want) \
	check_error((name), (text), (date), (want), __LINE__)

/*
 * The base feed for 2026-10-05 with up to two files replaced or added
 * (name NULL: none), imported: the timetable, or NULL and err.
 */
static char *
import_with(const char *name1, const char *text1, const char *name2,
    const char *text2, char *err, size_t cap)
{
	char		 dir[] = "/tmp/gtfs-test-XXXXXX", path[512];
	const char	*names[8], *texts[8], *t;
	char		*out;
	size_t		 n = 0, i;
	FILE		*fp;

	if (mkdtemp(dir) == NULL) {
		snprintf(err, cap, "mkdtemp failed");
		return NULL;
	}
	for (i = 0; base_feed[i].name != NULL; i++) {
		names[n] = base_feed[i].name;
		texts[n++] = base_feed[i].text;
	}
	for (i = 0; i < 2; i++) {
		const char *nm = i ? name2 : name1;

		if (nm == NULL)
			continue;
		names[n] = nm;
		texts[n++] = i ? text2 : text1;
	}
	/* Written in order: a replacement overwrites the base's file. */
	for (i = 0; i < n; i++) {
		t = texts[i];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fp = fopen(path, "w")) == NULL)
			continue;
		fputs(t, fp);
		fclose(fp);
	}
	out = import(dir, 20261005, 2, err, cap);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return out;
}

/* The import gave a timetable that the server's loader accepts. */
static void
check_loads(const char *text, const char *err, int line)
{
	struct tt	*t;
	char		*lerr = NULL;
	unsigned	 n;

	h_check(text != NULL, __FILE__, line, "import: %s", err);
	if (text == NULL)
		return;
	t = tt_load_mem("import", text, strlen(text), &lerr, &n);
	h_check(t != NULL, __FILE__, line, "the import does not load:\n%s\n"
	    "%s", lerr ? lerr : "", text);
	tt_free(t);
	free(lerr);
}

/* Issue 12: nothing from the feed breaks a line; names the server takes. */
static void
test_text(void)
{
	char	err[GTFS_ERR_MAX], *text, *b;

	/*
	 * Invalid UTF-8 (a surrogate, an overlong '/', past U+10FFFF) is
	 * '?'; a zero-width space and a right-to-left override are dropped
	 * ("Be<ZWSP>ta<RLO>" would look like Beta); a quoted newline in
	 * feed_version stays in the comment; so does one in a name.
	 */
	text = import_with("stops.txt", "stop_id,stop_name\n"
	    "A,\"Al\xed\xa0\x80p\xc0\xafh\xf4\x90\x80\x80" "a\n"
	    "FAKE2;X;Y;08:00;08:30;;\"\n"
	    "B,Be\xe2\x80\x8b" "ta\xe2\x80\xae\xe2\x81\xa6\xef\xbb\xbf\n",
	    "feed_info.txt", "feed_publisher_name,feed_version\n"
	    "X,\"v1\nFAKE1;Penn Station;Jamaica;08:00;08:30;;\r\n\x1b[2J\"\n",
	    err, sizeof(err));
	check_loads(text, err, __LINE__);
	b = body(text);
	CHECK_STR(b, "!change;2\n4734806;Al???p??h????a FAKE2,X,Y,08:00,08:30,,"
	    ";Beta;08:00;08:30;;\n");
	CHECK(text != NULL && strstr(text, ", version v1?FAKE1;Penn Station;"
	    "Jamaica;08:00;08:30;;???[2J\n# 1 trains") != NULL);
	free(b);
	free(text);
}

static void
test_errors(void)
{
	char	dir[512], err[GTFS_ERR_MAX], *text;

	/* The base feed is good. */
	ERR("none", NULL, 20261006, "no service on 2026-10-06: the feed "
	    "covers 2026-10-05 to 2026-10-05");
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id\n",
	    20261005, "stop_times.txt: no stop_sequence column in the header");
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt1,08:00:00,08:00:00,A,1\nt1,08:30:00,08:30:00,Z,2"
	    "\n", 20261005, "stop_times.txt:3: stop_id \"Z\" is not in "
	    "stops.txt");
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt9,08:00:00,08:00:00,A,1\n", 20261005,
	    "stop_times.txt:2: trip_id \"t9\" is not in trips.txt");
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt1,8h00,08:00:00,A,1\n", 20261005,
	    "stop_times.txt:2: bad arrival_time \"8h00\" (want H:MM:SS)");
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt1,08:00:00,08:00:00,A,1\n"
	    "t1,08:30:00,08:30:00,B,1\n", 20261005,
	    "stop_times.txt:3: stop_sequence 1 of trip t1 appears twice "
	    "(first at line 2)");
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt1,08:00:00,08:00:00,A,1\n"
	    "t1,07:30:00,07:30:00,B,2\n", 20261005,
	    "stop_times.txt:3: trip t1 goes back in time at stop_sequence 2");
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt1,48:00:00,48:00:00,A,1\n"
	    "t1,48:30:00,48:30:00,B,2\n", 20261005, "stop_times.txt:2: time "
	    "past 47:59:59: a trainsrv timetable stops there");
	ERR("trips.txt", "route_id,service_id,trip_id\nR,S,\"t1\n", 20261005,
	    "trips.txt:2: quoted field not closed before the end of the file");
	ERR("trips.txt", "route_id,service_id,trip_id\nR,S,t1\nR,S,t1\n",
	    20261005, "trips.txt:3: trip_id \"t1\" appears twice");
	ERR("stops.txt", "stop_id,stop_name,parent_station\nA,Alpha,P\n"
	    "B,Beta,\n", 20261005, "stops.txt:2: parent_station \"P\" is not "
	    "a stop_id");
	ERR("stops.txt", NULL, 20261005, "stops.txt: No such file or "
	    "directory");
	ERR("calendar_dates.txt", "service_id,date,exception_type\n"
	    "S,2026-10-05,1\n", 20261005, "calendar_dates.txt:2: bad date "
	    "\"2026-10-05\" (want YYYYMMDD)");
	ERR("calendar_dates.txt", NULL, 20261005,
	    "neither calendar.txt nor calendar_dates.txt");
	ERR("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,"
	    "friday,saturday,sunday,start_date,end_date\n"
	    "S,1,1,1,1,1,1,2,20261001,20261031\n", 20261005,
	    "calendar.txt:2: sunday is \"2\", want 0 or 1");
	/* Covered, but removed that day: no train. */
	ERR("calendar_dates.txt", "service_id,date,exception_type\n"
	    "S,20261005,1\nS,20261006,2\nS,20261007,1\n", 20261006,
	    "no train runs on 2026-10-06 (the feed covers 2026-10-05 to "
	    "2026-10-07)");

	/* Issue 12: an empty stop_id is blamed on stops.txt, not later. */
	ERR("stops.txt", "stop_id,stop_name\nA,Alpha\n,Nowhere\nB,Beta\n",
	    20261005, "stops.txt:3: empty stop_id");
	ERR("stops.txt", "stop_id,stop_name,stop_name\nA,Alpha,X\nB,Beta,Y\n",
	    20261005, "stops.txt:1: duplicate column \"stop_name\"");
	ERR("stops.txt", "\xff\xfes", 20261005,
	    "stops.txt: UTF-16: save as UTF-8");
	/* Empty files: an error, and nothing leaked (ASan's LeakSanitizer). */
	ERR("stops.txt", "", 20261005, "stops.txt: empty file: no header "
	    "line");
	ERR("stop_times.txt", "", 20261005, "stop_times.txt: empty file: no "
	    "header line");
	ERR("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,"
	    "friday,saturday,sunday,start_date,end_date\n"
	    "S,1,1,1,1,1,1,1,20261031,20261001\n", 20261005,
	    "calendar.txt:2: end_date 20261001 is before start_date 20261031");
	ERR("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,"
	    "friday,saturday,sunday,start_date,end_date\n"
	    "S,1,1,1,1,1,1,1,20261001,20261031\n"
	    "S,0,0,0,0,0,0,0,20261001,20261031\n", 20261005,
	    "calendar.txt:3: service_id \"S\" appears twice");
	/* A B A B in one minute: the server would see a duplicate leg. */
	ERR("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,"
	    "stop_sequence\nt1,08:00:00,08:00:00,A,1\n"
	    "t1,08:00:10,08:00:10,B,2\nt1,08:00:20,08:00:20,A,3\n"
	    "t1,08:00:30,08:00:30,B,4\n", 20261005,
	    "stop_times.txt:4: trip t1 goes from stop A to B twice at 08:00 "
	    "(first at line 2): a timetable takes that for a duplicate leg");
	/* The same a minute apart is no duplicate. */
	text = import_with("stop_times.txt", "trip_id,arrival_time,"
	    "departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,A,1\n"
	    "t1,08:00:10,08:00:10,B,2\nt1,08:00:20,08:01:00,A,3\n"
	    "t1,08:01:30,08:01:30,B,4\n", NULL, NULL, err, sizeof(err));
	check_loads(text, err, __LINE__);
	free(text);

	/* The LIRR feed, committed beside the data, imports. */
	snprintf(dir, sizeof(dir), "%s/gtfs-lirr", h_datadir);
	text = import(dir, 20261005, 2, err, sizeof(err));
	h_check(text != NULL && strstr(text, "# 937 trains, 9148 legs, 126 "
	    "stations;") != NULL && strstr(text, "\n!change;5;Jamaica\n") !=
	    NULL, __FILE__, __LINE__, "LIRR: %s", text ? "summary" : err);
	free(text);
}

void
suite_gtfs(void)
{
	test_csv();
	test_dates();
	test_fixtures();
	test_errors();
	test_text();
}
