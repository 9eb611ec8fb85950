/*
 * gtfs.c — a GTFS feed, read for one service date: which trips run, the
 * stations they call at and their names, train numbers, change times.
 *
 * Read in this order, each file once: stops, routes, calendar and
 * calendar_dates, trips, stop_times, transfers, feed_info.  Every value
 * kept is copied into a pool of strings freed at once; ids are found
 * through open-addressing hash maps.  The stop times of the trips that run
 * are sorted by (trip, stop_sequence) — feeds write them in any order and
 * number them with gaps — then merged into calls.  Errors stop the import
 * and name file:line.
 *
 * Decisions (trainsrv-import(1) documents them):
 * - a platform or any child stop is its parent_station (followed up to a
 *   stop without parent); the station's name is that stop's stop_name;
 * - stations whose names fold to the same key (trainsrv matches names
 *   ignoring case and accents) get the routes calling there added,
 *   "145 St (A C)"; if that still does not tell them apart, their
 *   stop_code (or stop_id), "145 St (A12)"; then a counter.  Names depend
 *   on the whole feed, not the date, so they are stable from day to day;
 * - train numbers: trip_short_name when it has one (characters trainsrv
 *   does not take become '-', cut to 16), else a 7-digit number hashed
 *   from trip_id (stable); a number already taken that day gets "-2",
 *   "-3"..., the earlier train (by first departure, then trip_id) keeping
 *   the plain one;
 * - times are truncated to the minute; a stop without times is left out;
 *   consecutive calls at one station (two platforms) are one call.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/csv.h"
#include "import/gtfs.h"
#include "import/text.h"
#include "worker/engine.h"

#define NONE		UINT32_MAX
#define POOL_CHUNK	(1u << 20)
#define NAME_MAX_BYTES	TT_NAME_MAX
#define BASE_MAX	180	/* bytes of a name before its qualifier */
#define QUAL_MAX	48	/* bytes of a qualifier's routes */
#define TIME_MAX	(47 * 60 + 59)	/* minutes: the timetable's limit */
#define STOPS_MAX	TT_STOPS_MAX

struct ent {
	const char	*key;
	uint32_t	 hash;
	uint32_t	 val;
};

struct smap {
	struct ent	*e;
	uint32_t	 cap;
	uint32_t	 n;
};

struct stop {
	const char	*id;
	const char	*name;
	const char	*code;
	const char	*parent_id;
	uint32_t	 parent;	/* stop index, NONE */
	uint32_t	 station;	/* station index once used, NONE */
	unsigned long	 line;
};

struct route {
	const char	*id;
	const char	*label;		/* short name, long name or id */
};

struct service {
	const char	*id;
	uint8_t		 cal;		/* in calendar.txt */
	uint8_t		 days;		/* bit 0 Monday .. bit 6 Sunday */
	int8_t		 exc;		/* on the date: 1 added, 2 removed */
	int		 start, end;
};

struct trip {
	const char	*id;
	const char	*short_name;
	uint32_t	 route;		/* NONE when unknown */
	uint8_t		 runs;
};

/* A stop time of a trip that runs: seconds, -1 when empty. */
struct rec {
	uint32_t	trip;
	uint32_t	seq;
	uint32_t	station;
	int32_t		arr;
	int32_t		dep;
	uint32_t	line;
};

struct feed {
	struct gtfs_opts	 opts;
	char			*err;
	size_t			 errcap;

	char			**chunks;	/* the string pool */
	size_t			 nchunks;
	char			*cur;
	size_t			 left;

	struct stop		*stops;
	size_t			 nstops, capstops;
	struct smap		 stopmap;
	struct route		*routes;
	size_t			 nroutes, caproutes;
	struct smap		 routemap;
	struct service		*servs;
	size_t			 nservs, capservs;
	struct smap		 servmap;
	struct trip		*trips;
	size_t			 ntrips, captrips;
	struct smap		 tripmap;
	struct rec		*recs;
	size_t			 nrecs, caprecs;
	uint64_t		*pairs;		/* station << 32 | route */
	size_t			 npairs, cappairs;

	struct gtfs_station	*st;
	size_t			 nst, capst;
	struct gtfs_call	*calls;
	size_t			 ncalls, capcalls;
	struct gtfs_train	*trains;
	size_t			 ntrains, captrains;

	int			 first, last;	/* dates covered */
	const char		*version;
	size_t			 nstoptimes;
};

/* Errors. */

static int
fail(struct feed *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct feed *f, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(f->err, f->errcap, fmt, ap);
	va_end(ap);
	/* Feed text quoted in a message must not drive a terminal. */
	text_clean_inplace(f->err);
	return -1;
}

static int
fail_csv(struct feed *f, const struct csv *c)
{
	return fail(f, "%s", c->err);
}

/* Memory. */

static int
grow(struct feed *f, void *arr, size_t *cap, size_t n, size_t sz)
{
	void	**a = arr, *na;
	size_t	  ncap;

	if (n <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	while (ncap < n)
		ncap *= 2;
	if ((na = realloc(*a, ncap * sz)) == NULL)
		return fail(f, "out of memory");
	*a = na;
	*cap = ncap;
	return 0;
}

static const char *
pool_dup(struct feed *f, const char *s)
{
	size_t	 len = strlen(s) + 1, sz;
	char	**nc, *p;

	if (len > f->left) {
		sz = len > POOL_CHUNK ? len : POOL_CHUNK;
		if ((nc = realloc(f->chunks, (f->nchunks + 1) *
		    sizeof(*nc))) == NULL)
			return NULL;
		f->chunks = nc;
		if ((f->cur = malloc(sz)) == NULL)
			return NULL;
		f->chunks[f->nchunks++] = f->cur;
		f->left = sz;
	}
	p = f->cur;
	memcpy(p, s, len);
	f->cur += len;
	f->left -= len;
	return p;
}

/* Hash maps: string -> index. */

static uint32_t
hash_str(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static int64_t
smap_get(const struct smap *m, const char *key)
{
	uint32_t	h = hash_str(key), j;

	if (m->cap == 0)
		return -1;
	for (j = h & (m->cap - 1); m->e[j].key != NULL; j = (j + 1) &
	    (m->cap - 1))
		if (m->e[j].hash == h && strcmp(m->e[j].key, key) == 0)
			return m->e[j].val;
	return -1;
}

/* Add key (kept by pointer); 0, 1 when already there, -1 out of memory. */
static int
smap_put(struct smap *m, const char *key, uint32_t val)
{
	struct ent	*ne;
	uint32_t	 h = hash_str(key), j, i, ncap;

	if ((m->n + 1) * 2 > m->cap) {
		ncap = m->cap ? m->cap * 2 : 1024;
		if ((ne = calloc(ncap, sizeof(*ne))) == NULL)
			return -1;
		for (i = 0; i < m->cap; i++) {
			if (m->e[i].key == NULL)
				continue;
			for (j = m->e[i].hash & (ncap - 1); ne[j].key != NULL;
			    j = (j + 1) & (ncap - 1))
				;
			ne[j] = m->e[i];
		}
		free(m->e);
		m->e = ne;
		m->cap = ncap;
	}
	for (j = h & (m->cap - 1); m->e[j].key != NULL; j = (j + 1) &
	    (m->cap - 1))
		if (m->e[j].hash == h && strcmp(m->e[j].key, key) == 0)
			return 1;
	m->e[j].key = key;
	m->e[j].hash = h;
	m->e[j].val = val;
	m->n++;
	return 0;
}

/* Dates. */

static int
days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int
gtfs_date(const char *s, int dashes)
{
	int	y, m, d, i;
	size_t	want = dashes ? 10 : 8;

	if (strlen(s) != want)
		return -1;
	for (i = 0; i < (int)want; i++) {
		if (dashes && (i == 4 || i == 7)) {
			if (s[i] != '-')
				return -1;
		} else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	y = atoi(s);
	m = (s[dashes ? 5 : 4] - '0') * 10 + (s[dashes ? 6 : 5] - '0');
	d = (s[dashes ? 8 : 6] - '0') * 10 + (s[dashes ? 9 : 7] - '0');
	if (!dashes)
		y /= 10000;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	return y * 10000 + m * 100 + d;
}

int
gtfs_weekday(int date)
{
	int	y = date / 10000, m = date / 100 % 100, d = date % 100;
	long	days;

	/* Days from civil (H. Hinnant), 1970-01-01 a Thursday. */
	y -= m <= 2;
	{
		long era = (y >= 0 ? y : y - 399) / 400;
		long yoe = y - era * 400;
		long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + doe - 719468;
	}
	return (int)(((days % 7) + 7 + 3) % 7);
}

/* Times: seconds; -1 when empty, -2 when malformed. */
static int32_t
parse_time(const char *s)
{
	int32_t	h = 0, m, sec = 0;
	int	n = 0;

	if (*s == '\0')
		return -1;
	while (*s >= '0' && *s <= '9' && n < 3) {
		h = h * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || *s++ != ':' || s[0] < '0' || s[0] > '5' || s[1] < '0' ||
	    s[1] > '9')
		return -2;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s == ':') {
		if (s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9' ||
		    s[3] != '\0')
			return -2;
		sec = (s[1] - '0') * 10 + (s[2] - '0');
	} else if (*s != '\0')
		return -2;
	return h * 3600 + m * 60 + sec;
}

/* A non-negative integer below 2^31, or -1. */
static int64_t
parse_uint(const char *s)
{
	int64_t	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static void
date_text(int date, char *buf, size_t cap)
{
	snprintf(buf, cap, "%04d-%02d-%02d", date / 10000, date / 100 % 100,
	    date % 100);
}

/* One file of the feed: from its directory, or from opts.files. */
static int
feed_open(struct feed *f, struct csv *c, const char *name, int required)
{
	const struct gtfs_file	*m;

	if (f->opts.files == NULL)
		return csv_open(c, f->opts.dir, name, required);
	for (m = f->opts.files; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return csv_open_mem(c, name, m->data, m->len);
	if (!required)
		return 1;
	memset(c, 0, sizeof(*c));
	snprintf(c->err, sizeof(c->err), "%s: No such file or directory",
	    name);
	return -1;
}

/* stops.txt */

static int
load_stops(struct feed *f)
{
	struct csv	 c;
	struct stop	*s;
	int		 cid, cname, cpar, ccode, r;
	int64_t		 p;
	size_t		 i, depth;

	if (feed_open(f, &c, "stops.txt", 1) == -1)
		return fail_csv(f, &c);
	if ((cid = csv_need(&c, "stop_id")) == -1 ||
	    (cname = csv_need(&c, "stop_name")) == -1) {
		csv_close(&c);
		return fail_csv(f, &c);
	}
	cpar = csv_col(&c, "parent_station");
	ccode = csv_col(&c, "stop_code");
	while ((r = csv_next(&c)) == 1) {
		if (*csv_field(&c, cid) == '\0') {
			csv_error(&c, "empty stop_id");
			r = -1;
			break;
		}
		if (grow(f, &f->stops, &f->capstops, f->nstops + 1,
		    sizeof(*f->stops)) == -1)
			goto out;
		s = &f->stops[f->nstops];
		if ((s->id = pool_dup(f, csv_field(&c, cid))) == NULL ||
		    (s->name = pool_dup(f, csv_field(&c, cname))) == NULL ||
		    (s->code = pool_dup(f, csv_field(&c, ccode))) == NULL ||
		    (s->parent_id = pool_dup(f, csv_field(&c, cpar))) == NULL) {
			fail(f, "out of memory");
			goto out;
		}
		s->line = c.line;
		s->station = NONE;
		if ((r = smap_put(&f->stopmap, s->id, (uint32_t)f->nstops)) ==
		    -1) {
			fail(f, "out of memory");
			goto out;
		}
		if (r == 1) {
			csv_error(&c, "stop_id \"%s\" appears twice", s->id);
			r = -1;
			break;
		}
		f->nstops++;
	}
	if (r == -1) {
		fail_csv(f, &c);
		goto out;
	}
	for (i = 0; i < f->nstops; i++) {
		s = &f->stops[i];
		s->parent = NONE;
		if (*s->parent_id == '\0')
			continue;
		if ((p = smap_get(&f->stopmap, s->parent_id)) < 0) {
			fail(f, "%s:%lu: parent_station \"%s\" is not a stop_id",
			    c.path, s->line, s->parent_id);
			goto out;
		}
		s->parent = (uint32_t)p;
	}
	/* No cycles: a chain longer than the stops is one. */
	for (i = 0; i < f->nstops; i++) {
		uint32_t x = (uint32_t)i;

		for (depth = 0; f->stops[x].parent != NONE; depth++) {
			x = f->stops[x].parent;
			if (depth > 16) {
				fail(f, "%s:%lu: parent_station of \"%s\" "
				    "loops", c.path, f->stops[i].line,
				    f->stops[i].id);
				goto out;
			}
		}
	}
	csv_close(&c);
	return 0;
out:
	csv_close(&c);
	return -1;
}

/* The station of a stop: its root, made a station on first use. */
static uint32_t
station_of(struct feed *f, uint32_t stop)
{
	struct gtfs_station	*st;
	uint32_t		 x = stop;

	while (f->stops[x].parent != NONE)
		x = f->stops[x].parent;
	if (f->stops[x].station != NONE)
		return f->stops[x].station;
	if (grow(f, &f->st, &f->capst, f->nst + 1, sizeof(*f->st)) == -1)
		return NONE;
	st = &f->st[f->nst];
	st->id = f->stops[x].id;
	st->name = f->stops[x].name;
	st->change = (unsigned)f->opts.change;
	st->runs = 0;
	f->stops[x].station = (uint32_t)f->nst;
	return (uint32_t)f->nst++;
}

/* routes.txt (optional: only names the routes in qualifiers). */

static int
load_routes(struct feed *f)
{
	struct csv	 c;
	struct route	*rt;
	int		 cid, cshort, clong, r;
	const char	*label;

	if ((r = feed_open(f, &c, "routes.txt", 0)) == 1)
		return 0;
	if (r == -1 || (cid = csv_need(&c, "route_id")) == -1) {
		csv_close(&c);
		return fail_csv(f, &c);
	}
	cshort = csv_col(&c, "route_short_name");
	clong = csv_col(&c, "route_long_name");
	while ((r = csv_next(&c)) == 1) {
		if (grow(f, &f->routes, &f->caproutes, f->nroutes + 1,
		    sizeof(*f->routes)) == -1) {
			csv_close(&c);
			return -1;
		}
		rt = &f->routes[f->nroutes];
		label = csv_field(&c, cshort);
		if (*label == '\0')
			label = csv_field(&c, clong);
		if (*label == '\0')
			label = csv_field(&c, cid);
		if ((rt->id = pool_dup(f, csv_field(&c, cid))) == NULL ||
		    (rt->label = pool_dup(f, label)) == NULL ||
		    smap_put(&f->routemap, rt->id, (uint32_t)f->nroutes) ==
		    -1) {
			csv_close(&c);
			return fail(f, "out of memory");
		}
		f->nroutes++;
	}
	if (r == -1)
		fail_csv(f, &c);
	csv_close(&c);
	return r;
}

/* Services. */

static struct service *
service_get(struct feed *f, const char *id)
{
	struct service	*s;
	int64_t		 i;

	if ((i = smap_get(&f->servmap, id)) >= 0)
		return &f->servs[i];
	if (grow(f, &f->servs, &f->capservs, f->nservs + 1,
	    sizeof(*f->servs)) == -1)
		return NULL;
	s = &f->servs[f->nservs];
	memset(s, 0, sizeof(*s));
	if ((s->id = pool_dup(f, id)) == NULL ||
	    smap_put(&f->servmap, s->id, (uint32_t)f->nservs) == -1) {
		fail(f, "out of memory");
		return NULL;
	}
	f->nservs++;
	return s;
}

static void
cover(struct feed *f, int from, int to)
{
	if (f->first == 0 || from < f->first)
		f->first = from;
	if (to > f->last)
		f->last = to;
}

static int
load_calendar(struct feed *f, int *found)
{
	static const char *const days[7] = { "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday", "sunday" };
	struct csv	 c;
	struct service	*s;
	int		 cid, cday[7], cstart, cend, r, i;
	const char	*v;

	if ((r = feed_open(f, &c, "calendar.txt", 0)) == 1)
		return 0;
	*found = 1;
	if (r == -1 || (cid = csv_need(&c, "service_id")) == -1 ||
	    (cstart = csv_need(&c, "start_date")) == -1 ||
	    (cend = csv_need(&c, "end_date")) == -1)
		goto bad;
	for (i = 0; i < 7; i++)
		if ((cday[i] = csv_need(&c, days[i])) == -1)
			goto bad;
	while ((r = csv_next(&c)) == 1) {
		if ((s = service_get(f, csv_field(&c, cid))) == NULL) {
			csv_close(&c);
			return -1;
		}
		if (s->cal) {
			csv_error(&c, "service_id \"%s\" appears twice",
			    s->id);
			goto bad;
		}
		s->cal = 1;
		for (i = 0; i < 7; i++) {
			v = csv_field(&c, cday[i]);
			if (strcmp(v, "1") == 0)
				s->days |= (uint8_t)(1u << i);
			else if (strcmp(v, "0") != 0) {
				csv_error(&c, "%s is \"%s\", want 0 or 1",
				    days[i], v);
				goto bad;
			}
		}
		if ((s->start = gtfs_date(csv_field(&c, cstart), 0)) == -1 ||
		    (s->end = gtfs_date(csv_field(&c, cend), 0)) == -1) {
			csv_error(&c, "bad start_date or end_date (want "
			    "YYYYMMDD)");
			goto bad;
		}
		if (s->end < s->start) {
			csv_error(&c, "end_date %s is before start_date %s",
			    csv_field(&c, cend), csv_field(&c, cstart));
			goto bad;
		}
		cover(f, s->start, s->end);
	}
	if (r == -1)
		goto bad;
	csv_close(&c);
	return 0;
bad:
	fail_csv(f, &c);
	csv_close(&c);
	return -1;
}

static int
load_calendar_dates(struct feed *f, int *found)
{
	struct csv	 c;
	struct service	*s;
	int		 cid, cdate, ctype, r, date;
	const char	*type;

	if ((r = feed_open(f, &c, "calendar_dates.txt", 0)) == 1)
		return 0;
	*found = 1;
	if (r == -1 || (cid = csv_need(&c, "service_id")) == -1 ||
	    (cdate = csv_need(&c, "date")) == -1 ||
	    (ctype = csv_need(&c, "exception_type")) == -1)
		goto bad;
	while ((r = csv_next(&c)) == 1) {
		if ((s = service_get(f, csv_field(&c, cid))) == NULL) {
			csv_close(&c);
			return -1;
		}
		if ((date = gtfs_date(csv_field(&c, cdate), 0)) == -1) {
			csv_error(&c, "bad date \"%s\" (want YYYYMMDD)",
			    csv_field(&c, cdate));
			goto bad;
		}
		type = csv_field(&c, ctype);
		if (strcmp(type, "1") != 0 && strcmp(type, "2") != 0) {
			csv_error(&c, "exception_type is \"%s\", want 1 or 2",
			    type);
			goto bad;
		}
		if (type[0] == '1')
			cover(f, date, date);
		if (date == f->opts.date)
			s->exc = (int8_t)(type[0] - '0');
	}
	if (r == -1)
		goto bad;
	csv_close(&c);
	return 0;
bad:
	fail_csv(f, &c);
	csv_close(&c);
	return -1;
}

static int
service_runs(const struct feed *f, const struct service *s)
{
	int	d = f->opts.date;

	if (s->exc != 0)
		return s->exc == 1;
	return s->cal && d >= s->start && d <= s->end &&
	    (s->days & (1u << gtfs_weekday(d)));
}

/* trips.txt */

static int
load_trips(struct feed *f)
{
	struct csv	 c;
	struct trip	*t;
	int		 cid, croute, cserv, cshort, r;
	int64_t		 i;

	if (feed_open(f, &c, "trips.txt", 1) == -1)
		return fail_csv(f, &c);
	if ((cid = csv_need(&c, "trip_id")) == -1 ||
	    (croute = csv_need(&c, "route_id")) == -1 ||
	    (cserv = csv_need(&c, "service_id")) == -1)
		goto bad;
	cshort = csv_col(&c, "trip_short_name");
	while ((r = csv_next(&c)) == 1) {
		if (*csv_field(&c, cid) == '\0') {
			csv_error(&c, "empty trip_id");
			goto bad;
		}
		if (grow(f, &f->trips, &f->captrips, f->ntrips + 1,
		    sizeof(*f->trips)) == -1) {
			csv_close(&c);
			return -1;
		}
		t = &f->trips[f->ntrips];
		if ((t->id = pool_dup(f, csv_field(&c, cid))) == NULL ||
		    (t->short_name = pool_dup(f, csv_field(&c, cshort))) ==
		    NULL) {
			csv_close(&c);
			return fail(f, "out of memory");
		}
		i = smap_get(&f->routemap, csv_field(&c, croute));
		t->route = i < 0 ? NONE : (uint32_t)i;
		i = smap_get(&f->servmap, csv_field(&c, cserv));
		/* A service no calendar file lists never runs. */
		t->runs = i >= 0 && service_runs(f, &f->servs[i]);
		if ((r = smap_put(&f->tripmap, t->id, (uint32_t)f->ntrips)) ==
		    -1) {
			csv_close(&c);
			return fail(f, "out of memory");
		}
		if (r == 1) {
			csv_error(&c, "trip_id \"%s\" appears twice", t->id);
			goto bad;
		}
		f->ntrips++;
	}
	if (r == -1)
		goto bad;
	csv_close(&c);
	return 0;
bad:
	fail_csv(f, &c);
	csv_close(&c);
	return -1;
}

/* stop_times.txt */

static int
add_pair(struct feed *f, uint32_t station, uint32_t route)
{
	uint64_t	p = (uint64_t)station << 32 | route;

	if (route == NONE || (f->npairs > 0 && f->pairs[f->npairs - 1] == p))
		return 0;
	if (grow(f, &f->pairs, &f->cappairs, f->npairs + 1,
	    sizeof(*f->pairs)) == -1)
		return -1;
	f->pairs[f->npairs++] = p;
	return 0;
}

static int
load_stop_times(struct feed *f)
{
	struct csv	 c;
	struct rec	*x;
	int		 ctrip, carr, cdep, cstop, cseq, r;
	int64_t		 ti, si, seq;
	int32_t		 arr, dep;
	uint32_t	 station;

	if (feed_open(f, &c, "stop_times.txt", 1) == -1)
		return fail_csv(f, &c);
	if ((ctrip = csv_need(&c, "trip_id")) == -1 ||
	    (carr = csv_need(&c, "arrival_time")) == -1 ||
	    (cdep = csv_need(&c, "departure_time")) == -1 ||
	    (cstop = csv_need(&c, "stop_id")) == -1 ||
	    (cseq = csv_need(&c, "stop_sequence")) == -1)
		goto bad;
	while ((r = csv_next(&c)) == 1) {
		f->nstoptimes++;
		if ((ti = smap_get(&f->tripmap, csv_field(&c, ctrip))) < 0) {
			csv_error(&c, "trip_id \"%s\" is not in trips.txt",
			    csv_field(&c, ctrip));
			goto bad;
		}
		if ((si = smap_get(&f->stopmap, csv_field(&c, cstop))) < 0) {
			csv_error(&c, "stop_id \"%s\" is not in stops.txt",
			    csv_field(&c, cstop));
			goto bad;
		}
		if ((seq = parse_uint(csv_field(&c, cseq))) < 0) {
			csv_error(&c, "bad stop_sequence \"%s\"",
			    csv_field(&c, cseq));
			goto bad;
		}
		arr = parse_time(csv_field(&c, carr));
		dep = parse_time(csv_field(&c, cdep));
		if (arr == -2 || dep == -2) {
			csv_error(&c, "bad %s \"%s\" (want H:MM:SS)",
			    arr == -2 ? "arrival_time" : "departure_time",
			    csv_field(&c, arr == -2 ? carr : cdep));
			goto bad;
		}
		if ((station = station_of(f, (uint32_t)si)) == NONE ||
		    add_pair(f, station, f->trips[ti].route) == -1) {
			csv_close(&c);
			return -1;
		}
		if (!f->trips[ti].runs)
			continue;
		if (grow(f, &f->recs, &f->caprecs, f->nrecs + 1,
		    sizeof(*f->recs)) == -1) {
			csv_close(&c);
			return -1;
		}
		x = &f->recs[f->nrecs++];
		x->trip = (uint32_t)ti;
		x->seq = (uint32_t)seq;
		x->station = station;
		x->arr = arr;
		x->dep = dep;
		x->line = (uint32_t)c.line;
	}
	if (r == -1)
		goto bad;
	csv_close(&c);
	return 0;
bad:
	fail_csv(f, &c);
	csv_close(&c);
	return -1;
}

/* Trains: the stop times of each running trip, in order, merged. */

static int
cmp_rec(const void *a, const void *b)
{
	const struct rec	*x = a, *y = b;

	if (x->trip != y->trip)
		return x->trip < y->trip ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
st_fail(struct feed *f, const struct rec *x, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
st_fail(struct feed *f, const struct rec *x, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(f, "%s/stop_times.txt:%lu: %s", f->opts.dir,
	    (unsigned long)x->line, msg);
}

/*
 * A trip going from A to B twice in the same minute (A B A B within a
 * minute, once times are truncated): the server refuses the second leg as
 * a duplicate of the first, so the import must refuse it too.  Departures
 * never go back in time (build_train), so the legs leaving in one minute
 * are consecutive: only those are compared.
 */
static int
check_repeats(struct feed *f, const struct trip *t, size_t first)
{
	const struct gtfs_call	*c = f->calls + first;
	size_t			 n = f->ncalls - first, i, j;

	for (i = 1; i + 1 < n; i++)
		for (j = i; j-- > 0 && c[j].dep == c[i].dep; )
			if (c[j].station == c[i].station &&
			    c[j + 1].station == c[i + 1].station &&
			    c[j].dep == c[i].dep)
				return fail(f, "%s/stop_times.txt:%lu: trip %s "
				    "goes from stop %s to %s twice at "
				    "%02d:%02d (first at line %lu): a "
				    "timetable takes that for a duplicate leg",
				    f->opts.dir, (unsigned long)c[i].line,
				    t->id, f->st[c[i].station].id,
				    f->st[c[i + 1].station].id,
				    (int)(c[i].dep / 60), (int)(c[i].dep % 60),
				    (unsigned long)c[j].line);
	return 0;
}

/* One trip's calls from recs[a..b); a train when it has two or more. */
static int
build_train(struct feed *f, size_t a, size_t b)
{
	const struct rec	*x, *prev = NULL;
	const struct trip	*t = &f->trips[f->recs[a].trip];
	struct gtfs_call	*cl = NULL;
	struct gtfs_train	*tr;
	size_t			 first = f->ncalls, i;
	int32_t			 arr, dep, last = -1;

	for (i = a; i < b; i++) {
		x = &f->recs[i];
		if (prev != NULL && x->seq == prev->seq)
			return st_fail(f, x, "stop_sequence %u of trip %s "
			    "appears twice (first at line %u)", x->seq, t->id,
			    prev->line);
		prev = x;
		if (x->arr < 0 && x->dep < 0)
			continue;	/* no times: left out */
		arr = x->arr >= 0 ? x->arr : x->dep;
		dep = x->dep >= 0 ? x->dep : x->arr;
		if (dep < arr)
			return st_fail(f, x, "departure_time before "
			    "arrival_time");
		if (arr < last)
			return st_fail(f, x, "trip %s goes back in time at "
			    "stop_sequence %u", t->id, x->seq);
		last = dep;
		if (dep / 60 > TIME_MAX)
			return st_fail(f, x, "time past 47:59:59: a trainsrv "
			    "timetable stops there");
		if (f->ncalls > first && cl->station == x->station) {
			cl->dep = dep / 60;	/* two platforms: one call */
			continue;
		}
		if (grow(f, &f->calls, &f->capcalls, f->ncalls + 1,
		    sizeof(*f->calls)) == -1)
			return -1;
		cl = &f->calls[f->ncalls++];
		cl->station = x->station;
		cl->arr = arr / 60;
		cl->dep = dep / 60;
		cl->line = x->line;
	}
	if (f->ncalls - first < 2) {
		f->ncalls = first;	/* a train needs two stations */
		return 0;
	}
	if (f->ncalls - first > STOPS_MAX)
		return st_fail(f, &f->recs[a], "trip %s calls at more than %d "
		    "stations", t->id, STOPS_MAX);
	if (check_repeats(f, t, first) == -1)
		return -1;
	if (grow(f, &f->trains, &f->captrains, f->ntrains + 1,
	    sizeof(*f->trains)) == -1)
		return -1;
	tr = &f->trains[f->ntrains++];
	memset(tr, 0, sizeof(*tr));
	tr->trip_id = t->id;
	tr->first = (uint32_t)first;
	tr->ncalls = (uint32_t)(f->ncalls - first);
	for (i = first; i < f->ncalls; i++)
		f->st[f->calls[i].station].runs = 1;
	return 0;
}

static const struct feed *sort_feed;	/* for qsort's comparators */

static int
cmp_train(const void *a, const void *b)
{
	const struct gtfs_train	*x = a, *y = b;
	int32_t			 dx = sort_feed->calls[x->first].dep;
	int32_t			 dy = sort_feed->calls[y->first].dep;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(x->trip_id, y->trip_id);
}

static int
build_trains(struct feed *f)
{
	size_t	a, b;

	if (f->nrecs == 0)
		return 0;	/* no train: check_date says so */
	qsort(f->recs, f->nrecs, sizeof(*f->recs), cmp_rec);
	for (a = 0; a < f->nrecs; a = b) {
		for (b = a + 1; b < f->nrecs && f->recs[b].trip ==
		    f->recs[a].trip; b++)
			;
		if (build_train(f, a, b) == -1)
			return -1;
	}
	sort_feed = f;
	if (f->ntrains > 0)
		qsort(f->trains, f->ntrains, sizeof(*f->trains), cmp_train);
	return 0;
}

/* Train numbers. */

static int
number_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* The number a trip asks for: its short name made valid, or a hash. */
static void
base_number(const char *short_name, const char *trip_id, char *out)
{
	size_t	i, n = 0;

	for (i = 0; short_name[i] != '\0' && n < GTFS_NUMBER_MAX; i++) {
		if ((unsigned char)short_name[i] >= 0x80) {
			/* A multibyte character: one '-' for all of it. */
			while ((unsigned char)short_name[i + 1] >= 0x80 &&
			    ((unsigned char)short_name[i + 1] & 0xc0) == 0x80)
				i++;
		}
		out[n++] = number_char(short_name[i]) ? short_name[i] : '-';
	}
	out[n] = '\0';
	if (strspn(out, "-") == n)	/* nothing of it left */
		snprintf(out, GTFS_NUMBER_MAX + 1, "%u",
		    1000000u + hash_str(trip_id) % 9000000u);
}

static int
number_trains(struct feed *f)
{
	struct smap	 used;
	char		 base[GTFS_NUMBER_MAX + 1], suf[16];
	size_t		 i, k;
	unsigned	 n;
	int		 r;

	memset(&used, 0, sizeof(used));
	for (i = 0; i < f->ntrains; i++) {
		struct gtfs_train *t = &f->trains[i];
		int64_t ti = smap_get(&f->tripmap, t->trip_id);

		base_number(f->trips[ti].short_name, t->trip_id, base);
		memcpy(t->number, base, sizeof(base));
		for (n = 2;; n++) {
			if ((r = smap_put(&used, t->number, (uint32_t)i)) == -1) {
				free(used.e);
				return fail(f, "out of memory");
			}
			if (r == 0)
				break;
			k = (size_t)snprintf(suf, sizeof(suf), "-%u", n);
			snprintf(t->number, sizeof(t->number), "%.*s%s",
			    (int)(GTFS_NUMBER_MAX - k), base, suf);
		}
	}
	free(used.e);
	return 0;
}

/* Station names. */

/*
 * A name the timetable takes: ';' becomes ',', '|' '/', control
 * characters and line separators a blank, invalid UTF-8 (overlong forms,
 * surrogates, past U+10FFFF: as the server judges it) '?', format and
 * bidi controls (zero-width space, right-to-left override...) nothing,
 * runs of blanks one, cut at cap bytes on a character boundary.  Works in
 * place too: the output never grows past what was read.
 */
static void
clean_name(const char *in, char *out, size_t cap)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 o = 0, n;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s != '\0') {
		n = text_utf8_len(s);
		if (n == 0) {
			if (o + 1 >= cap)
				break;
			out[o++] = '?';
			s++;
			continue;
		}
		if (text_control(s, n) || (n == 3 && s[0] == 0xe2 &&
		    s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))) {
			if (o + 1 >= cap)
				break;
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			s += n;
			continue;
		}
		if (text_format_control(s, n)) {
			s += n;
			continue;
		}
		if (o + n >= cap)
			break;
		if (s[0] == ' ' || s[0] == '\t')
			out[o] = ' ';
		else if (s[0] == ';')
			out[o] = ',';
		else if (s[0] == '|')
			out[o] = '/';
		else
			memmove(out + o, s, n);
		if (!(out[o] == ' ' && o > 0 && out[o - 1] == ' '))
			o += n;
		s += n;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* Has the name a matching key (something besides blanks)? */
static int
foldable(const char *name)
{
	char	key[TT_NAME_MAX * 2 + 2];

	return tt_fold(name, strlen(name), key, sizeof(key)) > 0;
}

static int
set_name(struct feed *f, size_t i, const char *name)
{
	if ((f->st[i].name = pool_dup(f, name)) == NULL)
		return fail(f, "out of memory");
	return 0;
}

/* The routes calling at station s, sorted, as "A C E" (cut with "…"). */
static void
route_list(const struct feed *f, uint32_t s, char *out, size_t cap)
{
	const char	*lab[64];
	size_t		 n = 0, i, j, o = 0;
	uint64_t	*p;
	size_t		 lo = 0, hi = f->npairs;

	out[0] = '\0';
	if (f->npairs == 0)
		return;		/* no route known: pairs is NULL */
	/* pairs are sorted: find the station's first. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((f->pairs[mid] >> 32) < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (p = f->pairs + lo; p < f->pairs + f->npairs && (*p >> 32) == s &&
	    n < 64; p++) {
		const char *l = f->routes[(uint32_t)*p].label;

		for (i = 0; i < n && strcmp(lab[i], l) < 0; i++)
			;
		if (i < n && strcmp(lab[i], l) == 0)
			continue;
		for (j = n++; j > i; j--)
			lab[j] = lab[j - 1];
		lab[i] = l;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (o + strlen(lab[i]) + 2 > QUAL_MAX) {
			snprintf(out + o, cap - o, "%s…", o ? " " : "");
			break;
		}
		o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "",
		    lab[i]);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Keys of the names, for finding those that fold alike. */
struct nkey {
	char		*key;
	uint32_t	 st;
};

static int
cmp_nkey(const void *a, const void *b)
{
	const struct nkey	*x = a, *y = b;
	int			 c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return strcmp(sort_feed->st[x->st].id, sort_feed->st[y->st].id);
}

/*
 * Stations whose names fold alike, sorted by key then stop_id; returns
 * how many keys are shared, and marks dup[s] for those stations.
 */
static int
find_dups(struct feed *f, struct nkey *k, uint8_t *dup, size_t *ndup)
{
	char	key[TT_NAME_MAX * 2 + 2];
	size_t	i, j, len;

	for (i = 0; i < f->nst; i++) {
		len = tt_fold(f->st[i].name, strlen(f->st[i].name), key,
		    sizeof(key));
		free(k[i].key);
		if ((k[i].key = malloc(len + 1)) == NULL)
			return fail(f, "out of memory");
		memcpy(k[i].key, key, len + 1);
		k[i].st = (uint32_t)i;
		dup[i] = 0;
	}
	sort_feed = f;
	if (f->nst > 0)
		qsort(k, f->nst, sizeof(*k), cmp_nkey);
	*ndup = 0;
	for (i = 0; i < f->nst; i = j) {
		for (j = i + 1; j < f->nst && strcmp(k[i].key, k[j].key) == 0;
		    j++)
			;
		if (j - i > 1) {
			for (; i < j; i++)
				dup[k[i].st] = 1;
			(*ndup)++;
		}
	}
	return 0;
}

/* Round 0: routes; 1: stop_code or stop_id; 2: a counter. */
static int
qualify(struct feed *f, uint8_t *dup, int round, const char **base)
{
	char		 name[NAME_MAX_BYTES + 64], q[QUAL_MAX + 8];
	const char	*code;
	size_t		 i;
	unsigned	 count = 1;

	for (i = 0; i < f->nst; i++) {
		if (!dup[i])
			continue;
		if (round == 0) {
			route_list(f, (uint32_t)i, q, sizeof(q));
			if (q[0] == '\0')
				continue;
		} else if (round == 1) {
			uint32_t x = (uint32_t)smap_get(&f->stopmap,
			    f->st[i].id);

			code = f->stops[x].code;
			snprintf(q, sizeof(q), "%.*s", QUAL_MAX,
			    *code != '\0' ? code : f->st[i].id);
		} else
			snprintf(q, sizeof(q), "%u", ++count);
		if (round == 2)
			snprintf(name, sizeof(name), "%s %s", f->st[i].name, q);
		else
			snprintf(name, sizeof(name), "%s (%s)", base[i], q);
		clean_name(name, name, NAME_MAX_BYTES + 1);
		if (set_name(f, i, name) == -1)
			return -1;
	}
	return 0;
}

static int
name_stations(struct feed *f)
{
	char		 name[NAME_MAX_BYTES + 1];
	const char	**base = NULL;
	struct nkey	*k = NULL;
	uint8_t		*dup = NULL;
	size_t		 i, ndup;
	int		 round, r = -1;

	if (f->npairs > 0)
		qsort(f->pairs, f->npairs, sizeof(*f->pairs), cmp_u64);
	if ((base = calloc(f->nst + 1, sizeof(*base))) == NULL ||
	    (k = calloc(f->nst + 1, sizeof(*k))) == NULL ||
	    (dup = calloc(f->nst + 1, 1)) == NULL) {
		fail(f, "out of memory");
		goto out;
	}
	for (i = 0; i < f->nst; i++) {
		clean_name(f->st[i].name, name, BASE_MAX);
		if (!foldable(name))
			clean_name(f->st[i].id, name, BASE_MAX);
		if (!foldable(name))
			snprintf(name, sizeof(name), "Stop %zu", i + 1);
		if (set_name(f, i, name) == -1)
			goto out;
		base[i] = f->st[i].name;
	}
	for (round = 0; round < 4; round++) {
		if (find_dups(f, k, dup, &ndup) == -1)
			goto out;
		if (ndup == 0)
			break;
		if (round == 3) {
			fail(f, "%s/stops.txt: cannot give stations distinct "
			    "names", f->opts.dir);
			goto out;
		}
		if (qualify(f, dup, round, base) == -1)
			goto out;
	}
	r = 0;
out:
	if (k != NULL)
		for (i = 0; i < f->nst; i++)
			free(k[i].key);
	free(k);
	free(base);
	free(dup);
	return r;
}

/* transfers.txt: same-station minimum change times. */

static int
load_transfers(struct feed *f)
{
	struct csv	 c;
	uint8_t		*own;
	int		 cfrom, cto, ctype, cmin, cft, ctt, r;
	int64_t		 a, b, sec;
	uint32_t	 s, min;

	if ((r = feed_open(f, &c, "transfers.txt", 0)) == 1)
		return 0;
	if (r == -1 || (cfrom = csv_need(&c, "from_stop_id")) == -1 ||
	    (cto = csv_need(&c, "to_stop_id")) == -1 ||
	    (ctype = csv_need(&c, "transfer_type")) == -1) {
		fail_csv(f, &c);
		csv_close(&c);
		return -1;
	}
	cmin = csv_col(&c, "min_transfer_time");
	cft = csv_col(&c, "from_trip_id");
	ctt = csv_col(&c, "to_trip_id");
	if ((own = calloc(f->nst + 1, 1)) == NULL) {
		csv_close(&c);
		return fail(f, "out of memory");
	}
	while ((r = csv_next(&c)) == 1) {
		/* Trip to trip rows: not yet. */
		if (*csv_field(&c, cft) != '\0' || *csv_field(&c, ctt) != '\0')
			continue;
		if (strcmp(csv_field(&c, ctype), "2") != 0 ||
		    *csv_field(&c, cmin) == '\0')
			continue;
		if ((sec = parse_uint(csv_field(&c, cmin))) < 0) {
			csv_error(&c, "bad min_transfer_time \"%s\"",
			    csv_field(&c, cmin));
			r = -1;
			break;
		}
		a = smap_get(&f->stopmap, csv_field(&c, cfrom));
		b = smap_get(&f->stopmap, csv_field(&c, cto));
		if (a < 0 || b < 0)
			continue;	/* a stop no train uses */
		{
			uint32_t x = (uint32_t)a, y = (uint32_t)b;

			while (f->stops[x].parent != NONE)
				x = f->stops[x].parent;
			while (f->stops[y].parent != NONE)
				y = f->stops[y].parent;
			if (x != y || (s = f->stops[x].station) == NONE)
				continue;	/* between stations */
		}
		min = (uint32_t)((sec + 59) / 60);
		if (min < 1)
			min = 1;
		if (min > TT_MINUTES_PER_DAY)
			min = TT_MINUTES_PER_DAY;
		if (!own[s] || min > f->st[s].change)
			f->st[s].change = min;
		own[s] = 1;
	}
	free(own);
	if (r == -1)
		fail_csv(f, &c);
	csv_close(&c);
	return r;
}

static int
load_feed_info(struct feed *f)
{
	struct csv	c;
	int		r, cv;

	if ((r = feed_open(f, &c, "feed_info.txt", 0)) == 1)
		return 0;
	if (r == -1) {
		fail_csv(f, &c);
		return -1;
	}
	cv = csv_col(&c, "feed_version");
	if (csv_next(&c) == 1 && cv >= 0 &&
	    (f->version = pool_dup(f, csv_field(&c, cv))) == NULL)
		r = fail(f, "out of memory");
	csv_close(&c);
	return r;
}

/* The date has trains, or a clear error naming the dates covered. */
static int
check_date(struct feed *f)
{
	char	d[16], a[16], b[16];

	date_text(f->opts.date, d, sizeof(d));
	date_text(f->first, a, sizeof(a));
	date_text(f->last, b, sizeof(b));
	if (f->first == 0)
		return fail(f, "%s: the calendar has no service date at all",
		    f->opts.dir);
	if (f->opts.date < f->first || f->opts.date > f->last)
		return fail(f, "%s: no service on %s: the feed covers %s to %s",
		    f->opts.dir, d, a, b);
	if (f->ntrains == 0)
		return fail(f, "%s: no train runs on %s (the feed covers %s "
		    "to %s)", f->opts.dir, d, a, b);
	return 0;
}

struct feed *
gtfs_load(const struct gtfs_opts *o, char *err, size_t cap)
{
	struct feed	*f;
	int		 cal = 0;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	f->opts = *o;
	f->err = err;
	f->errcap = cap;
	f->version = "";
	if (load_stops(f) == -1 || load_routes(f) == -1 ||
	    load_calendar(f, &cal) == -1 ||
	    load_calendar_dates(f, &cal) == -1)
		goto fail;
	if (!cal) {
		fail(f, "%s: neither calendar.txt nor calendar_dates.txt",
		    o->dir);
		goto fail;
	}
	if (load_trips(f) == -1 || load_stop_times(f) == -1 ||
	    build_trains(f) == -1 || check_date(f) == -1 ||
	    number_trains(f) == -1 || name_stations(f) == -1 ||
	    load_transfers(f) == -1 || load_feed_info(f) == -1)
		goto fail;
	return f;
fail:
	gtfs_free(f);
	return NULL;
}

void
gtfs_free(struct feed *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nchunks; i++)
		free(f->chunks[i]);
	free(f->chunks);
	free(f->stops);
	free(f->stopmap.e);
	free(f->routes);
	free(f->routemap.e);
	free(f->servs);
	free(f->servmap.e);
	free(f->trips);
	free(f->tripmap.e);
	free(f->recs);
	free(f->pairs);
	free(f->st);
	free(f->calls);
	free(f->trains);
	free(f);
}

size_t
gtfs_ntrains(const struct feed *f)
{
	return f->ntrains;
}

const struct gtfs_train *
gtfs_train(const struct feed *f, size_t i)
{
	return &f->trains[i];
}

const struct gtfs_call *
gtfs_calls(const struct feed *f)
{
	return f->calls;
}

size_t
gtfs_nstations(const struct feed *f)
{
	return f->nst;
}

const struct gtfs_station *
gtfs_station(const struct feed *f, size_t i)
{
	return &f->st[i];
}

const char *
gtfs_version(const struct feed *f)
{
	return f->version;
}

void
gtfs_coverage(const struct feed *f, int *first, int *last)
{
	*first = f->first;
	*last = f->last;
}

size_t
gtfs_nstop_times(const struct feed *f)
{
	return f->nstoptimes;
}
