/*
 * test_parse.c — the timetable parser: every error kind with its
 * "file:line:" prefix, error collection and capping, and what is accepted
 * (CRLF, comments, blanks, hours 24-47, night trains).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "worker/engine.h"

/* Load text that must fail with an error containing want. */
static void
expect_error(const char *text, size_t len, const char *want, unsigned nwant,
    const char *file, int line)
{
	struct tt	*t;
	char		*err = NULL;
	unsigned	 n = 0;

	t = tt_load_mem("t.txt", text, len, &err, &n);
	h_check(t == NULL, file, line, "loaded, want error \"%s\"", want);
	h_check(err != NULL && strstr(err, want) != NULL, file, line,
	    "errors\n%s    do not contain \"%s\"", err ? err : "(null)\n",
	    want);
	if (nwant > 0)
		h_check(n == nwant, file, line, "%u errors, want %u:\n%s", n,
		    nwant, err ? err : "");
	tt_free(t);
	free(err);
}

#define ERR(text, want) \
	expect_error((text), strlen(text), (want), 1, __FILE__, __LINE__)
#define ERRN(text, want, n) \
	expect_error((text), strlen(text), (want), (n), __FILE__, __LINE__)

static void
test_errors(void)
{
	ERR("1;A;B;10:00;11:00;5\n", "t.txt:1: wrong field count: 6 (want 7");
	ERR("1;A;B;10:00;11:00;5;;\n", "t.txt:1: wrong field count: more "
	    "than 7");
	ERR("# hello\n1\n", "t.txt:2: wrong field count: 1");
	ERR("1;A;B;10:0;11:00;5;\n", "t.txt:1: bad departure time \"10:0\"");
	ERR("1;A;B;10:00;48:00;5;\n", "t.txt:1: bad arrival time \"48:00\"");
	ERR("1;A;B;10:60;11:00;5;\n", "t.txt:1: bad departure time");
	ERR("1;A;B;1000;11:00;5;\n", "t.txt:1: bad departure time");
	ERR("1;A;B;;11:00;5;\n", "t.txt:1: bad departure time \"\"");
	ERR("1;A;B;100:00;11:00;5;\n", "t.txt:1: bad departure time");
	ERR("1;A;B;10:00;11:00;-5;\n", "t.txt:1: bad price \"-5\"");
	ERR("1;A;B;10:00;11:00;1.234;\n", "t.txt:1: bad price \"1.234\"");
	ERR("1;A;B;10:00;11:00;17.;\n", "t.txt:1: bad price \"17.\"");
	ERR("1;A;B;10:00;11:00;1,50;\n", "t.txt:1: bad price \"1,50\"");
	ERR("1;A;B;10:00;11:00;.5;\n", "t.txt:1: bad price \".5\"");
	ERR("1;A;B;10:00;11:00;1000000.01;\n", "t.txt:1: price "
	    "\"1000000.01\" too high");
	ERR("1;A;B;10:00;11:00;5;HALF\n", "t.txt:1: unknown flag \"HALF\"");
	ERR("1;;B;10:00;11:00;5;\n", "t.txt:1: empty departure station");
	ERR("1;A; ;10:00;11:00;5;\n", "t.txt:1: empty arrival station");
	ERR("1;A;-;10:00;11:00;5;\n", "t.txt:1: arrival station \"-\" has "
	    "no letters");
	ERR("1 2;A;B;10:00;11:00;5;\n", "t.txt:1: bad train number \"1 2\"");
	ERR(";A;B;10:00;11:00;5;\n", "t.txt:1: bad train number \"\"");
	ERR("12345678901234567;A;B;10:00;11:00;5;\n", "t.txt:1: bad train "
	    "number");
	ERR("1;A|X;B;10:00;11:00;5;\n", "t.txt:1: '|' is not allowed");
	ERR("1;A\tX;B;10:00;11:00;5;\n", "t.txt:1: control character");
	ERR("1;A\xff;B;10:00;11:00;5;\n", "t.txt:1: invalid UTF-8 in "
	    "departure station name \"A\\xff\"");
	ERR("1;A\xc3;B;10:00;11:00;5;\n", "t.txt:1: invalid UTF-8");
	ERR("1;A\xed\xa0\x80;B;10:00;11:00;5;\n", "t.txt:1: invalid UTF-8");
	ERR("1;Valence;VALENCE;10:00;11:00;5;\n", "t.txt:1: leg from Valence "
	    "to Valence: departure and arrival are the same station");
	ERR("1;A;B;10:00;11:00;5;\n1;C;D;11:10;12:00;5;\n",
	    "t.txt:2: leg does not continue train 1: it arrived at B, this "
	    "leg leaves from C");
	ERR("1;A;B;10:00;11:00;5;\n2;C;D;10:00;11:00;5;\n"
	    "1;A;B;10:00;11:30;6;\n", "t.txt:3: duplicate leg (first at line 1)");
	ERR("1;A;B;10:00;11:00;5;\n1;a;b;10:00;11:30;6;\n",
	    "t.txt:2: duplicate leg (first at line 1)");
	ERR("1;A;B;10:00;11:00;5;\n\n# x\n2;C;D;10:00;11:00;5;\n"
	    "1;B;C;11:10;12:00;5;\n1;C;D;12:10;13:00;5;\n",
	    "t.txt:5: train 1 already defined at line 1; its legs must be "
	    "consecutive");
	ERR("!mct Lyon 10\n1;A;B;10:00;11:00;5;\n",
	    "t.txt:1: unknown directive \"!mct Lyon 10\" (want "
	    "!change;MINUTES or !change;MINUTES;STATION)");
	ERR("", "t.txt: no trains");
	ERR("# only a comment\n\n   \n", "t.txt: no trains");
	ERR("1;A;B;10:00;9:00;5;\n1;B;C;9:30;9:00;5;\n1;C;D;9:30;9:00;5;\n"
	    "1;D;E;9:30;9:10;5;\n", "t.txt:3: train 1 runs for more than "
	    "three days");
}

static void
test_long_lines(void)
{
	char	*big, path[] = "/tmp/tt-unit-XXXXXX";
	char	*err = NULL;
	size_t	 n = 100000;
	unsigned nerr = 0;
	int	 fd;
	struct tt *t;

	if ((big = malloc(n + 200)) == NULL)
		return;
	/* 4096 bytes pass, 4097 do not (CR and LF not counted). */
	memset(big, 'x', n);
	memcpy(big, "1;A;B;10:00;11:00;5;", 20);
	big[4096] = '\r';
	big[4097] = '\n';
	big[4098] = '\0';
	ERR(big, "t.txt:1: unknown flag");
	memset(big, 'x', n);
	memcpy(big, "1;A;B;10:00;11:00;5;", 20);
	big[4097] = '\n';
	big[4098] = '\0';
	ERR(big, "t.txt:1: line too long (4097 bytes, max 4096)");

	/* From a file: a 100 KB line is skipped, line numbers stay right. */
	memset(big, 'x', n);
	memcpy(big, "1;A;B;10:00;11:00;5;\n", 21);
	big[n - 1] = '\n';
	snprintf(big + n, 200, "1;B;C;12:00;13:00;5;\n2;C;D;10:0;11:00;5;");
	fd = mkstemp(path);
	CHECK(fd != -1);
	if (fd == -1) {
		free(big);
		return;
	}
	CHECK(write(fd, big, strlen(big)) == (ssize_t)strlen(big));
	close(fd);
	t = tt_load(path, &err, &nerr);
	CHECK(t == NULL);
	CHECK_INT(nerr, 2);
	CHECK(err != NULL && strstr(err, ":2: line too long (99978 bytes") !=
	    NULL);
	CHECK(err != NULL && strstr(err, ":4: bad departure time") != NULL);
	free(err);
	/* The same text from memory gives the same errors. */
	t = tt_load_mem("m", big, strlen(big), &err, &nerr);
	CHECK(t == NULL);
	CHECK_INT(nerr, 2);
	CHECK(err != NULL && strstr(err, "m:2: line too long (99978 bytes") !=
	    NULL);
	free(err);
	/* The last line without its LF loads. */
	memcpy(big, "1;A;B;10:00;11:00;5;\n1;B;C;12:00;13:00;5;", 42);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd != -1 && write(fd, big, 41) == 41);
	close(fd);
	t = tt_load(path, &err, &nerr);
	CHECK(t != NULL && err == NULL && nerr == 0);
	if (t != NULL) {
		CHECK_INT(tt_ntrains(t), 1);
		CHECK_INT(tt_nlegs(t), 2);
		CHECK_INT(tt_nstations(t), 3);
	}
	tt_free(t);
	unlink(path);
	free(big);
}

static void
test_many_errors(void)
{
	char		*text, *err = NULL;
	size_t		 i, len = 0;
	unsigned	 n = 0;
	struct tt	*t;

	ERRN("1;A;B;10:00;11:00;5;\nx\n2;C;D;1:00;1:99;5;\n3;E;F;1:00;"
	    "2:00;5;X\n", "t.txt:2: wrong field count", 3);
	ERRN("1;A;B;10:00;11:00;5;\nx\n2;C;D;1:00;1:99;5;\n3;E;F;1:00;"
	    "2:00;5;X\n", "t.txt:3: bad arrival time \"1:99\"", 3);
	ERRN("1;A;B;10:00;11:00;5;\nx\n2;C;D;1:00;1:99;5;\n3;E;F;1:00;"
	    "2:00;5;X\n", "t.txt:4: unknown flag \"X\"", 3);
	/* Several errors on one line are all reported. */
	ERRN("1;;B;10:0;11:00;x;X\n", "t.txt:1: unknown flag", 4);

	if ((text = malloc(150 * 8 + 1)) == NULL)
		return;
	for (i = 0; i < 150; i++)
		len += (size_t)sprintf(text + len, "bad%03zu\n", i);
	t = tt_load_mem("t.txt", text, len, &err, &n);
	CHECK(t == NULL);
	CHECK_INT(n, 150);
	CHECK(err != NULL && strstr(err, "t.txt:100: wrong field") != NULL);
	CHECK(err != NULL && strstr(err, "t.txt:101: ") == NULL);
	CHECK(err != NULL && strstr(err, "\nt.txt: 50 more errors not "
	    "shown\n") != NULL);
	free(err);
	free(text);
}

static void
test_garbage(void)
{
	char		 buf[65536], *err;
	unsigned	 seed = 12345, n, round;
	size_t		 i;
	struct tt	*t;

	/* Binary data: errors, never a crash. */
	for (round = 0; round < 20; round++) {
		for (i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (char)(seed >> 16);
			if (round % 2 && (seed >> 8) % 40 == 0)
				buf[i] = ';';
			if (round % 4 == 1 && (seed >> 8) % 97 == 0)
				buf[i] = '\n';
		}
		err = NULL;
		t = tt_load_mem("bin", buf, sizeof(buf), &err, &n);
		CHECK(t == NULL && n > 0 && err != NULL);
		tt_free(t);
		free(err);
	}
	err = NULL;
	t = tt_load("/nonexistent/tt.txt", &err, &n);
	CHECK(t == NULL);
	CHECK_INT(n, 1);
	CHECK_STR(err, "/nonexistent/tt.txt: No such file or directory\n");
	free(err);
	err = NULL;
	t = tt_load("/tmp", &err, &n);
	CHECK(t == NULL);
	CHECK_STR(err, "/tmp: not a regular file (a directory)\n");
	free(err);
}

/* tt_load(path) must fail at once with exactly want. */
static void
expect_file_error(const char *path, const char *want, const char *file,
    int line)
{
	struct tt	*t;
	char		*err = NULL;
	unsigned	 n = 0;

	t = tt_load(path, &err, &n);
	h_check(t == NULL, file, line, "%s loaded", path);
	h_check(n == 1, file, line, "%u errors, want 1", n);
	h_check(err != NULL && strcmp(err, want) == 0, file, line,
	    "errors are\n\t\"%s\"\n    want\n\t\"%s\"",
	    err ? err : "(null)", want);
	tt_free(t);
	free(err);
}
#define FILE_ERR(path, want) \
	expect_file_error((path), (want), __FILE__, __LINE__)

/*
 * What is not a regular file is refused before anything is read: a FIFO
 * without a writer (which would block an open, then read forever once one
 * came), an endless device, a directory.  Should one of them be read, the
 * alarm ends the run rather than letting it hang.  The size limit is tested
 * on both sides in timetable.bats (a 1 GiB file takes a second to read).
 */
static void
test_not_regular(void)
{
	char		 dir[] = "/tmp/tt-unit-XXXXXX", path[64], want[160];
	int		 fd;

	alarm(20);
	FILE_ERR("/dev/zero", "/dev/zero: not a regular file (a character "
	    "device)\n");
	FILE_ERR("/dev/null", "/dev/null: not a regular file (a character "
	    "device)\n");
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		alarm(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	snprintf(want, sizeof(want), "%s: not a regular file (a FIFO)\n",
	    path);
	FILE_ERR(path, want);
	unlink(path);

	/* Past the limit by one byte: refused without reading (sparse). */
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd != -1);
	CHECK(fd != -1 && ftruncate(fd, TT_FILE_MAX + 1) == 0);
	if (fd != -1)
		close(fd);
	snprintf(want, sizeof(want), "%s: timetable too large: %ld bytes "
	    "(max %ld, 1 GiB)\n", path, TT_FILE_MAX + 1, TT_FILE_MAX);
	FILE_ERR(path, want);
	unlink(path);
	CHECK(rmdir(dir) == 0);
	alarm(0);
}

/*
 * Invisible and direction controls in station names are refused, each
 * named and escaped in the message; their neighbours are accepted.
 */
static void
test_invisible(void)
{
	static const struct {
		const char	*utf8;
		const char	*cp;
	} bad[] = {
		{ "\xc2\xad", "00AD" }, { "\xd8\x9c", "061C" },
		{ "\xe1\x85\x9f", "115F" }, { "\xe1\xa0\x8e", "180E" },
		{ "\xe2\x80\x8b", "200B" }, { "\xe2\x80\x8c", "200C" },
		{ "\xe2\x80\x8d", "200D" }, { "\xe2\x80\x8e", "200E" },
		{ "\xe2\x80\x8f", "200F" }, { "\xe2\x80\xa8", "2028" },
		{ "\xe2\x80\xaa", "202A" }, { "\xe2\x80\xae", "202E" },
		{ "\xe2\x81\xa0", "2060" }, { "\xe2\x81\xa4", "2064" },
		{ "\xe2\x81\xa6", "2066" }, { "\xe2\x81\xa9", "2069" },
		{ "\xe3\x85\xa4", "3164" }, { "\xef\xbb\xbf", "FEFF" },
		{ "\xef\xbf\xb9", "FFF9" }, { "\xf3\xa0\x80\x81", "E0001" },
		{ "\xf3\xa0\x81\xbf", "E007F" },
	};
	static const char *const good[] = {
		"\xc2\xac", "\xc2\xae",		/* U+00AC U+00AE */
		"\xd8\x9b", "\xd8\x9d",		/* U+061B U+061D */
		"\xe2\x80\x8a", "\xe2\x80\x90",	/* U+200A U+2010 */
		"\xe2\x80\xa7", "\xe2\x80\xaf",	/* U+2027 U+202F */
		"\xe2\x81\x9f", "\xe2\x81\xb0",	/* U+205F U+2070 */
		"\xef\xbb\xbc", "\xef\xbc\x80",	/* U+FEFC U+FF00 */
		"\xf3\xa0\x82\x80",		/* U+E0080 */
	};
	char		 text[256], want[256];
	struct tt	*t;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# x\n1;Gre%snoble;Lyon;10:00;"
		    "11:00;5;\n", bad[i].utf8);
		snprintf(want, sizeof(want), "t.txt:2: station name contains "
		    "an invisible or direction control character (U+%s): "
		    "\"Gre\\%s%snoble\" (departure station)\n", bad[i].cp,
		    strlen(bad[i].cp) > 4 ? "U000" : "u", bad[i].cp);
		ERR(text, want);
		/* In either field, and in a change-time directive. */
		snprintf(text, sizeof(text), "1;Lyon;%sGrenoble;10:00;11:00;"
		    "5;\n", bad[i].utf8);
		ERR(text, "t.txt:1: station name contains an invisible or "
		    "direction control character");
		snprintf(text, sizeof(text), "!change;5;Lyon%s\n1;Lyon;"
		    "Grenoble;10:00;11:00;5;\n", bad[i].utf8);
		ERR(text, "(change-time station)");
		/* A spelling seen before (cached) does not bypass it. */
		snprintf(text, sizeof(text), "1;Lyon;Grenoble;10:00;11:00;5;\n"
		    "2;Lyon;Grenoble%s;10:00;11:00;5;\n", bad[i].utf8);
		ERR(text, "t.txt:2: station name contains");
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "1;Gre%snoble;Lyon;10:00;11:00;"
		    "5;\n", good[i]);
		t = LOAD(text);
		tt_free(t);
	}
}

/*
 * Invalid UTF-8 in a station name is refused with file:line: surrogates,
 * overlong forms, code points past U+10FFFF, truncated and stray bytes.
 * The valid sequences at each boundary load.
 */
static void
test_utf8(void)
{
	static const char *const bad[] = {
		"\xed\xa0\x80", "\xed\xbf\xbf",		/* surrogates */
		"\xc0\x80", "\xc1\xbf",			/* overlong */
		"\xe0\x80\x80", "\xe0\x9f\xbf",
		"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80",	/* > U+10FFFF */
		"\xf7\xbf\xbf\xbf", "\xf8\x88\x80\x80\x80",
		"\xe2\x80", "\x80", "\xbf", "\xfe", "\xff",	/* cut, stray */
	};
	static const char *const good[] = {
		"\xc2\xa9", "\xdf\xbf",			/* U+00A9 U+07FF */
		"\xe0\xa0\x80", "\xed\x9f\xbf",		/* U+0800 U+D7FF */
		"\xee\x80\x80", "\xef\xbf\xbd",		/* U+E000 U+FFFD */
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",	/* U+10000 U+10FFFF */
	};
	char		 text[256];
	struct tt	*t;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "\n1;A%sB;C;10:00;11:00;5;\n",
		    bad[i]);
		ERR(text, "t.txt:2: invalid UTF-8 in departure station name");
		snprintf(text, sizeof(text), "1;C;A%s;10:00;11:00;5;\n",
		    bad[i]);
		ERR(text, "t.txt:1: invalid UTF-8 in arrival station name");
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "1;A%sB;C;10:00;11:00;5;\n",
		    good[i]);
		t = LOAD(text);
		tt_free(t);
	}
}

static void
test_accepted(void)
{
	struct tt	*t;
	struct tt_result r;
	char		 line[512];

	t = LOAD("# comment\r\n\r\n   \t\r\n  17564 ; Valence ; Grenoble ;"
	    " 6:15 ; 7:31 ; 17.6 ; reduc \r\n\t# indented comment\n"
	    "17566;Valence;Grenoble;06:45;07:55;17;\r\n"
	    "x-1_Z;Grenoble;Valence;6:45;7:55;;Suppl");
	if (t == NULL)
		return;
	CHECK_INT(tt_ntrains(t), 3);
	CHECK_INT(tt_nstations(t), 2);
	CHECK_INT(tt_leg_flag(t, 0, 0), TT_FLAG_REDUC);
	CHECK_INT(tt_leg_flag(t, 2, 0), TT_FLAG_SUPPL);
	CHECK(tt_all(t, 0, 1, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "17564;Valence;Grenoble;06:15;07:31;76;17.60;REDUC;"
	    "14.08;;");
	CHECK(tt_all(t, 1, 1, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "17566;Valence;Grenoble;06:45;07:55;70;17.00;;17.00;;");
	CHECK(tt_all(t, 2, 1, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "x-1_Z;Grenoble;Valence;06:45;07:55;70;;SUPPL;;;");
	CHECK(tt_arena_size(t) > 0);
	tt_free(t);
	CHECK_INT(tt_parse_time("0:00", 4, 23), 0);
	CHECK_INT(tt_parse_time("23:59", 5, 23), 1439);
	CHECK_INT(tt_parse_time("24:00", 5, 23), -1);
	CHECK_INT(tt_parse_time("47:59", 5, 47), 2879);
	CHECK_INT(tt_parse_time("7:5", 3, 23), -1);
	CHECK_INT(tt_parse_time(" 7:05", 5, 23), -1);
}

/* Hours 24-47, night trains, and legs normalised across midnight. */
static void
test_service_day(void)
{
	struct tt	*t;
	struct tt_result r;
	char		 line[512];
	int32_t		 a, b, c;

	t = LOAD("L;A;B;25:10;26:00;10;\n"
	    "N;A;B;23:10;23:55;;\nN;B;C;0:30;1:40;;\n"
	    "M;C;A;23:00;1:00;12.50;\n");
	if (t == NULL)
		return;
	a = tt_station_find(t, "A", 1);
	b = tt_station_find(t, "B", 1);
	c = tt_station_find(t, "C", 1);
	CHECK(a >= 0 && b >= 0 && c >= 0);
	/* A question about 01:00 finds the 25:10 departure, same day. */
	CHECK(tt_next(t, (uint32_t)a, (uint32_t)b, 60, &r) == 1);
	CHECK_INT(r.train, 0);
	CHECK_INT(r.dep_min, 70);
	CHECK_INT(r.arr_min, 120);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "L;A;B;01:10;02:00;50;10.00;;10.00;;");
	/* ALL is relative to the service day. */
	CHECK(tt_all(t, 2, 1, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "L;A;B;01:10+1;02:00+1;50;10.00;;10.00;;");
	/* The night train, boarded at 23:10, arrives tomorrow. */
	CHECK(tt_next(t, (uint32_t)a, (uint32_t)c, 23 * 60, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "N;A;C;23:10;01:40+1;150;;;;B;");
	CHECK(tt_next(t, (uint32_t)b, (uint32_t)c, 0, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "N;B;C;00:30;01:40;70;;;;;");
	CHECK(tt_best(t, (uint32_t)b, (uint32_t)c, TT_BY_DURATION, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "N;B;C;00:30+1;01:40+1;70;;;;;");
	/* Unknown prices never win by price. */
	CHECK(tt_best(t, (uint32_t)b, (uint32_t)c, TT_BY_PRICE, &r) == 0);
	CHECK(tt_next(t, (uint32_t)c, (uint32_t)a, 23 * 60 + 30, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "M;C;A;23:00+1;01:00+2;120;12.50;;12.50;;");
	tt_free(t);

	/* A 0-minute leg is allowed. */
	t = LOAD("Z;A;B;10:00;10:00;0;\nZ;B;C;10:00;10:30;1.05;suppl\n");
	if (t == NULL)
		return;
	CHECK(tt_all(t, 0, 1, &r) == 1);
	tt_format(t, &r, line, sizeof(line));
	CHECK_STR(line, "Z;A;C;10:00;10:30;30;1.05;|SUPPL;1.16;B;");
	tt_free(t);
}

static void
test_stops_max(void)
{
	char		*text;
	size_t		 i, len = 0;
	struct tt	*t;

	if ((text = malloc(600 * 40)) == NULL)
		return;
	/* 511 legs = 512 stops: the most a train may have. */
	for (i = 0; i < 511; i++)
		len += (size_t)sprintf(text + len, "1;S%zu;S%zu;%zu:%02zu;"
		    "%zu:%02zu;;\n", i, i + 1, i / 60 % 24, i % 60,
		    i / 60 % 24, i % 60);
	t = LOAD(text);
	if (t != NULL)
		CHECK_INT(tt_train_nstops(t, 0), 512);
	tt_free(t);
	len += (size_t)sprintf(text + len, "1;S511;S512;9:00;9:00;;\n");
	ERR(text, "t.txt:512: train 1 has more than 512 stops");
	free(text);
}

/*
 * A row formatted into every buffer too small for it: the bytes that fit,
 * NUL-terminated, and the length it needs, as snprintf would.
 */
static void
test_format_truncated(void)
{
	struct tt	*t;
	struct tt_result r;
	char		 full[512], line[512];
	size_t		 n, cap;
	int		 ok = 1;

	t = LOAD("IC_1234567890;Valence Ville;Romans;23:55;0:20;;reduc\n"
	    "IC_1234567890;Romans;Grenoble Universite;0:25;1:40;123456.78;"
	    "suppl\n"
	    "IC_1234567890;Grenoble Universite;Chambery;1:45;2:40;9.99;\n");
	if (t == NULL)
		return;
	CHECK(tt_all(t, 0, 1, &r) == 1);
	r.tags = TT_TAG_CHEAPEST | TT_TAG_FASTEST;
	n = tt_format(t, &r, full, sizeof(full));
	CHECK_STR(full, "IC_1234567890;Valence Ville;Chambery;23:55;02:40+1;"
	    "165;;REDUC|SUPPL|;;Romans|Grenoble Universite;cheapest|fastest");
	CHECK_INT(n, strlen(full));
	CHECK_INT(tt_format(t, &r, NULL, 0), n);
	for (cap = 1; cap <= n + 1; cap++) {
		memset(line, 'x', sizeof(line));
		if (tt_format(t, &r, line, cap) != n ||
		    strlen(line) != cap - 1 ||
		    memcmp(line, full, cap - 1) != 0)
			ok = 0;
	}
	CHECK(ok);
	tt_free(t);
}

void
suite_parse(void)
{
	test_format_truncated();
	test_errors();
	test_long_lines();
	test_many_errors();
	test_garbage();
	test_not_regular();
	test_invisible();
	test_utf8();
	test_accepted();
	test_service_day();
	test_stops_max();
}
