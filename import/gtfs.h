/*
 * gtfs.h — trainsrv-import's model of a GTFS feed for one service date:
 * what gtfs.c reads and decides (which trips run, stations, names, train
 * numbers, change times) and emit.c writes as a trainsrv timetable.
 */
#ifndef TRAINSRV_GTFS_H
#define TRAINSRV_GTFS_H

#include <stdint.h>
#include <stdio.h>

#define GTFS_NUMBER_MAX		16	/* as trainsrv-timetable(5) */
#define GTFS_CHANGE_DEFAULT	2	/* minutes */
#define GTFS_ERR_MAX		768

/* A file of an in-memory feed (tests, fuzzing). */
struct gtfs_file {
	const char	*name;		/* "stops.txt"; NULL ends the list */
	const char	*data;
	size_t		 len;
};

struct gtfs_opts {
	const char	*dir;		/* the feed's directory */
	int		 date;		/* service date, YYYYMMDD */
	int		 change;	/* default minimum change time, minutes */
	const struct gtfs_file *files;	/* instead of dir's files, or NULL */
};

/* A station of the timetable: a stop without parent, or a parent. */
struct gtfs_station {
	const char	*id;		/* its stop_id */
	const char	*name;		/* as written in the timetable */
	unsigned	 change;	/* minimum change time, minutes */
	uint8_t		 runs;		/* a train of the day calls there */
};

/* A call of a train of the day, times in minutes of the service day. */
struct gtfs_call {
	uint32_t	station;
	int32_t		arr;
	int32_t		dep;
	uint32_t	line;		/* in stop_times.txt, for messages */
};

struct gtfs_train {
	char		 number[GTFS_NUMBER_MAX + 1];
	const char	*trip_id;
	uint32_t	 first;		/* into calls[] */
	uint32_t	 ncalls;
};

struct feed;

/*
 * Read the feed and decide the timetable of opts->date.  Returns the feed,
 * or NULL with a message in err ("file:line: what", or "file: what").
 */
struct feed	*gtfs_load(const struct gtfs_opts *, char *err, size_t cap);
void		 gtfs_free(struct feed *);

/* What emit.c writes. */
size_t			 gtfs_ntrains(const struct feed *);
const struct gtfs_train	*gtfs_train(const struct feed *, size_t);
const struct gtfs_call	*gtfs_calls(const struct feed *);
size_t			 gtfs_nstations(const struct feed *);
const struct gtfs_station *gtfs_station(const struct feed *, size_t);
const char		*gtfs_version(const struct feed *);	/* or "" */
void			 gtfs_coverage(const struct feed *, int *first,
			    int *last);
size_t			 gtfs_nstop_times(const struct feed *);

/* Dates as YYYYMMDD integers. */
int	 gtfs_date(const char *s, int dashes);	/* -1 when invalid */
int	 gtfs_weekday(int date);		/* 0 Monday .. 6 Sunday */

/* emit.c: the timetable, in trainsrv-timetable(5); -1 on a write error. */
int	 gtfs_emit(const struct feed *, const struct gtfs_opts *, FILE *);

#endif /* TRAINSRV_GTFS_H */
