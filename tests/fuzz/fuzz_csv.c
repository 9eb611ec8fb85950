/*
 * fuzz_csv.c — libFuzzer harness for trainsrv-import's readers: the CSV
 * reader (import/csv.c) and, on an in-memory feed, the whole GTFS loader
 * and writer (import/gtfs.c, import/emit.c).
 *
 * An input starting "GTFS\n" is a feed: its files follow, in the order of
 * fcsv_names, separated by lines "%%" (an empty section, or one past the
 * last, is a file absent), imported for 2026-10-05.  An import either fails with a
 * message free of control characters, or writes a timetable that the
 * server's own loader (tt_load_mem) accepts and whose every line is one
 * line: the property of trainsrv-import(1), checked here on every input.
 *
 * Any other input is one CSV file: it opens or fails with a message;
 * every record's fields lie inside the file, lines only go forward, and
 * every header name is found at its own column.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/csv.h"
#include "import/gtfs.h"
#include "worker/engine.h"
#include "tests/fuzz/common.h"

#define FCSV_RECORDS_MAX	100000	/* records read from one input */

static const char *const fcsv_names[] = { "stops.txt", "trips.txt",
    "stop_times.txt", "calendar_dates.txt", "calendar.txt", "routes.txt",
    "transfers.txt", "feed_info.txt" };
#define FCSV_NFILES	(sizeof(fcsv_names) / sizeof(fcsv_names[0]))

/* A message: one line, no control character, not empty. */
static void
fcsv_check_message(const char *msg)
{
	const unsigned char	*u = (const unsigned char *)msg;

	FUZZ_ASSERT(*msg != '\0', "an error without a message");
	for (; *u != '\0'; u++)
		FUZZ_ASSERT(*u >= 0x20 && *u != 0x7f,
		    "control character in an error message");
}

static void
fcsv_one_csv(const uint8_t *data, size_t size)
{
	struct csv	 c;
	unsigned long	 last = 0;
	size_t		 i, n = 0;
	int		 r;

	if (csv_open_mem(&c, "fuzz.txt", (const char *)data, size) == -1) {
		fcsv_check_message(c.err);
		FUZZ_ASSERT(strncmp(c.err, "fuzz.txt", 8) == 0,
		    "an error not naming its file");
		csv_close(&c);
		return;
	}
	for (i = 0; i < c.nhead; i++)
		if (c.head[i][0] != '\0')
			FUZZ_ASSERT(csv_col(&c, c.head[i]) == (int)i,
			    "a header name not found at its column");
	while (n++ < FCSV_RECORDS_MAX && (r = csv_next(&c)) == 1) {
		FUZZ_ASSERT(c.line > last && c.line < c.next,
		    "record lines do not go forward");
		last = c.line;
		FUZZ_ASSERT(c.nf >= 1, "a record without fields");
		for (i = 0; i < c.nf; i++) {
			FUZZ_ASSERT(c.f[i] >= c.data && c.f[i] <= c.data + c.len,
			    "a field outside the file");
			FUZZ_ASSERT(c.f[i] + strlen(c.f[i]) <= c.data + c.len,
			    "a field running past the file");
		}
		FUZZ_ASSERT(*csv_field(&c, (int)c.nf) == '\0' &&
		    *csv_field(&c, -1) == '\0', "a missing field not empty");
	}
	if (n <= FCSV_RECORDS_MAX && r == -1)
		fcsv_check_message(c.err);
	csv_close(&c);
}

/* Every line of the timetable written: no control character but its LF. */
static void
fcsv_check_lines(const char *text, size_t len)
{
	size_t	i;

	FUZZ_ASSERT(len > 0 && text[len - 1] == '\n',
	    "the timetable does not end in LF");
	for (i = 0; i < len; i++)
		FUZZ_ASSERT(text[i] == '\n' || ((unsigned char)text[i] >= 0x20 &&
		    text[i] != 0x7f), "control character in the timetable");
}

static void
fcsv_one_feed(const uint8_t *data, size_t size)
{
	struct gtfs_file	 files[FCSV_NFILES + 1];
	struct gtfs_opts	 o;
	struct feed		*f;
	const char		*p = (const char *)data, *end = p + size, *sep;
	char			 err[GTFS_ERR_MAX], *text = NULL, *lerr = NULL;
	size_t			 n = 0, k, len = 0;
	unsigned		 nerr = 0;
	struct tt		*tt;
	FILE			*fp;

	memset(files, 0, sizeof(files));
	for (k = 0; k < FCSV_NFILES && p < end; k++) {
		/* The next line "%%", at p or after a LF. */
		for (sep = p; (sep = memmem(sep, (size_t)(end - sep), "%%\n",
		    3)) != NULL && sep != p && sep[-1] != '\n'; sep++)
			;
		if (sep != p) {
			files[n].name = fcsv_names[k];
			files[n].data = p;
			files[n].len = (size_t)((sep ? sep : end) - p);
			n++;
		}
		if (sep == NULL)
			break;
		p = sep + 3;
	}
	memset(&o, 0, sizeof(o));
	o.dir = "fuzz";
	o.date = 20261005;
	o.change = GTFS_CHANGE_DEFAULT;
	o.files = files;
	if ((f = gtfs_load(&o, err, sizeof(err))) == NULL) {
		fcsv_check_message(err);
		return;
	}
	if ((fp = open_memstream(&text, &len)) == NULL)
		abort();
	FUZZ_ASSERT(gtfs_emit(f, &o, fp) == 0, "gtfs_emit failed");
	if (fclose(fp) == EOF)
		abort();
	gtfs_free(f);
	fcsv_check_lines(text, len);
	tt = tt_load_mem("import", text, len, &lerr, &nerr);
	if (tt == NULL)
		fprintf(stderr, "fuzz: the server refuses the import:\n%s\n%s",
		    lerr ? lerr : "", text);
	FUZZ_ASSERT(tt != NULL, "an import the server's loader refuses");
	tt_free(tt);
	free(lerr);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 5 && memcmp(data, "GTFS\n", 5) == 0)
		fcsv_one_feed(data + 5, size - 5);
	else
		fcsv_one_csv(data, size);
	return 0;
}
