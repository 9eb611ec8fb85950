/*
 * test_journey.c — JOURNEY and the !change directive.
 *
 * Worked examples by hand first (a Pareto set of three, the latest
 * departure among equals, change times, midnight), then the exactness
 * check the issue asks for: random timetables written as text, loaded,
 * and for thousands of random questions the engine's Pareto set of
 * (departure, arrival, changes) compared with a brute force that tries
 * every sequence of rides, each engine journey checked leg by leg against
 * the model (real stops of real runs, change times kept, boarded within
 * the 24-hour horizon).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "worker/engine.h"

void	suite_journey(void);

#define DAY		1440
#define MST		8	/* stations */
#define MTR		16	/* trains */
#define MSTOPS		6
#define RUNS_LO		(-3)	/* service days a run may start on */
#define RUNS_HI		2
#define QUERIES		6000

/* Directives. */

static void
check_load_error(const char *text, const char *want, int line)
{
	char		*err = NULL;
	unsigned	 n = 0;
	struct tt	*t;

	t = tt_load_mem("t.txt", text, strlen(text), &err, &n);
	h_check(t == NULL && err != NULL && strstr(err, want) != NULL,
	    __FILE__, line, "errors\n%s    do not contain \"%s\"",
	    err ? err : "(none)\n", want);
	tt_free(t);
	free(err);
}
#define ERR(text, want)	check_load_error((text), (want), __LINE__)

static void
test_directives(void)
{
	struct tt	*t;

	t = LOAD("!change;5\n! CHANGE ; 7 ; lyon part dieu\n"
	    "1;Lyon Part-Dieu;Valence;10:00;11:00;;\n"
	    "1;Valence;Avignon;11:05;12:00;;\n");
	if (t != NULL) {
		CHECK_INT(tt_change_time(t, (uint32_t)tt_station_find(t,
		    "Lyon Part-Dieu", 14)), 7);
		CHECK_INT(tt_change_time(t, (uint32_t)tt_station_find(t,
		    "Valence", 7)), 5);
		CHECK_INT(tt_nconns(t), 2);
		tt_free(t);
	}
	t = LOAD("1;A;B;10:00;11:00;;\n");
	if (t != NULL) {
		CHECK_INT(tt_change_time(t, 0), 2);	/* the default */
		tt_free(t);
	}
	ERR("!change;0\n1;A;B;10:00;11:00;;\n",
	    "t.txt:1: bad change time \"0\" (want whole minutes, 1 to 1440)");
	ERR("!change;1441\n1;A;B;10:00;11:00;;\n", "t.txt:1: bad change time");
	ERR("!change;x;A\n1;A;B;10:00;11:00;;\n", "t.txt:1: bad change time");
	ERR("!change\n1;A;B;10:00;11:00;;\n",
	    "t.txt:1: wrong field count in !change: 1");
	ERR("!change;2;A;B\n1;A;B;10:00;11:00;;\n",
	    "t.txt:1: wrong field count in !change: more than 3");
	ERR("!change;2\n!change;3\n1;A;B;10:00;11:00;;\n",
	    "t.txt:2: default change time already set at line 1");
	ERR("1;A;B;10:00;11:00;;\n!change;2;a\n!change;3;A\n",
	    "t.txt:3: change time for A already set at line 2");
	ERR("1;A;B;10:00;11:00;;\n!change;2;Lyon\n",
	    "t.txt:2: change time for \"Lyon\": no train calls at that station");
	ERR("1;A;B;10:00;11:00;;\n!change;2;\n",
	    "t.txt:2: empty change-time station");
	ERR("!pause;3\n1;A;B;10:00;11:00;;\n",
	    "t.txt:1: unknown directive \"!pause\"");
}

/* Worked examples. */

static uint32_t
st(const struct tt *t, const char *name)
{
	return (uint32_t)tt_station_find(t, name, strlen(name));
}

/* "09:03 2 changes" etc.: a journey's summary, for comparisons. */
static const char *
summary(const struct tt_journey *j, char *buf, size_t cap)
{
	snprintf(buf, cap, "%02d:%02d+%d %02d:%02d+%d %u", j->dep_min % DAY / 60,
	    j->dep_min % 60, j->dep_min / DAY, j->arr_min % DAY / 60,
	    j->arr_min % 60, j->arr_min / DAY, j->changes);
	return buf;
}

static const char *
leg(const struct tt *t, const struct tt_journey *j, unsigned i, char *buf,
    size_t cap)
{
	tt_format(t, &j->legs[i], buf, cap);
	return buf;
}

static void
test_examples(void)
{
	struct tt		*t;
	struct tt_jws		*ws;
	struct tt_journey	 j[TT_LEGS_MAX];
	char			 b[512];
	size_t			 n;

	/*
	 * A to D: 10:05 direct (D1); 09:20 with one change at B (X then Y:
	 * Y0 leaves B at 08:50, within the 5 minutes of the change); 09:03
	 * with two, at E and C, either P, Q, R or P2, Q2, R: the latter
	 * leaves A later, so it wins (R0 is missed: 10 minutes at C).
	 */
	t = LOAD("!change;5\n!change;10;C\n"
	    "D1;A;D;08:00;10:05;12.00;\n"
	    "X;A;B;08:10;08:46;4.00;\n"
	    "Y0;B;D;08:50;09:10;3.00;\n"
	    "Y;B;D;08:55;09:20;3.00;REDUC\n"
	    "P;A;E;08:00;08:20;;\n"
	    "P2;A;E;08:03;08:21;;\n"
	    "Q;E;C;08:25;08:40;;\n"
	    "Q2;E;C;08:26;08:40;;\n"
	    "R;C;D;08:50;09:03;;\n"
	    "R0;C;D;08:49;09:01;;\n");
	if (t == NULL)
		return;
	ws = tt_jws_new(t);
	CHECK(ws != NULL);
	n = tt_journey(t, ws, st(t, "A"), st(t, "D"), 7 * 60 + 30, 4, j);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(summary(&j[0], b, sizeof(b)), "08:03+0 09:03+0 2");
		CHECK_STR(leg(t, &j[0], 0, b, sizeof(b)),
		    "P2;A;E;08:03;08:21;18;;;;;");
		CHECK_STR(leg(t, &j[0], 1, b, sizeof(b)),
		    "Q2;E;C;08:26;08:40;14;;;;;");
		CHECK_STR(leg(t, &j[0], 2, b, sizeof(b)),
		    "R;C;D;08:50;09:03;13;;;;;");
		CHECK_STR(summary(&j[1], b, sizeof(b)), "08:10+0 09:20+0 1");
		CHECK_STR(leg(t, &j[1], 1, b, sizeof(b)),
		    "Y;B;D;08:55;09:20;25;3.00;REDUC;2.40;;");
		CHECK_STR(summary(&j[2], b, sizeof(b)), "08:00+0 10:05+0 0");
	}
	/* At most one change: the two-change journey is left out. */
	CHECK_INT(tt_journey(t, ws, st(t, "A"), st(t, "D"), 450, 1, j), 2);
	CHECK_INT(tt_journey(t, ws, st(t, "A"), st(t, "D"), 450, 0, j), 1);
	/* Earliest arrival alone. */
	CHECK_INT(tt_journey_earliest(t, ws, st(t, "A"), st(t, "D"), 450, 4),
	    9 * 60 + 3);
	CHECK_INT(tt_journey(t, ws, st(t, "A"), st(t, "A"), 450, 4, j), 0);
	/* After 08:10, tomorrow's trains: everything is +1. */
	n = tt_journey(t, ws, st(t, "A"), st(t, "D"), 8 * 60 + 11, 4, j);
	CHECK_INT(n, 3);
	if (n == 3)
		CHECK_STR(summary(&j[0], b, sizeof(b)), "08:03+1 09:03+1 2");
	tt_free(t);
	tt_jws_free(ws);

	/*
	 * Staying on a train is no change (train 1 through B); no change time
	 * at the origin (board at 09:00 asked at 09:00); midnight: a night
	 * train then tomorrow's first train, its leg shown +1.
	 */
	t = LOAD("1;A;B;09:00;09:30;;\n1;B;C;09:31;10:00;;\n"
	    "2;C;N;23:00;23:50;;\n3;N;M;00:10;00:40;;\n");
	if (t == NULL)
		return;
	ws = tt_jws_new(t);
	n = tt_journey(t, ws, st(t, "A"), st(t, "C"), 9 * 60, 4, j);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(summary(&j[0], b, sizeof(b)), "09:00+0 10:00+0 0");
		CHECK_STR(leg(t, &j[0], 0, b, sizeof(b)),
		    "1;A;C;09:00;10:00;60;;;;B;");
	}
	n = tt_journey(t, ws, st(t, "A"), st(t, "M"), 9 * 60, 4, j);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(summary(&j[0], b, sizeof(b)), "09:00+0 00:40+1 2");
		CHECK_STR(leg(t, &j[0], 2, b, sizeof(b)),
		    "3;N;M;00:10+1;00:40+1;30;;;;;");
	}
	/* Asked at 23:55: A's 09:00 tomorrow, then the next night. */
	n = tt_journey(t, ws, st(t, "A"), st(t, "M"), 23 * 60 + 55, 4, j);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(summary(&j[0], b, sizeof(b)), "09:00+1 00:40+2 2");
	n = tt_journey(t, ws, st(t, "C"), st(t, "N"), 23 * 60 + 55, 4, j);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(summary(&j[0], b, sizeof(b)), "23:00+1 23:50+1 0");
	n = tt_journey(t, ws, st(t, "N"), st(t, "M"), 23 * 60 + 55, 4, j);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(summary(&j[0], b, sizeof(b)), "00:10+1 00:40+1 0");
	CHECK_INT(tt_journey(t, ws, st(t, "M"), st(t, "A"), 600, 4, j), 0);
	tt_free(t);
	tt_jws_free(ws);

	/* A change of 2 minutes needs 2 minutes: 10:02 is caught, not 10:01. */
	t = LOAD("1;A;B;09:00;10:00;;\n2;B;C;10:01;10:30;;\n"
	    "3;B;C;10:02;10:40;;\n");
	if (t == NULL)
		return;
	ws = tt_jws_new(t);
	n = tt_journey(t, ws, st(t, "A"), st(t, "C"), 540, 4, j);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(summary(&j[0], b, sizeof(b)), "09:00+0 10:40+0 1");
	tt_free(t);
	tt_jws_free(ws);
}

/* The random model. */

struct mtrain {
	int	nstops;
	int	st[MSTOPS];
	int	arr[MSTOPS];	/* service minutes; arr[0] = dep[0] */
	int	dep[MSTOPS];
};

struct model {
	int		 nst, ntr;
	int		 ct[MST];	/* change time, minutes */
	int		 own[MST];	/* a !change of its own */
	int		 defct;		/* !change default, -1 none */
	struct mtrain	 tr[MTR];
	uint32_t	 idx[MST];	/* station ids in the tt */
};

/* A found Pareto point. */
struct point {
	int	dep, arr, legs;
};

struct bf {
	const struct model	*m;
	int			 t0, to, k;
	int			 minarr[TT_LEGS_MAX + 1];	/* exactly L */
	int			 maxdep[TT_LEGS_MAX + 1];
};

static unsigned long long rs;

static unsigned
rnd(unsigned n)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? (unsigned)(rs >> 33) % n : 0;
}

static void
gen_model(struct model *m)
{
	struct mtrain	*t;
	int		 i, k, v;

	m->nst = 3 + (int)rnd(MST - 2);
	m->ntr = 4 + (int)rnd(MTR - 3);
	m->defct = rnd(2) ? 1 + (int)rnd(8) : -1;
	for (i = 0; i < m->nst; i++) {
		m->own[i] = rnd(2);
		m->ct[i] = m->own[i] ? 1 + (int)rnd(rnd(3) ? 6 : 60) :
		    m->defct > 0 ? m->defct : 2;
	}
	for (i = 0; i < m->ntr; i++) {
		t = &m->tr[i];
		t->nstops = 2 + (int)rnd(MSTOPS - 1);
		t->st[0] = (int)rnd((unsigned)m->nst);
		t->dep[0] = t->arr[0] = (int)rnd(2 * DAY);
		for (k = 1; k < t->nstops; k++) {
			do
				t->st[k] = (int)rnd((unsigned)m->nst);
			while (t->st[k] == t->st[k - 1]);
			v = rnd(12) == 0 ? (int)rnd(DAY) : (int)rnd(180);
			t->arr[k] = t->dep[k - 1] + v;
			t->dep[k] = t->arr[k] + (rnd(4) ? (int)rnd(15) : 0);
		}
		t->dep[t->nstops - 1] = t->arr[t->nstops - 1];
		if (t->arr[t->nstops - 1] > 3 * DAY)
			i--;	/* too long: again */
	}
}

/* A service minute as the file writes it: as is below 48:00. */
static int
put_time(char *buf, size_t cap, int v, int prev)
{
	(void)prev;
	if (v >= 2 * DAY)
		v %= DAY;
	return snprintf(buf, cap, "%d:%02d", v / 60, v % 60);
}

static char *
model_text(const struct model *m)
{
	size_t	 cap = 65536, len = 0;
	char	*s, a[16], b[16];
	int	 i, k;

	if ((s = malloc(cap)) == NULL)
		abort();
	if (m->defct > 0)
		len += (size_t)snprintf(s + len, cap - len, "!change;%d\n",
		    m->defct);
	for (i = 0; i < m->nst; i++)
		if (m->own[i])
			len += (size_t)snprintf(s + len, cap - len,
			    "!change;%d;S%d\n", m->ct[i], i);
	for (i = 0; i < m->ntr; i++) {
		const struct mtrain *t = &m->tr[i];

		for (k = 0; k + 1 < t->nstops; k++) {
			put_time(a, sizeof(a), t->dep[k], 0);
			put_time(b, sizeof(b), t->arr[k + 1], 0);
			len += (size_t)snprintf(s + len, cap - len,
			    "T%d;S%d;S%d;%s;%s;;\n", i, t->st[k], t->st[k + 1],
			    a, b);
		}
	}
	return s;
}

/* Every station must be named in some leg for its !change to load. */
static int
all_stations_used(const struct model *m)
{
	int	used[MST] = { 0 }, i, k;

	for (i = 0; i < m->ntr; i++)
		for (k = 0; k < m->tr[i].nstops; k++)
			used[m->tr[i].st[k]] = 1;
	for (i = 0; i < m->nst; i++)
		if (!used[i])
			return 0;
	return 1;
}

static void
bf_record(struct bf *b, int legs, int arr, int dep)
{
	if (arr < b->minarr[legs] ||
	    (arr == b->minarr[legs] && dep > b->maxdep[legs])) {
		b->minarr[legs] = arr;
		b->maxdep[legs] = dep;
	}
}

/* Every ride from station s, ready at `ready`, having ridden `legs`. */
static void
bf_search(struct bf *b, int s, int ready, int legs, int first)
{
	const struct model	*m = b->m;
	const struct mtrain	*t;
	int			 i, d, x, y, dep, arr, f;

	for (i = 0; i < m->ntr; i++) {
		t = &m->tr[i];
		for (d = RUNS_LO; d <= RUNS_HI; d++)
			for (x = 0; x + 1 < t->nstops; x++) {
				if (t->st[x] != s)
					continue;
				dep = t->dep[x] + d * DAY;
				/* The first train within a day, others two. */
				if (dep < ready || dep < b->t0 ||
				    dep >= b->t0 + (legs == 0 ? 1 : 2) * DAY)
					continue;
				f = legs == 0 ? dep : first;
				for (y = x + 1; y < t->nstops; y++) {
					arr = t->arr[y] + d * DAY;
					if (t->st[y] == b->to) {
						bf_record(b, legs + 1, arr, f);
						break;
					}
					if (legs + 1 < b->k)
						bf_search(b, t->st[y], arr +
						    m->ct[t->st[y]], legs + 1, f);
				}
			}
	}
}

/* The Pareto points, earliest arrival first. */
static size_t
bf_points(const struct model *m, int from, int to, int t0, int k,
    struct point *pts)
{
	struct bf	b;
	int		l, le = 1 << 30;
	size_t		n = 0, i;
	struct point	tmp;

	b.m = m;
	b.t0 = t0;
	b.to = to;
	b.k = k;
	for (l = 0; l <= TT_LEGS_MAX; l++) {
		b.minarr[l] = 1 << 30;
		b.maxdep[l] = -1;
	}
	bf_search(&b, from, t0, 0, 0);
	for (l = 1; l <= k; l++)
		if (b.minarr[l] < le) {
			le = b.minarr[l];
			pts[n].arr = b.minarr[l];
			pts[n].dep = b.maxdep[l];
			pts[n++].legs = l;
		}
	for (i = 0; i < n / 2; i++) {
		tmp = pts[i];
		pts[i] = pts[n - 1 - i];
		pts[n - 1 - i] = tmp;
	}
	return n;
}

/* Is the engine's journey made of real rides, in order, in time? */
static int
journey_valid(const struct tt *t, const struct model *m,
    const struct tt_journey *j, int from, int to, int t0, char *why,
    size_t cap)
{
	const struct tt_result	*r;
	const struct mtrain	*mt;
	int			 at = from, ready = t0, i, k, d;

	if (j->nlegs == 0 || j->changes != j->nlegs - 1) {
		snprintf(why, cap, "%u legs, %u changes", j->nlegs, j->changes);
		return 0;
	}
	for (i = 0; i < (int)j->nlegs; i++) {
		r = &j->legs[i];
		mt = &m->tr[atoi(tt_train_number(t, r->train) + 1)];
		if (r->from_stop >= r->to_stop || r->to_stop >= mt->nstops) {
			snprintf(why, cap, "leg %d: stops %u..%u", i,
			    r->from_stop, r->to_stop);
			return 0;
		}
		d = r->dep_min - mt->dep[r->from_stop];
		if (d % DAY != 0 || mt->st[r->from_stop] != at ||
		    r->arr_min != mt->arr[r->to_stop] + d ||
		    r->dep_min < ready ||
		    r->dep_min >= t0 + (i == 0 ? 1 : 2) * DAY) {
			snprintf(why, cap, "leg %d: not a ride from S%d "
			    "ready at %d", i, at, ready);
			return 0;
		}
		for (k = r->from_stop + 1; k < r->to_stop; k++)
			if (mt->st[k] == to) {
				snprintf(why, cap, "leg %d rides through", i);
				return 0;
			}
		at = mt->st[r->to_stop];
		ready = r->arr_min + m->ct[at];
	}
	if (at != to || j->legs[0].dep_min != j->dep_min ||
	    j->legs[j->nlegs - 1].arr_min != j->arr_min) {
		snprintf(why, cap, "ends at S%d, or times differ", at);
		return 0;
	}
	return 1;
}

static void
test_random_model(void)
{
	struct model		 m;
	struct tt		*t;
	struct tt_jws		*ws;
	struct tt_journey	 j[TT_LEGS_MAX];
	struct point		 pts[TT_LEGS_MAX];
	char			*text, *err = NULL, why[128];
	unsigned		 nerr, q = 0, bad = 0, invalid = 0, found = 0;
	unsigned		 multi = 0, changes = 0;
	size_t			 n, np, i;
	int			 from, to, t0, k, ok;

	rs = 8;
	while (q < QUERIES) {
		gen_model(&m);
		if (!all_stations_used(&m))
			continue;
		text = model_text(&m);
		t = tt_load_mem("r.txt", text, strlen(text), &err, &nerr);
		free(text);
		if (t == NULL) {
			h_check(0, __FILE__, __LINE__, "random load: %s", err);
			free(err);
			return;
		}
		for (i = 0; i < (size_t)m.nst; i++) {
			char name[24];

			snprintf(name, sizeof(name), "S%zu", i);
			m.idx[i] = st(t, name);
		}
		ws = tt_jws_new(t);
		for (i = 0; i < 40 && q < QUERIES; i++, q++) {
			from = (int)rnd((unsigned)m.nst);
			do
				to = (int)rnd((unsigned)m.nst);
			while (to == from);
			t0 = (int)rnd(DAY);
			k = 1 + (int)rnd(rnd(4) == 0 ? 4 : 3);
			np = bf_points(&m, from, to, t0, k, pts);
			n = tt_journey(t, ws, m.idx[from], m.idx[to], t0,
			    (unsigned)k - 1, j);
			ok = n == np;
			for (size_t x = 0; ok && x < n; x++)
				ok = j[x].dep_min == pts[x].dep &&
				    j[x].arr_min == pts[x].arr &&
				    (int)j[x].nlegs == pts[x].legs;
			for (size_t x = 0; x < n; x++)
				if (!journey_valid(t, &m, &j[x], from, to,
				    t0, why, sizeof(why))) {
					if (invalid++ < 5)
						h_check(0, __FILE__, __LINE__,
						    "journey S%d->S%d at %d: "
						    "%s", from, to, t0, why);
				}
			if (!ok && bad++ < 5)
				h_check(0, __FILE__, __LINE__, "S%d->S%d at "
				    "%d, %d legs: engine %zu journeys (first "
				    "%d-%d %u legs), brute force %zu (first "
				    "%d-%d %d legs)", from, to, t0, k, n,
				    n ? j[0].dep_min : -1,
				    n ? j[0].arr_min : -1, n ? j[0].nlegs : 0,
				    np, np ? pts[0].dep : -1,
				    np ? pts[0].arr : -1, np ? pts[0].legs : 0);
			/* The earliest arrival alone agrees too. */
			CHECK_INT(tt_journey_earliest(t, ws, m.idx[from],
			    m.idx[to], t0, (unsigned)k - 1),
			    np ? pts[0].arr : -1);
			found += n > 0;
			multi += n > 1;
			if (n > 0)
				changes += j[0].changes > 0;
		}
		tt_jws_free(ws);
		tt_free(t);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(invalid, 0);
	/* The random timetables exercise what they should. */
	CHECK(found > QUERIES / 4);
	CHECK(multi > QUERIES / 50);
	CHECK(changes > QUERIES / 20);
}

/* A line of trains needing every change: 8 changes found, 9 refused. */
static void
test_chain(void)
{
	struct tt		*t;
	struct tt_jws		*ws;
	struct tt_journey	 j[TT_LEGS_MAX];
	char			 text[2048];
	size_t			 len = 0;
	int			 i;

	for (i = 0; i < 10; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "C%d;S%d;S%d;%d:00;%d:30;1.00;\n", i, i, i + 1, 8 + i,
		    8 + i);
	if ((t = LOAD(text)) == NULL)
		return;
	ws = tt_jws_new(t);
	CHECK_INT(tt_journey(t, ws, st(t, "S0"), st(t, "S9"), 0, 8, j), 1);
	CHECK_INT(j[0].changes, 8);
	CHECK_INT(j[0].arr_min, 16 * 60 + 30);
	CHECK_INT(tt_journey(t, ws, st(t, "S0"), st(t, "S10"), 0, 8, j), 0);
	CHECK_INT(tt_journey(t, ws, st(t, "S0"), st(t, "S10"), 0, 99, j), 0);
	CHECK_INT(tt_journey(t, ws, st(t, "S0"), st(t, "S9"), 0, 7, j), 0);
	tt_jws_free(ws);
	tt_free(t);
}

void
suite_journey(void)
{
	test_directives();
	test_examples();
	test_chain();
	test_random_model();
}
