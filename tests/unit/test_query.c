/*
 * test_query.c — the queries and their wire lines: the seed's worked
 * examples on data/sncf.txt, multi-leg trains, windows crossing midnight,
 * paging, departure boards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "worker/engine.h"

static struct tt *sncf;

static uint32_t
st(struct tt *t, const char *name)
{
	int32_t	s = tt_station_find(t, name, strlen(name));

	h_check(s >= 0, __FILE__, __LINE__, "station \"%s\" not found", name);
	return s >= 0 ? (uint32_t)s : UINT32_MAX;
}

static const char *
fmt(struct tt *t, const struct tt_result *r)
{
	static char	line[1024];

	tt_format(t, r, line, sizeof(line));
	return line;
}

static const char *
number(struct tt *t, const struct tt_result *r)
{
	return tt_train_number(t, r->train);
}

static int
hhmm(int h, int m)
{
	return h * 60 + m;
}

static void
test_seed_examples(void)
{
	struct tt		*t = sncf;
	struct tt_result	 r, w[16];
	uint32_t		 pgl, val, gre;
	size_t			 n;

	pgl = st(t, "Paris Gare de Lyon");
	val = st(t, "Valence");
	gre = st(t, "Grenoble");

	/* Best by price: 9713 at 90.00 beats 6035's 113.00 - 20 % = 90.40. */
	CHECK(tt_best(t, pgl, val, TT_BY_PRICE, &r) == 1);
	CHECK_STR(number(t, &r), "9713");
	CHECK_INT(r.fare, 9000);
	CHECK_STR(fmt(t, &r), "9713;Paris Gare de Lyon;Valence;10:07;12:19;"
	    "132;90.00;;90.00;;");
	/* Best by duration: 9713, 132 minutes. */
	CHECK(tt_best(t, pgl, val, TT_BY_DURATION, &r) == 1);
	CHECK_STR(number(t, &r), "9713");
	CHECK_INT(r.minutes, 132);
	CHECK(tt_next(t, pgl, val, hhmm(7, 0), &r) == 1);
	CHECK_STR(fmt(t, &r), "6035;Paris Gare de Lyon;Valence;07:41;10:11;"
	    "150;113.00;REDUC;90.40;;");

	/* Grenoble -> Valence leaving 16:00-19:00. */
	n = tt_window(t, gre, val, hhmm(16, 0), hhmm(19, 0), w, 16);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(number(t, &w[0]), "17524");
		CHECK_STR(number(t, &w[1]), "17525");
		CHECK_STR(number(t, &w[2]), "17526");
		CHECK_STR(number(t, &w[3]), "17528");
		CHECK_INT(w[0].tags, 0);
		CHECK_INT(w[1].tags, TT_TAG_FASTEST);
		CHECK_INT(w[2].tags, 0);
		CHECK_INT(w[3].tags, TT_TAG_CHEAPEST);
		CHECK_INT(w[3].fare, 1408);
		CHECK_INT(w[1].minutes, 60);
		CHECK_INT(w[1].fare, 1936);
		CHECK_STR(fmt(t, &w[1]), "17525;Grenoble;Valence;16:55;17:55;"
		    "60;17.60;SUPPL;19.36;;fastest");
		CHECK_STR(fmt(t, &w[3]), "17528;Grenoble;Valence;18:30;19:45;"
		    "75;17.60;REDUC;14.08;;cheapest");
	}
	/* The bounds are inclusive. */
	CHECK_INT(tt_window(t, gre, val, hhmm(16, 30), hhmm(18, 30), w, 16), 4);
	CHECK_INT(tt_window(t, gre, val, hhmm(16, 31), hhmm(18, 29), w, 16), 2);
	/* At most max, tags among those written. */
	n = tt_window(t, gre, val, hhmm(16, 0), hhmm(19, 0), w, 1);
	CHECK_INT(n, 1);
	CHECK_INT(w[0].tags, TT_TAG_CHEAPEST | TT_TAG_FASTEST);
	CHECK_STR(fmt(t, &w[0]), "17524;Grenoble;Valence;16:30;17:45;75;"
	    "17.60;;17.60;;cheapest|fastest");

	/* Valence -> Grenoble next after 23:00: 17564 tomorrow. */
	CHECK(tt_next(t, val, gre, hhmm(23, 0), &r) == 1);
	CHECK_STR(fmt(t, &r), "17564;Valence;Grenoble;06:15+1;07:31+1;76;"
	    "17.60;REDUC;14.08;;");
	/* The exact time returns that train. */
	CHECK(tt_next(t, val, gre, hhmm(6, 45), &r) == 1);
	CHECK_STR(number(t, &r), "17566");
	CHECK_INT(r.dep_min, hhmm(6, 45));
	CHECK(tt_next(t, val, gre, hhmm(6, 46), &r) == 1);
	CHECK_STR(number(t, &r), "17568");

	/* Grenoble -> Valence 16:45-17:45: only 17525 and 17526. */
	n = tt_window(t, gre, val, hhmm(16, 45), hhmm(17, 45), w, 16);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(number(t, &w[0]), "17525");
		CHECK_STR(number(t, &w[1]), "17526");
	}

	/* No train between them. */
	CHECK(tt_next(t, gre, st(t, "Montelimar"), 0, &r) == 0);
	CHECK(tt_best(t, gre, st(t, "Montelimar"), TT_BY_PRICE, &r) == 0);
	CHECK_INT(tt_window(t, gre, st(t, "Montelimar"), 0, 1439, w, 16), 0);
	CHECK(tt_next(t, gre, val, 1440, &r) == 0);	/* bad time */
	CHECK(tt_next(t, gre, 99, 0, &r) == 0);	/* bad station */
}

static void
test_all(void)
{
	struct tt		*t = sncf;
	struct tt_result	 a[32], b[32];
	size_t			 n, i, k;

	CHECK_INT(tt_ntrains(t), 21);
	CHECK_INT(tt_nlegs(t), 21);
	CHECK_INT(tt_nstations(t), 4);
	n = tt_all(t, 0, 32, a);
	CHECK_INT(n, 21);
	CHECK_STR(fmt(t, &a[0]), "17564;Valence;Grenoble;06:15;07:31;76;"
	    "17.60;REDUC;14.08;;");
	CHECK_STR(number(t, &a[1]), "86174");
	CHECK_STR(number(t, &a[20]), "17528");
	for (i = 1; i < n; i++)
		CHECK(a[i - 1].dep_min <= a[i].dep_min);
	/* 9713 and 6063 both leave at 10:07: file order. */
	for (i = 0; i < n; i++)
		if (strcmp(number(t, &a[i]), "9713") == 0)
			CHECK_STR(number(t, &a[i + 1]), "6063");
	/* Paging gives the same trains, in pages. */
	for (i = 0, k = 0; i < 21; i += k) {
		k = tt_all(t, i, 5, b);
		CHECK(k == (21 - i < 5 ? 21 - i : 5));
		for (n = 0; n < k; n++)
			CHECK(a[i + n].train == b[n].train &&
			    a[i + n].dep_min == b[n].dep_min);
		if (k == 0)
			break;
	}
	CHECK_INT(tt_all(t, 21, 5, b), 0);
	CHECK_INT(tt_all(t, 1000, 5, b), 0);
	CHECK_INT(tt_all(t, 0, 0, b), 0);
}

static void
test_departures(void)
{
	struct tt		*t = sncf;
	struct tt_result	 d[32];
	uint32_t		 gre = st(t, "Grenoble"), val = st(t, "Valence");
	size_t			 n;

	/* From 18:00: 17528, then tomorrow's 17524 and 17525. */
	n = tt_departures(t, gre, hhmm(18, 0), 3, d);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(fmt(t, &d[0]), "17528;Grenoble;Valence;18:30;19:45;"
		    "75;17.60;REDUC;14.08;;");
		CHECK_STR(fmt(t, &d[1]), "17524;Grenoble;Valence;16:30+1;"
		    "17:45+1;75;17.60;;17.60;;");
		CHECK_STR(number(t, &d[2]), "17525");
		CHECK_INT(d[2].dep_min, 1440 + hhmm(16, 55));
	}
	/* Never more than the station's departures. */
	CHECK_INT(tt_departures(t, gre, hhmm(18, 0), 10, d), 4);
	CHECK_INT(tt_departures(t, gre, 0, 0, d), 0);
	n = tt_departures(t, val, hhmm(12, 0), 32, d);
	CHECK_INT(n, 9);
	if (n == 9) {
		CHECK_STR(number(t, &d[0]), "86181");
		CHECK_STR(number(t, &d[4]), "86187");
		CHECK_STR(number(t, &d[5]), "6208");
		CHECK_STR(number(t, &d[6]), "17564");
		CHECK_INT(d[6].dep_min, 1440 + hhmm(6, 15));
	}
}

/* A train of several legs, from its ends and from the middle. */
static void
test_multi_leg(void)
{
	struct tt		*t;
	struct tt_result	 r, d[8];
	uint32_t		 par, lyo, val, mar;
	size_t			 n;

	t = LOAD("TGV1;Paris;Lyon;7:00;9:00;50.00;REDUC\n"
	    "TGV1;Lyon;Valence;9:10;10:10;20.00;\n"
	    "TGV1;Valence;Marseille;10:20;11:30;30.00;SUPPL\n"
	    "TER2;Lyon;Valence;9:00;10:30;;\n"
	    "TER2;Valence;Marseille;10:40;12:30;25;\n"
	    "TER3;Lyon;Valence;12:00;13:00;10;\n"
	    "TER3;Valence;Lyon;13:30;14:30;10;\n"
	    "TER3;Lyon;Valence;15:00;16:00;10;\n"
	    "TER3;Valence;Marseille;16:30;17:30;10;\n");
	if (t == NULL)
		return;
	par = st(t, "Paris");
	lyo = st(t, "Lyon");
	val = st(t, "Valence");
	mar = st(t, "Marseille");
	CHECK_INT(tt_ntrains(t), 3);
	CHECK_INT(tt_nlegs(t), 9);
	CHECK_INT(tt_train_nstops(t, 0), 4);
	CHECK_INT(tt_stop_station(t, 0, 3), mar);
	CHECK_INT(tt_leg_flag(t, 0, 2), TT_FLAG_SUPPL);
	CHECK_INT(tt_leg_flag(t, 0, 1), TT_FLAG_NONE);

	CHECK(tt_next(t, par, mar, 0, &r) == 1);
	CHECK_STR(fmt(t, &r), "TGV1;Paris;Marseille;07:00;11:30;270;100.00;"
	    "REDUC||SUPPL;93.00;Lyon|Valence;");
	CHECK(tt_next(t, lyo, mar, hhmm(9, 5), &r) == 1);
	CHECK_STR(fmt(t, &r), "TGV1;Lyon;Marseille;09:10;11:30;140;50.00;"
	    "|SUPPL;53.00;Valence;");
	CHECK(tt_next(t, lyo, val, hhmm(9, 5), &r) == 1);
	CHECK_STR(fmt(t, &r), "TGV1;Lyon;Valence;09:10;10:10;60;20.00;;"
	    "20.00;;");
	/* An unknown leg makes the whole ride's price unknown. */
	CHECK(tt_next(t, lyo, mar, hhmm(8, 0), &r) == 1);
	CHECK_STR(fmt(t, &r), "TER2;Lyon;Marseille;09:00;12:30;210;;;;"
	    "Valence;");
	CHECK(tt_next(t, val, mar, hhmm(8, 0), &r) == 1);
	CHECK_STR(fmt(t, &r), "TGV1;Valence;Marseille;10:20;11:30;70;30.00;"
	    "SUPPL;33.00;;");
	/* A train calling twice at Lyon: the shortest rides only. */
	CHECK(tt_next(t, lyo, mar, hhmm(11, 0), &r) == 1);
	CHECK_STR(fmt(t, &r), "TER3;Lyon;Marseille;15:00;17:30;150;20.00;;"
	    "20.00;Valence;");
	CHECK(tt_next(t, lyo, val, hhmm(11, 0), &r) == 1);
	CHECK_STR(fmt(t, &r), "TER3;Lyon;Valence;12:00;13:00;60;10.00;;"
	    "10.00;;");
	CHECK(tt_next(t, lyo, val, hhmm(12, 1), &r) == 1);
	CHECK_STR(number(t, &r), "TER3");
	CHECK_INT(r.dep_min, hhmm(15, 0));
	CHECK_INT(r.from_stop, 2);
	CHECK(tt_next(t, val, val, 0, &r) == 0);
	/* Best by price, Lyon -> Marseille: TER3 (20.00) beats TGV1 (53.00). */
	CHECK(tt_best(t, lyo, mar, TT_BY_PRICE, &r) == 1);
	CHECK_STR(number(t, &r), "TER3");
	CHECK(tt_best(t, lyo, mar, TT_BY_DURATION, &r) == 1);
	CHECK_STR(number(t, &r), "TGV1");
	/* Departures go to each train's last stop. */
	n = tt_departures(t, lyo, 0, 8, d);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(fmt(t, &d[0]), "TER2;Lyon;Marseille;09:00;12:30;210;"
		    ";;;Valence;");
		CHECK_STR(fmt(t, &d[1]), "TGV1;Lyon;Marseille;09:10;11:30;140;"
		    "50.00;|SUPPL;53.00;Valence;");
		CHECK_STR(fmt(t, &d[2]), "TER3;Lyon;Marseille;12:00;17:30;330;"
		    "40.00;;40.00;Valence|Lyon|Valence;");
		CHECK_INT(d[3].from_stop, 2);
	}
	/* Marseille is only arrived at: no departures. */
	CHECK_INT(tt_departures(t, mar, 0, 8, d), 0);
	tt_free(t);
}

static void
test_midnight(void)
{
	struct tt		*t;
	struct tt_result	 w[8];
	uint32_t		 a, b;
	size_t			 n;

	t = LOAD("1;A;B;21:59;23:00;10;\n2;A;B;22:30;23:30;20;\n"
	    "3;A;B;23:50;0:20;5;\n4;A;B;0:30;1:00;5;\n5;A;B;24:45;25:00;5;\n"
	    "6;A;B;1:01;1:30;1;\n");
	if (t == NULL)
		return;
	a = st(t, "A");
	b = st(t, "B");
	n = tt_window(t, a, b, hhmm(22, 0), hhmm(1, 0), w, 8);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(fmt(t, &w[0]), "2;A;B;22:30;23:30;60;20.00;;20.00;;");
		CHECK_STR(fmt(t, &w[1]), "3;A;B;23:50;00:20+1;30;5.00;;5.00;;"
		    "cheapest");
		CHECK_STR(fmt(t, &w[2]), "4;A;B;00:30+1;01:00+1;30;5.00;;5.00;;");
		CHECK_STR(fmt(t, &w[3]), "5;A;B;00:45+1;01:00+1;15;5.00;;5.00;;"
		    "fastest");
	}
	n = tt_window(t, a, b, hhmm(23, 55), hhmm(0, 30), w, 8);
	CHECK_INT(n, 1);
	n = tt_window(t, a, b, hhmm(1, 1), hhmm(1, 1), w, 8);
	CHECK_INT(n, 1);
	n = tt_window(t, a, b, hhmm(1, 2), hhmm(1, 1), w, 8);
	CHECK_INT(n, 6);
	if (n == 6) {
		CHECK_STR(number(t, &w[0]), "1");
		CHECK_INT(w[4].tags, TT_TAG_FASTEST);
		CHECK_STR(fmt(t, &w[5]), "6;A;B;01:01+1;01:30+1;29;1.00;;1.00;;"
		    "cheapest");
	}
	tt_free(t);
}

static void
test_format(void)
{
	struct tt_result	r;
	char			buf[16];
	size_t			n, full;

	CHECK(tt_next(sncf, st(sncf, "Valence"), st(sncf, "Grenoble"), 0,
	    &r) == 1);
	full = strlen(fmt(sncf, &r));
	/* Like snprintf: the length it needs, nothing written past cap. */
	memset(buf, '#', sizeof(buf));
	n = tt_format(sncf, &r, buf, 10);
	CHECK_INT(n, full);
	CHECK_STR(buf, "17564;Val");
	CHECK(buf[10] == '#');
	CHECK_INT(tt_format(sncf, &r, NULL, 0), full);
	r.train = 9999;
	CHECK_INT(tt_format(sncf, &r, buf, sizeof(buf)), 0);
}

void
suite_query(void)
{
	char	path[1024], *err = NULL;

	snprintf(path, sizeof(path), "%s/sncf.txt", h_datadir);
	sncf = tt_load(path, &err, NULL);
	h_check(sncf != NULL, __FILE__, __LINE__, "cannot load %s: %s", path,
	    err ? err : "");
	free(err);
	if (sncf == NULL)
		return;
	test_seed_examples();
	test_all();
	test_departures();
	test_multi_leg();
	test_midnight();
	test_format();
	tt_free(sncf);
}
