/*
 * engine.h — the timetable: loading, validation and queries.
 *
 * A timetable file (see trainsrv-timetable(5)) is parsed and validated into
 * one contiguous memory arena (a single mmap(2) region) that holds no
 * pointers, only 32-bit indices and offsets.  tt_load() returns the arena
 * already sealed read-only with mprotect(2): the master loads it once, forks
 * its workers, and they all share the same pages copy-on-write without ever
 * dirtying them.
 *
 * Times.  A timetable describes one service day that repeats every day.
 * Inside the arena every time is kept in "service minutes": minutes since
 * 00:00 of the train's service day (0 .. 3*1440), so 25:10 is 1510.  A
 * question is asked at a clock time T (0 .. 1439) of "today"; a train leaves
 * at clock time (service minutes mod 1440).  Results carry their times as
 * minutes relative to 00:00 of the question's day, so 1510 - 1440 = 70 with a
 * day offset of +1 when the train leaves after midnight.
 *
 * Queries never scan the whole timetable: stations are found through a
 * sorted array of folded names, trains between two stations through a
 * station-pair index binary-searched by clock time, departures through a
 * per-station index also sorted by clock time.
 *
 * Money is integer cents; -1 means unknown.
 */
#ifndef TRAINSRV_ENGINE_H
#define TRAINSRV_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#define TT_MINUTES_PER_DAY	1440
#define TT_NUMBER_MAX		16	/* train number: 1..16 of [A-Za-z0-9_-] */
#define TT_NAME_MAX		256	/* station name, bytes */
#define TT_STOPS_MAX		512	/* stops per train */
#define TT_ERRORS_MAX		100	/* errors reported by one load */
#define TT_LINE_MAX		4096	/* longest accepted line, bytes */
#define TT_FILE_MAX		(1L << 30) /* largest timetable file: 1 GiB */

/* Leg flags. */
enum tt_flag {
	TT_FLAG_NONE = 0,
	TT_FLAG_REDUC = 1,	/* fare -20 % */
	TT_FLAG_SUPPL = 2	/* fare +10 % */
};

/* Result tags (tt_window marks them). */
#define TT_TAG_CHEAPEST	0x1u
#define TT_TAG_FASTEST	0x2u

enum tt_by {
	TT_BY_PRICE,
	TT_BY_DURATION
};

struct tt;		/* the sealed arena; opaque */

/*
 * One train from one of its stops to a later one.  dep_min and arr_min are
 * minutes relative to 00:00 of the question's day (for tt_all and tt_best,
 * which have no question time, relative to 00:00 of the service day), so
 * dep_min / 1440 is the departure's day offset (0, 1, 2) and dep_min % 1440
 * its clock time.
 */
struct tt_result {
	uint32_t	train;		/* train index */
	uint16_t	from_stop;	/* index of the boarding stop in the train */
	uint16_t	to_stop;	/* index of the alighting stop */
	int32_t		dep_min;
	int32_t		arr_min;
	int32_t		minutes;	/* arr_min - dep_min */
	int64_t		price;		/* sum of the legs' base prices, -1 unknown */
	int64_t		fare;		/* sum of the legs' fares, -1 unknown */
	unsigned	tags;		/* TT_TAG_* */
};

/*
 * Load and validate a timetable file.  On success returns the sealed arena
 * and sets *errors to NULL.  On failure returns NULL and *errors points to a
 * malloc(3)ed NUL-terminated text, one "file:line: message\n" per error (at
 * most TT_ERRORS_MAX, then one line saying how many more there were), which
 * the caller frees.  An unreadable file is one error "file: strerror".
 * Only a regular file of at most TT_FILE_MAX bytes is read: anything else
 * (a FIFO, a device, a directory) is refused without reading, so a caller
 * that must not block (the master, on reload) never waits on a writer or
 * reads an endless stream.
 * *nerrors receives the total number of errors found.
 */
struct tt	*tt_load(const char *path, char **errors, unsigned *nerrors);

/* The same from memory; name is used in messages (tests, fuzzing). */
struct tt	*tt_load_mem(const char *name, const char *data, size_t len,
		    char **errors, unsigned *nerrors);

void		 tt_free(struct tt *);

/* Summary. */
uint32_t	 tt_ntrains(const struct tt *);
uint32_t	 tt_nlegs(const struct tt *);
uint32_t	 tt_nstations(const struct tt *);
size_t		 tt_arena_size(const struct tt *);

/*
 * Times.  Parse "H:MM" or "HH:MM" (blanks around it are not accepted here;
 * callers trim) with hours 0..max_hour; returns minutes, or -1.
 */
int		 tt_parse_time(const char *s, size_t len, int max_hour);

/*
 * Stations.  Names match ignoring case, accents (Latin-1 letters written in
 * UTF-8 and the common Latin Extended-A ones), surrounding blanks, runs of
 * inner blanks, and '-' versus ' '.  tt_station_find returns the station
 * index or -1; a name that matches no station but is the start of exactly
 * one station's folded name is that station ("paris" for Paris Gare de
 * Lyon), tried only after the exact lookups miss.  tt_station_suggest writes up to max close names (edit distance
 * on folded names, prefix matches first) and returns how many.
 */
int32_t		 tt_station_find(const struct tt *, const char *name, size_t len);
size_t		 tt_station_suggest(const struct tt *, const char *name,
		    size_t len, uint32_t *out, size_t max);
const char	*tt_station_name(const struct tt *, uint32_t station);

/*
 * Stations whose folded name starts with the folded prefix (all of them for
 * an empty prefix), in folded-name order: returns how many and sets *first
 * to the rank of the first; tt_station_by_rank maps a rank to a station.
 */
size_t		 tt_stations(const struct tt *, const char *prefix, size_t len,
		    uint32_t *first);
uint32_t	 tt_station_by_rank(const struct tt *, uint32_t rank);

/*
 * Fold a name into its matching key (NUL-terminated, at most cap-1 bytes);
 * returns the key length.  Exposed for tests and the client.
 */
size_t		 tt_fold(const char *name, size_t len, char *key, size_t cap);

/*
 * The first format or direction control in name[0..len) (valid UTF-8): a
 * code point that is invisible or reorders the text around it, such as
 * U+200B ZERO WIDTH SPACE or U+202E RIGHT-TO-LEFT OVERRIDE, so that
 * "Gre\u200bnoble" could pass for Grenoble; 0 when there is none.  The
 * timetable refuses them in station names; trainsrv-timetable(5) lists them.
 */
uint32_t	 tt_name_invisible(const char *name, size_t len);

/*
 * Queries.  Each fills caller-provided result arrays; none allocates.
 *
 * tt_all:	trains of the day, one per train from its first station to its
 *		last, ordered by first departure (then file order); returns how
 *		many were written from offset (at most limit).
 * tt_next:	the first train from `from` to `to` leaving at or after clock
 *		time t (0..1439) today, else the first one tomorrow; returns 1,
 *		or 0 when no train ever runs between them.
 * tt_window:	trains leaving within [t1, t2] (inclusive; t1 > t2 crosses
 *		midnight), chronological; at most max written; the cheapest
 *		(known fares only) and the fastest among those written are
 *		tagged, ties going to the earlier departure; returns the number
 *		written.
 * tt_best:	the cheapest (by fare; unknown fares never win) or the fastest
 *		train of the day between two stations, ties going to the earlier
 *		departure; returns 1 or 0.
 * tt_departures: the next `count` trains leaving `station` at or after t,
 *		any destination, each to its last station, continuing into
 *		tomorrow; never lists the same departure twice; returns how many.
 */
size_t		 tt_all(const struct tt *, size_t offset, size_t limit,
		    struct tt_result *out);
int		 tt_next(const struct tt *, uint32_t from, uint32_t to, int t,
		    struct tt_result *out);
size_t		 tt_window(const struct tt *, uint32_t from, uint32_t to,
		    int t1, int t2, struct tt_result *out, size_t max);
int		 tt_best(const struct tt *, uint32_t from, uint32_t to,
		    enum tt_by by, struct tt_result *out);
size_t		 tt_departures(const struct tt *, uint32_t station, int t,
		    size_t count, struct tt_result *out);

/*
 * Journeys with changes (journey.c).  tt_journey answers JOURNEY: from
 * `from`, leaving at or after clock time t (0..1439) today, the journeys
 * to `to` that are best on arrival and number of changes together (the
 * Pareto set), earliest arrival first, at most max_changes + 1 of them;
 * among journeys equal on both, the one that leaves latest.  The first
 * train leaves within 24 hours of t (today after t, tomorrow before it),
 * the others are boarded within 48 hours, each ridden as far as needed;
 * changing at a station takes at least its minimum change time (the
 * !change directive), staying on a train is no change, and none applies
 * at the origin.
 *
 * The scan needs scratch memory the size of the timetable's stations and
 * trains: a workspace, made once per timetable and reused by every query
 * (a worker serves one request at a time).  Returns the number of
 * journeys written, 0 when there is none (or from == to).
 */
#define TT_CHANGES_DEFAULT	4
#define TT_CHANGES_MAX		8
#define TT_LEGS_MAX		(TT_CHANGES_MAX + 1)

struct tt_journey {
	int32_t		 dep_min;	/* relative to 00:00 of the question's day */
	int32_t		 arr_min;
	unsigned	 changes;	/* nlegs - 1 */
	unsigned	 nlegs;
	struct tt_result legs[TT_LEGS_MAX];	/* one per train ridden */
};

struct tt_jws;		/* a journey workspace */

struct tt_jws	*tt_jws_new(const struct tt *);
void		 tt_jws_free(struct tt_jws *);
/* Was ws made for a timetable of this size (so usable with it)? */
int		 tt_jws_fits(const struct tt_jws *, const struct tt *);

size_t		 tt_journey(const struct tt *, struct tt_jws *, uint32_t from,
		    uint32_t to, int t, unsigned max_changes,
		    struct tt_journey *out);

/*
 * Earliest arrival only, the scan stopping at the first connection that
 * cannot arrive earlier (what the benchmark times): minutes relative to
 * the question's day, or -1 when `to` cannot be reached.
 */
int32_t		 tt_journey_earliest(const struct tt *, struct tt_jws *,
		    uint32_t from, uint32_t to, int t, unsigned max_changes);

/*
 * A request about to be answered, as a hint: the rides from `from` to `to`
 * at clock time `clock` (minutes; -1 when not known yet).
 */
struct tt_hint {
	uint32_t	from;
	uint32_t	to;
	int		clock;
};

/*
 * Start loading what tt_next and tt_window will read for a batch of
 * requests answered one after the other (pipelined).  The index is read in
 * stages, each stage's loads for the whole batch issued before any is
 * waited on, so their cache misses overlap instead of adding up.  A hint
 * only: no result depends on it, and a bad hint costs nothing but time.
 */
void		 tt_prefetch(const struct tt *, const struct tt_hint *,
		    size_t n);

/* Minimum change time at a station, minutes. */
unsigned	 tt_change_time(const struct tt *, uint32_t station);
uint32_t	 tt_nconns(const struct tt *);

/* Whether station s is written exactly name[0..len) in the timetable. */
int		 tt_station_is(const struct tt *, uint32_t s, const char *name,
		    size_t len);

/* Accessors for formatting. */
const char	*tt_train_number(const struct tt *, uint32_t train);
uint32_t	 tt_train_nstops(const struct tt *, uint32_t train);
uint32_t	 tt_stop_station(const struct tt *, uint32_t train, unsigned stop);
enum tt_flag	 tt_leg_flag(const struct tt *, uint32_t train, unsigned leg);

/*
 * Write a result as the wire protocol's 11-field train data line (see
 * trainsrv-protocol(7)), without the newline:
 *   number;from;to;departs;arrives;minutes;price;flag;fare;via;tags
 * Returns the length it needs; writes nothing past cap (NUL included), like
 * snprintf(3).
 */
size_t		 tt_format(const struct tt *, const struct tt_result *,
		    char *buf, size_t cap);

#endif /* TRAINSRV_ENGINE_H */
