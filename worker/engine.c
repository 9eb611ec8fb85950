/*
 * engine.c — queries on a sealed timetable, and their wire format.
 *
 * Every query starts from an index (see engine_impl.h): the hash of folded
 * station names, the station array sorted by them, the station-pair ranges, or a station's
 * departures, each sorted by clock time and binary-searched.  Nothing here
 * allocates or writes to the arena, so workers share it untouched.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "worker/engine.h"
#include "worker/engine_impl.h"

#define KEY_CAP		(TT_NAME_MAX * 2 + 2)
#define SUGGEST_SCAN	250000	/* stations one suggestion looks at */
#define SUGGEST_BUDGET	100000	/* edit distances it computes */

/* Stations. */

static int
key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int	c;

	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static const char *
station_key(const struct tt *t, uint32_t s, size_t *len)
{
	const struct tt_station	*st = &TT_STATIONS(t)[s];

	*len = st->keylen;
	return TT_STRINGS(t) + st->key;
}

/* First station whose key is >= key. */
static uint32_t
station_lower(const struct tt *t, const char *key, size_t klen)
{
	uint32_t	 lo = 0, hi = TT_HDR(t)->nstations, mid;
	const char	*k;
	size_t		 len;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = station_key(t, mid, &len);
		if (key_cmp(k, len, key, klen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
has_prefix(const struct tt *t, uint32_t s, const char *key, size_t klen)
{
	const char	*k;
	size_t		 len;

	k = station_key(t, s, &len);
	return len >= klen && memcmp(k, key, klen) == 0;
}

/* Stations whose key starts with key: [*first, return value). */
static uint32_t
prefix_range(const struct tt *t, const char *key, size_t klen,
    uint32_t *first)
{
	uint32_t	lo, hi = TT_HDR(t)->nstations, mid;

	lo = *first = station_lower(t, key, klen);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (has_prefix(t, mid, key, klen))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Whether a[0..n) and b[0..n) are the same bytes: inline, eight at a time,
 * since names are short and a libc call per comparison showed in profiles.
 */
static inline int
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t	x, y;

	for (; n >= 8; a += 8, b += 8, n -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
	}
	for (; n > 0; n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

/*
 * The station whose string in hash table sh (names or folded keys) is
 * s[0..len) with hash h, or -1.  One probe, usually: the table is at most
 * half full and its slots carry the strings they compare.
 */
static int32_t
station_probe(const struct tt *t, const struct tt_shash *sh, uint32_t h,
    const char *s, size_t len)
{
	uint32_t	i, mask = TT_HDR(t)->nshash - 1;

	for (i = h & mask; sh[i].station != TT_NONE; i = (i + 1) & mask)
		if (sh[i].hash == h && sh[i].len == len &&
		    same_bytes(TT_STRINGS(t) + sh[i].str, s, len))
			return (int32_t)sh[i].station;
	return -1;
}

/*
 * A station by name: its exact spelling, else its folded name, else, for
 * people typing the start of a name, the one station whose folded name
 * starts with it ("paris" is Paris Gare de Lyon while no other station
 * starts so).  An ambiguous prefix is no station: the caller suggests.
 */
int32_t
tt_station_find(const struct tt *t, const char *name, size_t len)
{
	char		key[KEY_CAP];
	size_t		klen;
	int32_t		found;
	uint32_t	first, end;

	/* Names copied from STATIONS or a reply: no folding needed. */
	if (len <= TT_NAME_MAX && (found = station_probe(t, TT_NHASH(t),
	    tt_name_hash(name, len), name, len)) >= 0)
		return found;
	klen = tt_fold(name, len, key, sizeof(key));
	if (klen == 0 || klen > TT_NAME_MAX)
		return -1;
	if ((found = station_probe(t, TT_SHASH(t), tt_key_hash(key, klen), key,
	    klen)) >= 0)
		return found;
	/* Off the hot path: only names that match no station get here. */
	end = prefix_range(t, key, klen, &first);
	return end - first == 1 ? (int32_t)first : -1;
}

int
tt_station_is(const struct tt *t, uint32_t s, const char *name, size_t len)
{
	const struct tt_station	*st;

	if (s >= TT_HDR(t)->nstations)
		return 0;
	st = &TT_STATIONS(t)[s];
	return st->namelen == len &&
	    same_bytes(TT_STRINGS(t) + st->name, name, len);
}

const char *
tt_station_name(const struct tt *t, uint32_t s)
{
	if (s >= TT_HDR(t)->nstations)
		return "";
	return TT_STRINGS(t) + TT_STATIONS(t)[s].name;
}

size_t
tt_stations(const struct tt *t, const char *prefix, size_t len,
    uint32_t *first)
{
	char	key[KEY_CAP];
	size_t	klen;

	klen = tt_fold(prefix, len, key, sizeof(key));
	if (klen > TT_NAME_MAX) {
		*first = 0;
		return 0;
	}
	return prefix_range(t, key, klen, first) - *first;
}

uint32_t
tt_station_by_rank(const struct tt *t, uint32_t rank)
{
	(void)t;
	return rank;	/* stations are stored in folded-name order */
}

/*
 * Up to max close names: stations whose key starts with the query's first
 * (in key order), then the nearest by edit distance, ties in key order.
 * The distance limit shrinks as better candidates turn up.  On a huge
 * timetable the scan is bounded: SUGGEST_SCAN stations around where the
 * name would sort, and at most SUGGEST_BUDGET distances computed.
 */
size_t
tt_station_suggest(const struct tt *t, const char *name, size_t len,
    uint32_t *out, size_t max)
{
	char		 key[KEY_CAP];
	unsigned	 dist[8], d, limit;
	uint32_t	 cand[8], first, end, s, lo, n = TT_HDR(t)->nstations;
	size_t		 klen, nout = 0, nc = 0, want, i, budget, l;
	const char	*k;

	if (max > 8)
		max = 8;
	klen = tt_fold(name, len, key, sizeof(key));
	if (klen == 0 || klen > TT_NAME_MAX || max == 0)
		return 0;
	end = prefix_range(t, key, klen, &first);
	for (s = first; s < end && nout < max; s++)
		out[nout++] = s;
	want = max - nout;
	limit = klen / 3 > 2 ? (unsigned)(klen / 3) : 2;
	lo = first > SUGGEST_SCAN / 2 ? first - SUGGEST_SCAN / 2 : 0;
	if (n - lo > SUGGEST_SCAN)
		n = lo + SUGGEST_SCAN;
	else if (n > SUGGEST_SCAN)
		lo = n - SUGGEST_SCAN;
	for (s = lo, budget = 0; s < n && want > 0 && budget < SUGGEST_BUDGET;
	    s++) {
		if (s >= first && s < end)
			continue;
		k = station_key(t, s, &l);
		if ((l > klen ? l - klen : klen - l) > limit)
			continue;
		budget++;
		if ((d = fold_distance(key, klen, k, l, limit)) > limit)
			continue;
		/*
		 * Keep the best `want` in (distance, key) order: the scan is
		 * in key order, so a later equal distance never displaces.
		 */
		if (nc < want || d < dist[nc - 1]) {
			i = nc < want ? nc++ : nc - 1;
			for (; i > 0 && dist[i - 1] > d; i--) {
				dist[i] = dist[i - 1];
				cand[i] = cand[i - 1];
			}
			dist[i] = d;
			cand[i] = s;
		}
		if (nc == want) {
			if (dist[nc - 1] == 0)
				break;
			limit = dist[nc - 1] - 1;
		}
	}
	for (i = 0; i < nc; i++)
		out[nout++] = cand[i];
	return nout;
}

/* Results. */

static const struct tt_stop *
train_stops(const struct tt *t, uint32_t train)
{
	return &TT_STOPS(t)[TT_TRAINS(t)[train].first_stop];
}

/*
 * A ride of train from stop fs (at boarding) to stop ts (at alight),
 * leaving at dep_min, relative to the day the caller chose.
 */
static void
ride_result(uint32_t train, unsigned fs, unsigned ts,
    const struct tt_stop *boarding, const struct tt_stop *alight,
    int32_t dep_min, struct tt_result *r)
{
	r->train = train;
	r->from_stop = (uint16_t)fs;
	r->to_stop = (uint16_t)ts;
	r->minutes = alight->arr - boarding->dep;
	r->dep_min = dep_min;
	r->arr_min = dep_min + r->minutes;
	if (alight->cunknown == boarding->cunknown) {
		r->price = alight->cprice - boarding->cprice;
		r->fare = alight->cfare - boarding->cfare;
	} else
		r->price = r->fare = -1;
	r->tags = 0;
}

void
engine_result(const struct tt *t, uint32_t train, unsigned fs, unsigned ts,
    int32_t dep_min, struct tt_result *r)
{
	const struct tt_stop	*sp = train_stops(t, train);

	ride_result(train, fs, ts, &sp[fs], &sp[ts], dep_min, r);
}

/*
 * The same from a ride of the index: its stops are found from the ride
 * itself, not through its train, so the two loads are not a chain of
 * cache misses but happen together.
 */
static void
pair_result(const struct tt *t, const struct tt_pair *p, int day,
    struct tt_result *r)
{
	const struct tt_stop	*fs = &TT_STOPS(t)[p->stop];

	ride_result(p->train, p->from_stop, p->to_stop, fs,
	    fs + (p->to_stop - p->from_stop),
	    p->dep % TT_MINUTES_PER_DAY + day * TT_MINUTES_PER_DAY, r);
}

const struct tt_range *
engine_range(const struct tt *t, uint32_t from, uint32_t to)
{
	const struct tt_station	*st;
	const struct tt_range	*r;
	uint32_t		 lo, hi, mid;

	if (from >= TT_HDR(t)->nstations || to >= TT_HDR(t)->nstations)
		return NULL;
	st = &TT_STATIONS(t)[from];
	r = &TT_RANGES(t)[st->range_first];
	lo = 0;
	hi = st->range_count;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r[mid].to < to)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < st->range_count && r[lo].to == to ? &r[lo] : NULL;
}

int
engine_slice(const struct tt *t, uint32_t from, uint32_t to,
    struct tt_slice *sl)
{
	const struct tt_range	*r;

	if (from >= TT_HDR(t)->nstations || to >= TT_HDR(t)->nstations)
		return 0;
	if (TT_HDR(t)->rdense) {
		/* One load instead of a search and a range. */
		*sl = TT_RDENSE(t)[(size_t)from * TT_HDR(t)->nstations + to];
		return sl->count > 0;
	}
	if ((r = engine_range(t, from, to)) == NULL)
		return 0;
	sl->first = r->first;
	sl->count = r->count;
	return 1;
}

/*
 * First pair of p[0..n) leaving at clock time >= clock.  Branchless, with
 * both possible next probes prefetched: the slices are cold, so the search
 * is a chain of cache misses, which this overlaps.
 */
static uint32_t
pair_lower(const struct tt_pair *p, uint32_t n, int clock)
{
	const struct tt_pair	*base = p;
	uint32_t		 half;

	if (n == 0)
		return 0;
	while (n > 1) {
		half = n / 2;
		__builtin_prefetch(&base[half / 2]);
		__builtin_prefetch(&base[half + half / 2]);
		base = base[half].dep % TT_MINUTES_PER_DAY < clock ?
		    base + half : base;
		n -= half;
	}
	return (uint32_t)(base - p) +
	    (base->dep % TT_MINUTES_PER_DAY < clock);
}

static int
valid_clock(int t)
{
	return t >= 0 && t < TT_MINUTES_PER_DAY;
}

int
tt_next(const struct tt *t, uint32_t from, uint32_t to, int clock,
    struct tt_result *out)
{
	struct tt_slice		 sl;
	const struct tt_pair	*p;
	uint32_t		 i;

	if (!valid_clock(clock) || !engine_slice(t, from, to, &sl))
		return 0;
	p = &TT_PAIRS(t)[sl.first];
	if ((i = pair_lower(p, sl.count, clock)) < sl.count)
		pair_result(t, &p[i], 0, out);
	else
		pair_result(t, &p[0], 1, out);	/* none left today */
	return 1;
}

/*
 * Three stages, as deep as a NEXT goes: the slice (rdense), the rides
 * around the clock time, then the ride's train and stops.  Each stage reads
 * what the one before it loaded, for every hint, before loading more.
 */
void
tt_prefetch(const struct tt *t, const struct tt_hint *h, size_t n)
{
	const struct tt_hdr	*hdr = TT_HDR(t);
	const struct tt_pair	*p;
	struct tt_slice		 sl;
	uint32_t		 i;
	size_t			 k;

	if (!hdr->rdense)
		return;		/* large networks: a search per stage */
	for (k = 0; k < n; k++)
		if (h[k].from < hdr->nstations && h[k].to < hdr->nstations)
			__builtin_prefetch(&TT_RDENSE(t)[(size_t)h[k].from *
			    hdr->nstations + h[k].to]);
	for (k = 0; k < n; k++)
		if (engine_slice(t, h[k].from, h[k].to, &sl))
			__builtin_prefetch(&TT_PAIRS(t)[sl.first +
			    sl.count / 2]);
	for (k = 0; k < n; k++) {
		if (!valid_clock(h[k].clock) ||
		    !engine_slice(t, h[k].from, h[k].to, &sl))
			continue;
		p = &TT_PAIRS(t)[sl.first];
		if ((i = pair_lower(p, sl.count, h[k].clock)) < sl.count)
			p += i;
		__builtin_prefetch(&TT_TRAINS(t)[p->train]);
		__builtin_prefetch(&TT_STOPS(t)[p->stop]);
		__builtin_prefetch(&TT_STOPS(t)[p->stop + (p->to_stop -
		    p->from_stop)]);
	}
}

/* Tag the cheapest and the fastest; ties go to the earlier one. */
static void
tag(struct tt_result *out, size_t n)
{
	size_t	i, cheap = n, fast = n;

	for (i = 0; i < n; i++) {
		if (out[i].fare >= 0 && (cheap == n ||
		    out[i].fare < out[cheap].fare))
			cheap = i;
		if (fast == n || out[i].minutes < out[fast].minutes)
			fast = i;
	}
	if (cheap < n)
		out[cheap].tags |= TT_TAG_CHEAPEST;
	if (fast < n)
		out[fast].tags |= TT_TAG_FASTEST;
}

size_t
tt_window(const struct tt *t, uint32_t from, uint32_t to, int t1, int t2,
    struct tt_result *out, size_t max)
{
	struct tt_slice		 sl;
	const struct tt_pair	*p;
	uint32_t		 i, end;
	size_t			 n = 0;

	if (!valid_clock(t1) || !valid_clock(t2) ||
	    !engine_slice(t, from, to, &sl))
		return 0;
	p = &TT_PAIRS(t)[sl.first];
	i = pair_lower(p, sl.count, t1);
	end = t1 <= t2 ? pair_lower(p, sl.count, t2 + 1) : sl.count;
	for (; i < end && n < max; i++)
		pair_result(t, &p[i], 0, &out[n++]);
	if (t1 > t2) {
		/* The window crosses midnight: on into tomorrow. */
		end = pair_lower(p, sl.count, t2 + 1);
		for (i = 0; i < end && n < max; i++)
			pair_result(t, &p[i], 1, &out[n++]);
	}
	tag(out, n);
	return n;
}

int
tt_best(const struct tt *t, uint32_t from, uint32_t to, enum tt_by by,
    struct tt_result *out)
{
	const struct tt_range	*r;
	const struct tt_pair	*p;
	uint32_t		 i;

	if ((r = engine_range(t, from, to)) == NULL)
		return 0;
	i = by == TT_BY_PRICE ? r->best_fare : r->best_dur;
	if (i == TT_NONE)
		return 0;	/* no known fare */
	p = &TT_PAIRS(t)[i];
	engine_result(t, p->train, p->from_stop, p->to_stop, p->dep, out);
	return 1;
}

size_t
tt_departures(const struct tt *t, uint32_t station, int clock, size_t count,
    struct tt_result *out)
{
	const struct tt_station	*st;
	const struct tt_dep	*d;
	uint32_t		 lo, hi, mid, i;
	size_t			 n;

	if (!valid_clock(clock) || station >= TT_HDR(t)->nstations)
		return 0;
	st = &TT_STATIONS(t)[station];
	d = &TT_DEPS(t)[st->dep_first];
	lo = 0;
	hi = st->dep_count;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d[mid].dep % TT_MINUTES_PER_DAY < clock)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (count > st->dep_count)
		count = st->dep_count;
	for (n = 0; n < count; n++) {
		int day = 0;

		/* count <= dep_count: wrapping never comes back to lo. */
		if ((i = lo + (uint32_t)n) >= st->dep_count) {
			i -= st->dep_count;
			day = 1;
		}
		engine_result(t, d[i].train, d[i].stop,
		    TT_TRAINS(t)[d[i].train].nstops - 1u,
		    d[i].dep % TT_MINUTES_PER_DAY + day * TT_MINUTES_PER_DAY,
		    &out[n]);
	}
	return n;
}

size_t
tt_all(const struct tt *t, size_t offset, size_t limit, struct tt_result *out)
{
	const uint32_t	*all = TT_ALL(t);
	size_t		 n, ntr = TT_HDR(t)->ntrains;
	uint32_t	 tr;

	for (n = 0; offset + n < ntr && n < limit; n++) {
		tr = all[offset + n];
		engine_result(t, tr, 0, TT_TRAINS(t)[tr].nstops - 1u,
		    train_stops(t, tr)[0].dep, &out[n]);
	}
	return n;
}

/* Accessors. */

const char *
tt_train_number(const struct tt *t, uint32_t train)
{
	if (train >= TT_HDR(t)->ntrains)
		return "";
	return TT_TRAINS(t)[train].number;
}

uint32_t
tt_train_nstops(const struct tt *t, uint32_t train)
{
	if (train >= TT_HDR(t)->ntrains)
		return 0;
	return TT_TRAINS(t)[train].nstops;
}

uint32_t
tt_stop_station(const struct tt *t, uint32_t train, unsigned stop)
{
	if (train >= TT_HDR(t)->ntrains || stop >= TT_TRAINS(t)[train].nstops)
		return UINT32_MAX;
	return train_stops(t, train)[stop].station;
}

enum tt_flag
tt_leg_flag(const struct tt *t, uint32_t train, unsigned leg)
{
	if (train >= TT_HDR(t)->ntrains ||
	    leg + 1u >= TT_TRAINS(t)[train].nstops)
		return TT_FLAG_NONE;
	return (enum tt_flag)train_stops(t, train)[leg].flag;
}

/*
 * Formatting: a bounded writer that counts what it could not write.  The
 * row is a score of small pieces, so the common case (room left) is inline
 * and the rare one (truncation, which the caller answers by formatting
 * again into a larger buffer) is not: calling a function per piece was
 * most of a row's cost.
 */

struct fmt {
	char	*w;		/* next byte */
	char	*end;		/* the NUL's place */
	size_t	 over;		/* bytes that did not fit */
};

static void
put_over(struct fmt *f, const char *s, size_t n)
{
	size_t	room = (size_t)(f->end - f->w);

	memcpy(f->w, s, room);
	f->w = f->end;
	f->over += n - room;
}

static inline void
put(struct fmt *f, const char *s, size_t n)
{
	if (n <= (size_t)(f->end - f->w)) {
		memcpy(f->w, s, n);
		f->w += n;
	} else
		put_over(f, s, n);
}

static inline void
put_c(struct fmt *f, char c)
{
	if (f->w < f->end)
		*f->w++ = c;
	else
		f->over++;
}

/* A station's name, its length from the arena (no strlen). */
static inline void
put_station(struct fmt *f, const struct tt *t, uint32_t s)
{
	const struct tt_station	*st;

	if (s >= TT_HDR(t)->nstations)
		return;
	st = &TT_STATIONS(t)[s];
	put(f, TT_STRINGS(t) + st->name, st->namelen);
}

/*
 * Digits by hand, two at a time, written in place: snprintf's machinery
 * was a fifth of a worker at P=16.
 */
static const char digits2[] =
	"00010203040506070809" "10111213141516171819"
	"20212223242526272829" "30313233343536373839"
	"40414243444546474849" "50515253545556575859"
	"60616263646566676869" "70717273747576777879"
	"80818283848586878889" "90919293949596979899";

/* v's digits ending at e, which is returned moved back past them. */
static char *
digits_at(char *e, uint64_t v)
{
	while (v >= 100) {
		e -= 2;
		memcpy(e, digits2 + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		e -= 2;
		memcpy(e, digits2 + v * 2, 2);
	} else
		*--e = (char)('0' + v);
	return e;
}

static void
put_uint(struct fmt *f, uint64_t v)
{
	char		 s[20];
	size_t		 n = 1;
	uint64_t	 x;

	for (x = v; x >= 100; x /= 100)
		n += 2;
	n += x >= 10;
	if (n <= (size_t)(f->end - f->w)) {
		digits_at(f->w + n, v);
		f->w += n;
	} else
		put_over(f, digits_at(s + sizeof(s), v), n);
}

static void
put_int(struct fmt *f, int64_t v)
{
	if (v < 0) {
		put_c(f, '-');
		put_uint(f, (uint64_t)0 - (uint64_t)v);
	} else
		put_uint(f, (uint64_t)v);
}

/* "%02d" for 0 <= v < 100. */
static inline void
put_2(char *s, unsigned v)
{
	s[0] = (char)('0' + v / 10);
	s[1] = (char)('0' + v % 10);
}

static void
put_time(struct fmt *f, int32_t min)
{
	char	s[5];

	if (min < 0)
		min = 0;
	put_2(s, (unsigned)(min % TT_MINUTES_PER_DAY / 60));
	s[2] = ':';
	put_2(s + 3, (unsigned)(min % 60));
	put(f, s, sizeof(s));
	if (min >= TT_MINUTES_PER_DAY) {
		put_c(f, '+');
		put_uint(f, (uint64_t)(min / TT_MINUTES_PER_DAY));
	}
}

static void
put_money(struct fmt *f, int64_t cents)
{
	char	s[3];

	if (cents < 0)
		return;		/* unknown: empty field */
	put_uint(f, (uint64_t)(cents / 100));
	s[0] = '.';
	put_2(s + 1, (unsigned)(cents % 100));
	put(f, s, sizeof(s));
}

static void
put_flags(struct fmt *f, const struct tt_stop *sp, unsigned from,
    unsigned to)
{
	unsigned	i, flagged = 0;

	for (i = from; i < to; i++)
		flagged |= sp[i].flag;
	/* One entry per leg, but only when some leg has a flag. */
	for (i = from; flagged && i < to; i++) {
		if (i > from)
			put_c(f, '|');
		if (sp[i].flag == TT_FLAG_REDUC)
			put(f, "REDUC", 5);
		else if (sp[i].flag == TT_FLAG_SUPPL)
			put(f, "SUPPL", 5);
	}
}

static void
put_tags(struct fmt *f, unsigned tags)
{
	if (tags & TT_TAG_CHEAPEST)
		put(f, "cheapest", 8);
	if ((tags & TT_TAG_CHEAPEST) && (tags & TT_TAG_FASTEST))
		put_c(f, '|');
	if (tags & TT_TAG_FASTEST)
		put(f, "fastest", 7);
}

size_t
tt_format(const struct tt *t, const struct tt_result *r, char *out,
    size_t cap)
{
	const struct tt_train	*tr;
	const struct tt_stop	*sp;
	struct fmt		 f;
	char			 scratch[1];
	unsigned		 i;

	if (cap == 0) {
		out = scratch;	/* measure only */
		cap = 1;
	}
	f.w = out;
	f.end = out + cap - 1;	/* room for the NUL */
	f.over = 0;
	if (r->train >= TT_HDR(t)->ntrains ||
	    r->to_stop >= TT_TRAINS(t)[r->train].nstops ||
	    r->from_stop >= r->to_stop) {
		out[0] = '\0';
		return 0;
	}
	tr = &TT_TRAINS(t)[r->train];
	sp = &TT_STOPS(t)[tr->first_stop];
	put(&f, tr->number, tr->numlen);
	put_c(&f, ';');
	put_station(&f, t, sp[r->from_stop].station);
	put_c(&f, ';');
	put_station(&f, t, sp[r->to_stop].station);
	put_c(&f, ';');
	put_time(&f, r->dep_min);
	put_c(&f, ';');
	put_time(&f, r->arr_min);
	put_c(&f, ';');
	put_int(&f, r->minutes);
	put_c(&f, ';');
	put_money(&f, r->price);
	put_c(&f, ';');
	put_flags(&f, sp, r->from_stop, r->to_stop);
	put_c(&f, ';');
	put_money(&f, r->fare);
	put_c(&f, ';');
	for (i = r->from_stop + 1u; i < r->to_stop; i++) {
		if (i > r->from_stop + 1u)
			put_c(&f, '|');
		put_station(&f, t, sp[i].station);
	}
	put_c(&f, ';');
	put_tags(&f, r->tags);
	*f.w = '\0';
	return (size_t)(f.w - out) + f.over;
}
