/*
 * test_station_prefix.c — a station named by the start of its name: a
 * prefix (after folding) of exactly one station is that station; a prefix
 * of several, or of none, is no station; an exact name always wins, even
 * when it is also the prefix of a longer one.
 */
#include <string.h>

#include "tests/unit/harness.h"
#include "worker/engine.h"

void	suite_station_prefix(void);

static const char *
found(const struct tt *t, const char *name)
{
	int32_t s = tt_station_find(t, name, strlen(name));

	return s < 0 ? "-" : tt_station_name(t, (uint32_t)s);
}

void
suite_station_prefix(void)
{
	struct tt *t;

	t = LOAD("1;Paris Gare de Lyon;Saint-Étienne;8:00;10:00;;\n"
	    "2;Saint-Étienne;Valence;10:30;11:30;;\n"
	    "3;Valence;Val de Reuil;12:00;13:00;;\n"
	    "4;Lyon;Lyon Part-Dieu;14:00;14:10;;\n");
	if (t == NULL)
		return;
	CHECK_STR(found(t, "paris"), "Paris Gare de Lyon");
	CHECK_STR(found(t, "PARIS GARE"), "Paris Gare de Lyon");
	CHECK_STR(found(t, " paris-gare-de "), "Paris Gare de Lyon");
	CHECK_STR(found(t, "p"), "Paris Gare de Lyon");
	CHECK_STR(found(t, "saint"), "Saint-Étienne");
	CHECK_STR(found(t, "saint etie"), "Saint-Étienne");
	/* ambiguous: Valence and Val de Reuil */
	CHECK_STR(found(t, "val"), "-");
	CHECK_STR(found(t, "vale"), "Valence");
	/* exact beats prefix: Lyon is a station and starts Lyon Part-Dieu */
	CHECK_STR(found(t, "lyon"), "Lyon");
	CHECK_STR(found(t, "lyon p"), "Lyon Part-Dieu");
	/* no station starts so; nothing is no station */
	CHECK_STR(found(t, "parisx"), "-");
	CHECK_STR(found(t, "grenoble"), "-");
	CHECK_STR(found(t, ""), "-");
	CHECK_STR(found(t, "   "), "-");
	tt_free(t);
}
