/*
 * test_client_time.c — trainsrv-client's reading of clock times as people
 * type them (client/when.c): every accepted form becomes HH:MM, and what is
 * no time of the day is refused, both sides of each limit.
 */
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "tests/unit/harness.h"

void	suite_client_time(void);

/* time_parse(s) as a string: its HH:MM, or "bad". */
static const char *
tp(const char *s)
{
	static char out[16];

	if (time_parse(s, out, sizeof(out)) == -1)
		return "bad";
	return out;
}

static void
test_forms(void)
{
	CHECK_STR(tp("7"), "07:00");
	CHECK_STR(tp("07"), "07:00");
	CHECK_STR(tp("0"), "00:00");
	CHECK_STR(tp("23"), "23:00");
	CHECK_STR(tp("7h"), "07:00");
	CHECK_STR(tp("7H"), "07:00");
	CHECK_STR(tp("7h15"), "07:15");
	CHECK_STR(tp("19h05"), "19:05");
	CHECK_STR(tp("0715"), "07:15");
	CHECK_STR(tp("715"), "07:15");
	CHECK_STR(tp("1900"), "19:00");
	CHECK_STR(tp("7:15"), "07:15");
	CHECK_STR(tp("07:15"), "07:15");
	CHECK_STR(tp("19:00"), "19:00");
	CHECK_STR(tp("23:59"), "23:59");
	CHECK_STR(tp("00:00"), "00:00");
	CHECK_STR(tp("7.15"), "07:15");
	CHECK_STR(tp("  7:15  "), "07:15");
}

static void
test_ampm(void)
{
	CHECK_STR(tp("7pm"), "19:00");
	CHECK_STR(tp("7PM"), "19:00");
	CHECK_STR(tp("7 pm"), "19:00");
	CHECK_STR(tp("7am"), "07:00");
	CHECK_STR(tp("7:15pm"), "19:15");
	CHECK_STR(tp("7:15 am"), "07:15");
	CHECK_STR(tp("12am"), "00:00");
	CHECK_STR(tp("12:30am"), "00:30");
	CHECK_STR(tp("12pm"), "12:00");
	CHECK_STR(tp("11:59pm"), "23:59");
	CHECK_STR(tp("1am"), "01:00");
	/* a 12-hour clock has no 0 and no 13 */
	CHECK_STR(tp("0am"), "bad");
	CHECK_STR(tp("13pm"), "bad");
	CHECK_STR(tp("19:00pm"), "bad");
}

static void
test_refused(void)
{
	CHECK_STR(tp(""), "bad");
	CHECK_STR(tp("   "), "bad");
	CHECK_STR(tp("24"), "bad");
	CHECK_STR(tp("24:00"), "bad");
	CHECK_STR(tp("2400"), "bad");
	CHECK_STR(tp("25:00"), "bad");
	CHECK_STR(tp("7:60"), "bad");
	CHECK_STR(tp("0760"), "bad");
	CHECK_STR(tp("7:5"), "bad");
	CHECK_STR(tp("7h5"), "bad");
	CHECK_STR(tp("7:155"), "bad");
	CHECK_STR(tp("07150"), "bad");
	CHECK_STR(tp("123:00"), "bad");
	CHECK_STR(tp(":15"), "bad");
	CHECK_STR(tp("7:"), "bad");
	CHECK_STR(tp("h15"), "bad");
	CHECK_STR(tp("pm"), "bad");
	CHECK_STR(tp("seven"), "bad");
	CHECK_STR(tp("7x"), "bad");
	CHECK_STR(tp("7:15x"), "bad");
	CHECK_STR(tp("-7"), "bad");
	CHECK_STR(tp("valence"), "bad");
}

void
suite_client_time(void)
{
	test_forms();
	test_ampm();
	test_refused();
}
