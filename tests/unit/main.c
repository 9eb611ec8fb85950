/*
 * main.c — the unit-test driver: runs every suite and prints the closing
 * line "N passed, N failed"; exits 1 if any check failed.
 *
 * usage: unit-tests [datadir]	(default "data", relative to the cwd)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "worker/engine.h"

void	suite_journey(void);	/* test_journey.c */
void	suite_gtfs(void);	/* test_gtfs.c */
void	suite_proto(void);	/* test_proto.c */
void	suite_wire(void);	/* test_wire.c */
void	suite_client_time(void);	/* test_client_time.c */
void	suite_station_prefix(void);	/* test_station_prefix.c */

const char	*h_datadir = "data";
static unsigned	 passed, failed;

void
h_check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
h_check_int(long long got, long long want, const char *expr,
    const char *file, int line)
{
	h_check(got == want, file, line, "%s is %lld, want %lld", expr, got,
	    want);
}

void
h_check_str(const char *got, const char *want, const char *expr,
    const char *file, int line)
{
	if (got == NULL)
		got = "(null)";
	h_check(strcmp(got, want) == 0, file, line,
	    "%s is\n\t\"%s\"\n    want\n\t\"%s\"", expr, got, want);
}

struct tt *
h_load(const char *text, const char *file, int line)
{
	struct tt	*t;
	char		*err = NULL;
	unsigned	 n = 0;

	t = tt_load_mem("t.txt", text, strlen(text), &err, &n);
	h_check(t != NULL, file, line, "load failed (%u errors):\n%s", n,
	    err ? err : "");
	free(err);
	return t;
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		h_datadir = argv[1];
	suite_fold();
	suite_parse();
	suite_query();
	suite_random();
	suite_journey();
	suite_gtfs();
	suite_proto();
	suite_wire();
	suite_client_time();
	suite_station_prefix();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
