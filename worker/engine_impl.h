/*
 * engine_impl.h — the arena's layout, private to the engine's files
 * (timetable.c builds it, engine.c and journey.c query it, fold.c folds its
 * names).
 *
 * The arena is one mmap(2) region, sealed read-only.  It starts with a
 * header giving every array's count and byte offset from the base; the
 * arrays hold 32-bit indices and offsets, never pointers, so the same pages
 * mean the same thing in every worker that inherits them.
 *
 *   trains[ntrains]	in file order; a train's stops are contiguous
 *   stops[nstops]	every stop of every train, with prefix sums of price
 *			and fare so a ride from stop i to stop j costs O(1)
 *   stations[nst]	sorted by folded name: a station's index is its rank
 *   ranges[nranges]	per from-station, one per reachable to-station,
 *			sorted by to-station: a slice of pairs[]
 *   pairs[npairs]	rides (train, from stop, to stop), each slice sorted
 *			by (clock, service departure, train, from stop); a
 *			ride also names its boarding stop's index in stops[],
 *			so a query reads the train and its stops at once
 *   deps[ndeps]	per station, stops with a next leg, same order
 *   all[ntrains]	train indices ordered by first departure
 *   strings		station names and folded keys, NUL-terminated
 *   conns[nlegs]	every leg as a connection for JOURNEY's scan, in
 *			(clock, service departure, train, stop) order
 *   cstart[1441]	per clock minute, the first connection leaving then
 *   change[nst]	minimum change time per station, minutes
 *   shash[nshash]	open-addressing hash of the folded keys (linear
 *			probing, nshash a power of two >= 2 * nst, so at most
 *			half full): tt_station_find's probe of a folded name
 *   nhash[nshash]	the same for the names as written (an exact name is
 *			found without folding it: what clients send)
 *   rdense[nst * nst]	when rdense is set (small, dense networks only, see
 *			TT_RDENSE_MAX): the pairs[] slice of (from, to) at
 *			from * nst + to, count 0 when no train runs: NEXT
 *			and WINDOW go from there to the rides in one load
 */
#ifndef TRAINSRV_ENGINE_IMPL_H
#define TRAINSRV_ENGINE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "worker/engine.h"

#define TT_MAGIC	0x74747231u	/* "ttr1" */
#define TT_SERVICE_MAX	(3 * TT_MINUTES_PER_DAY)	/* latest arrival */
#define TT_PAIRS_MAX	(64u * 1024 * 1024)	/* station-pair entries */
#define TT_NONE		UINT32_MAX
/*
 * The direct (from, to) -> range table is built only for at most this many
 * stations (32 MB) and when it is not much larger than the pairs it
 * indexes; other timetables binary-search a station's ranges.
 */
#define TT_RDENSE_MAX	2048u

struct tt_hdr {
	uint32_t	magic;
	uint32_t	ntrains;
	uint32_t	nlegs;
	uint32_t	nstations;
	uint32_t	nstops;
	uint32_t	npairs;
	uint32_t	nranges;
	uint32_t	ndeps;
	uint64_t	size;		/* bytes mapped */
	uint64_t	off_trains;
	uint64_t	off_stops;
	uint64_t	off_stations;
	uint64_t	off_ranges;
	uint64_t	off_pairs;
	uint64_t	off_deps;
	uint64_t	off_all;
	uint64_t	off_strings;
	uint64_t	off_conns;
	uint64_t	off_cstart;
	uint64_t	off_change;
	uint64_t	off_shash;
	uint64_t	off_rdense;
	uint64_t	off_nhash;
	uint32_t	nshash;		/* a power of two */
	uint32_t	rdense;		/* 1 when rdense[] exists */
};

struct tt_train {
	uint32_t	first_stop;	/* into stops[] */
	uint16_t	nstops;
	uint8_t		numlen;
	char		number[TT_NUMBER_MAX + 1];
};

struct tt_stop {
	uint32_t	station;
	int32_t		arr;		/* service minutes; = dep at the first stop */
	int32_t		dep;		/* service minutes; = arr at the last stop */
	uint16_t	cunknown;	/* legs of unknown price before this stop */
	uint8_t		flag;		/* of the leg leaving this stop */
	uint8_t		pad;
	int64_t		cprice;		/* base prices of the legs before it */
	int64_t		cfare;		/* fares of the legs before it */
};

struct tt_station {
	uint32_t	name;		/* offset in strings */
	uint32_t	key;		/* offset in strings */
	uint16_t	namelen;
	uint16_t	keylen;
	uint32_t	range_first;	/* into ranges[] */
	uint32_t	range_count;
	uint32_t	dep_first;	/* into deps[] */
	uint32_t	dep_count;
};

struct tt_range {
	uint32_t	to;
	uint32_t	first;		/* into pairs[] */
	uint32_t	count;
	uint32_t	best_fare;	/* into pairs[]; TT_NONE when no fare is known */
	uint32_t	best_dur;	/* into pairs[] */
};

/*
 * A ride: 12 bytes, the index's bulk (9 million of them for a million
 * legs), so the boarding time and both stops share one word.
 */
struct tt_pair {
	uint32_t	train;
	uint32_t	stop;		/* stops[] index of from_stop */
	unsigned	dep : 13;	/* service minutes at the boarding stop */
	unsigned	from_stop : 9;
	unsigned	to_stop : 9;
};

_Static_assert(TT_SERVICE_MAX < 1 << 13 && TT_STOPS_MAX <= 1 << 9,
    "a ride's fields fit their bits");

/* Rides from one station to another: pairs[first .. first + count). */
struct tt_slice {
	uint32_t	first;
	uint32_t	count;
};

struct tt_dep {
	uint32_t	train;
	uint16_t	stop;
	uint16_t	pad;
	int32_t		dep;
};

/*
 * A connection: one leg of one train, what the Connection Scan reads for
 * every leg it passes, in 16 bytes so a sequential pass streams four per
 * cache line.  Its departure is kept as a clock time plus the day of the
 * train's service day it leaves on; its arrival as the leg's duration.
 */
#define TT_CONN_CLOCK(c)	((c)->dep & 0x7ff)		/* 0..1439 */
#define TT_CONN_SDAY(c)		((unsigned)(c)->dep >> 11)	/* 0..2 */

struct tt_conn {
	uint32_t	from;		/* station */
	uint32_t	to;		/* station */
	uint32_t	train;		/* rank in all[]: all[train] is the train */
	uint16_t	dep;		/* sday << 11 | clock */
	uint16_t	dur;		/* minutes, 0..4319 */
};

/*
 * A slot of a station hash: station TT_NONE when empty.  It carries the
 * string it was hashed from, so a probe compares without reading the
 * station first: one cache miss fewer per lookup.
 */
struct tt_shash {
	uint32_t	hash;		/* tt_key_hash of the key, tt_name_hash
					   of the name */
	uint32_t	station;
	uint32_t	str;		/* offset in strings of the key or name */
	uint32_t	len;
};

/* The hash of a folded key (FNV-1a), at load and at lookup. */
static inline uint32_t
tt_key_hash(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * The hash of a name as written: eight bytes a step, since it is computed
 * for every station named in a request.  Only this process's arena uses
 * it, so byte order does not matter.
 */
static inline uint32_t
tt_name_hash(const char *s, size_t len)
{
	uint64_t	h = 0x9e3779b97f4a7c15u ^ len, w;
	size_t		i;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	for (w = 0, i = 0; i < len; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	return (uint32_t)(h ^ h >> 29);
}

#define TT_CHANGE_DEFAULT	2	/* minutes, when no !change says */
#define TT_CHANGE_MAX		1440

/* Typed views of the arena. */
#define TT_HDR(t)	((const struct tt_hdr *)(const void *)(t))
#define TT_ARRAY(t, type, off) \
	((const type *)(const void *)((const char *)(t) + TT_HDR(t)->off))
#define TT_TRAINS(t)	TT_ARRAY(t, struct tt_train, off_trains)
#define TT_STOPS(t)	TT_ARRAY(t, struct tt_stop, off_stops)
#define TT_STATIONS(t)	TT_ARRAY(t, struct tt_station, off_stations)
#define TT_RANGES(t)	TT_ARRAY(t, struct tt_range, off_ranges)
#define TT_PAIRS(t)	TT_ARRAY(t, struct tt_pair, off_pairs)
#define TT_DEPS(t)	TT_ARRAY(t, struct tt_dep, off_deps)
#define TT_ALL(t)	TT_ARRAY(t, uint32_t, off_all)
#define TT_STRINGS(t)	TT_ARRAY(t, char, off_strings)
#define TT_CONNS(t)	TT_ARRAY(t, struct tt_conn, off_conns)
#define TT_CSTART(t)	TT_ARRAY(t, uint32_t, off_cstart)
#define TT_CHANGE(t)	TT_ARRAY(t, uint16_t, off_change)
#define TT_SHASH(t)	TT_ARRAY(t, struct tt_shash, off_shash)
#define TT_NHASH(t)	TT_ARRAY(t, struct tt_shash, off_nhash)
#define TT_RDENSE(t)	TT_ARRAY(t, struct tt_slice, off_rdense)

/* engine.c: the rides from one station to another, or NULL. */
const struct tt_range *engine_range(const struct tt *, uint32_t from,
		    uint32_t to);

/* engine.c: the same as a slice of pairs[]; 0 when no train runs. */
int		 engine_slice(const struct tt *, uint32_t from, uint32_t to,
		    struct tt_slice *);

/* engine.c: a ride of train from stop fs to ts leaving at dep_min. */
void		 engine_result(const struct tt *, uint32_t train, unsigned fs,
		    unsigned ts, int32_t dep_min, struct tt_result *);

/* fold.c: edit distance between two keys, or limit + 1 when above limit. */
unsigned	 fold_distance(const char *a, size_t alen, const char *b,
		    size_t blen, unsigned limit);

#endif /* TRAINSRV_ENGINE_IMPL_H */
