/*
 * test_random.c — queries cross-checked against brute force.
 *
 * Random timetables (loops, night trains, hours 24-47, unknown prices,
 * several spellings of each station) are written as text, loaded, and
 * every query is compared, field by field and as a formatted line, with
 * a naive scan of the model the text was written from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "worker/engine.h"

#define MSTOPS		9
#define MTRAINS		160
#define MSTATIONS	14
#define DAY		1440

struct mtrain {
	char	number[16];
	int	nstops;
	int	st[MSTOPS];
	int	dep[MSTOPS];	/* service minutes, k < nstops - 1 */
	int	arr[MSTOPS];	/* k > 0 */
	int	rawdep[MSTOPS];
	int	price[MSTOPS];	/* leg k, cents, -1 unknown */
	int	flag[MSTOPS];
};

struct model {
	int		 nst;
	int		 ntr;
	struct mtrain	 tr[MTRAINS];
	char		 display[MSTATIONS][32];
	uint32_t	 idx[MSTATIONS];	/* station index in the tt */
};

struct cand {
	int	train, i, j;
	int	dep;		/* service minutes of boarding */
};

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? (unsigned)(rng_state >> 33) % n : 0;
}

static long long
fare(int price, int flag)
{
	if (flag == TT_FLAG_REDUC)
		return (price * 80LL + 50) / 100;
	if (flag == TT_FLAG_SUPPL)
		return (price * 110LL + 50) / 100;
	return price;
}

static void
gen_train(struct mtrain *t, int nst)
{
	int	 k, nlegs, v, dup, a;

	do {
		nlegs = 1 + (int)rnd(MSTOPS - 1);
		t->st[0] = (int)rnd((unsigned)nst);
		t->dep[0] = t->rawdep[0] = (int)rnd(48 * 60);
		for (k = 0; k < nlegs; k++) {
			do
				t->st[k + 1] = (int)rnd((unsigned)nst);
			while (t->st[k + 1] == t->st[k]);
			v = rnd(20) == 0 ? (int)rnd(DAY) : (int)rnd(240);
			t->arr[k + 1] = t->dep[k] + v;
			t->price[k] = rnd(5) == 0 ? -1 : (int)rnd(20000);
			t->flag[k] = (int)rnd(3);
			if (k + 1 < nlegs) {
				v = rnd(20) == 0 ? (int)rnd(DAY) : (int)rnd(40);
				t->dep[k + 1] = t->arr[k + 1] + v;
				/* As written: congruent, never above 47:59. */
				a = t->dep[k + 1] % DAY;
				if (rnd(2) && a + DAY <= t->dep[k + 1] &&
				    a + DAY < 48 * 60)
					a += DAY;
				t->rawdep[k + 1] = a;
			}
			if (t->arr[k + 1] > 3 * DAY ||
			    (k + 1 < nlegs && t->dep[k + 1] > 3 * DAY)) {
				nlegs = k + 1;
				if (t->arr[k + 1] > 3 * DAY)
					nlegs = 0;
				break;
			}
		}
		t->nstops = nlegs + 1;
		dup = nlegs == 0;
		for (k = 0; k < nlegs && !dup; k++)
			for (a = 0; a < k; a++)
				if (t->st[a] == t->st[k] &&
				    t->st[a + 1] == t->st[k + 1] &&
				    t->rawdep[a] == t->rawdep[k])
					dup = 1;
	} while (dup);
}

static const char *
spelling(int s, char *buf, size_t cap)
{
	switch (rnd(3)) {
	case 0:
		snprintf(buf, cap, "Ville-%d", s);
		break;
	case 1:
		snprintf(buf, cap, "  VILLE %d ", s);
		break;
	default:
		snprintf(buf, cap, "ville_%d", s);
		break;
	}
	return buf;
}

static void
name_seen(struct model *m, int s, const char *name)
{
	size_t	len;

	if (m->display[s][0] != '\0')
		return;
	while (*name == ' ')
		name++;
	for (len = strlen(name); len > 0 && name[len - 1] == ' '; len--)
		;
	snprintf(m->display[s], sizeof(m->display[s]), "%.*s", (int)len, name);
}

static void
put_time(char *buf, size_t cap, int v)
{
	snprintf(buf, cap, rnd(2) || v >= 600 ? "%02d:%02d" : "%d:%02d",
	    v / 60, v % 60);
}

static void
put_price(char *buf, size_t cap, int p)
{
	if (p < 0)
		buf[0] = '\0';
	else if (p % 100 == 0 && rnd(2))
		snprintf(buf, cap, "%d", p / 100);
	else if (p % 10 == 0 && rnd(2))
		snprintf(buf, cap, "%d.%d", p / 100, p % 100 / 10);
	else
		snprintf(buf, cap, "%d.%02d", p / 100, p % 100);
}

static const char *flags[][3] = {
	{ "", "REDUC", "SUPPL" }, { "", "reduc", "Suppl" }
};

/* The model as timetable text. */
static char *
write_model(struct model *m, size_t *len)
{
	size_t	 cap = (size_t)m->ntr * MSTOPS * 128 + 64, n = 0;
	char	*text = malloc(cap), from[32], to[32], d[16], a[16], p[16];
	int	 t, k, arr;

	if (text == NULL)
		return NULL;
	for (t = 0; t < m->ntr; t++) {
		struct mtrain *tr = &m->tr[t];

		if (rnd(4) == 0)
			n += (size_t)snprintf(text + n, cap - n, "# train\n\n");
		for (k = 0; k + 1 < tr->nstops; k++) {
			spelling(tr->st[k], from, sizeof(from));
			spelling(tr->st[k + 1], to, sizeof(to));
			name_seen(m, tr->st[k], from);
			name_seen(m, tr->st[k + 1], to);
			put_time(d, sizeof(d), tr->rawdep[k]);
			arr = tr->arr[k + 1] % DAY;
			if (rnd(2) && arr + DAY <= tr->arr[k + 1] &&
			    arr + DAY < 48 * 60)
				arr += DAY;
			put_time(a, sizeof(a), arr);
			put_price(p, sizeof(p), tr->price[k]);
			n += (size_t)snprintf(text + n, cap - n,
			    "%s;%s;%s;%s;%s;%s;%s%s\n", tr->number, from, to, d,
			    a, p, flags[rnd(2)][tr->flag[k]],
			    rnd(10) == 0 ? "\r" : "");
		}
	}
	*len = n;
	return text;
}

/* The expected result of a ride, times relative to the day of dep_min. */
static void
expect(const struct model *m, int t, int i, int j, int dep_min,
    struct tt_result *r)
{
	const struct mtrain	*tr = &m->tr[t];
	long long		 price = 0, f = 0;
	int			 k, unknown = 0;

	for (k = i; k < j; k++) {
		if (tr->price[k] < 0)
			unknown = 1;
		else {
			price += tr->price[k];
			f += fare(tr->price[k], tr->flag[k]);
		}
	}
	memset(r, 0, sizeof(*r));
	r->train = (uint32_t)t;
	r->from_stop = (uint16_t)i;
	r->to_stop = (uint16_t)j;
	r->minutes = tr->arr[j] - tr->dep[i];
	r->dep_min = dep_min;
	r->arr_min = dep_min + r->minutes;
	r->price = unknown ? -1 : price;
	r->fare = unknown ? -1 : f;
}

/* The line a result should format as, from the model alone. */
static void
expect_line(const struct model *m, const struct tt_result *r, char *buf,
    size_t cap)
{
	const struct mtrain	*tr = &m->tr[r->train];
	size_t			 n;
	int			 k, any = 0;

	n = (size_t)snprintf(buf, cap, "%s;%s;%s;%02d:%02d", tr->number,
	    m->display[tr->st[r->from_stop]], m->display[tr->st[r->to_stop]],
	    r->dep_min % DAY / 60, r->dep_min % 60);
	if (r->dep_min >= DAY)
		n += (size_t)snprintf(buf + n, cap - n, "+%d", r->dep_min / DAY);
	n += (size_t)snprintf(buf + n, cap - n, ";%02d:%02d",
	    r->arr_min % DAY / 60, r->arr_min % 60);
	if (r->arr_min >= DAY)
		n += (size_t)snprintf(buf + n, cap - n, "+%d", r->arr_min / DAY);
	n += (size_t)snprintf(buf + n, cap - n, ";%d;", r->minutes);
	if (r->price >= 0)
		n += (size_t)snprintf(buf + n, cap - n, "%lld.%02lld",
		    (long long)r->price / 100, (long long)r->price % 100);
	n += (size_t)snprintf(buf + n, cap - n, ";");
	for (k = r->from_stop; k < r->to_stop; k++)
		any |= tr->flag[k];
	for (k = r->from_stop; any && k < r->to_stop; k++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s",
		    k > r->from_stop ? "|" : "", flags[0][tr->flag[k]]);
	n += (size_t)snprintf(buf + n, cap - n, ";");
	if (r->fare >= 0)
		n += (size_t)snprintf(buf + n, cap - n, "%lld.%02lld",
		    (long long)r->fare / 100, (long long)r->fare % 100);
	n += (size_t)snprintf(buf + n, cap - n, ";");
	for (k = r->from_stop + 1; k < r->to_stop; k++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s",
		    k > r->from_stop + 1 ? "|" : "", m->display[tr->st[k]]);
	snprintf(buf + n, cap - n, ";%s%s%s",
	    r->tags & TT_TAG_CHEAPEST ? "cheapest" : "",
	    r->tags == (TT_TAG_CHEAPEST | TT_TAG_FASTEST) ? "|" : "",
	    r->tags & TT_TAG_FASTEST ? "fastest" : "");
}

static unsigned mismatches;

static void
compare(struct tt *tt, const struct model *m, const char *what,
    const struct tt_result *got, const struct tt_result *want)
{
	char	g[1024], w[1024];

	tt_format(tt, got, g, sizeof(g));
	expect_line(m, want, w, sizeof(w));
	if (got->train != want->train || got->from_stop != want->from_stop ||
	    got->to_stop != want->to_stop || got->dep_min != want->dep_min ||
	    got->arr_min != want->arr_min || got->minutes != want->minutes ||
	    got->price != want->price || got->fare != want->fare ||
	    got->tags != want->tags || strcmp(g, w) != 0) {
		if (mismatches++ < 10)
			fprintf(stderr, "%s: got\n\t%s\n    want\n\t%s\n", what,
			    g, w);
	}
}

/* Rides from a to b, in (clock, service departure, train, stop) order. */
static int
cand_cmp(const void *x, const void *y)
{
	const struct cand	*a = x, *b = y;

	if (a->dep % DAY != b->dep % DAY)
		return a->dep % DAY - b->dep % DAY;
	if (a->dep != b->dep)
		return a->dep - b->dep;
	if (a->train != b->train)
		return a->train - b->train;
	return a->i - b->i;
}

static size_t
rides(const struct model *m, int a, int b, struct cand *c)
{
	size_t	n = 0;
	int	t, i, j, k, ok;

	for (t = 0; t < m->ntr; t++) {
		const struct mtrain *tr = &m->tr[t];

		for (i = 0; i < tr->nstops; i++)
			for (j = i + 1; j < tr->nstops; j++) {
				if (tr->st[i] != a || tr->st[j] != b || a == b)
					continue;
				for (ok = 1, k = i + 1; k < j; k++)
					if (tr->st[k] == a || tr->st[k] == b)
						ok = 0;
				if (ok) {
					c[n].train = t;
					c[n].i = i;
					c[n].j = j;
					c[n].dep = tr->dep[i];
					n++;
				}
			}
	}
	qsort(c, n, sizeof(*c), cand_cmp);
	return n;
}

static void
check_next(struct tt *tt, const struct model *m, struct cand *c, size_t n,
    int a, int b, int T)
{
	struct tt_result	got, want;
	size_t			i;

	if (tt_next(tt, m->idx[a], m->idx[b], T, &got) != (n > 0)) {
		if (mismatches++ < 10)
			fprintf(stderr, "NEXT %d %d %d: found %d\n", a, b, T,
			    n == 0);
		return;
	}
	if (n == 0)
		return;
	for (i = 0; i < n && c[i].dep % DAY < T; i++)
		;
	if (i < n)
		expect(m, c[i].train, c[i].i, c[i].j, c[i].dep % DAY, &want);
	else
		expect(m, c[0].train, c[0].i, c[0].j, c[0].dep % DAY + DAY,
		    &want);
	compare(tt, m, "NEXT", &got, &want);
}

static void
check_window(struct tt *tt, const struct model *m, struct cand *c, size_t n,
    int a, int b, int t1, int t2, size_t max)
{
	struct tt_result	*got, *want;
	size_t			 i, k = 0, ng, ch = SIZE_MAX, fa = SIZE_MAX;
	int			 pass, lo, hi;

	got = calloc(n + 1, sizeof(*got));
	want = calloc(n + 1, sizeof(*want));
	if (got == NULL || want == NULL)
		goto out;
	for (pass = 0; pass < 2; pass++) {
		lo = pass == 0 ? t1 : 0;
		hi = pass == 0 ? (t1 <= t2 ? t2 : DAY - 1) : t2;
		if (pass == 1 && t1 <= t2)
			break;
		for (i = 0; i < n && k < max; i++)
			if (c[i].dep % DAY >= lo && c[i].dep % DAY <= hi)
				expect(m, c[i].train, c[i].i, c[i].j,
				    c[i].dep % DAY + pass * DAY, &want[k++]);
	}
	for (i = 0; i < k; i++) {
		if (want[i].fare >= 0 && (ch == SIZE_MAX ||
		    want[i].fare < want[ch].fare))
			ch = i;
		if (fa == SIZE_MAX || want[i].minutes < want[fa].minutes)
			fa = i;
	}
	if (ch != SIZE_MAX)
		want[ch].tags |= TT_TAG_CHEAPEST;
	if (fa != SIZE_MAX)
		want[fa].tags |= TT_TAG_FASTEST;
	ng = tt_window(tt, m->idx[a], m->idx[b], t1, t2, got, max);
	if (ng != k) {
		if (mismatches++ < 10)
			fprintf(stderr, "WINDOW %d-%d: %zu results, want %zu\n",
			    t1, t2, ng, k);
		goto out;
	}
	for (i = 0; i < k; i++)
		compare(tt, m, "WINDOW", &got[i], &want[i]);
out:
	free(got);
	free(want);
}

static void
check_best(struct tt *tt, const struct model *m, struct cand *c, size_t n,
    int a, int b, enum tt_by by)
{
	struct tt_result	got, want, x, best;
	size_t			i;
	int			found = 0, better;

	for (i = 0; i < n; i++) {
		expect(m, c[i].train, c[i].i, c[i].j, c[i].dep, &x);
		if (by == TT_BY_PRICE && x.fare < 0)
			continue;
		if (!found)
			better = 1;
		else if (by == TT_BY_PRICE && x.fare != best.fare)
			better = x.fare < best.fare;
		else if (by == TT_BY_DURATION && x.minutes != best.minutes)
			better = x.minutes < best.minutes;
		else if (x.dep_min != best.dep_min)
			better = x.dep_min < best.dep_min;
		else if (x.train != best.train)
			better = x.train < best.train;
		else
			better = x.from_stop < best.from_stop;
		if (better)
			best = x;
		found = 1;
	}
	if (tt_best(tt, m->idx[a], m->idx[b], by, &got) != found) {
		if (mismatches++ < 10)
			fprintf(stderr, "BEST %d %d: found %d\n", a, b, !found);
		return;
	}
	if (found) {
		want = best;
		compare(tt, m, "BEST", &got, &want);
	}
}

static void
check_departures(struct tt *tt, const struct model *m, int s, int T,
    size_t count)
{
	struct cand		 c[MTRAINS * MSTOPS];
	struct tt_result	 got[MTRAINS * MSTOPS], want;
	size_t			 n = 0, i, k, start, ng;
	int			 t;

	for (t = 0; t < m->ntr; t++)
		for (k = 0; k + 1 < (size_t)m->tr[t].nstops; k++)
			if (m->tr[t].st[k] == s) {
				c[n].train = t;
				c[n].i = (int)k;
				c[n].j = m->tr[t].nstops - 1;
				c[n].dep = m->tr[t].dep[k];
				n++;
			}
	qsort(c, n, sizeof(*c), cand_cmp);
	for (start = 0; start < n && c[start].dep % DAY < T; start++)
		;
	if (count > n)
		count = n;
	ng = tt_departures(tt, m->idx[s], T, count, got);
	if (ng != count) {
		if (mismatches++ < 10)
			fprintf(stderr, "DEPARTURES: %zu, want %zu\n", ng, count);
		return;
	}
	for (i = 0; i < count; i++) {
		k = (start + i) % n;
		expect(m, c[k].train, c[k].i, c[k].j,
		    c[k].dep % DAY + (start + i >= n ? DAY : 0), &want);
		compare(tt, m, "DEPARTURES", &got[i], &want);
	}
}

static void
check_all(struct tt *tt, const struct model *m)
{
	struct tt_result	 got[MTRAINS], want;
	int			 order[MTRAINS], t, u, x;
	size_t			 off, lim, n, i;

	for (t = 0; t < m->ntr; t++)
		order[t] = t;
	for (t = 1; t < m->ntr; t++)	/* insertion sort: stable */
		for (u = t; u > 0 && m->tr[order[u - 1]].dep[0] >
		    m->tr[order[u]].dep[0]; u--) {
			x = order[u];
			order[u] = order[u - 1];
			order[u - 1] = x;
		}
	off = rnd((unsigned)m->ntr + 2);
	lim = rnd((unsigned)m->ntr + 2);
	n = tt_all(tt, off, lim, got);
	if (n != (off < (size_t)m->ntr ? (m->ntr - off < lim ? m->ntr - off :
	    lim) : 0)) {
		if (mismatches++ < 10)
			fprintf(stderr, "ALL %zu %zu: %zu\n", off, lim, n);
		return;
	}
	for (i = 0; i < n; i++) {
		t = order[off + i];
		expect(m, t, 0, m->tr[t].nstops - 1, m->tr[t].dep[0], &want);
		compare(tt, m, "ALL", &got[i], &want);
	}
}

static void
one_timetable(unsigned seed, int queries)
{
	static struct model	 m;
	static struct cand	 c[MTRAINS * MSTOPS * MSTOPS];
	struct tt		*tt;
	char			*text, name[32], *err = NULL;
	size_t			 len, n;
	int			 t, s, q, a, b, t1, t2;

	rng_state = seed;
	memset(&m, 0, sizeof(m));
	m.nst = 2 + (int)rnd(MSTATIONS - 1);
	m.ntr = 1 + (int)rnd(MTRAINS);
	for (t = 0; t < m.ntr; t++) {
		snprintf(m.tr[t].number, sizeof(m.tr[t].number), "T%d",
		    t % MTRAINS);
		gen_train(&m.tr[t], m.nst);
	}
	if ((text = write_model(&m, &len)) == NULL)
		return;
	tt = tt_load_mem("random", text, len, &err, NULL);
	h_check(tt != NULL, __FILE__, __LINE__, "seed %u: %s", seed,
	    err ? err : "");
	free(err);
	free(text);
	if (tt == NULL)
		return;
	CHECK_INT(tt_ntrains(tt), m.ntr);
	for (s = 0; s < m.nst; s++) {
		if (m.display[s][0] == '\0') {
			m.idx[s] = UINT32_MAX;	/* never written */
			continue;
		}
		snprintf(name, sizeof(name), "ville %d", s);
		t = tt_station_find(tt, name, strlen(name));
		CHECK(t >= 0);
		m.idx[s] = (uint32_t)t;
		CHECK_STR(tt_station_name(tt, m.idx[s]), m.display[s]);
	}
	mismatches = 0;
	for (q = 0; q < queries; q++) {
		a = (int)rnd((unsigned)m.nst);
		b = (int)rnd((unsigned)m.nst);
		if (m.idx[a] == UINT32_MAX || m.idx[b] == UINT32_MAX)
			continue;
		n = rides(&m, a, b, c);
		t1 = (int)rnd(DAY);
		t2 = (int)rnd(DAY);
		check_next(tt, &m, c, n, a, b, rnd(8) ? t1 : (int)c[rnd(
		    (unsigned)n)].dep % DAY);
		check_window(tt, &m, c, n, a, b, t1, t2, rnd(4) ? n + 1 :
		    1 + rnd((unsigned)n + 1));
		check_best(tt, &m, c, n, a, b, TT_BY_PRICE);
		check_best(tt, &m, c, n, a, b, TT_BY_DURATION);
		check_departures(tt, &m, a, t1, rnd(40));
		if (q % 16 == 0)
			check_all(tt, &m);
	}
	h_check(mismatches == 0, __FILE__, __LINE__,
	    "seed %u: %u mismatches in %d queries", seed, mismatches, queries);
	tt_free(tt);
}

void
suite_random(void)
{
	unsigned	seed;

	for (seed = 1; seed <= 12; seed++)
		one_timetable(seed, 2000);
}
