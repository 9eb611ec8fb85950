/*
 * journey.c — JOURNEY: journeys with changes, by Connection Scan.
 *
 * Algorithm: the Connection Scan Algorithm (Dibbelt, Pajor, Strasser,
 * Wagner, "Intriguingly Simple and Fast Transit Routing", SEA 2013), in its
 * variant that keeps one arrival label per number of trains ridden, which
 * gives the Pareto set on (arrival, changes) in one forward scan.
 *
 * Why CSA and not RAPTOR.  The arena already holds every departure sorted
 * by clock time (for the per-station index), so the connection array CSA
 * scans is built at load in one linear pass, 16 bytes a connection, with no
 * further structure.  RAPTOR needs routes (trains sharing the same stop
 * sequence) and their stop-by-stop trip tables; a timetable written by hand
 * or generated has few trains sharing a sequence, so RAPTOR's grouping buys
 * little there and costs a second layout.  A CSA scan is a sequential read
 * of that array plus small random accesses to per-station and per-train
 * state, so its cost is bounded by memory bandwidth and predictable; the
 * benchmark compares it with one plain pass over the same array.
 *
 * The timetable is one day that repeats.  A connection at clock time c is
 * met once per day: on "pass" p of the scan it leaves at c + 1440 p minutes
 * after 00:00 of the question's day, and belongs to the run of its train
 * that started service day p - sday (sday: the day of its service day it
 * leaves on, 0..3, as 25:10 is day 1).  The first train is boarded within
 * 24 hours of the question (each departure from the origin is met once),
 * the later ones within 48 hours (so a journey leaving tomorrow morning may
 * still change); a train boarded is ridden to its end, however late (the
 * scan drains on until the last boarded run ends).
 * Changes take at least the station's minimum change time, always a minute
 * or more: so a change never depends on the order of connections leaving
 * in the same minute, and the scan needs no tie-breaking between trains.
 *
 * Forward scan (earliest arrival per number of legs k = 1..K): ea[s][k] is
 * the earliest arrival at station s having ridden at most k trains; a run
 * of a train holds the fewest legs with which it can be ridden so far.  It
 * stops at the first connection leaving at or after the latest of the
 * target's arrivals that may still improve (nothing later can improve
 * any): the one-train arrival is final before the scan starts, read from
 * the station-pair index, so a pair without a direct train does not scan
 * the whole horizon for one.
 *
 * Among journeys equal on arrival and changes, the one leaving latest wins:
 * the forward labels cannot tell (the prefix arriving first at a change is
 * not the one leaving last), so each Pareto point (arrival a, k legs) is
 * settled by a backward scan from a: ld[s][j], the latest departure from s
 * reaching the target by a with at most j legs, is final the moment it is
 * set (departures only decrease), so the scan stops at the first boarding
 * at the origin within the first day, and the journey is read back from
 * the labels.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "worker/engine.h"
#include "worker/engine_impl.h"

#define DAY		TT_MINUTES_PER_DAY
#define INF		INT32_MAX
#define NONE		INT32_MIN
#define SLOTS		6	/* runs of a train: service days -3..+2 */
#define SLOT0		3	/* slot of the run of service day 0 */
#define EROW		16	/* ea[] entries per station: one cache line */
#define LROW		(TT_LEGS_MAX + 1)
#define PASSES_MAX	6	/* boarding < 4320, runs end by 7200 */

/* A backward label: the latest departure from a station, and its ride. */
struct label {
	int32_t		dep;		/* NONE: not set */
	uint32_t	board;		/* scan position of the boarding */
	uint32_t	exit;		/* scan position of the last leg ridden */
	uint8_t		legs;		/* trains from here on */
	uint8_t		seen;		/* [0] of a row: on the touched list */
	uint16_t	pad;
};

struct tt_jws {
	uint32_t	 nst, ntr;
	int32_t		*ea;		/* nst * EROW; [0] of a row: touched */
	struct label	*ld;		/* nst * LROW */
	uint8_t		*runk;		/* ntr * SLOTS: legs, 0 not boarded */
	uint32_t	*runexit;	/* ntr * SLOTS: backward: exit position */
	uint32_t	*trun;		/* touched runs */
	uint32_t	 ntrun;
	uint32_t	*tst;		/* touched stations */
	uint32_t	 ntst;
};

/* What one query scans with. */
struct scan {
	const struct tt		*t;
	struct tt_jws		*ws;
	const struct tt_conn	*cv;
	const uint16_t		*change;
	uint32_t		 n;		/* connections */
	uint32_t		 from, to;
	int32_t			 t0;		/* the question, 0..1439 */
	int32_t			 hend1;		/* the first train before this */
	int32_t			 hend;		/* any other before this */
	unsigned		 k;		/* most legs */
	int32_t			 best[TT_LEGS_MAX + 2];	/* [1..k] */
};

struct tt_jws *
tt_jws_new(const struct tt *t)
{
	struct tt_jws	*ws;
	size_t		 nst = TT_HDR(t)->nstations, ntr = TT_HDR(t)->ntrains;
	size_t		 i;

	if ((ws = calloc(1, sizeof(*ws))) == NULL)
		return NULL;
	ws->nst = (uint32_t)nst;
	ws->ntr = (uint32_t)ntr;
	if ((ws->ea = malloc(nst * EROW * sizeof(*ws->ea))) == NULL ||
	    (ws->ld = malloc(nst * LROW * sizeof(*ws->ld))) == NULL ||
	    (ws->runk = calloc(ntr * SLOTS, 1)) == NULL ||
	    (ws->runexit = malloc(ntr * SLOTS * sizeof(uint32_t))) == NULL ||
	    (ws->trun = malloc(ntr * SLOTS * sizeof(uint32_t))) == NULL ||
	    (ws->tst = malloc(nst * sizeof(uint32_t) + 1)) == NULL) {
		tt_jws_free(ws);
		return NULL;
	}
	for (i = 0; i < nst * EROW; i++)
		ws->ea[i] = i % EROW == 0 ? 0 : INF;
	for (i = 0; i < nst * LROW; i++) {
		memset(&ws->ld[i], 0, sizeof(ws->ld[i]));
		ws->ld[i].dep = NONE;
	}
	return ws;
}

void
tt_jws_free(struct tt_jws *ws)
{
	if (ws == NULL)
		return;
	free(ws->ea);
	free(ws->ld);
	free(ws->runk);
	free(ws->runexit);
	free(ws->trun);
	free(ws->tst);
	free(ws);
}

int
tt_jws_fits(const struct tt_jws *ws, const struct tt *t)
{
	return ws != NULL && ws->nst == TT_HDR(t)->nstations &&
	    ws->ntr == TT_HDR(t)->ntrains;
}

unsigned
tt_change_time(const struct tt *t, uint32_t station)
{
	if (station >= TT_HDR(t)->nstations)
		return 0;
	return TT_CHANGE(t)[station];
}

uint32_t
tt_nconns(const struct tt *t)
{
	return TT_HDR(t)->nlegs;
}

/* Put every label and run touched back to its empty state. */
static void
ws_reset(struct tt_jws *ws)
{
	uint32_t	i, j, s;

	for (i = 0; i < ws->ntrun; i++)
		ws->runk[ws->trun[i]] = 0;
	ws->ntrun = 0;
	for (i = 0; i < ws->ntst; i++) {
		s = ws->tst[i];
		if (ws->ea[(size_t)s * EROW] != 0) {
			ws->ea[(size_t)s * EROW] = 0;
			for (j = 1; j < EROW; j++)
				ws->ea[(size_t)s * EROW + j] = INF;
		}
		if (ws->ld[(size_t)s * LROW].seen) {
			ws->ld[(size_t)s * LROW].seen = 0;
			for (j = 1; j < LROW; j++)
				ws->ld[(size_t)s * LROW + j].dep = NONE;
		}
	}
	ws->ntst = 0;
}

static void
scan_init(struct scan *sc, const struct tt *t, struct tt_jws *ws,
    uint32_t from, uint32_t to, int t0, unsigned max_changes)
{
	unsigned	i;

	sc->t = t;
	sc->ws = ws;
	sc->cv = TT_CONNS(t);
	sc->change = TT_CHANGE(t);
	sc->n = TT_HDR(t)->nlegs;
	sc->from = from;
	sc->to = to;
	sc->t0 = t0;
	sc->hend1 = t0 + DAY;
	sc->hend = t0 + 2 * DAY;
	if (max_changes > TT_CHANGES_MAX)
		max_changes = TT_CHANGES_MAX;
	sc->k = max_changes + 1;
	for (i = 0; i < TT_LEGS_MAX + 2; i++)
		sc->best[i] = INF;
}

/* The run slot of connection c met on pass p, or -1 if no run can be on. */
static int64_t
run_slot(const struct tt_conn *c, int pass)
{
	int	d = pass - (int)TT_CONN_SDAY(c);

	if (d < -SLOT0 || d > SLOTS - 1 - SLOT0)
		return -1;
	return (int64_t)c->train * SLOTS + (d + SLOT0);
}

/* Arrive at the target at a with m legs: at most m legs, or more. */
static void
best_improve(struct scan *sc, unsigned m, int32_t a)
{
	for (; m <= sc->k && sc->best[m] > a; m++)
		sc->best[m] = a;
}

/*
 * One train from the origin, from the station-pair index: the earliest
 * arrival of a train boarded within the horizon.  The forward scan finds
 * the same, but knowing it first lets the scan stop.
 */
static void
seed_direct(struct scan *sc)
{
	struct tt_slice		 sl;
	const struct tt_pair	*p;
	const struct tt_stop	*st;
	int32_t			 d, a, best = INF;
	uint32_t		 i;

	if (!engine_slice(sc->t, sc->from, sc->to, &sl))
		return;
	p = &TT_PAIRS(sc->t)[sl.first];
	for (i = 0; i < sl.count; i++) {
		st = &TT_STOPS(sc->t)[p[i].stop];
		d = p[i].dep % DAY;
		if (d < sc->t0)
			d += DAY;
		a = d + st[p[i].to_stop - p[i].from_stop].arr - st->dep;
		if (a < best)
			best = a;
	}
	best_improve(sc, 1, best);
}

/* Where a run of train tr (by rank) of service day d ends. */
static int32_t
run_end(const struct tt *t, uint32_t tr, int d)
{
	const struct tt_train	*x = &TT_TRAINS(t)[TT_ALL(t)[tr]];

	return TT_STOPS(t)[x->first_stop + x->nstops - 1u].arr + d * DAY;
}

/*
 * When the last run boarded ends: once boarding is over, the scan goes on
 * only that far.  Looked up then, for the runs boarded (on the touched
 * list), rather than at each boarding: a boarding is frequent, and a
 * train's end is three reads at random places in the arena.
 */
static int32_t
drain_end(const struct scan *sc)
{
	const struct tt_jws	*ws = sc->ws;
	uint32_t		 i, slot;
	int32_t			 end = sc->hend, e;

	for (i = 0; i < ws->ntrun; i++) {
		slot = ws->trun[i];
		e = run_end(sc->t, slot / SLOTS, (int)(slot % SLOTS) - SLOT0);
		if (e > end)
			end = e;
	}
	return end;
}

/*
 * The scan may stop at a departure no earlier than this: every arrival
 * that could still improve is at least as early.  One train's is final
 * from the start (seed_direct); ea_only wants the earliest arrival alone.
 */
static int32_t
stop_at(const struct scan *sc, int ea_only)
{
	if (ea_only || sc->k == 1)
		return sc->best[sc->k];
	return sc->best[2];
}

static void
touch_station(struct tt_jws *ws, uint32_t s)
{
	ws->tst[ws->ntst++] = s;
}

/*
 * The forward scan.  ea_only: stop at the first connection that cannot
 * improve the earliest arrival (any number of legs up to k), rather than
 * at the first that can improve none of best[1..k].
 */
static void
forward(struct scan *sc, int ea_only)
{
	struct tt_jws		*ws = sc->ws;
	const struct tt_conn	*c;
	const uint32_t		*cstart = TT_CSTART(sc->t);
	int32_t			*row, drain = -1, dep, arr, stop;
	uint32_t		 i = cstart[sc->t0], u, v;
	unsigned		 m, j, k = sc->k;
	int64_t			 slot;
	int			 pass = 0;

	stop = stop_at(sc, ea_only);
	for (;;) {
		if (i == sc->n) {
			i = 0;
			if (++pass >= PASSES_MAX)
				break;
			continue;
		}
		c = &sc->cv[i++];
		dep = TT_CONN_CLOCK(c) + pass * DAY;
		if (dep >= stop)
			break;
		if (dep >= sc->hend) {
			/* No more boarding: ride on until the last run ends. */
			if (drain < 0)
				drain = drain_end(sc);
			if (dep >= drain)
				break;
		}
		if ((slot = run_slot(c, pass)) < 0)
			continue;
		m = ws->runk[slot];
		/* Board here with fewer legs than the run is held with? */
		if (dep < sc->hend && m != 1) {
			u = c->from;
			if (u == sc->from && dep < sc->hend1)
				j = 1;		/* no change time at the origin */
			else {
				row = &ws->ea[(size_t)u * EROW];
				j = m ? m - 1 : k;
				if (j < 2 || row[j - 1] > dep - sc->change[u])
					j = 0;	/* not even with the most legs */
				else {
					while (j > 2 && row[j - 2] <=
					    dep - sc->change[u])
						j--;
				}
			}
			if (j != 0) {
				if (m == 0)
					ws->trun[ws->ntrun++] = (uint32_t)slot;
				ws->runk[slot] = (uint8_t)j;
				m = j;
			}
		}
		if (m == 0 || dep >= sc->best[m])
			continue;
		arr = dep + c->dur;
		v = c->to;
		if (v == sc->to) {
			if (arr < sc->best[m]) {
				best_improve(sc, m, arr);
				stop = stop_at(sc, ea_only);
			}
			continue;
		}
		if (m >= k || arr >= sc->best[m + 1])
			continue;	/* no use changing there */
		row = &ws->ea[(size_t)v * EROW];
		if (row[m] <= arr)
			continue;
		if (row[0] == 0) {
			row[0] = 1;
			touch_station(ws, v);
		}
		for (j = m; j < k && row[j] > arr; j++)
			row[j] = arr;
	}
}

/* Scan position g: pass and index. */
static void
pos_split(const struct scan *sc, uint32_t g, int *pass, uint32_t *i)
{
	*pass = (int)(g / sc->n);
	*i = g % sc->n;
}

/*
 * The backward scan for the Pareto point (arrival a, k legs): the latest
 * departure from the origin reaching the target by a with at most k legs.
 * Fills the origin's label and returns 1, or 0 (never, when the forward
 * scan found a).
 */
static int
backward(struct scan *sc, int32_t a, unsigned k, struct label *orig)
{
	struct tt_jws		*ws = sc->ws;
	const struct tt_conn	*c;
	const uint32_t		*cstart = TT_CSTART(sc->t);
	struct label		*row;
	int32_t			 dep, arr, need;
	uint32_t		 i, u, v, g;
	unsigned		 m, cand, j;
	int64_t			 slot;
	int			 pass;

	pass = a / DAY;
	i = cstart[a % DAY + 1];	/* connections leaving by a */
	if (pass >= PASSES_MAX) {
		pass = PASSES_MAX - 1;
		i = sc->n;
	}
	for (;;) {
		if (i == 0) {
			if (--pass < 0)
				break;
			i = sc->n;
			continue;
		}
		c = &sc->cv[--i];
		dep = TT_CONN_CLOCK(c) + pass * DAY;
		if (dep < sc->t0)
			break;
		if ((slot = run_slot(c, pass)) < 0)
			continue;
		g = (uint32_t)pass * sc->n + i;
		arr = dep + c->dur;
		v = c->to;
		cand = 0;
		if (v == sc->to) {
			if (arr <= a)
				cand = 1;
		} else if (k >= 2) {
			row = &ws->ld[(size_t)v * LROW];
			need = arr + sc->change[v];
			if (row[k - 1].dep >= need) {
				for (j = k - 1; j > 1 && row[j - 1].dep >= need;
				    j--)
					;
				cand = j + 1;
			}
		}
		m = ws->runk[slot];
		/* Equal legs: the earlier exit (never ride through the target). */
		if (cand != 0 && (m == 0 || cand <= m)) {
			if (m == 0)
				ws->trun[ws->ntrun++] = (uint32_t)slot;
			ws->runk[slot] = (uint8_t)cand;
			ws->runexit[slot] = g;
			m = cand;
		}
		if (m == 0 || dep >= sc->hend || (u = c->from) == sc->to)
			continue;
		if (u == sc->from && dep < sc->hend1) {
			/* The latest departure from the origin: done. */
			orig->dep = dep;
			orig->board = g;
			orig->exit = ws->runexit[slot];
			orig->legs = (uint8_t)m;
			return 1;
		}
		row = &ws->ld[(size_t)u * LROW];
		if (row[m].dep != NONE)
			continue;	/* as late or later already */
		if (!row[0].seen) {
			row[0].seen = 1;
			touch_station(ws, u);
		}
		for (j = m; j <= k && row[j].dep == NONE; j++) {
			row[j].dep = dep;
			row[j].board = g;
			row[j].exit = ws->runexit[slot];
			row[j].legs = (uint8_t)m;
		}
	}
	return 0;
}

/* The stop of train tr (by rank) leaving station s at minute sdep. */
static unsigned
stop_of(const struct tt *t, uint32_t tr, uint32_t s, uint32_t to,
    int32_t sdep)
{
	const struct tt_train	*x = &TT_TRAINS(t)[TT_ALL(t)[tr]];
	const struct tt_stop	*sp = &TT_STOPS(t)[x->first_stop];
	unsigned		 i;

	for (i = 0; i + 1u < x->nstops; i++)
		if (sp[i].station == s && sp[i].dep == sdep &&
		    sp[i + 1].station == to)
			return i;
	return 0;	/* not reached: every connection is a leg */
}

/* A leg from scan positions: boarding at g0, last connection at g1. */
static void
leg_result(const struct scan *sc, uint32_t g0, uint32_t g1,
    struct tt_result *r)
{
	const struct tt_conn	*c0, *c1;
	uint32_t		 i0, i1;
	int			 p0, p1;
	unsigned		 fs, ts;

	pos_split(sc, g0, &p0, &i0);
	pos_split(sc, g1, &p1, &i1);
	c0 = &sc->cv[i0];
	c1 = &sc->cv[i1];
	fs = stop_of(sc->t, c0->train, c0->from, c0->to,
	    (int32_t)(TT_CONN_CLOCK(c0) + TT_CONN_SDAY(c0) * DAY));
	ts = stop_of(sc->t, c1->train, c1->from, c1->to,
	    (int32_t)(TT_CONN_CLOCK(c1) + TT_CONN_SDAY(c1) * DAY)) + 1u;
	engine_result(sc->t, TT_ALL(sc->t)[c0->train], fs, ts,
	    (int32_t)TT_CONN_CLOCK(c0) + p0 * DAY, r);
}

/* Read the journey back from the origin's label. */
static void
read_back(const struct scan *sc, const struct label *l, int32_t a,
    struct tt_journey *j)
{
	const struct tt_conn	*c;
	const struct label	*row;
	uint32_t		 i, v;
	int			 p;
	unsigned		 legs;

	j->nlegs = 0;
	j->dep_min = l->dep;
	j->arr_min = a;
	for (;;) {
		leg_result(sc, l->board, l->exit, &j->legs[j->nlegs++]);
		pos_split(sc, l->exit, &p, &i);
		c = &sc->cv[i];
		v = c->to;
		legs = l->legs;
		if (v == sc->to || legs < 2 || j->nlegs >= TT_LEGS_MAX)
			break;
		row = &sc->ws->ld[(size_t)v * LROW];
		l = &row[legs - 1];
		if (l->dep == NONE)
			break;		/* not reached: labels are final */
	}
	j->changes = j->nlegs - 1;
}

static int
query_ok(const struct tt *t, uint32_t from, uint32_t to, int t0)
{
	return from < TT_HDR(t)->nstations && to < TT_HDR(t)->nstations &&
	    from != to && t0 >= 0 && t0 < DAY && TT_HDR(t)->nlegs > 0;
}

size_t
tt_journey(const struct tt *t, struct tt_jws *ws, uint32_t from, uint32_t to,
    int t0, unsigned max_changes, struct tt_journey *out)
{
	struct scan		 sc;
	struct label		 l;
	int32_t			 pts[TT_LEGS_MAX + 1], prev = INF;
	unsigned		 npts = 0, m, legs[TT_LEGS_MAX + 1];
	size_t			 n = 0;

	if (!query_ok(t, from, to, t0) || !tt_jws_fits(ws, t))
		return 0;
	scan_init(&sc, t, ws, from, to, t0, max_changes);
	seed_direct(&sc);
	forward(&sc, 0);
	ws_reset(ws);
	for (m = 1; m <= sc.k; m++)
		if (sc.best[m] < prev) {
			prev = sc.best[m];
			pts[npts] = prev;
			legs[npts++] = m;
		}
	/* Earliest arrival first: the most legs first. */
	while (npts > 0) {
		npts--;
		if (backward(&sc, pts[npts], legs[npts], &l))
			read_back(&sc, &l, pts[npts], &out[n++]);
		ws_reset(ws);
	}
	return n;
}

int32_t
tt_journey_earliest(const struct tt *t, struct tt_jws *ws, uint32_t from,
    uint32_t to, int t0, unsigned max_changes)
{
	struct scan	sc;

	if (!query_ok(t, from, to, t0) || !tt_jws_fits(ws, t))
		return -1;
	scan_init(&sc, t, ws, from, to, t0, max_changes);
	forward(&sc, 1);
	ws_reset(ws);
	return sc.best[sc.k] == INF ? -1 : sc.best[sc.k];
}
